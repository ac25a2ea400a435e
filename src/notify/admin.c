/*
 * admin — channels, rules and the delivery log as the API sees them, and
 * provisioning from the config file; each call one transaction.
 */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "notify/notify_admin.h"
#include "notify/notify_int.h"

#define PROVISIONED_MSG "is provisioned (declared in the config file): change it there"

/* ---- channels ------------------------------------------------------------------------ */

/* A live channel, with its secrets. */
static int load_channel(struct conn *c, int64_t id, const char *name, struct nchannel *out,
                        struct yw_err *err)
{
    struct store_channel row = {0};
    if (store_channel_get(c, id, name, true, &row, err))
        return -1;
    int rc = 0;
    if (row.deleted)
        rc = yw_fail(err, YW_ENOTFOUND, "channel %lld not found", (long long)row.id);
    else
        rc = nchannel_from_row(&row, out, err);
    store_channel_release(&row);
    return rc;
}

struct obj_args {
    int64_t id;
    const char *name;
    const json_t *body;
    json_t *before, *after;
};

static void args_free(struct obj_args *a)
{
    json_decref(a->before);
    json_decref(a->after);
    a->before = a->after = NULL;
}

static void hand_over(struct obj_args *a, json_t **before, json_t **after)
{
    if (before) {
        *before = a->before;
        a->before = NULL;
    }
    if (after) {
        *after = a->after;
        a->after = NULL;
    }
    args_free(a);
}

static int do_channel_list(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct store_channel *rows = NULL;
    size_t n = 0;
    if (store_channel_list(c, true, &rows, &n, err))
        return -1;
    a->after = json_array();
    for (size_t i = 0; i < n; i++) {
        struct nchannel ch;
        struct yw_err e = YW_ERR_INIT;
        if (nchannel_from_row(&rows[i], &ch, &e) == 0)
            json_array_append_new(a->after, nchannel_answer(&ch));
        else
            log_error("notify: %s", e.msg);
        nchannel_release(&ch);
    }
    store_channels_free(rows, n);
    return 0;
}

int notify_channel_list(struct store *S, json_t **items, struct yw_err *err)
{
    struct obj_args a = {0};
    if (store_notify_tx(S, false, do_channel_list, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, NULL, items);
    return 0;
}

static int do_channel_get(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nchannel ch;
    if (load_channel(c, a->id, a->name, &ch, err))
        return -1;
    a->after = nchannel_answer(&ch);
    nchannel_release(&ch);
    return 0;
}

int notify_channel_get(struct store *S, int64_t id, const char *name, json_t **out,
                       struct yw_err *err)
{
    struct obj_args a = {.id = id, .name = name};
    if (store_notify_tx(S, false, do_channel_get, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, NULL, out);
    return 0;
}

/* Writes ch (id 0: a new one) and answers it as stored. */
static int channel_write(struct conn *c, const struct nchannel *ch, json_t **answer,
                         struct yw_err *err)
{
    struct store_channel row;
    nchannel_to_row(ch, &row);
    int64_t id = 0;
    int rc = store_channel_put(c, &row, time_now_ms(), &id, err);
    store_channel_release(&row);
    if (rc)
        return -1;
    struct nchannel got;
    if (load_channel(c, id, NULL, &got, err))
        return -1;
    *answer = nchannel_answer(&got);
    nchannel_release(&got);
    return 0;
}

static int do_channel_create(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nchannel ch;
    if (nchannel_from_json(a->body, NULL, &ch, err))
        return -1;
    ch.provisioned = false; /* only the config file provisions */
    int rc = channel_write(c, &ch, &a->after, err);
    nchannel_release(&ch);
    return rc;
}

int notify_channel_create(struct store *S, const json_t *body, json_t **out, struct yw_err *err)
{
    struct obj_args a = {.body = body};
    if (store_notify_tx(S, true, do_channel_create, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, NULL, out);
    return 0;
}

static int do_channel_update(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nchannel old, ch;
    if (load_channel(c, a->id, a->name, &old, err))
        return -1;
    int rc = 0;
    if (old.provisioned)
        rc = yw_fail(err, YW_ECONFLICT, "channel %s " PROVISIONED_MSG, old.name);
    if (rc == 0)
        a->before = nchannel_answer(&old);
    if (rc == 0 && (rc = nchannel_from_json(a->body, &old, &ch, err)) == 0) {
        ch.id = old.id;
        rc = channel_write(c, &ch, &a->after, err);
        nchannel_release(&ch);
    }
    nchannel_release(&old);
    return rc;
}

int notify_channel_update(struct store *S, int64_t id, const char *name, const json_t *body,
                          json_t **before, json_t **after, struct yw_err *err)
{
    struct obj_args a = {.id = id, .name = name, .body = body};
    if (store_notify_tx(S, true, do_channel_update, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, before, after);
    return 0;
}

static int do_channel_delete(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nchannel old;
    if (load_channel(c, a->id, a->name, &old, err))
        return -1;
    int rc = 0;
    if (old.provisioned)
        rc = yw_fail(err, YW_ECONFLICT, "channel %s " PROVISIONED_MSG, old.name);
    if (rc == 0) {
        a->before = nchannel_answer(&old);
        rc = store_channel_delete(c, old.id, time_now_ms(), err);
    }
    nchannel_release(&old);
    return rc;
}

int notify_channel_delete(struct store *S, int64_t id, const char *name, json_t **before,
                          struct yw_err *err)
{
    struct obj_args a = {.id = id, .name = name};
    if (store_notify_tx(S, true, do_channel_delete, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, before, NULL);
    return 0;
}

/* ---- rules --------------------------------------------------------------------------- */

static int load_rule(struct conn *c, int64_t id, const char *name, struct nrule *out,
                     struct yw_err *err)
{
    struct store_rule row = {0};
    if (store_rule_get(c, id, name, &row, err))
        return -1;
    int rc = nrule_from_row(&row, out, err);
    store_rule_release(&row);
    return rc;
}

static int rule_write(struct conn *c, const struct nrule *r, json_t **answer, struct yw_err *err)
{
    struct store_rule row = {
        .id = r->id,
        .name = r->name,
        .enabled = r->enabled,
        .provisioned = r->provisioned,
        .spec = nrule_spec_text(r),
    };
    size_t nch = 0;
    const char **chs = nrule_channels(r, &nch);
    int64_t id = 0;
    int rc = store_rule_put(c, &row, chs, nch, time_now_ms(), &id, err);
    xfree(chs);
    xfree(row.spec);
    if (rc)
        return -1;
    if (!answer)
        return 0;
    struct nrule got;
    if (load_rule(c, id, NULL, &got, err))
        return -1;
    *answer = nrule_answer(&got);
    nrule_release(&got);
    return 0;
}

static int do_rule_list(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct store_rule *rows = NULL;
    size_t n = 0;
    if (store_rule_list(c, false, &rows, &n, err))
        return -1;
    a->after = json_array();
    for (size_t i = 0; i < n; i++) {
        struct nrule r;
        struct yw_err e = YW_ERR_INIT;
        if (nrule_from_row(&rows[i], &r, &e) == 0)
            json_array_append_new(a->after, nrule_answer(&r));
        else
            log_error("notify: %s", e.msg);
        nrule_release(&r);
    }
    store_rules_free(rows, n);
    return 0;
}

int notify_rule_list(struct store *S, json_t **items, struct yw_err *err)
{
    struct obj_args a = {0};
    if (store_notify_tx(S, false, do_rule_list, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, NULL, items);
    return 0;
}

static int do_rule_get(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nrule r;
    if (load_rule(c, a->id, a->name, &r, err))
        return -1;
    a->after = nrule_answer(&r);
    nrule_release(&r);
    return 0;
}

int notify_rule_get(struct store *S, int64_t id, const char *name, json_t **out,
                    struct yw_err *err)
{
    struct obj_args a = {.id = id, .name = name};
    if (store_notify_tx(S, false, do_rule_get, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, NULL, out);
    return 0;
}

static int do_rule_create(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nrule r;
    if (nrule_from_json(a->body, &r, err))
        return -1;
    r.provisioned = false;
    int rc = rule_write(c, &r, &a->after, err);
    nrule_release(&r);
    return rc;
}

int notify_rule_create(struct store *S, const json_t *body, json_t **out, struct yw_err *err)
{
    struct obj_args a = {.body = body};
    if (store_notify_tx(S, true, do_rule_create, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, NULL, out);
    return 0;
}

static int do_rule_update(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nrule old, r;
    if (load_rule(c, a->id, a->name, &old, err))
        return -1;
    int rc = 0;
    if (old.provisioned)
        rc = yw_fail(err, YW_ECONFLICT, "rule %s " PROVISIONED_MSG, old.name);
    if (rc == 0)
        a->before = nrule_answer(&old);
    if (rc == 0 && (rc = nrule_from_json(a->body, &r, err)) == 0) {
        r.id = old.id;
        rc = rule_write(c, &r, &a->after, err);
        nrule_release(&r);
    }
    nrule_release(&old);
    return rc;
}

int notify_rule_update(struct store *S, int64_t id, const char *name, const json_t *body,
                       json_t **before, json_t **after, struct yw_err *err)
{
    struct obj_args a = {.id = id, .name = name, .body = body};
    if (store_notify_tx(S, true, do_rule_update, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, before, after);
    return 0;
}

static int do_rule_delete(struct conn *c, void *arg, struct yw_err *err)
{
    struct obj_args *a = arg;
    struct nrule old;
    if (load_rule(c, a->id, a->name, &old, err))
        return -1;
    int rc = 0;
    if (old.provisioned)
        rc = yw_fail(err, YW_ECONFLICT, "rule %s " PROVISIONED_MSG, old.name);
    if (rc == 0) {
        a->before = nrule_answer(&old);
        rc = store_rule_delete(c, old.id, err);
    }
    nrule_release(&old);
    return rc;
}

int notify_rule_delete(struct store *S, int64_t id, const char *name, json_t **before,
                       struct yw_err *err)
{
    struct obj_args a = {.id = id, .name = name};
    if (store_notify_tx(S, true, do_rule_delete, &a, err)) {
        args_free(&a);
        return -1;
    }
    hand_over(&a, before, NULL);
    return 0;
}

/* ---- the delivery log ---------------------------------------------------------------- */

static json_t *time_json(ms_t t)
{
    if (!t)
        return json_null();
    char s[64];
    time_format_rfc3339(t, s, sizeof s);
    return json_string(s);
}

static json_t *str_json(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *delivery_json(struct conn *c, const struct store_delivery *d, struct yw_err *err)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(d->id));
    json_object_set_new(j, "created", time_json(d->created));
    json_object_set_new(j, "channel_id", json_integer(d->channel_id));
    json_object_set_new(j, "channel", json_string(d->channel));
    json_object_set_new(j, "kind", json_string(d->kind));
    enum notify_kind k;
    json_object_set_new(j, "kind_zh", json_string(notify_kind_parse(d->kind, &k) == 0
                                                      ? notify_kind_title_zh(k)
                                                      : "通知汇总"));
    json_object_set_new(j, "incident_id", d->incident_id ? json_integer(d->incident_id)
                                                         : json_null());
    json_object_set_new(j, "clock", str_json(d->clock));
    char step[32];
    time_format_duration(d->step, step, sizeof step);
    json_object_set_new(j, "step", json_string(step));
    json_object_set_new(j, "rule", str_json(d->rule));
    json_t *targets = json_loads(d->targets ? d->targets : "[]", 0, NULL);
    json_object_set_new(j, "targets", targets ? targets : json_array());
    json_t *logins = json_array();
    json_t *rj = json_loads(d->recipients ? d->recipients : "[]", 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(rj, i, v)
    {
        const char *l = json_string_value(json_object_get(v, "login"));
        if (l)
            json_array_append_new(logins, json_string(l));
    }
    json_decref(rj);
    json_object_set_new(j, "recipients", logins);
    json_object_set_new(j, "status", json_string(store_dlv_status_name(d->status)));
    json_object_set_new(j, "attempts", json_integer(d->attempts));
    bool open = d->status == DLV_QUEUED || d->status == DLV_SCHEDULED;
    json_object_set_new(j, "next_attempt", open ? time_json(d->next_attempt) : json_null());
    json_object_set_new(j, "last_error", str_json(d->last_error));
    json_object_set_new(j, "sent_at", time_json(d->sent_at));
    json_object_set_new(j, "held", json_integer(d->held));
    json_object_set_new(j, "subject", str_json(d->subject));
    json_object_set_new(j, "text", str_json(d->text));
    struct store_attempt *att = NULL;
    size_t na = 0;
    if (store_attempt_list(c, d->id, &att, &na, err)) {
        json_decref(j);
        return NULL;
    }
    json_t *log = json_array();
    for (i = 0; i < na; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "at", time_json(att[i].at));
        json_object_set_new(o, "duration_ms", json_integer(att[i].duration));
        json_object_set_new(o, "status", att[i].http_status ? json_integer(att[i].http_status)
                                                            : json_null());
        json_object_set_new(o, "ok", json_boolean(att[i].error == NULL));
        json_object_set_new(o, "error", str_json(att[i].error));
        json_object_set_new(o, "response", str_json(att[i].response));
        json_array_append_new(log, o);
    }
    store_attempts_free(att, na);
    json_object_set_new(j, "attempt_log", log);
    return j;
}

struct log_args {
    const struct notify_log_query *q;
    int64_t id;
    json_t *items;
    int64_t next;
};

static int do_log(struct conn *c, void *arg, struct yw_err *err)
{
    struct log_args *a = arg;
    struct store_delivery_filter f = {
        .incident_id = a->q->incident_id,
        .status = -1,
        .before_id = a->q->before_id,
        .limit = a->q->limit,
    };
    if (a->q->channel) {
        int64_t id = 0;
        const char *name = a->q->channel;
        bool digits = *name != '\0';
        for (const char *p = name; *p && digits; p++)
            digits = *p >= '0' && *p <= '9';
        if (digits && strlen(name) < 18) {
            id = strtoll(name, NULL, 10);
        } else {
            struct store_channel row = {0};
            struct yw_err e = YW_ERR_INIT;
            if (store_channel_get(c, 0, name, false, &row, &e) != 0)
                return e.code == YW_ENOTFOUND
                           ? yw_fail_field(err, YW_EINVAL, "channel", "channel: no channel %.64s",
                                           name)
                           : (err ? (*err = e, -1) : -1);
            id = row.id;
            store_channel_release(&row);
        }
        f.channel_id = id > 0 ? id : -1;
    }
    if (a->q->status) {
        enum store_dlv_status s;
        if (store_dlv_status_parse(a->q->status, &s) != 0)
            return yw_fail_field(err, YW_EINVAL, "status",
                                 "status: must be queued, scheduled, sending, sent, failed, "
                                 "suppressed or cancelled");
        f.status = (int)s;
    }
    struct store_delivery *rows = NULL;
    size_t n = 0;
    if (store_delivery_list(c, &f, &rows, &n, err))
        return -1;
    a->items = json_array();
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        json_t *d = delivery_json(c, &rows[i], err);
        if (!d)
            rc = -1;
        else
            json_array_append_new(a->items, d);
    }
    a->next = n == f.limit && n ? rows[n - 1].id : 0;
    store_deliveries_free(rows, n);
    return rc;
}

int notify_delivery_list(struct store *S, const struct notify_log_query *q, json_t **items,
                         int64_t *next_cursor, struct yw_err *err)
{
    struct log_args a = {.q = q};
    if (store_notify_tx(S, false, do_log, &a, err)) {
        json_decref(a.items);
        return -1;
    }
    *items = a.items;
    if (next_cursor)
        *next_cursor = a.next;
    return 0;
}

static int do_log_one(struct conn *c, void *arg, struct yw_err *err)
{
    struct log_args *a = arg;
    struct store_delivery d = {0};
    if (store_delivery_get(c, a->id, &d, err))
        return -1;
    a->items = delivery_json(c, &d, err);
    store_delivery_release(&d);
    return a->items ? 0 : -1;
}

int notify_delivery_get(struct store *S, int64_t id, json_t **out, struct yw_err *err)
{
    struct log_args a = {.id = id};
    if (store_notify_tx(S, false, do_log_one, &a, err)) {
        json_decref(a.items);
        return -1;
    }
    *out = a.items;
    return 0;
}

/* ---- provisioning -------------------------------------------------------------------- */

/* "token: …" about item i of a list becomes "channels[2].token: …". */
static void reprefix(struct yw_err *err, const char *prefix)
{
    if (!err)
        return;
    char field[sizeof err->field], msg[sizeof err->msg];
    if (err->field[0] && strcmp(err->field, "body") != 0)
        snprintf(field, sizeof field, "%.24s.%.38s", prefix, err->field);
    else
        snprintf(field, sizeof field, "%.63s", prefix);
    size_t fl = strlen(err->field);
    if (fl && strncmp(err->msg, err->field, fl) == 0 && strcmp(err->field, "body") != 0)
        snprintf(msg, sizeof msg, "%.24s.%.480s", prefix, err->msg);
    else
        snprintf(msg, sizeof msg, "%.24s: %.480s", prefix, err->msg);
    snprintf(err->field, sizeof err->field, "%s", field);
    snprintf(err->msg, sizeof err->msg, "%s", msg);
}

static int list_of(const json_t *j, const char *what, struct yw_err *err);

int notify_config_check(const json_t *channels, const json_t *rules, struct yw_err *err)
{
    if (list_of(channels, "channels", err) || list_of(rules, "rules", err))
        return -1;
    for (size_t i = 0; i < json_array_size(channels); i++) {
        char pre[32];
        snprintf(pre, sizeof pre, "channels[%zu]", i);
        struct nchannel ch = {0};
        int rc = nchannel_from_json(json_array_get(channels, i), NULL, &ch, err);
        nchannel_release(&ch);
        if (rc) {
            reprefix(err, pre);
            return -1;
        }
    }
    for (size_t i = 0; i < json_array_size(rules); i++) {
        char pre[32];
        snprintf(pre, sizeof pre, "rules[%zu]", i);
        struct nrule r = {0};
        int rc = nrule_from_json(json_array_get(rules, i), &r, err);
        nrule_release(&r);
        if (rc) {
            reprefix(err, pre);
            return -1;
        }
    }
    return 0;
}

struct apply_args {
    const json_t *channels, *rules, *duty;
};

static int list_of(const json_t *j, const char *what, struct yw_err *err)
{
    if (j && !json_is_null(j) && !json_is_array(j))
        return yw_fail_field(err, YW_EINVAL, what, "%s: must be a list", what);
    if (json_array_size(j) > 1000)
        return yw_fail_field(err, YW_ELIMIT, what, "%s: more than 1000 items", what);
    return 0;
}

static int apply_channels(struct conn *c, const json_t *list, struct nchannel *chs, size_t n,
                          ms_t now, struct yw_err *err)
{
    for (size_t i = 0; i < n; i++) {
        char pre[32];
        snprintf(pre, sizeof pre, "channels[%zu]", i);
        if (nchannel_from_json(json_array_get(list, i), NULL, &chs[i], err)) {
            reprefix(err, pre);
            return -1;
        }
        chs[i].provisioned = true;
        for (size_t k = 0; k < i; k++)
            if (strcmp(chs[k].name, chs[i].name) == 0)
                return yw_fail_field(err, YW_EINVAL, pre, "%s: channel %s is declared twice",
                                     pre, chs[i].name);
    }
    for (size_t i = 0; i < n; i++) {
        struct store_channel cur = {0};
        struct yw_err e = YW_ERR_INIT;
        int rc = store_channel_get(c, 0, chs[i].name, true, &cur, &e);
        if (rc != 0 && e.code != YW_ENOTFOUND) {
            if (err)
                *err = e;
            return -1;
        }
        if (rc == 0 && !cur.provisioned) {
            store_channel_release(&cur);
            return yw_fail(err, YW_ECONFLICT,
                           "channel %s was made through the API; delete it there or give the "
                           "config file's another name",
                           chs[i].name);
        }
        struct store_channel row;
        chs[i].id = rc == 0 ? cur.id : 0;
        nchannel_to_row(&chs[i], &row);
        bool same = rc == 0 && strcmp(row.spec, cur.spec) == 0 &&
                    ((!row.secrets && !cur.secrets) ||
                     (row.secrets && cur.secrets && strcmp(row.secrets, cur.secrets) == 0)) &&
                    row.enabled == cur.enabled && row.is_default == cur.is_default;
        store_channel_release(&cur);
        rc = same ? 0 : store_channel_put(c, &row, now, NULL, err);
        store_channel_release(&row);
        if (rc)
            return -1;
    }
    return 0;
}

static int apply_rules(struct conn *c, const json_t *list, struct nrule *rules, size_t n,
                       struct yw_err *err)
{
    for (size_t i = 0; i < n; i++) {
        char pre[32];
        snprintf(pre, sizeof pre, "rules[%zu]", i);
        if (nrule_from_json(json_array_get(list, i), &rules[i], err)) {
            reprefix(err, pre);
            return -1;
        }
        rules[i].provisioned = true;
        for (size_t k = 0; k < i; k++)
            if (strcmp(rules[k].name, rules[i].name) == 0)
                return yw_fail_field(err, YW_EINVAL, pre, "%s: rule %s is declared twice", pre,
                                     rules[i].name);
    }
    for (size_t i = 0; i < n; i++) {
        struct store_rule cur = {0};
        struct yw_err e = YW_ERR_INIT;
        int rc = store_rule_get(c, 0, rules[i].name, &cur, &e);
        if (rc != 0 && e.code != YW_ENOTFOUND) {
            if (err)
                *err = e;
            return -1;
        }
        bool prov = rc == 0 && cur.provisioned;
        int64_t id = rc == 0 ? cur.id : 0;
        char *spec = nrule_spec_text(&rules[i]);
        bool same = rc == 0 && strcmp(spec, cur.spec) == 0 && cur.enabled == rules[i].enabled;
        xfree(spec);
        store_rule_release(&cur);
        if (rc == 0 && !prov)
            return yw_fail(err, YW_ECONFLICT,
                           "rule %s was made through the API; delete it there or give the "
                           "config file's another name",
                           rules[i].name);
        rules[i].id = id;
        if (!same && rule_write(c, &rules[i], NULL, err)) {
            char pre[32];
            snprintf(pre, sizeof pre, "rules[%zu]", i);
            reprefix(err, pre);
            return -1;
        }
    }
    return 0;
}

static bool declared(const char *name, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return true;
    return false;
}

static int apply_duty(struct conn *c, const json_t *duty, ms_t now, struct yw_err *err)
{
    static const char *const keys[] = {"shifts", "rotations", NULL};
    int64_t gone = 0;
    if (store_shift_delete_range(c, -1, INT64_MIN, INT64_MAX, true, &gone, err))
        return -1;
    if (!duty || json_is_null(duty))
        return 0;
    if (notify_j_keys(duty, keys, "duty", err))
        return -1;
    const json_t *shifts = json_object_get(duty, "shifts");
    const json_t *rots = json_object_get(duty, "rotations");
    if (list_of(shifts, "duty.shifts", err) || list_of(rots, "duty.rotations", err))
        return -1;
    for (size_t i = 0; i < json_array_size(shifts); i++) {
        char pre[40];
        snprintf(pre, sizeof pre, "duty.shifts[%zu]", i);
        struct store_shift s;
        if (notify_shift_parse(c, json_array_get(shifts, i), pre, &s, err))
            return -1;
        s.provisioned = true;
        int rc = store_shift_put(c, &s, now, NULL, err);
        store_shift_release(&s);
        if (rc)
            return -1;
    }
    for (size_t i = 0; i < json_array_size(rots); i++) {
        char pre[40];
        snprintf(pre, sizeof pre, "duty.rotations[%zu]", i);
        if (notify_rotation_insert(c, json_array_get(rots, i), pre, true, now, NULL, NULL, NULL,
                                   NULL, err))
            return -1;
    }
    return 0;
}

static int do_apply(struct conn *c, void *arg, struct yw_err *err)
{
    struct apply_args *a = arg;
    ms_t now = time_now_ms();
    if (list_of(a->channels, "channels", err) || list_of(a->rules, "rules", err))
        return -1;
    size_t nch = json_array_size(a->channels), nr = json_array_size(a->rules);
    struct nchannel *chs = nch ? xcalloc(nch, sizeof *chs) : NULL;
    struct nrule *rules = nr ? xcalloc(nr, sizeof *rules) : NULL;
    const char **names = xcalloc(nch + nr + 1, sizeof *names);
    struct store_rule *rrows = NULL;
    struct store_channel *crows = NULL;
    size_t nrr = 0, ncr = 0;
    int rc = apply_channels(c, a->channels, chs, nch, now, err);
    if (rc == 0)
        rc = apply_rules(c, a->rules, rules, nr, err);
    /* Provisioned rules, then channels, no longer declared go. */
    if (rc == 0)
        rc = store_rule_list(c, false, &rrows, &nrr, err);
    for (size_t i = 0; i < nr; i++)
        names[i] = rules[i].name;
    for (size_t i = 0; rc == 0 && i < nrr; i++)
        if (rrows[i].provisioned && !declared(rrows[i].name, names, nr))
            rc = store_rule_delete(c, rrows[i].id, err);
    if (rc == 0)
        rc = store_channel_list(c, false, &crows, &ncr, err);
    for (size_t i = 0; i < nch; i++)
        names[i] = chs[i].name;
    for (size_t i = 0; rc == 0 && i < ncr; i++)
        if (crows[i].provisioned && !declared(crows[i].name, names, nch))
            rc = store_channel_delete(c, crows[i].id, now, err);
    if (rc == 0)
        rc = apply_duty(c, a->duty, now, err);
    store_rules_free(rrows, nrr);
    store_channels_free(crows, ncr);
    xfree(names);
    for (size_t i = 0; i < nch; i++)
        nchannel_release(&chs[i]);
    for (size_t i = 0; i < nr; i++)
        nrule_release(&rules[i]);
    xfree(chs);
    xfree(rules);
    return rc;
}

int notify_config_apply(struct store *S, const json_t *channels, const json_t *rules,
                        const json_t *duty, struct yw_err *err)
{
    struct apply_args a = {channels, rules, duty};
    return store_notify_tx(S, true, do_apply, &a, err);
}
