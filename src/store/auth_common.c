/*
 * auth_common — the row-reading and transaction helpers the auth_*.c files
 * and notify.c share (objects.c keeps static twins of the first two: its
 * decoders need the connection's key to open sealed specs).
 */
#include <assert.h>
#include <stddef.h>
#include <string.h>

#include "core/mem.h"
#include "store/store_int.h"

int store_rows_read(struct conn *c, sqlite3_stmt *st, size_t elem, store_decode_fn decode,
                    store_release_fn release, void **rows, size_t *n, struct yw_err *err)
{
    char *arr = NULL;
    size_t len = 0, cap = 0;
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            arr = xrealloc(arr, cap * elem);
        }
        memset(arr + len * elem, 0, elem); /* a decoder fails on a zeroed row */
        if (decode(st, arr + len * elem, err)) {
            release(arr + len * elem);
            result = -1;
            break;
        }
        len++;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading");
    store_stmt_done(st);
    if (result) {
        for (size_t i = 0; i < len; i++)
            release(arr + i * elem);
        xfree(arr);
        return -1;
    }
    *rows = arr;
    *n = len;
    return 0;
}

int store_row_find(struct conn *c, sqlite3_stmt *st, size_t elem, store_decode_fn decode,
                   store_release_fn release, void *row, bool *found, struct yw_err *err)
{
    _Alignas(max_align_t) unsigned char tmp[STORE_ROW_MAX];
    assert(elem <= sizeof tmp);
    int rc = sqlite3_step(st);
    int result = 0;
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        memset(tmp, 0, elem);
        result = decode(st, tmp, err);
        if (result == 0)
            memcpy(row, tmp, elem);
        else
            release(tmp);
    } else if (rc != SQLITE_DONE) {
        result = store_db_fail(c, err, "reading");
    }
    store_stmt_done(st);
    return result;
}

int store_row_read_one(struct conn *c, sqlite3_stmt *st, size_t elem, store_decode_fn decode,
                       store_release_fn release, void *row, const char *missing,
                       struct yw_err *err)
{
    bool found;
    int result = store_row_find(c, st, elem, decode, release, row, &found, err);
    if (result == 0 && !found)
        result = yw_fail(err, YW_ENOTFOUND, "%s", missing);
    return result;
}

int store_step_done(struct conn *c, sqlite3_stmt *st, const char *what, struct yw_err *err)
{
    int result = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(c, err, what);
    store_stmt_done(st);
    return result;
}

int store_step_changed(struct conn *c, sqlite3_stmt *st, const char *what, const char *missing,
                       struct yw_err *err)
{
    int result = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(c, err, what);
    if (result == 0 && sqlite3_changes(c->db) == 0)
        result = yw_fail(err, YW_ENOTFOUND, "%s", missing);
    store_stmt_done(st);
    return result;
}

int store_write_tx(struct store *S, store_write_fn fn, void *arg, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    int rc = store_tx_begin(c, err);
    if (rc == 0)
        rc = store_tx_end(c, fn(c, arg, time_now_ms(), err), err);
    store_pool_put(S, c);
    return rc;
}
