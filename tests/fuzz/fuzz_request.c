/*
 * libFuzzer target for what a request brings from outside before any handler
 * logic: the query string (query.c and its readers), the path (router.c),
 * the Cookie and Authorization headers (auth_parse.c) and the JSON body
 * (api_body_object and the security endpoints' body parsers).
 *
 * Input: QUERY \0 PATH \0 COOKIE-OR-AUTHORIZATION \0 BODY — missing parts are
 * empty. Checks that nothing crashes, leaks or reads out of bounds, that
 * every parser's output stays within its stated limits, and that masking
 * leaves no secret-named string value unmasked.
 */
#include <assert.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/api.h"
#include "http/auth_parse.h"
#include "http/query.h"
#include "http/router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next NUL-separated part of [*p, end) as a fresh NUL-terminated copy. */
static char *part(const uint8_t **p, const uint8_t *end, size_t *len)
{
    const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
    size_t n = nul ? (size_t)(nul - *p) : (size_t)(end - *p);
    char *s = xmalloc(n + 1);
    memcpy(s, *p, n);
    s[n] = '\0';
    *p = nul ? nul + 1 : end;
    *len = n;
    return s;
}

static void nop(const struct http_req *rq, struct http_resp *rs)
{
    (void)rq, (void)rs;
}

static const struct route table_a[] = {
    {"GET", "/api/v1/monitors/{id}", nop, ACT_OPS_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/monitors/{id}", nop, ACT_MONITOR_WRITE, 0, NULL, NULL},
    {"POST", "/api/v1/monitors/{id}/pause", nop, ACT_MONITOR_OPERATE, 0, NULL, NULL},
    {"DELETE", "/api/v1/sessions/{id}", nop, ACT_SELF, 0, NULL, NULL},
};
static const struct route table_b[] = {
    {"GET", "/api/v1/push/{token}", nop, ACT_OPS_READ, ROUTE_PUBLIC, NULL, NULL},
    {"PUT", "/api/v1/users/{id}/roles", nop, ACT_ROLE_GRANT, 0, NULL, NULL},
};

static void query_part(const char *s, size_t n)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    (void)query_parse(&q, s, n, &err);
    assert(q.n <= QUERY_PARAMS_MAX);
    for (size_t i = 0; i < q.n; i++) {
        assert(strlen(q.p[i].key) <= QUERY_KEY_MAX);
        assert(strlen(q.p[i].value) <= QUERY_VALUE_MAX);
        assert(http_utf8_valid(q.p[i].value, strlen(q.p[i].value)));
    }
    size_t limit;
    if (query_limit(&q, &limit, &err) == 0)
        assert(limit >= 1 && limit <= QUERY_LIMIT_MAX);
    int64_t id, start;
    (void)query_cursor_id(&q, &id, &err);
    (void)query_cursor_pair(&q, &start, &id, &err);
    ms_t from, to;
    if (query_period(&q, (ms_t)1764115200000, QUERY_PERIOD_MAX, &from, &to, &err) == 0)
        assert(from < to && to - from <= QUERY_PERIOD_MAX);
    query_release(&q);
}

static void path_part(const char *s)
{
    const struct route_table t[] = {{table_a, sizeof table_a / sizeof table_a[0]},
                                    {table_b, sizeof table_b / sizeof table_b[0]}};
    static const char *const methods[] = {"GET", "HEAD", "PUT", "POST", "DELETE"};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        struct route_match m = ROUTE_MATCH_INIT;
        enum route_status st = router_match_tables(t, 2, methods[i], s, &m);
        if (st == ROUTE_OK) {
            assert(m.route);
            for (size_t k = 0; k < m.nparams; k++)
                assert(http_utf8_valid(m.params[k].value, strlen(m.params[k].value)));
        } else {
            assert(!m.route);
        }
        assert(strlen(m.allow) < sizeof m.allow);
        route_match_release(&m);
    }
}

static void header_part(const char *s)
{
    char v[COOKIE_VALUE_MAX + 1];
    if (cookie_get(s, AUTH_COOKIE_NAME, v, sizeof v) == 1)
        assert(strlen(v) <= COOKIE_VALUE_MAX && !strpbrk(v, " ;,\"\\"));
    char tiny[4];
    if (cookie_get(s, "a", tiny, sizeof tiny) == 1)
        assert(strlen(tiny) < sizeof tiny);
    char t[AUTH_TOKEN_MAX + 1];
    int b = auth_bearer_parse(s, t, sizeof t);
    if (b == 1)
        assert(strlen(t) >= 1 && strlen(t) <= AUTH_TOKEN_MAX);
    (void)auth_token_well_formed(s, "ywt_");
    (void)auth_token_well_formed(v, "yws_");
    (void)auth_session_pubid_valid(s);
}

static void no_secret_left(json_t *j)
{
    static const char *const names[] = {"password", "token", "secret", "csrf", "new", "old"};
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) no_secret_left(v);
    }
    if (!json_is_object(j))
        return;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        json_t *v = json_object_get(j, names[i]);
        assert(!v || json_is_null(v) || json_is_boolean(v) ||
               (json_is_string(v) && strcmp(json_string_value(v), "***") == 0));
    }
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v) no_secret_left(v);
}

static void body_part(const char *s, size_t n)
{
    struct http_req rq = {.method = "POST", .body = s, .body_len = n};
    struct yw_err err = YW_ERR_INIT;
    json_t *j = api_body_object(&rq, &err);
    if (!j) {
        assert(strcmp(err.field, "body") == 0);
        struct http_resp rs = {0};
        resp_err(&rs, &err); /* the message quotes input: must still encode */
        assert(rs.status == 400 && rs.body);
        resp_release(&rs);
        return;
    }
    struct auth_login_body lb;
    if (auth_login_body_parse(j, &lb, &err) == 0)
        assert(lb.user[0] && strlen(lb.user) <= AUTH_USER_MAX &&
               strlen(lb.password) <= PASSWORD_MAX);
    struct auth_password_body pb;
    (void)auth_password_body_parse(j, &pb, &err);
    struct auth_code_body cb;
    (void)auth_code_body_parse(j, &cb, &err);
    struct auth_setup_body sb;
    (void)auth_setup_body_parse(j, &sb, &err);
    struct http_resp rs = {0};
    resp_err(&rs, &err);
    resp_release(&rs);
    api_mask_secrets(j);
    no_secret_left(j);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *p = data, *end = data + size;
    size_t qn, pn, hn, bn;
    char *query = part(&p, end, &qn);
    char *path = part(&p, end, &pn);
    char *hdr = part(&p, end, &hn);
    /* the body is the rest, NULs included (the server keeps them) */
    size_t rest = (size_t)(end - p);
    char *body = xmalloc(rest + 1);
    memcpy(body, p, rest);
    body[rest] = '\0';
    bn = rest;

    query_part(query, qn);
    path_part(path);
    header_part(hdr);
    body_part(body, bn);

    xfree(query);
    xfree(path);
    xfree(hdr);
    xfree(body);
    return 0;
}
