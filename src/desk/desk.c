/*
 * desk — the incident desk's thread, its queue of monitor transitions, the
 * clock ticker, and people's changes (desk.h).
 *
 * One mutex (mu) guards the queue, the policy, the level rules, the
 * counters and the thread's bookkeeping; nothing slow runs under it (store
 * calls and hooks run outside). Another (chg_mu) is held only around the
 * calls of the on_change hook. Lock order: the engine's hook lock, then
 * mu; chg_mu, then whatever on_change takes.
 */
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/roles.h"
#include "cal/cal.h"
#include "core/log.h"
#include "core/mem.h"
#include "desk/desk.h"
#include "sched/engine.h"
#include "store/store_auth.h"

#define BY_SYSTEM "system" /* who the desk's own changes are by */
#define REASON_MAX 256     /* bytes of a transition's reason kept */
#define FAIL_BACKOFF_MS (2 * MS_PER_S)

struct qitem {
    int64_t monitor_id;
    enum mstate state;
    ms_t at;
    char *reason; /* may be NULL */
};

struct desk {
    struct store *S;
    struct desk_hooks h;
    struct desk_opts o;

    pthread_mutex_t mu;
    pthread_cond_t cv;      /* wakes the thread (CLOCK_MONOTONIC) */
    pthread_cond_t done_cv; /* wakes desk_sync callers */
    /* the queue: a ring of qcap items from qhead */
    struct qitem *q;
    size_t qhead, qlen, qcap;
    uint64_t req, done;     /* desk_sync generations */
    bool stop, exited, kicked;
    struct desk_stats stats;
    struct sla_policy policy;
    struct desk_levels levels;
    pthread_t thr;
    /* Held while calling the on_change hook, so that once
     * desk_set_on_change returns the previous hook is never called again
     * (its arg may be freed), as engine_off_transition promises. */
    pthread_mutex_t chg_mu;
};

/* ---- small things ------------------------------------------------------------------------ */

/* At most max bytes of s, never cutting a UTF-8 sequence in half (titles
 * and reasons go into JSON, which refuses a broken tail). */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strnlen(s, max + 1);
    if (n <= max)
        return n;
    n = max;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return n;
}

static char *utf8_dup(const char *s, size_t max)
{
    return xstrndup(s, utf8_cut(s, max));
}

ms_t desk_now(const struct desk *D)
{
    return D->o.clock ? D->o.clock(D->o.clock_arg) : time_now_ms();
}

static void wake(struct desk *D)
{
    pthread_mutex_lock(&D->mu);
    D->kicked = true;
    pthread_cond_signal(&D->cv);
    pthread_mutex_unlock(&D->mu);
}

static void changed(struct desk *D, int64_t id)
{
    pthread_mutex_lock(&D->chg_mu);
    if (D->h.on_change)
        D->h.on_change(D->h.change_arg, id);
    pthread_mutex_unlock(&D->chg_mu);
}

void desk_set_on_change(struct desk *D, void (*fn)(void *arg, int64_t incident_id), void *arg)
{
    pthread_mutex_lock(&D->chg_mu);
    D->h.on_change = fn;
    D->h.change_arg = arg;
    pthread_mutex_unlock(&D->chg_mu);
}


static void submit(struct desk *D, const struct notify_event *ev)
{
    if (!D->h.notify)
        return;
    if (D->h.notify(D->h.arg, ev) != 0)
        log_warn("desk: incident %" PRId64 ": notification (kind %d) not submitted",
                 ev->incident_id, (int)ev->kind);
    pthread_mutex_lock(&D->mu);
    D->stats.notified++;
    pthread_mutex_unlock(&D->mu);
}

static void event_of(struct notify_event *ev, enum notify_kind kind, const struct incident *inc,
                     ms_t at, enum notify_escalation esc, const char *detail)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = kind;
    ev->incident_id = inc->id;
    ev->level = inc->level;
    ev->system = inc->system;
    ev->title = inc->title;
    ev->at = at;
    ev->assignee_id = inc->assignee_id;
    ev->escalation = esc;
    ev->detail = detail;
}

static ms_t report_deadline(struct desk *D, ms_t t, int n)
{
    if (D->h.cal) {
        const struct cal *c = calendar_acquire(D->h.cal);
        ms_t due = cal_deadline(c, t, n, NULL);
        calendar_release(D->h.cal, c);
        return due;
    }
    if (D->h.deadline)
        return D->h.deadline(D->h.arg, t, n);
    /* no calendar: every day counts */
    return cal_day_start(cal_day_of(t, NULL) + n + 1, NULL);
}

static ms_t report_due_cb(void *arg, ms_t t)
{
    return report_deadline(arg, t, DESK_REPORT_DAYS);
}

static void wire_policy(const struct desk *D, struct sla_policy *p)
{
    if (D->h.cal) {
        p->is_workday = desk_cal_is_workday;
        p->is_workday_arg = D->h.cal;
    } else if (D->h.is_workday) {
        p->is_workday = D->h.is_workday;
        p->is_workday_arg = D->h.arg;
    } else {
        p->is_workday = NULL;
        p->is_workday_arg = NULL;
    }
}

void desk_policy(struct desk *D, struct sla_policy *p)
{
    pthread_mutex_lock(&D->mu);
    *p = D->policy;
    pthread_mutex_unlock(&D->mu);
    wire_policy(D, p);
}

void desk_levels_get(struct desk *D, struct desk_levels *out)
{
    pthread_mutex_lock(&D->mu);
    desk_levels_copy(out, &D->levels);
    pthread_mutex_unlock(&D->mu);
}

void desk_stats(struct desk *D, struct desk_stats *out)
{
    pthread_mutex_lock(&D->mu);
    *out = D->stats;
    out->queued = D->qlen;
    pthread_mutex_unlock(&D->mu);
}

/* ---- the queue ------------------------------------------------------------------------------ */

void desk_on_transition(void *desk, const struct engine_transition *t)
{
    struct desk *D = desk;
    uint64_t dropped = 0;
    if (t->state == ST_DOWN || t->state == ST_UP) {
        pthread_mutex_lock(&D->mu);
        if (D->qlen >= D->o.queue_max) {
            dropped = ++D->stats.dropped;
        } else {
            if (D->qlen == D->qcap) {
                /* grow the ring, unwrapping it */
                size_t cap = D->qcap ? D->qcap * 2 : 64;
                struct qitem *q = xcalloc(cap, sizeof *q);
                for (size_t i = 0; i < D->qlen; i++)
                    q[i] = D->q[(D->qhead + i) % D->qcap];
                xfree(D->q);
                D->q = q;
                D->qcap = cap;
                D->qhead = 0;
            }
            struct qitem *it = &D->q[(D->qhead + D->qlen) % D->qcap];
            it->monitor_id = t->monitor_id;
            it->state = t->state;
            it->at = t->at;
            it->reason = t->reason ? utf8_dup(t->reason, REASON_MAX) : NULL;
            D->qlen++;
            pthread_cond_signal(&D->cv);
        }
        pthread_mutex_unlock(&D->mu);
    }
    /* the first, then one line per thousand: the loop thread must not
     * spend its time logging a flood */
    if (dropped == 1 || (dropped && dropped % 1000 == 0))
        log_error("desk: queue full (%zu transitions): %" PRIu64 " dropped so far",
                  D->o.queue_max, dropped);
}

/* Takes every queued item (under mu). */
static struct qitem *take_queue(struct desk *D, size_t *n)
{
    *n = D->qlen;
    if (!D->qlen)
        return NULL;
    struct qitem *out = xcalloc(D->qlen, sizeof *out);
    for (size_t i = 0; i < D->qlen; i++)
        out[i] = D->q[(D->qhead + i) % D->qcap];
    D->qhead = 0;
    D->qlen = 0;
    return out;
}

/* Puts items back in front of the queue (under mu), oldest first. */
static void requeue(struct desk *D, struct qitem *items, size_t n)
{
    size_t cap = D->qcap;
    while (cap < D->qlen + n)
        cap = cap ? cap * 2 : 64;
    struct qitem *q = xcalloc(cap, sizeof *q);
    for (size_t i = 0; i < n; i++)
        q[i] = items[i];
    for (size_t i = 0; i < D->qlen; i++)
        q[n + i] = D->q[(D->qhead + i) % D->qcap];
    xfree(D->q);
    D->q = q;
    D->qcap = cap;
    D->qhead = 0;
    D->qlen += n;
}

/* ---- automatic incidents ---------------------------------------------------------------------- */

struct auto_arg {
    enum inc_event_kind kind;
    ms_t at;
    const char *text;
    char *data;
    bool clear_recovered;
};

static int auto_change(void *arg, struct inc_record *r, struct inc_change *ch,
                       struct yw_err *err)
{
    (void)err;
    struct auto_arg *a = arg;
    if (a->kind == IEV_RECOVERED) {
        if (r->inc.recovered != 0)
            return 0; /* marked meanwhile: nothing to add */
        r->inc.recovered = a->at;
    } else if (a->clear_recovered) {
        r->inc.recovered = 0;
    }
    store_inc_change_add(ch, a->kind, a->at, BY_SYSTEM, a->text, a->data);
    return 0;
}

static char *reason_data(const struct qitem *t, const char *monitor)
{
    json_t *j = json_object();
    if (monitor)
        json_object_set_new(j, "monitor", json_string(monitor));
    json_object_set_new(j, "monitor_id", json_integer(t->monitor_id));
    if (t->reason) {
        json_t *s = json_string(t->reason);
        if (s)
            json_object_set_new(j, "reason", s);
    }
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *copy = xstrdup(s);
    free(s);
    return copy;
}

static bool active_state(enum inc_state s)
{
    return s == INC_NEW || s == INC_RESPONDED || s == INC_ONSITE;
}

static int open_incident(struct desk *D, const struct qitem *t, const struct monitor_row *mon,
                         struct yw_err *err)
{
    struct system_row sys = {0};
    if (store_system_get(D->S, mon->system_id, NULL, &sys, err) != 0)
        return -1;
    pthread_mutex_lock(&D->mu);
    int level = desk_level_for(&D->levels, sys.spec.name, sys.spec.tier, mon->spec.name,
                               mon->spec.type);
    pthread_mutex_unlock(&D->mu);

    const char *sname = sys.spec.title && sys.spec.title[0] ? sys.spec.title : sys.spec.name;
    const char *mname = mon->spec.title && mon->spec.title[0] ? mon->spec.title : mon->spec.name;
    char title[1024]; /* cut to INC_TITLE_MAX at a character boundary below */
    if (t->reason && t->reason[0])
        snprintf(title, sizeof title, "%s：%s 中断（%s）", sname, mname, t->reason);
    else
        snprintf(title, sizeof title, "%s：%s 中断", sname, mname);
    char *safe_title = utf8_dup(title, INC_TITLE_MAX);

    struct incident inc = {0};
    inc.title = safe_title;
    inc.level = level;
    inc.system_id = sys.id;
    inc.source = SRC_MONITOR;
    inc.state = INC_NEW;
    inc.notice = t->at;
    inc.monitor_id = mon->id;
    inc.outage_start = t->at;
    inc.created = desk_now(D);
    char login[64] = "";
    if (D->h.on_duty &&
        D->h.on_duty(D->h.arg, DUTY_PRIMARY, t->at, &inc.assignee_id, login, sizeof login) != 0)
        inc.assignee_id = 0;

    char *data = reason_data(t, mon->spec.name);
    int64_t id = 0;
    int rc = store_incident_create(D->S, &inc, BY_SYSTEM, t->reason, data, &id, err);
    xfree(data);
    if (rc == 0) {
        inc.id = id;
        inc.system = sys.spec.name;
        struct notify_event ev;
        event_of(&ev, NK_OPENED, &inc, t->at, ESC_ASSIGNEE, t->reason);
        submit(D, &ev);
        pthread_mutex_lock(&D->mu);
        D->stats.opened++;
        pthread_mutex_unlock(&D->mu);
        log_info("desk: incident %" PRId64 " opened: monitor %s down (level %d)", id,
                 mon->spec.name, level);
        changed(D, id);
    }
    xfree(safe_title);
    store_system_row_release(&sys);
    return rc;
}

static int on_down(struct desk *D, const struct qitem *t, const struct monitor_row *mon,
                   struct yw_err *err)
{
    struct inc_record cur = {0};
    bool found = false;
    if (store_incident_for_monitor(D->S, mon->id, &cur, &found, err) != 0)
        return -1;
    if (!found)
        return open_incident(D, t, mon, err);

    pthread_mutex_lock(&D->mu);
    ms_t window = D->levels.flap_window;
    pthread_mutex_unlock(&D->mu);
    int rc = 0;
    struct auto_arg a = {IEV_FLAP, t->at, NULL, reason_data(t, mon->spec.name), true};
    if (active_state(cur.inc.state)) {
        /* Coalesced. Down again without having come up (a restart in the
         * middle of one outage) is the same outage: nothing to add. */
        if (cur.inc.recovered != 0) {
            a.text = t->reason ? t->reason : "监控再次中断";
            rc = store_incident_change(D->S, cur.inc.id, desk_now(D), auto_change, &a, NULL,
                                       err);
            if (rc == 0)
                changed(D, cur.inc.id);
        }
    } else if (window > 0 && cur.inc.resolved != 0 && t->at < cur.inc.resolved + window) {
        /* A flap of a fault just resolved: not reopened by the desk (the
         * engineer decides whether the fault is back); the assignee is
         * told, through the rules (deduplication and rate limits apply). */
        char text[640]; /* the reason is at most REASON_MAX bytes: never cut */
        snprintf(text, sizeof text,
                 "解决后 %" PRId64 " 分钟监控再次中断，未自动重开（down again %" PRId64
                 " min after resolution; not reopened)%s%s",
                 (int64_t)((t->at - cur.inc.resolved) / MS_PER_MIN),
                 (int64_t)((t->at - cur.inc.resolved) / MS_PER_MIN),
                 t->reason ? ": " : "", t->reason ? t->reason : "");
        a.text = text;
        a.clear_recovered = cur.inc.state == INC_RESOLVED;
        rc = store_incident_change(D->S, cur.inc.id, desk_now(D), auto_change, &a, NULL, err);
        if (rc == 0) {
            struct notify_event ev;
            event_of(&ev, NK_REOPENED, &cur.inc, t->at, ESC_ASSIGNEE, text);
            submit(D, &ev);
            changed(D, cur.inc.id);
        }
    } else {
        rc = open_incident(D, t, mon, err);
    }
    xfree(a.data);
    store_inc_record_release(&cur);
    return rc;
}

static int on_up(struct desk *D, const struct qitem *t, const struct monitor_row *mon,
                 struct yw_err *err)
{
    struct inc_record cur = {0};
    bool found = false;
    if (store_incident_for_monitor(D->S, mon->id, &cur, &found, err) != 0)
        return -1;
    int rc = 0;
    if (found && cur.inc.state != INC_CLOSED && cur.inc.recovered == 0) {
        struct auto_arg a = {IEV_RECOVERED, t->at, "监控已恢复（monitor up）",
                             reason_data(t, mon->spec.name), false};
        struct inc_record after = {0};
        rc = store_incident_change(D->S, cur.inc.id, desk_now(D), auto_change, &a, &after, err);
        xfree(a.data);
        if (rc == 0) {
            struct notify_event ev;
            event_of(&ev, NK_RECOVERED, &after.inc, t->at, ESC_ASSIGNEE, mon->spec.name);
            submit(D, &ev);
            changed(D, cur.inc.id);
            store_inc_record_release(&after);
        }
    }
    store_inc_record_release(&cur);
    return rc;
}

/* 0 handled (or dropped for good), -1 to retry later (the store failed). */
static int handle(struct desk *D, const struct qitem *t)
{
    struct yw_err err = YW_ERR_INIT;
    struct monitor_row mon = {0};
    if (store_monitor_get(D->S, t->monitor_id, NULL, &mon, &err) != 0) {
        if (err.code == YW_ENOTFOUND)
            return 0; /* deleted since */
        log_warn("desk: monitor %" PRId64 ": %s (will retry)", t->monitor_id, err.msg);
        return -1;
    }
    int rc = t->state == ST_DOWN ? on_down(D, t, &mon, &err) : on_up(D, t, &mon, &err);
    if (rc != 0)
        log_warn("desk: monitor %s %s: %s%s", mon.spec.name, mstate_name(t->state), err.msg,
                 err.code == YW_EIO ? " (will retry)" : "");
    store_monitor_row_release(&mon);
    if (rc != 0 && err.code != YW_EIO)
        return 0; /* a refusal will not change by retrying */
    if (rc == 0) {
        pthread_mutex_lock(&D->mu);
        D->stats.transitions++;
        pthread_mutex_unlock(&D->mu);
    }
    return rc;
}

/* ---- the clock ticker ---------------------------------------------------------------------------- */

static int mark_cmp(const void *a, const void *b)
{
    int64_t x = ((const struct sla_mark *)a)->incident_id;
    int64_t y = ((const struct sla_mark *)b)->incident_id;
    return (x > y) - (x < y);
}

static bool marked(const struct sla_mark *marks, size_t n, int64_t id, enum sla_clock c,
                   bool breach)
{
    /* lower bound of id; marks are sorted by incident */
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (marks[mid].incident_id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < n && marks[i].incident_id == id; i++)
        if (marks[i].clock == c && marks[i].breach == breach)
            return true;
    return false;
}

static ms_t earliest(ms_t cur, ms_t t)
{
    return cur == 0 || t < cur ? t : cur;
}

static char *mark_data(enum sla_clock c, const struct sla_clock_state *st, int pct)
{
    json_t *j = json_object();
    json_object_set_new(j, "clock", json_string(sla_clock_name(c)));
    json_object_set_new(j, "target_ms", json_integer(st->target));
    json_object_set_new(j, "warn_pct", json_integer(pct));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *copy = xstrdup(s);
    free(s);
    return copy;
}

/* Records what is due of one clock; *notify_kind gets what to tell (-1 none). */
static void tick_clock(struct desk *D, const struct inc_record *r, enum sla_clock c,
                       const struct sla_clock_state *st, const struct sla_policy *p,
                       const struct sla_mark *marks, size_t nmarks, ms_t now, ms_t *next)
{
    bool added_kind[2] = {false, false};
    ms_t added_at[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        bool breach = k == 1;
        ms_t at = breach ? st->breach_at : st->warn_at;
        /* Not before the incident existed here: nobody could have been
         * warned then (an incident logged late; see desk.h). */
        if (at == 0 || at < r->inc.created || marked(marks, nmarks, r->inc.id, c, breach))
            continue;
        if (at > now) {
            *next = earliest(*next, at);
            continue;
        }
        char dur[32], text[256];
        time_format_duration(st->target, dur, sizeof dur);
        if (breach)
            snprintf(text, sizeof text, "%s超时：已超过目标 %s（%s clock breached）",
                     sla_clock_title_zh(c), dur, sla_clock_name(c));
        else
            snprintf(text, sizeof text, "%s时限预警：已用 %d%%，目标 %s（%s clock at %d%%）",
                     sla_clock_title_zh(c), p->warn_pct, dur, sla_clock_name(c), p->warn_pct);
        char *data = mark_data(c, st, p->warn_pct);
        struct sla_mark m = {r->inc.id, c, breach, at};
        struct yw_err err = YW_ERR_INIT;
        bool added = false;
        if (store_sla_mark_add(D->S, &m, text, data, &added, &err) != 0)
            log_warn("desk: incident %" PRId64 ": SLA mark: %s", r->inc.id, err.msg);
        xfree(data);
        if (added) {
            added_kind[k] = true;
            added_at[k] = at;
            pthread_mutex_lock(&D->mu);
            D->stats.marks++;
            pthread_mutex_unlock(&D->mu);
        }
    }
    if (!added_kind[0] && !added_kind[1])
        return;
    /* Both at once (caught up after a restart, or a short target): the
     * breach says all the warning would. */
    bool breach = added_kind[1];
    char detail[128];
    char dur[32];
    time_format_duration(st->target, dur, sizeof dur);
    snprintf(detail, sizeof detail, "%s：目标 %s", sla_clock_title_zh(c), dur);
    struct notify_event ev;
    event_of(&ev, breach ? NK_SLA_BREACH : NK_SLA_WARNING, &r->inc, added_at[breach ? 1 : 0],
             breach ? ESC_MANAGER : ESC_ASSIGNEE, detail);
    ev.clock = c;
    ev.due = st->breach_at;
    submit(D, &ev);
    changed(D, r->inc.id);
}

static void tick_report(struct desk *D, const struct inc_record *r, ms_t now, ms_t soon,
                        ms_t *next)
{
    const struct incident *inc = &r->inc;
    if (!inc->report_due || inc->report_submitted || r->report_stage >= 2)
        return;
    int stage = 0;
    if (now >= inc->report_due)
        stage = 2;
    else if (r->report_stage < 1 && now >= inc->report_due - soon)
        stage = 1;
    if (stage == 0 || stage <= r->report_stage) {
        *next = earliest(*next, r->report_stage < 1 ? inc->report_due - soon : inc->report_due);
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    bool won = false;
    if (store_incident_report_stage(D->S, inc->id, stage, &won, &err) != 0) {
        log_warn("desk: incident %" PRId64 ": report reminder: %s", inc->id, err.msg);
        return;
    }
    if (!won)
        return;
    char due[64], detail[160];
    time_format_rfc3339(inc->report_due, due, sizeof due);
    snprintf(detail, sizeof detail, "%s：%s", stage == 2 ? "故障报告已逾期（overdue）"
                                                          : "故障报告即将到期（due soon）", due);
    struct notify_event ev;
    event_of(&ev, NK_REPORT_DUE, inc, now, stage == 2 ? ESC_MANAGER : ESC_ASSIGNEE, detail);
    ev.due = inc->report_due;
    submit(D, &ev);
    if (stage == 1)
        *next = earliest(*next, inc->report_due);
}

/* One pass over what the ticker watches; returns the next instant (desk
 * clock) something falls due, 0 if none; -1 in *failed when the store did
 * not answer. */
static ms_t tick(struct desk *D, bool *failed)
{
    ms_t now = desk_now(D);
    struct sla_policy p;
    desk_policy(D, &p);
    struct inc_record *recs = NULL;
    size_t n = 0;
    struct sla_mark *marks = NULL;
    size_t nmarks = 0;
    struct yw_err err = YW_ERR_INIT;
    if (store_incident_active(D->S, &recs, &n, &err) != 0 ||
        store_sla_marks_active(D->S, &marks, &nmarks, &err) != 0) {
        log_warn("desk: clock ticker: %s", err.msg);
        store_inc_records_free(recs, n);
        *failed = true;
        return 0;
    }
    if (nmarks) /* never qsort a NULL array */
        qsort(marks, nmarks, sizeof *marks, mark_cmp);
    ms_t soon = D->o.report_soon;
    ms_t next = 0;
    for (size_t i = 0; i < n; i++) {
        const struct inc_record *r = &recs[i];
        if (r->inc.state != INC_CLOSED) {
            struct sla_clock_state st[CLOCK__COUNT];
            sla_eval(&r->inc, &p, now, st);
            for (int c = 0; c < CLOCK__COUNT; c++)
                tick_clock(D, r, (enum sla_clock)c, &st[c], &p, marks, nmarks, now, &next);
        }
        tick_report(D, r, now, soon, &next);
    }
    xfree(marks);
    store_inc_records_free(recs, n);
    return next;
}

/* ---- the thread ------------------------------------------------------------------------------------ */

static void deadline_in(struct timespec *ts, ms_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static void free_items(struct qitem *items, size_t from, size_t n)
{
    for (size_t i = from; i < n; i++)
        xfree(items[i].reason);
}

static void *desk_main(void *arg)
{
    struct desk *D = arg;
    pthread_mutex_lock(&D->mu);
    for (;;) {
        uint64_t gen = D->req;
        bool stopping = D->stop;
        D->kicked = false;
        size_t n = 0;
        struct qitem *items = take_queue(D, &n);
        pthread_mutex_unlock(&D->mu);

        bool failed = false;
        size_t i = 0;
        for (; i < n; i++) {
            if (handle(D, &items[i]) != 0) {
                failed = true;
                break;
            }
            xfree(items[i].reason);
        }
        ms_t next = tick(D, &failed);
        ms_t now = desk_now(D);

        pthread_mutex_lock(&D->mu);
        if (i < n) {
            if (stopping) {
                log_error("desk: stopping with %zu monitor transitions not handled (the store "
                          "does not answer)",
                          n - i);
                free_items(items, i, n);
            } else {
                requeue(D, items + i, n - i);
            }
        }
        xfree(items);
        D->done = gen;
        pthread_cond_broadcast(&D->done_cv);
        if (stopping)
            break;
        if (D->stop || D->req != gen || D->kicked || (D->qlen > 0 && !failed))
            continue;
        ms_t wait = failed ? FAIL_BACKOFF_MS : D->o.tick_max;
        if (next > 0 && next - now < wait)
            wait = next > now ? next - now : 0;
        if (wait > 0) {
            struct timespec ts;
            deadline_in(&ts, wait);
            pthread_cond_timedwait(&D->cv, &D->mu, &ts);
        }
    }
    D->exited = true;
    pthread_cond_broadcast(&D->done_cv);
    pthread_mutex_unlock(&D->mu);
    return NULL;
}

void desk_sync(struct desk *D)
{
    pthread_mutex_lock(&D->mu);
    uint64_t want = ++D->req;
    pthread_cond_signal(&D->cv);
    while (D->done < want && !D->exited && !D->stop)
        pthread_cond_wait(&D->done_cv, &D->mu);
    pthread_mutex_unlock(&D->mu);
}

struct desk *desk_start(struct store *S, const struct desk_hooks *hooks,
                        const struct desk_opts *opts, struct yw_err *err)
{
    struct desk *D = xcalloc(1, sizeof *D);
    D->S = S;
    if (hooks)
        D->h = *hooks;
    struct desk_opts def = DESK_OPTS_INIT;
    D->o = opts ? *opts : def;
    if (D->o.tick_max <= 0)
        D->o.tick_max = DESK_TICK_MS;
    if (D->o.report_soon <= 0)
        D->o.report_soon = DESK_REPORT_SOON;
    if (D->o.queue_max == 0)
        D->o.queue_max = DESK_QUEUE_MAX;
    if (desk_policy_load(S, &D->policy, err) != 0 || desk_levels_load(S, &D->levels, err) != 0) {
        desk_levels_release(&D->levels);
        xfree(D);
        return NULL;
    }
    pthread_mutex_init(&D->mu, NULL);
    pthread_mutex_init(&D->chg_mu, NULL);
    pthread_cond_init(&D->done_cv, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&D->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&D->thr, NULL, desk_main, D) != 0) {
        yw_fail(err, YW_EIO, "desk: cannot start its thread");
        pthread_mutex_destroy(&D->mu);
        pthread_mutex_destroy(&D->chg_mu);
        pthread_cond_destroy(&D->cv);
        pthread_cond_destroy(&D->done_cv);
        desk_levels_release(&D->levels);
        xfree(D);
        return NULL;
    }
    return D;
}

void desk_stop(struct desk *D)
{
    if (!D)
        return;
    pthread_mutex_lock(&D->mu);
    D->stop = true;
    pthread_cond_signal(&D->cv);
    pthread_cond_broadcast(&D->done_cv);
    pthread_mutex_unlock(&D->mu);
    pthread_join(D->thr, NULL);
    /* transitions queued after the last pass (none once the engine's hook
     * is removed) */
    for (size_t i = 0; i < D->qlen; i++)
        xfree(D->q[(D->qhead + i) % D->qcap].reason);
    xfree(D->q);
    desk_levels_release(&D->levels);
    pthread_mutex_destroy(&D->mu);
    pthread_mutex_destroy(&D->chg_mu);
    pthread_cond_destroy(&D->cv);
    pthread_cond_destroy(&D->done_cv);
    xfree(D);
}

/* ---- people's changes ------------------------------------------------------------------------------ */

/* An account that may be given incidents: exists, enabled, allowed to
 * handle them. */
static int assignable(struct desk *D, const char *login, int64_t *id, struct yw_err *err)
{
    struct user_row u = {0};
    struct yw_err e = YW_ERR_INIT;
    if (store_user_get(D->S, 0, login, &u, &e) != 0) {
        if (e.code == YW_ENOTFOUND || e.code == YW_EINVAL)
            return yw_fail_field(err, YW_EINVAL, "assignee", "assignee: no account named '%.64s'",
                                 login);
        if (err)
            *err = e;
        return -1;
    }
    int rc = 0;
    if (u.disabled)
        rc = yw_fail_field(err, YW_EINVAL, "assignee", "assignee: account '%s' is disabled",
                           u.name);
    else if (!role_allows(u.roles, ACT_INCIDENT_WRITE))
        rc = yw_fail_field(err, YW_EINVAL, "assignee",
                           "assignee: account '%s' may not handle incidents (its roles do not "
                           "grant incident.write)",
                           u.name);
    else
        *id = u.id;
    store_user_row_release(&u);
    return rc;
}

static int check_len(const char *s, const char *field, size_t max, bool required,
                     struct yw_err *err)
{
    if (required && (!s || !s[0]))
        return yw_fail_field(err, YW_EINVAL, field, "%s: required", field);
    if (s && strlen(s) > max)
        return yw_fail_field(err, YW_ELIMIT, field, "%s: longer than %zu bytes", field, max);
    return 0;
}

/* The earliest notice accepted: nothing in yunwei predates 2000. */
#define NOTICE_MIN 946684800000LL

int desk_create(struct desk *D, const struct desk_new *n, const char *by, int64_t *id,
                struct yw_err *err)
{
    if (check_len(n->title, "title", INC_TITLE_MAX, true, err) ||
        check_len(n->reporter, "reporter", INC_REPORTER_MAX, false, err) ||
        check_len(n->note, "note", INC_TEXT_MAX, false, err))
        return -1;
    if (n->level < INC_LEVEL_MIN || n->level > INC_LEVEL_MAX)
        return yw_fail_field(err, YW_EINVAL, "level", "level: must be %d to %d", INC_LEVEL_MIN,
                             INC_LEVEL_MAX);
    if ((unsigned)n->source >= SRC__COUNT)
        return yw_fail_field(err, YW_EINVAL, "source", "source: unknown");
    ms_t now = desk_now(D);
    ms_t notice = n->notice ? n->notice : now;
    if (notice > now + DESK_SKEW_MS) {
        char s[64];
        time_format_rfc3339(notice, s, sizeof s);
        return yw_fail_field(err, YW_EINVAL, "notice", "notice: %s is in the future", s);
    }
    if (notice > now)
        notice = now;
    if (notice < NOTICE_MIN)
        return yw_fail_field(err, YW_EINVAL, "notice", "notice: before 2000");

    struct incident inc = {0};
    inc.title = xstrdup(n->title);
    inc.level = n->level;
    inc.source = n->source;
    inc.reporter = n->reporter && n->reporter[0] ? xstrdup(n->reporter) : NULL;
    inc.state = INC_NEW;
    inc.notice = notice;
    inc.onsite_needed = n->onsite_needed;
    inc.created = now;
    struct system_row sys = {0};
    if (n->system && n->system[0]) {
        struct yw_err e = YW_ERR_INIT;
        if (store_system_get(D->S, 0, n->system, &sys, &e) != 0) {
            incident_release(&inc);
            if (e.code == YW_ENOTFOUND || e.code == YW_EINVAL)
                return yw_fail_field(err, YW_EINVAL, "system", "system: no system named '%.64s'",
                                     n->system);
            if (err)
                *err = e;
            return -1;
        }
        inc.system_id = sys.id;
        inc.system = xstrdup(sys.spec.name);
    }
    int rc = 0;
    if (n->assignee && n->assignee[0]) {
        rc = assignable(D, n->assignee, &inc.assignee_id, err);
    } else if (D->h.on_duty) {
        char login[64] = "";
        if (D->h.on_duty(D->h.arg, DUTY_PRIMARY, now, &inc.assignee_id, login, sizeof login) != 0)
            inc.assignee_id = 0;
    }
    if (rc == 0)
        rc = store_incident_create(D->S, &inc, by, n->note, NULL, &inc.id, err);
    if (rc == 0) {
        if (id)
            *id = inc.id;
        struct notify_event ev;
        event_of(&ev, NK_OPENED, &inc, notice, ESC_ASSIGNEE, n->note);
        submit(D, &ev);
        changed(D, inc.id);
        wake(D);
    }
    incident_release(&inc);
    store_system_row_release(&sys);
    return rc;
}

struct act_arg {
    const struct desk_action *a;
    struct desk_ctx x;
    bool had_responded;
    ms_t at;                   /* the step's instant, as applied */
};

static int act_change(void *arg, struct inc_record *r, struct inc_change *ch,
                      struct yw_err *err)
{
    struct act_arg *a = arg;
    a->had_responded = r->inc.responded != 0;
    int rc = desk_apply(r, a->a, &a->x, ch, err);
    if (rc == 0 && ch->nev > 0)
        a->at = ch->ev[ch->nev - 1].at;
    return rc;
}

int desk_act(struct desk *D, int64_t id, const struct desk_action *a, const char *by,
             struct inc_record *after, struct yw_err *err)
{
    struct desk_action act = *a;
    if (act.kind == DA_ASSIGN) {
        if (!act.assignee || !act.assignee[0])
            return yw_fail_field(err, YW_EINVAL, "assignee", "assignee: required (a login)");
        if (assignable(D, act.assignee, &act.assignee_id, err) != 0)
            return -1;
    }
    struct act_arg arg = {.a = &act};
    arg.x.now = desk_now(D);
    arg.x.by = by;
    arg.x.report_due = report_due_cb;
    arg.x.arg = D;
    struct inc_record out = {0};
    if (store_incident_change(D->S, id, arg.x.now, act_change, &arg, &out, err) != 0)
        return -1;
    struct notify_event ev;
    switch (act.kind) {
    case DA_RESPOND:
    case DA_ONSITE:
        if (!arg.had_responded && D->h.ack)
            D->h.ack(D->h.arg, id);
        break;
    case DA_RESOLVE:
        event_of(&ev, NK_RESOLVED, &out.inc, arg.at, ESC_ASSIGNEE, out.inc.cause);
        submit(D, &ev);
        break;
    case DA_REOPEN:
        event_of(&ev, NK_REOPENED, &out.inc, arg.at, ESC_ASSIGNEE, act.note);
        submit(D, &ev);
        break;
    case DA_ASSIGN:
        event_of(&ev, NK_ASSIGNED, &out.inc, arg.at, ESC_ASSIGNEE, act.note);
        submit(D, &ev);
        break;
    case DA_CLOSE:
    case DA_VENDOR_WAIT:
    case DA_VENDOR_BACK:
    case DA_LEVEL:
    case DA_NOTE:
    case DA_REPORT:
    case DA__COUNT: break;
    }
    changed(D, id);
    wake(D);
    if (after)
        *after = out;
    else
        store_inc_record_release(&out);
    return 0;
}

static int patch_change(void *arg, struct inc_record *r, struct inc_change *ch,
                        struct yw_err *err)
{
    (void)ch, (void)err;
    const struct desk_patch *p = arg;
    struct incident *inc = &r->inc;
    if (p->title) {
        xfree(inc->title);
        inc->title = xstrdup(p->title);
    }
    char **dst[] = {&inc->cause, &inc->fix, &inc->prevention};
    const char *src[] = {p->cause, p->fix, p->prevention};
    for (int i = 0; i < 3; i++) {
        if (!src[i])
            continue;
        xfree(*dst[i]);
        *dst[i] = src[i][0] ? xstrdup(src[i]) : NULL;
    }
    if (p->onsite_needed >= 0)
        inc->onsite_needed = p->onsite_needed != 0;
    return 0;
}

int desk_update(struct desk *D, int64_t id, const struct desk_patch *p, const char *by,
                struct inc_record *after, struct yw_err *err)
{
    (void)by; /* the HTTP layer's audit record says who */
    if ((p->title && check_len(p->title, "title", INC_TITLE_MAX, true, err)) ||
        check_len(p->cause, "cause", INC_TEXT_MAX, false, err) ||
        check_len(p->fix, "fix", INC_TEXT_MAX, false, err) ||
        check_len(p->prevention, "prevention", INC_TEXT_MAX, false, err))
        return -1;
    if (p->onsite_needed < -1 || p->onsite_needed > 1)
        return yw_fail_field(err, YW_EINVAL, "onsite_needed", "onsite_needed: must be a boolean");
    struct inc_record out = {0};
    struct desk_patch copy = *p;
    if (store_incident_change(D->S, id, desk_now(D), patch_change, &copy, &out, err) != 0)
        return -1;
    changed(D, id);
    wake(D);
    if (after)
        *after = out;
    else
        store_inc_record_release(&out);
    return 0;
}

/* ---- settings ---------------------------------------------------------------------------------------- */

int desk_policy_put(struct desk *D, const char *text, struct yw_err *err)
{
    struct sla_policy p;
    sla_policy_default(&p);
    if (sla_policy_from_json(text, &p, err) != 0)
        return -1;
    char *canon = sla_policy_to_json(&p);
    int rc = store_setting_set(D->S, INC_SETTING_POLICY, canon, err);
    free(canon);
    if (rc != 0)
        return -1;
    pthread_mutex_lock(&D->mu);
    D->policy = p;
    D->kicked = true;
    pthread_cond_signal(&D->cv);
    pthread_mutex_unlock(&D->mu);
    return 0;
}

int desk_levels_put(struct desk *D, const char *text, struct yw_err *err)
{
    struct desk_levels l;
    if (desk_levels_from_json(text, &l, err) != 0)
        return -1;
    char *canon = desk_levels_to_json(&l);
    int rc = store_setting_set(D->S, INC_SETTING_LEVELS, canon, err);
    xfree(canon);
    if (rc != 0) {
        desk_levels_release(&l);
        return -1;
    }
    pthread_mutex_lock(&D->mu);
    desk_levels_release(&D->levels);
    D->levels = l;
    pthread_mutex_unlock(&D->mu);
    return 0;
}
