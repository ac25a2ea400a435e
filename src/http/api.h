/*
 * api — what the API handlers share: the request and response as plain data
 * (no HTTP library type), answer helpers, and the handlers themselves.
 *
 * The server (server.c) turns a libmicrohttpd request into a struct http_req
 * (route matched, caller authenticated and allowed — see router.h and
 * http/auth_policy.h —, query decoded, body complete and within
 * HTTP_BODY_MAX), calls the route's handler, and sends the struct http_resp
 * it filled. A handler never looks at cookies or credentials: rq->who says
 * who is asking, and the route table says what they needed to get here.
 * A handler always fills the response: an object, or an error answer
 * {"error":{"code","message"[,"field"]}} with the matching status.
 *
 * Threads: handlers run on the server's threads, many at once. They use only
 * the store (thread-safe), the engine's thread-safe functions, and the
 * read-only struct api_ctx.
 *
 * Ownership: http_resp.body is malloc'd and owned by the response until the
 * server hands it on; resp_release frees it. The resp_* setters replace any
 * earlier body.
 */
#ifndef YW_HTTP_API_H
#define YW_HTTP_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "auth/principal.h"
#include "core/timeutil.h"
#include "http/query.h"
#include "http/router.h"
#include "store/store.h"

#define HTTP_BODY_MAX (1024 * 1024)   /* request bodies */
#define HTTP_JSON_DEPTH_MAX 32        /* nesting of request JSON */

struct engine;
struct auth_state;
struct http_req_priv;
struct web_hub;
struct calendar;
struct desk;
struct notifier;

struct api_ctx {
    struct store *S;
    struct engine *E;
    ms_t process_start;   /* wall clock, for process_start_time_seconds */
    struct auth_state *auth; /* the security layer's shared state (its own locks) */
    bool tls;             /* served over HTTPS: cookies are Secure */
    struct web_hub *hub;  /* the console's live updates (http/api_web.h); may be NULL */
    struct calendar *cal; /* the working-day calendar (cal/cal.h); may be NULL in tests */
    /* The incident desk (desk/desk.h) and notifications (notify/notify.h):
     * set once right after the server starts (they need its port for
     * their links), so read atomically; NULL until then and in tests. */
    struct desk *_Atomic desk;
    struct notifier *_Atomic notify;
};

struct http_req {
    const struct api_ctx *ctx;
    const char *method;
    const struct route_match *match;
    const struct query *query;
    const char *body;                 /* never NULL; NUL-terminated */
    size_t body_len;
    const char *content_type;         /* may be NULL */
    /* Who is asking; never NULL. user_id 0 = anonymous (public routes
     * only), with source still set. */
    const struct principal *who;
    const char *user_agent;           /* may be NULL */
    const char *if_none_match;        /* If-None-Match header; may be NULL */
    struct http_req_priv *priv;       /* the server's bookkeeping; may be NULL */
};

/* A streamed answer (the console's server-sent events) instead of a body:
 * the server sends the status and headers, then, with chunked encoding,
 * whatever read gives. read runs on a server thread whenever the client can
 * take more and never blocks: it copies at most max bytes to out and
 * returns how many (> 0); or, with nothing to send, calls w->park(w->conn)
 * and returns 0 — the server then leaves the connection aside, holding no
 * thread, until someone calls w->wake(w->conn) (from any thread; once per
 * park, after it) —; or returns -1 to end the answer. close is called once
 * when the answer is over (ended, client gone, server stopping). Every
 * parked stream must be woken before the server stops (api_web_shutdown
 * does it for the console's). */
struct http_waker {
    void (*park)(void *conn);
    void (*wake)(void *conn);
    void *conn;
};
struct http_stream {
    long (*read)(void *arg, char *out, size_t max, const struct http_waker *w);
    void (*close)(void *arg);
    void *arg;
};

struct http_resp {
    int status;
    const char *content_type;         /* static string; NULL when no body */
    char *body;                       /* malloc'd, may be NULL */
    size_t len;
    char allow[64];                   /* Allow header (405), "" = none */
    char location[128];               /* Location header (201), "" = none */
    char set_cookie[256];             /* Set-Cookie header, "" = none */
    int retry_after;                  /* Retry-After seconds (429), 0 = none */
    char etag[48];                    /* ETag header ("\"…\""), "" = none */
    const char *cache_control;        /* static string replacing the default
                                         "no-store" (the console's files:
                                         "no-cache"); NULL = default */
    const char *link;                 /* static Link header (preloads), NULL = none */
    struct http_stream stream;        /* read set: a streamed answer, body unused;
                                         the server takes it (and closes it) */
};

#define CT_JSON "application/json; charset=utf-8"
#define CT_PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

void resp_release(struct http_resp *rs);

/* Answers j (reference stolen) with status. */
void resp_json(struct http_resp *rs, int status, json_t *j);
/* Answers text (copied) with status and content type. */
void resp_text(struct http_resp *rs, int status, const char *content_type, const char *text,
               size_t len);
/* 204, no body. */
void resp_no_content(struct http_resp *rs);
/* {"error":{"code":code,"message":...,"field":field}}; field NULL or "" = none. */
void resp_error(struct http_resp *rs, int status, const char *code, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* The error answer for err, its status from err->code (http_status_of). */
void resp_err(struct http_resp *rs, const struct yw_err *err);
/* As resp_error, with extra's keys (stolen; may be NULL) added to the error
 * object: {"error":{"code":…,"message":…,"locked_until":…}}. */
void resp_error_extra(struct http_resp *rs, int status, const char *code, json_t *extra,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* YW_EINVAL 400, YW_ENOTFOUND 404, YW_ECONFLICT 409, YW_ELIMIT 413,
 * YW_EIO 503, anything else 500. */
int http_status_of(enum yw_errcode code);

/* Deepest nesting of arrays/objects in JSON text s[0..n) (strings skipped). */
int api_json_depth(const char *s, size_t n);
/* The request body as a JSON object (new reference), within
 * HTTP_JSON_DEPTH_MAX, duplicate keys rejected. NULL with err (YW_EINVAL,
 * field "body") otherwise. */
json_t *api_body_object(const struct http_req *rq, struct yw_err *err);
/* Removes the keys an answer adds to the canonical spec (id, created…), so a
 * client can PUT back what it GOT. keys is NULL-terminated. */
void api_strip_keys(json_t *obj, const char *const *keys);

/* A path reference {id or name}: all digits is an id (*id > 0, *name NULL;
 * an id too large for int64 becomes INT64_MAX, which is never found),
 * anything else a name (*id 0). */
void api_ref(const char *seg, int64_t *id, const char **name);

/* RFC 3339 string in the display zone; JSON null for 0 when zero_is_null. */
json_t *api_time(ms_t t, bool zero_is_null);
/* Seconds from ms: an integer when whole, else a real. */
json_t *api_seconds(ms_t ms);
/* JSON string, or null for NULL. */
json_t *api_str(const char *s);

/* {"items": items, "next_cursor": cursor or null}; items stolen. */
json_t *api_list(json_t *items, const char *cursor);

/* Replaces, recursively and in place, the value of every object key that
 * names a secret ("password", "old", "new", "token", "secret", "csrf",
 * "totp", "code", "recovery_code(s)", "push_url", and any key containing
 * "password", "secret" or "token") with "***", so that nothing secret reaches
 * the audit trail even when an answer forgot to mask it. NULL is a no-op. */
void api_mask_secrets(json_t *j);

/* ---- audit (auth_mw.c) ----------------------------------------------------- */
/* Appends one record to the audit trail: now, rq->who's user (NULL when
 * anonymous) and source, action ("user.create"), object ("user:li.lei";
 * may be NULL), before/after (borrowed: the caller keeps its references;
 * NULL = none; copied and masked with api_mask_secrets), result ("ok",
 * "denied", "failed: …").
 * Every successful state-changing request must be audited exactly once: a
 * handler that calls api_audit for its change is not audited again by the
 * server (which otherwise writes a record from the route's audit name).
 * If the append fails the failure is logged and remembered, and the server
 * answers 503 instead of any 2xx the handler gave: a change that is not in
 * the trail is never reported as done. */
void api_audit(const struct http_req *rq, const char *action, const char *object, json_t *before,
               json_t *after, const char *result);

/* ---- the route tables -------------------------------------------------------- */
/* This module's routes with their permissions (auth_routes.c); the
 * administration routes are in http/api_admin.h. The server searches this
 * table first. */
extern const struct route api_routes[];
extern const size_t api_nroutes;

/* ---- objects as answered (api_objects.c) -------------------------------- */
/* The state of system_id from its monitors among mons[0..n) (any system's):
 * its critical monitors, or all of them when none is critical, combined as
 * avail_merge_system does (down > maintenance > no_data/paused > up; no
 * monitor = no_data). *count gets the number of its monitors. */
enum mstate api_system_state(int64_t system_id, const struct monitor_row *mons, size_t n,
                             int *count);
json_t *api_system_json(const struct system_row *r, const struct monitor_row *mons, size_t n);
json_t *api_monitor_json(const struct monitor_row *r);
json_t *api_maint_json(const struct maint_row *r, ms_t now);

/* The object named by the route's {id} parameter (id or name). -1 with err
 * (YW_ENOTFOUND…) as the store gives it. */
int api_find_system(const struct http_req *rq, struct system_row *row, struct yw_err *err);
int api_find_monitor(const struct http_req *rq, struct monitor_row *row, struct yw_err *err);
int api_find_maint(const struct http_req *rq, struct maint_row *row, struct yw_err *err);

/* ---- handlers (api_*.c, metrics.c) --------------------------------------- */
void api_healthz(const struct http_req *rq, struct http_resp *rs);
void api_metrics(const struct http_req *rq, struct http_resp *rs);

void api_systems_list(const struct http_req *rq, struct http_resp *rs);
void api_systems_create(const struct http_req *rq, struct http_resp *rs);
void api_systems_get(const struct http_req *rq, struct http_resp *rs);
void api_systems_update(const struct http_req *rq, struct http_resp *rs);
void api_systems_delete(const struct http_req *rq, struct http_resp *rs);
void api_systems_avail(const struct http_req *rq, struct http_resp *rs);

void api_monitors_list(const struct http_req *rq, struct http_resp *rs);
void api_monitors_create(const struct http_req *rq, struct http_resp *rs);
void api_monitors_get(const struct http_req *rq, struct http_resp *rs);
void api_monitors_update(const struct http_req *rq, struct http_resp *rs);
void api_monitors_delete(const struct http_req *rq, struct http_resp *rs);
void api_monitors_pause(const struct http_req *rq, struct http_resp *rs);
void api_monitors_resume(const struct http_req *rq, struct http_resp *rs);
void api_monitors_avail(const struct http_req *rq, struct http_resp *rs);

void api_results_list(const struct http_req *rq, struct http_resp *rs);
void api_monitor_events(const struct http_req *rq, struct http_resp *rs);
void api_events_list(const struct http_req *rq, struct http_resp *rs);

void api_maint_list(const struct http_req *rq, struct http_resp *rs);
void api_maint_create(const struct http_req *rq, struct http_resp *rs);
void api_maint_get(const struct http_req *rq, struct http_resp *rs);
void api_maint_update(const struct http_req *rq, struct http_resp *rs);
void api_maint_delete(const struct http_req *rq, struct http_resp *rs);

void api_push(const struct http_req *rq, struct http_resp *rs);

/* ---- the caller's own session, password and second factor (auth_session.c) */
void api_session_login(const struct http_req *rq, struct http_resp *rs);
void api_session_logout(const struct http_req *rq, struct http_resp *rs);
void api_session_whoami(const struct http_req *rq, struct http_resp *rs);
void api_session_password(const struct http_req *rq, struct http_resp *rs);
void api_sessions_list(const struct http_req *rq, struct http_resp *rs);
void api_sessions_end(const struct http_req *rq, struct http_resp *rs);
void api_totp_enrol(const struct http_req *rq, struct http_resp *rs);
void api_totp_confirm(const struct http_req *rq, struct http_resp *rs);
void api_setup(const struct http_req *rq, struct http_resp *rs);

#endif
