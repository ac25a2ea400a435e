/*
 * jsonin — checked reading of the JSON that comes from outside (API bodies
 * and the config file's notification sections, which the config loader
 * hands over as JSON). One set of readers for both, so the API and the
 * file refuse the same things with the same field names.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "notify/notify_int.h"

static void field_name(char *out, size_t n, const char *prefix, const char *key)
{
    if (prefix && *prefix)
        snprintf(out, n, "%s.%s", prefix, key);
    else
        snprintf(out, n, "%s", key);
}

int notify_fail_field(struct yw_err *err, const char *prefix, const char *key, const char *fmt,
                      ...)
{
    char field[64 * 2];
    field_name(field, sizeof field, prefix, key);
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return yw_fail_field(err, YW_EINVAL, field, "%s: %s", field, msg);
}

int notify_j_keys(const json_t *obj, const char *const *allowed, const char *prefix,
                  struct yw_err *err)
{
    if (!json_is_object(obj))
        return yw_fail_field(err, YW_EINVAL, prefix && *prefix ? prefix : "body",
                             "%s: expected an object", prefix && *prefix ? prefix : "body");
    const char *k;
    json_t *v;
    /* json_object_foreach wants non-const; the loop only reads. */
    json_object_foreach((json_t *)(uintptr_t)obj, k, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, k) == 0;
        if (!ok) {
            char *shown = notify_utf8_dup(k, NOTIFY_NAME_MAX + 1);
            notify_fail_field(err, prefix, shown, "unknown key");
            xfree(shown);
            return -1;
        }
    }
    return 0;
}

static bool has_control(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return true;
    return false;
}

/* The value of key, NULL when absent or null. */
static json_t *get(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

int notify_j_str(const json_t *obj, const char *key, const char *prefix, bool required,
                 size_t max, char **out, struct yw_err *err)
{
    *out = NULL;
    json_t *v = get(obj, key);
    if (!v) {
        if (required)
            return notify_fail_field(err, prefix, key, "is required");
        return 0;
    }
    if (!json_is_string(v))
        return notify_fail_field(err, prefix, key, "must be a string");
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (len != strlen(s))
        return notify_fail_field(err, prefix, key, "must not contain NUL");
    if (len == 0) {
        if (required)
            return notify_fail_field(err, prefix, key, "must not be empty");
        return 0;
    }
    if (len > max)
        return notify_fail_field(err, prefix, key, "is longer than %zu bytes", max);
    if (has_control(s))
        return notify_fail_field(err, prefix, key, "must not contain control characters");
    *out = xstrdup(s);
    return 0;
}

int notify_j_bool(const json_t *obj, const char *key, const char *prefix, bool dflt, bool *out,
                  struct yw_err *err)
{
    json_t *v = get(obj, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (!json_is_boolean(v))
        return notify_fail_field(err, prefix, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

int notify_j_int(const json_t *obj, const char *key, const char *prefix, long long min,
                 long long max, long long dflt, long long *out, struct yw_err *err)
{
    json_t *v = get(obj, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    if (!json_is_integer(v))
        return notify_fail_field(err, prefix, key, "must be an integer");
    long long x = json_integer_value(v);
    if (x < min || x > max)
        return notify_fail_field(err, prefix, key, "must be from %lld to %lld", min, max);
    *out = x;
    return 0;
}

int notify_j_duration(const json_t *obj, const char *key, const char *prefix, ms_t min, ms_t max,
                      ms_t dflt, ms_t *out, struct yw_err *err)
{
    json_t *v = get(obj, key);
    if (!v) {
        *out = dflt;
        return 0;
    }
    ms_t d;
    if (!json_is_string(v) || time_parse_duration(json_string_value(v), &d) != 0)
        return notify_fail_field(err, prefix, key, "must be a duration like \"10m\" or \"1h30m\"");
    if (d < min || d > max) {
        char a[32], b[32];
        time_format_duration(min, a, sizeof a);
        time_format_duration(max, b, sizeof b);
        return notify_fail_field(err, prefix, key, "must be from %s to %s", a, b);
    }
    *out = d;
    return 0;
}

int notify_j_time(const json_t *obj, const char *key, const char *prefix, bool required,
                  ms_t *out, struct yw_err *err)
{
    json_t *v = get(obj, key);
    if (!v) {
        if (required)
            return notify_fail_field(err, prefix, key, "is required");
        return 0;
    }
    ms_t t;
    if (!json_is_string(v) || json_string_length(v) > 64 ||
        time_parse_rfc3339(json_string_value(v), &t) != 0)
        return notify_fail_field(err, prefix, key,
                                 "must be a time like \"2026-11-25T08:00:00+08:00\" or a date");
    *out = t;
    return 0;
}

void notify_strv_free(char **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        xfree(v[i]);
    xfree(v);
}

int notify_j_strv(const json_t *obj, const char *key, const char *prefix, size_t maxn,
                  size_t maxlen, char ***out, size_t *n, struct yw_err *err)
{
    *out = NULL;
    *n = 0;
    json_t *v = get(obj, key);
    if (!v)
        return 0;
    if (!json_is_array(v))
        return notify_fail_field(err, prefix, key, "must be a list");
    size_t len = json_array_size(v);
    if (len > maxn)
        return notify_fail_field(err, prefix, key, "has more than %zu items", maxn);
    char **arr = len ? xcalloc(len, sizeof *arr) : NULL;
    for (size_t i = 0; i < len; i++) {
        char idx[32];
        snprintf(idx, sizeof idx, "%s[%zu]", key, i);
        json_t *item = json_array_get(v, i);
        json_t *wrap = json_object();
        json_object_set(wrap, idx, item);
        int rc = notify_j_str(wrap, idx, prefix, true, maxlen, &arr[i], err);
        json_decref(wrap);
        if (rc) {
            notify_strv_free(arr, len);
            return -1;
        }
    }
    *out = arr;
    *n = len;
    return 0;
}

bool notify_name_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n == 0 || n > NOTIFY_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

bool notify_email_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 3 || n > NOTIFY_ADDR_MAX)
        return false;
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || at[1] == '\0')
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f || strchr("<>()[]\\,;:\"", *p))
            return false;
    const char *dot = strchr(at + 1, '.');
    return dot && dot != at + 1 && dot[1] != '\0';
}

char *notify_utf8_dup(const char *s, size_t max)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    if (n >= max) {
        n = max - 1;
        /* back off continuation bytes so no sequence is cut in half */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return xstrndup(s, n);
}
