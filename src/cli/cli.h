/*
 * cli — the subcommands of the one yunwei binary. Each *_main takes argv with its own name as argv[0]
 * and returns the process exit status:
 * 0 success, 1 a check found something down (check), 2 bad usage or config.
 */
#ifndef YW_CLI_CLI_H
#define YW_CLI_CLI_H

int cli_serve_main(int argc, char **argv);
int cli_check_main(int argc, char **argv);
int cli_config_main(int argc, char **argv);
/* Accounts, tokens and the audit trail from the shell (account.c): work on
 * --data DIR while serve runs; exit 0 done, 1 failed (audit verify: chain
 * broken), 2 bad usage. */
int cli_user_main(int argc, char **argv);
int cli_token_main(int argc, char **argv);
int cli_audit_main(int argc, char **argv);
int cli_setup_link_main(int argc, char **argv);
/* `yunwei calendar add DATE N | is-workday DATE | show YEAR | import FILE` (cli/calendar.c) */
int cli_calendar_main(int argc, char **argv);
/* `yunwei sla --period 2026-11 [--system NAME] [--json]` (cli/sla.c) */
int cli_sla_main(int argc, char **argv);
/* Prints help for cmd (NULL: the overview) to stdout; 0, or 2 if cmd is unknown. */
int cli_help(const char *cmd);

#endif
