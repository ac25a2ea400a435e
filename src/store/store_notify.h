/*
 * store_notify — the tables of notifications and the duty roster
 * (migration 5, store/notify.c): channels, routing rules, people's contacts,
 * duty shifts and hand-overs, the delivery log and its attempts.
 *
 * The store keeps text: a channel or rule is its canonical JSON spec (made
 * and checked by src/notify) plus the columns that are queried or must be
 * unique. A channel's secrets (SMTP password, robot token and signing
 * secret, webhook token) are one JSON object sealed with the store's secret
 * key (auth/secret.h) in their own column: they never reach the disk in
 * clear, and they are opened only when a caller asks (with_secrets).
 *
 * Transactions: the notification logic (routing, deduplication, rate
 * limits) needs several reads and writes to be one atomic step, so every
 * function here works on a connection handed out by store_notify_tx, which
 * wraps fn in one transaction on a pooled connection. struct conn stays
 * opaque outside the store.
 *
 * Every function returns 0, or -1 with err (YW_ENOTFOUND, YW_ECONFLICT,
 * YW_EINVAL, YW_EIO) and *out arguments untouched. Row structs own their
 * strings; the *_release functions free them (wiping secrets) and leave the
 * struct zeroed; a zeroed struct is empty.
 */
#ifndef YW_STORE_STORE_NOTIFY_H
#define YW_STORE_STORE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/roles.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "notify/notify.h"

struct store;
struct conn;

/* Runs fn(c, arg, err) inside one transaction on a pooled connection:
 * write (BEGIN IMMEDIATE: waits for the write lock up front, under the busy
 * timeout) or read (BEGIN: one consistent snapshot). fn returning 0
 * commits; -1 rolls back and is returned. */
typedef int (*store_notify_fn)(struct conn *c, void *arg, struct yw_err *err);
int store_notify_tx(struct store *S, bool write, store_notify_fn fn, void *arg,
                    struct yw_err *err);

#define STORE_LOGIN_MAX 64

/* ---- channels ------------------------------------------------------------- */
struct store_channel {
    int64_t id;
    char *name;
    char *type;          /* "email" "webhook" "dingtalk" "wecom" "feishu" */
    bool enabled, is_default, provisioned;
    char *spec;          /* canonical JSON without secrets */
    char *secrets;       /* JSON object of the secrets, in clear (only when asked for); NULL = none */
    ms_t created, updated;
    ms_t deleted;        /* 0 = live */
};
void store_channel_release(struct store_channel *ch);
void store_channels_free(struct store_channel *rows, size_t n);
/* Live channels by name. */
int store_channel_list(struct conn *c, bool with_secrets, struct store_channel **rows, size_t *n,
                       struct yw_err *err);
/* By id (a deleted one too: deleted is then set), or a live one by name
 * when id is 0. */
int store_channel_get(struct conn *c, int64_t id, const char *name, bool with_secrets,
                      struct store_channel *row, struct yw_err *err);
/* ch->id 0 inserts (provisioned from ch), else replaces that live channel's
 * name, type, flags, spec and secrets (provisioned kept). A name another live
 * channel has is YW_ECONFLICT; renaming a channel a rule names is
 * YW_ECONFLICT naming the rule. secrets NULL stores none. */
int store_channel_put(struct conn *c, const struct store_channel *ch, ms_t now, int64_t *id,
                      struct yw_err *err);
/* Soft delete (the delivery log keeps referring to it). Refused
 * (YW_ECONFLICT naming the rule) while a rule names it. */
int store_channel_delete(struct conn *c, int64_t id, ms_t now, struct yw_err *err);

/* ---- rules ------------------------------------------------------------------ */
struct store_rule {
    int64_t id;
    char *name;
    bool enabled, provisioned;
    char *spec;          /* canonical JSON */
    ms_t created, updated;
};
void store_rule_release(struct store_rule *r);
void store_rules_free(struct store_rule *rows, size_t n);
int store_rule_list(struct conn *c, bool enabled_only, struct store_rule **rows, size_t *n,
                    struct yw_err *err);
int store_rule_get(struct conn *c, int64_t id, const char *name, struct store_rule *row,
                   struct yw_err *err);
/* r->id 0 inserts, else replaces. channels[0..nch): the channel names the
 * rule's steps use; each must be a live channel (YW_EINVAL, field
 * "channels", naming it). Name conflicts are YW_ECONFLICT. */
int store_rule_put(struct conn *c, const struct store_rule *r, const char *const *channels,
                   size_t nch, ms_t now, int64_t *id, struct yw_err *err);
int store_rule_delete(struct conn *c, int64_t id, struct yw_err *err);

/* ---- people: accounts with their contacts ------------------------------------ */
#define STORE_CONTACT_FIELD_MAX 254
struct store_person {
    int64_t user_id;
    char login[STORE_LOGIN_MAX];
    char *display_name;  /* may be NULL */
    bool disabled;
    roleset roles;
    /* NULL when not given. */
    char *email, *mobile, *dingtalk_id, *wecom_id, *feishu_id;
    ms_t contact_updated; /* 0 = no contact row */
};
void store_person_release(struct store_person *p);
void store_people_free(struct store_person *rows, size_t n);
/* By id, or by login when user_id is 0. YW_ENOTFOUND when no account. */
int store_person_get(struct conn *c, int64_t user_id, const char *login, struct store_person *row,
                     struct yw_err *err);
/* Every account, by id. */
int store_person_list(struct conn *c, struct store_person **rows, size_t *n, struct yw_err *err);
/* Accounts (not disabled) holding any role of mask, by id; at most max. */
int store_people_with_roles(struct conn *c, roleset mask, size_t max, int64_t **ids, size_t *n,
                            struct yw_err *err);
/* Replaces the contact fields of p->user_id (the account must exist). */
int store_contact_put(struct conn *c, const struct store_person *p, ms_t now, struct yw_err *err);

/* ---- duty roster ---------------------------------------------------------------- */
struct store_shift {
    int64_t id;
    int64_t user_id;
    char login[STORE_LOGIN_MAX]; /* filled on reading */
    enum duty_position position;
    ms_t start, end;     /* [start, end) */
    char *note;          /* may be NULL */
    bool provisioned;
    ms_t created, updated;
};
void store_shift_release(struct store_shift *s);
void store_shifts_free(struct store_shift *rows, size_t n);
/* Shifts overlapping [from, to), by start then id; position -1 = any. More
 * than limit rows is YW_ELIMIT. */
int store_shift_list(struct conn *c, ms_t from, ms_t to, int position, size_t limit,
                     struct store_shift **rows, size_t *n, struct yw_err *err);
int store_shift_get(struct conn *c, int64_t id, struct store_shift *row, struct yw_err *err);
/* The shift holding position at instant at: the latest-starting one with
 * start <= at < end (then the highest id). YW_ENOTFOUND when none. */
int store_shift_at(struct conn *c, enum duty_position position, ms_t at, struct store_shift *row,
                   struct yw_err *err);
/* s->id 0 inserts, else replaces. The user must exist (YW_EINVAL "user"). */
int store_shift_put(struct conn *c, const struct store_shift *s, ms_t now, int64_t *id,
                    struct yw_err *err);
int store_shift_delete(struct conn *c, int64_t id, struct yw_err *err);
/* Deletes the shifts of position (any: -1) whose start is in [from, to),
 * provisioned ones only or API-made ones only; *count gets how many. */
int store_shift_delete_range(struct conn *c, int position, ms_t from, ms_t to, bool provisioned,
                             int64_t *count, struct yw_err *err);

struct store_handover {
    int64_t id;
    enum duty_position position;
    int64_t from_user_id;            /* 0 = nobody held it */
    int64_t to_user_id;
    char from_login[STORE_LOGIN_MAX], to_login[STORE_LOGIN_MAX]; /* filled on reading */
    ms_t at;
    char *note;                      /* may be NULL */
    char *by;                        /* login of who recorded it; may be NULL */
    ms_t created;
};
void store_handover_release(struct store_handover *h);
void store_handovers_free(struct store_handover *rows, size_t n);
int store_handover_add(struct conn *c, const struct store_handover *h, int64_t *id,
                       struct yw_err *err);
int store_handover_get(struct conn *c, int64_t id, struct store_handover *row, struct yw_err *err);
/* Newest first, at in [from, to), at most limit. */
int store_handover_list(struct conn *c, ms_t from, ms_t to, size_t limit,
                        struct store_handover **rows, size_t *n, struct yw_err *err);

/* ---- deliveries ------------------------------------------------------------------- */
enum store_dlv_status {
    DLV_QUEUED,      /* waiting to be sent (first time or a retry at next_attempt) */
    DLV_SCHEDULED,   /* an escalation step or a digest, due at next_attempt */
    DLV_SENDING,     /* the worker has it */
    DLV_SENT,
    DLV_FAILED,      /* retries exhausted, or refused for good */
    DLV_SUPPRESSED,  /* deduplicated, rate limited, or nobody to send to */
    DLV_CANCELLED,   /* acknowledged before its escalation step was due */
    DLV__COUNT
};
const char *store_dlv_status_name(enum store_dlv_status s);
int store_dlv_status_parse(const char *s, enum store_dlv_status *out);

struct store_delivery {
    int64_t id;
    ms_t created;
    int64_t channel_id;
    char *channel;       /* the channel's name when recorded */
    char *kind;          /* notify_kind_name, or "digest" */
    int64_t incident_id; /* 0 = none */
    char *clock;         /* "response"… or NULL */
    ms_t step;           /* the escalation step's delay; 0 = at once */
    char *rule;          /* the rule(s) that routed it; NULL = default channels or a test */
    char *event;         /* JSON of the event (what the message is rendered from) */
    char *targets;       /* JSON array of target strings */
    char *recipients;    /* JSON array of {"user_id","login"}; NULL until resolved */
    enum store_dlv_status status;
    int attempts;
    ms_t next_attempt;   /* queued/scheduled: when due */
    ms_t admitted;       /* counted against the channel's rate limit at; 0 = not */
    int held;            /* a digest: how many messages it stands for */
    char *last_error;
    ms_t sent_at;
    char *subject, *text;
};
void store_delivery_release(struct store_delivery *d);
void store_deliveries_free(struct store_delivery *rows, size_t n);
int store_delivery_insert(struct conn *c, const struct store_delivery *d, int64_t *id,
                          struct yw_err *err);
int store_delivery_get(struct conn *c, int64_t id, struct store_delivery *row, struct yw_err *err);
/* Writes the mutable fields: recipients, status, attempts, next_attempt,
 * admitted, held, last_error, sent_at, subject, text, event. */
int store_delivery_update(struct conn *c, const struct store_delivery *d, struct yw_err *err);
/* Whether a delivery with the same (incident, kind, clock, channel, step)
 * was recorded after since and is not suppressed, cancelled or failed. */
int store_delivery_dup(struct conn *c, int64_t incident_id, const char *kind, const char *clock,
                       int64_t channel_id, ms_t step, ms_t since, bool *found,
                       struct yw_err *err);
/* Deliveries of the channel admitted after since: how many, and the
 * earliest admission among them (0 when none). */
int store_delivery_admitted(struct conn *c, int64_t channel_id, ms_t since, int64_t *count,
                            ms_t *oldest, struct yw_err *err);
/* The channel's digest waiting to go out (kind "digest", scheduled). */
int store_delivery_pending_digest(struct conn *c, int64_t channel_id, struct store_delivery *row,
                                  bool *found, struct yw_err *err);
/* The earliest queued or scheduled delivery due at now (next_attempt <=
 * now), by next_attempt then id. */
int store_delivery_next_due(struct conn *c, ms_t now, struct store_delivery *row, bool *found,
                            struct yw_err *err);
/* The earliest next_attempt of every queued or scheduled delivery. */
int store_delivery_earliest(struct conn *c, ms_t *at, bool *found, struct yw_err *err);
/* A previous process stopped mid-send: its "sending" rows become queued. */
int store_delivery_requeue_sending(struct conn *c, int64_t *count, struct yw_err *err);
/* The incident was acknowledged: its scheduled escalation steps of kinds
 * opened and assigned, and of the response clock's warnings and breaches,
 * become cancelled. */
int store_delivery_cancel_ack(struct conn *c, int64_t incident_id, ms_t now, int64_t *count,
                              struct yw_err *err);

struct store_delivery_filter {
    int64_t channel_id;   /* 0 = any */
    int64_t incident_id;  /* 0 = any */
    int status;           /* -1 = any, else enum store_dlv_status */
    int64_t before_id;    /* cursor: id < before_id; 0 = newest */
    size_t limit;         /* 1..1000 */
};
/* Newest first. */
int store_delivery_list(struct conn *c, const struct store_delivery_filter *f,
                        struct store_delivery **rows, size_t *n, struct yw_err *err);

#define STORE_ATTEMPT_EXCERPT_MAX 500
struct store_attempt {
    int64_t id, delivery_id;
    ms_t at, duration;
    int http_status;     /* HTTP status or SMTP reply code; 0 = none */
    char *error;         /* NULL when it went through */
    char *response;      /* excerpt of the answer, at most STORE_ATTEMPT_EXCERPT_MAX bytes */
};
void store_attempt_release(struct store_attempt *a);
void store_attempts_free(struct store_attempt *rows, size_t n);
int store_attempt_add(struct conn *c, const struct store_attempt *a, struct yw_err *err);
/* Oldest first, at most 100. */
int store_attempt_list(struct conn *c, int64_t delivery_id, struct store_attempt **rows,
                       size_t *n, struct yw_err *err);
/* Deletes finished deliveries (and their attempts) created before before,
 * at most limit of them; *count gets how many. */
int store_delivery_prune(struct conn *c, ms_t before, size_t limit, int64_t *count,
                         struct yw_err *err);

#endif
