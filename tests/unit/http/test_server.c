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

/* ---- stub handlers ------------------------------------------------------------ */

static void echo(const struct http_req *rq, struct http_resp *rs)
{
    json_t *j = json_object();
    json_object_set_new(j, "route", json_string(rq->match->route->pattern));
    json_object_set_new(j, "method", json_string(rq->method));
    json_t *params = json_object();
    for (size_t i = 0; i < rq->match->nparams; i++)
        json_object_set_new(params, rq->match->params[i].name,
                            json_string(rq->match->params[i].value));
    json_object_set_new(j, "params", params);
    json_t *q = json_object();
    for (size_t i = 0; i < rq->query->n; i++)
        json_object_set_new(q, rq->query->p[i].key, json_string(rq->query->p[i].value));
    json_object_set_new(j, "query", q);
    json_object_set_new(j, "body_len", json_integer((json_int_t)rq->body_len));
    json_object_set_new(j, "body_nul", json_boolean(rq->body[rq->body_len] == '\0'));
    resp_json(rs, 200, j);
}

static void created(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *j = api_body_object(rq, &err);
    if (!j) {
        resp_err(rs, &err);
        return;
    }
    resp_json(rs, 201, j);
    snprintf(rs->location, sizeof rs->location, "/api/v1/systems/1");
}

static void gone(const struct http_req *rq, struct http_resp *rs)
{
    (void)rq;
    resp_no_content(rs);
}

static void limited(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    size_t limit;
    if (query_limit(rq->query, &limit, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    resp_json(rs, 200, json_pack("{s:i}", "limit", (int)limit));
}

static void metrics(const struct http_req *rq, struct http_resp *rs)
{
    (void)rq;
    resp_text(rs, 200, CT_PROMETHEUS, "up 1\n", 5);
}

#define STUB(name, fn) \
    void name(const struct http_req *rq, struct http_resp *rs) { fn(rq, rs); }
STUB(api_healthz, echo)
STUB(api_metrics, metrics)
STUB(api_systems_list, echo)
STUB(api_systems_create, created)
STUB(api_systems_get, echo)
STUB(api_systems_update, echo)
STUB(api_systems_delete, gone)
STUB(api_systems_avail, echo)
STUB(api_monitors_list, echo)
STUB(api_monitors_create, echo)
STUB(api_monitors_get, echo)
STUB(api_monitors_update, echo)
STUB(api_monitors_delete, gone)
STUB(api_monitors_pause, echo)
STUB(api_monitors_resume, echo)
STUB(api_monitors_avail, echo)
STUB(api_results_list, limited)
STUB(api_monitor_events, echo)
STUB(api_events_list, echo)
STUB(api_maint_list, echo)
STUB(api_maint_create, echo)
STUB(api_maint_get, echo)
STUB(api_maint_update, echo)
STUB(api_maint_delete, gone)
STUB(api_push, echo)

/* ---- a small client ------------------------------------------------------------- */

struct answer {
    long status;
    char *body;
    size_t len;
    char headers[2048];
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    a->body = xrealloc(a->body, a->len + size * n + 1);
    memcpy(a->body + a->len, p, size * n);
    a->len += size * n;
    a->body[a->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    size_t have = strlen(a->headers);
    if (have + size * n < sizeof a->headers) {
        memcpy(a->headers + have, p, size * n);
        a->headers[have + size * n] = '\0';
    }
    return size * n;
}

static int port;
static char *base_url;
static const char *expect_hdr = "Expect:"; /* by default: send bodies at once */

/* body NULL: no body. chunked: send it with Transfer-Encoding: chunked. */
static struct answer request(const char *method, const char *path, const char *body, size_t len,
                             bool chunked)
{
    struct answer a = {0};
    CURL *h = curl_easy_init();
    char *url = xasprintf("%s%s", base_url, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    struct curl_slist *hdrs = NULL;
    hdrs = curl_slist_append(hdrs, expect_hdr);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        if (chunked)
            hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
        else
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    xfree(url);
    return a;
}

static void answer_free(struct answer *a)
{
    xfree(a->body);
    a->body = NULL;
}

static json_t *json_of(const struct answer *a)
{
    return a->body ? json_loadb(a->body, a->len, 0, NULL) : NULL;
}

static const char *str_at(json_t *j, const char *k1, const char *k2)
{
    json_t *v = json_object_get(j, k1);
    if (k2)
        v = json_object_get(v, k2);
    return json_string_value(v);
}

static bool has_header(const struct answer *a, const char *line)
{
    return strcasestr(a->headers, line) != NULL;
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
    CHECK(has_header(&a, "Cache-Control: no-store"));
    CHECK(has_header(&a, "X-Content-Type-Options: nosniff"));
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
    expect_hdr = "Expect:";
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
        CHECK(http_start(bad[i], NULL, NULL, &err) == NULL);
        CHECK_INT(err.code, YW_EINVAL);
    }

    /* the port in use gives an I/O error naming the address */
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
    err = (struct yw_err)YW_ERR_INIT;
    CHECK(http_start(addr, NULL, NULL, &err) == NULL);
    CHECK_INT(err.code, YW_EIO);
    CHECK(strstr(err.msg, addr) != NULL);

    /* IPv6 loopback: the test rules allow binding 127.0.0.1 only, so this
     * runs on request (YW_TEST_IPV6=1), where the machine has [::1]. */
    const char *v6 = getenv("YW_TEST_IPV6");
    if (v6 && strcmp(v6, "1") == 0) {
        struct http_server *H6 = http_start("[::1]:0", NULL, NULL, &err);
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
    struct http_server *H = http_start("127.0.0.1:0", NULL, NULL, &err);
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

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", NULL, NULL, &err);
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

    http_stop(H);
    xfree(base_url);
    curl_global_cleanup();
    return t_done();
}
