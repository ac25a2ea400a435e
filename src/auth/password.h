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
#define PASSWORD_MAX 256

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
 * the user name, case-insensitive, must not appear in it). History is checked
 * separately with password_verify against old hashes. 0 ok; -1 with a
 * Chinese + English reason in why. */
int password_check_policy(const struct password_policy *p, const char *user, const char *pw,
                          char *why, size_t n);
/* Validates a policy from the API: ranges (min_length 8..128, classes 1..4,
 * history 0..24, expiry 0..3650, lock_after 1..100, lock_minutes 1..1440,
 * idle 1..1440, absolute 1..168, rate 1..1000). -1 with the field in why. */
int password_policy_valid(const struct password_policy *p, char *why, size_t n);

/* Hashes pw into out (PASSWORD_HASH_MAX bytes). -1 only if out of memory. */
int password_hash(const char *pw, char out[PASSWORD_HASH_MAX]);
/* Constant-time verification. */
bool password_verify(const char *hash, const char *pw);
bool password_needs_rehash(const char *hash);

#endif
