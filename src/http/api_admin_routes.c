/* The administration routes and what each needs (router.h). The server
 * checks act before the handler runs; the handlers check only what depends
 * on the object (one's own roles, one's own account, someone else's token).
 * Every handler that changes something calls api_audit itself, with the
 * before and after images, so no entry needs the server's default record
 * (audit names are given anyway: they are what the handlers record). */
#include "http/api.h"
#include "http/api_admin.h"
#include "http/api_admin_util.h"

const struct route api_admin_routes[] = {
    /* organisation tree */
    {"GET", "/api/v1/orgs", api_admin_orgs_list, ACT_ORG_READ, 0, NULL, NULL},
    {"POST", "/api/v1/orgs", api_admin_orgs_create, ACT_USER_WRITE, 0, "org.create", NULL},
    {"GET", "/api/v1/orgs/{id}", api_admin_orgs_get, ACT_ORG_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/orgs/{id}", api_admin_orgs_update, ACT_USER_WRITE, 0, "org.update", NULL},
    {"DELETE", "/api/v1/orgs/{id}", api_admin_orgs_delete, ACT_USER_WRITE, 0, "org.delete",
     NULL},

    /* accounts */
    {"GET", "/api/v1/users", api_admin_users_list, ACT_ORG_READ, 0, NULL, NULL},
    {"POST", "/api/v1/users", api_admin_users_create, ACT_USER_WRITE, 0, "user.create", NULL},
    {"GET", "/api/v1/users/{id}", api_admin_users_get, ACT_ORG_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/users/{id}", api_admin_users_update, ACT_USER_WRITE, 0, "user.update",
     NULL},
    {"POST", "/api/v1/users/{id}/reset-password", api_admin_users_reset_password, ACT_USER_WRITE,
     0, "user.password_reset", NULL},
    {"POST", "/api/v1/users/{id}/unlock", api_admin_users_unlock, ACT_USER_WRITE, 0,
     "user.unlock", NULL},
    {"PUT", "/api/v1/users/{id}/roles", api_admin_users_roles, ACT_ROLE_GRANT, 0, "role.grant",
     NULL},

    /* API tokens: one's own (ACT_SELF); anyone's needs ACT_TOKEN_MANAGE,
     * checked by the handlers (all=1, revoking another's token). Making one
     * is rate-limited like a login: a token is a credential. */
    {"GET", "/api/v1/tokens", api_admin_tokens_list, ACT_SELF, 0, NULL, NULL},
    {"POST", "/api/v1/tokens", api_admin_tokens_create, ACT_SELF, ROUTE_RATE, "token.create",
     NULL},
    {"DELETE", "/api/v1/tokens/{id}", api_admin_tokens_delete, ACT_SELF, 0, "token.revoke", NULL},

    /* security policy */
    {"GET", "/api/v1/policy", api_admin_policy_get, ACT_POLICY_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/policy", api_admin_policy_put, ACT_POLICY_WRITE, 0, "policy.update", NULL},

    /* audit trail: reading it is recorded by the handlers */
    {"GET", "/api/v1/audit", api_admin_audit_list, ACT_AUDIT_READ, 0, NULL, NULL},
    {"GET", "/api/v1/audit.csv", api_admin_audit_csv, ACT_AUDIT_READ, 0, NULL, NULL},
    {"GET", "/api/v1/audit/verify", api_admin_audit_verify, ACT_AUDIT_READ, 0, NULL, NULL},
};

const size_t api_admin_nroutes = sizeof api_admin_routes / sizeof api_admin_routes[0];
