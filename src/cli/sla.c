/* Placeholder: its owner replaces this file. */
#include <stdio.h>

#include "cli/cli.h"

int cli_sla_main(int argc, char **argv)
{
    (void)argc, (void)argv;
    fputs("yunwei: not built yet\n", stderr);
    return 2;
}
