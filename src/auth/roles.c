/*
 * roles — the role x action matrix, the one place it lives.
 *
 * The matrix is a table of action bit masks per role rather than a switch,
 * so that role_allows is one AND and the README table and the tests read the
 * very same data. Everything not granted here is denied.
 */
#include "auth/roles.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"

#define A(act) (1u << (act))

struct role_info {
    const char *name;
    const char *title_zh;
    uint32_t grants; /* bit (1u << action) per action granted */
};

static const struct role_info roles[ROLE__COUNT] = {
    [ROLE_SYSADMIN] = {"sysadmin", "系统管理员",
                       A(ACT_OPS_READ) | A(ACT_MONITOR_WRITE) | A(ACT_MONITOR_OPERATE) |
                           A(ACT_MAINT_WRITE) | A(ACT_ORG_READ) | A(ACT_USER_WRITE) | A(ACT_SELF) |
                           A(ACT_INCIDENT_READ) | A(ACT_NOTIFY_READ) | A(ACT_NOTIFY_WRITE) |
                           A(ACT_CALENDAR_WRITE)},
    [ROLE_SECADMIN] = {"secadmin", "安全管理员",
                       A(ACT_OPS_READ) | A(ACT_ORG_READ) | A(ACT_ROLE_GRANT) | A(ACT_POLICY_READ) |
                           A(ACT_POLICY_WRITE) | A(ACT_TOKEN_MANAGE) | A(ACT_SELF)},
    /* The auditor watches the administrators, so it gets nothing that changes
     * the system and nothing beyond what it needs to read the trail. */
    [ROLE_AUDITADMIN] = {"auditadmin", "审计管理员",
                         A(ACT_AUDIT_READ) | A(ACT_ORG_READ) | A(ACT_SELF)},
    [ROLE_ASSESSOR] = {"assessor", "甲方考核人",
                       A(ACT_OPS_READ) | A(ACT_SELF) | A(ACT_INCIDENT_READ) | A(ACT_NOTIFY_READ)},
    [ROLE_MANAGER] = {"manager", "乙方项目经理",
                      A(ACT_OPS_READ) | A(ACT_MONITOR_OPERATE) | A(ACT_MAINT_WRITE) |
                          A(ACT_ORG_READ) | A(ACT_SELF) | A(ACT_INCIDENT_READ) |
                          A(ACT_INCIDENT_WRITE) | A(ACT_NOTIFY_READ) | A(ACT_NOTIFY_WRITE) |
                          A(ACT_DUTY_WRITE)},
    [ROLE_ENGINEER] = {"engineer", "运维工程师",
                       A(ACT_OPS_READ) | A(ACT_MONITOR_OPERATE) | A(ACT_SELF) |
                           A(ACT_INCIDENT_READ) | A(ACT_INCIDENT_WRITE) | A(ACT_NOTIFY_READ)},
    [ROLE_VIEWER] = {"viewer", "只读", A(ACT_OPS_READ) | A(ACT_SELF) | A(ACT_INCIDENT_READ)},
};

struct action_info {
    const char *name;
    const char *desc_zh;
    const char *desc_en;
};

static const struct action_info actions[ACT__COUNT] = {
    [ACT_OPS_READ] = {"ops.read", "查看系统、监控、结果、事件、可用率、维护窗口和指标",
                      "read systems, monitors, results, events, availability, windows, metrics"},
    [ACT_MONITOR_WRITE] = {"monitor.write", "新建、修改、删除系统和监控（监控目标）",
                           "create, update, delete systems and monitors (targets)"},
    [ACT_MONITOR_OPERATE] = {"monitor.operate", "暂停、恢复监控", "pause and resume monitors"},
    [ACT_MAINT_WRITE] = {"maint.write", "新建、修改、删除维护窗口",
                         "create, update, delete maintenance windows"},
    [ACT_ORG_READ] = {"org.read", "查看组织机构和用户列表", "read the organisation tree and users"},
    [ACT_USER_WRITE] = {"user.write", "新建、修改、停用账号和组织机构，重置密码",
                        "create, update, disable accounts and org units, reset passwords"},
    [ACT_ROLE_GRANT] = {"role.grant", "修改账号的角色", "change the roles of an account"},
    [ACT_POLICY_READ] = {"policy.read", "查看安全策略", "read the security policy"},
    [ACT_POLICY_WRITE] = {"policy.write", "修改安全策略", "change the security policy"},
    [ACT_TOKEN_MANAGE] = {"token.manage", "管理任意账号的 API 令牌",
                          "manage API tokens of any account"},
    [ACT_AUDIT_READ] = {"audit.read", "查看和导出审计日志", "read and export the audit log"},
    [ACT_SELF] = {"self", "本人的会话、密码、双因素认证和令牌",
                  "own sessions, password, second factor and tokens"},
    [ACT_INCIDENT_READ] = {"incident.read", "查看故障事件、SLA 时钟、故障报告和 SLA 指标",
                           "read incidents, their SLA clocks, fault reports and SLA figures"},
    [ACT_INCIDENT_WRITE] = {"incident.write", "登记故障事件、响应、到场、解决、关闭、备注",
                            "open incidents and take them through their life"},
    [ACT_NOTIFY_READ] = {"notify.read", "查看通知渠道（密钥隐藏）、通知规则和发送记录",
                         "read channels (secrets hidden), rules and the delivery log"},
    [ACT_NOTIFY_WRITE] = {"notify.write", "新建、修改、删除通知渠道和规则，发送测试消息",
                          "change channels and rules, send test messages"},
    [ACT_DUTY_WRITE] = {"duty.write", "编排值班表和联系方式", "edit the duty roster and contacts"},
    [ACT_CALENDAR_WRITE] = {"calendar.write", "为工作日历增加年份（节假日与调休）",
                            "add a year of holidays and make-up days to the calendar"},
};

/* Every role bit that means something; bits above are never granted. */
#define ROLESET_ALL ((1u << ROLE__COUNT) - 1u)

#define ROLESET_TEXT_MAX 256
#define ROLE_NAME_ECHO_MAX 40

/* Copies msg into why (n bytes), cut on a character boundary when it does
 * not fit: the reason ends up in JSON answers, which must be valid UTF-8. */
static void say(char *why, size_t n, const char *msg)
{
    if (!why || n == 0)
        return;
    size_t len = strlen(msg);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)msg[len] & 0xc0) == 0x80)
            len--; /* msg[len] is now the first byte of the character cut */
    }
    memcpy(why, msg, len);
    why[len] = '\0';
}

const char *role_name(enum role r)
{
    return (unsigned)r < ROLE__COUNT ? roles[r].name : "unknown";
}

const char *role_title_zh(enum role r)
{
    return (unsigned)r < ROLE__COUNT ? roles[r].title_zh : "未知角色";
}

static int role_lookup(const char *s, size_t len, enum role *out)
{
    for (int i = 0; i < ROLE__COUNT; i++) {
        const struct role_info *ri = &roles[i];
        if ((strlen(ri->name) == len && memcmp(s, ri->name, len) == 0) ||
            (strlen(ri->title_zh) == len && memcmp(s, ri->title_zh, len) == 0)) {
            *out = (enum role)i;
            return 0;
        }
    }
    return -1;
}

int role_parse(const char *s, enum role *out)
{
    if (!s)
        return -1;
    return role_lookup(s, strlen(s), out);
}

const char *action_name(enum action a)
{
    return (unsigned)a < ACT__COUNT ? actions[a].name : "unknown";
}

int action_parse(const char *s, enum action *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < ACT__COUNT; i++) {
        if (strcmp(s, actions[i].name) == 0) {
            *out = (enum action)i;
            return 0;
        }
    }
    return -1;
}

bool role_allows(roleset rs, enum action a)
{
    if ((unsigned)a >= ACT__COUNT)
        return false;
    for (int r = 0; r < ROLE__COUNT; r++) {
        if ((rs & (1u << r)) && (roles[r].grants & A(a)))
            return true;
    }
    return false;
}

bool roleset_has_admin(roleset rs)
{
    return (rs & ROLESET_ADMINS) != 0;
}

bool roleset_valid(roleset rs, char *why, size_t n)
{
    if (rs & ~ROLESET_ALL) {
        say(why, n, "未知的角色位 / unknown role bit");
        return false;
    }
    if (rs == 0) {
        say(why, n, "账号至少需要一个角色 / an account needs at least one role");
        return false;
    }
    roleset admins = rs & ROLESET_ADMINS;
    if (admins & (admins - 1u)) { /* more than one bit set */
        say(why, n,
            "系统管理员、安全管理员、审计管理员三权分立，一个账号只能担任其一 / "
            "an account may hold at most one of sysadmin, secadmin, auditadmin");
        return false;
    }
    return true;
}

void roleset_format(roleset rs, char *out, size_t n)
{
    if (!out || n == 0)
        return;
    size_t len = 0;
    out[0] = '\0';
    for (int r = 0; r < ROLE__COUNT; r++) {
        if (!(rs & (1u << r)))
            continue;
        size_t add = strlen(roles[r].name) + (len ? 1 : 0);
        if (len + add + 1 > n) {
            out[0] = '\0';
            return;
        }
        if (len)
            out[len++] = ',';
        memcpy(out + len, roles[r].name, strlen(roles[r].name) + 1);
        len = strlen(out);
    }
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int roleset_parse(const char *s, roleset *out, char *why, size_t n)
{
    if (!s) {
        say(why, n, "空的角色列表 / empty role list");
        return -1;
    }
    size_t total = strlen(s);
    if (total > ROLESET_TEXT_MAX) {
        say(why, n, "角色列表过长 / role list too long");
        return -1;
    }
    roleset rs = 0;
    const char *p = s;
    for (;;) {
        const char *end = strchr(p, ',');
        if (!end)
            end = s + total;
        const char *a = p, *b = end;
        while (a < b && is_blank(*a))
            a++;
        while (b > a && is_blank(b[-1]))
            b--;
        if (a == b) {
            say(why, n, "角色列表中有空项 / empty role name in list");
            return -1;
        }
        enum role r;
        if (role_lookup(a, (size_t)(b - a), &r) != 0) {
            /* The name is echoed only when it is short printable ASCII (as
             * role names are): bytes from outside that could be broken
             * UTF-8 or terminal escapes are not repeated into messages. */
            size_t len = (size_t)(b - a);
            bool echo = len <= ROLE_NAME_ECHO_MAX;
            for (size_t i = 0; echo && i < len; i++)
                echo = a[i] >= 0x20 && a[i] < 0x7f;
            char msg[2 * ROLE_NAME_ECHO_MAX + 64];
            if (echo)
                snprintf(msg, sizeof msg, "未知角色 \"%.*s\" / unknown role \"%.*s\"", (int)len, a,
                         (int)len, a);
            else
                snprintf(msg, sizeof msg, "%s", "未知角色 / unknown role");
            say(why, n, msg);
            return -1;
        }
        rs |= 1u << r;
        if (*end == '\0')
            break;
        p = end + 1;
    }
    *out = rs;
    return 0;
}

/* Built apart and appended in one piece, so that hitting out's limit leaves
 * out empty rather than holding the tail of a table. */
void roles_matrix_markdown(struct buf *out)
{
    struct buf t = BUF_INIT(64 * 1024);
    buf_adds(&t, "| 操作 Action | 说明 Description |");
    for (int r = 0; r < ROLE__COUNT; r++)
        buf_addf(&t, " %s<br>`%s` |", roles[r].title_zh, roles[r].name);
    buf_adds(&t, "\n|---|---|");
    for (int r = 0; r < ROLE__COUNT; r++)
        buf_adds(&t, ":-:|");
    buf_adds(&t, "\n");
    for (int a = 0; a < ACT__COUNT; a++) {
        buf_addf(&t, "| `%s` | %s<br>%s |", actions[a].name, actions[a].desc_zh,
                 actions[a].desc_en);
        for (int r = 0; r < ROLE__COUNT; r++)
            buf_adds(&t, (roles[r].grants & A(a)) ? " ✓ |" : "  |");
        buf_adds(&t, "\n");
    }
    buf_add(out, buf_str(&t), t.len);
    buf_release(&t);
}
