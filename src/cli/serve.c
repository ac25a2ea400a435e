/*
 * serve — wires the store, the engine, the HTTP server and (with --demo) the
 * simulated data center together, and turns signals into actions.
 *
 * Signals are blocked in every thread and taken by one signal thread with
 * sigwait(), so a reload (which reads the config file and writes the store)
 * never runs on the probe loop or inside a signal handler.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/cal.h"
#include "cli/boot.h"
#include "desk/desk.h"
#include "notify/notify.h"
#include "notify/notify_admin.h"
#include "web/stream.h"
#include "cli/cli.h"
#include "core/config.h"
#include "core/log.h"
#include "core/mem.h"
#include "demo/demo.h"
#include "http/server.h"
#include "sched/engine.h"
#include "store/store.h"

struct serve_opts {
    const char *config;
    const char *data;
    const char *listen;
    bool demo;
    int retention_days;
    const char *tls_cert; /* --tls-cert/--tls-key: serve HTTPS (http/server.h) */
    const char *tls_key;
    const char *public_url; /* how people reach the console, for links in notifications */
};

struct serve_ctx {
    struct serve_opts opts;
    struct store *S;
    struct engine *E;
    struct calendar *cal;
    struct desk *desk;
    sigset_t sigs;
};

/* The config's sections for the incident desk and notifications: the SLA
 * policy, channels, rules and the duty roster (after the accounts exist:
 * shifts name them). Each is checked by its owner's validator; on error
 * nothing of them changes. */
static int apply_ops_sections(struct serve_ctx *ctx, const struct config *cfg, const char *file,
                              struct yw_err *err)
{
    if (notify_config_apply(ctx->S, cfg->channels.json, cfg->rules.json, cfg->duty.json, err) !=
        0) {
        char why[sizeof err->msg], field[sizeof err->field];
        snprintf(why, sizeof why, "%s", err->msg);
        snprintf(field, sizeof field, "%s", err->field);
        int line = config_section_line(cfg, field);
        char at[32] = "";
        if (line > 0)
            snprintf(at, sizeof at, ":%d", line);
        bool named = field[0] && strncmp(why, field, strlen(field)) == 0; /* "field: …" already */
        return yw_fail(err, YW_EINVAL, "%s%s: %s%s%s", file, at, named ? "" : field,
                       field[0] && !named ? ": " : "", why);
    }
    if (cfg->sla.json && ctx->desk) {
        char *text = json_dumps(cfg->sla.json, JSON_COMPACT);
        int rc = text ? desk_policy_put(ctx->desk, text, err) : -1;
        free(text);
        if (rc != 0) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg);
            return yw_fail(err, YW_EINVAL, "%s:%d:%d: sla: %s%s%s", file, cfg->sla.line,
                           cfg->sla.col, err->field, err->field[0] ? ": " : "", why);
        }
    }
    return 0;
}

static int parse_opts(int argc, char **argv, struct serve_opts *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"data", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'}, {"demo", no_argument, NULL, 'D'},
        {"retention", required_argument, NULL, 'r'}, {"help", no_argument, NULL, 'h'},
        {"tls-cert", required_argument, NULL, 'C'}, {"tls-key", required_argument, NULL, 'K'},
        {"public-url", required_argument, NULL, 'U'}, {NULL, 0, NULL, 0}};
    *o = (struct serve_opts){NULL, "var", "127.0.0.1:8080", false, 0, NULL, NULL, NULL};
    optind = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->config = optarg; break;
        case 'd': o->data = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'D': o->demo = true; break;
        case 'r': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 3650) {
                fprintf(stderr, "yunwei serve: --retention: expected days 1..3650, got '%s'\n", optarg);
                return -1;
            }
            o->retention_days = (int)v;
            break;
        }
        case 'C': o->tls_cert = optarg; break;
        case 'K': o->tls_key = optarg; break;
        case 'U':
            if ((strncmp(optarg, "http://", 7) != 0 && strncmp(optarg, "https://", 8) != 0) ||
                strlen(optarg) > 200 || strpbrk(optarg, " \t\r\n\"<>")) {
                fprintf(stderr, "yunwei serve: --public-url: expected http(s)://HOST[:PORT], got "
                                "'%s'\n", optarg);
                return -1;
            }
            o->public_url = optarg;
            break;
        case 'h': cli_help("serve"); exit(0);
        default: return -1;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "yunwei serve: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->tls_cert != !o->tls_key) {
        fprintf(stderr, "yunwei serve: --tls-cert and --tls-key go together\n");
        return -1;
    }
    if (o->demo && o->config) {
        fprintf(stderr, "yunwei serve: --demo brings its own config; drop --config\n");
        return -1;
    }
    return 0;
}

/* Loads, validates and applies the config to the store. On any error logs
 * the diagnostics and changes nothing. */
static int apply_config_file(struct serve_ctx *ctx, const char *path)
{
    struct config cfg = {0};
    struct diag d = DIAG_INIT;
    if (config_load_file(path, &cfg, &d) != 0) {
        for (size_t i = 0; i < d.n; i++)
            log_error("config: %s", d.lines[i]);
        diag_release(&d);
        return -1;
    }
    diag_release(&d);
    struct yw_err err = YW_ERR_INIT;
    int rc = store_sync_config(ctx->S, &cfg, &err);
    if (rc != 0)
        log_error("config: %s: %s", path, err.msg);
    else if ((rc = apply_ops_sections(ctx, &cfg, path, &err)) != 0)
        log_error("config: %s", err.msg);
    else if (cfg.retention_days > 0 && ctx->opts.retention_days == 0)
        store_set_retention(ctx->S, cfg.retention_days);
    config_release(&cfg);
    return rc;
}

static void *signal_thread(void *arg)
{
    struct serve_ctx *ctx = arg;
    for (;;) {
        int sig;
        if (sigwait(&ctx->sigs, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            /* Years added with `yunwei calendar import` beside the server. */
            struct yw_err cerr = YW_ERR_INIT;
            if (ctx->cal && calendar_reload(ctx->cal, &cerr) != 0)
                log_error("SIGHUP: calendar not reloaded: %s", cerr.msg);
            if (!ctx->opts.config) {
                log_info("SIGHUP: no --config file to reload");
                continue;
            }
            log_info("SIGHUP: reloading %s", ctx->opts.config);
            if (apply_config_file(ctx, ctx->opts.config) == 0) {
                engine_notify_all(ctx->E);
                log_info("config reloaded");
            } else {
                log_error("config not reloaded: the running config stays in force");
            }
            continue;
        }
        log_info("signal %d: stopping", sig);
        engine_stop(ctx->E);
        return NULL;
    }
}

int cli_serve_main(int argc, char **argv)
{
    struct serve_ctx ctx = {0};
    if (parse_opts(argc, argv, &ctx.opts) != 0)
        return 2;
    const char *tz = getenv("YUNWEI_TZ");
    if (tz && time_set_display_zone(tz) != 0) {
        fprintf(stderr, "yunwei serve: YUNWEI_TZ: unknown time zone '%s'\n", tz);
        return 2;
    }

    sigemptyset(&ctx.sigs);
    sigaddset(&ctx.sigs, SIGHUP);
    sigaddset(&ctx.sigs, SIGINT);
    sigaddset(&ctx.sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &ctx.sigs, NULL); /* inherited by every thread */
    signal(SIGPIPE, SIG_IGN);

    int status = 1;
    struct yw_err err = YW_ERR_INIT;
    struct demo *D = NULL;
    struct http_server *H = NULL;
    struct calendar *cal = NULL;
    struct notifier *N = NULL;
    struct desk *desk = NULL;
    static struct desk_std std; /* the desk's hooks: outlive the desk */
    bool desk_hooked = false;
    struct config cfg = {0};
    struct diag d = DIAG_INIT;

    if (ctx.opts.demo) {
        D = demo_start(&err);
        if (!D) {
            fprintf(stderr, "yunwei serve: demo: %s\n", err.msg);
            goto out;
        }
        if (config_load_buffer("demo.yaml", demo_config_yaml(D), strlen(demo_config_yaml(D)), &cfg,
                               &d) != 0) {
            diag_print(&d, stderr);
            goto out;
        }
    } else if (ctx.opts.config && config_load_file(ctx.opts.config, &cfg, &d) != 0) {
        diag_print(&d, stderr);
        status = 2;
        goto out;
    }

    ctx.S = store_open(ctx.opts.data, &err);
    if (!ctx.S) {
        fprintf(stderr, "yunwei serve: store: %s\n", err.msg);
        goto out;
    }
    if (ctx.opts.retention_days)
        store_set_retention(ctx.S, ctx.opts.retention_days);
    else if (cfg.retention_days)
        store_set_retention(ctx.S, cfg.retention_days);
    if (store_recover(ctx.S, time_now_ms(), &err) != 0) {
        fprintf(stderr, "yunwei serve: store: recovery: %s\n", err.msg);
        goto out;
    }
    if ((ctx.opts.config || D) && store_sync_config(ctx.S, &cfg, &err) != 0) {
        fprintf(stderr, "yunwei serve: config: %s\n", err.msg);
        status = 2;
        goto out;
    }
    ctx.E = engine_new(ctx.S, &err);
    if (!ctx.E) {
        fprintf(stderr, "yunwei serve: engine: %s\n", err.msg);
        goto out;
    }
    /* The working-day calendar: the shipped years and those added since. */
    cal = ctx.cal = calendar_open(ctx.S, &err);
    if (!cal) {
        fprintf(stderr, "yunwei serve: calendar: %s\n", err.msg);
        goto out;
    }
    /* The listening address is known before the port when it is 0 (tests):
     * it is bound first, then the notifier and the desk start with links
     * that work, and only then do requests reach their routes. */
    struct http_opts hopts = {.tls_cert = ctx.opts.tls_cert, .tls_key = ctx.opts.tls_key,
                              .cal = cal};
    H = http_start(ctx.opts.listen, ctx.S, ctx.E, &hopts, &err);
    if (!H) {
        fprintf(stderr, "yunwei serve: http: %s\n", err.msg);
        goto out;
    }
    char base[256];
    const char *colon = strrchr(ctx.opts.listen, ':');
    int hostlen = colon ? (int)(colon - ctx.opts.listen) : 0;
    snprintf(base, sizeof base, "%s://%.*s:%d", ctx.opts.tls_cert ? "https" : "http",
             hostlen > 0 ? hostlen : 9,
             hostlen > 0 ? ctx.opts.listen : "127.0.0.1", http_port(H));

    /* Notifications, then the incident desk fed by the engine. */
    N = notifier_start(ctx.S, ctx.opts.public_url ? ctx.opts.public_url : base, &err);
    if (!N) {
        fprintf(stderr, "yunwei serve: notifications: %s\n", err.msg);
        goto out;
    }
    desk_std_hooks(&std, ctx.S, N, cal);
    desk = desk_start(ctx.S, &std.hooks, NULL, &err);
    if (!desk) {
        fprintf(stderr, "yunwei serve: incident desk: %s\n", err.msg);
        goto out;
    }
    ctx.desk = desk;
    desk_set_on_change(desk, web_hub_on_incident, http_hub(H));
    if (engine_on_transition(ctx.E, desk_on_transition, desk) != 0) {
        fprintf(stderr, "yunwei serve: incident desk: no room for its engine hook\n");
        goto out;
    }
    desk_hooked = true;
    http_set_ops(H, desk, N);
    if (D ? boot_demo_accounts(ctx.S) != 0 : boot_setup_link(ctx.S, base) != 0) {
        fprintf(stderr, "yunwei serve: accounts: cannot prepare the first account\n");
        goto out;
    }
    if ((ctx.opts.config || D) &&
        apply_ops_sections(&ctx, &cfg, D ? "demo.yaml" : ctx.opts.config, &err) != 0) {
        fprintf(stderr, "yunwei serve: config: %s\n", err.msg);
        status = 2;
        goto out;
    }
    if (D) {
        demo_start_jobs(D, base);
        fprintf(stderr, "yunwei: demo data center running on loopback: %zu systems, %zu monitors\n",
                cfg.nsystems, cfg.nmonitors);
    }
    printf("yunwei: listening on %s\n", base);
    fflush(stdout);
    fprintf(stderr, "yunwei: try %s/api/v1/systems and %s/api/v1/monitors\n", base, base);

    pthread_t sigthr;
    pthread_create(&sigthr, NULL, signal_thread, &ctx);
    int rc = engine_run(ctx.E);
    if (rc != 0) {
        log_error("engine: event loop failed: %s", strerror(errno));
        pthread_kill(sigthr, SIGTERM);
    }
    pthread_join(sigthr, NULL);
    status = rc == 0 ? 0 : 1;

out:
    if (desk_hooked)
        engine_off_transition(ctx.E, desk_on_transition, desk);
    if (desk)
        desk_set_on_change(desk, NULL, NULL); /* before http_stop frees the hub */
    if (H)
        http_stop(H); /* its handlers use the desk: they stop first */
    desk_stop(desk);
    notifier_stop(N);
    if (D)
        demo_stop(D);
    if (ctx.E)
        engine_free(ctx.E);
    calendar_close(cal);
    if (ctx.S) {
        if (store_flush(ctx.S, &err) != 0)
            log_error("store: final flush failed: %s", err.msg);
        store_close(ctx.S);
    }
    config_release(&cfg);
    diag_release(&d);
    return status;
}
