/*
 * incident — names of the nouns, and the struct's ownership verbs.
 *
 * Names are the stable wire and database spelling; titles are what people
 * read. A value outside its enum names itself "unknown" (titles "未知") so
 * that a bad row shows up in a listing instead of crashing it; the parse
 * functions accept only the exact lower-case names.
 */
#include "incident/incident.h"

#include <assert.h>
#include <string.h>

#include "core/mem.h"

static const char *const state_names[INC_STATE__COUNT] = {"new", "responded", "onsite", "resolved",
                                                          "closed"};
static const char *const state_titles[INC_STATE__COUNT] = {"新建", "已响应", "已到场", "已解决",
                                                           "已关闭"};
static const char *const source_names[SRC__COUNT] = {"monitor", "inspection", "phone", "wechat",
                                                     "email",   "onsite",     "user"};
static const char *const source_titles[SRC__COUNT] = {"监控告警", "巡检发现", "电话",    "微信",
                                                      "邮件",     "现场报告", "用户报告"};
static const char *const clock_names[CLOCK__COUNT] = {"response", "onsite", "resolve"};
static const char *const clock_titles[CLOCK__COUNT] = {"响应", "到场", "解决"};

/* The enums are unsigned or signed at the compiler's choice: compare as int. */
static const char *pick(const char *const *tab, int n, int v, const char *none)
{
    return v >= 0 && v < n ? tab[v] : none;
}

static int find(const char *const *tab, int n, const char *s)
{
    if (!s)
        return -1;
    for (int i = 0; i < n; i++)
        if (strcmp(tab[i], s) == 0)
            return i;
    return -1;
}

const char *inc_state_name(enum inc_state s)
{
    return pick(state_names, INC_STATE__COUNT, (int)s, "unknown");
}

const char *inc_state_title_zh(enum inc_state s)
{
    return pick(state_titles, INC_STATE__COUNT, (int)s, "未知");
}

int inc_state_parse(const char *s, enum inc_state *out)
{
    int i = find(state_names, INC_STATE__COUNT, s);
    if (i < 0)
        return -1;
    *out = (enum inc_state)i;
    return 0;
}

const char *inc_source_name(enum inc_source s)
{
    return pick(source_names, SRC__COUNT, (int)s, "unknown");
}

const char *inc_source_title_zh(enum inc_source s)
{
    return pick(source_titles, SRC__COUNT, (int)s, "未知");
}

int inc_source_parse(const char *s, enum inc_source *out)
{
    int i = find(source_names, SRC__COUNT, s);
    if (i < 0)
        return -1;
    *out = (enum inc_source)i;
    return 0;
}

const char *sla_clock_name(enum sla_clock c)
{
    return pick(clock_names, CLOCK__COUNT, (int)c, "unknown");
}

const char *sla_clock_title_zh(enum sla_clock c)
{
    return pick(clock_titles, CLOCK__COUNT, (int)c, "未知");
}

int sla_clock_parse(const char *s, enum sla_clock *out)
{
    int i = find(clock_names, CLOCK__COUNT, s);
    if (i < 0)
        return -1;
    *out = (enum sla_clock)i;
    return 0;
}

void incident_release(struct incident *inc)
{
    if (!inc)
        return;
    xfree(inc->title);
    xfree(inc->system);
    xfree(inc->reporter);
    xfree(inc->assignee);
    xfree(inc->resolved_spans);
    xfree(inc->vendor_name);
    xfree(inc->pauses);
    xfree(inc->cause);
    xfree(inc->fix);
    xfree(inc->prevention);
    xfree(inc->monitor);
    xfree(inc->report);
    memset(inc, 0, sizeof *inc);
}

static struct inc_span *copy_spans(const struct inc_span *s, size_t n)
{
    if (!s || n == 0)
        return NULL;
    struct inc_span *d = xmalloc(n * sizeof *d);
    memcpy(d, s, n * sizeof *d);
    return d;
}

/* dst is overwritten, not released first: it must be zeroed, released or
 * never initialised (release it before copying over a live incident). */
void incident_copy(struct incident *dst, const struct incident *src)
{
    assert(dst && src && dst != src);
    *dst = *src;
    dst->title = xstrdup(src->title);
    dst->system = xstrdup(src->system);
    dst->reporter = xstrdup(src->reporter);
    dst->assignee = xstrdup(src->assignee);
    dst->resolved_spans = copy_spans(src->resolved_spans, src->nresolved_spans);
    dst->nresolved_spans = dst->resolved_spans ? src->nresolved_spans : 0;
    dst->vendor_name = xstrdup(src->vendor_name);
    dst->pauses = copy_spans(src->pauses, src->npauses);
    dst->npauses = dst->pauses ? src->npauses : 0;
    dst->cause = xstrdup(src->cause);
    dst->fix = xstrdup(src->fix);
    dst->prevention = xstrdup(src->prevention);
    dst->monitor = xstrdup(src->monitor);
    dst->report = xstrdup(src->report);
}
