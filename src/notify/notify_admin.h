/*
 * notify_admin — notifications as the API and the config file see them:
 * channels, rules, the duty roster, people's contacts and the delivery log,
 * each change checked by the same validators and made in one transaction.
 *
 * Answers are JSON objects built here (new references, the caller's to
 * release). A channel's secrets are never answered: each is NOTIFY_MASK
 * ("••••") or null, with KEY_set true/false; a PUT that leaves a secret out
 * (or sends the mask back) keeps it, null or "" clears it.
 *
 * Objects declared in the config file are provisioned: the API refuses to
 * change or delete them (YW_ECONFLICT), notify_config_apply keeps them in
 * line with the file.
 *
 * References: a channel or rule by id (id > 0) or by name (id 0, name); a
 * person by user id or by login.
 *
 * Every function returns 0, or -1 with err (YW_EINVAL naming the field,
 * YW_ENOTFOUND, YW_ECONFLICT, YW_ELIMIT, YW_EIO) and nothing changed.
 */
#ifndef YW_NOTIFY_NOTIFY_ADMIN_H
#define YW_NOTIFY_NOTIFY_ADMIN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"
#include "notify/notify.h"

struct store;
struct notifier;

/* ---- channels --------------------------------------------------------------------- */
int notify_channel_list(struct store *S, json_t **items, struct yw_err *err);
int notify_channel_get(struct store *S, int64_t id, const char *name, json_t **out,
                       struct yw_err *err);
/* body: a channel spec. *out: the answer. */
int notify_channel_create(struct store *S, const json_t *body, json_t **out, struct yw_err *err);
/* A replace; *before and *after (either may be NULL): the answers. */
int notify_channel_update(struct store *S, int64_t id, const char *name, const json_t *body,
                          json_t **before, json_t **after, struct yw_err *err);
int notify_channel_delete(struct store *S, int64_t id, const char *name, json_t **before,
                          struct yw_err *err);
/* Sends NK_TEST over the channel now (through the worker): to user_id's
 * contacts (the caller; 0 = nobody in particular) and, for a robot, to its
 * group. *delivery_id: the delivery to watch in the log. A channel that
 * has nobody to write to (email without an address) is YW_EINVAL. */
int notify_test(struct notifier *N, int64_t channel_id, const char *channel_name,
                int64_t user_id, int64_t *delivery_id, struct yw_err *err);

/* ---- rules -------------------------------------------------------------------------- */
int notify_rule_list(struct store *S, json_t **items, struct yw_err *err);
int notify_rule_get(struct store *S, int64_t id, const char *name, json_t **out,
                    struct yw_err *err);
int notify_rule_create(struct store *S, const json_t *body, json_t **out, struct yw_err *err);
int notify_rule_update(struct store *S, int64_t id, const char *name, const json_t *body,
                       json_t **before, json_t **after, struct yw_err *err);
int notify_rule_delete(struct store *S, int64_t id, const char *name, json_t **before,
                       struct yw_err *err);

/* ---- the delivery log ---------------------------------------------------------------- */
struct notify_log_query {
    const char *channel;   /* id or name; NULL = any */
    int64_t incident_id;   /* 0 = any */
    const char *status;    /* queued … cancelled; NULL = any */
    int64_t before_id;     /* cursor; 0 = newest */
    size_t limit;          /* 1..1000 */
};
/* Newest first, each with its attempts ("attempt_log"). *next_cursor: the
 * id to pass as before_id for the next page, 0 when this was the last. */
int notify_delivery_list(struct store *S, const struct notify_log_query *q, json_t **items,
                         int64_t *next_cursor, struct yw_err *err);
int notify_delivery_get(struct store *S, int64_t id, json_t **out, struct yw_err *err);

/* ---- the duty roster ----------------------------------------------------------------- */
/* Shifts overlapping [from, to), at most 10000. */
int notify_shift_list(struct store *S, ms_t from, ms_t to, json_t **items, struct yw_err *err);
/* {"at", "positions": {"primary": {user_id, user, name, shift_id, start, end} | null, …}} */
int notify_duty_now(struct store *S, ms_t at, json_t **out, struct yw_err *err);
/* body: {user (login) | user_id, position, start, end, note}. */
int notify_shift_create(struct store *S, const json_t *body, json_t **out, struct yw_err *err);
int notify_shift_update(struct store *S, int64_t id, const json_t *body, json_t **before,
                        json_t **after, struct yw_err *err);
int notify_shift_delete(struct store *S, int64_t id, json_t **before, struct yw_err *err);
/* body: {people: [logins], position, shift: "12h", start, days, replace,
 * note}: shifts of length `shift` from start for days days, the people in
 * turn. replace: first deletes the API-made shifts of the position
 * starting in that period. *out: {"created": N, "deleted": M, "from", "to"}. */
int notify_rotation(struct store *S, const json_t *body, json_t **out, struct yw_err *err);
/* body: {position, from (login; default: who holds it at `at`), to (login),
 * at (default now), note}; by: who records it. */
int notify_handover(struct store *S, const json_t *body, const char *by, ms_t now, json_t **out,
                    struct yw_err *err);
int notify_handover_list(struct store *S, ms_t from, ms_t to, size_t limit, json_t **items,
                         struct yw_err *err);

/* ---- contacts ------------------------------------------------------------------------ */
int notify_contact_list(struct store *S, json_t **items, struct yw_err *err);
int notify_contact_get(struct store *S, int64_t user_id, const char *login, json_t **out,
                       struct yw_err *err);
/* body: {email, mobile, dingtalk_id, wecom_id, feishu_id} (absent or null:
 * none). */
int notify_contact_put(struct store *S, int64_t user_id, const char *login, const json_t *body,
                       json_t **before, json_t **after, struct yw_err *err);

/* ---- provisioning from the config file ----------------------------------------------- */
/* Makes the provisioned channels, rules and shifts match the file, in one
 * transaction, checked by the validators the API uses:
 *   channels: array of channel specs (NULL = none declared)
 *   rules:    array of rule specs (NULL = none)
 *   duty:     {"shifts": [{user, position, start, end, note}],
 *              "rotations": [{people, position, shift, start, days, note}]} (NULL = none)
 * Channels and rules are matched by name: new ones are created, changed
 * ones updated, provisioned ones no longer declared deleted. One made
 * through the API with a name the file declares is a conflict
 * (YW_ECONFLICT naming it). Provisioned shifts are replaced as a whole.
 * Errors name the field as "channels[2].token", "duty.shifts[0].user". */
int notify_config_apply(struct store *S, const json_t *channels, const json_t *rules,
                        const json_t *duty, struct yw_err *err);
/* What `yunwei config check` can say without a store: each channel and
 * rule through its validator (the roster names accounts: checked when
 * applied). Errors name the item like notify_config_apply's. */
int notify_config_check(const json_t *channels, const json_t *rules, struct yw_err *err);

#endif
