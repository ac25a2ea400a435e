/*
 * channel — a notification channel's spec: checking a body (API or config
 * file), its canonical stored form, its secrets, and how it is answered.
 *
 * A robot's webhook address carries its credential (DingTalk
 * access_token=, WeCom key=, Feishu's hook id as the last path segment), so
 * the address is split: the endpoint is kept as plain spec, the credential
 * as the sealed "token". Pasting the whole address the vendor shows works:
 * the credential is taken out of it here.
 *
 * Robots must be reached over https; plain http is accepted only to this
 * machine's loopback addresses, which is what the tests use (documented in
 * docs/notify.md). Plain SMTP is likewise loopback only.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/secret.h"
#include "core/mem.h"
#include "notify/notify_int.h"

static const char *const type_names[NCH__COUNT] = {"email", "webhook", "dingtalk", "wecom",
                                                   "feishu"};
static const char *const type_zh[NCH__COUNT] = {"邮件", "Webhook", "钉钉机器人", "企业微信机器人",
                                                "飞书机器人"};

const char *nch_type_name(enum nch_type t)
{
    return (unsigned)t < NCH__COUNT ? type_names[t] : "?";
}

const char *nch_type_title_zh(enum nch_type t)
{
    return (unsigned)t < NCH__COUNT ? type_zh[t] : "?";
}

int nch_type_parse(const char *s, enum nch_type *out)
{
    for (int i = 0; s && i < NCH__COUNT; i++)
        if (strcmp(s, type_names[i]) == 0) {
            *out = (enum nch_type)i;
            return 0;
        }
    return -1;
}

static const char *const security_names[] = {"starttls", "tls", "none"};

void nchannel_release(struct nchannel *c)
{
    if (!c)
        return;
    xfree(c->name);
    xfree(c->title);
    xfree(c->host);
    xfree(c->username);
    xfree(c->from);
    xfree(c->from_name);
    notify_strv_free(c->to, c->nto);
    xfree(c->url);
    char **secrets[] = {&c->password, &c->token, &c->secret};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (*secrets[i]) {
            secret_wipe(*secrets[i], strlen(*secrets[i]));
            xfree(*secrets[i]);
        }
    memset(c, 0, sizeof *c);
}

/* ---- keys per type --------------------------------------------------------------- */

static const char *const common_keys[] = {"name",     "title",      "type",     "enabled",
                                          "default",  "dedup_window", "rate_limit", "on_limit",
                                          "id",       "provisioned", "created",  "updated",
                                          "type_zh"};

static const char *const email_keys[] = {"host", "port", "security", "username", "from",
                                         "from_name", "to", "tls_verify", NULL};
static const char *const webhook_keys[] = {"url", "tls_verify", NULL};
static const char *const robot_keys[] = {"url", NULL};
static const char *const wecom_keys[] = {"url", "msgtype", NULL};

/* The secrets each type has, in this order: password, token, secret. */
enum { SEC_PASSWORD = 1, SEC_TOKEN = 2, SEC_SECRET = 4 };
static const unsigned type_secrets[NCH__COUNT] = {
    [NCH_EMAIL] = SEC_PASSWORD,
    [NCH_WEBHOOK] = SEC_TOKEN | SEC_SECRET,
    [NCH_DINGTALK] = SEC_TOKEN | SEC_SECRET,
    [NCH_WECOM] = SEC_TOKEN,
    [NCH_FEISHU] = SEC_TOKEN | SEC_SECRET,
};
static const char *const secret_names[] = {"password", "token", "secret"};

static const char *const *type_keys(enum nch_type t)
{
    switch (t) {
    case NCH_EMAIL: return email_keys;
    case NCH_WEBHOOK: return webhook_keys;
    case NCH_WECOM: return wecom_keys;
    case NCH_DINGTALK:
    case NCH_FEISHU:
    case NCH__COUNT: break;
    }
    return robot_keys;
}

static int check_keys(const json_t *j, enum nch_type t, struct yw_err *err)
{
    const char *allowed[64];
    size_t n = 0;
    for (size_t i = 0; i < sizeof common_keys / sizeof common_keys[0]; i++)
        allowed[n++] = common_keys[i];
    for (const char *const *k = type_keys(t); *k; k++)
        allowed[n++] = *k;
    static const char *const set_names[] = {"password_set", "token_set", "secret_set"};
    for (int i = 0; i < 3; i++)
        if (type_secrets[t] & (1u << i)) {
            allowed[n++] = secret_names[i];
            allowed[n++] = set_names[i];
        }
    allowed[n] = NULL;
    return notify_j_keys(j, allowed, "", err);
}

/* ---- hosts and URLs ------------------------------------------------------------------ */

bool notify_host_loopback(const char *host)
{
    if (!host)
        return false;
    if (strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
        strcmp(host, "[::1]") == 0)
        return true;
    unsigned a, b, c, d;
    char tail;
    return sscanf(host, "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 && b < 256 &&
           c < 256 && d < 256;
}

static bool host_valid(const char *h)
{
    size_t n = strlen(h);
    if (n == 0 || n > NOTIFY_HOST_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = h[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == ':' || c == '[' || c == ']'))
            return false;
    }
    return true;
}

/* The URL's part, malloc'd with our allocator (NULL when absent). */
static char *url_part(CURLU *u, CURLUPart what)
{
    char *p = NULL;
    if (curl_url_get(u, what, &p, 0) != CURLUE_OK || !p)
        return NULL;
    char *out = xstrdup(p);
    curl_free(p);
    return out;
}

/* Removes "name=VALUE" from the query of u; *value gets VALUE (malloc'd)
 * when it was there. */
static void take_query_param(CURLU *u, const char *name, char **value)
{
    char *q = url_part(u, CURLUPART_QUERY);
    if (!q)
        return;
    size_t nl = strlen(name);
    char *rest = xcalloc(1, strlen(q) + 1);
    char *save = NULL;
    for (char *tok = strtok_r(q, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
        if (strncmp(tok, name, nl) == 0 && tok[nl] == '=') {
            if (!*value && tok[nl + 1])
                *value = xstrdup(tok + nl + 1);
            continue;
        }
        if (*rest)
            strcat(rest, "&");
        strcat(rest, tok);
    }
    curl_url_set(u, CURLUPART_QUERY, *rest ? rest : NULL, 0);
    xfree(rest);
    xfree(q);
}

/* Checks c->url (http or https, a host, no user:password@) and, for the
 * robots, takes the credential out of it into *token when the body did not
 * give one. Rewrites c->url in canonical form. */
static int check_url(struct nchannel *c, char **token, struct yw_err *err)
{
    CURLU *u = curl_url();
    if (!u)
        return yw_fail(err, YW_EIO, "out of memory parsing a URL");
    int rc = 0;
    char *scheme = NULL, *host = NULL, *user = NULL, *path = NULL;
    if (curl_url_set(u, CURLUPART_URL, c->url, 0) != CURLUE_OK) {
        rc = notify_fail_field(err, "", "url", "is not a valid URL");
        goto done;
    }
    scheme = url_part(u, CURLUPART_SCHEME);
    host = url_part(u, CURLUPART_HOST);
    user = url_part(u, CURLUPART_USER);
    if (!scheme || (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)) {
        rc = notify_fail_field(err, "", "url", "must be an http:// or https:// URL");
        goto done;
    }
    if (!host || !*host) {
        rc = notify_fail_field(err, "", "url", "names no host");
        goto done;
    }
    if (user) {
        rc = notify_fail_field(err, "", "url",
                               "must not carry user:password@; put credentials in token");
        goto done;
    }
    bool robot = c->type == NCH_DINGTALK || c->type == NCH_WECOM || c->type == NCH_FEISHU;
    if (robot && strcmp(scheme, "http") == 0 && !notify_host_loopback(host)) {
        rc = notify_fail_field(err, "", "url",
                               "must be https:// (plain http only to this machine, for tests)");
        goto done;
    }
    curl_url_set(u, CURLUPART_FRAGMENT, NULL, 0);
    if (c->type == NCH_DINGTALK)
        take_query_param(u, "access_token", token);
    else if (c->type == NCH_WECOM)
        take_query_param(u, "key", token);
    else if (c->type == NCH_FEISHU) {
        /* The vendor's address is .../open-apis/bot/v2/hook/ID. */
        path = url_part(u, CURLUPART_PATH);
        char *hook = path ? strstr(path, "/hook/") : NULL;
        char *slash = path ? strrchr(path, '/') : NULL;
        if (hook && slash == hook + 5 && slash[1]) {
            if (!*token)
                *token = xstrdup(slash + 1);
            slash[1] = '\0';
            curl_url_set(u, CURLUPART_PATH, path, 0);
        }
    }
    char *canon = url_part(u, CURLUPART_URL);
    if (!canon) {
        rc = notify_fail_field(err, "", "url", "is not a valid URL");
        goto done;
    }
    xfree(c->url);
    c->url = canon;
    if (strlen(c->url) > NOTIFY_URL_MAX)
        rc = notify_fail_field(err, "", "url", "is longer than %d bytes", NOTIFY_URL_MAX);
done:
    xfree(scheme);
    xfree(host);
    xfree(user);
    xfree(path);
    curl_url_cleanup(u);
    return rc;
}

char *nchannel_endpoint(const struct nchannel *c)
{
    const char *tok = c->token ? c->token : "";
    switch (c->type) {
    case NCH_DINGTALK:
    case NCH_WECOM: {
        char *enc = notify_url_encode(tok);
        char *s = xasprintf("%s%c%s=%s", c->url, strchr(c->url, '?') ? '&' : '?',
                            c->type == NCH_DINGTALK ? "access_token" : "key", enc);
        xfree(enc);
        return s;
    }
    case NCH_FEISHU: {
        size_t n = strlen(c->url);
        char *enc = notify_url_encode(tok);
        char *s = xasprintf("%s%s%s", c->url, n && c->url[n - 1] == '/' ? "" : "/", enc);
        xfree(enc);
        return s;
    }
    case NCH_EMAIL:
    case NCH_WEBHOOK:
    case NCH__COUNT: break;
    }
    return xstrdup(c->url ? c->url : "");
}

/* ---- parsing ------------------------------------------------------------------------ */

/* Everything but the secrets. */
static int parse_spec(const json_t *j, struct nchannel *c, struct yw_err *err)
{
    char *type = NULL;
    if (!json_is_object(j))
        return yw_fail_field(err, YW_EINVAL, "body", "body: expected an object");
    if (notify_j_str(j, "type", "", true, 16, &type, err))
        return -1;
    int rc = nch_type_parse(type, &c->type);
    xfree(type);
    if (rc)
        return notify_fail_field(err, "", "type",
                                 "must be one of email, webhook, dingtalk, wecom, feishu");
    if (check_keys(j, c->type, err))
        return -1;
    if (notify_j_str(j, "name", "", true, NOTIFY_NAME_MAX, &c->name, err))
        return -1;
    if (!notify_name_valid(c->name))
        return notify_fail_field(err, "", "name",
                                 "must be lower-case letters, digits, '.', '_' or '-', starting "
                                 "with a letter or digit");
    if (notify_j_str(j, "title", "", false, NOTIFY_TITLE_MAX, &c->title, err) ||
        notify_j_bool(j, "enabled", "", true, &c->enabled, err) ||
        notify_j_bool(j, "default", "", false, &c->is_default, err) ||
        notify_j_duration(j, "dedup_window", "", 0, MS_PER_DAY, NOTIFY_DEDUP_DEFAULT,
                          &c->dedup_window, err))
        return -1;
    c->rate_max = NOTIFY_RATE_MAX_DEFAULT;
    c->rate_per = NOTIFY_RATE_PER_DEFAULT;
    json_t *rl = json_object_get(j, "rate_limit");
    if (rl && !json_is_null(rl)) {
        static const char *const rl_keys[] = {"max", "per", NULL};
        long long max;
        if (notify_j_keys(rl, rl_keys, "rate_limit", err) ||
            notify_j_int(rl, "max", "rate_limit", 0, 10000, NOTIFY_RATE_MAX_DEFAULT, &max, err) ||
            notify_j_duration(rl, "per", "rate_limit", MS_PER_MIN, MS_PER_DAY,
                              NOTIFY_RATE_PER_DEFAULT, &c->rate_per, err))
            return -1;
        c->rate_max = (int)max;
    }
    char *on_limit = NULL;
    if (notify_j_str(j, "on_limit", "", false, 16, &on_limit, err))
        return -1;
    c->digest = !on_limit || strcmp(on_limit, "digest") == 0;
    bool bad = on_limit && !c->digest && strcmp(on_limit, "drop") != 0;
    xfree(on_limit);
    if (bad)
        return notify_fail_field(err, "", "on_limit", "must be digest or drop");

    c->tls_verify = true;
    switch (c->type) {
    case NCH_EMAIL: {
        char *sec = NULL;
        long long port;
        if (notify_j_str(j, "host", "", true, NOTIFY_HOST_MAX, &c->host, err))
            return -1;
        if (!host_valid(c->host))
            return notify_fail_field(err, "", "host", "is not a host name or address");
        if (notify_j_str(j, "security", "", false, 16, &sec, err))
            return -1;
        c->security = SMTP_STARTTLS;
        if (sec && strcmp(sec, "tls") == 0)
            c->security = SMTP_TLS;
        else if (sec && strcmp(sec, "none") == 0)
            c->security = SMTP_PLAIN;
        bad = sec && strcmp(sec, "starttls") != 0 && c->security == SMTP_STARTTLS;
        xfree(sec);
        if (bad)
            return notify_fail_field(err, "", "security", "must be starttls, tls or none");
        if (c->security == SMTP_PLAIN && !notify_host_loopback(c->host))
            return notify_fail_field(err, "", "security",
                                     "none (no TLS) is only allowed to this machine; use "
                                     "starttls or tls");
        long long dport = c->security == SMTP_TLS ? 465 : c->security == SMTP_PLAIN ? 25 : 587;
        if (notify_j_int(j, "port", "", 1, 65535, dport, &port, err))
            return -1;
        c->port = (int)port;
        if (notify_j_str(j, "username", "", false, NOTIFY_ADDR_MAX, &c->username, err) ||
            notify_j_str(j, "from", "", true, NOTIFY_ADDR_MAX, &c->from, err))
            return -1;
        if (!notify_email_valid(c->from))
            return notify_fail_field(err, "", "from", "is not an email address");
        if (notify_j_str(j, "from_name", "", false, 100, &c->from_name, err) ||
            notify_j_strv(j, "to", "", NOTIFY_TO_MAX, NOTIFY_ADDR_MAX, &c->to, &c->nto, err) ||
            notify_j_bool(j, "tls_verify", "", true, &c->tls_verify, err))
            return -1;
        for (size_t i = 0; i < c->nto; i++)
            if (!notify_email_valid(c->to[i])) {
                char key[32];
                snprintf(key, sizeof key, "to[%zu]", i);
                return notify_fail_field(err, "", key, "is not an email address");
            }
        break;
    }
    case NCH_WEBHOOK:
        if (notify_j_bool(j, "tls_verify", "", true, &c->tls_verify, err))
            return -1;
        /* fall through */
    case NCH_DINGTALK:
    case NCH_WECOM:
    case NCH_FEISHU: {
        const char *dflt = c->type == NCH_DINGTALK ? NOTIFY_DINGTALK_URL
                           : c->type == NCH_WECOM  ? NOTIFY_WECOM_URL
                           : c->type == NCH_FEISHU ? NOTIFY_FEISHU_URL
                                                   : NULL;
        if (notify_j_str(j, "url", "", !dflt, NOTIFY_URL_MAX, &c->url, err))
            return -1;
        if (!c->url)
            c->url = xstrdup(dflt);
        if (c->type == NCH_WECOM) {
            char *mt = NULL;
            if (notify_j_str(j, "msgtype", "", false, 16, &mt, err))
                return -1;
            c->wecom_text = mt && strcmp(mt, "text") == 0;
            bad = mt && !c->wecom_text && strcmp(mt, "markdown") != 0;
            xfree(mt);
            if (bad)
                return notify_fail_field(err, "", "msgtype", "must be markdown or text");
        }
        break;
    }
    case NCH__COUNT: break;
    }
    return 0;
}

static bool secret_chars_ok(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return false;
    return true;
}

/* One secret of a body: absent or the mask keeps old's, null or "" clears,
 * a string sets. */
static int take_secret(const json_t *j, const char *key, const char *old, char **out,
                       struct yw_err *err)
{
    json_t *v = json_object_get(j, key);
    if (!v || (json_is_string(v) && strcmp(json_string_value(v), NOTIFY_MASK) == 0)) {
        *out = old ? xstrdup(old) : NULL;
        return 0;
    }
    if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        *out = NULL;
        return 0;
    }
    if (!json_is_string(v))
        return notify_fail_field(err, "", key, "must be a string");
    const char *s = json_string_value(v);
    if (json_string_length(v) != strlen(s) || !secret_chars_ok(s))
        return notify_fail_field(err, "", key, "must not contain control characters");
    if (json_string_length(v) > NOTIFY_SECRET_MAX)
        return notify_fail_field(err, "", key, "is longer than %d bytes", NOTIFY_SECRET_MAX);
    *out = xstrdup(s);
    return 0;
}

int nchannel_from_json(const json_t *j, const struct nchannel *old, struct nchannel *out,
                       struct yw_err *err)
{
    struct nchannel c = {0};
    if (parse_spec(j, &c, err))
        goto fail;
    /* A type change keeps nothing of the old secrets. */
    if (old && old->type != c.type)
        old = NULL;
    unsigned has = type_secrets[c.type];
    if ((has & SEC_PASSWORD) &&
        take_secret(j, "password", old ? old->password : NULL, &c.password, err))
        goto fail;
    if ((has & SEC_TOKEN) && take_secret(j, "token", old ? old->token : NULL, &c.token, err))
        goto fail;
    if ((has & SEC_SECRET) && take_secret(j, "secret", old ? old->secret : NULL, &c.secret, err))
        goto fail;
    if (c.url) {
        char *from_url = NULL;
        if (check_url(&c, &from_url, err)) {
            xfree(from_url);
            goto fail;
        }
        if (from_url) {
            bool clash = c.token && strcmp(c.token, from_url) != 0 &&
                         json_object_get(j, "token") &&
                         !json_is_null(json_object_get(j, "token"));
            if (clash) {
                secret_wipe(from_url, strlen(from_url));
                xfree(from_url);
                notify_fail_field(err, "", "token", "differs from the one in url");
                goto fail;
            }
            if (c.token) {
                secret_wipe(c.token, strlen(c.token));
                xfree(c.token);
            }
            c.token = from_url;
        }
        if (c.token && (strlen(c.token) > NOTIFY_SECRET_MAX || !secret_chars_ok(c.token))) {
            notify_fail_field(err, "", "token", "is not a usable token");
            goto fail;
        }
    }
    bool robot = c.type == NCH_DINGTALK || c.type == NCH_WECOM || c.type == NCH_FEISHU;
    if (robot && !c.token) {
        notify_fail_field(err, "", "token",
                          "is required (DingTalk access_token, WeCom key or Feishu hook id; "
                          "or paste the whole webhook address as url)");
        goto fail;
    }
    if (c.type == NCH_EMAIL && c.password && !c.username) {
        notify_fail_field(err, "", "username", "is required with a password");
        goto fail;
    }
    *out = c;
    return 0;
fail:
    nchannel_release(&c);
    memset(out, 0, sizeof *out);
    return -1;
}

/* ---- stored form -------------------------------------------------------------------- */

static json_t *spec_json(const struct nchannel *c)
{
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(c->name));
    json_object_set_new(j, "type", json_string(nch_type_name(c->type)));
    if (c->title)
        json_object_set_new(j, "title", json_string(c->title));
    json_object_set_new(j, "enabled", json_boolean(c->enabled));
    json_object_set_new(j, "default", json_boolean(c->is_default));
    char d[32];
    time_format_duration(c->dedup_window, d, sizeof d);
    json_object_set_new(j, "dedup_window", json_string(d));
    json_t *rl = json_object();
    json_object_set_new(rl, "max", json_integer(c->rate_max));
    time_format_duration(c->rate_per, d, sizeof d);
    json_object_set_new(rl, "per", json_string(d));
    json_object_set_new(j, "rate_limit", rl);
    json_object_set_new(j, "on_limit", json_string(c->digest ? "digest" : "drop"));
    switch (c->type) {
    case NCH_EMAIL: {
        json_object_set_new(j, "host", json_string(c->host));
        json_object_set_new(j, "port", json_integer(c->port));
        json_object_set_new(j, "security", json_string(security_names[c->security]));
        if (c->username)
            json_object_set_new(j, "username", json_string(c->username));
        json_object_set_new(j, "from", json_string(c->from));
        if (c->from_name)
            json_object_set_new(j, "from_name", json_string(c->from_name));
        json_t *to = json_array();
        for (size_t i = 0; i < c->nto; i++)
            json_array_append_new(to, json_string(c->to[i]));
        json_object_set_new(j, "to", to);
        json_object_set_new(j, "tls_verify", json_boolean(c->tls_verify));
        break;
    }
    case NCH_WEBHOOK:
        json_object_set_new(j, "tls_verify", json_boolean(c->tls_verify));
        /* fall through */
    case NCH_DINGTALK:
    case NCH_FEISHU:
        json_object_set_new(j, "url", json_string(c->url));
        break;
    case NCH_WECOM:
        json_object_set_new(j, "url", json_string(c->url));
        json_object_set_new(j, "msgtype", json_string(c->wecom_text ? "text" : "markdown"));
        break;
    case NCH__COUNT: break;
    }
    return j;
}

static char *dump(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    char *out = s ? xstrdup(s) : xstrdup("{}");
    free(s);
    return out;
}

char *nchannel_spec_text(const struct nchannel *c)
{
    return dump(spec_json(c));
}

char *nchannel_secrets_text(const struct nchannel *c)
{
    if (!c->password && !c->token && !c->secret)
        return NULL;
    json_t *j = json_object();
    const char *vals[] = {c->password, c->token, c->secret};
    for (int i = 0; i < 3; i++)
        if (vals[i])
            json_object_set_new(j, secret_names[i], json_string(vals[i]));
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    char *out = s ? xstrdup(s) : NULL;
    if (s) {
        secret_wipe(s, strlen(s));
        free(s);
    }
    return out;
}

int nchannel_from_row(const struct store_channel *row, struct nchannel *out, struct yw_err *err)
{
    json_error_t je;
    json_t *j = row->spec ? json_loads(row->spec, 0, &je) : NULL;
    struct nchannel c = {0};
    if (!j)
        return yw_fail(err, YW_EIO, "channel %lld: stored spec is not JSON", (long long)row->id);
    int rc = parse_spec(j, &c, err);
    json_decref(j);
    if (rc == 0 && c.url) {
        char *tok = NULL;
        rc = check_url(&c, &tok, err);
        xfree(tok); /* a stored endpoint never carries one */
    }
    if (rc) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err ? err->msg : "");
        nchannel_release(&c);
        return yw_fail(err, YW_EIO, "channel %lld: stored spec unreadable: %s", (long long)row->id,
                       why);
    }
    if (row->secrets) {
        json_t *s = json_loads(row->secrets, 0, &je);
        if (!json_is_object(s)) {
            json_decref(s);
            nchannel_release(&c);
            return yw_fail(err, YW_EIO, "channel %lld: stored secrets unreadable",
                           (long long)row->id);
        }
        char **dst[] = {&c.password, &c.token, &c.secret};
        for (int i = 0; i < 3; i++) {
            const char *v = json_string_value(json_object_get(s, secret_names[i]));
            if (v && (type_secrets[c.type] & (1u << i)))
                *dst[i] = xstrdup(v);
        }
        json_decref(s);
    }
    c.id = row->id;
    c.enabled = row->enabled;
    c.is_default = row->is_default;
    c.provisioned = row->provisioned;
    c.created = row->created;
    c.updated = row->updated;
    *out = c;
    return 0;
}

void nchannel_to_row(const struct nchannel *c, struct store_channel *row)
{
    memset(row, 0, sizeof *row);
    row->id = c->id;
    row->name = xstrdup(c->name);
    row->type = xstrdup(nch_type_name(c->type));
    row->enabled = c->enabled;
    row->is_default = c->is_default;
    row->provisioned = c->provisioned;
    row->spec = nchannel_spec_text(c);
    row->secrets = nchannel_secrets_text(c);
}

json_t *nchannel_answer(const struct nchannel *c)
{
    json_t *j = spec_json(c);
    json_object_set_new(j, "id", json_integer(c->id));
    json_object_set_new(j, "provisioned", json_boolean(c->provisioned));
    char t[64];
    time_format_rfc3339(c->created, t, sizeof t);
    json_object_set_new(j, "created", json_string(t));
    time_format_rfc3339(c->updated, t, sizeof t);
    json_object_set_new(j, "updated", json_string(t));
    json_object_set_new(j, "type_zh", json_string(nch_type_title_zh(c->type)));
    const char *vals[] = {c->password, c->token, c->secret};
    static const char *const set_names[] = {"password_set", "token_set", "secret_set"};
    for (int i = 0; i < 3; i++)
        if (type_secrets[c->type] & (1u << i)) {
            json_object_set_new(j, secret_names[i],
                                vals[i] ? json_string(NOTIFY_MASK) : json_null());
            json_object_set_new(j, set_names[i], json_boolean(vals[i] != NULL));
        }
    return j;
}
