/*
 * avail — availability computed exactly from state intervals, not samples.
 *
 * A monitor's history is a list of state intervals [start, end) in wall-clock
 * ms. Time covered by no interval is no-data. Maintenance windows (planned
 * downtime) are passed separately as spans and take precedence over every
 * recorded state: their time is EXCLUDED, removed from the denominator.
 *
 *   availability = up / (period - excluded - no_data - paused)
 *
 * No-data (yunwei not running, monitor not yet checked) and paused time are
 * unknown, so they are neither up nor down: they leave the denominator too,
 * and are reported so a reader sees how much of the period was observed.
 * When the denominator is 0 the availability is undefined (pct_defined false).
 *
 * A system is down while any of its critical monitors is down (see
 * avail_merge_system).
 */
#ifndef YW_KPI_AVAIL_H
#define YW_KPI_AVAIL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/timeutil.h"

enum mstate { ST_NODATA = 0, ST_UP, ST_DOWN, ST_MAINT, ST_PAUSED, ST__COUNT };

const char *mstate_name(enum mstate s);        /* "no_data", "up", "down", "maintenance", "paused" */
int mstate_parse(const char *s, enum mstate *out);

struct interval {
    ms_t start, end;   /* end > start; callers close an open interval at "now" */
    enum mstate state;
};

struct span {
    ms_t start, end;
};

struct avail {
    ms_t from, to;
    ms_t period;       /* to - from */
    ms_t up, down, excluded, no_data, paused; /* they add up to period */
    int outages;       /* maximal runs of counted down time overlapping the period */
    bool pct_defined;
    double pct;        /* 0..100 */
};

/* Computes over [from, to). Intervals may be in any order and may overlap
 * (a later interval in the array wins where they overlap). Spans may overlap
 * and nest and cross the period's edges. Never fails; to <= from gives a zero
 * period. */
void avail_compute(const struct interval *iv, size_t n, const struct span *excl, size_t nexcl,
                   ms_t from, ms_t to, struct avail *out);

/* The timeline of a system from its critical monitors' timelines, over
 * [from, to): at each instant, down if any monitor is down; else maintenance
 * if any is in maintenance; else no_data if any is no_data or paused (or not
 * covered); else up. Returns a malloc'd array of non-overlapping, sorted,
 * merged intervals covering [from, to) (count in *nout). With nmons == 0 the
 * whole period is no_data. */
struct interval *avail_merge_system(const struct interval *const *mons, const size_t *counts,
                                    size_t nmons, ms_t from, ms_t to, size_t *nout);

#endif
