/* web — the demo's portal and data-sharing API (libmicrohttpd).
 *
 * Both servers run one thread per connection: /slow then simply sleeps in its
 * own thread and delays nobody else, and the sleep is interruptible
 * (demo_sleep) so that demo_stop never waits for it. */
#include <arpa/inet.h>
#include <jansson.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "demo/demo_int.h"

#define BODY_MAX 4096          /* a login form; anything bigger is refused */
#define PAGE_MAX (256 * 1024)  /* a generated page or answer */
#define PAGE_SIZE_DEFAULT 10
#define PAGE_SIZE_MAX 50

const struct demo_dataset demo_datasets[] = {
    {"市场监督管理局", "企业登记基本信息", "API"},
    {"市场监督管理局", "个体工商户登记信息", "API"},
    {"市场监督管理局", "食品经营许可证信息", "CSV"},
    {"人力资源和社会保障局", "社会保险参保登记信息", "API"},
    {"人力资源和社会保障局", "职业技能等级证书信息", "XLSX"},
    {"人力资源和社会保障局", "就业失业登记信息", "API"},
    {"公安局", "户籍人口统计数据", "XLSX"},
    {"公安局", "居民身份证办理进度", "API"},
    {"自然资源和规划局", "不动产登记信息", "API"},
    {"自然资源和规划局", "国有建设用地供应信息", "CSV"},
    {"生态环境局", "空气质量小时监测数据", "API"},
    {"生态环境局", "重点排污单位名录", "CSV"},
    {"交通运输局", "公交线路及站点信息", "CSV"},
    {"交通运输局", "道路运输经营许可信息", "API"},
    {"卫生健康委员会", "医疗机构执业登记信息", "API"},
    {"卫生健康委员会", "出生医学证明信息", "API"},
    {"卫生健康委员会", "疫苗接种点信息", "CSV"},
    {"教育局", "中小学校名录", "XLSX"},
    {"教育局", "学前教育机构信息", "CSV"},
    {"民政局", "婚姻登记信息", "API"},
    {"民政局", "社会组织登记信息", "API"},
    {"民政局", "养老服务机构名录", "CSV"},
    {"住房和城乡建设局", "商品房网签备案信息", "API"},
    {"住房和城乡建设局", "建筑业企业资质信息", "CSV"},
    {"税务局", "纳税信用A级纳税人名单", "XLSX"},
    {"统计局", "地区生产总值季度数据", "XLSX"},
    {"统计局", "规模以上工业企业主要指标", "XLSX"},
    {"医疗保障局", "定点医药机构名录", "CSV"},
    {"水务局", "城市供水水质公告", "CSV"},
    {"气象局", "逐小时天气实况", "API"},
    {"文化和旅游局", "A级旅游景区名录", "CSV"},
    {"农业农村局", "农产品批发市场价格", "API"},
};
const size_t demo_ndatasets = sizeof demo_datasets / sizeof demo_datasets[0];

/* Per-request state: only a POST body is ever kept. */
struct req {
    struct buf body;
    bool too_large;
};

/* ---- answers ---- */

/* Queues b's contents (taken: b is left empty) with status and type. */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, const char *type,
                              struct buf *b)
{
    size_t len = b->len;
    char *p = buf_take(b);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        xfree(p);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, MHD_HTTP_HEADER_SERVER, "demo-datacenter/1.0");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result answer_json(struct MHD_Connection *c, unsigned status, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        return MHD_NO;
    struct buf b = BUF_INIT(PAGE_MAX);
    int rc = buf_adds(&b, s);
    free(s); /* jansson's allocation */
    if (rc < 0)
        return MHD_NO;
    return answer(c, status, "application/json; charset=utf-8", &b);
}

static const char PAGE_HEAD[] =
    "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
    "<title>%s · 数据资源门户</title>\n"
    "<style>body{font-family:sans-serif;margin:0}header{background:#1f4e8c;color:#fff;"
    "padding:12px 24px}nav a{color:#fff;margin-right:16px}main{padding:24px}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px}</style>\n"
    "</head>\n<body>\n<header><strong>数据资源门户</strong>\n<nav><a href=\"/\">首页</a>"
    "<a href=\"/catalog\">资源目录</a><a href=\"/about\">关于</a>"
    "<a href=\"/login\">登录</a></nav></header>\n<main>\n";
static const char PAGE_TAIL[] =
    "</main>\n<footer><small>演示环境 · 数据均为模拟 · yunwei demo</small></footer>\n"
    "</body>\n</html>\n";

static enum MHD_Result page(struct MHD_Connection *c, unsigned status, const char *title,
                            struct buf *content)
{
    struct buf b = BUF_INIT(PAGE_MAX);
    int rc = buf_addf(&b, PAGE_HEAD, title);
    rc |= buf_adds(&b, buf_str(content));
    rc |= buf_adds(&b, PAGE_TAIL);
    buf_release(content);
    if (rc)
        return MHD_NO;
    return answer(c, status, "text/html; charset=utf-8", &b);
}

/* ---- the portal ---- */

static enum MHD_Result portal_home(struct demo *D, struct MHD_Connection *c)
{
    struct buf b = BUF_INIT(PAGE_MAX);
    buf_addf(&b,
             "<h1>数据资源中心</h1>\n"
             "<p>汇聚全市各部门政务数据资源，统一目录、统一共享、统一开放。</p>\n"
             "<ul>\n<li>已发布数据资源：%zu 个</li>\n<li>今日接口调用：%u 次</li>\n"
             "<li>在线共享服务：%u 个</li>\n</ul>\n"
             "<p><a href=\"/catalog\">浏览资源目录 →</a></p>\n",
             demo_ndatasets, 120000 + demo_rand(D, 30000), 40 + demo_rand(D, 5));
    return page(c, 200, "数据资源中心", &b);
}

static enum MHD_Result portal_catalog(struct MHD_Connection *c)
{
    struct buf b = BUF_INIT(PAGE_MAX);
    buf_adds(&b, "<h1>资源目录</h1>\n<table>\n<tr><th>编号</th><th>数据资源名称</th>"
                 "<th>提供部门</th><th>格式</th></tr>\n");
    for (size_t i = 0; i < demo_ndatasets; i++)
        buf_addf(&b, "<tr><td>DS-%04zu</td><td>%s</td><td>%s</td><td>%s</td></tr>\n", i + 1,
                 demo_datasets[i].name, demo_datasets[i].dept, demo_datasets[i].format);
    buf_adds(&b, "</table>\n");
    return page(c, 200, "资源目录", &b);
}

static enum MHD_Result portal_about(struct MHD_Connection *c)
{
    struct buf b = BUF_INIT(PAGE_MAX);
    buf_adds(&b, "<h1>关于本平台</h1>\n"
                 "<p>数据资源门户由市大数据中心建设运营，提供数据资源目录查询、"
                 "共享申请和开放下载服务。</p>\n"
                 "<p>运维值班电话：12345（模拟）</p>\n");
    return page(c, 200, "关于", &b);
}

static const char LOGIN_FORM[] =
    "<h1>统一身份认证</h1>\n"
    "<form method=\"post\" action=\"/login\">\n"
    "<p><label>用户名 <input name=\"user\"></label></p>\n"
    "<p><label>密码 <input name=\"password\" type=\"password\"></label></p>\n"
    "<p><button type=\"submit\">登录</button></p>\n"
    "</form>\n<p>演示账号：demo，密码：demo123</p>\n";

/* Whether the form body (application/x-www-form-urlencoded) holds field=value
 * exactly; the demo accounts need no percent-decoding. */
static bool form_has(const char *body, const char *field, const char *value)
{
    size_t fl = strlen(field), vl = strlen(value);
    const char *p = body;
    for (;;) {
        const char *end = strchr(p, '&');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        if (n == fl + 1 + vl && !strncmp(p, field, fl) && p[fl] == '=' &&
            !strncmp(p + fl + 1, value, vl))
            return true;
        if (!end)
            return false;
        p = end + 1;
    }
}

static enum MHD_Result portal_login(struct MHD_Connection *c, const char *method,
                                    struct req *rq)
{
    struct buf b = BUF_INIT(PAGE_MAX);
    if (!strcmp(method, MHD_HTTP_METHOD_POST)) {
        if (rq->too_large) {
            buf_adds(&b, "<h1>请求过大</h1>\n");
            return page(c, MHD_HTTP_CONTENT_TOO_LARGE, "统一身份认证", &b);
        }
        const char *body = buf_str(&rq->body);
        if (form_has(body, "user", "demo") && form_has(body, "password", "demo123")) {
            buf_adds(&b, "<h1>登录成功</h1>\n<p>欢迎您，演示用户。</p>\n");
            return page(c, 200, "统一身份认证", &b);
        }
        buf_adds(&b, "<h1>统一身份认证</h1>\n<p>用户名或密码错误。</p>\n");
        return page(c, MHD_HTTP_UNAUTHORIZED, "统一身份认证", &b);
    }
    buf_adds(&b, LOGIN_FORM);
    return page(c, 200, "统一身份认证", &b);
}

static bool is_get(const char *method)
{
    return !strcmp(method, MHD_HTTP_METHOD_GET) || !strcmp(method, MHD_HTTP_METHOD_HEAD);
}

static enum MHD_Result portal_route(struct demo *D, struct MHD_Connection *c, const char *url,
                                    const char *method, struct req *rq)
{
    if (!strcmp(url, "/login") &&
        (is_get(method) || !strcmp(method, MHD_HTTP_METHOD_POST)))
        return portal_login(c, method, rq);
    struct buf b = BUF_INIT(PAGE_MAX);
    if (!is_get(method)) {
        buf_adds(&b, "<h1>不支持的请求方法</h1>\n");
        return page(c, MHD_HTTP_METHOD_NOT_ALLOWED, "错误", &b);
    }
    if (!strcmp(url, "/") || !strcmp(url, "/index.html"))
        return portal_home(D, c);
    if (!strcmp(url, "/catalog"))
        return portal_catalog(c);
    if (!strcmp(url, "/about"))
        return portal_about(c);
    buf_adds(&b, "<h1>页面不存在</h1>\n<p><a href=\"/\">返回首页</a></p>\n");
    return page(c, MHD_HTTP_NOT_FOUND, "页面不存在", &b);
}

/* ---- the data-sharing API ---- */

static json_t *api_error(int code, const char *msg)
{
    return json_pack("{s:i, s:s, s:n}", "code", code, "msg", msg, "data");
}

/* A whole number in [min, max] from the query, def when absent; -1 when bad. */
static long query_int(struct MHD_Connection *c, const char *key, long def, long min, long max)
{
    const char *s = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
    if (!s)
        return def;
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < min || v > max)
        return -1;
    return v;
}

static enum MHD_Result api_catalog(struct demo *D, struct MHD_Connection *c)
{
    long pageno = query_int(c, "page", 1, 1, 1000000);
    long size = query_int(c, "size", PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX);
    if (pageno < 0 || size < 0)
        return answer_json(c, MHD_HTTP_BAD_REQUEST,
                           api_error(400, "参数错误：page 须为正整数，size 须在 1-50 之间"));
    if (demo_rand(D, DEMO_API_FAIL_ONE_IN) == 0)
        return answer_json(c, MHD_HTTP_INTERNAL_SERVER_ERROR,
                           api_error(500, "服务内部错误：数据库连接超时"));
    json_t *items = json_array();
    ms_t now = time_now_ms();
    size_t first = (size_t)(pageno - 1) * (size_t)size;
    for (size_t i = first; i < demo_ndatasets && i < first + (size_t)size; i++) {
        struct civil cv;
        time_to_civil(now - (ms_t)(i % 7) * MS_PER_DAY, NULL, &cv);
        char id[16], date[16];
        snprintf(id, sizeof id, "DS-%04zu", i + 1);
        snprintf(date, sizeof date, "%04d-%02d-%02d", cv.year, cv.month, cv.day);
        json_array_append_new(
            items, json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "id", id, "name",
                             demo_datasets[i].name, "department", demo_datasets[i].dept,
                             "format", demo_datasets[i].format, "records",
                             (json_int_t)(1000 + (i * 7919) % 90000), "updated", date));
    }
    json_t *j = json_pack("{s:i, s:s, s:{s:I, s:I, s:I, s:o}}", "code", 0, "msg", "成功",
                          "data", "total", (json_int_t)demo_ndatasets, "page",
                          (json_int_t)pageno, "size", (json_int_t)size, "items", items);
    return answer_json(c, MHD_HTTP_OK, j);
}

static enum MHD_Result api_slow(struct demo *D, struct MHD_Connection *c)
{
    ms_t delay = DEMO_SLOW_MIN_MS +
                 (ms_t)demo_rand(D, DEMO_SLOW_MAX_MS - DEMO_SLOW_MIN_MS + 1);
    if (demo_sleep(D, delay)) /* stopping: answer at once */
        return answer_json(c, MHD_HTTP_SERVICE_UNAVAILABLE, api_error(503, "服务正在停止"));
    return answer_json(c, MHD_HTTP_OK,
                       json_pack("{s:i, s:s, s:I}", "code", 0, "msg", "统计报表生成完成",
                                 "elapsed_ms", (json_int_t)delay));
}

/* The ops team's group chat robot (钉钉机器人), as the demo's notification
 * channel posts to it: takes a message, logs its first line, answers like
 * DingTalk does. The messages themselves show in yunwei's delivery log. */
static enum MHD_Result robot_send(struct demo *D, struct MHD_Connection *c, const struct req *rq)
{
    json_error_t jerr;
    json_t *msg = rq->too_large ? NULL : json_loads(buf_str(&rq->body), 0, &jerr);
    if (!msg)
        return answer_json(c, MHD_HTTP_OK,
                           json_pack("{s:i, s:s}", "errcode", 40035, "errmsg", "invalid body"));
    const char *title = NULL;
    json_unpack(msg, "{s:{s:s}}", "markdown", "title", &title);
    atomic_fetch_add(&D->robot_messages, 1);
    log_info("demo: robot message: %s", title ? title : "(text)");
    json_decref(msg);
    return answer_json(c, MHD_HTTP_OK, json_pack("{s:i, s:s}", "errcode", 0, "errmsg", "ok"));
}

static enum MHD_Result api_route(struct demo *D, struct MHD_Connection *c, const char *url,
                                 const char *method, const struct req *rq)
{
    if (!strcmp(url, "/robot/send") && !strcmp(method, "POST"))
        return robot_send(D, c, rq);
    if (!is_get(method))
        return answer_json(c, MHD_HTTP_METHOD_NOT_ALLOWED, api_error(405, "不支持的请求方法"));
    if (!strcmp(url, "/v1/catalog"))
        return api_catalog(D, c);
    if (!strcmp(url, "/v1/health"))
        return answer_json(c, MHD_HTTP_OK,
                           json_pack("{s:s, s:s, s:s}", "status", "ok", "service",
                                     "数据共享平台", "version", "2.3.1"));
    if (!strcmp(url, "/slow"))
        return api_slow(D, c);
    return answer_json(c, MHD_HTTP_NOT_FOUND, api_error(404, "接口不存在"));
}

/* ---- MHD plumbing ---- */

enum server_kind { SRV_PORTAL, SRV_API };

/* Both servers share this: the closure is the demo, the wrapper says which. */
static enum MHD_Result handle(struct demo *D, enum server_kind kind, struct MHD_Connection *c,
                              const char *url, const char *method, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    struct req *rq = *con_cls;
    if (!rq) {
        /* First call: headers only. Answer on a later call, after any body. */
        rq = xcalloc(1, sizeof *rq);
        rq->body = (struct buf)BUF_INIT(BODY_MAX);
        *con_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        if (!rq->too_large && buf_add(&rq->body, upload, *upload_size) < 0)
            rq->too_large = true; /* buf_add emptied the buffer; drain the rest */
        *upload_size = 0;
        return MHD_YES;
    }
    return kind == SRV_PORTAL ? portal_route(D, c, url, method, rq)
                              : api_route(D, c, url, method, rq);
}

static enum MHD_Result portal_handler(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version,
                                      const char *upload, size_t *upload_size, void **con_cls)
{
    return handle(cls, SRV_PORTAL, c, url, method, upload, upload_size, con_cls);
}

static enum MHD_Result api_handler(void *cls, struct MHD_Connection *c, const char *url,
                                   const char *method, const char *version, const char *upload,
                                   size_t *upload_size, void **con_cls)
{
    return handle(cls, SRV_API, c, url, method, upload, upload_size, con_cls);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    struct req *rq = *con_cls;
    if (rq) {
        buf_release(&rq->body);
        xfree(rq);
        *con_cls = NULL;
    }
}

__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt,
                                                           va_list ap)
{
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_warn("demo: %s: %s", (const char *)cls, line);
}

static struct MHD_Daemon *start_one(struct demo *D, MHD_AccessHandlerCallback handler,
                                    const char *what, int *port, struct yw_err *err)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = 0; /* the kernel picks */
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        0, NULL, NULL, handler, D, MHD_OPTION_EXTERNAL_LOGGER, mhd_log,
        (void *)(uintptr_t)what, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)30, MHD_OPTION_CONNECTION_LIMIT, (unsigned int)256, MHD_OPTION_END);
    if (!d) {
        yw_fail(err, YW_EIO, "demo: cannot start the %s server on 127.0.0.1", what);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || !info->port) {
        MHD_stop_daemon(d);
        yw_fail(err, YW_EIO, "demo: cannot learn the port of the %s server", what);
        return NULL;
    }
    *port = info->port;
    return d;
}

int demo_web_start(struct demo *D, struct yw_err *err)
{
    D->portal = start_one(D, portal_handler, "portal", &D->port[DEMO_PORTAL], err);
    if (!D->portal)
        return -1;
    D->api = start_one(D, api_handler, "api", &D->port[DEMO_API], err);
    if (!D->api) {
        demo_web_stop(D);
        return -1;
    }
    return 0;
}

void demo_web_stop(struct demo *D)
{
    if (D->api)
        MHD_stop_daemon(D->api);
    if (D->portal)
        MHD_stop_daemon(D->portal);
    D->api = D->portal = NULL;
}
