/*
 * /api/v1/channels, rules, deliveries, duty and contacts: notifications
 * and the duty roster (notify/notify_admin.h does the work in the store's
 * transactions; this file reads requests and answers).
 *
 * Permissions: reading channels (secrets masked), rules, contacts and the
 * delivery log needs notify.read; changing channels and rules and sending
 * a test notify.write; the roster and contacts duty.write. Who is on duty
 * (GET duty, duty/now, duty/handovers) is ops.read: everybody on the
 * operations side needs to know whom to call. Everybody keeps their own
 * contacts (contacts/me, the caller's own: self).
 *
 * Every change is audited here with api_audit, before and after as
 * answered (a channel's secrets are "••••" in both), so the routes carry no
 * before-image reader.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/api_ops.h"
#include "notify/notify_admin.h"

#define DUTY_DEFAULT_BEFORE MS_PER_DAY       /* GET duty without from/to: yesterday … */
#define DUTY_DEFAULT_AFTER (7 * MS_PER_DAY)  /* … to a week ahead */
#define HANDOVER_DEFAULT (30 * MS_PER_DAY)

/* ---- helpers ------------------------------------------------------------------------- */

static void ref(const struct http_req *rq, const char *param, int64_t *id, const char **name)
{
    const char *seg = route_param(rq->match, param);
    api_ref(seg ? seg : "", id, name);
}

/* "kind:ID" of an answer (its "id", or user_id for contacts). */
static void object_of(const char *kind, const json_t *a, const json_t *b, char *out, size_t n)
{
    const json_t *id = json_object_get(a, "id");
    if (!json_is_integer(id))
        id = json_object_get(b, "id");
    if (!json_is_integer(id))
        id = json_object_get(a, "user_id");
    if (!json_is_integer(id))
        id = json_object_get(b, "user_id");
    if (json_is_integer(id))
        snprintf(out, n, "%s:%" PRId64, kind, (int64_t)json_integer_value(id));
    else
        snprintf(out, n, "%s", kind);
}

static void audit(const struct http_req *rq, const char *action, const char *kind,
                  json_t *before, json_t *after)
{
    char object[96];
    object_of(kind, after, before, object, sizeof object);
    api_audit(rq, action, object, before, after, "ok");
}

static void created(struct http_resp *rs, json_t *j, const char *path)
{
    const json_t *id = json_object_get(j, "id");
    if (json_is_integer(id))
        snprintf(rs->location, sizeof rs->location, "%s/%" PRId64, path,
                 (int64_t)json_integer_value(id));
    resp_json(rs, 201, j);
}

/* An integer query parameter (> 0) or 0 when absent. */
static int query_id(const struct http_req *rq, const char *key, int64_t *out, struct yw_err *err)
{
    const char *s = query_get(rq->query, key);
    *out = 0;
    if (!s)
        return 0;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    if (!end || *end || v <= 0 || strlen(s) > 18)
        return yw_fail_field(err, YW_EINVAL, key, "%s: must be a positive integer", key);
    *out = v;
    return 0;
}

/* ---- channels and rules: the same five handlers over their own store calls ------------- */

struct named_kind {
    const char *kind;        /* "channel": audit actions "channel.create"…, objects "channel:7" */
    const char *collection;  /* "/api/v1/channels" */
    int (*list)(struct store *S, json_t **items, struct yw_err *err);
    int (*get)(struct store *S, int64_t id, const char *name, json_t **out, struct yw_err *err);
    int (*create)(struct store *S, const json_t *body, json_t **out, struct yw_err *err);
    int (*update)(struct store *S, int64_t id, const char *name, const json_t *body,
                  json_t **before, json_t **after, struct yw_err *err);
    int (*del)(struct store *S, int64_t id, const char *name, json_t **before,
               struct yw_err *err);
};

static const struct named_kind CHANNELS = {
    "channel", "/api/v1/channels", notify_channel_list, notify_channel_get,
    notify_channel_create, notify_channel_update, notify_channel_delete};
static const struct named_kind RULES = {
    "rule", "/api/v1/rules", notify_rule_list, notify_rule_get, notify_rule_create,
    notify_rule_update, notify_rule_delete};

static void kind_audit(const struct http_req *rq, const struct named_kind *k, const char *verb,
                       json_t *before, json_t *after)
{
    char action[32];
    snprintf(action, sizeof action, "%s.%s", k->kind, verb);
    audit(rq, action, k->kind, before, after);
}

static void kind_list(const struct http_req *rq, struct http_resp *rs, const struct named_kind *k)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *items = NULL;
    if (k->list(rq->ctx->S, &items, &err))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, api_list(items, NULL));
}

static void kind_get(const struct http_req *rq, struct http_resp *rs, const struct named_kind *k)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    const char *name;
    ref(rq, "id", &id, &name);
    json_t *out = NULL;
    if (k->get(rq->ctx->S, id, name, &out, &err))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, out);
}

static void kind_create(const struct http_req *rq, struct http_resp *rs,
                        const struct named_kind *k)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err), *out = NULL;
    if (!body || k->create(rq->ctx->S, body, &out, &err)) {
        resp_err(rs, &err);
    } else {
        kind_audit(rq, k, "create", NULL, out);
        created(rs, out, k->collection);
    }
    json_decref(body);
}

static void kind_update(const struct http_req *rq, struct http_resp *rs,
                        const struct named_kind *k)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    const char *name;
    ref(rq, "id", &id, &name);
    json_t *body = api_body_object(rq, &err), *before = NULL, *after = NULL;
    if (!body || k->update(rq->ctx->S, id, name, body, &before, &after, &err)) {
        resp_err(rs, &err);
    } else {
        kind_audit(rq, k, "update", before, after);
        resp_json(rs, 200, after);
    }
    json_decref(before);
    json_decref(body);
}

static void kind_delete(const struct http_req *rq, struct http_resp *rs,
                        const struct named_kind *k)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    const char *name;
    ref(rq, "id", &id, &name);
    json_t *before = NULL;
    if (k->del(rq->ctx->S, id, name, &before, &err)) {
        resp_err(rs, &err);
    } else {
        kind_audit(rq, k, "delete", before, NULL);
        resp_no_content(rs);
    }
    json_decref(before);
}

/* The route table wants one function per route. */
#define KIND_ROUTES(prefix, K)                                                              \
    static void prefix##_list(const struct http_req *rq, struct http_resp *rs)              \
    {                                                                                       \
        kind_list(rq, rs, &K);                                                              \
    }                                                                                       \
    static void prefix##_get(const struct http_req *rq, struct http_resp *rs)               \
    {                                                                                       \
        kind_get(rq, rs, &K);                                                               \
    }                                                                                       \
    static void prefix##_create(const struct http_req *rq, struct http_resp *rs)            \
    {                                                                                       \
        kind_create(rq, rs, &K);                                                            \
    }                                                                                       \
    static void prefix##_update(const struct http_req *rq, struct http_resp *rs)            \
    {                                                                                       \
        kind_update(rq, rs, &K);                                                            \
    }                                                                                       \
    static void prefix##_delete(const struct http_req *rq, struct http_resp *rs)            \
    {                                                                                       \
        kind_delete(rq, rs, &K);                                                            \
    }

KIND_ROUTES(channels, CHANNELS)
KIND_ROUTES(rules, RULES)

static void channels_test(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id, delivery = 0;
    const char *name;
    ref(rq, "id", &id, &name);
    if (!rq->ctx->notify) {
        resp_error(rs, 503, "unavailable", NULL,
                   "通知服务未启动 / notifications are not running in this process");
        return;
    }
    if (notify_test(rq->ctx->notify, id, name, rq->who->user_id, &delivery, &err)) {
        resp_err(rs, &err);
        return;
    }
    json_t *out = json_object();
    json_object_set_new(out, "delivery_id", json_integer(delivery));
    json_object_set_new(out, "status", json_string("queued"));
    char object[64];
    if (id)
        snprintf(object, sizeof object, "channel:%" PRId64, id);
    else
        snprintf(object, sizeof object, "channel:%.50s", name ? name : "");
    api_audit(rq, "channel.test", object, NULL, out, "ok");
    resp_json(rs, 202, out);
}

/* ---- the delivery log ---------------------------------------------------------------- */

static void deliveries_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct notify_log_query q = {
        .channel = query_get(rq->query, "channel"),
        .status = query_get(rq->query, "status"),
    };
    int64_t cursor = 0;
    if (query_id(rq, "incident", &q.incident_id, &err) ||
        query_id(rq, "before", &q.before_id, &err) || query_id(rq, "cursor", &cursor, &err) ||
        query_limit(rq->query, &q.limit, &err)) {
        resp_err(rs, &err);
        return;
    }
    if (!q.before_id)
        q.before_id = cursor;
    json_t *items = NULL;
    int64_t next = 0;
    if (notify_delivery_list(rq->ctx->S, &q, &items, &next, &err)) {
        resp_err(rs, &err);
        return;
    }
    char nc[32];
    snprintf(nc, sizeof nc, "%" PRId64, next);
    resp_json(rs, 200, api_list(items, next ? nc : NULL));
}

static void deliveries_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    const char *name;
    ref(rq, "id", &id, &name);
    json_t *out = NULL;
    if (!id)
        resp_error(rs, 404, "not_found", NULL, "delivery %.64s not found", name ? name : "");
    else if (notify_delivery_get(rq->ctx->S, id, &out, &err))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, out);
}

/* ---- the duty roster ----------------------------------------------------------------- */

/* from/to of a roster view: query_period's, but with nothing given a window
 * around now (fw before, ahead after). */
static int period(const struct http_req *rq, ms_t back, ms_t ahead, ms_t *from, ms_t *to,
                  struct yw_err *err)
{
    ms_t now = time_now_ms();
    if (!query_get(rq->query, "from") && !query_get(rq->query, "to")) {
        *from = now - back;
        *to = now + ahead;
        return 0;
    }
    return query_period(rq->query, now, QUERY_PERIOD_MAX, from, to, err);
}

static void duty_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    ms_t from, to;
    json_t *items = NULL;
    if (period(rq, DUTY_DEFAULT_BEFORE, DUTY_DEFAULT_AFTER, &from, &to, &err) ||
        notify_shift_list(rq->ctx->S, from, to, &items, &err)) {
        resp_err(rs, &err);
        return;
    }
    json_t *j = api_list(items, NULL);
    json_object_set_new(j, "from", api_time(from, false));
    json_object_set_new(j, "to", api_time(to, false));
    resp_json(rs, 200, j);
}

static void duty_now(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    ms_t at = time_now_ms();
    const char *s = query_get(rq->query, "at");
    if (s && time_parse_rfc3339(s, &at) != 0) {
        resp_error(rs, 400, "invalid", "at", "at: must be a time like 2026-11-25T08:00:00+08:00");
        return;
    }
    json_t *out = NULL;
    if (notify_duty_now(rq->ctx->S, at, &out, &err))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, out);
}

static void handovers_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    ms_t from, to;
    size_t limit;
    json_t *items = NULL;
    if (period(rq, HANDOVER_DEFAULT, MS_PER_DAY, &from, &to, &err) ||
        query_limit(rq->query, &limit, &err) ||
        notify_handover_list(rq->ctx->S, from, to, limit, &items, &err)) {
        resp_err(rs, &err);
        return;
    }
    resp_json(rs, 200, api_list(items, NULL));
}

static void shifts_create(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err), *out = NULL;
    if (!body || notify_shift_create(rq->ctx->S, body, &out, &err)) {
        resp_err(rs, &err);
    } else {
        audit(rq, "duty.shift.create", "shift", NULL, out);
        created(rs, out, "/api/v1/duty/shifts");
    }
    json_decref(body);
}

/* The {id} of a shift: digits only. */
static int shift_id(const struct http_req *rq, struct http_resp *rs, int64_t *id)
{
    const char *name;
    ref(rq, "id", id, &name);
    if (*id)
        return 0;
    resp_error(rs, 404, "not_found", NULL, "shift %.64s not found", name ? name : "");
    return -1;
}

static void shifts_update(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    if (shift_id(rq, rs, &id))
        return;
    json_t *body = api_body_object(rq, &err), *before = NULL, *after = NULL;
    if (!body || notify_shift_update(rq->ctx->S, id, body, &before, &after, &err)) {
        resp_err(rs, &err);
    } else {
        audit(rq, "duty.shift.update", "shift", before, after);
        resp_json(rs, 200, after);
    }
    json_decref(before);
    json_decref(body);
}

static void shifts_delete(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    if (shift_id(rq, rs, &id))
        return;
    json_t *before = NULL;
    if (notify_shift_delete(rq->ctx->S, id, &before, &err)) {
        resp_err(rs, &err);
    } else {
        audit(rq, "duty.shift.delete", "shift", before, NULL);
        resp_no_content(rs);
    }
    json_decref(before);
}

static void rotation(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err), *out = NULL;
    if (!body || notify_rotation(rq->ctx->S, body, &out, &err)) {
        resp_err(rs, &err);
    } else {
        json_t *after = json_object();
        json_object_set(after, "request", body);
        json_object_set(after, "result", out);
        api_audit(rq, "duty.rotation", "duty", NULL, after, "ok");
        json_decref(after);
        resp_json(rs, 201, out);
    }
    json_decref(body);
}

static void handover(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err), *out = NULL;
    if (!body || notify_handover(rq->ctx->S, body, rq->who->user, time_now_ms(), &out, &err)) {
        resp_err(rs, &err);
    } else {
        audit(rq, "duty.handover", "handover", NULL, out);
        resp_json(rs, 201, out);
    }
    json_decref(body);
}

/* ---- contacts ------------------------------------------------------------------------ */

static void contacts_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *items = NULL;
    if (notify_contact_list(rq->ctx->S, &items, &err))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, api_list(items, NULL));
}

static void contacts_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    const char *login;
    ref(rq, "user_id", &id, &login);
    json_t *out = NULL;
    if (notify_contact_get(rq->ctx->S, id, login, &out, &err))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, out);
}

static void contacts_put(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    const char *login;
    ref(rq, "user_id", &id, &login);
    json_t *body = api_body_object(rq, &err), *before = NULL, *after = NULL;
    if (!body || notify_contact_put(rq->ctx->S, id, login, body, &before, &after, &err)) {
        resp_err(rs, &err);
    } else {
        audit(rq, "contact.update", "contact", before, after);
        resp_json(rs, 200, after);
    }
    json_decref(before);
    json_decref(body);
}

/* One's own contacts (GET/PUT /api/v1/contacts/me): everybody may keep
 * their own email and mobile up to date, so that alerts reach them. */
static void contacts_me_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *out = NULL;
    if (notify_contact_get(rq->ctx->S, rq->who->user_id, NULL, &out, &err))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, out);
}

static void contacts_me_put(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err), *before = NULL, *after = NULL;
    if (!body || notify_contact_put(rq->ctx->S, rq->who->user_id, NULL, body, &before, &after,
                                    &err)) {
        resp_err(rs, &err);
    } else {
        audit(rq, "contact.update", "contact", before, after);
        resp_json(rs, 200, after);
    }
    json_decref(before);
    json_decref(body);
}

/* ---- the table ----------------------------------------------------------------------- */

#define R ACT_NOTIFY_READ
#define W ACT_NOTIFY_WRITE
#define D ACT_DUTY_WRITE
#define O ACT_OPS_READ

const struct route api_notify_routes[] = {
    {"GET", "/api/v1/channels", channels_list, R, 0, NULL, NULL},
    {"POST", "/api/v1/channels", channels_create, W, 0, "channel.create", NULL},
    {"GET", "/api/v1/channels/{id}", channels_get, R, 0, NULL, NULL},
    {"PUT", "/api/v1/channels/{id}", channels_update, W, 0, "channel.update", NULL},
    {"DELETE", "/api/v1/channels/{id}", channels_delete, W, 0, "channel.delete", NULL},
    {"POST", "/api/v1/channels/{id}/test", channels_test, W, 0, "channel.test", NULL},

    {"GET", "/api/v1/rules", rules_list, R, 0, NULL, NULL},
    {"POST", "/api/v1/rules", rules_create, W, 0, "rule.create", NULL},
    {"GET", "/api/v1/rules/{id}", rules_get, R, 0, NULL, NULL},
    {"PUT", "/api/v1/rules/{id}", rules_update, W, 0, "rule.update", NULL},
    {"DELETE", "/api/v1/rules/{id}", rules_delete, W, 0, "rule.delete", NULL},

    {"GET", "/api/v1/deliveries", deliveries_list, R, 0, NULL, NULL},
    {"GET", "/api/v1/deliveries/{id}", deliveries_get, R, 0, NULL, NULL},

    {"GET", "/api/v1/duty", duty_list, O, 0, NULL, NULL},
    {"GET", "/api/v1/duty/now", duty_now, O, 0, NULL, NULL},
    {"GET", "/api/v1/duty/handovers", handovers_list, O, 0, NULL, NULL},
    {"POST", "/api/v1/duty/shifts", shifts_create, D, 0, "duty.shift.create", NULL},
    {"PUT", "/api/v1/duty/shifts/{id}", shifts_update, D, 0, "duty.shift.update", NULL},
    {"DELETE", "/api/v1/duty/shifts/{id}", shifts_delete, D, 0, "duty.shift.delete", NULL},
    {"POST", "/api/v1/duty/rotation", rotation, D, 0, "duty.rotation", NULL},
    {"POST", "/api/v1/duty/handover", handover, D, 0, "duty.handover", NULL},

    {"GET", "/api/v1/contacts", contacts_list, R, 0, NULL, NULL},
    /* before {user_id}: "me" is the caller (an account named "me" is
     * reached by its id) */
    {"GET", "/api/v1/contacts/me", contacts_me_get, ACT_SELF, 0, NULL, NULL},
    {"PUT", "/api/v1/contacts/me", contacts_me_put, ACT_SELF, 0, "contact.update", NULL},
    {"GET", "/api/v1/contacts/{user_id}", contacts_get, R, 0, NULL, NULL},
    {"PUT", "/api/v1/contacts/{user_id}", contacts_put, D, 0, "contact.update", NULL},
};

const size_t api_notify_nroutes = sizeof api_notify_routes / sizeof api_notify_routes[0];
