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
 * different records serialise alike.
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

int audit_key_load(const char *path, uint8_t key[AUDIT_KEY_BYTES], struct yw_err *err);
/* Computes r->mac from prev_mac ("" for the first record). */
void audit_seal(const uint8_t key[AUDIT_KEY_BYTES], const char *prev_mac, struct audit_record *r);
/* Checks one record against its predecessor's mac and the expected seq. */
bool audit_check(const uint8_t key[AUDIT_KEY_BYTES], const char *prev_mac, int64_t expect_seq,
                 const struct audit_record *r);

#endif
