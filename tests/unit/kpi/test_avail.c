/*
 * Unit tests of availability over state intervals. Every expectation is
 * computed by hand in the comment beside it. Times are minutes after a base
 * instant B (2026-11-23T00:00:00Z); the period is [0, 100) minutes unless
 * said otherwise, so a count of minutes is also a percentage of the period.
 */
#include <stdlib.h>

#include "core/mem.h"
#include "kpi/avail.h"
#include "t.h"

#define B 1795392000000LL /* 2026-11-23T00:00:00Z */
#define T(m) (B + (ms_t)(m) * MS_PER_MIN)
#define MIN(m) ((ms_t)(m) * MS_PER_MIN)
#define IV(a, b, s) {T(a), T(b), (s)}
#define SP(a, b) {T(a), T(b)}
#define N(arr) (sizeof(arr) / sizeof((arr)[0]))

static struct avail run(const struct interval *iv, size_t n, const struct span *sp, size_t ns)
{
    struct avail a;
    avail_compute(iv, n, sp, ns, T(0), T(100), &a);
    /* the five parts always add up to the period */
    CHECK_INT(a.up + a.down + a.excluded + a.no_data + a.paused, a.period);
    return a;
}

#define CHECK_PARTS(a, u, d, ex, nd, pa)                                                 \
    do {                                                                                 \
        CHECK_INT((a).up, MIN(u));                                                       \
        CHECK_INT((a).down, MIN(d));                                                     \
        CHECK_INT((a).excluded, MIN(ex));                                                \
        CHECK_INT((a).no_data, MIN(nd));                                                 \
        CHECK_INT((a).paused, MIN(pa));                                                  \
    } while (0)

TEST(state_names)
{
    CHECK_STR(mstate_name(ST_NODATA), "no_data");
    CHECK_STR(mstate_name(ST_UP), "up");
    CHECK_STR(mstate_name(ST_DOWN), "down");
    CHECK_STR(mstate_name(ST_MAINT), "maintenance");
    CHECK_STR(mstate_name(ST_PAUSED), "paused");
    CHECK_STR(mstate_name((enum mstate)99), "unknown");
    enum mstate s = ST_UP;
    CHECK_INT(mstate_parse("down", &s), 0);
    CHECK_INT(s, ST_DOWN);
    CHECK_INT(mstate_parse("maintenance", &s), 0);
    CHECK_INT(s, ST_MAINT);
    CHECK_INT(mstate_parse("no_data", &s), 0);
    CHECK_INT(s, ST_NODATA);
    CHECK_INT(mstate_parse("Down", &s), -1);
    CHECK_INT(mstate_parse("", &s), -1);
    CHECK_INT(mstate_parse(NULL, &s), -1);
    CHECK_INT(s, ST_NODATA); /* untouched on failure */
}

TEST(all_up)
{
    struct interval iv[] = {IV(0, 100, ST_UP)};
    struct avail a = run(iv, 1, NULL, 0);
    CHECK_INT(a.from, T(0));
    CHECK_INT(a.to, T(100));
    CHECK_INT(a.period, MIN(100));
    CHECK_PARTS(a, 100, 0, 0, 0, 0);
    CHECK_INT(a.outages, 0);
    CHECK(a.pct_defined);
    CHECK_DBL(a.pct, 100.0, 1e-9);
}

TEST(window_across_period_start)
{
    /* span [-10, 20) clipped to [0, 20): excluded 20, up 100 - 20 = 80, pct 80/80 */
    struct interval iv[] = {IV(-50, 100, ST_UP)};
    struct span sp[] = {SP(-10, 20)};
    struct avail a = run(iv, 1, sp, 1);
    CHECK_PARTS(a, 80, 0, 20, 0, 0);
    CHECK_DBL(a.pct, 100.0, 1e-9);
}

TEST(window_across_period_end)
{
    /* up [0,100) with down [80,95); span [90,130) clipped to [90,100):
     * up 0-80 = 80, down 80-90 = 10, excluded 90-100 = 10 (the down 90-95 is
     * inside the window). pct = 80 / (80 + 10) = 88.888…% */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(80, 95, ST_DOWN)};
    struct span sp[] = {SP(90, 130)};
    struct avail a = run(iv, 2, sp, 1);
    CHECK_PARTS(a, 80, 10, 10, 0, 0);
    CHECK_INT(a.outages, 1);
    CHECK_DBL(a.pct, 800.0 / 9.0, 1e-9);
}

TEST(window_across_both_edges)
{
    /* a span longer than the period on both sides: all excluded, pct undefined */
    struct interval iv[] = {IV(0, 100, ST_DOWN)};
    struct span sp[] = {SP(-1000, 1000)};
    struct avail a = run(iv, 1, sp, 1);
    CHECK_PARTS(a, 0, 0, 100, 0, 0);
    CHECK_INT(a.outages, 0);
    CHECK(!a.pct_defined);
}

TEST(nested_windows)
{
    /* [10,50) contains [20,30): union is [10,50) = 40 excluded, not 50 */
    struct interval iv[] = {IV(0, 100, ST_UP)};
    struct span sp[] = {SP(20, 30), SP(10, 50)};
    struct avail a = run(iv, 1, sp, 2);
    CHECK_PARTS(a, 60, 0, 40, 0, 0);
}

TEST(overlapping_windows)
{
    /* [10,30) ∪ [20,40) ∪ [40,50) (abutting) ∪ [45,48) = [10,50) = 40,
     * plus [70,80) = 10: excluded 50, up 50 */
    struct interval iv[] = {IV(0, 100, ST_UP)};
    struct span sp[] = {SP(70, 80), SP(20, 40), SP(10, 30), SP(45, 48), SP(40, 50)};
    struct avail a = run(iv, 1, sp, N(sp));
    CHECK_PARTS(a, 50, 0, 50, 0, 0);
    CHECK_DBL(a.pct, 100.0, 1e-9);
}

TEST(window_covering_a_down_interval)
{
    /* down [40,50) lies inside span [30,60): excluded 30, up 70, no down, no
     * outage: planned downtime is not a fault */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(40, 50, ST_DOWN)};
    struct span sp[] = {SP(30, 60)};
    struct avail a = run(iv, 2, sp, 1);
    CHECK_PARTS(a, 70, 0, 30, 0, 0);
    CHECK_INT(a.outages, 0);
    CHECK_DBL(a.pct, 100.0, 1e-9);
}

TEST(down_crossing_a_window_edge)
{
    /* down [40,60), span [50,70): up 0-40 (40), down 40-50 (10), excluded
     * 50-70 (20), up 70-100 (30). up 70, down 10, one outage, pct 70/80 = 87.5 */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(40, 60, ST_DOWN)};
    struct span sp[] = {SP(50, 70)};
    struct avail a = run(iv, 2, sp, 1);
    CHECK_PARTS(a, 70, 10, 20, 0, 0);
    CHECK_INT(a.outages, 1);
    CHECK_DBL(a.pct, 87.5, 1e-9);

    /* down starting inside the window: span [30,45), down [40,60):
     * up 0-30 (30), excluded 30-45 (15), down 45-60 (15), up 60-100 (40).
     * pct 70/85 */
    struct span sp2[] = {SP(30, 45)};
    a = run(iv, 2, sp2, 1);
    CHECK_PARTS(a, 70, 15, 15, 0, 0);
    CHECK_INT(a.outages, 1);
    CHECK_DBL(a.pct, 7000.0 / 85.0, 1e-9);
}

TEST(down_split_by_a_window_counts_twice)
{
    /* down [40,80) with span [50,60) inside it: down 40-50 and 60-80 are
     * separated by excluded time, so two runs. up 0-40 + 80-100 = 60,
     * down 10 + 20 = 30, excluded 10; pct 60/90 = 66.666…% */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(40, 80, ST_DOWN)};
    struct span sp[] = {SP(50, 60)};
    struct avail a = run(iv, 2, sp, 1);
    CHECK_PARTS(a, 60, 30, 10, 0, 0);
    CHECK_INT(a.outages, 2);
    CHECK_DBL(a.pct, 200.0 / 3.0, 1e-9);

    /* a recorded maintenance state in the middle splits it the same way */
    struct interval iv2[] = {IV(0, 100, ST_UP), IV(40, 80, ST_DOWN), IV(50, 60, ST_MAINT)};
    a = run(iv2, 3, NULL, 0);
    CHECK_PARTS(a, 60, 30, 10, 0, 0);
    CHECK_INT(a.outages, 2);
}

TEST(adjacent_down_intervals_are_one_outage)
{
    /* down [10,20) then down [20,30) (two records, no gap): one run of 20.
     * A span ending exactly where down starts does not split anything. */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(10, 20, ST_DOWN), IV(20, 30, ST_DOWN)};
    struct span sp[] = {SP(0, 10)};
    struct avail a = run(iv, 3, sp, 1);
    CHECK_PARTS(a, 70, 20, 10, 0, 0);
    CHECK_INT(a.outages, 1);
}

TEST(no_data_gaps)
{
    /* up [0,30), nothing [30,50), up [50,100): no_data 20, up 80, pct 80/80 */
    struct interval iv[] = {IV(0, 30, ST_UP), IV(50, 100, ST_UP)};
    struct avail a = run(iv, 2, NULL, 0);
    CHECK_PARTS(a, 80, 0, 0, 20, 0);
    CHECK_DBL(a.pct, 100.0, 1e-9);

    /* down [0,10), gap [10,20), down [20,30), gap [30,40), up [40,100):
     * down 20 in two runs (no-data separates them), no_data 20, up 60;
     * pct 60/80 = 75 */
    struct interval iv2[] = {IV(20, 30, ST_DOWN), IV(0, 10, ST_DOWN), IV(40, 100, ST_UP)};
    a = run(iv2, 3, NULL, 0);
    CHECK_PARTS(a, 60, 20, 0, 20, 0);
    CHECK_INT(a.outages, 2);
    CHECK_DBL(a.pct, 75.0, 1e-9);

    /* an explicit no_data record counts the same as a gap */
    struct interval iv3[] = {IV(0, 100, ST_UP), IV(10, 25, ST_NODATA)};
    a = run(iv3, 2, NULL, 0);
    CHECK_PARTS(a, 85, 0, 0, 15, 0);
}

TEST(open_ended_intervals_clipped)
{
    /* a down interval from long before to long after the period (an open
     * interval closed at "now" in the future): down 100, one outage, pct 0 */
    struct interval iv[] = {IV(-100000, 100000, ST_DOWN)};
    struct avail a = run(iv, 1, NULL, 0);
    CHECK_PARTS(a, 0, 100, 0, 0, 0);
    CHECK_INT(a.outages, 1);
    CHECK(a.pct_defined);
    CHECK_DBL(a.pct, 0.0, 1e-9);

    /* intervals entirely outside the period contribute nothing: no_data 100 */
    struct interval iv2[] = {IV(-50, 0, ST_DOWN), IV(100, 150, ST_DOWN)};
    a = run(iv2, 2, NULL, 0);
    CHECK_PARTS(a, 0, 0, 0, 100, 0);
    CHECK_INT(a.outages, 0);
    CHECK(!a.pct_defined);
}

TEST(empty_period)
{
    struct interval iv[] = {IV(0, 100, ST_UP)};
    struct span sp[] = {SP(0, 10)};
    struct avail a;
    avail_compute(iv, 1, sp, 1, T(50), T(50), &a);
    CHECK_INT(a.period, 0);
    CHECK_INT(a.up + a.down + a.excluded + a.no_data + a.paused, 0);
    CHECK_INT(a.outages, 0);
    CHECK(!a.pct_defined);
    CHECK_INT(a.from, T(50));
    CHECK_INT(a.to, T(50));

    /* to < from: a zero period too, never a negative one */
    avail_compute(iv, 1, NULL, 0, T(60), T(50), &a);
    CHECK_INT(a.period, 0);
    CHECK(!a.pct_defined);

    /* no intervals at all: the whole period is no_data */
    a = run(NULL, 0, NULL, 0);
    CHECK_PARTS(a, 0, 0, 0, 100, 0);
    CHECK(!a.pct_defined);
}

TEST(all_excluded)
{
    /* spans [0,60) and [50,100) cover the period: excluded 100, pct undefined */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(30, 40, ST_DOWN)};
    struct span sp[] = {SP(0, 60), SP(50, 100)};
    struct avail a = run(iv, 2, sp, 2);
    CHECK_PARTS(a, 0, 0, 100, 0, 0);
    CHECK_INT(a.outages, 0);
    CHECK(!a.pct_defined);
    CHECK_DBL(a.pct, 0.0, 1e-9);

    /* excluded + no_data + paused, no up or down: still undefined */
    struct interval iv2[] = {IV(0, 50, ST_PAUSED)};
    struct span sp2[] = {SP(50, 80)};
    a = run(iv2, 1, sp2, 1);
    CHECK_PARTS(a, 0, 0, 30, 20, 50);
    CHECK(!a.pct_defined);
}

TEST(paused_time)
{
    /* up [0,50), paused [50,70), up [70,100) with down [70,80):
     * up 50 + 20 = 70, paused 20, down 10; pct 70/80 = 87.5 */
    struct interval iv[] = {IV(0, 50, ST_UP), IV(50, 70, ST_PAUSED), IV(70, 100, ST_UP),
                            IV(70, 80, ST_DOWN)};
    struct avail a = run(iv, 4, NULL, 0);
    CHECK_PARTS(a, 70, 10, 0, 0, 20);
    CHECK_INT(a.outages, 1);
    CHECK_DBL(a.pct, 87.5, 1e-9);

    /* a window over paused time: the window wins, [60,70) becomes excluded */
    struct span sp[] = {SP(60, 75)};
    a = run(iv, 4, sp, 1);
    /* up 50, paused 50-60 = 10, excluded 60-75 = 15, down 75-80 = 5, up 80-100 = 20 */
    CHECK_PARTS(a, 70, 5, 15, 0, 10);
    CHECK_INT(a.outages, 1);
}

TEST(unsorted_input)
{
    /* the same timeline as down_crossing_a_window_edge's first case, given as
     * disjoint pieces in scrambled order: up 0-40, down 40-60, up 60-100 */
    struct interval iv[] = {IV(60, 100, ST_UP), IV(0, 40, ST_UP), IV(40, 60, ST_DOWN)};
    struct span sp[] = {SP(50, 70)};
    struct avail a = run(iv, 3, sp, 1);
    CHECK_PARTS(a, 70, 10, 20, 0, 0);
    CHECK_INT(a.outages, 1);
}

TEST(later_entries_win)
{
    /* up [0,100), then down [20,40), then up [30,50): down only [20,30) = 10 */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(20, 40, ST_DOWN), IV(30, 50, ST_UP)};
    struct avail a = run(iv, 3, NULL, 0);
    CHECK_PARTS(a, 90, 10, 0, 0, 0);
    CHECK_INT(a.outages, 1);

    /* reversed: the whole-period up interval comes last and hides the rest */
    struct interval rev[] = {IV(30, 50, ST_UP), IV(20, 40, ST_DOWN), IV(0, 100, ST_UP)};
    a = run(rev, 3, NULL, 0);
    CHECK_PARTS(a, 100, 0, 0, 0, 0);
    CHECK_INT(a.outages, 0);

    /* a later short interval nested in an earlier one, which resumes after:
     * down [10,90), up [40,50) later: down 10-40 and 50-90 = 70 in two runs,
     * up 10, no_data 0-10 and 90-100 = 20; pct 10/80 = 12.5 */
    struct interval nest[] = {IV(10, 90, ST_DOWN), IV(40, 50, ST_UP)};
    a = run(nest, 2, NULL, 0);
    CHECK_PARTS(a, 10, 70, 0, 20, 0);
    CHECK_INT(a.outages, 2);
    CHECK_DBL(a.pct, 12.5, 1e-9);
}

TEST(recorded_maintenance_is_excluded)
{
    /* an ST_MAINT interval (the engine's record of a window) is excluded like
     * a span: up 80, excluded 20 */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(10, 30, ST_MAINT)};
    struct avail a = run(iv, 2, NULL, 0);
    CHECK_PARTS(a, 80, 0, 20, 0, 0);
    CHECK_DBL(a.pct, 100.0, 1e-9);
}

TEST(outage_across_period_start)
{
    /* down [-30,10) overlaps the period: it counts as one outage of 10 min
     * inside it. pct 90/100 = 90 */
    struct interval iv[] = {IV(-30, 10, ST_DOWN), IV(10, 100, ST_UP)};
    struct avail a = run(iv, 2, NULL, 0);
    CHECK_PARTS(a, 90, 10, 0, 0, 0);
    CHECK_INT(a.outages, 1);
    CHECK_DBL(a.pct, 90.0, 1e-9);
}

TEST(bad_intervals_ignored)
{
    /* end <= start and an unknown state are skipped; what is left is up [0,100) */
    struct interval iv[] = {IV(0, 100, ST_UP), IV(50, 50, ST_DOWN), IV(60, 40, ST_DOWN),
                            {T(10), T(20), (enum mstate)42}};
    struct span sp[] = {SP(30, 30), SP(40, 20)}; /* empty spans too */
    struct avail a = run(iv, N(iv), sp, N(sp));
    CHECK_PARTS(a, 100, 0, 0, 0, 0);
    CHECK_INT(a.outages, 0);
}

TEST(millisecond_precision)
{
    /* down for 1500 ms in a 1-day period: pct = (86400000 - 1500) / 86400000 */
    struct interval iv[] = {{B, B + MS_PER_DAY, ST_UP}, {B + 1000, B + 2500, ST_DOWN}};
    struct avail a;
    avail_compute(iv, 2, NULL, 0, B, B + MS_PER_DAY, &a);
    CHECK_INT(a.down, 1500);
    CHECK_INT(a.up, 86400000 - 1500);
    CHECK_DBL(a.pct, 100.0 * 86398500.0 / 86400000.0, 1e-12);
}

TEST(many_intervals_fast)
{
    /* 200,000 one-minute intervals alternating up/down, in reverse order,
     * over a period of 200,000 minutes: up = down = 100,000 min, 100,000
     * outages, pct 50. Quadratic or per-millisecond code would not finish. */
    size_t n = 200000;
    struct interval *iv = xmalloc(n * sizeof *iv);
    for (size_t i = 0; i < n; i++) {
        size_t k = n - 1 - i;
        iv[i] = (struct interval){T(k), T(k + 1), k % 2 ? ST_DOWN : ST_UP};
    }
    struct avail a;
    avail_compute(iv, n, NULL, 0, T(0), T(n), &a);
    CHECK_INT(a.up, MIN(100000));
    CHECK_INT(a.down, MIN(100000));
    CHECK_INT(a.outages, 100000);
    CHECK_DBL(a.pct, 50.0, 1e-9);
    xfree(iv);
}

/* ---- system merge ---- */

static void check_iv(const struct interval *got, ms_t s, ms_t e, enum mstate st)
{
    CHECK_INT(got->start, s);
    CHECK_INT(got->end, e);
    CHECK_STR(mstate_name(got->state), mstate_name(st));
}

TEST(system_merge_of_critical_monitors)
{
    /* A: up, down [20,30).
     * B: up, in maintenance [25,60).
     * C: up, no record [70,80) (no data), paused [90,95).
     * System: 0-20 up; 20-30 down (A; down beats B's maintenance from 25);
     * 30-60 maintenance (B); 60-70 up; 70-80 no_data (C); 80-90 up;
     * 90-95 no_data (C paused); 95-100 up. */
    struct interval a[] = {IV(0, 100, ST_UP), IV(20, 30, ST_DOWN)};
    struct interval b[] = {IV(60, 100, ST_UP), IV(0, 25, ST_UP), IV(25, 60, ST_MAINT)};
    struct interval c[] = {IV(0, 70, ST_UP), IV(80, 100, ST_UP), IV(90, 95, ST_PAUSED)};
    const struct interval *mons[] = {a, b, c};
    size_t counts[] = {N(a), N(b), N(c)};
    size_t n = 0;
    struct interval *s = avail_merge_system(mons, counts, 3, T(0), T(100), &n);
    CHECK_INT(n, 8);
    if (n == 8) {
        check_iv(&s[0], T(0), T(20), ST_UP);
        check_iv(&s[1], T(20), T(30), ST_DOWN);
        check_iv(&s[2], T(30), T(60), ST_MAINT);
        check_iv(&s[3], T(60), T(70), ST_UP);
        check_iv(&s[4], T(70), T(80), ST_NODATA);
        check_iv(&s[5], T(80), T(90), ST_UP);
        check_iv(&s[6], T(90), T(95), ST_NODATA);
        check_iv(&s[7], T(95), T(100), ST_UP);
    }
    /* The system's availability from it: up 20+10+10+5 = 45, down 10,
     * excluded 30, no_data 15; pct 45/55 = 81.818…% */
    struct avail av = run(s, n, NULL, 0);
    CHECK_PARTS(av, 45, 10, 30, 15, 0);
    CHECK_INT(av.outages, 1);
    CHECK_DBL(av.pct, 4500.0 / 55.0, 1e-9);
    xfree(s);
}

TEST(system_merge_edges)
{
    size_t n = 99;
    /* zero monitors: the whole period is no_data */
    struct interval *s = avail_merge_system(NULL, NULL, 0, T(0), T(100), &n);
    CHECK_INT(n, 1);
    check_iv(&s[0], T(0), T(100), ST_NODATA);
    xfree(s);

    /* zero period: nothing, but still an array to free */
    struct interval a[] = {IV(0, 100, ST_UP)};
    const struct interval *one[] = {a};
    size_t cnt1[] = {1};
    s = avail_merge_system(one, cnt1, 1, T(50), T(50), &n);
    CHECK_INT(n, 0);
    CHECK(s != NULL);
    xfree(s);

    /* two monitors up with different record boundaries merge into one interval,
     * clipped to the period: A [-10,40) [40,200), B [0,70) [70,100) */
    struct interval ma[] = {IV(-10, 40, ST_UP), IV(40, 200, ST_UP)};
    struct interval mb[] = {IV(0, 70, ST_UP), IV(70, 100, ST_UP)};
    const struct interval *two[] = {ma, mb};
    size_t cnt2[] = {2, 2};
    s = avail_merge_system(two, cnt2, 2, T(0), T(100), &n);
    CHECK_INT(n, 1);
    check_iv(&s[0], T(0), T(100), ST_UP);
    xfree(s);

    /* a monitor with no intervals makes the system no_data throughout,
     * except where another monitor is down [40,50) */
    struct interval md[] = {IV(0, 100, ST_UP), IV(40, 50, ST_DOWN)};
    const struct interval *with_empty[] = {md, NULL};
    size_t cnt3[] = {2, 0};
    s = avail_merge_system(with_empty, cnt3, 2, T(0), T(100), &n);
    CHECK_INT(n, 3);
    if (n == 3) {
        check_iv(&s[0], T(0), T(40), ST_NODATA);
        check_iv(&s[1], T(40), T(50), ST_DOWN);
        check_iv(&s[2], T(50), T(100), ST_NODATA);
    }
    xfree(s);

    /* overlapping down of two monitors is one outage: A down [10,30),
     * B down [20,40) -> system down [10,40) */
    struct interval oa[] = {IV(0, 100, ST_UP), IV(10, 30, ST_DOWN)};
    struct interval ob[] = {IV(0, 100, ST_UP), IV(20, 40, ST_DOWN)};
    const struct interval *ov[] = {oa, ob};
    size_t cnt4[] = {2, 2};
    s = avail_merge_system(ov, cnt4, 2, T(0), T(100), &n);
    CHECK_INT(n, 3);
    if (n == 3)
        check_iv(&s[1], T(10), T(40), ST_DOWN);
    struct avail av = run(s, n, NULL, 0);
    CHECK_PARTS(av, 70, 30, 0, 0, 0);
    CHECK_INT(av.outages, 1);
    xfree(s);
}

int main(void)
{
    RUN(state_names);
    RUN(all_up);
    RUN(window_across_period_start);
    RUN(window_across_period_end);
    RUN(window_across_both_edges);
    RUN(nested_windows);
    RUN(overlapping_windows);
    RUN(window_covering_a_down_interval);
    RUN(down_crossing_a_window_edge);
    RUN(down_split_by_a_window_counts_twice);
    RUN(adjacent_down_intervals_are_one_outage);
    RUN(no_data_gaps);
    RUN(open_ended_intervals_clipped);
    RUN(empty_period);
    RUN(all_excluded);
    RUN(paused_time);
    RUN(unsorted_input);
    RUN(later_entries_win);
    RUN(recorded_maintenance_is_excluded);
    RUN(outage_across_period_start);
    RUN(bad_intervals_ignored);
    RUN(millisecond_precision);
    RUN(many_intervals_fast);
    RUN(system_merge_of_critical_monitors);
    RUN(system_merge_edges);
    return t_done();
}
