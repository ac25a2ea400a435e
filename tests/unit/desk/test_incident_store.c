/*
 * test_incident_store — the incident tables of the store (migration 4):
 * create and read back, changes in one transaction (and rolled back when
 * refused), spans, the timeline, list filters and paging, the period and
 * active queries, SLA marks once per clock and kind, the report reminder's
 * compare-and-set. Real SQLite files in a temporary directory.
 */
#include <string.h>

#include "dtest.h"
#include "t.h"

struct fx {
    char *dir;
    struct store *S;
    int64_t portal, oa, mon, eng;
};

static bool fx_open(struct fx *f)
{
    memset(f, 0, sizeof *f);
    f->dir = dt_tmpdir();
    f->S = f->dir ? dt_open(f->dir) : NULL;
    if (!f->S)
        return false;
    f->portal = dt_system(f->S, "{\"name\":\"portal\",\"title\":\"数据资源门户\",\"tier\":\"key\"}");
    f->oa = dt_system(f->S, "{\"name\":\"oa\",\"title\":\"OA\",\"tier\":\"general\"}");
    f->mon = dt_monitor(f->S, "{\"name\":\"portal-home\",\"system\":\"portal\",\"type\":\"http\","
                              "\"url\":\"http://127.0.0.1:9/\"}");
    f->eng = dt_user(f->S, "li.lei", 1u << ROLE_ENGINEER);
    return f->portal && f->oa && f->mon && f->eng;
}

static void fx_close(struct fx *f)
{
    store_close(f->S);
    dt_rmrf(f->dir);
}

static int64_t mk(struct fx *f, const char *title, int level, int64_t sys, enum inc_source src,
                  ms_t notice)
{
    struct incident inc = {0};
    inc.title = xstrdup(title);
    inc.level = level;
    inc.system_id = sys;
    inc.source = src;
    inc.state = INC_NEW;
    inc.notice = notice;
    inc.created = notice;
    int64_t id = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_incident_create(f->S, &inc, "tester", NULL, NULL, &id, &e))
        printf("#   create %s: %s\n", title, e.msg);
    incident_release(&inc);
    return id;
}

/* ---- changes used by the tests ---------------------------------------------------------------- */

struct set_state {
    enum inc_state state;
    ms_t at;
    bool pause, resolve, fail;
    int stage;
};

static int set_state_fn(void *arg, struct inc_record *r, struct inc_change *ch, struct yw_err *err)
{
    struct set_state *a = arg;
    if (a->fail) {
        store_inc_change_add(ch, IEV_NOTE, a->at, "x", "never written", NULL);
        return yw_fail(err, YW_ECONFLICT, "refused");
    }
    r->inc.state = a->state;
    if (a->state == INC_RESPONDED)
        r->inc.responded = a->at;
    if (a->pause) {
        r->inc.pauses = xrealloc(r->inc.pauses, (r->inc.npauses + 1) * sizeof *r->inc.pauses);
        r->pause_vendor = xrealloc(r->pause_vendor, (r->inc.npauses + 1) * sizeof *r->pause_vendor);
        r->inc.pauses[r->inc.npauses] = (struct inc_span){a->at, a->at + 10 * MIN};
        r->pause_vendor[r->inc.npauses] = xstrdup("华为");
        r->inc.npauses++;
        xfree(r->inc.vendor_name);
        r->inc.vendor_name = xstrdup("华为");
        r->inc.vendor = true;
    }
    if (a->resolve) {
        r->inc.resolved_spans = xrealloc(r->inc.resolved_spans,
                                         (r->inc.nresolved_spans + 1) * sizeof *r->inc.resolved_spans);
        r->inc.resolved_spans[r->inc.nresolved_spans++] = (struct inc_span){a->at, 0};
        r->inc.resolved = a->at;
        r->inc.report_due = a->at + 3 * MS_PER_DAY;
        xfree(r->inc.cause);
        r->inc.cause = xstrdup("磁盘满");
    }
    r->report_stage = a->stage;
    store_inc_change_add(ch, IEV_NOTE, a->at, "li.lei", "state set", "{\"k\":1}");
    return 0;
}

static int change(struct fx *f, int64_t id, struct set_state a, struct yw_err *e)
{
    return store_incident_change(f->S, id, a.at, set_state_fn, &a, NULL, e);
}

/* ---- tests ---------------------------------------------------------------------------------- */

TEST(migration_applied)
{
    struct fx f;
    CHECK(fx_open(&f));
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM schema_migrations WHERE version = 4"), 1);
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                                "name IN ('incidents', 'incident_spans', 'incident_events', "
                                "'sla_marks')"),
              4);
    fx_close(&f);
}

TEST(create_and_get)
{
    struct fx f;
    CHECK(fx_open(&f));
    struct incident inc = {0};
    inc.title = xstrdup("门户首页打不开");
    inc.level = 2;
    inc.system_id = f.portal;
    inc.source = SRC_PHONE;
    inc.reporter = xstrdup("张三 13800000000");
    inc.assignee_id = f.eng;
    inc.state = INC_NEW;
    inc.notice = T0;
    inc.onsite_needed = true;
    inc.monitor_id = f.mon;
    inc.outage_start = T0 - MIN;
    inc.created = T0 + 5 * MIN;
    int64_t id = 0;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(store_incident_create(f.S, &inc, "han.mei", "电话报告", "{\"a\":1}", &id, &e), 0);
    CHECK(id > 0);

    struct inc_record r = {0};
    CHECK_INT(store_incident_get(f.S, id, true, &r, &e), 0);
    CHECK_STR(r.inc.title, "门户首页打不开");
    CHECK_INT(r.inc.level, 2);
    CHECK_STR(r.inc.system, "portal");
    CHECK_STR(r.inc.assignee, "li.lei");
    CHECK_STR(r.inc.monitor, "portal-home");
    CHECK_STR(r.inc.reporter, "张三 13800000000");
    CHECK_INT(r.inc.source, SRC_PHONE);
    CHECK_INT(r.inc.state, INC_NEW);
    CHECK_INT(r.inc.notice, T0);
    CHECK(r.inc.onsite_needed);
    CHECK_INT(r.inc.outage_start, T0 - MIN);
    CHECK_INT(r.inc.created, T0 + 5 * MIN);
    CHECK_INT(r.inc.updated, T0 + 5 * MIN);
    CHECK_INT(r.nevents, 1);
    if (r.nevents == 1) {
        CHECK_INT(r.events[0].kind, IEV_OPENED);
        CHECK_INT(r.events[0].at, T0);
        CHECK_STR(r.events[0].by, "han.mei");
        CHECK_STR(r.events[0].text, "电话报告");
        CHECK_STR(r.events[0].data, "{\"a\":1}");
    }
    store_inc_record_release(&r);

    /* refusals: nothing written */
    inc.system_id = 9999;
    CHECK_INT(store_incident_create(f.S, &inc, "x", NULL, NULL, NULL, &e), -1);
    CHECK_STR(e.field, "system");
    inc.system_id = f.portal;
    inc.assignee_id = 9999;
    CHECK_INT(store_incident_create(f.S, &inc, "x", NULL, NULL, NULL, &e), -1);
    CHECK_STR(e.field, "assignee");
    inc.assignee_id = 0;
    inc.level = 5;
    CHECK_INT(store_incident_create(f.S, &inc, "x", NULL, NULL, NULL, &e), -1);
    CHECK_STR(e.field, "level");
    inc.level = 3;
    inc.state = INC_RESPONDED;
    CHECK_INT(store_incident_create(f.S, &inc, "x", NULL, NULL, NULL, &e), -1);
    CHECK_STR(e.field, "state");
    inc.state = INC_NEW;
    xfree(inc.title);
    inc.title = xstrdup("");
    CHECK_INT(store_incident_create(f.S, &inc, "x", NULL, NULL, NULL, &e), -1);
    CHECK_STR(e.field, "title");
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM incidents"), 1);
    CHECK_INT(store_incident_get(f.S, id + 1, false, &r, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    incident_release(&inc);
    fx_close(&f);
}

TEST(change_is_one_transaction)
{
    struct fx f;
    CHECK(fx_open(&f));
    int64_t id = mk(&f, "t", 3, f.portal, SRC_USER, T0);
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(change(&f, id, (struct set_state){INC_RESPONDED, T0 + MIN, true, false, false, 0}, &e),
              0);
    CHECK_INT(change(&f, id, (struct set_state){INC_RESOLVED, T0 + HOUR, false, true, false, 1}, &e),
              0);
    struct inc_record r = {0};
    CHECK_INT(store_incident_get(f.S, id, true, &r, &e), 0);
    CHECK_INT(r.inc.state, INC_RESOLVED);
    CHECK_INT(r.inc.responded, T0 + MIN);
    CHECK_INT(r.inc.resolved, T0 + HOUR);
    CHECK_INT(r.inc.report_due, T0 + HOUR + 3 * MS_PER_DAY);
    CHECK_INT(r.report_stage, 1);
    CHECK_STR(r.inc.cause, "磁盘满");
    CHECK_INT(r.inc.updated, T0 + HOUR);
    CHECK(r.inc.vendor);
    CHECK_STR(r.inc.vendor_name, "华为");
    CHECK_INT(r.inc.npauses, 1);
    if (r.inc.npauses == 1) {
        CHECK_INT(r.inc.pauses[0].start, T0 + MIN);
        CHECK_INT(r.inc.pauses[0].end, T0 + 11 * MIN);
        CHECK_STR(r.pause_vendor[0], "华为");
    }
    CHECK_INT(r.inc.nresolved_spans, 1);
    if (r.inc.nresolved_spans == 1) {
        CHECK_INT(r.inc.resolved_spans[0].start, T0 + HOUR);
        CHECK_INT(r.inc.resolved_spans[0].end, 0);
    }
    CHECK_INT(r.nevents, 3); /* opened + two notes */
    if (r.nevents == 3) {
        CHECK_INT(r.events[1].at, T0 + MIN);
        CHECK_STR(r.events[2].data, "{\"k\":1}");
    }
    store_inc_record_release(&r);

    /* A refused change writes nothing, not even its timeline entry. */
    CHECK_INT(change(&f, id, (struct set_state){INC_CLOSED, T0 + 2 * HOUR, false, false, true, 0}, &e),
              -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM incident_events"), 3);
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM incidents WHERE state = 'resolved'"), 1);
    /* spans are rewritten, not duplicated */
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM incident_spans"), 2);
    /* an unknown incident */
    CHECK_INT(change(&f, id + 7, (struct set_state){INC_CLOSED, T0, false, false, false, 0}, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    fx_close(&f);
}

static size_t list_n(struct fx *f, struct inc_filter fl, int64_t *first, bool *more)
{
    struct inc_record *rows = NULL;
    size_t n = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_incident_list(f->S, &fl, &rows, &n, more, &e)) {
        printf("#   list: %s\n", e.msg);
        return 999;
    }
    if (first)
        *first = n ? rows[0].inc.id : 0;
    store_inc_records_free(rows, n);
    return n;
}

TEST(list_filters_and_paging)
{
    struct fx f;
    CHECK(fx_open(&f));
    int64_t a = mk(&f, "Portal DOWN 门户中断", 1, f.portal, SRC_MONITOR, T0);
    int64_t b = mk(&f, "oa slow", 3, f.oa, SRC_PHONE, T0 + HOUR);
    int64_t c = mk(&f, "邮件问题", 4, 0, SRC_EMAIL, T0 + 2 * HOUR);
    int64_t d = mk(&f, "portal login", 2, f.portal, SRC_PHONE, T0 + 3 * HOUR);
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(change(&f, b, (struct set_state){INC_RESPONDED, T0 + HOUR, false, false, false, 0}, &e), 0);
    CHECK_INT(change(&f, c, (struct set_state){INC_CLOSED, T0 + 3 * HOUR, false, false, false, 0}, &e), 0);

    struct inc_filter fl = INC_FILTER_INIT;
    int64_t first = 0;
    bool more = true;
    CHECK_INT(list_n(&f, fl, &first, &more), 4);
    CHECK_INT(first, d); /* newest first */
    CHECK(!more);
    fl.states = (1u << INC_NEW) | (1u << INC_RESPONDED) | (1u << INC_ONSITE);
    CHECK_INT(list_n(&f, fl, NULL, NULL), 3);
    fl.states = 1u << INC_CLOSED;
    CHECK_INT(list_n(&f, fl, &first, NULL), 1);
    CHECK_INT(first, c);
    fl = (struct inc_filter)INC_FILTER_INIT;
    fl.level = 1;
    CHECK_INT(list_n(&f, fl, &first, NULL), 1);
    CHECK_INT(first, a);
    fl = (struct inc_filter)INC_FILTER_INIT;
    fl.system_id = f.portal;
    CHECK_INT(list_n(&f, fl, NULL, NULL), 2);
    fl = (struct inc_filter)INC_FILTER_INIT;
    fl.source = SRC_PHONE;
    CHECK_INT(list_n(&f, fl, NULL, NULL), 2);
    fl = (struct inc_filter)INC_FILTER_INIT;
    fl.from = T0 + HOUR;
    fl.to = T0 + 3 * HOUR; /* b and c; d's notice is the end, excluded */
    CHECK_INT(list_n(&f, fl, NULL, NULL), 2);
    fl = (struct inc_filter)INC_FILTER_INIT;
    fl.search = "PORTAL"; /* ASCII case does not matter */
    CHECK_INT(list_n(&f, fl, NULL, NULL), 2);
    fl.search = "中断";
    CHECK_INT(list_n(&f, fl, &first, NULL), 1);
    CHECK_INT(first, a);
    fl = (struct inc_filter)INC_FILTER_INIT;
    fl.assignee_id = f.eng;
    CHECK_INT(list_n(&f, fl, NULL, NULL), 0);

    /* paging: 2 a page, newest first */
    fl = (struct inc_filter)INC_FILTER_INIT;
    fl.limit = 2;
    CHECK_INT(list_n(&f, fl, &first, &more), 2);
    CHECK_INT(first, d);
    CHECK(more);
    fl.before_id = c; /* after d, c: the next page starts below c */
    CHECK_INT(list_n(&f, fl, &first, &more), 2);
    CHECK_INT(first, b);
    CHECK(!more);

    /* limits */
    struct inc_record *rows = NULL;
    size_t n = 0;
    fl.limit = 0;
    CHECK_INT(store_incident_list(f.S, &fl, &rows, &n, NULL, &e), -1);
    CHECK_STR(e.field, "limit");
    fl.limit = INC_LIST_MAX + 1;
    CHECK_INT(store_incident_list(f.S, &fl, &rows, &n, NULL, &e), -1);
    fl.limit = 10;
    char big[INC_SEARCH_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    fl.search = big;
    CHECK_INT(store_incident_list(f.S, &fl, &rows, &n, NULL, &e), -1);
    CHECK_STR(e.field, "q");
    fx_close(&f);
}

TEST(period_active_and_monitor)
{
    struct fx f;
    CHECK(fx_open(&f));
    int64_t a = mk(&f, "a", 2, f.portal, SRC_MONITOR, T0);
    int64_t b = mk(&f, "b", 3, f.oa, SRC_PHONE, T0 + HOUR);
    int64_t c = mk(&f, "c", 3, f.portal, SRC_PHONE, T0 + 50 * MS_PER_DAY);
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(change(&f, a, (struct set_state){INC_RESPONDED, T0 + MIN, true, false, false, 0}, &e), 0);

    struct incident *incs = NULL;
    size_t n = 0;
    CHECK_INT(store_incident_period(f.S, T0, T0 + MS_PER_DAY, 0, &incs, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(incs[0].id, a); /* by notice */
        CHECK_INT(incs[0].npauses, 1);
        CHECK_INT(incs[1].npauses, 0);
    }
    store_incidents_free(incs, n);
    CHECK_INT(store_incident_period(f.S, T0, T0 + 60 * MS_PER_DAY, f.portal, &incs, &n, &e), 0);
    CHECK_INT(n, 2); /* a and c */
    store_incidents_free(incs, n);

    /* active: not closed, or closed with a report due and not reminded */
    CHECK_INT(change(&f, b, (struct set_state){INC_CLOSED, T0 + 2 * HOUR, false, false, false, 0}, &e), 0);
    CHECK_INT(change(&f, c, (struct set_state){INC_CLOSED, T0 + 51 * MS_PER_DAY, false, true, false, 0}, &e), 0);
    struct inc_record *rows = NULL;
    CHECK_INT(store_incident_active(f.S, &rows, &n, &e), 0);
    CHECK_INT(n, 2); /* a (open) and c (report due) */
    if (n == 2) {
        CHECK_INT(rows[0].inc.id, a);
        CHECK_INT(rows[0].inc.npauses, 1);
        CHECK_INT(rows[1].inc.id, c);
    }
    store_inc_records_free(rows, n);

    /* the report reminder: once per stage, never backwards, not once submitted */
    bool changed = false;
    CHECK_INT(store_incident_report_stage(f.S, c, 1, &changed, &e), 0);
    CHECK(changed);
    CHECK_INT(store_incident_report_stage(f.S, c, 1, &changed, &e), 0);
    CHECK(!changed);
    CHECK_INT(store_incident_report_stage(f.S, c, 2, &changed, &e), 0);
    CHECK(changed);
    CHECK_INT(store_incident_active(f.S, &rows, &n, &e), 0);
    CHECK_INT(n, 1); /* c is reminded as overdue: no longer watched */
    store_inc_records_free(rows, n);

    /* the monitor's current incident: the latest not closed */
    struct inc_record r = {0};
    bool found = false;
    CHECK_INT(store_incident_for_monitor(f.S, f.mon, &r, &found, &e), 0);
    CHECK(!found);
    struct incident inc = {0};
    inc.title = xstrdup("m1");
    inc.level = 2;
    inc.source = SRC_MONITOR;
    inc.notice = T0;
    inc.monitor_id = f.mon;
    int64_t m1 = 0, m2 = 0;
    CHECK_INT(store_incident_create(f.S, &inc, "system", NULL, NULL, &m1, &e), 0);
    CHECK_INT(change(&f, m1, (struct set_state){INC_CLOSED, T0 + HOUR, false, false, false, 0}, &e), 0);
    CHECK_INT(store_incident_for_monitor(f.S, f.mon, &r, &found, &e), 0);
    CHECK(found);
    CHECK_INT(r.inc.id, m1); /* closed, but the only one */
    store_inc_record_release(&r);
    inc.notice = T0 + 2 * HOUR;
    CHECK_INT(store_incident_create(f.S, &inc, "system", NULL, NULL, &m2, &e), 0);
    CHECK_INT(store_incident_for_monitor(f.S, f.mon, &r, &found, &e), 0);
    CHECK_INT(r.inc.id, m2);
    store_inc_record_release(&r);
    incident_release(&inc);
    fx_close(&f);
}

TEST(marks_once)
{
    struct fx f;
    CHECK(fx_open(&f));
    int64_t a = mk(&f, "a", 2, f.portal, SRC_MONITOR, T0);
    struct yw_err e = YW_ERR_INIT;
    struct sla_mark w = {a, CLOCK_RESPONSE, false, T0 + 1350000};
    bool added = false;
    CHECK_INT(store_sla_mark_add(f.S, &w, "预警", "{\"clock\":\"response\"}", &added, &e), 0);
    CHECK(added);
    w.at = T0 + 1400000; /* another instant: still the same mark */
    CHECK_INT(store_sla_mark_add(f.S, &w, "预警", NULL, &added, &e), 0);
    CHECK(!added);
    struct sla_mark b = {a, CLOCK_RESPONSE, true, T0 + 30 * MIN};
    CHECK_INT(store_sla_mark_add(f.S, &b, "超时", NULL, &added, &e), 0);
    CHECK(added);
    struct sla_mark r = {a, CLOCK_RESOLVE, false, T0 + 6 * HOUR};
    CHECK_INT(store_sla_mark_add(f.S, &r, "预警", NULL, &added, &e), 0);
    CHECK(added);
    struct sla_mark none = {a + 100, CLOCK_RESOLVE, false, T0};
    CHECK_INT(store_sla_mark_add(f.S, &none, "x", NULL, &added, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);

    struct sla_mark *marks = NULL;
    size_t n = 0;
    CHECK_INT(store_sla_marks_of(f.S, a, &marks, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(marks[0].at, T0 + 1350000); /* the first instant is kept */
        CHECK(!marks[0].breach);
        CHECK(marks[1].breach);
        CHECK_INT(marks[2].clock, CLOCK_RESOLVE);
    }
    xfree(marks);
    CHECK_INT(store_sla_marks_active(f.S, &marks, &n, &e), 0);
    CHECK_INT(n, 3);
    xfree(marks);
    /* one timeline entry per mark recorded */
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM incident_events WHERE kind = 'sla_warning'"), 2);
    CHECK_INT(dt_sql_int(f.dir, "SELECT count(*) FROM incident_events WHERE kind = 'sla_breach'"), 1);
    CHECK_INT(dt_sql_int(f.dir, "SELECT at FROM incident_events WHERE kind = 'sla_breach'"),
              T0 + 30 * MIN);

    /* a closed incident's marks are no longer watched */
    CHECK_INT(change(&f, a, (struct set_state){INC_CLOSED, T0 + HOUR, false, false, false, 0}, &e), 0);
    CHECK_INT(store_sla_marks_active(f.S, &marks, &n, &e), 0);
    CHECK_INT(n, 0);
    xfree(marks);
    fx_close(&f);
}

int main(void)
{
    RUN(migration_applied);
    RUN(create_and_get);
    RUN(change_is_one_transaction);
    RUN(list_filters_and_paging);
    RUN(period_active_and_monitor);
    RUN(marks_once);
    return t_done();
}
