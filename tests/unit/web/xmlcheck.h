/* A tiny checker of the XML our SVG writer emits (header only, for tests):
 * one root element; tags closed in order; attributes name="value", each
 * once per tag, values without '<'; text without '<' or '>'; '&' only in
 * &amp; &lt; &gt; &quot; &apos; &#N; &#xH;; valid UTF-8 without control
 * characters (tab and newline allowed); no comments, processing
 * instructions or DOCTYPE (we write none). Counts elements by name. */
#ifndef YW_TESTS_XMLCHECK_H
#define YW_TESTS_XMLCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct xml_count {
    int elements;
    int svg, title, desc, rect, text, path, line, g;
};

static inline bool xc_utf8(const unsigned char *s, const char **why)
{
    while (*s) {
        unsigned c = *s;
        size_t n = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3
                                 : (c & 0xF8) == 0xF0 ? 4 : 0;
        if (n == 0) {
            *why = "invalid UTF-8 lead byte";
            return false;
        }
        if (c < 0x20 && c != '\n' && c != '\t') {
            *why = "control character";
            return false;
        }
        unsigned long cp = n == 1 ? c : n == 2 ? c & 0x1F : n == 3 ? c & 0x0F : c & 0x07;
        for (size_t i = 1; i < n; i++) {
            if ((s[i] & 0xC0) != 0x80) {
                *why = "truncated UTF-8 sequence";
                return false;
            }
            cp = (cp << 6) | (s[i] & 0x3F);
        }
        unsigned long min = n == 2 ? 0x80 : n == 3 ? 0x800 : n == 4 ? 0x10000 : 0;
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            *why = "overlong, surrogate or out-of-range UTF-8";
            return false;
        }
        s += n;
    }
    return true;
}

static bool xc_name_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
           (!first && ((c >= '0' && c <= '9') || c == '-' || c == '.'));
}

/* An entity at p ('&'); its length, or 0 if not one we allow. */
static size_t xc_entity(const char *p)
{
    static const char *const named[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
    for (size_t i = 0; i < 5; i++)
        if (!strncmp(p, named[i], strlen(named[i])))
            return strlen(named[i]);
    if (p[1] == '#') {
        size_t i = 2;
        bool hex = p[2] == 'x';
        i += hex;
        size_t start = i;
        while ((p[i] >= '0' && p[i] <= '9') ||
               (hex && ((p[i] >= 'a' && p[i] <= 'f') || (p[i] >= 'A' && p[i] <= 'F'))))
            i++;
        if (i > start && p[i] == ';')
            return i + 1;
    }
    return 0;
}

static void xc_count(struct xml_count *c, const char *name, size_t n)
{
    c->elements++;
#define XC(field)                                                                              \
    if (n == strlen(#field) && !strncmp(name, #field, n))                                      \
        c->field++;
    XC(svg) XC(title) XC(desc) XC(rect) XC(text) XC(path) XC(line) XC(g)
#undef XC
}

/* NULL when s is well-formed; else why (and where, in *at). */
static inline const char *xml_check(const char *s, struct xml_count *cnt, size_t *at)
{
    const char *why = NULL;
    struct xml_count dummy;
    if (!cnt)
        cnt = &dummy;
    memset(cnt, 0, sizeof *cnt);
    *at = 0;
    if (!xc_utf8((const unsigned char *)s, &why))
        return why;
    const char *stack[64];
    size_t len[64], depth = 0;
    int roots = 0;
    const char *p = s;
#define FAIL(msg)                                                                              \
    do {                                                                                       \
        *at = (size_t)(p - s);                                                                 \
        return msg;                                                                            \
    } while (0)
    while (*p) {
        if (*p != '<') {
            if (depth == 0 && *p != ' ' && *p != '\n' && *p != '\t')
                FAIL("text outside the root element");
            if (*p == '>')
                FAIL("raw '>' in text");
            if (*p == '&') {
                size_t e = xc_entity(p);
                if (!e)
                    FAIL("bad entity in text");
                p += e;
                continue;
            }
            p++;
            continue;
        }
        if (p[1] == '/') { /* </name> */
            const char *n = p + 2;
            size_t k = 0;
            while (xc_name_char(n[k], k == 0))
                k++;
            if (depth == 0 || k != len[depth - 1] || strncmp(n, stack[depth - 1], k) != 0)
                FAIL("closing tag does not match");
            depth--;
            p = n + k;
            while (*p == ' ')
                p++;
            if (*p != '>')
                FAIL("junk in closing tag");
            p++;
            continue;
        }
        if (p[1] == '!' || p[1] == '?')
            FAIL("comment, DOCTYPE or processing instruction");
        const char *n = p + 1;
        size_t k = 0;
        while (xc_name_char(n[k], k == 0))
            k++;
        if (k == 0)
            FAIL("bad element name");
        if (depth == 0 && roots++ > 0)
            FAIL("second root element");
        xc_count(cnt, n, k);
        p = n + k;
        const char *attrs[64];
        size_t alen[64], na = 0;
        for (;;) {
            bool space = false;
            while (*p == ' ' || *p == '\n' || *p == '\t')
                p++, space = true;
            if (p[0] == '/' && p[1] == '>') {
                p += 2;
                break;
            }
            if (*p == '>') {
                if (depth == 64)
                    FAIL("too deep");
                stack[depth] = n;
                len[depth++] = k;
                p++;
                break;
            }
            if (!space)
                FAIL("attribute without a space before it");
            size_t an = 0;
            while (xc_name_char(p[an], an == 0))
                an++;
            if (an == 0)
                FAIL("bad attribute name");
            for (size_t i = 0; i < na; i++)
                if (alen[i] == an && !strncmp(attrs[i], p, an))
                    FAIL("attribute given twice");
            if (na < 64) {
                attrs[na] = p;
                alen[na++] = an;
            }
            p += an;
            if (p[0] != '=' || p[1] != '"')
                FAIL("attribute value not =\"…\"");
            p += 2;
            while (*p && *p != '"') {
                if (*p == '<')
                    FAIL("'<' in an attribute value");
                if (*p == '&') {
                    size_t e = xc_entity(p);
                    if (!e)
                        FAIL("bad entity in an attribute value");
                    p += e;
                    continue;
                }
                p++;
            }
            if (*p != '"')
                FAIL("unterminated attribute value");
            p++;
        }
    }
    if (depth != 0)
        FAIL("unclosed element");
    if (roots != 1)
        FAIL("no root element");
#undef FAIL
    return NULL;
}

/* Counts occurrences of needle in s. */
static inline int count_of(const char *s, const char *needle)
{
    int n = 0;
    size_t k = strlen(needle);
    for (const char *p = s; (p = strstr(p, needle)) != NULL; p += k)
        n++;
    return n;
}

#endif
