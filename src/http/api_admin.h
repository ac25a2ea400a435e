/*
 * api_admin — the administration routes (users, organisation units, role
 * grants, API tokens, the security policy, the audit log), defined in
 * src/http/api_admin_*.c. Each entry carries its permission (router.h:
 * act, flags); the server searches api_routes (api.h) first, then this
 * table, and checks every entry of both in the same one place before the
 * handler runs. Until those files exist, auth_admin_stub.c defines an empty
 * table so that the server builds.
 */
#ifndef YW_HTTP_API_ADMIN_H
#define YW_HTTP_API_ADMIN_H

#include <stddef.h>

#include "http/router.h"

extern const struct route api_admin_routes[];
extern const size_t api_admin_nroutes;

#endif
