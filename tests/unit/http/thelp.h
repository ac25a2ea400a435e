/*
 * thelp — what the server tests share: a small libcurl client that sends
 * credentials and reads answers with their headers, a store in a temporary
 * directory with accounts, tokens and sessions made directly (no HTTP), and
 * helpers to read the audit trail.
 */
#ifndef YW_TESTS_HTTP_THELP_H
#define YW_TESTS_HTTP_THELP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/roles.h"
#include "core/timeutil.h"
#include "store/store.h"
#include "store/store_auth.h"

struct answer {
    long status;
    char *body;
    size_t len;
    char headers[4096];
};

struct treq {
    const char *method;  /* "GET"… */
    const char *path;    /* "/api/v1/monitors" */
    const char *body;    /* NULL: none */
    size_t len;          /* of body; 0 = strlen */
    bool chunked;
    const char *bearer;  /* "ywt_…": Authorization: Bearer */
    const char *authz;   /* a raw Authorization header instead */
    const char *cookie;  /* a raw Cookie header ("yw_session=…") */
    const char *csrf;    /* X-CSRF-Token */
    const char *expect;  /* Expect header; NULL = "Expect:" (none) */
    const char *ctype;   /* Content-Type */
    bool tls;            /* https, certificate not verified */
};

/* base "http://127.0.0.1:PORT" (or https). */
struct answer tc_do(const char *base, const struct treq *r);
void tc_free(struct answer *a);
json_t *tc_json(const struct answer *a);
const char *tc_str(json_t *j, const char *k1, const char *k2);
bool tc_has_header(const struct answer *a, const char *line);
/* "yw_session=VALUE" from the answer's Set-Cookie into out; 0 or -1. */
int tc_session_cookie(const struct answer *a, char *out, size_t n);

/* A store in a fresh temporary directory (removed by ts_close). */
struct store *ts_open(char *dir, size_t n);
void ts_close(struct store *S, const char *dir);
/* An account with password pw (NULL: none) and roles. Returns its id. The
 * hash is Argon2id with libsodium's smallest parameters, so that tests do
 * not spend 64 MiB and a fifth of a second on every check; the first good
 * login rehashes it with the real ones (password_needs_rehash). */
int64_t ts_user(struct store *S, const char *name, const char *pw, roleset roles);
/* Makes the stored hash cheap again (after a login rehashed it). */
void ts_cheapen(struct store *S, int64_t user_id, const char *pw);
/* Reads the account; exits the test on failure. Release with store_user_row_release. */
void ts_user_get(struct store *S, int64_t user_id, struct user_row *u);
void ts_user_put(struct store *S, const struct user_row *u);
/* A token "ywt_…" (out, >= 64 bytes) for user with scope roles. Returns its id. */
int64_t ts_token(struct store *S, int64_t user_id, roleset roles, ms_t expires, char *out);

/* The newest audit record whose action starts with action. */
struct ts_audit {
    char user[256], object[256], result[256], before[4096], after[4096];
    bool has_user, has_before, has_after;
};
bool ts_audit_last(struct store *S, const char *action, struct ts_audit *out);
int64_t ts_audit_count(struct store *S, const char *action);
/* A console session: the cookie header value and the CSRF token. */
struct tsess {
    char cookie[160]; /* "yw_session=yws_…" */
    char csrf[80];
};
/* POST /api/v1/session (totp, recovery may be NULL), sending with's cookie
 * when with is not NULL. out (may be NULL) gets the new session from a 200
 * or a 403 password_expired answer ("" when none). */
struct answer ts_login(const char *base, const char *user, const char *pw, const char *totp,
                       const char *recovery, const struct tsess *with, struct tsess *out);
/* A request with session s (NULL: none); csrf: send its X-CSRF-Token. */
struct answer ts_call(const char *base, const char *method, const char *path,
                      const struct tsess *s, const char *body, bool csrf);

/* A policy with a high rate limit (tests send everything from 127.0.0.1). */
void ts_policy(struct store *S, int rate_per_minute);

#endif
