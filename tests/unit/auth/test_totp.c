/*
 * TOTP against the RFC 6238 Appendix B vectors (SHA-1; the RFC prints 8
 * digits, we use the last 6), clock drift of one step, replay refusal,
 * base32 against the RFC 4648 section 10 vectors, and recovery codes.
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "auth/secret.h"
#include "auth/totp.h"
#include "t.h"

/* base32 of the RFC 6238 SHA-1 seed "12345678901234567890" */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

TEST(rfc6238_vectors)
{
    char b32[64];
    CHECK_INT(base32_encode((const uint8_t *)"12345678901234567890", 20, b32, sizeof b32), 32);
    CHECK_STR(b32, RFC_SECRET);

    static const struct {
        long long t_s;
        const char *rfc8; /* as printed in the RFC */
        const char *code;
    } v[] = {
        {59, "94287082", "287082"},
        {1111111109, "07081804", "081804"},
        {1111111111, "14050471", "050471"},
        {1234567890, "89005924", "005924"},
        {2000000000, "69279037", "279037"},
        {20000000000, "65353130", "353130"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[7] = "x";
        CHECK_INT(totp_code(RFC_SECRET, v[i].t_s * 1000, out), 0);
        CHECK_STR(out, v[i].code);
        CHECK_STR(v[i].rfc8 + 2, v[i].code); /* the table says what it claims */
    }
    /* lower case secret, and any instant within the step */
    char out[7];
    CHECK_INT(totp_code("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", 59000, out), 0);
    CHECK_STR(out, "287082");
    CHECK_INT(totp_code(RFC_SECRET, 30000, out), 0); /* step 1 starts at 30 s */
    CHECK_STR(out, "287082");
    CHECK_INT(totp_code(RFC_SECRET, 59999, out), 0);
    CHECK_STR(out, "287082");
    CHECK_INT(totp_code(RFC_SECRET, 29999, out), 0); /* step 0 */
    CHECK(strcmp(out, "287082") != 0);
}

TEST(bad_secret_or_time)
{
    char out[7] = "x";
    CHECK_INT(totp_code("GEZDGNBV!", 59000, out), -1);
    CHECK_STR(out, "");
    CHECK_INT(totp_code("", 59000, out), -1);  /* no key at all */
    CHECK_INT(totp_code(NULL, 59000, out), -1);
    CHECK_INT(totp_code("GEZ", 59000, out), -1); /* impossible length */
    char big[200];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(totp_code(big, 59000, out), -1);  /* longer than any key we accept */
    CHECK_INT(totp_code(RFC_SECRET, -1, out), -1);
    CHECK(!totp_verify("GEZDGNBV!", "287082", 59000, 0, NULL));
}

TEST(verify_drift_and_replay)
{
    const ms_t now = 1111111111000LL;    /* step 37037037, code 050471 */
    const int64_t cur = 37037037;
    char prev[7], next[7], prev2[7], next2[7], here[7];
    CHECK_INT(totp_code(RFC_SECRET, now, here), 0);
    CHECK_STR(here, "050471");
    CHECK_INT(totp_code(RFC_SECRET, now - 30000, prev), 0);
    CHECK_STR(prev, "081804"); /* 1111111109 s is the step before */
    CHECK_INT(totp_code(RFC_SECRET, now + 30000, next), 0);
    CHECK_INT(totp_code(RFC_SECRET, now - 60000, prev2), 0);
    CHECK_INT(totp_code(RFC_SECRET, now + 60000, next2), 0);

    int64_t step = -7;
    CHECK(totp_verify(RFC_SECRET, here, now, 0, &step));
    CHECK_INT(step, cur);
    CHECK(totp_verify(RFC_SECRET, prev, now, 0, &step));
    CHECK_INT(step, cur - 1);
    CHECK(totp_verify(RFC_SECRET, next, now, 0, &step));
    CHECK_INT(step, cur + 1);
    step = -7;
    CHECK(!totp_verify(RFC_SECRET, prev2, now, 0, &step));
    CHECK(!totp_verify(RFC_SECRET, next2, now, 0, &step));
    CHECK_INT(step, -7); /* untouched on failure */
    CHECK(totp_verify(RFC_SECRET, here, now, 0, NULL));

    /* replay: the step just used, or any before it, is refused */
    CHECK(!totp_verify(RFC_SECRET, here, now, cur, &step));
    CHECK(!totp_verify(RFC_SECRET, here, now + 10000, cur, &step));
    CHECK(!totp_verify(RFC_SECRET, prev, now, cur - 1, &step));
    CHECK(!totp_verify(RFC_SECRET, prev, now, cur, &step));
    CHECK(totp_verify(RFC_SECRET, here, now, cur - 1, &step));
    CHECK_INT(step, cur);
    /* a code from the next step, used early, blocks the current one after */
    CHECK(totp_verify(RFC_SECRET, next, now, cur - 1, &step));
    CHECK_INT(step, cur + 1);
    CHECK(!totp_verify(RFC_SECRET, here, now, step, NULL));
}

TEST(verify_code_format)
{
    const ms_t t = 59000;
    CHECK(totp_verify(RFC_SECRET, "287082", t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, "28708", t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, "2870820", t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, " 287082", t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, "287 082", t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, "28708a", t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, "", t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, NULL, t, 0, NULL));
    CHECK(!totp_verify(RFC_SECRET, "000000", t, 0, NULL));
}

TEST(rfc4648_base32)
{
    static const struct {
        const char *plain, *padded, *bare;
    } v[] = {
        {"", "", ""},
        {"f", "MY======", "MY"},
        {"fo", "MZXQ====", "MZXQ"},
        {"foo", "MZXW6===", "MZXW6"},
        {"foob", "MZXW6YQ=", "MZXW6YQ"},
        {"fooba", "MZXW6YTB", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI======", "MZXW6YTBOI"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char enc[32];
        uint8_t dec[16];
        size_t len = strlen(v[i].plain);
        int n = base32_encode((const uint8_t *)v[i].plain, len, enc, sizeof enc);
        CHECK_INT(n, (int)strlen(v[i].bare));
        CHECK_STR(enc, v[i].bare);
        CHECK_INT(base32_decode(v[i].padded, dec, sizeof dec), (int)len);
        CHECK(memcmp(dec, v[i].plain, len) == 0);
        CHECK_INT(base32_decode(v[i].bare, dec, sizeof dec), (int)len);
        CHECK(memcmp(dec, v[i].plain, len) == 0);
    }
    uint8_t d[16];
    CHECK_INT(base32_decode("mzxw6ytboi", d, sizeof d), 6); /* either case */
    CHECK(memcmp(d, "foobar", 6) == 0);
    CHECK_INT(base32_decode("MY=", d, sizeof d), -1);           /* padding incomplete */
    CHECK_INT(base32_decode("MY=======", d, sizeof d), -1);     /* too much padding */
    CHECK_INT(base32_decode("MY======X", d, sizeof d), -1);     /* data after padding */
    CHECK_INT(base32_decode("MZXW6YTB========", d, sizeof d), -1);
    CHECK_INT(base32_decode("M", d, sizeof d), -1);             /* impossible lengths */
    CHECK_INT(base32_decode("MZX", d, sizeof d), -1);
    CHECK_INT(base32_decode("MZXW6Y", d, sizeof d), -1);
    CHECK_INT(base32_decode("MZ", d, sizeof d), -1);            /* trailing bits not zero */
    CHECK_INT(base32_decode("MY1", d, sizeof d), -1);           /* not in the alphabet */
    CHECK_INT(base32_decode("MY0=====", d, sizeof d), -1);
    CHECK_INT(base32_decode("MZX W6", d, sizeof d), -1);
    CHECK_INT(base32_decode(NULL, d, sizeof d), -1);
    CHECK_INT(base32_decode("MZXW6YTBOI", d, 5), -1);           /* does not fit */
    CHECK_INT(base32_decode("MZXW6YTBOI", d, 6), 6);
    char small[8] = "junk";
    CHECK_INT(base32_encode((const uint8_t *)"fooba", 5, small, 8), -1); /* needs 9 */
    CHECK_STR(small, "");
    CHECK_INT(base32_encode((const uint8_t *)"fooba", 5, small, 0), -1);

    /* every length, random bytes: encode then decode gives them back */
    secret_init();
    for (size_t len = 0; len <= 64; len++) {
        uint8_t in[64], back[64];
        char text[128];
        randombytes_buf(in, len);
        int n = base32_encode(in, len, text, sizeof text);
        CHECK_INT(n, (int)((len * 8 + 4) / 5));
        CHECK_INT(base32_decode(text, back, sizeof back), (int)len);
        CHECK(memcmp(in, back, len) == 0);
    }
}

TEST(new_secret_and_uri)
{
    char a[TOTP_SECRET_B32], b[TOTP_SECRET_B32];
    totp_new_secret(a);
    totp_new_secret(b);
    CHECK_INT(strlen(a), 32);
    CHECK(strcmp(a, b) != 0);
    uint8_t key[64];
    CHECK_INT(base32_decode(a, key, sizeof key), TOTP_SECRET_BYTES);
    char code[7];
    CHECK_INT(totp_code(a, 1700000000000LL, code), 0);
    CHECK(totp_verify(a, code, 1700000000000LL, 0, NULL));

    char uri[256];
    totp_uri("JBSWY3DPEHPK3PXP", "li.lei", uri, sizeof uri);
    CHECK_STR(uri, "otpauth://totp/yunwei:li.lei?secret=JBSWY3DPEHPK3PXP&issuer=yunwei");
    totp_uri("JBSWY3DPEHPK3PXP", "李 雷&x", uri, sizeof uri);
    CHECK_STR(uri, "otpauth://totp/yunwei:%E6%9D%8E%20%E9%9B%B7%26x?secret=JBSWY3DPEHPK3PXP"
                   "&issuer=yunwei");
    const char *full = "otpauth://totp/yunwei:li.lei?secret=JBSWY3DPEHPK3PXP&issuer=yunwei";
    totp_uri("JBSWY3DPEHPK3PXP", "li.lei", uri, strlen(full) + 1); /* just fits */
    CHECK_STR(uri, full);
    totp_uri("JBSWY3DPEHPK3PXP", "li.lei", uri, strlen(full)); /* one short: nothing */
    CHECK_STR(uri, "");
}

TEST(recovery_codes)
{
    const char *alphabet = "23456789abcdefghjkmnpqrstuvwxyz";
    enum { N = 100 };
    static char codes[N][RECOVERY_CODE_LEN + 1];
    memset(codes, 'z', sizeof codes);
    recovery_codes_new(codes, N);
    for (int i = 0; i < N; i++) {
        const char *c = codes[i];
        CHECK_INT(strlen(c), RECOVERY_CODE_LEN);
        CHECK(c[4] == '-' && c[9] == '-');
        for (int k = 0; k < RECOVERY_CODE_LEN; k++) {
            if (k == 4 || k == 9)
                continue;
            CHECK(c[k] && strchr(alphabet, c[k]) != NULL);
            CHECK(!strchr("01ilo", c[k])); /* nothing to misread */
        }
        char norm[RECOVERY_CODE_LEN + 1];
        CHECK_INT(recovery_code_normalise(c, norm), 0);
        CHECK_STR(norm, c);
        for (int j = 0; j < i; j++)
            CHECK(strcmp(codes[j], c) != 0);
    }
    /* the whole alphabet shows up over 1000 characters */
    for (const char *a = alphabet; *a; a++) {
        bool seen = false;
        for (int i = 0; i < N && !seen; i++)
            seen = strchr(codes[i], *a) != NULL;
        CHECK(seen);
    }
}

TEST(recovery_code_typing)
{
    char n[RECOVERY_CODE_LEN + 1];
    CHECK_INT(recovery_code_normalise("ABCD-EFGH-JK", n), 0);
    CHECK_STR(n, "abcd-efgh-jk");
    CHECK_INT(recovery_code_normalise("abcdefghjk", n), 0);
    CHECK_STR(n, "abcd-efgh-jk");
    CHECK_INT(recovery_code_normalise("  abcd efgh jk ", n), 0);
    CHECK_STR(n, "abcd-efgh-jk");
    CHECK_INT(recovery_code_normalise("abcd-efgh-j", n), -1);
    CHECK_STR(n, "");
    CHECK_INT(recovery_code_normalise("abcd-efgh-jkm", n), -1);
    CHECK_INT(recovery_code_normalise("abcd-efgh-j0", n), -1);
    CHECK_INT(recovery_code_normalise("abcd-efgh-jl", n), -1);
    CHECK_INT(recovery_code_normalise("", n), -1);
    CHECK_INT(recovery_code_normalise(NULL, n), -1);

    struct secret_key k, k2;
    for (int i = 0; i < SECRET_KEY_BYTES; i++) {
        k.k[i] = (uint8_t)i;
        k2.k[i] = (uint8_t)(i + 1);
    }
    char h1[TOKEN_HASH_HEX], h2[TOKEN_HASH_HEX], h3[TOKEN_HASH_HEX];
    CHECK_INT(recovery_code_hash(&k, "ABCDEFGHJK", h1), 0);
    /* keyed BLAKE2b-256, key 00 01 … 1f, of "abcd-efgh-jk" (Python hashlib) */
    CHECK_STR(h1, "bc592777d3cb2170a2645486bde17164fa24561d2236fef91ff0eec74621796f");
    CHECK_INT(recovery_code_hash(&k, " abcd-efgh-jk", h2), 0);
    CHECK_STR(h2, h1);
    CHECK_INT(recovery_code_hash(&k2, "abcd-efgh-jk", h3), 0);
    CHECK(strcmp(h3, h1) != 0);
    CHECK_INT(recovery_code_hash(&k, "abcd-efgh-j1", h3), -1);
    CHECK_STR(h3, "");
}

int main(void)
{
    RUN(rfc6238_vectors);
    RUN(bad_secret_or_time);
    RUN(verify_drift_and_replay);
    RUN(verify_code_format);
    RUN(rfc4648_base32);
    RUN(new_secret_and_uri);
    RUN(recovery_codes);
    RUN(recovery_code_typing);
    return t_done();
}
