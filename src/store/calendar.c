/*
 * calendar — the years of the working-day calendar the administrator added
 * (store_cal.h), and the migration that makes their table.
 */
#include <string.h>

#include "core/mem.h"
#include "store/store_cal.h"
#include "store/store_int.h"

/* Migration 3 (store/migrations.c). A year is its own key: putting a year
 * again replaces it. */
const char store_mig_calendar[] =
    "CREATE TABLE calendar_years (\n"
    "  year INTEGER PRIMARY KEY CHECK (year BETWEEN 2000 AND 2099),\n"
    "  text TEXT NOT NULL,\n"         /* the year's block, as submitted */
    "  updated INTEGER NOT NULL,\n"
    "  by_user TEXT\n"                /* login name or "cli:<unix user>"; NULL = not known */
    ");\n";

static int decode_year(sqlite3_stmt *st, void *row, struct yw_err *err)
{
    struct store_cal_year *r = row;
    (void)err;
    r->year = sqlite3_column_int(st, 0);
    const unsigned char *t = sqlite3_column_text(st, 1);
    r->text = xstrdup(t ? (const char *)t : "");
    r->updated = sqlite3_column_int64(st, 2);
    r->by_user = store_col_dup(st, 3);
    return 0;
}

static void release_year(void *row)
{
    struct store_cal_year *r = row;
    xfree(r->text);
    xfree(r->by_user);
    r->text = r->by_user = NULL;
}

void store_cal_years_free(struct store_cal_year *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        release_year(&rows[i]);
    xfree(rows);
}

int store_cal_list(struct store *S, struct store_cal_year **rows, size_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    int rc = -1;
    sqlite3_stmt *st = store_stmt_get(c, STMT_CAL_LIST, err);
    if (st) {
        void *out = NULL;
        size_t len = 0;
        rc = store_rows_read(c, st, sizeof(struct store_cal_year), decode_year, release_year,
                             &out, &len, err);
        if (rc == 0) {
            *rows = out;
            *n = len;
        }
    }
    store_pool_put(S, c);
    return rc;
}

struct put_arg {
    int year;
    const char *text;
    ms_t updated;
    const char *by_user;
};

static int put_tx(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct put_arg *a = arg;
    (void)now; /* the caller's time: the calendar records what it swapped in */
    sqlite3_stmt *st = store_stmt_get(c, STMT_CAL_PUT, err);
    if (!st)
        return -1;
    char by[STORE_CAL_BY_MAX];
    if (a->by_user)
        store_utf8_copy(by, sizeof by, a->by_user);
    store_bind_i64(st, 1, a->year);
    store_bind_text(st, 2, a->text);
    store_bind_i64(st, 3, a->updated);
    store_bind_text(st, 4, a->by_user ? by : NULL);
    return store_step_done(c, st, "storing a calendar year", err);
}

int store_cal_put(struct store *S, int year, const char *text, ms_t updated, const char *by_user,
                  struct yw_err *err)
{
    if (year < STORE_CAL_YEAR_MIN || year > STORE_CAL_YEAR_MAX)
        return yw_fail_field(err, YW_EINVAL, "year", "year %d is outside %d..%d", year,
                             STORE_CAL_YEAR_MIN, STORE_CAL_YEAR_MAX);
    if (!text || strnlen(text, STORE_CAL_TEXT_MAX + 1) > STORE_CAL_TEXT_MAX)
        return yw_fail_field(err, text ? YW_ELIMIT : YW_EINVAL, "text",
                             "text: %s", text ? "longer than 64 KiB" : "missing");
    struct put_arg a = {year, text, updated, by_user};
    return store_write_tx(S, put_tx, &a, err);
}
