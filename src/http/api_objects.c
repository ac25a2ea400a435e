/* Systems, monitors and maintenance windows as the API answers them: the
 * canonical spec (core/config.h, never with secrets) plus what the store and
 * the clock know (id, state, created…). */
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/mem.h"
#include "http/api.h"
#include "sched/maint.h"

/* How far ahead "next" of a maintenance window looks (maint_next_edge's
 * horizon too). */
#define NEXT_HORIZON (400 * MS_PER_DAY)

enum mstate api_system_state(int64_t system_id, const struct monitor_row *mons, size_t n,
                             int *count)
{
    int total = 0, critical = 0;
    for (size_t i = 0; i < n; i++) {
        if (mons[i].system_id != system_id)
            continue;
        total++;
        if (mons[i].spec.critical)
            critical++;
    }
    if (count)
        *count = total;
    if (total == 0)
        return ST_NODATA;
    bool down = false, maint = false, unknown = false;
    for (size_t i = 0; i < n; i++) {
        if (mons[i].system_id != system_id || (critical > 0 && !mons[i].spec.critical))
            continue;
        switch (mons[i].state) {
        case ST_DOWN: down = true; break;
        case ST_MAINT: maint = true; break;
        case ST_UP: break;
        default: unknown = true; break;
        }
    }
    return down ? ST_DOWN : maint ? ST_MAINT : unknown ? ST_NODATA : ST_UP;
}

/* {"id": id} followed by the keys of spec (reference stolen). */
static json_t *with_id(int64_t id, json_t *spec)
{
    json_t *j = json_object();
    json_object_set_new(j, "id", json_integer(id));
    if (spec)
        json_object_update(j, spec);
    json_decref(spec);
    return j;
}

json_t *api_system_json(const struct system_row *r, const struct monitor_row *mons, size_t n)
{
    json_t *j = with_id(r->id, config_system_to_json(&r->spec));
    int count = 0;
    enum mstate st = api_system_state(r->id, mons, n, &count);
    json_object_set_new(j, "provisioned", json_boolean(r->spec.provisioned));
    json_object_set_new(j, "created", api_time(r->created, true));
    json_object_set_new(j, "updated", api_time(r->updated, true));
    json_object_set_new(j, "state", json_string(mstate_name(st)));
    json_object_set_new(j, "monitors", json_integer(count));
    return j;
}

json_t *api_monitor_json(const struct monitor_row *r)
{
    json_t *j = with_id(r->id, config_monitor_to_json(&r->spec, false));
    json_object_set_new(j, "paused", json_boolean(r->spec.paused));
    json_object_set_new(j, "provisioned", json_boolean(r->spec.provisioned));
    json_object_set_new(j, "state", json_string(mstate_name(r->state)));
    json_object_set_new(j, "state_since", api_time(r->state_since, true));
    json_object_set_new(j, "state_reason", api_str(r->state_reason));
    json_object_set_new(j, "created", api_time(r->created, true));
    json_object_set_new(j, "updated", api_time(r->updated, true));
    /* The push URL carries the token: it is how a job is configured, and
     * api.md answers it to whoever may read the monitor. */
    if (r->spec.type == MT_HEARTBEAT && r->spec.heartbeat.token) {
        char *url = xasprintf("/api/v1/push/%s", r->spec.heartbeat.token);
        json_object_set_new(j, "push_url", json_string(url));
        xfree(url);
    }
    return j;
}

json_t *api_maint_json(const struct maint_row *r, ms_t now)
{
    json_t *j = with_id(r->id, config_maint_to_json(&r->spec));
    json_object_set_new(j, "provisioned", json_boolean(r->spec.provisioned));
    json_object_set_new(j, "created", api_time(r->created, true));
    json_object_set_new(j, "updated", api_time(r->updated, true));
    json_object_set_new(j, "active", json_boolean(maint_active_at(&r->spec, now, NULL)));

    /* "next": the occurrence in effect now, else the next one to start. */
    struct span *occ = NULL;
    size_t nocc = 0, cap = 0;
    maint_occurrences(&r->spec, now, now + NEXT_HORIZON, &occ, &nocc, &cap);
    json_t *next = json_null();
    for (size_t i = 0; i < nocc; i++) {
        if (occ[i].end > now) {
            json_decref(next);
            next = json_object();
            json_object_set_new(next, "start", api_time(occ[i].start, false));
            json_object_set_new(next, "end", api_time(occ[i].end, false));
            break;
        }
    }
    xfree(occ);
    json_object_set_new(j, "next", next);
    return j;
}

static const char *id_param(const struct http_req *rq)
{
    const char *s = route_param(rq->match, "id");
    return s ? s : "";
}

int api_find_system(const struct http_req *rq, struct system_row *row, struct yw_err *err)
{
    int64_t id;
    const char *name;
    api_ref(id_param(rq), &id, &name);
    return store_system_get(rq->ctx->S, id, name, row, err);
}

int api_find_monitor(const struct http_req *rq, struct monitor_row *row, struct yw_err *err)
{
    int64_t id;
    const char *name;
    api_ref(id_param(rq), &id, &name);
    return store_monitor_get(rq->ctx->S, id, name, row, err);
}

int api_find_maint(const struct http_req *rq, struct maint_row *row, struct yw_err *err)
{
    int64_t id;
    const char *name;
    api_ref(id_param(rq), &id, &name);
    return store_maint_get(rq->ctx->S, id, name, row, err);
}
