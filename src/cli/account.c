/*
 * account — the subcommands that work on accounts, tokens and the audit
 * trail from the shell: `user`, `token`, `audit` and `setup-link`.
 *
 * They open the store with store_open_shared, so they work while `serve`
 * runs on the same --data directory. Every change is audited like the API's,
 * with user "cli:<unix user>" and source "local": whoever can run them
 * already holds the data directory, so the record says who did it from the
 * shell rather than pretending to be an account. Secrets (passwords) come
 * from stdin, never from the command line, where ps and shell history would
 * show them; a token is printed once on stdout and nothing else is.
 *
 * Exit status: 0 done, 1 the operation failed (refused by the policy, not
 * found, a broken audit chain, a store error), 2 bad usage.
 */
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/password.h"
#include "auth/roles.h"
#include "auth/secret.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/mem.h"
#include "http/api.h"
#include "http/api_admin_util.h"
#include "store/store.h"
#include "store/store_auth.h"

#define EXIT_FAIL 1
#define EXIT_USAGE 2
#define CLI_EXPORT_MAX ((size_t)1024 * 1024 * 1024) /* bytes of CSV one export may write */
#define SETUP_LINK_TTL MS_PER_DAY
/* Where the console takes a setup token; the token follows. In the
 * fragment, which browsers never send: it stays out of request lines,
 * proxy and access logs, and Referer headers. The page posts it to
 * POST /api/v1/setup. */
#define CLI_SETUP_PATH "/setup#"

/* What every subcommand here shares: the store and who is acting. */
struct acct {
    const char *prog;  /* "yunwei user add", for messages */
    struct store *S;
    char who[96];      /* "cli:root" */
};

static void acct_who(char *out, size_t n)
{
    const struct passwd *pw = getpwuid(geteuid());
    if (pw && pw->pw_name && *pw->pw_name)
        snprintf(out, n, "cli:%s", pw->pw_name);
    else
        snprintf(out, n, "cli:uid%u", (unsigned)geteuid());
}

static int acct_open(struct acct *a, const char *prog, const char *dir)
{
    a->prog = prog;
    acct_who(a->who, sizeof a->who);
    const char *tz = getenv("YUNWEI_TZ");
    if (tz && time_set_display_zone(tz) != 0) {
        fprintf(stderr, "%s: YUNWEI_TZ: unknown time zone '%s'\n", prog, tz);
        return -1;
    }
    struct yw_err err = YW_ERR_INIT;
    a->S = store_open_shared(dir, &err);
    if (!a->S) {
        fprintf(stderr, "%s: store %s: %s\n", prog, dir, err.msg);
        return -1;
    }
    return 0;
}

static void acct_close(struct acct *a)
{
    store_close(a->S);
    a->S = NULL;
}

static int acct_fail(const struct acct *a, const struct yw_err *err)
{
    fprintf(stderr, "%s: %s\n", a->prog, err->msg[0] ? err->msg : "failed");
    return EXIT_FAIL;
}

/* JSON text of j (stolen), secrets masked as the API's records are; NULL
 * for NULL. */
static char *json_text(json_t *j)
{
    if (!j)
        return NULL;
    api_mask_secrets(j);
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS); /* as the server writes them */
    json_decref(j);
    char *copy = xstrdup(s);
    free(s);
    return copy;
}

/* Appends an audit record (before/after stolen). The change is already
 * made; when the record cannot be written the command still says so and
 * fails, because a change missing from the trail must not look done. */
static int acct_audit(const struct acct *a, const char *action, const char *object,
                      json_t *before, json_t *after, const char *result)
{
    char *b = json_text(before), *af = json_text(after);
    struct audit_record r = {
        .user = a->who,
        .source = "local",
        .action = action,
        .object = object,
        .before = b,
        .after = af,
        .result = result,
    };
    struct yw_err err = YW_ERR_INIT;
    int rc = store_audit_append(a->S, &r, &err);
    xfree(b);
    xfree(af);
    if (rc != 0)
        fprintf(stderr,
                "%s: done, but the audit trail could not record it (审计记录写入失败): %s\n",
                a->prog, err.msg);
    return rc;
}

/* Records a refused or failed change, then reports it. */
static int acct_refuse(const struct acct *a, const char *action, const char *object,
                       const struct yw_err *err)
{
    char result[600];
    snprintf(result, sizeof result, "failed: %s", err->msg);
    (void)acct_audit(a, action, object, NULL, NULL, result);
    return acct_fail(a, err);
}

/* A user as answered by the API (no secret in it), for audit images. */
static json_t *acct_user_json(const struct acct *a, const struct user_row *u)
{
    struct password_policy pol;
    struct yw_err err = YW_ERR_INIT;
    struct org_row o = {0};
    const char *org = NULL;
    if (u->org_id && store_org_get(a->S, u->org_id, &o, &err) == 0)
        org = o.name;
    bool have_pol = store_policy_get(a->S, &pol, &err) == 0;
    json_t *j = admin_user_json(u, org, have_pol ? &pol : NULL, time_now_ms());
    xfree(o.name);
    return j;
}

/* One line from stdin: the password, without its line end. With a terminal
 * the typing is not echoed. -1 with err when there is none, it is longer
 * than PASSWORD_MAX, or empty. */
static int read_password(char out[PASSWORD_MAX + 1], struct yw_err *err)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty && tcgetattr(STDIN_FILENO, &old) == 0) {
        fprintf(stderr, "Password (密码): ");
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    } else {
        tty = false;
    }
    char line[PASSWORD_MAX + 3];
    char *got = fgets(line, sizeof line, stdin);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    int rc = 0;
    size_t len = got ? strlen(line) : 0;
    bool whole = len > 0 && line[len - 1] == '\n';
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        line[--len] = '\0';
    if (!got)
        rc = yw_fail(err, YW_EINVAL, "--password-stdin: no password on stdin");
    else if (len > PASSWORD_MAX || (!whole && !feof(stdin)))
        rc = yw_fail(err, YW_EINVAL, "--password-stdin: longer than %d bytes", PASSWORD_MAX);
    else if (len == 0)
        rc = yw_fail(err, YW_EINVAL, "--password-stdin: the password is empty");
    else
        memcpy(out, line, len + 1);
    secret_wipe(line, sizeof line);
    return rc;
}

/* Checks pw against the policy and the account's recent passwords; hashes
 * it into hash. */
static int new_password(struct store *S, const struct user_row *u, const char *pw,
                        char hash[PASSWORD_HASH_MAX], struct yw_err *err)
{
    struct password_policy pol;
    char why[300];
    if (store_policy_get(S, &pol, err) != 0)
        return -1;
    if (password_check_policy(&pol, u->name, pw, why, sizeof why) != 0)
        return yw_fail(err, YW_EINVAL, "%s", why);
    if (u->id && pol.history > 0) {
        char **old = NULL;
        size_t n = 0;
        if (store_pw_history(S, u->id, pol.history, &old, &n, err) != 0)
            return -1;
        bool reused = u->pw_hash[0] && password_verify(u->pw_hash, pw);
        for (size_t i = 0; i < n; i++) {
            reused = reused || password_verify(old[i], pw);
            xfree(old[i]);
        }
        xfree(old);
        if (reused)
            return yw_fail(err, YW_EINVAL,
                           "不能使用最近 %d 次用过的密码 / the password is one of the last %d",
                           pol.history, pol.history);
    }
    if (password_hash(pw, hash) != 0)
        return yw_fail(err, YW_EIO, "could not hash the password (out of memory)");
    return 0;
}

/* An organisation unit by id or by its name when exactly one has it. */
static int find_org(struct store *S, const char *ref, int64_t *id, struct yw_err *err)
{
    int64_t want;
    const char *name;
    api_ref(ref, &want, &name);
    struct org_row *rows = NULL;
    size_t n = 0, hits = 0;
    if (store_org_list(S, &rows, &n, err) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (want ? rows[i].id == want : strcmp(rows[i].name, name) == 0) {
            hits++;
            *id = rows[i].id;
        }
    }
    store_org_rows_free(rows, n);
    if (hits == 0)
        return yw_fail(err, YW_ENOTFOUND, "--org: no organisation unit '%s'", ref);
    if (hits > 1)
        return yw_fail(err, YW_EINVAL, "--org: %zu units are named '%s': give the id", hits, ref);
    return 0;
}

/* A time for a table: whole seconds keep the columns aligned. */
static void fmt_time(ms_t t, char *out, size_t n)
{
    if (t == 0)
        snprintf(out, n, "-");
    else
        time_format_rfc3339(t - t % MS_PER_S, out, n);
}

/* ---- option parsing shared by the subcommands ---------------------------------- */

struct opts {
    const char *data, *role, *org, *display, *user, *name, *from, *to, *action;
    const char *expires;
    bool password_stdin, json;
    int npos;
    char *pos[4];
};

enum { O_DATA = 1, O_ROLE, O_ORG, O_DISPLAY, O_PWSTDIN, O_USER, O_NAME, O_EXPIRES, O_FROM, O_TO,
       O_ACTION, O_JSON, O_HELP };

#define OPT(x) (1u << (x))

/* Parses argv (argv[0] the verb) accepting --data, --help and the options
 * in allowed (OPT(O_…) bits). 1 for --help; -1 after printing the problem. */
static int parse(const char *prog, int argc, char **argv, unsigned allowed, struct opts *o)
{
    static const struct option longopts[] = {
        {"data", required_argument, NULL, O_DATA},
        {"role", required_argument, NULL, O_ROLE},
        {"org", required_argument, NULL, O_ORG},
        {"display", required_argument, NULL, O_DISPLAY},
        {"password-stdin", no_argument, NULL, O_PWSTDIN},
        {"user", required_argument, NULL, O_USER},
        {"name", required_argument, NULL, O_NAME},
        {"expires", required_argument, NULL, O_EXPIRES},
        {"from", required_argument, NULL, O_FROM},
        {"to", required_argument, NULL, O_TO},
        {"action", required_argument, NULL, O_ACTION},
        {"json", no_argument, NULL, O_JSON},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0}};
    *o = (struct opts){.data = "var"};
    optind = 0;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        if (ch == '?' || ch == ':') {
            fprintf(stderr, "%s: %s option '%s'\n", prog,
                    ch == ':' ? "missing value for" : "unknown", argv[optind - 1]);
            return -1;
        }
        if (ch != O_DATA && ch != O_HELP && !(allowed & OPT(ch))) {
            const char *name = "?";
            for (const struct option *lo = longopts; lo->name; lo++)
                if (lo->val == ch)
                    name = lo->name;
            fprintf(stderr, "%s: option --%s does not apply here\n", prog, name);
            return -1;
        }
        switch (ch) {
        case O_DATA: o->data = optarg; break;
        case O_ROLE: o->role = optarg; break;
        case O_ORG: o->org = optarg; break;
        case O_DISPLAY: o->display = optarg; break;
        case O_PWSTDIN: o->password_stdin = true; break;
        case O_USER: o->user = optarg; break;
        case O_NAME: o->name = optarg; break;
        case O_EXPIRES: o->expires = optarg; break;
        case O_FROM: o->from = optarg; break;
        case O_TO: o->to = optarg; break;
        case O_ACTION: o->action = optarg; break;
        case O_JSON: o->json = true; break;
        case O_HELP: return 1;
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o->npos == (int)(sizeof o->pos / sizeof o->pos[0])) {
            fprintf(stderr, "%s: too many arguments\n", prog);
            return -1;
        }
        o->pos[o->npos++] = argv[i];
    }
    return 0;
}

/* Checks the count of positional arguments. */
static int want_pos(const char *prog, const struct opts *o, int n, const char *what)
{
    if (o->npos == n)
        return 0;
    if (o->npos < n)
        fprintf(stderr, "%s: missing %s\n", prog, what);
    else
        fprintf(stderr, "%s: unexpected argument '%s'\n", prog, o->pos[n]);
    return -1;
}

/* ---- user ------------------------------------------------------------------------- */

static int user_add(struct acct *a, const struct opts *o)
{
    const char *name = o->pos[0];
    char obj[96], why[300];
    admin_user_object(name, obj, sizeof obj);
    struct yw_err err = YW_ERR_INIT;
    roleset roles = 0;
    if (!o->role || roleset_parse(o->role, &roles, why, sizeof why) != 0 ||
        !roleset_valid(roles, why, sizeof why)) {
        fprintf(stderr, "%s: --role: %s\n", a->prog,
                o->role ? why : "required (--role ROLE[,ROLE])");
        return EXIT_USAGE;
    }
    if (!admin_user_name_valid(name)) {
        fprintf(stderr, "%s: %s: a login name is 2 to 64 of a-z 0-9 . _ -, starting with a "
                        "letter or digit\n", a->prog, name);
        return EXIT_USAGE;
    }
    if (o->display && !admin_label_valid(o->display, ADMIN_DISPLAY_NAME_MAX)) {
        fprintf(stderr, "%s: --display: 1 to %d bytes without control characters\n", a->prog,
                ADMIN_DISPLAY_NAME_MAX);
        return EXIT_USAGE;
    }
    char pw[PASSWORD_MAX + 1] = "", hash[PASSWORD_HASH_MAX] = "";
    int64_t org_id = 0, id = 0;
    int status = EXIT_FAIL;
    struct user_row u = {.name = (char *)(uintptr_t)name,
                         .display_name = (char *)(uintptr_t)o->display,
                         .roles = roles};
    if ((o->org && find_org(a->S, o->org, &org_id, &err) != 0) || read_password(pw, &err) != 0 ||
        new_password(a->S, &u, pw, hash, &err) != 0) {
        status = acct_refuse(a, "user.create", obj, &err);
        goto out;
    }
    ms_t now = time_now_ms();
    u.org_id = org_id;
    memcpy(u.pw_hash, hash, sizeof hash);
    u.pw_changed = now;
    u.must_change_pw = true; /* whoever typed it here is not the account's owner */
    u.created = u.updated = now;
    if (store_user_create(a->S, &u, &id, &err) != 0) {
        status = acct_refuse(a, "user.create", obj, &err);
        goto out;
    }
    struct yw_err herr = YW_ERR_INIT;
    (void)store_pw_history_add(a->S, id, hash, &herr);
    struct user_row row = {0};
    json_t *after = NULL;
    if (store_user_get(a->S, id, NULL, &row, &err) == 0)
        after = acct_user_json(a, &row);
    store_user_row_release(&row);
    if (acct_audit(a, "user.create", obj, NULL, after, "ok") == 0)
        status = 0;
    char rs[128];
    roleset_format(roles, rs, sizeof rs);
    printf("user %s created (id %" PRId64 ", roles %s); the password must be changed at the "
           "first login\n", name, id, rs);
out:
    secret_wipe(pw, sizeof pw);
    secret_wipe(hash, sizeof hash);
    return status;
}

static const char *user_state(const struct user_row *u, ms_t now)
{
    if (u->disabled)
        return "disabled";
    if (u->locked_until > now)
        return "locked";
    if (u->roles == 0)
        return "no-roles";
    if (u->must_change_pw)
        return "must-change";
    return "active";
}

static int user_list(struct acct *a, const struct opts *o)
{
    struct yw_err err = YW_ERR_INIT;
    struct user_row *rows = NULL;
    size_t n = 0;
    struct org_row *orgs = NULL;
    size_t norgs = 0;
    struct password_policy pol;
    if (store_user_list(a->S, &rows, &n, &err) != 0 ||
        store_org_list(a->S, &orgs, &norgs, &err) != 0 || store_policy_get(a->S, &pol, &err) != 0) {
        store_user_rows_free(rows, n);
        return acct_fail(a, &err);
    }
    ms_t now = time_now_ms();
    if (o->json) {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                items, admin_user_json(&rows[i], admin_org_name(orgs, norgs, rows[i].org_id),
                                       &pol, now));
        json_t *list = api_list(items, NULL);
        char *s = json_dumps(list, JSON_COMPACT);
        json_decref(list);
        puts(s);
        free(s);
    } else {
        printf("%-5s %-20s %-16s %-16s %-24s %-12s %s\n", "ID", "NAME", "DISPLAY", "ORG", "ROLES",
               "STATE", "LAST LOGIN");
        for (size_t i = 0; i < n; i++) {
            char roles[128], last[64];
            roleset_format(rows[i].roles, roles, sizeof roles);
            fmt_time(rows[i].last_login, last, sizeof last);
            const char *org = admin_org_name(orgs, norgs, rows[i].org_id);
            printf("%-5" PRId64 " %-20s %-16s %-16s %-24s %-12s %s\n", rows[i].id, rows[i].name,
                   rows[i].display_name ? rows[i].display_name : "-", org ? org : "-",
                   roles[0] ? roles : "-", user_state(&rows[i], now), last);
        }
    }
    store_org_rows_free(orgs, norgs);
    store_user_rows_free(rows, n);
    return 0;
}

/* What `user passwd|unlock|disable|enable` do to a row. */
enum user_change { UC_PASSWD, UC_UNLOCK, UC_DISABLE, UC_ENABLE };

static int user_change(struct acct *a, const struct opts *o, enum user_change what)
{
    static const char *const actions[] = {"user.password_reset", "user.unlock", "user.update",
                                          "user.update"};
    static const char *const done[] = {"password set; it must be changed at the next login",
                                       "unlocked", "disabled; its sessions are ended",
                                       "enabled"};
    const char *name = o->pos[0];
    const char *action = actions[what];
    char obj[96];
    admin_user_object(name, obj, sizeof obj);
    struct yw_err err = YW_ERR_INIT;
    struct user_row row = {0};
    char pw[PASSWORD_MAX + 1] = "", hash[PASSWORD_HASH_MAX] = "";
    int status = EXIT_FAIL;
    if (store_user_get(a->S, 0, name, &row, &err) != 0) {
        status = acct_refuse(a, action, obj, &err);
        goto out;
    }
    struct user_row u = row;
    u.updated = time_now_ms();
    switch (what) {
    case UC_PASSWD:
        if (read_password(pw, &err) != 0 || new_password(a->S, &row, pw, hash, &err) != 0) {
            status = acct_refuse(a, action, obj, &err);
            goto out;
        }
        memcpy(u.pw_hash, hash, sizeof hash);
        u.pw_changed = u.updated;
        u.must_change_pw = true;
        u.failed_logins = 0;
        u.locked_until = 0;
        break;
    case UC_UNLOCK:
        u.failed_logins = 0;
        u.locked_until = 0;
        break;
    case UC_DISABLE: u.disabled = true; break;
    case UC_ENABLE: u.disabled = false; break;
    }
    json_t *before = acct_user_json(a, &row);
    if (store_user_update(a->S, &u, &err) != 0) {
        json_decref(before);
        status = acct_refuse(a, action, obj, &err);
        goto out;
    }
    if (what == UC_PASSWD) {
        struct yw_err herr = YW_ERR_INIT;
        (void)store_pw_history_add(a->S, row.id, hash, &herr);
    }
    /* The old password's holder and a disabled account stop now. */
    if ((what == UC_PASSWD || what == UC_DISABLE) &&
        store_session_end_user(a->S, row.id, NULL, &err) != 0)
        fprintf(stderr, "%s: could not end the sessions of %s: %s\n", a->prog, name, err.msg);
    struct user_row after = {0};
    json_t *aj = NULL;
    if (store_user_get(a->S, row.id, NULL, &after, &err) == 0)
        aj = acct_user_json(a, &after);
    store_user_row_release(&after);
    if (acct_audit(a, action, obj, before, aj, "ok") == 0)
        status = 0;
    printf("user %s %s\n", name, done[what]);
out:
    secret_wipe(pw, sizeof pw);
    secret_wipe(hash, sizeof hash);
    store_user_row_release(&row);
    return status;
}

int cli_user_main(int argc, char **argv)
{
    static const struct {
        const char *verb;
        unsigned opts;
        int npos;
    } verbs[] = {
        {"add", OPT(O_ROLE) | OPT(O_ORG) | OPT(O_DISPLAY) | OPT(O_PWSTDIN), 1},
        {"list", OPT(O_JSON), 0},
        {"passwd", OPT(O_PWSTDIN), 1},
        {"unlock", 0, 1},
        {"disable", 0, 1},
        {"enable", 0, 1},
    };
    if (argc < 2) {
        cli_help("user");
        return EXIT_USAGE;
    }
    size_t v = 0;
    while (v < sizeof verbs / sizeof verbs[0] && strcmp(argv[1], verbs[v].verb) != 0)
        v++;
    if (v == sizeof verbs / sizeof verbs[0]) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
            return cli_help("user") == 0 ? 0 : EXIT_USAGE;
        fprintf(stderr, "yunwei user: unknown command '%s' (try 'yunwei help user')\n", argv[1]);
        return EXIT_USAGE;
    }
    char prog[64];
    snprintf(prog, sizeof prog, "yunwei user %s", verbs[v].verb);
    struct opts o;
    int prc = parse(prog, argc - 1, argv + 1, verbs[v].opts, &o);
    if (prc > 0)
        return cli_help("user") == 0 ? 0 : EXIT_USAGE;
    if (prc < 0 || want_pos(prog, &o, verbs[v].npos, "the user name") != 0)
        return EXIT_USAGE;
    if ((v == 0 || v == 2) && !o.password_stdin) {
        fprintf(stderr, "%s: --password-stdin is required: a password is read from stdin, never "
                        "given on the command line (ps and shell history would show it)\n", prog);
        return EXIT_USAGE;
    }
    struct acct a = {0};
    if (acct_open(&a, prog, o.data) != 0)
        return EXIT_FAIL;
    int status;
    switch (v) {
    case 0: status = user_add(&a, &o); break;
    case 1: status = user_list(&a, &o); break;
    case 2: status = user_change(&a, &o, UC_PASSWD); break;
    case 3: status = user_change(&a, &o, UC_UNLOCK); break;
    case 4: status = user_change(&a, &o, UC_DISABLE); break;
    default: status = user_change(&a, &o, UC_ENABLE); break;
    }
    acct_close(&a);
    return status;
}

/* ---- token ------------------------------------------------------------------------- */

static int token_create(struct acct *a, const struct opts *o)
{
    struct yw_err err = YW_ERR_INIT;
    struct user_row u = {0};
    char obj[48] = "token", why[300];
    int64_t days = ADMIN_TOKEN_DAYS_DEFAULT;
    if (o->expires) {
        char *end;
        long v = strtol(o->expires, &end, 10);
        if (*end || end == o->expires || v < 1 || v > ADMIN_TOKEN_DAYS_MAX) {
            fprintf(stderr, "%s: --expires: days from 1 to %d, got '%s'\n", a->prog,
                    ADMIN_TOKEN_DAYS_MAX, o->expires);
            return EXIT_USAGE;
        }
        days = v;
    }
    if (o->name && !admin_label_valid(o->name, ADMIN_TOKEN_NAME_MAX)) {
        fprintf(stderr, "%s: --name: 1 to %d bytes without control characters\n", a->prog,
                ADMIN_TOKEN_NAME_MAX);
        return EXIT_USAGE;
    }
    roleset roles = 0;
    if (o->role && roleset_parse(o->role, &roles, why, sizeof why) != 0) {
        fprintf(stderr, "%s: --role: %s\n", a->prog, why);
        return EXIT_USAGE;
    }
    if (store_user_get(a->S, 0, o->user, &u, &err) != 0)
        return acct_refuse(a, "token.create", obj, &err);
    int status = EXIT_FAIL;
    if (!o->role)
        roles = u.roles;
    if (u.disabled)
        yw_fail(&err, YW_EINVAL, "user %s is disabled", u.name);
    else if (roles == 0)
        yw_fail(&err, YW_EINVAL, "user %s has no roles: a token would carry none", u.name);
    else if (roles & ~u.roles) {
        char extra[128];
        roleset_format(roles & ~u.roles, extra, sizeof extra);
        yw_fail(&err, YW_EINVAL, "--role: user %s does not hold %s (令牌权限不能超出账号角色)",
                u.name, extra);
    }
    if (err.code != YW_OK) {
        status = acct_refuse(a, "token.create", obj, &err);
        store_user_row_release(&u);
        return status;
    }
    ms_t now = time_now_ms();
    char label[ADMIN_TOKEN_NAME_MAX + 1];
    snprintf(label, sizeof label, "%s", o->name ? o->name : a->who); /* "cli:root" */
    char *token = secret_token_new("ywt_", 32);
    struct token_row t = {
        .user_id = u.id,
        .name = label,
        .roles = roles,
        .created = now,
        .expires = now + days * MS_PER_DAY,
    };
    secret_token_hash(token, t.hash);
    int64_t id = 0;
    if (store_token_create(a->S, &t, &id, &err) != 0) {
        status = acct_refuse(a, "token.create", obj, &err);
    } else {
        t.id = id;
        snprintf(obj, sizeof obj, "token:%" PRId64, id);
        if (acct_audit(a, "token.create", obj, NULL, admin_token_json(&t, u.name, now), "ok") ==
            0) {
            /* The only line on stdout, so `T=$(yunwei token create …)` works. */
            printf("%s\n", token);
            fflush(stdout);
            char exp[64];
            fmt_time(t.expires, exp, sizeof exp);
            fprintf(stderr, "%s: token %" PRId64 " for %s, expires %s; it is shown only now\n",
                    a->prog, id, u.name, exp);
            status = 0;
        }
    }
    secret_wipe(token, strlen(token));
    xfree(token);
    store_user_row_release(&u);
    return status;
}

static int token_list(struct acct *a, const struct opts *o)
{
    struct yw_err err = YW_ERR_INIT;
    struct user_row u = {0}, *users = NULL;
    size_t nusers = 0;
    struct token_row *rows = NULL;
    size_t n = 0;
    int status = EXIT_FAIL;
    if ((o->user && store_user_get(a->S, 0, o->user, &u, &err) != 0) ||
        store_user_list(a->S, &users, &nusers, &err) != 0 ||
        store_token_list(a->S, o->user ? u.id : 0, &rows, &n, &err) != 0) {
        status = acct_fail(a, &err);
        goto out;
    }
    ms_t now = time_now_ms();
    if (o->json) {
        json_t *items = json_array();
        for (size_t i = 0; i < n; i++) {
            const char *owner = NULL;
            for (size_t k = 0; k < nusers && !owner; k++)
                if (users[k].id == rows[i].user_id)
                    owner = users[k].name;
            json_array_append_new(items, admin_token_json(&rows[i], owner, now));
        }
        json_t *list = api_list(items, NULL);
        char *s = json_dumps(list, JSON_COMPACT);
        json_decref(list);
        puts(s);
        free(s);
    } else {
        printf("%-5s %-16s %-24s %-20s %-9s %-25s %-25s %s\n", "ID", "USER", "NAME", "ROLES",
               "STATE", "CREATED", "EXPIRES", "LAST USED");
        for (size_t i = 0; i < n; i++) {
            const struct token_row *t = &rows[i];
            const char *owner = "-";
            for (size_t k = 0; k < nusers; k++)
                if (users[k].id == t->user_id)
                    owner = users[k].name;
            char roles[128], created[64], expires[64], used[64];
            roleset_format(t->roles, roles, sizeof roles);
            fmt_time(t->created, created, sizeof created);
            fmt_time(t->expires, expires, sizeof expires);
            fmt_time(t->last_used, used, sizeof used);
            const char *state = t->revoked ? "revoked"
                                : (t->expires && t->expires <= now) ? "expired"
                                                                     : "active";
            printf("%-5" PRId64 " %-16s %-24s %-20s %-9s %-25s %-25s %s\n", t->id, owner,
                   t->name ? t->name : "-", roles, state, created, expires, used);
        }
    }
    status = 0;
out:
    store_token_rows_free(rows, n);
    store_user_rows_free(users, nusers);
    store_user_row_release(&u);
    return status;
}

static int token_revoke(struct acct *a, const struct opts *o)
{
    struct yw_err err = YW_ERR_INIT;
    char *end;
    long long id = strtoll(o->pos[0], &end, 10);
    if (*end || end == o->pos[0] || id < 1) {
        fprintf(stderr, "%s: expected a token id (see 'yunwei token list'), got '%s'\n", a->prog,
                o->pos[0]);
        return EXIT_USAGE;
    }
    char obj[48];
    snprintf(obj, sizeof obj, "token:%lld", id);
    struct token_row *rows = NULL;
    size_t n = 0;
    if (store_token_list(a->S, 0, &rows, &n, &err) != 0)
        return acct_fail(a, &err);
    const struct token_row *t = NULL;
    for (size_t i = 0; i < n && !t; i++)
        if (rows[i].id == id)
            t = &rows[i];
    int status = EXIT_FAIL;
    if (!t) {
        yw_fail(&err, YW_ENOTFOUND, "no token %lld", id);
        status = acct_refuse(a, "token.revoke", obj, &err);
    } else if (store_token_revoke(a->S, t->id, &err) != 0) {
        status = acct_refuse(a, "token.revoke", obj, &err);
    } else {
        ms_t now = time_now_ms();
        struct token_row after = *t;
        after.revoked = true;
        if (acct_audit(a, "token.revoke", obj, admin_token_json(t, NULL, now),
                       admin_token_json(&after, NULL, now), "ok") == 0)
            status = 0;
        printf("token %lld revoked\n", id);
    }
    store_token_rows_free(rows, n);
    return status;
}

int cli_token_main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help("token");
        return EXIT_USAGE;
    }
    static const struct {
        const char *verb;
        unsigned opts;
        int npos;
    } verbs[] = {
        {"create", OPT(O_USER) | OPT(O_EXPIRES) | OPT(O_NAME) | OPT(O_ROLE), 0},
        {"list", OPT(O_USER) | OPT(O_JSON), 0},
        {"revoke", 0, 1},
    };
    size_t v = 0;
    while (v < sizeof verbs / sizeof verbs[0] && strcmp(argv[1], verbs[v].verb) != 0)
        v++;
    if (v == sizeof verbs / sizeof verbs[0]) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
            return cli_help("token") == 0 ? 0 : EXIT_USAGE;
        fprintf(stderr, "yunwei token: unknown command '%s' (try 'yunwei help token')\n",
                argv[1]);
        return EXIT_USAGE;
    }
    char prog[64];
    snprintf(prog, sizeof prog, "yunwei token %s", verbs[v].verb);
    struct opts o;
    int prc = parse(prog, argc - 1, argv + 1, verbs[v].opts, &o);
    if (prc > 0)
        return cli_help("token") == 0 ? 0 : EXIT_USAGE;
    if (prc < 0 || want_pos(prog, &o, verbs[v].npos, "the token id") != 0)
        return EXIT_USAGE;
    if (v == 0 && !o.user) {
        fprintf(stderr, "%s: --user NAME is required\n", prog);
        return EXIT_USAGE;
    }
    struct acct a = {0};
    if (acct_open(&a, prog, o.data) != 0)
        return EXIT_FAIL;
    int status = v == 0 ? token_create(&a, &o) : v == 1 ? token_list(&a, &o) : token_revoke(&a, &o);
    acct_close(&a);
    return status;
}

/* ---- audit ------------------------------------------------------------------------- */

static int audit_verify(struct acct *a)
{
    struct yw_err err = YW_ERR_INIT;
    int64_t bad = 0, checked = 0;
    int rc = store_audit_verify(a->S, &bad, &checked, &err);
    char msg[700];
    if (rc == 0)
        snprintf(msg, sizeof msg, "audit chain intact: %" PRId64 " records", checked);
    else if (bad > 0)
        snprintf(msg, sizeof msg, "audit chain broken at record %" PRId64 ": %s", bad, err.msg);
    else
        snprintf(msg, sizeof msg, "audit chain broken at its end (after %" PRId64
                 " good records): %s", checked, err.msg);
    /* The result is the command's output: stdout, both ways. */
    printf("%s\n", msg);
    char result[720] = "ok";
    if (rc != 0)
        snprintf(result, sizeof result, "failed: %s", msg);
    (void)acct_audit(a, "audit.verify", "audit", NULL, NULL, result);
    return rc == 0 ? 0 : EXIT_FAIL;
}

static int audit_export(struct acct *a, const struct opts *o)
{
    struct audit_filter f = {.user = o->user, .action = o->action};
    if ((o->from && time_parse_rfc3339(o->from, &f.from) != 0) ||
        (o->to && time_parse_rfc3339(o->to, &f.to) != 0)) {
        fprintf(stderr, "%s: --from/--to: expected an RFC 3339 time or a date (2026-11-25)\n",
                a->prog);
        return EXIT_USAGE;
    }
    if (f.from && f.to && f.from >= f.to) {
        fprintf(stderr, "%s: --from must be before --to\n", a->prog);
        return EXIT_USAGE;
    }
    struct yw_err err = YW_ERR_INIT;
    struct buf csv = BUF_INIT(CLI_EXPORT_MAX);
    size_t rows = 0;
    if (admin_audit_export(a->S, &f, &csv, &rows, &err) != 0)
        return acct_refuse(a, "audit.export", "audit", &err);
    bool ok = fwrite(buf_str(&csv), 1, csv.len, stdout) == csv.len && fflush(stdout) == 0;
    buf_release(&csv);
    if (!ok) {
        yw_fail(&err, YW_EIO, "writing the export to stdout failed");
        return acct_refuse(a, "audit.export", "audit", &err);
    }
    json_t *j = json_object();
    json_object_set_new(j, "from", api_time(f.from, true));
    json_object_set_new(j, "to", api_time(f.to, true));
    json_object_set_new(j, "user", api_str(f.user));
    json_object_set_new(j, "action", api_str(f.action));
    json_object_set_new(j, "rows", json_integer((json_int_t)rows));
    if (acct_audit(a, "audit.export", "audit", NULL, j, "ok") != 0)
        return EXIT_FAIL;
    fprintf(stderr, "%s: %zu records\n", a->prog, rows);
    return 0;
}

int cli_audit_main(int argc, char **argv)
{
    if (argc < 2) {
        cli_help("audit");
        return EXIT_USAGE;
    }
    bool verify = strcmp(argv[1], "verify") == 0, export = strcmp(argv[1], "export") == 0;
    if (!verify && !export) {
        if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)
            return cli_help("audit") == 0 ? 0 : EXIT_USAGE;
        fprintf(stderr, "yunwei audit: unknown command '%s' (try 'yunwei help audit')\n",
                argv[1]);
        return EXIT_USAGE;
    }
    const char *prog = verify ? "yunwei audit verify" : "yunwei audit export";
    struct opts o;
    int prc = parse(prog, argc - 1, argv + 1,
                    verify ? 0 : OPT(O_FROM) | OPT(O_TO) | OPT(O_USER) | OPT(O_ACTION), &o);
    if (prc > 0)
        return cli_help("audit") == 0 ? 0 : EXIT_USAGE;
    if (prc < 0 || want_pos(prog, &o, 0, "") != 0)
        return EXIT_USAGE;
    struct acct a = {0};
    if (acct_open(&a, prog, o.data) != 0)
        return EXIT_USAGE;
    int status = verify ? audit_verify(&a) : audit_export(&a, &o);
    acct_close(&a);
    return status;
}

/* ---- setup-link ------------------------------------------------------------------- */

int cli_setup_link_main(int argc, char **argv)
{
    const char *prog = "yunwei setup-link";
    struct opts o;
    int prc = parse(prog, argc, argv, 0, &o);
    if (prc > 0)
        return cli_help("setup-link") == 0 ? 0 : EXIT_USAGE;
    if (prc < 0 || want_pos(prog, &o, 0, "") != 0)
        return EXIT_USAGE;
    struct acct a = {0};
    if (acct_open(&a, prog, o.data) != 0)
        return EXIT_FAIL;
    struct yw_err err = YW_ERR_INIT;
    int64_t users = 0;
    int status = EXIT_FAIL;
    if (store_user_count(a.S, &users, &err) != 0) {
        status = acct_fail(&a, &err);
        goto out;
    }
    if (users > 0) {
        /* A setup link makes an administrator without anyone's consent:
         * once accounts exist, they are made by the administrators. */
        yw_fail(&err, YW_ECONFLICT,
                "the store already has %" PRId64 " account(s); a setup link is only for an "
                "empty store: use 'yunwei user add' (已有账号，请用 yunwei user add)", users);
        status = acct_refuse(&a, "setup.link", "setup", &err);
        goto out;
    }
    ms_t expires = time_now_ms() + SETUP_LINK_TTL;
    char *token = secret_token_new("ywsetup_", 32);
    char hash[TOKEN_HASH_HEX];
    secret_token_hash(token, hash);
    if (store_setup_create(a.S, hash, expires, &err) != 0) {
        status = acct_refuse(&a, "setup.link", "setup", &err);
    } else {
        json_t *j = json_object();
        json_object_set_new(j, "expires", api_time(expires, true));
        if (acct_audit(&a, "setup.link", "setup", NULL, j, "ok") == 0) {
            printf("%s%s\n", CLI_SETUP_PATH, token);
            fflush(stdout);
            char exp[64];
            fmt_time(expires, exp, sizeof exp);
            fprintf(stderr, "%s: open it on the server's address before %s; it works once\n",
                    prog, exp);
            status = 0;
        }
    }
    secret_wipe(token, strlen(token));
    xfree(token);
out:
    acct_close(&a);
    return status;
}
