/* The route tables against the role matrix.
 *
 * Generated: for every route of both real tables (this module's and the
 * administration one) and every role, plus anonymous and a principal with
 * no role, the central check (auth_route_check, the one the server calls)
 * must allow exactly what role_allows grants for the route's action — by
 * Bearer token and by session cookie with its CSRF token alike. Each route is
 * reached through the router from a concrete path, so a route shadowed by an
 * earlier entry would be caught.
 *
 * Hand-written: a sample of (role, method, path) with the expected answer
 * worked out from the matrix in the README, independent of roles.c. */
#include <stdio.h>
#include <string.h>

#include "http/api.h"
#include "http/api_admin.h"
#include "http/api_web.h"
#include "http/auth_policy.h"
#include "http/api_ops.h"
#include "t.h"

/* As the server searches them (server.c: dispatch), in its order: this
 * module's, the administration ones, the console's API routes, and last the
 * console's files, never for /api paths. Counts are not constant
 * expressions: main fills them in. (This test links api_web_stub.c, whose
 * tables are empty; linked with api_web.c the same checks cover them.) */
#define NTABLES 7
#define CONSOLE 6
static struct route_table live[NTABLES];

/* A concrete path for a pattern: every {param} becomes "1". */
static void concrete(const char *pattern, char *out, size_t n)
{
    size_t k = 0;
    for (const char *p = pattern; *p && k + 2 < n;) {
        if (*p == '{') {
            out[k++] = '1';
            while (*p && *p != '}')
                p++;
            if (*p)
                p++;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
}

static const struct route *resolve(const char *method, const char *path)
{
    struct route_match m = ROUTE_MATCH_INIT;
    const struct route *r = NULL;
    size_t n = NTABLES - (api_web_is_api_path(path) ? 1 : 0);
    if (router_match_tables(live, n, method, path, &m) == ROUTE_OK)
        r = m.route;
    route_match_release(&m);
    return r;
}

static struct principal as(roleset rs)
{
    struct principal p = {.user_id = 42, .roles = rs};
    snprintf(p.user, sizeof p.user, "tester");
    snprintf(p.source, sizeof p.source, "127.0.0.1");
    return p;
}

TEST(every_route_against_every_role)
{
    size_t checked = 0, routes = 0;
    for (size_t t = 0; t < NTABLES; t++) {
        for (size_t i = 0; i < live[t].n; i++) {
            const struct route *r = &live[t].routes[i];
            routes++;
            char path[512];
            concrete(r->pattern, path, sizeof path);
            const struct route *found = resolve(r->method, path);
            if (found != r)
                printf("#   %s %s resolves to %s %s\n", r->method, r->pattern,
                       found ? found->method : "-", found ? found->pattern : "(nothing)");
            CHECK(found == r);
            bool pub = r->flags & ROUTE_PUBLIC;

            struct auth_subject anon = {0};
            CHECK_INT(auth_route_check(r, r->method, &anon),
                      pub ? AUTH_ALLOW : AUTH_UNAUTHENTICATED);
            checked++;
            struct principal none = as(0);
            struct auth_subject s0 = {.who = &none};
            CHECK_INT(auth_route_check(r, r->method, &s0), pub ? AUTH_ALLOW : AUTH_FORBIDDEN);
            checked++;

            for (int role = 0; role < ROLE__COUNT; role++) {
                struct principal p = as(1u << role);
                bool allowed = pub || role_allows(1u << role, r->act);
                enum auth_verdict want = allowed ? AUTH_ALLOW : AUTH_FORBIDDEN;
                struct auth_subject tok = {.who = &p};
                enum auth_verdict got = auth_route_check(r, r->method, &tok);
                if (got != want)
                    printf("#   %s %s as %s (token): %s, want %s\n", r->method, r->pattern,
                           role_name((enum role)role), auth_verdict_code(got),
                           auth_verdict_code(want));
                CHECK_INT(got, want);
                struct auth_subject cookie = {.who = &p, .via_cookie = true,
                                              .csrf_expected = "ywc_x", .csrf_given = "ywc_x"};
                CHECK_INT(auth_route_check(r, r->method, &cookie), want);
                /* the same through HEAD where GET works */
                if (strcmp(r->method, "GET") == 0) {
                    CHECK(resolve("HEAD", path) == r);
                    CHECK_INT(auth_route_check(r, "HEAD", &tok), want);
                }
                checked += 2;
            }
        }
    }
    printf("# %zu routes, %zu decisions checked\n", routes, checked);
    CHECK(routes >= api_nroutes);
}

TEST(public_routes_are_exactly_these)
{
    static const char *const expected[][2] = {
        {"GET", "/healthz"},
        {"GET", "/api/v1/push/{token}"},
        {"POST", "/api/v1/push/{token}"},
        {"POST", "/api/v1/session"},
        {"POST", "/api/v1/setup"},
    };
    size_t npub = 0;
    for (size_t t = 0; t < CONSOLE; t++) {
        for (size_t i = 0; i < live[t].n; i++) {
            const struct route *r = &live[t].routes[i];
            if (!(r->flags & ROUTE_PUBLIC))
                continue;
            npub++;
            bool listed = false;
            for (size_t k = 0; k < sizeof expected / sizeof expected[0]; k++)
                listed |= strcmp(r->method, expected[k][0]) == 0 &&
                          strcmp(r->pattern, expected[k][1]) == 0;
            if (!listed)
                printf("#   unexpected public route %s %s\n", r->method, r->pattern);
            CHECK(listed);
        }
    }
    CHECK_INT(npub, sizeof expected / sizeof expected[0]);
    /* the console's files are public, hold no data, are only read, and
     * never answer for an API path */
    for (size_t i = 0; i < live[CONSOLE].n; i++) {
        const struct route *r = &live[CONSOLE].routes[i];
        CHECK(r->flags & ROUTE_PUBLIC);
        CHECK_STR(r->method, "GET");
        CHECK(strncmp(r->pattern, "/api", 4) != 0);
    }
    CHECK(resolve("GET", "/api/v1/no-such-thing") == NULL);
    CHECK(resolve("GET", "/api") == NULL);
}

TEST(every_entry_is_well_formed)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t t = 0; t < NTABLES; t++) {
        for (size_t i = 0; i < live[t].n; i++) {
            const struct route *r = &live[t].routes[i];
            bool known = false;
            for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++)
                known |= strcmp(r->method, methods[k]) == 0;
            CHECK(known);
            CHECK(r->fn != NULL);
            CHECK((unsigned)r->act < ACT__COUNT);
            CHECK(r->pattern[0] == '/');
            /* two entries with the same method and pattern: the second is dead */
            for (size_t u = 0; u < NTABLES; u++)
                for (size_t j = 0; j < live[u].n; j++) {
                    const struct route *o = &live[u].routes[j];
                    if (o != r && strcmp(o->method, r->method) == 0 &&
                        strcmp(o->pattern, r->pattern) == 0)
                        printf("#   duplicate %s %s\n", r->method, r->pattern);
                    CHECK(o == r || strcmp(o->method, r->method) != 0 ||
                          strcmp(o->pattern, r->pattern) != 0);
                }
        }
    }
    /* this module's changes are audited under a name, with a before image
     * where the object existed before */
    for (size_t i = 0; i < api_nroutes; i++) {
        const struct route *r = &api_routes[i];
        bool changes = auth_method_changes(r->method);
        bool self = r->act == ACT_SELF; /* the session handlers audit themselves */
        if (!changes || self || (r->flags & ROUTE_NO_AUDIT))
            continue;
        CHECK(r->audit != NULL);
        if (strcmp(r->method, "POST") != 0 || strstr(r->pattern, "{id}"))
            CHECK(r->read != NULL);
    }
}

struct expect {
    enum role role;
    const char *method, *path;
    bool allowed;
};

/* Worked out from the README's matrix, not from roles.c. */
static const struct expect hand[] = {
    {ROLE_VIEWER, "POST", "/api/v1/monitors", false},
    {ROLE_VIEWER, "GET", "/api/v1/monitors", true},
    {ROLE_VIEWER, "GET", "/metrics", true},
    {ROLE_VIEWER, "POST", "/api/v1/monitors/7/pause", false},
    {ROLE_AUDITADMIN, "GET", "/api/v1/monitors", false},
    {ROLE_AUDITADMIN, "GET", "/metrics", false},
    {ROLE_AUDITADMIN, "GET", "/api/v1/systems/portal/availability", false},
    {ROLE_ENGINEER, "POST", "/api/v1/monitors/7/pause", true},
    {ROLE_ENGINEER, "POST", "/api/v1/monitors/7/resume", true},
    {ROLE_ENGINEER, "PUT", "/api/v1/monitors/7", false},
    {ROLE_ENGINEER, "POST", "/api/v1/maintenance", false},
    {ROLE_MANAGER, "POST", "/api/v1/maintenance", true},
    {ROLE_MANAGER, "DELETE", "/api/v1/maintenance/3", true},
    {ROLE_MANAGER, "POST", "/api/v1/systems", false},
    {ROLE_SYSADMIN, "POST", "/api/v1/monitors", true},
    {ROLE_SYSADMIN, "DELETE", "/api/v1/systems/3", true},
    {ROLE_SYSADMIN, "PUT", "/api/v1/maintenance/3", true},
    {ROLE_SECADMIN, "POST", "/api/v1/systems", false},
    {ROLE_SECADMIN, "GET", "/api/v1/events", true},
    {ROLE_ASSESSOR, "GET", "/api/v1/events", true},
    {ROLE_ASSESSOR, "POST", "/api/v1/monitors/1/resume", false},
    {ROLE_ASSESSOR, "GET", "/api/v1/monitors/1/results", true},
    /* one's own session: everybody */
    {ROLE_VIEWER, "GET", "/api/v1/session", true},
    {ROLE_AUDITADMIN, "GET", "/api/v1/sessions", true},
    {ROLE_AUDITADMIN, "POST", "/api/v1/session/password", true},
    {ROLE_ENGINEER, "DELETE", "/api/v1/sessions/0123456789ab", true},
    /* public */
    {ROLE_AUDITADMIN, "GET", "/healthz", true},
    {ROLE_VIEWER, "POST", "/api/v1/push/abcdefghijklmnop", true},
};

/* The administration table's, when it is there (its own test covers it
 * in detail). */
static const struct expect hand_admin[] = {
    {ROLE_AUDITADMIN, "GET", "/api/v1/audit", true},
    {ROLE_SYSADMIN, "GET", "/api/v1/audit", false},
    {ROLE_SECADMIN, "GET", "/api/v1/audit", false},
    {ROLE_SECADMIN, "PUT", "/api/v1/policy", true},
    {ROLE_SYSADMIN, "PUT", "/api/v1/policy", false},
    {ROLE_SYSADMIN, "POST", "/api/v1/users", true},
    {ROLE_SECADMIN, "POST", "/api/v1/users", false},
    {ROLE_SECADMIN, "PUT", "/api/v1/users/7/roles", true},
    {ROLE_SYSADMIN, "PUT", "/api/v1/users/7/roles", false},
    {ROLE_VIEWER, "GET", "/api/v1/users", false},
    {ROLE_MANAGER, "GET", "/api/v1/users", true},
};

static void check_hand(const struct expect *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct route *r = resolve(e[i].method, e[i].path);
        if (!r) {
            printf("#   no route for %s %s\n", e[i].method, e[i].path);
            CHECK(r != NULL);
            continue;
        }
        struct principal p = as(1u << e[i].role);
        struct auth_subject s = {.who = &p};
        enum auth_verdict v = auth_route_check(r, e[i].method, &s);
        if ((v == AUTH_ALLOW) != e[i].allowed)
            printf("#   %s %s as %s: %s, want %s\n", e[i].method, e[i].path,
                   role_name(e[i].role), auth_verdict_code(v),
                   e[i].allowed ? "allowed" : "forbidden");
        CHECK_INT(v == AUTH_ALLOW, e[i].allowed);
    }
}

TEST(hand_written_sample)
{
    check_hand(hand, sizeof hand / sizeof hand[0]);
    if (api_admin_nroutes > 0)
        check_hand(hand_admin, sizeof hand_admin / sizeof hand_admin[0]);
    else
        printf("# the administration table is empty: its sample skipped\n");
}

int main(void)
{
    live[0] = (struct route_table){api_routes, api_nroutes};
    live[1] = (struct route_table){api_admin_routes, api_admin_nroutes};
    live[2] = (struct route_table){api_web_routes, api_web_nroutes};
    live[3] = (struct route_table){api_incident_routes, api_incident_nroutes};
    live[4] = (struct route_table){api_notify_routes, api_notify_nroutes};
    live[5] = (struct route_table){api_calendar_routes, api_calendar_nroutes};
    live[CONSOLE] = (struct route_table){api_web_console_routes, api_web_console_nroutes};
    RUN(every_route_against_every_role);
    RUN(public_routes_are_exactly_these);
    RUN(every_entry_is_well_formed);
    RUN(hand_written_sample);
    return t_done();
}
