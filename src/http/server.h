/*
 * server — the HTTP server (libmicrohttpd, its own thread pool) serving the
 * JSON API under /api/v1/, /healthz and /metrics.
 *
 * Every request is parsed at the edge: path parameters, query strings and
 * JSON bodies become checked values before any handler logic (body limit
 * 1 MiB, request line and headers within 32 KiB). Every route is checked in
 * one place before its handler (router.h, http/auth_policy.h): without a
 * session or API token the answer is 401, without the permission 403 (and an
 * audit record); every successful change is audited, and a change whose
 * audit record could not be written is answered 503. Every answer carries
 * the security headers (CSP, frame denial, nosniff, no referrer, no-store,
 * HSTS under TLS). Errors are {"error":{"code":"...","message":"...","field":"..."}}
 * with the matching status. Times in answers are RFC 3339 with offset in the
 * display zone.
 */
#ifndef YW_HTTP_SERVER_H
#define YW_HTTP_SERVER_H

#include "core/err.h"
#include "sched/engine.h"
#include "store/store.h"

struct http_server;
struct calendar;
struct desk;
struct notifier;
struct web_hub;

/* How to serve. HTTP_OPTS_INIT (or a NULL pointer) is plain HTTP. */
struct http_opts {
    /* HTTPS: both PEM files (certificate chain, private key), read once at
     * start (at most 1 MiB each); the key stays in memory only while the
     * server runs. Both or neither. */
    const char *tls_cert;
    const char *tls_key;
    /* What the incident desk's routes answer from (http/api_ops.h), not
     * owned: the working-day calendar (cal/cal.h), the desk (desk/desk.h),
     * notifications (notify/notify.h). NULL: their routes answer 503. */
    struct calendar *cal;
    struct desk *desk;
    struct notifier *notify;
};
#define HTTP_OPTS_INIT {NULL, NULL, NULL, NULL, NULL}

/* listen is "ADDR:PORT" (e.g. "127.0.0.1:8080"; port 0 picks a free one).
 * NULL with err if it cannot bind, a TLS file cannot be read, or this
 * libmicrohttpd was built without TLS. */
struct http_server *http_start(const char *listen, struct store *S, struct engine *E,
                               const struct http_opts *opts, struct yw_err *err);
/* The port actually bound. */
int http_port(const struct http_server *H);
/* The console's live-update hub (web/stream.h), for whoever publishes on
 * it (the incident desk); NULL when the console is not linked. */
struct web_hub *http_hub(const struct http_server *H);
/* Hands the incident desk and the notifier to the routes once they run
 * (serve starts them after the server, which gives them its port). */
void http_set_ops(struct http_server *H, struct desk *desk, struct notifier *N);
void http_stop(struct http_server *H);

#endif
