/*
 * cal — the working-day calendar (工作日历): weekends, China's official
 * public holidays and the make-up working days (调休).
 *
 * The data is text, one year a block, the format of data/cn-holidays.txt:
 *     # comment
 *     2026-04-05 off 清明节
 *     2026-04-26 work 劳动节
 * A date listed "off" is a rest day even on a weekday; "work" is a working
 * day even on a weekend; every other date is a working day Monday–Friday and
 * a rest day on Saturday and Sunday. The file shipped with yunwei is built
 * into the binary (cal_builtin_text); the administrator adds a year when the
 * State Council publishes the next notice (`yunwei calendar import FILE`,
 * PUT /api/v1/calendar/years/{year}); a year added so replaces the shipped
 * block of that year as a whole.
 *
 * Days are civil dates with no zone; a "day number" is days since
 * 1970-01-01 (negative before), so date arithmetic is integer arithmetic.
 * Instants become dates in the display zone (core/timeutil.h).
 *
 * Threads: a struct cal is immutable once built and may be read by any
 * number of threads. A struct calendar is the process's current calendar:
 * it swaps in a new struct cal under a lock when a year is added, and every
 * query through it is thread-safe.
 */
#ifndef YW_CAL_CAL_H
#define YW_CAL_CAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"

#define CAL_YEAR_MIN 2000
#define CAL_YEAR_MAX 2099
#define CAL_TEXT_MAX (64 * 1024)   /* one year's block, as submitted */
#define CAL_NAME_MAX 64            /* holiday name, UTF-8 bytes */
#define CAL_FILE_MAX (1024 * 1024) /* any text cal_parse takes (the shipped file: all years) */
#define CAL_LINE_MAX 256           /* bytes of one line, line end excluded */
#define CAL_ADD_MAX 366            /* working days one API or CLI question may add */

enum cal_kind { CAL_OFF, CAL_WORK };

struct cal_day {
    int32_t day;                   /* day number */
    enum cal_kind kind;
    char name[CAL_NAME_MAX];       /* 春节 */
};

struct cal;

/* ---- dates ---------------------------------------------------------------- */
int32_t cal_day_from_ymd(int y, int m, int d);
void cal_day_to_ymd(int32_t day, int *y, int *m, int *d);
int cal_weekday(int32_t day);                 /* 0 = Sunday … 6 = Saturday */
/* "2026-04-03" strictly (a real date, years CAL_YEAR_MIN..MAX); -1 otherwise. */
int cal_parse_date(const char *s, int32_t *day);
void cal_format_date(int32_t day, char out[11]);
/* The date of instant t in zone (NULL = display zone), and the instant the
 * date starts at (local midnight). */
int32_t cal_day_of(ms_t t, const char *zone);
ms_t cal_day_start(int32_t day, const char *zone);

/* ---- building a calendar ---------------------------------------------------- */
/* The text shipped in the binary (data/cn-holidays.txt at build time). */
const char *cal_builtin_text(void);
/* Parses text in the format above. Every line is checked: a bad date, an
 * unknown kind, a date listed twice, a year outside the range, a date in
 * the wrong block: -1 with err "ORIGIN:LINE: what" (origin names the file
 * or "request"; the first problem by line, "(and N more)" after it). Lines
 * are returned sorted by day in *days (malloc'd), years covered in *years
 * (malloc'd, sorted; a year is covered when its block lists at least one
 * date — see "blocks" below). */
int cal_parse(const char *text, const char *origin, struct cal_day **days, size_t *ndays,
              int **years, size_t *nyears, struct yw_err *err);
/* A calendar from the builtin text with the given extra years' texts laid
 * over it (a year present in an extra replaces the builtin days of that
 * year's block; of several extras covering one year the last wins). NULL
 * with err if any text does not parse ("added text N:LINE: …"). */
struct cal *cal_build(const char *const *extra_texts, size_t nextra, struct yw_err *err);
/* The same with each text read as the given year's block (cal_parse_year:
 * a text without a "# YYYY" comment still knows its year, so its December
 * dates of the year before belong to it): what the process's calendar
 * builds from the years stored. Errors say "added year 2027:LINE: …". */
struct cal *cal_build_years(const int *years, const char *const *texts, size_t n,
                            struct yw_err *err);
void cal_free(struct cal *c);

/* Blocks. A year's block is the State Council's notice for that year, and
 * a notice can begin before its year: when 1 January falls on a Tuesday
 * the New Year holiday starts on 30 December with a make-up Saturday on the
 * 29th (the notice of 2019), and the shipped block of 2023 lists
 * 2022-12-31. So a date belongs to the block of the "# YYYY" comment above
 * it (else, in a year's block as submitted, to that year; else to its own
 * year), and a block of year Y may hold Y's dates and those of 22–31
 * December of Y - 1; any other date in it is an error (pasted into the
 * wrong block). Years are known, added and replaced by block: adding 2019
 * replaces the whole shipped notice of 2019, its December 2018 days too,
 * and where two notices list one day the later notice decides.
 *
 * The format's finer points, which every parser here shares:
 *   - a line is at most CAL_LINE_MAX bytes; "\r\n" line ends and a leading
 *     UTF-8 byte-order mark are accepted; blank lines are ignored;
 *   - a comment that is only a year ("# 2026") opens that year's block:
 *     every date after it, up to the next such comment, must be in that
 *     year (a date pasted into the wrong block is an error, not a silent
 *     change to another year);
 *   - DATE, KIND and NAME are separated by spaces or tabs; NAME is the rest
 *     of the line (1..CAL_NAME_MAX-1 bytes of UTF-8 without control
 *     characters);
 *   - "work" on a weekday is allowed (2020-02-03 was one: the Spring
 *     Festival holiday was extended and then ended on a Monday).
 * Problems are reported with their line (1-based; 0 = the text as a whole:
 * too long, nothing listed). */
struct cal_problem {
    int line;
    char msg[200];
};
#define CAL_PROBLEMS_MAX 20 /* problems an answer lists; the rest are counted */
/* Every problem of text (not just the first), sorted by line: at most max
 * of them are written to out (out may be NULL when max is 0). year > 0
 * checks text as that year's block (cal_parse_year); 0 as cal_parse does.
 * Returns how many problems there are in all (0: the text is good). */
size_t cal_check(const char *text, int year, struct cal_problem *out, size_t max);
/* cal_parse for one year's block, as an administrator submits it: at most
 * CAL_TEXT_MAX bytes, at least one date, every date in year (a year
 * outside CAL_YEAR_MIN..MAX is YW_EINVAL). -1 with err (YW_EINVAL, or
 * YW_ELIMIT when too long) "ORIGIN:LINE: what" and *days untouched. */
int cal_parse_year(const char *text, const char *origin, int year, struct cal_day **days,
                   size_t *ndays, struct yw_err *err);
/* The canonical text of one year's block ("# 2027" then one line a day, in
 * order): what `calendar import --year` stores when it takes one year out
 * of a file holding several. malloc'd. */
char *cal_format_block(int year, const struct cal_day *days, size_t n);

/* ---- questions ----------------------------------------------------------------- */
/* Whether day is a working day. *listed (may be NULL) gets the entry that
 * made it special, or NULL for an ordinary weekday/weekend. */
bool cal_is_workday(const struct cal *c, int32_t day, const struct cal_day **listed);
/* Whether the official dates of year are known: its block (notice) is
 * listed (else only the weekend rule answers, and callers say so). */
bool cal_year_known(const struct cal *c, int year);
/* The date n working days after day (n >= 0; n = 0 is day itself when it is
 * a working day, else the next working day). Example: 2026-04-03 + 1 =
 * 2026-04-07 (4–6 April are Qingming). */
int32_t cal_add_workdays(const struct cal *c, int32_t day, int n);
/* Working days in [from, to). */
int cal_count_workdays(const struct cal *c, int32_t from, int32_t to);
/* The deadline "within n working days after instant t": the end of the n-th
 * working day after t's date in zone, i.e. the start (local midnight) of the
 * day after it. For a fault report: cal_deadline(c, resolved, 3, NULL). */
ms_t cal_deadline(const struct cal *c, ms_t t, int n, const char *zone);
/* The days of year's block (sorted), for listings: the lines of its notice,
 * which may begin in the December before. 0 when the year is not known. */
size_t cal_year_days(const struct cal *c, int year, const struct cal_day **first);
/* Years covered, sorted. */
size_t cal_years(const struct cal *c, const int **years);
/* Whether year's days come from an added text (else from the builtin one,
 * or the year is not covered). */
bool cal_year_added(const struct cal *c, int year);
/* "off" or "work", as the file and the API spell them. */
const char *cal_kind_name(enum cal_kind k);

/* ---- the process's calendar ------------------------------------------------------ */
struct store;
struct calendar;
/* Builds the calendar from the builtin text and the years stored (store
 * calendar_years). NULL with err on failure. */
struct calendar *calendar_open(struct store *S, struct yw_err *err);
void calendar_close(struct calendar *C);
/* Validates text (one year's block: every date in `year`, or in 22–31
 * December before it — see "blocks"), stores it as the year's replacement
 * (by whom, for the audit) and swaps the calendar. -1 with err and nothing
 * changed on failure. */
int calendar_put_year(struct calendar *C, int year, const char *text, struct yw_err *err);
/* The same, naming where the text came from in messages (origin: "request",
 * a file name) and who put it (by: a login name, "cli:root"; NULL = nobody
 * named), kept with the year in the store. */
int calendar_put_year_by(struct calendar *C, int year, const char *text, const char *origin,
                         const char *by, struct yw_err *err);
/* Rebuilds the calendar from the builtin text and the years stored now, and
 * swaps it in: for a year added by `yunwei calendar import` while serve
 * runs (the server's SIGHUP can call it). -1 with err and the calendar
 * unchanged on failure. */
int calendar_reload(struct calendar *C, struct yw_err *err);
/* The current struct cal, held until calendar_release: readers take it,
 * ask, and release; a swap never frees a cal still held. */
const struct cal *calendar_acquire(struct calendar *C);
void calendar_release(struct calendar *C, const struct cal *c);

/* One year as the API answers it (GET /api/v1/calendar?year=), also the
 * audit images of a change: {"year":2026,"known":true,"source":"builtin"|
 * "added"|null,"days":[{"date":"2026-04-04","kind":"off","name":"清明节",
 * "weekday":6},…]}. A new reference (jansson's json_t). */
struct json_t;
struct json_t *calendar_year_json(const struct cal *c, int year);
/* {"date":"2026-04-04","kind":"off","name":"清明节","weekday":6} */
struct json_t *calendar_day_json(const struct cal_day *d);

#endif
