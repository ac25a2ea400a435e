/*
 * sla — `yunwei sla`: the period figures the assessment reads (contract
 * §2/§3) from the shell, beside a running server.
 *
 *   yunwei sla --period 2026-11 [--system NAME] [--json] [--data DIR]
 *   yunwei sla --from 2026-11-01 --to 2026-12-01 …
 *
 * --period takes a month (2026-11), a quarter (2026-Q4), a half year
 * (2026-H1, 2026-H2) or a year (2026), in the display zone (YUNWEI_TZ,
 * default Asia/Shanghai); --from/--to take dates or RFC 3339 times, --to
 * excluded (as the API's from/to). The store is opened shared
 * (store_open_shared), so this works while `serve` runs on --data.
 *
 * Exit status: 0 printed, 1 the store failed, 2 bad usage or input.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cal/cal.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/mem.h"
#include "desk/desk.h"
#include "incident/metrics.h"
#include "store/store.h"

#define PROG "yunwei sla"
#define OUT_MAX (4 * 1024 * 1024)

static void usage(FILE *f)
{
    fputs("usage: yunwei sla --period PERIOD [--system NAME] [--json] [--data DIR]\n"
          "       yunwei sla --from DATE --to DATE [--system NAME] [--json] [--data DIR]\n"
          "PERIOD: 2026-11 (month), 2026-Q4 (quarter), 2026-H1 or 2026-H2 (half year),\n"
          "        2026 (year), in the display zone (YUNWEI_TZ, default Asia/Shanghai).\n"
          "--from/--to: dates (2026-11-01) or RFC 3339 times; --to is not included.\n"
          "Prints the SLA figures: incidents by level and source, response rate, SLA\n"
          "compliance per clock, mean and p90 times, breaches, late fault reports and\n"
          "the fault rate. Works while `yunwei serve` runs on the same --data.\n",
          f);
}

__attribute__((format(printf, 1, 2))) static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 2;
}

int cli_sla_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"period", required_argument, NULL, 'p'}, {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},     {"system", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},         {"data", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
    const char *period = NULL, *from_s = NULL, *to_s = NULL, *system = NULL, *dir = "var";
    bool json = false;
    optind = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'p': period = optarg; break;
        case 'f': from_s = optarg; break;
        case 't': to_s = optarg; break;
        case 's': system = optarg; break;
        case 'j': json = true; break;
        case 'd': dir = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind != argc)
        return bad("unexpected argument '%s'", argv[optind]);
    const char *tz = getenv("YUNWEI_TZ");
    if (tz && time_set_display_zone(tz) != 0)
        return bad("YUNWEI_TZ: unknown time zone '%s'", tz);

    ms_t from = 0, to = 0;
    struct yw_err err = YW_ERR_INIT;
    if (period && (from_s || to_s))
        return bad("give --period or --from/--to, not both");
    if (period) {
        if (desk_period_parse(period, &from, &to, &err) != 0)
            return bad("--%s", err.msg);
    } else if (from_s && to_s) {
        if (strlen(from_s) > 64 || time_parse_rfc3339(from_s, &from) != 0)
            return bad("--from: expected a date (2026-11-01) or an RFC 3339 time, got '%.64s'",
                       from_s);
        if (strlen(to_s) > 64 || time_parse_rfc3339(to_s, &to) != 0)
            return bad("--to: expected a date (2026-12-01) or an RFC 3339 time, got '%.64s'",
                       to_s);
        if (to <= from)
            return bad("--to must be after --from");
    } else {
        usage(stderr);
        return 2;
    }
    if (system && (!system[0] || strlen(system) > YW_NAME_MAX))
        return bad("--system: expected a system name, got '%.64s'", system);

    struct store *S = store_open_shared(dir, &err);
    if (!S) {
        fprintf(stderr, PROG ": store %s: %s\n", dir, err.msg);
        return 1;
    }
    int status = 0;
    struct sla_policy p;
    struct calendar *C = NULL;
    if (desk_policy_load(S, &p, &err) != 0) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        status = 1;
    }
    if (status == 0 && p.hours == SLA_WORKHOURS) {
        /* working hours only: the calendar says which days work */
        C = calendar_open(S, &err);
        if (!C) {
            fprintf(stderr, PROG ": calendar: %s\n", err.msg);
            status = 1;
        } else {
            p.is_workday = desk_cal_is_workday;
            p.is_workday_arg = C;
        }
    }
    struct sla_figures f;
    if (status == 0 && desk_figures(S, &p, from, to, system, time_now_ms(), &f, &err) != 0) {
        fprintf(stderr, PROG ": %s\n", err.msg);
        status = err.code == YW_EINVAL ? 2 : 1;
    } else if (status == 0) {
        if (json) {
            char *s = sla_figures_to_json(&f);
            printf("%s\n", s);
            free(s);
        } else {
            struct buf b = BUF_INIT(OUT_MAX);
            if (system)
                printf("系统 (system): %s\n", system);
            if (period)
                printf("考核期 (assessment period): %s\n", period);
            sla_figures_text(&f, &b);
            fputs(buf_str(&b), stdout);
            buf_release(&b);
        }
        sla_figures_release(&f);
    }
    calendar_close(C);
    store_close(S);
    return status;
}
