"""The JSON API: CRUD of systems and monitors, validation errors, provisioned
objects, pause/resume, results paging, /healthz and /metrics."""

import re
import time
import unittest

from harness import YunweiTestCase, config_text, monitor, system, wait_until, parse_time, q


class Api(YunweiTestCase):

    def base(self):
        self.t = self.http_target(status=200, body="ok")
        self.tcp = self.tcp_target()
        return self.start_yunwei(config_text(
            [system("prov", title="数据资源门户")],
            [monitor("prov-home", "prov", "http", url=self.t.url, retries=1, critical=True)]))

    def test_create_get_update_delete(self):
        y = self.base()
        s = y.api("POST", "systems", {"name": "made", "title": "接口平台", "tier": "general"},
                  expect=201)
        self.assertIsInstance(s["id"], int)
        self.assertEqual(s["name"], "made")
        self.assertEqual(s["title"], "接口平台")
        self.assertEqual(s["tier"], "general")
        self.assertFalse(s["provisioned"])
        self.assertEqual(y.get("systems/%d" % s["id"])["name"], "made")
        self.assertEqual(y.get("systems/made")["id"], s["id"])
        body = {"name": "made-port", "system": "made", "type": "tcp", "host": "127.0.0.1",
                "port": self.tcp.port, "interval": "1s", "retries": 1, "critical": True}
        m = y.api("POST", "monitors", body, expect=201)
        self.assertIsInstance(m["id"], int)
        self.assertEqual(m["system"], "made")
        self.assertEqual(m["type"], "tcp")
        self.assertEqual(m["port"], self.tcp.port)
        self.assertEqual(m["interval"], "1s")
        self.assertFalse(m["provisioned"])
        self.assertFalse(m["paused"])
        # The engine picks the new monitor up without a restart.
        y.wait_state("made-port", "up")
        self.assertEqual(y.get("monitors/%d" % m["id"])["name"], "made-port")
        self.assertEqual(y.system("made")["monitors"], 1)
        # Lists and their filters.
        names = [x["name"] for x in y.get("monitors")["items"]]
        self.assertEqual(sorted(names), ["made-port", "prov-home"])
        self.assertEqual([x["name"] for x in y.get("monitors?type=tcp")["items"]], ["made-port"])
        self.assertEqual([x["name"] for x in y.get("monitors?system=prov")["items"]],
                         ["prov-home"])
        self.assertEqual([x["name"] for x in y.get("monitors?q=" + q("made"))["items"]],
                         ["made-port"])
        # Replace: point it at a closed port; the engine follows.
        body2 = dict(body, port=1, title="已改")
        r = y.api("PUT", "monitors/%d" % m["id"], body2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["port"], 1)
        self.assertEqual(r.json["title"], "已改")
        self.assertEqual(r.json["id"], m["id"])
        y.wait_state("made-port", "down")
        # A system with a monitor cannot go; the monitor can, then the system.
        self.assertApiError(y.api("DELETE", "systems/%d" % s["id"]), 409, "conflict")
        r = y.api("DELETE", "monitors/%d" % m["id"])
        self.assertEqual(r.status, 204, r)
        self.assertApiError(y.api("GET", "monitors/%d" % m["id"]), 404, "not_found")
        self.assertApiError(y.api("GET", "monitors/made-port"), 404, "not_found")
        r = y.api("PUT", "systems/%d" % s["id"], {"name": "made", "tier": "key"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["tier"], "key")
        r = y.api("DELETE", "systems/%d" % s["id"])
        self.assertEqual(r.status, 204, r)
        self.assertApiError(y.api("GET", "systems/made"), 404, "not_found")
        # Its history is kept: a new monitor with the old name is a new object.
        m2 = y.api("POST", "monitors", dict(body, system="prov"), expect=201)
        self.assertNotEqual(m2["id"], m["id"])

    def test_brief_list_matches_the_full_one(self):
        y = self.base()
        y.api("POST", "monitors", {"name": "pg-secret", "system": "prov", "type": "postgres",
                                   "conninfo": "host=127.0.0.1 port=1 user=u password=s3cr\"et",
                                   "query": "select 1", "interval": "1m", "critical": True,
                                   "title": "库 \"引号\" \\ 反斜杠"}, expect=201)
        y.api("POST", "monitors", {"name": "plain", "system": "prov", "type": "tcp",
                                   "host": "127.0.0.1", "port": self.tcp.port,
                                   "interval": "1m"}, expect=201)
        y.wait_state("prov-home", "up")
        full = {m["name"]: m for m in y.get("monitors")["items"]}
        brief = y.get("monitors?view=brief")
        self.assertIsNone(brief["next_cursor"])
        self.assertEqual(sorted(m["name"] for m in brief["items"]), sorted(full))
        for b in brief["items"]:
            f = full[b["name"]]
            for k in ("id", "system", "type", "state", "state_since"):
                self.assertEqual(b[k], f[k], (b["name"], k))
            # critical read from a plain spec by SQL, and from a sealed one
            # (the postgres password) by opening it.
            self.assertEqual(b.get("critical", False), f["critical"], b["name"])
            self.assertEqual(b.get("paused", False), f["paused"], b["name"])
            self.assertEqual(b.get("title"), f.get("title"), b["name"])
            self.assertNotIn("conninfo", b)
        self.assertEqual(full["pg-secret"]["title"], "库 \"引号\" \\ 反斜杠")
        y.api("POST", "monitors/plain/pause", expect=200)
        self.assertTrue(next(m for m in y.get("monitors?view=brief&q=plain")["items"])["paused"])
        self.assertEqual([m["name"] for m in y.get("monitors?view=brief&type=tcp")["items"]],
                         ["plain"])
        self.assertApiError(y.api("GET", "monitors?view=wide"), 400, "invalid")

    def test_validation_errors_name_the_field(self):
        y = self.base()
        ok = {"name": "v", "system": "prov", "type": "tcp", "host": "127.0.0.1", "port": 5432,
              "interval": "10s"}
        cases = [
            (dict(ok, interval="0s"), "interval"),
            (dict(ok, interval="fast"), "interval"),
            (dict(ok, port=70000), "port"),
            (dict(ok, type="smoke-signal"), "type"),
            (dict(ok, system="no-such-system"), "system"),
            (dict(ok, name="Bad Name!"), "name"),
            (dict(ok, retries=0), "retries"),
            (dict(ok, colour="red"), "colour"),
            ({k: v for k, v in ok.items() if k != "host"}, "host"),
        ]
        for body, field in cases:
            with self.subTest(field=field, body=body):
                self.assertApiError(y.api("POST", "monitors", body), 400, "invalid", field)
        self.assertApiError(y.api("POST", "systems", {"name": "x", "tier": "gold"}), 400,
                            "invalid", "tier")
        # Not JSON / not an object.
        r = y.api("POST", "monitors", "{not json")
        self.assertApiError(r, 400, "invalid")
        r = y.api("POST", "monitors", [1, 2])
        self.assertApiError(r, 400, "invalid")
        # A duplicate name is a conflict.
        self.assertApiError(y.api("POST", "monitors", dict(ok, name="prov-home")), 409,
                            "conflict")
        self.assertApiError(y.api("POST", "systems", {"name": "prov", "tier": "key"}), 409,
                            "conflict")
        # Nothing was created by the failed calls.
        self.assertEqual([x["name"] for x in y.get("monitors")["items"]], ["prov-home"])
        self.assertEqual([x["name"] for x in y.get("systems")["items"]], ["prov"])
        # Unknown objects, routes and methods.
        self.assertApiError(y.api("GET", "monitors/999999"), 404, "not_found")
        self.assertApiError(y.api("GET", "systems/nope"), 404, "not_found")
        self.assertApiError(y.api("GET", "no-such-route"), 404, "not_found")
        self.assertApiError(y.api("DELETE", "monitors"), 405, "method_not_allowed")
        # Body over 1 MiB.
        big = dict(ok, title="x" * (1024 * 1024 + 10))
        self.assertApiError(y.api("POST", "monitors", big), 413, "too_large")

    def test_provisioned_objects_are_read_only(self):
        y = self.base()
        s = y.system("prov")
        m = y.monitor("prov-home")
        self.assertTrue(s["provisioned"])
        self.assertTrue(m["provisioned"])
        self.assertEqual(s["title"], "数据资源门户")
        self.assertApiError(y.api("PUT", "systems/%d" % s["id"], {"name": "prov", "tier": "key"}),
                            409, "conflict")
        self.assertApiError(y.api("DELETE", "systems/%d" % s["id"]), 409, "conflict")
        body = {"name": "prov-home", "system": "prov", "type": "http", "url": self.t.url,
                "interval": "5s"}
        self.assertApiError(y.api("PUT", "monitors/%d" % m["id"], body), 409, "conflict")
        self.assertApiError(y.api("DELETE", "monitors/%d" % m["id"]), 409, "conflict")
        self.assertEqual(y.monitor("prov-home")["interval"], "1s")

    def test_pause_and_resume(self):
        y = self.base()
        m = y.wait_state("prov-home", "up")
        r = y.api("POST", "monitors/%d/pause" % m["id"])
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["paused"])
        self.assertEqual(r.json["id"], m["id"])
        y.wait_state("prov-home", "paused", timeout=5)
        # No checks while paused.
        n = self.t.request_count()
        time.sleep(2.5)
        self.assertLessEqual(self.t.request_count(), n + 1)
        self.assertTrue(y.monitor("prov-home")["paused"])
        r = y.api("POST", "monitors/%d/resume" % m["id"])
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["paused"])
        y.wait_state("prov-home", "up", timeout=5)
        self.assertGreater(self.t.request_count(), n)
        states = [e["state"] for e in y.events("prov-home") if e["state"] != "no_data"]
        self.assertEqual(states[:2], ["up", "paused"], states)
        self.assertEqual(states[-1], "up")
        self.assertApiError(y.api("POST", "monitors/999999/pause"), 404, "not_found")

    def test_results_paging(self):
        y = self.base()
        m = y.monitor("prov-home")
        wait_until(lambda: len(y.results("prov-home")) >= 7, 15, msg="7 results")
        p1 = y.get("monitors/%d/results?limit=3" % m["id"])
        self.assertEqual(len(p1["items"]), 3)
        self.assertTrue(p1["next_cursor"])
        p2 = y.get("monitors/%d/results?limit=3&cursor=%s" % (m["id"], q(p1["next_cursor"])))
        self.assertEqual(len(p2["items"]), 3)
        ids = [r["id"] for r in p1["items"] + p2["items"]]
        self.assertEqual(len(set(ids)), 6, "no result twice")
        self.assertEqual(ids, sorted(ids, reverse=True), "newest first")
        times = [parse_time(r["time"]) for r in p1["items"] + p2["items"]]
        self.assertEqual(times, sorted(times, reverse=True))
        r = p1["items"][0]
        for k in ("id", "time", "ok", "latency_ms", "status", "detail"):
            self.assertIn(k, r)
        self.assertIs(r["ok"], True)
        self.assertEqual(r["status"], 200)
        # Following the cursor to the end gives every result once, then null.
        everything = y.items("monitors/%d/results" % m["id"], limit=2)
        eids = [r["id"] for r in everything]
        self.assertEqual(len(eids), len(set(eids)))
        self.assertTrue(set(ids) <= set(eids))
        self.assertEqual(eids, sorted(eids, reverse=True))
        for bad in ("0", "1001", "x"):
            self.assertApiError(y.api("GET", "monitors/%d/results?limit=%s" % (m["id"], bad)),
                                400, "invalid", "limit")
        # Events list pages the same way.
        ev = y.get("events?limit=1&from=%s" % q("2000-01-01"))
        self.assertEqual(len(ev["items"]), 1)
        self.assertIn("next_cursor", ev)

    def test_healthz_and_metrics(self):
        y = self.base()
        # The contract: exactly one line on stdout, the rest goes to stderr.
        self.assertEqual(y.stdout_lines, ["yunwei: listening on http://127.0.0.1:%d" % y.port])
        r = y.request("GET", "/healthz")
        self.assertEqual(r.status, 200)
        self.assertEqual(r.json, {"status": "ok"})
        y.api("POST", "systems", {"name": "other", "tier": "general"}, expect=201)
        y.api("POST", "monitors", {"name": "closed-port", "system": "other", "type": "tcp",
                                   "host": "127.0.0.1", "port": 1, "interval": "1s",
                                   "retries": 1}, expect=201)
        y.wait_state("prov-home", "up")
        y.wait_state("closed-port", "down")
        text = wait_until(lambda: self.metrics_ready(y), 5, msg="metrics of both monitors")
        ups = self.metric(text, "yunwei_monitor_up")
        self.assertEqual(ups.get("prov-home"), (1.0, {"monitor": "prov-home", "system": "prov",
                                                      "type": "http"}))
        self.assertEqual(ups.get("closed-port"), (0.0, {"monitor": "closed-port",
                                                        "system": "other", "type": "tcp"}))
        self.assertEqual(len(ups), 2, ups)
        checks = self.metric(text, "yunwei_monitor_checks_total")
        fails = self.metric(text, "yunwei_monitor_failures_total")
        self.assertGreaterEqual(checks["prov-home"][0], 1)
        self.assertGreaterEqual(fails["closed-port"][0], 1)
        self.assertEqual(fails["prov-home"][0], 0)
        self.assertIn("yunwei_monitor_latency_seconds", text)
        self.assertTrue(r.headers.get("content-type", "").startswith("application/json"))
        mr = y.request("GET", "/metrics")
        self.assertTrue(mr.headers.get("content-type", "").startswith("text/plain"), mr.headers)

    def metrics_ready(self, y):
        r = y.request("GET", "/metrics")
        if r.status != 200:
            return None
        ups = self.metric(r.text, "yunwei_monitor_up")
        return r.text if {"prov-home", "closed-port"} <= set(ups) else None

    @staticmethod
    def metric(text, name):
        """{monitor label: (value, labels)} of every sample of `name`."""
        out = {}
        for line in text.splitlines():
            m = re.match(r"^%s\{([^}]*)\}\s+(\S+)" % re.escape(name), line)
            if not m:
                continue
            labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(1)))
            out[labels.get("monitor")] = (float(m.group(2)), labels)
        return out


if __name__ == "__main__":
    unittest.main()
