/*
 * auth_users — the organisation tree, accounts and password history.
 *
 * Accounts are never deleted (the audit trail names them; disable them
 * instead) and a login name never changes. Roles are stored as the roleset
 * bits, so the bit positions of enum role are a file format. Every check
 * that needs the database (the org exists, the name is free, no cycle) runs
 * inside the write transaction that makes the change.
 */
#include <string.h>

#include "core/mem.h"
#include "store/store_auth.h"
#include "store/store_int.h"

/* Stored bits: an enum role that moved would grant stored accounts other
 * roles. */
_Static_assert(ROLE_SYSADMIN == 0 && ROLE_SECADMIN == 1 && ROLE_AUDITADMIN == 2 &&
                   ROLE_ASSESSOR == 3 && ROLE_MANAGER == 4 && ROLE_ENGINEER == 5 &&
                   ROLE_VIEWER == 6,
               "role bits are stored in the database");

#define ORG_NAME_MAX 100
#define ORG_DEPTH_MAX 1000        /* parent links followed looking for a cycle */
#define USER_NAME_MIN 2
#define USER_NAME_MAX 64
#define DISPLAY_NAME_MAX 100
#define TOTP_SEALED_MAX 1024
#define RECOVERY_HASHES_MAX 16384 /* a JSON array of RECOVERY_CODES hashes */

static const char *const org_kinds[] = {
    [ORG_CLIENT] = "client",
    [ORG_CONTRACTOR] = "contractor",
    [ORG_BUSINESS] = "business",
};
#define NKINDS (sizeof org_kinds / sizeof org_kinds[0])

static void bind_id_or_null(sqlite3_stmt *st, int i, int64_t id)
{
    if (id)
        store_bind_i64(st, i, id);
    else
        sqlite3_bind_null(st, i);
}

/* 1 when a row with this id exists in the table probed by `stmt` (a
 * statement taking the id as ?1), 0 when not, -1 on error. */
static int row_exists(struct conn *c, enum stmt_id stmt, int64_t id, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, stmt, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc == SQLITE_DONE)
        return 0;
    return store_db_fail(c, err, "reading");
}

/* ---- organisation ----------------------------------------------------------- */

static int org_decode(sqlite3_stmt *st, void *row, struct yw_err *err)
{
    struct org_row *o = row;
    memset(o, 0, sizeof *o);
    o->id = sqlite3_column_int64(st, 0);
    o->parent_id = sqlite3_column_int64(st, 1); /* NULL reads as 0 */
    o->name = store_col_dup(st, 2);
    const char *kind = (const char *)sqlite3_column_text(st, 3);
    o->kind = ORG_CLIENT;
    bool known = false;
    for (size_t i = 0; kind && i < NKINDS; i++) {
        if (strcmp(kind, org_kinds[i]) == 0) {
            o->kind = (enum org_kind)i;
            known = true;
        }
    }
    o->created = sqlite3_column_int64(st, 4);
    o->updated = sqlite3_column_int64(st, 5);
    if (!known || !o->name)
        return yw_fail(err, YW_EIO, "org unit %lld: stored row is damaged", (long long)o->id);
    return 0;
}

static void org_release(void *row)
{
    struct org_row *o = row;
    xfree(o->name);
    o->name = NULL;
}

void store_org_rows_free(struct org_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        org_release(&rows[i]);
    xfree(rows);
}

int store_org_list(struct store *S, struct org_row **rows, size_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_ORG_LIST, err);
    int rc = st ? store_rows_read(c, st, sizeof **rows, org_decode, org_release, (void **)rows, n,
                                  err)
                : -1;
    store_pool_put(S, c);
    return rc;
}

int store_org_get(struct store *S, int64_t id, struct org_row *row, struct yw_err *err)
{
    char missing[64];
    snprintf(missing, sizeof missing, "org unit %lld not found", (long long)id);
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_ORG_BY_ID, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, id);
        rc = store_row_read_one(c, st, sizeof *row, org_decode, org_release, row, missing, err);
    }
    store_pool_put(S, c);
    return rc;
}

static int org_check(const struct org_row *o, struct yw_err *err)
{
    if (!o->name || !o->name[0])
        return yw_fail_field(err, YW_EINVAL, "name", "org unit name is missing");
    if (strlen(o->name) > ORG_NAME_MAX)
        return yw_fail_field(err, YW_EINVAL, "name", "org unit name is longer than %d bytes",
                             ORG_NAME_MAX);
    if ((unsigned)o->kind >= NKINDS)
        return yw_fail_field(err, YW_EINVAL, "kind", "unknown org unit kind %d", (int)o->kind);
    if (o->parent_id < 0)
        return yw_fail_field(err, YW_EINVAL, "parent_id", "parent %lld does not exist",
                             (long long)o->parent_id);
    return 0;
}

/* The parent exists and the name is free among its children (self: the
 * unit being updated, 0 on create). */
static int org_place_ok(struct conn *c, const struct org_row *o, int64_t self, struct yw_err *err)
{
    if (o->parent_id) {
        int rc = row_exists(c, STMT_ORG_PARENT, o->parent_id, err);
        if (rc < 0)
            return -1;
        if (rc == 0)
            return yw_fail_field(err, YW_EINVAL, "parent_id", "parent org unit %lld does not exist",
                                 (long long)o->parent_id);
    }
    sqlite3_stmt *st = store_stmt_get(c, STMT_ORG_SIBLING, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, o->parent_id);
    store_bind_text(st, 2, o->name);
    store_bind_i64(st, 3, self);
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return yw_fail_field(err, YW_ECONFLICT, "name",
                             "an org unit named \"%s\" already exists there", o->name);
    if (rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading org units");
    return 0;
}

struct org_args {
    const struct org_row *o;
    int64_t *id;
};

static int do_org_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct org_row *o = ((struct org_args *)arg)->o;
    int64_t *id = ((struct org_args *)arg)->id;
    if (org_place_ok(c, o, 0, err))
        return -1;
    sqlite3_stmt *st = store_stmt_get(c, STMT_ORG_INSERT, err);
    if (!st)
        return -1;
    bind_id_or_null(st, 1, o->parent_id);
    store_bind_text(st, 2, o->name);
    store_bind_text(st, 3, org_kinds[o->kind]);
    store_bind_i64(st, 4, now);
    if (store_step_done(c, st, "creating org unit", err))
        return -1;
    *id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

int store_org_create(struct store *S, const struct org_row *o, int64_t *id, struct yw_err *err)
{
    if (org_check(o, err))
        return -1;
    int64_t nid = 0;
    struct org_args a = {o, &nid};
    if (store_write_tx(S, do_org_create, &a, err))
        return -1;
    if (id)
        *id = nid;
    return 0;
}

/* Refuses a parent that is the unit itself or one of its descendants. */
static int org_no_cycle(struct conn *c, int64_t id, int64_t parent, struct yw_err *err)
{
    for (int depth = 0; parent; depth++) {
        if (parent == id)
            return yw_fail_field(err, YW_EINVAL, "parent_id",
                                 "org unit %lld cannot be placed under itself or its own "
                                 "descendant",
                                 (long long)id);
        if (depth >= ORG_DEPTH_MAX)
            return yw_fail_field(err, YW_EINVAL, "parent_id",
                                 "org tree deeper than %d levels", ORG_DEPTH_MAX);
        sqlite3_stmt *st = store_stmt_get(c, STMT_ORG_PARENT, err);
        if (!st)
            return -1;
        store_bind_i64(st, 1, parent);
        int rc = sqlite3_step(st);
        int64_t next = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        store_stmt_done(st);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            return store_db_fail(c, err, "reading org units");
        parent = next;
    }
    return 0;
}

static int do_org_update(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct org_row *o = ((struct org_args *)arg)->o;
    char missing[64];
    snprintf(missing, sizeof missing, "org unit %lld not found", (long long)o->id);
    int rc = row_exists(c, STMT_ORG_PARENT, o->id, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return yw_fail(err, YW_ENOTFOUND, "%s", missing);
    if (org_place_ok(c, o, o->id, err) || org_no_cycle(c, o->id, o->parent_id, err))
        return -1;
    sqlite3_stmt *st = store_stmt_get(c, STMT_ORG_UPDATE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, o->id);
    bind_id_or_null(st, 2, o->parent_id);
    store_bind_text(st, 3, o->name);
    store_bind_text(st, 4, org_kinds[o->kind]);
    store_bind_i64(st, 5, now);
    return store_step_changed(c, st, "updating org unit", missing, err);
}

int store_org_update(struct store *S, const struct org_row *o, struct yw_err *err)
{
    if (org_check(o, err))
        return -1;
    struct org_args a = {o, NULL};
    return store_write_tx(S, do_org_update, &a, err);
}

/* The first name a statement taking an id finds, copied into out; "" if none. */
static int first_name(struct conn *c, enum stmt_id stmt, int64_t id, char *out, size_t n,
                      struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, stmt, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    int rc = sqlite3_step(st);
    out[0] = '\0';
    if (rc == SQLITE_ROW)
        store_utf8_copy(out, n, (const char *)sqlite3_column_text(st, 0));
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading org units");
    return 0;
}

static int do_org_delete(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    (void)now;
    int64_t id = *(const int64_t *)arg;
    char name[ORG_NAME_MAX + 1];
    if (first_name(c, STMT_ORG_CHILD, id, name, sizeof name, err))
        return -1;
    if (name[0])
        return yw_fail(err, YW_ECONFLICT, "org unit %lld still contains the unit \"%s\"",
                       (long long)id, name);
    if (first_name(c, STMT_ORG_MEMBER, id, name, sizeof name, err))
        return -1;
    if (name[0])
        return yw_fail(err, YW_ECONFLICT, "org unit %lld still has the account \"%s\"",
                       (long long)id, name);
    sqlite3_stmt *st = store_stmt_get(c, STMT_ORG_DELETE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    char missing[64];
    snprintf(missing, sizeof missing, "org unit %lld not found", (long long)id);
    return store_step_changed(c, st, "deleting org unit", missing, err);
}

int store_org_delete(struct store *S, int64_t id, struct yw_err *err)
{
    return store_write_tx(S, do_org_delete, &id, err);
}

/* ---- users ----------------------------------------------------------------------- */

void store_user_row_release(struct user_row *u)
{
    if (!u)
        return;
    xfree(u->name);
    xfree(u->display_name);
    xfree(u->totp_sealed);
    xfree(u->recovery_hashes);
    u->name = u->display_name = u->totp_sealed = u->recovery_hashes = NULL;
}

void store_user_rows_free(struct user_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_user_row_release(&rows[i]);
    xfree(rows);
}

static int user_decode(sqlite3_stmt *st, void *row, struct yw_err *err)
{
    struct user_row *u = row;
    memset(u, 0, sizeof *u);
    u->id = sqlite3_column_int64(st, 0);
    u->name = store_col_dup(st, 1);
    u->display_name = store_col_dup(st, 2);
    u->org_id = sqlite3_column_int64(st, 3);
    u->roles = (roleset)sqlite3_column_int64(st, 4);
    store_utf8_copy(u->pw_hash, sizeof u->pw_hash, (const char *)sqlite3_column_text(st, 5));
    u->pw_changed = sqlite3_column_int64(st, 6);
    u->must_change_pw = sqlite3_column_int(st, 7) != 0;
    u->totp_enabled = sqlite3_column_int(st, 8) != 0;
    u->totp_sealed = store_col_dup(st, 9);
    u->totp_last_step = sqlite3_column_int64(st, 10);
    u->recovery_hashes = store_col_dup(st, 11);
    u->failed_logins = sqlite3_column_int(st, 12);
    u->locked_until = sqlite3_column_int64(st, 13);
    u->disabled = sqlite3_column_int(st, 14) != 0;
    u->created = sqlite3_column_int64(st, 15);
    u->updated = sqlite3_column_int64(st, 16);
    u->last_login = sqlite3_column_int64(st, 17);
    if (!u->name)
        return yw_fail(err, YW_EIO, "account %lld: stored row is damaged", (long long)u->id);
    return 0;
}

static void user_release(void *row)
{
    store_user_row_release(row);
}

int store_user_count(struct store *S, int64_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_USER_COUNT, err);
    int rc = -1;
    if (st) {
        if (sqlite3_step(st) == SQLITE_ROW) {
            *n = sqlite3_column_int64(st, 0);
            rc = 0;
        } else {
            rc = store_db_fail(c, err, "counting accounts");
        }
        store_stmt_done(st);
    }
    store_pool_put(S, c);
    return rc;
}

int store_user_list(struct store *S, struct user_row **rows, size_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_USER_LIST, err);
    int rc = st ? store_rows_read(c, st, sizeof **rows, user_decode, user_release, (void **)rows,
                                  n, err)
                : -1;
    store_pool_put(S, c);
    return rc;
}

int store_user_get(struct store *S, int64_t id, const char *name, struct user_row *row,
                   struct yw_err *err)
{
    if (!id && (!name || !name[0]))
        return yw_fail(err, YW_EINVAL, "account: neither id nor name given");
    if (!id && strlen(name) > USER_NAME_MAX)
        return yw_fail_field(err, YW_EINVAL, "name", "login name is longer than %d bytes",
                             USER_NAME_MAX);
    char missing[128];
    if (id)
        snprintf(missing, sizeof missing, "account %lld not found", (long long)id);
    else
        snprintf(missing, sizeof missing, "account \"%s\" not found", name);
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, id ? STMT_USER_BY_ID : STMT_USER_BY_NAME, err);
    int rc = -1;
    if (st) {
        if (id)
            store_bind_i64(st, 1, id);
        else
            store_bind_text(st, 1, name);
        rc = store_row_read_one(c, st, sizeof *row, user_decode, user_release, row, missing, err);
    }
    store_pool_put(S, c);
    return rc;
}

/* [a-z0-9][a-z0-9._-]{1,63} */
static bool login_name_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < USER_NAME_MIN || n > USER_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

/* The checks that need no database, for create (name too) and update. */
static int user_check(const struct user_row *u, bool create, struct yw_err *err)
{
    if (create && !login_name_ok(u->name))
        return yw_fail_field(err, YW_EINVAL, "name",
                             "login name must be 2 to 64 of a-z 0-9 . _ - and start with a "
                             "letter or digit");
    char why[256];
    /* A new account may hold no role until the security administrator
     * grants one (三权分立: the system administrator cannot hand out rights). */
    if (u->roles != 0 && !roleset_valid(u->roles, why, sizeof why))
        return yw_fail_field(err, YW_EINVAL, "roles", "%s", why);
    if (u->display_name && strlen(u->display_name) > DISPLAY_NAME_MAX)
        return yw_fail_field(err, YW_EINVAL, "display_name",
                             "display name is longer than %d bytes", DISPLAY_NAME_MAX);
    if (u->org_id < 0)
        return yw_fail_field(err, YW_EINVAL, "org", "org unit %lld does not exist",
                             (long long)u->org_id);
    if (strnlen(u->pw_hash, sizeof u->pw_hash) >= sizeof u->pw_hash)
        return yw_fail_field(err, YW_EINVAL, "password", "password hash is not terminated");
    if (u->totp_sealed && strlen(u->totp_sealed) > TOTP_SEALED_MAX)
        return yw_fail_field(err, YW_EINVAL, "totp", "sealed TOTP secret is too long");
    if (u->recovery_hashes && strlen(u->recovery_hashes) > RECOVERY_HASHES_MAX)
        return yw_fail_field(err, YW_EINVAL, "recovery", "recovery code list is too long");
    return 0;
}

static int user_org_ok(struct conn *c, int64_t org_id, struct yw_err *err)
{
    if (!org_id)
        return 0;
    int rc = row_exists(c, STMT_ORG_PARENT, org_id, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return yw_fail_field(err, YW_EINVAL, "org", "org unit %lld does not exist",
                             (long long)org_id);
    return 0;
}

/* Binds ?2..?14 and ?16 (the fields create and update share; see stmts.h). */
static void user_bind_fields(sqlite3_stmt *st, const struct user_row *u)
{
    store_bind_text(st, 2, u->display_name);
    bind_id_or_null(st, 3, u->org_id);
    store_bind_i64(st, 4, (int64_t)u->roles);
    store_bind_text(st, 5, u->pw_hash);
    store_bind_i64(st, 6, u->pw_changed);
    store_bind_i64(st, 7, u->must_change_pw);
    store_bind_i64(st, 8, u->totp_enabled);
    store_bind_text(st, 9, u->totp_sealed);
    store_bind_i64(st, 10, u->totp_last_step);
    store_bind_text(st, 11, u->recovery_hashes);
    store_bind_i64(st, 12, u->failed_logins);
    store_bind_i64(st, 13, u->locked_until);
    store_bind_i64(st, 14, u->disabled);
    store_bind_i64(st, 16, u->last_login);
}

struct user_args {
    const struct user_row *u;
    int64_t *id;
};

static int do_user_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct user_row *u = ((struct user_args *)arg)->u;
    int64_t *id = ((struct user_args *)arg)->id;
    if (user_org_ok(c, u->org_id, err))
        return -1;
    sqlite3_stmt *st = store_stmt_get(c, STMT_USER_BY_NAME, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, u->name);
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc == SQLITE_ROW)
        return yw_fail_field(err, YW_ECONFLICT, "name", "an account named \"%s\" already exists",
                             u->name);
    if (rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading accounts");

    st = store_stmt_get(c, STMT_USER_INSERT, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, u->name);
    user_bind_fields(st, u);
    store_bind_i64(st, 15, now);
    if (store_step_done(c, st, "creating account", err))
        return -1;
    *id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

int store_user_create(struct store *S, const struct user_row *u, int64_t *id, struct yw_err *err)
{
    if (user_check(u, true, err))
        return -1;
    int64_t nid = 0;
    struct user_args a = {u, &nid};
    if (store_write_tx(S, do_user_create, &a, err))
        return -1;
    if (id)
        *id = nid;
    return 0;
}

static int do_user_update(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct user_row *u = ((struct user_args *)arg)->u;
    char missing[64];
    snprintf(missing, sizeof missing, "account %lld not found", (long long)u->id);
    sqlite3_stmt *st = store_stmt_get(c, STMT_USER_CUR, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, u->id);
    int rc = sqlite3_step(st);
    bool renamed = rc == SQLITE_ROW && u->name &&
                   strcmp(u->name, (const char *)sqlite3_column_text(st, 0)) != 0;
    store_stmt_done(st);
    if (rc == SQLITE_DONE)
        return yw_fail(err, YW_ENOTFOUND, "%s", missing);
    if (rc != SQLITE_ROW)
        return store_db_fail(c, err, "reading accounts");
    if (renamed)
        return yw_fail_field(err, YW_EINVAL, "name",
                             "a login name cannot change (the audit trail refers to it)");
    if (user_org_ok(c, u->org_id, err))
        return -1;

    st = store_stmt_get(c, STMT_USER_UPDATE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, u->id);
    user_bind_fields(st, u);
    store_bind_i64(st, 15, now);
    return store_step_changed(c, st, "updating account", missing, err);
}

int store_user_update(struct store *S, const struct user_row *u, struct yw_err *err)
{
    if (user_check(u, false, err))
        return -1;
    struct user_args a = {u, NULL};
    return store_write_tx(S, do_user_update, &a, err);
}

/* ---- password history ---------------------------------------------------------- */

struct pwh_args {
    int64_t user_id;
    const char *hash;
};

static int do_pwh_add(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    const struct pwh_args *a = arg;
    int rc = row_exists(c, STMT_USER_CUR, a->user_id, err);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return yw_fail(err, YW_ENOTFOUND, "account %lld not found", (long long)a->user_id);
    sqlite3_stmt *st = store_stmt_get(c, STMT_PWH_ADD, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, a->user_id);
    store_bind_text(st, 2, a->hash);
    store_bind_i64(st, 3, now);
    if (store_step_done(c, st, "recording password history", err))
        return -1;
    st = store_stmt_get(c, STMT_PWH_TRIM, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, a->user_id);
    store_bind_i64(st, 2, STORE_PW_HISTORY_MAX);
    return store_step_done(c, st, "trimming password history", err);
}

int store_pw_history_add(struct store *S, int64_t user_id, const char *hash, struct yw_err *err)
{
    if (!hash || !hash[0] || strlen(hash) >= PASSWORD_HASH_MAX)
        return yw_fail_field(err, YW_EINVAL, "password", "not a password hash");
    struct pwh_args a = {user_id, hash};
    return store_write_tx(S, do_pwh_add, &a, err);
}

int store_pw_history(struct store *S, int64_t user_id, int n, char ***hashes, size_t *count,
                     struct yw_err *err)
{
    if (n > STORE_PW_HISTORY_MAX)
        n = STORE_PW_HISTORY_MAX;
    if (n <= 0) {
        *hashes = NULL;
        *count = 0;
        return 0;
    }
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_PWH_LIST, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, user_id);
        store_bind_i64(st, 2, n);
        char **arr = xcalloc((size_t)n, sizeof *arr);
        size_t len = 0;
        int step;
        while ((step = sqlite3_step(st)) == SQLITE_ROW && len < (size_t)n) {
            arr[len] = store_col_dup(st, 0);
            if (arr[len])
                len++;
        }
        if (step == SQLITE_DONE || step == SQLITE_ROW) {
            *hashes = arr;
            *count = len;
            rc = 0;
        } else {
            rc = store_db_fail(c, err, "reading password history");
            for (size_t i = 0; i < len; i++)
                xfree(arr[i]);
            xfree(arr);
        }
        store_stmt_done(st);
    }
    store_pool_put(S, c);
    return rc;
}
