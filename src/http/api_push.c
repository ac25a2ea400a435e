/* GET or POST /api/v1/push/{token}?status=up|down&msg=&rows= — a job's
 * heartbeat. Parameters come from the query string, or for POST also from
 * an application/x-www-form-urlencoded body (curl -d 'status=down'). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/api.h"
#include "sched/engine.h"

#define PUSH_MSG_MAX 200
#define TOKEN_MIN 16
#define TOKEN_MAX 64

/* Tokens are [A-Za-z0-9_-]{16,64}: anything else cannot exist, and is
 * answered like an unknown token without asking the store. */
static bool token_well_formed(const char *t)
{
    size_t n = strlen(t);
    if (n < TOKEN_MIN || n > TOKEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

static const char *param(const struct query *q, const struct query *form, const char *key)
{
    const char *v = query_get(q, key);
    return v ? v : query_get(form, key);
}

static bool is_form(const char *content_type)
{
    static const char form[] = "application/x-www-form-urlencoded";
    return content_type && strncasecmp(content_type, form, sizeof form - 1) == 0 &&
           (content_type[sizeof form - 1] == '\0' || content_type[sizeof form - 1] == ';' ||
            content_type[sizeof form - 1] == ' ');
}

void api_push(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct query form = QUERY_INIT;
    struct monitor_row mon = {0};
    const char *token = route_param(rq->match, "token");

    if (!token || !token_well_formed(token)) {
        resp_error(rs, 404, "not_found", NULL, "unknown push token");
        goto out;
    }
    if (strcmp(rq->method, "POST") == 0 && rq->body_len > 0 && is_form(rq->content_type) &&
        query_parse(&form, rq->body, rq->body_len, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }

    bool ok = true;
    const char *status = param(rq->query, &form, "status");
    if (status && strcmp(status, "down") == 0) {
        ok = false;
    } else if (status && strcmp(status, "up") != 0) {
        resp_error(rs, 400, "invalid", "status", "status: must be up or down");
        goto out;
    }
    const char *msg = param(rq->query, &form, "msg");
    if (msg && strlen(msg) > PUSH_MSG_MAX) {
        resp_error(rs, 400, "invalid", "msg", "msg: longer than %d bytes", PUSH_MSG_MAX);
        goto out;
    }
    double rows = 0;
    const char *rows_s = param(rq->query, &form, "rows");
    if (rows_s) {
        char *end;
        errno = 0;
        rows = strtod(rows_s, &end);
        /* strtod also takes "inf", "nan", hex and leading spaces: refuse
         * anything but a plain finite number >= 0. */
        bool plain = rows_s[0] >= '0' && rows_s[0] <= '9' && !strpbrk(rows_s, "xXpP");
        if (!plain || *end != '\0' || errno == ERANGE || !isfinite(rows) || rows < 0) {
            resp_error(rs, 400, "invalid", "rows", "rows: must be a number >= 0");
            goto out;
        }
    }

    if (store_monitor_by_token(rq->ctx->S, token, &mon, &err) != 0) {
        if (err.code == YW_ENOTFOUND)
            resp_error(rs, 404, "not_found", NULL, "unknown push token");
        else
            resp_err(rs, &err);
        goto out;
    }
    if (mon.spec.type != MT_HEARTBEAT) {
        resp_error(rs, 404, "not_found", NULL, "unknown push token");
        goto out;
    }
    engine_push(rq->ctx->E, mon.id, ok, msg, rows);
    json_t *j = json_object();
    json_object_set_new(j, "ok", json_true());
    resp_json(rs, 200, j);
out:
    store_monitor_row_release(&mon);
    query_release(&form);
}
