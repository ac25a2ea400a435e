/* The working-day calendar (cal/cal.h): day arithmetic, the file format and
 * its errors, every 2026 holiday and make-up day of the shipped file, the
 * examples of the contract worked by hand, the year boundary, deadlines in
 * Asia/Shanghai, an added year laid over the shipped one, and the process's
 * calendar over a real store (put, swap while a reader holds the old one,
 * reload, reopen). */
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cal/cal.h"
#include "core/mem.h"
#include "store/store.h"
#include "store/store_cal.h"
#include "t.h"

/* ---- helpers ------------------------------------------------------------------- */

static int32_t D(const char *s)
{
    int32_t d = 0;
    if (cal_parse_date(s, &d) != 0) {
        printf("#   bad date in the test: %s\n", s);
        t_cur_failed++;
    }
    return d;
}

static const char *S(int32_t day)
{
    static char buf[4][11];
    static int k;
    k = (k + 1) % 4;
    cal_format_date(day, buf[k]);
    return buf[k];
}

static struct cal *builtin(void)
{
    struct yw_err e = YW_ERR_INIT;
    struct cal *c = cal_build(NULL, 0, &e);
    if (!c)
        printf("#   cal_build: %s\n", e.msg);
    return c;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = xmalloc(CAL_FILE_MAX + 1);
    size_t n = fread(buf, 1, CAL_FILE_MAX, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

/* A line of the shipped file, read here by sscanf, independently of cal.c. */
struct line {
    char date[11];
    char kind[8];
    char name[64];
};

static size_t file_lines(const char *year_prefix, struct line *out, size_t max)
{
    FILE *f = fopen(CAL_DATA_FILE, "r");
    if (!f)
        return 0;
    char buf[512];
    size_t n = 0;
    while (fgets(buf, sizeof buf, f) && n < max) {
        if (strncmp(buf, year_prefix, strlen(year_prefix)) != 0)
            continue;
        if (sscanf(buf, "%10s %7s %63[^\n]", out[n].date, out[n].kind, out[n].name) == 3)
            n++;
    }
    fclose(f);
    return n;
}

static ms_t T(const char *rfc3339)
{
    ms_t t = 0;
    if (time_parse_rfc3339(rfc3339, &t) != 0) {
        printf("#   bad time in the test: %s\n", rfc3339);
        t_cur_failed++;
    }
    return t;
}

/* ---- dates ----------------------------------------------------------------------- */

TEST(day_numbers_round_trip_2000_2099)
{
    CHECK_INT(cal_day_from_ymd(1970, 1, 1), 0);
    CHECK_INT(cal_day_from_ymd(2000, 1, 1), 10957);
    CHECK_INT(cal_day_from_ymd(2099, 12, 31), 47481);
    CHECK_INT(cal_day_from_ymd(1969, 12, 31), -1);
    int32_t prev = cal_day_from_ymd(1999, 12, 31);
    int bad = 0;
    for (int y = 2000; y <= 2099; y++) {
        for (int m = 1; m <= 12; m++) {
            static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int last = m == 2 && leap ? 29 : dm[m - 1];
            for (int d = 1; d <= last; d++) {
                int32_t day = cal_day_from_ymd(y, m, d);
                int yy, mm, dd;
                cal_day_to_ymd(day, &yy, &mm, &dd);
                char txt[11], want[40];
                snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
                cal_format_date(day, txt);
                int32_t back = -1;
                if (day != prev + 1 || yy != y || mm != m || dd != d || strcmp(txt, want) != 0 ||
                    cal_parse_date(want, &back) != 0 || back != day ||
                    cal_weekday(day) != (cal_weekday(prev) + 1) % 7)
                    bad++;
                prev = day;
            }
        }
    }
    CHECK_INT(bad, 0);
    CHECK_INT(prev, 47481);
    /* weekdays worked out on a printed calendar */
    CHECK_INT(cal_weekday(0), 4);                        /* 1970-01-01 Thursday */
    CHECK_INT(cal_weekday(-1), 3);                       /* 1969-12-31 Wednesday */
    CHECK_INT(cal_weekday(D("2000-01-01")), 6);          /* Saturday */
    CHECK_INT(cal_weekday(D("2026-04-03")), 5);          /* Friday */
    CHECK_INT(cal_weekday(D("2026-04-04")), 6);          /* Saturday */
    CHECK_INT(cal_weekday(D("2099-12-31")), 4);          /* Thursday */
}

TEST(parse_date_is_strict)
{
    int32_t d = 12345;
    CHECK_INT(cal_parse_date("2024-02-29", &d), 0);
    CHECK_STR(S(d), "2024-02-29");
    CHECK_INT(cal_parse_date("2000-02-29", &d), 0); /* divisible by 400: leap */
    const char *bad[] = {"2026-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-04-00",
                         "2026-04-31", "1999-12-31", "2100-01-01", "2026-4-3",   "2026-04-3",
                         "2026/04/03", "2026-04-03x", " 2026-04-03", "2026-04-03 ", "",
                         "20260403",   "２０２６-04-03", "2026-0a-03"};
    d = 777;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (cal_parse_date(bad[i], &d) != -1)
            printf("#   accepted '%s'\n", bad[i]), t_cur_failed++;
    }
    CHECK_INT(d, 777); /* untouched */
    CHECK_INT(cal_parse_date(NULL, &d), -1);
    CHECK_STR(S(D("2099-12-31")), "2099-12-31");
    CHECK_STR(S(D("2000-01-01")), "2000-01-01");
}

/* ---- the shipped data -------------------------------------------------------------- */

TEST(builtin_text_is_the_shipped_file)
{
    char *file = read_file(CAL_DATA_FILE);
    CHECK(file != NULL);
    if (file)
        CHECK(strcmp(file, cal_builtin_text()) == 0);
    xfree(file);
    /* and it parses, covering 2020..2026 */
    struct cal_day *days = NULL;
    size_t nd = 0, ny = 0;
    int *years = NULL;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(cal_parse(cal_builtin_text(), "builtin", &days, &nd, &years, &ny, &e), 0);
    CHECK_INT(ny, 7);
    if (ny == 7) {
        CHECK_INT(years[0], 2020);
        CHECK_INT(years[6], 2026);
    }
    for (size_t i = 1; i < nd; i++)
        CHECK(days[i - 1].day < days[i].day);
    xfree(days);
    xfree(years);
}

TEST(every_day_of_2026)
{
    struct cal *c = builtin();
    if (!c)
        return;
    struct line lines[100];
    size_t n = file_lines("2026-", lines, 100);
    CHECK_INT(n, 39); /* 33 days off, 6 make-up working days */
    int listed_ok = 0;
    for (size_t i = 0; i < n; i++) {
        const struct cal_day *l = NULL;
        bool work = cal_is_workday(c, D(lines[i].date), &l);
        bool want = strcmp(lines[i].kind, "work") == 0;
        if (work != want || !l || strcmp(l->name, lines[i].name) != 0 ||
            l->kind != (want ? CAL_WORK : CAL_OFF))
            printf("#   %s: workday %d, want %d (%s)\n", lines[i].date, work, want,
                   lines[i].name), t_cur_failed++;
        else
            listed_ok++;
    }
    CHECK_INT(listed_ok, 39);
    /* Every other day: Monday to Friday work, weekends rest. */
    int32_t from = D("2026-01-01"), to = D("2027-01-01");
    int ordinary = 0, wrong = 0;
    for (int32_t d = from; d < to; d++) {
        bool in_file = false;
        for (size_t i = 0; i < n; i++)
            in_file = in_file || strcmp(lines[i].date, S(d)) == 0;
        if (in_file)
            continue;
        ordinary++;
        const struct cal_day *l = (const struct cal_day *)1;
        int w = cal_weekday(d);
        if (cal_is_workday(c, d, &l) != (w >= 1 && w <= 5) || l != NULL)
            wrong++;
    }
    CHECK_INT(ordinary, 365 - 39);
    CHECK_INT(wrong, 0);
    /* 261 weekdays - 19 of them off + 6 make-up days, counted by hand */
    CHECK_INT(cal_count_workdays(c, from, to), 248);
    CHECK(cal_year_known(c, 2026));
    CHECK(!cal_year_added(c, 2026));
    const struct cal_day *first = NULL;
    CHECK_INT(cal_year_days(c, 2026, &first), 39);
    CHECK_STR(S(first[0].day), "2026-01-01");
    CHECK_STR(first[0].name, "元旦");
    cal_free(c);
}

TEST(qingming_example)
{
    struct cal *c = builtin();
    if (!c)
        return;
    /* The contract's example: Friday + 1 working day skips 4-6 April. */
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-03"), 1)), "2026-04-07");
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-03"), 0)), "2026-04-03");
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-04"), 0)), "2026-04-07");
    /* from a holiday, +0 and +1 meet: the first working day after the 4th is the 7th */
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-04"), 1)), "2026-04-07");
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-04"), 2)), "2026-04-08");
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-02"), 2)), "2026-04-07");
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-03"), 3)), "2026-04-09");
    const struct cal_day *l = NULL;
    CHECK(!cal_is_workday(c, D("2026-04-06"), &l)); /* a Monday off */
    CHECK(l && strcmp(l->name, "清明节") == 0);
    CHECK_INT(cal_count_workdays(c, D("2026-04-03"), D("2026-04-08")), 2); /* 3rd and 7th */
    CHECK_INT(cal_count_workdays(c, D("2026-04-08"), D("2026-04-03")), 0);
    CHECK_INT(cal_count_workdays(c, D("2026-04-03"), D("2026-04-03")), 0);
    cal_free(c);
}

TEST(make_up_saturdays_and_sundays)
{
    struct cal *c = builtin();
    if (!c)
        return;
    const char *makeup[] = {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20",
                            "2026-10-10"};
    for (size_t i = 0; i < 6; i++) {
        int w = cal_weekday(D(makeup[i]));
        CHECK(w == 0 || w == 6);
        CHECK(cal_is_workday(c, D(makeup[i]), NULL));
    }
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-27"), 1)), "2026-02-28"); /* Fri -> make-up Sat */
    CHECK_STR(S(cal_add_workdays(c, D("2026-05-08"), 1)), "2026-05-09");
    CHECK_STR(S(cal_add_workdays(c, D("2026-05-09"), 1)), "2026-05-11"); /* Sun 10th rests */
    CHECK_STR(S(cal_add_workdays(c, D("2026-10-09"), 1)), "2026-10-10");
    CHECK_STR(S(cal_add_workdays(c, D("2026-09-18"), 1)), "2026-09-20"); /* Sat 19th rests */
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-28"), 0)), "2026-02-28");
    /* an ordinary Saturday is still a rest day */
    CHECK(!cal_is_workday(c, D("2026-03-07"), NULL));
    cal_free(c);
}

TEST(spring_festival_2026)
{
    struct cal *c = builtin();
    if (!c)
        return;
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-13"), 1)), "2026-02-14");
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-13"), 2)), "2026-02-24");
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-14"), 1)), "2026-02-24");
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-15"), 0)), "2026-02-24");
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-20"), 5)), "2026-02-28");
    for (int32_t d = D("2026-02-15"); d <= D("2026-02-23"); d++)
        CHECK(!cal_is_workday(c, d, NULL));
    /* 14th (make-up), 24th-27th, 28th (make-up) */
    CHECK_INT(cal_count_workdays(c, D("2026-02-14"), D("2026-03-01")), 6);
    /* the fault report of a fault resolved on New Year's Eve */
    CHECK_STR(S(cal_add_workdays(c, D("2026-02-16"), 3)), "2026-02-26");
    cal_free(c);
}

TEST(across_the_year_boundary)
{
    struct cal *c = builtin();
    if (!c)
        return;
    /* 2025-12-31 (Wed) + 1: 1-3 January off, Sunday 4th is a make-up day */
    CHECK_STR(S(cal_add_workdays(c, D("2025-12-31"), 1)), "2026-01-04");
    CHECK_STR(S(cal_add_workdays(c, D("2025-12-31"), 2)), "2026-01-05");
    CHECK_INT(cal_count_workdays(c, D("2025-12-29"), D("2026-01-05")), 4); /* 29-31, 4th */
    /* Into 2027, whose notice is not out: only the weekend rule answers. */
    CHECK(cal_year_known(c, 2026));
    CHECK(!cal_year_known(c, 2027));
    CHECK(!cal_year_known(c, 2019));
    CHECK_STR(S(cal_add_workdays(c, D("2026-12-31"), 1)), "2027-01-01"); /* a Friday */
    CHECK_STR(S(cal_add_workdays(c, D("2026-12-30"), 3)), "2027-01-04");
    CHECK_STR(S(cal_add_workdays(c, D("2026-12-31"), 2)), "2027-01-04");
    const struct cal_day *l = (const struct cal_day *)1;
    CHECK(cal_is_workday(c, D("2027-01-01"), &l));
    CHECK(l == NULL);
    CHECK(!cal_is_workday(c, D("2027-01-02"), NULL));
    const struct cal_day *first = NULL;
    CHECK_INT(cal_year_days(c, 2027, &first), 0);
    const int *years = NULL;
    CHECK_INT(cal_years(c, &years), 7);
    cal_free(c);
}

TEST(deadlines_in_shanghai)
{
    struct cal *c = builtin();
    if (!c)
        return;
    /* Resolved Wednesday 30 September 15:00 +08:00; 1-7 October off; 8th,
     * 9th and Saturday 10th (make-up) are the three working days: due by
     * the end of the 10th. */
    ms_t resolved = T("2026-09-30T15:00:00+08:00");
    CHECK_INT(cal_deadline(c, resolved, 3, "Asia/Shanghai"), T("2026-10-11T00:00:00+08:00"));
    CHECK_INT(cal_deadline(c, resolved, 3, NULL), T("2026-10-11T00:00:00+08:00"));
    CHECK_INT(cal_day_of(resolved, "Asia/Shanghai"), D("2026-09-30"));
    /* 00:30 in Shanghai is still the previous day in UTC. */
    ms_t t = T("2026-04-02T16:30:00Z");
    CHECK_INT(cal_day_of(t, "Asia/Shanghai"), D("2026-04-03"));
    CHECK_INT(cal_day_of(t, "UTC"), D("2026-04-02"));
    CHECK_INT(cal_deadline(c, t, 1, "Asia/Shanghai"), T("2026-04-08T00:00:00+08:00"));
    CHECK_INT(cal_deadline(c, t, 1, "UTC"), T("2026-04-04T00:00:00Z"));
    CHECK_INT(cal_day_start(D("2026-10-11"), "Asia/Shanghai"), T("2026-10-10T16:00:00Z"));
    /* n = 0: the end of the day itself when it is a working day */
    CHECK_INT(cal_deadline(c, T("2026-04-03T09:00:00+08:00"), 0, "Asia/Shanghai"),
              T("2026-04-04T00:00:00+08:00"));
    CHECK_INT(cal_deadline(c, T("2026-04-04T09:00:00+08:00"), 0, "Asia/Shanghai"),
              T("2026-04-08T00:00:00+08:00"));
    cal_free(c);
}

/* ---- the format's errors ------------------------------------------------------------- */

static void parse_fails(const char *text, enum yw_errcode code, const char *want_prefix,
                        const char *want_word)
{
    struct cal_day *days = (struct cal_day *)(uintptr_t)1;
    size_t nd = 99;
    int *years = NULL;
    size_t ny = 0;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(cal_parse(text, "t.txt", &days, &nd, &years, &ny, &e), -1);
    CHECK_INT(e.code, code);
    CHECK(days == (struct cal_day *)(uintptr_t)1 && nd == 99); /* untouched */
    if (strncmp(e.msg, want_prefix, strlen(want_prefix)) != 0 ||
        (want_word && !strstr(e.msg, want_word)))
        printf("#   message '%s', want '%s…%s'\n", e.msg, want_prefix, want_word ? want_word : ""),
            t_cur_failed++;
}

TEST(parse_errors)
{
    parse_fails("2026-02-30 off 春节\n", YW_EINVAL, "t.txt:1: ", "not a date");
    parse_fails("# x\n\n2026-2-3 off 春节\n", YW_EINVAL, "t.txt:3: ", "not a date");
    parse_fails("2026-04-05 holiday 清明节\n", YW_EINVAL, "t.txt:1: ", "unknown kind 'holiday'");
    parse_fails("2026-04-05\n", YW_EINVAL, "t.txt:1: ", "missing the kind");
    /* bytes that are not text never reach a message (it goes into JSON) */
    parse_fails("\xff\xfe\x01\xe6\x98\xa5-04-05 off x\n", YW_EINVAL, "t.txt:1: ",
                "'\x3f\x3f\x3f\x3f\x3f\x3f-04-05' is not a date");
    parse_fails("2026-04-05 \xe6\x98\xa5\xe8\x8a\x82 x\n", YW_EINVAL, "t.txt:1: ",
                "unknown kind '\x3f\x3f\x3f\x3f\x3f\x3f'");
    parse_fails("2026-04-05 off\n", YW_EINVAL, "t.txt:1: ", "missing the holiday's name");
    parse_fails("2026-04-05 off 清明节\n2026-04-06 off 清明节\n2026-04-05 work 清明节\n",
                YW_EINVAL, "t.txt:3: ", "listed twice (also at line 1)");
    parse_fails("# 2026\n2026-12-31 off x\n2025-10-01 off 国庆节\n", YW_EINVAL, "t.txt:3: ",
                "not in 2026, the year of the block opened at line 1");
    parse_fails("# 2026\n2027-01-01 off 元旦\n", YW_EINVAL, "t.txt:2: ", "not in 2026");
    parse_fails("# 2026\n2025-12-21 off 元旦\n", YW_EINVAL, "t.txt:2: ", "not in 2026");
    parse_fails("1999-10-01 off 国庆节\n", YW_EINVAL, "t.txt:1: ", "not a date");
    parse_fails("2026-04-05 off \x01" "bad\n", YW_EINVAL, "t.txt:1: ", "not UTF-8 text");
    parse_fails("2026-04-05 off \xff\xfe\n", YW_EINVAL, "t.txt:1: ", "not UTF-8 text");
    parse_fails("2026-04-05 off \xed\xa0\x80\n", YW_EINVAL, "t.txt:1: ", "not UTF-8"); /* surrogate */
    parse_fails("2026-04-05 off \xc0\xaf\n", YW_EINVAL, "t.txt:1: ", "not UTF-8");     /* overlong */
    char name[200];
    memset(name, 'x', 100);
    snprintf(name + 100, sizeof name - 100, "\n");
    char line[300];
    snprintf(line, sizeof line, "2026-04-05 off %s", name);
    parse_fails(line, YW_EINVAL, "t.txt:1: ", "name longer than 63 bytes");
    char *longline = xmalloc(CAL_LINE_MAX + 40);
    snprintf(longline, CAL_LINE_MAX + 40, "2026-04-05 off ");
    memset(longline + 15, 'y', CAL_LINE_MAX);
    longline[15 + CAL_LINE_MAX] = '\0';
    parse_fails(longline, YW_EINVAL, "t.txt:1: ", "line longer than 256 bytes");
    xfree(longline);
    /* too long as a whole: no line is even looked at */
    char *big = xmalloc(CAL_FILE_MAX + 2);
    memset(big, '#', CAL_FILE_MAX + 1);
    big[CAL_FILE_MAX + 1] = '\0';
    parse_fails(big, YW_ELIMIT, "t.txt: ", "longer than 1048576 bytes");
    xfree(big);
    /* several problems: the first by line, with the count of the others */
    parse_fails("2026-04-05 of x\n2026-04-32 off x\n", YW_EINVAL, "t.txt:1: ", "(and 1 more)");
}

TEST(parse_accepts_the_format_variants)
{
    /* CRLF, a byte-order mark, tabs, blank and comment lines, spaces in names */
    const char *text = "\xef\xbb\xbf# 2027 \r\n\r\n  2027-01-01\toff\t元旦  \r\n"
                       "#\n# 2027年通知\n2027-02-07 work Spring Festival (make-up)\r\n";
    struct cal_day *days = NULL;
    size_t nd = 0, ny = 0;
    int *years = NULL;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(cal_parse(text, "t", &days, &nd, &years, &ny, &e), 0);
    CHECK_INT(nd, 2);
    CHECK_INT(ny, 1);
    if (nd == 2 && ny == 1) {
        CHECK_STR(S(days[0].day), "2027-01-01");
        CHECK_STR(days[0].name, "元旦");
        CHECK_INT(days[1].kind, CAL_WORK);
        CHECK_STR(days[1].name, "Spring Festival (make-up)");
        CHECK_INT(years[0], 2027);
    }
    xfree(days);
    xfree(years);
    /* an empty text is a calendar with nothing listed */
    days = NULL;
    CHECK_INT(cal_parse("", "t", &days, &nd, &years, &ny, &e), 0);
    CHECK_INT(nd, 0);
    CHECK_INT(ny, 0);
    xfree(days);
    xfree(years);
    /* "work" on a weekday is allowed: 2020-02-03 (a Monday) is in the file */
    struct cal *c = builtin();
    if (c) {
        CHECK(cal_is_workday(c, D("2020-02-03"), NULL));
        cal_free(c);
    }
}

TEST(parse_year_blocks)
{
    struct cal_day *days = NULL;
    size_t nd = 0;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(cal_parse_year("# 2027\n2027-01-01 off 元旦\n", "request", 2027, &days, &nd, &e), 0);
    CHECK_INT(nd, 1);
    xfree(days);
    days = NULL;
    CHECK_INT(cal_parse_year("2027-01-01 off 元旦\n2026-11-30 off x\n", "request", 2027, &days, &nd,
                             &e), -1);
    CHECK_STR(e.msg, "request:2: 2026-11-30 is not in 2027 (a year's block lists its dates, and "
                     "22-31 December of the year before, where its New Year holiday can begin)");
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_INT(cal_parse_year("# 2026\n", "request", 2027, &days, &nd, &e), -1);
    CHECK_STR(e.msg, "request:1: this is the block of 2026, not 2027");
    CHECK_INT(cal_parse_year("# only comments\n\n", "request", 2027, &days, &nd, &e), -1);
    CHECK_STR(e.msg, "request: no dates listed for 2027");
    CHECK_INT(cal_parse_year("2100-01-01 off x\n", "request", 2100, &days, &nd, &e), -1);
    CHECK_STR(e.field, "year");
    /* a year's block is limited to CAL_TEXT_MAX: 64 KiB of comments is too long */
    char *big = xmalloc(CAL_TEXT_MAX + 100);
    size_t n = 0;
    while (n < CAL_TEXT_MAX + 10) {
        memcpy(big + n, "# padding padding padding padding padding padding padding\n", 58);
        n += 58;
    }
    big[n] = '\0';
    CHECK_INT(cal_parse_year(big, "request", 2027, &days, &nd, &e), -1);
    CHECK_INT(e.code, YW_ELIMIT);
    CHECK(strstr(e.msg, "longer than 65536 bytes") != NULL);
    xfree(big);
    CHECK(days == NULL);
}

TEST(check_lists_every_problem_by_line)
{
    const char *text = "# 2027\n"
                       "2027-01-01 off 元旦\n"       /* 2 ok */
                       "2027-01-32 off 元旦\n"       /* 3 bad date */
                       "2027-02-07 rest 春节\n"      /* 4 kind */
                       "2026-10-01 off 国庆节\n"     /* 5 not in the block (and not 2027) */
                       "2027-01-01 off 元旦\n";      /* 6 twice */
    struct cal_problem p[CAL_PROBLEMS_MAX];
    CHECK_INT(cal_check(text, 2027, p, CAL_PROBLEMS_MAX), 4);
    CHECK_INT(p[0].line, 3);
    CHECK_INT(p[1].line, 4);
    CHECK_INT(p[2].line, 5);
    CHECK_INT(p[3].line, 6);
    CHECK(strstr(p[3].msg, "listed twice (also at line 2)") != NULL);
    CHECK_INT(cal_check(text, 0, p, 1), 4); /* only one written, all counted */
    CHECK_INT(p[0].line, 3);
    CHECK_INT(cal_check("2027-01-01 off 元旦\n", 2027, NULL, 0), 0);
    CHECK_INT(cal_check(cal_builtin_text(), 0, NULL, 0), 0);
    /* many bad lines: the count is exact, the list is capped */
    char *many = xmalloc(600 * 20 + 1);
    many[0] = '\0';
    for (int i = 0; i < 600; i++)
        strcat(many, "2027-99-99 off x\n");
    CHECK_INT(cal_check(many, 2027, p, CAL_PROBLEMS_MAX), 600);
    CHECK_INT(p[CAL_PROBLEMS_MAX - 1].line, CAL_PROBLEMS_MAX);
    xfree(many);
}

TEST(notices_that_begin_in_december)
{
    /* The shipped block of 2023 lists 2022-12-31 (a Saturday). */
    struct cal *c = builtin();
    if (c) {
        const struct cal_day *first = NULL;
        size_t n = cal_year_days(c, 2023, &first);
        CHECK(n > 0);
        if (n > 0)
            CHECK_STR(S(first[0].day), "2022-12-31");
        n = cal_year_days(c, 2022, &first);
        CHECK(n > 0 && first[n - 1].day < D("2022-12-31"));
        const struct cal_day *l = NULL;
        CHECK(!cal_is_workday(c, D("2022-12-31"), &l));
        CHECK(l && strcmp(l->name, "元旦") == 0);
        cal_free(c);
    }
    /* A 2027 notice like 2019's: 31 December 2026 (a Thursday) off, and a
     * make-up Sunday the 27th. It belongs to 2027's block, not 2026's. */
    struct cal_day *days = NULL;
    size_t nd = 0;
    struct yw_err e = YW_ERR_INIT;
    const char *y2027 = "2026-12-27 work 元旦\n2026-12-31 off 元旦\n2027-01-01 off 元旦\n";
    CHECK_INT(cal_parse_year(y2027, "request", 2027, &days, &nd, &e), 0);
    CHECK_INT(nd, 3);
    xfree(days);
    const char *texts[] = {y2027};
    const int years[] = {2027};
    c = cal_build_years(years, texts, 1, &e);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK(cal_year_added(c, 2027));
    CHECK(!cal_year_added(c, 2026)); /* the shipped 2026 stays whole */
    const struct cal_day *first = NULL;
    CHECK_INT(cal_year_days(c, 2027, &first), 3);
    CHECK_INT(cal_year_days(c, 2026, &first), 39);
    CHECK(cal_is_workday(c, D("2026-12-27"), NULL));
    CHECK(!cal_is_workday(c, D("2026-12-31"), NULL));
    CHECK_STR(S(cal_add_workdays(c, D("2026-12-30"), 1)), "2027-01-04");
    CHECK_STR(S(cal_add_workdays(c, D("2026-12-25"), 1)), "2026-12-27");
    cal_free(c);
    /* cal_build, without the years, reads such a text by its dates: the
     * December days then make a block of 2026 that replaces the shipped one. */
    c = cal_build(texts, 1, &e);
    if (c) {
        CHECK(cal_year_added(c, 2026));
        CHECK_INT(cal_year_days(c, 2026, &first), 2);
        cal_free(c);
    }
    /* with a "# 2027" comment it knows better */
    const char *hdr[] = {"# 2027\n2026-12-31 off 元旦\n2027-01-01 off 元旦\n"};
    c = cal_build(hdr, 1, &e);
    if (c) {
        CHECK(!cal_year_added(c, 2026));
        CHECK_INT(cal_year_days(c, 2027, &first), 2);
        cal_free(c);
    }
    /* a bad stored year is named by its year */
    const char *bad[] = {"2027-01-01 of 元旦\n"};
    CHECK(cal_build_years(years, bad, 1, &e) == NULL);
    CHECK_STR(e.msg, "added year 2027:1: 2027-01-01: unknown kind 'of' (off or work)");
    /* Two notices listing one day: the later year's decides. */
    const char *both[] = {"# 2026\n2026-12-31 work 旧\n", "# 2027\n2026-12-31 off 新\n"};
    c = cal_build(both, 2, &e);
    CHECK(c != NULL);
    if (c) {
        const struct cal_day *l = NULL;
        CHECK(!cal_is_workday(c, D("2026-12-31"), &l));
        CHECK(l && strcmp(l->name, "新") == 0);
        CHECK_INT(cal_year_days(c, 2026, &first), 0); /* its only day went to 2027 */
        CHECK(cal_year_known(c, 2026));
        cal_free(c);
    }
    /* and a block of its own header year inside a year's text is refused */
    CHECK_INT(cal_parse_year("# 2026\n2026-12-31 off 元旦\n", "request", 2027, &days, &nd, &e), -1);
    CHECK(strstr(e.msg, "request:1: this is the block of 2026, not 2027") == e.msg);
}

/* ---- building, overlays ----------------------------------------------------------- */

TEST(added_year_replaces_the_shipped_one)
{
    /* A (made-up) corrected 2026: Qingming moved to Tuesday 7 April only. */
    const char *texts[] = {"# 2026\n2026-04-07 off 清明节（更正）\n",
                           "# 2027\n2027-01-01 off 元旦\n2027-02-06 work 春节\n"};
    struct yw_err e = YW_ERR_INIT;
    struct cal *c = cal_build(texts, 2, &e);
    CHECK(c != NULL);
    if (!c)
        return;
    CHECK(cal_year_added(c, 2026));
    CHECK(cal_year_added(c, 2027));
    CHECK(!cal_year_added(c, 2025));
    CHECK(cal_year_known(c, 2025));
    CHECK(cal_year_known(c, 2027));
    const struct cal_day *first = NULL;
    CHECK_INT(cal_year_days(c, 2026, &first), 1); /* nothing of the shipped 2026 is left */
    CHECK(cal_is_workday(c, D("2026-04-06"), NULL));
    CHECK(cal_is_workday(c, D("2026-10-01"), NULL));
    CHECK(!cal_is_workday(c, D("2026-04-07"), NULL));
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-03"), 1)), "2026-04-06");
    CHECK_STR(S(cal_add_workdays(c, D("2026-04-06"), 1)), "2026-04-08");
    /* the shipped 2025 is still there */
    CHECK(!cal_is_workday(c, D("2025-10-01"), NULL));
    /* 2027: the added block, then only weekends again */
    CHECK(cal_is_workday(c, D("2027-02-06"), NULL)); /* a Saturday */
    CHECK_STR(S(cal_add_workdays(c, D("2026-12-31"), 1)), "2027-01-04");
    const int *years = NULL;
    CHECK_INT(cal_years(c, &years), 8);
    cal_free(c);

    /* Two texts of the same year: the later wins. */
    const char *twice[] = {"2027-01-01 off a\n", "2027-01-02 off b\n"};
    c = cal_build(twice, 2, &e);
    CHECK(c != NULL);
    if (c) {
        CHECK_INT(cal_year_days(c, 2027, &first), 1);
        CHECK_STR(first[0].name, "b");
        cal_free(c);
    }
    /* A bad extra text: no calendar, and the error names it. */
    const char *bad[] = {"2027-01-01 off 元旦\n", "2027-01-01 of 元旦\n"};
    CHECK(cal_build(bad, 2, &e) == NULL);
    CHECK_STR(e.msg, "added text 2:1: 2027-01-01: unknown kind 'of' (off or work)");
}

TEST(format_block_round_trips)
{
    struct cal *c = builtin();
    if (!c)
        return;
    const struct cal_day *first = NULL;
    size_t n = cal_year_days(c, 2026, &first);
    char *text = cal_format_block(2026, first, n);
    CHECK(strncmp(text, "# 2026\n2026-01-01 off 元旦\n", strlen("# 2026\n2026-01-01 off 元旦\n")) ==
          0);
    struct cal_day *days = NULL;
    size_t nd = 0;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(cal_parse_year(text, "t", 2026, &days, &nd, &e), 0);
    CHECK_INT(nd, n);
    bool same = nd == n;
    for (size_t i = 0; same && i < n; i++)
        same = days[i].day == first[i].day && days[i].kind == first[i].kind &&
               strcmp(days[i].name, first[i].name) == 0;
    CHECK(same);
    xfree(days);
    xfree(text);
    cal_free(c);
}

/* ---- the process's calendar over a store ------------------------------------------------ */

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

TEST(calendar_over_the_store)
{
    char tmpl[] = "/tmp/yw-cal-XXXXXX";
    char *dir = mkdtemp(tmpl);
    CHECK(dir != NULL);
    if (!dir)
        return;
    struct yw_err e = YW_ERR_INIT;
    struct store *St = store_open(dir, &e);
    CHECK(St != NULL);
    if (!St) {
        printf("#   store_open: %s\n", e.msg);
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
        return;
    }
    struct calendar *C = calendar_open(St, &e);
    CHECK(C != NULL);
    if (!C)
        goto out;
    const struct cal *old = calendar_acquire(C);
    CHECK(!cal_year_known(old, 2027));

    /* A bad text changes nothing. */
    CHECK_INT(calendar_put_year(C, 2027, "2027-01-01 off 元旦\n2026-10-31 off x\n", &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK(strncmp(e.msg, "request:2: ", 11) == 0);
    struct store_cal_year *rows = NULL;
    size_t nrows = 99;
    CHECK_INT(store_cal_list(St, &rows, &nrows, &e), 0);
    CHECK_INT(nrows, 0);
    store_cal_years_free(rows, nrows);
    const struct cal *same = calendar_acquire(C);
    CHECK(same == old);
    calendar_release(C, same);

    /* A good one is stored and swapped in; the reader holding the old
     * calendar keeps a valid one (ASan would catch a use after free). */
    const char *y2027 = "# 2027\n2027-01-01 off 元旦\n2027-02-06 work 春节\n";
    CHECK_INT(calendar_put_year_by(C, 2027, y2027, "request", "li.lei", &e), 0);
    const struct cal *now = calendar_acquire(C);
    CHECK(now != old);
    CHECK(cal_year_known(now, 2027));
    CHECK(cal_year_added(now, 2027));
    CHECK_STR(S(cal_add_workdays(now, D("2026-12-31"), 1)), "2027-01-04");
    CHECK(!cal_year_known(old, 2027));
    CHECK_STR(S(cal_add_workdays(old, D("2026-12-31"), 1)), "2027-01-01");
    calendar_release(C, old);
    CHECK_INT(store_cal_list(St, &rows, &nrows, &e), 0);
    CHECK_INT(nrows, 1);
    if (nrows == 1) {
        CHECK_INT(rows[0].year, 2027);
        CHECK_STR(rows[0].text, y2027);
        CHECK_STR(rows[0].by_user, "li.lei");
        CHECK(rows[0].updated > 0);
    }
    store_cal_years_free(rows, nrows);

    /* The answer the API gives for it. */
    json_t *j = calendar_year_json(now, 2027);
    char *txt = json_dumps(j, JSON_COMPACT);
    CHECK_STR(txt, "{\"year\":2027,\"known\":true,\"source\":\"added\",\"days\":["
                   "{\"date\":\"2027-01-01\",\"kind\":\"off\",\"name\":\"元旦\",\"weekday\":5},"
                   "{\"date\":\"2027-02-06\",\"kind\":\"work\",\"name\":\"春节\",\"weekday\":6}]}");
    free(txt);
    json_decref(j);
    j = calendar_year_json(now, 2030);
    txt = json_dumps(j, JSON_COMPACT);
    CHECK_STR(txt, "{\"year\":2030,\"known\":false,\"source\":null,\"days\":[]}");
    free(txt);
    json_decref(j);
    calendar_release(C, now);

    /* Another process (the CLI) stores 2028; reload picks it up. */
    CHECK_INT(store_cal_put(St, 2028, "2028-01-03 off 元旦\n", 1, "cli:root", &e), 0);
    const struct cal *c = calendar_acquire(C);
    CHECK(!cal_year_known(c, 2028));
    calendar_release(C, c);
    CHECK_INT(calendar_reload(C, &e), 0);
    c = calendar_acquire(C);
    CHECK(cal_year_known(c, 2028));
    CHECK(cal_year_known(c, 2027));
    calendar_release(C, c);

    /* Replacing a shipped year, then a restart: everything is still there. */
    CHECK_INT(calendar_put_year(C, 2026, "2026-10-08 off 国庆节\n", &e), 0);
    calendar_close(C);
    store_close(St);
    St = store_open(dir, &e);
    CHECK(St != NULL);
    if (!St)
        goto out;
    C = calendar_open(St, &e);
    CHECK(C != NULL);
    if (C) {
        c = calendar_acquire(C);
        CHECK(cal_year_added(c, 2026));
        CHECK(cal_is_workday(c, D("2026-10-01"), NULL));
        CHECK(!cal_is_workday(c, D("2026-10-08"), NULL));
        CHECK(cal_year_known(c, 2027) && cal_year_known(c, 2028));
        calendar_release(C, c);
    }
    /* A row edited by hand into nonsense: the calendar refuses to open
     * rather than answer deadlines wrongly. */
    CHECK_INT(store_cal_put(St, 2029, "2029-01-01 sometimes x\n", 1, NULL, &e), 0);
    struct calendar *C2 = calendar_open(St, &e);
    CHECK(C2 == NULL);
    CHECK_INT(e.code, YW_EIO);
    CHECK(strstr(e.msg, "stored year 2029:1:") != NULL);
    /* and a put of another year fails the same way, changing nothing */
    if (C) {
        CHECK_INT(calendar_put_year(C, 2030, "2030-01-01 off 元旦\n", &e), -1);
        CHECK_INT(store_cal_list(St, &rows, &nrows, &e), 0);
        CHECK_INT(nrows, 4); /* 2026, 2027, 2028, 2029: no 2030 */
        store_cal_years_free(rows, nrows);
    }
    /* store limits */
    CHECK_INT(store_cal_put(St, 1999, "x", 1, NULL, &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    char *big = xmalloc(STORE_CAL_TEXT_MAX + 2);
    memset(big, '#', STORE_CAL_TEXT_MAX + 1);
    big[STORE_CAL_TEXT_MAX + 1] = '\0';
    CHECK_INT(store_cal_put(St, 2031, big, 1, NULL, &e), -1);
    CHECK_INT(e.code, YW_ELIMIT);
    xfree(big);
    calendar_close(C);
out:
    store_close(St);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

TEST(calendar_without_a_store)
{
    struct yw_err e = YW_ERR_INIT;
    struct calendar *C = calendar_open(NULL, &e);
    CHECK(C != NULL);
    if (!C)
        return;
    const struct cal *c = calendar_acquire(C);
    CHECK(cal_year_known(c, 2026));
    calendar_release(C, c);
    CHECK_INT(calendar_put_year(C, 2027, "2027-01-01 off 元旦\n", &e), -1);
    CHECK_INT(e.code, YW_EIO);
    CHECK_INT(calendar_reload(C, &e), 0);
    calendar_close(C);
}

int main(void)
{
    if (time_set_display_zone("Asia/Shanghai") != 0)
        printf("# no Asia/Shanghai in the tz database\n");
    RUN(day_numbers_round_trip_2000_2099);
    RUN(parse_date_is_strict);
    RUN(builtin_text_is_the_shipped_file);
    RUN(every_day_of_2026);
    RUN(qingming_example);
    RUN(make_up_saturdays_and_sundays);
    RUN(spring_festival_2026);
    RUN(across_the_year_boundary);
    RUN(deadlines_in_shanghai);
    RUN(parse_errors);
    RUN(parse_accepts_the_format_variants);
    RUN(parse_year_blocks);
    RUN(check_lists_every_problem_by_line);
    RUN(notices_that_begin_in_december);
    RUN(added_year_replaces_the_shipped_one);
    RUN(format_block_round_trips);
    RUN(calendar_over_the_store);
    RUN(calendar_without_a_store);
    return t_done();
}
