/* Passwords end to end over 127.0.0.1 with a real store: the first login
 * that must change its password, an expired password, the policy and the
 * history on change, other sessions ended by a change, and disabled
 * accounts. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/api.h"
#include "http/server.h"
#include "t.h"
#include "thelp.h"

#define PW "Initial-Pass-1"
#define PW2 "Second-Pass-22"

static struct store *S;
static char base[64];

static const char *code_of(const struct answer *a, char *buf, size_t n)
{
    json_t *j = tc_json(a);
    snprintf(buf, n, "%s", tc_str(j, "error", "code") ? tc_str(j, "error", "code") : "");
    json_decref(j);
    return buf;
}

static struct answer change(const struct tsess *s, const char *old, const char *new_)
{
    json_t *b = json_pack("{s:s,s:s}", "old", old, "new", new_);
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    struct answer a = ts_call(base, "POST", "/api/v1/session/password", s, text, true);
    free(text);
    return a;
}

TEST(first_login_must_change_the_password)
{
    int64_t uid = ts_user(S, "zhang.san", PW, 1u << ROLE_ENGINEER);
    struct user_row u = {0};
    ts_user_get(S, uid, &u);
    u.must_change_pw = true; /* as an administrator's creation or reset leaves it */
    ts_user_put(S, &u);
    store_user_row_release(&u);
    char code[64];

    /* an older session of the same account, to see it ended later */
    struct tsess old, s;
    struct answer a = ts_login(base, "zhang.san", PW, NULL, NULL, NULL, &old);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    ts_cheapen(S, uid, PW);
    a = ts_login(base, "zhang.san", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    json_t *j = tc_json(&a);
    CHECK(json_is_true(json_object_get(j, "must_change_password")));
    json_decref(j);
    tc_free(&a);
    ts_cheapen(S, uid, PW);

    /* only whoami, logout and the change itself */
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "password_change_required");
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/sessions", &s, NULL, false);
    CHECK_INT(a.status, 403);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/session", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);

    /* wrong old password; a new one the policy refuses; the same one */
    a = change(&s, "not-it", PW2);
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "bad_credentials");
    tc_free(&a);
    ts_user_get(S, uid, &u); /* a wrong old password counts like a failed login */
    CHECK_INT(u.failed_logins, 1);
    store_user_row_release(&u);
    a = change(&s, PW, "short");
    CHECK_INT(a.status, 400);
    j = tc_json(&a);
    CHECK_STR(tc_str(j, "error", "field"), "new");
    json_decref(j);
    tc_free(&a);
    a = change(&s, PW, "zhang.san-Pass-1"); /* contains the user name */
    CHECK_INT(a.status, 400);
    tc_free(&a);
    a = change(&s, PW, PW);
    CHECK_INT(a.status, 400);
    tc_free(&a);
    /* without the CSRF token */
    a = ts_call(base, "POST", "/api/v1/session/password", &s,
                "{\"old\":\"" PW "\",\"new\":\"" PW2 "\"}", false);
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "csrf");
    tc_free(&a);

    a = change(&s, PW, PW2);
    CHECK_INT(a.status, 204);
    tc_free(&a);
    ts_user_get(S, uid, &u);
    CHECK(!u.must_change_pw);
    CHECK(u.pw_changed > time_now_ms() - MS_PER_MIN);
    CHECK_INT(u.failed_logins, 0); /* the success cleared it */
    store_user_row_release(&u);
    /* this session goes on, unlimited; the older one is ended */
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/monitors", &old, NULL, false);
    CHECK_INT(a.status, 401);
    tc_free(&a);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.password", &au));
    CHECK_STR(au.user, "zhang.san");
    CHECK_STR(au.result, "ok");
    CHECK_STR(au.object, "user:zhang.san");

    /* the history: back to the first password is refused */
    ts_cheapen(S, uid, PW2);
    a = change(&s, PW2, PW);
    CHECK_INT(a.status, 400);
    j = tc_json(&a);
    CHECK(strstr(tc_str(j, "error", "message"), "last 5") != NULL);
    json_decref(j);
    tc_free(&a);
    /* the new password logs in, the old does not */
    a = ts_login(base, "zhang.san", PW, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 401);
    tc_free(&a);
    a = ts_login(base, "zhang.san", PW2, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
}

TEST(expired_password_gets_a_limited_session)
{
    int64_t uid = ts_user(S, "li.si", PW, 1u << ROLE_VIEWER);
    struct user_row u = {0};
    ts_user_get(S, uid, &u);
    u.pw_changed = time_now_ms() - 91 * MS_PER_DAY; /* the policy's expiry is 90 days */
    ts_user_put(S, &u);
    store_user_row_release(&u);
    char code[64];

    struct tsess s;
    struct answer a = ts_login(base, "li.si", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "password_expired");
    json_t *j = tc_json(&a);
    json_t *sess = json_object_get(json_object_get(j, "error"), "session");
    CHECK(json_is_true(json_object_get(sess, "must_change_password")));
    json_decref(j);
    CHECK(s.cookie[0] && s.csrf[0]);
    tc_free(&a);
    ts_cheapen(S, uid, PW);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.login", &au));
    CHECK(strncmp(au.result, "ok: password expired", 20) == 0);

    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "password_change_required");
    tc_free(&a);
    a = change(&s, PW, PW2);
    CHECK_INT(a.status, 204);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);
}

TEST(disabled_accounts)
{
    int64_t uid = ts_user(S, "zhao.liu", PW, 1u << ROLE_VIEWER);
    struct tsess s;
    struct answer a = ts_login(base, "zhao.liu", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    ts_cheapen(S, uid, PW);
    char token[64];
    ts_token(S, uid, 1u << ROLE_VIEWER, 0, token);

    struct user_row u = {0};
    ts_user_get(S, uid, &u);
    u.disabled = true;
    ts_user_put(S, &u);
    store_user_row_release(&u);
    char code[64];

    /* the right password: "disabled"; a wrong one: nothing more than wrong */
    a = ts_login(base, "zhao.liu", PW, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "disabled");
    CHECK(!tc_has_header(&a, "Set-Cookie"));
    tc_free(&a);
    a = ts_login(base, "zhao.liu", "wrong-one", NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 401);
    CHECK_STR(code_of(&a, code, sizeof code), "bad_credentials");
    tc_free(&a);
    /* the session and the token it had stop working */
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 401);
    tc_free(&a);
    struct treq r = {.method = "GET", .path = "/api/v1/monitors", .bearer = token};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 401);
    tc_free(&a);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    char dir[64];
    S = ts_open(dir, sizeof dir);
    ts_policy(S, 1000);
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", S, NULL, NULL, &err);
    if (!H) {
        printf("Bail out! http_start: %s\n", err.msg);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", http_port(H));

    RUN(first_login_must_change_the_password);
    RUN(expired_password_gets_a_limited_session);
    RUN(disabled_accounts);

    http_stop(H);
    ts_close(S, dir);
    curl_global_cleanup();
    return t_done();
}
