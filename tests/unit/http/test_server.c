/* Unit tests of the server's libmicrohttpd side (server.c) on 127.0.0.1:
 * binding, routing through the real table, path and query decoding, body
 * limits, error answers and headers. The API handlers are replaced by stubs
 * that echo what they were given, so no store or engine is needed. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/mem.h"
#include "http/api.h"
#include "http/server.h"
#include "t.h"
#include "thelp.h"

/* ---- the client: every request authenticated with a Bearer token unless
 * told otherwise ------------------------------------------------------------------ */

static int port;
static struct store *store;
static char *base_url;
static char token[64];
static const char *expect_hdr = NULL; /* by default: send bodies at once */

/* body NULL: no body. chunked: send it with Transfer-Encoding: chunked. */
static struct answer request(const char *method, const char *path, const char *body, size_t len,
                             bool chunked)
{
    struct treq r = {.method = method, .path = path, .body = body, .len = len,
                     .chunked = chunked, .bearer = token, .expect = expect_hdr};
    return tc_do(base_url, &r);
}

static void answer_free(struct answer *a)
{
    tc_free(a);
}

static json_t *json_of(const struct answer *a)
{
    return tc_json(a);
}

static const char *str_at(json_t *j, const char *k1, const char *k2)
{
    return tc_str(j, k1, k2);
}

static bool has_header(const struct answer *a, const char *line)
{
    return tc_has_header(a, line);
}

/* Every answer, errors included, carries the security headers. */
static bool secure_headers(const struct answer *a)
{
    return has_header(a, "Content-Security-Policy: default-src 'self'; script-src 'self'; "
                         "style-src 'self'; img-src 'self' data:; object-src 'none'; "
                         "base-uri 'none'; frame-ancestors 'none'; form-action 'self'") &&
           has_header(a, "X-Frame-Options: DENY") &&
           has_header(a, "X-Content-Type-Options: nosniff") &&
           has_header(a, "Referrer-Policy: no-referrer") &&
           has_header(a, "Cache-Control: no-store");
}

/* ---- tests ------------------------------------------------------------------------ */

TEST(routes_params_and_query_are_decoded)
{
    struct answer a = request("GET", "/api/v1/monitors/a%2Fb?q=x+y%2Bz&system=%E9%97%A8&flag",
                              NULL, 0, false);
    CHECK_INT(a.status, 200);
    json_t *j = json_of(&a);
    CHECK_STR(str_at(j, "route", NULL), "/api/v1/monitors/{id}");
    CHECK_STR(str_at(j, "params", "id"), "a/b");
    CHECK_STR(str_at(j, "query", "q"), "x y+z");
    CHECK_STR(str_at(j, "query", "system"), "门");
    CHECK_STR(str_at(j, "query", "flag"), "");
    CHECK(has_header(&a, "Content-Type: application/json; charset=utf-8"));
    CHECK(secure_headers(&a));
    CHECK(!has_header(&a, "Strict-Transport-Security")); /* plain HTTP: no HSTS */
    json_decref(j);
    answer_free(&a);
}

TEST(unknown_route_is_404_json)
{
    struct answer a = request("GET", "/api/v1/nothing", NULL, 0, false);
    CHECK_INT(a.status, 404);
    json_t *j = json_of(&a);
    CHECK_STR(str_at(j, "error", "code"), "not_found");
    CHECK(str_at(j, "error", "message") != NULL);
    json_decref(j);
    answer_free(&a);

    a = request("GET", "/", NULL, 0, false);
    CHECK_INT(a.status, 404);
    answer_free(&a);
}

TEST(wrong_method_is_405_with_allow)
{
    struct answer a = request("PATCH", "/api/v1/monitors/7", NULL, 0, false);
    CHECK_INT(a.status, 405);
    CHECK(has_header(&a, "Allow: GET, HEAD, PUT, DELETE"));
    json_t *j = json_of(&a);
    CHECK_STR(str_at(j, "error", "code"), "method_not_allowed");
    json_decref(j);
    answer_free(&a);

    a = request("DELETE", "/api/v1/push/abcdefghijklmnopq", NULL, 0, false);
    CHECK_INT(a.status, 405);
    CHECK(has_header(&a, "Allow: GET, HEAD, POST"));
    answer_free(&a);
}

TEST(bad_path_and_bad_query_are_400)
{
    struct answer a = request("GET", "/api/v1/monitors/%FF", NULL, 0, false);
    CHECK_INT(a.status, 400);
    json_t *j = json_of(&a);
    CHECK_STR(str_at(j, "error", "code"), "invalid");
    json_decref(j);
    answer_free(&a);

    a = request("GET", "/api/v1/monitors?q=1&q=2", NULL, 0, false);
    CHECK_INT(a.status, 400);
    j = json_of(&a);
    CHECK_STR(str_at(j, "error", "field"), "q");
    json_decref(j);
    answer_free(&a);

    a = request("GET", "/api/v1/monitors/1/results?limit=0", NULL, 0, false);
    CHECK_INT(a.status, 400);
    j = json_of(&a);
    CHECK_STR(str_at(j, "error", "field"), "limit");
    CHECK_STR(str_at(j, "error", "message"), "limit: must be an integer from 1 to 1000");
    json_decref(j);
    answer_free(&a);

    a = request("GET", "/api/v1/monitors/1/results?limit=1000", NULL, 0, false);
    CHECK_INT(a.status, 200);
    answer_free(&a);
}

TEST(bodies_up_to_the_limit)
{
    size_t n = HTTP_BODY_MAX;
    char *body = xmalloc(n + 2);
    memset(body, 'x', n + 1);
    body[n + 1] = '\0';

    struct answer a = request("PUT", "/api/v1/systems/1", body, n, false);
    CHECK_INT(a.status, 200);
    json_t *j = json_of(&a);
    CHECK_INT(json_integer_value(json_object_get(j, "body_len")), n);
    CHECK(json_is_true(json_object_get(j, "body_nul")));
    json_decref(j);
    answer_free(&a);

    body[n] = '\0'; /* chunked sends strlen(body) bytes */
    a = request("PUT", "/api/v1/systems/1", body, n, true);
    CHECK_INT(a.status, 200);
    j = json_of(&a);
    CHECK_INT(json_integer_value(json_object_get(j, "body_len")), n);
    json_decref(j);
    answer_free(&a);
    body[n] = 'x';

    /* one byte over: refused from Content-Length before reading */
    a = request("PUT", "/api/v1/systems/1", body, n + 1, false);
    CHECK_INT(a.status, 413);
    j = json_of(&a);
    CHECK_STR(str_at(j, "error", "code"), "too_large");
    json_decref(j);
    answer_free(&a);

    /* one byte over, chunked: read, dropped, refused */
    a = request("PUT", "/api/v1/systems/1", body, n + 1, true);
    CHECK_INT(a.status, 413);
    answer_free(&a);

    /* a client that waits for 100 Continue is refused before sending */
    expect_hdr = "Expect: 100-continue";
    a = request("PUT", "/api/v1/systems/1", body, n + 1, false);
    CHECK_INT(a.status, 413);
    answer_free(&a);
    a = request("PUT", "/api/v1/systems/1", body, 10, false);
    CHECK_INT(a.status, 200);
    answer_free(&a);
    expect_hdr = NULL;
    xfree(body);

    /* the server still answers normally afterwards */
    a = request("GET", "/api/v1/systems", NULL, 0, false);
    CHECK_INT(a.status, 200);
    answer_free(&a);
}

TEST(created_and_no_content)
{
    const char *body = "{\"name\":\"portal\",\"title\":\"数据资源门户\"}";
    struct answer a = request("POST", "/api/v1/systems", body, strlen(body), false);
    CHECK_INT(a.status, 201);
    CHECK(has_header(&a, "Location: /api/v1/systems/1"));
    json_t *j = json_of(&a);
    CHECK_STR(str_at(j, "title", NULL), "数据资源门户");
    json_decref(j);
    answer_free(&a);

    a = request("POST", "/api/v1/systems", "[1]", 3, false);
    CHECK_INT(a.status, 400);
    j = json_of(&a);
    CHECK_STR(str_at(j, "error", "field"), "body");
    json_decref(j);
    answer_free(&a);

    a = request("DELETE", "/api/v1/systems/3", NULL, 0, false);
    CHECK_INT(a.status, 204);
    CHECK_INT(a.len, 0);
    answer_free(&a);
}

TEST(head_and_metrics)
{
    struct answer a = request("HEAD", "/api/v1/monitors", NULL, 0, false);
    CHECK_INT(a.status, 200);
    CHECK_INT(a.len, 0);
    answer_free(&a);

    a = request("GET", "/metrics", NULL, 0, false);
    CHECK_INT(a.status, 200);
    CHECK(has_header(&a, "Content-Type: text/plain; version=0.0.4; charset=utf-8"));
    CHECK_STR(a.body, "up 1\n");
    answer_free(&a);
}

TEST(push_accepts_get_and_post)
{
    struct answer a = request("GET", "/api/v1/push/abcdefghijklmnop?status=down", NULL, 0, false);
    CHECK_INT(a.status, 200);
    json_t *j = json_of(&a);
    CHECK_STR(str_at(j, "params", "token"), "abcdefghijklmnop");
    json_decref(j);
    answer_free(&a);
    a = request("POST", "/api/v1/push/abcdefghijklmnop", "status=up", 9, false);
    CHECK_INT(a.status, 200);
    answer_free(&a);
}

TEST(listen_addresses)
{
    struct yw_err err = YW_ERR_INIT;
    const char *bad[] = {"127.0.0.1", "127.0.0.1:", "127.0.0.1:99999", "127.0.0.1:8x",
                         "::1:80",    "[::1]80",    "[::1",            "999.1.1.1:80",
                         "host.example:80"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = (struct yw_err)YW_ERR_INIT;
        CHECK(http_start(bad[i], NULL, NULL, NULL, &err) == NULL);
        CHECK_INT(err.code, YW_EINVAL);
    }

    /* the port in use gives an I/O error naming the address */
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    err = (struct yw_err)YW_ERR_INIT;
    CHECK(http_start(addr, NULL, NULL, NULL, &err) == NULL);
    CHECK_INT(err.code, YW_EIO);
    CHECK(strstr(err.msg, addr) != NULL);

    /* IPv6 loopback: the test rules allow binding 127.0.0.1 only, so this
     * runs on request (YW_TEST_IPV6=1), where the machine has [::1]. */
    const char *v6 = getenv("YW_TEST_IPV6");
    if (v6 && strcmp(v6, "1") == 0) {
        struct http_server *H6 = http_start("[::1]:0", store, NULL, NULL, &err);
        CHECK(H6 != NULL);
        if (H6) {
            CHECK(http_port(H6) > 0);
            char *saved = base_url;
            base_url = xasprintf("http://[::1]:%d", http_port(H6));
            struct answer a = request("GET", "/api/v1/nothing", NULL, 0, false);
            CHECK_INT(a.status, 404);
            answer_free(&a);
            xfree(base_url);
            base_url = saved;
            http_stop(H6);
        }
    }
}

TEST(stop_closes_the_listener)
{
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", store, NULL, NULL, &err);
    CHECK(H != NULL);
    if (!H)
        return;
    int p = http_port(H);
    http_stop(H);
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)p)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(s, (struct sockaddr *)&sa, sizeof sa) != 0);
    CHECK_INT(errno, ECONNREFUSED);
    close(s);
    http_stop(NULL); /* a no-op */
}

TEST(errors_carry_the_security_headers)
{
    struct answer a = request("GET", "/api/v1/nothing", NULL, 0, false);
    CHECK_INT(a.status, 404);
    CHECK(secure_headers(&a));
    answer_free(&a);
    a = request("PATCH", "/api/v1/monitors/7", NULL, 0, false);
    CHECK_INT(a.status, 405);
    CHECK(secure_headers(&a));
    answer_free(&a);
    expect_hdr = "Expect: 100-continue";
    char *big = xmalloc(HTTP_BODY_MAX + 2);
    memset(big, 'x', HTTP_BODY_MAX + 1);
    big[HTTP_BODY_MAX + 1] = '\0';
    a = request("PUT", "/api/v1/systems/1", big, HTTP_BODY_MAX + 1, false);
    CHECK_INT(a.status, 413);
    CHECK(secure_headers(&a));
    answer_free(&a);
    xfree(big);
    expect_hdr = NULL;
    /* anonymous: 401 with the headers and a Bearer challenge */
    struct treq r = {.method = "GET", .path = "/api/v1/monitors"};
    a = tc_do(base_url, &r);
    CHECK_INT(a.status, 401);
    CHECK(secure_headers(&a));
    CHECK(has_header(&a, "WWW-Authenticate: Bearer"));
    json_t *j = json_of(&a);
    CHECK_STR(str_at(j, "error", "code"), "unauthorized");
    json_decref(j);
    answer_free(&a);
}

TEST(only_the_public_routes_answer_anonymously)
{
    struct treq r = {.method = "GET", .path = "/healthz"};
    struct answer a = tc_do(base_url, &r);
    CHECK_INT(a.status, 200);
    answer_free(&a);
    r.path = "/api/v1/push/abcdefghijklmnop";
    a = tc_do(base_url, &r);
    CHECK_INT(a.status, 200);
    answer_free(&a);
    const char *closed[][2] = {
        {"GET", "/metrics"},           {"GET", "/api/v1/systems"},
        {"POST", "/api/v1/systems"},   {"DELETE", "/api/v1/systems/1"},
        {"GET", "/api/v1/events"},     {"POST", "/api/v1/monitors/1/pause"},
        {"GET", "/api/v1/session"},    {"DELETE", "/api/v1/session"},
        {"GET", "/api/v1/sessions"},   {"POST", "/api/v1/session/password"},
    };
    for (size_t i = 0; i < sizeof closed / sizeof closed[0]; i++) {
        r = (struct treq){.method = closed[i][0], .path = closed[i][1], .body = "{}"};
        a = tc_do(base_url, &r);
        if (a.status != 401)
            printf("#   %s %s -> %ld\n", closed[i][0], closed[i][1], a.status);
        CHECK_INT(a.status, 401);
        answer_free(&a);
    }
}

TEST(header_size_is_capped)
{
    /* A Cookie header of 40 KiB: past the connection's 32 KiB. */
    size_t n = 40 * 1024;
    char *junk = xmalloc(n + 1);
    memset(junk, 'a', n);
    junk[n] = '\0';
    memcpy(junk, "x=", 2);
    struct treq r = {.method = "GET", .path = "/healthz", .cookie = junk};
    struct answer a = tc_do(base_url, &r);
    if (a.status == 200)
        printf("#   a 40 KiB header was accepted\n");
    CHECK(a.status != 200);
    answer_free(&a);
    xfree(junk);
    /* and the server goes on */
    r = (struct treq){.method = "GET", .path = "/healthz"};
    a = tc_do(base_url, &r);
    CHECK_INT(a.status, 200);
    answer_free(&a);
}

TEST(junk_cookies_and_credentials_are_refused_cleanly)
{
    const char *cookies[] = {"yw_session=", "yw_session=yws_short", ";;;=;=x; yw_session",
                             "yw_session=\"yws_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"",
                             "yw_session=yws_%00aaaaaaaaaaaaaaaaaaaaaaaaa", "\x01\x02=\x03"};
    for (size_t i = 0; i < sizeof cookies / sizeof cookies[0]; i++) {
        struct treq r = {.method = "GET", .path = "/api/v1/monitors", .cookie = cookies[i]};
        struct answer a = tc_do(base_url, &r);
        CHECK_INT(a.status, 401);
        answer_free(&a);
    }
    const char *authz[] = {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ywt_", "Bearer ywt_!!!!",
                           "Bearer ywt_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof authz / sizeof authz[0]; i++) {
        struct treq r = {.method = "GET", .path = "/api/v1/monitors", .authz = authz[i]};
        struct answer a = tc_do(base_url, &r);
        CHECK_INT(a.status, 401);
        answer_free(&a);
    }
}

/* A throw-away self-signed certificate for 127.0.0.1 (EC P-256, valid until
 * 2126), only for this test. */
static const char test_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBkDCCATagAwIBAgIUQpQQr0ARzWDYctOm5y7aNXXgylUwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNjAyMDkzNloYDzIxMjYxMTAy\n"
    "MDIwOTM2WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAATNtuAHNL8Tt2rWAtqgeOn2LyyOfqJphlPzXPdtUBTb7yqVgwc4/u2p\n"
    "S8kPUpXJKczgFBysYdhlQX2+SJsE8axyo2QwYjAdBgNVHQ4EFgQU+IMrfgi3Q5uc\n"
    "JSz9s/yGwRb0bEYwHwYDVR0jBBgwFoAU+IMrfgi3Q5ucJSz9s/yGwRb0bEYwDwYD\n"
    "VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0gAMEUC\n"
    "IF42uk79PELZ0xcSpFcLzAZ9p9f9/oKk9w5PSmX9ev9vAiEAucz+5FrQr0G/735e\n"
    "5XYrc+DiPGO6er3MOLwkPW81swU=\n"
    "-----END CERTIFICATE-----\n";
static const char test_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgZPrmA0vRGbGcSr9W\n"
    "he7rUjmJtRcs+wJYDh+MRfxkLMOhRANCAATNtuAHNL8Tt2rWAtqgeOn2LyyOfqJp\n"
    "hlPzXPdtUBTb7yqVgwc4/u2pS8kPUpXJKczgFBysYdhlQX2+SJsE8axy\n"
    "-----END PRIVATE KEY-----\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

TEST(https_with_hsts)
{
    struct yw_err err = YW_ERR_INIT;
    char cert[64], key[64];
    snprintf(cert, sizeof cert, "/tmp/yw-test-cert-%d.pem", (int)getpid());
    snprintf(key, sizeof key, "/tmp/yw-test-key-%d.pem", (int)getpid());
    write_file(cert, test_cert);
    write_file(key, test_key);

    /* half a pair, a missing file, a file that is not PEM */
    struct http_opts o = {.tls_cert = cert};
    CHECK(http_start("127.0.0.1:0", store, NULL, &o, &err) == NULL);
    CHECK_INT(err.code, YW_EINVAL);
    o = (struct http_opts){.tls_cert = cert, .tls_key = "/nonexistent/key.pem"};
    CHECK(http_start("127.0.0.1:0", store, NULL, &o, &err) == NULL);
    CHECK(strstr(err.msg, "/nonexistent/key.pem") != NULL);
    o = (struct http_opts){.tls_cert = cert, .tls_key = "/etc/hostname"};
    CHECK(http_start("127.0.0.1:0", store, NULL, &o, &err) == NULL);

    o = (struct http_opts){.tls_cert = cert, .tls_key = key};
    struct http_server *H = http_start("127.0.0.1:0", store, NULL, &o, &err);
    CHECK(H != NULL);
    if (!H) {
        printf("#   %s\n", err.msg);
        goto out;
    }
    char *base = xasprintf("https://127.0.0.1:%d", http_port(H));
    struct treq r = {.method = "GET", .path = "/api/v1/monitors", .bearer = token, .tls = true};
    struct answer a = tc_do(base, &r);
    CHECK_INT(a.status, 200);
    CHECK(secure_headers(&a));
    CHECK(has_header(&a, "Strict-Transport-Security: max-age=31536000"));
    answer_free(&a);
    r = (struct treq){.method = "GET", .path = "/nothing", .tls = true};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 404);
    CHECK(has_header(&a, "Strict-Transport-Security: max-age="));
    answer_free(&a);
    /* the session cookie is Secure under TLS */
    r = (struct treq){.method = "POST", .path = "/api/v1/session", .tls = true,
                      .body = "{\"user\":\"tls.user\",\"password\":\"Tls-Password-1\"}"};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 200);
    CHECK(has_header(&a, "; Path=/; HttpOnly; SameSite=Strict; Secure"));
    answer_free(&a);
    /* plain HTTP to the TLS port gets no answer */
    char *plain = xasprintf("http://127.0.0.1:%d", http_port(H));
    r = (struct treq){.method = "GET", .path = "/healthz"};
    a = tc_do(plain, &r);
    CHECK(a.status != 200);
    answer_free(&a);
    xfree(plain);
    xfree(base);
    http_stop(H);
out:
    unlink(cert);
    unlink(key);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char dir[64];
    store = ts_open(dir, sizeof dir);
    ts_policy(store, 1000);
    /* Every role but the administrators, and the one administrator role
     * that may change monitors: together they reach every route stubbed here. */
    roleset rs = (1u << ROLE_ASSESSOR) | (1u << ROLE_MANAGER) | (1u << ROLE_ENGINEER) |
                 (1u << ROLE_VIEWER) | (1u << ROLE_SYSADMIN);
    int64_t uid = ts_user(store, "tester", NULL, rs);
    ts_token(store, uid, rs, 0, token);
    ts_user(store, "tls.user", "Tls-Password-1", 1u << ROLE_VIEWER);

    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", store, NULL, NULL, &err);
    if (!H) {
        printf("Bail out! http_start: %s\n", err.msg);
        return 1;
    }
    port = http_port(H);
    base_url = xasprintf("http://127.0.0.1:%d", port);

    RUN(routes_params_and_query_are_decoded);
    RUN(unknown_route_is_404_json);
    RUN(wrong_method_is_405_with_allow);
    RUN(bad_path_and_bad_query_are_400);
    RUN(bodies_up_to_the_limit);
    RUN(created_and_no_content);
    RUN(head_and_metrics);
    RUN(push_accepts_get_and_post);
    RUN(listen_addresses);
    RUN(stop_closes_the_listener);
    RUN(errors_carry_the_security_headers);
    RUN(only_the_public_routes_answer_anonymously);
    RUN(header_size_is_capped);
    RUN(junk_cookies_and_credentials_are_refused_cleanly);
    RUN(https_with_hsts);

    http_stop(H);
    xfree(base_url);
    ts_close(store, dir);
    curl_global_cleanup();
    return t_done();
}
