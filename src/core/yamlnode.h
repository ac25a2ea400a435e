/*
 * yamlnode — the one tree both config sources are read into, and the checked
 * reading of it.
 *
 * The config file (YAML, through libyaml's event parser) and API bodies
 * (jansson json_t) both become a tree of struct ynode, so one validator
 * (core/config.c) serves both. A node from YAML remembers its 1-based line and
 * column (in characters, as libyaml counts them) and, as a map member, where
 * its key was; a node from JSON has line 0. Scalars are typed the YAML 1.2 core
 * way: a plain `0` is an integer, a quoted `"0"` a string, plain true/false a
 * boolean, plain null/~/empty null; a YAML 1.1 `yes` stays a string.
 *
 * Problems are collected in a struct ynode_diag, each with the node's position
 * and its field path relative to diag->base ("json[1].equals", "headers"), so
 * a message reads "FILE:LINE:COL: interval: must be at least 1s" for a file
 * and names the field for the API. At most YNODE_DIAG_MAX are kept; the rest
 * are counted.
 *
 * Ownership: a tree belongs to its root; ynode_free frees all of it. Strings
 * in nodes are NUL-terminated; a string scalar may also hold NUL bytes inside
 * (from a YAML "\0" escape or JSON "\u0000"), which is why len is kept.
 */
#ifndef YW_CORE_YAMLNODE_H
#define YW_CORE_YAMLNODE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/timeutil.h"

#define YNODE_DEPTH_MAX 64    /* nesting of maps and lists */
#define YNODE_KEYS_MAX 256    /* members of one map (duplicate keys are found in k^2) */
#define YNODE_DIAG_MAX 100    /* problems kept in one ynode_diag */

enum ynode_kind {
    YN_NULL, YN_BOOL, YN_INT, YN_FLOAT, YN_STR, YN_SEQ, YN_MAP,
    YN_BAD, /* an alias or other node already reported: checks skip it silently */
};

struct ynode {
    enum ynode_kind kind;
    int line, col;              /* 1-based; 0 when the node came from JSON */
    struct ynode *parent;
    char *key;                  /* as a map member: its key */
    int key_line, key_col;      /* ... and where the key was written */
    size_t index;               /* as a list item: its position */
    char *text; size_t len;     /* scalars: the value of a string, the source
                                   text of any other scalar ("" for null) */
    bool quoted;                /* scalar written quoted / block (or a JSON string) */
    long long i;                /* YN_INT */
    double f;                   /* YN_FLOAT */
    bool b;                     /* YN_BOOL */
    struct ynode **kids; size_t nkids, cap; /* YN_SEQ items, YN_MAP members */
};

struct ynode_problem {
    int line, col;              /* 0 for JSON or whole-file problems */
    unsigned seq;               /* order found, to keep sorting stable */
    char field[64];             /* path relative to base ("" for the base itself) */
    char *msg;                  /* "field: reason", or "reason" when field is "" */
};

struct ynode_diag {
    const char *file;           /* NULL for JSON */
    const struct ynode *base;   /* field paths are relative to this node */
    struct ynode_problem *v; size_t n, cap;
    size_t dropped;             /* problems past YNODE_DIAG_MAX, not kept */
};
#define YNODE_DIAG_INIT(file) {(file), NULL, NULL, 0, 0, 0}

void ynode_diag_release(struct ynode_diag *d);
/* Sorts the problems by position, keeping the order found among equals. */
void ynode_diag_sort(struct ynode_diag *d);
size_t ynode_diag_count(const struct ynode_diag *d); /* kept + dropped */

/* Reads one YAML document. The input must be valid UTF-8 (checked here, with
 * the position of the first bad byte). Returns 0 and *root (NULL for an empty
 * stream), or -1 with the problem in d and *root NULL when the text cannot be
 * read on (bad encoding, a syntax error, too deep, a second document).
 * Problems that leave the rest readable are reported in d while 0 is still
 * returned, so the caller can check the rest too: an alias or an unsupported
 * tag (the node becomes YN_BAD, which checks skip silently), a duplicate key or
 * a complex key (the member is left out). */
int ynode_parse_yaml(const char *data, size_t len, struct ynode **root, struct ynode_diag *d);
/* Converts a JSON value. Returns NULL (and a problem in d) only when it nests
 * deeper than YNODE_DEPTH_MAX. */
struct ynode *ynode_from_json(const json_t *j, struct ynode_diag *d);
/* A new JSON value for a node (the expected value of a json check). Returns
 * NULL and reports in d if the node holds something JSON cannot (NaN,
 * infinity, a bad node). */
json_t *ynode_to_json(const struct ynode *n, struct ynode_diag *d);
void ynode_free(struct ynode *n);

/* The member of map named key, or NULL (also when map is not a map). */
const struct ynode *ynode_member(const struct ynode *map, const char *key);
/* "a string", "an integer", "a list"… (JSON words when d->file is NULL). */
const char *ynode_kind_name(enum ynode_kind k, const struct ynode_diag *d);
/* Writes s (len bytes) quoted for a message: control characters escaped, cut
 * at about 60 bytes on a character boundary. */
void ynode_quote(const char *s, size_t len, char *out, size_t n);
/* Whether s[0..len) is well-formed UTF-8 (no overlong forms, no surrogates). */
bool ynode_utf8_valid(const char *s, size_t len);

/* Reporting. ynode_err: about node n (at its position). ynode_err_key: about
 * member n's key (at the key). ynode_err_missing: key is absent from map or
 * null (at the member if present, else at the map). ynode_err_at: a problem
 * with an explicit position and field. */
void ynode_err(struct ynode_diag *d, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ynode_err_key(struct ynode_diag *d, const struct ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ynode_err_missing(struct ynode_diag *d, const struct ynode *map, const char *key,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ynode_err_at(struct ynode_diag *d, int line, int col, const char *field, const char *fmt,
                  ...) __attribute__((format(printf, 5, 6)));

/* Checked reads of map[key]. Each returns 1 and sets *out when the member is
 * present and right; 0 when it is absent or null (*out untouched); -1 after
 * reporting why it is wrong (*out untouched). */

enum {
    YS_MULTILINE = 1,  /* newlines and tabs allowed (bodies, keywords) */
    YS_NONEMPTY = 2,   /* "" is an error */
};
/* A string of at most max bytes, no NUL, no control characters but (with
 * YS_MULTILINE) newline, carriage return and tab. *out is a new string. */
int ynode_str(struct ynode_diag *d, const struct ynode *map, const char *key, size_t max,
              unsigned flags, char **out);
int ynode_bool(struct ynode_diag *d, const struct ynode *map, const char *key, bool *out);
/* An integer in [lo, hi]. */
int ynode_int(struct ynode_diag *d, const struct ynode *map, const char *key, int lo, int hi,
              int *out);
/* A duration string ("30s") in [lo, hi]. */
int ynode_dur(struct ynode_diag *d, const struct ynode *map, const char *key, ms_t lo, ms_t hi,
              ms_t *out);
/* A list of at most max items; *out is the list node. */
int ynode_seq(struct ynode_diag *d, const struct ynode *map, const char *key, size_t max,
              const struct ynode **out);
/* A map of at most max members; *out is the map node. */
int ynode_map(struct ynode_diag *d, const struct ynode *map, const char *key, size_t max,
              const struct ynode **out);
/* A string item of a list (same rules as ynode_str); 1 or -1. */
int ynode_item_str(struct ynode_diag *d, const struct ynode *item, size_t max, unsigned flags,
                   char **out);

#endif
