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
 *     dns:       host (the name to resolve), record (A|AAAA), expect: [addr], server
 *     ping:      host        postgres: conninfo, query, expect
 *     heartbeat: grace, token
 *   maintenance: [{name, title, systems: [..], monitors: [..], recurrence:
 *                  once|daily|weekly|monthly, start, end, day, zone, from, until}]
 *     once: start/end are RFC 3339 or "YYYY-MM-DD HH:MM" in zone;
 *     recurring: start/end "HH:MM"; weekly day: sunday..saturday (or 周日..);
 *     monthly day: 1..31 or "last".
 * Durations are strings "10s", "5m", "1h30m", "24h", "7d".
 *
 * Details the list above leaves open, as implemented:
 * - dns: the name to resolve is `host`, not `name` (which is the monitor's own
 *   name); it fills monitor_spec.dns.name. expect addresses are stored in
 *   canonical form (inet_ntop), and must match the record's family.
 * - Scalars are typed the YAML 1.2 way: `port: 80` is a number, `port: "80"` a
 *   string (an error there); `yes`/`no`/`on`/`off` are strings, not booleans;
 *   `start: 02:00` is the string "02:00". A bare number is not a duration.
 * - tier defaults to general. status items are codes 100..599 or "lo-hi"
 *   strings. max_latency and grace accept "0s" (= none). timeout is >= 100ms
 *   and, when given, must not exceed interval (the default 10s is capped at
 *   it). weekly days also accept sun..sat (any case) and 星期日..星期六,
 *   周天/星期天. from/until (recurring only) take the same forms as a once
 *   start; a bare date is midnight at its start in zone (until is exclusive).
 *   A window needs at least one system or monitor. Names must be unique per
 *   kind; heartbeat tokens must be unique in the file.
 * - YAML: one document; anchors are allowed but aliases (and so merge keys
 *   `<<: *x`) are refused; tags other than !!str are refused; a key may
 *   appear once per mapping; nesting is limited to 64 levels and 256 keys a
 *   mapping; the file must be UTF-8 (a BOM is fine) and at most 4 MiB.
 * - API bodies: the read-only keys the API adds (id, provisioned, state,
 *   state_since, state_reason, created, updated, push_url, active, next; and
 *   monitors, a system's count) are ignored at the top level of a body, so a
 *   GET answer can be PUT back; any other unknown key is an error.
 * - *_to_json also writes "provisioned" (ignored when read back). Without
 *   secrets, besides the conninfo password (key=value password=/sslpassword=,
 *   and URI user:PASS@ and ?password=) and the heartbeat token, an http url's
 *   user:PASS@ and the value of secret-looking headers (Authorization,
 *   Proxy-Authorization, Cookie, names containing token/secret/password/api-key)
 *   become "***". A caller that takes such a body back (PUT) must restore
 *   the stored secret where it sees "***" and keep the stored token when none
 *   is given.
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
/* The line of the file an error about a section's item is about, from the
 * field its validator names ("channels[2].url", "rules[0].steps[1].to",
 * "duty.shifts[0].user", "sla.levels.1.response"): the item's line, else
 * the section's, else 0. */
int config_section_line(const struct config *c, const char *field);

#endif
