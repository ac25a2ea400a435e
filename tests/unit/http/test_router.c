/* Unit tests of the HTTP router: pattern matching, parameters, percent-
 * decoding per segment, HEAD, 405 with Allow, bad paths. */
#include <stdlib.h>
#include <string.h>

#include "http/router.h"
#include "t.h"

static void h_a(const struct http_req *rq, struct http_resp *rs) { (void)rq, (void)rs; }
static void h_b(const struct http_req *rq, struct http_resp *rs) { (void)rq, (void)rs; }

static const struct route table[] = {
    {"GET", "/", h_a, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/healthz", h_a, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/monitors", h_a, ACT_OPS_READ, 0, NULL, NULL},
    {"POST", "/api/v1/monitors", h_b, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/monitors/{id}", h_a, ACT_OPS_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/monitors/{id}", h_b, ACT_OPS_READ, 0, NULL, NULL},
    {"DELETE", "/api/v1/monitors/{id}", h_b, ACT_OPS_READ, 0, NULL, NULL},
    {"POST", "/api/v1/monitors/{id}/pause", h_b, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/monitors/{id}/results", h_a, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/a/{x}/b/{y}", h_a, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/push/{token}", h_a, ACT_OPS_READ, 0, NULL, NULL},
    {"POST", "/api/v1/push/{token}", h_b, ACT_OPS_READ, 0, NULL, NULL},
};
#define N (sizeof table / sizeof table[0])

static enum route_status match(const char *method, const char *path, struct route_match *m)
{
    return router_match(table, N, method, path, m);
}

TEST(literal_routes_match)
{
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(match("GET", "/healthz", &m), ROUTE_OK);
    CHECK(m.route == &table[1]);
    CHECK_INT(m.nparams, 0);
    route_match_release(&m);

    CHECK_INT(match("GET", "/", &m), ROUTE_OK);
    CHECK(m.route == &table[0]);
    route_match_release(&m);

    CHECK_INT(match("POST", "/api/v1/monitors", &m), ROUTE_OK);
    CHECK(m.route == &table[3]);
    route_match_release(&m);
}

TEST(parameters_are_captured)
{
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(match("GET", "/api/v1/monitors/42", &m), ROUTE_OK);
    CHECK(m.route == &table[4]);
    CHECK_STR(route_param(&m, "id"), "42");
    CHECK(route_param(&m, "token") == NULL);
    route_match_release(&m);
    CHECK_INT(m.nparams, 0);

    CHECK_INT(match("POST", "/api/v1/monitors/portal-home/pause", &m), ROUTE_OK);
    CHECK(m.route == &table[7]);
    CHECK_STR(route_param(&m, "id"), "portal-home");
    route_match_release(&m);

    CHECK_INT(match("GET", "/api/v1/a/one/b/two", &m), ROUTE_OK);
    CHECK_INT(m.nparams, 2);
    CHECK_STR(route_param(&m, "x"), "one");
    CHECK_STR(route_param(&m, "y"), "two");
    route_match_release(&m);
}

TEST(segments_are_percent_decoded_after_splitting)
{
    struct route_match m = ROUTE_MATCH_INIT;
    /* 数据 in UTF-8 */
    CHECK_INT(match("GET", "/api/v1/monitors/%E6%95%B0%E6%8D%AE", &m), ROUTE_OK);
    CHECK_STR(route_param(&m, "id"), "数据");
    route_match_release(&m);

    /* %2F is part of the segment, not a separator */
    CHECK_INT(match("GET", "/api/v1/monitors/a%2Fb", &m), ROUTE_OK);
    CHECK(m.route == &table[4]);
    CHECK_STR(route_param(&m, "id"), "a/b");
    route_match_release(&m);

    /* literals compare decoded: %61 is 'a' */
    CHECK_INT(match("GET", "/%61pi/v1/monitors", &m), ROUTE_OK);
    CHECK(m.route == &table[2]);
    route_match_release(&m);

    /* '+' is literal in a path */
    CHECK_INT(match("GET", "/api/v1/monitors/a+b", &m), ROUTE_OK);
    CHECK_STR(route_param(&m, "id"), "a+b");
    route_match_release(&m);
}

TEST(bad_encoding_is_a_bad_path)
{
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(match("GET", "/api/v1/monitors/%zz", &m), ROUTE_BAD_PATH);
    CHECK_INT(match("GET", "/api/v1/monitors/%4", &m), ROUTE_BAD_PATH);
    CHECK_INT(match("GET", "/api/v1/monitors/a%", &m), ROUTE_BAD_PATH);
    CHECK_INT(match("GET", "/api/v1/monitors/a%00b", &m), ROUTE_BAD_PATH);
    CHECK_INT(match("GET", "/api/v1/monitors/%FF", &m), ROUTE_BAD_PATH);     /* not UTF-8 */
    CHECK_INT(match("GET", "/api/v1/monitors/%C0%AF", &m), ROUTE_BAD_PATH);  /* overlong */
    CHECK_INT(match("GET", "/api/v1/monitors/%ED%A0%80", &m), ROUTE_BAD_PATH); /* surrogate */
    CHECK(m.route == NULL);
    CHECK_INT(m.nparams, 0);
}

TEST(trailing_slash_and_empty_segments)
{
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(match("GET", "/api/v1/monitors/", &m), ROUTE_OK);
    CHECK(m.route == &table[2]);
    route_match_release(&m);
    CHECK_INT(match("GET", "/api/v1/monitors/7/", &m), ROUTE_OK);
    CHECK_STR(route_param(&m, "id"), "7");
    route_match_release(&m);
    CHECK_INT(match("GET", "/api/v1//monitors", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "/api/v1/monitors//", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "//", &m), ROUTE_OK); /* "/" plus its trailing slash */
    CHECK(m.route == &table[0]);
    route_match_release(&m);
    CHECK_INT(match("GET", "///", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "api/v1/monitors", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "", &m), ROUTE_NOT_FOUND);
}

TEST(unknown_paths_are_not_found)
{
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(match("GET", "/api/v1/nothing", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "/api/v1/monitors/7/results/extra", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "/api/v1", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "/healthzz", &m), ROUTE_NOT_FOUND);
    CHECK_INT(match("GET", "/api/v1/push", &m), ROUTE_NOT_FOUND);
    CHECK(m.route == NULL);
    CHECK_STR(m.allow, "");

    /* more segments than any pattern may have */
    char deep[256] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "/x");
    CHECK_INT(match("GET", deep, &m), ROUTE_NOT_FOUND);

    char *huge = malloc(ROUTE_PATH_MAX + 10);
    huge[0] = '/';
    memset(huge + 1, 'a', ROUTE_PATH_MAX + 5);
    huge[ROUTE_PATH_MAX + 6] = '\0';
    CHECK_INT(match("GET", huge, &m), ROUTE_NOT_FOUND);
    free(huge);
}

TEST(head_matches_get)
{
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(match("HEAD", "/api/v1/monitors/3/results", &m), ROUTE_OK);
    CHECK(m.route == &table[8]);
    CHECK_STR(route_param(&m, "id"), "3");
    route_match_release(&m);
}

TEST(wrong_method_gives_allow_list)
{
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(match("PATCH", "/api/v1/monitors/3", &m), ROUTE_METHOD_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD, PUT, DELETE");
    CHECK(m.route == NULL);
    CHECK_INT(m.nparams, 0);
    route_match_release(&m);

    CHECK_INT(match("DELETE", "/api/v1/monitors", &m), ROUTE_METHOD_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD, POST");
    route_match_release(&m);

    CHECK_INT(match("GET", "/api/v1/monitors/3/pause", &m), ROUTE_METHOD_NOT_ALLOWED);
    CHECK_STR(m.allow, "POST");
    route_match_release(&m);

    CHECK_INT(match("PUT", "/api/v1/push/abcdefghijklmnop", &m), ROUTE_METHOD_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD, POST");
    route_match_release(&m);

    /* a later route with the right method still wins */
    CHECK_INT(match("POST", "/api/v1/push/abcdefghijklmnop", &m), ROUTE_OK);
    CHECK(m.route == &table[11]);
    CHECK_STR(m.allow, "");
    CHECK_STR(route_param(&m, "token"), "abcdefghijklmnop");
    route_match_release(&m);
}

TEST(match_is_reusable_after_release)
{
    struct route_match m = ROUTE_MATCH_INIT;
    for (int i = 0; i < 3; i++) {
        CHECK_INT(match("GET", "/api/v1/a/%E4%B8%AD/b/2", &m), ROUTE_OK);
        CHECK_STR(route_param(&m, "x"), "中");
        route_match_release(&m);
        CHECK(m.route == NULL);
    }
}

/* Two tables searched as one: the first with a route wins, 405 merges the
 * methods of both, a path in neither is 404. */
TEST(several_tables)
{
    static const struct route second[] = {
        {"GET", "/api/v1/users", h_b, ACT_ORG_READ, 0, NULL, NULL},
        {"PATCH", "/api/v1/monitors/{id}", h_b, ACT_MONITOR_WRITE, 0, NULL, NULL},
        {"GET", "/healthz", h_b, ACT_OPS_READ, 0, NULL, NULL}, /* shadowed by the first */
    };
    const struct route_table t[] = {{table, N}, {second, 3}};
    struct route_match m = ROUTE_MATCH_INIT;
    CHECK_INT(router_match_tables(t, 2, "GET", "/api/v1/users", &m), ROUTE_OK);
    CHECK(m.route == &second[0]);
    route_match_release(&m);
    CHECK_INT(router_match_tables(t, 2, "GET", "/healthz", &m), ROUTE_OK);
    CHECK(m.route == &table[1]);
    route_match_release(&m);
    CHECK_INT(router_match_tables(t, 2, "PATCH", "/api/v1/monitors/7", &m), ROUTE_OK);
    CHECK(m.route == &second[1]);
    CHECK_STR(route_param(&m, "id"), "7");
    route_match_release(&m);
    CHECK_INT(router_match_tables(t, 2, "POST", "/api/v1/monitors/7", &m),
              ROUTE_METHOD_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD, PUT, DELETE, PATCH");
    route_match_release(&m);
    CHECK_INT(router_match_tables(t, 2, "POST", "/api/v1/users", &m), ROUTE_METHOD_NOT_ALLOWED);
    CHECK_STR(m.allow, "GET, HEAD");
    route_match_release(&m);
    CHECK_INT(router_match_tables(t, 2, "GET", "/api/v1/nothing", &m), ROUTE_NOT_FOUND);
    CHECK(m.route == NULL);
    CHECK_INT(router_match_tables(t, 2, "GET", "/api/v1/monitors/%FF", &m), ROUTE_BAD_PATH);
    CHECK_INT(router_match_tables(t, 0, "GET", "/healthz", &m), ROUTE_NOT_FOUND);
}

int main(void)
{
    RUN(literal_routes_match);
    RUN(parameters_are_captured);
    RUN(segments_are_percent_decoded_after_splitting);
    RUN(bad_encoding_is_a_bad_path);
    RUN(trailing_slash_and_empty_segments);
    RUN(unknown_paths_are_not_found);
    RUN(head_matches_get);
    RUN(wrong_method_gives_allow_list);
    RUN(match_is_reusable_after_release);
    RUN(several_tables);
    return t_done();
}
