/*
 * sla — the three clocks as arithmetic over intervals.
 *
 * Everything reduces to two walks over the policy's counted time (all of it
 * in 7×24, the working windows of working days otherwise) with a set of
 * excluded spans taken out: "how much counted time lies in [from, to)" and
 * "at which instant does the counted time since from reach an amount". The
 * excluded spans are first merged into a sorted list of disjoint intervals,
 * so that overlapping vendor waits and resolved spans are taken out once.
 *
 * Ties at a threshold: a running clock is in warning (breached) from the
 * very instant its counted time reaches the threshold, so that warn_at and
 * breach_at are the instants at which the status changes. A stopped clock
 * is met when it stopped at or under the target — the contract says
 * "≤ 30 min" — so a response logged exactly at breach_at is met, and only a
 * threshold passed strictly before the stop is reported as reached.
 */
#include "incident/sla.h"

#include <assert.h>
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define MS_INF INT64_MAX           /* end of an open span */
#define SLA_TARGET_MAX (31 * MS_PER_DAY)
#define SLA_JSON_MAX (64 * 1024)
/* A walk to an instant in working hours gives up (answers "never") after
 * this many days in a row without a working day: a callback that never
 * says yes must not hang the desk. Ten years is longer than any calendar. */
#define SLA_IDLE_DAYS_MAX 3660

struct ival {
    ms_t a, b; /* [a, b), b = MS_INF when open */
};

/* ---- excluded spans ------------------------------------------------------- */

static int ival_cmp(const void *x, const void *y)
{
    const struct ival *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return 0;
}

static size_t add_spans(struct ival *out, size_t n, const struct inc_span *s, size_t ns)
{
    for (size_t i = 0; s && i < ns; i++) {
        ms_t b = s[i].end == 0 ? MS_INF : s[i].end;
        if (b > s[i].start) /* an empty or inverted span excludes nothing */
            out[n++] = (struct ival){s[i].start, b};
    }
    return n;
}

/* The union of x and y as sorted disjoint intervals in *out (malloc'd, NULL
 * when empty); returns their count. The callers' arrays need not be sorted. */
static size_t merge_spans(const struct inc_span *x, size_t nx, const struct inc_span *y, size_t ny,
                          struct ival **out)
{
    *out = NULL;
    if ((!x || nx == 0) && (!y || ny == 0))
        return 0;
    struct ival *iv = xmalloc((nx + ny) * sizeof *iv);
    size_t n = add_spans(iv, 0, x, nx);
    n = add_spans(iv, n, y, ny);
    if (n == 0) {
        xfree(iv);
        return 0;
    }
    qsort(iv, n, sizeof *iv, ival_cmp);
    size_t m = 0;
    for (size_t i = 1; i < n; i++) {
        if (iv[i].a <= iv[m].b) { /* overlapping or touching: one span */
            if (iv[i].b > iv[m].b)
                iv[m].b = iv[i].b;
        } else {
            iv[++m] = iv[i];
        }
    }
    for (size_t i = 0; i < m; i++)
        assert(iv[i].a < iv[i].b && iv[i].b < iv[i + 1].a); /* disjoint, with gaps, sorted */
    *out = iv;
    return m + 1;
}

/* ---- counted time -------------------------------------------------------- */

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms; the same day numbers as cal.h, which this module
 * must not need to link). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool is_workday(const struct sla_policy *p, int64_t day)
{
    if (p->is_workday)
        return p->is_workday(p->is_workday_arg, (int32_t)day);
    /* No calendar given: Monday to Friday. Day 0 was a Thursday. */
    int wday = (int)(((day % 7) + 11) % 7);
    return wday >= 1 && wday <= 5;
}

/* The instant of minute (after local midnight) on day in the policy's zone. */
static ms_t local_instant(const struct sla_policy *p, int64_t day, int minute)
{
    struct civil c = {0};
    civil_from_days(day, &c.year, &c.month, &c.day);
    c.hour = minute / 60;
    c.min = minute % 60;
    return time_from_civil(&c, p->zone);
}

/* The counted time in [a, b) (b may be MS_INF). With need >= 0 the walk
 * stops where the counted time reaches need, sets *at and *reached and
 * returns need; otherwise it returns the counted time of the whole range
 * (a walk to MS_INF that does not reach need returns anything: only
 * *reached matters then). */
static ms_t walk(const struct sla_policy *p, ms_t a, ms_t b, ms_t need, ms_t *at, bool *reached)
{
    if (reached)
        *reached = false;
    if (b <= a)
        return 0;
    if (p->hours != SLA_WORKHOURS) {
        ms_t len = b == MS_INF ? MS_INF : b - a;
        if (need >= 0 && need <= len) {
            *at = a + need;
            *reached = true;
            return need;
        }
        return len;
    }
    struct civil c;
    time_to_civil(a, p->zone, &c);
    int64_t day = days_from_civil(c.year, c.month, c.day);
    ms_t total = 0;
    int idle = 0;
    for (;; day++) {
        ms_t ws = local_instant(p, day, p->work_start_min);
        if (ws >= b)
            break;
        if (!is_workday(p, day)) {
            if (b == MS_INF && ++idle > SLA_IDLE_DAYS_MAX)
                break;
            continue;
        }
        idle = 0;
        ms_t we = local_instant(p, day, p->work_end_min);
        ms_t s = a > ws ? a : ws, e = b < we ? b : we;
        if (e <= s)
            continue;
        if (need >= 0 && need - total <= e - s) {
            *at = s + (need - total);
            *reached = true;
            return need;
        }
        total += e - s;
    }
    return total;
}

static bool hours_valid(const struct sla_policy *p)
{
    return p->work_start_min >= 0 && p->work_start_min < p->work_end_min &&
           p->work_end_min <= 24 * 60;
}

/* A hand-built policy with impossible working hours would make every walk
 * empty or loop oddly: count it 7×24 instead (sla_policy_from_json never
 * produces one). */
static const struct sla_policy *sane(const struct sla_policy *p, struct sla_policy *tmp)
{
    if (p->hours != SLA_WORKHOURS || hours_valid(p))
        return p;
    *tmp = *p;
    tmp->hours = SLA_24X7;
    return tmp;
}

static ms_t counted_iv(const struct sla_policy *p, ms_t from, ms_t to, const struct ival *iv,
                       size_t n)
{
    ms_t total = 0, cur = from;
    for (size_t i = 0; i < n && cur < to; i++) {
        if (iv[i].b <= cur)
            continue;
        if (iv[i].a >= to)
            break;
        if (iv[i].a > cur)
            total += walk(p, cur, iv[i].a, -1, NULL, NULL);
        cur = iv[i].b;
    }
    if (cur < to)
        total += walk(p, cur, to, -1, NULL, NULL);
    return total;
}

/* 0 when an open span (or the lack of working days) stops it for good. */
static ms_t instant_iv(const struct sla_policy *p, ms_t from, ms_t amount, const struct ival *iv,
                       size_t n)
{
    if (amount <= 0)
        return from;
    ms_t cur = from, left = amount, at = 0;
    bool reached = false;
    for (size_t i = 0; i < n; i++) {
        if (iv[i].b <= cur)
            continue;
        if (iv[i].a > cur) {
            left -= walk(p, cur, iv[i].a, left, &at, &reached);
            if (reached)
                return at;
        }
        if (iv[i].b == MS_INF)
            return 0;
        cur = iv[i].b;
    }
    walk(p, cur, MS_INF, left, &at, &reached);
    return reached ? at : 0;
}

ms_t sla_counted(const struct sla_policy *p, ms_t from, ms_t to, const struct inc_span *excl,
                 size_t nexcl)
{
    if (to <= from)
        return 0;
    struct sla_policy tmp;
    p = sane(p, &tmp);
    struct ival *iv;
    size_t n = merge_spans(excl, nexcl, NULL, 0, &iv);
    ms_t total = counted_iv(p, from, to, iv, n);
    xfree(iv);
    return total;
}

ms_t sla_instant_after(const struct sla_policy *p, ms_t from, ms_t amount,
                       const struct inc_span *excl, size_t nexcl)
{
    struct sla_policy tmp;
    p = sane(p, &tmp);
    struct ival *iv;
    size_t n = merge_spans(excl, nexcl, NULL, 0, &iv);
    ms_t at = instant_iv(p, from, amount, iv, n);
    xfree(iv);
    return at;
}

/* ---- the clocks ---------------------------------------------------------- */

void sla_policy_default(struct sla_policy *p)
{
    memset(p, 0, sizeof *p);
    for (int lv = INC_LEVEL_MIN; lv <= INC_LEVEL_MAX; lv++) {
        p->target[lv][CLOCK_RESPONSE] = 30 * MS_PER_MIN;
        p->target[lv][CLOCK_ONSITE] = 60 * MS_PER_MIN;
        p->target[lv][CLOCK_RESOLVE] = 8 * MS_PER_H;
    }
    p->warn_pct = SLA_WARN_PCT_DEFAULT;
    p->hours = SLA_24X7;
    /* used only when a policy switches to working hours */
    p->work_start_min = 9 * 60;
    p->work_end_min = 18 * 60;
}

/* The counted time at which warn_pct % of target is reached: the smallest
 * whole millisecond not under the exact fraction. */
static ms_t warn_amount(const struct sla_policy *p, ms_t target)
{
    int pct = p->warn_pct >= 1 && p->warn_pct <= 99 ? p->warn_pct : SLA_WARN_PCT_DEFAULT;
    if (target > INT64_MAX / 100)
        return target / 100 * pct;
    return (target * pct + 99) / 100;
}

/* One clock from start to stop (0 = no stop yet), excluded spans iv. A stop
 * after now has not happened yet at now: the clock is evaluated as running. */
static void eval_clock(const struct sla_policy *p, ms_t target, ms_t start, ms_t stop,
                       const struct ival *iv, size_t n, ms_t now, struct sla_clock_state *out)
{
    memset(out, 0, sizeof *out);
    if (target <= 0) {
        out->status = SLA_OFF;
        return;
    }
    out->target = target;
    bool stopped = stop != 0 && stop <= now;
    ms_t end = stopped ? stop : now;
    if (end < start)
        end = start;
    out->elapsed = counted_iv(p, start, end, iv, n);
    /* what the spans took out, in the policy's counted time, so that
     * elapsed + paused is the clock without exclusions */
    out->paused = n ? counted_iv(p, start, end, NULL, 0) - out->elapsed : 0;
    assert(out->elapsed >= 0 && out->paused >= 0);
    out->remaining = target - out->elapsed;
    ms_t wamt = warn_amount(p, target);
    ms_t warn_at = instant_iv(p, start, wamt, iv, n);
    ms_t breach_at = instant_iv(p, start, target, iv, n);
    if (stopped) {
        out->stopped = stop;
        out->status = out->elapsed > target ? SLA_MISSED : SLA_MET;
        out->warn_at = out->elapsed > wamt ? warn_at : 0;
        out->breach_at = out->elapsed > target ? breach_at : 0;
        return;
    }
    /* Running: the instants are those to come as well as those past; an
     * open span makes the ones to come unknowable (instant_iv gives 0). */
    out->warn_at = warn_at;
    out->breach_at = breach_at;
    bool paused_now = false;
    for (size_t i = 0; i < n && iv[i].a <= now; i++)
        if (now < iv[i].b)
            paused_now = true;
    if (out->elapsed >= target)
        out->status = SLA_BREACHED; /* a pause after the breach does not undo it */
    else if (paused_now)
        out->status = SLA_PAUSED;
    else if (out->elapsed >= wamt)
        out->status = SLA_WARNING;
    else
        out->status = SLA_RUNNING;
}

/* The vendor pauses count whether or not the vendor flag is still set: they
 * are facts of the incident's history, the flag only its present. */
void sla_eval(const struct incident *inc, const struct sla_policy *p, ms_t now,
              struct sla_clock_state out[CLOCK__COUNT])
{
    assert(inc && p && out);
    struct sla_policy tmp;
    p = sane(p, &tmp);
    int lv = inc->level >= INC_LEVEL_MIN && inc->level <= INC_LEVEL_MAX ? inc->level
                                                                         : INC_LEVEL_MAX;
    const ms_t *tg = p->target[lv];

    eval_clock(p, tg[CLOCK_RESPONSE], inc->notice, inc->responded, NULL, 0, now,
               &out[CLOCK_RESPONSE]);

    if (inc->onsite_needed)
        eval_clock(p, tg[CLOCK_ONSITE], inc->notice, inc->onsite, NULL, 0, now, &out[CLOCK_ONSITE]);
    else
        memset(&out[CLOCK_ONSITE], 0, sizeof out[CLOCK_ONSITE]); /* SLA_OFF */

    bool done = inc->state == INC_RESOLVED || inc->state == INC_CLOSED;
    struct ival *iv;
    size_t n = merge_spans(inc->resolved_spans, inc->nresolved_spans, inc->pauses, inc->npauses,
                           &iv);
    eval_clock(p, tg[CLOCK_RESOLVE], inc->notice, done ? inc->resolved : 0, iv, n, now,
               &out[CLOCK_RESOLVE]);
    xfree(iv);
}

const char *sla_status_name(enum sla_status s)
{
    switch (s) {
    case SLA_OFF: return "off";
    case SLA_RUNNING: return "running";
    case SLA_WARNING: return "warning";
    case SLA_BREACHED: return "breached";
    case SLA_PAUSED: return "paused";
    case SLA_MET: return "met";
    case SLA_MISSED: return "missed";
    }
    return "unknown";
}

/* ---- the policy as JSON ------------------------------------------------- */

/* "HH:MM" exactly; 24:00 only where allow_24 (the end of the working day). */
static int parse_hhmm(const char *s, bool allow_24, int *out)
{
    if (strlen(s) != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
        s[2] != ':' || !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (!allow_24 || m != 0)))
        return -1;
    *out = h * 60 + m;
    return 0;
}

static int parse_hours_field(json_t *v, const char *field, bool allow_24, int *out,
                             struct yw_err *err)
{
    if (!json_is_string(v) || parse_hhmm(json_string_value(v), allow_24, out) != 0)
        return yw_fail_field(err, YW_EINVAL, field, "%s: expected a time of day \"HH:MM\"%s",
                             field, allow_24 ? " (up to 24:00)" : "");
    return 0;
}

static int parse_target(json_t *v, const char *field, ms_t *out, struct yw_err *err)
{
    const char *s = json_is_string(v) ? json_string_value(v) : NULL;
    ms_t d;
    if (s && strcmp(s, "0") == 0) {
        d = 0; /* "0" reads better than "0s" for "not kept" */
    } else if (!s || time_parse_duration(s, &d) != 0) {
        return yw_fail_field(err, YW_EINVAL, field,
                             "%s: expected a duration such as \"30m\" or \"8h\" (\"0\" = not kept)",
                             field);
    }
    if (d > SLA_TARGET_MAX)
        return yw_fail_field(err, YW_EINVAL, field, "%s: at most 31 days", field);
    *out = d;
    return 0;
}

static int parse_level(json_t *obj, int lv, struct sla_policy *p, struct yw_err *err)
{
    char field[64];
    if (!json_is_object(obj)) {
        snprintf(field, sizeof field, "levels.%d", lv);
        return yw_fail_field(err, YW_EINVAL, field, "%s: expected an object of clocks", field);
    }
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        enum sla_clock c;
        snprintf(field, sizeof field, "levels.%d.%.40s", lv, key);
        if (sla_clock_parse(key, &c) != 0)
            return yw_fail_field(err, YW_EINVAL, field,
                                 "%s: unknown clock (response, onsite, resolve)", field);
        if (parse_target(v, field, &p->target[lv][c], err) != 0)
            return -1;
    }
    return 0;
}

static int parse_levels(json_t *obj, struct sla_policy *p, struct yw_err *err)
{
    if (!json_is_object(obj))
        return yw_fail_field(err, YW_EINVAL, "levels", "levels: expected an object keyed by level");
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (strlen(key) != 1 || key[0] < '0' + INC_LEVEL_MIN || key[0] > '0' + INC_LEVEL_MAX) {
            char field[64];
            snprintf(field, sizeof field, "levels.%.40s", key);
            return yw_fail_field(err, YW_EINVAL, field, "%s: level must be %d to %d", field,
                                 INC_LEVEL_MIN, INC_LEVEL_MAX);
        }
        if (parse_level(v, key[0] - '0', p, err) != 0)
            return -1;
    }
    return 0;
}

static int parse_policy(json_t *root, struct sla_policy *p, struct yw_err *err)
{
    if (!json_is_object(root))
        return yw_fail_field(err, YW_EINVAL, "", "sla policy: expected a JSON object");
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "warn_pct") == 0) {
            json_int_t pct = json_is_integer(v) ? json_integer_value(v) : 0;
            if (pct < 1 || pct > 99)
                return yw_fail_field(err, YW_EINVAL, "warn_pct",
                                     "warn_pct: expected a whole percentage from 1 to 99");
            p->warn_pct = (int)pct;
        } else if (strcmp(key, "hours") == 0) {
            const char *s = json_is_string(v) ? json_string_value(v) : "";
            if (strcmp(s, "24x7") == 0)
                p->hours = SLA_24X7;
            else if (strcmp(s, "workhours") == 0)
                p->hours = SLA_WORKHOURS;
            else
                return yw_fail_field(err, YW_EINVAL, "hours",
                                     "hours: expected \"24x7\" or \"workhours\"");
        } else if (strcmp(key, "work_start") == 0) {
            if (parse_hours_field(v, "work_start", false, &p->work_start_min, err) != 0)
                return -1;
        } else if (strcmp(key, "work_end") == 0) {
            if (parse_hours_field(v, "work_end", true, &p->work_end_min, err) != 0)
                return -1;
        } else if (strcmp(key, "levels") == 0) {
            if (parse_levels(v, p, err) != 0)
                return -1;
        } else {
            char field[64];
            snprintf(field, sizeof field, "%.60s", key);
            return yw_fail_field(err, YW_EINVAL, field,
                                 "%s: unknown key (warn_pct, hours, work_start, work_end, levels)",
                                 field);
        }
    }
    if (p->work_start_min >= p->work_end_min)
        return yw_fail_field(err, YW_EINVAL, "work_end", "work_end: must be after work_start");
    return 0;
}

/* Keys left out keep the defaults of sla_policy_default; the fields JSON
 * does not carry (zone, is_workday, is_workday_arg) are kept from *p, so
 * that a caller may set them before or after parsing. */
int sla_policy_from_json(const char *text, struct sla_policy *p, struct yw_err *err)
{
    if (!text)
        return yw_fail_field(err, YW_EINVAL, "", "sla policy: no text");
    size_t len = strnlen(text, SLA_JSON_MAX + 1);
    if (len > SLA_JSON_MAX)
        return yw_fail_field(err, YW_ELIMIT, "", "sla policy: longer than %d bytes", SLA_JSON_MAX);
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!root)
        return yw_fail_field(err, YW_EINVAL, "", "sla policy: invalid JSON at line %d column %d: %s",
                             je.line, je.column, je.text);
    struct sla_policy tmp;
    sla_policy_default(&tmp);
    tmp.zone = p->zone;
    tmp.is_workday = p->is_workday;
    tmp.is_workday_arg = p->is_workday_arg;
    int result = parse_policy(root, &tmp, err);
    json_decref(root);
    if (result == 0)
        *p = tmp;
    return result;
}

/* jansson allocates with malloc: a NULL here is out of memory, which
 * yunwei treats as fatal like core/mem.h does. */
static char *dump_or_die(json_t *j)
{
    char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (!s) {
        fprintf(stderr, "yunwei: out of memory writing JSON\n");
        abort();
    }
    return s;
}

char *sla_policy_to_json(const struct sla_policy *p)
{
    char hs[8], he[8], d[3][32];
    snprintf(hs, sizeof hs, "%02d:%02d", p->work_start_min / 60 % 100, p->work_start_min % 60);
    snprintf(he, sizeof he, "%02d:%02d", p->work_end_min / 60 % 100, p->work_end_min % 60);
    json_t *levels = json_object();
    for (int lv = INC_LEVEL_MIN; lv <= INC_LEVEL_MAX; lv++) {
        for (int c = 0; c < CLOCK__COUNT; c++)
            time_format_duration(p->target[lv][c] > 0 ? p->target[lv][c] : 0, d[c], sizeof d[c]);
        char key[4];
        snprintf(key, sizeof key, "%d", lv);
        json_object_set_new(levels, key,
                            json_pack("{ssssss}", "response", d[CLOCK_RESPONSE], "onsite",
                                      d[CLOCK_ONSITE], "resolve", d[CLOCK_RESOLVE]));
    }
    json_t *root = json_pack("{sisssssssO}", "warn_pct", p->warn_pct, "hours",
                             p->hours == SLA_WORKHOURS ? "workhours" : "24x7", "work_start", hs,
                             "work_end", he, "levels", levels);
    json_decref(levels);
    char *s = dump_or_die(root);
    json_decref(root);
    return s;
}
