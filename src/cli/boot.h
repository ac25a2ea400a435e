/*
 * boot — accounts at start: the one-time setup link of an empty store, and
 * the demo accounts of `serve --demo`. No default password exists anywhere:
 * every password here is drawn at random when the server starts.
 */
#ifndef YW_CLI_BOOT_H
#define YW_CLI_BOOT_H

#include "store/store.h"

/* When the store has no account, creates a setup token (valid 24 h, once)
 * and prints the link to create the first system administrator. */
int boot_setup_link(struct store *S, const char *base_url);

/* One account per role, demo-ROLE, each with a fresh random password printed
 * on stderr at every start (an existing demo account gets a new one; its
 * second factor, if enrolled, is kept). Administrators must still enrol a
 * second factor at first login. */
int boot_demo_accounts(struct store *S);

#endif
