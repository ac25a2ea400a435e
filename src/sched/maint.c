/*
 * maint — maintenance window occurrences.
 *
 * Recurring windows are defined in local time, so occurrences are found by
 * walking local calendar dates with plain integer arithmetic (days since the
 * epoch) and converting only the matching dates' start and end to instants
 * through time_from_civil, which applies the zone's DST rules. That keeps a
 * weekly or monthly window over a long range cheap, and makes a 02:00-04:00
 * window on a DST day last the real 1 or 3 hours, as the people doing the
 * maintenance experience it.
 *
 * valid_from/valid_until clip every kind of window, once windows included
 * ([valid_from, valid_until), 0 = unbounded). An occurrence that DST or the
 * clipping leaves empty is dropped.
 */
#include "sched/maint.h"

#include <string.h>

#include "core/mem.h"

#define MAINT_MAX_OCC 100000
#define MAINT_HORIZON (400 * MS_PER_DAY)
/* Instants handed to the C library's conversions stay in years 1900..9999:
 * outside that, localtime/mktime fail and would leave garbage behind. */
#define MAINT_T_MIN (-2208988800000LL) /* 1900-01-01T00:00:00Z */
#define MAINT_T_MAX (253402214400000LL) /* 9999-12-31T00:00:00Z */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static void civil_from_days(long long z, int *y, int *m, int *d)
{
    z += 719468;
    long long era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)((long long)yoe + era * 400 + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : mdays[m - 1];
}

/* Whether the fields of a recurring window make sense; the parsers check
 * them, this only keeps a bad struct from producing nonsense. */
static bool recurring_ok(const struct maint_spec *w)
{
    if (w->start_min < 0 || w->start_min >= 24 * 60 || w->end_min < 0 || w->end_min > 24 * 60)
        return false;
    switch (w->recurrence) {
    case MR_DAILY: return true;
    case MR_WEEKLY: return w->day >= 0 && w->day <= 6;
    case MR_MONTHLY: return w->day == -1 || (w->day >= 1 && w->day <= 31);
    default: return false;
    }
}

static bool date_matches(const struct maint_spec *w, long long days)
{
    int y, m, d;
    switch (w->recurrence) {
    case MR_DAILY:
        return true;
    case MR_WEEKLY: {
        int wday = (int)(((days % 7) + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4) */
        return wday == w->day;
    }
    case MR_MONTHLY:
        civil_from_days(days, &y, &m, &d);
        /* day 31 never matches a 30-day month: no occurrence, by design */
        return w->day == -1 ? d == days_in_month(y, m) : d == w->day;
    default:
        return false;
    }
}

/* The instant of minute-of-day `minute` (0..1440) on local date `days`. */
static ms_t local_instant(long long days, int minute, const char *zone)
{
    struct civil c = {0};
    civil_from_days(days, &c.year, &c.month, &c.day);
    c.hour = minute / 60; /* 24:00 is normalised to the next midnight */
    c.min = minute % 60;
    return time_from_civil(&c, zone);
}

static long long local_days(ms_t t, const char *zone)
{
    struct civil c;
    time_to_civil(t, zone, &c);
    return days_from_civil(c.year, c.month, c.day);
}

/* Clips [*s, *e) to the window's validity; false if nothing is left. */
static bool clip_valid(const struct maint_spec *w, ms_t *s, ms_t *e)
{
    if (w->valid_from && *s < w->valid_from)
        *s = w->valid_from;
    if (w->valid_until && *e > w->valid_until)
        *e = w->valid_until;
    return *s < *e;
}

static void append(struct span **out, size_t *n, size_t *cap, ms_t s, ms_t e)
{
    XGROW(*out, *cap, *n + 1);
    (*out)[(*n)++] = (struct span){s, e};
}

/* maint_occurrences with a cap on how many are appended; returns that count. */
static size_t collect(const struct maint_spec *w, ms_t from, ms_t to, size_t max,
                      struct span **out, size_t *n, size_t *cap)
{
    if (!w || from >= to || max == 0)
        return 0;
    if (w->recurrence == MR_ONCE) {
        ms_t s = w->once_start, e = w->once_end;
        if (clip_valid(w, &s, &e) && s < to && e > from) {
            append(out, n, cap, s, e);
            return 1;
        }
        return 0;
    }
    if (!recurring_ok(w))
        return 0;

    /* Walk the local dates whose occurrence could overlap [lo, hi): from two
     * days before lo's date (an occurrence ends at most one day after the
     * date it starts on; one more for DST) up to hi's date. */
    ms_t lo = from, hi = to;
    if (w->valid_from && lo < w->valid_from)
        lo = w->valid_from;
    if (w->valid_until && hi > w->valid_until)
        hi = w->valid_until;
    if (lo < MAINT_T_MIN)
        lo = MAINT_T_MIN;
    if (hi > MAINT_T_MAX)
        hi = MAINT_T_MAX;
    if (lo >= hi)
        return 0;
    long long first = local_days(lo, w->zone) - 2, last = local_days(hi, w->zone);
    bool next_day = w->end_min <= w->start_min;
    size_t added = 0;
    for (long long d = first; d <= last && added < max; d++) {
        if (!date_matches(w, d))
            continue;
        ms_t s = local_instant(d, w->start_min, w->zone);
        ms_t e = local_instant(next_day ? d + 1 : d, w->end_min, w->zone);
        if (!clip_valid(w, &s, &e) || e <= from)
            continue;
        if (s >= to)
            break; /* starts only grow with the date */
        append(out, n, cap, s, e);
        added++;
    }
    return added;
}

void maint_occurrences(const struct maint_spec *w, ms_t from, ms_t to, struct span **out,
                       size_t *n, size_t *cap)
{
    collect(w, from, to, MAINT_MAX_OCC, out, n, cap);
}

bool maint_active_at(const struct maint_spec *w, ms_t t, ms_t *end)
{
    struct span *occ = NULL;
    size_t n = 0, cap = 0;
    /* Occurrences never overlap (each ends no later than the next local
     * start), so at most one holds t; ends are exclusive. */
    collect(w, t, t + 1, 2, &occ, &n, &cap);
    ms_t e = 0;
    for (size_t i = 0; i < n; i++)
        if (occ[i].start <= t && occ[i].end > t && occ[i].end > e)
            e = occ[i].end;
    xfree(occ);
    if (e == 0)
        return false;
    if (end)
        *end = e;
    return true;
}

ms_t maint_next_edge(const struct maint_spec *w, ms_t t)
{
    if (t >= MAINT_T_MAX)
        return 0;
    ms_t horizon = t + MAINT_HORIZON;
    struct span *occ = NULL;
    size_t n = 0, cap = 0;
    /* Occurrences are in start order and do not overlap, so the next edge is
     * the start or the end of the first one ending after t. */
    collect(w, t, horizon + 1, 2, &occ, &n, &cap);
    ms_t best = 0;
    for (size_t i = 0; i < n; i++) {
        ms_t cand = occ[i].start > t ? occ[i].start : occ[i].end;
        if (cand > t && cand <= horizon && (best == 0 || cand < best))
            best = cand;
    }
    xfree(occ);
    return best;
}

static bool in_list(char *const *list, size_t n, const char *name)
{
    if (!name)
        return false;
    for (size_t i = 0; i < n; i++)
        if (list[i] && strcmp(list[i], name) == 0)
            return true;
    return false;
}

bool maint_applies(const struct maint_spec *w, const char *monitor, const char *system)
{
    return w && (in_list(w->monitors, w->nmonitors, monitor) ||
                 in_list(w->systems, w->nsystems, system));
}
