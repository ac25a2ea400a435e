/*
 * totp — second factor: TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits,
 * accepting one step either side for clock drift, never the same step twice)
 * and one-time recovery codes.
 */
#ifndef YW_AUTH_TOTP_H
#define YW_AUTH_TOTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/timeutil.h"

#define TOTP_SECRET_BYTES 20
#define TOTP_SECRET_B32 33     /* 32 base32 chars + NUL */
#define RECOVERY_CODES 10
#define RECOVERY_CODE_LEN 12   /* "xxxx-xxxx-xx" style, + NUL */

/* A new random secret, base32 (RFC 4648, no padding). */
void totp_new_secret(char out[TOTP_SECRET_B32]);
/* The 6-digit code for the time step of t (ms). -1 if the secret is not base32. */
int totp_code(const char *secret_b32, ms_t t, char out[7]);
/* Verifies code at time now; *step gets the matched step. Steps <= last_step
 * are refused (replay). Returns true when valid. */
bool totp_verify(const char *secret_b32, const char *code, ms_t now, int64_t last_step,
                 int64_t *step);
/* otpauth://totp/yunwei:USER?secret=…&issuer=yunwei for authenticator apps. */
void totp_uri(const char *secret_b32, const char *user, char *out, size_t n);
/* Generates n recovery codes (plain, to show once) of RECOVERY_CODE_LEN. */
void recovery_codes_new(char codes[][RECOVERY_CODE_LEN + 1], size_t n);

/* Base32 (RFC 4648) decode; returns bytes written or -1. */
int base32_decode(const char *in, uint8_t *out, size_t n);

#endif
