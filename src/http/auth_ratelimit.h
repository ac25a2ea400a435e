/*
 * auth_ratelimit — the per-address limit on login and token attempts: a
 * fixed one-minute window per key (auth_rate_key: an IPv4 address or an
 * IPv6 /64), in memory.
 *
 * The table is bounded (cap keys, e.g. 10,000): when it is full, keys whose
 * window has passed are dropped first; if none has, the keys with the oldest
 * window go, so that a flood of addresses costs memory never, and costs an
 * old address at most its count (it starts a fresh window).
 *
 * Threads: a struct ratelimit is shared; rl_hit takes its mutex. The clock is
 * the caller's (now), so the arithmetic is testable with a fixed one.
 */
#ifndef YW_HTTP_AUTH_RATELIMIT_H
#define YW_HTTP_AUTH_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>

#include "core/timeutil.h"

#define RL_WINDOW_MS MS_PER_MIN
#define RL_KEY_MAX 64
#define RL_CAP_DEFAULT 10000

/* One key's window. A zero value is an unused window. */
struct rl_window {
    ms_t start; /* the window is [start, start + RL_WINDOW_MS) */
    int count;  /* hits allowed in it */
};

/* The arithmetic of one hit at now with at most limit hits per window
 * (limit < 1 counts as 1). A window that has passed (or lies in the future:
 * the clock went back) restarts at now. Returns true and counts the hit when
 * allowed; false when the window is full, with *retry_after_s (may be NULL)
 * the whole seconds until it ends (at least 1). A refused hit is not
 * counted: a client that waits as told gets in. */
bool rl_window_hit(struct rl_window *w, ms_t now, int limit, int *retry_after_s);

struct ratelimit;

/* A table of at most cap keys (cap >= 1). */
struct ratelimit *rl_new(size_t cap);
void rl_free(struct ratelimit *rl); /* NULL is a no-op */
/* rl_window_hit for key (cut to RL_KEY_MAX - 1 bytes) under the table's lock. */
bool rl_hit(struct ratelimit *rl, const char *key, ms_t now, int limit, int *retry_after_s);
/* Keys held (for tests). */
size_t rl_size(struct ratelimit *rl);

#endif
