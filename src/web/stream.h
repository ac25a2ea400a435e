/*
 * stream — the broadcaster behind the console's live updates
 * (GET /api/v1/stream, server-sent events).
 *
 * The engine calls web_hub_on_transition (engine_on_transition) on its loop
 * thread for every state change; the hub formats the event once
 *   event: state
 *   data: {"monitor_id":7,"monitor":"portal-home","system":"portal",
 *          "state":"down","since":"2026-11-25T10:00:00+08:00","reason":"HTTP 503"}
 * copies it into a bounded ring under its mutex, and wakes the subscribers
 * waiting for it. Each subscriber (one open stream) reads the ring from where
 * it joined: first "retry: 2000" (the browser's reconnection delay), then the
 * events in order, and "event: ping" every WEB_PING_MS.
 *
 * Bounded everywhere: at most max_subs streams at once (web_sub_open fails
 * with YW_ELIMIT past it: the server answers 503); a ring of `ring` events (a
 * subscriber that falls further behind than that — a burst of thousands of
 * changes, or a client that stops reading — has its stream ended, and the
 * console reconnects and refetches, which is cheaper than replaying the
 * burst); one event at most WEB_EVENT_MAX bytes (a longer reason is cut);
 * a stream lives at most life_ms, then ends so that the browser reconnects
 * and its session is checked again (a stream opened by a session that has
 * since logged out or expired does not go on for ever).
 *
 * Why park/wake and not a blocking read. The HTTP server is libmicrohttpd in
 * "internal polling thread" mode with a thread pool and epoll: one pool
 * thread serves many connections. Its documentation says a content reader
 * may not return 0 in that mode (MHD would call it again at once: a busy
 * loop) and that blocking callbacks block every other connection of that
 * thread; a reader that waited even 250 ms on a condition variable would,
 * since it is called again as soon as its bytes are written, keep a pool
 * thread blocked nearly all the time, and every API request that landed on
 * that thread would wait with it. Raising the pool size does not help: a
 * connection stays on the thread that accepted it. So the reader never
 * blocks: with nothing to send it calls the waker's park (the server's
 * MHD_suspend_connection: the connection leaves the event loop, no thread
 * is held) and returns 0 — the documented way to return 0 — and whoever
 * makes data ready (a publish, the ticker thread for pings and the end of a
 * stream's life, shutdown) calls wake (MHD_resume_connection). park and
 * wake are always called under the hub's mutex, and a sub is woken only
 * while parked, so a wake is never lost nor given twice. A stream therefore
 * costs one connection slot, a few KiB and no thread; the cap of 32 keeps
 * the connections (and per-address slots) for the API.
 * web_sub_wait is the blocking alternative for a caller that owns its
 * thread (tests, a thread-per-connection transport).
 *
 * Threads: every function is thread-safe. One ticker thread per hub (started
 * by web_hub_new, joined by web_hub_free) wakes parked subscribers when a
 * ping or their end is due. Lock order: the engine's hook lock, then the hub
 * mutex, then whatever park/wake take (libmicrohttpd's own locks); park and
 * wake must not call back into the hub.
 *
 * Ownership: web_hub_new/web_hub_free; a struct web_sub is owned by whoever
 * opened it until web_sub_close. web_hub_shutdown ends every stream (their
 * next read returns -1) and is called before the HTTP daemon stops (it must
 * not stop with a suspended connection); web_hub_free only after every
 * subscriber is closed.
 */
#ifndef YW_WEB_STREAM_H
#define YW_WEB_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/err.h"
#include "core/timeutil.h"

struct engine_transition;

#define WEB_STREAMS_MAX 32            /* open streams at once */
#define WEB_RING 1024                 /* events kept for subscribers behind */
#define WEB_EVENT_MAX 2048            /* bytes of one formatted event */
#define WEB_PING_MS (15 * MS_PER_S)   /* "event: ping" this often */
#define WEB_RETRY_MS 2000             /* "retry:" sent first: the browser's reconnect delay */
#define WEB_LIFE_MS (10 * MS_PER_MIN) /* a stream ends after this; the browser reconnects */

struct web_hub_opts {
    size_t max_subs;   /* 1.. */
    size_t ring;       /* 1.. events */
    ms_t ping_ms;      /* > 0 */
    ms_t life_ms;      /* > 0 */
};
#define WEB_HUB_OPTS_INIT {WEB_STREAMS_MAX, WEB_RING, WEB_PING_MS, WEB_LIFE_MS}

/* How a transport parks a stream that has nothing to send and wakes it. Both
 * are called with the hub's mutex held; ctx is the transport's (the MHD
 * connection). A NULL park means the caller does not park (it polls or uses
 * web_sub_wait). */
struct web_waker {
    void (*park)(void *ctx);
    void (*wake)(void *ctx);
    void *ctx;
};

struct web_hub;
struct web_sub;

/* A hub with opts (NULL = WEB_HUB_OPTS_INIT; zero fields take the default)
 * and its ticker thread. Aborts if the thread cannot start (like an
 * allocation failure: the process cannot work without threads). */
struct web_hub *web_hub_new(const struct web_hub_opts *opts);
/* Stops the ticker and frees. Every subscriber must be closed (asserted).
 * NULL is a no-op. */
void web_hub_free(struct web_hub *B);
/* Ends every stream: parked ones are woken, every read from now on returns
 * -1, web_sub_open fails. Idempotent. */
void web_hub_shutdown(struct web_hub *B);

/* Formats t and appends it to the ring (the oldest event drops out when it
 * is full), then wakes the parked subscribers. Never blocks on a client. */
void web_hub_publish(struct web_hub *B, const struct engine_transition *t);
/* The engine hook: web_hub_publish(hub, t). */
void web_hub_on_transition(void *hub, const struct engine_transition *t);
/* An incident was opened or changed: "event: incident" with {"id":N}; the
 * console refetches what it shows. B NULL is a no-op. */
void web_hub_publish_incident(struct web_hub *B, int64_t incident_id);
/* The incident desk's hook: web_hub_publish_incident(hub, id). */
void web_hub_on_incident(void *hub, int64_t incident_id);

/* Counters, for tests and metrics. */
struct web_hub_stats {
    size_t subs;          /* open now */
    uint64_t published;   /* events ever published */
    uint64_t overflows;   /* streams ended because they fell behind the ring */
};
void web_hub_stats(struct web_hub *B, struct web_hub_stats *out);

/* Opens a stream that will see the events published from now on. NULL with
 * err YW_ELIMIT when max_subs are open, YW_EIO after web_hub_shutdown.
 * When full it also wakes every parked stream to write an SSE comment
 * (":"): a client that left while its stream was parked is noticed only at
 * a write, so this frees the places of the departed within moments, and a
 * retry a second later finds one (hence the short Retry-After). */
struct web_sub *web_sub_open(struct web_hub *B, struct yw_err *err);
/* Ends the stream no later than ms from now (a session's expiry: a stream
 * must not outlive the credentials it was opened with). Only shortens. */
void web_sub_limit(struct web_sub *s, ms_t ms);
/* Copies at most max bytes of the stream into out and returns how many
 * (> 0; events may be split across reads, never reordered). With nothing to
 * send: calls w->park (when w and w->park are set; the sub is then woken
 * through w->wake once, when something is ready) and returns 0. Returns -1
 * when the stream has ended: shutdown, its life is over, or it fell more
 * than the ring behind. max 0 returns 0 without parking. */
ssize_t web_sub_read(struct web_sub *s, char *out, size_t max, const struct web_waker *w);
/* Blocks until the stream has something for web_sub_read (bytes or its
 * end) or timeout_ms pass. 1 when ready, 0 on timeout. */
int web_sub_wait(struct web_sub *s, ms_t timeout_ms);
/* Leaves the hub and frees s. NULL is a no-op. */
void web_sub_close(struct web_sub *s);

#endif
