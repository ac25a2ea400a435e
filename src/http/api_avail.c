/* Availability of a monitor or a system over [from, to), computed exactly
 * from the state intervals the store has committed (kpi/avail.h). */
#include <string.h>

#include "core/mem.h"
#include "http/api.h"
#include "kpi/avail.h"
#include "sched/maint.h"

#define FORMULA "up / (period - excluded - no_data - paused)"

/* The monitor's intervals over [from, to) as kpi intervals; an interval still
 * open ends at min(now, to): what comes after now is not known yet. */
static int timeline(struct store *S, int64_t monitor_id, ms_t from, ms_t to, ms_t now,
                    struct interval **out, size_t *nout, struct yw_err *err)
{
    struct interval_row *rows = NULL;
    size_t n = 0;
    if (store_intervals(S, monitor_id, from, to, 0, &rows, &n, err) != 0)
        return -1;
    struct interval *iv = xcalloc(n ? n : 1, sizeof *iv);
    size_t k = 0;
    ms_t open_end = now < to ? now : to;
    for (size_t i = 0; i < n; i++) {
        ms_t end = rows[i].end ? rows[i].end : open_end;
        if (end <= rows[i].start)
            continue;
        iv[k].start = rows[i].start;
        iv[k].end = end;
        iv[k].state = rows[i].state;
        k++;
    }
    store_interval_rows_free(rows, n);
    *out = iv;
    *nout = k;
    return 0;
}

static json_t *avail_json(const struct avail *a)
{
    json_t *j = json_object();
    json_object_set_new(j, "from", api_time(a->from, false));
    json_object_set_new(j, "to", api_time(a->to, false));
    json_object_set_new(j, "period_s", api_seconds(a->period));
    json_object_set_new(j, "up_s", api_seconds(a->up));
    json_object_set_new(j, "down_s", api_seconds(a->down));
    json_object_set_new(j, "excluded_s", api_seconds(a->excluded));
    json_object_set_new(j, "no_data_s", api_seconds(a->no_data));
    json_object_set_new(j, "paused_s", api_seconds(a->paused));
    json_object_set_new(j, "outages", json_integer(a->outages));
    json_object_set_new(j, "availability", a->pct_defined ? json_real(a->pct) : json_null());
    json_object_set_new(j, "formula", json_string(FORMULA));
    return j;
}

void api_monitors_avail(const struct http_req *rq, struct http_resp *rs)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row mon = {0};
    struct maint_row *wins = NULL;
    size_t nwins = 0;
    struct interval *iv = NULL;
    size_t niv = 0;
    struct span *spans = NULL;
    size_t nspans = 0, cap = 0;
    ms_t now = time_now_ms(), from, to;

    if (query_period(rq->query, now, QUERY_PERIOD_MAX, &from, &to, &err) != 0 ||
        api_find_monitor(rq, &mon, &err) != 0 ||
        store_maint_list(S, &wins, &nwins, &err) != 0 ||
        timeline(S, mon.id, from, to, now, &iv, &niv, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    /* Every window that covers the monitor, by its name or its system's. */
    for (size_t i = 0; i < nwins; i++)
        if (maint_applies(&wins[i].spec, mon.spec.name, mon.spec.system))
            maint_occurrences(&wins[i].spec, from, to, &spans, &nspans, &cap);
    struct avail a;
    avail_compute(iv, niv, spans, nspans, from, to, &a);
    resp_json(rs, 200, avail_json(&a));
out:
    xfree(spans);
    xfree(iv);
    if (wins)
        store_maint_rows_free(wins, nwins);
    store_monitor_row_release(&mon);
}

static bool names_system(const struct maint_spec *w, const char *system)
{
    for (size_t i = 0; i < w->nsystems; i++)
        if (strcmp(w->systems[i], system) == 0)
            return true;
    return false;
}

/* A system is down while any of its critical monitors is down (all its
 * monitors count when none is marked critical). Windows on the system are
 * excluded from the merged timeline; a window on one monitor already shows
 * in that monitor's intervals as maintenance. */
void api_systems_avail(const struct http_req *rq, struct http_resp *rs)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct system_row sys = {0};
    struct monitor_row *mons = NULL;
    size_t nmons = 0;
    struct maint_row *wins = NULL;
    size_t nwins = 0;
    struct interval **tl = NULL;
    size_t *counts = NULL, ntl = 0;
    struct interval *merged = NULL;
    size_t nmerged = 0;
    struct span *spans = NULL;
    size_t nspans = 0, cap = 0;
    ms_t now = time_now_ms(), from, to;
    struct monitor_filter f = MONITOR_FILTER_ALL;

    if (query_period(rq->query, now, QUERY_PERIOD_MAX, &from, &to, &err) != 0 ||
        api_find_system(rq, &sys, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    f.system_id = sys.id;
    if (store_monitor_list(S, &f, &mons, &nmons, &err) != 0 ||
        store_maint_list(S, &wins, &nwins, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    bool any_critical = false;
    for (size_t i = 0; i < nmons; i++)
        any_critical |= mons[i].spec.critical;
    tl = xcalloc(nmons ? nmons : 1, sizeof *tl);
    counts = xcalloc(nmons ? nmons : 1, sizeof *counts);
    for (size_t i = 0; i < nmons; i++) {
        if (any_critical && !mons[i].spec.critical)
            continue;
        if (timeline(S, mons[i].id, from, to, now, &tl[ntl], &counts[ntl], &err) != 0) {
            resp_err(rs, &err);
            goto out;
        }
        ntl++;
    }
    merged = avail_merge_system((const struct interval *const *)tl, counts, ntl, from, to,
                                &nmerged);
    for (size_t i = 0; i < nwins; i++)
        if (names_system(&wins[i].spec, sys.spec.name))
            maint_occurrences(&wins[i].spec, from, to, &spans, &nspans, &cap);
    struct avail a;
    avail_compute(merged, nmerged, spans, nspans, from, to, &a);
    resp_json(rs, 200, avail_json(&a));
out:
    xfree(spans);
    xfree(merged);
    for (size_t i = 0; i < ntl; i++)
        xfree(tl[i]);
    xfree(tl);
    xfree(counts);
    if (wins)
        store_maint_rows_free(wins, nwins);
    if (mons)
        store_monitor_rows_free(mons, nmons);
    store_system_row_release(&sys);
}
