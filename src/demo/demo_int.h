/*
 * demo_int — what the demo's files share with each other and with its unit
 * test; not for the rest of yunwei (which sees only demo.h).
 *
 * struct demo is the one context of the simulated data center. Shared between
 * its threads (MHD connection threads, the flapping-port thread, the ETL
 * thread) are only: `stopping` and the PRNG state, both under `lock`, and the
 * `wake` condition that interrupts every sleep when demo_stop is called.
 * Everything else is written before the threads start and only read after.
 *
 * Environment (read once by demo_start; bad values are logged and ignored):
 *   YUNWEI_DEMO_FLAP_PERIOD  seconds of one flapping cycle (default 900)
 *   YUNWEI_DEMO_FLAP_DOWN    seconds down at the end of each cycle (default 120)
 *   YUNWEI_DEMO_ETL_EVERY    seconds between ETL heartbeats (default 30)
 */
#ifndef YW_DEMO_DEMO_INT_H
#define YW_DEMO_DEMO_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/err.h"
#include "core/timeutil.h"
#include "demo/demo.h"

/* The heartbeat token of the demo ETL job: fixed, so that the demo config
 * and the job agree without talking to each other. */
#define DEMO_ETL_TOKEN "demo-etl-9f2c4a7e1b"

#define DEMO_FLAP_PERIOD_DEFAULT 900 /* a quarter hour */
#define DEMO_FLAP_DOWN_DEFAULT 120   /* minutes 13-15 of each quarter */
#define DEMO_ETL_EVERY_DEFAULT 30

/* Seconds of a /slow answer: uniform in [min, max] milliseconds. */
#define DEMO_SLOW_MIN_MS 1500
#define DEMO_SLOW_MAX_MS 3000

/* One answer in DEMO_API_FAIL_ONE_IN of /v1/catalog is a 500. */
#define DEMO_API_FAIL_ONE_IN 20
/* One tick in DEMO_ETL_SKIP_ONE_IN of the ETL job pushes nothing. */
#define DEMO_ETL_SKIP_ONE_IN 8

enum demo_target { DEMO_PORTAL, DEMO_API, DEMO_FLAP, DEMO__TARGETS };

struct MHD_Daemon;

struct demo {
    pthread_mutex_t lock;
    pthread_cond_t wake;   /* on CLOCK_MONOTONIC; broadcast by demo_stop */
    bool stopping;         /* under lock */
    uint64_t rng;          /* under lock */
    atomic_bool stop_flag; /* the same as stopping, for loops that poll */

    struct MHD_Daemon *portal, *api;
    int port[DEMO__TARGETS];

    /* the flapping port */
    int flap_period_s, flap_down_s;
    int flap_holder;       /* bound, never listening: keeps the port ours while down */
    int flap_listener;     /* -1 while down; owned by the flap thread */
    pthread_t flap_thread;
    bool flap_started;

    /* the ETL job */
    int etl_every_s;
    char *etl_base;        /* base URL without a trailing slash */
    pthread_t etl_thread;
    bool etl_started;

    char *yaml;
    atomic_int robot_messages; /* received by the chat robot (web.c: robot_send) */
};

/* A number in [0, n) (n >= 1). Thread-safe. */
uint32_t demo_rand(struct demo *D, uint32_t n);
/* Sleeps up to ms milliseconds; returns true early (and at once) when the
 * demo is stopping. Thread-safe. */
bool demo_sleep(struct demo *D, ms_t ms);

/* Reads an integer number of seconds from the environment variable name.
 * Returns def when unset; def too (with a warning) when it is not a whole
 * number in [min, max]. */
int demo_env_seconds(const char *name, int def, int min, int max);

/* Whether the flapping port is down at instant now: the last down_s seconds
 * of every period_s-second cycle, cycles counted from the Unix epoch, so a
 * 900 s period is down in minutes 13-15 of every wall-clock quarter hour (in
 * any zone whose offset is a whole number of quarter hours). */
bool demo_flap_down_at(int period_s, int down_s, ms_t now);

/* web.c: the portal and API servers. On failure returns -1 with err and
 * leaves no daemon running. */
int demo_web_start(struct demo *D, struct yw_err *err);
void demo_web_stop(struct demo *D);

/* flap.c: reserves the port (port[DEMO_FLAP]) and starts the thread. */
int demo_flap_start(struct demo *D, struct yw_err *err);
void demo_flap_stop(struct demo *D);

/* etl.c: the heartbeat job. */
int demo_etl_start(struct demo *D, const char *base_url, struct yw_err *err);
void demo_etl_stop(struct demo *D);

/* The port of a target, for tests. */
int demo_port(const struct demo *D, enum demo_target t);

/* The dataset catalogue of the data-sharing API and the portal's catalogue page. */
struct demo_dataset {
    const char *dept, *name, *format;
};
extern const struct demo_dataset demo_datasets[];
extern const size_t demo_ndatasets;

#endif
