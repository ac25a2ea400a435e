#include "http/router.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "http/query.h"

struct seg {
    const char *p;
    size_t len;
};

/* Splits "/a/b/c" into segments. One trailing slash is dropped; any other
 * empty segment, a path not starting with '/' or more than max segments
 * gives -1. "/" has zero segments. */
static int split(const char *path, struct seg *out, size_t max, size_t *n)
{
    size_t len = strlen(path);
    if (len == 0 || path[0] != '/')
        return -1;
    if (len > 1 && path[len - 1] == '/')
        len--;
    *n = 0;
    if (len == 1)
        return 0;
    size_t i = 1;
    while (i <= len) {
        size_t end = i;
        while (end < len && path[end] != '/')
            end++;
        if (end == i || *n == max)
            return -1;
        out[*n].p = path + i;
        out[*n].len = end - i;
        (*n)++;
        i = end + 1;
    }
    return 0;
}

static bool is_param(const struct seg *s)
{
    return s->len >= 3 && s->p[0] == '{' && s->p[s->len - 1] == '}';
}

static bool method_matches(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0);
}

/* Whether the pattern's segments match the decoded path segments. */
static bool pattern_matches(const struct seg *pat, size_t np, char *const *dec, size_t nd)
{
    if (np != nd)
        return false;
    for (size_t i = 0; i < np; i++) {
        if (is_param(&pat[i]))
            continue;
        if (strlen(dec[i]) != pat[i].len || memcmp(dec[i], pat[i].p, pat[i].len) != 0)
            return false;
    }
    return true;
}

static void allow_add(char *allow, size_t cap, const char *method)
{
    /* Each method at most once, in table order. */
    size_t mlen = strlen(method);
    for (const char *p = allow; (p = strstr(p, method)) != NULL; p += mlen) {
        bool starts = p == allow || p[-1] == ' ';
        bool ends = p[mlen] == '\0' || p[mlen] == ',';
        if (starts && ends)
            return;
    }
    size_t len = strlen(allow);
    snprintf(allow + len, cap - len, "%s%s", len ? ", " : "", method);
}

enum route_status router_match(const struct route *table, size_t n, const char *method,
                               const char *path, struct route_match *m)
{
    struct seg segs[ROUTE_SEGMENTS_MAX];
    size_t nsegs;
    if (strlen(path) > ROUTE_PATH_MAX || split(path, segs, ROUTE_SEGMENTS_MAX, &nsegs) != 0)
        return ROUTE_NOT_FOUND;

    char *dec[ROUTE_SEGMENTS_MAX];
    for (size_t i = 0; i < nsegs; i++) {
        dec[i] = xmalloc(segs[i].len + 1);
        size_t len;
        if (http_unescape(segs[i].p, segs[i].len, false, dec[i], &len) != 0) {
            for (size_t k = 0; k <= i; k++)
                xfree(dec[k]);
            return ROUTE_BAD_PATH;
        }
    }

    enum route_status st = ROUTE_NOT_FOUND;
    char allow[sizeof m->allow] = "";
    for (size_t r = 0; r < n && st != ROUTE_OK; r++) {
        struct seg pat[ROUTE_SEGMENTS_MAX];
        size_t np;
        if (split(table[r].pattern, pat, ROUTE_SEGMENTS_MAX, &np) != 0 ||
            !pattern_matches(pat, np, dec, nsegs))
            continue;
        if (!method_matches(table[r].method, method)) {
            allow_add(allow, sizeof allow, table[r].method);
            if (strcmp(table[r].method, "GET") == 0)
                allow_add(allow, sizeof allow, "HEAD");
            st = ROUTE_METHOD_NOT_ALLOWED;
            continue;
        }
        m->route = &table[r];
        m->nparams = 0;
        for (size_t i = 0; i < np; i++) {
            if (!is_param(&pat[i]))
                continue;
            /* Patterns are ours: too many or too long names are a bug. */
            if (m->nparams == ROUTE_PARAMS_MAX || pat[i].len - 2 >= sizeof m->params[0].name)
                continue;
            struct route_param *pp = &m->params[m->nparams++];
            snprintf(pp->name, sizeof pp->name, "%.*s", (int)(pat[i].len - 2), pat[i].p + 1);
            pp->value = dec[i];
            dec[i] = NULL;
        }
        st = ROUTE_OK;
    }
    for (size_t i = 0; i < nsegs; i++)
        xfree(dec[i]);

    if (st == ROUTE_METHOD_NOT_ALLOWED)
        memcpy(m->allow, allow, sizeof m->allow);
    return st;
}

const char *route_param(const struct route_match *m, const char *name)
{
    for (size_t i = 0; i < m->nparams; i++)
        if (strcmp(m->params[i].name, name) == 0)
            return m->params[i].value;
    return NULL;
}

void route_match_release(struct route_match *m)
{
    for (size_t i = 0; i < m->nparams; i++)
        xfree(m->params[i].value);
    memset(m, 0, sizeof *m);
}

enum route_status router_match_tables(const struct route_table *tables, size_t ntables,
                                      const char *method, const char *path,
                                      struct route_match *m)
{
    char allow[sizeof m->allow] = "";
    bool not_allowed = false;
    for (size_t t = 0; t < ntables; t++) {
        struct route_match one = ROUTE_MATCH_INIT;
        enum route_status st = router_match(tables[t].routes, tables[t].n, method, path, &one);
        if (st == ROUTE_OK) {
            *m = one;
            return ROUTE_OK;
        }
        if (st == ROUTE_BAD_PATH) /* decoding does not depend on the table */
            return st;
        if (st == ROUTE_METHOD_NOT_ALLOWED) {
            not_allowed = true;
            /* allow_add keeps each method once, in table order. */
            char *save = NULL;
            for (char *tok = strtok_r(one.allow, ", ", &save); tok;
                 tok = strtok_r(NULL, ", ", &save))
                allow_add(allow, sizeof allow, tok);
        }
        route_match_release(&one);
    }
    if (!not_allowed)
        return ROUTE_NOT_FOUND;
    memcpy(m->allow, allow, sizeof m->allow);
    return ROUTE_METHOD_NOT_ALLOWED;
}
