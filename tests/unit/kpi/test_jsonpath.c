/* Unit tests of the JSON path matcher: syntax, limits, lookups, and the why
 * messages a failed json check shows. */
#include <jansson.h>
#include <string.h>

#include "core/jsonpath.h"
#include "t.h"

static json_t *doc(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &e);
    if (!j)
        printf("# bad test JSON: %s\n", e.text);
    return j;
}

static int valid(const char *path)
{
    char why[128] = "";
    return jsonpath_validate(path, why, sizeof why) == 0;
}

TEST(validate_accepts_the_documented_forms)
{
    CHECK(valid("a"));
    CHECK(valid("data.total"));
    CHECK(valid("items[0].id"));
    CHECK(valid("$.a.b"));
    CHECK(valid("$"));
    CHECK(valid("$[0]"));
    CHECK(valid("[2]"));
    CHECK(valid("a['key.with.dots']"));
    CHECK(valid("a[\"double\"]"));
    CHECK(valid("a['it\\'s']"));
    CHECK(valid("m[0][1][2]"));
    CHECK(valid("数据.总数"));
    CHECK(valid("a b.c"));  /* spaces are part of keys */
    CHECK(valid("a['']"));  /* the empty key exists in JSON */
    CHECK(valid("x[123456789]"));
}

TEST(validate_rejects_bad_syntax_with_a_reason)
{
    char why[128];
    static const char *bad[] = {
        "",        "a.",       ".a",     "a..b",     "a[",        "a[]",  "a[-1]",
        "a[01]",   "a[1",      "a['x",   "a['x'",    "a]",        "$a",   "$.",
        "a[x]",    "a['x']b",  "a[0]b",  "a.[0]",    "x[1234567890]", "a\\b", "a'b",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        why[0] = '\0';
        int r = jsonpath_validate(bad[i], why, sizeof why);
        if (r != -1 || why[0] == '\0')
            printf("#   path \"%s\" accepted or no reason\n", bad[i]);
        CHECK_INT(r, -1);
        CHECK(why[0] != '\0');
    }
    CHECK_INT(jsonpath_validate(NULL, why, sizeof why), -1);
    /* why may be NULL or empty */
    CHECK_INT(jsonpath_validate("a..", NULL, 0), -1);
    jsonpath_validate("a[-1]", why, sizeof why);
    CHECK_STR(why, "negative index at byte 2");
}

TEST(validate_limits)
{
    /* 64 segments pass, 65 fail: "a.a.…" with k segments is 2k-1 bytes. */
    char p[400];
    size_t len = 0;
    for (int i = 0; i < 64; i++)
        len += (size_t)snprintf(p + len, sizeof p - len, i ? ".a" : "a");
    CHECK(valid(p));
    snprintf(p + len, sizeof p - len, ".a");
    char why[128];
    CHECK_INT(jsonpath_validate(p, why, sizeof why), -1);
    CHECK(strstr(why, "too many segments") != NULL);

    /* 256 bytes pass, 257 fail */
    memset(p, 'k', 256);
    p[256] = '\0';
    CHECK(valid(p));
    p[256] = 'k';
    p[257] = '\0';
    CHECK_INT(jsonpath_validate(p, why, sizeof why), -1);
    CHECK_STR(why, "path longer than 256 bytes");
}

TEST(get_walks_objects_and_arrays)
{
    json_t *j = doc("{\"data\":{\"total\":7,\"items\":[{\"id\":\"x\"},{\"id\":\"y\"}]},"
                    "\"a\":{\"key.with.dots\":true},\"q\":{\"it's\":1},\"n\":null}");
    CHECK_INT(json_integer_value(jsonpath_get(j, "data.total")), 7);
    CHECK_INT(json_integer_value(jsonpath_get(j, "$.data.total")), 7);
    CHECK_STR(json_string_value(jsonpath_get(j, "data.items[1].id")), "y");
    CHECK_STR(json_string_value(jsonpath_get(j, "data['items'][0][\"id\"]")), "x");
    CHECK(json_is_true(jsonpath_get(j, "a['key.with.dots']")));
    CHECK_INT(json_integer_value(jsonpath_get(j, "q['it\\'s']")), 1);
    CHECK(jsonpath_get(j, "$") == j);
    CHECK(json_is_null(jsonpath_get(j, "n")));   /* present, value null */
    CHECK(jsonpath_get(j, "data.items[2]") == NULL); /* past the end */
    CHECK(jsonpath_get(j, "data.total.x") == NULL);  /* through a number */
    CHECK(jsonpath_get(j, "data[0]") == NULL);       /* index into an object */
    CHECK(jsonpath_get(j, "data.items.0") == NULL);  /* key into an array */
    CHECK(jsonpath_get(j, "a.key.with.dots") == NULL);
    CHECK(jsonpath_get(j, "a..b") == NULL);          /* invalid path */
    CHECK(jsonpath_get(NULL, "a") == NULL);
    json_decref(j);

    json_t *arr = doc("[[1,2],[3,4]]");
    CHECK_INT(json_integer_value(jsonpath_get(arr, "[1][0]")), 3);
    CHECK_INT(json_integer_value(jsonpath_get(arr, "$[0][1]")), 2);
    json_decref(arr);
}

static int check_eq(json_t *root, const char *path, const char *want_json, char *why, size_t n)
{
    struct json_check c = {.path = (char *)(uintptr_t)path, .op = JC_EQUALS,
                           .value = doc(want_json)};
    int r = jsonpath_check(root, &c, why, n);
    json_decref(c.value);
    return r;
}

static int check_exists(json_t *root, const char *path, bool exists, char *why, size_t n)
{
    struct json_check c = {.path = (char *)(uintptr_t)path, .op = JC_EXISTS, .exists = exists};
    return jsonpath_check(root, &c, why, n);
}

TEST(check_exists_and_absent)
{
    json_t *j = doc("{\"code\":0,\"data\":{\"total\":12,\"none\":null}}");
    char why[256];
    CHECK_INT(check_exists(j, "data.total", true, why, sizeof why), 1);
    CHECK_INT(check_exists(j, "data.none", true, why, sizeof why), 1); /* null is present */
    CHECK_INT(check_exists(j, "data.count", false, why, sizeof why), 1);
    CHECK_INT(check_exists(j, "data.count", true, why, sizeof why), 0);
    CHECK_STR(why, "data.count: missing");
    CHECK_INT(check_exists(j, "data.total", false, why, sizeof why), 0);
    CHECK_STR(why, "data.total: expected to be absent");
    /* root NULL (body was not JSON): everything is missing */
    CHECK_INT(check_exists(NULL, "data.total", true, why, sizeof why), 0);
    CHECK_STR(why, "data.total: missing");
    json_decref(j);
}

TEST(check_equals_numbers_by_value)
{
    json_t *j = doc("{\"code\":0,\"r\":0.0,\"three\":3,\"threef\":3.0,\"half\":2.5,"
                    "\"big\":9007199254740993,\"neg\":-0.0}");
    char why[256];
    CHECK_INT(check_eq(j, "code", "0", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "code", "0.0", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "r", "0", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "three", "3.0", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "threef", "3", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "neg", "0", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "half", "2.5", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "half", "2", why, sizeof why), 0);
    CHECK_STR(why, "half: expected 2, got 2.5");
    /* 2^53 + 1 = 9007199254740993 is not a double; as a double 2^53 it must
     * not compare equal by rounding. */
    CHECK_INT(check_eq(j, "big", "9007199254740993", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "big", "9007199254740992.0", why, sizeof why), 0);
    CHECK_INT(check_eq(j, "code", "3", why, sizeof why), 0);
    CHECK_STR(why, "code: expected 3, got 0");
    json_decref(j);

    j = doc("{\"code\":3}");
    CHECK_INT(check_eq(j, "code", "0", why, sizeof why), 0);
    CHECK_STR(why, "code: expected 0, got 3");
    /* a string "0" is not the number 0 */
    json_decref(j);
    j = doc("{\"code\":\"0\"}");
    CHECK_INT(check_eq(j, "code", "0", why, sizeof why), 0);
    CHECK_STR(why, "code: expected 0, got \"0\"");
    json_decref(j);
}

TEST(check_equals_other_types)
{
    json_t *j = doc("{\"s\":\"数据资源中心\",\"t\":true,\"n\":null,\"a\":[1,2.0,{\"x\":0}],"
                    "\"o\":{\"k\":1,\"l\":[0]}}");
    char why[256];
    CHECK_INT(check_eq(j, "s", "\"数据资源中心\"", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "s", "\"数据\"", why, sizeof why), 0);
    CHECK_STR(why, "s: expected \"数据\", got \"数据资源中心\"");
    CHECK_INT(check_eq(j, "t", "true", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "t", "1", why, sizeof why), 0);
    CHECK_STR(why, "t: expected 1, got true");
    CHECK_INT(check_eq(j, "n", "null", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "n", "false", why, sizeof why), 0);
    /* numbers inside arrays and objects compare by value too */
    CHECK_INT(check_eq(j, "a", "[1.0,2,{\"x\":0.0}]", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "a", "[1,2]", why, sizeof why), 0);
    CHECK_INT(check_eq(j, "o", "{\"l\":[0.0],\"k\":1}", why, sizeof why), 1);
    CHECK_INT(check_eq(j, "o", "{\"k\":1,\"m\":[0]}", why, sizeof why), 0);
    CHECK_INT(check_eq(j, "o", "{\"k\":1}", why, sizeof why), 0);
    CHECK_INT(check_eq(j, "missing", "0", why, sizeof why), 0);
    CHECK_STR(why, "missing: missing (expected 0)");
    json_decref(j);
}

TEST(check_messages_are_bounded)
{
    /* A long value is cut at 64 bytes with "…", never inside a UTF-8 character. */
    char text[1200];
    size_t len = (size_t)snprintf(text, sizeof text, "{\"s\":\"");
    for (int i = 0; i < 100; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "数");
    snprintf(text + len, sizeof text - len, "\"}");
    json_t *j = doc(text);
    char why[512];
    CHECK_INT(check_eq(j, "s", "0", why, sizeof why), 0);
    /* "s: expected 0, got " + '"' + 21 × 3-byte chars (64 bytes: 1 + 63) + "…" */
    CHECK(strncmp(why, "s: expected 0, got \"数", strlen("s: expected 0, got \"数")) == 0);
    CHECK(strlen(why) == strlen("s: expected 0, got ") + 64 + strlen("…"));
    /* a tiny why buffer: truncated, NUL-terminated, whole characters */
    char small[6];
    CHECK_INT(check_eq(j, "s", "\"数据\"", small, sizeof small), 0);
    CHECK_STR(small, "s: ex");
    json_decref(j);

    j = doc("{\"数据\":1}");
    char tiny[5];
    CHECK_INT(check_exists(j, "数据", false, tiny, sizeof tiny), 0);
    CHECK_STR(tiny, "数"); /* 3 bytes; the next char would not fit */
    CHECK_INT(check_exists(j, "数据", false, NULL, 0), 0);
    json_decref(j);
}

TEST(check_bad_input)
{
    json_t *j = doc("{\"a\":1}");
    char why[256];
    CHECK_INT(check_exists(j, "a..b", true, why, sizeof why), 0);
    CHECK_STR(why, "a..b: invalid path (expected a key after '.' at byte 2)");
    struct json_check c = {.path = (char *)(uintptr_t)"a", .op = JC_EQUALS, .value = NULL};
    CHECK_INT(jsonpath_check(j, &c, why, sizeof why), 0);
    CHECK_STR(why, "a: check has no expected value");
    struct json_check nopath = {.op = JC_EXISTS, .exists = true};
    CHECK_INT(jsonpath_check(j, &nopath, why, sizeof why), 0);
    CHECK_STR(why, "json check without a path");
    json_decref(j);
}

int main(void)
{
    RUN(validate_accepts_the_documented_forms);
    RUN(validate_rejects_bad_syntax_with_a_reason);
    RUN(validate_limits);
    RUN(get_walks_objects_and_arrays);
    RUN(check_exists_and_absent);
    RUN(check_equals_numbers_by_value);
    RUN(check_equals_other_types);
    RUN(check_messages_are_bounded);
    RUN(check_bad_input);
    return t_done();
}
