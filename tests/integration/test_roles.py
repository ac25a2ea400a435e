"""The role x action matrix over HTTP, against the real server: one account
per role (the system administrator makes accounts without roles, the
security administrator grants them; the administrators are made from the
shell), one API token each, and a table of (method, path) -> allowed or not,
written by hand from issue 3 — not read from src/auth/roles.c — checked for
every role: allowed is 2xx, refused is 403 "forbidden" and changes nothing.
Also: no account holds two of the three administrator roles."""

import time
import unittest

from harness import ADMIN_USER, YunweiTestCase, rfc3339

ROLES = ("sysadmin", "secadmin", "auditadmin", "assessor", "manager", "engineer", "viewer")
ADMINS = ("sysadmin", "secadmin", "auditadmin")

# What each role may do (issue 3, "Who can do what"): the system
# administrator runs accounts, systems and configuration; the security
# administrator the policy, role grants and tokens; the audit administrator
# only reads the trail (and who is who); the assessor and the viewer read;
# the engineer also operates monitors; the manager also plans maintenance
# and sees the organisation. "self" (own session, tokens) is everyone's.
# Issue 5 adds the incident desk: engineers and the manager work incidents,
# everyone but the security and audit administrators reads them; channels
# and rules are the manager's and the system administrator's, the roster
# and the SLA policy the manager's, the calendar the system administrator's.
GRANTS = {
    "sysadmin": {"ops.read", "monitor.write", "monitor.operate", "maint.write", "org.read",
                 "user.write", "incident.read", "notify.read", "notify.write",
                 "calendar.write"},
    "secadmin": {"ops.read", "org.read", "role.grant", "policy.read", "policy.write",
                 "token.manage"},
    "auditadmin": {"audit.read", "org.read"},
    "assessor": {"ops.read", "incident.read", "notify.read"},
    "manager": {"ops.read", "monitor.operate", "maint.write", "org.read", "incident.read",
                "incident.write", "notify.read", "notify.write", "duty.write"},
    "engineer": {"ops.read", "monitor.operate", "incident.read", "incident.write",
                 "notify.read"},
    "viewer": {"ops.read", "incident.read"},
}


def table(r, ids, now):
    """(method, path, body, action) for role r; ids: per-role objects."""
    hb = {"system": "base", "type": "heartbeat", "interval": "1h"}
    win = {"systems": ["base"], "recurrence": "once", "start": rfc3339(now + 86400),
           "end": rfc3339(now + 90000)}
    o_put, o_del = ids["o-put-" + r], ids["o-del-" + r]
    return [
        ("GET", "/metrics", None, "ops.read"),
        ("GET", "systems", None, "ops.read"),
        ("POST", "systems", {"name": "s-new-" + r, "tier": "key"}, "monitor.write"),
        ("GET", "systems/base", None, "ops.read"),
        ("PUT", "systems/s-put-" + r, {"name": "s-put-" + r, "tier": "general"},
         "monitor.write"),
        ("DELETE", "systems/s-del-" + r, None, "monitor.write"),
        ("GET", "systems/base/availability", None, "ops.read"),
        ("GET", "monitors", None, "ops.read"),
        ("POST", "monitors", dict(hb, name="m-new-" + r), "monitor.write"),
        ("GET", "monitors/m-op-" + r, None, "ops.read"),
        ("PUT", "monitors/m-put-" + r, dict(hb, name="m-put-" + r, interval="2h"),
         "monitor.write"),
        ("DELETE", "monitors/m-del-" + r, None, "monitor.write"),
        ("POST", "monitors/m-op-%s/pause" % r, None, "monitor.operate"),
        ("POST", "monitors/m-op-%s/resume" % r, None, "monitor.operate"),
        ("GET", "monitors/m-op-%s/results?limit=5" % r, None, "ops.read"),
        ("GET", "monitors/m-op-%s/events" % r, None, "ops.read"),
        ("GET", "monitors/m-op-%s/availability" % r, None, "ops.read"),
        ("GET", "events?limit=5", None, "ops.read"),
        ("GET", "maintenance", None, "ops.read"),
        ("POST", "maintenance", dict(win, name="w-new-" + r), "maint.write"),
        ("GET", "maintenance/%d" % ids["w-put-" + r], None, "ops.read"),
        ("PUT", "maintenance/%d" % ids["w-put-" + r], dict(win, name="w-put-" + r,
                                                           recurrence="once"), "maint.write"),
        ("DELETE", "maintenance/%d" % ids["w-del-" + r], None, "maint.write"),
        ("GET", "session", None, "self"),
        ("GET", "sessions", None, "self"),
        ("GET", "tokens", None, "self"),
        ("POST", "tokens", {"name": "own " + r, "expires_days": 1}, "self"),
        ("GET", "tokens?all=1", None, "token.manage"),
        ("GET", "orgs", None, "org.read"),
        ("GET", "orgs?tree=1", None, "org.read"),
        ("POST", "orgs", {"name": "o-new-" + r, "kind": "contractor"}, "user.write"),
        ("GET", "orgs/%d" % o_put, None, "org.read"),
        ("PUT", "orgs/%d" % o_put, {"name": "o-put-%s-renamed" % r}, "user.write"),
        ("DELETE", "orgs/%d" % o_del, None, "user.write"),
        ("GET", "users", None, "org.read"),
        ("POST", "users", {"name": "u-new-" + r}, "user.write"),
        ("GET", "users/u-" + r, None, "org.read"),
        ("PUT", "users/u-" + r, {"display_name": "账号 " + r}, "user.write"),
        ("POST", "users/u-%s/reset-password" % r, None, "user.write"),
        ("POST", "users/u-%s/unlock" % r, None, "user.write"),
        ("PUT", "users/u-%s/roles" % r, {"roles": ["viewer"]}, "role.grant"),
        ("GET", "policy", None, "policy.read"),
        ("PUT", "policy", {"lock_minutes": 30}, "policy.write"),
        ("GET", "audit?limit=5", None, "audit.read"),
        ("GET", "audit.csv", None, "audit.read"),
        ("GET", "audit/verify", None, "audit.read"),
        ("GET", "incidents", None, "incident.read"),
        ("POST", "incidents", {"title": "电话报障 " + r, "level": 3, "source": "phone"},
         "incident.write"),
        ("GET", "incidents/%d" % ids["i-" + r], None, "incident.read"),
        ("POST", "incidents/%d/notes" % ids["i-" + r], {"text": "备注"}, "incident.write"),
        ("POST", "incidents/%d/transitions" % ids["i-" + r], {"action": "respond"},
         "incident.write"),
        ("GET", "sla?period=2026-11", None, "incident.read"),
        ("GET", "sla/policy", None, "incident.read"),
        ("PUT", "sla/policy", {"warn_pct": 80}, "duty.write"),
        ("GET", "channels", None, "notify.read"),
        ("POST", "channels", {"name": "c-new-" + r, "type": "webhook",
                              "url": "http://127.0.0.1:9/hook"}, "notify.write"),
        ("GET", "rules", None, "notify.read"),
        ("GET", "deliveries", None, "notify.read"),
        ("GET", "duty/now", None, "ops.read"),
        ("POST", "duty/shifts", {"user": "u-" + r, "position": "backup",
                                 "start": rfc3339(now + 86400 * 40),
                                 "end": rfc3339(now + 86400 * 41)}, "duty.write"),
        ("GET", "calendar?year=2026", None, "ops.read"),
        ("GET", "calendar/add?date=2026-04-03&days=1", None, "ops.read"),
        ("PUT", "calendar/years/2030", "2030-01-01 off 元旦\n", "calendar.write"),
    ]


class RoleMatrix(YunweiTestCase):

    def prepare(self):
        y = self.y = self.start_yunwei()
        # The security administrator who grants roles below.
        self.add_user(y, "itest-sec", "secadmin", "Staff-Secadmin-Pw-9")
        self.sec = self.make_token(y, "itest-sec")
        # A project manager who opens the incidents the roles then work on.
        self.add_user(y, "itest-mgr", "manager", "Staff-Manager-Pw-9")
        self.mgr = self.make_token(y, "itest-mgr")
        now = time.time()
        y.api("POST", "systems", {"name": "base", "tier": "key"}, expect=201)
        ids = {}
        for r in ROLES:
            for s in ("s-put-", "s-del-"):
                y.api("POST", "systems", {"name": s + r, "tier": "key"}, expect=201)
            for m in ("m-put-", "m-del-", "m-op-"):
                y.api("POST", "monitors", {"name": m + r, "system": "base", "type": "heartbeat",
                                           "interval": "1h"}, expect=201)
            for w in ("w-put-", "w-del-"):
                ids[w + r] = y.api("POST", "maintenance", {
                    "name": w + r, "systems": ["base"], "recurrence": "once",
                    "start": rfc3339(now + 86400), "end": rfc3339(now + 90000)},
                    expect=201)["id"]
            for o in ("o-put-", "o-del-"):
                ids[o + r] = y.api("POST", "orgs", {"name": o + r, "kind": "client"},
                                   expect=201)["id"]
            u = y.api("POST", "users", {"name": "u-" + r}, expect=201)
            self.assertEqual(u["roles"], [])
            ids["i-" + r] = y.api("POST", "incidents", {
                "title": "待处理 " + r, "level": 2, "source": "monitor"},
                token=self.mgr, expect=201)["id"]
        return ids, now

    def make_role_accounts(self):
        """One account and token per role: administrators from the shell,
        the others made by the system administrator and granted their role
        by the security administrator (三权分立)."""
        y = self.y
        tokens = {}
        for r in ROLES:
            name = "r-" + r
            if r in ADMINS:
                self.add_user(y, name, r, "Role-%s-Passw0rd" % r.capitalize())
            else:
                made = y.api("POST", "users", {"name": name, "display_name": r}, expect=201)
                self.assertEqual(made["roles"], [], "an account is born without roles")
                self.assertTrue(made["must_change_password"])
                self.assertGreaterEqual(len(made["one_time_password"]), 16)
                # Without a role it is good for nothing, not even a token.
                p = y.cli("token", "create", "--user", name)
                self.assertNotEqual(p.returncode, 0, "token of an account without roles")
                # The system administrator cannot make it powerful...
                r403 = y.api("PUT", "users/%s/roles" % name, {"roles": [r]})
                self.assertEqual(r403.status, 403, r403)
                # ...the security administrator grants.
                g = y.api("PUT", "users/%s/roles" % name, {"roles": [r]}, token=self.sec)
                self.assertEqual(g.status, 200, g)
                self.assertEqual(g.json["roles"], [r])
            tokens[r] = self.make_token(y, name)
        return tokens

    def test_every_role_against_the_table(self):
        ids, now = self.prepare()
        tokens = self.make_role_accounts()
        y = self.y
        wrong = []
        ran = 0
        for i, r in enumerate(ROLES):
            src = "127.0.0.%d" % (100 + i)  # its own address for the rate-limited routes
            for method, path, body, action in table(r, ids, now):
                allowed = action == "self" or action in GRANTS[r]
                resp = y.api(method, path, body, token=tokens[r], source=src)
                ran += 1
                ok = (200 <= resp.status < 300) if allowed else (
                    resp.status == 403 and resp.error_code == "forbidden")
                if not ok:
                    wrong.append("%-10s %-6s %-40s %-15s want %s, got %d %s"
                                 % (r, method, path, action, "2xx" if allowed else "403",
                                    resp.status, resp.text[:160]))
        self.assertEqual(ran, len(ROLES) * len(table("viewer", ids, now)))
        if wrong:
            self.fail("%d of %d (role, route) pairs differ from the matrix:\n%s"
                      % (len(wrong), ran, "\n".join(wrong)))
        # Refused changes changed nothing; allowed ones took effect.
        for r in ROLES:
            with self.subTest(role=r):
                g = GRANTS[r]
                self.assertEqual(y.api("GET", "systems/s-del-" + r).status,
                                 404 if "monitor.write" in g else 200)
                self.assertEqual(y.api("GET", "systems/s-new-" + r).status,
                                 200 if "monitor.write" in g else 404)
                self.assertEqual(y.monitor("m-put-" + r)["interval"],
                                 "2h" if "monitor.write" in g else "1h")
                self.assertEqual(y.api("GET", "maintenance/%d" % ids["w-del-" + r]).status,
                                 404 if "maint.write" in g else 200)
                self.assertEqual(y.api("GET", "orgs/%d" % ids["o-del-" + r]).status,
                                 404 if "user.write" in g else 200)
                u = y.get("users/u-" + r)
                self.assertEqual(u["roles"], ["viewer"] if "role.grant" in g else [])
                self.assertEqual(u["display_name"], "账号 " + r if "user.write" in g else None)

    def test_no_account_holds_two_administrator_roles(self):
        y = self.y = self.start_yunwei()
        self.add_user(y, "itest-sec", "secadmin", "Staff-Secadmin-Pw-9")
        sec = self.make_token(y, "itest-sec")
        y.api("POST", "users", {"name": "zhang.san"}, expect=201)
        for roles in (["sysadmin", "auditadmin"], ["sysadmin", "secadmin"],
                      ["secadmin", "auditadmin"], ["sysadmin", "secadmin", "auditadmin"],
                      ["auditadmin", "viewer", "secadmin"], ["系统管理员", "审计管理员"]):
            with self.subTest(roles=roles):
                r = y.api("PUT", "users/zhang.san/roles", {"roles": roles}, token=sec)
                self.assertApiError(r, 400, "invalid", "roles")
        for roles in ([], ["no-such-role"]):
            with self.subTest(roles=roles):
                r = y.api("PUT", "users/zhang.san/roles", {"roles": roles}, token=sec)
                self.assertApiError(r, 400, "invalid", "roles")
        self.assertEqual(y.get("users/zhang.san")["roles"], [], "refusals changed nothing")
        # One administrator role with others is allowed; Chinese titles too.
        r = y.api("PUT", "users/zhang.san/roles", {"roles": ["审计管理员", "viewer"]}, token=sec)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(r.json["roles"]), ["auditadmin", "viewer"])
        # Roles are not given at creation, and not changed by oneself.
        self.assertApiError(y.api("POST", "users", {"name": "li.si", "roles": ["viewer"]}),
                            400, "invalid", "roles")
        self.assertEqual(y.api("GET", "users/li.si").status, 404)
        r = y.api("PUT", "users/itest-sec/roles", {"roles": ["secadmin", "viewer"]}, token=sec)
        self.assertEqual(r.status, 403, r)
        # From the shell: refused, nothing made.
        for roles in ("sysadmin,secadmin", "secadmin,auditadmin", "sysadmin,auditadmin,viewer"):
            with self.subTest(cli=roles):
                p = self.add_user(y, "two.hats", roles, "Two-Hats-Passw0rd", check=False)
                self.assertNotEqual(p.returncode, 0, p.stdout)
                self.assertEqual(p.stdout, "")
                self.assertTrue(p.stderr.strip())
        self.assertEqual(y.api("GET", "users/two.hats").status, 404)
        names = [u["name"] for u in y.get("users")["items"]]
        self.assertEqual(sorted(names), sorted([ADMIN_USER, "itest-sec", "zhang.san"]))


if __name__ == "__main__":
    unittest.main()
