/*
 * notify — notifications: channels (email over SMTP, generic webhook,
 * DingTalk, WeCom and Feishu robots), rules that route an event by level,
 * system and role with escalation chains, deduplication and rate limits, a
 * delivery log, and the 7×24 duty roster (值班表) that says who gets an
 * alert first.
 *
 * Sending never blocks the caller: notify_submit records the deliveries it
 * routes (status "queued" in the store) and wakes the notifier's own worker
 * thread, which sends them with retries and backoff. Queued deliveries
 * survive a restart (the worker resumes them at start).
 *
 * Messages are in Chinese and carry a link to the incident
 * (BASE_URL/incidents/ID).
 */
#ifndef YW_NOTIFY_NOTIFY_H
#define YW_NOTIFY_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"
#include "incident/incident.h"

struct store;
struct notifier;

enum notify_kind {
    NK_OPENED,       /* a new incident (from a monitor or by hand) */
    NK_ASSIGNED,     /* (re)assigned to someone */
    NK_SLA_WARNING,  /* a clock passed its warning threshold (75 %) */
    NK_SLA_BREACH,   /* a clock passed its target */
    NK_RECOVERED,    /* the monitor behind it is up again */
    NK_RESOLVED,
    NK_REOPENED,
    NK_REPORT_DUE,   /* the fault report's due date is near or past */
    NK_TEST,         /* "send test" from a channel's page */
    NK__COUNT
};

/* Who an event is for, besides what the rules add. */
enum notify_escalation {
    ESC_ASSIGNEE,    /* the assignee, or the engineer on duty when none */
    ESC_LEAD,        /* + the technical lead on duty (技术负责人) */
    ESC_MANAGER,     /* + the project managers (role manager) */
};

struct notify_event {
    enum notify_kind kind;
    int64_t incident_id;         /* 0 for NK_TEST */
    int level;                   /* 1..4 */
    const char *system;          /* name; may be NULL */
    const char *title;           /* the incident's title */
    enum sla_clock clock;        /* NK_SLA_WARNING / NK_SLA_BREACH */
    ms_t at;                     /* when it happened (the exact threshold instant for SLA events) */
    ms_t due;                    /* the clock's due instant, 0 when none */
    int64_t assignee_id;         /* 0 = nobody: the engineer on duty stands in */
    enum notify_escalation escalation;
    const char *detail;          /* one line of context ("HTTP 503"); may be NULL */
};

const char *notify_kind_name(enum notify_kind k); /* "opened" "assigned" "sla_warning" … */

/* Starts the worker. base_url: how people reach the console
 * ("http://127.0.0.1:8080"), for links. NULL with err on failure. */
struct notifier *notifier_start(struct store *S, const char *base_url, struct yw_err *err);
/* Stops the worker (what is queued stays queued for the next start). NULL is a no-op. */
void notifier_stop(struct notifier *N);

/* Thread-safe; never waits on the network. Routes ev through the rules,
 * drops what deduplication or rate limits say to drop (logged as
 * suppressed), records the deliveries and wakes the worker. Escalation
 * steps with a delay are recorded as scheduled and sent when due unless
 * notify_ack was called for the incident first. */
int notify_submit(struct notifier *N, const struct notify_event *ev, struct yw_err *err);
/* Thread-safe. The incident was acknowledged (responded): scheduled
 * escalation steps of its NK_OPENED event are cancelled. */
void notify_ack(struct notifier *N, int64_t incident_id);

enum duty_position { DUTY_PRIMARY, DUTY_BACKUP, DUTY_LEAD, DUTY__COUNT };
const char *duty_position_name(enum duty_position p); /* "primary" "backup" "lead" */
/* Who holds position at instant at per the roster: 0 and *user_id set, or
 * -1 with YW_ENOTFOUND when nobody does. login (may be NULL) gets the login. */
int notify_on_duty(struct store *S, enum duty_position pos, ms_t at, int64_t *user_id,
                   char *login, size_t n, struct yw_err *err);

#endif
