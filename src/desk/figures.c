/*
 * figures — what the API's GET /api/v1/sla and `yunwei sla` share: the
 * stored SLA policy, the calendar behind working-hours clocks, period names
 * ("2026-11", "2026-Q4"…) and the period figures with the systems' down
 * and planned time.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/cal.h"
#include "core/mem.h"
#include "desk/desk.h"
#include "kpi/avail.h"
#include "sched/maint.h"
#include "store/store_auth.h"

/* ---- the policy --------------------------------------------------------------------------- */

int desk_policy_load(struct store *S, struct sla_policy *p, struct yw_err *err)
{
    sla_policy_default(p);
    char *text = NULL;
    struct yw_err e = YW_ERR_INIT;
    if (store_setting_get(S, INC_SETTING_POLICY, &text, &e) != 0) {
        if (e.code == YW_ENOTFOUND)
            return 0;
        if (err)
            *err = e;
        return -1;
    }
    int rc = sla_policy_from_json(text, p, err);
    xfree(text);
    if (rc && err) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        yw_fail(err, YW_EIO, "stored SLA policy (setting %s) unreadable: %s", INC_SETTING_POLICY,
                why);
    }
    return rc;
}

bool desk_cal_is_workday(void *calendar, int32_t day)
{
    struct calendar *C = calendar;
    const struct cal *c = calendar_acquire(C);
    bool w = cal_is_workday(c, day, NULL);
    calendar_release(C, c);
    return w;
}

/* ---- periods ------------------------------------------------------------------------------ */

static ms_t month_start(int y, int m)
{
    struct civil c = {.year = y + (m - 1) / 12, .month = (m - 1) % 12 + 1, .day = 1};
    return time_from_civil(&c, NULL);
}

/* A whole number of exactly `digits` digits at s. */
static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int desk_period_parse(const char *s, ms_t *from, ms_t *to, struct yw_err *err)
{
    int y = 0, k = 0, first = 0, months = 0;
    size_t n = s ? strlen(s) : 0;
    if (n >= 4 && digits(s, 4, &y) && y >= CAL_YEAR_MIN && y <= CAL_YEAR_MAX) {
        if (n == 4) {
            first = 1, months = 12;
        } else if (n == 7 && s[4] == '-' && digits(s + 5, 2, &k) && k >= 1 && k <= 12) {
            first = k, months = 1;
        } else if (n == 7 && s[4] == '-' && (s[5] == 'H' || s[5] == 'h') && (s[6] == '1' || s[6] == '2')) {
            first = s[6] == '1' ? 1 : 7, months = 6;
        } else if (n == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q') && s[6] >= '1' &&
                   s[6] <= '4') {
            first = (s[6] - '1') * 3 + 1, months = 3;
        }
    }
    if (!months)
        return yw_fail_field(err, YW_EINVAL, "period",
                             "period: expected a year (2026), a half year (2026-H1), a quarter "
                             "(2026-Q4) or a month (2026-11), got '%.40s'",
                             s ? s : "");
    *from = month_start(y, first);
    *to = month_start(y, first + months);
    return 0;
}

/* ---- figures ------------------------------------------------------------------------------ */

/* The monitor's intervals over [from, to); open ones end at min(now, to). */
static int timeline(struct store *S, int64_t monitor_id, ms_t from, ms_t to, ms_t now,
                    struct interval **out, size_t *nout, struct yw_err *err)
{
    struct interval_row *rows = NULL;
    size_t n = 0;
    if (store_intervals(S, monitor_id, from, to, 0, &rows, &n, err) != 0)
        return -1;
    struct interval *iv = xcalloc(n ? n : 1, sizeof *iv);
    size_t k = 0;
    ms_t open_end = now < to ? now : to;
    for (size_t i = 0; i < n; i++) {
        ms_t end = rows[i].end ? rows[i].end : open_end;
        if (end <= rows[i].start)
            continue;
        iv[k++] = (struct interval){rows[i].start, end, rows[i].state};
    }
    store_interval_rows_free(rows, n);
    *out = iv;
    *nout = k;
    return 0;
}

static bool names_system(const struct maint_spec *w, const char *system)
{
    for (size_t i = 0; i < w->nsystems; i++)
        if (strcmp(w->systems[i], system) == 0)
            return true;
    return false;
}

/* Down and planned time of one system over [from, to), as the availability
 * API computes it: its critical monitors (all when none is critical)
 * merged, windows on the system excluded. */
static int system_time(struct store *S, const struct system_row *sys,
                       const struct monitor_row *mons, size_t nmons, const struct maint_row *wins,
                       size_t nwins, ms_t from, ms_t to, ms_t now, ms_t *down, ms_t *planned,
                       struct yw_err *err)
{
    bool any_critical = false;
    for (size_t i = 0; i < nmons; i++)
        if (mons[i].system_id == sys->id)
            any_critical |= mons[i].spec.critical;
    struct interval **tl = xcalloc(nmons ? nmons : 1, sizeof *tl);
    size_t *counts = xcalloc(nmons ? nmons : 1, sizeof *counts);
    size_t ntl = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < nmons; i++) {
        if (mons[i].system_id != sys->id || (any_critical && !mons[i].spec.critical))
            continue;
        rc = timeline(S, mons[i].id, from, to, now, &tl[ntl], &counts[ntl], err);
        if (rc == 0)
            ntl++;
    }
    if (rc == 0) {
        size_t nmerged = 0;
        struct interval *merged = avail_merge_system((const struct interval *const *)tl, counts,
                                                     ntl, from, to, &nmerged);
        struct span *spans = NULL;
        size_t nspans = 0, cap = 0;
        for (size_t i = 0; i < nwins; i++)
            if (names_system(&wins[i].spec, sys->spec.name))
                maint_occurrences(&wins[i].spec, from, to, &spans, &nspans, &cap);
        struct avail a;
        avail_compute(merged, nmerged, spans, nspans, from, to, &a);
        *down = a.down;
        *planned = a.excluded;
        xfree(spans);
        xfree(merged);
    }
    for (size_t i = 0; i < ntl; i++)
        xfree(tl[i]);
    xfree(tl);
    xfree(counts);
    return rc;
}

int desk_figures(struct store *S, const struct sla_policy *p, ms_t from, ms_t to,
                 const char *system, ms_t now, struct sla_figures *out, struct yw_err *err)
{
    if (to <= from)
        return yw_fail_field(err, YW_EINVAL, "to", "to: must be after from");
    struct system_row one = {0};
    struct system_row *systems = NULL;
    size_t nsys = 0;
    struct monitor_row *mons = NULL;
    size_t nmons = 0;
    struct maint_row *wins = NULL;
    size_t nwins = 0;
    struct incident *incs = NULL;
    size_t ninc = 0;
    int rc = 0;
    if (system) {
        struct yw_err e = YW_ERR_INIT;
        if (store_system_get(S, 0, system, &one, &e) != 0) {
            if (e.code == YW_ENOTFOUND)
                rc = yw_fail_field(err, YW_EINVAL, "system", "system: no system named '%.64s'",
                                   system);
            else
                rc = err ? (*err = e, -1) : -1;
        }
    } else {
        rc = store_system_list(S, &systems, &nsys, err);
    }
    struct monitor_filter f = MONITOR_FILTER_ALL;
    if (rc == 0 && system)
        f.system_id = one.id;
    if (rc == 0) /* only ids, systems and the critical flag are needed */
        rc = store_monitor_list_brief(S, &f, &mons, &nmons, err);
    if (rc == 0)
        rc = store_maint_list(S, &wins, &nwins, err);
    if (rc == 0)
        rc = store_incident_period(S, from, to, system ? one.id : 0, &incs, &ninc, err);
    ms_t down = 0, planned = 0;
    if (rc == 0) {
        const struct system_row *list = system ? &one : systems;
        size_t nlist = system ? 1 : nsys;
        /* Over several systems, the mean per system: Σdown / (N·period −
         * Σplanned) = (Σdown/N) / (period − Σplanned/N), the rate the
         * contract's "total working time × count" formula gives. */
        ms_t sum_down = 0, sum_planned = 0;
        for (size_t i = 0; rc == 0 && i < nlist; i++) {
            ms_t d = 0, pl = 0;
            rc = system_time(S, &list[i], mons, nmons, wins, nwins, from, to, now, &d, &pl, err);
            sum_down += d;
            sum_planned += pl;
        }
        if (nlist > 0) {
            down = sum_down / (ms_t)nlist;
            planned = sum_planned / (ms_t)nlist;
        }
    }
    if (rc == 0)
        sla_figures_compute(incs, ninc, p, from, to, now, down, planned, out);
    store_incidents_free(incs, ninc);
    if (wins)
        store_maint_rows_free(wins, nwins);
    if (mons)
        store_monitor_rows_free(mons, nmons);
    if (systems)
        store_system_rows_free(systems, nsys);
    store_system_row_release(&one);
    return rc;
}
