/*
 * calendar — `yunwei calendar`: the working-day calendar from the shell.
 *
 *   add DATE N         the date N working days after DATE
 *   is-workday DATE    是/否 and why; the exit status answers too
 *   show YEAR          a year's holidays and make-up working days
 *   import FILE        adds (or replaces) a year in the store of --data DIR
 *
 * The questions need no store: the calendar shipped in the binary answers
 * them. When --data DIR (default ./var) holds a store (DIR/yunwei.db), the
 * years the administrator added there count too; the store is opened with
 * store_open_shared, so all of this works while `serve` runs on DIR.
 *
 * import validates the whole file first and lists every problem as
 * FILE:LINE: message (like `config check`), stores the year, and records
 * the change in the audit trail as user cli:<unix user>, source local (as
 * `yunwei user` does). A running server keeps the calendar it started with
 * until SIGHUP or a restart; PUT /api/v1/calendar/years/{year} changes it at once.
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cal/cal.h"
#include "cli/cli.h"
#include "core/mem.h"
#include "store/store.h"
#include "store/store_auth.h"

#define EXIT_NO 1    /* is-workday: not a working day; import: failed */
#define EXIT_FAIL 1
#define EXIT_USAGE 2

static const char usage[] =
    "Usage: yunwei calendar COMMAND [--data DIR]\n"
    "The working-day calendar (工作日历): weekends, China's public holidays and the\n"
    "make-up working days (调休), as shipped in yunwei plus the years added to the\n"
    "store of --data DIR (default ./var; used when DIR/yunwei.db exists).\n"
    "  calendar add DATE N        prints the date N working days after DATE (N 0..366;\n"
    "                             0: DATE itself if it is a working day, else the next)\n"
    "  calendar is-workday DATE   prints 是/否 and why; exit 0 working day, 1 not\n"
    "  calendar show YEAR         the year's holidays and make-up days (exit 1: the\n"
    "                             year is not in the calendar)\n"
    "  calendar import FILE [--year Y]\n"
    "                             adds or replaces year Y in the store (FILE in the format\n"
    "                             of cn-holidays.txt, '-' for stdin; without --year it must\n"
    "                             hold one year). Every problem is listed as FILE:LINE.\n"
    "                             Works while serve runs; the running server uses the year\n"
    "                             on SIGHUP or at its next start (PUT /api/v1/calendar/years/Y through\n"
    "                             the API takes effect at once). Audited as cli:<unix user>.\n"
    "DATE: YYYY-MM-DD or 'today' (in YUNWEI_TZ, default Asia/Shanghai).\n"
    "Exit status: 0 done, 1 not a working day / not known / import failed, 2 bad input.\n";

struct copts {
    const char *data;
    bool data_given;
    int year; /* import --year; 0 = none */
    int npos;
    char *pos[3];
};

__attribute__((format(printf, 2, 3))) static int bad_usage(const char *prog, const char *fmt,
                                                            ...)
{
    fprintf(stderr, "%s: ", prog);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(yunwei calendar --help shows the usage)\n");
    return EXIT_USAGE;
}

static int parse_year_arg(const char *s, int *year)
{
    int y = 0;
    if (!s || strlen(s) != 4)
        return -1;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        y = y * 10 + (*p - '0');
    }
    if (y < CAL_YEAR_MIN || y > CAL_YEAR_MAX)
        return -1;
    *year = y;
    return 0;
}

/* 1 for --help, 0 parsed, -1 after saying what is wrong. */
static int parse_opts(const char *prog, int argc, char **argv, bool year_ok, struct copts *o)
{
    enum { O_DATA = 1, O_YEAR, O_HELP };
    static const struct option longopts[] = {{"data", required_argument, NULL, O_DATA},
                                             {"year", required_argument, NULL, O_YEAR},
                                             {"help", no_argument, NULL, O_HELP},
                                             {NULL, 0, NULL, 0}};
    *o = (struct copts){.data = "var"};
    optind = 0;
    opterr = 0;
    int ch;
    /* "-" (stdin for import) is an operand; a leading '-' digit string such
     * as "-1" is an unknown option and refused. */
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (ch) {
        case O_DATA:
            o->data = optarg;
            o->data_given = true;
            break;
        case O_YEAR:
            if (!year_ok) {
                bad_usage(prog, "--year applies to import only");
                return -1;
            }
            if (parse_year_arg(optarg, &o->year) != 0) {
                fprintf(stderr, "%s: --year: a year from %d to %d, got '%s'\n", prog,
                        CAL_YEAR_MIN, CAL_YEAR_MAX, optarg);
                return -1;
            }
            break;
        case O_HELP: return 1;
        case ':': bad_usage(prog, "missing value for option '%s'", argv[optind - 1]); return -1;
        default:
            if (optopt >= '0' && optopt <= '9')
                bad_usage(prog, "'%s': a negative number (N counts working days from 0 to %d)",
                          argv[optind - 1], CAL_ADD_MAX);
            else
                bad_usage(prog, "unknown option '%s'", argv[optind - 1]);
            return -1;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos == (int)(sizeof o->pos / sizeof o->pos[0])) {
            bad_usage(prog, "unexpected argument '%s'", argv[i]);
            return -1;
        }
        o->pos[o->npos++] = argv[i];
    }
    return 0;
}

static int want_pos(const char *prog, const struct copts *o, int n, const char *what)
{
    if (o->npos == n)
        return 0;
    if (o->npos < n)
        bad_usage(prog, "missing %s", what);
    else
        bad_usage(prog, "unexpected argument '%s'", o->pos[n]);
    return -1;
}

static int parse_day(const char *prog, const char *s, int32_t *day)
{
    if (strcmp(s, "today") == 0) {
        *day = cal_day_of(time_now_ms(), NULL);
        return 0;
    }
    if (cal_parse_date(s, day) == 0)
        return 0;
    fprintf(stderr,
            "%s: '%s' is not a date: YYYY-MM-DD from %d to %d, or 'today' (日期格式错误)\n",
            prog, s, CAL_YEAR_MIN, CAL_YEAR_MAX);
    return -1;
}

static int year_of(int32_t day)
{
    int y, m, d;
    cal_day_to_ymd(day, &y, &m, &d);
    return y;
}

/* ---- the calendar the questions use ------------------------------------------- */

struct cal_src {
    struct store *S;
    struct calendar *C;
    const struct cal *c;
    struct cal *own; /* builtin only */
};

static bool store_exists(const char *dir)
{
    char *path = xasprintf("%s/yunwei.db", dir);
    struct stat st;
    bool yes = stat(path, &st) == 0 && S_ISREG(st.st_mode);
    xfree(path);
    return yes;
}

/* The builtin calendar, with the years stored in o->data when a store is
 * there. -1 after saying why. */
static int src_open(const char *prog, const struct copts *o, struct cal_src *s)
{
    *s = (struct cal_src){0};
    struct yw_err err = YW_ERR_INIT;
    if (!store_exists(o->data)) {
        if (o->data_given)
            fprintf(stderr, "%s: no store in %s (no yunwei.db): the calendar shipped with "
                            "yunwei answers\n", prog, o->data);
        s->own = cal_build(NULL, 0, &err);
        if (!s->own) {
            fprintf(stderr, "%s: %s\n", prog, err.msg);
            return -1;
        }
        s->c = s->own;
        return 0;
    }
    s->S = store_open_shared(o->data, &err);
    if (!s->S) {
        fprintf(stderr, "%s: store %s: %s\n", prog, o->data, err.msg);
        return -1;
    }
    s->C = calendar_open(s->S, &err);
    if (!s->C) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        store_close(s->S);
        s->S = NULL;
        return -1;
    }
    s->c = calendar_acquire(s->C);
    return 0;
}

static void src_close(struct cal_src *s)
{
    if (s->C) {
        calendar_release(s->C, s->c);
        calendar_close(s->C);
    }
    store_close(s->S);
    cal_free(s->own);
    *s = (struct cal_src){0};
}

static void warn_unknown(const char *prog, const struct cal *c, int from_year, int to_year)
{
    for (int y = from_year; y <= to_year; y++)
        if (!cal_year_known(c, y))
            fprintf(stderr,
                    "%s: %d 年的节假日尚未收录，只按周末计算 / the holidays of %d are not in "
                    "the calendar: only weekends count\n",
                    prog, y, y);
}

/* ---- add, is-workday, show --------------------------------------------------------- */

static int cmd_add(const char *prog, const struct copts *o)
{
    int32_t day;
    if (parse_day(prog, o->pos[0], &day) != 0)
        return EXIT_USAGE;
    const char *ns = o->pos[1];
    int n = 0;
    bool ok = *ns && strlen(ns) <= 3;
    for (const char *p = ns; ok && *p; p++) {
        ok = *p >= '0' && *p <= '9';
        n = n * 10 + (*p - '0');
    }
    if (!ok || n > CAL_ADD_MAX) {
        fprintf(stderr, "%s: N: working days from 0 to %d, got '%s' (天数错误)\n", prog,
                CAL_ADD_MAX, ns);
        return EXIT_USAGE;
    }
    struct cal_src s;
    if (src_open(prog, o, &s) != 0)
        return EXIT_USAGE;
    int32_t res = cal_add_workdays(s.c, day, n);
    char out[11];
    cal_format_date(res, out);
    printf("%s\n", out);
    warn_unknown(prog, s.c, year_of(day), year_of(res));
    src_close(&s);
    return 0;
}

static const char *const weekday_zh[] = {"星期日", "星期一", "星期二", "星期三",
                                         "星期四", "星期五", "星期六"};
static const char *const weekday_en[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};

/* The English of a holiday name from the shipped file ("国庆节、中秋节" ->
 * "National Day and Mid-Autumn Festival"); a name it does not know stays
 * as it is. */
static void english_name(const char *zh, char *out, size_t n)
{
    static const struct {
        const char *zh, *en;
    } names[] = {{"元旦", "New Year's Day"},   {"春节", "Spring Festival"},
                 {"清明节", "Qingming Festival"}, {"劳动节", "Labour Day"},
                 {"端午节", "Dragon Boat Festival"}, {"中秋节", "Mid-Autumn Festival"},
                 {"国庆节", "National Day"}};
    static const char sep[] = "、";
    size_t len = 0;
    out[0] = '\0';
    const char *p = zh;
    while (*p && len + 1 < n) {
        const char *end = strstr(p, sep);
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        const char *en = NULL;
        for (size_t i = 0; i < sizeof names / sizeof names[0] && !en; i++)
            if (strlen(names[i].zh) == plen && memcmp(names[i].zh, p, plen) == 0)
                en = names[i].en;
        int w = en ? snprintf(out + len, n - len, "%s%s", len ? " and " : "", en)
                   : snprintf(out + len, n - len, "%s%.*s", len ? " and " : "", (int)plen, p);
        if (w < 0 || (size_t)w >= n - len)
            break;
        len += (size_t)w;
        p = end ? end + strlen(sep) : p + plen;
    }
}

static int cmd_is_workday(const char *prog, const struct copts *o)
{
    int32_t day;
    if (parse_day(prog, o->pos[0], &day) != 0)
        return EXIT_USAGE;
    struct cal_src s;
    if (src_open(prog, o, &s) != 0)
        return EXIT_USAGE;
    const struct cal_day *listed;
    bool work = cal_is_workday(s.c, day, &listed);
    int wd = cal_weekday(day);
    char date[11], en[160];
    cal_format_date(day, date);
    if (listed) {
        english_name(listed->name, en, sizeof en);
        if (work)
            printf("是 %s %s 调休上班（%s） [yes: a make-up working day (%s), %s]\n", date,
                   weekday_zh[wd], listed->name, en, weekday_en[wd]);
        else
            printf("否 %s %s 休息日（%s） [no: a public holiday (%s), %s]\n", date,
                   weekday_zh[wd], listed->name, en, weekday_en[wd]);
    } else if (work) {
        printf("是 %s %s 工作日 [yes: a working day, %s]\n", date, weekday_zh[wd],
               weekday_en[wd]);
    } else {
        printf("否 %s %s 休息日（周末） [no: the weekend, %s]\n", date, weekday_zh[wd],
               weekday_en[wd]);
    }
    warn_unknown(prog, s.c, year_of(day), year_of(day));
    src_close(&s);
    return work ? 0 : EXIT_NO;
}

static int cmd_show(const char *prog, const struct copts *o)
{
    int year;
    if (parse_year_arg(o->pos[0], &year) != 0) {
        fprintf(stderr, "%s: YEAR: a year from %d to %d, got '%s'\n", prog, CAL_YEAR_MIN,
                CAL_YEAR_MAX, o->pos[0]);
        return EXIT_USAGE;
    }
    struct cal_src s;
    if (src_open(prog, o, &s) != 0)
        return EXIT_USAGE;
    int32_t from = cal_day_from_ymd(year, 1, 1), to = cal_day_from_ymd(year + 1, 1, 1);
    int workdays = cal_count_workdays(s.c, from, to);
    int status = 0;
    if (!cal_year_known(s.c, year)) {
        printf("%d 年：未收录 / %d is not in the calendar: only weekends count "
               "(%d working days)\n",
               year, year, workdays);
        status = EXIT_NO;
    } else {
        bool added = cal_year_added(s.c, year);
        printf("%d 年工作日历 / working-day calendar of %d (%s)\n", year, year,
               added ? "管理员添加 / added" : "随 yunwei 发布 / shipped with yunwei");
        const struct cal_day *first;
        size_t n = cal_year_days(s.c, year, &first);
        int off = 0;
        for (size_t i = 0; i < n; i++) {
            char date[11];
            cal_format_date(first[i].day, date);
            int wd = cal_weekday(first[i].day);
            bool w = first[i].kind == CAL_WORK;
            off += !w;
            printf("%s  %s  %-4s  %s  %s\n", date, weekday_zh[wd], cal_kind_name(first[i].kind),
                   w ? "上班" : "休息", first[i].name);
        }
        printf("休息 %d 天，调休上班 %d 天；全年工作日 %d 天 / %d days off, %d make-up working "
               "days; %d working days in %d\n",
               off, (int)n - off, workdays, off, (int)n - off, workdays, year);
    }
    src_close(&s);
    return status;
}

/* ---- import ------------------------------------------------------------------------ */

/* The whole of path ("-": stdin), at most CAL_FILE_MAX bytes, NUL-free. */
static char *read_text(const char *prog, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return NULL;
    }
    char *text = xmalloc(CAL_FILE_MAX + 2);
    size_t n = fread(text, 1, CAL_FILE_MAX + 1, f);
    bool bad = ferror(f);
    if (f != stdin)
        fclose(f);
    if (bad) {
        fprintf(stderr, "%s: %s: could not read it\n", prog, path);
    } else if (n > CAL_FILE_MAX) {
        fprintf(stderr, "%s: %s: longer than %d bytes\n", prog, path, CAL_FILE_MAX);
        bad = true;
    } else if (memchr(text, '\0', n)) {
        fprintf(stderr, "%s: %s: holds a NUL byte: not a text file\n", prog, path);
        bad = true;
    }
    if (bad) {
        xfree(text);
        return NULL;
    }
    text[n] = '\0';
    return text;
}

static void cli_who(char *out, size_t n)
{
    const struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name && *pw->pw_name)
        snprintf(out, n, "cli:%s", pw->pw_name);
    else
        snprintf(out, n, "cli:uid%u", (unsigned)geteuid());
}

static char *json_text(json_t *j)
{
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS); /* as the server writes them */
    char *copy = xstrdup(s);
    free(s);
    return copy;
}

/* Appends the audit record of an import. -1 (said) when it could not be
 * written: the change must not look done then. */
static int import_audit(const char *prog, struct store *S, const char *who, const char *object,
                        json_t *before, json_t *after, const char *result)
{
    char *b = json_text(before), *a = json_text(after);
    struct audit_record r = {
        .user = who,
        .source = "local",
        .action = "calendar.year",
        .object = object,
        .before = b,
        .after = a,
        .result = result,
    };
    struct yw_err err = YW_ERR_INIT;
    int rc = store_audit_append(S, &r, &err);
    xfree(b);
    xfree(a);
    if (rc != 0)
        fprintf(stderr, "%s: the audit trail could not record it (审计记录写入失败): %s\n", prog,
                err.msg);
    return rc;
}

/* Which year of the file to import, and its text (malloc'd): the file
 * itself when it holds that year only, else that year's lines rebuilt.
 * EXIT_USAGE (said) when the file does not fit. */
static int import_pick(const char *prog, const char *path, const char *text, int want,
                       int *year, char **out)
{
    struct cal_problem probs[CAL_PROBLEMS_MAX];
    size_t np = cal_check(text, 0, probs, CAL_PROBLEMS_MAX);
    if (np > 0) {
        for (size_t i = 0; i < np && i < CAL_PROBLEMS_MAX; i++) {
            if (probs[i].line > 0)
                fprintf(stderr, "%s:%d: %s\n", path, probs[i].line, probs[i].msg);
            else
                fprintf(stderr, "%s: %s\n", path, probs[i].msg);
        }
        fprintf(stderr, "%s: %s: %zu problem%s, nothing imported (文件有误，未导入)\n", prog,
                path, np, np == 1 ? "" : "s");
        return EXIT_USAGE;
    }
    struct cal_day *days = NULL;
    size_t nd = 0, ny = 0;
    int *years = NULL;
    struct yw_err err = YW_ERR_INIT;
    if (cal_parse(text, path, &days, &nd, &years, &ny, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg); /* cal_check would have said */
        return EXIT_USAGE;
    }
    int status = 0;
    int y = want;
    bool only = false;
    if (ny == 0) {
        fprintf(stderr, "%s: %s: lists no dates\n", prog, path);
        status = EXIT_USAGE;
    } else if (want) {
        bool has = false;
        for (size_t i = 0; i < ny; i++)
            has = has || years[i] == want;
        only = ny == 1 && years[0] == want;
        if (!has) {
            fprintf(stderr, "%s: %s: lists no date in %d (it covers %d..%d)\n", prog, path, want,
                    years[0], years[ny - 1]);
            status = EXIT_USAGE;
        }
    } else if (ny > 1) {
        fprintf(stderr, "%s: %s covers %zu years (%d..%d): choose one with --year Y\n", prog,
                path, ny, years[0], years[ny - 1]);
        status = EXIT_USAGE;
    } else {
        y = years[0];
        only = true;
    }
    if (status == 0) {
        if (only) {
            *out = xstrdup(text);
        } else {
            size_t a = 0, b;
            int32_t lo = cal_day_from_ymd(y, 1, 1), hi = cal_day_from_ymd(y + 1, 1, 1);
            while (a < nd && days[a].day < lo)
                a++;
            for (b = a; b < nd && days[b].day < hi; b++)
                ;
            *out = cal_format_block(y, days + a, b - a);
        }
        *year = y;
    }
    xfree(days);
    xfree(years);
    return status;
}

static int cmd_import(const char *prog, const struct copts *o)
{
    const char *path = o->pos[0];
    char *text = read_text(prog, path);
    if (!text)
        return EXIT_USAGE;
    int year = 0;
    char *block = NULL;
    int status = import_pick(prog, path, text, o->year, &year, &block);
    xfree(text);
    if (status != 0)
        return status;

    struct yw_err err = YW_ERR_INIT;
    /* Checked as the year's block before anything is opened: the size limit
     * of one year (CAL_TEXT_MAX) applies here, not in cal_check above. */
    struct cal_day *days = NULL;
    size_t nd = 0;
    if (cal_parse_year(block, path, year, &days, &nd, &err) != 0) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        xfree(block);
        return EXIT_USAGE;
    }
    xfree(days);
    struct store *S = store_open_shared(o->data, &err);
    if (!S) {
        fprintf(stderr, "%s: store %s: %s\n", prog, o->data, err.msg);
        xfree(block);
        return EXIT_FAIL;
    }
    char who[96], object[32];
    cli_who(who, sizeof who);
    snprintf(object, sizeof object, "calendar:%d", year);
    struct calendar *C = calendar_open(S, &err);
    status = EXIT_FAIL;
    if (!C) {
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        goto out;
    }
    const struct cal *old = calendar_acquire(C);
    json_t *before = calendar_year_json(old, year);
    bool was_known = cal_year_known(old, year), was_added = cal_year_added(old, year);
    calendar_release(C, old);
    if (calendar_put_year_by(C, year, block, path, who, &err) != 0) {
        char result[600];
        snprintf(result, sizeof result, "failed: %s", err.msg);
        (void)import_audit(prog, S, who, object, NULL, NULL, result);
        fprintf(stderr, "%s: %s\n", prog, err.msg);
        status = err.code == YW_EINVAL ? EXIT_USAGE : EXIT_FAIL;
        json_decref(before);
        goto out;
    }
    const struct cal *c = calendar_acquire(C);
    json_t *after = calendar_year_json(c, year);
    const struct cal_day *first;
    size_t n = cal_year_days(c, year, &first);
    int off = 0;
    for (size_t i = 0; i < n; i++)
        off += first[i].kind == CAL_OFF;
    calendar_release(C, c);
    if (import_audit(prog, S, who, object, before, after, "ok") == 0)
        status = 0;
    json_decref(before);
    json_decref(after);
    printf("%d: %zu dates stored in %s (%d off, %zu make-up working days), %s.\n"
           "已导入 %d 年。正在运行的 yunwei serve 收到 SIGHUP 或重启后使用；通过 API "
           "(PUT /api/v1/calendar/years/%d) 导入则立即生效。\n"
           "A running yunwei serve uses it after SIGHUP or a restart; PUT "
           "/api/v1/calendar/years/%d through the API takes effect at once.\n",
           year, n, o->data, off, n - (size_t)off,
           was_added ? "replacing the year added before"
                     : was_known ? "replacing the shipped year" : "a new year",
           year, year, year);
out:
    calendar_close(C);
    store_close(S);
    xfree(block);
    return status;
}

/* ---- dispatch ---------------------------------------------------------------------- */

int cli_calendar_main(int argc, char **argv)
{
    static const struct {
        const char *verb;
        int npos;
        const char *what;
    } verbs[] = {
        {"add", 2, "DATE and N"},
        {"is-workday", 1, "DATE"},
        {"show", 1, "YEAR"},
        {"import", 1, "FILE"},
    };
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    size_t v = 0;
    while (v < sizeof verbs / sizeof verbs[0] && strcmp(argv[1], verbs[v].verb) != 0)
        v++;
    if (v == sizeof verbs / sizeof verbs[0]) {
        fprintf(stderr, "yunwei calendar: unknown command '%s'\n\n", argv[1]);
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    char prog[48];
    snprintf(prog, sizeof prog, "yunwei calendar %s", verbs[v].verb);
    struct copts o;
    int prc = parse_opts(prog, argc - 1, argv + 1, v == 3, &o);
    if (prc > 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (prc < 0 || want_pos(prog, &o, verbs[v].npos, verbs[v].what) != 0)
        return EXIT_USAGE;
    const char *tz = getenv("YUNWEI_TZ");
    if (tz && time_set_display_zone(tz) != 0) {
        fprintf(stderr, "%s: YUNWEI_TZ: unknown time zone '%s'\n", prog, tz);
        return EXIT_USAGE;
    }
    switch (v) {
    case 0: return cmd_add(prog, &o);
    case 1: return cmd_is_workday(prog, &o);
    case 2: return cmd_show(prog, &o);
    default: return cmd_import(prog, &o);
    }
}
