/*
 * web — the console's files (web/: HTML, CSS, ES modules, message
 * catalogues), embedded into the binary at build time so that the server
 * needs nothing on disk and works offline.
 *
 * scripts/embed.py reads every file under web/ (names starting with '.' are
 * skipped) and writes web_files.c (a meson custom_target, src/web/meson.build)
 * with the table below, sorted by path (bytewise), each entry with its
 * content type (by extension) and a strong ETag (a short hash of the bytes,
 * quoted as the header wants it). The table is read-only data: no
 * allocation, no lock, safe from every thread. With web/ empty or missing the
 * table is empty and the console routes answer 404.
 */
#ifndef YW_WEB_WEB_H
#define YW_WEB_WEB_H

#include <stdbool.h>
#include <stddef.h>

struct web_file {
    const char *path;          /* relative to web/, '/'-separated: "app/main.js" */
    const char *content_type;  /* "text/javascript; charset=utf-8" */
    const unsigned char *data;
    size_t len;
    const char *etag;          /* "\"3f2a…\"" (with the quotes) */
};

/* The generated table (web_files.c): web_nfiles entries, sorted by path. */
extern const struct web_file web_files[];
extern const size_t web_nfiles;

/* The file at path ("app/main.js"; one leading '/' is ignored), or NULL.
 * Exact match: no decoding, no normalisation — "a/../b" is simply not a
 * path in the table. */
const struct web_file *web_find(const char *path);
/* Whether some file lies under directory dir ("app", "/app/", "i18n"). */
bool web_has_dir(const char *dir);

/* Whether the entity tag etag (quoted) matches an If-None-Match header value:
 * "*", or a comma-separated list of entity tags, weak ones (W/"…") compared
 * by their opaque part, as RFC 9110 13.1.2 asks for this header. NULL or ""
 * matches nothing. */
bool web_etag_match(const char *if_none_match, const char *etag);

#endif
