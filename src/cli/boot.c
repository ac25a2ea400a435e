#include "cli/boot.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/password.h"
#include "auth/roles.h"
#include "auth/secret.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/api_admin_util.h"
#include "store/store_auth.h"

#define SETUP_VALID (24 * MS_PER_H)

static void audit_boot(struct store *S, const char *action, const char *object)
{
    struct audit_record r = {0};
    r.user = "system";
    r.source = "local";
    r.action = action;
    r.object = object;
    r.result = "ok";
    struct yw_err err = YW_ERR_INIT;
    if (store_audit_append(S, &r, &err) != 0)
        log_error("audit: %s", err.msg);
}

int boot_setup_link(struct store *S, const char *base_url)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t n = 0;
    if (store_user_count(S, &n, &err) != 0) {
        log_error("accounts: %s", err.msg);
        return -1;
    }
    if (n > 0)
        return 0;
    char *token = secret_token_new("ywsetup_", 32);
    char hash[TOKEN_HASH_HEX];
    secret_token_hash(token, hash);
    if (store_setup_create(S, hash, time_now_ms() + SETUP_VALID, &err) != 0) {
        log_error("accounts: cannot create the setup link: %s", err.msg);
        secret_wipe(token, strlen(token));
        xfree(token);
        return -1;
    }
    audit_boot(S, "setup.link", NULL);
    fprintf(stderr,
            "yunwei: 尚无账户 / no account yet. Create the first system administrator within 24 h\n"
            "        (the link works once): %s/setup#%s\n"
            "        or from the shell: yunwei user add NAME --role sysadmin --password-stdin\n",
            base_url, token);
    secret_wipe(token, strlen(token));
    xfree(token);
    return 0;
}

int boot_demo_accounts(struct store *S)
{
    struct yw_err err = YW_ERR_INIT;
    struct password_policy pol = PASSWORD_POLICY_DEFAULT;
    if (store_policy_get(S, &pol, &err) != 0)
        return -1;
    fprintf(stderr, "yunwei: demo accounts (passwords drawn now, valid until the next start):\n");
    for (int r = 0; r < ROLE__COUNT; r++) {
        char name[64], pw[PASSWORD_MAX + 1];
        snprintf(name, sizeof name, "demo-%s", role_name((enum role)r));
        if (admin_password_generate(&pol, name, pw, sizeof pw) != 0)
            return -1;
        struct user_row u = {0};
        bool exists = store_user_get(S, 0, name, &u, &err) == 0;
        if (password_hash(pw, u.pw_hash) != 0) {
            store_user_row_release(&u);
            return -1;
        }
        u.pw_changed = time_now_ms();
        u.must_change_pw = false; /* drawn and shown just now; it is a demo */
        u.failed_logins = 0;
        u.locked_until = 0;
        u.disabled = false;
        u.roles = 1u << r;
        int rc;
        if (exists) {
            rc = store_user_update(S, &u, &err);
        } else {
            u.name = xstrdup(name);
            u.display_name = xasprintf("演示%s", role_title_zh((enum role)r));
            int64_t id = 0;
            rc = store_user_create(S, &u, &id, &err);
            u.id = id;
        }
        if (rc == 0) {
            store_session_end_user(S, u.id, NULL, &err); /* old demo sessions end */
            audit_boot(S, exists ? "user.demo_reset" : "user.demo_create", name);
            fprintf(stderr, "yunwei: demo account %-10s (%s): user %-16s password %s\n",
                    role_name((enum role)r), role_title_zh((enum role)r), name, pw);
        } else {
            log_error("demo account %s: %s", name, err.msg);
        }
        sodium_memzero(pw, sizeof pw);
        store_user_row_release(&u);
        if (rc != 0)
            return -1;
    }
    return 0;
}
