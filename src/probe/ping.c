/*
 * ping — one ICMP echo answered within the timeout means up.
 *
 * The socket is an unprivileged ICMP datagram socket when the kernel allows
 * it (net.ipv4.ping_group_range covers our group), else a raw socket (root
 * or CAP_NET_RAW). A datagram socket gets only the replies to its own echo
 * id (the kernel picks the id and demultiplexes); a raw socket sees every
 * ICMP packet of the host, so it filters to echo replies and matches our id,
 * sequence and the target address. One socket per check: simple, and
 * checks never see each other's replies.
 *
 * An echo is resent every second while the check lasts, so one lost packet
 * does not fail it; the payload carries the send time, so the round trip of
 * whichever echo is answered is exact. IPv4 and IPv6.
 */
#include <errno.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "probe/probe_int.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER 1 /* linux/icmp.h, which clashes with the libc headers */
#endif

#define PING_RESEND_MS 1000
#define PING_PAYLOAD 48

struct echo_hdr {
    uint8_t type, code;
    uint16_t cksum, id, seq;
};

struct echo_pkt {
    struct echo_hdr h;
    struct timespec sent;
    uint8_t pad[PING_PAYLOAD - sizeof(struct timespec)];
};

enum { ECHO4_REQ = 8, ECHO4_REPLY = 0, ECHO6_REQ = 128, ECHO6_REPLY = 129 };

static uint16_t inet_cksum(const void *data, size_t len)
{
    const uint8_t *b = data;
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(b[i] << 8 | b[i + 1]);
    if (len & 1)
        sum += (uint32_t)b[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

static void send_echo(struct probe *p)
{
    struct ping_state *st = &p->u.ping;
    struct echo_pkt pkt;
    memset(&pkt, 0, sizeof pkt);
    pkt.h.type = st->family == AF_INET ? ECHO4_REQ : ECHO6_REQ;
    pkt.h.id = htons(st->id);
    pkt.h.seq = htons(++st->seq);
    clock_gettime(CLOCK_MONOTONIC, &pkt.sent);
    for (size_t i = 0; i < sizeof pkt.pad; i++)
        pkt.pad[i] = (uint8_t)('0' + i % 64);
    /* The kernel fills the ICMPv6 checksum itself; ICMPv4 over a raw socket
     * needs ours (a datagram socket recomputes it anyway). */
    if (st->family == AF_INET)
        pkt.h.cksum = inet_cksum(&pkt, sizeof pkt);
    if (sendto(st->fd, &pkt, sizeof pkt, 0, (struct sockaddr *)&st->to, st->tolen) < 0 &&
        errno != EAGAIN && errno != EWOULDBLOCK)
        probe_end(p, false, "ping: send: %s", strerror(errno));
}

static void on_resend(struct loop *L, void *arg)
{
    struct probe *p = arg;
    struct ping_state *st = &p->u.ping;
    st->resend = NULL;
    send_echo(p);
    if (!p->ended)
        st->resend = loop_timer_at(L, time_mono_ms() + PING_RESEND_MS, on_resend, p);
}

static bool from_target(const struct ping_state *st, const struct sockaddr_storage *src)
{
    if (st->family == AF_INET)
        return ((const struct sockaddr_in *)src)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)&st->to)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)src)->sin6_addr,
                  &((const struct sockaddr_in6 *)&st->to)->sin6_addr, 16) == 0;
}

static void on_io(struct loop *L, int fd, uint32_t events, void *arg)
{
    struct probe *p = arg;
    struct ping_state *st = &p->u.ping;
    unsigned char buf[1500];
    for (int i = 0; i < 64 && !p->ended; i++) {
        struct sockaddr_storage src;
        socklen_t slen = sizeof src;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&src, &slen);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return;
            /* A datagram socket reports ICMP errors (unreachable…) here. */
            probe_end(p, false, "ping: %s", strerror(errno));
            return;
        }
        const unsigned char *icmp = buf;
        size_t len = (size_t)n;
        if (st->raw && st->family == AF_INET) {
            size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
            if (len < ihl)
                continue;
            icmp += ihl;
            len -= ihl;
        }
        if (len < sizeof(struct echo_hdr) + sizeof(struct timespec))
            continue;
        struct echo_hdr h;
        memcpy(&h, icmp, sizeof h);
        if (h.type != (st->family == AF_INET ? ECHO4_REPLY : ECHO6_REPLY))
            continue;
        uint16_t seq = ntohs(h.seq);
        if (seq == 0 || seq > st->seq)
            continue;
        if (st->raw && (ntohs(h.id) != st->id || !from_target(st, &src)))
            continue;
        struct timespec sent, now;
        memcpy(&sent, icmp + sizeof h, sizeof sent);
        clock_gettime(CLOCK_MONOTONIC, &now);
        double rtt = (double)(now.tv_sec - sent.tv_sec) * 1e3 +
                     (double)(now.tv_nsec - sent.tv_nsec) / 1e6;
        if (rtt < 0 || rtt > (double)probe_timeout(p->m) + 1000)
            continue; /* not a payload we wrote */
        p->r.value = rtt;
        probe_end(p, true, "reply in %.2f ms", rtt);
    }
}

static int open_socket(struct probe *p, int family)
{
    struct ping_state *st = &p->u.ping;
    int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd >= 0) {
        st->raw = false;
        return fd;
    }
    int dgram_err = errno;
    fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
    if (fd < 0) {
        if ((errno == EPERM || errno == EACCES) && (dgram_err == EPERM || dgram_err == EACCES))
            probe_end(p, false,
                      "ping: not permitted (needs net.ipv4.ping_group_range to include "
                      "this group, or root / CAP_NET_RAW)");
        else
            probe_end(p, false, "ping: socket: %s", strerror(errno));
        return -1;
    }
    st->raw = true;
    if (family == AF_INET) {
        uint32_t mask = ~(1U << ECHO4_REPLY); /* bits set are dropped */
        (void)setsockopt(fd, SOL_RAW, ICMP_FILTER, &mask, sizeof mask);
    } else {
        struct icmp6_filter f;
        ICMP6_FILTER_SETBLOCKALL(&f);
        ICMP6_FILTER_SETPASS(ECHO6_REPLY, &f);
        (void)setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof f);
    }
    return fd;
}

static void ping_begin(struct probe *p, const struct sockaddr_storage *ss, socklen_t len)
{
    struct ping_state *st = &p->u.ping;
    st->family = ss->ss_family;
    memcpy(&st->to, ss, sizeof *ss);
    st->tolen = len;
    int fd = open_socket(p, st->family);
    if (fd < 0)
        return;
    st->fd = fd;
    st->id = p->P->ping_id++;
    if (loop_add_fd(p->P->L, fd, EPOLLIN, on_io, p) != 0) {
        int e = errno;
        close(fd);
        st->fd = -1;
        probe_end(p, false, "epoll: %s", strerror(e));
        return;
    }
    p->phase = NULL;
    send_echo(p);
    if (!p->ended)
        st->resend = loop_timer_at(p->P->L, time_mono_ms() + PING_RESEND_MS, on_resend, p);
}

static void on_resolved(struct probe *p, int status, const struct ares_addrinfo *ai)
{
    char h[96];
    probe_clip(h, sizeof h, p->m->ping.host, 80);
    if (status != ARES_SUCCESS) {
        probe_end(p, false, "resolve %s: %s", h, probe_resolve_strerror(status));
        return;
    }
    const struct ares_addrinfo_node *pick = NULL;
    for (const struct ares_addrinfo_node *n = ai ? ai->nodes : NULL; n; n = n->ai_next) {
        if (n->ai_addrlen > sizeof(struct sockaddr_storage))
            continue;
        if (n->ai_family == AF_INET) {
            pick = n;
            break;
        }
        if (n->ai_family == AF_INET6 && !pick)
            pick = n;
    }
    if (!pick) {
        probe_end(p, false, "resolve %s: no address", h);
        return;
    }
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    memcpy(&ss, pick->ai_addr, pick->ai_addrlen);
    ping_begin(p, &ss, pick->ai_addrlen);
}

void probe_ping_start(struct probe *p)
{
    struct ping_state *st = &p->u.ping;
    st->fd = -1;
    st->resend = NULL;
    st->rq = NULL;
    const char *host = p->m->ping.host;
    if (!host || !*host) {
        probe_end(p, false, "ping: no host");
        return;
    }
    struct sockaddr_storage ss;
    socklen_t len;
    if (probe_numeric_addr(host, &ss, &len)) {
        ping_begin(p, &ss, len);
        return;
    }
    char why[160];
    struct resolver *R = probe_resolver_get(p->P, NULL, why, sizeof why);
    if (!R) {
        probe_end(p, false, "%s", why);
        return;
    }
    p->phase = "resolving";
    probe_resolve_start(R, p, &st->rq, host, AF_UNSPEC, on_resolved);
}

void probe_ping_release(struct probe *p)
{
    struct ping_state *st = &p->u.ping;
    probe_resolve_cancel(&st->rq);
    if (st->resend) {
        loop_timer_cancel(p->P->L, st->resend);
        st->resend = NULL;
    }
    if (st->fd >= 0) {
        loop_del_fd(p->P->L, st->fd);
        close(st->fd);
        st->fd = -1;
    }
}
