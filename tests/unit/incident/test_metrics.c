/*
 * Unit tests of the period figures (contract §2/§3: response rate 100 %,
 * the three clocks, fault reports within 3 working days, fault rate < 1 %).
 * The month is November 2026 in Asia/Shanghai, figures taken at
 * 2026-11-30 12:00; the policy is the default (30 min / 1 h / 8 h, 7×24).
 * Every expectation is worked out by hand beside the incident it comes from.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/buf.h"
#include "core/mem.h"
#include "incident/metrics.h"
#include "t.h"

static ms_t T(const char *s)
{
    ms_t t;
    if (time_parse_rfc3339(s, &t) != 0) {
        printf("Bail out! bad time in test: %s\n", s);
        exit(2);
    }
    return t;
}

#define NOV(d, hms) T("2026-11-" d "T" hms "+08:00")
#define MIN(m) ((ms_t)(m) * MS_PER_MIN)
#define HRS(h) ((ms_t)(h) * MS_PER_H)
#define N(arr) (sizeof(arr) / sizeof((arr)[0]))

#define FROM NOV("01", "00:00:00")
#define TO T("2026-12-01T00:00:00+08:00")
#define NOW NOV("30", "12:00:00")

static struct incident mk(int64_t id, int level, enum inc_source src, ms_t notice)
{
    struct incident inc = {0};
    inc.id = id;
    inc.level = level;
    inc.source = src;
    inc.state = INC_NEW;
    inc.notice = notice;
    return inc;
}

static struct inc_span b_pause[1];

/* The month's incidents (and two outside it). */
static size_t month(struct incident *v)
{
    size_t n = 0;
    struct incident a = mk(1, 1, SRC_MONITOR, NOV("02", "10:00:00"));
    a.responded = NOV("02", "10:10:00"); /* response met, 10 min */
    a.onsite_needed = true;
    a.onsite = NOV("02", "10:50:00");    /* on site met, 50 min */
    a.resolved = NOV("02", "14:00:00");  /* resolve met, 4 h */
    a.state = INC_CLOSED;
    a.report_due = NOV("05", "00:00:00");
    a.report_submitted = NOV("04", "10:00:00"); /* on time */
    v[n++] = a;

    struct incident b = mk(2, 2, SRC_PHONE, NOV("03", "09:00:00"));
    b.responded = NOV("03", "09:40:00"); /* response missed, 40 min, breach 09:30 */
    b.resolved = NOV("03", "19:00:00");  /* 10 h wall − 2 h vendor = 8 h: met */
    b_pause[0] = (struct inc_span){NOV("03", "10:00:00"), NOV("03", "12:00:00")};
    b.vendor = true;
    b.pauses = b_pause;
    b.npauses = 1;
    b.state = INC_RESOLVED;
    b.report_due = NOV("06", "00:00:00");
    b.report_submitted = NOV("06", "10:00:00"); /* late */
    v[n++] = b;

    struct incident c = mk(3, 2, SRC_WECHAT, NOV("10", "08:00:00"));
    c.responded = NOV("10", "08:20:00"); /* met, 20 min */
    c.onsite_needed = true;
    c.onsite = NOV("10", "09:30:00");    /* missed, breach 09:00 */
    c.resolved = NOV("10", "20:00:00");  /* 12 h: missed, breach 16:00 */
    c.state = INC_CLOSED;
    c.report_due = NOV("13", "00:00:00"); /* never submitted: overdue */
    v[n++] = c;

    /* not responded: response breached 29th 20:30, resolve 30th 04:00 */
    v[n++] = mk(4, 3, SRC_MONITOR, NOV("29", "20:00:00"));

    struct incident e = mk(5, 4, SRC_USER, NOV("30", "11:00:00"));
    e.responded = NOV("30", "11:05:00"); /* met, 5 min; resolve running */
    e.state = INC_RESPONDED;
    v[n++] = e;

    v[n++] = mk(6, 1, SRC_PHONE, T("2026-10-31T23:00:00+08:00")); /* October: left out */

    v[n++] = mk(7, 1, SRC_EMAIL, NOV("30", "11:50:00")); /* response running, 10 min */

    struct incident h = mk(8, 4, SRC_INSPECTION, NOV("28", "09:00:00"));
    h.responded = NOV("28", "09:10:00"); /* met, 10 min */
    h.resolved = NOV("28", "10:00:00");  /* met, 1 h */
    h.state = INC_CLOSED;
    h.report_due = T("2026-12-02T00:00:00+08:00"); /* not due yet, not submitted */
    v[n++] = h;

    v[n++] = mk(9, 1, SRC_PHONE, TO); /* December: left out */
    return n;
}

TEST(counts_rates_and_compliance)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident v[16];
    size_t n = month(v);
    struct sla_figures f;
    sla_figures_compute(v, n, &p, FROM, TO, NOW, HRS(7), HRS(20), &f);

    CHECK_INT(f.from, FROM);
    CHECK_INT(f.to, TO);
    CHECK_INT(f.now, NOW);
    CHECK_INT(f.total, 7); /* 1,2,3,4,5,7,8 */
    CHECK_INT(f.by_level[1], 2); /* 1, 7 */
    CHECK_INT(f.by_level[2], 2); /* 2, 3 */
    CHECK_INT(f.by_level[3], 1); /* 4 */
    CHECK_INT(f.by_level[4], 2); /* 5, 8 */
    CHECK_INT(f.by_source[SRC_MONITOR], 2);
    CHECK_INT(f.by_source[SRC_INSPECTION], 1);
    CHECK_INT(f.by_source[SRC_PHONE], 1);
    CHECK_INT(f.by_source[SRC_WECHAT], 1);
    CHECK_INT(f.by_source[SRC_EMAIL], 1);
    CHECK_INT(f.by_source[SRC_ONSITE], 0);
    CHECK_INT(f.by_source[SRC_USER], 1);

    /* responded 1,2,3,5,8; in time all but 2; 4 and 7 not responded */
    CHECK_INT(f.responded, 5);
    CHECK_INT(f.responded_in_time, 4);
    CHECK_DBL(f.response_rate, 5.0 / 7.0, 1e-12);

    const struct sla_clock_figures *r = &f.clocks[CLOCK_RESPONSE];
    CHECK_INT(r->kept, 7);
    CHECK_INT(r->met, 4);     /* 1,3,5,8 */
    CHECK_INT(r->missed, 2);  /* 2 (stopped late), 4 (running past) */
    CHECK_INT(r->running, 1); /* 7 */
    CHECK_DBL(r->compliance, 4.0 / 6.0, 1e-12);
    const struct sla_clock_figures *o = &f.clocks[CLOCK_ONSITE];
    CHECK_INT(o->kept, 2); /* only 1 and 3 needed someone on site */
    CHECK_INT(o->met, 1);
    CHECK_INT(o->missed, 1);
    CHECK_INT(o->running, 0);
    CHECK_DBL(o->compliance, 0.5, 1e-12);
    const struct sla_clock_figures *z = &f.clocks[CLOCK_RESOLVE];
    CHECK_INT(z->kept, 7);
    CHECK_INT(z->met, 3);     /* 1, 2 (8 h exactly), 8 */
    CHECK_INT(z->missed, 2);  /* 3, 4 */
    CHECK_INT(z->running, 2); /* 5, 7 */
    CHECK_DBL(z->compliance, 0.6, 1e-12);

    /* respond: 5,10,10,20,40 min → mean 17 min; p90 rank ceil(4.5)=5 → 40 */
    CHECK_DBL(f.respond_mean_ms, (double)MIN(17), 1e-6);
    CHECK_DBL(f.respond_p90_ms, (double)MIN(40), 1e-6);
    /* resolve: 1,4,8,12 h (2's vendor wait out) → mean 6 h 15; p90 rank 4 → 12 h */
    CHECK_DBL(f.resolve_mean_ms, (double)(HRS(6) + MIN(15)), 1e-6);
    CHECK_DBL(f.resolve_p90_ms, (double)HRS(12), 1e-6);

    /* reports: due by now 1,2,3 (8's is due 2 December) */
    CHECK_INT(f.reports_due, 3);
    CHECK_INT(f.reports_on_time, 1);
    CHECK_INT(f.reports_late, 1);
    CHECK_INT(f.reports_overdue, 1);

    /* 7 h down over 720 h − 20 h planned = 1 % */
    CHECK_INT(f.period_ms, HRS(720));
    CHECK_INT(f.down_ms, HRS(7));
    CHECK_INT(f.planned_ms, HRS(20));
    CHECK_DBL(f.fault_rate, 0.01, 1e-12);
    sla_figures_release(&f);
    CHECK(f.breaches == NULL && f.nbreaches == 0 && f.total == 0);
    sla_figures_release(&f); /* again: harmless */
}

TEST(breaches_by_time)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident v[16];
    size_t n = month(v);
    struct sla_figures f;
    sla_figures_compute(v, n, &p, FROM, TO, NOW, 0, 0, &f);
    struct {
        int64_t id;
        enum sla_clock c;
        ms_t at;
        int level;
    } want[] = {
        {2, CLOCK_RESPONSE, NOV("03", "09:30:00"), 2},
        {3, CLOCK_ONSITE, NOV("10", "09:00:00"), 2},
        {3, CLOCK_RESOLVE, NOV("10", "16:00:00"), 2},
        {4, CLOCK_RESPONSE, NOV("29", "20:30:00"), 3},
        {4, CLOCK_RESOLVE, NOV("30", "04:00:00"), 3},
    };
    CHECK_INT(f.nbreaches, N(want));
    for (size_t i = 0; i < N(want) && i < f.nbreaches; i++) {
        CHECK_INT(f.breaches[i].incident_id, want[i].id);
        CHECK_INT(f.breaches[i].clock, want[i].c);
        CHECK_INT(f.breaches[i].at, want[i].at);
        CHECK_INT(f.breaches[i].level, want[i].level);
    }
    sla_figures_release(&f);

    /* earlier, at the 29th 20:15, incident 4 had not breached yet (15 min
     * in); 5 and 7, noticed later, count as clocks not yet started */
    sla_figures_compute(v, n, &p, FROM, TO, NOV("29", "20:15:00"), 0, 0, &f);
    CHECK_INT(f.nbreaches, 3);
    CHECK_INT(f.clocks[CLOCK_RESPONSE].running, 3); /* 4, 5, 7 */
    CHECK_INT(f.responded, 4);                      /* 5's response is still to come */
    sla_figures_release(&f);
}

/* n incidents responded after 1, 2, … n minutes */
static void minutes_set(size_t n, struct sla_figures *f)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident *v = xcalloc(n, sizeof *v);
    for (size_t i = 0; i < n; i++) {
        v[i] = mk((int64_t)i + 1, 3, SRC_PHONE, NOV("05", "00:00:00") + (ms_t)i * MS_PER_H);
        /* given in reverse order, so that the sort is tested too */
        v[i].responded = v[i].notice + MIN(n - i);
        v[i].state = INC_RESPONDED;
    }
    sla_figures_compute(v, n, &p, FROM, TO, NOW, 0, 0, f);
    free(v);
}

TEST(mean_and_p90_known_sets)
{
    struct sla_figures f;
    minutes_set(10, &f); /* mean 5.5 min; p90 rank 9 → 9 min */
    CHECK_DBL(f.respond_mean_ms, 5.5 * MIN(1), 1e-6);
    CHECK_DBL(f.respond_p90_ms, (double)MIN(9), 1e-6);
    CHECK_DBL(f.resolve_mean_ms, -1, 0); /* nothing resolved */
    CHECK_DBL(f.resolve_p90_ms, -1, 0);
    sla_figures_release(&f);
    minutes_set(11, &f); /* mean 6; rank ceil(9.9) = 10 → 10 min */
    CHECK_DBL(f.respond_mean_ms, (double)MIN(6), 1e-6);
    CHECK_DBL(f.respond_p90_ms, (double)MIN(10), 1e-6);
    sla_figures_release(&f);
    minutes_set(20, &f); /* mean 10.5; rank 18 → 18 min */
    CHECK_DBL(f.respond_mean_ms, 10.5 * MIN(1), 1e-6);
    CHECK_DBL(f.respond_p90_ms, (double)MIN(18), 1e-6);
    CHECK_INT(f.responded_in_time, 20);
    sla_figures_release(&f);
    minutes_set(1, &f); /* one value is its own p90 */
    CHECK_DBL(f.respond_mean_ms, (double)MIN(1), 1e-6);
    CHECK_DBL(f.respond_p90_ms, (double)MIN(1), 1e-6);
    sla_figures_release(&f);
}

TEST(resolve_time_excludes_spans_once)
{
    /* resolved 12:00, reopened 14:00, vendor 13:00–15:00, resolved again
     * 17:00: counted 10–12 + 15–17 = 4 h */
    struct sla_policy p;
    sla_policy_default(&p);
    struct inc_span spans[] = {{NOV("05", "12:00:00"), NOV("05", "14:00:00")},
                               {NOV("05", "17:00:00"), 0}};
    struct inc_span pauses[] = {{NOV("05", "13:00:00"), NOV("05", "15:00:00")}};
    struct incident inc = mk(1, 1, SRC_PHONE, NOV("05", "10:00:00"));
    inc.responded = NOV("05", "10:01:00");
    inc.resolved_spans = spans;
    inc.nresolved_spans = 2;
    inc.pauses = pauses;
    inc.npauses = 1;
    inc.resolved = NOV("05", "17:00:00");
    inc.state = INC_RESOLVED;
    struct sla_figures f;
    sla_figures_compute(&inc, 1, &p, FROM, TO, NOW, 0, 0, &f);
    CHECK_DBL(f.resolve_mean_ms, (double)HRS(4), 1e-6);
    CHECK_INT(f.clocks[CLOCK_RESOLVE].met, 1);
    sla_figures_release(&f);

    /* a level whose clocks are all off still has its times, and a response
     * with no target to miss is in time */
    p.target[1][CLOCK_RESPONSE] = 0;
    p.target[1][CLOCK_RESOLVE] = 0;
    sla_figures_compute(&inc, 1, &p, FROM, TO, NOW, 0, 0, &f);
    CHECK_INT(f.clocks[CLOCK_RESOLVE].kept, 0);
    CHECK_INT(f.clocks[CLOCK_RESPONSE].kept, 0);
    CHECK_DBL(f.clocks[CLOCK_RESPONSE].compliance, -1, 0);
    CHECK_INT(f.responded_in_time, 1);
    CHECK_DBL(f.respond_mean_ms, (double)MIN(1), 1e-6);
    CHECK_DBL(f.resolve_mean_ms, (double)HRS(4), 1e-6);
    sla_figures_release(&f);
}

TEST(times_are_counted_time_in_workhours)
{
    /* working hours 09:00–18:00 Monday–Friday: Friday 17:50 → Monday 09:05
     * is 10 + 5 = 15 working minutes, met */
    struct sla_policy p;
    sla_policy_default(&p);
    p.hours = SLA_WORKHOURS;
    p.zone = "Asia/Shanghai";
    struct incident inc = mk(1, 2, SRC_PHONE, NOV("20", "17:50:00"));
    inc.responded = NOV("23", "09:05:00");
    struct sla_figures f;
    sla_figures_compute(&inc, 1, &p, FROM, TO, NOW, 0, 0, &f);
    CHECK_DBL(f.respond_mean_ms, (double)MIN(15), 1e-6);
    CHECK_INT(f.clocks[CLOCK_RESPONSE].met, 1);
    sla_figures_release(&f);
}

TEST(empty_and_zero_denominators)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct sla_figures f;
    /* no incidents; planned time is the whole period */
    sla_figures_compute(NULL, 0, &p, FROM, TO, NOW, 0, HRS(720), &f);
    CHECK_INT(f.total, 0);
    CHECK_DBL(f.response_rate, -1, 0);
    for (int c = 0; c < CLOCK__COUNT; c++) {
        CHECK_INT(f.clocks[c].kept, 0);
        CHECK_DBL(f.clocks[c].compliance, -1, 0);
    }
    CHECK_DBL(f.respond_mean_ms, -1, 0);
    CHECK_DBL(f.respond_p90_ms, -1, 0);
    CHECK_DBL(f.resolve_mean_ms, -1, 0);
    CHECK(f.breaches == NULL);
    CHECK_INT(f.nbreaches, 0);
    CHECK_INT(f.reports_due, 0);
    CHECK_DBL(f.fault_rate, -1, 0);

    char *s = sla_figures_to_json(&f);
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    CHECK(j != NULL);
    CHECK(json_is_null(json_object_get(j, "response_rate")));
    CHECK(json_is_null(json_object_get(j, "fault_rate")));
    CHECK(json_is_null(json_object_get(j, "respond_mean_ms")));
    CHECK(json_is_null(json_object_get(j, "respond_mean")));
    CHECK(json_is_null(json_object_get(json_object_get(json_object_get(j, "clocks"), "onsite"),
                                       "compliance")));
    CHECK_INT(json_array_size(json_object_get(j, "breaches")), 0);
    CHECK(json_is_array(json_object_get(j, "breaches")));
    json_decref(j);
    free(s);

    struct buf b = BUF_INIT(64 * 1024);
    sla_figures_text(&f, &b);
    CHECK(strstr(buf_str(&b), "响应率 (response rate): — (0/0)\n") != NULL);
    CHECK(strstr(buf_str(&b), "故障率 (fault rate): — (") != NULL);
    CHECK(strstr(buf_str(&b), "平均响应时间 (mean time to respond): —\n") != NULL);
    buf_release(&b);
    sla_figures_release(&f);

    /* an empty period: no denominator either */
    sla_figures_compute(NULL, 0, &p, FROM, FROM, NOW, 0, 0, &f);
    CHECK_INT(f.period_ms, 0);
    CHECK_DBL(f.fault_rate, -1, 0);
    sla_figures_release(&f);
    /* no planned time: 36 min down in 30 days = 0.0833… % */
    sla_figures_compute(NULL, 0, &p, FROM, TO, NOW, MIN(36), 0, &f);
    CHECK_DBL(f.fault_rate, 36.0 / (720.0 * 60.0), 1e-12);
    sla_figures_release(&f);
}

TEST(json_has_the_fields)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident v[16];
    size_t n = month(v);
    struct sla_figures f;
    sla_figures_compute(v, n, &p, FROM, TO, NOW, HRS(7), HRS(20), &f);
    char *s = sla_figures_to_json(&f);
    json_error_t je;
    json_t *j = json_loads(s, 0, &je);
    CHECK(j != NULL);
    if (!j) {
        printf("#   %s: %s\n", je.text, s);
        free(s);
        sla_figures_release(&f);
        return;
    }
    CHECK_STR(json_string_value(json_object_get(j, "from")), "2026-11-01T00:00:00+08:00");
    CHECK_STR(json_string_value(json_object_get(j, "to")), "2026-12-01T00:00:00+08:00");
    CHECK_STR(json_string_value(json_object_get(j, "now")), "2026-11-30T12:00:00+08:00");
    CHECK_INT(json_integer_value(json_object_get(j, "total")), 7);
    json_t *lv = json_object_get(j, "by_level");
    CHECK_INT(json_integer_value(json_object_get(lv, "1")), 2);
    CHECK_INT(json_integer_value(json_object_get(lv, "3")), 1);
    CHECK_INT(json_object_size(lv), 4);
    json_t *src = json_object_get(j, "by_source");
    CHECK_INT(json_integer_value(json_object_get(src, "monitor")), 2);
    CHECK_INT(json_integer_value(json_object_get(src, "inspection")), 1);
    CHECK_INT(json_integer_value(json_object_get(src, "onsite")), 0);
    CHECK_INT(json_object_size(src), SRC__COUNT);
    CHECK_INT(json_integer_value(json_object_get(j, "responded")), 5);
    CHECK_INT(json_integer_value(json_object_get(j, "responded_in_time")), 4);
    CHECK_DBL(json_number_value(json_object_get(j, "response_rate")), 5.0 / 7.0, 1e-9);
    json_t *clocks = json_object_get(j, "clocks");
    json_t *cr = json_object_get(clocks, "response");
    CHECK_INT(json_integer_value(json_object_get(cr, "kept")), 7);
    CHECK_INT(json_integer_value(json_object_get(cr, "met")), 4);
    CHECK_INT(json_integer_value(json_object_get(cr, "missed")), 2);
    CHECK_INT(json_integer_value(json_object_get(cr, "running")), 1);
    CHECK_DBL(json_number_value(json_object_get(cr, "compliance")), 4.0 / 6.0, 1e-9);
    CHECK_DBL(json_number_value(json_object_get(json_object_get(clocks, "onsite"), "compliance")),
              0.5, 1e-9);
    CHECK_DBL(json_number_value(json_object_get(json_object_get(clocks, "resolve"), "compliance")),
              0.6, 1e-9);
    CHECK_INT(json_integer_value(json_object_get(j, "respond_mean_ms")), MIN(17));
    CHECK_STR(json_string_value(json_object_get(j, "respond_mean")), "17m");
    CHECK_STR(json_string_value(json_object_get(j, "respond_p90")), "40m");
    CHECK_INT(json_integer_value(json_object_get(j, "resolve_mean_ms")), HRS(6) + MIN(15));
    CHECK_STR(json_string_value(json_object_get(j, "resolve_mean")), "6h15m");
    CHECK_STR(json_string_value(json_object_get(j, "resolve_p90")), "12h");
    json_t *br = json_object_get(j, "breaches");
    CHECK_INT(json_array_size(br), 5);
    json_t *b0 = json_array_get(br, 0);
    CHECK_INT(json_integer_value(json_object_get(b0, "incident_id")), 2);
    CHECK_STR(json_string_value(json_object_get(b0, "clock")), "response");
    CHECK_STR(json_string_value(json_object_get(b0, "at")), "2026-11-03T09:30:00+08:00");
    CHECK_INT(json_integer_value(json_object_get(b0, "level")), 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(br, 4), "at")),
              "2026-11-30T04:00:00+08:00");
    CHECK_INT(json_integer_value(json_object_get(j, "reports_due")), 3);
    CHECK_INT(json_integer_value(json_object_get(j, "reports_on_time")), 1);
    CHECK_INT(json_integer_value(json_object_get(j, "reports_late")), 1);
    CHECK_INT(json_integer_value(json_object_get(j, "reports_overdue")), 1);
    CHECK_INT(json_integer_value(json_object_get(j, "down_ms")), HRS(7));
    CHECK_STR(json_string_value(json_object_get(j, "down")), "7h");
    CHECK_INT(json_integer_value(json_object_get(j, "planned_ms")), HRS(20));
    CHECK_STR(json_string_value(json_object_get(j, "planned")), "20h");
    CHECK_INT(json_integer_value(json_object_get(j, "period_ms")), HRS(720));
    CHECK_STR(json_string_value(json_object_get(j, "period")), "30d");
    CHECK_DBL(json_number_value(json_object_get(j, "fault_rate")), 0.01, 1e-12);
    json_decref(j);
    free(s);
    sla_figures_release(&f);
}

TEST(text_table)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident v[16];
    size_t n = month(v);
    struct sla_figures f;
    sla_figures_compute(v, n, &p, FROM, TO, NOW, HRS(7), HRS(20), &f);
    struct buf b = BUF_INIT(64 * 1024);
    sla_figures_text(&f, &b);
    const char *s = buf_str(&b);
    const char *want[] = {
        "统计期间 (period): 2026-11-01T00:00:00+08:00 — 2026-12-01T00:00:00+08:00\n",
        "故障总数 (incidents): 7\n",
        "  二级故障 (level 2): 2\n",
        "  来源·监控告警 (source monitor): 2\n",
        "响应率 (response rate): 71.43% (5/7)\n",
        "按时响应 (responded in time): 4\n",
        "响应时限达标率 (response compliance): 66.67% (计时 kept 7, 达标 met 4, 超时 missed 2, "
        "进行中 running 1)\n",
        "到场时限达标率 (onsite compliance): 50.00%",
        "平均响应时间 (mean time to respond): 17m\n",
        "响应时间P90 (p90 time to respond): 40m\n",
        "平均解决时间 (mean time to resolve): 6h15m\n",
        "解决时间P90 (p90 time to resolve): 12h\n",
        "超时记录 (breaches): 5\n",
        "  #2 二级响应超时 (level 2 response breached) 2026-11-03T09:30:00+08:00\n",
        "  #4 三级解决超时 (level 3 resolve breached) 2026-11-30T04:00:00+08:00\n",
        "故障报告 (fault reports): 已到期 (due) 3, 按时 (on time) 1, 迟交 (late) 1, 逾期未交 "
        "(overdue) 1\n",
        "故障率 (fault rate): 1.000% (故障 down 7h, 计划停机 planned 20h, 期间 period 30d)\n",
    };
    for (size_t i = 0; i < N(want); i++) {
        CHECK(strstr(s, want[i]) != NULL);
        if (!strstr(s, want[i]))
            printf("#   missing: %s", want[i]);
    }
    buf_release(&b);

    /* a buffer too small for the table ends empty, not half written */
    struct buf small = BUF_INIT(200);
    sla_figures_text(&f, &small);
    CHECK_INT(small.len, 0);
    buf_release(&small);
    sla_figures_release(&f);
}

int main(void)
{
    RUN(counts_rates_and_compliance);
    RUN(breaches_by_time);
    RUN(mean_and_p90_known_sets);
    RUN(resolve_time_excludes_spans_once);
    RUN(times_are_counted_time_in_workhours);
    RUN(empty_and_zero_denominators);
    RUN(json_has_the_fields);
    RUN(text_table);
    return t_done();
}
