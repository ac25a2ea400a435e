/*
 * metrics — the period figures, from the clocks of sla.c.
 *
 * Choices the header leaves open, made here once:
 * - Only incidents with notice in [from, to) are counted, even if the caller
 *   passes others (a caller that already filtered loses nothing).
 * - Times to respond and to resolve are counted time under the policy (wall
 *   time in 7×24; the resolution time without vendor waits and resolved
 *   spans), over every incident that responded / was resolved by now,
 *   whether or not its level keeps that clock.
 * - p90 is the nearest-rank percentile: the value at rank ceil(0.9 × N) of
 *   the values sorted ascending (no interpolation, so it is always a time
 *   that really happened).
 * - Breaches are those of the period's incidents up to now, whenever they
 *   happened (an incident noticed on the last evening may breach after to).
 * - Fault reports: reports_due counts reports whose due instant is at or
 *   before now; on time / late count every report submitted by now
 *   (submitted at or before the due instant is on time); overdue counts
 *   unsubmitted reports whose due instant has passed (now > due).
 */
#include "incident/metrics.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

static int ms_cmp(const void *x, const void *y)
{
    ms_t a = *(const ms_t *)x, b = *(const ms_t *)y;
    return (a > b) - (a < b);
}

static int breach_cmp(const void *x, const void *y)
{
    const struct sla_breach *a = x, *b = y;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    if (a->incident_id != b->incident_id)
        return a->incident_id < b->incident_id ? -1 : 1;
    return (int)a->clock - (int)b->clock;
}

/* Mean and nearest-rank p90 of v[0..n) (sorted in place); -1 when n is 0. */
static void mean_p90(ms_t *v, size_t n, double *mean, double *p90)
{
    if (n == 0) {
        *mean = *p90 = -1;
        return;
    }
    qsort(v, n, sizeof *v, ms_cmp);
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)v[i];
    *mean = sum / (double)n;
    size_t rank = (9 * n + 9) / 10; /* ceil(0.9 n), >= 1 */
    *p90 = (double)v[rank - 1];
}

/* Counted resolution time: both kinds of excluded span go to sla_counted,
 * which merges them (they may overlap). */
static ms_t resolve_time(const struct incident *inc, const struct sla_policy *p)
{
    size_t ns = inc->resolved_spans ? inc->nresolved_spans : 0;
    size_t np = inc->pauses ? inc->npauses : 0;
    struct inc_span *ex = NULL;
    if (ns + np) {
        ex = xmalloc((ns + np) * sizeof *ex);
        if (ns)
            memcpy(ex, inc->resolved_spans, ns * sizeof *ex);
        if (np)
            memcpy(ex + ns, inc->pauses, np * sizeof *ex);
    }
    ms_t t = sla_counted(p, inc->notice, inc->resolved, ex, ns + np);
    xfree(ex);
    return t;
}

void sla_figures_compute(const struct incident *incs, size_t n, const struct sla_policy *p,
                         ms_t from, ms_t to, ms_t now, ms_t down_ms, ms_t planned_ms,
                         struct sla_figures *out)
{
    memset(out, 0, sizeof *out);
    out->from = from;
    out->to = to;
    out->now = now;
    ms_t *resp = xmalloc((n ? n : 1) * sizeof *resp);
    ms_t *reso = xmalloc((n ? n : 1) * sizeof *reso);
    size_t nresp = 0, nreso = 0, cap = 0;

    for (size_t i = 0; i < n; i++) {
        const struct incident *inc = &incs[i];
        if (inc->notice < from || inc->notice >= to)
            continue;
        out->total++;
        int lv = inc->level >= INC_LEVEL_MIN && inc->level <= INC_LEVEL_MAX ? inc->level
                                                                             : INC_LEVEL_MAX;
        out->by_level[lv]++;
        if ((int)inc->source >= 0 && (int)inc->source < SRC__COUNT)
            out->by_source[inc->source]++;

        struct sla_clock_state st[CLOCK__COUNT];
        sla_eval(inc, p, now, st);

        if (inc->responded != 0 && inc->responded <= now) {
            out->responded++;
            /* a level that keeps no response clock has no target to miss */
            if (st[CLOCK_RESPONSE].status == SLA_MET || st[CLOCK_RESPONSE].status == SLA_OFF)
                out->responded_in_time++;
            resp[nresp++] = sla_counted(p, inc->notice, inc->responded, NULL, 0);
        }
        if ((inc->state == INC_RESOLVED || inc->state == INC_CLOSED) && inc->resolved != 0 &&
            inc->resolved <= now)
            reso[nreso++] = resolve_time(inc, p);

        for (int c = 0; c < CLOCK__COUNT; c++) {
            struct sla_clock_figures *cf = &out->clocks[c];
            switch (st[c].status) {
            case SLA_OFF:
                continue;
            case SLA_MET:
                cf->met++;
                break;
            case SLA_MISSED:
            case SLA_BREACHED:
                cf->missed++;
                XGROW(out->breaches, cap, out->nbreaches + 1);
                out->breaches[out->nbreaches++] = (struct sla_breach){
                    .incident_id = inc->id, .clock = (enum sla_clock)c, .at = st[c].breach_at,
                    .level = lv};
                break;
            case SLA_RUNNING:
            case SLA_WARNING:
            case SLA_PAUSED:
                cf->running++;
                break;
            }
            cf->kept++;
        }

        if (inc->report_due != 0) {
            if (inc->report_due <= now)
                out->reports_due++;
            if (inc->report_submitted != 0 && inc->report_submitted <= now) {
                if (inc->report_submitted <= inc->report_due)
                    out->reports_on_time++;
                else
                    out->reports_late++;
            } else if (now > inc->report_due) {
                out->reports_overdue++;
            }
        }
    }

    out->response_rate = out->total ? (double)out->responded / out->total : -1;
    for (int c = 0; c < CLOCK__COUNT; c++) {
        struct sla_clock_figures *cf = &out->clocks[c];
        int decided = cf->met + cf->missed;
        cf->compliance = decided ? (double)cf->met / decided : -1;
    }
    mean_p90(resp, nresp, &out->respond_mean_ms, &out->respond_p90_ms);
    mean_p90(reso, nreso, &out->resolve_mean_ms, &out->resolve_p90_ms);
    xfree(resp);
    xfree(reso);
    if (out->nbreaches > 1)
        qsort(out->breaches, out->nbreaches, sizeof *out->breaches, breach_cmp);

    out->down_ms = down_ms;
    out->planned_ms = planned_ms;
    out->period_ms = to > from ? to - from : 0;
    ms_t base = out->period_ms - planned_ms;
    out->fault_rate = base > 0 ? (double)down_ms / (double)base : -1;
}

void sla_figures_release(struct sla_figures *f)
{
    if (!f)
        return;
    xfree(f->breaches);
    memset(f, 0, sizeof *f);
}

/* ---- output ------------------------------------------------------------- */

static ms_t round_ms(double v)
{
    return (ms_t)(v + 0.5);
}

static json_t *j_time(ms_t t)
{
    char s[48];
    time_format_rfc3339(t, s, sizeof s);
    return json_string(s);
}

static json_t *j_rate(double v)
{
    return v < 0 ? json_null() : json_real(v);
}

/* A duration as "<key>_ms" (a number) and "<key>" (text), both null when
 * there is none (v < 0). */
static void j_duration(json_t *o, const char *key, double v)
{
    char k[64], text[64];
    snprintf(k, sizeof k, "%s_ms", key);
    if (v < 0) {
        json_object_set_new(o, k, json_null());
        json_object_set_new(o, key, json_null());
        return;
    }
    ms_t ms = round_ms(v);
    time_format_duration(ms, text, sizeof text);
    json_object_set_new(o, k, json_integer(ms));
    json_object_set_new(o, key, json_string(text));
}

char *sla_figures_to_json(const struct sla_figures *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "from", j_time(f->from));
    json_object_set_new(o, "to", j_time(f->to));
    json_object_set_new(o, "now", j_time(f->now));
    json_object_set_new(o, "total", json_integer(f->total));

    json_t *lv = json_object();
    for (int l = INC_LEVEL_MIN; l <= INC_LEVEL_MAX; l++) {
        char k[4];
        snprintf(k, sizeof k, "%d", l);
        json_object_set_new(lv, k, json_integer(f->by_level[l]));
    }
    json_object_set_new(o, "by_level", lv);
    json_t *src = json_object();
    for (int s = 0; s < SRC__COUNT; s++)
        json_object_set_new(src, inc_source_name((enum inc_source)s), json_integer(f->by_source[s]));
    json_object_set_new(o, "by_source", src);

    json_object_set_new(o, "responded", json_integer(f->responded));
    json_object_set_new(o, "responded_in_time", json_integer(f->responded_in_time));
    json_object_set_new(o, "response_rate", j_rate(f->response_rate));

    json_t *clocks = json_object();
    for (int c = 0; c < CLOCK__COUNT; c++) {
        const struct sla_clock_figures *cf = &f->clocks[c];
        json_object_set_new(clocks, sla_clock_name((enum sla_clock)c),
                            json_pack("{sisisisiso}", "kept", cf->kept, "met", cf->met, "missed",
                                      cf->missed, "running", cf->running, "compliance",
                                      j_rate(cf->compliance)));
    }
    json_object_set_new(o, "clocks", clocks);

    j_duration(o, "respond_mean", f->respond_mean_ms);
    j_duration(o, "respond_p90", f->respond_p90_ms);
    j_duration(o, "resolve_mean", f->resolve_mean_ms);
    j_duration(o, "resolve_p90", f->resolve_p90_ms);

    json_t *br = json_array();
    for (size_t i = 0; i < f->nbreaches; i++) {
        const struct sla_breach *b = &f->breaches[i];
        json_array_append_new(br, json_pack("{sIsssosi}", "incident_id", (json_int_t)b->incident_id,
                                            "clock", sla_clock_name(b->clock), "at", j_time(b->at),
                                            "level", b->level));
    }
    json_object_set_new(o, "breaches", br);

    json_object_set_new(o, "reports_due", json_integer(f->reports_due));
    json_object_set_new(o, "reports_on_time", json_integer(f->reports_on_time));
    json_object_set_new(o, "reports_late", json_integer(f->reports_late));
    json_object_set_new(o, "reports_overdue", json_integer(f->reports_overdue));

    j_duration(o, "down", (double)f->down_ms);
    j_duration(o, "planned", (double)f->planned_ms);
    j_duration(o, "period", (double)f->period_ms);
    json_object_set_new(o, "fault_rate", j_rate(f->fault_rate));

    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s) { /* jansson's malloc failed: fatal, as in core/mem.h */
        fprintf(stderr, "yunwei: out of memory writing the SLA figures\n");
        abort();
    }
    return s;
}

/* The table is written line by line into a scratch buffer; the first line
 * that does not fit stops it, so that a caller never gets half a table:
 * like buf itself, out is then left empty. */
struct table {
    struct buf b;
    bool failed;
};

__attribute__((format(printf, 2, 3))) static void put(struct table *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof line || buf_add(&t->b, line, (size_t)len) != 0)
        t->failed = true;
}

static void pct(char *s, size_t n, double rate, int decimals)
{
    if (rate < 0)
        snprintf(s, n, "—");
    else
        snprintf(s, n, "%.*f%%", decimals, rate * 100);
}

static void dur(char *s, size_t n, double ms)
{
    if (ms < 0)
        snprintf(s, n, "—");
    else
        time_format_duration(round_ms(ms), s, n);
}

static const char *const level_zh[INC_LEVEL_MAX + 1] = {"", "一级", "二级", "三级", "四级"};

void sla_figures_text(const struct sla_figures *f, struct buf *out)
{
    struct table t = {BUF_INIT(out->max), false};
    char a[48], b[48], c[48];
    time_format_rfc3339(f->from, a, sizeof a);
    time_format_rfc3339(f->to, b, sizeof b);
    put(&t, "统计期间 (period): %s — %s\n", a, b);
    time_format_rfc3339(f->now, a, sizeof a);
    put(&t, "统计时刻 (as of): %s\n", a);
    put(&t, "故障总数 (incidents): %d\n", f->total);
    for (int l = INC_LEVEL_MIN; l <= INC_LEVEL_MAX; l++)
        put(&t, "  %s故障 (level %d): %d\n", level_zh[l], l, f->by_level[l]);
    for (int s = 0; s < SRC__COUNT; s++)
        put(&t, "  来源·%s (source %s): %d\n", inc_source_title_zh((enum inc_source)s),
            inc_source_name((enum inc_source)s), f->by_source[s]);

    pct(a, sizeof a, f->response_rate, 2);
    put(&t, "响应率 (response rate): %s (%d/%d)\n", a, f->responded, f->total);
    put(&t, "按时响应 (responded in time): %d\n", f->responded_in_time);
    for (int k = 0; k < CLOCK__COUNT; k++) {
        const struct sla_clock_figures *cf = &f->clocks[k];
        pct(a, sizeof a, cf->compliance, 2);
        put(&t, "%s时限达标率 (%s compliance): %s (计时 kept %d, 达标 met %d, 超时 missed %d, "
                "进行中 running %d)\n",
            sla_clock_title_zh((enum sla_clock)k), sla_clock_name((enum sla_clock)k), a, cf->kept,
            cf->met, cf->missed, cf->running);
    }

    dur(a, sizeof a, f->respond_mean_ms);
    put(&t, "平均响应时间 (mean time to respond): %s\n", a);
    dur(a, sizeof a, f->respond_p90_ms);
    put(&t, "响应时间P90 (p90 time to respond): %s\n", a);
    dur(a, sizeof a, f->resolve_mean_ms);
    put(&t, "平均解决时间 (mean time to resolve): %s\n", a);
    dur(a, sizeof a, f->resolve_p90_ms);
    put(&t, "解决时间P90 (p90 time to resolve): %s\n", a);

    put(&t, "超时记录 (breaches): %zu\n", f->nbreaches);
    for (size_t i = 0; i < f->nbreaches; i++) {
        const struct sla_breach *br = &f->breaches[i];
        int l = br->level >= INC_LEVEL_MIN && br->level <= INC_LEVEL_MAX ? br->level : 0;
        time_format_rfc3339(br->at, a, sizeof a);
        put(&t, "  #%lld %s%s超时 (level %d %s breached) %s\n", (long long)br->incident_id,
            level_zh[l], sla_clock_title_zh(br->clock), br->level, sla_clock_name(br->clock), a);
    }

    put(&t, "故障报告 (fault reports): 已到期 (due) %d, 按时 (on time) %d, 迟交 (late) %d, "
            "逾期未交 (overdue) %d\n",
        f->reports_due, f->reports_on_time, f->reports_late, f->reports_overdue);

    pct(a, sizeof a, f->fault_rate, 3);
    put(&t, "故障率 (fault rate): %s (故障 down ", a);
    dur(a, sizeof a, (double)f->down_ms);
    dur(b, sizeof b, (double)f->planned_ms);
    dur(c, sizeof c, (double)f->period_ms);
    put(&t, "%s, 计划停机 planned %s, 期间 period %s)\n", a, b, c);

    if (t.failed || buf_add(out, buf_str(&t.b), t.b.len) != 0)
        buf_release(out);
    buf_release(&t.b);
}
