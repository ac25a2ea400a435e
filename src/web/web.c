/* Lookups in the embedded table of the console's files: see web.h. */
#include "web/web.h"

#include <string.h>

static int cmp_path(const char *a, const char *b)
{
    return strcmp(a, b); /* embed.py sorts by bytes, as strcmp compares */
}

const struct web_file *web_find(const char *path)
{
    if (!path)
        return NULL;
    if (*path == '/')
        path++;
    size_t lo = 0, hi = web_nfiles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = cmp_path(web_files[mid].path, path);
        if (c == 0)
            return &web_files[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool web_has_dir(const char *dir)
{
    if (!dir)
        return false;
    while (*dir == '/')
        dir++;
    size_t n = strlen(dir);
    while (n > 0 && dir[n - 1] == '/')
        n--;
    if (n == 0)
        return web_nfiles > 0;
    /* A handful of files: a scan is as fast as anything cleverer. */
    for (size_t i = 0; i < web_nfiles; i++)
        if (strncmp(web_files[i].path, dir, n) == 0 && web_files[i].path[n] == '/')
            return true;
    return false;
}

/* The opaque part of one entity tag at s[0..n): without W/ and surrounding
 * space. */
static void trim_tag(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
    if (*n >= 2 && (*s)[0] == 'W' && (*s)[1] == '/') {
        *s += 2;
        *n -= 2;
    }
}

bool web_etag_match(const char *inm, const char *etag)
{
    if (!inm || !*inm || !etag || !*etag)
        return false;
    size_t elen = strlen(etag);
    const char *p = inm;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        const char *tag = p;
        trim_tag(&tag, &n);
        if ((n == 1 && tag[0] == '*') || (n == elen && memcmp(tag, etag, n) == 0))
            return true;
        if (!comma)
            return false;
        p = comma + 1;
    }
}
