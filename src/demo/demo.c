/* demo — start, stop, shared helpers and the demo config (see demo.h, demo_int.h). */
#include "demo/demo.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/mem.h"
#include "demo/demo_int.h"

/* splitmix64: tiny, good enough for choosing delays and failures. */
uint32_t demo_rand(struct demo *D, uint32_t n)
{
    if (n <= 1)
        return 0;
    pthread_mutex_lock(&D->lock);
    uint64_t z = (D->rng += 0x9e3779b97f4a7c15ULL);
    pthread_mutex_unlock(&D->lock);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (uint32_t)(z % n);
}

bool demo_sleep(struct demo *D, ms_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    if (ms < 0)
        ms = 0;
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&D->lock);
    int rc = 0;
    while (!D->stopping && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&D->wake, &D->lock, &until);
    bool stopping = D->stopping;
    pthread_mutex_unlock(&D->lock);
    return stopping;
}

int demo_env_seconds(const char *name, int def, int min, int max)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return def;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max) {
        log_warn("demo: %s=%.40s is not a whole number of seconds in [%d, %d]; using %d",
                 name, s, min, max, def);
        return def;
    }
    return (int)v;
}

bool demo_flap_down_at(int period_s, int down_s, ms_t now)
{
    if (period_s <= 0 || down_s <= 0)
        return false;
    ms_t period = (ms_t)period_s * MS_PER_S;
    ms_t into = now % period;
    if (into < 0)
        into += period;
    return into >= period - (ms_t)down_s * MS_PER_S;
}

int demo_port(const struct demo *D, enum demo_target t)
{
    return t >= 0 && t < DEMO__TARGETS ? D->port[t] : -1;
}

/* The config every demo user sees first: every object carries a Chinese
 * title, intervals are short so states change within a minute, and each
 * simulated fault is watched by a monitor that shows it. */
static char *build_yaml(const struct demo *D)
{
    struct buf b = BUF_INIT(64 * 1024);
    const int portal = D->port[DEMO_PORTAL], api = D->port[DEMO_API],
              flap = D->port[DEMO_FLAP];
    int rc = buf_addf(
        &b,
        "# yunwei demo: a simulated data center on 127.0.0.1 (yunwei serve --demo).\n"
        "# Faults on purpose: the API answers 500 about one time in %d, /slow takes\n"
        "# 1.5-3 s, port %d is closed %d s of every %d s, and the ETL job skips a\n"
        "# heartbeat about one time in %d.\n"
        "systems:\n"
        "  - name: portal\n"
        "    title: 数据资源门户\n"
        "    tier: key\n"
        "  - name: sharing\n"
        "    title: 数据共享平台\n"
        "    tier: key\n"
        "  - name: etl\n"
        "    title: ETL调度\n"
        "    tier: general\n"
        "  - name: catalog\n"
        "    title: 资源目录\n"
        "    tier: general\n",
        DEMO_API_FAIL_ONE_IN, flap, D->flap_down_s, D->flap_period_s, DEMO_ETL_SKIP_ONE_IN);
    rc |= buf_addf(&b,
                   "monitors:\n"
                   "  - name: portal-home\n"
                   "    system: portal\n"
                   "    title: 门户首页\n"
                   "    type: http\n"
                   "    url: \"http://127.0.0.1:%d/\"\n"
                   "    keyword: 数据资源中心\n"
                   "    interval: 15s\n"
                   "    timeout: 5s\n"
                   "    retries: 2\n"
                   "    critical: true\n"
                   "  - name: portal-login\n"
                   "    system: portal\n"
                   "    title: 统一登录页\n"
                   "    type: http\n"
                   "    url: \"http://127.0.0.1:%d/login\"\n"
                   "    keyword: 统一身份认证\n"
                   "    interval: 30s\n"
                   "    timeout: 5s\n"
                   "  - name: portal-about\n"
                   "    system: portal\n"
                   "    title: 关于页面\n"
                   "    type: http\n"
                   "    url: \"http://127.0.0.1:%d/about\"\n"
                   "    keyword_absent: 系统维护中\n"
                   "    interval: 30s\n"
                   "    timeout: 5s\n",
                   portal, portal, portal);
    rc |= buf_addf(&b,
                   "  - name: sharing-api\n"
                   "    system: sharing\n"
                   "    title: 数据共享接口\n"
                   "    type: http\n"
                   "    url: \"http://127.0.0.1:%d/v1/catalog?page=1\"\n"
                   "    json:\n"
                   "      - path: data.total\n"
                   "        exists: true\n"
                   "      - path: code\n"
                   "        equals: 0\n"
                   "    interval: 10s\n"
                   "    timeout: 5s\n"
                   "    retries: 2\n"
                   "    critical: true\n"
                   "  - name: sharing-health\n"
                   "    system: sharing\n"
                   "    title: 共享平台健康检查\n"
                   "    type: http\n"
                   "    url: \"http://127.0.0.1:%d/v1/health\"\n"
                   "    json:\n"
                   "      - path: status\n"
                   "        equals: ok\n"
                   "    interval: 20s\n"
                   "    timeout: 5s\n"
                   /* /slow answers in 1.5-3 s: a 2.5 s limit fails about one
                    * check in three, and two in a row confirm, so the state
                    * changes every few minutes rather than never (a 1 s limit
                    * would keep it down for good). */
                   "  - name: sharing-slow\n"
                   "    system: sharing\n"
                   "    title: 统计报表慢接口\n"
                   "    type: http\n"
                   "    url: \"http://127.0.0.1:%d/slow\"\n"
                   "    max_latency: 2500ms\n"
                   "    interval: 10s\n"
                   "    timeout: 8s\n"
                   "    retries: 2\n"
                   "  - name: sharing-db\n"
                   "    system: sharing\n"
                   "    title: 共享库端口（定时中断）\n"
                   "    type: tcp\n"
                   "    host: 127.0.0.1\n"
                   "    port: %d\n"
                   "    interval: 10s\n"
                   "    timeout: 3s\n"
                   "    retries: 1\n"
                   "    critical: true\n",
                   api, api, api, flap);
    rc |= buf_addf(&b,
                   "  - name: etl-heartbeat\n"
                   "    system: etl\n"
                   "    title: ETL 同步作业心跳\n"
                   "    type: heartbeat\n"
                   "    token: %s\n"
                   "    interval: 30s\n"
                   "    grace: 15s\n"
                   "    critical: true\n"
                   "  - name: catalog-page\n"
                   "    system: catalog\n"
                   "    title: 资源目录页面\n"
                   "    type: http\n"
                   "    url: \"http://127.0.0.1:%d/catalog\"\n"
                   "    keyword: 资源目录\n"
                   "    interval: 20s\n"
                   "    timeout: 5s\n"
                   "    critical: true\n"
                   "  - name: catalog-dns\n"
                   "    system: catalog\n"
                   "    title: 域名解析\n"
                   "    type: dns\n"
                   "    host: localhost\n"
                   "    record: A\n"
                   "    expect: [127.0.0.1]\n"
                   "    interval: 30s\n"
                   "    timeout: 5s\n"
                   "maintenance:\n"
                   "  - name: weekly-patch\n"
                   "    title: 每周例行补丁\n"
                   "    systems: [catalog]\n"
                   "    recurrence: weekly\n"
                   "    day: sunday\n"
                   "    start: \"02:00\"\n"
                   "    end: \"04:00\"\n"
                   "    zone: Asia/Shanghai\n",
                   DEMO_ETL_TOKEN, portal);
    /* The incident desk's side: the ops group's chat robot (served by the
     * demo's API server, web.c: robot_send), who is told what when, and a
     * month of duty for the demo accounts from today. */
    char today[16];
    struct civil cv;
    time_to_civil(time_now_ms(), "Asia/Shanghai", &cv);
    snprintf(today, sizeof today, "%04d-%02d-%02d", cv.year, cv.month, cv.day);
    rc |= buf_addf(&b,
                   "channels:\n"
                   "  - name: ops-robot\n"
                   "    title: 运维值班群（演示机器人）\n"
                   "    type: dingtalk\n"
                   "    url: \"http://127.0.0.1:%d/robot/send?access_token=demo-robot\"\n"
                   "    secret: SECdemo-signing-secret\n"
                   "    default: true\n"
                   "rules:\n"
                   "  - name: every-incident\n"
                   "    title: 故障通知与升级\n"
                   "    steps:\n"
                   "      - {after: 0m, to: [assignee, duty:primary], channels: [ops-robot]}\n"
                   "      - {after: 15m, to: [duty:lead], channels: [ops-robot]}\n"
                   "      - {after: 30m, to: [role:manager], channels: [ops-robot]}\n"
                   "duty:\n"
                   "  rotations:\n"
                   "    - {people: [demo-engineer], position: primary, shift: 24h, start: \"%s\", "
                   "days: 30}\n"
                   "    - {people: [demo-manager], position: lead, shift: 24h, start: \"%s\", "
                   "days: 30}\n",
                   api, today, today);
    if (rc) {
        /* 64 KiB is far above what the fixed text needs: only a bug gets here. */
        buf_release(&b);
        return NULL;
    }
    return buf_take(&b);
}

struct demo *demo_start(struct yw_err *err)
{
    struct demo *D = xcalloc(1, sizeof *D);
    pthread_mutex_init(&D->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&D->wake, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&D->stop_flag, false);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    D->rng = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 16);
    D->flap_holder = D->flap_listener = -1;

    D->flap_period_s = demo_env_seconds("YUNWEI_DEMO_FLAP_PERIOD", DEMO_FLAP_PERIOD_DEFAULT, 2,
                                        7 * 86400);
    /* Without YUNWEI_DEMO_FLAP_DOWN a shortened period keeps the 2-in-15 ratio. */
    int down_def = (int)((long long)D->flap_period_s * DEMO_FLAP_DOWN_DEFAULT /
                         DEMO_FLAP_PERIOD_DEFAULT);
    if (down_def < 1)
        down_def = 1;
    D->flap_down_s = demo_env_seconds("YUNWEI_DEMO_FLAP_DOWN", down_def, 1, D->flap_period_s - 1);
    D->etl_every_s = demo_env_seconds("YUNWEI_DEMO_ETL_EVERY", DEMO_ETL_EVERY_DEFAULT, 1, 86400);

    /* curl keeps a reference count: this pairs with the cleanup in demo_stop. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        yw_fail(err, YW_EIO, "demo: curl_global_init failed");
        pthread_cond_destroy(&D->wake);
        pthread_mutex_destroy(&D->lock);
        xfree(D);
        return NULL;
    }
    if (demo_web_start(D, err) < 0 || demo_flap_start(D, err) < 0) {
        demo_stop(D);
        return NULL;
    }
    D->yaml = build_yaml(D);
    if (!D->yaml) {
        yw_fail(err, YW_ELIMIT, "demo: the demo config does not fit its buffer");
        demo_stop(D);
        return NULL;
    }
    log_info("demo: portal http://127.0.0.1:%d/, API http://127.0.0.1:%d/v1/catalog?page=1, "
             "flapping port %d (down %d s of every %d s)",
             D->port[DEMO_PORTAL], D->port[DEMO_API], D->port[DEMO_FLAP], D->flap_down_s,
             D->flap_period_s);
    return D;
}

const char *demo_config_yaml(const struct demo *D)
{
    return D->yaml;
}

void demo_start_jobs(struct demo *D, const char *base_url)
{
    struct yw_err err = YW_ERR_INIT;
    if (demo_etl_start(D, base_url, &err) < 0)
        log_warn("%s", err.msg);
}

void demo_stop(struct demo *D)
{
    if (!D)
        return;
    pthread_mutex_lock(&D->lock);
    D->stopping = true;
    atomic_store(&D->stop_flag, true);
    pthread_cond_broadcast(&D->wake);
    pthread_mutex_unlock(&D->lock);

    demo_etl_stop(D);
    demo_flap_stop(D);
    demo_web_stop(D);
    curl_global_cleanup();
    xfree(D->yaml);
    xfree(D->etl_base);
    pthread_cond_destroy(&D->wake);
    pthread_mutex_destroy(&D->lock);
    xfree(D);
}
