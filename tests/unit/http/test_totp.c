/* The second factor and the first administrator, end to end over 127.0.0.1
 * with a real store: an administrator without TOTP may only enrol; enrolment
 * and confirmation; logins that need the code, refuse a wrong or replayed
 * one, and take a recovery code once; the one-time setup link. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/secret.h"
#include "auth/totp.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/server.h"
#include "t.h"
#include "thelp.h"

#define PW "Admin-Pass-123"

static struct store *S;
static char base[64];

static const char *code_of(const struct answer *a, char *buf, size_t n)
{
    json_t *j = tc_json(a);
    snprintf(buf, n, "%s", tc_str(j, "error", "code") ? tc_str(j, "error", "code") : "");
    json_decref(j);
    return buf;
}

/* A 6-digit code that is not the right one at any of t's three steps. */
static void wrong_code(const char *secret, ms_t t, char out[7])
{
    char c[3][7];
    for (int k = 0; k < 3; k++)
        totp_code(secret, t + (k - 1) * 30 * MS_PER_S, c[k]);
    for (int v = 0; v < 1000000; v++) {
        snprintf(out, 7, "%06d", v);
        if (strcmp(out, c[0]) && strcmp(out, c[1]) && strcmp(out, c[2]))
            return;
    }
}

TEST(administrator_enrols_then_logs_in_with_totp)
{
    int64_t uid = ts_user(S, "sys.admin", PW, 1u << ROLE_SYSADMIN);
    char code[64];
    struct tsess s;
    struct answer a = ts_login(base, "sys.admin", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    json_t *j = tc_json(&a);
    CHECK(json_is_true(json_object_get(j, "must_enrol_2fa")));
    CHECK(json_is_false(json_object_get(j, "must_change_password")));
    json_decref(j);
    tc_free(&a);
    ts_cheapen(S, uid, PW);

    /* nothing but enrolment (and whoami, logout, password) */
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "totp_enrolment_required");
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/session", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    /* confirming before enrolling */
    a = ts_call(base, "POST", "/api/v1/session/totp/confirm", &s, "{\"code\":\"123456\"}", true);
    CHECK_INT(a.status, 409);
    tc_free(&a);

    a = ts_call(base, "POST", "/api/v1/session/totp/enrol", &s, NULL, true);
    CHECK_INT(a.status, 200);
    j = tc_json(&a);
    char secret[TOTP_SECRET_B32];
    snprintf(secret, sizeof secret, "%s", tc_str(j, "secret", NULL) ? tc_str(j, "secret", NULL) : "");
    CHECK_INT(strlen(secret), 32);
    CHECK(tc_str(j, "uri", NULL) && strncmp(tc_str(j, "uri", NULL), "otpauth://totp/", 15) == 0);
    CHECK(tc_has_header(&a, "Cache-Control: no-store"));
    json_decref(j);
    tc_free(&a);
    /* stored sealed, not enabled yet */
    struct user_row u = {0};
    ts_user_get(S, uid, &u);
    CHECK(!u.totp_enabled);
    CHECK(u.totp_sealed && strstr(u.totp_sealed, secret) == NULL);
    store_user_row_release(&u);

    ms_t now = time_now_ms();
    char c[7], bad[7];
    wrong_code(secret, now, bad);
    char body[64];
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", bad);
    a = ts_call(base, "POST", "/api/v1/session/totp/confirm", &s, body, true);
    CHECK_INT(a.status, 400);
    CHECK_STR(code_of(&a, code, sizeof code), "bad_totp");
    tc_free(&a);
    totp_code(secret, now, c);
    snprintf(body, sizeof body, "{\"code\":\"%s\"}", c);
    a = ts_call(base, "POST", "/api/v1/session/totp/confirm", &s, body, true);
    CHECK_INT(a.status, 200);
    j = tc_json(&a);
    json_t *codes = json_object_get(j, "recovery_codes");
    CHECK_INT(json_array_size(codes), RECOVERY_CODES);
    char recovery[32];
    snprintf(recovery, sizeof recovery, "%s",
             json_string_value(json_array_get(codes, 0)) ? json_string_value(json_array_get(codes, 0)) : "");
    CHECK_INT(strlen(recovery), RECOVERY_CODE_LEN);
    json_decref(j);
    tc_free(&a);
    ts_user_get(S, uid, &u);
    CHECK(u.totp_enabled);
    CHECK(u.recovery_hashes && strstr(u.recovery_hashes, recovery) == NULL); /* hashes only */
    store_user_row_release(&u);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.totp_enable", &au));
    CHECK_STR(au.result, "ok");
    CHECK(strstr(au.after, secret) == NULL);

    /* enrolled: the session is whole; enrolling again is refused */
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    a = ts_call(base, "POST", "/api/v1/session/totp/enrol", &s, NULL, true);
    CHECK_INT(a.status, 409);
    tc_free(&a);

    /* logins now need the code */
    a = ts_login(base, "sys.admin", PW, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 401);
    CHECK_STR(code_of(&a, code, sizeof code), "totp_required");
    CHECK(!tc_has_header(&a, "Set-Cookie"));
    tc_free(&a);
    a = ts_login(base, "sys.admin", PW, bad, NULL, NULL, NULL);
    CHECK_INT(a.status, 401);
    CHECK_STR(code_of(&a, code, sizeof code), "bad_totp");
    tc_free(&a);
    /* the code confirmation used is spent (replay); the next step's is good */
    a = ts_login(base, "sys.admin", PW, c, NULL, NULL, NULL);
    CHECK_INT(a.status, 401);
    CHECK_STR(code_of(&a, code, sizeof code), "bad_totp");
    tc_free(&a);
    char next[7];
    totp_code(secret, now + 30 * MS_PER_S, next);
    struct tsess s2;
    a = ts_login(base, "sys.admin", PW, next, NULL, NULL, &s2);
    CHECK_INT(a.status, 200);
    j = tc_json(&a);
    CHECK(json_is_false(json_object_get(j, "must_enrol_2fa")));
    json_decref(j);
    tc_free(&a);
    ts_cheapen(S, uid, PW);
    ts_user_get(S, uid, &u);
    CHECK_INT(u.failed_logins, 0); /* the success cleared the two bad codes */
    store_user_row_release(&u);

    /* a recovery code works once */
    a = ts_login(base, "sys.admin", PW, NULL, recovery, NULL, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    ts_cheapen(S, uid, PW);
    a = ts_login(base, "sys.admin", PW, NULL, recovery, NULL, NULL);
    CHECK_INT(a.status, 401);
    CHECK_STR(code_of(&a, code, sizeof code), "bad_totp");
    tc_free(&a);
    ts_user_get(S, uid, &u);
    json_t *left = json_loads(u.recovery_hashes ? u.recovery_hashes : "[]", 0, NULL);
    CHECK_INT(json_array_size(left), RECOVERY_CODES - 1);
    json_decref(left);
    store_user_row_release(&u);
}

TEST(setup_of_the_first_administrator)
{
    char dir[64];
    struct store *E = ts_open(dir, sizeof dir); /* an empty store */
    ts_policy(E, 1000);
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", E, NULL, NULL, &err);
    CHECK(H != NULL);
    if (!H) {
        ts_close(E, dir);
        return;
    }
    char b[64], code[64];
    snprintf(b, sizeof b, "http://127.0.0.1:%d", http_port(H));
    char *tok = secret_token_new("ywsetup_", 32);
    char hash[TOKEN_HASH_HEX];
    secret_token_hash(tok, hash);
    CHECK_INT(store_setup_create(E, hash, time_now_ms() + MS_PER_H, &err), 0);

    struct treq r = {.method = "POST", .path = "/api/v1/setup"};
    char body[512];
    /* an unknown token, a bad name, a weak password: the link is not spent */
    snprintf(body, sizeof body,
             "{\"token\":\"ywsetup_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\","
             "\"user\":\"root.admin\",\"password\":\"%s\"}",
             PW);
    r.body = body;
    struct answer a = tc_do(b, &r);
    CHECK_INT(a.status, 401);
    tc_free(&a);
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"user\":\"Root Admin\",\"password\":\"%s\"}",
             tok, PW);
    a = tc_do(b, &r);
    CHECK_INT(a.status, 400);
    tc_free(&a);
    snprintf(body, sizeof body, "{\"token\":\"%s\",\"user\":\"root.admin\",\"password\":\"abc\"}",
             tok);
    a = tc_do(b, &r);
    CHECK_INT(a.status, 400);
    tc_free(&a);

    snprintf(body, sizeof body, "{\"token\":\"%s\",\"user\":\"root.admin\",\"password\":\"%s\"}",
             tok, PW);
    a = tc_do(b, &r);
    CHECK_INT(a.status, 201);
    json_t *j = tc_json(&a);
    CHECK_STR(tc_str(j, "user", NULL), "root.admin");
    CHECK_STR(json_string_value(json_array_get(json_object_get(j, "roles"), 0)), "sysadmin");
    json_decref(j);
    tc_free(&a);
    struct ts_audit au;
    CHECK(ts_audit_last(E, "setup.admin", &au));
    CHECK_STR(au.user, "root.admin");
    CHECK_STR(au.object, "user:root.admin");
    /* once only */
    a = tc_do(b, &r);
    CHECK_INT(a.status, 409);
    tc_free(&a);

    /* the new administrator logs in and must enrol a second factor */
    a = ts_login(b, "root.admin", PW, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 200);
    j = tc_json(&a);
    CHECK(json_is_true(json_object_get(j, "must_enrol_2fa")));
    json_decref(j);
    tc_free(&a);
    (void)code;
    xfree(tok);
    http_stop(H);
    ts_close(E, dir);
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

    RUN(administrator_enrols_then_logs_in_with_totp);
    RUN(setup_of_the_first_administrator);

    http_stop(H);
    ts_close(S, dir);
    curl_global_cleanup();
    return t_done();
}
