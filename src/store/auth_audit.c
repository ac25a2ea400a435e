/*
 * auth_audit — appending to, reading and verifying the audit trail.
 *
 * Appending: several threads of the server and short-lived CLI processes
 * may append at once. Inside a process audit_mu makes appends one at a
 * time; across processes the write transaction does (BEGIN IMMEDIATE takes
 * the database's write lock before the last record is read), so two
 * appenders can never both chain onto the same predecessor. The commit runs
 * with synchronous=FULL: a record reported written survives a power cut.
 * Only then is the anchor advanced (auth_keys.c), under its own flock, and
 * never backwards.
 *
 * Verifying reads the anchor first and the records after it. Records are
 * committed before the anchor names them, so the records read always reach
 * at least as far as the anchor read before them: a verify running beside
 * appenders never sees a false "missing tail". The anchor may lag behind
 * the last record (an appender between its commit and its anchor write, or
 * killed there); the records past it are still checked by the chain.
 */
#include <stdint.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store_auth.h"
#include "store/store_int.h"

#define AUDIT_SHORT_MAX 1024        /* user, source, action, object, result */
#define AUDIT_VALUE_MAX (64 * 1024) /* before, after */
#define AUDIT_LIST_MAX 10000

/* The row owns the strings the record points to (const there because a
 * record handed to store_audit_append is only read). */
static void free_const(const char *p)
{
    char *q;
    memcpy(&q, &p, sizeof q);
    xfree(q);
}

static int field_check(const char *v, const char *name, bool required, size_t max,
                       struct yw_err *err)
{
    if (required && (!v || !v[0]))
        return yw_fail_field(err, YW_EINVAL, name, "audit record has no %s", name);
    if (v && strlen(v) > max)
        return yw_fail_field(err, YW_ELIMIT, name, "audit %s is longer than %zu bytes", name, max);
    return 0;
}

static int record_check(const struct audit_record *r, struct yw_err *err)
{
    if (field_check(r->user, "user", false, AUDIT_SHORT_MAX, err) ||
        field_check(r->source, "source", false, AUDIT_SHORT_MAX, err) ||
        field_check(r->action, "action", true, AUDIT_SHORT_MAX, err) ||
        field_check(r->object, "object", false, AUDIT_SHORT_MAX, err) ||
        field_check(r->before, "before", false, AUDIT_VALUE_MAX, err) ||
        field_check(r->after, "after", false, AUDIT_VALUE_MAX, err) ||
        field_check(r->result, "result", true, AUDIT_SHORT_MAX, err))
        return -1;
    if (r->time < 0)
        return yw_fail_field(err, YW_EINVAL, "time", "audit time is negative");
    return 0;
}

/* ---- append ----------------------------------------------------------------- */

/* Inside the write transaction: chains rec onto the last record and inserts it. */
static int append_tx(struct conn *c, const uint8_t key[AUDIT_KEY_BYTES], struct audit_record *rec,
                     char prev_out[AUDIT_MAC_HEX], struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_AUD_LAST, err);
    if (!st)
        return -1;
    int64_t last = 0;
    char prev[AUDIT_MAC_HEX] = "";
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        last = sqlite3_column_int64(st, 0);
        store_utf8_copy(prev, sizeof prev, (const char *)sqlite3_column_text(st, 1));
    }
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading the last audit record");
    if (last < 0 || last == INT64_MAX)
        return yw_fail(err, YW_EIO, "audit trail: the last record has seq %lld", (long long)last);

    rec->seq = last + 1;
    memcpy(prev_out, prev, AUDIT_MAC_HEX);
    audit_seal(key, prev, rec);

    st = store_stmt_get(c, STMT_AUD_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, rec->seq);
    store_bind_i64(st, 2, rec->time);
    store_bind_text(st, 3, rec->user);
    store_bind_text(st, 4, rec->source);
    store_bind_text(st, 5, rec->action);
    store_bind_text(st, 6, rec->object);
    store_bind_text(st, 7, rec->before);
    store_bind_text(st, 8, rec->after);
    store_bind_text(st, 9, rec->result);
    store_bind_text(st, 10, rec->mac);
    return store_step_done(c, st, "appending an audit record", err);
}

int store_audit_append(struct store *S, struct audit_record *r, struct yw_err *err)
{
    if (record_check(r, err))
        return -1;
    struct audit_record rec = *r;
    if (!rec.time)
        rec.time = time_now_ms();

    pthread_mutex_lock(&S->audit_mu);
    struct conn *c = store_pool_get(S);
    int rc = store_stmt_exec(c, STMT_SYNC_FULL, err);
    if (rc == 0)
        rc = store_tx_begin(c, err);
    char prev[AUDIT_MAC_HEX] = "";
    if (rc == 0)
        rc = store_tx_end(c, append_tx(c, S->audit_key, &rec, prev, err), err);
    /* Back to what every other caller of the pool expects. */
    (void)store_stmt_exec(c, STMT_SYNC_NORMAL, NULL);
    store_pool_put(S, c);

    if (rc == 0) {
        /* The record is written: the action stands. A stale anchor only
         * weakens the check of the tail until the next append succeeds, so
         * it is an error to log, not a failed append. */
        struct yw_err e = YW_ERR_INIT;
        if (store_anchor_advance(S, rec.seq - 1, prev, rec.seq, rec.mac, &e))
            log_error("store: audit record %lld written but the anchor was not updated: %s",
                      (long long)rec.seq, e.msg);
        r->seq = rec.seq;
        r->time = rec.time;
        memcpy(r->mac, rec.mac, sizeof r->mac);
    }
    pthread_mutex_unlock(&S->audit_mu);
    return rc;
}

/* ---- list ------------------------------------------------------------------- */

static void audit_row_release(void *row)
{
    struct audit_row *a = row;
    free_const(a->r.user);
    free_const(a->r.source);
    free_const(a->r.action);
    free_const(a->r.object);
    free_const(a->r.before);
    free_const(a->r.after);
    free_const(a->r.result);
    memset(a, 0, sizeof *a);
}

void store_audit_rows_free(struct audit_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        audit_row_release(&rows[i]);
    xfree(rows);
}

/* Columns of SQL_AUD_COLS into r, pointing at the statement's own text
 * (valid until the next step or reset). */
static void audit_columns(sqlite3_stmt *st, struct audit_record *r)
{
    memset(r, 0, sizeof *r);
    r->seq = sqlite3_column_int64(st, 0);
    r->time = sqlite3_column_int64(st, 1);
    r->user = (const char *)sqlite3_column_text(st, 2);
    r->source = (const char *)sqlite3_column_text(st, 3);
    r->action = (const char *)sqlite3_column_text(st, 4);
    r->object = (const char *)sqlite3_column_text(st, 5);
    r->before = (const char *)sqlite3_column_text(st, 6);
    r->after = (const char *)sqlite3_column_text(st, 7);
    r->result = (const char *)sqlite3_column_text(st, 8);
    store_utf8_copy(r->mac, sizeof r->mac, (const char *)sqlite3_column_text(st, 9));
}

static int audit_decode(sqlite3_stmt *st, void *row, struct yw_err *err)
{
    struct audit_row *a = row;
    struct audit_record v;
    audit_columns(st, &v);
    a->r = v;
    a->r.user = xstrdup(v.user);
    a->r.source = xstrdup(v.source);
    a->r.action = xstrdup(v.action);
    a->r.object = xstrdup(v.object);
    a->r.before = xstrdup(v.before);
    a->r.after = xstrdup(v.after);
    a->r.result = xstrdup(v.result);
    (void)err;
    return 0;
}

int store_audit_list(struct store *S, const struct audit_filter *f, struct audit_row **rows,
                     size_t *n, struct yw_err *err)
{
    if (!f)
        return yw_fail(err, YW_EINVAL, "audit list: no filter given");
    if (f->limit < 1 || f->limit > AUDIT_LIST_MAX)
        return yw_fail_field(err, YW_EINVAL, "limit", "limit must be 1 to %d", AUDIT_LIST_MAX);
    if (field_check(f->user, "user", false, AUDIT_SHORT_MAX, err) ||
        field_check(f->action, "action", false, AUDIT_SHORT_MAX, err))
        return -1;
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_AUD_LIST, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, f->before_seq > 0 ? f->before_seq : INT64_MAX);
        store_bind_i64(st, 2, f->from ? f->from : INT64_MIN);
        store_bind_i64(st, 3, f->to ? f->to : INT64_MAX);
        store_bind_text(st, 4, f->user);
        store_bind_text(st, 5, f->action && f->action[0] ? f->action : NULL);
        store_bind_i64(st, 6, (int64_t)f->limit);
        rc = store_rows_read(c, st, sizeof **rows, audit_decode, audit_row_release,
                             (void **)rows, n, err);
    }
    store_pool_put(S, c);
    return rc;
}

/* ---- verify ------------------------------------------------------------------ */

struct walk {
    int64_t bad, checked, last;
    bool anchored; /* the record the anchor names was seen */
};

/* Steps through every record in seq order; stops at the first broken one. */
static int walk_chain(struct conn *c, const uint8_t key[AUDIT_KEY_BYTES],
                      const struct store_anchor *a, struct walk *w, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_AUD_ALL, err);
    if (!st)
        return -1;
    char prev[AUDIT_MAC_HEX] = "";
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct audit_record r;
        audit_columns(st, &r);
        int64_t expect = w->last + 1;
        if (r.seq != expect) {
            w->bad = r.seq;
            if (expect == r.seq - 1)
                result = yw_fail(err, YW_EIO,
                                 "审计记录 %lld 缺失 / audit record %lld is missing: record %lld "
                                 "follows record %lld",
                                 (long long)expect, (long long)expect, (long long)r.seq,
                                 (long long)w->last);
            else
                result = yw_fail(err, YW_EIO,
                                 "审计记录 %lld 至 %lld 缺失 / audit records %lld to %lld are "
                                 "missing: record %lld follows record %lld",
                                 (long long)expect, (long long)(r.seq - 1), (long long)expect,
                                 (long long)(r.seq - 1), (long long)r.seq, (long long)w->last);
            break;
        }
        if (!audit_check(key, prev, expect, &r)) {
            w->bad = r.seq;
            result = yw_fail(err, YW_EIO,
                             "审计记录 %lld 被篡改或伪造 / audit record %lld was altered or "
                             "inserted: its MAC does not match the chain",
                             (long long)r.seq, (long long)r.seq);
            break;
        }
        if (a->found && r.seq == a->seq) {
            if (strcmp(r.mac, a->mac) != 0) {
                w->bad = 0;
                result = yw_fail(err, YW_EIO,
                                 "审计锚点与记录 %lld 不符 / the audit anchor names record %lld "
                                 "with another MAC: the trail from there on was replaced, or "
                                 "the anchor was",
                                 (long long)r.seq, (long long)r.seq);
                break;
            }
            w->anchored = true;
        }
        memcpy(prev, r.mac, sizeof prev);
        w->last = r.seq;
        w->checked++;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading the audit trail");
    store_stmt_done(st);
    return result;
}

int store_audit_verify(struct store *S, int64_t *bad_seq, int64_t *checked, struct yw_err *err)
{
    struct walk w = {0, 0, 0, false};
    struct store_anchor a;
    char *apath = store_anchor_path(S);
    /* The anchor before the records: see the top of this file. */
    int rc = store_anchor_read(S, &a, err);
    if (rc == 0) {
        struct conn *c = store_pool_get(S);
        rc = walk_chain(c, S->audit_key, &a, &w, err);
        store_pool_put(S, c);
    }
    if (rc == 0 && !a.found && w.checked > 0)
        rc = yw_fail(err, YW_EIO,
                     "审计锚点文件缺失 / the audit anchor %s is missing but the trail has %lld "
                     "records: the newest records cannot be checked",
                     apath, (long long)w.checked);
    if (rc == 0 && a.found && !w.anchored)
        rc = yw_fail(err, YW_EIO,
                     "审计记录末尾被删除 / the audit anchor %s names record %lld but the last "
                     "record is %lld: records were removed from the end",
                     apath, (long long)a.seq, (long long)w.last);
    xfree(apath);
    if (bad_seq)
        *bad_seq = rc ? w.bad : 0;
    if (checked)
        *checked = w.checked;
    return rc;
}
