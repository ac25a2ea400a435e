/* The live-update broadcaster: see stream.h. Everything below that touches
 * the ring or a subscriber holds B->mu. */
#include "web/stream.h"

#include <assert.h>
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "kpi/avail.h"
#include "sched/engine.h"

/* A reason longer than this is cut (at a UTF-8 boundary) so that an event
 * always fits WEB_EVENT_MAX: names are at most 64 bytes, and JSON escaping
 * at most sextuples a byte. */
#define REASON_CUT 200

struct ev {
    size_t len;
    char text[WEB_EVENT_MAX];
};

struct web_sub {
    struct web_hub *B;
    struct web_sub *prev, *next;
    uint64_t next_seq;      /* the next ring event to send */
    char cur[WEB_EVENT_MAX];/* the piece being sent: preamble, an event or a ping */
    size_t cur_len, cur_off;
    ms_t next_ping, end_at; /* monotonic */
    bool probe;             /* send a comment line: is the client still there? */
    bool parked;
    struct web_waker w;     /* valid while parked */
};

struct web_hub {
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* broadcast on publish, shutdown, close and stop */
    struct ev *ring;
    size_t cap;
    uint64_t next_seq;      /* seq of the next event published; ring[seq % cap] */
    struct web_sub *subs;
    size_t nsubs, max_subs;
    ms_t ping_ms, life_ms;
    bool closed;            /* web_hub_shutdown: every stream ends */
    bool stop;              /* web_hub_free: the ticker exits */
    pthread_t ticker;
    uint64_t overflows;
};

/* ---- helpers (B->mu held) -------------------------------------------------- */

static uint64_t oldest_seq(const struct web_hub *B)
{
    return B->next_seq > B->cap ? B->next_seq - B->cap : 0;
}

/* Whether a read would give bytes or the end. */
static bool ready(const struct web_sub *s, ms_t now)
{
    const struct web_hub *B = s->B;
    return B->closed || now >= s->end_at || s->cur_off < s->cur_len ||
           s->next_seq < B->next_seq || now >= s->next_ping || s->probe;
}

static void wake_sub(struct web_sub *s)
{
    if (!s->parked)
        return;
    s->parked = false;
    if (s->w.wake)
        s->w.wake(s->w.ctx);
}

static void abs_deadline(ms_t mono_ms, struct timespec *ts)
{
    ts->tv_sec = (time_t)(mono_ms / 1000);
    ts->tv_nsec = (long)(mono_ms % 1000) * 1000000L;
}

/* ---- the ticker: pings and ends for parked streams --------------------------- */

static void *ticker_main(void *arg)
{
    struct web_hub *B = arg;
    pthread_mutex_lock(&B->mu);
    while (!B->stop) {
        ms_t now = time_mono_ms();
        ms_t next = now + MS_PER_S; /* at least once a second, whatever happens */
        for (struct web_sub *s = B->subs; s; s = s->next) {
            if (!s->parked)
                continue;
            ms_t due = s->next_ping < s->end_at ? s->next_ping : s->end_at;
            if (now >= due)
                wake_sub(s);
            else if (due < next)
                next = due;
        }
        struct timespec ts;
        abs_deadline(next, &ts);
        pthread_cond_timedwait(&B->cv, &B->mu, &ts);
    }
    pthread_mutex_unlock(&B->mu);
    return NULL;
}

/* ---- the hub ------------------------------------------------------------------ */

struct web_hub *web_hub_new(const struct web_hub_opts *opts)
{
    struct web_hub_opts o = WEB_HUB_OPTS_INIT;
    if (opts) {
        if (opts->max_subs)
            o.max_subs = opts->max_subs;
        if (opts->ring)
            o.ring = opts->ring;
        if (opts->ping_ms > 0)
            o.ping_ms = opts->ping_ms;
        if (opts->life_ms > 0)
            o.life_ms = opts->life_ms;
    }
    struct web_hub *B = xcalloc(1, sizeof *B);
    B->cap = o.ring;
    B->ring = xcalloc(B->cap, sizeof *B->ring);
    B->max_subs = o.max_subs;
    B->ping_ms = o.ping_ms;
    B->life_ms = o.life_ms;
    pthread_mutex_init(&B->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&B->cv, &ca);
    pthread_condattr_destroy(&ca);
    int rc = pthread_create(&B->ticker, NULL, ticker_main, B);
    if (rc != 0) {
        fprintf(stderr, "yunwei: cannot start the event stream thread: %s\n", strerror(rc));
        abort();
    }
    return B;
}

void web_hub_free(struct web_hub *B)
{
    if (!B)
        return;
    pthread_mutex_lock(&B->mu);
    assert(B->nsubs == 0 && "web_hub_free with streams open");
    B->stop = true;
    B->closed = true;
    pthread_cond_broadcast(&B->cv);
    pthread_mutex_unlock(&B->mu);
    pthread_join(B->ticker, NULL);
    pthread_cond_destroy(&B->cv);
    pthread_mutex_destroy(&B->mu);
    xfree(B->ring);
    xfree(B);
}

void web_hub_shutdown(struct web_hub *B)
{
    if (!B)
        return;
    pthread_mutex_lock(&B->mu);
    B->closed = true;
    for (struct web_sub *s = B->subs; s; s = s->next)
        wake_sub(s);
    pthread_cond_broadcast(&B->cv);
    pthread_mutex_unlock(&B->mu);
}

/* The longest prefix of s of at most max bytes that does not split a UTF-8
 * sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n <= max)
        return n;
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
        max--;
    return max;
}

/* "event: state\ndata: {...}\n\n" into e; false if it does not fit. */
static bool format_event(const struct engine_transition *t, size_t reason_max, struct ev *e)
{
    char since[64];
    time_format_rfc3339(t->at, since, sizeof since);
    json_t *reason = json_null();
    if (t->reason)
        reason = json_stringn_nocheck(t->reason, utf8_cut(t->reason, reason_max));
    json_t *j = json_object();
    json_object_set_new(j, "monitor_id", json_integer(t->monitor_id));
    json_object_set_new(j, "monitor", t->monitor ? json_string(t->monitor) : json_null());
    json_object_set_new(j, "system", t->system ? json_string(t->system) : json_null());
    json_object_set_new(j, "state", json_string(mstate_name(t->state)));
    json_object_set_new(j, "since", json_string(since));
    json_object_set_new(j, "reason", reason ? reason : json_null());
    char *data = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!data) /* an invalid UTF-8 name or reason: the engine never sends one */
        return false;
    int n = snprintf(e->text, sizeof e->text, "event: state\ndata: %s\n\n", data);
    free(data);
    if (n < 0 || (size_t)n >= sizeof e->text)
        return false;
    e->len = (size_t)n;
    return true;
}

static void push_event(struct web_hub *B, const struct ev *e);

void web_hub_publish(struct web_hub *B, const struct engine_transition *t)
{
    struct ev e;
    /* Formatted before taking the lock: the loop thread holds the hub's
     * mutex only for the copy. */
    if (!format_event(t, REASON_CUT, &e) && !format_event(t, 0, &e)) {
        log_warn("stream: state change of monitor %lld not sent: cannot encode it",
                 (long long)t->monitor_id);
        return;
    }
    push_event(B, &e);
}

void web_hub_publish_incident(struct web_hub *B, int64_t incident_id)
{
    if (!B)
        return;
    struct ev e;
    int n = snprintf(e.text, sizeof e.text, "event: incident\ndata: {\"id\":%lld}\n\n",
                     (long long)incident_id);
    if (n < 0 || (size_t)n >= sizeof e.text)
        return;
    e.len = (size_t)n;
    push_event(B, &e);
}

void web_hub_on_incident(void *hub, int64_t incident_id)
{
    web_hub_publish_incident(hub, incident_id);
}

static void push_event(struct web_hub *B, const struct ev *e)
{
    pthread_mutex_lock(&B->mu);
    struct ev *slot = &B->ring[B->next_seq % B->cap];
    memcpy(slot->text, e->text, e->len);
    slot->len = e->len;
    B->next_seq++;
    for (struct web_sub *s = B->subs; s; s = s->next)
        wake_sub(s);
    pthread_cond_broadcast(&B->cv);
    pthread_mutex_unlock(&B->mu);
}

void web_hub_on_transition(void *hub, const struct engine_transition *t)
{
    web_hub_publish(hub, t);
}

void web_hub_stats(struct web_hub *B, struct web_hub_stats *out)
{
    pthread_mutex_lock(&B->mu);
    out->subs = B->nsubs;
    out->published = B->next_seq;
    out->overflows = B->overflows;
    pthread_mutex_unlock(&B->mu);
}

/* ---- subscribers ----------------------------------------------------------------- */

struct web_sub *web_sub_open(struct web_hub *B, struct yw_err *err)
{
    pthread_mutex_lock(&B->mu);
    if (B->closed) {
        pthread_mutex_unlock(&B->mu);
        yw_fail(err, YW_EIO, "the server is stopping");
        return NULL;
    }
    if (B->nsubs >= B->max_subs) {
        /* A client that went away while its stream was parked is only
         * noticed at the next write (libmicrohttpd does not watch a
         * suspended connection): make every parked stream write a comment
         * now, so that the dead ones free their places within moments and
         * the client's retry finds one. */
        for (struct web_sub *o = B->subs; o; o = o->next) {
            if (o->parked) {
                o->probe = true;
                wake_sub(o);
            }
        }
        size_t max = B->max_subs;
        pthread_mutex_unlock(&B->mu);
        yw_fail(err, YW_ELIMIT, "too many live update streams open (at most %zu)", max);
        return NULL;
    }
    struct web_sub *s = xcalloc(1, sizeof *s);
    s->B = B;
    s->next_seq = B->next_seq;
    ms_t now = time_mono_ms();
    s->next_ping = now + B->ping_ms;
    s->end_at = now + B->life_ms;
    /* The first bytes: the reconnection delay, so that the answer starts at
     * once (the browser's EventSource opens on the first bytes). */
    int n = snprintf(s->cur, sizeof s->cur, "retry: %d\n\n", WEB_RETRY_MS);
    s->cur_len = n > 0 ? (size_t)n : 0;
    s->next = B->subs;
    if (B->subs)
        B->subs->prev = s;
    B->subs = s;
    B->nsubs++;
    pthread_mutex_unlock(&B->mu);
    return s;
}

void web_sub_limit(struct web_sub *s, ms_t ms)
{
    struct web_hub *B = s->B;
    pthread_mutex_lock(&B->mu);
    ms_t end = time_mono_ms() + (ms > 0 ? ms : 0);
    if (end < s->end_at)
        s->end_at = end;
    pthread_cond_broadcast(&B->cv); /* the ticker may sleep past the new end */
    pthread_mutex_unlock(&B->mu);
}

/* Loads the next piece into s->cur (the one after the current, which is
 * spent): an event, else a due ping. false if nothing is ready. */
static bool load_next(struct web_sub *s, ms_t now)
{
    struct web_hub *B = s->B;
    if (s->next_seq < B->next_seq) {
        const struct ev *e = &B->ring[s->next_seq % B->cap];
        memcpy(s->cur, e->text, e->len);
        s->cur_len = e->len;
        s->cur_off = 0;
        s->next_seq++;
        return true;
    }
    if (s->probe) { /* an SSE comment: the browser ignores it */
        s->probe = false;
        memcpy(s->cur, ":\n\n", 3);
        s->cur_len = 3;
        s->cur_off = 0;
        return true;
    }
    if (now >= s->next_ping) {
        char t[64];
        time_format_rfc3339(time_now_ms(), t, sizeof t);
        int n = snprintf(s->cur, sizeof s->cur, "event: ping\ndata: {\"time\":\"%s\"}\n\n", t);
        s->cur_len = n > 0 ? (size_t)n : 0;
        s->cur_off = 0;
        /* every WEB_PING_MS, not every WEB_PING_MS of silence: a client may
         * use the pings as its watchdog */
        while (s->next_ping <= now)
            s->next_ping += B->ping_ms;
        return true;
    }
    return false;
}

ssize_t web_sub_read(struct web_sub *s, char *out, size_t max, const struct web_waker *w)
{
    struct web_hub *B = s->B;
    pthread_mutex_lock(&B->mu);
    ms_t now = time_mono_ms();
    if (B->closed || now >= s->end_at) {
        pthread_mutex_unlock(&B->mu);
        return -1;
    }
    if (s->next_seq < oldest_seq(B)) {
        B->overflows++;
        pthread_mutex_unlock(&B->mu);
        return -1;
    }
    size_t n = 0;
    while (n < max) {
        if (s->cur_off == s->cur_len && !load_next(s, now))
            break;
        size_t k = s->cur_len - s->cur_off;
        if (k > max - n)
            k = max - n;
        memcpy(out + n, s->cur + s->cur_off, k);
        s->cur_off += k;
        n += k;
    }
    if (n == 0 && max > 0 && w && w->park) {
        s->parked = true;
        s->w = *w;
        w->park(w->ctx);
        /* Wake the ticker, which may sleep past this sub's next ping. */
        pthread_cond_broadcast(&B->cv);
    }
    pthread_mutex_unlock(&B->mu);
    return (ssize_t)n;
}

int web_sub_wait(struct web_sub *s, ms_t timeout_ms)
{
    struct web_hub *B = s->B;
    ms_t until = time_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&B->mu);
    int rc = 0;
    for (;;) {
        ms_t now = time_mono_ms();
        if (ready(s, now)) {
            rc = 1;
            break;
        }
        if (now >= until)
            break;
        ms_t next = until;
        if (s->next_ping < next)
            next = s->next_ping;
        if (s->end_at < next)
            next = s->end_at;
        struct timespec ts;
        abs_deadline(next, &ts);
        int e = pthread_cond_timedwait(&B->cv, &B->mu, &ts);
        if (e != 0 && e != ETIMEDOUT && e != EINTR)
            break;
    }
    pthread_mutex_unlock(&B->mu);
    return rc;
}

void web_sub_close(struct web_sub *s)
{
    if (!s)
        return;
    struct web_hub *B = s->B;
    pthread_mutex_lock(&B->mu);
    if (s->prev)
        s->prev->next = s->next;
    else
        B->subs = s->next;
    if (s->next)
        s->next->prev = s->prev;
    B->nsubs--;
    pthread_cond_broadcast(&B->cv);
    pthread_mutex_unlock(&B->mu);
    xfree(s);
}
