/*
 * config — parsing the YAML config file and API JSON bodies into the checked
 * structures of core/model.h. One validator serves both sources: YAML nodes
 * carry line and column, JSON nodes a field path, so an error reads
 * "FILE:LINE:COL: message" for a file and names the field for the API.
 *
 * The YAML schema (keys are snake_case; unknown keys are errors):
 *   retention_days: 30
 *   systems:     [{name, title, tier: key|general}]
 *   monitors:    [{name, system, title, type, interval, retry_interval, timeout,
 *                  retries, recover, critical, paused, + type fields}]
 *     http:      url, method, headers: {Name: value}, body, status: [200, "200-299"],
 *                keyword, keyword_absent, json: [{path, exists|equals}],
 *                max_latency, follow_redirects, max_redirects, tls_verify
 *     tls:       host, port, min_days, verify      tcp: host, port
 *     dns:       name, record (A|AAAA), expect: [addr], server
 *     ping:      host        postgres: conninfo, query, expect
 *     heartbeat: grace, token
 *   maintenance: [{name, title, systems: [..], monitors: [..], recurrence:
 *                  once|daily|weekly|monthly, start, end, day, zone, from, until}]
 *     once: start/end are RFC 3339 or "YYYY-MM-DD HH:MM" in zone;
 *     recurring: start/end "HH:MM"; weekly day: sunday..saturday (or 周日..);
 *     monthly day: 1..31 or "last".
 * Durations are strings "10s", "5m", "1h30m", "24h", "7d".
 */
#ifndef YW_CORE_CONFIG_H
#define YW_CORE_CONFIG_H

#include <jansson.h>
#include <stdio.h>

#include "core/err.h"
#include "core/model.h"

/* Collected diagnostics, one per problem found, in file order. */
struct diag {
    char **lines; size_t n, cap; /* each "FILE:LINE:COL: message" or "field: message" */
};
#define DIAG_INIT {NULL, 0, 0}
void diag_release(struct diag *d);
void diag_print(const struct diag *d, FILE *to);

/* Parses and validates the whole file. Reports every problem (up to 100) in
 * diags. Returns 0 and fills *out (provisioned = true on every object); on any
 * error returns -1 and leaves *out zeroed. A file larger than 4 MiB is refused. */
int config_load_file(const char *path, struct config *out, struct diag *diags);
/* Same over a buffer; name is used in the diagnostics. */
int config_load_buffer(const char *name, const char *data, size_t len, struct config *out,
                       struct diag *diags);

/* API bodies. Each parses a JSON object into a checked struct. On error
 * returns -1, *out zeroed, err names the field (err->field) and the reason.
 * Existence of referenced systems/monitors is NOT checked here (the store does). */
int config_system_from_json(const json_t *j, struct system_spec *out, struct yw_err *err);
int config_monitor_from_json(const json_t *j, struct monitor_spec *out, struct yw_err *err);
int config_maint_from_json(const json_t *j, struct maint_spec *out, struct yw_err *err);

/* Canonical JSON (the same keys as the YAML and the API accept). For monitors,
 * secrets are included only when with_secrets is true: the postgres conninfo
 * password is replaced by "***" and the heartbeat token omitted otherwise.
 * Round trip: config_monitor_from_json(config_monitor_to_json(m, true)) == m. */
json_t *config_system_to_json(const struct system_spec *s);
json_t *config_monitor_to_json(const struct monitor_spec *m, bool with_secrets);
json_t *config_maint_to_json(const struct maint_spec *w);

/* `yunwei config check FILE`: prints diagnostics to stderr, a summary to
 * stdout; returns the exit status (0 ok, 2 errors). */
int config_check_main(const char *path);

#endif
