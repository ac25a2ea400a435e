/*
 * history — results, state intervals, hourly rollups and pruning.
 *
 * Intervals: at most one open interval per monitor (a partial unique index
 * enforces it) and intervals are kept maximal: a transition to the state the
 * monitor is already in changes nothing. Rollups: one row per monitor and
 * UTC hour, computed from the raw results of that hour; p95 is the
 * nearest-rank percentile (the ceil(0.95 n)-th smallest latency). Raw
 * results are pruned only below the hours already rolled up, so pruning can
 * never take data a rollup still needs.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store_int.h"

ms_t store_hour_floor(ms_t t)
{
    ms_t r = t % MS_PER_H;
    return r < 0 ? t - r - MS_PER_H : t - r;
}

static void atomic_max(_Atomic int64_t *a, int64_t v)
{
    int64_t cur = atomic_load(a);
    while (cur < v && !atomic_compare_exchange_weak(a, &cur, v))
        ;
}

static int step_done(struct conn *c, sqlite3_stmt *st, const char *what, struct yw_err *err)
{
    int result = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(c, err, what);
    store_stmt_done(st);
    return result;
}

/* ---- transitions and results (inside the writer's transaction) ------------ */

static int iv_insert(struct conn *c, int64_t monitor_id, enum mstate state, ms_t start,
                     const char *reason, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_IV_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, monitor_id);
    store_bind_text(st, 2, store_state_text(state));
    store_bind_i64(st, 3, start);
    sqlite3_bind_null(st, 4);
    store_bind_text(st, 5, reason);
    return step_done(c, st, "opening interval", err);
}

/* 0 applied, 1 nothing to apply (monitor gone), -1 error. */
static int transition_apply(struct conn *c, const struct qtr *t, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_MON_LIVE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, t->monitor_id);
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc == SQLITE_DONE)
        return 1; /* deleted while the transition waited in the queue */
    if (rc != SQLITE_ROW)
        return store_db_fail(c, err, "reading monitor");

    st = store_stmt_get(c, STMT_IV_OPEN, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, t->monitor_id);
    rc = sqlite3_step(st);
    int64_t open_id = 0;
    enum mstate open_state = ST_NODATA;
    ms_t open_start = 0;
    if (rc == SQLITE_ROW) {
        open_id = sqlite3_column_int64(st, 0);
        open_state = store_state_from_text((const char *)sqlite3_column_text(st, 1));
        open_start = sqlite3_column_int64(st, 2);
    }
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading open interval");

    if (!open_id)
        return iv_insert(c, t->monitor_id, t->state, t->at, t->reason, err);
    if (open_state == t->state)
        return 0; /* intervals stay maximal */
    /* A transition no later than the open interval's start (the same
     * millisecond, or the wall clock stepped back) still happens after it:
     * the open interval ends where it began, kept as an empty interval
     * (availability ignores it) rather than rewritten, since the API may
     * already have shown it. */
    ms_t at = t->at > open_start ? t->at : open_start;
    st = store_stmt_get(c, STMT_IV_CLOSE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, open_id);
    store_bind_i64(st, 2, at);
    if (step_done(c, st, "closing interval", err))
        return -1;
    return iv_insert(c, t->monitor_id, t->state, at, t->reason, err);
}

/* 0 applied, 1 skipped (the entry itself is bad: logged, never retried),
 * -1 the database failed (the caller rolls back and retries the batch). */
int store_hist_transition(struct conn *c, const struct qtr *t, struct yw_err *err)
{
    /* A savepoint makes the transition's statements all-or-nothing, so a
     * skipped one cannot leave a monitor half-moved. */
    if (store_stmt_exec(c, STMT_SAVEPOINT, err))
        return -1;
    int rc = transition_apply(c, t, err);
    bool constraint = rc < 0 && (sqlite3_extended_errcode(c->db) & 0xff) == SQLITE_CONSTRAINT;
    if (rc < 0 && !constraint)
        return -1;
    if (rc < 0) {
        log_error("store: dropping transition of monitor %lld to %s at %lld: %s",
                  (long long)t->monitor_id, store_state_text(t->state), (long long)t->at,
                  err ? err->msg : "constraint failed");
        if (store_stmt_exec(c, STMT_ROLLBACK_TO, err))
            return -1;
        rc = 1;
    }
    if (store_stmt_exec(c, STMT_RELEASE, err))
        return -1;
    return rc;
}

int store_hist_insert_result(struct conn *c, const struct qres *r, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_RES_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, r->monitor_id);
    store_bind_i64(st, 2, r->ts);
    store_bind_i64(st, 3, r->ok);
    store_bind_i64(st, 4, r->latency);
    store_bind_i64(st, 5, r->status);
    sqlite3_bind_double(st, 6, r->value);
    store_bind_text(st, 7, r->detail ? r->detail : "");
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc == SQLITE_DONE)
        return 0;
    if ((sqlite3_extended_errcode(c->db) & 0xff) == SQLITE_CONSTRAINT) {
        /* An unknown monitor: this entry can never be written. */
        log_error("store: dropping result of unknown monitor %lld: %s", (long long)r->monitor_id,
                  sqlite3_errmsg(c->db));
        return 1;
    }
    return store_db_fail(c, err, "writing result");
}

/* ---- rollups ------------------------------------------------------------------ */

int store_hist_rollup_one(struct conn *c, int64_t monitor_id, ms_t hour, struct yw_err *err)
{
    assert(hour % MS_PER_H == 0);
    sqlite3_stmt *st = store_stmt_get(c, STMT_RES_HOUR, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, monitor_id);
    store_bind_i64(st, 2, hour);
    store_bind_i64(st, 3, hour + MS_PER_H);
    int64_t *lat = NULL;
    size_t n = 0, cap = 0;
    int64_t failures = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(lat, cap, n + 1);
        if (!sqlite3_column_int(st, 0))
            failures++;
        lat[n++] = sqlite3_column_int64(st, 1); /* ascending: ORDER BY latency */
    }
    store_stmt_done(st);
    if (rc != SQLITE_DONE) {
        xfree(lat);
        return store_db_fail(c, err, "reading results");
    }
    if (n == 0) {
        st = store_stmt_get(c, STMT_RU_DELETE, err);
        if (!st)
            return -1;
        store_bind_i64(st, 1, monitor_id);
        store_bind_i64(st, 2, hour);
        return step_done(c, st, "writing rollup", err);
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += (double)lat[i];
    /* Nearest rank in integers: ceil(0.95 n) without 0.95's binary error. */
    size_t rank = (95 * n + 99) / 100;
    assert(rank >= 1 && rank <= n);

    st = store_stmt_get(c, STMT_RU_UPSERT, err);
    if (!st) {
        xfree(lat);
        return -1;
    }
    store_bind_i64(st, 1, monitor_id);
    store_bind_i64(st, 2, hour);
    store_bind_i64(st, 3, (int64_t)n);
    store_bind_i64(st, 4, failures);
    sqlite3_bind_double(st, 5, (double)lat[0]);
    sqlite3_bind_double(st, 6, sum / (double)n);
    sqlite3_bind_double(st, 7, (double)lat[rank - 1]);
    sqlite3_bind_double(st, 8, (double)lat[n - 1]);
    xfree(lat);
    return step_done(c, st, "writing rollup", err);
}

int store_hist_next_result(struct conn *c, ms_t from, ms_t *ts, bool *found, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_RES_NEXT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, from);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (*found)
        *ts = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return rc == SQLITE_ROW ? 0 : store_db_fail(c, err, "reading results");
}

int store_hist_rollup_start(struct conn *c, ms_t *hour, bool *found, struct yw_err *err)
{
    int64_t done;
    if (store_meta_get(c, "rollup_done_until", &done, found, err))
        return -1;
    if (*found) {
        *hour = done;
        return 0;
    }
    ms_t first;
    if (store_hist_next_result(c, INT64_MIN, &first, found, err))
        return -1;
    if (*found)
        *hour = store_hour_floor(first);
    return 0;
}

/* Up to STORE_CHUNK monitor ids after `after`, every monitor ever (deleted
 * ones keep results until they are pruned). */
static int monitor_ids(struct conn *c, int64_t after, int64_t *ids, size_t *n, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_MON_IDS_AFTER, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, after);
    store_bind_i64(st, 2, STORE_CHUNK);
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < STORE_CHUNK)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_db_fail(c, err, "reading monitors");
}

int store_hist_rollup_chunk(struct conn *c, ms_t hour, int64_t *after_id, bool *done,
                            struct yw_err *err)
{
    int64_t ids[STORE_CHUNK];
    size_t n = 0;
    if (store_tx_begin(c, err))
        return -1;
    int rc = monitor_ids(c, *after_id, ids, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = store_hist_rollup_one(c, ids[i], hour, err);
    bool last = n < STORE_CHUNK;
    if (rc == 0 && last)
        rc = store_meta_set_max(c, "rollup_done_until", hour + MS_PER_H, err);
    if (store_tx_end(c, rc, err))
        return -1;
    if (n)
        *after_id = ids[n - 1];
    *done = last;
    return 0;
}

int store_hist_prune_chunk(struct conn *c, ms_t cutoff, int64_t *after_id, bool *done,
                           struct yw_err *err)
{
    int64_t ids[STORE_CHUNK];
    size_t n = 0;
    if (store_tx_begin(c, err))
        return -1;
    int rc = monitor_ids(c, *after_id, ids, &n, err);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_RES_PRUNE, err);
        if (!st) {
            rc = -1;
            break;
        }
        store_bind_i64(st, 1, ids[i]);
        store_bind_i64(st, 2, cutoff);
        rc = step_done(c, st, "pruning results", err);
    }
    if (store_tx_end(c, rc, err))
        return -1;
    if (n)
        *after_id = ids[n - 1];
    *done = n < STORE_CHUNK;
    return 0;
}

/* ---- the rollup and prune jobs: bounded steps, shared by the writer and the
 * synchronous calls ------------------------------------------------------------ */

void store_hist_rollup_job_init(struct rollup_job *j, ms_t target)
{
    memset(j, 0, sizeof *j);
    j->target = target;
    j->state = RJ_START;
}

int store_hist_rollup_step(struct store *S, struct conn *c, struct rollup_job *j,
                           struct yw_err *err)
{
    bool found;
    switch (j->state) {
    case RJ_IDLE:
        return 0;
    case RJ_START:
        if (store_hist_rollup_start(c, &j->hour, &found, err))
            return -1;
        j->state = found && j->hour < j->target ? RJ_HOUR : RJ_IDLE;
        return 0;
    case RJ_HOUR: {
        /* Publish the frontier before reading: results committed from now on
         * with an older timestamp are re-rolled by the writer itself. */
        atomic_max(&S->rollup_hi, j->hour + MS_PER_H);
        ms_t next;
        if (store_hist_next_result(c, j->hour, &next, &found, err))
            return -1;
        if (!found || next >= j->target) {
            /* Nothing more to roll up below target: skip to it. */
            atomic_max(&S->rollup_hi, j->target);
            if (store_meta_set_max(c, "rollup_done_until", j->target, err))
                return -1;
            j->state = RJ_IDLE;
            return 0;
        }
        if (store_hour_floor(next) > j->hour) {
            j->hour = store_hour_floor(next); /* skip hours without results */
            atomic_max(&S->rollup_hi, j->hour + MS_PER_H);
        }
        j->after = 0;
        j->state = RJ_CHUNK;
        return 0;
    }
    case RJ_CHUNK: {
        bool done;
        if (store_hist_rollup_chunk(c, j->hour, &j->after, &done, err))
            return -1;
        if (done) {
            j->hour += MS_PER_H;
            j->state = j->hour < j->target ? RJ_HOUR : RJ_IDLE;
        }
        return 0;
    }
    }
    return 0;
}

int store_hist_prune_begin(struct store *S, struct conn *c, ms_t now, struct prune_job *j,
                           struct yw_err *err)
{
    memset(j, 0, sizeof *j);
    int64_t done;
    bool found;
    if (store_meta_get(c, "rollup_done_until", &done, &found, err))
        return -1;
    if (!found)
        return 0; /* nothing rolled up yet: nothing may go */
    ms_t cutoff = now - (ms_t)atomic_load(&S->retention_days) * MS_PER_DAY;
    j->cutoff = cutoff < done ? cutoff : done;
    /* Before deleting: the writer must not re-roll an hour being pruned (and
     * neither must the next process). */
    atomic_max(&S->prune_floor, j->cutoff);
    if (store_meta_set_max(c, "pruned_until", j->cutoff, err))
        return -1;
    j->active = true;
    return 0;
}

int store_hist_prune_step(struct conn *c, struct prune_job *j, struct yw_err *err)
{
    if (!j->active)
        return 0;
    bool done;
    if (store_hist_prune_chunk(c, j->cutoff, &j->after, &done, err))
        return -1;
    if (done)
        j->active = false;
    return 0;
}

/* ---- synchronous reads and jobs -------------------------------------------------- */

int store_rollup_pending(struct store *S, ms_t now, struct yw_err *err)
{
    struct rollup_job j;
    store_hist_rollup_job_init(&j, store_hour_floor(now));
    struct conn *c = store_pool_get(S);
    int rc = 0;
    while (rc == 0 && j.state != RJ_IDLE)
        rc = store_hist_rollup_step(S, c, &j, err);
    store_pool_put(S, c);
    return rc;
}

int store_prune(struct store *S, ms_t now, struct yw_err *err)
{
    ms_t cutoff = now - (ms_t)atomic_load(&S->retention_days) * MS_PER_DAY;
    /* Every hour the cutoff touches is rolled up first (retention is at least
     * a day, so those hours have ended), then only rolled-up data goes. */
    struct rollup_job rj;
    store_hist_rollup_job_init(&rj, store_hour_floor(cutoff) + MS_PER_H);
    struct conn *c = store_pool_get(S);
    int rc = 0;
    while (rc == 0 && rj.state != RJ_IDLE)
        rc = store_hist_rollup_step(S, c, &rj, err);
    struct prune_job pj;
    if (rc == 0)
        rc = store_hist_prune_begin(S, c, now, &pj, err);
    while (rc == 0 && pj.active)
        rc = store_hist_prune_step(c, &pj, err);
    store_pool_put(S, c);
    return rc;
}

int store_results(struct store *S, int64_t monitor_id, int64_t before_id, size_t limit,
                  struct result_row **rows, size_t *n, struct yw_err *err)
{
    if (limit == 0 || limit > STORE_RESULTS_LIMIT)
        return yw_fail_field(err, YW_EINVAL, "limit", "limit must be 1..%d", STORE_RESULTS_LIMIT);
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_RES_PAGE, err);
    if (!st) {
        store_pool_put(S, c);
        return -1;
    }
    store_bind_i64(st, 1, monitor_id);
    store_bind_i64(st, 2, before_id > 0 ? before_id : INT64_MAX);
    store_bind_i64(st, 3, (int64_t)limit);
    struct result_row *arr = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(arr, cap, len + 1);
        struct result_row *r = &arr[len++];
        r->id = sqlite3_column_int64(st, 0);
        r->monitor_id = sqlite3_column_int64(st, 1);
        r->ts = sqlite3_column_int64(st, 2);
        r->ok = sqlite3_column_int(st, 3) != 0;
        r->latency = sqlite3_column_int64(st, 4);
        r->status = sqlite3_column_int(st, 5);
        r->value = sqlite3_column_double(st, 6);
        store_utf8_copy(r->detail, sizeof r->detail, (const char *)sqlite3_column_text(st, 7));
    }
    store_stmt_done(st);
    int result = rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "reading results");
    store_pool_put(S, c);
    if (result) {
        xfree(arr);
        return -1;
    }
    *rows = arr;
    *n = len;
    return 0;
}

void store_interval_rows_free(struct interval_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        xfree(rows[i].reason);
    xfree(rows);
}

int store_intervals(struct store *S, int64_t monitor_id, ms_t from, ms_t to, size_t limit,
                    struct interval_row **rows, size_t *n, struct yw_err *err)
{
    if (to <= from) {
        *rows = NULL;
        *n = 0;
        return 0;
    }
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, monitor_id ? STMT_IV_RANGE_MON : STMT_IV_RANGE_ALL, err);
    if (!st) {
        store_pool_put(S, c);
        return -1;
    }
    if (monitor_id)
        store_bind_i64(st, 1, monitor_id);
    store_bind_i64(st, 2, from);
    store_bind_i64(st, 3, to);
    store_bind_i64(st, 4, limit ? (int64_t)(limit > INT64_MAX ? INT64_MAX : limit) : -1);
    struct interval_row *arr = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(arr, cap, len + 1);
        struct interval_row *r = &arr[len++];
        r->id = sqlite3_column_int64(st, 0);
        r->monitor_id = sqlite3_column_int64(st, 1);
        r->state = store_state_from_text((const char *)sqlite3_column_text(st, 2));
        r->start = sqlite3_column_int64(st, 3);
        r->end = sqlite3_column_type(st, 4) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 4);
        r->reason = store_col_dup(st, 5);
    }
    store_stmt_done(st);
    int result = rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "reading intervals");
    store_pool_put(S, c);
    if (result) {
        store_interval_rows_free(arr, len);
        return -1;
    }
    *rows = arr;
    *n = len;
    return 0;
}

int store_rollups(struct store *S, int64_t monitor_id, ms_t from, ms_t to, struct rollup_row **rows,
                  size_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_RU_RANGE, err);
    if (!st) {
        store_pool_put(S, c);
        return -1;
    }
    /* Every hour that overlaps [from, to). */
    store_bind_i64(st, 1, monitor_id);
    store_bind_i64(st, 2, store_hour_floor(from));
    store_bind_i64(st, 3, to);
    struct rollup_row *arr = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(arr, cap, len + 1);
        struct rollup_row *r = &arr[len++];
        r->monitor_id = sqlite3_column_int64(st, 0);
        r->hour = sqlite3_column_int64(st, 1);
        r->checks = sqlite3_column_int64(st, 2);
        r->failures = sqlite3_column_int64(st, 3);
        r->lat_min = sqlite3_column_double(st, 4);
        r->lat_avg = sqlite3_column_double(st, 5);
        r->lat_p95 = sqlite3_column_double(st, 6);
        r->lat_max = sqlite3_column_double(st, 7);
    }
    store_stmt_done(st);
    int result = rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "reading rollups");
    store_pool_put(S, c);
    if (result) {
        xfree(arr);
        return -1;
    }
    *rows = arr;
    *n = len;
    return 0;
}
