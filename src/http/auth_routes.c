/* Every route of the monitoring API and the session endpoints, with the
 * permission each needs (router.h). The administration routes are in
 * api_admin_*.c; the server searches this table first.
 *
 * Deny by default: a route without ROUTE_PUBLIC needs an authenticated
 * caller whose roles grant act. Public: /healthz (the load balancer's probe),
 * the heartbeat push (authenticated by its own token in the path), the login
 * POST and the setup of the first administrator (one-time token). */
#include "http/api.h"

#define PUB ROUTE_PUBLIC
/* Whoami and logout work in every limited session; the password change too. */
#define LIMITED (ROUTE_PWCHANGE | ROUTE_ENROL)

const struct route api_routes[] = {
    {"GET", "/healthz", api_healthz, ACT_OPS_READ, PUB, NULL, NULL},
    {"GET", "/metrics", api_metrics, ACT_OPS_READ, 0, NULL, NULL},

    {"GET", "/api/v1/systems", api_systems_list, ACT_OPS_READ, 0, NULL, NULL},
    {"POST", "/api/v1/systems", api_systems_create, ACT_MONITOR_WRITE, 0, "system.create", NULL},
    {"GET", "/api/v1/systems/{id}", api_systems_get, ACT_OPS_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/systems/{id}", api_systems_update, ACT_MONITOR_WRITE, 0, "system.update",
     api_systems_get},
    {"DELETE", "/api/v1/systems/{id}", api_systems_delete, ACT_MONITOR_WRITE, 0, "system.delete",
     api_systems_get},
    {"GET", "/api/v1/systems/{id}/availability", api_systems_avail, ACT_OPS_READ, 0, NULL, NULL},

    {"GET", "/api/v1/monitors", api_monitors_list, ACT_OPS_READ, 0, NULL, NULL},
    {"POST", "/api/v1/monitors", api_monitors_create, ACT_MONITOR_WRITE, 0, "monitor.create",
     NULL},
    {"GET", "/api/v1/monitors/{id}", api_monitors_get, ACT_OPS_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/monitors/{id}", api_monitors_update, ACT_MONITOR_WRITE, 0,
     "monitor.update", api_monitors_get},
    {"DELETE", "/api/v1/monitors/{id}", api_monitors_delete, ACT_MONITOR_WRITE, 0,
     "monitor.delete", api_monitors_get},
    {"POST", "/api/v1/monitors/{id}/pause", api_monitors_pause, ACT_MONITOR_OPERATE, 0,
     "monitor.pause", api_monitors_get},
    {"POST", "/api/v1/monitors/{id}/resume", api_monitors_resume, ACT_MONITOR_OPERATE, 0,
     "monitor.resume", api_monitors_get},
    {"GET", "/api/v1/monitors/{id}/results", api_results_list, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/monitors/{id}/events", api_monitor_events, ACT_OPS_READ, 0, NULL, NULL},
    {"GET", "/api/v1/monitors/{id}/availability", api_monitors_avail, ACT_OPS_READ, 0, NULL,
     NULL},

    {"GET", "/api/v1/events", api_events_list, ACT_OPS_READ, 0, NULL, NULL},

    {"GET", "/api/v1/maintenance", api_maint_list, ACT_OPS_READ, 0, NULL, NULL},
    {"POST", "/api/v1/maintenance", api_maint_create, ACT_MAINT_WRITE, 0, "maint.create", NULL},
    {"GET", "/api/v1/maintenance/{id}", api_maint_get, ACT_OPS_READ, 0, NULL, NULL},
    {"PUT", "/api/v1/maintenance/{id}", api_maint_update, ACT_MAINT_WRITE, 0, "maint.update",
     api_maint_get},
    {"DELETE", "/api/v1/maintenance/{id}", api_maint_delete, ACT_MAINT_WRITE, 0, "maint.delete",
     api_maint_get},

    /* Heartbeats are data, like probe results: not audited one by one. */
    {"GET", "/api/v1/push/{token}", api_push, ACT_OPS_READ, PUB | ROUTE_NO_AUDIT, NULL, NULL},
    {"POST", "/api/v1/push/{token}", api_push, ACT_OPS_READ, PUB | ROUTE_NO_AUDIT, NULL, NULL},

    /* The caller's own session. The handlers write their own audit records. */
    {"POST", "/api/v1/session", api_session_login, ACT_SELF, PUB | ROUTE_RATE, NULL, NULL},
    {"GET", "/api/v1/session", api_session_whoami, ACT_SELF, LIMITED, NULL, NULL},
    {"DELETE", "/api/v1/session", api_session_logout, ACT_SELF, LIMITED, NULL, NULL},
    {"POST", "/api/v1/session/password", api_session_password, ACT_SELF, LIMITED | ROUTE_RATE,
     NULL, NULL},
    {"POST", "/api/v1/session/totp/enrol", api_totp_enrol, ACT_SELF, ROUTE_ENROL, NULL, NULL},
    {"POST", "/api/v1/session/totp/confirm", api_totp_confirm, ACT_SELF,
     ROUTE_ENROL | ROUTE_RATE, NULL, NULL},
    {"GET", "/api/v1/sessions", api_sessions_list, ACT_SELF, 0, NULL, NULL},
    {"DELETE", "/api/v1/sessions/{id}", api_sessions_end, ACT_SELF, 0, NULL, NULL},

    {"POST", "/api/v1/setup", api_setup, ACT_SELF, PUB | ROUTE_RATE, NULL, NULL},
};

const size_t api_nroutes = sizeof api_routes / sizeof api_routes[0];
