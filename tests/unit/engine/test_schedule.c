/* Unit tests of the scheduler arithmetic (src/sched/schedule.c). */
#include <stdio.h>

#include "sched/schedule.h"
#include "t.h"

TEST(first_due_within_interval_and_stable)
{
    ms_t now = 1000000;
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof name, "mon-%d", i);
        ms_t d = sched_first_due(name, 10000, now);
        CHECK(d >= now && d < now + 10000);
        CHECK_INT(sched_first_due(name, 10000, now), d); /* same phase every time */
    }
    CHECK_INT(sched_first_due("x", 1, now), now); /* 1 ms interval: always now */
}

/* 10,000 monitors at 10 s: spread into 100 buckets of 100 ms, no bucket may
 * hold more than twice its fair share (100). A burst would show as a bucket
 * with thousands. */
TEST(first_runs_spread_evenly)
{
    int buckets[100] = {0};
    for (int i = 0; i < 10000; i++) {
        char name[32];
        snprintf(name, sizeof name, "portal-page-%d", i);
        ms_t d = sched_first_due(name, 10000, 0);
        buckets[d / 100]++;
    }
    int max = 0, min = 10000;
    for (int b = 0; b < 100; b++) {
        if (buckets[b] > max)
            max = buckets[b];
        if (buckets[b] < min)
            min = buckets[b];
    }
    CHECK(max <= 200);
    CHECK(min >= 30);
}

TEST(next_due_keeps_grid)
{
    /* on time: due 10,000, interval 5,000, now 10,003 -> 15,000 */
    CHECK_INT(sched_next_due(10000, 5000, 10003), 15000);
    /* exactly at the next slot: it is not after now, so the one after */
    CHECK_INT(sched_next_due(10000, 5000, 15000), 20000);
    /* 12.3 s late: slots 15,000, 20,000 missed; next after 22,300 is 25,000 */
    CHECK_INT(sched_next_due(10000, 5000, 22300), 25000);
    /* running early (now before due) still moves one slot */
    CHECK_INT(sched_next_due(10000, 5000, 9000), 15000);
}

TEST(hash_is_fnv1a)
{
    /* FNV-1a 64 of "" is the offset basis; of "a" is 0xaf63dc4c8601ec8c */
    CHECK(sched_hash("") == 14695981039346656037ULL);
    CHECK(sched_hash("a") == 0xaf63dc4c8601ec8cULL);
}

int main(void)
{
    RUN(first_due_within_interval_and_stable);
    RUN(first_runs_spread_evenly);
    RUN(next_due_keeps_grid);
    RUN(hash_is_fnv1a);
    return t_done();
}
