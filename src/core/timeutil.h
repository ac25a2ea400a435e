/*
 * timeutil — instants, durations and civil time in a named zone.
 *
 * Instants are int64 milliseconds since the Unix epoch (UTC), type ms_t.
 * Durations in config and API are strings like "500ms", "10s", "5m", "24h",
 * "1h30m", "7d". Civil time in a zone ("Asia/Shanghai") goes through
 * time_to_civil/time_from_civil, which are thread-safe (the C library only
 * converts in $TZ, so these switch it under one lock; nothing else in yunwei
 * calls localtime/mktime directly).
 */
#ifndef YW_CORE_TIMEUTIL_H
#define YW_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t ms_t;

#define MS_PER_S 1000LL
#define MS_PER_MIN (60 * MS_PER_S)
#define MS_PER_H (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_H)

#define YW_DEFAULT_TZ "Asia/Shanghai"

ms_t time_now_ms(void);  /* wall clock */
ms_t time_mono_ms(void); /* monotonic, for timeouts and lateness */

/* Parses "10s", "1h30m", "250ms", "7d". Returns 0 and *out, or -1 (out untouched)
 * on empty, unknown unit, overflow or trailing junk. A bare number is rejected. */
int time_parse_duration(const char *s, ms_t *out);
/* Writes the shortest exact form ("90s" -> "1m30s"). */
void time_format_duration(ms_t d, char *out, size_t n);

/* RFC 3339 with offset in the process's display zone (see time_set_display_zone),
 * e.g. "2026-11-25T10:00:00+08:00"; milliseconds shown only when non-zero. */
void time_format_rfc3339(ms_t t, char *out, size_t n);
/* Accepts "2026-11-25T10:00:00+08:00", "...Z", fractional seconds, and a bare
 * date "2026-11-25" (midnight in the display zone). -1 on anything else. */
int time_parse_rfc3339(const char *s, ms_t *out);

/* The zone used for display and bare dates; default Asia/Shanghai.
 * Call once at start, before threads. Returns -1 if the zone is unknown. */
int time_set_display_zone(const char *zone);
const char *time_display_zone(void);
/* Whether the tz database knows zone (looks for /usr/share/zoneinfo/ZONE). */
int time_zone_valid(const char *zone);

struct civil {
    int year, month, day;     /* 1-based month and day */
    int hour, min, sec;
    int wday;                 /* 0 = Sunday */
    int utc_offset_s;         /* offset of zone at that instant */
};
/* zone NULL means the display zone. */
void time_to_civil(ms_t t, const char *zone, struct civil *out);
/* Instant of the civil time in zone (wday ignored; fields may overflow, like
 * mktime, e.g. day 32 is normalised). Times skipped or repeated by DST use the
 * C library's choice. */
ms_t time_from_civil(const struct civil *c, const char *zone);

#endif
