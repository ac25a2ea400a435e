/*
 * Unit tests of the SLA clocks (contract §2: response 30 min, on site 1 h,
 * resolution 8 h excluding vendor time). Every expectation is computed by
 * hand in the comment beside it. Times are written in Asia/Shanghai
 * (+08:00); the 7×24 cases happen on Tuesday 2026-11-24, the working-hours
 * ones around the weekend of 21–22 November 2026 (Friday the 20th is day
 * number 20777, Monday the 23rd 20780).
 */
#include <stdlib.h>

#include <jansson.h>

#include "core/mem.h"
#include "incident/incident.h"
#include "incident/sla.h"
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

#define D(hms) T("2026-11-24T" hms "+08:00")   /* Tuesday, 7×24 cases */
#define NEXT(hms) T("2026-11-25T" hms "+08:00") /* the day after */
#define MIN(m) ((ms_t)(m) * MS_PER_MIN)
#define HRS(h) ((ms_t)(h) * MS_PER_H)
#define N(arr) (sizeof(arr) / sizeof((arr)[0]))

static struct incident mk(int level, ms_t notice)
{
    struct incident inc = {0};
    inc.id = 1;
    inc.level = level;
    inc.state = INC_NEW;
    inc.notice = notice;
    return inc;
}

static struct sla_clock_state ev(const struct incident *inc, const struct sla_policy *p, ms_t now,
                                 enum sla_clock c)
{
    struct sla_clock_state st[CLOCK__COUNT];
    sla_eval(inc, p, now, st);
    return st[c];
}

/* ---- names ------------------------------------------------------------ */

TEST(names)
{
    CHECK_STR(sla_status_name(SLA_OFF), "off");
    CHECK_STR(sla_status_name(SLA_RUNNING), "running");
    CHECK_STR(sla_status_name(SLA_WARNING), "warning");
    CHECK_STR(sla_status_name(SLA_BREACHED), "breached");
    CHECK_STR(sla_status_name(SLA_PAUSED), "paused");
    CHECK_STR(sla_status_name(SLA_MET), "met");
    CHECK_STR(sla_status_name(SLA_MISSED), "missed");
    CHECK_STR(sla_status_name((enum sla_status)42), "unknown");

    CHECK_STR(inc_state_name(INC_NEW), "new");
    CHECK_STR(inc_state_name(INC_ONSITE), "onsite");
    CHECK_STR(inc_state_name(INC_CLOSED), "closed");
    CHECK_STR(inc_state_name(INC_STATE__COUNT), "unknown");
    CHECK_STR(inc_state_title_zh(INC_RESPONDED), "已响应");
    CHECK_STR(inc_state_title_zh(INC_RESOLVED), "已解决");
    enum inc_state st = INC_NEW;
    CHECK_INT(inc_state_parse("resolved", &st), 0);
    CHECK_INT(st, INC_RESOLVED);
    CHECK_INT(inc_state_parse("Resolved", &st), -1);
    CHECK_INT(inc_state_parse(NULL, &st), -1);
    CHECK_INT(st, INC_RESOLVED); /* untouched on failure */

    const char *src[] = {"monitor", "inspection", "phone", "wechat", "email", "onsite", "user"};
    for (int i = 0; i < SRC__COUNT; i++) {
        enum inc_source s = SRC__COUNT;
        CHECK_STR(inc_source_name((enum inc_source)i), src[i]);
        CHECK_INT(inc_source_parse(src[i], &s), 0);
        CHECK_INT(s, i);
    }
    CHECK_STR(inc_source_title_zh(SRC_MONITOR), "监控告警");
    CHECK_STR(inc_source_title_zh(SRC_WECHAT), "微信");
    CHECK_STR(inc_source_name(SRC__COUNT), "unknown");
    enum inc_source so = SRC_USER;
    CHECK_INT(inc_source_parse("fax", &so), -1);
    CHECK_INT(so, SRC_USER);

    CHECK_STR(sla_clock_name(CLOCK_RESPONSE), "response");
    CHECK_STR(sla_clock_name(CLOCK_ONSITE), "onsite");
    CHECK_STR(sla_clock_name(CLOCK_RESOLVE), "resolve");
    CHECK_STR(sla_clock_title_zh(CLOCK_RESPONSE), "响应");
    CHECK_STR(sla_clock_title_zh(CLOCK_ONSITE), "到场");
    CHECK_STR(sla_clock_title_zh(CLOCK_RESOLVE), "解决");
    enum sla_clock c = CLOCK_RESPONSE;
    CHECK_INT(sla_clock_parse("resolve", &c), 0);
    CHECK_INT(c, CLOCK_RESOLVE);
    CHECK_INT(sla_clock_parse("", &c), -1);
    CHECK_INT(c, CLOCK_RESOLVE);
}

TEST(copy_is_deep_and_release_zeroes)
{
    struct incident a = mk(2, D("10:00:00"));
    a.title = xstrdup("数据库连接失败");
    a.system = xstrdup("OA");
    a.reporter = xstrdup("张三 13800000000");
    a.vendor = true;
    a.vendor_name = xstrdup("某厂商");
    a.pauses = xmalloc(2 * sizeof *a.pauses);
    a.pauses[0] = (struct inc_span){D("10:10:00"), D("10:40:00")};
    a.pauses[1] = (struct inc_span){D("11:00:00"), 0};
    a.npauses = 2;
    a.resolved_spans = xmalloc(sizeof *a.resolved_spans);
    a.resolved_spans[0] = (struct inc_span){D("12:00:00"), 0};
    a.nresolved_spans = 1;
    a.cause = xstrdup("连接池耗尽");
    a.report = xstrdup("report-1");

    struct incident b;
    incident_copy(&b, &a);
    CHECK(b.title != a.title);
    CHECK_STR(b.title, "数据库连接失败");
    CHECK_STR(b.reporter, "张三 13800000000");
    CHECK(b.assignee == NULL);
    CHECK(b.fix == NULL);
    CHECK(b.pauses != a.pauses);
    CHECK_INT(b.npauses, 2);
    CHECK_INT(b.pauses[1].start, D("11:00:00"));
    CHECK_INT(b.nresolved_spans, 1);
    CHECK_INT(b.level, 2);
    CHECK(b.vendor);
    incident_release(&a); /* b survives its source */
    CHECK(a.title == NULL && a.pauses == NULL && a.npauses == 0 && a.level == 0);
    CHECK_STR(b.vendor_name, "某厂商");
    CHECK_STR(b.cause, "连接池耗尽");
    incident_release(&b);
    incident_release(&b); /* released twice: still empty, no double free */
    incident_release(NULL);

    struct incident empty = {0}, e2;
    incident_copy(&e2, &empty);
    CHECK(e2.title == NULL && e2.pauses == NULL && e2.npauses == 0);
    incident_release(&e2);
}

TEST(policy_default)
{
    struct sla_policy p;
    sla_policy_default(&p);
    for (int lv = INC_LEVEL_MIN; lv <= INC_LEVEL_MAX; lv++) {
        CHECK_INT(p.target[lv][CLOCK_RESPONSE], MIN(30));
        CHECK_INT(p.target[lv][CLOCK_ONSITE], MIN(60));
        CHECK_INT(p.target[lv][CLOCK_RESOLVE], HRS(8));
    }
    CHECK_INT(p.warn_pct, 75);
    CHECK_INT(p.hours, SLA_24X7);
    CHECK(p.zone == NULL && p.is_workday == NULL);
}

/* ---- the response clock ---------------------------------------------------- */

TEST(response_met_missed_running)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(3, D("10:00:00"));

    /* responded 10:20: 20 min of 30, under the 22.5 min warning */
    inc.responded = D("10:20:00");
    struct sla_clock_state s = ev(&inc, &p, D("11:00:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.target, MIN(30));
    CHECK_INT(s.elapsed, MIN(20));
    CHECK_INT(s.remaining, MIN(10));
    CHECK_INT(s.stopped, D("10:20:00"));
    CHECK_INT(s.paused, 0);
    CHECK_INT(s.warn_at, 0);
    CHECK_INT(s.breach_at, 0);

    /* responded 10:25: met, but the warning (10:22:30) was passed first */
    inc.responded = D("10:25:00");
    s = ev(&inc, &p, D("11:00:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.warn_at, D("10:22:30"));
    CHECK_INT(s.breach_at, 0);

    /* responded exactly at 30:00: "≤ 30 min" is met */
    inc.responded = D("10:30:00");
    s = ev(&inc, &p, D("11:00:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.remaining, 0);
    CHECK_INT(s.breach_at, 0);

    /* one millisecond later is missed */
    inc.responded = D("10:30:00") + 1;
    s = ev(&inc, &p, D("11:00:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_MISSED);
    CHECK_INT(s.remaining, -1);
    CHECK_INT(s.breach_at, D("10:30:00"));

    /* responded 10:45: 45 min, 15 over */
    inc.responded = D("10:45:00");
    s = ev(&inc, &p, D("11:00:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_MISSED);
    CHECK_INT(s.elapsed, MIN(45));
    CHECK_INT(s.remaining, -MIN(15));
    CHECK_INT(s.warn_at, D("10:22:30"));
    CHECK_INT(s.breach_at, D("10:30:00"));
    CHECK_INT(s.stopped, D("10:45:00"));

    /* not responded, 10:10: running with both instants ahead */
    inc.responded = 0;
    s = ev(&inc, &p, D("10:10:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, MIN(10));
    CHECK_INT(s.remaining, MIN(20));
    CHECK_INT(s.stopped, 0);
    CHECK_INT(s.warn_at, D("10:22:30"));
    CHECK_INT(s.breach_at, D("10:30:00"));

    /* a response logged after now has not happened yet at now */
    inc.responded = D("10:45:00");
    s = ev(&inc, &p, D("10:10:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.stopped, 0);

    /* now before the notice: nothing counted yet */
    inc.responded = 0;
    s = ev(&inc, &p, D("09:00:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, 0);
}

TEST(response_warning_and_breach_instants)
{
    /* notice 10:00, 30 min, 75 %: warning 10:22:30.000, breach 10:30:00.000 */
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    ms_t w = D("10:22:30"), b = D("10:30:00");
    CHECK_INT(ev(&inc, &p, w - 1, CLOCK_RESPONSE).status, SLA_RUNNING);
    CHECK_INT(ev(&inc, &p, w, CLOCK_RESPONSE).status, SLA_WARNING);
    CHECK_INT(ev(&inc, &p, b - 1, CLOCK_RESPONSE).status, SLA_WARNING);
    struct sla_clock_state s = ev(&inc, &p, b, CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_BREACHED);
    CHECK_INT(s.elapsed, MIN(30));
    CHECK_INT(s.remaining, 0);
    CHECK_INT(s.warn_at, w);
    CHECK_INT(s.breach_at, b);
    /* much later: still breached, instants unchanged */
    s = ev(&inc, &p, NEXT("10:00:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_BREACHED);
    CHECK_INT(s.elapsed, HRS(24));
    CHECK_INT(s.breach_at, b);

    /* warn_pct 50 → 10:15:00; 90 → 10:27:00 */
    p.warn_pct = 50;
    CHECK_INT(ev(&inc, &p, D("10:00:00"), CLOCK_RESPONSE).warn_at, D("10:15:00"));
    p.warn_pct = 90;
    CHECK_INT(ev(&inc, &p, D("10:00:00"), CLOCK_RESPONSE).warn_at, D("10:27:00"));
    CHECK_INT(ev(&inc, &p, D("10:27:00") - 1, CLOCK_RESPONSE).status, SLA_RUNNING);
    CHECK_INT(ev(&inc, &p, D("10:27:00"), CLOCK_RESPONSE).status, SLA_WARNING);

    /* a target of 7 ms, 75 %: 5.25 ms → the warning at the first whole ms
     * not under it, 6 ms after notice */
    p.warn_pct = 75;
    p.target[1][CLOCK_RESPONSE] = 7;
    CHECK_INT(ev(&inc, &p, D("10:00:00"), CLOCK_RESPONSE).warn_at, D("10:00:00") + 6);
    CHECK_INT(ev(&inc, &p, D("10:00:00") + 5, CLOCK_RESPONSE).status, SLA_RUNNING);
    CHECK_INT(ev(&inc, &p, D("10:00:00") + 6, CLOCK_RESPONSE).status, SLA_WARNING);
}

/* ---- the on-site clock -------------------------------------------------- */

TEST(onsite_clock)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(2, D("10:00:00"));

    /* not needed: off and empty, whatever the times */
    inc.onsite = D("13:00:00");
    struct sla_clock_state s = ev(&inc, &p, D("14:00:00"), CLOCK_ONSITE);
    CHECK_INT(s.status, SLA_OFF);
    CHECK_INT(s.elapsed, 0);
    CHECK_INT(s.breach_at, 0);
    CHECK_INT(s.target, 0);

    inc.onsite_needed = true;
    inc.onsite = D("10:50:00"); /* 50 of 60 min; warning at 45 min was passed */
    s = ev(&inc, &p, D("14:00:00"), CLOCK_ONSITE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.elapsed, MIN(50));
    CHECK_INT(s.warn_at, D("10:45:00"));
    CHECK_INT(s.breach_at, 0);

    inc.onsite = D("11:10:00");
    s = ev(&inc, &p, D("14:00:00"), CLOCK_ONSITE);
    CHECK_INT(s.status, SLA_MISSED);
    CHECK_INT(s.elapsed, MIN(70));
    CHECK_INT(s.remaining, -MIN(10));
    CHECK_INT(s.breach_at, D("11:00:00"));

    inc.onsite = 0; /* 75 % of 60 min is 45 min exactly */
    CHECK_INT(ev(&inc, &p, D("10:45:00") - 1, CLOCK_ONSITE).status, SLA_RUNNING);
    CHECK_INT(ev(&inc, &p, D("10:45:00"), CLOCK_ONSITE).status, SLA_WARNING);
    CHECK_INT(ev(&inc, &p, D("11:00:00") - 1, CLOCK_ONSITE).status, SLA_WARNING);
    s = ev(&inc, &p, D("11:00:00"), CLOCK_ONSITE);
    CHECK_INT(s.status, SLA_BREACHED);
    CHECK_INT(s.breach_at, D("11:00:00"));

    /* the on-site clock does not pause for a vendor */
    struct inc_span pause[] = {{D("10:05:00"), 0}};
    inc.pauses = pause;
    inc.npauses = N(pause);
    s = ev(&inc, &p, D("10:30:00"), CLOCK_ONSITE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, MIN(30));
    CHECK_INT(s.paused, 0);
}

/* ---- the resolution clock ------------------------------------------------ */

TEST(resolve_clock)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    inc.responded = D("10:05:00");
    inc.state = INC_RESPONDED;

    /* running: 75 % of 8 h = 6 h → warning 16:00, breach 18:00 */
    struct sla_clock_state s = ev(&inc, &p, D("12:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, HRS(2));
    CHECK_INT(s.warn_at, D("16:00:00"));
    CHECK_INT(s.breach_at, D("18:00:00"));
    CHECK_INT(ev(&inc, &p, D("16:00:00") - 1, CLOCK_RESOLVE).status, SLA_RUNNING);
    CHECK_INT(ev(&inc, &p, D("16:00:00"), CLOCK_RESOLVE).status, SLA_WARNING);
    CHECK_INT(ev(&inc, &p, D("18:00:00") - 1, CLOCK_RESOLVE).status, SLA_WARNING);
    CHECK_INT(ev(&inc, &p, D("18:00:00"), CLOCK_RESOLVE).status, SLA_BREACHED);

    /* resolved 17:00: met after 7 h */
    inc.state = INC_RESOLVED;
    inc.resolved = D("17:00:00");
    s = ev(&inc, &p, D("20:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.elapsed, HRS(7));
    CHECK_INT(s.stopped, D("17:00:00"));
    CHECK_INT(s.remaining, HRS(1));
    CHECK_INT(s.warn_at, D("16:00:00"));
    CHECK_INT(s.breach_at, 0);

    /* resolved 18:30, closed: missed by 30 min */
    inc.state = INC_CLOSED;
    inc.resolved = D("18:30:00");
    inc.closed = D("19:00:00");
    s = ev(&inc, &p, D("20:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_MISSED);
    CHECK_INT(s.elapsed, HRS(8) + MIN(30));
    CHECK_INT(s.breach_at, D("18:00:00"));

    /* a resolution time on an incident not in a resolved state is ignored */
    inc.state = INC_ONSITE;
    inc.resolved = D("11:00:00");
    s = ev(&inc, &p, D("12:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, HRS(2));
}

TEST(target_zero_is_off)
{
    struct sla_policy p;
    sla_policy_default(&p);
    p.target[4][CLOCK_RESPONSE] = 0;
    p.target[4][CLOCK_RESOLVE] = 0;
    struct incident inc = mk(4, D("10:00:00"));
    inc.onsite_needed = true;
    struct sla_clock_state st[CLOCK__COUNT];
    sla_eval(&inc, &p, NEXT("10:00:00"), st);
    CHECK_INT(st[CLOCK_RESPONSE].status, SLA_OFF);
    CHECK_INT(st[CLOCK_RESPONSE].breach_at, 0);
    CHECK_INT(st[CLOCK_ONSITE].status, SLA_BREACHED); /* still kept: 60 min */
    CHECK_INT(st[CLOCK_RESOLVE].status, SLA_OFF);
    /* level 3 still has its targets */
    inc.level = 3;
    sla_eval(&inc, &p, NEXT("10:00:00"), st);
    CHECK_INT(st[CLOCK_RESPONSE].status, SLA_BREACHED);
}

/* ---- vendor pauses ------------------------------------------------------ */

TEST(one_pause)
{
    /* 8 h with a vendor wait 10:10–10:40: breach 18:30 (the lead's example),
     * warning at 6 h counted: 16:30 */
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    struct inc_span pause[] = {{D("10:10:00"), D("10:40:00")}};
    inc.vendor = true;
    inc.pauses = pause;
    inc.npauses = N(pause);

    struct sla_clock_state s = ev(&inc, &p, D("12:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, HRS(1) + MIN(30));
    CHECK_INT(s.paused, MIN(30));
    CHECK_INT(s.remaining, HRS(6) + MIN(30));
    CHECK_INT(s.warn_at, D("16:30:00"));
    CHECK_INT(s.breach_at, D("18:30:00"));

    /* inside the pause (closed, ending 10:40): paused, instants known */
    s = ev(&inc, &p, D("10:20:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_PAUSED);
    CHECK_INT(s.elapsed, MIN(10));
    CHECK_INT(s.paused, MIN(10));
    CHECK_INT(s.breach_at, D("18:30:00"));
    /* the pause's end instant is running again */
    CHECK_INT(ev(&inc, &p, D("10:40:00"), CLOCK_RESOLVE).status, SLA_RUNNING);
    CHECK_INT(ev(&inc, &p, D("10:10:00"), CLOCK_RESOLVE).status, SLA_PAUSED);

    CHECK_INT(ev(&inc, &p, D("18:30:00") - 1, CLOCK_RESOLVE).status, SLA_WARNING);
    CHECK_INT(ev(&inc, &p, D("18:30:00"), CLOCK_RESOLVE).status, SLA_BREACHED);

    /* resolved 18:20: 8 h 20 min wall, 7 h 50 min counted: met */
    inc.state = INC_RESOLVED;
    inc.resolved = D("18:20:00");
    s = ev(&inc, &p, D("19:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.elapsed, HRS(7) + MIN(50));
    CHECK_INT(s.paused, MIN(30));

    /* the response clock never pauses */
    inc.state = INC_NEW;
    inc.resolved = 0;
    s = ev(&inc, &p, D("10:30:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_BREACHED);
    CHECK_INT(s.breach_at, D("10:30:00"));
    CHECK_INT(s.paused, 0);
}

TEST(several_pauses)
{
    /* waits 10:10–10:40 and 12:00–13:00 (1 h 30 min): warning at 6 h
     * counted = 16:00 + 1 h 30 = 17:30, breach 19:30 */
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    struct inc_span pause[] = {{D("10:10:00"), D("10:40:00")}, {D("12:00:00"), D("13:00:00")}};
    inc.pauses = pause;
    inc.npauses = N(pause);
    struct sla_clock_state s = ev(&inc, &p, D("14:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, HRS(2) + MIN(30));
    CHECK_INT(s.paused, HRS(1) + MIN(30));
    CHECK_INT(s.warn_at, D("17:30:00"));
    CHECK_INT(s.breach_at, D("19:30:00"));
    CHECK_INT(ev(&inc, &p, D("19:30:00") - 1, CLOCK_RESOLVE).status, SLA_WARNING);
    CHECK_INT(ev(&inc, &p, D("19:30:00"), CLOCK_RESOLVE).status, SLA_BREACHED);
}

TEST(overlapping_pauses)
{
    /* 10:10–10:40, 10:30–11:00 and 10:35–10:45 (inside both), given out of
     * order: their union 10:10–11:00 is 50 min, counted once. Breach
     * 18:50, warning 16:50. */
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    struct inc_span pause[] = {
        {D("10:30:00"), D("11:00:00")}, {D("10:10:00"), D("10:40:00")}, {D("10:35:00"), D("10:45:00")}};
    inc.pauses = pause;
    inc.npauses = N(pause);
    struct sla_clock_state s = ev(&inc, &p, D("12:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.elapsed, HRS(1) + MIN(10));
    CHECK_INT(s.paused, MIN(50));
    CHECK_INT(s.warn_at, D("16:50:00"));
    CHECK_INT(s.breach_at, D("18:50:00"));
    /* a touching pause 11:00–11:20 joins them: breach 19:10 */
    struct inc_span more[] = {{D("10:10:00"), D("10:40:00")}, {D("10:30:00"), D("11:00:00")},
                              {D("11:00:00"), D("11:20:00")}};
    inc.pauses = more;
    inc.npauses = N(more);
    CHECK_INT(ev(&inc, &p, D("12:00:00"), CLOCK_RESOLVE).breach_at, D("19:10:00"));
    /* an empty or inverted span excludes nothing */
    struct inc_span odd[] = {{D("11:00:00"), D("11:00:00")}, {D("12:00:00"), D("11:30:00")}};
    inc.pauses = odd;
    inc.npauses = N(odd);
    s = ev(&inc, &p, D("13:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.elapsed, HRS(3));
    CHECK_INT(s.paused, 0);
    CHECK_INT(s.breach_at, D("18:00:00"));
}

TEST(open_pause)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    struct inc_span pause[] = {{D("10:10:00"), 0}};
    inc.pauses = pause;
    inc.npauses = N(pause);
    /* waiting on the vendor since 10:10: the instants to come are unknown */
    struct sla_clock_state s = ev(&inc, &p, D("12:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_PAUSED);
    CHECK_INT(s.elapsed, MIN(10));
    CHECK_INT(s.paused, HRS(1) + MIN(50));
    CHECK_INT(s.remaining, HRS(7) + MIN(50));
    CHECK_INT(s.warn_at, 0);
    CHECK_INT(s.breach_at, 0);
    /* before the pause began, it was running */
    CHECK_INT(ev(&inc, &p, D("10:05:00"), CLOCK_RESOLVE).status, SLA_RUNNING);

    /* an open pause after the warning: paused, the past warning stays */
    pause[0] = (struct inc_span){D("16:30:00"), 0};
    s = ev(&inc, &p, D("17:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_PAUSED);
    CHECK_INT(s.elapsed, HRS(6) + MIN(30));
    CHECK_INT(s.warn_at, D("16:00:00"));
    CHECK_INT(s.breach_at, 0);

    /* the pause closes at 17:30: breach 18:00 + 1 h = 19:00 */
    pause[0].end = D("17:30:00");
    s = ev(&inc, &p, D("18:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_WARNING);
    CHECK_INT(s.breach_at, D("19:00:00"));
}

TEST(pause_after_breach_does_not_undo_it)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    struct inc_span pause[] = {{D("19:00:00"), 0}};
    inc.pauses = pause;
    inc.npauses = N(pause);
    /* breached at 18:00, vendor wait from 19:00, now 20:00: 9 h counted */
    struct sla_clock_state s = ev(&inc, &p, D("20:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_BREACHED);
    CHECK_INT(s.elapsed, HRS(9));
    CHECK_INT(s.paused, HRS(1));
    CHECK_INT(s.warn_at, D("16:00:00"));
    CHECK_INT(s.breach_at, D("18:00:00"));
    /* closed, then resolved at 21:00: missed, 18:00 recorded */
    pause[0].end = D("19:30:00");
    inc.state = INC_RESOLVED;
    inc.resolved = D("21:00:00");
    s = ev(&inc, &p, D("22:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_MISSED);
    CHECK_INT(s.elapsed, HRS(10) + MIN(30));
    CHECK_INT(s.breach_at, D("18:00:00"));
}

/* ---- reopen ---------------------------------------------------------------- */

TEST(reopen)
{
    struct sla_policy p;
    sla_policy_default(&p);
    struct incident inc = mk(1, D("10:00:00"));
    inc.responded = D("10:05:00");
    /* resolved 12:00, reopened 14:00: the span 12:00–14:00 does not count */
    struct inc_span spans[] = {{D("12:00:00"), D("14:00:00")}, {0, 0}};
    inc.resolved_spans = spans;
    inc.nresolved_spans = 1;
    inc.state = INC_RESPONDED;
    inc.resolved = 0;
    /* 15:00: 2 h + 1 h counted; 6 h reached at 18:00, 8 h at 20:00 */
    struct sla_clock_state s = ev(&inc, &p, D("15:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, HRS(3));
    CHECK_INT(s.paused, HRS(2));
    CHECK_INT(s.warn_at, D("18:00:00"));
    CHECK_INT(s.breach_at, D("20:00:00"));
    CHECK_INT(ev(&inc, &p, D("20:00:00") - 1, CLOCK_RESOLVE).status, SLA_WARNING);
    CHECK_INT(ev(&inc, &p, D("20:00:00"), CLOCK_RESOLVE).status, SLA_BREACHED);

    /* resolved again at 19:00 (span open from then): 7 h counted, met */
    spans[1] = (struct inc_span){D("19:00:00"), 0};
    inc.nresolved_spans = 2;
    inc.state = INC_RESOLVED;
    inc.resolved = D("19:00:00");
    s = ev(&inc, &p, D("21:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.elapsed, HRS(7));
    CHECK_INT(s.paused, HRS(2)); /* up to the stop */
    CHECK_INT(s.stopped, D("19:00:00"));
    CHECK_INT(s.warn_at, D("18:00:00"));
    CHECK_INT(s.breach_at, 0);

    /* resolved again at 21:00 instead, then closed: 9 h counted, missed at 20:00 */
    spans[1] = (struct inc_span){D("21:00:00"), 0};
    inc.state = INC_CLOSED;
    inc.resolved = D("21:00:00");
    inc.closed = D("21:30:00");
    s = ev(&inc, &p, D("22:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_MISSED);
    CHECK_INT(s.elapsed, HRS(9));
    CHECK_INT(s.breach_at, D("20:00:00"));

    /* the record says reopened, but the last span was left open: the clock
     * does not run inside it (paused) */
    inc.state = INC_RESPONDED;
    inc.resolved = 0;
    spans[1] = (struct inc_span){D("16:00:00"), 0};
    s = ev(&inc, &p, D("17:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_PAUSED);
    CHECK_INT(s.elapsed, HRS(4));
    CHECK_INT(s.breach_at, 0);

    /* a resolved span overlapping a vendor wait is excluded once:
     * span 12:00–14:00, wait 13:00–15:00 → union 12:00–15:00 */
    spans[1] = (struct inc_span){0, 0};
    inc.nresolved_spans = 1;
    struct inc_span pause[] = {{D("13:00:00"), D("15:00:00")}};
    inc.pauses = pause;
    inc.npauses = 1;
    s = ev(&inc, &p, D("16:00:00"), CLOCK_RESOLVE);
    CHECK_INT(s.elapsed, HRS(3));
    CHECK_INT(s.paused, HRS(3));
    CHECK_INT(s.breach_at, D("21:00:00"));
}

/* ---- level change ------------------------------------------------------------ */

TEST(level_change)
{
    struct sla_policy p;
    sla_policy_default(&p);
    p.target[4][CLOCK_RESPONSE] = HRS(2);
    p.target[4][CLOCK_RESOLVE] = HRS(24);
    p.target[1][CLOCK_RESOLVE] = HRS(4);
    struct incident inc = mk(4, D("10:00:00"));
    /* level 4 at 10:45: 45 min of 2 h (warning at 1 h 30) */
    struct sla_clock_state s = ev(&inc, &p, D("10:45:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.breach_at, D("12:00:00"));
    /* raised to level 1: 30 min from the same notice, already passed */
    inc.level = 1;
    s = ev(&inc, &p, D("10:45:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_BREACHED);
    CHECK_INT(s.target, MIN(30));
    CHECK_INT(s.elapsed, MIN(45));
    CHECK_INT(s.breach_at, D("10:30:00"));
    /* resolve at 13:30: level 4 running (3.5 h of 24 h), level 1 warning
     * (3 h of 4 h reached at 13:00) */
    inc.level = 4;
    CHECK_INT(ev(&inc, &p, D("13:30:00"), CLOCK_RESOLVE).status, SLA_RUNNING);
    inc.level = 1;
    s = ev(&inc, &p, D("13:30:00"), CLOCK_RESOLVE);
    CHECK_INT(s.status, SLA_WARNING);
    CHECK_INT(s.warn_at, D("13:00:00"));
    CHECK_INT(s.breach_at, D("14:00:00"));
    /* a level out of range is taken as level 4 */
    inc.level = 0;
    CHECK_INT(ev(&inc, &p, D("10:45:00"), CLOCK_RESPONSE).target, HRS(2));
    inc.level = 9;
    CHECK_INT(ev(&inc, &p, D("10:45:00"), CLOCK_RESPONSE).breach_at, D("12:00:00"));
}

/* ---- working hours -------------------------------------------------------- */

struct testcal {
    int32_t off[4], work[4];
    size_t noff, nwork;
    int32_t last_asked;
};

/* Weekends off, plus the listed holidays and make-up days. */
static bool test_workday(void *arg, int32_t day)
{
    struct testcal *c = arg;
    c->last_asked = day;
    for (size_t i = 0; i < c->noff; i++)
        if (c->off[i] == day)
            return false;
    for (size_t i = 0; i < c->nwork; i++)
        if (c->work[i] == day)
            return true;
    int wday = (int)(((day % 7) + 11) % 7); /* day 0 was a Thursday */
    return wday >= 1 && wday <= 5;
}

static bool never_workday(void *arg, int32_t day)
{
    (void)arg;
    (void)day;
    return false;
}

#define FRI 20777
#define SAT 20778
#define MON 20780

static void workhours(struct sla_policy *p, struct testcal *cal, const char *zone)
{
    sla_policy_default(p);
    p->hours = SLA_WORKHOURS;
    p->work_start_min = 9 * 60;
    p->work_end_min = 18 * 60;
    p->zone = zone;
    p->is_workday = test_workday;
    p->is_workday_arg = cal;
}

TEST(workhours_weekend)
{
    struct testcal cal = {0};
    struct sla_policy p;
    workhours(&p, &cal, "Asia/Shanghai");
    ms_t fri = T("2026-11-20T17:30:00+08:00");
    /* Friday 17:30 + 1 h: 30 min on Friday, 30 min on Monday → Mon 09:30 */
    CHECK_INT(sla_instant_after(&p, fri, HRS(1), NULL, 0), T("2026-11-23T09:30:00+08:00"));
    /* exactly the rest of Friday: 18:00 Friday, not Monday 09:00 */
    CHECK_INT(sla_instant_after(&p, fri, MIN(30), NULL, 0), T("2026-11-20T18:00:00+08:00"));
    /* counted Friday 17:30 → Monday 10:00: 30 min + 1 h */
    CHECK_INT(sla_counted(&p, fri, T("2026-11-23T10:00:00+08:00"), NULL, 0), HRS(1) + MIN(30));
    /* over the whole weekend nothing counts */
    CHECK_INT(sla_counted(&p, T("2026-11-20T18:00:00+08:00"), T("2026-11-23T09:00:00+08:00"),
                          NULL, 0), 0);
    /* a whole working week: 5 × 9 h */
    CHECK_INT(sla_counted(&p, T("2026-11-23T00:00:00+08:00"), T("2026-11-30T00:00:00+08:00"),
                          NULL, 0), HRS(45));
    /* the callback gets cal.h day numbers: the last day asked in that walk
     * was Sunday 29 November = 20786 (Monday the 30th starts after the end) */
    CHECK_INT(cal.last_asked, MON + 6);

    /* a notice on Saturday counts from Monday 09:00 */
    CHECK_INT(sla_instant_after(&p, T("2026-11-21T10:00:00+08:00"), MIN(30), NULL, 0),
              T("2026-11-23T09:30:00+08:00"));
    /* a notice before the day starts counts from 09:00 */
    CHECK_INT(sla_instant_after(&p, T("2026-11-24T07:00:00+08:00"), MIN(30), NULL, 0),
              T("2026-11-24T09:30:00+08:00"));

    /* a vendor wait Monday 09:00–10:00 pushes it to Monday 10:30 */
    struct inc_span pause[] = {{T("2026-11-23T09:00:00+08:00"), T("2026-11-23T10:00:00+08:00")}};
    CHECK_INT(sla_instant_after(&p, fri, HRS(1), pause, 1), T("2026-11-23T10:30:00+08:00"));
}

TEST(workhours_holiday_and_makeup_day)
{
    struct testcal cal = {.off = {MON}, .noff = 1};
    struct sla_policy p;
    workhours(&p, &cal, "Asia/Shanghai");
    ms_t fri = T("2026-11-20T17:30:00+08:00");
    /* Monday is a holiday: Tuesday 09:30 */
    CHECK_INT(sla_instant_after(&p, fri, HRS(1), NULL, 0), T("2026-11-24T09:30:00+08:00"));
    /* Saturday is a make-up working day (调休): Saturday 09:30 */
    cal.work[0] = SAT;
    cal.nwork = 1;
    CHECK_INT(sla_instant_after(&p, fri, HRS(1), NULL, 0), T("2026-11-21T09:30:00+08:00"));
    /* Friday itself a holiday: from Saturday 09:00, 1 h → 10:00 */
    cal.off[1] = FRI;
    cal.noff = 2;
    CHECK_INT(sla_instant_after(&p, fri, HRS(1), NULL, 0), T("2026-11-21T10:00:00+08:00"));
}

TEST(workhours_clocks)
{
    struct testcal cal = {0};
    struct sla_policy p;
    workhours(&p, &cal, NULL); /* NULL: the display zone, Asia/Shanghai */
    struct incident inc = mk(2, T("2026-11-20T17:50:00+08:00"));
    /* 30 min: 10 min on Friday, 20 on Monday → breach Mon 09:20; warning at
     * 22.5 min: 12.5 min into Monday → 09:12:30 */
    struct sla_clock_state s = ev(&inc, &p, T("2026-11-21T12:00:00+08:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_RUNNING);
    CHECK_INT(s.elapsed, MIN(10));
    CHECK_INT(s.warn_at, T("2026-11-23T09:12:30+08:00"));
    CHECK_INT(s.breach_at, T("2026-11-23T09:20:00+08:00"));
    CHECK_INT(ev(&inc, &p, T("2026-11-23T09:20:00+08:00") - 1, CLOCK_RESPONSE).status,
              SLA_WARNING);
    CHECK_INT(ev(&inc, &p, T("2026-11-23T09:20:00+08:00"), CLOCK_RESPONSE).status, SLA_BREACHED);
    /* 8 h: 10 min Friday + 7 h 50 Monday → Monday 16:50 */
    CHECK_INT(ev(&inc, &p, T("2026-11-21T12:00:00+08:00"), CLOCK_RESOLVE).breach_at,
              T("2026-11-23T16:50:00+08:00"));
    /* responded Monday 09:05: 10 + 5 = 15 min counted, met */
    inc.responded = T("2026-11-23T09:05:00+08:00");
    s = ev(&inc, &p, T("2026-11-23T10:00:00+08:00"), CLOCK_RESPONSE);
    CHECK_INT(s.status, SLA_MET);
    CHECK_INT(s.elapsed, MIN(15));
    /* the pause's excluded time is counted time: a wait Friday 17:55 to
     * Monday 09:10 took 5 + 10 = 15 working minutes out */
    struct inc_span pause[] = {{T("2026-11-20T17:55:00+08:00"), T("2026-11-23T09:10:00+08:00")}};
    inc.pauses = pause;
    inc.npauses = 1;
    s = ev(&inc, &p, T("2026-11-23T10:00:00+08:00"), CLOCK_RESOLVE);
    CHECK_INT(s.elapsed, MIN(5) + MIN(50));
    CHECK_INT(s.paused, MIN(15));
}

TEST(workhours_zone_is_the_policys)
{
    /* Tokyo (+09:00) hours 09:00–18:00 are 08:00–17:00 in Shanghai */
    struct testcal cal = {0};
    struct sla_policy p;
    workhours(&p, &cal, "Asia/Tokyo");
    CHECK_INT(sla_instant_after(&p, T("2026-11-20T17:30:00+09:00"), HRS(1), NULL, 0),
              T("2026-11-23T09:30:00+09:00"));
    CHECK_INT(sla_counted(&p, T("2026-11-24T08:00:00+08:00"), T("2026-11-24T09:00:00+08:00"), NULL,
                          0), HRS(1));
    /* UTC hours 09:00–18:00 are 17:00–02:00 in Shanghai */
    workhours(&p, &cal, "UTC");
    CHECK_INT(sla_counted(&p, T("2026-11-24T09:00:00+08:00"), T("2026-11-24T18:00:00+08:00"), NULL,
                          0), HRS(1));
    /* a working day ending at 24:00 */
    p.work_end_min = 24 * 60;
    CHECK_INT(sla_counted(&p, T("2026-11-24T09:00:00Z"), T("2026-11-25T09:00:00Z"), NULL, 0),
              HRS(15));
}

TEST(workhours_no_callback_and_no_workdays)
{
    struct sla_policy p;
    workhours(&p, NULL, "Asia/Shanghai");
    p.is_workday = NULL; /* Monday to Friday */
    CHECK_INT(sla_instant_after(&p, T("2026-11-20T17:30:00+08:00"), HRS(1), NULL, 0),
              T("2026-11-23T09:30:00+08:00"));
    /* a calendar with no working day at all: never (0), and it returns */
    p.is_workday = never_workday;
    CHECK_INT(sla_instant_after(&p, T("2026-11-20T17:30:00+08:00"), HRS(1), NULL, 0), 0);
    CHECK_INT(sla_counted(&p, T("2026-11-20T00:00:00+08:00"), T("2026-11-27T00:00:00+08:00"), NULL,
                          0), 0);
    /* impossible hours in a hand-built policy count 7×24 */
    p.is_workday = NULL;
    p.work_start_min = 18 * 60;
    p.work_end_min = 9 * 60;
    CHECK_INT(sla_counted(&p, D("10:00:00"), D("11:00:00"), NULL, 0), HRS(1));
}

/* ---- the building blocks directly ------------------------------------------ */

TEST(counted_and_instant_edges)
{
    struct sla_policy p;
    sla_policy_default(&p);
    CHECK_INT(sla_counted(&p, D("11:00:00"), D("10:00:00"), NULL, 0), 0);
    CHECK_INT(sla_counted(&p, D("10:00:00"), D("10:00:00"), NULL, 0), 0);
    CHECK_INT(sla_counted(&p, D("10:00:00"), D("11:00:00"), NULL, 0), HRS(1));
    CHECK_INT(sla_instant_after(&p, D("10:00:00"), 0, NULL, 0), D("10:00:00"));
    struct inc_span ex[] = {{D("09:00:00"), D("10:30:00")}, {D("10:45:00"), 0}};
    /* from inside a span: counting starts at its end */
    CHECK_INT(sla_counted(&p, D("10:00:00"), D("11:00:00"), ex, 1), MIN(30));
    CHECK_INT(sla_instant_after(&p, D("10:00:00"), MIN(10), ex, 1), D("10:40:00"));
    /* an open span: counted up to `to`, and what lies beyond it never comes */
    CHECK_INT(sla_counted(&p, D("10:00:00"), D("12:00:00"), ex, 2), MIN(15));
    CHECK_INT(sla_instant_after(&p, D("10:00:00"), MIN(15), ex, 2), D("10:45:00"));
    CHECK_INT(sla_instant_after(&p, D("10:00:00"), MIN(15) + 1, ex, 2), 0);
    /* spans wholly before or after the range change nothing */
    struct inc_span far[] = {{D("01:00:00"), D("02:00:00")}, {D("20:00:00"), D("21:00:00")}};
    CHECK_INT(sla_counted(&p, D("10:00:00"), D("11:00:00"), far, 2), HRS(1));
    /* 12 h from 10:00 with 20:00–21:00 out: 10 h by 20:00, 2 h more from 21:00 */
    CHECK_INT(sla_instant_after(&p, D("10:00:00"), HRS(12), far, 2), D("23:00:00"));
}

/* ---- the policy as JSON ------------------------------------------------------ */

static const char default_json[] =
    "{\"warn_pct\":75,\"hours\":\"24x7\",\"work_start\":\"09:00\",\"work_end\":\"18:00\","
    "\"levels\":{\"1\":{\"response\":\"30m\",\"onsite\":\"1h\",\"resolve\":\"8h\"},"
    "\"2\":{\"response\":\"30m\",\"onsite\":\"1h\",\"resolve\":\"8h\"},"
    "\"3\":{\"response\":\"30m\",\"onsite\":\"1h\",\"resolve\":\"8h\"},"
    "\"4\":{\"response\":\"30m\",\"onsite\":\"1h\",\"resolve\":\"8h\"}}}";

TEST(policy_json_round_trip)
{
    struct sla_policy p;
    sla_policy_default(&p);
    char *s = sla_policy_to_json(&p);
    CHECK_STR(s, default_json);
    free(s);

    struct testcal cal = {0};
    struct sla_policy a;
    sla_policy_default(&a);
    a.warn_pct = 80;
    a.hours = SLA_WORKHOURS;
    a.work_start_min = 8 * 60 + 30;
    a.work_end_min = 24 * 60;
    a.target[1][CLOCK_RESPONSE] = MIN(15);
    a.target[1][CLOCK_ONSITE] = 0;
    a.target[1][CLOCK_RESOLVE] = HRS(4) + MIN(30);
    a.target[4][CLOCK_RESOLVE] = 31 * MS_PER_DAY;
    s = sla_policy_to_json(&a);

    struct sla_policy b;
    sla_policy_default(&b);
    b.zone = "Asia/Tokyo";
    b.is_workday = test_workday;
    b.is_workday_arg = &cal;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(sla_policy_from_json(s, &b, &err), 0);
    CHECK_INT(b.warn_pct, 80);
    CHECK_INT(b.hours, SLA_WORKHOURS);
    CHECK_INT(b.work_start_min, 8 * 60 + 30);
    CHECK_INT(b.work_end_min, 24 * 60);
    for (int lv = INC_LEVEL_MIN; lv <= INC_LEVEL_MAX; lv++)
        for (int c = 0; c < CLOCK__COUNT; c++)
            CHECK_INT(b.target[lv][c], a.target[lv][c]);
    /* what JSON does not carry is kept */
    CHECK_STR(b.zone, "Asia/Tokyo");
    CHECK(b.is_workday == test_workday && b.is_workday_arg == &cal);
    char *s2 = sla_policy_to_json(&b);
    CHECK_STR(s2, s);
    /* and the text is what the header shows */
    json_t *j = json_loads(s, 0, NULL);
    CHECK(j != NULL);
    CHECK_STR(json_string_value(json_object_get(j, "work_start")), "08:30");
    CHECK_STR(json_string_value(json_object_get(j, "work_end")), "24:00");
    CHECK_STR(json_string_value(json_object_get(j, "hours")), "workhours");
    json_t *l1 = json_object_get(json_object_get(j, "levels"), "1");
    CHECK_STR(json_string_value(json_object_get(l1, "response")), "15m");
    CHECK_STR(json_string_value(json_object_get(l1, "onsite")), "0s");
    CHECK_STR(json_string_value(json_object_get(l1, "resolve")), "4h30m");
    json_decref(j);
    free(s);
    free(s2);

    /* keys left out keep the defaults; "0" turns a clock off */
    sla_policy_default(&b);
    b.warn_pct = 60;
    CHECK_INT(sla_policy_from_json("{\"levels\":{\"3\":{\"onsite\":\"0\",\"resolve\":\"1d\"}}}", &b,
                                   &err), 0);
    CHECK_INT(b.warn_pct, 75);
    CHECK_INT(b.hours, SLA_24X7);
    CHECK_INT(b.target[3][CLOCK_ONSITE], 0);
    CHECK_INT(b.target[3][CLOCK_RESOLVE], MS_PER_DAY);
    CHECK_INT(b.target[3][CLOCK_RESPONSE], MIN(30));
    CHECK_INT(b.target[2][CLOCK_RESOLVE], HRS(8));
    CHECK_INT(sla_policy_from_json("{}", &b, &err), 0);
}

static void check_bad(const char *text, const char *field, enum yw_errcode code)
{
    struct sla_policy p;
    sla_policy_default(&p);
    p.warn_pct = 42; /* a marker: p must be left alone */
    p.target[2][CLOCK_ONSITE] = 7;
    struct yw_err err = YW_ERR_INIT;
    int rc = sla_policy_from_json(text, &p, &err);
    CHECK_INT(rc, -1);
    CHECK_INT(err.code, code);
    CHECK_STR(err.field, field);
    CHECK(err.msg[0] != '\0');
    CHECK_INT(p.warn_pct, 42);
    CHECK_INT(p.target[2][CLOCK_ONSITE], 7);
    if (rc != -1 || strcmp(err.field, field) != 0)
        printf("#   for %s: field \"%s\" msg \"%s\"\n", text, err.field, err.msg);
}

TEST(policy_json_errors)
{
    check_bad("", "", YW_EINVAL);
    check_bad("{", "", YW_EINVAL);
    check_bad("[]", "", YW_EINVAL);
    check_bad("{\"warn_pct\":75,\"warn_pct\":80}", "", YW_EINVAL); /* duplicate */
    check_bad("{\"foo\":1}", "foo", YW_EINVAL);
    check_bad("{\"warn_pct\":0}", "warn_pct", YW_EINVAL);
    check_bad("{\"warn_pct\":100}", "warn_pct", YW_EINVAL);
    check_bad("{\"warn_pct\":\"75\"}", "warn_pct", YW_EINVAL);
    check_bad("{\"warn_pct\":75.5}", "warn_pct", YW_EINVAL);
    check_bad("{\"hours\":\"9to5\"}", "hours", YW_EINVAL);
    check_bad("{\"hours\":7}", "hours", YW_EINVAL);
    check_bad("{\"work_start\":\"9:00\"}", "work_start", YW_EINVAL);
    check_bad("{\"work_start\":\"24:00\"}", "work_start", YW_EINVAL);
    check_bad("{\"work_start\":\"09:60\"}", "work_start", YW_EINVAL);
    check_bad("{\"work_end\":\"24:01\"}", "work_end", YW_EINVAL);
    check_bad("{\"work_end\":900}", "work_end", YW_EINVAL);
    check_bad("{\"work_start\":\"18:00\",\"work_end\":\"09:00\"}", "work_end", YW_EINVAL);
    check_bad("{\"work_start\":\"09:00\",\"work_end\":\"09:00\"}", "work_end", YW_EINVAL);
    check_bad("{\"levels\":[]}", "levels", YW_EINVAL);
    check_bad("{\"levels\":{\"5\":{}}}", "levels.5", YW_EINVAL);
    check_bad("{\"levels\":{\"0\":{}}}", "levels.0", YW_EINVAL);
    check_bad("{\"levels\":{\"01\":{}}}", "levels.01", YW_EINVAL);
    check_bad("{\"levels\":{\"2\":\"fast\"}}", "levels.2", YW_EINVAL);
    check_bad("{\"levels\":{\"1\":{\"respond\":\"30m\"}}}", "levels.1.respond", YW_EINVAL);
    check_bad("{\"levels\":{\"1\":{\"response\":\"30x\"}}}", "levels.1.response", YW_EINVAL);
    check_bad("{\"levels\":{\"1\":{\"response\":1800}}}", "levels.1.response", YW_EINVAL);
    check_bad("{\"levels\":{\"1\":{\"response\":\"-5m\"}}}", "levels.1.response", YW_EINVAL);
    check_bad("{\"levels\":{\"4\":{\"resolve\":\"31d1ms\"}}}", "levels.4.resolve", YW_EINVAL);
    check_bad("{\"levels\":{\"3\":{\"onsite\":\"\"}}}", "levels.3.onsite", YW_EINVAL);
    /* the first error wins and later good keys do not leak into p */
    check_bad("{\"warn_pct\":50,\"levels\":{\"2\":{\"onsite\":\"2h\",\"resolve\":\"x\"}}}",
              "levels.2.resolve", YW_EINVAL);
    /* too long */
    size_t big = 70 * 1024;
    char *t = xmalloc(big + 1);
    memset(t, ' ', big);
    t[0] = '{';
    t[big - 1] = '}';
    t[big] = '\0';
    check_bad(t, "", YW_ELIMIT);
    free(t);
    struct sla_policy p;
    sla_policy_default(&p);
    CHECK_INT(sla_policy_from_json(NULL, &p, NULL), -1);
    CHECK_INT(sla_policy_from_json("{\"foo\":1}", &p, NULL), -1); /* NULL err is allowed */
}

int main(void)
{
    RUN(names);
    RUN(copy_is_deep_and_release_zeroes);
    RUN(policy_default);
    RUN(response_met_missed_running);
    RUN(response_warning_and_breach_instants);
    RUN(onsite_clock);
    RUN(resolve_clock);
    RUN(target_zero_is_off);
    RUN(one_pause);
    RUN(several_pauses);
    RUN(overlapping_pauses);
    RUN(open_pause);
    RUN(pause_after_breach_does_not_undo_it);
    RUN(reopen);
    RUN(level_change);
    RUN(workhours_weekend);
    RUN(workhours_holiday_and_makeup_day);
    RUN(workhours_clocks);
    RUN(workhours_zone_is_the_policys);
    RUN(workhours_no_callback_and_no_workdays);
    RUN(counted_and_instant_edges);
    RUN(policy_json_round_trip);
    RUN(policy_json_errors);
    return t_done();
}
