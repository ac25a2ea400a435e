/*
 * totp — second factor: TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits,
 * accepting one step either side for clock drift, never the same step twice)
 * and one-time recovery codes.
 *
 * Recovery codes use an alphabet without characters people confuse (no 0/o,
 * 1/l/i): 23456789abcdefghjkmnpqrstuvwxyz, 10 random characters (about 49
 * bits) shown as "xxxx-xxxx-xx". Each works once. Store them with
 * recovery_code_hash, keyed with the secret key: 49 bits is too little for
 * an unkeyed hash (secret_token_hash) to resist a search by whoever copies
 * the database, but nothing without the key file.
 */
#ifndef YW_AUTH_TOTP_H
#define YW_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/secret.h"
#include "core/timeutil.h"

#define TOTP_SECRET_BYTES 20
#define TOTP_SECRET_B32 33     /* 32 base32 chars + NUL */
#define RECOVERY_CODES 10
#define RECOVERY_CODE_LEN 12   /* "xxxx-xxxx-xx": 12 characters; arrays hold
                                  RECOVERY_CODE_LEN + 1 for the NUL */

/* A new random secret of TOTP_SECRET_BYTES, base32 (RFC 4648, no padding). */
void totp_new_secret(char out[TOTP_SECRET_B32]);
/* The 6-digit code for the time step of t (ms; step = floor(t / 30 s)).
 * -1 if the secret is not base32 or decodes to 0 or more than 64 bytes, or
 * t is before the epoch (out is then ""). */
int totp_code(const char *secret_b32, ms_t t, char out[7]);
/* Verifies code (exactly 6 ASCII digits) at time now against the steps of
 * now - 30 s, now and now + 30 s; *step (may be NULL) gets the matched step.
 * Steps <= last_step are refused (replay): store the step after a success
 * and pass it back next time (0 before the first use). Returns true when
 * valid. */
bool totp_verify(const char *secret_b32, const char *code, ms_t now, int64_t last_step,
                 int64_t *step);
/* otpauth://totp/yunwei:USER?secret=…&issuer=yunwei for authenticator apps,
 * USER percent-encoded. out is "" when n is too small for the whole URI. */
void totp_uri(const char *secret_b32, const char *user, char *out, size_t n);
/* Generates n recovery codes (plain, to show once) of RECOVERY_CODE_LEN. */
void recovery_codes_new(char codes[][RECOVERY_CODE_LEN + 1], size_t n);
/* Brings a code as typed (any case, dashes and blanks anywhere or none) to
 * its canonical "xxxx-xxxx-xx" form, the one to hash and compare.
 * -1 if it cannot be a recovery code (wrong length or a character outside
 * the alphabet); out is then "". */
int recovery_code_normalise(const char *in, char out[RECOVERY_CODE_LEN + 1]);
/* BLAKE2b-256 keyed with k of the normalised code, as 64 hex digits: what to
 * store and look up. -1 (out "") if code cannot be a recovery code. */
int recovery_code_hash(const struct secret_key *k, const char *code, char out[TOKEN_HASH_HEX]);

/* Base32 (RFC 4648) decode; returns bytes written or -1. Letters of either
 * case; '=' padding optional but, when present, complete; refuses other
 * characters, impossible lengths, non-zero trailing bits, and output longer
 * than n. */
int base32_decode(const char *in, uint8_t *out, size_t n);
/* Base32 (RFC 4648) encode without padding into out of n bytes (NUL
 * included); returns characters written or -1 (out "") if it does not fit. */
int base32_encode(const uint8_t *in, size_t len, char *out, size_t n);

#endif
