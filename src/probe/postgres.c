/*
 * postgres — connect with libpq's asynchronous API, run one query, compare
 * the first column of the first row with the expected text.
 *
 * libpq resolves host names with a blocking getaddrinfo() inside
 * PQconnectPoll unless hostaddr is given, so names in `host` are resolved
 * first through c-ares and passed as hostaddr (host stays, for TLS
 * verification and .pgpass). Then PQconnectStartParams/PQconnectPoll, driven
 * by readiness of PQsocket(), which libpq may change between calls (it opens
 * a new socket for each address it tries, and closes it on failure): after
 * every call the registration is brought in line with PQsocket().
 *
 * The conninfo may hold a password: it is never logged or put in a detail,
 * and neither is libpq's message about a malformed conninfo (it can quote it).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/mem.h"
#include "probe/probe_int.h"

enum { PG_RESOLVING, PG_CONNECTING, PG_FLUSHING, PG_READING };

#define PG_VALUE_SHOW 64

static void on_io(struct loop *L, int fd, uint32_t events, void *arg);

/* libpq's message, first line, the "connection to server at … failed: "
 * preamble dropped and runs of blanks collapsed. */
static void pg_fail(struct probe *p, const char *msg, const char *what)
{
    char line[PROBE_DETAIL_MAX];
    const char *s = msg ? msg : "";
    const char *f = strstr(s, "failed: ");
    const char *nl = strchr(s, '\n');
    if (f && (!nl || f < nl))
        s = f + strlen("failed: ");
    size_t j = 0;
    for (; *s && *s != '\n' && j < sizeof line - 1; s++) {
        if ((*s == ' ' || *s == '\t') && j > 0 && line[j - 1] == ' ')
            continue;
        line[j++] = *s == '\t' ? ' ' : *s;
    }
    while (j > 0 && line[j - 1] == ' ')
        j--;
    line[j] = '\0';
    char clipped[200];
    probe_clip(clipped, sizeof clipped, line[0] ? line : "unknown error", 180);
    bool server_said = strncmp(line, "FATAL", 5) == 0 || strncmp(line, "ERROR", 5) == 0;
    probe_end(p, false, "%s: %s", server_said ? "postgres" : what, clipped);
}

/* Aligns the loop registration with PQsocket(); false (and the check ended)
 * if the loop refuses the socket. */
static bool sync_fd(struct probe *p, uint32_t events)
{
    struct pg_state *st = &p->u.pg;
    struct loop *L = p->P->L;
    int fd = PQsocket(st->conn);
    if (fd != st->fd) {
        if (st->fd >= 0)
            loop_del_fd(L, st->fd);
        st->fd = -1;
        if (fd < 0)
            return true;
        if (loop_add_fd(L, fd, events, on_io, p) != 0) {
            probe_end(p, false, "epoll: %s", strerror(errno));
            return false;
        }
        st->fd = fd;
        return true;
    }
    if (fd >= 0 && loop_mod_fd(L, fd, events) != 0) {
        probe_end(p, false, "epoll: %s", strerror(errno));
        return false;
    }
    return true;
}

static void take_result(struct probe *p, PGresult *res)
{
    const struct monitor_spec *m = p->m;
    ExecStatusType s = PQresultStatus(res);
    if (s == PGRES_FATAL_ERROR || s == PGRES_NONFATAL_ERROR) {
        const char *msg = PQresultErrorMessage(res);
        if (strncmp(msg, "ERROR:", 6) == 0)
            msg += 6;
        while (*msg == ' ')
            msg++;
        pg_fail(p, msg, "query");
        return;
    }
    if (s == PGRES_COMMAND_OK && !m->postgres.expect) {
        probe_end(p, true, "query ok");
        return;
    }
    if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        probe_end(p, false, "query: unexpected result %s", PQresStatus(s));
        return;
    }
    if (PQntuples(res) < 1 || PQnfields(res) < 1) {
        probe_end(p, false, "query returned no rows");
        return;
    }
    bool null = PQgetisnull(res, 0, 0);
    char got[PG_VALUE_SHOW + 8];
    probe_clip(got, sizeof got, null ? "NULL" : PQgetvalue(res, 0, 0), PG_VALUE_SHOW);
    if (m->postgres.expect && (null || strcmp(PQgetvalue(res, 0, 0), m->postgres.expect) != 0)) {
        char want[PG_VALUE_SHOW + 8];
        probe_clip(want, sizeof want, m->postgres.expect, PG_VALUE_SHOW);
        probe_end(p, false, "query returned %s, expected %s", got, want);
        return;
    }
    probe_end(p, true, "query returned %s", got);
}

static void read_results(struct probe *p)
{
    struct pg_state *st = &p->u.pg;
    while (!p->ended && !PQisBusy(st->conn)) {
        PGresult *res = PQgetResult(st->conn);
        if (!res) {
            probe_end(p, false, "query returned nothing");
            return;
        }
        /* The first result decides; PQfinish discards the rest. */
        take_result(p, res);
        PQclear(res);
    }
}

static void flush_query(struct probe *p)
{
    struct pg_state *st = &p->u.pg;
    int r = PQflush(st->conn);
    if (r < 0) {
        pg_fail(p, PQerrorMessage(st->conn), "query");
        return;
    }
    if (r == 1) {
        st->step = PG_FLUSHING;
        sync_fd(p, EPOLLIN | EPOLLOUT);
        return;
    }
    st->step = PG_READING;
    sync_fd(p, EPOLLIN);
}

static void start_query(struct probe *p)
{
    struct pg_state *st = &p->u.pg;
    p->phase = "query";
    const char *q = p->m->postgres.query && *p->m->postgres.query ? p->m->postgres.query : "SELECT 1";
    if (PQsetnonblocking(st->conn, 1) != 0 || !PQsendQuery(st->conn, q)) {
        pg_fail(p, PQerrorMessage(st->conn), "query");
        return;
    }
    flush_query(p);
}

static void connect_step(struct probe *p)
{
    struct pg_state *st = &p->u.pg;
    st->poll = PQconnectPoll(st->conn);
    switch (st->poll) {
    case PGRES_POLLING_READING:
        sync_fd(p, EPOLLIN);
        break;
    case PGRES_POLLING_WRITING:
        sync_fd(p, EPOLLOUT);
        break;
    case PGRES_POLLING_OK:
        start_query(p);
        break;
    case PGRES_POLLING_FAILED:
    default:
        pg_fail(p, PQerrorMessage(st->conn), "connect");
        break;
    }
}

static void on_io(struct loop *L, int fd, uint32_t events, void *arg)
{
    struct probe *p = arg;
    struct pg_state *st = &p->u.pg;
    switch (st->step) {
    case PG_CONNECTING:
        connect_step(p);
        return;
    case PG_FLUSHING:
    case PG_READING:
        if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !PQconsumeInput(st->conn)) {
            pg_fail(p, PQerrorMessage(st->conn), "query");
            return;
        }
        if (st->step == PG_FLUSHING) {
            flush_query(p);
            if (p->ended || st->step == PG_FLUSHING)
                return;
        }
        read_results(p);
        if (!p->ended)
            sync_fd(p, EPOLLIN); /* PQconsumeInput may have dropped the socket */
        return;
    default:
        return;
    }
}

static bool needs_resolving(const char *h)
{
    struct sockaddr_storage ss;
    socklen_t len;
    return *h && h[0] != '/' && h[0] != '@' && !probe_numeric_addr(h, &ss, &len);
}

static void begin_connect(struct probe *p, const char *hostaddr)
{
    struct pg_state *st = &p->u.pg;
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(p->m->postgres.conninfo, &err);
    if (!opts) {
        PQfreemem(err); /* may quote the conninfo: not shown */
        probe_end(p, false, "postgres: invalid conninfo");
        return;
    }
    size_t n = 0;
    for (PQconninfoOption *o = opts; o->keyword; o++)
        n++;
    const char **keys = xcalloc(n + 3, sizeof *keys);
    const char **vals = xcalloc(n + 3, sizeof *vals);
    size_t k = 0;
    bool has_app = false;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        if (hostaddr && strcmp(o->keyword, "hostaddr") == 0)
            continue;
        if (strcmp(o->keyword, "fallback_application_name") == 0)
            has_app = true;
        keys[k] = o->keyword;
        vals[k++] = o->val;
    }
    if (hostaddr) {
        keys[k] = "hostaddr";
        vals[k++] = hostaddr;
    }
    if (!has_app) {
        keys[k] = "fallback_application_name";
        vals[k++] = "yunwei";
    }
    keys[k] = NULL;
    vals[k] = NULL;
    st->conn = PQconnectStartParams(keys, vals, 0);
    xfree(keys);
    xfree(vals);
    PQconninfoFree(opts);
    if (!st->conn) {
        probe_end(p, false, "postgres: out of memory");
        return;
    }
    if (PQstatus(st->conn) == CONNECTION_BAD) {
        pg_fail(p, PQerrorMessage(st->conn), "connect");
        return;
    }
    st->step = PG_CONNECTING;
    p->phase = "connecting";
    /* The documented start: as if PQconnectPoll had asked to write. */
    sync_fd(p, EPOLLOUT);
}

static void on_resolved(struct probe *p, int status, const struct ares_addrinfo *ai)
{
    struct pg_state *st = &p->u.pg;
    int i;
    /* Which host this was: the one whose slot c-ares just cleared and whose
     * address is still unset. */
    for (i = 0; i < st->nhosts; i++)
        if (st->hosts[i] && !st->rq[i] && !st->addrs[i][0])
            break;
    if (i == st->nhosts)
        return;
    if (status != ARES_SUCCESS) {
        char h[96];
        probe_clip(h, sizeof h, st->hosts[i], 80);
        probe_end(p, false, "resolve %s: %s", h, probe_resolve_strerror(status));
        return;
    }
    const struct ares_addrinfo_node *pick = NULL;
    for (const struct ares_addrinfo_node *nd = ai ? ai->nodes : NULL; nd; nd = nd->ai_next) {
        if (nd->ai_family == AF_INET) {
            pick = nd;
            break;
        }
        if (nd->ai_family == AF_INET6 && !pick)
            pick = nd;
    }
    const void *bin = NULL;
    if (pick && pick->ai_family == AF_INET)
        bin = &((const struct sockaddr_in *)pick->ai_addr)->sin_addr;
    else if (pick)
        bin = &((const struct sockaddr_in6 *)pick->ai_addr)->sin6_addr;
    if (!bin || !inet_ntop(pick->ai_family, bin, st->addrs[i], sizeof st->addrs[i])) {
        probe_end(p, false, "resolve: no address");
        return;
    }
    if (--st->pending > 0)
        return;
    /* hostaddr lists one entry per host; empty entries leave numeric hosts
     * and socket directories to libpq, which needs no lookup for them. */
    char hostaddr[PG_MAX_HOSTS * (INET6_ADDRSTRLEN + 1)];
    size_t len = 0;
    for (int j = 0; j < st->nhosts; j++)
        len += (size_t)snprintf(hostaddr + len, sizeof hostaddr - len, "%s%s", j ? "," : "",
                                st->addrs[j]);
    begin_connect(p, hostaddr);
}

void probe_pg_start(struct probe *p)
{
    struct pg_state *st = &p->u.pg;
    st->fd = -1;
    const char *ci = p->m->postgres.conninfo;
    if (!ci || !*ci) {
        probe_end(p, false, "postgres: no conninfo");
        return;
    }
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(ci, &err);
    if (!opts) {
        PQfreemem(err);
        probe_end(p, false, "postgres: invalid conninfo");
        return;
    }
    const char *host = NULL, *hostaddr = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (strcmp(o->keyword, "host") == 0)
            host = o->val;
        else if (strcmp(o->keyword, "hostaddr") == 0)
            hostaddr = o->val;
    }
    bool resolve = false;
    if (host && *host && !(hostaddr && *hostaddr)) {
        /* Split the host list; resolve the names in it. */
        const char *s = host;
        for (;;) {
            const char *c = strchr(s, ',');
            size_t l = c ? (size_t)(c - s) : strlen(s);
            if (st->nhosts == PG_MAX_HOSTS) {
                PQconninfoFree(opts);
                probe_end(p, false, "postgres: more than %d hosts", PG_MAX_HOSTS);
                return;
            }
            char *h = xstrndup(s, l);
            if (needs_resolving(h)) {
                st->hosts[st->nhosts] = h;
                resolve = true;
            } else {
                xfree(h);
            }
            st->nhosts++;
            if (!c)
                break;
            s = c + 1;
        }
    }
    PQconninfoFree(opts);
    if (!resolve) {
        begin_connect(p, NULL);
        return;
    }
    char why[160];
    struct resolver *R = probe_resolver_get(p->P, NULL, why, sizeof why);
    if (!R) {
        probe_end(p, false, "%s", why);
        return;
    }
    st->step = PG_RESOLVING;
    p->phase = "resolving";
    for (int i = 0; i < st->nhosts; i++)
        if (st->hosts[i])
            st->pending++;
    /* An answer may come synchronously (hosts file) and even end the check. */
    for (int i = 0; i < st->nhosts && !p->ended; i++) {
        if (!st->hosts[i])
            continue;
        probe_resolve_start(R, p, &st->rq[i], st->hosts[i], AF_UNSPEC, on_resolved);
    }
}

void probe_pg_release(struct probe *p)
{
    struct pg_state *st = &p->u.pg;
    for (int i = 0; i < PG_MAX_HOSTS; i++) {
        probe_resolve_cancel(&st->rq[i]);
        xfree(st->hosts[i]);
        st->hosts[i] = NULL;
    }
    if (st->fd >= 0) {
        loop_del_fd(p->P->L, st->fd);
        st->fd = -1;
    }
    if (st->conn) {
        PQfinish(st->conn);
        st->conn = NULL;
    }
}
