/*
 * sqlite — connections, the per-connection statement cache, transactions,
 * the connection pool and small helpers shared by the store's files.
 */
#include <assert.h>
#include <string.h>

#include "core/mem.h"
#include "core/log.h"
#include "store/store_int.h"

static const char *const stmt_sql[STMT__COUNT] = {
#define X_SQL(id, sql) [id] = sql,
    STORE_STMTS(X_SQL)
#undef X_SQL
};

/* Per connection, before any statement. WAL lets readers (the pool) run
 * beside the writer; synchronous=NORMAL in WAL loses nothing committed when
 * the process is killed (only a power cut may take the last commits). */
static const char *const conn_pragmas[] = {
    "PRAGMA foreign_keys = ON",
    "PRAGMA synchronous = NORMAL",
    "PRAGMA journal_size_limit = 67108864",
    "PRAGMA temp_store = MEMORY",
};

int store_conn_open(struct conn *c, const char *path, struct yw_err *err)
{
    memset(c, 0, sizeof *c);
    int rc = sqlite3_open_v2(
        path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        yw_fail(err, YW_EIO, "database %s: %s", path,
                c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        store_conn_close(c);
        return -1;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, STORE_BUSY_MS);

    /* journal_mode answers the mode it ended in: anything but wal means the
     * file system cannot do WAL, and the store's concurrency assumes it. */
    sqlite3_stmt *st = NULL;
    rc = sqlite3_prepare_v2(c->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    bool wal = rc == SQLITE_ROW && sqlite3_column_text(st, 0) &&
               strcmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
    if (!wal) {
        yw_fail(err, YW_EIO, "database %s: cannot use WAL journal mode: %s", path,
                rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0)
                                 : sqlite3_errmsg(c->db));
        sqlite3_finalize(st);
        store_conn_close(c);
        return -1;
    }
    sqlite3_finalize(st);

    for (size_t i = 0; i < sizeof conn_pragmas / sizeof conn_pragmas[0]; i++) {
        if (sqlite3_exec(c->db, conn_pragmas[i], NULL, NULL, NULL) != SQLITE_OK) {
            yw_fail(err, YW_EIO, "database %s: %s: %s", path, conn_pragmas[i],
                    sqlite3_errmsg(c->db));
            store_conn_close(c);
            return -1;
        }
    }
    return 0;
}

void store_conn_close(struct conn *c)
{
    for (int i = 0; i < STMT__COUNT; i++) {
        sqlite3_finalize(c->st[i]);
        c->st[i] = NULL;
    }
    if (c->db)
        sqlite3_close(c->db);
    c->db = NULL;
}

sqlite3_stmt *store_stmt_get(struct conn *c, enum stmt_id id, struct yw_err *err)
{
    assert(id < STMT__COUNT);
    if (c->st[id])
        return c->st[id];
    if (sqlite3_prepare_v3(c->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &c->st[id], NULL) !=
        SQLITE_OK) {
        /* A statement that does not prepare is a bug or a damaged schema. */
        yw_fail(err, YW_EIO, "database: preparing statement %d: %s", (int)id,
                sqlite3_errmsg(c->db));
        c->st[id] = NULL;
        return NULL;
    }
    return c->st[id];
}

void store_stmt_done(sqlite3_stmt *st)
{
    if (!st)
        return;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
}

int store_db_fail(struct conn *c, struct yw_err *err, const char *what)
{
    int code = sqlite3_extended_errcode(c->db);
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
        return yw_fail(err, YW_ECONFLICT, "%s: %s", what, sqlite3_errmsg(c->db));
    return yw_fail(err, YW_EIO, "database: %s: %s", what, sqlite3_errmsg(c->db));
}

int store_stmt_exec(struct conn *c, enum stmt_id id, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, id, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        result = store_db_fail(c, err, stmt_sql[id]);
    store_stmt_done(st);
    return result;
}

int store_tx_begin(struct conn *c, struct yw_err *err)
{
    return store_stmt_exec(c, STMT_BEGIN, err);
}

void store_tx_rollback(struct conn *c)
{
    /* SQLite may already have rolled back on its own (SQLITE_FULL, IOERR). */
    if (!sqlite3_get_autocommit(c->db))
        (void)store_stmt_exec(c, STMT_ROLLBACK, NULL);
}

int store_tx_end(struct conn *c, int rc, struct yw_err *err)
{
    if (rc == 0 && store_stmt_exec(c, STMT_COMMIT, err) == 0)
        return 0;
    store_tx_rollback(c);
    return -1;
}

void store_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (s)
        sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, i);
}

void store_bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
    sqlite3_bind_int64(st, i, v);
}

char *store_col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    return s ? xstrdup((const char *)s) : NULL;
}

/* ---- pool --------------------------------------------------------------- */

struct conn *store_pool_get(struct store *S)
{
    pthread_mutex_lock(&S->pool_mu);
    for (;;) {
        for (int i = 0; i < STORE_POOL; i++) {
            if (!S->pool_busy[i]) {
                S->pool_busy[i] = true;
                pthread_mutex_unlock(&S->pool_mu);
                return &S->pool[i];
            }
        }
        pthread_cond_wait(&S->pool_cv, &S->pool_mu);
    }
}

void store_pool_put(struct store *S, struct conn *c)
{
    ptrdiff_t i = c - S->pool;
    assert(i >= 0 && i < STORE_POOL);
    /* A caller that returned mid-transaction is a bug; never hand such a
     * connection to the next one. */
    assert(sqlite3_get_autocommit(c->db));
    /* Nor with a statement left mid-step: it holds a read transaction open,
     * and every later read on this connection would see that old snapshot
     * (a window just created not there, for instance). Reset it here, and
     * say which, so that the caller gets fixed. */
    for (sqlite3_stmt *st = sqlite3_next_stmt(c->db, NULL); st; st = sqlite3_next_stmt(c->db, st)) {
        if (sqlite3_stmt_busy(st)) {
            log_error("store: a statement was left unfinished (bug): %.200s", sqlite3_sql(st));
            sqlite3_reset(st);
        }
    }
    pthread_mutex_lock(&S->pool_mu);
    S->pool_busy[i] = false;
    pthread_cond_signal(&S->pool_cv);
    pthread_mutex_unlock(&S->pool_mu);
}

/* ---- meta --------------------------------------------------------------- */

int store_meta_get(struct conn *c, const char *key, int64_t *out, bool *found, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_META_GET, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    int result = 0;
    *found = false;
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
            *out = sqlite3_column_int64(st, 0);
            *found = true;
        }
    } else if (rc != SQLITE_DONE) {
        result = store_db_fail(c, err, "reading meta");
    }
    store_stmt_done(st);
    return result;
}

static int meta_put(struct conn *c, enum stmt_id id, const char *key, int64_t v, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, id, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    store_bind_i64(st, 2, v);
    int result = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(c, err, "writing meta");
    store_stmt_done(st);
    return result;
}

int store_meta_set(struct conn *c, const char *key, int64_t v, struct yw_err *err)
{
    return meta_put(c, STMT_META_SET, key, v, err);
}

int store_meta_set_max(struct conn *c, const char *key, int64_t v, struct yw_err *err)
{
    return meta_put(c, STMT_META_SET_MAX, key, v, err);
}

/* ---- small helpers ------------------------------------------------------- */

/* The stored form of enum mstate. Owned here, not borrowed from kpi, because
 * it is a file format: it must not change when display names do. */
static const char *const state_texts[ST__COUNT] = {
    [ST_NODATA] = "no_data",    [ST_UP] = "up",         [ST_DOWN] = "down",
    [ST_MAINT] = "maintenance", [ST_PAUSED] = "paused",
};

const char *store_state_text(enum mstate s)
{
    return (unsigned)s < ST__COUNT ? state_texts[s] : "no_data";
}

enum mstate store_state_from_text(const char *s)
{
    for (int i = 0; s && i < ST__COUNT; i++) {
        if (strcmp(s, state_texts[i]) == 0)
            return (enum mstate)i;
    }
    return ST_NODATA;
}

/* Length of the longest prefix of s shorter than max bytes that does not end
 * inside a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t max)
{
    size_t n = strnlen(s, max);
    if (n >= max) {
        n = max - 1;
        /* s[n] is the first byte dropped: if it continues a sequence, drop
         * that sequence's first bytes too. */
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    return n;
}

void store_utf8_copy(char *dst, size_t max, const char *s)
{
    assert(max > 0);
    size_t n = s ? utf8_cut(s, max) : 0;
    if (n)
        memcpy(dst, s, n);
    dst[n] = '\0';
}

char *store_utf8_dup(const char *s, size_t max)
{
    assert(max > 0);
    return s ? xstrndup(s, utf8_cut(s, max)) : NULL;
}
