/* The embedded table (scripts/embed.py → web_files.c) against the files it
 * was made from: every file under WEB_DIR (hidden names and back-ups
 * skipped) is in the table with the same bytes, its SHA-256-based ETag and
 * a content type by extension; nothing else is; the table is sorted for
 * web_find. Built twice: over tests/unit/web/fixture (with checks of the
 * fixture's particulars) and over the real web/ (REAL_TABLE). */
#include <ftw.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "t.h"
#include "web/web.h"

#ifndef WEB_DIR
#error "WEB_DIR must name the directory the table was made from"
#endif

static size_t seen;
static int mismatches;

static bool skipped(const char *name)
{
    size_t n = strlen(name);
    return name[0] == '.' || (n > 0 && name[n - 1] == '~');
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *p = NULL;
    size_t cap = 0, n = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 4096;
            p = xrealloc(p, cap);
        }
        size_t k = fread(p + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
    }
    fclose(f);
    *len = n;
    return p;
}

static void etag_of(const char *data, size_t len, char out[20])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)data, len);
    out[0] = '"';
    for (int i = 0; i < 8; i++)
        snprintf(out + 1 + 2 * i, 3, "%02x", h[i]);
    out[17] = '"';
    out[18] = '\0';
}

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    const char *name = path + ftw->base;
    if (ftw->level > 0 && skipped(name))
        return type == FTW_D ? FTW_SKIP_SUBTREE : FTW_CONTINUE;
    if (type != FTW_F)
        return FTW_CONTINUE;
    const char *rel = path + strlen(WEB_DIR) + 1;
    size_t len = 0;
    char *data = slurp(path, &len);
    const struct web_file *f = web_find(rel);
    seen++;
    if (!f || !data || f->len != len || (len && memcmp(f->data, data, len) != 0)) {
        printf("#   %s: %s\n", rel, !f ? "not in the table" : "bytes differ");
        mismatches++;
    } else {
        char tag[20];
        etag_of(data, len, tag);
        if (strcmp(f->etag, tag) != 0) {
            printf("#   %s: etag %s, want %s\n", rel, f->etag, tag);
            mismatches++;
        }
        char slash[4096];
        snprintf(slash, sizeof slash, "/%s", rel);
        if (web_find(slash) != f) {
            printf("#   %s: not found with a leading slash\n", rel);
            mismatches++;
        }
    }
    xfree(data);
    return FTW_CONTINUE;
}

TEST(every_file_is_in_the_table_with_its_bytes_and_etag)
{
    seen = 0;
    mismatches = 0;
    struct stat st;
    if (stat(WEB_DIR, &st) == 0)
        CHECK_INT(nftw(WEB_DIR, visit, 16, FTW_PHYS | FTW_ACTIONRETVAL), 0);
    CHECK_INT(mismatches, 0);
    CHECK_INT(seen, web_nfiles); /* and nothing else */
}

TEST(the_table_is_sorted_and_well_formed)
{
    for (size_t i = 0; i < web_nfiles; i++) {
        const struct web_file *f = &web_files[i];
        CHECK(f->path && f->path[0] && f->path[0] != '/');
        CHECK(f->content_type && f->content_type[0]);
        CHECK(f->etag && strlen(f->etag) == 18 && f->etag[0] == '"' && f->etag[17] == '"');
        if (i > 0)
            CHECK(strcmp(web_files[i - 1].path, f->path) < 0);
        CHECK(web_find(f->path) == f);
    }
    CHECK(web_find("no/such/file.js") == NULL);
    CHECK(web_find("") == NULL);
    CHECK(web_find(NULL) == NULL);
}

TEST(content_types_follow_the_extension)
{
    for (size_t i = 0; i < web_nfiles; i++) {
        const struct web_file *f = &web_files[i];
        const char *dot = strrchr(f->path, '.');
        if (!dot)
            continue;
        if (!strcmp(dot, ".html"))
            CHECK_STR(f->content_type, "text/html; charset=utf-8");
        else if (!strcmp(dot, ".js"))
            CHECK_STR(f->content_type, "text/javascript; charset=utf-8");
        else if (!strcmp(dot, ".css"))
            CHECK_STR(f->content_type, "text/css; charset=utf-8");
        else if (!strcmp(dot, ".json"))
            CHECK_STR(f->content_type, "application/json; charset=utf-8");
        else if (!strcmp(dot, ".svg"))
            CHECK_STR(f->content_type, "image/svg+xml");
    }
}

TEST(etags_match_if_none_match_values)
{
    const char *tag = "\"0123456789abcdef\"";
    CHECK(web_etag_match("\"0123456789abcdef\"", tag));
    CHECK(web_etag_match("W/\"0123456789abcdef\"", tag)); /* weak comparison */
    CHECK(web_etag_match("\"aaaa\", \"0123456789abcdef\"", tag));
    CHECK(web_etag_match(" \"aaaa\" ,W/\"0123456789abcdef\" ", tag));
    CHECK(web_etag_match("*", tag));
    CHECK(!web_etag_match("\"0123456789abcdee\"", tag));
    CHECK(!web_etag_match("0123456789abcdef", tag)); /* unquoted: another tag */
    CHECK(!web_etag_match("", tag));
    CHECK(!web_etag_match(NULL, tag));
    CHECK(!web_etag_match(",,", tag));
}

#ifndef REAL_TABLE
TEST(fixture_particulars)
{
    CHECK_INT(web_nfiles, 9);
    const struct web_file *f = web_find("index.html");
    CHECK(f && !strcmp(f->content_type, "text/html; charset=utf-8"));
    f = web_find("empty.txt");
    CHECK(f && f->len == 0 && !strcmp(f->content_type, "text/plain; charset=utf-8"));
    f = web_find("bin.dat");
    CHECK(f && f->len == 768 && f->data[255] == 255 && f->data[256] == 0);
    CHECK(f && !strcmp(f->content_type, "application/octet-stream"));
    f = web_find("文档/说明.txt");
    CHECK(f && f->len == strlen("说明\n") && !memcmp(f->data, "说明\n", f->len));
    f = web_find("i18n/zh-CN.json");
    CHECK(f && !memcmp(f->data, "{\"title\":\"总览\"", strlen("{\"title\":\"总览\"")));
    CHECK(web_find("with space.txt") != NULL);
    CHECK(web_find("app/sub/deep.js") != NULL);
    CHECK(web_find(".hidden") == NULL);
    CHECK(web_find(".git-like/x.js") == NULL);
    CHECK(web_find("main.js~") == NULL);
    /* empty file: the ETag of no bytes */
    f = web_find("empty.txt");
    CHECK(f && !strcmp(f->etag, "\"e3b0c44298fc1c14\""));

    CHECK(web_has_dir("app"));
    CHECK(web_has_dir("/app/"));
    CHECK(web_has_dir("app/sub"));
    CHECK(web_has_dir("i18n"));
    CHECK(web_has_dir("文档"));
    CHECK(!web_has_dir("ap"));
    CHECK(!web_has_dir("index.html"));
    CHECK(!web_has_dir(".git-like"));
    CHECK(!web_has_dir(NULL));
}
#endif

int main(void)
{
    RUN(every_file_is_in_the_table_with_its_bytes_and_etag);
    RUN(the_table_is_sorted_and_well_formed);
    RUN(content_types_follow_the_extension);
    RUN(etags_match_if_none_match_values);
#ifndef REAL_TABLE
    RUN(fixture_particulars);
#endif
    return t_done();
}
