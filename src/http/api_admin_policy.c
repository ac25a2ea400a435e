/* /api/v1/policy: the password, lockout and session policy. The security
 * administrator reads (ACT_POLICY_READ) and changes (ACT_POLICY_WRITE) it. */
#include "http/api.h"
#include "http/api_admin_util.h"

void api_admin_policy_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct password_policy p;
    if (store_policy_get(rq->ctx->S, &p, &err) != 0)
        resp_err(rs, &err);
    else
        resp_json(rs, 200, admin_policy_json(&p));
}

/* A PUT may carry every field (a GET answer) or only those to change. */
void api_admin_policy_put(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct password_policy old, p;
    json_t *j = NULL;
    if (store_policy_get(rq->ctx->S, &old, &err) != 0)
        goto fail;
    p = old;
    if (!(j = api_body_object(rq, &err)) || admin_policy_from_json(j, &p, &err) != 0 ||
        store_policy_set(rq->ctx->S, &p, &err) != 0)
        goto fail;
    admin_audit(rq, "policy.update", "policy", admin_policy_json(&old), admin_policy_json(&p),
                "ok");
    resp_json(rs, 200, admin_policy_json(&p));
    json_decref(j);
    return;
fail:
    admin_fail(rq, rs, "policy.update", "policy", &err);
    json_decref(j);
}
