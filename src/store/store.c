/*
 * store — opening and closing, the data directory, crash recovery.
 *
 * The data directory holds secrets (postgres passwords, push tokens): it is
 * created 0700 and the database file 0600 (SQLite gives its -wal and -shm
 * files the database file's mode). One process at a time: an exclusive
 * flock on DIR/yunwei.lock, released by the kernel when the process dies,
 * however it dies — two yunwei writing one database would make the
 * "last alive" instant, and so crash recovery, meaningless. Short-lived CLI
 * commands (user, token, audit) open the same directory beside it with
 * store_open_shared: no lock, no writer, synchronous calls only, so they
 * never touch what recovery depends on.
 *
 * Both load the keys (DIR/keys/, store_auth_keys) the audit trail and the
 * sealed secrets need.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store_auth.h"
#include "store/store_int.h"

#define RETENTION_DEFAULT 30
#define RETENTION_MAX 36500

/* mkdir -p, new directories 0700. */
static int make_dir(const char *dir, struct yw_err *err)
{
    char *p = xstrdup(dir);
    int rc = 0;
    for (char *s = p + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST) {
            rc = yw_fail(err, YW_EIO, "data directory %s: mkdir %s: %s", dir, p, strerror(errno));
            break;
        }
        *s = c;
        if (c == '\0')
            break;
    }
    xfree(p);
    if (rc)
        return -1;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return yw_fail(err, YW_EIO, "data directory %s: not a directory", dir);
    return 0;
}

static int lock_dir(struct store *S, struct yw_err *err)
{
    char *path = xasprintf("%s/yunwei.lock", S->dir);
    S->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    int rc = 0;
    if (S->lock_fd < 0)
        rc = yw_fail(err, YW_EIO, "%s: %s", path, strerror(errno));
    else if (flock(S->lock_fd, LOCK_EX | LOCK_NB) != 0)
        rc = yw_fail(err, YW_EIO, "data directory %s is in use by another yunwei process%s%s",
                     S->dir, errno == EWOULDBLOCK ? "" : ": ",
                     errno == EWOULDBLOCK ? "" : strerror(errno));
    xfree(path);
    return rc;
}

/* Creates the database file with mode 0600 before SQLite would with 0644.
 * Never opens an existing one: closing any descriptor of a file drops every
 * POSIX lock this process holds on it, including those of SQLite
 * connections already open here (a shared handle beside store_open in one
 * process), and another process could then delete the WAL under them. */
static int create_db_file(const char *path, struct yw_err *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return 0;
    if (fd < 0)
        return yw_fail(err, YW_EIO, "%s: %s", path, strerror(errno));
    close(fd);
    return 0;
}

static void store_free(struct store *S)
{
    store_writer_stop(S);
    for (int i = 0; i < STORE_POOL; i++)
        store_conn_close(&S->pool[i]);
    store_conn_close(&S->wconn);
    store_queue_free(S);
    store_auth_free(S);
    pthread_mutex_destroy(&S->pool_mu);
    pthread_cond_destroy(&S->pool_cv);
    pthread_mutex_destroy(&S->q_mu);
    pthread_cond_destroy(&S->q_cv);
    pthread_cond_destroy(&S->done_cv);
    if (S->lock_fd >= 0)
        close(S->lock_fd); /* releases the flock */
    xfree(S->dir);
    xfree(S->path);
    xfree(S);
}

/* Reads what the previous process left in meta, before the writer overwrites it. */
static int read_meta(struct store *S, struct yw_err *err)
{
    struct conn *c = &S->wconn;
    int64_t v;
    bool found;
    if (store_meta_get(c, "last_alive", &v, &found, err))
        return -1;
    S->have_prev_alive = found;
    S->prev_alive = found ? v : 0;
    if (store_meta_get(c, "rollup_done_until", &v, &found, err))
        return -1;
    atomic_store(&S->rollup_hi, found ? v : INT64_MIN);
    if (store_meta_get(c, "pruned_until", &v, &found, err))
        return -1;
    atomic_store(&S->prune_floor, found ? v : INT64_MIN);

    sqlite3_stmt *st = store_stmt_get(c, STMT_IV_ALL_OPEN, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading open intervals");
    atomic_store(&S->alive_armed, rc == SQLITE_DONE);
    return 0;
}

static struct store *open_store(const char *dir, bool shared, struct yw_err *err)
{
    if (!dir || !dir[0]) {
        yw_fail(err, YW_EINVAL, "no data directory given");
        return NULL;
    }
    struct store *S = xcalloc(1, sizeof *S);
    S->lock_fd = -1;
    S->dir = xstrdup(dir);
    S->path = xasprintf("%s/yunwei.db", dir);
    S->queue_max = STORE_QUEUE_MAX;
    S->background = true;
    atomic_store(&S->retention_days, RETENTION_DEFAULT);
    store_queue_init(S);

    pthread_mutex_init(&S->pool_mu, NULL);
    pthread_cond_init(&S->pool_cv, NULL);
    pthread_mutex_init(&S->q_mu, NULL);
    pthread_cond_init(&S->done_cv, NULL);
    /* The writer waits on q_cv with monotonic deadlines: wall-clock steps
     * must not stall (or hurry) commits. */
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&S->q_cv, &ca);
    pthread_condattr_destroy(&ca);
    store_auth_init(S);
    S->shared = shared;

    if (make_dir(dir, err) || (!shared && lock_dir(S, err)) || create_db_file(S->path, err) ||
        store_conn_open(&S->wconn, S->path, err) || store_migrate(&S->wconn, err) ||
        read_meta(S, err) || store_auth_keys(S, NULL, NULL, err))
        goto fail;
    for (int i = 0; i < STORE_POOL; i++)
        if (store_conn_open(&S->pool[i], S->path, err))
            goto fail;
    S->wconn.key = &S->secret;
    for (int i = 0; i < STORE_POOL; i++)
        S->pool[i].key = &S->secret;
    if (shared) {
        /* No writer: store_flush answers at once (an error if anything was
         * queued, which a shared handle must not do). */
        S->writer_exited = true;
        return S;
    }
    if (store_writer_start(S, err))
        goto fail;
    return S;
fail:
    store_free(S);
    return NULL;
}

struct store *store_open(const char *dir, struct yw_err *err)
{
    return open_store(dir, false, err);
}

struct store *store_open_shared(const char *dir, struct yw_err *err)
{
    return open_store(dir, true, err);
}

void store_close(struct store *S)
{
    if (!S)
        return;
    store_free(S);
}

void store_set_retention(struct store *S, int days)
{
    int d = days < 1 ? 1 : days > RETENTION_MAX ? RETENTION_MAX : days;
    if (d != days)
        log_warn("store: retention of %d days is out of range; using %d", days, d);
    atomic_store(&S->retention_days, d);
}

bool store_test_prev_alive(struct store *S, ms_t *out)
{
    *out = S->prev_alive;
    return S->have_prev_alive;
}

/* ---- crash recovery ------------------------------------------------------ */

struct open_iv {
    int64_t id;
    ms_t start;
};

static int recover_tx(struct conn *c, ms_t alive, ms_t now, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_IV_ALL_OPEN, err);
    if (!st)
        return -1;
    struct open_iv *ivs = NULL;
    int64_t *mons = NULL;
    size_t n = 0, cap = 0, mcap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(ivs, cap, n + 1);
        XGROW(mons, mcap, n + 1);
        ivs[n].id = sqlite3_column_int64(st, 0);
        mons[n] = sqlite3_column_int64(st, 1);
        ivs[n].start = sqlite3_column_int64(st, 2);
        n++;
    }
    store_stmt_done(st);
    int result = rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "reading open intervals");

    for (size_t i = 0; result == 0 && i < n; i++) {
        /* Never before the interval's start: a stepped-back clock must not
         * make a negative interval. */
        ms_t end = alive > ivs[i].start ? alive : ivs[i].start;
        st = store_stmt_get(c, STMT_IV_CLOSE, err);
        if (!st) {
            result = -1;
            break;
        }
        store_bind_i64(st, 1, ivs[i].id);
        store_bind_i64(st, 2, end);
        if (sqlite3_step(st) != SQLITE_DONE)
            result = store_db_fail(c, err, "closing interval");
        store_stmt_done(st);
        if (result || now <= end)
            continue;
        st = store_stmt_get(c, STMT_IV_INSERT, err);
        if (!st) {
            result = -1;
            break;
        }
        store_bind_i64(st, 1, mons[i]);
        store_bind_text(st, 2, store_state_text(ST_NODATA));
        store_bind_i64(st, 3, end);
        store_bind_i64(st, 4, now);
        store_bind_text(st, 5, "yunwei not running");
        if (sqlite3_step(st) != SQLITE_DONE)
            result = store_db_fail(c, err, "recording the downtime");
        store_stmt_done(st);
    }
    if (result == 0 && n)
        log_info("store: recovered %zu open intervals, closed at the last instant yunwei was "
                 "known alive",
                 n);
    xfree(ivs);
    xfree(mons);
    return result;
}

int store_recover(struct store *S, ms_t now, struct yw_err *err)
{
    /* Once per process, and only over what the previous one left: a second
     * call must not close intervals this process has opened since. */
    if (S->recovered)
        return 0;
    /* Only the process holding the lock may: a shared handle runs beside
     * a live server whose intervals are not to be closed. */
    if (S->shared)
        return yw_fail(err, YW_EINVAL,
                       "store: crash recovery needs store_open, not a shared handle");
    /* No last_alive at all (never written): how long the open intervals
     * lasted is unknown, so they end where they began and all the rest
     * is no-data. */
    ms_t alive = S->have_prev_alive ? S->prev_alive : INT64_MIN;
    struct conn *c = store_pool_get(S);
    int rc = store_tx_begin(c, err);
    if (rc == 0)
        rc = store_tx_end(c, recover_tx(c, alive, now, err), err);
    store_pool_put(S, c);
    if (rc == 0) {
        S->recovered = true;
        atomic_store(&S->alive_armed, true);
    }
    return rc;
}
