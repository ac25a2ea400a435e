/* /metrics (Prometheus text) and /healthz. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "desk/desk.h"
#include "http/api.h"
#include "sched/engine.h"

/* 10,000 monitors answer about 6 MiB; far past that something is wrong. */
#define METRICS_MAX (64 * 1024 * 1024)

void api_metrics(const struct http_req *rq, struct http_resp *rs)
{
    struct buf b = BUF_INIT(METRICS_MAX);
    engine_metrics(rq->ctx->E, &b);
    size_t qlen = store_queue_len(rq->ctx->S);
    ms_t start = rq->ctx->process_start;
    int rc = buf_addf(&b,
                      "# HELP yunwei_store_queue_length Writes queued for the store, not yet "
                      "committed.\n"
                      "# TYPE yunwei_store_queue_length gauge\n"
                      "yunwei_store_queue_length %zu\n"
                      "# HELP process_start_time_seconds Start time of the process since unix "
                      "epoch in seconds.\n"
                      "# TYPE process_start_time_seconds gauge\n"
                      "process_start_time_seconds %lld.%03lld\n",
                      qlen, (long long)(start / 1000), (long long)(start % 1000));
    struct desk *D = rq->ctx->desk;
    if (rc == 0 && D) {
        struct desk_stats ds;
        desk_stats(D, &ds);
        rc = buf_addf(&b,
                      "# HELP yunwei_desk_transitions_total Monitor state changes the incident "
                      "desk handled.\n"
                      "# TYPE yunwei_desk_transitions_total counter\n"
                      "yunwei_desk_transitions_total %llu\n"
                      "# HELP yunwei_desk_dropped_total State changes dropped: its queue was "
                      "full.\n"
                      "# TYPE yunwei_desk_dropped_total counter\n"
                      "yunwei_desk_dropped_total %llu\n"
                      "# HELP yunwei_incidents_opened_total Incidents opened by monitor "
                      "outages.\n"
                      "# TYPE yunwei_incidents_opened_total counter\n"
                      "yunwei_incidents_opened_total %llu\n"
                      "# HELP yunwei_sla_marks_total SLA warnings and breaches recorded.\n"
                      "# TYPE yunwei_sla_marks_total counter\n"
                      "yunwei_sla_marks_total %llu\n"
                      "# HELP yunwei_desk_notifications_total Notifications the desk "
                      "submitted.\n"
                      "# TYPE yunwei_desk_notifications_total counter\n"
                      "yunwei_desk_notifications_total %llu\n"
                      "# HELP yunwei_desk_queue_length State changes waiting for the desk.\n"
                      "# TYPE yunwei_desk_queue_length gauge\n"
                      "yunwei_desk_queue_length %zu\n",
                      (unsigned long long)ds.transitions, (unsigned long long)ds.dropped,
                      (unsigned long long)ds.opened, (unsigned long long)ds.marks,
                      (unsigned long long)ds.notified, ds.queued);
    }
    if (rc != 0) { /* the buffer freed itself past the limit */
        resp_error(rs, 500, "internal", NULL, "metrics: more than %d bytes", METRICS_MAX);
        return;
    }
    resp_text(rs, 200, CT_PROMETHEUS, buf_str(&b), b.len);
    buf_release(&b);
}

/* A read that touches the database without depending on its contents: a
 * name no object can have is looked up; "not found" means the store
 * answered. */
void api_healthz(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct system_row row = {0};
    int rc = store_system_get(rq->ctx->S, 0, "-healthz-", &row, &err);
    store_system_row_release(&row);
    if (rc == 0 || err.code == YW_ENOTFOUND) {
        json_t *j = json_object();
        json_object_set_new(j, "status", json_string("ok"));
        resp_json(rs, 200, j);
        return;
    }
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string("io_error"));
    json_object_set_new(e, "message", api_str(err.msg));
    json_t *j = json_object();
    json_object_set_new(j, "status", json_string("error"));
    json_object_set_new(j, "error", e);
    resp_json(rs, 503, j);
}
