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
 * unknown kind, a date listed twice, a year outside the range: -1 with err
 * "ORIGIN:LINE: what" (origin names the file or "request"). Lines are
 * returned sorted by day in *days (malloc'd), years covered in *years
 * (malloc'd, sorted; a year is covered when at least one of its dates is
 * listed). */
int cal_parse(const char *text, const char *origin, struct cal_day **days, size_t *ndays,
              int **years, size_t *nyears, struct yw_err *err);
/* A calendar from the builtin text with the given extra years' texts laid
 * over it (a year present in an extra replaces the builtin days of that
 * year). NULL with err if any text does not parse. */
struct cal *cal_build(const char *const *extra_texts, size_t nextra, struct yw_err *err);
void cal_free(struct cal *c);

/* ---- questions ----------------------------------------------------------------- */
/* Whether day is a working day. *listed (may be NULL) gets the entry that
 * made it special, or NULL for an ordinary weekday/weekend. */
bool cal_is_workday(const struct cal *c, int32_t day, const struct cal_day **listed);
/* Whether the official dates of day's year are known (else only the weekend
 * rule answers, and callers say so). */
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
/* Days listed for year (sorted), for listings. */
size_t cal_year_days(const struct cal *c, int year, const struct cal_day **first);
/* Years covered, sorted. */
size_t cal_years(const struct cal *c, const int **years);

/* ---- the process's calendar ------------------------------------------------------ */
struct store;
struct calendar;
/* Builds the calendar from the builtin text and the years stored (store
 * calendar_years). NULL with err on failure. */
struct calendar *calendar_open(struct store *S, struct yw_err *err);
void calendar_close(struct calendar *C);
/* Validates text (one year's block: every date in `year`), stores it as the
 * year's replacement (by whom, for the audit) and swaps the calendar. -1
 * with err and nothing changed on failure. */
int calendar_put_year(struct calendar *C, int year, const char *text, struct yw_err *err);
/* The current struct cal, held until calendar_release: readers take it,
 * ask, and release; a swap never frees a cal still held. */
const struct cal *calendar_acquire(struct calendar *C);
void calendar_release(struct calendar *C, const struct cal *c);

#endif
