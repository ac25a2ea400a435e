/*
 * incident — the incident desk's nouns (故障/事件): levels, sources, the
 * lifecycle and the three SLA clocks of contract §2/§3.
 *
 * Lifecycle: new → responded → (on site) → resolved → closed; a resolved or
 * closed incident may be reopened (back to responded, the resolution clock
 * runs again). Every transition is timestamped, by whom, and audited.
 *
 * Ownership: every char * and array is owned by its struct and freed by
 * incident_release, which leaves it zeroed. A zeroed struct is empty.
 */
#ifndef YW_INCIDENT_INCIDENT_H
#define YW_INCIDENT_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"

#define INC_LEVEL_MIN 1            /* 1 = 一级, the most severe */
#define INC_LEVEL_MAX 4
#define INC_TEXT_MAX 8192          /* notes, cause, fix, prevention (UTF-8 bytes) */
#define INC_PAUSES_MAX 64          /* vendor waits per incident */
#define INC_SPANS_MAX 64           /* resolved-then-reopened spans per incident */

enum inc_state { INC_NEW, INC_RESPONDED, INC_ONSITE, INC_RESOLVED, INC_CLOSED, INC_STATE__COUNT };

enum inc_source {
    SRC_MONITOR,    /* 监控告警 */
    SRC_INSPECTION, /* 巡检发现 */
    SRC_PHONE,      /* 电话 */
    SRC_WECHAT,     /* 微信 */
    SRC_EMAIL,      /* 邮件 */
    SRC_ONSITE,     /* 现场报告 */
    SRC_USER,       /* 用户报告 */
    SRC__COUNT
};

enum sla_clock { CLOCK_RESPONSE, CLOCK_ONSITE, CLOCK_RESOLVE, CLOCK__COUNT };

/* [start, end); end 0 = still open. */
struct inc_span {
    ms_t start, end;
};

struct incident {
    int64_t id;
    char *title;
    int level;                 /* INC_LEVEL_MIN..MAX */
    int64_t system_id;         /* 0 = none */
    char *system;              /* its name; NULL when none */
    enum inc_source source;
    char *reporter;            /* who reported: a login, or free text (name, phone) */
    int64_t assignee_id;       /* a user; 0 = nobody yet */
    char *assignee;            /* that user's login; NULL when nobody */
    enum inc_state state;
    ms_t notice;               /* 接到通知: every clock starts here */
    ms_t responded;            /* first response; 0 = not yet */
    bool onsite_needed;        /* on-site service needed: the on-site clock runs */
    ms_t onsite;               /* arrived on site; 0 = not yet */
    ms_t resolved;             /* last resolution; 0 = not resolved (or reopened) */
    ms_t closed;               /* 0 = not closed */
    /* Resolved-then-reopened spans: the resolution clock does not run in
     * them. The last one is open while the incident is resolved or closed. */
    struct inc_span *resolved_spans; size_t nresolved_spans;
    /* Third-party vendor: the flag, the vendor, the waits on them (the
     * resolution clock does not run in them); the last may be open. */
    bool vendor;
    char *vendor_name;
    struct inc_span *pauses; size_t npauses;
    char *cause, *fix, *prevention;
    /* The monitor outage that opened it (source monitor): 0 when none. */
    int64_t monitor_id;
    char *monitor;             /* the monitor's name */
    ms_t outage_start;         /* the confirmed down interval's start */
    ms_t recovered;            /* the monitor came back up; 0 = not (yet) */
    /* Fault report (故障报告): due within 3 working days after resolution. */
    ms_t report_due;           /* 0 until resolved */
    ms_t report_submitted;     /* 0 = not submitted */
    char *report;              /* the report's text (or a reference to it) */
    ms_t created, updated;
};

void incident_release(struct incident *inc);
void incident_copy(struct incident *dst, const struct incident *src);

const char *inc_state_name(enum inc_state s);    /* "new" "responded" "onsite" "resolved" "closed" */
const char *inc_state_title_zh(enum inc_state s);/* 新建 已响应 已到场 已解决 已关闭 */
int inc_state_parse(const char *s, enum inc_state *out);
const char *inc_source_name(enum inc_source s);  /* "monitor" "inspection" "phone" "wechat" "email" "onsite" "user" */
const char *inc_source_title_zh(enum inc_source s);
int inc_source_parse(const char *s, enum inc_source *out);
const char *sla_clock_name(enum sla_clock c);    /* "response" "onsite" "resolve" */
const char *sla_clock_title_zh(enum sla_clock c);/* 响应 到场 解决 */
int sla_clock_parse(const char *s, enum sla_clock *out);

#endif
