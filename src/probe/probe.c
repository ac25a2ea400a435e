/*
 * probe — the context, dispatch by type, the timeout of every check and the
 * delivery of results. See probe_int.h for the life of one check.
 */
#include "probe/probe.h"

#include <arpa/inet.h>
#include <assert.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "core/log.h"
#include "core/mem.h"
#include "probe/probe_int.h"

/* Finished probe structs kept for the next checks; bounded so that a burst
 * does not pin memory. */
#define PROBE_FREE_MAX 256

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_rc; /* written once under lib_once */

static void lib_init(void)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        lib_rc = -1;
        return;
    }
    if (ares_library_init(ARES_LIB_INIT_ALL) != ARES_SUCCESS) {
        lib_rc = -1;
        return;
    }
    /* Every check in flight holds a socket (a black-holed target holds one
     * for its whole timeout), so 1024 descriptors run out long before 10,000
     * monitors do. Take what the hard limit allows. Nothing here uses
     * select(), so descriptors above FD_SETSIZE are fine. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            log_warn("probe: could not raise the open file limit");
    }
}

struct probe_ctx *probe_ctx_new(struct loop *L)
{
    pthread_once(&lib_once, lib_init);
    if (lib_rc != 0) {
        log_error("probe: libcurl or c-ares could not be initialised");
        return NULL;
    }
    struct probe_ctx *P = xcalloc(1, sizeof *P);
    P->L = L;
    /* Distinct echo ids per context and per check; the start only needs to
     * differ between processes pinging the same host. */
    P->ping_id = (uint16_t)(time_mono_ms() ^ (ms_t)((uintptr_t)P >> 4));
    return P;
}

static void release_type(struct probe *p)
{
    switch (p->m->type) {
    case MT_HTTP:
    case MT_TLS: probe_http_release(p); break;
    case MT_TCP: probe_tcp_release(p); break;
    case MT_DNS: probe_dns_release(p); break;
    case MT_PING: probe_ping_release(p); break;
    case MT_POSTGRES: probe_pg_release(p); break;
    default: break;
    }
}

static void unlink_probe(struct probe_ctx *P, struct probe *p)
{
    if (p->prev)
        p->prev->next = p->next;
    else
        P->active = p->next;
    if (p->next)
        p->next->prev = p->prev;
    p->prev = p->next = NULL;
}

static void recycle(struct probe_ctx *P, struct probe *p)
{
    if (P->nfree < PROBE_FREE_MAX) {
        p->next = P->free_probes;
        P->free_probes = p;
        P->nfree++;
    } else {
        xfree(p);
    }
}

void probe_ctx_free(struct probe_ctx *P)
{
    if (!P)
        return;
    while (P->active) {
        struct probe *p = P->active;
        unlink_probe(P, p);
        if (!p->ended)
            release_type(p);
        if (p->timer)
            loop_timer_cancel(P->L, p->timer);
        xfree(p);
    }
    P->inflight = 0;
    probe_http_ctx_free(P);
    probe_resolvers_free(P);
    while (P->free_probes) {
        struct probe *p = P->free_probes;
        P->free_probes = p->next;
        xfree(p);
    }
    xfree(P);
}

int probe_inflight(const struct probe_ctx *P)
{
    return P->inflight;
}

ms_t probe_timeout(const struct monitor_spec *m)
{
    return m->timeout > 0 ? m->timeout : 10 * MS_PER_S;
}

static void deliver(struct loop *L, void *arg)
{
    struct probe *p = arg;
    struct probe_ctx *P = p->P;
    p->timer = NULL;
    unlink_probe(P, p);
    P->inflight--;
    struct probe_result r = p->r;
    probe_done_fn done = p->done;
    void *darg = p->arg;
    recycle(P, p);
    /* Last: done() may start checks or free the context. */
    done(darg, &r);
}

void probe_end(struct probe *p, bool ok, const char *fmt, ...)
{
    if (p->ended)
        return;
    p->ended = true;
    ms_t now = time_mono_ms();
    p->r.ok = ok;
    if (!p->has_latency)
        p->r.latency = now - p->t0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->r.detail, sizeof p->r.detail, fmt, ap);
    va_end(ap);
    release_type(p);
    struct loop *L = p->P->L;
    if (p->timer)
        loop_timer_cancel(L, p->timer);
    p->timer = loop_timer_at(L, now, deliver, p);
}

static void on_timeout(struct loop *L, void *arg)
{
    struct probe *p = arg;
    p->timer = NULL;
    char d[32];
    time_format_duration(probe_timeout(p->m), d, sizeof d);
    if (p->phase)
        probe_end(p, false, "timeout after %s (%s)", d, p->phase);
    else
        probe_end(p, false, "timeout after %s", d);
}

int probe_start(struct probe_ctx *P, const struct monitor_spec *m, probe_done_fn done, void *arg)
{
    switch (m->type) {
    case MT_HTTP: case MT_TLS: case MT_TCP: case MT_DNS: case MT_PING: case MT_POSTGRES:
        break;
    default:
        return -1; /* heartbeat is pushed, not probed */
    }
    struct probe *p = P->free_probes;
    if (p) {
        P->free_probes = p->next;
        P->nfree--;
    } else {
        p = xmalloc(sizeof *p);
    }
    memset(p, 0, sizeof *p);
    p->P = P;
    p->m = m;
    p->done = done;
    p->arg = arg;
    p->t0 = time_mono_ms();
    p->r.started = time_now_ms();
    p->next = P->active;
    if (P->active)
        P->active->prev = p;
    P->active = p;
    P->inflight++;
    p->timer = loop_timer_at(P->L, p->t0 + probe_timeout(m), on_timeout, p);

    switch (m->type) {
    case MT_HTTP: probe_http_start(p); break;
    case MT_TLS: probe_tls_start(p); break;
    case MT_TCP: probe_tcp_start(p); break;
    case MT_DNS: probe_dns_start(p); break;
    case MT_PING: probe_ping_start(p); break;
    case MT_POSTGRES: probe_pg_start(p); break;
    default: assert(0); break;
    }
    return 0;
}

void probe_clip(char *out, size_t n, const char *s, size_t max)
{
    if (n == 0)
        return;
    if (!s)
        s = "";
    size_t len = strlen(s);
    if (max > n - 1)
        max = n - 1;
    if (len <= max) {
        memcpy(out, s, len + 1);
        return;
    }
    static const char ell[] = "…";
    size_t cut = max >= sizeof ell - 1 ? max - (sizeof ell - 1) : 0;
    /* Never split a UTF-8 sequence: back up to the start of a character. */
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(out, s, cut);
    if (cut + sizeof ell <= n)
        memcpy(out + cut, ell, sizeof ell);
    else
        out[cut] = '\0';
}

bool probe_numeric_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
    if (!s)
        return false;
    char tmp[INET6_ADDRSTRLEN + 2];
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && n - 2 < sizeof tmp) {
        memcpy(tmp, s + 1, n - 2);
        tmp[n - 2] = '\0';
        s = tmp;
    }
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        *len = sizeof *a4;
        return true;
    }
    struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        *len = sizeof *a6;
        return true;
    }
    return false;
}
