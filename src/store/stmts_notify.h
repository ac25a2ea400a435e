/* The SQL of notification channels, rules, duty roster and deliveries (store/notify.c); see stmts.h. */
#ifndef YW_STORE_STMTS_NOTIFY_H
#define YW_STORE_STMTS_NOTIFY_H

#define SQL_NT_CH_COLS                                                                   \
    "SELECT id, name, type, enabled, is_default, provisioned, spec, secrets, created, "  \
    "updated, deleted_at FROM notify_channels "
#define SQL_NT_RULE_COLS                                                                 \
    "SELECT id, name, enabled, provisioned, spec, created, updated FROM notify_rules "
#define SQL_NT_PERSON_COLS                                                               \
    "SELECT u.id, u.name, u.display_name, u.disabled, u.roles, c.email, c.mobile, "      \
    "c.dingtalk_id, c.wecom_id, c.feishu_id, c.updated FROM users u "                    \
    "LEFT JOIN notify_contacts c ON c.user_id = u.id "
#define SQL_NT_SHIFT_COLS                                                                \
    "SELECT s.id, s.user_id, u.name, s.position, s.start, s.\"end\", s.note, "           \
    "s.provisioned, s.created, s.updated FROM duty_shifts s "                            \
    "JOIN users u ON u.id = s.user_id "
#define SQL_NT_HO_COLS                                                                   \
    "SELECT h.id, h.position, h.from_user_id, f.name, h.to_user_id, t.name, h.at, "      \
    "h.note, h.by_user, h.created FROM duty_handovers h "                                \
    "LEFT JOIN users f ON f.id = h.from_user_id JOIN users t ON t.id = h.to_user_id "
#define SQL_NT_DLV_COLS                                                                  \
    "SELECT id, created, channel_id, channel, kind, incident_id, clock, step, rule, "    \
    "event, targets, recipients, status, attempts, next_attempt, admitted, held, "       \
    "last_error, sent_at, subject, text FROM notify_deliveries "
/* What is still to be sent. */
#define SQL_NT_DLV_OPEN "status IN ('queued', 'scheduled')"

#define STORE_NOTIFY_STMTS(X)                                                            \
    /* a read transaction: one snapshot for several reads */                            \
    X(STMT_NT_BEGIN_READ, "BEGIN")                                                       \
    /* channels */                                                                       \
    X(STMT_NT_CH_LIST, SQL_NT_CH_COLS "WHERE deleted_at IS NULL ORDER BY name")          \
    X(STMT_NT_CH_BY_ID, SQL_NT_CH_COLS "WHERE id = ?1")                                  \
    X(STMT_NT_CH_BY_NAME, SQL_NT_CH_COLS "WHERE name = ?1 AND deleted_at IS NULL")       \
    X(STMT_NT_CH_INSERT, "INSERT INTO notify_channels(name, type, enabled, is_default, " \
                         "provisioned, spec, secrets, created, updated) "                \
                         "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)")                  \
    X(STMT_NT_CH_UPDATE, "UPDATE notify_channels SET name = ?2, type = ?3, enabled = ?4, " \
                         "is_default = ?5, spec = ?6, secrets = ?7, updated = ?8 "        \
                         "WHERE id = ?1 AND deleted_at IS NULL")                         \
    X(STMT_NT_CH_DELETE, "UPDATE notify_channels SET deleted_at = ?2 "                   \
                         "WHERE id = ?1 AND deleted_at IS NULL")                         \
    X(STMT_NT_CH_REF, "SELECT r.name FROM notify_rule_channels rc "                      \
                      "JOIN notify_rules r ON r.id = rc.rule_id WHERE rc.channel = ?1 "  \
                      "ORDER BY r.name LIMIT 1")                                         \
    /* rules and the channel names they use */                                           \
    X(STMT_NT_RULE_LIST, SQL_NT_RULE_COLS "WHERE ?1 = 0 OR enabled = 1 ORDER BY name")   \
    X(STMT_NT_RULE_BY_ID, SQL_NT_RULE_COLS "WHERE id = ?1")                              \
    X(STMT_NT_RULE_BY_NAME, SQL_NT_RULE_COLS "WHERE name = ?1")                          \
    X(STMT_NT_RULE_INSERT, "INSERT INTO notify_rules(name, enabled, provisioned, spec, " \
                           "created, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?5)")          \
    X(STMT_NT_RULE_UPDATE, "UPDATE notify_rules SET name = ?2, enabled = ?3, spec = ?4, " \
                           "updated = ?5 WHERE id = ?1")                                 \
    X(STMT_NT_RULE_DELETE, "DELETE FROM notify_rules WHERE id = ?1")                     \
    X(STMT_NT_RULE_CH_CLEAR, "DELETE FROM notify_rule_channels WHERE rule_id = ?1")      \
    X(STMT_NT_RULE_CH_ADD, "INSERT OR IGNORE INTO notify_rule_channels(rule_id, channel) " \
                           "VALUES (?1, ?2)")                                            \
    /* people and contacts */                                                            \
    X(STMT_NT_PERSON_BY_ID, SQL_NT_PERSON_COLS "WHERE u.id = ?1")                        \
    X(STMT_NT_PERSON_BY_LOGIN, SQL_NT_PERSON_COLS "WHERE u.name = ?1")                   \
    X(STMT_NT_PERSON_LIST, SQL_NT_PERSON_COLS "ORDER BY u.id")                           \
    X(STMT_NT_PEOPLE_ROLES, "SELECT id FROM users WHERE disabled = 0 AND "               \
                            "(roles & ?1) <> 0 ORDER BY id LIMIT ?2")                    \
    X(STMT_NT_USER_EXISTS, "SELECT 1 FROM users WHERE id = ?1")                          \
    X(STMT_NT_CONTACT_PUT, "INSERT INTO notify_contacts(user_id, email, mobile, "        \
                           "dingtalk_id, wecom_id, feishu_id, updated) "                 \
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "                        \
                           "ON CONFLICT(user_id) DO UPDATE SET email = excluded.email, " \
                           "mobile = excluded.mobile, dingtalk_id = excluded.dingtalk_id, " \
                           "wecom_id = excluded.wecom_id, feishu_id = excluded.feishu_id, " \
                           "updated = excluded.updated")                                 \
    /* duty roster */                                                                    \
    X(STMT_NT_SHIFT_LIST, SQL_NT_SHIFT_COLS "WHERE s.start < ?2 AND s.\"end\" > ?1 AND " \
                          "(?3 IS NULL OR s.position = ?3) ORDER BY s.start, s.id "      \
                          "LIMIT ?4")                                                    \
    X(STMT_NT_SHIFT_BY_ID, SQL_NT_SHIFT_COLS "WHERE s.id = ?1")                          \
    X(STMT_NT_SHIFT_AT, SQL_NT_SHIFT_COLS "WHERE s.position = ?1 AND s.start <= ?2 AND " \
                        "s.\"end\" > ?2 ORDER BY s.start DESC, s.id DESC LIMIT 1")       \
    X(STMT_NT_SHIFT_INSERT, "INSERT INTO duty_shifts(user_id, position, start, \"end\", " \
                            "note, provisioned, created, updated) "                      \
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)")                   \
    X(STMT_NT_SHIFT_UPDATE, "UPDATE duty_shifts SET user_id = ?2, position = ?3, "       \
                            "start = ?4, \"end\" = ?5, note = ?6, updated = ?7 "         \
                            "WHERE id = ?1")                                             \
    X(STMT_NT_SHIFT_DELETE, "DELETE FROM duty_shifts WHERE id = ?1")                     \
    X(STMT_NT_SHIFT_DELETE_RANGE, "DELETE FROM duty_shifts WHERE "                       \
                                  "(?1 IS NULL OR position = ?1) AND start >= ?2 AND "   \
                                  "start < ?3 AND provisioned = ?4")                     \
    X(STMT_NT_HO_INSERT, "INSERT INTO duty_handovers(position, from_user_id, to_user_id, " \
                         "at, note, by_user, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)") \
    X(STMT_NT_HO_BY_ID, SQL_NT_HO_COLS "WHERE h.id = ?1")                                \
    X(STMT_NT_HO_LIST, SQL_NT_HO_COLS "WHERE h.at >= ?1 AND h.at < ?2 "                  \
                       "ORDER BY h.at DESC, h.id DESC LIMIT ?3")                         \
    /* deliveries and their attempts */                                                  \
    X(STMT_NT_DLV_INSERT, "INSERT INTO notify_deliveries(created, channel_id, channel, "  \
                          "kind, incident_id, clock, step, rule, event, targets, "       \
                          "recipients, status, attempts, next_attempt, admitted, held, " \
                          "last_error, sent_at, subject, text) VALUES (?1, ?2, ?3, ?4, " \
                          "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, " \
                          "?18, ?19, ?20)")                                              \
    X(STMT_NT_DLV_BY_ID, SQL_NT_DLV_COLS "WHERE id = ?1")                                \
    X(STMT_NT_DLV_UPDATE, "UPDATE notify_deliveries SET recipients = ?2, status = ?3, "  \
                          "attempts = ?4, next_attempt = ?5, admitted = ?6, held = ?7, " \
                          "last_error = ?8, sent_at = ?9, subject = ?10, text = ?11, "   \
                          "event = ?12 WHERE id = ?1")                                               \
    X(STMT_NT_DLV_DUP, "SELECT 1 FROM notify_deliveries WHERE incident_id = ?1 AND "     \
                       "kind = ?2 AND clock IS ?3 AND channel_id = ?4 AND step = ?5 AND " \
                       "created > ?6 AND status IN ('queued', 'scheduled', 'sending', "  \
                       "'sent') LIMIT 1")                                                \
    X(STMT_NT_DLV_ADMITTED, "SELECT count(*), coalesce(min(admitted), 0) "               \
                            "FROM notify_deliveries WHERE channel_id = ?1 AND "          \
                            "admitted > ?2")                                             \
    X(STMT_NT_DLV_DIGEST, SQL_NT_DLV_COLS "WHERE channel_id = ?1 AND kind = 'digest' AND " \
                          "status = 'scheduled' ORDER BY id LIMIT 1")                    \
    X(STMT_NT_DLV_NEXT_DUE, SQL_NT_DLV_COLS "WHERE " SQL_NT_DLV_OPEN " AND "             \
                            "next_attempt <= ?1 ORDER BY next_attempt, id LIMIT 1")      \
    X(STMT_NT_DLV_EARLIEST, "SELECT min(next_attempt) FROM notify_deliveries WHERE "     \
                            SQL_NT_DLV_OPEN)                                             \
    X(STMT_NT_DLV_REQUEUE, "UPDATE notify_deliveries SET status = 'queued' "             \
                           "WHERE status = 'sending'")                                   \
    X(STMT_NT_DLV_CANCEL_ACK, "UPDATE notify_deliveries SET status = 'cancelled', "      \
                              "last_error = ?2 WHERE incident_id = ?1 AND "              \
                              "status = 'scheduled' AND (kind IN ('opened', 'assigned') " \
                              "OR (kind IN ('sla_warning', 'sla_breach') AND "           \
                              "clock = 'response'))")                                    \
    X(STMT_NT_DLV_LIST, SQL_NT_DLV_COLS "WHERE (?1 = 0 OR channel_id = ?1) AND "         \
                        "(?2 = 0 OR incident_id = ?2) AND (?3 IS NULL OR status = ?3) "  \
                        "AND (?4 = 0 OR id < ?4) ORDER BY id DESC LIMIT ?5")             \
    X(STMT_NT_DLV_PRUNE_ATT, "DELETE FROM notify_attempts WHERE delivery_id IN ("        \
                             "SELECT id FROM notify_deliveries WHERE created < ?1 AND "  \
                             "status IN ('sent', 'failed', 'suppressed', 'cancelled') "  \
                             "ORDER BY id LIMIT ?2)")                                    \
    X(STMT_NT_DLV_PRUNE, "DELETE FROM notify_deliveries WHERE id IN ("                   \
                         "SELECT id FROM notify_deliveries WHERE created < ?1 AND "      \
                         "status IN ('sent', 'failed', 'suppressed', 'cancelled') "      \
                         "ORDER BY id LIMIT ?2)")                                        \
    X(STMT_NT_ATT_INSERT, "INSERT INTO notify_attempts(delivery_id, at, duration, "      \
                          "http_status, error, response) VALUES (?1, ?2, ?3, ?4, ?5, ?6)") \
    X(STMT_NT_ATT_LIST, "SELECT id, delivery_id, at, duration, http_status, error, "     \
                        "response FROM notify_attempts WHERE delivery_id = ?1 "          \
                        "ORDER BY id LIMIT 100")

#endif
