/*
 * loop — epoll + a binary min-heap of timers + an eventfd for wake-ups.
 *
 * File descriptors live in a table indexed by fd. Each registration carries a
 * generation number, also stored in the epoll event, so an event that was
 * already fetched for an fd that a callback deleted (and maybe re-added for a
 * different owner) in the same batch is recognised as stale and dropped.
 *
 * Timers are ordered by (due, seq): equal due times fire in the order they
 * were set. A sleeping loop wakes on a 10 ms grid (LOOP_COALESCE_MS), so a
 * timer fires at most that much after its due time. Each timer stores its heap index, so cancel is O(log n). Timer
 * structs are recycled through a bounded free list, because the probes set
 * and cancel several timers per check and malloc would be the dominant cost.
 */
#include "sched/loop.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/mem.h"

#define LOOP_MAX_EVENTS 512
/* Free timers kept for reuse; past this they go back to malloc, so a burst
 * does not pin memory forever. */
#define LOOP_TIMER_FREE_MAX 16384
/* Sleeping timers wake on a 10 ms grid of the monotonic clock. 10,000
 * monitors at 10 s intervals are 1,000 due times a second: waking for each
 * costs a context switch apiece, and on virtual machines that was the larger
 * part of the CPU the probes used. On the grid they fire in batches, at most
 * 100 wake-ups a second, for a lateness of 5 ms on average, 10 at most
 * (the budget is 100 ms at p99). Timers already due never wait. */
#define LOOP_COALESCE_MS 10

struct loop_timer {
    ms_t due;
    uint64_t seq;
    size_t idx;           /* position in the heap; SIZE_MAX when not queued */
    loop_timer_fn fn;
    void *arg;
    struct loop_timer *next_free;
};

struct fdslot {
    loop_io_fn fn;
    void *arg;
    uint32_t events;
    uint32_t gen;         /* bumped on every add/del, checked against events */
    bool used;
};

struct loop {
    int ep;
    int wakefd;
    bool stop;
    ms_t now;

    struct fdslot *fds;
    size_t nfds;          /* slots allocated (max fd + 1 seen) */

    struct loop_timer **heap;
    size_t nheap, capheap;
    uint64_t seq;
    struct loop_timer *free_timers;
    size_t nfree;

    loop_wake_fn wake_fn;
    void *wake_arg;

    struct epoll_event events[LOOP_MAX_EVENTS];
};

/* ---- timers: heap ordered by (due, seq) ---- */

static bool timer_before(const struct loop_timer *a, const struct loop_timer *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void heap_set(struct loop *L, size_t i, struct loop_timer *t)
{
    L->heap[i] = t;
    t->idx = i;
}

static void sift_up(struct loop *L, size_t i)
{
    struct loop_timer *t = L->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!timer_before(t, L->heap[parent]))
            break;
        heap_set(L, i, L->heap[parent]);
        i = parent;
    }
    heap_set(L, i, t);
}

static void sift_down(struct loop *L, size_t i)
{
    struct loop_timer *t = L->heap[i];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        const struct loop_timer *best = t;
        if (l < L->nheap && timer_before(L->heap[l], best)) {
            m = l;
            best = L->heap[l];
        }
        if (r < L->nheap && timer_before(L->heap[r], best))
            m = r;
        if (m == i)
            break;
        heap_set(L, i, L->heap[m]);
        i = m;
    }
    heap_set(L, i, t);
}

static void heap_remove(struct loop *L, struct loop_timer *t)
{
    size_t i = t->idx;
    assert(i < L->nheap && L->heap[i] == t);
    L->nheap--;
    if (i != L->nheap) {
        heap_set(L, i, L->heap[L->nheap]);
        /* The moved timer may belong above or below its new place. */
        if (i > 0 && timer_before(L->heap[i], L->heap[(i - 1) / 2]))
            sift_up(L, i);
        else
            sift_down(L, i);
    }
    t->idx = SIZE_MAX;
}

static void timer_release(struct loop *L, struct loop_timer *t)
{
    t->fn = NULL;
    t->arg = NULL;
    if (L->nfree < LOOP_TIMER_FREE_MAX) {
        t->next_free = L->free_timers;
        L->free_timers = t;
        L->nfree++;
    } else {
        xfree(t);
    }
}

struct loop_timer *loop_timer_at(struct loop *L, ms_t due, loop_timer_fn fn, void *arg)
{
    struct loop_timer *t = L->free_timers;
    if (t) {
        L->free_timers = t->next_free;
        L->nfree--;
    } else {
        t = xmalloc(sizeof *t);
    }
    t->due = due;
    t->seq = L->seq++;
    t->fn = fn;
    t->arg = arg;
    t->next_free = NULL;
    XGROW(L->heap, L->capheap, L->nheap + 1);
    heap_set(L, L->nheap++, t);
    sift_up(L, t->idx);
    return t;
}

void loop_timer_cancel(struct loop *L, struct loop_timer *t)
{
    if (!t)
        return;
    heap_remove(L, t);
    timer_release(L, t);
}

/* ---- file descriptors ---- */

static uint64_t ev_data(int fd, uint32_t gen)
{
    return ((uint64_t)gen << 32) | (uint32_t)fd;
}

static struct fdslot *slot_for(struct loop *L, int fd)
{
    if (fd < 0)
        return NULL;
    size_t need = (size_t)fd + 1;
    if (need > L->nfds) {
        size_t old = L->nfds;
        size_t n = old ? old : 64;
        while (n < need)
            n *= 2;
        L->fds = xrealloc(L->fds, n * sizeof *L->fds);
        memset(L->fds + old, 0, (n - old) * sizeof *L->fds);
        L->nfds = n;
    }
    return &L->fds[fd];
}

int loop_add_fd(struct loop *L, int fd, uint32_t events, loop_io_fn fn, void *arg)
{
    struct fdslot *s = slot_for(L, fd);
    if (!s) {
        errno = EBADF;
        return -1;
    }
    uint32_t gen = s->gen + 1;
    struct epoll_event ev = {.events = events, .data.u64 = ev_data(fd, gen)};
    /* A slot still marked used whose fd was closed without loop_del_fd (the
     * kernel then dropped it from epoll by itself) is taken over: the ADD
     * succeeds. A live duplicate registration fails with EEXIST. */
    if (epoll_ctl(L->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
        return -1;
    s->fn = fn;
    s->arg = arg;
    s->events = events;
    s->gen = gen;
    s->used = true;
    return 0;
}

int loop_mod_fd(struct loop *L, int fd, uint32_t events)
{
    if (fd < 0 || (size_t)fd >= L->nfds || !L->fds[fd].used) {
        errno = ENOENT;
        return -1;
    }
    struct fdslot *s = &L->fds[fd];
    struct epoll_event ev = {.events = events, .data.u64 = ev_data(fd, s->gen)};
    if (epoll_ctl(L->ep, EPOLL_CTL_MOD, fd, &ev) != 0) {
        /* The owner closed and reopened the same fd number without telling
         * us (libpq does while trying addresses): the kernel forgot the old
         * registration, so register the new file under the same owner. */
        if (errno != ENOENT || epoll_ctl(L->ep, EPOLL_CTL_ADD, fd, &ev) != 0)
            return -1;
    }
    s->events = events;
    return 0;
}

void loop_del_fd(struct loop *L, int fd)
{
    if (fd < 0 || (size_t)fd >= L->nfds || !L->fds[fd].used)
        return;
    struct fdslot *s = &L->fds[fd];
    /* Fails harmlessly (EBADF/ENOENT) if the fd was already closed. */
    (void)epoll_ctl(L->ep, EPOLL_CTL_DEL, fd, NULL);
    s->used = false;
    s->fn = NULL;
    s->arg = NULL;
    s->gen++;
}

/* ---- wake ---- */

static void on_wakefd(struct loop *L, int fd, uint32_t events, void *arg)
{
    uint64_t v;
    /* Drain the counter; several wakes coalesce into one callback. */
    while (read(fd, &v, sizeof v) == (ssize_t)sizeof v)
        ;
    if (L->wake_fn)
        L->wake_fn(L, L->wake_arg);
}

void loop_on_wake(struct loop *L, loop_wake_fn fn, void *arg)
{
    L->wake_fn = fn;
    L->wake_arg = arg;
}

void loop_wake(struct loop *L)
{
    uint64_t one = 1;
    /* EAGAIN means the counter is saturated: a wake is pending anyway. */
    ssize_t n = write(L->wakefd, &one, sizeof one);
    (void)n;
}

/* ---- life cycle and running ---- */

struct loop *loop_new(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0)
        return NULL;
    int wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wfd < 0) {
        int e = errno;
        close(ep);
        errno = e;
        return NULL;
    }
    struct loop *L = xcalloc(1, sizeof *L);
    L->ep = ep;
    L->wakefd = wfd;
    L->now = time_mono_ms();
    if (loop_add_fd(L, wfd, EPOLLIN, on_wakefd, NULL) != 0) {
        int e = errno;
        loop_free(L);
        errno = e;
        return NULL;
    }
    return L;
}

void loop_free(struct loop *L)
{
    if (!L)
        return;
    for (size_t i = 0; i < L->nheap; i++)
        xfree(L->heap[i]);
    while (L->free_timers) {
        struct loop_timer *t = L->free_timers;
        L->free_timers = t->next_free;
        xfree(t);
    }
    xfree(L->heap);
    xfree(L->fds);
    close(L->wakefd);
    close(L->ep);
    xfree(L);
}

void loop_stop(struct loop *L)
{
    L->stop = true;
}

ms_t loop_now(struct loop *L)
{
    return L->now;
}

static int wait_ms(struct loop *L)
{
    if (L->nheap == 0)
        return -1;
    ms_t due = L->heap[0]->due;
    if (due <= L->now)
        return 0;
    /* Sleep to the next grid point at or after the due time, so timers
     * due close together fire in one wake-up (see LOOP_COALESCE_MS). */
    due = (due + LOOP_COALESCE_MS - 1) / LOOP_COALESCE_MS * LOOP_COALESCE_MS;
    ms_t d = due - L->now;
    return d > INT_MAX ? INT_MAX : (int)d;
}

static void run_timers(struct loop *L)
{
    /* Timers set by the callbacks below, even with a due time already past,
     * wait for the next iteration: a callback that re-arms itself at "now"
     * cannot starve the file descriptors. */
    uint64_t limit = L->seq;
    while (L->nheap && !L->stop) {
        struct loop_timer *t = L->heap[0];
        if (t->due > L->now || t->seq >= limit)
            break;
        heap_remove(L, t);
        loop_timer_fn fn = t->fn;
        void *arg = t->arg;
        /* Released before the call: the handle is dead once it fires, and the
         * callback may set new timers that reuse this struct. */
        timer_release(L, t);
        fn(L, arg);
    }
}

int loop_run(struct loop *L)
{
    L->stop = false;
    while (!L->stop) {
        L->now = time_mono_ms();
        int n = epoll_wait(L->ep, L->events, LOOP_MAX_EVENTS, wait_ms(L));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        L->now = time_mono_ms();
        for (int i = 0; i < n && !L->stop; i++) {
            uint64_t d = L->events[i].data.u64;
            int fd = (int)(uint32_t)d;
            uint32_t gen = (uint32_t)(d >> 32);
            if ((size_t)fd >= L->nfds)
                continue;
            struct fdslot *s = &L->fds[fd];
            if (!s->used || s->gen != gen)
                continue; /* deleted (maybe re-added) by an earlier callback */
            s->fn(L, fd, L->events[i].events, s->arg);
        }
        run_timers(L);
    }
    return 0;
}
