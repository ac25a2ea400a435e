/*
 * store_auth — accounts, organisation, sessions, API tokens, settings and
 * the audit trail, in the same store (same conventions as store.h: 0 or -1
 * with err, prepared statements only, rows malloc'd and freed by *_free).
 *
 * Nothing secret is stored in clear: passwords as Argon2id hashes, session
 * ids, API tokens, setup links and recovery codes as token hashes
 * (secret_token_hash), TOTP secrets sealed with the secret key.
 *
 * Only token hashes (64 lower-case hex digits) are accepted where a hash is
 * asked for; anything else is refused (YW_EINVAL) before it reaches SQL.
 * Accounts are disabled, never deleted, and a login name never changes (the
 * audit trail names them). A session ends by being deleted.
 *
 * Audit records are append-only: the schema has triggers that abort any
 * UPDATE or DELETE on the audit table (and any INSERT that does not come
 * right after the last record). store_audit_append assigns seq and seals
 * the record with the audit key under one lock (a mutex in the process, the
 * database's write lock between processes), then rewrites the anchor file;
 * it is synchronous (an audit record that was not written means the action
 * must not be reported as done).
 */
#ifndef YW_STORE_STORE_AUTH_H
#define YW_STORE_STORE_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/audit.h"
#include "auth/password.h"
#include "auth/roles.h"
#include "auth/secret.h"
#include "core/err.h"
#include "store/store.h"

/* Copies out the keys (either output may be NULL). store_open and
 * store_open_shared load them once, from DIR/keys/ (created 0700; refused
 * when open to group or others): secret.key, created if absent, and
 * audit.key, created only while the audit trail is empty (a lost key with
 * records behind it is an error naming the file, not a fresh key that would
 * start a second chain). The anchor (DIR/keys/audit.anchor) is not loaded:
 * store_audit_verify reads it each time (a damaged one is logged at open,
 * not fatal). Exposed so CLI subcommands share the keys. */
int store_auth_keys(struct store *S, struct secret_key *secret, uint8_t audit_key[AUDIT_KEY_BYTES],
                    struct yw_err *err);

/* ---- organisation ----------------------------------------------------------- */
enum org_kind { ORG_CLIENT, ORG_CONTRACTOR, ORG_BUSINESS }; /* 甲方 | 乙方 | 业务单位 */

struct org_row {
    int64_t id;
    int64_t parent_id;        /* 0 = top level */
    char *name;               /* unique among siblings, 1..100 bytes */
    enum org_kind kind;
    ms_t created, updated;
};
int store_org_list(struct store *S, struct org_row **rows, size_t *n, struct yw_err *err);
int store_org_get(struct store *S, int64_t id, struct org_row *row, struct yw_err *err);
/* Parent must exist; no cycles (update). */
int store_org_create(struct store *S, const struct org_row *o, int64_t *id, struct yw_err *err);
int store_org_update(struct store *S, const struct org_row *o, struct yw_err *err);
/* Refused while it has children or users. */
int store_org_delete(struct store *S, int64_t id, struct yw_err *err);
void store_org_rows_free(struct org_row *rows, size_t n);

/* ---- users ------------------------------------------------------------------- */
struct user_row {
    int64_t id;
    char *name;               /* login name, [a-z0-9][a-z0-9._-]{1,63} */
    char *display_name;       /* 李雷; may be NULL */
    int64_t org_id;           /* 0 = none */
    roleset roles;
    char pw_hash[PASSWORD_HASH_MAX]; /* "" = no password set yet */
    ms_t pw_changed;
    bool must_change_pw;      /* set on creation and admin reset */
    bool totp_enabled;
    char *totp_sealed;        /* sealed base32 secret; NULL when not enrolled */
    int64_t totp_last_step;   /* replay guard */
    char *recovery_hashes;    /* JSON array of token hashes still unused; NULL = none */
    int failed_logins;
    ms_t locked_until;        /* 0 = not locked */
    bool disabled;
    ms_t created, updated, last_login;
};
void store_user_row_release(struct user_row *u);
void store_user_rows_free(struct user_row *rows, size_t n);

int store_user_count(struct store *S, int64_t *n, struct yw_err *err);
int store_user_list(struct store *S, struct user_row **rows, size_t *n, struct yw_err *err);
/* By id, or by name when id is 0. */
int store_user_get(struct store *S, int64_t id, const char *name, struct user_row *row,
                   struct yw_err *err);
/* Name conflict YW_ECONFLICT; roles must pass roleset_valid (YW_EINVAL "roles"). */
int store_user_create(struct store *S, const struct user_row *u, int64_t *id, struct yw_err *err);
/* Replaces every mutable field of the row with id u->id: all but id, name
 * and created (u->name may be NULL; a different name is YW_EINVAL). */
int store_user_update(struct store *S, const struct user_row *u, struct yw_err *err);
#define STORE_PW_HISTORY_MAX 24
/* Appends the hash to the history (kept: the last STORE_PW_HISTORY_MAX). */
int store_pw_history_add(struct store *S, int64_t user_id, const char *hash, struct yw_err *err);
/* The last n hashes, newest first (caller frees each and the array). */
int store_pw_history(struct store *S, int64_t user_id, int n, char ***hashes, size_t *count,
                     struct yw_err *err);

/* ---- sessions ---------------------------------------------------------------- */
struct session_row {
    char id_hash[TOKEN_HASH_HEX];
    int64_t user_id;
    char csrf[64];            /* random, sent to the console, checked on writes */
    ms_t created, last_seen;
    char source[64];          /* client address */
    char user_agent[160];
    bool pending_2fa;         /* password ok, second factor not yet given */
};
/* created and last_seen 0 mean now. The user must exist (YW_EINVAL
 * "user"); an id_hash already used is YW_ECONFLICT. */
int store_session_create(struct store *S, const struct session_row *s, struct yw_err *err);
/* YW_ENOTFOUND when absent or ended. */
int store_session_get(struct store *S, const char *id_hash, struct session_row *row,
                      struct yw_err *err);
/* last_seen = max(last_seen, now). */
int store_session_touch(struct store *S, const char *id_hash, ms_t now, struct yw_err *err);
int store_session_update(struct store *S, const struct session_row *s, struct yw_err *err);
int store_session_end(struct store *S, const char *id_hash, struct yw_err *err);
/* Ends every session of the user except keep_hash (NULL: all). */
int store_session_end_user(struct store *S, int64_t user_id, const char *keep_hash,
                           struct yw_err *err);
/* Newest first; user_id 0 = every user's. */
int store_session_list(struct store *S, int64_t user_id, struct session_row **rows, size_t *n,
                       struct yw_err *err);
/* Deletes the sessions idle since before idle_before or created before
 * created_before (both timeouts passed: they can never be used again). */
int store_session_prune(struct store *S, ms_t idle_before, ms_t created_before,
                        struct yw_err *err);

/* ---- API tokens -------------------------------------------------------------- */
struct token_row {
    int64_t id;
    int64_t user_id;
    char *name;               /* what it is for */
    char hash[TOKEN_HASH_HEX];
    roleset roles;            /* scope: a subset of the user's roles */
    ms_t created, expires, last_used; /* expires 0 = never (policy may forbid) */
    bool revoked;
};
void store_token_rows_free(struct token_row *rows, size_t n);
/* name 1..100 bytes; roles non-empty and within the account's roles now
 * (YW_EINVAL "roles"); created 0 means now. The hash is unique
 * (YW_ECONFLICT). */
int store_token_create(struct store *S, const struct token_row *t, int64_t *id, struct yw_err *err);
/* Finds revoked and expired tokens too: the caller checks revoked and
 * expires. YW_ENOTFOUND when no token has the hash. */
int store_token_by_hash(struct store *S, const char *hash, struct token_row *row,
                        struct yw_err *err);
/* By id; user_id 0 = all users. Revoked ones included. */
int store_token_list(struct store *S, int64_t user_id, struct token_row **rows, size_t *n,
                     struct yw_err *err);
/* Both YW_ENOTFOUND for an unknown id; revoking twice is harmless. */
int store_token_revoke(struct store *S, int64_t id, struct yw_err *err);
int store_token_touch(struct store *S, int64_t id, ms_t now, struct yw_err *err);

/* ---- settings and one-time setup links -------------------------------------- */
/* Keys 1..100 bytes, values up to 64 KiB. get: *value malloc'd;
 * YW_ENOTFOUND when unset. */
int store_setting_get(struct store *S, const char *key, char **value, struct yw_err *err);
int store_setting_set(struct store *S, const char *key, const char *value, struct yw_err *err);
/* Stored as settings "policy.FIELD"; a field never set reads as its
 * PASSWORD_POLICY_DEFAULT value, a damaged one is YW_EIO naming it. set
 * checks password_policy_valid first (YW_EINVAL naming the field) and
 * writes every field in one transaction. */
int store_policy_get(struct store *S, struct password_policy *p, struct yw_err *err);
int store_policy_set(struct store *S, const struct password_policy *p, struct yw_err *err);

/* expires > 0; a hash already there is YW_ECONFLICT. */
int store_setup_create(struct store *S, const char *hash, ms_t expires, struct yw_err *err);
/* Marks it used, in one statement (two racing consumers: one wins);
 * YW_ENOTFOUND when unknown, used or expired (expires <= now). */
int store_setup_consume(struct store *S, const char *hash, ms_t now, struct yw_err *err);

/* ---- audit ------------------------------------------------------------------- */
/* Assigns r->seq (the last record's + 1), seals r into the chain and
 * commits it durably (synchronous=FULL), then advances the anchor. Fills
 * r->seq and r->mac; r->time is kept if set, else set to now. action and
 * result are required (YW_EINVAL); user, source, object and result are at
 * most 1 KiB, before and after 64 KiB (YW_ELIMIT naming the field). On
 * failure nothing is written and r is unchanged. A record committed whose
 * anchor could not be rewritten still counts as written (0; the failure is
 * logged). */
int store_audit_append(struct store *S, struct audit_record *r, struct yw_err *err);

struct audit_filter {
    ms_t from, to;            /* 0 = unbounded */
    const char *user;         /* exact; NULL = any */
    const char *action;       /* prefix; NULL = any */
    int64_t before_seq;       /* cursor: seq < before_seq; 0 = newest */
    size_t limit;             /* 1..10000 */
};
/* Newest first; time in [from, to). */
struct audit_row {
    struct audit_record r;    /* strings owned by the row */
};
void store_audit_rows_free(struct audit_row *rows, size_t n);
int store_audit_list(struct store *S, const struct audit_filter *f, struct audit_row **rows,
                     size_t *n, struct yw_err *err);

/* Walks the whole chain in seq order and the anchor. Returns 0 when intact;
 * -1 with *bad_seq the first broken record (0 if the break is the anchor or
 * a missing tail) and a reason in err: a gap (seq not previous + 1: a
 * removed record, named by the record after it), a MAC mismatch (altered
 * or inserted), an anchor naming a record beyond the last (tail removed) or
 * with another MAC, a missing anchor while records exist. An anchor behind
 * the last record is accepted (an append between its commit and its anchor
 * write); the records past it are checked by the chain. *checked: records
 * found intact before the break. Either output may be NULL. */
int store_audit_verify(struct store *S, int64_t *bad_seq, int64_t *checked, struct yw_err *err);

#endif
