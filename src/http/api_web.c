/* The web console's routes: its embedded files, the SVG charts and the live
 * stream. See api_web.h. */
#include "http/api_web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/auth_mw.h"
#include "kpi/avail.h"
#include "sched/engine.h"
#include "sched/maint.h"
#include "web/stream.h"
#include "web/svg.h"
#include "web/web.h"

#define CT_SVG "image/svg+xml; charset=utf-8"
#define CT_EVENTS "text/event-stream; charset=utf-8"

/* Raw results read for one latency chart at most (newest first, from the
 * newest): past that the chart uses the hourly rollups. */
#define RAW_SCAN_MAX 200000
#define RAW_PAGE 1000
/* Raw results up to this period; rollups beyond. */
#define RAW_PERIOD_MAX (2 * MS_PER_DAY)
/* State intervals loaded for one chart at most (400 otherwise). */
#define INTERVALS_MAX 1000000
#define STREAM_RETRY_S 2 /* a full hub frees departed clients' places at once */

/* ---- life cycle ------------------------------------------------------------------- */

bool api_web_is_api_path(const char *path)
{
    return path && strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
}

void api_web_start(struct api_ctx *ctx, struct engine *E)
{
    ctx->hub = web_hub_new(NULL);
    if (E && engine_on_transition(E, web_hub_on_transition, ctx->hub) != 0)
        log_warn("web: no room for the live stream's engine hook");
}

void api_web_shutdown(struct api_ctx *ctx)
{
    web_hub_shutdown(ctx->hub);
}

void api_web_stop(struct api_ctx *ctx, struct engine *E)
{
    if (!ctx->hub)
        return;
    if (E) /* waits for a call in flight: the hub can go after this */
        engine_off_transition(E, web_hub_on_transition, ctx->hub);
    web_hub_free(ctx->hub);
    ctx->hub = NULL;
}

/* ---- the console's files ------------------------------------------------------------ */

static bool has_asset_extension(const char *seg)
{
    static const char *const ext[] = {".js", ".mjs", ".css", ".json", ".svg", ".png", ".ico",
                                      ".map", ".txt", ".webmanifest", ".woff", ".woff2",
                                      ".jpg", ".jpeg", ".gif", ".webp", ".html"};
    const char *dot = strrchr(seg, '.');
    if (!dot)
        return false;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (strcmp(dot, ext[i]) == 0)
            return true;
    return false;
}

static void send_file(const struct http_req *rq, struct http_resp *rs, const struct web_file *f)
{
    resp_release(rs);
    if (web_etag_match(rq->if_none_match, f->etag))
        rs->status = 304;
    else
        resp_text(rs, 200, f->content_type, (const char *)f->data, f->len);
    snprintf(rs->etag, sizeof rs->etag, "%s", f->etag);
    /* The browser keeps the file but asks each time: a new build is seen at
     * once, an unchanged file costs a 304. */
    rs->cache_control = "no-cache";
}

void api_web_file(const struct http_req *rq, struct http_resp *rs)
{
    const struct route_match *m = rq->match;
    char path[ROUTE_PATH_MAX + 1] = "";
    size_t len = 0;
    bool plain = true; /* every segment a plain name: no "." or "..", no '/' inside */
    for (size_t i = 0; i < m->nparams; i++) {
        const char *seg = m->params[i].value;
        if (!strcmp(seg, ".") || !strcmp(seg, "..") || strchr(seg, '/'))
            plain = false;
        int n = snprintf(path + len, sizeof path - len, "%s%s", i ? "/" : "", seg);
        if (n < 0 || (size_t)n >= sizeof path - len) {
            plain = false;
            break;
        }
        len += (size_t)n;
    }
    const struct web_file *f = NULL;
    if (m->nparams == 0)
        f = web_find("index.html");
    else if (plain)
        f = web_find(path);
    if (f) {
        send_file(rq, rs, f);
        /* Most visits open the dashboard: its two lists start with the page
         * (the browser preloads them while the scripts load; the scripts'
         * own requests for the same URLs take the preloaded answers). */
        if (m->nparams == 0)
            rs->link = "</api/v1/systems>; rel=preload; as=fetch; crossorigin, "
                       "</api/v1/monitors?view=brief>; rel=preload; as=fetch; crossorigin";
        return;
    }
    /* "/%61pi/…" decodes to the API's prefix: not a page either. */
    bool asset = m->nparams > 0 && (web_has_dir(m->params[0].value) ||
                                    !strcmp(m->params[0].value, "api") ||
                                    (m->nparams == 1 && has_asset_extension(m->params[0].value)));
    const struct web_file *index = asset ? NULL : web_find("index.html");
    if (!index) {
        resp_error(rs, 404, "not_found", NULL, "no such file");
        return;
    }
    send_file(rq, rs, index); /* a client-side route: the page routes itself */
}

/* ---- chart parameters ---------------------------------------------------------------- */

struct chart_q {
    ms_t from, to, now;
    struct svg_opts o;
};

/* A pixel size: absent = 0 (the chart's default), else 1 to 5 digits. */
static int query_px(const struct query *q, const char *key, int *out, struct yw_err *err)
{
    const char *v = query_get(q, key);
    *out = 0;
    if (!v)
        return 0;
    long n = 0;
    size_t len = strlen(v);
    if (len == 0 || len > 5)
        return yw_fail_field(err, YW_EINVAL, key, "%s: must be a number of pixels", key);
    for (const char *p = v; *p; p++) {
        if (*p < '0' || *p > '9')
            return yw_fail_field(err, YW_EINVAL, key, "%s: must be a number of pixels", key);
        n = n * 10 + (*p - '0');
    }
    *out = (int)n;
    return 0;
}

static int chart_query(const struct http_req *rq, struct chart_q *c, struct yw_err *err)
{
    *c = (struct chart_q){0};
    c->o = (struct svg_opts)SVG_OPTS_INIT;
    c->now = time_now_ms();
    if (query_period(rq->query, c->now, QUERY_PERIOD_MAX, &c->from, &c->to, err) != 0)
        return -1;
    const char *lang = query_get(rq->query, "lang");
    if (lang && svg_lang_parse(lang, &c->o.lang) != 0)
        return yw_fail_field(err, YW_EINVAL, "lang", "lang: must be zh-CN or en");
    if (query_px(rq->query, "width", &c->o.width, err) != 0 ||
        query_px(rq->query, "height", &c->o.height, err) != 0)
        return -1;
    return svg_size_check(c->o.width, c->o.height, err);
}

static void answer_svg(struct http_resp *rs, struct buf *b)
{
    size_t n = b->len;
    resp_release(rs);
    rs->status = 200;
    rs->content_type = CT_SVG;
    rs->body = buf_take(b);
    rs->len = n;
}

/* ---- latency --------------------------------------------------------------------------- */

/* Adds the raw results of monitor_id in [from, to) to the buckets, newest
 * first. *reached: the scan got back to from (or to the oldest result). */
static int add_raw(struct store *S, int64_t monitor_id, ms_t from, ms_t to, struct svg_lat *b,
                   size_t nb, bool *reached, size_t *added, struct yw_err *err)
{
    int64_t before = 0;
    size_t scanned = 0;
    *reached = false;
    *added = 0;
    while (scanned < RAW_SCAN_MAX) {
        struct result_row *rows = NULL;
        size_t n = 0;
        if (store_results(S, monitor_id, before, RAW_PAGE, &rows, &n, err) != 0)
            return -1;
        bool done = n < RAW_PAGE;
        for (size_t i = 0; i < n; i++) {
            if (rows[i].ts < from) {
                done = true;
                break;
            }
            if (rows[i].ts < to) {
                svg_lat_add(b, nb, rows[i].ts, rows[i].ok, (double)rows[i].latency);
                (*added)++;
            }
        }
        if (n > 0)
            before = rows[n - 1].id;
        scanned += n;
        free(rows);
        if (done) {
            *reached = true;
            break;
        }
    }
    return 0;
}

void api_web_chart_latency(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct chart_q c;
    struct monitor_row mon = {0};
    struct rollup_row *ru = NULL;
    size_t nru = 0;
    struct svg_lat *b = NULL;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct store *S = rq->ctx->S;
    if (chart_query(rq, &c, &err) != 0 || api_find_monitor(rq, &mon, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    int W = c.o.width ? c.o.width : 800;
    size_t nb = (size_t)(W - 66) / 4;
    ms_t period = c.to - c.from;
    bool raw = period <= RAW_PERIOD_MAX;
    if (!raw && (size_t)(period / MS_PER_H) < nb) /* buckets of at least an hour */
        nb = (size_t)(period / MS_PER_H);
    nb = nb < 1 ? 1 : nb > SVG_BUCKETS_MAX ? SVG_BUCKETS_MAX : nb;
    b = xcalloc(nb, sizeof *b);
    svg_lat_init(b, nb, c.from, c.to);
    bool reached = false;
    size_t added = 0;
    if (raw && add_raw(S, mon.id, c.from, c.to, b, nb, &reached, &added, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    if (!raw || !reached || added == 0) {
        /* Rollups: for long periods, beyond retention, or when the raw scan
         * gave up; buckets of at least an hour. Then raw results for what no
         * rollup covers yet. */
        if ((size_t)(period / MS_PER_H) < nb && period >= MS_PER_H)
            nb = (size_t)(period / MS_PER_H);
        svg_lat_init(b, nb, c.from, c.to);
        if (store_rollups(S, mon.id, c.from, c.to, &ru, &nru, &err) != 0) {
            resp_err(rs, &err);
            goto out;
        }
        ms_t covered = c.from;
        for (size_t i = 0; i < nru; i++) {
            svg_lat_add_agg(b, nb, ru[i].hour, ru[i].checks, ru[i].failures, ru[i].lat_min,
                            ru[i].lat_avg, ru[i].lat_max);
            if (ru[i].hour + MS_PER_H > covered)
                covered = ru[i].hour + MS_PER_H;
        }
        if (covered < c.to &&
            add_raw(S, mon.id, covered, c.to, b, nb, &reached, &added, &err) != 0) {
            resp_err(rs, &err);
            goto out;
        }
    }
    c.o.title = mon.spec.title && *mon.spec.title ? mon.spec.title : mon.spec.name;
    if (svg_latency(&out, &c.o, c.from, c.to, b, nb, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    answer_svg(rs, &out);
out:
    buf_release(&out);
    free(ru);
    xfree(b);
    store_monitor_row_release(&mon);
}

/* ---- timelines ----------------------------------------------------------------------- */

/* The intervals of monitor_id (0 = every monitor) over [from, to), an open
 * one ending at min(now, to). At most INTERVALS_MAX. */
static int load_intervals(struct store *S, int64_t monitor_id, ms_t from, ms_t to,
                          struct interval_row **rows, size_t *n, struct yw_err *err)
{
    if (store_intervals(S, monitor_id, from, to, INTERVALS_MAX + 1, rows, n, err) != 0)
        return -1;
    if (*n > INTERVALS_MAX) {
        store_interval_rows_free(*rows, *n);
        *rows = NULL;
        *n = 0;
        return yw_fail_field(err, YW_EINVAL, "from",
                             "from: more than %d state changes in the period: choose a "
                             "shorter one",
                             INTERVALS_MAX);
    }
    return 0;
}

static ms_t interval_end(const struct interval_row *r, ms_t now, ms_t to)
{
    return r->end ? r->end : now < to ? now : to;
}

void api_web_chart_monitor_timeline(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct chart_q c;
    struct monitor_row mon = {0};
    struct interval_row *rows = NULL;
    size_t n = 0;
    struct svg_span *sp = NULL;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    if (chart_query(rq, &c, &err) != 0 || api_find_monitor(rq, &mon, &err) != 0 ||
        load_intervals(rq->ctx->S, mon.id, c.from, c.to, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    sp = xcalloc(n ? n : 1, sizeof *sp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        ms_t end = interval_end(&rows[i], c.now, c.to);
        if (end <= rows[i].start)
            continue;
        sp[k++] = (struct svg_span){rows[i].start, end, rows[i].state, rows[i].reason};
    }
    c.o.title = mon.spec.title && *mon.spec.title ? mon.spec.title : mon.spec.name;
    if (svg_timeline(&out, &c.o, c.from, c.to, sp, k, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    answer_svg(rs, &out);
out:
    buf_release(&out);
    xfree(sp);
    if (rows)
        store_interval_rows_free(rows, n);
    store_monitor_row_release(&mon);
}

/* Per monitor of a system, its kpi intervals over [from, to). */
struct system_tl {
    struct interval **tl;
    size_t *counts, n;
};

static void system_tl_release(struct system_tl *t)
{
    for (size_t i = 0; i < t->n; i++)
        xfree(t->tl[i]);
    xfree(t->tl);
    xfree(t->counts);
    *t = (struct system_tl){0};
}

/* The merged timeline of a system (api_systems_avail's rule: its critical
 * monitors, all of them when none is critical), from every monitor's
 * intervals in rows[0..nrows) (sorted by monitor as the store gives them or
 * not: matched by id). mons are the system's monitors. */
static struct interval *system_timeline(const struct monitor_row *mons, size_t nmons,
                                        const struct interval_row *rows, size_t nrows, ms_t from,
                                        ms_t to, ms_t now, size_t *nout)
{
    bool any_critical = false;
    for (size_t i = 0; i < nmons; i++)
        any_critical |= mons[i].spec.critical;
    struct system_tl t = {xcalloc(nmons ? nmons : 1, sizeof *t.tl),
                          xcalloc(nmons ? nmons : 1, sizeof *t.counts), 0};
    for (size_t i = 0; i < nmons; i++) {
        if (any_critical && !mons[i].spec.critical)
            continue;
        size_t cnt = 0;
        for (size_t r = 0; r < nrows; r++)
            cnt += rows[r].monitor_id == mons[i].id;
        struct interval *iv = xcalloc(cnt ? cnt : 1, sizeof *iv);
        size_t k = 0;
        for (size_t r = 0; r < nrows; r++) {
            if (rows[r].monitor_id != mons[i].id)
                continue;
            ms_t end = interval_end(&rows[r], now, to);
            if (end > rows[r].start)
                iv[k++] = (struct interval){rows[r].start, end, rows[r].state};
        }
        t.tl[t.n] = iv;
        t.counts[t.n++] = k;
    }
    struct interval *merged = avail_merge_system((const struct interval *const *)t.tl, t.counts,
                                                 t.n, from, to, nout);
    system_tl_release(&t);
    return merged;
}

void api_web_chart_system_timeline(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct chart_q c;
    struct system_row sys = {0};
    struct monitor_row *mons = NULL;
    size_t nmons = 0;
    struct interval_row *rows = NULL;
    size_t nrows = 0;
    struct interval *merged = NULL;
    size_t nmerged = 0;
    struct svg_span *sp = NULL;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct store *S = rq->ctx->S;
    struct monitor_filter f = MONITOR_FILTER_ALL;
    if (chart_query(rq, &c, &err) != 0 || api_find_system(rq, &sys, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    f.system_id = sys.id;
    if (store_monitor_list(S, &f, &mons, &nmons, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    /* One query per monitor keeps each within the limit and reads only this
     * system's intervals. */
    for (size_t i = 0; i < nmons; i++) {
        struct interval_row *one = NULL;
        size_t n1 = 0;
        if (load_intervals(S, mons[i].id, c.from, c.to, &one, &n1, &err) != 0) {
            resp_err(rs, &err);
            goto out;
        }
        if (nrows + n1 > INTERVALS_MAX) {
            store_interval_rows_free(one, n1);
            yw_fail_field(&err, YW_EINVAL, "from",
                          "from: more than %d state changes in the period: choose a shorter one",
                          INTERVALS_MAX);
            resp_err(rs, &err);
            goto out;
        }
        if (n1 > 0) {
            rows = xrealloc(rows, (nrows + n1) * sizeof *rows);
            memcpy(rows + nrows, one, n1 * sizeof *one); /* the reasons move with them */
            nrows += n1;
        }
        free(one);
    }
    merged = system_timeline(mons, nmons, rows, nrows, c.from, c.to, c.now, &nmerged);
    sp = xcalloc(nmerged ? nmerged : 1, sizeof *sp);
    for (size_t i = 0; i < nmerged; i++)
        sp[i] = (struct svg_span){merged[i].start, merged[i].end, merged[i].state, NULL};
    c.o.title = sys.spec.title && *sys.spec.title ? sys.spec.title : sys.spec.name;
    if (svg_timeline(&out, &c.o, c.from, c.to, sp, nmerged, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    answer_svg(rs, &out);
out:
    buf_release(&out);
    xfree(sp);
    xfree(merged);
    if (rows)
        store_interval_rows_free(rows, nrows);
    if (mons)
        store_monitor_rows_free(mons, nmons);
    store_system_row_release(&sys);
}

/* ---- availability bars ---------------------------------------------------------------- */

static bool names_system(const struct maint_spec *w, const char *system)
{
    for (size_t i = 0; i < w->nsystems; i++)
        if (strcmp(w->systems[i], system) == 0)
            return true;
    return false;
}

static int cmp_system(const void *a, const void *b)
{
    const struct system_row *x = a, *y = b;
    if (x->spec.tier != y->spec.tier)
        return x->spec.tier == TIER_KEY ? -1 : 1;
    return strcmp(x->spec.name, y->spec.name);
}

static int cmp_row_monitor(const void *a, const void *b)
{
    const struct interval_row *x = a, *y = b;
    if (x->monitor_id != y->monitor_id)
        return (x->monitor_id > y->monitor_id) - (x->monitor_id < y->monitor_id);
    return (x->start > y->start) - (x->start < y->start);
}

void api_web_chart_availability(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct chart_q c;
    struct store *S = rq->ctx->S;
    struct system_row *sys = NULL;
    size_t nsys = 0;
    struct monitor_row *mons = NULL;
    size_t nmons = 0;
    struct maint_row *wins = NULL;
    size_t nwins = 0;
    struct interval_row *rows = NULL;
    size_t nrows = 0;
    struct svg_bar *bars = NULL;
    struct monitor_row *group = NULL;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct monitor_filter f = MONITOR_FILTER_ALL;
    if (chart_query(rq, &c, &err) != 0 || store_system_list(S, &sys, &nsys, &err) != 0 ||
        store_monitor_list(S, &f, &mons, &nmons, &err) != 0 ||
        store_maint_list(S, &wins, &nwins, &err) != 0 ||
        load_intervals(S, 0, c.from, c.to, &rows, &nrows, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    if (nsys > SVG_BARS_MAX) {
        resp_error(rs, 400, "invalid", NULL, "more than %d systems: the chart would be unreadable",
                   SVG_BARS_MAX);
        goto out;
    }
    if (nsys > 1)
        qsort(sys, nsys, sizeof *sys, cmp_system);
    /* Intervals grouped by monitor, so that each system takes its slice. */
    if (nrows > 1)
        qsort(rows, nrows, sizeof *rows, cmp_row_monitor);
    bars = xcalloc(nsys ? nsys : 1, sizeof *bars);
    group = xcalloc(nmons ? nmons : 1, sizeof *group);
    for (size_t s = 0; s < nsys; s++) {
        size_t ng = 0;
        for (size_t i = 0; i < nmons; i++)
            if (mons[i].system_id == sys[s].id)
                group[ng++] = mons[i]; /* shallow: the strings stay mons' */
        /* The system's monitors' intervals: binary search each one's slice. */
        size_t nsub = 0;
        struct interval_row *sub = NULL;
        for (size_t i = 0; i < ng; i++) {
            size_t lo = 0, hi = nrows;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (rows[mid].monitor_id < group[i].id)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            size_t e = lo;
            while (e < nrows && rows[e].monitor_id == group[i].id)
                e++;
            if (e > lo) {
                sub = xrealloc(sub, (nsub + e - lo) * sizeof *sub);
                memcpy(sub + nsub, rows + lo, (e - lo) * sizeof *sub); /* shallow */
                nsub += e - lo;
            }
        }
        size_t nmerged = 0;
        struct interval *merged =
            system_timeline(group, ng, sub, nsub, c.from, c.to, c.now, &nmerged);
        xfree(sub);
        struct span *spans = NULL;
        size_t nspans = 0, cap = 0;
        for (size_t i = 0; i < nwins; i++)
            if (names_system(&wins[i].spec, sys[s].spec.name))
                maint_occurrences(&wins[i].spec, c.from, c.to, &spans, &nspans, &cap);
        struct avail a;
        avail_compute(merged, nmerged, spans, nspans, c.from, c.to, &a);
        xfree(spans);
        xfree(merged);
        bars[s].label = sys[s].spec.title && *sys[s].spec.title ? sys[s].spec.title
                                                                 : sys[s].spec.name;
        bars[s].defined = a.pct_defined;
        bars[s].pct = a.pct;
    }
    if (svg_availability(&out, &c.o, c.from, c.to, bars, nsys, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    answer_svg(rs, &out);
out:
    buf_release(&out);
    xfree(group);
    xfree(bars);
    if (rows)
        store_interval_rows_free(rows, nrows);
    if (wins)
        store_maint_rows_free(wins, nwins);
    if (mons)
        store_monitor_rows_free(mons, nmons);
    if (sys)
        store_system_rows_free(sys, nsys);
}

/* ---- the live stream --------------------------------------------------------------------- */

static long stream_read(void *arg, char *out, size_t max, const struct http_waker *w)
{
    struct web_waker ww = {NULL, NULL, NULL};
    if (w)
        ww = (struct web_waker){w->park, w->wake, w->conn};
    return (long)web_sub_read(arg, out, max, w ? &ww : NULL);
}

static void stream_close(void *arg)
{
    web_sub_close(arg);
}

void api_web_stream(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    if (!rq->ctx->hub) {
        resp_error(rs, 503, "unavailable", NULL, "live updates are not available");
        return;
    }
    struct web_sub *sub = web_sub_open(rq->ctx->hub, &err);
    if (!sub) {
        rs->retry_after = STREAM_RETRY_S;
        resp_error(rs, 503, "unavailable", NULL, "实时更新连接已满，请稍后重试 / %s", err.msg);
        return;
    }
    /* A session's stream ends when the session would (the browser then
     * reconnects, and the server checks the session again). */
    const struct auth_result *ar = rq->priv ? rq->priv->auth : NULL;
    if (ar && ar->via_cookie && ar->session_expires > 0)
        web_sub_limit(sub, ar->session_expires - time_now_ms());
    resp_release(rs);
    rs->status = 200;
    rs->content_type = CT_EVENTS;
    rs->stream = (struct http_stream){stream_read, stream_close, sub};
}

/* ---- the tables --------------------------------------------------------------------------- */

const struct route api_web_routes[] = {
    {"GET", "/api/v1/stream", api_web_stream, ACT_OPS_READ, ROUTE_BACKGROUND, NULL, NULL},
    {"GET", "/api/v1/chart/availability.svg", api_web_chart_availability, ACT_OPS_READ, 0, NULL,
     NULL},
    {"GET", "/api/v1/monitors/{id}/chart/latency.svg", api_web_chart_latency, ACT_OPS_READ, 0,
     NULL, NULL},
    {"GET", "/api/v1/monitors/{id}/chart/timeline.svg", api_web_chart_monitor_timeline,
     ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/systems/{id}/chart/timeline.svg", api_web_chart_system_timeline,
     ACT_OPS_READ, 0, NULL, NULL},
};
const size_t api_web_nroutes = sizeof api_web_routes / sizeof api_web_routes[0];

/* Public: the files hold no data (docs/console.md). act is then ignored. */
const struct route api_web_console_routes[] = {
    {"GET", "/", api_web_file, ACT_OPS_READ, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/{a}", api_web_file, ACT_OPS_READ, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/{a}/{b}", api_web_file, ACT_OPS_READ, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/{a}/{b}/{c}", api_web_file, ACT_OPS_READ, ROUTE_PUBLIC, NULL, NULL},
    {"GET", "/{a}/{b}/{c}/{d}", api_web_file, ACT_OPS_READ, ROUTE_PUBLIC, NULL, NULL},
};
const size_t api_web_console_nroutes =
    sizeof api_web_console_routes / sizeof api_web_console_routes[0];
