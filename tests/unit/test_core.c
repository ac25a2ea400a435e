/* Unit tests of core: durations, RFC 3339, civil time in a zone, buffers. */
#include "core/buf.h"
#include "core/timeutil.h"
#include "t.h"

TEST(duration_parses_units)
{
    ms_t d = 0;
    CHECK_INT(time_parse_duration("10s", &d), 0);
    CHECK_INT(d, 10000);
    CHECK_INT(time_parse_duration("1h30m", &d), 0);
    CHECK_INT(d, 5400000);
    CHECK_INT(time_parse_duration("250ms", &d), 0);
    CHECK_INT(d, 250);
    CHECK_INT(time_parse_duration("7d", &d), 0);
    CHECK_INT(d, 7 * 86400000LL);
}

TEST(duration_rejects_junk)
{
    ms_t d = 42;
    CHECK_INT(time_parse_duration("", &d), -1);
    CHECK_INT(time_parse_duration("10", &d), -1);
    CHECK_INT(time_parse_duration("10x", &d), -1);
    CHECK_INT(time_parse_duration("s", &d), -1);
    CHECK_INT(time_parse_duration("-5s", &d), -1);
    CHECK_INT(time_parse_duration("99999999999999999999s", &d), -1);
    CHECK_INT(d, 42);
}

TEST(duration_formats_shortest)
{
    char s[32];
    time_format_duration(90000, s, sizeof s);
    CHECK_STR(s, "1m30s");
    time_format_duration(86400000 + 1500, s, sizeof s);
    CHECK_STR(s, "1d1s500ms");
    time_format_duration(0, s, sizeof s);
    CHECK_STR(s, "0s");
}

TEST(rfc3339_round_trip_in_shanghai)
{
    ms_t t = 0;
    CHECK_INT(time_parse_rfc3339("2026-11-25T10:00:00+08:00", &t), 0);
    CHECK_INT(t, 1795572000000LL);
    char s[40];
    time_format_rfc3339(t, s, sizeof s);
    CHECK_STR(s, "2026-11-25T10:00:00+08:00");
    CHECK_INT(time_parse_rfc3339("2026-11-25T02:00:00.5Z", &t), 0);
    CHECK_INT(t, 1795572000500LL);
    CHECK_INT(time_parse_rfc3339("2026-11-25", &t), 0); /* midnight Shanghai */
    CHECK_INT(t, 1795536000000LL);
}

TEST(rfc3339_rejects_bad)
{
    ms_t t = 7;
    CHECK_INT(time_parse_rfc3339("2026-02-30T00:00:00Z", &t), -1);
    CHECK_INT(time_parse_rfc3339("2025-02-29", &t), -1);
    CHECK_INT(time_parse_rfc3339("2026-11-25T10:00:00", &t), -1);
    CHECK_INT(time_parse_rfc3339("2026-11-25T24:00:00Z", &t), -1);
    CHECK_INT(time_parse_rfc3339("2026-11-25T10:00:00Zjunk", &t), -1);
    CHECK_INT(t, 7);
}

TEST(civil_time_other_zone)
{
    struct civil c;
    /* 2026-07-01T12:00:00Z is 08:00 EDT in New York (UTC-4) */
    time_to_civil(1782907200000LL, "America/New_York", &c);
    CHECK_INT(c.hour, 8);
    CHECK_INT(c.utc_offset_s, -4 * 3600);
    struct civil back = {.year = 2026, .month = 7, .day = 1, .hour = 8};
    CHECK_INT(time_from_civil(&back, "America/New_York"), 1782907200000LL);
    CHECK(time_zone_valid("Asia/Shanghai"));
    CHECK(!time_zone_valid("../etc/passwd"));
    CHECK(!time_zone_valid("Mars/Base"));
    CHECK(!time_zone_valid("Asia"));
}

TEST(buf_limit_frees)
{
    struct buf b = BUF_INIT(8);
    CHECK_INT(buf_adds(&b, "1234"), 0);
    CHECK_INT(buf_addf(&b, "%d", 567), 0);
    CHECK_STR(buf_str(&b), "1234567");
    CHECK_INT(buf_adds(&b, "89"), -1);
    CHECK_INT(b.len, 0);
    CHECK_STR(buf_str(&b), "");
    buf_release(&b);
}

int main(void)
{
    RUN(duration_parses_units);
    RUN(duration_rejects_junk);
    RUN(duration_formats_shortest);
    RUN(rfc3339_round_trip_in_shanghai);
    RUN(rfc3339_rejects_bad);
    RUN(civil_time_other_zone);
    RUN(buf_limit_frees);
    return t_done();
}
