/* Authentication from the store, the shared state, and audit records. The
 * decisions are auth_policy.c's; this file only gathers and applies. */
#include "http/auth_mw.h"

#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/auth_parse.h"
#include "http/auth_policy.h"
#include "store/store_auth.h"

/* An audit before/after image larger than this is recorded as a note: the
 * trail must not grow by megabytes because one object is big. */
#define AUDIT_IMAGE_MAX (64 * 1024)

struct auth_state *auth_state_new(void)
{
    struct auth_state *A = xcalloc(1, sizeof *A);
    pthread_mutex_init(&A->mu, NULL);
    pthread_mutex_init(&A->setup_mu, NULL);
    for (size_t i = 0; i < AUTH_USER_LOCKS; i++)
        pthread_mutex_init(&A->user_mu[i], NULL);
    A->policy = (struct password_policy)PASSWORD_POLICY_DEFAULT;
    A->rl = rl_new(RL_CAP_DEFAULT);
    return A;
}

void auth_state_free(struct auth_state *A)
{
    if (!A)
        return;
    secret_wipe(&A->key, sizeof A->key);
    rl_free(A->rl);
    for (size_t i = 0; i < AUTH_USER_LOCKS; i++)
        pthread_mutex_destroy(&A->user_mu[i]);
    pthread_mutex_destroy(&A->setup_mu);
    pthread_mutex_destroy(&A->mu);
    xfree(A);
}

void auth_policy_get(struct auth_state *A, struct store *S, struct password_policy *out)
{
    ms_t mono = time_mono_ms();
    pthread_mutex_lock(&A->mu);
    if (S && (A->policy_read == 0 || mono - A->policy_read >= AUTH_POLICY_TTL_MS)) {
        struct password_policy p;
        struct yw_err err = YW_ERR_INIT;
        if (store_policy_get(S, &p, &err) == 0)
            A->policy = p;
        else
            log_error("auth: reading the security policy: %s (keeping the one in force)",
                      err.msg);
        /* Also after a failure: a failing store is not asked on every request. */
        A->policy_read = mono ? mono : 1;
    }
    *out = A->policy;
    pthread_mutex_unlock(&A->mu);
}

int auth_secret_key(struct auth_state *A, struct store *S, struct secret_key *out,
                    struct yw_err *err)
{
    int rc = 0;
    pthread_mutex_lock(&A->mu);
    if (!A->have_key) {
        uint8_t audit_key[AUDIT_KEY_BYTES];
        rc = store_auth_keys(S, &A->key, audit_key, err);
        secret_wipe(audit_key, sizeof audit_key); /* the store seals audit records itself */
        A->have_key = rc == 0;
    }
    if (rc == 0)
        *out = A->key;
    pthread_mutex_unlock(&A->mu);
    return rc;
}

void auth_prune_sessions(struct auth_state *A, struct store *S, const struct password_policy *p,
                         ms_t now)
{
    ms_t mono = time_mono_ms();
    pthread_mutex_lock(&A->mu);
    bool due = A->pruned == 0 || mono - A->pruned >= AUTH_PRUNE_MS;
    if (due)
        A->pruned = mono ? mono : 1;
    pthread_mutex_unlock(&A->mu);
    if (!due)
        return;
    ms_t idle = (ms_t)(p->idle_minutes > 0 ? p->idle_minutes : 1) * MS_PER_MIN;
    ms_t absolute = (ms_t)(p->absolute_hours > 0 ? p->absolute_hours : 1) * MS_PER_H;
    struct yw_err err = YW_ERR_INIT;
    if (store_session_prune(S, now - idle, now - absolute, &err) != 0)
        log_warn("auth: pruning ended sessions: %s", err.msg);
}

pthread_mutex_t *auth_user_lock(struct auth_state *A, const char *name)
{
    uint32_t h = 2166136261u;
    for (const char *p = name ? name : ""; *p; p++) {
        h ^= (unsigned char)*p;
        h *= 16777619u;
    }
    return &A->user_mu[h % AUTH_USER_LOCKS];
}

/* ---- authentication ------------------------------------------------------------ */

static void set_user(struct auth_result *out, const struct user_row *u, roleset roles)
{
    out->who.user_id = u->id;
    snprintf(out->who.user, sizeof out->who.user, "%s", u->name ? u->name : "");
    out->who.roles = roles;
}

static int by_token(struct store *S, const char *token, ms_t now, struct auth_result *out,
                    struct yw_err *err)
{
    char hash[TOKEN_HASH_HEX];
    secret_token_hash(token, hash);
    struct token_row t = {0};
    struct user_row u = {0};
    int result = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_token_by_hash(S, hash, &t, &e) != 0) {
        if (e.code != YW_ENOTFOUND) {
            *err = e;
            return -1;
        }
        out->refused = "API token unknown";
        out->bad_token = true;
        return 0;
    }
    switch (auth_token_check(t.revoked, t.expires, now)) {
    case AUTH_TOKEN_REVOKED: out->refused = "API token revoked"; goto out;
    case AUTH_TOKEN_EXPIRED: out->refused = "API token expired"; goto out;
    case AUTH_TOKEN_OK: break;
    }
    if (store_user_get(S, t.user_id, NULL, &u, &e) != 0) {
        if (e.code != YW_ENOTFOUND) {
            *err = e;
            result = -1;
        } else {
            out->refused = "the API token's account no longer exists";
        }
        goto out;
    }
    if (u.disabled) {
        out->refused = "account disabled";
        goto out;
    }
    set_user(out, &u, auth_token_roles(t.roles, u.roles));
    out->who.via_token = true;
    out->who.token_id = t.id;
    if (auth_touch_due(t.last_used, now, AUTH_TOKEN_TOUCH_MS) &&
        store_token_touch(S, t.id, now, &e) != 0)
        log_warn("auth: recording the use of token %lld: %s", (long long)t.id, e.msg);
out:
    xfree(t.name); /* a token_row's only allocation (no single-row release exists) */
    store_user_row_release(&u);
    return result;
}

/* Ends a session the caller may no longer use; a failure only delays it. */
static void end_session(struct store *S, const char *hash)
{
    struct yw_err e = YW_ERR_INIT;
    if (store_session_end(S, hash, &e) != 0 && e.code != YW_ENOTFOUND)
        log_warn("auth: ending a session: %s", e.msg);
}

static int by_session(struct auth_state *A, struct store *S, const char *sid,
                      const char *source, ms_t now, bool activity, struct auth_result *out,
                      struct yw_err *err)
{
    char hash[TOKEN_HASH_HEX];
    secret_token_hash(sid, hash);
    struct session_row s = {0};
    struct user_row u = {0};
    struct yw_err e = YW_ERR_INIT;
    if (store_session_get(S, hash, &s, &e) != 0) {
        if (e.code != YW_ENOTFOUND) {
            *err = e;
            return -1;
        }
        out->refused = "session expired or ended: log in again";
        return 0;
    }
    if (s.pending_2fa) {
        out->refused = "the second factor was not given: log in again";
        return 0;
    }
    struct password_policy pol;
    auth_policy_get(A, S, &pol);
    enum auth_session_state st = auth_session_check(s.created, s.last_seen, now, &pol,
                                                    &out->session_expires);
    int result = 0;
    if (st != AUTH_SESSION_LIVE) {
        end_session(S, hash);
        char pubid[AUTH_SESSION_PUBID_LEN + 1], object[32];
        auth_session_pubid(hash, pubid);
        snprintf(object, sizeof object, "session:%s", pubid);
        struct user_row owner = {0};
        bool named = store_user_get(S, s.user_id, NULL, &owner, &e) == 0;
        (void)auth_audit(S, named ? owner.name : NULL, source, "session.expire", object, NULL,
                         NULL, st == AUTH_SESSION_IDLE ? "ok: idle timeout" : "ok: lifetime",
                         NULL);
        store_user_row_release(&owner);
        out->refused = st == AUTH_SESSION_IDLE
                           ? "session expired (idle too long): log in again"
                           : "session expired (maximum lifetime reached): log in again";
        return 0;
    }
    if (store_user_get(S, s.user_id, NULL, &u, &e) != 0) {
        if (e.code != YW_ENOTFOUND) {
            *err = e;
            return -1;
        }
        end_session(S, hash);
        out->refused = "the session's account no longer exists";
        return 0;
    }
    if (u.disabled) {
        end_session(S, hash);
        out->refused = "account disabled";
        goto out;
    }
    set_user(out, &u, u.roles);
    snprintf(out->who.session_hash, sizeof out->who.session_hash, "%s", hash);
    out->via_cookie = true;
    snprintf(out->csrf, sizeof out->csrf, "%s", s.csrf);
    out->session_created = s.created;
    out->must_change_pw = u.must_change_pw || auth_password_expired(u.pw_changed, &pol, now);
    out->must_enrol = roleset_has_admin(u.roles) && !u.totp_enabled;
    if (activity && auth_touch_due(s.last_seen, now, AUTH_TOUCH_MS)) {
        if (store_session_touch(S, hash, now, &e) != 0)
            log_warn("auth: recording a session's use: %s", e.msg);
        else
            auth_session_check(s.created, now, now, &pol, &out->session_expires);
    }
out:
    store_user_row_release(&u);
    return result;
}

int auth_authenticate(struct auth_state *A, struct store *S, const char *cookie_hdr,
                      const char *authz_hdr, const char *source, ms_t now, bool activity,
                      struct auth_result *out, struct yw_err *err)
{
    memset(out, 0, sizeof *out);
    snprintf(out->who.source, sizeof out->who.source, "%s", source ? source : "");
    char tok[AUTH_TOKEN_MAX + 1];
    int b = auth_bearer_parse(authz_hdr, tok, sizeof tok);
    if (b < 0 || (b > 0 && !auth_token_well_formed(tok, "ywt_"))) {
        out->refused = "Authorization: expected \"Bearer ywt_…\" with a valid API token";
        out->bad_token = true;
        return 0;
    }
    if (b > 0) {
        int rc = S ? by_token(S, tok, now, out, err) : 0;
        secret_wipe(tok, sizeof tok);
        return rc;
    }
    char sid[COOKIE_VALUE_MAX + 1];
    if (cookie_get(cookie_hdr, AUTH_COOKIE_NAME, sid, sizeof sid) != 1)
        return 0;
    int rc = 0;
    if (!auth_token_well_formed(sid, "yws_"))
        out->refused = "session expired or ended: log in again";
    else if (S)
        rc = by_session(A, S, sid, source, now, activity, out, err);
    secret_wipe(sid, sizeof sid);
    return rc;
}

/* ---- audit ---------------------------------------------------------------------- */

/* The masked JSON text of an image; NULL for none. */
static char *image(json_t *j)
{
    if (!j)
        return NULL;
    json_t *copy = json_deep_copy(j);
    api_mask_secrets(copy);
    char *s = copy ? json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    json_decref(copy);
    if (!s)
        return xstrdup("{\"unrecorded\":\"could not encode\"}");
    char *out;
    if (strlen(s) > AUDIT_IMAGE_MAX)
        out = xasprintf("{\"unrecorded\":\"larger than %d bytes\"}", AUDIT_IMAGE_MAX);
    else
        out = xstrdup(s);
    free(s); /* jansson's allocator */
    return out;
}

int auth_audit(struct store *S, const char *user, const char *source, const char *action,
               const char *object, json_t *before, json_t *after, const char *result,
               struct yw_err *err)
{
    struct yw_err e = YW_ERR_INIT;
    char *b = image(before), *a = image(after);
    struct audit_record r = {
        .time = time_now_ms(),
        .user = user && *user ? user : NULL,
        .source = source ? source : "",
        .action = action,
        .object = object,
        .before = b,
        .after = a,
        .result = result ? result : "ok",
    };
    int rc = S ? store_audit_append(S, &r, &e) : yw_fail(&e, YW_EIO, "no store");
    if (rc != 0) {
        log_error("audit: could not record %s %s by %s: %s", action, object ? object : "-",
                  r.user ? r.user : "(anonymous)", e.msg);
        if (err)
            *err = e;
    }
    xfree(b);
    xfree(a);
    return rc;
}

void api_audit(const struct http_req *rq, const char *action, const char *object, json_t *before,
               json_t *after, const char *result)
{
    const struct principal *who = rq->who;
    int rc = auth_audit(rq->ctx->S, who && who->user_id ? who->user : NULL,
                        who ? who->source : NULL, action, object, before, after, result, NULL);
    if (rq->priv) {
        rq->priv->audited = true;
        if (rc != 0)
            rq->priv->audit_failed = true;
    }
}
