/*
 * test_store — the store against real SQLite files in a temporary directory.
 * Expectations are computed by hand in the comments beside them.
 */
#include <ftw.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/config.h"
#include "core/mem.h"
#include "store/store_int.h"
#include "t.h"

/* 2026-01-01T00:00:00Z, on an hour boundary: 1767225600000 / 3600000 = 490896. */
#define T0 1767225600000LL
#define H MS_PER_H

/* ---- helpers ---------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static char *tmpdir(void)
{
    char tmpl[] = "/tmp/yw-store-XXXXXX";
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
    store_test_background(S, false); /* tests run the hourly jobs themselves */
    return S;
}

static json_t *js(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        printf("#   bad test JSON %s: %s\n", text, je.text);
    return j;
}

static void sys_spec(struct system_spec *s, const char *text)
{
    json_t *j = js(text);
    struct yw_err e = YW_ERR_INIT;
    if (config_system_from_json(j, s, &e))
        printf("#   system spec %s: %s: %s\n", text, e.field, e.msg);
    json_decref(j);
}

static void mon_spec(struct monitor_spec *m, const char *text)
{
    json_t *j = js(text);
    struct yw_err e = YW_ERR_INIT;
    if (config_monitor_from_json(j, m, &e))
        printf("#   monitor spec %s: %s: %s\n", text, e.field, e.msg);
    json_decref(j);
}

static void maint_spec(struct maint_spec *w, const char *text)
{
    json_t *j = js(text);
    struct yw_err e = YW_ERR_INIT;
    if (config_maint_from_json(j, w, &e))
        printf("#   maintenance spec %s: %s: %s\n", text, e.field, e.msg);
    json_decref(j);
}

static int64_t mk_system(struct store *S, const char *text)
{
    struct system_spec s = {0};
    sys_spec(&s, text);
    int64_t id = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_system_create(S, &s, &id, &e))
        printf("#   system create: %s\n", e.msg);
    system_spec_release(&s);
    return id;
}

static int64_t mk_monitor(struct store *S, const char *text)
{
    struct monitor_spec m = {0};
    mon_spec(&m, text);
    int64_t id = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_monitor_create(S, &m, &id, &e))
        printf("#   monitor create: %s\n", e.msg);
    monitor_spec_release(&m);
    return id;
}

/* A store with system "portal" and http monitor "portal-home"; *mid its id. */
static struct store *fixture(char **dir, int64_t *mid)
{
    *dir = tmpdir();
    struct store *S = open_ok(*dir);
    if (!S)
        return NULL;
    mk_system(S, "{\"name\":\"portal\",\"title\":\"数据资源门户\",\"tier\":\"key\"}");
    *mid = mk_monitor(S, "{\"name\":\"portal-home\",\"system\":\"portal\",\"type\":\"http\","
                         "\"url\":\"https://portal.example.gov.cn/\"}");
    return S;
}

/* First column of the first row of sql, on a separate connection to the file. */
static int64_t sql_int(const char *dir, const char *sql)
{
    char *path = xasprintf("%s/yunwei.db", dir);
    sqlite3 *db = NULL;
    int64_t v = -1;
    sqlite3_stmt *st = NULL;
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

static void sql_exec(const char *dir, const char *sql)
{
    char *path = xasprintf("%s/yunwei.db", dir);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
        sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        printf("#   sql %s: %s\n", sql, db ? sqlite3_errmsg(db) : "open failed");
    sqlite3_close(db);
    xfree(path);
}

static struct probe_result result(ms_t started, bool ok, ms_t latency, const char *detail)
{
    struct probe_result r = {
        .ok = ok, .started = started, .latency = latency, .status = ok ? 200 : 503};
    snprintf(r.detail, sizeof r.detail, "%s", detail);
    return r;
}

static size_t count_intervals(struct store *S, int64_t mid)
{
    struct interval_row *iv = NULL;
    size_t n = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_intervals(S, mid, INT64_MIN / 2, INT64_MAX / 2, 0, &iv, &n, &e))
        printf("#   intervals: %s\n", e.msg);
    store_interval_rows_free(iv, n);
    return n;
}

/* ---- opening, migrations ------------------------------------------------------ */

TEST(open_creates_dir_and_schema)
{
    char *base = tmpdir();
    char *dir = xasprintf("%s/var/data", base); /* two levels that do not exist */
    struct store *S = open_ok(dir);
    CHECK(S != NULL);
    struct stat st;
    CHECK(stat(dir, &st) == 0 && (st.st_mode & 0777) == 0700);
    char *db = xasprintf("%s/yunwei.db", dir);
    CHECK(stat(db, &st) == 0 && (st.st_mode & 0777) == 0600);
    /* 1: monitoring; 2: accounts, sessions, tokens, audit */
    CHECK_INT(sql_int(dir, "SELECT count(*) FROM schema_migrations"), 5);
    CHECK_INT(sql_int(dir, "SELECT max(version) FROM schema_migrations"), 5);
    CHECK_INT(sql_int(dir, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                           "('meta','systems','monitors','maintenance','maint_refs','results',"
                           "'state_intervals','rollups','schema_migrations')"),
              9);
    char *wal = xasprintf("%s/yunwei.db-wal", dir); /* WAL mode */
    CHECK(stat(wal, &st) == 0 && (st.st_mode & 0777) == 0600);
    xfree(wal);
    store_close(S);

    /* Reopening applies nothing twice and keeps the data. */
    S = open_ok(dir);
    CHECK(S != NULL);
    mk_system(S, "{\"name\":\"portal\",\"tier\":\"key\"}");
    store_close(S);
    S = open_ok(dir);
    CHECK(S != NULL);
    CHECK_INT(sql_int(dir, "SELECT count(*) FROM schema_migrations"), 5);
    struct system_row row;
    struct yw_err e = YW_ERR_INIT;
    CHECK(store_system_get(S, 0, "portal", &row, &e) == 0);
    store_system_row_release(&row);
    store_close(S);
    store_close(NULL); /* a no-op */
    xfree(db);
    xfree(dir);
    rmrf(base);
}

TEST(one_process_per_directory)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    struct store *S2 = store_open(dir, &e);
    CHECK(S2 == NULL);
    CHECK_INT(e.code, YW_EIO);
    CHECK(strstr(e.msg, "in use") != NULL);
    store_close(S2);
    store_close(S);
    S = open_ok(dir); /* the lock went with the first store */
    CHECK(S != NULL);
    store_close(S);
    rmrf(dir);
}

TEST(newer_schema_refused)
{
    char *dir = tmpdir();
    store_close(open_ok(dir));
    sql_exec(dir, "INSERT INTO schema_migrations(version, applied) VALUES (99, 0)");
    struct yw_err e = YW_ERR_INIT;
    struct store *S = store_open(dir, &e);
    CHECK(S == NULL);
    CHECK_INT(e.code, YW_EIO);
    CHECK(strstr(e.msg, "newer") != NULL);
    store_close(S);

    /* A path that is a file, not a directory. */
    char *file = xasprintf("%s/yunwei.db", dir);
    e = (struct yw_err)YW_ERR_INIT;
    CHECK(store_open(file, &e) == NULL);
    CHECK_INT(e.code, YW_EIO);
    xfree(file);
    rmrf(dir);
}

/* ---- systems ------------------------------------------------------------------ */

TEST(systems_crud)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    int64_t id = mk_system(S, "{\"name\":\"portal\",\"title\":\"数据资源门户\",\"tier\":\"key\"}");
    CHECK(id > 0);

    struct system_row row;
    CHECK(store_system_get(S, id, NULL, &row, &e) == 0);
    CHECK_STR(row.spec.name, "portal");
    CHECK_STR(row.spec.title, "数据资源门户");
    CHECK_INT(row.spec.tier, TIER_KEY);
    CHECK(!row.spec.provisioned);
    CHECK(row.created > 0 && row.updated == row.created);
    store_system_row_release(&row);
    CHECK(store_system_get(S, 0, "portal", &row, &e) == 0);
    CHECK_INT(row.id, id);
    store_system_row_release(&row);

    /* Names are unique among live systems. */
    struct system_spec s = {0};
    sys_spec(&s, "{\"name\":\"portal\",\"tier\":\"general\"}");
    e = (struct yw_err)YW_ERR_INIT;
    CHECK(store_system_create(S, &s, NULL, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK_STR(e.field, "name");
    system_spec_release(&s);

    /* Update. */
    sys_spec(&s, "{\"name\":\"portal\",\"title\":\"门户\",\"tier\":\"general\"}");
    CHECK(store_system_update(S, id, &s, &e) == 0);
    system_spec_release(&s);
    CHECK(store_system_get(S, id, NULL, &row, &e) == 0);
    CHECK_STR(row.spec.title, "门户");
    CHECK_INT(row.spec.tier, TIER_GENERAL);
    CHECK(row.updated >= row.created);
    store_system_row_release(&row);

    /* Not found, bad arguments. */
    e = (struct yw_err)YW_ERR_INIT;
    CHECK(store_system_get(S, 9999, NULL, &row, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK(store_system_get(S, 0, NULL, &row, &e) == -1);
    CHECK_INT(e.code, YW_EINVAL);
    sys_spec(&s, "{\"name\":\"x\",\"tier\":\"key\"}");
    CHECK(store_system_update(S, 9999, &s, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK(store_system_delete(S, 9999, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    system_spec_release(&s);

    int64_t other = mk_system(S, "{\"name\":\"data\",\"tier\":\"general\"}");
    struct system_row *rows = NULL;
    size_t n = 0;
    CHECK(store_system_list(S, &rows, &n, &e) == 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(rows[0].spec.name, "portal");
        CHECK_STR(rows[1].spec.name, "data");
    }
    store_system_rows_free(rows, n);

    /* Renaming onto another live name conflicts. */
    sys_spec(&s, "{\"name\":\"portal\",\"tier\":\"general\"}");
    CHECK(store_system_update(S, other, &s, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    system_spec_release(&s);

    /* Soft delete frees the name; the old row stays in the file. */
    CHECK(store_system_delete(S, id, &e) == 0);
    CHECK(store_system_get(S, id, NULL, &row, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    int64_t again = mk_system(S, "{\"name\":\"portal\",\"tier\":\"key\"}");
    CHECK(again > 0 && again != id);
    CHECK_INT(sql_int(dir, "SELECT count(*) FROM systems WHERE name = 'portal'"), 2);

    /* Provisioned systems are read-only here. */
    sys_spec(&s, "{\"name\":\"prov\",\"tier\":\"key\"}");
    s.provisioned = true;
    int64_t pid = 0;
    CHECK(store_system_create(S, &s, &pid, &e) == 0);
    CHECK(store_system_update(S, pid, &s, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK(strstr(e.msg, "provisioned by the config file; change it there") != NULL);
    CHECK(store_system_delete(S, pid, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK(store_system_get(S, pid, NULL, &row, &e) == 0 && row.spec.provisioned);
    store_system_row_release(&row);
    system_spec_release(&s);
    store_close(S);
    rmrf(dir);
}

/* ---- monitors ------------------------------------------------------------------ */

static bool url_safe(const char *s)
{
    for (; *s; s++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *s))
            return false;
    return true;
}

TEST(monitors_crud)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    int64_t portal = mk_system(S, "{\"name\":\"portal\",\"tier\":\"key\"}");
    int64_t data = mk_system(S, "{\"name\":\"data\",\"tier\":\"general\"}");

    /* The system must exist. */
    struct monitor_spec m = {0};
    mon_spec(&m, "{\"name\":\"x\",\"system\":\"nosuch\",\"type\":\"tcp\",\"host\":\"h\","
                 "\"port\":1}");
    CHECK(store_monitor_create(S, &m, NULL, &e) == -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_STR(e.field, "system");
    monitor_spec_release(&m);

    int64_t home = mk_monitor(S, "{\"name\":\"portal-home\",\"system\":\"portal\","
                                 "\"type\":\"http\",\"url\":\"https://portal.example.gov.cn/\","
                                 "\"keyword\":\"数据资源中心\",\"interval\":\"60s\"}");
    int64_t db = mk_monitor(S, "{\"name\":\"db-port\",\"system\":\"data\",\"title\":\"数据库端口\","
                               "\"type\":\"tcp\",\"host\":\"10.0.0.5\",\"port\":5432}");
    CHECK(home > 0 && db > 0);

    struct monitor_row row;
    CHECK(store_monitor_get(S, home, NULL, &row, &e) == 0);
    CHECK_STR(row.spec.name, "portal-home");
    CHECK_STR(row.spec.system, "portal");
    CHECK_INT(row.system_id, portal);
    CHECK_INT(row.spec.type, MT_HTTP);
    CHECK_STR(row.spec.http.url, "https://portal.example.gov.cn/");
    CHECK_STR(row.spec.http.keyword, "数据资源中心");
    CHECK_INT(row.spec.interval, 60000);
    CHECK_INT(row.state, ST_NODATA);
    CHECK_INT(row.state_since, 0);
    CHECK(row.state_reason == NULL);
    store_monitor_row_release(&row);

    /* Duplicate name. */
    mon_spec(&m, "{\"name\":\"db-port\",\"system\":\"portal\",\"type\":\"tcp\",\"host\":\"h\","
                 "\"port\":1}");
    CHECK(store_monitor_create(S, &m, NULL, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    monitor_spec_release(&m);

    /* Filters. */
    struct monitor_row *rows = NULL;
    size_t n = 0;
    CHECK(store_monitor_list(S, NULL, &rows, &n, &e) == 0);
    CHECK_INT(n, 2);
    store_monitor_rows_free(rows, n);
    struct monitor_filter f = MONITOR_FILTER_ALL;
    f.system_id = data;
    CHECK(store_monitor_list(S, &f, &rows, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(rows[0].spec.name, "db-port");
    store_monitor_rows_free(rows, n);
    f = (struct monitor_filter)MONITOR_FILTER_ALL;
    f.type = MT_HTTP;
    CHECK(store_monitor_list(S, &f, &rows, &n, &e) == 0);
    CHECK_INT(n, 1);
    store_monitor_rows_free(rows, n);
    f = (struct monitor_filter)MONITOR_FILTER_ALL;
    f.search = "HOME"; /* case-insensitive on the name */
    CHECK(store_monitor_list(S, &f, &rows, &n, &e) == 0);
    CHECK_INT(n, 1);
    store_monitor_rows_free(rows, n);
    f.search = "数据库"; /* the title */
    CHECK(store_monitor_list(S, &f, &rows, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_STR(rows[0].spec.name, "db-port");
    store_monitor_rows_free(rows, n);
    f.search = "%"; /* literal, not a wildcard */
    CHECK(store_monitor_list(S, &f, &rows, &n, &e) == 0);
    CHECK_INT(n, 0);
    store_monitor_rows_free(rows, n);
    f = (struct monitor_filter)MONITOR_FILTER_ALL;
    f.type = 42;
    CHECK(store_monitor_list(S, &f, &rows, &n, &e) == -1);
    CHECK_INT(e.code, YW_EINVAL);

    /* A heartbeat gets a 24-character url-safe token, found by it. */
    int64_t hb = mk_monitor(S, "{\"name\":\"nightly-etl\",\"system\":\"data\","
                               "\"type\":\"heartbeat\",\"interval\":\"24h\",\"grace\":\"30m\"}");
    CHECK(store_monitor_get(S, hb, NULL, &row, &e) == 0);
    char token[80] = "";
    CHECK(row.spec.heartbeat.token != NULL);
    if (row.spec.heartbeat.token) {
        snprintf(token, sizeof token, "%s", row.spec.heartbeat.token);
        CHECK_INT(strlen(token), 24);
        CHECK(url_safe(token));
    }
    store_monitor_row_release(&row);
    CHECK(store_monitor_by_token(S, token, &row, &e) == 0);
    CHECK_INT(row.id, hb);
    store_monitor_row_release(&row);
    CHECK(store_monitor_by_token(S, "nope-nope-nope-nope", &row, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);

    /* Another monitor may not take that token. */
    char *dup = xasprintf("{\"name\":\"etl2\",\"system\":\"data\",\"type\":\"heartbeat\","
                          "\"token\":\"%s\"}",
                          token);
    mon_spec(&m, dup);
    CHECK(store_monitor_create(S, &m, NULL, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK_STR(e.field, "token");
    monitor_spec_release(&m);
    xfree(dup);

    /* Update (a PUT without the token keeps it), rename, move system. */
    mon_spec(&m, "{\"name\":\"etl\",\"system\":\"portal\",\"type\":\"heartbeat\","
                 "\"interval\":\"12h\"}");
    CHECK(store_monitor_update(S, hb, &m, &e) == 0);
    monitor_spec_release(&m);
    CHECK(store_monitor_get(S, hb, NULL, &row, &e) == 0);
    CHECK_STR(row.spec.name, "etl");
    CHECK_STR(row.spec.system, "portal");
    CHECK_INT(row.spec.interval, 12 * H);
    CHECK_STR(row.spec.heartbeat.token, token);
    store_monitor_row_release(&row);
    CHECK(store_monitor_get(S, 0, "nightly-etl", &row, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);

    /* A system with live monitors cannot go. */
    CHECK(store_system_delete(S, data, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);

    /* Pause. */
    CHECK(store_monitor_set_paused(S, db, true, &e) == 0);
    CHECK(store_monitor_get(S, db, NULL, &row, &e) == 0 && row.spec.paused);
    store_monitor_row_release(&row);
    CHECK(store_monitor_set_paused(S, 9999, true, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);

    /* Delete: gone from get and list, name free again, system deletable. */
    CHECK(store_monitor_delete(S, db, &e) == 0);
    CHECK(store_monitor_get(S, db, NULL, &row, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK(store_monitor_delete(S, db, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK(store_system_delete(S, data, &e) == 0);
    int64_t db2 = mk_monitor(S, "{\"name\":\"db-port\",\"system\":\"portal\",\"type\":\"tcp\","
                                "\"host\":\"10.0.0.6\",\"port\":5432}");
    CHECK(db2 > 0 && db2 != db);

    /* A spec the parser would refuse is refused here, not stored to break
     * every later read. */
    mon_spec(&m, "{\"name\":\"bad\",\"system\":\"portal\",\"type\":\"tcp\",\"host\":\"h\","
                 "\"port\":1}");
    m.retry_interval = 0;
    CHECK(store_monitor_create(S, &m, NULL, &e) == -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_STR(e.field, "retry_interval");
    monitor_spec_release(&m);
    CHECK(store_monitor_list(S, NULL, &rows, &n, &e) == 0);
    store_monitor_rows_free(rows, n);

    /* Provisioned: no update or delete here, but pausing is operation. */
    mon_spec(&m, "{\"name\":\"prov\",\"system\":\"portal\",\"type\":\"tcp\",\"host\":\"h\","
                 "\"port\":1}");
    m.provisioned = true;
    int64_t prov = 0;
    CHECK(store_monitor_create(S, &m, &prov, &e) == 0);
    CHECK(store_monitor_update(S, prov, &m, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK(strstr(e.msg, "provisioned by the config file; change it there") != NULL);
    CHECK(store_monitor_delete(S, prov, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK(store_monitor_set_paused(S, prov, true, &e) == 0);
    CHECK(store_monitor_get(S, prov, NULL, &row, &e) == 0);
    CHECK(row.spec.paused && row.spec.provisioned);
    store_monitor_row_release(&row);
    monitor_spec_release(&m);
    store_close(S);
    rmrf(dir);
}

/* A renamed system renames the system of its monitors (they refer by id). */
TEST(system_rename_follows)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    struct system_row sr;
    CHECK(store_system_get(S, 0, "portal", &sr, &e) == 0);
    struct system_spec s = {0};
    sys_spec(&s, "{\"name\":\"portal2\",\"tier\":\"key\"}");
    CHECK(store_system_update(S, sr.id, &s, &e) == 0);
    system_spec_release(&s);
    store_system_row_release(&sr);
    struct monitor_row row;
    CHECK(store_monitor_get(S, mid, NULL, &row, &e) == 0);
    CHECK_STR(row.spec.system, "portal2");
    store_monitor_row_release(&row);
    store_close(S);
    rmrf(dir);
}

/* ---- maintenance windows ----------------------------------------------------------- */

TEST(maintenance_windows)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    struct maint_spec w = {0};

    maint_spec(&w, "{\"name\":\"w\",\"systems\":[\"nosuch\"],\"recurrence\":\"daily\","
                   "\"start\":\"02:00\",\"end\":\"04:00\"}");
    CHECK(store_maint_create(S, &w, NULL, &e) == -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_STR(e.field, "systems");
    maint_spec_release(&w);
    maint_spec(&w, "{\"name\":\"w\",\"monitors\":[\"nosuch\"],\"recurrence\":\"daily\","
                   "\"start\":\"02:00\",\"end\":\"04:00\"}");
    CHECK(store_maint_create(S, &w, NULL, &e) == -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK_STR(e.field, "monitors");
    maint_spec_release(&w);

    maint_spec(&w, "{\"name\":\"weekly-patch\",\"systems\":[\"portal\"],"
                   "\"monitors\":[\"portal-home\"],\"recurrence\":\"weekly\",\"day\":\"sunday\","
                   "\"start\":\"02:00\",\"end\":\"04:00\"}");
    int64_t wid = 0;
    CHECK(store_maint_create(S, &w, &wid, &e) == 0);
    CHECK(store_maint_create(S, &w, NULL, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    maint_spec_release(&w);

    struct maint_row row;
    CHECK(store_maint_get(S, wid, NULL, &row, &e) == 0);
    CHECK_STR(row.spec.name, "weekly-patch");
    CHECK_INT(row.spec.recurrence, MR_WEEKLY);
    CHECK_INT(row.spec.day, 0);
    CHECK_INT(row.spec.start_min, 120);
    CHECK_INT(row.spec.end_min, 240);
    CHECK_INT(row.spec.nsystems, 1);
    if (row.spec.nsystems == 1)
        CHECK_STR(row.spec.systems[0], "portal");
    store_maint_row_release(&row);
    CHECK(store_maint_get(S, 0, "weekly-patch", &row, &e) == 0);
    store_maint_row_release(&row);

    /* The window covers portal and portal-home by name: renaming or
     * deleting them would silently uncover planned downtime. */
    struct system_row sr;
    CHECK(store_system_get(S, 0, "portal", &sr, &e) == 0);
    struct system_spec s = {0};
    sys_spec(&s, "{\"name\":\"portal2\",\"tier\":\"key\"}");
    CHECK(store_system_update(S, sr.id, &s, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK(strstr(e.msg, "weekly-patch") != NULL);
    CHECK(store_monitor_delete(S, mid, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);

    /* Update the window to cover only the monitor; then the system may be renamed. */
    maint_spec(&w, "{\"name\":\"weekly-patch\",\"monitors\":[\"portal-home\"],"
                   "\"recurrence\":\"daily\",\"start\":\"22:00\",\"end\":\"01:00\"}");
    CHECK(store_maint_update(S, wid, &w, &e) == 0);
    maint_spec_release(&w);
    CHECK(store_system_update(S, sr.id, &s, &e) == 0);
    store_system_row_release(&sr);
    system_spec_release(&s);

    struct maint_row *rows = NULL;
    size_t n = 0;
    CHECK(store_maint_list(S, &rows, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1) {
        CHECK_INT(rows[0].spec.recurrence, MR_DAILY);
        CHECK_INT(rows[0].spec.nsystems, 0);
    }
    store_maint_rows_free(rows, n);

    CHECK(store_maint_delete(S, wid, &e) == 0);
    CHECK(store_maint_get(S, wid, NULL, &row, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK(store_monitor_delete(S, mid, &e) == 0); /* no window covers it now */
    store_close(S);
    rmrf(dir);
}

/* ---- provisioning ------------------------------------------------------------------ */

static const char cfg1[] = "systems:\n"
                           "  - name: portal\n"
                           "    tier: key\n"
                           "  - name: data\n"
                           "    tier: general\n"
                           "monitors:\n"
                           "  - name: portal-home\n"
                           "    system: portal\n"
                           "    type: http\n"
                           "    url: https://portal.example.gov.cn/\n"
                           "    interval: 60s\n"
                           "  - name: db-port\n"
                           "    system: data\n"
                           "    type: tcp\n"
                           "    host: 10.0.0.5\n"
                           "    port: 5432\n"
                           "  - name: nightly-etl\n"
                           "    system: data\n"
                           "    type: heartbeat\n"
                           "    interval: 24h\n"
                           "    grace: 30m\n"
                           "maintenance:\n"
                           "  - name: weekly-patch\n"
                           "    systems: [portal]\n"
                           "    recurrence: weekly\n"
                           "    day: sunday\n"
                           "    start: \"02:00\"\n"
                           "    end: \"04:00\"\n";

/* cfg1 with portal-home every 30s and db-port gone. */
static const char cfg2[] = "systems:\n"
                           "  - name: portal\n"
                           "    tier: key\n"
                           "  - name: data\n"
                           "    tier: general\n"
                           "monitors:\n"
                           "  - name: portal-home\n"
                           "    system: portal\n"
                           "    type: http\n"
                           "    url: https://portal.example.gov.cn/\n"
                           "    interval: 30s\n"
                           "  - name: nightly-etl\n"
                           "    system: data\n"
                           "    type: heartbeat\n"
                           "    interval: 24h\n"
                           "    grace: 30m\n"
                           "maintenance:\n"
                           "  - name: weekly-patch\n"
                           "    systems: [portal]\n"
                           "    recurrence: weekly\n"
                           "    day: sunday\n"
                           "    start: \"02:00\"\n"
                           "    end: \"04:00\"\n";

static int sync_text(struct store *S, const char *text, struct yw_err *e)
{
    struct config c = {0};
    struct diag d = DIAG_INIT;
    if (config_load_buffer("test.yaml", text, strlen(text), &c, &d)) {
        diag_print(&d, stdout);
        diag_release(&d);
        return -2;
    }
    diag_release(&d);
    int rc = store_sync_config(S, &c, e);
    config_release(&c);
    return rc;
}

static ms_t updated_of(struct store *S, const char *name)
{
    struct monitor_row row;
    struct yw_err e = YW_ERR_INIT;
    if (store_monitor_get(S, 0, name, &row, &e))
        return -1;
    ms_t u = row.updated;
    store_monitor_row_release(&row);
    return u;
}

TEST(sync_config)
{
    char *dir = tmpdir();
    struct store *S = open_ok(dir);
    struct yw_err e = YW_ERR_INIT;
    CHECK(sync_text(S, cfg1, &e) == 0);

    struct monitor_row *rows = NULL;
    size_t n = 0;
    CHECK(store_monitor_list(S, NULL, &rows, &n, &e) == 0);
    CHECK_INT(n, 3);
    for (size_t i = 0; i < n; i++)
        CHECK(rows[i].spec.provisioned);
    store_monitor_rows_free(rows, n);
    struct system_row *srows = NULL;
    CHECK(store_system_list(S, &srows, &n, &e) == 0);
    CHECK_INT(n, 2);
    for (size_t i = 0; i < n; i++)
        CHECK(srows[i].spec.provisioned);
    store_system_rows_free(srows, n);
    struct maint_row mr;
    CHECK(store_maint_get(S, 0, "weekly-patch", &mr, &e) == 0 && mr.spec.provisioned);
    store_maint_row_release(&mr);

    struct monitor_row row;
    char token[80] = "";
    CHECK(store_monitor_get(S, 0, "nightly-etl", &row, &e) == 0);
    if (row.spec.heartbeat.token)
        snprintf(token, sizeof token, "%s", row.spec.heartbeat.token);
    CHECK_INT(strlen(token), 24);
    store_monitor_row_release(&row);
    CHECK(store_monitor_get(S, 0, "db-port", &row, &e) == 0);
    int64_t db = row.id;
    store_monitor_row_release(&row);
    CHECK(store_monitor_set_paused(S, db, true, &e) == 0); /* operation, through the API */

    /* The same file again changes nothing: no updated time moves, the
     * token stays, the API pause stays. */
    ms_t u_home = updated_of(S, "portal-home"), u_etl = updated_of(S, "nightly-etl");
    ms_t u_db = updated_of(S, "db-port");
    usleep(5000);
    CHECK(sync_text(S, cfg1, &e) == 0);
    CHECK_INT(updated_of(S, "portal-home"), u_home);
    CHECK_INT(updated_of(S, "nightly-etl"), u_etl);
    CHECK_INT(updated_of(S, "db-port"), u_db);
    CHECK(store_monitor_get(S, db, NULL, &row, &e) == 0 && row.spec.paused);
    store_monitor_row_release(&row);
    CHECK(store_monitor_get(S, 0, "nightly-etl", &row, &e) == 0);
    CHECK_STR(row.spec.heartbeat.token, token);
    store_monitor_row_release(&row);

    /* cfg2: one updated, one removed, the rest untouched. */
    CHECK(sync_text(S, cfg2, &e) == 0);
    CHECK(store_monitor_get(S, 0, "portal-home", &row, &e) == 0);
    CHECK_INT(row.spec.interval, 30000);
    CHECK(row.updated > u_home);
    store_monitor_row_release(&row);
    CHECK(store_monitor_get(S, db, NULL, &row, &e) == -1);
    CHECK_INT(e.code, YW_ENOTFOUND);
    CHECK_INT(updated_of(S, "nightly-etl"), u_etl);

    /* An API object with a name the file declares: conflict, nothing changes. */
    mk_system(S, "{\"name\":\"extra\",\"tier\":\"general\"}");
    static const char cfg3[] = "systems:\n"
                               "  - name: portal\n"
                               "    tier: key\n"
                               "  - name: extra\n"
                               "    tier: key\n"
                               "monitors:\n"
                               "  - name: new-mon\n"
                               "    system: portal\n"
                               "    type: tcp\n"
                               "    host: h\n"
                               "    port: 1\n";
    CHECK(sync_text(S, cfg3, &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK(strstr(e.msg, "\"extra\"") != NULL);
    CHECK(store_monitor_get(S, 0, "new-mon", &row, &e) == -1);
    CHECK(store_monitor_get(S, 0, "portal-home", &row, &e) == 0); /* not removed */
    store_monitor_row_release(&row);

    /* Removing a provisioned system an API monitor still uses: conflict,
     * and nothing of the sync happens (nightly-etl stays). */
    mk_monitor(S, "{\"name\":\"api-mon\",\"system\":\"data\",\"type\":\"tcp\",\"host\":\"h\","
                  "\"port\":2}");
    CHECK(sync_text(S, "systems:\n  - name: portal\n    tier: key\n", &e) == -1);
    CHECK_INT(e.code, YW_ECONFLICT);
    CHECK(store_monitor_get(S, 0, "nightly-etl", &row, &e) == 0);
    store_monitor_row_release(&row);
    CHECK(store_maint_get(S, 0, "weekly-patch", &mr, &e) == 0);
    store_maint_row_release(&mr);

    /* Once the API monitor is gone, an empty file removes everything provisioned. */
    CHECK(store_monitor_get(S, 0, "api-mon", &row, &e) == 0);
    CHECK(store_monitor_delete(S, row.id, &e) == 0);
    store_monitor_row_release(&row);
    CHECK(sync_text(S, "systems: []\n", &e) == 0);
    CHECK(store_monitor_list(S, NULL, &rows, &n, &e) == 0);
    CHECK_INT(n, 0);
    store_monitor_rows_free(rows, n);
    CHECK(store_system_list(S, &srows, &n, &e) == 0);
    CHECK_INT(n, 1); /* "extra", made through the API */
    store_system_rows_free(srows, n);
    store_close(S);
    rmrf(dir);
}

/* ---- transitions and intervals ------------------------------------------------------- */

TEST(transitions_become_intervals)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    store_put_transition(S, mid, ST_UP, T0, "HTTP 200");
    store_put_transition(S, mid, ST_UP, T0 + 10000, "again"); /* same state: nothing */
    store_put_transition(S, mid, ST_DOWN, T0 + 60000, "HTTP 503");
    store_put_transition(S, mid, ST_UP, T0 + 120000, "HTTP 200");
    store_put_transition(S, 999999, ST_DOWN, T0, "unknown monitor"); /* dropped, blocks nothing */
    CHECK(store_flush(S, &e) == 0);
    CHECK_INT(store_queue_len(S), 0);

    struct interval_row *iv = NULL;
    size_t n = 0;
    CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(iv[0].state, ST_UP);
        CHECK_INT(iv[0].start, T0);
        CHECK_INT(iv[0].end, T0 + 60000);
        CHECK_STR(iv[0].reason, "HTTP 200");
        CHECK_INT(iv[1].state, ST_DOWN);
        CHECK_INT(iv[1].start, T0 + 60000);
        CHECK_INT(iv[1].end, T0 + 120000);
        CHECK_STR(iv[1].reason, "HTTP 503");
        CHECK_INT(iv[2].state, ST_UP);
        CHECK_INT(iv[2].start, T0 + 120000);
        CHECK_INT(iv[2].end, 0);
        CHECK_INT(iv[2].monitor_id, mid);
    }
    store_interval_rows_free(iv, n);

    struct monitor_row row;
    CHECK(store_monitor_get(S, mid, NULL, &row, &e) == 0);
    CHECK_INT(row.state, ST_UP);
    CHECK_INT(row.state_since, T0 + 120000);
    CHECK_STR(row.state_reason, "HTTP 200");
    store_monitor_row_release(&row);

    /* Overlap with [from, to): an interval ending at `from` does not overlap. */
    CHECK(store_intervals(S, mid, T0 + 30000, T0 + 90000, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 2);
    store_interval_rows_free(iv, n);
    CHECK(store_intervals(S, mid, T0 + 60000, T0 + 60001, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK_INT(iv[0].state, ST_DOWN);
    store_interval_rows_free(iv, n);
    CHECK(store_intervals(S, mid, T0 + 999000, T0 + 999999, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 1); /* only the open one */
    store_interval_rows_free(iv, n);
    CHECK(store_intervals(S, mid, T0 - 2000, T0, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 0); /* before the first */
    store_interval_rows_free(iv, n);
    CHECK(store_intervals(S, mid, T0 + 5000, T0 + 5000, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 0); /* empty range */
    store_interval_rows_free(iv, n);
    CHECK(store_intervals(S, mid, 0, INT64_MAX, 2, &iv, &n, &e) == 0);
    CHECK_INT(n, 2); /* limit, oldest first */
    if (n == 2)
        CHECK_INT(iv[0].start, T0);
    store_interval_rows_free(iv, n);

    /* All monitors. */
    int64_t m2 = mk_monitor(S, "{\"name\":\"m2\",\"system\":\"portal\",\"type\":\"tcp\","
                               "\"host\":\"h\",\"port\":1}");
    store_put_transition(S, m2, ST_DOWN, T0 + 90000, "connect: refused");
    CHECK(store_flush(S, &e) == 0);
    CHECK(store_intervals(S, 0, T0 + 30000, T0 + 100000, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 3); /* up and down of mid, down of m2; by start */
    if (n == 3) {
        CHECK_INT(iv[0].start, T0);
        CHECK_INT(iv[1].start, T0 + 60000);
        CHECK_INT(iv[2].monitor_id, m2);
    }
    store_interval_rows_free(iv, n);

    /* A transition at the very instant the open interval began (or before:
     * the wall clock stepped back) comes after it all the same: the open
     * interval is kept, empty, and nothing committed is rewritten. */
    store_put_transition(S, mid, ST_DOWN, T0 + 120000, "flap");
    store_put_transition(S, mid, ST_MAINT, T0 + 50000, "maintenance weekly-patch");
    CHECK(store_flush(S, &e) == 0);
    CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 5);
    if (n == 5) {
        CHECK_INT(iv[2].state, ST_UP);
        CHECK_INT(iv[2].start, T0 + 120000);
        CHECK_INT(iv[2].end, T0 + 120000);
        CHECK_INT(iv[3].state, ST_DOWN);
        CHECK_INT(iv[3].start, T0 + 120000);
        CHECK_INT(iv[3].end, T0 + 120000);
        CHECK_STR(iv[3].reason, "flap");
        CHECK_INT(iv[4].state, ST_MAINT);
        CHECK_INT(iv[4].start, T0 + 120000);
        CHECK_INT(iv[4].end, 0);
        CHECK_STR(iv[4].reason, "maintenance weekly-patch");
    }
    store_interval_rows_free(iv, n);
    CHECK_INT(sql_int(dir, "SELECT count(*) FROM state_intervals WHERE \"end\" IS NULL"), 2);

    /* Deleting a monitor closes its open interval; history stays. */
    CHECK(store_monitor_delete(S, m2, &e) == 0);
    CHECK(store_intervals(S, m2, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1)
        CHECK(iv[0].end >= T0 + 90000);
    store_interval_rows_free(iv, n);
    store_put_transition(S, m2, ST_UP, T0 + 95000, "late"); /* deleted: ignored */
    CHECK(store_flush(S, &e) == 0);
    CHECK_INT(count_intervals(S, m2), 1);
    store_close(S);
    rmrf(dir);
}

TEST(reason_is_cut_on_a_character)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    char reason[400] = "";
    for (int i = 0; i < 100; i++)
        strcat(reason, "数"); /* 3 bytes each: 300 */
    store_put_transition(S, mid, ST_DOWN, T0, reason);
    CHECK(store_flush(S, &e) == 0);
    struct interval_row *iv = NULL;
    size_t n = 0;
    CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1 && iv[0].reason) {
        /* At most 255 bytes, whole characters: 85 of them. */
        CHECK_INT(strlen(iv[0].reason), 255);
        CHECK(strncmp(iv[0].reason, reason, 255) == 0);
    }
    store_interval_rows_free(iv, n);
    store_close(S);
    rmrf(dir);
}

/* ---- results ---------------------------------------------------------------------- */

TEST(results_paging)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    for (int i = 0; i < 25; i++) {
        char d[32];
        snprintf(d, sizeof d, "HTTP 200 #%d", i);
        struct probe_result r = result(T0 + i * 1000, i % 5 != 0, i, d);
        r.value = i * 0.5;
        store_put_result(S, mid, &r);
    }
    CHECK(store_flush(S, &e) == 0);

    struct result_row *rows = NULL;
    size_t n = 0;
    int64_t cursor = 0;
    size_t pages[4], total = 0;
    int64_t last_id = INT64_MAX;
    bool ordered = true;
    for (int p = 0; p < 4; p++) {
        CHECK(store_results(S, mid, cursor, 10, &rows, &n, &e) == 0);
        pages[p] = n;
        for (size_t i = 0; i < n; i++) {
            ordered = ordered && rows[i].id < last_id;
            last_id = rows[i].id;
            /* Newest first: the k-th row overall is result 24 - k. */
            int k = (int)(total + i), want = 24 - k;
            CHECK_INT(rows[i].ts, T0 + want * 1000);
            CHECK_INT(rows[i].latency, want);
            CHECK_INT(rows[i].ok, want % 5 != 0);
            CHECK_INT(rows[i].status, want % 5 != 0 ? 200 : 503);
            CHECK_DBL(rows[i].value, want * 0.5, 1e-9);
            char d[32];
            snprintf(d, sizeof d, "HTTP 200 #%d", want);
            CHECK_STR(rows[i].detail, d);
            CHECK_INT(rows[i].monitor_id, mid);
        }
        total += n;
        if (n)
            cursor = rows[n - 1].id;
        xfree(rows);
    }
    CHECK(ordered);
    CHECK_INT(pages[0], 10);
    CHECK_INT(pages[1], 10);
    CHECK_INT(pages[2], 5);
    CHECK_INT(pages[3], 0);

    CHECK(store_results(S, mid, 0, 0, &rows, &n, &e) == -1);
    CHECK_INT(e.code, YW_EINVAL);
    CHECK(store_results(S, mid, 0, STORE_RESULTS_LIMIT + 1, &rows, &n, &e) == -1);
    CHECK(store_results(S, 4242, 0, 10, &rows, &n, &e) == 0);
    CHECK_INT(n, 0);
    xfree(rows);
    store_close(S);
    rmrf(dir);
}

/* ---- rollups and pruning ------------------------------------------------------------- */

static void check_rollup(const struct rollup_row *r, ms_t hour, int64_t checks, int64_t failures,
                         double mn, double avg, double p95, double mx)
{
    CHECK_INT(r->hour, hour);
    CHECK_INT(r->checks, checks);
    CHECK_INT(r->failures, failures);
    CHECK_DBL(r->lat_min, mn, 1e-9);
    CHECK_DBL(r->lat_avg, avg, 1e-9);
    CHECK_DBL(r->lat_p95, p95, 1e-9);
    CHECK_DBL(r->lat_max, mx, 1e-9);
}

TEST(rollups)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    /* Hour T0: 20 checks, latencies 10, 20, ..., 200 in scrambled order
     * (7 is prime to 20, so (7i mod 20) + 1 visits 1..20), failures at
     * i = 0, 5, 10, 15. Sum 2100: avg 105. Nearest rank: ceil(0.95 * 20) =
     * 19th smallest = 190. */
    for (int i = 0; i < 20; i++) {
        struct probe_result r = result(T0 + i * 60000, i % 5 != 0, ((7 * i) % 20 + 1) * 10, "");
        store_put_result(S, mid, &r);
    }
    /* Hour T0+1h: two checks, 30 and 50: p95 rank ceil(1.9) = 2: 50. */
    struct probe_result r = result(T0 + H + 1000, true, 50, "");
    store_put_result(S, mid, &r);
    r = result(T0 + H + 2000, true, 30, "");
    store_put_result(S, mid, &r);
    /* Hour T0+10h: one check. */
    r = result(T0 + 10 * H + 59 * MS_PER_MIN, false, 7, "timeout");
    store_put_result(S, mid, &r);
    CHECK(store_flush(S, &e) == 0);

    struct rollup_row *ru = NULL;
    size_t n = 0;
    /* At T0+1h+1ms only hour T0 has ended. */
    CHECK(store_rollup_pending(S, T0 + H + 1, &e) == 0);
    CHECK(store_rollups(S, mid, T0, T0 + 24 * H, &ru, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1)
        check_rollup(&ru[0], T0, 20, 4, 10, 105, 190, 200);
    xfree(ru);

    /* At exactly T0+2h hour T0+1h has ended too. */
    CHECK(store_rollup_pending(S, T0 + 2 * H, &e) == 0);
    CHECK(store_rollups(S, mid, T0, T0 + 24 * H, &ru, &n, &e) == 0);
    CHECK_INT(n, 2);
    if (n == 2)
        check_rollup(&ru[1], T0 + H, 2, 0, 30, 40, 50, 50);
    xfree(ru);

    /* Empty hours are skipped, not given rows. */
    CHECK(store_rollup_pending(S, T0 + 11 * H, &e) == 0);
    CHECK(store_rollups(S, mid, T0, T0 + 24 * H, &ru, &n, &e) == 0);
    CHECK_INT(n, 3);
    if (n == 3)
        check_rollup(&ru[2], T0 + 10 * H, 1, 1, 7, 7, 7, 7);
    xfree(ru);
    CHECK_INT(sql_int(dir, "SELECT value FROM meta WHERE key = 'rollup_done_until'"), T0 + 11 * H);

    /* A range starting inside an hour includes that hour. */
    CHECK(store_rollups(S, mid, T0 + H + 30 * MS_PER_MIN, T0 + 2 * H, &ru, &n, &e) == 0);
    CHECK_INT(n, 1);
    xfree(ru);

    /* A late result for hour T0 (its probe outlasted the hour) re-rolls it:
     * 21 checks, 5 failures, sum 3100, max 1000, rank ceil(19.95) = 20: 200. */
    r = result(T0 + 30 * MS_PER_MIN, false, 1000, "timeout");
    store_put_result(S, mid, &r);
    CHECK(store_flush(S, &e) == 0);
    CHECK(store_rollups(S, mid, T0, T0 + H, &ru, &n, &e) == 0);
    CHECK_INT(n, 1);
    if (n == 1)
        check_rollup(&ru[0], T0, 21, 5, 10, 3100.0 / 21, 200, 1000);
    xfree(ru);

    /* Running again changes nothing. */
    CHECK(store_rollup_pending(S, T0 + 11 * H, &e) == 0);
    CHECK(store_rollups(S, mid, T0, T0 + 24 * H, &ru, &n, &e) == 0);
    CHECK_INT(n, 3);
    xfree(ru);
    store_close(S);
    rmrf(dir);
}

TEST(prune_by_retention)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    ms_t now = T0 + 5 * MS_PER_DAY;
    store_set_retention(S, 1);
    struct probe_result old1 = result(now - 3 * MS_PER_DAY, true, 11, "old");
    struct probe_result old2 = result(now - MS_PER_DAY - 1, true, 13, "just too old");
    struct probe_result keep1 = result(now - MS_PER_DAY, true, 17, "just kept");
    struct probe_result keep2 = result(now - 2 * H, true, 19, "recent");
    store_put_result(S, mid, &old1);
    store_put_result(S, mid, &old2);
    store_put_result(S, mid, &keep1);
    store_put_result(S, mid, &keep2);
    CHECK(store_flush(S, &e) == 0);

    CHECK(store_prune(S, now, &e) == 0);
    struct result_row *rows = NULL;
    size_t n = 0;
    CHECK(store_results(S, mid, 0, 100, &rows, &n, &e) == 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_STR(rows[0].detail, "recent");
        CHECK_STR(rows[1].detail, "just kept");
    }
    xfree(rows);

    /* The pruned hours were rolled up first: their summary stays. */
    struct rollup_row *ru = NULL;
    /* now - 1d is on an hour boundary: 13 lies in the hour before it, 17 in
     * the hour from it; that hour is rolled up too, since the cutoff
     * touches it. The recent one's hour is left for the writer. */
    CHECK(store_rollups(S, mid, now - 4 * MS_PER_DAY, now, &ru, &n, &e) == 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(ru[0].hour, now - 3 * MS_PER_DAY);
        CHECK_DBL(ru[0].lat_max, 11, 1e-9);
        CHECK_INT(ru[1].hour, now - MS_PER_DAY - H);
        CHECK_DBL(ru[1].lat_max, 13, 1e-9);
        CHECK_INT(ru[2].hour, now - MS_PER_DAY);
        CHECK_DBL(ru[2].lat_max, 17, 1e-9);
    }
    xfree(ru);

    /* Retention out of range is clamped to at least a day. */
    store_set_retention(S, 0);
    CHECK(store_prune(S, now, &e) == 0);
    CHECK(store_results(S, mid, 0, 100, &rows, &n, &e) == 0);
    CHECK_INT(n, 2);
    xfree(rows);
    store_close(S);
    rmrf(dir);
}

/* ---- crash recovery ------------------------------------------------------------------- */

TEST(recover_after_close)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    ms_t now = time_now_ms();
    ms_t t0 = now - 600000, t1 = now - 300000;
    store_put_transition(S, mid, ST_UP, t0, "HTTP 200");
    store_put_transition(S, mid, ST_DOWN, t1, "HTTP 503");
    CHECK(store_flush(S, &e) == 0);
    ms_t before = time_now_ms();
    store_close(S); /* its last commit records last_alive */
    ms_t after = time_now_ms();

    /* A process that opens the store and goes away without recovering
     * (a bad config at start, a crash) moves nothing. */
    S = open_ok(dir);
    ms_t alive = 0;
    CHECK(store_test_prev_alive(S, &alive));
    CHECK(alive >= before && alive <= after);
    struct probe_result r = result(T0, true, 1, "");
    store_put_result(S, mid, &r);
    CHECK(store_flush(S, &e) == 0); /* a commit, and the final one at close */
    store_close(S);

    S = open_ok(dir);
    ms_t alive2 = 0;
    CHECK(store_test_prev_alive(S, &alive2));
    CHECK_INT(alive2, alive);
    ms_t now2 = after + 60000;
    CHECK(store_recover(S, now2, &e) == 0);

    struct interval_row *iv = NULL;
    size_t n = 0;
    CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 3);
    if (n == 3) {
        CHECK_INT(iv[0].state, ST_UP);
        CHECK_INT(iv[0].end, t1);
        CHECK_INT(iv[1].state, ST_DOWN);
        CHECK_INT(iv[1].start, t1);
        CHECK_INT(iv[1].end, alive); /* closed where yunwei was last known alive */
        CHECK_INT(iv[2].state, ST_NODATA);
        CHECK_INT(iv[2].start, alive);
        CHECK_INT(iv[2].end, now2);
        CHECK_STR(iv[2].reason, "yunwei not running");
    }
    store_interval_rows_free(iv, n);
    struct monitor_row row;
    CHECK(store_monitor_get(S, mid, NULL, &row, &e) == 0);
    CHECK_INT(row.state, ST_NODATA);
    CHECK_INT(row.state_since, 0);
    store_monitor_row_release(&row);

    /* Once per process: a later call never closes what this one opened. */
    store_put_transition(S, mid, ST_UP, now2 + 1000, "HTTP 200");
    CHECK(store_flush(S, &e) == 0);
    CHECK(store_recover(S, now2 + 5000, &e) == 0);
    CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 4);
    if (n == 4)
        CHECK_INT(iv[3].end, 0);
    store_interval_rows_free(iv, n);
    store_close(S);

    /* A fresh directory has nothing to recover. */
    char *fresh = tmpdir();
    S = open_ok(fresh);
    CHECK(!store_test_prev_alive(S, &alive));
    CHECK(store_recover(S, time_now_ms(), &e) == 0);
    store_close(S);
    rmrf(fresh);
    rmrf(dir);
}

TEST(alive_recorded_every_second)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    struct probe_result r = result(T0, true, 1, "");
    store_put_result(S, mid, &r);
    CHECK(store_flush(S, &e) == 0); /* a commit, and every commit records it */
    int64_t a = sql_int(dir, "SELECT value FROM meta WHERE key = 'last_alive'");
    usleep(1300 * 1000); /* idle: nothing queued */
    int64_t b = sql_int(dir, "SELECT value FROM meta WHERE key = 'last_alive'");
    CHECK(a > 0);
    CHECK(b - a >= 1000 && b - a <= 1300 + 500);
    store_close(S);
    rmrf(dir);
}

TEST(recover_without_last_alive)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    store_put_transition(S, mid, ST_UP, T0, "HTTP 200");
    CHECK(store_flush(S, &e) == 0);
    store_close(S);
    sql_exec(dir, "DELETE FROM meta WHERE key = 'last_alive'");
    /* How long it stayed up is unknown: none of it is counted as up. */
    S = open_ok(dir);
    CHECK(store_recover(S, T0 + H, &e) == 0);
    struct interval_row *iv = NULL;
    size_t n = 0;
    CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
    CHECK_INT(n, 2);
    if (n == 2) {
        CHECK_INT(iv[0].end, T0);
        CHECK_INT(iv[1].state, ST_NODATA);
        CHECK_INT(iv[1].start, T0);
        CHECK_INT(iv[1].end, T0 + H);
    }
    store_interval_rows_free(iv, n);
    store_close(S);
    rmrf(dir);
}

TEST(close_gives_up_on_a_dead_database)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    store_test_fault(S, true);
    store_put_transition(S, mid, ST_UP, T0, "HTTP 200");
    ms_t t = time_mono_ms();
    store_close(S); /* a few retries, a loud log line, then it returns */
    CHECK(time_mono_ms() - t < 8000);
    S = open_ok(dir);
    CHECK_INT(count_intervals(S, mid), 0);
    store_close(S);
    rmrf(dir);
}

/* The real thing: a process that queued, flushed and was killed with SIGKILL.
 * Whatever store_flush reported committed must be there. */
TEST(killed_process_loses_nothing)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    store_close(S);
    ms_t now = time_now_ms();
    ms_t t0 = now - 60000, t1 = now - 30000;

    int p[2];
    CHECK(pipe(p) == 0);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        struct yw_err e = YW_ERR_INIT;
        struct store *C = store_open(dir, &e);
        char ok = 0;
        if (C) {
            store_put_transition(C, mid, ST_UP, t0, "HTTP 200");
            struct probe_result r = result(t1, false, 10000, "timeout after 10s");
            store_put_result(C, mid, &r);
            store_put_transition(C, mid, ST_DOWN, t1, "timeout after 10s");
            ok = store_flush(C, &e) == 0;
        }
        if (write(p[1], &ok, 1) != 1)
            _exit(2);
        for (;;)
            pause(); /* until SIGKILL: no close, no final commit */
    }
    close(p[1]);
    char ok = 0;
    CHECK(read(p[0], &ok, 1) == 1 && ok == 1);
    close(p[0]);
    kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

    S = open_ok(dir); /* the lock died with the child */
    CHECK(S != NULL);
    if (S) {
        struct yw_err e = YW_ERR_INIT;
        struct interval_row *iv = NULL;
        size_t n = 0;
        CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
        CHECK_INT(n, 2);
        if (n == 2) {
            CHECK_INT(iv[0].start, t0);
            CHECK_INT(iv[0].end, t1);
            CHECK_INT(iv[1].state, ST_DOWN);
            CHECK_INT(iv[1].start, t1);
            CHECK_INT(iv[1].end, 0);
        }
        store_interval_rows_free(iv, n);
        struct result_row *rows = NULL;
        CHECK(store_results(S, mid, 0, 10, &rows, &n, &e) == 0);
        CHECK_INT(n, 1);
        xfree(rows);

        ms_t alive = 0;
        CHECK(store_test_prev_alive(S, &alive));
        CHECK(alive >= t1 && alive <= time_now_ms());
        ms_t back = time_now_ms() + 1;
        CHECK(store_recover(S, back, &e) == 0);
        CHECK(store_intervals(S, mid, 0, INT64_MAX, 0, &iv, &n, &e) == 0);
        CHECK_INT(n, 3);
        if (n == 3) {
            CHECK_INT(iv[1].end, alive);
            CHECK_INT(iv[2].state, ST_NODATA);
            CHECK_INT(iv[2].start, alive);
            CHECK_INT(iv[2].end, back);
        }
        store_interval_rows_free(iv, n);
        store_close(S);
    }
    rmrf(dir);
}

/* ---- a failing database ------------------------------------------------------------------ */

TEST(failing_database_keeps_the_queue)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    struct yw_err e = YW_ERR_INIT;
    store_test_fault(S, true);
    store_put_transition(S, mid, ST_UP, T0, "HTTP 200");
    for (int i = 0; i < 3; i++) {
        struct probe_result r = result(T0 + i, true, i, "");
        store_put_result(S, mid, &r);
    }
    CHECK(store_flush(S, &e) == -1);
    CHECK_INT(e.code, YW_EIO);
    CHECK(strstr(e.msg, "injected") != NULL);
    CHECK_INT(store_queue_len(S), 4);
    CHECK_INT(count_intervals(S, mid), 0); /* nothing half-committed */

    /* Past the limit the oldest results go; the transition never does. */
    store_test_queue_max(S, 6);
    for (int i = 3; i < 8; i++) {
        struct probe_result r = result(T0 + i, true, i, "");
        store_put_result(S, mid, &r);
    }
    CHECK_INT(store_queue_len(S), 6);

    store_test_fault(S, false);
    CHECK(store_flush(S, &e) == 0);
    CHECK_INT(store_queue_len(S), 0);
    CHECK_INT(count_intervals(S, mid), 1);
    struct result_row *rows = NULL;
    size_t n = 0;
    CHECK(store_results(S, mid, 0, 100, &rows, &n, &e) == 0);
    CHECK_INT(n, 5);
    if (n)
        CHECK_INT(rows[0].latency, 7); /* the newest is always kept */
    xfree(rows);

    /* Puts never block, even while the database fails. */
    store_test_fault(S, true);
    ms_t t = time_mono_ms();
    for (int i = 0; i < 1000; i++)
        store_put_transition(S, mid, i % 2 ? ST_UP : ST_DOWN, T0 + 1000 + i, NULL);
    CHECK(time_mono_ms() - t < 1000);
    store_test_fault(S, false);
    CHECK(store_flush(S, &e) == 0);
    CHECK_INT(count_intervals(S, mid), 1001);
    store_close(S);
    rmrf(dir);
}


/* Credentials of watched systems never reach the disk in clear: a spec with
 * a secret is sealed with the key file, yet reads back whole; a spec
 * without one stays plain JSON. */
static bool file_contains(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    size_t nl = strlen(needle), have = 0, cap = 1 << 16;
    char *buf = xmalloc(cap);
    bool found = false;
    size_t got;
    while (!found && (got = fread(buf + have, 1, cap - have, f)) > 0) {
        have += got;
        for (size_t i = 0; i + nl <= have && !found; i++)
            found = memcmp(buf + i, needle, nl) == 0;
        /* keep the last nl-1 bytes: a match may straddle reads */
        size_t keep = have < nl ? have : nl - 1;
        memmove(buf, buf + have - keep, keep);
        have = keep;
    }
    fclose(f);
    xfree(buf);
    return found;
}

TEST(secrets_sealed_at_rest)
{
    char *dir;
    int64_t mid;
    struct store *S = fixture(&dir, &mid);
    CHECK(S != NULL);
    int64_t pid = mk_monitor(S, "{\"name\":\"db-query\",\"system\":\"portal\",\"type\":\"postgres\","
                                "\"conninfo\":\"host=10.0.0.5 user=monitor password=Pg-Secret-4417\"}");
    CHECK(pid > 0);
    struct monitor_row row;
    struct yw_err e = YW_ERR_INIT;
    CHECK_INT(store_monitor_get(S, pid, NULL, &row, &e), 0);
    CHECK(row.spec.postgres.conninfo && strstr(row.spec.postgres.conninfo, "Pg-Secret-4417"));
    store_monitor_row_release(&row);
    struct yw_err fe = YW_ERR_INIT;
    CHECK_INT(store_flush(S, &fe), 0);
    store_close(S);
    char *db = xasprintf("%s/yunwei.db", dir), *wal = xasprintf("%s/yunwei.db-wal", dir);
    CHECK(!file_contains(db, "Pg-Secret-4417"));
    CHECK(!file_contains(wal, "Pg-Secret-4417"));
    CHECK(file_contains(db, "portal.example.gov.cn") || file_contains(wal, "portal.example.gov.cn"));
    /* Reopened, it still reads back. */
    S = open_ok(dir);
    CHECK_INT(store_monitor_get(S, 0, "db-query", &row, &e), 0);
    CHECK(row.spec.postgres.conninfo && strstr(row.spec.postgres.conninfo, "Pg-Secret-4417"));
    store_monitor_row_release(&row);
    store_close(S);
    xfree(db);
    xfree(wal);
    rmrf(dir);
}

int main(void)
{
    RUN(open_creates_dir_and_schema);
    RUN(one_process_per_directory);
    RUN(newer_schema_refused);
    RUN(systems_crud);
    RUN(monitors_crud);
    RUN(system_rename_follows);
    RUN(maintenance_windows);
    RUN(sync_config);
    RUN(transitions_become_intervals);
    RUN(reason_is_cut_on_a_character);
    RUN(results_paging);
    RUN(rollups);
    RUN(prune_by_retention);
    RUN(recover_after_close);
    RUN(alive_recorded_every_second);
    RUN(recover_without_last_alive);
    RUN(close_gives_up_on_a_dead_database);
    RUN(killed_process_loses_nothing);
    RUN(failing_database_keeps_the_queue);
    RUN(secrets_sealed_at_rest);
    return t_done();
}
