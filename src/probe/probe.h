/*
 * probe — running one check of one monitor, asynchronously, on the loop.
 *
 * probe_start() begins the check and returns at once; done() is called
 * exactly once, later, on the loop thread, with the outcome (never from inside
 * probe_start). Every check is bounded by the monitor's timeout: a slow or
 * black-holed target ends as a failure at the timeout and never delays other
 * checks. The spec passed to probe_start must stay alive and unchanged until
 * done() has run.
 *
 * Types: http and tls through the curl multi socket interface; tcp by a
 * non-blocking connect; dns through c-ares; ping by ICMP echo (unprivileged
 * datagram socket, raw socket as a fallback); postgres through libpq's
 * asynchronous API. heartbeat is pushed, never probed (probe_start fails).
 */
#ifndef YW_PROBE_PROBE_H
#define YW_PROBE_PROBE_H

#include <stdbool.h>

#include "core/model.h"
#include "sched/loop.h"

#define PROBE_DETAIL_MAX 256

struct probe_result {
    bool ok;
    ms_t started;        /* wall clock, time_now_ms() at start */
    ms_t latency;        /* ms from start to answer (or to the timeout) */
    int status;          /* http: status code; 0 else */
    double value;        /* tls: days until expiry; dns: answers; ping: rtt ms; else 0 */
    char detail[PROBE_DETAIL_MAX]; /* short human reason, UTF-8: "HTTP 503",
                                      "keyword 数据资源中心 not found", "connect: refused",
                                      "timeout after 10s", "certificate expires in 3 days" */
};

struct probe_ctx;
typedef void (*probe_done_fn)(void *arg, const struct probe_result *r);

/* Returns NULL on failure (curl or c-ares could not be initialised). */
struct probe_ctx *probe_ctx_new(struct loop *L);
/* Aborts every check still running without calling their done(). */
void probe_ctx_free(struct probe_ctx *P);

/* Returns 0, or -1 (done will not be called) if the check cannot start at all
 * (unsupported type). Resolution or connection failures are reported through
 * done() as failed results, not here. */
int probe_start(struct probe_ctx *P, const struct monitor_spec *m, probe_done_fn done, void *arg);

/* Number of checks in flight (for /metrics and tests). */
int probe_inflight(const struct probe_ctx *P);

#endif
