#include "http/auth_parse.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- Cookie -------------------------------------------------------------------- */

/* RFC 6265 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and
 * backslash. */
static bool cookie_octet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

/* RFC 7230 tchar, what a cookie name is made of. */
static bool tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

int cookie_get(const char *header, const char *name, char *out, size_t n)
{
    if (!header || !name || !out || n == 0)
        return 0;
    out[0] = '\0';
    size_t len = strnlen(header, COOKIE_HEADER_MAX);
    size_t nlen = strlen(name);
    size_t i = 0;
    for (int pairs = 0; i < len && pairs < COOKIE_PAIRS_MAX; pairs++) {
        size_t end = i;
        while (end < len && header[end] != ';')
            end++;
        size_t a = i, b = end;
        i = end + 1;
        while (a < b && blank(header[a]))
            a++;
        while (b > a && blank(header[b - 1]))
            b--;
        const char *eq = memchr(header + a, '=', b - a);
        if (!eq)
            continue;
        size_t ka = a, kb = (size_t)(eq - header);
        while (kb > ka && blank(header[kb - 1]))
            kb--;
        size_t va = (size_t)(eq - header) + 1;
        while (va < b && blank(header[va]))
            va++;
        size_t vb = b;
        if (kb == ka || kb - ka != nlen || memcmp(header + ka, name, nlen) != 0)
            continue;
        bool name_ok = true;
        for (size_t k = ka; k < kb; k++)
            name_ok = name_ok && tchar((unsigned char)header[k]);
        if (!name_ok)
            continue;
        if (vb - va >= 2 && header[va] == '"' && header[vb - 1] == '"') {
            va++;
            vb--;
        }
        if (vb - va > COOKIE_VALUE_MAX || vb - va + 1 > n)
            continue;
        bool value_ok = true;
        for (size_t k = va; k < vb; k++)
            value_ok = value_ok && cookie_octet((unsigned char)header[k]);
        if (!value_ok)
            continue;
        memcpy(out, header + va, vb - va);
        out[vb - va] = '\0';
        return 1;
    }
    return 0;
}

/* ---- Authorization ------------------------------------------------------------- */

static bool token68_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' || c == '=';
}

int auth_bearer_parse(const char *header, char *out, size_t n)
{
    if (n)
        out[0] = '\0';
    if (!header || !*header)
        return 0;
    static const char scheme[] = "Bearer";
    size_t hlen = strnlen(header, AUTH_TOKEN_MAX + 64);
    if (hlen < sizeof scheme - 1 || strncasecmp(header, scheme, sizeof scheme - 1) != 0)
        return 0; /* another scheme */
    if (header[sizeof scheme - 1] != '\0' && !blank(header[sizeof scheme - 1]))
        return 0; /* "BearerX …": another scheme too */
    const char *t = header + sizeof scheme - 1;
    while (blank(*t))
        t++;
    size_t tlen = strnlen(t, AUTH_TOKEN_MAX + 1);
    while (tlen > 0 && blank(t[tlen - 1]))
        tlen--;
    if (tlen == 0 || tlen > AUTH_TOKEN_MAX || tlen + 1 > n)
        return -1;
    for (size_t i = 0; i < tlen; i++)
        if (!token68_char((unsigned char)t[i]))
            return -1;
    memcpy(out, t, tlen);
    out[tlen] = '\0';
    return 1;
}

bool auth_token_well_formed(const char *t, const char *prefix)
{
    if (!t || !prefix)
        return false;
    size_t p = strlen(prefix);
    if (strncmp(t, prefix, p) != 0)
        return false;
    size_t n = strnlen(t + p, AUTH_TOKEN_MAX + 1);
    if (n < 16 || p + n > AUTH_TOKEN_MAX)
        return false;
    for (size_t i = p; i < p + n; i++) {
        unsigned char c = (unsigned char)t[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

void auth_session_pubid(const char *id_hash, char out[AUTH_SESSION_PUBID_LEN + 1])
{
    snprintf(out, AUTH_SESSION_PUBID_LEN + 1, "%s", id_hash ? id_hash : "");
}

bool auth_session_pubid_valid(const char *s)
{
    if (!s || strlen(s) != AUTH_SESSION_PUBID_LEN)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    return true;
}

/* ---- bodies -------------------------------------------------------------------- */

struct field {
    const char *key;
    char *out;
    size_t max; /* bytes, without the NUL */
    bool required;
};

/* Fills each field from j; refuses keys not in fields. */
static int parse_fields(json_t *j, const struct field *fields, size_t nf,
                        struct yw_err *err)
{
    if (!json_is_object(j))
        return yw_fail_field(err, YW_EINVAL, "body", "body: expected a JSON object");
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < nf && !known; i++)
            known = strcmp(k, fields[i].key) == 0;
        if (!known) {
            /* The key came from the client: quote a bounded prefix (the
             * answer drops a character cut in half, resp_error). */
            return yw_fail_field(err, YW_EINVAL, "body", "body: unknown key \"%.40s\"", k);
        }
    }
    for (size_t i = 0; i < nf; i++) {
        const struct field *f = &fields[i];
        f->out[0] = '\0';
        const json_t *v2 = json_object_get(j, f->key);
        if (!v2 || json_is_null(v2)) {
            if (f->required)
                return yw_fail_field(err, YW_EINVAL, f->key, "%s: required", f->key);
            continue;
        }
        if (!json_is_string(v2))
            return yw_fail_field(err, YW_EINVAL, f->key, "%s: expected a string", f->key);
        size_t len = json_string_length(v2);
        const char *s = json_string_value(v2);
        if (memchr(s, '\0', len))
            return yw_fail_field(err, YW_EINVAL, f->key, "%s: contains a NUL character", f->key);
        if (len == 0 && f->required)
            return yw_fail_field(err, YW_EINVAL, f->key, "%s: must not be empty", f->key);
        if (len > f->max)
            return yw_fail_field(err, YW_EINVAL, f->key, "%s: longer than %zu bytes", f->key,
                                 f->max);
        memcpy(f->out, s, len);
        f->out[len] = '\0';
    }
    return 0;
}

#define NF(a) (sizeof(a) / sizeof((a)[0]))

int auth_login_body_parse(json_t *j, struct auth_login_body *out, struct yw_err *err)
{
    const struct field f[] = {
        {"user", out->user, AUTH_USER_MAX, true},
        {"password", out->password, PASSWORD_MAX, true},
        {"totp", out->totp, AUTH_TOTP_MAX, false},
        {"recovery_code", out->recovery, AUTH_RECOVERY_MAX, false},
    };
    return parse_fields(j, f, NF(f), err);
}

int auth_password_body_parse(json_t *j, struct auth_password_body *out,
                             struct yw_err *err)
{
    const struct field f[] = {
        {"old", out->old, PASSWORD_MAX, true},
        {"new", out->new_, PASSWORD_MAX, true},
    };
    return parse_fields(j, f, NF(f), err);
}

int auth_code_body_parse(json_t *j, struct auth_code_body *out, struct yw_err *err)
{
    const struct field f[] = {{"code", out->code, AUTH_TOTP_MAX, true}};
    return parse_fields(j, f, NF(f), err);
}

int auth_setup_body_parse(json_t *j, struct auth_setup_body *out, struct yw_err *err)
{
    const struct field f[] = {
        {"token", out->token, AUTH_TOKEN_MAX, true},
        {"user", out->user, AUTH_USER_MAX, true},
        {"password", out->password, PASSWORD_MAX, true},
    };
    return parse_fields(j, f, NF(f), err);
}
