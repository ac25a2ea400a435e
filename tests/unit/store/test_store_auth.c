/*
 * test_store_auth — accounts, organisation, sessions, tokens, settings,
 * setup links and the audit trail, against real SQLite files in a
 * temporary directory. Tampering is done the way an intruder would: with a
 * raw sqlite3 connection to DIR/yunwei.db.
 */
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/secret.h"
#include "core/mem.h"
#include "store/store_auth.h"
#include "store/store_int.h"
#include "t.h"

/* 2026-01-01T00:00:00Z */
#define T0 1767225600000LL

#define R(role) (1u << (role))

/* ---- helpers ---------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/yw-storeauth-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? xstrdup(d) : NULL;
}

static void rmrf(char *dir)
{
    if (dir)
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    xfree(dir);
}

static struct store *open_ok(const char *dir)
{
    struct yw_err e = YW_ERR_INIT;
    struct store *S = store_open(dir, &e);
    if (!S) {
        printf("#   store_open(%s): %s\n", dir, e.msg);
        return NULL;
    }
    store_test_background(S, false);
    return S;
}

/* Runs sql on a separate raw connection; returns SQLite's result code and
 * copies its message into msg (if given). */
static int raw_exec(const char *dir, const char *sql, char *msg, size_t n)
{
    char *path = xasprintf("%s/yunwei.db", dir);
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        char *m = NULL;
        rc = sqlite3_exec(db, sql, NULL, NULL, &m);
        if (msg && n)
            snprintf(msg, n, "%s", m ? m : "");
        sqlite3_free(m);
    }
    sqlite3_close(db);
    xfree(path);
    return rc;
}

static int64_t raw_int(const char *dir, const char *sql)
{
    char *path = xasprintf("%s/yunwei.db", dir);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else
        printf("#   sql %s: %s\n", sql, db ? sqlite3_errmsg(db) : "open failed");
    sqlite3_finalize(st);
    sqlite3_close(db);
    xfree(path);
    return v;
}

static void hash_of(const char *token, char out[TOKEN_HASH_HEX])
{
    secret_token_hash(token, out);
}

static int64_t mk_user(struct store *S, const char *name, roleset roles)
{
    struct user_row u = {0};
    u.name = (char *)(uintptr_t)name;
    u.roles = roles;
    u.must_change_pw = true;
    int64_t id = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_user_create(S, &u, &id, &e))
        printf("#   user create %s: %s\n", name, e.msg);
    return id;
}

static mode_t mode_of(const char *dir, const char *name)
{
    char *p = xasprintf("%s/%s", dir, name);
    struct stat st;
    mode_t m = stat(p, &st) == 0 ? (st.st_mode & 0777) : 01000;
    xfree(p);
    return m;
}

/* ---- keys and shared opening ------------------------------------------------- */

TEST(open_creates_keys)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    CHECK(S != NULL);
    CHECK_INT(mode_of(dir, "keys"), 0700);
    CHECK_INT(mode_of(dir, "keys/secret.key"), 0600);
    CHECK_INT(mode_of(dir, "keys/audit.key"), 0600);
    struct secret_key k1, k2;
    uint8_t a1[AUDIT_KEY_BYTES], a2[AUDIT_KEY_BYTES];
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(store_auth_keys(S, &k1, a1, &e), 0);
    store_close(S);
    /* Reopening loads the same keys, not new ones. */
    S = open_ok(dir);
    CHECK_INT(store_auth_keys(S, &k2, a2, &e), 0);
    CHECK(memcmp(k1.k, k2.k, sizeof k1.k) == 0);
    CHECK(memcmp(a1, a2, sizeof a1) == 0);
    CHECK(memcmp(k1.k, a1, sizeof a1) != 0); /* two keys, not one */
    store_close(S);

    /* A key directory open to others is refused, naming the fix. */
    char *kd = xasprintf("%s/keys", dir);
    chmod(kd, 0755);
    S = store_open(dir, &e);
    CHECK(S == NULL);
    CHECK(strstr(e.msg, "chmod 700") != NULL);
    chmod(kd, 0700);
    xfree(kd);
    rmrf(dir);
}

TEST(shared_open_beside_the_server)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    /* A second server is refused; a shared handle is not. */
    CHECK(store_open(dir, &e) == NULL);
    CHECK(strstr(e.msg, "in use") != NULL);
    struct store *C = store_open_shared(dir, &e);
    CHECK(C != NULL);
    if (!C) {
        store_close(S);
        rmrf(dir);
        return;
    }
    int64_t id = mk_user(C, "li.lei", R(ROLE_ENGINEER));
    CHECK(id > 0);
    struct user_row u;
    CHECK_INT(store_user_get(S, 0, "li.lei", &u, &e), 0); /* the server sees it */
    CHECK_INT(u.id, id);
    store_user_row_release(&u);
    /* The shared handle leaves the server's duties alone. */
    CHECK_INT(store_recover(C, T0, &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_INT(store_flush(C, &e), 0); /* nothing queued: answers at once */
    /* Same keys in both. */
    uint8_t a1[AUDIT_KEY_BYTES], a2[AUDIT_KEY_BYTES];
    CHECK_INT(store_auth_keys(S, NULL, a1, &e), 0);
    CHECK_INT(store_auth_keys(C, NULL, a2, &e), 0);
    CHECK(memcmp(a1, a2, sizeof a1) == 0);
    store_close(C);
    store_close(S);
    rmrf(dir);
}

/* ---- organisation -------------------------------------------------------------- */

TEST(org_tree)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    struct org_row o = {.name = "大数据局", .kind = ORG_CLIENT};
    int64_t top = 0, dept = 0, sub = 0, other = 0;
    CHECK_INT(store_org_create(S, &o, &top, &e), 0);
    o = (struct org_row){.parent_id = top, .name = "运维科", .kind = ORG_CLIENT};
    CHECK_INT(store_org_create(S, &o, &dept, &e), 0);
    o = (struct org_row){.parent_id = dept, .name = "值班组", .kind = ORG_CLIENT};
    CHECK_INT(store_org_create(S, &o, &sub, &e), 0);
    /* Same name under another parent is fine; under the same one it is not. */
    o = (struct org_row){.name = "运维科", .kind = ORG_CONTRACTOR};
    CHECK_INT(store_org_create(S, &o, &other, &e), 0);
    o = (struct org_row){.parent_id = top, .name = "运维科", .kind = ORG_CLIENT};
    CHECK_INT(store_org_create(S, &o, NULL, &e), -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK_STR(e.field, "name");
    o = (struct org_row){.parent_id = 999, .name = "x", .kind = ORG_CLIENT};
    CHECK_INT(store_org_create(S, &o, NULL, &e), -1);
    CHECK_STR(e.field, "parent_id");

    /* top -> dept -> sub: moving top under sub would be a cycle. */
    o = (struct org_row){.id = top, .parent_id = sub, .name = "大数据局", .kind = ORG_CLIENT};
    CHECK_INT(store_org_update(S, &o, &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    o = (struct org_row){.id = dept, .parent_id = dept, .name = "运维科", .kind = ORG_CLIENT};
    CHECK_INT(store_org_update(S, &o, &e), -1);
    o = (struct org_row){.id = sub, .parent_id = top, .name = "值班组", .kind = ORG_BUSINESS};
    CHECK_INT(store_org_update(S, &o, &e), 0);
    struct org_row got;
    CHECK_INT(store_org_get(S, sub, &got, &e), 0);
    CHECK_INT(got.parent_id, top);
    CHECK_INT(got.kind, ORG_BUSINESS);
    CHECK_STR(got.name, "值班组");
    xfree(got.name);

    struct org_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_org_list(S, &rows, &n, &e), 0);
    CHECK_INT(n, 4);
    CHECK_INT(rows[0].parent_id, 0);
    store_org_rows_free(rows, n);

    /* Refused while it has children or members. */
    CHECK_INT(store_org_delete(S, top, &e), -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    struct user_row u = {.name = "han.mei", .roles = R(ROLE_VIEWER), .org_id = other};
    CHECK_INT(store_user_create(S, &u, NULL, &e), 0);
    CHECK_INT(store_org_delete(S, other, &e), -1);
    CHECK(strstr(e.msg, "han.mei") != NULL);
    CHECK_INT(store_org_delete(S, sub, &e), 0);
    CHECK_INT(store_org_get(S, sub, &got, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_org_delete(S, sub, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    store_close(S);
    rmrf(dir);
}

/* ---- users ------------------------------------------------------------------- */

TEST(users_crud)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    int64_t n = -1;
    CHECK_INT(store_user_count(S, &n, &e), 0);
    CHECK_INT(n, 0);

    struct user_row u = {0};
    u.name = "li.lei";
    u.display_name = "李雷";
    u.roles = R(ROLE_SYSADMIN) | R(ROLE_ENGINEER);
    snprintf(u.pw_hash, sizeof u.pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$fake");
    u.pw_changed = T0;
    u.must_change_pw = true;
    int64_t id = 0;
    CHECK_INT(store_user_create(S, &u, &id, &e), 0);
    CHECK(id > 0);
    CHECK_INT(store_user_count(S, &n, &e), 0);
    CHECK_INT(n, 1);

    struct user_row g;
    CHECK_INT(store_user_get(S, id, NULL, &g, &e), 0);
    CHECK_STR(g.name, "li.lei");
    CHECK_STR(g.display_name, "李雷");
    CHECK_INT(g.roles, R(ROLE_SYSADMIN) | R(ROLE_ENGINEER));
    CHECK_STR(g.pw_hash, "$argon2id$v=19$m=65536,t=2,p=1$fake");
    CHECK_INT(g.pw_changed, T0);
    CHECK(g.must_change_pw);
    CHECK(!g.totp_enabled);
    CHECK(g.totp_sealed == NULL);
    CHECK_INT(g.org_id, 0);
    CHECK(g.created > 0);

    /* Update every mutable field. */
    free(g.display_name);
    g.display_name = NULL;
    g.roles = R(ROLE_SECADMIN);
    g.must_change_pw = false;
    g.totp_enabled = true;
    g.totp_sealed = xstrdup("v1:c2VhbGVk");
    g.totp_last_step = 59000000;
    g.recovery_hashes = xstrdup("[\"ab\",\"cd\"]");
    g.failed_logins = 3;
    g.locked_until = T0 + 1800000;
    g.disabled = true;
    g.last_login = T0 + 5;
    CHECK_INT(store_user_update(S, &g, &e), 0);
    store_user_row_release(&g);
    CHECK_INT(store_user_get(S, 0, "li.lei", &g, &e), 0);
    CHECK_INT(g.id, id);
    CHECK(g.display_name == NULL);
    CHECK_INT(g.roles, R(ROLE_SECADMIN));
    CHECK(!g.must_change_pw);
    CHECK(g.totp_enabled);
    CHECK_STR(g.totp_sealed, "v1:c2VhbGVk");
    CHECK_INT(g.totp_last_step, 59000000);
    CHECK_STR(g.recovery_hashes, "[\"ab\",\"cd\"]");
    CHECK_INT(g.failed_logins, 3);
    CHECK_INT(g.locked_until, T0 + 1800000);
    CHECK(g.disabled);
    CHECK_INT(g.last_login, T0 + 5);

    /* A login name never changes. */
    free(g.name);
    g.name = xstrdup("li.lei2");
    CHECK_INT(store_user_update(S, &g, &e), -1);
    CHECK_STR(e.field, "name");
    store_user_row_release(&g);

    /* Name conflict. */
    struct user_row dup = {.name = "li.lei", .roles = R(ROLE_VIEWER)};
    CHECK_INT(store_user_create(S, &dup, NULL, &e), -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK_STR(e.field, "name");

    /* Invalid role sets: two administrators (三权分立), unknown bits. No role
     * at all is valid: an account waits for the security administrator. */
    struct user_row bad = {.name = "han.mei", .roles = R(ROLE_SYSADMIN) | R(ROLE_AUDITADMIN)};
    CHECK_INT(store_user_create(S, &bad, NULL, &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_STR(e.field, "roles");
    bad.roles = 1u << 20;
    CHECK_INT(store_user_create(S, &bad, NULL, &e), -1);
    CHECK_STR(e.field, "roles");
    g = (struct user_row){.id = id, .roles = ROLESET_ADMINS};
    CHECK_INT(store_user_update(S, &g, &e), -1);
    CHECK_STR(e.field, "roles");

    /* Login names: [a-z0-9][a-z0-9._-]{1,63}. */
    const char *names[] = {"Li", "a", ".ab", "li lei", "李雷", ""};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        bad = (struct user_row){.name = (char *)(uintptr_t)names[i], .roles = R(ROLE_VIEWER)};
        CHECK_INT(store_user_create(S, &bad, NULL, &e), -1);
        CHECK_STR(e.field, "name");
    }
    /* An account with no role yet. */
    struct user_row none = {.name = "wang.fang", .roles = 0};
    CHECK_INT(store_user_create(S, &none, NULL, &e), 0);
    bad = (struct user_row){.name = "ok_1-2.x", .roles = R(ROLE_VIEWER), .org_id = 42};
    CHECK_INT(store_user_create(S, &bad, NULL, &e), -1); /* org 42 does not exist */
    CHECK_STR(e.field, "org");
    bad.org_id = 0;
    CHECK_INT(store_user_create(S, &bad, NULL, &e), 0);

    struct user_row *rows = NULL;
    size_t cnt = 0;
    CHECK_INT(store_user_list(S, &rows, &cnt, &e), 0);
    CHECK_INT(cnt, 3);
    CHECK_STR(rows[0].name, "li.lei");
    CHECK_STR(rows[1].name, "wang.fang");
    CHECK_INT(rows[1].roles, 0);
    CHECK_STR(rows[2].name, "ok_1-2.x");
    store_user_rows_free(rows, cnt);

    CHECK_INT(store_user_get(S, 999, NULL, &g, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_user_get(S, 0, "nobody", &g, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    g = (struct user_row){.id = 999, .roles = R(ROLE_VIEWER)};
    CHECK_INT(store_user_update(S, &g, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    store_close(S);
    rmrf(dir);
}

TEST(password_history)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    int64_t a = mk_user(S, "li.lei", R(ROLE_ENGINEER));
    int64_t b = mk_user(S, "han.mei", R(ROLE_VIEWER));
    /* 30 hashes h1..h30 for a, one for b: a keeps h7..h30. */
    for (int i = 1; i <= 30; i++) {
        char h[16];
        snprintf(h, sizeof h, "h%d", i);
        CHECK_INT(store_pw_history_add(S, a, h, &e), 0);
    }
    CHECK_INT(store_pw_history_add(S, b, "other", &e), 0);
    char **hs = NULL;
    size_t n = 0;
    CHECK_INT(store_pw_history(S, a, 5, &hs, &n, &e), 0);
    CHECK_INT(n, 5);
    if (n == 5) {
        CHECK_STR(hs[0], "h30"); /* newest first */
        CHECK_STR(hs[1], "h29");
        CHECK_STR(hs[4], "h26");
    }
    for (size_t i = 0; i < n; i++)
        free(hs[i]);
    free(hs);
    CHECK_INT(store_pw_history(S, a, 100, &hs, &n, &e), 0);
    CHECK_INT(n, 24);
    if (n == 24) {
        CHECK_STR(hs[0], "h30");
        CHECK_STR(hs[23], "h7");
    }
    for (size_t i = 0; i < n; i++)
        free(hs[i]);
    free(hs);
    CHECK_INT(raw_int(dir, "SELECT count(*) FROM pw_history"), 25); /* 24 + b's one */
    CHECK_INT(store_pw_history(S, b, 5, &hs, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(hs[0], "other");
    free(hs[0]);
    free(hs);
    CHECK_INT(store_pw_history(S, a, 0, &hs, &n, &e), 0);
    CHECK_INT(n, 0);
    free(hs);
    CHECK_INT(store_pw_history_add(S, 999, "x", &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_pw_history_add(S, a, "", &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    store_close(S);
    rmrf(dir);
}

/* ---- sessions ------------------------------------------------------------------ */

static struct session_row mk_session(const char *token, int64_t user, ms_t at)
{
    struct session_row s = {0};
    hash_of(token, s.id_hash);
    s.user_id = user;
    snprintf(s.csrf, sizeof s.csrf, "csrf-%s", token);
    s.created = s.last_seen = at;
    snprintf(s.source, sizeof s.source, "127.0.0.1");
    snprintf(s.user_agent, sizeof s.user_agent, "Mozilla/5.0");
    return s;
}

TEST(sessions)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    int64_t a = mk_user(S, "li.lei", R(ROLE_ENGINEER));
    int64_t b = mk_user(S, "han.mei", R(ROLE_VIEWER));
    struct session_row s1 = mk_session("yws_one", a, T0);
    struct session_row s2 = mk_session("yws_two", a, T0 + 1000);
    struct session_row s3 = mk_session("yws_three", a, T0 + 2000);
    struct session_row s4 = mk_session("yws_four", b, T0 + 3000);
    s1.pending_2fa = true;
    CHECK_INT(store_session_create(S, &s1, &e), 0);
    CHECK_INT(store_session_create(S, &s2, &e), 0);
    CHECK_INT(store_session_create(S, &s3, &e), 0);
    CHECK_INT(store_session_create(S, &s4, &e), 0);
    CHECK_INT(store_session_create(S, &s1, &e), -1); /* same id twice */
    CHECK_INT(e.code, YW_ECONFLICT);
    struct session_row bad = mk_session("yws_x", 999, T0);
    CHECK_INT(store_session_create(S, &bad, &e), -1);
    CHECK_STR(e.field, "user");
    bad = mk_session("yws_x", a, T0);
    snprintf(bad.id_hash, sizeof bad.id_hash, "yws_rawtoken"); /* not a hash */
    CHECK_INT(store_session_create(S, &bad, &e), -1);
    CHECK_STR(e.field, "id_hash");

    struct session_row g;
    CHECK_INT(store_session_get(S, s1.id_hash, &g, &e), 0);
    CHECK_INT(g.user_id, a);
    CHECK_STR(g.csrf, "csrf-yws_one");
    CHECK_INT(g.created, T0);
    CHECK_INT(g.last_seen, T0);
    CHECK_STR(g.source, "127.0.0.1");
    CHECK_STR(g.user_agent, "Mozilla/5.0");
    CHECK(g.pending_2fa);

    /* touch moves last_seen forward only */
    CHECK_INT(store_session_touch(S, s1.id_hash, T0 + 60000, &e), 0);
    CHECK_INT(store_session_touch(S, s1.id_hash, T0 + 30000, &e), 0);
    CHECK_INT(store_session_get(S, s1.id_hash, &g, &e), 0);
    CHECK_INT(g.last_seen, T0 + 60000);

    /* update: second factor given, new CSRF token */
    g.pending_2fa = false;
    snprintf(g.csrf, sizeof g.csrf, "fresh");
    CHECK_INT(store_session_update(S, &g, &e), 0);
    CHECK_INT(store_session_get(S, s1.id_hash, &g, &e), 0);
    CHECK(!g.pending_2fa);
    CHECK_STR(g.csrf, "fresh");

    struct session_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_session_list(S, a, &rows, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_STR(rows[0].id_hash, s3.id_hash); /* newest first */
        CHECK_STR(rows[2].id_hash, s1.id_hash);
    }
    free(rows);
    CHECK_INT(store_session_list(S, 0, &rows, &n, &e), 0);
    CHECK_INT(n, 4);
    free(rows);

    /* end one */
    CHECK_INT(store_session_end(S, s2.id_hash, &e), 0);
    CHECK_INT(store_session_get(S, s2.id_hash, &g, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_session_end(S, s2.id_hash, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_session_touch(S, s2.id_hash, T0, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);

    /* end_user keeping s3 (a password change from that session) */
    struct session_row s5 = mk_session("yws_five", a, T0 + 4000);
    CHECK_INT(store_session_create(S, &s5, &e), 0);
    CHECK_INT(store_session_end_user(S, a, s3.id_hash, &e), 0);
    CHECK_INT(store_session_list(S, a, &rows, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(rows[0].id_hash, s3.id_hash);
    free(rows);
    CHECK_INT(store_session_get(S, s4.id_hash, &g, &e), 0); /* b untouched */
    /* end_user without keep: all of them */
    CHECK_INT(store_session_end_user(S, a, NULL, &e), 0);
    CHECK_INT(store_session_list(S, a, &rows, &n, &e), 0);
    CHECK_INT(n, 0);
    free(rows);

    /* prune: s4 idle since T0+3000 */
    CHECK_INT(store_session_prune(S, T0 + 3000, 0, &e), 0);
    CHECK_INT(store_session_get(S, s4.id_hash, &g, &e), 0);
    CHECK_INT(store_session_prune(S, T0 + 3001, 0, &e), 0);
    CHECK_INT(store_session_get(S, s4.id_hash, &g, &e), -1);
    store_close(S);
    rmrf(dir);
}

/* ---- API tokens ----------------------------------------------------------------- */

TEST(api_tokens)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    int64_t a = mk_user(S, "li.lei", R(ROLE_ENGINEER) | R(ROLE_MANAGER));
    int64_t b = mk_user(S, "han.mei", R(ROLE_VIEWER));
    struct token_row t = {.user_id = a, .name = "巡检脚本", .roles = R(ROLE_ENGINEER),
                          .created = T0, .expires = T0 + 90 * MS_PER_DAY};
    hash_of("ywt_first", t.hash);
    int64_t t1 = 0, t2 = 0, t3 = 0;
    CHECK_INT(store_token_create(S, &t, &t1, &e), 0);
    CHECK(t1 > 0);
    /* the hash is unique */
    CHECK_INT(store_token_create(S, &t, NULL, &e), -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    /* scope: a subset of the account's roles */
    hash_of("ywt_second", t.hash);
    t.roles = R(ROLE_SYSADMIN);
    CHECK_INT(store_token_create(S, &t, NULL, &e), -1);
    CHECK_STR(e.field, "roles");
    t.roles = 0;
    CHECK_INT(store_token_create(S, &t, NULL, &e), -1);
    CHECK_STR(e.field, "roles");
    t.roles = R(ROLE_ENGINEER) | R(ROLE_MANAGER);
    t.expires = 0;
    CHECK_INT(store_token_create(S, &t, &t2, &e), 0);
    struct token_row tb = {.user_id = b, .name = "agent", .roles = R(ROLE_VIEWER)};
    hash_of("ywt_third", tb.hash);
    CHECK_INT(store_token_create(S, &tb, &t3, &e), 0);
    struct token_row raw = tb;
    snprintf(raw.hash, sizeof raw.hash, "ywt_plain_token_must_never_be_stored");
    CHECK_INT(store_token_create(S, &raw, NULL, &e), -1);
    CHECK_STR(e.field, "hash");

    struct token_row g;
    char h[TOKEN_HASH_HEX];
    hash_of("ywt_first", h);
    CHECK_INT(store_token_by_hash(S, h, &g, &e), 0);
    CHECK_INT(g.id, t1);
    CHECK_INT(g.user_id, a);
    CHECK_STR(g.name, "巡检脚本");
    CHECK_INT(g.roles, R(ROLE_ENGINEER));
    CHECK_INT(g.created, T0);
    CHECK_INT(g.expires, T0 + 90 * MS_PER_DAY);
    CHECK_INT(g.last_used, 0);
    CHECK(!g.revoked);
    xfree(g.name);
    hash_of("ywt_unknown", h);
    CHECK_INT(store_token_by_hash(S, h, &g, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);

    CHECK_INT(store_token_touch(S, t1, T0 + 5000, &e), 0);
    CHECK_INT(store_token_revoke(S, t1, &e), 0);
    hash_of("ywt_first", h);
    CHECK_INT(store_token_by_hash(S, h, &g, &e), 0);
    CHECK(g.revoked); /* found, and the caller sees it is revoked */
    CHECK_INT(g.last_used, T0 + 5000);
    xfree(g.name);
    CHECK_INT(store_token_revoke(S, 999, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);

    struct token_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_token_list(S, a, &rows, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(rows[0].id, t1);
        CHECK(rows[0].revoked);
        CHECK_INT(rows[1].id, t2);
        CHECK(!rows[1].revoked);
        CHECK_INT(rows[1].expires, 0);
    }
    store_token_rows_free(rows, n);
    CHECK_INT(store_token_list(S, 0, &rows, &n, &e), 0);
    CHECK_INT(n, 3);
    store_token_rows_free(rows, n);
    /* Nothing but the hash is stored: the token text appears nowhere. */
    CHECK_INT(raw_int(dir, "SELECT count(*) FROM api_tokens WHERE hash LIKE 'ywt_%'"), 0);
    store_close(S);
    rmrf(dir);
}

/* ---- settings, policy, setup links ------------------------------------------------ */

TEST(settings_and_policy)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    char *v = NULL;
    CHECK_INT(store_setting_get(S, "deny_list", &v, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_setting_set(S, "deny_list", "169.254.0.0/16", &e), 0);
    CHECK_INT(store_setting_set(S, "deny_list", "169.254.0.0/16,100.100.100.200/32", &e), 0);
    CHECK_INT(store_setting_get(S, "deny_list", &v, &e), 0);
    CHECK_STR(v, "169.254.0.0/16,100.100.100.200/32");
    free(v);
    CHECK_INT(store_setting_set(S, "", "x", &e), -1);
    CHECK_INT(e.code, YW_EINVAL);

    /* Unset: the defaults {10, 3, 5, 90, 5, 30, 30, 12, 10}. */
    struct password_policy p;
    memset(&p, 0xff, sizeof p);
    CHECK_INT(store_policy_get(S, &p, &e), 0);
    CHECK_INT(p.min_length, 10);
    CHECK_INT(p.min_classes, 3);
    CHECK_INT(p.history, 5);
    CHECK_INT(p.expiry_days, 90);
    CHECK_INT(p.lock_after, 5);
    CHECK_INT(p.lock_minutes, 30);
    CHECK_INT(p.idle_minutes, 30);
    CHECK_INT(p.absolute_hours, 12);
    CHECK_INT(p.rate_per_minute, 10);

    struct password_policy q = {12, 4, 24, 0, 3, 60, 15, 8, 20};
    CHECK_INT(store_policy_set(S, &q, &e), 0);
    CHECK_INT(store_policy_get(S, &p, &e), 0);
    CHECK(memcmp(&p, &q, sizeof p) == 0);

    /* Out of range: refused naming the field, nothing changed. */
    struct password_policy bad = q;
    bad.min_length = 4;
    CHECK_INT(store_policy_set(S, &bad, &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_STR(e.field, "min_length");
    CHECK_INT(store_policy_get(S, &p, &e), 0);
    CHECK_INT(p.min_length, 12);

    /* A damaged stored value is an error, not a silent default. */
    CHECK_INT(raw_exec(dir, "UPDATE settings SET value = 'ten' WHERE key = 'policy.history'",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(store_policy_get(S, &p, &e), -1);
    CHECK(strstr(e.msg, "policy.history") != NULL);
    store_close(S);
    rmrf(dir);
}

TEST(setup_links)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    char h1[TOKEN_HASH_HEX], h2[TOKEN_HASH_HEX], h3[TOKEN_HASH_HEX];
    hash_of("ywsetup_one", h1);
    hash_of("ywsetup_two", h2);
    hash_of("ywsetup_never", h3);
    CHECK_INT(store_setup_create(S, h1, T0 + MS_PER_H, &e), 0);
    CHECK_INT(store_setup_create(S, h2, T0 + MS_PER_H, &e), 0);
    CHECK_INT(store_setup_create(S, h1, T0 + MS_PER_H, &e), -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    /* Consumed once. */
    CHECK_INT(store_setup_consume(S, h1, T0 + 1000, &e), 0);
    CHECK_INT(store_setup_consume(S, h1, T0 + 2000, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    /* Expired at T0 + 1 h exactly. */
    CHECK_INT(store_setup_consume(S, h2, T0 + MS_PER_H, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_setup_consume(S, h2, T0 + MS_PER_H - 1, &e), 0);
    /* Unknown. */
    CHECK_INT(store_setup_consume(S, h3, T0, &e), -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(store_setup_consume(S, "ywsetup_raw", T0, &e), -1);
    CHECK_INT(e.code, YW_EINVAL);
    store_close(S);
    rmrf(dir);
}

/* ---- audit ------------------------------------------------------------------------- */

static int append(struct store *S, const char *user, const char *action, const char *object,
                  ms_t at)
{
    struct audit_record r = {.time = at,
                             .user = user,
                             .source = "127.0.0.1",
                             .action = action,
                             .object = object,
                             .before = "{\"paused\":false}",
                             .after = "{\"paused\":true}",
                             .result = "ok"};
    struct yw_err e = YW_ERR_INIT;
    int rc = store_audit_append(S, &r, &e);
    if (rc)
        printf("#   audit append: %s\n", e.msg);
    return rc;
}

static void copy_file(const char *from_dir, const char *to_dir, const char *name)
{
    char *from = xasprintf("%s/%s", from_dir, name);
    char *to = xasprintf("%s/%s", to_dir, name);
    int in = open(from, O_RDONLY);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    char buf[8192];
    ssize_t n;
    while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, (size_t)n) != n)
            printf("#   copying %s: short write\n", from);
    }
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    xfree(from);
    xfree(to);
}

static char *template_dir; /* five records, made once */

/* A fresh directory holding five records, sealed and anchored; no store
 * open. Copied from one made by the store (the WAL is checkpointed away
 * when the last connection closes), so each tampering test starts alike. */
static char *five_records(void)
{
    if (!template_dir) {
        template_dir = tmpdir();
        struct store *S = open_ok(template_dir);
        append(S, "li.lei", "session.login", NULL, T0);
        append(S, "li.lei", "monitor.update", "monitor:7", T0 + 1000);
        append(S, NULL, "session.login", NULL, T0 + 2000);
        append(S, "han.mei", "access.denied", "audit", T0 + 3000);
        append(S, "li.lei", "session.logout", NULL, T0 + 4000);
        store_close(S);
        char *wal = xasprintf("%s/yunwei.db-wal", template_dir);
        CHECK(access(wal, F_OK) != 0);
        xfree(wal);
    }
    char *dir = tmpdir();
    char *keys = xasprintf("%s/keys", dir);
    mkdir(keys, 0700);
    xfree(keys);
    copy_file(template_dir, dir, "yunwei.db");
    copy_file(template_dir, dir, "keys/secret.key");
    copy_file(template_dir, dir, "keys/audit.key");
    copy_file(template_dir, dir, "keys/audit.anchor");
    return dir;
}

static int verify(const char *dir, int64_t *bad, int64_t *checked, struct yw_err *e)
{
    struct store *S = store_open_shared(dir, e);
    if (!S) {
        printf("#   open for verify: %s\n", e->msg);
        return -2;
    }
    int rc = store_audit_verify(S, bad, checked, e);
    store_close(S);
    return rc;
}

TEST(audit_append_and_verify)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    int64_t bad = -1, checked = -1;
    /* Empty trail, no anchor: intact. */
    CHECK_INT(store_audit_verify(S, &bad, &checked, &e), 0);
    CHECK_INT(checked, 0);

    struct audit_record r = {.user = "li.lei", .source = "10.0.0.8", .action = "session.login",
                             .result = "ok"};
    ms_t before = time_now_ms();
    CHECK_INT(store_audit_append(S, &r, &e), 0);
    CHECK_INT(r.seq, 1);
    CHECK(strlen(r.mac) == 64);
    /* time was 0: now */
    struct audit_filter f = {.limit = 10};
    struct audit_row *rows = NULL;
    size_t n = 0;
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK(rows[0].r.time >= before);
        CHECK_STR(rows[0].r.mac, r.mac);
        CHECK(rows[0].r.object == NULL);
    }
    store_audit_rows_free(rows, n);

    /* The mac is HMAC(key, "0:;" || canonical): recompute with the key. */
    uint8_t key[AUDIT_KEY_BYTES];
    CHECK_INT(store_auth_keys(S, NULL, key, &e), 0);
    struct audit_record again = r;
    CHECK(audit_check(key, "", 1, &again));

    for (int i = 2; i <= 5; i++)
        CHECK_INT(append(S, "li.lei", "monitor.update", "monitor:7", T0 + i), 0);
    CHECK_INT(store_audit_verify(S, &bad, &checked, &e), 0);
    CHECK_INT(checked, 5);
    CHECK_INT(bad, 0);
    CHECK_INT(raw_int(dir, "SELECT max(seq) FROM audit"), 5);

    /* The anchor names record 5. */
    char *ap = xasprintf("%s/keys/audit.anchor", dir);
    FILE *fp = fopen(ap, "r");
    char line[128] = "";
    if (fp) {
        if (!fgets(line, sizeof line, fp))
            line[0] = '\0';
        fclose(fp);
    }
    CHECK(strncmp(line, "5 ", 2) == 0);
    CHECK_INT(mode_of(dir, "keys/audit.anchor"), 0600);
    xfree(ap);

    /* Limits and required fields. */
    struct audit_record missing = {.user = "x", .result = "ok"};
    CHECK_INT(store_audit_append(S, &missing, &e), -1);
    CHECK_STR(e.field, "action");
    char *big = xmalloc(70000);
    memset(big, 'x', 69999);
    big[69999] = '\0';
    struct audit_record huge = {.action = "a", .result = "ok", .after = big};
    CHECK_INT(store_audit_append(S, &huge, &e), -1);
    CHECK_INT(e.code, YW_ELIMIT);
    CHECK_STR(e.field, "after");
    xfree(big);
    CHECK_INT(store_audit_verify(S, &bad, &checked, &e), 0);
    CHECK_INT(checked, 5);
    store_close(S);
    rmrf(dir);
}

TEST(audit_list_filters)
{
    char *dir = five_records();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    struct audit_row *rows = NULL;
    size_t n = 0;
    /* user li.lei: seq 5, 2, 1 newest first */
    struct audit_filter f = {.user = "li.lei", .limit = 100};
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(rows[0].r.seq, 5);
        CHECK_INT(rows[1].r.seq, 2);
        CHECK_INT(rows[2].r.seq, 1);
        CHECK_STR(rows[1].r.object, "monitor:7");
        CHECK_STR(rows[1].r.before, "{\"paused\":false}");
        CHECK_STR(rows[1].r.result, "ok");
    }
    store_audit_rows_free(rows, n);
    /* action prefix "session.": 5, 3, 1; with a cursor before 5: 3, 1; limit 1: 3 */
    f = (struct audit_filter){.action = "session.", .limit = 100};
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), 0);
    CHECK_INT(n, 3);
    store_audit_rows_free(rows, n);
    f.before_seq = 5;
    f.limit = 1;
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(rows[0].r.seq, 3);
        CHECK(rows[0].r.user == NULL);
    }
    store_audit_rows_free(rows, n);
    /* "%" is a prefix, not a pattern */
    f = (struct audit_filter){.action = "%", .limit = 100};
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), 0);
    CHECK_INT(n, 0);
    store_audit_rows_free(rows, n);
    /* time [T0+1000, T0+3000): seq 3, 2 */
    f = (struct audit_filter){.from = T0 + 1000, .to = T0 + 3000, .limit = 100};
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(rows[0].r.seq, 3);
        CHECK_INT(rows[1].r.seq, 2);
    }
    store_audit_rows_free(rows, n);
    f.limit = 0;
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), -1);
    CHECK_STR(e.field, "limit");
    f.limit = 10001;
    CHECK_INT(store_audit_list(S, &f, &rows, &n, &e), -1);
    store_close(S);
    rmrf(dir);
}

TEST(audit_refuses_update_and_delete)
{
    char *dir = five_records();
    char msg[256];
    CHECK_INT(raw_exec(dir, "UPDATE audit SET result = 'denied' WHERE seq = 2", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK(strstr(msg, "append-only") != NULL);
    CHECK_INT(raw_exec(dir, "DELETE FROM audit WHERE seq = 5", msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK(strstr(msg, "append-only") != NULL);
    /* REPLACE would delete without a delete trigger; an insert into the
     * middle would rewrite history. */
    CHECK_INT(raw_exec(dir,
                       "INSERT OR REPLACE INTO audit(seq, time, action, result, mac) "
                       "VALUES (3, 0, 'x', 'ok', 'm')",
                       msg, sizeof msg),
              SQLITE_CONSTRAINT);
    CHECK_INT(raw_int(dir, "SELECT count(*) FROM audit"), 5);
    int64_t bad = -1, checked = -1;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(verify(dir, &bad, &checked, &e), 0);
    CHECK_INT(checked, 5);
    rmrf(dir);
}

#define DROP_TRIGGERS                                                                     \
    "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "                        \
    "DROP TRIGGER audit_append_only;"

TEST(audit_detects_altered_record)
{
    char *dir = five_records();
    CHECK_INT(raw_exec(dir, DROP_TRIGGERS "UPDATE audit SET result = 'denied' WHERE seq = 3",
                       NULL, 0),
              SQLITE_OK);
    int64_t bad = -1, checked = -1;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 3);
    CHECK_INT(checked, 2);
    CHECK(strstr(e.msg, "audit record 3 was altered") != NULL);
    rmrf(dir);

    /* A NULL turned into "" is a change too. */
    dir = five_records();
    CHECK_INT(raw_exec(dir, DROP_TRIGGERS "UPDATE audit SET user = '' WHERE seq = 3", NULL, 0),
              SQLITE_OK);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 3);
    rmrf(dir);

    /* So is the time. */
    dir = five_records();
    CHECK_INT(raw_exec(dir, DROP_TRIGGERS "UPDATE audit SET time = time + 1 WHERE seq = 1", NULL,
                       0),
              SQLITE_OK);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 1);
    CHECK_INT(checked, 0);
    rmrf(dir);
}

TEST(audit_detects_deleted_record)
{
    char *dir = five_records();
    CHECK_INT(raw_exec(dir, DROP_TRIGGERS "DELETE FROM audit WHERE seq = 3", NULL, 0), SQLITE_OK);
    int64_t bad = -1, checked = -1;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 4); /* the record after the gap */
    CHECK_INT(checked, 2);
    CHECK(strstr(e.msg, "audit record 3 is missing") != NULL);
    rmrf(dir);

    /* The first record. */
    dir = five_records();
    CHECK_INT(raw_exec(dir, DROP_TRIGGERS "DELETE FROM audit WHERE seq = 1", NULL, 0), SQLITE_OK);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 2);
    CHECK_INT(checked, 0);
    rmrf(dir);

    /* Renumbering after a deletion does not help: the macs chain seq. */
    dir = five_records();
    CHECK_INT(raw_exec(dir,
                       DROP_TRIGGERS "DELETE FROM audit WHERE seq = 3; "
                                     "UPDATE audit SET seq = seq + 10 WHERE seq > 3; "
                                     "UPDATE audit SET seq = seq - 11 WHERE seq > 10",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 3);
    rmrf(dir);
}

TEST(audit_detects_inserted_record)
{
    /* A forged record at the end, with a made-up mac. */
    char *dir = five_records();
    CHECK_INT(raw_exec(dir,
                       "INSERT INTO audit(seq, time, user, source, action, result, mac) VALUES "
                       "(6, 1767225605000, 'li.lei', '127.0.0.1', 'audit.export', 'ok', "
                       "'00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff')",
                       NULL, 0),
              SQLITE_OK);
    int64_t bad = -1, checked = -1;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 6);
    CHECK_INT(checked, 5);
    rmrf(dir);

    /* A forged record in the middle, the later ones shifted up to make room:
     * the forged one breaks first. */
    dir = five_records();
    CHECK_INT(raw_exec(dir,
                       DROP_TRIGGERS "UPDATE audit SET seq = seq + 10 WHERE seq >= 3; "
                                     "UPDATE audit SET seq = seq - 9 WHERE seq >= 13; "
                                     "INSERT INTO audit(seq, time, action, result, mac) VALUES "
                                     "(3, 1767225602500, 'user.create', 'ok', 'ab')",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(raw_int(dir, "SELECT count(*) FROM audit"), 6);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 3);
    CHECK_INT(checked, 2);
    rmrf(dir);

    /* A record copied from elsewhere in the chain (a valid mac, wrong place). */
    dir = five_records();
    CHECK_INT(raw_exec(dir,
                       "INSERT INTO audit SELECT 6, time, user, source, action, object, "
                       "\"before\", \"after\", result, mac FROM audit WHERE seq = 2",
                       NULL, 0),
              SQLITE_OK);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 6);
    rmrf(dir);
}

TEST(audit_detects_removed_tail)
{
    char *dir = five_records();
    CHECK_INT(raw_exec(dir, DROP_TRIGGERS "DELETE FROM audit WHERE seq = 5", NULL, 0), SQLITE_OK);
    int64_t bad = -1, checked = -1;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 0);
    CHECK_INT(checked, 4);
    CHECK(strstr(e.msg, "anchor") != NULL);
    CHECK(strstr(e.msg, "names record 5 but the last record is 4") != NULL);
    /* New appends after the removal must not paper over it: the anchor is
     * not moved over a record it disagrees with. */
    {
        struct store *S2 = open_ok(dir);
        CHECK(S2 != NULL);
        CHECK_INT(append(S2, "li.lei", "session.login", NULL, T0 + 9000), 0); /* new seq 5 */
        CHECK_INT(append(S2, "li.lei", "session.logout", NULL, T0 + 9500), 0); /* seq 6 */
        CHECK_INT(store_audit_verify(S2, &bad, &checked, &e), -1);
        CHECK(strstr(e.msg, "anchor") != NULL);
        store_close(S2);
    }
    rmrf(dir);

    /* Everything removed. */
    dir = five_records();
    CHECK_INT(raw_exec(dir, DROP_TRIGGERS "DELETE FROM audit", NULL, 0), SQLITE_OK);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK(strstr(e.msg, "anchor") != NULL);
    rmrf(dir);

    /* The anchor removed as well as the tail: a missing anchor with records
     * is itself the error. */
    dir = five_records();
    char *ap = xasprintf("%s/keys/audit.anchor", dir);
    CHECK_INT(unlink(ap), 0);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 0);
    CHECK(strstr(e.msg, "anchor") != NULL && strstr(e.msg, "missing") != NULL);

    /* A damaged anchor: reported by verify, yet the store opens and the next
     * append writes a good one. */
    FILE *fp = fopen(ap, "w");
    if (fp) {
        fputs("garbage\n", fp);
        fclose(fp);
    }
    chmod(ap, 0600);
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK(strstr(e.msg, "malformed") != NULL);
    struct store *S = open_ok(dir);
    CHECK_INT(append(S, "li.lei", "session.login", NULL, T0 + 9000), 0);
    CHECK_INT(store_audit_verify(S, &bad, &checked, &e), 0);
    CHECK_INT(checked, 6);
    store_close(S);
    xfree(ap);
    rmrf(dir);
}

TEST(audit_key_is_not_replaced)
{
    /* The audit key lost while records exist: refused, not a new chain. */
    char *dir = five_records();
    char *kp = xasprintf("%s/keys/audit.key", dir);
    char *saved = xasprintf("%s/audit.key.saved", dir);
    CHECK_INT(rename(kp, saved), 0);
    struct yw_err e = YW_ERR_INIT;
    struct store *S = store_open(dir, &e);
    CHECK(S == NULL);
    CHECK(strstr(e.msg, "audit.key") != NULL);
    store_close(S);
    /* Another key in its place: every record fails, from the first. */
    CHECK_INT(rename(saved, kp), 0);
    int fd = open(kp, O_WRONLY);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK_INT(write(fd, "0123456789abcdef0123456789abcdef", 32), 32);
        close(fd);
    }
    int64_t bad = -1, checked = -1;
    CHECK_INT(verify(dir, &bad, &checked, &e), -1);
    CHECK_INT(bad, 1);
    xfree(kp);
    xfree(saved);
    rmrf(dir);
}

/* ---- concurrent appenders ------------------------------------------------------ */

#define PER_THREAD 20

struct appender {
    struct store *S;
    const char *who;
    int failures;
};

static void *append_many(void *arg)
{
    struct appender *a = arg;
    for (int i = 0; i < PER_THREAD; i++) {
        struct audit_record r = {.user = a->who, .source = "127.0.0.1",
                                 .action = "monitor.update", .result = "ok"};
        struct yw_err e = YW_ERR_INIT;
        if (store_audit_append(a->S, &r, &e))
            a->failures++;
    }
    return NULL;
}

TEST(audit_concurrent_appenders)
{
    char *dir = tmpdir();
    /* A child process (the CLI) appends while the server's threads do. It
     * is forked before this process has any other thread (a child of a
     * threaded parent may inherit locks nobody will release). */
    int go[2];
    CHECK_INT(pipe(go), 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char b;
        close(go[1]);
        if (read(go[0], &b, 1) != 1)
            _exit(2);
        struct yw_err ce = YW_ERR_INIT;
        struct store *X = store_open_shared(dir, &ce);
        struct appender a = {X, "cli", 0};
        if (X)
            append_many(&a);
        store_close(X);
        _exit(X && a.failures == 0 ? 0 : 1);
    }
    close(go[0]);
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    struct store *C = store_open_shared(dir, &e);
    CHECK(S && C);
    CHECK_INT(write(go[1], "g", 1), 1);
    close(go[1]);
    if (!S || !C) {
        waitpid(pid, NULL, 0);
        store_close(C);
        store_close(S);
        rmrf(dir);
        return;
    }
    struct appender as[4] = {
        {S, "server-a", 0}, {S, "server-b", 0}, {C, "shared-a", 0}, {C, "shared-b", 0}};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, append_many, &as[i]);
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        CHECK_INT(as[i].failures, 0);
    }
    int status = -1;
    CHECK_INT(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

    int64_t bad = -1, checked = -1;
    CHECK_INT(store_audit_verify(C, &bad, &checked, &e), 0);
    CHECK_INT(checked, 5 * PER_THREAD);
    CHECK_INT(raw_int(dir, "SELECT count(DISTINCT user) FROM audit"), 5);
    /* The anchor caught up with the last record. */
    char *ap = xasprintf("%s/keys/audit.anchor", dir);
    FILE *fp = fopen(ap, "r");
    long long aseq = 0;
    if (fp) {
        if (fscanf(fp, "%lld", &aseq) != 1)
            aseq = 0;
        fclose(fp);
    }
    CHECK_INT(aseq, 5 * PER_THREAD);
    xfree(ap);
    store_close(C);
    store_close(S);
    rmrf(dir);
}

int main(void)
{
    RUN(open_creates_keys);
    RUN(shared_open_beside_the_server);
    RUN(org_tree);
    RUN(users_crud);
    RUN(password_history);
    RUN(sessions);
    RUN(api_tokens);
    RUN(settings_and_policy);
    RUN(setup_links);
    RUN(audit_append_and_verify);
    RUN(audit_list_filters);
    RUN(audit_refuses_update_and_delete);
    RUN(audit_detects_altered_record);
    RUN(audit_detects_deleted_record);
    RUN(audit_detects_inserted_record);
    RUN(audit_detects_removed_tail);
    RUN(audit_key_is_not_replaced);
    RUN(audit_concurrent_appenders);
    rmrf(template_dir);
    return t_done();
}
