/* The SQL of incidents (store/incidents.c); see stmts.h. */
#ifndef YW_STORE_STMTS_INCIDENT_H
#define YW_STORE_STMTS_INCIDENT_H

#define STORE_INCIDENT_STMTS(X)

#endif
