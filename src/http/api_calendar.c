/*
 * /api/v1/calendar: the working-day calendar (工作日历) — a year's holidays
 * and make-up days, whether a date is a working day, a date plus N working
 * days, and adding a year when the State Council publishes its notice.
 *
 * Everything answers from the process's calendar (rq->ctx->cal, cal/cal.h);
 * without one (tests that run no calendar) every route answers 503. Dates
 * are civil dates, "2026-04-04", with no zone; "today" and "this year"
 * (parameters left out) are the display zone's.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cal/cal.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/api_ops.h"
#include "store/store_cal.h"

static struct calendar *need_calendar(const struct http_req *rq, struct http_resp *rs)
{
    struct calendar *C = rq->ctx->cal;
    if (!C)
        resp_error(rs, 503, "io_error", NULL,
                   "工作日历不可用 / the working-day calendar is not available");
    return C;
}

/* A year "2026" (CAL_YEAR_MIN..MAX) from s; -1 with err naming field. */
static int parse_year(const char *s, const char *field, int *year, struct yw_err *err)
{
    int y = 0;
    size_t n = s ? strlen(s) : 0;
    bool ok = n == 4;
    for (size_t i = 0; ok && i < n; i++) {
        ok = s[i] >= '0' && s[i] <= '9';
        y = y * 10 + (s[i] - '0');
    }
    if (!ok || y < CAL_YEAR_MIN || y > CAL_YEAR_MAX)
        return yw_fail_field(err, YW_EINVAL, field, "%s: a year from %d to %d", field,
                             CAL_YEAR_MIN, CAL_YEAR_MAX);
    *year = y;
    return 0;
}

/* Parameter "date": absent = today (display zone). */
static int query_date(const struct http_req *rq, int32_t *day, struct yw_err *err)
{
    const char *s = query_get(rq->query, "date");
    if (!s) {
        *day = cal_day_of(time_now_ms(), NULL);
        return 0;
    }
    if (cal_parse_date(s, day) != 0)
        return yw_fail_field(err, YW_EINVAL, "date",
                             "date: a date YYYY-MM-DD from %d to %d, e.g. 2026-04-03",
                             CAL_YEAR_MIN, CAL_YEAR_MAX);
    return 0;
}

static int year_of_day(int32_t day)
{
    int y, m, d;
    cal_day_to_ymd(day, &y, &m, &d);
    return y;
}

/* GET /api/v1/calendar?year=2026 (absent: this year) */
static void calendar_get(const struct http_req *rq, struct http_resp *rs)
{
    struct calendar *C = need_calendar(rq, rs);
    if (!C)
        return;
    struct yw_err err = YW_ERR_INIT;
    int year;
    const char *s = query_get(rq->query, "year");
    if (!s) {
        year = year_of_day(cal_day_of(time_now_ms(), NULL));
    } else if (parse_year(s, "year", &year, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    const struct cal *c = calendar_acquire(C);
    resp_json(rs, 200, calendar_year_json(c, year));
    calendar_release(C, c);
}

/* GET /api/v1/calendar/years/{year} */
static void calendar_year_get(const struct http_req *rq, struct http_resp *rs)
{
    struct calendar *C = need_calendar(rq, rs);
    if (!C)
        return;
    struct yw_err err = YW_ERR_INIT;
    int year;
    if (parse_year(route_param(rq->match, "year"), "year", &year, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    const struct cal *c = calendar_acquire(C);
    resp_json(rs, 200, calendar_year_json(c, year));
    calendar_release(C, c);
}

/* GET /api/v1/calendar/years: the years covered, where each comes from and
 * (for added ones) when and by whom. */
static void calendar_years(const struct http_req *rq, struct http_resp *rs)
{
    struct calendar *C = need_calendar(rq, rs);
    if (!C)
        return;
    struct yw_err err = YW_ERR_INIT;
    struct store_cal_year *rows = NULL;
    size_t nrows = 0;
    if (rq->ctx->S && store_cal_list(rq->ctx->S, &rows, &nrows, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    const struct cal *c = calendar_acquire(C);
    const int *years;
    size_t n = cal_years(c, &years);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct cal_day *first;
        size_t nd = cal_year_days(c, years[i], &first);
        bool added = cal_year_added(c, years[i]);
        const struct store_cal_year *row = NULL;
        for (size_t k = 0; added && k < nrows; k++)
            if (rows[k].year == years[i])
                row = &rows[k];
        int off = 0;
        for (size_t k = 0; k < nd; k++)
            off += first[k].kind == CAL_OFF;
        json_array_append_new(
            items, json_pack("{s:i, s:s, s:i, s:i, s:i, s:o, s:o}", "year", years[i], "source",
                             added ? "added" : "builtin", "days", (int)nd, "off", off, "work",
                             (int)nd - off, "updated", row ? api_time(row->updated, true)
                                                           : json_null(),
                             "by", api_str(row ? row->by_user : NULL)));
    }
    calendar_release(C, c);
    store_cal_years_free(rows, nrows);
    resp_json(rs, 200, json_pack("{s:o}", "years", items));
}

/* GET /api/v1/calendar/workday?date=2026-04-04 (absent: today) */
static void calendar_workday(const struct http_req *rq, struct http_resp *rs)
{
    struct calendar *C = need_calendar(rq, rs);
    if (!C)
        return;
    struct yw_err err = YW_ERR_INIT;
    int32_t day;
    if (query_date(rq, &day, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    const struct cal *c = calendar_acquire(C);
    const struct cal_day *listed;
    bool work = cal_is_workday(c, day, &listed);
    int wd = cal_weekday(day);
    const char *kind = listed ? cal_kind_name(listed->kind)
                              : (wd == 0 || wd == 6 ? "weekend" : "weekday");
    char date[11];
    cal_format_date(day, date);
    json_t *j = json_pack("{s:s, s:b, s:s, s:o, s:i, s:b}", "date", date, "workday", work, "kind",
                          kind, "name", api_str(listed ? listed->name : NULL), "weekday", wd,
                          "known", cal_year_known(c, year_of_day(day)));
    calendar_release(C, c);
    resp_json(rs, 200, j);
}

/* GET /api/v1/calendar/add?date=2026-04-03&days=1 */
static void calendar_add(const struct http_req *rq, struct http_resp *rs)
{
    struct calendar *C = need_calendar(rq, rs);
    if (!C)
        return;
    struct yw_err err = YW_ERR_INIT;
    int32_t day;
    if (query_date(rq, &day, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    const char *s = query_get(rq->query, "days");
    int n = 0;
    bool ok = s && *s && strlen(s) <= 3;
    for (const char *p = s; ok && *p; p++) {
        ok = *p >= '0' && *p <= '9';
        n = n * 10 + (*p - '0');
    }
    if (!ok || n > CAL_ADD_MAX) {
        resp_error(rs, 400, "invalid", "days", "days: working days to add, from 0 to %d",
                   CAL_ADD_MAX);
        return;
    }
    const struct cal *c = calendar_acquire(C);
    int32_t res = cal_add_workdays(c, day, n);
    /* Known only if every year the count walked through is. */
    bool known = true;
    for (int y = year_of_day(day); y <= year_of_day(res); y++)
        known = known && cal_year_known(c, y);
    calendar_release(C, c);
    char from[11], to[11];
    cal_format_date(day, from);
    cal_format_date(res, to);
    resp_json(rs, 200, json_pack("{s:s, s:i, s:s, s:b}", "date", from, "days", n, "result", to,
                                 "known", known));
}

/* The submitted text of a PUT: the body itself (text/plain, or no type),
 * or the "text" member of a JSON object (application/json). Borrowed from
 * rq or from *j (released by the caller). NULL with err otherwise. */
static const char *put_text(const struct http_req *rq, int year, json_t **j, struct yw_err *err)
{
    const char *ct = rq->content_type;
    if (ct && (strncasecmp(ct, "application/json", 16) == 0)) {
        *j = api_body_object(rq, err);
        if (!*j)
            return NULL;
        const char *key;
        json_t *v;
        json_object_foreach(*j, key, v) {
            if (strcmp(key, "text") == 0)
                continue;
            if (strcmp(key, "year") == 0 && json_is_integer(v) && json_integer_value(v) == year)
                continue;
            yw_fail_field(err, YW_EINVAL, key,
                          strcmp(key, "year") == 0 ? "year: %s: not the year of the path"
                                                   : "%s: unknown field (send {\"text\": …})",
                          key);
            return NULL;
        }
        const char *text = json_string_value(json_object_get(*j, "text"));
        if (!text) {
            yw_fail_field(err, YW_EINVAL, "text",
                          "text: required, a string in the format of cn-holidays.txt");
            return NULL;
        }
        if (strlen(text) != json_string_length(json_object_get(*j, "text"))) {
            yw_fail_field(err, YW_EINVAL, "text", "text: holds a NUL character");
            return NULL;
        }
        return text;
    }
    if (ct && strncasecmp(ct, "text/plain", 10) != 0) {
        yw_fail_field(err, YW_EINVAL, "body",
                      "body: send text/plain (the lines of cn-holidays.txt) or "
                      "application/json {\"text\": …}");
        return NULL;
    }
    if (strlen(rq->body) != rq->body_len) {
        yw_fail_field(err, YW_EINVAL, "body", "body: holds a NUL byte");
        return NULL;
    }
    return rq->body;
}

/* PUT /api/v1/calendar/years/{year}: adds or replaces a year. Every problem
 * is answered at once, with its line: {"error":{"code":"invalid","message":
 * "request:3: …","field":"text","problems":[{"line":3,"message":"…"},…]}}. */
static void calendar_year_put(const struct http_req *rq, struct http_resp *rs)
{
    struct calendar *C = need_calendar(rq, rs);
    if (!C)
        return;
    struct yw_err err = YW_ERR_INIT;
    int year = 0;
    const char *seg = route_param(rq->match, "year");
    char object[32];
    snprintf(object, sizeof object, "calendar:%.8s", seg ? seg : "");
    json_t *body = NULL;
    const char *text = NULL;
    if (parse_year(seg, "year", &year, &err) != 0 ||
        !(text = put_text(rq, year, &body, &err))) {
        char result[600];
        snprintf(result, sizeof result, "failed: %s", err.msg);
        api_audit(rq, "calendar.year", object, NULL, NULL, result);
        resp_err(rs, &err);
        json_decref(body);
        return;
    }
    struct cal_problem probs[CAL_PROBLEMS_MAX];
    size_t np = cal_check(text, year, probs, CAL_PROBLEMS_MAX);
    if (np > 0) {
        json_t *list = json_array();
        for (size_t i = 0; i < np && i < CAL_PROBLEMS_MAX; i++)
            json_array_append_new(list, json_pack("{s:i, s:s}", "line", probs[i].line,
                                                  "message", probs[i].msg));
        char first[260];
        if (probs[0].line > 0)
            snprintf(first, sizeof first, "request:%d: %s", probs[0].line, probs[0].msg);
        else
            snprintf(first, sizeof first, "request: %s", probs[0].msg);
        char result[400];
        snprintf(result, sizeof result, "failed: %s%s", first, np > 1 ? " (and more)" : "");
        api_audit(rq, "calendar.year", object, NULL, NULL, result);
        bool too_long = probs[0].line == 0 && strncmp(probs[0].msg, "longer", 6) == 0;
        json_t *extra = json_pack("{s:s, s:o, s:i}", "field", "text", "problems", list, "count",
                                  (int)np);
        if (np > 1)
            resp_error_extra(rs, too_long ? 413 : 400, too_long ? "too_large" : "invalid", extra,
                             "%s (and %zu more)", first, np - 1);
        else
            resp_error_extra(rs, too_long ? 413 : 400, too_long ? "too_large" : "invalid", extra,
                             "%s", first);
        json_decref(body);
        return;
    }
    const struct cal *old = calendar_acquire(C);
    json_t *before = calendar_year_json(old, year);
    calendar_release(C, old);
    if (calendar_put_year_by(C, year, text, "request", rq->who->user[0] ? rq->who->user : NULL,
                             &err) != 0) {
        char result[600];
        snprintf(result, sizeof result, "failed: %s", err.msg);
        api_audit(rq, "calendar.year", object, NULL, NULL, result);
        resp_err(rs, &err);
    } else {
        const struct cal *c = calendar_acquire(C);
        json_t *after = calendar_year_json(c, year);
        calendar_release(C, c);
        api_audit(rq, "calendar.year", object, before, after, "ok");
        resp_json(rs, 200, after);
    }
    json_decref(before);
    json_decref(body);
}

const struct route api_calendar_routes[] = {
    {"GET", "/api/v1/calendar", calendar_get, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/calendar/years", calendar_years, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/calendar/years/{year}", calendar_year_get, ACT_OPS_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/calendar/years/{year}", calendar_year_put, ACT_CALENDAR_WRITE, 0,
     "calendar.year", NULL},
    {"GET", "/api/v1/calendar/workday", calendar_workday, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/calendar/add", calendar_add, ACT_OPS_READ, 0, NULL, NULL},
};
const size_t api_calendar_nroutes = sizeof api_calendar_routes / sizeof api_calendar_routes[0];
