/* SVG charts: see svg.h. Coordinates are pixels from the top left; every
 * number is written with '.' (the process never sets LC_NUMERIC). */
#include "web/svg.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* ---- colours (contrast on white: see svg.h) -------------------------------------- */
#define C_BG "#ffffff"
#define C_TEXT "#1f2937"   /* 14.7:1 */
#define C_MUTED "#4b5563"  /* 7.6:1: tick labels */
#define C_AXIS "#6b7280"   /* 4.8:1 */
#define C_GRID "#e5e7eb"   /* decorative */
#define C_BAND "#93c5fd"   /* decorative fill; the average line carries the value */
#define C_AVG "#1d4ed8"
#define C_AMBER "#b45309"  /* 5.0:1 */
#define FONT "system-ui, -apple-system, 'Segoe UI', 'Noto Sans CJK SC', 'PingFang SC', " \
             "'Microsoft YaHei', sans-serif"
#define FONT_PX 12
#define SMALL_PX 11

static const char *const state_colour[ST__COUNT] = {
    [ST_NODATA] = "#6b7280", [ST_UP] = "#15803d", [ST_DOWN] = "#b91c1c",
    [ST_MAINT] = "#1d4ed8", [ST_PAUSED] = "#a16207",
};

/* ---- the few fixed labels ------------------------------------------------------------ */
enum label { L_LATENCY, L_MINMAX, L_AVG, L_FAILED, L_NODATA, L_TIMELINE, L_AVAIL, L_TO, L__COUNT };
static const char *const labels[2][L__COUNT] = {
    [SVG_ZH] = {"延迟", "最小–最大", "平均", "失败", "无数据", "状态", "可用率", " 至 "},
    [SVG_EN] = {"Latency", "min–max", "average", "failed", "No data", "States", "Availability",
                " to "},
};
static const char *const state_label[2][ST__COUNT] = {
    [SVG_ZH] = {[ST_NODATA] = "无数据", [ST_UP] = "正常", [ST_DOWN] = "故障",
                [ST_MAINT] = "维护", [ST_PAUSED] = "已暂停"},
    [SVG_EN] = {[ST_NODATA] = "No data", [ST_UP] = "Up", [ST_DOWN] = "Down",
                [ST_MAINT] = "Maintenance", [ST_PAUSED] = "Paused"},
};

static const char *L(enum svg_lang lang, enum label k)
{
    return labels[lang == SVG_EN ? SVG_EN : SVG_ZH][k];
}

static const char *S(enum svg_lang lang, enum mstate st)
{
    return (unsigned)st < ST__COUNT ? state_label[lang == SVG_EN ? SVG_EN : SVG_ZH][st] : "?";
}

/* The sentences with numbers, one literal format per language (the
 * compiler checks each). */
static void fmt_failed(enum svg_lang lang, long n, char *out, size_t sz)
{
    if (lang == SVG_EN)
        snprintf(out, sz, "%ld failed", n);
    else
        snprintf(out, sz, "失败 %ld 次", n);
}

static void fmt_times(enum svg_lang lang, size_t n, char *out, size_t sz)
{
    if (lang == SVG_EN)
        snprintf(out, sz, "%zu times", n);
    else
        snprintf(out, sz, "%zu 次", n);
}

static void fmt_lat_summary(enum svg_lang lang, const char *avg, const char *min,
                            const char *max, long checks, long failed, char *out, size_t sz)
{
    if (lang == SVG_EN)
        snprintf(out, sz, "average %s ms, minimum %s ms, maximum %s ms; %ld of %ld checks failed",
                 avg, min, max, failed, checks);
    else
        snprintf(out, sz, "平均 %s ms，最小 %s ms，最大 %s ms，%ld 次检查中失败 %ld 次", avg,
                 min, max, checks, failed);
}

int svg_lang_parse(const char *s, enum svg_lang *out)
{
    if (!s)
        return -1;
    if (strcmp(s, "zh-CN") == 0 || strcmp(s, "zh") == 0) {
        *out = SVG_ZH;
        return 0;
    }
    if (strcmp(s, "en") == 0 || strcmp(s, "en-US") == 0 || strcmp(s, "en-GB") == 0) {
        *out = SVG_EN;
        return 0;
    }
    return -1;
}

int svg_size_check(int width, int height, struct yw_err *err)
{
    if (width != 0 && (width < SVG_WIDTH_MIN || width > SVG_WIDTH_MAX))
        return yw_fail_field(err, YW_EINVAL, "width", "width: must be from %d to %d pixels",
                             SVG_WIDTH_MIN, SVG_WIDTH_MAX);
    if (height != 0 && (height < SVG_HEIGHT_MIN || height > SVG_HEIGHT_MAX))
        return yw_fail_field(err, YW_EINVAL, "height", "height: must be from %d to %d pixels",
                             SVG_HEIGHT_MIN, SVG_HEIGHT_MAX);
    return 0;
}

/* ---- the writer: stops at the first failure (the buffer has then freed itself) ---- */
struct w {
    struct buf *b;
    bool bad;
};

static void ws(struct w *w, const char *s)
{
    if (!w->bad && buf_adds(w->b, s) != 0)
        w->bad = true;
}

__attribute__((format(printf, 2, 3))) static void wf(struct w *w, const char *fmt, ...)
{
    if (w->bad)
        return;
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->bad = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        if (buf_add(w->b, small, (size_t)n) != 0)
            w->bad = true;
        return;
    }
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    if (buf_add(w->b, big, (size_t)n) != 0)
        w->bad = true;
    xfree(big);
}

/* ---- text: UTF-8 checked, XML-escaped, measured ------------------------------------- */

#define REPLACEMENT 0xFFFDu

/* The code point at s (NUL-terminated) and its length in *len; an invalid or
 * overlong sequence, a surrogate or a value past U+10FFFF gives U+FFFD for
 * one byte. */
static uint32_t utf8_next(const unsigned char *s, size_t *len)
{
    unsigned c = s[0];
    *len = 1;
    if (c < 0x80)
        return c;
    size_t n;
    uint32_t cp, min;
    if ((c & 0xE0) == 0xC0) {
        n = 2, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, cp = c & 0x07, min = 0x10000;
    } else {
        return REPLACEMENT;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
            return REPLACEMENT;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return REPLACEMENT;
    *len = n;
    return cp;
}

/* Whether XML 1.0 allows cp in text (tab and newline become spaces). */
static bool xml_char(uint32_t cp)
{
    return cp >= 0x20 && cp != 0x7F && cp != 0xFFFE && cp != 0xFFFF;
}

/* East Asian wide and fullwidth ranges: such a character is about 1 em wide,
 * others about 0.6 em (an estimate, for cutting labels to fit). */
static bool wide(uint32_t cp)
{
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

static double char_px(uint32_t cp, int font_px)
{
    return wide(cp) ? font_px : 0.6 * font_px;
}

/* Estimated width of s in pixels. */
static double text_px(const char *s, int font_px)
{
    double px = 0;
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        size_t len;
        uint32_t cp = utf8_next(p, &len);
        p += len;
        if (xml_char(cp) || cp == '\t' || cp == '\n' || cp == '\r')
            px += char_px(cp, font_px);
    }
    return px;
}

static void put_cp(struct w *w, uint32_t cp)
{
    char u[5];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp, n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)), n = 4;
    }
    u[n] = '\0';
    ws(w, u);
}

/* Writes s as XML text (valid in element content and in attribute values):
 * escaped, invalid UTF-8 as U+FFFD, tab/CR/LF as a space, other control
 * characters dropped. With max_px > 0 the text is cut to about that width,
 * ending in "…". */
static void wtext_fit(struct w *w, const char *s, double max_px, int font_px)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    bool cut = max_px > 0 && text_px(s, font_px) > max_px;
    double room = cut ? max_px - char_px(0x2026, font_px) : 0, px = 0;
    while (*p) {
        size_t len;
        uint32_t cp = utf8_next(p, &len);
        p += len;
        if (cp == '\t' || cp == '\n' || cp == '\r')
            cp = ' ';
        if (!xml_char(cp))
            continue;
        if (cut) {
            px += char_px(cp, font_px);
            if (px > room)
                break;
        }
        switch (cp) {
        case '&': ws(w, "&amp;"); break;
        case '<': ws(w, "&lt;"); break;
        case '>': ws(w, "&gt;"); break;
        case '"': ws(w, "&quot;"); break;
        case '\'': ws(w, "&apos;"); break;
        default: put_cp(w, cp); break;
        }
    }
    if (cut)
        ws(w, "…");
}

static void wtext(struct w *w, const char *s)
{
    wtext_fit(w, s, 0, FONT_PX);
}

/* <text x y [anchor] fill size>escaped s</text> */
static void wlabel(struct w *w, double x, double y, const char *anchor, const char *fill,
                   int size, const char *s, double max_px)
{
    wf(w, "<text x=\"%.1f\" y=\"%.1f\"%s%s%s fill=\"%s\" font-size=\"%d\">", x, y,
       anchor ? " text-anchor=\"" : "", anchor ? anchor : "", anchor ? "\"" : "", fill, size);
    wtext_fit(w, s, max_px, size);
    ws(w, "</text>\n");
}

/* ---- times and numbers ------------------------------------------------------------- */
enum tfmt { T_HM, T_MD, T_YMD, T_YMD_HM, T_YM };

static void fmt_time(ms_t t, enum tfmt f, char *out, size_t n)
{
    struct civil c;
    time_to_civil(t, NULL, &c);
    switch (f) {
    case T_HM: snprintf(out, n, "%02d:%02d", c.hour, c.min); break;
    case T_MD: snprintf(out, n, "%02d-%02d", c.month, c.day); break;
    case T_YMD: snprintf(out, n, "%04d-%02d-%02d", c.year, c.month, c.day); break;
    case T_YM: snprintf(out, n, "%04d-%02d", c.year, c.month); break;
    case T_YMD_HM:
        snprintf(out, n, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.min);
        break;
    }
}

/* "2026-11-25 10:00 至 2026-11-26 10:00" */
static void fmt_period(enum svg_lang lang, ms_t from, ms_t to, char *out, size_t n)
{
    char a[32], b[32];
    fmt_time(from, T_YMD_HM, a, sizeof a);
    fmt_time(to, T_YMD_HM, b, sizeof b);
    snprintf(out, n, "%s%s%s", a, L(lang, L_TO), b);
}

/* A duration in its two largest units: "2天3小时" / "2d 3h". */
static void fmt_dur(enum svg_lang lang, ms_t d, char *out, size_t n)
{
    long long s = d / 1000;
    long long v[4] = {s / 86400, s / 3600 % 24, s / 60 % 60, s % 60};
    static const char *const zh[4] = {"天", "小时", "分", "秒"};
    static const char *const en[4] = {"d", "h", "m", "s"};
    const char *const *u = lang == SVG_EN ? en : zh;
    int first = 0;
    while (first < 3 && v[first] == 0)
        first++;
    if (first == 3 || v[first + 1] == 0)
        snprintf(out, n, "%lld%s", v[first], u[first]);
    else
        snprintf(out, n, "%lld%s%s%lld%s", v[first], u[first], lang == SVG_EN ? " " : "",
                 v[first + 1], u[first + 1]);
}

/* A latency for people: "0.5", "12", "1530". */
static void fmt_ms(double v, char *out, size_t n)
{
    if (v < 10 && v != floor(v))
        snprintf(out, n, "%.1f", v);
    else
        snprintf(out, n, "%.0f", v);
}

void svg_format_pct(double pct, char *out, size_t n)
{
    if (!(pct >= 0)) /* NaN too */
        pct = 0;
    if (pct > 100)
        pct = 100;
    /* Down, never up: 99.999 must not read as 100. The epsilon keeps 99.88
     * (stored as 99.87999…) at 99.88. */
    double v = floor(pct * 100 + 1e-6) / 100;
    if (v > pct && pct < 100)
        v = floor(pct * 100) / 100;
    snprintf(out, n, "%.2f", v);
}

/* A step of 1, 2, 2.5 or 5 × 10^k at least raw. */
static double nice_step(double raw)
{
    if (!(raw > 0))
        return 1;
    double p = pow(10, floor(log10(raw)));
    static const double m[] = {1, 2, 2.5, 5, 10};
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (m[i] * p >= raw)
            return m[i] * p;
    return 10 * p;
}

/* ---- the time axis ------------------------------------------------------------------- */

/* Ticks on local (display zone) boundaries: the smallest step giving at most
 * max_ticks over the period. */
static ms_t tick_step(ms_t period, int max_ticks)
{
    static const ms_t steps[] = {
        MS_PER_MIN, 2 * MS_PER_MIN, 5 * MS_PER_MIN, 10 * MS_PER_MIN, 15 * MS_PER_MIN,
        30 * MS_PER_MIN, MS_PER_H, 2 * MS_PER_H, 3 * MS_PER_H, 6 * MS_PER_H, 12 * MS_PER_H,
        MS_PER_DAY, 2 * MS_PER_DAY, 7 * MS_PER_DAY, 14 * MS_PER_DAY, 28 * MS_PER_DAY,
        56 * MS_PER_DAY, 91 * MS_PER_DAY, 182 * MS_PER_DAY, 364 * MS_PER_DAY};
    if (max_ticks < 1)
        max_ticks = 1;
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (period / steps[i] <= max_ticks)
            return steps[i];
    return steps[sizeof steps / sizeof steps[0] - 1];
}

struct xmap {
    ms_t from, to;
    double x0, x1;
};

static double xat(const struct xmap *m, ms_t t)
{
    return m->x0 + (double)(t - m->from) / (double)(m->to - m->from) * (m->x1 - m->x0);
}

/* One tick at t: a grid line up to top (when top < base), a mark and a
 * label kept inside the picture. */
static void tick(struct w *w, const struct xmap *m, ms_t t, enum tfmt f, double base, double top,
                 int width)
{
    double x = xat(m, t);
    if (top < base)
        wf(w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_GRID "\"/>\n",
           x, top, x, base);
    wf(w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_AXIS "\"/>\n", x,
       base, x, base + 4);
    char lab[32];
    fmt_time(t, f, lab, sizeof lab);
    double half = text_px(lab, SMALL_PX) / 2;
    double lx = x < half + 2 ? half + 2 : x > width - half - 2 ? width - half - 2 : x;
    wlabel(w, lx, base + 16, "middle", C_MUTED, SMALL_PX, lab, 0);
}

/* Ticks along y = base at round local times (display zone): "HH:MM" within
 * a day ("MM-DD" at midnights when the period spans days), "MM-DD" for
 * steps of days, "YYYY-MM" at the first of months. */
static void time_axis(struct w *w, const struct xmap *m, double base, double top, int width)
{
    ms_t period = m->to - m->from;
    ms_t step = tick_step(period, (int)((m->x1 - m->x0) / 90));
    if (step >= 28 * MS_PER_DAY) {
        int months = step == 28 * MS_PER_DAY   ? 1
                     : step == 56 * MS_PER_DAY ? 2
                     : step == 91 * MS_PER_DAY ? 3
                     : step == 182 * MS_PER_DAY ? 6
                                                : 12;
        struct civil k;
        time_to_civil(m->from, NULL, &k);
        struct civil first = {k.year, k.month, 1, 0, 0, 0, 0, 0};
        if (time_from_civil(&first, NULL) < m->from)
            first.month++;
        for (int i = 0; i < 1000; i++) {
            struct civil c = first;
            c.month += i * months;
            ms_t t = time_from_civil(&c, NULL);
            if (t > m->to)
                break;
            tick(w, m, t, T_YM, base, top, width);
        }
        return;
    }
    struct civil c;
    time_to_civil(m->from, NULL, &c);
    ms_t off = (ms_t)c.utc_offset_s * 1000; /* the zone's offset at the start of the chart */
    ms_t local = m->from + off;
    ms_t first = (local / step + (local % step > 0)) * step - off;
    for (ms_t t = first; t <= m->to; t += step) {
        enum tfmt f = T_HM;
        if (step >= MS_PER_DAY)
            f = T_MD;
        else if (period > MS_PER_DAY && (t + off) % MS_PER_DAY == 0)
            f = T_MD;
        tick(w, m, t, f, base, top, width);
    }
}

/* ---- the document ------------------------------------------------------------------- */

static void open_svg(struct w *w, const char *id, int width, int height, const char *title,
                     const char *kind, const char *desc)
{
    wf(w, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
          "viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"%s-t %s-d\" font-family=\"%s\" "
          "font-size=\"%d\">\n",
       width, height, width, height, id, id, FONT, FONT_PX);
    wf(w, "<title id=\"%s-t\">", id);
    if (title && *title) {
        wtext(w, title);
        ws(w, " · ");
    }
    wtext(w, kind);
    ws(w, "</title>\n");
    wf(w, "<desc id=\"%s-d\">", id);
    wtext(w, desc);
    ws(w, "</desc>\n");
    wf(w, "<rect width=\"%d\" height=\"%d\" fill=\"" C_BG "\"/>\n", width, height);
}

static int finish(struct w *w, struct yw_err *err)
{
    ws(w, "</svg>\n");
    if (w->bad) {
        buf_release(w->b);
        return yw_fail(err, YW_ELIMIT, "chart: larger than %d bytes", SVG_OUT_MAX);
    }
    return 0;
}

static int check_period(ms_t from, ms_t to, struct yw_err *err)
{
    if (to <= from)
        return yw_fail_field(err, YW_EINVAL, "from", "from: must be before to");
    return 0;
}

static void legend_swatch(struct w *w, double x, double y, const char *fill, bool line)
{
    if (line)
        wf(w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
              "stroke-width=\"2\"/>\n",
           x, y - 4, x + 12, y - 4, fill);
    else
        wf(w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"10\" fill=\"%s\"/>\n", x, y - 9,
           fill);
}

/* ---- latency ----------------------------------------------------------------------- */

void svg_lat_init(struct svg_lat *b, size_t n, ms_t from, ms_t to)
{
    assert(n >= 1 && n <= SVG_BUCKETS_MAX && from < to);
    for (size_t i = 0; i < n; i++) {
        b[i] = (struct svg_lat){0};
        b[i].start = from + (ms_t)((double)(to - from) * (double)i / (double)n);
        b[i].end = i + 1 == n ? to : from + (ms_t)((double)(to - from) * (double)(i + 1) / (double)n);
    }
}

static struct svg_lat *bucket_of(struct svg_lat *b, size_t n, ms_t t)
{
    if (n == 0 || t < b[0].start || t >= b[n - 1].end)
        return NULL;
    size_t i = (size_t)((double)(t - b[0].start) / (double)(b[n - 1].end - b[0].start) * (double)n);
    if (i >= n)
        i = n - 1;
    while (i > 0 && t < b[i].start) /* rounding */
        i--;
    while (i + 1 < n && t >= b[i].end)
        i++;
    return &b[i];
}

static void lat_merge(struct svg_lat *k, long checks, double min, double avg, double max)
{
    if (checks <= 0)
        return;
    if (k->count == 0) {
        k->min = min, k->max = max, k->avg = avg;
    } else {
        if (min < k->min)
            k->min = min;
        if (max > k->max)
            k->max = max;
        k->avg = (k->avg * (double)k->count + avg * (double)checks) / (double)(k->count + checks);
    }
    k->count += checks;
}

void svg_lat_add(struct svg_lat *b, size_t n, ms_t t, bool ok, double latency_ms)
{
    struct svg_lat *k = bucket_of(b, n, t);
    if (!k)
        return;
    if (!ok) {
        k->failures++;
        return;
    }
    if (!(latency_ms >= 0))
        latency_ms = 0;
    lat_merge(k, 1, latency_ms, latency_ms, latency_ms);
}

void svg_lat_add_agg(struct svg_lat *b, size_t n, ms_t t, long checks, long failures, double min,
                     double avg, double max)
{
    struct svg_lat *k = bucket_of(b, n, t);
    if (!k || checks < 0 || failures < 0)
        return;
    k->failures += failures;
    /* A rollup's latencies are over all its checks, failed ones included
     * (store.h); they weigh as its successful checks. */
    lat_merge(k, checks - failures, min, avg, max);
}

int svg_latency(struct buf *out, const struct svg_opts *o, ms_t from, ms_t to,
                const struct svg_lat *b, size_t n, struct yw_err *err)
{
    if (check_period(from, to, err) != 0 || svg_size_check(o->width, o->height, err) != 0)
        return -1;
    if (n > SVG_BUCKETS_MAX)
        return yw_fail(err, YW_ELIMIT, "chart: more than %d buckets", SVG_BUCKETS_MAX);
    int W = o->width ? o->width : 800, H = o->height ? o->height : 240;
    if (H < 120)
        H = 120; /* room for the axes */
    struct w w = {out, false};
    const double ML = 52, MR = 14, MT = 30, MB = 26;
    struct xmap xm = {from, to, ML, W - MR};
    double y0 = MT, y1 = H - MB;

    /* Figures for the scale and the description. */
    long checks = 0, failures = 0;
    double lo = 0, hi = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        failures += b[i].failures;
        if (b[i].count <= 0)
            continue;
        if (checks == 0 || b[i].min < lo)
            lo = b[i].min;
        if (checks == 0 || b[i].max > hi)
            hi = b[i].max;
        sum += b[i].avg * (double)b[i].count;
        checks += b[i].count;
    }
    enum svg_lang lang = o->lang;
    char period[96], desc[512];
    fmt_period(lang, from, to, period, sizeof period);
    if (checks > 0) {
        char a[32], mn[32], mx[32], fig[320];
        fmt_ms(sum / (double)checks, a, sizeof a);
        fmt_ms(lo, mn, sizeof mn);
        fmt_ms(hi, mx, sizeof mx);
        fmt_lat_summary(lang, a, mn, mx, checks + failures, failures, fig, sizeof fig);
        snprintf(desc, sizeof desc, "%s: %s", period, fig);
    } else if (failures > 0) {
        char fig[64];
        fmt_failed(lang, failures, fig, sizeof fig);
        snprintf(desc, sizeof desc, "%s: %s", period, fig);
    } else {
        snprintf(desc, sizeof desc, "%s: %s", period, L(lang, L_NODATA));
    }
    open_svg(&w, "yw-lat", W, H, o->title, L(lang, L_LATENCY), desc);

    /* Header: the title at the left, the legend at the right. */
    double lx = W - MR;
    const char *items[3] = {L(lang, L_FAILED), L(lang, L_AVG), L(lang, L_MINMAX)};
    const char *fills[3] = {state_colour[ST_DOWN], C_AVG, C_BAND};
    double title_room = lx - ML;
    for (int i = 0; i < 3; i++) {
        double tw = text_px(items[i], SMALL_PX);
        lx -= tw;
        wlabel(&w, lx, 16, NULL, C_TEXT, SMALL_PX, items[i], 0);
        lx -= 16;
        legend_swatch(&w, lx, 16, fills[i], i == 1);
        lx -= 12;
        title_room = lx - ML - 12;
    }
    if (o->title && *o->title && title_room > 40)
        wlabel(&w, ML, 16, NULL, C_TEXT, FONT_PX, o->title, title_room);

    /* The latency scale. */
    double step = nice_step((hi > 0 ? hi : 100) / 4);
    double top = ceil((hi > 0 ? hi : 100) / step) * step;
    if (top <= 0)
        top = step;
    wlabel(&w, ML - 6, MT - 8, "end", C_MUTED, SMALL_PX, "ms", 0);
    for (int k = 0; k * step <= top + step / 1000; k++) {
        double v = k * step, y = y1 - v / top * (y1 - y0);
        char lab[32];
        fmt_ms(v, lab, sizeof lab);
        if (k > 0)
            wf(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_GRID
                   "\"/>\n",
               ML, y, (double)W - MR, y);
        wlabel(&w, ML - 6, y + 4, "end", C_MUTED, SMALL_PX, lab, 0);
    }
    time_axis(&w, &xm, y1, y0, W);
    wf(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_AXIS "\"/>\n", ML,
       y1, (double)W - MR, y1);
    wf(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_AXIS "\"/>\n", ML,
       y0, ML, y1);

    if (checks == 0 && failures == 0) {
        wlabel(&w, (ML + W - MR) / 2, (y0 + y1) / 2 + 4, "middle", C_MUTED, FONT_PX,
               L(lang, L_NODATA), 0);
        return finish(&w, err);
    }

    /* The band and the average, one path per run of buckets with data. */
#define Y(v) (y1 - ((v) > top ? top : (v)) / top * (y1 - y0))
    size_t i = 0;
    while (i < n) {
        if (b[i].count <= 0) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < n && b[j].count > 0)
            j++;
        /* [i, j): the band through the buckets' middles, from the run's first
         * edge to its last (a lone bucket: its own width), then the average
         * likewise. */
        ws(&w, "<path fill=\"" C_BAND "\" d=\"");
        wf(&w, "M%.1f %.1f", xat(&xm, b[i].start), Y(b[i].max));
        for (size_t k = i; k < j; k++)
            wf(&w, "L%.1f %.1f", (xat(&xm, b[k].start) + xat(&xm, b[k].end)) / 2, Y(b[k].max));
        wf(&w, "L%.1f %.1fL%.1f %.1f", xat(&xm, b[j - 1].end), Y(b[j - 1].max),
           xat(&xm, b[j - 1].end), Y(b[j - 1].min));
        for (size_t k = j; k-- > i;)
            wf(&w, "L%.1f %.1f", (xat(&xm, b[k].start) + xat(&xm, b[k].end)) / 2, Y(b[k].min));
        wf(&w, "L%.1f %.1fZ\"/>\n", xat(&xm, b[i].start), Y(b[i].min));
        ws(&w, "<path fill=\"none\" stroke=\"" C_AVG "\" stroke-width=\"1.5\" "
               "stroke-linejoin=\"round\" d=\"");
        wf(&w, "M%.1f %.1f", xat(&xm, b[i].start), Y(b[i].avg));
        for (size_t k = i; k < j; k++)
            wf(&w, "L%.1f %.1f", (xat(&xm, b[k].start) + xat(&xm, b[k].end)) / 2, Y(b[k].avg));
        wf(&w, "L%.1f %.1f", xat(&xm, b[j - 1].end), Y(b[j - 1].avg));
        ws(&w, "\"/>\n");
        i = j;
    }
    /* Failures: a mark at the foot of the plot, with a tooltip. */
    for (size_t k = 0; k < n; k++) {
        if (b[k].failures <= 0)
            continue;
        double xa = xat(&xm, b[k].start), xb = xat(&xm, b[k].end);
        char t0[32], t1[32], what[64];
        fmt_time(b[k].start, T_YMD_HM, t0, sizeof t0);
        fmt_time(b[k].end, T_HM, t1, sizeof t1);
        fmt_failed(lang, b[k].failures, what, sizeof what);
        wf(&w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"5\" fill=\"%s\"><title>", xa,
           y1 - 5, xb - xa > 1.5 ? xb - xa : 1.5, state_colour[ST_DOWN]);
        wtext(&w, t0);
        ws(&w, "–");
        wtext(&w, t1);
        ws(&w, " ");
        wtext(&w, what);
        ws(&w, "</title></rect>\n");
    }
#undef Y
    return finish(&w, err);
}

/* ---- state timeline ------------------------------------------------------------------ */

static int cmp_span_start(const void *a, const void *b)
{
    const struct svg_span *x = *(const struct svg_span *const *)a;
    const struct svg_span *y = *(const struct svg_span *const *)b;
    return (x->start > y->start) - (x->start < y->start);
}

int svg_timeline(struct buf *out, const struct svg_opts *o, ms_t from, ms_t to,
                 const struct svg_span *s, size_t n, struct yw_err *err)
{
    if (check_period(from, to, err) != 0 || svg_size_check(o->width, o->height, err) != 0)
        return -1;
    int W = o->width ? o->width : 800, H = o->height ? o->height : 96;
    if (H < 72)
        H = 72; /* bar, axis and legend */
    enum svg_lang lang = o->lang;
    struct w w = {out, false};
    const double ML = 8, MR = 8, MT = 6;
    double bar_h = H - MT - 46;
    struct xmap xm = {from, to, ML, W - MR};
    size_t cols = (size_t)(W - ML - MR);

    /* Exact totals per state for the legend and the description. */
    ms_t total[ST__COUNT] = {0};
    size_t count[ST__COUNT] = {0};
    ms_t covered = 0;
    const struct svg_span **sorted = xcalloc(n ? n : 1, sizeof *sorted);
    size_t ns = 0;
    for (size_t i = 0; i < n; i++) {
        ms_t a = s[i].start > from ? s[i].start : from, e = s[i].end < to ? s[i].end : to;
        if (e <= a || (unsigned)s[i].state >= ST__COUNT)
            continue;
        total[s[i].state] += e - a;
        count[s[i].state]++;
        covered += e - a;
        sorted[ns++] = &s[i];
    }
    total[ST_NODATA] += covered < to - from ? (to - from) - covered : 0;
    if (ns > 1)
        qsort(sorted, ns, sizeof *sorted, cmp_span_start);

    /* One state per pixel column: down wherever any down time falls (a short
     * outage stays visible), else the state covering most of the column. */
    double (*cover)[ST__COUNT] = xcalloc(cols, sizeof *cover);
    double per_col = (double)(to - from) / (double)cols;
    for (size_t i = 0; i < ns; i++) {
        ms_t a = sorted[i]->start > from ? sorted[i]->start : from;
        ms_t e = sorted[i]->end < to ? sorted[i]->end : to;
        double ca = (double)(a - from) / per_col, ce = (double)(e - from) / per_col;
        for (size_t c = (size_t)ca; c < cols && (double)c < ce; c++) {
            double lo = ca > (double)c ? ca : (double)c, hi = ce < c + 1.0 ? ce : c + 1.0;
            if (hi > lo)
                cover[c][sorted[i]->state] += hi - lo;
        }
    }
    enum mstate *col = xcalloc(cols, sizeof *col);
    for (size_t c = 0; c < cols; c++) {
        double sum = 0;
        for (int k = 0; k < ST__COUNT; k++)
            sum += cover[c][k];
        cover[c][ST_NODATA] += sum < 1 ? 1 - sum : 0;
        enum mstate best = ST_NODATA;
        if (cover[c][ST_DOWN] > 0) {
            best = ST_DOWN;
        } else {
            for (int k = 0; k < ST__COUNT; k++)
                if (cover[c][k] > cover[c][best])
                    best = (enum mstate)k;
        }
        col[c] = best;
    }
    xfree(cover);

    char period[96], desc[1024];
    fmt_period(lang, from, to, period, sizeof period);
    size_t dl = (size_t)snprintf(desc, sizeof desc, "%s:", period);
    static const enum mstate order[] = {ST_UP, ST_DOWN, ST_MAINT, ST_PAUSED, ST_NODATA};
    bool later = false;
    for (size_t k = 0; k < sizeof order / sizeof order[0] && dl < sizeof desc; k++) {
        enum mstate st = order[k];
        if (total[st] == 0)
            continue;
        char d[48], times[32] = "";
        fmt_dur(lang, total[st], d, sizeof d);
        if (st == ST_DOWN && count[st] > 0) {
            times[0] = ' ', times[1] = '(';
            fmt_times(lang, count[st], times + 2, sizeof times - 3);
            strcat(times, ")");
        }
        int k2 = snprintf(desc + dl, sizeof desc - dl, "%s %s %s%s", later ? "," : "",
                          S(lang, st), d, times);
        later = true;
        if (k2 < 0)
            break;
        dl += (size_t)k2;
    }
    open_svg(&w, "yw-tl", W, H, o->title, L(lang, L_TIMELINE), desc);

    /* The bar: runs of columns of one state, each with its tooltip. */
    size_t c = 0;
    size_t first = 0; /* sorted spans before this one end before the current run */
    while (c < cols) {
        size_t d = c;
        while (d < cols && col[d] == col[c])
            d++;
        enum mstate st = col[c];
        ms_t ta = from + (ms_t)((double)c * per_col), tb = d == cols ? to
                                                                      : from + (ms_t)((double)d * per_col);
        /* The spans of this state within the run: one gives its exact times
         * and reason. */
        while (first < ns && sorted[first]->end <= ta)
            first++;
        const struct svg_span *only = NULL;
        size_t found = 0;
        for (size_t i = first; i < ns && sorted[i]->start < tb; i++) {
            if (sorted[i]->state != st || sorted[i]->end <= ta)
                continue;
            only = sorted[i];
            found++;
        }
        if (found == 1) {
            ta = only->start > from ? only->start : from;
            tb = only->end < to ? only->end : to;
        }
        double xa = ML + (double)c, xb = ML + (double)d;
        wf(&w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
           xa, MT, xb - xa, bar_h, state_colour[st]);
        char t0[32], t1[32], dur[48];
        fmt_time(ta, T_YMD_HM, t0, sizeof t0);
        fmt_time(tb, tb - ta < MS_PER_DAY ? T_HM : T_YMD_HM, t1, sizeof t1);
        fmt_dur(lang, tb - ta, dur, sizeof dur);
        wtext(&w, S(lang, st));
        wf(&w, " %s–%s (", t0, t1);
        wtext(&w, dur);
        ws(&w, ")");
        if (found == 1 && only->reason && *only->reason) {
            ws(&w, ": ");
            wtext(&w, only->reason);
        } else if (found > 1) {
            char times[32];
            fmt_times(lang, found, times, sizeof times);
            ws(&w, ", ");
            wtext(&w, times);
        }
        ws(&w, "</title></rect>\n");
        c = d;
    }
    xfree(col);
    xfree(sorted);
    time_axis(&w, &xm, MT + bar_h, MT + bar_h, W);

    /* The legend: the states that occur, with their total time. */
    double x = ML, y = H - 8;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        enum mstate st = order[k];
        if (total[st] == 0)
            continue;
        char d[48], item[96];
        fmt_dur(lang, total[st], d, sizeof d);
        snprintf(item, sizeof item, "%s %s", S(lang, st), d);
        legend_swatch(&w, x, y, state_colour[st], false);
        wlabel(&w, x + 16, y, NULL, C_TEXT, SMALL_PX, item, 0);
        x += 16 + text_px(item, SMALL_PX) + 14;
    }
    return finish(&w, err);
}

/* ---- availability bars ------------------------------------------------------------- */

static const char *pct_colour(double pct)
{
    return pct >= 99.9 ? state_colour[ST_UP] : pct >= 99 ? C_AMBER : state_colour[ST_DOWN];
}

/* "99.5", "100", "0": a scale label. */
static void fmt_scale(double v, char *out, size_t n)
{
    snprintf(out, n, "%.2f", v);
    char *dot = strchr(out, '.');
    if (!dot)
        return;
    char *e = out + strlen(out);
    while (e > dot + 1 && e[-1] == '0')
        *--e = '\0';
    if (e == dot + 1)
        *dot = '\0';
}

int svg_availability(struct buf *out, const struct svg_opts *o, ms_t from, ms_t to,
                     const struct svg_bar *bars, size_t n, struct yw_err *err)
{
    if (check_period(from, to, err) != 0 || svg_size_check(o->width, 0, err) != 0)
        return -1;
    if (n > SVG_BARS_MAX)
        return yw_fail(err, YW_ELIMIT, "chart: more than %d bars", SVG_BARS_MAX);
    enum svg_lang lang = o->lang;
    int W = o->width ? o->width : 800;
    const double ROW = 26, TOP = 46, PAD = 8, PW = 64;
    int H = (int)(TOP + (double)(n ? n : 1) * ROW + PAD);
    double LW = W * 0.28;
    LW = LW < 80 ? 80 : LW > 320 ? 320 : LW;
    double bx0 = PAD + LW + 8, bx1 = W - PAD - PW;
    struct w w = {out, false};

    double min = 100;
    bool any = false;
    for (size_t i = 0; i < n; i++)
        if (bars[i].defined) {
            double p = bars[i].pct < 0 ? 0 : bars[i].pct > 100 ? 100 : bars[i].pct;
            if (!any || p < min)
                min = p;
            any = true;
        }
    static const double floors[] = {99.9, 99.5, 99, 98, 95, 90, 80, 50};
    double lb = 0;
    for (size_t i = 0; any && i < sizeof floors / sizeof floors[0]; i++)
        if (floors[i] < min) {
            lb = floors[i];
            break;
        }

    /* The description lists every bar. */
    char period[96];
    fmt_period(lang, from, to, period, sizeof period);
    struct buf desc = BUF_INIT(SVG_OUT_MAX / 4);
    buf_addf(&desc, "%s", period);
    for (size_t i = 0; i < n; i++) {
        char p[16];
        svg_format_pct(bars[i].pct, p, sizeof p);
        if (buf_addf(&desc, "%s %s %s%s", i ? ";" : ":", bars[i].label ? bars[i].label : "",
                     bars[i].defined ? p : L(lang, L_NODATA), bars[i].defined ? "%" : "") != 0)
            break;
    }
    open_svg(&w, "yw-av", W, H, o->title, L(lang, L_AVAIL), buf_str(&desc));
    buf_release(&desc);

    /* Header: the period; the scale's ends and middle with grid lines. */
    wlabel(&w, PAD, 16, NULL, C_TEXT, FONT_PX, period, W - 2 * PAD);
    double marks[3] = {lb, (lb + 100) / 2, 100};
    for (int k = 0; k < 3; k++) {
        double x = bx0 + (marks[k] - lb) / (100 - lb) * (bx1 - bx0);
        char lab[24];
        fmt_scale(marks[k], lab, sizeof lab);
        strcat(lab, "%");
        wlabel(&w, x, TOP - 8, k == 0 ? "start" : k == 2 ? "end" : "middle", C_MUTED, SMALL_PX,
               lab, 0);
        wf(&w, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"" C_GRID "\"/>\n",
           x, TOP - 4, x, TOP + (double)(n ? n : 1) * ROW);
    }
    if (n == 0)
        wlabel(&w, (bx0 + bx1) / 2, TOP + 17, "middle", C_MUTED, FONT_PX, L(lang, L_NODATA), 0);

    for (size_t i = 0; i < n; i++) {
        double y = TOP + (double)i * ROW;
        char p[16];
        svg_format_pct(bars[i].pct, p, sizeof p);
        ws(&w, "<g><title>");
        wtext(&w, bars[i].label);
        ws(&w, ": ");
        if (bars[i].defined) {
            wtext(&w, p);
            ws(&w, "%");
        } else {
            wtext(&w, L(lang, L_NODATA));
        }
        ws(&w, "</title>\n");
        wlabel(&w, PAD, y + 17, NULL, C_TEXT, FONT_PX, bars[i].label, LW);
        wf(&w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"" C_GRID
               "\"/>\n",
           bx0, y + 6, bx1 - bx0);
        if (bars[i].defined) {
            double v = bars[i].pct < lb ? lb : bars[i].pct > 100 ? 100 : bars[i].pct;
            double len = (v - lb) / (100 - lb) * (bx1 - bx0);
            wf(&w, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"14\" fill=\"%s\"/>\n", bx0,
               y + 6, len, pct_colour(bars[i].pct));
            char txt[24];
            snprintf(txt, sizeof txt, "%s%%", p);
            wlabel(&w, bx1 + 6, y + 17, NULL, C_TEXT, FONT_PX, txt, 0);
        } else {
            wlabel(&w, bx1 + 6, y + 17, NULL, C_MUTED, SMALL_PX, L(lang, L_NODATA), PW - 6);
        }
        ws(&w, "</g>\n");
    }
    return finish(&w, err);
}
