/*
 * sla — the three clocks of an incident, as pure arithmetic.
 *
 * Every clock starts at the notice time (接到通知) and runs until its stop:
 *   response   stops at the first response            target default 30 min
 *   onsite     stops on arrival; only when on-site service is needed  60 min
 *   resolve    stops at resolution                               8 h
 * The resolution clock does not run while the incident is resolved (between
 * a resolution and a reopen) nor while it waits on a third-party vendor
 * (the contract excepts the vendor's time); those spans are excluded and
 * reported as paused. The response and on-site clocks never pause.
 *
 * Targets are per level and come from the policy; a level change applies
 * the new level's targets to the whole clock (elapsed time still counts
 * from the notice). Clock time is 7×24 by default; a policy may count only
 * working hours (working days of the calendar, work_start..work_end local
 * time), through the is_workday callback.
 *
 * A warning is due when elapsed reaches warn_pct % of the target, a breach
 * at 100 %. The instants are exact (the wall-clock instant when the counted
 * time reaches the threshold, pauses and non-working time skipped), so that
 * a fixed clock can test them and the desk can record them as they were,
 * not as they were noticed.
 */
#ifndef YW_INCIDENT_SLA_H
#define YW_INCIDENT_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"
#include "incident/incident.h"

#define SLA_WARN_PCT_DEFAULT 75

enum sla_hours { SLA_24X7, SLA_WORKHOURS };

struct sla_policy {
    /* target[level][clock], levels INC_LEVEL_MIN..MAX; 0 = the clock is not
     * kept for that level. */
    ms_t target[INC_LEVEL_MAX + 1][CLOCK__COUNT];
    int warn_pct;                  /* 1..99 */
    enum sla_hours hours;
    int work_start_min, work_end_min; /* minutes after local midnight, SLA_WORKHOURS only */
    const char *zone;              /* NULL = display zone */
    /* SLA_WORKHOURS: whether day (cal.h day number) is a working day. */
    bool (*is_workday)(void *arg, int32_t day);
    void *is_workday_arg;
};

/* 30 min / 60 min / 8 h for every level, 75 %, 7×24. */
void sla_policy_default(struct sla_policy *p);

enum sla_status {
    SLA_OFF,       /* not kept (on-site not needed, or target 0) */
    SLA_RUNNING,   /* running, under the warning threshold */
    SLA_WARNING,   /* running, past warn_pct */
    SLA_BREACHED,  /* running, past the target */
    SLA_PAUSED,    /* resolution clock: waiting on a vendor now */
    SLA_MET,       /* stopped within the target */
    SLA_MISSED,    /* stopped past the target */
};

struct sla_clock_state {
    enum sla_status status;
    ms_t target;
    ms_t elapsed;      /* counted time at now (or at the stop) */
    ms_t paused;       /* excluded (vendor waits, resolved spans) up to now or the stop */
    ms_t stopped;      /* the stop instant; 0 while running */
    /* Wall-clock instants when warn_pct % and 100 % are (or were) reached,
     * 0 when they never are: the clock stopped first, or it is paused now
     * and the instant cannot be known yet. Past instants stay filled. */
    ms_t warn_at, breach_at;
    ms_t remaining;    /* target - elapsed (negative when over) */
};

/* Evaluates the three clocks of inc at instant now under p. Pure: reads
 * only its arguments. An incident whose level is out of range is evaluated
 * as level INC_LEVEL_MAX. */
void sla_eval(const struct incident *inc, const struct sla_policy *p, ms_t now,
              struct sla_clock_state out[CLOCK__COUNT]);

/* Counted time in [from, to) under p, with the spans (sorted, may overlap,
 * end 0 = open) excluded: the building block of sla_eval, public for tests
 * and for the period figures. */
ms_t sla_counted(const struct sla_policy *p, ms_t from, ms_t to, const struct inc_span *excl,
                 size_t nexcl);
/* The instant at which counted time since from reaches amount, spans
 * excluded; 0 if an open span starting before then never ends. */
ms_t sla_instant_after(const struct sla_policy *p, ms_t from, ms_t amount,
                       const struct inc_span *excl, size_t nexcl);

const char *sla_status_name(enum sla_status s); /* "off" "running" "warning" "breached" "paused" "met" "missed" */

/* The policy as JSON text and back (targets as durations "30m", per level):
 *   {"warn_pct":75,"hours":"24x7","work_start":"09:00","work_end":"18:00",
 *    "levels":{"1":{"response":"30m","onsite":"1h","resolve":"8h"},...}}
 * Parsing checks everything (field named in err) and fills p only on success. */
int sla_policy_from_json(const char *text, struct sla_policy *p, struct yw_err *err);
char *sla_policy_to_json(const struct sla_policy *p); /* malloc'd */

#endif
