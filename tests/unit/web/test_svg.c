/* The SVG charts: always well-formed XML (a small checker, xmlcheck.h), for
 * no data, one point, many points, every state, hostile and Chinese labels;
 * sizes, limits, the scale, time labels in the display zone, the two
 * languages, percentages rounded down. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/timeutil.h"
#include "t.h"
#include "web/svg.h"
#include "xmlcheck.h"

/* 2026-11-25T00:00:00+08:00 */
static ms_t day0(void)
{
    ms_t t = 0;
    time_parse_rfc3339("2026-11-25T00:00:00+08:00", &t);
    return t;
}

static bool well_formed(const struct buf *b, struct xml_count *c)
{
    size_t at = 0;
    const char *why = xml_check(buf_str(b), c, &at);
    if (why) {
        printf("#   not well-formed at byte %zu: %s: \"%.60s\"\n", at, why, buf_str(b) + at);
        return false;
    }
    return true;
}

/* ---- latency ---------------------------------------------------------------------- */

TEST(latency_without_data_says_so)
{
    ms_t from = day0(), to = from + MS_PER_DAY;
    struct svg_lat b[10];
    svg_lat_init(b, 10, from, to);
    struct svg_opts o = SVG_OPTS_INIT;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_latency(&out, &o, from, to, b, 10, &err), 0);
    struct xml_count c;
    CHECK(well_formed(&out, &c));
    CHECK_INT(c.svg, 1);
    CHECK_INT(c.title, 1);
    CHECK_INT(c.desc, 1);
    CHECK_INT(c.path, 0);
    CHECK(strstr(buf_str(&out), "width=\"800\" height=\"240\"") != NULL);
    CHECK(strstr(buf_str(&out), "role=\"img\" aria-labelledby=\"yw-lat-t yw-lat-d\"") != NULL);
    CHECK(strstr(buf_str(&out), ">无数据</text>") != NULL);
    CHECK(strstr(buf_str(&out), "<title id=\"yw-lat-t\">延迟</title>") != NULL);
    CHECK(strstr(buf_str(&out), "style") == NULL); /* CSP: no inline styles */
    CHECK(strstr(buf_str(&out), "<script") == NULL);
    buf_release(&out);
    /* zero buckets is the same picture */
    CHECK_INT(svg_latency(&out, &o, from, to, NULL, 0, &err), 0);
    CHECK(well_formed(&out, NULL));
    buf_release(&out);
}

TEST(latency_one_point)
{
    ms_t from = day0(), to = from + MS_PER_H;
    struct svg_lat b[100];
    svg_lat_init(b, 100, from, to);
    svg_lat_add(b, 100, from + 30 * MS_PER_MIN, true, 42);
    struct svg_opts o = {.title = "portal-home"};
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_latency(&out, &o, from, to, b, 100, &err), 0);
    struct xml_count c;
    CHECK(well_formed(&out, &c));
    CHECK_INT(c.path, 2); /* the band and the average */
    /* a single bucket's average is drawn across it, not as a lone point */
    CHECK(strstr(buf_str(&out), "stroke=\"#1d4ed8\" stroke-width=\"1.5\" "
                                "stroke-linejoin=\"round\" d=\"M") != NULL);
    CHECK(strstr(buf_str(&out), "<title id=\"yw-lat-t\">portal-home · 延迟</title>") != NULL);
    CHECK(strstr(buf_str(&out), "平均 42 ms，最小 42 ms，最大 42 ms，1 次检查中失败 0 次") !=
          NULL);
    /* scale: 42 → steps of 20 up to 60 */
    CHECK(strstr(buf_str(&out), ">60</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">80</text>") == NULL);
    buf_release(&out);
}

TEST(latency_many_points_and_failures)
{
    ms_t from = day0(), to = from + MS_PER_DAY;
    size_t n = 183;
    struct svg_lat *b = xcalloc(n, sizeof *b);
    svg_lat_init(b, n, from, to);
    long ok = 0, bad = 0;
    for (ms_t t = from; t < to; t += 10 * MS_PER_S) {
        /* an outage from 06:00 to 06:30: failures and no latency */
        bool fail = t >= from + 6 * MS_PER_H && t < from + 6 * MS_PER_H + 30 * MS_PER_MIN;
        double lat = 20 + 10 * sin((double)(t - from) / MS_PER_H);
        svg_lat_add(b, n, t, !fail, lat);
        fail ? bad++ : ok++;
    }
    struct svg_opts o = SVG_OPTS_INIT;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_latency(&out, &o, from, to, b, n, &err), 0);
    struct xml_count c;
    CHECK(well_formed(&out, &c));
    /* the outage splits the band in two runs: 2 × (band + average) */
    CHECK_INT(c.path, 4);
    CHECK(count_of(buf_str(&out), "fill=\"#b91c1c\"><title>") >= 3);
    char want[96];
    snprintf(want, sizeof want, "%ld 次检查中失败 %ld 次", ok + bad, bad);
    CHECK(strstr(buf_str(&out), want) != NULL);
    /* time labels every 3 h on local hours (Asia/Shanghai), not UTC ones */
    CHECK(strstr(buf_str(&out), ">03:00</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">21:00</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">19:00</text>") == NULL);
    CHECK(strstr(buf_str(&out), "2026-11-25 00:00 至 2026-11-26 00:00") != NULL);
    buf_release(&out);
    xfree(b);
}

TEST(latency_in_english_and_sizes)
{
    ms_t from = day0(), to = from + 7 * MS_PER_DAY;
    struct svg_lat b[168];
    svg_lat_init(b, 168, from, to);
    for (size_t i = 0; i < 168; i++)
        svg_lat_add_agg(b, 168, from + (ms_t)i * MS_PER_H, 360, i == 5 ? 10 : 0, 5, 12, 250);
    struct svg_opts o = {.width = 1200, .height = 300, .lang = SVG_EN};
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_latency(&out, &o, from, to, b, 168, &err), 0);
    CHECK(well_formed(&out, NULL));
    CHECK(strstr(buf_str(&out), "width=\"1200\" height=\"300\" viewBox=\"0 0 1200 300\"") !=
          NULL);
    CHECK(strstr(buf_str(&out), ">average</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">min–max</text>") != NULL);
    CHECK(strstr(buf_str(&out), "10 of 60480 checks failed") != NULL);
    CHECK(strstr(buf_str(&out), " to ") != NULL);
    /* a week: one label a day, at local midnight */
    CHECK(strstr(buf_str(&out), ">11-26</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">12-02</text>") != NULL);
    /* 250 ms: steps of 100 up to 300 */
    CHECK(strstr(buf_str(&out), ">300</text>") != NULL);
    buf_release(&out);
}

TEST(latency_buckets)
{
    struct svg_lat b[4];
    svg_lat_init(b, 4, 0, 1000);
    CHECK_INT(b[0].start, 0);
    CHECK_INT(b[1].start, 250);
    CHECK_INT(b[3].start, 750);
    CHECK_INT(b[3].end, 1000);
    svg_lat_add(b, 4, 999, true, 10);
    svg_lat_add(b, 4, 1000, true, 99); /* outside: ignored */
    svg_lat_add(b, 4, -1, true, 99);
    svg_lat_add(b, 4, 250, true, 30);
    svg_lat_add(b, 4, 251, true, 10);
    svg_lat_add(b, 4, 252, false, 5000); /* failures carry no latency */
    CHECK_INT(b[3].count, 1);
    CHECK_INT(b[1].count, 2);
    CHECK_INT(b[1].failures, 1);
    CHECK_DBL(b[1].avg, 20, 1e-9);
    CHECK_DBL(b[1].min, 10, 1e-9);
    CHECK_DBL(b[1].max, 30, 1e-9);
    /* aggregates weigh by their successful checks */
    svg_lat_add_agg(b, 4, 0, 4, 1, 2, 10, 40); /* 3 measured, avg 10 */
    svg_lat_add_agg(b, 4, 1, 2, 0, 1, 20, 30); /* 2 measured, avg 20 */
    CHECK_INT(b[0].count, 5);
    CHECK_INT(b[0].failures, 1);
    CHECK_DBL(b[0].avg, 14, 1e-9);
    CHECK_DBL(b[0].min, 1, 1e-9);
    CHECK_DBL(b[0].max, 40, 1e-9);
    svg_lat_add_agg(b, 4, 500, 3, 3, 1, 1, 1); /* all failed: no latency */
    CHECK_INT(b[2].count, 0);
    CHECK_INT(b[2].failures, 3);
}

/* ---- timelines ---------------------------------------------------------------------- */

TEST(timeline_every_state_with_legend_and_tooltips)
{
    ms_t from = day0(), h = MS_PER_H, to = from + 24 * h;
    struct svg_span s[] = {
        {from, from + 10 * h, ST_UP, NULL},
        {from + 10 * h, from + 10 * h + 30 * MS_PER_S, ST_DOWN, "HTTP 503 <&> \"x\""},
        {from + 10 * h + 30 * MS_PER_S, from + 12 * h, ST_UP, "HTTP 200"},
        {from + 12 * h, from + 14 * h, ST_MAINT, "maintenance weekly"},
        {from + 14 * h, from + 15 * h, ST_PAUSED, "paused"},
        /* 15 h .. 16 h: nothing recorded = no data */
        {from + 16 * h, from + 30 * h, ST_UP, NULL}, /* past the end: clipped */
    };
    struct svg_opts o = {.title = "数据资源门户"};
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_timeline(&out, &o, from, to, s, sizeof s / sizeof s[0], &err), 0);
    struct xml_count c;
    CHECK(well_formed(&out, &c));
    const char *x = buf_str(&out);
    /* colours of every state in the bar and the legend */
    CHECK(strstr(x, "fill=\"#15803d\"") != NULL);
    CHECK(strstr(x, "fill=\"#b91c1c\"") != NULL); /* a 30 s outage stays visible */
    CHECK(strstr(x, "fill=\"#1d4ed8\"") != NULL);
    CHECK(strstr(x, "fill=\"#a16207\"") != NULL);
    CHECK(strstr(x, "fill=\"#6b7280\"") != NULL);
    /* legend: state and total time */
    CHECK(strstr(x, ">正常 19小时59分</text>") != NULL);
    CHECK(strstr(x, ">故障 30秒</text>") != NULL);
    CHECK(strstr(x, ">维护 2小时</text>") != NULL);
    CHECK(strstr(x, ">已暂停 1小时</text>") != NULL);
    CHECK(strstr(x, ">无数据 1小时</text>") != NULL);
    /* the outage's tooltip: exact times and its reason, escaped */
    CHECK(strstr(x, "<title>故障 2026-11-25 10:00–10:00 (30秒): HTTP 503 &lt;&amp;&gt; "
                    "&quot;x&quot;</title>") != NULL);
    CHECK(strstr(x, "<title id=\"yw-tl-t\">数据资源门户 · 状态</title>") != NULL);
    CHECK(strstr(x, "故障 30秒 (1 次)") != NULL); /* in the description */
    buf_release(&out);

    o.lang = SVG_EN;
    CHECK_INT(svg_timeline(&out, &o, from, to, s, sizeof s / sizeof s[0], &err), 0);
    CHECK(well_formed(&out, NULL));
    CHECK(strstr(buf_str(&out), ">Up 19h 59m</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">Maintenance 2h</text>") != NULL);
    CHECK(strstr(buf_str(&out), "Down 30s (1 times)") != NULL);
    buf_release(&out);
}

TEST(timeline_empty_and_single)
{
    ms_t from = day0(), to = from + MS_PER_DAY;
    struct svg_opts o = SVG_OPTS_INIT;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_timeline(&out, &o, from, to, NULL, 0, &err), 0);
    struct xml_count c;
    CHECK(well_formed(&out, &c));
    CHECK_INT(c.rect, 3); /* background, one no-data run, the legend swatch */
    CHECK(strstr(buf_str(&out), ">无数据 1天</text>") != NULL);
    buf_release(&out);

    struct svg_span one = {from - MS_PER_DAY, to + MS_PER_DAY, ST_UP, NULL};
    CHECK_INT(svg_timeline(&out, &o, from, to, &one, 1, &err), 0);
    CHECK(well_formed(&out, &c));
    CHECK_INT(c.rect, 3);
    CHECK(strstr(buf_str(&out), ">正常 1天</text>") != NULL);
    CHECK(strstr(buf_str(&out), "无数据") == NULL);
    buf_release(&out);
}

TEST(timeline_of_many_intervals_stays_small)
{
    ms_t from = day0(), to = from + 30 * MS_PER_DAY;
    size_t n = 100000;
    struct svg_span *s = xcalloc(n, sizeof *s);
    ms_t len = (to - from) / (ms_t)n;
    for (size_t i = 0; i < n; i++)
        s[i] = (struct svg_span){from + (ms_t)i * len, from + (ms_t)(i + 1) * len,
                                 i % 50 == 7 ? ST_DOWN : ST_UP, "flapping"};
    struct svg_opts o = {.width = 400};
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_timeline(&out, &o, from, to, s, n, &err), 0);
    struct xml_count c;
    CHECK(well_formed(&out, &c));
    CHECK(c.rect <= 384 + 4); /* at most one per pixel column */
    CHECK(out.len < 200 * 1024);
    CHECK(strstr(buf_str(&out), "(2000 次)") != NULL);
    buf_release(&out);
    xfree(s);
}

/* ---- availability bars --------------------------------------------------------------- */

TEST(availability_bars)
{
    ms_t from = day0(), to = from + 30 * MS_PER_DAY;
    char longname[256];
    memset(longname, 0, sizeof longname);
    for (int i = 0; i < 40; i++)
        strcat(longname, "门户");
    struct svg_bar bars[] = {
        {"数据资源门户", true, 99.999},
        {"A&B <ops>", true, 98.5},
        {"idle", false, 0},
        {longname, true, 100},
    };
    struct svg_opts o = SVG_OPTS_INIT;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_availability(&out, &o, from, to, bars, 4, &err), 0);
    struct xml_count c;
    CHECK(well_formed(&out, &c));
    const char *x = buf_str(&out);
    CHECK_INT(c.g, 4);
    CHECK(strstr(x, ">99.99%</text>") != NULL);  /* rounded down, never 100 */
    CHECK(strstr(x, ">98.50%</text>") != NULL);
    CHECK(strstr(x, ">100.00%</text>") != NULL);
    CHECK(strstr(x, ">数据资源门户</text>") != NULL);
    CHECK(strstr(x, ">A&amp;B &lt;ops&gt;</text>") != NULL);
    CHECK(strstr(x, "<title>idle: 无数据</title>") != NULL);
    CHECK(strstr(x, "…</text>") != NULL);            /* the long name is cut… */
    CHECK(strstr(x, longname) != NULL);               /* …but whole in its tooltip */
    /* the scale starts at 98 (the largest step below 98.5) */
    CHECK(strstr(x, ">98%</text>") != NULL);
    CHECK(strstr(x, ">99%</text>") != NULL);
    CHECK(strstr(x, ">100%</text>") != NULL);
    /* colours by level */
    CHECK(strstr(x, "fill=\"#15803d\"/>") != NULL);
    CHECK(strstr(x, "fill=\"#b91c1c\"/>") != NULL);
    /* height follows the rows */
    CHECK(strstr(x, "height=\"158\"") != NULL);
    buf_release(&out);

    CHECK_INT(svg_availability(&out, &o, from, to, NULL, 0, &err), 0);
    CHECK(well_formed(&out, &c));
    CHECK(strstr(buf_str(&out), ">无数据</text>") != NULL);
    buf_release(&out);
}

TEST(percentages_round_down)
{
    char p[16];
    svg_format_pct(99.999, p, sizeof p);
    CHECK_STR(p, "99.99");
    svg_format_pct(99.88, p, sizeof p);
    CHECK_STR(p, "99.88");
    svg_format_pct(99.995, p, sizeof p);
    CHECK_STR(p, "99.99");
    svg_format_pct(100, p, sizeof p);
    CHECK_STR(p, "100.00");
    svg_format_pct(0, p, sizeof p);
    CHECK_STR(p, "0.00");
    svg_format_pct(-3, p, sizeof p);
    CHECK_STR(p, "0.00");
    svg_format_pct(NAN, p, sizeof p);
    CHECK_STR(p, "0.00");
    svg_format_pct(0.004, p, sizeof p);
    CHECK_STR(p, "0.00");
}

/* ---- text from outside --------------------------------------------------------------- */

TEST(labels_are_escaped_and_cleaned)
{
    ms_t from = day0(), to = from + MS_PER_DAY;
    struct svg_opts o = {.title = "A&B <script>alert(1)</script> 'q' \"dq\" 门户 \x01\x7f"
                                  "bad\xff\xfe utf8 \xe4\xb8"};
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    struct svg_bar bar = {o.title, true, 50};
    CHECK_INT(svg_timeline(&out, &o, from, to, NULL, 0, &err), 0);
    CHECK(well_formed(&out, NULL));
    const char *x = buf_str(&out);
    CHECK(strstr(x, "<script") == NULL);
    CHECK(strstr(x, "A&amp;B &lt;script&gt;alert(1)&lt;/script&gt; &apos;q&apos; "
                    "&quot;dq&quot; 门户 bad\xEF\xBF\xBD\xEF\xBF\xBD utf8 \xEF\xBF\xBD") != NULL);
    buf_release(&out);
    CHECK_INT(svg_availability(&out, &o, from, to, &bar, 1, &err), 0);
    CHECK(well_formed(&out, NULL));
    buf_release(&out);
    struct svg_lat b[1];
    svg_lat_init(b, 1, from, to);
    CHECK_INT(svg_latency(&out, &o, from, to, b, 1, &err), 0);
    CHECK(well_formed(&out, NULL));
    buf_release(&out);
}

/* ---- limits and errors ------------------------------------------------------------------ */

TEST(sizes_and_limits)
{
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_size_check(0, 0, &err), 0);
    CHECK_INT(svg_size_check(SVG_WIDTH_MIN, SVG_HEIGHT_MAX, &err), 0);
    CHECK_INT(svg_size_check(SVG_WIDTH_MIN - 1, 0, &err), -1);
    CHECK_STR(err.field, "width");
    CHECK_INT(svg_size_check(SVG_WIDTH_MAX + 1, 0, &err), -1);
    CHECK_INT(svg_size_check(0, SVG_HEIGHT_MIN - 1, &err), -1);
    CHECK_STR(err.field, "height");
    CHECK_INT(svg_size_check(-5, 0, &err), -1);

    ms_t from = day0(), to = from + MS_PER_DAY;
    struct svg_opts o = {.width = 100};
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    CHECK_INT(svg_timeline(&out, &o, from, to, NULL, 0, &err), -1);
    CHECK_INT(err.code, YW_EINVAL);
    CHECK(out.p == NULL);
    o.width = 0;
    CHECK_INT(svg_timeline(&out, &o, to, from, NULL, 0, &err), -1); /* to before from */
    CHECK_STR(err.field, "from");
    CHECK_INT(svg_availability(&out, &o, from, to, NULL, SVG_BARS_MAX + 1, &err), -1);
    CHECK_INT(err.code, YW_ELIMIT);

    /* output past the buffer's limit: an error and nothing half-written */
    struct buf small = BUF_INIT(300);
    CHECK_INT(svg_timeline(&small, &o, from, to, NULL, 0, &err), -1);
    CHECK_INT(err.code, YW_ELIMIT);
    CHECK(small.p == NULL && small.len == 0);

    /* the smallest picture still draws */
    o.width = SVG_WIDTH_MIN;
    o.height = SVG_HEIGHT_MIN;
    CHECK_INT(svg_timeline(&out, &o, from, to, NULL, 0, &err), 0);
    CHECK(well_formed(&out, NULL));
    buf_release(&out);
    struct svg_lat b[1];
    svg_lat_init(b, 1, from, to);
    CHECK_INT(svg_latency(&out, &o, from, to, b, 1, &err), 0);
    CHECK(well_formed(&out, NULL));
    buf_release(&out);
}

TEST(long_periods_label_months)
{
    ms_t from = day0(), to = from + 400 * MS_PER_DAY;
    struct svg_span one = {from + MS_PER_DAY, to - MS_PER_DAY, ST_UP, NULL};
    struct svg_opts o = SVG_OPTS_INIT;
    struct buf out = BUF_INIT(SVG_OUT_MAX);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(svg_timeline(&out, &o, from, to, &one, 1, &err), 0);
    CHECK(well_formed(&out, NULL));
    /* every second month from the first whole one: 2026-12, 2027-02… */
    CHECK(strstr(buf_str(&out), ">2026-12</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">2027-02</text>") != NULL);
    CHECK(strstr(buf_str(&out), ">2027-01</text>") == NULL);
    CHECK(strstr(buf_str(&out), ">正常 398天</text>") != NULL);
    buf_release(&out);
    /* a short period: minutes */
    CHECK_INT(svg_timeline(&out, &o, from, from + 10 * MS_PER_MIN, &one, 1, &err), 0);
    CHECK(well_formed(&out, NULL));
    CHECK(strstr(buf_str(&out), ">00:04</text>") != NULL); /* every 2 minutes */
    buf_release(&out);
}

TEST(languages)
{
    enum svg_lang l = SVG_EN;
    CHECK_INT(svg_lang_parse("zh-CN", &l), 0);
    CHECK_INT(l, SVG_ZH);
    CHECK_INT(svg_lang_parse("en", &l), 0);
    CHECK_INT(l, SVG_EN);
    CHECK_INT(svg_lang_parse("zh", &l), 0);
    CHECK_INT(svg_lang_parse("fr", &l), -1);
    CHECK_INT(svg_lang_parse("", &l), -1);
    CHECK_INT(svg_lang_parse(NULL, &l), -1);
}

int main(void)
{
    time_set_display_zone("Asia/Shanghai");
    RUN(latency_without_data_says_so);
    RUN(latency_one_point);
    RUN(latency_many_points_and_failures);
    RUN(latency_in_english_and_sizes);
    RUN(latency_buckets);
    RUN(timeline_every_state_with_legend_and_tooltips);
    RUN(timeline_empty_and_single);
    RUN(timeline_of_many_intervals_stays_small);
    RUN(availability_bars);
    RUN(percentages_round_down);
    RUN(labels_are_escaped_and_cleaned);
    RUN(sizes_and_limits);
    RUN(long_periods_label_months);
    RUN(languages);
    return t_done();
}
