/* Stub handlers for the monitoring API's routes (auth_routes.c), so the
 * server tests need no engine and no monitoring data: each echoes what it
 * was given, or answers the shape its route would. The session endpoints
 * (auth_session.c) are the real ones. */
#include <stdio.h>
#include <string.h>

#include "http/api.h"

static void echo(const struct http_req *rq, struct http_resp *rs)
{
    json_t *j = json_object();
    json_object_set_new(j, "route", json_string(rq->match->route->pattern));
    json_object_set_new(j, "method", json_string(rq->method));
    json_t *params = json_object();
    for (size_t i = 0; i < rq->match->nparams; i++)
        json_object_set_new(params, rq->match->params[i].name,
                            json_string(rq->match->params[i].value));
    json_object_set_new(j, "params", params);
    json_t *q = json_object();
    for (size_t i = 0; i < rq->query->n; i++)
        json_object_set_new(q, rq->query->p[i].key, json_string(rq->query->p[i].value));
    json_object_set_new(j, "query", q);
    json_object_set_new(j, "body_len", json_integer((json_int_t)rq->body_len));
    json_object_set_new(j, "body_nul", json_boolean(rq->body[rq->body_len] == '\0'));
    json_object_set_new(j, "user", json_string(rq->who->user));
    /* a secret an answer forgot to mask: the audit trail must not keep it */
    json_object_set_new(j, "password", json_string("hunter2-secret"));
    resp_json(rs, 200, j);
}

static void created(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *j = api_body_object(rq, &err);
    if (!j) {
        resp_err(rs, &err);
        return;
    }
    json_object_set_new(j, "id", json_integer(1));
    resp_json(rs, 201, j);
    snprintf(rs->location, sizeof rs->location, "/api/v1/systems/1");
}

static void gone(const struct http_req *rq, struct http_resp *rs)
{
    (void)rq;
    resp_no_content(rs);
}

static void limited(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    size_t limit;
    if (query_limit(rq->query, &limit, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:i}", "limit", (int)limit));
}

static void metrics(const struct http_req *rq, struct http_resp *rs)
{
    (void)rq;
    resp_text(rs, 200, CT_PROMETHEUS, "up 1\n", 5);
}

static void conflict(const struct http_req *rq, struct http_resp *rs)
{
    (void)rq;
    resp_error(rs, 409, "conflict", NULL, "provisioned");
}

#define STUB(name, fn) \
    void name(const struct http_req *rq, struct http_resp *rs) { fn(rq, rs); }
STUB(api_healthz, echo)
STUB(api_metrics, metrics)
STUB(api_systems_list, echo)
STUB(api_systems_create, created)
STUB(api_systems_get, echo)
STUB(api_systems_update, echo)
STUB(api_systems_delete, gone)
STUB(api_systems_avail, echo)
STUB(api_monitors_list, echo)
STUB(api_monitors_create, echo)
STUB(api_monitors_get, echo)
STUB(api_monitors_update, echo)
STUB(api_monitors_delete, conflict)
STUB(api_monitors_pause, echo)
STUB(api_monitors_resume, echo)
STUB(api_monitors_avail, echo)
STUB(api_results_list, limited)
STUB(api_monitor_events, echo)
STUB(api_events_list, echo)
STUB(api_maint_list, echo)
STUB(api_maint_create, echo)
STUB(api_maint_get, echo)
STUB(api_maint_update, echo)
STUB(api_maint_delete, gone)
STUB(api_push, echo)
