#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct help_entry {
    const char *cmd, *usage, *text;
};

static const struct help_entry entries[] = {
    {"serve", "yunwei serve [--config FILE] [--data DIR] [--listen ADDR:PORT] [--demo] [--retention DAYS]",
     "Runs the monitoring engine and the HTTP API.\n"
     "  --config FILE     YAML file declaring systems, monitors and maintenance windows\n"
     "                    (provisioned objects; reloaded on SIGHUP)\n"
     "  --data DIR        where the SQLite store lives (default ./var)\n"
     "  --listen A:P      address to serve on (default 127.0.0.1:8080; port 0 picks one)\n"
     "  --demo            also start a simulated data center on loopback and watch it\n"
     "  --retention DAYS  days of raw results to keep (default 30; intervals and hourly\n"
     "                    rollups are kept forever)\n"
     "Prints \"yunwei: listening on http://ADDR:PORT\" when ready. SIGHUP reloads the\n"
     "config; SIGINT/SIGTERM flush and stop. YUNWEI_TZ sets the display zone\n"
     "(default Asia/Shanghai).\n"},
    {"check", "yunwei check --config FILE [--json]",
     "Runs every monitor of FILE once, concurrently, without a store, and prints a table\n"
     "(system, monitor, type, status, latency, detail) or JSON. Heartbeat monitors are\n"
     "skipped. Exit status: 0 all up, 1 any down, 2 bad config.\n"},
    {"config", "yunwei config check FILE",
     "Validates FILE without starting anything. Every problem is reported as\n"
     "FILE:LINE:COL: message. Exit status 0 when valid, 2 on any error.\n"},
    {"version", "yunwei version", "Prints the version.\n"},
    {"help", "yunwei help [CMD]", "Explains a subcommand.\n"},
};

int cli_help(const char *cmd)
{
    size_t n = sizeof entries / sizeof entries[0];
    if (!cmd) {
        printf("yunwei (运维) — operations and maintenance of a data center, by its contract.\n\n"
               "Usage:\n");
        for (size_t i = 0; i < n; i++)
            printf("  %s\n", entries[i].usage);
        printf("\nRun 'yunwei help CMD' for the details of one command.\n");
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(cmd, entries[i].cmd) == 0) {
            printf("Usage: %s\n\n%s", entries[i].usage, entries[i].text);
            return 0;
        }
    }
    fprintf(stderr, "yunwei: no such command: %s (try 'yunwei help')\n", cmd);
    return 2;
}
