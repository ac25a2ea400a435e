/*
 * loop — the one event loop that drives every probe: epoll for file
 * descriptors, a min-heap of timers (epoll_wait's timeout is the earliest
 * due timer), and an eventfd so other threads can wake it.
 *
 * Single-threaded: every function here except loop_wake() must be called on
 * the loop's thread (or before loop_run starts). Callbacks run on that thread
 * and must not block. Times are time_mono_ms() milliseconds.
 */
#ifndef YW_SCHED_LOOP_H
#define YW_SCHED_LOOP_H

#include <stdint.h>

#include "core/timeutil.h"

struct loop;
struct loop_timer; /* opaque handle, valid until it fires or is cancelled */

typedef void (*loop_io_fn)(struct loop *L, int fd, uint32_t events, void *arg);
typedef void (*loop_timer_fn)(struct loop *L, void *arg);
typedef void (*loop_wake_fn)(struct loop *L, void *arg);

/* Returns NULL (errno set) if epoll or eventfd cannot be created. */
struct loop *loop_new(void);
/* Frees timers (without firing them); fds registered are not closed. */
void loop_free(struct loop *L);

/* events: EPOLLIN/EPOLLOUT... Returns -1 on failure (errno set). An fd can be
 * registered once; loop_mod_fd changes its events, loop_del_fd removes it
 * (call before closing the fd). */
int loop_add_fd(struct loop *L, int fd, uint32_t events, loop_io_fn fn, void *arg);
int loop_mod_fd(struct loop *L, int fd, uint32_t events);
void loop_del_fd(struct loop *L, int fd);

/* Fires fn(arg) once at or after due (monotonic ms). Never fails. */
struct loop_timer *loop_timer_at(struct loop *L, ms_t due, loop_timer_fn fn, void *arg);
/* Cancelling a timer that already fired is a bug (its handle is gone). */
void loop_timer_cancel(struct loop *L, struct loop_timer *t);

/* fn runs on the loop thread after any loop_wake() call (coalesced). */
void loop_on_wake(struct loop *L, loop_wake_fn fn, void *arg);
/* Thread-safe, async-signal-safe. */
void loop_wake(struct loop *L);

/* Runs until loop_stop. Returns 0, or -1 if epoll_wait fails for a reason other than EINTR. */
int loop_run(struct loop *L);
void loop_stop(struct loop *L);   /* loop thread only; takes effect after the current callback */
ms_t loop_now(struct loop *L);    /* monotonic time of the current iteration */

#endif
