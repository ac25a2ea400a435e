#include "core/yamlnode.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "core/mem.h"

/* ---------------------------------------------------------------- nodes */

static struct ynode *node_new(enum ynode_kind kind, int line, int col)
{
    struct ynode *n = xcalloc(1, sizeof *n);
    n->kind = kind;
    n->line = line;
    n->col = col;
    return n;
}

static void node_set_text(struct ynode *n, const char *s, size_t len)
{
    xfree(n->text);
    n->text = xstrndup(s, len);
    n->len = len;
}

static void node_push(struct ynode *parent, struct ynode *kid)
{
    XGROW(parent->kids, parent->cap, parent->nkids + 1);
    kid->parent = parent;
    parent->kids[parent->nkids++] = kid;
}

void ynode_free(struct ynode *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->nkids; i++)
        ynode_free(n->kids[i]);
    xfree(n->kids);
    xfree(n->key);
    xfree(n->text);
    xfree(n);
}

const struct ynode *ynode_member(const struct ynode *map, const char *key)
{
    if (!map || map->kind != YN_MAP)
        return NULL;
    for (size_t i = 0; i < map->nkids; i++)
        if (strcmp(map->kids[i]->key, key) == 0)
            return map->kids[i];
    return NULL;
}

const char *ynode_kind_name(enum ynode_kind k, const struct ynode_diag *d)
{
    bool json = d && !d->file;
    switch (k) {
    case YN_NULL: return "null";
    case YN_BOOL: return "a boolean";
    case YN_INT: return json ? "a number" : "an integer";
    case YN_FLOAT: return "a number";
    case YN_STR: return "a string";
    case YN_SEQ: return json ? "an array" : "a list";
    case YN_MAP: return json ? "an object" : "a mapping";
    case YN_BAD: return "an invalid value";
    }
    return "?";
}

/* ---------------------------------------------------------------- text */

bool ynode_utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end) {
        unsigned c = *p;
        size_t need;
        unsigned min, cp;
        if (c < 0x80) {
            p++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            need = 1, min = 0x80, cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            need = 2, min = 0x800, cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            need = 3, min = 0x10000, cp = c & 0x07;
        } else {
            return false;
        }
        if ((size_t)(end - p) <= need)
            return false;
        for (size_t i = 1; i <= need; i++) {
            if ((p[i] & 0xc0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        p += need + 1;
    }
    return true;
}

/* Length of the longest prefix of s[0..len) that is well-formed UTF-8. */
static size_t utf8_valid_prefix(const char *s, size_t len)
{
    size_t lo = 0;
    while (lo < len) {
        unsigned c = (unsigned char)s[lo];
        size_t w = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : 4;
        if (w > len - lo || !ynode_utf8_valid(s + lo, w))
            return lo;
        lo += w;
    }
    return len;
}

void ynode_quote(const char *s, size_t len, char *out, size_t n)
{
    enum { CUT = 60 };
    size_t o = 0;
    if (n < 8) {
        if (n)
            out[0] = '\0';
        return;
    }
    out[o++] = '"';
    size_t i = 0;
    while (i < len && o + 8 < n) {
        unsigned char c = (unsigned char)s[i];
        if (i >= CUT && (c & 0xc0) != 0x80) /* cut only at a character start */
            break;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\t') {
            out[o++] = '\\';
            out[o++] = 't';
        } else if (c < 0x20 || c == 0x7f) {
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
        i++;
    }
    if (i < len) {
        /* the "…" of a cut, in UTF-8 */
        memcpy(out + o, "\xe2\x80\xa6", 3);
        o += 3;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* A short description of a node's value for "got …" in messages. */
static void describe(const struct ynode *n, const struct ynode_diag *d, char *out, size_t sz)
{
    char q[128];
    switch (n->kind) {
    case YN_NULL:
        snprintf(out, sz, "null");
        break;
    case YN_BOOL:
        snprintf(out, sz, "%s", n->b ? "true" : "false");
        break;
    case YN_INT:
    case YN_FLOAT:
        ynode_quote(n->text, n->len, q, sizeof q);
        snprintf(out, sz, "%s %.*s", d->file && n->kind == YN_INT ? "integer" : "number",
                 (int)(strlen(q) - 2), q + 1);
        break;
    case YN_STR:
        ynode_quote(n->text, n->len, q, sizeof q);
        snprintf(out, sz, "string %s", q);
        break;
    default:
        snprintf(out, sz, "%s", ynode_kind_name(n->kind, d));
        break;
    }
}

/* ---------------------------------------------------------------- problems */

static void path_of(const struct ynode *n, const struct ynode *base, char *out, size_t sz)
{
    const struct ynode *chain[YNODE_DEPTH_MAX + 8];
    size_t k = 0;
    for (const struct ynode *p = n; p && p != base && p->parent; p = p->parent) {
        if (k == sizeof chain / sizeof chain[0])
            break;
        chain[k++] = p;
    }
    size_t o = 0;
    out[0] = '\0';
    while (k-- > 0 && o + 1 < sz) {
        const struct ynode *p = chain[k];
        int w;
        if (p->parent->kind == YN_MAP)
            w = snprintf(out + o, sz - o, "%s%s", o ? "." : "", p->key ? p->key : "");
        else
            w = snprintf(out + o, sz - o, "[%zu]", p->index);
        if (w < 0)
            break;
        o += (size_t)w;
        if (o >= sz) {
            o = sz - 1;
            break;
        }
    }
}

static void add_problem(struct ynode_diag *d, int line, int col, const char *field,
                        const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
static void add_problem(struct ynode_diag *d, int line, int col, const char *field,
                        const char *fmt, va_list ap)
{
    if (!d)
        return;
    if (d->n >= YNODE_DIAG_MAX) {
        d->dropped++;
        return;
    }
    char reason[1024];
    vsnprintf(reason, sizeof reason, fmt, ap);
    XGROW(d->v, d->cap, d->n + 1);
    struct ynode_problem *p = &d->v[d->n];
    p->line = line;
    p->col = col;
    p->seq = (unsigned)d->n;
    snprintf(p->field, sizeof p->field, "%s", field ? field : "");
    p->msg = field && *field ? xasprintf("%s: %s", field, reason) : xstrdup(reason);
    d->n++;
}

void ynode_err_at(struct ynode_diag *d, int line, int col, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_problem(d, line, col, field, fmt, ap);
    va_end(ap);
}

void ynode_err(struct ynode_diag *d, const struct ynode *n, const char *fmt, ...)
{
    if (!d || d->n >= YNODE_DIAG_MAX) {
        if (d)
            d->dropped++;
        return;
    }
    char path[256];
    path_of(n, d->base, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    add_problem(d, n->line, n->col, path, fmt, ap);
    va_end(ap);
}

void ynode_err_key(struct ynode_diag *d, const struct ynode *n, const char *fmt, ...)
{
    if (!d || d->n >= YNODE_DIAG_MAX) {
        if (d)
            d->dropped++;
        return;
    }
    char path[256];
    path_of(n, d->base, path, sizeof path);
    va_list ap;
    va_start(ap, fmt);
    add_problem(d, n->key_line, n->key_col, path, fmt, ap);
    va_end(ap);
}

void ynode_err_missing(struct ynode_diag *d, const struct ynode *map, const char *key,
                       const char *fmt, ...)
{
    if (!d || d->n >= YNODE_DIAG_MAX) {
        if (d)
            d->dropped++;
        return;
    }
    const struct ynode *m = ynode_member(map, key);
    char path[256], full[300];
    path_of(map, d->base, path, sizeof path);
    snprintf(full, sizeof full, "%s%s%s", path, *path ? "." : "", key);
    va_list ap;
    va_start(ap, fmt);
    if (m)
        add_problem(d, m->line, m->col, full, fmt, ap);
    else
        add_problem(d, map->line, map->col, full, fmt, ap);
    va_end(ap);
}

static int problem_cmp(const void *a, const void *b)
{
    const struct ynode_problem *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void ynode_diag_sort(struct ynode_diag *d)
{
    if (d->n > 1)
        qsort(d->v, d->n, sizeof d->v[0], problem_cmp);
}

size_t ynode_diag_count(const struct ynode_diag *d)
{
    return d->n + d->dropped;
}

void ynode_diag_release(struct ynode_diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        xfree(d->v[i].msg);
    xfree(d->v);
    d->v = NULL;
    d->n = d->cap = d->dropped = 0;
}

/* ---------------------------------------------------------------- YAML */

/* Steps over one character (a line break counts as one, \r\n included, and
 * so do NEL, LS and PS, as libyaml counts them), updating line and column. */
static size_t advance(const unsigned char *p, size_t len, size_t i, int *line, int *col)
{
    if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
        return (*line)++, *col = 1, i + 2;
    if (p[i] == '\n' || p[i] == '\r')
        return (*line)++, *col = 1, i + 1;
    if (i + 1 < len && p[i] == 0xc2 && p[i + 1] == 0x85)
        return (*line)++, *col = 1, i + 2;
    if (i + 2 < len && p[i] == 0xe2 && p[i + 1] == 0x80 && (p[i + 2] == 0xa8 || p[i + 2] == 0xa9))
        return (*line)++, *col = 1, i + 3;
    size_t w = p[i] < 0xc0 ? 1 : p[i] < 0xe0 ? 2 : p[i] < 0xf0 ? 3 : 4;
    (*col)++;
    return w < len - i ? i + w : len;
}

/* Line and column (1-based, in characters) of byte offset off. */
static void position_of(const char *data, size_t len, size_t off, int *line, int *col)
{
    const unsigned char *p = (const unsigned char *)data;
    int l = 1, c = 1;
    size_t i = 0;
    while (i < off && i < len) {
        size_t next = advance(p, len, i, &l, &c);
        if (next > off) /* off is inside this character */
            break;
        i = next;
    }
    *line = l;
    *col = c;
}

/* Byte offset of 1-based (line, col), or len if there is no such place. */
static size_t offset_of(const char *data, size_t len, int line, int col)
{
    const unsigned char *p = (const unsigned char *)data;
    int l = 1, c = 1;
    size_t i = 0;
    while (i < len && l <= line) {
        if (l == line && c == col)
            return i;
        i = advance(p, len, i, &l, &c);
    }
    return len;
}

static bool text_is(const char *s, const char *const *words)
{
    for (; *words; words++)
        if (strcmp(s, *words) == 0)
            return true;
    return false;
}

static bool all_digits(const char *s, const char *set)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!strchr(set, *s))
            return false;
    return true;
}

/* YAML 1.2 core schema float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool looks_float(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    size_t digits = 0;
    while (*s >= '0' && *s <= '9')
        s++, digits++;
    if (*s == '.') {
        s++;
        size_t frac = 0;
        while (*s >= '0' && *s <= '9')
            s++, frac++;
        if (!digits && !frac)
            return false;
    } else if (!digits) {
        return false;
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '-' || *s == '+')
            s++;
        if (!(*s >= '0' && *s <= '9'))
            return false;
        while (*s >= '0' && *s <= '9')
            s++;
    }
    return *s == '\0';
}

/* Types a plain scalar the YAML 1.2 core way. */
static void resolve_plain(struct ynode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    static const char *const infs[] = {".inf", ".Inf", ".INF", NULL};
    static const char *const nans[] = {".nan", ".NaN", ".NAN", NULL};
    const char *s = n->text;
    n->kind = YN_STR;
    if (strlen(s) != n->len)
        return; /* holds a NUL: cannot be anything but text */
    if (text_is(s, nulls)) {
        n->kind = YN_NULL;
        return;
    }
    if (text_is(s, trues) || text_is(s, falses)) {
        n->kind = YN_BOOL;
        n->b = text_is(s, trues);
        return;
    }
    const char *u = (*s == '-' || *s == '+') ? s + 1 : s;
    int base = 0;
    const char *digits = NULL;
    if (all_digits(u, "0123456789"))
        base = 10, digits = s;
    else if (strncmp(s, "0o", 2) == 0 && all_digits(s + 2, "01234567"))
        base = 8, digits = s + 2;
    else if (strncmp(s, "0x", 2) == 0 && all_digits(s + 2, "0123456789abcdefABCDEF"))
        base = 16, digits = s + 2;
    if (base) {
        errno = 0;
        long long v = strtoll(digits, NULL, base);
        if (errno == ERANGE) {
            /* too big for any field: keep it a number so the range check speaks */
            n->kind = YN_FLOAT;
            n->f = *s == '-' ? -HUGE_VAL : HUGE_VAL;
        } else {
            n->kind = YN_INT;
            n->i = v;
        }
        return;
    }
    if (looks_float(s)) {
        n->kind = YN_FLOAT;
        n->f = strtod(s, NULL);
        return;
    }
    if (text_is(u, infs)) {
        n->kind = YN_FLOAT;
        n->f = *s == '-' ? -INFINITY : INFINITY;
        return;
    }
    if (text_is(s, nans)) {
        n->kind = YN_FLOAT;
        n->f = NAN;
    }
}

#define TAG_STD "tag:yaml.org,2002:"
#define TAG_STR "tag:yaml.org,2002:str"
#define TAG_SEQ "tag:yaml.org,2002:seq"
#define TAG_MAP "tag:yaml.org,2002:map"

struct level {
    struct ynode *node;
    bool detached;        /* not in the tree (a complex key, a duplicate): freed at its end */
    bool have_key, bad_key, full;
    char *key;
    int key_line, key_col;
};

struct builder {
    struct level stack[YNODE_DEPTH_MAX];
    int depth;
    struct ynode *root;
    struct ynode_diag *d;
};

/* Places a new node in the tree. Returns whether it was attached; a node that
 * was not is the caller's to free (or, for a collection, to build and drop). */
static bool place(struct builder *b, struct ynode *n)
{
    if (b->depth == 0) {
        b->root = n;
        return true;
    }
    struct level *lv = &b->stack[b->depth - 1];
    struct ynode *c = lv->node;
    if (c->kind == YN_SEQ) {
        n->index = c->nkids;
        node_push(c, n);
        return true;
    }
    if (!lv->have_key) {
        /* n is a key */
        lv->have_key = true;
        lv->bad_key = false;
        lv->key_line = n->line;
        lv->key_col = n->col;
        if (n->kind == YN_BAD) {
            lv->bad_key = true;
        } else if (n->kind == YN_SEQ || n->kind == YN_MAP) {
            ynode_err_at(b->d, n->line, n->col, "",
                         "a list or mapping cannot be a key; keys are plain names");
            lv->bad_key = true;
        } else if (strlen(n->text) != n->len) {
            ynode_err_at(b->d, n->line, n->col, "", "a key cannot contain a NUL character");
            lv->bad_key = true;
        } else {
            lv->key = xstrdup(n->text);
        }
        return false;
    }
    /* n is the value of the pending key */
    lv->have_key = false;
    n->key = lv->key;
    n->key_line = lv->key_line;
    n->key_col = lv->key_col;
    lv->key = NULL;
    n->parent = c;
    if (lv->bad_key)
        return false;
    for (size_t i = 0; i < c->nkids; i++) {
        if (strcmp(c->kids[i]->key, n->key) == 0) {
            char q[128];
            ynode_quote(n->key, strlen(n->key), q, sizeof q);
            ynode_err_key(b->d, n, "duplicate key %s (first at line %d)", q,
                          c->kids[i]->key_line);
            return false;
        }
    }
    if (c->nkids >= YNODE_KEYS_MAX) {
        if (!lv->full)
            ynode_err_key(b->d, n, "more than %d keys in one mapping", YNODE_KEYS_MAX);
        lv->full = true;
        return false;
    }
    node_push(c, n);
    return true;
}

/* A tag as it was likely written: "!!int" for the standard ones. */
static void quote_tag(const char *tag, char *out, size_t n)
{
    char tmp[128];
    size_t std = strlen(TAG_STD);
    if (strncmp(tag, TAG_STD, std) == 0)
        snprintf(tmp, sizeof tmp, "!!%s", tag + std);
    else
        snprintf(tmp, sizeof tmp, "%s", tag);
    ynode_quote(tmp, strlen(tmp), out, n);
}

static struct ynode *scalar_node(struct builder *b, const yaml_event_t *ev)
{
    const char *tag = (const char *)ev->data.scalar.tag;
    struct ynode *n = node_new(YN_STR, (int)ev->start_mark.line + 1,
                               (int)ev->start_mark.column + 1);
    node_set_text(n, (const char *)ev->data.scalar.value, ev->data.scalar.length);
    n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
    if (tag && strcmp(tag, "!") != 0 && strcmp(tag, TAG_STR) != 0) {
        char q[128];
        quote_tag(tag, q, sizeof q);
        ynode_err_at(b->d, n->line, n->col, "",
                     "the tag %s is not supported; quote the value if you mean text", q);
        n->kind = YN_BAD;
        return n;
    }
    if (!tag && !n->quoted)
        resolve_plain(n);
    return n;
}

static void builder_unwind(struct builder *b)
{
    while (b->depth > 0) {
        struct level *lv = &b->stack[--b->depth];
        xfree(lv->key);
        if (lv->detached)
            ynode_free(lv->node);
    }
    ynode_free(b->root);
    b->root = NULL;
}

static void syntax_error(const yaml_parser_t *p, const char *data, size_t len,
                         struct ynode_diag *d)
{
    int line, col;
    if (p->error == YAML_READER_ERROR) {
        position_of(data, len, p->problem_offset, &line, &col);
    } else {
        line = (int)p->problem_mark.line + 1;
        col = (int)p->problem_mark.column + 1;
    }
    const char *problem = p->problem ? p->problem : "cannot read the YAML";
    char context[160] = "";
    if (p->context && p->error != YAML_READER_ERROR)
        snprintf(context, sizeof context, " (%s at line %d, column %d)", p->context,
                 (int)p->context_mark.line + 1, (int)p->context_mark.column + 1);
    const char *hint = "";
    size_t off = offset_of(data, len, line, col);
    if (off < len && data[off] == '\t')
        hint = "; a tab cannot indent YAML, use spaces";
    ynode_err_at(d, line, col, "", "syntax error: %s%s%s", problem, context, hint);
}

/* UTF-8 and NUL check before libyaml, for an exact position and a plain word. */
static int check_encoding(const char *data, size_t len, struct ynode_diag *d)
{
    if (len >= 2 && ((unsigned char)data[0] == 0xff || (unsigned char)data[0] == 0xfe) &&
        ((unsigned char)data[1] == 0xfe || (unsigned char)data[1] == 0xff)) {
        ynode_err_at(d, 1, 1, "", "the file is UTF-16; save it as UTF-8");
        return -1;
    }
    size_t ok = utf8_valid_prefix(data, len);
    const char *nul = memchr(data, '\0', ok);
    if (nul) {
        int line, col;
        position_of(data, len, (size_t)(nul - data), &line, &col);
        ynode_err_at(d, line, col, "", "a NUL byte in the file; it must be UTF-8 text");
        return -1;
    }
    if (ok < len) {
        int line, col;
        position_of(data, len, ok, &line, &col);
        ynode_err_at(d, line, col, "", "invalid UTF-8 (byte 0x%02x); the file must be UTF-8",
                     (unsigned char)data[ok]);
        return -1;
    }
    return 0;
}

int ynode_parse_yaml(const char *data, size_t len, struct ynode **root, struct ynode_diag *d)
{
    *root = NULL;
    if (check_encoding(data, len, d))
        return -1;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        ynode_err_at(d, 0, 0, "", "cannot start the YAML parser");
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

    struct builder b = {.d = d};
    int docs = 0;
    bool done = false, failed = false;
    while (!done && !failed) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            syntax_error(&p, data, len, d);
            failed = true;
            break;
        }
        int line = (int)ev.start_mark.line + 1, col = (int)ev.start_mark.column + 1;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                ynode_err_at(d, line, col, "",
                             "a second YAML document; the config is one document");
                failed = true;
            }
            break;
        case YAML_ALIAS_EVENT: {
            struct ynode *n = node_new(YN_BAD, line, col);
            char q[128];
            const char *a = (const char *)ev.data.alias.anchor;
            ynode_quote(a, strlen(a), q, sizeof q);
            ynode_err_at(d, line, col, "",
                         "aliases (*%.*s) are not supported; write the values out in full",
                         (int)(strlen(q) - 2), q + 1);
            if (!place(&b, n))
                ynode_free(n);
            break;
        }
        case YAML_SCALAR_EVENT: {
            struct ynode *n = scalar_node(&b, &ev);
            if (!place(&b, n))
                ynode_free(n);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
            const char *tag = (const char *)(seq ? ev.data.sequence_start.tag
                                                 : ev.data.mapping_start.tag);
            if (b.depth == YNODE_DEPTH_MAX) {
                ynode_err_at(d, line, col, "", "nested deeper than %d levels", YNODE_DEPTH_MAX);
                failed = true;
                break;
            }
            struct ynode *n = node_new(seq ? YN_SEQ : YN_MAP, line, col);
            if (tag && strcmp(tag, "!") != 0 && strcmp(tag, seq ? TAG_SEQ : TAG_MAP) != 0) {
                char q[128];
                quote_tag(tag, q, sizeof q);
                ynode_err_at(d, line, col, "", "the tag %s is not supported", q);
            }
            bool attached = place(&b, n);
            b.stack[b.depth++] = (struct level){.node = n, .detached = !attached};
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            struct level *lv = &b.stack[--b.depth];
            xfree(lv->key);
            if (lv->detached)
                ynode_free(lv->node);
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    if (failed) {
        builder_unwind(&b);
        return -1;
    }
    *root = b.root;
    return 0;
}

/* ---------------------------------------------------------------- JSON */

static struct ynode *from_json(const json_t *j, int depth, struct ynode_diag *d)
{
    if (depth > YNODE_DEPTH_MAX) {
        ynode_err_at(d, 0, 0, "", "nested deeper than %d levels", YNODE_DEPTH_MAX);
        return NULL;
    }
    struct ynode *n = node_new(YN_NULL, 0, 0);
    char tmp[64];
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        n->kind = YN_MAP;
        const char *k;
        json_t *v;
        json_t *obj;
        memcpy(&obj, &j, sizeof obj); /* jansson's iteration API is not const-correct */
        json_object_foreach(obj, k, v) {
            struct ynode *kid = from_json(v, depth + 1, d);
            if (!kid) {
                ynode_free(n);
                return NULL;
            }
            kid->key = xstrdup(k);
            node_push(n, kid);
        }
        break;
    }
    case JSON_ARRAY:
        n->kind = YN_SEQ;
        for (size_t i = 0; i < json_array_size(j); i++) {
            struct ynode *kid = from_json(json_array_get(j, i), depth + 1, d);
            if (!kid) {
                ynode_free(n);
                return NULL;
            }
            kid->index = i;
            node_push(n, kid);
        }
        break;
    case JSON_STRING:
        n->kind = YN_STR;
        n->quoted = true;
        node_set_text(n, json_string_value(j), json_string_length(j));
        break;
    case JSON_INTEGER:
        n->kind = YN_INT;
        n->i = json_integer_value(j);
        snprintf(tmp, sizeof tmp, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        node_set_text(n, tmp, strlen(tmp));
        break;
    case JSON_REAL:
        n->kind = YN_FLOAT;
        n->f = json_real_value(j);
        snprintf(tmp, sizeof tmp, "%.17g", n->f);
        node_set_text(n, tmp, strlen(tmp));
        break;
    case JSON_TRUE:
    case JSON_FALSE:
        n->kind = YN_BOOL;
        n->b = json_is_true(j);
        node_set_text(n, n->b ? "true" : "false", n->b ? 4 : 5);
        break;
    case JSON_NULL:
        node_set_text(n, "", 0);
        break;
    }
    return n;
}

struct ynode *ynode_from_json(const json_t *j, struct ynode_diag *d)
{
    return from_json(j, 0, d);
}

json_t *ynode_to_json(const struct ynode *n, struct ynode_diag *d)
{
    switch (n->kind) {
    case YN_NULL: return json_null();
    case YN_BOOL: return json_boolean(n->b);
    case YN_INT: return json_integer(n->i);
    case YN_FLOAT:
        if (!isfinite(n->f)) {
            ynode_err(d, n, "%s is not a JSON number", n->text);
            return NULL;
        }
        return json_real(n->f);
    case YN_STR: {
        json_t *s = json_stringn(n->text, n->len);
        if (!s)
            ynode_err(d, n, "not valid UTF-8");
        return s;
    }
    case YN_SEQ: {
        json_t *a = json_array();
        for (size_t i = 0; i < n->nkids; i++) {
            json_t *v = ynode_to_json(n->kids[i], d);
            if (!v) {
                json_decref(a);
                return NULL;
            }
            json_array_append_new(a, v);
        }
        return a;
    }
    case YN_MAP: {
        json_t *o = json_object();
        for (size_t i = 0; i < n->nkids; i++) {
            json_t *v = ynode_to_json(n->kids[i], d);
            if (!v) {
                json_decref(o);
                return NULL;
            }
            json_object_set_new(o, n->kids[i]->key, v);
        }
        return o;
    }
    case YN_BAD:
        break;
    }
    return NULL;
}

/* ---------------------------------------------------------------- checked reads */

/* The member, or NULL when absent or null. *bad is set for a node already reported. */
static const struct ynode *present(const struct ynode *map, const char *key, bool *bad)
{
    const struct ynode *m = ynode_member(map, key);
    *bad = m && m->kind == YN_BAD;
    if (!m || m->kind == YN_NULL || m->kind == YN_BAD)
        return NULL;
    return m;
}

static void wrong_kind(struct ynode_diag *d, const struct ynode *n, const char *want)
{
    char got[160];
    describe(n, d, got, sizeof got);
    /* a plain scalar that YAML typed as something else was probably meant as text */
    bool hint = d->file && !n->quoted && (n->kind == YN_INT || n->kind == YN_FLOAT ||
                                          n->kind == YN_BOOL) && strcmp(want, "a string") == 0;
    ynode_err(d, n, "expected %s, got %s%s", want, got,
              hint ? "; put it in quotes to make it a string" : "");
}

static int check_str(struct ynode_diag *d, const struct ynode *n, size_t max, unsigned flags,
                     char **out)
{
    if (n->kind == YN_BAD)
        return -1;
    if (n->kind != YN_STR) {
        wrong_kind(d, n, "a string");
        return -1;
    }
    if (n->len > max) {
        ynode_err(d, n, "too long (%zu bytes; at most %zu)", n->len, max);
        return -1;
    }
    if ((flags & YS_NONEMPTY) && n->len == 0) {
        ynode_err(d, n, "must not be empty");
        return -1;
    }
    for (size_t i = 0; i < n->len; i++) {
        unsigned char c = (unsigned char)n->text[i];
        if (c == 0) {
            ynode_err(d, n, "contains a NUL character");
            return -1;
        }
        bool ws = c == '\n' || c == '\r' || c == '\t';
        if (ws && !(flags & YS_MULTILINE) && c != '\t') {
            ynode_err(d, n, "must be a single line");
            return -1;
        }
        if ((c < 0x20 && !ws) || c == 0x7f) {
            ynode_err(d, n, "contains the control character 0x%02x", c);
            return -1;
        }
    }
    if (!ynode_utf8_valid(n->text, n->len)) {
        ynode_err(d, n, "not valid UTF-8");
        return -1;
    }
    *out = xstrndup(n->text, n->len);
    return 1;
}

int ynode_str(struct ynode_diag *d, const struct ynode *map, const char *key, size_t max,
              unsigned flags, char **out)
{
    bool bad;
    const struct ynode *n = present(map, key, &bad);
    if (!n)
        return bad ? -1 : 0;
    return check_str(d, n, max, flags, out);
}

int ynode_item_str(struct ynode_diag *d, const struct ynode *item, size_t max, unsigned flags,
                   char **out)
{
    return check_str(d, item, max, flags, out);
}

int ynode_bool(struct ynode_diag *d, const struct ynode *map, const char *key, bool *out)
{
    static const char *const yaml11[] = {"yes", "no", "on", "off", "y", "n", "Yes", "No",
                                         "On", "Off", "YES", "NO", "ON", "OFF", NULL};
    bool bad;
    const struct ynode *n = present(map, key, &bad);
    if (!n)
        return bad ? -1 : 0;
    if (n->kind == YN_BOOL) {
        *out = n->b;
        return 1;
    }
    if (n->kind == YN_STR && !n->quoted && text_is(n->text, yaml11)) {
        ynode_err(d, n, "expected true or false; \"%s\" is text here", n->text);
        return -1;
    }
    wrong_kind(d, n, "true or false");
    return -1;
}

int ynode_int(struct ynode_diag *d, const struct ynode *map, const char *key, int lo, int hi,
              int *out)
{
    bool bad;
    const struct ynode *n = present(map, key, &bad);
    if (!n)
        return bad ? -1 : 0;
    bool whole = n->kind == YN_INT ||
                 (n->kind == YN_FLOAT && !isnan(n->f) && n->f == floor(n->f));
    if (!whole) {
        char got[160];
        describe(n, d, got, sizeof got);
        ynode_err(d, n, "expected a whole number, got %s", got);
        return -1;
    }
    /* a whole float (1e99, an overflowing literal) is out of range or exact */
    bool in = n->kind == YN_INT ? n->i >= lo && n->i <= hi : n->f >= lo && n->f <= hi;
    if (!in) {
        char q[128];
        ynode_quote(n->text, n->len, q, sizeof q);
        ynode_err(d, n, "must be between %d and %d, got %.*s", lo, hi, (int)(strlen(q) - 2),
                  q + 1);
        return -1;
    }
    *out = n->kind == YN_INT ? (int)n->i : (int)n->f;
    return 1;
}

int ynode_dur(struct ynode_diag *d, const struct ynode *map, const char *key, ms_t lo, ms_t hi,
              ms_t *out)
{
    bool bad;
    const struct ynode *n = present(map, key, &bad);
    if (!n)
        return bad ? -1 : 0;
    if (n->kind == YN_INT || n->kind == YN_FLOAT) {
        ynode_err(d, n, "a duration needs a unit: write \"%.20ss\" for seconds (units: ms, s, m, "
                        "h, d)", n->text);
        return -1;
    }
    if (n->kind != YN_STR) {
        wrong_kind(d, n, "a duration like \"30s\"");
        return -1;
    }
    ms_t v;
    if (strlen(n->text) != n->len || time_parse_duration(n->text, &v) != 0) {
        char q[128];
        ynode_quote(n->text, n->len, q, sizeof q);
        ynode_err(d, n, "bad duration %s; write a number and a unit (ms, s, m, h, d), "
                        "e.g. 30s, 5m, 1h30m", q);
        return -1;
    }
    if (v < lo || v > hi) {
        char a[32], b[32];
        time_format_duration(v < lo ? lo : hi, a, sizeof a);
        time_format_duration(v, b, sizeof b);
        ynode_err(d, n, "must be at %s %s, got %s", v < lo ? "least" : "most", a, b);
        return -1;
    }
    *out = v;
    return 1;
}

static int collection(struct ynode_diag *d, const struct ynode *map, const char *key,
                      enum ynode_kind kind, size_t max, const struct ynode **out)
{
    bool bad;
    const struct ynode *n = present(map, key, &bad);
    if (!n)
        return bad ? -1 : 0;
    if (n->kind != kind) {
        wrong_kind(d, n, ynode_kind_name(kind, d));
        return -1;
    }
    if (n->nkids > max) {
        ynode_err(d, n, "too many %s (%zu; at most %zu)", kind == YN_SEQ ? "items" : "entries",
                  n->nkids, max);
        return -1;
    }
    *out = n;
    return 1;
}

int ynode_seq(struct ynode_diag *d, const struct ynode *map, const char *key, size_t max,
              const struct ynode **out)
{
    return collection(d, map, key, YN_SEQ, max, out);
}

int ynode_map(struct ynode_diag *d, const struct ynode *map, const char *key, size_t max,
              const struct ynode **out)
{
    return collection(d, map, key, YN_MAP, max, out);
}
