/*
 * server — the HTTP server (libmicrohttpd, its own thread pool) serving the
 * JSON API under /api/v1/, /healthz and /metrics.
 *
 * Every request is parsed at the edge: path parameters, query strings and
 * JSON bodies become checked values before any handler logic (body limit
 * 1 MiB). Errors are {"error":{"code":"...","message":"...","field":"..."}}
 * with the matching status. Times in answers are RFC 3339 with offset in the
 * display zone.
 */
#ifndef YW_HTTP_SERVER_H
#define YW_HTTP_SERVER_H

#include "core/err.h"
#include "sched/engine.h"
#include "store/store.h"

struct http_server;

/* listen is "ADDR:PORT" (e.g. "127.0.0.1:8080"; port 0 picks a free one).
 * NULL with err if it cannot bind. */
struct http_server *http_start(const char *listen, struct store *S, struct engine *E,
                               struct yw_err *err);
/* The port actually bound. */
int http_port(const struct http_server *H);
void http_stop(struct http_server *H);

#endif
