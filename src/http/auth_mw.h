/*
 * auth_mw — the security layer between the server and the handlers: who is
 * asking (session cookie or Bearer token, looked up in the store), the
 * shared state (policy cache, rate limiter, per-account locks, the secret
 * key), and the audit records the layer writes.
 *
 * The decisions themselves are pure functions in http/auth_policy.h; this
 * file gathers their inputs from the store and applies their outcome.
 *
 * Threads: one struct auth_state per server, shared by all its threads;
 * each field group is guarded as noted. Nothing here logs a secret: tokens
 * and session ids are only ever hashed, and log lines name users and routes.
 */
#ifndef YW_HTTP_AUTH_MW_H
#define YW_HTTP_AUTH_MW_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>

#include "auth/password.h"
#include "auth/principal.h"
#include "auth/secret.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "http/auth_ratelimit.h"
#include "store/store.h"

#define AUTH_POLICY_TTL_MS (5 * MS_PER_S) /* the policy is re-read at most this often */
#define AUTH_USER_LOCKS 64                /* stripes of per-account locks */
#define AUTH_CSRF_MAX 64

struct auth_state {
    pthread_mutex_t mu; /* guards the policy cache and the secret key */
    struct password_policy policy;
    ms_t policy_read;   /* monotonic time of the last read; 0 = never */
    bool have_key;
    struct secret_key key;
    ms_t pruned;        /* monotonic time sessions were last pruned; guarded by mu */

    struct ratelimit *rl; /* its own lock */

    /* A login or password change reads the account, verifies and writes
     * failures back: two at once on the same account would each count one
     * failure less, letting a parallel guesser past the lockout. The account
     * name picks one of these locks; the setup of the first administrator
     * takes setup_mu. */
    pthread_mutex_t user_mu[AUTH_USER_LOCKS];
    pthread_mutex_t setup_mu;
};

struct auth_state *auth_state_new(void);
void auth_state_free(struct auth_state *A); /* NULL is a no-op; wipes the key */

/* The policy in force: the store's, cached for AUTH_POLICY_TTL_MS. When the
 * store cannot be read the last policy read is kept (the defaults before the
 * first read) and the failure logged. */
void auth_policy_get(struct auth_state *A, struct store *S, struct password_policy *out);
/* The secret key (DIR/keys/secret.key), loaded once. -1 with err. */
int auth_secret_key(struct auth_state *A, struct store *S, struct secret_key *out,
                    struct yw_err *err);
/* Deletes the sessions past their idle or absolute limit at now (they are
 * refused anyway; this keeps the table small), at most every
 * AUTH_PRUNE_MS; a failure is logged and retried next time. */
#define AUTH_PRUNE_MS (10 * MS_PER_MIN)
void auth_prune_sessions(struct auth_state *A, struct store *S, const struct password_policy *p,
                         ms_t now);

/* The lock for account name (any string; the same name always gets the same lock). */
pthread_mutex_t *auth_user_lock(struct auth_state *A, const char *name);

/* What authentication found for one request. */
struct auth_result {
    struct principal who;          /* anonymous (user_id 0) unless authenticated */
    bool via_cookie;
    char csrf[AUTH_CSRF_MAX];      /* the session's, when via_cookie */
    ms_t session_created, session_expires;
    bool must_change_pw;           /* session limited to the password change */
    bool must_enrol;               /* administrator's session limited to 2FA enrolment */
    /* Credentials were presented and refused: why, for the 401 message
     * ("session expired", "API token revoked"…); NULL when none were
     * presented or they were good. */
    const char *refused;
    bool bad_token;                /* a Bearer token was refused (charged to the rate limit) */
};

/* Establishes who sent a request from its Cookie and Authorization headers
 * (either may be NULL) at now. A Bearer token wins over a cookie. activity:
 * the request is a person's doing, so a session's idle clock restarts;
 * false for background requests (the live stream, timed refreshes), which
 * leave it running so an unattended tab still logs out. Refused
 * credentials leave the caller anonymous with out->refused set; an expired
 * session is ended in the store. Returns -1 with err only when the store
 * fails (the server answers 503). */
int auth_authenticate(struct auth_state *A, struct store *S, const char *cookie_hdr,
                      const char *authz_hdr, const char *source, ms_t now, bool activity,
                      struct auth_result *out, struct yw_err *err);

/* Appends an audit record now. user NULL = anonymous. before/after are
 * borrowed, copied and masked (api_mask_secrets). -1 with err on failure
 * (logged here too). */
int auth_audit(struct store *S, const char *user, const char *source, const char *action,
               const char *object, json_t *before, json_t *after, const char *result,
               struct yw_err *err);

/* The server's per-request bookkeeping behind http_req.priv. */
struct http_req_priv {
    const struct auth_result *auth;
    bool audited;      /* api_audit was called for this request */
    bool audit_failed; /* and an append failed: no 2xx may be answered */
};

#endif
