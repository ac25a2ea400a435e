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
 * The table is plain data so that a later access-control layer can attach a
 * permission to each entry and check it in one place. This module knows
 * nothing of HTTP libraries, the store or the engine.
 *
 * Ownership: a route_match owns its decoded parameter values; release it with
 * route_match_release (which leaves it zeroed, reusable). ROUTE_MATCH_INIT is
 * a valid empty match.
 */
#ifndef YW_HTTP_ROUTER_H
#define YW_HTTP_ROUTER_H

#include <stddef.h>

struct http_req;
struct http_resp;

/* A handler fills the response; it never fails in another way. */
typedef void (*route_fn)(const struct http_req *rq, struct http_resp *rs);

struct route {
    const char *method;   /* "GET", "POST", "PUT", "DELETE" */
    const char *pattern;  /* "/api/v1/monitors/{id}" */
    route_fn fn;
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

/* The decoded value of parameter name, or NULL if the route has none. */
const char *route_param(const struct route_match *m, const char *name);

void route_match_release(struct route_match *m);

#endif
