/*
 * The audit chain: the canonical form written out by hand, the MAC checked
 * against two other implementations (Python's hmac, a value fixed here, and
 * OpenSSL's HMAC at run time), every single-field change detected, NULL
 * distinct from "", and a chain with a record changed, removed, inserted or
 * reordered.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/audit.h"
#include "auth/secret.h"
#include "core/buf.h"
#include "core/mem.h"
#include "t.h"

static uint8_t key[AUDIT_KEY_BYTES];

static struct audit_record sample(void)
{
    struct audit_record r = {
        .seq = 1, .time = 1700000000000LL, .user = "li", .source = "127.0.0.1",
        .action = "session.login", .object = NULL, .before = NULL, .after = NULL,
        .result = "ok", .mac = "",
    };
    return r;
}

static char *canon(const struct audit_record *r)
{
    struct buf b = BUF_INIT(1 << 20);
    if (audit_canonical(r, &b) != 0)
        abort();
    return buf_take(&b);
}

/* HMAC-SHA256 by OpenSSL over field(prev) || canonical, as hex. */
static void openssl_mac(const char *prev, const struct audit_record *r, char hex[65])
{
    char *c = canon(r);
    char *msg = xasprintf("%zu:%s;%s", strlen(prev), prev, c);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned mdlen = 0;
    HMAC(EVP_sha256(), key, (int)sizeof key, (const unsigned char *)msg, strlen(msg), md, &mdlen);
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    xfree(msg);
    xfree(c);
}

TEST(canonical_by_hand)
{
    struct audit_record r = sample();
    char *c = canon(&r);
    CHECK_STR(c, "1:1;13:1700000000000;2:li;9:127.0.0.1;13:session.login;-1:;-1:;-1:;2:ok;");
    xfree(c);

    struct audit_record u = {
        .seq = 42, .time = -5, .user = NULL, .source = "::1", .action = "monitor.update",
        .object = "monitor:7", .before = "{\"name\":\"a;b\"}", .after = "", .result = "拒绝",
    };
    c = canon(&u);
    CHECK_STR(c, "2:42;2:-5;-1:;3:::1;14:monitor.update;9:monitor:7;14:{\"name\":\"a;b\"};0:;"
                 "6:拒绝;");
    xfree(c);

    /* a limit too small: -1 and nothing kept */
    struct buf small = BUF_INIT(10);
    CHECK_INT(audit_canonical(&r, &small), -1);
    CHECK_INT(small.len, 0);
    buf_release(&small);
}

TEST(mac_known_answer)
{
    struct audit_record r = sample();
    audit_seal(key, "", &r);
    /* Python: hmac.new(bytes(range(32)), b"0:;1:1;13:1700000000000;…;2:ok;", sha256) */
    CHECK_STR(r.mac, "134ee1239f4bf8be4f2f3def7475ff0558a165b3afa4508eb3b648c4471de6e1");
    char o[65] = "";
    openssl_mac("", &r, o);
    CHECK_STR(r.mac, o);
    CHECK(audit_check(key, "", 1, &r));
    CHECK(audit_check(key, NULL, 1, &r)); /* NULL and "" both mean "first record" */
    struct audit_record n = sample();
    audit_seal(key, NULL, &n);
    CHECK_STR(n.mac, r.mac);

    /* a second record chained on the first */
    struct audit_record s = sample();
    s.seq = 2;
    s.action = "session.logout";
    audit_seal(key, r.mac, &s);
    openssl_mac(r.mac, &s, o);
    CHECK_STR(s.mac, o);
    CHECK(audit_check(key, r.mac, 2, &s));
}

/* Each single change of a field: field index, replacement. */
enum { F_USER, F_SOURCE, F_ACTION, F_OBJECT, F_BEFORE, F_AFTER, F_RESULT, F__N };

static const char **field(struct audit_record *r, int f)
{
    switch (f) {
    case F_USER: return &r->user;
    case F_SOURCE: return &r->source;
    case F_ACTION: return &r->action;
    case F_OBJECT: return &r->object;
    case F_BEFORE: return &r->before;
    case F_AFTER: return &r->after;
    default: return &r->result;
    }
}

TEST(any_change_detected)
{
    struct audit_record base = sample();
    base.seq = 7;
    base.object = "user:li.lei";
    base.before = "{\"roles\":\"viewer\"}";
    base.after = "{\"roles\":\"engineer\"}";
    const char *prev = "0f0e0d0c0b0a09080706050403020100ffeeddccbbaa99887766554433221100";
    audit_seal(key, prev, &base);
    CHECK(audit_check(key, prev, 7, &base));

    const char *repl[] = {NULL, "", "x", "li ", "LI"};
    for (int f = 0; f < F__N; f++) {
        for (size_t k = 0; k < sizeof repl / sizeof repl[0]; k++) {
            struct audit_record r = base;
            const char **p = field(&r, f);
            const char *was = *p;
            if ((was == NULL && repl[k] == NULL) || (was && repl[k] && strcmp(was, repl[k]) == 0))
                continue;
            *p = repl[k];
            if (audit_check(key, prev, 7, &r))
                printf("#   field %d changed to %s still checks\n", f, repl[k] ? repl[k] : "NULL");
            CHECK(!audit_check(key, prev, 7, &r));
        }
    }
    struct audit_record r = base;
    r.time += 1;
    CHECK(!audit_check(key, prev, 7, &r));
    r = base;
    r.seq = 8; /* the record claims another place, and is checked there */
    CHECK(!audit_check(key, prev, 8, &r));
    CHECK(!audit_check(key, prev, 7, &r));
    r = base;
    CHECK(!audit_check(key, prev, 6, &r));   /* wrong expected seq */
    CHECK(!audit_check(key, "", 7, &r));     /* wrong predecessor */
    CHECK(!audit_check(key, NULL, 7, &r));
    char prev2[65];
    memcpy(prev2, prev, 65);
    prev2[63] = '1';
    CHECK(!audit_check(key, prev2, 7, &r));
    uint8_t other[AUDIT_KEY_BYTES];
    memcpy(other, key, sizeof other);
    other[31] ^= 1;
    CHECK(!audit_check(other, prev, 7, &r)); /* wrong key */

    /* the mac itself: one digit changed, upper case, cut short */
    r.mac[10] = r.mac[10] == 'a' ? 'b' : 'a';
    CHECK(!audit_check(key, prev, 7, &r));
    r = base;
    for (char *c = r.mac; *c; c++)
        if (*c >= 'a' && *c <= 'f')
            *c = (char)(*c - 'a' + 'A');
    CHECK(strcmp(r.mac, base.mac) != 0);
    CHECK(!audit_check(key, prev, 7, &r));
    r = base;
    r.mac[63] = '\0';
    CHECK(!audit_check(key, prev, 7, &r));
    r = base;
    memset(r.mac, 'a', sizeof r.mac); /* not terminated: read no further */
    CHECK(!audit_check(key, prev, 7, &r));
}

TEST(null_and_empty_differ)
{
    struct audit_record a = sample(), b = sample();
    a.object = NULL;
    b.object = "";
    audit_seal(key, "", &a);
    audit_seal(key, "", &b);
    CHECK(strcmp(a.mac, b.mac) != 0);
    char *ca = canon(&a), *cb = canon(&b);
    CHECK(strcmp(ca, cb) != 0);
    xfree(ca);
    xfree(cb);
    /* bytes moved across a field boundary change the record */
    a = sample();
    b = sample();
    a.user = "ab";
    a.source = "c";
    b.user = "a";
    b.source = "bc";
    audit_seal(key, "", &a);
    audit_seal(key, "", &b);
    CHECK(strcmp(a.mac, b.mac) != 0);
    /* a field that looks like the encoding does not fool it either */
    a = sample();
    b = sample();
    a.user = "x;1:y";
    a.source = "z";
    b.user = "x";
    b.source = "y;1:z";
    audit_seal(key, "", &a);
    audit_seal(key, "", &b);
    CHECK(strcmp(a.mac, b.mac) != 0);
}

enum { CHAIN = 6 };

/* The first position (1-based) where the chain breaks, 0 when intact. */
static int walk(struct audit_record *recs, int n)
{
    const char *prev = "";
    for (int i = 0; i < n; i++) {
        if (!audit_check(key, prev, i + 1, &recs[i]))
            return i + 1;
        prev = recs[i].mac;
    }
    return 0;
}

static void build(struct audit_record *recs)
{
    static const char *actions[CHAIN] = {"session.login", "monitor.update", "monitor.pause",
                                         "user.create", "access.denied", "session.logout"};
    const char *prev = "";
    for (int i = 0; i < CHAIN; i++) {
        recs[i] = sample();
        recs[i].seq = i + 1;
        recs[i].time = 1700000000000LL + i * 1000;
        recs[i].action = actions[i];
        audit_seal(key, prev, &recs[i]);
        prev = recs[i].mac;
    }
}

TEST(chain_tampering)
{
    struct audit_record c[CHAIN + 1], t[CHAIN + 1];
    build(c);
    CHECK_INT(walk(c, CHAIN), 0);

    /* changed in place */
    memcpy(t, c, sizeof c);
    t[2].result = "failed";
    CHECK_INT(walk(t, CHAIN), 3);
    /* changed and re-sealed without the key: still the same record's mac is wrong */
    memcpy(t, c, sizeof c);
    t[2].result = "failed";
    uint8_t wrong[AUDIT_KEY_BYTES] = {0};
    audit_seal(wrong, c[1].mac, &t[2]);
    CHECK_INT(walk(t, CHAIN), 3);
    /* changed and re-sealed with the key: the next record no longer fits */
    memcpy(t, c, sizeof c);
    t[2].result = "failed";
    audit_seal(key, c[1].mac, &t[2]);
    CHECK_INT(walk(t, CHAIN), 4);

    /* removed: record 4 moves to place 3 */
    memcpy(t, c, sizeof c);
    memmove(&t[2], &t[3], (CHAIN - 3) * sizeof t[0]);
    CHECK_INT(walk(t, CHAIN - 1), 3);
    /* removed and the rest renumbered: macs no longer match */
    for (int i = 2; i < CHAIN - 1; i++)
        t[i].seq = i + 1;
    CHECK_INT(walk(t, CHAIN - 1), 3);

    /* inserted: a forged record at place 3, sealed with a guessed key */
    memcpy(t, c, 2 * sizeof t[0]);
    t[2] = sample();
    t[2].seq = 3;
    t[2].action = "audit.export";
    audit_seal(wrong, c[1].mac, &t[2]);
    memcpy(&t[3], &c[2], (CHAIN - 2) * sizeof t[0]);
    CHECK_INT(walk(t, CHAIN + 1), 3);

    /* two records swapped */
    memcpy(t, c, sizeof c);
    struct audit_record tmp = t[3];
    t[3] = t[4];
    t[4] = tmp;
    CHECK_INT(walk(t, CHAIN), 4);

    /* the newest removed: the chain itself cannot see it (the anchor does) */
    CHECK_INT(walk(c, CHAIN - 1), 0);
}

TEST(large_fields)
{
    size_t n = 300 * 1024;
    char *big = xmalloc(n + 1);
    memset(big, '{', n);
    big[n] = '\0';
    struct audit_record r = sample();
    r.before = big;
    r.after = big;
    audit_seal(key, "", &r);
    char o[65] = "";
    openssl_mac("", &r, o);
    CHECK_STR(r.mac, o);
    CHECK(audit_check(key, "", 1, &r));
    big[n / 2] = '}';
    CHECK(!audit_check(key, "", 1, &r));
    xfree(big);
}

TEST(key_file)
{
    char dir[] = "/tmp/yw-test-audit-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char *path = xasprintf("%s/keys/audit.key", dir);
    struct yw_err err = YW_ERR_INIT;
    uint8_t a[AUDIT_KEY_BYTES], b[AUDIT_KEY_BYTES];
    CHECK_INT(audit_key_load(path, a, &err), 0);
    CHECK_INT(audit_key_load(path, b, &err), 0);
    CHECK(memcmp(a, b, sizeof a) == 0);
    struct stat st;
    CHECK_INT(stat(path, &st), 0);
    CHECK_INT(st.st_mode & 07777, 0600);
    CHECK_INT(chmod(path, 0640), 0);
    CHECK_INT(audit_key_load(path, b, &err), -1);
    CHECK(strstr(err.msg, "group or others") != NULL);
    unlink(path);
    /* a verifier that must not invent a key */
    CHECK_INT(secret_keyfile_load(path, b, sizeof b, false, &err), -1);
    CHECK_INT(err.code, YW_ENOTFOUND);
    CHECK(access(path, F_OK) != 0);
    char *keys = xasprintf("%s/keys", dir);
    rmdir(keys);
    rmdir(dir);
    xfree(keys);
    xfree(path);
    secret_wipe(a, sizeof a);
}

int main(void)
{
    for (int i = 0; i < AUDIT_KEY_BYTES; i++)
        key[i] = (uint8_t)i;
    RUN(canonical_by_hand);
    RUN(mac_known_answer);
    RUN(any_change_detected);
    RUN(null_and_empty_differ);
    RUN(chain_tampering);
    RUN(large_fields);
    RUN(key_file);
    return t_done();
}
