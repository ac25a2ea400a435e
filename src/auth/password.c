/*
 * password — policy checks and Argon2id hashing.
 *
 * The policy works on characters, not bytes: a Chinese passphrase of ten
 * characters is ten characters long, and its characters count as the
 * "other" class (GB/T 22239 asks for complexity, not for ASCII).
 */
#include "auth/password.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "auth/secret.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES, "hash buffer fits crypto_pwhash_str");

#define OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE

enum { CL_LOWER = 1, CL_UPPER = 2, CL_DIGIT = 4, CL_OTHER = 8 };

/* Copies msg into why (n bytes), cut on a character boundary when it does
 * not fit: the reason ends up in JSON answers, which must be valid UTF-8. */
static void say(char *why, size_t n, const char *msg)
{
    if (!why || n == 0)
        return;
    size_t len = strlen(msg);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)msg[len] & 0xc0) == 0x80)
            len--; /* msg[len] is now the first byte of the character cut */
    }
    memcpy(why, msg, len);
    why[len] = '\0';
}

/* Decodes one UTF-8 character at s (strictly: no overlong forms, no
 * surrogates, nothing above U+10FFFF). Returns its length, 0 if invalid. */
static size_t utf8_next(const unsigned char *s, uint32_t *cp)
{
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t len;
    uint32_t v, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2, v = c & 0x1fu, min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3, v = c & 0x0fu, min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        v = (v << 6) | (s[i] & 0x3fu);
    }
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
    *cp = v;
    return len;
}

static unsigned char fold(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Whether needle occurs in hay, ASCII letters compared without case. */
static bool contains_nocase(const char *hay, const char *needle)
{
    size_t hn = strlen(hay), nn = strlen(needle);
    if (nn == 0 || nn > hn)
        return false;
    for (size_t i = 0; i + nn <= hn; i++) {
        size_t j = 0;
        while (j < nn && fold((unsigned char)hay[i + j]) == fold((unsigned char)needle[j]))
            j++;
        if (j == nn)
            return true;
    }
    return false;
}

int password_check_policy(const struct password_policy *p, const char *user, const char *pw,
                          char *why, size_t n)
{
    static const struct password_policy defaults = PASSWORD_POLICY_DEFAULT;
    if (!p)
        p = &defaults;
    if (!pw) {
        say(why, n, "密码不能为空 / password must not be empty");
        return -1;
    }
    if (strnlen(pw, PASSWORD_MAX + 1) > PASSWORD_MAX) {
        char msg[160];
        snprintf(msg, sizeof msg, "密码不能超过 %d 字节 / password must be at most %d bytes",
                 PASSWORD_MAX, PASSWORD_MAX);
        say(why, n, msg);
        return -1;
    }
    int chars = 0;
    unsigned classes = 0;
    for (const unsigned char *s = (const unsigned char *)pw; *s;) {
        uint32_t cp;
        size_t len = utf8_next(s, &cp);
        if (len == 0) {
            say(why, n, "密码不是有效的 UTF-8 文本 / password is not valid UTF-8");
            return -1;
        }
        if (cp < 0x20 || cp == 0x7f) {
            say(why, n, "密码不能包含控制字符 / password must not contain control characters");
            return -1;
        }
        if (cp >= 'a' && cp <= 'z')
            classes |= CL_LOWER;
        else if (cp >= 'A' && cp <= 'Z')
            classes |= CL_UPPER;
        else if (cp >= '0' && cp <= '9')
            classes |= CL_DIGIT;
        else
            classes |= CL_OTHER;
        chars++;
        s += len;
    }
    if (chars < p->min_length) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "密码至少需要 %d 个字符 / password must be at least %d characters", p->min_length,
                 p->min_length);
        say(why, n, msg);
        return -1;
    }
    int nclasses = __builtin_popcount(classes);
    if (nclasses < p->min_classes) {
        char msg[320];
        snprintf(msg, sizeof msg,
                 "密码需要包含小写字母、大写字母、数字、其他字符中的至少 %d 类 / password must "
                 "contain at least %d of: lower case letters, upper case letters, digits, other "
                 "characters",
                 p->min_classes, p->min_classes);
        say(why, n, msg);
        return -1;
    }
    if (user && *user && contains_nocase(pw, user)) {
        say(why, n, "密码不能包含用户名 / password must not contain the user name");
        return -1;
    }
    return 0;
}

struct range {
    const char *field;
    size_t off;
    int lo, hi;
};

#define RANGE(f, lo, hi) {#f, offsetof(struct password_policy, f), lo, hi}

static const struct range ranges[] = {
    RANGE(min_length, 8, 128),   RANGE(min_classes, 1, 4),   RANGE(history, 0, 24),
    RANGE(expiry_days, 0, 3650), RANGE(lock_after, 1, 100),  RANGE(lock_minutes, 1, 1440),
    RANGE(idle_minutes, 1, 1440), RANGE(absolute_hours, 1, 168), RANGE(rate_per_minute, 1, 1000),
};

int password_policy_valid(const struct password_policy *p, char *why, size_t n)
{
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        int v;
        memcpy(&v, (const char *)p + ranges[i].off, sizeof v);
        if (v < ranges[i].lo || v > ranges[i].hi) {
            char msg[160];
            snprintf(msg, sizeof msg, "%s: 取值范围为 %d 到 %d / must be between %d and %d",
                     ranges[i].field, ranges[i].lo, ranges[i].hi, ranges[i].lo, ranges[i].hi);
            say(why, n, msg);
            return -1;
        }
    }
    return 0;
}

int password_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
    secret_init();
    if (crypto_pwhash_str(out, pw, strlen(pw), OPSLIMIT, MEMLIMIT) != 0) {
        out[0] = '\0';
        return -1;
    }
    return 0;
}

/* A hash of a random password nobody knows, made once, to spend on logins
 * that have no hash to check against. */
static char dummy_hash[PASSWORD_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
    uint8_t rnd[24];
    char pw[sizeof rnd * 2 + 1];
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(pw, sizeof pw, rnd, sizeof rnd);
    if (password_hash(pw, dummy_hash) != 0)
        dummy_hash[0] = '\0'; /* out of memory now: verify will simply be fast */
    sodium_memzero(rnd, sizeof rnd);
    sodium_memzero(pw, sizeof pw);
}

static bool hash_usable(const char *hash)
{
    return hash && strnlen(hash, PASSWORD_HASH_MAX) < PASSWORD_HASH_MAX &&
           strncmp(hash, "$argon2", 7) == 0;
}

bool password_verify(const char *hash, const char *pw)
{
    secret_init();
    if (!pw)
        pw = "";
    if (!hash_usable(hash)) {
        pthread_once(&dummy_once, dummy_make);
        /* The answer is false whatever the dummy says; only the work counts. */
        if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0)
            return false;
        return false;
    }
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

bool password_needs_rehash(const char *hash)
{
    secret_init();
    if (!hash_usable(hash))
        return true;
    return crypto_pwhash_str_needs_rehash(hash, OPSLIMIT, MEMLIMIT) != 0;
}
