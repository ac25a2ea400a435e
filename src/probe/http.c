/*
 * http — the http and tls checks, through curl's multi socket interface.
 *
 * One multi handle per context, created on the first check: its sockets are
 * registered with the loop (CURLMOPT_SOCKETFUNCTION), its single timeout is
 * one loop timer (CURLMOPT_TIMERFUNCTION), readiness and timer expiry go to
 * curl_multi_socket_action, and finished transfers come out of
 * curl_multi_info_read — curl's ephiperfifo pattern, with our loop.
 *
 * Cost per check is the point here. Keep-alive connections and the DNS cache
 * live in the multi handle, so they outlast the easy handles; easy handles
 * are pooled and reset between checks (a reset keeps nothing of the last
 * check's options); TLS sessions are shared between them through a share
 * handle. The body is stored only when a keyword or json check needs it,
 * and no check reads more than HTTP_BODY_MAX bytes of it: past that the
 * transfer is cut, the status judged and the keyword searched in what was
 * read; json on a cut body fails.
 *
 * The tls check is a connect-only transfer with certificate info, on its own
 * easy handle that is never pooled or shared, so every check sees a full
 * handshake and the certificate the server sends today.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>

#include "core/log.h"
#include "core/mem.h"
#include "core/jsonpath.h"
#include "probe/probe_int.h"

#define HTTP_BODY_MAX (4u << 20)
#define HTTP_POOL_MAX 64
#define HTTP_SHARDS 16
#define HTTP_USER_AGENT "yunwei/0.1"
#define SHOW_KEYWORD 64

/*
 * Checks are spread over a few multi handles by a hash of the target's
 * host:port. Why: curl 7.88 walks every connection of a multi handle's cache
 * each time a transfer that kept its connection is removed (looking for
 * connect-only connections to close), so with a thousand transfers stuck on
 * black-holed targets every healthy check paid for a thousand connections.
 * A target's connections stay in its shard, so keep-alive reuse is intact,
 * and a black hole slows only the few targets that share its shard.
 */
struct http_shard {
    struct http_ctx *H;
    CURLM *multi;
    struct loop_timer *timer;
};

struct http_ctx {
    struct probe_ctx *P;
    CURLSH *share;
    struct http_shard shards[HTTP_SHARDS];
    CURL *pool[HTTP_POOL_MAX];
    size_t npool;
};

/* ---- multi plumbing ---- */

static void drain(struct http_shard *S);

static void on_io(struct loop *L, int fd, uint32_t events, void *arg)
{
    struct http_shard *S = arg;
    int bits = 0;
    /* On an error or hang-up let curl look at the socket itself (a 0 mask):
     * it then reports the real cause (refused, reset) instead of a generic
     * "select/poll returned error". */
    if (!(events & (EPOLLERR | EPOLLHUP)))
        bits = ((events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
               ((events & EPOLLOUT) ? CURL_CSELECT_OUT : 0);
    int running;
    curl_multi_socket_action(S->multi, fd, bits, &running);
    drain(S);
}

static void on_timer(struct loop *L, void *arg)
{
    struct http_shard *S = arg;
    S->timer = NULL;
    int running;
    curl_multi_socket_action(S->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    drain(S);
}

static int sock_cb(CURL *e, curl_socket_t s, int what, void *userp, void *socketp)
{
    struct http_shard *S = userp;
    struct loop *L = S->H->P->L;
    if (what == CURL_POLL_REMOVE) {
        if (socketp)
            loop_del_fd(L, s); /* curl forgets its socketp with the socket */
        return 0;
    }
    uint32_t ev = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0);
    if (socketp && loop_mod_fd(L, s, ev) == 0)
        return 0;
    if (loop_add_fd(L, s, ev, on_io, S) != 0) {
        /* The check then ends at its timeout; nothing better to do. */
        log_warn("probe: cannot watch a curl socket: %s", strerror(errno));
        return 0;
    }
    curl_multi_assign(S->multi, s, S);
    return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
    struct http_shard *S = userp;
    struct loop *L = S->H->P->L;
    if (S->timer) {
        loop_timer_cancel(L, S->timer);
        S->timer = NULL;
    }
    if (timeout_ms >= 0)
        S->timer = loop_timer_at(L, time_mono_ms() + timeout_ms, on_timer, S);
    return 0;
}

static struct http_ctx *get_ctx(struct probe_ctx *P)
{
    if (P->http)
        return P->http;
    CURLSH *share = curl_share_init();
    if (!share)
        return NULL;
    struct http_ctx *H = xcalloc(1, sizeof *H);
    H->P = P;
    H->share = share;
    /* Single thread: the share needs no lock callbacks. */
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    for (size_t i = 0; i < HTTP_SHARDS; i++)
        H->shards[i].H = H;
    P->http = H;
    return H;
}

/* The shard of a URL's host:port (scheme and user info skipped, case folded),
 * its multi handle created on first use. NULL if curl cannot make one. */
static struct http_shard *shard_for(struct http_ctx *H, const char *url)
{
    const char *s = strstr(url, "://");
    s = s ? s + 3 : url;
    size_t n = strcspn(s, "/?#");
    const char *at = memchr(s, '@', n);
    if (at) {
        n -= (size_t)(at + 1 - s);
        s = at + 1;
    }
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        h = (h ^ (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c)) * 16777619u;
    }
    struct http_shard *S = &H->shards[h % HTTP_SHARDS];
    if (!S->multi) {
        S->multi = curl_multi_init();
        if (!S->multi)
            return NULL;
        curl_multi_setopt(S->multi, CURLMOPT_SOCKETFUNCTION, sock_cb);
        curl_multi_setopt(S->multi, CURLMOPT_SOCKETDATA, S);
        curl_multi_setopt(S->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
        curl_multi_setopt(S->multi, CURLMOPT_TIMERDATA, S);
    }
    return S;
}

void probe_http_ctx_free(struct probe_ctx *P)
{
    struct http_ctx *H = P->http;
    if (!H)
        return;
    for (size_t i = 0; i < HTTP_SHARDS; i++) {
        struct http_shard *S = &H->shards[i];
        /* Closes the cached connections; the callbacks may still fire here. */
        if (S->multi)
            curl_multi_cleanup(S->multi);
        if (S->timer)
            loop_timer_cancel(P->L, S->timer);
    }
    for (size_t i = 0; i < H->npool; i++)
        curl_easy_cleanup(H->pool[i]);
    curl_share_cleanup(H->share);
    xfree(H);
    P->http = NULL;
}

static CURL *pool_get(struct http_ctx *H)
{
    if (H->npool)
        return H->pool[--H->npool]; /* reset when it was handed back */
    CURL *e = curl_easy_init();
    /* The share is not an option curl_easy_reset clears: set once. */
    if (e)
        curl_easy_setopt(e, CURLOPT_SHARE, H->share);
    return e;
}

void probe_http_release(struct probe *p)
{
    struct http_state *st = &p->u.http;
    struct http_ctx *H = p->P->http;
    if (st->e) {
        if (st->shard)
            curl_multi_remove_handle(st->shard->multi, st->e);
        if (p->m->type == MT_TLS || H->npool == HTTP_POOL_MAX) {
            curl_easy_cleanup(st->e);
        } else {
            /* Reset now: drops the pointers into this probe (error buffer,
             * headers, private) before the probe goes away. */
            curl_easy_reset(st->e);
            H->pool[H->npool++] = st->e;
        }
        st->e = NULL;
    }
    st->shard = NULL;
    if (st->hdrs) {
        curl_slist_free_all(st->hdrs);
        st->hdrs = NULL;
    }
    buf_release(&st->body);
}

/* ---- shared option setting ---- */

static void common_opts(struct probe *p, CURL *e)
{
    struct http_state *st = &p->u.http;
    long t = (long)probe_timeout(p->m);
    st->errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_PRIVATE, p);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, st->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, HTTP_USER_AGENT);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, t);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, t);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#if LIBCURL_VERSION_NUM >= 0x075700
    /* Abandoning a transfer stuck in name resolution must not wait for the
     * resolver thread (curl would join it, blocking the loop): detach it. */
    curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
}

static bool start_transfer(struct probe *p, const char *url)
{
    struct http_state *st = &p->u.http;
    struct http_shard *S = shard_for(p->P->http, url);
    if (!S) {
        probe_end(p, false, "curl: cannot create a multi handle");
        return false;
    }
    CURLMcode mc = curl_multi_add_handle(S->multi, st->e);
    if (mc != CURLM_OK) {
        probe_end(p, false, "curl: %s", curl_multi_strerror(mc));
        return false;
    }
    st->shard = S;
    return true;
}

/* ---- http ---- */

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct probe *p = userp;
    struct http_state *st = &p->u.http;
    size_t n = size * nmemb;
    size_t room = HTTP_BODY_MAX - st->received;
    if (n > room) {
        /* Past the limit the check stops reading, kept or not: a monitor
         * must not download a huge file every interval. */
        if (st->keep_body && room && buf_add(&st->body, data, room) != 0)
            return 0;
        st->received = HTTP_BODY_MAX;
        st->truncated = true;
        return 0; /* ends the transfer (CURLE_WRITE_ERROR), judged on what we have */
    }
    st->received += n;
    if (st->keep_body && n && buf_add(&st->body, data, n) != 0)
        return 0;
    return n;
}

static bool header_set(const struct monitor_spec *m, const char *name)
{
    for (size_t i = 0; i < m->http.nheaders; i++)
        if (m->http.headers[i].name && strcasecmp(m->http.headers[i].name, name) == 0)
            return true;
    return false;
}

void probe_http_start(struct probe *p)
{
    struct http_state *st = &p->u.http;
    const struct monitor_spec *m = p->m;
    st->body = (struct buf)BUF_INIT(HTTP_BODY_MAX);
    if (!m->http.url || !*m->http.url) {
        probe_end(p, false, "http: no url");
        return;
    }
    struct http_ctx *H = get_ctx(p->P);
    if (!H || !(st->e = pool_get(H))) {
        probe_end(p, false, "curl: cannot create a handle");
        return;
    }
    CURL *e = st->e;
    common_opts(p, e);
    curl_easy_setopt(e, CURLOPT_URL, m->http.url);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, p);
    if (m->http.follow_redirects) {
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)(m->http.max_redirects >= 0 ? m->http.max_redirects : 5));
    }
    if (!m->http.tls_verify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }

    const char *method = m->http.method && *m->http.method ? m->http.method : "GET";
    const char *body = m->http.body;
    if (strcasecmp(method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else if (strcasecmp(method, "POST") == 0) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)(body ? strlen(body) : 0));
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
    } else if (strcasecmp(method, "GET") != 0 || body) {
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
        if (body) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        }
    }

    for (size_t i = 0; i < m->http.nheaders; i++) {
        const struct http_header *h = &m->http.headers[i];
        /* A CR or LF would let a header smuggle more headers in. */
        if (!h->name || !*h->name || strpbrk(h->name, "\r\n:") ||
            (h->value && strpbrk(h->value, "\r\n")))
            continue;
        /* "Name;" is curl's way to send a header with an empty value. */
        char *line = h->value && *h->value ? xasprintf("%s: %s", h->name, h->value)
                                           : xasprintf("%s;", h->name);
        struct curl_slist *n = curl_slist_append(st->hdrs, line);
        xfree(line);
        if (n)
            st->hdrs = n;
    }
    /* A body over 1 KiB would make curl wait a second for "100 Continue". */
    if (body && !header_set(m, "Expect")) {
        struct curl_slist *n = curl_slist_append(st->hdrs, "Expect:");
        if (n)
            st->hdrs = n;
    }
    if (st->hdrs)
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, st->hdrs);

    st->keep_body = (m->http.keyword && *m->http.keyword) ||
                    (m->http.keyword_absent && *m->http.keyword_absent) || m->http.njson > 0;
    start_transfer(p, m->http.url);
}

static const char *ssl_reason(const char *errbuf)
{
    /* OpenSSL's "error:0A00010B:SSL routines::wrong version number" → the end */
    const char *r = strstr(errbuf, "routines::");
    if (r)
        return r + strlen("routines::");
    r = strstr(errbuf, "SSL certificate problem: ");
    if (r)
        return r + strlen("SSL certificate problem: ");
    r = strstr(errbuf, "SSL: ");
    if (r)
        return r + strlen("SSL: ");
    return errbuf;
}

/* A short reason for a failed transfer. */
static void transfer_failed(struct probe *p, CURLcode rc)
{
    const struct http_state *st = &p->u.http;
    long oserr = 0;
    curl_easy_getinfo(st->e, CURLINFO_OS_ERRNO, &oserr);
    char err[200];
    probe_clip(err, sizeof err, st->errbuf[0] ? st->errbuf : curl_easy_strerror(rc), 180);
    char d[32];
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        time_format_duration(probe_timeout(p->m), d, sizeof d);
        probe_end(p, false, "timeout after %s", d);
        return;
    case CURLE_COULDNT_CONNECT:
        if (oserr)
            probe_end(p, false, "connect: %s", strerror((int)oserr));
        else
            probe_end(p, false, "connect: %s", err);
        return;
    case CURLE_COULDNT_RESOLVE_HOST:
        probe_end(p, false, "resolve: %s", err);
        return;
    case CURLE_PEER_FAILED_VERIFICATION:
        probe_end(p, false, "TLS: certificate verify failed: %s", ssl_reason(err));
        return;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
        probe_end(p, false, "TLS: %s", ssl_reason(err));
        return;
    case CURLE_TOO_MANY_REDIRECTS:
        probe_end(p, false, "too many redirects (max %d)",
                  p->m->http.max_redirects >= 0 ? p->m->http.max_redirects : 5);
        return;
    case CURLE_GOT_NOTHING:
        probe_end(p, false, "empty reply from server");
        return;
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
        if (oserr)
            probe_end(p, false, "%s: %s", rc == CURLE_RECV_ERROR ? "receive" : "send",
                      strerror((int)oserr));
        else
            probe_end(p, false, "%s", err);
        return;
    default:
        probe_end(p, false, "%s", err);
        return;
    }
}

static bool status_ok(const struct monitor_spec *m, long code)
{
    if (m->http.nstatus == 0)
        return code >= 200 && code <= 399;
    for (size_t i = 0; i < m->http.nstatus; i++)
        if (code >= m->http.status[i].lo && code <= m->http.status[i].hi)
            return true;
    return false;
}

static void status_text(const struct monitor_spec *m, char *out, size_t n)
{
    if (m->http.nstatus == 0) {
        snprintf(out, n, "200-399");
        return;
    }
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < m->http.nstatus && len < n; i++) {
        const struct status_range *r = &m->http.status[i];
        if (i == 6) {
            snprintf(out + len, n - len, ", …");
            return;
        }
        int w = r->lo == r->hi ? snprintf(out + len, n - len, "%s%d", i ? ", " : "", r->lo)
                               : snprintf(out + len, n - len, "%s%d-%d", i ? ", " : "", r->lo, r->hi);
        if (w < 0)
            return;
        len += (size_t)w;
    }
}

static void http_done(struct probe *p, CURLcode rc)
{
    struct http_state *st = &p->u.http;
    const struct monitor_spec *m = p->m;
    ms_t lat = time_mono_ms() - p->t0;
    p->r.latency = lat;
    p->has_latency = true;
    long code = 0;
    curl_easy_getinfo(st->e, CURLINFO_RESPONSE_CODE, &code);
    p->r.status = (int)code;
    if (rc != CURLE_OK && !(rc == CURLE_WRITE_ERROR && st->truncated)) {
        transfer_failed(p, rc);
        return;
    }
    if (!status_ok(m, code)) {
        char want[96];
        status_text(m, want, sizeof want);
        probe_end(p, false, "HTTP %ld (expected %s)", code, want);
        return;
    }
    const char *body = buf_str(&st->body);
    size_t blen = st->body.len;
    const char *cut = st->truncated ? " in the first 4 MiB" : "";
    char kw[SHOW_KEYWORD + 8];
    if (m->http.keyword && *m->http.keyword &&
        !memmem(body, blen, m->http.keyword, strlen(m->http.keyword))) {
        probe_clip(kw, sizeof kw, m->http.keyword, SHOW_KEYWORD);
        probe_end(p, false, "keyword %s not found%s", kw, cut);
        return;
    }
    if (m->http.keyword_absent && *m->http.keyword_absent &&
        memmem(body, blen, m->http.keyword_absent, strlen(m->http.keyword_absent))) {
        probe_clip(kw, sizeof kw, m->http.keyword_absent, SHOW_KEYWORD);
        probe_end(p, false, "keyword %s found (must be absent)", kw);
        return;
    }
    if (m->http.njson > 0) {
        if (st->truncated) {
            probe_end(p, false, "JSON: body larger than 4 MiB, not checked");
            return;
        }
        json_error_t jerr;
        json_t *root = json_loadb(body, blen, JSON_DECODE_ANY, &jerr);
        if (!root) {
            char why[120];
            probe_clip(why, sizeof why, jerr.text, 100);
            probe_end(p, false, "JSON: invalid body (%s, line %d)", why, jerr.line);
            return;
        }
        for (size_t i = 0; i < m->http.njson; i++) {
            char why[PROBE_DETAIL_MAX];
            why[0] = '\0';
            if (jsonpath_check(root, &m->http.json[i], why, sizeof why) != 1) {
                json_decref(root);
                probe_end(p, false, "%s", why[0] ? why : "JSON check failed");
                return;
            }
        }
        json_decref(root);
    }
    if (m->http.max_latency > 0 && lat > m->http.max_latency) {
        probe_end(p, false, "HTTP %ld but slow: %lld ms (limit %lld ms)", code, (long long)lat,
                  (long long)m->http.max_latency);
        return;
    }
    probe_end(p, true, "HTTP %ld", code);
}

/* ---- tls ---- */

static const char *const month_names[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

int probe_cert_time_parse(const char *s, ms_t *out)
{
    if (!s)
        return -1;
    while (*s == ' ')
        s++;
    int y, mo = 0, d, h, mi, sec, used = 0;
    char mon[4] = "";
    if (sscanf(s, "%3s %d %d:%d:%d %d %n", mon, &d, &h, &mi, &sec, &y, &used) == 6) {
        for (int i = 0; i < 12; i++)
            if (strcmp(mon, month_names[i]) == 0)
                mo = i + 1;
    } else if (sscanf(s, "%d-%d-%d %d:%d:%d %n", &y, &mo, &d, &h, &mi, &sec, &used) != 6) {
        return -1;
    }
    if (strncmp(s + used, "GMT", 3) != 0 || (s[used + 3] != '\0' && s[used + 3] != ' ' &&
                                             s[used + 3] != '\n' && s[used + 3] != '\r'))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
        sec < 0 || sec > 60 || y < 1970 || y > 9999)
        return -1;
    *out = (ms_t)((days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + sec) * 1000);
    return 0;
}

void probe_tls_start(struct probe *p)
{
    struct http_state *st = &p->u.http;
    const struct monitor_spec *m = p->m;
    st->body = (struct buf)BUF_INIT(0);
    if (!m->tls.host || !*m->tls.host) {
        probe_end(p, false, "tls: no host");
        return;
    }
    int port = m->tls.port ? m->tls.port : 443;
    if (port < 1 || port > 65535) {
        probe_end(p, false, "tls: bad port %d", port);
        return;
    }
    struct http_ctx *H = get_ctx(p->P);
    if (!H || !(st->e = curl_easy_init())) {
        probe_end(p, false, "curl: cannot create a handle");
        return;
    }
    CURL *e = st->e;
    common_opts(p, e);
    bool v6 = strchr(m->tls.host, ':') && m->tls.host[0] != '[';
    char url[YW_URL_MAX + 32];
    snprintf(url, sizeof url, "https://%s%s%s:%d/", v6 ? "[" : "", m->tls.host, v6 ? "]" : "", port);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
    curl_easy_setopt(e, CURLOPT_CERTINFO, 1L);
    curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    if (!m->tls.verify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    start_transfer(p, url);
}

static void tls_done(struct probe *p, CURLcode rc)
{
    struct http_state *st = &p->u.http;
    if (rc != CURLE_OK) {
        transfer_failed(p, rc);
        return;
    }
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(st->e, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci ||
        ci->num_of_certs < 1) {
        probe_end(p, false, "TLS: no certificate received");
        return;
    }
    ms_t expire = 0;
    bool found = false;
    for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
        if (strncmp(l->data, "Expire date:", 12) == 0) {
            found = probe_cert_time_parse(l->data + 12, &expire) == 0;
            break;
        }
    }
    if (!found) {
        probe_end(p, false, "TLS: certificate expiry date not readable");
        return;
    }
    double days = (double)(expire - time_now_ms()) / (double)MS_PER_DAY;
    p->r.value = days;
    int min = p->m->tls.min_days;
    if (days < 0)
        probe_end(p, false, "certificate expired %.0f days ago", -days);
    else if (days < min)
        probe_end(p, false, "certificate expires in %.1f days (minimum %d)", days, min);
    else
        probe_end(p, true, "certificate expires in %.0f days", days);
}

/* ---- completions ---- */

static void drain(struct http_shard *S)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(S->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        CURL *e = msg->easy_handle;
        CURLcode rc = msg->data.result; /* msg dies with the handle's removal */
        void *pv = NULL;
        curl_easy_getinfo(e, CURLINFO_PRIVATE, &pv);
        struct probe *p = pv;
        if (!p || p->ended) {
            curl_multi_remove_handle(S->multi, e);
            continue;
        }
        if (p->m->type == MT_TLS)
            tls_done(p, rc);
        else
            http_done(p, rc);
    }
}
