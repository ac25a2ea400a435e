/* The libmicrohttpd side of the server: listening socket, daemon, request
 * bodies (at most HTTP_BODY_MAX), routing, and sending what handlers answer. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/api.h"

#define THREADS 4
#define CONN_TIMEOUT_S 30
#define CONN_LIMIT 1000
#define CONN_PER_IP 64
#define LISTEN_BACKLOG 512
/* Past the body limit the rest of a body is read and dropped (so the client
 * gets its 413), but only this much: then the connection is closed. */
#define DISCARD_MAX (8 * HTTP_BODY_MAX)

/* Every route. A later access-control layer attaches its permission here. */
static const struct route routes[] = {
    {"GET", "/healthz", api_healthz},
    {"GET", "/metrics", api_metrics},

    {"GET", "/api/v1/systems", api_systems_list},
    {"POST", "/api/v1/systems", api_systems_create},
    {"GET", "/api/v1/systems/{id}", api_systems_get},
    {"PUT", "/api/v1/systems/{id}", api_systems_update},
    {"DELETE", "/api/v1/systems/{id}", api_systems_delete},
    {"GET", "/api/v1/systems/{id}/availability", api_systems_avail},

    {"GET", "/api/v1/monitors", api_monitors_list},
    {"POST", "/api/v1/monitors", api_monitors_create},
    {"GET", "/api/v1/monitors/{id}", api_monitors_get},
    {"PUT", "/api/v1/monitors/{id}", api_monitors_update},
    {"DELETE", "/api/v1/monitors/{id}", api_monitors_delete},
    {"POST", "/api/v1/monitors/{id}/pause", api_monitors_pause},
    {"POST", "/api/v1/monitors/{id}/resume", api_monitors_resume},
    {"GET", "/api/v1/monitors/{id}/results", api_results_list},
    {"GET", "/api/v1/monitors/{id}/events", api_monitor_events},
    {"GET", "/api/v1/monitors/{id}/availability", api_monitors_avail},

    {"GET", "/api/v1/events", api_events_list},

    {"GET", "/api/v1/maintenance", api_maint_list},
    {"POST", "/api/v1/maintenance", api_maint_create},
    {"GET", "/api/v1/maintenance/{id}", api_maint_get},
    {"PUT", "/api/v1/maintenance/{id}", api_maint_update},
    {"DELETE", "/api/v1/maintenance/{id}", api_maint_delete},

    {"GET", "/api/v1/push/{token}", api_push},
    {"POST", "/api/v1/push/{token}", api_push},
};

struct http_server {
    struct MHD_Daemon *d;
    int port;
    struct api_ctx ctx;
};

/* Per request, from the first call of the access handler to completion. */
struct req_state {
    struct buf body;
    bool too_large;
    bool answered;      /* a response was queued before the body was read */
    size_t discarded;
};

/* ---- listening ------------------------------------------------------------ */

/* "ADDR:PORT", "[IPv6]:PORT"; ADDR may be "localhost", or empty / "*" for
 * every IPv4 address. */
static int parse_listen(const char *addr, struct sockaddr_storage *ss, socklen_t *len,
                        struct yw_err *err)
{
    char host[64];
    const char *port_s;
    if (!addr)
        return yw_fail(err, YW_EINVAL, "listen: missing");
    bool v6 = addr[0] == '[';
    if (v6) {
        const char *close = strchr(addr, ']');
        if (!close || close[1] != ':' || (size_t)(close - addr - 1) >= sizeof host)
            return yw_fail(err, YW_EINVAL, "listen %s: expected [IPv6]:PORT", addr);
        memcpy(host, addr + 1, (size_t)(close - addr - 1));
        host[close - addr - 1] = '\0';
        port_s = close + 2;
    } else {
        const char *colon = strrchr(addr, ':');
        if (!colon || memchr(addr, ':', (size_t)(colon - addr)) ||
            (size_t)(colon - addr) >= sizeof host)
            return yw_fail(err, YW_EINVAL, "listen %s: expected ADDR:PORT or [IPv6]:PORT", addr);
        memcpy(host, addr, (size_t)(colon - addr));
        host[colon - addr] = '\0';
        port_s = colon + 1;
    }
    long port = 0;
    if (!*port_s || strlen(port_s) > 5)
        return yw_fail(err, YW_EINVAL, "listen %s: bad port", addr);
    for (const char *p = port_s; *p; p++) {
        if (*p < '0' || *p > '9')
            return yw_fail(err, YW_EINVAL, "listen %s: bad port", addr);
        port = port * 10 + (*p - '0');
    }
    if (port > 65535)
        return yw_fail(err, YW_EINVAL, "listen %s: port above 65535", addr);

    memset(ss, 0, sizeof *ss);
    if (v6) {
        struct sockaddr_in6 sa6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port)};
        if (inet_pton(AF_INET6, host, &sa6.sin6_addr) != 1)
            return yw_fail(err, YW_EINVAL, "listen %s: bad IPv6 address", addr);
        memcpy(ss, &sa6, sizeof sa6);
        *len = sizeof sa6;
        return 0;
    }
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (host[0] == '\0' || strcmp(host, "*") == 0)
        sa.sin_addr.s_addr = htonl(INADDR_ANY);
    else if (strcmp(host, "localhost") == 0)
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    else if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return yw_fail(err, YW_EINVAL, "listen %s: bad IPv4 address", addr);
    memcpy(ss, &sa, sizeof sa);
    *len = sizeof sa;
    return 0;
}

/* Our own socket, so that the address family and SO_REUSEADDR are ours to
 * set and the kernel-picked port can be read back. -1 with err. */
static int open_listener(const char *addr, int *port, struct yw_err *err)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (parse_listen(addr, &ss, &len, err) != 0)
        return -1;
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return yw_fail(err, YW_EIO, "listen %s: socket: %s", addr, strerror(errno));
    int one = 1;
    (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6) /* [::]:PORT means IPv6 only, as written */
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, LISTEN_BACKLOG) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
        int e = errno;
        close(fd);
        return yw_fail(err, YW_EIO, "listen %s: %s", addr, strerror(e));
    }
    if (bound.ss_family == AF_INET6) {
        struct sockaddr_in6 sa6;
        memcpy(&sa6, &bound, sizeof sa6);
        *port = ntohs(sa6.sin6_port);
    } else {
        struct sockaddr_in sa;
        memcpy(&sa, &bound, sizeof sa);
        *port = ntohs(sa.sin_port);
    }
    return fd;
}

/* Wall-clock start of this process, for process_start_time_seconds: boot
 * time plus the process's start in clock ticks after boot. Falls back to
 * now (the server starts within moments of the process). */
static ms_t process_start_ms(void)
{
    ms_t now = time_now_ms();
    char line[1024];
    long long btime = -1;
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return now;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "btime %lld", &btime) == 1)
            break;
    fclose(f);
    f = fopen("/proc/self/stat", "re");
    if (!f)
        return now;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    /* Field 2 (comm) may hold spaces: count fields after its ')'. */
    const char *p = strrchr(line, ')');
    unsigned long long ticks = 0;
    long hz = sysconf(_SC_CLK_TCK);
    if (!p || btime < 0 || hz <= 0)
        return now;
    for (int field = 2; field < 21 && p; field++)
        p = strchr(p + 1, ' ');
    if (!p || sscanf(p + 1, "%llu", &ticks) != 1)
        return now;
    ms_t start = (ms_t)btime * 1000 + (ms_t)(ticks * 1000ULL / (unsigned long long)hz);
    return start > 0 && start <= now ? start : now;
}

/* ---- requests --------------------------------------------------------------- */

static char empty_body[1];

/* Sends rs (taking its body). MHD_NO if MHD could not queue it. */
static enum MHD_Result send_resp(struct MHD_Connection *c, struct http_resp *rs)
{
    struct MHD_Response *r;
    if (rs->body) {
        r = MHD_create_response_from_buffer(rs->len, rs->body, MHD_RESPMEM_MUST_FREE);
        if (r)
            rs->body = NULL; /* MHD frees it with free(), our allocator's pair */
    } else {
        r = MHD_create_response_from_buffer(0, empty_body, MHD_RESPMEM_PERSISTENT);
    }
    if (!r)
        return MHD_NO;
    if (rs->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    /* Answers are live data, often about secrets' owners: never cached. */
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    if (rs->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rs->allow);
    if (rs->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, rs->location);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned int)rs->status, r);
    MHD_destroy_response(r);
    return ret;
}

struct args {
    struct query *q;
    struct yw_err err;
    bool failed;
};

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    struct args *a = cls;
    (void)kind;
    if (a->failed)
        return MHD_NO;
    if (query_add(a->q, key, strlen(key), value, value ? strlen(value) : 0, &a->err) != 0) {
        a->failed = true;
        return MHD_NO;
    }
    return MHD_YES;
}

static enum MHD_Result dispatch(struct http_server *H, struct MHD_Connection *c, const char *url,
                                const char *method, struct req_state *st)
{
    struct route_match m = ROUTE_MATCH_INIT;
    struct query q = QUERY_INIT;
    struct http_resp rs = {0};

    switch (router_match(routes, sizeof routes / sizeof routes[0], method, url, &m)) {
    case ROUTE_NOT_FOUND:
        resp_error(&rs, 404, "not_found", NULL, "no such resource");
        break;
    case ROUTE_BAD_PATH:
        resp_error(&rs, 400, "invalid", NULL, "path: bad percent-encoding or UTF-8");
        break;
    case ROUTE_METHOD_NOT_ALLOWED:
        resp_error(&rs, 405, "method_not_allowed", NULL,
                   "method %.16s not allowed here (allowed: %s)", method, m.allow);
        memcpy(rs.allow, m.allow, sizeof rs.allow);
        break;
    case ROUTE_OK: {
        struct args a = {.q = &q, .err = YW_ERR_INIT};
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
        if (a.failed) {
            resp_err(&rs, &a.err);
            break;
        }
        struct http_req rq = {
            .ctx = &H->ctx,
            .method = method,
            .match = &m,
            .query = &q,
            .body = buf_str(&st->body),
            .body_len = st->body.len,
            .content_type =
                MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        };
        m.route->fn(&rq, &rs);
        if (rs.status < 100 || rs.status > 599) /* a handler bug, not the client's */
            resp_error(&rs, 500, "internal", NULL, "the handler gave no answer");
        break;
    }
    }
    /* The pattern, not the path: push paths carry a secret token. */
    log_debug("http: %.16s %s -> %d", method, m.route ? m.route->pattern : "(no route)",
              rs.status);
    enum MHD_Result ret = send_resp(c, &rs);
    resp_release(&rs);
    query_release(&q);
    route_match_release(&m);
    return ret;
}

static enum MHD_Result answer_too_large(struct MHD_Connection *c)
{
    struct http_resp rs = {0};
    resp_error(&rs, 413, "too_large", "body", "body: larger than %d bytes", HTTP_BODY_MAX);
    enum MHD_Result ret = send_resp(c, &rs);
    resp_release(&rs);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
    struct http_server *H = cls;
    struct req_state *st = *con_cls;
    (void)version;

    if (!st) { /* headers complete, body (if any) not read yet */
        st = xcalloc(1, sizeof *st);
        st->body = (struct buf)BUF_INIT(HTTP_BODY_MAX);
        *con_cls = st;
        const char *cl =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        const char *expect =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
        if (cl) {
            errno = 0;
            unsigned long long n = strtoull(cl, NULL, 10);
            bool huge = errno == ERANGE || n > DISCARD_MAX;
            bool waits = expect && strcasestr(expect, "100-continue") != NULL;
            /* A client that waits for "100 Continue" gets its 413 before
             * sending anything. Others are already sending: their body is
             * read and dropped so that they can read the answer (a client
             * cut off mid-send sees a broken pipe, not the 413) — unless it
             * is too big to be worth reading, then the connection closes. */
            if (n > HTTP_BODY_MAX && (waits || huge)) {
                st->answered = true;
                return answer_too_large(c);
            }
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (st->answered) {
            *upload_size = 0;
            return MHD_YES;
        }
        if (!st->too_large && buf_add(&st->body, upload_data, *upload_size) != 0)
            st->too_large = true; /* the buffer has freed itself */
        if (st->too_large) {
            st->discarded += *upload_size;
            if (st->discarded > DISCARD_MAX)
                return MHD_NO;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (st->answered)
        return MHD_YES;
    if (st->too_large)
        return answer_too_large(c);
    return dispatch(H, c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req_state *st = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (!st)
        return;
    buf_release(&st->body);
    xfree(st);
    *con_cls = NULL;
}

/* MHD would percent-decode the path before we see it, making "a%2Fb" two
 * segments; the router splits first and decodes each segment itself, and
 * query.c decodes the query parameters. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls, (void)c;
    return strlen(s);
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt,
                                                             va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("http: %s", msg);
}

/* ---- life cycle ------------------------------------------------------------- */

struct http_server *http_start(const char *listen_addr, struct store *S, struct engine *E,
                               struct yw_err *err)
{
    int port = 0;
    int fd = open_listener(listen_addr, &port, err);
    if (fd < 0)
        return NULL;
    struct http_server *H = xcalloc(1, sizeof *H);
    H->port = port;
    H->ctx.S = S;
    H->ctx.E = E;
    H->ctx.process_start = process_start_ms();
    /* The logger must come first, or MHD logs the other options' problems
     * to stderr on its own. */
    H->d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL,
        on_request, H,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, (void *)NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)THREADS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)CONN_PER_IP,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)H,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, (void *)NULL,
        MHD_OPTION_END);
    if (!H->d) {
        close(fd);
        xfree(H);
        yw_fail(err, YW_EIO, "listen %s: libmicrohttpd could not start", listen_addr);
        return NULL;
    }
    return H;
}

int http_port(const struct http_server *H)
{
    return H->port;
}

void http_stop(struct http_server *H)
{
    if (!H)
        return;
    MHD_stop_daemon(H->d); /* waits for its threads; closes the listening socket */
    xfree(H);
}
