/*
 * secret — key files, sealed credentials and random tokens (libsodium).
 *
 * Key files are checked on every load, not only when created: an operator's
 * `cp` or a restored backup easily leaves a key world-readable, and a key
 * that others could read protects nothing.
 */
#include "auth/secret.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define KEYFILE_MAX 64
#define TOKEN_PREFIX_MAX 32
#define TOKEN_BYTES_MIN 16
#define TOKEN_BYTES_MAX 1024
#define SEALED_TAG "v1:"
#define SEALED_TAG_LEN 3
#define BOX_OVERHEAD (crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)

static pthread_once_t sodium_once = PTHREAD_ONCE_INIT;

static void sodium_start(void)
{
    if (sodium_init() < 0) {
        fputs("yunwei: libsodium failed to initialise; cannot continue\n", stderr);
        abort();
    }
}

void secret_init(void)
{
    pthread_once(&sodium_once, sodium_start);
}

void secret_wipe(void *p, size_t n)
{
    if (p && n)
        sodium_memzero(p, n);
}

/* ---- key files ---------------------------------------------------------------- */

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Creates the directory holding path when absent (0700). Only the last
 * level: the data directory itself is the store's to create. */
static int keydir_make(const char *path, struct yw_err *err)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    int rc = 0;
    if (slash && slash != dir) {
        *slash = '\0';
        if (mkdir(dir, 0700) != 0 && errno != EEXIST)
            rc = yw_fail(err, YW_EIO, "%s: 无法创建密钥目录 / cannot create key directory: %s",
                         dir, strerror(errno));
    }
    xfree(dir);
    return rc;
}

static void fsync_dir_of(const char *path)
{
    char *dir = xstrdup(path);
    char *slash = strrchr(dir, '/');
    const char *d = ".";
    if (slash) {
        *slash = '\0';
        d = slash == dir ? "/" : dir;
    }
    int fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    xfree(dir);
}

/* Writes a fresh random key under a unique temporary name and links it into
 * place: link() fails with EEXIST when another process got there first, and
 * then its key is the one everybody uses. */
static int keyfile_create(const char *path, size_t n, struct yw_err *err)
{
    if (keydir_make(path, err) != 0)
        return -1;
    char *tmp = xasprintf("%s.tmp.%ld.%08x", path, (long)getpid(), (unsigned)randombytes_random());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        int rc = yw_fail(err, YW_EIO, "%s: 无法创建密钥文件 / cannot create key file: %s", path,
                         strerror(errno));
        xfree(tmp);
        return rc;
    }
    uint8_t key[KEYFILE_MAX];
    randombytes_buf(key, n);
    int ok = fchmod(fd, 0600) == 0 && write_all(fd, key, n) == 0 && fsync(fd) == 0;
    int saved = errno;
    sodium_memzero(key, sizeof key);
    if (close(fd) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    int rc = 0;
    if (!ok) {
        rc = yw_fail(err, YW_EIO, "%s: 无法写入密钥文件 / cannot write key file: %s", path,
                     strerror(saved));
    } else if (link(tmp, path) != 0 && errno != EEXIST) {
        rc = yw_fail(err, YW_EIO, "%s: 无法创建密钥文件 / cannot create key file: %s", path,
                     strerror(errno));
    }
    unlink(tmp);
    xfree(tmp);
    if (rc == 0)
        fsync_dir_of(path);
    return rc;
}

static int keyfile_read(const char *path, uint8_t *key, size_t n, struct yw_err *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ELOOP)
            return yw_fail(err, YW_EINVAL,
                           "%s: 密钥文件是符号链接，拒绝使用 / key file is a symbolic link; "
                           "refusing to use it",
                           path);
        return yw_fail(err, errno == ENOENT ? YW_ENOTFOUND : YW_EIO,
                       "%s: 无法打开密钥文件 / cannot open key file: %s", path, strerror(errno));
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        rc = yw_fail(err, YW_EIO, "%s: %s", path, strerror(errno));
    } else if (!S_ISREG(st.st_mode)) {
        rc = yw_fail(err, YW_EINVAL, "%s: 密钥文件不是普通文件 / key file is not a regular file",
                     path);
    } else if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        unsigned mode = (unsigned)(st.st_mode & 07777);
        rc = yw_fail(err, YW_EINVAL,
                     "%s: 密钥文件权限 %04o 允许组或其他用户访问，拒绝使用（请执行 chmod 600）"
                     " / key file mode %04o lets group or others access it; refusing to use it "
                     "(run chmod 600 on it)",
                     path, mode, mode);
    } else if (st.st_size != (off_t)n) {
        rc = yw_fail(err, YW_EINVAL,
                     "%s: 密钥文件应为 %zu 字节，实际 %lld 字节 / key file must hold %zu bytes, "
                     "it holds %lld",
                     path, n, (long long)st.st_size, n, (long long)st.st_size);
    } else {
        size_t got = 0;
        while (got < n) {
            ssize_t r = read(fd, key + got, n - got);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0) {
                rc = yw_fail(err, YW_EIO, "%s: 读取密钥文件失败 / cannot read key file: %s", path,
                             r < 0 ? strerror(errno) : "short read");
                break;
            }
            got += (size_t)r;
        }
    }
    close(fd);
    return rc;
}

int secret_keyfile_load(const char *path, uint8_t *key, size_t n, bool create, struct yw_err *err)
{
    assert(n >= 1 && n <= KEYFILE_MAX);
    secret_init();
    if (!path || !*path)
        return yw_fail(err, YW_EINVAL, "密钥文件路径为空 / empty key file path");
    struct stat st;
    if (create && lstat(path, &st) != 0 && errno == ENOENT && keyfile_create(path, n, err) != 0) {
        sodium_memzero(key, n);
        return -1;
    }
    if (keyfile_read(path, key, n, err) != 0) {
        sodium_memzero(key, n);
        return -1;
    }
    return 0;
}

int secret_key_load(const char *path, struct secret_key *out, struct yw_err *err)
{
    return secret_keyfile_load(path, out->k, sizeof out->k, true, err);
}

/* ---- sealed credentials ---------------------------------------------------------- */

char *secret_seal(const struct secret_key *k, const char *plain)
{
    secret_init();
    size_t m = strlen(plain);
    if (m > SECRET_PLAIN_MAX)
        return NULL;
    size_t blen = BOX_OVERHEAD + m;
    uint8_t *box = xmalloc(blen);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, m, box,
                          k->k);
    size_t b64 = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
    char *out = xmalloc(SEALED_TAG_LEN + b64);
    memcpy(out, SEALED_TAG, SEALED_TAG_LEN);
    sodium_bin2base64(out + SEALED_TAG_LEN, b64, box, blen, sodium_base64_VARIANT_ORIGINAL);
    xfree(box);
    return out;
}

char *secret_open(const struct secret_key *k, const char *sealed, struct yw_err *err)
{
    secret_init();
    if (!sealed || strncmp(sealed, SEALED_TAG, SEALED_TAG_LEN) != 0) {
        yw_fail(err, YW_EINVAL, "不是加密的凭据 / not a sealed secret (v1:…)");
        return NULL;
    }
    size_t len = strnlen(sealed, SECRET_SEALED_MAX + 1);
    if (len > SECRET_SEALED_MAX) {
        yw_fail(err, YW_ELIMIT, "加密的凭据过长 / sealed secret longer than %d bytes",
                SECRET_SEALED_MAX);
        return NULL;
    }
    const char *b64 = sealed + SEALED_TAG_LEN;
    size_t b64len = len - SEALED_TAG_LEN;
    size_t maxbin = b64len / 4 * 3 + 3;
    uint8_t *bin = xmalloc(maxbin);
    size_t binlen = 0;
    const char *end = NULL;
    if (sodium_base642bin(bin, maxbin, b64, b64len, NULL, &binlen, &end,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        end != b64 + b64len || binlen < BOX_OVERHEAD) {
        xfree(bin);
        yw_fail(err, YW_EINVAL, "加密的凭据已损坏 / sealed secret is malformed");
        return NULL;
    }
    size_t m = binlen - BOX_OVERHEAD;
    char *plain = xmalloc(m + 1);
    if (crypto_secretbox_open_easy((unsigned char *)plain, bin + crypto_secretbox_NONCEBYTES,
                                   binlen - crypto_secretbox_NONCEBYTES, bin, k->k) != 0) {
        xfree(bin);
        xfree(plain);
        yw_fail(err, YW_EINVAL,
                "加密的凭据无法解密（被篡改或密钥不符） / sealed secret failed authentication "
                "(altered, or sealed with another key)");
        return NULL;
    }
    xfree(bin);
    plain[m] = '\0';
    /* Authentic but not a C string: only a writer holding the key could have
     * made it, and a caller would silently see it cut short. */
    if (memchr(plain, '\0', m)) {
        sodium_memzero(plain, m);
        xfree(plain);
        yw_fail(err, YW_EINVAL, "加密的凭据含有 NUL 字节 / sealed secret contains a NUL byte");
        return NULL;
    }
    return plain;
}

/* ---- tokens --------------------------------------------------------------------- */

char *secret_token_new(const char *prefix, size_t nbytes)
{
    secret_init();
    if (!prefix)
        prefix = "";
    size_t plen = strlen(prefix);
    assert(plen <= TOKEN_PREFIX_MAX);
    assert(nbytes >= TOKEN_BYTES_MIN && nbytes <= TOKEN_BYTES_MAX);
    uint8_t raw[TOKEN_BYTES_MAX];
    randombytes_buf(raw, nbytes);
    size_t b64 = sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(plen + b64);
    memcpy(out, prefix, plen);
    sodium_bin2base64(out + plen, b64, raw, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, nbytes);
    return out;
}

void secret_token_hash(const char *token, char out[TOKEN_HASH_HEX])
{
    secret_init();
    uint8_t h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, TOKEN_HASH_HEX, h, sizeof h);
}
