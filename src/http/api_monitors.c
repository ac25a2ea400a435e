/* /api/v1/monitors: list, get, create, update, delete, pause, resume. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/mem.h"
#include "http/api.h"
#include "sched/engine.h"

/* Keys an answer adds to the spec; a client may PUT back what it got. */
static const char *const answer_keys[] = {"id",           "provisioned", "state",    "state_since",
                                          "state_reason", "created",     "updated",  "push_url",
                                          NULL};

static void answer_monitor(const struct http_req *rq, struct http_resp *rs, int status, int64_t id)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row row = {0};
    if (store_monitor_get(rq->ctx->S, id, NULL, &row, &err) != 0) {
        resp_err(rs, &err);
    } else {
        resp_json(rs, status, api_monitor_json(&row));
        if (status == 201)
            snprintf(rs->location, sizeof rs->location, "/api/v1/monitors/%" PRId64, id);
    }
    store_monitor_row_release(&row);
}

void api_monitors_list(const struct http_req *rq, struct http_resp *rs)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct monitor_filter f = MONITOR_FILTER_ALL;
    const char *sys = query_get(rq->query, "system");
    const char *type = query_get(rq->query, "type");
    const char *search = query_get(rq->query, "q");

    if (type) {
        enum monitor_type t;
        if (monitor_type_parse(type, &t) != 0) {
            resp_error(rs, 400, "invalid", "type",
                       "type: unknown monitor type (http, tls, tcp, dns, ping, postgres or "
                       "heartbeat)");
            return;
        }
        f.type = (int)t;
    }
    if (search) {
        if (strlen(search) > YW_TITLE_MAX) {
            resp_error(rs, 400, "invalid", "q", "q: longer than %d bytes", YW_TITLE_MAX);
            return;
        }
        f.search = search;
    }
    if (sys) {
        int64_t id;
        const char *name;
        struct system_row srow = {0};
        api_ref(sys, &id, &name);
        int rc = store_system_get(S, id, name, &srow, &err);
        f.system_id = srow.id;
        store_system_row_release(&srow);
        if (rc != 0) {
            if (err.code == YW_ENOTFOUND) /* a filter nothing matches */
                resp_json(rs, 200, api_list(json_array(), NULL));
            else
                resp_err(rs, &err);
            return;
        }
    }

    struct monitor_row *rows = NULL;
    size_t n = 0;
    if (store_monitor_list(S, &f, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, api_monitor_json(&rows[i]));
    store_monitor_rows_free(rows, n);
    resp_json(rs, 200, api_list(items, NULL));
}

void api_monitors_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row row = {0};
    if (api_find_monitor(rq, &row, &err) != 0)
        resp_err(rs, &err);
    else
        resp_json(rs, 200, api_monitor_json(&row));
    store_monitor_row_release(&row);
}

static int body_spec(const struct http_req *rq, struct monitor_spec *spec, struct yw_err *err)
{
    json_t *j = api_body_object(rq, err);
    if (!j)
        return -1;
    api_strip_keys(j, answer_keys);
    int rc = config_monitor_from_json(j, spec, err);
    json_decref(j);
    spec->provisioned = false; /* only the config file provisions */
    return rc;
}

/* *dst came back from a client as the masked form of the stored value old:
 * keep old. */
static void restore_if_masked(char **dst, const char *old, const char *masked)
{
    if (*dst && old && masked && strcmp(*dst, masked) == 0 && strcmp(masked, old) != 0) {
        xfree(*dst);
        *dst = xstrdup(old);
    }
}

/* Answers never carry secrets, so a client that PUTs back what it got sends
 * no heartbeat token and "***" where a password, a URL's credentials or a
 * secret header were: keep the stored ones then, rather than regenerating
 * the push URL or saving "***" as a password. Whatever differs from the
 * masked answer is the client's new value and is kept as sent. */
static void keep_secrets(struct monitor_spec *spec, const struct monitor_spec *old)
{
    if (spec->type != old->type)
        return;
    if (spec->type == MT_HEARTBEAT && !spec->heartbeat.token && old->heartbeat.token)
        spec->heartbeat.token = xstrdup(old->heartbeat.token);
    json_t *shown = config_monitor_to_json(old, false);
    if (!shown)
        return;
    if (spec->type == MT_POSTGRES)
        restore_if_masked(&spec->postgres.conninfo, old->postgres.conninfo,
                          json_string_value(json_object_get(shown, "conninfo")));
    if (spec->type == MT_HTTP) {
        restore_if_masked(&spec->http.url, old->http.url,
                          json_string_value(json_object_get(shown, "url")));
        json_t *headers = json_object_get(shown, "headers");
        for (size_t i = 0; i < spec->http.nheaders; i++) {
            for (size_t k = 0; k < old->http.nheaders; k++) {
                const struct http_header *oh = &old->http.headers[k];
                if (strcasecmp(spec->http.headers[i].name, oh->name) != 0)
                    continue;
                restore_if_masked(&spec->http.headers[i].value, oh->value,
                                  json_string_value(json_object_get(headers, oh->name)));
                break;
            }
        }
    }
    json_decref(shown);
}

static int refuse_provisioned(const struct monitor_row *row, struct yw_err *err)
{
    if (!row->spec.provisioned)
        return 0;
    return yw_fail(err, YW_ECONFLICT,
                   "monitor %s is provisioned (declared in the config file): change it there",
                   row->spec.name);
}

void api_monitors_create(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_spec spec = {0};
    int64_t id = 0;
    if (body_spec(rq, &spec, &err) != 0 ||
        store_monitor_create(rq->ctx->S, &spec, &id, &err) != 0) {
        resp_err(rs, &err);
    } else {
        engine_notify_monitor(rq->ctx->E, id);
        answer_monitor(rq, rs, 201, id);
    }
    monitor_spec_release(&spec);
}

void api_monitors_update(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row row = {0};
    struct monitor_spec spec = {0};
    if (api_find_monitor(rq, &row, &err) != 0 || refuse_provisioned(&row, &err) != 0 ||
        body_spec(rq, &spec, &err) != 0) {
        resp_err(rs, &err);
    } else {
        keep_secrets(&spec, &row.spec);
        if (store_monitor_update(rq->ctx->S, row.id, &spec, &err) != 0) {
            resp_err(rs, &err);
        } else {
            engine_notify_monitor(rq->ctx->E, row.id);
            answer_monitor(rq, rs, 200, row.id);
        }
    }
    monitor_spec_release(&spec);
    store_monitor_row_release(&row);
}

void api_monitors_delete(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row row = {0};
    if (api_find_monitor(rq, &row, &err) != 0 || refuse_provisioned(&row, &err) != 0 ||
        store_monitor_delete(rq->ctx->S, row.id, &err) != 0) {
        resp_err(rs, &err);
    } else {
        engine_notify_monitor(rq->ctx->E, row.id);
        resp_no_content(rs);
    }
    store_monitor_row_release(&row);
}

/* Pausing is operation, not configuration: allowed on provisioned monitors. */
static void set_paused(const struct http_req *rq, struct http_resp *rs, bool paused)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row row = {0};
    if (api_find_monitor(rq, &row, &err) != 0 ||
        store_monitor_set_paused(rq->ctx->S, row.id, paused, &err) != 0) {
        resp_err(rs, &err);
    } else {
        engine_notify_monitor(rq->ctx->E, row.id);
        answer_monitor(rq, rs, 200, row.id);
    }
    store_monitor_row_release(&row);
}

void api_monitors_pause(const struct http_req *rq, struct http_resp *rs)
{
    set_paused(rq, rs, true);
}

void api_monitors_resume(const struct http_req *rq, struct http_resp *rs)
{
    set_paused(rq, rs, false);
}
