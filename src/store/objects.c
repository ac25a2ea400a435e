/*
 * objects — systems, monitors and maintenance windows.
 *
 * Each object is stored as its canonical JSON spec (core/config.h, sorted
 * keys, secrets included) plus the columns that are queried or must be
 * unique: name, system_id, type, title, paused, provisioned, push_token,
 * deleted_at. On reading, the columns win over the JSON where both exist:
 * a monitor's system is named by its system_id (a renamed system renames it
 * everywhere), paused is the operational flag, provisioned is the row's.
 * Deleting sets deleted_at: history keeps referring to the row.
 *
 * The obj_* functions run inside the caller's write transaction; the public
 * store_* functions wrap each in one transaction on a pooled connection.
 */
#include <assert.h>
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "core/config.h"
#include "core/mem.h"
#include "store/store_int.h"

#define PROVISIONED_MSG "is provisioned by the config file; change it there"

/* ---- canonical JSON -------------------------------------------------------- */

/* NULL if the spec cannot be encoded (a bug in the encoder: reported, not
 * stored half-written). */
static char *json_text(json_t *j)
{
    if (!j)
        return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    return s;
}

char *store_obj_system_json(const struct system_spec *s)
{
    return json_text(config_system_to_json(s));
}

char *store_obj_monitor_json(const struct monitor_spec *m)
{
    return json_text(config_monitor_to_json(m, true));
}

char *store_obj_maint_json(const struct maint_spec *w)
{
    return json_text(config_maint_to_json(w));
}

/* ---- secrets at rest ---------------------------------------------------- */

/* A monitor spec that holds a secret (a database password, a credential in
 * a URL or header, a push token) is stored sealed with the store's secret
 * key (secret_seal: "v1:" + base64); one without stays plain JSON, readable
 * when someone inspects the database. The plain form never reaches the disk
 * for the former. Returns malloc'd text or NULL. */
char *store_obj_spec_seal(const struct conn *c, const struct monitor_spec *m, const char *json)
{
    json_t *with = config_monitor_to_json(m, true);
    json_t *without = config_monitor_to_json(m, false);
    bool secret = !json_equal(with, without);
    json_decref(with);
    json_decref(without);
    if (!secret)
        return xstrdup(json);
    if (!c->key)
        return NULL;
    return secret_seal(c->key, json);
}

/* The stored text as plain JSON (malloc'd), opening a sealed spec. NULL with
 * err when the box does not open (altered, or another key). */
char *store_obj_spec_open(const struct conn *c, const char *stored, struct yw_err *err)
{
    if (!stored)
        return NULL;
    if (stored[0] == '{')
        return xstrdup(stored);
    if (!c->key) {
        yw_fail(err, YW_EIO, "a sealed monitor spec but no secret key");
        return NULL;
    }
    return secret_open(c->key, stored, err);
}

static json_t *json_parse(const char *text, const char *kind, int64_t id, struct yw_err *err)
{
    json_error_t jerr;
    json_t *j = text ? json_loads(text, 0, &jerr) : NULL;
    if (!j)
        yw_fail(err, YW_EIO, "%s %lld: stored spec is not JSON: %s", kind, (long long)id,
                text ? jerr.text : "missing");
    return j;
}

/* Re-labels a parser error on stored data: it is our data that is bad. */
static int stored_spec_fail(struct yw_err *err, const char *kind, int64_t id)
{
    if (err) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        yw_fail(err, YW_EIO, "%s %lld: stored spec unreadable: %s%s%s", kind, (long long)id,
                err->field, err->field[0] ? ": " : "", why);
    }
    return -1;
}

int store_obj_monitor_parse(const char *text, struct monitor_spec *out, struct yw_err *err)
{
    json_t *j = json_parse(text, "monitor", 0, err);
    if (!j)
        return -1;
    int rc = config_monitor_from_json(j, out, err);
    json_decref(j);
    return rc ? stored_spec_fail(err, "monitor", 0) : 0;
}

/* What is stored must read back: the JSON about to be written goes through
 * the parser once, so a spec the parser would refuse (built by hand, or an
 * encoder and parser that disagree) fails its own write with the parser's
 * field and reason, instead of every later read of the table. */
enum kind { K_SYSTEM, K_MONITOR, K_MAINT };

static int readable(const char *json, enum kind k, struct yw_err *err)
{
    json_t *j = json_loads(json, 0, NULL);
    if (!j)
        return yw_fail(err, YW_EIO, "cannot encode the spec as JSON");
    int rc;
    if (k == K_SYSTEM) {
        struct system_spec s;
        rc = config_system_from_json(j, &s, err);
        system_spec_release(&s);
    } else if (k == K_MONITOR) {
        struct monitor_spec m;
        rc = config_monitor_from_json(j, &m, err);
        monitor_spec_release(&m);
    } else {
        struct maint_spec w;
        rc = config_maint_from_json(j, &w, err);
        maint_spec_release(&w);
    }
    json_decref(j);
    return rc;
}

/* ---- small checks ------------------------------------------------------------ */

static int check_name(const char *name, const char *kind, struct yw_err *err)
{
    if (!name || !name[0])
        return yw_fail_field(err, YW_EINVAL, "name", "%s name is missing", kind);
    if (strlen(name) > YW_NAME_MAX)
        return yw_fail_field(err, YW_EINVAL, "name", "%s name is longer than %d bytes", kind,
                             YW_NAME_MAX);
    return 0;
}

int store_obj_random_token(char *out, size_t len, struct yw_err *err)
{
    static const char alphabet[64] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    unsigned char raw[64];
    if (len >= sizeof raw)
        return yw_fail(err, YW_EINVAL, "token length %zu is too long", len);
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(raw + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return yw_fail(err, YW_EIO, "getrandom: %s", strerror(errno));
        }
        got += (size_t)n;
    }
    /* 64 symbols: each byte's low 6 bits pick one with no bias. */
    for (size_t i = 0; i < len; i++)
        out[i] = alphabet[raw[i] & 63];
    out[len] = '\0';
    return 0;
}

int store_obj_find(struct conn *c, enum stmt_id by_name, const char *name, int64_t *id,
                   bool *provisioned, char **spec_json, bool *found, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, by_name, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, name);
    int rc = sqlite3_step(st);
    int result = 0;
    *found = rc == SQLITE_ROW;
    if (rc == SQLITE_ROW) {
        if (id)
            *id = sqlite3_column_int64(st, 0);
        if (provisioned)
            *provisioned = sqlite3_column_int(st, 1) != 0;
        if (spec_json)
            *spec_json = store_col_dup(st, 2);
    } else if (rc != SQLITE_DONE) {
        result = store_db_fail(c, err, "looking up a name");
    }
    store_stmt_done(st);
    return result;
}

/* The live object of a *_CUR statement: provisioned flag and name (malloc'd);
 * YW_ENOTFOUND if there is none. */
static int cur_row(struct conn *c, enum stmt_id id_stmt, const char *kind, int64_t id,
                   bool *provisioned, char **name, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, id_stmt, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW) {
        *provisioned = sqlite3_column_int(st, 0) != 0;
        *name = store_col_dup(st, 1);
    } else if (rc == SQLITE_DONE) {
        result = yw_fail(err, YW_ENOTFOUND, "%s %lld not found", kind, (long long)id);
    } else {
        result = store_db_fail(c, err, "reading");
    }
    store_stmt_done(st);
    return result;
}

/* Fails with YW_ECONFLICT if a live window covers `name` (kind "system" or
 * "monitor"): windows refer by name, so renaming or deleting would silently
 * change what the window covers and turn planned downtime into outage. */
static int check_unreferenced(struct conn *c, const char *kind, const char *name,
                              const char *action, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_MNT_REF_USER, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, kind);
    store_bind_text(st, 2, name);
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW)
        result = yw_fail(err, YW_ECONFLICT,
                         "maintenance window \"%s\" covers %s \"%s\"; change the window before "
                         "%s it",
                         (const char *)sqlite3_column_text(st, 0), kind, name, action);
    else if (rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading maintenance references");
    store_stmt_done(st);
    return result;
}

/* YW_ECONFLICT if another live object (not self) already has the name. */
static int check_name_free(struct conn *c, enum stmt_id find, const char *kind, const char *name,
                           int64_t self, struct yw_err *err)
{
    int64_t other = 0;
    bool found;
    if (store_obj_find(c, find, name, &other, NULL, NULL, &found, err))
        return -1;
    if (found && other != self)
        return yw_fail_field(err, YW_ECONFLICT, "name", "a %s named \"%s\" already exists", kind,
                             name);
    return 0;
}

static int step_done(struct conn *c, sqlite3_stmt *st, const char *what, struct yw_err *err)
{
    int result = sqlite3_step(st) == SQLITE_DONE ? 0 : store_db_fail(c, err, what);
    store_stmt_done(st);
    return result;
}

/* ---- systems ------------------------------------------------------------------- */

int store_obj_system_put(struct conn *c, int64_t id, const struct system_spec *spec,
                         bool provisioned, bool force, ms_t now, int64_t *out_id,
                         struct yw_err *err)
{
    if (check_name(spec->name, "system", err))
        return -1;
    char *old_name = NULL;
    bool cur_prov = false;
    if (id) {
        if (cur_row(c, STMT_SYS_CUR, "system", id, &cur_prov, &old_name, err))
            return -1;
        provisioned = cur_prov;
    }
    int rc = 0;
    if (id && cur_prov && !force)
        rc = yw_fail(err, YW_ECONFLICT, "system \"%s\" " PROVISIONED_MSG, old_name);
    if (rc == 0)
        rc = check_name_free(c, STMT_SYS_FIND, "system", spec->name, id, err);
    if (rc == 0 && id && strcmp(old_name, spec->name) != 0)
        rc = check_unreferenced(c, "system", old_name, "renaming", err);

    struct system_spec tmp = *spec; /* shallow: only read by the encoder */
    tmp.provisioned = provisioned;
    char *json = rc == 0 ? store_obj_system_json(&tmp) : NULL;
    if (rc == 0 && !json)
        rc = yw_fail(err, YW_EIO, "system \"%s\": cannot encode its spec", spec->name);
    if (rc == 0)
        rc = readable(json, K_SYSTEM, err);
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, id ? STMT_SYS_UPDATE : STMT_SYS_INSERT, err);
        if (!st) {
            rc = -1;
        } else if (id) {
            store_bind_i64(st, 1, id);
            store_bind_text(st, 2, spec->name);
            store_bind_text(st, 3, json);
            store_bind_i64(st, 4, now);
            rc = step_done(c, st, "updating system", err);
        } else {
            store_bind_text(st, 1, spec->name);
            store_bind_i64(st, 2, provisioned);
            store_bind_text(st, 3, json);
            store_bind_i64(st, 4, now);
            rc = step_done(c, st, "creating system", err);
            if (rc == 0 && out_id)
                *out_id = sqlite3_last_insert_rowid(c->db);
        }
    }
    if (rc == 0 && id && out_id)
        *out_id = id;
    xfree(json);
    xfree(old_name);
    return rc;
}

int store_obj_system_delete(struct conn *c, int64_t id, bool force, ms_t now, struct yw_err *err)
{
    bool prov;
    char *name = NULL;
    if (cur_row(c, STMT_SYS_CUR, "system", id, &prov, &name, err))
        return -1;
    int rc = 0;
    if (prov && !force)
        rc = yw_fail(err, YW_ECONFLICT, "system \"%s\" " PROVISIONED_MSG, name);
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_SYS_MONITOR, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, id);
            int s = sqlite3_step(st);
            if (s == SQLITE_ROW)
                rc = yw_fail(err, YW_ECONFLICT,
                             "system \"%s\" still has monitor \"%s\"; delete or move its "
                             "monitors first",
                             name, (const char *)sqlite3_column_text(st, 0));
            else if (s != SQLITE_DONE)
                rc = store_db_fail(c, err, "reading monitors");
            store_stmt_done(st);
        }
    }
    if (rc == 0)
        rc = check_unreferenced(c, "system", name, "deleting", err);
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_SYS_DELETE, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, id);
            store_bind_i64(st, 2, now);
            rc = step_done(c, st, "deleting system", err);
        }
    }
    xfree(name);
    return rc;
}

/* ---- monitors ------------------------------------------------------------------ */

/* The current row of monitor id: provisioned, name, stored spec, paused. */
static int monitor_cur(struct conn *c, int64_t id, bool *prov, char **name, char **json,
                       bool *paused, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_MON_CUR, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    int rc = sqlite3_step(st);
    int result = 0;
    if (rc == SQLITE_ROW) {
        *prov = sqlite3_column_int(st, 0) != 0;
        *name = store_col_dup(st, 1);
        *json = store_obj_spec_open(c, (const char *)sqlite3_column_text(st, 2), err);
        *paused = sqlite3_column_int(st, 3) != 0;
        if (!*json) {
            xfree(*name);
            *name = NULL;
            result = -1;
        }
    } else if (rc == SQLITE_DONE) {
        result = yw_fail(err, YW_ENOTFOUND, "monitor %lld not found", (long long)id);
    } else {
        result = store_db_fail(c, err, "reading monitor");
    }
    store_stmt_done(st);
    return result;
}

/* Picks the push token of a heartbeat monitor: the spec's, else the one it
 * already had, else a fresh one. Writes it to buf (STORE_TOKEN_LEN + 1 at
 * least, or spec's length) and checks no other live monitor uses it. */
static int heartbeat_token(struct conn *c, int64_t id, const struct monitor_spec *spec,
                           const char *cur_json, char *buf, size_t bufsize, struct yw_err *err)
{
    if (spec->heartbeat.token) {
        if (strlen(spec->heartbeat.token) >= bufsize)
            return yw_fail_field(err, YW_EINVAL, "token", "token is longer than %zu bytes",
                                 bufsize - 1);
        snprintf(buf, bufsize, "%s", spec->heartbeat.token);
    } else {
        buf[0] = '\0';
        if (cur_json) {
            struct monitor_spec old = {0};
            if (store_obj_monitor_parse(cur_json, &old, err))
                return -1;
            if (old.type == MT_HEARTBEAT && old.heartbeat.token &&
                strlen(old.heartbeat.token) < bufsize)
                snprintf(buf, bufsize, "%s", old.heartbeat.token);
            monitor_spec_release(&old);
        }
        if (!buf[0] && store_obj_random_token(buf, STORE_TOKEN_LEN, err))
            return -1;
    }
    int64_t other = 0;
    sqlite3_stmt *st = store_stmt_get(c, STMT_MON_TOKEN_USED, err);
    if (!st)
        return -1;
    store_bind_text(st, 1, buf);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        other = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading tokens");
    if (rc == SQLITE_ROW && other != id)
        return yw_fail_field(err, YW_ECONFLICT, "token", "another monitor uses this token");
    return 0;
}

int store_obj_monitor_put(struct conn *c, int64_t id, const struct monitor_spec *spec,
                          bool provisioned, bool force, int paused, ms_t now, int64_t *out_id,
                          struct yw_err *err)
{
    if (check_name(spec->name, "monitor", err))
        return -1;
    if ((unsigned)spec->type >= MT__COUNT)
        return yw_fail_field(err, YW_EINVAL, "type", "unknown monitor type %d", (int)spec->type);
    if (!spec->system || !spec->system[0])
        return yw_fail_field(err, YW_EINVAL, "system", "monitor \"%s\" names no system",
                             spec->name);

    char *old_name = NULL, *cur_json = NULL;
    bool cur_prov = false, cur_paused = false;
    if (id) {
        if (monitor_cur(c, id, &cur_prov, &old_name, &cur_json, &cur_paused, err))
            return -1;
        provisioned = cur_prov;
    }
    int rc = 0;
    if (id && cur_prov && !force)
        rc = yw_fail(err, YW_ECONFLICT, "monitor \"%s\" " PROVISIONED_MSG, old_name);

    int64_t system_id = 0;
    bool found = false;
    if (rc == 0)
        rc = store_obj_find(c, STMT_SYS_FIND, spec->system, &system_id, NULL, NULL, &found, err);
    if (rc == 0 && !found)
        rc = yw_fail_field(err, YW_EINVAL, "system", "system \"%s\" does not exist", spec->system);
    if (rc == 0)
        rc = check_name_free(c, STMT_MON_FIND, "monitor", spec->name, id, err);
    if (rc == 0 && id && strcmp(old_name, spec->name) != 0)
        rc = check_unreferenced(c, "monitor", old_name, "renaming", err);

    char token[80] = "";
    if (rc == 0 && spec->type == MT_HEARTBEAT)
        rc = heartbeat_token(c, id, spec, cur_json, token, sizeof token, err);

    struct monitor_spec tmp = *spec; /* shallow: only read by the encoder */
    tmp.provisioned = provisioned;
    tmp.heartbeat.token = token[0] ? token : NULL;
    char *json = rc == 0 ? store_obj_monitor_json(&tmp) : NULL;
    if (rc == 0 && !json)
        rc = yw_fail(err, YW_EIO, "monitor \"%s\": cannot encode its spec", spec->name);
    if (rc == 0)
        rc = readable(json, K_MONITOR, err);

    char *stored = NULL;
    if (rc == 0) {
        stored = store_obj_spec_seal(c, &tmp, json);
        if (!stored)
            rc = yw_fail(err, YW_EIO, "monitor \"%s\": cannot seal its secrets", spec->name);
    }
    bool is_paused = paused == -1 ? spec->paused : paused == -2 ? cur_paused : paused != 0;
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, id ? STMT_MON_UPDATE : STMT_MON_INSERT, err);
        if (!st) {
            rc = -1;
        } else if (id) {
            store_bind_i64(st, 1, id);
            store_bind_text(st, 2, spec->name);
            store_bind_i64(st, 3, system_id);
            store_bind_text(st, 4, monitor_type_name(spec->type));
            store_bind_text(st, 5, spec->title);
            store_bind_i64(st, 6, is_paused);
            store_bind_text(st, 7, tmp.heartbeat.token);
            store_bind_text(st, 8, stored);
            store_bind_i64(st, 9, now);
            rc = step_done(c, st, "updating monitor", err);
        } else {
            store_bind_text(st, 1, spec->name);
            store_bind_i64(st, 2, system_id);
            store_bind_text(st, 3, monitor_type_name(spec->type));
            store_bind_text(st, 4, spec->title);
            store_bind_i64(st, 5, is_paused);
            store_bind_i64(st, 6, provisioned);
            store_bind_text(st, 7, tmp.heartbeat.token);
            store_bind_text(st, 8, stored);
            store_bind_i64(st, 9, now);
            rc = step_done(c, st, "creating monitor", err);
            if (rc == 0 && out_id)
                *out_id = sqlite3_last_insert_rowid(c->db);
        }
    }
    if (rc == 0 && id && out_id)
        *out_id = id;
    xfree(json);
    xfree(stored);
    xfree(cur_json);
    xfree(old_name);
    return rc;
}

int store_obj_monitor_delete(struct conn *c, int64_t id, bool force, ms_t now, struct yw_err *err)
{
    bool prov, paused;
    char *name = NULL, *json = NULL;
    if (monitor_cur(c, id, &prov, &name, &json, &paused, err))
        return -1;
    int rc = 0;
    if (prov && !force)
        rc = yw_fail(err, YW_ECONFLICT, "monitor \"%s\" " PROVISIONED_MSG, name);
    if (rc == 0)
        rc = check_unreferenced(c, "monitor", name, "deleting", err);
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_MON_DELETE, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, id);
            store_bind_i64(st, 2, now);
            rc = step_done(c, st, "deleting monitor", err);
        }
    }
    /* Its open interval ends now: a deleted monitor is observed no more. */
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_IV_OPEN, err);
        int64_t iv = 0;
        ms_t start = 0;
        int s = SQLITE_DONE;
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, id);
            s = sqlite3_step(st);
            if (s == SQLITE_ROW) {
                iv = sqlite3_column_int64(st, 0);
                start = sqlite3_column_int64(st, 2);
            } else if (s != SQLITE_DONE) {
                rc = store_db_fail(c, err, "reading intervals");
            }
            store_stmt_done(st);
        }
        if (rc == 0 && s == SQLITE_ROW) {
            st = store_stmt_get(c, STMT_IV_CLOSE, err);
            if (!st) {
                rc = -1;
            } else {
                store_bind_i64(st, 1, iv);
                store_bind_i64(st, 2, now > start ? now : start);
                rc = step_done(c, st, "closing interval", err);
            }
        }
    }
    xfree(name);
    xfree(json);
    return rc;
}

/* ---- maintenance windows ---------------------------------------------------------- */

static int maint_refs(struct conn *c, int64_t id, const struct maint_spec *w, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_MNT_REFS_CLEAR, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, id);
    if (step_done(c, st, "writing maintenance references", err))
        return -1;
    for (int k = 0; k < 2; k++) {
        char *const *names = k == 0 ? w->systems : w->monitors;
        size_t n = k == 0 ? w->nsystems : w->nmonitors;
        for (size_t i = 0; i < n; i++) {
            st = store_stmt_get(c, STMT_MNT_REF_ADD, err);
            if (!st)
                return -1;
            store_bind_i64(st, 1, id);
            store_bind_text(st, 2, k == 0 ? "system" : "monitor");
            store_bind_text(st, 3, names[i]);
            if (step_done(c, st, "writing maintenance references", err))
                return -1;
        }
    }
    return 0;
}

int store_obj_maint_put(struct conn *c, int64_t id, const struct maint_spec *spec, bool provisioned,
                        bool force, ms_t now, int64_t *out_id, struct yw_err *err)
{
    if (check_name(spec->name, "maintenance window", err))
        return -1;
    char *old_name = NULL;
    bool cur_prov = false;
    if (id) {
        if (cur_row(c, STMT_MNT_CUR, "maintenance window", id, &cur_prov, &old_name, err))
            return -1;
        provisioned = cur_prov;
    }
    int rc = 0;
    if (id && cur_prov && !force)
        rc = yw_fail(err, YW_ECONFLICT, "maintenance window \"%s\" " PROVISIONED_MSG, old_name);
    for (size_t i = 0; rc == 0 && i < spec->nsystems; i++) {
        bool found;
        rc = store_obj_find(c, STMT_SYS_FIND, spec->systems[i], NULL, NULL, NULL, &found, err);
        if (rc == 0 && !found)
            rc = yw_fail_field(err, YW_EINVAL, "systems", "system \"%s\" does not exist",
                               spec->systems[i]);
    }
    for (size_t i = 0; rc == 0 && i < spec->nmonitors; i++) {
        bool found;
        rc = store_obj_find(c, STMT_MON_FIND, spec->monitors[i], NULL, NULL, NULL, &found, err);
        if (rc == 0 && !found)
            rc = yw_fail_field(err, YW_EINVAL, "monitors", "monitor \"%s\" does not exist",
                               spec->monitors[i]);
    }
    if (rc == 0)
        rc = check_name_free(c, STMT_MNT_FIND, "maintenance window", spec->name, id, err);

    struct maint_spec tmp = *spec;
    tmp.provisioned = provisioned;
    char *json = rc == 0 ? store_obj_maint_json(&tmp) : NULL;
    if (rc == 0 && !json)
        rc = yw_fail(err, YW_EIO, "maintenance window \"%s\": cannot encode its spec", spec->name);
    if (rc == 0)
        rc = readable(json, K_MAINT, err);
    int64_t wid = id;
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, id ? STMT_MNT_UPDATE : STMT_MNT_INSERT, err);
        if (!st) {
            rc = -1;
        } else if (id) {
            store_bind_i64(st, 1, id);
            store_bind_text(st, 2, spec->name);
            store_bind_text(st, 3, json);
            store_bind_i64(st, 4, now);
            rc = step_done(c, st, "updating maintenance window", err);
        } else {
            store_bind_text(st, 1, spec->name);
            store_bind_i64(st, 2, provisioned);
            store_bind_text(st, 3, json);
            store_bind_i64(st, 4, now);
            rc = step_done(c, st, "creating maintenance window", err);
            wid = sqlite3_last_insert_rowid(c->db);
        }
    }
    if (rc == 0)
        rc = maint_refs(c, wid, spec, err);
    if (rc == 0 && out_id)
        *out_id = wid;
    xfree(json);
    xfree(old_name);
    return rc;
}

int store_obj_maint_delete(struct conn *c, int64_t id, bool force, ms_t now, struct yw_err *err)
{
    bool prov;
    char *name = NULL;
    if (cur_row(c, STMT_MNT_CUR, "maintenance window", id, &prov, &name, err))
        return -1;
    int rc = 0;
    if (prov && !force)
        rc = yw_fail(err, YW_ECONFLICT, "maintenance window \"%s\" " PROVISIONED_MSG, name);
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_MNT_DELETE, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, id);
            store_bind_i64(st, 2, now);
            rc = step_done(c, st, "deleting maintenance window", err);
        }
    }
    /* A deleted window covers nothing: its names are free to change. */
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_MNT_REFS_CLEAR, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, id);
            rc = step_done(c, st, "deleting maintenance references", err);
        }
    }
    xfree(name);
    return rc;
}

/* ---- decoding rows -------------------------------------------------------------------- */

/* cols: id, name, spec, provisioned, created, updated */
static int system_decode(sqlite3_stmt *st, struct system_row *row, struct yw_err *err)
{
    memset(row, 0, sizeof *row);
    row->id = sqlite3_column_int64(st, 0);
    json_t *j = json_parse((const char *)sqlite3_column_text(st, 2), "system", row->id, err);
    if (!j)
        return -1;
    int rc = config_system_from_json(j, &row->spec, err);
    json_decref(j);
    if (rc)
        return stored_spec_fail(err, "system", row->id);
    xfree(row->spec.name);
    row->spec.name = store_col_dup(st, 1);
    row->spec.provisioned = sqlite3_column_int(st, 3) != 0;
    row->created = sqlite3_column_int64(st, 4);
    row->updated = sqlite3_column_int64(st, 5);
    return 0;
}

static int maint_decode(sqlite3_stmt *st, struct maint_row *row, struct yw_err *err)
{
    memset(row, 0, sizeof *row);
    row->id = sqlite3_column_int64(st, 0);
    json_t *j =
        json_parse((const char *)sqlite3_column_text(st, 2), "maintenance window", row->id, err);
    if (!j)
        return -1;
    int rc = config_maint_from_json(j, &row->spec, err);
    json_decref(j);
    if (rc)
        return stored_spec_fail(err, "maintenance window", row->id);
    xfree(row->spec.name);
    row->spec.name = store_col_dup(st, 1);
    row->spec.provisioned = sqlite3_column_int(st, 3) != 0;
    row->created = sqlite3_column_int64(st, 4);
    row->updated = sqlite3_column_int64(st, 5);
    return 0;
}

/* The open interval's state, start and reason, in columns col.. (NULL
 * when the monitor has none yet). */
static void decode_open_interval(sqlite3_stmt *st, int col, struct monitor_row *row)
{
    if (sqlite3_column_type(st, col) != SQLITE_NULL) {
        row->state = store_state_from_text((const char *)sqlite3_column_text(st, col));
        row->state_since = sqlite3_column_int64(st, col + 1);
        row->state_reason = store_col_dup(st, col + 2);
    } else {
        row->state = ST_NODATA;
    }
}

/* The stored spec in column col (opened when sealed) into *spec. */
static int decode_monitor_spec(const struct conn *c, sqlite3_stmt *st, int col, int64_t id,
                               struct monitor_spec *spec, struct yw_err *err)
{
    char *text = store_obj_spec_open(c, (const char *)sqlite3_column_text(st, col), err);
    json_t *j = text ? json_parse(text, "monitor", id, err) : NULL;
    xfree(text);
    if (!j)
        return -1;
    int rc = config_monitor_from_json(j, spec, err);
    json_decref(j);
    return rc ? stored_spec_fail(err, "monitor", id) : 0;
}

/* cols: id, system_id, system name, spec, paused, provisioned, created,
 * updated, open state, its start, its reason */
static int monitor_decode(const struct conn *c, sqlite3_stmt *st, struct monitor_row *row,
                          struct yw_err *err)
{
    memset(row, 0, sizeof *row);
    row->id = sqlite3_column_int64(st, 0);
    if (decode_monitor_spec(c, st, 3, row->id, &row->spec, err) != 0)
        return -1;
    row->system_id = sqlite3_column_int64(st, 1);
    xfree(row->spec.system);
    row->spec.system = store_col_dup(st, 2);
    row->spec.paused = sqlite3_column_int(st, 4) != 0;
    row->spec.provisioned = sqlite3_column_int(st, 5) != 0;
    row->created = sqlite3_column_int64(st, 6);
    row->updated = sqlite3_column_int64(st, 7);
    decode_open_interval(st, 8, row);
    return 0;
}

void store_system_row_release(struct system_row *row)
{
    if (!row)
        return;
    system_spec_release(&row->spec);
    memset(row, 0, sizeof *row);
}

void store_monitor_row_release(struct monitor_row *row)
{
    if (!row)
        return;
    monitor_spec_release(&row->spec);
    xfree(row->state_reason);
    memset(row, 0, sizeof *row);
}

void store_maint_row_release(struct maint_row *row)
{
    if (!row)
        return;
    maint_spec_release(&row->spec);
    memset(row, 0, sizeof *row);
}

void store_system_rows_free(struct system_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_system_row_release(&rows[i]);
    xfree(rows);
}

void store_monitor_rows_free(struct monitor_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_monitor_row_release(&rows[i]);
    xfree(rows);
}

void store_maint_rows_free(struct maint_row *rows, size_t n)
{
    for (size_t i = 0; rows && i < n; i++)
        store_maint_row_release(&rows[i]);
    xfree(rows);
}

/* ---- generic read helpers ------------------------------------------------------------ */

typedef int (*decode_fn)(const struct conn *c, sqlite3_stmt *st, void *row, struct yw_err *err);
typedef void (*release_fn)(void *row);

/* Steps a bound statement, decoding every row into a growing array. On
 * failure frees what it built and leaves *rows and *n untouched. */
static int read_rows(struct conn *c, sqlite3_stmt *st, size_t elem, decode_fn decode,
                     release_fn release, void **rows, size_t *n, struct yw_err *err)
{
    char *arr = NULL;
    size_t len = 0, cap = 0;
    int rc, result = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (len == cap) {
            cap = cap ? cap * 2 : 16;
            arr = xrealloc(arr, cap * elem);
        }
        if (decode(c, st, arr + len * elem, err)) {
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

/* Reads exactly one row of a bound statement; YW_ENOTFOUND with `missing`
 * when there is none. *row is written only on success. */
static int read_one(struct conn *c, sqlite3_stmt *st, size_t elem, decode_fn decode, void *row,
                    const char *missing, struct yw_err *err)
{
    union {
        struct system_row s;
        struct monitor_row m;
        struct maint_row w;
    } tmp;
    assert(elem <= sizeof tmp);
    int rc = sqlite3_step(st);
    int result;
    if (rc == SQLITE_ROW) {
        result = decode(c, st, &tmp, err);
        if (result == 0)
            memcpy(row, &tmp, elem);
    } else if (rc == SQLITE_DONE) {
        result = yw_fail(err, YW_ENOTFOUND, "%s", missing);
    } else {
        result = store_db_fail(c, err, "reading");
    }
    store_stmt_done(st);
    return result;
}

static int dec_system(const struct conn *c, sqlite3_stmt *st, void *row, struct yw_err *err)
{
    (void)c;
    return system_decode(st, row, err);
}
static int dec_monitor(const struct conn *c, sqlite3_stmt *st, void *row, struct yw_err *err)
{
    return monitor_decode(c, st, row, err);
}
static int dec_maint(const struct conn *c, sqlite3_stmt *st, void *row, struct yw_err *err)
{
    (void)c;
    return maint_decode(st, row, err);
}
static void rel_system(void *row)
{
    store_system_row_release(row);
}
static void rel_monitor(void *row)
{
    store_monitor_row_release(row);
}
static void rel_maint(void *row)
{
    store_maint_row_release(row);
}

/* Runs fn in one write transaction on a pooled connection. */
typedef int (*write_fn)(struct conn *c, void *arg, ms_t now, struct yw_err *err);

static int in_write_tx(struct store *S, write_fn fn, void *arg, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    int rc = store_tx_begin(c, err);
    if (rc == 0)
        rc = store_tx_end(c, fn(c, arg, time_now_ms(), err), err);
    store_pool_put(S, c);
    return rc;
}

/* ---- systems: public ---------------------------------------------------------------- */

int store_system_list(struct store *S, struct system_row **rows, size_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_SYS_LIST, err);
    int rc =
        st ? read_rows(c, st, sizeof **rows, dec_system, rel_system, (void **)rows, n, err) : -1;
    store_pool_put(S, c);
    return rc;
}

static int get_by(struct store *S, enum stmt_id by_id, enum stmt_id by_name, const char *kind,
                  int64_t id, const char *name, size_t elem, decode_fn decode, void *row,
                  struct yw_err *err)
{
    if (!id && (!name || !name[0]))
        return yw_fail(err, YW_EINVAL, "%s: neither id nor name given", kind);
    char missing[160];
    if (id)
        snprintf(missing, sizeof missing, "%s %lld not found", kind, (long long)id);
    else
        snprintf(missing, sizeof missing, "%s \"%.64s\" not found", kind, name);
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, id ? by_id : by_name, err);
    int rc = -1;
    if (st) {
        if (id)
            store_bind_i64(st, 1, id);
        else
            store_bind_text(st, 1, name);
        rc = read_one(c, st, elem, decode, row, missing, err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_system_get(struct store *S, int64_t id, const char *name, struct system_row *row,
                     struct yw_err *err)
{
    return get_by(S, STMT_SYS_BY_ID, STMT_SYS_BY_NAME, "system", id, name, sizeof *row, dec_system,
                  row, err);
}

struct put_args {
    int64_t id;
    const void *spec;
    int64_t *out_id;
};

static int do_system_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct put_args *a = arg;
    const struct system_spec *spec = a->spec;
    return store_obj_system_put(c, 0, spec, spec->provisioned, false, now, a->out_id, err);
}

static int do_system_update(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct put_args *a = arg;
    return store_obj_system_put(c, a->id, a->spec, false, false, now, NULL, err);
}

static int do_system_delete(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    return store_obj_system_delete(c, ((struct put_args *)arg)->id, false, now, err);
}

int store_system_create(struct store *S, const struct system_spec *spec, int64_t *id,
                        struct yw_err *err)
{
    int64_t nid = 0;
    struct put_args a = {.spec = spec, .out_id = &nid};
    if (in_write_tx(S, do_system_create, &a, err))
        return -1;
    if (id)
        *id = nid;
    return 0;
}

int store_system_update(struct store *S, int64_t id, const struct system_spec *spec,
                        struct yw_err *err)
{
    struct put_args a = {.id = id, .spec = spec};
    return in_write_tx(S, do_system_update, &a, err);
}

int store_system_delete(struct store *S, int64_t id, struct yw_err *err)
{
    struct put_args a = {.id = id};
    return in_write_tx(S, do_system_delete, &a, err);
}

/* ---- monitors: public ---------------------------------------------------------------- */

/* Both monitor lists: one filter check, one binding, the statement's own
 * columns and decoder. */
static int list_monitors(struct store *S, const struct monitor_filter *f, enum stmt_id id,
                         int (*dec)(const struct conn *, sqlite3_stmt *, void *, struct yw_err *),
                         struct monitor_row **rows, size_t *n, struct yw_err *err)
{
    struct monitor_filter all = MONITOR_FILTER_ALL;
    if (!f)
        f = &all;
    if (f->type != -1 && (f->type < 0 || f->type >= MT__COUNT))
        return yw_fail_field(err, YW_EINVAL, "type", "unknown monitor type %d", f->type);
    if (f->search && strlen(f->search) > STORE_SEARCH_MAX)
        return yw_fail_field(err, YW_EINVAL, "q", "search text is longer than %d bytes",
                             STORE_SEARCH_MAX);
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, id, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, f->system_id);
        store_bind_text(st, 2,
                        f->type == -1 ? NULL : monitor_type_name((enum monitor_type)f->type));
        store_bind_text(st, 3, f->search && f->search[0] ? f->search : NULL);
        rc = read_rows(c, st, sizeof **rows, dec, rel_monitor, (void **)rows, n, err);
    }
    store_pool_put(S, c);
    return rc;
}

int store_monitor_list(struct store *S, const struct monitor_filter *f, struct monitor_row **rows,
                       size_t *n, struct yw_err *err)
{
    return list_monitors(S, f, STMT_MON_LIST, dec_monitor, rows, n, err);
}

/* A brief row: the spec is decoded only when it is sealed (the columns
 * beside it do not say whether it is critical). */
static int monitor_decode_brief(const struct conn *c, sqlite3_stmt *st, struct monitor_row *row,
                                struct yw_err *err)
{
    memset(row, 0, sizeof *row);
    row->id = sqlite3_column_int64(st, 0);
    if (sqlite3_column_type(st, 14) != SQLITE_NULL) {
        if (decode_monitor_spec(c, st, 14, row->id, &row->spec, err) != 0)
            return -1;
        bool critical = row->spec.critical;
        monitor_spec_release(&row->spec);
        row->spec.critical = critical;
    } else {
        row->spec.critical = sqlite3_column_int(st, 13) != 0;
    }
    row->system_id = sqlite3_column_int64(st, 1);
    row->spec.system = store_col_dup(st, 2);
    row->spec.name = store_col_dup(st, 3);
    const char *type = (const char *)sqlite3_column_text(st, 4);
    if (!type || monitor_type_parse(type, &row->spec.type) != 0)
        return yw_fail(err, YW_EIO, "monitor %lld: stored type unreadable", (long long)row->id);
    row->spec.title = store_col_dup(st, 5);
    row->spec.paused = sqlite3_column_int(st, 6) != 0;
    row->spec.provisioned = sqlite3_column_int(st, 7) != 0;
    row->created = sqlite3_column_int64(st, 8);
    row->updated = sqlite3_column_int64(st, 9);
    decode_open_interval(st, 10, row);
    return 0;
}

static int dec_monitor_brief(const struct conn *c, sqlite3_stmt *st, void *row,
                             struct yw_err *err)
{
    return monitor_decode_brief(c, st, row, err);
}

int store_monitor_list_brief(struct store *S, const struct monitor_filter *f,
                             struct monitor_row **rows, size_t *n, struct yw_err *err)
{
    return list_monitors(S, f, STMT_MON_BRIEF, dec_monitor_brief, rows, n, err);
}

int store_monitor_get(struct store *S, int64_t id, const char *name, struct monitor_row *row,
                      struct yw_err *err)
{
    return get_by(S, STMT_MON_BY_ID, STMT_MON_BY_NAME, "monitor", id, name, sizeof *row,
                  dec_monitor, row, err);
}

int store_monitor_by_token(struct store *S, const char *token, struct monitor_row *row,
                           struct yw_err *err)
{
    if (!token || !token[0] || strlen(token) > 64)
        return yw_fail(err, YW_ENOTFOUND, "no monitor has this token");
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_MON_BY_TOKEN, err);
    int rc = -1;
    if (st) {
        store_bind_text(st, 1, token);
        rc = read_one(c, st, sizeof *row, dec_monitor, row, "no monitor has this token", err);
    }
    store_pool_put(S, c);
    return rc;
}

static int do_monitor_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct put_args *a = arg;
    const struct monitor_spec *spec = a->spec;
    return store_obj_monitor_put(c, 0, spec, spec->provisioned, false, -1, now, a->out_id, err);
}

static int do_monitor_update(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct put_args *a = arg;
    /* A replace: paused follows the new spec. */
    return store_obj_monitor_put(c, a->id, a->spec, false, false, -1, now, NULL, err);
}

static int do_monitor_delete(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    return store_obj_monitor_delete(c, ((struct put_args *)arg)->id, false, now, err);
}

int store_monitor_create(struct store *S, const struct monitor_spec *spec, int64_t *id,
                         struct yw_err *err)
{
    int64_t nid = 0;
    struct put_args a = {.spec = spec, .out_id = &nid};
    if (in_write_tx(S, do_monitor_create, &a, err))
        return -1;
    if (id)
        *id = nid;
    return 0;
}

int store_monitor_update(struct store *S, int64_t id, const struct monitor_spec *spec,
                         struct yw_err *err)
{
    struct put_args a = {.id = id, .spec = spec};
    return in_write_tx(S, do_monitor_update, &a, err);
}

int store_monitor_delete(struct store *S, int64_t id, struct yw_err *err)
{
    struct put_args a = {.id = id};
    return in_write_tx(S, do_monitor_delete, &a, err);
}

/* Pausing is operation, not configuration: allowed on provisioned monitors. */
int store_monitor_set_paused(struct store *S, int64_t id, bool paused, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_MON_SET_PAUSED, err);
    int rc = -1;
    if (st) {
        store_bind_i64(st, 1, id);
        store_bind_i64(st, 2, paused);
        store_bind_i64(st, 3, time_now_ms());
        rc = step_done(c, st, "pausing monitor", err);
        if (rc == 0 && sqlite3_changes(c->db) == 0)
            rc = yw_fail(err, YW_ENOTFOUND, "monitor %lld not found", (long long)id);
    }
    store_pool_put(S, c);
    return rc;
}

/* ---- maintenance windows: public ------------------------------------------------------- */

int store_maint_list(struct store *S, struct maint_row **rows, size_t *n, struct yw_err *err)
{
    struct conn *c = store_pool_get(S);
    sqlite3_stmt *st = store_stmt_get(c, STMT_MNT_LIST, err);
    int rc = st ? read_rows(c, st, sizeof **rows, dec_maint, rel_maint, (void **)rows, n, err) : -1;
    store_pool_put(S, c);
    return rc;
}

int store_maint_get(struct store *S, int64_t id, const char *name, struct maint_row *row,
                    struct yw_err *err)
{
    return get_by(S, STMT_MNT_BY_ID, STMT_MNT_BY_NAME, "maintenance window", id, name, sizeof *row,
                  dec_maint, row, err);
}

static int do_maint_create(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct put_args *a = arg;
    const struct maint_spec *spec = a->spec;
    return store_obj_maint_put(c, 0, spec, spec->provisioned, false, now, a->out_id, err);
}

static int do_maint_update(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    struct put_args *a = arg;
    return store_obj_maint_put(c, a->id, a->spec, false, false, now, NULL, err);
}

static int do_maint_delete(struct conn *c, void *arg, ms_t now, struct yw_err *err)
{
    return store_obj_maint_delete(c, ((struct put_args *)arg)->id, false, now, err);
}

int store_maint_create(struct store *S, const struct maint_spec *spec, int64_t *id,
                       struct yw_err *err)
{
    int64_t nid = 0;
    struct put_args a = {.spec = spec, .out_id = &nid};
    if (in_write_tx(S, do_maint_create, &a, err))
        return -1;
    if (id)
        *id = nid;
    return 0;
}

int store_maint_update(struct store *S, int64_t id, const struct maint_spec *spec,
                       struct yw_err *err)
{
    struct put_args a = {.id = id, .spec = spec};
    return in_write_tx(S, do_maint_update, &a, err);
}

int store_maint_delete(struct store *S, int64_t id, struct yw_err *err)
{
    struct put_args a = {.id = id};
    return in_write_tx(S, do_maint_delete, &a, err);
}
