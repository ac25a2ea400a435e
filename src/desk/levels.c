/*
 * levels — the incident levels' titles and definitions, and the rules that
 * give an automatic incident its level (desk.h: struct desk_levels), with
 * their JSON form as stored in the settings and answered by the API.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "desk/desk.h"
#include "store/store_auth.h"

static const char *const default_titles[INC_LEVEL_MAX + 1] = {
    NULL, "一级故障", "二级故障", "三级故障", "四级故障"};
static const char *const default_defs[INC_LEVEL_MAX + 1] = {
    NULL,
    "核心系统全面中断",
    "重点保障系统中断或核心功能不可用",
    "一般系统中断或部分功能异常",
    "轻微问题或咨询",
};

void desk_levels_default(struct desk_levels *l)
{
    memset(l, 0, sizeof *l);
    for (int i = INC_LEVEL_MIN; i <= INC_LEVEL_MAX; i++) {
        l->def[i].title = xstrdup(default_titles[i]);
        l->def[i].definition = xstrdup(default_defs[i]);
    }
    l->tier_level[TIER_KEY] = 2;
    l->tier_level[TIER_GENERAL] = 3;
    l->flap_window = DESK_FLAP_WINDOW;
}

static void rule_release(struct desk_rule *r)
{
    xfree(r->system);
    xfree(r->monitor);
    r->system = r->monitor = NULL;
}

void desk_levels_release(struct desk_levels *l)
{
    if (!l)
        return;
    for (int i = 0; i <= INC_LEVEL_MAX; i++) {
        xfree(l->def[i].title);
        xfree(l->def[i].definition);
    }
    for (size_t i = 0; i < l->nrules; i++)
        rule_release(&l->rules[i]);
    xfree(l->rules);
    memset(l, 0, sizeof *l);
}

void desk_levels_copy(struct desk_levels *dst, const struct desk_levels *src)
{
    *dst = *src;
    for (int i = 0; i <= INC_LEVEL_MAX; i++) {
        dst->def[i].title = xstrdup(src->def[i].title);
        dst->def[i].definition = xstrdup(src->def[i].definition);
    }
    dst->rules = src->nrules ? xcalloc(src->nrules, sizeof *dst->rules) : NULL;
    for (size_t i = 0; i < src->nrules; i++) {
        dst->rules[i] = src->rules[i];
        dst->rules[i].system = xstrdup(src->rules[i].system);
        dst->rules[i].monitor = xstrdup(src->rules[i].monitor);
    }
}

int desk_level_for(const struct desk_levels *l, const char *system, enum tier tier,
                   const char *monitor, enum monitor_type type)
{
    for (size_t i = 0; i < l->nrules; i++) {
        const struct desk_rule *r = &l->rules[i];
        if (r->system && (!system || strcmp(r->system, system) != 0))
            continue;
        if (r->monitor && (!monitor || strcmp(r->monitor, monitor) != 0))
            continue;
        if (r->monitor_type >= 0 && r->monitor_type != (int)type)
            continue;
        return r->level;
    }
    int lv = (unsigned)tier <= TIER_GENERAL ? l->tier_level[tier] : 0;
    return lv >= INC_LEVEL_MIN && lv <= INC_LEVEL_MAX ? lv : INC_LEVEL_MAX - 1;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static int fail(struct yw_err *err, const char *field, const char *msg)
{
    return yw_fail_field(err, YW_EINVAL, field, "%s: %s", field, msg);
}

static int only_keys(json_t *obj, const char *const *keys, const char *where, struct yw_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        bool known = false;
        for (const char *const *p = keys; *p; p++)
            known |= strcmp(*p, k) == 0;
        if (!known) {
            char field[64];
            snprintf(field, sizeof field, "%s%s%.40s", where, where[0] ? "." : "", k);
            return fail(err, field, "unknown key");
        }
    }
    return 0;
}

static int get_level(json_t *v, const char *field, int *out, struct yw_err *err)
{
    if (!json_is_integer(v) || json_integer_value(v) < INC_LEVEL_MIN ||
        json_integer_value(v) > INC_LEVEL_MAX)
        return fail(err, field, "must be an integer from 1 to 4");
    *out = (int)json_integer_value(v);
    return 0;
}

static int get_text(json_t *v, const char *field, size_t max, bool required, char **out,
                    struct yw_err *err)
{
    if (!v || json_is_null(v)) {
        if (required)
            return fail(err, field, "required");
        return 0;
    }
    if (!json_is_string(v))
        return fail(err, field, "must be a string");
    size_t n = json_string_length(v);
    if (n == 0 && required)
        return fail(err, field, "required");
    if (n > max)
        return yw_fail_field(err, YW_ELIMIT, field, "%s: longer than %zu bytes", field, max);
    if (memchr(json_string_value(v), '\0', n))
        return fail(err, field, "contains a NUL character");
    xfree(*out);
    *out = n ? xstrdup(json_string_value(v)) : NULL;
    return 0;
}

static int parse_levels(json_t *levels, struct desk_levels *l, struct yw_err *err)
{
    if (!json_is_object(levels))
        return fail(err, "levels", "must be an object keyed by level (\"1\"…\"4\")");
    static const char *const level_keys[] = {"1", "2", "3", "4", NULL};
    static const char *const def_keys[] = {"title", "definition", NULL};
    if (only_keys(levels, level_keys, "levels", err))
        return -1;
    for (int i = INC_LEVEL_MIN; i <= INC_LEVEL_MAX; i++) {
        char key[4], field[64];
        snprintf(key, sizeof key, "%d", i);
        json_t *d = json_object_get(levels, key);
        if (!d)
            continue;
        snprintf(field, sizeof field, "levels.%d", i);
        if (!json_is_object(d))
            return fail(err, field, "must be an object {title, definition}");
        if (only_keys(d, def_keys, field, err))
            return -1;
        snprintf(field, sizeof field, "levels.%d.title", i);
        if (get_text(json_object_get(d, "title"), field, DESK_LEVEL_TITLE_MAX, true,
                     &l->def[i].title, err))
            return -1;
        /* a level given is given whole: no definition means none */
        xfree(l->def[i].definition);
        l->def[i].definition = NULL;
        snprintf(field, sizeof field, "levels.%d.definition", i);
        if (get_text(json_object_get(d, "definition"), field, DESK_LEVEL_DEF_MAX, false,
                     &l->def[i].definition, err))
            return -1;
    }
    return 0;
}

static int parse_rule(json_t *j, size_t i, struct desk_rule *r, struct yw_err *err)
{
    static const char *const keys[] = {"system", "monitor", "monitor_type", "level", NULL};
    char where[32], field[64];
    snprintf(where, sizeof where, "rules[%zu]", i);
    if (!json_is_object(j))
        return fail(err, where, "must be an object");
    if (only_keys(j, keys, where, err))
        return -1;
    r->monitor_type = -1;
    snprintf(field, sizeof field, "%s.system", where);
    if (get_text(json_object_get(j, "system"), field, YW_NAME_MAX, false, &r->system, err))
        return -1;
    snprintf(field, sizeof field, "%s.monitor", where);
    if (get_text(json_object_get(j, "monitor"), field, YW_NAME_MAX, false, &r->monitor, err))
        return -1;
    json_t *t = json_object_get(j, "monitor_type");
    if (t && !json_is_null(t)) {
        enum monitor_type mt;
        snprintf(field, sizeof field, "%s.monitor_type", where);
        if (!json_is_string(t) || monitor_type_parse(json_string_value(t), &mt) != 0)
            return fail(err, field, "unknown monitor type");
        r->monitor_type = (int)mt;
    }
    if (!r->system && !r->monitor && r->monitor_type < 0)
        return fail(err, where, "name a system, a monitor or a monitor_type");
    snprintf(field, sizeof field, "%s.level", where);
    return get_level(json_object_get(j, "level"), field, &r->level, err);
}

int desk_levels_from_json(const char *text, struct desk_levels *out, struct yw_err *err)
{
    json_error_t je;
    json_t *j = json_loads(text ? text : "", JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return yw_fail_field(err, YW_EINVAL, "body", "body: invalid JSON: %s", je.text);
    struct desk_levels l;
    desk_levels_default(&l);
    int rc = 0;
    static const char *const keys[] = {"levels", "tiers", "rules", "flap_window", NULL};
    static const char *const tier_keys[] = {"key", "general", NULL};
    if (!json_is_object(j))
        rc = fail(err, "body", "must be a JSON object");
    if (rc == 0)
        rc = only_keys(j, keys, "", err);
    json_t *v = rc == 0 ? json_object_get(j, "levels") : NULL;
    if (rc == 0 && v)
        rc = parse_levels(v, &l, err);
    v = rc == 0 ? json_object_get(j, "tiers") : NULL;
    if (rc == 0 && v) {
        if (!json_is_object(v))
            rc = fail(err, "tiers", "must be an object {key, general}");
        if (rc == 0)
            rc = only_keys(v, tier_keys, "tiers", err);
        if (rc == 0 && json_object_get(v, "key"))
            rc = get_level(json_object_get(v, "key"), "tiers.key", &l.tier_level[TIER_KEY], err);
        if (rc == 0 && json_object_get(v, "general"))
            rc = get_level(json_object_get(v, "general"), "tiers.general",
                           &l.tier_level[TIER_GENERAL], err);
    }
    v = rc == 0 ? json_object_get(j, "rules") : NULL;
    if (rc == 0 && v) {
        if (!json_is_array(v))
            rc = fail(err, "rules", "must be an array");
        else if (json_array_size(v) > DESK_RULES_MAX)
            rc = yw_fail_field(err, YW_ELIMIT, "rules", "rules: at most %d", DESK_RULES_MAX);
        size_t n = rc == 0 ? json_array_size(v) : 0;
        if (n)
            l.rules = xcalloc(n, sizeof *l.rules);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            rc = parse_rule(json_array_get(v, i), i, &l.rules[i], err);
            l.nrules = i + 1; /* released with l even when it failed half-way */
        }
    }
    v = rc == 0 ? json_object_get(j, "flap_window") : NULL;
    if (rc == 0 && v) {
        ms_t d;
        if (!json_is_string(v) || time_parse_duration(json_string_value(v), &d) != 0 || d < 0 ||
            d > 7 * MS_PER_DAY)
            rc = fail(err, "flap_window", "must be a duration from \"0s\" to \"7d\" (\"30m\")");
        else
            l.flap_window = d;
    }
    json_decref(j);
    if (rc) {
        desk_levels_release(&l);
        return -1;
    }
    *out = l;
    return 0;
}

char *desk_levels_to_json(const struct desk_levels *l)
{
    json_t *j = json_object();
    json_t *levels = json_object();
    for (int i = INC_LEVEL_MIN; i <= INC_LEVEL_MAX; i++) {
        char key[4];
        snprintf(key, sizeof key, "%d", i);
        json_t *d = json_object();
        json_object_set_new(d, "title", json_string(l->def[i].title ? l->def[i].title : ""));
        json_object_set_new(d, "definition",
                            l->def[i].definition ? json_string(l->def[i].definition)
                                                 : json_null());
        json_object_set_new(levels, key, d);
    }
    json_object_set_new(j, "levels", levels);
    json_t *tiers = json_object();
    json_object_set_new(tiers, "key", json_integer(l->tier_level[TIER_KEY]));
    json_object_set_new(tiers, "general", json_integer(l->tier_level[TIER_GENERAL]));
    json_object_set_new(j, "tiers", tiers);
    json_t *rules = json_array();
    for (size_t i = 0; i < l->nrules; i++) {
        const struct desk_rule *r = &l->rules[i];
        json_t *o = json_object();
        if (r->system)
            json_object_set_new(o, "system", json_string(r->system));
        if (r->monitor)
            json_object_set_new(o, "monitor", json_string(r->monitor));
        if (r->monitor_type >= 0)
            json_object_set_new(o, "monitor_type",
                                json_string(monitor_type_name((enum monitor_type)r->monitor_type)));
        json_object_set_new(o, "level", json_integer(r->level));
        json_array_append_new(rules, o);
    }
    json_object_set_new(j, "rules", rules);
    char d[32];
    time_format_duration(l->flap_window, d, sizeof d);
    json_object_set_new(j, "flap_window", json_string(d));
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    char *copy = xstrdup(s ? s : "{}");
    free(s);
    return copy;
}

int desk_levels_load(struct store *S, struct desk_levels *l, struct yw_err *err)
{
    char *text = NULL;
    struct yw_err e = YW_ERR_INIT;
    if (store_setting_get(S, INC_SETTING_LEVELS, &text, &e) != 0) {
        if (e.code != YW_ENOTFOUND) {
            if (err)
                *err = e;
            return -1;
        }
        desk_levels_default(l);
        return 0;
    }
    int rc = desk_levels_from_json(text, l, err);
    xfree(text);
    if (rc && err) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        yw_fail(err, YW_EIO, "stored incident levels (setting %s) unreadable: %s",
                INC_SETTING_LEVELS, why);
    }
    return rc;
}
