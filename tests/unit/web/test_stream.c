/* The live-update broadcaster: the SSE text, order, reads split anywhere,
 * park/wake exactly once, ring overflow, the cap on streams, pings and the
 * end of a stream's life from the ticker thread, shutdown, and many
 * subscribers on threads (blocking and parking) against a fast publisher. */
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/buf.h"
#include "core/mem.h"
#include "kpi/avail.h"
#include "sched/engine.h"
#include "t.h"
#include "web/stream.h"

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void publish(struct web_hub *B, int64_t id, enum mstate st, const char *reason)
{
    struct engine_transition t = {id, "portal-home", "portal", st, 1764000000000LL, reason};
    web_hub_publish(B, &t);
}

/* Everything readable now (without parking). */
static void drain(struct web_sub *s, struct buf *out, size_t chunk)
{
    char tmp[8192];
    if (chunk > sizeof tmp)
        chunk = sizeof tmp;
    ssize_t n;
    while ((n = web_sub_read(s, tmp, chunk, NULL)) > 0)
        buf_add(out, tmp, (size_t)n);
}

/* The data JSON of the k-th "event: state" in text, or NULL. */
static json_t *event_data(const char *text, int k)
{
    const char *p = text;
    for (int i = 0; i <= k; i++) {
        p = strstr(p, "event: state\ndata: ");
        if (!p)
            return NULL;
        p += strlen("event: state\ndata: ");
    }
    const char *end = strstr(p, "\n\n");
    return end ? json_loadb(p, (size_t)(end - p), 0, NULL) : NULL;
}

static int count_of_events(const char *s)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, "event: state")) != NULL; p += 12)
        n++;
    return n;
}

struct waker_count {
    atomic_int parks, wakes;
};

static void count_park(void *ctx)
{
    atomic_fetch_add(&((struct waker_count *)ctx)->parks, 1);
}

static void count_wake(void *ctx)
{
    atomic_fetch_add(&((struct waker_count *)ctx)->wakes, 1);
}

TEST(preamble_then_events_in_order)
{
    struct web_hub *B = web_hub_new(NULL);
    struct yw_err err = YW_ERR_INIT;
    struct web_sub *s = web_sub_open(B, &err);
    CHECK(s != NULL);
    publish(B, 7, ST_DOWN, "HTTP 503");
    publish(B, 8, ST_UP, NULL);
    struct buf out = BUF_INIT(1 << 20);
    drain(s, &out, 4096);
    const char *x = buf_str(&out);
    CHECK(strncmp(x, "retry: 2000\n\nevent: state\ndata: {", 33) == 0);
    json_t *j = event_data(x, 0);
    CHECK(j != NULL);
    CHECK_INT(json_integer_value(json_object_get(j, "monitor_id")), 7);
    CHECK_STR(json_string_value(json_object_get(j, "monitor")), "portal-home");
    CHECK_STR(json_string_value(json_object_get(j, "system")), "portal");
    CHECK_STR(json_string_value(json_object_get(j, "state")), "down");
    CHECK_STR(json_string_value(json_object_get(j, "since")), "2025-11-25T00:00:00+08:00");
    CHECK_STR(json_string_value(json_object_get(j, "reason")), "HTTP 503");
    json_decref(j);
    j = event_data(x, 1);
    CHECK(j && json_is_null(json_object_get(j, "reason")));
    CHECK_STR(json_string_value(json_object_get(j, "state")), "up");
    json_decref(j);
    CHECK(event_data(x, 2) == NULL);
    /* each event ends with a blank line */
    CHECK(out.len > 2 && x[out.len - 1] == '\n' && x[out.len - 2] == '\n');
    buf_release(&out);
    web_sub_close(s);

    /* a stream opened later sees only what comes after */
    s = web_sub_open(B, &err);
    publish(B, 9, ST_MAINT, "maintenance weekly");
    drain(s, &out, 4096);
    j = event_data(buf_str(&out), 0);
    CHECK(j && json_integer_value(json_object_get(j, "monitor_id")) == 9);
    json_decref(j);
    CHECK(event_data(buf_str(&out), 1) == NULL);
    buf_release(&out);
    web_sub_close(s);
    web_hub_free(B);
}

TEST(reads_split_anywhere_reassemble_exactly)
{
    struct web_hub *B = web_hub_new(NULL);
    struct web_sub *a = web_sub_open(B, NULL), *b = web_sub_open(B, NULL);
    for (int i = 1; i <= 50; i++)
        publish(B, i, i % 2 ? ST_DOWN : ST_UP, "原因 reason");
    struct buf whole = BUF_INIT(1 << 20), bits = BUF_INIT(1 << 20);
    drain(a, &whole, 8192);
    drain(b, &bits, 7); /* 7 bytes at a time: events and UTF-8 split */
    CHECK_INT(whole.len, bits.len);
    CHECK(whole.len > 0 && memcmp(whole.p, bits.p, whole.len) == 0);
    for (int i = 0; i < 50; i++) {
        json_t *j = event_data(buf_str(&bits), i);
        CHECK(j && json_integer_value(json_object_get(j, "monitor_id")) == i + 1);
        json_decref(j);
    }
    buf_release(&whole);
    buf_release(&bits);
    web_sub_close(a);
    web_sub_close(b);
    web_hub_free(B);
}

TEST(park_then_exactly_one_wake)
{
    struct web_hub *B = web_hub_new(NULL);
    struct web_sub *s = web_sub_open(B, NULL);
    struct waker_count wc = {0, 0};
    struct web_waker w = {count_park, count_wake, &wc};
    char tmp[4096];
    CHECK(web_sub_read(s, tmp, sizeof tmp, &w) > 0); /* the preamble */
    CHECK_INT(wc.parks, 0);
    CHECK_INT(web_sub_read(s, tmp, sizeof tmp, &w), 0);
    CHECK_INT(wc.parks, 1);
    CHECK_INT(wc.wakes, 0);
    publish(B, 1, ST_DOWN, NULL);
    CHECK_INT(wc.wakes, 1);
    publish(B, 2, ST_UP, NULL); /* not parked any more: no second wake */
    CHECK_INT(wc.wakes, 1);
    ssize_t n = web_sub_read(s, tmp, sizeof tmp, &w);
    CHECK(n > 0);
    tmp[n > 0 ? n : 0] = '\0';
    CHECK_INT(count_of_events(tmp), 2);
    CHECK_INT(web_sub_read(s, tmp, sizeof tmp, &w), 0);
    CHECK_INT(wc.parks, 2);
    /* max 0 neither reads nor parks */
    CHECK_INT(web_sub_read(s, tmp, 0, &w), 0);
    CHECK_INT(wc.parks, 2);
    web_sub_close(s); /* closing a parked stream: no wake needed */
    web_hub_free(B);
}

TEST(a_stream_behind_the_ring_ends)
{
    struct web_hub_opts o = {.ring = 4};
    struct web_hub *B = web_hub_new(&o);
    struct web_sub *slow = web_sub_open(B, NULL), *fast = web_sub_open(B, NULL);
    struct buf out = BUF_INIT(1 << 20);
    for (int i = 1; i <= 10; i++) {
        publish(B, i, ST_DOWN, NULL);
        drain(fast, &out, 4096); /* keeps up */
    }
    for (int i = 0; i < 10; i++) {
        json_t *j = event_data(buf_str(&out), i);
        CHECK(j && json_integer_value(json_object_get(j, "monitor_id")) == i + 1);
        json_decref(j);
    }
    char tmp[256];
    CHECK_INT(web_sub_read(slow, tmp, sizeof tmp, NULL), -1);
    CHECK_INT(web_sub_wait(slow, 0), 1); /* an ended stream is "ready" */
    struct web_hub_stats st;
    web_hub_stats(B, &st);
    CHECK_INT(st.overflows, 1);
    CHECK_INT(st.published, 10);
    CHECK_INT(st.subs, 2);
    /* exactly the ring's worth behind is still fine */
    struct web_sub *edge = web_sub_open(B, NULL);
    drain(edge, &out, 4096);
    for (int i = 11; i <= 14; i++)
        publish(B, i, ST_UP, NULL);
    buf_release(&out);
    drain(edge, &out, 4096);
    json_t *last = event_data(buf_str(&out), 3);
    CHECK(last != NULL);
    json_decref(last);
    buf_release(&out);
    web_sub_close(edge);
    web_sub_close(slow);
    web_sub_close(fast);
    web_hub_free(B);
}

TEST(at_most_max_streams)
{
    struct web_hub_opts o = {.max_subs = 2};
    struct web_hub *B = web_hub_new(&o);
    struct yw_err err = YW_ERR_INIT;
    struct web_sub *a = web_sub_open(B, &err), *b = web_sub_open(B, &err);
    CHECK(a && b);
    CHECK(web_sub_open(B, &err) == NULL);
    CHECK_INT(err.code, YW_ELIMIT);
    web_sub_close(a);
    a = web_sub_open(B, &err);
    CHECK(a != NULL);
    web_sub_close(a);
    web_sub_close(b);
    web_sub_close(NULL);
    web_hub_free(B);
    web_hub_free(NULL);
}

TEST(a_full_hub_probes_its_parked_streams)
{
    struct web_hub_opts o = {.max_subs = 1};
    struct web_hub *B = web_hub_new(&o);
    struct web_sub *a = web_sub_open(B, NULL);
    struct waker_count wc = {0, 0};
    struct web_waker w = {count_park, count_wake, &wc};
    char tmp[256];
    CHECK(web_sub_read(a, tmp, sizeof tmp, &w) > 0);
    CHECK_INT(web_sub_read(a, tmp, sizeof tmp, &w), 0); /* parked */
    struct yw_err err = YW_ERR_INIT;
    CHECK(web_sub_open(B, &err) == NULL);
    CHECK_INT(err.code, YW_ELIMIT);
    CHECK_INT(wc.wakes, 1); /* woken to write a comment */
    CHECK_INT(web_sub_read(a, tmp, sizeof tmp, &w), 3);
    CHECK(memcmp(tmp, ":\n\n", 3) == 0);
    CHECK_INT(web_sub_read(a, tmp, sizeof tmp, &w), 0); /* once: parked again */
    /* an unparked stream is not disturbed */
    web_sub_close(a);
    a = web_sub_open(B, NULL);
    CHECK(web_sub_open(B, &err) == NULL);
    CHECK(web_sub_read(a, tmp, sizeof tmp, NULL) == (ssize_t)strlen("retry: 2000\n\n"));
    web_sub_close(a);
    web_hub_free(B);
}

TEST(pings_and_the_end_of_life_come_from_the_ticker)
{
    struct web_hub_opts o = {.ping_ms = 60, .life_ms = 400};
    struct web_hub *B = web_hub_new(&o);
    struct web_sub *s = web_sub_open(B, NULL);
    struct waker_count wc = {0, 0};
    struct web_waker w = {count_park, count_wake, &wc};
    char tmp[4096];
    CHECK(web_sub_read(s, tmp, sizeof tmp, &w) > 0);
    CHECK_INT(web_sub_read(s, tmp, sizeof tmp, &w), 0); /* parked */
    for (int i = 0; i < 100 && atomic_load(&wc.wakes) == 0; i++)
        sleep_ms(10);
    CHECK_INT(wc.wakes, 1); /* the ticker woke it for the ping */
    ssize_t n = web_sub_read(s, tmp, sizeof tmp - 1, &w);
    CHECK(n > 0);
    tmp[n > 0 ? n : 0] = '\0';
    CHECK(strncmp(tmp, "event: ping\ndata: {\"time\":\"", 27) == 0);
    CHECK(strstr(tmp, "+08:00\"}\n\n") != NULL);
    /* blocking wait for the next one */
    CHECK_INT(web_sub_wait(s, 1000), 1);
    n = web_sub_read(s, tmp, sizeof tmp - 1, NULL);
    CHECK(n > 0 && strncmp(tmp, "event: ping", 11) == 0);
    /* parked until the end of its life: woken, then the read ends it */
    int before = atomic_load(&wc.wakes);
    ssize_t r;
    for (int i = 0; i < 200; i++) {
        r = web_sub_read(s, tmp, sizeof tmp, &w);
        if (r < 0)
            break;
        if (r == 0) {
            while (atomic_load(&wc.wakes) == before)
                sleep_ms(5);
            before = atomic_load(&wc.wakes);
        }
    }
    CHECK_INT(r, -1);
    web_sub_close(s);
    web_hub_free(B);
}

TEST(a_limit_ends_a_stream_early)
{
    struct web_hub *B = web_hub_new(NULL);
    struct web_sub *s = web_sub_open(B, NULL);
    struct waker_count wc = {0, 0};
    struct web_waker w = {count_park, count_wake, &wc};
    char tmp[256];
    CHECK(web_sub_read(s, tmp, sizeof tmp, &w) > 0);
    CHECK_INT(web_sub_read(s, tmp, sizeof tmp, &w), 0); /* parked */
    web_sub_limit(s, 100);
    web_sub_limit(s, 60000); /* only shortens */
    for (int i = 0; i < 200 && atomic_load(&wc.wakes) == 0; i++)
        sleep_ms(5);
    CHECK_INT(wc.wakes, 1); /* the ticker woke it at its end */
    CHECK_INT(web_sub_read(s, tmp, sizeof tmp, &w), -1);
    web_sub_close(s);
    web_hub_free(B);
}

TEST(shutdown_wakes_and_ends_every_stream)
{
    struct web_hub *B = web_hub_new(NULL);
    struct web_sub *s = web_sub_open(B, NULL);
    struct waker_count wc = {0, 0};
    struct web_waker w = {count_park, count_wake, &wc};
    char tmp[256];
    CHECK(web_sub_read(s, tmp, sizeof tmp, &w) > 0);
    CHECK_INT(web_sub_read(s, tmp, sizeof tmp, &w), 0);
    web_hub_shutdown(B);
    CHECK_INT(wc.wakes, 1);
    CHECK_INT(web_sub_read(s, tmp, sizeof tmp, &w), -1);
    CHECK_INT(wc.parks, 1); /* an ended stream never parks */
    struct yw_err err = YW_ERR_INIT;
    CHECK(web_sub_open(B, &err) == NULL);
    CHECK_INT(err.code, YW_EIO);
    web_hub_shutdown(B); /* idempotent */
    CHECK_INT(wc.wakes, 1);
    web_sub_close(s);
    web_hub_free(B);
}

TEST(a_long_reason_is_cut_on_a_character)
{
    struct web_hub *B = web_hub_new(NULL);
    struct web_sub *s = web_sub_open(B, NULL);
    char reason[3 * 1000 + 1] = "";
    for (int i = 0; i < 1000; i++)
        strcat(reason, "故");
    publish(B, 1, ST_DOWN, reason);
    struct buf out = BUF_INIT(1 << 20);
    drain(s, &out, 4096);
    json_t *j = event_data(buf_str(&out), 0);
    CHECK(j != NULL);
    const char *r = json_string_value(json_object_get(j, "reason"));
    CHECK(r && strlen(r) == 198 && strncmp(r, "故故故", 9) == 0);
    json_decref(j);
    buf_release(&out);
    web_sub_close(s);
    web_hub_free(B);
}

/* ---- threads ---------------------------------------------------------------------- */

#define EVENTS 3000
#define READERS 6

struct reader {
    struct web_sub *s;
    bool park;            /* park/wake like the HTTP server, else web_sub_wait */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool woken;
    int got, in_order;
    size_t scan; /* text is searched for events from here on */
    struct buf text;
};

static void t_park(void *ctx)
{
    (void)ctx; /* the reader waits on its own condition after read returns 0 */
}

static void t_wake(void *ctx)
{
    struct reader *r = ctx;
    pthread_mutex_lock(&r->mu);
    r->woken = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
}

static void *reader_main(void *arg)
{
    struct reader *r = arg;
    struct web_waker w = {t_park, t_wake, r};
    char tmp[1500]; /* smaller than a burst: reads end mid-event */
    /* until every event is in, the last one whole (reads split events) */
    while (r->got < EVENTS || r->text.len < 2 || memcmp(r->text.p + r->text.len - 2, "\n\n", 2)) {
        ssize_t n = web_sub_read(r->s, tmp, sizeof tmp, r->park ? &w : NULL);
        if (n < 0)
            break;
        if (n > 0) {
            buf_add(&r->text, tmp, (size_t)n);
            const char *base = buf_str(&r->text);
            for (const char *p = base + r->scan;
                 (p = memmem(p, r->text.len - (size_t)(p - base), "event: state", 12));
                 p += 12) {
                r->got++;
                r->scan = (size_t)(p + 12 - base);
            }
            continue;
        }
        if (r->park) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 5; /* a lost wake shows as a slow test, then a failure */
            pthread_mutex_lock(&r->mu);
            while (!r->woken)
                if (pthread_cond_timedwait(&r->cv, &r->mu, &ts) != 0)
                    break;
            bool lost = !r->woken;
            r->woken = false;
            pthread_mutex_unlock(&r->mu);
            if (lost)
                break;
        } else if (!web_sub_wait(r->s, 5000)) {
            break;
        }
    }
    /* One pass over the text: each event's id is the next one. */
    r->in_order = 1;
    const char *p = buf_str(&r->text), *stop = p + r->text.len;
    static const char mark[] = "event: state\ndata: ";
    for (int i = 0; i < r->got && r->in_order; i++) {
        /* memmem, not strstr: ASan's strstr measures the whole rest each time */
        p = memmem(p, (size_t)(stop - p), mark, sizeof mark - 1);
        const char *end = p ? memmem(p, (size_t)(stop - p), "\n\n", 2) : NULL;
        if (!end) {
            printf("#   event %d: incomplete\n", i);
            r->in_order = 0;
            break;
        }
        p += strlen("event: state\ndata: ");
        json_t *j = json_loadb(p, (size_t)(end - p), 0, NULL);
        if (!j || json_integer_value(json_object_get(j, "monitor_id")) != i + 1) {
            printf("#   event %d: %.*s\n", i, (int)(end - p < 300 ? end - p : 300), p);
            r->in_order = 0;
        }
        json_decref(j);
        p = end;
    }
    return NULL;
}

static void *publisher_main(void *arg)
{
    struct web_hub *B = arg;
    for (int i = 1; i <= EVENTS; i++) {
        publish(B, i, i % 3 ? ST_UP : ST_DOWN, "HTTP 200");
        if (i % 500 == 0)
            sleep_ms(1);
    }
    return NULL;
}

TEST(many_readers_on_threads_get_every_event_in_order)
{
    struct web_hub_opts o = {.ring = EVENTS + 10, .max_subs = READERS};
    struct web_hub *B = web_hub_new(&o);
    struct reader r[READERS];
    pthread_t th[READERS], pub;
    for (int i = 0; i < READERS; i++) {
        r[i] = (struct reader){.s = web_sub_open(B, NULL), .park = i % 2 == 0};
        r[i].text = (struct buf)BUF_INIT(16 << 20);
        pthread_mutex_init(&r[i].mu, NULL);
        pthread_cond_init(&r[i].cv, NULL);
        pthread_create(&th[i], NULL, reader_main, &r[i]);
    }
    pthread_create(&pub, NULL, publisher_main, B);
    pthread_join(pub, NULL);
    for (int i = 0; i < READERS; i++) {
        pthread_join(th[i], NULL);
        if (r[i].got != EVENTS || !r[i].in_order)
            printf("#   reader %d (%s): %d events, in order %d\n", i,
                   r[i].park ? "parking" : "waiting", r[i].got, r[i].in_order);
        CHECK_INT(r[i].got, EVENTS);
        CHECK_INT(r[i].in_order, 1);
        web_sub_close(r[i].s);
        buf_release(&r[i].text);
        pthread_mutex_destroy(&r[i].mu);
        pthread_cond_destroy(&r[i].cv);
    }
    struct web_hub_stats st;
    web_hub_stats(B, &st);
    CHECK_INT(st.overflows, 0);
    CHECK_INT(st.subs, 0);
    web_hub_free(B);
}

TEST(slow_readers_on_threads_overflow_and_end)
{
    struct web_hub_opts o = {.ring = 16};
    struct web_hub *B = web_hub_new(&o);
    struct web_sub *s = web_sub_open(B, NULL);
    pthread_t pub;
    pthread_create(&pub, NULL, publisher_main, B);
    pthread_join(pub, NULL);
    char tmp[64];
    ssize_t n = web_sub_read(s, tmp, sizeof tmp, NULL);
    CHECK_INT(n, -1);
    web_sub_close(s);
    web_hub_free(B);
}

int main(void)
{
    time_set_display_zone("Asia/Shanghai");
    RUN(preamble_then_events_in_order);
    RUN(reads_split_anywhere_reassemble_exactly);
    RUN(park_then_exactly_one_wake);
    RUN(a_stream_behind_the_ring_ends);
    RUN(at_most_max_streams);
    RUN(a_full_hub_probes_its_parked_streams);
    RUN(pings_and_the_end_of_life_come_from_the_ticker);
    RUN(a_limit_ends_a_stream_early);
    RUN(shutdown_wakes_and_ends_every_stream);
    RUN(a_long_reason_is_cut_on_a_character);
    RUN(many_readers_on_threads_get_every_event_in_order);
    RUN(slow_readers_on_threads_overflow_and_end);
    return t_done();
}
