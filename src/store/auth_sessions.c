/*
 * auth_sessions — sessions, API tokens, settings, the password policy and
 * one-time setup links.
 *
 * Only hashes of session ids, tokens and setup links are stored (64 hex
 * digits, secret_token_hash); a value that is not one is refused before it
 * reaches SQL, so a raw token can never be written here by mistake. A
 * session ends by being deleted (the audit trail keeps its story).
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "store/store_auth.h"
#include "store/store_int.h"

#define TOKEN_NAME_MAX 100
#define SETTING_KEY_MAX 100
#define SETTING_VALUE_MAX (64 * 1024)

/* 64 lower-case hex digits, as secret_token_hash writes them. */
static bool hash_ok(const char *h)
{
    if (!h || strnlen(h, TOKEN_HASH_HEX) != TOKEN_HASH_HEX - 1)
        return false;
    for (size_t i = 0; i < TOKEN_HASH_HEX - 1; i++) {
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
            return false;
    }
    return true;
}

static int hash_fail(struct yw_err *err, const char *what)
{
    return yw_fail_field(err, YW_EINVAL, what, "%s is not a token hash", what);
}

/* A fixed buffer of a row holds a terminated string. */
#define TERMINATED(arr) (strnlen((arr), sizeof(arr)) < sizeof(arr))

static int user_exists(struct conn *c, int64_t id, roleset *roles, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_USER_CUR, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && roles)
        *roles = (roleset)sqlite3_column_int64(st, 1);
    store_stmt_done(st);
    if (rc == SQLITE_DONE)
        return yw_fail_field(err, YW_EINVAL, "user", "account %lld does not exist", (long long)id);
    if (rc != SQLITE_ROW)
        return store_db_fail(c, err, "reading accounts");
    return 0;
}

/* ---- sessions ----------------------------------------------------------------- */

static int session_decode(sqlite3_stmt *st, void *row, struct yw_err *err)
{
    struct session_row *s = row;
    memset(s, 0, sizeof *s);
    store_utf8_copy(s->id_hash, sizeof s->id_hash, (const char *)sqlite3_column_text(st, 0));
    s->user_id = sqlite3_column_int64(st, 1);
    store_utf8_copy(s->csrf, sizeof s->csrf, (const char *)sqlite3_column_text(st, 2));
    s->created = sqlite3_column_int64(st, 3);
    s->last_seen = sqlite3_column_int64(st, 4);
    store_utf8_copy(s->source, sizeof s->source, (const char *)sqlite3_column_text(st, 5));
    store_utf8_copy(s->user_agent, sizeof s->user_agent, (const char *)sqlite3_column_text(st, 6));
    s->pending_2fa = sqlite3_column_int(st, 7) != 0;
    (void)err;
    return 0;
}

static void session_release(void *row)
{
    (void)row; /* holds no pointers */
}

static int session_check(const struct session_row *s, struct yw_err *err)
{
    if (!hash_ok(s->id_hash))
        return hash_fail(err, "id_hash");
    if (!TERMINATED(s->csrf) || !s->csrf[0])
        return yw_fail_field(err, YW_EINVAL, "csrf", "session has no CSRF token");
    if (!TERMINATED(s->source) || !TERMINATED(s->user_agent))
        return yw_fail_field(err, YW_EINVAL, "source", "session text is not terminated");
    return 0;
}

struct session_args {
    const struct session_row *s;
};

static int do_session_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct session_row *s = ((struct session_args *)arg)->s;
    if (user_exists(c, s->user_id, NULL, err))
        return -1;
    sqlite3_stmt *st = store_stmt_get(c, STMT_SESS_INSERT, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, s->id_hash);
    store_bind_i64(st, 2, s->user_id);
    store_bind_text(st, 3, s->csrf);
    store_bind_i64(st, 4, s->created ? s->created : now);
    store_bind_i64(st, 5, s->last_seen ? s->last_seen : now);
    store_bind_text(st, 6, s->source);
    store_bind_text(st, 7, s->user_agent);
    store_bind_i64(st, 8, s->pending_2fa);
    return store_step_done(c, st, "creating session", err);
}

int store_session_create(struct store *S, const struct session_row *s, struct yw_err *err)
{
    if (session_check(s, err))
        return -1;
    struct session_args a = {s};
    return store_write_tx(S, do_session_create, &a, err);
}

int store_session_get(struct store *S, const char *id_hash, struct session_row *row,
                      struct yw_err *err)
{
    if (!hash_ok(id_hash))
        return hash_fail(err, "id_hash");
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SESS_GET, err);
    int rc = -1;
    if (st) {
        store_bind_text(st, 1, id_hash);
        rc = store_row_read_one(c, st, sizeof *row, session_decode, session_release, row,
                                "session not found or ended", err);
    }
    store_pool_put(S, c);
    return rc;
}

/* One statement outside an explicit transaction (it is its own). */
static int exec_changed(struct store *S, enum stmt_id id, const char *text, int64_t i2,
                        const char *what, const char *missing, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, id, err);
    int rc = -1;
    if (st) {
        store_bind_text(st, 1, text);
        store_bind_i64(st, 2, i2);
        rc = store_step_changed(c, st, what, missing, err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_session_touch(struct store *S, const char *id_hash, ms_t now, struct yw_err *err)
{
    if (!hash_ok(id_hash))
        return hash_fail(err, "id_hash");
    return exec_changed(S, STMT_SESS_TOUCH, id_hash, now, "touching session",
                        "session not found or ended", err);
}

int store_session_update(struct store *S, const struct session_row *s, struct yw_err *err)
{
    if (session_check(s, err))
        return -1;
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SESS_UPDATE, err);
    int rc = -1;
    if (st) {
        store_bind_text(st, 1, s->id_hash);
        store_bind_text(st, 2, s->csrf);
        store_bind_i64(st, 3, s->last_seen);
        store_bind_text(st, 4, s->source);
        store_bind_text(st, 5, s->user_agent);
        store_bind_i64(st, 6, s->pending_2fa);
        rc = store_step_changed(c, st, "updating session", "session not found or ended", err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_session_end(struct store *S, const char *id_hash, struct yw_err *err)
{
    if (!hash_ok(id_hash))
        return hash_fail(err, "id_hash");
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SESS_END, err);
    int rc = -1;
    if (st) {
        store_bind_text(st, 1, id_hash);
        rc = store_step_changed(c, st, "ending session", "session not found or ended", err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_session_end_user(struct store *S, int64_t user_id, const char *keep_hash,
                           struct yw_err *err)
{
    if (keep_hash && !hash_ok(keep_hash))
        return hash_fail(err, "keep_hash");
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SESS_END_USER, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, user_id);
        store_bind_text(st, 2, keep_hash);
        rc = store_step_done(c, st, "ending sessions", err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_session_list(struct store *S, int64_t user_id, struct session_row **rows, size_t *n,
                       struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SESS_LIST, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, user_id);
        rc = store_rows_read(c, st, sizeof **rows, session_decode, session_release,
                             (void **)rows, n, err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_session_prune(struct store *S, ms_t idle_before, ms_t created_before,
                        struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SESS_PRUNE, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, idle_before);
        store_bind_i64(st, 2, created_before);
        rc = store_step_done(c, st, "removing expired sessions", err);
    }
    store_pool_put(S, c);
    return rc;
}

/* ---- API tokens ----------------------------------------------------------------- */

void store_token_rows_free(struct token_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        xfree(rows[i].name);
    xfree(rows);
}

static int token_decode(sqlite3_stmt *st, void *row, struct yw_err *err)
{
    struct token_row *t = row;
    memset(t, 0, sizeof *t);
    t->id = sqlite3_column_int64(st, 0);
    t->user_id = sqlite3_column_int64(st, 1);
    t->name = store_col_dup(st, 2);
    store_utf8_copy(t->hash, sizeof t->hash, (const char *)sqlite3_column_text(st, 3));
    t->roles = (roleset)sqlite3_column_int64(st, 4);
    t->created = sqlite3_column_int64(st, 5);
    t->expires = sqlite3_column_int64(st, 6);
    t->last_used = sqlite3_column_int64(st, 7);
    t->revoked = sqlite3_column_int(st, 8) != 0;
    if (!t->name)
        return yw_fail(err, YW_EIO, "API token %lld: stored row is damaged", (long long)t->id);
    return 0;
}

static void token_release(void *row)
{
    struct token_row *t = row;
    xfree(t->name);
    t->name = NULL;
}

struct token_args {
    const struct token_row *t;
    int64_t *id;
};

static int do_token_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct token_row *t = ((struct token_args *)arg)->t;
    roleset held = 0;
    if (user_exists(c, t->user_id, &held, err))
        return -1;
    /* A token never carries more than its account holds now. */
    if (t->roles & ~held)
        return yw_fail_field(err, YW_EINVAL, "roles",
                             "a token's roles must be a subset of its account's roles");
    sqlite3_stmt *st = store_stmt_get(c, STMT_TOK_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, t->user_id);
    store_bind_text(st, 2, t->name);
    store_bind_text(st, 3, t->hash);
    store_bind_i64(st, 4, (int64_t)t->roles);
    store_bind_i64(st, 5, t->created ? t->created : now);
    store_bind_i64(st, 6, t->expires);
    if (store_step_done(c, st, "creating API token", err))
        return -1;
    *((struct token_args *)arg)->id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

int store_token_create(struct store *S, const struct token_row *t, int64_t *id, struct yw_err *err)
{
    if (!hash_ok(t->hash))
        return hash_fail(err, "hash");
    if (!t->name || !t->name[0])
        return yw_fail_field(err, YW_EINVAL, "name", "an API token needs a name");
    if (strlen(t->name) > TOKEN_NAME_MAX)
        return yw_fail_field(err, YW_EINVAL, "name", "token name is longer than %d bytes",
                             TOKEN_NAME_MAX);
    if (t->roles == 0)
        return yw_fail_field(err, YW_EINVAL, "roles", "an API token needs at least one role");
    if (t->expires < 0)
        return yw_fail_field(err, YW_EINVAL, "expires", "expiry is negative");
    int64_t nid = 0;
    struct token_args a = {t, &nid};
    if (store_write_tx(S, do_token_create, &a, err))
        return -1;
    if (id)
        *id = nid;
    return 0;
}

int store_token_by_hash(struct store *S, const char *hash, struct token_row *row,
                        struct yw_err *err)
{
    if (!hash_ok(hash))
        return hash_fail(err, "hash");
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_TOK_BY_HASH, err);
    int rc = -1;
    if (st) {
        store_bind_text(st, 1, hash);
        rc = store_row_read_one(c, st, sizeof *row, token_decode, token_release, row,
                                "API token not found", err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_token_list(struct store *S, int64_t user_id, struct token_row **rows, size_t *n,
                     struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_TOK_LIST, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, user_id);
        rc = store_rows_read(c, st, sizeof **rows, token_decode, token_release, (void **)rows, n,
                             err);
    }
    store_pool_put(S, c);
    return rc;
}

static int token_set(struct store *S, enum stmt_id id, int64_t token_id, ms_t now,
                     const char *what, struct yw_err *err)
{
    char missing[64];
    snprintf(missing, sizeof missing, "API token %lld not found", (long long)token_id);
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, id, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, token_id);
        if (id == STMT_TOK_TOUCH)
            store_bind_i64(st, 2, now);
        rc = store_step_changed(c, st, what, missing, err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_token_revoke(struct store *S, int64_t id, struct yw_err *err)
{
    return token_set(S, STMT_TOK_REVOKE, id, 0, "revoking API token", err);
}

int store_token_touch(struct store *S, int64_t id, ms_t now, struct yw_err *err)
{
    return token_set(S, STMT_TOK_TOUCH, id, now, "recording API token use", err);
}

/* ---- settings -------------------------------------------------------------------- */

static int key_check(const char *key, struct yw_err *err)
{
    if (!key || !key[0] || strlen(key) > SETTING_KEY_MAX)
        return yw_fail_field(err, YW_EINVAL, "key", "setting name must be 1 to %d bytes",
                             SETTING_KEY_MAX);
    return 0;
}

/* *value malloc'd; *found false when unset. */
static int setting_read(struct conn *c, const char *key, char **value, bool *found,
                        struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_SET_GET, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    *value = *found ? store_col_dup(st, 0) : NULL;
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading settings");
    if (*found && !*value) {
        *found = false;
        return yw_fail(err, YW_EIO, "setting %s: stored value is damaged", key);
    }
    return 0;
}

static int setting_write(struct conn *c, const char *key, const char *value, ms_t now,
                         struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_SET_PUT, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, key);
    store_bind_text(st, 2, value);
    store_bind_i64(st, 3, now);
    return store_step_done(c, st, "writing settings", err);
}

int store_setting_get(struct store *S, const char *key, char **value, struct yw_err *err)
{
    if (key_check(key, err))
        return -1;
    struct conn *c = store_pool_get(S);
    char *v = NULL;
    bool found = false;
    int rc = setting_read(c, key, &v, &found, err);
    store_pool_put(S, c);
    if (rc == 0 && !found)
        rc = yw_fail(err, YW_ENOTFOUND, "setting %s is not set", key);
    if (rc == 0)
        *value = v;
    return rc;
}

struct setting_args {
    const char *key, *value;
};

static int do_setting_set(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct setting_args *a = arg;
    return setting_write(c, a->key, a->value, now, err);
}

int store_setting_set(struct store *S, const char *key, const char *value, struct yw_err *err)
{
    if (key_check(key, err))
        return -1;
    if (!value || strlen(value) > SETTING_VALUE_MAX)
        return yw_fail_field(err, YW_EINVAL, "value", "setting value must be 0 to %d bytes",
                             SETTING_VALUE_MAX);
    struct setting_args a = {key, value};
    return store_write_tx(S, do_setting_set, &a, err);
}

/* ---- the password policy: one setting per field, "policy.FIELD" ----------------- */

static const struct {
    const char *key;
    size_t off;
} policy_keys[] = {
    {"policy.min_length", offsetof(struct password_policy, min_length)},
    {"policy.min_classes", offsetof(struct password_policy, min_classes)},
    {"policy.history", offsetof(struct password_policy, history)},
    {"policy.expiry_days", offsetof(struct password_policy, expiry_days)},
    {"policy.lock_after", offsetof(struct password_policy, lock_after)},
    {"policy.lock_minutes", offsetof(struct password_policy, lock_minutes)},
    {"policy.idle_minutes", offsetof(struct password_policy, idle_minutes)},
    {"policy.absolute_hours", offsetof(struct password_policy, absolute_hours)},
    {"policy.rate_per_minute", offsetof(struct password_policy, rate_per_minute)},
};
#define NPOLICY (sizeof policy_keys / sizeof policy_keys[0])
_Static_assert(NPOLICY * sizeof(int) == sizeof(struct password_policy),
               "every policy field has a setting");

static int *policy_field(struct password_policy *p, size_t i)
{
    return (int *)(void *)((char *)p + policy_keys[i].off);
}

int store_policy_get(struct store *S, struct password_policy *p, struct yw_err *err)
{
    struct password_policy out = PASSWORD_POLICY_DEFAULT;
    struct conn *c = store_pool_get(S);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < NPOLICY; i++) {
        char *v = NULL;
        bool found = false;
        rc = setting_read(c, policy_keys[i].key, &v, &found, err);
        if (rc || !found)
            continue;
        char *end = NULL;
        errno = 0;
        long n = strtol(v, &end, 10);
        if (errno || end == v || *end || n < 0 || n > 1000000)
            rc = yw_fail(err, YW_EIO, "setting %s: stored value is not a number",
                         policy_keys[i].key);
        else
            *policy_field(&out, i) = (int)n;
        xfree(v);
    }
    store_pool_put(S, c);
    if (rc == 0)
        *p = out;
    return rc;
}

static int do_policy_set(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct password_policy p = *(const struct password_policy *)arg;
    for (size_t i = 0; i < NPOLICY; i++) {
        char v[16];
        snprintf(v, sizeof v, "%d", *policy_field(&p, i));
        if (setting_write(c, policy_keys[i].key, v, now, err))
            return -1;
    }
    return 0;
}

int store_policy_set(struct store *S, const struct password_policy *p, struct yw_err *err)
{
    char why[256];
    if (password_policy_valid(p, why, sizeof why) != 0) {
        /* why starts with the field: "min_length: …" */
        char field[32] = "policy";
        size_t n = strcspn(why, ":");
        if (why[n] == ':' && n > 0 && n < sizeof field)
            snprintf(field, sizeof field, "%.*s", (int)n, why);
        return yw_fail_field(err, YW_EINVAL, field, "%s", why);
    }
    struct password_policy copy = *p;
    return store_write_tx(S, do_policy_set, &copy, err);
}

/* ---- one-time setup links ------------------------------------------------------- */

int store_setup_create(struct store *S, const char *hash, ms_t expires, struct yw_err *err)
{
    if (!hash_ok(hash))
        return hash_fail(err, "hash");
    if (expires <= 0)
        return yw_fail_field(err, YW_EINVAL, "expires", "a setup link must expire");
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SETUP_INSERT, err);
    int rc = -1;
    if (st) {
        store_bind_text(st, 1, hash);
        store_bind_i64(st, 2, time_now_ms());
        store_bind_i64(st, 3, expires);
        rc = store_step_done(c, st, "creating setup link", err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_setup_consume(struct store *S, const char *hash, ms_t now, struct yw_err *err)
{
    if (!hash_ok(hash))
        return hash_fail(err, "hash");
    /* Unknown, used and expired read alike: the caller learns nothing more. */
    return exec_changed(S, STMT_SETUP_CONSUME, hash, now, "using setup link",
                        "setup link unknown, already used or expired", err);
}
