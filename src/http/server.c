/* The libmicrohttpd side of the server: listening socket, daemon (HTTP or
 * HTTPS), request bodies (at most HTTP_BODY_MAX), routing, the one place
 * where every route's permission is checked (dispatch → auth_route_check),
 * the audit of changes, and sending what handlers answer with the security
 * headers. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/secret.h"
#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/api_admin.h"
#include "http/api_ops.h"
#include "http/api_web.h"
#include "http/auth_mw.h"
#include "http/auth_policy.h"

#define THREADS 4
#define CONN_TIMEOUT_S 30
#define CONN_LIMIT 1000
#define CONN_PER_IP 64
#define LISTEN_BACKLOG 512
/* Past the body limit the rest of a body is read and dropped (so the client
 * gets its 413), but only this much: then the connection is closed. */
#define DISCARD_MAX (8 * HTTP_BODY_MAX)

/* Request line and headers must fit in this (libmicrohttpd answers 431
 * past it); bodies are streamed separately. */
#define CONN_MEMORY (32 * 1024)
#define TLS_FILE_MAX (1024 * 1024)
/* TLS 1.2 and 1.3 only (GB/T 22239 8.1.4: no protocol with known breaks). */
#define TLS_PRIORITIES "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2"

struct http_server {
    struct MHD_Daemon *d;
    int port;
    struct api_ctx ctx;
    struct auth_state *auth;
    char *tls_cert, *tls_key; /* PEM text, while the daemon runs */
    size_t tls_key_len;
    char tls_prio[64];
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

/* A streamed answer (api.h: struct http_stream; the console's server-sent
 * events). Its reader never blocks a pool thread: with nothing to send it
 * parks the connection (MHD_suspend_connection, from inside the reader, as
 * libmicrohttpd prescribes for returning 0 in this mode) until the stream's
 * source wakes it (MHD_resume_connection, from any thread). See
 * web/stream.h for why. */
#define STREAM_BLOCK 16384

struct stream_conn {
    struct http_stream st;
    struct MHD_Connection *c;
};

static void stream_park(void *conn)
{
    MHD_suspend_connection(conn);
}

static void stream_wake(void *conn)
{
    MHD_resume_connection(conn);
}

static ssize_t stream_reader(void *cls, uint64_t pos, char *out, size_t max)
{
    struct stream_conn *sc = cls;
    (void)pos;
    struct http_waker w = {stream_park, stream_wake, sc->c};
    long n = sc->st.read(sc->st.arg, out, max, &w);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void stream_free(void *cls)
{
    struct stream_conn *sc = cls;
    sc->st.close(sc->st.arg);
    xfree(sc);
}

/* Sends rs (taking its body) with the security headers. MHD_NO if MHD could
 * not queue it. */
static enum MHD_Result send_resp(struct MHD_Connection *c, bool tls, struct http_resp *rs)
{
    struct MHD_Response *r;
    if (rs->stream.read) {
        struct stream_conn *sc = xmalloc(sizeof *sc);
        sc->st = rs->stream;
        sc->c = c;
        memset(&rs->stream, 0, sizeof rs->stream); /* ours now: stream_free closes it */
        r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, STREAM_BLOCK, stream_reader, sc,
                                              stream_free);
        if (!r) {
            stream_free(sc);
            return MHD_NO;
        }
    } else if (rs->body) {
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
    struct auth_header hs[AUTH_HEADERS_MAX];
    size_t nh = auth_security_headers(tls, hs);
    for (size_t i = 0; i < nh; i++)
        if (!rs->cache_control || strcmp(hs[i].name, MHD_HTTP_HEADER_CACHE_CONTROL) != 0)
            MHD_add_response_header(r, hs[i].name, hs[i].value);
    if (rs->cache_control) /* the console's files: kept, but revalidated (ETag) */
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, rs->cache_control);
    if (rs->etag[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, rs->etag);
    if (rs->allow[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rs->allow);
    if (rs->link)
        MHD_add_response_header(r, "Link", rs->link);
    if (rs->location[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, rs->location);
    if (rs->set_cookie[0])
        MHD_add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, rs->set_cookie);
    if (rs->retry_after > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", rs->retry_after);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (rs->status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"yunwei\"");
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

static const char *header(struct MHD_Connection *c, const char *name)
{
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The client's address as text ("" if unknown). Proxies' X-Forwarded-For is
 * not believed: anyone can write it. */
static void client_source(struct MHD_Connection *c, char *out, size_t n)
{
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    char text[INET6_ADDRSTRLEN] = "";
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in in;
        memcpy(&in, sa, sizeof in);
        inet_ntop(AF_INET, &in.sin_addr, text, sizeof text);
    } else if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 in6;
        memcpy(&in6, sa, sizeof in6);
        inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
    }
    snprintf(out, n, "%s", text);
}

/* The answer to a refused route. A permission denial is audited. */
static void refuse(const struct api_ctx *ctx, const struct route *r, const char *method,
                   const struct auth_result *ar, enum auth_verdict v, struct http_resp *rs)
{
    const char *code = auth_verdict_code(v);
    int status = auth_verdict_status(v);
    switch (v) {
    case AUTH_UNAUTHENTICATED:
        resp_error(rs, status, code, NULL, "%s",
                   ar->refused ? ar->refused
                               : "请先登录 / log in first: a session or an API token "
                                 "(Authorization: Bearer) is required");
        return;
    case AUTH_CSRF:
        log_warn("http: %.16s %s by %s from %s: missing or wrong X-CSRF-Token", method,
                 r->pattern, ar->who.user, ar->who.source);
        resp_error(rs, status, code, NULL,
                   "缺少或错误的 X-CSRF-Token / a change made with the session cookie needs "
                   "the session's X-CSRF-Token header");
        return;
    case AUTH_PW_CHANGE:
        resp_error(rs, status, code, NULL,
                   "请先修改密码 / change your password first (POST /api/v1/session/password)");
        return;
    case AUTH_ENROL:
        resp_error(rs, status, code, NULL,
                   "管理员须先启用双因素认证 / administrators must enrol a second factor first "
                   "(POST /api/v1/session/totp/enrol)");
        return;
    case AUTH_FORBIDDEN: {
        char object[ROUTE_PATH_MAX / 16], result[64];
        snprintf(object, sizeof object, "route:%.16s %s", method, r->pattern);
        snprintf(result, sizeof result, "denied: %s", action_name(r->act));
        (void)auth_audit(ctx->S, ar->who.user, ar->who.source, "access.denied", object, NULL,
                         NULL, result, NULL);
        resp_error(rs, status, code, NULL, "无权执行此操作 / your roles do not allow %s",
                   action_name(r->act));
        return;
    }
    case AUTH_ALLOW:
        break;
    }
}

/* The answer's JSON body, when it has one. */
static json_t *answer_json(const struct http_resp *rs)
{
    if (!rs->body || !rs->content_type || strcmp(rs->content_type, CT_JSON) != 0)
        return NULL;
    return json_loadb(rs->body, rs->len, 0, NULL);
}

/* "monitor:7": the kind from the action ("monitor.update"), the id from the
 * answer after or before the change, else the path's {id}. */
static void audit_object(const char *action, const struct route_match *m, json_t *before,
                         json_t *after, char *out, size_t n)
{
    const char *dot = strchr(action, '.');
    int kind = dot && !strchr(action, ' ') ? (int)(dot - action) : 0;
    json_t *id = json_object_get(after, "id");
    if (!id)
        id = json_object_get(before, "id");
    const char *param = route_param(m, "id");
    if (json_is_integer(id))
        snprintf(out, n, "%.*s%s%lld", kind, action, kind ? ":" : "",
                 (long long)json_integer_value(id));
    else if (json_is_string(id))
        snprintf(out, n, "%.*s%s%s", kind, action, kind ? ":" : "", json_string_value(id));
    else if (param)
        snprintf(out, n, "%.*s%s%s", kind, action, kind ? ":" : "", param);
    else
        snprintf(out, n, "%.*s", kind, action);
}

/* Checks, runs and audits a matched route. */
static void handle(struct http_server *H, struct MHD_Connection *c, const char *method,
                   struct req_state *st, const struct route_match *m, struct query *q,
                   struct http_resp *rs)
{
    const struct route *r = m->route;
    struct yw_err err = YW_ERR_INIT;
    struct auth_result ar;
    char source[64];
    client_source(c, source, sizeof source);
    ms_t now = time_now_ms();

    const char *bg = header(c, "X-Yunwei-Background");
    bool activity = !(r->flags & ROUTE_BACKGROUND) && !(bg && strcmp(bg, "1") == 0);
    if (auth_authenticate(H->auth, H->ctx.S, header(c, MHD_HTTP_HEADER_COOKIE),
                          header(c, MHD_HTTP_HEADER_AUTHORIZATION), source, now, activity, &ar,
                          &err) != 0) {
        if (!(r->flags & ROUTE_PUBLIC)) {
            resp_err(rs, &err);
            return;
        }
        memset(&ar, 0, sizeof ar); /* a public route works without the store's word */
        snprintf(ar.who.source, sizeof ar.who.source, "%s", source);
    }

    /* Guessing is charged per address: attempts at the login and token
     * routes, and every refused Bearer token wherever it is sent. */
    if (ar.bad_token || (r->flags & ROUTE_RATE)) {
        struct password_policy pol;
        auth_policy_get(H->auth, H->ctx.S, &pol);
        char key[RL_KEY_MAX];
        int retry = 0;
        auth_rate_key(source, key, sizeof key);
        if (!rl_hit(H->auth->rl, key, now, pol.rate_per_minute, &retry)) {
            log_warn("http: rate limit: %.16s %s from %s", method, r->pattern, source);
            rs->retry_after = retry;
            resp_error(rs, 429, "rate_limited", NULL,
                       "尝试过于频繁，请 %d 秒后重试 / too many attempts from your address: "
                       "retry in %d s",
                       retry, retry);
            return;
        }
    }

    struct auth_subject sub = {
        .who = &ar.who,
        .via_cookie = ar.via_cookie,
        .csrf_expected = ar.csrf,
        .csrf_given = header(c, "X-CSRF-Token"),
        .must_change_pw = ar.must_change_pw,
        .must_enrol = ar.must_enrol,
    };
    enum auth_verdict v = auth_route_check(r, method, &sub);
    if (v != AUTH_ALLOW) {
        refuse(&H->ctx, r, method, &ar, v, rs);
        return;
    }

    struct args a = {.q = q, .err = YW_ERR_INIT};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &a);
    if (a.failed) {
        resp_err(rs, &a.err);
        return;
    }
    struct http_req_priv priv = {.auth = &ar};
    struct http_req rq = {
        .ctx = &H->ctx,
        .method = method,
        .match = m,
        .query = q,
        .body = buf_str(&st->body),
        .body_len = st->body.len,
        .content_type = header(c, MHD_HTTP_HEADER_CONTENT_TYPE),
        .who = &ar.who,
        .user_agent = header(c, MHD_HTTP_HEADER_USER_AGENT),
        .if_none_match = header(c, MHD_HTTP_HEADER_IF_NONE_MATCH),
        .priv = &priv,
    };
    bool changes = auth_method_changes(method) && !(r->flags & ROUTE_NO_AUDIT);
    json_t *before = NULL;
    if (changes && r->read) { /* the object as it was, for the audit record */
        struct http_resp prev = {0};
        r->read(&rq, &prev);
        if (prev.status == 200)
            before = answer_json(&prev);
        resp_release(&prev);
    }

    r->fn(&rq, rs);
    if (rs->status < 100 || rs->status > 599) /* a handler bug, not the client's */
        resp_error(rs, 500, "internal", NULL, "the handler gave no answer");
    bool ok = rs->status >= 200 && rs->status < 300;

    if (changes && ok && !priv.audited) {
        char derived[ROUTE_PATH_MAX / 16], object[160];
        const char *action = r->audit;
        if (!action) {
            snprintf(derived, sizeof derived, "%.8s %s", method, r->pattern);
            for (char *p = derived; *p && *p != ' '; p++)
                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
            action = derived;
        }
        json_t *after = answer_json(rs);
        audit_object(action, m, before, after, object, sizeof object);
        if (auth_audit(H->ctx.S, ar.who.user, ar.who.source, action, object, before, after, "ok",
                       NULL) != 0)
            priv.audit_failed = true;
        json_decref(after);
    }
    json_decref(before);
    if (ok && priv.audit_failed) {
        /* Done in the store but not in the trail: not reported as done. */
        rs->location[0] = '\0';
        rs->set_cookie[0] = '\0';
        resp_error(rs, 503, "io_error", NULL,
                   "审计日志不可用，操作未确认 / the audit trail could not be written: the "
                   "change is not confirmed");
    }
}

static enum MHD_Result dispatch(struct http_server *H, struct MHD_Connection *c, const char *url,
                                const char *method, struct req_state *st)
{
    struct route_match m = ROUTE_MATCH_INIT;
    struct query q = QUERY_INIT;
    struct http_resp rs = {0};
    const struct route_table tables[] = {
        {api_routes, api_nroutes},
        {api_admin_routes, api_admin_nroutes},
        {api_web_routes, api_web_nroutes},
        {api_incident_routes, api_incident_nroutes},
        {api_notify_routes, api_notify_nroutes},
        {api_calendar_routes, api_calendar_nroutes},
        /* The console's files and client-side routes (any GET path): last,
         * and never for /api paths, where an unknown path stays 404. */
        {api_web_console_routes, api_web_console_nroutes},
    };
    size_t ntables = sizeof tables / sizeof tables[0] - (api_web_is_api_path(url) ? 1 : 0);

    switch (router_match_tables(tables, ntables, method, url, &m)) {
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
    case ROUTE_OK:
        handle(H, c, method, st, &m, &q, &rs);
        break;
    }
    /* The pattern, not the path: push paths carry a secret token. */
    log_debug("http: %.16s %s -> %d", method, m.route ? m.route->pattern : "(no route)",
              rs.status);
    enum MHD_Result ret = send_resp(c, H->ctx.tls, &rs);
    resp_release(&rs);
    query_release(&q);
    route_match_release(&m);
    return ret;
}

static enum MHD_Result answer_too_large(struct http_server *H, struct MHD_Connection *c)
{
    struct http_resp rs = {0};
    resp_error(&rs, 413, "too_large", "body", "body: larger than %d bytes", HTTP_BODY_MAX);
    enum MHD_Result ret = send_resp(c, H->ctx.tls, &rs);
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
                return answer_too_large(H, c);
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
        return answer_too_large(H, c);
    return dispatch(H, c, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct req_state *st = *con_cls;
    (void)cls, (void)c, (void)toe;
    if (!st)
        return;
    /* Bodies may hold passwords (login, password change, setup). */
    if (st->body.p)
        secret_wipe(st->body.p, st->body.cap);
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

/* Reads a PEM file whole, NUL-terminated (MHD takes PEM text). -1 with err. */
static int read_pem(const char *what, const char *path, char **out, size_t *len,
                    struct yw_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "re");
    if (!f)
        return yw_fail(err, YW_EINVAL, "%s %s: %s", what, path, strerror(errno));
    struct buf b = BUF_INIT(TLS_FILE_MAX);
    char chunk[4096];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf_add(&b, chunk, n) != 0) {
            rc = yw_fail(err, YW_EINVAL, "%s %s: larger than %d bytes", what, path, TLS_FILE_MAX);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = yw_fail(err, YW_EIO, "%s %s: %s", what, path, strerror(errno));
    fclose(f);
    secret_wipe(chunk, sizeof chunk);
    if (rc == 0 && (b.len == 0 || !strstr(buf_str(&b), "-----BEGIN ")))
        rc = yw_fail(err, YW_EINVAL, "%s %s: not a PEM file", what, path);
    if (rc != 0) {
        if (b.p)
            secret_wipe(b.p, b.cap);
        buf_release(&b);
        return -1;
    }
    *len = b.len;
    *out = buf_take(&b);
    return 0;
}

static void free_tls(struct http_server *H)
{
    if (H->tls_key)
        secret_wipe(H->tls_key, H->tls_key_len);
    xfree(H->tls_key);
    xfree(H->tls_cert);
    H->tls_key = H->tls_cert = NULL;
}

static void free_server(struct http_server *H)
{
    api_web_stop(&H->ctx, H->ctx.E);
    free_tls(H);
    auth_state_free(H->auth);
    xfree(H);
}

struct http_server *http_start(const char *listen_addr, struct store *S, struct engine *E,
                               const struct http_opts *opts, struct yw_err *err)
{
    struct http_opts none = HTTP_OPTS_INIT;
    if (!opts)
        opts = &none;
    bool tls = opts->tls_cert || opts->tls_key;
    if (tls && (!opts->tls_cert || !opts->tls_key)) {
        yw_fail(err, YW_EINVAL, "TLS needs both a certificate (--tls-cert) and a key (--tls-key)");
        return NULL;
    }
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        yw_fail(err, YW_EINVAL, "this libmicrohttpd was built without TLS");
        return NULL;
    }
    int port = 0;
    int fd = open_listener(listen_addr, &port, err);
    if (fd < 0)
        return NULL;
    struct http_server *H = xcalloc(1, sizeof *H);
    size_t cert_len = 0;
    if (tls && (read_pem("--tls-cert", opts->tls_cert, &H->tls_cert, &cert_len, err) != 0 ||
                read_pem("--tls-key", opts->tls_key, &H->tls_key, &H->tls_key_len, err) != 0)) {
        close(fd);
        free_server(H);
        return NULL;
    }
    H->port = port;
    H->auth = auth_state_new();
    H->ctx.S = S;
    H->ctx.E = E;
    H->ctx.process_start = process_start_ms();
    H->ctx.auth = H->auth;
    H->ctx.tls = tls;
    H->ctx.cal = opts ? opts->cal : NULL;
    H->ctx.desk = opts ? opts->desk : NULL;
    H->ctx.notify = opts ? opts->notify : NULL;
    snprintf(H->tls_prio, sizeof H->tls_prio, "%s", TLS_PRIORITIES);
    api_web_start(&H->ctx, E); /* the live-update hub, hooked to the engine */
    struct MHD_OptionItem tls_opts[] = {
        {MHD_OPTION_HTTPS_MEM_CERT, 0, H->tls_cert},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, H->tls_key},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, H->tls_prio},
        {MHD_OPTION_END, 0, NULL},
    };
    struct MHD_OptionItem no_opts[] = {{MHD_OPTION_END, 0, NULL}};
    /* Suspend/resume: streamed answers park instead of holding a thread. */
    unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                         MHD_ALLOW_SUSPEND_RESUME;
    if (tls)
        flags |= MHD_USE_TLS;
    /* The logger must come first, or MHD logs the other options' problems
     * to stderr on its own. */
    H->d = MHD_start_daemon(
        flags, 0, NULL, NULL,
        on_request, H,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, (void *)NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)THREADS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT_S,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_LIMIT,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)CONN_PER_IP,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, (void *)H,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, (void *)NULL,
        MHD_OPTION_ARRAY, tls ? tls_opts : no_opts,
        MHD_OPTION_END);
    if (!H->d) {
        close(fd);
        free_server(H);
        yw_fail(err, YW_EIO, "listen %s: libmicrohttpd could not start%s", listen_addr,
                tls ? " (is the key the certificate's, both PEM?)" : "");
        return NULL;
    }
    return H;
}

void http_set_ops(struct http_server *H, struct desk *desk, struct notifier *N)
{
    atomic_store(&H->ctx.desk, desk);
    atomic_store(&H->ctx.notify, N);
}

struct web_hub *http_hub(const struct http_server *H)
{
    return H->ctx.hub;
}

int http_port(const struct http_server *H)
{
    return H->port;
}

void http_stop(struct http_server *H)
{
    if (!H)
        return;
    /* Parked streams first: MHD must not stop with a suspended connection. */
    api_web_shutdown(&H->ctx);
    MHD_stop_daemon(H->d); /* waits for its threads; closes the listening socket */
    free_server(H);
}
