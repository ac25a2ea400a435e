/* /api/v1/monitors: list, get, create, update, delete, pause, resume. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/mem.h"
#include "http/api.h"
#include "sched/engine.h"

#define HTTP_BRIEF_MAX (256 * 1024 * 1024) /* bytes of a brief list */

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

/* A JSON string: quotes, backslashes and control characters escaped (the
 * stored text is valid UTF-8: every input was checked at the edge). */
static void put_jstr(struct buf *b, const char *s)
{
    buf_add(b, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        buf_add(b, run, (size_t)(s - run));
        if (ch == '"' || ch == '\\')
            buf_addf(b, "\\%c", ch);
        else
            buf_addf(b, "\\u%04x", ch);
        run = s + 1;
    }
    buf_add(b, run, (size_t)(s - run));
    buf_add(b, "\"", 1);
}

/* The list a status wall needs, and no more: with 10,000 monitors the full
 * list is ~4 MB of JSON, this one ~1.6 MB. Written straight as text: going
 * through jansson cost most of the answer's time in malloc. */
static void answer_brief(struct http_resp *rs, const struct monitor_row *rows, size_t n)
{
    struct buf b = BUF_INIT(HTTP_BRIEF_MAX);
    buf_adds(&b, "{\"items\":[");
    for (size_t i = 0; i < n; i++) {
        const struct monitor_row *r = &rows[i];
        const struct monitor_spec *m = &r->spec;
        buf_addf(&b, "%s{\"id\":%" PRId64 ",\"name\":", i ? "," : "", r->id);
        put_jstr(&b, m->name ? m->name : "");
        if (m->title) {
            buf_adds(&b, ",\"title\":");
            put_jstr(&b, m->title);
        }
        buf_adds(&b, ",\"system\":");
        put_jstr(&b, m->system ? m->system : "");
        buf_addf(&b, ",\"type\":\"%s\"%s%s,\"state\":\"%s\",\"state_since\":",
                 monitor_type_name(m->type), m->critical ? ",\"critical\":true" : "",
                 m->paused ? ",\"paused\":true" : "", mstate_name(r->state));
        if (r->state_since) {
            char t[64];
            time_format_rfc3339(r->state_since, t, sizeof t);
            buf_addf(&b, "\"%s\"", t);
        } else {
            buf_adds(&b, "null");
        }
        if (r->state_reason) {
            buf_adds(&b, ",\"state_reason\":");
            put_jstr(&b, r->state_reason);
        }
        buf_add(&b, "}", 1);
    }
    buf_adds(&b, "],\"next_cursor\":null}");
    if (b.len == 0) { /* past HTTP_BRIEF_MAX: the buffer gave up */
        buf_release(&b);
        resp_error(rs, 500, "too_large", NULL, "the monitor list is too large to answer");
        return;
    }
    xfree(rs->body);
    rs->status = 200;
    rs->content_type = CT_JSON;
    rs->len = b.len;
    rs->body = buf_take(&b);
}

void api_monitors_list(const struct http_req *rq, struct http_resp *rs)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct monitor_filter f = MONITOR_FILTER_ALL;
    const char *sys = query_get(rq->query, "system");
    const char *type = query_get(rq->query, "type");
    const char *search = query_get(rq->query, "q");
    const char *view = query_get(rq->query, "view");
    bool brief = false;

    if (view) {
        if (strcmp(view, "brief") != 0 && strcmp(view, "full") != 0) {
            resp_error(rs, 400, "invalid", "view", "view: brief or full");
            return;
        }
        brief = strcmp(view, "brief") == 0;
    }
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
    if ((brief ? store_monitor_list_brief(S, &f, &rows, &n, &err)
               : store_monitor_list(S, &f, &rows, &n, &err)) != 0) {
        resp_err(rs, &err);
        return;
    }
    if (brief) {
        answer_brief(rs, rows, n);
        store_monitor_rows_free(rows, n);
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
