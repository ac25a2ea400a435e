/*
 * store_int — what the store's files share and nobody else sees.
 *
 * A struct conn is one SQLite connection with its cache of prepared
 * statements (prepared on first use, reset after every use). A connection is
 * used by one thread at a time: the writer thread owns S->wconn; every other
 * caller borrows one from the pool with store_pool_get/store_pool_put.
 *
 * All SQL text lives in stmts.h (one place per query); code names a statement
 * by its STMT_ id and binds parameters; nothing is ever formatted into SQL.
 *
 * Every non-static name starts with store_ (they are global symbols of
 * libyw); the public ones are in store.h, the rest here.
 */
#ifndef YW_STORE_STORE_INT_H
#define YW_STORE_STORE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/audit.h"
#include "auth/secret.h"
#include "store/store.h"

#define STORE_POOL 4              /* connections for synchronous calls */
#define STORE_BUSY_MS 5000        /* SQLite busy timeout */
#define STORE_COMMIT_MS 200       /* the writer commits at least this often */
#define STORE_ALIVE_MS 1000       /* and records last_alive at least this often */
#define STORE_BATCH_NOW 5000      /* queued entries that make it commit at once */
#define STORE_BATCH_MAX 20000     /* entries in one writer transaction */
#define STORE_REASON_MAX 256      /* bytes of a transition's reason kept */
#define STORE_RESULTS_LIMIT 10000 /* rows one store_results call may ask for */
#define STORE_SEARCH_MAX 200
#define STORE_CHUNK 200           /* monitors per rollup/prune transaction */
/* Results still in flight when an hour ends: the writer rolls an hour up
 * this long after it ended (later ones re-roll it as they arrive). */
#define STORE_ROLLUP_GRACE (5 * MS_PER_MIN)
#define STORE_TOKEN_LEN 24

#include "store/stmts.h"

/* Migration steps kept beside the code that uses their tables. */
extern const char store_mig_calendar[];
extern const char store_mig_incidents[];
extern const char store_mig_notify[];

enum stmt_id {
#define X_ENUM(id, sql) id,
    STORE_STMTS(X_ENUM)
#undef X_ENUM
    STMT__COUNT
};

struct conn {
    sqlite3 *db;
    sqlite3_stmt *st[STMT__COUNT];
    const struct secret_key *key; /* the store's secret key: specs with secrets are sealed */
};

/* ---- the writer's queue ------------------------------------------------- */
struct qres {
    int64_t seq, monitor_id;
    ms_t ts, latency;
    double value;
    int status;
    bool ok;
    char *detail;
};

struct qtr {
    int64_t seq, monitor_id;
    ms_t at;
    enum mstate state;
    char *reason; /* may be NULL */
};

/* A FIFO of fixed-size elements in blocks of QBLOCK: growing never copies
 * what is queued (a put never waits on a big copy, even with a million
 * entries backed up), drained blocks are freed at once, and the writer
 * takes a batch, or puts a failed one back in front, by moving blocks. */
#define QBLOCK 1024
struct qblock;
struct deque {
    struct qblock *head, *tail;
    size_t elem, len;
};

struct store {
    char *dir, *path;
    int lock_fd;

    struct conn pool[STORE_POOL];
    bool pool_busy[STORE_POOL];
    pthread_mutex_t pool_mu;
    pthread_cond_t pool_cv;

    /* Shared with the writer thread under q_mu. */
    pthread_mutex_t q_mu;
    pthread_cond_t q_cv;    /* wakes the writer */
    pthread_cond_t done_cv; /* wakes store_flush callers */
    struct deque qres, qtr;
    size_t inflight;   /* entries the writer holds in a batch */
    int64_t seq_in;    /* last sequence number handed out */
    int64_t seq_done;  /* everything <= this is committed (or dropped) */
    uint64_t fail_gen; /* bumped at every failed commit */
    struct yw_err last_fail;
    int flush_waiters;
    bool stop, writer_exited;
    size_t queue_max;
    uint64_t dropped;
    bool background; /* hourly rollups and pruning (tests turn it off) */

    /* Written by the writer (or a synchronous rollup/prune), read anywhere. */
    struct conn wconn; /* the writer thread's own connection */
    pthread_t writer;
    bool writer_started;
    _Atomic int retention_days;
    _Atomic int64_t rollup_hi;   /* rollups were (being) computed below this hour end */
    _Atomic int64_t prune_floor; /* raw results before this may have been pruned */
    atomic_bool fault;           /* test hook: every writer commit fails */
    /* Whether commits record last_alive. Not while a previous process's open
     * intervals await store_recover: a process that dies (or exits) before
     * recovering must not move the instant they will be closed at, or the
     * time nobody watched would be counted in their state. */
    atomic_bool alive_armed;

    bool have_prev_alive; /* last_alive of the previous process, read at open */
    ms_t prev_alive;
    bool recovered; /* store_recover has run */

    /* Accounts and the audit trail (auth_*.c). The keys are loaded once at
     * open and only read afterwards; audit_mu makes this process's appends
     * one at a time (other processes are kept in line by the database's
     * write lock and the anchor's flock). */
    bool shared; /* store_open_shared: no lock file, no writer thread */
    char *keys_dir;
    bool keys_loaded;
    struct secret_key secret;
    uint8_t audit_key[AUDIT_KEY_BYTES];
    pthread_mutex_t audit_mu;
};

/* ---- sqlite.c: connections, statements, transactions -------------------- */
int store_conn_open(struct conn *c, const char *path, struct yw_err *err);
void store_conn_close(struct conn *c);
/* The cached statement, prepared on first use; NULL with err on failure. */
sqlite3_stmt *store_stmt_get(struct conn *c, enum stmt_id id, struct yw_err *err);
/* Resets and clears bindings, ready for the next use. */
void store_stmt_done(sqlite3_stmt *st);
/* -1 with err (YW_EIO, or YW_ECONFLICT for a uniqueness violation) naming
 * what was being done and SQLite's message. */
int store_db_fail(struct conn *c, struct yw_err *err, const char *what);
/* Runs a statement that returns no rows; binds nothing (BEGIN, COMMIT…). */
int store_stmt_exec(struct conn *c, enum stmt_id id, struct yw_err *err);
/* BEGIN IMMEDIATE: every write transaction takes the write lock up front, so
 * waiting for it happens here, under the busy timeout, never mid-way. */
int store_tx_begin(struct conn *c, struct yw_err *err);
/* rc 0: commits (and returns its outcome); rc -1: rolls back and returns -1. */
int store_tx_end(struct conn *c, int rc, struct yw_err *err);
void store_tx_rollback(struct conn *c);

void store_bind_text(sqlite3_stmt *st, int i, const char *s); /* NULL binds NULL */
void store_bind_i64(sqlite3_stmt *st, int i, int64_t v);
char *store_col_dup(sqlite3_stmt *st, int i); /* NULL for NULL */

struct conn *store_pool_get(struct store *S);
void store_pool_put(struct store *S, struct conn *c);

/* Meta values are integers. found is false (and *out untouched) if unset. */
int store_meta_get(struct conn *c, const char *key, int64_t *out, bool *found, struct yw_err *err);
int store_meta_set(struct conn *c, const char *key, int64_t v, struct yw_err *err);
int store_meta_set_max(struct conn *c, const char *key, int64_t v, struct yw_err *err);

/* The stored text of a state and back (the names of kpi/avail). */
const char *store_state_text(enum mstate s);
enum mstate store_state_from_text(const char *s);
/* Copies at most max-1 bytes of s into a NUL-terminated string, never
 * cutting a UTF-8 sequence in half. */
void store_utf8_copy(char *dst, size_t max, const char *s);
char *store_utf8_dup(const char *s, size_t max);

/* ---- migrations.c ------------------------------------------------------- */
int store_migrate(struct conn *c, struct yw_err *err);

/* ---- writer.c ------------------------------------------------------------ */
int store_writer_start(struct store *S, struct yw_err *err);
void store_writer_stop(struct store *S);
void store_queue_init(struct store *S);
void store_queue_free(struct store *S);

/* ---- history.c (also used by the writer) --------------------------------- */
/* Applies one queued transition inside the caller's transaction. */
int store_hist_transition(struct conn *c, const struct qtr *t, struct yw_err *err);
int store_hist_insert_result(struct conn *c, const struct qres *r, struct yw_err *err);
/* Recomputes (or removes) the rollup of one monitor and hour. */
int store_hist_rollup_one(struct conn *c, int64_t monitor_id, ms_t hour, struct yw_err *err);
/* Where hourly rollups should start: the hour after the last one done, or
 * the hour of the oldest result; *found false when there is nothing to do. */
int store_hist_rollup_start(struct conn *c, ms_t *hour, bool *found, struct yw_err *err);
/* The earliest result at or after `from` (any monitor); *found false if none. */
int store_hist_next_result(struct conn *c, ms_t from, ms_t *ts, bool *found, struct yw_err *err);
/* One transaction: rollups of `hour` for up to STORE_CHUNK monitors after
 * *after_id; on the last chunk records rollup_done_until and sets *done. */
int store_hist_rollup_chunk(struct conn *c, ms_t hour, int64_t *after_id, bool *done,
                            struct yw_err *err);
/* One transaction: deletes results before cutoff for up to STORE_CHUNK
 * monitors after *after_id; *done after the last monitor. */
int store_hist_prune_chunk(struct conn *c, ms_t cutoff, int64_t *after_id, bool *done,
                           struct yw_err *err);
ms_t store_hour_floor(ms_t t);

/* Rolling up every hour from where the last run stopped to `target`, and
 * pruning, as jobs of bounded steps (one short transaction each), so the
 * writer can interleave them with its commits. */
enum rj_state { RJ_IDLE, RJ_START, RJ_HOUR, RJ_CHUNK };
struct rollup_job {
    enum rj_state state;
    ms_t hour, target;
    int64_t after;
};
struct prune_job {
    bool active;
    ms_t cutoff;
    int64_t after;
};
void store_hist_rollup_job_init(struct rollup_job *j, ms_t target);
int store_hist_rollup_step(struct store *S, struct conn *c, struct rollup_job *j,
                           struct yw_err *err);
/* Sets up pruning below now - retention, but never below what is rolled up. */
int store_hist_prune_begin(struct store *S, struct conn *c, ms_t now, struct prune_job *j,
                           struct yw_err *err);
int store_hist_prune_step(struct conn *c, struct prune_job *j, struct yw_err *err);

/* ---- objects.c (also used by sync.c) --------------------------------------- */
/* Each runs inside the caller's write transaction. `force` lets the config
 * sync change provisioned objects. */
int store_obj_system_put(struct conn *c, int64_t id, const struct system_spec *spec,
                         bool provisioned, bool force, ms_t now, int64_t *out_id,
                         struct yw_err *err);
int store_obj_system_delete(struct conn *c, int64_t id, bool force, ms_t now, struct yw_err *err);
/* paused: 0/1 sets the operational flag, -1 takes spec->paused, -2 keeps the
 * current one (updates only). */
int store_obj_monitor_put(struct conn *c, int64_t id, const struct monitor_spec *spec,
                          bool provisioned, bool force, int paused, ms_t now, int64_t *out_id,
                          struct yw_err *err);
int store_obj_monitor_delete(struct conn *c, int64_t id, bool force, ms_t now, struct yw_err *err);
int store_obj_maint_put(struct conn *c, int64_t id, const struct maint_spec *spec, bool provisioned,
                        bool force, ms_t now, int64_t *out_id, struct yw_err *err);
int store_obj_maint_delete(struct conn *c, int64_t id, bool force, ms_t now, struct yw_err *err);
/* Stored canonical JSON of a live object by name: id, provisioned flag and the
 * text (malloc'd); *found false if there is none. */
int store_obj_find(struct conn *c, enum stmt_id by_name, const char *name, int64_t *id,
                   bool *provisioned, char **spec_json, bool *found, struct yw_err *err);
/* Canonical text of a spec as stored (sorted keys, compact). */
char *store_obj_system_json(const struct system_spec *s);
char *store_obj_monitor_json(const struct monitor_spec *m);
char *store_obj_maint_json(const struct maint_spec *w);
/* The monitor's declared spec from its stored text (paused as declared). */
int store_obj_monitor_parse(const char *json, struct monitor_spec *out, struct yw_err *err);
/* Monitor specs with a secret are sealed at rest (objects.c). */
char *store_obj_spec_seal(const struct conn *c, const struct monitor_spec *m, const char *json);
char *store_obj_spec_open(const struct conn *c, const char *stored, struct yw_err *err);
/* Fills a heartbeat token from getrandom(2): len url-safe chars. */
int store_obj_random_token(char *out, size_t len, struct yw_err *err);

/* ---- auth_keys.c: keys and the audit anchor ------------------------------- */
void store_auth_init(struct store *S);
/* Wipes the keys; S->audit_mu is destroyed. */
void store_auth_free(struct store *S);
/* The anchor file: the last record's seq and mac as "SEQ MAC\n". */
struct store_anchor {
    bool found; /* false: no anchor file */
    int64_t seq;
    char mac[AUDIT_MAC_HEX];
};
char *store_anchor_path(const struct store *S); /* malloc'd */
/* -1 with err (YW_EIO) when the file exists but cannot be read or parsed. */
int store_anchor_read(const struct store *S, struct store_anchor *a, struct yw_err *err);
/* Rewrites the anchor with (seq, mac) unless it already names a later
 * record (another process appended after us), under an flock so processes
 * never interleave: write a temporary file, fsync, rename, fsync the
 * directory. */
/* Moves the anchor to (seq, mac), the record just appended after (prev_seq,
 * prev_mac). Refuses (-1, anchor unchanged) when the anchor disagrees with
 * the trail: it names a record at or past seq, or names prev_seq with
 * another mac. Records removed from the end and then covered by new appends
 * stay detectable that way. */
int store_anchor_advance(const struct store *S, int64_t prev_seq, const char *prev_mac,
                         int64_t seq, const char *mac, struct yw_err *err);

/* ---- auth_common.c: helpers of the auth_*.c files and notify.c ------------ */
typedef int (*store_decode_fn)(sqlite3_stmt *st, void *row, struct yw_err *err);
typedef void (*store_release_fn)(void *row);
/* Steps a bound statement, decoding every row into a growing array of elem
 * bytes each (zeroed before decoding). On failure frees what it built and leaves *rows and *n
 * untouched. Resets the statement either way. */
int store_rows_read(struct conn *c, sqlite3_stmt *st, size_t elem, store_decode_fn decode,
                    store_release_fn release, void **rows, size_t *n, struct yw_err *err);
/* Reads exactly one row (at most STORE_ROW_MAX bytes) of a bound statement;
 * YW_ENOTFOUND with `missing` when there is none. *row is written only on
 * success (a row that fails to decode is released). Resets the statement. */
#define STORE_ROW_MAX 1024
int store_row_read_one(struct conn *c, sqlite3_stmt *st, size_t elem, store_decode_fn decode,
                       store_release_fn release, void *row, const char *missing,
                       struct yw_err *err);
/* The same where no row is an answer: *found says whether there was one. */
int store_row_find(struct conn *c, sqlite3_stmt *st, size_t elem, store_decode_fn decode,
                   store_release_fn release, void *row, bool *found, struct yw_err *err);
/* Steps a bound statement that returns no rows, then resets it. */
int store_step_done(struct conn *c, sqlite3_stmt *st, const char *what, struct yw_err *err);
/* Like store_step_done, and YW_ENOTFOUND with `missing` when no row changed. */
int store_step_changed(struct conn *c, sqlite3_stmt *st, const char *what, const char *missing,
                       struct yw_err *err);
/* Runs fn in one write transaction (BEGIN IMMEDIATE) on a pooled connection. */
typedef int (*store_write_fn)(struct conn *c, void *arg, ms_t now, struct yw_err *err);
int store_write_tx(struct store *S, store_write_fn fn, void *arg, struct yw_err *err);

/* ---- test hooks (tests/unit/store only) ---------------------------------- */
/* Every writer commit fails with YW_EIO while on (after doing all its work,
 * so the rollback path runs), as a full disk would. */
void store_test_fault(struct store *S, bool on);
void store_test_queue_max(struct store *S, size_t max);
void store_test_background(struct store *S, bool on);
bool store_test_prev_alive(struct store *S, ms_t *out);

#endif
