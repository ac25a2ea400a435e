#include "core/model.h"

#include <assert.h>
#include <string.h>

#include "core/mem.h"

static const char *const type_names[MT__COUNT] = {
    [MT_HTTP] = "http", [MT_TLS] = "tls", [MT_TCP] = "tcp", [MT_DNS] = "dns",
    [MT_PING] = "ping", [MT_POSTGRES] = "postgres", [MT_HEARTBEAT] = "heartbeat",
};

const char *monitor_type_name(enum monitor_type t)
{
    return (unsigned)t < MT__COUNT ? type_names[t] : "unknown";
}

int monitor_type_parse(const char *s, enum monitor_type *out)
{
    for (int t = 0; t < MT__COUNT; t++) {
        if (s && strcmp(s, type_names[t]) == 0) {
            *out = (enum monitor_type)t;
            return 0;
        }
    }
    return -1;
}

const char *tier_name(enum tier t)
{
    return t == TIER_KEY ? "key" : "general";
}

/* ---------------------------------------------------------------- release */

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        xfree(v[i]);
    xfree(v);
}

void system_spec_release(struct system_spec *s)
{
    xfree(s->name);
    xfree(s->title);
    memset(s, 0, sizeof *s);
}

void monitor_spec_release(struct monitor_spec *m)
{
    xfree(m->name);
    xfree(m->system);
    xfree(m->title);

    xfree(m->http.url);
    xfree(m->http.method);
    xfree(m->http.body);
    for (size_t i = 0; i < m->http.nheaders; i++) {
        xfree(m->http.headers[i].name);
        xfree(m->http.headers[i].value);
    }
    xfree(m->http.headers);
    xfree(m->http.status);
    xfree(m->http.keyword);
    xfree(m->http.keyword_absent);
    for (size_t i = 0; i < m->http.njson; i++) {
        xfree(m->http.json[i].path);
        json_decref(m->http.json[i].value);
    }
    xfree(m->http.json);

    xfree(m->tls.host);
    xfree(m->tcp.host);
    xfree(m->dns.name);
    xfree(m->dns.record);
    free_strv(m->dns.expect, m->dns.nexpect);
    xfree(m->dns.server);
    xfree(m->ping.host);
    xfree(m->postgres.conninfo);
    xfree(m->postgres.query);
    xfree(m->postgres.expect);
    xfree(m->heartbeat.token);
    memset(m, 0, sizeof *m);
}

void maint_spec_release(struct maint_spec *w)
{
    xfree(w->name);
    xfree(w->title);
    free_strv(w->systems, w->nsystems);
    free_strv(w->monitors, w->nmonitors);
    xfree(w->zone);
    memset(w, 0, sizeof *w);
}

void config_release(struct config *c)
{
    for (size_t i = 0; i < c->nsystems; i++)
        system_spec_release(&c->systems[i]);
    for (size_t i = 0; i < c->nmonitors; i++)
        monitor_spec_release(&c->monitors[i]);
    for (size_t i = 0; i < c->nmaint; i++)
        maint_spec_release(&c->maint[i]);
    xfree(c->systems);
    xfree(c->monitors);
    xfree(c->maint);
    struct config_section *secs[] = {&c->sla, &c->channels, &c->rules, &c->duty};
    for (size_t i = 0; i < sizeof secs / sizeof secs[0]; i++) {
        json_decref(secs[i]->json);
        xfree(secs[i]->item_lines);
    }
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- copy */

/* dst's previous contents are overwritten, not released: copy into a zeroed
 * or released struct. */

static char **copy_strv(char *const *v, size_t n)
{
    if (!n)
        return NULL;
    char **out = xcalloc(n, sizeof *out);
    for (size_t i = 0; i < n; i++)
        out[i] = xstrdup(v[i]);
    return out;
}

void system_spec_copy(struct system_spec *dst, const struct system_spec *src)
{
    assert(dst != src);
    *dst = *src;
    dst->name = xstrdup(src->name);
    dst->title = xstrdup(src->title);
}

void monitor_spec_copy(struct monitor_spec *dst, const struct monitor_spec *src)
{
    assert(dst != src);
    *dst = *src; /* scalars; every pointer is replaced below */
    dst->name = xstrdup(src->name);
    dst->system = xstrdup(src->system);
    dst->title = xstrdup(src->title);

    dst->http.url = xstrdup(src->http.url);
    dst->http.method = xstrdup(src->http.method);
    dst->http.body = xstrdup(src->http.body);
    dst->http.headers = NULL;
    if (src->http.nheaders) {
        dst->http.headers = xcalloc(src->http.nheaders, sizeof *dst->http.headers);
        for (size_t i = 0; i < src->http.nheaders; i++) {
            dst->http.headers[i].name = xstrdup(src->http.headers[i].name);
            dst->http.headers[i].value = xstrdup(src->http.headers[i].value);
        }
    }
    dst->http.status = NULL;
    if (src->http.nstatus) {
        dst->http.status = xcalloc(src->http.nstatus, sizeof *dst->http.status);
        memcpy(dst->http.status, src->http.status, src->http.nstatus * sizeof *src->http.status);
    }
    dst->http.keyword = xstrdup(src->http.keyword);
    dst->http.keyword_absent = xstrdup(src->http.keyword_absent);
    dst->http.json = NULL;
    if (src->http.njson) {
        dst->http.json = xcalloc(src->http.njson, sizeof *dst->http.json);
        for (size_t i = 0; i < src->http.njson; i++) {
            dst->http.json[i] = src->http.json[i];
            dst->http.json[i].path = xstrdup(src->http.json[i].path);
            /* deep, so that neither copy can change the other's expectation */
            dst->http.json[i].value =
                src->http.json[i].value ? json_deep_copy(src->http.json[i].value) : NULL;
        }
    }

    dst->tls.host = xstrdup(src->tls.host);
    dst->tcp.host = xstrdup(src->tcp.host);
    dst->dns.name = xstrdup(src->dns.name);
    dst->dns.record = xstrdup(src->dns.record);
    dst->dns.expect = copy_strv(src->dns.expect, src->dns.nexpect);
    dst->dns.server = xstrdup(src->dns.server);
    dst->ping.host = xstrdup(src->ping.host);
    dst->postgres.conninfo = xstrdup(src->postgres.conninfo);
    dst->postgres.query = xstrdup(src->postgres.query);
    dst->postgres.expect = xstrdup(src->postgres.expect);
    dst->heartbeat.token = xstrdup(src->heartbeat.token);
}

void maint_spec_copy(struct maint_spec *dst, const struct maint_spec *src)
{
    assert(dst != src);
    *dst = *src;
    dst->name = xstrdup(src->name);
    dst->title = xstrdup(src->title);
    dst->systems = copy_strv(src->systems, src->nsystems);
    dst->monitors = copy_strv(src->monitors, src->nmonitors);
    dst->zone = xstrdup(src->zone);
}
