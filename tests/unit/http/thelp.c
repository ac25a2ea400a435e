#include "thelp.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth/password.h"
#include "auth/secret.h"
#include "core/mem.h"

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    a->body = xrealloc(a->body, a->len + size * n + 1);
    memcpy(a->body + a->len, p, size * n);
    a->len += size * n;
    a->body[a->len] = '\0';
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    size_t have = strlen(a->headers);
    if (have + size * n < sizeof a->headers) {
        memcpy(a->headers + have, p, size * n);
        a->headers[have + size * n] = '\0';
    }
    return size * n;
}

struct answer tc_do(const char *base, const struct treq *r)
{
    struct answer a = {0};
    CURL *h = curl_easy_init();
    char *url = xasprintf("%s%s", base, r->path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
    if (strcmp(r->method, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(h, CURLOPT_PATH_AS_IS, 1L);
    if (r->tls) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    struct curl_slist *hdrs = NULL;
    char line[1024];
    hdrs = curl_slist_append(hdrs, r->expect ? r->expect : "Expect:");
    if (r->bearer) {
        snprintf(line, sizeof line, "Authorization: Bearer %s", r->bearer);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (r->authz) {
        snprintf(line, sizeof line, "Authorization: %s", r->authz);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (r->cookie) { /* may be long: the header limit is tested with it */
        char *c = xasprintf("Cookie: %s", r->cookie);
        hdrs = curl_slist_append(hdrs, c);
        xfree(c);
    }
    if (r->csrf) {
        snprintf(line, sizeof line, "X-CSRF-Token: %s", r->csrf);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (r->ctype) {
        snprintf(line, sizeof line, "Content-Type: %s", r->ctype);
        hdrs = curl_slist_append(hdrs, line);
    }
    if (r->body) {
        size_t len = r->len ? r->len : strlen(r->body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
        if (r->chunked)
            hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
        else
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    else
        printf("# curl: %s %s: %s\n", r->method, r->path, curl_easy_strerror(rc));
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    xfree(url);
    return a;
}

void tc_free(struct answer *a)
{
    xfree(a->body);
    a->body = NULL;
}

json_t *tc_json(const struct answer *a)
{
    return a->body ? json_loadb(a->body, a->len, 0, NULL) : NULL;
}

const char *tc_str(json_t *j, const char *k1, const char *k2)
{
    json_t *v = json_object_get(j, k1);
    if (k2)
        v = json_object_get(v, k2);
    return json_string_value(v);
}

bool tc_has_header(const struct answer *a, const char *line)
{
    return strcasestr(a->headers, line) != NULL;
}

int tc_session_cookie(const struct answer *a, char *out, size_t n)
{
    const char *p = strcasestr(a->headers, "Set-Cookie: yw_session=");
    if (!p)
        return -1;
    p += strlen("Set-Cookie: ");
    size_t len = strcspn(p, ";\r\n");
    if (len + 1 > n)
        return -1;
    memcpy(out, p, len);
    out[len] = '\0';
    return 0;
}

/* ---- the store --------------------------------------------------------------------- */

struct store *ts_open(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/yw-http-test-XXXXXX");
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp\n");
        exit(1);
    }
    struct yw_err err = YW_ERR_INIT;
    struct store *S = store_open(dir, &err);
    if (!S) {
        printf("Bail out! store_open: %s\n", err.msg);
        exit(1);
    }
    return S;
}

void ts_close(struct store *S, const char *dir)
{
    store_close(S);
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    xfree(cmd);
}

static void cheap_hash(const char *pw, char out[PASSWORD_HASH_MAX])
{
    secret_init();
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_MIN,
                          crypto_pwhash_MEMLIMIT_MIN) != 0) {
        printf("Bail out! crypto_pwhash_str\n");
        exit(1);
    }
}

int64_t ts_user(struct store *S, const char *name, const char *pw, roleset roles)
{
    struct user_row u = {.roles = roles, .pw_changed = time_now_ms()};
    u.name = xstrdup(name);
    if (pw)
        cheap_hash(pw, u.pw_hash);
    int64_t id = 0;
    struct yw_err err = YW_ERR_INIT;
    if (store_user_create(S, &u, &id, &err) != 0) {
        printf("Bail out! store_user_create %s: %s\n", name, err.msg);
        exit(1);
    }
    xfree(u.name);
    return id;
}

void ts_user_get(struct store *S, int64_t user_id, struct user_row *u)
{
    struct yw_err err = YW_ERR_INIT;
    if (store_user_get(S, user_id, NULL, u, &err) != 0) {
        printf("Bail out! store_user_get: %s\n", err.msg);
        exit(1);
    }
}

void ts_user_put(struct store *S, const struct user_row *u)
{
    struct yw_err err = YW_ERR_INIT;
    if (store_user_update(S, u, &err) != 0) {
        printf("Bail out! store_user_update: %s\n", err.msg);
        exit(1);
    }
}

void ts_cheapen(struct store *S, int64_t user_id, const char *pw)
{
    struct user_row u = {0};
    ts_user_get(S, user_id, &u);
    cheap_hash(pw, u.pw_hash);
    ts_user_put(S, &u);
    store_user_row_release(&u);
}

int64_t ts_token(struct store *S, int64_t user_id, roleset roles, ms_t expires, char *out)
{
    char *tok = secret_token_new("ywt_", 32);
    struct token_row t = {.user_id = user_id, .roles = roles, .expires = expires};
    t.name = xstrdup("test");
    secret_token_hash(tok, t.hash);
    int64_t id = 0;
    struct yw_err err = YW_ERR_INIT;
    if (store_token_create(S, &t, &id, &err) != 0) {
        printf("Bail out! store_token_create: %s\n", err.msg);
        exit(1);
    }
    snprintf(out, 64, "%s", tok);
    xfree(tok);
    xfree(t.name);
    return id;
}

static void copy(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%s", src ? src : "");
}

bool ts_audit_last(struct store *S, const char *action, struct ts_audit *out)
{
    struct audit_filter f = {.action = action, .limit = 1};
    struct audit_row *rows = NULL;
    size_t n = 0;
    struct yw_err err = YW_ERR_INIT;
    memset(out, 0, sizeof *out);
    if (store_audit_list(S, &f, &rows, &n, &err) != 0) {
        printf("# store_audit_list: %s\n", err.msg);
        return false;
    }
    bool found = n > 0;
    if (found) {
        const struct audit_record *r = &rows[0].r;
        copy(out->user, sizeof out->user, r->user);
        copy(out->object, sizeof out->object, r->object);
        copy(out->result, sizeof out->result, r->result);
        copy(out->before, sizeof out->before, r->before);
        copy(out->after, sizeof out->after, r->after);
        out->has_user = r->user != NULL;
        out->has_before = r->before != NULL;
        out->has_after = r->after != NULL;
    }
    store_audit_rows_free(rows, n);
    return found;
}

int64_t ts_audit_count(struct store *S, const char *action)
{
    struct audit_filter f = {.action = action, .limit = 10000};
    struct audit_row *rows = NULL;
    size_t n = 0;
    struct yw_err err = YW_ERR_INIT;
    if (store_audit_list(S, &f, &rows, &n, &err) != 0)
        return -1;
    store_audit_rows_free(rows, n);
    return (int64_t)n;
}

void ts_policy(struct store *S, int rate_per_minute)
{
    struct password_policy p = PASSWORD_POLICY_DEFAULT;
    p.rate_per_minute = rate_per_minute;
    struct yw_err err = YW_ERR_INIT;
    if (store_policy_set(S, &p, &err) != 0) {
        printf("Bail out! store_policy_set: %s\n", err.msg);
        exit(1);
    }
}

/* ---- sessions ---------------------------------------------------------------------- */

struct answer ts_login(const char *base, const char *user, const char *pw, const char *totp,
                       const char *recovery, const struct tsess *with, struct tsess *out)
{
    json_t *b = json_pack("{s:s,s:s}", "user", user, "password", pw);
    if (totp)
        json_object_set_new(b, "totp", json_string(totp));
    if (recovery)
        json_object_set_new(b, "recovery_code", json_string(recovery));
    char *text = json_dumps(b, JSON_COMPACT);
    json_decref(b);
    struct treq r = {.method = "POST", .path = "/api/v1/session", .body = text,
                     .cookie = with ? with->cookie : NULL};
    struct answer a = tc_do(base, &r);
    free(text);
    if (out) {
        memset(out, 0, sizeof *out);
        json_t *j = tc_json(&a);
        const char *csrf = tc_str(j, "csrf", NULL);
        if (!csrf)
            csrf = json_string_value(
                json_object_get(json_object_get(json_object_get(j, "error"), "session"), "csrf"));
        snprintf(out->csrf, sizeof out->csrf, "%s", csrf ? csrf : "");
        tc_session_cookie(&a, out->cookie, sizeof out->cookie);
        json_decref(j);
    }
    return a;
}

struct answer ts_call(const char *base, const char *method, const char *path,
                      const struct tsess *s, const char *body, bool csrf)
{
    struct treq r = {.method = method, .path = path, .body = body,
                     .cookie = s ? s->cookie : NULL, .csrf = s && csrf ? s->csrf : NULL};
    return tc_do(base, &r);
}
