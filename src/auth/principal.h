/*
 * principal — who is making a request, as established once at the edge by
 * the HTTP security layer (session cookie or Bearer token) and passed to
 * every handler. A handler never looks at cookies or headers itself.
 */
#ifndef YW_AUTH_PRINCIPAL_H
#define YW_AUTH_PRINCIPAL_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/roles.h"
#include "auth/secret.h"

struct principal {
    int64_t user_id;                 /* 0 = anonymous */
    char user[64];                   /* login name, "" when anonymous */
    roleset roles;                   /* effective: a token's scope ∩ the user's roles */
    bool via_token;
    int64_t token_id;
    char session_hash[TOKEN_HASH_HEX]; /* "" unless authenticated by a session */
    char source[64];                 /* client address */
};

#endif
