/* /api/v1/systems: list, get, create, update, delete. */
#include <inttypes.h>
#include <stdio.h>

#include "core/config.h"
#include "http/api.h"
#include "sched/engine.h"

/* Keys an answer adds to the spec; a client may PUT back what it got. */
static const char *const answer_keys[] = {"id",    "provisioned", "created", "updated",
                                          "state", "monitors",    NULL};

/* Answers system id with its state, reading every monitor once. */
static void answer_system(const struct http_req *rq, struct http_resp *rs, int status, int64_t id)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct system_row row = {0};
    struct monitor_row *mons = NULL;
    size_t nmons = 0;
    struct monitor_filter f = MONITOR_FILTER_ALL;
    f.system_id = id;
    if (store_system_get(S, id, NULL, &row, &err) != 0 ||
        store_monitor_list_brief(S, &f, &mons, &nmons, &err) != 0) {
        resp_err(rs, &err);
    } else {
        resp_json(rs, status, api_system_json(&row, mons, nmons));
        if (status == 201)
            snprintf(rs->location, sizeof rs->location, "/api/v1/systems/%" PRId64, id);
    }
    store_monitor_rows_free(mons, nmons);
    store_system_row_release(&row);
}

void api_systems_list(const struct http_req *rq, struct http_resp *rs)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct system_row *rows = NULL;
    size_t n = 0;
    struct monitor_row *mons = NULL;
    size_t nmons = 0;
    struct monitor_filter f = MONITOR_FILTER_ALL;
    if (store_system_list(S, &rows, &n, &err) != 0 ||
        store_monitor_list_brief(S, &f, &mons, &nmons, &err) != 0) {
        resp_err(rs, &err);
    } else {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(items, api_system_json(&rows[i], mons, nmons));
        resp_json(rs, 200, api_list(items, NULL));
    }
    store_monitor_rows_free(mons, nmons);
    store_system_rows_free(rows, n);
}

void api_systems_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct system_row row = {0};
    if (api_find_system(rq, &row, &err) != 0)
        resp_err(rs, &err);
    else
        answer_system(rq, rs, 200, row.id);
    store_system_row_release(&row);
}

/* The body as a checked spec. -1 with err. */
static int body_spec(const struct http_req *rq, struct system_spec *spec, struct yw_err *err)
{
    json_t *j = api_body_object(rq, err);
    if (!j)
        return -1;
    api_strip_keys(j, answer_keys);
    int rc = config_system_from_json(j, spec, err);
    json_decref(j);
    /* Objects made through the API are never provisioned: only the file's are. */
    spec->provisioned = false;
    return rc;
}

/* The store refuses too; checking first gives 409 whatever the body holds. */
static int refuse_provisioned(const struct system_row *row, struct yw_err *err)
{
    if (!row->spec.provisioned)
        return 0;
    return yw_fail(err, YW_ECONFLICT,
                   "system %s is provisioned (declared in the config file): change it there",
                   row->spec.name);
}

void api_systems_create(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct system_spec spec = {0};
    int64_t id = 0;
    if (body_spec(rq, &spec, &err) != 0 ||
        store_system_create(rq->ctx->S, &spec, &id, &err) != 0)
        resp_err(rs, &err);
    else
        answer_system(rq, rs, 201, id);
    system_spec_release(&spec);
}

void api_systems_update(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct system_row row = {0};
    struct system_spec spec = {0};
    if (api_find_system(rq, &row, &err) != 0 || refuse_provisioned(&row, &err) != 0 ||
        body_spec(rq, &spec, &err) != 0 ||
        store_system_update(rq->ctx->S, row.id, &spec, &err) != 0) {
        resp_err(rs, &err);
    } else {
        /* A renamed system changes which maintenance windows apply to its
         * monitors and their metric labels: the engine re-reads everything. */
        engine_notify_all(rq->ctx->E);
        answer_system(rq, rs, 200, row.id);
    }
    system_spec_release(&spec);
    store_system_row_release(&row);
}

void api_systems_delete(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct system_row row = {0};
    if (api_find_system(rq, &row, &err) != 0 || refuse_provisioned(&row, &err) != 0 ||
        store_system_delete(rq->ctx->S, row.id, &err) != 0)
        resp_err(rs, &err);
    else
        resp_no_content(rs); /* the store refuses while monitors remain: nothing to notify */
    store_system_row_release(&row);
}
