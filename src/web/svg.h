/*
 * svg — the console's charts, drawn on the server as SVG text, so that the
 * console ships no chart library and the same drawings can go into reports.
 *
 *   svg_latency       latency over time: a min–max band, the average line,
 *                     failure marks, axes with time labels in the display
 *                     zone (core/timeutil.h) and a latency scale;
 *   svg_timeline      the states of a monitor or system over a period, one
 *                     colour per state, with a legend giving each state's
 *                     total time;
 *   svg_availability  one bar per system with its availability printed.
 *
 * Pure functions of their arguments (plus the display zone): no store, no
 * HTTP. Every text from outside (titles, labels, reasons) is escaped for XML,
 * invalid UTF-8 is replaced by U+FFFD and control characters are dropped, so
 * the output is always well-formed XML. No style attribute, no <style>, no
 * script: the console's Content-Security-Policy forbids inline styles, so
 * only presentation attributes (fill, stroke, font-size…) are used.
 *
 * Accessibility: the root has role="img" and aria-labelledby pointing to a
 * <title> (what the chart is) and a <desc> (its content in words: the
 * period, the figures, the states' durations); every coloured shape has a
 * <title> of its own (a tooltip). Text is #1f2937 or #4b5563 on white
 * (14.7:1 and 7.6:1), and the state colours are at least 4.5:1 on white:
 * up #15803d, down #b91c1c, maintenance #1d4ed8, paused #a16207,
 * no data #6b7280.
 *
 * Limits: width SVG_WIDTH_MIN..SVG_WIDTH_MAX, height SVG_HEIGHT_MIN..
 * SVG_HEIGHT_MAX (svg_size_check says why a request is outside them); at most
 * SVG_BARS_MAX bars and SVG_BUCKETS_MAX latency buckets (more are an error);
 * the output at most SVG_OUT_MAX bytes. Timelines of any number of intervals
 * are drawn in at most one rectangle per pixel column.
 *
 * Errors: functions returning int give 0, or -1 with err (YW_EINVAL for a
 * bad argument, YW_ELIMIT past a limit); on failure *out is left empty
 * (released). out must be empty on entry; on success it holds the SVG text.
 */
#ifndef YW_WEB_SVG_H
#define YW_WEB_SVG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "kpi/avail.h"

#define SVG_WIDTH_MIN 240
#define SVG_WIDTH_MAX 4096
#define SVG_HEIGHT_MIN 60
#define SVG_HEIGHT_MAX 2048
#define SVG_BARS_MAX 2000
#define SVG_BUCKETS_MAX 4096
#define SVG_OUT_MAX (8 * 1024 * 1024)

enum svg_lang { SVG_ZH = 0, SVG_EN };

/* "zh-CN" (also "zh") or "en" (also "en-US", "en-GB"); -1 otherwise. */
int svg_lang_parse(const char *s, enum svg_lang *out);

struct svg_opts {
    int width, height;   /* pixels; 0 = the chart's default */
    enum svg_lang lang;  /* the few fixed labels (axis, legend, "no data") */
    const char *title;   /* what the chart is of ("portal-home"), UTF-8; NULL = none */
};
#define SVG_OPTS_INIT {0, 0, SVG_ZH, NULL}

/* -1 with err (YW_EINVAL, field "width" or "height") when a size is given
 * and outside the limits; 0 = default is fine. */
int svg_size_check(int width, int height, struct yw_err *err);

/* ---- latency ----------------------------------------------------------------------- */

/* One bucket of the latency chart: checks whose time falls in [start, end). */
struct svg_lat {
    ms_t start, end;
    long count;          /* successful checks measured (min/avg/max are over these) */
    long failures;       /* failed checks */
    double min, avg, max;/* ms */
};

/* n buckets of equal length over [from, to) (the last one ends at to),
 * empty. from < to, 1 <= n <= SVG_BUCKETS_MAX (asserted). */
void svg_lat_init(struct svg_lat *b, size_t n, ms_t from, ms_t to);
/* Adds one check at t (outside [from, to): ignored); latency_ms counts only
 * when ok. */
void svg_lat_add(struct svg_lat *b, size_t n, ms_t t, bool ok, double latency_ms);
/* Adds an aggregate starting at t (an hourly rollup): checks of which
 * failures failed, with min/avg/max over all its checks; it goes whole into
 * the bucket holding t. */
void svg_lat_add_agg(struct svg_lat *b, size_t n, ms_t t, long checks, long failures, double min,
                     double avg, double max);

/* Default 800 × 240. */
int svg_latency(struct buf *out, const struct svg_opts *o, ms_t from, ms_t to,
                const struct svg_lat *b, size_t n, struct yw_err *err);

/* ---- state timeline ---------------------------------------------------------------- */

struct svg_span {
    ms_t start, end;     /* end > start; clipped to the period */
    enum mstate state;
    const char *reason;  /* shown in the tooltip; NULL = none */
};

/* Spans in any order; where they overlap a later one wins; time covered by
 * none is no data. Default 800 × 96. */
int svg_timeline(struct buf *out, const struct svg_opts *o, ms_t from, ms_t to,
                 const struct svg_span *s, size_t n, struct yw_err *err);

/* ---- availability bars -------------------------------------------------------------- */

struct svg_bar {
    const char *label;   /* the system's title or name */
    bool defined;        /* false: nothing was observed (no percentage) */
    double pct;          /* 0..100 */
};

/* Bars in the order given. The scale starts at the largest of 0, 50, 80, 90,
 * 95, 98, 99, 99.5, 99.9 below the lowest bar, so that 99.95 % and 99.5 %
 * look different; the exact value is printed after each bar, rounded DOWN
 * to two decimals (99.999 % shows as 99.99 %, never 100 %). Bars are green
 * from 99.9 %, amber from 99 %, red below. Width default 800; the height
 * follows the number of bars (o->height is ignored). */
int svg_availability(struct buf *out, const struct svg_opts *o, ms_t from, ms_t to,
                     const struct svg_bar *bars, size_t n, struct yw_err *err);

/* "99.88" for 99.8849 (rounded down to two decimals); "100" only for 100. */
void svg_format_pct(double pct, char *out, size_t n);

#endif
