/*
 * schedule — when a monitor's checks are due. Pure arithmetic, no state.
 *
 * First runs are spread over the interval by a hash of the monitor's name:
 * thousands of monitors loaded at once never fire together, and the same
 * monitor lands on the same phase after a restart. Later runs keep to the
 * grid (due + interval); slots missed because the loop was late are skipped,
 * never run in a burst, and lateness never accumulates.
 */
#ifndef YW_SCHED_SCHEDULE_H
#define YW_SCHED_SCHEDULE_H

#include <stdint.h>

#include "core/timeutil.h"

/* In [now, now + interval). interval must be > 0. */
ms_t sched_first_due(const char *name, ms_t interval, ms_t now);
/* The first slot due + k*interval (k >= 1) that is after now. */
ms_t sched_next_due(ms_t due, ms_t interval, ms_t now);
/* 64-bit FNV-1a of a string. */
uint64_t sched_hash(const char *s);

#endif
