/*
 * notify_int — what the files of src/notify share (and the unit tests
 * see); nobody else includes it. The public face is notify.h (the worker,
 * submitting events, the roster lookup) and notify_admin.h (the API's and
 * the config file's view: channels, rules, roster, contacts, delivery log).
 *
 * The pieces, each in its own file:
 *   jsonin.c   checked reading of JSON input (API bodies, the config file)
 *   channel.c  channel specs: validation, canonical form, secrets, answers
 *   rule.c     routing rules: validation, matching an event
 *   route.c    an event -> deliveries: targets, dedup, rate limit, digest
 *   message.c  the Chinese texts: subject, plain text, markdown, fields
 *   sign.c     HMAC-SHA256, base64, URL encoding, the robots' signatures
 *   send.c     the senders over libcurl (SMTP, webhook, robots)
 *   worker.c   the notifier's thread: retries with backoff, digests
 *   duty.c     the roster: shifts, who is on duty, rotation, hand-over
 *   admin.c    what the API and the config file call, in transactions
 *
 * Ownership: every struct here owns its strings and arrays; its *_release
 * frees them (wiping secrets) and leaves it zeroed; zeroed is empty.
 */
#ifndef YW_NOTIFY_NOTIFY_INT_H
#define YW_NOTIFY_NOTIFY_INT_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"
#include "notify/notify.h"
#include "store/store_notify.h"

/* ---- limits on everything from outside ------------------------------------ */
#define NOTIFY_NAME_MAX 64          /* channel and rule names: [a-z0-9][a-z0-9._-]* */
#define NOTIFY_TITLE_MAX 200        /* display titles */
#define NOTIFY_URL_MAX 2048
#define NOTIFY_HOST_MAX 253
#define NOTIFY_SECRET_MAX 512       /* a password, token or signing secret */
#define NOTIFY_ADDR_MAX 254         /* an email address */
#define NOTIFY_TO_MAX 20            /* fixed addresses of an email channel */
#define NOTIFY_STEPS_MAX 10         /* steps of a rule */
#define NOTIFY_TARGETS_MAX 20       /* targets of a step */
#define NOTIFY_STEP_CHANNELS_MAX 10 /* channels of a step */
#define NOTIFY_MATCH_MAX 100        /* systems a rule names */
#define NOTIFY_RECIPIENTS_MAX 50    /* people one message goes to */
#define NOTIFY_NOTE_MAX 500         /* a shift's or hand-over's note */
#define NOTIFY_EVENT_TEXT_MAX 1000  /* an event's title or detail as kept */
#define NOTIFY_TEXT_MAX 4000        /* a delivery's text as kept in the log */
#define NOTIFY_DIGEST_ITEMS_MAX 20  /* subjects a digest lists */
#define NOTIFY_ROTATION_PEOPLE_MAX 50
#define NOTIFY_ROTATION_DAYS_MAX 366
#define NOTIFY_ROTATION_SHIFTS_MAX 5000
#define NOTIFY_SHIFT_LEN_MAX (31 * MS_PER_DAY)
#define NOTIFY_STEP_AFTER_MAX (7 * MS_PER_DAY)

#define NOTIFY_DEDUP_DEFAULT (10 * MS_PER_MIN)
#define NOTIFY_RATE_MAX_DEFAULT 20
#define NOTIFY_RATE_PER_DEFAULT (10 * MS_PER_MIN)

/* A secret as answered: never the value. */
#define NOTIFY_MASK "••••"

/* The vendors' endpoints (documented in docs/notify.md). */
#define NOTIFY_DINGTALK_URL "https://oapi.dingtalk.com/robot/send"
#define NOTIFY_WECOM_URL "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
#define NOTIFY_FEISHU_URL "https://open.feishu.cn/open-apis/bot/v2/hook/"

/* ---- jsonin.c: checked reading of JSON input ------------------------------- */
/* Every reader names the offending field as prefix + key ("steps[1].after")
 * in err->field and starts the message with it. Absent and null both mean
 * "not given" (the default). */
int notify_j_keys(const json_t *obj, const char *const *allowed, const char *prefix,
                  struct yw_err *err);
/* A string of 1..max bytes without control characters; *out malloc'd (NULL
 * when absent and not required). */
int notify_j_str(const json_t *obj, const char *key, const char *prefix, bool required,
                 size_t max, char **out, struct yw_err *err);
int notify_j_bool(const json_t *obj, const char *key, const char *prefix, bool dflt, bool *out,
                  struct yw_err *err);
int notify_j_int(const json_t *obj, const char *key, const char *prefix, long long min,
                 long long max, long long dflt, long long *out, struct yw_err *err);
/* A duration string ("10m"); in [min, max]. */
int notify_j_duration(const json_t *obj, const char *key, const char *prefix, ms_t min, ms_t max,
                      ms_t dflt, ms_t *out, struct yw_err *err);
/* An RFC 3339 instant or bare date (required). */
int notify_j_time(const json_t *obj, const char *key, const char *prefix, bool required,
                  ms_t *out, struct yw_err *err);
/* An array of at most maxn strings of 1..maxlen bytes (absent: empty). */
int notify_j_strv(const json_t *obj, const char *key, const char *prefix, size_t maxn,
                  size_t maxlen, char ***out, size_t *n, struct yw_err *err);
void notify_strv_free(char **v, size_t n);
/* [a-z0-9][a-z0-9._-]*, 1..NOTIFY_NAME_MAX bytes. */
bool notify_name_valid(const char *s);
/* local@domain, printable ASCII without spaces, <>, quotes, commas. */
bool notify_email_valid(const char *s);
int notify_fail_field(struct yw_err *err, const char *prefix, const char *key, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));
/* Copies at most max-1 bytes of s, never cutting a UTF-8 sequence; malloc'd. */
char *notify_utf8_dup(const char *s, size_t max);

/* ---- channel.c -------------------------------------------------------------- */
enum nch_type { NCH_EMAIL, NCH_WEBHOOK, NCH_DINGTALK, NCH_WECOM, NCH_FEISHU, NCH__COUNT };
const char *nch_type_name(enum nch_type t);   /* "email" "webhook" "dingtalk" "wecom" "feishu" */
const char *nch_type_title_zh(enum nch_type t);
int nch_type_parse(const char *s, enum nch_type *out);

enum smtp_security { SMTP_STARTTLS, SMTP_TLS, SMTP_PLAIN };

struct nchannel {
    int64_t id;
    char *name;
    char *title;              /* may be NULL */
    enum nch_type type;
    bool enabled, is_default, provisioned;
    ms_t dedup_window;        /* 0 = no deduplication */
    int rate_max;             /* messages per rate_per; 0 = unlimited */
    ms_t rate_per;
    bool digest;              /* past the limit: a digest (true) or dropped */
    /* email */
    char *host;
    int port;
    enum smtp_security security;
    char *username;           /* may be NULL */
    char *from, *from_name;   /* from_name may be NULL */
    char **to;                /* fixed addresses besides the recipients' */
    size_t nto;
    bool tls_verify;          /* email, webhook */
    /* webhook, dingtalk, wecom, feishu: the endpoint without its token */
    char *url;
    bool wecom_text;          /* WeCom msgtype text (mentions by mobile) instead of markdown */
    /* secrets */
    char *password;           /* email */
    char *token;              /* webhook: Bearer; robots: access_token / key / hook id */
    char *secret;             /* webhook, dingtalk, feishu: signing secret */
    ms_t created, updated;
};
void nchannel_release(struct nchannel *c);
/* Parses and checks a channel body. old (may be NULL): the channel being
 * replaced, whose secrets a body keeps by leaving them out or sending the
 * mask; null or "" clears one. Read-only keys of an answer are ignored.
 * On failure *out is zeroed. */
int nchannel_from_json(const json_t *j, const struct nchannel *old, struct nchannel *out,
                       struct yw_err *err);
/* As stored: the canonical spec (sorted keys; no secrets) and the secrets
 * object (NULL when there is none). malloc'd text. */
char *nchannel_spec_text(const struct nchannel *c);
char *nchannel_secrets_text(const struct nchannel *c);
/* From a stored row (its secrets opened, or not: then none are set). */
int nchannel_from_row(const struct store_channel *row, struct nchannel *out, struct yw_err *err);
/* The store row for c (strings borrowed from c, except spec and secrets,
 * which are malloc'd: release with store_channel_release). */
void nchannel_to_row(const struct nchannel *c, struct store_channel *row);
/* The API answer: the spec, id, provisioned, created, updated and every
 * secret of the type as NOTIFY_MASK or null with KEY_set. */
json_t *nchannel_answer(const struct nchannel *c);
/* Whether host names this machine's loopback (localhost, 127/8, ::1). */
bool notify_host_loopback(const char *host);
/* The endpoint a robot posts to, with its token (not signed): malloc'd. */
char *nchannel_endpoint(const struct nchannel *c);

/* ---- rule.c ------------------------------------------------------------------ */
struct nstep {
    ms_t after;
    char **to;        /* targets: "assignee", "duty:POS", "role:NAME", "user:LOGIN" */
    size_t nto;
    char **channels;  /* channel names */
    size_t nchannels;
};
struct nrule {
    int64_t id;
    char *name, *title;
    bool enabled, provisioned;
    unsigned levels;  /* bit (1u << level); 0 = any */
    char **systems;   /* empty = any */
    size_t nsystems;
    unsigned kinds;   /* bit (1u << enum notify_kind); 0 = any */
    struct nstep *steps;
    size_t nsteps;
    ms_t created, updated;
};
void nrule_release(struct nrule *r);
int nrule_from_json(const json_t *j, struct nrule *out, struct yw_err *err);
int nrule_from_row(const struct store_rule *row, struct nrule *out, struct yw_err *err);
char *nrule_spec_text(const struct nrule *r);
json_t *nrule_answer(const struct nrule *r);
/* The distinct channel names of the steps (borrowed from r; free the array only). */
const char **nrule_channels(const struct nrule *r, size_t *n);
bool nrule_matches(const struct nrule *r, const struct notify_event *ev);
/* Checks the syntax of one target ("role:NAME" must name a role). */
int notify_target_check(const char *t, const char *field, struct yw_err *err);
int notify_kind_parse(const char *s, enum notify_kind *out);
const char *notify_kind_title_zh(enum notify_kind k);

/* ---- the event as kept with a delivery ---------------------------------------- */
struct nevent {
    char kind[24];            /* notify_kind_name, or "digest" */
    int64_t incident_id;
    int level;                /* 0 = none */
    char *system, *title, *detail; /* may be NULL */
    int clock;                /* enum sla_clock, -1 = none */
    ms_t at, due;
    int64_t assignee_id;
    int escalation;
    char *by;                 /* NK_TEST: who asked */
    char **items;             /* digest: the held messages' subjects */
    size_t nitems;
};
void nevent_release(struct nevent *e);
/* From notify_event (strings copied, cut to their limits). */
void nevent_from(const struct notify_event *ev, struct nevent *out);
char *nevent_to_text(const struct nevent *e);
int nevent_from_text(const char *text, struct nevent *out, struct yw_err *err);

/* ---- message.c ------------------------------------------------------------------ */
#define NMSG_FIELDS_MAX (NOTIFY_DIGEST_ITEMS_MAX + 8)
struct nfield {
    const char *label;        /* static; "" = a line without a label */
    char *value;
};
struct nmessage {
    char *subject;            /* one line */
    char *headline;           /* the first sentence */
    struct nfield fields[NMSG_FIELDS_MAX];
    size_t nfields;
    char *link, *link_text;   /* link may be NULL (no base URL) */
    char *text;               /* plain text: headline, fields, link */
};
void nmessage_release(struct nmessage *m);
/* Renders ev (a channel's name for the test message; base_url without a
 * trailing slash, may be NULL). Never fails. */
void notify_message_build(const struct nevent *ev, const char *channel_name, const char *base_url,
                          int held, struct nmessage *out);
/* Markdown of the message: a heading, "label：value" lines joined by sep,
 * the link. mentions (may be NULL) is appended as the last line. */
char *notify_markdown(const struct nmessage *m, const char *sep, const char *mentions);
/* "2026-11-25 10:00" in the display zone. */
void notify_format_time(ms_t t, char *out, size_t n);
const char *notify_level_zh(int level);       /* "一级" … ; "" out of range */
const char *notify_clock_zh(int clock);       /* "响应" "到场" "解决"; "" otherwise */
const char *notify_clock_name(int clock);     /* "response" "onsite" "resolve"; NULL otherwise */

/* A recipient with contacts, for the senders. */
struct nrecipient {
    int64_t user_id;
    char login[STORE_LOGIN_MAX];
    char *name;               /* display name; may be NULL */
    char *email, *mobile, *dingtalk_id, *wecom_id, *feishu_id; /* may be NULL */
};
void nrecipients_free(struct nrecipient *r, size_t n);

/* ---- sign.c ---------------------------------------------------------------------- */
void notify_hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
                        uint8_t out[32]);
char *notify_base64(const void *data, size_t n);           /* standard, padded */
char *notify_url_encode(const char *s);                    /* RFC 3986 unreserved kept */
/* DingTalk: base64(HMAC-SHA256(key = secret, msg = ts_ms "\n" secret)),
 * not yet URL-encoded. malloc'd. */
char *notify_dingtalk_sign(const char *secret, int64_t ts_ms);
/* Feishu: base64(HMAC-SHA256(key = ts_s "\n" secret, msg = "")). malloc'd. */
char *notify_feishu_sign(const char *secret, int64_t ts_s);
/* webhook: "sha256=" hex(HMAC-SHA256(key = secret, msg = ts_s "." body)). */
char *notify_webhook_sign(const char *secret, int64_t ts_s, const char *body);
/* A header value as RFC 2047 encoded words (UTF-8, base64), folded; plain
 * ASCII without specials is returned as is. malloc'd. */
char *notify_mime_header(const char *s);
/* base64 in lines of 76 characters ending in CRLF. malloc'd. */
char *notify_base64_lines(const void *data, size_t n);

/* ---- send.c ------------------------------------------------------------------------ */
struct nsend_in {
    const struct nchannel *ch;
    const struct nmessage *msg;
    const struct nevent *ev;
    int64_t delivery_id;
    const struct nrecipient *rcpt;
    size_t nrcpt;
    const char *base_url;     /* may be NULL */
    ms_t now;                 /* wall clock for signatures and the Date header */
    long connect_timeout_ms, total_timeout_ms;
    atomic_bool *abort;       /* set: the transfer stops at once (may be NULL) */
};
struct nsend_out {
    bool ok;
    bool retry;               /* worth trying again (network, 5xx, 429, vendor error) */
    int status;               /* HTTP status or SMTP reply; 0 = none */
    char error[300];          /* "" when ok */
    char response[STORE_ATTEMPT_EXCERPT_MAX + 1]; /* the answer's start, secrets scrubbed */
    ms_t duration;
};
void notify_send(const struct nsend_in *in, struct nsend_out *out);
/* The request bodies, exposed for the tests. now: ms since the epoch. */
char *notify_body_dingtalk(const struct nmessage *m, const struct nrecipient *r, size_t n);
char *notify_body_wecom(const struct nmessage *m, const struct nrecipient *r, size_t n,
                        bool text);
char *notify_body_feishu(const struct nmessage *m, const struct nrecipient *r, size_t n,
                         const char *secret, ms_t now);
char *notify_body_webhook(const struct nsend_in *in);
/* The DingTalk URL: endpoint with access_token, and when signed
 * &timestamp=&sign=. malloc'd; never logged. */
char *notify_dingtalk_url(const struct nchannel *c, ms_t now);
/* The mail: headers and base64 body, CRLF line ends. to: the addresses. */
char *notify_mail_payload(const struct nchannel *c, const struct nmessage *m,
                          const char *const *to, size_t nto, int64_t delivery_id, ms_t now);

/* ---- route.c ------------------------------------------------------------------------- */
/* Records what ev routes to, at instant now (see notify_submit). ids (may
 * be NULL) gets the ids of the deliveries recorded, at most max. */
int notify_route(struct conn *c, const struct notify_event *ev, ms_t now, const char *base_url,
                 int64_t *ids, size_t max, size_t *nids, struct yw_err *err);
/* A delivery comes due (created at once, or a scheduled step reached):
 * resolves its recipients, renders its subject and text, and applies the
 * channel's rate limit (queued and admitted, or folded into the digest, or
 * dropped: suppressed). limits false: a test, not rate limited. Writes d
 * (inserting it when d->id is 0). */
int notify_activate(struct conn *c, const struct nchannel *ch, struct store_delivery *d, ms_t now,
                    const char *base_url, bool limits, struct yw_err *err);
/* The recipients of a delivery with their contacts. */
int notify_recipients_load(struct conn *c, const char *recipients_json, struct nrecipient **out,
                           size_t *n, struct yw_err *err);
/* The retry schedule: the delay before attempt attempts_done + 1, or -1
 * when attempts_done attempts are all there are. */
ms_t notify_backoff(const ms_t *schedule, size_t n, int attempts_done);
int notify_ack_at(struct store *S, int64_t incident_id, ms_t now, struct yw_err *err);
int notify_submit_at(struct store *S, const char *base_url, const struct notify_event *ev,
                     ms_t now, int64_t *ids, size_t max, size_t *nids, struct yw_err *err);

/* ---- duty.c -------------------------------------------------------------------------- */
const char *notify_duty_position_zh(enum duty_position p);  /* 主班 备班 技术负责人 */
/* "primary" "backup" "lead" or the Chinese titles. */
int notify_duty_position_parse(const char *s, enum duty_position *out);
/* The answer for a shift (c, when given, adds the person's display name). */
json_t *notify_shift_json(struct conn *c, const struct store_shift *s);
/* A shift body: {user | user_id, position, start, end, note}; the account
 * must exist. On failure *out is empty. */
int notify_shift_parse(struct conn *c, const json_t *j, const char *prefix, struct store_shift *out,
                       struct yw_err *err);
/* Inserts a rotation's shifts (see notify_admin.h notify_rotation). */
int notify_rotation_insert(struct conn *c, const json_t *j, const char *prefix, bool provisioned,
                           ms_t now, int64_t *created, int64_t *deleted, ms_t *from, ms_t *to,
                           struct yw_err *err);
/* A contacts body into p's contact fields (p->user_id untouched). */
int notify_contact_parse(const json_t *j, struct store_person *p, struct yw_err *err);

/* ---- worker.c ------------------------------------------------------------------------ */
struct notifier_opts {
    const char *base_url;          /* may be NULL */
    const ms_t *backoff;           /* NULL: 10 s, 30 s, 2 min, 10 min, 30 min */
    size_t nbackoff;
    long connect_timeout_ms;       /* 0: 5 s */
    long total_timeout_ms;         /* 0: 15 s */
};
struct notifier *notifier_start_opts(struct store *S, const struct notifier_opts *o,
                                     struct yw_err *err);
/* Runs what is due now on the calling thread, once (tests without a worker). */
int notifier_run_due(struct store *S, const struct notifier_opts *o, ms_t now,
                     struct yw_err *err);

#endif
