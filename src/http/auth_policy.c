#include "http/auth_policy.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

enum auth_verdict auth_route_check(const struct route *r, const char *method,
                                   const struct auth_subject *s)
{
    if (r->flags & ROUTE_PUBLIC)
        return AUTH_ALLOW;
    if (!s || !s->who || s->who->user_id == 0)
        return AUTH_UNAUTHENTICATED;
    /* The cookie goes with every request the browser makes, forged ones too;
     * the token is only known to our own pages. Bearer requests come from
     * scripts that hold the secret themselves: nothing to forge. */
    if (s->via_cookie && auth_method_changes(method) &&
        !auth_secret_equal(s->csrf_expected, s->csrf_given))
        return AUTH_CSRF;
    if (s->must_change_pw && !(r->flags & ROUTE_PWCHANGE))
        return AUTH_PW_CHANGE;
    if (s->must_enrol && !(r->flags & ROUTE_ENROL))
        return AUTH_ENROL;
    if (!role_allows(s->who->roles, r->act))
        return AUTH_FORBIDDEN;
    return AUTH_ALLOW;
}

const char *auth_verdict_code(enum auth_verdict v)
{
    switch (v) {
    case AUTH_ALLOW: return "";
    case AUTH_UNAUTHENTICATED: return "unauthorized";
    case AUTH_CSRF: return "csrf";
    case AUTH_PW_CHANGE: return "password_change_required";
    case AUTH_ENROL: return "totp_enrolment_required";
    case AUTH_FORBIDDEN: return "forbidden";
    }
    return "forbidden";
}

int auth_verdict_status(enum auth_verdict v)
{
    switch (v) {
    case AUTH_ALLOW: return 200;
    case AUTH_UNAUTHENTICATED: return 401;
    default: return 403;
    }
}

bool auth_method_changes(const char *method)
{
    return method && (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
                      strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0);
}

bool auth_secret_equal(const char *expected, const char *given)
{
    if (!expected || !given || !*expected)
        return false;
    size_t n = strlen(expected), m = strlen(given);
    /* Walk the expected length whatever given holds, so the time says
     * nothing about the first differing byte. */
    unsigned char diff = (unsigned char)(n != m);
    for (size_t i = 0; i < n; i++)
        diff |= (unsigned char)(expected[i] ^ (i < m ? given[i] : 0));
    return diff == 0;
}

/* ---- lockout ------------------------------------------------------------------- */

bool auth_is_locked(const struct auth_lock *l, ms_t now)
{
    return l->locked_until != 0 && now < l->locked_until;
}

bool auth_lock_fail(struct auth_lock *l, const struct password_policy *p, ms_t now)
{
    int after = p->lock_after > 0 ? p->lock_after : 1;
    int minutes = p->lock_minutes > 0 ? p->lock_minutes : 1;
    if (l->failed < 0)
        l->failed = 0;
    l->failed++;
    if (l->failed < after)
        return false;
    l->failed = 0;
    l->locked_until = now + (ms_t)minutes * MS_PER_MIN;
    return true;
}

void auth_lock_success(struct auth_lock *l)
{
    l->failed = 0;
    l->locked_until = 0;
}

/* ---- sessions, passwords, tokens ------------------------------------------------- */

enum auth_session_state auth_session_check(ms_t created, ms_t last_seen, ms_t now,
                                           const struct password_policy *p, ms_t *expires)
{
    ms_t idle = (ms_t)(p->idle_minutes > 0 ? p->idle_minutes : 1) * MS_PER_MIN;
    ms_t absolute = (ms_t)(p->absolute_hours > 0 ? p->absolute_hours : 1) * MS_PER_H;
    ms_t end_abs = created + absolute, end_idle = last_seen + idle;
    if (expires)
        *expires = end_abs < end_idle ? end_abs : end_idle;
    if (now >= end_abs)
        return AUTH_SESSION_ABSOLUTE;
    if (now >= end_idle)
        return AUTH_SESSION_IDLE;
    return AUTH_SESSION_LIVE;
}

bool auth_touch_due(ms_t last, ms_t now, ms_t every)
{
    /* A clock that went back also rewrites: last_seen must not stay in the
     * future, or the idle timeout would stretch. */
    return now - last >= every || now < last;
}

bool auth_password_expired(ms_t pw_changed, const struct password_policy *p, ms_t now)
{
    if (p->expiry_days <= 0)
        return false;
    return now >= pw_changed + (ms_t)p->expiry_days * MS_PER_DAY;
}

enum auth_token_state auth_token_check(bool revoked, ms_t expires, ms_t now)
{
    if (revoked)
        return AUTH_TOKEN_REVOKED;
    if (expires != 0 && now >= expires)
        return AUTH_TOKEN_EXPIRED;
    return AUTH_TOKEN_OK;
}

roleset auth_token_roles(roleset scope, roleset user_now)
{
    return scope & user_now;
}

/* ---- rate limit keys ------------------------------------------------------------- */

void auth_rate_key(const char *source, char *out, size_t n)
{
    if (n == 0)
        return;
    unsigned char a6[16];
    if (!strchr(source, ':') || inet_pton(AF_INET6, source, a6) != 1) {
        snprintf(out, n, "%s", source);
        return;
    }
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    char text[INET6_ADDRSTRLEN];
    if (memcmp(a6, mapped, sizeof mapped) == 0) {
        if (inet_ntop(AF_INET, a6 + 12, text, sizeof text))
            snprintf(out, n, "%s", text);
        else
            snprintf(out, n, "%s", source);
        return;
    }
    memset(a6 + 8, 0, 8);
    if (inet_ntop(AF_INET6, a6, text, sizeof text))
        snprintf(out, n, "%s/64", text);
    else
        snprintf(out, n, "%s", source);
}

/* ---- security headers ------------------------------------------------------------ */

size_t auth_security_headers(bool tls, struct auth_header out[AUTH_HEADERS_MAX])
{
    size_t n = 0;
    out[n++] = (struct auth_header){"Content-Security-Policy", AUTH_CSP};
    out[n++] = (struct auth_header){"X-Frame-Options", "DENY"};
    out[n++] = (struct auth_header){"X-Content-Type-Options", "nosniff"};
    out[n++] = (struct auth_header){"Referrer-Policy", "no-referrer"};
    /* Answers are live data, often about secrets' owners: never cached. */
    out[n++] = (struct auth_header){"Cache-Control", "no-store"};
    if (tls) /* a year; only sent over TLS, as RFC 6797 requires */
        out[n++] = (struct auth_header){"Strict-Transport-Security", "max-age=31536000"};
    return n;
}
