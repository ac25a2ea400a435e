/* The console's routes through the real server on 127.0.0.1, with a real
 * store, the real engine (heartbeat and paused monitors only: nothing leaves
 * the machine) and the fixture's embedded files (tests/unit/web/fixture):
 * files with ETag/304 and the client-side fallback, /api paths untouched by
 * it, the charts with their parameters and figures, the live stream (an
 * engine state change reaches an open stream; open streams do not starve
 * the API; the cap; stopping the server with streams parked). */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/config.h"
#include "core/mem.h"
#include "http/server.h"
#include "sched/engine.h"
#include "t.h"
#include "thelp.h"
#include "web/stream.h"
#include "xmlcheck.h"

static int port;
static char *base;
static char token[64], noread_token[64];
static struct store *S;
static struct engine *E;
static int64_t home_id, hb_id;
static ms_t t0;

static struct answer get(const char *path, const char *bearer, const char *inm)
{
    char line[256] = "";
    if (inm) /* thelp's client sends its "expect" slot as a raw header line */
        snprintf(line, sizeof line, "If-None-Match: %s", inm);
    struct treq r = {.method = "GET", .path = path, .bearer = bearer,
                     .expect = inm ? line : NULL};
    return tc_do(base, &r);
}

static struct answer call(const char *method, const char *path, const char *bearer)
{
    struct treq r = {.method = method, .path = path, .bearer = bearer, .body = NULL};
    return tc_do(base, &r);
}

static bool hdr(const struct answer *a, const char *line)
{
    return tc_has_header(a, line);
}

static bool svg_ok(const struct answer *a)
{
    size_t at = 0;
    const char *why = a->body ? xml_check(a->body, NULL, &at) : "no body";
    if (why)
        printf("#   not well-formed at %zu: %s\n", at, why);
    return !why && hdr(a, "Content-Type: image/svg+xml; charset=utf-8");
}

static const char *fixture_file(const char *rel, size_t *len)
{
    static char buf[65536];
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", FIXTURE_DIR, rel);
    FILE *f = fopen(path, "rb");
    *len = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    if (f)
        fclose(f);
    buf[*len] = '\0';
    return buf;
}

/* "\"…\"" from an answer's ETag header. */
static void etag_of(const struct answer *a, char *out, size_t n)
{
    out[0] = '\0';
    const char *p = strstr(a->headers, "ETag: ");
    if (!p)
        p = strstr(a->headers, "Etag: ");
    if (!p)
        return;
    p += 6;
    size_t k = strcspn(p, "\r\n");
    snprintf(out, n, "%.*s", (int)k, p);
}

/* ---- files ------------------------------------------------------------------------- */

TEST(the_page_and_its_files_with_etags)
{
    size_t len;
    const char *index = fixture_file("index.html", &len);
    struct answer a = get("/", NULL, NULL); /* anonymous: the files are public */
    CHECK_INT(a.status, 200);
    CHECK(a.len == len && a.body && memcmp(a.body, index, len) == 0);
    CHECK(hdr(&a, "Content-Type: text/html; charset=utf-8"));
    CHECK(hdr(&a, "Cache-Control: no-cache"));
    CHECK(!hdr(&a, "Cache-Control: no-store"));
    CHECK(hdr(&a, "Content-Security-Policy: default-src 'self'"));
    CHECK(hdr(&a, "X-Content-Type-Options: nosniff"));
    char tag[64];
    etag_of(&a, tag, sizeof tag);
    CHECK(strlen(tag) == 18 && tag[0] == '"');
    tc_free(&a);

    a = get("/", NULL, tag);
    CHECK_INT(a.status, 304);
    CHECK_INT(a.len, 0);
    CHECK(hdr(&a, "Cache-Control: no-cache"));
    char again[64];
    etag_of(&a, again, sizeof again);
    CHECK_STR(again, tag);
    tc_free(&a);
    char weak[80];
    snprintf(weak, sizeof weak, "\"x\", W/%s", tag);
    a = get("/", NULL, weak);
    CHECK_INT(a.status, 304);
    tc_free(&a);
    a = get("/", NULL, "\"0000000000000000\"");
    CHECK_INT(a.status, 200);
    tc_free(&a);

    a = get("/app/main.js", NULL, NULL);
    CHECK_INT(a.status, 200);
    CHECK(hdr(&a, "Content-Type: text/javascript; charset=utf-8"));
    CHECK(a.body && strstr(a.body, "export const x") != NULL);
    tc_free(&a);
    a = get("/app/sub/deep.js", NULL, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    a = get("/%E6%96%87%E6%A1%A3/%E8%AF%B4%E6%98%8E.txt", NULL, NULL); /* 文档/说明.txt */
    CHECK_INT(a.status, 200);
    CHECK(hdr(&a, "Content-Type: text/plain; charset=utf-8"));
    CHECK(a.body && strcmp(a.body, "说明\n") == 0);
    tc_free(&a);
    a = get("/index.html", NULL, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);

    struct treq r = {.method = "HEAD", .path = "/style.css"};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 200);
    CHECK_INT(a.len, 0);
    CHECK(hdr(&a, "Content-Type: text/css; charset=utf-8"));
    tc_free(&a);
}

TEST(client_routes_get_the_page_and_missing_files_404)
{
    size_t len;
    fixture_file("index.html", &len);
    const char *pages[] = {"/monitors", "/monitors/7", "/users/li.lei", "/a/b/c/d",
                           "/systems/%E9%97%A8%E6%88%B7"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        struct answer a = get(pages[i], NULL, NULL);
        if (a.status != 200 || a.len != len)
            printf("#   %s -> %ld (%zu bytes)\n", pages[i], a.status, a.len);
        CHECK_INT(a.status, 200);
        CHECK(hdr(&a, "Content-Type: text/html; charset=utf-8"));
        tc_free(&a);
    }
    const char *missing[] = {"/app/missing.js", "/i18n/en.json", "/favicon.ico",
                             "/app/../index.html", "/a/b/c/d/e", "/%61pi/v1/nothing"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        struct answer a = get(missing[i], NULL, NULL);
        if (a.status != 404)
            printf("#   %s -> %ld\n", missing[i], a.status);
        CHECK_INT(a.status, 404);
        tc_free(&a);
    }
    /* other methods on console paths */
    struct answer a = call("POST", "/monitors/7", token);
    CHECK_INT(a.status, 405);
    CHECK(hdr(&a, "Allow: GET, HEAD"));
    tc_free(&a);
}

TEST(api_paths_never_fall_back_to_the_page)
{
    struct answer a = get("/api/v1/nothing", token, NULL);
    CHECK_INT(a.status, 404);
    CHECK(hdr(&a, "Content-Type: application/json; charset=utf-8"));
    tc_free(&a);
    a = get("/api", NULL, NULL);
    CHECK_INT(a.status, 404);
    tc_free(&a);
    a = get("/api/v1/monitors/7/nothing/more", token, NULL);
    CHECK_INT(a.status, 404);
    tc_free(&a);
    /* a GET on a POST-only route stays 405 */
    a = get("/api/v1/session/password", token, NULL);
    CHECK_INT(a.status, 405);
    CHECK(hdr(&a, "Allow: POST"));
    tc_free(&a);
    a = call("POST", "/api/v1/nothing", token);
    CHECK_INT(a.status, 404);
    tc_free(&a);
    /* /healthz is still the API's */
    a = get("/healthz", NULL, NULL);
    CHECK_INT(a.status, 200);
    CHECK(hdr(&a, "Content-Type: application/json; charset=utf-8"));
    tc_free(&a);
}

/* ---- charts -------------------------------------------------------------------------- */

static char *period(ms_t from, ms_t to)
{
    char a[64], b[64];
    time_format_rfc3339(from, a, sizeof a);
    time_format_rfc3339(to, b, sizeof b);
    /* '+' must travel as %2B */
    char *out = xasprintf("from=%s&to=%s", a, b);
    for (char *p; (p = strchr(out, '+'));) {
        size_t off = (size_t)(p - out);
        char *n = xasprintf("%.*s%%2B%s", (int)off, out, p + 1);
        xfree(out);
        out = n;
    }
    return out;
}

TEST(charts_need_ops_read)
{
    const char *paths[] = {"/api/v1/monitors/portal-home/chart/latency.svg",
                           "/api/v1/monitors/portal-home/chart/timeline.svg",
                           "/api/v1/systems/portal/chart/timeline.svg",
                           "/api/v1/chart/availability.svg", "/api/v1/stream"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct answer a = get(paths[i], NULL, NULL);
        CHECK_INT(a.status, 401);
        tc_free(&a);
        a = get(paths[i], noread_token, NULL);
        CHECK_INT(a.status, 403);
        tc_free(&a);
    }
}

TEST(latency_chart)
{
    char *q = period(t0, t0 + MS_PER_DAY);
    char path[512];
    snprintf(path, sizeof path, "/api/v1/monitors/portal-home/chart/latency.svg?%s", q);
    struct answer a = get(path, token, NULL);
    CHECK_INT(a.status, 200);
    CHECK(svg_ok(&a));
    CHECK(hdr(&a, "Cache-Control: no-store"));
    CHECK(a.body && strstr(a.body, "门户首页 · 延迟</title>") != NULL);
    CHECK(a.body && strstr(a.body, "平均 20 ms，最小 10 ms，最大 30 ms，144 次检查中失败 6 次") !=
                        NULL);
    tc_free(&a);

    snprintf(path, sizeof path, "/api/v1/monitors/%lld/chart/latency.svg?%s&lang=en&width=375&height=200",
             (long long)home_id, q);
    a = get(path, token, NULL);
    CHECK_INT(a.status, 200);
    CHECK(svg_ok(&a));
    CHECK(a.body && strstr(a.body, "width=\"375\" height=\"200\"") != NULL);
    CHECK(a.body && strstr(a.body, "6 of 144 checks failed") != NULL);
    tc_free(&a);
    xfree(q);

    /* a week: hourly rollups (their latencies include the failed checks) */
    q = period(t0, t0 + 7 * MS_PER_DAY);
    snprintf(path, sizeof path, "/api/v1/monitors/portal-home/chart/latency.svg?%s", q);
    a = get(path, token, NULL);
    CHECK_INT(a.status, 200);
    CHECK(svg_ok(&a));
    CHECK(a.body && strstr(a.body, "144 次检查中失败 6 次") != NULL);
    tc_free(&a);
    xfree(q);

    struct {
        const char *query, *field;
    } bad[] = {{"width=100", "width"}, {"width=abc", "width"}, {"height=99999", "height"},
               {"lang=fr", "lang"},    {"from=yesterday", "from"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "/api/v1/monitors/portal-home/chart/latency.svg?%s",
                 bad[i].query);
        a = get(path, token, NULL);
        CHECK_INT(a.status, 400);
        json_t *j = tc_json(&a);
        CHECK_STR(tc_str(j, "error", "field"), bad[i].field);
        json_decref(j);
        tc_free(&a);
    }
    a = get("/api/v1/monitors/nobody/chart/latency.svg", token, NULL);
    CHECK_INT(a.status, 404);
    tc_free(&a);
}

TEST(timeline_charts)
{
    char *q = period(t0, t0 + MS_PER_DAY);
    char path[512];
    snprintf(path, sizeof path, "/api/v1/monitors/portal-home/chart/timeline.svg?%s", q);
    struct answer a = get(path, token, NULL);
    CHECK_INT(a.status, 200);
    CHECK(svg_ok(&a));
    CHECK(a.body && strstr(a.body, ">正常 23小时</text>") != NULL);
    CHECK(a.body && strstr(a.body, ">故障 1小时</text>") != NULL);
    CHECK(a.body && strstr(a.body, "(1小时): HTTP 503</title>") != NULL);
    tc_free(&a);

    snprintf(path, sizeof path, "/api/v1/systems/portal/chart/timeline.svg?%s&lang=en", q);
    a = get(path, token, NULL);
    CHECK_INT(a.status, 200);
    CHECK(svg_ok(&a));
    /* the system follows its critical monitor (the heartbeat is not critical) */
    CHECK(a.body && strstr(a.body, ">Up 23h</text>") != NULL);
    CHECK(a.body && strstr(a.body, ">Down 1h</text>") != NULL);
    CHECK(a.body && strstr(a.body, "数据资源门户 · States</title>") != NULL);
    tc_free(&a);
    xfree(q);
    a = get("/api/v1/systems/nothing/chart/timeline.svg", token, NULL);
    CHECK_INT(a.status, 404);
    tc_free(&a);
}

TEST(availability_chart)
{
    char *q = period(t0, t0 + MS_PER_DAY);
    char path[512];
    snprintf(path, sizeof path, "/api/v1/chart/availability.svg?%s", q);
    struct answer a = get(path, token, NULL);
    CHECK_INT(a.status, 200);
    CHECK(svg_ok(&a));
    /* 23 h up of 24: 95.8333… shown as 95.83, like the JSON */
    CHECK(a.body && strstr(a.body, ">95.83%</text>") != NULL);
    CHECK(a.body && strstr(a.body, ">数据资源门户</text>") != NULL);
    CHECK(a.body && strstr(a.body, "<title>空系统: 无数据</title>") != NULL);
    /* key tier first */
    CHECK(a.body && strstr(a.body, "数据资源门户") < strstr(a.body, "空系统"));
    tc_free(&a);
    snprintf(path, sizeof path, "/api/v1/systems/portal/availability?%s", q);
    a = get(path, token, NULL);
    json_t *j = tc_json(&a);
    CHECK_DBL(json_real_value(json_object_get(j, "availability")), 100.0 * 23 / 24, 1e-9);
    json_decref(j);
    tc_free(&a);
    xfree(q);
}

/* ---- the live stream ---------------------------------------------------------------- */

struct sse {
    int fd;
    int status;
    char head[4096];
    struct buf raw, body;
    bool ended;
};

static int sse_open_with(struct sse *s, const char *auth_header);

static int sse_open(struct sse *s, const char *bearer)
{
    char h[256];
    snprintf(h, sizeof h, "Authorization: Bearer %s", bearer);
    return sse_open_with(s, h);
}

static int sse_open_with(struct sse *s, const char *auth_header)
{
    memset(s, 0, sizeof *s);
    s->raw = (struct buf)BUF_INIT(1 << 20);
    s->body = (struct buf)BUF_INIT(1 << 20);
    s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        return -1;
    char req[1024];
    int n = snprintf(req, sizeof req,
                     "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                     "%s\r\n\r\n",
                     auth_header);
    return write(s->fd, req, (size_t)n) == n ? 0 : -1;
}

/* Reads what arrives within ms, parsing the head and the chunks. */
static void sse_pump(struct sse *s, int ms)
{
    struct pollfd p = {s->fd, POLLIN, 0};
    if (s->ended || poll(&p, 1, ms) <= 0)
        return;
    char tmp[8192];
    ssize_t n = read(s->fd, tmp, sizeof tmp);
    if (n <= 0) {
        s->ended = true;
        return;
    }
    buf_add(&s->raw, tmp, (size_t)n);
    for (;;) {
        const char *r = buf_str(&s->raw);
        if (!s->status) {
            const char *end = strstr(r, "\r\n\r\n");
            if (!end)
                return;
            snprintf(s->head, sizeof s->head, "%.*s", (int)(end - r), r);
            sscanf(r, "HTTP/1.1 %d", &s->status);
            size_t used = (size_t)(end + 4 - r);
            memmove(s->raw.p, s->raw.p + used, s->raw.len - used + 1);
            s->raw.len -= used;
            continue;
        }
        const char *crlf = strstr(r, "\r\n");
        if (!crlf)
            return;
        size_t size = strtoul(r, NULL, 16);
        size_t hl = (size_t)(crlf + 2 - r);
        if (s->raw.len < hl + size + 2)
            return;
        if (size == 0) {
            s->ended = true;
            return;
        }
        buf_add(&s->body, r + hl, size);
        size_t used = hl + size + 2;
        memmove(s->raw.p, s->raw.p + used, s->raw.len - used + 1);
        s->raw.len -= used;
    }
}

static bool sse_wait(struct sse *s, const char *needle, int ms)
{
    ms_t until = time_mono_ms() + ms;
    while (!strstr(buf_str(&s->body), needle) && !s->ended && time_mono_ms() < until)
        sse_pump(s, 50);
    return strstr(buf_str(&s->body), needle) != NULL;
}

/* Opens a stream and waits for its head (and, when 200, its first bytes).
 * The status, 0 if none came. */
static int sse_start(struct sse *s, const char *bearer)
{
    if (sse_open(s, bearer) != 0)
        return 0;
    ms_t until = time_mono_ms() + 2000;
    while (!s->status && !s->ended && time_mono_ms() < until)
        sse_pump(s, 50);
    if (s->status == 200)
        sse_wait(s, "retry: 2000\n\n", 2000);
    return s->status;
}

static void sse_close(struct sse *s)
{
    if (s->fd > 0)
        close(s->fd);
    buf_release(&s->raw);
    buf_release(&s->body);
}

TEST(a_state_change_reaches_an_open_stream)
{
    struct sse s;
    CHECK_INT(sse_start(&s, token), 200);
    CHECK(strstr(buf_str(&s.body), "retry: 2000\n\n") == buf_str(&s.body));
    CHECK(strstr(s.head, "Content-Type: text/event-stream; charset=utf-8") != NULL);
    CHECK(strstr(s.head, "Cache-Control: no-store") != NULL);
    CHECK(strstr(s.head, "Transfer-Encoding: chunked") != NULL);
    ms_t sent = time_mono_ms();
    engine_push(E, hb_id, true, "job ok", 1);
    CHECK(sse_wait(&s, "\"monitor\":\"hb-job\"", 2000));
    CHECK(time_mono_ms() - sent < 2000); /* the console's promise: within 2 s */
    const char *ev = strstr(buf_str(&s.body), "event: state\ndata: {");
    CHECK(ev != NULL);
    CHECK(strstr(buf_str(&s.body), "\"state\":\"up\"") != NULL);
    CHECK(strstr(buf_str(&s.body), "\"system\":\"portal\"") != NULL);
    sse_close(&s);
}

TEST(a_console_session_opens_a_stream)
{
    ts_user(S, "sess.viewer", "Viewer-Password-1", 1u << ROLE_VIEWER);
    struct tsess sess;
    struct answer a = ts_login(base, "sess.viewer", "Viewer-Password-1", NULL, NULL, NULL, &sess);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    char h[256];
    snprintf(h, sizeof h, "Cookie: %s", sess.cookie);
    struct sse s;
    CHECK_INT(sse_open_with(&s, h), 0);
    CHECK(sse_wait(&s, "retry: 2000\n\n", 2000));
    CHECK_INT(s.status, 200);
    engine_push(E, hb_id, false, "job failed", 0);
    CHECK(sse_wait(&s, "\"state\":\"down\"", 2000));
    engine_push(E, hb_id, true, "job ok again", 1); /* back up for the next tests */
    CHECK(sse_wait(&s, "\"reason\":\"push ok: job ok again\"", 2000));
    sse_close(&s);
}

struct api_call {
    int ok;
    ms_t slowest;
};

static void *api_caller(void *arg)
{
    struct api_call *c = arg;
    for (int i = 0; i < 10; i++) {
        ms_t t = time_mono_ms();
        struct answer a = get("/api/v1/systems", token, NULL);
        ms_t d = time_mono_ms() - t;
        if (d > c->slowest)
            c->slowest = d;
        c->ok += a.status == 200;
        tc_free(&a);
    }
    return NULL;
}

TEST(open_streams_do_not_starve_the_api)
{
    enum { STREAMS = 12 }; /* three times the server's pool threads */
    struct sse s[STREAMS];
    for (int i = 0; i < STREAMS; i++) {
        CHECK_INT(sse_start(&s[i], token), 200);
    }
    pthread_t th[4];
    struct api_call c[4] = {{0, 0}};
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, api_caller, &c[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(c[i].ok, 10);
        if (c[i].slowest > 500)
            printf("#   an API call took %lld ms with %d streams open\n",
                   (long long)c[i].slowest, STREAMS);
        CHECK(c[i].slowest < 1000);
    }
    /* and every stream still gets the next change */
    engine_push(E, hb_id, false, "job failed", 0);
    for (int i = 0; i < STREAMS; i++) {
        CHECK(sse_wait(&s[i], "\"state\":\"down\"", 3000));
        sse_close(&s[i]);
    }
}

TEST(streams_are_capped_and_departed_clients_free_their_places)
{
    /* Earlier tests' clients closed their streams while parked: a full hub
     * probes them, so retries soon find room. */
    struct sse s[WEB_STREAMS_MAX];
    int opened = 0, refused = 0;
    ms_t until = time_mono_ms() + 5000;
    while (opened < WEB_STREAMS_MAX && time_mono_ms() < until) {
        int st = sse_start(&s[opened], token);
        if (st == 200) {
            opened++;
            continue;
        }
        refused++;
        sse_close(&s[opened]);
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    CHECK_INT(opened, WEB_STREAMS_MAX);
    struct answer a = get("/api/v1/stream", token, NULL);
    CHECK_INT(a.status, 503);
    CHECK(hdr(&a, "Retry-After: 2"));
    json_t *j = tc_json(&a);
    CHECK_STR(tc_str(j, "error", "code"), "unavailable");
    json_decref(j);
    tc_free(&a);
    /* one client leaves; a retry finds its place */
    sse_close(&s[0]);
    struct sse again;
    bool got = false;
    until = time_mono_ms() + 3000;
    while (!got && time_mono_ms() < until) {
        got = sse_start(&again, token) == 200;
        if (!got) {
            sse_close(&again);
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    CHECK(got);
    if (got)
        sse_close(&again);
    for (int i = 1; i < opened; i++)
        sse_close(&s[i]);
}

/* ---- setup -------------------------------------------------------------------------- */

static int64_t mk(const char *kind, const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    struct yw_err e = YW_ERR_INIT;
    int64_t id = 0;
    if (!strcmp(kind, "system")) {
        struct system_spec s = {0};
        if (config_system_from_json(j, &s, &e) || store_system_create(S, &s, &id, &e))
            printf("# system %s: %s\n", text, e.msg);
        system_spec_release(&s);
    } else {
        struct monitor_spec m = {0};
        if (config_monitor_from_json(j, &m, &e) || store_monitor_create(S, &m, &id, &e))
            printf("# monitor %s: %s\n", text, e.msg);
        monitor_spec_release(&m);
    }
    json_decref(j);
    return id;
}

static void *engine_main(void *arg)
{
    engine_run(arg);
    return NULL;
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    time_set_display_zone("Asia/Shanghai");
    char dir[64];
    S = ts_open(dir, sizeof dir);
    ts_policy(S, 1000);
    int64_t uid = ts_user(S, "viewer", NULL, 1u << ROLE_VIEWER);
    ts_token(S, uid, 1u << ROLE_VIEWER, 0, token);
    int64_t aid = ts_user(S, "auditor", NULL, 1u << ROLE_AUDITADMIN);
    ts_token(S, aid, 1u << ROLE_AUDITADMIN, 0, noread_token);

    mk("system", "{\"name\":\"portal\",\"title\":\"数据资源门户\",\"tier\":\"key\"}");
    mk("system", "{\"name\":\"idle\",\"title\":\"空系统\",\"tier\":\"general\"}");
    home_id = mk("monitor", "{\"name\":\"portal-home\",\"title\":\"门户首页\",\"system\":\"portal\","
                            "\"type\":\"http\",\"url\":\"http://127.0.0.1:1/\",\"paused\":true,"
                            "\"critical\":true}");
    hb_id = mk("monitor", "{\"name\":\"hb-job\",\"system\":\"portal\",\"type\":\"heartbeat\","
                          "\"interval\":\"1h\",\"critical\":false}");

    /* History three days back: up, an hour down at 10:00, up again; a check
     * every 10 minutes at 10, 20 or 30 ms, failing during the outage. */
    ms_t now = time_now_ms();
    t0 = (now - 3 * MS_PER_DAY) / MS_PER_H * MS_PER_H;
    store_put_transition(S, home_id, ST_UP, t0, "HTTP 200");
    store_put_transition(S, home_id, ST_DOWN, t0 + 10 * MS_PER_H, "HTTP 503");
    store_put_transition(S, home_id, ST_UP, t0 + 11 * MS_PER_H, "HTTP 200");
    for (int i = 0; i < 144; i++) {
        struct probe_result r = {0};
        r.started = t0 + (ms_t)i * 10 * MS_PER_MIN;
        r.ok = !(i >= 60 && i < 66);
        r.latency = 10 + (i % 3) * 10;
        snprintf(r.detail, sizeof r.detail, "%s", r.ok ? "HTTP 200" : "HTTP 503");
        store_put_result(S, home_id, &r);
    }
    struct yw_err err = YW_ERR_INIT;
    if (store_flush(S, &err) != 0 || store_rollup_pending(S, now, &err) != 0) {
        printf("Bail out! store: %s\n", err.msg);
        return 1;
    }

    E = engine_new(S, &err);
    if (!E) {
        printf("Bail out! engine: %s\n", err.msg);
        return 1;
    }
    pthread_t eth;
    pthread_create(&eth, NULL, engine_main, E);
    struct http_server *H = http_start("127.0.0.1:0", S, E, NULL, &err);
    if (!H) {
        printf("Bail out! http_start: %s\n", err.msg);
        return 1;
    }
    port = http_port(H);
    base = xasprintf("http://127.0.0.1:%d", port);

    RUN(the_page_and_its_files_with_etags);
    RUN(client_routes_get_the_page_and_missing_files_404);
    RUN(api_paths_never_fall_back_to_the_page);
    RUN(charts_need_ops_read);
    RUN(latency_chart);
    RUN(timeline_charts);
    RUN(availability_chart);
    RUN(a_state_change_reaches_an_open_stream);
    RUN(a_console_session_opens_a_stream);
    RUN(open_streams_do_not_starve_the_api);
    RUN(streams_are_capped_and_departed_clients_free_their_places);

    /* Stopping with streams open and parked: they end, nothing hangs or
     * aborts (libmicrohttpd must not stop with a suspended connection). */
    struct sse open1, open2;
    sse_start(&open1, token);
    sse_start(&open2, token);
    http_stop(H);
    sse_pump(&open1, 1000);
    sse_pump(&open1, 1000);
    printf("# streams after stop: %s %s\n", open1.ended ? "ended" : "open",
           open2.status == 200 ? "(second was open)" : "");
    sse_close(&open1);
    sse_close(&open2);
    /* The server unhooked its hub from the engine before freeing it: a
     * change now reaches nobody (ASan would catch a call into freed memory). */
    engine_push(E, hb_id, false, "after the server stopped", 0);
    struct timespec ts = {0, 300 * 1000000L};
    nanosleep(&ts, NULL);

    engine_stop(E);
    pthread_join(eth, NULL);
    engine_free(E);
    xfree(base);
    ts_close(S, dir);
    curl_global_cleanup();
    return t_done();
}
