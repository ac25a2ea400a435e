/*
 * secret — credentials of watched systems encrypted at rest (libsodium
 * crypto_secretbox, XSalsa20-Poly1305) with a key file kept apart from the
 * database (DIR/keys/secret.key by default, mode 0600, created on first use),
 * and the random tokens yunwei hands out (session ids, API tokens, setup
 * links), of which only a hash (BLAKE2b via crypto_generichash) is stored.
 *
 * A key file holds the raw key bytes and nothing else. It is created
 * atomically (written under a temporary name, then linked into place), so
 * two processes starting at once agree on one key and a reader never sees a
 * half-written file. Keys live in caller-owned memory: wipe them with
 * secret_wipe when done. Nothing here logs.
 */
#ifndef YW_AUTH_SECRET_H
#define YW_AUTH_SECRET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define SECRET_KEY_BYTES 32
#define TOKEN_HASH_HEX 65 /* 32-byte hash as hex + NUL */

struct secret_key {
    uint8_t k[SECRET_KEY_BYTES];
};

/* Initialises libsodium once per process (pthread_once); every function of
 * src/auth that needs it calls this first, so callers need not. Aborts the
 * process, like running out of memory, if libsodium cannot start: without a
 * random source nothing here can be made safe. */
void secret_init(void);

/* The key-file helper behind secret_key_load and audit_key_load: reads
 * exactly n (1..64) bytes from path into key. When the file is absent and
 * create is true, makes a random key there first (file 0600; its directory,
 * if absent, 0700 — the parent of that directory must exist). Refuses a file
 * that is not a regular file, is a symlink, has the wrong size, or whose mode
 * lets group or others read or write it, naming the path and the fix in err.
 * On failure key is zeroed. */
int secret_keyfile_load(const char *path, uint8_t *key, size_t n, bool create,
                        struct yw_err *err);

/* Loads the key from path, creating it (0600, directory 0700) if absent.
 * Refuses a key file readable by group or others. On failure *out is zeroed. */
int secret_key_load(const char *path, struct secret_key *out, struct yw_err *err);

/* Limits: a credential longer than SECRET_PLAIN_MAX bytes is refused by
 * secret_seal, a sealed string longer than SECRET_SEALED_MAX by secret_open
 * (it could not have come from secret_seal). */
#define SECRET_PLAIN_MAX (64 * 1024)
#define SECRET_SEALED_MAX (128 * 1024)

/* Encrypts plain into a printable string "v1:" base64(nonce|box) (standard
 * base64 with padding), with a fresh random nonce each time; malloc'd.
 * NULL only when plain is longer than SECRET_PLAIN_MAX. */
char *secret_seal(const struct secret_key *k, const char *plain);
/* Decrypts; NULL with err if the box was altered or the key is wrong, if
 * sealed is not a "v1:" box, or is longer than SECRET_SEALED_MAX. The result
 * is malloc'd: wipe it (secret_wipe) before freeing. */
char *secret_open(const struct secret_key *k, const char *sealed, struct yw_err *err);
void secret_wipe(void *p, size_t n); /* sodium_memzero */

/* A random token of nbytes (16..1024) as URL-safe base64 without padding,
 * with a prefix ("yws_" sessions, "ywt_" API tokens, "ywsetup_" setup links;
 * at most 32 bytes); malloc'd. */
char *secret_token_new(const char *prefix, size_t nbytes);
/* Hash of a token for storage and lookup: BLAKE2b-256 as 64 lower-case hex
 * digits. Tokens carry at least 128 random bits, so an unkeyed fast hash is
 * enough: nobody can search that space from a stolen database. */
void secret_token_hash(const char *token, char out[TOKEN_HASH_HEX]);

#endif
