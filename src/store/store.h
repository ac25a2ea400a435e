/*
 * store — everything yunwei keeps, and the only place with SQL.
 *
 * Embedded default: one SQLite file, DIR/yunwei.db, in WAL mode; the schema is
 * created and upgraded by numbered migrations (store/migrations.c). Every
 * query is a prepared statement. The interface below names no SQLite type, so
 * a PostgreSQL backend can implement it later.
 *
 * Threads: a struct store is shared by every thread. Reads and API writes
 * run synchronously on a small pool of connections (one caller at a time per
 * connection, busy timeout 5 s). The probe loop's writes (results, state
 * transitions) are queued with store_put_* — which never touch the disk and
 * never block on it — and committed in batches by the store's own writer
 * thread (at least every 200 ms). A state transition is durable once
 * committed; the API only reports what is committed, so a killed process
 * never loses an interval the API has shown. If the database fails, queued
 * writes stay queued and are retried (results are dropped first, oldest
 * first, past STORE_QUEUE_MAX; transitions never).
 *
 * Kept: raw results for retention_days (default 30, pruned hourly); state
 * intervals forever; hourly rollups (checks, failures, latency min/avg/p95/max)
 * forever, computed by the writer thread from raw results when an hour ends.
 * Deleted systems, monitors and windows are soft-deleted: their history stays.
 *
 * Every function returning int returns 0, or -1 with err filled (code
 * YW_ENOTFOUND, YW_ECONFLICT, YW_EINVAL or YW_EIO) and nothing changed.
 * Row arrays returned are malloc'd; free them with the matching *_free
 * (result_row and rollup_row hold no pointers: plain free()).
 */
#ifndef YW_STORE_STORE_H
#define YW_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/model.h"
#include "kpi/avail.h"
#include "probe/probe.h"

#define STORE_QUEUE_MAX 1000000

struct store;

/* Creates DIR if missing, takes DIR/yunwei.lock (one such process per
 * directory), opens DIR/yunwei.db, runs migrations, loads the keys
 * (store_auth_keys), starts the writer thread. NULL with err on failure. */
struct store *store_open(const char *dir, struct yw_err *err);
/* For short-lived commands (`yunwei user`, `token`, `audit`) that run while
 * `serve` holds DIR: opens the same database (running migrations and
 * loading the keys like store_open) without taking DIR/yunwei.lock and
 * without a writer thread, so it never records last_alive, rolls up or
 * prunes. Only the synchronous calls are for it: store_put_* must not be
 * used (nothing would write them; store_flush then fails), store_recover
 * refuses (YW_EINVAL), store_rollup_pending and store_prune are the
 * server's. Writes wait for the server's (busy timeout 5 s). NULL with err
 * on failure. */
struct store *store_open_shared(const char *dir, struct yw_err *err);
/* Flushes the queue, stops the writer, closes. NULL is a no-op. */
void store_close(struct store *S);
void store_set_retention(struct store *S, int days);

/* ---- crash recovery ---------------------------------------------------- */
/* To be called once at start, before the engine runs: closes every open state
 * interval at the last instant the previous process was known alive (the
 * writer records it at every commit and at least once a second) and records
 * [that instant, now) as no_data with reason "yunwei not running".
 * Until it has run, a store opened over such intervals does not record
 * being alive, so a process that exits or dies before recovering moves
 * nothing. Later calls do nothing. */
int store_recover(struct store *S, ms_t now, struct yw_err *err);

/* ---- queued writes from the probe loop (never block, never fail) -------- */
void store_put_result(struct store *S, int64_t monitor_id, const struct probe_result *r);
/* Closes the monitor's open interval at `at` and opens one in `state` from
 * `at`. reason: short text ("HTTP 503", "maintenance weekly-patch") or NULL. */
void store_put_transition(struct store *S, int64_t monitor_id, enum mstate state, ms_t at,
                          const char *reason);
/* Blocks until everything queued before the call is committed (or the
 * database failed: -1). For shutdown and tests. */
int store_flush(struct store *S, struct yw_err *err);
/* Entries waiting (for /metrics). */
size_t store_queue_len(struct store *S);

/* ---- rows ----------------------------------------------------------------- */
struct system_row {
    int64_t id;
    struct system_spec spec;
    ms_t created, updated;
};

struct monitor_row {
    int64_t id;
    int64_t system_id;
    struct monitor_spec spec;  /* spec.system holds the system's name */
    ms_t created, updated;
    enum mstate state;         /* state of the open interval (ST_NODATA if none) */
    ms_t state_since;          /* its start, 0 if none */
    char *state_reason;        /* may be NULL */
};

struct maint_row {
    int64_t id;
    struct maint_spec spec;
    ms_t created, updated;
};

struct result_row {
    int64_t id;
    int64_t monitor_id;
    ms_t ts;                   /* probe_result.started */
    bool ok;
    ms_t latency;
    int status;
    double value;
    char detail[PROBE_DETAIL_MAX];
};

struct interval_row {
    int64_t id;
    int64_t monitor_id;
    enum mstate state;
    ms_t start, end;           /* end 0 = still open */
    char *reason;              /* may be NULL */
};

struct rollup_row {
    int64_t monitor_id;
    ms_t hour;                 /* start of the hour, UTC-aligned */
    int64_t checks, failures;
    double lat_min, lat_avg, lat_p95, lat_max; /* ms, over all checks of the hour */
};

void store_system_rows_free(struct system_row *rows, size_t n);
void store_monitor_rows_free(struct monitor_row *rows, size_t n);
void store_maint_rows_free(struct maint_row *rows, size_t n);
void store_interval_rows_free(struct interval_row *rows, size_t n);
void store_monitor_row_release(struct monitor_row *row);
void store_system_row_release(struct system_row *row);
void store_maint_row_release(struct maint_row *row);

/* ---- systems ------------------------------------------------------------ */
int store_system_list(struct store *S, struct system_row **rows, size_t *n, struct yw_err *err);
/* By id, or by name when id is 0. */
int store_system_get(struct store *S, int64_t id, const char *name, struct system_row *row,
                     struct yw_err *err);
int store_system_create(struct store *S, const struct system_spec *spec, int64_t *id,
                        struct yw_err *err);
/* Provisioned systems refuse update/delete through these (YW_ECONFLICT) unless
 * the call comes from store_sync_config. Delete refuses while live monitors
 * belong to the system. Windows name what they cover, so renaming or deleting
 * a system (or monitor) a live maintenance window names is refused too
 * (YW_ECONFLICT naming the window): it would silently turn planned downtime
 * into outage. */
int store_system_update(struct store *S, int64_t id, const struct system_spec *spec,
                        struct yw_err *err);
int store_system_delete(struct store *S, int64_t id, struct yw_err *err);

/* ---- monitors ----------------------------------------------------------- */
struct monitor_filter {
    int64_t system_id;         /* 0 = any */
    int type;                  /* -1 = any, else enum monitor_type */
    const char *search;        /* substring of name or title; NULL = any */
};
#define MONITOR_FILTER_ALL {0, -1, NULL}

int store_monitor_list(struct store *S, const struct monitor_filter *f, struct monitor_row **rows,
                       size_t *n, struct yw_err *err);
/* The same rows without reading the specs: only spec.name, title, type,
 * system, critical, paused and provisioned are filled (and the row's ids,
 * times and state). For status walls and system states: with 10,000
 * monitors it reads in a fraction of store_monitor_list's time. */
int store_monitor_list_brief(struct store *S, const struct monitor_filter *f,
                             struct monitor_row **rows, size_t *n, struct yw_err *err);
int store_monitor_get(struct store *S, int64_t id, const char *name, struct monitor_row *row,
                      struct yw_err *err);
int store_monitor_by_token(struct store *S, const char *token, struct monitor_row *row,
                           struct yw_err *err);
/* The system named in spec->system must exist (YW_EINVAL naming "system"
 * otherwise); a heartbeat without a token gets a generated one. */
int store_monitor_create(struct store *S, const struct monitor_spec *spec, int64_t *id,
                         struct yw_err *err);
/* A replace: paused follows spec->paused; a heartbeat spec without a token
 * keeps the monitor's token. */
int store_monitor_update(struct store *S, int64_t id, const struct monitor_spec *spec,
                         struct yw_err *err);
int store_monitor_delete(struct store *S, int64_t id, struct yw_err *err);
int store_monitor_set_paused(struct store *S, int64_t id, bool paused, struct yw_err *err);

/* ---- maintenance windows ------------------------------------------------ */
int store_maint_list(struct store *S, struct maint_row **rows, size_t *n, struct yw_err *err);
int store_maint_get(struct store *S, int64_t id, const char *name, struct maint_row *row,
                    struct yw_err *err);
/* Referenced systems and monitors must exist (YW_EINVAL naming the field). */
int store_maint_create(struct store *S, const struct maint_spec *spec, int64_t *id,
                       struct yw_err *err);
int store_maint_update(struct store *S, int64_t id, const struct maint_spec *spec,
                       struct yw_err *err);
int store_maint_delete(struct store *S, int64_t id, struct yw_err *err);

/* ---- provisioning ------------------------------------------------------- */
/* Makes the provisioned objects match the config, in one transaction, by
 * name: creates new ones, updates changed ones, soft-deletes provisioned ones
 * no longer declared. An object created through the API with a name the file
 * now declares is a conflict (YW_ECONFLICT naming it): nothing changes. */
int store_sync_config(struct store *S, const struct config *c, struct yw_err *err);

/* ---- history -------------------------------------------------------------- */
/* Newest first. Cursor: results with id < before_id (0 = from the newest). */
int store_results(struct store *S, int64_t monitor_id, int64_t before_id, size_t limit,
                  struct result_row **rows, size_t *n, struct yw_err *err);
/* Intervals overlapping [from, to), oldest first; monitor_id 0 = all monitors.
 * Open intervals have end 0. At most limit rows (0 = no limit). */
int store_intervals(struct store *S, int64_t monitor_id, ms_t from, ms_t to, size_t limit,
                    struct interval_row **rows, size_t *n, struct yw_err *err);
int store_rollups(struct store *S, int64_t monitor_id, ms_t from, ms_t to,
                  struct rollup_row **rows, size_t *n, struct yw_err *err);
/* Computes the rollups of every hour that ended before `now` and has none
 * (the writer does this on its own; exposed for tests). */
int store_rollup_pending(struct store *S, ms_t now, struct yw_err *err);
/* Deletes raw results older than now - retention (the writer does this hourly). */
int store_prune(struct store *S, ms_t now, struct yw_err *err);

#endif
