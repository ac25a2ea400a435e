/*
 * api_incidents — /api/v1/incidents and /api/v1/sla: the incident desk over
 * HTTP (docs/incidents.md). Reading needs incident.read; opening incidents
 * and taking them through their life incident.write; the SLA policy and the
 * level rules are the project manager's (duty.write, which only the manager
 * holds among the roles that handle incidents).
 *
 * Changes go through the desk (desk/desk.h), which applies the lifecycle
 * rules in one store transaction; each handler writes its own audit record
 * with the incident before and after.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/cal.h"
#include "core/mem.h"
#include "desk/desk.h"
#include "http/api.h"
#include "http/api_ops.h"
#include "incident/metrics.h"
#include "store/store_auth.h"

#define LIST_DEFAULT 100

/* ---- small helpers ------------------------------------------------------------------------- */

static int no_desk(struct http_resp *rs)
{
    resp_error(rs, 503, "unavailable", NULL, "the incident desk is not running");
    return -1;
}

static ms_t now_of(const struct http_req *rq)
{
    return rq->ctx->desk ? desk_now(rq->ctx->desk) : time_now_ms();
}

/* The policy clocks are answered under: the desk's, or the stored one. */
static int policy_of(const struct http_req *rq, struct sla_policy *p, struct yw_err *err)
{
    if (rq->ctx->desk) {
        desk_policy(rq->ctx->desk, p);
        return 0;
    }
    if (desk_policy_load(rq->ctx->S, p, err) != 0)
        return -1;
    if (rq->ctx->cal) {
        p->is_workday = desk_cal_is_workday;
        p->is_workday_arg = rq->ctx->cal;
    }
    return 0;
}

/* The {id} of the path: an incident number. */
static int path_id(const struct http_req *rq, int64_t *id, struct yw_err *err)
{
    const char *s = route_param(rq->match, "id");
    const char *name = NULL;
    *id = 0;
    if (s)
        api_ref(s, id, &name);
    if (!s || name || *id <= 0)
        return yw_fail(err, YW_ENOTFOUND, "incident '%.40s' not found", s ? s : "");
    return 0;
}

static const char *who(const struct http_req *rq)
{
    return rq->who && rq->who->user[0] ? rq->who->user : NULL;
}

/* ---- answers ---------------------------------------------------------------------------------- */

static json_t *ref_id(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *clock_json(const struct sla_clock_state *st)
{
    json_t *j = json_object();
    json_object_set_new(j, "status", json_string(sla_status_name(st->status)));
    json_object_set_new(j, "target_ms", json_integer(st->target));
    json_object_set_new(j, "elapsed_ms", json_integer(st->elapsed));
    json_object_set_new(j, "paused_ms", json_integer(st->paused));
    json_object_set_new(j, "remaining_ms", json_integer(st->remaining));
    json_object_set_new(j, "warn_at", api_time(st->warn_at, true));
    json_object_set_new(j, "breach_at", api_time(st->breach_at, true));
    json_object_set_new(j, "stopped", api_time(st->stopped, true));
    return j;
}

static json_t *actions_json(const struct incident *inc)
{
    unsigned allowed = desk_actions_allowed(inc);
    json_t *a = json_array();
    for (int k = 0; k < DA__COUNT; k++)
        if (allowed & (1u << k))
            json_array_append_new(a, json_string(desk_action_name((enum desk_action_kind)k)));
    return a;
}

static json_t *event_json(const struct inc_event *e)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(e->id));
    json_object_set_new(j, "at", api_time(e->at, false));
    json_object_set_new(j, "kind", json_string(inc_event_kind_name(e->kind)));
    json_object_set_new(j, "by", api_str(e->by));
    json_object_set_new(j, "text", api_str(e->text));
    json_t *data = e->data ? json_loads(e->data, 0, NULL) : NULL;
    json_object_set_new(j, "data", data ? data : json_null());
    return j;
}

static json_t *incident_json(const struct inc_record *r, const struct sla_policy *p, ms_t now)
{
    const struct incident *inc = &r->inc;
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(inc->id));
    json_object_set_new(j, "title", api_str(inc->title));
    json_object_set_new(j, "level", json_integer(inc->level));
    json_object_set_new(j, "system", api_str(inc->system));
    json_object_set_new(j, "system_id", ref_id(inc->system_id));
    json_object_set_new(j, "source", json_string(inc_source_name(inc->source)));
    json_object_set_new(j, "source_title", json_string(inc_source_title_zh(inc->source)));
    json_object_set_new(j, "reporter", api_str(inc->reporter));
    json_object_set_new(j, "assignee", api_str(inc->assignee));
    json_object_set_new(j, "assignee_id", ref_id(inc->assignee_id));
    json_object_set_new(j, "state", json_string(inc_state_name(inc->state)));
    json_object_set_new(j, "state_title", json_string(inc_state_title_zh(inc->state)));
    json_object_set_new(j, "notice", api_time(inc->notice, true));
    json_object_set_new(j, "responded", api_time(inc->responded, true));
    json_object_set_new(j, "onsite_needed", json_boolean(inc->onsite_needed));
    json_object_set_new(j, "onsite", api_time(inc->onsite, true));
    json_object_set_new(j, "resolved", api_time(inc->resolved, true));
    json_object_set_new(j, "closed", api_time(inc->closed, true));
    json_object_set_new(j, "vendor", json_boolean(inc->vendor));
    json_object_set_new(j, "vendor_name", api_str(inc->vendor_name));
    json_t *pauses = json_array();
    for (size_t i = 0; i < inc->npauses; i++) {
        json_t *s = json_object();
        json_object_set_new(s, "start", api_time(inc->pauses[i].start, true));
        json_object_set_new(s, "end", api_time(inc->pauses[i].end, true));
        json_object_set_new(s, "vendor", api_str(r->pause_vendor ? r->pause_vendor[i] : NULL));
        json_array_append_new(pauses, s);
    }
    json_object_set_new(j, "pauses", pauses);
    json_object_set_new(j, "cause", api_str(inc->cause));
    json_object_set_new(j, "fix", api_str(inc->fix));
    json_object_set_new(j, "prevention", api_str(inc->prevention));
    json_object_set_new(j, "monitor", api_str(inc->monitor));
    json_object_set_new(j, "monitor_id", ref_id(inc->monitor_id));
    json_object_set_new(j, "outage_start", api_time(inc->outage_start, true));
    json_object_set_new(j, "recovered", api_time(inc->recovered, true));

    json_t *rep = json_object();
    json_object_set_new(rep, "due", api_time(inc->report_due, true));
    json_object_set_new(rep, "submitted", api_time(inc->report_submitted, true));
    json_t *on_time = json_null();
    if (inc->report_due && inc->report_submitted)
        on_time = json_boolean(inc->report_submitted <= inc->report_due);
    else if (inc->report_due && now > inc->report_due)
        on_time = json_false(); /* not submitted and already late */
    json_object_set_new(rep, "on_time", on_time);
    json_object_set_new(rep, "text", api_str(inc->report));
    json_object_set_new(j, "report", rep);

    struct sla_clock_state st[CLOCK__COUNT];
    sla_eval(inc, p, now, st);
    json_t *clocks = json_object();
    for (int c = 0; c < CLOCK__COUNT; c++)
        json_object_set_new(clocks, sla_clock_name((enum sla_clock)c), clock_json(&st[c]));
    json_object_set_new(j, "clocks", clocks);
    json_object_set_new(j, "actions", actions_json(inc));
    json_object_set_new(j, "created", api_time(inc->created, true));
    json_object_set_new(j, "updated", api_time(inc->updated, true));
    if (r->events || r->nevents) {
        json_t *tl = json_array();
        for (size_t i = 0; i < r->nevents; i++)
            json_array_append_new(tl, event_json(&r->events[i]));
        json_object_set_new(j, "timeline", tl);
    }
    return j;
}

/* The incident as answered now (with its timeline), or NULL with err. */
static json_t *load_json(const struct http_req *rq, int64_t id, bool timeline, struct yw_err *err)
{
    struct sla_policy p;
    if (policy_of(rq, &p, err) != 0)
        return NULL;
    struct inc_record r = {0};
    if (store_incident_get(rq->ctx->S, id, timeline, &r, err) != 0)
        return NULL;
    json_t *j = incident_json(&r, &p, now_of(rq));
    if (timeline && !json_object_get(j, "timeline"))
        json_object_set_new(j, "timeline", json_array());
    store_inc_record_release(&r);
    return j;
}

static void audit_change(const struct http_req *rq, const char *action, int64_t id,
                         json_t *before, json_t *after)
{
    char object[64];
    snprintf(object, sizeof object, "incident:%" PRId64, id);
    api_audit(rq, action, object, before, after, "ok");
}

/* ---- request bodies --------------------------------------------------------------------------- */

static int only_keys(json_t *body, const char *const *keys, struct yw_err *err)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        bool known = false;
        for (const char *const *p = keys; *p; p++)
            known |= strcmp(*p, k) == 0;
        if (!known) {
            char field[64];
            snprintf(field, sizeof field, "%.60s", k);
            return yw_fail_field(err, YW_EINVAL, field, "%s: unknown field", field);
        }
    }
    return 0;
}

/* An optional string (null = absent) of at most max bytes. */
static int opt_str(json_t *body, const char *key, size_t max, const char **out,
                   struct yw_err *err)
{
    json_t *v = json_object_get(body, key);
    *out = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return yw_fail_field(err, YW_EINVAL, key, "%s: must be a string", key);
    if (json_string_length(v) > max)
        return yw_fail_field(err, YW_ELIMIT, key, "%s: longer than %zu bytes", key, max);
    if (memchr(json_string_value(v), '\0', json_string_length(v)))
        return yw_fail_field(err, YW_EINVAL, key, "%s: contains a NUL character", key);
    *out = json_string_value(v);
    return 0;
}

static int opt_level(json_t *body, const char *key, int *out, struct yw_err *err)
{
    json_t *v = json_object_get(body, key);
    *out = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < INC_LEVEL_MIN ||
        json_integer_value(v) > INC_LEVEL_MAX)
        return yw_fail_field(err, YW_EINVAL, key, "%s: must be an integer from %d to %d", key,
                             INC_LEVEL_MIN, INC_LEVEL_MAX);
    *out = (int)json_integer_value(v);
    return 0;
}

/* -1 absent, 0, 1. */
static int opt_bool(json_t *body, const char *key, int *out, struct yw_err *err)
{
    json_t *v = json_object_get(body, key);
    *out = -1;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return yw_fail_field(err, YW_EINVAL, key, "%s: must be true or false", key);
    *out = json_is_true(v) ? 1 : 0;
    return 0;
}

static int opt_time(json_t *body, const char *key, ms_t *out, struct yw_err *err)
{
    const char *s = NULL;
    *out = 0;
    if (opt_str(body, key, 64, &s, err) != 0)
        return -1;
    if (s && (time_parse_rfc3339(s, out) != 0 || *out <= 0))
        return yw_fail_field(err, YW_EINVAL, key,
                             "%s: expected an RFC 3339 time (2026-04-02T10:00:00+08:00)", key);
    return 0;
}

/* ---- GET /api/v1/incidents --------------------------------------------------------------------- */

static int parse_states(const char *s, unsigned *out, struct yw_err *err)
{
    *out = 0;
    if (!s)
        return 0;
    char buf[256];
    if (strlen(s) >= sizeof buf)
        return yw_fail_field(err, YW_EINVAL, "state", "state: too long");
    snprintf(buf, sizeof buf, "%s", s);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        enum inc_state st;
        if (strcmp(tok, "open") == 0)
            *out |= (1u << INC_NEW) | (1u << INC_RESPONDED) | (1u << INC_ONSITE);
        else if (inc_state_parse(tok, &st) == 0)
            *out |= 1u << st;
        else
            return yw_fail_field(err, YW_EINVAL, "state",
                                 "state: '%.40s' is not open, new, responded, onsite, resolved "
                                 "or closed",
                                 tok);
    }
    return 0;
}

static int parse_int(const char *s, const char *key, int64_t lo, int64_t hi, int64_t *out,
                     struct yw_err *err)
{
    char *end = NULL;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v < lo || v > hi)
        return yw_fail_field(err, YW_EINVAL, key, "%s: must be an integer from %lld to %lld", key,
                             (long long)lo, (long long)hi);
    *out = v;
    return 0;
}

static int list_filter(const struct http_req *rq, struct inc_filter *f, struct yw_err *err)
{
    const struct query *q = rq->query;
    struct store *S = rq->ctx->S;
    int64_t v;
    if (parse_states(query_get(q, "state"), &f->states, err) != 0)
        return -1;
    if (query_get(q, "level")) {
        if (parse_int(query_get(q, "level"), "level", INC_LEVEL_MIN, INC_LEVEL_MAX, &v, err))
            return -1;
        f->level = (int)v;
    }
    const char *s = query_get(q, "system");
    if (s) {
        struct system_row sys = {0};
        if (store_system_get(S, 0, s, &sys, err) != 0)
            return err->code == YW_EIO ? -1
                                       : yw_fail_field(err, YW_EINVAL, "system",
                                                       "system: no system named '%.64s'", s);
        f->system_id = sys.id;
        store_system_row_release(&sys);
    }
    s = query_get(q, "source");
    if (s) {
        enum inc_source src;
        if (inc_source_parse(s, &src) != 0)
            return yw_fail_field(err, YW_EINVAL, "source",
                                 "source: one of monitor, inspection, phone, wechat, email, "
                                 "onsite, user");
        f->source = (int)src;
    }
    s = query_get(q, "assignee");
    if (s) {
        struct user_row u = {0};
        if (store_user_get(S, 0, s, &u, err) != 0)
            return err->code == YW_EIO ? -1
                                       : yw_fail_field(err, YW_EINVAL, "assignee",
                                                       "assignee: no account named '%.64s'", s);
        f->assignee_id = u.id;
        store_user_row_release(&u);
    }
    const char *keys[] = {"from", "to"};
    ms_t *dst[] = {&f->from, &f->to};
    for (int i = 0; i < 2; i++) {
        s = query_get(q, keys[i]);
        if (s && (time_parse_rfc3339(s, dst[i]) != 0 || *dst[i] <= 0))
            return yw_fail_field(err, YW_EINVAL, keys[i],
                                 "%s: expected an RFC 3339 time or a date", keys[i]);
    }
    if (f->from && f->to && f->to <= f->from)
        return yw_fail_field(err, YW_EINVAL, "to", "to: must be after from");
    s = query_get(q, "q");
    if (s && strlen(s) > INC_SEARCH_MAX)
        return yw_fail_field(err, YW_ELIMIT, "q", "q: longer than %d bytes", INC_SEARCH_MAX);
    f->search = s;
    f->limit = LIST_DEFAULT;
    if (query_get(q, "limit")) {
        if (parse_int(query_get(q, "limit"), "limit", 1, INC_LIST_MAX, &v, err))
            return -1;
        f->limit = (size_t)v;
    }
    if (query_get(q, "before")) {
        if (parse_int(query_get(q, "before"), "before", 1, INT64_MAX, &v, err))
            return -1;
        f->before_id = v;
    }
    return 0;
}

static void incidents_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct inc_filter f = INC_FILTER_INIT;
    struct sla_policy p;
    struct inc_record *rows = NULL;
    size_t n = 0;
    bool more = false;
    if (list_filter(rq, &f, &err) != 0 || policy_of(rq, &p, &err) != 0 ||
        store_incident_list(rq->ctx->S, &f, &rows, &n, &more, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    ms_t now = now_of(rq);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(items, incident_json(&rows[i], &p, now));
    json_t *j = json_object();
    json_object_set_new(j, "incidents", items);
    json_object_set_new(j, "next", more && n ? json_integer(rows[n - 1].inc.id) : json_null());
    store_inc_records_free(rows, n);
    resp_json(rs, 200, j);
}

static void incidents_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    json_t *j = NULL;
    if (path_id(rq, &id, &err) != 0 || !(j = load_json(rq, id, true, &err)))
        resp_err(rs, &err);
    else
        resp_json(rs, 200, j);
}

/* ---- POST /api/v1/incidents -------------------------------------------------------------------- */

static void incidents_create(const struct http_req *rq, struct http_resp *rs)
{
    static const char *const keys[] = {"title",         "level",    "system", "source",
                                       "reporter",      "notice",   "assignee", "note",
                                       "onsite_needed", NULL};
    struct desk *D = rq->ctx->desk;
    if (!D) {
        no_desk(rs);
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err);
    struct desk_new n = {0};
    const char *source = NULL;
    int onsite = -1;
    int64_t id = 0;
    int rc = body ? only_keys(body, keys, &err) : -1;
    if (rc == 0)
        rc = opt_str(body, "title", INC_TITLE_MAX, &n.title, &err) ||
             opt_level(body, "level", &n.level, &err) ||
             opt_str(body, "system", YW_NAME_MAX, &n.system, &err) ||
             opt_str(body, "source", 32, &source, &err) ||
             opt_str(body, "reporter", INC_REPORTER_MAX, &n.reporter, &err) ||
             opt_time(body, "notice", &n.notice, &err) ||
             opt_str(body, "assignee", 64, &n.assignee, &err) ||
             opt_str(body, "note", INC_TEXT_MAX, &n.note, &err) ||
             opt_bool(body, "onsite_needed", &onsite, &err);
    if (rc == 0 && !n.level)
        rc = yw_fail_field(&err, YW_EINVAL, "level", "level: required (1 to 4)");
    if (rc == 0 && !source)
        rc = yw_fail_field(&err, YW_EINVAL, "source",
                           "source: required (monitor, inspection, phone, wechat, email, "
                           "onsite, user)");
    if (rc == 0 && inc_source_parse(source, &n.source) != 0)
        rc = yw_fail_field(&err, YW_EINVAL, "source",
                           "source: one of monitor, inspection, phone, wechat, email, onsite, "
                           "user");
    n.onsite_needed = onsite == 1;
    if (rc == 0)
        rc = desk_create(D, &n, who(rq), &id, &err);
    json_t *after = rc == 0 ? load_json(rq, id, true, &err) : NULL;
    json_decref(body);
    if (rc != 0 || !after) {
        resp_err(rs, &err);
        return;
    }
    audit_change(rq, "incident.create", id, NULL, after);
    snprintf(rs->location, sizeof rs->location, "/api/v1/incidents/%" PRId64, id);
    resp_json(rs, 201, after);
}

/* ---- PATCH /api/v1/incidents/{id} ---------------------------------------------------------------- */

static void incidents_update(const struct http_req *rq, struct http_resp *rs)
{
    static const char *const keys[] = {"title", "cause", "fix", "prevention", "onsite_needed",
                                       NULL};
    struct desk *D = rq->ctx->desk;
    if (!D) {
        no_desk(rs);
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    json_t *body = NULL, *before = NULL, *after = NULL;
    struct desk_patch p = {NULL, NULL, NULL, NULL, -1};
    int rc = path_id(rq, &id, &err);
    if (rc == 0 && !(body = api_body_object(rq, &err)))
        rc = -1;
    if (rc == 0)
        rc = only_keys(body, keys, &err) ||
             opt_str(body, "title", INC_TITLE_MAX, &p.title, &err) ||
             opt_str(body, "cause", INC_TEXT_MAX, &p.cause, &err) ||
             opt_str(body, "fix", INC_TEXT_MAX, &p.fix, &err) ||
             opt_str(body, "prevention", INC_TEXT_MAX, &p.prevention, &err) ||
             opt_bool(body, "onsite_needed", &p.onsite_needed, &err);
    if (rc == 0 && json_is_null(json_object_get(body, "title")))
        rc = yw_fail_field(&err, YW_EINVAL, "title", "title: cannot be removed");
    if (rc == 0 && !(before = load_json(rq, id, false, &err)))
        rc = -1;
    if (rc == 0)
        rc = desk_update(D, id, &p, who(rq), NULL, &err);
    if (rc == 0 && !(after = load_json(rq, id, true, &err)))
        rc = -1;
    json_decref(body);
    if (rc != 0) {
        json_decref(before);
        resp_err(rs, &err);
        return;
    }
    audit_change(rq, "incident.update", id, before, after);
    json_decref(before);
    resp_json(rs, 200, after);
}

/* ---- transitions, notes, the report ---------------------------------------------------------------- */

/* Runs a on incident {id}: before image, desk_act, after image, audit,
 * answer. */
static void run_action(const struct http_req *rq, struct http_resp *rs,
                       const struct desk_action *a)
{
    struct desk *D = rq->ctx->desk;
    struct yw_err err = YW_ERR_INIT;
    int64_t id;
    json_t *before = NULL, *after = NULL;
    int rc = path_id(rq, &id, &err);
    if (rc == 0 && !(before = load_json(rq, id, false, &err)))
        rc = -1;
    if (rc == 0)
        rc = desk_act(D, id, a, who(rq), NULL, &err);
    if (rc == 0 && !(after = load_json(rq, id, true, &err)))
        rc = -1;
    if (rc != 0) {
        json_decref(before);
        resp_err(rs, &err);
        return;
    }
    char action[48];
    snprintf(action, sizeof action, "incident.%s", desk_action_name(a->kind));
    audit_change(rq, action, id, before, after);
    json_decref(before);
    resp_json(rs, 200, after);
}

static void incidents_transition(const struct http_req *rq, struct http_resp *rs)
{
    static const char *const keys[] = {"action", "at",     "note",     "cause", "fix",
                                       "prevention", "vendor", "assignee", "level", "text",
                                       NULL};
    if (!rq->ctx->desk) {
        no_desk(rs);
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err);
    struct desk_action a = {0};
    const char *action = NULL;
    int rc = body ? only_keys(body, keys, &err) : -1;
    if (rc == 0)
        rc = opt_str(body, "action", 32, &action, &err) || opt_time(body, "at", &a.at, &err) ||
             opt_str(body, "note", INC_TEXT_MAX, &a.note, &err) ||
             opt_str(body, "cause", INC_TEXT_MAX, &a.cause, &err) ||
             opt_str(body, "fix", INC_TEXT_MAX, &a.fix, &err) ||
             opt_str(body, "prevention", INC_TEXT_MAX, &a.prevention, &err) ||
             opt_str(body, "vendor", INC_VENDOR_MAX, &a.vendor, &err) ||
             opt_str(body, "assignee", 64, &a.assignee, &err) ||
             opt_level(body, "level", &a.level, &err) ||
             opt_str(body, "text", INC_REPORT_MAX, &a.text, &err);
    if (rc == 0 && !action)
        rc = yw_fail_field(&err, YW_EINVAL, "action", "action: required");
    if (rc == 0 && desk_action_parse(action, &a.kind) != 0)
        rc = yw_fail_field(&err, YW_EINVAL, "action",
                           "action: '%.32s' is not one of respond, onsite, resolve, close, "
                           "reopen, vendor_wait, vendor_back, assign, level, note, report",
                           action);
    if (rc == 0 && a.kind == DA_LEVEL && !a.level)
        rc = yw_fail_field(&err, YW_EINVAL, "level", "level: required (1 to 4)");
    if (rc == 0 && (a.kind == DA_NOTE) && !a.text)
        a.text = a.note, a.note = NULL; /* a note given as "note" */
    if (rc != 0) {
        json_decref(body);
        resp_err(rs, &err);
        return;
    }
    run_action(rq, rs, &a);
    json_decref(body);
}

/* A note and a fault report are both a text (and an optional time). */
static void text_action(const struct http_req *rq, struct http_resp *rs,
                        enum desk_action_kind kind, size_t max)
{
    static const char *const keys[] = {"text", "at", NULL};
    if (!rq->ctx->desk) {
        no_desk(rs);
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err);
    struct desk_action a = {.kind = kind};
    int rc = body ? only_keys(body, keys, &err) : -1;
    if (rc == 0)
        rc = opt_str(body, "text", max, &a.text, &err) || opt_time(body, "at", &a.at, &err);
    if (rc == 0 && (!a.text || !a.text[0]))
        rc = yw_fail_field(&err, YW_EINVAL, "text", "text: required");
    if (rc != 0)
        resp_err(rs, &err);
    else
        run_action(rq, rs, &a);
    json_decref(body);
}

static void incidents_note(const struct http_req *rq, struct http_resp *rs)
{
    text_action(rq, rs, DA_NOTE, INC_TEXT_MAX);
}

static void incidents_report(const struct http_req *rq, struct http_resp *rs)
{
    text_action(rq, rs, DA_REPORT, INC_REPORT_MAX);
}

/* ---- levels and the SLA policy ------------------------------------------------------------------------ */

static json_t *parse_text(char *text)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    return j ? j : json_object();
}

static json_t *levels_json(const struct http_req *rq, struct yw_err *err)
{
    struct desk_levels l;
    if (rq->ctx->desk)
        desk_levels_get(rq->ctx->desk, &l);
    else if (desk_levels_load(rq->ctx->S, &l, err) != 0)
        return NULL;
    json_t *j = parse_text(desk_levels_to_json(&l));
    desk_levels_release(&l);
    return j;
}

static void levels_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *j = levels_json(rq, &err);
    if (!j)
        resp_err(rs, &err);
    else
        resp_json(rs, 200, j);
}

static void levels_put(const struct http_req *rq, struct http_resp *rs)
{
    if (!rq->ctx->desk) {
        no_desk(rs);
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err); /* depth and duplicate checks */
    json_t *before = body ? levels_json(rq, &err) : NULL;
    json_t *after = NULL;
    if (!body || !before || desk_levels_put(rq->ctx->desk, rq->body, &err) != 0 ||
        !(after = levels_json(rq, &err))) {
        json_decref(body);
        json_decref(before);
        resp_err(rs, &err);
        return;
    }
    api_audit(rq, "incident.levels", "incident-levels", before, after, "ok");
    json_decref(body);
    json_decref(before);
    resp_json(rs, 200, after);
}

static json_t *policy_json(const struct http_req *rq, struct yw_err *err)
{
    struct sla_policy p;
    if (policy_of(rq, &p, err) != 0)
        return NULL;
    return parse_text(sla_policy_to_json(&p));
}

static void policy_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *j = policy_json(rq, &err);
    if (!j)
        resp_err(rs, &err);
    else
        resp_json(rs, 200, j);
}

static void policy_put(const struct http_req *rq, struct http_resp *rs)
{
    if (!rq->ctx->desk) {
        no_desk(rs);
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    json_t *body = api_body_object(rq, &err);
    json_t *before = body ? policy_json(rq, &err) : NULL;
    json_t *after = NULL;
    if (!body || !before || desk_policy_put(rq->ctx->desk, rq->body, &err) != 0 ||
        !(after = policy_json(rq, &err))) {
        json_decref(body);
        json_decref(before);
        resp_err(rs, &err);
        return;
    }
    api_audit(rq, "sla.policy", "sla-policy", before, after, "ok");
    json_decref(body);
    json_decref(before);
    resp_json(rs, 200, after);
}

/* ---- GET /api/v1/sla ---------------------------------------------------------------------------------- */

static void sla_figures_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    const struct query *q = rq->query;
    const char *period = query_get(q, "period");
    const char *system = query_get(q, "system");
    ms_t from = 0, to = 0;
    int rc = 0;
    if (period) {
        if (query_get(q, "from") || query_get(q, "to"))
            rc = yw_fail_field(&err, YW_EINVAL, "period", "period: give period or from/to, not both");
        else
            rc = desk_period_parse(period, &from, &to, &err);
    } else if (!query_get(q, "from") || !query_get(q, "to")) {
        rc = yw_fail_field(&err, YW_EINVAL, "period",
                           "period: required (2026-11, 2026-Q4, 2026-H2, 2026), or from and to");
    } else {
        rc = query_period(q, now_of(rq), 0, &from, &to, &err);
    }
    if (rc == 0 && system && strlen(system) > YW_NAME_MAX)
        rc = yw_fail_field(&err, YW_EINVAL, "system", "system: no system named so");
    struct sla_policy p;
    if (rc == 0)
        rc = policy_of(rq, &p, &err);
    struct sla_figures f;
    if (rc == 0)
        rc = desk_figures(rq->ctx->S, &p, from, to, system, now_of(rq), &f, &err);
    if (rc != 0) {
        resp_err(rs, &err);
        return;
    }
    json_t *j = parse_text(sla_figures_to_json(&f));
    sla_figures_release(&f);
    json_object_set_new(j, "period", period ? json_string(period) : json_null());
    json_object_set_new(j, "system", api_str(system));
    resp_json(rs, 200, j);
}

/* ---- the table ------------------------------------------------------------------------------------------ */

#define R ACT_INCIDENT_READ
#define W ACT_INCIDENT_WRITE
#define M ACT_DUTY_WRITE

/* "levels" before "{id}": the router takes the first match. */
const struct route api_incident_routes[] = {
    {"GET", "/api/v1/incidents", incidents_list, R, 0, NULL, NULL},
    {"POST", "/api/v1/incidents", incidents_create, W, 0, "incident.create", NULL},
    {"GET", "/api/v1/incidents/levels", levels_get, R, 0, NULL, NULL},
    {"PUT", "/api/v1/incidents/levels", levels_put, M, 0, "incident.levels", NULL},
    {"GET", "/api/v1/incidents/{id}", incidents_get, R, 0, NULL, NULL},
    {"PATCH", "/api/v1/incidents/{id}", incidents_update, W, 0, "incident.update", NULL},
    {"POST", "/api/v1/incidents/{id}/transitions", incidents_transition, W, 0,
     "incident.transition", NULL},
    {"POST", "/api/v1/incidents/{id}/notes", incidents_note, W, 0, "incident.note", NULL},
    {"PUT", "/api/v1/incidents/{id}/report", incidents_report, W, 0, "incident.report", NULL},
    {"GET", "/api/v1/sla", sla_figures_get, R, 0, NULL, NULL},
    {"GET", "/api/v1/sla/policy", policy_get, R, 0, NULL, NULL},
    {"PUT", "/api/v1/sla/policy", policy_put, M, 0, "sla.policy", NULL},
};

const size_t api_incident_nroutes = sizeof api_incident_routes / sizeof api_incident_routes[0];
