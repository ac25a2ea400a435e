/*
 * secret — credentials of watched systems encrypted at rest (libsodium
 * crypto_secretbox, XSalsa20-Poly1305) with a key file kept apart from the
 * database (DIR/keys/secret.key by default, mode 0600, created on first use),
 * and the random tokens yunwei hands out (session ids, API tokens, setup
 * links), of which only a hash (BLAKE2b via crypto_generichash) is stored.
 */
#ifndef YW_AUTH_SECRET_H
#define YW_AUTH_SECRET_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SECRET_KEY_BYTES 32
#define TOKEN_HASH_HEX 65 /* 32-byte hash as hex + NUL */

struct secret_key {
    uint8_t k[SECRET_KEY_BYTES];
};

/* Loads the key from path, creating it (0600, directory 0700) if absent.
 * Refuses a key file readable by group or others. */
int secret_key_load(const char *path, struct secret_key *out, struct yw_err *err);
/* Encrypts plain into a printable string "v1:" base64(nonce|box); malloc'd. */
char *secret_seal(const struct secret_key *k, const char *plain);
/* Decrypts; NULL with err if the box was altered or the key is wrong. */
char *secret_open(const struct secret_key *k, const char *sealed, struct yw_err *err);
void secret_wipe(void *p, size_t n); /* sodium_memzero */

/* A random token of nbytes (>= 16) as URL-safe base64 without padding, with
 * a prefix ("yws_" sessions, "ywt_" API tokens, "ywsetup_" setup links). */
char *secret_token_new(const char *prefix, size_t nbytes);
/* Hash of a token for storage and lookup. */
void secret_token_hash(const char *token, char out[TOKEN_HASH_HEX]);

#endif
