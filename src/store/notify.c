/*
 * notify — the tables of notifications and the duty roster (store_notify.h).
 *
 * Channels and rules are canonical JSON made by src/notify; this file only
 * stores, seals and finds them. Channels are soft-deleted (the delivery log
 * names them); rules, shifts and contacts are deleted for real. A rule's
 * channel names are kept in notify_rule_channels as well as in its spec, so
 * that renaming or deleting a channel a rule sends to is refused without
 * parsing every rule.
 */
#include <assert.h>
#include <string.h>

#include "core/mem.h"
#include "store/store_int.h"
#include "store/store_notify.h"

/* Migration 5. */
const char store_mig_notify[] =
    "CREATE TABLE notify_channels (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  type TEXT NOT NULL CHECK (type IN ('email', 'webhook', 'dingtalk', 'wecom', 'feishu')),\n"
    "  enabled INTEGER NOT NULL DEFAULT 1,\n"
    "  is_default INTEGER NOT NULL DEFAULT 0,\n"
    "  provisioned INTEGER NOT NULL DEFAULT 0,\n"
    "  spec TEXT NOT NULL,\n"         /* canonical JSON, without secrets */
    "  secrets TEXT,\n"               /* sealed JSON object (auth/secret.h); NULL = none */
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL,\n"
    "  deleted_at INTEGER\n"
    ");\n"
    "CREATE UNIQUE INDEX notify_channels_name_live ON notify_channels(name)\n"
    "  WHERE deleted_at IS NULL;\n"

    "CREATE TABLE notify_rules (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  enabled INTEGER NOT NULL DEFAULT 1,\n"
    "  provisioned INTEGER NOT NULL DEFAULT 0,\n"
    "  spec TEXT NOT NULL,\n"
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL\n"
    ");\n"
    "CREATE TABLE notify_rule_channels (\n"
    "  rule_id INTEGER NOT NULL REFERENCES notify_rules(id) ON DELETE CASCADE,\n"
    "  channel TEXT NOT NULL,\n"
    "  PRIMARY KEY (rule_id, channel)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX notify_rule_channels_channel ON notify_rule_channels(channel);\n"

    /* Personal contacts, one row per account (accounts are never deleted). */
    "CREATE TABLE notify_contacts (\n"
    "  user_id INTEGER PRIMARY KEY REFERENCES users(id),\n"
    "  email TEXT,\n"
    "  mobile TEXT,\n"
    "  dingtalk_id TEXT,\n"
    "  wecom_id TEXT,\n"
    "  feishu_id TEXT,\n"
    "  updated INTEGER NOT NULL\n"
    ");\n"

    "CREATE TABLE duty_shifts (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
    "  position TEXT NOT NULL CHECK (position IN ('primary', 'backup', 'lead')),\n"
    "  start INTEGER NOT NULL,\n"
    "  \"end\" INTEGER NOT NULL CHECK (\"end\" > start),\n"
    "  note TEXT,\n"
    "  provisioned INTEGER NOT NULL DEFAULT 0,\n"
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX duty_shifts_position_start ON duty_shifts(position, start);\n"
    "CREATE INDEX duty_shifts_start ON duty_shifts(start);\n"

    "CREATE TABLE duty_handovers (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  position TEXT NOT NULL CHECK (position IN ('primary', 'backup', 'lead')),\n"
    "  from_user_id INTEGER REFERENCES users(id),\n" /* NULL: nobody held it */
    "  to_user_id INTEGER NOT NULL REFERENCES users(id),\n"
    "  at INTEGER NOT NULL,\n"
    "  note TEXT,\n"
    "  by_user TEXT,\n"
    "  created INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX duty_handovers_at ON duty_handovers(at);\n"

    /* AUTOINCREMENT: ids never come back after pruning, so the log's cursor
     * and "newest first" stay meaningful. */
    "CREATE TABLE notify_deliveries (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  created INTEGER NOT NULL,\n"
    "  channel_id INTEGER NOT NULL REFERENCES notify_channels(id),\n"
    "  channel TEXT NOT NULL,\n"
    "  kind TEXT NOT NULL,\n"
    "  incident_id INTEGER NOT NULL DEFAULT 0,\n"
    "  clock TEXT,\n"
    "  step INTEGER NOT NULL DEFAULT 0,\n"
    "  rule TEXT,\n"
    "  event TEXT NOT NULL,\n"
    "  targets TEXT NOT NULL,\n"
    "  recipients TEXT,\n"
    "  status TEXT NOT NULL CHECK (status IN ('queued', 'scheduled', 'sending', 'sent',\n"
    "    'failed', 'suppressed', 'cancelled')),\n"
    "  attempts INTEGER NOT NULL DEFAULT 0,\n"
    "  next_attempt INTEGER NOT NULL DEFAULT 0,\n"
    "  admitted INTEGER NOT NULL DEFAULT 0,\n"
    "  held INTEGER NOT NULL DEFAULT 0,\n"
    "  last_error TEXT,\n"
    "  sent_at INTEGER NOT NULL DEFAULT 0,\n"
    "  subject TEXT,\n"
    "  text TEXT\n"
    ");\n"
    "CREATE INDEX notify_deliveries_due ON notify_deliveries(next_attempt)\n"
    "  WHERE status IN ('queued', 'scheduled');\n"
    "CREATE INDEX notify_deliveries_dedup ON notify_deliveries(incident_id, kind, channel_id,\n"
    "  created);\n"
    "CREATE INDEX notify_deliveries_admitted ON notify_deliveries(channel_id, admitted)\n"
    "  WHERE admitted > 0;\n"
    "CREATE INDEX notify_deliveries_channel ON notify_deliveries(channel_id, id);\n"
    "CREATE INDEX notify_deliveries_created ON notify_deliveries(created);\n"

    "CREATE TABLE notify_attempts (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  delivery_id INTEGER NOT NULL REFERENCES notify_deliveries(id),\n"
    "  at INTEGER NOT NULL,\n"
    "  duration INTEGER NOT NULL,\n"
    "  http_status INTEGER NOT NULL DEFAULT 0,\n"
    "  error TEXT,\n"
    "  response TEXT\n"
    ");\n"
    "CREATE INDEX notify_attempts_delivery ON notify_attempts(delivery_id, id);\n";

/* ---- transactions ------------------------------------------------------------- */

int store_notify_tx(struct store *S, bool write, store_notify_fn fn, void *arg,
                    struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    int rc = write ? store_tx_begin(c, err) : store_stmt_exec(c, STMT_NT_BEGIN_READ, err);
    if (rc == 0)
        rc = store_tx_end(c, fn(c, arg, err), err);
    store_pool_put(S, c);
    return rc;
}

/* ---- small helpers ---------------------------------------------------------------- */

static const char *const position_names[DUTY__COUNT] = {"primary", "backup", "lead"};

static enum duty_position position_from_text(const char *s)
{
    for (int i = 0; i < DUTY__COUNT; i++)
        if (s && strcmp(s, position_names[i]) == 0)
            return (enum duty_position)i;
    return DUTY_PRIMARY; /* the CHECK constraint admits nothing else */
}

static const char *const dlv_names[DLV__COUNT] = {"queued", "scheduled", "sending", "sent",
                                                  "failed", "suppressed", "cancelled"};

const char *store_dlv_status_name(enum store_dlv_status s)
{
    return (unsigned)s < DLV__COUNT ? dlv_names[s] : "?";
}

int store_dlv_status_parse(const char *s, enum store_dlv_status *out)
{
    for (int i = 0; s && i < DLV__COUNT; i++)
        if (strcmp(s, dlv_names[i]) == 0) {
            *out = (enum store_dlv_status)i;
            return 0;
        }
    return -1;
}

static void col_copy(sqlite3_stmt *st, int i, char *dst, size_t n)
{
    store_utf8_copy(dst, n, (const char *)sqlite3_column_text(st, i));
}

static void free_secret(char *s)
{
    if (s) {
        secret_wipe(s, strlen(s));
        xfree(s);
    }
}

/* Rows are read with the store's shared helpers (auth_common.c:
 * store_rows_read, store_row_read_one, store_row_find). */

static int step_done(struct conn *c, sqlite3_stmt *st, const char *what, struct yw_err *err)
{
    return store_step_done(c, st, what, err);
}

/* ---- channels ------------------------------------------------------------------------ */

void store_channel_release(struct store_channel *ch)
{
    if (!ch)
        return;
    xfree(ch->name);
    xfree(ch->type);
    xfree(ch->spec);
    free_secret(ch->secrets);
    memset(ch, 0, sizeof *ch);
}

void store_channels_free(struct store_channel *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_channel_release(&rows[i]);
    xfree(rows);
}

/* A row being decoded, with whether its secrets are to be opened. */
struct ch_decode {
    struct store_channel row;
    bool with_secrets;
};

static int channel_decode(struct conn *c, sqlite3_stmt *st, void *out, struct yw_err *err)
{
    struct ch_decode *d = out;
    struct store_channel *ch = &d->row;
    ch->id = sqlite3_column_int64(st, 0);
    ch->name = store_col_dup(st, 1);
    ch->type = store_col_dup(st, 2);
    ch->enabled = sqlite3_column_int(st, 3) != 0;
    ch->is_default = sqlite3_column_int(st, 4) != 0;
    ch->provisioned = sqlite3_column_int(st, 5) != 0;
    ch->spec = store_col_dup(st, 6);
    ch->created = sqlite3_column_int64(st, 8);
    ch->updated = sqlite3_column_int64(st, 9);
    ch->deleted = sqlite3_column_int64(st, 10);
    const char *sealed = (const char *)sqlite3_column_text(st, 7);
    if (d->with_secrets && sealed) {
        if (!c->key)
            return yw_fail(err, YW_EIO, "channel %lld: sealed secrets but no secret key",
                           (long long)ch->id);
        struct yw_err e = YW_ERR_INIT;
        ch->secrets = secret_open(c->key, sealed, &e);
        if (!ch->secrets)
            return yw_fail(err, YW_EIO, "channel %lld: its secrets do not open: %s",
                           (long long)ch->id, e.msg);
    }
    return 0;
}

static void channel_release_w(void *p)
{
    store_channel_release(&((struct ch_decode *)p)->row);
}

int store_channel_list(struct conn *c, bool with_secrets, struct store_channel **rows, size_t *n,
                       struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_CH_LIST, err);
    if (!st)
        return -1;
    struct store_channel *arr = NULL;
    size_t len = 0, cap = 0;
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct ch_decode d = {.with_secrets = with_secrets};
        if (channel_decode(c, st, &d, err)) {
            channel_release_w(&d);
            result = -1;
            break;
        }
        XGROW(arr, cap, len + 1);
        arr[len++] = d.row;
    }
    if (result == 0 && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading channels");
    store_stmt_done(st);
    if (result) {
        store_channels_free(arr, len);
        return -1;
    }
    *rows = arr;
    *n = len;
    return 0;
}

int store_channel_get(struct conn *c, int64_t id, const char *name, bool with_secrets,
                      struct store_channel *row, struct yw_err *err)
{
    if (!id && (!name || !name[0]))
        return yw_fail(err, YW_EINVAL, "channel: neither id nor name given");
    sqlite3_stmt *st = store_stmt_get(c, id ? STMT_NT_CH_BY_ID : STMT_NT_CH_BY_NAME, err);
    if (!st)
        return -1;
    if (id)
        store_bind_i64(st, 1, id);
    else
        store_bind_text(st, 1, name);
    char missing[160];
    if (id)
        snprintf(missing, sizeof missing, "channel %lld not found", (long long)id);
    else
        snprintf(missing, sizeof missing, "channel \"%.64s\" not found", name);
    struct ch_decode d = {.with_secrets = with_secrets};
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW) {
        result = channel_decode(c, st, &d, err);
        if (result)
            channel_release_w(&d);
        else
            *row = d.row;
    } else if (rc == SQLITE_DONE) {
        result = yw_fail(err, YW_ENOTFOUND, "%s", missing);
    } else {
        result = store_db_fail(c, err, "reading channel");
    }
    store_stmt_done(st);
    return result;
}

/* YW_ECONFLICT naming the rule when one sends to channel `name`. */
static int channel_unreferenced(struct conn *c, const char *name, const char *action,
                                struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_CH_REF, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW)
        result = yw_fail(err, YW_ECONFLICT,
                         "rule \"%s\" sends to channel \"%s\"; change the rule before %s it",
                         (const char *)sqlite3_column_text(st, 0), name, action);
    else if (rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading rule references");
    store_stmt_done(st);
    return result;
}

/* The live channel with this name, if any: its id (0 = none). */
static int channel_id_by_name(struct conn *c, const char *name, int64_t *id, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_CH_BY_NAME, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    int result = 0;
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "looking up a channel");
    store_stmt_done(st);
    return result;
}

int store_channel_put(struct conn *c, const struct store_channel *ch, ms_t now, int64_t *id,
                      struct yw_err *err)
{
    if (!ch->name || !ch->name[0] || !ch->type || !ch->spec)
        return yw_fail(err, YW_EINVAL, "channel: name, type and spec are required");
    int64_t other = 0;
    if (channel_id_by_name(c, ch->name, &other, err))
        return -1;
    if (other && other != ch->id)
        return yw_fail_field(err, YW_ECONFLICT, "name", "a channel named \"%s\" already exists",
                             ch->name);
    if (ch->id) {
        struct store_channel cur = {0};
        if (store_channel_get(c, ch->id, NULL, false, &cur, err))
            return -1;
        int rc = 0;
        if (cur.deleted)
            rc = yw_fail(err, YW_ENOTFOUND, "channel %lld not found", (long long)ch->id);
        else if (strcmp(cur.name, ch->name) != 0)
            rc = channel_unreferenced(c, cur.name, "renaming", err);
        store_channel_release(&cur);
        if (rc)
            return -1;
    }
    char *sealed = NULL;
    if (ch->secrets) {
        if (!c->key)
            return yw_fail(err, YW_EIO, "channel \"%s\": no secret key to seal its secrets",
                           ch->name);
        sealed = secret_seal(c->key, ch->secrets);
        if (!sealed)
            return yw_fail(err, YW_ELIMIT, "channel \"%s\": secrets are too long", ch->name);
    }
    sqlite3_stmt *st = store_stmt_get(c, ch->id ? STMT_NT_CH_UPDATE : STMT_NT_CH_INSERT, err);
    int rc = -1;
    if (st && ch->id) {
        store_bind_i64(st, 1, ch->id);
        store_bind_text(st, 2, ch->name);
        store_bind_text(st, 3, ch->type);
        store_bind_i64(st, 4, ch->enabled);
        store_bind_i64(st, 5, ch->is_default);
        store_bind_text(st, 6, ch->spec);
        store_bind_text(st, 7, sealed);
        store_bind_i64(st, 8, now);
        rc = step_done(c, st, "updating channel", err);
        if (rc == 0 && id)
            *id = ch->id;
    } else if (st) {
        store_bind_text(st, 1, ch->name);
        store_bind_text(st, 2, ch->type);
        store_bind_i64(st, 3, ch->enabled);
        store_bind_i64(st, 4, ch->is_default);
        store_bind_i64(st, 5, ch->provisioned);
        store_bind_text(st, 6, ch->spec);
        store_bind_text(st, 7, sealed);
        store_bind_i64(st, 8, now);
        rc = step_done(c, st, "creating channel", err);
        if (rc == 0 && id)
            *id = sqlite3_last_insert_rowid(c->db);
    }
    xfree(sealed); /* sealed text is not secret */
    return rc;
}

int store_channel_delete(struct conn *c, int64_t id, ms_t now, struct yw_err *err)
{
    struct store_channel cur = {0};
    if (store_channel_get(c, id, NULL, false, &cur, err))
        return -1;
    int rc = 0;
    if (cur.deleted)
        rc = yw_fail(err, YW_ENOTFOUND, "channel %lld not found", (long long)id);
    if (rc == 0)
        rc = channel_unreferenced(c, cur.name, "deleting", err);
    store_channel_release(&cur);
    if (rc)
        return -1;
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_CH_DELETE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    store_bind_i64(st, 2, now);
    return step_done(c, st, "deleting channel", err);
}

/* ---- rules --------------------------------------------------------------------------- */

void store_rule_release(struct store_rule *r)
{
    if (!r)
        return;
    xfree(r->name);
    xfree(r->spec);
    memset(r, 0, sizeof *r);
}

void store_rules_free(struct store_rule *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_rule_release(&rows[i]);
    xfree(rows);
}

static int rule_decode(sqlite3_stmt *st, void *out, struct yw_err *err)
{
    (void)err;
    struct store_rule *r = out;
    r->id = sqlite3_column_int64(st, 0);
    r->name = store_col_dup(st, 1);
    r->enabled = sqlite3_column_int(st, 2) != 0;
    r->provisioned = sqlite3_column_int(st, 3) != 0;
    r->spec = store_col_dup(st, 4);
    r->created = sqlite3_column_int64(st, 5);
    r->updated = sqlite3_column_int64(st, 6);
    return 0;
}

static void rule_release_v(void *p)
{
    store_rule_release(p);
}

int store_rule_list(struct conn *c, bool enabled_only, struct store_rule **rows, size_t *n,
                    struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_RULE_LIST, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, enabled_only);
    return store_rows_read(c, st, sizeof **rows, rule_decode, rule_release_v,
                           (void **)rows, n, err);
}

int store_rule_get(struct conn *c, int64_t id, const char *name, struct store_rule *row,
                   struct yw_err *err)
{
    if (!id && (!name || !name[0]))
        return yw_fail(err, YW_EINVAL, "rule: neither id nor name given");
    sqlite3_stmt *st = store_stmt_get(c, id ? STMT_NT_RULE_BY_ID : STMT_NT_RULE_BY_NAME, err);
    if (!st)
        return -1;
    char missing[160];
    if (id) {
        store_bind_i64(st, 1, id);
        snprintf(missing, sizeof missing, "rule %lld not found", (long long)id);
    } else {
        store_bind_text(st, 1, name);
        snprintf(missing, sizeof missing, "rule \"%.64s\" not found", name);
    }
    return store_row_read_one(c, st, sizeof *row, rule_decode, rule_release_v, row, missing, err);
}

int store_rule_put(struct conn *c, const struct store_rule *r, const char *const *channels,
                   size_t nch, ms_t now, int64_t *id, struct yw_err *err)
{
    if (!r->name || !r->name[0] || !r->spec)
        return yw_fail(err, YW_EINVAL, "rule: name and spec are required");
    for (size_t i = 0; i < nch; i++) {
        int64_t cid = 0;
        if (channel_id_by_name(c, channels[i], &cid, err))
            return -1;
        if (!cid)
            return yw_fail_field(err, YW_EINVAL, "channels", "no channel named \"%.64s\"",
                                 channels[i]);
    }
    struct store_rule cur = {0};
    if (r->id && store_rule_get(c, r->id, NULL, &cur, err))
        return -1;
    store_rule_release(&cur);
    sqlite3_stmt *st = store_stmt_get(c, r->id ? STMT_NT_RULE_UPDATE : STMT_NT_RULE_INSERT, err);
    if (!st)
        return -1;
    int64_t rid = r->id;
    struct yw_err e = YW_ERR_INIT;
    int rc;
    if (r->id) {
        store_bind_i64(st, 1, r->id);
        store_bind_text(st, 2, r->name);
        store_bind_i64(st, 3, r->enabled);
        store_bind_text(st, 4, r->spec);
        store_bind_i64(st, 5, now);
        rc = step_done(c, st, "updating rule", &e);
    } else {
        store_bind_text(st, 1, r->name);
        store_bind_i64(st, 2, r->enabled);
        store_bind_i64(st, 3, r->provisioned);
        store_bind_text(st, 4, r->spec);
        store_bind_i64(st, 5, now);
        rc = step_done(c, st, "creating rule", &e);
        rid = sqlite3_last_insert_rowid(c->db);
    }
    if (rc) {
        if (e.code == YW_ECONFLICT)
            return yw_fail_field(err, YW_ECONFLICT, "name", "a rule named \"%s\" already exists",
                                 r->name);
        if (err)
            *err = e;
        return -1;
    }
    st = store_stmt_get(c, STMT_NT_RULE_CH_CLEAR, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, rid);
    if (step_done(c, st, "updating rule channels", err))
        return -1;
    for (size_t i = 0; i < nch; i++) {
        st = store_stmt_get(c, STMT_NT_RULE_CH_ADD, err);
        if (!st)
            return -1;
        store_bind_i64(st, 1, rid);
        store_bind_text(st, 2, channels[i]);
        if (step_done(c, st, "updating rule channels", err))
            return -1;
    }
    if (id)
        *id = rid;
    return 0;
}

int store_rule_delete(struct conn *c, int64_t id, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_RULE_DELETE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    char missing[64];
    snprintf(missing, sizeof missing, "rule %lld not found", (long long)id);
    return store_step_changed(c, st, "deleting rule", missing, err);
}

/* ---- people -------------------------------------------------------------------------- */

void store_person_release(struct store_person *p)
{
    if (!p)
        return;
    xfree(p->display_name);
    xfree(p->email);
    xfree(p->mobile);
    xfree(p->dingtalk_id);
    xfree(p->wecom_id);
    xfree(p->feishu_id);
    memset(p, 0, sizeof *p);
}

void store_people_free(struct store_person *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_person_release(&rows[i]);
    xfree(rows);
}

static int person_decode(sqlite3_stmt *st, void *out, struct yw_err *err)
{
    (void)err;
    struct store_person *p = out;
    p->user_id = sqlite3_column_int64(st, 0);
    col_copy(st, 1, p->login, sizeof p->login);
    p->display_name = store_col_dup(st, 2);
    p->disabled = sqlite3_column_int(st, 3) != 0;
    p->roles = (roleset)sqlite3_column_int64(st, 4);
    p->email = store_col_dup(st, 5);
    p->mobile = store_col_dup(st, 6);
    p->dingtalk_id = store_col_dup(st, 7);
    p->wecom_id = store_col_dup(st, 8);
    p->feishu_id = store_col_dup(st, 9);
    p->contact_updated = sqlite3_column_int64(st, 10);
    return 0;
}

static void person_release_v(void *p)
{
    store_person_release(p);
}

int store_person_get(struct conn *c, int64_t user_id, const char *login, struct store_person *row,
                     struct yw_err *err)
{
    if (!user_id && (!login || !login[0]))
        return yw_fail(err, YW_EINVAL, "user: neither id nor login given");
    sqlite3_stmt *st =
        store_stmt_get(c, user_id ? STMT_NT_PERSON_BY_ID : STMT_NT_PERSON_BY_LOGIN, err);
    if (!st)
        return -1;
    char missing[160];
    if (user_id) {
        store_bind_i64(st, 1, user_id);
        snprintf(missing, sizeof missing, "user %lld not found", (long long)user_id);
    } else {
        store_bind_text(st, 1, login);
        snprintf(missing, sizeof missing, "user \"%.64s\" not found", login);
    }
    return store_row_read_one(c, st, sizeof *row, person_decode, person_release_v,
                              row, missing, err);
}

int store_person_list(struct conn *c, struct store_person **rows, size_t *n, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_PERSON_LIST, err);
    if (!st)
        return -1;
    return store_rows_read(c, st, sizeof **rows, person_decode, person_release_v,
                           (void **)rows, n, err);
}

int store_people_with_roles(struct conn *c, roleset mask, size_t max, int64_t **ids, size_t *n,
                            struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_PEOPLE_ROLES, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, (int64_t)mask);
    store_bind_i64(st, 2, (int64_t)max);
    int64_t *arr = NULL;
    size_t len = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        XGROW(arr, cap, len + 1);
        arr[len++] = sqlite3_column_int64(st, 0);
    }
    int result = rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "reading accounts");
    store_stmt_done(st);
    if (result) {
        xfree(arr);
        return -1;
    }
    *ids = arr;
    *n = len;
    return 0;
}

static int user_exists(struct conn *c, int64_t user_id, bool *found, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_USER_EXISTS, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, user_id);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "reading");
    store_stmt_done(st);
    return result;
}

int store_contact_put(struct conn *c, const struct store_person *p, ms_t now, struct yw_err *err)
{
    bool found;
    if (user_exists(c, p->user_id, &found, err))
        return -1;
    if (!found)
        return yw_fail(err, YW_ENOTFOUND, "user %lld not found", (long long)p->user_id);
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_CONTACT_PUT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, p->user_id);
    store_bind_text(st, 2, p->email);
    store_bind_text(st, 3, p->mobile);
    store_bind_text(st, 4, p->dingtalk_id);
    store_bind_text(st, 5, p->wecom_id);
    store_bind_text(st, 6, p->feishu_id);
    store_bind_i64(st, 7, now);
    return step_done(c, st, "writing contacts", err);
}

/* ---- duty roster --------------------------------------------------------------------- */

void store_shift_release(struct store_shift *s)
{
    if (!s)
        return;
    xfree(s->note);
    memset(s, 0, sizeof *s);
}

void store_shifts_free(struct store_shift *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_shift_release(&rows[i]);
    xfree(rows);
}

static int shift_decode(sqlite3_stmt *st, void *out, struct yw_err *err)
{
    (void)err;
    struct store_shift *s = out;
    s->id = sqlite3_column_int64(st, 0);
    s->user_id = sqlite3_column_int64(st, 1);
    col_copy(st, 2, s->login, sizeof s->login);
    s->position = position_from_text((const char *)sqlite3_column_text(st, 3));
    s->start = sqlite3_column_int64(st, 4);
    s->end = sqlite3_column_int64(st, 5);
    s->note = store_col_dup(st, 6);
    s->provisioned = sqlite3_column_int(st, 7) != 0;
    s->created = sqlite3_column_int64(st, 8);
    s->updated = sqlite3_column_int64(st, 9);
    return 0;
}

static void shift_release_v(void *p)
{
    store_shift_release(p);
}

int store_shift_list(struct conn *c, ms_t from, ms_t to, int position, size_t limit,
                     struct store_shift **rows, size_t *n, struct yw_err *err)
{
    if (limit == 0)
        return yw_fail(err, YW_EINVAL, "shifts: limit 0");
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_SHIFT_LIST, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, from);
    store_bind_i64(st, 2, to);
    store_bind_text(st, 3, position >= 0 && position < DUTY__COUNT ? position_names[position]
                                                                   : NULL);
    store_bind_i64(st, 4, (int64_t)limit + 1);
    struct store_shift *arr = NULL;
    size_t len = 0;
    if (store_rows_read(c, st, sizeof *arr, shift_decode, shift_release_v,
                        (void **)&arr, &len, err))
        return -1;
    if (len > limit) {
        store_shifts_free(arr, len);
        return yw_fail(err, YW_ELIMIT, "more than %zu shifts in the period: ask for less", limit);
    }
    *rows = arr;
    *n = len;
    return 0;
}

int store_shift_get(struct conn *c, int64_t id, struct store_shift *row, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_SHIFT_BY_ID, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    char missing[64];
    snprintf(missing, sizeof missing, "shift %lld not found", (long long)id);
    return store_row_read_one(c, st, sizeof *row, shift_decode, shift_release_v, row, missing, err);
}

int store_shift_at(struct conn *c, enum duty_position position, ms_t at, struct store_shift *row,
                   struct yw_err *err)
{
    if ((unsigned)position >= DUTY__COUNT)
        return yw_fail(err, YW_EINVAL, "unknown duty position %d", (int)position);
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_SHIFT_AT, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, position_names[position]);
    store_bind_i64(st, 2, at);
    char missing[80];
    snprintf(missing, sizeof missing, "nobody holds duty position %s", position_names[position]);
    return store_row_read_one(c, st, sizeof *row, shift_decode, shift_release_v, row, missing, err);
}

int store_shift_put(struct conn *c, const struct store_shift *s, ms_t now, int64_t *id,
                    struct yw_err *err)
{
    if ((unsigned)s->position >= DUTY__COUNT)
        return yw_fail_field(err, YW_EINVAL, "position", "unknown duty position");
    if (s->end <= s->start)
        return yw_fail_field(err, YW_EINVAL, "end", "a shift must end after it starts");
    bool found;
    if (user_exists(c, s->user_id, &found, err))
        return -1;
    if (!found)
        return yw_fail_field(err, YW_EINVAL, "user", "user %lld does not exist",
                             (long long)s->user_id);
    sqlite3_stmt *st = store_stmt_get(c, s->id ? STMT_NT_SHIFT_UPDATE : STMT_NT_SHIFT_INSERT, err);
    if (!st)
        return -1;
    if (s->id) {
        store_bind_i64(st, 1, s->id);
        store_bind_i64(st, 2, s->user_id);
        store_bind_text(st, 3, position_names[s->position]);
        store_bind_i64(st, 4, s->start);
        store_bind_i64(st, 5, s->end);
        store_bind_text(st, 6, s->note);
        store_bind_i64(st, 7, now);
        char missing[64];
        snprintf(missing, sizeof missing, "shift %lld not found", (long long)s->id);
        if (store_step_changed(c, st, "updating shift", missing, err))
            return -1;
        if (id)
            *id = s->id;
        return 0;
    }
    store_bind_i64(st, 1, s->user_id);
    store_bind_text(st, 2, position_names[s->position]);
    store_bind_i64(st, 3, s->start);
    store_bind_i64(st, 4, s->end);
    store_bind_text(st, 5, s->note);
    store_bind_i64(st, 6, s->provisioned);
    store_bind_i64(st, 7, now);
    if (step_done(c, st, "creating shift", err))
        return -1;
    if (id)
        *id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

int store_shift_delete(struct conn *c, int64_t id, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_SHIFT_DELETE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    char missing[64];
    snprintf(missing, sizeof missing, "shift %lld not found", (long long)id);
    return store_step_changed(c, st, "deleting shift", missing, err);
}

int store_shift_delete_range(struct conn *c, int position, ms_t from, ms_t to, bool provisioned,
                             int64_t *count, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_SHIFT_DELETE_RANGE, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, position >= 0 && position < DUTY__COUNT ? position_names[position]
                                                                   : NULL);
    store_bind_i64(st, 2, from);
    store_bind_i64(st, 3, to);
    store_bind_i64(st, 4, provisioned);
    if (step_done(c, st, "deleting shifts", err))
        return -1;
    if (count)
        *count = sqlite3_changes(c->db);
    return 0;
}

void store_handover_release(struct store_handover *h)
{
    if (!h)
        return;
    xfree(h->note);
    xfree(h->by);
    memset(h, 0, sizeof *h);
}

void store_handovers_free(struct store_handover *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_handover_release(&rows[i]);
    xfree(rows);
}

static int handover_decode(sqlite3_stmt *st, void *out, struct yw_err *err)
{
    (void)err;
    struct store_handover *h = out;
    h->id = sqlite3_column_int64(st, 0);
    h->position = position_from_text((const char *)sqlite3_column_text(st, 1));
    h->from_user_id = sqlite3_column_int64(st, 2);
    col_copy(st, 3, h->from_login, sizeof h->from_login);
    h->to_user_id = sqlite3_column_int64(st, 4);
    col_copy(st, 5, h->to_login, sizeof h->to_login);
    h->at = sqlite3_column_int64(st, 6);
    h->note = store_col_dup(st, 7);
    h->by = store_col_dup(st, 8);
    h->created = sqlite3_column_int64(st, 9);
    return 0;
}

static void handover_release_v(void *p)
{
    store_handover_release(p);
}

int store_handover_add(struct conn *c, const struct store_handover *h, int64_t *id,
                       struct yw_err *err)
{
    if ((unsigned)h->position >= DUTY__COUNT)
        return yw_fail_field(err, YW_EINVAL, "position", "unknown duty position");
    bool found;
    if (user_exists(c, h->to_user_id, &found, err))
        return -1;
    if (!found)
        return yw_fail_field(err, YW_EINVAL, "to", "user %lld does not exist",
                             (long long)h->to_user_id);
    if (h->from_user_id) {
        if (user_exists(c, h->from_user_id, &found, err))
            return -1;
        if (!found)
            return yw_fail_field(err, YW_EINVAL, "from", "user %lld does not exist",
                                 (long long)h->from_user_id);
    }
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_HO_INSERT, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, position_names[h->position]);
    if (h->from_user_id)
        store_bind_i64(st, 2, h->from_user_id);
    else
        sqlite3_bind_null(st, 2);
    store_bind_i64(st, 3, h->to_user_id);
    store_bind_i64(st, 4, h->at);
    store_bind_text(st, 5, h->note);
    store_bind_text(st, 6, h->by);
    store_bind_i64(st, 7, h->created);
    if (step_done(c, st, "recording hand-over", err))
        return -1;
    if (id)
        *id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

int store_handover_get(struct conn *c, int64_t id, struct store_handover *row, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_HO_BY_ID, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    char missing[64];
    snprintf(missing, sizeof missing, "hand-over %lld not found", (long long)id);
    return store_row_read_one(c, st, sizeof *row, handover_decode, handover_release_v,
                              row, missing, err);
}

int store_handover_list(struct conn *c, ms_t from, ms_t to, size_t limit,
                        struct store_handover **rows, size_t *n, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_HO_LIST, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, from);
    store_bind_i64(st, 2, to);
    store_bind_i64(st, 3, (int64_t)limit);
    return store_rows_read(c, st, sizeof **rows, handover_decode, handover_release_v,
                           (void **)rows, n, err);
}

/* ---- deliveries ---------------------------------------------------------------------- */

void store_delivery_release(struct store_delivery *d)
{
    if (!d)
        return;
    xfree(d->channel);
    xfree(d->kind);
    xfree(d->clock);
    xfree(d->rule);
    xfree(d->event);
    xfree(d->targets);
    xfree(d->recipients);
    xfree(d->last_error);
    xfree(d->subject);
    xfree(d->text);
    memset(d, 0, sizeof *d);
}

void store_deliveries_free(struct store_delivery *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_delivery_release(&rows[i]);
    xfree(rows);
}

static int delivery_decode(sqlite3_stmt *st, void *out, struct yw_err *err)
{
    struct store_delivery *d = out;
    d->id = sqlite3_column_int64(st, 0);
    d->created = sqlite3_column_int64(st, 1);
    d->channel_id = sqlite3_column_int64(st, 2);
    d->channel = store_col_dup(st, 3);
    d->kind = store_col_dup(st, 4);
    d->incident_id = sqlite3_column_int64(st, 5);
    d->clock = store_col_dup(st, 6);
    d->step = sqlite3_column_int64(st, 7);
    d->rule = store_col_dup(st, 8);
    d->event = store_col_dup(st, 9);
    d->targets = store_col_dup(st, 10);
    d->recipients = store_col_dup(st, 11);
    if (store_dlv_status_parse((const char *)sqlite3_column_text(st, 12), &d->status))
        return yw_fail(err, YW_EIO, "delivery %lld: unknown status", (long long)d->id);
    d->attempts = sqlite3_column_int(st, 13);
    d->next_attempt = sqlite3_column_int64(st, 14);
    d->admitted = sqlite3_column_int64(st, 15);
    d->held = sqlite3_column_int(st, 16);
    d->last_error = store_col_dup(st, 17);
    d->sent_at = sqlite3_column_int64(st, 18);
    d->subject = store_col_dup(st, 19);
    d->text = store_col_dup(st, 20);
    return 0;
}

static void delivery_release_v(void *p)
{
    store_delivery_release(p);
}

int store_delivery_insert(struct conn *c, const struct store_delivery *d, int64_t *id,
                          struct yw_err *err)
{
    if (!d->channel || !d->kind || !d->event || !d->targets ||
        (unsigned)d->status >= DLV__COUNT)
        return yw_fail(err, YW_EINVAL, "delivery: channel, kind, event and targets are required");
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_INSERT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, d->created);
    store_bind_i64(st, 2, d->channel_id);
    store_bind_text(st, 3, d->channel);
    store_bind_text(st, 4, d->kind);
    store_bind_i64(st, 5, d->incident_id);
    store_bind_text(st, 6, d->clock);
    store_bind_i64(st, 7, d->step);
    store_bind_text(st, 8, d->rule);
    store_bind_text(st, 9, d->event);
    store_bind_text(st, 10, d->targets);
    store_bind_text(st, 11, d->recipients);
    store_bind_text(st, 12, dlv_names[d->status]);
    store_bind_i64(st, 13, d->attempts);
    store_bind_i64(st, 14, d->next_attempt);
    store_bind_i64(st, 15, d->admitted);
    store_bind_i64(st, 16, d->held);
    store_bind_text(st, 17, d->last_error);
    store_bind_i64(st, 18, d->sent_at);
    store_bind_text(st, 19, d->subject);
    store_bind_text(st, 20, d->text);
    if (step_done(c, st, "recording delivery", err))
        return -1;
    if (id)
        *id = sqlite3_last_insert_rowid(c->db);
    return 0;
}

int store_delivery_get(struct conn *c, int64_t id, struct store_delivery *row, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_BY_ID, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    char missing[64];
    snprintf(missing, sizeof missing, "delivery %lld not found", (long long)id);
    return store_row_read_one(c, st, sizeof *row, delivery_decode, delivery_release_v,
                              row, missing, err);
}

int store_delivery_update(struct conn *c, const struct store_delivery *d, struct yw_err *err)
{
    if ((unsigned)d->status >= DLV__COUNT)
        return yw_fail(err, YW_EINVAL, "delivery: bad status");
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_UPDATE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, d->id);
    store_bind_text(st, 2, d->recipients);
    store_bind_text(st, 3, dlv_names[d->status]);
    store_bind_i64(st, 4, d->attempts);
    store_bind_i64(st, 5, d->next_attempt);
    store_bind_i64(st, 6, d->admitted);
    store_bind_i64(st, 7, d->held);
    store_bind_text(st, 8, d->last_error);
    store_bind_i64(st, 9, d->sent_at);
    store_bind_text(st, 10, d->subject);
    store_bind_text(st, 11, d->text);
    store_bind_text(st, 12, d->event);
    char missing[64];
    snprintf(missing, sizeof missing, "delivery %lld not found", (long long)d->id);
    return store_step_changed(c, st, "updating delivery", missing, err);
}

int store_delivery_dup(struct conn *c, int64_t incident_id, const char *kind, const char *clock,
                       int64_t channel_id, ms_t step, ms_t since, bool *found,
                       struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_DUP, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, incident_id);
    store_bind_text(st, 2, kind);
    store_bind_text(st, 3, clock);
    store_bind_i64(st, 4, channel_id);
    store_bind_i64(st, 5, step);
    store_bind_i64(st, 6, since);
    int rc = sqlite3_step(st);
    *found = rc == SQLITE_ROW;
    int result = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : store_db_fail(c, err, "dedup");
    store_stmt_done(st);
    return result;
}

int store_delivery_admitted(struct conn *c, int64_t channel_id, ms_t since, int64_t *count,
                            ms_t *oldest, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_ADMITTED, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, channel_id);
    store_bind_i64(st, 2, since);
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW) {
        *count = sqlite3_column_int64(st, 0);
        *oldest = sqlite3_column_int64(st, 1);
    } else {
        result = store_db_fail(c, err, "counting deliveries");
    }
    store_stmt_done(st);
    return result;
}

int store_delivery_pending_digest(struct conn *c, int64_t channel_id, struct store_delivery *row,
                                  bool *found, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_DIGEST, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, channel_id);
    return store_row_find(c, st, sizeof *row, delivery_decode, delivery_release_v, row, found, err);
}

int store_delivery_next_due(struct conn *c, ms_t now, struct store_delivery *row, bool *found,
                            struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_NEXT_DUE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, now);
    return store_row_find(c, st, sizeof *row, delivery_decode, delivery_release_v, row, found, err);
}

int store_delivery_earliest(struct conn *c, ms_t *at, bool *found, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_EARLIEST, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    int result = 0;
    *found = false;
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL) {
            *at = sqlite3_column_int64(st, 0);
            *found = true;
        }
    } else {
        result = store_db_fail(c, err, "reading deliveries");
    }
    store_stmt_done(st);
    return result;
}

int store_delivery_requeue_sending(struct conn *c, int64_t *count, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_REQUEUE, err);
    if (!st)
        return -1;
    if (step_done(c, st, "requeueing deliveries", err))
        return -1;
    if (count)
        *count = sqlite3_changes(c->db);
    return 0;
}

int store_delivery_cancel_ack(struct conn *c, int64_t incident_id, ms_t now, int64_t *count,
                              struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_CANCEL_ACK, err);
    if (!st)
        return -1;
    char why[96];
    char at[40];
    time_format_rfc3339(now, at, sizeof at);
    snprintf(why, sizeof why, "已响应，升级取消 / acknowledged at %s", at);
    store_bind_i64(st, 1, incident_id);
    store_bind_text(st, 2, why);
    if (step_done(c, st, "cancelling escalations", err))
        return -1;
    if (count)
        *count = sqlite3_changes(c->db);
    return 0;
}

int store_delivery_list(struct conn *c, const struct store_delivery_filter *f,
                        struct store_delivery **rows, size_t *n, struct yw_err *err)
{
    if (f->limit < 1 || f->limit > 1000)
        return yw_fail_field(err, YW_EINVAL, "limit", "limit: must be from 1 to 1000");
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_LIST, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, f->channel_id);
    store_bind_i64(st, 2, f->incident_id);
    store_bind_text(st, 3, f->status >= 0 && f->status < DLV__COUNT ? dlv_names[f->status] : NULL);
    store_bind_i64(st, 4, f->before_id);
    store_bind_i64(st, 5, (int64_t)f->limit);
    return store_rows_read(c, st, sizeof **rows, delivery_decode, delivery_release_v,
                           (void **)rows, n, err);
}

int store_delivery_prune(struct conn *c, ms_t before, size_t limit, int64_t *count,
                         struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_DLV_PRUNE_ATT, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, before);
    store_bind_i64(st, 2, (int64_t)limit);
    if (step_done(c, st, "pruning attempts", err))
        return -1;
    st = store_stmt_get(c, STMT_NT_DLV_PRUNE, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, before);
    store_bind_i64(st, 2, (int64_t)limit);
    if (step_done(c, st, "pruning deliveries", err))
        return -1;
    if (count)
        *count = sqlite3_changes(c->db);
    return 0;
}

void store_attempt_release(struct store_attempt *a)
{
    if (!a)
        return;
    xfree(a->error);
    xfree(a->response);
    memset(a, 0, sizeof *a);
}

void store_attempts_free(struct store_attempt *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_attempt_release(&rows[i]);
    xfree(rows);
}

static int attempt_decode(sqlite3_stmt *st, void *out, struct yw_err *err)
{
    (void)err;
    struct store_attempt *a = out;
    a->id = sqlite3_column_int64(st, 0);
    a->delivery_id = sqlite3_column_int64(st, 1);
    a->at = sqlite3_column_int64(st, 2);
    a->duration = sqlite3_column_int64(st, 3);
    a->http_status = sqlite3_column_int(st, 4);
    a->error = store_col_dup(st, 5);
    a->response = store_col_dup(st, 6);
    return 0;
}

static void attempt_release_v(void *p)
{
    store_attempt_release(p);
}

int store_attempt_add(struct conn *c, const struct store_attempt *a, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_ATT_INSERT, err);
    if (!st)
        return -1;
    char *resp = store_utf8_dup(a->response, STORE_ATTEMPT_EXCERPT_MAX + 1);
    char *error = store_utf8_dup(a->error, 1024);
    store_bind_i64(st, 1, a->delivery_id);
    store_bind_i64(st, 2, a->at);
    store_bind_i64(st, 3, a->duration);
    store_bind_i64(st, 4, a->http_status);
    store_bind_text(st, 5, error);
    store_bind_text(st, 6, resp);
    xfree(resp);
    xfree(error);
    return step_done(c, st, "recording attempt", err);
}

int store_attempt_list(struct conn *c, int64_t delivery_id, struct store_attempt **rows,
                       size_t *n, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_NT_ATT_LIST, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, delivery_id);
    return store_rows_read(c, st, sizeof **rows, attempt_decode, attempt_release_v,
                           (void **)rows, n, err);
}
