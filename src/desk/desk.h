/*
 * desk — the incident desk (故障处置台): opens incidents from monitor
 * outages, takes them through their life at people's request, keeps the
 * three SLA clocks' warnings and breaches, and reminds of fault reports.
 *
 * Lifecycle (incident/incident.h): new → responded → (on site) → resolved
 * → closed, reopen from resolved or closed back to responded. What each
 * state allows is desk_actions_allowed; desk_apply is the one place the
 * rules live (pure: it changes an incident in memory, the store writes it
 * in one transaction with its timeline entry).
 *
 * Automatic incidents: a monitor's confirmed transition to down opens one
 * incident (source monitor, notice = the transition's instant, level from
 * the rules of struct desk_levels, assignee = the engineer on duty), unless
 * the monitor already has one that is not closed, or one resolved less than
 * flap_window ago: then the outage is a flap of that incident (a "flap"
 * entry; a resolved one is not reopened by itself, its assignee is told).
 * A transition to up marks the incident recovered (an engineer still
 * resolves it, with the cause). Maintenance, pauses and no-data never open
 * incidents.
 *
 * Clocks: the desk's own thread wakes at the next warning or breach instant
 * that sla_eval gives (at least every tick_max), records each once (the
 * store's sla_marks, at its exact instant, with a timeline entry) and
 * notifies: warnings to the assignee, breaches escalated to the tech lead
 * and the project managers. At start it catches up what was missed while
 * yunwei was down (recorded at the true instants, notified once). Instants
 * before the incident was entered into yunwei are not marked: an incident
 * logged late is judged by its clocks and the period figures, not by
 * reminders nobody could have acted on.
 *
 * Threads: desk_on_transition runs on the engine's loop thread and only
 * copies the transition into the desk's queue and wakes the desk's thread.
 * Every other function is thread-safe and may be called from any thread
 * (the HTTP handlers call them); changes by people are made synchronously
 * in the caller's thread (the answer needs them) and wake the desk's thread
 * so its next wake-up is recomputed. Hooks are called from both.
 */
#ifndef YW_DESK_DESK_H
#define YW_DESK_DESK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/model.h"
#include "core/timeutil.h"
#include "incident/incident.h"
#include "incident/metrics.h"
#include "incident/sla.h"
#include "notify/notify.h"
#include "store/store.h"
#include "store/store_incident.h"

struct desk;
struct calendar;
struct engine_transition;

#define DESK_QUEUE_MAX 100000         /* monitor transitions waiting for the desk */
#define DESK_TICK_MS MS_PER_S         /* the clock ticker wakes at least this often */
#define DESK_SKEW_MS (60 * MS_PER_S)  /* an `at` this far ahead of now is taken as now */
#define DESK_FLAP_WINDOW (30 * MS_PER_MIN)
#define DESK_REPORT_DAYS 3            /* fault report: within 3 working days of resolution */
#define DESK_REPORT_SOON MS_PER_DAY   /* "due soon" reminder this long before the due instant */
#define DESK_RULES_MAX 200            /* automatic level rules */
#define DESK_LEVEL_TITLE_MAX 100      /* bytes */
#define DESK_LEVEL_DEF_MAX 1000       /* bytes */

/* What the desk needs from the rest of yunwei; tests give fakes, serve the
 * real notifier, calendar and console hub (desk_std_hooks below). Every
 * pointer may be NULL (that part is then skipped). They are called from the
 * desk's thread and from callers' threads alike and must not block. */
struct desk_hooks {
    /* Submits a notification (notify_submit): 0, or -1 (logged). */
    int (*notify)(void *arg, const struct notify_event *ev);
    /* The incident was responded to (notify_ack). */
    void (*ack)(void *arg, int64_t incident_id);
    /* Who holds pos at instant at (notify_on_duty): 0 with *user_id and the
     * login in login[0..n), or -1 when nobody does. */
    int (*on_duty)(void *arg, enum duty_position pos, ms_t at, int64_t *user_id, char *login,
                   size_t n);
    /* Working days: the process's calendar when set; else the two callbacks
     * (tests); else every day is a working day. deadline(t, n) is
     * cal_deadline(cal, t, n, NULL): the fault report's due instant. */
    struct calendar *cal;
    bool (*is_workday)(void *arg, int32_t day);
    ms_t (*deadline)(void *arg, ms_t t, int n);
    void *arg;
    /* An incident was created or changed (any change, clock marks
     * included): the console's live stream. */
    void (*on_change)(void *change_arg, int64_t incident_id);
    void *change_arg;
};

struct desk_opts {
    /* The clock (tests fix it); NULL = time_now_ms. Only "now" comes from
     * it: the thread still waits in real time (at most tick_max). */
    ms_t (*clock)(void *arg);
    void *clock_arg;
    ms_t tick_max;             /* 0 = DESK_TICK_MS */
    ms_t report_soon;          /* 0 = DESK_REPORT_SOON */
    size_t queue_max;          /* 0 = DESK_QUEUE_MAX */
};
#define DESK_OPTS_INIT {NULL, NULL, 0, 0, 0}

/* Loads the policy and the level rules (defaults when never set) and starts
 * the desk's thread, whose first pass catches up missed clock marks. NULL
 * with err on failure. hooks and opts are copied (opts may be NULL). */
struct desk *desk_start(struct store *S, const struct desk_hooks *hooks,
                        const struct desk_opts *opts, struct yw_err *err);
/* Stops the thread (transitions still queued are handled first, as long as
 * the store answers). NULL is a no-op. */
void desk_stop(struct desk *D);

/* Replaces the on_change hook of hooks (the console's hub,
 * web_hub_on_incident, exists only once the HTTP server runs, which itself
 * needs the desk). Thread-safe; once it returns, the previous hook is never
 * called again, so its arg may be freed. fn NULL removes it. */
void desk_set_on_change(struct desk *D, void (*fn)(void *arg, int64_t incident_id), void *arg);

/* For engine_on_transition(E, desk_on_transition, D): copies t into the
 * queue (down and up only; past queue_max it is dropped, counted and
 * logged) and wakes the desk's thread. Never touches the store. */
void desk_on_transition(void *desk, const struct engine_transition *t);

/* Blocks until the desk's thread has handled every transition queued
 * before the call and made a full pass of its clock ticker after it (tests;
 * shutdown). Returns at once after desk_stop began. */
void desk_sync(struct desk *D);

/* The desk's clock. */
ms_t desk_now(const struct desk *D);

struct desk_stats {
    uint64_t transitions;      /* monitor transitions handled */
    uint64_t dropped;          /* dropped: queue full */
    uint64_t opened;           /* incidents opened automatically */
    uint64_t marks;            /* SLA marks recorded */
    uint64_t notified;         /* notifications submitted */
    size_t queued;
};
void desk_stats(struct desk *D, struct desk_stats *out);

/* ---- the rules (pure) --------------------------------------------------------------- */

enum desk_action_kind {
    DA_RESPOND, DA_ONSITE, DA_RESOLVE, DA_CLOSE, DA_REOPEN, DA_VENDOR_WAIT, DA_VENDOR_BACK,
    DA_ASSIGN, DA_LEVEL, DA_NOTE, DA_REPORT, DA__COUNT
};
/* "respond" "onsite" "resolve" "close" "reopen" "vendor_wait" "vendor_back"
 * "assign" "level" "note" "report" */
const char *desk_action_name(enum desk_action_kind k);
int desk_action_parse(const char *s, enum desk_action_kind *out);

struct desk_action {
    enum desk_action_kind kind;
    ms_t at;                   /* 0 = now; in the past is fine, in the future is not */
    const char *note;          /* text of the timeline entry; may be NULL */
    const char *cause, *fix, *prevention; /* resolve: cause required unless already set */
    const char *vendor;        /* vendor_wait: required unless the incident names one */
    int64_t assignee_id;       /* assign: the account (the desk checks it) */
    const char *assignee;      /* its login, for the timeline */
    int level;                 /* level */
    const char *text;          /* note and report: required */
};

/* Bit (1u << kind) for each action the incident's state allows now. */
unsigned desk_actions_allowed(const struct incident *inc);

/* What desk_apply needs besides the action. */
struct desk_ctx {
    ms_t now;
    const char *by;            /* the login acting */
    /* resolve: the fault report's due instant for a resolution at t. */
    ms_t (*report_due)(void *arg, ms_t t);
    void *arg;
};

/* Applies a to r at x->now and says what to add to the timeline in ch.
 * Refuses with YW_ECONFLICT (field "action") when the state does not allow
 * the action, YW_EINVAL naming the field for a missing or bad value: `at`
 * in the future (past DESK_SKEW_MS; nearer is taken as now), before the
 * notice or before the incident's previous lifecycle instant; YW_ELIMIT for
 * text over its limit or too many vendor waits or reopenings. On failure r
 * may be half changed: the caller discards it (store_incident_change rolls
 * back). */
int desk_apply(struct inc_record *r, const struct desk_action *a, const struct desk_ctx *x,
               struct inc_change *ch, struct yw_err *err);

/* The instant of the incident's last lifecycle step (notice, response,
 * arrival, resolution, closing, vendor waits, reopenings). */
ms_t desk_last_instant(const struct incident *inc);

/* ---- people's changes (thread-safe) ------------------------------------------------------ */

struct desk_new {
    const char *title;         /* required, 1..INC_TITLE_MAX bytes */
    int level;                 /* required, 1..4 */
    const char *system;        /* name; NULL = none */
    enum inc_source source;
    const char *reporter;      /* may be NULL */
    ms_t notice;               /* 0 = now; not in the future */
    bool onsite_needed;
    const char *assignee;      /* login; NULL = the engineer on duty (or nobody) */
    const char *note;          /* text of the "opened" entry; may be NULL */
};

/* Opens an incident by hand (quick report: title, level and source are
 * enough), notifies NK_OPENED. by: the login acting. */
int desk_create(struct desk *D, const struct desk_new *n, const char *by, int64_t *id,
                struct yw_err *err);

/* Applies an action (desk_apply) in one transaction; then acknowledges
 * (respond, or onsite from new), notifies (assigned, resolved, reopened)
 * and tells on_change. For assign, a->assignee names the login (the
 * account must exist, be enabled and be allowed to handle incidents);
 * assignee_id is looked up. after (may be NULL) gets the incident as
 * written. */
int desk_act(struct desk *D, int64_t id, const struct desk_action *a, const char *by,
             struct inc_record *after, struct yw_err *err);

/* Fields a PATCH may change; NULL = unchanged, "" clears cause, fix and
 * prevention. onsite_needed: -1 unchanged, 0 or 1. */
struct desk_patch {
    const char *title;
    const char *cause, *fix, *prevention;
    int onsite_needed;
};
int desk_update(struct desk *D, int64_t id, const struct desk_patch *p, const char *by,
                struct inc_record *after, struct yw_err *err);

/* ---- the SLA policy ----------------------------------------------------------------------- */

/* The policy stored (INC_SETTING_POLICY), or the default when never set.
 * is_workday is left NULL: callers that count working hours set it. */
int desk_policy_load(struct store *S, struct sla_policy *p, struct yw_err *err);
/* The desk's current policy, its is_workday wired to the hooks' calendar. */
void desk_policy(struct desk *D, struct sla_policy *p);
/* Parses (sla_policy_from_json), stores and applies text; the clocks of
 * every incident follow at once. -1 with err and nothing changed. */
int desk_policy_put(struct desk *D, const char *text, struct yw_err *err);

/* A calendar's is_workday for struct sla_policy (arg: struct calendar *). */
bool desk_cal_is_workday(void *calendar, int32_t day);

/* ---- levels and the automatic rules -------------------------------------------------------- */

struct desk_level_def {
    char *title;               /* 一级故障 */
    char *definition;          /* 核心系统全面中断 */
};

/* First match wins; each named part must match; at least one part named. */
struct desk_rule {
    char *system;              /* system name; NULL = any */
    char *monitor;             /* monitor name; NULL = any */
    int monitor_type;          /* enum monitor_type; -1 = any */
    int level;
};

struct desk_levels {
    struct desk_level_def def[INC_LEVEL_MAX + 1]; /* [1..4] used */
    int tier_level[2];         /* by enum tier: key → 2, general → 3 */
    struct desk_rule *rules;
    size_t nrules;
    ms_t flap_window;          /* DESK_FLAP_WINDOW; 0 = a resolved incident never coalesces */
};

void desk_levels_default(struct desk_levels *l);
void desk_levels_release(struct desk_levels *l);
void desk_levels_copy(struct desk_levels *dst, const struct desk_levels *src);
/* {"levels":{"1":{"title":…,"definition":…},…},"tiers":{"key":2,"general":3},
 *  "rules":[{"system":"portal","monitor_type":"http","level":1}],
 *  "flap_window":"30m"}. Every field is checked (field named in err);
 * absent parts take the defaults; out is filled only on success. */
int desk_levels_from_json(const char *text, struct desk_levels *out, struct yw_err *err);
char *desk_levels_to_json(const struct desk_levels *l); /* malloc'd */
/* The level of an automatic incident on a monitor of a system. */
int desk_level_for(const struct desk_levels *l, const char *system, enum tier tier,
                   const char *monitor, enum monitor_type type);

int desk_levels_load(struct store *S, struct desk_levels *l, struct yw_err *err);
void desk_levels_get(struct desk *D, struct desk_levels *out); /* a copy */
int desk_levels_put(struct desk *D, const char *text, struct yw_err *err);

/* ---- period figures (API and CLI) --------------------------------------------------------------- */

/* "2026-11" (a month), "2026" (a year), "2026-H1"/"2026-H2", "2026-Q1".."Q4":
 * [start, end) in the display zone. -1 with err (YW_EINVAL, field
 * "period") otherwise. */
int desk_period_parse(const char *s, ms_t *from, ms_t *to, struct yw_err *err);

/* The figures of the incidents with notice in [from, to), of one system
 * (name; NULL = all) at now under p; the fault rate from the systems'
 * down and planned time (kpi/avail over their critical monitors and
 * maintenance windows; averaged over the systems when all). */
int desk_figures(struct store *S, const struct sla_policy *p, ms_t from, ms_t to,
                 const char *system, ms_t now, struct sla_figures *out, struct yw_err *err);

/* ---- the real hooks (desk_std.c) ------------------------------------------------------------------- */

struct notifier;
/* Hooks to the notifier (notify_submit, notify_ack, notify_on_duty over S)
 * and the calendar C (either may be NULL). std must outlive the desk;
 * on_change stays NULL (the caller sets it). */
struct desk_std {
    struct desk_hooks hooks;
    struct store *S;
    struct notifier *N;
};
void desk_std_hooks(struct desk_std *std, struct store *S, struct notifier *N,
                    struct calendar *C);

#endif
