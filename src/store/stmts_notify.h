/* The SQL of notification channels, rules, duty roster and deliveries (store/notify.c); see stmts.h. */
#ifndef YW_STORE_STMTS_NOTIFY_H
#define YW_STORE_STMTS_NOTIFY_H

#define STORE_NOTIFY_STMTS(X)

#endif
