/*
 * audit — canonical serialisation and the HMAC-SHA256 chain of the trail.
 *
 * One serialiser writes to a sink, either the HMAC state or a buffer, so the
 * bytes that are MACed and the bytes audit_canonical shows cannot drift
 * apart; the HMAC is streamed, so a record with large before/after values
 * needs no copy.
 */
#include "auth/audit.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "auth/secret.h"
#include "core/buf.h"

_Static_assert(AUDIT_MAC_HEX == crypto_auth_hmacsha256_BYTES * 2 + 1, "mac text size");
_Static_assert(AUDIT_KEY_BYTES == crypto_auth_hmacsha256_KEYBYTES, "hmac key size");

struct sink {
    int (*add)(void *ctx, const void *p, size_t n);
    void *ctx;
};

static int hmac_add(void *ctx, const void *p, size_t n)
{
    return crypto_auth_hmacsha256_update(ctx, p, n);
}

static int buf_sink_add(void *ctx, const void *p, size_t n)
{
    return buf_add(ctx, p, n);
}

static int put_str(const struct sink *s, const char *v)
{
    if (!v)
        return s->add(s->ctx, "-1:;", 4);
    char len[32];
    size_t n = strlen(v);
    int l = snprintf(len, sizeof len, "%zu:", n);
    if (s->add(s->ctx, len, (size_t)l) != 0 || s->add(s->ctx, v, n) != 0)
        return -1;
    return s->add(s->ctx, ";", 1);
}

static int put_int(const struct sink *s, int64_t v)
{
    char num[32];
    snprintf(num, sizeof num, "%" PRId64, v);
    return put_str(s, num);
}

static int serialise(const struct sink *s, const struct audit_record *r)
{
    if (put_int(s, r->seq) != 0 || put_int(s, r->time) != 0 || put_str(s, r->user) != 0 ||
        put_str(s, r->source) != 0 || put_str(s, r->action) != 0 || put_str(s, r->object) != 0 ||
        put_str(s, r->before) != 0 || put_str(s, r->after) != 0 || put_str(s, r->result) != 0)
        return -1;
    return 0;
}

int audit_canonical(const struct audit_record *r, struct buf *out)
{
    struct sink s = {buf_sink_add, out};
    return serialise(&s, r);
}

static void mac_hex(const uint8_t key[AUDIT_KEY_BYTES], const char *prev_mac,
                    const struct audit_record *r, char hex[AUDIT_MAC_HEX])
{
    crypto_auth_hmacsha256_state st;
    uint8_t mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, key, AUDIT_KEY_BYTES);
    struct sink s = {hmac_add, &st};
    put_str(&s, prev_mac ? prev_mac : "");
    serialise(&s, r);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, AUDIT_MAC_HEX, mac, sizeof mac);
    sodium_memzero(&st, sizeof st); /* holds key-derived pads */
}

int audit_key_load(const char *path, uint8_t key[AUDIT_KEY_BYTES], struct yw_err *err)
{
    return secret_keyfile_load(path, key, AUDIT_KEY_BYTES, true, err);
}

void audit_seal(const uint8_t key[AUDIT_KEY_BYTES], const char *prev_mac, struct audit_record *r)
{
    secret_init();
    mac_hex(key, prev_mac, r, r->mac);
}

bool audit_check(const uint8_t key[AUDIT_KEY_BYTES], const char *prev_mac, int64_t expect_seq,
                 const struct audit_record *r)
{
    secret_init();
    if (r->seq != expect_seq || strnlen(r->mac, AUDIT_MAC_HEX) != AUDIT_MAC_HEX - 1)
        return false;
    char want[AUDIT_MAC_HEX];
    mac_hex(key, prev_mac, r, want);
    return sodium_memcmp(want, r->mac, AUDIT_MAC_HEX - 1) == 0;
}
