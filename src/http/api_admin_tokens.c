/* /api/v1/tokens: API tokens for scripts and agents. Everyone manages their
 * own (ACT_SELF); the security administrator (ACT_TOKEN_MANAGE) sees and
 * revokes anyone's. A token is answered once, when made; the store keeps
 * only its hash. Its scope is a subset of its maker's roles, and the
 * security layer further intersects it with the owner's roles of the
 * moment, so a token never outgrows its account. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/principal.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/api_admin_util.h"

static void token_object(int64_t id, char *out, size_t n)
{
    snprintf(out, n, "token:%" PRId64, id);
}

void api_admin_tokens_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct store *S = rq->ctx->S;
    const struct principal *who = rq->who;
    bool all = false;
    struct token_row *rows = NULL;
    size_t n = 0;
    struct user_row *users = NULL;
    size_t nusers = 0;
    if (admin_flag(query_get(rq->query, "all"), "all", &all, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    if (all && !role_allows(who->roles, ACT_TOKEN_MANAGE)) {
        admin_forbid(rq, rs, "token.list", "token", "all",
                     "all=1: listing every account's tokens needs the security administrator "
                     "(token.manage)");
        return;
    }
    if (store_token_list(S, all ? 0 : who->user_id, &rows, &n, &err) != 0 ||
        (all && store_user_list(S, &users, &nusers, &err) != 0)) {
        resp_err(rs, &err);
    } else {
        ms_t now = time_now_ms();
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
            const char *owner = all ? NULL : who->user;
            for (size_t k = 0; k < nusers && !owner; k++)
                if (users[k].id == rows[i].user_id)
                    owner = users[k].name;
            json_array_append_new(items, admin_token_json(&rows[i], owner, now));
        }
        resp_json(rs, 200, api_list(items, NULL));
    }
    store_user_rows_free(users, nusers);
    store_token_rows_free(rows, n);
}

static const char *const create_keys[] = {"name", "roles", "expires_days", NULL};

void api_admin_tokens_create(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    const struct principal *who = rq->who;
    char obj[48] = "token";
    const char *name = NULL;
    roleset roles = who->roles;
    int64_t days = ADMIN_TOKEN_DAYS_DEFAULT, id = 0;
    char *token = NULL;
    json_t *j = api_body_object(rq, &err);
    if (!j || admin_only_keys(j, create_keys, &err) != 0 ||
        admin_get_label(j, "name", ADMIN_TOKEN_NAME_MAX, false, &name, &err) != 0 ||
        admin_get_int(j, "expires_days", 1, ADMIN_TOKEN_DAYS_MAX, false, 0, &days, &err) != 0)
        goto fail;
    if (!name) {
        yw_fail_field(&err, YW_EINVAL, "name", "name: required (what the token is for)");
        goto fail;
    }
    const json_t *jr = json_object_get(j, "roles");
    if (jr && !json_is_null(jr) && admin_roles_from_json(jr, "roles", &roles, &err) != 0)
        goto fail;
    if (roles == 0) {
        yw_fail_field(&err, YW_EINVAL, "roles", "roles: a token needs at least one role");
        goto fail;
    }
    if (roles & ~who->roles) {
        char extra[128];
        roleset_format(roles & ~who->roles, extra, sizeof extra);
        admin_forbid(rq, rs, "token.create", obj, "roles",
                     "roles: a token can only carry roles you hold; you do not hold %s "
                     "(令牌权限不能超出本人角色)",
                     extra);
        goto out;
    }
    ms_t now = time_now_ms();
    token = secret_token_new("ywt_", 32);
    struct token_row t = {
        .user_id = who->user_id,
        .name = (char *)(uintptr_t)name,
        .roles = roles,
        .created = now,
        .expires = now + days * MS_PER_DAY,
    };
    secret_token_hash(token, t.hash);
    if (store_token_create(rq->ctx->S, &t, &id, &err) != 0)
        goto fail;
    t.id = id;
    token_object(id, obj, sizeof obj);
    json_t *a = admin_token_json(&t, who->user, now);
    admin_audit(rq, "token.create", obj, NULL, json_incref(a), "ok");
    json_object_set_new(a, "token", json_string(token));
    resp_json(rs, 201, a);
    snprintf(rs->location, sizeof rs->location, "/api/v1/tokens/%" PRId64, id);
    goto out;
fail:
    admin_fail(rq, rs, "token.create", obj, &err);
out:
    if (token) {
        secret_wipe(token, strlen(token));
        xfree(token);
    }
    json_decref(j);
}

/* Finds token id among rows; NULL if absent. */
static const struct token_row *token_in(const struct token_row *rows, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].id == id)
            return &rows[i];
    return NULL;
}

void api_admin_tokens_delete(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct store *S = rq->ctx->S;
    const struct principal *who = rq->who;
    struct token_row *rows = NULL;
    size_t n = 0;
    int64_t id;
    const char *name;
    char obj[64];
    snprintf(obj, sizeof obj, "token:%.40s", route_param(rq->match, "id"));
    api_ref(route_param(rq->match, "id"), &id, &name);
    const struct token_row *t = NULL;
    /* Someone else's token is "not found" to whoever may not manage it:
     * token ids say nothing about other accounts. */
    bool manage = role_allows(who->roles, ACT_TOKEN_MANAGE);
    if (id && store_token_list(S, manage ? 0 : who->user_id, &rows, &n, &err) != 0)
        goto fail;
    if (!id || !(t = token_in(rows, n, id))) {
        yw_fail(&err, YW_ENOTFOUND, "no token %.40s", route_param(rq->match, "id"));
        goto fail;
    }
    token_object(id, obj, sizeof obj);
    if (store_token_revoke(S, id, &err) != 0)
        goto fail;
    ms_t now = time_now_ms();
    struct token_row after = *t;
    after.revoked = true;
    const char *owner = t->user_id == who->user_id ? who->user : NULL;
    admin_audit(rq, "token.revoke", obj, admin_token_json(t, owner, now),
                admin_token_json(&after, owner, now), "ok");
    resp_no_content(rs);
    goto out;
fail:
    admin_fail(rq, rs, "token.revoke", obj, &err);
out:
    store_token_rows_free(rows, n);
}
