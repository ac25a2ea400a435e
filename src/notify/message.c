/*
 * message — what a notification says, in Chinese: a subject line, a first
 * sentence saying what happened and what to do, labelled lines (level,
 * system, title, when, the clock's due time in the display zone, detail)
 * and the link to the incident (BASE_URL/incidents/ID). The senders shape
 * it for their medium: plain text for mail, markdown for the robots, every
 * field as JSON for the webhook.
 *
 * Nothing here sees a channel's secrets: a message can be logged.
 */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "notify/notify_int.h"

static const char *const kind_names[NK__COUNT] = {
    "opened", "assigned", "sla_warning", "sla_breach", "recovered",
    "resolved", "reopened", "report_due", "test"};
static const char *const kind_zh[NK__COUNT] = {
    "新故障", "故障指派", "时限预警", "超时告警", "监控恢复",
    "故障已解决", "故障重新打开", "故障报告待提交", "测试消息"};

const char *notify_kind_name(enum notify_kind k)
{
    return (unsigned)k < NK__COUNT ? kind_names[k] : "?";
}

const char *notify_kind_title_zh(enum notify_kind k)
{
    return (unsigned)k < NK__COUNT ? kind_zh[k] : "?";
}

int notify_kind_parse(const char *s, enum notify_kind *out)
{
    for (int i = 0; s && i < NK__COUNT; i++)
        if (strcmp(s, kind_names[i]) == 0) {
            *out = (enum notify_kind)i;
            return 0;
        }
    return -1;
}

const char *notify_level_zh(int level)
{
    static const char *const zh[] = {"一级", "二级", "三级", "四级"};
    return level >= 1 && level <= 4 ? zh[level - 1] : "";
}

/* Our own table: the incident module's titles may not be linked in. */
const char *notify_clock_zh(int clock)
{
    static const char *const zh[] = {"响应", "到场", "解决"};
    return clock >= 0 && clock < 3 ? zh[clock] : "";
}

const char *notify_clock_name(int clock)
{
    static const char *const names[] = {"response", "onsite", "resolve"};
    return clock >= 0 && clock < 3 ? names[clock] : NULL;
}

void notify_format_time(ms_t t, char *out, size_t n)
{
    struct civil c;
    time_to_civil(t, NULL, &c);
    snprintf(out, n, "%04d-%02d-%02d %02d:%02d", c.year, c.month, c.day, c.hour, c.min);
}

/* ---- the event as kept ---------------------------------------------------------- */

void nevent_release(struct nevent *e)
{
    if (!e)
        return;
    xfree(e->system);
    xfree(e->title);
    xfree(e->detail);
    xfree(e->by);
    notify_strv_free(e->items, e->nitems);
    memset(e, 0, sizeof *e);
}

/* One line: newlines and other controls become spaces, cut to max bytes. */
static char *one_line(const char *s, size_t max)
{
    if (!s)
        return NULL;
    char *d = notify_utf8_dup(s, max);
    for (char *p = d; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return d;
}

void nevent_from(const struct notify_event *ev, struct nevent *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->kind, sizeof out->kind, "%s", notify_kind_name(ev->kind));
    out->incident_id = ev->incident_id;
    out->level = ev->level >= 1 && ev->level <= 4 ? ev->level : 0;
    out->system = one_line(ev->system, 200);
    out->title = one_line(ev->title, NOTIFY_EVENT_TEXT_MAX);
    out->detail = one_line(ev->detail, NOTIFY_EVENT_TEXT_MAX);
    out->clock = (ev->kind == NK_SLA_WARNING || ev->kind == NK_SLA_BREACH) &&
                         (unsigned)ev->clock < CLOCK__COUNT
                     ? (int)ev->clock
                     : -1;
    out->at = ev->at;
    out->due = ev->due;
    out->assignee_id = ev->assignee_id;
    out->escalation = (int)ev->escalation;
}

char *nevent_to_text(const struct nevent *e)
{
    json_t *j = json_object();
    json_object_set_new(j, "kind", json_string(e->kind));
    if (e->incident_id)
        json_object_set_new(j, "incident_id", json_integer(e->incident_id));
    if (e->level)
        json_object_set_new(j, "level", json_integer(e->level));
    if (e->system)
        json_object_set_new(j, "system", json_string(e->system));
    if (e->title)
        json_object_set_new(j, "title", json_string(e->title));
    if (e->detail)
        json_object_set_new(j, "detail", json_string(e->detail));
    if (notify_clock_name(e->clock))
        json_object_set_new(j, "clock", json_string(notify_clock_name(e->clock)));
    if (e->at)
        json_object_set_new(j, "at", json_integer(e->at));
    if (e->due)
        json_object_set_new(j, "due", json_integer(e->due));
    if (e->assignee_id)
        json_object_set_new(j, "assignee_id", json_integer(e->assignee_id));
    if (e->escalation)
        json_object_set_new(j, "escalation", json_integer(e->escalation));
    if (e->by)
        json_object_set_new(j, "by", json_string(e->by));
    if (e->nitems) {
        json_t *a = json_array();
        for (size_t i = 0; i < e->nitems; i++)
            json_array_append_new(a, json_string(e->items[i]));
        json_object_set_new(j, "items", a);
    }
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(j);
    char *out = xstrdup(s ? s : "{}");
    free(s);
    return out;
}

static char *jstr(const json_t *j, const char *k)
{
    const char *s = json_string_value(json_object_get(j, k));
    return s ? xstrdup(s) : NULL;
}

int nevent_from_text(const char *text, struct nevent *out, struct yw_err *err)
{
    memset(out, 0, sizeof *out);
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (!json_is_object(j)) {
        json_decref(j);
        return yw_fail(err, YW_EIO, "a delivery's event is not JSON");
    }
    const char *kind = json_string_value(json_object_get(j, "kind"));
    snprintf(out->kind, sizeof out->kind, "%s", kind ? kind : "");
    out->incident_id = json_integer_value(json_object_get(j, "incident_id"));
    out->level = (int)json_integer_value(json_object_get(j, "level"));
    out->system = jstr(j, "system");
    out->title = jstr(j, "title");
    out->detail = jstr(j, "detail");
    out->by = jstr(j, "by");
    out->clock = -1;
    const char *ck = json_string_value(json_object_get(j, "clock"));
    for (int i = 0; ck && i < 3; i++)
        if (strcmp(ck, notify_clock_name(i)) == 0)
            out->clock = i;
    out->at = json_integer_value(json_object_get(j, "at"));
    out->due = json_integer_value(json_object_get(j, "due"));
    out->assignee_id = json_integer_value(json_object_get(j, "assignee_id"));
    out->escalation = (int)json_integer_value(json_object_get(j, "escalation"));
    json_t *items = json_object_get(j, "items");
    size_t n = json_array_size(items);
    if (n > NOTIFY_DIGEST_ITEMS_MAX)
        n = NOTIFY_DIGEST_ITEMS_MAX;
    if (n) {
        out->items = xcalloc(n, sizeof *out->items);
        for (size_t i = 0; i < n; i++) {
            const char *s = json_string_value(json_array_get(items, i));
            out->items[out->nitems++] = xstrdup(s ? s : "");
        }
    }
    json_decref(j);
    return 0;
}

/* ---- rendering ----------------------------------------------------------------------- */

void nmessage_release(struct nmessage *m)
{
    if (!m)
        return;
    xfree(m->subject);
    xfree(m->headline);
    for (size_t i = 0; i < m->nfields; i++)
        xfree(m->fields[i].value);
    xfree(m->link);
    xfree(m->link_text);
    xfree(m->text);
    memset(m, 0, sizeof *m);
}

static void field(struct nmessage *m, const char *label, char *value)
{
    if (!value)
        return;
    if (m->nfields == NMSG_FIELDS_MAX) {
        xfree(value);
        return;
    }
    m->fields[m->nfields].label = label;
    m->fields[m->nfields].value = value;
    m->nfields++;
}

static char *fmt_time(ms_t t)
{
    char s[40];
    notify_format_time(t, s, sizeof s);
    return xstrdup(s);
}

/* What happened and what to do, by kind. */
static char *headline(const struct nevent *e, enum notify_kind k, const char *channel)
{
    const char *clock = notify_clock_zh(e->clock);
    switch (k) {
    case NK_OPENED: return xstrdup("新故障已登记，请尽快响应。");
    case NK_ASSIGNED: return xstrdup("故障已指派，请尽快响应处理。");
    case NK_SLA_WARNING:
        return xasprintf("%s时限即将到期（已用 75%%），请尽快处理。", clock);
    case NK_SLA_BREACH: return xasprintf("已超过%s时限，请立即处理并说明原因。", clock);
    case NK_RECOVERED: return xstrdup("监控显示已恢复，请确认原因后将故障置为已解决。");
    case NK_RESOLVED: return xstrdup("故障已解决，请在 3 个工作日内提交故障报告。");
    case NK_REOPENED: return xstrdup("故障已重新打开，解决时限继续计时。");
    case NK_REPORT_DUE: return xstrdup("故障报告即将到期或已逾期，请尽快提交。");
    case NK_TEST:
        return xasprintf("这是一条来自 yunwei 的测试消息：收到即说明通知渠道「%s」配置正确。",
                         channel ? channel : "");
    case NK__COUNT: break;
    }
    return xstrdup("");
}

/* The label of the due time, by kind. */
static const char *due_label(const struct nevent *e, enum notify_kind k)
{
    static const char *const clock_due[] = {"响应截止", "到场截止", "解决截止"};
    if (e->clock >= 0 && e->clock < 3)
        return clock_due[e->clock];
    if (k == NK_REPORT_DUE || k == NK_RESOLVED)
        return "报告截止";
    if (k == NK_OPENED || k == NK_ASSIGNED)
        return "响应截止";
    return "截止时间";
}

static void build_text(struct nmessage *m)
{
    struct buf b = BUF_INIT(64 * 1024);
    buf_addf(&b, "%s\n%s\n", m->subject, m->headline);
    for (size_t i = 0; i < m->nfields; i++) {
        if (m->fields[i].label[0])
            buf_addf(&b, "%s：%s\n", m->fields[i].label, m->fields[i].value);
        else
            buf_addf(&b, "%s\n", m->fields[i].value);
    }
    if (m->link)
        buf_addf(&b, "%s：%s\n", m->link_text, m->link);
    m->text = buf_take(&b);
}

void notify_message_build(const struct nevent *e, const char *channel_name, const char *base_url,
                          int held, struct nmessage *out)
{
    memset(out, 0, sizeof *out);
    const char *base = base_url && *base_url ? base_url : NULL;
    size_t bl = base ? strlen(base) : 0;
    while (bl > 0 && base[bl - 1] == '/')
        bl--;

    if (strcmp(e->kind, "digest") == 0) {
        out->subject = xasprintf("【通知汇总】另有 %d 条通知", held);
        out->headline = xasprintf("频率限制期间另有 %d 条通知未单独发送，摘要如下：", held);
        for (size_t i = 0; i < e->nitems; i++)
            field(out, "", xasprintf("· %s", e->items[i]));
        if ((size_t)held > e->nitems)
            field(out, "", xasprintf("……（共 %d 条）", held));
        if (base) {
            out->link = xasprintf("%.*s/incidents", (int)bl, base);
            out->link_text = xstrdup("查看故障列表");
        }
        build_text(out);
        return;
    }

    enum notify_kind k = NK_TEST;
    notify_kind_parse(e->kind, &k);
    const char *level = notify_level_zh(e->level);
    char kind_title[64];
    if (k == NK_SLA_WARNING || k == NK_SLA_BREACH)
        snprintf(kind_title, sizeof kind_title, "%s%s", notify_clock_zh(e->clock),
                 k == NK_SLA_WARNING ? "时限预警" : "超时");
    else
        snprintf(kind_title, sizeof kind_title, "%s", notify_kind_title_zh(k));

    if (k == NK_TEST) {
        out->subject = xasprintf("【测试消息】通知渠道 %s", channel_name ? channel_name : "");
    } else {
        const char *title = e->title && *e->title ? e->title : "（无标题）";
        /* "portal：…" once, when the title already starts with the system */
        const char *sys = e->system;
        if (sys && strncmp(title, sys, strlen(sys)) == 0 &&
            strncmp(title + strlen(sys), "：", strlen("：")) == 0)
            sys = NULL;
        out->subject = xasprintf("【%s】%s%s%s%s%s", kind_title, level, *level ? "故障 " : "",
                                 sys ? sys : "", sys ? "：" : "", title);
        char *cut = notify_utf8_dup(out->subject, 300);
        xfree(out->subject);
        out->subject = cut;
    }
    out->headline = headline(e, k, channel_name);
    if (k != NK_TEST) {
        if (e->incident_id)
            field(out, "故障编号", xasprintf("#%lld", (long long)e->incident_id));
        if (*level)
            field(out, "级别", xstrdup(level));
        if (e->system)
            field(out, "系统", xstrdup(e->system));
        if (e->title)
            field(out, "标题", xstrdup(e->title));
    }
    if (e->at)
        field(out, k == NK_TEST ? "发送时间" : "时间", fmt_time(e->at));
    if (e->due)
        field(out, due_label(e, k), fmt_time(e->due));
    if (e->detail)
        field(out, "说明", xstrdup(e->detail));
    if (k == NK_TEST && e->by)
        field(out, "发起人", xstrdup(e->by));
    if (base) {
        if (e->incident_id) {
            out->link = xasprintf("%.*s/incidents/%lld", (int)bl, base,
                                  (long long)e->incident_id);
            out->link_text = xasprintf("查看故障 #%lld", (long long)e->incident_id);
        } else {
            out->link = xasprintf("%.*s/", (int)bl, base);
            out->link_text = xstrdup("打开 yunwei");
        }
    }
    build_text(out);
}

/* Values from outside cannot make a link, a tag or emphasis: the few
 * characters that would are shown as their full-width twins, which read
 * the same in Chinese text and mean nothing to any of the robots' markdown
 * dialects (a backslash escape is not understood by all of them). */
static void md_escaped(struct buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '[': buf_adds(b, "［"); break;
        case ']': buf_adds(b, "］"); break;
        case '<': buf_adds(b, "＜"); break;
        case '>': buf_adds(b, "＞"); break;
        case '*': buf_adds(b, "＊"); break;
        case '`': buf_adds(b, "｀"); break;
        default: buf_add(b, s, 1); break;
        }
    }
}

char *notify_markdown(const struct nmessage *m, const char *sep, const char *mentions)
{
    struct buf b = BUF_INIT(64 * 1024);
    buf_adds(&b, "### ");
    md_escaped(&b, m->subject);
    buf_adds(&b, sep);
    buf_adds(&b, m->headline);
    for (size_t i = 0; i < m->nfields; i++) {
        buf_adds(&b, sep);
        if (m->fields[i].label[0])
            buf_addf(&b, "**%s**：", m->fields[i].label);
        md_escaped(&b, m->fields[i].value);
    }
    if (m->link) {
        buf_adds(&b, sep);
        buf_addf(&b, "[%s](%s)", m->link_text, m->link);
    }
    if (mentions && *mentions) {
        buf_adds(&b, sep);
        buf_adds(&b, mentions);
    }
    return buf_take(&b);
}

void nrecipients_free(struct nrecipient *r, size_t n)
{
    for (size_t i = 0; r && i < n; i++) {
        xfree(r[i].name);
        xfree(r[i].email);
        xfree(r[i].mobile);
        xfree(r[i].dingtalk_id);
        xfree(r[i].wecom_id);
        xfree(r[i].feishu_id);
    }
    xfree(r);
}
