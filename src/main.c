/* yunwei — one binary, subcommands. See `yunwei help`. */
#include <stdio.h>
#include <string.h>

#include "auth/roles.h"
#include "cli/cli.h"
#include "core/buf.h"

#ifndef YW_VERSION
#define YW_VERSION "dev"
#endif

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_help(NULL), 2;
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cli_serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cli_check_main(argc - 1, argv + 1);
    if (strcmp(cmd, "config") == 0)
        return cli_config_main(argc - 1, argv + 1);
    if (strcmp(cmd, "user") == 0)
        return cli_user_main(argc - 1, argv + 1);
    if (strcmp(cmd, "token") == 0)
        return cli_token_main(argc - 1, argv + 1);
    if (strcmp(cmd, "audit") == 0)
        return cli_audit_main(argc - 1, argv + 1);
    if (strcmp(cmd, "setup-link") == 0)
        return cli_setup_link_main(argc - 1, argv + 1);
    if (strcmp(cmd, "calendar") == 0)
        return cli_calendar_main(argc - 1, argv + 1);
    if (strcmp(cmd, "sla") == 0)
        return cli_sla_main(argc - 1, argv + 1);
    if (strcmp(cmd, "roles") == 0) {
        /* The role × action matrix, as the README shows it. */
        struct buf b = BUF_INIT(1 << 20);
        roles_matrix_markdown(&b);
        fputs(buf_str(&b), stdout);
        buf_release(&b);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("yunwei %s\n", YW_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cli_help(argc > 2 ? argv[2] : NULL);
    fprintf(stderr, "yunwei: unknown command '%s' (try 'yunwei help')\n", cmd);
    return 2;
}
