/*
 * auth_keys — the keys of DIR/keys/ and the audit anchor.
 *
 * DIR/keys/ (0700) holds secret.key (sealed credentials and TOTP secrets),
 * audit.key (the HMAC key of the audit chain), audit.anchor (the last
 * record's seq and mac) and audit.lock (the flock that orders anchor
 * rewrites between processes). Keys are read once, at open, and wiped at
 * close; nothing here logs a key.
 *
 * The audit key is created only while the audit table is empty: a lost key
 * with records behind it must be an error (those records can no longer be
 * verified), not a fresh key that would silently start a second chain.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/log.h"
#include "core/mem.h"
#include "store/store_auth.h"
#include "store/store_int.h"

#define ANCHOR_MAX 128 /* "SEQ MAC\n": 19 digits, a space, 64 hex digits */

void store_auth_init(struct store *S)
{
    pthread_mutex_init(&S->audit_mu, NULL);
}

void store_auth_free(struct store *S)
{
    secret_wipe(&S->secret, sizeof S->secret);
    secret_wipe(S->audit_key, sizeof S->audit_key);
    S->keys_loaded = false;
    pthread_mutex_destroy(&S->audit_mu);
    xfree(S->keys_dir);
    S->keys_dir = NULL;
}

/* DIR/keys exists, is a directory (a symlink to one elsewhere is fine: the
 * keys may live on another volume) and only its owner may enter it. */
static int keys_dir_ready(const char *dir, struct yw_err *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return yw_fail(err, YW_EIO, "key directory %s: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0)
        return yw_fail(err, YW_EIO, "key directory %s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode))
        return yw_fail(err, YW_EIO, "key directory %s is not a directory", dir);
    if (st.st_mode & 077)
        return yw_fail(err, YW_EIO,
                       "key directory %s is open to group or others (mode %03o); "
                       "run: chmod 700 %s",
                       dir, (unsigned)(st.st_mode & 0777), dir);
    return 0;
}

/* Whether the audit table holds any record (read on the opener's
 * connection, before the pool or writer exist). */
static int audit_empty(struct store *S, bool *empty, struct yw_err *err)
{
    struct conn *c = &S->wconn;
    sqlite3_stmt *st = store_stmt_get(c, STMT_AUD_LAST, err);
    if (!st)
        return -1;
    int rc = sqlite3_step(st);
    store_stmt_done(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_db_fail(c, err, "reading the audit trail");
    *empty = rc == SQLITE_DONE;
    return 0;
}

static int keys_load(struct store *S, struct yw_err *err)
{
    S->keys_dir = xasprintf("%s/keys", S->dir);
    bool empty = false;
    if (keys_dir_ready(S->keys_dir, err) || audit_empty(S, &empty, err))
        return -1;
    char *spath = xasprintf("%s/secret.key", S->keys_dir);
    char *apath = xasprintf("%s/audit.key", S->keys_dir);
    int rc = secret_key_load(spath, &S->secret, err);
    if (rc == 0) {
        rc = secret_keyfile_load(apath, S->audit_key, AUDIT_KEY_BYTES, empty, err);
        if (rc && !empty && access(apath, F_OK) != 0 && errno == ENOENT)
            rc = yw_fail(err, YW_EIO,
                         "audit key %s is missing but the audit trail has records: restore "
                         "the key from its backup (a new key could not verify them)",
                         apath);
    }
    xfree(spath);
    xfree(apath);
    if (rc) {
        secret_wipe(&S->secret, sizeof S->secret);
        return -1;
    }
    /* A damaged anchor does not stop the store (that would let anyone who
     * can write the key directory stop the service); verify reports it. */
    struct store_anchor a;
    struct yw_err e = YW_ERR_INIT;
    if (store_anchor_read(S, &a, &e))
        log_warn("store: %s; `yunwei audit verify` will report it", e.msg);
    S->keys_loaded = true;
    return 0;
}

int store_auth_keys(struct store *S, struct secret_key *secret, uint8_t audit_key[AUDIT_KEY_BYTES],
                    struct yw_err *err)
{
    /* Loaded by the opener before the handle is shared: later calls only
     * copy, so no lock is needed. */
    if (!S->keys_loaded && keys_load(S, err))
        return -1;
    if (secret)
        *secret = S->secret;
    if (audit_key)
        memcpy(audit_key, S->audit_key, AUDIT_KEY_BYTES);
    return 0;
}

/* ---- the anchor ----------------------------------------------------------- */

char *store_anchor_path(const struct store *S)
{
    return xasprintf("%s/audit.anchor", S->keys_dir);
}

static bool is_hex(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    }
    return true;
}

/* "SEQ MAC" with an optional final newline and nothing else. */
static bool anchor_parse(const char *text, struct store_anchor *a)
{
    const char *p = text;
    if (*p < '1' || *p > '9')
        return false;
    int64_t seq = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (seq > (INT64_MAX - (*p - '0')) / 10)
            return false;
        seq = seq * 10 + (*p - '0');
    }
    if (*p++ != ' ')
        return false;
    size_t n = strlen(p);
    if (n && p[n - 1] == '\n')
        n--;
    if (n != AUDIT_MAC_HEX - 1 || !is_hex(p, n))
        return false;
    a->seq = seq;
    memcpy(a->mac, p, n);
    a->mac[n] = '\0';
    return true;
}

int store_anchor_read(const struct store *S, struct store_anchor *a, struct yw_err *err)
{
    memset(a, 0, sizeof *a);
    char *path = store_anchor_path(S);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int rc = 0;
    if (fd < 0) {
        if (errno != ENOENT)
            rc = yw_fail(err, YW_EIO, "audit anchor %s: %s", path, strerror(errno));
        xfree(path);
        return rc;
    }
    char text[ANCHOR_MAX + 1];
    size_t len = 0;
    for (;;) {
        ssize_t got = read(fd, text + len, sizeof text - 1 - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = yw_fail(err, YW_EIO, "audit anchor %s: %s", path, strerror(errno));
            break;
        }
        if (got == 0)
            break;
        len += (size_t)got;
        if (len == sizeof text - 1) {
            /* Longer than any anchor we write. */
            rc = yw_fail(err, YW_EIO, "audit anchor %s is malformed (too long)", path);
            break;
        }
    }
    close(fd);
    if (rc == 0) {
        text[len] = '\0';
        if (anchor_parse(text, a))
            a->found = true;
        else
            rc = yw_fail(err, YW_EIO, "audit anchor %s is malformed (want \"SEQ MAC\")", path);
    }
    xfree(path);
    return rc;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes and renames the anchor; the caller holds the flock. */
static int anchor_replace(const struct store *S, int64_t seq, const char *mac, struct yw_err *err)
{
    char *path = store_anchor_path(S);
    char *tmp = xasprintf("%s.tmp", path);
    char line[ANCHOR_MAX];
    int len = snprintf(line, sizeof line, "%" PRId64 " %s\n", seq, mac);
    int rc = 0;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        rc = yw_fail(err, YW_EIO, "audit anchor %s: %s", tmp, strerror(errno));
    } else {
        if (write_all(fd, line, (size_t)len) != 0 || fsync(fd) != 0)
            rc = yw_fail(err, YW_EIO, "audit anchor %s: %s", tmp, strerror(errno));
        if (close(fd) != 0 && rc == 0)
            rc = yw_fail(err, YW_EIO, "audit anchor %s: %s", tmp, strerror(errno));
        if (rc == 0 && rename(tmp, path) != 0)
            rc = yw_fail(err, YW_EIO, "audit anchor %s: rename: %s", path, strerror(errno));
        if (rc)
            unlink(tmp);
    }
    if (rc == 0) {
        /* The rename is durable once the directory is. */
        int dfd = open(S->keys_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            if (fsync(dfd) != 0)
                rc = yw_fail(err, YW_EIO, "audit anchor %s: fsync of the directory: %s", path,
                             strerror(errno));
            close(dfd);
        }
    }
    xfree(tmp);
    xfree(path);
    return rc;
}

int store_anchor_advance(const struct store *S, int64_t prev_seq, const char *prev_mac,
                         int64_t seq, const char *mac, struct yw_err *err)
{
    char *lpath = xasprintf("%s/audit.lock", S->keys_dir);
    int fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        int rc = yw_fail(err, YW_EIO, "audit anchor lock %s: %s", lpath, strerror(errno));
        xfree(lpath);
        return rc;
    }
    int rc = 0;
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            rc = yw_fail(err, YW_EIO, "audit anchor lock %s: %s", lpath, strerror(errno));
            break;
        }
    }
    if (rc == 0) {
        struct store_anchor cur;
        struct yw_err e = YW_ERR_INIT;
        if (store_anchor_read(S, &cur, &e) != 0)
            log_warn("store: replacing a damaged audit anchor: %s", e.msg);
        /* Appends commit in seq order but may reach this point out of it:
         * an anchor already at or past seq is normally a later append's.
         * It is evidence of tampering when it names prev_seq with another
         * mac, or names seq with a mac other than ours while nothing later
         * was written; verify reports both, so the anchor is left as it is. */
        if (cur.found && cur.seq == prev_seq && strcmp(cur.mac, prev_mac) != 0)
            rc = yw_fail(err, YW_EIO,
                         "the audit anchor names record %lld with another mac: the trail was "
                         "altered; the anchor is kept as evidence",
                         (long long)prev_seq);
        else if (cur.found && cur.seq == seq && strcmp(cur.mac, mac) != 0)
            rc = yw_fail(err, YW_EIO,
                         "the audit anchor names record %lld with another mac: records were "
                         "removed from the end; the anchor is kept as evidence",
                         (long long)seq);
        else if (!cur.found || cur.seq < seq)
            rc = anchor_replace(S, seq, mac, err);
    }
    close(fd); /* releases the flock */
    xfree(lpath);
    return rc;
}
