/*
 * router — matching a request's method and raw path against a route table.
 *
 * A route is (method, pattern, handler). A pattern is a path of literal
 * segments and {name} parameters, e.g. "/api/v1/monitors/{id}/pause"; a
 * parameter matches exactly one non-empty segment. The path is split on '/'
 * BEFORE percent-decoding, so "%2F" inside a segment stays inside that
 * segment's value. Every segment is then decoded (query.h: http_unescape) and
 * must be valid UTF-8 without NUL; literals compare with the decoded segment.
 * One trailing slash is ignored ("/api/v1/systems/" = "/api/v1/systems").
 *
 * HEAD matches GET routes. When the path matches some route but not with this
 * method, the answer is ROUTE_METHOD_NOT_ALLOWED with the Allow list.
 *
 * The table is plain data: each entry carries the permission (enum action,
 * auth/roles.h) the caller must hold and flags, and the server checks them
 * in one place (http/auth_policy.h: auth_route_check) before any handler
 * runs. Deny by default: an entry without ROUTE_PUBLIC needs an
 * authenticated principal whose roles grant act. This module knows nothing
 * of HTTP libraries, the store or the engine.
 *
 * Ownership: a route_match owns its decoded parameter values; release it with
 * route_match_release (which leaves it zeroed, reusable). ROUTE_MATCH_INIT is
 * a valid empty match.
 */
#ifndef YW_HTTP_ROUTER_H
#define YW_HTTP_ROUTER_H

#include <stddef.h>

#include "auth/roles.h"

struct http_req;
struct http_resp;

/* A handler fills the response; it never fails in another way. */
typedef void (*route_fn)(const struct http_req *rq, struct http_resp *rs);

/* Route flags. */
enum {
    /* No principal needed (act is then ignored). Only /healthz, the heartbeat
     * push, the login POST and the first-administrator setup are public; a
     * test checks that no other route is. */
    ROUTE_PUBLIC = 1u << 0,
    /* Usable by a session whose password must be changed first (first login,
     * admin reset, expired password): whoami, logout, password change. */
    ROUTE_PWCHANGE = 1u << 1,
    /* Usable by an administrator's session that must enrol a second factor
     * first: whoami, logout, password change, TOTP enrolment. */
    ROUTE_ENROL = 1u << 2,
    /* Each request is charged to the per-address rate limit (login, setup,
     * password change, token creation): past the policy's rate_per_minute
     * the answer is 429 with Retry-After. */
    ROUTE_RATE = 1u << 3,
    /* A state-changing route whose success is NOT an audited change (the
     * heartbeat push: machine data like probe results, not a change of any
     * object). Every other POST/PUT/PATCH/DELETE that succeeds is audited:
     * by the handler calling api_audit, or else by the server. */
    ROUTE_NO_AUDIT = 1u << 4,
    /* Not a person's activity (the console's live stream, which reconnects
     * on its own): a session used here is not kept from idling out. A
     * request may say the same of itself with the header
     * "X-Yunwei-Background: 1" (the console's timed refreshes). */
    ROUTE_BACKGROUND = 1u << 5,
};

/* Write every field of an entry (-Wextra warns about missing ones):
 * {"GET", "/api/v1/users", api_users_list, ACT_ORG_READ, 0, NULL, NULL}. */
struct route {
    const char *method;   /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *pattern;  /* "/api/v1/monitors/{id}" */
    route_fn fn;
    enum action act;      /* what the caller's roles must grant */
    unsigned flags;       /* ROUTE_* */
    /* For the server's own audit record of a successful change (when the
     * handler did not call api_audit): the action ("monitor.update"; its
     * part before '.' names the object kind, "monitor:7"); NULL = derived
     * from method and pattern ("put /api/v1/users/{id}"). */
    const char *audit;
    /* The object's GET handler, run with the same path parameters before the
     * change so that the audit record holds the "before" answer (PUT,
     * DELETE, pause…); NULL = no before image. */
    route_fn read;
};

#define ROUTE_PARAMS_MAX 4
#define ROUTE_SEGMENTS_MAX 16
#define ROUTE_PATH_MAX 4096   /* longer raw paths never match */

struct route_param {
    char name[32];
    char *value;          /* decoded, NUL-terminated, owned */
};

struct route_match {
    const struct route *route;                 /* set when ROUTE_OK */
    struct route_param params[ROUTE_PARAMS_MAX];
    size_t nparams;
    char allow[64];                            /* ROUTE_METHOD_NOT_ALLOWED: "GET, HEAD, PUT" */
};

#define ROUTE_MATCH_INIT {0}

enum route_status {
    ROUTE_OK,
    ROUTE_NOT_FOUND,
    ROUTE_METHOD_NOT_ALLOWED,
    ROUTE_BAD_PATH,       /* bad percent-encoding, NUL or invalid UTF-8 in a segment */
};

/* Finds the first route of table[0..n) matching method and path (raw,
 * percent-encoded, without the query string). On ROUTE_OK fills m->route and
 * the parameters; on ROUTE_METHOD_NOT_ALLOWED fills m->allow; otherwise m is
 * left empty. m must be empty (ROUTE_MATCH_INIT or released) on entry. */
enum route_status router_match(const struct route *table, size_t n, const char *method,
                               const char *path, struct route_match *m);

/* Several tables searched as one, in order (the server's own routes, then
 * the administration routes): the first table with a route for method and
 * path wins; when none has one but some table matched the path, the answer
 * is ROUTE_METHOD_NOT_ALLOWED with the methods of all of them in allow. */
struct route_table {
    const struct route *routes;
    size_t n;
};
enum route_status router_match_tables(const struct route_table *tables, size_t ntables,
                                      const char *method, const char *path,
                                      struct route_match *m);

/* The decoded value of parameter name, or NULL if the route has none. */
const char *route_param(const struct route_match *m, const char *name);

void route_match_release(struct route_match *m);

#endif
