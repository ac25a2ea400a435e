/*
 * Probes against real local targets, all on 127.0.0.1, started in this
 * process: a small blocking HTTP server (one thread per connection), a
 * listener that never accepts (connections complete, nothing is answered), a
 * listener with a full backlog (SYNs are dropped: connect hangs), a closed
 * port, and a UDP DNS server that answers a few canned names.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "probe/probe.h"
#include "probe/probe_int.h"
#include "sched/loop.h"
#include "t.h"

/* ---- helpers: sockets ---- */

static int listen_on(int backlog, int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, backlog) != 0) {
        perror("listen");
        exit(1);
    }
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(fd, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ---- the HTTP target ---- */

#define BIG_SIZE (5u << 20)

static int http_fd, http_port;
static pthread_t http_acceptor;
static atomic_bool http_stop;
static pthread_mutex_t conns_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_t *conns;
static size_t nconns, capconns;

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static void respond(int fd, int code, const char *extra, const char *body, size_t blen)
{
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d X\r\nContent-Length: %zu\r\nConnection: close\r\n%s\r\n", code,
                     blen, extra ? extra : "");
    send_all(fd, head, (size_t)n);
    send_all(fd, body, blen);
}

static const char *header_value(const char *req, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    const char *h = strcasestr(req, name);
    if (!h)
        return out;
    h += strlen(name);
    while (*h == ' ')
        h++;
    size_t i = 0;
    while (h[i] && h[i] != '\r' && i < n - 1) {
        out[i] = h[i];
        i++;
    }
    out[i] = '\0';
    return out;
}

static void *serve_conn(void *arg)
{
    int fd = (int)(intptr_t)arg;
    struct timeval tv = {2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char req[8192];
    size_t len = 0;
    char *end = NULL;
    while (len < sizeof req - 1) {
        ssize_t r = recv(fd, req + len, sizeof req - 1 - len, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
        req[len] = '\0';
        if (req[0] < 'A' || req[0] > 'Z')
            break; /* not HTTP (a TLS hello): answer at once */
        if ((end = strstr(req, "\r\n\r\n")))
            break;
    }
    req[len] = '\0';
    if (len == 0 || req[0] < 'A' || req[0] > 'Z' || !end) {
        respond(fd, 400, NULL, "bad", 3);
        goto out;
    }
    char method[16] = "", path[256] = "";
    sscanf(req, "%15s %255s", method, path);
    /* The request body, when there is one, follows the headers. */
    char clen[32];
    header_value(req, "\r\nContent-Length:", clen, sizeof clen);
    size_t want = (size_t)atol(clen);
    size_t have = len - (size_t)(end + 4 - req);
    while (have < want && len < sizeof req - 1) {
        ssize_t r = recv(fd, req + len, sizeof req - 1 - len, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
        have += (size_t)r;
    }
    req[len] = '\0';
    end = strstr(req, "\r\n\r\n");
    const char *rbody = end + 4;

    if (strcmp(path, "/page") == 0) {
        const char *b = "<html><title>门户</title><body>欢迎访问数据资源中心</body></html>";
        respond(fd, 200, "Content-Type: text/html; charset=utf-8\r\n", b, strlen(b));
    } else if (strcmp(path, "/json") == 0) {
        const char *b = "{\"code\":0,\"data\":{\"total\":42,\"items\":[{\"id\":7}]}}";
        respond(fd, 200, "Content-Type: application/json\r\n", b, strlen(b));
    } else if (strcmp(path, "/bad-json") == 0) {
        respond(fd, 200, NULL, "{not json", 9);
    } else if (strcmp(path, "/503") == 0) {
        respond(fd, 503, NULL, "down", 4);
    } else if (strcmp(path, "/slow") == 0) {
        sleep_ms(600);
        respond(fd, 200, NULL, "slow ok", 7);
    } else if (strcmp(path, "/redirect") == 0) {
        respond(fd, 302, "Location: /page\r\n", "", 0);
    } else if (strcmp(path, "/loop") == 0) {
        respond(fd, 302, "Location: /loop\r\n", "", 0);
    } else if (strcmp(path, "/big") == 0) {
        char *b = xmalloc(BIG_SIZE);
        memset(b, 'a', BIG_SIZE);
        memcpy(b, "NEEDLE", 6);
        memcpy(b + BIG_SIZE - 4, "TAIL", 4);
        respond(fd, 200, NULL, b, BIG_SIZE);
        xfree(b);
    } else if (strcmp(path, "/echo") == 0) {
        char ua[64], x[64], out[512];
        header_value(req, "\r\nUser-Agent:", ua, sizeof ua);
        header_value(req, "\r\nX-Test:", x, sizeof x);
        int n = snprintf(out, sizeof out, "METHOD=%s UA=%s X=%s BODY=%s", method, ua, x, rbody);
        if (strcmp(method, "HEAD") == 0)
            respond(fd, 200, NULL, "", 0);
        else
            respond(fd, 200, NULL, out, (size_t)n);
    } else {
        respond(fd, 404, NULL, "no", 2);
    }
out:
    shutdown(fd, SHUT_WR);
    /* Let the client read before the close; a reset could eat the reply. */
    char sink[256];
    while (recv(fd, sink, sizeof sink, 0) > 0)
        ;
    close(fd);
    return NULL;
}

static void *http_accept_loop(void *arg)
{
    for (;;) {
        int c = accept4(http_fd, NULL, NULL, SOCK_CLOEXEC);
        if (c < 0) {
            if (atomic_load(&http_stop))
                return NULL;
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            return NULL;
        }
        pthread_t th;
        pthread_create(&th, NULL, serve_conn, (void *)(intptr_t)c);
        pthread_mutex_lock(&conns_mu);
        XGROW(conns, capconns, nconns + 1);
        conns[nconns++] = th;
        pthread_mutex_unlock(&conns_mu);
    }
}

static void http_server_start(void)
{
    http_fd = listen_on(128, &http_port);
    pthread_create(&http_acceptor, NULL, http_accept_loop, NULL);
}

static void http_server_stop(void)
{
    atomic_store(&http_stop, true);
    shutdown(http_fd, SHUT_RDWR);
    pthread_join(http_acceptor, NULL);
    close(http_fd);
    for (size_t i = 0; i < nconns; i++)
        pthread_join(conns[i], NULL);
    xfree(conns);
}

/* ---- the DNS target ---- */

static int dns_fd, dns_port;
static pthread_t dns_thread;
static atomic_bool dns_stop;

static size_t put_rr(unsigned char *out, size_t n, uint16_t type, const void *rdata, uint16_t rdlen)
{
    unsigned char rr[12] = {0xc0, 0x0c, (unsigned char)(type >> 8), (unsigned char)type, 0, 1,
                            0, 0, 0, 60, (unsigned char)(rdlen >> 8), (unsigned char)rdlen};
    memcpy(out + n, rr, sizeof rr);
    memcpy(out + n + sizeof rr, rdata, rdlen);
    return n + sizeof rr + rdlen;
}

static void *dns_loop(void *arg)
{
    while (!atomic_load(&dns_stop)) {
        struct pollfd pf = {dns_fd, POLLIN, 0};
        if (poll(&pf, 1, 50) <= 0)
            continue;
        unsigned char q[512], a[512];
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(dns_fd, q, sizeof q, 0, (struct sockaddr *)&from, &flen);
        if (n < 17)
            continue;
        /* The name, as dotted text, and where the question ends. */
        char name[256] = "";
        size_t i = 12, nl = 0;
        while (i < (size_t)n && q[i] && nl < 200) {
            size_t l = q[i++];
            if (nl)
                name[nl++] = '.';
            memcpy(name + nl, q + i, l);
            nl += l;
            i += l;
        }
        name[nl] = '\0';
        size_t qend = i + 1 + 4;
        if (qend > (size_t)n)
            continue;
        uint16_t qtype = (uint16_t)(q[i + 1] << 8 | q[i + 2]);
        if (strcmp(name, "slow.test") == 0)
            continue; /* never answered */
        memcpy(a, q, qend);
        a[2] = 0x81; /* QR, RD */
        a[3] = 0x80; /* RA, NOERROR */
        a[6] = a[7] = a[8] = a[9] = a[10] = a[11] = 0; /* no answers, authority, additional */
        size_t len = qend;
        int answers = 0;
        if (strcmp(name, "ok.test") == 0 && qtype == 1) {
            unsigned char ip1[4] = {10, 1, 2, 3}, ip2[4] = {10, 1, 2, 4};
            len = put_rr(a, len, 1, ip1, 4);
            len = put_rr(a, len, 1, ip2, 4);
            answers = 2;
        } else if (strcmp(name, "v6.test") == 0 && qtype == 28) {
            unsigned char ip6[16];
            inet_pton(AF_INET6, "2001:db8::1", ip6);
            len = put_rr(a, len, 28, ip6, 16);
            answers = 1;
        } else if (strcmp(name, "ok.test") != 0 && strcmp(name, "v6.test") != 0) {
            a[3] = 0x83; /* NXDOMAIN */
        }
        a[7] = (unsigned char)answers;
        sendto(dns_fd, a, len, 0, (struct sockaddr *)&from, flen);
    }
    return NULL;
}

static void dns_server_start(void)
{
    dns_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(dns_fd, (struct sockaddr *)&a, sizeof a);
    socklen_t len = sizeof a;
    getsockname(dns_fd, (struct sockaddr *)&a, &len);
    dns_port = ntohs(a.sin_port);
    pthread_create(&dns_thread, NULL, dns_loop, NULL);
}

static void dns_server_stop(void)
{
    atomic_store(&dns_stop, true);
    pthread_join(dns_thread, NULL);
    close(dns_fd);
}

/* ---- the other targets ---- */

static int open_fd, open_port;       /* listens; the kernel completes handshakes */
static int hole_fd, hole_port;       /* listens, never accepts: HTTP never answered */
static int full_fd, full_port;       /* backlog full: SYNs dropped */
static int full_filler;
static int dead_port;                /* nothing listens */

/* ---- running probes ---- */

static struct loop *L;
static struct probe_ctx *P;
static int pending;

struct res {
    int calls;
    struct probe_result r;
    ms_t at;
};

static void on_done(void *arg, const struct probe_result *r)
{
    struct res *x = arg;
    x->calls++;
    x->r = *r;
    x->at = time_mono_ms();
    if (--pending == 0)
        loop_stop(L);
}

static void on_guard(struct loop *l, void *arg)
{
    *(bool *)arg = true;
    loop_stop(l);
}

/* Runs the loop until every started probe reported, or limit_ms passed. */
static bool run_until_done(ms_t limit_ms)
{
    bool fired = false;
    struct loop_timer *g = loop_timer_at(L, time_mono_ms() + limit_ms, on_guard, &fired);
    if (pending > 0)
        loop_run(L);
    if (!fired)
        loop_timer_cancel(L, g);
    return !fired;
}

static void run1(const struct monitor_spec *m, struct res *x)
{
    memset(x, 0, sizeof *x);
    pending = 1;
    CHECK_INT(probe_start(P, m, on_done, x), 0);
    CHECK_INT(x->calls, 0); /* never from inside probe_start */
    CHECK(run_until_done(8000));
    CHECK_INT(x->calls, 1);
    CHECK_INT(probe_inflight(P), 0);
    printf("#   %s %s: %s (%lld ms, value %.3g)\n", monitor_type_name(m->type),
           x->r.ok ? "up" : "down", x->r.detail, (long long)x->r.latency, x->r.value);
}

static char url_buf[16][128];
static int url_next;

static char *url(const char *path)
{
    char *u = url_buf[url_next++ % 16];
    snprintf(u, 128, "http://127.0.0.1:%d%s", http_port, path);
    return u;
}

static struct monitor_spec http_mon(const char *path)
{
    struct monitor_spec m;
    memset(&m, 0, sizeof m);
    m.name = "t";
    m.type = MT_HTTP;
    m.timeout = 5000;
    m.http.url = url(path);
    m.http.follow_redirects = true;
    m.http.max_redirects = 5;
    m.http.tls_verify = true;
    return m;
}

static bool has(const char *s, const char *sub)
{
    return s && strstr(s, sub) != NULL;
}

/* ---- http ---- */

TEST(http_up_with_keyword)
{
    struct monitor_spec m = http_mon("/page");
    m.http.keyword = "数据资源中心";
    struct res x;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_INT(x.r.status, 200);
    CHECK_STR(x.r.detail, "HTTP 200");
    CHECK(x.r.latency >= 0 && x.r.latency < 2000);
    CHECK(x.r.started > 0);
}

TEST(http_status_mismatch)
{
    struct monitor_spec m = http_mon("/503");
    struct res x;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_INT(x.r.status, 503);
    CHECK_STR(x.r.detail, "HTTP 503 (expected 200-399)");

    struct status_range ranges[] = {{200, 200}, {300, 302}};
    m.http.status = ranges;
    m.http.nstatus = 2;
    run1(&m, &x);
    CHECK_STR(x.r.detail, "HTTP 503 (expected 200, 300-302)");

    struct status_range want503 = {503, 503};
    m.http.status = &want503;
    m.http.nstatus = 1;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 503");
}

TEST(http_keyword_missing_and_absent)
{
    struct monitor_spec m = http_mon("/page");
    m.http.keyword = "不存在的词";
    struct res x;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "keyword 不存在的词 not found");

    m.http.keyword = NULL;
    m.http.keyword_absent = "数据资源中心";
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "keyword 数据资源中心 found (must be absent)");

    m.http.keyword_absent = "维护中";
    run1(&m, &x);
    CHECK(x.r.ok);
}

TEST(http_json_checks)
{
    struct monitor_spec m = http_mon("/json");
    json_t *zero = json_integer(0), *one = json_integer(1), *seven = json_real(7.0);
    struct json_check ok[] = {
        {"data.total", JC_EXISTS, true, NULL},
        {"code", JC_EQUALS, false, zero},
        {"$.data.items[0].id", JC_EQUALS, false, seven},
        {"data.nothing", JC_EXISTS, false, NULL},
    };
    m.http.json = ok;
    m.http.njson = 4;
    struct res x;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 200");

    struct json_check missing[] = {{"data.missing", JC_EXISTS, true, NULL}};
    m.http.json = missing;
    m.http.njson = 1;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "data.missing: missing");

    struct json_check wrong[] = {{"code", JC_EQUALS, false, one}};
    m.http.json = wrong;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "code: expected 1, got 0");

    struct monitor_spec b = http_mon("/bad-json");
    b.http.json = ok;
    b.http.njson = 1;
    run1(&b, &x);
    CHECK(!x.r.ok);
    CHECK(has(x.r.detail, "JSON: invalid body"));
    json_decref(zero);
    json_decref(one);
    json_decref(seven);
}

TEST(http_max_latency)
{
    struct monitor_spec m = http_mon("/slow");
    m.http.max_latency = 100;
    struct res x;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_INT(x.r.status, 200);
    CHECK(has(x.r.detail, "HTTP 200 but slow: "));
    CHECK(has(x.r.detail, "(limit 100 ms)"));
    CHECK(x.r.latency >= 550);

    m.http.max_latency = 3000;
    run1(&m, &x);
    CHECK(x.r.ok);
}

TEST(http_timeout)
{
    struct monitor_spec m = http_mon("/slow");
    m.timeout = 200;
    struct res x;
    ms_t t0 = time_mono_ms();
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "timeout after 200ms");
    CHECK(x.r.latency >= 190 && x.r.latency < 500);
    CHECK(time_mono_ms() - t0 < 550); /* did not wait for the answer */
}

TEST(http_redirects)
{
    struct monitor_spec m = http_mon("/redirect");
    m.http.keyword = "数据资源中心";
    struct res x;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 200");

    m.http.follow_redirects = false;
    m.http.keyword = NULL;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 302");

    struct monitor_spec l = http_mon("/loop");
    l.http.max_redirects = 3;
    run1(&l, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "too many redirects (max 3)");
}

TEST(http_connection_refused)
{
    struct monitor_spec m = http_mon("/");
    char u[64];
    snprintf(u, sizeof u, "http://127.0.0.1:%d/", dead_port);
    m.http.url = u;
    struct res x;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "connect: Connection refused");
    CHECK_INT(x.r.status, 0);
}

TEST(http_big_body_is_cut_at_4_mib)
{
    struct monitor_spec m = http_mon("/big");
    m.http.keyword = "NEEDLE";
    struct res x;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 200");

    m.http.keyword = "TAIL"; /* past 4 MiB */
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "keyword TAIL not found in the first 4 MiB");

    m.http.keyword = NULL; /* not kept, still cut: no 5 MiB download */
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 200");

    struct json_check j[] = {{"a", JC_EXISTS, true, NULL}};
    m.http.keyword = NULL;
    m.http.json = j;
    m.http.njson = 1;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "JSON: body larger than 4 MiB, not checked");
}

TEST(http_method_headers_body_user_agent)
{
    struct monitor_spec m = http_mon("/echo");
    struct http_header h[] = {{"X-Test", "abc"}};
    m.http.method = "POST";
    m.http.body = "hello";
    m.http.headers = h;
    m.http.nheaders = 1;
    m.http.keyword = "METHOD=POST UA=yunwei/0.1 X=abc BODY=hello";
    struct res x;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 200");

    m.http.method = "PUT";
    m.http.keyword = "METHOD=PUT UA=yunwei/0.1 X=abc BODY=hello";
    run1(&m, &x);
    CHECK(x.r.ok);

    m.http.method = "HEAD";
    m.http.body = NULL;
    m.http.keyword = NULL;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "HTTP 200");
}

/* 200 checks stuck on a target that never answers, and one fast check: the
 * fast one is not delayed, the stuck ones all end at their timeout. */
TEST(black_holed_targets_do_not_delay_others)
{
    enum { N = 200 };
    struct monitor_spec hole = http_mon("/");
    char u[64];
    snprintf(u, sizeof u, "http://127.0.0.1:%d/", hole_port);
    hole.http.url = u;
    hole.timeout = 1000;
    struct monitor_spec fast = http_mon("/page");
    struct res *xs = xcalloc(N, sizeof *xs);
    struct res f;
    memset(&f, 0, sizeof f);
    ms_t t0 = time_mono_ms();
    pending = N + 1;
    for (int i = 0; i < N; i++)
        CHECK_INT(probe_start(P, &hole, on_done, &xs[i]), 0);
    CHECK_INT(probe_start(P, &fast, on_done, &f), 0);
    CHECK_INT(probe_inflight(P), N + 1);
    CHECK(run_until_done(5000));
    CHECK_INT(f.calls, 1);
    CHECK(f.r.ok);
    CHECK(f.at - t0 < 500);
    int timeouts = 0;
    ms_t first_hole = 0;
    for (int i = 0; i < N; i++) {
        CHECK_INT(xs[i].calls, 1);
        if (!xs[i].r.ok && strcmp(xs[i].r.detail, "timeout after 1s") == 0)
            timeouts++;
        if (!first_hole || xs[i].at < first_hole)
            first_hole = xs[i].at;
    }
    CHECK_INT(timeouts, N);
    CHECK(f.at < first_hole);
    CHECK(time_mono_ms() - t0 < 3000);
    CHECK_INT(probe_inflight(P), 0);
    xfree(xs);
}

/* ---- tcp ---- */

static struct monitor_spec tcp_mon(char *host, int port)
{
    struct monitor_spec m;
    memset(&m, 0, sizeof m);
    m.name = "t";
    m.type = MT_TCP;
    m.timeout = 3000;
    m.tcp.host = host;
    m.tcp.port = port;
    return m;
}

TEST(tcp_open_closed_timeout_and_by_name)
{
    struct res x;
    struct monitor_spec m = tcp_mon("127.0.0.1", open_port);
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "connected");

    m = tcp_mon("127.0.0.1", dead_port);
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "connect: Connection refused");

    m = tcp_mon("127.0.0.1", full_port);
    m.timeout = 300;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "timeout after 300ms (connecting)");

    m = tcp_mon("localhost", open_port);
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "connected");

    m = tcp_mon("127.0.0.1", 0);
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "tcp: bad port 0");
}

/* ---- dns ---- */

static struct monitor_spec dns_mon(char *name, char *record, char *server)
{
    struct monitor_spec m;
    memset(&m, 0, sizeof m);
    m.name = "t";
    m.type = MT_DNS;
    m.timeout = 3000;
    m.dns.name = name;
    m.dns.record = record;
    m.dns.server = server;
    return m;
}

TEST(dns_system_resolver_localhost)
{
    char *expect[] = {"127.0.0.1"};
    struct monitor_spec m = dns_mon("localhost", "A", NULL);
    m.dns.expect = expect;
    m.dns.nexpect = 1;
    struct res x;
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "localhost: 127.0.0.1");
    CHECK(x.r.value >= 1);
}

TEST(dns_own_server)
{
    char server[32];
    snprintf(server, sizeof server, "127.0.0.1:%d", dns_port);
    struct res x;
    struct monitor_spec m = dns_mon("ok.test", NULL, server);
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "ok.test: 10.1.2.3, 10.1.2.4");
    CHECK_DBL(x.r.value, 2, 0);

    char *good[] = {"10.9.9.9", "10.1.2.4"};
    m.dns.expect = good;
    m.dns.nexpect = 2;
    run1(&m, &x);
    CHECK(x.r.ok);

    char *bad[] = {"10.9.9.9"};
    m.dns.expect = bad;
    m.dns.nexpect = 1;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "ok.test: got 10.1.2.3, 10.1.2.4, expected 10.9.9.9");

    m = dns_mon("nx.test", "A", server);
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "nx.test: no such name");

    m = dns_mon("v6.test", "AAAA", server);
    run1(&m, &x);
    CHECK(x.r.ok);
    CHECK_STR(x.r.detail, "v6.test: 2001:db8::1");

    m = dns_mon("ok.test", "AAAA", server);
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "ok.test: no AAAA record");

    m = dns_mon("slow.test", "A", server);
    m.timeout = 300;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "timeout after 300ms");

    m = dns_mon("ok.test", "A", "not-an-ip");
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK(has(x.r.detail, "dns: bad server"));
}

/* ---- ping ---- */

/* Whether this process may open an ICMP socket of either kind: root without
 * CAP_NET_RAW (some containers) is as unprivileged as anyone. */
static bool may_ping(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
    if (fd < 0)
        fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    if (fd < 0)
        return false;
    close(fd);
    return true;
}

TEST(ping_loopback)
{
    struct monitor_spec m;
    memset(&m, 0, sizeof m);
    m.name = "t";
    m.type = MT_PING;
    m.timeout = 2000;
    m.ping.host = "127.0.0.1";
    struct res x;
    run1(&m, &x);
    if (!x.r.ok && !may_ping()) {
        /* Unprivileged and no ping_group_range: a clear failure is right. */
        CHECK(has(x.r.detail, "not permitted"));
        printf("# ping not permitted here: %s\n", x.r.detail);
        return;
    }
    CHECK(x.r.ok);
    CHECK(has(x.r.detail, "reply in "));
    CHECK(x.r.value >= 0 && x.r.value < 1000);

    m.ping.host = "localhost";
    run1(&m, &x);
    CHECK(x.r.ok);
}

/* ---- postgres and tls, failure paths ---- */

TEST(postgres_fails_cleanly)
{
    char ci[256];
    struct monitor_spec m;
    memset(&m, 0, sizeof m);
    m.name = "t";
    m.type = MT_POSTGRES;
    m.timeout = 3000;
    m.postgres.conninfo = ci;
    m.postgres.expect = "1";
    struct res x;

    snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d dbname=x user=x password=hunter2", dead_port);
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "connect: Connection refused");
    CHECK(!has(x.r.detail, "hunter2"));

    /* A name goes through c-ares first, then hostaddr. */
    snprintf(ci, sizeof ci, "postgresql://x:hunter2@localhost:%d/x", dead_port);
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "connect: Connection refused");

    snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d dbname=x user=x", hole_port);
    m.timeout = 300;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "timeout after 300ms (connecting)");

    snprintf(ci, sizeof ci, "host=127.0.0.1 password=hunter2 junk");
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "postgres: invalid conninfo");
}

TEST(tls_fails_cleanly_on_plain_http_and_closed_port)
{
    struct monitor_spec m;
    memset(&m, 0, sizeof m);
    m.name = "t";
    m.type = MT_TLS;
    m.timeout = 3000;
    m.tls.host = "127.0.0.1";
    m.tls.port = http_port;
    m.tls.min_days = 14;
    m.tls.verify = true;
    struct res x;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK(has(x.r.detail, "TLS: "));
    printf("# tls on plain http: %s\n", x.r.detail);

    m.tls.port = dead_port;
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "connect: Connection refused");
}

TEST(cert_dates_parse)
{
    ms_t t = 0;
    CHECK_INT(probe_cert_time_parse("Jan  2 03:04:05 2027 GMT", &t), 0);
    CHECK_INT(t, 1798859045000LL); /* 2027-01-02T03:04:05Z */
    CHECK_INT(probe_cert_time_parse("Dec 31 23:59:59 2030 GMT", &t), 0);
    CHECK_INT(t, 1924991999000LL);
    CHECK_INT(probe_cert_time_parse("2027-01-02 03:04:05 GMT", &t), 0);
    CHECK_INT(t, 1798859045000LL);
    CHECK_INT(probe_cert_time_parse("Foo  2 03:04:05 2027 GMT", &t), -1);
    CHECK_INT(probe_cert_time_parse("Jan  2 03:04:05 2027", &t), -1);
    CHECK_INT(probe_cert_time_parse("Jan 32 03:04:05 2027 GMT", &t), -1);
    CHECK_INT(probe_cert_time_parse("", &t), -1);
}

/* ---- contract: once, later, abortable ---- */

TEST(unsupported_type_and_immediate_failures)
{
    struct monitor_spec m;
    memset(&m, 0, sizeof m);
    m.name = "t";
    m.type = MT_HEARTBEAT;
    struct res x;
    memset(&x, 0, sizeof x);
    CHECK_INT(probe_start(P, &m, on_done, &x), -1);
    CHECK_INT(probe_inflight(P), 0);

    m.type = MT_HTTP; /* no url */
    run1(&m, &x);
    CHECK(!x.r.ok);
    CHECK_STR(x.r.detail, "http: no url");

    m.type = MT_PING; /* no host */
    run1(&m, &x);
    CHECK_STR(x.r.detail, "ping: no host");

    m.type = MT_DNS;
    run1(&m, &x);
    CHECK_STR(x.r.detail, "dns: no name to resolve");
}

static void must_not_run(void *arg, const struct probe_result *r)
{
    (*(int *)arg)++;
}

TEST(ctx_free_aborts_in_flight_checks_silently)
{
    struct loop *l = loop_new();
    struct probe_ctx *p = probe_ctx_new(l);
    CHECK(p != NULL);
    int called = 0;
    char u1[64], u2[64], ci[128], server[32];
    snprintf(u1, sizeof u1, "http://127.0.0.1:%d/", hole_port);
    snprintf(u2, sizeof u2, "http://127.0.0.1:%d/slow", http_port);
    snprintf(ci, sizeof ci, "host=127.0.0.1 port=%d dbname=x user=x", hole_port);
    snprintf(server, sizeof server, "127.0.0.1:%d", dns_port);
    struct monitor_spec ms[7];
    ms[0] = http_mon("/");
    ms[0].http.url = u1;
    ms[1] = http_mon("/");
    ms[1].http.url = u2;
    ms[2] = tcp_mon("127.0.0.1", full_port);
    ms[3] = dns_mon("slow.test", "A", server);
    memset(&ms[4], 0, sizeof ms[4]);
    ms[4].type = MT_POSTGRES;
    ms[4].timeout = 5000;
    ms[4].postgres.conninfo = ci;
    ms[5] = tcp_mon("localhost", full_port);
    ms[6] = http_mon("/"); /* ends at once; delivery pending at free */
    ms[6].http.url = NULL;
    for (int i = 0; i < 7; i++)
        CHECK_INT(probe_start(p, &ms[i], must_not_run, &called), 0);
    bool fired = false;
    loop_timer_at(l, time_mono_ms() + 150, on_guard, &fired);
    loop_run(l);
    CHECK(fired);
    CHECK_INT(called, 1); /* only the immediate failure was delivered */
    /* Start one more, never run the loop again. */
    CHECK_INT(probe_start(p, &ms[6], must_not_run, &called), 0);
    probe_ctx_free(p);
    loop_free(l);
    CHECK_INT(called, 1);
}

/* done() may free the context it was called from. */
static struct probe_ctx *self_ctx;
static void free_in_done(void *arg, const struct probe_result *r)
{
    (*(int *)arg)++;
    probe_ctx_free(self_ctx);
    self_ctx = NULL;
    loop_stop(L);
}

TEST(done_may_free_the_context)
{
    struct probe_ctx *p = probe_ctx_new(L);
    self_ctx = p;
    int called = 0;
    struct monitor_spec a = http_mon("/page"), b = http_mon("/slow");
    CHECK_INT(probe_start(p, &a, free_in_done, &called), 0);
    CHECK_INT(probe_start(p, &b, free_in_done, &called), 0);
    bool fired = false;
    struct loop_timer *g = loop_timer_at(L, time_mono_ms() + 3000, on_guard, &fired);
    loop_run(L);
    if (!fired)
        loop_timer_cancel(L, g);
    CHECK(!fired);
    CHECK_INT(called, 1);
    CHECK(self_ctx == NULL);
}

int main(void)
{
    http_server_start();
    dns_server_start();
    open_fd = listen_on(64, &open_port);
    hole_fd = listen_on(1024, &hole_port);
    full_fd = listen_on(0, &full_port);
    /* Fill the backlog of one; later SYNs are dropped. */
    full_filler = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)full_port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (connect(full_filler, (struct sockaddr *)&a, sizeof a) != 0)
        perror("connect filler");
    dead_port = closed_port();

    L = loop_new();
    P = probe_ctx_new(L);
    if (!L || !P) {
        printf("not ok 1 - setup\n");
        return 1;
    }
    RUN(http_up_with_keyword);
    RUN(http_status_mismatch);
    RUN(http_keyword_missing_and_absent);
    RUN(http_json_checks);
    RUN(http_max_latency);
    RUN(http_timeout);
    RUN(http_redirects);
    RUN(http_connection_refused);
    RUN(http_big_body_is_cut_at_4_mib);
    RUN(http_method_headers_body_user_agent);
    RUN(black_holed_targets_do_not_delay_others);
    RUN(tcp_open_closed_timeout_and_by_name);
    RUN(dns_system_resolver_localhost);
    RUN(dns_own_server);
    RUN(ping_loopback);
    RUN(postgres_fails_cleanly);
    RUN(tls_fails_cleanly_on_plain_http_and_closed_port);
    RUN(cert_dates_parse);
    RUN(unsupported_type_and_immediate_failures);
    RUN(ctx_free_aborts_in_flight_checks_silently);
    RUN(done_may_free_the_context);

    probe_ctx_free(P);
    loop_free(L);
    http_server_stop();
    dns_server_stop();
    close(open_fd);
    close(hole_fd);
    close(full_filler);
    close(full_fd);
    curl_global_cleanup();
    return t_done();
}
