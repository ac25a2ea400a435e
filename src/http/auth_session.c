/* The caller's own session, password and second factor, and the setup of the
 * first administrator: POST/GET/DELETE /api/v1/session,
 * POST /api/v1/session/password, GET /api/v1/sessions,
 * DELETE /api/v1/sessions/{id}, POST /api/v1/session/totp/{enrol,confirm},
 * POST /api/v1/setup.
 *
 * Login answers are distinct on purpose (the issue asks for a clear error
 * for a locked or expired account), except that an unknown user and a wrong
 * password read alike and cost the same Argon2id work. Every login, logout
 * and change here writes its own audit record. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/roles.h"
#include "auth/secret.h"
#include "auth/totp.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/auth_mw.h"
#include "http/auth_parse.h"
#include "http/auth_policy.h"
#include "store/store_auth.h"

#define MSG_BAD_CREDENTIALS "用户名或密码错误 / wrong user name or password"

static const struct auth_result *req_auth(const struct http_req *rq)
{
    return rq->priv ? rq->priv->auth : NULL;
}

/* ---- pieces of answers ------------------------------------------------------------ */

static json_t *roles_json(roleset rs)
{
    json_t *a = json_array();
    for (int r = 0; r < ROLE__COUNT; r++)
        if (rs & (1u << r))
            json_array_append_new(a, json_string(role_name((enum role)r)));
    return a;
}

struct session_view {
    const struct user_row *u;
    roleset roles;
    const char *csrf; /* NULL for a token */
    ms_t created, expires;
    bool must_change_pw, must_enrol, via_token;
};

/* The actions the roles allow, so the console offers only what the server
 * would permit (the server still checks every request). */
static json_t *actions_json(roleset rs)
{
    json_t *a = json_array();
    for (int act = 0; act < ACT__COUNT; act++)
        if (role_allows(rs, (enum action)act))
            json_array_append_new(a, json_string(action_name((enum action)act)));
    return a;
}

static json_t *session_json(const struct session_view *v)
{
    json_t *j = json_object();
    json_object_set_new(j, "user", api_str(v->u->name));
    json_object_set_new(j, "display_name", api_str(v->u->display_name));
    json_object_set_new(j, "roles", roles_json(v->roles));
    json_object_set_new(j, "actions", actions_json(v->roles));
    json_object_set_new(j, "time_zone", json_string(time_display_zone()));
    json_object_set_new(j, "via", json_string(v->via_token ? "token" : "session"));
    json_object_set_new(j, "csrf", api_str(v->csrf));
    json_object_set_new(j, "created", api_time(v->created, true));
    json_object_set_new(j, "expires", api_time(v->expires, true));
    json_object_set_new(j, "must_change_password", json_boolean(v->must_change_pw));
    json_object_set_new(j, "must_enrol_2fa", json_boolean(v->must_enrol));
    json_object_set_new(j, "totp_enabled", json_boolean(v->u->totp_enabled));
    return j;
}

static void set_cookie(const struct http_req *rq, struct http_resp *rs, const char *sid)
{
    /* No Max-Age: the cookie dies with the browser; the server ends the
     * session itself after the idle and absolute limits. */
    snprintf(rs->set_cookie, sizeof rs->set_cookie,
             AUTH_COOKIE_NAME "=%s; Path=/; HttpOnly; SameSite=Strict%s", sid,
             rq->ctx->tls ? "; Secure" : "");
}

static void clear_cookie(const struct http_req *rq, struct http_resp *rs)
{
    snprintf(rs->set_cookie, sizeof rs->set_cookie,
             AUTH_COOKIE_NAME "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict%s",
             rq->ctx->tls ? "; Secure" : "");
}

/* Copies text from a client header: at most n - 1 bytes, control characters
 * replaced, a character cut at the end dropped. */
static void copy_header_text(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    size_t len = strlen(dst);
    while (len > 0 && !http_utf8_valid(dst, len))
        dst[--len] = '\0';
}

/* An audit record written by this file: as rq->who, or as user when given
 * (a login is made by nobody yet). Marks the request audited so that the
 * server does not add its own record. -1 when the append failed. */
static int audit(const struct http_req *rq, const char *user, const char *action,
                 const char *object, json_t *after, const char *result)
{
    const struct principal *who = rq->who;
    if (!user)
        user = who->user_id ? who->user : NULL;
    int rc = auth_audit(rq->ctx->S, user, who->source, action, object, NULL, after, result, NULL);
    if (rq->priv)
        rq->priv->audited = true;
    return rc;
}

static void answer_audit_failed(struct http_resp *rs)
{
    resp_error(rs, 503, "io_error", NULL,
               "审计日志不可用，操作未完成 / the audit trail could not be written: not done");
}

static void user_object(const char *name, char *out, size_t n)
{
    snprintf(out, n, "user:%s", name ? name : "");
}

static void session_object(const char *hash, char *out, size_t n)
{
    char pubid[AUTH_SESSION_PUBID_LEN + 1];
    auth_session_pubid(hash, pubid);
    snprintf(out, n, "session:%s", pubid);
}

static json_t *body(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *j = api_body_object(rq, &err);
    if (!j)
        resp_err(rs, &err);
    return j;
}

/* ---- second factor ------------------------------------------------------------------- */

/* The user's TOTP secret in clear (wipe it), or -1. */
static int open_totp(const struct http_req *rq, const struct user_row *u, char **secret,
                     struct yw_err *err)
{
    struct secret_key key;
    *secret = NULL;
    if (!u->totp_sealed)
        return yw_fail(err, YW_ECONFLICT, "no second factor enrolled");
    if (auth_secret_key(rq->ctx->auth, rq->ctx->S, &key, err) != 0)
        return -1;
    *secret = secret_open(&key, u->totp_sealed, err);
    secret_wipe(&key, sizeof key);
    return *secret ? 0 : -1;
}

/* Checks code against the user's TOTP; on success advances u->totp_last_step
 * (the caller writes the row). */
static bool totp_ok(const struct http_req *rq, struct user_row *u, const char *code, ms_t now)
{
    char *secret;
    struct yw_err err = YW_ERR_INIT;
    if (open_totp(rq, u, &secret, &err) != 0) {
        log_error("auth: second factor of %s unreadable: %s", u->name, err.msg);
        return false;
    }
    int64_t step = 0;
    bool ok = totp_verify(secret, code, now, u->totp_last_step, &step);
    secret_wipe(secret, strlen(secret));
    xfree(secret);
    if (ok)
        u->totp_last_step = step;
    return ok;
}

/* Uses one recovery code: removes its hash from u->recovery_hashes (the
 * caller writes the row). */
static bool recovery_ok(const struct http_req *rq, struct user_row *u, const char *code)
{
    struct secret_key key;
    struct yw_err err = YW_ERR_INIT;
    char hash[TOKEN_HASH_HEX];
    if (!u->recovery_hashes || auth_secret_key(rq->ctx->auth, rq->ctx->S, &key, &err) != 0)
        return false;
    int rc = recovery_code_hash(&key, code, hash);
    secret_wipe(&key, sizeof key);
    if (rc != 0)
        return false;
    json_t *arr = json_loads(u->recovery_hashes, 0, NULL);
    bool found = false;
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_is_string(v) && auth_secret_equal(json_string_value(v), hash)) {
            json_array_remove(arr, i);
            found = true;
            break;
        }
    }
    if (found) {
        char *s = json_dumps(arr, JSON_COMPACT);
        xfree(u->recovery_hashes);
        u->recovery_hashes = xstrdup(s ? s : "[]");
        free(s);
    }
    json_decref(arr);
    return found;
}

/* ---- login ------------------------------------------------------------------------------- */

static void answer_locked(struct http_resp *rs, ms_t until)
{
    char t[64];
    time_format_rfc3339(until, t, sizeof t);
    resp_error_extra(rs, 423, "locked", json_pack("{s:s}", "locked_until", t),
                     "账号因多次登录失败已锁定至 %s / account locked until %s after too many "
                     "failed logins",
                     t, t);
}

/* A wrong password or second factor: counts towards the lockout and answers.
 * The row is written back: a failure that cannot be counted must not be
 * answered as a plain failure, or the lockout could be outrun. */
static void login_failure(const struct http_req *rq, struct http_resp *rs, struct user_row *u,
                          const struct password_policy *pol, ms_t now, const char *code)
{
    struct yw_err err = YW_ERR_INIT;
    struct auth_lock lk = {u->failed_logins, u->locked_until};
    bool locked = auth_lock_fail(&lk, pol, now);
    u->failed_logins = lk.failed;
    u->locked_until = lk.locked_until;
    if (store_user_update(rq->ctx->S, u, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    char object[96], result[96];
    user_object(u->name, object, sizeof object);
    snprintf(result, sizeof result, "failed: %s", code);
    (void)audit(rq, NULL, "session.login", object, NULL, result);
    if (locked) {
        char t[64];
        time_format_rfc3339(lk.locked_until, t, sizeof t);
        snprintf(result, sizeof result, "ok: locked until %s", t);
        (void)audit(rq, NULL, "session.lockout", object, NULL, result);
        answer_locked(rs, lk.locked_until);
    } else if (strcmp(code, "bad_totp") == 0) {
        resp_error(rs, 401, "bad_totp", "totp", "动态口令错误 / wrong second-factor code");
    } else {
        resp_error(rs, 401, "bad_credentials", NULL, MSG_BAD_CREDENTIALS);
    }
}

/* Everything after the account is read, under the account's lock. */
static void login_user(const struct http_req *rq, struct http_resp *rs,
                       const struct auth_login_body *b, struct user_row *u,
                       const struct password_policy *pol, ms_t now)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    char object[96];
    user_object(u->name, object, sizeof object);

    struct auth_lock lk = {u->failed_logins, u->locked_until};
    if (auth_is_locked(&lk, now)) {
        /* Checked before the password: while locked, a right guess and a
         * wrong one must read the same. */
        (void)audit(rq, NULL, "session.login", object, NULL, "failed: locked");
        answer_locked(rs, lk.locked_until);
        return;
    }
    if (!password_verify(u->pw_hash, b->password)) {
        login_failure(rq, rs, u, pol, now, "bad_credentials");
        return;
    }
    /* Only now, so that a password guesser learns nothing about the account. */
    if (u->disabled) {
        (void)audit(rq, NULL, "session.login", object, NULL, "failed: disabled");
        resp_error(rs, 403, "disabled", NULL, "账号已停用 / account disabled");
        return;
    }
    if (u->totp_enabled) {
        if (!b->totp[0] && !b->recovery[0]) {
            (void)audit(rq, NULL, "session.login", object, NULL, "failed: totp_required");
            resp_error(rs, 401, "totp_required", "totp",
                       "需要动态口令 / a second-factor code (totp or recovery_code) is required");
            return;
        }
        bool ok = b->totp[0] ? totp_ok(rq, u, b->totp, now) : recovery_ok(rq, u, b->recovery);
        if (!ok) {
            login_failure(rq, rs, u, pol, now, "bad_totp");
            return;
        }
    }

    auth_lock_success(&lk);
    u->failed_logins = lk.failed;
    u->locked_until = lk.locked_until;
    u->last_login = now;
    if (password_needs_rehash(u->pw_hash)) {
        char h[PASSWORD_HASH_MAX];
        if (password_hash(b->password, h) == 0)
            memcpy(u->pw_hash, h, sizeof h);
    }
    /* Written before the session exists: the used TOTP step and recovery
     * code must be spent even if what follows fails. */
    if (store_user_update(S, u, &err) != 0) {
        resp_err(rs, &err);
        return;
    }

    /* A new id at every login, whatever the request came with (session
     * fixation); the session it came with, if any, ends. */
    char *sid = secret_token_new("yws_", 32);
    char *csrf = secret_token_new("ywc_", 24);
    struct session_row s = {.user_id = u->id, .created = now, .last_seen = now};
    secret_token_hash(sid, s.id_hash);
    snprintf(s.csrf, sizeof s.csrf, "%s", csrf);
    snprintf(s.source, sizeof s.source, "%s", rq->who->source);
    copy_header_text(s.user_agent, sizeof s.user_agent, rq->user_agent);
    if (store_session_create(S, &s, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    if (rq->who->session_hash[0] && strcmp(rq->who->session_hash, s.id_hash) != 0)
        (void)store_session_end(S, rq->who->session_hash, NULL);
    auth_prune_sessions(rq->ctx->auth, S, pol, now);

    bool expired = auth_password_expired(u->pw_changed, pol, now);
    char sobj[48];
    session_object(s.id_hash, sobj, sizeof sobj);
    if (audit(rq, u->name, "session.login", sobj, NULL,
              expired ? "ok: password expired, limited to changing it" : "ok") != 0) {
        (void)store_session_end(S, s.id_hash, NULL);
        answer_audit_failed(rs);
        goto out;
    }
    ms_t expires = 0;
    (void)auth_session_check(now, now, now, pol, &expires);
    struct session_view v = {
        .u = u,
        .roles = u->roles,
        .csrf = csrf,
        .created = now,
        .expires = expires,
        .must_change_pw = expired || u->must_change_pw,
        .must_enrol = roleset_has_admin(u->roles) && !u->totp_enabled,
    };
    set_cookie(rq, rs, sid);
    if (expired)
        resp_error_extra(rs, 403, "password_expired", json_pack("{s:o}", "session", session_json(&v)),
                         "密码已过期，请先修改密码 / password expired: change it now (this "
                         "session may only do that)");
    else
        resp_json(rs, 200, session_json(&v));
out:
    secret_wipe(sid, strlen(sid));
    secret_wipe(csrf, strlen(csrf));
    xfree(sid);
    xfree(csrf);
}

void api_session_login(const struct http_req *rq, struct http_resp *rs)
{
    struct auth_state *A = rq->ctx->auth;
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct auth_login_body b;
    json_t *j = body(rq, rs);
    if (!j)
        return;
    int rc = auth_login_body_parse(j, &b, &err);
    json_decref(j);
    if (rc != 0) {
        secret_wipe(&b, sizeof b);
        resp_err(rs, &err);
        return;
    }
    ms_t now = time_now_ms();
    struct password_policy pol;
    auth_policy_get(A, S, &pol);

    struct user_row u = {0};
    pthread_mutex_t *mu = auth_user_lock(A, b.user);
    pthread_mutex_lock(mu);
    rc = store_user_get(S, 0, b.user, &u, &err);
    if (rc != 0 && err.code != YW_ENOTFOUND) {
        resp_err(rs, &err);
    } else if (rc != 0 || !u.pw_hash[0]) {
        /* The same Argon2id work as a real check ("" runs it against a dummy
         * hash), and the same answer as a wrong password. */
        (void)password_verify("", b.password);
        char object[96];
        user_object(b.user, object, sizeof object);
        (void)audit(rq, NULL, "session.login", object, NULL, "failed: bad_credentials");
        resp_error(rs, 401, "bad_credentials", NULL, MSG_BAD_CREDENTIALS);
    } else {
        login_user(rq, rs, &b, &u, &pol, now);
    }
    pthread_mutex_unlock(mu);
    store_user_row_release(&u);
    secret_wipe(&b, sizeof b);
}

/* ---- the current session ---------------------------------------------------------------- */

void api_session_logout(const struct http_req *rq, struct http_resp *rs)
{
    const char *hash = rq->who->session_hash;
    if (!hash[0]) {
        resp_error(rs, 400, "invalid", NULL,
                   "not logged in with a session: an API token ends when revoked");
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    if (store_session_end(rq->ctx->S, hash, &err) != 0 && err.code != YW_ENOTFOUND) {
        resp_err(rs, &err);
        return;
    }
    char object[48];
    session_object(hash, object, sizeof object);
    if (audit(rq, NULL, "session.logout", object, NULL, "ok") != 0) {
        answer_audit_failed(rs);
        return;
    }
    clear_cookie(rq, rs);
    resp_no_content(rs);
}

void api_session_whoami(const struct http_req *rq, struct http_resp *rs)
{
    const struct auth_result *ar = req_auth(rq);
    struct yw_err err = YW_ERR_INIT;
    struct user_row u = {0};
    if (store_user_get(rq->ctx->S, rq->who->user_id, NULL, &u, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    struct session_view v = {
        .u = &u,
        .roles = rq->who->roles,
        .csrf = ar && ar->via_cookie ? ar->csrf : NULL,
        .created = ar ? ar->session_created : 0,
        .expires = ar ? ar->session_expires : 0,
        .must_change_pw = ar && ar->must_change_pw,
        .must_enrol = ar && ar->must_enrol,
        .via_token = rq->who->via_token,
    };
    resp_json(rs, 200, session_json(&v));
    store_user_row_release(&u);
}

/* ---- password change ------------------------------------------------------------------- */

/* Whether pw is the current password or one of the last n (Argon2id each:
 * the history is short by policy, at most 24). */
static int password_reused(struct store *S, const struct user_row *u, int n, const char *pw,
                           bool *reused, struct yw_err *err)
{
    *reused = password_verify(u->pw_hash, pw);
    if (*reused || n <= 0)
        return 0;
    char **hashes = NULL;
    size_t count = 0;
    if (store_pw_history(S, u->id, n, &hashes, &count, err) != 0)
        return -1;
    for (size_t i = 0; i < count; i++) {
        if (!*reused && password_verify(hashes[i], pw))
            *reused = true;
        xfree(hashes[i]);
    }
    xfree(hashes);
    return 0;
}

static void change_password(const struct http_req *rq, struct http_resp *rs,
                            const struct auth_password_body *b, struct user_row *u,
                            const struct password_policy *pol, ms_t now)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    char object[96], why[256];
    user_object(u->name, object, sizeof object);
    if (!password_verify(u->pw_hash, b->old)) {
        /* Someone holding a session is not necessarily its owner: a wrong
         * old password counts like a failed login. */
        struct auth_lock lk = {u->failed_logins, u->locked_until};
        bool locked = auth_lock_fail(&lk, pol, now);
        u->failed_logins = lk.failed;
        u->locked_until = lk.locked_until;
        if (store_user_update(S, u, &err) != 0) {
            resp_err(rs, &err);
            return;
        }
        (void)audit(rq, NULL, "session.password", object, NULL, "failed: wrong old password");
        if (locked)
            (void)audit(rq, NULL, "session.lockout", object, NULL, "ok");
        resp_error(rs, 403, "bad_credentials", "old", "old: 原密码错误 / wrong password");
        return;
    }
    if (password_check_policy(pol, u->name, b->new_, why, sizeof why) != 0) {
        resp_error(rs, 400, "invalid", "new", "new: %s", why);
        return;
    }
    bool reused;
    if (password_reused(S, u, pol->history, b->new_, &reused, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    if (reused) {
        resp_error(rs, 400, "invalid", "new",
                   "new: 不能与当前或最近 %d 次使用的密码相同 / must differ from the current "
                   "password and the last %d",
                   pol->history, pol->history);
        return;
    }
    char h[PASSWORD_HASH_MAX];
    if (password_hash(b->new_, h) != 0) {
        resp_error(rs, 503, "io_error", NULL, "out of memory hashing the password");
        return;
    }
    if (u->pw_hash[0] && store_pw_history_add(S, u->id, u->pw_hash, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    memcpy(u->pw_hash, h, sizeof h);
    u->pw_changed = now;
    u->must_change_pw = false;
    u->failed_logins = 0;
    u->locked_until = 0;
    if (store_user_update(S, u, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    /* Whoever else held a session (a stolen one?) is out; this one stays. */
    const char *keep = rq->who->session_hash[0] ? rq->who->session_hash : NULL;
    if (store_session_end_user(S, u->id, keep, &err) != 0)
        log_error("auth: ending the other sessions of %s: %s", u->name, err.msg);
    if (audit(rq, NULL, "session.password", object, NULL, "ok") != 0) {
        answer_audit_failed(rs);
        return;
    }
    resp_no_content(rs);
}

void api_session_password(const struct http_req *rq, struct http_resp *rs)
{
    struct auth_state *A = rq->ctx->auth;
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct auth_password_body b;
    json_t *j = body(rq, rs);
    if (!j)
        return;
    int rc = auth_password_body_parse(j, &b, &err);
    json_decref(j);
    if (rc != 0) {
        secret_wipe(&b, sizeof b);
        resp_err(rs, &err);
        return;
    }
    struct password_policy pol;
    auth_policy_get(A, S, &pol);
    struct user_row u = {0};
    pthread_mutex_t *mu = auth_user_lock(A, rq->who->user);
    pthread_mutex_lock(mu);
    if (store_user_get(S, rq->who->user_id, NULL, &u, &err) != 0)
        resp_err(rs, &err);
    else
        change_password(rq, rs, &b, &u, &pol, time_now_ms());
    pthread_mutex_unlock(mu);
    store_user_row_release(&u);
    secret_wipe(&b, sizeof b);
}

/* ---- own sessions ---------------------------------------------------------------------- */

void api_sessions_list(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct session_row *rows = NULL;
    size_t n = 0;
    if (store_session_list(rq->ctx->S, rq->who->user_id, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    struct password_policy pol;
    auth_policy_get(rq->ctx->auth, rq->ctx->S, &pol);
    ms_t now = time_now_ms();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        ms_t expires;
        if (auth_session_check(rows[i].created, rows[i].last_seen, now, &pol, &expires) !=
            AUTH_SESSION_LIVE)
            continue; /* ended at its next use; not a session any more */
        char pubid[AUTH_SESSION_PUBID_LEN + 1];
        auth_session_pubid(rows[i].id_hash, pubid);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_string(pubid));
        json_object_set_new(o, "created", api_time(rows[i].created, true));
        json_object_set_new(o, "last_seen", api_time(rows[i].last_seen, true));
        json_object_set_new(o, "expires", api_time(expires, true));
        json_object_set_new(o, "source", api_str(rows[i].source));
        json_object_set_new(o, "user_agent", api_str(rows[i].user_agent));
        json_object_set_new(
            o, "current", json_boolean(strcmp(rows[i].id_hash, rq->who->session_hash) == 0));
        json_array_append_new(items, o);
    }
    xfree(rows); /* session rows hold no pointers */
    resp_json(rs, 200, api_list(items, NULL));
}

void api_sessions_end(const struct http_req *rq, struct http_resp *rs)
{
    const char *id = route_param(rq->match, "id");
    if (!auth_session_pubid_valid(id)) {
        resp_error(rs, 404, "not_found", NULL, "no such session");
        return;
    }
    struct yw_err err = YW_ERR_INIT;
    struct session_row *rows = NULL;
    size_t n = 0;
    if (store_session_list(rq->ctx->S, rq->who->user_id, &rows, &n, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    char hash[TOKEN_HASH_HEX] = "";
    for (size_t i = 0; i < n && !hash[0]; i++)
        if (strncmp(rows[i].id_hash, id, AUTH_SESSION_PUBID_LEN) == 0)
            memcpy(hash, rows[i].id_hash, sizeof hash);
    xfree(rows);
    if (!hash[0]) { /* only one's own sessions are found: others' are "no such" */
        resp_error(rs, 404, "not_found", NULL, "no such session");
        return;
    }
    if (store_session_end(rq->ctx->S, hash, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    char object[48];
    session_object(hash, object, sizeof object);
    if (audit(rq, NULL, "session.end", object, NULL, "ok") != 0) {
        answer_audit_failed(rs);
        return;
    }
    if (strcmp(hash, rq->who->session_hash) == 0)
        clear_cookie(rq, rs);
    resp_no_content(rs);
}

/* ---- second factor enrolment ------------------------------------------------------------ */

void api_totp_enrol(const struct http_req *rq, struct http_resp *rs)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct user_row u = {0};
    struct secret_key key;
    char secret[TOTP_SECRET_B32], uri[512], object[96];
    pthread_mutex_t *mu = auth_user_lock(rq->ctx->auth, rq->who->user);
    pthread_mutex_lock(mu);
    if (store_user_get(S, rq->who->user_id, NULL, &u, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    if (u.totp_enabled) {
        resp_error(rs, 409, "conflict", NULL,
                   "已启用双因素认证 / a second factor is already enrolled");
        goto out;
    }
    if (auth_secret_key(rq->ctx->auth, S, &key, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    totp_new_secret(secret);
    char *sealed = secret_seal(&key, secret);
    secret_wipe(&key, sizeof key);
    xfree(u.totp_sealed);
    u.totp_sealed = sealed; /* pending until confirmed with a code */
    u.totp_last_step = 0;
    if (store_user_update(S, &u, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    user_object(u.name, object, sizeof object);
    if (audit(rq, NULL, "session.totp_enrol", object, NULL, "ok: pending confirmation") != 0) {
        answer_audit_failed(rs);
        goto out;
    }
    totp_uri(secret, u.name, uri, sizeof uri);
    resp_json(rs, 200, json_pack("{s:s,s:s}", "secret", secret, "uri", uri));
    secret_wipe(uri, sizeof uri);
out:
    secret_wipe(secret, sizeof secret);
    pthread_mutex_unlock(mu);
    store_user_row_release(&u);
}

void api_totp_confirm(const struct http_req *rq, struct http_resp *rs)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    struct auth_code_body b;
    struct user_row u = {0};
    struct secret_key key;
    char codes[RECOVERY_CODES][RECOVERY_CODE_LEN + 1];
    memset(codes, 0, sizeof codes);
    char object[96];
    json_t *j = body(rq, rs);
    if (!j)
        return;
    int rc = auth_code_body_parse(j, &b, &err);
    json_decref(j);
    if (rc != 0) {
        resp_err(rs, &err);
        return;
    }
    pthread_mutex_t *mu = auth_user_lock(rq->ctx->auth, rq->who->user);
    pthread_mutex_lock(mu);
    if (store_user_get(S, rq->who->user_id, NULL, &u, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    if (u.totp_enabled || !u.totp_sealed) {
        resp_error(rs, 409, "conflict", NULL,
                   u.totp_enabled ? "已启用双因素认证 / a second factor is already enrolled"
                                  : "请先申请密钥 / start with POST /api/v1/session/totp/enrol");
        goto out;
    }
    user_object(u.name, object, sizeof object);
    if (!totp_ok(rq, &u, b.code, time_now_ms())) {
        (void)audit(rq, NULL, "session.totp_enable", object, NULL, "failed: bad_totp");
        resp_error(rs, 400, "bad_totp", "code", "code: 动态口令错误 / wrong code");
        goto out;
    }
    if (auth_secret_key(rq->ctx->auth, S, &key, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    recovery_codes_new(codes, RECOVERY_CODES);
    json_t *hashes = json_array();
    for (size_t i = 0; i < RECOVERY_CODES; i++) {
        char h[TOKEN_HASH_HEX];
        if (recovery_code_hash(&key, codes[i], h) == 0)
            json_array_append_new(hashes, json_string(h));
    }
    secret_wipe(&key, sizeof key);
    char *s = json_dumps(hashes, JSON_COMPACT);
    json_decref(hashes);
    xfree(u.recovery_hashes);
    u.recovery_hashes = xstrdup(s ? s : "[]");
    free(s);
    u.totp_enabled = true;
    if (store_user_update(S, &u, &err) != 0) {
        resp_err(rs, &err);
        goto out;
    }
    if (audit(rq, NULL, "session.totp_enable", object, NULL, "ok") != 0) {
        answer_audit_failed(rs);
        goto out;
    }
    json_t *list = json_array();
    for (size_t i = 0; i < RECOVERY_CODES; i++)
        json_array_append_new(list, json_string(codes[i]));
    resp_json(rs, 200, json_pack("{s:b,s:o}", "totp_enabled", 1, "recovery_codes", list));
out:
    secret_wipe(codes, sizeof codes);
    pthread_mutex_unlock(mu);
    store_user_row_release(&u);
}

/* ---- the first administrator ------------------------------------------------------------ */

/* Login names as the store keeps them: [a-z0-9][a-z0-9._-]{1,63}. Checked
 * before the setup token is spent, so a typo does not burn it. */
static bool user_name_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 64 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
        return false;
    for (size_t i = 1; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-'))
            return false;
    }
    return true;
}

static void setup_locked(const struct http_req *rq, struct http_resp *rs,
                         struct auth_setup_body *b, const struct password_policy *pol)
{
    struct store *S = rq->ctx->S;
    struct yw_err err = YW_ERR_INIT;
    char why[256], hash[TOKEN_HASH_HEX], object[96];
    int64_t users = 0, id = 0;
    ms_t now = time_now_ms();
    if (store_user_count(S, &users, &err) != 0) {
        resp_err(rs, &err);
        return;
    }
    if (users > 0) {
        resp_error(rs, 409, "conflict", NULL, "已完成初始化，请登录 / already set up: log in");
        return;
    }
    if (!user_name_valid(b->user)) {
        resp_error(rs, 400, "invalid", "user",
                   "user: 2 to 64 of a-z 0-9 . _ -, starting with a letter or digit");
        return;
    }
    if (password_check_policy(pol, b->user, b->password, why, sizeof why) != 0) {
        resp_error(rs, 400, "invalid", "password", "password: %s", why);
        return;
    }
    if (!auth_token_well_formed(b->token, "ywsetup_")) {
        resp_error(rs, 401, "unauthorized", "token",
                   "初始化链接无效、已使用或已过期 / setup token unknown, used or expired");
        return;
    }
    secret_token_hash(b->token, hash);
    if (store_setup_consume(S, hash, now, &err) != 0) {
        if (err.code == YW_ENOTFOUND)
            resp_error(rs, 401, "unauthorized", "token",
                       "初始化链接无效、已使用或已过期 / setup token unknown, used or expired");
        else
            resp_err(rs, &err);
        return;
    }
    struct user_row u = {
        .name = b->user,
        .roles = 1u << ROLE_SYSADMIN,
        .pw_changed = now,
        /* Chosen just now by its owner: no change forced; the second factor
         * is (administrators must enrol before anything else). */
        .must_change_pw = false,
    };
    if (password_hash(b->password, u.pw_hash) != 0) {
        resp_error(rs, 503, "io_error", NULL, "out of memory hashing the password");
        return;
    }
    int rc = store_user_create(S, &u, &id, &err);
    secret_wipe(u.pw_hash, sizeof u.pw_hash);
    if (rc != 0) {
        resp_err(rs, &err);
        return;
    }
    user_object(b->user, object, sizeof object);
    json_t *after = json_pack("{s:s,s:o}", "user", b->user, "roles", roles_json(u.roles));
    rc = audit(rq, b->user, "setup.admin", object, after, "ok");
    if (rc != 0) {
        json_decref(after);
        answer_audit_failed(rs);
        return;
    }
    json_object_set_new(after, "must_enrol_2fa", json_true());
    resp_json(rs, 201, after);
}

void api_setup(const struct http_req *rq, struct http_resp *rs)
{
    struct yw_err err = YW_ERR_INIT;
    struct auth_setup_body b;
    json_t *j = body(rq, rs);
    if (!j)
        return;
    int rc = auth_setup_body_parse(j, &b, &err);
    json_decref(j);
    if (rc == 0) {
        struct password_policy pol;
        auth_policy_get(rq->ctx->auth, rq->ctx->S, &pol);
        pthread_mutex_lock(&rq->ctx->auth->setup_mu);
        setup_locked(rq, rs, &b, &pol);
        pthread_mutex_unlock(&rq->ctx->auth->setup_mu);
    } else {
        resp_err(rs, &err);
    }
    secret_wipe(&b, sizeof b);
}
