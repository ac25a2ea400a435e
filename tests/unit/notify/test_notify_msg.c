/*
 * test_notify_msg — channel specs (validation, the credential taken out of
 * a pasted webhook address, secrets kept, cleared and masked), rules
 * (validation, matching), and what a notification says: the Chinese texts,
 * the link, and the request bodies of every channel type, with no secret
 * in any of them.
 */
#include <string.h>

#include "core/mem.h"
#include "notify/notify_int.h"
#include "t.h"

/* 2025-11-25T10:00:00+08:00 (a Tuesday) */
#define T0 1764036000000LL

static json_t *J(const char *text)
{
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (!j)
        printf("#   bad test JSON: %s: %s\n", e.text, text);
    return j;
}

/* Parses a channel body; 0 or -1 with err. */
static int chan(const char *text, const struct nchannel *old, struct nchannel *out,
                struct yw_err *err)
{
    json_t *j = J(text);
    int rc = nchannel_from_json(j, old, out, err);
    json_decref(j);
    return rc;
}

static const char *sget(json_t *j, const char *k)
{
    return json_string_value(json_object_get(j, k));
}

TEST(dingtalk_address_pasted_whole)
{
    struct yw_err err = YW_ERR_INIT;
    struct nchannel c;
    CHECK_INT(chan("{\"name\":\"ops-ding\",\"type\":\"dingtalk\",\"url\":"
                   "\"https://oapi.dingtalk.com/robot/send?access_token=TOK123\","
                   "\"secret\":\"SECxyz987\"}",
                   NULL, &c, &err),
              0);
    CHECK_STR(c.url, "https://oapi.dingtalk.com/robot/send");
    CHECK_STR(c.token, "TOK123");
    CHECK_STR(c.secret, "SECxyz987");
    CHECK(c.enabled && !c.is_default && c.digest);
    CHECK_INT(c.rate_max, 20);
    CHECK_INT(c.rate_per, 10 * MS_PER_MIN);
    CHECK_INT(c.dedup_window, 10 * MS_PER_MIN);
    char *spec = nchannel_spec_text(&c), *sec = nchannel_secrets_text(&c);
    CHECK(strstr(spec, "TOK123") == NULL && strstr(spec, "SECxyz987") == NULL);
    CHECK(strstr(sec, "TOK123") != NULL && strstr(sec, "SECxyz987") != NULL);
    json_t *a = nchannel_answer(&c);
    CHECK_STR(sget(a, "token"), NOTIFY_MASK);
    CHECK_STR(sget(a, "secret"), NOTIFY_MASK);
    CHECK(json_is_true(json_object_get(a, "token_set")));
    char *dump = json_dumps(a, 0);
    CHECK(strstr(dump, "TOK123") == NULL && strstr(dump, "SECxyz987") == NULL);
    free(dump);
    /* the answer can be PUT back: the masks keep the secrets */
    struct nchannel back;
    CHECK_INT(nchannel_from_json(a, &c, &back, &err), 0);
    CHECK_STR(back.token, "TOK123");
    CHECK_STR(back.secret, "SECxyz987");
    nchannel_release(&back);
    json_decref(a);
    xfree(spec);
    xfree(sec);
    char *ep = nchannel_endpoint(&c);
    CHECK_STR(ep, "https://oapi.dingtalk.com/robot/send?access_token=TOK123");
    xfree(ep);
    nchannel_release(&c);
}

TEST(robot_urls)
{
    struct yw_err err = YW_ERR_INIT;
    struct nchannel c;
    /* plain http only to this machine */
    CHECK_INT(chan("{\"name\":\"d\",\"type\":\"dingtalk\",\"url\":\"http://example.com/robot?"
                   "access_token=x\"}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "url");
    CHECK_INT(chan("{\"name\":\"d\",\"type\":\"dingtalk\",\"url\":\"http://127.0.0.1:8099/robot/"
                   "send?access_token=x\"}",
                   NULL, &c, &err),
              0);
    CHECK_STR(c.url, "http://127.0.0.1:8099/robot/send");
    nchannel_release(&c);
    /* a robot without its token */
    CHECK_INT(chan("{\"name\":\"d\",\"type\":\"dingtalk\"}", NULL, &c, &err), -1);
    CHECK_STR(err.field, "token");
    /* WeCom: key= */
    CHECK_INT(chan("{\"name\":\"w\",\"type\":\"wecom\",\"url\":\"https://qyapi.weixin.qq.com/"
                   "cgi-bin/webhook/send?key=693a91f6-7xxx\"}",
                   NULL, &c, &err),
              0);
    CHECK_STR(c.token, "693a91f6-7xxx");
    CHECK_STR(c.url, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send");
    CHECK(!c.wecom_text);
    nchannel_release(&c);
    /* Feishu: the hook id is the last segment */
    CHECK_INT(chan("{\"name\":\"f\",\"type\":\"feishu\",\"url\":\"https://open.feishu.cn/"
                   "open-apis/bot/v2/hook/0a1b-2c3d\",\"secret\":\"fs\"}",
                   NULL, &c, &err),
              0);
    CHECK_STR(c.token, "0a1b-2c3d");
    CHECK_STR(c.url, "https://open.feishu.cn/open-apis/bot/v2/hook/");
    char *ep = nchannel_endpoint(&c);
    CHECK_STR(ep, "https://open.feishu.cn/open-apis/bot/v2/hook/0a1b-2c3d");
    xfree(ep);
    nchannel_release(&c);
    /* default endpoint with the token given apart */
    CHECK_INT(chan("{\"name\":\"f\",\"type\":\"feishu\",\"token\":\"hookid\"}", NULL, &c, &err),
              0);
    ep = nchannel_endpoint(&c);
    CHECK_STR(ep, NOTIFY_FEISHU_URL "hookid");
    xfree(ep);
    nchannel_release(&c);
    /* a token that differs from the address's */
    CHECK_INT(chan("{\"name\":\"w\",\"type\":\"wecom\",\"url\":\"https://qyapi.weixin.qq.com/"
                   "cgi-bin/webhook/send?key=k1\",\"token\":\"k2\"}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "token");
    /* no user:password@ in a URL */
    CHECK_INT(chan("{\"name\":\"h\",\"type\":\"webhook\",\"url\":\"https://u:p@hooks.example/"
                   "x\"}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "url");
    CHECK_INT(chan("{\"name\":\"h\",\"type\":\"webhook\",\"url\":\"ftp://hooks.example/x\"}", NULL,
                   &c, &err),
              -1);
}

TEST(secrets_kept_cleared_replaced)
{
    struct yw_err err = YW_ERR_INIT;
    struct nchannel old, c;
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"smtp.example.cn\","
                   "\"username\":\"ops\",\"password\":\"Pw-1\",\"from\":\"ops@example.cn\"}",
                   NULL, &old, &err),
              0);
    CHECK_INT(old.port, 587);
    CHECK_INT(old.security, SMTP_STARTTLS);
    /* absent: kept */
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"smtp.example.cn\","
                   "\"username\":\"ops\",\"from\":\"ops@example.cn\"}",
                   &old, &c, &err),
              0);
    CHECK_STR(c.password, "Pw-1");
    nchannel_release(&c);
    /* replaced */
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"smtp.example.cn\","
                   "\"username\":\"ops\",\"password\":\"Pw-2\",\"from\":\"ops@example.cn\","
                   "\"security\":\"tls\"}",
                   &old, &c, &err),
              0);
    CHECK_STR(c.password, "Pw-2");
    CHECK_INT(c.port, 465);
    nchannel_release(&c);
    /* cleared */
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"smtp.example.cn\","
                   "\"password\":null,\"from\":\"ops@example.cn\"}",
                   &old, &c, &err),
              0);
    CHECK(c.password == NULL);
    json_t *a = nchannel_answer(&c);
    CHECK(json_is_null(json_object_get(a, "password")));
    CHECK(json_is_false(json_object_get(a, "password_set")));
    json_decref(a);
    nchannel_release(&c);
    nchannel_release(&old);
}

TEST(email_checks)
{
    struct yw_err err = YW_ERR_INIT;
    struct nchannel c;
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"smtp.example.cn\","
                   "\"security\":\"none\",\"from\":\"ops@example.cn\"}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "security");
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"127.0.0.1\",\"port\":2525,"
                   "\"security\":\"none\",\"from\":\"ops@example.cn\",\"to\":[\"a@b.cn\"]}",
                   NULL, &c, &err),
              0);
    CHECK_INT(c.port, 2525);
    CHECK_INT(c.nto, 1);
    nchannel_release(&c);
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"h.cn\",\"from\":\"nobody\"}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "from");
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"h.cn\",\"from\":\"a@b.cn\","
                   "\"to\":[\"ok@b.cn\",\"bad address\"]}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "to[1]");
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"h.cn\",\"from\":\"a@b.cn\","
                   "\"colour\":\"red\"}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "colour");
    CHECK_INT(chan("{\"name\":\"Bad Name\",\"type\":\"email\"}", NULL, &c, &err), -1);
    CHECK_STR(err.field, "name");
    CHECK_INT(chan("{\"name\":\"x\",\"type\":\"pigeon\"}", NULL, &c, &err), -1);
    CHECK_STR(err.field, "type");
    CHECK_INT(chan("{\"name\":\"x\",\"type\":\"webhook\",\"url\":\"https://h.cn/\","
                   "\"rate_limit\":{\"max\":-1}}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "rate_limit.max");
    /* password without a user name */
    CHECK_INT(chan("{\"name\":\"m\",\"type\":\"email\",\"host\":\"h.cn\",\"from\":\"a@b.cn\","
                   "\"password\":\"x\"}",
                   NULL, &c, &err),
              -1);
    CHECK_STR(err.field, "username");
}

static int rule(const char *text, struct nrule *r, struct yw_err *err)
{
    json_t *j = J(text);
    int rc = nrule_from_json(j, r, err);
    json_decref(j);
    return rc;
}

TEST(rules_parse_and_match)
{
    struct yw_err err = YW_ERR_INIT;
    struct nrule r;
    CHECK_INT(rule("{\"name\":\"l12\",\"match\":{\"levels\":[1,2],\"systems\":[\"portal\"],"
                   "\"kinds\":[\"opened\",\"sla_breach\"]},\"steps\":[{\"after\":\"0m\",\"to\":"
                   "[\"assignee\",\"duty:primary\"],\"channels\":[\"ding\"]},{\"after\":\"15m\","
                   "\"to\":[\"role:乙方项目经理\",\"user:li.lei\"],\"channels\":[\"mail\"]}]}",
                   &r, &err),
              0);
    CHECK_INT(r.nsteps, 2);
    CHECK_INT(r.steps[1].after, 15 * MS_PER_MIN);
    CHECK_STR(r.steps[1].to[0], "role:manager");
    struct notify_event ev = {.kind = NK_OPENED, .level = 1, .system = "portal"};
    CHECK(nrule_matches(&r, &ev));
    ev.level = 3;
    CHECK(!nrule_matches(&r, &ev));
    ev.level = 2;
    ev.system = "mail";
    CHECK(!nrule_matches(&r, &ev));
    ev.system = NULL;
    CHECK(!nrule_matches(&r, &ev));
    ev.system = "portal";
    ev.kind = NK_RESOLVED;
    CHECK(!nrule_matches(&r, &ev));
    ev.kind = NK_SLA_BREACH;
    CHECK(nrule_matches(&r, &ev));
    size_t n;
    const char **chs = nrule_channels(&r, &n);
    CHECK_INT(n, 2);
    xfree(chs);
    char *spec = nrule_spec_text(&r);
    CHECK(strstr(spec, "\"after\":\"15m\"") != NULL);
    xfree(spec);
    nrule_release(&r);

    /* empty match: any */
    CHECK_INT(rule("{\"name\":\"all\",\"steps\":[{\"channels\":[\"c\"]}]}", &r, &err), 0);
    ev.level = 4;
    ev.system = NULL;
    CHECK(nrule_matches(&r, &ev));
    nrule_release(&r);

    CHECK_INT(rule("{\"name\":\"x\",\"steps\":[{\"to\":[\"duty:night\"],\"channels\":[\"c\"]}]}",
                   &r, &err),
              -1);
    CHECK_STR(err.field, "steps[0].to[0]");
    CHECK_INT(rule("{\"name\":\"x\",\"steps\":[{\"to\":[\"role:god\"],\"channels\":[\"c\"]}]}",
                   &r, &err),
              -1);
    CHECK_STR(err.field, "steps[0].to[0]");
    CHECK_INT(rule("{\"name\":\"x\",\"match\":{\"kinds\":[\"test\"]},\"steps\":[{\"channels\":"
                   "[\"c\"]}]}",
                   &r, &err),
              -1);
    CHECK_STR(err.field, "match.kinds");
    CHECK_INT(rule("{\"name\":\"x\",\"match\":{\"levels\":[5]},\"steps\":[{\"channels\":[\"c\"]}]}",
                   &r, &err),
              -1);
    CHECK_STR(err.field, "match.levels");
    CHECK_INT(rule("{\"name\":\"x\",\"steps\":[]}", &r, &err), -1);
    CHECK_STR(err.field, "steps");
    CHECK_INT(rule("{\"name\":\"x\",\"steps\":[{\"after\":\"8d\",\"channels\":[\"c\"]}]}", &r,
                   &err),
              -1);
    CHECK_STR(err.field, "steps[0].after");
    CHECK_INT(rule("{\"name\":\"x\",\"steps\":[{\"to\":[\"assignee\"]}]}", &r, &err), -1);
    CHECK_STR(err.field, "steps[0].channels");
}

static void opened_event(struct nevent *e)
{
    struct notify_event ev = {
        .kind = NK_OPENED,
        .incident_id = 42,
        .level = 1,
        .system = "数据资源门户",
        .title = "首页无法访问",
        .at = T0,
        .due = T0 + 30 * MS_PER_MIN,
        .detail = "HTTP 503",
    };
    nevent_from(&ev, e);
}

TEST(opened_message_in_chinese_with_link)
{
    struct nevent e;
    opened_event(&e);
    struct nmessage m;
    notify_message_build(&e, "ops-ding", "http://127.0.0.1:8080/", 0, &m);
    CHECK_STR(m.subject, "【新故障】一级故障 数据资源门户：首页无法访问");
    CHECK_STR(m.headline, "新故障已登记，请尽快响应。");
    CHECK(strstr(m.text, "级别：一级\n") != NULL);
    CHECK(strstr(m.text, "系统：数据资源门户\n") != NULL);
    CHECK(strstr(m.text, "时间：2025-11-25 10:00\n") != NULL);
    CHECK(strstr(m.text, "响应截止：2025-11-25 10:30\n") != NULL);
    CHECK(strstr(m.text, "说明：HTTP 503\n") != NULL);
    CHECK(strstr(m.text, "查看故障 #42：http://127.0.0.1:8080/incidents/42\n") != NULL);
    CHECK_STR(m.link, "http://127.0.0.1:8080/incidents/42");
    char *md = notify_markdown(&m, "\n\n", "@13800001111");
    CHECK(strncmp(md, "### 【新故障】", strlen("### 【新故障】")) == 0);
    CHECK(strstr(md, "[查看故障 #42](http://127.0.0.1:8080/incidents/42)") != NULL);
    CHECK(strstr(md, "\n\n@13800001111") != NULL);
    xfree(md);
    nmessage_release(&m);
    /* the event survives the round trip through its stored text */
    char *t = nevent_to_text(&e);
    struct nevent back;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(nevent_from_text(t, &back, &err), 0);
    CHECK_STR(back.kind, "opened");
    CHECK_INT(back.incident_id, 42);
    CHECK_INT(back.due, T0 + 30 * MS_PER_MIN);
    CHECK_STR(back.title, "首页无法访问");
    nevent_release(&back);
    xfree(t);
    nevent_release(&e);
}

TEST(every_kind_has_its_words)
{
    static const struct {
        enum notify_kind k;
        int clock;
        const char *subject_start, *headline_part, *due_label;
    } cases[] = {
        {NK_ASSIGNED, -1, "【故障指派】", "已指派", "响应截止"},
        {NK_SLA_WARNING, CLOCK_RESPONSE, "【响应时限预警】", "响应时限即将到期", "响应截止"},
        {NK_SLA_WARNING, CLOCK_ONSITE, "【到场时限预警】", "到场时限即将到期", "到场截止"},
        {NK_SLA_BREACH, CLOCK_RESOLVE, "【解决超时】", "已超过解决时限", "解决截止"},
        {NK_RECOVERED, -1, "【监控恢复】", "已恢复", "截止时间"},
        {NK_RESOLVED, -1, "【故障已解决】", "3 个工作日", "报告截止"},
        {NK_REOPENED, -1, "【故障重新打开】", "重新打开", "截止时间"},
        {NK_REPORT_DUE, -1, "【故障报告待提交】", "故障报告", "报告截止"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct notify_event ev = {.kind = cases[i].k, .incident_id = 7, .level = 2,
                                  .title = "接口超时", .clock = (enum sla_clock)cases[i].clock,
                                  .at = T0, .due = T0 + MS_PER_H};
        if (cases[i].clock < 0)
            ev.clock = CLOCK_RESPONSE; /* ignored for these kinds */
        struct nevent e;
        nevent_from(&ev, &e);
        struct nmessage m;
        notify_message_build(&e, "c", "https://yunwei.example.gov.cn", 0, &m);
        if (strncmp(m.subject, cases[i].subject_start, strlen(cases[i].subject_start)) != 0)
            printf("#   case %zu: subject %s\n", i, m.subject);
        CHECK(strncmp(m.subject, cases[i].subject_start, strlen(cases[i].subject_start)) == 0);
        CHECK(strstr(m.headline, cases[i].headline_part) != NULL);
        char want[64];
        snprintf(want, sizeof want, "%s：2025-11-25 11:00", cases[i].due_label);
        if (!strstr(m.text, want))
            printf("#   case %zu: no \"%s\" in %s\n", i, want, m.text);
        CHECK(strstr(m.text, want) != NULL);
        CHECK(strstr(m.text, "https://yunwei.example.gov.cn/incidents/7") != NULL);
        CHECK(strstr(m.subject, "二级故障") != NULL);
        nmessage_release(&m);
        nevent_release(&e);
    }
}

TEST(markdown_cannot_be_injected)
{
    struct notify_event ev = {.kind = NK_OPENED, .incident_id = 1, .level = 3,
                              .title = "[点我](http://evil.example) <b>x</b> *y*", .at = T0};
    struct nevent e;
    nevent_from(&ev, &e);
    struct nmessage m;
    notify_message_build(&e, "c", "http://h", 0, &m);
    char *md = notify_markdown(&m, "\n", NULL);
    CHECK(strstr(md, "[点我]") == NULL);
    CHECK(strstr(md, "<b>") == NULL);
    CHECK(strstr(md, "［点我］(http://evil.example)") != NULL);
    xfree(md);
    nmessage_release(&m);
    nevent_release(&e);
    /* the system named once when the title starts with it */
    ev.title = "portal：首页中断";
    ev.system = "portal";
    nevent_from(&ev, &e);
    notify_message_build(&e, "c", "http://h", 0, &m);
    CHECK_STR(m.subject, "【新故障】三级故障 portal：首页中断");
    nmessage_release(&m);
    nevent_release(&e);
    /* a newline in a title cannot add a line */
    ev.title = "a\nb";
    nevent_from(&ev, &e);
    CHECK_STR(e.title, "a b");
    nevent_release(&e);
}

static struct nrecipient *two_people(void)
{
    struct nrecipient *r = xcalloc(2, sizeof *r);
    r[0].user_id = 3;
    strcpy(r[0].login, "li.lei");
    r[0].name = xstrdup("李雷");
    r[0].mobile = xstrdup("13800001111");
    r[0].email = xstrdup("lilei@example.cn");
    r[0].wecom_id = xstrdup("LiLei");
    r[0].feishu_id = xstrdup("ou_abc");
    r[1].user_id = 4;
    strcpy(r[1].login, "han.mm");
    r[1].name = xstrdup("韩梅梅");
    r[1].dingtalk_id = xstrdup("dt-han");
    return r;
}

TEST(robot_bodies)
{
    struct nevent e;
    opened_event(&e);
    struct nmessage m;
    notify_message_build(&e, "c", "http://127.0.0.1:8080", 0, &m);
    struct nrecipient *r = two_people();

    char *b = notify_body_dingtalk(&m, r, 2);
    json_t *j = J(b);
    CHECK_STR(sget(j, "msgtype"), "markdown");
    json_t *mk = json_object_get(j, "markdown");
    CHECK_STR(sget(mk, "title"), m.subject);
    CHECK(strstr(sget(mk, "text"), "@13800001111 @dt-han") != NULL);
    CHECK(strstr(sget(mk, "text"), "http://127.0.0.1:8080/incidents/42") != NULL);
    json_t *at = json_object_get(j, "at");
    CHECK_STR(json_string_value(json_array_get(json_object_get(at, "atMobiles"), 0)),
              "13800001111");
    CHECK_STR(json_string_value(json_array_get(json_object_get(at, "atUserIds"), 0)), "dt-han");
    CHECK(json_is_false(json_object_get(at, "isAtAll")));
    json_decref(j);
    xfree(b);

    b = notify_body_wecom(&m, r, 2, false);
    j = J(b);
    CHECK_STR(sget(j, "msgtype"), "markdown");
    const char *content = sget(json_object_get(j, "markdown"), "content");
    CHECK(strstr(content, "<@LiLei>") != NULL);
    CHECK(strstr(content, "提醒：韩梅梅") != NULL); /* markdown cannot mention by mobile/id */
    json_decref(j);
    xfree(b);
    b = notify_body_wecom(&m, r, 2, true);
    j = J(b);
    CHECK_STR(sget(j, "msgtype"), "text");
    json_t *t = json_object_get(j, "text");
    CHECK_STR(json_string_value(json_array_get(json_object_get(t, "mentioned_list"), 0)),
              "LiLei");
    json_decref(j);
    xfree(b);

    b = notify_body_feishu(&m, r, 2, "feishu-secret-xyz", T0);
    j = J(b);
    CHECK_STR(sget(j, "msg_type"), "post");
    CHECK_STR(sget(j, "timestamp"), "1764036000");
    CHECK_STR(sget(j, "sign"), "/tSGujEhlMxKPeQsgOACQfxhyeLtSW98ggo2HjalNWQ=");
    CHECK(strstr(b, "feishu-secret-xyz") == NULL);
    json_t *zh = json_object_get(json_object_get(json_object_get(j, "content"), "post"), "zh_cn");
    CHECK_STR(sget(zh, "title"), m.subject);
    bool link = false, mention = false;
    size_t i, k;
    json_t *line, *tag;
    json_array_foreach(json_object_get(zh, "content"), i, line) json_array_foreach(line, k, tag)
    {
        if (sget(tag, "href") && strcmp(sget(tag, "href"), "http://127.0.0.1:8080/incidents/42") == 0)
            link = true;
        if (sget(tag, "user_id") && strcmp(sget(tag, "user_id"), "ou_abc") == 0)
            mention = true;
    }
    CHECK(link);
    CHECK(mention);
    json_decref(j);
    xfree(b);

    nrecipients_free(r, 2);
    nmessage_release(&m);
    nevent_release(&e);
}

TEST(webhook_and_mail)
{
    struct yw_err err = YW_ERR_INIT;
    struct nchannel c;
    CHECK_INT(chan("{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"https://h.example/x\","
                   "\"token\":\"bearer-secret\",\"secret\":\"sign-secret\"}",
                   NULL, &c, &err),
              0);
    struct nevent e;
    opened_event(&e);
    struct nmessage m;
    notify_message_build(&e, c.name, "http://127.0.0.1:8080", 0, &m);
    struct nrecipient *r = two_people();
    struct nsend_in in = {.ch = &c, .msg = &m, .ev = &e, .delivery_id = 9, .rcpt = r,
                          .nrcpt = 2, .now = T0};
    char *b = notify_body_webhook(&in);
    CHECK(strstr(b, "bearer-secret") == NULL && strstr(b, "sign-secret") == NULL);
    json_t *j = J(b);
    CHECK_STR(sget(j, "kind"), "opened");
    CHECK_STR(sget(j, "kind_zh"), "新故障");
    CHECK_INT(json_integer_value(json_object_get(j, "incident_id")), 42);
    CHECK_INT(json_integer_value(json_object_get(j, "level")), 1);
    CHECK_STR(sget(j, "level_zh"), "一级");
    CHECK_STR(sget(j, "system"), "数据资源门户");
    CHECK_STR(sget(j, "link"), "http://127.0.0.1:8080/incidents/42");
    CHECK_STR(sget(j, "at"), "2025-11-25T10:00:00+08:00");
    CHECK_STR(sget(j, "due"), "2025-11-25T10:30:00+08:00");
    CHECK_INT(json_integer_value(json_object_get(j, "delivery_id")), 9);
    json_t *r0 = json_array_get(json_object_get(j, "recipients"), 0);
    CHECK_STR(sget(r0, "login"), "li.lei");
    CHECK_STR(sget(r0, "mobile"), "13800001111");
    CHECK(json_is_false(json_object_get(j, "test")));
    json_decref(j);
    xfree(b);
    nchannel_release(&c);

    CHECK_INT(chan("{\"name\":\"mail\",\"type\":\"email\",\"host\":\"smtp.example.cn\","
                   "\"username\":\"u\",\"password\":\"smtp-pass-9\",\"from\":\"ops@example.cn\"}",
                   NULL, &c, &err),
              0);
    const char *to[] = {"lilei@example.cn", "boss@example.cn"};
    char *p = notify_mail_payload(&c, &m, to, 2, 9, T0);
    CHECK(strstr(p, "smtp-pass-9") == NULL);
    CHECK(strstr(p, "Date: Tue, 25 Nov 2025 10:00:00 +0800\r\n") != NULL);
    CHECK(strstr(p, "To: lilei@example.cn,\r\n boss@example.cn\r\n") != NULL);
    CHECK(strstr(p, "Subject: =?UTF-8?B?") != NULL);
    CHECK(strstr(p, "<ops@example.cn>\r\n") != NULL);
    CHECK(strstr(p, "Content-Type: text/plain; charset=UTF-8\r\n") != NULL);
    CHECK(strstr(p, "\r\n\r\n") != NULL);
    xfree(p);
    nchannel_release(&c);
    nrecipients_free(r, 2);
    nmessage_release(&m);
    nevent_release(&e);
}

TEST(test_message_and_digest)
{
    struct nevent e = {.clock = -1, .at = T0};
    strcpy(e.kind, "test");
    e.by = xstrdup("li.lei");
    struct nmessage m;
    notify_message_build(&e, "ops-ding", "http://h/", 0, &m);
    CHECK_STR(m.subject, "【测试消息】通知渠道 ops-ding");
    CHECK(strstr(m.text, "「ops-ding」配置正确") != NULL);
    CHECK(strstr(m.text, "发起人：li.lei") != NULL);
    CHECK_STR(m.link, "http://h/");
    nmessage_release(&m);
    nevent_release(&e);

    struct nevent d = {.clock = -1};
    strcpy(d.kind, "digest");
    d.items = xcalloc(2, sizeof *d.items);
    d.items[0] = xstrdup("【新故障】一级故障 a：x");
    d.items[1] = xstrdup("【新故障】一级故障 b：y");
    d.nitems = 2;
    notify_message_build(&d, "c", "http://h", 5, &m);
    CHECK_STR(m.subject, "【通知汇总】另有 5 条通知");
    CHECK(strstr(m.text, "· 【新故障】一级故障 b：y") != NULL);
    CHECK(strstr(m.text, "（共 5 条）") != NULL);
    nmessage_release(&m);
    nevent_release(&d);
}

int main(void)
{
    time_set_display_zone("Asia/Shanghai");
    RUN(dingtalk_address_pasted_whole);
    RUN(robot_urls);
    RUN(secrets_kept_cleared_replaced);
    RUN(email_checks);
    RUN(rules_parse_and_match);
    RUN(opened_message_in_chinese_with_link);
    RUN(every_kind_has_its_words);
    RUN(markdown_cannot_be_injected);
    RUN(robot_bodies);
    RUN(webhook_and_mail);
    RUN(test_message_and_digest);
    return t_done();
}
