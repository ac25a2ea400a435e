/*
 * engine — the monitoring engine: owns the loop, schedules every monitor,
 * runs probes, feeds the confirmation state machine, applies pauses and
 * maintenance windows, and queues results and state transitions to the store.
 *
 * Threads: engine_run() runs the loop on the calling thread. The engine_notify_*
 * and engine_push functions are called from other threads (HTTP, signals via
 * a flag): they enqueue a command under a lock and wake the loop; they never
 * wait for the loop. engine_metrics is thread-safe (reads a snapshot kept
 * under a lock).
 *
 * Scheduling: the first run of each monitor is spread over its interval by a
 * hash of its name, so thousands never fire at once; later runs keep to the
 * grid (due += interval), skipping missed slots, so lateness never builds up.
 */
#ifndef YW_SCHED_ENGINE_H
#define YW_SCHED_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "store/store.h"

struct engine;

/* Loads monitors and windows from the store. NULL with err on failure. */
struct engine *engine_new(struct store *S, struct yw_err *err);
void engine_free(struct engine *E);

/* Runs until engine_stop. */
int engine_run(struct engine *E);
/* Thread-safe: asks the loop to stop (in-flight probes are abandoned,
 * open intervals stay open for store_recover to close at next start). */
void engine_stop(struct engine *E);

/* Thread-safe. Re-read monitor id from the store (created, updated, paused,
 * resumed or deleted). */
void engine_notify_monitor(struct engine *E, int64_t id);
/* Thread-safe. Re-read everything (maintenance windows changed, config reloaded). */
void engine_notify_all(struct engine *E);

/* Thread-safe. A heartbeat push: ok false means the job reported failure. msg may be NULL. */
void engine_push(struct engine *E, int64_t monitor_id, bool ok, const char *msg, double rows);

/* Thread-safe. Appends Prometheus text for every monitor:
 *   yunwei_monitor_up{monitor,system,type} 1|0
 *   yunwei_monitor_latency_seconds{...}
 *   yunwei_monitor_checks_total{...}, yunwei_monitor_failures_total{...}
 *   yunwei_schedule_lateness_seconds{quantile="0.5"|"0.99"}, yunwei_probes_inflight */
void engine_metrics(struct engine *E, struct buf *out);

/* A state change of a monitor, as sent to the store (store_put_transition).
 * The strings are the engine's: valid only during the hook's call. */
struct engine_transition {
    int64_t monitor_id;
    const char *monitor;   /* the monitor's name */
    const char *system;    /* its system's name */
    enum mstate state;
    ms_t at;               /* wall clock: the new interval's start */
    const char *reason;    /* "HTTP 503", "maintenance weekly-patch"…; NULL when none */
};

#define ENGINE_HOOKS_MAX 4

/* Thread-safe. Adds a hook called for every state change sent to the store
 * (the web console's live stream, the incident desk); -1 when
 * ENGINE_HOOKS_MAX are set. Hooks run on the loop thread, in the order
 * added, under a lock of their own, after the change is queued to the
 * store: each must be quick and must not call back into the engine. */
int engine_on_transition(struct engine *E,
                         void (*fn)(void *arg, const struct engine_transition *t), void *arg);
/* Thread-safe. Removes the hook (fn, arg). Once this returns it is never
 * called again, so arg may be freed. */
void engine_off_transition(struct engine *E,
                           void (*fn)(void *arg, const struct engine_transition *t), void *arg);

struct engine_stats {
    uint64_t checks, failures;
    double lateness_p50_ms, lateness_p99_ms; /* over the last 10,000 runs */
    int monitors, inflight;
};
void engine_stats(struct engine *E, struct engine_stats *out);

#endif
