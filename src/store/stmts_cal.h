/* The SQL of the working-day calendar (store/calendar.c); see stmts.h. */
#ifndef YW_STORE_STMTS_CAL_H
#define YW_STORE_STMTS_CAL_H

#define STORE_CAL_STMTS(X)                                                               \
    /* years added by the administrator, each replacing the shipped block */             \
    X(STMT_CAL_LIST, "SELECT year, text, updated, by_user FROM calendar_years "          \
                     "ORDER BY year")                                                    \
    X(STMT_CAL_PUT, "INSERT INTO calendar_years(year, text, updated, by_user) "          \
                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT(year) DO UPDATE SET "           \
                    "text = excluded.text, updated = excluded.updated, "                 \
                    "by_user = excluded.by_user")

#endif
