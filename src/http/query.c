#include "http/query.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

void query_release(struct query *q)
{
    for (size_t i = 0; i < q->n; i++) {
        xfree(q->p[i].key);
        xfree(q->p[i].value);
    }
    memset(q, 0, sizeof *q);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool http_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned min, cp;
        if ((c & 0xE0) == 0xC0) {
            len = 2, min = 0x80, cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3, min = 0x800, cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

int http_unescape(const char *in, size_t n, bool plus_space, char *out, size_t *outlen)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = in[i];
        if (c == '%') {
            if (n - i < 3)
                return -1;
            int hi = hexval(in[i + 1]), lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '+' && plus_space) {
            c = ' ';
        }
        if (c == '\0')
            return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    *outlen = o;
    return http_utf8_valid(out, o) ? 0 : -1;
}

/* Decodes into a fresh string; NULL if it is not acceptable. */
static char *decode(const char *s, size_t n, bool plus_space)
{
    char *out = xmalloc(n + 1);
    size_t len;
    if (http_unescape(s, n, plus_space, out, &len) != 0) {
        xfree(out);
        return NULL;
    }
    return out;
}

static int add_decoded(struct query *q, const char *key, size_t klen, const char *value,
                       size_t vlen, bool plus_space, struct yw_err *err)
{
    if (klen > 3 * QUERY_KEY_MAX)
        return yw_fail(err, YW_EINVAL, "query: parameter name longer than %d bytes",
                       QUERY_KEY_MAX);
    char *k = decode(key, klen, plus_space);
    if (!k)
        return yw_fail(err, YW_EINVAL, "query: bad percent-encoding or UTF-8 in a parameter name");
    if (strlen(k) > QUERY_KEY_MAX) {
        xfree(k);
        return yw_fail(err, YW_EINVAL, "query: parameter name longer than %d bytes",
                       QUERY_KEY_MAX);
    }
    char *v = NULL;
    if (vlen <= 3 * QUERY_VALUE_MAX)
        v = decode(value ? value : "", value ? vlen : 0, plus_space);
    if (!v || strlen(v) > QUERY_VALUE_MAX) {
        if (v || vlen > 3 * QUERY_VALUE_MAX)
            yw_fail_field(err, YW_EINVAL, k, "%s: longer than %d bytes", k, QUERY_VALUE_MAX);
        else
            yw_fail_field(err, YW_EINVAL, k, "%s: bad percent-encoding or UTF-8", k);
        xfree(k);
        xfree(v);
        return -1;
    }
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->p[i].key, k) == 0) {
            yw_fail_field(err, YW_EINVAL, k, "%s: given more than once", k);
            xfree(k);
            xfree(v);
            return -1;
        }
    }
    if (q->n == QUERY_PARAMS_MAX) {
        xfree(k);
        xfree(v);
        return yw_fail(err, YW_EINVAL, "query: more than %d parameters", QUERY_PARAMS_MAX);
    }
    q->p[q->n].key = k;
    q->p[q->n].value = v;
    q->n++;
    return 0;
}

int query_add(struct query *q, const char *key, size_t klen, const char *value, size_t vlen,
              struct yw_err *err)
{
    return add_decoded(q, key, klen, value, vlen, false, err);
}

int query_parse(struct query *q, const char *s, size_t n, struct yw_err *err)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != '&')
            end++;
        if (end > i) { /* "a&&b": empty pieces are skipped, as browsers do */
            const char *eq = memchr(s + i, '=', end - i);
            size_t klen = eq ? (size_t)(eq - (s + i)) : end - i;
            const char *v = eq ? eq + 1 : NULL;
            size_t vlen = eq ? (size_t)(s + end - v) : 0;
            if (add_decoded(q, s + i, klen, v, vlen, true, err) != 0)
                return -1;
        }
        i = end + 1;
    }
    return 0;
}

const char *query_get(const struct query *q, const char *key)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->p[i].key, key) == 0)
            return q->p[i].value[0] ? q->p[i].value : NULL;
    return NULL;
}

/* Strict decimal: digits only, no sign, no spaces, fits int64. */
static int parse_i64(const char *s, int64_t *out)
{
    if (!s || !*s)
        return -1;
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        if (v > (INT64_MAX - (*p - '0')) / 10)
            return -1;
        v = v * 10 + (*p - '0');
    }
    *out = v;
    return 0;
}

int query_limit(const struct query *q, size_t *out, struct yw_err *err)
{
    const char *s = query_get(q, "limit");
    if (!s) {
        *out = QUERY_LIMIT_DEFAULT;
        return 0;
    }
    int64_t v;
    if (parse_i64(s, &v) != 0 || v < 1 || v > QUERY_LIMIT_MAX)
        return yw_fail_field(err, YW_EINVAL, "limit", "limit: must be an integer from 1 to %d",
                             QUERY_LIMIT_MAX);
    *out = (size_t)v;
    return 0;
}

int query_cursor_id(const struct query *q, int64_t *out, struct yw_err *err)
{
    const char *s = query_get(q, "cursor");
    if (!s) {
        *out = 0;
        return 0;
    }
    int64_t v;
    if (parse_i64(s, &v) != 0 || v < 1)
        return yw_fail_field(err, YW_EINVAL, "cursor",
                             "cursor: not a cursor this list gave (use next_cursor as is)");
    *out = v;
    return 0;
}

void query_format_cursor_id(int64_t id, char *out, size_t n)
{
    snprintf(out, n, "%" PRId64, id);
}

int query_cursor_pair(const struct query *q, int64_t *start, int64_t *id, struct yw_err *err)
{
    const char *s = query_get(q, "cursor");
    if (!s) {
        *start = *id = 0;
        return 0;
    }
    const char *dot = strchr(s, '.');
    char head[32];
    int64_t a, b;
    if (!dot || (size_t)(dot - s) >= sizeof head)
        goto bad;
    memcpy(head, s, (size_t)(dot - s));
    head[dot - s] = '\0';
    if (parse_i64(head, &a) != 0 || parse_i64(dot + 1, &b) != 0 || b < 1)
        goto bad;
    *start = a;
    *id = b;
    return 0;
bad:
    return yw_fail_field(err, YW_EINVAL, "cursor",
                         "cursor: not a cursor this list gave (use next_cursor as is)");
}

void query_format_cursor_pair(int64_t start, int64_t id, char *out, size_t n)
{
    /* Instants before 1970 never reach a cursor (the store holds none), so
     * both halves are non-negative and parse back with parse_i64. */
    snprintf(out, n, "%" PRId64 ".%" PRId64, start < 0 ? 0 : start, id);
}

static int time_param(const struct query *q, const char *key, bool *given, ms_t *out,
                      struct yw_err *err)
{
    const char *s = query_get(q, key);
    *given = s != NULL;
    if (!s)
        return 0;
    if (time_parse_rfc3339(s, out) != 0)
        return yw_fail_field(err, YW_EINVAL, key,
                             "%s: not an RFC 3339 time or a date (e.g. "
                             "2026-11-25T10:00:00+08:00 or 2026-11-25)",
                             key);
    return 0;
}

int query_period(const struct query *q, ms_t now, ms_t max, ms_t *from, ms_t *to,
                 struct yw_err *err)
{
    bool has_from, has_to;
    ms_t f = 0, t = 0;
    if (time_param(q, "from", &has_from, &f, err) != 0 ||
        time_param(q, "to", &has_to, &t, err) != 0)
        return -1;
    if (!has_to)
        t = now;
    if (!has_from)
        f = t - QUERY_PERIOD_DEFAULT;
    if (f >= t)
        return yw_fail_field(err, YW_EINVAL, has_from ? "from" : "to",
                             "%s: from must be before to", has_from ? "from" : "to");
    if (max > 0 && t - f > max)
        return yw_fail_field(err, YW_EINVAL, "from", "from: the period is longer than %lld days",
                             (long long)(max / MS_PER_DAY));
    *from = f;
    *to = t;
    return 0;
}
