/*
 * The config parser: the example, every class of error with its
 * FILE:LINE:COL (positions counted by hand, 1-based, in characters), API
 * bodies (the field named), round trips, and secrets.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "core/mem.h"
#include "t.h"

static struct config C;
static struct diag D = DIAG_INIT;

static int load_n(const char *data, size_t len)
{
    config_release(&C);
    diag_release(&D);
    return config_load_buffer("c.yaml", data, len, &C, &D);
}

static int load(const char *yaml)
{
    return load_n(yaml, strlen(yaml));
}

static void dump_diags(void)
{
    for (size_t i = 0; i < D.n; i++)
        printf("#     got: %s\n", D.lines[i]);
}

/* The file must fail with exactly these lines, in this order. */
static void expect_diags(int line, const char *yaml, const char *const *want)
{
    int rc = load(yaml);
    size_t n = 0;
    while (want[n])
        n++;
    bool ok = rc == -1 && D.n == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = strcmp(D.lines[i], want[i]) == 0;
    if (!ok) {
        printf("#   %s:%d: diagnostics differ (rc %d)\n", __FILE__, line, rc);
        for (size_t i = 0; i < n; i++)
            printf("#    want: %s\n", want[i]);
        dump_diags();
        t_cur_failed++;
    }
    CHECK(C.nsystems == 0 && C.nmonitors == 0 && C.nmaint == 0); /* zeroed on error */
}
#define EXPECT(yaml, ...) expect_diags(__LINE__, (yaml), (const char *const[]){__VA_ARGS__, NULL})

static void expect_ok(int line, const char *yaml)
{
    if (load(yaml) != 0) {
        printf("#   %s:%d: expected the config to load\n", __FILE__, line);
        dump_diags();
        t_cur_failed++;
    }
}
#define EXPECT_OK(yaml) expect_ok(__LINE__, (yaml))

/* Two lines of systems, so monitors begin on line 3. */
#define SYS "systems:\n  - name: s\n"

static const char example[] =
    "systems:\n"
    "  - name: portal                 # 数据资源门户\n"
    "    tier: key                    # key (重点保障) | general (一般保障)\n"
    "monitors:\n"
    "  - name: portal-home\n"
    "    system: portal\n"
    "    type: http\n"
    "    url: https://portal.example.gov.cn/\n"
    "    keyword: 数据资源中心          # must appear; `keyword_absent:` for the reverse\n"
    "    interval: 60s\n"
    "    timeout: 10s\n"
    "    retries: 2\n"
    "    critical: true\n"
    "  - name: sharing-api\n"
    "    system: portal\n"
    "    type: http\n"
    "    url: https://api.example.gov.cn/v1/catalog?page=1\n"
    "    json:\n"
    "      - path: data.total\n"
    "        exists: true\n"
    "      - path: code\n"
    "        equals: 0\n"
    "  - name: db-port\n"
    "    system: portal\n"
    "    type: tcp\n"
    "    host: 10.0.0.5\n"
    "    port: 5432\n"
    "  - name: nightly-etl\n"
    "    system: portal\n"
    "    type: heartbeat\n"
    "    interval: 24h\n"
    "    grace: 30m\n"
    "maintenance:\n"
    "  - name: weekly-patch\n"
    "    systems: [portal]            # or monitors: [...]\n"
    "    recurrence: weekly           # once | daily | weekly | monthly\n"
    "    day: sunday\n"
    "    start: \"02:00\"\n"
    "    end: \"04:00\"\n";

/* ---------------------------------------------------------------- the example */

TEST(example_parses)
{
    EXPECT_OK(example);
    CHECK_INT(D.n, 0);
    CHECK_INT(C.nsystems, 1);
    CHECK_INT(C.nmonitors, 4);
    CHECK_INT(C.nmaint, 1);
    CHECK_INT(C.retention_days, 30);
    if (C.nsystems != 1 || C.nmonitors != 4 || C.nmaint != 1)
        return;

    CHECK_STR(C.systems[0].name, "portal");
    CHECK(C.systems[0].title == NULL);
    CHECK_INT(C.systems[0].tier, TIER_KEY);
    CHECK(C.systems[0].provisioned);

    const struct monitor_spec *m = &C.monitors[0];
    CHECK_STR(m->name, "portal-home");
    CHECK_STR(m->system, "portal");
    CHECK_INT(m->type, MT_HTTP);
    CHECK_STR(m->http.url, "https://portal.example.gov.cn/");
    CHECK_STR(m->http.keyword, "数据资源中心");
    CHECK(m->http.keyword_absent == NULL);
    CHECK_INT(m->interval, 60000);
    CHECK_INT(m->retry_interval, 60000);
    CHECK_INT(m->timeout, 10000);
    CHECK_INT(m->retries, 2);
    CHECK_INT(m->recover, 1);
    CHECK(m->critical);
    CHECK(!m->paused);
    CHECK(m->provisioned);
    CHECK_STR(m->http.method, "GET");
    CHECK_INT(m->http.nstatus, 1);
    CHECK_INT(m->http.status[0].lo, 200);
    CHECK_INT(m->http.status[0].hi, 399);
    CHECK(m->http.follow_redirects);
    CHECK_INT(m->http.max_redirects, 5);
    CHECK(m->http.tls_verify);
    CHECK_INT(m->http.max_latency, 0);
    CHECK_INT(m->http.nheaders, 0);
    CHECK_INT(m->http.njson, 0);

    m = &C.monitors[1];
    CHECK_STR(m->name, "sharing-api");
    CHECK(!m->critical);
    CHECK_STR(m->http.url, "https://api.example.gov.cn/v1/catalog?page=1");
    CHECK_INT(m->http.njson, 2);
    if (m->http.njson == 2) {
        CHECK_STR(m->http.json[0].path, "data.total");
        CHECK_INT(m->http.json[0].op, JC_EXISTS);
        CHECK(m->http.json[0].exists);
        CHECK_STR(m->http.json[1].path, "code");
        CHECK_INT(m->http.json[1].op, JC_EQUALS);
        CHECK(json_is_integer(m->http.json[1].value));
        CHECK_INT(json_integer_value(m->http.json[1].value), 0);
    }

    m = &C.monitors[2];
    CHECK_INT(m->type, MT_TCP);
    CHECK_STR(m->tcp.host, "10.0.0.5");
    CHECK_INT(m->tcp.port, 5432);
    CHECK_INT(m->timeout, 10000);

    m = &C.monitors[3];
    CHECK_INT(m->type, MT_HEARTBEAT);
    CHECK_INT(m->interval, 24 * 3600 * 1000LL);
    CHECK_INT(m->retry_interval, 24 * 3600 * 1000LL);
    CHECK_INT(m->heartbeat.grace, 30 * 60 * 1000);
    CHECK(m->heartbeat.token == NULL);

    const struct maint_spec *w = &C.maint[0];
    CHECK_STR(w->name, "weekly-patch");
    CHECK_INT(w->nsystems, 1);
    if (w->nsystems)
        CHECK_STR(w->systems[0], "portal");
    CHECK_INT(w->nmonitors, 0);
    CHECK_INT(w->recurrence, MR_WEEKLY);
    CHECK_INT(w->day, 0);
    CHECK_INT(w->start_min, 120);
    CHECK_INT(w->end_min, 240);
    CHECK(w->zone == NULL);
    CHECK_INT(w->valid_from, 0);
    CHECK_INT(w->valid_until, 0);
    CHECK(w->provisioned);
}

TEST(defaults_and_types)
{
    EXPECT_OK(SYS
              "monitors:\n"
              "  - {name: a, system: s, type: tls, host: portal.example.gov.cn}\n"
              "  - {name: b, system: s, type: dns, host: portal.example.gov.cn}\n"
              "  - {name: c, system: s, type: ping, host: 10.0.0.1}\n"
              "  - {name: d, system: s, type: postgres, conninfo: host=db}\n"
              "  - {name: e, system: s, type: tcp, host: h, port: 1, interval: 5s}\n"
              "  - {name: f, system: s, type: http, url: 'http://h/', interval: 1s,\n"
              "     timeout: 100ms}\n"
              "  - {name: g, system: s, type: http, url: 'http://h/', interval: 2m,\n"
              "     retry_interval: 10s, timeout: 2m, retries: 5, recover: 3, paused: true,\n"
              "     method: post, status: [200, \"204\", \"300-302\"], max_latency: 1500ms,\n"
              "     follow_redirects: false, max_redirects: 0, tls_verify: false,\n"
              "     headers: {Accept: application/json, X-Trace: \"1\"}, body: \"{}\",\n"
              "     keyword_absent: error}\n"
              "retention_days: 90\n");
    CHECK_INT(C.retention_days, 90);
    CHECK_INT(C.nmonitors, 7);
    if (C.nmonitors != 7)
        return;
    const struct monitor_spec *m = C.monitors;
    CHECK_INT(m[0].tls.port, 443);
    CHECK_INT(m[0].tls.min_days, 14);
    CHECK(m[0].tls.verify);
    CHECK_STR(m[1].dns.name, "portal.example.gov.cn");
    CHECK_STR(m[1].dns.record, "A");
    CHECK_INT(m[1].dns.nexpect, 0);
    CHECK(m[1].dns.server == NULL);
    CHECK_STR(m[2].ping.host, "10.0.0.1");
    CHECK_STR(m[3].postgres.query, "SELECT 1");
    CHECK(m[3].postgres.expect == NULL);
    CHECK_INT(m[4].interval, 5000);
    CHECK_INT(m[4].timeout, 5000); /* the default 10s capped at the interval */
    CHECK_INT(m[5].timeout, 100);
    CHECK_INT(m[6].retry_interval, 10000);
    CHECK_INT(m[6].timeout, 120000); /* equal to the interval is fine */
    CHECK_INT(m[6].retries, 5);
    CHECK_INT(m[6].recover, 3);
    CHECK(m[6].paused);
    CHECK_STR(m[6].http.method, "POST");
    CHECK_INT(m[6].http.nstatus, 3);
    if (m[6].http.nstatus == 3) {
        CHECK_INT(m[6].http.status[0].lo, 200);
        CHECK_INT(m[6].http.status[0].hi, 200);
        CHECK_INT(m[6].http.status[1].lo, 204);
        CHECK_INT(m[6].http.status[2].lo, 300);
        CHECK_INT(m[6].http.status[2].hi, 302);
    }
    CHECK_INT(m[6].http.max_latency, 1500);
    CHECK(!m[6].http.follow_redirects);
    CHECK_INT(m[6].http.max_redirects, 0);
    CHECK(!m[6].http.tls_verify);
    CHECK_INT(m[6].http.nheaders, 2);
    if (m[6].http.nheaders == 2) {
        CHECK_STR(m[6].http.headers[0].name, "Accept");
        CHECK_STR(m[6].http.headers[0].value, "application/json");
        CHECK_STR(m[6].http.headers[1].name, "X-Trace");
        CHECK_STR(m[6].http.headers[1].value, "1");
    }
    CHECK_STR(m[6].http.body, "{}");
    CHECK_STR(m[6].http.keyword_absent, "error");
    CHECK(m[6].http.keyword == NULL);
}

TEST(empty_documents_are_empty_configs)
{
    EXPECT_OK("");
    CHECK_INT(C.nsystems + C.nmonitors + C.nmaint, 0);
    CHECK_INT(C.retention_days, 30);
    EXPECT_OK("# nothing yet\n");
    EXPECT_OK("---\n");
    EXPECT_OK("systems: []\nmonitors:\nmaintenance: ~\n");
}

/* ---------------------------------------------------------------- errors */

TEST(unknown_keys)
{
    EXPECT("systems:\n"
           "  - name: s\n"
           "    tiers: key\n",
           "c.yaml:3:5: tiers: unknown key; did you mean \"tier\"? (keys of a system: name, "
           "title, tier)");
    /* col 1 of line 1 */
    EXPECT("system:\n  - name: s\n",
           "c.yaml:1:1: system: unknown key; did you mean \"systems\"? (keys of the config "
           "file: retention_days, systems, monitors, maintenance, sla, channels, rules, duty)");
    /* a key of another monitor type */
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: tcp\n"
           "    host: h\n"
           "    port: 80\n"
           "    url: http://h/\n",
           "c.yaml:9:5: url: not a key of a tcp monitor (it is for http monitors); keys of a tcp "
           "monitor: name, system, title, type, interval, retry_interval, timeout, retries, "
           "recover, critical, paused, host, port");
    /* read-only API keys are not keys of the file */
    EXPECT("systems:\n  - {name: s, id: 3}\n",
           "c.yaml:2:15: id: unknown key (keys of a system: name, title, tier)");
    /* inside a json check; and the dns name to resolve is host, not name */
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: http\n"
           "    url: http://h/\n"
           "    json: [{path: a, exist: true}]\n",
           "c.yaml:8:12: json[0].exists: a json check needs exists: true|false or equals: VALUE",
           "c.yaml:8:22: json[0].exist: unknown key; did you mean \"exists\"? (keys of a json "
           "check: path, exists, equals)");
}

TEST(wrong_types)
{
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: tcp\n"
           "    host: h\n"
           "    port: \"80\"\n",
           "c.yaml:8:11: port: expected a whole number, got string \"80\"");
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: http\n"
           "    url: http://h/\n"
           "    keyword: 404\n"
           "    critical: yes\n"
           "    retries: 2.5\n"
           "    headers: [a]\n",
           "c.yaml:8:14: keyword: expected a string, got integer 404; put it in quotes to make "
           "it a string",
           "c.yaml:9:15: critical: expected true or false; \"yes\" is text here",
           "c.yaml:10:14: retries: expected a whole number, got number 2.5",
           "c.yaml:11:14: headers: expected a mapping, got a list");
    EXPECT("systems: {name: s}\n", "c.yaml:1:10: systems: expected a list, got a mapping");
    EXPECT("systems:\n  - portal\n",
           "c.yaml:2:5: systems[0]: expected a mapping like {name: portal, tier: key}, got "
           "string \"portal\"");
    EXPECT("- a\n", "c.yaml:1:1: the file must be a mapping with systems:, monitors: and "
                    "maintenance:, not a list");
}

TEST(durations)
{
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: heartbeat\n"
           "    interval: 10x\n"
           "    grace: 60\n"
           "    retry_interval: 500ms\n",
           "c.yaml:7:15: interval: bad duration \"10x\"; write a number and a unit (ms, s, m, "
           "h, d), e.g. 30s, 5m, 1h30m",
           "c.yaml:8:12: grace: a duration needs a unit: write \"60s\" for seconds (units: ms, "
           "s, m, h, d)",
           "c.yaml:9:21: retry_interval: must be at least 1s, got 500ms");
    EXPECT(SYS
           "monitors:\n"
           "  - {name: m, system: s, type: ping, host: h, interval: 1m, timeout: 2m}\n"
           "  - {name: n, system: s, type: ping, host: h, timeout: 50ms, interval: 32d}\n",
           "c.yaml:4:70: timeout: 2m is longer than the interval (1m)",
           "c.yaml:5:56: timeout: must be at least 100ms, got 50ms",
           "c.yaml:5:72: interval: must be at most 31d, got 32d");
}

TEST(out_of_range_numbers)
{
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: tls\n"
           "    host: h\n"
           "    port: 70000\n"
           "    min_days: -1\n"
           "    retries: 0\n"
           "    recover: 99999999999999999999\n"
           "retention_days: 0\n",
           "c.yaml:8:11: port: must be between 1 and 65535, got 70000",
           "c.yaml:9:15: min_days: must be between 0 and 3650, got -1",
           "c.yaml:10:14: retries: must be between 1 and 100, got 0",
           "c.yaml:11:14: recover: must be between 1 and 100, got 99999999999999999999",
           "c.yaml:12:17: retention_days: must be between 1 and 3650, got 0");
}

TEST(duplicate_names)
{
    EXPECT("systems:\n"
           "  - name: s\n"
           "  - name: t\n"
           "  - name: s\n"
           "  - name: s\n"
           "monitors:\n"
           "  - {name: m, system: s, type: heartbeat}\n"
           "  - {name: m, system: t, type: heartbeat}\n",
           "c.yaml:4:11: name: system \"s\" is already defined at line 2",
           "c.yaml:5:11: name: system \"s\" is already defined at line 2",
           "c.yaml:8:12: name: monitor \"m\" is already defined at line 7");
    /* a key written twice in one mapping */
    EXPECT("systems:\n"
           "  - name: s\n"
           "    tier: key\n"
           "    tier: general\n",
           "c.yaml:4:5: systems[0].tier: duplicate key \"tier\" (first at line 3)");
    /* a heartbeat token is a secret: the message never shows it */
    EXPECT(SYS
           "monitors:\n"
           "  - {name: a, system: s, type: heartbeat, token: abcdefghijklmnop}\n"
           "  - {name: b, system: s, type: heartbeat, token: abcdefghijklmnop}\n",
           "c.yaml:5:50: token: the same token as the heartbeat monitor at line 4; each needs "
           "its own");
}

TEST(unknown_references)
{
    EXPECT("systems:\n"
           "  - name: portal\n"
           "monitors:\n"
           "  - name: m\n"
           "    system: portl\n"
           "    type: heartbeat\n"
           "maintenance:\n"
           "  - name: w\n"
           "    systems: [portal, crm]\n"
           "    monitors: [m, mm, n]\n"
           "    recurrence: daily\n"
           "    start: \"01:00\"\n"
           "    end: \"02:00\"\n",
           "c.yaml:5:13: system: unknown system \"portl\"; did you mean \"portal\"?",
           "c.yaml:9:23: systems[1]: unknown system \"crm\"",
           "c.yaml:10:19: monitors[1]: unknown monitor \"mm\"; did you mean \"m\"?",
           "c.yaml:10:23: monitors[2]: unknown monitor \"n\"; did you mean \"m\"?");
}

TEST(required_fields_per_type)
{
    EXPECT(SYS
           "monitors:\n"
           "  - {name: a, system: s, type: http}\n"
           "  - {name: b, system: s, type: tcp}\n"
           "  - {name: c, system: s, type: tls}\n"
           "  - {name: d, system: s, type: dns}\n"
           "  - {name: e, system: s, type: ping}\n"
           "  - {name: f, system: s, type: postgres}\n"
           "  - {name: g, system: s, type: heartbeat}\n"
           "  - {name: h, system: s, type: tcp, host: ~, port: 1}\n"
           "  - {name: i, system: s}\n"
           "  - {system: s, type: heartbeat}\n",
           "c.yaml:4:5: url: required for an http monitor",
           "c.yaml:5:5: host: required for a tcp monitor",
           "c.yaml:5:5: port: required for a tcp monitor",
           "c.yaml:6:5: host: required for a tls monitor",
           "c.yaml:7:5: host: required for a dns monitor (the name to resolve)",
           "c.yaml:8:5: host: required for a ping monitor",
           "c.yaml:9:5: conninfo: required for a postgres monitor",
           "c.yaml:11:43: host: required for a tcp monitor",
           "c.yaml:12:5: type: required: http, tls, tcp, dns, ping, postgres or heartbeat",
           "c.yaml:13:5: name: required for a monitor");
    EXPECT("systems:\n  - tier: key\n", "c.yaml:2:5: name: required for a system");
}

TEST(urls)
{
    EXPECT(SYS
           "monitors:\n"
           "  - {name: a, system: s, type: http, url: 'ftp://h/'}\n"
           "  - {name: b, system: s, type: http, url: 'portal.example.gov.cn'}\n"
           "  - {name: c, system: s, type: http, url: 'http://h/a b'}\n"
           "  - {name: d, system: s, type: http, url: 'http://h:99999/'}\n"
           "  - {name: e, system: s, type: http, url: 'http://'}\n",
           "c.yaml:4:43: url: scheme \"ftp://\" is not supported: use http:// or https://",
           "c.yaml:5:43: url: \"portal.example.gov.cn\" must start with http:// or https://",
           "c.yaml:6:43: url: contains a space; write it as %20",
           "c.yaml:7:43: url: \"http://h:99999/\" is not a valid URL: Port number was not a "
           "decimal number between 0 and 65535",
           "c.yaml:8:43: url: \"http://\" is not a valid URL: No host part in the URL");
    EXPECT_OK(SYS "monitors:\n  - {name: a, system: s, type: http, url: 'HTTPS://h:8443/x?q=1'}\n");
}

TEST(json_checks)
{
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: http\n"
           "    url: http://h/\n"
           "    json:\n"
           "      - path: a..b\n"
           "        exists: true\n"
           "      - path: c\n"
           "        exists: true\n"
           "        equals: 1\n"
           "      - {path: d, equals: .inf}\n",
           "c.yaml:9:15: json[0].path: bad JSON path \"a..b\": expected a key after '.' at byte 2",
           "c.yaml:13:9: json[1].equals: give exists or equals, not both",
           "c.yaml:14:27: json[2].equals: .inf is not a JSON number");
    /* "0" quoted is a string, 0 plain an integer; values may be structured */
    EXPECT_OK(SYS
              "monitors:\n"
              "  - name: m\n"
              "    system: s\n"
              "    type: http\n"
              "    url: http://h/\n"
              "    json:\n"
              "      - {path: a, equals: \"0\"}\n"
              "      - {path: b, equals: 0}\n"
              "      - {path: c, equals: null}\n"
              "      - {path: d, equals: [1, {x: true}]}\n"
              "      - {path: e, exists: false}\n");
    const struct monitor_spec *m = C.nmonitors ? &C.monitors[0] : NULL;
    CHECK(m && m->http.njson == 5);
    if (!m || m->http.njson != 5)
        return;
    CHECK(json_is_string(m->http.json[0].value));
    CHECK_STR(json_string_value(m->http.json[0].value), "0");
    CHECK(json_is_integer(m->http.json[1].value));
    CHECK(json_is_null(m->http.json[2].value));
    json_t *want = json_loads("[1, {\"x\": true}]", 0, NULL);
    CHECK(json_equal(m->http.json[3].value, want));
    json_decref(want);
    CHECK_INT(m->http.json[4].op, JC_EXISTS);
    CHECK(!m->http.json[4].exists);
}

TEST(status_ranges)
{
    EXPECT(SYS
           "monitors:\n"
           "  - name: m\n"
           "    system: s\n"
           "    type: http\n"
           "    url: http://h/\n"
           "    status: [200, \"300-299\", \"2xx\", 99, 600, \"200-600\"]\n"
           "  - {name: n, system: s, type: http, url: 'http://h/', status: []}\n",
           "c.yaml:8:19: status[1]: the range 300-299 is backwards; write 299-300",
           "c.yaml:8:30: status[2]: \"2xx\" is not a status code (100-599) or a range like "
           "\"200-299\"",
           "c.yaml:8:37: status[3]: \"99\" is not a status code (100-599) or a range like "
           "\"200-299\"",
           "c.yaml:8:41: status[4]: \"600\" is not a status code (100-599) or a range like "
           "\"200-299\"",
           "c.yaml:8:46: status[5]: \"200-600\" is not a status code (100-599) or a range like "
           "\"200-299\"",
           "c.yaml:9:64: status: must list at least one code, e.g. [200, \"300-399\"]");
}

#define WIN(lines) SYS "maintenance:\n  - name: w\n    systems: [s]\n" lines

TEST(maintenance_errors)
{
    /* lines 1-2 systems, 3 maintenance:, 4 name, 5 systems, 6.. the rest */
    EXPECT(WIN("    recurrence: weekly\n"
               "    day: sundy\n"
               "    start: \"25:00\"\n"
               "    end: 4:60\n"
               "    zone: Asia/Shangai\n"),
           "c.yaml:7:10: day: \"sundy\" is not a day of the week: sunday..saturday, sun..sat or "
           "周日..周六",
           "c.yaml:8:12: start: \"25:00\" is not a time of day: write HH:MM, e.g. \"02:00\"",
           "c.yaml:9:10: end: \"4:60\" is not a time of day: write HH:MM, e.g. \"02:00\"",
           "c.yaml:10:11: zone: unknown time zone \"Asia/Shangai\": use a tz database name like "
           "Asia/Shanghai");
    EXPECT(WIN("    recurrence: once\n"
               "    start: 2026-11-25 04:00\n"
               "    end: 2026-11-25 02:00\n"),
           "c.yaml:8:10: end: the window ends before it starts");
    EXPECT(WIN("    recurrence: once\n"
               "    start: 2026-02-30 04:00\n"
               "    end: \"02:00\"\n"
               "    day: 1\n"),
           "c.yaml:7:12: start: \"2026-02-30 04:00\" is not a date and time: write \"2026-11-25 "
           "02:00\" (in zone) or RFC 3339",
           "c.yaml:8:10: end: \"02:00\" is not a date and time: write \"2026-11-25 02:00\" (in "
           "zone) or RFC 3339",
           "c.yaml:9:5: day: only weekly and monthly windows have a day");
    /* found by fuzzing: in 1013 Asia/Shanghai was +08:05:43, which RFC 3339 cannot write */
    EXPECT(WIN("    recurrence: once\n"
               "    start: 1013-11-25T02:00:00+08:00\n"
               "    end: 9000-01-01 00:00\n"
               "    zone: UTC\n"),
           "c.yaml:7:12: start: \"1013-11-25T02:00:00+08:00\" is not between the years 2000 and "
           "8999",
           "c.yaml:8:10: end: \"9000-01-01 00:00\" is not between the years 2000 and 8999");
    EXPECT(WIN("    recurrence: monthly\n"
               "    day: 32\n"
               "    start: \"02:00\"\n"
               "    end: \"03:00\"\n"),
           "c.yaml:7:10: day: 32 is not a day of the month: 1..31 or last");
    EXPECT(WIN("    recurrence: weekly\n"
               "    start: \"02:00\"\n"
               "    end: \"03:00\"\n"),
           "c.yaml:4:5: day: required for a weekly window: sunday..saturday");
    EXPECT(WIN("    recurrence: hourly\n"),
           "c.yaml:6:17: recurrence: \"hourly\" is not a recurrence (once, daily, weekly or "
           "monthly)");
    EXPECT(WIN("    recurrence: daily\n"
               "    start: \"02:00\"\n"
               "    end: \"03:00\"\n"
               "    from: 2026-12-01\n"
               "    until: 2026-11-01\n"),
           "c.yaml:10:12: until: until must be after from");
    EXPECT("maintenance:\n"
           "  - name: w\n"
           "    recurrence: daily\n"
           "    start: \"02:00\"\n"
           "    end: \"03:00\"\n",
           "c.yaml:2:5: systems: a window needs systems: [...] or monitors: [...]");
    /* a directory of the tz database is not a zone */
    EXPECT(WIN("    recurrence: daily\n"
               "    start: \"02:00\"\n"
               "    end: \"03:00\"\n"
               "    zone: Asia\n"),
           "c.yaml:9:11: zone: unknown time zone \"Asia\": use a tz database name like "
           "Asia/Shanghai");
}

TEST(maintenance_days_and_times)
{
    static const struct { const char *day; int want; } weekly[] = {
        {"sunday", 0}, {"Monday", 1}, {"tue", 2}, {"WED", 3}, {"thursday", 4}, {"fri", 5},
        {"saturday", 6}, {"周日", 0}, {"星期日", 0}, {"周天", 0}, {"星期天", 0}, {"周一", 1},
        {"星期三", 3}, {"周六", 6}, {"星期六", 6},
    };
    for (size_t i = 0; i < sizeof weekly / sizeof weekly[0]; i++) {
        char *y = xasprintf(WIN("    recurrence: weekly\n    day: %s\n"
                                "    start: \"23:00\"\n    end: \"01:30\"\n"), weekly[i].day);
        EXPECT_OK(y);
        CHECK(C.nmaint == 1 && C.maint[0].day == weekly[i].want);
        xfree(y);
    }
    CHECK(C.nmaint == 1 && C.maint[0].start_min == 23 * 60 && C.maint[0].end_min == 90);
    EXPECT_OK(WIN("    recurrence: monthly\n    day: last\n"
                  "    start: \"00:00\"\n    end: \"00:00\"\n"));
    CHECK(C.nmaint == 1 && C.maint[0].day == -1);
    EXPECT_OK(WIN("    recurrence: monthly\n    day: 31\n"
                  "    start: \"00:00\"\n    end: \"23:59\"\n"));
    CHECK(C.nmaint == 1 && C.maint[0].day == 31 && C.maint[0].end_min == 23 * 60 + 59);
    EXPECT(WIN("    recurrence: monthly\n    day: 0\n    start: \"00:00\"\n    end: \"01:00\"\n"),
           "c.yaml:7:10: day: 0 is not a day of the month: 1..31 or last");

    /* once: local time in the zone, or RFC 3339 with an offset */
    EXPECT_OK(WIN("    recurrence: once\n"
                  "    start: 2026-11-25 02:00\n"
                  "    end: 2026-11-25T04:30:00+08:00\n"
                  "    zone: Asia/Shanghai\n"));
    /* 2026-11-25T02:00+08:00 = 2026-11-24T18:00Z */
    CHECK(C.nmaint == 1 && C.maint[0].once_start == 1795543200000LL);
    CHECK(C.nmaint == 1 && C.maint[0].once_end == 1795543200000LL + 150 * 60000);
    EXPECT_OK(WIN("    recurrence: once\n"
                  "    start: 2026-11-25 02:00\n"
                  "    end: 2026-11-25 03:00\n"
                  "    zone: UTC\n"));
    CHECK(C.nmaint == 1 && C.maint[0].once_start == 1795572000000LL);
    /* recurring, bounded */
    EXPECT_OK(WIN("    recurrence: daily\n"
                  "    start: \"02:00\"\n"
                  "    end: \"03:00\"\n"
                  "    zone: UTC\n"
                  "    from: 2026-11-25\n"
                  "    until: 2026-12-25 12:00\n"));
    CHECK(C.nmaint == 1 && C.maint[0].valid_from == 1795564800000LL);
    CHECK(C.nmaint == 1 && C.maint[0].valid_until == 1795564800000LL + 30 * 86400000LL +
                                                          12 * 3600000LL);
    CHECK(C.nmaint == 1 && C.maint[0].zone && strcmp(C.maint[0].zone, "UTC") == 0);
}

TEST(names)
{
    char n64[65], n65[66];
    memset(n64, 'a', 64);
    n64[64] = '\0';
    memset(n65, 'a', 65);
    n65[65] = '\0';
    char *y = xasprintf("systems:\n  - name: %s\n  - name: 0a_b.c-d\n", n64);
    EXPECT_OK(y);
    xfree(y);
    y = xasprintf("systems:\n  - name: %s\n", n65);
    char *want = xasprintf("c.yaml:2:11: name: \"%.60s…\" is not a valid name: use 1 to 64 of "
                           "a-z 0-9 . _ -, starting with a letter or digit", n65);
    EXPECT(y, want);
    xfree(y);
    xfree(want);
    EXPECT("systems:\n  - name: -a\n  - name: Portal\n  - name: \"\"\n  - name: 数据\n",
           "c.yaml:2:11: name: \"-a\" is not a valid name: use 1 to 64 of a-z 0-9 . _ -, "
           "starting with a letter or digit",
           "c.yaml:3:11: name: \"Portal\" is not a valid name: use 1 to 64 of a-z 0-9 . _ -, "
           "starting with a letter or digit",
           "c.yaml:4:11: name: \"\" is not a valid name: use 1 to 64 of a-z 0-9 . _ -, "
           "starting with a letter or digit",
           "c.yaml:5:11: name: \"数据\" is not a valid name: use 1 to 64 of a-z 0-9 . _ -, "
           "starting with a letter or digit");
}

TEST(heartbeat_tokens)
{
    EXPECT_OK(SYS "monitors:\n"
                  "  - {name: a, system: s, type: heartbeat, token: abcdefghij_-KLMN0}\n");
    CHECK(C.nmonitors == 1 && strcmp(C.monitors[0].heartbeat.token, "abcdefghij_-KLMN0") == 0);
    char t64[65];
    memset(t64, 'x', 64);
    t64[64] = '\0';
    char *y = xasprintf(SYS "monitors:\n  - {name: a, system: s, type: heartbeat, token: %s}\n",
                        t64);
    EXPECT_OK(y);
    xfree(y);
    y = xasprintf(SYS "monitors:\n  - {name: a, system: s, type: heartbeat, token: %sx}\n", t64);
    EXPECT(y, "c.yaml:4:50: token: a token is 16 to 64 of A-Z a-z 0-9 _ - (leave it out to have "
              "one generated)");
    xfree(y);
    EXPECT(SYS "monitors:\n  - {name: a, system: s, type: heartbeat, token: abcdefghijklmno}\n",
           "c.yaml:4:50: token: a token is 16 to 64 of A-Z a-z 0-9 _ - (leave it out to have "
           "one generated)");
    EXPECT(SYS "monitors:\n  - {name: a, system: s, type: heartbeat, token: abcdefghijklmno!}\n",
           "c.yaml:4:50: token: a token is 16 to 64 of A-Z a-z 0-9 _ - (leave it out to have "
           "one generated)");
}

TEST(dns_fields)
{
    EXPECT_OK(SYS
              "monitors:\n"
              "  - {name: a, system: s, type: dns, host: h.example, record: aaaa,\n"
              "     expect: ['2001:0db8::0001'], server: '[::1]:5353'}\n"
              "  - {name: b, system: s, type: dns, host: h.example, expect: [10.0.0.5],\n"
              "     server: '127.0.0.1:53'}\n");
    CHECK(C.nmonitors == 2);
    if (C.nmonitors != 2)
        return;
    CHECK_STR(C.monitors[0].dns.record, "AAAA");
    CHECK_STR(C.monitors[0].dns.expect[0], "2001:db8::1"); /* canonical */
    CHECK_STR(C.monitors[0].dns.server, "[::1]:5353");
    CHECK_STR(C.monitors[1].dns.expect[0], "10.0.0.5");
    EXPECT(SYS
           "monitors:\n"
           "  - {name: a, system: s, type: dns, host: h, expect: ['::1'], server: 'x:53'}\n"
           "  - {name: b, system: s, type: dns, host: 'http://h/', record: MX}\n",
           "c.yaml:4:55: expect[0]: \"::1\" is not an IPv4 address (record A)",
           "c.yaml:4:71: server: \"x:53\" is not a resolver address: use IP, IP:port or "
           "[IPv6]:port",
           "c.yaml:5:43: host: \"http://h/\" is a URL; give only the host name",
           "c.yaml:5:64: record: \"MX\" is not supported: use A or AAAA");
}

/* ---------------------------------------------------------------- YAML itself */

TEST(yaml_syntax_errors)
{
    EXPECT("systems:\n  - name: a\n\ttier: key\n",
           "c.yaml:3:1: syntax error: found a tab character that violates indentation (while "
           "scanning a plain scalar at line 2, column 11); a tab cannot indent YAML, use spaces");
    EXPECT("systems:\n  - name: a\n    tier: key\n   bad: x\n",
           "c.yaml:4:4: syntax error: did not find expected '-' indicator (while parsing a "
           "block collection at line 2, column 3)");
    EXPECT("systems:\n  - name: \"a\n",
           "c.yaml:3:1: syntax error: found unexpected end of stream (while scanning a quoted "
           "scalar at line 2, column 11)");
    EXPECT("systems: []\n---\nsystems: []\n",
           "c.yaml:2:1: a second YAML document; the config is one document");
}

TEST(yaml_aliases_refused)
{
    /* every alias is reported, and the rest is still checked */
    EXPECT("systems:\n"
           "  - &s {name: s, tier: key}\n"
           "  - *s\n"
           "monitors:\n"
           "  - name: m\n"
           "    system: *x\n"
           "    type: heartbeat\n"
           "    bogus: 1\n",
           "c.yaml:3:5: aliases (*s) are not supported; write the values out in full",
           "c.yaml:6:13: aliases (*x) are not supported; write the values out in full",
           "c.yaml:8:5: bogus: unknown key (keys of a heartbeat monitor: name, system, title, "
           "type, interval, retry_interval, timeout, retries, recover, critical, paused, grace, "
           "token)");
    EXPECT("systems:\n  - {name: s, tier: !!int 1}\n",
           "c.yaml:2:21: the tag \"!!int\" is not supported; quote the value if you mean text");
    EXPECT_OK("systems:\n  - {name: !!str s, tier: ! key}\n");
}

TEST(encoding)
{
    /* col counts characters: 数 is column 11, 据 12, the bad byte 13 */
    const char bad[] = "systems:\n  - name: 数据\xff\n";
    CHECK_INT(load_n(bad, sizeof bad - 1), -1);
    CHECK_INT(D.n, 1);
    if (D.n)
        CHECK_STR(D.lines[0], "c.yaml:2:13: invalid UTF-8 (byte 0xff); the file must be UTF-8");
    diag_release(&D);
    const char overlong[] = "a: \xc0\xaf\n";
    CHECK_INT(load_n(overlong, sizeof overlong - 1), -1);
    if (D.n)
        CHECK_STR(D.lines[0], "c.yaml:1:4: invalid UTF-8 (byte 0xc0); the file must be UTF-8");
    diag_release(&D);
    const char nul[] = "a: b\n\0";
    CHECK_INT(load_n(nul, sizeof nul - 1), -1);
    if (D.n)
        CHECK_STR(D.lines[0], "c.yaml:2:1: a NUL byte in the file; it must be UTF-8 text");
    diag_release(&D);
    const char utf16[] = "\xff\xfe" "a\0";
    CHECK_INT(load_n(utf16, sizeof utf16 - 1), -1);
    if (D.n)
        CHECK_STR(D.lines[0], "c.yaml:1:1: the file is UTF-16; save it as UTF-8");
    diag_release(&D);
    /* a UTF-8 byte order mark is fine */
    EXPECT_OK("\xef\xbb\xbfsystems:\n  - {name: s, title: 数据资源门户}\n");
    CHECK(C.nsystems == 1 && strcmp(C.systems[0].title, "数据资源门户") == 0);
}

TEST(file_limits)
{
    size_t big = (4u << 20) + 1;
    char *data = xmalloc(big);
    memset(data, '#', big);
    CHECK_INT(load_n(data, big), -1);
    CHECK_INT(D.n, 1);
    if (D.n)
        CHECK_STR(D.lines[0], "c.yaml: the file is 4194305 bytes; the limit is 4 MiB");
    diag_release(&D);

    char path[] = "/tmp/test_config_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd >= 0) {
        CHECK(write(fd, data, big) == (ssize_t)big);
        close(fd);
        config_release(&C);
        CHECK_INT(config_load_file(path, &C, &D), -1);
        char *want = xasprintf("%s: the file is larger than 4 MiB", path);
        if (D.n)
            CHECK_STR(D.lines[0], want);
        xfree(want);
        diag_release(&D);
        /* exactly 4 MiB of comment is fine */
        fd = open(path, O_WRONLY | O_TRUNC);
        CHECK(write(fd, data, big - 1) == (ssize_t)(big - 1));
        close(fd);
        config_release(&C);
        CHECK_INT(config_load_file(path, &C, &D), 0);
        CHECK_INT(D.n, 0);
        unlink(path);
    }
    xfree(data);

    config_release(&C);
    CHECK_INT(config_load_file("/nonexistent/c.yaml", &C, &D), -1);
    if (D.n)
        CHECK_STR(D.lines[0], "/nonexistent/c.yaml: cannot open: No such file or directory");
    diag_release(&D);
}

TEST(at_most_100_problems)
{
    struct buf b = BUF_INIT(1 << 20);
    buf_adds(&b, "systems:\n");
    for (int i = 0; i < 150; i++)
        buf_addf(&b, "  - {name: s%d, tier: gold}\n", i);
    CHECK_INT(load(buf_str(&b)), -1);
    CHECK_INT(D.n, 101);
    if (D.n == 101) {
        CHECK_STR(D.lines[0], "c.yaml:2:22: tier: \"gold\" is not a tier: use key (重点保障) or "
                              "general (一般保障)");
        CHECK_STR(D.lines[99], "c.yaml:101:23: tier: \"gold\" is not a tier: use key (重点保障) "
                               "or general (一般保障)");
        CHECK_STR(D.lines[100], "c.yaml: 50 more problems not shown");
    }
    buf_release(&b);
}

/* ---------------------------------------------------------------- API bodies */

static json_t *J(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        printf("#   bad test JSON: %s\n", e.text);
    return j;
}

/* Parses a monitor body that must fail; checks the field and the message. */
static void monitor_json_fails(int line, const char *body, const char *field, const char *msg)
{
    json_t *j = J(body);
    struct monitor_spec m;
    struct yw_err err = YW_ERR_INIT;
    int rc = config_monitor_from_json(j, &m, &err);
    if (rc != -1 || strcmp(err.field, field) != 0 || strcmp(err.msg, msg) != 0 ||
        err.code != YW_EINVAL) {
        printf("#   %s:%d: rc %d field \"%s\" msg \"%s\"\n#    want field \"%s\" msg \"%s\"\n",
               __FILE__, line, rc, err.field, err.msg, field, msg);
        t_cur_failed++;
    }
    CHECK(m.name == NULL && m.http.url == NULL); /* zeroed */
    json_decref(j);
}
#define MON_FAILS(body, field, msg) monitor_json_fails(__LINE__, body, field, msg)

TEST(json_bodies_name_the_field)
{
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"http\",\"url\":\"https://h/\","
              "\"json\":[{\"path\":\"a\",\"exists\":true},{\"path\":\"b\",\"exists\":true,"
              "\"equals\":3}]}",
              "json[1].equals", "json[1].equals: give exists or equals, not both");
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"http\",\"url\":\"https://h/\","
              "\"headers\":[\"Accept: x\"]}",
              "headers", "headers: expected an object, got an array");
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"http\",\"url\":\"https://h/\","
              "\"interval\":\"500ms\"}",
              "interval", "interval: must be at least 1s, got 500ms");
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"http\"}", "url",
              "url: required for an http monitor");
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"tcp\",\"host\":\"h\",\"port\":\"80\"}",
              "port", "port: expected a whole number, got string \"80\"");
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"tcp\",\"host\":\"h\",\"port\":80,"
              "\"colour\":\"red\"}",
              "colour", "colour: unknown key (keys of a tcp monitor: name, system, title, type, "
                        "interval, retry_interval, timeout, retries, recover, critical, paused, "
                        "host, port)");
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"http\",\"url\":\"https://h/\","
              "\"status\":[200,\"2xx\"]}",
              "status[1]", "status[1]: \"2xx\" is not a status code (100-599) or a range like "
                           "\"200-299\"");
    MON_FAILS("[1,2]", "", "the body must be a JSON object");
    /* read-only keys are skipped at the top of a body only */
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"http\",\"url\":\"https://h/\","
              "\"json\":[{\"path\":\"a\",\"exists\":true,\"id\":1}]}",
              "json[0].id", "json[0].id: unknown key (keys of a json check: path, exists, equals)");
    MON_FAILS("{\"name\":\"m\",\"system\":\"s\",\"type\":\"http\",\"url\":\"https://h/\","
              "\"keyword\":404}",
              "keyword", "keyword: expected a string, got number 404");

    struct system_spec s;
    struct yw_err err = YW_ERR_INIT;
    json_t *j = J("{\"name\":\"s\",\"tier\":\"gold\"}");
    CHECK_INT(config_system_from_json(j, &s, &err), -1);
    CHECK_STR(err.field, "tier");
    json_decref(j);
    struct maint_spec w;
    j = J("{\"name\":\"w\",\"systems\":[\"s\"],\"recurrence\":\"weekly\",\"day\":\"someday\","
          "\"start\":\"02:00\",\"end\":\"03:00\"}");
    CHECK_INT(config_maint_from_json(j, &w, &err), -1);
    CHECK_STR(err.field, "day");
    json_decref(j);
    CHECK_INT(config_maint_from_json(NULL, &w, &err), -1);
}

TEST(json_read_only_keys_ignored)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *j = J("{\"id\":7,\"name\":\"m\",\"system\":\"nowhere\",\"type\":\"heartbeat\","
                  "\"provisioned\":true,\"state\":\"up\",\"state_since\":\"x\","
                  "\"state_reason\":\"HTTP 200\",\"created\":\"x\",\"updated\":\"x\","
                  "\"push_url\":\"/api/v1/push/x\"}");
    struct monitor_spec m;
    CHECK_INT(config_monitor_from_json(j, &m, &err), 0);
    CHECK(!m.provisioned); /* from the API, whatever the body says */
    CHECK_STR(m.system, "nowhere"); /* existence is the store's to check */
    monitor_spec_release(&m);
    json_decref(j);

    j = J("{\"id\":1,\"name\":\"s\",\"tier\":\"key\",\"monitors\":3,\"state\":\"up\"}");
    struct system_spec s;
    CHECK_INT(config_system_from_json(j, &s, &err), 0);
    CHECK_INT(s.tier, TIER_KEY);
    system_spec_release(&s);
    json_decref(j);

    j = J("{\"id\":1,\"name\":\"w\",\"monitors\":[\"m\"],\"recurrence\":\"daily\","
          "\"start\":\"02:00\",\"end\":\"03:00\",\"active\":false,\"next\":null}");
    struct maint_spec w;
    CHECK_INT(config_maint_from_json(j, &w, &err), 0);
    CHECK_INT(w.nmonitors, 1);
    maint_spec_release(&w);
    json_decref(j);
}

/* ---------------------------------------------------------------- round trip */

static bool streq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool strv_eq(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb)
        return false;
    for (size_t i = 0; i < na; i++)
        if (!streq(a[i], b[i]))
            return false;
    return true;
}

static bool monitor_eq(const struct monitor_spec *a, const struct monitor_spec *b)
{
    bool ok = streq(a->name, b->name) && streq(a->system, b->system) &&
              streq(a->title, b->title) && a->type == b->type && a->interval == b->interval &&
              a->retry_interval == b->retry_interval && a->timeout == b->timeout &&
              a->retries == b->retries && a->recover == b->recover &&
              a->critical == b->critical && a->paused == b->paused &&
              a->provisioned == b->provisioned;
    ok = ok && streq(a->http.url, b->http.url) && streq(a->http.method, b->http.method) &&
         streq(a->http.body, b->http.body) && a->http.nheaders == b->http.nheaders &&
         a->http.nstatus == b->http.nstatus && streq(a->http.keyword, b->http.keyword) &&
         streq(a->http.keyword_absent, b->http.keyword_absent) &&
         a->http.njson == b->http.njson && a->http.max_latency == b->http.max_latency &&
         a->http.follow_redirects == b->http.follow_redirects &&
         a->http.max_redirects == b->http.max_redirects &&
         a->http.tls_verify == b->http.tls_verify;
    for (size_t i = 0; ok && i < a->http.nheaders; i++)
        ok = streq(a->http.headers[i].name, b->http.headers[i].name) &&
             streq(a->http.headers[i].value, b->http.headers[i].value);
    for (size_t i = 0; ok && i < a->http.nstatus; i++)
        ok = a->http.status[i].lo == b->http.status[i].lo &&
             a->http.status[i].hi == b->http.status[i].hi;
    for (size_t i = 0; ok && i < a->http.njson; i++) {
        const struct json_check *x = &a->http.json[i], *y = &b->http.json[i];
        ok = streq(x->path, y->path) && x->op == y->op && x->exists == y->exists &&
             (x->op != JC_EQUALS || json_equal(x->value, y->value));
    }
    ok = ok && streq(a->tls.host, b->tls.host) && a->tls.port == b->tls.port &&
         a->tls.min_days == b->tls.min_days && a->tls.verify == b->tls.verify &&
         streq(a->tcp.host, b->tcp.host) && a->tcp.port == b->tcp.port &&
         streq(a->dns.name, b->dns.name) && streq(a->dns.record, b->dns.record) &&
         strv_eq(a->dns.expect, a->dns.nexpect, b->dns.expect, b->dns.nexpect) &&
         streq(a->dns.server, b->dns.server) && streq(a->ping.host, b->ping.host) &&
         streq(a->postgres.conninfo, b->postgres.conninfo) &&
         streq(a->postgres.query, b->postgres.query) &&
         streq(a->postgres.expect, b->postgres.expect) &&
         a->heartbeat.grace == b->heartbeat.grace && streq(a->heartbeat.token, b->heartbeat.token);
    return ok;
}

static bool maint_eq(const struct maint_spec *a, const struct maint_spec *b)
{
    return streq(a->name, b->name) && streq(a->title, b->title) &&
           strv_eq(a->systems, a->nsystems, b->systems, b->nsystems) &&
           strv_eq(a->monitors, a->nmonitors, b->monitors, b->nmonitors) &&
           a->recurrence == b->recurrence && a->once_start == b->once_start &&
           a->once_end == b->once_end && a->day == b->day && a->start_min == b->start_min &&
           a->end_min == b->end_min && streq(a->zone, b->zone) &&
           a->valid_from == b->valid_from && a->valid_until == b->valid_until &&
           a->provisioned == b->provisioned;
}

static const char round_trip_yaml[] =
    "systems:\n"
    "  - {name: s, title: 数据资源门户, tier: key}\n"
    "  - {name: t}\n"
    "monitors:\n"
    "  - name: h\n"
    "    system: s\n"
    "    title: 门户首页\n"
    "    type: http\n"
    "    url: https://u:pw@portal.example.gov.cn/x?q=1\n"
    "    method: put\n"
    "    headers: {Authorization: Bearer abc, Accept: '*/*'}\n"
    "    body: \"line1\\nline2\"\n"
    "    status: [200, 201-204]\n"
    "    keyword: 数据资源中心\n"
    "    keyword_absent: 错误\n"
    "    json: [{path: data.total, exists: true}, {path: code, equals: 0},\n"
    "           {path: 'a[0]', equals: {k: [1.5, null, \"x\"]}}, {path: z, exists: false}]\n"
    "    max_latency: 1m30s\n"
    "    follow_redirects: false\n"
    "    max_redirects: 2\n"
    "    tls_verify: false\n"
    "    interval: 90s\n"
    "    retry_interval: 15s\n"
    "    timeout: 2500ms\n"
    "    retries: 3\n"
    "    recover: 2\n"
    "    critical: true\n"
    "    paused: true\n"
    "  - {name: tl, system: s, type: tls, host: h, port: 8443, min_days: 30, verify: false}\n"
    "  - {name: tc, system: s, type: tcp, host: '::1', port: 22}\n"
    "  - {name: d, system: s, type: dns, host: h, record: AAAA, expect: ['::1', 'fe80::1'],\n"
    "     server: '10.0.0.1:53'}\n"
    "  - {name: p, system: s, type: ping, host: h}\n"
    "  - {name: pg, system: t, type: postgres,\n"
    "     conninfo: \"host=db user=yw password='s3 cr\\\\'et' dbname=x\",\n"
    "     query: select count(*) from jobs, expect: '42'}\n"
    "  - {name: hb, system: t, type: heartbeat, interval: 1d, grace: 30m,\n"
    "     token: AAAAbbbbCCCCdddd_-}\n"
    "maintenance:\n"
    "  - {name: w1, title: 补丁, systems: [s], monitors: [h], recurrence: weekly, day: 周六,\n"
    "     start: '22:00', end: '02:00', zone: Asia/Shanghai, from: 2026-01-01,\n"
    "     until: 2027-01-01}\n"
    "  - {name: w2, monitors: [h], recurrence: once, start: '2026-11-25 02:00',\n"
    "     end: '2026-11-25T04:00:00.250Z'}\n"
    "  - {name: w3, systems: [t], recurrence: monthly, day: last, start: '01:00', end: '02:00'}\n"
    "  - {name: w4, systems: [t], recurrence: daily, start: '01:00', end: '02:00'}\n";

TEST(round_trip)
{
    EXPECT_OK(round_trip_yaml);
    CHECK_INT(C.nmonitors, 7);
    CHECK_INT(C.nmaint, 4);
    for (size_t i = 0; i < C.nsystems; i++) {
        json_t *j = config_system_to_json(&C.systems[i]);
        struct system_spec s;
        struct yw_err err = YW_ERR_INIT;
        CHECK_INT(config_system_from_json(j, &s, &err), 0);
        CHECK(streq(s.name, C.systems[i].name) && streq(s.title, C.systems[i].title) &&
              s.tier == C.systems[i].tier && !s.provisioned);
        system_spec_release(&s);
        json_decref(j);
    }
    for (size_t i = 0; i < C.nmonitors; i++) {
        /* from the file it is provisioned; from JSON never: compare the rest */
        struct monitor_spec orig;
        monitor_spec_copy(&orig, &C.monitors[i]);
        orig.provisioned = false;
        json_t *j = config_monitor_to_json(&orig, true);
        struct monitor_spec back;
        struct yw_err err = YW_ERR_INIT;
        int rc = config_monitor_from_json(j, &back, &err);
        if (rc != 0)
            printf("#   %s: %s\n", orig.name, err.msg);
        CHECK_INT(rc, 0);
        if (!monitor_eq(&orig, &back)) {
            char *s = json_dumps(j, JSON_SORT_KEYS);
            printf("#   monitor %s does not round-trip: %s\n", orig.name, s);
            free(s);
            t_cur_failed++;
        }
        /* and the copy is equal to the original, and the JSON is stable */
        json_t *again = config_monitor_to_json(&back, true);
        CHECK(json_equal(j, again));
        json_decref(again);
        json_decref(j);
        monitor_spec_release(&back);
        monitor_spec_release(&orig);
        CHECK(orig.name == NULL && orig.http.njson == 0); /* release leaves it zeroed */
    }
    for (size_t i = 0; i < C.nmaint; i++) {
        struct maint_spec orig;
        maint_spec_copy(&orig, &C.maint[i]);
        orig.provisioned = false;
        json_t *j = config_maint_to_json(&orig);
        struct maint_spec back;
        struct yw_err err = YW_ERR_INIT;
        int rc = config_maint_from_json(j, &back, &err);
        if (rc != 0)
            printf("#   %s: %s\n", orig.name, err.msg);
        CHECK_INT(rc, 0);
        if (!maint_eq(&orig, &back)) {
            char *s = json_dumps(j, JSON_SORT_KEYS);
            printf("#   window %s does not round-trip: %s\n", orig.name, s);
            free(s);
            t_cur_failed++;
        }
        json_decref(j);
        maint_spec_release(&back);
        maint_spec_release(&orig);
    }
}

TEST(canonical_json)
{
    EXPECT_OK(round_trip_yaml);
    if (C.nmonitors < 1 || C.nmaint < 2)
        return;
    json_t *j = config_monitor_to_json(&C.monitors[0], true);
    char *s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    CHECK_STR(s, "{\"body\":\"line1\\nline2\",\"critical\":true,\"follow_redirects\":false,"
                 "\"headers\":{\"Accept\":\"*/*\",\"Authorization\":\"Bearer abc\"},"
                 "\"interval\":\"1m30s\",\"json\":[{\"exists\":true,\"path\":\"data.total\"},"
                 "{\"equals\":0,\"path\":\"code\"},{\"equals\":{\"k\":[1.5,null,\"x\"]},"
                 "\"path\":\"a[0]\"},{\"exists\":false,\"path\":\"z\"}],"
                 "\"keyword\":\"数据资源中心\",\"keyword_absent\":\"错误\",\"max_latency\":\"1m30s\","
                 "\"max_redirects\":2,\"method\":\"PUT\",\"name\":\"h\",\"paused\":true,"
                 "\"provisioned\":true,\"recover\":2,\"retries\":3,\"retry_interval\":\"15s\","
                 "\"status\":[200,\"201-204\"],\"system\":\"s\",\"timeout\":\"2s500ms\","
                 "\"title\":\"门户首页\",\"tls_verify\":false,\"type\":\"http\","
                 "\"url\":\"https://u:pw@portal.example.gov.cn/x?q=1\"}");
    free(s);
    json_decref(j);
    j = config_maint_to_json(&C.maint[0]);
    s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    CHECK_STR(s, "{\"day\":\"saturday\",\"end\":\"02:00\",\"from\":\"2026-01-01T00:00:00+08:00\","
                 "\"monitors\":[\"h\"],\"name\":\"w1\",\"provisioned\":true,"
                 "\"recurrence\":\"weekly\",\"start\":\"22:00\",\"systems\":[\"s\"],"
                 "\"title\":\"补丁\",\"until\":\"2027-01-01T00:00:00+08:00\","
                 "\"zone\":\"Asia/Shanghai\"}");
    free(s);
    json_decref(j);
    j = config_maint_to_json(&C.maint[1]);
    CHECK_STR(json_string_value(json_object_get(j, "start")), "2026-11-25T02:00:00+08:00");
    CHECK_STR(json_string_value(json_object_get(j, "end")), "2026-11-25T12:00:00.250+08:00");
    json_decref(j);
    j = config_system_to_json(&C.systems[1]);
    s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
    CHECK_STR(s, "{\"name\":\"t\",\"provisioned\":true,\"tier\":\"general\"}");
    free(s);
    json_decref(j);
}

/* ---------------------------------------------------------------- secrets */

static char *masked_conninfo(const char *conninfo)
{
    struct monitor_spec m = {0};
    m.name = xstrdup("pg");
    m.system = xstrdup("s");
    m.type = MT_POSTGRES;
    m.postgres.conninfo = xstrdup(conninfo);
    m.postgres.query = xstrdup("SELECT 1");
    json_t *j = config_monitor_to_json(&m, false);
    char *out = xstrdup(json_string_value(json_object_get(j, "conninfo")));
    json_decref(j);
    j = config_monitor_to_json(&m, true);
    CHECK_STR(json_string_value(json_object_get(j, "conninfo")), conninfo);
    json_decref(j);
    monitor_spec_release(&m);
    return out;
}

#define MASKS(in, want)                                                                  \
    do {                                                                                 \
        char *got_ = masked_conninfo(in);                                                \
        CHECK_STR(got_, want);                                                           \
        xfree(got_);                                                                     \
    } while (0)

TEST(secrets_masked)
{
    MASKS("host=db user=yw password=s3cret dbname=x", "host=db user=yw password=*** dbname=x");
    MASKS("password = 'a b\\'c' host=db", "password = *** host=db");
    MASKS("host=db sslpassword=k password=p", "host=db sslpassword=*** password=***");
    MASKS("host=db dbname=x", "host=db dbname=x");
    MASKS("host=db mypassword=x", "host=db mypassword=x");
    MASKS("postgresql://yw:s3cret@db.example:5432/app?sslmode=require",
          "postgresql://yw:***@db.example:5432/app?sslmode=require");
    MASKS("postgres://yw@db/app?password=s3cret&sslmode=require",
          "postgres://yw@db/app?password=***&sslmode=require");
    MASKS("postgresql://yw:p%40ss@db/app", "postgresql://yw:***@db/app");
    MASKS("postgresql://db/app", "postgresql://db/app");

    EXPECT_OK(round_trip_yaml);
    for (size_t i = 0; i < C.nmonitors; i++) {
        json_t *j = config_monitor_to_json(&C.monitors[i], false);
        char *s = json_dumps(j, JSON_COMPACT);
        if (C.monitors[i].type == MT_HEARTBEAT) {
            CHECK(json_object_get(j, "token") == NULL);
            CHECK(strstr(s, "AAAAbbbb") == NULL);
        }
        if (C.monitors[i].type == MT_HTTP) {
            CHECK_STR(json_string_value(json_object_get(j, "url")),
                      "https://u:***@portal.example.gov.cn/x?q=1");
            json_t *h = json_object_get(j, "headers");
            CHECK_STR(json_string_value(json_object_get(h, "Authorization")), "***");
            CHECK_STR(json_string_value(json_object_get(h, "Accept")), "*/*");
        }
        if (C.monitors[i].type == MT_POSTGRES)
            CHECK(strstr(s, "s3 cr") == NULL);
        free(s);
        json_decref(j);
    }
}

/* ---------------------------------------------------------------- config check */

/* Runs config_check_main with stdout and stderr captured. */
static int run_check(const char *path, char *out, size_t nout, char *err, size_t nerr)
{
    fflush(stdout);
    fflush(stderr);
    FILE *fo = tmpfile(), *fe = tmpfile();
    int so = dup(1), se = dup(2);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    int rc = config_check_main(path);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    rewind(fo);
    rewind(fe);
    size_t a = fread(out, 1, nout - 1, fo), b = fread(err, 1, nerr - 1, fe);
    out[a] = '\0';
    err[b] = '\0';
    fclose(fo);
    fclose(fe);
    return rc;
}

static char *write_temp(const char *text)
{
    char *path = xstrdup("/tmp/test_config_XXXXXX");
    int fd = mkstemp(path);
    CHECK(fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    return path;
}

TEST(config_check_command)
{
    char out[4096], err[4096];
    char *path = write_temp(example);
    CHECK_INT(run_check(path, out, sizeof out, err, sizeof err), 0);
    char *want = xasprintf("%s: ok: 1 system, 4 monitors, 1 maintenance window\n", path);
    CHECK_STR(out, want);
    CHECK_STR(err, "");
    xfree(want);
    unlink(path);
    xfree(path);

    path = write_temp("systems:\n  - name: s\n    tier: gold\n  - name: S\n");
    CHECK_INT(run_check(path, out, sizeof out, err, sizeof err), 2);
    CHECK_STR(out, "");
    want = xasprintf("%s:3:11: tier: \"gold\" is not a tier: use key (重点保障) or general "
                     "(一般保障)\n%s:4:11: name: \"S\" is not a valid name: use 1 to 64 of a-z "
                     "0-9 . _ -, starting with a letter or digit\n", path, path);
    CHECK_STR(err, want);
    xfree(want);
    unlink(path);
    xfree(path);
}

TEST(copy_is_deep)
{
    EXPECT_OK(round_trip_yaml);
    struct monitor_spec a;
    monitor_spec_copy(&a, &C.monitors[0]);
    CHECK(monitor_eq(&a, &C.monitors[0]));
    CHECK(a.http.json != C.monitors[0].http.json);
    CHECK(a.http.json[2].value != C.monitors[0].http.json[2].value);
    monitor_spec_release(&a);
    struct maint_spec w;
    maint_spec_copy(&w, &C.maint[0]);
    CHECK(maint_eq(&w, &C.maint[0]));
    maint_spec_release(&w);
    struct system_spec s;
    system_spec_copy(&s, &C.systems[0]);
    CHECK_STR(s.title, "数据资源门户");
    system_spec_release(&s);
    CHECK(s.name == NULL);
    struct config empty = {0};
    config_release(&empty); /* a zeroed config is a valid empty value */
}

TEST(type_names)
{
    for (int t = 0; t < MT__COUNT; t++) {
        enum monitor_type back;
        CHECK_INT(monitor_type_parse(monitor_type_name((enum monitor_type)t), &back), 0);
        CHECK_INT(back, t);
    }
    enum monitor_type x;
    CHECK_INT(monitor_type_parse("HTTP", &x), -1);
    CHECK_INT(monitor_type_parse(NULL, &x), -1);
    CHECK_STR(monitor_type_name(MT_POSTGRES), "postgres");
    CHECK_STR(tier_name(TIER_KEY), "key");
    CHECK_STR(tier_name(TIER_GENERAL), "general");
}

TEST(sections_kept_for_their_owners)
{
    struct config c;
    struct diag d = DIAG_INIT;
    const char *y = "systems: []\nmonitors: []\n"
                    "sla:\n  warn_pct: 80\n"
                    "channels:\n  - name: ops-robot\n    type: dingtalk\n"
                    "  - name: mail\n    type: email\n"
                    "duty:\n  shifts: []\n";
    CHECK_INT(config_load_buffer("c.yaml", y, strlen(y), &c, &d), 0);
    CHECK(c.sla.json && json_is_object(c.sla.json));
    CHECK_INT(json_integer_value(json_object_get(c.sla.json, "warn_pct")), 80);
    CHECK_INT(c.sla.line, 3);
    CHECK(json_is_array(c.channels.json));
    CHECK_INT(c.channels.nitems, 2);
    CHECK_INT(c.channels.item_lines[0], 6);
    CHECK_INT(c.channels.item_lines[1], 8);
    CHECK(c.rules.json == NULL);
    CHECK(json_is_object(c.duty.json));
    config_release(&c);
    diag_release(&d);

    const char *bad = "channels:\n  name: x\n";
    CHECK_INT(config_load_buffer("c.yaml", bad, strlen(bad), &c, &d), -1);
    CHECK(d.n == 1 && strstr(d.lines[0], "channels: expected a list") != NULL);
    config_release(&c);
    diag_release(&d);
}

int main(void)
{
    RUN(sections_kept_for_their_owners);
    RUN(example_parses);
    RUN(defaults_and_types);
    RUN(empty_documents_are_empty_configs);
    RUN(unknown_keys);
    RUN(wrong_types);
    RUN(durations);
    RUN(out_of_range_numbers);
    RUN(duplicate_names);
    RUN(unknown_references);
    RUN(required_fields_per_type);
    RUN(urls);
    RUN(json_checks);
    RUN(status_ranges);
    RUN(maintenance_errors);
    RUN(maintenance_days_and_times);
    RUN(names);
    RUN(heartbeat_tokens);
    RUN(dns_fields);
    RUN(yaml_syntax_errors);
    RUN(yaml_aliases_refused);
    RUN(encoding);
    RUN(file_limits);
    RUN(at_most_100_problems);
    RUN(json_bodies_name_the_field);
    RUN(json_read_only_keys_ignored);
    RUN(round_trip);
    RUN(canonical_json);
    RUN(secrets_masked);
    RUN(config_check_command);
    RUN(copy_is_deep);
    RUN(type_names);
    config_release(&C);
    diag_release(&D);
    return t_done();
}
