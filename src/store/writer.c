/*
 * writer — the queue the probe loop writes into and the thread that commits it.
 *
 * store_put_* copy the entry into a FIFO under q_mu and return: no disk, no
 * waiting beyond that short lock. The writer thread takes a batch from the
 * front, commits it in one transaction (with meta.last_alive), and only then
 * forgets it. If the commit fails the batch goes back to the front, unchanged
 * and in order, and is retried with backoff; meanwhile the queue keeps
 * growing up to queue_max entries, past which the oldest results are dropped
 * (transitions never are: they are the availability record).
 *
 * Results and transitions are separate FIFOs (they go to different tables);
 * one sequence number across both tells store_flush when everything queued
 * before it has been committed.
 *
 * Between commits, when nothing is due, the writer runs the hourly jobs a
 * bounded step at a time (one short transaction): rollups of ended hours
 * and pruning of old raw results.
 */
#include <assert.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store_int.h"

#define STOP_TRIES 5 /* failed commits tolerated at close */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
#define LOG_EVERY_MS (60 * MS_PER_S) /* failure logs: once a minute */
#define ROLLUP_EVERY_MS (60 * MS_PER_S)
#define PRUNE_EVERY_MS MS_PER_H
#define FIRST_JOB_MS (30 * MS_PER_S) /* after start, let the engine settle first */

/* ---- deque ------------------------------------------------------------------ */

struct qblock {
    struct qblock *prev, *next;
    size_t lo, hi; /* live entries are [lo, hi) */
    _Alignas(max_align_t) char data[];
};

static void dq_init(struct deque *d, size_t elem)
{
    memset(d, 0, sizeof *d);
    d->elem = elem;
}

static struct qblock *dq_block(const struct deque *d, size_t at)
{
    struct qblock *b = xmalloc(sizeof *b + QBLOCK * d->elem);
    b->prev = b->next = NULL;
    b->lo = b->hi = at;
    return b;
}

static void dq_push_back(struct deque *d, const void *e)
{
    if (!d->tail || d->tail->hi == QBLOCK) {
        struct qblock *b = dq_block(d, 0);
        b->prev = d->tail;
        if (d->tail)
            d->tail->next = b;
        else
            d->head = b;
        d->tail = b;
    }
    memcpy(d->tail->data + d->tail->hi++ * d->elem, e, d->elem);
    d->len++;
}

static void dq_pop_front(struct deque *d, void *out)
{
    assert(d->len > 0 && d->head && d->head->lo < d->head->hi);
    struct qblock *b = d->head;
    memcpy(out, b->data + b->lo++ * d->elem, d->elem);
    d->len--;
    if (b->lo == b->hi) {
        d->head = b->next;
        if (d->head)
            d->head->prev = NULL;
        else
            d->tail = NULL;
        xfree(b);
    }
}

static int64_t dq_front_seq(const struct deque *d)
{
    /* Both entry types start with their sequence number. */
    int64_t seq;
    memcpy(&seq, d->head->data + d->head->lo * d->elem, sizeof seq);
    return seq;
}

/* Moves whole blocks from the front of src to the back of dst until dst
 * holds at least max entries or src is empty: pointer moves only, so the
 * writer takes a batch with the lock held for microseconds. */
static void dq_move_front(struct deque *dst, struct deque *src, size_t max)
{
    assert(dst->elem == src->elem);
    while (src->head && dst->len < max) {
        struct qblock *b = src->head;
        src->head = b->next;
        if (src->head)
            src->head->prev = NULL;
        else
            src->tail = NULL;
        size_t n = b->hi - b->lo;
        src->len -= n;
        b->next = NULL;
        b->prev = dst->tail;
        if (dst->tail)
            dst->tail->next = b;
        else
            dst->head = b;
        dst->tail = b;
        dst->len += n;
    }
}

/* Puts all of src in front of dst, leaving src empty. */
static void dq_prepend(struct deque *dst, struct deque *src)
{
    if (!src->head)
        return;
    if (dst->head) {
        src->tail->next = dst->head;
        dst->head->prev = src->tail;
    } else {
        dst->tail = src->tail;
    }
    dst->head = src->head;
    dst->len += src->len;
    src->head = src->tail = NULL;
    src->len = 0;
}

#define DQ_FOREACH(d, type, p)                                                                     \
    for (struct qblock *b_ = (d)->head; b_; b_ = b_->next)                                         \
        for (type *p = (type *)(void *)(b_->data + b_->lo * (d)->elem),                            \
                  *end_ = (type *)(void *)(b_->data + b_->hi * (d)->elem);                         \
             p < end_; p++)

_Static_assert(offsetof(struct qres, seq) == 0, "seq first");
_Static_assert(offsetof(struct qtr, seq) == 0, "seq first");

/* ---- queue ------------------------------------------------------------------ */

static void qres_free(struct qres *r)
{
    xfree(r->detail);
}

static void qtr_free(struct qtr *t)
{
    xfree(t->reason);
}

/* With q_mu held: drops the oldest results until the queue fits. */
static void trim(struct store *S)
{
    size_t dropped = 0;
    while (S->qres.len && S->qres.len + S->qtr.len + S->inflight > S->queue_max) {
        struct qres r;
        dq_pop_front(&S->qres, &r);
        qres_free(&r);
        dropped++;
    }
    if (dropped) {
        /* Counted here, logged by the writer (never log under the lock the
         * probe loop takes). */
        S->dropped += dropped;
    }
}

void store_put_result(struct store *S, int64_t monitor_id, const struct probe_result *r)
{
    assert(S && r);
    struct qres q = {
        .monitor_id = monitor_id,
        .ts = r->started,
        .latency = r->latency,
        .value = r->value,
        .status = r->status,
        .ok = r->ok,
        .detail = store_utf8_dup(r->detail, PROBE_DETAIL_MAX),
    };
    pthread_mutex_lock(&S->q_mu);
    q.seq = ++S->seq_in;
    dq_push_back(&S->qres, &q);
    trim(S);
    if (S->qres.len + S->qtr.len == STORE_BATCH_NOW)
        pthread_cond_signal(&S->q_cv);
    pthread_mutex_unlock(&S->q_mu);
}

void store_put_transition(struct store *S, int64_t monitor_id, enum mstate state, ms_t at,
                          const char *reason)
{
    assert(S);
    struct qtr t = {
        .monitor_id = monitor_id,
        .at = at,
        .state = (unsigned)state < ST__COUNT ? state : ST_NODATA,
        .reason = store_utf8_dup(reason, STORE_REASON_MAX),
    };
    pthread_mutex_lock(&S->q_mu);
    t.seq = ++S->seq_in;
    dq_push_back(&S->qtr, &t);
    trim(S);
    if (S->qres.len + S->qtr.len == STORE_BATCH_NOW)
        pthread_cond_signal(&S->q_cv);
    pthread_mutex_unlock(&S->q_mu);
}

size_t store_queue_len(struct store *S)
{
    pthread_mutex_lock(&S->q_mu);
    size_t n = S->qres.len + S->qtr.len + S->inflight;
    pthread_mutex_unlock(&S->q_mu);
    return n;
}

int store_flush(struct store *S, struct yw_err *err)
{
    pthread_mutex_lock(&S->q_mu);
    int64_t target = S->seq_in;
    uint64_t gen = S->fail_gen;
    S->flush_waiters++;
    pthread_cond_signal(&S->q_cv);
    while (S->seq_done < target && S->fail_gen == gen && !S->writer_exited)
        pthread_cond_wait(&S->done_cv, &S->q_mu);
    S->flush_waiters--;
    int rc = 0;
    if (S->seq_done < target) {
        if (S->fail_gen != gen) {
            if (err)
                *err = S->last_fail;
            rc = -1;
        } else {
            rc = yw_fail(err, YW_EIO, "store: the writer has stopped");
        }
    }
    pthread_mutex_unlock(&S->q_mu);
    return rc;
}

void store_queue_init(struct store *S)
{
    dq_init(&S->qres, sizeof(struct qres));
    dq_init(&S->qtr, sizeof(struct qtr));
}

void store_queue_free(struct store *S)
{
    struct qres r;
    struct qtr t;
    while (S->qres.len) {
        dq_pop_front(&S->qres, &r);
        qres_free(&r);
    }
    while (S->qtr.len) {
        dq_pop_front(&S->qtr, &t);
        qtr_free(&t);
    }
    dq_init(&S->qres, sizeof(struct qres));
    dq_init(&S->qtr, sizeof(struct qtr));
}

/* ---- batches ------------------------------------------------------------------- */

/* Entries the writer has taken off the queue: its own, outside the lock. */
struct batch {
    struct deque res, tr;
    int64_t wm; /* committing this batch commits every sequence number <= wm */
};

struct late { /* a (monitor, hour) whose rollup a late result changed */
    int64_t monitor_id;
    ms_t hour;
};

/* With q_mu held. Transitions first: they are what must not wait. */
static void batch_take(struct store *S, struct batch *b)
{
    dq_move_front(&b->tr, &S->qtr, STORE_BATCH_MAX);
    size_t room = b->tr.len < STORE_BATCH_MAX ? STORE_BATCH_MAX - b->tr.len : 0;
    dq_move_front(&b->res, &S->qres, room);
    int64_t wm = S->seq_in;
    if (S->qtr.len && dq_front_seq(&S->qtr) - 1 < wm)
        wm = dq_front_seq(&S->qtr) - 1;
    if (S->qres.len && dq_front_seq(&S->qres) - 1 < wm)
        wm = dq_front_seq(&S->qres) - 1;
    b->wm = wm;
    S->inflight = b->tr.len + b->res.len;
}

/* With q_mu held: the failed batch goes back to the front, in order. */
static void batch_return(struct store *S, struct batch *b)
{
    dq_prepend(&S->qtr, &b->tr);
    dq_prepend(&S->qres, &b->res);
    S->inflight = 0;
    trim(S);
}

/* Outside the lock: the committed batch's memory. */
static void batch_clear(struct batch *b)
{
    struct qtr t;
    struct qres r;
    while (b->tr.len) {
        dq_pop_front(&b->tr, &t);
        qtr_free(&t);
    }
    while (b->res.len) {
        dq_pop_front(&b->res, &r);
        qres_free(&r);
    }
}

static int cmp_late(const void *a, const void *b)
{
    const struct late *x = a, *y = b;
    if (x->monitor_id != y->monitor_id)
        return x->monitor_id < y->monitor_id ? -1 : 1;
    return x->hour < y->hour ? -1 : x->hour > y->hour;
}

static int commit_batch(struct store *S, struct batch *b, struct yw_err *err)
{
    struct conn *c = &S->wconn;
    if (store_tx_begin(c, err))
        return -1;
    int rc = 0;
    DQ_FOREACH(&b->tr, struct qtr, t)
    {
        if (rc == 0 && store_hist_transition(c, t, err) < 0)
            rc = -1;
    }

    /* A result for an hour already rolled up (its probe outlasted the grace)
     * re-rolls that hour of that monitor, unless pruning has begun there. */
    ms_t hi = atomic_load(&S->rollup_hi), pruned = atomic_load(&S->prune_floor);
    struct late *late = NULL;
    size_t nlate = 0, caplate = 0;
    DQ_FOREACH(&b->res, struct qres, r)
    {
        if (rc)
            break;
        int w = store_hist_insert_result(c, r, err);
        if (w < 0) {
            rc = -1;
        } else if (w == 0 && r->ts < hi && store_hour_floor(r->ts) >= pruned) {
            XGROW(late, caplate, nlate + 1);
            late[nlate++] = (struct late){r->monitor_id, store_hour_floor(r->ts)};
        }
    }
    if (nlate > 1)
        qsort(late, nlate, sizeof *late, cmp_late);
    for (size_t i = 0; rc == 0 && i < nlate; i++) {
        if (i > 0 && cmp_late(&late[i], &late[i - 1]) == 0)
            continue;
        rc = store_hist_rollup_one(c, late[i].monitor_id, late[i].hour, err);
    }
    xfree(late);

    if (rc == 0 && atomic_load(&S->alive_armed))
        rc = store_meta_set(c, "last_alive", time_now_ms(), err);
    if (rc == 0 && atomic_load(&S->fault))
        rc = yw_fail(err, YW_EIO, "database: disk full (injected by a test)");
    return store_tx_end(c, rc, err);
}

/* ---- the thread ------------------------------------------------------------------- */

struct bg {
    struct rollup_job rj;
    struct prune_job pj;
    ms_t next_rollup, next_prune; /* monotonic */
    ms_t last_log;
};

static bool bg_pending(const struct bg *g, ms_t now)
{
    return g->rj.state != RJ_IDLE || g->pj.active || now >= g->next_rollup || now >= g->next_prune;
}

/* One bounded step of the hourly jobs, outside q_mu. */
static void bg_step(struct store *S, struct bg *g)
{
    struct conn *c = &S->wconn;
    struct yw_err e = YW_ERR_INIT;
    ms_t mono = time_mono_ms();
    int rc = 0;
    const char *what = "rollup";
    if (g->rj.state != RJ_IDLE) {
        rc = store_hist_rollup_step(S, c, &g->rj, &e);
        if (rc)
            g->rj.state = RJ_IDLE; /* next check retries from what is recorded */
    } else if (g->pj.active) {
        what = "pruning";
        rc = store_hist_prune_step(c, &g->pj, &e);
        if (rc)
            g->pj.active = false;
    } else if (mono >= g->next_rollup) {
        g->next_rollup = mono + ROLLUP_EVERY_MS;
        store_hist_rollup_job_init(&g->rj, store_hour_floor(time_now_ms() - STORE_ROLLUP_GRACE));
    } else if (mono >= g->next_prune) {
        what = "pruning";
        g->next_prune = mono + PRUNE_EVERY_MS;
        rc = store_hist_prune_begin(S, c, time_now_ms(), &g->pj, &e);
    }
    if (rc && mono - g->last_log >= LOG_EVERY_MS) {
        log_error("store: hourly %s failed (will retry): %s", what, e.msg);
        g->last_log = mono;
    }
}

static void wait_until(struct store *S, ms_t due)
{
    ms_t left = due - time_mono_ms();
    if (left <= 0)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += left / 1000;
    ts.tv_nsec += (long)(left % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&S->q_cv, &S->q_mu, &ts);
}

static void *writer_main(void *arg)
{
    struct store *S = arg;
    struct batch b;
    dq_init(&b.res, sizeof(struct qres));
    dq_init(&b.tr, sizeof(struct qtr));
    ms_t start = time_mono_ms();
    struct bg g = {.rj.state = RJ_IDLE,
                   .next_rollup = start + FIRST_JOB_MS,
                   .next_prune = start + 2 * FIRST_JOB_MS,
                   .last_log = start - LOG_EVERY_MS};
    ms_t last_commit = start - STORE_ALIVE_MS; /* record being alive at once */
    ms_t retry_at = 0, backoff = 0, last_fail_log = start - LOG_EVERY_MS;
    ms_t last_drop_log = start - LOG_EVERY_MS;
    uint64_t fails = 0, dropped_logged = 0;
    int stop_failures = 0;

    pthread_mutex_lock(&S->q_mu);
    for (;;) {
        ms_t now = time_mono_ms();
        size_t qlen = S->qres.len + S->qtr.len;
        bool due;
        if (retry_at)
            due = now >= retry_at;
        else
            due = S->stop || S->flush_waiters > 0 || qlen >= STORE_BATCH_NOW ||
                  (qlen > 0 && now - last_commit >= STORE_COMMIT_MS) ||
                  now - last_commit >= STORE_ALIVE_MS;
        if (!due) {
            bool bg = S->background && !retry_at && !S->stop;
            if (bg && bg_pending(&g, now)) {
                pthread_mutex_unlock(&S->q_mu);
                bg_step(S, &g);
                pthread_mutex_lock(&S->q_mu);
                continue;
            }
            ms_t deadline =
                retry_at ? retry_at : last_commit + (qlen ? STORE_COMMIT_MS : STORE_ALIVE_MS);
            if (bg && g.next_rollup < deadline)
                deadline = g.next_rollup;
            if (bg && g.next_prune < deadline)
                deadline = g.next_prune;
            wait_until(S, deadline);
            continue;
        }

        batch_take(S, &b);
        /* Only a batch taken after stop was asked can be the last one: its
         * last_alive is then the closing instant. */
        bool final = S->stop;
        uint64_t dropped = S->dropped;
        size_t qmax = S->queue_max;
        pthread_mutex_unlock(&S->q_mu);

        if (dropped != dropped_logged && now - last_drop_log >= LOG_EVERY_MS) {
            log_error("store: queue full (%zu entries): dropped %llu oldest results so far", qmax,
                      (unsigned long long)dropped);
            dropped_logged = dropped;
            last_drop_log = now;
        }
        struct yw_err e = YW_ERR_INIT;
        int rc = commit_batch(S, &b, &e);

        if (rc == 0)
            batch_clear(&b); /* frees outside the lock */
        pthread_mutex_lock(&S->q_mu);
        last_commit = time_mono_ms();
        if (rc == 0) {
            S->inflight = 0;
            if (b.wm > S->seq_done)
                S->seq_done = b.wm;
            if (fails)
                log_info("store: database writable again after %llu failed commits",
                         (unsigned long long)fails);
            fails = 0;
            retry_at = backoff = 0;
            pthread_cond_broadcast(&S->done_cv);
            if (final && S->qres.len + S->qtr.len == 0)
                break;
        } else {
            batch_return(S, &b);
            size_t kept = S->qres.len + S->qtr.len;
            S->fail_gen++;
            S->last_fail = e;
            pthread_cond_broadcast(&S->done_cv);
            fails++;
            if (last_commit - last_fail_log >= LOG_EVERY_MS) {
                log_error("store: commit failed, %zu entries kept for retry: %s", kept, e.msg);
                last_fail_log = last_commit;
            }
            backoff = backoff ? backoff * 2 : BACKOFF_MIN_MS;
            if (backoff > BACKOFF_MAX_MS)
                backoff = BACKOFF_MAX_MS;
            retry_at = last_commit + backoff;
            if (S->stop && ++stop_failures >= STOP_TRIES) {
                log_error("store: closing with %zu results and %zu state transitions not "
                          "written: %s",
                          S->qres.len, S->qtr.len, e.msg);
                break;
            }
        }
    }
    S->writer_exited = true;
    pthread_cond_broadcast(&S->done_cv);
    pthread_mutex_unlock(&S->q_mu);
    /* A batch the dead database never took is freed with the queue. */
    pthread_mutex_lock(&S->q_mu);
    dq_prepend(&S->qtr, &b.tr);
    dq_prepend(&S->qres, &b.res);
    pthread_mutex_unlock(&S->q_mu);
    return NULL;
}

int store_writer_start(struct store *S, struct yw_err *err)
{
    /* The writer takes no signals: they belong to whoever handles them. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&S->writer, NULL, writer_main, S);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return yw_fail(err, YW_EIO, "store: cannot start the writer thread: %s", strerror(rc));
    S->writer_started = true;
    return 0;
}

void store_writer_stop(struct store *S)
{
    if (!S->writer_started)
        return;
    pthread_mutex_lock(&S->q_mu);
    S->stop = true;
    pthread_cond_signal(&S->q_cv);
    pthread_mutex_unlock(&S->q_mu);
    pthread_join(S->writer, NULL);
    S->writer_started = false;
}

/* ---- test hooks ----------------------------------------------------------------- */

void store_test_fault(struct store *S, bool on)
{
    atomic_store(&S->fault, on);
    pthread_mutex_lock(&S->q_mu);
    pthread_cond_signal(&S->q_cv);
    pthread_mutex_unlock(&S->q_mu);
}

void store_test_queue_max(struct store *S, size_t max)
{
    pthread_mutex_lock(&S->q_mu);
    S->queue_max = max;
    trim(S);
    pthread_mutex_unlock(&S->q_mu);
}

void store_test_background(struct store *S, bool on)
{
    pthread_mutex_lock(&S->q_mu);
    S->background = on;
    pthread_cond_signal(&S->q_cv);
    pthread_mutex_unlock(&S->q_mu);
}
