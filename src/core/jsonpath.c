/*
 * jsonpath — parse a path into segments once, then walk jansson values.
 *
 * Grammar (whitespace is part of keys, never skipped):
 *   path    := [ "$" ] first rest*          ("$" alone is the root)
 *   first   := key | "[" sel "]"            (a "." after "$" is required before a key)
 *   rest    := "." key | "[" sel "]"
 *   key     := one or more bytes other than . [ ] ' " \ and NUL
 *   sel     := index | quoted
 *   index   := "0" | [1-9][0-9]*            (at most 9 digits)
 *   quoted  := "'" chars "'" | '"' chars '"' (backslash escapes the next byte)
 *
 * Why messages name the path as the user wrote it, so a reader of a failed
 * check finds the line of the config it came from.
 */
#include "core/jsonpath.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"

#define JP_MAX_SEGS 64
#define JP_MAX_LEN 256
#define JP_MAX_INDEX_DIGITS 9
/* Deep comparison stops (as "not equal") below this depth; jansson's own
 * parser already refuses documents nested deeper than 2048. */
#define JP_MAX_DEPTH 2048
/* A value quoted in a why message is cut to this many bytes. */
#define JP_SHOW_MAX 64

struct seg {
    bool is_index;
    size_t index;
    const char *key; /* into parsed.keys, NUL-terminated */
};

struct parsed {
    struct seg seg[JP_MAX_SEGS];
    size_t nseg;
    /* Decoded keys, each NUL-terminated; never longer than the path plus one
     * NUL per segment. */
    char keys[JP_MAX_LEN + JP_MAX_SEGS + 1];
    size_t keylen;
};

static int fail(char *why, size_t n, const char *msg, size_t pos)
{
    if (why && n)
        snprintf(why, n, "%s at byte %zu", msg, pos);
    return -1;
}

static bool key_byte(char c)
{
    return c != '\0' && c != '.' && c != '[' && c != ']' && c != '\'' && c != '"' && c != '\\';
}

static int add_seg(struct parsed *P, char *why, size_t n, size_t pos)
{
    if (P->nseg >= JP_MAX_SEGS)
        return fail(why, n, "too many segments (at most 64)", pos);
    P->nseg++;
    return 0;
}

/* Fills P from path. 0, or -1 with a reason in why (P then unspecified). */
static int parse(const char *path, struct parsed *P, char *why, size_t n)
{
    memset(P, 0, sizeof *P);
    if (!path)
        return fail(why, n, "no path", 0);
    size_t len = strlen(path);
    if (len == 0) {
        if (why && n)
            snprintf(why, n, "empty path");
        return -1;
    }
    if (len > JP_MAX_LEN) {
        if (why && n)
            snprintf(why, n, "path longer than %d bytes", JP_MAX_LEN);
        return -1;
    }
    size_t i = 0;
    bool need_sep = false; /* after a segment, only "." or "[" may follow */
    if (path[0] == '$') {
        i = 1;
        need_sep = true;
    }
    while (i < len) {
        char c = path[i];
        if (need_sep && c != '.' && c != '[')
            return fail(why, n, "expected '.' or '['", i);
        if (c == '.') {
            if (!need_sep)
                return fail(why, n, "unexpected '.'", i);
            i++;
            if (!key_byte(path[i]))
                return fail(why, n, "expected a key after '.'", i);
        }
        if (path[i] == '[') {
            size_t open = i++;
            if (add_seg(P, why, n, open) < 0)
                return -1;
            struct seg *s = &P->seg[P->nseg - 1];
            if (path[i] >= '0' && path[i] <= '9') {
                size_t start = i, v = 0;
                while (path[i] >= '0' && path[i] <= '9') {
                    if (i - start >= JP_MAX_INDEX_DIGITS)
                        return fail(why, n, "index too large", start);
                    v = v * 10 + (size_t)(path[i] - '0');
                    i++;
                }
                if (path[start] == '0' && i - start > 1)
                    return fail(why, n, "index with a leading zero", start);
                s->is_index = true;
                s->index = v;
            } else if (path[i] == '\'' || path[i] == '"') {
                char q = path[i++];
                s->key = P->keys + P->keylen;
                for (;;) {
                    if (path[i] == '\0')
                        return fail(why, n, "unterminated quoted key", open);
                    if (path[i] == q)
                        break;
                    if (path[i] == '\\') {
                        i++;
                        if (path[i] == '\0')
                            return fail(why, n, "unterminated quoted key", open);
                    }
                    P->keys[P->keylen++] = path[i++];
                }
                P->keys[P->keylen++] = '\0';
                i++; /* closing quote */
            } else if (path[i] == '-') {
                return fail(why, n, "negative index", i);
            } else {
                return fail(why, n, "expected an index or a quoted key after '['", i);
            }
            if (path[i] != ']')
                return fail(why, n, "expected ']'", i);
            i++;
        } else if (key_byte(path[i])) {
            if (add_seg(P, why, n, i) < 0)
                return -1;
            struct seg *s = &P->seg[P->nseg - 1];
            s->key = P->keys + P->keylen;
            while (key_byte(path[i]))
                P->keys[P->keylen++] = path[i++];
            P->keys[P->keylen++] = '\0';
        } else {
            return fail(why, n, path[i] == ']' ? "unexpected ']'" : "unexpected character", i);
        }
        need_sep = true;
    }
    return 0;
}

int jsonpath_validate(const char *path, char *why, size_t n)
{
    struct parsed P;
    return parse(path, &P, why, n);
}

static json_t *walk(json_t *root, const struct parsed *P)
{
    json_t *v = root;
    for (size_t i = 0; v && i < P->nseg; i++) {
        const struct seg *s = &P->seg[i];
        if (s->is_index)
            v = json_is_array(v) ? json_array_get(v, s->index) : NULL;
        else
            v = json_is_object(v) ? json_object_get(v, s->key) : NULL;
    }
    return v;
}

json_t *jsonpath_get(json_t *root, const char *path)
{
    struct parsed P;
    if (!root || parse(path, &P, NULL, 0) < 0)
        return NULL;
    return walk(root, &P);
}

/* Integer vs real compared exactly: converting a large integer to double
 * would round (2^53 + 1 would equal 2^53). */
static bool int_eq_real(json_int_t a, double b)
{
    /* [-2^63, 2^63) is exactly representable at its ends as doubles. */
    if (!(b >= -9223372036854775808.0 && b < 9223372036854775808.0))
        return false;
    json_int_t bi = (json_int_t)b;
    return (double)bi == b && bi == a;
}

static bool num_eq(const json_t *a, const json_t *b)
{
    if (json_is_integer(a) && json_is_integer(b))
        return json_integer_value(a) == json_integer_value(b);
    if (json_is_real(a) && json_is_real(b))
        return json_real_value(a) == json_real_value(b);
    if (json_is_integer(a))
        return int_eq_real(json_integer_value(a), json_real_value(b));
    return int_eq_real(json_integer_value(b), json_real_value(a));
}

/* jansson equality, except that numbers compare by value at every depth. */
static bool deep_eq(const json_t *a, const json_t *b, int depth)
{
    if (depth > JP_MAX_DEPTH)
        return false;
    if (json_is_number(a) && json_is_number(b))
        return num_eq(a, b);
    if (json_typeof(a) != json_typeof(b))
        return false;
    if (json_is_array(a)) {
        size_t n = json_array_size(a);
        if (n != json_array_size(b))
            return false;
        for (size_t i = 0; i < n; i++)
            if (!deep_eq(json_array_get(a, i), json_array_get(b, i), depth + 1))
                return false;
        return true;
    }
    if (json_is_object(a)) {
        if (json_object_size(a) != json_object_size(b))
            return false;
        const char *k;
        json_t *va;
        /* json_object_foreach wants non-const; the loop only reads. */
        json_t *ma = (json_t *)(uintptr_t)a;
        json_object_foreach(ma, k, va) {
            json_t *vb = json_object_get(b, k);
            if (!vb || !deep_eq(va, vb, depth + 1))
                return false;
        }
        return true;
    }
    return json_equal(a, b) != 0;
}

/* Copies src into dst (size n) without cutting a UTF-8 sequence in half. */
static void copy_utf8(char *dst, size_t n, const char *src)
{
    if (!n)
        return;
    size_t len = strlen(src);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Compact JSON of v for a message, cut at JP_SHOW_MAX bytes with "…". */
static void show(const json_t *v, char *out, size_t n)
{
    char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (!s) {
        copy_utf8(out, n, "?");
        return;
    }
    if (strlen(s) > JP_SHOW_MAX) {
        char cut[JP_SHOW_MAX + 1];
        copy_utf8(cut, sizeof cut, s);
        char both[JP_SHOW_MAX + 8];
        snprintf(both, sizeof both, "%s…", cut);
        copy_utf8(out, n, both);
    } else {
        copy_utf8(out, n, s);
    }
    /* json_dumps allocates with jansson's allocator, which a program may replace. */
    json_malloc_t jm;
    json_free_t jf;
    json_get_alloc_funcs(&jm, &jf);
    jf(s);
}

/* Writes "PATH: what" to why. */
static void tell(char *why, size_t n, const char *path, const char *what)
{
    if (!why || !n)
        return;
    char msg[JP_MAX_LEN + 4 * JP_SHOW_MAX + 128];
    snprintf(msg, sizeof msg, "%s: %s", path, what);
    copy_utf8(why, n, msg);
}

int jsonpath_check(json_t *root, const struct json_check *c, char *why, size_t n)
{
    if (why && n)
        why[0] = '\0';
    if (!c || !c->path) {
        if (why && n)
            copy_utf8(why, n, "json check without a path");
        return 0;
    }
    /* The path is shown at most JP_MAX_LEN bytes; a longer one is invalid anyway. */
    char shown[JP_MAX_LEN + 1];
    copy_utf8(shown, sizeof shown, c->path);
    struct parsed P;
    char reason[128];
    if (parse(c->path, &P, reason, sizeof reason) < 0) {
        char what[sizeof reason + 16];
        snprintf(what, sizeof what, "invalid path (%s)", reason);
        tell(why, n, shown, what);
        return 0;
    }
    json_t *v = root ? walk(root, &P) : NULL;
    if (c->op == JC_EXISTS) {
        if (c->exists && !v) {
            tell(why, n, shown, "missing");
            return 0;
        }
        if (!c->exists && v) {
            tell(why, n, shown, "expected to be absent");
            return 0;
        }
        return 1;
    }
    if (c->op != JC_EQUALS || !c->value) {
        tell(why, n, shown, "check has no expected value");
        return 0;
    }
    char want[JP_SHOW_MAX + 8];
    show(c->value, want, sizeof want);
    if (!v) {
        char what[sizeof want + 32];
        snprintf(what, sizeof what, "missing (expected %s)", want);
        tell(why, n, shown, what);
        return 0;
    }
    if (!deep_eq(v, c->value, 0)) {
        char got[JP_SHOW_MAX + 8];
        show(v, got, sizeof got);
        char what[sizeof want + sizeof got + 32];
        snprintf(what, sizeof what, "expected %s, got %s", want, got);
        tell(why, n, shown, what);
        return 0;
    }
    return 1;
}
