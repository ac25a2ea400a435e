/*
 * Unit tests of maintenance window recurrence. Expected instants are written
 * as RFC 3339 with the zone's offset worked out by hand; a few are also given
 * as raw epoch milliseconds to check the parser used here is not fooling us.
 *
 * Calendar facts used (checked against a calendar):
 *   2026-11-22 and 2026-11-29 are Sundays; 2026-11-23 is a Monday.
 *   Asia/Shanghai is UTC+8 all year (no DST).
 *   America/New_York: DST starts 2026-03-08 02:00 EST -> 03:00 EDT
 *     (offset -5 -> -4).
 *   Europe/Berlin: 2026-03-29 02:00 CET -> 03:00 CEST (+1 -> +2);
 *     2026-10-25 03:00 CEST -> 02:00 CET (+2 -> +1).
 *   2028 is a leap year (Feb 29); 2027 is not.
 */
#include <stdlib.h>

#include "core/mem.h"
#include "core/timeutil.h"
#include "sched/maint.h"
#include "t.h"

static ms_t R(const char *s)
{
    ms_t t = 0;
    if (time_parse_rfc3339(s, &t) < 0)
        printf("# bad test time %s\n", s);
    return t;
}

struct occ {
    struct span *v;
    size_t n, cap;
};

static struct occ occurrences(const struct maint_spec *w, const char *from, const char *to)
{
    struct occ o = {NULL, 0, 0};
    maint_occurrences(w, R(from), R(to), &o.v, &o.n, &o.cap);
    return o;
}

static struct maint_spec recurring(enum maint_recurrence r, int day, int start_min, int end_min,
                                   const char *zone)
{
    struct maint_spec w = {0};
    w.name = (char *)(uintptr_t)"w";
    w.recurrence = r;
    w.day = day;
    w.start_min = start_min;
    w.end_min = end_min;
    w.zone = (char *)(uintptr_t)zone;
    return w;
}

#define CHECK_SPAN(sp, s, e)                                                             \
    do {                                                                                 \
        CHECK_INT((sp).start, R(s));                                                     \
        CHECK_INT((sp).end, R(e));                                                       \
    } while (0)

TEST(daily_window)
{
    /* daily 01:00-02:00 Shanghai over [Nov 23 00:00, Nov 26 00:00) +08:00:
     * Nov 23, 24, 25 */
    struct maint_spec w = recurring(MR_DAILY, 0, 60, 120, "Asia/Shanghai");
    struct occ o = occurrences(&w, "2026-11-23T00:00:00+08:00", "2026-11-26T00:00:00+08:00");
    CHECK_INT(o.n, 3);
    if (o.n == 3) {
        CHECK_SPAN(o.v[0], "2026-11-23T01:00:00+08:00", "2026-11-23T02:00:00+08:00");
        CHECK_SPAN(o.v[2], "2026-11-25T01:00:00+08:00", "2026-11-25T02:00:00+08:00");
        /* 2026-11-22T17:00:00Z = 1795392000 (Nov 23 00:00Z) - 7 h = 1795366800 s */
        CHECK_INT(o.v[0].start, 1795366800000LL);
    }
    xfree(o.v);

    /* a query starting inside an occurrence returns it unclipped */
    o = occurrences(&w, "2026-11-23T01:30:00+08:00", "2026-11-23T01:45:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_SPAN(o.v[0], "2026-11-23T01:00:00+08:00", "2026-11-23T02:00:00+08:00");
    xfree(o.v);

    /* a query ending exactly at a start, or starting exactly at an end, misses it */
    o = occurrences(&w, "2026-11-23T02:00:00+08:00", "2026-11-24T01:00:00+08:00");
    CHECK_INT(o.n, 0);
    xfree(o.v);
}

TEST(weekly_sunday_in_shanghai)
{
    /* weekly sunday 02:00-04:00 Asia/Shanghai over three weeks from Monday
     * Nov 16: Sundays Nov 22, Nov 29, Dec 6.
     * Nov 22 02:00+08 = Nov 21 18:00Z = 1795392000 (Nov 23 00:00Z) - 30 h
     * = 1795392000 - 108000 = 1795284000 s; end 04:00+08 = 20:00Z =
     * 1795284000 + 7200 = 1795291200 s. */
    struct maint_spec w = recurring(MR_WEEKLY, 0, 120, 240, "Asia/Shanghai");
    struct occ o = occurrences(&w, "2026-11-16T00:00:00+08:00", "2026-12-07T00:00:00+08:00");
    CHECK_INT(o.n, 3);
    if (o.n == 3) {
        CHECK_INT(o.v[0].start, 1795284000000LL);
        CHECK_INT(o.v[0].end, 1795291200000LL);
        CHECK_SPAN(o.v[0], "2026-11-21T18:00:00Z", "2026-11-21T20:00:00Z");
        CHECK_SPAN(o.v[1], "2026-11-29T02:00:00+08:00", "2026-11-29T04:00:00+08:00");
        CHECK_SPAN(o.v[2], "2026-12-06T02:00:00+08:00", "2026-12-06T04:00:00+08:00");
    }
    xfree(o.v);

    /* Saturday (6) instead: Nov 21, 28, Dec 5 */
    w.day = 6;
    o = occurrences(&w, "2026-11-16T00:00:00+08:00", "2026-12-07T00:00:00+08:00");
    CHECK_INT(o.n, 3);
    if (o.n == 3)
        CHECK_SPAN(o.v[0], "2026-11-21T02:00:00+08:00", "2026-11-21T04:00:00+08:00");
    xfree(o.v);

    /* a zone-less window uses the display zone (Asia/Shanghai by default) */
    w.day = 0;
    w.zone = NULL;
    o = occurrences(&w, "2026-11-16T00:00:00+08:00", "2026-11-23T00:00:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_INT(o.v[0].start, 1795284000000LL);
    xfree(o.v);
}

TEST(window_crossing_midnight)
{
    /* daily 23:00-01:00: the occurrence starting Nov 22 23:00 reaches into
     * [Nov 23 00:00, Nov 24 00:00) and is returned whole; then Nov 23 23:00 */
    struct maint_spec w = recurring(MR_DAILY, 0, 23 * 60, 60, "Asia/Shanghai");
    struct occ o = occurrences(&w, "2026-11-23T00:00:00+08:00", "2026-11-24T00:00:00+08:00");
    CHECK_INT(o.n, 2);
    if (o.n == 2) {
        CHECK_SPAN(o.v[0], "2026-11-22T23:00:00+08:00", "2026-11-23T01:00:00+08:00");
        CHECK_SPAN(o.v[1], "2026-11-23T23:00:00+08:00", "2026-11-24T01:00:00+08:00");
    }
    xfree(o.v);

    /* end == start: a full 24 hours */
    w = recurring(MR_WEEKLY, 1, 6 * 60, 6 * 60, "Asia/Shanghai");
    o = occurrences(&w, "2026-11-23T00:00:00+08:00", "2026-11-30T00:00:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_SPAN(o.v[0], "2026-11-23T06:00:00+08:00", "2026-11-24T06:00:00+08:00");
    xfree(o.v);

    /* end 24:00 (1440) on a daily window from 22:00: ends at next midnight */
    w = recurring(MR_DAILY, 0, 22 * 60, 24 * 60, "Asia/Shanghai");
    o = occurrences(&w, "2026-11-23T00:00:00+08:00", "2026-11-24T00:00:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_SPAN(o.v[0], "2026-11-23T22:00:00+08:00", "2026-11-24T00:00:00+08:00");
    xfree(o.v);
}

TEST(monthly_31_skips_short_months)
{
    /* monthly day 31 02:00-03:00 over 2026: Jan, Mar, May, Jul, Aug, Oct, Dec */
    struct maint_spec w = recurring(MR_MONTHLY, 31, 120, 180, "Asia/Shanghai");
    struct occ o = occurrences(&w, "2026-01-01T00:00:00+08:00", "2027-01-01T00:00:00+08:00");
    CHECK_INT(o.n, 7);
    if (o.n == 7) {
        static const char *starts[] = {
            "2026-01-31T02:00:00+08:00", "2026-03-31T02:00:00+08:00",
            "2026-05-31T02:00:00+08:00", "2026-07-31T02:00:00+08:00",
            "2026-08-31T02:00:00+08:00", "2026-10-31T02:00:00+08:00",
            "2026-12-31T02:00:00+08:00"};
        for (size_t i = 0; i < 7; i++)
            CHECK_INT(o.v[i].start, R(starts[i]));
    }
    xfree(o.v);

    /* day 29 in 2027 (not leap): every month but February -> 11 */
    w.day = 29;
    o = occurrences(&w, "2027-01-01T00:00:00+08:00", "2028-01-01T00:00:00+08:00");
    CHECK_INT(o.n, 11);
    if (o.n >= 2)
        CHECK_INT(o.v[1].start, R("2027-03-29T02:00:00+08:00"));
    xfree(o.v);
}

TEST(last_day_of_month)
{
    /* day -1 from Jan to Mar 2028 (leap): Jan 31, Feb 29, Mar 31 */
    struct maint_spec w = recurring(MR_MONTHLY, -1, 22 * 60, 23 * 60, "Asia/Shanghai");
    struct occ o = occurrences(&w, "2028-01-01T00:00:00+08:00", "2028-04-01T00:00:00+08:00");
    CHECK_INT(o.n, 3);
    if (o.n == 3) {
        CHECK_SPAN(o.v[0], "2028-01-31T22:00:00+08:00", "2028-01-31T23:00:00+08:00");
        CHECK_SPAN(o.v[1], "2028-02-29T22:00:00+08:00", "2028-02-29T23:00:00+08:00");
        CHECK_SPAN(o.v[2], "2028-03-31T22:00:00+08:00", "2028-03-31T23:00:00+08:00");
    }
    xfree(o.v);

    /* 2027: Feb 28 */
    o = occurrences(&w, "2027-02-01T00:00:00+08:00", "2027-03-01T00:00:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_INT(o.v[0].start, R("2027-02-28T22:00:00+08:00"));
    xfree(o.v);

    /* last day, crossing midnight into the 1st of the next month */
    w = recurring(MR_MONTHLY, -1, 23 * 60, 2 * 60, "Asia/Shanghai");
    o = occurrences(&w, "2028-02-15T00:00:00+08:00", "2028-03-15T00:00:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_SPAN(o.v[0], "2028-02-29T23:00:00+08:00", "2028-03-01T02:00:00+08:00");
    xfree(o.v);
}

TEST(dst_berlin)
{
    /* daily 01:00-05:00 Europe/Berlin.
     * Spring 2026-03-29: 01:00 CET (+1) = 00:00Z; 05:00 CEST (+2) = 03:00Z:
     * 3 real hours. The day before: 01:00 CET = 00:00Z .. 05:00 CET = 04:00Z. */
    struct maint_spec w = recurring(MR_DAILY, 0, 60, 300, "Europe/Berlin");
    struct occ o = occurrences(&w, "2026-03-28T00:00:00+01:00", "2026-03-30T00:00:00+02:00");
    CHECK_INT(o.n, 2);
    if (o.n == 2) {
        CHECK_SPAN(o.v[0], "2026-03-28T00:00:00Z", "2026-03-28T04:00:00Z");
        CHECK_SPAN(o.v[1], "2026-03-29T00:00:00Z", "2026-03-29T03:00:00Z");
        CHECK_INT(o.v[1].end - o.v[1].start, 3 * MS_PER_H);
    }
    xfree(o.v);

    /* Autumn 2026-10-25: 01:00 CEST (+2) = Oct 24 23:00Z; 05:00 CET (+1) =
     * 04:00Z: 5 real hours. The day after: 01:00 CET = 00:00Z .. 04:00Z. */
    o = occurrences(&w, "2026-10-25T00:00:00+02:00", "2026-10-27T00:00:00+01:00");
    CHECK_INT(o.n, 2);
    if (o.n == 2) {
        CHECK_SPAN(o.v[0], "2026-10-24T23:00:00Z", "2026-10-25T04:00:00Z");
        CHECK_INT(o.v[0].end - o.v[0].start, 5 * MS_PER_H);
        CHECK_SPAN(o.v[1], "2026-10-26T00:00:00Z", "2026-10-26T04:00:00Z");
    }
    xfree(o.v);
}

TEST(dst_new_york)
{
    /* weekly sunday 01:00-04:00 America/New_York around 2026-03-08:
     * Mar 1: 01:00 EST (-5) = 06:00Z .. 04:00 EST = 09:00Z (3 h);
     * Mar 8: 01:00 EST = 06:00Z .. 04:00 EDT (-4) = 08:00Z (2 h);
     * Mar 15: 01:00 EDT = 05:00Z .. 04:00 EDT = 08:00Z (3 h). */
    struct maint_spec w = recurring(MR_WEEKLY, 0, 60, 240, "America/New_York");
    struct occ o = occurrences(&w, "2026-03-01T00:00:00-05:00", "2026-03-16T00:00:00-04:00");
    CHECK_INT(o.n, 3);
    if (o.n == 3) {
        CHECK_SPAN(o.v[0], "2026-03-01T06:00:00Z", "2026-03-01T09:00:00Z");
        CHECK_SPAN(o.v[1], "2026-03-08T06:00:00Z", "2026-03-08T08:00:00Z");
        CHECK_SPAN(o.v[2], "2026-03-15T05:00:00Z", "2026-03-15T08:00:00Z");
    }
    xfree(o.v);

    /* A start inside the skipped hour (02:30 on Mar 8 does not exist): the C
     * library picks 01:30 EST or 03:30 EDT (06:30Z or 07:30Z); the end
     * 04:00 EDT = 08:00Z is exact, and the occurrence is never empty. */
    w.start_min = 150;
    o = occurrences(&w, "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1) {
        CHECK(o.v[0].start == R("2026-03-08T06:30:00Z") || o.v[0].start == R("2026-03-08T07:30:00Z"));
        CHECK_INT(o.v[0].end, R("2026-03-08T08:00:00Z"));
    }
    xfree(o.v);
}

TEST(once_windows)
{
    struct maint_spec w = {0};
    w.recurrence = MR_ONCE;
    w.once_start = R("2026-11-25T10:00:00+08:00");
    w.once_end = R("2026-11-25T12:00:00+08:00");
    struct occ o = occurrences(&w, "2026-11-25T00:00:00+08:00", "2026-11-26T00:00:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_SPAN(o.v[0], "2026-11-25T10:00:00+08:00", "2026-11-25T12:00:00+08:00");
    xfree(o.v);
    /* [12:00, …) starts at the end: no overlap; […, 10:00) ends at the start: none */
    o = occurrences(&w, "2026-11-25T12:00:00+08:00", "2026-11-26T00:00:00+08:00");
    CHECK_INT(o.n, 0);
    xfree(o.v);
    o = occurrences(&w, "2026-11-25T00:00:00+08:00", "2026-11-25T10:00:00+08:00");
    CHECK_INT(o.n, 0);
    xfree(o.v);
    /* an empty or inverted once window has no occurrence */
    w.once_end = w.once_start;
    o = occurrences(&w, "2026-11-25T00:00:00+08:00", "2026-11-26T00:00:00+08:00");
    CHECK_INT(o.n, 0);
    xfree(o.v);
}

TEST(valid_from_until)
{
    /* daily 02:00-04:00, valid from Nov 23 03:00 until Nov 25 00:00 (+08):
     * Nov 22 none; Nov 23 clipped to 03:00-04:00; Nov 24 02:00-04:00;
     * Nov 25 and later none. */
    struct maint_spec w = recurring(MR_DAILY, 0, 120, 240, "Asia/Shanghai");
    w.valid_from = R("2026-11-23T03:00:00+08:00");
    w.valid_until = R("2026-11-25T00:00:00+08:00");
    struct occ o = occurrences(&w, "2026-11-20T00:00:00+08:00", "2026-11-30T00:00:00+08:00");
    CHECK_INT(o.n, 2);
    if (o.n == 2) {
        CHECK_SPAN(o.v[0], "2026-11-23T03:00:00+08:00", "2026-11-23T04:00:00+08:00");
        CHECK_SPAN(o.v[1], "2026-11-24T02:00:00+08:00", "2026-11-24T04:00:00+08:00");
    }
    xfree(o.v);

    /* valid_until inside an occurrence clips its end: until Nov 24 03:00 */
    w.valid_until = R("2026-11-24T03:00:00+08:00");
    o = occurrences(&w, "2026-11-24T00:00:00+08:00", "2026-11-30T00:00:00+08:00");
    CHECK_INT(o.n, 1);
    if (o.n == 1)
        CHECK_SPAN(o.v[0], "2026-11-24T02:00:00+08:00", "2026-11-24T03:00:00+08:00");
    xfree(o.v);
}

TEST(appends_to_existing_array)
{
    struct maint_spec w = recurring(MR_DAILY, 0, 60, 120, "Asia/Shanghai");
    struct occ o = occurrences(&w, "2026-11-23T00:00:00+08:00", "2026-11-24T00:00:00+08:00");
    maint_occurrences(&w, R("2026-11-24T00:00:00+08:00"), R("2026-11-26T00:00:00+08:00"), &o.v,
                      &o.n, &o.cap);
    CHECK_INT(o.n, 3);
    CHECK(o.cap >= 3);
    if (o.n == 3) {
        CHECK_INT(o.v[0].start, R("2026-11-23T01:00:00+08:00"));
        CHECK_INT(o.v[2].start, R("2026-11-25T01:00:00+08:00"));
    }
    xfree(o.v);
}

TEST(stops_at_the_limit)
{
    /* daily over 300 years would be ~109,575 occurrences: capped at 100,000 */
    struct maint_spec w = recurring(MR_DAILY, 0, 60, 120, "UTC");
    struct occ o = occurrences(&w, "2000-01-01T00:00:00Z", "2300-01-01T00:00:00Z");
    CHECK_INT(o.n, 100000);
    if (o.n == 100000)
        CHECK_INT(o.v[0].start, R("2000-01-01T01:00:00Z"));
    xfree(o.v);

    /* an absurd range does not hang or crash: dates are walked from year
     * 1900 at most, and the weekly window (52 a year) hits the cap */
    w = recurring(MR_WEEKLY, 3, 60, 120, "UTC");
    o.v = NULL;
    o.n = o.cap = 0;
    maint_occurrences(&w, INT64_MIN / 2, INT64_MAX / 2, &o.v, &o.n, &o.cap);
    CHECK_INT(o.n, 100000);
    xfree(o.v);
}

TEST(bad_specs_give_nothing)
{
    struct maint_spec bad[] = {
        recurring(MR_WEEKLY, 7, 60, 120, "UTC"),
        recurring(MR_WEEKLY, -1, 60, 120, "UTC"),
        recurring(MR_MONTHLY, 0, 60, 120, "UTC"),
        recurring(MR_MONTHLY, 32, 60, 120, "UTC"),
        recurring(MR_DAILY, 0, -1, 120, "UTC"),
        recurring(MR_DAILY, 0, 1440, 120, "UTC"),
        recurring(MR_DAILY, 0, 60, 1441, "UTC"),
        recurring((enum maint_recurrence)9, 0, 60, 120, "UTC"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct occ o = occurrences(&bad[i], "2026-01-01T00:00:00Z", "2027-01-01T00:00:00Z");
        CHECK_INT(o.n, 0);
        xfree(o.v);
        CHECK(!maint_active_at(&bad[i], R("2026-06-01T01:30:00Z"), NULL));
        CHECK_INT(maint_next_edge(&bad[i], R("2026-06-01T00:00:00Z")), 0);
    }
    /* an empty query range */
    struct maint_spec w = recurring(MR_DAILY, 0, 60, 120, "UTC");
    struct occ o = occurrences(&w, "2026-01-02T00:00:00Z", "2026-01-01T00:00:00Z");
    CHECK_INT(o.n, 0);
    xfree(o.v);
}

TEST(active_at_exact_edges)
{
    /* weekly sunday 02:00-04:00 Shanghai: start inclusive, end exclusive */
    struct maint_spec w = recurring(MR_WEEKLY, 0, 120, 240, "Asia/Shanghai");
    ms_t start = R("2026-11-22T02:00:00+08:00"), end = R("2026-11-22T04:00:00+08:00");
    ms_t e = 0;
    CHECK(!maint_active_at(&w, start - 1, &e));
    CHECK(maint_active_at(&w, start, &e));
    CHECK_INT(e, end);
    e = 0;
    CHECK(maint_active_at(&w, end - 1, &e));
    CHECK_INT(e, end);
    CHECK(!maint_active_at(&w, end, &e));
    CHECK(maint_active_at(&w, start + MS_PER_H, NULL)); /* end may be NULL */
    /* Monday: not active */
    CHECK(!maint_active_at(&w, R("2026-11-23T03:00:00+08:00"), NULL));

    /* crossing midnight: active just after midnight, with the end next day */
    struct maint_spec n = recurring(MR_DAILY, 0, 23 * 60, 60, "Asia/Shanghai");
    CHECK(maint_active_at(&n, R("2026-11-23T00:30:00+08:00"), &e));
    CHECK_INT(e, R("2026-11-23T01:00:00+08:00"));

    /* once windows and validity */
    struct maint_spec once = {0};
    once.recurrence = MR_ONCE;
    once.once_start = R("2026-11-25T10:00:00+08:00");
    once.once_end = R("2026-11-25T12:00:00+08:00");
    CHECK(maint_active_at(&once, once.once_start, &e));
    CHECK_INT(e, once.once_end);
    CHECK(!maint_active_at(&once, once.once_end, &e));
    w.valid_until = start + 30 * MS_PER_MIN;
    CHECK(maint_active_at(&w, start, &e));
    CHECK_INT(e, start + 30 * MS_PER_MIN); /* clipped end */
    CHECK(!maint_active_at(&w, start + 30 * MS_PER_MIN, &e));
}

TEST(next_edge)
{
    /* weekly sunday 02:00-04:00 Shanghai */
    struct maint_spec w = recurring(MR_WEEKLY, 0, 120, 240, "Asia/Shanghai");
    /* from Monday Nov 23 00:00: the next start is Sunday Nov 29 02:00 */
    CHECK_INT(maint_next_edge(&w, R("2026-11-23T00:00:00+08:00")), R("2026-11-29T02:00:00+08:00"));
    /* a millisecond before a start: that start */
    CHECK_INT(maint_next_edge(&w, R("2026-11-22T02:00:00+08:00") - 1),
              R("2026-11-22T02:00:00+08:00"));
    /* exactly at the start: strictly after, so the end */
    CHECK_INT(maint_next_edge(&w, R("2026-11-22T02:00:00+08:00")), R("2026-11-22T04:00:00+08:00"));
    CHECK_INT(maint_next_edge(&w, R("2026-11-22T03:00:00+08:00")), R("2026-11-22T04:00:00+08:00"));
    /* exactly at the end: the next Sunday's start */
    CHECK_INT(maint_next_edge(&w, R("2026-11-22T04:00:00+08:00")), R("2026-11-29T02:00:00+08:00"));

    /* once: start, then end, then nothing */
    struct maint_spec once = {0};
    once.recurrence = MR_ONCE;
    once.once_start = R("2026-11-25T10:00:00+08:00");
    once.once_end = R("2026-11-25T12:00:00+08:00");
    CHECK_INT(maint_next_edge(&once, R("2026-11-01T00:00:00+08:00")), once.once_start);
    CHECK_INT(maint_next_edge(&once, once.once_start), once.once_end);
    CHECK_INT(maint_next_edge(&once, once.once_end), 0);
    /* more than 400 days ahead: 0 (the engine re-asks later);
     * 2028-01-10 10:00 is 31 + 365 + 9 = 405 days (and 10 h) after 2026-12-01 */
    once.once_start = R("2028-01-10T10:00:00+08:00");
    once.once_end = R("2028-01-10T12:00:00+08:00");
    CHECK_INT(maint_next_edge(&once, R("2026-12-01T00:00:00+08:00")), 0);
    CHECK_INT(maint_next_edge(&once, R("2027-01-01T00:00:00+08:00")), once.once_start);

    /* monthly day 31 from Apr 1: April has no 31st, so May 31 is first */
    struct maint_spec m = recurring(MR_MONTHLY, 31, 120, 180, "Asia/Shanghai");
    CHECK_INT(maint_next_edge(&m, R("2026-04-01T00:00:00+08:00")), R("2026-05-31T02:00:00+08:00"));

    /* past valid_until: no more edges */
    w.valid_until = R("2026-11-23T00:00:00+08:00");
    CHECK_INT(maint_next_edge(&w, R("2026-11-22T05:00:00+08:00")), 0);
    /* valid_from in the future: the first edge is the first clipped start */
    w.valid_until = 0;
    w.valid_from = R("2026-11-29T03:00:00+08:00");
    CHECK_INT(maint_next_edge(&w, R("2026-11-23T00:00:00+08:00")), w.valid_from);
}

TEST(applies)
{
    char *systems[] = {(char *)(uintptr_t)"portal", (char *)(uintptr_t)"etl"};
    char *monitors[] = {(char *)(uintptr_t)"db-port"};
    struct maint_spec w = {0};
    w.systems = systems;
    w.nsystems = 2;
    w.monitors = monitors;
    w.nmonitors = 1;
    CHECK(maint_applies(&w, "portal-home", "portal"));
    CHECK(maint_applies(&w, "nightly", "etl"));
    CHECK(maint_applies(&w, "db-port", "other"));
    CHECK(!maint_applies(&w, "portal-home", "other"));
    CHECK(!maint_applies(&w, "db", "portals"));
    CHECK(!maint_applies(&w, NULL, NULL));
    struct maint_spec none = {0};
    CHECK(!maint_applies(&none, "db-port", "portal"));
}

int main(void)
{
    RUN(daily_window);
    RUN(weekly_sunday_in_shanghai);
    RUN(window_crossing_midnight);
    RUN(monthly_31_skips_short_months);
    RUN(last_day_of_month);
    RUN(dst_berlin);
    RUN(dst_new_york);
    RUN(once_windows);
    RUN(valid_from_until);
    RUN(appends_to_existing_array);
    RUN(stops_at_the_limit);
    RUN(bad_specs_give_nothing);
    RUN(active_at_exact_edges);
    RUN(next_edge);
    RUN(applies);
    return t_done();
}
