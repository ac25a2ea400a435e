/*
 * cal — dates as day numbers, the holiday file format, and the questions a
 * built calendar answers. Pure: no store, no locks, no global state; the
 * only outside call is the zone conversion of core/timeutil.h.
 *
 * A struct cal holds every listed day of every covered year in one sorted
 * array, so each question is a binary search; the years covered sit beside
 * it with where their days came from.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/cal.h"
#include "core/mem.h"

/* The shipped file, as bytes with a NUL after them (generated at build
 * time from data/cn-holidays.txt by scripts/embed_text.py). */
extern const unsigned char cal_builtin_data[];

struct cal {
    struct cal_day *days;    /* sorted by day, no day twice: what the questions search */
    size_t ndays;
    int *years;              /* the years whose notice (block) is known, sorted */
    bool *added;             /* per years[i]: its block comes from an added text */
    struct cal_day **block;  /* per years[i]: its block's days, sorted (for listings) */
    size_t *nblock;
    size_t nyears;
};

/* ---- dates ------------------------------------------------------------------ */

/* Howard Hinnant's days_from_civil / civil_from_days: exact for the
 * proleptic Gregorian calendar, integer only. */
int32_t cal_day_from_ymd(int y, int m, int d)
{
    y -= m <= 2;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int32_t)(era * 146097 + doe - 719468);
}

void cal_day_to_ymd(int32_t day, int *y, int *m, int *d)
{
    const int64_t z = (int64_t)day + 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    const int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    const int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

int cal_weekday(int32_t day)
{
    /* 1970-01-01 was a Thursday. */
    int w = (int)(((int64_t)day + 4) % 7);
    return w < 0 ? w + 7 : w;
}

static int year_of(int32_t day)
{
    int y, m, d;
    cal_day_to_ymd(day, &y, &m, &d);
    return y;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

int cal_parse_date(const char *s, int32_t *day)
{
    if (!s)
        return -1;
    for (int i = 0; i < 10; i++) {
        bool dash = i == 4 || i == 7;
        if (dash ? s[i] != '-' : !is_digit(s[i]))
            return -1;
    }
    if (s[10] != '\0')
        return -1;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < CAL_YEAR_MIN || y > CAL_YEAR_MAX || m < 1 || m > 12 || d < 1 ||
        d > days_in_month(y, m))
        return -1;
    *day = cal_day_from_ymd(y, m, d);
    return 0;
}

void cal_format_date(int32_t day, char out[11])
{
    int y, m, d;
    cal_day_to_ymd(day, &y, &m, &d);
    /* Digits by hand: a day number far outside 0000..9999 still gives ten
     * characters (its year modulo 10000), never a truncated write. */
    unsigned uy = (unsigned)(y < 0 ? -y : y) % 10000u;
    out[0] = (char)('0' + uy / 1000);
    out[1] = (char)('0' + uy / 100 % 10);
    out[2] = (char)('0' + uy / 10 % 10);
    out[3] = (char)('0' + uy % 10);
    out[4] = '-';
    out[5] = (char)('0' + m / 10);
    out[6] = (char)('0' + m % 10);
    out[7] = '-';
    out[8] = (char)('0' + d / 10);
    out[9] = (char)('0' + d % 10);
    out[10] = '\0';
}

int32_t cal_day_of(ms_t t, const char *zone)
{
    struct civil c;
    time_to_civil(t, zone, &c);
    return cal_day_from_ymd(c.year, c.month, c.day);
}

ms_t cal_day_start(int32_t day, const char *zone)
{
    struct civil c = {0};
    cal_day_to_ymd(day, &c.year, &c.month, &c.day);
    return time_from_civil(&c, zone);
}

const char *cal_kind_name(enum cal_kind k)
{
    return k == CAL_WORK ? "work" : "off";
}

/* ---- parsing ------------------------------------------------------------------ */

const char *cal_builtin_text(void)
{
    return (const char *)cal_builtin_data;
}

/* Problems kept while parsing; past this many only the count grows (the
 * answers list CAL_PROBLEMS_MAX, sorted by line, and a text with thousands
 * of bad lines gets the first ones of those kept). */
#define PROBLEMS_KEEP 200

struct problems {
    struct cal_problem *p;
    size_t n, cap, total;
};

__attribute__((format(printf, 3, 4))) static void problem(struct problems *ps, int line,
                                                          const char *fmt, ...)
{
    ps->total++;
    if (ps->n == PROBLEMS_KEEP)
        return;
    XGROW(ps->p, ps->cap, ps->n + 1);
    struct cal_problem *p = &ps->p[ps->n++];
    p->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
}

/* A parsed line, with where it was (for "listed twice (also line 12)") and
 * the year of the notice (block) it belongs to. */
struct entry {
    struct cal_day d;
    int line;
    int block;
};

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->d.day != y->d.day)
        return x->d.day < y->d.day ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int problem_cmp(const void *a, const void *b)
{
    const struct cal_problem *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Whether s[0..n) is UTF-8 text: well-formed (no overlongs, surrogates or
 * code points past U+10FFFF) and free of control characters. */
static bool utf8_text(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return false;
            i++;
            continue;
        }
        size_t len;
        unsigned cp, min;
        if ((c & 0xe0) == 0xc0) {
            len = 2, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            len = 3, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            len = 4, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i < len)
            return false;
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
            (cp >= 0x80 && cp < 0xa0)) /* C1 controls */
            return false;
        i += len;
    }
    return true;
}

/* "# 2026" (spaces allowed around the year): the year, else 0. */
static int block_header(const char *s, size_t n)
{
    size_t i = 1; /* past '#' */
    while (i < n && is_space(s[i]))
        i++;
    if (n - i < 4 || !is_digit(s[i]) || !is_digit(s[i + 1]) || !is_digit(s[i + 2]) ||
        !is_digit(s[i + 3]))
        return 0;
    int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
    for (i += 4; i < n; i++)
        if (!is_space(s[i]))
            return 0;
    return y;
}

struct block {
    int year; /* 0 = none open */
    int line;
};

/* A year's notice (its block) may start before the year: when 1 January
 * falls on a Tuesday the New Year holiday begins on 30 December, with a
 * make-up Saturday on the 29th (the notice of 2019 did so), and the shipped
 * block of 2023 lists 2022-12-31. So a block of year Y holds Y's dates and
 * those of the last days of December of Y - 1; anything else in it is a
 * date pasted into the wrong block. */
#define DECEMBER_FIRST 22
#define DECEMBER_BEFORE "22-31 December of the year before, where its New Year holiday can begin"

static bool in_block(int32_t day, int block)
{
    int y, m, d;
    cal_day_to_ymd(day, &y, &m, &d);
    return y == block || (y == block - 1 && m == 12 && d >= DECEMBER_FIRST);
}

/* At most 24 bytes of s[0..n) for a message, anything but printable ASCII
 * as '?': the messages reach JSON answers, which must stay valid UTF-8
 * whatever bytes a bad line holds. */
static const char *excerpt(const char *s, size_t n, char out[32])
{
    size_t k = n > 24 ? 24 : n;
    for (size_t i = 0; i < k; i++)
        out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[k] = '\0';
    return out;
}

/* One line s[0..n) (no line end, not blank, not a comment) into *es. */
static void parse_line(const char *s, size_t n, int line, int want_year, const struct block *blk,
                       struct entry **es, size_t *nes, size_t *caps, struct problems *ps)
{
    size_t i = 0;
    /* DATE */
    size_t a = i;
    while (i < n && !is_space(s[i]))
        i++;
    char date[11], ex[32];
    int32_t day;
    size_t dlen = i - a;
    if (dlen != 10) {
        problem(ps, line, "'%s' is not a date (YYYY-MM-DD)", excerpt(s + a, dlen, ex));
        return;
    }
    memcpy(date, s + a, 10);
    date[10] = '\0';
    if (cal_parse_date(date, &day) != 0) {
        problem(ps, line, "'%s' is not a date (YYYY-MM-DD, a real day of %d..%d)",
                excerpt(date, 10, ex), CAL_YEAR_MIN, CAL_YEAR_MAX);
        return;
    }
    /* KIND */
    while (i < n && is_space(s[i]))
        i++;
    a = i;
    while (i < n && !is_space(s[i]))
        i++;
    size_t klen = i - a;
    enum cal_kind kind;
    if (klen == 0) {
        problem(ps, line, "%s: missing the kind (off or work) after the date", date);
        return;
    } else if (klen == 3 && memcmp(s + a, "off", 3) == 0) {
        kind = CAL_OFF;
    } else if (klen == 4 && memcmp(s + a, "work", 4) == 0) {
        kind = CAL_WORK;
    } else {
        problem(ps, line, "%s: unknown kind '%s' (off or work)", date, excerpt(s + a, klen, ex));
        return;
    }
    /* NAME: the rest of the line (trailing blanks were trimmed) */
    while (i < n && is_space(s[i]))
        i++;
    size_t nlen = n - i;
    if (nlen == 0) {
        problem(ps, line, "%s: missing the holiday's name after '%s' (e.g. 春节)", date,
                cal_kind_name(kind));
        return;
    }
    if (nlen >= CAL_NAME_MAX) {
        problem(ps, line, "%s: name longer than %d bytes", date, CAL_NAME_MAX - 1);
        return;
    }
    if (!utf8_text((const unsigned char *)s + i, nlen)) {
        problem(ps, line, "%s: the name is not UTF-8 text (or holds control characters)", date);
        return;
    }
    int block = blk->year ? blk->year : want_year ? want_year : year_of(day);
    if (!in_block(day, block)) {
        if (blk->year)
            problem(ps, line,
                    "%s is not in %d, the year of the block opened at line %d (a block "
                    "lists its year's dates, and %s)",
                    date, blk->year, blk->line, DECEMBER_BEFORE);
        else
            problem(ps, line, "%s is not in %d (a year's block lists its dates, and %s)", date,
                    block, DECEMBER_BEFORE);
        return;
    }
    XGROW(*es, *caps, *nes + 1);
    struct entry *e = &(*es)[(*nes)++];
    e->d.day = day;
    e->d.kind = kind;
    memcpy(e->d.name, s + i, nlen);
    e->d.name[nlen] = '\0';
    e->line = line;
    e->block = block;
}

/* Parses text into entries sorted by day (duplicates reported, then
 * dropped), every problem in ps. want_year > 0: one year's block. */
static void parse_all(const char *text, int want_year, size_t max_len, struct entry **out,
                      size_t *nout, struct problems *ps)
{
    struct entry *es = NULL;
    size_t nes = 0, caps = 0;
    *out = NULL;
    *nout = 0;
    size_t len = strnlen(text, max_len + 1);
    if (len > max_len) {
        problem(ps, 0, "longer than %zu bytes", max_len);
        return;
    }
    const char *p = text;
    if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) /* a byte-order mark, as Notepad writes */
        p += 3;
    struct block blk = {0, 0};
    int line = 0;
    while (*p) {
        line++;
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *next = nl ? nl + 1 : p + n;
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (n > CAL_LINE_MAX) {
            problem(ps, line, "line longer than %d bytes", CAL_LINE_MAX);
            p = next;
            continue;
        }
        while (n > 0 && is_space(p[0]))
            p++, n--;
        while (n > 0 && is_space(p[n - 1]))
            n--;
        if (n > 0 && p[0] == '#') {
            int y = block_header(p, n);
            if (y) {
                blk.year = y;
                blk.line = line;
                if (want_year && y != want_year)
                    problem(ps, line, "this is the block of %d, not %d", y, want_year);
            }
        } else if (n > 0) {
            parse_line(p, n, line, want_year, &blk, &es, &nes, &caps, ps);
        }
        p = next;
    }
    if (nes > 1)
        qsort(es, nes, sizeof *es, entry_cmp);
    size_t k = 0;
    for (size_t i = 0; i < nes; i++) {
        if (k > 0 && es[k - 1].d.day == es[i].d.day) {
            char d[11];
            cal_format_date(es[i].d.day, d);
            problem(ps, es[i].line, "%s listed twice (also at line %d)", d, es[k - 1].line);
            continue;
        }
        es[k++] = es[i];
    }
    if (want_year && k == 0 && ps->total == 0)
        problem(ps, 0, "no dates listed for %d", want_year);
    *out = es;
    *nout = k;
}

static void problems_sort(struct problems *ps)
{
    /* qsort is not stable; each line has at most one problem but line 0 and
     * a duplicate's can share one, and their order does not matter. */
    if (ps->n > 1)
        qsort(ps->p, ps->n, sizeof *ps->p, problem_cmp);
}

size_t cal_check(const char *text, int year, struct cal_problem *out, size_t max)
{
    struct problems ps = {0};
    struct entry *es = NULL;
    size_t n = 0;
    if (year && (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX))
        problem(&ps, 0, "year %d is outside %d..%d", year, CAL_YEAR_MIN, CAL_YEAR_MAX);
    else
        parse_all(text, year, year ? CAL_TEXT_MAX : CAL_FILE_MAX, &es, &n, &ps);
    problems_sort(&ps);
    for (size_t i = 0; i < max && i < ps.n; i++)
        out[i] = ps.p[i];
    size_t total = ps.total;
    xfree(ps.p);
    xfree(es);
    return total;
}

/* Reports the first problem (by line) in err; -1. */
static int fail_first(const struct problems *ps, const char *origin, struct yw_err *err)
{
    assert(ps->n > 0);
    const struct cal_problem *p = &ps->p[0];
    bool limit = strncmp(p->msg, "longer than", 11) == 0 && p->line == 0;
    char more[48] = "";
    if (ps->total > 1)
        snprintf(more, sizeof more, " (and %zu more)", ps->total - 1);
    if (p->line > 0)
        return yw_fail(err, limit ? YW_ELIMIT : YW_EINVAL, "%s:%d: %s%s", origin, p->line,
                       p->msg, more);
    return yw_fail(err, limit ? YW_ELIMIT : YW_EINVAL, "%s: %s%s", origin, p->msg, more);
}

/* The days of entries, as a plain malloc'd array. */
static struct cal_day *entry_days(const struct entry *es, size_t n)
{
    struct cal_day *days = xmalloc((n ? n : 1) * sizeof *days);
    for (size_t i = 0; i < n; i++)
        days[i] = es[i].d;
    return days;
}

/* The distinct block years of entries, sorted. */
static int *entry_years(const struct entry *es, size_t n, size_t *nyears)
{
    bool seen[CAL_YEAR_MAX - CAL_YEAR_MIN + 1] = {false};
    for (size_t i = 0; i < n; i++)
        seen[es[i].block - CAL_YEAR_MIN] = true;
    int *ys = xmalloc(sizeof seen / sizeof seen[0] * sizeof *ys);
    size_t k = 0;
    for (size_t y = 0; y < sizeof seen / sizeof seen[0]; y++)
        if (seen[y])
            ys[k++] = CAL_YEAR_MIN + (int)y;
    *nyears = k;
    return ys;
}

/* Parses text into entries sorted by day; -1 with err (the first problem
 * by line) and *es untouched. */
static int parse_entries(const char *text, const char *origin, int year, size_t max_len,
                         struct entry **out, size_t *nout, struct yw_err *err)
{
    struct problems ps = {0};
    struct entry *es = NULL;
    size_t n = 0;
    if (!origin)
        origin = "text";
    if (!text) {
        problem(&ps, 0, "no text");
    } else if (year && (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX)) {
        problem(&ps, 0, "year %d is outside %d..%d", year, CAL_YEAR_MIN, CAL_YEAR_MAX);
    } else {
        parse_all(text, year, max_len, &es, &n, &ps);
    }
    int rc = 0;
    if (ps.total > 0) {
        problems_sort(&ps);
        rc = fail_first(&ps, origin, err);
        xfree(es);
    } else {
        *out = es;
        *nout = n;
    }
    xfree(ps.p);
    return rc;
}

int cal_parse(const char *text, const char *origin, struct cal_day **days, size_t *ndays,
              int **years, size_t *nyears, struct yw_err *err)
{
    struct entry *es = NULL;
    size_t n = 0;
    if (parse_entries(text, origin, 0, CAL_FILE_MAX, &es, &n, err) != 0)
        return -1;
    *days = entry_days(es, n);
    *ndays = n;
    if (years)
        *years = entry_years(es, n, nyears);
    xfree(es);
    return 0;
}

int cal_parse_year(const char *text, const char *origin, int year, struct cal_day **days,
                   size_t *ndays, struct yw_err *err)
{
    if (year < CAL_YEAR_MIN || year > CAL_YEAR_MAX)
        return yw_fail_field(err, YW_EINVAL, "year", "year %d is outside %d..%d", year,
                             CAL_YEAR_MIN, CAL_YEAR_MAX);
    struct entry *es = NULL;
    size_t n = 0;
    if (parse_entries(text, origin, year, CAL_TEXT_MAX, &es, &n, err) != 0)
        return -1;
    *days = entry_days(es, n);
    *ndays = n;
    xfree(es);
    return 0;
}

char *cal_format_block(int year, const struct cal_day *days, size_t n)
{
    /* A line is at most 10 + 1 + 4 + 1 + CAL_NAME_MAX + 1 bytes. */
    size_t cap = 16 + n * (CAL_NAME_MAX + 20);
    char *out = xmalloc(cap);
    size_t len = (size_t)snprintf(out, cap, "# %d\n", year);
    for (size_t i = 0; i < n; i++) {
        char d[11];
        cal_format_date(days[i].day, d);
        int w = snprintf(out + len, cap - len, "%s %s %s\n", d, cal_kind_name(days[i].kind),
                         days[i].name);
        assert(w > 0 && (size_t)w < cap - len);
        len += (size_t)w;
    }
    return out;
}

/* ---- building ------------------------------------------------------------------ */

/* Day order; of two entries for one day, the later notice first. */
static int chosen_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->d.day != y->d.day)
        return x->d.day < y->d.day ? -1 : 1;
    return (x->block < y->block) - (x->block > y->block);
}

void cal_free(struct cal *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nyears; i++)
        xfree(c->block[i]);
    xfree(c->block);
    xfree(c->nblock);
    xfree(c->days);
    xfree(c->years);
    xfree(c->added);
    xfree(c);
}

/* cal_build and cal_build_years: years NULL, or the year of each extra. */
static struct cal *build(const char *const *extra_texts, const int *extra_years, size_t nextra,
                         struct yw_err *err)
{
    /* Text 0 is the builtin one, text t > 0 extra_texts[t - 1]. Each year's
     * block (notice) belongs to the last text that has one, which supplies
     * all of that block's days; the other texts' lines of that year are
     * dropped. */
    size_t ntexts = nextra + 1;
    struct entry **tes = xcalloc(ntexts, sizeof *tes);
    size_t *tn = xcalloc(ntexts, sizeof *tn);
    int owner[CAL_YEAR_MAX - CAL_YEAR_MIN + 1];
    for (size_t y = 0; y < sizeof owner / sizeof owner[0]; y++)
        owner[y] = -1;
    struct cal *c = NULL;
    struct entry *chosen = NULL;
    size_t t;
    for (t = 0; t < ntexts; t++) {
        char origin[32];
        const char *text;
        if (t == 0) {
            snprintf(origin, sizeof origin, "builtin");
            text = cal_builtin_text();
        } else if (extra_years) {
            snprintf(origin, sizeof origin, "added year %d", extra_years[t - 1]);
            text = extra_texts[t - 1];
        } else {
            snprintf(origin, sizeof origin, "added text %zu", t);
            text = extra_texts[t - 1];
        }
        int year = t > 0 && extra_years ? extra_years[t - 1] : 0;
        if (parse_entries(text, origin, year, year ? CAL_TEXT_MAX : CAL_FILE_MAX, &tes[t], &tn[t],
                          err) != 0)
            goto out;
        for (size_t i = 0; i < tn[t]; i++)
            owner[tes[t][i].block - CAL_YEAR_MIN] = (int)t;
    }
    size_t total = 0, nch = 0;
    for (t = 0; t < ntexts; t++)
        total += tn[t];
    chosen = xmalloc((total ? total : 1) * sizeof *chosen);
    for (t = 0; t < ntexts; t++)
        for (size_t i = 0; i < tn[t]; i++)
            if (owner[tes[t][i].block - CAL_YEAR_MIN] == (int)t)
                chosen[nch++] = tes[t][i];
    if (nch > 1)
        qsort(chosen, nch, sizeof *chosen, chosen_cmp);
    /* A day two notices list (the late December of one year in the next
     * year's notice, and again in its own): the later notice decides. */
    size_t k = 0;
    for (size_t i = 0; i < nch; i++)
        if (k == 0 || chosen[k - 1].d.day != chosen[i].d.day)
            chosen[k++] = chosen[i];
    nch = k;

    c = xcalloc(1, sizeof *c);
    c->days = entry_days(chosen, nch);
    c->ndays = nch;
    size_t ny = 0;
    for (size_t y = 0; y < sizeof owner / sizeof owner[0]; y++)
        ny += owner[y] >= 0;
    c->years = xmalloc((ny ? ny : 1) * sizeof *c->years);
    c->added = xmalloc((ny ? ny : 1) * sizeof *c->added);
    c->block = xcalloc(ny ? ny : 1, sizeof *c->block);
    c->nblock = xcalloc(ny ? ny : 1, sizeof *c->nblock);
    int index[CAL_YEAR_MAX - CAL_YEAR_MIN + 1];
    for (size_t y = 0; y < sizeof owner / sizeof owner[0]; y++) {
        index[y] = -1;
        if (owner[y] < 0)
            continue;
        index[y] = (int)c->nyears;
        c->years[c->nyears] = CAL_YEAR_MIN + (int)y;
        c->added[c->nyears] = owner[y] > 0;
        c->nyears++;
    }
    for (size_t i = 0; i < nch; i++)
        c->nblock[index[chosen[i].block - CAL_YEAR_MIN]]++;
    for (size_t i = 0; i < c->nyears; i++) {
        c->block[i] = xmalloc((c->nblock[i] ? c->nblock[i] : 1) * sizeof *c->block[i]);
        c->nblock[i] = 0;
    }
    for (size_t i = 0; i < nch; i++) {
        int x = index[chosen[i].block - CAL_YEAR_MIN];
        c->block[x][c->nblock[x]++] = chosen[i].d;
    }
out:
    for (t = 0; t < ntexts; t++)
        xfree(tes[t]);
    xfree(tes);
    xfree(tn);
    xfree(chosen);
    return c;
}

struct cal *cal_build(const char *const *extra_texts, size_t nextra, struct yw_err *err)
{
    return build(extra_texts, NULL, nextra, err);
}

struct cal *cal_build_years(const int *years, const char *const *texts, size_t n,
                            struct yw_err *err)
{
    return build(texts, years, n, err);
}

/* ---- questions ------------------------------------------------------------------- */

/* Index of the first listed day >= day. */
static size_t lower_bound(const struct cal *c, int32_t day)
{
    size_t lo = 0, hi = c->ndays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

bool cal_is_workday(const struct cal *c, int32_t day, const struct cal_day **listed)
{
    size_t i = lower_bound(c, day);
    if (i < c->ndays && c->days[i].day == day) {
        if (listed)
            *listed = &c->days[i];
        return c->days[i].kind == CAL_WORK;
    }
    if (listed)
        *listed = NULL;
    int w = cal_weekday(day);
    return w != 0 && w != 6;
}

/* Index of year in c->years, or -1. */
static long year_index(const struct cal *c, int year)
{
    size_t lo = 0, hi = c->nyears;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->years[mid] < year)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->nyears && c->years[lo] == year ? (long)lo : -1;
}

bool cal_year_known(const struct cal *c, int year)
{
    return year_index(c, year) >= 0;
}

bool cal_year_added(const struct cal *c, int year)
{
    long i = year_index(c, year);
    return i >= 0 && c->added[i];
}

int32_t cal_add_workdays(const struct cal *c, int32_t day, int n)
{
    int32_t d = day; /* n < 0 is taken as 0: callers bound n (CAL_ADD_MAX) */
    if (n <= 0) {
        while (!cal_is_workday(c, d, NULL))
            d++;
        return d;
    }
    while (n > 0) {
        d++;
        if (cal_is_workday(c, d, NULL))
            n--;
    }
    return d;
}

int cal_count_workdays(const struct cal *c, int32_t from, int32_t to)
{
    int n = 0;
    for (int32_t d = from; d < to; d++)
        n += cal_is_workday(c, d, NULL);
    return n;
}

ms_t cal_deadline(const struct cal *c, ms_t t, int n, const char *zone)
{
    int32_t last = cal_add_workdays(c, cal_day_of(t, zone), n < 0 ? 0 : n);
    return cal_day_start(last + 1, zone);
}

size_t cal_year_days(const struct cal *c, int year, const struct cal_day **first)
{
    long i = year_index(c, year);
    *first = i >= 0 ? c->block[i] : c->days;
    return i >= 0 ? c->nblock[i] : 0;
}

size_t cal_years(const struct cal *c, const int **years)
{
    *years = c->years;
    return c->nyears;
}
