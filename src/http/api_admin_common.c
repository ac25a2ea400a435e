/* What the administration handlers share: auditing through api_audit, the
 * refusals they make themselves (beyond the central permission check), and
 * looking up users and units. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth/principal.h"
#include "http/api.h"
#include "http/api_admin_util.h"

void admin_audit(const struct http_req *rq, const char *action, const char *object,
                 json_t *before, json_t *after, const char *result)
{
    api_audit(rq, action, object, before, after, result);
    json_decref(before);
    json_decref(after);
}

void admin_forbid(const struct http_req *rq, struct http_resp *rs, const char *action,
                  const char *object, const char *field, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char result[440];
    snprintf(result, sizeof result, "denied: %s", msg);
    admin_audit(rq, action, object, NULL, NULL, result);
    resp_error(rs, 403, "forbidden", field, "%s", msg);
}

void admin_fail(const struct http_req *rq, struct http_resp *rs, const char *action,
                const char *object, const struct yw_err *err)
{
    char result[600];
    snprintf(result, sizeof result, "failed: %s", err->msg[0] ? err->msg : "error");
    admin_audit(rq, action, object, NULL, NULL, result);
    resp_err(rs, err);
}

int admin_find_user(const struct http_req *rq, struct user_row *row, struct yw_err *err)
{
    const char *seg = route_param(rq->match, "id");
    assert(seg);
    int64_t id;
    const char *name;
    api_ref(seg, &id, &name);
    return store_user_get(rq->ctx->S, id, name, row, err);
}

const char *admin_org_name(const struct org_row *rows, size_t n, int64_t id)
{
    for (size_t i = 0; i < n && id; i++)
        if (rows[i].id == id)
            return rows[i].name;
    return NULL;
}

void admin_user_object(const char *name, char *out, size_t n)
{
    snprintf(out, n, "user:%s", name ? name : "");
}
