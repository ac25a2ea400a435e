/*
 * audit — the tamper-evident trail (安全审计). Records are appended, never
 * changed: the store refuses UPDATE and DELETE on them (triggers), and each
 * record carries HMAC-SHA256(key, prev_mac || canonical(record)), the key
 * held apart from the database (DIR/keys/audit.key, 0600). A record changed,
 * removed or inserted breaks the chain at that point; removing the newest
 * records is caught by the anchor file (DIR/keys/audit.anchor: last seq and
 * mac), rewritten after every append.
 *
 * canonical(record) is every field length-prefixed (decimal length, ':',
 * bytes, ';'), in the order of the struct, seq and time as decimal, so no two
 * different records serialise alike. A NULL string is "-1:;", distinct from
 * "" ("0:;"). prev_mac is length-prefixed the same way, so the MAC input is
 * field(prev_mac) || canonical(record); e.g. the first record
 *   {seq 1, time 1700000000000, user "li", source "127.0.0.1", action
 *    "session.login", object NULL, before NULL, after NULL, result "ok"}
 * is MACed over
 *   0:;1:1;13:1700000000000;2:li;9:127.0.0.1;13:session.login;-1:;-1:;-1:;2:ok;
 * The mac itself is 64 lower-case hex digits.
 */
#ifndef YW_AUTH_AUDIT_H
#define YW_AUTH_AUDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"

#define AUDIT_MAC_HEX 65
#define AUDIT_KEY_BYTES 32

struct audit_record {
    int64_t seq;        /* 1, 2, 3 … without gaps */
    ms_t time;
    const char *user;   /* NULL: anonymous */
    const char *source; /* client address */
    const char *action; /* "session.login", "monitor.update", "access.denied" … */
    const char *object; /* "monitor:7", "user:li.lei" … may be NULL */
    const char *before; /* JSON, secrets masked; may be NULL */
    const char *after;  /* JSON, secrets masked; may be NULL */
    const char *result; /* "ok", "denied", "failed: …" */
    char mac[AUDIT_MAC_HEX];
};

struct buf;

/* Loads the key, creating it if absent (secret_keyfile_load: 0600, directory
 * 0700, refused when group or others may read it). A verifier that must not
 * invent a key calls secret_keyfile_load(path, key, AUDIT_KEY_BYTES, false,
 * err) instead. On failure key is zeroed. */
int audit_key_load(const char *path, uint8_t key[AUDIT_KEY_BYTES], struct yw_err *err);
/* Computes r->mac from prev_mac ("" or NULL for the first record). */
void audit_seal(const uint8_t key[AUDIT_KEY_BYTES], const char *prev_mac, struct audit_record *r);
/* Checks one record against its predecessor's mac and the expected seq
 * (constant-time comparison of the mac). */
bool audit_check(const uint8_t key[AUDIT_KEY_BYTES], const char *prev_mac, int64_t expect_seq,
                 const struct audit_record *r);
/* Appends canonical(r) to out (for tests and for explaining a broken chain);
 * -1 when out's limit is hit (out is then empty, core/buf.h). */
int audit_canonical(const struct audit_record *r, struct buf *out);

#endif
