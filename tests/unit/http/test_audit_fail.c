/* When the audit trail cannot be written, a change is not reported as done:
 * another connection holds the database's write lock past the store's busy
 * timeout (5 s), so the server's audit append fails. The change's handler
 * (a stub) has run; the answer must still be 503, with no Location and no
 * cookie. */
#include <curl/curl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/mem.h"
#include "http/api.h"
#include "http/server.h"
#include "t.h"
#include "thelp.h"

static struct store *S;
static char dir[64], base[64], token[64], viewer[64];

TEST(a_change_without_its_audit_record_is_503)
{
    /* warm up: the token's last_used is written now, not under the lock */
    struct treq r = {.method = "GET", .path = "/api/v1/monitors", .bearer = token};
    struct answer a = tc_do(base, &r);
    CHECK_INT(a.status, 200);
    tc_free(&a);
    r.bearer = viewer;
    a = tc_do(base, &r);
    CHECK_INT(a.status, 200);
    tc_free(&a);

    char *path = xasprintf("%s/yunwei.db", dir);
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), SQLITE_OK);
    xfree(path);
    CHECK_INT(sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);

    r = (struct treq){.method = "POST", .path = "/api/v1/systems", .bearer = token,
                      .body = "{\"name\":\"x\"}"};
    a = tc_do(base, &r);
    CHECK_INT(a.status, 503);
    CHECK(!tc_has_header(&a, "Location:"));
    json_t *j = tc_json(&a);
    CHECK_STR(tc_str(j, "error", "code"), "io_error");
    json_decref(j);
    tc_free(&a);

    CHECK_INT(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    /* the trail is back: the same change is answered as done */
    a = tc_do(base, &r);
    CHECK_INT(a.status, 201);
    tc_free(&a);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    S = ts_open(dir, sizeof dir);
    ts_policy(S, 1000);
    int64_t uid = ts_user(S, "sys.two", NULL, 1u << ROLE_SYSADMIN);
    ts_token(S, uid, 1u << ROLE_SYSADMIN, 0, token);
    int64_t vid = ts_user(S, "viewer.two", NULL, 1u << ROLE_VIEWER);
    ts_token(S, vid, 1u << ROLE_VIEWER, 0, viewer);
    struct yw_err err = YW_ERR_INIT;
    struct http_server *H = http_start("127.0.0.1:0", S, NULL, NULL, &err);
    if (!H) {
        printf("Bail out! http_start: %s\n", err.msg);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", http_port(H));
    RUN(a_change_without_its_audit_record_is_503);
    http_stop(H);
    ts_close(S, dir);
    curl_global_cleanup();
    return t_done();
}
