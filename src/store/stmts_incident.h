/* The SQL of incidents (store/incidents.c); see stmts.h. */
#ifndef YW_STORE_STMTS_INCIDENT_H
#define YW_STORE_STMTS_INCIDENT_H

/* An incident with the names of its system, assignee and monitor: one
 * query, no N+1. Column order is incidents.c's inc_decode. */
#define SQL_INC_COLS                                                                     \
    "SELECT i.id, i.title, i.level, i.system_id, s.name, i.source, i.reporter, "         \
    "i.assignee_id, u.name, i.state, i.notice, i.responded, i.onsite_needed, i.onsite, " \
    "i.resolved, i.closed, i.vendor, i.vendor_name, i.cause, i.fix, i.prevention, "      \
    "i.monitor_id, m.name, i.outage_start, i.recovered, i.report_due, "                  \
    "i.report_submitted, i.report, i.report_stage, i.created, i.updated "                \
    "FROM incidents i LEFT JOIN systems s ON s.id = i.system_id "                        \
    "LEFT JOIN users u ON u.id = i.assignee_id "                                         \
    "LEFT JOIN monitors m ON m.id = i.monitor_id "
/* What the clock ticker watches; the same text as the partial index
 * incidents_active (migration 4), so that SQLite uses it. */
#define SQL_INC_ACTIVE                                                                   \
    "(i.state <> 'closed' OR (i.report_due > 0 AND i.report_submitted = 0 "              \
    "AND i.report_stage < 2))"
#define SQL_INC_SPAN_COLS "SELECT p.incident_id, p.kind, p.start, p.\"end\", p.vendor "
/* The state's bit in a set of enum inc_state (incident.h order). */
#define SQL_INC_STATE_BIT                                                                \
    "(1 << CASE i.state WHEN 'new' THEN 0 WHEN 'responded' THEN 1 WHEN 'onsite' THEN 2 " \
    "WHEN 'resolved' THEN 3 ELSE 4 END)"
#define SQL_INC_HAS(n) "instr(lower(coalesce(" n ", '')), lower(?8)) > 0"

#define STORE_INCIDENT_STMTS(X)                                                          \
    X(STMT_INC_INSERT,                                                                   \
      "INSERT INTO incidents(id, title, level, system_id, source, reporter, assignee_id, " \
      "state, notice, responded, onsite_needed, onsite, resolved, closed, vendor, "      \
      "vendor_name, cause, fix, prevention, monitor_id, outage_start, recovered, "       \
      "report_due, report_submitted, report, report_stage, updated, created) VALUES "    \
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "    \
      "?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28)")                          \
    X(STMT_INC_UPDATE,                                                                   \
      "UPDATE incidents SET title = ?2, level = ?3, system_id = ?4, source = ?5, "       \
      "reporter = ?6, assignee_id = ?7, state = ?8, notice = ?9, responded = ?10, "      \
      "onsite_needed = ?11, onsite = ?12, resolved = ?13, closed = ?14, vendor = ?15, "  \
      "vendor_name = ?16, cause = ?17, fix = ?18, prevention = ?19, monitor_id = ?20, "  \
      "outage_start = ?21, recovered = ?22, report_due = ?23, report_submitted = ?24, "  \
      "report = ?25, report_stage = ?26, updated = ?27 WHERE id = ?1")                   \
    /* a read transaction: a row and its spans agree */                                  \
    X(STMT_INC_BEGIN_READ, "BEGIN")                                                      \
    X(STMT_INC_GET, SQL_INC_COLS "WHERE i.id = ?1")                                      \
    X(STMT_INC_EXISTS, "SELECT 1 FROM incidents WHERE id = ?1")                          \
    X(STMT_INC_LIST,                                                                     \
      SQL_INC_COLS "WHERE (?1 = 0 OR (?1 & " SQL_INC_STATE_BIT ") <> 0) "                \
      "AND (?2 IS NULL OR i.level = ?2) AND (?3 IS NULL OR i.system_id = ?3) "           \
      "AND (?4 IS NULL OR i.source = ?4) AND (?5 IS NULL OR i.assignee_id = ?5) "        \
      "AND (?6 IS NULL OR i.notice >= ?6) AND (?7 IS NULL OR i.notice < ?7) "            \
      "AND (?8 IS NULL OR " SQL_INC_HAS("i.title") " OR " SQL_INC_HAS("i.reporter")      \
      " OR " SQL_INC_HAS("i.cause") " OR " SQL_INC_HAS("i.fix") " OR "                   \
      SQL_INC_HAS("i.prevention") ") "                                                   \
      "AND i.id < ?9 ORDER BY i.id DESC LIMIT ?10")                                      \
    X(STMT_INC_PERIOD,                                                                   \
      SQL_INC_COLS "WHERE i.notice >= ?1 AND i.notice < ?2 "                             \
      "AND (?3 IS NULL OR i.system_id = ?3) ORDER BY i.notice, i.id LIMIT ?4")           \
    X(STMT_INC_ACTIVE, SQL_INC_COLS "WHERE " SQL_INC_ACTIVE " ORDER BY i.id")            \
    X(STMT_INC_FOR_MONITOR,                                                              \
      SQL_INC_COLS "WHERE i.monitor_id = ?1 "                                            \
      "ORDER BY (i.state <> 'closed') DESC, i.id DESC LIMIT 1")                          \
    X(STMT_INC_REPORT_STAGE,                                                             \
      "UPDATE incidents SET report_stage = ?2 WHERE id = ?1 AND report_stage < ?2 "      \
      "AND report_submitted = 0")                                                        \
    /* references */                                                                     \
    X(STMT_INC_SYS_LIVE, "SELECT 1 FROM systems WHERE id = ?1 AND deleted_at IS NULL")   \
    X(STMT_INC_USER_EXISTS, "SELECT 1 FROM users WHERE id = ?1")                         \
    X(STMT_INC_MON_EXISTS, "SELECT 1 FROM monitors WHERE id = ?1")                       \
    /* spans */                                                                          \
    X(STMT_INC_SPANS_ONE,                                                                \
      SQL_INC_SPAN_COLS "FROM incident_spans p WHERE p.incident_id = ?1 "                \
      "ORDER BY p.start, p.id")                                                          \
    X(STMT_INC_SPANS_RANGE,                                                              \
      SQL_INC_SPAN_COLS "FROM incident_spans p WHERE p.incident_id BETWEEN ?1 AND ?2 "   \
      "ORDER BY p.incident_id, p.start, p.id")                                           \
    X(STMT_INC_SPANS_PERIOD,                                                             \
      SQL_INC_SPAN_COLS "FROM incident_spans p JOIN incidents i ON i.id = p.incident_id " \
      "WHERE i.notice >= ?1 AND i.notice < ?2 AND (?3 IS NULL OR i.system_id = ?3) "     \
      "ORDER BY p.incident_id, p.start, p.id")                                           \
    X(STMT_INC_SPANS_ACTIVE,                                                             \
      SQL_INC_SPAN_COLS "FROM incident_spans p JOIN incidents i ON i.id = p.incident_id " \
      "WHERE " SQL_INC_ACTIVE " ORDER BY p.incident_id, p.start, p.id")                  \
    X(STMT_INC_SPANS_DELETE, "DELETE FROM incident_spans WHERE incident_id = ?1")        \
    X(STMT_INC_SPAN_INSERT,                                                              \
      "INSERT INTO incident_spans(incident_id, kind, start, \"end\", vendor) "           \
      "VALUES (?1, ?2, ?3, ?4, ?5)")                                                     \
    /* the timeline */                                                                   \
    X(STMT_INC_EV_INSERT,                                                                \
      "INSERT INTO incident_events(incident_id, at, kind, by_user, text, data) "         \
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                                                 \
    X(STMT_INC_EV_LIST,                                                                  \
      "SELECT id, incident_id, at, kind, by_user, text, data FROM incident_events "      \
      "WHERE incident_id = ?1 ORDER BY at, id LIMIT ?2")                                 \
    X(STMT_INC_EV_COUNT, "SELECT count(*) FROM incident_events WHERE incident_id = ?1")  \
    /* SLA marks */                                                                      \
    X(STMT_INC_MARK_INSERT,                                                              \
      "INSERT OR IGNORE INTO sla_marks(incident_id, clock, kind, at) "                   \
      "VALUES (?1, ?2, ?3, ?4)")                                                         \
    X(STMT_INC_MARKS_ACTIVE,                                                             \
      "SELECT k.incident_id, k.clock, k.kind, k.at FROM sla_marks k "                    \
      "JOIN incidents i ON i.id = k.incident_id WHERE " SQL_INC_ACTIVE                   \
      " ORDER BY k.incident_id, k.at")                                                   \
    X(STMT_INC_MARKS_OF,                                                                 \
      "SELECT incident_id, clock, kind, at FROM sla_marks WHERE incident_id = ?1 "       \
      "ORDER BY at")

#endif
