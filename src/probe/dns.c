/*
 * dns — the dns check, and the c-ares resolvers every check type uses for
 * host names.
 *
 * A resolver is one c-ares channel whose sockets are registered with the
 * loop through the socket-state callback and whose retransmission timer is
 * one loop timer, re-armed from ares_timeout() after every call into c-ares.
 * The system resolver (resolv.conf, hosts file first, like getaddrinfo) is
 * created on first use. A dns check naming its own server gets a channel that
 * asks only that server, only DNS (no hosts file, no search list), so the
 * check measures that server; such channels are kept for reuse, at most
 * PROBE_MAX_RESOLVERS, the least useful idle one making room.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>

#include "core/mem.h"
#include "probe/probe_int.h"

/* c-ares' own retransmission: 2 s a try, 2 tries a server. The check's
 * timeout still ends the check on time whatever c-ares does. */
#define RESOLVER_TRY_MS 2000
#define RESOLVER_TRIES 2

struct resolver {
    struct probe_ctx *P;
    ares_channel ch;
    char *server;              /* NULL for the system resolver */
    struct loop_timer *timer;
    int pending;               /* queries c-ares has not answered yet */
    uint64_t used;             /* last use, for eviction */
};

struct resolve_req {
    struct probe *p;           /* NULL once the probe gave up on it */
    struct resolve_req **slot;
    resolve_fn fn;
    struct resolver *R;
};

static void rearm(struct resolver *R);

static void on_timer(struct loop *L, void *arg)
{
    struct resolver *R = arg;
    R->timer = NULL;
    ares_process_fd(R->ch, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
    rearm(R);
}

static void rearm(struct resolver *R)
{
    struct loop *L = R->P->L;
    if (R->timer) {
        loop_timer_cancel(L, R->timer);
        R->timer = NULL;
    }
    struct timeval tv, *t = ares_timeout(R->ch, NULL, &tv);
    if (!t)
        return;
    ms_t ms = (ms_t)t->tv_sec * 1000 + (t->tv_usec + 999) / 1000;
    R->timer = loop_timer_at(L, time_mono_ms() + ms, on_timer, R);
}

static void on_io(struct loop *L, int fd, uint32_t events, void *arg)
{
    struct resolver *R = arg;
    ares_socket_t rfd = (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? fd : ARES_SOCKET_BAD;
    ares_socket_t wfd = (events & (EPOLLOUT | EPOLLERR)) ? fd : ARES_SOCKET_BAD;
    ares_process_fd(R->ch, rfd, wfd);
    rearm(R);
}

static void on_sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
    struct resolver *R = data;
    struct loop *L = R->P->L;
    uint32_t ev = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
    if (!ev) {
        loop_del_fd(L, fd); /* c-ares is about to close it */
        return;
    }
    if (loop_mod_fd(L, fd, ev) != 0)
        (void)loop_add_fd(L, fd, ev, on_io, R);
}

static struct resolver *resolver_new(struct probe_ctx *P, const char *server, char *why, size_t n)
{
    struct resolver *R = xcalloc(1, sizeof *R);
    R->P = P;
    struct ares_options o;
    memset(&o, 0, sizeof o);
    int mask = ARES_OPT_SOCK_STATE_CB | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES;
    o.sock_state_cb = on_sock_state;
    o.sock_state_cb_data = R;
    o.timeout = RESOLVER_TRY_MS;
    o.tries = RESOLVER_TRIES;
    if (server) {
        static char dns_only[] = "b";
        o.lookups = dns_only;
        o.domains = NULL;
        o.ndomains = 0;
        mask |= ARES_OPT_LOOKUPS | ARES_OPT_DOMAINS;
    }
    int rc = ares_init_options(&R->ch, &o, mask);
    if (rc != ARES_SUCCESS) {
        snprintf(why, n, "resolver: %s", ares_strerror(rc));
        xfree(R);
        return NULL;
    }
    if (server) {
        rc = ares_set_servers_ports_csv(R->ch, server);
        if (rc != ARES_SUCCESS) {
            snprintf(why, n, "bad server %s: %s", server, ares_strerror(rc));
            ares_destroy(R->ch);
            xfree(R);
            return NULL;
        }
        R->server = xstrdup(server);
    }
    return R;
}

static void resolver_free(struct resolver *R)
{
    if (!R)
        return;
    if (R->timer)
        loop_timer_cancel(R->P->L, R->timer);
    R->timer = NULL;
    /* Answers every query still pending with ARES_EDESTRUCTION (each
     * request frees itself) and reports its sockets closed. */
    ares_destroy(R->ch);
    xfree(R->server);
    xfree(R);
}

void probe_resolvers_free(struct probe_ctx *P)
{
    resolver_free(P->sysres);
    P->sysres = NULL;
    for (size_t i = 0; i < P->nservers; i++)
        resolver_free(P->servers[i]);
    P->nservers = 0;
}

struct resolver *probe_resolver_get(struct probe_ctx *P, const char *server, char *why, size_t n)
{
    if (!server || !*server) {
        if (!P->sysres)
            P->sysres = resolver_new(P, NULL, why, n);
        return P->sysres;
    }
    for (size_t i = 0; i < P->nservers; i++) {
        if (strcmp(P->servers[i]->server, server) == 0) {
            P->servers[i]->used = ++P->resolver_clock;
            return P->servers[i];
        }
    }
    if (P->nservers == PROBE_MAX_RESOLVERS) {
        /* Make room: the least recently used channel with nothing pending.
         * Never called from inside c-ares, so destroying one here is safe. */
        size_t victim = PROBE_MAX_RESOLVERS;
        for (size_t i = 0; i < P->nservers; i++)
            if (P->servers[i]->pending == 0 &&
                (victim == PROBE_MAX_RESOLVERS || P->servers[i]->used < P->servers[victim]->used))
                victim = i;
        if (victim == PROBE_MAX_RESOLVERS) {
            snprintf(why, n, "more than %d DNS servers busy at once", PROBE_MAX_RESOLVERS);
            return NULL;
        }
        resolver_free(P->servers[victim]);
        P->servers[victim] = P->servers[--P->nservers];
    }
    struct resolver *R = resolver_new(P, server, why, n);
    if (R) {
        R->used = ++P->resolver_clock;
        P->servers[P->nservers++] = R;
    }
    return R;
}

static void on_addrinfo(void *arg, int status, int timeouts, struct ares_addrinfo *res)
{
    struct resolve_req *q = arg;
    q->R->pending--;
    if (q->p) {
        *q->slot = NULL;
        q->fn(q->p, status, status == ARES_SUCCESS ? res : NULL);
    }
    if (res)
        ares_freeaddrinfo(res);
    xfree(q);
}

void probe_resolve_start(struct resolver *R, struct probe *p, struct resolve_req **slot,
                   const char *name, int family, resolve_fn fn)
{
    struct resolve_req *q = xmalloc(sizeof *q);
    q->p = p;
    q->slot = slot;
    q->fn = fn;
    q->R = R;
    *slot = q;
    R->pending++;
    struct ares_addrinfo_hints h;
    memset(&h, 0, sizeof h);
    h.ai_family = family;
    /* No RFC 6724 sorting: it costs a socket and a connect per answer, and
     * every caller takes its own pick. */
    h.ai_flags = ARES_AI_NOSORT;
    ares_getaddrinfo(R->ch, name, NULL, &h, on_addrinfo, q);
    rearm(R);
}

void probe_resolve_cancel(struct resolve_req **slot)
{
    if (*slot) {
        (*slot)->p = NULL;
        *slot = NULL;
    }
}

const char *probe_resolve_strerror(int status)
{
    switch (status) {
    case ARES_ENOTFOUND: return "no such name";
    case ARES_ENODATA: return "no address of that kind";
    case ARES_ETIMEOUT: return "resolver did not answer";
    case ARES_ECONNREFUSED: return "resolver refused the connection";
    case ARES_ESERVFAIL: return "server failure";
    case ARES_EREFUSED: return "query refused";
    case ARES_EBADNAME: return "bad name";
    default: return ares_strerror(status);
    }
}

/* ---- the dns check ---- */

static bool same_addr(const char *expect, int family, const void *bin, const char *text)
{
    unsigned char e[sizeof(struct in6_addr)];
    if (inet_pton(family, expect, e) == 1)
        return memcmp(e, bin, family == AF_INET ? 4 : 16) == 0;
    return strcasecmp(expect, text) == 0;
}

static void dns_answer(struct probe *p, int status, const struct ares_addrinfo *ai)
{
    const struct monitor_spec *m = p->m;
    char name[96];
    probe_clip(name, sizeof name, m->dns.name, 80);
    int family = m->dns.record && strcasecmp(m->dns.record, "AAAA") == 0 ? AF_INET6 : AF_INET;
    const char *rec = family == AF_INET ? "A" : "AAAA";
    if (status == ARES_ENODATA) {
        probe_end(p, false, "%s: no %s record", name, rec);
        return;
    }
    if (status != ARES_SUCCESS) {
        probe_end(p, false, "%s: %s", name, probe_resolve_strerror(status));
        return;
    }
    char list[160] = "";
    size_t len = 0;
    int count = 0, listed = 0;
    bool matched = m->dns.nexpect == 0;
    for (const struct ares_addrinfo_node *nd = ai ? ai->nodes : NULL; nd; nd = nd->ai_next) {
        if (nd->ai_family != family)
            continue;
        const void *bin = family == AF_INET
                              ? (const void *)&((const struct sockaddr_in *)nd->ai_addr)->sin_addr
                              : (const void *)&((const struct sockaddr_in6 *)nd->ai_addr)->sin6_addr;
        char text[INET6_ADDRSTRLEN];
        if (!inet_ntop(family, bin, text, sizeof text))
            continue;
        count++;
        for (size_t i = 0; i < m->dns.nexpect && !matched; i++)
            matched = same_addr(m->dns.expect[i], family, bin, text);
        size_t tl = strlen(text);
        if (len + tl + 2 < sizeof list - 16) {
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", listed ? ", " : "", text);
            listed++;
        }
    }
    if (count > listed)
        snprintf(list + len, sizeof list - len, " (+%d more)", count - listed);
    p->r.value = count;
    if (count == 0) {
        probe_end(p, false, "%s: no %s record", name, rec);
        return;
    }
    if (!matched) {
        char want[64];
        probe_clip(want, sizeof want, m->dns.expect[0], 48);
        probe_end(p, false, "%s: got %s, expected %s%s", name, list, want,
                  m->dns.nexpect > 1 ? " or another listed" : "");
        return;
    }
    probe_end(p, true, "%s: %s", name, list);
}

void probe_dns_start(struct probe *p)
{
    struct dns_state *st = &p->u.dns;
    st->rq = NULL;
    const struct monitor_spec *m = p->m;
    if (!m->dns.name || !*m->dns.name) {
        probe_end(p, false, "dns: no name to resolve");
        return;
    }
    char why[160];
    struct resolver *R = probe_resolver_get(p->P, m->dns.server, why, sizeof why);
    if (!R) {
        probe_end(p, false, "dns: %s", why);
        return;
    }
    int family = m->dns.record && strcasecmp(m->dns.record, "AAAA") == 0 ? AF_INET6 : AF_INET;
    probe_resolve_start(R, p, &st->rq, m->dns.name, family, dns_answer);
}

void probe_dns_release(struct probe *p)
{
    probe_resolve_cancel(&p->u.dns.rq);
}
