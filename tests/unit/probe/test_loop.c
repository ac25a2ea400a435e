/* Unit tests of the event loop: timer order and cancel (also at scale),
 * wake-up from another thread, fd readiness and stale events. */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "sched/loop.h"
#include "t.h"

/* ---- order and cancel ---- */

static int order[64];
static int norder;

struct tag {
    int id;
    int stop_after; /* stop the loop when norder reaches this */
};

static void record(struct loop *L, void *arg)
{
    struct tag *t = arg;
    order[norder++] = t->id;
    if (t->stop_after && norder >= t->stop_after)
        loop_stop(L);
}

static void stop_cb(struct loop *L, void *arg)
{
    loop_stop(L);
}

TEST(timers_fire_in_due_order_ties_in_set_order)
{
    struct loop *L = loop_new();
    CHECK(L != NULL);
    norder = 0;
    ms_t now = time_mono_ms();
    struct tag a = {1, 0}, b = {2, 0}, c = {3, 0}, d = {4, 0}, e = {5, 0};
    loop_timer_at(L, now + 30, record, &a);
    loop_timer_at(L, now + 10, record, &b);
    loop_timer_at(L, now + 20, record, &c);
    loop_timer_at(L, now + 10, record, &d);  /* same due as b: after b */
    loop_timer_at(L, now - 100, record, &e); /* in the past: at once */
    loop_timer_at(L, now + 40, stop_cb, NULL);
    CHECK_INT(loop_run(L), 0);
    CHECK_INT(norder, 5);
    CHECK_INT(order[0], 5);
    CHECK_INT(order[1], 2);
    CHECK_INT(order[2], 4);
    CHECK_INT(order[3], 3);
    CHECK_INT(order[4], 1);
    CHECK(time_mono_ms() - now >= 40);
    loop_free(L);
}

static ms_t fired_at[4];
static void stamp(struct loop *L, void *arg)
{
    fired_at[(intptr_t)arg] = time_mono_ms();
}

/* A sleeping loop wakes on a 10 ms grid: never early, at most a grid step
 * (plus scheduling) late, and timers due within one step fire together. */
TEST(timers_never_fire_early_and_coalesce)
{
    struct loop *L = loop_new();
    ms_t now = time_mono_ms();
    ms_t due[3] = {now + 13, now + 15, now + 31};
    for (intptr_t i = 0; i < 3; i++)
        loop_timer_at(L, due[i], stamp, (void *)i);
    loop_timer_at(L, now + 45, stop_cb, NULL);
    loop_run(L);
    /* Never early, and in due order. How late depends on the machine's load,
     * which a test must not assert on. */
    for (int i = 0; i < 3; i++) {
        CHECK(fired_at[i] >= due[i]);
        if (i > 0)
            CHECK(fired_at[i] >= fired_at[i - 1]);
    }
    loop_free(L);
}

TEST(cancelled_timers_never_fire)
{
    struct loop *L = loop_new();
    norder = 0;
    ms_t now = time_mono_ms();
    struct tag t[6];
    struct loop_timer *h[6];
    for (int i = 0; i < 6; i++) {
        t[i] = (struct tag){i + 1, 0};
        h[i] = loop_timer_at(L, now + 5 * (i + 1), record, &t[i]);
    }
    loop_timer_cancel(L, h[0]); /* the heap's top */
    loop_timer_cancel(L, h[3]); /* a middle one */
    loop_timer_cancel(L, h[5]); /* the last */
    loop_timer_at(L, now + 40, stop_cb, NULL);
    loop_run(L);
    CHECK_INT(norder, 3);
    CHECK_INT(order[0], 2);
    CHECK_INT(order[1], 3);
    CHECK_INT(order[2], 5);
    loop_free(L);
}

/* ---- many timers ---- */

struct big {
    ms_t due;
    long seq;
    bool cancelled, fired;
    struct loop_timer *h;
};

static struct big *bigs;
static ms_t last_due;
static long last_seq;
static int big_fired, big_bad;

static void big_cb(struct loop *L, void *arg)
{
    struct big *b = arg;
    if (b->cancelled || b->fired)
        big_bad++;
    if (b->due < last_due || (b->due == last_due && b->seq < last_seq))
        big_bad++;
    last_due = b->due;
    last_seq = b->seq;
    b->fired = true;
    b->h = NULL;
    big_fired++;
}

TEST(twenty_thousand_timers_with_random_cancels)
{
    enum { N = 20000 };
    struct loop *L = loop_new();
    bigs = xcalloc(N, sizeof *bigs);
    srand(12345);
    /* Due times in the past, so the whole set fires in one iteration and the
     * test stays fast; order is checked on (due, set order). */
    ms_t base = time_mono_ms() - 10000;
    for (int i = 0; i < N; i++) {
        bigs[i].due = base + rand() % 5000;
        bigs[i].seq = i;
        bigs[i].h = loop_timer_at(L, bigs[i].due, big_cb, &bigs[i]);
    }
    int cancelled = 0;
    for (int i = 0; i < N; i++) {
        if (rand() % 3 == 0) {
            loop_timer_cancel(L, bigs[i].h);
            bigs[i].cancelled = true;
            bigs[i].h = NULL;
            cancelled++;
        }
    }
    last_due = 0;
    last_seq = -1;
    big_fired = big_bad = 0;
    loop_timer_at(L, time_mono_ms() + 1, stop_cb, NULL);
    ms_t t0 = time_mono_ms();
    loop_run(L);
    CHECK_INT(big_bad, 0);
    CHECK_INT(big_fired, N - cancelled);
    CHECK(time_mono_ms() - t0 < 2000);
    xfree(bigs);
    loop_free(L);
}

TEST(loop_free_drops_pending_timers)
{
    struct loop *L = loop_new();
    norder = 0;
    struct tag a = {1, 0};
    for (int i = 0; i < 100; i++)
        loop_timer_at(L, time_mono_ms() + 100000 + i, record, &a);
    loop_free(L); /* ASan: nothing leaks, nothing fires */
    CHECK_INT(norder, 0);
}

/* A callback re-arming itself at "now" must not starve file descriptors. */
static int rearms;
static void rearm_cb(struct loop *L, void *arg)
{
    rearms++;
    loop_timer_at(L, loop_now(L), rearm_cb, arg);
}

static void read_and_stop(struct loop *L, int fd, uint32_t events, void *arg)
{
    char c;
    if (read(fd, &c, 1) == 1)
        *(int *)arg += 1;
    loop_stop(L);
}

TEST(zero_delay_rearm_does_not_starve_fds)
{
    struct loop *L = loop_new();
    int p[2];
    CHECK_INT(pipe(p), 0);
    int got = 0;
    CHECK_INT(loop_add_fd(L, p[0], EPOLLIN, read_and_stop, &got), 0);
    CHECK_INT(write(p[1], "x", 1), 1);
    rearms = 0;
    loop_timer_at(L, loop_now(L), rearm_cb, NULL);
    loop_run(L);
    CHECK_INT(got, 1);
    CHECK(rearms < 5);
    loop_del_fd(L, p[0]);
    close(p[0]);
    close(p[1]);
    loop_free(L);
}

TEST(stop_takes_effect_after_current_callback)
{
    struct loop *L = loop_new();
    norder = 0;
    ms_t now = time_mono_ms() - 1;
    struct tag a = {1, 1}, b = {2, 0};
    loop_timer_at(L, now, record, &a); /* stops */
    loop_timer_at(L, now, record, &b); /* due, but after the stop */
    loop_run(L);
    CHECK_INT(norder, 1);
    /* Running again picks up where it stopped. */
    loop_timer_at(L, time_mono_ms() + 5, stop_cb, NULL);
    loop_run(L);
    CHECK_INT(norder, 2);
    CHECK_INT(order[1], 2);
    loop_free(L);
}

/* ---- wake from another thread ---- */

static int wakes;
static void on_wake(struct loop *L, void *arg)
{
    wakes++;
    loop_stop(L);
}

static void *waker(void *arg)
{
    struct timespec ts = {0, 50 * 1000000};
    nanosleep(&ts, NULL);
    for (int i = 0; i < 5; i++)
        loop_wake(arg);
    return NULL;
}

TEST(wake_from_another_thread)
{
    struct loop *L = loop_new();
    loop_on_wake(L, on_wake, NULL);
    wakes = 0;
    pthread_t th;
    ms_t t0 = time_mono_ms();
    CHECK_INT(pthread_create(&th, NULL, waker, L), 0);
    /* No timers, no fds: only the wake can end this run. */
    loop_run(L);
    pthread_join(th, NULL);
    ms_t took = time_mono_ms() - t0;
    CHECK(took >= 45 && took < 2000);
    CHECK(wakes >= 1 && wakes <= 5); /* coalesced */
    loop_free(L);
}

/* ---- fds ---- */

static int pipes[2][2];
static int calls[2];

static void one_of_two(struct loop *L, int fd, uint32_t events, void *arg)
{
    int me = (int)(intptr_t)arg;
    calls[me]++;
    /* Whichever runs first removes the other, whose event is already in
     * this batch: it must be dropped. */
    loop_del_fd(L, pipes[1 - me][0]);
    loop_stop(L);
}

TEST(deleted_fd_events_in_the_same_batch_are_dropped)
{
    struct loop *L = loop_new();
    for (int i = 0; i < 2; i++) {
        CHECK_INT(pipe(pipes[i]), 0);
        CHECK_INT(write(pipes[i][1], "x", 1), 1);
        CHECK_INT(loop_add_fd(L, pipes[i][0], EPOLLIN, one_of_two, (void *)(intptr_t)i), 0);
    }
    calls[0] = calls[1] = 0;
    loop_run(L);
    CHECK_INT(calls[0] + calls[1], 1);
    for (int i = 0; i < 2; i++) {
        loop_del_fd(L, pipes[i][0]);
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    loop_free(L);
}

static void write_later(struct loop *L, void *arg)
{
    int fd = *(int *)arg;
    CHECK_INT(write(fd, "y", 1), 1);
}

static int writable_seen;
static void on_writable(struct loop *L, int fd, uint32_t events, void *arg)
{
    if (events & EPOLLOUT)
        writable_seen++;
    loop_mod_fd(L, fd, 0); /* stop asking */
}

TEST(fd_readiness_add_mod_del)
{
    struct loop *L = loop_new();
    int p[2];
    CHECK_INT(pipe(p), 0);
    int got = 0;
    CHECK_INT(loop_add_fd(L, p[0], EPOLLIN, read_and_stop, &got), 0);
    /* A second registration of the same fd is refused. */
    CHECK_INT(loop_add_fd(L, p[0], EPOLLIN, read_and_stop, &got), -1);
    CHECK_INT(loop_mod_fd(L, 12345, EPOLLIN), -1); /* never registered */
    ms_t t0 = time_mono_ms();
    loop_timer_at(L, t0 + 20, write_later, &p[1]);
    loop_run(L);
    CHECK_INT(got, 1);
    CHECK(time_mono_ms() - t0 >= 20);

    writable_seen = 0;
    CHECK_INT(loop_add_fd(L, p[1], EPOLLOUT, on_writable, NULL), 0);
    loop_timer_at(L, time_mono_ms() + 20, stop_cb, NULL);
    loop_run(L);
    CHECK_INT(writable_seen, 1);

    /* After del, readiness is no longer reported. */
    loop_del_fd(L, p[0]);
    loop_del_fd(L, p[0]); /* twice is harmless */
    CHECK_INT(write(p[1], "z", 1), 1);
    got = 0;
    loop_timer_at(L, time_mono_ms() + 20, stop_cb, NULL);
    loop_run(L);
    CHECK_INT(got, 0);
    loop_del_fd(L, p[1]);
    close(p[0]);
    close(p[1]);
    loop_free(L);
}

/* An owner that closed an fd without loop_del_fd and got the same number
 * back can re-register it (the kernel dropped the old registration). */
TEST(closed_and_reopened_fd_can_be_registered_again)
{
    struct loop *L = loop_new();
    int p[2];
    CHECK_INT(pipe(p), 0);
    int got = 0;
    CHECK_INT(loop_add_fd(L, p[0], EPOLLIN, read_and_stop, &got), 0);
    int num = p[0];
    close(p[0]);
    int q[2];
    CHECK_INT(pipe(q), 0);
    CHECK_INT(q[0], num); /* lowest free number */
    CHECK_INT(loop_mod_fd(L, q[0], EPOLLIN), 0);
    CHECK_INT(write(q[1], "x", 1), 1);
    loop_timer_at(L, time_mono_ms() + 2000, stop_cb, NULL);
    loop_run(L);
    CHECK_INT(got, 1);
    loop_del_fd(L, q[0]);
    close(q[0]);
    close(q[1]);
    close(p[1]);
    loop_free(L);
}

TEST(many_fds)
{
    enum { N = 400 };
    struct loop *L = loop_new();
    static int fds[N][2];
    int got = 0;
    int ok = 0;
    for (int i = 0; i < N; i++) {
        if (pipe(fds[i]) != 0)
            break;
        ok++;
        loop_add_fd(L, fds[i][0], EPOLLIN, read_and_stop, &got);
    }
    CHECK_INT(ok, N);
    CHECK_INT(write(fds[N / 2][1], "x", 1), 1);
    loop_timer_at(L, time_mono_ms() + 2000, stop_cb, NULL);
    loop_run(L);
    CHECK_INT(got, 1);
    for (int i = 0; i < ok; i++) {
        loop_del_fd(L, fds[i][0]);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    loop_free(L);
}

int main(void)
{
    RUN(timers_fire_in_due_order_ties_in_set_order);
    RUN(timers_never_fire_early_and_coalesce);
    RUN(cancelled_timers_never_fire);
    RUN(twenty_thousand_timers_with_random_cancels);
    RUN(loop_free_drops_pending_timers);
    RUN(zero_delay_rearm_does_not_starve_fds);
    RUN(stop_takes_effect_after_current_callback);
    RUN(wake_from_another_thread);
    RUN(deleted_fd_events_in_the_same_batch_are_dropped);
    RUN(fd_readiness_add_mod_del);
    RUN(closed_and_reopened_fd_can_be_registered_again);
    RUN(many_fds);
    return t_done();
}
