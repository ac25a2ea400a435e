/* yunwei — one binary, subcommands. See `yunwei help`. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

#ifndef YW_VERSION
#define YW_VERSION "dev"
#endif

int main(int argc, char **argv)
{
    if (argc < 2)
        return cli_help(NULL) == 0 ? 2 : 2;
    const char *cmd = argv[1];
    if (strcmp(cmd, "serve") == 0)
        return cli_serve_main(argc - 1, argv + 1);
    if (strcmp(cmd, "check") == 0)
        return cli_check_main(argc - 1, argv + 1);
    if (strcmp(cmd, "config") == 0)
        return cli_config_main(argc - 1, argv + 1);
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("yunwei %s\n", YW_VERSION);
        return 0;
    }
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
        return cli_help(argc > 2 ? argv[2] : NULL);
    fprintf(stderr, "yunwei: unknown command '%s' (try 'yunwei help')\n", cmd);
    return 2;
}
