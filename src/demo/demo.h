/*
 * demo — a small simulated data center on loopback, started inside
 * `yunwei serve --demo`, so a newcomer sees real, changing data at once:
 *   - a portal (HTTP) with a few pages, the home page containing 数据资源中心;
 *   - a data-sharing JSON API (/v1/catalog?page=1 -> {"code":0,"data":{"total":N,...}})
 *     that answers an error now and then;
 *   - a slow endpoint (answers after 1.5-3 s);
 *   - a TCP port that goes down for 2 minutes every 15 (listener closed);
 *   - an ETL job that pushes heartbeats to yunwei every 30 s and misses one now and then.
 * All servers bind 127.0.0.1 only, on ports picked by the kernel.
 */
#ifndef YW_DEMO_DEMO_H
#define YW_DEMO_DEMO_H

#include "core/err.h"

struct demo;

/* Starts the simulated targets. NULL with err on failure. */
struct demo *demo_start(struct yw_err *err);
/* The YAML config (systems in both tiers, monitors of every kind pointing at
 * the demo targets, a maintenance window) to load as the server's config.
 * Owned by the demo. */
const char *demo_config_yaml(const struct demo *D);
/* Starts the ETL job pushing to base_url + "/api/v1/push/" + its token
 * (base_url like "http://127.0.0.1:8080"). */
void demo_start_jobs(struct demo *D, const char *base_url);
void demo_stop(struct demo *D);

#endif
