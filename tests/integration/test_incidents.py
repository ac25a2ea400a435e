"""The incident desk end to end, against the real server: a local TCP target
goes down and an incident opens by itself (level from the system's tier,
notice at the outage), recovery marks it, engineers respond and resolve it
through the API with the clocks in every answer; a quick report by hand
with a notice in the past gets its fault report due date from the
working-day calendar (Qingming 2026); the refusals (bad level, a time in
the future, a transition the state does not allow, a viewer); the SLA
policy is the manager's; `yunwei sla --period` prints the figures."""

import json
import time
import unittest

from harness import (YunweiTestCase, config_text, monitor, parse_time, system, wait_until)

PASSWORD = "Desk-Passw0rd!x"


class Incidents(YunweiTestCase):

    def setUp(self):
        super().setUp()
        self.target = self.tcp_target()
        self.y = self.start_yunwei(config_text(
            [system("portal", tier="key", title="数据资源门户"),
             system("oa", tier="general")],
            [monitor("portal-db", "portal", "tcp", host="127.0.0.1", port=self.target.port,
                     retries=1)]))
        self.tok = {}
        for name, role in (("eng1", "engineer"), ("mgr1", "manager"), ("view1", "viewer")):
            self.add_user(self.y, name, role, PASSWORD)
            self.tok[role] = self.make_token(self.y, name)

    def api(self, method, path, body=None, expect=None, role="engineer"):
        return self.y.api(method, path, body, expect=expect, token=self.tok[role])

    def incidents(self, query=""):
        return self.api("GET", "incidents" + query, expect=200)["incidents"]

    def act(self, iid, expect=200, **body):
        return self.api("POST", "incidents/%d/transitions" % iid, body, expect=expect)

    def check_shape(self, inc):
        for k in ("id", "title", "level", "system", "system_id", "source", "reporter",
                  "assignee", "assignee_id", "state", "notice", "responded", "onsite_needed",
                  "onsite", "resolved", "closed", "vendor", "vendor_name", "pauses", "cause",
                  "fix", "prevention", "monitor", "monitor_id", "outage_start", "recovered",
                  "report", "clocks", "actions", "created", "updated"):
            self.assertIn(k, inc)
        for c in ("response", "onsite", "resolve"):
            for k in ("status", "target_ms", "elapsed_ms", "paused_ms", "remaining_ms",
                      "warn_at", "breach_at", "stopped"):
                self.assertIn(k, inc["clocks"][c])
        for k in ("due", "submitted", "on_time", "text"):
            self.assertIn(k, inc["report"])

    def test_outage_opens_an_incident_taken_through_its_life(self):
        y = self.y
        y.wait_state("portal-db", "up")
        self.target.close()
        m = y.wait_state("portal-db", "down")
        found = wait_until(lambda: self.incidents("?source=monitor"), 15,
                           msg="an incident opened by the outage")
        self.assertEqual(len(found), 1, found)
        inc = found[0]
        self.check_shape(inc)
        self.assertEqual(inc["level"], 2)               # key tier
        self.assertEqual(inc["system"], "portal")
        self.assertEqual(inc["monitor"], "portal-db")
        self.assertEqual(inc["source"], "monitor")
        self.assertEqual(inc["state"], "new")
        self.assertIn("数据资源门户", inc["title"])
        self.assertAlmostEqual(parse_time(inc["notice"]), parse_time(m["state_since"]),
                               delta=0.002)
        self.assertEqual(inc["outage_start"], inc["notice"])
        self.assertEqual(inc["clocks"]["response"]["status"], "running")
        self.assertEqual(inc["clocks"]["response"]["target_ms"], 30 * 60 * 1000)
        self.assertEqual(inc["clocks"]["onsite"]["status"], "off")
        self.assertIn("respond", inc["actions"])
        self.assertNotIn("resolve", inc["actions"])
        iid = inc["id"]

        # recovery marks it; it stays open until an engineer resolves it
        self.target.open()
        y.wait_state("portal-db", "up")
        inc = wait_until(lambda: [i for i in self.incidents() if i["id"] == iid
                                  and i["recovered"]], 15, msg="marked recovered")[0]
        self.assertEqual(inc["state"], "new")
        self.assertEqual(len(self.incidents("?source=monitor")), 1)

        # respond: the response clock stops
        inc = self.act(iid, action="respond", note="已电话联系业务方")
        self.assertEqual(inc["state"], "responded")
        self.assertEqual(inc["clocks"]["response"]["status"], "met")
        self.assertEqual(inc["clocks"]["response"]["stopped"], inc["responded"])
        # a transition the state does not allow: 409 with a clear message
        r = self.api("POST", "incidents/%d/transitions" % iid, {"action": "respond"})
        self.assertApiError(r, 409, "conflict", "action")
        self.assertIn("responded", r.json["error"]["message"])
        r = self.api("POST", "incidents/%d/transitions" % iid, {"action": "close"})
        self.assertApiError(r, 409, "conflict", "action")
        # resolve needs the cause
        r = self.api("POST", "incidents/%d/transitions" % iid, {"action": "resolve"})
        self.assertApiError(r, 400, "invalid", "cause")
        inc = self.act(iid, action="resolve", cause="数据库连接数耗尽", fix="重启连接池",
                       prevention="连接数告警")
        self.assertEqual(inc["state"], "resolved")
        self.assertEqual(inc["cause"], "数据库连接数耗尽")
        self.assertEqual(inc["clocks"]["resolve"]["status"], "met")
        self.assertIsNotNone(inc["report"]["due"])
        self.assertGreater(parse_time(inc["report"]["due"]), parse_time(inc["resolved"]))
        self.assertIsNone(inc["report"]["on_time"])
        self.assertIn("close", inc["actions"])
        self.assertIn("reopen", inc["actions"])
        self.assertIn("report", inc["actions"])

        # notes and the timeline
        self.api("POST", "incidents/%d/notes" % iid, {"text": "已通知厂商复查"}, expect=200)
        full = self.api("GET", "incidents/%d" % iid, expect=200)
        kinds = [e["kind"] for e in full["timeline"]]
        for k in ("opened", "recovered", "responded", "resolved", "note"):
            self.assertIn(k, kinds)
        self.assertEqual(kinds[0], "opened")
        resp = [e for e in full["timeline"] if e["kind"] == "responded"][0]
        self.assertEqual(resp["by"], "eng1")
        self.assertEqual(resp["text"], "已电话联系业务方")

        # close without the report: allowed, the report stays due
        inc = self.act(iid, action="close")
        self.assertEqual(inc["state"], "closed")
        self.assertIsNotNone(inc["report"]["due"])
        inc = self.api("PUT", "incidents/%d/report" % iid, {"text": "故障报告：……"}, expect=200)
        self.assertIsNotNone(inc["report"]["submitted"])
        self.assertTrue(inc["report"]["on_time"])
        # the audit trail has every change, by who, with before and after
        audit = y.cli("audit", "export", "--action", "incident.")
        self.assertEqual(audit.returncode, 0, audit.stderr)
        for action in ("incident.respond", "incident.resolve", "incident.note",
                       "incident.close", "incident.report"):
            self.assertIn(action, audit.stdout)
        self.assertIn("eng1", audit.stdout)

    def test_quick_report_and_report_due_date(self):
        body = {"title": "电话：OA 无法登录", "level": 2, "source": "phone", "system": "oa",
                "reporter": "办公室 李四", "notice": "2026-04-02T10:00:00+08:00"}
        inc = self.api("POST", "incidents", body, expect=201)
        self.check_shape(inc)
        iid = inc["id"]
        self.assertEqual(inc["notice"], "2026-04-02T10:00:00+08:00")
        self.assertEqual(inc["state"], "new")
        self.assertEqual(inc["source"], "phone")
        self.assertEqual(inc["system"], "oa")
        self.assertEqual([e["kind"] for e in inc["timeline"]], ["opened"])
        # quick report from a phone: title, level and source are enough
        q = self.api("POST", "incidents", {"title": "门户慢", "level": 4, "source": "wechat"},
                     expect=201)
        self.assertIsNone(q["system"])

        # a phone response logged afterwards, then the resolution
        inc = self.act(iid, action="respond", at="2026-04-02T10:10:00+08:00")
        self.assertEqual(inc["responded"], "2026-04-02T10:10:00+08:00")
        rc = inc["clocks"]["response"]
        self.assertEqual(rc["status"], "met")
        self.assertEqual(rc["elapsed_ms"], 10 * 60 * 1000)
        self.assertEqual(rc["remaining_ms"], 20 * 60 * 1000)
        self.assertEqual(rc["warn_at"], None)
        # not before the previous step
        r = self.api("POST", "incidents/%d/transitions" % iid,
                     {"action": "resolve", "cause": "x", "at": "2026-04-02T10:05:00+08:00"})
        self.assertApiError(r, 400, "invalid", "at")
        # not in the future
        r = self.api("POST", "incidents/%d/transitions" % iid,
                     {"action": "resolve", "cause": "x", "at": "2099-01-01T00:00:00+08:00"})
        self.assertApiError(r, 400, "invalid", "at")
        inc = self.act(iid, action="resolve", cause="域控服务器时间漂移",
                       at="2026-04-03T12:00:00+08:00")
        self.assertEqual(inc["resolved"], "2026-04-03T12:00:00+08:00")
        # within 3 working days after Friday 3 April: 4-6 April are the
        # Qingming holiday, so the 7th, 8th and 9th; due by the end of the
        # 9th (cal_deadline: the start of the day after the last one)
        self.assertEqual(inc["report"]["due"], "2026-04-10T00:00:00+08:00")
        self.assertFalse(inc["report"]["on_time"])      # already past
        rs = inc["clocks"]["resolve"]
        self.assertEqual(rs["status"], "missed")         # 26 h > 8 h
        self.assertEqual(rs["breach_at"], "2026-04-02T18:00:00+08:00")
        inc = self.api("PUT", "incidents/%d/report" % iid, {"text": "报告"}, expect=200)
        self.assertFalse(inc["report"]["on_time"])
        # reopen clears the due date
        inc = self.act(iid, action="reopen", note="复发")
        self.assertEqual(inc["state"], "responded")
        self.assertIsNone(inc["report"]["due"])
        self.assertEqual(len(inc["pauses"]), 0)

        # vendor waits are shown and excluded
        inc = self.act(iid, action="vendor_wait", vendor="某数据库厂商")
        self.assertTrue(inc["vendor"])
        self.assertEqual(inc["pauses"][0]["vendor"], "某数据库厂商")
        self.assertIsNone(inc["pauses"][0]["end"])
        self.assertIn("vendor_back", inc["actions"])
        inc = self.act(iid, action="vendor_back")
        self.assertIsNotNone(inc["pauses"][0]["end"])

        # refusals
        r = self.api("POST", "incidents", dict(body, level=5))
        self.assertApiError(r, 400, "invalid", "level")
        r = self.api("POST", "incidents", dict(body, notice="2099-01-01T00:00:00+08:00"))
        self.assertApiError(r, 400, "invalid", "notice")
        r = self.api("POST", "incidents", dict(body, source="pigeon"))
        self.assertApiError(r, 400, "invalid", "source")
        r = self.api("POST", "incidents", dict(body, colour="red"))
        self.assertApiError(r, 400, "invalid", "colour")
        r = self.api("POST", "incidents", dict(body, system="nosuch"))
        self.assertApiError(r, 400, "invalid", "system")
        r = self.api("POST", "incidents/%d/transitions" % iid, {"action": "dance"})
        self.assertApiError(r, 400, "invalid", "action")
        r = self.api("POST", "incidents", body, role="viewer")
        self.assertApiError(r, 403, "forbidden")
        r = self.api("POST", "incidents/%d/transitions" % iid, {"action": "note", "text": "x"},
                     role="viewer")
        self.assertApiError(r, 403, "forbidden")
        r = self.api("GET", "incidents/999999")
        self.assertEqual(r.status, 404, r)
        # the viewer reads
        self.api("GET", "incidents/%d" % iid, expect=200, role="viewer")

        # filters
        ids = [i["id"] for i in self.incidents("?state=open")]
        self.assertIn(iid, ids)
        self.assertEqual([i["id"] for i in self.incidents("?level=4")], [q["id"]])
        self.assertEqual([i["id"] for i in self.incidents("?source=wechat")], [q["id"]])
        # 域控 is in the cause only
        self.assertEqual([i["id"] for i in self.incidents("?q=%E5%9F%9F%E6%8E%A7")], [iid])
        page = self.api("GET", "incidents?limit=1", expect=200)
        self.assertEqual(len(page["incidents"]), 1)
        self.assertEqual(page["next"], page["incidents"][0]["id"])
        rest = self.api("GET", "incidents?limit=1&before=%d" % page["next"], expect=200)
        self.assertEqual(len(rest["incidents"]), 1)
        self.assertIsNone(rest["next"])
        r = self.api("GET", "incidents?state=bogus")
        self.assertApiError(r, 400, "invalid", "state")
        r = self.api("GET", "incidents?limit=501")
        self.assertApiError(r, 400, "invalid", "limit")

        # the period figures, over the API and the CLI
        fig = self.api("GET", "sla?period=2026-04", expect=200, role="viewer")
        self.assertEqual(fig["period"], "2026-04")
        self.assertEqual(fig["total"], 1)
        r = self.api("GET", "sla?period=2026-13")
        self.assertApiError(r, 400, "invalid", "period")
        p = self.y.cli("sla", "--period", "2026-04")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("故障总数 (incidents): 1", p.stdout)
        p = self.y.cli("sla", "--period", "2026-Q2", "--system", "oa", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(json.loads(p.stdout)["total"], 1)
        p = self.y.cli("sla", "--from", "2026-04-01", "--to", "2026-05-01")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.y.cli("sla", "--period", "2026-13")
        self.assertEqual(p.returncode, 2)
        self.assertIn("period", p.stderr)
        p = self.y.cli("sla", "--period", "2026-04", "--system", "nosuch")
        self.assertEqual(p.returncode, 2)

    def test_policy_and_levels_are_the_managers(self):
        pol = self.api("GET", "sla/policy", expect=200, role="viewer")
        self.assertEqual(pol["warn_pct"], 75)
        new = {"warn_pct": 80, "levels": {"1": {"response": "15m"}}}
        r = self.api("PUT", "sla/policy", new)
        self.assertApiError(r, 403, "forbidden")
        pol = self.api("PUT", "sla/policy", new, expect=200, role="manager")
        self.assertEqual(pol["warn_pct"], 80)
        r = self.api("PUT", "sla/policy", {"warn_pct": 100}, role="manager")
        self.assertApiError(r, 400, "invalid", "warn_pct")
        inc = self.api("POST", "incidents", {"title": "核心系统中断", "level": 1,
                                             "source": "inspection"}, expect=201)
        self.assertEqual(inc["clocks"]["response"]["target_ms"], 15 * 60 * 1000)

        lv = self.api("GET", "incidents/levels", expect=200, role="viewer")
        self.assertEqual(lv["tiers"], {"key": 2, "general": 3})
        self.assertEqual(lv["levels"]["1"]["definition"], "核心系统全面中断")
        rules = {"rules": [{"system": "portal", "monitor_type": "tcp", "level": 1}]}
        r = self.api("PUT", "incidents/levels", rules)
        self.assertApiError(r, 403, "forbidden")
        lv = self.api("PUT", "incidents/levels", rules, expect=200, role="manager")
        self.assertEqual(lv["rules"][0]["level"], 1)
        # the rule applies to the next outage
        self.y.wait_state("portal-db", "up")
        self.target.close()
        found = wait_until(lambda: self.incidents("?source=monitor"), 15,
                           msg="an incident opened by the outage")
        self.assertEqual(found[0]["level"], 1)


if __name__ == "__main__":
    unittest.main()
