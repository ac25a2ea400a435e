/* Unit tests of query parsing (decoding, limits, cursors, periods) and of the
 * answer helpers (error JSON, status mapping, body checks). */
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/query.h"
#include "t.h"

/* Adds key=value given percent-encoded, as the server does. */
static int add(struct query *q, const char *k, const char *v, struct yw_err *err)
{
    return query_add(q, k, strlen(k), v, v ? strlen(v) : 0, err);
}

static struct query one(const char *k, const char *v)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    add(&q, k, v, &err);
    return q;
}

/* ---- decoding ---------------------------------------------------------------- */

TEST(unescape_decodes_and_checks)
{
    char out[64];
    size_t n;
    CHECK_INT(http_unescape("a%20b", 5, false, out, &n), 0);
    CHECK_STR(out, "a b");
    CHECK_INT(n, 3);
    CHECK_INT(http_unescape("a+b", 3, false, out, &n), 0);
    CHECK_STR(out, "a+b");
    CHECK_INT(http_unescape("a+b", 3, true, out, &n), 0);
    CHECK_STR(out, "a b");
    CHECK_INT(http_unescape("%e6%95%b0", 9, false, out, &n), 0); /* lower-case hex */
    CHECK_STR(out, "数");
    CHECK_INT(http_unescape("", 0, false, out, &n), 0);
    CHECK_STR(out, "");
    CHECK_INT(http_unescape("%", 1, false, out, &n), -1);
    CHECK_INT(http_unescape("%4", 2, false, out, &n), -1);
    CHECK_INT(http_unescape("%g0", 3, false, out, &n), -1);
    CHECK_INT(http_unescape("%00", 3, false, out, &n), -1);
    CHECK_INT(http_unescape("%E6%95", 6, false, out, &n), -1); /* cut character */
}

TEST(utf8_validation)
{
    CHECK(http_utf8_valid("plain", 5));
    CHECK(http_utf8_valid("数据资源中心", strlen("数据资源中心")));
    CHECK(http_utf8_valid("\xF0\x9F\x98\x80", 4));      /* U+1F600 */
    CHECK(http_utf8_valid("\xF4\x8F\xBF\xBF", 4));      /* U+10FFFF */
    CHECK(!http_utf8_valid("\xF4\x90\x80\x80", 4));     /* > U+10FFFF */
    CHECK(!http_utf8_valid("\xC0\x80", 2));             /* overlong NUL */
    CHECK(!http_utf8_valid("\xE0\x80\xAF", 3));         /* overlong '/' */
    CHECK(!http_utf8_valid("\xED\xA0\x80", 3));         /* surrogate */
    CHECK(!http_utf8_valid("\x80", 1));                 /* stray continuation */
    CHECK(!http_utf8_valid("\xE6\x95", 2));             /* truncated */
    CHECK(!http_utf8_valid("\xFF", 1));
}

TEST(query_add_decodes_and_refuses_duplicates)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(add(&q, "q", "a%20b%2Bc", &err), 0);
    CHECK_STR(query_get(&q, "q"), "a b+c");
    CHECK_INT(add(&q, "flag", NULL, &err), 0);      /* "?flag" */
    CHECK(query_get(&q, "flag") == NULL);           /* empty counts as absent */
    CHECK_INT(add(&q, "from", "", &err), 0);
    CHECK(query_get(&q, "from") == NULL);
    CHECK(query_get(&q, "missing") == NULL);
    CHECK_INT(add(&q, "%71", "x", &err), -1);       /* "q" again, once decoded */
    CHECK_INT(err.code, YW_EINVAL);
    CHECK_STR(err.field, "q");
    CHECK(strncmp(err.msg, "q: ", 3) == 0);
    CHECK_INT(q.n, 3);
    CHECK_STR(query_get(&q, "q"), "a b+c");         /* unchanged */
    query_release(&q);
    CHECK_INT(q.n, 0);
}

TEST(query_add_limits)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    char key[8];
    for (int i = 0; i < QUERY_PARAMS_MAX; i++) {
        snprintf(key, sizeof key, "k%d", i);
        CHECK_INT(add(&q, key, "v", &err), 0);
    }
    CHECK_INT(add(&q, "one_more", "v", &err), -1);
    CHECK_INT(err.code, YW_EINVAL);
    query_release(&q);

    char *big = malloc(QUERY_VALUE_MAX + 2);
    memset(big, 'a', QUERY_VALUE_MAX + 1);
    big[QUERY_VALUE_MAX + 1] = '\0';
    CHECK_INT(add(&q, "msg", big, &err), -1);
    CHECK_STR(err.field, "msg");
    big[QUERY_VALUE_MAX] = '\0';                    /* exactly the limit */
    CHECK_INT(add(&q, "msg", big, &err), 0);
    query_release(&q);
    free(big);

    char longkey[QUERY_KEY_MAX + 2];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    CHECK_INT(add(&q, longkey, "v", &err), -1);
    CHECK_INT(add(&q, "q", "%FF", &err), -1);       /* not UTF-8 */
    CHECK_STR(err.field, "q");
    CHECK_INT(add(&q, "q", "a%00", &err), -1);
    CHECK_INT(q.n, 0);
    query_release(&q);
}

TEST(query_parse_form)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    const char *s = "status=down&msg=disk+full%21&&rows=12&empty=&bare";
    CHECK_INT(query_parse(&q, s, strlen(s), &err), 0);
    CHECK_STR(query_get(&q, "status"), "down");
    CHECK_STR(query_get(&q, "msg"), "disk full!");
    CHECK_STR(query_get(&q, "rows"), "12");
    CHECK(query_get(&q, "empty") == NULL);
    CHECK_INT(q.n, 5);
    query_release(&q);

    s = "a=1&a=2";
    CHECK_INT(query_parse(&q, s, strlen(s), &err), -1);
    CHECK_STR(err.field, "a");
    query_release(&q);
    CHECK_INT(query_parse(&q, "", 0, &err), 0);
    CHECK_INT(q.n, 0);
}

/* ---- checked values ---------------------------------------------------------- */

static void check_bad_limit(const char *v)
{
    struct query q = one("limit", v);
    struct yw_err err = YW_ERR_INIT;
    size_t lim = 7;
    CHECK_INT(query_limit(&q, &lim, &err), -1);
    CHECK_INT(err.code, YW_EINVAL);
    CHECK_STR(err.field, "limit");
    CHECK_STR(err.msg, "limit: must be an integer from 1 to 1000");
    CHECK_INT(lim, 7);
    query_release(&q);
}

TEST(limit_default_bounds_and_junk)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    size_t lim = 0;
    CHECK_INT(query_limit(&q, &lim, &err), 0);
    CHECK_INT(lim, 100);
    q = one("limit", "1");
    CHECK_INT(query_limit(&q, &lim, &err), 0);
    CHECK_INT(lim, 1);
    query_release(&q);
    q = one("limit", "1000");
    CHECK_INT(query_limit(&q, &lim, &err), 0);
    CHECK_INT(lim, 1000);
    query_release(&q);
    q = one("limit", "");                 /* empty = default */
    CHECK_INT(query_limit(&q, &lim, &err), 0);
    CHECK_INT(lim, 100);
    query_release(&q);

    check_bad_limit("0");
    check_bad_limit("1001");
    check_bad_limit("-1");
    check_bad_limit("%2B5");              /* "+5" */
    check_bad_limit("%205");              /* " 5" */
    check_bad_limit("5x");
    check_bad_limit("1e2");
    check_bad_limit("abc");
    check_bad_limit("99999999999999999999999");
}

TEST(cursor_id)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    int64_t id = 5;
    CHECK_INT(query_cursor_id(&q, &id, &err), 0);
    CHECK_INT(id, 0);
    char s[32];
    query_format_cursor_id(123456789012LL, s, sizeof s);
    q = one("cursor", s);
    CHECK_INT(query_cursor_id(&q, &id, &err), 0);
    CHECK_INT(id, 123456789012LL);
    query_release(&q);

    const char *bad[] = {"0", "-3", "x", "1.5", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        q = one("cursor", bad[i]);
        CHECK_INT(query_cursor_id(&q, &id, &err), -1);
        CHECK_STR(err.field, "cursor");
        query_release(&q);
    }
}

TEST(cursor_pair_round_trip)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    int64_t start = 1, id = 1;
    CHECK_INT(query_cursor_pair(&q, &start, &id, &err), 0);
    CHECK_INT(start, 0);
    CHECK_INT(id, 0);
    char s[64];
    query_format_cursor_pair(1764036000123LL, 77, s, sizeof s);
    q = one("cursor", s);
    CHECK_INT(query_cursor_pair(&q, &start, &id, &err), 0);
    CHECK_INT(start, 1764036000123LL);
    CHECK_INT(id, 77);
    query_release(&q);

    const char *bad[] = {"12", "12.", ".5", "a.b", "1.0", "-1.5", "1.2.3",
                         "123456789012345678901234567890123.1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        q = one("cursor", bad[i]);
        CHECK_INT(query_cursor_pair(&q, &start, &id, &err), -1);
        CHECK_STR(err.field, "cursor");
        query_release(&q);
    }
}

#define NOW 1764036000000LL /* 2025-11-25T10:00:00+08:00 */

TEST(period_defaults)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    ms_t from = 0, to = 0;
    CHECK_INT(query_period(&q, NOW, QUERY_PERIOD_MAX, &from, &to, &err), 0);
    CHECK_INT(to, NOW);
    CHECK_INT(from, NOW - MS_PER_DAY);

    q = one("from", "2025-11-25T08:00:00%2B08:00");  /* '+' must be encoded */
    CHECK_INT(query_period(&q, NOW, QUERY_PERIOD_MAX, &from, &to, &err), 0);
    CHECK_INT(from, NOW - 2 * MS_PER_H);
    CHECK_INT(to, NOW);
    query_release(&q);

    q = one("to", "2025-11-25T00:00:00Z");
    CHECK_INT(query_period(&q, NOW, QUERY_PERIOD_MAX, &from, &to, &err), 0);
    CHECK_INT(to, 1764028800000LL);
    CHECK_INT(from, 1764028800000LL - MS_PER_DAY);
    query_release(&q);
}

TEST(period_bare_dates_are_display_zone_midnight)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    ms_t from = 0, to = 0;
    add(&q, "from", "2025-11-24", &err);
    add(&q, "to", "2025-11-25", &err);
    CHECK_INT(query_period(&q, NOW, QUERY_PERIOD_MAX, &from, &to, &err), 0);
    /* midnight Asia/Shanghai = 16:00 UTC the day before */
    CHECK_INT(from, 1763913600000LL);
    CHECK_INT(to, 1764000000000LL);
    query_release(&q);
}

static void check_bad_period(const char *from, const char *to, const char *field,
                             const char *msg_start)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    ms_t f = 1, t = 2;
    if (from)
        add(&q, "from", from, &err);
    if (to)
        add(&q, "to", to, &err);
    CHECK_INT(query_period(&q, NOW, QUERY_PERIOD_MAX, &f, &t, &err), -1);
    CHECK_INT(err.code, YW_EINVAL);
    CHECK_STR(err.field, field);
    CHECK(strncmp(err.msg, msg_start, strlen(msg_start)) == 0);
    CHECK_INT(f, 1);
    CHECK_INT(t, 2);
    query_release(&q);
}

TEST(period_errors_name_the_parameter)
{
    check_bad_period("yesterday", NULL, "from", "from: not an RFC 3339");
    check_bad_period(NULL, "2025-13-01", "to", "to: not an RFC 3339");
    check_bad_period("2025-11-25T10:00:00", NULL, "from", "from:"); /* no offset */
    check_bad_period("2025-02-29", NULL, "from", "from:");          /* not a leap year */
    check_bad_period("2025-11-25", "2025-11-25", "from", "from: from must be before to");
    check_bad_period("2025-11-26", "2025-11-25", "from", "from: from must be before to");
    check_bad_period("2025-11-26", NULL, "from", "from: from must be before to"); /* future */
    check_bad_period("2024-01-01", "2025-11-25", "from", "from: the period is longer than 400");
}

TEST(period_of_400_days_is_allowed)
{
    struct query q = QUERY_INIT;
    struct yw_err err = YW_ERR_INIT;
    ms_t from, to;
    add(&q, "from", "2024-10-21T00:00:00Z", &err);
    add(&q, "to", "2025-11-25T00:00:00Z", &err); /* 400 days later */
    CHECK_INT(query_period(&q, NOW, QUERY_PERIOD_MAX, &from, &to, &err), 0);
    CHECK_INT(to - from, 400 * MS_PER_DAY);
    query_release(&q);
    add(&q, "from", "2024-10-20T23:59:59.999Z", &err);
    add(&q, "to", "2025-11-25T00:00:00Z", &err);
    CHECK_INT(query_period(&q, NOW, QUERY_PERIOD_MAX, &from, &to, &err), -1);
    CHECK_STR(err.field, "from");
    /* paged lists pass no maximum */
    CHECK_INT(query_period(&q, NOW, 0, &from, &to, &err), 0);
    CHECK_INT(to - from, 400 * MS_PER_DAY + 1);
    query_release(&q);
    add(&q, "from", "2000-01-01", &err);
    CHECK_INT(query_period(&q, NOW, 0, &from, &to, &err), 0);
    CHECK_INT(to, NOW);
    query_release(&q);
}

/* ---- answers ---------------------------------------------------------------------- */

TEST(status_of_error_codes)
{
    CHECK_INT(http_status_of(YW_EINVAL), 400);
    CHECK_INT(http_status_of(YW_ENOTFOUND), 404);
    CHECK_INT(http_status_of(YW_ECONFLICT), 409);
    CHECK_INT(http_status_of(YW_ELIMIT), 413);
    CHECK_INT(http_status_of(YW_EIO), 503);
    CHECK_INT(http_status_of(YW_OK), 500);
}

static json_t *body_of(const struct http_resp *rs)
{
    return json_loadb(rs->body, rs->len, 0, NULL);
}

TEST(error_answer_shape)
{
    struct http_resp rs = {0};
    struct yw_err err = YW_ERR_INIT;
    yw_fail_field(&err, YW_EINVAL, "interval", "interval: must be at least 1s");
    resp_err(&rs, &err);
    CHECK_INT(rs.status, 400);
    CHECK_STR(rs.content_type, CT_JSON);
    json_t *j = body_of(&rs);
    CHECK(j != NULL);
    json_t *e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), "invalid");
    CHECK_STR(json_string_value(json_object_get(e, "message")), "interval: must be at least 1s");
    CHECK_STR(json_string_value(json_object_get(e, "field")), "interval");
    CHECK_INT(json_object_size(j), 1);
    json_decref(j);

    yw_fail(&err, YW_EIO, "database is locked");
    resp_err(&rs, &err);                          /* replaces the earlier body */
    CHECK_INT(rs.status, 503);
    j = body_of(&rs);
    e = json_object_get(j, "error");
    CHECK_STR(json_string_value(json_object_get(e, "code")), "io_error");
    CHECK(json_object_get(e, "field") == NULL);   /* no field: key absent */
    json_decref(j);

    resp_error(&rs, 405, "method_not_allowed", NULL, "no \xE6\x95");  /* cut UTF-8 */
    j = body_of(&rs);
    CHECK(j != NULL);
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "error"), "message")), "no ");
    json_decref(j);

    resp_no_content(&rs);
    CHECK_INT(rs.status, 204);
    CHECK(rs.body == NULL);
    resp_release(&rs);
}

TEST(json_numbers_are_short)
{
    struct http_resp rs = {0};
    json_t *j = json_object();
    json_object_set_new(j, "a", json_real(99.884));
    json_object_set_new(j, "b", api_seconds(86400000));
    json_object_set_new(j, "c", api_seconds(120500));
    json_object_set_new(j, "d", api_str(NULL));
    json_object_set_new(j, "e", api_str("ok\xE6\x95"));
    json_object_set_new(j, "f", api_time(0, true));
    resp_json(&rs, 200, j);
    CHECK_STR(rs.body, "{\"a\":99.884,\"b\":86400,\"c\":120.5,\"d\":null,\"e\":\"ok\",\"f\":null}");
    resp_release(&rs);
}

TEST(time_answers_in_display_zone)
{
    json_t *t = api_time(NOW, false);
    CHECK_STR(json_string_value(t), "2025-11-25T10:00:00+08:00");
    json_decref(t);
}

TEST(json_depth)
{
    CHECK_INT(api_json_depth("{}", 2), 1);
    CHECK_INT(api_json_depth("[[[]]]", 6), 3);
    CHECK_INT(api_json_depth("{\"a\":\"[[[[\"}", 11), 1);
    CHECK_INT(api_json_depth("{\"a\\\"[[\":[1]}", 13), 2);  /* escaped quote in a key */
    CHECK_INT(api_json_depth("42", 2), 0);
}

static json_t *parse_body(const char *s, struct yw_err *err)
{
    struct http_req rq = {.body = s, .body_len = strlen(s)};
    return api_body_object(&rq, err);
}

TEST(body_must_be_a_reasonable_object)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *j = parse_body("{\"name\":\"portal\",\"tier\":\"key\"}", &err);
    CHECK(j != NULL);
    static const char *const strip[] = {"tier", "absent", NULL};
    api_strip_keys(j, strip);
    CHECK_INT(json_object_size(j), 1);
    json_decref(j);

    const char *bad[] = {"", "[]", "42", "\"s\"", "{", "{\"a\":1,\"a\":2}", "{} {}",
                         "{\"a\":\"\\u0000\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err = (struct yw_err)YW_ERR_INIT;
        CHECK(parse_body(bad[i], &err) == NULL);
        CHECK_INT(err.code, YW_EINVAL);
        CHECK_STR(err.field, "body");
        CHECK(strncmp(err.msg, "body: ", 6) == 0);
    }

    char deep[200] = "{\"a\":";
    for (int i = 0; i < HTTP_JSON_DEPTH_MAX; i++)
        strcat(deep, "[");
    for (int i = 0; i < HTTP_JSON_DEPTH_MAX; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    CHECK(parse_body(deep, &err) == NULL);            /* 33 levels */
    CHECK(strstr(err.msg, "deeper") != NULL);
    strcpy(deep, "{\"a\":");
    for (int i = 0; i < HTTP_JSON_DEPTH_MAX - 1; i++)
        strcat(deep, "[");
    for (int i = 0; i < HTTP_JSON_DEPTH_MAX - 1; i++)
        strcat(deep, "]");
    strcat(deep, "}");
    j = parse_body(deep, &err);                       /* 32 levels */
    CHECK(j != NULL);
    json_decref(j);
}

TEST(refs_are_ids_or_names)
{
    int64_t id;
    const char *name;
    api_ref("42", &id, &name);
    CHECK_INT(id, 42);
    CHECK(name == NULL);
    api_ref("portal-home", &id, &name);
    CHECK_INT(id, 0);
    CHECK_STR(name, "portal-home");
    api_ref("12a", &id, &name);
    CHECK_INT(id, 0);
    CHECK_STR(name, "12a");
    api_ref("0", &id, &name);                 /* never an existing id, never "by name" */
    CHECK_INT(id, INT64_MAX);
    api_ref("99999999999999999999999", &id, &name);
    CHECK_INT(id, INT64_MAX);
    CHECK(name == NULL);
    api_ref("", &id, &name);
    CHECK_INT(id, 0);
}

TEST(list_shape)
{
    struct http_resp rs = {0};
    resp_json(&rs, 200, api_list(json_array(), NULL));
    CHECK_STR(rs.body, "{\"items\":[],\"next_cursor\":null}");
    resp_json(&rs, 200, api_list(json_array(), "17"));
    CHECK_STR(rs.body, "{\"items\":[],\"next_cursor\":\"17\"}");
    resp_release(&rs);
}

int main(void)
{
    RUN(unescape_decodes_and_checks);
    RUN(utf8_validation);
    RUN(query_add_decodes_and_refuses_duplicates);
    RUN(query_add_limits);
    RUN(query_parse_form);
    RUN(limit_default_bounds_and_junk);
    RUN(cursor_id);
    RUN(cursor_pair_round_trip);
    RUN(period_defaults);
    RUN(period_bare_dates_are_display_zone_midnight);
    RUN(period_errors_name_the_parameter);
    RUN(period_of_400_days_is_allowed);
    RUN(status_of_error_codes);
    RUN(error_answer_shape);
    RUN(json_numbers_are_short);
    RUN(time_answers_in_display_zone);
    RUN(json_depth);
    RUN(body_must_be_a_reasonable_object);
    RUN(refs_are_ids_or_names);
    RUN(list_shape);
    return t_done();
}
