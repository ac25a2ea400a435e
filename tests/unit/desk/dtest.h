/* Helpers the desk's tests share: a store in a temporary directory with
 * systems, monitors and accounts made through the store's own API. */
#ifndef YW_TESTS_DESK_DTEST_H
#define YW_TESTS_DESK_DTEST_H

#include <ftw.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/config.h"
#include "core/mem.h"
#include "store/store.h"
#include "store/store_auth.h"
#include "store/store_incident.h"

/* 2026-11-02T02:00:00Z = 10:00 Beijing time, a Monday. */
#define T0 1793584800000LL
#define MIN MS_PER_MIN
#define HOUR MS_PER_H

static int dt_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static char *dt_tmpdir(void)
{
    char tmpl[] = "/tmp/yw-desk-XXXXXX";
    char *d = mkdtemp(tmpl);
    return d ? xstrdup(d) : NULL;
}

static void dt_rmrf(char *dir)
{
    if (dir)
        nftw(dir, dt_rm_one, 16, FTW_DEPTH | FTW_PHYS);
    xfree(dir);
}

static struct store *dt_open(const char *dir)
{
    struct yw_err e = YW_ERR_INIT;
    struct store *S = store_open(dir, &e);
    if (!S)
        printf("#   store_open(%s): %s\n", dir, e.msg);
    return S;
}

static int64_t dt_system(struct store *S, const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    struct system_spec s = {0};
    struct yw_err e = YW_ERR_INIT;
    int64_t id = 0;
    if (!j || config_system_from_json(j, &s, &e) || store_system_create(S, &s, &id, &e))
        printf("#   system %s: %s\n", text, e.msg);
    json_decref(j);
    system_spec_release(&s);
    return id;
}

static int64_t dt_monitor(struct store *S, const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    struct monitor_spec m = {0};
    struct yw_err e = YW_ERR_INIT;
    int64_t id = 0;
    if (!j || config_monitor_from_json(j, &m, &e) || store_monitor_create(S, &m, &id, &e))
        printf("#   monitor %s: %s\n", text, e.msg);
    json_decref(j);
    monitor_spec_release(&m);
    return id;
}

static int64_t dt_user(struct store *S, const char *name, roleset roles)
{
    struct user_row u = {0};
    u.name = xstrdup(name);
    u.roles = roles;
    u.must_change_pw = true;
    int64_t id = 0;
    struct yw_err e = YW_ERR_INIT;
    if (store_user_create(S, &u, &id, &e))
        printf("#   user %s: %s\n", name, e.msg);
    store_user_row_release(&u);
    return id;
}

/* First column of the first row of sql, on a connection of its own. */
static int64_t dt_sql_int(const char *dir, const char *sql)
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

#endif
