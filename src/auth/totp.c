/*
 * totp — RFC 6238 time-based codes, base32 and recovery codes.
 *
 * HMAC-SHA1 comes from OpenSSL's libcrypto: libsodium deliberately has no
 * SHA-1, and every authenticator app speaks only the SHA-1 variant. Random
 * bytes and constant-time comparison come from libsodium like everywhere
 * else in src/auth.
 */
#include "auth/totp.h"

#include <limits.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define STEP_MS (30 * MS_PER_S)
#define DIGITS 6
#define KEY_MAX 64          /* longest decoded secret accepted */
#define SECRET_B32_MAX 128  /* longest secret text looked at */
#define RECOVERY_CHARS 10   /* random characters in a code, dashes aside */
#define RECOVERY_INPUT_MAX 64

static const char b32_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char recovery_alphabet[] = "23456789abcdefghjkmnpqrstuvwxyz";

_Static_assert(TOTP_SECRET_B32 == (TOTP_SECRET_BYTES * 8 + 4) / 5 + 1, "secret text size");
_Static_assert(RECOVERY_CODE_LEN == RECOVERY_CHARS + 2, "code = 10 characters and 2 dashes");

/* ---- base32 ---------------------------------------------------------------------- */

static int b32_value(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

int base32_decode(const char *in, uint8_t *out, size_t n)
{
    if (!in)
        return -1;
    size_t len = strlen(in);
    const char *eq = strchr(in, '=');
    size_t data = eq ? (size_t)(eq - in) : len;
    /* Characters of the last group -> '=' that complete it to 8. */
    static const int pad_for[8] = {0, -1, 6, -1, 4, 3, -1, 1};
    int pad = pad_for[data % 8];
    if (pad < 0)
        return -1;
    if (eq) {
        if (len - data != (size_t)pad || pad == 0)
            return -1;
        for (size_t i = data; i < len; i++)
            if (in[i] != '=')
                return -1;
    }
    size_t bytes = data * 5 / 8;
    if (bytes > n || bytes > INT_MAX)
        return -1;
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < data; i++) {
        int v = b32_value(in[i]);
        if (v < 0)
            return -1;
        acc = (acc << 5) | (uint32_t)v;
        bits += 5;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    /* RFC 4648 3.5: the bits left over must be zero, so that each byte string
     * has one encoding (and a mistyped last character is noticed). */
    if (acc != 0)
        return -1;
    return (int)o;
}

int base32_encode(const uint8_t *in, size_t len, char *out, size_t n)
{
    if (len > (size_t)INT_MAX / 8) {
        if (n)
            out[0] = '\0';
        return -1;
    }
    size_t chars = (len * 8 + 4) / 5;
    if (chars + 1 > n) {
        if (n)
            out[0] = '\0';
        return -1;
    }
    uint32_t acc = 0;
    unsigned bits = 0;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 5) {
            bits -= 5;
            out[o++] = b32_alphabet[(acc >> bits) & 31u];
        }
        acc &= (1u << bits) - 1u;
    }
    if (bits)
        out[o++] = b32_alphabet[(acc << (5 - bits)) & 31u];
    out[o] = '\0';
    return (int)o;
}

/* ---- TOTP ------------------------------------------------------------------------- */

void totp_new_secret(char out[TOTP_SECRET_B32])
{
    secret_init();
    uint8_t key[TOTP_SECRET_BYTES];
    randombytes_buf(key, sizeof key);
    base32_encode(key, sizeof key, out, TOTP_SECRET_B32);
    sodium_memzero(key, sizeof key);
}

/* Decodes the secret into key; its length, or -1 if unusable. */
static int secret_decode(const char *secret_b32, uint8_t key[KEY_MAX])
{
    if (!secret_b32 || strnlen(secret_b32, SECRET_B32_MAX + 1) > SECRET_B32_MAX)
        return -1;
    int klen = base32_decode(secret_b32, key, KEY_MAX);
    return klen > 0 ? klen : -1;
}

/* RFC 4226 HOTP of counter, DIGITS digits. */
static int hotp(const uint8_t *key, int klen, uint64_t counter, char out[DIGITS + 1])
{
    uint8_t msg[8];
    for (int i = 7; i >= 0; i--, counter >>= 8)
        msg[i] = (uint8_t)(counter & 0xffu);
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    if (!HMAC(EVP_sha1(), key, klen, msg, sizeof msg, md, &mdlen) || mdlen != 20) {
        out[0] = '\0';
        return -1;
    }
    unsigned off = md[19] & 0x0fu;
    uint32_t bin = ((uint32_t)(md[off] & 0x7fu) << 24) | ((uint32_t)md[off + 1] << 16) |
                   ((uint32_t)md[off + 2] << 8) | md[off + 3];
    snprintf(out, DIGITS + 1, "%06u", (unsigned)(bin % 1000000u));
    sodium_memzero(md, sizeof md);
    return 0;
}

static int64_t step_of(ms_t t)
{
    /* floor, not truncation, so that a time before the epoch is not step 0 */
    return t >= 0 ? t / STEP_MS : -((-t + STEP_MS - 1) / STEP_MS);
}

int totp_code(const char *secret_b32, ms_t t, char out[7])
{
    out[0] = '\0';
    int64_t step = step_of(t);
    uint8_t key[KEY_MAX];
    int klen = secret_decode(secret_b32, key);
    if (klen < 0 || step < 0)
        return -1;
    int rc = hotp(key, klen, (uint64_t)step, out);
    sodium_memzero(key, sizeof key);
    return rc;
}

static bool code_wellformed(const char *code)
{
    if (!code)
        return false;
    for (int i = 0; i < DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return false;
    return code[DIGITS] == '\0';
}

bool totp_verify(const char *secret_b32, const char *code, ms_t now, int64_t last_step,
                 int64_t *step)
{
    if (!code_wellformed(code))
        return false;
    secret_init();
    uint8_t key[KEY_MAX];
    int klen = secret_decode(secret_b32, key);
    if (klen < 0)
        return false;
    int64_t cur = step_of(now);
    bool ok = false;
    /* All three are computed and compared whatever matches, and the latest
     * matching step wins, so that a replay guard never moves backwards. */
    for (int64_t s = cur - 1; s <= cur + 1; s++) {
        char want[DIGITS + 1];
        if (s < 0 || s <= last_step || hotp(key, klen, (uint64_t)s, want) != 0)
            continue;
        if (sodium_memcmp(want, code, DIGITS) == 0) {
            ok = true;
            if (step)
                *step = s;
        }
        sodium_memzero(want, sizeof want);
    }
    sodium_memzero(key, sizeof key);
    return ok;
}

struct out {
    char *p;
    size_t n, len;
    bool full;
};

static void out_add(struct out *o, const char *s, size_t len)
{
    if (o->full || o->len + len + 1 > o->n) {
        o->full = true;
        return;
    }
    memcpy(o->p + o->len, s, len);
    o->len += len;
    o->p[o->len] = '\0';
}

static void out_adds(struct out *o, const char *s)
{
    out_add(o, s, strlen(s));
}

/* Percent-encodes all but RFC 3986 unreserved characters. */
static void out_pct(struct out *o, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            out_add(o, (const char *)s, 1);
        } else {
            char hex[4];
            snprintf(hex, sizeof hex, "%%%02X", c);
            out_add(o, hex, 3);
        }
    }
}

void totp_uri(const char *secret_b32, const char *user, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    struct out o = {out, n, 0, false};
    out[0] = '\0';
    out_adds(&o, "otpauth://totp/yunwei:");
    out_pct(&o, user ? user : "");
    out_adds(&o, "?secret=");
    out_pct(&o, secret_b32 ? secret_b32 : "");
    out_adds(&o, "&issuer=yunwei");
    if (o.full)
        out[0] = '\0';
}

/* ---- recovery codes ------------------------------------------------------------------ */

void recovery_codes_new(char codes[][RECOVERY_CODE_LEN + 1], size_t n)
{
    secret_init();
    const uint32_t na = (uint32_t)(sizeof recovery_alphabet - 1);
    for (size_t i = 0; i < n; i++) {
        char *c = codes[i];
        size_t o = 0;
        for (int k = 0; k < RECOVERY_CHARS; k++) {
            if (k == 4 || k == 8)
                c[o++] = '-';
            c[o++] = recovery_alphabet[randombytes_uniform(na)];
        }
        c[o] = '\0';
    }
}

int recovery_code_normalise(const char *in, char out[RECOVERY_CODE_LEN + 1])
{
    out[0] = '\0';
    if (!in || strnlen(in, RECOVERY_INPUT_MAX + 1) > RECOVERY_INPUT_MAX)
        return -1;
    char raw[RECOVERY_CHARS];
    int got = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ' || c == '\t')
            continue;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (!strchr(recovery_alphabet, c) || got == RECOVERY_CHARS)
            return -1;
        raw[got++] = c;
    }
    if (got != RECOVERY_CHARS)
        return -1;
    size_t o = 0;
    for (int k = 0; k < RECOVERY_CHARS; k++) {
        if (k == 4 || k == 8)
            out[o++] = '-';
        out[o++] = raw[k];
    }
    out[o] = '\0';
    return 0;
}

int recovery_code_hash(const struct secret_key *k, const char *code, char out[TOKEN_HASH_HEX])
{
    char norm[RECOVERY_CODE_LEN + 1];
    out[0] = '\0';
    if (recovery_code_normalise(code, norm) != 0)
        return -1;
    secret_init();
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)norm, RECOVERY_CODE_LEN, k->k,
                       sizeof k->k);
    sodium_bin2hex(out, TOKEN_HASH_HEX, h, sizeof h);
    sodium_memzero(norm, sizeof norm);
    return 0;
}
