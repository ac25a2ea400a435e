/* Permissions, API tokens, the rate limit and the audit of changes, end to
 * end over 127.0.0.1 with a real store (monitoring handlers stubbed). */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/secret.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/server.h"
#include "t.h"
#include "thelp.h"

static struct store *S;
static char base[64];

static const char *code_of(const struct answer *a, char *buf, size_t n)
{
    json_t *j = tc_json(a);
    snprintf(buf, n, "%s", tc_str(j, "error", "code") ? tc_str(j, "error", "code") : "");
    json_decref(j);
    return buf;
}

static const char *message_of(const struct answer *a, char *buf, size_t n)
{
    json_t *j = tc_json(a);
    snprintf(buf, n, "%s", tc_str(j, "error", "message") ? tc_str(j, "error", "message") : "");
    json_decref(j);
    return buf;
}

static struct answer with_token(const char *method, const char *path, const char *token,
                                const char *body)
{
    struct treq r = {.method = method, .path = path, .bearer = token, .body = body};
    return tc_do(base, &r);
}

TEST(denials_are_403_and_audited)
{
    int64_t v = ts_user(S, "viewer.one", NULL, 1u << ROLE_VIEWER);
    int64_t au_id = ts_user(S, "audit.one", NULL, 1u << ROLE_AUDITADMIN);
    int64_t e = ts_user(S, "eng.one", NULL, 1u << ROLE_ENGINEER);
    char tv[64], ta[64], te[64], code[64];
    ts_token(S, v, 1u << ROLE_VIEWER, 0, tv);
    ts_token(S, au_id, 1u << ROLE_AUDITADMIN, 0, ta);
    ts_token(S, e, 1u << ROLE_ENGINEER, 0, te);

    int64_t denied = ts_audit_count(S, "access.denied");
    struct answer a = with_token("POST", "/api/v1/monitors", tv, "{}");
    CHECK_INT(a.status, 403);
    CHECK_STR(code_of(&a, code, sizeof code), "forbidden");
    tc_free(&a);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "access.denied", &au));
    CHECK_STR(au.user, "viewer.one");
    CHECK_STR(au.object, "route:POST /api/v1/monitors");
    CHECK_STR(au.result, "denied: monitor.write");
    CHECK_INT(ts_audit_count(S, "access.denied"), denied + 1);

    a = with_token("GET", "/api/v1/monitors", ta, NULL); /* the auditor reads no operations */
    CHECK_INT(a.status, 403);
    tc_free(&a);
    a = with_token("GET", "/api/v1/monitors", tv, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    /* an engineer pauses (a Bearer request needs no CSRF token) but does
     * not configure */
    a = with_token("POST", "/api/v1/monitors/3/pause", te, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    a = with_token("DELETE", "/api/v1/monitors/3", te, NULL);
    CHECK_INT(a.status, 403);
    tc_free(&a);
    CHECK_INT(ts_audit_count(S, "access.denied"), denied + 3);
}

TEST(api_tokens)
{
    int64_t uid = ts_user(S, "script.bot", NULL, (1u << ROLE_ENGINEER) | (1u << ROLE_VIEWER));
    char ok[64], revoked[64], expired[64], code[64], msg[600];
    int64_t tid = ts_token(S, uid, 1u << ROLE_ENGINEER, time_now_ms() + MS_PER_DAY, ok);
    int64_t rid = ts_token(S, uid, 1u << ROLE_ENGINEER, 0, revoked);
    ts_token(S, uid, 1u << ROLE_ENGINEER, time_now_ms() + 1500, expired);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(store_token_revoke(S, rid, &err), 0);

    struct answer a = with_token("POST", "/api/v1/monitors/1/pause", ok, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    /* last_used is written (at most once a minute) */
    char hash[TOKEN_HASH_HEX];
    secret_token_hash(ok, hash);
    struct token_row t = {0};
    CHECK_INT(store_token_by_hash(S, hash, &t, &err), 0);
    CHECK(t.last_used > time_now_ms() - MS_PER_MIN);
    CHECK_INT(t.id, tid);
    xfree(t.name);
    /* whoami by token */
    a = with_token("GET", "/api/v1/session", ok, NULL);
    CHECK_INT(a.status, 200);
    json_t *j = tc_json(&a);
    CHECK_STR(tc_str(j, "via", NULL), "token");
    CHECK(json_is_null(json_object_get(j, "csrf")));
    json_decref(j);
    tc_free(&a);

    a = with_token("GET", "/api/v1/monitors", revoked, NULL);
    CHECK_INT(a.status, 401);
    CHECK(strstr(message_of(&a, msg, sizeof msg), "revoked") != NULL);
    tc_free(&a);
    struct timespec ts = {1, 600 * 1000 * 1000};
    nanosleep(&ts, NULL);
    a = with_token("GET", "/api/v1/monitors", expired, NULL);
    CHECK_INT(a.status, 401);
    CHECK(strstr(message_of(&a, msg, sizeof msg), "expired") != NULL);
    CHECK_STR(code_of(&a, code, sizeof code), "unauthorized");
    tc_free(&a);

    /* scope ∩ the account's roles now: the engineer role taken away, the
     * engineer-scoped token may no longer pause (nor read: viewer is not
     * in its scope) */
    struct user_row u = {0};
    ts_user_get(S, uid, &u);
    u.roles = 1u << ROLE_VIEWER;
    ts_user_put(S, &u);
    store_user_row_release(&u);
    a = with_token("POST", "/api/v1/monitors/1/pause", ok, NULL);
    CHECK_INT(a.status, 403);
    tc_free(&a);
    a = with_token("GET", "/api/v1/monitors", ok, NULL);
    CHECK_INT(a.status, 403);
    tc_free(&a);
}

TEST(changes_are_audited_with_before_and_after)
{
    int64_t uid = ts_user(S, "sys.one", NULL, 1u << ROLE_SYSADMIN);
    char tok[64];
    ts_token(S, uid, 1u << ROLE_SYSADMIN, 0, tok);

    struct answer a = with_token("POST", "/api/v1/systems", tok, "{\"name\":\"portal\"}");
    CHECK_INT(a.status, 201);
    tc_free(&a);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "system.create", &au));
    CHECK_STR(au.user, "sys.one");
    CHECK_STR(au.object, "system:1");
    CHECK(!au.has_before && au.has_after);

    a = with_token("PUT", "/api/v1/monitors/portal-home", tok, "{}");
    CHECK_INT(a.status, 200);
    tc_free(&a);
    CHECK(ts_audit_last(S, "monitor.update", &au));
    CHECK_STR(au.object, "monitor:portal-home");
    CHECK(au.has_before && au.has_after);
    CHECK(strstr(au.before, "hunter2") == NULL && strstr(au.after, "hunter2") == NULL);

    a = with_token("DELETE", "/api/v1/systems/1", tok, NULL);
    CHECK_INT(a.status, 204);
    tc_free(&a);
    CHECK(ts_audit_last(S, "system.delete", &au));
    CHECK(au.has_before && !au.has_after);

    /* a refused change (the stub answers 409) and a read leave no record */
    int64_t n = ts_audit_count(S, "monitor.");
    a = with_token("DELETE", "/api/v1/monitors/3", tok, NULL);
    CHECK_INT(a.status, 409);
    tc_free(&a);
    a = with_token("GET", "/api/v1/monitors/3", tok, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    CHECK_INT(ts_audit_count(S, "monitor."), n);
    /* heartbeats are data, not changes */
    int64_t all = ts_audit_count(S, "");
    struct treq r = {.method = "POST", .path = "/api/v1/push/abcdefghijklmnop"};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    CHECK_INT(ts_audit_count(S, ""), all);
}

TEST(rate_limit_on_login_and_bad_tokens)
{
    /* a server of its own, with 3 attempts a minute */
    ts_policy(S, 3);
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", S, NULL, NULL, &err);
    CHECK(H != NULL);
    if (!H)
        return;
    char b[64], code[64];
    snprintf(b, sizeof b, "http://127.0.0.1:%d", http_port(H));
    for (int i = 0; i < 3; i++) {
        struct answer a = ts_login(b, "nobody.here", "x", NULL, NULL, NULL, NULL);
        CHECK_INT(a.status, 401);
        tc_free(&a);
    }
    struct answer a = ts_login(b, "nobody.here", "x", NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 429);
    CHECK_STR(code_of(&a, code, sizeof code), "rate_limited");
    CHECK(tc_has_header(&a, "Retry-After: "));
    CHECK(tc_has_header(&a, "Content-Security-Policy"));
    tc_free(&a);
    /* unknown Bearer tokens draw on the same allowance */
    struct treq r = {.method = "GET", .path = "/api/v1/monitors",
                     .bearer = "ywt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    a = tc_do(b, &r);
    CHECK_INT(a.status, 429);
    tc_free(&a);
    /* what is not a guess is not limited */
    r = (struct treq){.method = "GET", .path = "/healthz"};
    a = tc_do(b, &r);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    http_stop(H);

    /* a fresh server: bad tokens alone reach the limit */
    H = http_start("127.0.0.1:0", S, NULL, NULL, &err);
    CHECK(H != NULL);
    if (!H)
        return;
    snprintf(b, sizeof b, "http://127.0.0.1:%d", http_port(H));
    r = (struct treq){.method = "GET", .path = "/api/v1/monitors",
                      .bearer = "ywt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"};
    for (int i = 0; i < 3; i++) {
        a = tc_do(b, &r);
        CHECK_INT(a.status, 401);
        tc_free(&a);
    }
    a = tc_do(b, &r);
    CHECK_INT(a.status, 429);
    tc_free(&a);
    http_stop(H);
    ts_policy(S, 1000);
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

    RUN(denials_are_403_and_audited);
    RUN(api_tokens);
    RUN(changes_are_audited_with_before_and_after);
    RUN(rate_limit_on_login_and_bad_tokens);

    http_stop(H);
    ts_close(S, dir);
    curl_global_cleanup();
    return t_done();
}
