/*
 * worker — the notifier's own thread: it takes due deliveries from the
 * store one at a time, sends them (send.c) and records each attempt.
 *
 * Callers never wait on it: notify_submit records rows in one short
 * transaction and signals the condition variable. The thread sleeps until
 * the earliest due delivery (at most a minute, so rows added by another
 * process are found too) or a signal.
 *
 * A delivery moves queued -> sending -> sent, or back to queued with
 * next_attempt after a failure (backoff 10 s, 30 s, 2 min, 10 min, 30 min;
 * then failed), or straight to failed when the far end refused for good (a
 * 4xx, a 5xx SMTP reply, bad credentials). Scheduled rows (escalation
 * steps, digests) are activated when due (route.c). Rows left "sending" by
 * a process that died are queued again at start.
 *
 * Stopping: notifier_stop raises a flag that the current transfer's
 * progress callback sees at once (curl aborts it), so it returns within
 * about a second; the interrupted delivery goes back to queued without an
 * attempt counted.
 */
#include <pthread.h>
#include <curl/curl.h>
#include <errno.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "core/mem.h"
#include "notify/notify_admin.h"
#include "notify/notify_int.h"

#define WAIT_MAX_MS (60 * MS_PER_S)
#define PRUNE_EVERY (MS_PER_H)
#define KEEP_DAYS 400                 /* the delivery log is kept this long */
#define CLAIM_SCAN_MAX 100            /* scheduled rows activated per claim */

static const ms_t default_backoff[] = {10 * MS_PER_S, 30 * MS_PER_S, 2 * MS_PER_MIN,
                                       10 * MS_PER_MIN, 30 * MS_PER_MIN};
#define BACKOFF_MAX 16

struct notifier {
    struct store *S;
    char *base_url;                   /* NULL = no links */
    ms_t backoff[BACKOFF_MAX];
    size_t nbackoff;
    long connect_ms, total_ms;

    pthread_t thread;
    bool started;
    /* Shared with the thread under mu. */
    pthread_mutex_t mu;
    pthread_cond_t cv;                /* CLOCK_MONOTONIC */
    bool stop, kick;
    atomic_bool abort;                /* read by the transfer's progress callback */
    ms_t last_prune;                  /* the thread's own */
};

static void setup(struct notifier *N, struct store *S, const struct notifier_opts *o)
{
    memset(N, 0, sizeof *N);
    N->S = S;
    if (o && o->base_url && *o->base_url) {
        size_t n = strlen(o->base_url);
        while (n > 0 && o->base_url[n - 1] == '/')
            n--;
        N->base_url = xstrndup(o->base_url, n);
    }
    const ms_t *b = o && o->backoff ? o->backoff : default_backoff;
    size_t nb = o && o->backoff ? o->nbackoff
                                : sizeof default_backoff / sizeof default_backoff[0];
    if (nb > BACKOFF_MAX)
        nb = BACKOFF_MAX;
    memcpy(N->backoff, b, nb * sizeof *b);
    N->nbackoff = nb;
    N->connect_ms = o && o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 5000;
    N->total_ms = o && o->total_timeout_ms > 0 ? o->total_timeout_ms : 15000;
    atomic_init(&N->abort, false);
}

/* ---- one delivery ------------------------------------------------------------------ */

struct claim {
    struct notifier *N;
    ms_t now;
    struct store_delivery d;
    bool found;
};

/* The live, enabled channel of d, or NULL after marking d cancelled. */
static int channel_of(struct conn *c, struct store_delivery *d, bool with_secrets,
                      struct nchannel *ch, bool *usable, struct yw_err *err)
{
    struct store_channel row = {0};
    *usable = false;
    struct yw_err e = YW_ERR_INIT;
    if (store_channel_get(c, d->channel_id, NULL, with_secrets, &row, &e) != 0) {
        if (e.code != YW_ENOTFOUND) {
            if (err)
                *err = e;
            return -1;
        }
    } else if (!row.deleted && row.enabled) {
        if (nchannel_from_row(&row, ch, err)) {
            store_channel_release(&row);
            return -1;
        }
        *usable = true;
    }
    bool deleted = row.deleted || e.code == YW_ENOTFOUND;
    store_channel_release(&row);
    if (!*usable && d->status != DLV_SENDING) {
        d->status = DLV_CANCELLED;
        xfree(d->last_error);
        d->last_error = xstrdup(deleted ? "通道已删除 / the channel was deleted"
                                        : "通道已停用 / the channel is disabled");
        return store_delivery_update(c, d, err);
    }
    return 0;
}

static int do_claim(struct conn *c, void *arg, struct yw_err *err)
{
    struct claim *a = arg;
    for (int i = 0; i < CLAIM_SCAN_MAX; i++) {
        struct store_delivery d = {0};
        bool found = false;
        if (store_delivery_next_due(c, a->now, &d, &found, err))
            return -1;
        if (!found)
            return 0;
        struct nchannel ch = {0};
        bool usable;
        if (channel_of(c, &d, false, &ch, &usable, err)) {
            store_delivery_release(&d);
            return -1;
        }
        if (!usable) {
            store_delivery_release(&d);
            continue;
        }
        int rc = 0;
        if (d.status == DLV_SCHEDULED)
            rc = notify_activate(c, &ch, &d, a->now, a->N->base_url, true, err);
        nchannel_release(&ch);
        if (rc) {
            store_delivery_release(&d);
            return -1;
        }
        if (d.status != DLV_QUEUED) { /* suppressed, folded into a digest */
            store_delivery_release(&d);
            continue;
        }
        d.status = DLV_SENDING;
        if (store_delivery_update(c, &d, err)) {
            store_delivery_release(&d);
            return -1;
        }
        a->d = d;
        a->found = true;
        return 0;
    }
    return 0;
}

struct loaded {
    struct store_delivery *d;
    struct nchannel ch;
    bool usable;
    struct nrecipient *rcpt;
    size_t nrcpt;
};

static int do_load(struct conn *c, void *arg, struct yw_err *err)
{
    struct loaded *l = arg;
    if (channel_of(c, l->d, true, &l->ch, &l->usable, err))
        return -1;
    if (!l->usable)
        return 0;
    return notify_recipients_load(c, l->d->recipients, &l->rcpt, &l->nrcpt, err);
}

struct finish {
    struct store_delivery *d;
    struct store_attempt att;
    bool record;
};

static int do_finish(struct conn *c, void *arg, struct yw_err *err)
{
    struct finish *f = arg;
    if (f->record && store_attempt_add(c, &f->att, err))
        return -1;
    return store_delivery_update(c, f->d, err);
}

static void set_error(struct store_delivery *d, const char *msg)
{
    xfree(d->last_error);
    d->last_error = msg ? xstrdup(msg) : NULL;
}

/* Sends d (status sending) and records the outcome. */
static void deliver(struct notifier *N, struct store_delivery *d, ms_t now)
{
    struct yw_err err = YW_ERR_INIT;
    struct loaded l = {.d = d};
    struct nevent ev = {0};
    struct nsend_out out;
    memset(&out, 0, sizeof out);
    bool aborted = false;
    if (store_notify_tx(N->S, false, do_load, &l, &err) != 0) {
        snprintf(out.error, sizeof out.error, "%.290s", err.msg);
        out.retry = true;
    } else if (!l.usable) {
        d->status = DLV_CANCELLED;
        set_error(d, "通道已删除或停用 / the channel was deleted or disabled");
    } else if (nevent_from_text(d->event, &ev, &err) != 0) {
        snprintf(out.error, sizeof out.error, "%.290s", err.msg);
    } else {
        struct nmessage msg;
        notify_message_build(&ev, l.ch.name, N->base_url, d->held, &msg);
        struct nsend_in in = {
            .ch = &l.ch,
            .msg = &msg,
            .ev = &ev,
            .delivery_id = d->id,
            .rcpt = l.rcpt,
            .nrcpt = l.nrcpt,
            .base_url = N->base_url,
            .now = time_now_ms(),
            .connect_timeout_ms = N->connect_ms,
            .total_timeout_ms = N->total_ms,
            .abort = &N->abort,
        };
        notify_send(&in, &out);
        nmessage_release(&msg);
        aborted = !out.ok && atomic_load(&N->abort);
    }

    struct finish f = {.d = d, .record = d->status == DLV_SENDING && !aborted};
    if (d->status == DLV_SENDING) {
        if (aborted) {
            d->status = DLV_QUEUED; /* stopping: not an attempt */
            d->next_attempt = now;
        } else {
            d->attempts++;
            f.att = (struct store_attempt){
                .delivery_id = d->id,
                .at = now,
                .duration = out.duration,
                .http_status = out.status,
                .error = out.ok ? NULL : out.error,
                .response = out.response[0] ? out.response : NULL,
            };
            ms_t delay = out.retry ? notify_backoff(N->backoff, N->nbackoff, d->attempts) : -1;
            if (out.ok) {
                d->status = DLV_SENT;
                d->sent_at = now;
                set_error(d, NULL);
                log_info("notify: delivery %lld (%s, %s) sent", (long long)d->id, d->channel,
                         d->kind);
            } else if (delay >= 0) {
                d->status = DLV_QUEUED;
                d->next_attempt = now + delay;
                set_error(d, out.error);
                char in[32];
                time_format_duration(delay, in, sizeof in);
                log_warn("notify: delivery %lld (%s) attempt %d failed: %s; retry in %s",
                         (long long)d->id, d->channel, d->attempts, out.error, in);
            } else {
                d->status = DLV_FAILED;
                set_error(d, out.error);
                log_error("notify: delivery %lld (%s) failed after %d attempt(s): %s",
                          (long long)d->id, d->channel, d->attempts, out.error);
            }
        }
    }
    if (store_notify_tx(N->S, true, do_finish, &f, &err) != 0)
        log_error("notify: recording delivery %lld: %s", (long long)d->id, err.msg);
    nevent_release(&ev);
    nchannel_release(&l.ch);
    nrecipients_free(l.rcpt, l.nrcpt);
}

/* Sends everything due at now; stops early when asked to. fixed: now is
 * the caller's instant throughout (tests); else the clock is read again
 * after each send, so retries are scheduled from the attempt's end. */
static int run_due(struct notifier *N, ms_t now, bool fixed, struct yw_err *err)
{
    for (;;) {
        if (atomic_load(&N->abort))
            return 0;
        struct claim a = {.N = N, .now = now};
        if (store_notify_tx(N->S, true, do_claim, &a, err))
            return -1;
        if (!a.found)
            return 0;
        deliver(N, &a.d, now);
        store_delivery_release(&a.d);
        if (!fixed)
            now = time_now_ms();
    }
}

int notifier_run_due(struct store *S, const struct notifier_opts *o, ms_t now,
                     struct yw_err *err)
{
    struct notifier N;
    setup(&N, S, o);
    int rc = run_due(&N, now, true, err);
    xfree(N.base_url);
    return rc;
}

/* ---- housekeeping -------------------------------------------------------------------- */

struct requeue_args {
    int64_t count;
};

static int do_requeue(struct conn *c, void *arg, struct yw_err *err)
{
    return store_delivery_requeue_sending(c, &((struct requeue_args *)arg)->count, err);
}

struct earliest_args {
    ms_t at;
    bool found;
};

static int do_earliest(struct conn *c, void *arg, struct yw_err *err)
{
    struct earliest_args *a = arg;
    return store_delivery_earliest(c, &a->at, &a->found, err);
}

struct prune_args {
    ms_t before;
    int64_t count;
};

static int do_prune(struct conn *c, void *arg, struct yw_err *err)
{
    struct prune_args *a = arg;
    return store_delivery_prune(c, a->before, 1000, &a->count, err);
}

static void prune(struct notifier *N, ms_t now)
{
    if (now - N->last_prune < PRUNE_EVERY)
        return;
    N->last_prune = now;
    struct prune_args a = {now - (ms_t)KEEP_DAYS * MS_PER_DAY, 0};
    struct yw_err err = YW_ERR_INIT;
    if (store_notify_tx(N->S, true, do_prune, &a, &err) != 0)
        log_warn("notify: pruning the delivery log: %s", err.msg);
    else if (a.count)
        log_info("notify: pruned %lld old deliveries", (long long)a.count);
}

static struct timespec deadline_in(ms_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static void *worker_main(void *arg)
{
    struct notifier *N = arg;
    struct yw_err err = YW_ERR_INIT;
    struct requeue_args rq = {0};
    if (store_notify_tx(N->S, true, do_requeue, &rq, &err) != 0)
        log_error("notify: resuming deliveries: %s", err.msg);
    else if (rq.count)
        log_info("notify: %lld interrupted deliveries queued again", (long long)rq.count);
    for (;;) {
        pthread_mutex_lock(&N->mu);
        bool stop = N->stop;
        N->kick = false;
        pthread_mutex_unlock(&N->mu);
        if (stop)
            break;
        ms_t now = time_now_ms();
        if (run_due(N, now, false, &err) != 0)
            log_error("notify: %s", err.msg);
        prune(N, now);
        ms_t wait = WAIT_MAX_MS;
        struct earliest_args ea = {0, false};
        if (store_notify_tx(N->S, false, do_earliest, &ea, &err) != 0)
            log_error("notify: %s", err.msg);
        else if (ea.found)
            wait = ea.at - time_now_ms();
        if (wait < 0)
            wait = 0;
        if (wait > WAIT_MAX_MS)
            wait = WAIT_MAX_MS;
        struct timespec until = deadline_in(wait);
        pthread_mutex_lock(&N->mu);
        while (!N->stop && !N->kick && wait > 0) {
            if (pthread_cond_timedwait(&N->cv, &N->mu, &until) == ETIMEDOUT)
                break;
        }
        pthread_mutex_unlock(&N->mu);
    }
    return NULL;
}

static void kick(struct notifier *N)
{
    pthread_mutex_lock(&N->mu);
    N->kick = true;
    pthread_cond_signal(&N->cv);
    pthread_mutex_unlock(&N->mu);
}

struct notifier *notifier_start_opts(struct store *S, const struct notifier_opts *o,
                                     struct yw_err *err)
{
    if (!S) {
        yw_fail(err, YW_EINVAL, "notifier: no store");
        return NULL;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        yw_fail(err, YW_EIO, "notifier: curl_global_init failed");
        return NULL;
    }
    struct notifier *N = xmalloc(sizeof *N);
    setup(N, S, o);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&N->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&N->mu, NULL);
    int rc = pthread_create(&N->thread, NULL, worker_main, N);
    if (rc != 0) {
        yw_fail(err, YW_EIO, "notifier: cannot start its thread: %s", strerror(rc));
        pthread_cond_destroy(&N->cv);
        pthread_mutex_destroy(&N->mu);
        xfree(N->base_url);
        xfree(N);
        curl_global_cleanup();
        return NULL;
    }
    N->started = true;
    log_info("notify: notifier started%s%s", N->base_url ? "; links to " : "",
             N->base_url ? N->base_url : "");
    return N;
}

struct notifier *notifier_start(struct store *S, const char *base_url, struct yw_err *err)
{
    struct notifier_opts o = {.base_url = base_url};
    return notifier_start_opts(S, &o, err);
}

void notifier_stop(struct notifier *N)
{
    if (!N)
        return;
    atomic_store(&N->abort, true);
    pthread_mutex_lock(&N->mu);
    N->stop = true;
    pthread_cond_signal(&N->cv);
    pthread_mutex_unlock(&N->mu);
    if (N->started)
        pthread_join(N->thread, NULL);
    pthread_cond_destroy(&N->cv);
    pthread_mutex_destroy(&N->mu);
    xfree(N->base_url);
    xfree(N);
    curl_global_cleanup();
}

int notify_submit(struct notifier *N, const struct notify_event *ev, struct yw_err *err)
{
    if (!N)
        return 0; /* notifications are off (tests, a store without a notifier) */
    if (!ev)
        return yw_fail(err, YW_EINVAL, "notify: no event");
    if (notify_submit_at(N->S, N->base_url, ev, time_now_ms(), NULL, 0, NULL, err))
        return -1;
    kick(N);
    return 0;
}

void notify_ack(struct notifier *N, int64_t incident_id)
{
    if (!N)
        return;
    struct yw_err err = YW_ERR_INIT;
    if (notify_ack_at(N->S, incident_id, time_now_ms(), &err) != 0)
        log_error("notify: acknowledging incident %lld: %s", (long long)incident_id, err.msg);
}

/* ---- send test ----------------------------------------------------------------------- */

struct test_args {
    const struct notifier *N;
    int64_t channel_id;
    const char *channel_name;
    int64_t user_id;
    ms_t now;
    int64_t id;
};

static int do_test(struct conn *c, void *arg, struct yw_err *err)
{
    struct test_args *a = arg;
    struct store_channel row = {0};
    if (store_channel_get(c, a->channel_id, a->channel_name, false, &row, err))
        return -1;
    struct nchannel ch = {0};
    int rc = 0;
    if (row.deleted)
        rc = yw_fail(err, YW_ENOTFOUND, "channel %lld not found", (long long)row.id);
    else
        rc = nchannel_from_row(&row, &ch, err);
    store_channel_release(&row);
    if (rc)
        return -1;
    struct nevent ev = {0};
    snprintf(ev.kind, sizeof ev.kind, "%s", notify_kind_name(NK_TEST));
    ev.clock = -1;
    ev.at = a->now;
    json_t *targets = json_array();
    if (a->user_id) {
        struct store_person p = {0};
        if (store_person_get(c, a->user_id, NULL, &p, NULL) == 0) {
            char *t = xasprintf("user:%s", p.login);
            json_array_append_new(targets, json_string(t));
            ev.by = xstrdup(p.login);
            xfree(t);
        }
        store_person_release(&p);
    }
    char *tj = json_dumps(targets, JSON_COMPACT);
    json_decref(targets);
    struct store_delivery d = {
        .created = a->now,
        .channel_id = ch.id,
        .channel = xstrdup(ch.name),
        .kind = xstrdup(ev.kind),
        .event = nevent_to_text(&ev),
        .targets = xstrdup(tj ? tj : "[]"),
    };
    free(tj);
    nevent_release(&ev);
    rc = notify_activate(c, &ch, &d, a->now, a->N->base_url, false, err);
    if (rc == 0 && d.status != DLV_QUEUED)
        rc = yw_fail(err, YW_EINVAL, "%s", d.last_error ? d.last_error : "nothing to send");
    a->id = d.id;
    store_delivery_release(&d);
    nchannel_release(&ch);
    return rc;
}

int notify_test(struct notifier *N, int64_t channel_id, const char *channel_name,
                int64_t user_id, int64_t *delivery_id, struct yw_err *err)
{
    if (!N)
        return yw_fail(err, YW_EIO, "notifications are not running");
    struct test_args a = {N, channel_id, channel_name, user_id, time_now_ms(), 0};
    if (store_notify_tx(N->S, true, do_test, &a, err))
        return -1;
    if (delivery_id)
        *delivery_id = a.id;
    kick(N);
    return 0;
}
