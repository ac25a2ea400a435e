/*
 * api_ops — the route tables of the incident desk and what serves it:
 * incidents and SLA figures (api_incidents.c), notification channels, rules,
 * the duty roster and the delivery log (api_notify.c), the working-day
 * calendar (api_calendar.c). The server serves them like api_routes.
 */
#ifndef YW_HTTP_API_OPS_H
#define YW_HTTP_API_OPS_H

#include <stddef.h>

#include "http/router.h"

extern const struct route api_incident_routes[];
extern const size_t api_incident_nroutes;
extern const struct route api_notify_routes[];
extern const size_t api_notify_nroutes;
extern const struct route api_calendar_routes[];
extern const size_t api_calendar_nroutes;

#endif
