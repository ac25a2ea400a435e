/*
 * stmts — every SQL statement of the store, one place per query.
 *
 * X-macro list: STORE_STMTS(X) expands X(id, sql) for each. Parameters are
 * always bound (?N); nothing is ever formatted into these strings. Column
 * "end" is quoted because END is an SQL keyword. Times are integer ms.
 * Included only by store_int.h.
 */
#ifndef YW_STORE_STMTS_H
#define YW_STORE_STMTS_H

/* Each later subsystem keeps its statements in a header of its own. */
#include "store/stmts_cal.h"
#include "store/stmts_incident.h"
#include "store/stmts_notify.h"

#define SQL_SYS_COLS "SELECT id, name, spec, provisioned, created, updated FROM systems "
#define SQL_MNT_COLS "SELECT id, name, spec, provisioned, created, updated FROM maintenance "
/* A monitor with its system's current name and its open interval, if any:
 * one query (LEFT JOIN on the partial index of open intervals), no N+1. */
#define SQL_MON_COLS                                                                     \
    "SELECT m.id, m.system_id, s.name, m.spec, m.paused, m.provisioned, m.created, "     \
    "m.updated, i.state, i.start, i.reason FROM monitors m "                             \
    "JOIN systems s ON s.id = m.system_id "                                              \
    "LEFT JOIN state_intervals i ON i.monitor_id = m.id AND i.\"end\" IS NULL "          \
    "WHERE m.deleted_at IS NULL "
/* A monitor without its spec decoded (store_monitor_list_brief): the columns
 * kept beside the spec, "critical" read from a plain spec by SQLite, and the
 * spec itself only when it is sealed (then the store opens it). */
#define SQL_MON_BRIEF_COLS                                                               \
    "SELECT m.id, m.system_id, s.name, m.name, m.type, m.title, m.paused, "              \
    "m.provisioned, m.created, m.updated, i.state, i.start, i.reason, "                  \
    "CASE WHEN substr(m.spec, 1, 1) = '{' THEN json_extract(m.spec, '$.critical') END, " \
    "CASE WHEN substr(m.spec, 1, 1) = '{' THEN NULL ELSE m.spec END FROM monitors m "    \
    "JOIN systems s ON s.id = m.system_id "                                              \
    "LEFT JOIN state_intervals i ON i.monitor_id = m.id AND i.\"end\" IS NULL "          \
    "WHERE m.deleted_at IS NULL "
/* The monitor lists' filter (store_monitor_list and its brief twin):
 * ?1 system id or 0, ?2 type or NULL, ?3 text in name or title or NULL. */
#define SQL_MON_FILTER                                                                   \
    "AND (?1 = 0 OR m.system_id = ?1) AND (?2 IS NULL OR m.type = ?2) "                  \
    "AND (?3 IS NULL OR instr(lower(m.name), lower(?3)) > 0 "                            \
    "OR instr(lower(coalesce(m.title, '')), lower(?3)) > 0) ORDER BY m.id"
#define SQL_IV_COLS "SELECT id, monitor_id, state, start, \"end\", reason FROM state_intervals "

/* Accounts, sessions, tokens, settings and the audit trail (auth_*.c). */
#define SQL_ORG_COLS "SELECT id, parent_id, name, kind, created, updated FROM orgs "
#define SQL_USER_COLS                                                                    \
    "SELECT id, name, display_name, org_id, roles, pw_hash, pw_changed, must_change_pw, " \
    "totp_enabled, totp_sealed, totp_last_step, recovery_hashes, failed_logins, "        \
    "locked_until, disabled, created, updated, last_login FROM users "
#define SQL_SESS_COLS                                                                    \
    "SELECT id_hash, user_id, csrf, created, last_seen, source, user_agent, pending_2fa " \
    "FROM sessions "
#define SQL_TOK_COLS                                                                     \
    "SELECT id, user_id, name, hash, roles, created, expires, last_used, revoked "       \
    "FROM api_tokens "
#define SQL_AUD_COLS                                                                     \
    "SELECT seq, time, user, source, action, object, \"before\", \"after\", result, mac " \
    "FROM audit "

#define STORE_AUTH_STMTS(X)                                                              \
    /* organisation */                                                                   \
    X(STMT_ORG_LIST, SQL_ORG_COLS "ORDER BY id")                                         \
    X(STMT_ORG_BY_ID, SQL_ORG_COLS "WHERE id = ?1")                                      \
    X(STMT_ORG_INSERT, "INSERT INTO orgs(parent_id, name, kind, created, updated) "      \
                       "VALUES (?1, ?2, ?3, ?4, ?4)")                                    \
    X(STMT_ORG_UPDATE, "UPDATE orgs SET parent_id = ?2, name = ?3, kind = ?4, "          \
                       "updated = ?5 WHERE id = ?1")                                     \
    X(STMT_ORG_DELETE, "DELETE FROM orgs WHERE id = ?1")                                 \
    X(STMT_ORG_PARENT, "SELECT parent_id FROM orgs WHERE id = ?1")                       \
    X(STMT_ORG_SIBLING, "SELECT id FROM orgs WHERE coalesce(parent_id, 0) = ?1 "         \
                        "AND name = ?2 AND id <> ?3")                                    \
    X(STMT_ORG_CHILD, "SELECT name FROM orgs WHERE parent_id = ?1 ORDER BY id LIMIT 1")  \
    X(STMT_ORG_MEMBER, "SELECT name FROM users WHERE org_id = ?1 ORDER BY id LIMIT 1")   \
    /* users and their password history */                                               \
    X(STMT_USER_COUNT, "SELECT count(*) FROM users")                                     \
    X(STMT_USER_LIST, SQL_USER_COLS "ORDER BY id")                                       \
    X(STMT_USER_BY_ID, SQL_USER_COLS "WHERE id = ?1")                                    \
    X(STMT_USER_BY_NAME, SQL_USER_COLS "WHERE name = ?1")                                \
    X(STMT_USER_CUR, "SELECT name, roles FROM users WHERE id = ?1")                      \
    X(STMT_USER_INSERT, "INSERT INTO users(name, display_name, org_id, roles, pw_hash, "  \
                        "pw_changed, must_change_pw, totp_enabled, totp_sealed, "        \
                        "totp_last_step, recovery_hashes, failed_logins, locked_until, " \
                        "disabled, created, updated, last_login) VALUES (?1, ?2, ?3, ?4, " \
                        "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16)")   \
    X(STMT_USER_UPDATE, "UPDATE users SET display_name = ?2, org_id = ?3, roles = ?4, "  \
                        "pw_hash = ?5, pw_changed = ?6, must_change_pw = ?7, "           \
                        "totp_enabled = ?8, totp_sealed = ?9, totp_last_step = ?10, "    \
                        "recovery_hashes = ?11, failed_logins = ?12, locked_until = ?13, " \
                        "disabled = ?14, updated = ?15, last_login = ?16 WHERE id = ?1") \
    X(STMT_PWH_ADD, "INSERT INTO pw_history(user_id, hash, created) VALUES (?1, ?2, ?3)") \
    X(STMT_PWH_TRIM, "DELETE FROM pw_history WHERE user_id = ?1 AND id NOT IN ("        \
                     "SELECT id FROM pw_history WHERE user_id = ?1 "                     \
                     "ORDER BY id DESC LIMIT ?2)")                                       \
    X(STMT_PWH_LIST, "SELECT hash FROM pw_history WHERE user_id = ?1 "                   \
                     "ORDER BY id DESC LIMIT ?2")                                        \
    /* sessions */                                                                       \
    X(STMT_SESS_INSERT, "INSERT INTO sessions(id_hash, user_id, csrf, created, "         \
                        "last_seen, source, user_agent, pending_2fa) "                   \
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")                       \
    X(STMT_SESS_GET, SQL_SESS_COLS "WHERE id_hash = ?1")                                 \
    X(STMT_SESS_TOUCH, "UPDATE sessions SET last_seen = max(last_seen, ?2) "             \
                       "WHERE id_hash = ?1")                                             \
    X(STMT_SESS_UPDATE, "UPDATE sessions SET csrf = ?2, last_seen = ?3, source = ?4, "   \
                        "user_agent = ?5, pending_2fa = ?6 WHERE id_hash = ?1")          \
    X(STMT_SESS_END, "DELETE FROM sessions WHERE id_hash = ?1")                          \
    X(STMT_SESS_END_USER, "DELETE FROM sessions WHERE user_id = ?1 "                     \
                          "AND (?2 IS NULL OR id_hash <> ?2)")                           \
    X(STMT_SESS_LIST, SQL_SESS_COLS "WHERE ?1 = 0 OR user_id = ?1 "                      \
                      "ORDER BY created DESC, id_hash")                                  \
    X(STMT_SESS_PRUNE, "DELETE FROM sessions WHERE last_seen < ?1 OR created < ?2")      \
    /* API tokens */                                                                     \
    X(STMT_TOK_INSERT, "INSERT INTO api_tokens(user_id, name, hash, roles, created, "    \
                       "expires, last_used, revoked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 0, 0)") \
    X(STMT_TOK_BY_HASH, SQL_TOK_COLS "WHERE hash = ?1")                                  \
    X(STMT_TOK_LIST, SQL_TOK_COLS "WHERE ?1 = 0 OR user_id = ?1 ORDER BY id")            \
    X(STMT_TOK_REVOKE, "UPDATE api_tokens SET revoked = 1 WHERE id = ?1")                \
    X(STMT_TOK_TOUCH, "UPDATE api_tokens SET last_used = max(last_used, ?2) "            \
                      "WHERE id = ?1")                                                   \
    /* settings and one-time setup links */                                              \
    X(STMT_SET_GET, "SELECT value FROM settings WHERE key = ?1")                         \
    X(STMT_SET_PUT, "INSERT INTO settings(key, value, updated) VALUES (?1, ?2, ?3) "     \
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value, "            \
                    "updated = excluded.updated")                                        \
    X(STMT_SETUP_INSERT, "INSERT INTO setup_tokens(hash, created, expires, used) "       \
                         "VALUES (?1, ?2, ?3, 0)")                                       \
    /* one statement: two consumers racing cannot both see it unused */                 \
    X(STMT_SETUP_CONSUME, "UPDATE setup_tokens SET used = max(?2, 1) "                   \
                          "WHERE hash = ?1 AND used = 0 AND expires > ?2")               \
    /* audit: appended, never changed (triggers refuse UPDATE and DELETE) */             \
    X(STMT_AUD_LAST, "SELECT seq, mac FROM audit ORDER BY seq DESC LIMIT 1")             \
    X(STMT_AUD_INSERT, "INSERT INTO audit(seq, time, user, source, action, object, "     \
                       "\"before\", \"after\", result, mac) "                            \
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")               \
    X(STMT_AUD_ALL, SQL_AUD_COLS "ORDER BY seq")                                         \
    /* action is a prefix: compared as such, not as a LIKE pattern */                   \
    X(STMT_AUD_LIST, SQL_AUD_COLS "WHERE seq < ?1 AND time >= ?2 AND time < ?3 "         \
                     "AND (?4 IS NULL OR user = ?4) "                                    \
                     "AND (?5 IS NULL OR substr(action, 1, length(?5)) = ?5) "           \
                     "ORDER BY seq DESC LIMIT ?6")                                       \
    /* an audit append is durable before it is reported (the pool runs NORMAL) */       \
    X(STMT_SYNC_FULL, "PRAGMA synchronous = FULL")                                       \
    X(STMT_SYNC_NORMAL, "PRAGMA synchronous = NORMAL")

#define STORE_STMTS(X)                                                                   \
    /* transactions */                                                                   \
    X(STMT_BEGIN, "BEGIN IMMEDIATE")                                                     \
    X(STMT_COMMIT, "COMMIT")                                                             \
    X(STMT_ROLLBACK, "ROLLBACK")                                                         \
    X(STMT_SAVEPOINT, "SAVEPOINT tr")                                                    \
    X(STMT_RELEASE, "RELEASE tr")                                                        \
    X(STMT_ROLLBACK_TO, "ROLLBACK TO tr")                                                \
    /* migrations */                                                                     \
    X(STMT_MIG_HAS, "SELECT 1 FROM schema_migrations WHERE version = ?1")                \
    X(STMT_MIG_ADD, "INSERT INTO schema_migrations(version, applied) VALUES (?1, ?2)")   \
    X(STMT_MIG_MAX, "SELECT coalesce(max(version), 0) FROM schema_migrations")           \
    /* meta */                                                                           \
    X(STMT_META_GET, "SELECT value FROM meta WHERE key = ?1")                            \
    X(STMT_META_SET, "INSERT INTO meta(key, value) VALUES (?1, ?2) "                     \
                     "ON CONFLICT(key) DO UPDATE SET value = excluded.value")            \
    X(STMT_META_SET_MAX, "INSERT INTO meta(key, value) VALUES (?1, ?2) "                 \
                         "ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)") \
    /* systems */                                                                        \
    X(STMT_SYS_LIST, SQL_SYS_COLS "WHERE deleted_at IS NULL ORDER BY id")                \
    X(STMT_SYS_BY_ID, SQL_SYS_COLS "WHERE id = ?1 AND deleted_at IS NULL")               \
    X(STMT_SYS_BY_NAME, SQL_SYS_COLS "WHERE name = ?1 AND deleted_at IS NULL")           \
    X(STMT_SYS_FIND, "SELECT id, provisioned, spec FROM systems "                        \
                     "WHERE name = ?1 AND deleted_at IS NULL")                           \
    X(STMT_SYS_CUR, "SELECT provisioned, name FROM systems "                             \
                    "WHERE id = ?1 AND deleted_at IS NULL")                              \
    X(STMT_SYS_INSERT, "INSERT INTO systems(name, provisioned, spec, created, updated) "  \
                       "VALUES (?1, ?2, ?3, ?4, ?4)")                                    \
    X(STMT_SYS_UPDATE, "UPDATE systems SET name = ?2, spec = ?3, updated = ?4 "          \
                       "WHERE id = ?1")                                                  \
    X(STMT_SYS_DELETE, "UPDATE systems SET deleted_at = ?2, updated = ?2 WHERE id = ?1") \
    X(STMT_SYS_PROVISIONED, "SELECT id, name FROM systems "                              \
                            "WHERE provisioned = 1 AND deleted_at IS NULL ORDER BY id")  \
    X(STMT_SYS_MONITOR, "SELECT name FROM monitors WHERE system_id = ?1 "                \
                        "AND deleted_at IS NULL ORDER BY id LIMIT 1")                    \
    /* monitors */                                                                       \
    X(STMT_MON_LIST, SQL_MON_COLS SQL_MON_FILTER)                                        \
    X(STMT_MON_BRIEF, SQL_MON_BRIEF_COLS SQL_MON_FILTER)                                 \
    X(STMT_MON_BY_ID, SQL_MON_COLS "AND m.id = ?1")                                      \
    X(STMT_MON_BY_NAME, SQL_MON_COLS "AND m.name = ?1")                                  \
    X(STMT_MON_BY_TOKEN, SQL_MON_COLS "AND m.push_token = ?1")                           \
    X(STMT_MON_FIND, "SELECT id, provisioned, spec FROM monitors "                       \
                     "WHERE name = ?1 AND deleted_at IS NULL")                           \
    X(STMT_MON_CUR, "SELECT provisioned, name, spec, paused FROM monitors "              \
                    "WHERE id = ?1 AND deleted_at IS NULL")                              \
    X(STMT_MON_TOKEN_USED, "SELECT id FROM monitors WHERE push_token = ?1 "              \
                           "AND deleted_at IS NULL")                                     \
    X(STMT_MON_INSERT, "INSERT INTO monitors(name, system_id, type, title, paused, "     \
                       "provisioned, push_token, spec, created, updated) "               \
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)")                \
    X(STMT_MON_UPDATE, "UPDATE monitors SET name = ?2, system_id = ?3, type = ?4, "      \
                       "title = ?5, paused = ?6, push_token = ?7, spec = ?8, "           \
                       "updated = ?9 WHERE id = ?1")                                     \
    X(STMT_MON_SET_PAUSED, "UPDATE monitors SET paused = ?2, updated = ?3 "              \
                           "WHERE id = ?1 AND deleted_at IS NULL")                       \
    X(STMT_MON_DELETE, "UPDATE monitors SET deleted_at = ?2, updated = ?2 WHERE id = ?1") \
    X(STMT_MON_LIVE, "SELECT 1 FROM monitors WHERE id = ?1 AND deleted_at IS NULL")      \
    X(STMT_MON_PROVISIONED, "SELECT id, name FROM monitors "                             \
                            "WHERE provisioned = 1 AND deleted_at IS NULL ORDER BY id")  \
    /* every monitor ever, deleted too: rollups and pruning walk them in chunks */      \
    X(STMT_MON_IDS_AFTER, "SELECT id FROM monitors WHERE id > ?1 ORDER BY id LIMIT ?2")  \
    /* maintenance windows and the names they refer to */                               \
    X(STMT_MNT_LIST, SQL_MNT_COLS "WHERE deleted_at IS NULL ORDER BY id")                \
    X(STMT_MNT_BY_ID, SQL_MNT_COLS "WHERE id = ?1 AND deleted_at IS NULL")               \
    X(STMT_MNT_BY_NAME, SQL_MNT_COLS "WHERE name = ?1 AND deleted_at IS NULL")           \
    X(STMT_MNT_FIND, "SELECT id, provisioned, spec FROM maintenance "                    \
                     "WHERE name = ?1 AND deleted_at IS NULL")                           \
    X(STMT_MNT_CUR, "SELECT provisioned, name FROM maintenance "                         \
                    "WHERE id = ?1 AND deleted_at IS NULL")                              \
    X(STMT_MNT_INSERT, "INSERT INTO maintenance(name, provisioned, spec, created, updated) " \
                       "VALUES (?1, ?2, ?3, ?4, ?4)")                                    \
    X(STMT_MNT_UPDATE, "UPDATE maintenance SET name = ?2, spec = ?3, updated = ?4 "      \
                       "WHERE id = ?1")                                                  \
    X(STMT_MNT_DELETE, "UPDATE maintenance SET deleted_at = ?2, updated = ?2 WHERE id = ?1") \
    X(STMT_MNT_PROVISIONED, "SELECT id, name FROM maintenance "                          \
                            "WHERE provisioned = 1 AND deleted_at IS NULL ORDER BY id")  \
    X(STMT_MNT_REFS_CLEAR, "DELETE FROM maint_refs WHERE maint_id = ?1")                 \
    X(STMT_MNT_REF_ADD, "INSERT OR IGNORE INTO maint_refs(maint_id, kind, name) "        \
                        "VALUES (?1, ?2, ?3)")                                           \
    X(STMT_MNT_REF_USER, "SELECT w.name FROM maint_refs r "                              \
                         "JOIN maintenance w ON w.id = r.maint_id "                      \
                         "WHERE r.kind = ?1 AND r.name = ?2 AND w.deleted_at IS NULL "   \
                         "ORDER BY w.id LIMIT 1")                                        \
    /* state intervals */                                                                \
    X(STMT_IV_OPEN, "SELECT id, state, start FROM state_intervals "                      \
                    "WHERE monitor_id = ?1 AND \"end\" IS NULL")                         \
    X(STMT_IV_CLOSE, "UPDATE state_intervals SET \"end\" = ?2 WHERE id = ?1")            \
    X(STMT_IV_INSERT, "INSERT INTO state_intervals(monitor_id, state, start, \"end\", reason) " \
                      "VALUES (?1, ?2, ?3, ?4, ?5)")                                     \
    X(STMT_IV_ALL_OPEN, "SELECT id, monitor_id, start FROM state_intervals "             \
                        "WHERE \"end\" IS NULL ORDER BY id")                             \
    /* overlapping [?2, ?3): started inside, or started before and ends (or not)      \
     * after ?2; three disjoint index ranges instead of one scan of all history.        \
     * Unary + keeps the planner off the start index where it would scan everything   \
     * before ?2 (the store runs no ANALYZE, so it cannot know), and the sort is done  \
     * once outside (sorted branches would need the start index again). */            \
    X(STMT_IV_RANGE_MON,                                                                 \
      "WITH r AS MATERIALIZED ("                                                         \
      SQL_IV_COLS "WHERE monitor_id = ?1 AND start >= ?2 AND start < ?3 UNION ALL "      \
      SQL_IV_COLS "WHERE monitor_id = ?1 AND \"end\" > ?2 AND +start < ?2 UNION ALL "    \
      SQL_IV_COLS "WHERE monitor_id = ?1 AND \"end\" IS NULL AND +start < ?2"            \
      ") SELECT * FROM r ORDER BY start, id LIMIT ?4")                                   \
    X(STMT_IV_RANGE_ALL,                                                                 \
      "WITH r AS MATERIALIZED ("                                                         \
      SQL_IV_COLS "WHERE start >= ?2 AND start < ?3 UNION ALL "                          \
      SQL_IV_COLS "WHERE \"end\" > ?2 AND +start < ?2 UNION ALL "                        \
      SQL_IV_COLS "WHERE \"end\" IS NULL AND +start < ?2"                                \
      ") SELECT * FROM r ORDER BY start, id LIMIT ?4")                                   \
    /* results */                                                                        \
    X(STMT_RES_INSERT, "INSERT INTO results(monitor_id, ts, ok, latency, status, value, detail) " \
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")                            \
    X(STMT_RES_PAGE, "SELECT id, monitor_id, ts, ok, latency, status, value, detail "    \
                     "FROM results WHERE monitor_id = ?1 AND id < ?2 "                   \
                     "ORDER BY id DESC LIMIT ?3")                                        \
    X(STMT_RES_HOUR, "SELECT ok, latency FROM results "                                  \
                     "WHERE monitor_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY latency")  \
    /* the earliest result at or after ?1: one index probe per monitor */               \
    X(STMT_RES_NEXT, "SELECT min(t) FROM (SELECT (SELECT min(ts) FROM results r "        \
                     "WHERE r.monitor_id = m.id AND r.ts >= ?1) AS t FROM monitors m)")  \
    X(STMT_RES_PRUNE, "DELETE FROM results WHERE monitor_id = ?1 AND ts < ?2")           \
    /* rollups */                                                                        \
    X(STMT_RU_UPSERT, "INSERT INTO rollups(monitor_id, hour, checks, failures, lat_min, " \
                      "lat_avg, lat_p95, lat_max) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) " \
                      "ON CONFLICT(monitor_id, hour) DO UPDATE SET checks = excluded.checks, " \
                      "failures = excluded.failures, lat_min = excluded.lat_min, "       \
                      "lat_avg = excluded.lat_avg, lat_p95 = excluded.lat_p95, "         \
                      "lat_max = excluded.lat_max")                                      \
    X(STMT_RU_DELETE, "DELETE FROM rollups WHERE monitor_id = ?1 AND hour = ?2")         \
    X(STMT_RU_RANGE, "SELECT monitor_id, hour, checks, failures, lat_min, lat_avg, "     \
                     "lat_p95, lat_max FROM rollups "                                    \
                     "WHERE monitor_id = ?1 AND hour >= ?2 AND hour < ?3 ORDER BY hour") \
    STORE_AUTH_STMTS(X)                                                                  \
    STORE_CAL_STMTS(X)                                                                   \
    STORE_INCIDENT_STMTS(X)                                                              \
    STORE_NOTIFY_STMTS(X)

#endif
