/* The pure parts of administration: answers, checked bodies, generated
 * passwords and CSV. No store, clock or network here (see the header), so
 * the unit tests link this file with core and the auth primitives alone. */
#include "http/api_admin_util.h"

#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "auth/secret.h"
#include "core/mem.h"

/* Local copies of api_time/api_str: this file must link without api_common.c
 * in the CLI, and an answer's times are formatted alike everywhere. */
static json_t *time_json(ms_t t)
{
    if (t == 0)
        return json_null();
    char s[64];
    time_format_rfc3339(t, s, sizeof s);
    return json_string(s);
}

static json_t *str_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *id_json(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

/* ---- names ------------------------------------------------------------------ */

static const struct {
    const char *name, *zh;
} org_kinds[] = {
    [ORG_CLIENT] = {"client", "甲方"},
    [ORG_CONTRACTOR] = {"contractor", "乙方"},
    [ORG_BUSINESS] = {"business", "业务单位"},
};
#define ORG_KINDS (sizeof org_kinds / sizeof org_kinds[0])

const char *admin_org_kind_name(enum org_kind k)
{
    return (size_t)k < ORG_KINDS ? org_kinds[k].name : "client";
}

const char *admin_org_kind_title_zh(enum org_kind k)
{
    return (size_t)k < ORG_KINDS ? org_kinds[k].zh : org_kinds[ORG_CLIENT].zh;
}

int admin_org_kind_parse(const char *s, enum org_kind *out)
{
    for (size_t i = 0; i < ORG_KINDS; i++) {
        /* The Chinese titles too: a console in Chinese may send what it shows. */
        if (strcmp(s, org_kinds[i].name) == 0 || strcmp(s, org_kinds[i].zh) == 0) {
            *out = (enum org_kind)i;
            return 0;
        }
    }
    return -1;
}

bool admin_user_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

bool admin_label_valid(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return false;
    }
    return true;
}

/* ---- roles -------------------------------------------------------------------- */

json_t *admin_roles_json(roleset rs)
{
    json_t *a = json_array();
    for (int r = 0; r < ROLE__COUNT; r++)
        if (rs & (1u << r))
            json_array_append_new(a, json_string(role_name((enum role)r)));
    return a;
}

int admin_roles_from_json(const json_t *j, const char *field, roleset *out, struct yw_err *err)
{
    if (!json_is_array(j))
        return yw_fail_field(err, YW_EINVAL, field, "%s: expected a list of role names", field);
    if (json_array_size(j) > ADMIN_ROLES_MAX)
        return yw_fail_field(err, YW_EINVAL, field, "%s: at most %d entries", field,
                             ADMIN_ROLES_MAX);
    roleset rs = 0;
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v) {
        enum role r;
        if (!json_is_string(v))
            return yw_fail_field(err, YW_EINVAL, field, "%s: entry %zu is not a string", field, i);
        if (role_parse(json_string_value(v), &r) != 0)
            return yw_fail_field(err, YW_EINVAL, field,
                                 "%s: unknown role '%.64s' (角色不存在; known: sysadmin, secadmin, "
                                 "auditadmin, assessor, manager, engineer, viewer)",
                                 field, json_string_value(v));
        rs |= 1u << r;
    }
    *out = rs;
    return 0;
}

/* ---- objects as answered ------------------------------------------------------- */

json_t *admin_org_json(const struct org_row *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(o->id));
    json_object_set_new(j, "parent_id", id_json(o->parent_id));
    json_object_set_new(j, "name", str_json(o->name));
    json_object_set_new(j, "kind", json_string(admin_org_kind_name(o->kind)));
    json_object_set_new(j, "kind_zh", json_string(admin_org_kind_title_zh(o->kind)));
    json_object_set_new(j, "created", time_json(o->created));
    json_object_set_new(j, "updated", time_json(o->updated));
    return j;
}

static size_t org_index(const struct org_row *rows, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == id)
            return i;
    return n;
}

/* Whether following parents from i reaches the top within n steps: a unit
 * on a cycle (which the store forbids, but an answer must not hang on a
 * damaged database) or under a missing parent is treated as top-level. */
static bool org_rooted(const struct org_row *rows, size_t n, size_t i)
{
    for (size_t steps = 0; steps <= n; steps++) {
        if (rows[i].parent_id == 0)
            return true;
        size_t p = org_index(rows, n, rows[i].parent_id);
        if (p == n)
            return false;
        i = p;
    }
    return false;
}

json_t *admin_org_tree_json(const struct org_row *rows, size_t n)
{
    json_t **objs = xcalloc(n ? n : 1, sizeof *objs);
    for (size_t i = 0; i < n; i++) {
        objs[i] = admin_org_json(&rows[i]);
        json_object_set_new(objs[i], "children", json_array());
    }
    json_t *top = json_array();
    for (size_t i = 0; i < n; i++) {
        size_t p = rows[i].parent_id ? org_index(rows, n, rows[i].parent_id) : n;
        if (p < n && org_rooted(rows, n, i))
            json_array_append(json_object_get(objs[p], "children"), objs[i]);
        else
            json_array_append(top, objs[i]);
    }
    for (size_t i = 0; i < n; i++)
        json_decref(objs[i]);
    xfree(objs);
    return top;
}

json_t *admin_user_json(const struct user_row *u, const char *org_name,
                        const struct password_policy *pol, ms_t now)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(u->id));
    json_object_set_new(j, "name", str_json(u->name));
    json_object_set_new(j, "display_name", str_json(u->display_name));
    json_object_set_new(j, "org_id", id_json(u->org_id));
    json_object_set_new(j, "org", str_json(u->org_id ? org_name : NULL));
    json_object_set_new(j, "roles", admin_roles_json(u->roles));
    json_object_set_new(j, "disabled", json_boolean(u->disabled));
    json_object_set_new(j, "must_change_password", json_boolean(u->must_change_pw));
    json_object_set_new(j, "totp_enabled", json_boolean(u->totp_enabled));
    bool locked = u->locked_until > now;
    json_object_set_new(j, "locked", json_boolean(locked));
    json_object_set_new(j, "locked_until", locked ? time_json(u->locked_until) : json_null());
    json_object_set_new(j, "failed_logins", json_integer(u->failed_logins));
    json_object_set_new(j, "last_login", time_json(u->last_login));
    bool has_pw = u->pw_hash[0] != '\0';
    json_object_set_new(j, "password_set", json_boolean(has_pw));
    json_object_set_new(j, "password_changed", has_pw ? time_json(u->pw_changed) : json_null());
    if (pol && pol->expiry_days > 0 && has_pw && u->pw_changed > 0)
        json_object_set_new(j, "password_expires",
                            time_json(u->pw_changed + (ms_t)pol->expiry_days * MS_PER_DAY));
    else
        json_object_set_new(j, "password_expires", json_null());
    json_object_set_new(j, "created", time_json(u->created));
    json_object_set_new(j, "updated", time_json(u->updated));
    return j;
}

json_t *admin_token_json(const struct token_row *t, const char *user_name, ms_t now)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(t->id));
    json_object_set_new(j, "user_id", json_integer(t->user_id));
    json_object_set_new(j, "user", str_json(user_name));
    json_object_set_new(j, "name", str_json(t->name));
    json_object_set_new(j, "roles", admin_roles_json(t->roles));
    json_object_set_new(j, "created", time_json(t->created));
    json_object_set_new(j, "expires", time_json(t->expires));
    json_object_set_new(j, "last_used", time_json(t->last_used));
    json_object_set_new(j, "revoked", json_boolean(t->revoked));
    bool active = !t->revoked && (t->expires == 0 || t->expires > now);
    json_object_set_new(j, "active", json_boolean(active));
    return j;
}

/* A stored before/after value as JSON when it is JSON (it always should be),
 * else as the string it is, so that nothing recorded is hidden. */
static json_t *recorded_json(const char *s)
{
    if (!s)
        return json_null();
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
    return j ? j : json_string(s);
}

json_t *admin_audit_json(const struct audit_record *r)
{
    json_t *j = json_object();
    json_object_set_new(j, "seq", json_integer(r->seq));
    json_object_set_new(j, "time", time_json(r->time));
    json_object_set_new(j, "user", str_json(r->user));
    json_object_set_new(j, "source", str_json(r->source));
    json_object_set_new(j, "action", str_json(r->action));
    json_object_set_new(j, "object", str_json(r->object));
    json_object_set_new(j, "before", recorded_json(r->before));
    json_object_set_new(j, "after", recorded_json(r->after));
    json_object_set_new(j, "result", str_json(r->result));
    json_object_set_new(j, "mac", json_string(r->mac));
    return j;
}

/* ---- the policy ----------------------------------------------------------------- */

static const struct {
    const char *key;
    size_t off;
} policy_fields[] = {
    {"min_length", offsetof(struct password_policy, min_length)},
    {"min_classes", offsetof(struct password_policy, min_classes)},
    {"history", offsetof(struct password_policy, history)},
    {"expiry_days", offsetof(struct password_policy, expiry_days)},
    {"lock_after", offsetof(struct password_policy, lock_after)},
    {"lock_minutes", offsetof(struct password_policy, lock_minutes)},
    {"idle_minutes", offsetof(struct password_policy, idle_minutes)},
    {"absolute_hours", offsetof(struct password_policy, absolute_hours)},
    {"rate_per_minute", offsetof(struct password_policy, rate_per_minute)},
};
#define POLICY_FIELDS (sizeof policy_fields / sizeof policy_fields[0])

static int *policy_field(struct password_policy *p, size_t i)
{
    return (int *)(void *)((char *)p + policy_fields[i].off);
}

json_t *admin_policy_json(const struct password_policy *p)
{
    json_t *j = json_object();
    struct password_policy c = *p;
    for (size_t i = 0; i < POLICY_FIELDS; i++)
        json_object_set_new(j, policy_fields[i].key, json_integer(*policy_field(&c, i)));
    return j;
}

/* The field password_policy_valid complains about: its reason when that
 * starts with a field name, else the first field that alone makes the old
 * (valid) policy invalid. NULL when neither tells. */
static const char *policy_bad_field(const struct password_policy *old,
                                    const struct password_policy *p, const char *why)
{
    for (size_t i = 0; i < POLICY_FIELDS; i++) {
        size_t n = strlen(policy_fields[i].key);
        if (strncmp(why, policy_fields[i].key, n) == 0 && (why[n] == ':' || why[n] == ' '))
            return policy_fields[i].key;
    }
    char tmp[8];
    for (size_t i = 0; i < POLICY_FIELDS; i++) {
        struct password_policy probe = *old, src = *p;
        *policy_field(&probe, i) = *policy_field(&src, i);
        if (password_policy_valid(&probe, tmp, sizeof tmp) != 0)
            return policy_fields[i].key;
    }
    return NULL;
}

int admin_policy_from_json(const json_t *j, struct password_policy *p, struct yw_err *err)
{
    if (!json_is_object(j))
        return yw_fail_field(err, YW_EINVAL, "body", "body: expected a JSON object");
    struct password_policy np = *p;
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)j, key, v) {
        size_t i = 0;
        while (i < POLICY_FIELDS && strcmp(key, policy_fields[i].key) != 0)
            i++;
        if (i == POLICY_FIELDS)
            return yw_fail_field(err, YW_EINVAL, key, "%.64s: unknown field", key);
        /* The range is password_policy_valid's; this only keeps it an int. */
        if (!json_is_integer(v) || json_integer_value(v) < -1000000 ||
            json_integer_value(v) > 1000000)
            return yw_fail_field(err, YW_EINVAL, key, "%s: expected an integer", key);
        *policy_field(&np, i) = (int)json_integer_value(v);
    }
    char why[256] = "";
    if (password_policy_valid(&np, why, sizeof why) != 0) {
        const char *field = policy_bad_field(p, &np, why);
        if (!field)
            return yw_fail_field(err, YW_EINVAL, "body", "body: %s", why);
        size_t n = strlen(field);
        if (strncmp(why, field, n) == 0)
            return yw_fail_field(err, YW_EINVAL, field, "%s", why);
        return yw_fail_field(err, YW_EINVAL, field, "%s: %s", field, why);
    }
    *p = np;
    return 0;
}

/* ---- bodies ------------------------------------------------------------------------ */

int admin_only_keys(const json_t *j, const char *const *allowed, struct yw_err *err)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)(uintptr_t)j, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i])
            return yw_fail_field(err, YW_EINVAL, key, "%.64s: unknown field", key);
    }
    return 0;
}

int admin_get_label(const json_t *j, const char *key, size_t max, bool nullable, const char **out,
                    struct yw_err *err)
{
    const json_t *v = json_object_get(j, key);
    if (!v)
        return 0;
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        if (!nullable)
            return yw_fail_field(err, YW_EINVAL, key, "%s: must not be empty", key);
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return yw_fail_field(err, YW_EINVAL, key, "%s: expected a string", key);
    const char *s = json_string_value(v);
    if (json_string_length(v) > max)
        return yw_fail_field(err, YW_EINVAL, key, "%s: at most %zu bytes", key, max);
    if (!admin_label_valid(s, max))
        return yw_fail_field(err, YW_EINVAL, key, "%s: must not contain control characters",
                             key);
    *out = s;
    return 0;
}

int admin_get_int(const json_t *j, const char *key, int64_t min, int64_t max, bool null_ok,
                  int64_t null_value, int64_t *out, struct yw_err *err)
{
    const json_t *v = json_object_get(j, key);
    if (!v)
        return 0;
    if (json_is_null(v) && null_ok) {
        *out = null_value;
        return 0;
    }
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return yw_fail_field(err, YW_EINVAL, key, "%s: expected an integer from %lld to %lld%s",
                             key, (long long)min, (long long)max, null_ok ? " or null" : "");
    *out = json_integer_value(v);
    return 0;
}

int admin_get_bool(const json_t *j, const char *key, bool *out, struct yw_err *err)
{
    const json_t *v = json_object_get(j, key);
    if (!v)
        return 0;
    if (!json_is_boolean(v))
        return yw_fail_field(err, YW_EINVAL, key, "%s: expected true or false", key);
    *out = json_is_true(v);
    return 0;
}

int admin_flag(const char *value, const char *name, bool *out, struct yw_err *err)
{
    if (!value || !*value) {
        *out = false;
        return 0;
    }
    static const char *const yes[] = {"1", "true", "yes"}, *const no[] = {"0", "false", "no"};
    for (size_t i = 0; i < 3; i++) {
        if (strcmp(value, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcmp(value, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return yw_fail_field(err, YW_EINVAL, name, "%s: expected 1 or 0", name);
}

/* ---- passwords ---------------------------------------------------------------------- */

/* No 0/O/o, 1/l/I: read once from a screen and typed by a person. The
 * symbols need no quoting in JSON, shells' single quotes or CSV. */
static const char *const pw_classes[4] = {
    "abcdefghijkmnpqrstuvwxyz",
    "ABCDEFGHJKLMNPQRSTUVWXYZ",
    "23456789",
    "-_.+=@#%",
};

static char pw_pick(const char *set)
{
    return set[randombytes_uniform((uint32_t)strlen(set))];
}

int admin_password_generate(const struct password_policy *p, const char *user, char *out,
                            size_t n)
{
    secret_init(); /* randombytes_uniform needs libsodium started */
    size_t len = ADMIN_INITIAL_PW_MIN;
    if (p->min_length > ADMIN_INITIAL_PW_MIN)
        len = (size_t)p->min_length;
    if (len >= n || len >= PASSWORD_MAX)
        return -1;
    char all[96] = "";
    for (size_t c = 0; c < 4; c++)
        strcat(all, pw_classes[c]);
    char why[256];
    /* A draw fails the policy only by containing the user name, which for a
     * short name happens rarely: a few more draws settle it. */
    for (int attempt = 0; attempt < 64; attempt++) {
        for (size_t i = 0; i < len; i++)
            out[i] = pw_pick(all);
        out[len] = '\0';
        /* One of each class at distinct random places, so that any
         * min_classes (at most 4) is met whatever the draw. */
        size_t pos[4];
        for (size_t c = 0; c < 4; c++) {
            bool again;
            do {
                pos[c] = randombytes_uniform((uint32_t)len);
                again = false;
                for (size_t d = 0; d < c; d++)
                    again = again || pos[d] == pos[c];
            } while (again);
            out[pos[c]] = pw_pick(pw_classes[c]);
        }
        if (password_check_policy(p, user, out, why, sizeof why) == 0)
            return 0;
    }
    sodium_memzero(out, n);
    out[0] = '\0';
    return -1;
}

/* ---- CSV --------------------------------------------------------------------------- */

int admin_csv_cell(struct buf *b, const char *s)
{
    if (!s || !*s)
        return 0;
    bool formula = strchr("=+-@\t\r", s[0]) != NULL;
    bool quote = strpbrk(s, ",\"\r\n") != NULL;
    if (quote && buf_add(b, "\"", 1) != 0)
        return -1;
    if (formula && buf_add(b, "'", 1) != 0)
        return -1;
    const char *p = s;
    while (*p) {
        const char *q = strchr(p, '"');
        if (!q) {
            if (buf_adds(b, p) != 0)
                return -1;
            break;
        }
        if (buf_add(b, p, (size_t)(q - p)) != 0 || buf_add(b, "\"\"", 2) != 0)
            return -1; /* a quote inside a cell is doubled */
        p = q + 1;
    }
    if (quote && buf_add(b, "\"", 1) != 0)
        return -1;
    return 0;
}

int admin_csv_audit_row(struct buf *b, const struct audit_record *r)
{
    char time[64], seq[32];
    time_format_rfc3339(r->time, time, sizeof time);
    snprintf(seq, sizeof seq, "%lld", (long long)r->seq);
    const char *cells[] = {time,      r->user,  r->source, r->action, r->object,
                           r->result, r->before, r->after, seq,       r->mac};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        if (i > 0 && buf_add(b, ",", 1) != 0)
            return -1;
        if (admin_csv_cell(b, cells[i]) != 0)
            return -1;
    }
    return buf_add(b, "\r\n", 2);
}
