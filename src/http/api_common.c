/* Answer helpers shared by the handlers. No store, engine or HTTP library
 * here, so the unit tests link this file alone. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"
#include "http/api.h"

/* Reals keep 15 significant digits: enough for any ratio or duration we
 * answer, without the noise of %.17g ("99.884000000000000341"). */
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

void resp_release(struct http_resp *rs)
{
    xfree(rs->body);
    memset(rs, 0, sizeof *rs);
}

void resp_text(struct http_resp *rs, int status, const char *content_type, const char *text,
               size_t len)
{
    xfree(rs->body);
    rs->status = status;
    rs->content_type = content_type;
    rs->body = xmalloc(len + 1);
    memcpy(rs->body, text, len);
    rs->body[len] = '\0';
    rs->len = len;
}

void resp_json(struct http_resp *rs, int status, json_t *j)
{
    char *s = j ? json_dumps(j, DUMP_FLAGS) : NULL;
    json_decref(j);
    if (!s) {
        /* jansson fails only on out of memory or a value it cannot encode
         * (invalid UTF-8 in a string we built): both are our bugs. */
        static const char internal[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"could not encode the answer\"}}";
        resp_text(rs, 500, CT_JSON, internal, sizeof internal - 1);
        return;
    }
    /* json_dumps allocates with jansson's allocator (malloc by default);
     * copy so the body is always ours to free. */
    resp_text(rs, status, CT_JSON, s, strlen(s));
    free(s);
}

void resp_no_content(struct http_resp *rs)
{
    xfree(rs->body);
    rs->body = NULL;
    rs->len = 0;
    rs->status = 204;
    rs->content_type = NULL;
}

/* {"code","message"[,"field"]} from a formatted message. */
__attribute__((format(printf, 3, 0))) static json_t *error_object(const char *code,
                                                                  const char *field,
                                                                  const char *fmt, va_list ap)
{
    char msg[600];
    vsnprintf(msg, sizeof msg, fmt, ap);
    /* Messages can quote input cut at a byte limit: never let a broken
     * UTF-8 tail make the whole answer unencodable. */
    size_t len = strlen(msg);
    while (len > 0 && !http_utf8_valid(msg, len))
        msg[--len] = '\0';
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(code));
    json_object_set_new(e, "message", json_string(msg));
    if (field && *field && http_utf8_valid(field, strlen(field)))
        json_object_set_new(e, "field", json_string(field));
    return e;
}

void resp_error(struct http_resp *rs, int status, const char *code, const char *field,
                const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *e = error_object(code, field, fmt, ap);
    va_end(ap);
    json_t *j = json_object();
    json_object_set_new(j, "error", e);
    resp_json(rs, status, j);
}

void resp_error_extra(struct http_resp *rs, int status, const char *code, json_t *extra,
                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    json_t *e = error_object(code, NULL, fmt, ap);
    va_end(ap);
    if (json_is_object(extra))
        json_object_update(e, extra);
    json_decref(extra);
    json_t *j = json_object();
    json_object_set_new(j, "error", e);
    resp_json(rs, status, j);
}

int http_status_of(enum yw_errcode code)
{
    switch (code) {
    case YW_EINVAL: return 400;
    case YW_ENOTFOUND: return 404;
    case YW_ECONFLICT: return 409;
    case YW_ELIMIT: return 413;
    case YW_EIO: return 503;
    case YW_OK: break;
    }
    return 500;
}

void resp_err(struct http_resp *rs, const struct yw_err *err)
{
    int status = http_status_of(err->code);
    const char *code = status == 500 ? "internal" : yw_errcode_name(err->code);
    resp_error(rs, status, code, err->field, "%s", err->msg[0] ? err->msg : "failed");
}

int api_json_depth(const char *s, size_t n)
{
    int depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = false;
            continue;
        }
        if (c == '"') {
            in_str = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max)
                max = depth;
        } else if ((c == ']' || c == '}') && depth > 0) {
            depth--;
        }
    }
    return max;
}

json_t *api_body_object(const struct http_req *rq, struct yw_err *err)
{
    if (rq->body_len == 0) {
        yw_fail_field(err, YW_EINVAL, "body", "body: expected a JSON object, got nothing");
        return NULL;
    }
    /* jansson's own limit is 2048 levels of recursion; ours is far lower so
     * that a hostile body costs nothing before it is refused. */
    if (api_json_depth(rq->body, rq->body_len) > HTTP_JSON_DEPTH_MAX) {
        yw_fail_field(err, YW_EINVAL, "body", "body: JSON nested deeper than %d levels",
                      HTTP_JSON_DEPTH_MAX);
        return NULL;
    }
    json_error_t je;
    json_t *j = json_loadb(rq->body, rq->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        yw_fail_field(err, YW_EINVAL, "body", "body: invalid JSON at line %d column %d: %s",
                      je.line, je.column, je.text);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        yw_fail_field(err, YW_EINVAL, "body", "body: expected a JSON object");
        return NULL;
    }
    return j;
}

void api_strip_keys(json_t *obj, const char *const *keys)
{
    for (; *keys; keys++)
        json_object_del(obj, *keys);
}

void api_ref(const char *seg, int64_t *id, const char **name)
{
    int64_t v = 0;
    bool digits = *seg != '\0';
    for (const char *p = seg; *p && digits; p++) {
        if (*p < '0' || *p > '9')
            digits = false;
        else if (v > (INT64_MAX - (*p - '0')) / 10)
            v = INT64_MAX;
        else if (v != INT64_MAX)
            v = v * 10 + (*p - '0');
    }
    if (digits) {
        *id = v > 0 ? v : INT64_MAX; /* id 0 would mean "by name" to the store */
        *name = NULL;
    } else {
        *id = 0;
        *name = seg;
    }
}

json_t *api_time(ms_t t, bool zero_is_null)
{
    if (t == 0 && zero_is_null)
        return json_null();
    char s[64];
    time_format_rfc3339(t, s, sizeof s);
    return json_string(s);
}

json_t *api_seconds(ms_t ms)
{
    if (ms % 1000 == 0)
        return json_integer(ms / 1000);
    return json_real((double)ms / 1000.0);
}

json_t *api_str(const char *s)
{
    json_t *j = s ? json_string(s) : NULL;
    /* json_string refuses invalid UTF-8 (e.g. a probe detail cut mid-character
     * by an older writer); answer what is valid rather than nothing. */
    if (s && !j) {
        size_t len = strlen(s);
        while (len > 0 && !http_utf8_valid(s, len))
            len--;
        j = json_stringn(s, len);
    }
    return j ? j : json_null();
}

json_t *api_list(json_t *items, const char *cursor)
{
    json_t *j = json_object();
    json_object_set_new(j, "items", items);
    json_object_set_new(j, "next_cursor", cursor ? json_string(cursor) : json_null());
    return j;
}

/* Keys whose value is a secret whatever it looks like. */
static const char *const secret_keys[] = {
    "password", "old", "new", "token", "secret", "csrf", "totp", "recovery_code",
    "recovery_codes", "push_url", "pw_hash", "totp_sealed", NULL};

static bool ends_with(const char *s, size_t n, const char *tail)
{
    size_t t = strlen(tail);
    return n >= t && strcasecmp(s + n - t, tail) == 0;
}

static bool key_is_secret(const char *k, const json_t *v)
{
    for (const char *const *p = secret_keys; *p; p++)
        if (strcasecmp(k, *p) == 0)
            return true;
    /* "sslpassword", "api_token", "webhook_secret"…, but not
     * "must_change_password" (a flag) nor "password_changed" (a time). */
    size_t n = strlen(k);
    return json_is_string(v) && (ends_with(k, n, "password") || ends_with(k, n, "secret") ||
                                 ends_with(k, n, "token") || ends_with(k, n, "_key"));
}

void api_mask_secrets(json_t *j)
{
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) api_mask_secrets(v);
        return;
    }
    if (!json_is_object(j))
        return;
    const char *k;
    json_t *v;
    void *tmp;
    json_object_foreach_safe(j, tmp, k, v)
    {
        if (!json_is_null(v) && !json_is_boolean(v) && key_is_secret(k, v))
            json_object_set_new(j, k, json_string("***"));
        else
            api_mask_secrets(v);
    }
}
