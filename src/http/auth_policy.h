/*
 * auth_policy — the HTTP security layer's decisions, as pure functions of
 * their arguments (no store, no clock, no HTTP library), so that each can be
 * tested with a fixed clock and the server only gathers their inputs:
 *
 *  - auth_route_check: the ONE place where a request is allowed or refused
 *    a route (router.h: act and flags), for every route of every table;
 *  - lockout after failed logins, session idle/absolute expiry, password
 *    expiry, API token state;
 *  - the security headers every answer carries.
 *
 * Times are ms_t (core/timeutil.h); policies are struct password_policy
 * (auth/password.h), whose ranges password_policy_valid guarantees — the
 * functions here still treat a zero or negative limit as the smallest
 * meaningful one rather than dividing by it or never locking.
 */
#ifndef YW_HTTP_AUTH_POLICY_H
#define YW_HTTP_AUTH_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/password.h"
#include "auth/principal.h"
#include "core/timeutil.h"
#include "http/router.h"

/* ---- the central check --------------------------------------------------------- */
enum auth_verdict {
    AUTH_ALLOW,
    AUTH_UNAUTHENTICATED, /* 401 "unauthorized": no (valid) session or token */
    AUTH_CSRF,            /* 403 "csrf": a cookie-authenticated change without the token */
    AUTH_PW_CHANGE,       /* 403 "password_change_required" */
    AUTH_ENROL,           /* 403 "totp_enrolment_required" */
    AUTH_FORBIDDEN,       /* 403 "forbidden": the roles do not grant the route's action */
};

/* What the server established about the caller. */
struct auth_subject {
    const struct principal *who; /* NULL or user_id 0: anonymous */
    bool via_cookie;             /* authenticated by the session cookie (not a Bearer token) */
    const char *csrf_expected;   /* the session's CSRF token when via_cookie */
    const char *csrf_given;      /* the X-CSRF-Token header; NULL when absent */
    bool must_change_pw;         /* the session may use ROUTE_PWCHANGE routes only */
    bool must_enrol;             /* the session may use ROUTE_ENROL routes only */
};

/* In this order: a public route is allowed to anyone; otherwise an anonymous
 * caller is AUTH_UNAUTHENTICATED; a state-changing method (auth_method_changes)
 * authenticated by cookie must carry the session's CSRF token; a limited
 * session may use only the routes flagged for its limit (password change
 * first, then second-factor enrolment); finally the caller's roles must grant
 * r->act (role_allows). */
enum auth_verdict auth_route_check(const struct route *r, const char *method,
                                   const struct auth_subject *s);
/* The error code and status answered for a refusal ("unauthorized", 401…);
 * for AUTH_ALLOW "" and 200. */
const char *auth_verdict_code(enum auth_verdict v);
int auth_verdict_status(enum auth_verdict v);

/* POST, PUT, PATCH, DELETE: what CSRF and the audit trail care about. */
bool auth_method_changes(const char *method);
/* Whether given equals expected, in time independent of where they differ.
 * NULL or "" never equals anything. */
bool auth_secret_equal(const char *expected, const char *given);

/* ---- lockout after failed logins ------------------------------------------- */
struct auth_lock {
    int failed;        /* consecutive failures since the last success or lock */
    ms_t locked_until; /* 0 = not locked */
};
/* Locked while now < locked_until. */
bool auth_is_locked(const struct auth_lock *l, ms_t now);
/* Counts a failure at now. When it is the policy's lock_after-th in a row the
 * account locks until now + lock_minutes and the count restarts at 0; returns
 * true exactly then. */
bool auth_lock_fail(struct auth_lock *l, const struct password_policy *p, ms_t now);
/* A success: no failures, no lock. */
void auth_lock_success(struct auth_lock *l);

/* ---- sessions, passwords, tokens -------------------------------------------------- */
enum auth_session_state {
    AUTH_SESSION_LIVE,
    AUTH_SESSION_IDLE,     /* unused for idle_minutes */
    AUTH_SESSION_ABSOLUTE, /* older than absolute_hours, however busy */
};
/* A session created at created and last seen at last_seen, at now. *expires
 * (may be NULL) gets when it ends if not used again: the earlier of
 * last_seen + idle and created + absolute. Expired exactly at that instant.
 * The two limits are independent: a last_seen earlier than created (never
 * written by us) is simply idle for longer. */
enum auth_session_state auth_session_check(ms_t created, ms_t last_seen, ms_t now,
                                           const struct password_policy *p, ms_t *expires);
/* Writing last_seen on every request would turn reads into writes: it is
 * written when at least AUTH_TOUCH_MS old (idle expiry is then early by at
 * most that much). Tokens' last_used: at most once a minute. */
#define AUTH_TOUCH_MS (10 * MS_PER_S)
#define AUTH_TOKEN_TOUCH_MS MS_PER_MIN
bool auth_touch_due(ms_t last, ms_t now, ms_t every);

/* Whether a password changed at pw_changed has expired at now (never when the
 * policy's expiry_days is 0). */
bool auth_password_expired(ms_t pw_changed, const struct password_policy *p, ms_t now);

enum auth_token_state { AUTH_TOKEN_OK, AUTH_TOKEN_REVOKED, AUTH_TOKEN_EXPIRED };
/* expires 0 = never; expired from the instant expires. */
enum auth_token_state auth_token_check(bool revoked, ms_t expires, ms_t now);
/* A token acts with its scope, and never with more than its user holds now. */
roleset auth_token_roles(roleset scope, roleset user_now);

/* ---- rate limit keys ----------------------------------------------------------- */
/* The rate-limit key of a client address: an IPv4 address as is, an
 * IPv4-mapped IPv6 address as its IPv4 form, any other IPv6 address as its
 * /64 ("2001:db8:1:2::/64": one host usually holds a whole /64). Anything
 * unparsable is used as given, cut to n - 1 bytes. */
void auth_rate_key(const char *source, char *out, size_t n);

/* ---- security headers -------------------------------------------------------- */
struct auth_header {
    const char *name, *value;
};
#define AUTH_HEADERS_MAX 8
#define AUTH_CSP                                                                          \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "   \
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
/* The headers every answer carries (errors too): CSP, X-Frame-Options,
 * X-Content-Type-Options, Referrer-Policy, Cache-Control no-store, and
 * Strict-Transport-Security when tls. Returns how many were written to out
 * (room for AUTH_HEADERS_MAX). */
size_t auth_security_headers(bool tls, struct auth_header out[AUTH_HEADERS_MAX]);

#endif
