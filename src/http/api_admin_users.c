/* /api/v1/users: accounts. The system administrator (ACT_USER_WRITE) makes
 * and maintains them; only the security administrator (ACT_ROLE_GRANT)
 * gives them roles, so a new account can do nothing until both have acted
 * (三权分立). Passwords handed out here are one-time: shown once, never
 * stored in clear, and the account must change them at the next login. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/principal.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/api_admin_util.h"

/* What a user answer needs besides the row: unit names and the policy. */
struct users_view {
    struct org_row *orgs;
    size_t norgs;
    struct password_policy pol;
    ms_t now;
};

static int view_load(struct store *S, struct users_view *v, struct yw_err *err)
{
    *v = (struct users_view){.now = time_now_ms()};
    if (store_policy_get(S, &v->pol, err) != 0)
        return -1;
    return store_org_list(S, &v->orgs, &v->norgs, err);
}

static void view_release(struct users_view *v)
{
    store_org_rows_free(v->orgs, v->norgs);
    *v = (struct users_view){0};
}

static json_t *user_json(const struct users_view *v, const struct user_row *u)
{
    return admin_user_json(u, admin_org_name(v->orgs, v->norgs, u->org_id), &v->pol, v->now);
}

/* The route's user as the client named it, for failures where it may not
 * exist. */
static void user_object_ref(const struct http_req *rq, char *out, size_t n)
{
    admin_user_object(route_param(rq->match, "id"), out, n);
}

/* An org_id from a body names an existing unit; a missing one is the
 * body's fault (400), not a 404 of the account. */
static int check_org(struct store *S, int64_t org_id, struct yw_err *err)
{
    if (org_id == 0)
        return 0;
    struct org_row o = {0};
    struct yw_err e = YW_ERR_INIT;
    int rc = store_org_get(S, org_id, &o, &e);
    xfree(o.name);
    if (rc == 0)
        return 0;
    if (e.code == YW_ENOTFOUND)
        return yw_fail_field(err, YW_EINVAL, "org_id",
                             "org_id: no organisation unit %" PRId64, org_id);
    *err = e;
    return -1;
}

/* A fresh one-time password for user under policy pol, and its hash. */
static int one_time_password(const struct password_policy *pol, const char *user,
                             char pw[PASSWORD_MAX], char hash[PASSWORD_HASH_MAX],
                             struct yw_err *err)
{
    if (admin_password_generate(pol, user, pw, PASSWORD_MAX) != 0)
        return yw_fail(err, YW_EINVAL,
                       "could not generate a password meeting the policy: check the policy");
    if (password_hash(pw, hash) != 0) {
        secret_wipe(pw, PASSWORD_MAX);
        return yw_fail(err, YW_EIO, "could not hash the password (out of memory)");
    }
    return 0;
}

/* Answers the user row id (re-read) with status, plus the one-time password
 * when pw is not NULL. Audits action with before (stolen) and the answer. */
static void answer_user(const struct http_req *rq, struct http_resp *rs, int status, int64_t id,
                        const char *action, json_t *before, const char *pw)
{
    struct yw_err err = YW_ERR_INIT;
    struct users_view v;
    struct user_row u = {0};
    char obj[96];
    if (view_load(rq->ctx->S, &v, &err) != 0 ||
        store_user_get(rq->ctx->S, id, NULL, &u, &err) != 0) {
        /* The change is made; only reading it back failed. Audit it as made. */
        snprintf(obj, sizeof obj, "user:%" PRId64, id);
        admin_audit(rq, action, obj, before, NULL, "ok");
        resp_err(rs, &err);
    } else {
        admin_user_object(u.name, obj, sizeof obj);
        json_t *j = user_json(&v, &u);
        admin_audit(rq, action, obj, before, json_incref(j), "ok");
        if (pw)
            json_object_set_new(j, "one_time_password", json_string(pw));
        resp_json(rs, status, j);
        if (status == 201)
            snprintf(rs->location, sizeof rs->location, "/api/v1/users/%" PRId64, id);
    }
    store_user_row_release(&u);
    view_release(&v);
}

void api_admin_users_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct users_view v;
    struct user_row *rows = NULL;
    size_t n = 0;
    if (view_load(rq->ctx->S, &v, &err) != 0 ||
        store_user_list(rq->ctx->S, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
    } else {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(items, user_json(&v, &rows[i]));
        resp_json(rs, 200, api_list(items, NULL));
    }
    store_user_rows_free(rows, n);
    view_release(&v);
}

void api_admin_users_get(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct users_view v;
    struct user_row u = {0};
    if (view_load(rq->ctx->S, &v, &err) != 0 || admin_find_user(rq, &u, &err) != 0)
        resp_err(rs, &err);
    else
        resp_json(rs, 200, user_json(&v, &u));
    store_user_row_release(&u);
    view_release(&v);
}

static const char *const create_keys[] = {"name", "display_name", "org_id", NULL};

void api_admin_users_create(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct store *S = rq->ctx->S;
    char obj[96] = "user";
    char pw[PASSWORD_MAX] = "", hash[PASSWORD_HASH_MAX] = "";
    struct password_policy pol;
    const char *name = NULL, *display = NULL;
    int64_t org_id = 0, id = 0;
    json_t *j = api_body_object(rq, &err);
    if (!j)
        goto fail;
    if (json_object_get(j, "roles")) {
        yw_fail_field(&err, YW_EINVAL, "roles",
                      "roles: a new account has none; the security administrator grants them "
                      "with PUT /api/v1/users/{id}/roles (新账号没有角色，由安全管理员授予)");
        goto fail;
    }
    if (json_object_get(j, "password")) {
        yw_fail_field(&err, YW_EINVAL, "password",
                      "password: not accepted; a one-time password is generated and answered "
                      "once (初始密码由系统生成)");
        goto fail;
    }
    if (admin_only_keys(j, create_keys, &err) != 0 ||
        admin_get_label(j, "name", 64, false, &name, &err) != 0 ||
        admin_get_label(j, "display_name", ADMIN_DISPLAY_NAME_MAX, true, &display, &err) != 0 ||
        admin_get_int(j, "org_id", 0, INT64_MAX, true, 0, &org_id, &err) != 0)
        goto fail;
    if (!name) {
        yw_fail_field(&err, YW_EINVAL, "name", "name: required");
        goto fail;
    }
    admin_user_object(name, obj, sizeof obj);
    if (!admin_user_name_valid(name)) {
        yw_fail_field(&err, YW_EINVAL, "name",
                      "name: 2 to 64 of a-z 0-9 . _ -, starting with a letter or digit "
                      "(登录名只能包含小写字母、数字和 . _ -)");
        goto fail;
    }
    if (check_org(S, org_id, &err) != 0 || store_policy_get(S, &pol, &err) != 0 ||
        one_time_password(&pol, name, pw, hash, &err) != 0)
        goto fail;
    ms_t now = time_now_ms();
    struct user_row u = {
        .name = (char *)(uintptr_t)name,
        .display_name = (char *)(uintptr_t)display,
        .org_id = org_id,
        .roles = 0, /* granted by the security administrator, never here */
        .pw_changed = now,
        .must_change_pw = true,
        .created = now,
        .updated = now,
    };
    memcpy(u.pw_hash, hash, sizeof hash);
    if (store_user_create(S, &u, &id, &err) != 0)
        goto fail;
    /* The one-time password counts as used: the change it forces cannot
     * go back to it. A failure here leaves only that weaker. */
    struct yw_err herr = YW_ERR_INIT;
    (void)store_pw_history_add(S, id, hash, &herr);
    answer_user(rq, rs, 201, id, "user.create", NULL, pw);
    goto out;
fail:
    admin_fail(rq, rs, "user.create", obj, &err);
out:
    secret_wipe(pw, sizeof pw);
    secret_wipe(hash, sizeof hash);
    json_decref(j);
}

/* Keys of a user answer that PUT ignores (so a GET answer can be PUT back).
 * name and roles are compared instead: changing them here is an error. */
static const char *const answer_keys[] = {
    "id",           "org",           "must_change_password", "totp_enabled",
    "locked",       "locked_until",  "failed_logins",        "last_login",
    "password_set", "password_changed", "password_expires",  "created",
    "updated",      NULL};
static const char *const update_keys[] = {"display_name", "org_id", "disabled", "name", "roles",
                                          NULL};

void api_admin_users_update(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct store *S = rq->ctx->S;
    struct users_view v = {0};
    struct user_row row = {0};
    char obj[96];
    user_object_ref(rq, obj, sizeof obj);
    json_t *j = NULL;
    if (admin_find_user(rq, &row, &err) != 0)
        goto fail;
    admin_user_object(row.name, obj, sizeof obj);
    if (!(j = api_body_object(rq, &err)))
        goto fail;
    api_strip_keys(j, answer_keys);
    struct user_row u = row; /* strings borrowed from row and j, both alive below */
    roleset roles = row.roles;
    const char *display = row.display_name;
    const json_t *jn = json_object_get(j, "name");
    if (admin_only_keys(j, update_keys, &err) != 0 ||
        admin_get_label(j, "display_name", ADMIN_DISPLAY_NAME_MAX, true, &display, &err) != 0 ||
        admin_get_int(j, "org_id", 0, INT64_MAX, true, 0, &u.org_id, &err) != 0 ||
        admin_get_bool(j, "disabled", &u.disabled, &err) != 0 ||
        (json_object_get(j, "roles") &&
         admin_roles_from_json(json_object_get(j, "roles"), "roles", &roles, &err) != 0))
        goto fail;
    if (jn && !(json_is_string(jn) && strcmp(json_string_value(jn), row.name) == 0)) {
        yw_fail_field(&err, YW_EINVAL, "name",
                      "name: a login name cannot change (登录名不可修改); create a new account");
        goto fail;
    }
    if (roles != row.roles) {
        yw_fail_field(&err, YW_EINVAL, "roles",
                      "roles: granted only by the security administrator with "
                      "PUT /api/v1/users/{id}/roles");
        goto fail;
    }
    if (u.disabled && !row.disabled && row.id == rq->who->user_id) {
        admin_forbid(rq, rs, "user.update", obj, NULL,
                     "you cannot disable your own account (不能停用自己的账号)");
        goto out;
    }
    if (check_org(S, u.org_id, &err) != 0)
        goto fail;
    u.display_name = (char *)(uintptr_t)display;
    u.updated = time_now_ms();
    if (view_load(S, &v, &err) != 0 || store_user_update(S, &u, &err) != 0)
        goto fail;
    /* A disabled account stops now, not when its sessions time out. */
    if (u.disabled && !row.disabled) {
        struct yw_err serr = YW_ERR_INIT;
        (void)store_session_end_user(S, row.id, NULL, &serr);
    }
    answer_user(rq, rs, 200, row.id, "user.update", user_json(&v, &row), NULL);
    goto out;
fail:
    admin_fail(rq, rs, "user.update", obj, &err);
out:
    json_decref(j);
    view_release(&v);
    store_user_row_release(&row);
}

void api_admin_users_reset_password(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct store *S = rq->ctx->S;
    struct users_view v = {0};
    struct user_row row = {0};
    char pw[PASSWORD_MAX] = "", hash[PASSWORD_HASH_MAX] = "";
    char obj[96];
    user_object_ref(rq, obj, sizeof obj);
    if (admin_find_user(rq, &row, &err) != 0)
        goto fail;
    admin_user_object(row.name, obj, sizeof obj);
    if (row.id == rq->who->user_id) {
        /* Here the old password is not asked for and history not checked. */
        admin_forbid(rq, rs, "user.password_reset", obj, NULL,
                     "you cannot reset your own password here; change it as every user does "
                     "(请通过修改密码功能修改自己的密码)");
        goto out;
    }
    if (view_load(S, &v, &err) != 0 || one_time_password(&v.pol, row.name, pw, hash, &err) != 0)
        goto fail;
    struct user_row u = row;
    memcpy(u.pw_hash, hash, sizeof hash);
    u.pw_changed = v.now;
    u.must_change_pw = true;
    /* The failures counted against the old password say nothing about the
     * new one, which only the administrator and the user know. */
    u.failed_logins = 0;
    u.locked_until = 0;
    u.updated = v.now;
    if (store_user_update(S, &u, &err) != 0)
        goto fail;
    struct yw_err e2 = YW_ERR_INIT;
    (void)store_pw_history_add(S, row.id, hash, &e2);
    /* Whoever held the old password is out now. */
    if (store_session_end_user(S, row.id, NULL, &err) != 0)
        goto fail;
    answer_user(rq, rs, 200, row.id, "user.password_reset", user_json(&v, &row), pw);
    goto out;
fail:
    admin_fail(rq, rs, "user.password_reset", obj, &err);
out:
    secret_wipe(pw, sizeof pw);
    secret_wipe(hash, sizeof hash);
    view_release(&v);
    store_user_row_release(&row);
}

void api_admin_users_unlock(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct store *S = rq->ctx->S;
    struct users_view v = {0};
    struct user_row row = {0};
    char obj[96];
    user_object_ref(rq, obj, sizeof obj);
    if (admin_find_user(rq, &row, &err) != 0 || view_load(S, &v, &err) != 0) {
        admin_fail(rq, rs, "user.unlock", obj, &err);
        goto out;
    }
    admin_user_object(row.name, obj, sizeof obj);
    struct user_row u = row;
    u.failed_logins = 0;
    u.locked_until = 0;
    u.updated = v.now;
    if (store_user_update(S, &u, &err) != 0)
        admin_fail(rq, rs, "user.unlock", obj, &err);
    else
        answer_user(rq, rs, 200, row.id, "user.unlock", user_json(&v, &row), NULL);
out:
    view_release(&v);
    store_user_row_release(&row);
}

static const char *const roles_keys[] = {"roles", NULL};

void api_admin_users_roles(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct store *S = rq->ctx->S;
    struct users_view v = {0};
    struct user_row row = {0};
    char obj[96];
    user_object_ref(rq, obj, sizeof obj);
    json_t *j = NULL;
    if (admin_find_user(rq, &row, &err) != 0)
        goto fail;
    admin_user_object(row.name, obj, sizeof obj);
    if (row.id == rq->who->user_id) {
        admin_forbid(rq, rs, "role.grant", obj, NULL,
                     "you cannot change your own roles (不能修改自己的角色)");
        goto out;
    }
    roleset roles = 0;
    if (!(j = api_body_object(rq, &err)) || admin_only_keys(j, roles_keys, &err) != 0)
        goto fail;
    if (!json_object_get(j, "roles")) {
        yw_fail_field(&err, YW_EINVAL, "roles", "roles: required");
        goto fail;
    }
    if (admin_roles_from_json(json_object_get(j, "roles"), "roles", &roles, &err) != 0)
        goto fail;
    char why[256] = "";
    if (!roleset_valid(roles, why, sizeof why)) {
        yw_fail_field(&err, YW_EINVAL, "roles", "roles: %s", why);
        goto fail;
    }
    if (view_load(S, &v, &err) != 0)
        goto fail;
    struct user_row u = row;
    u.roles = roles;
    u.updated = v.now;
    if (store_user_update(S, &u, &err) != 0)
        goto fail;
    /* Sessions carry what the account could do when they began: end them so
     * that a narrowed account cannot keep acting with its old roles. */
    if (store_session_end_user(S, row.id, NULL, &err) != 0)
        goto fail;
    answer_user(rq, rs, 200, row.id, "role.grant", user_json(&v, &row), NULL);
    goto out;
fail:
    admin_fail(rq, rs, "role.grant", obj, &err);
out:
    json_decref(j);
    view_release(&v);
    store_user_row_release(&row);
}
