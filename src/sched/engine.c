/*
 * engine — see engine.h. Everything here runs on the loop thread except the
 * engine_notify_*, engine_push, engine_stop, engine_metrics and engine_stats
 * entry points, which only take locks, copy and wake the loop.
 *
 * Two locks, never held together:
 *   qlock guards the command queue (other threads -> loop);
 *   mlock guards the monitor array and per-monitor counters, so metrics can be
 *   read from HTTP threads; the loop thread takes it only to mutate them.
 * (hlock only guards the transition hooks, engine_on_transition, and is held
 * just around its call in settle_state, never with the other two.)
 * Store reads that a command needs (a monitor's row, all windows) are done on
 * the calling thread before enqueueing, so the loop never waits on the disk.
 */
#include "sched/engine.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "probe/probe.h"
#include "sched/confirm.h"
#include "sched/loop.h"
#include "sched/maint.h"
#include "sched/schedule.h"

#define LATENESS_RING 10000
#define MAINT_RECHECK_MAX (60 * MS_PER_S) /* re-evaluate windows at least this often */
#define PUSH_MSG_MAX 200

struct mon {
    struct engine *E;
    int64_t id;
    struct monitor_spec spec;
    struct monitor_spec *next_spec; /* replacement waiting for the in-flight probe */
    struct confirm cf;
    enum mstate state;              /* last state sent to the store */
    bool in_maint;
    char maint_name[YW_NAME_MAX + 1];
    bool inflight;
    bool dead;                      /* removed while a probe was in flight */
    struct loop_timer *timer;       /* next check, or heartbeat deadline */
    ms_t due;                       /* monotonic due time of timer */
    /* counters for /metrics, under mlock */
    uint64_t checks, failures;
    ms_t last_latency;
    int last_ok;                    /* -1 never checked, 0, 1 */
};

enum cmd_kind { CMD_MONITOR, CMD_ALL, CMD_PUSH };

struct cmd {
    enum cmd_kind kind;
    struct cmd *next;
    int64_t id;
    bool found;                     /* CMD_MONITOR: row is valid (else the monitor is gone) */
    struct monitor_row row;
    struct monitor_row *rows; size_t nrows;   /* CMD_ALL */
    struct maint_row *windows; size_t nwindows;
    bool ok; double rows_pushed; char msg[PUSH_MSG_MAX + 1]; /* CMD_PUSH */
};

struct engine {
    struct store *S;
    struct loop *L;
    struct probe_ctx *P;

    pthread_mutex_t mlock;
    struct mon **mons; size_t nmons, capmons; /* sorted by id */

    struct maint_row *windows; size_t nwindows;
    struct loop_timer *maint_timer;

    pthread_mutex_t qlock;
    struct cmd *qhead, *qtail;
    int stop_requested;

    double lateness[LATENESS_RING];
    size_t nlateness, lateness_pos;
    uint64_t checks, failures;

    /* engine_on_transition: taken by the loop thread around each call, so
     * that removing the hook from another thread waits for a call in flight. */
    pthread_mutex_t reload_mu; /* engine_notify_all: read and enqueue in one order */
    pthread_mutex_t hlock;
    struct {
        void (*fn)(void *arg, const struct engine_transition *t);
        void *arg;
    } hooks[ENGINE_HOOKS_MAX];
};

/* ---- small helpers ------------------------------------------------------- */

static struct mon *find_mon(struct engine *E, int64_t id, size_t *pos)
{
    size_t lo = 0, hi = E->nmons;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (E->mons[mid]->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (pos)
        *pos = lo;
    return lo < E->nmons && E->mons[lo]->id == id ? E->mons[lo] : NULL;
}

static enum mstate effective_state(const struct mon *m)
{
    if (m->spec.paused)
        return ST_PAUSED;
    if (m->in_maint)
        return ST_MAINT;
    return m->cf.state;
}

/* Sends a transition to the store if the effective state changed. */
static void settle_state(struct engine *E, struct mon *m, const char *detail)
{
    enum mstate st = effective_state(m);
    if (st == m->state)
        return;
    char reason[PROBE_DETAIL_MAX + 64];
    switch (st) {
    case ST_PAUSED: snprintf(reason, sizeof reason, "paused"); break;
    case ST_MAINT: snprintf(reason, sizeof reason, "maintenance %s", m->maint_name); break;
    case ST_NODATA: snprintf(reason, sizeof reason, "waiting for confirmation"); break;
    default: snprintf(reason, sizeof reason, "%s", detail && *detail ? detail : ""); break;
    }
    if (m->state != ST__COUNT)
        log_info("monitor %s: %s -> %s%s%s", m->spec.name, mstate_name(m->state), mstate_name(st),
                 *reason ? ": " : "", reason);
    m->state = st;
    ms_t at = time_now_ms();
    store_put_transition(E->S, m->id, st, at, *reason ? reason : NULL);
    pthread_mutex_lock(&E->hlock);
    struct engine_transition t = {m->id, m->spec.name, m->spec.system, st, at,
                                  *reason ? reason : NULL};
    for (int i = 0; i < ENGINE_HOOKS_MAX; i++)
        if (E->hooks[i].fn)
            E->hooks[i].fn(E->hooks[i].arg, &t);
    pthread_mutex_unlock(&E->hlock);
}

static void record_lateness(struct engine *E, ms_t late)
{
    pthread_mutex_lock(&E->mlock);
    E->lateness[E->lateness_pos] = (double)late;
    E->lateness_pos = (E->lateness_pos + 1) % LATENESS_RING;
    if (E->nlateness < LATENESS_RING)
        E->nlateness++;
    pthread_mutex_unlock(&E->mlock);
}

/* ---- scheduling ----------------------------------------------------------- */

static void on_check_due(struct loop *L, void *arg);
static void on_heartbeat_deadline(struct loop *L, void *arg);

static void cancel_timer(struct engine *E, struct mon *m)
{
    if (m->timer) {
        loop_timer_cancel(E->L, m->timer);
        m->timer = NULL;
    }
}

static void arm(struct engine *E, struct mon *m, ms_t due)
{
    cancel_timer(E, m);
    m->due = due;
    m->timer = loop_timer_at(E->L, due,
                             m->spec.type == MT_HEARTBEAT ? on_heartbeat_deadline : on_check_due, m);
}

/* First run: spread over the interval by a hash of the name, so that
 * thousands of monitors loaded at once never fire together. */
static void schedule_first(struct engine *E, struct mon *m)
{
    cancel_timer(E, m);
    if (m->spec.paused)
        return;
    ms_t now = loop_now(E->L);
    if (m->spec.type == MT_HEARTBEAT) {
        arm(E, m, now + m->spec.interval + m->spec.heartbeat.grace);
        return;
    }
    arm(E, m, sched_first_due(m->spec.name, m->spec.interval, now));
}

static void on_probe_done(void *arg, const struct probe_result *r);

static void on_check_due(struct loop *L, void *arg)
{
    struct mon *m = arg;
    struct engine *E = m->E;
    m->timer = NULL;
    ms_t now = loop_now(L);
    record_lateness(E, now - m->due);

    ms_t next = sched_next_due(m->due, m->spec.interval, now);

    if (!m->inflight) {
        if (probe_start(E->P, &m->spec, on_probe_done, m) == 0)
            m->inflight = true;
        else
            log_warn("monitor %s: probe could not start", m->spec.name);
    }
    arm(E, m, next);
}

static void apply_result(struct engine *E, struct mon *m, const struct probe_result *r,
                         int retries)
{
    store_put_result(E->S, m->id, r);
    pthread_mutex_lock(&E->mlock);
    m->checks++;
    E->checks++;
    if (!r->ok) {
        m->failures++;
        E->failures++;
    }
    m->last_latency = r->latency;
    m->last_ok = r->ok;
    pthread_mutex_unlock(&E->mlock);

    confirm_feed(&m->cf, r->ok, retries, m->spec.recover);
    settle_state(E, m, r->detail);
}

static void free_mon(struct mon *m)
{
    monitor_spec_release(&m->spec);
    if (m->next_spec) {
        monitor_spec_release(m->next_spec);
        xfree(m->next_spec);
    }
    xfree(m);
}

static void install_spec(struct engine *E, struct mon *m, struct monitor_spec *spec);

static void on_probe_done(void *arg, const struct probe_result *r)
{
    struct mon *m = arg;
    struct engine *E = m->E;
    m->inflight = false;
    if (m->dead) {
        free_mon(m);
        return;
    }
    if (m->next_spec) {
        /* The monitor changed while this check ran: its result speaks of the
         * old definition, so it is dropped. */
        struct monitor_spec *spec = m->next_spec;
        m->next_spec = NULL;
        install_spec(E, m, spec);
        xfree(spec);
        return;
    }
    apply_result(E, m, r, m->spec.retries);

    /* An unconfirmed failure is checked again sooner when retry_interval says so. */
    if (!r->ok && confirm_pending_failure(&m->cf) && m->spec.retry_interval < m->spec.interval &&
        m->timer) {
        ms_t retry_at = loop_now(E->L) + m->spec.retry_interval;
        if (retry_at < m->due)
            arm(E, m, retry_at);
    }
}

static void on_heartbeat_deadline(struct loop *L, void *arg)
{
    struct mon *m = arg;
    struct engine *E = m->E;
    m->timer = NULL;
    struct probe_result r = {0};
    r.ok = false;
    r.started = time_now_ms();
    char d[32];
    time_format_duration(m->spec.interval + m->spec.heartbeat.grace, d, sizeof d);
    snprintf(r.detail, sizeof r.detail, "no push within %s", d);
    /* A missed deadline is itself the confirmation: the job had interval +
     * grace to call, so there is no retry to wait for. */
    apply_result(E, m, &r, 1);
    arm(E, m, loop_now(L) + m->spec.interval + m->spec.heartbeat.grace);
}

/* ---- maintenance ---------------------------------------------------------- */

static void on_maint_edge(struct loop *L, void *arg);

static void evaluate_maint(struct engine *E, struct mon *m, ms_t now)
{
    m->in_maint = false;
    m->maint_name[0] = '\0';
    for (size_t i = 0; i < E->nwindows; i++) {
        const struct maint_spec *w = &E->windows[i].spec;
        if (maint_applies(w, m->spec.name, m->spec.system) && maint_active_at(w, now, NULL)) {
            m->in_maint = true;
            snprintf(m->maint_name, sizeof m->maint_name, "%s", w->name);
            break;
        }
    }
}

static void evaluate_all_maint(struct engine *E)
{
    ms_t now = time_now_ms();
    for (size_t i = 0; i < E->nmons; i++) {
        struct mon *m = E->mons[i];
        bool was = m->in_maint;
        evaluate_maint(E, m, now);
        if (was && !m->in_maint) {
            /* What was seen during planned work says nothing about service
             * after it: start confirming afresh and look again at once. */
            confirm_reset(&m->cf);
            if (m->spec.type != MT_HEARTBEAT && !m->spec.paused && !m->inflight)
                arm(E, m, loop_now(E->L));
        }
        settle_state(E, m, NULL);
    }
    /* Sleep until the next window edge, but never longer than a minute, so a
     * changed wall clock cannot leave a window unnoticed for long. */
    ms_t wait = MAINT_RECHECK_MAX;
    for (size_t i = 0; i < E->nwindows; i++) {
        ms_t edge = maint_next_edge(&E->windows[i].spec, now);
        if (edge > 0 && edge - now < wait)
            wait = edge - now;
    }
    if (E->maint_timer)
        loop_timer_cancel(E->L, E->maint_timer);
    E->maint_timer = loop_timer_at(E->L, loop_now(E->L) + (wait > 0 ? wait : 1), on_maint_edge, E);
}

static void on_maint_edge(struct loop *L, void *arg)
{
    struct engine *E = arg;
    (void)L;
    E->maint_timer = NULL;
    evaluate_all_maint(E);
}

/* ---- adding, changing, removing monitors ---------------------------------- */

static void install_spec(struct engine *E, struct mon *m, struct monitor_spec *spec)
{
    bool target_changed = spec->type != m->spec.type;
    pthread_mutex_lock(&E->mlock);
    monitor_spec_release(&m->spec);
    m->spec = *spec;
    memset(spec, 0, sizeof *spec);
    pthread_mutex_unlock(&E->mlock);
    if (target_changed)
        confirm_reset(&m->cf);
    evaluate_maint(E, m, time_now_ms());
    settle_state(E, m, NULL);
    schedule_first(E, m);
}

static void add_monitor(struct engine *E, struct monitor_row *row)
{
    size_t pos;
    if (find_mon(E, row->id, &pos))
        return;
    struct mon *m = xcalloc(1, sizeof *m);
    m->E = E;
    m->id = row->id;
    m->spec = row->spec;
    memset(&row->spec, 0, sizeof row->spec);
    m->cf = (struct confirm)CONFIRM_INIT;
    m->last_ok = -1;
    /* What the store holds as the open interval is the state we continue
     * from; ST__COUNT marks "nothing recorded yet" so the first settle writes. */
    m->state = row->state_since ? row->state : ST__COUNT;
    if (m->state == ST_UP || m->state == ST_DOWN)
        m->cf.state = m->state;
    evaluate_maint(E, m, time_now_ms());

    pthread_mutex_lock(&E->mlock);
    XGROW(E->mons, E->capmons, E->nmons + 1);
    memmove(&E->mons[pos + 1], &E->mons[pos], (E->nmons - pos) * sizeof *E->mons);
    E->mons[pos] = m;
    E->nmons++;
    pthread_mutex_unlock(&E->mlock);

    settle_state(E, m, NULL);
    schedule_first(E, m);
}

static void remove_monitor(struct engine *E, struct mon *m)
{
    size_t pos;
    find_mon(E, m->id, &pos);
    cancel_timer(E, m);
    if (m->state != ST_NODATA && m->state != ST__COUNT)
        store_put_transition(E->S, m->id, ST_NODATA, time_now_ms(), "monitor deleted");
    pthread_mutex_lock(&E->mlock);
    memmove(&E->mons[pos], &E->mons[pos + 1], (E->nmons - pos - 1) * sizeof *E->mons);
    E->nmons--;
    pthread_mutex_unlock(&E->mlock);
    if (m->inflight)
        m->dead = true; /* freed when its probe reports */
    else
        free_mon(m);
}

static bool same_spec(const struct monitor_spec *a, const struct monitor_spec *b)
{
    json_t *ja = config_monitor_to_json(a, true);
    json_t *jb = config_monitor_to_json(b, true);
    bool same = json_equal(ja, jb);
    json_decref(ja);
    json_decref(jb);
    return same;
}

static void update_monitor(struct engine *E, struct mon *m, struct monitor_row *row)
{
    if (same_spec(&m->spec, &row->spec))
        return;
    bool only_pause = false;
    if (m->spec.paused != row->spec.paused) {
        m->spec.paused = !m->spec.paused;
        only_pause = same_spec(&m->spec, &row->spec);
        m->spec.paused = !m->spec.paused;
    }
    if (only_pause) {
        pthread_mutex_lock(&E->mlock);
        m->spec.paused = row->spec.paused;
        pthread_mutex_unlock(&E->mlock);
        if (!m->spec.paused)
            confirm_reset(&m->cf); /* state after a pause is whatever is seen next */
        settle_state(E, m, NULL);
        schedule_first(E, m);
        return;
    }
    struct monitor_spec *spec = xmalloc(sizeof *spec);
    *spec = row->spec;
    memset(&row->spec, 0, sizeof row->spec);
    if (m->inflight) {
        if (m->next_spec) {
            monitor_spec_release(m->next_spec);
            xfree(m->next_spec);
        }
        m->next_spec = spec;
        cancel_timer(E, m);
        return;
    }
    install_spec(E, m, spec);
    xfree(spec);
}

static void apply_row(struct engine *E, struct monitor_row *row)
{
    struct mon *m = find_mon(E, row->id, NULL);
    if (m)
        update_monitor(E, m, row);
    else
        add_monitor(E, row);
}

static void apply_all(struct engine *E, struct cmd *c)
{
    store_maint_rows_free(E->windows, E->nwindows);
    E->windows = c->windows;
    E->nwindows = c->nwindows;
    c->windows = NULL;
    c->nwindows = 0;

    /* Remove monitors no longer present: rows are sorted by id like mons. */
    for (size_t i = E->nmons; i-- > 0;) {
        struct mon *m = E->mons[i];
        bool present = false;
        for (size_t k = 0; k < c->nrows && !present; k++)
            present = c->rows[k].id == m->id;
        if (!present)
            remove_monitor(E, m);
    }
    for (size_t k = 0; k < c->nrows; k++)
        apply_row(E, &c->rows[k]);
    evaluate_all_maint(E);
}

static void apply_push(struct engine *E, struct cmd *c)
{
    struct mon *m = find_mon(E, c->id, NULL);
    if (!m || m->spec.type != MT_HEARTBEAT)
        return;
    struct probe_result r = {0};
    r.ok = c->ok;
    r.started = time_now_ms();
    r.value = c->rows_pushed;
    snprintf(r.detail, sizeof r.detail, "%s%s%s", c->ok ? "push ok" : "push reported failure",
             c->msg[0] ? ": " : "", c->msg);
    apply_result(E, m, &r, 1);
    if (!m->spec.paused)
        arm(E, m, loop_now(E->L) + m->spec.interval + m->spec.heartbeat.grace);
}

/* ---- the command queue ---------------------------------------------------- */

static void free_cmd(struct cmd *c)
{
    if (c->found)
        store_monitor_row_release(&c->row);
    store_monitor_rows_free(c->rows, c->nrows);
    store_maint_rows_free(c->windows, c->nwindows);
    xfree(c);
}

static void enqueue(struct engine *E, struct cmd *c)
{
    pthread_mutex_lock(&E->qlock);
    if (E->qtail)
        E->qtail->next = c;
    else
        E->qhead = c;
    E->qtail = c;
    pthread_mutex_unlock(&E->qlock);
    loop_wake(E->L);
}

static void on_wake(struct loop *L, void *arg)
{
    struct engine *E = arg;
    pthread_mutex_lock(&E->qlock);
    struct cmd *c = E->qhead;
    E->qhead = E->qtail = NULL;
    int stop = E->stop_requested;
    pthread_mutex_unlock(&E->qlock);
    while (c) {
        struct cmd *next = c->next;
        switch (c->kind) {
        case CMD_MONITOR:
            if (c->found && !c->row.spec.name) /* defensive: a row without a spec */
                break;
            if (c->found) {
                apply_row(E, &c->row);
                evaluate_all_maint(E);
            } else {
                struct mon *m = find_mon(E, c->id, NULL);
                if (m)
                    remove_monitor(E, m);
            }
            break;
        case CMD_ALL: apply_all(E, c); break;
        case CMD_PUSH: apply_push(E, c); break;
        }
        free_cmd(c);
        c = next;
    }
    if (stop)
        loop_stop(L);
}

void engine_notify_monitor(struct engine *E, int64_t id)
{
    struct cmd *c = xcalloc(1, sizeof *c);
    c->kind = CMD_MONITOR;
    c->id = id;
    struct yw_err err = YW_ERR_INIT;
    pthread_mutex_lock(&E->reload_mu); /* in the order read (engine_notify_all) */
    if (store_monitor_get(E->S, id, NULL, &c->row, &err) == 0)
        c->found = true;
    else if (err.code != YW_ENOTFOUND) {
        pthread_mutex_unlock(&E->reload_mu);
        log_error("engine: cannot read monitor %lld: %s", (long long)id, err.msg);
        xfree(c);
        return;
    }
    enqueue(E, c);
    pthread_mutex_unlock(&E->reload_mu);
}

static int load_all(struct engine *E, struct cmd *c, struct yw_err *err)
{
    struct monitor_filter f = MONITOR_FILTER_ALL;
    if (store_monitor_list(E->S, &f, &c->rows, &c->nrows, err) != 0)
        return -1;
    if (store_maint_list(E->S, &c->windows, &c->nwindows, err) != 0) {
        store_monitor_rows_free(c->rows, c->nrows);
        c->rows = NULL;
        c->nrows = 0;
        return -1;
    }
    return 0;
}

void engine_notify_all(struct engine *E)
{
    struct cmd *c = xcalloc(1, sizeof *c);
    c->kind = CMD_ALL;
    struct yw_err err = YW_ERR_INIT;
    /* Two reloads at once (a window made while another is deleted) must
     * reach the loop in the order they read the store, or the older
     * snapshot would be applied last and the newer change lost. */
    pthread_mutex_lock(&E->reload_mu);
    if (load_all(E, c, &err) != 0) {
        pthread_mutex_unlock(&E->reload_mu);
        log_error("engine: cannot reload monitors: %s", err.msg);
        xfree(c);
        return;
    }
    enqueue(E, c);
    pthread_mutex_unlock(&E->reload_mu);
}

void engine_push(struct engine *E, int64_t monitor_id, bool ok, const char *msg, double rows)
{
    struct cmd *c = xcalloc(1, sizeof *c);
    c->kind = CMD_PUSH;
    c->id = monitor_id;
    c->ok = ok;
    c->rows_pushed = rows;
    snprintf(c->msg, sizeof c->msg, "%s", msg ? msg : "");
    enqueue(E, c);
}

void engine_stop(struct engine *E)
{
    pthread_mutex_lock(&E->qlock);
    E->stop_requested = 1;
    pthread_mutex_unlock(&E->qlock);
    loop_wake(E->L);
}

/* ---- life cycle ------------------------------------------------------------ */

struct engine *engine_new(struct store *S, struct yw_err *err)
{
    struct engine *E = xcalloc(1, sizeof *E);
    E->S = S;
    pthread_mutex_init(&E->mlock, NULL);
    pthread_mutex_init(&E->qlock, NULL);
    pthread_mutex_init(&E->hlock, NULL);
    pthread_mutex_init(&E->reload_mu, NULL);
    E->L = loop_new();
    if (!E->L) {
        yw_fail(err, YW_EIO, "event loop: cannot create epoll or eventfd");
        goto fail;
    }
    E->P = probe_ctx_new(E->L);
    if (!E->P) {
        yw_fail(err, YW_EIO, "probes: cannot initialise curl or c-ares");
        goto fail;
    }
    loop_on_wake(E->L, on_wake, E);

    struct cmd c = {0};
    if (load_all(E, &c, err) != 0)
        goto fail;
    apply_all(E, &c);
    store_monitor_rows_free(c.rows, c.nrows);
    return E;
fail:
    engine_free(E);
    return NULL;
}

int engine_run(struct engine *E)
{
    log_info("engine: %zu monitors, %zu maintenance windows", E->nmons, E->nwindows);
    return loop_run(E->L);
}

void engine_free(struct engine *E)
{
    if (!E)
        return;
    /* Probes first: freeing the context abandons in-flight checks without
     * callbacks, so every monitor can then be freed here. */
    if (E->P)
        probe_ctx_free(E->P);
    for (size_t i = 0; i < E->nmons; i++)
        free_mon(E->mons[i]);
    xfree(E->mons);
    store_maint_rows_free(E->windows, E->nwindows);
    struct cmd *c = E->qhead;
    while (c) {
        struct cmd *next = c->next;
        free_cmd(c);
        c = next;
    }
    if (E->L)
        loop_free(E->L);
    pthread_mutex_destroy(&E->mlock);
    pthread_mutex_destroy(&E->qlock);
    pthread_mutex_destroy(&E->hlock);
    pthread_mutex_destroy(&E->reload_mu);
    xfree(E);
}

int engine_on_transition(struct engine *E,
                         void (*fn)(void *arg, const struct engine_transition *t), void *arg)
{
    int rc = -1;
    pthread_mutex_lock(&E->hlock);
    for (int i = 0; i < ENGINE_HOOKS_MAX && rc != 0; i++) {
        if (!E->hooks[i].fn) {
            E->hooks[i].fn = fn;
            E->hooks[i].arg = arg;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&E->hlock);
    return rc;
}

void engine_off_transition(struct engine *E,
                           void (*fn)(void *arg, const struct engine_transition *t), void *arg)
{
    pthread_mutex_lock(&E->hlock);
    for (int i = 0; i < ENGINE_HOOKS_MAX; i++) {
        if (E->hooks[i].fn == fn && E->hooks[i].arg == arg) {
            E->hooks[i].fn = NULL;
            E->hooks[i].arg = NULL;
        }
    }
    pthread_mutex_unlock(&E->hlock);
}

/* ---- metrics ----------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Caller holds mlock. */
static void lateness_quantiles(struct engine *E, double *p50, double *p99)
{
    *p50 = *p99 = 0;
    if (!E->nlateness)
        return;
    double *v = xmalloc(E->nlateness * sizeof *v);
    memcpy(v, E->lateness, E->nlateness * sizeof *v);
    qsort(v, E->nlateness, sizeof *v, cmp_double);
    /* nearest rank */
    size_t i50 = (E->nlateness * 50 + 99) / 100, i99 = (E->nlateness * 99 + 99) / 100;
    *p50 = v[i50 ? i50 - 1 : 0];
    *p99 = v[i99 ? i99 - 1 : 0];
    xfree(v);
}

static void label_escape(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '\\' || *s == '"')
            buf_addf(out, "\\%c", *s);
        else if (*s == '\n')
            buf_adds(out, "\\n");
        else
            buf_add(out, s, 1);
    }
}

static void labels(struct buf *out, const struct mon *m)
{
    buf_adds(out, "{monitor=\"");
    label_escape(out, m->spec.name);
    buf_adds(out, "\",system=\"");
    label_escape(out, m->spec.system);
    buf_addf(out, "\",type=\"%s\"}", monitor_type_name(m->spec.type));
}

void engine_metrics(struct engine *E, struct buf *out)
{
    pthread_mutex_lock(&E->mlock);
    buf_adds(out, "# HELP yunwei_monitor_up Whether the last check succeeded (1) or failed (0).\n"
                  "# TYPE yunwei_monitor_up gauge\n");
    for (size_t i = 0; i < E->nmons; i++) {
        if (E->mons[i]->last_ok < 0)
            continue;
        buf_adds(out, "yunwei_monitor_up");
        labels(out, E->mons[i]);
        buf_addf(out, " %d\n", E->mons[i]->last_ok);
    }
    buf_adds(out, "# HELP yunwei_monitor_latency_seconds Latency of the last check.\n"
                  "# TYPE yunwei_monitor_latency_seconds gauge\n");
    for (size_t i = 0; i < E->nmons; i++) {
        if (E->mons[i]->last_ok < 0)
            continue;
        buf_adds(out, "yunwei_monitor_latency_seconds");
        labels(out, E->mons[i]);
        buf_addf(out, " %.3f\n", (double)E->mons[i]->last_latency / 1000.0);
    }
    buf_adds(out, "# HELP yunwei_monitor_checks_total Checks run since start.\n"
                  "# TYPE yunwei_monitor_checks_total counter\n");
    for (size_t i = 0; i < E->nmons; i++) {
        buf_adds(out, "yunwei_monitor_checks_total");
        labels(out, E->mons[i]);
        buf_addf(out, " %llu\n", (unsigned long long)E->mons[i]->checks);
    }
    buf_adds(out, "# HELP yunwei_monitor_failures_total Failed checks since start.\n"
                  "# TYPE yunwei_monitor_failures_total counter\n");
    for (size_t i = 0; i < E->nmons; i++) {
        buf_adds(out, "yunwei_monitor_failures_total");
        labels(out, E->mons[i]);
        buf_addf(out, " %llu\n", (unsigned long long)E->mons[i]->failures);
    }
    double p50, p99;
    lateness_quantiles(E, &p50, &p99);
    buf_addf(out,
             "# HELP yunwei_schedule_lateness_seconds How late checks start after their due time (last %d runs).\n"
             "# TYPE yunwei_schedule_lateness_seconds summary\n"
             "yunwei_schedule_lateness_seconds{quantile=\"0.5\"} %.4f\n"
             "yunwei_schedule_lateness_seconds{quantile=\"0.99\"} %.4f\n"
             "# HELP yunwei_checks_total Checks run since start, all monitors.\n"
             "# TYPE yunwei_checks_total counter\n"
             "yunwei_checks_total %llu\n"
             "# HELP yunwei_monitors Monitors scheduled.\n"
             "# TYPE yunwei_monitors gauge\n"
             "yunwei_monitors %zu\n",
             LATENESS_RING, p50 / 1000.0, p99 / 1000.0, (unsigned long long)E->checks, E->nmons);
    pthread_mutex_unlock(&E->mlock);
}

void engine_stats(struct engine *E, struct engine_stats *out)
{
    pthread_mutex_lock(&E->mlock);
    out->checks = E->checks;
    out->failures = E->failures;
    lateness_quantiles(E, &out->lateness_p50_ms, &out->lateness_p99_ms);
    out->monitors = (int)E->nmons;
    pthread_mutex_unlock(&E->mlock);
    out->inflight = 0; /* probe_inflight is loop-thread only */
}
