/*
 * api_admin_util — the pure parts of administration, shared by the admin API
 * (api_admin_*.c) and the account subcommands (cli/account.c): objects as
 * answered (organisation units, users, tokens, audit records, the policy),
 * checked parsing of the bodies that change them, the one-time initial
 * password, and the audit log as RFC 4180 CSV.
 *
 * Nothing here touches the store, the network or a clock: callers pass `now`
 * and whatever rows an answer needs. Answers never carry a password hash, a
 * TOTP secret, recovery codes or a token hash: the *_json functions simply
 * have no way to write them.
 *
 * Errors follow core/err.h: 0, or -1 with err (YW_EINVAL, field = the JSON
 * key or query parameter, message starting with it) and outputs unchanged
 * unless said otherwise.
 */
#ifndef YW_HTTP_API_ADMIN_UTIL_H
#define YW_HTTP_API_ADMIN_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/audit.h"
#include "auth/password.h"
#include "auth/roles.h"
#include "core/buf.h"
#include "core/err.h"
#include "core/timeutil.h"
#include "store/store_auth.h"

#define ADMIN_ORG_NAME_MAX 100      /* bytes, as the store */
#define ADMIN_DISPLAY_NAME_MAX 100  /* bytes */
#define ADMIN_TOKEN_NAME_MAX 100    /* bytes */
#define ADMIN_ROLES_MAX 16          /* entries in a "roles" list */
#define ADMIN_TOKEN_DAYS_DEFAULT 90
#define ADMIN_TOKEN_DAYS_MAX 365
#define ADMIN_INITIAL_PW_MIN 16     /* a generated password is never shorter */
#define ADMIN_AUDIT_FILTER_MAX 64   /* bytes of the user and action filters */

/* ---- names ------------------------------------------------------------------ */
const char *admin_org_kind_name(enum org_kind k);    /* "client" "contractor" "business" */
const char *admin_org_kind_title_zh(enum org_kind k); /* 甲方 乙方 业务单位 */
int admin_org_kind_parse(const char *s, enum org_kind *out); /* -1 if unknown */

/* Login names as the store keeps them: [a-z0-9][a-z0-9._-]{1,63}. */
bool admin_user_name_valid(const char *s);
/* A human-readable label: 1..max bytes, no control characters. NUL-free
 * UTF-8 is the caller's (jansson's) guarantee. */
bool admin_label_valid(const char *s, size_t max);

/* ---- roles -------------------------------------------------------------------- */
/* ["sysadmin","engineer"] in role order. */
json_t *admin_roles_json(roleset rs);
/* A JSON array of role names (at most ADMIN_ROLES_MAX, repeats allowed) into
 * a set; not checked with roleset_valid (callers decide). -1 with field. */
int admin_roles_from_json(const json_t *j, const char *field, roleset *out, struct yw_err *err);

/* ---- objects as answered ------------------------------------------------------- */
/* {"id","parent_id"|null,"name","kind","kind_zh","created","updated"} */
json_t *admin_org_json(const struct org_row *o);
/* The units as a forest: each object gains "children" (sorted as given). A
 * unit whose parent is missing, or which sits on a cycle, is put at the top
 * so that nothing is lost and the answer is always finite. */
json_t *admin_org_tree_json(const struct org_row *rows, size_t n);

/* A user without any secret: {"id","name","display_name","org_id","org",
 * "roles","disabled","must_change_password","totp_enabled","locked",
 * "locked_until","failed_logins","last_login","password_changed",
 * "password_expires","created","updated"}. org_name may be NULL. locked and
 * locked_until show a lock only while it is ahead of now (else false/null);
 * password_expires is null when pol is NULL, the policy never expires
 * passwords, or no password is set. */
json_t *admin_user_json(const struct user_row *u, const char *org_name,
                        const struct password_policy *pol, ms_t now);

/* {"id","user_id","user","name","roles","created","expires","last_used",
 * "revoked","active"}; user_name may be NULL. Never the hash. */
json_t *admin_token_json(const struct token_row *t, const char *user_name, ms_t now);

/* {"seq","time","user","source","action","object","before","after","result",
 * "mac"}: before/after as JSON when they parse, else as strings. */
json_t *admin_audit_json(const struct audit_record *r);

/* ---- the policy ----------------------------------------------------------------- */
json_t *admin_policy_json(const struct password_policy *p);
/* Applies the keys present in object j to *p (integers only; unknown keys
 * refused) and validates the result with password_policy_valid, naming the
 * field that is out of range. On failure *p is unchanged. */
int admin_policy_from_json(const json_t *j, struct password_policy *p, struct yw_err *err);

/* ---- bodies ------------------------------------------------------------------------ */
/* -1 with field = the first key of object j not in allowed (NULL-terminated). */
int admin_only_keys(const json_t *j, const char *const *allowed, struct yw_err *err);
/* Reads optional key of j: absent leaves *out, null or "" clears it to NULL
 * when nullable; otherwise a string of 1..max bytes that admin_label_valid
 * accepts. *out points into j. */
int admin_get_label(const json_t *j, const char *key, size_t max, bool nullable, const char **out,
                    struct yw_err *err);
/* Reads optional integer key in [min, max]; absent leaves *out; null gives
 * null_value when null_ok. */
int admin_get_int(const json_t *j, const char *key, int64_t min, int64_t max, bool null_ok,
                  int64_t null_value, int64_t *out, struct yw_err *err);
/* Reads optional boolean key; absent leaves *out. */
int admin_get_bool(const json_t *j, const char *key, bool *out, struct yw_err *err);
/* A boolean query-style flag: NULL/"" absent = false; "1","true","yes" true;
 * "0","false","no" false; anything else -1 with field = name. */
int admin_flag(const char *value, const char *name, bool *out, struct yw_err *err);

/* ---- passwords ---------------------------------------------------------------------- */
/* A random one-time password that meets policy p for user: at least
 * max(p->min_length, ADMIN_INITIAL_PW_MIN) characters drawn from all four
 * classes, without look-alike characters (0/O, 1/l/I) because a person reads
 * it once and types it. out has n >= PASSWORD_MAX bytes. Returns 0, or -1 if
 * no password meeting p could be drawn (a policy no generated password can
 * meet; password_policy_valid makes that impossible). */
int admin_password_generate(const struct password_policy *p, const char *user, char *out,
                            size_t n);

/* ---- the audit log as CSV (RFC 4180) --------------------------------------------- */
#define ADMIN_CSV_BOM "\xEF\xBB\xBF" /* so that Excel reads UTF-8 (Chinese) */
#define ADMIN_CSV_HEADER "time,user,source,action,object,result,before,after,seq,mac\r\n"
/* Appends one cell: quoted when it holds a comma, a quote, CR or LF (quotes
 * doubled); NULL is an empty cell. A cell that a spreadsheet would run as a
 * formula (starting with = + - @ TAB CR) is prefixed with a single quote:
 * the log records what attackers typed (failed login names) and an auditor
 * opens it in Excel. -1 when b's limit is passed (b is then empty). */
int admin_csv_cell(struct buf *b, const char *s);
/* Appends one record as a CSV line (CRLF). -1 when b's limit is passed. */
int admin_csv_audit_row(struct buf *b, const struct audit_record *r);

/* ---- not pure: the store behind the API and the CLI (api_admin_audit.c) ----------- */
#define ADMIN_EXPORT_API_MAX (64u * 1024 * 1024) /* bytes of CSV one request may fetch */
/* The audit records matching f (f->before_seq and f->limit are ignored) as
 * CSV, oldest first, with ADMIN_CSV_BOM and ADMIN_CSV_HEADER, into *out
 * (empty on entry; its limit bounds the export: passing it fails with
 * YW_ELIMIT and out empty). *rows gets the number of records. */
int admin_audit_export(struct store *S, const struct audit_filter *f, struct buf *out,
                       size_t *rows, struct yw_err *err);

/* ---- handlers (api_admin_*.c), routed by api_admin_routes ------------------------ */
struct http_req;
struct http_resp;
/* Shared by the handlers (api_admin_common.c). */
/* api_audit with rq's principal, taking ownership of before and after. */
void admin_audit(const struct http_req *rq, const char *action, const char *object,
                 json_t *before, json_t *after, const char *result);
/* Answers 403 with the message (and field, NULL for none) and audits the
 * refusal as result "denied: MESSAGE". */
void admin_forbid(const struct http_req *rq, struct http_resp *rs, const char *action,
                  const char *object, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* Answers err and audits the failed change as result "failed: MESSAGE"
 * (GB/T 22239 wants whether an event succeeded, failures included). */
void admin_fail(const struct http_req *rq, struct http_resp *rs, const char *action,
                const char *object, const struct yw_err *err);
/* The user named by route parameter "id" (an id or a login name). */
int admin_find_user(const struct http_req *rq, struct user_row *row, struct yw_err *err);
/* The name of unit id among rows, or NULL. */
const char *admin_org_name(const struct org_row *rows, size_t n, int64_t id);
/* "user:NAME" into out. */
void admin_user_object(const char *name, char *out, size_t n);

void api_admin_orgs_list(const struct http_req *rq, struct http_resp *rs);
void api_admin_orgs_create(const struct http_req *rq, struct http_resp *rs);
void api_admin_orgs_get(const struct http_req *rq, struct http_resp *rs);
void api_admin_orgs_update(const struct http_req *rq, struct http_resp *rs);
void api_admin_orgs_delete(const struct http_req *rq, struct http_resp *rs);

void api_admin_users_list(const struct http_req *rq, struct http_resp *rs);
void api_admin_users_create(const struct http_req *rq, struct http_resp *rs);
void api_admin_users_get(const struct http_req *rq, struct http_resp *rs);
void api_admin_users_update(const struct http_req *rq, struct http_resp *rs);
void api_admin_users_reset_password(const struct http_req *rq, struct http_resp *rs);
void api_admin_users_unlock(const struct http_req *rq, struct http_resp *rs);
void api_admin_users_roles(const struct http_req *rq, struct http_resp *rs);

void api_admin_tokens_list(const struct http_req *rq, struct http_resp *rs);
void api_admin_tokens_create(const struct http_req *rq, struct http_resp *rs);
void api_admin_tokens_delete(const struct http_req *rq, struct http_resp *rs);

void api_admin_policy_get(const struct http_req *rq, struct http_resp *rs);
void api_admin_policy_put(const struct http_req *rq, struct http_resp *rs);

void api_admin_audit_list(const struct http_req *rq, struct http_resp *rs);
void api_admin_audit_csv(const struct http_req *rq, struct http_resp *rs);
void api_admin_audit_verify(const struct http_req *rq, struct http_resp *rs);

#endif
