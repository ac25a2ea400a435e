/* The pure parts of administration (http/api_admin_util.c): CSV escaping,
 * role lists, generated one-time passwords, the policy body, answers that
 * must never carry secrets, and the organisation tree. */
#include <stdlib.h>
#include <string.h>

#include "http/api_admin_util.h"
#include "t.h"

/* The cell as admin_csv_cell writes it (static buffer, "" for none). */
static const char *cell(const char *s)
{
    static char out[256];
    struct buf b = BUF_INIT(1024);
    out[0] = '\0';
    if (admin_csv_cell(&b, s) == 0)
        snprintf(out, sizeof out, "%s", buf_str(&b));
    else
        snprintf(out, sizeof out, "(failed)");
    buf_release(&b);
    return out;
}

TEST(csv_plain_cells_unquoted)
{
    CHECK_STR(cell("abc"), "abc");
    CHECK_STR(cell("李雷 数据中心"), "李雷 数据中心");
    CHECK_STR(cell("user:li.lei"), "user:li.lei");
    CHECK_STR(cell(""), "");
    CHECK_STR(cell(NULL), "");
    CHECK_STR(cell("a b"), "a b"); /* spaces alone need no quotes in RFC 4180 */
}

TEST(csv_quotes_commas_quotes_and_line_ends)
{
    CHECK_STR(cell("a,b"), "\"a,b\"");
    CHECK_STR(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
    CHECK_STR(cell("\""), "\"\"\"\"");
    CHECK_STR(cell("\"\""), "\"\"\"\"\"\"");
    CHECK_STR(cell("two\nlines"), "\"two\nlines\"");
    CHECK_STR(cell("cr\rhere"), "\"cr\rhere\"");
    CHECK_STR(cell("{\"a\":1,\"b\":\"x\"}"), "\"{\"\"a\"\":1,\"\"b\"\":\"\"x\"\"}\"");
}

TEST(csv_neutralises_formulas)
{
    CHECK_STR(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
    CHECK_STR(cell("=1+1"), "'=1+1");
    CHECK_STR(cell("+1"), "'+1");
    CHECK_STR(cell("-1"), "'-1");
    CHECK_STR(cell("@SUM(A1)"), "'@SUM(A1)");
    CHECK_STR(cell("\tx"), "'\tx");
    CHECK_STR(cell("=a,b"), "\"'=a,b\"");
    CHECK_STR(cell("a=1"), "a=1"); /* only a leading sign is a formula */
}

TEST(csv_audit_row_layout)
{
    CHECK_INT(time_set_display_zone("Asia/Shanghai"), 0);
    struct audit_record r = {
        .seq = 17,
        .time = 1700000000000LL, /* 2023-11-14T22:13:20Z */
        .user = "li.lei",
        .source = "127.0.0.1",
        .action = "user.create",
        .object = "user:han.mei",
        .before = NULL,
        .after = "{\"name\":\"han.mei\",\"display_name\":\"韩梅梅\"}",
        .result = "ok",
    };
    snprintf(r.mac, sizeof r.mac, "%s", "ab12");
    struct buf b = BUF_INIT(4096);
    CHECK_INT(admin_csv_audit_row(&b, &r), 0);
    CHECK_STR(buf_str(&b), "2023-11-15T06:13:20+08:00,li.lei,127.0.0.1,user.create,user:han.mei,"
                           "ok,,\"{\"\"name\"\":\"\"han.mei\"\",\"\"display_name\"\":"
                           "\"\"韩梅梅\"\"}\",17,ab12\r\n");
    buf_release(&b);

    /* An anonymous record has an empty user cell. */
    r.user = NULL;
    r.after = NULL;
    r.result = "failed: bad password";
    CHECK_INT(admin_csv_audit_row(&b, &r), 0);
    CHECK_STR(buf_str(&b), "2023-11-15T06:13:20+08:00,,127.0.0.1,user.create,user:han.mei,"
                           "failed: bad password,,,17,ab12\r\n");
    buf_release(&b);
}

TEST(csv_header_and_bom)
{
    CHECK_STR(ADMIN_CSV_HEADER, "time,user,source,action,object,result,before,after,seq,mac\r\n");
    CHECK_INT(strlen(ADMIN_CSV_BOM), 3);
    CHECK_INT((unsigned char)ADMIN_CSV_BOM[0], 0xEF);
    CHECK_INT((unsigned char)ADMIN_CSV_BOM[1], 0xBB);
    CHECK_INT((unsigned char)ADMIN_CSV_BOM[2], 0xBF);
}

TEST(csv_limit_fails_cleanly)
{
    struct buf b = BUF_INIT(5);
    CHECK_INT(admin_csv_cell(&b, "abcdef"), -1);
    CHECK_INT(b.len, 0);
    CHECK(b.p == NULL);
    struct buf q = BUF_INIT(4); /* fits the text, not the quotes */
    CHECK_INT(admin_csv_cell(&q, "a,b"), -1);
    CHECK_INT(q.len, 0);
    struct audit_record r = {.seq = 1, .time = 1, .action = "x", .result = "ok"};
    struct buf c = BUF_INIT(10);
    CHECK_INT(admin_csv_audit_row(&c, &r), -1);
    CHECK_INT(c.len, 0);
}

/* ---- roles ----------------------------------------------------------------------- */

static int roles_of(const char *json, roleset *out, struct yw_err *err)
{
    json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
    int rc = admin_roles_from_json(j, "roles", out, err);
    json_decref(j);
    return rc;
}

TEST(roles_parse_lists)
{
    struct yw_err err = YW_ERR_INIT;
    roleset rs = 99;
    CHECK_INT(roles_of("[\"sysadmin\",\"viewer\"]", &rs, &err), 0);
    CHECK_INT(rs, (1u << ROLE_SYSADMIN) | (1u << ROLE_VIEWER));
    CHECK_INT(roles_of("[\"engineer\",\"engineer\"]", &rs, &err), 0); /* a repeat is harmless */
    CHECK_INT(rs, 1u << ROLE_ENGINEER);
    CHECK_INT(roles_of("[]", &rs, &err), 0); /* empty: roleset_valid is the caller's */
    CHECK_INT(rs, 0);
    CHECK_INT(roles_of("[\"审计管理员\"]", &rs, &err), 0);
    CHECK_INT(rs, 1u << ROLE_AUDITADMIN);
}

TEST(roles_parse_refusals_name_the_field)
{
    const char *bad[] = {
        "[\"root\"]", "\"sysadmin\"", "[1]", "{\"a\":1}", "null", "[\"viewer\",null]",
        ("[\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\",\"v\","
         "\"v\",\"v\",\"v\"]"), /* 17 entries, one past ADMIN_ROLES_MAX */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct yw_err err = YW_ERR_INIT;
        roleset rs = 42;
        CHECK_INT(roles_of(bad[i], &rs, &err), -1);
        CHECK_INT(err.code, YW_EINVAL);
        CHECK_STR(err.field, "roles");
        CHECK(strncmp(err.msg, "roles: ", 7) == 0);
        CHECK_INT(rs, 42); /* unchanged */
    }
    struct yw_err err = YW_ERR_INIT;
    roleset rs;
    CHECK_INT(roles_of("[\"root\"]", &rs, &err), -1);
    CHECK(strstr(err.msg, "'root'") != NULL);
}

TEST(roles_json_in_role_order)
{
    json_t *j = admin_roles_json((1u << ROLE_VIEWER) | (1u << ROLE_SECADMIN));
    char *s = json_dumps(j, JSON_COMPACT);
    CHECK_STR(s, "[\"secadmin\",\"viewer\"]");
    free(s);
    json_decref(j);
    j = admin_roles_json(0);
    s = json_dumps(j, JSON_COMPACT);
    CHECK_STR(s, "[]");
    free(s);
    json_decref(j);
}

/* ---- generated passwords ---------------------------------------------------------- */

static int classes_of(const char *pw)
{
    bool lo = false, up = false, di = false, ot = false;
    for (const char *p = pw; *p; p++) {
        if (*p >= 'a' && *p <= 'z')
            lo = true;
        else if (*p >= 'A' && *p <= 'Z')
            up = true;
        else if (*p >= '0' && *p <= '9')
            di = true;
        else
            ot = true;
    }
    return lo + up + di + ot;
}

TEST(generated_passwords_meet_the_policy)
{
    struct password_policy pol = PASSWORD_POLICY_DEFAULT;
    char pw[PASSWORD_MAX], prev[PASSWORD_MAX] = "", why[256];
    for (int i = 0; i < 200; i++) {
        CHECK_INT(admin_password_generate(&pol, "li.lei", pw, sizeof pw), 0);
        CHECK_INT(strlen(pw), ADMIN_INITIAL_PW_MIN); /* default min 10 < 16 */
        CHECK_INT(classes_of(pw), 4);
        CHECK_INT(password_check_policy(&pol, "li.lei", pw, why, sizeof why), 0);
        CHECK(strpbrk(pw, "0Oo1lI") == NULL); /* no look-alikes */
        CHECK(strpbrk(pw, "\"\\' ,") == NULL);  /* nothing that needs quoting */
        CHECK(strcmp(pw, prev) != 0);
        memcpy(prev, pw, sizeof pw);
    }
}

TEST(generated_passwords_follow_a_longer_minimum)
{
    struct password_policy pol = PASSWORD_POLICY_DEFAULT;
    pol.min_length = 40;
    pol.min_classes = 4;
    char pw[PASSWORD_MAX], why[256];
    for (int i = 0; i < 20; i++) {
        CHECK_INT(admin_password_generate(&pol, "ab", pw, sizeof pw), 0);
        CHECK_INT(strlen(pw), 40);
        CHECK_INT(password_check_policy(&pol, "ab", pw, why, sizeof why), 0);
        /* "ab" turns up in about one draw in 26 of 40 characters (39 places,
         * 2/64 * 2/64 each): the generator redraws rather than answer one */
        CHECK(strstr(pw, "ab") == NULL && strstr(pw, "AB") == NULL && strstr(pw, "Ab") == NULL &&
              strstr(pw, "aB") == NULL);
    }
    pol.min_length = 128;
    CHECK_INT(admin_password_generate(&pol, "ab", pw, sizeof pw), 0);
    CHECK_INT(strlen(pw), 128);
}

TEST(generated_password_refuses_a_small_buffer)
{
    struct password_policy pol = PASSWORD_POLICY_DEFAULT;
    char pw[8];
    CHECK_INT(admin_password_generate(&pol, "li.lei", pw, sizeof pw), -1);
}

/* ---- the policy body ----------------------------------------------------------------- */

static int policy_of(const char *json, struct password_policy *p, struct yw_err *err)
{
    json_t *j = json_loads(json, JSON_DECODE_ANY, NULL);
    int rc = admin_policy_from_json(j, p, err);
    json_decref(j);
    return rc;
}

TEST(policy_partial_update)
{
    struct password_policy p = PASSWORD_POLICY_DEFAULT;
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(policy_of("{\"min_length\":12,\"lock_after\":3}", &p, &err), 0);
    CHECK_INT(p.min_length, 12);
    CHECK_INT(p.lock_after, 3);
    CHECK_INT(p.min_classes, 3);
    CHECK_INT(p.expiry_days, 90);
    CHECK_INT(policy_of("{}", &p, &err), 0);
    CHECK_INT(p.min_length, 12);
}

TEST(policy_round_trip)
{
    struct password_policy p = PASSWORD_POLICY_DEFAULT, q = {0};
    json_t *j = admin_policy_json(&p);
    char *s = json_dumps(j, JSON_COMPACT);
    CHECK_STR(s, "{\"min_length\":10,\"min_classes\":3,\"history\":5,\"expiry_days\":90,"
                 "\"lock_after\":5,\"lock_minutes\":30,\"idle_minutes\":30,"
                 "\"absolute_hours\":12,\"rate_per_minute\":10}");
    q = (struct password_policy){12, 4, 6, 30, 3, 60, 15, 8, 20};
    struct yw_err err = YW_ERR_INIT;
    CHECK_INT(admin_policy_from_json(j, &q, &err), 0);
    CHECK(memcmp(&p, &q, sizeof p) == 0);
    free(s);
    json_decref(j);
}

TEST(policy_refusals_name_the_field_and_change_nothing)
{
    static const struct {
        const char *body, *field;
    } cases[] = {
        {"{\"min_length\":7}", "min_length"},
        {"{\"min_length\":129}", "min_length"},
        {"{\"min_classes\":5}", "min_classes"},
        {"{\"history\":25}", "history"},
        {"{\"expiry_days\":-1}", "expiry_days"},
        {"{\"lock_after\":0}", "lock_after"},
        {"{\"idle_minutes\":0}", "idle_minutes"},
        {"{\"absolute_hours\":169}", "absolute_hours"},
        {"{\"rate_per_minute\":1001}", "rate_per_minute"},
        {"{\"history\":\"5\"}", "history"},
        {"{\"history\":5.5}", "history"},
        {"{\"history\":true}", "history"},
        {"{\"lock_minutes\":99999999999}", "lock_minutes"},
        {"{\"min_length\":12,\"colour\":1}", "colour"},
        {"[]", "body"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct password_policy p = PASSWORD_POLICY_DEFAULT, orig = PASSWORD_POLICY_DEFAULT;
        struct yw_err err = YW_ERR_INIT;
        CHECK_INT(policy_of(cases[i].body, &p, &err), -1);
        CHECK_INT(err.code, YW_EINVAL);
        CHECK_STR(err.field, cases[i].field);
        CHECK(strncmp(err.msg, cases[i].field, strlen(cases[i].field)) == 0);
        CHECK(memcmp(&p, &orig, sizeof p) == 0);
    }
}

/* ---- answers without secrets ------------------------------------------------------- */

TEST(user_answer_has_no_secret)
{
    ms_t now = 1700000000000LL;
    struct user_row u = {
        .id = 3,
        .name = "li.lei",
        .display_name = "李雷",
        .org_id = 2,
        .roles = 1u << ROLE_ENGINEER,
        .pw_hash = "$argon2id$v=19$m=65536,t=2,p=1$SECRETHASH",
        .pw_changed = now - MS_PER_DAY,
        .must_change_pw = true,
        .totp_enabled = true,
        .totp_sealed = "v1:SEALEDTOTP",
        .totp_last_step = 5,
        .recovery_hashes = "[\"RECOVERYHASH\"]",
        .failed_logins = 2,
        .locked_until = now + MS_PER_MIN,
        .created = now - 2 * MS_PER_DAY,
    };
    struct password_policy pol = PASSWORD_POLICY_DEFAULT;
    json_t *j = admin_user_json(&u, "运维部", &pol, now);
    char *s = json_dumps(j, JSON_COMPACT);
    CHECK(strstr(s, "SECRETHASH") == NULL);
    CHECK(strstr(s, "argon2") == NULL);
    CHECK(strstr(s, "SEALEDTOTP") == NULL);
    CHECK(strstr(s, "RECOVERYHASH") == NULL);
    CHECK(json_object_get(j, "pw_hash") == NULL);
    CHECK(json_object_get(j, "totp_sealed") == NULL);
    CHECK(json_is_true(json_object_get(j, "totp_enabled")));
    CHECK(json_is_true(json_object_get(j, "locked")));
    CHECK(json_is_string(json_object_get(j, "locked_until")));
    CHECK_STR(json_string_value(json_object_get(j, "org")), "运维部");
    CHECK_INT(json_integer_value(json_object_get(j, "org_id")), 2);
    CHECK(json_is_null(json_object_get(j, "last_login")));
    /* 90 days after the change, a day ago: 2024-02-11T22:13:20Z */
    CHECK_STR(json_string_value(json_object_get(j, "password_expires")),
              "2024-02-12T06:13:20+08:00");
    free(s);
    json_decref(j);

    /* A lock that ran out is no lock; no expiry when the policy has none. */
    u.locked_until = now - 1;
    pol.expiry_days = 0;
    j = admin_user_json(&u, NULL, &pol, now);
    CHECK(json_is_false(json_object_get(j, "locked")));
    CHECK(json_is_null(json_object_get(j, "locked_until")));
    CHECK(json_is_null(json_object_get(j, "password_expires")));
    CHECK(json_is_null(json_object_get(j, "org")));
    json_decref(j);
}

TEST(token_answer_has_no_hash)
{
    ms_t now = 1700000000000LL;
    struct token_row t = {.id = 4, .user_id = 3, .name = "ci", .roles = 1u << ROLE_VIEWER,
                          .created = now - 10, .expires = now + 10};
    snprintf(t.hash, sizeof t.hash, "%s", "deadbeefTOKENHASH");
    json_t *j = admin_token_json(&t, "li.lei", now);
    char *s = json_dumps(j, JSON_COMPACT);
    CHECK(strstr(s, "TOKENHASH") == NULL);
    CHECK(json_is_true(json_object_get(j, "active")));
    free(s);
    json_decref(j);
    t.expires = now; /* expired at now */
    j = admin_token_json(&t, NULL, now);
    CHECK(json_is_false(json_object_get(j, "active")));
    json_decref(j);
    t.expires = 0;
    t.revoked = true;
    j = admin_token_json(&t, NULL, now);
    CHECK(json_is_false(json_object_get(j, "active")));
    CHECK(json_is_null(json_object_get(j, "expires")));
    json_decref(j);
}

TEST(audit_answer_parses_images)
{
    struct audit_record r = {.seq = 2, .time = 1700000000000LL, .user = NULL, .source = "::1",
                             .action = "org.update", .object = "org:1",
                             .before = "{\"name\":\"甲方\"}", .after = "not json",
                             .result = "ok"};
    json_t *j = admin_audit_json(&r);
    CHECK(json_is_null(json_object_get(j, "user")));
    CHECK_STR(json_string_value(json_object_get(json_object_get(j, "before"), "name")), "甲方");
    CHECK_STR(json_string_value(json_object_get(j, "after")), "not json");
    CHECK_INT(json_integer_value(json_object_get(j, "seq")), 2);
    json_decref(j);
}

/* ---- the organisation tree -------------------------------------------------------- */

TEST(org_tree_nests_and_never_loses_a_unit)
{
    struct org_row rows[] = {
        {.id = 1, .parent_id = 0, .name = "数据局", .kind = ORG_CLIENT},
        {.id = 2, .parent_id = 1, .name = "信息处", .kind = ORG_CLIENT},
        {.id = 3, .parent_id = 2, .name = "值班室", .kind = ORG_CLIENT},
        {.id = 4, .parent_id = 99, .name = "orphan", .kind = ORG_BUSINESS},
        {.id = 5, .parent_id = 6, .name = "loop-a", .kind = ORG_CONTRACTOR},
        {.id = 6, .parent_id = 5, .name = "loop-b", .kind = ORG_CONTRACTOR},
        {.id = 7, .parent_id = 1, .name = "政务云", .kind = ORG_BUSINESS},
    };
    json_t *top = admin_org_tree_json(rows, sizeof rows / sizeof rows[0]);
    CHECK_INT(json_array_size(top), 4); /* 1, the orphan, both units of the loop */
    json_t *root = json_array_get(top, 0);
    CHECK_INT(json_integer_value(json_object_get(root, "id")), 1);
    CHECK(json_is_null(json_object_get(root, "parent_id")));
    json_t *kids = json_object_get(root, "children");
    CHECK_INT(json_array_size(kids), 2);
    json_t *two = json_array_get(kids, 0);
    CHECK_INT(json_integer_value(json_object_get(two, "parent_id")), 1);
    CHECK_INT(json_array_size(json_object_get(two, "children")), 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(two, "children"), 0),
                                                "name")),
              "值班室");
    CHECK_STR(json_string_value(json_object_get(json_array_get(kids, 1), "kind_zh")), "业务单位");
    char *s = json_dumps(top, JSON_COMPACT); /* finite: the loop was cut */
    CHECK(s != NULL);
    free(s);
    json_decref(top);
    top = admin_org_tree_json(NULL, 0);
    CHECK_INT(json_array_size(top), 0);
    json_decref(top);
}

TEST(org_kinds)
{
    enum org_kind k = ORG_CLIENT;
    CHECK_INT(admin_org_kind_parse("contractor", &k), 0);
    CHECK_INT(k, ORG_CONTRACTOR);
    CHECK_INT(admin_org_kind_parse("业务单位", &k), 0);
    CHECK_INT(k, ORG_BUSINESS);
    CHECK_INT(admin_org_kind_parse("vendor", &k), -1);
    CHECK_STR(admin_org_kind_name(ORG_CLIENT), "client");
    CHECK_STR(admin_org_kind_title_zh(ORG_CONTRACTOR), "乙方");
}

/* ---- small checks of bodies and names --------------------------------------------- */

TEST(user_names)
{
    CHECK(admin_user_name_valid("li.lei"));
    CHECK(admin_user_name_valid("a1"));
    CHECK(admin_user_name_valid("0ps_team-2"));
    CHECK(!admin_user_name_valid("a"));
    CHECK(!admin_user_name_valid("Li"));
    CHECK(!admin_user_name_valid(".li"));
    CHECK(!admin_user_name_valid("-li"));
    CHECK(!admin_user_name_valid("li lei"));
    CHECK(!admin_user_name_valid("李雷"));
    char n64[65], n65[66];
    memset(n64, 'a', 64);
    n64[64] = '\0';
    memset(n65, 'a', 65);
    n65[65] = '\0';
    CHECK(admin_user_name_valid(n64));
    CHECK(!admin_user_name_valid(n65));
}

TEST(labels_and_fields)
{
    CHECK(admin_label_valid("韩梅梅", 100));
    CHECK(!admin_label_valid("", 100));
    CHECK(!admin_label_valid("a\tb", 100));
    CHECK(!admin_label_valid("abc", 2));
    json_t *j = json_loads("{\"name\":\"x\\u0001\",\"d\":null,\"e\":\"\",\"n\":5,\"b\":1}", 0, NULL);
    struct yw_err err = YW_ERR_INIT;
    const char *s = "keep";
    CHECK_INT(admin_get_label(j, "name", 100, false, &s, &err), -1);
    CHECK_STR(err.field, "name");
    CHECK_STR(s, "keep");
    CHECK_INT(admin_get_label(j, "d", 100, true, &s, &err), 0);
    CHECK(s == NULL);
    CHECK_INT(admin_get_label(j, "e", 100, false, &s, &err), -1);
    CHECK_STR(err.field, "e");
    s = "keep";
    CHECK_INT(admin_get_label(j, "absent", 100, false, &s, &err), 0);
    CHECK_STR(s, "keep");
    int64_t v = 1;
    CHECK_INT(admin_get_int(j, "n", 1, 4, false, 0, &v, &err), -1);
    CHECK_STR(err.field, "n");
    CHECK_INT(v, 1);
    CHECK_INT(admin_get_int(j, "n", 1, 5, false, 0, &v, &err), 0);
    CHECK_INT(v, 5);
    CHECK_INT(admin_get_int(j, "d", 1, 5, true, 0, &v, &err), 0);
    CHECK_INT(v, 0);
    bool b = false;
    CHECK_INT(admin_get_bool(j, "b", &b, &err), -1);
    CHECK_STR(err.field, "b");
    static const char *const only[] = {"name", "d", "e", "n", NULL};
    CHECK_INT(admin_only_keys(j, only, &err), -1);
    CHECK_STR(err.field, "b");
    json_decref(j);
}

TEST(flags)
{
    struct yw_err err = YW_ERR_INIT;
    bool f = true;
    CHECK_INT(admin_flag(NULL, "tree", &f, &err), 0);
    CHECK(!f);
    CHECK_INT(admin_flag("1", "tree", &f, &err), 0);
    CHECK(f);
    CHECK_INT(admin_flag("false", "tree", &f, &err), 0);
    CHECK(!f);
    CHECK_INT(admin_flag("maybe", "tree", &f, &err), -1);
    CHECK_STR(err.field, "tree");
}

int main(void)
{
    RUN(csv_plain_cells_unquoted);
    RUN(csv_quotes_commas_quotes_and_line_ends);
    RUN(csv_neutralises_formulas);
    RUN(csv_audit_row_layout);
    RUN(csv_header_and_bom);
    RUN(csv_limit_fails_cleanly);
    RUN(roles_parse_lists);
    RUN(roles_parse_refusals_name_the_field);
    RUN(roles_json_in_role_order);
    RUN(generated_passwords_meet_the_policy);
    RUN(generated_passwords_follow_a_longer_minimum);
    RUN(generated_password_refuses_a_small_buffer);
    RUN(policy_partial_update);
    RUN(policy_round_trip);
    RUN(policy_refusals_name_the_field_and_change_nothing);
    RUN(user_answer_has_no_secret);
    RUN(token_answer_has_no_hash);
    RUN(audit_answer_parses_images);
    RUN(org_tree_nests_and_never_loses_a_unit);
    RUN(org_kinds);
    RUN(user_names);
    RUN(labels_and_fields);
    RUN(flags);
    return t_done();
}
