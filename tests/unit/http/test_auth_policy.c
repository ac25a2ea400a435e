/* Unit tests of the security layer's pure parts with a fixed clock: the
 * central route check (CSRF, limited sessions, roles), lockout, session and
 * password expiry, token state, the rate limiter's window and table, the
 * cookie and Authorization parsers, the body parsers, the security headers
 * and the masking of secrets for the audit trail. Expectations are worked
 * out by hand in the comments. */
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "http/api.h"
#include "http/auth_parse.h"
#include "http/auth_policy.h"
#include "http/auth_ratelimit.h"
#include "t.h"

#define T0 ((ms_t)1764115200000) /* 2025-11-26T00:00:00Z */

static const struct password_policy POL = PASSWORD_POLICY_DEFAULT;

static void nop(const struct http_req *rq, struct http_resp *rs)
{
    (void)rq, (void)rs;
}

static struct principal user_with(roleset rs)
{
    struct principal p = {.user_id = 7, .roles = rs};
    snprintf(p.user, sizeof p.user, "li.lei");
    return p;
}

#define R(r) (1u << (r))

/* ---- the central check ------------------------------------------------------------ */

TEST(route_check_by_hand)
{
    const struct route pub = {"POST", "/api/v1/session", nop, ACT_SELF, ROUTE_PUBLIC, NULL, NULL};
    const struct route mon_w = {"POST", "/api/v1/monitors", nop, ACT_MONITOR_WRITE, 0, NULL, NULL};
    const struct route mon_r = {"GET", "/api/v1/monitors", nop, ACT_OPS_READ, 0, NULL, NULL};
    const struct route pause = {"POST", "/api/v1/monitors/{id}/pause", nop, ACT_MONITOR_OPERATE,
                                0, NULL, NULL};

    /* anonymous: public yes, anything else 401 */
    struct auth_subject anon = {0};
    CHECK_INT(auth_route_check(&pub, "POST", &anon), AUTH_ALLOW);
    CHECK_INT(auth_route_check(&mon_r, "GET", &anon), AUTH_UNAUTHENTICATED);
    CHECK_INT(auth_route_check(&mon_r, "GET", NULL), AUTH_UNAUTHENTICATED);
    struct principal nobody = {.roles = ROLESET_ADMINS}; /* roles without a user: still nobody */
    anon.who = &nobody;
    CHECK_INT(auth_route_check(&mon_r, "GET", &anon), AUTH_UNAUTHENTICATED);

    /* the brief's samples: viewer cannot POST monitors, auditadmin cannot
     * even read them, engineer can pause */
    struct principal viewer = user_with(R(ROLE_VIEWER));
    struct principal auditor = user_with(R(ROLE_AUDITADMIN));
    struct principal engineer = user_with(R(ROLE_ENGINEER));
    struct auth_subject s = {.who = &viewer};
    CHECK_INT(auth_route_check(&mon_w, "POST", &s), AUTH_FORBIDDEN);
    CHECK_INT(auth_route_check(&mon_r, "GET", &s), AUTH_ALLOW);
    s.who = &auditor;
    CHECK_INT(auth_route_check(&mon_r, "GET", &s), AUTH_FORBIDDEN);
    s.who = &engineer;
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_ALLOW);
    CHECK_INT(auth_route_check(&mon_w, "POST", &s), AUTH_FORBIDDEN);
    /* no roles at all (a token whose scope the account no longer holds) */
    struct principal empty = user_with(0);
    s.who = &empty;
    CHECK_INT(auth_route_check(&mon_r, "GET", &s), AUTH_FORBIDDEN);

    CHECK_STR(auth_verdict_code(AUTH_FORBIDDEN), "forbidden");
    CHECK_INT(auth_verdict_status(AUTH_FORBIDDEN), 403);
    CHECK_STR(auth_verdict_code(AUTH_UNAUTHENTICATED), "unauthorized");
    CHECK_INT(auth_verdict_status(AUTH_UNAUTHENTICATED), 401);
    CHECK_STR(auth_verdict_code(AUTH_CSRF), "csrf");
    CHECK_STR(auth_verdict_code(AUTH_PW_CHANGE), "password_change_required");
    CHECK_STR(auth_verdict_code(AUTH_ENROL), "totp_enrolment_required");
}

TEST(csrf_only_for_cookie_changes)
{
    const struct route pause = {"POST", "/api/v1/monitors/{id}/pause", nop, ACT_MONITOR_OPERATE,
                                0, NULL, NULL};
    const struct route read = {"GET", "/api/v1/monitors", nop, ACT_OPS_READ, 0, NULL, NULL};
    const struct route login = {"POST", "/api/v1/session", nop, ACT_SELF, ROUTE_PUBLIC, NULL,
                                NULL};
    struct principal eng = user_with(R(ROLE_ENGINEER));
    struct auth_subject s = {.who = &eng, .via_cookie = true, .csrf_expected = "ywc_abc123"};
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_CSRF); /* no header */
    s.csrf_given = "";
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_CSRF);
    s.csrf_given = "ywc_abc12";
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_CSRF); /* a prefix */
    s.csrf_given = "ywc_abc1234";
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_CSRF); /* longer */
    s.csrf_given = "ywc_abc123";
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_ALLOW);
    /* every changing method, never the reading ones */
    s.csrf_given = NULL;
    CHECK_INT(auth_route_check(&pause, "PUT", &s), AUTH_CSRF);
    CHECK_INT(auth_route_check(&pause, "PATCH", &s), AUTH_CSRF);
    CHECK_INT(auth_route_check(&pause, "DELETE", &s), AUTH_CSRF);
    CHECK_INT(auth_route_check(&read, "GET", &s), AUTH_ALLOW);
    CHECK_INT(auth_route_check(&read, "HEAD", &s), AUTH_ALLOW);
    /* a Bearer token needs none */
    s.via_cookie = false;
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_ALLOW);
    /* a session whose token is empty can never pass */
    s = (struct auth_subject){.who = &eng, .via_cookie = true, .csrf_expected = "",
                              .csrf_given = ""};
    CHECK_INT(auth_route_check(&pause, "POST", &s), AUTH_CSRF);
    /* the public login is not held to a session it does not need */
    CHECK_INT(auth_route_check(&login, "POST", &s), AUTH_ALLOW);

    CHECK(auth_secret_equal("a", "a"));
    CHECK(!auth_secret_equal("a", "b"));
    CHECK(!auth_secret_equal(NULL, "a"));
    CHECK(!auth_secret_equal("a", NULL));
    CHECK(!auth_secret_equal("", ""));
    CHECK(auth_method_changes("POST") && auth_method_changes("DELETE"));
    CHECK(!auth_method_changes("GET") && !auth_method_changes("HEAD") &&
          !auth_method_changes("OPTIONS") && !auth_method_changes(NULL));
}

TEST(limited_sessions)
{
    const struct route whoami = {"GET", "/api/v1/session", nop, ACT_SELF,
                                 ROUTE_PWCHANGE | ROUTE_ENROL, NULL, NULL};
    const struct route pw = {"POST", "/api/v1/session/password", nop, ACT_SELF,
                             ROUTE_PWCHANGE | ROUTE_ENROL, NULL, NULL};
    const struct route enrol = {"POST", "/api/v1/session/totp/enrol", nop, ACT_SELF, ROUTE_ENROL,
                                NULL, NULL};
    const struct route read = {"GET", "/api/v1/monitors", nop, ACT_OPS_READ, 0, NULL, NULL};
    struct principal admin = user_with(R(ROLE_SYSADMIN));
    struct auth_subject s = {.who = &admin, .must_change_pw = true, .must_enrol = true};
    /* the password comes first, then the second factor */
    CHECK_INT(auth_route_check(&read, "GET", &s), AUTH_PW_CHANGE);
    CHECK_INT(auth_route_check(&enrol, "POST", &s), AUTH_PW_CHANGE);
    CHECK_INT(auth_route_check(&pw, "POST", &s), AUTH_ALLOW);
    CHECK_INT(auth_route_check(&whoami, "GET", &s), AUTH_ALLOW);
    s.must_change_pw = false;
    CHECK_INT(auth_route_check(&read, "GET", &s), AUTH_ENROL);
    CHECK_INT(auth_route_check(&enrol, "POST", &s), AUTH_ALLOW);
    s.must_enrol = false;
    CHECK_INT(auth_route_check(&read, "GET", &s), AUTH_ALLOW);
    /* the limits never grant what the roles do not */
    struct principal none = user_with(0);
    s = (struct auth_subject){.who = &none, .must_change_pw = true};
    CHECK_INT(auth_route_check(&pw, "POST", &s), AUTH_FORBIDDEN);
}

/* ---- lockout ------------------------------------------------------------------------ */

TEST(lockout_arithmetic)
{
    struct password_policy p = POL; /* 5 failures, 30 minutes */
    struct auth_lock l = {0};
    for (int i = 1; i <= 4; i++) {
        CHECK(!auth_lock_fail(&l, &p, T0 + i * MS_PER_S));
        CHECK_INT(l.failed, i);
        CHECK(!auth_is_locked(&l, T0 + i * MS_PER_S));
    }
    /* the 5th at T0+5s locks until T0+5s+30min and restarts the count */
    CHECK(auth_lock_fail(&l, &p, T0 + 5 * MS_PER_S));
    CHECK_INT(l.failed, 0);
    CHECK_INT(l.locked_until, T0 + 5 * MS_PER_S + 30 * MS_PER_MIN);
    CHECK(auth_is_locked(&l, T0 + 5 * MS_PER_S));
    CHECK(auth_is_locked(&l, l.locked_until - 1));
    CHECK(!auth_is_locked(&l, l.locked_until)); /* unlocked at that very instant */
    /* after the lock, four more failures do not lock again; the fifth does */
    ms_t t = l.locked_until;
    for (int i = 0; i < 4; i++)
        CHECK(!auth_lock_fail(&l, &p, t + i));
    CHECK(auth_lock_fail(&l, &p, t + 10));
    CHECK_INT(l.locked_until, t + 10 + 30 * MS_PER_MIN);
    /* a success forgets both */
    auth_lock_success(&l);
    CHECK_INT(l.failed, 0);
    CHECK_INT(l.locked_until, 0);
    CHECK(!auth_is_locked(&l, t));
    /* consecutive means consecutive: 4 failures, a success, 4 failures */
    for (int i = 0; i < 4; i++)
        auth_lock_fail(&l, &p, T0);
    auth_lock_success(&l);
    for (int i = 0; i < 4; i++)
        CHECK(!auth_lock_fail(&l, &p, T0));
    /* lock_after 1: the first failure locks; a nonsense 0 acts as 1 */
    p.lock_after = 1;
    p.lock_minutes = 1;
    l = (struct auth_lock){0};
    CHECK(auth_lock_fail(&l, &p, T0));
    CHECK_INT(l.locked_until, T0 + MS_PER_MIN);
    p.lock_after = 0;
    p.lock_minutes = 0;
    l = (struct auth_lock){0};
    CHECK(auth_lock_fail(&l, &p, T0));
    CHECK_INT(l.locked_until, T0 + MS_PER_MIN);
}

/* ---- sessions, passwords, tokens --------------------------------------------------------- */

TEST(session_idle_and_absolute_expiry)
{
    ms_t exp = 0;
    /* idle 30 min, absolute 12 h; created and last seen at T0 */
    CHECK_INT(auth_session_check(T0, T0, T0, &POL, &exp), AUTH_SESSION_LIVE);
    CHECK_INT(exp, T0 + 30 * MS_PER_MIN);
    CHECK_INT(auth_session_check(T0, T0, T0 + 30 * MS_PER_MIN - 1, &POL, NULL),
              AUTH_SESSION_LIVE);
    CHECK_INT(auth_session_check(T0, T0, T0 + 30 * MS_PER_MIN, &POL, NULL), AUTH_SESSION_IDLE);
    /* busy all day: used a minute ago, yet past 12 h it ends */
    ms_t t = T0 + 12 * MS_PER_H;
    CHECK_INT(auth_session_check(T0, t - MS_PER_MIN, t - 1, &POL, &exp), AUTH_SESSION_LIVE);
    CHECK_INT(exp, T0 + 12 * MS_PER_H); /* the absolute end comes first */
    CHECK_INT(auth_session_check(T0, t - MS_PER_MIN, t, &POL, NULL), AUTH_SESSION_ABSOLUTE);
    /* both passed: absolute is reported */
    CHECK_INT(auth_session_check(T0, T0, t, &POL, NULL), AUTH_SESSION_ABSOLUTE);
    /* the limits are independent: a last_seen before created is just idle longer */
    CHECK_INT(auth_session_check(T0, T0 - 29 * MS_PER_MIN, T0 + MS_PER_MIN - 1, &POL, &exp),
              AUTH_SESSION_LIVE);
    CHECK_INT(exp, T0 + MS_PER_MIN);
    CHECK_INT(auth_session_check(T0, T0 - 29 * MS_PER_MIN, T0 + MS_PER_MIN, &POL, NULL),
              AUTH_SESSION_IDLE);
    /* the policy is read: idle 1 minute, absolute 1 hour */
    struct password_policy p = POL;
    p.idle_minutes = 1;
    p.absolute_hours = 1;
    CHECK_INT(auth_session_check(T0, T0, T0 + MS_PER_MIN, &p, NULL), AUTH_SESSION_IDLE);
    CHECK_INT(auth_session_check(T0, T0 + 59 * MS_PER_MIN, T0 + MS_PER_H, &p, NULL),
              AUTH_SESSION_ABSOLUTE);

    CHECK(!auth_touch_due(T0, T0 + AUTH_TOUCH_MS - 1, AUTH_TOUCH_MS));
    CHECK(auth_touch_due(T0, T0 + AUTH_TOUCH_MS, AUTH_TOUCH_MS));
    CHECK(auth_touch_due(T0, T0 - 1, AUTH_TOUCH_MS)); /* the clock went back */
    CHECK(auth_touch_due(0, T0, AUTH_TOKEN_TOUCH_MS)); /* never used */
}

TEST(password_and_token_expiry)
{
    /* 90 days */
    CHECK(!auth_password_expired(T0, &POL, T0 + 90 * MS_PER_DAY - 1));
    CHECK(auth_password_expired(T0, &POL, T0 + 90 * MS_PER_DAY));
    CHECK(auth_password_expired(0, &POL, T0)); /* never changed: expired */
    struct password_policy never = POL;
    never.expiry_days = 0;
    CHECK(!auth_password_expired(0, &never, T0));

    CHECK_INT(auth_token_check(false, 0, T0), AUTH_TOKEN_OK); /* never expires */
    CHECK_INT(auth_token_check(false, T0 + 1, T0), AUTH_TOKEN_OK);
    CHECK_INT(auth_token_check(false, T0, T0), AUTH_TOKEN_EXPIRED);
    CHECK_INT(auth_token_check(true, 0, T0), AUTH_TOKEN_REVOKED);
    CHECK_INT(auth_token_check(true, T0 - 1, T0), AUTH_TOKEN_REVOKED);
    /* scope ∩ the roles held now */
    CHECK_INT(auth_token_roles(R(ROLE_ENGINEER) | R(ROLE_VIEWER), R(ROLE_VIEWER)),
              R(ROLE_VIEWER));
    CHECK_INT(auth_token_roles(R(ROLE_ENGINEER), R(ROLE_VIEWER)), 0);
}

/* ---- rate limit ---------------------------------------------------------------------------- */

TEST(rate_window_arithmetic)
{
    struct rl_window w = {0};
    int retry = 0;
    /* 3 a minute: hits at T0, T0+1s, T0+2s pass; the 4th at T0+10s waits
     * until T0+60s: 50 s */
    CHECK(rl_window_hit(&w, T0, 3, &retry));
    CHECK(rl_window_hit(&w, T0 + MS_PER_S, 3, &retry));
    CHECK(rl_window_hit(&w, T0 + 2 * MS_PER_S, 3, &retry));
    CHECK(!rl_window_hit(&w, T0 + 10 * MS_PER_S, 3, &retry));
    CHECK_INT(retry, 50);
    CHECK_INT(w.count, 3); /* a refused hit is not counted */
    /* 1 ms before the end: rounded up to 1 s, never 0 */
    CHECK(!rl_window_hit(&w, T0 + RL_WINDOW_MS - 1, 3, &retry));
    CHECK_INT(retry, 1);
    /* 59.5 s left rounds up to 60 */
    struct rl_window w2 = {.start = T0, .count = 3};
    CHECK(!rl_window_hit(&w2, T0 + 500, 3, &retry));
    CHECK_INT(retry, 60);
    /* a new window at T0+60s */
    CHECK(rl_window_hit(&w, T0 + RL_WINDOW_MS, 3, &retry));
    CHECK_INT(w.start, T0 + RL_WINDOW_MS);
    CHECK_INT(w.count, 1);
    /* the clock went back: a fresh window, not a stuck one */
    CHECK(rl_window_hit(&w, T0, 3, NULL));
    CHECK_INT(w.start, T0);
    /* a limit below 1 counts as 1 */
    w = (struct rl_window){0};
    CHECK(rl_window_hit(&w, T0, 0, NULL));
    CHECK(!rl_window_hit(&w, T0, 0, NULL));
}

TEST(rate_table_is_bounded)
{
    struct ratelimit *rl = rl_new(3);
    int retry;
    CHECK(rl_hit(rl, "10.0.0.1", T0, 2, &retry));
    CHECK(rl_hit(rl, "10.0.0.1", T0, 2, &retry));
    CHECK(!rl_hit(rl, "10.0.0.1", T0, 2, &retry)); /* a key keeps its count */
    CHECK(rl_hit(rl, "10.0.0.2", T0 + 1, 2, &retry));
    CHECK(rl_hit(rl, "10.0.0.3", T0 + 2, 2, &retry));
    CHECK_INT(rl_size(rl), 3);
    /* full, nothing expired: the oldest window (10.0.0.1's) goes */
    CHECK(rl_hit(rl, "10.0.0.4", T0 + 3, 2, &retry));
    CHECK_INT(rl_size(rl), 3);
    CHECK(rl_hit(rl, "10.0.0.2", T0 + 4, 2, &retry)); /* kept: its 2nd hit */
    CHECK(!rl_hit(rl, "10.0.0.2", T0 + 5, 2, &retry));
    /* a minute later every window has passed: they all make room at once */
    ms_t t = T0 + RL_WINDOW_MS + 10;
    CHECK(rl_hit(rl, "10.0.0.5", t, 2, &retry));
    CHECK_INT(rl_size(rl), 1);
    CHECK(rl_hit(rl, "10.0.0.2", t, 2, &retry));
    CHECK_INT(rl_size(rl), 2);
    /* many keys through a small table: never more than cap */
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "192.0.2.%d", i);
        rl_hit(rl, key, t + i, 2, NULL);
        CHECK(rl_size(rl) <= 3);
    }
    /* a long key is cut, not refused; an empty one is one key */
    char longkey[200];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    CHECK(rl_hit(rl, longkey, t, 1, NULL));
    CHECK(!rl_hit(rl, longkey, t, 1, NULL));
    CHECK(rl_hit(rl, "", t, 1, NULL));
    CHECK(!rl_hit(rl, NULL, t, 1, NULL));
    rl_free(rl);
    rl_free(NULL);

    /* the default size holds 10,000 addresses at once */
    rl = rl_new(RL_CAP_DEFAULT);
    for (int i = 0; i < RL_CAP_DEFAULT; i++) {
        snprintf(key, sizeof key, "10.%d.%d.%d", i >> 16, (i >> 8) & 255, i & 255);
        rl_hit(rl, key, T0, 10, NULL);
    }
    CHECK_INT(rl_size(rl), RL_CAP_DEFAULT);
    CHECK(!rl_hit(rl, "10.0.0.0", T0, 1, NULL)); /* the first is still counted */
    rl_free(rl);
}

TEST(rate_keys)
{
    char k[64];
    auth_rate_key("192.0.2.7", k, sizeof k);
    CHECK_STR(k, "192.0.2.7");
    auth_rate_key("2001:db8:1:2:3:4:5:6", k, sizeof k);
    CHECK_STR(k, "2001:db8:1:2::/64");
    auth_rate_key("2001:db8:1:2:ffff::1", k, sizeof k);
    CHECK_STR(k, "2001:db8:1:2::/64"); /* same /64, same key */
    auth_rate_key("::ffff:192.0.2.7", k, sizeof k);
    CHECK_STR(k, "192.0.2.7");
    auth_rate_key("::1", k, sizeof k);
    CHECK_STR(k, "::/64");
    auth_rate_key("not an address", k, sizeof k);
    CHECK_STR(k, "not an address");
    auth_rate_key("", k, sizeof k);
    CHECK_STR(k, "");
    char small[8];
    auth_rate_key("2001:db8:1:2:3:4:5:6", small, sizeof small);
    CHECK_INT(strlen(small), 7);
}

/* ---- parsers --------------------------------------------------------------------------------- */

TEST(cookie_parser)
{
    char v[COOKIE_VALUE_MAX + 1];
    const char *sid = "yws_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    char hdr[512];
    snprintf(hdr, sizeof hdr, "yw_session=%s", sid);
    CHECK_INT(cookie_get(hdr, "yw_session", v, sizeof v), 1);
    CHECK_STR(v, sid);
    /* among others, with blanks, quoted */
    snprintf(hdr, sizeof hdr, "theme=dark;  yw_session = \"%s\" ;lang=zh", sid);
    CHECK_INT(cookie_get(hdr, "yw_session", v, sizeof v), 1);
    CHECK_STR(v, sid);
    CHECK_INT(cookie_get(hdr, "lang", v, sizeof v), 1);
    CHECK_STR(v, "zh");
    /* a name that only contains ours, or is contained in it */
    CHECK_INT(cookie_get("xyw_session=1; yw_session_old=2", "yw_session", v, sizeof v), 0);
    /* the first well-formed one wins; malformed pairs are skipped */
    CHECK_INT(cookie_get("junk; =x; yw_session=a\"b; yw_session=good; yw_session=late",
                         "yw_session", v, sizeof v),
              1);
    CHECK_STR(v, "good");
    /* empty value, absent, NULL */
    CHECK_INT(cookie_get("yw_session=", "yw_session", v, sizeof v), 1);
    CHECK_STR(v, "");
    CHECK_INT(cookie_get("a=b", "yw_session", v, sizeof v), 0);
    CHECK_INT(cookie_get(NULL, "yw_session", v, sizeof v), 0);
    CHECK_INT(cookie_get(";;;;", "yw_session", v, sizeof v), 0);
    /* control characters, spaces, commas, backslashes inside a value */
    CHECK_INT(cookie_get("yw_session=a b", "yw_session", v, sizeof v), 0);
    CHECK_INT(cookie_get("yw_session=a,b", "yw_session", v, sizeof v), 0);
    CHECK_INT(cookie_get("yw_session=a\\b", "yw_session", v, sizeof v), 0);
    CHECK_INT(cookie_get("yw_session=\x01", "yw_session", v, sizeof v), 0);
    CHECK_INT(cookie_get("yw_session=\xe4\xb8\xad", "yw_session", v, sizeof v), 0);
    /* too long for out, or for any of ours */
    char small[8];
    CHECK_INT(cookie_get("yw_session=123456789", "yw_session", small, sizeof small), 0);
    CHECK_INT(cookie_get("yw_session=1234567", "yw_session", small, sizeof small), 1);
    char *big = xmalloc(COOKIE_VALUE_MAX + 32);
    snprintf(big, COOKIE_VALUE_MAX + 32, "yw_session=");
    memset(big + 11, 'a', COOKIE_VALUE_MAX + 1);
    big[11 + COOKIE_VALUE_MAX + 1] = '\0';
    CHECK_INT(cookie_get(big, "yw_session", v, sizeof v), 0);
    xfree(big);
    /* past the pair limit the rest is not read */
    char many[COOKIE_PAIRS_MAX * 6 + 64] = "";
    for (int i = 0; i < COOKIE_PAIRS_MAX; i++)
        strcat(many, "a=1; ");
    strcat(many, "yw_session=x");
    CHECK_INT(cookie_get(many, "yw_session", v, sizeof v), 0);
}

TEST(bearer_parser_and_token_shapes)
{
    char t[AUTH_TOKEN_MAX + 1];
    const char *tok = "ywt_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
    char hdr[300];
    snprintf(hdr, sizeof hdr, "Bearer %s", tok);
    CHECK_INT(auth_bearer_parse(hdr, t, sizeof t), 1);
    CHECK_STR(t, tok);
    snprintf(hdr, sizeof hdr, "bearer    %s  ", tok);
    CHECK_INT(auth_bearer_parse(hdr, t, sizeof t), 1);
    CHECK_STR(t, tok);
    CHECK_INT(auth_bearer_parse(NULL, t, sizeof t), 0);
    CHECK_INT(auth_bearer_parse("", t, sizeof t), 0);
    /* another scheme is not ours: absent, so that a cookie may still count */
    CHECK_INT(auth_bearer_parse("Basic dXNlcjpwYXNz", t, sizeof t), 0);
    CHECK_INT(auth_bearer_parse("BearerX abc", t, sizeof t), 0);
    CHECK_INT(auth_bearer_parse("Bear", t, sizeof t), 0);
    /* a Bearer header without a usable token is refused */
    CHECK_INT(auth_bearer_parse("Bearer", t, sizeof t), -1);
    CHECK_INT(auth_bearer_parse("Bearer ", t, sizeof t), -1);
    CHECK_INT(auth_bearer_parse("Bearer a b", t, sizeof t), -1);
    CHECK_INT(auth_bearer_parse("Bearer a\"b", t, sizeof t), -1);
    char *big = xmalloc(AUTH_TOKEN_MAX + 16);
    memcpy(big, "Bearer ", 7);
    memset(big + 7, 'a', AUTH_TOKEN_MAX + 1);
    big[7 + AUTH_TOKEN_MAX + 1] = '\0';
    CHECK_INT(auth_bearer_parse(big, t, sizeof t), -1);
    big[7 + AUTH_TOKEN_MAX] = '\0'; /* exactly the limit */
    CHECK_INT(auth_bearer_parse(big, t, sizeof t), 1);
    xfree(big);

    CHECK(auth_token_well_formed(tok, "ywt_"));
    CHECK(!auth_token_well_formed(tok, "yws_"));
    CHECK(!auth_token_well_formed("ywt_short", "ywt_"));
    CHECK(!auth_token_well_formed("ywt_abcdefghijklmnop=", "ywt_"));
    CHECK(auth_token_well_formed("ywt_abcdefghijklmnop", "ywt_")); /* 16 */
    CHECK(!auth_token_well_formed(NULL, "ywt_"));

    char id[AUTH_SESSION_PUBID_LEN + 1];
    auth_session_pubid("0123456789abcdef0123", id);
    CHECK_STR(id, "0123456789ab");
    CHECK(auth_session_pubid_valid("0123456789ab"));
    CHECK(!auth_session_pubid_valid("0123456789a"));
    CHECK(!auth_session_pubid_valid("0123456789AB"));
    CHECK(!auth_session_pubid_valid("0123456789abc"));
    CHECK(!auth_session_pubid_valid(NULL));
}

static int parse_login(const char *text, struct auth_login_body *b, struct yw_err *err)
{
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
    int rc = auth_login_body_parse(j, b, err);
    json_decref(j);
    return rc;
}

TEST(body_parsers)
{
    struct auth_login_body b;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(parse_login("{\"user\":\"li\",\"password\":\"pw\"}", &b, &err), 0);
    CHECK_STR(b.user, "li");
    CHECK_STR(b.password, "pw");
    CHECK_STR(b.totp, "");
    CHECK_INT(parse_login("{\"user\":\"li\",\"password\":\"pw\",\"totp\":\"123456\","
                          "\"recovery_code\":null}",
                          &b, &err),
              0);
    CHECK_STR(b.totp, "123456");
    CHECK_STR(b.recovery, "");

    err = (struct yw_err)YW_ERR_INIT;
    CHECK_INT(parse_login("{\"user\":\"li\"}", &b, &err), -1);
    CHECK_STR(err.field, "password");
    CHECK_INT(parse_login("{\"user\":\"\",\"password\":\"x\"}", &b, &err), -1);
    CHECK_STR(err.field, "user");
    CHECK_INT(parse_login("{\"user\":7,\"password\":\"x\"}", &b, &err), -1);
    CHECK_STR(err.field, "user");
    CHECK_INT(parse_login("{\"user\":\"li\",\"password\":\"x\",\"admin\":true}", &b, &err), -1);
    CHECK_STR(err.field, "body");
    CHECK(strstr(err.msg, "admin") != NULL);
    CHECK_INT(parse_login("{\"user\":\"li\",\"password\":\"a\\u0000b\"}", &b, &err), -1);
    CHECK_STR(err.field, "password");
    CHECK_INT(parse_login("[1]", &b, &err), -1);
    CHECK_INT(auth_login_body_parse(NULL, &b, &err), -1);
    /* limits: 64 bytes of user name, PASSWORD_MAX of password */
    char text[1024];
    char name[AUTH_USER_MAX + 2];
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(text, sizeof text, "{\"user\":\"%s\",\"password\":\"x\"}", name);
    CHECK_INT(parse_login(text, &b, &err), -1);
    CHECK_STR(err.field, "user");
    name[AUTH_USER_MAX] = '\0';
    snprintf(text, sizeof text, "{\"user\":\"%s\",\"password\":\"x\"}", name);
    CHECK_INT(parse_login(text, &b, &err), 0);
    char pw[PASSWORD_MAX + 2];
    memset(pw, 'p', sizeof pw - 1);
    pw[sizeof pw - 1] = '\0';
    snprintf(text, sizeof text, "{\"user\":\"li\",\"password\":\"%s\"}", pw);
    CHECK_INT(parse_login(text, &b, &err), -1);
    CHECK_STR(err.field, "password");

    struct auth_password_body pb;
    json_t *j = json_pack("{s:s,s:s}", "old", "a", "new", "b");
    CHECK_INT(auth_password_body_parse(j, &pb, &err), 0);
    CHECK_STR(pb.old, "a");
    CHECK_STR(pb.new_, "b");
    json_decref(j);
    struct auth_code_body cb;
    j = json_pack("{s:i}", "code", 123456);
    CHECK_INT(auth_code_body_parse(j, &cb, &err), -1);
    CHECK_STR(err.field, "code");
    json_decref(j);
    struct auth_setup_body sb;
    j = json_pack("{s:s,s:s}", "token", "ywsetup_x", "user", "admin");
    CHECK_INT(auth_setup_body_parse(j, &sb, &err), -1);
    CHECK_STR(err.field, "password");
    json_decref(j);
}

/* ---- headers and masking ------------------------------------------------------------------------- */

TEST(security_headers)
{
    struct auth_header h[AUTH_HEADERS_MAX];
    size_t n = auth_security_headers(false, h);
    CHECK_INT(n, 5);
    bool csp = false, hsts = false;
    for (size_t i = 0; i < n; i++) {
        csp |= strcmp(h[i].name, "Content-Security-Policy") == 0 &&
               strstr(h[i].value, "script-src 'self'") && !strstr(h[i].value, "unsafe-inline");
        hsts |= strcmp(h[i].name, "Strict-Transport-Security") == 0;
    }
    CHECK(csp);
    CHECK(!hsts);
    n = auth_security_headers(true, h);
    CHECK_INT(n, 6);
    CHECK_STR(h[5].name, "Strict-Transport-Security");
}

TEST(masking_for_the_audit_trail)
{
    json_t *j = json_loads(
        "{\"name\":\"db\",\"password\":\"s3cret\",\"sslpassword\":\"x\",\"api_token\":\"t\","
        "\"must_change_password\":true,\"password_changed\":\"2026-11-25T10:00:00+08:00\","
        "\"password_set\":false,"
        "\"push_url\":\"/api/v1/push/abc\",\"nested\":[{\"secret\":\"y\",\"ok\":1}],"
        "\"signing_key\":\"k\",\"keyword\":\"kw\",\"new\":\"pw2\",\"token\":null}",
        0, NULL);
    api_mask_secrets(j);
#define S(k) json_string_value(json_object_get(j, k))
    CHECK_STR(S("name"), "db");
    CHECK_STR(S("password"), "***");
    CHECK_STR(S("sslpassword"), "***");
    CHECK_STR(S("api_token"), "***");
    CHECK_STR(S("push_url"), "***");
    CHECK_STR(S("signing_key"), "***");
    CHECK_STR(S("new"), "***");
    CHECK_STR(S("keyword"), "kw");
    /* flags and times about passwords are not secrets */
    CHECK(json_is_true(json_object_get(j, "must_change_password")));
    CHECK(json_is_false(json_object_get(j, "password_set")));
    CHECK_STR(S("password_changed"), "2026-11-25T10:00:00+08:00");
    CHECK(json_is_null(json_object_get(j, "token"))); /* nothing to hide */
    json_t *n0 = json_array_get(json_object_get(j, "nested"), 0);
    CHECK_STR(json_string_value(json_object_get(n0, "secret")), "***");
    CHECK_INT(json_integer_value(json_object_get(n0, "ok")), 1);
#undef S
    json_decref(j);
    api_mask_secrets(NULL);
}

int main(void)
{
    RUN(route_check_by_hand);
    RUN(csrf_only_for_cookie_changes);
    RUN(limited_sessions);
    RUN(lockout_arithmetic);
    RUN(session_idle_and_absolute_expiry);
    RUN(password_and_token_expiry);
    RUN(rate_window_arithmetic);
    RUN(rate_table_is_bounded);
    RUN(rate_keys);
    RUN(cookie_parser);
    RUN(bearer_parser_and_token_shapes);
    RUN(body_parsers);
    RUN(security_headers);
    RUN(masking_for_the_audit_trail);
    return t_done();
}
