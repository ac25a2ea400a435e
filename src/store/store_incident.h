/*
 * store_incident — incidents (故障/事件) in the store: the incident rows,
 * their spans (vendor waits, resolved-then-reopened spans), the timeline,
 * the SLA marks, and the desk's settings (same conventions as store.h: 0,
 * or -1 with err and nothing changed; prepared statements only).
 *
 * The store knows the shape of an incident, not its rules: the lifecycle
 * (which transition a state allows, which times are acceptable) lives in
 * the desk (desk/desk.h). A change is made with store_incident_change: the
 * store opens one write transaction, reads the incident with its spans,
 * hands it to the caller's function, which checks and modifies it and says
 * what to add to the timeline, then writes the row, the spans and the
 * timeline entries together. So every transition is one transaction (the
 * incident and its event), and two people acting on one incident at once
 * are serialised: the second sees what the first did.
 *
 * SLA marks (warning / breach of a clock) are kept once per incident, clock
 * and kind (UNIQUE), so that a restart never fires one twice.
 *
 * The desk's settings (the SLA policy, the level definitions and the rules
 * that give an automatic incident its level) are rows of the settings table
 * (store_auth.h: store_setting_get/set) under the keys below.
 *
 * Ownership: every string and array of a struct inc_record is owned by it
 * and freed by store_inc_record_release, which leaves it zeroed. A zeroed
 * record is empty.
 */
#ifndef YW_STORE_STORE_INCIDENT_H
#define YW_STORE_STORE_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "incident/incident.h"
#include "store/store.h"

#define INC_TITLE_MAX 200           /* UTF-8 bytes */
#define INC_REPORTER_MAX 200
#define INC_VENDOR_MAX 200
#define INC_REPORT_MAX (64 * 1024)  /* a fault report's text */
#define INC_EVENT_DATA_MAX 4096     /* an event's JSON data */
#define INC_TIMELINE_MAX 5000       /* timeline entries one get returns (the oldest first) */
#define INC_EVENTS_PER_INCIDENT 20000 /* entries an incident may collect; past it only
                                         lifecycle entries are added */
#define INC_LIST_MAX 500            /* incidents one list page may ask for */
#define INC_PERIOD_MAX 100000       /* incidents one period query may return */
#define INC_SEARCH_MAX 200          /* bytes of a text search */

/* The settings keys (values are JSON text). */
#define INC_SETTING_POLICY "sla.policy"
#define INC_SETTING_LEVELS "incident.levels"

enum inc_event_kind {
    IEV_OPENED, IEV_RESPONDED, IEV_ONSITE, IEV_RESOLVED, IEV_CLOSED, IEV_REOPENED,
    IEV_ASSIGNED, IEV_LEVEL, IEV_VENDOR_WAIT, IEV_VENDOR_BACK, IEV_NOTE, IEV_RECOVERED,
    IEV_FLAP, IEV_REPORT, IEV_SLA_WARNING, IEV_SLA_BREACH, IEV__COUNT
};
/* "opened" "responded" "onsite" "resolved" "closed" "reopened" "assigned"
 * "level" "vendor_wait" "vendor_back" "note" "recovered" "flap" "report"
 * "sla_warning" "sla_breach" */
const char *inc_event_kind_name(enum inc_event_kind k);
int inc_event_kind_parse(const char *s, enum inc_event_kind *out);

struct inc_event {
    int64_t id, incident_id;
    ms_t at;
    enum inc_event_kind kind;
    char *by;                  /* a login, "system" for the desk itself; may be NULL */
    char *text;                /* may be NULL */
    char *data;                /* a JSON object as text; may be NULL */
};

struct inc_record {
    struct incident inc;
    /* The vendor each pause waited on: inc.npauses entries, each may be NULL. */
    char **pause_vendor;
    /* How far the fault report's reminders went: 0 none, 1 "due soon"
     * notified, 2 "overdue" notified (desk). */
    int report_stage;
    /* The timeline, oldest first (store_incident_get with timeline only). */
    struct inc_event *events;
    size_t nevents;
};

void store_inc_event_release(struct inc_event *e);
void store_inc_record_release(struct inc_record *r);
void store_inc_records_free(struct inc_record *r, size_t n);
void store_incidents_free(struct incident *incs, size_t n);
/* Deep copy; dst is overwritten (not released first). */
void store_inc_record_copy(struct inc_record *dst, const struct inc_record *src);

/* ---- creating and reading ---------------------------------------------------- */

/* Creates inc (state must be INC_NEW; id, system, assignee and monitor names
 * and spans are ignored; created 0 = now, updated = created) with its first
 * timeline entry "opened" at inc->notice, by `by`, with text and data (both
 * may be NULL). References (system_id, assignee_id, monitor_id: 0 = none)
 * must exist (YW_EINVAL naming "system", "assignee" or "monitor"). */
int store_incident_create(struct store *S, const struct incident *inc, const char *by,
                          const char *text, const char *data, int64_t *id, struct yw_err *err);

/* The incident with its spans; with timeline, its timeline too. */
int store_incident_get(struct store *S, int64_t id, bool timeline, struct inc_record *r,
                       struct yw_err *err);

struct inc_filter {
    unsigned states;           /* bit (1u << enum inc_state) per state wanted; 0 = any */
    int level;                 /* 0 = any */
    int64_t system_id;         /* 0 = any */
    int source;                /* -1 = any, else enum inc_source */
    int64_t assignee_id;       /* 0 = any */
    ms_t from, to;             /* notice in [from, to); 0 = unbounded */
    const char *search;        /* substring of title, reporter, cause, fix or prevention */
    int64_t before_id;         /* cursor: id < before_id; 0 = from the newest */
    size_t limit;              /* 1..INC_LIST_MAX */
};
#define INC_FILTER_INIT {0, 0, 0, -1, 0, 0, 0, NULL, 0, 100}

/* Newest first (by id), with spans, without timeline. *more is set when
 * incidents past the page match too (the next page starts before the last
 * id returned). */
int store_incident_list(struct store *S, const struct inc_filter *f, struct inc_record **rows,
                        size_t *n, bool *more, struct yw_err *err);

/* Every incident with notice in [from, to) (system_id 0 = any), with spans,
 * oldest first, as the period figures want them. More than INC_PERIOD_MAX
 * is YW_ELIMIT. */
int store_incident_period(struct store *S, ms_t from, ms_t to, int64_t system_id,
                          struct incident **incs, size_t *n, struct yw_err *err);

/* What the desk's clock ticker watches: every incident not closed, and
 * every one whose fault report is due, not submitted and not yet reminded
 * as overdue. With spans, oldest first. */
int store_incident_active(struct store *S, struct inc_record **rows, size_t *n,
                          struct yw_err *err);

/* The monitor's current incident: its latest one that is not closed, else
 * its latest one. *found false (and r untouched) when it has none. */
int store_incident_for_monitor(struct store *S, int64_t monitor_id, struct inc_record *r,
                               bool *found, struct yw_err *err);

/* ---- changing ---------------------------------------------------------------- */

#define INC_CHANGE_EVENTS_MAX 4

/* What one change adds to the timeline; strings owned (malloc'd), freed by
 * store_incident_change whatever happens. */
struct inc_change {
    struct inc_event ev[INC_CHANGE_EVENTS_MAX];
    size_t nev;
};
/* Adds an entry (strings copied; any may be NULL). Asserts room. */
void store_inc_change_add(struct inc_change *ch, enum inc_event_kind kind, ms_t at,
                          const char *by, const char *text, const char *data);

/* Checks and modifies r in place, fills ch; 0, or -1 with err to refuse
 * (nothing is written then). Runs inside the write transaction: quick, no
 * I/O. r->inc's scalar fields, strings (title, reporter, vendor_name, cause,
 * fix, prevention, report) and both span arrays (with pause_vendor, kept in
 * step with pauses) are written back; names (system, assignee, monitor),
 * id, created and the timeline are not. */
typedef int (*store_inc_fn)(void *arg, struct inc_record *r, struct inc_change *ch,
                            struct yw_err *err);

/* One transaction: reads incident id (YW_ENOTFOUND), calls fn, checks the
 * result (level, spans within limits, references exist), writes it with
 * updated = now (0 = the wall clock) and the timeline entries. On success
 * *after (may be NULL) gets the incident as written, with its names and
 * without timeline (release it). */
int store_incident_change(struct store *S, int64_t id, ms_t now, store_inc_fn fn, void *arg,
                          struct inc_record *after, struct yw_err *err);

/* Moves the fault report's reminder stage up to `stage` (1 or 2) unless it
 * is there already or the report is submitted: *changed says whether this
 * call did it (two callers: one wins). */
int store_incident_report_stage(struct store *S, int64_t id, int stage, bool *changed,
                                struct yw_err *err);

/* ---- SLA marks ------------------------------------------------------------------ */

struct sla_mark {
    int64_t incident_id;
    enum sla_clock clock;
    bool breach;               /* false: the warning */
    ms_t at;                   /* the exact instant the threshold was reached */
};

/* Records the mark unless one with the same incident, clock and kind
 * exists, and with it (same transaction) the timeline entry sla_warning or
 * sla_breach at `at` with text and data. *added says whether it was new. */
int store_sla_mark_add(struct store *S, const struct sla_mark *m, const char *text,
                       const char *data, bool *added, struct yw_err *err);
/* The marks of the incidents store_incident_active returns. */
int store_sla_marks_active(struct store *S, struct sla_mark **marks, size_t *n,
                           struct yw_err *err);
/* The marks of one incident, by time. */
int store_sla_marks_of(struct store *S, int64_t incident_id, struct sla_mark **marks, size_t *n,
                       struct yw_err *err);

#endif
