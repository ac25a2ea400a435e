/* /api/v1/maintenance: maintenance windows (计划内停机). Any change makes
 * the engine re-read everything, since a window can touch many monitors. */
#include <inttypes.h>
#include <stdio.h>

#include "core/config.h"
#include "http/api.h"
#include "sched/engine.h"

static const char *const answer_keys[] = {"id",     "provisioned", "created", "updated",
                                          "active", "next",        NULL};

static void answer_maint(const struct http_req *rq, struct http_resp *rs, int status, int64_t id)
{
    struct yw_err err = YW_ERR_INIT;
    struct maint_row row = {0};
    if (store_maint_get(rq->ctx->S, id, NULL, &row, &err) != 0) {
        resp_err(rs, &err);
    } else {
        resp_json(rs, status, api_maint_json(&row, time_now_ms()));
        if (status == 201)
            snprintf(rs->location, sizeof rs->location, "/api/v1/maintenance/%" PRId64, id);
    }
    store_maint_row_release(&row);
}

void api_maint_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct maint_row *rows = NULL;
    size_t n = 0;
    if (store_maint_list(rq->ctx->S, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    ms_t now = time_now_ms();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, api_maint_json(&rows[i], now));
    store_maint_rows_free(rows, n);
    resp_json(rs, 200, api_list(items, NULL));
}

void api_maint_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct maint_row row = {0};
    if (api_find_maint(rq, &row, &err) != 0)
        resp_err(rs, &err);
    else
        resp_json(rs, 200, api_maint_json(&row, time_now_ms()));
    store_maint_row_release(&row);
}

static int body_spec(const struct http_req *rq, struct maint_spec *spec, struct yw_err *err)
{
    json_t *j = api_body_object(rq, err);
    if (!j)
        return -1;
    api_strip_keys(j, answer_keys);
    int rc = config_maint_from_json(j, spec, err);
    json_decref(j);
    spec->provisioned = false; /* only the config file provisions */
    return rc;
}

static int refuse_provisioned(const struct maint_row *row, struct yw_err *err)
{
    if (!row->spec.provisioned)
        return 0;
    return yw_fail(err, YW_ECONFLICT,
                   "maintenance window %s is provisioned (declared in the config file): "
                   "change it there",
                   row->spec.name);
}

void api_maint_create(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct maint_spec spec = {0};
    int64_t id = 0;
    if (body_spec(rq, &spec, &err) != 0 || store_maint_create(rq->ctx->S, &spec, &id, &err) != 0) {
        resp_err(rs, &err);
    } else {
        engine_notify_all(rq->ctx->E);
        answer_maint(rq, rs, 201, id);
    }
    maint_spec_release(&spec);
}

void api_maint_update(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct maint_row row = {0};
    struct maint_spec spec = {0};
    if (api_find_maint(rq, &row, &err) != 0 || refuse_provisioned(&row, &err) != 0 ||
        body_spec(rq, &spec, &err) != 0 ||
        store_maint_update(rq->ctx->S, row.id, &spec, &err) != 0) {
        resp_err(rs, &err);
    } else {
        engine_notify_all(rq->ctx->E);
        answer_maint(rq, rs, 200, row.id);
    }
    maint_spec_release(&spec);
    store_maint_row_release(&row);
}

void api_maint_delete(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct maint_row row = {0};
    if (api_find_maint(rq, &row, &err) != 0 || refuse_provisioned(&row, &err) != 0 ||
        store_maint_delete(rq->ctx->S, row.id, &err) != 0) {
        resp_err(rs, &err);
    } else {
        engine_notify_all(rq->ctx->E);
        resp_no_content(rs);
    }
    store_maint_row_release(&row);
}
