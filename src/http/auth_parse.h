/*
 * auth_parse — credentials and the security endpoints' bodies, parsed at the
 * edge into checked values: the Cookie header (only yw_session matters),
 * the Authorization header (Bearer tokens), token shapes, and the JSON
 * bodies of login, password change, TOTP confirmation and setup.
 *
 * Everything here takes hostile input: every length is bounded, junk is
 * skipped or refused, never trusted; nothing allocates beyond what jansson
 * already holds, nothing touches the store or the network. The fuzz target
 * tests/fuzz/fuzz_request.c drives these with arbitrary bytes.
 */
#ifndef YW_HTTP_AUTH_PARSE_H
#define YW_HTTP_AUTH_PARSE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/password.h"
#include "core/err.h"

#define AUTH_COOKIE_NAME "yw_session"
#define COOKIE_HEADER_MAX 8192 /* bytes of a Cookie header looked at; the rest is ignored */
#define COOKIE_PAIRS_MAX 64    /* pairs looked at */
#define COOKIE_VALUE_MAX 256   /* a longer value is not one of ours: absent */

/* The value of cookie name in a Cookie header ("a=1; yw_session=yws_…").
 * Returns 1 and the value (unquoted) in out (n bytes), or 0 when header is
 * NULL, the cookie is absent, or its value is malformed or does not fit in
 * out. Malformed pairs (no '=', characters outside RFC 6265 cookie-octets,
 * an empty name) are skipped, not fatal; the first well-formed pair with
 * that name wins. Only the first COOKIE_HEADER_MAX bytes and
 * COOKIE_PAIRS_MAX pairs are read. */
int cookie_get(const char *header, const char *name, char *out, size_t n);

#define AUTH_TOKEN_MAX 200 /* bytes of a session id or API token we accept */

/* The Authorization header. Returns 1 with the token in out (n bytes) for
 * "Bearer TOKEN" (scheme in any case, one or more spaces, token68
 * characters only, at most AUTH_TOKEN_MAX bytes); 0 when header is NULL,
 * empty or of another scheme (a proxy's Basic credentials are not ours to
 * judge: the cookie may still authenticate); -1 for a Bearer header that is
 * not a usable token (junk, too long) — a refused credential, not an absent
 * one. */
int auth_bearer_parse(const char *header, char *out, size_t n);

/* Whether t is prefix followed by 16..AUTH_TOKEN_MAX URL-safe base64
 * characters ([A-Za-z0-9_-]): the shape of every token secret_token_new
 * makes. Anything else cannot exist and is refused without a lookup. */
bool auth_token_well_formed(const char *t, const char *prefix);

/* The public id of a session: the first 12 hex digits of its id hash. */
#define AUTH_SESSION_PUBID_LEN 12
void auth_session_pubid(const char *id_hash, char out[AUTH_SESSION_PUBID_LEN + 1]);
bool auth_session_pubid_valid(const char *s);

/* ---- bodies -------------------------------------------------------------------- */
/* Each parser takes a JSON object (api_body_object), refuses unknown keys,
 * wrong types, empty or overlong strings, naming the field, and fills a
 * struct of fixed-size buffers (so it holds nothing after the JSON is
 * released). -1 with err (YW_EINVAL, field); out is then unspecified. The
 * caller wipes password fields (secret_wipe) when done. */
#define AUTH_USER_MAX 64
#define AUTH_TOTP_MAX 16
#define AUTH_RECOVERY_MAX 32

/* POST /api/v1/session {"user","password","totp"?,"recovery_code"?} */
struct auth_login_body {
    char user[AUTH_USER_MAX + 1];
    char password[PASSWORD_MAX + 1];
    char totp[AUTH_TOTP_MAX + 1];        /* "" = absent */
    char recovery[AUTH_RECOVERY_MAX + 1]; /* "" = absent */
};
int auth_login_body_parse(json_t *j, struct auth_login_body *out, struct yw_err *err);

/* POST /api/v1/session/password {"old","new"} */
struct auth_password_body {
    char old[PASSWORD_MAX + 1];
    char new_[PASSWORD_MAX + 1];
};
int auth_password_body_parse(json_t *j, struct auth_password_body *out,
                             struct yw_err *err);

/* POST /api/v1/session/totp/confirm {"code"} */
struct auth_code_body {
    char code[AUTH_TOTP_MAX + 1];
};
int auth_code_body_parse(json_t *j, struct auth_code_body *out, struct yw_err *err);

/* POST /api/v1/setup {"token","user","password"} */
struct auth_setup_body {
    char token[AUTH_TOKEN_MAX + 1];
    char user[AUTH_USER_MAX + 1];
    char password[PASSWORD_MAX + 1];
};
int auth_setup_body_parse(json_t *j, struct auth_setup_body *out, struct yw_err *err);

#endif
