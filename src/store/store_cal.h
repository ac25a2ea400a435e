/*
 * store_cal — the years of the working-day calendar added by the
 * administrator (cal/cal.h), in the same store (same conventions as
 * store.h: 0 or -1 with err, prepared statements only, rows malloc'd and
 * freed by store_cal_years_free).
 *
 * One row a year: the text of that year's block as it was submitted (the
 * file format of data/cn-holidays.txt), when and by whom. A stored year
 * replaces the shipped block of that year as a whole. The store keeps the
 * text it is given and checks only its size and year range: the calendar
 * (cal_parse_year) validates the content before it gets here.
 */
#ifndef YW_STORE_STORE_CAL_H
#define YW_STORE_STORE_CAL_H

#include <stddef.h>

#include "core/err.h"
#include "core/timeutil.h"
#include "store/store.h"

#define STORE_CAL_TEXT_MAX (64 * 1024) /* = CAL_TEXT_MAX */
#define STORE_CAL_YEAR_MIN 2000
#define STORE_CAL_YEAR_MAX 2099
#define STORE_CAL_BY_MAX 96            /* bytes of by_user kept */

struct store_cal_year {
    int year;
    char *text;
    ms_t updated;
    char *by_user; /* may be NULL */
};

/* Every stored year, oldest year first. *rows and *n untouched on failure. */
int store_cal_list(struct store *S, struct store_cal_year **rows, size_t *n, struct yw_err *err);
/* Inserts or replaces year's text (updated: when; by_user may be NULL).
 * YW_EINVAL for a year outside 2000..2099, YW_ELIMIT for a text longer
 * than STORE_CAL_TEXT_MAX; nothing changed on failure. */
int store_cal_put(struct store *S, int year, const char *text, ms_t updated, const char *by_user,
                  struct yw_err *err);
void store_cal_years_free(struct store_cal_year *rows, size_t n);

#endif
