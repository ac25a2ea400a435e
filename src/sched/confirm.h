/*
 * confirm — the confirmation state machine that turns raw check results into
 * a confirmed state. A failure is confirmed (state becomes down) only after
 * `retries` consecutive failed results; recovery only after `recover`
 * consecutive successes. Before the first confirmation the state is no_data.
 * From no_data, `recover` successes confirm up and `retries` failures confirm
 * down. Maintenance and pause are not handled here: the engine overrides the
 * confirmed state while they apply, and resets the machine when they end.
 */
#ifndef YW_SCHED_CONFIRM_H
#define YW_SCHED_CONFIRM_H

#include <stdbool.h>

#include "kpi/avail.h"

struct confirm {
    enum mstate state;  /* ST_NODATA, ST_UP or ST_DOWN */
    int fails;          /* consecutive failures seen */
    int oks;            /* consecutive successes seen */
};
#define CONFIRM_INIT {ST_NODATA, 0, 0}

/* Feeds one result. retries and recover are clamped to >= 1. Returns true if
 * the confirmed state changed. */
bool confirm_feed(struct confirm *c, bool ok, int retries, int recover);
/* Whether the machine holds an unconfirmed failure (the engine then checks
 * again after retry_interval instead of interval). */
bool confirm_pending_failure(const struct confirm *c);
void confirm_reset(struct confirm *c);

#endif
