/*
 * metrics — the period figures the assessment reads (contract §3): for a
 * period and optionally one system, incidents by level and source, the
 * response rate, SLA compliance per clock, mean and p90 times to respond
 * and to resolve, breaches, fault reports late, and the fault rate.
 *
 * Pure: the caller reads the incidents (notice time in the period) and the
 * monitors' down time from the store and passes them in.
 */
#ifndef YW_INCIDENT_METRICS_H
#define YW_INCIDENT_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "incident/incident.h"
#include "incident/sla.h"

struct sla_breach {
    int64_t incident_id;
    enum sla_clock clock;
    ms_t at;                   /* the instant the target was passed */
    int level;
};

struct sla_clock_figures {
    int kept;                  /* incidents whose clock is kept (not SLA_OFF) */
    int met;                   /* stopped within target */
    int missed;                /* stopped past target, or still running past it */
    int running;               /* still running within target at `now` */
    double compliance;         /* met / (met + missed); -1 when nothing decided */
};

struct sla_figures {
    ms_t from, to, now;
    int total;
    int by_level[INC_LEVEL_MAX + 1]; /* [1..4] used */
    int by_source[SRC__COUNT];
    int responded;             /* responded at all (by now) */
    int responded_in_time;     /* within the response target */
    double response_rate;      /* responded / total; -1 when total is 0 */
    struct sla_clock_figures clocks[CLOCK__COUNT];
    /* Over incidents that responded / resolved; -1 when none. */
    double respond_mean_ms, respond_p90_ms;
    double resolve_mean_ms, resolve_p90_ms;   /* counted time (pauses excluded) */
    struct sla_breach *breaches; size_t nbreaches; /* malloc'd, by time */
    int reports_due;           /* resolved incidents whose report is due in or before `now` */
    int reports_on_time, reports_late, reports_overdue; /* late = submitted after due; overdue = not submitted, due passed */
    /* Fault rate = down / (period - planned): the caller's monitor figures. */
    ms_t down_ms, planned_ms, period_ms;
    double fault_rate;         /* -1 when period - planned is 0 */
};

/* Computes the figures of incs (those with notice in [from, to)) at now
 * under p. down/planned: the systems' down time and planned (maintenance)
 * time in the period, from kpi/avail. out is overwritten;
 * sla_figures_release frees it. */
void sla_figures_compute(const struct incident *incs, size_t n, const struct sla_policy *p,
                         ms_t from, ms_t to, ms_t now, ms_t down_ms, ms_t planned_ms,
                         struct sla_figures *out);
void sla_figures_release(struct sla_figures *f);
/* JSON text (malloc'd): every field above, times in RFC 3339, durations in
 * ms and as text ("1h30m"), rates as numbers or null. */
char *sla_figures_to_json(const struct sla_figures *f);
/* The CLI's table: Chinese labels with English in brackets, one figure a line. */
void sla_figures_text(const struct sla_figures *f, struct buf *out);

#endif
