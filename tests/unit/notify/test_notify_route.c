/*
 * test_notify_route — an event through the rules into the delivery log, at
 * exact instants (the clock is a parameter): rule matching and the targets
 * escalation adds, deduplication at the edges of its window, the rate
 * limit with its digest (and with drop), the retry schedule, escalation
 * steps cancelled by an acknowledgement, who is on duty (overlaps,
 * boundaries, nobody), rotations, the store round trip with the secrets
 * sealed (not in the database file), and provisioning from the config.
 * A real store in a temporary directory; no network beyond refused
 * connections to a closed port on 127.0.0.1.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "notify/notify_admin.h"
#include "notify/notify_int.h"
#include "store/store_auth.h"
#include "t.h"

/* 2025-11-25T10:00:00+08:00 */
#define T0 1764036000000LL
#define MINUTE MS_PER_MIN
#define BASE "http://127.0.0.1:8080"

/* ---- fixtures ---------------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

static char *dir;
static struct store *S;
static int64_t eng1, eng2, lead1, mgr1, mgr2;
static int closed_port;

static json_t *J(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *J(const char *fmt, ...)
{
    char buf[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_error_t e;
    json_t *j = json_loads(buf, 0, &e);
    if (!j)
        printf("#   bad test JSON: %s: %s\n", e.text, buf);
    return j;
}

static const char *ts(ms_t t)
{
    static char bufs[8][64];
    static int k;
    char *b = bufs[k++ % 8];
    time_format_rfc3339(t, b, 64);
    return b;
}

static int64_t user(const char *name, enum role r, bool disabled)
{
    struct user_row u = {.name = (char *)(uintptr_t)name, .roles = (roleset)1u << r};
    int64_t id = 0;
    struct yw_err err = YW_ERR_INIT;
    if (store_user_create(S, &u, &id, &err) != 0)
        printf("#   user %s: %s\n", name, err.msg);
    if (disabled) {
        struct user_row row = {0};
        store_user_get(S, id, NULL, &row, &err);
        row.disabled = true;
        if (store_user_update(S, &row, &err) != 0)
            printf("#   disabling %s: %s\n", name, err.msg);
        store_user_row_release(&row);
    }
    json_t *c = J("{\"email\":\"%s@example.cn\",\"mobile\":\"1380000%04lld\"}", name,
                  (long long)id);
    if (notify_contact_put(S, id, NULL, c, NULL, NULL, &err) != 0)
        printf("#   contact %s: %s\n", name, err.msg);
    json_decref(c);
    return id;
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bind(s, (struct sockaddr *)&a, sizeof a);
    socklen_t n = sizeof a;
    getsockname(s, (struct sockaddr *)&a, &n);
    close(s);
    return ntohs(a.sin_port);
}

static void setup(void)
{
    char tmpl[] = "/tmp/yw-notify-XXXXXX";
    dir = xstrdup(mkdtemp(tmpl));
    struct yw_err err = YW_ERR_INIT;
    S = store_open(dir, &err);
    if (!S) {
        printf("# store_open: %s\n", err.msg);
        exit(1);
    }
    eng1 = user("eng1", ROLE_ENGINEER, false);
    eng2 = user("eng2", ROLE_ENGINEER, false);
    lead1 = user("lead1", ROLE_ENGINEER, false);
    mgr1 = user("mgr1", ROLE_MANAGER, false);
    mgr2 = user("mgr2", ROLE_MANAGER, true);
    closed_port = free_port();
}

static void teardown(void)
{
    store_close(S);
    nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    xfree(dir);
}

static int64_t channel(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int64_t channel(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    json_t *body = json_loads(buf, 0, NULL), *out = NULL;
    struct yw_err err = YW_ERR_INIT;
    int64_t id = 0;
    if (notify_channel_create(S, body, &out, &err) != 0)
        printf("#   channel: %s (%s)\n", err.msg, err.field);
    else
        id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(body);
    return id;
}

static int64_t rule(const char *text)
{
    json_t *body = json_loads(text, 0, NULL), *out = NULL;
    struct yw_err err = YW_ERR_INIT;
    int64_t id = 0;
    if (notify_rule_create(S, body, &out, &err) != 0)
        printf("#   rule: %s (%s)\n", err.msg, err.field);
    else
        id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(body);
    return id;
}

static void del_channel(int64_t id)
{
    struct yw_err err = YW_ERR_INIT;
    if (notify_channel_delete(S, id, NULL, NULL, &err) != 0)
        printf("#   delete channel: %s\n", err.msg);
}

static void del_rule(int64_t id)
{
    struct yw_err err = YW_ERR_INIT;
    if (notify_rule_delete(S, id, NULL, NULL, &err) != 0)
        printf("#   delete rule: %s\n", err.msg);
}

static int64_t shift(const char *login, const char *pos, ms_t start, ms_t end)
{
    json_t *b = J("{\"user\":\"%s\",\"position\":\"%s\",\"start\":\"%s\",\"end\":\"%s\"}", login,
                  pos, ts(start), ts(end));
    json_t *out = NULL;
    struct yw_err err = YW_ERR_INIT;
    int64_t id = 0;
    if (notify_shift_create(S, b, &out, &err) != 0)
        printf("#   shift: %s (%s)\n", err.msg, err.field);
    else
        id = json_integer_value(json_object_get(out, "id"));
    json_decref(out);
    json_decref(b);
    return id;
}

static void del_shift(int64_t id)
{
    struct yw_err err = YW_ERR_INIT;
    if (notify_shift_delete(S, id, NULL, &err) != 0)
        printf("#   delete shift: %s\n", err.msg);
}

/* Submits ev at now; the ids of the deliveries recorded. */
static size_t submit(const struct notify_event *ev, ms_t now, int64_t *ids)
{
    size_t n = 0;
    struct yw_err err = YW_ERR_INIT;
    if (notify_submit_at(S, BASE, ev, now, ids, 16, &n, &err) != 0)
        printf("#   submit: %s\n", err.msg);
    return n;
}

struct get_args {
    int64_t id;
    struct store_delivery d;
};

static int do_get(struct conn *c, void *arg, struct yw_err *err)
{
    struct get_args *a = arg;
    return store_delivery_get(c, a->id, &a->d, err);
}

static struct store_delivery dlv(int64_t id)
{
    struct get_args a = {.id = id};
    struct yw_err err = YW_ERR_INIT;
    if (store_notify_tx(S, false, do_get, &a, &err) != 0)
        printf("#   delivery %lld: %s\n", (long long)id, err.msg);
    return a.d;
}

static enum store_dlv_status status_of(int64_t id)
{
    struct store_delivery d = dlv(id);
    enum store_dlv_status s = d.status;
    store_delivery_release(&d);
    return s;
}

/* Whether the delivery's recipients are exactly these logins (any order). */
static bool recipients_are(int64_t id, const char *const *logins, size_t n)
{
    struct store_delivery d = dlv(id);
    json_t *r = json_loads(d.recipients ? d.recipients : "null", 0, NULL);
    bool ok = json_array_size(r) == n;
    for (size_t i = 0; ok && i < n; i++) {
        bool found = false;
        size_t k;
        json_t *v;
        json_array_foreach(r, k, v) found |=
            strcmp(json_string_value(json_object_get(v, "login")), logins[i]) == 0;
        ok = found;
    }
    if (!ok)
        printf("#   delivery %lld recipients %s\n", (long long)id, d.recipients);
    json_decref(r);
    store_delivery_release(&d);
    return ok;
}

static bool targets_have(int64_t id, const char *t)
{
    struct store_delivery d = dlv(id);
    bool yes = d.targets && strstr(d.targets, t) != NULL;
    store_delivery_release(&d);
    return yes;
}

struct chan_args {
    int64_t id;
    struct store_channel row;
};

static int do_get_channel(struct conn *c, void *arg, struct yw_err *err)
{
    struct chan_args *a = arg;
    return store_channel_get(c, a->id, NULL, true, &a->row, err);
}

static struct notifier_opts fast_opts(void)
{
    static const ms_t backoff[] = {10 * MS_PER_S, 30 * MS_PER_S, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE};
    return (struct notifier_opts){.base_url = BASE, .backoff = backoff, .nbackoff = 5,
                                  .connect_timeout_ms = 2000, .total_timeout_ms = 3000};
}

/* ---- tests --------------------------------------------------------------------------- */

TEST(store_round_trip_with_sealed_secrets)
{
    int64_t id = channel("{\"name\":\"ding\",\"type\":\"dingtalk\",\"url\":"
                         "\"https://oapi.dingtalk.com/robot/send?access_token=TOKEN-SEALED-1\","
                         "\"secret\":\"SEC-SEALED-SECRET-2\"}");
    int64_t mail = channel("{\"name\":\"mail\",\"type\":\"email\",\"host\":\"smtp.example.cn\","
                           "\"username\":\"ops\",\"password\":\"SMTP-SEALED-PW-3\","
                           "\"from\":\"ops@example.cn\"}");
    CHECK(id > 0 && mail > 0);
    json_t *out = NULL;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(notify_channel_get(S, 0, "ding", &out, &err), 0);
    char *text = json_dumps(out, 0);
    CHECK(strstr(text, "TOKEN-SEALED") == NULL && strstr(text, "SEC-SEALED") == NULL);
    CHECK_STR(json_string_value(json_object_get(out, "token")), NOTIFY_MASK);
    free(text);
    json_decref(out);
    /* a PUT without the secrets keeps them */
    json_t *body = json_loads("{\"name\":\"ding\",\"type\":\"dingtalk\",\"title\":\"值班群\"}", 0,
                              NULL);
    json_t *before = NULL, *after = NULL;
    CHECK_INT(notify_channel_update(S, id, NULL, body, &before, &after, &err), 0);
    CHECK(json_is_true(json_object_get(after, "token_set")));
    CHECK(json_is_true(json_object_get(after, "secret_set")));
    json_decref(body);
    json_decref(before);
    json_decref(after);

    /* nothing in clear on disk, after a close and in the WAL before it */
    store_close(S);
    const char *files[] = {"yunwei.db", "yunwei.db-wal"};
    const char *secrets[] = {"TOKEN-SEALED-1", "SEC-SEALED-SECRET-2", "SMTP-SEALED-PW-3"};
    for (int f = 0; f < 2; f++) {
        char *path = xasprintf("%s/%s", dir, files[f]);
        FILE *fp = fopen(path, "rb");
        if (fp) {
            fseek(fp, 0, SEEK_END);
            long n = ftell(fp);
            fseek(fp, 0, SEEK_SET);
            char *data = xmalloc((size_t)n + 1);
            size_t got = fread(data, 1, (size_t)n, fp);
            for (int s = 0; s < 3; s++)
                CHECK(memmem(data, got, secrets[s], strlen(secrets[s])) == NULL);
            CHECK(memmem(data, got, "oapi.dingtalk.com", 17) != NULL || f == 1);
            xfree(data);
            fclose(fp);
        }
        xfree(path);
    }
    S = store_open(dir, &err);
    CHECK(S != NULL);
    /* and they open again with the key */
    struct chan_args a = {.id = id};
    CHECK_INT(store_notify_tx(S, false, do_get_channel, &a, &err), 0);
    CHECK(a.row.secrets && strstr(a.row.secrets, "TOKEN-SEALED-1") != NULL);
    CHECK(a.row.secrets && strstr(a.row.secrets, "SEC-SEALED-SECRET-2") != NULL);
    store_channel_release(&a.row);
    del_channel(id);
    del_channel(mail);
}

TEST(rules_route_and_escalation_adds_targets)
{
    int64_t s1 = shift("eng1", "primary", T0 - 60 * MINUTE, T0 + 11 * 60 * MINUTE);
    int64_t s2 = shift("lead1", "lead", T0 - 60 * MINUTE, T0 + 11 * 60 * MINUTE);
    int64_t hook = channel("{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/"
                           "\",\"default\":true}",
                           closed_port);
    int64_t ding = channel("{\"name\":\"ding\",\"type\":\"dingtalk\",\"url\":"
                           "\"http://127.0.0.1:%d/robot/send?access_token=t\"}",
                           closed_port);
    int64_t r = rule("{\"name\":\"level1\",\"match\":{\"levels\":[1]},\"steps\":["
                     "{\"after\":\"0m\",\"to\":[\"duty:primary\"],\"channels\":[\"ding\"]},"
                     "{\"after\":\"15m\",\"to\":[\"duty:lead\"],\"channels\":[\"ding\",\"hook\"]}]}");
    int64_t ids[16];

    /* level 1, nobody assigned: the engineer on duty, now; the lead in 15 min */
    struct notify_event ev = {.kind = NK_OPENED, .incident_id = 1, .level = 1, .system = "portal",
                              .title = "首页无法访问", .at = T0};
    size_t n = submit(&ev, T0, ids);
    CHECK_INT(n, 3);
    const char *only_eng1[] = {"eng1"};
    CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    CHECK(recipients_are(ids[0], only_eng1, 1));
    struct store_delivery d = dlv(ids[1]);
    CHECK_INT(d.status, DLV_SCHEDULED);
    CHECK_INT(d.next_attempt, T0 + 15 * MINUTE);
    CHECK_INT(d.step, 15 * MINUTE);
    CHECK_STR(d.rule, "level1");
    CHECK(d.recipients == NULL); /* resolved when due */
    CHECK(strstr(d.subject, "首页无法访问") != NULL);
    store_delivery_release(&d);
    CHECK(targets_have(ids[1], "duty:lead"));
    CHECK(targets_have(ids[2], "duty:lead"));

    /* level 3: no rule; the default channel, the assignee */
    ev.incident_id = 2;
    ev.level = 3;
    ev.assignee_id = eng2;
    n = submit(&ev, T0, ids);
    CHECK_INT(n, 1);
    struct store_delivery h = dlv(ids[0]);
    CHECK_INT(h.channel_id, hook);
    CHECK(h.rule == NULL);
    store_delivery_release(&h);
    const char *only_eng2[] = {"eng2"};
    CHECK(recipients_are(ids[0], only_eng2, 1));

    /* a breach escalated to the managers: lead and managers (not the disabled one) */
    struct notify_event br = {.kind = NK_SLA_BREACH, .incident_id = 3, .level = 1,
                              .clock = CLOCK_RESPONSE, .at = T0, .due = T0,
                              .assignee_id = eng2, .escalation = ESC_MANAGER};
    n = submit(&br, T0, ids);
    CHECK_INT(n, 3);
    const char *esc[] = {"eng2", "eng1", "lead1", "mgr1"};
    CHECK(recipients_are(ids[0], esc, 4));
    CHECK(targets_have(ids[0], "role:manager"));
    struct store_delivery b = dlv(ids[0]);
    CHECK_STR(b.clock, "response");
    CHECK_STR(b.kind, "sla_breach");
    store_delivery_release(&b);

    /* ESC_LEAD adds the lead only */
    br.incident_id = 4;
    br.escalation = ESC_LEAD;
    n = submit(&br, T0, ids);
    const char *lead[] = {"eng2", "eng1", "lead1"};
    CHECK(recipients_are(ids[0], lead, 3));

    /* nobody on duty and nobody assigned: a message without recipients */
    ev.incident_id = 5;
    ev.level = 3;
    ev.assignee_id = 0;
    n = submit(&ev, T0 + 12 * 60 * MINUTE, ids);
    CHECK_INT(n, 1);
    CHECK(recipients_are(ids[0], NULL, 0));
    CHECK_INT(status_of(ids[0]), DLV_QUEUED); /* a webhook still posts */

    /* a channel a rule sends to cannot go */
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(notify_channel_delete(S, ding, NULL, NULL, &err), -1);
    CHECK_INT(err.code, YW_ECONFLICT);
    del_rule(r);
    del_channel(ding);
    del_channel(hook);
    del_shift(s1);
    del_shift(s2);
}

TEST(dedup_window_at_exact_instants)
{
    int64_t hook = channel("{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/"
                           "\",\"default\":true,\"dedup_window\":\"10m\"}",
                           closed_port);
    int64_t ids[16];
    struct notify_event ev = {.kind = NK_SLA_WARNING, .incident_id = 10, .level = 2,
                              .clock = CLOCK_RESPONSE, .at = T0, .assignee_id = eng1};
    CHECK_INT(submit(&ev, T0, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    CHECK_INT(submit(&ev, T0 + 10 * MINUTE - 1, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_SUPPRESSED);
    struct store_delivery d = dlv(ids[0]);
    CHECK(d.last_error && strstr(d.last_error, "duplicate") != NULL);
    store_delivery_release(&d);
    /* another clock, another kind, another incident: not duplicates */
    ev.clock = CLOCK_ONSITE;
    CHECK_INT(submit(&ev, T0 + MINUTE, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    ev.clock = CLOCK_RESPONSE;
    ev.kind = NK_SLA_BREACH;
    CHECK_INT(submit(&ev, T0 + MINUTE, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    ev.kind = NK_SLA_WARNING;
    ev.incident_id = 11;
    CHECK_INT(submit(&ev, T0 + MINUTE, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    /* the window is over at exactly 10 minutes */
    ev.incident_id = 10;
    CHECK_INT(submit(&ev, T0 + 10 * MINUTE, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    del_channel(hook);
}

TEST(rate_limit_folds_into_a_digest)
{
    int64_t hook = channel("{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/"
                           "\",\"default\":true,\"rate_limit\":{\"max\":3,\"per\":\"10m\"}}",
                           closed_port);
    int64_t ids[16], first[3];
    struct notify_event ev = {.kind = NK_OPENED, .level = 2, .title = "flap", .at = T0};
    for (int i = 0; i < 3; i++) {
        ev.incident_id = 100 + i;
        CHECK_INT(submit(&ev, T0 + i * MINUTE, ids), 1);
        first[i] = ids[0];
        CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    }
    /* the 4th within 10 minutes: held for a digest due when the first slot frees */
    ev.incident_id = 103;
    CHECK_INT(submit(&ev, T0 + 3 * MINUTE, ids), 1);
    struct store_delivery d = dlv(ids[0]);
    CHECK_INT(d.status, DLV_SUPPRESSED);
    CHECK(d.last_error && strstr(d.last_error, "digest #") != NULL);
    int64_t digest = atoll(strstr(d.last_error, "digest #") + 8);
    store_delivery_release(&d);
    struct store_delivery g = dlv(digest);
    CHECK_STR(g.kind, "digest");
    CHECK_INT(g.status, DLV_SCHEDULED);
    CHECK_INT(g.next_attempt, T0 + 10 * MINUTE);
    CHECK_INT(g.held, 1);
    store_delivery_release(&g);
    /* more join it, even once a slot is free again: the digest goes first */
    ev.incident_id = 104;
    CHECK_INT(submit(&ev, T0 + 4 * MINUTE, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_SUPPRESSED);
    ev.incident_id = 105;
    CHECK_INT(submit(&ev, T0 + 10 * MINUTE, ids), 1);
    CHECK_INT(status_of(ids[0]), DLV_SUPPRESSED);
    g = dlv(digest);
    CHECK_INT(g.held, 3);
    CHECK_STR(g.subject, "【通知汇总】另有 3 条通知");
    store_delivery_release(&g);

    /* due at T0+10m: sent as one message (the receiver is down: a failed attempt) */
    struct notifier_opts o = fast_opts();
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(notifier_run_due(S, &o, T0 + 10 * MINUTE - 1, &err), 0);
    /* the three first went out (failing) at once; the digest waits */
    for (int i = 0; i < 3; i++)
        CHECK_INT(status_of(first[i]), DLV_QUEUED);
    CHECK_INT(status_of(digest), DLV_SCHEDULED);
    CHECK_INT(notifier_run_due(S, &o, T0 + 10 * MINUTE, &err), 0);
    g = dlv(digest);
    CHECK_INT(g.status, DLV_QUEUED); /* retrying */
    CHECK_INT(g.attempts, 1);
    CHECK_INT(g.admitted, T0 + 10 * MINUTE);
    CHECK_INT(g.next_attempt, T0 + 10 * MINUTE + 10 * MS_PER_S);
    store_delivery_release(&g);

    /* drop instead of digest */
    json_t *body = J("{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/\","
                     "\"default\":true,\"on_limit\":\"drop\",\"rate_limit\":{\"max\":1,"
                     "\"per\":\"1h\"}}",
                     closed_port);
    CHECK_INT(notify_channel_update(S, hook, NULL, body, NULL, NULL, &err), 0);
    json_decref(body);
    ev.incident_id = 106;
    CHECK_INT(submit(&ev, T0 + 20 * MINUTE, ids), 1);
    d = dlv(ids[0]);
    CHECK_INT(d.status, DLV_SUPPRESSED);
    CHECK(d.last_error && strstr(d.last_error, "dropped") != NULL);
    store_delivery_release(&d);
    del_channel(hook);
}

TEST(backoff_schedule)
{
    static const ms_t def[] = {10 * MS_PER_S, 30 * MS_PER_S, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE};
    CHECK_INT(notify_backoff(def, 5, 0), -1);
    CHECK_INT(notify_backoff(def, 5, 1), 10 * MS_PER_S);
    CHECK_INT(notify_backoff(def, 5, 2), 30 * MS_PER_S);
    CHECK_INT(notify_backoff(def, 5, 3), 2 * MINUTE);
    CHECK_INT(notify_backoff(def, 5, 4), 10 * MINUTE);
    CHECK_INT(notify_backoff(def, 5, 5), 30 * MINUTE);
    CHECK_INT(notify_backoff(def, 5, 6), -1);

    /* through the worker's steps, against a closed port: six attempts, then failed */
    int64_t hook = channel("{\"name\":\"down\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/"
                           "\",\"default\":true}",
                           closed_port);
    int64_t ids[16];
    struct notify_event ev = {.kind = NK_OPENED, .incident_id = 200, .level = 2, .at = T0};
    CHECK_INT(submit(&ev, T0, ids), 1);
    struct notifier_opts o = fast_opts();
    struct yw_err err = YW_ERR_INIT;
    ms_t at = T0;
    for (int i = 0; i < 6; i++) {
        CHECK_INT(notifier_run_due(S, &o, at - 1, &err), 0); /* not yet due */
        struct store_delivery d = dlv(ids[0]);
        CHECK_INT(d.attempts, i);
        store_delivery_release(&d);
        CHECK_INT(notifier_run_due(S, &o, at, &err), 0);
        d = dlv(ids[0]);
        CHECK_INT(d.attempts, i + 1);
        if (i < 5) {
            CHECK_INT(d.status, DLV_QUEUED);
            CHECK_INT(d.next_attempt, at + def[i]);
            at = d.next_attempt;
        } else {
            CHECK_INT(d.status, DLV_FAILED);
        }
        CHECK(d.last_error && strstr(d.last_error, "connect") != NULL);
        store_delivery_release(&d);
    }
    /* every attempt is in the log */
    struct notify_log_query q = {.incident_id = 200, .limit = 10};
    json_t *items = NULL;
    int64_t next = 0;
    CHECK_INT(notify_delivery_list(S, &q, &items, &next, &err), 0);
    json_t *log = json_object_get(json_array_get(items, 0), "attempt_log");
    CHECK_INT(json_array_size(log), 6);
    CHECK(json_is_false(json_object_get(json_array_get(log, 0), "ok")));
    json_decref(items);
    del_channel(hook);
}

TEST(ack_cancels_escalation_steps)
{
    int64_t s1 = shift("lead1", "lead", T0 - 60 * MINUTE, T0 + 60 * MINUTE);
    int64_t hook = channel("{\"name\":\"hook\",\"type\":\"webhook\",\"url\":\"http://127.0.0.1:%d/"
                           "\"}",
                           closed_port);
    int64_t r = rule("{\"name\":\"esc\",\"steps\":[{\"after\":\"15m\",\"to\":[\"duty:lead\"],"
                     "\"channels\":[\"hook\"]},{\"after\":\"30m\",\"to\":[\"role:manager\"],"
                     "\"channels\":[\"hook\"]}]}");
    int64_t ids[16];
    struct notify_event ev = {.kind = NK_OPENED, .incident_id = 300, .level = 1, .at = T0};
    CHECK_INT(submit(&ev, T0, ids), 2);
    int64_t a = ids[0], b = ids[1];
    /* another incident's steps stay */
    ev.incident_id = 301;
    CHECK_INT(submit(&ev, T0, ids), 2);
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(notify_ack_at(S, 300, T0 + 5 * MINUTE, &err), 0);
    CHECK_INT(status_of(a), DLV_CANCELLED);
    CHECK_INT(status_of(b), DLV_CANCELLED);
    CHECK_INT(status_of(ids[0]), DLV_SCHEDULED);
    /* at 15 minutes the other incident's step is activated: its recipients
     * resolved then (the lead on duty then) and sent (failing: port closed) */
    struct notifier_opts o = fast_opts();
    CHECK_INT(notifier_run_due(S, &o, T0 + 15 * MINUTE, &err), 0);
    const char *lead[] = {"lead1"};
    CHECK(recipients_are(ids[0], lead, 1));
    CHECK_INT(status_of(ids[0]), DLV_QUEUED);
    CHECK_INT(status_of(a), DLV_CANCELLED);
    CHECK_INT(status_of(ids[1]), DLV_SCHEDULED);
    del_rule(r);
    del_channel(hook);
    del_shift(s1);
}

TEST(who_is_on_duty)
{
    ms_t H = 60 * MINUTE;
    int64_t a = shift("eng1", "primary", T0, T0 + 12 * H);
    int64_t b = shift("eng2", "primary", T0 + 12 * H, T0 + 24 * H);
    int64_t c = shift("lead1", "primary", T0 + 2 * H, T0 + 4 * H); /* a swap over a */
    int64_t uid = 0;
    char login[64];
    struct yw_err err = YW_ERR_INIT;
    const struct {
        ms_t at;
        const char *who;
    } cases[] = {
        {T0 - 1, NULL},
        {T0, "eng1"},
        {T0 + 2 * H - 1, "eng1"},
        {T0 + 2 * H, "lead1"},
        {T0 + 4 * H - 1, "lead1"},
        {T0 + 4 * H, "eng1"},
        {T0 + 12 * H - 1, "eng1"},
        {T0 + 12 * H, "eng2"},
        {T0 + 24 * H - 1, "eng2"},
        {T0 + 24 * H, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = notify_on_duty(S, DUTY_PRIMARY, cases[i].at, &uid, login, sizeof login, &err);
        if (cases[i].who) {
            CHECK_INT(rc, 0);
            CHECK_STR(login, cases[i].who);
        } else {
            CHECK_INT(rc, -1);
            CHECK_INT(err.code, YW_ENOTFOUND);
        }
    }
    /* other positions are apart */
    CHECK_INT(notify_on_duty(S, DUTY_BACKUP, T0 + H, &uid, NULL, 0, &err), -1);
    /* same start: the later shift wins */
    int64_t d = shift("mgr1", "primary", T0, T0 + H);
    CHECK_INT(notify_on_duty(S, DUTY_PRIMARY, T0, &uid, login, sizeof login, &err), 0);
    CHECK_STR(login, "mgr1");
    /* duty/now answers every position */
    json_t *now = NULL;
    CHECK_INT(notify_duty_now(S, T0 + 3 * H, &now, &err), 0);
    json_t *pos = json_object_get(now, "positions");
    CHECK_STR(json_string_value(json_object_get(json_object_get(pos, "primary"), "user")),
              "lead1");
    CHECK(json_is_null(json_object_get(pos, "backup")));
    json_decref(now);
    /* a shift must end after it starts and name an account */
    json_t *bad = J("{\"user\":\"eng1\",\"position\":\"primary\",\"start\":\"%s\",\"end\":\"%s\"}",
                    ts(T0), ts(T0));
    json_t *out = NULL;
    CHECK_INT(notify_shift_create(S, bad, &out, &err), -1);
    CHECK_STR(err.field, "end");
    json_decref(bad);
    bad = J("{\"user\":\"nobody\",\"position\":\"primary\",\"start\":\"%s\",\"end\":\"%s\"}",
            ts(T0), ts(T0 + H));
    CHECK_INT(notify_shift_create(S, bad, &out, &err), -1);
    CHECK_STR(err.field, "user");
    json_decref(bad);
    bad = J("{\"user\":\"eng1\",\"position\":\"night\",\"start\":\"%s\",\"end\":\"%s\"}", ts(T0),
            ts(T0 + H));
    CHECK_INT(notify_shift_create(S, bad, &out, &err), -1);
    CHECK_STR(err.field, "position");
    json_decref(bad);
    del_shift(a);
    del_shift(b);
    del_shift(c);
    del_shift(d);
}

TEST(rotation_and_handover)
{
    ms_t H = 60 * MINUTE;
    json_t *body = J("{\"people\":[\"eng1\",\"eng2\",\"lead1\"],\"position\":\"backup\","
                     "\"shift\":\"12h\",\"start\":\"%s\",\"days\":2}",
                     ts(T0));
    json_t *out = NULL;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(notify_rotation(S, body, &out, &err), 0);
    CHECK_INT(json_integer_value(json_object_get(out, "created")), 4);
    json_decref(out);
    char login[64];
    int64_t uid;
    const char *expect[] = {"eng1", "eng2", "lead1", "eng1"};
    for (int k = 0; k < 4; k++) {
        CHECK_INT(notify_on_duty(S, DUTY_BACKUP, T0 + k * 12 * H + H, &uid, login, sizeof login,
                                 &err),
                  0);
        CHECK_STR(login, expect[k]);
    }
    CHECK_INT(notify_on_duty(S, DUTY_BACKUP, T0 + 48 * H, &uid, login, sizeof login, &err), -1);
    /* again with replace: the same four, not eight */
    json_object_set_new(body, "replace", json_true());
    CHECK_INT(notify_rotation(S, body, &out, &err), 0);
    CHECK_INT(json_integer_value(json_object_get(out, "deleted")), 4);
    json_decref(out);
    json_t *items = NULL;
    CHECK_INT(notify_shift_list(S, T0, T0 + 48 * H, &items, &err), 0);
    CHECK_INT(json_array_size(items), 4);
    json_decref(items);
    json_decref(body);
    /* limits: 366 days of 1 h shifts is too many */
    body = J("{\"people\":[\"eng1\"],\"shift\":\"1h\",\"start\":\"%s\",\"days\":366}", ts(T0));
    CHECK_INT(notify_rotation(S, body, &out, &err), -1);
    CHECK_INT(err.code, YW_ELIMIT);
    json_decref(body);
    body = J("{\"people\":[\"ghost\"],\"start\":\"%s\",\"days\":1}", ts(T0));
    CHECK_INT(notify_rotation(S, body, &out, &err), -1);
    CHECK_STR(err.field, "people[0]");
    json_decref(body);

    /* hand-over: from defaults to who holds the position then */
    body = J("{\"position\":\"backup\",\"to\":\"eng2\",\"at\":\"%s\",\"note\":\"交接：无遗留\"}",
             ts(T0 + 11 * H));
    CHECK_INT(notify_handover(S, body, "mgr1", T0 + 11 * H, &out, &err), 0);
    CHECK_STR(json_string_value(json_object_get(out, "from")), "eng1");
    CHECK_STR(json_string_value(json_object_get(out, "to")), "eng2");
    CHECK_STR(json_string_value(json_object_get(out, "by")), "mgr1");
    json_decref(out);
    json_decref(body);
    CHECK_INT(notify_handover_list(S, T0, T0 + 24 * H, 10, &items, &err), 0);
    CHECK_INT(json_array_size(items), 1);
    json_decref(items);
    /* clean the roster for the others */
    CHECK_INT(notify_shift_list(S, T0 - 1, T0 + 49 * H, &items, &err), 0);
    size_t i;
    json_t *v;
    json_array_foreach(items, i, v) del_shift(json_integer_value(json_object_get(v, "id")));
    json_decref(items);
}

TEST(provisioning_from_the_config)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *chs = J("[{\"name\":\"p-ding\",\"type\":\"dingtalk\",\"token\":\"prov-tok\"},"
                    "{\"name\":\"p-hook\",\"type\":\"webhook\",\"url\":\"https://h.example/\"}]");
    json_t *rules = J("[{\"name\":\"p-rule\",\"steps\":[{\"to\":[\"duty:primary\"],"
                      "\"channels\":[\"p-ding\"]}]}]");
    json_t *duty = J("{\"shifts\":[{\"user\":\"eng1\",\"position\":\"primary\",\"start\":\"%s\","
                     "\"end\":\"%s\"}],\"rotations\":[{\"people\":[\"eng2\",\"lead1\"],"
                     "\"position\":\"lead\",\"shift\":\"24h\",\"start\":\"%s\",\"days\":2}]}",
                     ts(T0), ts(T0 + 60 * MINUTE), ts(T0));
    CHECK_INT(notify_config_apply(S, chs, rules, duty, &err), 0);
    json_t *out = NULL;
    CHECK_INT(notify_channel_get(S, 0, "p-ding", &out, &err), 0);
    CHECK(json_is_true(json_object_get(out, "provisioned")));
    json_decref(out);
    char login[64];
    int64_t uid;
    CHECK_INT(notify_on_duty(S, DUTY_LEAD, T0 + 25 * 60 * MINUTE, &uid, login, sizeof login, &err),
              0);
    CHECK_STR(login, "lead1");
    /* read-only through the API */
    json_t *body = J("{\"name\":\"p-hook\",\"type\":\"webhook\",\"url\":\"https://x.example/\"}");
    CHECK_INT(notify_channel_update(S, 0, "p-hook", body, NULL, NULL, &err), -1);
    CHECK_INT(err.code, YW_ECONFLICT);
    CHECK_INT(notify_rule_delete(S, 0, "p-rule", NULL, &err), -1);
    CHECK_INT(err.code, YW_ECONFLICT);
    json_t *items = NULL;
    CHECK_INT(notify_shift_list(S, T0, T0 + 60 * MINUTE, &items, &err), 0);
    int64_t prov_shift = json_integer_value(json_object_get(json_array_get(items, 0), "id"));
    json_decref(items);
    CHECK_INT(notify_shift_delete(S, prov_shift, NULL, &err), -1);
    CHECK_INT(err.code, YW_ECONFLICT);
    json_decref(body);
    /* applying the same again changes nothing; a file without them removes them */
    CHECK_INT(notify_config_apply(S, chs, rules, duty, &err), 0);
    CHECK_INT(notify_config_apply(S, NULL, NULL, NULL, &err), 0);
    CHECK_INT(notify_channel_get(S, 0, "p-ding", &out, &err), -1);
    CHECK_INT(err.code, YW_ENOTFOUND);
    CHECK_INT(notify_on_duty(S, DUTY_LEAD, T0 + 25 * 60 * MINUTE, &uid, NULL, 0, &err), -1);
    /* errors name the item; nothing changes */
    json_t *bad = J("[{\"name\":\"p-ding\",\"type\":\"dingtalk\"}]");
    CHECK_INT(notify_config_apply(S, bad, NULL, NULL, &err), -1);
    CHECK_STR(err.field, "channels[0].token");
    CHECK(strncmp(err.msg, "channels[0].token:", 18) == 0);
    json_decref(bad);
    bad = J("{\"shifts\":[{\"user\":\"ghost\",\"position\":\"primary\",\"start\":\"%s\","
            "\"end\":\"%s\"}]}",
            ts(T0), ts(T0 + 60 * MINUTE));
    CHECK_INT(notify_config_apply(S, chs, rules, bad, &err), -1);
    CHECK_STR(err.field, "duty.shifts[0].user");
    CHECK_INT(notify_channel_get(S, 0, "p-ding", &out, &err), -1);
    json_decref(bad);
    /* a name the API already uses is a conflict */
    int64_t api = channel("{\"name\":\"p-hook\",\"type\":\"webhook\",\"url\":\"https://h.example/"
                          "\"}");
    CHECK_INT(notify_config_apply(S, chs, NULL, NULL, &err), -1);
    CHECK_INT(err.code, YW_ECONFLICT);
    del_channel(api);
    json_decref(chs);
    json_decref(rules);
    json_decref(duty);
}

TEST(contacts)
{
    struct yw_err err = YW_ERR_INIT;
    json_t *b = J("{\"email\":\"not an address\"}"), *out = NULL;
    CHECK_INT(notify_contact_put(S, eng1, NULL, b, NULL, NULL, &err), -1);
    CHECK_STR(err.field, "email");
    json_decref(b);
    b = J("{\"mobile\":\"12ab\"}");
    CHECK_INT(notify_contact_put(S, eng1, NULL, b, NULL, NULL, &err), -1);
    CHECK_STR(err.field, "mobile");
    json_decref(b);
    b = J("{\"email\":\"e1@example.cn\",\"mobile\":\"+8613800001111\",\"dingtalk_id\":\"dt1\"}");
    json_t *before = NULL;
    CHECK_INT(notify_contact_put(S, 0, "eng1", b, &before, &out, &err), 0);
    CHECK_STR(json_string_value(json_object_get(out, "mobile")), "+8613800001111");
    CHECK(json_is_null(json_object_get(out, "wecom_id")));
    json_decref(before);
    json_decref(out);
    json_decref(b);
    CHECK_INT(notify_contact_get(S, 999999, NULL, &out, &err), -1);
    CHECK_INT(err.code, YW_ENOTFOUND);
}

int main(void)
{
    time_set_display_zone("Asia/Shanghai");
    setup();
    RUN(store_round_trip_with_sealed_secrets);
    RUN(rules_route_and_escalation_adds_targets);
    RUN(dedup_window_at_exact_instants);
    RUN(rate_limit_folds_into_a_digest);
    RUN(backoff_schedule);
    RUN(ack_cancels_escalation_steps);
    RUN(who_is_on_duty);
    RUN(rotation_and_handover);
    RUN(provisioning_from_the_config);
    RUN(contacts);
    teardown();
    return t_done();
}
