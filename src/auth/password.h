/*
 * password — the password policy and Argon2id hashing (libsodium
 * crypto_pwhash_str, OPSLIMIT/MEMLIMIT_INTERACTIVE, rehashed on login when
 * the parameters change). Passwords are never logged or stored in clear.
 */
#ifndef YW_AUTH_PASSWORD_H
#define YW_AUTH_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/timeutil.h"

#define PASSWORD_HASH_MAX 128 /* crypto_pwhash_STRBYTES */
#define PASSWORD_MAX 256      /* bytes of a new password, NUL not counted */

/* The policy, configurable by the security administrator. Defaults are the
 * values in PASSWORD_POLICY_DEFAULT, each answering GB/T 22239-2019 8.1.4.1. */
struct password_policy {
    int min_length;          /* 10 */
    int min_classes;         /* 3 of: lower, upper, digit, other */
    int history;             /* not one of the last 5 */
    int expiry_days;         /* 90; 0 = never */
    int lock_after;          /* 5 consecutive failures */
    int lock_minutes;        /* 30 */
    int idle_minutes;        /* session idle timeout, 30 */
    int absolute_hours;      /* session absolute lifetime, 12 */
    int rate_per_minute;     /* login/token attempts per source address, 10 */
};
#define PASSWORD_POLICY_DEFAULT {10, 3, 5, 90, 5, 30, 30, 12, 10}

/* Checks a new password against the policy (length counts UTF-8 characters;
 * classes are lower a-z, upper A-Z, digit 0-9 and other, where every
 * non-ASCII character counts as other; the user name, case-insensitive, must
 * not appear in it). Also refused: invalid UTF-8, control characters, more
 * than PASSWORD_MAX bytes. History is checked separately with password_verify
 * against old hashes. 0 ok; -1 with a Chinese + English reason in why
 * ("密码至少需要 10 个字符 / password must be at least 10 characters").
 * p NULL means PASSWORD_POLICY_DEFAULT; user NULL or "" skips the name rule. */
int password_check_policy(const struct password_policy *p, const char *user, const char *pw,
                          char *why, size_t n);
/* Validates a policy from the API: ranges (min_length 8..128, classes 1..4,
 * history 0..24, expiry 0..3650, lock_after 1..100, lock_minutes 1..1440,
 * idle 1..1440, absolute 1..168, rate 1..1000). -1 with the field in why. */
int password_policy_valid(const struct password_policy *p, char *why, size_t n);

/* Hashes pw into out (PASSWORD_HASH_MAX bytes). -1 only if out of memory
 * (Argon2id needs 64 MiB per hash in flight). */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);
/* Constant-time verification. A NULL, empty or malformed hash is checked
 * against a dummy hash and gives false after the same work, so that a login
 * for an unknown user or one without a password cannot be told apart by
 * timing: call it with "" when the user does not exist. */
bool password_verify(const char *hash, const char *pw);
/* True when hash was made with other parameters than the current ones (or
 * is not an Argon2id hash): hash the password again after a good login. */
bool password_needs_rehash(const char *hash);

#endif
