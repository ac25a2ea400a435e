/*
 * Key files (creation, modes, every refusal, a creation race), sealing
 * (round trip, tampering with every byte, wrong key, malformed input,
 * limits) and tokens (format, uniqueness, the BLAKE2b hash against values
 * computed with Python's hashlib).
 */
#include <dirent.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/secret.h"
#include "core/mem.h"
#include "t.h"

static char tmpdir[64];

static char *path_in(const char *rel)
{
    return xasprintf("%s/%s", tmpdir, rel);
}

static void write_file(const char *path, const void *p, size_t n, mode_t mode)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        abort();
    chmod(path, mode);
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

TEST(key_created_private)
{
    char *path = path_in("keys/secret.key");
    char *dir = path_in("keys");
    struct yw_err err = YW_ERR_INIT;
    struct secret_key a, b;
    mode_t old = umask(0); /* a careless umask must not widen the modes */
    CHECK_INT(secret_key_load(path, &a, &err), 0);
    umask(old);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0600);
    CHECK_INT(st.st_size, SECRET_KEY_BYTES);
    CHECK_INT(stat(dir, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0700);
    CHECK(!all_zero(a.k, sizeof a.k));
    CHECK_INT(count_entries(dir), 1); /* no temporary file left behind */
    CHECK_INT(secret_key_load(path, &b, &err), 0);
    CHECK(memcmp(a.k, b.k, sizeof a.k) == 0); /* loaded, not made anew */
    secret_wipe(&a, sizeof a);
    CHECK(all_zero(a.k, sizeof a.k));
    xfree(path);
    xfree(dir);
}

TEST(key_file_refusals)
{
    char *path = path_in("k2.key");
    struct yw_err err = YW_ERR_INIT;
    struct secret_key k;
    uint8_t raw[SECRET_KEY_BYTES];
    memset(raw, 0x5a, sizeof raw);

    static const mode_t bad[] = {0644, 0640, 0604, 0620, 0602, 0660, 0666, 0610};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(path, raw, sizeof raw, bad[i]);
        memset(k.k, 1, sizeof k.k);
        err = (struct yw_err)YW_ERR_INIT;
        CHECK_INT(secret_key_load(path, &k, &err), -1);
        CHECK_INT(err.code, YW_EINVAL);
        CHECK(strstr(err.msg, path) != NULL);
        CHECK(strstr(err.msg, "chmod 600") != NULL);
        CHECK(strstr(err.msg, "group or others") != NULL);
        CHECK(all_zero(k.k, sizeof k.k)); /* nothing half-loaded */
        unlink(path);
    }
    char mode_msg[16];
    write_file(path, raw, sizeof raw, 0644);
    CHECK_INT(secret_key_load(path, &k, &err), -1);
    snprintf(mode_msg, sizeof mode_msg, "mode %04o", 0644);
    CHECK(strstr(err.msg, mode_msg) != NULL);
    unlink(path);

    /* owner-only modes are fine, read-only included */
    write_file(path, raw, sizeof raw, 0400);
    CHECK_INT(secret_key_load(path, &k, &err), 0);
    CHECK(memcmp(k.k, raw, sizeof raw) == 0);
    unlink(path);

    /* wrong sizes */
    write_file(path, raw, sizeof raw - 1, 0600);
    CHECK_INT(secret_key_load(path, &k, &err), -1);
    CHECK(strstr(err.msg, "must hold 32 bytes") != NULL);
    unlink(path);
    uint8_t big[SECRET_KEY_BYTES + 1] = {0};
    write_file(path, big, sizeof big, 0600);
    CHECK_INT(secret_key_load(path, &k, &err), -1);
    unlink(path);
    write_file(path, "", 0, 0600); /* empty: refused, not silently regenerated */
    CHECK_INT(secret_key_load(path, &k, &err), -1);
    unlink(path);

    /* a symbolic link, even to a good key file */
    char *target = path_in("target.key");
    write_file(target, raw, sizeof raw, 0600);
    CHECK_INT(symlink(target, path), 0);
    CHECK_INT(secret_key_load(path, &k, &err), -1);
    CHECK(strstr(err.msg, "symbolic link") != NULL);
    unlink(path);
    /* a dangling one is not replaced by a new key either */
    unlink(target);
    CHECK_INT(symlink(target, path), 0);
    CHECK_INT(secret_key_load(path, &k, &err), -1);
    CHECK(access(target, F_OK) != 0);
    unlink(path);

    /* a directory */
    char *dir = path_in("adir");
    CHECK_INT(mkdir(dir, 0700), 0);
    CHECK_INT(secret_key_load(dir, &k, &err), -1);
    CHECK(strstr(err.msg, "not a regular file") != NULL);
    rmdir(dir);

    /* absent, creation not wanted: refused and nothing made */
    uint8_t ak[32];
    err = (struct yw_err)YW_ERR_INIT;
    CHECK_INT(secret_keyfile_load(path, ak, sizeof ak, false, &err), -1);
    CHECK_INT(err.code, YW_ENOTFOUND);
    CHECK(access(path, F_OK) != 0);

    /* the directory of the key directory must exist */
    char *deep = path_in("no/such/dir/k.key");
    CHECK_INT(secret_key_load(deep, &k, &err), -1);
    CHECK_INT(err.code, YW_EIO);
    CHECK_INT(secret_key_load("", &k, &err), -1);
    CHECK_INT(secret_key_load(NULL, &k, NULL), -1);

    xfree(deep);
    xfree(dir);
    xfree(target);
    xfree(path);
}

struct racer {
    const char *path;
    struct secret_key k;
    int rc;
};

static void *race(void *arg)
{
    struct racer *r = arg;
    r->rc = secret_key_load(r->path, &r->k, NULL);
    return NULL;
}

TEST(key_creation_race)
{
    /* Eight loaders at once on an absent file all end with the same key. */
    char *path = path_in("race/secret.key");
    enum { N = 8 };
    struct racer r[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        r[i] = (struct racer){path, {{0}}, -2};
        pthread_create(&th[i], NULL, race, &r[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        CHECK_INT(r[i].rc, 0);
        CHECK(memcmp(r[i].k.k, r[0].k.k, SECRET_KEY_BYTES) == 0);
    }
    char *dir = path_in("race");
    CHECK_INT(count_entries(dir), 1);
    xfree(dir);
    xfree(path);
}

static struct secret_key test_key(uint8_t fill)
{
    struct secret_key k;
    memset(k.k, fill, sizeof k.k);
    return k;
}

TEST(seal_round_trip)
{
    struct secret_key k = test_key(7);
    struct yw_err err = YW_ERR_INIT;
    const char *plains[] = {"", "p", "s3cret-pa55word", "数据库口令：运维@2026", "a;b:c\"d'e"};
    for (size_t i = 0; i < sizeof plains / sizeof plains[0]; i++) {
        char *s = secret_seal(&k, plains[i]);
        CHECK(s && strncmp(s, "v1:", 3) == 0);
        size_t box = 24 + 16 + strlen(plains[i]);
        CHECK_INT(strlen(s), 3 + (box + 2) / 3 * 4); /* standard base64, padded */
        if (strlen(plains[i]) >= 6) /* a short one may turn up in base64 by chance */
            CHECK(strstr(s, plains[i]) == NULL);
        char *back = secret_open(&k, s, &err);
        CHECK_STR(back, plains[i]);
        if (back)
            secret_wipe(back, strlen(back));
        xfree(back);
        xfree(s);
    }
    /* the same secret sealed twice looks different (fresh nonce) */
    char *a = secret_seal(&k, "same"), *b = secret_seal(&k, "same");
    CHECK(strcmp(a, b) != 0);
    xfree(a);
    xfree(b);

    /* the limit, exactly, and one past it */
    char *big = xmalloc(SECRET_PLAIN_MAX + 2);
    memset(big, 'x', SECRET_PLAIN_MAX + 1);
    big[SECRET_PLAIN_MAX] = '\0';
    char *s = secret_seal(&k, big);
    CHECK(s != NULL);
    CHECK(strlen(s) <= SECRET_SEALED_MAX);
    char *back = secret_open(&k, s, &err);
    CHECK(back && strcmp(back, big) == 0);
    xfree(back);
    xfree(s);
    big[SECRET_PLAIN_MAX] = 'x';
    big[SECRET_PLAIN_MAX + 1] = '\0';
    CHECK(secret_seal(&k, big) == NULL);
    xfree(big);
}

/* Decodes the base64 after "v1:" into bin; its length. */
static size_t unwrap(const char *sealed, uint8_t *bin, size_t max)
{
    size_t n = 0;
    if (sodium_base642bin(bin, max, sealed + 3, strlen(sealed + 3), NULL, &n, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0)
        abort();
    return n;
}

static char *wrap(const uint8_t *bin, size_t n)
{
    size_t b64 = sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_ORIGINAL);
    char *s = xmalloc(3 + b64);
    memcpy(s, "v1:", 3);
    sodium_bin2base64(s + 3, b64, bin, n, sodium_base64_VARIANT_ORIGINAL);
    return s;
}

TEST(seal_tamper_and_wrong_key)
{
    struct secret_key k = test_key(7), other = test_key(8);
    struct yw_err err = YW_ERR_INIT;
    char *s = secret_seal(&k, "db-password");
    uint8_t bin[128];
    size_t n = unwrap(s, bin, sizeof bin);
    CHECK_INT(n, 24 + 16 + 11);
    /* one flipped bit anywhere (nonce, tag, ciphertext) and it will not open */
    for (size_t i = 0; i < n; i++) {
        bin[i] ^= 0x01;
        char *t = wrap(bin, n);
        err = (struct yw_err)YW_ERR_INIT;
        char *p = secret_open(&k, t, &err);
        CHECK(p == NULL);
        CHECK(strstr(err.msg, "failed authentication") != NULL);
        xfree(p);
        xfree(t);
        bin[i] ^= 0x01;
    }
    /* cut short, or a byte more */
    char *t = wrap(bin, n - 1);
    CHECK(secret_open(&k, t, &err) == NULL);
    xfree(t);
    bin[n] = 0;
    t = wrap(bin, n + 1);
    CHECK(secret_open(&k, t, &err) == NULL);
    xfree(t);
    t = wrap(bin, 39); /* shorter than nonce + tag */
    CHECK(secret_open(&k, t, &err) == NULL);
    CHECK(strstr(err.msg, "malformed") != NULL);
    xfree(t);

    /* wrong key */
    err = (struct yw_err)YW_ERR_INIT;
    CHECK(secret_open(&other, s, &err) == NULL);
    CHECK_INT(err.code, YW_EINVAL);
    CHECK(strstr(err.msg, "another key") != NULL);
    char *ok = secret_open(&k, s, &err);
    CHECK_STR(ok, "db-password");
    xfree(ok);
    xfree(s);
}

TEST(open_malformed)
{
    struct secret_key k = test_key(7);
    struct yw_err err = YW_ERR_INIT;
    CHECK(secret_open(&k, NULL, &err) == NULL);
    CHECK(secret_open(&k, "", &err) == NULL);
    CHECK(secret_open(&k, "db-password", &err) == NULL); /* never sealed */
    CHECK(strstr(err.msg, "not a sealed secret") != NULL);
    CHECK(secret_open(&k, "v2:AAAA", &err) == NULL);
    CHECK(secret_open(&k, "v1:", &err) == NULL);
    CHECK(secret_open(&k, "v1:!!!!", &err) == NULL);
    CHECK(strstr(err.msg, "malformed") != NULL);
    char *s = secret_seal(&k, "x");
    char *junk = xasprintf("%s ", s); /* trailing junk */
    CHECK(secret_open(&k, junk, &err) == NULL);
    xfree(junk);
    char *nopad = xstrdup(s);
    nopad[strlen(nopad) - 1] = '\0'; /* padding cut: not the original variant */
    CHECK(secret_open(&k, nopad, &err) == NULL);
    xfree(nopad);
    xfree(s);
    char *huge = xmalloc(SECRET_SEALED_MAX + 2);
    memset(huge, 'A', SECRET_SEALED_MAX + 1);
    memcpy(huge, "v1:", 3);
    huge[SECRET_SEALED_MAX + 1] = '\0';
    err = (struct yw_err)YW_ERR_INIT;
    CHECK(secret_open(&k, huge, &err) == NULL);
    CHECK_INT(err.code, YW_ELIMIT);
    xfree(huge);
    CHECK(secret_open(&k, "v1:x", NULL) == NULL); /* err may be NULL */

    /* authentic, but with a NUL inside: refused, not silently cut short */
    uint8_t bin[24 + 16 + 3];
    randombytes_buf(bin, 24);
    crypto_secretbox_easy(bin + 24, (const unsigned char *)"a\0b", 3, bin, k.k);
    char *t = wrap(bin, sizeof bin);
    CHECK(secret_open(&k, t, &err) == NULL);
    CHECK(strstr(err.msg, "NUL") != NULL);
    xfree(t);
}

static bool urlsafe(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return false;
    return true;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

TEST(tokens)
{
    enum { N = 2000 };
    char **t = xcalloc(N, sizeof *t);
    for (int i = 0; i < N; i++) {
        t[i] = secret_token_new("ywt_", 32);
        CHECK(strncmp(t[i], "ywt_", 4) == 0);
        CHECK_INT(strlen(t[i]), 4 + 43); /* 32 bytes: 43 base64 characters, no padding */
        CHECK(urlsafe(t[i] + 4));
    }
    qsort(t, N, sizeof *t, cmp_str);
    for (int i = 1; i < N; i++)
        CHECK(strcmp(t[i - 1], t[i]) != 0);
    for (int i = 0; i < N; i++)
        xfree(t[i]);
    xfree(t);

    char *s = secret_token_new("yws_", 16);
    CHECK_INT(strlen(s), 4 + 22);
    xfree(s);
    s = secret_token_new("ywsetup_", 33);
    CHECK_INT(strlen(s), 8 + 44);
    CHECK(urlsafe(s + 8));
    xfree(s);
    s = secret_token_new("", 16);
    CHECK_INT(strlen(s), 22);
    xfree(s);
}

TEST(token_hash)
{
    char h[TOKEN_HASH_HEX];
    /* BLAKE2b with a 32-byte digest, values from Python's hashlib */
    secret_token_hash("abc", h);
    CHECK_STR(h, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
    secret_token_hash("", h);
    CHECK_STR(h, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
    char *a = secret_token_new("ywt_", 32), *b = secret_token_new("ywt_", 32);
    char ha[TOKEN_HASH_HEX], ha2[TOKEN_HASH_HEX], hb[TOKEN_HASH_HEX];
    secret_token_hash(a, ha);
    secret_token_hash(a, ha2);
    secret_token_hash(b, hb);
    CHECK_STR(ha, ha2);
    CHECK(strcmp(ha, hb) != 0);
    CHECK_INT(strlen(ha), 64);
    CHECK(strspn(ha, "0123456789abcdef") == 64);
    xfree(a);
    xfree(b);
}

int main(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/yw-test-secret-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 1;
    RUN(key_created_private);
    RUN(key_file_refusals);
    RUN(key_creation_race);
    RUN(seal_round_trip);
    RUN(seal_tamper_and_wrong_key);
    RUN(open_malformed);
    RUN(tokens);
    RUN(token_hash);
    char *cmd = xasprintf("rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", tmpdir);
    xfree(cmd);
    return t_done();
}
