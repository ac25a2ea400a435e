#include "core/timeutil.h"

#include <ctype.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static char display_zone[64] = YW_DEFAULT_TZ;

ms_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

ms_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (ms_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int time_parse_duration(const char *s, ms_t *out)
{
    if (!s || !*s)
        return -1;
    ms_t total = 0;
    const char *p = s;
    while (*p) {
        if (!isdigit((unsigned char)*p))
            return -1;
        long long v = 0;
        while (isdigit((unsigned char)*p)) {
            if (v > (LLONG_MAX - 9) / 10)
                return -1;
            v = v * 10 + (*p++ - '0');
        }
        ms_t unit;
        if (strncmp(p, "ms", 2) == 0) {
            unit = 1;
            p += 2;
        } else if (*p == 's') {
            unit = MS_PER_S;
            p++;
        } else if (*p == 'm') {
            unit = MS_PER_MIN;
            p++;
        } else if (*p == 'h') {
            unit = MS_PER_H;
            p++;
        } else if (*p == 'd') {
            unit = MS_PER_DAY;
            p++;
        } else {
            return -1;
        }
        if (v > (LLONG_MAX - total) / unit)
            return -1;
        total += v * unit;
    }
    *out = total;
    return 0;
}

void time_format_duration(ms_t d, char *out, size_t n)
{
    char tmp[64] = "";
    size_t len = 0;
    if (d == 0) {
        snprintf(out, n, "0s");
        return;
    }
    static const struct { ms_t unit; const char *name; } units[] = {
        {MS_PER_DAY, "d"}, {MS_PER_H, "h"}, {MS_PER_MIN, "m"}, {MS_PER_S, "s"}, {1, "ms"}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (d >= units[i].unit) {
            len += (size_t)snprintf(tmp + len, sizeof tmp - len, "%lld%s",
                                    (long long)(d / units[i].unit), units[i].name);
            d %= units[i].unit;
        }
    }
    snprintf(out, n, "%s", tmp);
}

/* Caller holds tz_lock. */
static void use_zone(const char *zone)
{
    setenv("TZ", zone, 1);
    tzset();
}

void time_to_civil(ms_t t, const char *zone, struct civil *out)
{
    time_t secs = (time_t)(t >= 0 ? t / 1000 : -((-t + 999) / 1000));
    struct tm tm;
    pthread_mutex_lock(&tz_lock);
    use_zone(zone ? zone : display_zone);
    localtime_r(&secs, &tm);
    pthread_mutex_unlock(&tz_lock);
    out->year = tm.tm_year + 1900;
    out->month = tm.tm_mon + 1;
    out->day = tm.tm_mday;
    out->hour = tm.tm_hour;
    out->min = tm.tm_min;
    out->sec = tm.tm_sec;
    out->wday = tm.tm_wday;
    out->utc_offset_s = (int)tm.tm_gmtoff;
}

ms_t time_from_civil(const struct civil *c, const char *zone)
{
    struct tm tm = {0};
    tm.tm_year = c->year - 1900;
    tm.tm_mon = c->month - 1;
    tm.tm_mday = c->day;
    tm.tm_hour = c->hour;
    tm.tm_min = c->min;
    tm.tm_sec = c->sec;
    tm.tm_isdst = -1;
    pthread_mutex_lock(&tz_lock);
    use_zone(zone ? zone : display_zone);
    time_t secs = mktime(&tm);
    pthread_mutex_unlock(&tz_lock);
    return (ms_t)secs * 1000;
}

void time_format_rfc3339(ms_t t, char *out, size_t n)
{
    struct civil c;
    time_to_civil(t, NULL, &c);
    int off = c.utc_offset_s;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    int ms = (int)(((t % 1000) + 1000) % 1000);
    if (ms)
        snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03d%c%02d:%02d", c.year, c.month, c.day,
                 c.hour, c.min, c.sec, ms, sign, off / 3600, (off / 60) % 60);
    else
        snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", c.year, c.month, c.day,
                 c.hour, c.min, c.sec, sign, off / 3600, (off / 60) % 60);
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

int time_parse_rfc3339(const char *s, ms_t *out)
{
    if (!s)
        return -1;
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, sec = 0, ms = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31)
        return -1;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
        return -1;
    if (*p == '\0') {
        struct civil c = {.year = y, .month = mo, .day = d};
        *out = time_from_civil(&c, NULL);
        return 0;
    }
    if (*p != 'T' && *p != 't' && *p != ' ')
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
        digits(&p, 2, &sec))
        return -1;
    if (h > 23 || mi > 59 || sec > 60)
        return -1;
    if (*p == '.') {
        p++;
        int n = 0;
        while (isdigit((unsigned char)*p)) {
            if (n < 3)
                ms = ms * 10 + (*p - '0');
            n++;
            p++;
        }
        if (n == 0)
            return -1;
        for (; n < 3; n++)
            ms *= 10;
    }
    int off = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    long long secs = days_from_civil(y, mo, d) * 86400LL + h * 3600 + mi * 60 + sec - off;
    *out = (ms_t)secs * 1000 + ms;
    return 0;
}

int time_zone_valid(const char *zone)
{
    if (!zone || !*zone || strstr(zone, "..") || zone[0] == '/' || strlen(zone) > 60)
        return 0;
    if (strcmp(zone, "UTC") == 0)
        return 1;
    char path[128];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
    struct stat st; /* a directory such as "Asia" is not a zone */
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

int time_set_display_zone(const char *zone)
{
    if (!time_zone_valid(zone))
        return -1;
    pthread_mutex_lock(&tz_lock);
    snprintf(display_zone, sizeof display_zone, "%s", zone);
    pthread_mutex_unlock(&tz_lock);
    return 0;
}

const char *time_display_zone(void)
{
    return display_zone;
}
