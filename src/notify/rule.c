/*
 * rule — routing rules: which events (by level, system, kind) go to whom
 * (targets) over which channels, in escalation steps.
 *
 *   {name, title, enabled,
 *    match: {levels: [1, 2], systems: ["portal"], kinds: ["opened"]},  (empty = any)
 *    steps: [{after: "0m", to: ["assignee", "duty:primary"], channels: ["ops-ding"]},
 *            {after: "15m", to: ["duty:lead"], channels: ["ops-ding", "ops-mail"]}]}
 *
 * Targets: "assignee" (the incident's assignee, or the engineer on duty
 * when none), "duty:primary" "duty:backup" "duty:lead" (who holds the
 * position when the step is due), "role:NAME" (every enabled account with
 * the role, e.g. role:manager), "user:LOGIN".
 */
#include <stdio.h>
#include <string.h>

#include "auth/roles.h"
#include "core/mem.h"
#include "notify/notify_int.h"

void nrule_release(struct nrule *r)
{
    if (!r)
        return;
    xfree(r->name);
    xfree(r->title);
    notify_strv_free(r->systems, r->nsystems);
    for (size_t i = 0; i < r->nsteps; i++) {
        notify_strv_free(r->steps[i].to, r->steps[i].nto);
        notify_strv_free(r->steps[i].channels, r->steps[i].nchannels);
    }
    xfree(r->steps);
    memset(r, 0, sizeof *r);
}

static bool login_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

int notify_target_check(const char *t, const char *field, struct yw_err *err)
{
    if (strcmp(t, "assignee") == 0)
        return 0;
    if (strncmp(t, "duty:", 5) == 0) {
        for (int p = 0; p < DUTY__COUNT; p++)
            if (strcmp(t + 5, duty_position_name((enum duty_position)p)) == 0)
                return 0;
        return yw_fail_field(err, YW_EINVAL, field,
                             "%s: duty position must be primary, backup or lead", field);
    }
    if (strncmp(t, "role:", 5) == 0) {
        enum role r;
        if (role_parse(t + 5, &r) == 0)
            return 0;
        return yw_fail_field(err, YW_EINVAL, field, "%s: no role \"%.40s\"", field, t + 5);
    }
    if (strncmp(t, "user:", 5) == 0) {
        if (login_valid(t + 5))
            return 0;
        return yw_fail_field(err, YW_EINVAL, field, "%s: \"%.70s\" is not a login", field, t + 5);
    }
    return yw_fail_field(err, YW_EINVAL, field,
                         "%s: must be assignee, duty:primary|backup|lead, role:NAME or "
                         "user:LOGIN",
                         field);
}

/* role:系统管理员 and role:manager name the same role: kept by name. */
static void canonical_target(char **t)
{
    enum role r;
    if (strncmp(*t, "role:", 5) == 0 && role_parse(*t + 5, &r) == 0) {
        char *c = xasprintf("role:%s", role_name(r));
        xfree(*t);
        *t = c;
    }
}

static int parse_match(const json_t *m, struct nrule *r, struct yw_err *err)
{
    static const char *const keys[] = {"levels", "systems", "kinds", NULL};
    if (!m || json_is_null(m))
        return 0;
    if (notify_j_keys(m, keys, "match", err))
        return -1;
    json_t *levels = json_object_get(m, "levels");
    if (levels && !json_is_null(levels)) {
        if (!json_is_array(levels) || json_array_size(levels) > 4)
            return notify_fail_field(err, "match", "levels", "must be a list of levels 1 to 4");
        size_t i;
        json_t *v;
        json_array_foreach(levels, i, v)
        {
            if (!json_is_integer(v) || json_integer_value(v) < INC_LEVEL_MIN ||
                json_integer_value(v) > INC_LEVEL_MAX)
                return notify_fail_field(err, "match", "levels", "must be a list of levels 1 to 4");
            r->levels |= 1u << json_integer_value(v);
        }
    }
    if (notify_j_strv(m, "systems", "match", NOTIFY_MATCH_MAX, NOTIFY_NAME_MAX, &r->systems,
                      &r->nsystems, err))
        return -1;
    char **kinds = NULL;
    size_t nk = 0;
    if (notify_j_strv(m, "kinds", "match", NK__COUNT, 32, &kinds, &nk, err))
        return -1;
    int rc = 0;
    for (size_t i = 0; i < nk && rc == 0; i++) {
        enum notify_kind k;
        if (notify_kind_parse(kinds[i], &k) != 0 || k == NK_TEST)
            rc = notify_fail_field(err, "match", "kinds",
                                   "\"%.32s\" is not one of opened, assigned, sla_warning, "
                                   "sla_breach, recovered, resolved, reopened, report_due",
                                   kinds[i]);
        else
            r->kinds |= 1u << k;
    }
    notify_strv_free(kinds, nk);
    return rc;
}

static int parse_step(const json_t *s, size_t idx, struct nstep *out, struct yw_err *err)
{
    static const char *const keys[] = {"after", "to", "channels", NULL};
    char prefix[32];
    snprintf(prefix, sizeof prefix, "steps[%zu]", idx);
    if (notify_j_keys(s, keys, prefix, err) ||
        notify_j_duration(s, "after", prefix, 0, NOTIFY_STEP_AFTER_MAX, 0, &out->after, err) ||
        notify_j_strv(s, "to", prefix, NOTIFY_TARGETS_MAX, 80, &out->to, &out->nto, err) ||
        notify_j_strv(s, "channels", prefix, NOTIFY_STEP_CHANNELS_MAX, NOTIFY_NAME_MAX,
                      &out->channels, &out->nchannels, err))
        return -1;
    for (size_t i = 0; i < out->nto; i++) {
        char field[64];
        snprintf(field, sizeof field, "%s.to[%zu]", prefix, i);
        if (notify_target_check(out->to[i], field, err))
            return -1;
        canonical_target(&out->to[i]);
    }
    if (out->nchannels == 0)
        return notify_fail_field(err, prefix, "channels", "names no channel");
    for (size_t i = 0; i < out->nchannels; i++)
        if (!notify_name_valid(out->channels[i]))
            return notify_fail_field(err, prefix, "channels", "\"%.64s\" is not a channel name",
                                     out->channels[i]);
    return 0;
}

int nrule_from_json(const json_t *j, struct nrule *out, struct yw_err *err)
{
    static const char *const keys[] = {"name",        "title", "enabled", "match", "steps",
                                       "id", "provisioned", "created", "updated", NULL};
    struct nrule r = {0};
    memset(out, 0, sizeof *out);
    if (notify_j_keys(j, keys, "", err) ||
        notify_j_str(j, "name", "", true, NOTIFY_NAME_MAX, &r.name, err))
        goto fail;
    if (!notify_name_valid(r.name)) {
        notify_fail_field(err, "", "name",
                          "must be lower-case letters, digits, '.', '_' or '-', starting with a "
                          "letter or digit");
        goto fail;
    }
    if (notify_j_str(j, "title", "", false, NOTIFY_TITLE_MAX, &r.title, err) ||
        notify_j_bool(j, "enabled", "", true, &r.enabled, err) ||
        parse_match(json_object_get(j, "match"), &r, err))
        goto fail;
    json_t *steps = json_object_get(j, "steps");
    if (!json_is_array(steps) || json_array_size(steps) == 0) {
        notify_fail_field(err, "", "steps", "must be a list of at least one step");
        goto fail;
    }
    if (json_array_size(steps) > NOTIFY_STEPS_MAX) {
        notify_fail_field(err, "", "steps", "has more than %d steps", NOTIFY_STEPS_MAX);
        goto fail;
    }
    r.steps = xcalloc(json_array_size(steps), sizeof *r.steps);
    for (size_t i = 0; i < json_array_size(steps); i++) {
        r.nsteps++;
        if (parse_step(json_array_get(steps, i), i, &r.steps[i], err))
            goto fail;
    }
    *out = r;
    return 0;
fail:
    nrule_release(&r);
    return -1;
}

static json_t *strv_json(char **v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *spec_json(const struct nrule *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(r->name));
    if (r->title)
        json_object_set_new(j, "title", json_string(r->title));
    json_object_set_new(j, "enabled", json_boolean(r->enabled));
    json_t *m = json_object();
    json_t *levels = json_array();
    for (int l = INC_LEVEL_MIN; l <= INC_LEVEL_MAX; l++)
        if (r->levels & (1u << l))
            json_array_append_new(levels, json_integer(l));
    json_object_set_new(m, "levels", levels);
    json_object_set_new(m, "systems", strv_json(r->systems, r->nsystems));
    json_t *kinds = json_array();
    for (int k = 0; k < NK__COUNT; k++)
        if (r->kinds & (1u << k))
            json_array_append_new(kinds, json_string(notify_kind_name((enum notify_kind)k)));
    json_object_set_new(m, "kinds", kinds);
    json_object_set_new(j, "match", m);
    json_t *steps = json_array();
    for (size_t i = 0; i < r->nsteps; i++) {
        json_t *s = json_object();
        char d[32];
        time_format_duration(r->steps[i].after, d, sizeof d);
        json_object_set_new(s, "after", json_string(d));
        json_object_set_new(s, "to", strv_json(r->steps[i].to, r->steps[i].nto));
        json_object_set_new(s, "channels", strv_json(r->steps[i].channels, r->steps[i].nchannels));
        json_array_append_new(steps, s);
    }
    json_object_set_new(j, "steps", steps);
    return j;
}

char *nrule_spec_text(const struct nrule *r)
{
    json_t *j = spec_json(r);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    char *out = xstrdup(s ? s : "{}");
    free(s);
    return out;
}

int nrule_from_row(const struct store_rule *row, struct nrule *out, struct yw_err *err)
{
    json_t *j = row->spec ? json_loads(row->spec, 0, NULL) : NULL;
    if (!j)
        return yw_fail(err, YW_EIO, "rule %lld: stored spec is not JSON", (long long)row->id);
    int rc = nrule_from_json(j, out, err);
    json_decref(j);
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        return yw_fail(err, YW_EIO, "rule %lld: stored spec unreadable: %s", (long long)row->id,
                       why);
    }
    out->id = row->id;
    out->enabled = row->enabled;
    out->provisioned = row->provisioned;
    out->created = row->created;
    out->updated = row->updated;
    return 0;
}

json_t *nrule_answer(const struct nrule *r)
{
    json_t *j = spec_json(r);
    json_object_set_new(j, "id", json_integer(r->id));
    json_object_set_new(j, "provisioned", json_boolean(r->provisioned));
    char t[64];
    time_format_rfc3339(r->created, t, sizeof t);
    json_object_set_new(j, "created", json_string(t));
    time_format_rfc3339(r->updated, t, sizeof t);
    json_object_set_new(j, "updated", json_string(t));
    return j;
}

const char **nrule_channels(const struct nrule *r, size_t *n)
{
    size_t total = 0;
    for (size_t i = 0; i < r->nsteps; i++)
        total += r->steps[i].nchannels;
    const char **out = total ? xcalloc(total, sizeof *out) : NULL;
    size_t len = 0;
    for (size_t i = 0; i < r->nsteps; i++)
        for (size_t k = 0; k < r->steps[i].nchannels; k++) {
            const char *c = r->steps[i].channels[k];
            bool seen = false;
            for (size_t m = 0; m < len && !seen; m++)
                seen = strcmp(out[m], c) == 0;
            if (!seen)
                out[len++] = c;
        }
    *n = len;
    return out;
}

bool nrule_matches(const struct nrule *r, const struct notify_event *ev)
{
    if (!r->enabled)
        return false;
    if (r->levels && (ev->level < INC_LEVEL_MIN || ev->level > INC_LEVEL_MAX ||
                      !(r->levels & (1u << ev->level))))
        return false;
    if (r->kinds && !(r->kinds & (1u << ev->kind)))
        return false;
    if (r->nsystems) {
        bool hit = false;
        for (size_t i = 0; ev->system && i < r->nsystems && !hit; i++)
            hit = strcmp(r->systems[i], ev->system) == 0;
        if (!hit)
            return false;
    }
    return true;
}
