/*
 * probe_int — what the probe files share with each other; not for outside use.
 *
 * One struct probe per check in flight. probe.c owns its life: probe_start
 * allocates it and arms the timeout timer; a type's code (http.c, tcp.c…)
 * ends it exactly once with probe_end(), from anywhere on the loop thread,
 * even from inside a library callback: probe_end only records the result,
 * releases the type's resources and arms a 0-delay timer, and that timer
 * calls done(). So done() always runs from the loop with nothing of ours on
 * the stack, and may start new checks or free the whole context.
 *
 * Each type's release function must be idempotent and must not call done():
 * it is how a timeout or probe_ctx_free tears a check down mid-flight.
 *
 * Names: resolution goes through a c-ares channel whose sockets and timeout
 * are driven by the loop (resolver_*). A query cannot be cancelled alone in
 * c-ares, so a resolve_req is detached from its probe instead and frees
 * itself when c-ares answers.
 */
#ifndef YW_PROBE_PROBE_INT_H
#define YW_PROBE_PROBE_INT_H

#include <ares.h>
#include <curl/curl.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/buf.h"
#include "probe/probe.h"

struct resolver;
struct resolve_req;
struct probe;

/* fn is called once, unless the request is cancelled first, with an ares
 * status and the answer (borrowed; freed after fn returns). It may be called
 * synchronously from inside probe_resolve_start. */
typedef void (*resolve_fn)(struct probe *p, int status, const struct ares_addrinfo *ai);

#define PG_MAX_HOSTS 8

struct http_shard;

struct http_state {
    CURL *e;                  /* NULL once handed back */
    struct http_shard *shard; /* the multi handle it runs in */
    struct curl_slist *hdrs;
    struct buf body;          /* only when a keyword or json check needs it */
    size_t received;          /* body bytes seen, kept or not */
    bool keep_body, truncated;
    char errbuf[CURL_ERROR_SIZE];
};

struct tcp_state {
    int fd;
    struct resolve_req *rq;
};

struct dns_state {
    struct resolve_req *rq;
};

struct ping_state {
    int fd;
    bool raw;                 /* SOCK_RAW: replies carry the IP header (v4) and ids are ours */
    int family;
    struct sockaddr_storage to;
    socklen_t tolen;
    uint16_t id, seq;
    struct loop_timer *resend;
    struct resolve_req *rq;
};

struct pg_state {
    PGconn *conn;
    int fd;                   /* registered with the loop, -1 if none */
    int step;                 /* PG_CONNECTING, PG_FLUSHING, PG_READING */
    PostgresPollingStatusType poll;
    int nhosts, pending;      /* hosts to resolve, answers still awaited */
    char *hosts[PG_MAX_HOSTS];
    char addrs[PG_MAX_HOSTS][INET6_ADDRSTRLEN];
    struct resolve_req *rq[PG_MAX_HOSTS];
};

struct probe {
    struct probe_ctx *P;
    const struct monitor_spec *m;
    probe_done_fn done;
    void *arg;
    struct probe *prev, *next;  /* in P->active until delivered */
    struct loop_timer *timer;   /* the timeout while running, the delivery once ended */
    ms_t t0;                    /* time_mono_ms() at start */
    bool ended;
    bool has_latency;           /* r.latency set by the type; probe_end keeps it */
    const char *phase;          /* static string for the timeout detail, or NULL */
    struct probe_result r;
    union {
        struct http_state http;
        struct tcp_state tcp;
        struct dns_state dns;
        struct ping_state ping;
        struct pg_state pg;
    } u;
};

#define PROBE_MAX_RESOLVERS 64

struct http_ctx;

struct probe_ctx {
    struct loop *L;
    int inflight;
    struct probe *active;
    struct probe *free_probes;
    int nfree;
    struct http_ctx *http;              /* created on first http/tls check */
    struct resolver *sysres;            /* system resolver, created on first use */
    struct resolver *servers[PROBE_MAX_RESOLVERS]; /* dns checks with their own server */
    size_t nservers;
    uint64_t resolver_clock;            /* orders resolver use, for eviction */
    uint16_t ping_id;
};

/* ---- probe.c ---- */

/* Ends the check once (later calls are ignored): records ok and the detail
 * (printf format), sets latency, releases the type's resources and schedules
 * done(). Safe from inside curl, c-ares and loop callbacks. */
void probe_end(struct probe *p, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The monitor's timeout, with the 10 s default for an unset one. */
ms_t probe_timeout(const struct monitor_spec *m);
/* Copies s into out (n bytes) cut at a UTF-8 boundary, adding "…" when cut. */
void probe_clip(char *out, size_t n, const char *s, size_t max);
/* Whether s is a numeric IPv4/IPv6 address; fills *ss and *len (port 0). */
bool probe_numeric_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len);

/* ---- http.c: http and tls ---- */
void probe_http_start(struct probe *p);
void probe_tls_start(struct probe *p);
void probe_http_release(struct probe *p);
void probe_http_ctx_free(struct probe_ctx *P);
/* Parses a certificate date as curl reports it ("Jan  2 03:04:05 2027 GMT",
 * or "2027-01-02 03:04:05 GMT"). 0 and *out (ms since epoch), or -1. */
int probe_cert_time_parse(const char *s, ms_t *out);

/* ---- tcp.c ---- */
void probe_tcp_start(struct probe *p);
void probe_tcp_release(struct probe *p);

/* ---- dns.c: the dns check and the resolvers every type uses ---- */
void probe_dns_start(struct probe *p);
void probe_dns_release(struct probe *p);
/* The system resolver, or a channel asking only server ("IP" or "IP:port",
 * "[v6]:port"). NULL with a reason in why if c-ares refuses. */
struct resolver *probe_resolver_get(struct probe_ctx *P, const char *server, char *why, size_t n);
/* family: AF_INET, AF_INET6 or AF_UNSPEC. *slot holds the request until it
 * completes or is cancelled; it is NULL again when fn runs. */
void probe_resolve_start(struct resolver *R, struct probe *p, struct resolve_req **slot,
                   const char *name, int family, resolve_fn fn);
void probe_resolve_cancel(struct resolve_req **slot);
/* "no such name" for ARES_ENOTFOUND… */
const char *probe_resolve_strerror(int status);
void probe_resolvers_free(struct probe_ctx *P);

/* ---- ping.c ---- */
void probe_ping_start(struct probe *p);
void probe_ping_release(struct probe *p);

/* ---- postgres.c ---- */
void probe_pg_start(struct probe *p);
void probe_pg_release(struct probe *p);

#endif
