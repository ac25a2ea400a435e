/*
 * roles — who may do what. Deny by default: an action is allowed only when
 * one of the caller's roles is granted it in the matrix below (roles.c), the
 * one place the matrix lives. The README prints the same matrix, generated
 * by `yunwei roles --markdown`, and a test checks every route against it.
 *
 * Three separate administrators (三权分立): system (accounts, systems,
 * configuration), security (policy, role grants, secrets), audit (the only
 * one who reads and exports the audit log). No account holds two of them.
 */
#ifndef YW_AUTH_ROLES_H
#define YW_AUTH_ROLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum role {
    ROLE_SYSADMIN,   /* 系统管理员 */
    ROLE_SECADMIN,   /* 安全管理员 */
    ROLE_AUDITADMIN, /* 审计管理员 */
    ROLE_ASSESSOR,   /* 甲方考核人 */
    ROLE_MANAGER,    /* 乙方项目经理 */
    ROLE_ENGINEER,   /* 运维工程师 */
    ROLE_VIEWER,     /* 只读 */
    ROLE__COUNT
};

typedef uint32_t roleset; /* bit (1u << role) per role held */

#define ROLESET_ADMINS ((1u << ROLE_SYSADMIN) | (1u << ROLE_SECADMIN) | (1u << ROLE_AUDITADMIN))

enum action {
    ACT_OPS_READ,          /* systems, monitors, results, events, availability, windows, metrics */
    ACT_MONITOR_WRITE,     /* create/update/delete systems and monitors (targets) */
    ACT_MONITOR_OPERATE,   /* pause/resume a monitor */
    ACT_MAINT_WRITE,       /* create/update/delete maintenance windows */
    ACT_ORG_READ,          /* organisation tree and user list */
    ACT_USER_WRITE,        /* create/update/disable accounts and org units, reset passwords */
    ACT_ROLE_GRANT,        /* change the roles of an account */
    ACT_POLICY_READ,       /* the security policy */
    ACT_POLICY_WRITE,
    ACT_TOKEN_MANAGE,      /* API tokens of any account */
    ACT_AUDIT_READ,        /* read and export the audit log */
    ACT_SELF,              /* own session, password, second factor, own tokens */
    ACT_INCIDENT_READ,     /* incidents, their clocks and fault reports, SLA figures */
    ACT_INCIDENT_WRITE,    /* open, take through their life, annotate incidents */
    ACT_NOTIFY_READ,       /* channels (secrets masked), rules, the delivery log */
    ACT_NOTIFY_WRITE,      /* create/update/delete channels and rules, send tests */
    ACT_DUTY_WRITE,        /* the duty roster and contacts */
    ACT_CALENDAR_WRITE,    /* add a year to the working-day calendar */
    ACT__COUNT
};

const char *role_name(enum role r);        /* "sysadmin", "secadmin", "auditadmin", "assessor",
                                              "manager", "engineer", "viewer" */
const char *role_title_zh(enum role r);    /* 系统管理员 … */
/* Accepts the name ("sysadmin") or the Chinese title ("系统管理员"); -1 if
 * unknown, *out unchanged. */
int role_parse(const char *s, enum role *out);
const char *action_name(enum action a);    /* "ops.read" … */

/* Whether any role in rs is granted a. The empty set is granted nothing. */
bool role_allows(roleset rs, enum action a);
/* Whether rs is a valid set to hold: not empty, at most one administrator
 * role. On failure writes the reason to why. */
bool roleset_valid(roleset rs, char *why, size_t n);
bool roleset_has_admin(roleset rs);
/* "sysadmin,engineer" (enum order); out of n bytes. A list that does not fit
 * in n bytes is written as "" rather than cut in the middle of a name. */
void roleset_format(roleset rs, char *out, size_t n);
/* Parses a comma-separated list of names (role_parse; blanks around a name
 * are allowed, a duplicate is harmless); -1 with the offending name in why
 * (quoted only when it is short printable ASCII), *out unchanged. An empty
 * list, an empty item or more than 256 bytes is an error. */
int roleset_parse(const char *s, roleset *out, char *why, size_t n);

/* "ops.read" -> ACT_OPS_READ; -1 if unknown. */
int action_parse(const char *s, enum action *out);

struct buf;
/* Appends the role x action matrix as a Markdown table (rows: actions with a
 * Chinese and English description; columns: roles; "✓" where granted), the
 * text the README shows. Needs under 4 KiB of room in out; past out's limit
 * the buffer is left empty (core/buf.h). */
void roles_matrix_markdown(struct buf *out);

#endif
