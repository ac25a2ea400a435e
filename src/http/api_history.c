/* History: results of a monitor (newest first, paged by id) and state
 * intervals ("events") of one monitor or all, in [from, to), oldest first,
 * paged by (start, id). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/api.h"

/* Refetching for an events page stops past this many rows: only reached if
 * that many intervals started at the very same instant. */
#define EVENTS_FETCH_MAX (256 * 1024)

/* An integer when the value is one (0, 12), else a real; null if not finite
 * (jansson cannot encode NaN or infinities). */
static json_t *number(double v)
{
    if (!isfinite(v))
        return json_null();
    if (v == trunc(v) && fabs(v) < 9007199254740992.0)
        return json_integer((json_int_t)v);
    return json_real(v);
}

static json_t *result_json(const struct result_row *r)
{
    char detail[PROBE_DETAIL_MAX];
    memcpy(detail, r->detail, sizeof detail);
    detail[sizeof detail - 1] = '\0';
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(r->id));
    json_object_set_new(j, "time", api_time(r->ts, false));
    json_object_set_new(j, "ok", json_boolean(r->ok));
    json_object_set_new(j, "latency_ms", json_integer(r->latency));
    json_object_set_new(j, "status", json_integer(r->status));
    json_object_set_new(j, "value", number(r->value));
    json_object_set_new(j, "detail", api_str(detail));
    return j;
}

void api_results_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row mon = {0};
    size_t limit = 0;
    int64_t before = 0;
    struct result_row *rows = NULL;
    size_t n = 0;
    /* One more than asked tells whether another page exists. */
    if (query_limit(rq->query, &limit, &err) != 0 ||
        query_cursor_id(rq->query, &before, &err) != 0 || api_find_monitor(rq, &mon, &err) != 0 ||
        store_results(rq->ctx->S, mon.id, before, limit + 1, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
        store_monitor_row_release(&mon);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < n && i < limit; i++)
        json_array_append_new(items, result_json(&rows[i]));
    char cursor[32];
    if (n > limit)
        query_format_cursor_id(rows[limit - 1].id, cursor, sizeof cursor);
    resp_json(rs, 200, api_list(items, n > limit ? cursor : NULL));
    xfree(rows); /* result rows own no memory */
    store_monitor_row_release(&mon);
}

/* ---- events ---------------------------------------------------------------- */

static int cmp_start_id(const void *a, const void *b)
{
    const struct interval_row *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

static bool after_cursor(const struct interval_row *r, int64_t cstart, int64_t cid)
{
    return r->start > cstart || (r->start == cstart && r->id > cid);
}

/* Names of the monitors events refer to: the live ones listed once, the
 * others (deleted since) looked up one by one and remembered for the page. */
struct names {
    struct monitor_row *rows; /* sorted by id */
    size_t n;
    struct gone {
        int64_t id;
        char *name;           /* NULL when the store no longer knows it */
    } *gone;
    size_t ngone, cap;
};

static int cmp_row_id(const void *a, const void *b)
{
    const struct monitor_row *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static const char *name_of(struct store *S, struct names *nm, int64_t id)
{
    struct monitor_row key = {.id = id};
    const struct monitor_row *hit =
        nm->n ? bsearch(&key, nm->rows, nm->n, sizeof *nm->rows, cmp_row_id) : NULL;
    if (hit)
        return hit->spec.name;
    for (size_t i = 0; i < nm->ngone; i++)
        if (nm->gone[i].id == id)
            return nm->gone[i].name;
    struct monitor_row row = {0};
    struct yw_err err = YW_ERR_INIT;
    char *name = NULL;
    if (store_monitor_get(S, id, NULL, &row, &err) == 0)
        name = xstrdup(row.spec.name);
    store_monitor_row_release(&row);
    XGROW(nm->gone, nm->cap, nm->ngone + 1);
    nm->gone[nm->ngone].id = id;
    nm->gone[nm->ngone++].name = name;
    return name;
}

static void names_release(struct names *nm)
{
    if (nm->rows)
        store_monitor_rows_free(nm->rows, nm->n);
    for (size_t i = 0; i < nm->ngone; i++)
        xfree(nm->gone[i].name);
    xfree(nm->gone);
    memset(nm, 0, sizeof *nm);
}

static json_t *event_json(const struct interval_row *r, const char *monitor, ms_t now)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(r->id));
    json_object_set_new(j, "monitor", api_str(monitor));
    json_object_set_new(j, "monitor_id", json_integer(r->monitor_id));
    json_object_set_new(j, "state", json_string(mstate_name(r->state)));
    json_object_set_new(j, "start", api_time(r->start, false));
    json_object_set_new(j, "end", api_time(r->end, true));
    ms_t end = r->end ? r->end : now;
    json_object_set_new(j, "duration_s", api_seconds(end > r->start ? end - r->start : 0));
    json_object_set_new(j, "reason", api_str(r->reason));
    return j;
}

/* Answers one page of the intervals of monitor_id (0 = all) in [from, to);
 * any period, since a page is bounded by limit.
 *
 * The store pages by limit only, oldest first by start. The next page starts
 * at the cursor's start instant, so the intervals still open across it (about
 * one per monitor) and those sharing its start come back again and are
 * skipped here; the fetch grows until a full page is left after skipping. */
static void events_page(const struct http_req *rq, struct http_resp *rs, int64_t monitor_id,
                        struct names *nm)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    ms_t now = time_now_ms(), from, to;
    size_t limit;
    int64_t cstart, cid;
    if (query_period(rq->query, now, 0, &from, &to, &err) != 0 ||
        query_limit(rq->query, &limit, &err) != 0 ||
        query_cursor_pair(rq->query, &cstart, &cid, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    ms_t qfrom = cid && cstart > from ? cstart : from;
    size_t fetch = limit + 1 + (cid ? 64 : 0);
    for (;;) {
        struct interval_row *rows = NULL;
        size_t n = 0;
        if (qfrom >= to) { /* a cursor past the period: nothing left */
            resp_json(rs, 200, api_list(json_array(), NULL));
            return;
        }
        if (store_intervals(S, monitor_id, qfrom, to, fetch, &rows, &n, &err) != 0) {
            resp_err(rs, &err);
            return;
        }
        bool truncated = n == fetch;
        size_t usable = n;
        /* When cut at the limit, rows sharing the last start may be only
         * some of those with that start: keep them for a bigger fetch. */
        if (truncated)
            while (usable > 0 && rows[usable - 1].start == rows[n - 1].start)
                usable--;
        if (usable > 1) /* rows may be NULL when there are none */
            qsort(rows, usable, sizeof *rows, cmp_start_id);
        size_t first = 0;
        while (first < usable && !after_cursor(&rows[first], cstart, cid))
            first++;
        size_t avail = usable - first;
        if (avail > limit || !truncated) {
            json_t *items = json_array();
            for (size_t i = first; i < usable && i < first + limit; i++) {
                json_array_append_new(
                    items, event_json(&rows[i], name_of(S, nm, rows[i].monitor_id), now));
            }
            char cursor[64];
            if (avail > limit) {
                const struct interval_row *last = &rows[first + limit - 1];
                query_format_cursor_pair(last->start, last->id, cursor, sizeof cursor);
            }
            resp_json(rs, 200, api_list(items, avail > limit ? cursor : NULL));
            store_interval_rows_free(rows, n);
            return;
        }
        store_interval_rows_free(rows, n);
        if (fetch >= EVENTS_FETCH_MAX) {
            resp_error(rs, 413, "too_large", "cursor",
                       "cursor: more than %d intervals start at one instant",
                       EVENTS_FETCH_MAX);
            return;
        }
        fetch *= 2;
    }
}

void api_monitor_events(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct names nm = {0};
    /* A one-row list, so that names_release frees it like any other. */
    nm.rows = xcalloc(1, sizeof *nm.rows);
    nm.n = 1;
    if (api_find_monitor(rq, &nm.rows[0], &err) != 0)
        resp_err(rs, &err);
    else
        events_page(rq, rs, nm.rows[0].id, &nm);
    names_release(&nm);
}

void api_events_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct names nm = {0};
    struct monitor_filter f = MONITOR_FILTER_ALL;
    if (store_monitor_list(rq->ctx->S, &f, &nm.rows, &nm.n, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    if (nm.n > 1)
        qsort(nm.rows, nm.n, sizeof *nm.rows, cmp_row_id);
    events_page(rq, rs, 0, &nm);
    names_release(&nm);
}
