/*
 * query — query strings (and form bodies) parsed into checked values.
 *
 * Raw parameters are percent-decoded into a struct query (at most
 * QUERY_PARAMS_MAX, keys at most QUERY_KEY_MAX bytes, values at most
 * QUERY_VALUE_MAX, valid UTF-8 without NUL, each key at most once). The
 * query_* readers then turn them into the values handlers use, failing with
 * YW_EINVAL and err->field set to the parameter's name and a message that
 * starts with it ("limit: must be an integer from 1 to 1000"), which the
 * server answers as 400. A parameter given with an empty value ("?from=")
 * counts as absent. Unknown parameters are kept and ignored by the readers.
 *
 * Ownership: a struct query owns its strings; query_release frees them and
 * leaves it empty (QUERY_INIT), reusable. Nothing here touches the network,
 * the store or the engine.
 */
#ifndef YW_HTTP_QUERY_H
#define YW_HTTP_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"

#define QUERY_PARAMS_MAX 32
#define QUERY_KEY_MAX 64
#define QUERY_VALUE_MAX 4096

#define QUERY_LIMIT_DEFAULT 100
#define QUERY_LIMIT_MAX 1000
#define QUERY_PERIOD_DEFAULT MS_PER_DAY        /* from/to absent: the last 24 h */
#define QUERY_PERIOD_MAX (400 * MS_PER_DAY)   /* availability */

struct query_param {
    char *key, *value;
};

struct query {
    struct query_param p[QUERY_PARAMS_MAX];
    size_t n;
};

#define QUERY_INIT {.n = 0}

void query_release(struct query *q);

/* Percent-decodes in[0..n) into out (room for n + 1 bytes), NUL-terminated,
 * length in *outlen. plus_space: '+' means ' ' (form encoding). Returns -1 on
 * a bad %XX sequence, a NUL byte, or a result that is not valid UTF-8
 * (out's contents are then unspecified). */
int http_unescape(const char *in, size_t n, bool plus_space, char *out, size_t *outlen);

/* Whether s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool http_utf8_valid(const char *s, size_t n);

/* Adds one parameter whose key and value are still percent-encoded ('+' is
 * taken literally: the caller's HTTP library has already turned '+' into ' '
 * in query strings). value NULL means "?key" without '=' and is stored as "".
 * -1 with err (YW_EINVAL, field = key when it decoded) on a duplicate key,
 * too many parameters, an overlong key or value, or bad encoding; q is then
 * unchanged. */
int query_add(struct query *q, const char *key, size_t klen, const char *value, size_t vlen,
              struct yw_err *err);

/* Parses "a=1&b=x+y" (application/x-www-form-urlencoded: '+' is a space) and
 * adds every parameter. -1 with err at the first bad one; parameters added
 * before it stay. */
int query_parse(struct query *q, const char *s, size_t n, struct yw_err *err);

/* The decoded value of key, or NULL if absent or empty. */
const char *query_get(const struct query *q, const char *key);

/* "limit": absent = QUERY_LIMIT_DEFAULT, else an integer 1..QUERY_LIMIT_MAX. */
int query_limit(const struct query *q, size_t *out, struct yw_err *err);

/* "cursor" of a list keyed by one id (results): absent = 0, else the decimal
 * id (> 0) that query_format_cursor_id wrote. */
int query_cursor_id(const struct query *q, int64_t *out, struct yw_err *err);
void query_format_cursor_id(int64_t id, char *out, size_t n);

/* "cursor" of a list ordered by (start, id) (events): absent = both 0. */
int query_cursor_pair(const struct query *q, int64_t *start, int64_t *id, struct yw_err *err);
void query_format_cursor_pair(int64_t start, int64_t id, char *out, size_t n);

/* "from" and "to": RFC 3339 or a bare date (midnight in the display zone).
 * Both absent: [now - QUERY_PERIOD_DEFAULT, now). Only from: [from, now).
 * Only to: [to - QUERY_PERIOD_DEFAULT, to). Requires from < to and, when
 * max > 0, a period of at most max (availability loads the whole period at
 * once: QUERY_PERIOD_MAX; paged lists pass 0). */
int query_period(const struct query *q, ms_t now, ms_t max, ms_t *from, ms_t *to,
                 struct yw_err *err);

#endif
