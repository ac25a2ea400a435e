"""The incident desk end to end, as the issue asks: a local target goes down,
an incident opens by itself, the webhook receiver this test runs gets the
message and so does a DingTalk-style robot whose signed URL verifies here;
a channel whose receiver is down fails, is retried and logged while the
probes go on at their pace; the engineer's response stops the response
clock; the resolution sets the fault report's due date 3 working days on
the calendar (computed here independently from data/cn-holidays.txt)."""

import base64
import datetime
import hashlib
import hmac
import json
import os
import time
import urllib.parse

from harness import (YunweiTestCase, closed_port, config_text, monitor, parse_time, system,
                     wait_until)
from test_notify import Receiver

TOKEN, SECRET = "ding-e2e-token", "SECding-e2e-secret"
PW = "Desk-E2e-Passw0rd!"
HOLIDAYS = os.path.join(os.path.dirname(__file__), "..", "..", "data", "cn-holidays.txt")
CST = datetime.timezone(datetime.timedelta(hours=8))


def working_days():
    """{date: True|False} of the dates the shipped file lists."""
    listed = {}
    with open(HOLIDAYS, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            date, kind = line.split()[:2]
            listed[datetime.date.fromisoformat(date)] = kind == "work"
    return listed


def report_due(resolved_s):
    """The end of the 3rd working day after the resolution's date (+08:00)."""
    listed = working_days()
    d = datetime.datetime.fromtimestamp(resolved_s, CST).date()
    n = 0
    while n < 3:
        d += datetime.timedelta(days=1)
        if listed.get(d, d.weekday() < 5):
            n += 1
    nxt = d + datetime.timedelta(days=1)
    return datetime.datetime(nxt.year, nxt.month, nxt.day, tzinfo=CST).timestamp()


class DeskEndToEnd(YunweiTestCase):

    def test_outage_to_fault_report(self):
        rx = Receiver()
        self.addCleanup(rx.stop)
        target = self.tcp_target()
        dead = closed_port()
        cfg = config_text([system("portal", title="数据资源门户", tier="key")],
                          [monitor("portal-port", "portal", "tcp", host="127.0.0.1",
                                   port=target.port, retries=1)], extra={
            "channels": [
                {"name": "ops-hook", "type": "webhook", "url": rx.url("/hook")},
                {"name": "ops-ding", "type": "dingtalk", "secret": SECRET,
                 "url": rx.url("/robot/send?access_token=" + TOKEN)},
                {"name": "dead-hook", "type": "webhook",
                 "url": "http://127.0.0.1:%d/hook" % dead},
            ],
            "rules": [{"name": "every-incident", "steps": [
                {"after": "0m", "to": ["assignee", "duty:primary"],
                 "channels": ["ops-hook", "ops-ding", "dead-hook"]}]}],
        })
        y = self.start_yunwei(cfg)
        self.add_user(y, "eng", "engineer", PW)
        eng = self.make_token(y, "eng")
        # the engineer is on duty (the roster through the API, as a manager would)
        self.add_user(y, "pm", "manager", PW)
        pm = self.make_token(y, "pm")
        now = time.time()
        y.api("POST", "duty/shifts", {
            "user": "eng", "position": "primary",
            "start": datetime.datetime.fromtimestamp(now - 3600, CST).isoformat(),
            "end": datetime.datetime.fromtimestamp(now + 86400, CST).isoformat()},
            token=pm, expect=201)

        # down: one incident, assigned to the engineer on duty
        y.wait_state("portal-port", "up")
        target.close()
        down = y.wait_state("portal-port", "down")
        inc = wait_until(lambda: y.get("incidents?source=monitor")["incidents"], 15,
                         msg="an incident opened by the outage")[0]
        iid = inc["id"]
        self.assertEqual(inc["assignee"], "eng")
        self.assertEqual(inc["level"], 2)
        self.assertAlmostEqual(parse_time(inc["notice"]), parse_time(down["state_since"]),
                               delta=0.002)

        # the webhook got it, in Chinese, with the link
        hooks = wait_until(lambda: [r for r in rx.requests() if r["path"] == "/hook"], 15,
                           msg="the webhook message")
        j = json.loads(hooks[0]["body"])
        self.assertEqual(j["kind"], "opened")
        self.assertEqual(j["incident_id"], iid)
        self.assertIn("/incidents/%d" % iid, j["link"])
        self.assertIn("故障", json.dumps(j, ensure_ascii=False))
        # the robot got it, and its signature verifies
        ding = wait_until(lambda: [r for r in rx.requests()
                                   if r["path"].startswith("/robot/send")], 15,
                          msg="the robot message")[0]
        q = urllib.parse.parse_qs(urllib.parse.urlsplit(ding["path"]).query)
        self.assertEqual(q["access_token"], [TOKEN])
        ts = q["timestamp"][0]
        mac = hmac.new(SECRET.encode(), ("%s\n%s" % (ts, SECRET)).encode(),
                       hashlib.sha256).digest()
        self.assertEqual(q["sign"][0], base64.b64encode(mac).decode())
        self.assertIn("数据资源门户", json.loads(ding["body"])["markdown"]["text"])

        # the dead receiver: a failed attempt, logged, to be retried...
        def dead_delivery():
            items = y.get("deliveries?channel=dead-hook&incident=%d" % iid)["items"]
            return [d for d in items if d["attempts"] >= 1 and d["status"] in
                    ("queued", "failed")]
        d = wait_until(dead_delivery, 15, msg="a failed attempt logged")[0]
        self.assertTrue(d["last_error"])
        self.assertIsNotNone(d["next_attempt"])
        # ...while the probes go on at their pace (1 s interval)
        n0 = len(y.results("portal-port"))
        time.sleep(3)
        self.assertGreaterEqual(len(y.results("portal-port")) - n0, 2)

        # the engineer responds: the response clock stops
        t = y.api("POST", "incidents/%d/transitions" % iid, {"action": "respond"},
                  token=eng, expect=200)
        self.assertEqual(t["clocks"]["response"]["status"], "met")
        self.assertEqual(t["clocks"]["response"]["stopped"], t["responded"])
        time.sleep(1.2)
        again = y.get("incidents/%d" % iid)
        self.assertEqual(again["clocks"]["response"]["elapsed_ms"],
                         t["clocks"]["response"]["elapsed_ms"], "a stopped clock stays")

        # recovery, then the resolution: the report is due in 3 working days
        target.open()
        y.wait_state("portal-port", "up")
        r = y.api("POST", "incidents/%d/transitions" % iid,
                  {"action": "resolve", "cause": "端口进程退出", "fix": "重启服务"},
                  token=eng, expect=200)
        self.assertEqual(r["state"], "resolved")
        self.assertEqual(r["clocks"]["resolve"]["status"], "met")
        self.assertIsNotNone(r["recovered"])
        self.assertEqual(parse_time(r["report"]["due"]), report_due(parse_time(r["resolved"])))
        # and /metrics counts what the desk did
        m = y.request("GET", "/metrics").text
        self.assertRegex(m, r"yunwei_incidents_opened_total [1-9]")
        self.assertRegex(m, r"yunwei_desk_transitions_total [1-9]")
