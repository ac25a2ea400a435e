/*
 * migrations — the schema, as numbered steps applied in order.
 *
 * Each step runs in its own transaction together with the row recording it
 * in schema_migrations, so a step is applied entirely or not at all and is
 * never applied twice. Steps are only ever appended: a released step is never
 * edited (a database already has it). A database from a newer yunwei (a
 * version this one does not know) is refused rather than misread.
 *
 * The DDL is constant text run with sqlite3_exec; it takes no input.
 */
#include "core/timeutil.h"
#include "store/store_int.h"

static const char *const migrations[] = {
    /* 1: the first schema. */
    "CREATE TABLE meta (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value INTEGER\n"
    ") WITHOUT ROWID;\n"

    "CREATE TABLE systems (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  provisioned INTEGER NOT NULL DEFAULT 0,\n"
    "  spec TEXT NOT NULL,\n"           /* canonical JSON (config_system_to_json) */
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL,\n"
    "  deleted_at INTEGER\n"
    ");\n"
    /* Names are unique among live objects; a deleted one frees its name. */
    "CREATE UNIQUE INDEX systems_name_live ON systems(name) WHERE deleted_at IS NULL;\n"

    "CREATE TABLE monitors (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  system_id INTEGER NOT NULL REFERENCES systems(id),\n"
    "  type TEXT NOT NULL,\n"
    "  title TEXT,\n"
    "  paused INTEGER NOT NULL DEFAULT 0,\n"   /* operational; the spec keeps the declared value */
    "  provisioned INTEGER NOT NULL DEFAULT 0,\n"
    "  push_token TEXT,\n"
    "  spec TEXT NOT NULL,\n"
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL,\n"
    "  deleted_at INTEGER\n"
    ");\n"
    "CREATE UNIQUE INDEX monitors_name_live ON monitors(name) WHERE deleted_at IS NULL;\n"
    "CREATE UNIQUE INDEX monitors_token_live ON monitors(push_token)\n"
    "  WHERE deleted_at IS NULL AND push_token IS NOT NULL;\n"
    "CREATE INDEX monitors_system ON monitors(system_id);\n"

    "CREATE TABLE maintenance (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL,\n"
    "  provisioned INTEGER NOT NULL DEFAULT 0,\n"
    "  spec TEXT NOT NULL,\n"
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL,\n"
    "  deleted_at INTEGER\n"
    ");\n"
    "CREATE UNIQUE INDEX maintenance_name_live ON maintenance(name) WHERE deleted_at IS NULL;\n"
    /* Which names a window covers, so renaming or deleting a system or
     * monitor a live window refers to can be refused without parsing specs. */
    "CREATE TABLE maint_refs (\n"
    "  maint_id INTEGER NOT NULL REFERENCES maintenance(id),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('system', 'monitor')),\n"
    "  name TEXT NOT NULL,\n"
    "  PRIMARY KEY (maint_id, kind, name)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX maint_refs_name ON maint_refs(kind, name);\n"

    /* AUTOINCREMENT: ids never come back after pruning, so result cursors
     * and "newest first" stay meaningful. */
    "CREATE TABLE results (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  monitor_id INTEGER NOT NULL REFERENCES monitors(id),\n"
    "  ts INTEGER NOT NULL,\n"
    "  ok INTEGER NOT NULL,\n"
    "  latency INTEGER NOT NULL,\n"
    "  status INTEGER NOT NULL,\n"
    "  value REAL NOT NULL,\n"
    "  detail TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX results_monitor_id ON results(monitor_id, id);\n"    /* paging */
    "CREATE INDEX results_monitor_ts ON results(monitor_id, ts);\n"    /* rollups, pruning */

    "CREATE TABLE state_intervals (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  monitor_id INTEGER NOT NULL REFERENCES monitors(id),\n"
    "  state TEXT NOT NULL\n"
    "    CHECK (state IN ('no_data', 'up', 'down', 'maintenance', 'paused')),\n"
    "  start INTEGER NOT NULL,\n"
    "  \"end\" INTEGER CHECK (\"end\" IS NULL OR \"end\" >= start),\n"
    "  reason TEXT\n"
    ");\n"
    /* At most one open interval per monitor. */
    "CREATE UNIQUE INDEX state_intervals_open ON state_intervals(monitor_id)\n"
    "  WHERE \"end\" IS NULL;\n"
    "CREATE INDEX state_intervals_monitor_start ON state_intervals(monitor_id, start);\n"
    "CREATE INDEX state_intervals_monitor_end ON state_intervals(monitor_id, \"end\");\n"
    "CREATE INDEX state_intervals_start ON state_intervals(start);\n"
    "CREATE INDEX state_intervals_end ON state_intervals(\"end\");\n"

    "CREATE TABLE rollups (\n"
    "  monitor_id INTEGER NOT NULL REFERENCES monitors(id),\n"
    "  hour INTEGER NOT NULL CHECK (hour % 3600000 = 0),\n"
    "  checks INTEGER NOT NULL,\n"
    "  failures INTEGER NOT NULL,\n"
    "  lat_min REAL NOT NULL,\n"
    "  lat_avg REAL NOT NULL,\n"
    "  lat_p95 REAL NOT NULL,\n"
    "  lat_max REAL NOT NULL,\n"
    "  PRIMARY KEY (monitor_id, hour)\n"
    ") WITHOUT ROWID;\n",

    /* 2: accounts, organisation, sessions, API tokens, settings, setup links
     * and the audit trail (store_auth.h). Nothing secret in clear: passwords
     * are Argon2id hashes, session ids, tokens and setup links token hashes.
     * Roles are a bitset of enum role: the bit positions are a file format. */
    "CREATE TABLE orgs (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  parent_id INTEGER REFERENCES orgs(id),\n"     /* NULL = top level */
    "  name TEXT NOT NULL CHECK (length(CAST(name AS BLOB)) BETWEEN 1 AND 100),\n"
    "  kind TEXT NOT NULL CHECK (kind IN ('client', 'contractor', 'business')),\n"
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL\n"
    ");\n"
    /* Unique among siblings; top-level units are siblings too. */
    "CREATE UNIQUE INDEX orgs_sibling_name ON orgs(coalesce(parent_id, 0), name);\n"

    /* Accounts are disabled, never deleted: the audit trail names them. */
    "CREATE TABLE users (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL UNIQUE,\n"
    "  display_name TEXT,\n"
    "  org_id INTEGER REFERENCES orgs(id),\n"        /* NULL = none */
    "  roles INTEGER NOT NULL CHECK (roles >= 0),\n" /* 0: none granted yet */
    "  pw_hash TEXT NOT NULL DEFAULT '',\n"
    "  pw_changed INTEGER NOT NULL DEFAULT 0,\n"
    "  must_change_pw INTEGER NOT NULL DEFAULT 1,\n"
    "  totp_enabled INTEGER NOT NULL DEFAULT 0,\n"
    "  totp_sealed TEXT,\n"
    "  totp_last_step INTEGER NOT NULL DEFAULT 0,\n"
    "  recovery_hashes TEXT,\n"
    "  failed_logins INTEGER NOT NULL DEFAULT 0,\n"
    "  locked_until INTEGER NOT NULL DEFAULT 0,\n"
    "  disabled INTEGER NOT NULL DEFAULT 0,\n"
    "  created INTEGER NOT NULL,\n"
    "  updated INTEGER NOT NULL,\n"
    "  last_login INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE INDEX users_org ON users(org_id);\n"
    /* AUTOINCREMENT: the order of changes, even within one millisecond. */
    "CREATE TABLE pw_history (\n"
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
    "  hash TEXT NOT NULL,\n"
    "  created INTEGER NOT NULL\n"
    ");\n"
    "CREATE INDEX pw_history_user ON pw_history(user_id, id);\n"

    /* A session ends by being deleted: the audit trail keeps its story. */
    "CREATE TABLE sessions (\n"
    "  id_hash TEXT PRIMARY KEY,\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
    "  csrf TEXT NOT NULL,\n"
    "  created INTEGER NOT NULL,\n"
    "  last_seen INTEGER NOT NULL,\n"
    "  source TEXT NOT NULL DEFAULT '',\n"
    "  user_agent TEXT NOT NULL DEFAULT '',\n"
    "  pending_2fa INTEGER NOT NULL DEFAULT 0\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX sessions_user ON sessions(user_id);\n"
    "CREATE INDEX sessions_last_seen ON sessions(last_seen);\n"

    "CREATE TABLE api_tokens (\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  user_id INTEGER NOT NULL REFERENCES users(id),\n"
    "  name TEXT NOT NULL,\n"
    "  hash TEXT NOT NULL UNIQUE,\n"
    "  roles INTEGER NOT NULL CHECK (roles > 0),\n"
    "  created INTEGER NOT NULL,\n"
    "  expires INTEGER NOT NULL DEFAULT 0,\n"      /* 0 = never */
    "  last_used INTEGER NOT NULL DEFAULT 0,\n"
    "  revoked INTEGER NOT NULL DEFAULT 0\n"
    ");\n"
    "CREATE INDEX api_tokens_user ON api_tokens(user_id);\n"

    "CREATE TABLE settings (\n"
    "  key TEXT PRIMARY KEY,\n"
    "  value TEXT NOT NULL,\n"
    "  updated INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"

    "CREATE TABLE setup_tokens (\n"
    "  hash TEXT PRIMARY KEY,\n"
    "  created INTEGER NOT NULL,\n"
    "  expires INTEGER NOT NULL,\n"
    "  used INTEGER NOT NULL DEFAULT 0\n"          /* 0 = unused, else when */
    ") WITHOUT ROWID;\n"

    /* The audit trail (auth/audit.h): seq is assigned by the store, 1, 2, 3
     * … without gaps, and each mac chains to the previous record's. */
    "CREATE TABLE audit (\n"
    "  seq INTEGER PRIMARY KEY,\n"
    "  time INTEGER NOT NULL,\n"
    "  user TEXT,\n"
    "  source TEXT,\n"
    "  action TEXT NOT NULL,\n"
    "  object TEXT,\n"
    "  \"before\" TEXT,\n"
    "  \"after\" TEXT,\n"
    "  result TEXT NOT NULL,\n"
    "  mac TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX audit_time ON audit(time);\n"
    "CREATE INDEX audit_user ON audit(user, seq);\n"
    /* Append-only. The chain and the anchor catch whoever drops these
     * triggers first; the triggers stop every accident and every program. */
    "CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit\n"
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;\n"
    "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit\n"
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;\n"
    /* INSERT OR REPLACE deletes without firing delete triggers (unless
     * recursive_triggers is on), and an insert into a gap would rewrite
     * history: an insert must come right after the last record. */
    "CREATE TRIGGER audit_append_only BEFORE INSERT ON audit\n"
    "WHEN NEW.seq IS NULL OR NEW.seq <> coalesce((SELECT max(seq) FROM audit), 0) + 1\n"
    "BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;\n",
    /* 3: the working-day calendar's years added by the administrator (store/calendar.c). */
    store_mig_calendar,
    /* 4: incidents, their timeline, SLA marks and fault reports (store/incidents.c). */
    store_mig_incidents,
    /* 5: notification channels, rules, the duty roster and the delivery log (store/notify.c). */
    store_mig_notify,
};

#define NMIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

static int exec_ddl(struct conn *c, const char *sql, int version, struct yw_err *err)
{
    char *msg = NULL;
    if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        yw_fail(err, YW_EIO, "database: migration %d: %s", version, msg ? msg : "failed");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* 1 if applied, 0 if not, -1 on error. */
static int applied(struct conn *c, int version, struct yw_err *err)
{
    sqlite3_stmt *st = store_stmt_get(c, STMT_MIG_HAS, err);
    if (!st)
        return -1;
    store_bind_i64(st, 1, version);
    int rc = sqlite3_step(st);
    int result = rc == SQLITE_ROW ? 1 : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        result = store_db_fail(c, err, "reading migrations");
    store_stmt_done(st);
    return result;
}

static int apply(struct conn *c, int version, struct yw_err *err)
{
    if (store_tx_begin(c, err))
        return -1;
    int rc = applied(c, version, err);
    if (rc == 1) /* another process got here first */
        return store_tx_end(c, 0, err);
    if (rc == 0)
        rc = exec_ddl(c, migrations[version - 1], version, err);
    if (rc == 0) {
        sqlite3_stmt *st = store_stmt_get(c, STMT_MIG_ADD, err);
        if (!st) {
            rc = -1;
        } else {
            store_bind_i64(st, 1, version);
            store_bind_i64(st, 2, time_now_ms());
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = store_db_fail(c, err, "recording migration");
            store_stmt_done(st);
        }
    }
    return store_tx_end(c, rc, err);
}

int store_migrate(struct conn *c, struct yw_err *err)
{
    if (exec_ddl(c,
                 "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
                 "  version INTEGER PRIMARY KEY,\n"
                 "  applied INTEGER NOT NULL\n"
                 ")",
                 0, err))
        return -1;

    sqlite3_stmt *st = store_stmt_get(c, STMT_MIG_MAX, err);
    if (!st)
        return -1;
    int64_t have = 0;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        have = sqlite3_column_int64(st, 0);
    store_stmt_done(st);
    if (rc != SQLITE_ROW)
        return store_db_fail(c, err, "reading migrations");
    if (have > NMIGRATIONS)
        return yw_fail(err, YW_EIO,
                       "database schema version %lld is newer than this yunwei knows (%d); "
                       "use a newer yunwei",
                       (long long)have, NMIGRATIONS);

    for (int v = 1; v <= NMIGRATIONS; v++) {
        rc = applied(c, v, err);
        if (rc < 0)
            return -1;
        if (rc == 0 && apply(c, v, err))
            return -1;
    }
    return 0;
}
