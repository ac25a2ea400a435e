/*
 * calendar — the process's working-day calendar: the builtin text with the
 * years stored in the store laid over it, swapped as a whole when a year is
 * added.
 *
 * Readers never wait on a change: calendar_acquire hands out the current
 * struct cal (immutable) and counts it; a put builds a new one beside it,
 * stores the year, and swaps the pointer under the lock. An old cal is
 * freed by whoever drops its last reference (the swap itself when nobody
 * holds it). Changes are one at a time (put_mu), so two puts of different
 * years cannot each build from the old state and lose the other's year.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "cal/cal.h"
#include "core/mem.h"
#include "store/store_cal.h"

_Static_assert(CAL_TEXT_MAX <= STORE_CAL_TEXT_MAX, "the store must hold a year's text");
_Static_assert(CAL_YEAR_MIN == STORE_CAL_YEAR_MIN && CAL_YEAR_MAX == STORE_CAL_YEAR_MAX,
               "the store and the calendar agree on the years");

/* A cal and how many readers hold it. */
struct held {
    struct cal *c;
    int refs;
};

struct calendar {
    struct store *S;         /* NULL: builtin only, nothing can be added */
    pthread_mutex_t put_mu;  /* one change at a time */
    pthread_mutex_t mu;      /* guards everything below */
    struct cal *cur;
    struct held *held;       /* cur (refs may be 0) and older ones still held */
    size_t nheld, cap;
};

/* The calendar from the builtin text and the years stored now, with year
 * `year`'s text replaced by `text` (year 0: nothing replaced). Each stored
 * year is checked as its own block first, so a bad row is named by year. */
static struct cal *build_from_store(struct store *S, int year, const char *text,
                                    struct yw_err *err)
{
    struct store_cal_year *rows = NULL;
    size_t n = 0;
    if (S && store_cal_list(S, &rows, &n, err) != 0)
        return NULL;
    const char **texts = xcalloc(n + 1, sizeof *texts);
    int *years = xcalloc(n + 1, sizeof *years);
    size_t k = 0;
    struct cal *c = NULL;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].year == year)
            continue;
        char origin[48];
        snprintf(origin, sizeof origin, "stored year %d", rows[i].year);
        struct cal_day *days = NULL;
        size_t nd = 0;
        struct yw_err e = YW_ERR_INIT;
        if (cal_parse_year(rows[i].text, origin, rows[i].year, &days, &nd, &e) != 0) {
            /* Only a database edited by hand gets here: every put checked
             * its text. Not the caller's input, so not YW_EINVAL. */
            yw_fail(err, YW_EIO, "calendar: %s", e.msg);
            goto out;
        }
        xfree(days);
        years[k] = rows[i].year;
        texts[k++] = rows[i].text;
    }
    if (year) {
        years[k] = year;
        texts[k++] = text;
    }
    c = cal_build_years(years, texts, k, err);
out:
    xfree(years);
    xfree(texts);
    store_cal_years_free(rows, n);
    return c;
}

struct calendar *calendar_open(struct store *S, struct yw_err *err)
{
    struct cal *c = build_from_store(S, 0, NULL, err);
    if (!c)
        return NULL;
    struct calendar *C = xcalloc(1, sizeof *C);
    C->S = S;
    pthread_mutex_init(&C->put_mu, NULL);
    pthread_mutex_init(&C->mu, NULL);
    C->cur = c;
    XGROW(C->held, C->cap, 1);
    C->held[0] = (struct held){c, 0};
    C->nheld = 1;
    return C;
}

void calendar_close(struct calendar *C)
{
    if (!C)
        return;
    /* Every reader has released by now (the server has stopped). */
    for (size_t i = 0; i < C->nheld; i++)
        cal_free(C->held[i].c);
    xfree(C->held);
    pthread_mutex_destroy(&C->mu);
    pthread_mutex_destroy(&C->put_mu);
    xfree(C);
}

const struct cal *calendar_acquire(struct calendar *C)
{
    pthread_mutex_lock(&C->mu);
    struct cal *c = C->cur;
    for (size_t i = 0; i < C->nheld; i++)
        if (C->held[i].c == c)
            C->held[i].refs++;
    pthread_mutex_unlock(&C->mu);
    return c;
}

void calendar_release(struct calendar *C, const struct cal *c)
{
    if (!c)
        return;
    struct cal *dead = NULL;
    pthread_mutex_lock(&C->mu);
    for (size_t i = 0; i < C->nheld; i++) {
        if (C->held[i].c != c)
            continue;
        if (--C->held[i].refs == 0 && C->held[i].c != C->cur) {
            dead = C->held[i].c;
            C->held[i] = C->held[--C->nheld];
        }
        break;
    }
    pthread_mutex_unlock(&C->mu);
    cal_free(dead);
}

/* Makes c current; the old one goes when its last reader releases it. */
static void swap_in(struct calendar *C, struct cal *c)
{
    struct cal *dead = NULL;
    pthread_mutex_lock(&C->mu);
    struct cal *old = C->cur;
    C->cur = c;
    XGROW(C->held, C->cap, C->nheld + 1);
    C->held[C->nheld++] = (struct held){c, 0};
    for (size_t i = 0; i < C->nheld; i++) {
        if (C->held[i].c == old && C->held[i].refs == 0) {
            dead = old;
            C->held[i] = C->held[--C->nheld];
            break;
        }
    }
    pthread_mutex_unlock(&C->mu);
    cal_free(dead);
}

int calendar_put_year_by(struct calendar *C, int year, const char *text, const char *origin,
                         const char *by, struct yw_err *err)
{
    if (!origin)
        origin = "request";
    struct cal_day *days = NULL;
    size_t nd = 0;
    if (cal_parse_year(text, origin, year, &days, &nd, err) != 0)
        return -1;
    xfree(days);
    if (!C->S)
        return yw_fail(err, YW_EIO, "calendar: no store to keep the year in");
    pthread_mutex_lock(&C->put_mu);
    /* Built before the store changes: a failure leaves both as they were. */
    struct cal *c = build_from_store(C->S, year, text, err);
    int rc = -1;
    if (c && store_cal_put(C->S, year, text, time_now_ms(), by, err) == 0) {
        swap_in(C, c);
        c = NULL;
        rc = 0;
    }
    cal_free(c);
    pthread_mutex_unlock(&C->put_mu);
    return rc;
}

int calendar_put_year(struct calendar *C, int year, const char *text, struct yw_err *err)
{
    return calendar_put_year_by(C, year, text, "request", NULL, err);
}

int calendar_reload(struct calendar *C, struct yw_err *err)
{
    pthread_mutex_lock(&C->put_mu);
    struct cal *c = build_from_store(C->S, 0, NULL, err);
    if (c)
        swap_in(C, c);
    pthread_mutex_unlock(&C->put_mu);
    return c ? 0 : -1;
}

/* ---- answers -------------------------------------------------------------------- */

json_t *calendar_day_json(const struct cal_day *d)
{
    char date[11];
    cal_format_date(d->day, date);
    return json_pack("{s:s, s:s, s:s, s:i}", "date", date, "kind", cal_kind_name(d->kind),
                     "name", d->name, "weekday", cal_weekday(d->day));
}

json_t *calendar_year_json(const struct cal *c, int year)
{
    const struct cal_day *first;
    size_t n = cal_year_days(c, year, &first);
    bool known = cal_year_known(c, year);
    json_t *days = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(days, calendar_day_json(&first[i]));
    json_t *src = known ? json_string(cal_year_added(c, year) ? "added" : "builtin") : json_null();
    return json_pack("{s:i, s:b, s:o, s:o}", "year", year, "known", known, "source", src, "days",
                     days);
}
