/* The SQL of the working-day calendar (store/calendar.c); see stmts.h. */
#ifndef YW_STORE_STMTS_CAL_H
#define YW_STORE_STMTS_CAL_H

#define STORE_CAL_STMTS(X)

#endif
