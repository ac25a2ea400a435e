/*
 * send — one message over one channel, with a libcurl easy handle on the
 * notifier's worker thread (never on a caller's): SMTP mail, a generic
 * webhook, the DingTalk, WeCom and Feishu robots.
 *
 * Every transfer has a connect timeout (5 s) and a total one (15 s), and a
 * progress callback that ends it at once when the notifier stops. Nothing
 * secret is logged or kept: the signed DingTalk URL and the endpoints with
 * their tokens live only in this call, and the answer's excerpt is
 * scrubbed of the channel's secrets before anyone sees it.
 *
 * What the vendors answer (their documentation: DingTalk
 * https://open.dingtalk.com/document/robots/custom-robot-access, WeCom
 * 群机器人配置说明 https://developer.work.weixin.qq.com/document/path/91770,
 * Feishu https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
 * DingTalk and WeCom answer HTTP 200 with {"errcode":0,"errmsg":"ok"}, and
 * an error as 200 with errcode non-zero; Feishu answers {"code":0,…} (older
 * bots {"StatusCode":0,…}). So a 2xx is only a success when that code is 0.
 *
 * Message shapes:
 * - DingTalk: msgtype markdown {title, text}; "at": {atMobiles, atUserIds,
 *   isAtAll false}, and the text carries "@MOBILE" for each, which is how
 *   DingTalk shows the mention.
 * - WeCom: msgtype markdown {content} (at most 4096 bytes), mentions as
 *   <@userid> in the content (markdown cannot mention by mobile); or, with
 *   msgtype text, content (at most 2048 bytes) plus mentioned_list /
 *   mentioned_mobile_list.
 * - Feishu: msg_type post, content.post.zh_cn {title, content: lines of
 *   tags: text, a (the link), at (user_id = the person's open id)}; signed
 *   bots add "timestamp" and "sign" at the top level.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/secret.h"

#include "core/buf.h"
#include "core/mem.h"
#include "notify/notify_int.h"

#define USER_AGENT "yunwei/0.1"
#define ANSWER_KEEP 4096            /* bytes of an answer read for the checks */
#define WECOM_MARKDOWN_MAX 4096     /* WeCom: markdown content at most 4096 bytes */
#define WECOM_TEXT_MAX 2048         /* text content at most 2048 bytes */

/* ---- bodies -------------------------------------------------------------------------- */

static char *dumps(json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char *out = xstrdup(s ? s : "{}");
    free(s);
    return out;
}

/* Names of the recipients a medium cannot mention, as one line. */
static void unmentioned_line(struct buf *b, const struct nrecipient *r, size_t n,
                             bool (*can)(const struct nrecipient *))
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (can(&r[i]))
            continue;
        buf_addf(b, "%s%s", any ? "、" : "提醒：", r[i].name ? r[i].name : r[i].login);
        any = true;
    }
}

static bool ding_can(const struct nrecipient *r)
{
    return r->mobile || r->dingtalk_id;
}

char *notify_body_dingtalk(const struct nmessage *m, const struct nrecipient *r, size_t n)
{
    json_t *mobiles = json_array(), *uids = json_array();
    struct buf at = BUF_INIT(16 * 1024);
    for (size_t i = 0; i < n; i++) {
        if (r[i].mobile) {
            json_array_append_new(mobiles, json_string(r[i].mobile));
            buf_addf(&at, "%s@%s", at.len ? " " : "", r[i].mobile);
        } else if (r[i].dingtalk_id) {
            json_array_append_new(uids, json_string(r[i].dingtalk_id));
            buf_addf(&at, "%s@%s", at.len ? " " : "", r[i].dingtalk_id);
        }
    }
    unmentioned_line(&at, r, n, ding_can);
    char *md = notify_markdown(m, "\n\n", buf_str(&at));
    buf_release(&at);
    json_t *j = json_object();
    json_object_set_new(j, "msgtype", json_string("markdown"));
    json_t *mk = json_object();
    json_object_set_new(mk, "title", json_string(m->subject));
    json_object_set_new(mk, "text", json_string(md));
    json_object_set_new(j, "markdown", mk);
    json_t *a = json_object();
    json_object_set_new(a, "atMobiles", mobiles);
    json_object_set_new(a, "atUserIds", uids);
    json_object_set_new(a, "isAtAll", json_false());
    json_object_set_new(j, "at", a);
    xfree(md);
    return dumps(j);
}

static bool wecom_md_can(const struct nrecipient *r)
{
    return r->wecom_id != NULL;
}

static bool wecom_text_can(const struct nrecipient *r)
{
    return r->wecom_id || r->mobile;
}

char *notify_body_wecom(const struct nmessage *m, const struct nrecipient *r, size_t n, bool text)
{
    json_t *j = json_object();
    if (text) {
        json_t *ids = json_array(), *mobiles = json_array();
        for (size_t i = 0; i < n; i++) {
            if (r[i].wecom_id)
                json_array_append_new(ids, json_string(r[i].wecom_id));
            else if (r[i].mobile)
                json_array_append_new(mobiles, json_string(r[i].mobile));
        }
        struct buf b = BUF_INIT(64 * 1024);
        buf_adds(&b, m->text);
        unmentioned_line(&b, r, n, wecom_text_can);
        char *content = notify_utf8_dup(buf_str(&b), WECOM_TEXT_MAX + 1);
        buf_release(&b);
        json_t *t = json_object();
        json_object_set_new(t, "content", json_string(content));
        json_object_set_new(t, "mentioned_list", ids);
        json_object_set_new(t, "mentioned_mobile_list", mobiles);
        json_object_set_new(j, "msgtype", json_string("text"));
        json_object_set_new(j, "text", t);
        xfree(content);
    } else {
        struct buf at = BUF_INIT(16 * 1024);
        for (size_t i = 0; i < n; i++)
            if (r[i].wecom_id)
                buf_addf(&at, "%s<@%s>", at.len ? " " : "", r[i].wecom_id);
        unmentioned_line(&at, r, n, wecom_md_can);
        char *md = notify_markdown(m, "\n", buf_str(&at));
        buf_release(&at);
        char *content = notify_utf8_dup(md, WECOM_MARKDOWN_MAX + 1);
        xfree(md);
        json_t *mk = json_object();
        json_object_set_new(mk, "content", json_string(content));
        json_object_set_new(j, "msgtype", json_string("markdown"));
        json_object_set_new(j, "markdown", mk);
        xfree(content);
    }
    return dumps(j);
}

static json_t *tag_text(const char *s)
{
    json_t *line = json_array(), *t = json_object();
    json_object_set_new(t, "tag", json_string("text"));
    json_object_set_new(t, "text", json_string(s));
    json_array_append_new(line, t);
    return line;
}

static bool feishu_can(const struct nrecipient *r)
{
    return r->feishu_id != NULL;
}

char *notify_body_feishu(const struct nmessage *m, const struct nrecipient *r, size_t n,
                         const char *secret, ms_t now)
{
    json_t *lines = json_array();
    json_array_append_new(lines, tag_text(m->headline));
    for (size_t i = 0; i < m->nfields; i++) {
        const struct nfield *f = &m->fields[i];
        char *s = f->label[0] ? xasprintf("%s：%s", f->label, f->value) : xstrdup(f->value);
        json_array_append_new(lines, tag_text(s));
        xfree(s);
    }
    if (m->link) {
        json_t *line = json_array(), *a = json_object();
        json_object_set_new(a, "tag", json_string("a"));
        json_object_set_new(a, "text", json_string(m->link_text));
        json_object_set_new(a, "href", json_string(m->link));
        json_array_append_new(line, a);
        json_array_append_new(lines, line);
    }
    json_t *ats = json_array();
    for (size_t i = 0; i < n; i++)
        if (r[i].feishu_id) {
            json_t *a = json_object();
            json_object_set_new(a, "tag", json_string("at"));
            json_object_set_new(a, "user_id", json_string(r[i].feishu_id));
            json_array_append_new(ats, a);
        }
    struct buf rest = BUF_INIT(16 * 1024);
    unmentioned_line(&rest, r, n, feishu_can);
    if (rest.len) {
        json_t *t = json_object();
        json_object_set_new(t, "tag", json_string("text"));
        json_object_set_new(t, "text", json_string(buf_str(&rest)));
        json_array_append_new(ats, t);
    }
    buf_release(&rest);
    if (json_array_size(ats))
        json_array_append_new(lines, ats);
    else
        json_decref(ats);

    json_t *zh = json_object();
    json_object_set_new(zh, "title", json_string(m->subject));
    json_object_set_new(zh, "content", lines);
    json_t *post = json_object();
    json_object_set_new(post, "zh_cn", zh);
    json_t *content = json_object();
    json_object_set_new(content, "post", post);
    json_t *j = json_object();
    json_object_set_new(j, "msg_type", json_string("post"));
    json_object_set_new(j, "content", content);
    if (secret) {
        int64_t ts = now / MS_PER_S;
        char *sign = notify_feishu_sign(secret, ts);
        char tss[32];
        snprintf(tss, sizeof tss, "%lld", (long long)ts);
        json_object_set_new(j, "timestamp", json_string(tss));
        json_object_set_new(j, "sign", json_string(sign));
        xfree(sign);
    }
    return dumps(j);
}

static json_t *time_or_null(ms_t t)
{
    if (!t)
        return json_null();
    char s[64];
    time_format_rfc3339(t, s, sizeof s);
    return json_string(s);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

char *notify_body_webhook(const struct nsend_in *in)
{
    const struct nevent *e = in->ev;
    const struct nmessage *m = in->msg;
    json_t *j = json_object();
    json_object_set_new(j, "source", json_string("yunwei"));
    json_object_set_new(j, "delivery_id", json_integer(in->delivery_id));
    json_object_set_new(j, "channel", json_string(in->ch->name));
    json_object_set_new(j, "kind", json_string(e->kind));
    enum notify_kind k;
    bool known = notify_kind_parse(e->kind, &k) == 0;
    json_object_set_new(j, "kind_zh",
                        json_string(known ? notify_kind_title_zh(k) : "通知汇总"));
    json_object_set_new(j, "test", json_boolean(known && k == NK_TEST));
    json_object_set_new(j, "incident_id", e->incident_id ? json_integer(e->incident_id)
                                                         : json_null());
    json_object_set_new(j, "level", e->level ? json_integer(e->level) : json_null());
    json_object_set_new(j, "level_zh", e->level ? json_string(notify_level_zh(e->level))
                                                : json_null());
    json_object_set_new(j, "system", str_or_null(e->system));
    json_object_set_new(j, "title", str_or_null(e->title));
    json_object_set_new(j, "clock", str_or_null(notify_clock_name(e->clock)));
    json_object_set_new(j, "clock_zh", e->clock >= 0 ? json_string(notify_clock_zh(e->clock))
                                                     : json_null());
    json_object_set_new(j, "at", time_or_null(e->at));
    json_object_set_new(j, "due", time_or_null(e->due));
    json_object_set_new(j, "detail", str_or_null(e->detail));
    json_object_set_new(j, "link", str_or_null(m->link));
    json_object_set_new(j, "subject", json_string(m->subject));
    json_object_set_new(j, "text", json_string(m->text));
    json_t *items = json_array();
    for (size_t i = 0; i < e->nitems; i++)
        json_array_append_new(items, json_string(e->items[i]));
    json_object_set_new(j, "items", items);
    json_t *rc = json_array();
    for (size_t i = 0; i < in->nrcpt; i++) {
        const struct nrecipient *r = &in->rcpt[i];
        json_t *o = json_object();
        json_object_set_new(o, "user_id", json_integer(r->user_id));
        json_object_set_new(o, "login", json_string(r->login));
        json_object_set_new(o, "name", str_or_null(r->name));
        json_object_set_new(o, "email", str_or_null(r->email));
        json_object_set_new(o, "mobile", str_or_null(r->mobile));
        json_array_append_new(rc, o);
    }
    json_object_set_new(j, "recipients", rc);
    return dumps(j);
}

char *notify_dingtalk_url(const struct nchannel *c, ms_t now)
{
    char *base = nchannel_endpoint(c);
    if (!c->secret)
        return base;
    char *sign = notify_dingtalk_sign(c->secret, now);
    char *enc = notify_url_encode(sign);
    char *url = xasprintf("%s&timestamp=%lld&sign=%s", base, (long long)now, enc);
    xfree(sign);
    xfree(enc);
    xfree(base);
    return url;
}

char *notify_mail_payload(const struct nchannel *c, const struct nmessage *m,
                          const char *const *to, size_t nto, int64_t delivery_id, ms_t now)
{
    static const char *const wday[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    struct civil cv;
    time_to_civil(now, NULL, &cv);
    int off = cv.utc_offset_s / 60;
    char sign = off < 0 ? '-' : '+';
    if (off < 0)
        off = -off;
    struct buf b = BUF_INIT(256 * 1024);
    buf_addf(&b, "Date: %s, %d %s %04d %02d:%02d:%02d %c%02d%02d\r\n", wday[cv.wday % 7], cv.day,
             mon[(cv.month - 1) % 12], cv.year, cv.hour, cv.min, cv.sec, sign, off / 60,
             off % 60);
    char *from_name = notify_mime_header(c->from_name ? c->from_name : "yunwei 运维平台");
    buf_addf(&b, "From: %s <%s>\r\n", from_name, c->from);
    xfree(from_name);
    buf_adds(&b, "To: ");
    for (size_t i = 0; i < nto; i++)
        buf_addf(&b, "%s%s", i ? ",\r\n " : "", to[i]);
    buf_adds(&b, "\r\n");
    char *subject = notify_mime_header(m->subject);
    buf_addf(&b, "Subject: %s\r\n", subject);
    xfree(subject);
    const char *at = strchr(c->from, '@');
    buf_addf(&b, "Message-ID: <yunwei.%lld.%lld%s>\r\n", (long long)delivery_id, (long long)now,
             at ? at : "@yunwei");
    buf_adds(&b, "MIME-Version: 1.0\r\n"
                 "Content-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: base64\r\n"
                 "X-Mailer: yunwei\r\n\r\n");
    struct buf body = BUF_INIT(128 * 1024);
    for (const char *p = m->text; *p; p++) {
        if (*p == '\n')
            buf_add(&body, "\r\n", 2);
        else
            buf_add(&body, p, 1);
    }
    char *lines = notify_base64_lines(buf_str(&body), body.len);
    buf_adds(&b, lines);
    xfree(lines);
    buf_release(&body);
    return buf_take(&b);
}

/* ---- transfers ----------------------------------------------------------------------- */

struct answer {
    char data[ANSWER_KEEP + 1];
    size_t len;
};

static size_t on_write(char *p, size_t size, size_t nmemb, void *arg)
{
    struct answer *a = arg;
    size_t n = size * nmemb;
    size_t room = ANSWER_KEEP - a->len;
    size_t take = n < room ? n : room;
    memcpy(a->data + a->len, p, take);
    a->len += take;
    a->data[a->len] = '\0';
    return n; /* the rest is read and dropped: the transfer is not cut short */
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                       curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    atomic_bool *stop = arg;
    return stop && atomic_load(stop) ? 1 : 0;
}

/* Replaces every occurrence of secret in s (in place, same length or
 * shorter) with the mask. */
static void scrub(char *s, size_t cap, const char *secret)
{
    if (!secret || strlen(secret) < 4)
        return;
    size_t sl = strlen(secret), ml = strlen(NOTIFY_MASK);
    char *p;
    while ((p = strstr(s, secret)) != NULL) {
        size_t tail = strlen(p + sl);
        if (ml <= sl) {
            memcpy(p, NOTIFY_MASK, ml);
            memmove(p + ml, p + sl, tail + 1);
        } else {
            /* shorter than the mask: stars of its own length */
            memset(p, '*', sl);
        }
    }
    (void)cap;
}

static void scrub_all(const struct nchannel *c, char *s, size_t cap)
{
    scrub(s, cap, c->token);
    scrub(s, cap, c->secret);
    scrub(s, cap, c->password);
}

/* The excerpt of an answer: at most STORE_ATTEMPT_EXCERPT_MAX bytes, whole
 * UTF-8 characters, secrets scrubbed. */
static void excerpt(const struct nchannel *c, const struct answer *a, struct nsend_out *out)
{
    char *cut = notify_utf8_dup(a->data, sizeof out->response);
    snprintf(out->response, sizeof out->response, "%s", cut);
    xfree(cut);
    scrub_all(c, out->response, sizeof out->response);
}

static void common_opts(CURL *e, const struct nsend_in *in, char *errbuf)
{
    errbuf[0] = '\0';
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, in->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, in->total_timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, in->abort);
#if LIBCURL_VERSION_NUM >= 0x075700
    curl_easy_setopt(e, CURLOPT_QUICK_EXIT, 1L);
#endif
}

static void curl_failed(const struct nsend_in *in, CURLcode rc, const char *errbuf,
                        struct nsend_out *out)
{
    snprintf(out->error, sizeof out->error, "%s%s%s", curl_easy_strerror(rc),
             errbuf[0] ? ": " : "", errbuf);
    scrub_all(in->ch, out->error, sizeof out->error);
    out->retry = true;
}

enum vendor { V_NONE, V_ERRCODE, V_FEISHU };

/* A 2xx of a robot is a success only when its code is 0. */
static void vendor_check(enum vendor v, const struct answer *a, struct nsend_out *out)
{
    if (v == V_NONE)
        return;
    json_t *j = json_loadb(a->data, a->len, 0, NULL);
    if (!json_is_object(j)) {
        json_decref(j);
        return;
    }
    json_t *code = json_object_get(j, v == V_ERRCODE ? "errcode" : "code");
    if (!code && v == V_FEISHU)
        code = json_object_get(j, "StatusCode");
    const char *msg = json_string_value(json_object_get(j, v == V_ERRCODE ? "errmsg" : "msg"));
    if (!msg && v == V_FEISHU)
        msg = json_string_value(json_object_get(j, "StatusMessage"));
    if (json_is_integer(code) && json_integer_value(code) != 0) {
        out->ok = false;
        out->retry = true;
        snprintf(out->error, sizeof out->error, "the robot answered code %lld: %.200s",
                 (long long)json_integer_value(code), msg ? msg : "");
    }
    json_decref(j);
}

static void http_post(const struct nsend_in *in, const char *url, const char *body,
                      struct curl_slist *hdrs, enum vendor v, struct nsend_out *out)
{
    char errbuf[CURL_ERROR_SIZE];
    struct answer a = {.len = 0};
    a.data[0] = '\0';
    CURL *e = curl_easy_init();
    if (!e) {
        snprintf(out->error, sizeof out->error, "curl_easy_init failed");
        out->retry = true;
        return;
    }
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json; charset=utf-8");
    hdrs = curl_slist_append(hdrs, "Expect:"); /* no 100-continue round trip */
    common_opts(e, in, errbuf);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &a);
    if (!in->ch->tls_verify) {
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    ms_t t0 = time_mono_ms();
    CURLcode rc = curl_easy_perform(e);
    out->duration = time_mono_ms() - t0;
    if (rc != CURLE_OK) {
        curl_failed(in, rc, errbuf, out);
    } else {
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        out->status = (int)status;
        excerpt(in->ch, &a, out);
        if (status >= 200 && status < 300) {
            out->ok = true;
            vendor_check(v, &a, out);
        } else {
            snprintf(out->error, sizeof out->error, "HTTP %ld", status);
            out->retry = status == 408 || status == 429 || status >= 500;
        }
    }
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(e);
}

/* ---- mail ---------------------------------------------------------------------------- */

struct reader {
    const char *data;
    size_t len, off;
};

static size_t on_read(char *p, size_t size, size_t nmemb, void *arg)
{
    struct reader *r = arg;
    size_t room = size * nmemb, left = r->len - r->off;
    size_t n = left < room ? left : room;
    memcpy(p, r->data + r->off, n);
    r->off += n;
    return n;
}

static void send_mail(const struct nsend_in *in, struct nsend_out *out)
{
    const struct nchannel *c = in->ch;
    const char *to[NOTIFY_RECIPIENTS_MAX + NOTIFY_TO_MAX];
    size_t nto = 0;
    for (size_t i = 0; i < in->nrcpt + c->nto; i++) {
        const char *addr = i < in->nrcpt ? in->rcpt[i].email : c->to[i - in->nrcpt];
        bool seen = !addr || !notify_email_valid(addr);
        for (size_t k = 0; k < nto && !seen; k++)
            seen = strcasecmp(to[k], addr) == 0;
        if (!seen)
            to[nto++] = addr;
    }
    if (nto == 0) {
        snprintf(out->error, sizeof out->error,
                 "nobody to write to: no recipient has an email address");
        return;
    }
    char *payload = notify_mail_payload(c, in->msg, to, nto, in->delivery_id, in->now);
    char host[NOTIFY_HOST_MAX + 3];
    snprintf(host, sizeof host, strchr(c->host, ':') && c->host[0] != '[' ? "[%s]" : "%s",
             c->host);
    char *url = xasprintf("%s://%s:%d/yunwei", c->security == SMTP_TLS ? "smtps" : "smtp", host,
                          c->port);
    char *from = xasprintf("<%s>", c->from);
    struct curl_slist *rcpt = NULL;
    for (size_t i = 0; i < nto; i++) {
        char *r = xasprintf("<%s>", to[i]);
        rcpt = curl_slist_append(rcpt, r);
        xfree(r);
    }
    char errbuf[CURL_ERROR_SIZE];
    struct reader rd = {payload, strlen(payload), 0};
    CURL *e = curl_easy_init();
    if (!e) {
        snprintf(out->error, sizeof out->error, "curl_easy_init failed");
        out->retry = true;
    } else {
        common_opts(e, in, errbuf);
        curl_easy_setopt(e, CURLOPT_URL, url);
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
        if (c->security == SMTP_STARTTLS)
            curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
        if (!c->tls_verify) {
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
            curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        }
        if (c->username)
            curl_easy_setopt(e, CURLOPT_USERNAME, c->username);
        if (c->password)
            curl_easy_setopt(e, CURLOPT_PASSWORD, c->password);
        curl_easy_setopt(e, CURLOPT_MAIL_FROM, from);
        curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(e, CURLOPT_READDATA, &rd);
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_INFILESIZE, (long)rd.len);
        ms_t t0 = time_mono_ms();
        CURLcode rc = curl_easy_perform(e);
        out->duration = time_mono_ms() - t0;
        long code = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
        out->status = (int)code;
        if (rc == CURLE_OK) {
            out->ok = true;
            snprintf(out->response, sizeof out->response, "SMTP %ld", code);
        } else {
            curl_failed(in, rc, errbuf, out);
            /* Refused for good: bad credentials, no STARTTLS, a 5xx reply. */
            if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED ||
                rc == CURLE_URL_MALFORMAT || (code >= 500 && code < 600))
                out->retry = false;
        }
        curl_easy_cleanup(e);
    }
    curl_slist_free_all(rcpt);
    xfree(from);
    xfree(url);
    secret_wipe(payload, strlen(payload));
    xfree(payload);
}

/* ---- dispatch ------------------------------------------------------------------------ */

void notify_send(const struct nsend_in *in, struct nsend_out *out)
{
    memset(out, 0, sizeof *out);
    const struct nchannel *c = in->ch;
    struct curl_slist *hdrs = NULL;
    char *url = NULL, *body = NULL;
    enum vendor v = V_NONE;
    switch (c->type) {
    case NCH_EMAIL:
        send_mail(in, out);
        return;
    case NCH_WEBHOOK: {
        url = xstrdup(c->url);
        body = notify_body_webhook(in);
        char h[NOTIFY_SECRET_MAX + 64];
        snprintf(h, sizeof h, "X-Yunwei-Delivery: %lld", (long long)in->delivery_id);
        hdrs = curl_slist_append(hdrs, h);
        if (c->token) {
            snprintf(h, sizeof h, "Authorization: Bearer %s", c->token);
            hdrs = curl_slist_append(hdrs, h);
            secret_wipe(h, sizeof h);
        }
        if (c->secret) {
            int64_t ts = in->now / MS_PER_S;
            char *sig = notify_webhook_sign(c->secret, ts, body);
            snprintf(h, sizeof h, "X-Yunwei-Timestamp: %lld", (long long)ts);
            hdrs = curl_slist_append(hdrs, h);
            snprintf(h, sizeof h, "X-Yunwei-Signature: %s", sig);
            hdrs = curl_slist_append(hdrs, h);
            xfree(sig);
        }
        break;
    }
    case NCH_DINGTALK: {
        url = notify_dingtalk_url(c, in->now);
        body = notify_body_dingtalk(in->msg, in->rcpt, in->nrcpt);
        v = V_ERRCODE;
        break;
    }
    case NCH_WECOM:
        url = nchannel_endpoint(c);
        body = notify_body_wecom(in->msg, in->rcpt, in->nrcpt, c->wecom_text);
        v = V_ERRCODE;
        break;
    case NCH_FEISHU:
        url = nchannel_endpoint(c);
        body = notify_body_feishu(in->msg, in->rcpt, in->nrcpt, c->secret, in->now);
        v = V_FEISHU;
        break;
    case NCH__COUNT:
        snprintf(out->error, sizeof out->error, "unknown channel type");
        return;
    }
    http_post(in, url, body, hdrs, v, out);
    secret_wipe(url, strlen(url));
    xfree(url);
    xfree(body);
}
