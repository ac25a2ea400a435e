/*
 * api_web — the web console's routes (docs/console.md), in two tables that
 * the server searches after api_routes and api_admin_routes:
 *
 *   api_web_routes          under /api/v1, need ACT_OPS_READ like the JSON
 *                           they draw:
 *     GET /api/v1/monitors/{id}/chart/latency.svg?from=&to=&lang=&width=&height=
 *     GET /api/v1/monitors/{id}/chart/timeline.svg?from=&to=&lang=&width=&height=
 *     GET /api/v1/systems/{id}/chart/timeline.svg?from=&to=&lang=&width=&height=
 *     GET /api/v1/chart/availability.svg?from=&to=&lang=&width=
 *     GET /api/v1/stream            server-sent events (web/stream.h)
 *   api_web_console_routes  the console's files, public (the page holds no
 *                           data; every datum comes from the authenticated
 *                           API): GET / and any GET path of one to four
 *                           segments. A file of the embedded table
 *                           (web/web.h) is answered with its ETag,
 *                           Cache-Control: no-cache, and 304 when
 *                           If-None-Match matches; any other path is a
 *                           client-side route (/monitors/7) and gets
 *                           index.html — except under a directory of files
 *                           (/app/…, /i18n/…) or a one-segment name with a
 *                           file extension (/favicon.ico), which are 404, so
 *                           that a missing script is an error, not a page.
 *                           The server must not search this table for paths
 *                           under /api (api_web_is_api_path): there an
 *                           unknown path stays 404 and a wrong method 405.
 *
 * Charts: from/to as everywhere (query.h: the last 24 h by default, at most
 * QUERY_PERIOD_MAX), lang zh-CN (default) or en, width/height in pixels
 * within svg.h's limits (400 naming the parameter otherwise). Latency: raw
 * results for periods up to two days, hourly rollups beyond (and raw results
 * for the hour not rolled up yet), min/avg/max per bucket of about 4 pixels.
 * Availability: every system, key tier first, computed as
 * GET /api/v1/systems/{id}/availability does.
 *
 * The stream: at most WEB_STREAMS_MAX at once (503 "unavailable" with
 * Retry-After: 2 past that; a full hub makes its parked streams write, so
 * that clients that left free their places at once); a stream ends after
 * WEB_LIFE_MS, or when the session it was opened with would expire,
 * whichever is first, and the browser reconnects. See web/stream.h for why
 * it parks instead of blocking.
 *
 * Life cycle (server.c): api_web_start before the daemon starts,
 * api_web_shutdown before it stops (no parked stream may remain),
 * api_web_stop after. api_web_stub.c gives empty tables and no-ops for the
 * tests that link the server without the console.
 */
#ifndef YW_HTTP_API_WEB_H
#define YW_HTTP_API_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "http/router.h"

struct api_ctx;
struct engine;
struct http_req;
struct http_resp;

extern const struct route api_web_routes[];
extern const size_t api_web_nroutes;
extern const struct route api_web_console_routes[];
extern const size_t api_web_console_nroutes;

/* Whether a raw request path is the API's: "/api" or under "/api/". */
bool api_web_is_api_path(const char *path);

/* Creates the live-update hub in ctx->hub and hooks it to the engine's
 * state changes (E NULL: a hub that never gets events). */
void api_web_start(struct api_ctx *ctx, struct engine *E);
/* Ends every live stream and wakes the parked ones. Idempotent. */
void api_web_shutdown(struct api_ctx *ctx);
/* After the daemon has stopped (every stream closed): unhooks from E and
 * frees the hub. ctx->hub NULL is a no-op. */
void api_web_stop(struct api_ctx *ctx, struct engine *E);

void api_web_file(const struct http_req *rq, struct http_resp *rs);
void api_web_chart_latency(const struct http_req *rq, struct http_resp *rs);
void api_web_chart_monitor_timeline(const struct http_req *rq, struct http_resp *rs);
void api_web_chart_system_timeline(const struct http_req *rq, struct http_resp *rs);
void api_web_chart_availability(const struct http_req *rq, struct http_resp *rs);
void api_web_stream(const struct http_req *rq, struct http_resp *rs);

#endif
