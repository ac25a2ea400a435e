/* Unit tests of the confirmation state machine (retries / recover). */
#include "sched/confirm.h"
#include "t.h"

/* Feeds a string of results ('o' ok, 'x' fail); returns how many changed the
 * confirmed state. */
static int feed(struct confirm *c, const char *seq, int retries, int recover)
{
    int changes = 0;
    for (const char *p = seq; *p; p++)
        changes += confirm_feed(c, *p == 'o', retries, recover);
    return changes;
}

TEST(starts_in_no_data)
{
    struct confirm c = CONFIRM_INIT;
    CHECK_INT(c.state, ST_NODATA);
    CHECK(!confirm_pending_failure(&c));
}

TEST(retries_2_needs_two_consecutive_failures)
{
    struct confirm c = CONFIRM_INIT;
    CHECK(confirm_feed(&c, true, 2, 1)); /* no_data -> up on the first success (recover 1) */
    CHECK_INT(c.state, ST_UP);
    CHECK(!confirm_feed(&c, false, 2, 1)); /* 1st failure: unconfirmed */
    CHECK_INT(c.state, ST_UP);
    CHECK(confirm_pending_failure(&c));
    CHECK(confirm_feed(&c, false, 2, 1)); /* 2nd consecutive: down */
    CHECK_INT(c.state, ST_DOWN);
    CHECK(!confirm_pending_failure(&c)); /* confirmed, no longer pending */
    CHECK(!confirm_feed(&c, false, 2, 1)); /* more failures change nothing */
    CHECK_INT(c.state, ST_DOWN);
}

TEST(a_success_in_between_resets_the_failures)
{
    struct confirm c = CONFIRM_INIT;
    feed(&c, "o", 2, 1);
    /* x o x o x: never two failures in a row, stays up */
    CHECK_INT(feed(&c, "xoxox", 2, 1), 0);
    CHECK_INT(c.state, ST_UP);
    CHECK(confirm_pending_failure(&c));
    CHECK_INT(feed(&c, "x", 2, 1), 1);
    CHECK_INT(c.state, ST_DOWN);
}

TEST(recover_3_needs_three_consecutive_successes)
{
    struct confirm c = CONFIRM_INIT;
    CHECK_INT(feed(&c, "xx", 2, 3), 1); /* no_data -> down after 2 failures */
    CHECK_INT(c.state, ST_DOWN);
    CHECK_INT(feed(&c, "oo", 2, 3), 0);
    CHECK_INT(c.state, ST_DOWN);
    CHECK_INT(feed(&c, "x", 2, 3), 0);  /* a failure resets the successes */
    CHECK_INT(feed(&c, "oo", 2, 3), 0);
    CHECK_INT(c.state, ST_DOWN);
    CHECK(confirm_feed(&c, true, 2, 3)); /* third consecutive success: up */
    CHECK_INT(c.state, ST_UP);
}

TEST(from_no_data)
{
    /* recover 2: one success is not enough to leave no_data */
    struct confirm c = CONFIRM_INIT;
    CHECK(!confirm_feed(&c, true, 3, 2));
    CHECK_INT(c.state, ST_NODATA);
    CHECK(confirm_feed(&c, true, 3, 2));
    CHECK_INT(c.state, ST_UP);

    /* retries 3: two failures leave it no_data (pending), the third confirms */
    struct confirm d = CONFIRM_INIT;
    CHECK_INT(feed(&d, "xx", 3, 2), 0);
    CHECK_INT(d.state, ST_NODATA);
    CHECK(confirm_pending_failure(&d));
    CHECK(confirm_feed(&d, false, 3, 2));
    CHECK_INT(d.state, ST_DOWN);
}

TEST(clamps_zero_and_negative_to_one)
{
    struct confirm c = CONFIRM_INIT;
    CHECK(confirm_feed(&c, false, 0, 0)); /* retries 0 acts as 1 */
    CHECK_INT(c.state, ST_DOWN);
    CHECK(confirm_feed(&c, true, 0, -5)); /* recover -5 acts as 1 */
    CHECK_INT(c.state, ST_UP);
    CHECK(confirm_feed(&c, false, -1, 0));
    CHECK_INT(c.state, ST_DOWN);
    CHECK(!confirm_pending_failure(&c));
}

TEST(pending_failure)
{
    struct confirm c = CONFIRM_INIT;
    feed(&c, "o", 3, 1);
    CHECK(!confirm_pending_failure(&c));
    feed(&c, "x", 3, 1);
    CHECK(confirm_pending_failure(&c));
    feed(&c, "x", 3, 1);
    CHECK(confirm_pending_failure(&c));
    feed(&c, "o", 3, 1); /* a success clears it */
    CHECK(!confirm_pending_failure(&c));
    CHECK_INT(c.state, ST_UP);
    feed(&c, "xxx", 3, 1);
    CHECK_INT(c.state, ST_DOWN);
    CHECK(!confirm_pending_failure(&c)); /* down: the failure is confirmed */
    /* while down with recover 2, a lone success then a failure: still down, not pending */
    feed(&c, "ox", 3, 2);
    CHECK_INT(c.state, ST_DOWN);
    CHECK(!confirm_pending_failure(&c));
}

TEST(reset_returns_to_no_data)
{
    struct confirm c = CONFIRM_INIT;
    feed(&c, "oox", 2, 1);
    confirm_reset(&c);
    CHECK_INT(c.state, ST_NODATA);
    CHECK_INT(c.fails, 0);
    CHECK_INT(c.oks, 0);
    CHECK(!confirm_pending_failure(&c));
    /* after a maintenance window the machine must confirm again from scratch */
    CHECK(!confirm_feed(&c, false, 2, 1));
    CHECK_INT(c.state, ST_NODATA);
}

TEST(counters_saturate)
{
    struct confirm c = CONFIRM_INIT;
    for (int i = 0; i < 100000; i++)
        confirm_feed(&c, true, 2, 3);
    CHECK_INT(c.state, ST_UP);
    CHECK(c.oks <= 3);
    for (int i = 0; i < 100000; i++)
        confirm_feed(&c, false, 2, 3);
    CHECK_INT(c.state, ST_DOWN);
    CHECK(c.fails <= 2);
    CHECK_INT(c.oks, 0);
}

int main(void)
{
    RUN(starts_in_no_data);
    RUN(retries_2_needs_two_consecutive_failures);
    RUN(a_success_in_between_resets_the_failures);
    RUN(recover_3_needs_three_consecutive_successes);
    RUN(from_no_data);
    RUN(clamps_zero_and_negative_to_one);
    RUN(pending_failure);
    RUN(reset_returns_to_no_data);
    RUN(counters_saturate);
    return t_done();
}
