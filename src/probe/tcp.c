/*
 * tcp — the port is open when a non-blocking connect completes.
 *
 * A numeric host is used as is; a name goes through the system resolver
 * (c-ares, asynchronous), taking its first IPv4 answer, else its first IPv6
 * one. The socket is closed with a reset (SO_LINGER 0) as soon as the
 * handshake is done: the check never holds a connection open, and a reset
 * leaves no TIME_WAIT behind, which thousands of checks a minute would
 * otherwise pile up on this host.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "probe/probe_int.h"

static void close_fd(struct probe *p)
{
    struct tcp_state *st = &p->u.tcp;
    if (st->fd < 0)
        return;
    loop_del_fd(p->P->L, st->fd);
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    (void)setsockopt(st->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    close(st->fd);
    st->fd = -1;
}

static void on_io(struct loop *L, int fd, uint32_t events, void *arg)
{
    struct probe *p = arg;
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
        err = errno;
    if (err == 0 && !(events & EPOLLOUT))
        return; /* not decided yet */
    if (err)
        probe_end(p, false, "connect: %s", strerror(err));
    else
        probe_end(p, true, "connected");
}

static void tcp_connect(struct probe *p, struct sockaddr_storage *ss, socklen_t sslen)
{
    struct tcp_state *st = &p->u.tcp;
    uint16_t port = htons((uint16_t)p->m->tcp.port);
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = port;
    else
        ((struct sockaddr_in6 *)ss)->sin6_port = port;
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        probe_end(p, false, "socket: %s", strerror(errno));
        return;
    }
    st->fd = fd;
    p->phase = "connecting";
    if (connect(fd, (struct sockaddr *)ss, sslen) == 0) {
        probe_end(p, true, "connected");
        return;
    }
    if (errno != EINPROGRESS) {
        probe_end(p, false, "connect: %s", strerror(errno));
        return;
    }
    if (loop_add_fd(p->P->L, fd, EPOLLOUT, on_io, p) != 0) {
        int e = errno;
        close(fd);
        st->fd = -1;
        probe_end(p, false, "epoll: %s", strerror(e));
    }
}

/* The first IPv4 answer, else the first IPv6 one. */
static bool pick_addr(const struct ares_addrinfo *ai, struct sockaddr_storage *ss, socklen_t *len)
{
    const struct ares_addrinfo_node *v6 = NULL;
    for (const struct ares_addrinfo_node *n = ai ? ai->nodes : NULL; n; n = n->ai_next) {
        if (n->ai_family == AF_INET && n->ai_addrlen <= sizeof *ss) {
            memset(ss, 0, sizeof *ss);
            memcpy(ss, n->ai_addr, n->ai_addrlen);
            *len = n->ai_addrlen;
            return true;
        }
        if (n->ai_family == AF_INET6 && !v6)
            v6 = n;
    }
    if (v6 && v6->ai_addrlen <= sizeof *ss) {
        memset(ss, 0, sizeof *ss);
        memcpy(ss, v6->ai_addr, v6->ai_addrlen);
        *len = v6->ai_addrlen;
        return true;
    }
    return false;
}

static void on_resolved(struct probe *p, int status, const struct ares_addrinfo *ai)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (status != ARES_SUCCESS) {
        char h[96];
        probe_clip(h, sizeof h, p->m->tcp.host, 80);
        probe_end(p, false, "resolve %s: %s", h, probe_resolve_strerror(status));
        return;
    }
    if (!pick_addr(ai, &ss, &len)) {
        probe_end(p, false, "resolve: no address");
        return;
    }
    tcp_connect(p, &ss, len);
}

void probe_tcp_start(struct probe *p)
{
    struct tcp_state *st = &p->u.tcp;
    st->fd = -1;
    st->rq = NULL;
    const struct monitor_spec *m = p->m;
    if (!m->tcp.host || !*m->tcp.host) {
        probe_end(p, false, "tcp: no host");
        return;
    }
    if (m->tcp.port < 1 || m->tcp.port > 65535) {
        probe_end(p, false, "tcp: bad port %d", m->tcp.port);
        return;
    }
    struct sockaddr_storage ss;
    socklen_t len;
    if (probe_numeric_addr(m->tcp.host, &ss, &len)) {
        tcp_connect(p, &ss, len);
        return;
    }
    char why[160];
    struct resolver *R = probe_resolver_get(p->P, NULL, why, sizeof why);
    if (!R) {
        probe_end(p, false, "%s", why);
        return;
    }
    p->phase = "resolving";
    probe_resolve_start(R, p, &st->rq, m->tcp.host, AF_UNSPEC, on_resolved);
}

void probe_tcp_release(struct probe *p)
{
    probe_resolve_cancel(&p->u.tcp.rq);
    close_fd(p);
}
