/* /api/v1/orgs: the organisation tree (甲方, 乙方, 业务单位 and their
 * departments). Reading needs ACT_ORG_READ, changing ACT_USER_WRITE (the
 * route table says so; the security layer checks it before we run). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "http/api.h"
#include "http/api_admin_util.h"

/* Keys an answer adds: a client may PUT back what it got. */
static const char *const answer_keys[] = {"id", "kind_zh", "created", "updated", "children", NULL};
static const char *const body_keys[] = {"name", "parent_id", "kind", NULL};

static void org_object(int64_t id, char *out, size_t n)
{
    snprintf(out, n, "org:%" PRId64, id);
}

/* The unit named by {id}: an id, or a name when exactly one unit has it
 * (names are unique only among siblings). */
static int find_org(const struct http_req *rq, struct org_row *row, struct yw_err *err)
{
    int64_t id;
    const char *name;
    api_ref(route_param(rq->match, "id"), &id, &name);
    if (id)
        return store_org_get(rq->ctx->S, id, row, err);
    struct org_row *rows = NULL;
    size_t n = 0, hits = 0;
    if (store_org_list(rq->ctx->S, &rows, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].name, name) == 0) {
            hits++;
            id = rows[i].id;
        }
    }
    store_org_rows_free(rows, n);
    if (hits == 0)
        return yw_fail(err, YW_ENOTFOUND, "no organisation unit named '%.100s'", name);
    if (hits > 1)
        return yw_fail(err, YW_ECONFLICT,
                       "%zu organisation units are named '%.100s': use the id", hits, name);
    return store_org_get(rq->ctx->S, id, row, err);
}

/* A parent named in a body is an input error when it is missing, not a 404
 * of the resource the request is about. */
static int check_parent(struct store *S, int64_t parent_id, struct org_row *parent,
                        struct yw_err *err)
{
    struct yw_err e = YW_ERR_INIT;
    if (store_org_get(S, parent_id, parent, &e) == 0)
        return 0;
    if (e.code == YW_ENOTFOUND)
        return yw_fail_field(err, YW_EINVAL, "parent_id",
                             "parent_id: no organisation unit %" PRId64, parent_id);
    *err = e;
    return -1;
}

/* Applies the body to *o (name, parent_id, kind; absent keys keep *o). On
 * create (fresh) a name is required, and a kind unless the unit has a
 * parent, whose kind it then takes. */
static int body_org(const struct http_req *rq, bool fresh, struct org_row *o, struct yw_err *err)
{
    json_t *j = api_body_object(rq, err);
    if (!j)
        return -1;
    api_strip_keys(j, answer_keys);
    int rc = -1;
    const char *name = o->name;
    int64_t parent = o->parent_id;
    if (admin_only_keys(j, body_keys, err) != 0 ||
        admin_get_label(j, "name", ADMIN_ORG_NAME_MAX, false, &name, err) != 0 ||
        admin_get_int(j, "parent_id", 0, INT64_MAX, true, 0, &parent, err) != 0)
        goto out;
    if (!name) {
        yw_fail_field(err, YW_EINVAL, "name", "name: required");
        goto out;
    }
    if (!fresh && parent == o->id) {
        yw_fail_field(err, YW_EINVAL, "parent_id", "parent_id: a unit cannot be its own parent");
        goto out;
    }
    bool kind_given = false;
    const json_t *k = json_object_get(j, "kind");
    if (k && !json_is_null(k)) {
        if (!json_is_string(k) || admin_org_kind_parse(json_string_value(k), &o->kind) != 0) {
            yw_fail_field(err, YW_EINVAL, "kind",
                          "kind: expected client (甲方), contractor (乙方) or business (业务单位)");
            goto out;
        }
        kind_given = true;
    }
    if (parent) {
        struct org_row p = {0};
        if (check_parent(rq->ctx->S, parent, &p, err) != 0)
            goto out;
        if (fresh && !kind_given)
            o->kind = p.kind;
        kind_given = true;
        xfree(p.name);
    }
    if (fresh && !kind_given) {
        yw_fail_field(err, YW_EINVAL, "kind",
                      "kind: required for a top-level unit: client (甲方), contractor (乙方) or "
                      "business (业务单位)");
        goto out;
    }
    o->parent_id = parent;
    /* The row keeps its own copy: j and its strings die below. */
    char *copy = xstrdup(name);
    xfree(o->name);
    o->name = copy;
    rc = 0;
out:
    json_decref(j);
    return rc;
}

void api_admin_orgs_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    bool tree = false;
    struct org_row *rows = NULL;
    size_t n = 0;
    if (admin_flag(query_get(rq->query, "tree"), "tree", &tree, &err) != 0 ||
        store_org_list(rq->ctx->S, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    json_t *items;
    if (tree) {
        items = admin_org_tree_json(rows, n);
    } else {
        items = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(items, admin_org_json(&rows[i]));
    }
    resp_json(rs, 200, api_list(items, NULL));
    store_org_rows_free(rows, n);
}

void api_admin_orgs_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct org_row row = {0};
    if (find_org(rq, &row, &err) != 0)
        resp_err(rs, &err);
    else
        resp_json(rs, 200, admin_org_json(&row));
    xfree(row.name);
}

/* "org:ID" of the route's unit as the client named it, for failures where
 * it may not exist. */
static void org_object_ref(const struct http_req *rq, char *out, size_t n)
{
    snprintf(out, n, "org:%.40s", route_param(rq->match, "id"));
}

void api_admin_orgs_create(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct org_row o = {0}, row = {0};
    int64_t id = 0;
    char obj[48] = "org";
    int rc = body_org(rq, true, &o, &err);
    if (rc == 0)
        rc = store_org_create(rq->ctx->S, &o, &id, &err);
    if (rc == 0) {
        org_object(id, obj, sizeof obj);
        rc = store_org_get(rq->ctx->S, id, &row, &err);
    }
    if (rc != 0) {
        admin_fail(rq, rs, "org.create", obj, &err);
    } else {
        admin_audit(rq, "org.create", obj, NULL, admin_org_json(&row), "ok");
        resp_json(rs, 201, admin_org_json(&row));
        snprintf(rs->location, sizeof rs->location, "/api/v1/orgs/%" PRId64, id);
    }
    xfree(row.name);
    xfree(o.name);
}

void api_admin_orgs_update(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct org_row row = {0}, o = {0}, after = {0};
    char obj[48];
    org_object_ref(rq, obj, sizeof obj);
    if (find_org(rq, &row, &err) != 0) {
        admin_fail(rq, rs, "org.update", obj, &err);
        return;
    }
    org_object(row.id, obj, sizeof obj);
    o = row;
    o.name = xstrdup(row.name);
    if (body_org(rq, false, &o, &err) != 0 || store_org_update(rq->ctx->S, &o, &err) != 0 ||
        store_org_get(rq->ctx->S, row.id, &after, &err) != 0) {
        admin_fail(rq, rs, "org.update", obj, &err);
    } else {
        admin_audit(rq, "org.update", obj, admin_org_json(&row), admin_org_json(&after), "ok");
        resp_json(rs, 200, admin_org_json(&after));
    }
    xfree(after.name);
    xfree(o.name);
    xfree(row.name);
}

void api_admin_orgs_delete(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct org_row row = {0};
    char obj[48];
    org_object_ref(rq, obj, sizeof obj);
    int rc = find_org(rq, &row, &err);
    if (rc == 0) {
        org_object(row.id, obj, sizeof obj);
        rc = store_org_delete(rq->ctx->S, row.id, &err);
    }
    if (rc != 0) {
        admin_fail(rq, rs, "org.delete", obj, &err);
    } else {
        admin_audit(rq, "org.delete", obj, admin_org_json(&row), NULL, "ok");
        resp_no_content(rs);
    }
    xfree(row.name);
}
