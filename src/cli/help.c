#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

struct help_entry {
    const char *cmd, *usage, *text;
};

static const struct help_entry entries[] = {
    {"serve", "yunwei serve [--config FILE] [--data DIR] [--listen ADDR:PORT] [--demo] [--retention DAYS]\n"
              "             [--tls-cert FILE --tls-key FILE]",
     "Runs the monitoring engine and the HTTP API.\n"
     "  --config FILE     YAML file declaring systems, monitors and maintenance windows\n"
     "                    (provisioned objects; reloaded on SIGHUP)\n"
     "  --data DIR        where the SQLite store lives (default ./var)\n"
     "  --listen A:P      address to serve on (default 127.0.0.1:8080; port 0 picks one)\n"
     "  --demo            also start a simulated data center on loopback and watch it\n"
     "  --retention DAYS  days of raw results to keep (default 30; intervals and hourly\n"
     "                    rollups are kept forever)\n"
     "  --tls-cert FILE, --tls-key FILE\n"
     "                    serve HTTPS (TLS 1.2+) with this PEM certificate and key\n"
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
    {"user",
     "yunwei user add|list|passwd|unlock|disable|enable [NAME] [--data DIR] [options]",
     "Manages accounts in the store of --data DIR (default ./var), also while serve runs.\n"
     "  user add NAME --role ROLE[,ROLE] [--org ORG] [--display TEXT] --password-stdin\n"
     "        creates an account; the password is one line on stdin (never an argument),\n"
     "        checked against the policy, and must be changed at the first login.\n"
     "        Roles: sysadmin secadmin auditadmin assessor manager engineer viewer\n"
     "        (at most one of the three administrators). ORG: a unit's id or name.\n"
     "  user list [--json]                 accounts, their roles and state\n"
     "  user passwd NAME --password-stdin  sets a password (policy and history checked;\n"
     "                                     must be changed at the next login; unlocks;\n"
     "                                     ends the account's sessions)\n"
     "  user unlock NAME                   clears a lockout after failed logins\n"
     "  user disable NAME | enable NAME    stops (sessions ended) or restores an account\n"
     "Every change is recorded in the audit trail as user cli:<unix user>, source local.\n"
     "Exit status: 0 done, 1 refused or failed, 2 bad usage.\n"},
    {"token",
     "yunwei token create|list|revoke [--data DIR] [options]",
     "API tokens (sent as 'Authorization: Bearer TOKEN').\n"
     "  token create --user NAME [--expires DAYS] [--name TEXT] [--role ROLE,...]\n"
     "        prints the new token on stdout, once, and nothing else there. DAYS 1..365\n"
     "        (default 90); roles default to the account's and must be among them.\n"
     "  token list [--user NAME] [--json]  tokens (never their secret) and their state\n"
     "  token revoke ID\n"
     "Exit status: 0 done, 1 refused or failed, 2 bad usage.\n"},
    {"audit",
     "yunwei audit verify|export [--data DIR] [--from T] [--to T] [--user U] [--action A]",
     "The tamper-evident audit trail.\n"
     "  audit verify   walks the HMAC chain and the anchor: prints \"audit chain intact: N\n"
     "                 records\" and exits 0, or prints where it is broken (\"audit chain\n"
     "                 broken at record 17: ...\") and exits 1.\n"
     "  audit export   writes the records (oldest first) as CSV with a UTF-8 BOM to\n"
     "                 stdout: time,user,source,action,object,result,before,after,seq,mac.\n"
     "                 --from/--to: RFC 3339 or a date; --user exact; --action a prefix.\n"
     "Both are themselves recorded in the trail.\n"},
    {"setup-link", "yunwei setup-link [--data DIR]",
     "For a store without any account: prints a one-time path (valid 24 h) at which the\n"
     "first administrator is created in the console. Refused once accounts exist.\n"},
    {"calendar",
     "yunwei calendar add DATE N | is-workday DATE | show YEAR | import FILE [--year Y] "
     "[--data DIR]",
     "The working-day calendar: weekends, China's public holidays and make-up working days\n"
     "(调休), shipped for the years of data/cn-holidays.txt; the administrator adds a year\n"
     "when the State Council publishes it (docs/calendar.md).\n"
     "  add DATE N        prints the date N working days after DATE\n"
     "                    (2026-04-03 + 1 = 2026-04-07: 4-6 April are Qingming)\n"
     "  is-workday DATE   exit 0 when a working day, 1 when not; says why\n"
     "  show YEAR         the year's holidays and make-up days\n"
     "  import FILE       adds or replaces a year in the store of --data DIR (default ./var);\n"
     "                    works while serve runs, which takes it on SIGHUP or restart\n"
     "                    (PUT /api/v1/calendar/years/{year} takes effect at once)\n"
     "Exit status: 0 done or a working day; 1 not a working day, year not known, or import\n"
     "failed; 2 bad input.\n"},
    {"sla",
     "yunwei sla --period 2026-11|2026-Q4|2026-H2|2026 [--from DATE --to DATE] "
     "[--system NAME] [--json] [--data DIR]",
     "The figures the contract's assessment reads for a period: incidents by level and\n"
     "source, response rate, SLA compliance per clock (response, on site, resolution),\n"
     "mean and p90 times to respond and resolve, breaches, fault reports late, fault rate.\n"
     "Works while serve runs on DIR.\n"},
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
