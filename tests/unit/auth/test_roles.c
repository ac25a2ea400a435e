/*
 * Roles: every cell of the matrix against a second, hand-written statement
 * of it (the table below, copied from the issue, not from roles.c), the
 * three-administrator rule over every possible role set, parsing and
 * formatting, and the README table.
 */
#include <stdlib.h>
#include <string.h>

#include "auth/roles.h"
#include "core/buf.h"
#include "t.h"

/* 'x' granted, '.' not; columns in this order: */
static const char *const role_cols[] = {"sysadmin", "secadmin", "auditadmin", "assessor",
                                        "manager",  "engineer", "viewer"};
#define NROLES 7

static const struct {
    const char *action;
    const char *cells; /* sys sec aud ass man eng vie */
} want[] = {
    {"ops.read",        "x x . x x x x"},
    {"monitor.write",   "x . . . . . ."},
    {"monitor.operate", "x . . . x x ."},
    {"maint.write",     "x . . . x . ."},
    {"org.read",        "x x x . x . ."},
    {"user.write",      "x . . . . . ."},
    {"role.grant",      ". x . . . . ."},
    {"policy.read",     ". x . . . . ."},
    {"policy.write",    ". x . . . . ."},
    {"token.manage",    ". x . . . . ."},
    {"audit.read",      ". . x . . . ."},
    {"self",            "x x x x x x x"},
    {"incident.read",   "x . . x x x x"},
    {"incident.write",  ". . . . x x ."},
    {"notify.read",     "x . . x x x ."},
    {"notify.write",    "x . . . x . ."},
    {"duty.write",      ". . . . x . ."},
    {"calendar.write",  "x . . . . . ."},
};
#define NWANT (sizeof want / sizeof want[0])

static bool cell(size_t row, int col)
{
    return want[row].cells[col * 2] == 'x';
}

static enum role role_of(int col)
{
    enum role r = ROLE__COUNT;
    if (role_parse(role_cols[col], &r) != 0)
        abort();
    return r;
}

TEST(matrix_every_cell)
{
    CHECK_INT(NWANT, ACT__COUNT);
    CHECK_INT(NROLES, ROLE__COUNT);
    for (size_t i = 0; i < NWANT; i++) {
        enum action a;
        CHECK_INT(action_parse(want[i].action, &a), 0);
        CHECK_STR(action_name(a), want[i].action);
        for (int c = 0; c < NROLES; c++) {
            bool got = role_allows(1u << role_of(c), a);
            if (got != cell(i, c))
                printf("#   %s for %s: got %d\n", want[i].action, role_cols[c], got);
            CHECK(got == cell(i, c));
        }
    }
}

TEST(matrix_unions_and_edges)
{
    for (int a = 0; a < ACT__COUNT; a++) {
        CHECK(!role_allows(0, (enum action)a));          /* deny by default */
        CHECK(!role_allows(1u << 20, (enum action)a));   /* unknown bits grant nothing */
        CHECK(!role_allows(0x80000000u, (enum action)a));
    }
    CHECK(!role_allows(0xffffffffu, ACT__COUNT));
    CHECK(!role_allows(0xffffffffu, (enum action)-1));
    /* a set is allowed what any member is */
    roleset se = (1u << ROLE_SYSADMIN) | (1u << ROLE_ENGINEER);
    CHECK(role_allows(se, ACT_MONITOR_WRITE));
    CHECK(!role_allows(se, ACT_AUDIT_READ));
    roleset ev = (1u << ROLE_ENGINEER) | (1u << ROLE_VIEWER);
    CHECK(!role_allows(ev, ACT_MAINT_WRITE));
    CHECK(role_allows(ev, ACT_MONITOR_OPERATE));
    roleset am = (1u << ROLE_AUDITADMIN) | (1u << ROLE_MANAGER);
    CHECK(role_allows(am, ACT_AUDIT_READ));
    CHECK(role_allows(am, ACT_MAINT_WRITE));
    CHECK(!role_allows(am, ACT_USER_WRITE));
    /* the audit administrator writes nothing operational */
    roleset aud = 1u << ROLE_AUDITADMIN;
    CHECK(!role_allows(aud, ACT_OPS_READ));
    CHECK(!role_allows(aud, ACT_MONITOR_WRITE));
    CHECK(!role_allows(aud, ACT_MONITOR_OPERATE));
    CHECK(!role_allows(aud, ACT_MAINT_WRITE));
    /* nobody but the audit administrator reads the trail */
    for (int r = 0; r < ROLE__COUNT; r++)
        CHECK(role_allows(1u << r, ACT_AUDIT_READ) == (r == ROLE_AUDITADMIN));
}

TEST(names_and_titles)
{
    for (int c = 0; c < NROLES; c++) {
        enum role r = role_of(c);
        CHECK_INT(r, c); /* columns are in enum order */
        CHECK_STR(role_name(r), role_cols[c]);
    }
    CHECK_STR(role_title_zh(ROLE_SYSADMIN), "系统管理员");
    CHECK_STR(role_title_zh(ROLE_SECADMIN), "安全管理员");
    CHECK_STR(role_title_zh(ROLE_AUDITADMIN), "审计管理员");
    CHECK_STR(role_title_zh(ROLE_ASSESSOR), "甲方考核人");
    CHECK_STR(role_title_zh(ROLE_MANAGER), "乙方项目经理");
    CHECK_STR(role_title_zh(ROLE_ENGINEER), "运维工程师");
    CHECK_STR(role_title_zh(ROLE_VIEWER), "只读");
    enum role r = ROLE_VIEWER;
    CHECK_INT(role_parse("审计管理员", &r), 0);
    CHECK_INT(r, ROLE_AUDITADMIN);
    r = ROLE_VIEWER;
    CHECK_INT(role_parse("root", &r), -1);
    CHECK_INT(role_parse("Sysadmin", &r), -1);
    CHECK_INT(role_parse("sysadmin ", &r), -1);
    CHECK_INT(role_parse("", &r), -1);
    CHECK_INT(role_parse(NULL, &r), -1);
    CHECK_INT(r, ROLE_VIEWER); /* unchanged on failure */
    CHECK_STR(role_name(ROLE__COUNT), "unknown");
    CHECK_STR(action_name(ACT__COUNT), "unknown");
    enum action a = ACT_SELF;
    CHECK_INT(action_parse("ops.write", &a), -1);
    CHECK_INT(a, ACT_SELF);
}

TEST(roleset_valid_rule)
{
    char why[256];
    /* Every set of the seven roles against the rule as the issue states it. */
    const roleset admins = (1u << ROLE_SYSADMIN) | (1u << ROLE_SECADMIN) | (1u << ROLE_AUDITADMIN);
    for (roleset rs = 0; rs < (1u << ROLE__COUNT); rs++) {
        int nadmin = 0;
        for (int r = 0; r < ROLE__COUNT; r++)
            nadmin += (rs & admins & (1u << r)) != 0;
        bool expect = rs != 0 && nadmin <= 1;
        why[0] = '\0';
        CHECK(roleset_valid(rs, why, sizeof why) == expect);
        CHECK(expect == (why[0] == '\0'));
        CHECK(roleset_has_admin(rs) == (nadmin > 0));
    }
    CHECK(!roleset_valid(0, why, sizeof why));
    CHECK(strstr(why, "at least one role") != NULL);
    CHECK(!roleset_valid((1u << ROLE_SYSADMIN) | (1u << ROLE_AUDITADMIN), why, sizeof why));
    CHECK(strstr(why, "三权分立") != NULL);
    CHECK(!roleset_valid((1u << ROLE_SECADMIN) | (1u << ROLE_AUDITADMIN), NULL, 0));
    CHECK(!roleset_valid((1u << ROLE_SYSADMIN) | (1u << ROLE_SECADMIN), NULL, 0));
    CHECK(!roleset_valid(admins, NULL, 0));
    CHECK(!roleset_valid((1u << ROLE_VIEWER) | (1u << 12), why, sizeof why)); /* unknown bit */
    CHECK(roleset_valid((1u << ROLE_SECADMIN) | (1u << ROLE_VIEWER), NULL, 0));
}

TEST(roleset_text)
{
    char s[128], why[128];
    roleset_format((1u << ROLE_ENGINEER) | (1u << ROLE_SYSADMIN), s, sizeof s);
    CHECK_STR(s, "sysadmin,engineer");
    roleset_format(0, s, sizeof s);
    CHECK_STR(s, "");
    roleset_format(1u << ROLE_VIEWER, s, 7);
    CHECK_STR(s, "viewer");
    roleset_format(1u << ROLE_VIEWER, s, 6); /* does not fit: nothing, not "viewe" */
    CHECK_STR(s, "");
    roleset_format((1u << ROLE_SYSADMIN) | (1u << ROLE_VIEWER), s, 12);
    CHECK_STR(s, "");

    roleset rs = 0;
    CHECK_INT(roleset_parse("engineer, sysadmin", &rs, why, sizeof why), 0);
    CHECK_INT(rs, (1u << ROLE_ENGINEER) | (1u << ROLE_SYSADMIN));
    CHECK_INT(roleset_parse(" viewer ,viewer", &rs, why, sizeof why), 0);
    CHECK_INT(rs, 1u << ROLE_VIEWER);
    CHECK_INT(roleset_parse("安全管理员,viewer", &rs, why, sizeof why), 0);
    CHECK_INT(rs, (1u << ROLE_SECADMIN) | (1u << ROLE_VIEWER));

    rs = 42;
    CHECK_INT(roleset_parse("viewer,root", &rs, why, sizeof why), -1);
    CHECK(strstr(why, "\"root\"") != NULL);
    CHECK_INT(rs, 42);
    CHECK_INT(roleset_parse("manager,,viewer", &rs, why, sizeof why), -1);
    CHECK_INT(roleset_parse("manager,", &rs, why, sizeof why), -1);
    CHECK_INT(roleset_parse("", &rs, why, sizeof why), -1);
    CHECK_INT(roleset_parse(" ", &rs, why, sizeof why), -1);
    CHECK_INT(roleset_parse(NULL, &rs, NULL, 0), -1);
    /* what came from outside is echoed only when it is harmless text */
    CHECK_INT(roleset_parse("viewer,\xff\xfe", &rs, why, sizeof why), -1);
    CHECK_STR(why, "未知角色 / unknown role");
    CHECK_INT(roleset_parse("a\x1b[2Jb", &rs, why, sizeof why), -1);
    CHECK_STR(why, "未知角色 / unknown role");
    CHECK_INT(roleset_parse("系統管理員", &rs, why, sizeof why), -1);
    CHECK_STR(why, "未知角色 / unknown role");
    /* a short buffer is cut between characters, never inside one */
    for (size_t n = 1; n <= 16; n++) {
        char small[16];
        const char *full = "未知角色 \"root\" / unknown role \"root\"";
        CHECK_INT(roleset_parse("root", &rs, small, n), -1);
        size_t len = strlen(small);
        CHECK(len < n && strncmp(small, full, len) == 0);
        CHECK(((unsigned char)full[len] & 0xc0) != 0x80);
    }
    char big[400];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK_INT(roleset_parse(big, &rs, why, sizeof why), -1);
    CHECK_INT(rs, 42);

    /* format and parse are inverse on every non-empty set */
    for (roleset r = 1; r < (1u << ROLE__COUNT); r++) {
        roleset back = 0;
        roleset_format(r, s, sizeof s);
        CHECK_INT(roleset_parse(s, &back, why, sizeof why), 0);
        CHECK_INT(back, r);
    }
}

/* Splits a Markdown table row into its cells (between the pipes), trimmed. */
static size_t cells_of(char *line, char *cells[], size_t max)
{
    size_t n = 0;
    char *p = strchr(line, '|');
    while (p && n < max) {
        char *q = strchr(p + 1, '|');
        if (!q)
            break;
        *q = '\0';
        char *a = p + 1;
        while (*a == ' ')
            a++;
        char *b = a + strlen(a);
        while (b > a && b[-1] == ' ')
            *--b = '\0';
        cells[n++] = a;
        p = q;
    }
    return n;
}

TEST(markdown_table)
{
    struct buf b = BUF_INIT(64 * 1024);
    roles_matrix_markdown(&b);
    char *text = buf_take(&b);
    char *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    char *cells[16];
    size_t lines = 0;

    CHECK(line != NULL);
    if (!line) {
        free(text);
        return;
    }
    CHECK_INT(cells_of(line, cells, 16), 2 + NROLES); /* header */
    for (int c = 0; c < NROLES; c++) {
        CHECK(strstr(cells[2 + c], role_cols[c]) != NULL);
        CHECK(strstr(cells[2 + c], role_title_zh((enum role)c)) != NULL);
    }
    line = strtok_r(NULL, "\n", &save); /* separator */
    CHECK(line && strncmp(line, "|---|---|", 9) == 0);
    while ((line = strtok_r(NULL, "\n", &save)) != NULL) {
        CHECK(lines < NWANT);
        if (lines >= NWANT)
            break;
        size_t n = cells_of(line, cells, 16);
        CHECK_INT(n, 2 + NROLES);
        char name[64];
        snprintf(name, sizeof name, "`%s`", want[lines].action);
        CHECK_STR(cells[0], name);
        CHECK(strstr(cells[1], "<br>") != NULL); /* Chinese<br>English */
        CHECK((unsigned char)cells[1][0] >= 0x80); /* starts with the Chinese */
        for (int c = 0; c < NROLES && (size_t)(2 + c) < n; c++)
            CHECK_STR(cells[2 + c], cell(lines, c) ? "✓" : "");
        lines++;
    }
    CHECK_INT(lines, NWANT);
    free(text);

    /* past the buffer's limit: left empty, never half a table */
    struct buf small = BUF_INIT(100);
    roles_matrix_markdown(&small);
    CHECK_INT(small.len, 0);
    buf_release(&small);
}

int main(void)
{
    RUN(matrix_every_cell);
    RUN(matrix_unions_and_edges);
    RUN(names_and_titles);
    RUN(roleset_valid_rule);
    RUN(roleset_text);
    RUN(markdown_table);
    return t_done();
}
