/*
 * test_notify_worker — the notifier's thread against receivers this test
 * runs on 127.0.0.1 (port 0): a webhook (bearer token and signature
 * checked), a DingTalk-style robot (the signed URL verified here), a robot
 * answering an error code, a receiver that is down and comes back (the
 * failed attempt logged, then sent), a slow receiver the notifier must
 * abandon promptly when stopped, and an SMTP server receiving a mail.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "notify/notify_admin.h"
#include "notify/notify_int.h"
#include "store/store_auth.h"
#include "t.h"

/* ---- a tiny HTTP receiver ------------------------------------------------------------ */

struct receiver {
    int fd, port;
    pthread_t th;
    atomic_bool stop;
    pthread_mutex_t mu;
    int count;
    char line[2048];          /* the last request line */
    char headers[8192];
    char *body;
    const char *answer;       /* the JSON answered */
    int status;
    int delay_ms;             /* before answering */
};

static int listen_on(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int port_of(int fd)
{
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &n);
    return ntohs(a.sin_port);
}

static void serve_one(struct receiver *r, int c)
{
    char buf[65536];
    size_t len = 0;
    char *end = NULL;
    while (!end && len < sizeof buf - 1) {
        ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            return;
        len += (size_t)n;
        buf[len] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    if (!end)
        return;
    size_t head = (size_t)(end - buf) + 4;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t want = cl ? (size_t)atol(cl + 17) : 0;
    while (len < head + want && len < sizeof buf - 1) {
        ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    pthread_mutex_lock(&r->mu);
    r->count++;
    char *eol = strstr(buf, "\r\n");
    snprintf(r->line, sizeof r->line, "%.*s", (int)(eol - buf), buf);
    snprintf(r->headers, sizeof r->headers, "%.*s", (int)(head - (size_t)(eol - buf)), eol);
    xfree(r->body);
    r->body = xstrndup(buf + head, len - head);
    int status = r->status, delay = r->delay_ms;
    const char *answer = r->answer ? r->answer : "{\"errcode\":0,\"errmsg\":\"ok\"}";
    pthread_mutex_unlock(&r->mu);
    for (int waited = 0; waited < delay && !atomic_load(&r->stop); waited += 20)
        usleep(20000);
    char out[1024];
    int n = snprintf(out, sizeof out,
                     "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     status ? status : 200, strlen(answer), answer);
    if (write(c, out, (size_t)n) < 0) {
        /* the client went away: fine */
    }
}

static void *receiver_main(void *arg)
{
    struct receiver *r = arg;
    while (!atomic_load(&r->stop)) {
        struct pollfd p = {.fd = r->fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(r->fd, NULL, NULL);
        if (c < 0)
            continue;
        serve_one(r, c);
        close(c);
    }
    return NULL;
}

/* port 0: any. -1 on failure. */
static int receiver_start(struct receiver *r, int port)
{
    r->fd = listen_on(port);
    if (r->fd < 0)
        return -1;
    r->port = port_of(r->fd);
    atomic_init(&r->stop, false);
    pthread_mutex_init(&r->mu, NULL);
    return pthread_create(&r->th, NULL, receiver_main, r) == 0 ? 0 : -1;
}

static void receiver_stop(struct receiver *r)
{
    atomic_store(&r->stop, true);
    pthread_join(r->th, NULL);
    close(r->fd);
    pthread_mutex_destroy(&r->mu);
    xfree(r->body);
    r->body = NULL;
}

static int receiver_count(struct receiver *r)
{
    pthread_mutex_lock(&r->mu);
    int n = r->count;
    pthread_mutex_unlock(&r->mu);
    return n;
}

/* ---- a tiny SMTP server -------------------------------------------------------------- */

struct smtp {
    int fd, port;
    pthread_t th;
    char *mail;               /* the DATA received */
    char rcpt[512];
};

static void say(int c, const char *s)
{
    if (write(c, s, strlen(s)) < 0) {
        /* gone */
    }
}

static void *smtp_main(void *arg)
{
    struct smtp *s = arg;
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, 10000) <= 0)
        return NULL;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    say(c, "220 test ESMTP\r\n");
    char buf[65536];
    size_t len = 0;
    bool data = false;
    for (;;) {
        struct pollfd q = {.fd = c, .events = POLLIN};
        if (poll(&q, 1, 10000) <= 0)
            break;
        ssize_t n = read(c, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        if (data) {
            char *end = strstr(buf, "\r\n.\r\n");
            if (!end)
                continue;
            s->mail = xstrndup(buf, (size_t)(end - buf));
            say(c, "250 queued\r\n");
            data = false;
            memmove(buf, end + 5, len - (size_t)(end + 5 - buf) + 1);
            len -= (size_t)(end + 5 - buf);
        }
        char *eol;
        while (!data && (eol = strstr(buf, "\r\n"))) {
            *eol = '\0';
            if (strncasecmp(buf, "EHLO", 4) == 0)
                say(c, "250-test\r\n250 SIZE 1000000\r\n");
            else if (strncasecmp(buf, "MAIL FROM", 9) == 0)
                say(c, "250 ok\r\n");
            else if (strncasecmp(buf, "RCPT TO", 7) == 0) {
                size_t have = strlen(s->rcpt);
                snprintf(s->rcpt + have, sizeof s->rcpt - have, "%.200s", buf + 8);
                say(c, "250 ok\r\n");
            } else if (strncasecmp(buf, "DATA", 4) == 0) {
                say(c, "354 go ahead\r\n");
                data = true;
            } else if (strncasecmp(buf, "QUIT", 4) == 0) {
                say(c, "221 bye\r\n");
                close(c);
                return NULL;
            } else {
                say(c, "250 ok\r\n");
            }
            size_t used = (size_t)(eol + 2 - buf);
            memmove(buf, eol + 2, len - used + 1);
            len -= used;
        }
    }
    close(c);
    return NULL;
}

/* ---- fixtures ------------------------------------------------------------------------ */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static char *dir;
static struct store *S;
static int64_t eng1;

static json_t *J(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *J(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return json_loads(buf, 0, NULL);
}

static int64_t channel(json_t *body)
{
    json_t *out = NULL;
    struct yw_err err = YW_ERR_INIT;
    int64_t id = 0;
    if (notify_channel_create(S, body, &out, &err) != 0)
        printf("#   channel: %s\n", err.msg);
    else
        id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(body);
    return id;
}

static void only_channel(int64_t keep, int64_t *all, size_t n)
{
    /* the default flag decides where an unmatched event goes: one at a time */
    for (size_t i = 0; i < n; i++) {
        if (!all[i])
            continue;
        json_t *cur = NULL;
        struct yw_err err = YW_ERR_INIT;
        notify_channel_get(S, all[i], NULL, &cur, &err);
        json_object_set_new(cur, "default", json_boolean(all[i] == keep));
        if (notify_channel_update(S, all[i], NULL, cur, NULL, NULL, &err) != 0)
            printf("#   update: %s\n", err.msg);
        json_decref(cur);
    }
}

static json_t *last_delivery(int64_t channel_id)
{
    char ch[32];
    snprintf(ch, sizeof ch, "%lld", (long long)channel_id);
    struct notify_log_query q = {.channel = ch, .limit = 1};
    json_t *items = NULL;
    struct yw_err err = YW_ERR_INIT;
    if (notify_delivery_list(S, &q, &items, NULL, &err) != 0)
        return NULL;
    json_t *d = json_incref(json_array_get(items, 0));
    json_decref(items);
    return d;
}

/* Polls until the channel's last delivery has status, at most ms. */
static json_t *wait_status(int64_t channel_id, const char *status, int ms)
{
    for (int waited = 0; waited <= ms; waited += 20) {
        json_t *d = last_delivery(channel_id);
        const char *s = json_string_value(json_object_get(d, "status"));
        if (s && strcmp(s, status) == 0)
            return d;
        json_decref(d);
        usleep(20000);
    }
    json_t *d = last_delivery(channel_id);
    printf("#   channel %lld: status %s, want %s\n", (long long)channel_id,
           json_string_value(json_object_get(d, "status")), status);
    json_decref(d);
    return NULL;
}

static void submit(struct notifier *N, int64_t incident)
{
    struct notify_event ev = {.kind = NK_OPENED, .incident_id = incident, .level = 1,
                              .system = "portal", .title = "首页无法访问",
                              .at = time_now_ms(), .assignee_id = eng1};
    struct yw_err err = YW_ERR_INIT;
    if (notify_submit(N, &ev, &err) != 0)
        printf("#   submit: %s\n", err.msg);
}

static const ms_t fast[] = {200, 300, 400};

/* ---- tests --------------------------------------------------------------------------- */

TEST(webhook_and_robots)
{
    struct receiver r = {0};
    CHECK_INT(receiver_start(&r, 0), 0);
    int64_t ids[3];
    ids[0] = channel(J("{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/"
                       "hook\",\"token\":\"bearer-xyz-1\",\"secret\":\"whsec-2\"}",
                       r.port));
    ids[1] = channel(J("{\"name\":\"ding\",\"type\":\"dingtalk\",\"url\":\"http://127.0.0.1:%d/"
                       "robot/send?access_token=ding-tok-3\",\"secret\":\"SECding-4\"}",
                       r.port));
    ids[2] = channel(J("{\"name\":\"fei\",\"type\":\"feishu\",\"url\":\"http://127.0.0.1:%d/"
                       "open-apis/bot/v2/hook/fei-hook-5\",\"secret\":\"fei-sec-6\"}",
                       r.port));
    struct notifier_opts o = {.base_url = "http://127.0.0.1:8080", .backoff = fast,
                              .nbackoff = 3};
    struct yw_err err = YW_ERR_INIT;
    struct notifier *N = notifier_start_opts(S, &o, &err);
    CHECK(N != NULL);

    /* the webhook: JSON with every field, the bearer token, a signature */
    only_channel(ids[0], ids, 3);
    submit(N, 1);
    json_t *d = wait_status(ids[0], "sent", 5000);
    CHECK(d != NULL);
    CHECK_INT(json_array_size(json_object_get(d, "attempt_log")), 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(d, "attempt_log"),
                                                                0),
                                                 "status")),
              200);
    json_decref(d);
    pthread_mutex_lock(&r.mu);
    CHECK(strncmp(r.line, "POST /hook ", 11) == 0);
    CHECK(strcasestr(r.headers, "\r\nAuthorization: Bearer bearer-xyz-1\r\n") != NULL);
    json_t *b = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(b, "kind")), "opened");
    CHECK_STR(json_string_value(json_object_get(b, "link")), "http://127.0.0.1:8080/incidents/1");
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(b, "recipients"), 0),
                                                "login")),
              "eng1");
    json_decref(b);
    const char *tsh = strcasestr(r.headers, "\r\nX-Yunwei-Timestamp: ");
    const char *sgh = strcasestr(r.headers, "\r\nX-Yunwei-Signature: ");
    CHECK(tsh && sgh);
    if (tsh && sgh) {
        char *want = notify_webhook_sign("whsec-2", atoll(tsh + 22), r.body);
        CHECK(strncmp(sgh + 22, want, strlen(want)) == 0);
        xfree(want);
    }
    pthread_mutex_unlock(&r.mu);

    /* DingTalk: the signed URL verifies */
    only_channel(ids[1], ids, 3);
    submit(N, 2);
    d = wait_status(ids[1], "sent", 5000);
    CHECK(d != NULL);
    json_decref(d);
    pthread_mutex_lock(&r.mu);
    CHECK(strncmp(r.line, "POST /robot/send?access_token=ding-tok-3&timestamp=", 51) == 0);
    const char *tp = strstr(r.line, "&timestamp=");
    const char *sp = strstr(r.line, "&sign=");
    if (tp && sp) {
        long long t = atoll(tp + 11);
        CHECK(llabs(t - time_now_ms()) < 60000);
        char *sign = notify_dingtalk_sign("SECding-4", t);
        char *enc = notify_url_encode(sign);
        CHECK(strncmp(sp + 6, enc, strlen(enc)) == 0);
        xfree(sign);
        xfree(enc);
    }
    b = json_loads(r.body, 0, NULL);
    CHECK_STR(json_string_value(json_object_get(b, "msgtype")), "markdown");
    CHECK(strstr(json_string_value(json_object_get(json_object_get(b, "markdown"), "text")),
                 "http://127.0.0.1:8080/incidents/2") != NULL);
    json_decref(b);
    CHECK(strstr(r.body, "SECding-4") == NULL);
    pthread_mutex_unlock(&r.mu);

    /* Feishu: the hook id in the path, timestamp and sign in the body */
    only_channel(ids[2], ids, 3);
    pthread_mutex_lock(&r.mu);
    r.answer = "{\"code\":0,\"msg\":\"success\"}";
    pthread_mutex_unlock(&r.mu);
    submit(N, 3);
    d = wait_status(ids[2], "sent", 5000);
    CHECK(d != NULL);
    json_decref(d);
    pthread_mutex_lock(&r.mu);
    CHECK(strncmp(r.line, "POST /open-apis/bot/v2/hook/fei-hook-5 ", 39) == 0);
    b = json_loads(r.body, 0, NULL);
    const char *fts = json_string_value(json_object_get(b, "timestamp"));
    if (fts) {
        char *sign = notify_feishu_sign("fei-sec-6", atoll(fts));
        CHECK_STR(json_string_value(json_object_get(b, "sign")), sign);
        xfree(sign);
    }
    CHECK(fts != NULL);
    json_decref(b);

    /* a robot that answers an error code: a failed attempt, retried */
    r.answer = "{\"code\":19021,\"msg\":\"sign match fail or timestamp is not within one hour "
               "from current time\"}";
    pthread_mutex_unlock(&r.mu);
    submit(N, 4);
    d = NULL;
    for (int waited = 0; waited < 5000 && !d; waited += 20) {
        json_t *x = last_delivery(ids[2]);
        if (json_integer_value(json_object_get(x, "attempts")) >= 2)
            d = x;
        else
            json_decref(x);
        usleep(20000);
    }
    CHECK(d != NULL);
    const char *le = json_string_value(json_object_get(d, "last_error"));
    CHECK(le && strstr(le, "19021") != NULL);
    json_decref(d);

    notifier_stop(N);
    receiver_stop(&r);
    for (int i = 0; i < 3; i++)
        notify_channel_delete(S, ids[i], NULL, NULL, &err);
}

TEST(receiver_down_then_back)
{
    /* a port with nothing on it, for now */
    int fd = listen_on(0);
    int port = port_of(fd);
    close(fd);
    int64_t id = channel(J("{\"name\":\"later\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:"
                           "%d/x\",\"default\":true}",
                           port));
    static const ms_t slow[] = {600, 600, 600, 600};
    struct notifier_opts o = {.backoff = slow, .nbackoff = 4};
    struct yw_err err = YW_ERR_INIT;
    struct notifier *N = notifier_start_opts(S, &o, &err);
    submit(N, 10);
    json_t *d = NULL;
    for (int waited = 0; waited < 3000 && !d; waited += 10) {
        json_t *x = last_delivery(id);
        if (json_integer_value(json_object_get(x, "attempts")) >= 1)
            d = x;
        else
            json_decref(x);
        usleep(10000);
    }
    CHECK(d != NULL);
    CHECK_STR(json_string_value(json_object_get(d, "status")), "queued");
    json_t *a0 = json_array_get(json_object_get(d, "attempt_log"), 0);
    CHECK(json_is_false(json_object_get(a0, "ok")));
    CHECK(strstr(json_string_value(json_object_get(a0, "error")), "onnect") != NULL);
    json_decref(d);
    /* it comes back: the next retry goes through */
    struct receiver r = {0};
    CHECK_INT(receiver_start(&r, port), 0);
    d = wait_status(id, "sent", 5000);
    CHECK(d != NULL);
    CHECK(json_integer_value(json_object_get(d, "attempts")) >= 2);
    json_t *log = json_object_get(d, "attempt_log");
    CHECK(json_is_true(json_object_get(json_array_get(log, json_array_size(log) - 1), "ok")));
    json_decref(d);
    CHECK_INT(receiver_count(&r), 1);
    notifier_stop(N);
    receiver_stop(&r);
    notify_channel_delete(S, id, NULL, NULL, &err);
}

TEST(stop_is_prompt)
{
    struct receiver r = {.delay_ms = 10000};
    CHECK_INT(receiver_start(&r, 0), 0);
    int64_t id = channel(J("{\"name\":\"slow\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:"
                           "%d/x\",\"default\":true}",
                           r.port));
    struct yw_err err = YW_ERR_INIT;
    struct notifier *N = notifier_start(S, NULL, &err);
    submit(N, 20);
    for (int waited = 0; waited < 3000 && receiver_count(&r) == 0; waited += 10)
        usleep(10000);
    CHECK_INT(receiver_count(&r), 1);
    ms_t t0 = time_mono_ms();
    notifier_stop(N);
    ms_t took = time_mono_ms() - t0;
    if (took >= 1000)
        printf("#   notifier_stop took %lld ms\n", (long long)took);
    CHECK(took < 1000);
    /* the interrupted delivery waits for the next start, no attempt counted */
    json_t *d = last_delivery(id);
    CHECK_STR(json_string_value(json_object_get(d, "status")), "queued");
    CHECK_INT(json_integer_value(json_object_get(d, "attempts")), 0);
    json_decref(d);
    receiver_stop(&r);
    /* a new notifier resumes it (the receiver is gone now: a failed attempt) */
    N = notifier_start(S, NULL, &err);
    for (int waited = 0; waited < 5000; waited += 20) {
        d = last_delivery(id);
        long long a = json_integer_value(json_object_get(d, "attempts"));
        json_decref(d);
        if (a >= 1)
            break;
        usleep(20000);
    }
    d = last_delivery(id);
    CHECK_INT(json_integer_value(json_object_get(d, "attempts")), 1);
    json_decref(d);
    notifier_stop(N);
    notify_channel_delete(S, id, NULL, NULL, &err);
}

TEST(mail_over_smtp)
{
    struct smtp s = {0};
    s.fd = listen_on(0);
    s.port = port_of(s.fd);
    pthread_create(&s.th, NULL, smtp_main, &s);
    int64_t id = channel(J("{\"name\":\"mail\",\"type\":\"email\",\"host\":\"127.0.0.1\","
                           "\"port\":%d,\"security\":\"none\",\"from\":\"yunwei@example.cn\","
                           "\"to\":[\"team@example.cn\"],\"default\":true}",
                           s.port));
    struct yw_err err = YW_ERR_INIT;
    struct notifier *N = notifier_start(S, "http://127.0.0.1:8080", &err);
    submit(N, 30);
    json_t *d = wait_status(id, "sent", 5000);
    CHECK(d != NULL);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(d, "attempt_log"),
                                                                0),
                                                 "status")),
              250);
    json_decref(d);
    notifier_stop(N);
    pthread_join(s.th, NULL);
    close(s.fd);
    CHECK(s.mail != NULL);
    if (s.mail) {
        CHECK(strstr(s.mail, "Subject: =?UTF-8?B?") != NULL);
        CHECK(strstr(s.mail, "From: =?UTF-8?B?") != NULL);
        CHECK(strstr(s.mail, "Content-Transfer-Encoding: base64") != NULL);
    }
    CHECK(strstr(s.rcpt, "<eng1@example.cn>") != NULL);
    CHECK(strstr(s.rcpt, "<team@example.cn>") != NULL);
    xfree(s.mail);
    notify_channel_delete(S, id, NULL, NULL, &err);
}

int main(void)
{
    time_set_display_zone("Asia/Shanghai");
    char tmpl[] = "/tmp/yw-notifyw-XXXXXX";
    dir = xstrdup(mkdtemp(tmpl));
    struct yw_err err = YW_ERR_INIT;
    S = store_open(dir, &err);
    if (!S) {
        printf("# store_open: %s\n", err.msg);
        return 1;
    }
    struct user_row u = {.name = (char *)(uintptr_t) "eng1", .roles = 1u << ROLE_ENGINEER};
    store_user_create(S, &u, &eng1, &err);
    json_t *c = J("{\"email\":\"eng1@example.cn\",\"mobile\":\"13800001111\"}");
    notify_contact_put(S, eng1, NULL, c, NULL, NULL, &err);
    json_decref(c);
    RUN(webhook_and_robots);
    RUN(receiver_down_then_back);
    RUN(stop_is_prompt);
    RUN(mail_over_smtp);
    store_close(S);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    xfree(dir);
    return t_done();
}
