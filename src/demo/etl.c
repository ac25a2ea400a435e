/* etl — the simulated ETL job: after each run it reports to yunwei's
 * heartbeat endpoint, as a real scheduled job would with curl, and now and
 * then it "hangs" and reports nothing, which the heartbeat monitor must
 * notice (no push within interval + grace). */
#include <curl/curl.h>
#include <string.h>

#include "core/log.h"
#include "core/mem.h"
#include "demo/demo_int.h"

#define PUSH_TIMEOUT_MS 5000
#define FIRST_PUSH_MS 1000 /* soon after start, so the monitor is up at once */

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    return size * n;
}

/* Aborts a push in flight when the demo stops, so demo_stop never waits
 * for a slow yunwei. */
static int abort_on_stop(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow)
{
    struct demo *D = ud;
    return atomic_load(&D->stop_flag) ? 1 : 0;
}

/* One push; failures are logged only (the job goes on, as cron would). */
static void push(struct demo *D, CURL *h, unsigned rows)
{
    char *msg = curl_easy_escape(h, "同步完成：业务库 → 数据共享平台", 0);
    char *url = xasprintf("%s/api/v1/push/%s?status=up&msg=%s&rows=%u", D->etl_base,
                          DEMO_ETL_TOKEN, msg ? msg : "", rows);
    curl_free(msg);
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)PUSH_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, D);
    CURLcode rc = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_ABORTED_BY_CALLBACK)
        ; /* stopping */
    else if (rc != CURLE_OK)
        log_warn("demo: ETL heartbeat failed: %s", curl_easy_strerror(rc));
    else if (status != 200)
        log_warn("demo: ETL heartbeat answered HTTP %ld", status);
    xfree(url);
}

static void *etl_main(void *arg)
{
    struct demo *D = arg;
    CURL *h = curl_easy_init();
    if (!h) {
        log_error("demo: curl_easy_init failed; the ETL job does not run");
        return NULL;
    }
    ms_t wait = D->etl_every_s * MS_PER_S < FIRST_PUSH_MS ? D->etl_every_s * MS_PER_S
                                                          : FIRST_PUSH_MS;
    for (unsigned run = 0; !demo_sleep(D, wait); run++) {
        wait = (ms_t)D->etl_every_s * MS_PER_S;
        if (run > 0 && demo_rand(D, DEMO_ETL_SKIP_ONE_IN) == 0) {
            log_info("demo: ETL job skips a heartbeat (simulated hang)");
            continue;
        }
        push(D, h, 20000 + demo_rand(D, 40000));
    }
    curl_easy_cleanup(h);
    return NULL;
}

int demo_etl_start(struct demo *D, const char *base_url, struct yw_err *err)
{
    if (D->etl_started)
        return yw_fail(err, YW_ECONFLICT, "demo: the ETL job is already running");
    if (!base_url || strncmp(base_url, "http", 4) != 0 || strlen(base_url) > 1024)
        return yw_fail(err, YW_EINVAL, "demo: bad base URL for the ETL job");
    size_t n = strlen(base_url);
    while (n && base_url[n - 1] == '/')
        n--;
    xfree(D->etl_base);
    D->etl_base = xstrndup(base_url, n);
    int rc = pthread_create(&D->etl_thread, NULL, etl_main, D);
    if (rc)
        return yw_fail(err, YW_EIO, "demo: cannot start the ETL thread: %s", strerror(rc));
    D->etl_started = true;
    return 0;
}

void demo_etl_stop(struct demo *D)
{
    if (D->etl_started)
        pthread_join(D->etl_thread, NULL);
    D->etl_started = false;
}
