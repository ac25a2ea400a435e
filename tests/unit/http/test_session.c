/* Console sessions end to end over 127.0.0.1 with a real store: login and
 * its answers, the cookie's attributes, CSRF on changes, session fixation,
 * logout, idle and absolute timeouts, lockout and unlock, one's own session
 * list, and the audit records all of these leave. The monitoring handlers
 * are stubs (stubs.c). */
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/secret.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/server.h"
#include "t.h"
#include "thelp.h"

#define PW "Correct-Horse-7"

static struct store *S;
static char dir[64];
static char base[64];
static int64_t li_id; /* li.lei, made by the first test */

static json_t *J(const struct answer *a)
{
    return tc_json(a);
}

/* Whether the error message of answer j contains word. */
static bool says(json_t *j, const char *word)
{
    const char *m = tc_str(j, "error", "message");
    if (!m || !strstr(m, word))
        printf("#   message \"%s\" lacks \"%s\"\n", m ? m : "(none)", word);
    return m && strstr(m, word);
}

/* Runs sql on the store's database file from a connection of our own;
 * the number of rows changed, -1 on error. */
static int db_exec(const char *sql)
{
    char *path = xasprintf("%s/yunwei.db", dir);
    sqlite3 *db = NULL;
    int n = -1;
    if (sqlite3_open(path, &db) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        if (sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK)
            n = sqlite3_changes(db);
        else
            printf("#   sqlite: %s\n", sqlite3_errmsg(db));
    }
    sqlite3_close(db);
    xfree(path);
    return n;
}

/* The hash of the session a cookie "yw_session=…" names. */
static void cookie_hash(const struct tsess *s, char out[TOKEN_HASH_HEX])
{
    secret_token_hash(strchr(s->cookie, '=') + 1, out);
}

TEST(login_answers_and_cookie)
{
    int64_t uid = li_id = ts_user(S, "li.lei", PW, 1u << ROLE_ENGINEER);
    struct tsess s;
    struct answer a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    json_t *j = J(&a);
    CHECK_STR(tc_str(j, "user", NULL), "li.lei");
    CHECK_STR(json_string_value(json_array_get(json_object_get(j, "roles"), 0)), "engineer");
    CHECK_INT(json_array_size(json_object_get(j, "roles")), 1);
    CHECK(strncmp(s.csrf, "ywc_", 4) == 0);
    CHECK(json_is_false(json_object_get(j, "must_change_password")));
    CHECK(json_is_false(json_object_get(j, "must_enrol_2fa")));
    CHECK(tc_str(j, "expires", NULL) != NULL);
    json_decref(j);
    /* HttpOnly, SameSite=Strict, Path=/; not Secure over plain HTTP */
    CHECK(strncmp(s.cookie, "yw_session=yws_", 15) == 0);
    CHECK(tc_has_header(&a, "; Path=/; HttpOnly; SameSite=Strict"));
    CHECK(!tc_has_header(&a, "Secure"));
    CHECK(tc_has_header(&a, "Cache-Control: no-store"));
    CHECK(tc_has_header(&a, "X-Frame-Options: DENY"));
    tc_free(&a);

    /* the rehash on login: the cheap test hash became a real one */
    struct user_row u = {0};
    ts_user_get(S, uid, &u);
    CHECK(!password_needs_rehash(u.pw_hash));
    CHECK(u.last_login > 0);
    store_user_row_release(&u);

    /* only the hash of the session id is stored */
    char hash[TOKEN_HASH_HEX];
    cookie_hash(&s, hash);
    struct session_row row;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(store_session_get(S, hash, &row, &err), 0);
    CHECK_INT(row.user_id, uid);
    CHECK_STR(row.csrf, s.csrf);
    CHECK_STR(row.source, "127.0.0.1");

    /* the session reaches the handlers as the principal */
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 200);
    j = J(&a);
    CHECK_STR(tc_str(j, "user", NULL), "li.lei");
    json_decref(j);
    tc_free(&a);
    /* a proxy's Basic credentials beside the cookie do not get in the way */
    struct treq r = {.method = "GET", .path = "/api/v1/monitors", .cookie = s.cookie,
                     .authz = "Basic dXNlcjpwYXNz"};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/session", &s, NULL, false);
    CHECK_INT(a.status, 200);
    j = J(&a);
    CHECK_STR(tc_str(j, "csrf", NULL), s.csrf);
    CHECK_STR(tc_str(j, "via", NULL), "session");
    json_decref(j);
    tc_free(&a);

    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.login", &au));
    CHECK_STR(au.user, "li.lei");
    CHECK_STR(au.result, "ok");
    CHECK(strncmp(au.object, "session:", 8) == 0 && strlen(au.object) == 8 + 12);
    ts_cheapen(S, uid, PW);
}

TEST(csrf_is_required_for_cookie_changes)
{
    struct tsess s;
    struct answer a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    int64_t before = ts_audit_count(S, "monitor.pause");

    a = ts_call(base, "POST", "/api/v1/monitors/7/pause", &s, NULL, false);
    CHECK_INT(a.status, 403);
    json_t *j = J(&a);
    CHECK_STR(tc_str(j, "error", "code"), "csrf");
    json_decref(j);
    tc_free(&a);
    struct tsess wrong = s;
    snprintf(wrong.csrf, sizeof wrong.csrf, "ywc_notthetoken");
    a = ts_call(base, "POST", "/api/v1/monitors/7/pause", &wrong, NULL, true);
    CHECK_INT(a.status, 403);
    tc_free(&a);
    CHECK_INT(ts_audit_count(S, "monitor.pause"), before); /* nothing happened */

    a = ts_call(base, "POST", "/api/v1/monitors/7/pause", &s, NULL, true);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    /* the server's audit record of the change: who, what, before and after,
     * with the secret the stub forgot to mask masked */
    struct ts_audit au;
    CHECK(ts_audit_last(S, "monitor.pause", &au));
    CHECK_STR(au.user, "li.lei");
    CHECK_STR(au.object, "monitor:7");
    CHECK_STR(au.result, "ok");
    CHECK(au.has_before && au.has_after);
    CHECK(strstr(au.after, "hunter2") == NULL && strstr(au.before, "hunter2") == NULL);
    CHECK(strstr(au.after, "\"password\":\"***\"") != NULL);
    CHECK_INT(ts_audit_count(S, "monitor.pause"), before + 1);

    /* reading needs no token; logging out is a change and does */
    a = ts_call(base, "GET", "/api/v1/monitors/7", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    a = ts_call(base, "DELETE", "/api/v1/session", &s, NULL, false);
    CHECK_INT(a.status, 403);
    tc_free(&a);
    a = ts_call(base, "DELETE", "/api/v1/session", &s, NULL, true);
    CHECK_INT(a.status, 204);
    tc_free(&a);
}

TEST(bad_credentials_read_alike)
{
    struct answer a = ts_login(base, "li.lei", "wrong-password", NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 401);
    json_t *j1 = J(&a);
    CHECK_STR(tc_str(j1, "error", "code"), "bad_credentials");
    tc_free(&a);
    ms_t t0 = time_mono_ms();
    a = ts_login(base, "no.such.user", "wrong-password", NULL, NULL, NULL, NULL);
    ms_t t_unknown = time_mono_ms() - t0;
    CHECK_INT(a.status, 401);
    json_t *j2 = J(&a);
    CHECK_STR(tc_str(j2, "error", "code"), "bad_credentials");
    CHECK_STR(tc_str(j1, "error", "message"), tc_str(j2, "error", "message"));
    CHECK(!tc_has_header(&a, "Set-Cookie"));
    json_decref(j1);
    json_decref(j2);
    tc_free(&a);
    /* an unknown user costs real Argon2id work (tens of ms), not nothing */
    if (t_unknown < 10)
        printf("#   unknown user answered in %lld ms\n", (long long)t_unknown);
    CHECK(t_unknown >= 10);

    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.login", &au));
    CHECK_STR(au.user, ""); /* nobody is logged in: the account tried is the object */
    CHECK_STR(au.result, "failed: bad_credentials");
    CHECK_STR(au.object, "user:no.such.user");

    /* bodies: not JSON, unknown keys, missing fields */
    struct treq r = {.method = "POST", .path = "/api/v1/session", .body = "user=li&password=x"};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 400);
    tc_free(&a);
    r.body = "{\"user\":\"li.lei\",\"password\":\"x\",\"remember\":true}";
    a = tc_do(base, &r);
    CHECK_INT(a.status, 400);
    json_t *j = J(&a);
    CHECK_STR(tc_str(j, "error", "field"), "body");
    json_decref(j);
    tc_free(&a);
    r.body = "{\"user\":\"li.lei\"}";
    a = tc_do(base, &r);
    CHECK_INT(a.status, 400);
    j = J(&a);
    CHECK_STR(tc_str(j, "error", "field"), "password");
    json_decref(j);
    tc_free(&a);
}

TEST(lockout_and_unlock)
{
    int64_t uid = ts_user(S, "han.meimei", PW, 1u << ROLE_VIEWER);
    /* four failures: plain 401; the fifth locks (423 with the time) */
    for (int i = 0; i < 4; i++) {
        struct answer a = ts_login(base, "han.meimei", "nope", NULL, NULL, NULL, NULL);
        CHECK_INT(a.status, 401);
        tc_free(&a);
    }
    struct answer a = ts_login(base, "han.meimei", "nope", NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 423);
    json_t *j = J(&a);
    CHECK_STR(tc_str(j, "error", "code"), "locked");
    CHECK(tc_str(j, "error", "locked_until") != NULL);
    json_decref(j);
    tc_free(&a);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.lockout", &au));
    CHECK_STR(au.user, "");
    CHECK_STR(au.object, "user:han.meimei");
    CHECK(strncmp(au.result, "ok: locked until ", 17) == 0);

    struct user_row u = {0};
    ts_user_get(S, uid, &u);
    ms_t now = time_now_ms();
    CHECK(u.locked_until > now + 29 * MS_PER_MIN && u.locked_until <= now + 30 * MS_PER_MIN);
    CHECK_INT(u.failed_logins, 0);

    /* locked: the right password reads like a wrong one, and counts nothing */
    a = ts_login(base, "han.meimei", PW, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 423);
    tc_free(&a);

    /* 30 minutes later (moved in the store): the right password gets in
     * and clears the count */
    u.locked_until = now - 1;
    u.failed_logins = 3;
    ts_user_put(S, &u);
    store_user_row_release(&u);
    a = ts_login(base, "han.meimei", PW, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    ts_user_get(S, uid, &u);
    CHECK_INT(u.failed_logins, 0);
    CHECK_INT(u.locked_until, 0);
    store_user_row_release(&u);
    ts_cheapen(S, uid, PW);
}

TEST(fixation_and_logout)
{
    struct tsess s1, s2;
    struct answer a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s1);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    ts_cheapen(S, li_id, PW);
    /* logging in again with the old cookie: a new id, the old one ends */
    a = ts_login(base, "li.lei", PW, NULL, NULL, &s1, &s2);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    CHECK(s2.cookie[0] && strcmp(s1.cookie, s2.cookie) != 0);
    CHECK(strcmp(s1.csrf, s2.csrf) != 0);
    a = ts_call(base, "GET", "/api/v1/monitors", &s1, NULL, false);
    CHECK_INT(a.status, 401);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/monitors", &s2, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);

    a = ts_call(base, "DELETE", "/api/v1/session", &s2, NULL, true);
    CHECK_INT(a.status, 204);
    CHECK(tc_has_header(&a, "Set-Cookie: yw_session=; Path=/; Max-Age=0"));
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/monitors", &s2, NULL, false);
    CHECK_INT(a.status, 401);
    json_t *j = J(&a);
    CHECK_STR(tc_str(j, "error", "code"), "unauthorized");
    json_decref(j);
    tc_free(&a);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.logout", &au));
    CHECK_STR(au.user, "li.lei");
    ts_cheapen(S, li_id, PW);
}

TEST(idle_and_absolute_timeouts)
{
    struct tsess s;
    struct answer a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    ts_cheapen(S, li_id, PW);
    char hash[TOKEN_HASH_HEX];
    cookie_hash(&s, hash);
    struct session_row row;
    struct yw_err err = YW_ERR_INIT;
    ms_t now = time_now_ms();

    /* unused for 31 minutes (the default idle timeout is 30) */
    CHECK_INT(store_session_get(S, hash, &row, &err), 0);
    row.last_seen = now - 31 * MS_PER_MIN;
    CHECK_INT(store_session_update(S, &row, &err), 0);
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 401);
    json_t *j = J(&a);
    CHECK(says(j, "idle"));
    json_decref(j);
    tc_free(&a);
    CHECK(store_session_get(S, hash, &row, &err) != 0); /* ended */
    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.expire", &au));
    CHECK_STR(au.result, "ok: idle timeout");

    /* busy, but created 13 hours ago (absolute lifetime 12 h) */
    a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s);
    tc_free(&a);
    ts_cheapen(S, li_id, PW);
    cookie_hash(&s, hash);
    /* created is not an updatable field: move it in the database file */
    char *sql = xasprintf("UPDATE sessions SET created = %lld, last_seen = %lld "
                          "WHERE id_hash = '%s'",
                          (long long)(now - 13 * MS_PER_H), (long long)(now - MS_PER_S), hash);
    CHECK_INT(db_exec(sql), 1);
    xfree(sql);
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 401);
    j = J(&a);
    CHECK(says(j, "lifetime"));
    json_decref(j);
    tc_free(&a);

    /* and a live one is touched: last_seen moves (at most every 10 s) */
    a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s);
    tc_free(&a);
    ts_cheapen(S, li_id, PW);
    cookie_hash(&s, hash);
    CHECK_INT(store_session_get(S, hash, &row, &err), 0);
    row.last_seen = now - 20 * MS_PER_MIN;
    CHECK_INT(store_session_update(S, &row, &err), 0);
    a = ts_call(base, "GET", "/api/v1/monitors", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    CHECK_INT(store_session_get(S, hash, &row, &err), 0);
    CHECK(row.last_seen >= now);
}

TEST(own_sessions)
{
    int64_t other = ts_user(S, "wang.wu", PW, 1u << ROLE_VIEWER);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(store_session_end_user(S, li_id, NULL, &err), 0); /* earlier tests' */
    struct tsess s1, s2, so;
    struct answer a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s1);
    tc_free(&a);
    ts_cheapen(S, li_id, PW);
    a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s2);
    tc_free(&a);
    ts_cheapen(S, li_id, PW);
    a = ts_login(base, "wang.wu", PW, NULL, NULL, NULL, &so);
    tc_free(&a);
    ts_cheapen(S, other, PW);

    a = ts_call(base, "GET", "/api/v1/sessions", &s2, NULL, false);
    CHECK_INT(a.status, 200);
    json_t *j = J(&a);
    json_t *items = json_object_get(j, "items");
    CHECK_INT(json_array_size(items), 2); /* only li.lei's, only live ones */
    char h1[TOKEN_HASH_HEX], ho[TOKEN_HASH_HEX], id1[13], ido[13];
    cookie_hash(&s1, h1);
    cookie_hash(&so, ho);
    snprintf(id1, sizeof id1, "%.12s", h1);
    snprintf(ido, sizeof ido, "%.12s", ho);
    int current = 0;
    bool saw1 = false;
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        current += json_is_true(json_object_get(it, "current"));
        saw1 |= strcmp(json_string_value(json_object_get(it, "id")), id1) == 0;
        CHECK_STR(json_string_value(json_object_get(it, "source")), "127.0.0.1");
        CHECK_INT(strlen(json_string_value(json_object_get(it, "id"))), 12);
    }
    CHECK_INT(current, 1);
    CHECK(saw1);
    json_decref(j);
    tc_free(&a);

    /* someone else's session is "no such session" */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/sessions/%s", ido);
    a = ts_call(base, "DELETE", path, &s2, NULL, true);
    CHECK_INT(a.status, 404);
    tc_free(&a);
    a = ts_call(base, "DELETE", "/api/v1/sessions/zzzzzzzzzzzz", &s2, NULL, true);
    CHECK_INT(a.status, 404);
    tc_free(&a);
    /* ending one's other session */
    snprintf(path, sizeof path, "/api/v1/sessions/%s", id1);
    a = ts_call(base, "DELETE", path, &s2, NULL, true);
    CHECK_INT(a.status, 204);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/monitors", &s1, NULL, false);
    CHECK_INT(a.status, 401);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/monitors", &so, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    struct ts_audit au;
    CHECK(ts_audit_last(S, "session.end", &au));
    char want[32];
    snprintf(want, sizeof want, "session:%s", id1);
    CHECK_STR(au.object, want);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    S = ts_open(dir, sizeof dir);
    ts_policy(S, 1000);
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", S, NULL, NULL, &err);
    if (!H) {
        printf("Bail out! http_start: %s\n", err.msg);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", http_port(H));

    RUN(login_answers_and_cookie);
    RUN(csrf_is_required_for_cookie_changes);
    RUN(bad_credentials_read_alike);
    RUN(lockout_and_unlock);
    RUN(fixation_and_logout);
    RUN(idle_and_absolute_timeouts);
    RUN(own_sessions);

    http_stop(H);
    ts_close(S, dir);
    curl_global_cleanup();
    return t_done();
}
