/*
 * maint — occurrences of maintenance windows (计划内停机) in time.
 *
 * A window is once (two instants) or recurring daily, weekly (day 0=Sunday..6)
 * or monthly (day 1..31; a month without that day has no occurrence; -1 is
 * the last day of each month), from start_min to end_min local time in the
 * window's zone, honouring DST through the tz database. end_min <= start_min
 * means the occurrence ends on the next day. valid_from/valid_until (0 =
 * unbounded) clip occurrences.
 */
#ifndef YW_SCHED_MAINT_H
#define YW_SCHED_MAINT_H

#include <stddef.h>

#include "core/model.h"
#include "kpi/avail.h"

/* Appends to *out (malloc'd, grown with xrealloc; *n and *cap updated) every
 * occurrence of w that overlaps [from, to), unclipped, in start order.
 * Stops after 100000 occurrences. */
void maint_occurrences(const struct maint_spec *w, ms_t from, ms_t to, struct span **out,
                       size_t *n, size_t *cap);

/* Whether w is in effect at t; if so *end (if non-NULL) gets the end of the
 * current occurrence. */
bool maint_active_at(const struct maint_spec *w, ms_t t, ms_t *end);

/* The next instant > t at which w starts or ends an occurrence, or 0 if none
 * within 400 days. The engine sleeps until then. */
ms_t maint_next_edge(const struct maint_spec *w, ms_t t);

/* Whether w applies to the monitor (by its name, or its system's name). */
bool maint_applies(const struct maint_spec *w, const char *monitor, const char *system);

#endif
