/*
 * check — `yunwei check --config FILE [--json]` and `yunwei config check FILE`.
 * Runs every monitor once, concurrently, on one loop, with no store.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/config.h"
#include "incident/sla.h"
#include "notify/notify_admin.h"
#include "core/mem.h"
#include "probe/probe.h"
#include "sched/loop.h"

struct check_run {
    const struct monitor_spec *spec;
    struct probe_result r;
    bool done, skipped;
    int *pending;
    struct loop *L;
};

static void on_done(void *arg, const struct probe_result *r)
{
    struct check_run *c = arg;
    c->r = *r;
    c->done = true;
    if (--*c->pending == 0)
        loop_stop(c->L);
}

static void on_deadline(struct loop *L, void *arg)
{
    (void)arg;
    loop_stop(L); /* a safety net: every probe has its own timeout */
}

static void print_table(const struct config *cfg, const struct check_run *runs)
{
    printf("%-16s %-24s %-10s %-8s %8s  %s\n", "SYSTEM", "MONITOR", "TYPE", "STATUS", "LATENCY",
           "DETAIL");
    for (size_t i = 0; i < cfg->nmonitors; i++) {
        const struct check_run *c = &runs[i];
        const char *status = c->skipped ? "skipped" : !c->done ? "down" : c->r.ok ? "up" : "down";
        char lat[32] = "-";
        if (c->done)
            snprintf(lat, sizeof lat, "%lldms", (long long)c->r.latency);
        printf("%-16s %-24s %-10s %-8s %8s  %s\n", c->spec->system, c->spec->name,
               monitor_type_name(c->spec->type), status, lat,
               c->skipped ? "heartbeat monitors are pushed, not checked"
                          : c->done ? c->r.detail : "no answer");
    }
}

static void print_json(const struct config *cfg, const struct check_run *runs, int up, int down,
                       int skipped)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < cfg->nmonitors; i++) {
        const struct check_run *c = &runs[i];
        const char *status = c->skipped ? "skipped" : c->done && c->r.ok ? "up" : "down";
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "system", c->spec->system, "monitor",
                              c->spec->name, "type", monitor_type_name(c->spec->type), "status",
                              status);
        json_object_set_new(o, "latency_ms", c->done ? json_integer(c->r.latency) : json_null());
        json_object_set_new(o, "detail", json_string(c->skipped ? "heartbeat monitors are pushed, not checked"
                                                     : c->done ? c->r.detail : "no answer"));
        json_array_append_new(arr, o);
    }
    json_t *root = json_pack("{s:o, s:i, s:i, s:i}", "results", arr, "up", up, "down", down,
                             "skipped", skipped);
    char *s = json_dumps(root, JSON_INDENT(2));
    puts(s);
    xfree(s);
    json_decref(root);
}

int cli_check_main(int argc, char **argv)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"json", no_argument, NULL, 'j'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *path = NULL;
    bool as_json = false;
    optind = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': path = optarg; break;
        case 'j': as_json = true; break;
        case 'h': return cli_help("check");
        default: return 2;
        }
    }
    if (!path || optind != argc) {
        fprintf(stderr, "usage: yunwei check --config FILE [--json]\n");
        return 2;
    }
    struct config cfg = {0};
    struct diag d = DIAG_INIT;
    if (config_load_file(path, &cfg, &d) != 0) {
        diag_print(&d, stderr);
        diag_release(&d);
        return 2;
    }
    diag_release(&d);

    struct loop *L = loop_new();
    struct probe_ctx *P = L ? probe_ctx_new(L) : NULL;
    if (!P) {
        fprintf(stderr, "yunwei check: cannot start the event loop or probes\n");
        if (L)
            loop_free(L);
        config_release(&cfg);
        return 2;
    }
    struct check_run *runs = xcalloc(cfg.nmonitors ? cfg.nmonitors : 1, sizeof *runs);
    int pending = 0;
    ms_t longest = 0;
    for (size_t i = 0; i < cfg.nmonitors; i++) {
        struct check_run *c = &runs[i];
        c->spec = &cfg.monitors[i];
        c->pending = &pending;
        c->L = L;
        if (c->spec->type == MT_HEARTBEAT) {
            c->skipped = true;
            continue;
        }
        if (probe_start(P, c->spec, on_done, c) == 0)
            pending++;
        if (c->spec->timeout > longest)
            longest = c->spec->timeout;
    }
    if (pending > 0) {
        loop_timer_at(L, time_mono_ms() + longest + 5 * MS_PER_S, on_deadline, NULL);
        loop_run(L);
    }
    int up = 0, down = 0, skipped = 0;
    for (size_t i = 0; i < cfg.nmonitors; i++) {
        if (runs[i].skipped)
            skipped++;
        else if (runs[i].done && runs[i].r.ok)
            up++;
        else
            down++;
    }
    if (as_json)
        print_json(&cfg, runs, up, down, skipped);
    else
        print_table(&cfg, runs);
    probe_ctx_free(P);
    loop_free(L);
    xfree(runs);
    config_release(&cfg);
    return down > 0 ? 1 : 0;
}

/* `yunwei config check FILE`: the file's own checks (core/config.c), then
 * the sections other subsystems validate (channels and rules by notify's
 * validators, the SLA policy by the clocks'); the roster names accounts and
 * is checked when a server applies it. */
static int config_check_all(const char *path)
{
    struct config c = {0};
    struct diag d = DIAG_INIT;
    int rc = config_load_file(path, &c, &d);
    diag_print(&d, stderr);
    diag_release(&d);
    struct yw_err err = YW_ERR_INIT;
    if (rc == 0 && notify_config_check(c.channels.json, c.rules.json, &err) != 0) {
        fprintf(stderr, "%s:%d: %s\n", path, config_section_line(&c, err.field), err.msg);
        rc = -1;
    }
    if (rc == 0 && c.sla.json) {
        struct sla_policy p;
        sla_policy_default(&p);
        char *text = json_dumps(c.sla.json, JSON_COMPACT);
        if (!text || sla_policy_from_json(text, &p, &err) != 0) {
            fprintf(stderr, "%s:%d: sla: %s\n", path, c.sla.line, text ? err.msg : "not JSON");
            rc = -1;
        }
        free(text);
    }
    if (rc == 0)
        printf("%s: ok: %zu system%s, %zu monitor%s, %zu maintenance window%s, %zu channel%s, "
               "%zu rule%s\n",
               path, c.nsystems, c.nsystems == 1 ? "" : "s", c.nmonitors,
               c.nmonitors == 1 ? "" : "s", c.nmaint, c.nmaint == 1 ? "" : "s",
               json_array_size(c.channels.json), json_array_size(c.channels.json) == 1 ? "" : "s",
               json_array_size(c.rules.json), json_array_size(c.rules.json) == 1 ? "" : "s");
    config_release(&c);
    return rc == 0 ? 0 : 2;
}

int cli_config_main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "check") == 0)
        return config_check_all(argv[2]);
    if (argc == 2 && strcmp(argv[1], "--help") == 0)
        return cli_help("config");
    fprintf(stderr, "usage: yunwei config check FILE\n");
    return 2;
}
