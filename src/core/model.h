/*
 * model — the checked structures yunwei works on: systems, monitors and
 * maintenance windows, as declared in the YAML config or created through the
 * API. Nothing outside the parsers (core/config.c) ever sees raw YAML or JSON
 * for these: every field here has been validated (types, ranges, references).
 *
 * Ownership: every char * and array is owned by its struct and freed by the
 * matching *_release, which leaves the struct zeroed (reusable). A zeroed
 * struct is a valid empty value. *_copy makes a deep copy.
 */
#ifndef YW_CORE_MODEL_H
#define YW_CORE_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/timeutil.h"

/* Limits on input from outside; the parsers reject anything past them. */
#define YW_NAME_MAX 64        /* object names: [a-z0-9][a-z0-9._-]*  */
#define YW_TITLE_MAX 200      /* free text titles, UTF-8 bytes */
#define YW_URL_MAX 2048
#define YW_LIST_MAX 64        /* headers, json checks, expected addresses… */
#define YW_BODY_MAX 65536     /* request body of an http monitor */
#define YW_INTERVAL_MIN MS_PER_S
#define YW_INTERVAL_MAX (31 * MS_PER_DAY)

enum tier { TIER_KEY = 0, TIER_GENERAL = 1 };      /* 重点保障 | 一般保障 */

struct system_spec {
    char *name;        /* unique, YW_NAME_MAX */
    char *title;       /* display name, e.g. 数据资源门户; may be NULL */
    enum tier tier;
    bool provisioned;  /* came from the config file: read-only through the API */
};

enum monitor_type {
    MT_HTTP, MT_TLS, MT_TCP, MT_DNS, MT_PING, MT_POSTGRES, MT_HEARTBEAT, MT__COUNT
};

struct http_header {
    char *name, *value;
};

struct status_range { /* accepted HTTP status codes, inclusive */
    int lo, hi;
};

enum json_op { JC_EXISTS, JC_EQUALS };

struct json_check {
    char *path;        /* "data.total", "items[0].id", optional leading "$." */
    enum json_op op;
    bool exists;       /* JC_EXISTS: true = must exist, false = must not */
    json_t *value;     /* JC_EQUALS: the expected value (owned reference) */
};

struct monitor_spec {
    char *name;           /* unique, YW_NAME_MAX */
    char *system;         /* name of an existing system */
    char *title;          /* may be NULL */
    enum monitor_type type;
    ms_t interval;        /* default 60s, >= 1s */
    ms_t retry_interval;  /* while a failure is unconfirmed; default = interval */
    ms_t timeout;         /* default 10s, capped at interval */
    int retries;          /* consecutive failures that confirm down; default 2, >= 1 */
    int recover;          /* consecutive successes that confirm up; default 1, >= 1 */
    bool critical;        /* a down critical monitor makes its system down */
    bool paused;          /* created paused / paused through the API */
    bool provisioned;

    struct {
        char *url;                 /* http:// or https:// */
        char *method;              /* GET (default), HEAD, POST, PUT, PATCH, DELETE, OPTIONS */
        char *body;                /* may be NULL */
        struct http_header *headers; size_t nheaders;
        struct status_range *status; size_t nstatus; /* default 200-399 */
        char *keyword;             /* must appear in the body (UTF-8, exact) */
        char *keyword_absent;      /* must not appear */
        struct json_check *json; size_t njson;
        ms_t max_latency;          /* 0 = no limit; slower counts as down */
        bool follow_redirects;     /* default true */
        int max_redirects;         /* default 5 */
        bool tls_verify;           /* default true */
    } http;
    struct {
        char *host; int port;      /* port default 443 */
        int min_days;              /* down when fewer days remain; default 14 */
        bool verify;               /* chain verification too; default true */
    } tls;
    struct {
        char *host; int port;
    } tcp;
    struct {
        char *name;                /* name to resolve */
        char *record;              /* "A" (default) or "AAAA" */
        char **expect; size_t nexpect; /* if set, one answer must be among these */
        char *server;              /* resolver "IP" or "IP:port"; NULL = system's */
    } dns;
    struct {
        char *host;
    } ping;
    struct {
        char *conninfo;            /* libpq conninfo or URI; may hold a password */
        char *query;               /* default "SELECT 1" */
        char *expect;              /* first column of first row must equal; NULL = any row */
    } postgres;
    struct {
        ms_t grace;                /* default 0; down when no push for interval + grace */
        char *token;               /* push token, [A-Za-z0-9_-]{16,64}; generated if absent */
    } heartbeat;
};

enum maint_recurrence { MR_ONCE, MR_DAILY, MR_WEEKLY, MR_MONTHLY };

struct maint_spec {
    char *name;
    char *title;
    char **systems; size_t nsystems;   /* names; all monitors of these systems */
    char **monitors; size_t nmonitors; /* names */
    enum maint_recurrence recurrence;
    ms_t once_start, once_end;         /* MR_ONCE: the instants */
    int day;                           /* MR_WEEKLY: 0=Sunday..6; MR_MONTHLY: 1..31, -1 = last day */
    int start_min, end_min;            /* recurring: minutes after midnight, local to zone;
                                          end_min <= start_min means the window ends next day */
    char *zone;                        /* tz database name; NULL = display zone */
    ms_t valid_from, valid_until;      /* recurring: 0 = unbounded */
    bool provisioned;
};

/* A section of the config file that another subsystem checks with its own
 * validator (the same one its API uses): the incident desk's SLA policy
 * (sla:), notification channels and rules (channels:, rules:) and the duty
 * roster (duty:). Kept as JSON converted from the YAML, with where it was
 * written, so that their messages can point at the file. */
struct config_section {
    json_t *json;             /* NULL when the file has no such section */
    int line, col;            /* of its key */
    int *item_lines;          /* a list's items: the line of each; NULL else */
    size_t nitems;
};

struct config {
    struct system_spec *systems; size_t nsystems;
    struct monitor_spec *monitors; size_t nmonitors;
    struct maint_spec *maint; size_t nmaint;
    int retention_days;                /* raw results; default 30 */
    struct config_section sla, channels, rules, duty;
};

const char *monitor_type_name(enum monitor_type t);   /* "http"… */
int monitor_type_parse(const char *s, enum monitor_type *out); /* -1 if unknown */
const char *tier_name(enum tier t);                    /* "key" | "general" */

void system_spec_release(struct system_spec *s);
void monitor_spec_release(struct monitor_spec *m);
void maint_spec_release(struct maint_spec *w);
void config_release(struct config *c);
void system_spec_copy(struct system_spec *dst, const struct system_spec *src);
void monitor_spec_copy(struct monitor_spec *dst, const struct monitor_spec *src);
void maint_spec_copy(struct maint_spec *dst, const struct maint_spec *src);

#endif
