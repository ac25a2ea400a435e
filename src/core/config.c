/*
 * config — the schema of yunwei's config, checked over a ynode tree.
 *
 * Sections: diagnostics; key sets and small checks; one parser per object
 * (system, monitor with one function per type, maintenance window), shared by
 * the file and the API; the file as a whole (cross references, duplicates);
 * the API entry points; canonical JSON out, with secrets masked; `config check`.
 */
#include "core/config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/yamlnode.h"
#include "core/jsonpath.h"

#define CONFIG_FILE_MAX (4u << 20)
#define CONFIG_OBJECTS_MAX 100000  /* systems, monitors or windows in one file */
#define STR_MAX 4096               /* any other free-text field */
#define KEYWORD_MAX 1024
#define HOST_MAX 253
#define HEADER_NAME_MAX 256
#define HEADER_VALUE_MAX 8192
#define QUERY_MAX 16384
#define SUGGEST_MAX 500            /* names searched for a "did you mean" */

/* ---------------------------------------------------------------- diagnostics */

void diag_release(struct diag *d)
{
    for (size_t i = 0; i < d->n; i++)
        xfree(d->lines[i]);
    xfree(d->lines);
    d->lines = NULL;
    d->n = d->cap = 0;
}

void diag_print(const struct diag *d, FILE *to)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(to, "%s\n", d->lines[i]);
    fflush(to);
}

static void diag_push(struct diag *d, char *line)
{
    if (!d) {
        xfree(line);
        return;
    }
    XGROW(d->lines, d->cap, d->n + 1);
    d->lines[d->n++] = line;
}

/* Moves the problems of a file, in file order, into diags. */
static void flush_file_problems(struct ynode_diag *yd, const char *file, struct diag *diags)
{
    ynode_diag_sort(yd);
    for (size_t i = 0; i < yd->n; i++) {
        const struct ynode_problem *p = &yd->v[i];
        if (p->line > 0)
            diag_push(diags, xasprintf("%s:%d:%d: %s", file, p->line, p->col, p->msg));
        else
            diag_push(diags, xasprintf("%s: %s", file, p->msg));
    }
    if (yd->dropped)
        diag_push(diags, xasprintf("%s: %zu more problems not shown", file, yd->dropped));
}

/* ---------------------------------------------------------------- key sets */

static const char *const k_top[] = {"retention_days", "systems", "monitors", "maintenance",
                                    "sla", "channels", "rules", "duty", NULL};
static const char *const k_system[] = {"name", "title", "tier", NULL};
static const char *const k_monitor[] = {"name", "system", "title", "type", "interval",
                                        "retry_interval", "timeout", "retries", "recover",
                                        "critical", "paused", NULL};
static const char *const k_http[] = {"url", "method", "headers", "body", "status", "keyword",
                                     "keyword_absent", "json", "max_latency",
                                     "follow_redirects", "max_redirects", "tls_verify", NULL};
static const char *const k_tls[] = {"host", "port", "min_days", "verify", NULL};
static const char *const k_tcp[] = {"host", "port", NULL};
static const char *const k_dns[] = {"host", "record", "expect", "server", NULL};
static const char *const k_ping[] = {"host", NULL};
static const char *const k_postgres[] = {"conninfo", "query", "expect", NULL};
static const char *const k_heartbeat[] = {"grace", "token", NULL};
static const char *const *const k_type[MT__COUNT] = {
    [MT_HTTP] = k_http, [MT_TLS] = k_tls, [MT_TCP] = k_tcp, [MT_DNS] = k_dns,
    [MT_PING] = k_ping, [MT_POSTGRES] = k_postgres, [MT_HEARTBEAT] = k_heartbeat,
};
static const char *const k_json_check[] = {"path", "exists", "equals", NULL};
static const char *const k_maint[] = {"name", "title", "systems", "monitors", "recurrence",
                                      "start", "end", "day", "zone", "from", "until", NULL};
/* What the API answers beside the spec; a PUT of a GET answer must pass. */
static const char *const k_readonly[] = {"id", "provisioned", "state", "state_since",
                                         "state_reason", "created", "updated", "push_url",
                                         "active", "next", NULL};
static const char *const k_readonly_system[] = {"monitors", NULL}; /* its monitor count */
static const char *const *const k_readonly_all[] = {k_readonly, NULL};

static bool in_set(const char *const *set, const char *key)
{
    for (; set && *set; set++)
        if (strcmp(*set, key) == 0)
            return true;
    return false;
}

/* Levenshtein distance, for "did you mean"; large for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return SIZE_MAX;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            bool same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t cost = same ? 0 : 1;
            size_t best = diag + cost;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            if (up + 1 < best)
                best = up + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* The closest candidate within a small distance, or NULL. */
static const char *closest(const char *word, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = SIZE_MAX, len = strlen(word);
    size_t limit = len <= 3 ? 1 : len <= 6 ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        size_t dist = edit_distance(word, cands[i]);
        if (dist <= limit && dist < bestd) {
            best = cands[i];
            bestd = dist;
        }
    }
    return best;
}

/* Writes "; did you mean \"x\"?" or "" into out. */
static void suggest(const char *word, const char *const *cands, size_t n, char *out, size_t sz)
{
    const char *best = n <= SUGGEST_MAX ? closest(word, cands, n) : NULL;
    if (best)
        snprintf(out, sz, "; did you mean \"%s\"?", best);
    else if (sz)
        out[0] = '\0';
}

struct vctx {
    struct ynode_diag *d;
    bool file; /* from the config file: provisioned; read-only API keys are unknown */
};

/* Whether the problem list is full, so costly wording (suggestions) can be
 * skipped; the problem is still counted. */
static bool diag_full(struct vctx *v)
{
    if (v->d->n < YNODE_DIAG_MAX)
        return false;
    v->d->dropped++;
    return true;
}

/* Reports every member of map whose key is in none of sets (NULL-terminated
 * list of key lists). ignore (for API bodies only) lists keys that are
 * read-only and skipped. other_sets name keys that belong to a sibling kind
 * (the other monitor types), for a sharper message; other_names names them. */
static void check_keys(struct vctx *v, const struct ynode *map, const char *const *const *sets,
                       const char *what, const char *const *const *ignore,
                       const char *const *const *other_sets, const char *const *other_names)
{
    const char *cands[64];
    size_t nc = 0;
    for (size_t s = 0; sets[s]; s++) {
        for (const char *const *k = sets[s]; *k && nc < 64; k++) {
            bool seen = false;
            for (size_t c = 0; c < nc && !seen; c++)
                seen = strcmp(cands[c], *k) == 0;
            if (!seen)
                cands[nc++] = *k;
        }
    }
    for (size_t i = 0; i < map->nkids; i++) {
        const struct ynode *m = map->kids[i];
        bool ok = false;
        for (size_t s = 0; sets[s] && !ok; s++)
            ok = in_set(sets[s], m->key);
        for (size_t s = 0; !v->file && ignore && ignore[s] && !ok; s++)
            ok = in_set(ignore[s], m->key);
        if (ok || m->kind == YN_BAD || diag_full(v))
            continue;
        struct buf list = BUF_INIT(2048);
        for (size_t c = 0; c < nc; c++)
            buf_addf(&list, "%s%s", c ? ", " : "", cands[c]);
        struct buf owners = BUF_INIT(256);
        for (size_t s = 0; other_sets && other_sets[s]; s++)
            if (in_set(other_sets[s], m->key))
                buf_addf(&owners, "%s%s", owners.len ? ", " : "", other_names[s]);
        if (owners.len) {
            ynode_err_key(v->d, m, "not a key of %s (it is for %s monitors); keys of %s: %s", what,
                          buf_str(&owners), what, buf_str(&list));
        } else {
            char hint[96];
            suggest(m->key, cands, nc, hint, sizeof hint);
            ynode_err_key(v->d, m, "unknown key%s (keys of %s: %s)", hint, what, buf_str(&list));
        }
        buf_release(&owners);
        buf_release(&list);
    }
}

/* ---------------------------------------------------------------- small checks */

/* Names: [a-z0-9][a-z0-9._-]{0,63} */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > YW_NAME_MAX || s[0] == '.' || s[0] == '_' || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static void bad_name(struct vctx *v, const struct ynode *n, const char *s)
{
    char q[128];
    ynode_quote(s, strlen(s), q, sizeof q);
    ynode_err(v->d, n, "%s is not a valid name: use 1 to %d of a-z 0-9 . _ -, starting with a "
                       "letter or digit", q, YW_NAME_MAX);
}

/* A name (the object's own or a reference) at map[key]. 1, 0 absent, -1 bad. */
static int get_name(struct vctx *v, const struct ynode *map, const char *key, char **out)
{
    char *s = NULL;
    int r = ynode_str(v->d, map, key, 1024, 0, &s);
    if (r <= 0)
        return r;
    if (!name_ok(s)) {
        bad_name(v, ynode_member(map, key), s);
        xfree(s);
        return -1;
    }
    *out = s;
    return 1;
}

static void need(struct vctx *v, const struct ynode *map, const char *key, const char *what)
{
    ynode_err_missing(v->d, map, key, "required for %s", what);
}

static void quote(const char *s, char *out, size_t n)
{
    ynode_quote(s, strlen(s), out, n);
}

/* A host name or an IP address; names in ASCII (IDNA names in xn-- form). */
static bool check_host(struct vctx *v, const struct ynode *n, const char *s)
{
    unsigned char a6[16];
    char q[128];
    quote(s, q, sizeof q);
    if (inet_pton(AF_INET, s, a6) == 1 || inet_pton(AF_INET6, s, a6) == 1)
        return true;
    if (strstr(s, "://")) {
        ynode_err(v->d, n, "%s is a URL; give only the host name", q);
        return false;
    }
    if (strlen(s) > HOST_MAX) {
        ynode_err(v->d, n, "too long for a host name (at most %d bytes)", HOST_MAX);
        return false;
    }
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p >= 0x80) {
            ynode_err(v->d, n, "%s: write an internationalised name in its xn-- (punycode) form",
                      q);
            return false;
        }
        if (*p == ':') {
            ynode_err(v->d, n, "%s is not a host name or IP address (give the port in port:)", q);
            return false;
        }
        if (!(isalnum(*p) || *p == '.' || *p == '-' || *p == '_')) {
            ynode_err(v->d, n, "%s is not a host name or IP address", q);
            return false;
        }
    }
    if (s[0] == '.' || s[0] == '-' || strstr(s, "..")) {
        ynode_err(v->d, n, "%s is not a host name or IP address", q);
        return false;
    }
    return true;
}

static int get_host(struct vctx *v, const struct ynode *map, const char *key, char **out)
{
    char *s = NULL;
    int r = ynode_str(v->d, map, key, 1024, YS_NONEMPTY, &s);
    if (r <= 0)
        return r;
    if (!check_host(v, ynode_member(map, key), s)) {
        xfree(s);
        return -1;
    }
    *out = s;
    return 1;
}

static bool check_url(struct vctx *v, const struct ynode *n, const char *s)
{
    char q[128];
    quote(s, q, sizeof q);
    const char *sep = strstr(s, "://");
    if (!sep) {
        ynode_err(v->d, n, "%s must start with http:// or https://", q);
        return false;
    }
    size_t sl = (size_t)(sep - s);
    if (!((sl == 4 && strncasecmp(s, "http", 4) == 0) ||
          (sl == 5 && strncasecmp(s, "https", 5) == 0))) {
        char scheme[40];
        ynode_quote(s, sl + 3, scheme, sizeof scheme);
        ynode_err(v->d, n, "scheme %s is not supported: use http:// or https://", scheme);
        return false;
    }
    for (const char *p = s; *p; p++) {
        if (*p == ' ' || *p == '\t') {
            ynode_err(v->d, n, "contains a space; write it as %%20");
            return false;
        }
    }
    /* curl knows what curl will accept */
    CURLU *u = curl_url();
    if (!u) {
        ynode_err(v->d, n, "cannot check the URL (out of memory)");
        return false;
    }
    CURLUcode rc = curl_url_set(u, CURLUPART_URL, s, 0);
    char *host = NULL;
    if (rc == CURLUE_OK)
        rc = curl_url_get(u, CURLUPART_HOST, &host, 0);
    bool ok = rc == CURLUE_OK && host && *host;
    if (!ok)
        ynode_err(v->d, n, "%s is not a valid URL: %s", q,
                  rc == CURLUE_OK ? "no host" : curl_url_strerror(rc));
    curl_free(host);
    curl_url_cleanup(u);
    return ok;
}

/* Resolver: "IP", "IP:port" or "[IPv6]:port". */
static bool check_server(const char *s)
{
    unsigned char a[16];
    char tmp[80];
    if (strlen(s) >= sizeof tmp)
        return false;
    if (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1)
        return true;
    const char *port;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return false;
        memcpy(tmp, s + 1, (size_t)(close - s - 1));
        tmp[close - s - 1] = '\0';
        if (inet_pton(AF_INET6, tmp, a) != 1)
            return false;
        port = close + 2;
    } else {
        const char *colon = strchr(s, ':');
        if (!colon)
            return false;
        memcpy(tmp, s, (size_t)(colon - s));
        tmp[colon - s] = '\0';
        if (inet_pton(AF_INET, tmp, a) != 1)
            return false;
        port = colon + 1;
    }
    if (!*port || strlen(port) > 5)
        return false;
    for (const char *p = port; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    long pn = strtol(port, NULL, 10);
    return pn >= 1 && pn <= 65535;
}

static bool digits_at(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static bool header_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!(isalnum(*p) || strchr("!#$%&'*+-.^_`|~", *p)))
            return false;
    return true;
}

static bool token_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 16 || n > 64)
        return false;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (!(isalnum(*p) || *p == '_' || *p == '-'))
            return false;
    return true;
}

/* A zone the tz database knows as a zone file (a directory like "Asia" is no zone). */
static bool zone_ok(const char *zone)
{
    if (!time_zone_valid(zone))
        return false;
    if (strcmp(zone, "UTC") == 0)
        return true;
    char path[128];
    struct stat st;
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static void upcase(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

/* ---------------------------------------------------------------- systems */

static void parse_system(struct vctx *v, const struct ynode *n, struct system_spec *s)
{
    const char *const *sets[] = {k_system, NULL};
    const char *const *ignore[] = {k_readonly, k_readonly_system, NULL};
    check_keys(v, n, sets, "a system", ignore, NULL, NULL);
    if (get_name(v, n, "name", &s->name) == 0)
        need(v, n, "name", "a system");
    ynode_str(v->d, n, "title", YW_TITLE_MAX, 0, &s->title);
    char *tier = NULL;
    s->tier = TIER_GENERAL;
    if (ynode_str(v->d, n, "tier", 64, 0, &tier) == 1) {
        if (strcmp(tier, "key") == 0) {
            s->tier = TIER_KEY;
        } else if (strcmp(tier, "general") != 0) {
            char q[128];
            quote(tier, q, sizeof q);
            ynode_err(v->d, ynode_member(n, "tier"),
                      "%s is not a tier: use key (重点保障) or general (一般保障)", q);
        }
    }
    xfree(tier);
    s->provisioned = v->file;
}

/* ---------------------------------------------------------------- monitors */

static const char *type_article(enum monitor_type t)
{
    static const char *const what[MT__COUNT] = {
        [MT_HTTP] = "an http monitor", [MT_TLS] = "a tls monitor", [MT_TCP] = "a tcp monitor",
        [MT_DNS] = "a dns monitor", [MT_PING] = "a ping monitor",
        [MT_POSTGRES] = "a postgres monitor", [MT_HEARTBEAT] = "a heartbeat monitor",
    };
    return what[t];
}

/* 200, "200" or "200-299"; codes 100..599. */
static bool parse_status_item(const struct ynode *it, struct status_range *r)
{
    if (it->kind == YN_INT) {
        r->lo = r->hi = it->i >= 100 && it->i <= 599 ? (int)it->i : -1;
        return r->lo > 0;
    }
    const char *s = it->text;
    if (it->kind != YN_STR || !(it->len == 3 || it->len == 7) || !digits_at(s, 3) ||
        (it->len == 7 && (s[3] != '-' || !digits_at(s + 4, 3))))
        return false;
    r->lo = atoi(s);
    r->hi = it->len == 7 ? atoi(s + 4) : r->lo;
    return r->lo >= 100 && r->lo <= 599 && r->hi >= 100 && r->hi <= 599;
}

static void parse_status(struct vctx *v, const struct ynode *map, struct monitor_spec *m)
{
    const struct ynode *list;
    int r = ynode_seq(v->d, map, "status", YW_LIST_MAX, &list);
    if (r == 1 && list->nkids == 0) {
        ynode_err(v->d, list, "must list at least one code, e.g. [200, \"300-399\"]");
        r = -1;
    }
    if (r != 1) {
        if (r == 0) {
            m->http.status = xcalloc(1, sizeof *m->http.status);
            m->http.status[0] = (struct status_range){200, 399};
            m->http.nstatus = 1;
        }
        return;
    }
    m->http.status = xcalloc(list->nkids, sizeof *m->http.status);
    for (size_t i = 0; i < list->nkids; i++) {
        const struct ynode *it = list->kids[i];
        struct status_range sr;
        if (it->kind == YN_BAD)
            continue;
        if (!parse_status_item(it, &sr)) {
            char q[128];
            bool scalar = it->kind == YN_INT || it->kind == YN_FLOAT || it->kind == YN_STR ||
                          it->kind == YN_BOOL;
            ynode_quote(scalar ? it->text : "", scalar ? it->len : 0, q, sizeof q);
            ynode_err(v->d, it, "%s is not a status code (100-599) or a range like \"200-299\"",
                      scalar ? q : ynode_kind_name(it->kind, v->d));
            continue;
        }
        if (sr.lo > sr.hi) {
            ynode_err(v->d, it, "the range %d-%d is backwards; write %d-%d", sr.lo, sr.hi, sr.hi,
                      sr.lo);
            continue;
        }
        m->http.status[m->http.nstatus++] = sr;
    }
}

static void parse_headers(struct vctx *v, const struct ynode *map, struct monitor_spec *m)
{
    const struct ynode *h;
    if (ynode_map(v->d, map, "headers", YW_LIST_MAX, &h) != 1)
        return;
    m->http.headers = xcalloc(h->nkids ? h->nkids : 1, sizeof *m->http.headers);
    for (size_t i = 0; i < h->nkids; i++) {
        const struct ynode *it = h->kids[i];
        char *val = NULL;
        if (!header_name_ok(it->key) || strlen(it->key) > HEADER_NAME_MAX) {
            char q[128];
            quote(it->key, q, sizeof q);
            ynode_err_key(v->d, it, "%s is not a valid header name", q);
            continue;
        }
        if (it->kind == YN_NULL) {
            ynode_err(v->d, it, "a header needs a value");
            continue;
        }
        if (ynode_item_str(v->d, it, HEADER_VALUE_MAX, 0, &val) != 1)
            continue;
        m->http.headers[m->http.nheaders].name = xstrdup(it->key);
        m->http.headers[m->http.nheaders].value = val;
        m->http.nheaders++;
    }
}

static void parse_json_checks(struct vctx *v, const struct ynode *map, struct monitor_spec *m)
{
    const struct ynode *list;
    if (ynode_seq(v->d, map, "json", YW_LIST_MAX, &list) != 1)
        return;
    m->http.json = xcalloc(list->nkids ? list->nkids : 1, sizeof *m->http.json);
    for (size_t i = 0; i < list->nkids; i++) {
        const struct ynode *it = list->kids[i];
        if (it->kind == YN_BAD)
            continue;
        if (it->kind != YN_MAP) {
            ynode_err(v->d, it, "expected %s like {path: data.total, exists: true}, got %s",
                      ynode_kind_name(YN_MAP, v->d), ynode_kind_name(it->kind, v->d));
            continue;
        }
        const char *const *sets[] = {k_json_check, NULL};
        check_keys(v, it, sets, "a json check", NULL, NULL, NULL);
        struct json_check c = {0};
        bool ok = true;
        int r = ynode_str(v->d, it, "path", 1024, YS_NONEMPTY, &c.path);
        if (r == 0)
            need(v, it, "path", "a json check");
        if (r == 1) {
            char why[200];
            if (jsonpath_validate(c.path, why, sizeof why) != 0) {
                char q[128];
                quote(c.path, q, sizeof q);
                ynode_err(v->d, ynode_member(it, "path"), "bad JSON path %s: %s", q, why);
                ok = false;
            }
        }
        ok = ok && r == 1;
        const struct ynode *eq = ynode_member(it, "equals");
        bool exists;
        int re = ynode_bool(v->d, it, "exists", &exists);
        if (eq && ynode_member(it, "exists")) {
            ynode_err_key(v->d, eq, "give exists or equals, not both");
            ok = false;
        } else if (eq) {
            c.op = JC_EQUALS;
            c.value = eq->kind == YN_BAD ? NULL : ynode_to_json(eq, v->d);
            ok = ok && c.value;
        } else if (re == 1) {
            c.op = JC_EXISTS;
            c.exists = exists;
        } else {
            if (re == 0)
                ynode_err_missing(v->d, it, "exists", "a json check needs exists: true|false or "
                                                      "equals: VALUE");
            ok = false;
        }
        if (!ok) {
            xfree(c.path);
            json_decref(c.value);
            continue;
        }
        m->http.json[m->http.njson++] = c;
    }
}

static void parse_http(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE",
                                          "OPTIONS", NULL};
    int r = ynode_str(v->d, n, "url", YW_URL_MAX, YS_NONEMPTY, &m->http.url);
    if (r == 0)
        need(v, n, "url", "an http monitor");
    if (r == 1 && !check_url(v, ynode_member(n, "url"), m->http.url)) {
        xfree(m->http.url);
        m->http.url = NULL;
    }
    if (ynode_str(v->d, n, "method", 16, YS_NONEMPTY, &m->http.method) == 1) {
        upcase(m->http.method);
        if (!in_set(methods, m->http.method)) {
            char q[64];
            quote(m->http.method, q, sizeof q);
            ynode_err(v->d, ynode_member(n, "method"),
                      "%s is not a method: use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS", q);
        }
    } else if (!m->http.method) {
        m->http.method = xstrdup("GET");
    }
    parse_headers(v, n, m);
    ynode_str(v->d, n, "body", YW_BODY_MAX, YS_MULTILINE, &m->http.body);
    parse_status(v, n, m);
    ynode_str(v->d, n, "keyword", KEYWORD_MAX, YS_MULTILINE | YS_NONEMPTY, &m->http.keyword);
    ynode_str(v->d, n, "keyword_absent", KEYWORD_MAX, YS_MULTILINE | YS_NONEMPTY,
              &m->http.keyword_absent);
    parse_json_checks(v, n, m);
    ynode_dur(v->d, n, "max_latency", 0, YW_INTERVAL_MAX, &m->http.max_latency);
    m->http.follow_redirects = true;
    ynode_bool(v->d, n, "follow_redirects", &m->http.follow_redirects);
    m->http.max_redirects = 5;
    ynode_int(v->d, n, "max_redirects", 0, 50, &m->http.max_redirects);
    m->http.tls_verify = true;
    ynode_bool(v->d, n, "tls_verify", &m->http.tls_verify);
}

static void parse_tls(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    if (get_host(v, n, "host", &m->tls.host) == 0)
        need(v, n, "host", "a tls monitor");
    m->tls.port = 443;
    ynode_int(v->d, n, "port", 1, 65535, &m->tls.port);
    m->tls.min_days = 14;
    ynode_int(v->d, n, "min_days", 0, 3650, &m->tls.min_days);
    m->tls.verify = true;
    ynode_bool(v->d, n, "verify", &m->tls.verify);
}

static void parse_tcp(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    if (get_host(v, n, "host", &m->tcp.host) == 0)
        need(v, n, "host", "a tcp monitor");
    if (ynode_int(v->d, n, "port", 1, 65535, &m->tcp.port) == 0)
        need(v, n, "port", "a tcp monitor");
}

static void parse_dns(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    /* the name to resolve is "host": "name" is the monitor's own name */
    if (get_host(v, n, "host", &m->dns.name) == 0)
        ynode_err_missing(v->d, n, "host", "required for a dns monitor (the name to resolve)");
    int family = AF_INET;
    if (ynode_str(v->d, n, "record", 16, YS_NONEMPTY, &m->dns.record) == 1) {
        upcase(m->dns.record);
        if (strcmp(m->dns.record, "AAAA") == 0) {
            family = AF_INET6;
        } else if (strcmp(m->dns.record, "A") != 0) {
            char q[64];
            quote(m->dns.record, q, sizeof q);
            ynode_err(v->d, ynode_member(n, "record"), "%s is not supported: use A or AAAA", q);
            family = 0;
        }
    } else if (!m->dns.record) {
        m->dns.record = xstrdup("A");
    }
    const struct ynode *list;
    if (ynode_seq(v->d, n, "expect", YW_LIST_MAX, &list) == 1) {
        m->dns.expect = xcalloc(list->nkids ? list->nkids : 1, sizeof *m->dns.expect);
        for (size_t i = 0; i < list->nkids; i++) {
            char *s = NULL;
            if (ynode_item_str(v->d, list->kids[i], 64, YS_NONEMPTY, &s) != 1)
                continue;
            unsigned char a[16];
            char canon[INET6_ADDRSTRLEN];
            if (family && inet_pton(family, s, a) == 1) {
                /* canonical text, so the probe can compare strings */
                inet_ntop(family, a, canon, sizeof canon);
                m->dns.expect[m->dns.nexpect++] = xstrdup(canon);
            } else if (family) {
                char q[128];
                quote(s, q, sizeof q);
                ynode_err(v->d, list->kids[i], "%s is not an %s address (record %s)", q,
                          family == AF_INET ? "IPv4" : "IPv6", m->dns.record);
            }
            xfree(s);
        }
    }
    if (ynode_str(v->d, n, "server", 80, YS_NONEMPTY, &m->dns.server) == 1 &&
        !check_server(m->dns.server)) {
        char q[128];
        quote(m->dns.server, q, sizeof q);
        ynode_err(v->d, ynode_member(n, "server"),
                  "%s is not a resolver address: use IP, IP:port or [IPv6]:port", q);
    }
}

static void parse_ping(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    if (get_host(v, n, "host", &m->ping.host) == 0)
        need(v, n, "host", "a ping monitor");
}

static void parse_postgres(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    if (ynode_str(v->d, n, "conninfo", STR_MAX, YS_NONEMPTY, &m->postgres.conninfo) == 0)
        need(v, n, "conninfo", "a postgres monitor");
    if (ynode_str(v->d, n, "query", QUERY_MAX, YS_MULTILINE | YS_NONEMPTY, &m->postgres.query) == 0)
        m->postgres.query = xstrdup("SELECT 1");
    ynode_str(v->d, n, "expect", STR_MAX, YS_MULTILINE, &m->postgres.expect);
}

static void parse_heartbeat(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    ynode_dur(v->d, n, "grace", 0, YW_INTERVAL_MAX, &m->heartbeat.grace);
    if (ynode_str(v->d, n, "token", 1024, 0, &m->heartbeat.token) == 1 &&
        !token_ok(m->heartbeat.token)) {
        ynode_err(v->d, ynode_member(n, "token"),
                  "a token is 16 to 64 of A-Z a-z 0-9 _ - (leave it out to have one generated)");
    }
}

static void (*const type_parser[MT__COUNT])(struct vctx *, const struct ynode *,
                                             struct monitor_spec *) = {
    [MT_HTTP] = parse_http, [MT_TLS] = parse_tls, [MT_TCP] = parse_tcp, [MT_DNS] = parse_dns,
    [MT_PING] = parse_ping, [MT_POSTGRES] = parse_postgres, [MT_HEARTBEAT] = parse_heartbeat,
};

/* Reads the type; -1 when absent or unknown (reported). */
static int monitor_type_of(struct vctx *v, const struct ynode *n)
{
    char *s = NULL;
    int r = ynode_str(v->d, n, "type", 64, 0, &s);
    if (r == 0)
        ynode_err_missing(v->d, n, "type",
                          "required: http, tls, tcp, dns, ping, postgres or heartbeat");
    if (r != 1)
        return -1;
    enum monitor_type t;
    if (monitor_type_parse(s, &t) != 0) {
        const char *names[MT__COUNT];
        for (int i = 0; i < MT__COUNT; i++)
            names[i] = monitor_type_name((enum monitor_type)i);
        char q[128], hint[96];
        quote(s, q, sizeof q);
        suggest(s, names, MT__COUNT, hint, sizeof hint);
        ynode_err(v->d, ynode_member(n, "type"),
                  "unknown type %s%s (types: http, tls, tcp, dns, ping, postgres, heartbeat)", q,
                  hint);
        xfree(s);
        return -1;
    }
    xfree(s);
    return (int)t;
}

static void parse_monitor(struct vctx *v, const struct ynode *n, struct monitor_spec *m)
{
    int type = monitor_type_of(v, n);
    m->type = type < 0 ? MT_HTTP : (enum monitor_type)type;
    if (type >= 0) {
        const char *const *sets[] = {k_monitor, k_type[type], NULL};
        const char *const *others[MT__COUNT];
        const char *names[MT__COUNT];
        size_t no = 0;
        for (int t = 0; t < MT__COUNT; t++) {
            if (t != type) {
                others[no] = k_type[t];
                names[no++] = monitor_type_name((enum monitor_type)t);
            }
        }
        others[no] = NULL;
        check_keys(v, n, sets, type_article((enum monitor_type)type), k_readonly_all, others,
                   names);
    } else {
        /* without a type only keys of no type at all are surely wrong */
        const char *const *sets[MT__COUNT + 2] = {k_monitor};
        for (int t = 0; t < MT__COUNT; t++)
            sets[t + 1] = k_type[t];
        check_keys(v, n, sets, "a monitor", k_readonly_all, NULL, NULL);
    }

    if (get_name(v, n, "name", &m->name) == 0)
        need(v, n, "name", "a monitor");
    if (get_name(v, n, "system", &m->system) == 0)
        ynode_err_missing(v->d, n, "system", "required: the name of the system it belongs to");
    ynode_str(v->d, n, "title", YW_TITLE_MAX, 0, &m->title);

    m->interval = 60 * MS_PER_S;
    bool interval_ok = ynode_dur(v->d, n, "interval", YW_INTERVAL_MIN, YW_INTERVAL_MAX,
                                 &m->interval) >= 0;
    m->retry_interval = m->interval;
    ynode_dur(v->d, n, "retry_interval", YW_INTERVAL_MIN, YW_INTERVAL_MAX, &m->retry_interval);
    m->timeout = 10 * MS_PER_S < m->interval ? 10 * MS_PER_S : m->interval;
    if (ynode_dur(v->d, n, "timeout", 100, YW_INTERVAL_MAX, &m->timeout) == 1 && interval_ok &&
        m->timeout > m->interval) {
        char t[32], i[32];
        time_format_duration(m->timeout, t, sizeof t);
        time_format_duration(m->interval, i, sizeof i);
        ynode_err(v->d, ynode_member(n, "timeout"), "%s is longer than the interval (%s)", t, i);
    }
    m->retries = 2;
    ynode_int(v->d, n, "retries", 1, 100, &m->retries);
    m->recover = 1;
    ynode_int(v->d, n, "recover", 1, 100, &m->recover);
    ynode_bool(v->d, n, "critical", &m->critical);
    ynode_bool(v->d, n, "paused", &m->paused);
    m->provisioned = v->file;
    if (type >= 0)
        type_parser[type](v, n, m);
}

/* ---------------------------------------------------------------- maintenance */

static const char *const day_names[7] = {"sunday", "monday", "tuesday", "wednesday",
                                         "thursday", "friday", "saturday"};

static int weekday_parse(const char *s)
{
    static const char *const zh[] = {"日天", "一", "二", "三", "四", "五", "六"};
    for (int d = 0; d < 7; d++) {
        if (strcasecmp(s, day_names[d]) == 0 ||
            (strlen(s) == 3 && strncasecmp(s, day_names[d], 3) == 0))
            return d;
        /* 周X, 星期X, and 日/天 both for Sunday */
        const char *rest = strncmp(s, "周", strlen("周")) == 0       ? s + strlen("周")
                           : strncmp(s, "星期", strlen("星期")) == 0 ? s + strlen("星期")
                                                                      : NULL;
        if (!rest)
            continue;
        const char *c = zh[d];
        size_t cl = strlen("一"); /* every CJK character here is 3 bytes */
        for (; *c; c += cl)
            if (strlen(rest) == cl && strncmp(rest, c, cl) == 0)
                return d;
    }
    return -1;
}

/* "HH:MM" -> minutes after midnight, -1 if malformed. */
static int hhmm_parse(const char *s)
{
    int h, m, used = 0;
    if (!isdigit((unsigned char)s[0]) || sscanf(s, "%2d:%2d%n", &h, &m, &used) != 2 ||
        s[used] != '\0')
        return -1;
    size_t colon = (size_t)(strchr(s, ':') - s);
    if (strlen(s) - colon != 3 || !isdigit((unsigned char)s[colon + 1]))
        return -1;
    if (h < 0 || h > 23 || m < 0 || m > 59)
        return -1;
    return h * 60 + m;
}

/* Instants of maintenance windows lie in [2000, 9000): nothing earlier makes
 * sense, and before 1972 some zones had offsets with seconds (local mean
 * time) that RFC 3339 cannot write, so a window would not survive its own
 * JSON; the upper margin keeps every zone's rendering to four-digit years. */
#define INSTANT_MIN 946684800000LL    /* 2000-01-01T00:00:00Z */
#define INSTANT_MAX 221845392000000LL /* 9000-01-01T00:00:00Z */

/* "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" (T or space) in zone, or RFC 3339 with
 * an offset. 0, or -1 if malformed. */
static int instant_parse(const char *s, const char *zone, ms_t *out)
{
    size_t n = strlen(s);
    bool local = (n == 10 || n == 16 || n == 19) && digits_at(s, 4) && s[4] == '-' &&
                 digits_at(s + 5, 2) && s[7] == '-' && digits_at(s + 8, 2);
    if (local && n > 10)
        local = (s[10] == ' ' || s[10] == 'T') && digits_at(s + 11, 2) && s[13] == ':' &&
                digits_at(s + 14, 2) && (n == 16 || (s[16] == ':' && digits_at(s + 17, 2)));
    if (!local)
        return time_parse_rfc3339(s, out);
    struct civil c = {0};
    c.year = atoi(s);
    c.month = atoi(s + 5);
    c.day = atoi(s + 8);
    if (n > 10) {
        c.hour = atoi(s + 11);
        c.min = atoi(s + 14);
        c.sec = n == 19 ? atoi(s + 17) : 0;
    }
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (c.year % 4 == 0 && c.year % 100 != 0) || c.year % 400 == 0;
    if (c.year < 1970 || c.month < 1 || c.month > 12 || c.day < 1 || c.day > mdays[c.month - 1] ||
        (c.month == 2 && c.day == 29 && !leap) || c.hour > 23 || c.min > 59 || c.sec > 59)
        return -1;
    *out = time_from_civil(&c, zone);
    return 0;
}

static int get_instant(struct vctx *v, const struct ynode *n, const char *key, const char *zone,
                       ms_t *out)
{
    char *s = NULL;
    int r = ynode_str(v->d, n, key, 64, YS_NONEMPTY, &s);
    if (r != 1)
        return r;
    ms_t t;
    char q[128];
    quote(s, q, sizeof q);
    if (instant_parse(s, zone, &t) != 0) {
        ynode_err(v->d, ynode_member(n, key), "%s is not a date and time: write \"2026-11-25 "
                                              "02:00\" (in zone) or RFC 3339", q);
        r = -1;
    } else if (t < INSTANT_MIN || t >= INSTANT_MAX) {
        ynode_err(v->d, ynode_member(n, key), "%s is not between the years 2000 and 8999", q);
        r = -1;
    } else {
        *out = t;
    }
    xfree(s);
    return r;
}

static int get_hhmm(struct vctx *v, const struct ynode *n, const char *key, int *out)
{
    char *s = NULL;
    int r = ynode_str(v->d, n, key, 64, YS_NONEMPTY, &s);
    if (r != 1)
        return r;
    int mins = hhmm_parse(s);
    if (mins < 0) {
        char q[128];
        quote(s, q, sizeof q);
        ynode_err(v->d, ynode_member(n, key),
                  "%s is not a time of day: write HH:MM, e.g. \"02:00\"", q);
        r = -1;
    } else {
        *out = mins;
    }
    xfree(s);
    return r;
}

/* A list of names at map[key] into *out / *n. */
static void get_names(struct vctx *v, const struct ynode *map, const char *key, char ***out,
                      size_t *n)
{
    const struct ynode *list;
    if (ynode_seq(v->d, map, key, YW_LIST_MAX, &list) != 1)
        return;
    *out = xcalloc(list->nkids ? list->nkids : 1, sizeof **out);
    for (size_t i = 0; i < list->nkids; i++) {
        char *s = NULL;
        if (ynode_item_str(v->d, list->kids[i], 1024, 0, &s) != 1)
            continue;
        if (!name_ok(s)) {
            bad_name(v, list->kids[i], s);
            xfree(s);
            continue;
        }
        (*out)[(*n)++] = s;
    }
}

static void parse_day(struct vctx *v, const struct ynode *n, struct maint_spec *w)
{
    const struct ynode *d = ynode_member(n, "day");
    bool given = d && d->kind != YN_NULL;
    if (w->recurrence != MR_WEEKLY && w->recurrence != MR_MONTHLY) {
        if (given)
            ynode_err_key(v->d, d, "only weekly and monthly windows have a day");
        return;
    }
    if (!given) {
        ynode_err_missing(v->d, n, "day", w->recurrence == MR_WEEKLY
                                              ? "required for a weekly window: sunday..saturday"
                                              : "required for a monthly window: 1..31 or last");
        return;
    }
    if (d->kind == YN_BAD)
        return;
    if (w->recurrence == MR_WEEKLY) {
        int wd = d->kind == YN_STR ? weekday_parse(d->text) : -1;
        if (wd < 0) {
            char got[128];
            ynode_quote(d->text ? d->text : "", d->text ? d->len : 0, got, sizeof got);
            ynode_err(v->d, d, "%s is not a day of the week: sunday..saturday, sun..sat or "
                               "周日..周六", got);
            return;
        }
        w->day = wd;
        return;
    }
    if (d->kind == YN_STR && strcmp(d->text, "last") == 0) {
        w->day = -1;
    } else if (d->kind == YN_INT && d->i >= 1 && d->i <= 31) {
        w->day = (int)d->i;
    } else {
        char got[128];
        if (d->kind == YN_INT)
            snprintf(got, sizeof got, "%lld", d->i);
        else
            ynode_quote(d->text ? d->text : "", d->text ? d->len : 0, got, sizeof got);
        ynode_err(v->d, d, "%s is not a day of the month: 1..31 or last", got);
    }
}

static void parse_maint(struct vctx *v, const struct ynode *n, struct maint_spec *w)
{
    static const char *const recs[] = {"once", "daily", "weekly", "monthly", NULL};
    const char *const *sets[] = {k_maint, NULL};
    check_keys(v, n, sets, "a maintenance window", k_readonly_all, NULL, NULL);
    if (get_name(v, n, "name", &w->name) == 0)
        need(v, n, "name", "a maintenance window");
    ynode_str(v->d, n, "title", YW_TITLE_MAX, 0, &w->title);
    size_t before = ynode_diag_count(v->d);
    get_names(v, n, "systems", &w->systems, &w->nsystems);
    get_names(v, n, "monitors", &w->monitors, &w->nmonitors);
    if (!w->nsystems && !w->nmonitors && ynode_diag_count(v->d) == before)
        ynode_err_missing(v->d, n, "systems", "a window needs systems: [...] or monitors: [...]");
    w->provisioned = v->file;

    bool zone_bad = false;
    if (ynode_str(v->d, n, "zone", 64, YS_NONEMPTY, &w->zone) == 1 && !zone_ok(w->zone)) {
        char q[128];
        quote(w->zone, q, sizeof q);
        ynode_err(v->d, ynode_member(n, "zone"),
                  "unknown time zone %s: use a tz database name like Asia/Shanghai", q);
        zone_bad = true;
    }
    char *rec = NULL;
    int rr = ynode_str(v->d, n, "recurrence", 32, 0, &rec);
    if (rr == 0)
        ynode_err_missing(v->d, n, "recurrence", "required: once, daily, weekly or monthly");
    int r = -1;
    for (int i = 0; rr == 1 && recs[i]; i++)
        if (strcmp(rec, recs[i]) == 0)
            r = i;
    if (rr == 1 && r < 0) {
        char q[128], hint[96];
        quote(rec, q, sizeof q);
        suggest(rec, recs, 4, hint, sizeof hint);
        ynode_err(v->d, ynode_member(n, "recurrence"),
                  "%s is not a recurrence%s (once, daily, weekly or monthly)", q, hint);
    }
    xfree(rec);
    if (r < 0)
        return; /* start/end cannot be read without knowing what they are */
    w->recurrence = (enum maint_recurrence)r;
    parse_day(v, n, w);

    if (w->recurrence == MR_ONCE) {
        if (zone_bad)
            return; /* local times in an unknown zone mean nothing */
        int a = get_instant(v, n, "start", w->zone, &w->once_start);
        int b = get_instant(v, n, "end", w->zone, &w->once_end);
        if (a == 0)
            need(v, n, "start", "a window");
        if (b == 0)
            need(v, n, "end", "a window");
        if (a == 1 && b == 1 && w->once_end <= w->once_start)
            ynode_err(v->d, ynode_member(n, "end"), "the window ends %s it starts",
                      w->once_end == w->once_start ? "when" : "before");
        for (const char *const *k = (const char *const[]){"from", "until", NULL}; *k; k++) {
            const struct ynode *m = ynode_member(n, *k);
            if (m && m->kind != YN_NULL)
                ynode_err_key(v->d, m, "only recurring windows have from/until; a once window "
                                       "has start and end");
        }
        return;
    }
    if (get_hhmm(v, n, "start", &w->start_min) == 0)
        need(v, n, "start", "a window (HH:MM)");
    if (get_hhmm(v, n, "end", &w->end_min) == 0)
        need(v, n, "end", "a window (HH:MM)");
    if (zone_bad)
        return;
    int a = get_instant(v, n, "from", w->zone, &w->valid_from);
    int b = get_instant(v, n, "until", w->zone, &w->valid_until);
    if (a == 1 && b == 1 && w->valid_until <= w->valid_from)
        ynode_err(v->d, ynode_member(n, "until"), "until must be after from");
}

/* ---------------------------------------------------------------- the file */

struct named {
    const char *name;
    const struct ynode *at; /* where the name was written */
};

static int named_cmp(const void *a, const void *b)
{
    const struct named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    return x->at->line != y->at->line ? (x->at->line < y->at->line ? -1 : 1)
                                      : (x->at->col < y->at->col ? -1 : x->at->col > y->at->col);
}

struct index {
    struct named *v;
    size_t n;
};

/* Sorts the entries and reports each repeat at the repeat. what NULL: the
 * entries are secrets (tokens), not to be shown. */
static void index_build(struct vctx *v, struct index *ix, const char *what)
{
    if (ix->n > 1)
        qsort(ix->v, ix->n, sizeof ix->v[0], named_cmp);
    for (size_t i = 1; i < ix->n; i++) {
        if (strcmp(ix->v[i].name, ix->v[i - 1].name) != 0)
            continue;
        size_t first = i - 1;
        while (first > 0 && strcmp(ix->v[first - 1].name, ix->v[i].name) == 0)
            first--;
        char q[128];
        quote(ix->v[i].name, q, sizeof q);
        v->d->base = ix->v[i].at->parent; /* the object: the path reads "name" */
        if (what)
            ynode_err(v->d, ix->v[i].at, "%s %s is already defined at line %d", what, q,
                      ix->v[first].at->line);
        else
            ynode_err(v->d, ix->v[i].at, "the same token as the heartbeat monitor at line %d; "
                                         "each needs its own", ix->v[first].at->line);
    }
}

static bool index_has(const struct index *ix, const char *name)
{
    size_t lo = 0, hi = ix->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ix->v[mid].name, name);
        if (c == 0)
            return true;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

static void unknown_ref(struct vctx *v, const struct index *ix, const struct ynode *at,
                        const char *what, const char *name)
{
    if (diag_full(v))
        return;
    char q[128], hint[96] = "";
    quote(name, q, sizeof q);
    if (ix->n <= SUGGEST_MAX) {
        const char **cands = xcalloc(ix->n ? ix->n : 1, sizeof *cands);
        for (size_t i = 0; i < ix->n; i++)
            cands[i] = ix->v[i].name;
        suggest(name, cands, ix->n, hint, sizeof hint);
        xfree(cands);
    }
    ynode_err(v->d, at, "unknown %s %s%s", what, q, hint);
}

struct file_state {
    struct config *c;
    const struct ynode **sys_at, **mon_at, **win_at; /* each object's node */
};

/* A top-level list: each item through parse, base set to the item. */
static const struct ynode *top_list(struct vctx *v, const struct ynode *root, const char *key)
{
    const struct ynode *list;
    v->d->base = root;
    if (ynode_seq(v->d, root, key, CONFIG_OBJECTS_MAX, &list) != 1)
        return NULL;
    return list;
}

static bool item_is_map(struct vctx *v, const struct ynode *it, const char *example)
{
    v->d->base = it->parent->parent;
    if (it->kind == YN_BAD)
        return false;
    if (it->kind != YN_MAP) {
        char got[160];
        if (it->kind == YN_STR) {
            char q[128];
            ynode_quote(it->text, it->len, q, sizeof q);
            snprintf(got, sizeof got, "string %s", q);
        } else {
            snprintf(got, sizeof got, "%s", ynode_kind_name(it->kind, v->d));
        }
        ynode_err(v->d, it, "expected a mapping like {%s}, got %s", example, got);
        return false;
    }
    v->d->base = it;
    return true;
}

static void check_references(struct vctx *v, struct file_state *fs)
{
    struct config *c = fs->c;
    struct index sys = {xcalloc(c->nsystems + 1, sizeof(struct named)), 0};
    struct index mon = {xcalloc(c->nmonitors + 1, sizeof(struct named)), 0};
    struct index win = {xcalloc(c->nmaint + 1, sizeof(struct named)), 0};
    struct index tok = {xcalloc(c->nmonitors + 1, sizeof(struct named)), 0};
    v->d->base = NULL;

    for (size_t i = 0; i < c->nsystems; i++)
        if (c->systems[i].name)
            sys.v[sys.n++] =
                (struct named){c->systems[i].name, ynode_member(fs->sys_at[i], "name")};
    for (size_t i = 0; i < c->nmonitors; i++) {
        const struct monitor_spec *m = &c->monitors[i];
        if (m->name)
            mon.v[mon.n++] = (struct named){m->name, ynode_member(fs->mon_at[i], "name")};
        if (m->type == MT_HEARTBEAT && m->heartbeat.token)
            tok.v[tok.n++] =
                (struct named){m->heartbeat.token, ynode_member(fs->mon_at[i], "token")};
    }
    for (size_t i = 0; i < c->nmaint; i++)
        if (c->maint[i].name)
            win.v[win.n++] = (struct named){c->maint[i].name, ynode_member(fs->win_at[i], "name")};

    index_build(v, &sys, "system");
    index_build(v, &mon, "monitor");
    index_build(v, &win, "maintenance window");
    index_build(v, &tok, NULL);

    for (size_t i = 0; i < c->nmonitors; i++) {
        const struct monitor_spec *m = &c->monitors[i];
        v->d->base = fs->mon_at[i];
        if (m->system && !index_has(&sys, m->system))
            unknown_ref(v, &sys, ynode_member(fs->mon_at[i], "system"), "system", m->system);
    }
    for (size_t i = 0; i < c->nmaint; i++) {
        const struct ynode *at = fs->win_at[i];
        v->d->base = at;
        /* items that failed their own check are not in the arrays: match by text */
        const struct ynode *ls = ynode_member(at, "systems"), *lm = ynode_member(at, "monitors");
        for (size_t k = 0; ls && ls->kind == YN_SEQ && k < ls->nkids; k++) {
            const struct ynode *it = ls->kids[k];
            if (it->kind == YN_STR && name_ok(it->text) && !index_has(&sys, it->text))
                unknown_ref(v, &sys, it, "system", it->text);
        }
        for (size_t k = 0; lm && lm->kind == YN_SEQ && k < lm->nkids; k++) {
            const struct ynode *it = lm->kids[k];
            if (it->kind == YN_STR && name_ok(it->text) && !index_has(&mon, it->text))
                unknown_ref(v, &mon, it, "monitor", it->text);
        }
    }
    xfree(sys.v);
    xfree(mon.v);
    xfree(win.v);
    xfree(tok.v);
}

/* A section another subsystem validates (model.h: struct config_section):
 * only its shape is checked here (a mapping or a list of mappings), the
 * rest by its owner. */
static void keep_section(struct vctx *v, const struct ynode *root, const char *key, bool list,
                         struct config_section *out)
{
    const struct ynode *n = ynode_member(root, key);
    if (!n)
        return;
    v->d->base = root;
    if (n->kind != (list ? YN_SEQ : YN_MAP)) {
        ynode_err(v->d, n, "%s: expected %s", key, list ? "a list" : "a mapping");
        return;
    }
    if (list && n->nkids > CONFIG_OBJECTS_MAX) {
        ynode_err(v->d, n, "%s: more than %d items", key, CONFIG_OBJECTS_MAX);
        return;
    }
    json_t *j = ynode_to_json(n, v->d);
    if (!j)
        return;
    out->json = j;
    out->line = n->key_line ? n->key_line : n->line;
    out->col = n->key_line ? n->key_col : n->col;
    if (list) {
        out->item_lines = xcalloc(n->nkids + 1, sizeof *out->item_lines);
        out->nitems = n->nkids;
        for (size_t i = 0; i < n->nkids; i++)
            out->item_lines[i] = n->kids[i]->line;
    }
}

static void parse_file(struct vctx *v, const struct ynode *root, struct file_state *fs)
{
    struct config *c = fs->c;
    c->retention_days = 30;
    v->d->base = root;
    if (root->kind == YN_BAD)
        return; /* an alias, already reported */
    if (root->kind != YN_MAP) {
        char got[160];
        snprintf(got, sizeof got, "%s", ynode_kind_name(root->kind, v->d));
        ynode_err(v->d, root, "the file must be a mapping with systems:, monitors: and "
                              "maintenance:, not %s", got);
        return;
    }
    const char *const *sets[] = {k_top, NULL};
    check_keys(v, root, sets, "the config file", NULL, NULL, NULL);
    ynode_int(v->d, root, "retention_days", 1, 3650, &c->retention_days);

    const struct ynode *list = top_list(v, root, "systems");
    if (list) {
        c->systems = xcalloc(list->nkids + 1, sizeof *c->systems);
        fs->sys_at = xcalloc(list->nkids + 1, sizeof *fs->sys_at);
        for (size_t i = 0; i < list->nkids; i++) {
            if (!item_is_map(v, list->kids[i], "name: portal, tier: key"))
                continue;
            fs->sys_at[c->nsystems] = list->kids[i];
            parse_system(v, list->kids[i], &c->systems[c->nsystems++]);
        }
    }
    list = top_list(v, root, "monitors");
    if (list) {
        c->monitors = xcalloc(list->nkids + 1, sizeof *c->monitors);
        fs->mon_at = xcalloc(list->nkids + 1, sizeof *fs->mon_at);
        for (size_t i = 0; i < list->nkids; i++) {
            if (!item_is_map(v, list->kids[i], "name: ..., system: ..., type: http, url: ..."))
                continue;
            fs->mon_at[c->nmonitors] = list->kids[i];
            parse_monitor(v, list->kids[i], &c->monitors[c->nmonitors++]);
        }
    }
    list = top_list(v, root, "maintenance");
    if (list) {
        c->maint = xcalloc(list->nkids + 1, sizeof *c->maint);
        fs->win_at = xcalloc(list->nkids + 1, sizeof *fs->win_at);
        for (size_t i = 0; i < list->nkids; i++) {
            if (!item_is_map(v, list->kids[i], "name: ..., systems: [...], recurrence: ..."))
                continue;
            fs->win_at[c->nmaint] = list->kids[i];
            parse_maint(v, list->kids[i], &c->maint[c->nmaint++]);
        }
    }
    check_references(v, fs);
    keep_section(v, root, "sla", false, &c->sla);
    keep_section(v, root, "channels", true, &c->channels);
    keep_section(v, root, "rules", true, &c->rules);
    keep_section(v, root, "duty", false, &c->duty);
}

int config_load_buffer(const char *name, const char *data, size_t len, struct config *out,
                       struct diag *diags)
{
    memset(out, 0, sizeof *out);
    if (len > CONFIG_FILE_MAX) {
        diag_push(diags, xasprintf("%s: the file is %zu bytes; the limit is 4 MiB", name, len));
        return -1;
    }
    struct ynode_diag yd = YNODE_DIAG_INIT(name);
    struct ynode *root = NULL;
    int rc = ynode_parse_yaml(data, len, &root, &yd);
    if (rc == 0 && root && root->kind != YN_NULL) {
        struct vctx v = {&yd, true};
        struct file_state fs = {out, NULL, NULL, NULL};
        parse_file(&v, root, &fs);
        xfree(fs.sys_at);
        xfree(fs.mon_at);
        xfree(fs.win_at);
    } else if (rc == 0) {
        out->retention_days = 30; /* an empty document is an empty config */
    }
    ynode_free(root);
    rc = ynode_diag_count(&yd) ? -1 : 0;
    flush_file_problems(&yd, name, diags);
    ynode_diag_release(&yd);
    if (rc)
        config_release(out);
    return rc;
}

int config_load_file(const char *path, struct config *out, struct diag *diags)
{
    memset(out, 0, sizeof *out);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        diag_push(diags, xasprintf("%s: cannot open: %s", path, strerror(errno)));
        return -1;
    }
    /* read at most one byte past the limit: a pipe has no size to ask for */
    size_t cap = 64 * 1024, len = 0;
    char *data = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap > CONFIG_FILE_MAX)
                break;
            cap = cap * 2 > CONFIG_FILE_MAX + 1 ? CONFIG_FILE_MAX + 1 : cap * 2;
            data = xrealloc(data, cap);
        }
        ssize_t r = read(fd, data + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            diag_push(diags, xasprintf("%s: cannot read: %s", path, strerror(errno)));
            close(fd);
            xfree(data);
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    int rc;
    if (len > CONFIG_FILE_MAX) {
        diag_push(diags, xasprintf("%s: the file is larger than 4 MiB", path));
        rc = -1;
    } else {
        rc = config_load_buffer(path, data, len, out, diags);
    }
    xfree(data);
    return rc;
}

/* ---------------------------------------------------------------- API bodies */

typedef void (*object_parser)(struct vctx *, const struct ynode *, void *);

static void system_parser(struct vctx *v, const struct ynode *n, void *out)
{
    parse_system(v, n, out);
}

static void monitor_parser(struct vctx *v, const struct ynode *n, void *out)
{
    parse_monitor(v, n, out);
}

static void maint_parser(struct vctx *v, const struct ynode *n, void *out)
{
    parse_maint(v, n, out);
}

/* Runs parse over a JSON object; on any problem reports the first in err. */
static int from_json(const json_t *j, object_parser parse, void *out, struct yw_err *err)
{
    struct ynode_diag yd = YNODE_DIAG_INIT(NULL);
    struct vctx v = {&yd, false};
    struct ynode *root = j ? ynode_from_json(j, &yd) : NULL;
    if (root && root->kind == YN_MAP) {
        yd.base = root;
        parse(&v, root, out);
    } else if (root || !j) {
        ynode_err_at(&yd, 0, 0, "", "the body must be a JSON object");
    }
    ynode_free(root);
    int rc = 0;
    if (ynode_diag_count(&yd)) {
        const struct ynode_problem *p = yd.n ? &yd.v[0] : NULL;
        yw_fail_field(err, YW_EINVAL, p ? p->field : "", "%s", p ? p->msg : "invalid");
        rc = -1;
    }
    ynode_diag_release(&yd);
    return rc;
}

int config_system_from_json(const json_t *j, struct system_spec *out, struct yw_err *err)
{
    memset(out, 0, sizeof *out);
    if (from_json(j, system_parser, out, err) == 0)
        return 0;
    system_spec_release(out);
    return -1;
}

int config_monitor_from_json(const json_t *j, struct monitor_spec *out, struct yw_err *err)
{
    memset(out, 0, sizeof *out);
    if (from_json(j, monitor_parser, out, err) == 0)
        return 0;
    monitor_spec_release(out);
    return -1;
}

int config_maint_from_json(const json_t *j, struct maint_spec *out, struct yw_err *err)
{
    memset(out, 0, sizeof *out);
    if (from_json(j, maint_parser, out, err) == 0)
        return 0;
    maint_spec_release(out);
    return -1;
}

/* ---------------------------------------------------------------- JSON out */

#define MASK "***"

static void set_str(json_t *o, const char *key, const char *s)
{
    if (s)
        json_object_set_new(o, key, json_string(s));
}

static void set_dur(json_t *o, const char *key, ms_t d)
{
    char buf[64];
    time_format_duration(d, buf, sizeof buf);
    json_object_set_new(o, key, json_string(buf));
}

static void set_time(json_t *o, const char *key, ms_t t)
{
    char buf[64];
    time_format_rfc3339(t, buf, sizeof buf);
    json_object_set_new(o, key, json_string(buf));
}

static json_t *str_array(char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* Copies s with [from, to) replaced by "***". */
static void splice_mask(struct buf *b, const char *s, size_t from, size_t to)
{
    buf_add(b, s, from);
    buf_adds(b, MASK);
    buf_adds(b, s + to);
}

static bool secret_param(const char *k, size_t n)
{
    return (n == 8 && strncmp(k, "password", 8) == 0) ||
           (n == 11 && strncmp(k, "sslpassword", 11) == 0);
}

/* libpq URI: postgresql://user:PASS@host/db?password=PASS */
static char *mask_conninfo_uri(const char *s)
{
    struct buf out = BUF_INIT(1 << 20);
    const char *auth = strstr(s, "://") + 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    const char *rest = auth;
    if (colon && colon + 1 < at) {
        buf_add(&out, s, (size_t)(colon + 1 - s));
        buf_adds(&out, MASK);
        rest = at;
    } else {
        buf_add(&out, s, (size_t)(auth - s));
    }
    /* the query string may carry password= too */
    const char *q = strchr(rest, '?');
    if (!q) {
        buf_adds(&out, rest);
        return buf_take(&out);
    }
    buf_add(&out, rest, (size_t)(q + 1 - rest));
    const char *p = q + 1;
    while (*p) {
        size_t plen = strcspn(p, "&#");
        const char *eq = memchr(p, '=', plen);
        if (eq && secret_param(p, (size_t)(eq - p))) {
            buf_add(&out, p, (size_t)(eq + 1 - p));
            buf_adds(&out, MASK);
        } else {
            buf_add(&out, p, plen);
        }
        p += plen;
        if (*p) {
            buf_add(&out, p, 1);
            p++;
        }
    }
    return buf_take(&out);
}

/* libpq key=value: password=PASS or password = 'P A\'SS' */
static char *mask_conninfo_kv(const char *s)
{
    char *cur = xstrdup(s);
    size_t i = 0;
    for (;;) {
        while (cur[i] && isspace((unsigned char)cur[i]))
            i++;
        if (!cur[i])
            break;
        size_t k0 = i;
        while (cur[i] && cur[i] != '=' && !isspace((unsigned char)cur[i]))
            i++;
        size_t klen = i - k0;
        while (cur[i] && isspace((unsigned char)cur[i]))
            i++;
        if (cur[i] != '=')
            break; /* not key=value: libpq would refuse it too */
        i++;
        while (cur[i] && isspace((unsigned char)cur[i]))
            i++;
        size_t v0 = i;
        if (cur[i] == '\'') {
            i++;
            while (cur[i] && cur[i] != '\'') {
                if (cur[i] == '\\' && cur[i + 1])
                    i++;
                i++;
            }
            if (cur[i])
                i++;
        } else {
            while (cur[i] && !isspace((unsigned char)cur[i])) {
                if (cur[i] == '\\' && cur[i + 1])
                    i++;
                i++;
            }
        }
        if (secret_param(cur + k0, klen) && i > v0) {
            struct buf b = BUF_INIT(1 << 20);
            splice_mask(&b, cur, v0, i);
            xfree(cur);
            cur = buf_take(&b);
            i = v0 + strlen(MASK);
        }
    }
    return cur;
}

static char *mask_conninfo(const char *s)
{
    if (strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0)
        return mask_conninfo_uri(s);
    return mask_conninfo_kv(s);
}

/* http(s)://user:PASS@host/ */
static char *mask_url(const char *s)
{
    const char *auth = strstr(s, "://");
    if (!auth)
        return xstrdup(s);
    auth += 3;
    size_t alen = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + alen; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon || colon + 1 == at)
        return xstrdup(s);
    struct buf b = BUF_INIT(YW_URL_MAX * 2);
    splice_mask(&b, s, (size_t)(colon + 1 - s), (size_t)(at - s));
    return buf_take(&b);
}

static bool secret_header(const char *name)
{
    static const char *const exact[] = {"authorization", "proxy-authorization", "cookie", NULL};
    static const char *const parts[] = {"token", "secret", "password", "api-key", "apikey",
                                        "api_key", NULL};
    char low[HEADER_NAME_MAX + 1];
    snprintf(low, sizeof low, "%s", name);
    for (char *p = low; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (in_set(exact, low))
        return true;
    for (const char *const *p = parts; *p; p++)
        if (strstr(low, *p))
            return true;
    return false;
}

json_t *config_system_to_json(const struct system_spec *s)
{
    json_t *o = json_object();
    set_str(o, "name", s->name);
    set_str(o, "title", s->title);
    set_str(o, "tier", tier_name(s->tier));
    json_object_set_new(o, "provisioned", json_boolean(s->provisioned));
    return o;
}

static void http_to_json(json_t *o, const struct monitor_spec *m, bool with_secrets)
{
    if (m->http.url) {
        char *u = with_secrets ? xstrdup(m->http.url) : mask_url(m->http.url);
        set_str(o, "url", u);
        xfree(u);
    }
    set_str(o, "method", m->http.method);
    if (m->http.nheaders) {
        json_t *h = json_object();
        for (size_t i = 0; i < m->http.nheaders; i++) {
            const struct http_header *hd = &m->http.headers[i];
            set_str(h, hd->name, !with_secrets && secret_header(hd->name) ? MASK : hd->value);
        }
        json_object_set_new(o, "headers", h);
    }
    set_str(o, "body", m->http.body);
    json_t *st = json_array(); /* none is the default; the parser never leaves it empty */
    for (size_t i = 0; i < m->http.nstatus; i++) {
        const struct status_range *r = &m->http.status[i];
        if (r->lo == r->hi) {
            json_array_append_new(st, json_integer(r->lo));
        } else {
            char buf[16];
            snprintf(buf, sizeof buf, "%d-%d", r->lo, r->hi);
            json_array_append_new(st, json_string(buf));
        }
    }
    if (m->http.nstatus)
        json_object_set_new(o, "status", st);
    else
        json_decref(st);
    set_str(o, "keyword", m->http.keyword);
    set_str(o, "keyword_absent", m->http.keyword_absent);
    if (m->http.njson) {
        json_t *a = json_array();
        for (size_t i = 0; i < m->http.njson; i++) {
            const struct json_check *c = &m->http.json[i];
            json_t *cj = json_object();
            set_str(cj, "path", c->path);
            if (c->op == JC_EQUALS)
                json_object_set(cj, "equals", c->value ? c->value : json_null());
            else
                json_object_set_new(cj, "exists", json_boolean(c->exists));
            json_array_append_new(a, cj);
        }
        json_object_set_new(o, "json", a);
    }
    set_dur(o, "max_latency", m->http.max_latency);
    json_object_set_new(o, "follow_redirects", json_boolean(m->http.follow_redirects));
    json_object_set_new(o, "max_redirects", json_integer(m->http.max_redirects));
    json_object_set_new(o, "tls_verify", json_boolean(m->http.tls_verify));
}

json_t *config_monitor_to_json(const struct monitor_spec *m, bool with_secrets)
{
    json_t *o = json_object();
    set_str(o, "name", m->name);
    set_str(o, "system", m->system);
    set_str(o, "title", m->title);
    set_str(o, "type", monitor_type_name(m->type));
    set_dur(o, "interval", m->interval);
    set_dur(o, "retry_interval", m->retry_interval);
    set_dur(o, "timeout", m->timeout);
    json_object_set_new(o, "retries", json_integer(m->retries));
    json_object_set_new(o, "recover", json_integer(m->recover));
    json_object_set_new(o, "critical", json_boolean(m->critical));
    json_object_set_new(o, "paused", json_boolean(m->paused));
    json_object_set_new(o, "provisioned", json_boolean(m->provisioned));
    switch (m->type) {
    case MT_HTTP:
        http_to_json(o, m, with_secrets);
        break;
    case MT_TLS:
        set_str(o, "host", m->tls.host);
        json_object_set_new(o, "port", json_integer(m->tls.port));
        json_object_set_new(o, "min_days", json_integer(m->tls.min_days));
        json_object_set_new(o, "verify", json_boolean(m->tls.verify));
        break;
    case MT_TCP:
        set_str(o, "host", m->tcp.host);
        json_object_set_new(o, "port", json_integer(m->tcp.port));
        break;
    case MT_DNS:
        set_str(o, "host", m->dns.name);
        set_str(o, "record", m->dns.record);
        if (m->dns.nexpect)
            json_object_set_new(o, "expect", str_array(m->dns.expect, m->dns.nexpect));
        set_str(o, "server", m->dns.server);
        break;
    case MT_PING:
        set_str(o, "host", m->ping.host);
        break;
    case MT_POSTGRES:
        if (m->postgres.conninfo) {
            char *ci = with_secrets ? xstrdup(m->postgres.conninfo)
                                    : mask_conninfo(m->postgres.conninfo);
            set_str(o, "conninfo", ci);
            xfree(ci);
        }
        set_str(o, "query", m->postgres.query);
        set_str(o, "expect", m->postgres.expect);
        break;
    case MT_HEARTBEAT:
        set_dur(o, "grace", m->heartbeat.grace);
        if (with_secrets)
            set_str(o, "token", m->heartbeat.token);
        break;
    case MT__COUNT:
        break;
    }
    return o;
}

json_t *config_maint_to_json(const struct maint_spec *w)
{
    static const char *const recs[] = {"once", "daily", "weekly", "monthly"};
    json_t *o = json_object();
    set_str(o, "name", w->name);
    set_str(o, "title", w->title);
    if (w->nsystems)
        json_object_set_new(o, "systems", str_array(w->systems, w->nsystems));
    if (w->nmonitors)
        json_object_set_new(o, "monitors", str_array(w->monitors, w->nmonitors));
    set_str(o, "recurrence", recs[w->recurrence]);
    if (w->recurrence == MR_ONCE) {
        set_time(o, "start", w->once_start);
        set_time(o, "end", w->once_end);
    } else {
        char buf[16];
        snprintf(buf, sizeof buf, "%02d:%02d", w->start_min / 60, w->start_min % 60);
        set_str(o, "start", buf);
        snprintf(buf, sizeof buf, "%02d:%02d", w->end_min / 60, w->end_min % 60);
        set_str(o, "end", buf);
        if (w->recurrence == MR_WEEKLY && w->day >= 0 && w->day < 7)
            set_str(o, "day", day_names[w->day]);
        else if (w->recurrence == MR_MONTHLY && w->day == -1)
            set_str(o, "day", "last");
        else if (w->recurrence == MR_MONTHLY)
            json_object_set_new(o, "day", json_integer(w->day));
        if (w->valid_from)
            set_time(o, "from", w->valid_from);
        if (w->valid_until)
            set_time(o, "until", w->valid_until);
    }
    set_str(o, "zone", w->zone);
    json_object_set_new(o, "provisioned", json_boolean(w->provisioned));
    return o;
}

/* ---------------------------------------------------------------- config check */

int config_section_line(const struct config *c, const char *field)
{
    static const struct {
        const char *name;
        size_t off;
    } secs[] = {{"channels", offsetof(struct config, channels)},
                {"rules", offsetof(struct config, rules)},
                {"duty", offsetof(struct config, duty)},
                {"sla", offsetof(struct config, sla)}};
    for (size_t k = 0; k < sizeof secs / sizeof secs[0]; k++) {
        size_t len = strlen(secs[k].name);
        if (strncmp(field, secs[k].name, len) != 0 || (field[len] && field[len] != '[' &&
                                                       field[len] != '.'))
            continue;
        const struct config_section *sec =
            (const struct config_section *)(const void *)((const char *)c + secs[k].off);
        if (field[len] == '[') {
            char *end;
            unsigned long i = strtoul(field + len + 1, &end, 10);
            if (*end == ']' && i < sec->nitems)
                return sec->item_lines[i];
        }
        return sec->line;
    }
    return 0;
}

int config_check_main(const char *path)
{
    struct config c = {0};
    struct diag d = DIAG_INIT;
    int rc = config_load_file(path, &c, &d);
    diag_print(&d, stderr);
    if (rc == 0) {
        printf("%s: ok: %zu system%s, %zu monitor%s, %zu maintenance window%s\n", path,
               c.nsystems, c.nsystems == 1 ? "" : "s", c.nmonitors, c.nmonitors == 1 ? "" : "s",
               c.nmaint, c.nmaint == 1 ? "" : "s");
        fflush(stdout);
    }
    diag_release(&d);
    config_release(&c);
    return rc == 0 ? 0 : 2;
}
