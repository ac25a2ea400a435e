/*
 * test_desk — the incident desk: the lifecycle rules (pure), the level
 * rules and period names, and the desk's service with fake hooks and a
 * fixed clock: monitor outages open one incident each (flaps coalesced,
 * maintenance ignored, recovery marked), clock warnings and breaches are
 * recorded at their exact instants and notified once, caught up after a
 * restart, acknowledgement on response, the report's due date through the
 * calendar hook, its reminders once per stage.
 *
 * Expected instants are worked out by hand beside each check: default
 * policy, every level 30 min / 60 min / 8 h, warning at 75 %.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "desk/desk.h"
#include "dtest.h"
#include "sched/engine.h"
#include "t.h"

/* ---- the pure rules ------------------------------------------------------------------------ */

static ms_t due_plus_3d(void *arg, ms_t t)
{
    (void)arg;
    return t + 3 * MS_PER_DAY;
}

static struct inc_record fresh(ms_t notice)
{
    struct inc_record r = {0};
    r.inc.id = 7;
    r.inc.title = xstrdup("t");
    r.inc.level = 2;
    r.inc.state = INC_NEW;
    r.inc.notice = notice;
    return r;
}

/* Applies a at now; returns 0/-1 and the change's entries are dropped. */
static int apply(struct inc_record *r, struct desk_action a, ms_t now, struct yw_err *e,
                 enum inc_event_kind *last)
{
    struct desk_ctx x = {now, "li.lei", due_plus_3d, NULL};
    struct inc_change ch = {0};
    int rc = desk_apply(r, &a, &x, &ch, e);
    if (last && ch.nev)
        *last = ch.ev[ch.nev - 1].kind;
    for (size_t i = 0; i < ch.nev; i++)
        store_inc_event_release(&ch.ev[i]);
    return rc;
}

TEST(rules_lifecycle)
{
    struct inc_record r = fresh(T0);
    struct yw_err e = YW_ERR_INIT;
    enum inc_event_kind k = IEV__COUNT;
    unsigned al = desk_actions_allowed(&r.inc);
    CHECK(al & (1u << DA_RESPOND));
    CHECK(!(al & (1u << DA_RESOLVE)));
    CHECK(!(al & (1u << DA_CLOSE)));
    CHECK(!(al & (1u << DA_REPORT)));

    /* resolve before responding: refused, 409-style */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESOLVE, .cause = "x"}, T0 + MIN, &e, NULL), -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK_STR(e.field, "action");
    /* times: not in the future, not before the notice */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESPOND, .at = T0 + 10 * MIN}, T0 + 5 * MIN, &e, NULL), -1);
    CHECK_STR(e.field, "at");
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESPOND, .at = T0 - 1}, T0 + 5 * MIN, &e, NULL), -1);
    CHECK_STR(e.field, "at");
    /* a phone call taken earlier, logged now */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESPOND, .at = T0 + 2 * MIN}, T0 + 20 * MIN, &e, &k), 0);
    CHECK_INT(r.inc.state, INC_RESPONDED);
    CHECK_INT(r.inc.responded, T0 + 2 * MIN);
    CHECK_INT(k, IEV_RESPONDED);
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESPOND}, T0 + 21 * MIN, &e, NULL), -1);
    CHECK_INT(e.code, YW_ECONFLICT);

    /* vendor wait and back: a pause */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_VENDOR_WAIT}, T0 + 30 * MIN, &e, NULL), -1);
    CHECK_STR(e.field, "vendor");
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_VENDOR_WAIT, .vendor = "浪潮"}, T0 + 30 * MIN, &e, NULL), 0);
    CHECK(r.inc.vendor);
    CHECK_STR(r.inc.vendor_name, "浪潮");
    CHECK_INT(r.inc.npauses, 1);
    CHECK_STR(r.pause_vendor[0], "浪潮");
    CHECK(desk_actions_allowed(&r.inc) & (1u << DA_VENDOR_BACK));
    CHECK(!(desk_actions_allowed(&r.inc) & (1u << DA_VENDOR_WAIT)));
    /* before the previous step (the wait began at +30 min) */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_VENDOR_BACK, .at = T0 + 25 * MIN}, T0 + HOUR, &e, NULL), -1);
    CHECK_STR(e.field, "at");
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_VENDOR_BACK}, T0 + HOUR, &e, NULL), 0);
    CHECK_INT(r.inc.pauses[0].end, T0 + HOUR);

    /* resolve: the cause is required; the report falls due by the hook */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESOLVE}, T0 + 2 * HOUR, &e, NULL), -1);
    CHECK_STR(e.field, "cause");
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESOLVE, .cause = "光模块故障", .fix = "更换"},
                    T0 + 2 * HOUR, &e, &k), 0);
    CHECK_INT(r.inc.state, INC_RESOLVED);
    CHECK_INT(r.inc.resolved, T0 + 2 * HOUR);
    CHECK_INT(r.inc.report_due, T0 + 2 * HOUR + 3 * MS_PER_DAY);
    CHECK_STR(r.inc.cause, "光模块故障");
    CHECK_STR(r.inc.fix, "更换");
    CHECK_INT(r.inc.nresolved_spans, 1);
    CHECK(desk_actions_allowed(&r.inc) & (1u << DA_REPORT));
    CHECK(desk_actions_allowed(&r.inc) & (1u << DA_CLOSE));

    /* close without the report: allowed, the report stays due */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_CLOSE}, T0 + 3 * HOUR, &e, NULL), 0);
    CHECK_INT(r.inc.state, INC_CLOSED);
    CHECK_INT(r.inc.report_due, T0 + 2 * HOUR + 3 * MS_PER_DAY);
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_ASSIGN, .assignee_id = 3}, T0 + 3 * HOUR, &e, NULL), -1);
    CHECK_INT(e.code, YW_ECONFLICT);

    /* reopen: back to responded, the resolved span ends, the due date goes */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_REOPEN, .note = "又坏了"}, T0 + 4 * HOUR, &e, &k), 0);
    CHECK_INT(k, IEV_REOPENED);
    CHECK_INT(r.inc.state, INC_RESPONDED);
    CHECK_INT(r.inc.resolved, 0);
    CHECK_INT(r.inc.closed, 0);
    CHECK_INT(r.inc.report_due, 0);
    CHECK_INT(r.inc.resolved_spans[0].end, T0 + 4 * HOUR);

    /* level and notes in any state */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_LEVEL, .level = 5}, T0 + 4 * HOUR, &e, NULL), -1);
    CHECK_STR(e.field, "level");
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_LEVEL, .level = 1}, T0 + 4 * HOUR, &e, &k), 0);
    CHECK_INT(r.inc.level, 1);
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_NOTE}, T0 + 4 * HOUR, &e, NULL), -1);
    CHECK_STR(e.field, "text");
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_NOTE, .text = "已联系厂商"}, T0 + 4 * HOUR, &e, &k), 0);
    CHECK_INT(k, IEV_NOTE);
    /* an `at` a few seconds ahead (a phone's clock) counts as now */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESOLVE, .cause = "x", .at = T0 + 5 * HOUR + 30000},
                    T0 + 5 * HOUR, &e, NULL), 0);
    CHECK_INT(r.inc.resolved, T0 + 5 * HOUR);
    CHECK_INT(desk_last_instant(&r.inc), T0 + 5 * HOUR);
    store_inc_record_release(&r);

    /* on site straight from new: the arrival is the response too */
    r = fresh(T0);
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_ONSITE}, T0 + 40 * MIN, &e, &k), 0);
    CHECK_INT(r.inc.responded, T0 + 40 * MIN);
    CHECK_INT(r.inc.onsite, T0 + 40 * MIN);
    CHECK_INT(r.inc.state, INC_ONSITE);
    /* resolving while waiting on a vendor ends the wait */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_VENDOR_WAIT, .vendor = "v"}, T0 + HOUR, &e, NULL), 0);
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_RESOLVE, .cause = "c"}, T0 + 2 * HOUR, &e, NULL), 0);
    CHECK_INT(r.inc.pauses[0].end, T0 + 2 * HOUR);
    /* a report: first submission kept, revisions update the text */
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_REPORT, .text = "报告 v1"}, T0 + 3 * HOUR, &e, &k), 0);
    CHECK_INT(r.inc.report_submitted, T0 + 3 * HOUR);
    CHECK_INT(apply(&r, (struct desk_action){.kind = DA_REPORT, .text = "报告 v2"}, T0 + 4 * HOUR, &e, &k), 0);
    CHECK_INT(r.inc.report_submitted, T0 + 3 * HOUR);
    CHECK_STR(r.inc.report, "报告 v2");
    store_inc_record_release(&r);
}

TEST(levels_and_periods)
{
    struct desk_levels l;
    desk_levels_default(&l);
    CHECK_INT(desk_level_for(&l, "portal", TIER_KEY, "m", MT_HTTP), 2);
    CHECK_INT(desk_level_for(&l, "oa", TIER_GENERAL, "m", MT_TCP), 3);
    CHECK_STR(l.def[1].definition, "核心系统全面中断");
    CHECK_INT(l.flap_window, 30 * MIN);
    desk_levels_release(&l);

    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(desk_levels_from_json("{\"rules\":[{\"system\":\"portal\",\"monitor_type\":\"http\","
                                    "\"level\":1},{\"monitor\":\"oa-db\",\"level\":2}],"
                                    "\"tiers\":{\"general\":4},\"flap_window\":\"10m\","
                                    "\"levels\":{\"1\":{\"title\":\"特大\"}}}",
                                    &l, &e), 0);
    CHECK_INT(desk_level_for(&l, "portal", TIER_KEY, "home", MT_HTTP), 1);
    CHECK_INT(desk_level_for(&l, "portal", TIER_KEY, "home", MT_TCP), 2);
    CHECK_INT(desk_level_for(&l, "oa", TIER_GENERAL, "oa-db", MT_POSTGRES), 2);
    CHECK_INT(desk_level_for(&l, "oa", TIER_GENERAL, "oa-web", MT_HTTP), 4);
    CHECK_INT(l.flap_window, 10 * MIN);
    CHECK_STR(l.def[1].title, "特大");
    CHECK(l.def[1].definition == NULL);
    /* round trip */
    char *text = desk_levels_to_json(&l);
    struct desk_levels l2;
    CHECK_INT(desk_levels_from_json(text, &l2, &e), 0);
    char *text2 = desk_levels_to_json(&l2);
    CHECK_STR(text2, text);
    xfree(text);
    xfree(text2);
    desk_levels_release(&l2);
    desk_levels_release(&l);

    static const char *const bad[][2] = {
        {"{\"rules\":[{\"level\":1}]}", "rules[0]"},
        {"{\"rules\":[{\"system\":\"a\",\"level\":5}]}", "rules[0].level"},
        {"{\"rules\":[{\"monitor_type\":\"smtp\",\"level\":1}]}", "rules[0].monitor_type"},
        {"{\"tiers\":{\"key\":0}}", "tiers.key"},
        {"{\"levels\":{\"5\":{\"title\":\"x\"}}}", "levels.5"},
        {"{\"flap_window\":\"8d\"}", "flap_window"},
        {"{\"color\":1}", "color"},
        {"[]", "body"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e = (struct yw_err)YW_ERR_INIT;
        CHECK_INT(desk_levels_from_json(bad[i][0], &l, &e), -1);
        CHECK_STR(e.field, bad[i][1]);
    }

    /* periods in the display zone (Asia/Shanghai) */
    ms_t from, to;
    CHECK_INT(desk_period_parse("2026-11", &from, &to, &e), 0);
    CHECK_INT(from, 1793462400000LL); /* 2026-11-01T00:00+08:00 = 2026-10-31T16:00Z */
    CHECK_INT(to, 1796054400000LL);   /* 2026-12-01T00:00+08:00 */
    CHECK_INT(desk_period_parse("2026-Q4", &from, &to, &e), 0);
    CHECK_INT(from, 1790784000000LL); /* 2026-10-01T00:00+08:00 */
    CHECK_INT(to, 1798732800000LL);   /* 2027-01-01T00:00+08:00 */
    CHECK_INT(desk_period_parse("2026-H1", &from, &to, &e), 0);
    CHECK_INT(from, 1767196800000LL); /* 2026-01-01T00:00+08:00 */
    CHECK_INT(to, 1782835200000LL);   /* 2026-07-01T00:00+08:00 */
    CHECK_INT(desk_period_parse("2026", &from, &to, &e), 0);
    CHECK_INT(to, 1798732800000LL);
    static const char *const bad_periods[] = {"2026-13", "2026-Q5", "26-11", "2026-11-01", "",
                                              "2026-H3", "1999"};
    for (size_t i = 0; i < sizeof bad_periods / sizeof bad_periods[0]; i++) {
        CHECK_INT(desk_period_parse(bad_periods[i], &from, &to, &e), -1);
        CHECK_STR(e.field, "period");
    }
}

/* ---- the desk with fakes ---------------------------------------------------------------------- */

#define NOTES_MAX 256

static _Atomic ms_t clock_now = T0;

static ms_t fake_clock(void *arg)
{
    (void)arg;
    return atomic_load(&clock_now);
}

struct fakes {
    pthread_mutex_t mu;
    struct notify_event ev[NOTES_MAX]; /* strings not kept */
    size_t nev;
    int64_t acks[NOTES_MAX];
    size_t nacks;
    int changes;
    int64_t duty_id;
    int deadline_calls;
};

static struct fakes fk = {.mu = PTHREAD_MUTEX_INITIALIZER};

static int fake_notify(void *arg, const struct notify_event *ev)
{
    (void)arg;
    pthread_mutex_lock(&fk.mu);
    if (fk.nev < NOTES_MAX) {
        fk.ev[fk.nev] = *ev;
        fk.ev[fk.nev].system = fk.ev[fk.nev].title = fk.ev[fk.nev].detail = NULL;
        fk.nev++;
    }
    pthread_mutex_unlock(&fk.mu);
    return 0;
}

static void fake_ack(void *arg, int64_t id)
{
    (void)arg;
    pthread_mutex_lock(&fk.mu);
    if (fk.nacks < NOTES_MAX)
        fk.acks[fk.nacks++] = id;
    pthread_mutex_unlock(&fk.mu);
}

static int fake_duty(void *arg, enum duty_position pos, ms_t at, int64_t *user_id, char *login,
                     size_t n)
{
    (void)arg, (void)at;
    if (pos != DUTY_PRIMARY || !fk.duty_id)
        return -1;
    *user_id = fk.duty_id;
    snprintf(login, n, "li.lei");
    return 0;
}

/* The calendar hook: 3 working days is here "3 days and 1 hour", so the
 * test can tell it was asked. */
static ms_t fake_deadline(void *arg, ms_t t, int n)
{
    (void)arg;
    pthread_mutex_lock(&fk.mu);
    fk.deadline_calls++;
    pthread_mutex_unlock(&fk.mu);
    return t + n * MS_PER_DAY + HOUR;
}

static void fake_change(void *arg, int64_t id)
{
    (void)arg, (void)id;
    pthread_mutex_lock(&fk.mu);
    fk.changes++;
    pthread_mutex_unlock(&fk.mu);
}

static void fakes_reset(void)
{
    pthread_mutex_lock(&fk.mu);
    fk.nev = 0;
    fk.nacks = 0;
    fk.changes = 0;
    fk.deadline_calls = 0;
    pthread_mutex_unlock(&fk.mu);
}

/* Notifications of kind for incident id (0 = any) so far. */
static int count(enum notify_kind kind, int64_t id)
{
    int n = 0;
    pthread_mutex_lock(&fk.mu);
    for (size_t i = 0; i < fk.nev; i++)
        n += fk.ev[i].kind == kind && (id == 0 || fk.ev[i].incident_id == id);
    pthread_mutex_unlock(&fk.mu);
    return n;
}

static const struct notify_event *last_of(enum notify_kind kind)
{
    const struct notify_event *e = NULL;
    pthread_mutex_lock(&fk.mu);
    for (size_t i = 0; i < fk.nev; i++)
        if (fk.ev[i].kind == kind)
            e = &fk.ev[i];
    pthread_mutex_unlock(&fk.mu);
    return e;
}

struct dfx {
    char *dir;
    struct store *S;
    struct desk *D;
    int64_t portal, oa, home, oatcp, eng, viewer;
};

static struct desk *start(struct store *S)
{
    struct desk_hooks h = {0};
    h.notify = fake_notify;
    h.ack = fake_ack;
    h.on_duty = fake_duty;
    h.deadline = fake_deadline;
    h.on_change = fake_change;
    struct desk_opts o = DESK_OPTS_INIT;
    o.clock = fake_clock;
    struct yw_err e = YW_ERR_INIT;
    struct desk *D = desk_start(S, &h, &o, &e);
    if (!D)
        printf("#   desk_start: %s\n", e.msg);
    else
        desk_sync(D);
    return D;
}

static bool dfx_open(struct dfx *f)
{
    memset(f, 0, sizeof *f);
    atomic_store(&clock_now, T0);
    fakes_reset();
    f->dir = dt_tmpdir();
    f->S = f->dir ? dt_open(f->dir) : NULL;
    if (!f->S)
        return false;
    f->portal = dt_system(f->S, "{\"name\":\"portal\",\"title\":\"数据资源门户\",\"tier\":\"key\"}");
    f->oa = dt_system(f->S, "{\"name\":\"oa\",\"tier\":\"general\"}");
    f->home = dt_monitor(f->S, "{\"name\":\"portal-home\",\"title\":\"首页\",\"system\":\"portal\","
                               "\"type\":\"http\",\"url\":\"http://127.0.0.1:9/\"}");
    f->oatcp = dt_monitor(f->S, "{\"name\":\"oa-tcp\",\"system\":\"oa\",\"type\":\"tcp\","
                                "\"host\":\"127.0.0.1\",\"port\":9}");
    f->eng = dt_user(f->S, "li.lei", 1u << ROLE_ENGINEER);
    f->viewer = dt_user(f->S, "guest", 1u << ROLE_VIEWER);
    fk.duty_id = f->eng;
    f->D = start(f->S);
    return f->D != NULL;
}

static void dfx_close(struct dfx *f)
{
    desk_stop(f->D);
    store_close(f->S);
    dt_rmrf(f->dir);
}

static void transition(struct dfx *f, int64_t mon, enum mstate st, ms_t at, const char *reason)
{
    struct engine_transition t = {mon, "m", "s", st, at, reason};
    desk_on_transition(f->D, &t);
    desk_sync(f->D);
}

static size_t incidents(struct dfx *f, struct inc_record **rows)
{
    struct inc_filter fl = INC_FILTER_INIT;
    size_t n = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_incident_list(f->S, &fl, rows, &n, NULL, &e))
        printf("#   list: %s\n", e.msg);
    return n;
}

static size_t n_incidents(struct dfx *f)
{
    struct inc_record *rows = NULL;
    size_t n = incidents(f, &rows);
    store_inc_records_free(rows, n);
    return n;
}

static int64_t n_events(struct dfx *f, const char *kind)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM incident_events WHERE kind = '%s'", kind);
    return dt_sql_int(f->dir, sql);
}

static int act(struct dfx *f, int64_t id, struct desk_action a, struct yw_err *e)
{
    return desk_act(f->D, id, &a, "li.lei", NULL, e);
}

TEST(outage_opens_one_incident)
{
    struct dfx f;
    CHECK(dfx_open(&f));
    transition(&f, f.home, ST_DOWN, T0, "HTTP 503");
    struct inc_record *rows = NULL;
    size_t n = incidents(&f, &rows);
    CHECK_INT(n, 1);
    int64_t id = n ? rows[0].inc.id : 0;
    if (n == 1) {
        struct incident *inc = &rows[0].inc;
        CHECK_STR(inc->title, "数据资源门户：首页 中断（HTTP 503）");
        CHECK_INT(inc->level, 2); /* key tier */
        CHECK_INT(inc->source, SRC_MONITOR);
        CHECK_INT(inc->notice, T0);
        CHECK_INT(inc->outage_start, T0);
        CHECK_INT(inc->monitor_id, f.home);
        CHECK_INT(inc->system_id, f.portal);
        CHECK_INT(inc->assignee_id, f.eng); /* on duty */
        CHECK_INT(inc->state, INC_NEW);
    }
    store_inc_records_free(rows, n);
    CHECK_INT(count(NK_OPENED, id), 1);
    const struct notify_event *ev = last_of(NK_OPENED);
    if (ev) {
        CHECK_INT(ev->assignee_id, f.eng);
        CHECK_INT(ev->escalation, ESC_ASSIGNEE);
        CHECK_INT(ev->level, 2);
    }

    /* the same outage again (a restart in the middle): nothing new */
    transition(&f, f.home, ST_DOWN, T0 + MIN, "HTTP 503");
    CHECK_INT(n_incidents(&f), 1);
    CHECK_INT(n_events(&f, "flap"), 0);

    /* maintenance, pause and no-data never open incidents */
    transition(&f, f.oatcp, ST_MAINT, T0 + MIN, "maintenance weekly");
    transition(&f, f.oatcp, ST_PAUSED, T0 + MIN, NULL);
    transition(&f, f.oatcp, ST_NODATA, T0 + MIN, NULL);
    CHECK_INT(n_incidents(&f), 1);

    /* up: recovered, not resolved */
    transition(&f, f.home, ST_UP, T0 + 5 * MIN, NULL);
    struct inc_record r = {0};
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(store_incident_get(f.S, id, false, &r, &e), 0);
    CHECK_INT(r.inc.recovered, T0 + 5 * MIN);
    CHECK_INT(r.inc.state, INC_NEW);
    store_inc_record_release(&r);
    CHECK_INT(count(NK_RECOVERED, id), 1);
    CHECK_INT(n_events(&f, "recovered"), 1);

    /* down again while open: a flap of the same incident */
    transition(&f, f.home, ST_DOWN, T0 + 7 * MIN, "timeout");
    CHECK_INT(n_incidents(&f), 1);
    CHECK_INT(n_events(&f, "flap"), 1);
    CHECK_INT(store_incident_get(f.S, id, false, &r, &e), 0);
    CHECK_INT(r.inc.recovered, 0);
    store_inc_record_release(&r);
    CHECK_INT(count(NK_OPENED, 0), 1);

    /* a general-tier system: level 3 */
    transition(&f, f.oatcp, ST_DOWN, T0 + 8 * MIN, "connection refused");
    CHECK_INT(n_incidents(&f), 2);
    n = incidents(&f, &rows);
    if (n == 2) {
        CHECK_INT(rows[0].inc.level, 3);
        CHECK_STR(rows[0].inc.title, "oa：oa-tcp 中断（connection refused）");
    }
    store_inc_records_free(rows, n);

    /* a rule on the monitor type wins over the tier */
    CHECK_INT(desk_levels_put(f.D, "{\"rules\":[{\"monitor_type\":\"tcp\",\"level\":1}]}", &e), 0);
    struct desk_levels l;
    CHECK_INT(desk_levels_load(f.S, &l, &e), 0); /* stored */
    CHECK_INT(l.nrules, 1);
    desk_levels_release(&l);
    transition(&f, f.oatcp, ST_UP, T0 + 9 * MIN, NULL);
    int64_t oa_id = 0;
    n = incidents(&f, &rows);
    oa_id = n ? rows[0].inc.id : 0;
    store_inc_records_free(rows, n);
    /* resolve the oa incident long ago enough: a new outage is a new incident */
    CHECK_INT(act(&f, oa_id, (struct desk_action){.kind = DA_RESPOND}, &e), 0);
    CHECK_INT(act(&f, oa_id, (struct desk_action){.kind = DA_RESOLVE, .cause = "进程退出"}, &e), 0);
    atomic_store(&clock_now, T0 + 2 * HOUR);
    transition(&f, f.oatcp, ST_DOWN, T0 + 2 * HOUR, "connection refused");
    n = incidents(&f, &rows);
    CHECK_INT(n, 3);
    if (n == 3)
        CHECK_INT(rows[0].inc.level, 1);
    store_inc_records_free(rows, n);
    dfx_close(&f);
}

TEST(flap_after_resolution_is_not_reopened)
{
    struct dfx f;
    CHECK(dfx_open(&f));
    struct yw_err e = YW_ERR_INIT;
    transition(&f, f.home, ST_DOWN, T0, "HTTP 503");
    struct inc_record *rows = NULL;
    size_t n = incidents(&f, &rows);
    int64_t id = n ? rows[0].inc.id : 0;
    store_inc_records_free(rows, n);
    transition(&f, f.home, ST_UP, T0 + 3 * MIN, NULL);
    atomic_store(&clock_now, T0 + 10 * MIN);
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_RESPOND, .at = T0 + 4 * MIN}, &e), 0);
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_RESOLVE, .cause = "上游网关重启"}, &e), 0);
    /* 20 minutes after the resolution: within 30 minutes, a flap */
    atomic_store(&clock_now, T0 + 30 * MIN);
    transition(&f, f.home, ST_DOWN, T0 + 30 * MIN, "HTTP 502");
    CHECK_INT(n_incidents(&f), 1);
    struct inc_record r = {0};
    CHECK_INT(store_incident_get(f.S, id, false, &r, &e), 0);
    CHECK_INT(r.inc.state, INC_RESOLVED); /* not reopened by the desk */
    store_inc_record_release(&r);
    CHECK_INT(n_events(&f, "flap"), 1);
    CHECK_INT(count(NK_REOPENED, id), 1); /* the assignee is told */
    /* up, and down again 50 minutes after the resolution: a new incident */
    transition(&f, f.home, ST_UP, T0 + 35 * MIN, NULL);
    CHECK_INT(n_events(&f, "recovered"), 2);
    atomic_store(&clock_now, T0 + 70 * MIN);
    transition(&f, f.home, ST_DOWN, T0 + 70 * MIN, "HTTP 502");
    CHECK_INT(n_incidents(&f), 2);
    CHECK_INT(count(NK_OPENED, 0), 2);
    dfx_close(&f);
}

static int64_t manual(struct dfx *f, ms_t notice, int level)
{
    struct desk_new n = {.title = "电话报告：OA 登录失败", .level = level, .system = "oa",
                         .source = SRC_PHONE, .reporter = "王五", .notice = notice};
    int64_t id = 0;
    struct yw_err e = YW_ERR_INIT;
    if (desk_create(f->D, &n, "han.mei", &id, &e))
        printf("#   desk_create: %s\n", e.msg);
    desk_sync(f->D);
    return id;
}

static int64_t mark_at(struct dfx *f, int64_t id, const char *clock, const char *kind)
{
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT coalesce((SELECT at FROM sla_marks WHERE incident_id = %lld AND clock = '%s' "
             "AND kind = '%s'), 0)",
             (long long)id, clock, kind);
    return dt_sql_int(f->dir, sql);
}

TEST(clock_marks_at_exact_instants)
{
    struct dfx f;
    CHECK(dfx_open(&f));
    int64_t id = manual(&f, T0, 2);
    CHECK(id > 0);
    CHECK_INT(count(NK_OPENED, id), 1);
    /* 75 % of 30 min = 22 min 30 s: not yet at 22 min */
    atomic_store(&clock_now, T0 + 22 * MIN);
    desk_sync(f.D);
    CHECK_INT(count(NK_SLA_WARNING, id), 0);
    atomic_store(&clock_now, T0 + 22 * MIN + 30 * MS_PER_S);
    desk_sync(f.D);
    CHECK_INT(count(NK_SLA_WARNING, id), 1);
    CHECK_INT(mark_at(&f, id, "response", "warn"), T0 + 1350000);
    const struct notify_event *ev = last_of(NK_SLA_WARNING);
    if (ev) {
        CHECK_INT(ev->at, T0 + 1350000);
        CHECK_INT(ev->clock, CLOCK_RESPONSE);
        CHECK_INT(ev->escalation, ESC_ASSIGNEE);
        CHECK_INT(ev->due, T0 + 30 * MIN);
    }
    /* noticed late (the ticker ran at 40 min): recorded at 30 min exactly */
    atomic_store(&clock_now, T0 + 40 * MIN);
    desk_sync(f.D);
    desk_sync(f.D);
    CHECK_INT(count(NK_SLA_WARNING, id), 1); /* once */
    CHECK_INT(count(NK_SLA_BREACH, id), 1);
    CHECK_INT(mark_at(&f, id, "response", "breach"), T0 + 30 * MIN);
    ev = last_of(NK_SLA_BREACH);
    if (ev) {
        CHECK_INT(ev->at, T0 + 30 * MIN);
        CHECK_INT(ev->escalation, ESC_MANAGER);
    }
    CHECK_INT(n_events(&f, "sla_warning"), 1);
    CHECK_INT(n_events(&f, "sla_breach"), 1);

    /* responding: acknowledged once; the response clock is decided */
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_RESPOND}, &e), 0);
    CHECK_INT(fk.nacks, 1);
    if (fk.nacks)
        CHECK_INT(fk.acks[0], id);
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_RESPOND}, &e), -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK_INT(fk.nacks, 1);

    /* the resolution clock: warning at 6 h; stop the desk before it and
     * start it again after 7 h: caught up at its true instant, once */
    desk_stop(f.D);
    f.D = NULL;
    atomic_store(&clock_now, T0 + 7 * HOUR);
    f.D = start(f.S);
    CHECK(f.D != NULL);
    CHECK_INT(count(NK_SLA_WARNING, id), 2);
    CHECK_INT(mark_at(&f, id, "resolve", "warn"), T0 + 6 * HOUR);
    CHECK_INT(count(NK_SLA_BREACH, id), 1);
    desk_stop(f.D);
    f.D = start(f.S); /* another restart: nothing fired twice */
    CHECK_INT(count(NK_SLA_WARNING, id), 2);

    /* down for longer: both warning and breach missed; both recorded,
     * only the breach told */
    int64_t id2 = manual(&f, T0 + 7 * HOUR, 3);
    desk_stop(f.D);
    atomic_store(&clock_now, T0 + 8 * HOUR);
    f.D = start(f.S);
    CHECK_INT(mark_at(&f, id2, "response", "warn"), T0 + 7 * HOUR + 1350000);
    CHECK_INT(mark_at(&f, id2, "response", "breach"), T0 + 7 * HOUR + 30 * MIN);
    CHECK_INT(count(NK_SLA_WARNING, id2), 0);
    CHECK_INT(count(NK_SLA_BREACH, id2), 1);
    dfx_close(&f);
}

TEST(logged_late_is_not_warned)
{
    struct dfx f;
    CHECK(dfx_open(&f));
    /* A call received two hours ago, entered now: its response clock broke
     * before yunwei knew; no reminder, the clock says so. */
    atomic_store(&clock_now, T0 + 2 * HOUR);
    int64_t id = manual(&f, T0, 2);
    desk_sync(f.D);
    CHECK_INT(count(NK_SLA_BREACH, id), 0);
    CHECK_INT(mark_at(&f, id, "response", "breach"), 0);
    struct inc_record r = {0};
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(store_incident_get(f.S, id, false, &r, &e), 0);
    struct sla_policy p;
    desk_policy(f.D, &p);
    struct sla_clock_state st[CLOCK__COUNT];
    sla_eval(&r.inc, &p, T0 + 2 * HOUR, st);
    CHECK_INT(st[CLOCK_RESPONSE].status, SLA_BREACHED);
    store_inc_record_release(&r);
    /* the resolution clock's warning (at 6 h) is after it was entered */
    atomic_store(&clock_now, T0 + 6 * HOUR);
    desk_sync(f.D);
    CHECK_INT(count(NK_SLA_WARNING, id), 1);

    /* refusals of a manual report */
    struct desk_new n = {.title = "x", .level = 0, .source = SRC_PHONE};
    CHECK_INT(desk_create(f.D, &n, "a", NULL, &e), -1);
    CHECK_STR(e.field, "level");
    n.level = 2;
    n.notice = T0 + 7 * HOUR; /* an hour ahead of the clock */
    CHECK_INT(desk_create(f.D, &n, "a", NULL, &e), -1);
    CHECK_STR(e.field, "notice");
    n.notice = 0;
    n.system = "nosuch";
    CHECK_INT(desk_create(f.D, &n, "a", NULL, &e), -1);
    CHECK_STR(e.field, "system");
    n.system = NULL;
    n.assignee = "guest"; /* a viewer cannot be given incidents */
    CHECK_INT(desk_create(f.D, &n, "a", NULL, &e), -1);
    CHECK_STR(e.field, "assignee");
    n.assignee = "li.lei";
    int64_t id2 = 0;
    CHECK_INT(desk_create(f.D, &n, "a", &id2, &e), 0);
    dfx_close(&f);
}

TEST(report_due_and_reminders)
{
    struct dfx f;
    CHECK(dfx_open(&f));
    struct yw_err e = YW_ERR_INIT;
    int64_t id = manual(&f, T0, 3);
    atomic_store(&clock_now, T0 + 10 * MIN);
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_RESPOND}, &e), 0);
    atomic_store(&clock_now, T0 + HOUR);
    struct inc_record out = {0};
    struct desk_action res = {.kind = DA_RESOLVE, .cause = "证书过期", .prevention = "监控证书"};
    CHECK_INT(desk_act(f.D, id, &res, "li.lei", &out, &e), 0);
    /* through the calendar hook: 3 "working days" after the resolution */
    CHECK_INT(out.inc.report_due, T0 + HOUR + 3 * MS_PER_DAY + HOUR);
    CHECK(fk.deadline_calls >= 1);
    CHECK_STR(out.inc.prevention, "监控证书");
    store_inc_record_release(&out);
    CHECK_INT(count(NK_RESOLVED, id), 1);
    ms_t due = T0 + 2 * HOUR + 3 * MS_PER_DAY;

    /* closed without the report: still reminded */
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_CLOSE}, &e), 0);
    atomic_store(&clock_now, due - MS_PER_DAY - MIN);
    desk_sync(f.D);
    CHECK_INT(count(NK_REPORT_DUE, id), 0);
    atomic_store(&clock_now, due - MS_PER_DAY + MIN);
    desk_sync(f.D);
    desk_sync(f.D);
    CHECK_INT(count(NK_REPORT_DUE, id), 1);
    const struct notify_event *ev = last_of(NK_REPORT_DUE);
    if (ev) {
        CHECK_INT(ev->escalation, ESC_ASSIGNEE);
        CHECK_INT(ev->due, due);
    }
    atomic_store(&clock_now, due + MIN);
    desk_sync(f.D);
    desk_sync(f.D);
    CHECK_INT(count(NK_REPORT_DUE, id), 2);
    ev = last_of(NK_REPORT_DUE);
    if (ev)
        CHECK_INT(ev->escalation, ESC_MANAGER);

    /* submitted late */
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_REPORT, .text = "故障报告全文"}, &e), 0);
    struct inc_record r = {0};
    CHECK_INT(store_incident_get(f.S, id, true, &r, &e), 0);
    CHECK_INT(r.inc.report_submitted, due + MIN);
    CHECK_STR(r.inc.report, "故障报告全文");
    CHECK(r.nevents >= 5);
    store_inc_record_release(&r);

    /* reopen clears the due date; assign and level */
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_REOPEN}, &e), 0);
    CHECK_INT(count(NK_REOPENED, id), 1);
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_ASSIGN, .assignee = "guest"}, &e), -1);
    CHECK_STR(e.field, "assignee");
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_ASSIGN, .assignee = "nobody"}, &e), -1);
    CHECK_STR(e.field, "assignee");
    int64_t eng2 = dt_user(f.S, "wang.wu", 1u << ROLE_ENGINEER);
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_ASSIGN, .assignee = "wang.wu"}, &e), 0);
    ev = last_of(NK_ASSIGNED);
    CHECK(ev != NULL);
    if (ev)
        CHECK_INT(ev->assignee_id, eng2);
    CHECK_INT(store_incident_get(f.S, id, false, &r, &e), 0);
    CHECK_INT(r.inc.report_due, 0);
    CHECK_INT(r.inc.assignee_id, eng2);
    CHECK_STR(r.inc.assignee, "wang.wu");
    store_inc_record_release(&r);

    /* PATCH-like update */
    struct desk_patch p = {"新标题", "", NULL, NULL, 1};
    CHECK_INT(desk_update(f.D, id, &p, "li.lei", NULL, &e), 0);
    CHECK_INT(store_incident_get(f.S, id, false, &r, &e), 0);
    CHECK_STR(r.inc.title, "新标题");
    CHECK(r.inc.cause == NULL);
    CHECK(r.inc.onsite_needed);
    store_inc_record_release(&r);
    struct desk_patch bad = {"", NULL, NULL, NULL, -1};
    CHECK_INT(desk_update(f.D, id, &bad, "li.lei", NULL, &e), -1);
    CHECK_STR(e.field, "title");
    CHECK(fk.changes > 0);
    dfx_close(&f);
}

TEST(policy_and_figures)
{
    struct dfx f;
    CHECK(dfx_open(&f));
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(desk_policy_put(f.D, "{\"levels\":{\"3\":{\"response\":\"10m\"}}}", &e), 0);
    struct sla_policy p;
    CHECK_INT(desk_policy_load(f.S, &p, &e), 0); /* stored */
    CHECK_INT(p.target[3][CLOCK_RESPONSE], 10 * MIN);
    CHECK_INT(desk_policy_put(f.D, "{\"warn_pct\":0}", &e), -1);
    CHECK_INT(desk_policy_put(f.D, "not json", &e), -1);
    desk_policy(f.D, &p);
    CHECK_INT(p.target[3][CLOCK_RESPONSE], 10 * MIN);

    /* a level-3 incident now warns at 7 min 30 s */
    int64_t id = manual(&f, T0, 3);
    atomic_store(&clock_now, T0 + 8 * MIN);
    desk_sync(f.D);
    CHECK_INT(mark_at(&f, id, "response", "warn"), T0 + 450000);
    CHECK_INT(act(&f, id, (struct desk_action){.kind = DA_RESPOND}, &e), 0);

    /* the figures of November 2026 */
    ms_t from, to;
    CHECK_INT(desk_period_parse("2026-11", &from, &to, &e), 0);
    struct sla_figures fig;
    desk_policy(f.D, &p);
    CHECK_INT(desk_figures(f.S, &p, from, to, NULL, T0 + HOUR, &fig, &e), 0);
    CHECK_INT(fig.total, 1);
    CHECK_INT(fig.by_level[3], 1);
    CHECK_INT(fig.by_source[SRC_PHONE], 1);
    CHECK_INT(fig.responded, 1);
    sla_figures_release(&fig);
    CHECK_INT(desk_figures(f.S, &p, from, to, "portal", T0 + HOUR, &fig, &e), 0);
    CHECK_INT(fig.total, 0);
    sla_figures_release(&fig);
    CHECK_INT(desk_figures(f.S, &p, from, to, "nosuch", T0 + HOUR, &fig, &e), -1);
    CHECK_STR(e.field, "system");
    dfx_close(&f);
}

int main(void)
{
    time_set_display_zone(YW_DEFAULT_TZ);
    RUN(rules_lifecycle);
    RUN(levels_and_periods);
    RUN(outage_opens_one_incident);
    RUN(flap_after_resolution_is_not_reopened);
    RUN(clock_marks_at_exact_instants);
    RUN(logged_late_is_not_warned);
    RUN(report_due_and_reminders);
    RUN(policy_and_figures);
    return t_done();
}
