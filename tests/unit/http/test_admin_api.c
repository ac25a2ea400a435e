/* The administration API end to end over 127.0.0.1 with a real store and the
 * real route tables (the monitoring handlers are stubs): what each handler
 * checks beyond the central permission (one's own roles, one's own account,
 * someone else's token), answers without secrets, the audit records every
 * change leaves with its before and after images, the CSV export and the
 * verification of the chain after the database file was tampered with.
 * Callers authenticate with API tokens made directly in the store. */
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/password.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/server.h"
#include "t.h"
#include "thelp.h"

#define PW "Correct-Horse-7"
#define R(x) (1u << (x))

static struct store *S;
static char dir[64];
static char base[64];
/* Tokens of the three administrators and an engineer. */
static char t_sys[80], t_sec[80], t_aud[80], t_eng[80];
static int64_t sys_id, sec_id, aud_id, eng_id, li_id;

/* One request with bearer token tok; body NULL for none. */
static struct answer call(const char *tok, const char *method, const char *path, const char *body)
{
    struct treq r = {.method = method, .path = path, .body = body, .bearer = tok,
                     .ctype = body ? "application/json" : NULL};
    return tc_do(base, &r);
}

/* The answer's JSON (NULL if none); the answer is freed. */
static json_t *call_json(const char *tok, const char *method, const char *path, const char *body,
                         long *status)
{
    struct answer a = call(tok, method, path, body);
    *status = a.status;
    json_t *j = tc_json(&a);
    tc_free(&a);
    return j;
}

static const char *field_of(json_t *j)
{
    const char *f = tc_str(j, "error", "field");
    return f ? f : "";
}

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

/* ---- organisation tree ------------------------------------------------------------ */

TEST(orgs_tree_and_audit)
{
    long st;
    json_t *a = call_json(t_sys, "POST", "/api/v1/orgs", "{\"name\":\"数据局\",\"kind\":\"client\"}",
                          &st);
    CHECK_INT(st, 201);
    int64_t top = json_integer_value(json_object_get(a, "id"));
    CHECK(json_is_null(json_object_get(a, "parent_id")));
    CHECK_STR(tc_str(a, "kind_zh", NULL), "甲方");
    json_decref(a);

    char body[160];
    snprintf(body, sizeof body, "{\"name\":\"信息处\",\"parent_id\":%lld}", (long long)top);
    a = call_json(t_sys, "POST", "/api/v1/orgs", body, &st);
    CHECK_INT(st, 201);
    int64_t child = json_integer_value(json_object_get(a, "id"));
    CHECK_STR(tc_str(a, "kind", NULL), "client"); /* taken from the parent */
    json_decref(a);

    struct ts_audit rec;
    CHECK(ts_audit_last(S, "org.create", &rec));
    CHECK_STR(rec.user, "sysadmin1");
    CHECK_STR(rec.result, "ok");
    CHECK(!rec.has_before && strstr(rec.after, "信息处") != NULL);

    a = call_json(t_sys, "POST", "/api/v1/orgs", "{\"name\":\"x\"}", &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(a), "kind");
    json_decref(a);
    CHECK(ts_audit_last(S, "org.create", &rec));
    CHECK(strncmp(rec.result, "failed: kind", 12) == 0);

    /* a unit under its own child */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/orgs/%lld", (long long)top);
    snprintf(body, sizeof body, "{\"parent_id\":%lld}", (long long)child);
    a = call_json(t_sys, "PUT", path, body, &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(a), "parent_id");
    json_decref(a);

    a = call_json(t_aud, "GET", "/api/v1/orgs?tree=1", NULL, &st);
    CHECK_INT(st, 200);
    json_t *items = json_object_get(a, "items");
    CHECK_INT(json_array_size(items), 1);
    json_t *kids = json_object_get(json_array_get(items, 0), "children");
    CHECK_INT(json_array_size(kids), 1);
    CHECK_STR(tc_str(json_array_get(kids, 0), "name", NULL), "信息处");
    json_decref(a);

    a = call_json(t_sys, "DELETE", path, NULL, &st);
    CHECK_INT(st, 409); /* it has a child */
    json_decref(a);
    a = call_json(t_sec, "POST", "/api/v1/orgs", "{\"name\":\"y\",\"kind\":\"client\"}", &st);
    CHECK_INT(st, 403); /* the security administrator does not keep accounts */
    json_decref(a);

    snprintf(path, sizeof path, "/api/v1/orgs/%lld", (long long)child);
    a = call_json(t_sys, "DELETE", path, NULL, &st);
    CHECK_INT(st, 204);
    json_decref(a);
    CHECK(ts_audit_last(S, "org.delete", &rec));
    CHECK(rec.has_before && strstr(rec.before, "信息处") != NULL && !rec.has_after);
}

/* ---- users -------------------------------------------------------------------------- */

TEST(user_answers_carry_no_secret)
{
    struct answer a = call(t_aud, "GET", "/api/v1/users/li.lei", NULL);
    CHECK_INT(a.status, 200);
    CHECK(strstr(a.body, "argon2") == NULL);
    CHECK(strstr(a.body, "pw_hash") == NULL);
    CHECK(strstr(a.body, "\"totp_enabled\":false") != NULL);
    tc_free(&a);
    a = call(t_aud, "GET", "/api/v1/users", NULL);
    CHECK_INT(a.status, 200);
    CHECK(strstr(a.body, "argon2") == NULL);
    tc_free(&a);
}

TEST(user_create_checks_its_body)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"name\":\"han.mei\",\"roles\":[\"viewer\"]}", "roles"},
        {"{\"name\":\"han.mei\",\"password\":\"Pick-my-own-1\"}", "password"},
        {"{\"name\":\"Han Mei\"}", "name"},
        {"{\"display_name\":\"韩梅梅\"}", "name"},
        {"{\"name\":\"han.mei\",\"org_id\":999}", "org_id"},
        {"{\"name\":\"han.mei\",\"colour\":1}", "colour"},
        {"[1]", "body"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long st;
        json_t *j = call_json(t_sys, "POST", "/api/v1/users", cases[i].body, &st);
        CHECK_INT(st, 400);
        CHECK_STR(field_of(j), cases[i].field);
        json_decref(j);
    }
    long st;
    json_t *j = call_json(t_sys, "POST", "/api/v1/users", "{\"name\":\"li.lei\"}", &st);
    CHECK(st == 409 || st == 400); /* taken (400 while the store refuses roleless accounts) */
    json_decref(j);
}

TEST(user_update_and_its_limits)
{
    long st;
    json_t *g = call_json(t_sys, "GET", "/api/v1/users/li.lei", NULL, &st);
    CHECK_INT(st, 200);
    /* A GET answer PUT back, with one change. */
    json_object_set_new(g, "display_name", json_string("李雷"));
    char *body = json_dumps(g, JSON_COMPACT);
    json_t *u = call_json(t_sys, "PUT", "/api/v1/users/li.lei", body, &st);
    CHECK_INT(st, 200);
    CHECK_STR(tc_str(u, "display_name", NULL), "李雷");
    json_decref(u);
    free(body);
    json_decref(g);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "user.update", &rec));
    CHECK(strstr(rec.before, "\"display_name\":null") != NULL);
    CHECK(strstr(rec.after, "李雷") != NULL);

    u = call_json(t_sys, "PUT", "/api/v1/users/li.lei", "{\"roles\":[\"sysadmin\"]}", &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(u), "roles");
    json_decref(u);
    u = call_json(t_sys, "PUT", "/api/v1/users/li.lei", "{\"name\":\"li.lei2\"}", &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(u), "name");
    json_decref(u);
    u = call_json(t_sys, "PUT", "/api/v1/users/sysadmin1", "{\"disabled\":true}", &st);
    CHECK_INT(st, 403);
    json_decref(u);
    CHECK(ts_audit_last(S, "user.update", &rec));
    CHECK(strncmp(rec.result, "denied", 6) == 0);
    u = call_json(t_sys, "PUT", "/api/v1/users/nobody", "{}", &st);
    CHECK_INT(st, 404);
    json_decref(u);
}

TEST(reset_password_gives_a_one_time_password_and_ends_sessions)
{
    struct tsess s;
    struct answer a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    a = ts_call(base, "GET", "/api/v1/session", &s, NULL, false);
    CHECK_INT(a.status, 200);
    tc_free(&a);

    long st;
    json_t *j = call_json(t_sys, "POST", "/api/v1/users/li.lei/reset-password", NULL, &st);
    CHECK_INT(st, 200);
    const char *pw = tc_str(j, "one_time_password", NULL);
    char why[256];
    CHECK(pw && strlen(pw) >= 16);
    CHECK(pw && password_check_policy(NULL, "li.lei", pw, why, sizeof why) == 0);
    CHECK(json_is_true(json_object_get(j, "must_change_password")));
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "user.password_reset", &rec));
    CHECK_STR(rec.result, "ok");
    CHECK(pw && strstr(rec.after, pw) == NULL); /* never in the trail */
    CHECK(pw && strstr(rec.before, pw) == NULL);

    a = ts_call(base, "GET", "/api/v1/session", &s, NULL, false);
    CHECK_INT(a.status, 401); /* the session under the old password ended */
    tc_free(&a);
    a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, NULL);
    CHECK_INT(a.status, 401);
    tc_free(&a);
    json_decref(j);
    /* Back to the known password, without the forced change, for later tests. */
    ts_cheapen(S, li_id, PW);
    struct user_row u = {0};
    ts_user_get(S, li_id, &u);
    u.must_change_pw = false;
    ts_user_put(S, &u);
    store_user_row_release(&u);

    j = call_json(t_sys, "POST", "/api/v1/users/sysadmin1/reset-password", NULL, &st);
    CHECK_INT(st, 403);
    json_decref(j);
}

TEST(unlock_clears_the_lock)
{
    struct user_row u = {0};
    ts_user_get(S, li_id, &u);
    u.failed_logins = 5;
    u.locked_until = time_now_ms() + 30 * MS_PER_MIN;
    ts_user_put(S, &u);
    store_user_row_release(&u);
    long st;
    json_t *j = call_json(t_aud, "GET", "/api/v1/users/li.lei", NULL, &st);
    CHECK(json_is_true(json_object_get(j, "locked")));
    CHECK(json_is_string(json_object_get(j, "locked_until")));
    json_decref(j);
    j = call_json(t_sys, "POST", "/api/v1/users/li.lei/unlock", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_false(json_object_get(j, "locked")));
    CHECK_INT(json_integer_value(json_object_get(j, "failed_logins")), 0);
    json_decref(j);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "user.unlock", &rec));
    CHECK(strstr(rec.before, "\"locked\":true") != NULL);
    CHECK(strstr(rec.after, "\"locked\":false") != NULL);
}

TEST(roles_are_granted_by_the_security_administrator_only)
{
    long st;
    json_t *j = call_json(t_sys, "PUT", "/api/v1/users/li.lei/roles", "{\"roles\":[\"viewer\"]}",
                          &st);
    CHECK_INT(st, 403); /* central check: the system administrator cannot grant */
    json_decref(j);
    j = call_json(t_sec, "PUT", "/api/v1/users/secadmin1/roles", "{\"roles\":[\"viewer\"]}", &st);
    CHECK_INT(st, 403); /* not one's own */
    json_decref(j);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "role.grant", &rec));
    CHECK(strncmp(rec.result, "denied", 6) == 0);

    static const char *const bad[] = {
        "{\"roles\":[\"sysadmin\",\"auditadmin\"]}", "{\"roles\":[]}", "{\"roles\":[\"root\"]}",
        "{\"roles\":\"viewer\"}", "{}", "{\"roles\":[\"viewer\"],\"x\":1}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = call_json(t_sec, "PUT", "/api/v1/users/li.lei/roles", bad[i], &st);
        CHECK_INT(st, 400);
        CHECK(strcmp(field_of(j), "roles") == 0 || strcmp(field_of(j), "x") == 0);
        json_decref(j);
    }

    struct tsess s;
    struct answer a = ts_login(base, "li.lei", PW, NULL, NULL, NULL, &s);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    j = call_json(t_sec, "PUT", "/api/v1/users/li.lei/roles",
                  "{\"roles\":[\"运维工程师\",\"viewer\",\"viewer\"]}", &st);
    CHECK_INT(st, 200);
    char *roles = json_dumps(json_object_get(j, "roles"), JSON_COMPACT);
    CHECK_STR(roles, "[\"engineer\",\"viewer\"]");
    free(roles);
    json_decref(j);
    CHECK(ts_audit_last(S, "role.grant", &rec));
    CHECK_STR(rec.user, "secadmin1");
    CHECK(strstr(rec.before, "\"roles\":[\"engineer\"]") != NULL);
    CHECK(strstr(rec.after, "\"roles\":[\"engineer\",\"viewer\"]") != NULL);
    a = ts_call(base, "GET", "/api/v1/session", &s, NULL, false);
    CHECK_INT(a.status, 401); /* it goes on only with a new login, under its new roles */
    tc_free(&a);
}

/* ---- tokens ------------------------------------------------------------------------- */

TEST(tokens_scope_listing_and_revocation)
{
    long st;
    json_t *j = call_json(t_eng, "POST", "/api/v1/tokens", "{\"name\":\"ci\"}", &st);
    CHECK_INT(st, 201);
    const char *tok = tc_str(j, "token", NULL);
    CHECK(tok && strncmp(tok, "ywt_", 4) == 0);
    char *roles = json_dumps(json_object_get(j, "roles"), JSON_COMPACT);
    CHECK_STR(roles, "[\"engineer\"]"); /* the caller's roles by default */
    free(roles);
    int64_t id = json_integer_value(json_object_get(j, "id"));
    char mine[96];
    snprintf(mine, sizeof mine, "%s", tok ? tok : "");
    json_decref(j);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "token.create", &rec));
    CHECK(strstr(rec.after, mine) == NULL);

    struct answer a = call(mine, "GET", "/api/v1/tokens", NULL);
    CHECK_INT(a.status, 200); /* the new token works */
    CHECK(strstr(a.body, mine) == NULL && strstr(a.body, "hash") == NULL);
    tc_free(&a);

    j = call_json(t_eng, "POST", "/api/v1/tokens", "{\"name\":\"x\",\"roles\":[\"sysadmin\"]}", &st);
    CHECK_INT(st, 403);
    CHECK_STR(field_of(j), "roles");
    json_decref(j);
    j = call_json(t_eng, "POST", "/api/v1/tokens", "{\"name\":\"x\",\"expires_days\":0}", &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(j), "expires_days");
    json_decref(j);
    j = call_json(t_eng, "POST", "/api/v1/tokens", "{\"name\":\"x\",\"expires_days\":366}", &st);
    CHECK_INT(st, 400);
    json_decref(j);
    j = call_json(t_eng, "POST", "/api/v1/tokens", "{\"roles\":[\"engineer\"]}", &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(j), "name");
    json_decref(j);

    j = call_json(t_eng, "GET", "/api/v1/tokens?all=1", NULL, &st);
    CHECK_INT(st, 403);
    json_decref(j);
    j = call_json(t_sec, "GET", "/api/v1/tokens?all=1", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_array_size(json_object_get(j, "items")) >= 5);
    json_decref(j);
    j = call_json(t_eng, "GET", "/api/v1/tokens", NULL, &st);
    size_t n = json_array_size(json_object_get(j, "items"));
    CHECK_INT(n, 2); /* its own only: t_eng and the new one */
    json_decref(j);

    char path[64];
    snprintf(path, sizeof path, "/api/v1/tokens/%lld", (long long)id);
    j = call_json(t_aud, "DELETE", path, NULL, &st);
    CHECK_INT(st, 404); /* another's token, without token.manage */
    json_decref(j);
    j = call_json(t_eng, "DELETE", path, NULL, &st);
    CHECK_INT(st, 204);
    json_decref(j);
    CHECK(ts_audit_last(S, "token.revoke", &rec));
    CHECK(strstr(rec.before, "\"revoked\":false") && strstr(rec.after, "\"revoked\":true"));
    a = call(mine, "GET", "/api/v1/tokens", NULL);
    CHECK_INT(a.status, 401);
    tc_free(&a);
}

/* ---- policy ------------------------------------------------------------------------- */

TEST(policy_read_and_change)
{
    long st;
    json_t *j = call_json(t_sec, "GET", "/api/v1/policy", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(j, "min_length")), 10);
    json_decref(j);
    j = call_json(t_sec, "PUT", "/api/v1/policy", "{\"min_length\":7}", &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(j), "min_length");
    json_decref(j);
    j = call_json(t_sec, "PUT", "/api/v1/policy", "{\"history\":\"5\"}", &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(j), "history");
    json_decref(j);
    j = call_json(t_sys, "PUT", "/api/v1/policy", "{\"min_length\":12}", &st);
    CHECK_INT(st, 403);
    json_decref(j);
    j = call_json(t_sec, "PUT", "/api/v1/policy", "{\"min_length\":12}", &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(j, "min_length")), 12);
    CHECK_INT(json_integer_value(json_object_get(j, "history")), 5);
    json_decref(j);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "policy.update", &rec));
    CHECK(strstr(rec.before, "\"min_length\":10") && strstr(rec.after, "\"min_length\":12"));
    struct password_policy p;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(store_policy_get(S, &p, &err), 0);
    CHECK_INT(p.min_length, 12);
    j = call_json(t_sec, "PUT", "/api/v1/policy", "{\"min_length\":10}", &st);
    json_decref(j);
}

/* ---- audit -------------------------------------------------------------------------- */

TEST(audit_list_pages_and_filters)
{
    long st;
    json_t *j = call_json(t_sys, "GET", "/api/v1/audit", NULL, &st);
    CHECK_INT(st, 403);
    json_decref(j);
    j = call_json(t_aud, "GET", "/api/v1/audit?limit=3", NULL, &st);
    CHECK_INT(st, 200);
    json_t *items = json_object_get(j, "items");
    CHECK_INT(json_array_size(items), 3);
    int64_t last = json_integer_value(json_object_get(json_array_get(items, 2), "seq"));
    const char *cur = tc_str(j, "next_cursor", NULL);
    CHECK(cur != NULL);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/audit?limit=3&cursor=%s", cur ? cur : "");
    json_decref(j);
    j = call_json(t_aud, "GET", path, NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(j, "items"), 0),
                                                 "seq")),
              last - 1);
    json_decref(j);

    j = call_json(t_aud, "GET", "/api/v1/audit?user=secadmin1&action=role.&limit=1000", NULL, &st);
    CHECK_INT(st, 200);
    items = json_object_get(j, "items");
    CHECK(json_array_size(items) >= 2);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it) {
        CHECK_STR(tc_str(it, "user", NULL), "secadmin1");
        CHECK(strncmp(tc_str(it, "action", NULL), "role.", 5) == 0);
    }
    /* images answered as JSON, not as strings */
    CHECK(json_is_object(json_object_get(json_array_get(items, 0), "after")) ||
          json_is_null(json_object_get(json_array_get(items, 0), "after")));
    json_decref(j);

    j = call_json(t_aud, "GET", "/api/v1/audit?from=2030-01-02&to=2030-01-01", NULL, &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(j), "from");
    json_decref(j);
    j = call_json(t_aud, "GET", "/api/v1/audit?to=soon", NULL, &st);
    CHECK_INT(st, 400);
    CHECK_STR(field_of(j), "to");
    json_decref(j);
    j = call_json(t_aud, "GET", "/api/v1/audit?from=2000-01-01&to=2000-01-02", NULL, &st);
    CHECK_INT(st, 200);
    CHECK_INT(json_array_size(json_object_get(j, "items")), 0);
    CHECK(json_is_null(json_object_get(j, "next_cursor")));
    json_decref(j);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "audit.read", &rec));
    CHECK_STR(rec.user, "auditadmin1");
}

TEST(audit_csv_export)
{
    struct answer a = call(t_aud, "GET", "/api/v1/audit.csv?action=org.", NULL);
    CHECK_INT(a.status, 200);
    CHECK(tc_has_header(&a, "Content-Type: text/csv; charset=utf-8"));
    static const char head[] =
        "\xEF\xBB\xBFtime,user,source,action,object,result,before,after,seq,mac\r\n";
    CHECK(a.body && strncmp(a.body, head, sizeof head - 1) == 0);
    /* oldest first: the first org.create row comes before the org.delete row */
    const char *c = a.body ? strstr(a.body, ",org.create,") : NULL;
    const char *d = a.body ? strstr(a.body, ",org.delete,") : NULL;
    CHECK(c && d && c < d);
    /* the images are quoted with their quotes doubled */
    CHECK(a.body && strstr(a.body, ",\"{\"\"") != NULL);
    CHECK(a.body && strstr(a.body, "\"\"name\"\":\"\"数据局\"\"") != NULL);
    tc_free(&a);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "audit.export", &rec));
    CHECK(strstr(rec.after, "\"action\":\"org.\"") != NULL);
    a = call(t_sec, "GET", "/api/v1/audit.csv", NULL);
    CHECK_INT(a.status, 403);
    tc_free(&a);
}

TEST(audit_verify_finds_tampering)
{
    long st;
    json_t *j = call_json(t_aud, "GET", "/api/v1/audit/verify", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_true(json_object_get(j, "ok")));
    CHECK(json_is_null(json_object_get(j, "bad_seq")));
    CHECK(json_integer_value(json_object_get(j, "checked")) > 10);
    CHECK(strncmp(tc_str(j, "message", NULL), "audit chain intact: ", 20) == 0);
    json_decref(j);

    /* An attacker with the database file but not the key. */
    CHECK_INT(db_exec("DROP TRIGGER audit_no_update; "
                      "UPDATE audit SET result = 'ok (edited)' WHERE seq = 3"),
              1);
    j = call_json(t_aud, "GET", "/api/v1/audit/verify", NULL, &st);
    CHECK_INT(st, 200);
    CHECK(json_is_false(json_object_get(j, "ok")));
    CHECK_INT(json_integer_value(json_object_get(j, "bad_seq")), 3);
    CHECK_INT(json_integer_value(json_object_get(j, "checked")), 2);
    CHECK(strncmp(tc_str(j, "message", NULL), "audit chain broken at record 3: ", 32) == 0);
    json_decref(j);
    struct ts_audit rec;
    CHECK(ts_audit_last(S, "audit.verify", &rec));
    CHECK(strncmp(rec.result, "failed: audit chain broken at record 3", 38) == 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    S = ts_open(dir, sizeof dir);
    ts_policy(S, 1000);
    sys_id = ts_user(S, "sysadmin1", PW, R(ROLE_SYSADMIN));
    sec_id = ts_user(S, "secadmin1", PW, R(ROLE_SECADMIN));
    aud_id = ts_user(S, "auditadmin1", PW, R(ROLE_AUDITADMIN));
    eng_id = ts_user(S, "engineer1", PW, R(ROLE_ENGINEER));
    li_id = ts_user(S, "li.lei", PW, R(ROLE_ENGINEER));
    ms_t later = time_now_ms() + MS_PER_DAY;
    ts_token(S, sys_id, R(ROLE_SYSADMIN), later, t_sys);
    ts_token(S, sec_id, R(ROLE_SECADMIN), later, t_sec);
    ts_token(S, aud_id, R(ROLE_AUDITADMIN), later, t_aud);
    ts_token(S, eng_id, R(ROLE_ENGINEER), later, t_eng);
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", S, NULL, NULL, &err);
    if (!H) {
        printf("Bail out! http_start: %s\n", err.msg);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", http_port(H));

    RUN(orgs_tree_and_audit);
    RUN(user_answers_carry_no_secret);
    RUN(user_create_checks_its_body);
    RUN(user_update_and_its_limits);
    RUN(reset_password_gives_a_one_time_password_and_ends_sessions);
    RUN(unlock_clears_the_lock);
    RUN(roles_are_granted_by_the_security_administrator_only);
    RUN(tokens_scope_listing_and_revocation);
    RUN(policy_read_and_change);
    RUN(audit_list_pages_and_filters);
    RUN(audit_csv_export);
    RUN(audit_verify_finds_tampering); /* last: it breaks the chain */

    http_stop(H);
    ts_close(S, dir);
    curl_global_cleanup();
    return t_done();
}
