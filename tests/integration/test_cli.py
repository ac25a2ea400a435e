"""The one-shot subcommands: `config check` diagnostics with line and column,
`check --json` exit codes and JSON, `serve` refusing a bad config, version/help."""

import json
import os
import re
import unittest

from harness import YunweiTestCase, config_text, monitor, system

GOOD = """\
# 数据资源中心 monitoring
systems:
  - name: portal
    title: 数据资源门户
    tier: key
monitors:
  - name: portal-home
    system: portal
    type: http
    url: http://127.0.0.1:9/
    keyword: 数据资源中心
    interval: 60s
    timeout: 10s
    retries: 2
    critical: true
  - name: nightly-etl
    system: portal
    type: heartbeat
    interval: 24h
    grace: 30m
maintenance:
  - name: weekly-patch
    systems: [portal]
    recurrence: weekly
    day: sunday
    start: "02:00"
    end: "04:00"
"""

DIAG_RE = r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<msg>.+)$"


def pos(text, needle, nth=1):
    """1-based (line, column) of the nth occurrence of needle in text."""
    i = -1
    for _ in range(nth):
        i = text.index(needle, i + 1)
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, col


class ConfigCheck(YunweiTestCase):

    def check_file(self, text, name="c.yaml"):
        path = self.write_config(text, name)
        p = self.run_yunwei("config", "check", path)
        diags = []
        for line in p.stderr.splitlines():
            m = re.match(DIAG_RE, line)
            if m and m.group("file") == path:
                diags.append((int(m.group("line")), int(m.group("col")), m.group("msg")))
        return path, p, diags

    def test_good_file(self):
        path, p, diags = self.check_file(GOOD)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(diags, [])
        self.assertEqual(len(p.stdout.strip().splitlines()), 1, p.stdout)

    def test_desk_sections_are_checked_by_their_validators(self):
        ok = ("systems: []\nmonitors: []\nsla:\n  warn_pct: 80\n"
              "channels:\n  - {name: ops-hook, type: webhook, url: \"http://127.0.0.1:9/h\"}\n"
              "rules:\n  - name: all\n    steps:\n      - {after: 0m, to: [assignee], "
              "channels: [ops-hook]}\n")
        path = self.write_config(ok, "desk.yaml")
        p = self.run_yunwei("config", "check", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("1 channel, 1 rule", p.stdout)
        bad_channel = ok.replace("http://127.0.0.1:9/h", "ftp://x")
        path = self.write_config(bad_channel, "bad1.yaml")
        p = self.run_yunwei("config", "check", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn(path + ":6: channels[0].url: ", p.stderr)
        bad_rule = ok.replace("to: [assignee]", "to: [nobody]")
        path = self.write_config(bad_rule, "bad2.yaml")
        p = self.run_yunwei("config", "check", path)
        self.assertEqual(p.returncode, 2)
        self.assertRegex(p.stderr, re.escape(path) + r":8: rules\[0\]\.steps")
        bad_sla = ok.replace("warn_pct: 80", "warn_pct: 120")
        path = self.write_config(bad_sla, "bad3.yaml")
        p = self.run_yunwei("config", "check", path)
        self.assertEqual(p.returncode, 2)
        self.assertIn(path + ":3: sla: warn_pct", p.stderr)

    def test_readme_example_is_valid(self):
        # The README's configuration example is what newcomers copy: it must pass.
        readme = os.path.join(os.path.dirname(__file__), "..", "..", "README.md")
        with open(readme, encoding="utf-8") as f:
            m = re.search(r"```yaml\n(.*?)```", f.read(), re.S)
        self.assertIsNotNone(m, "README has no yaml example")
        path, p, diags = self.check_file(m.group(1), "readme.yaml")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(diags, [])
        self.assertIn("8 monitors", p.stdout)

    def test_single_errors_line_and_column(self):
        # (replace in GOOD, new text, the text the diagnostic points at, nth, word in message)
        cases = [
            ("unknown key", "    timeout: 10s\n", "    timeout: 10s\n    colour: red\n",
             "colour", 1, "colour"),
            ("bad duration", "interval: 60s", "interval: 5x", "5x", 1, None),
            ("unknown system", "  - name: nightly-etl\n    system: portal",
             "  - name: nightly-etl\n    system: nowhere", "nowhere", 1, "nowhere"),
            ("wrong type", "retries: 2", "retries: many", "many", 1, None),
            ("bad tier", "tier: key", "tier: gold", "gold", 1, None),
            ("unknown type", "type: http", "type: smoke", "smoke", 1, None),
            ("duplicate name", "  - name: nightly-etl", "  - name: portal-home",
             "portal-home", 2, "portal-home"),
            ("bad day", "day: sunday", "day: funday", "funday", 1, None),
            ("unknown system in window", "systems: [portal]", "systems: [portal, ghost]",
             "ghost", 1, "ghost"),
        ]
        for what, old, new, at, nth, word in cases:
            with self.subTest(what):
                self.assertIn(old, GOOD)
                text = GOOD.replace(old, new, 1)
                path, p, diags = self.check_file(text, "bad.yaml")
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertEqual(len(diags), 1, p.stderr)
                want = pos(text, at, nth)
                self.assertEqual(diags[0][:2], want, "%s: %s" % (what, p.stderr))
                if word:
                    self.assertIn(word, diags[0][2])

    def test_every_error_reported_in_order(self):
        text = (GOOD.replace("interval: 60s", "interval: soon")
                    .replace("grace: 30m", "grace: 30m\n    flavour: x")
                    .replace("end: \"04:00\"", "end: \"25:00\""))
        path, p, diags = self.check_file(text)
        self.assertEqual(p.returncode, 2)
        self.assertEqual([d[:2] for d in diags],
                         [pos(text, "soon"), pos(text, "flavour"), pos(text, "\"25:00\"")],
                         p.stderr)

    def test_yaml_syntax_error(self):
        text = GOOD.replace("    tier: key\n", "    tier: [key\n")
        path, p, diags = self.check_file(text)
        self.assertEqual(p.returncode, 2)
        self.assertGreaterEqual(len(diags), 1, p.stderr)
        self.assertGreaterEqual(diags[0][0], pos(text, "[key")[0])

    def test_missing_file(self):
        p = self.run_yunwei("config", "check", os.path.join(self.tmp, "nope.yaml"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("nope.yaml", p.stderr)

    def test_serve_refuses_bad_config(self):
        text = GOOD.replace("interval: 60s", "interval: 5x")
        path = self.write_config(text)
        p = self.run_yunwei("serve", "--config", path, "--data", os.path.join(self.tmp, "d"),
                            "--listen", "127.0.0.1:0", timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("%s:%d:%d: " % ((path,) + pos(text, "5x")), p.stderr)
        self.assertNotIn("listening", p.stdout)


class Check(YunweiTestCase):

    def test_all_up_json(self):
        t = self.http_target(status=200, body="数据资源中心")
        tcp = self.tcp_target()
        path = self.write_config(config_text(
            [system("portal")],
            [monitor("home", "portal", "http", url=t.url, keyword="数据资源中心"),
             monitor("port", "portal", "tcp", host="127.0.0.1", port=tcp.port),
             monitor("etl", "portal", "heartbeat", interval="1h")]))
        p = self.run_yunwei("check", "--config", path, "--json")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual((doc["up"], doc["down"], doc["skipped"]), (2, 0, 1), doc)
        by = {r["monitor"]: r for r in doc["results"]}
        self.assertEqual(set(by), {"home", "port", "etl"})
        for r in doc["results"]:
            self.assertEqual(set(r), {"system", "monitor", "type", "status", "latency_ms",
                                      "detail"}, r)
            self.assertEqual(r["system"], "portal")
            if r["status"] == "skipped":  # not run: no latency to show
                self.assertIn(r["latency_ms"], (None, 0))
            else:
                self.assertIsInstance(r["latency_ms"], int)
            self.assertIsInstance(r["detail"], str)
        self.assertEqual((by["home"]["type"], by["home"]["status"]), ("http", "up"))
        self.assertIn("200", by["home"]["detail"])
        self.assertEqual((by["port"]["type"], by["port"]["status"]), ("tcp", "up"))
        self.assertEqual((by["etl"]["type"], by["etl"]["status"]), ("heartbeat", "skipped"))
        self.assertEqual(t.request_count(), 1, "each monitor runs once")

    def test_any_down(self):
        t = self.http_target(status=503)
        path = self.write_config(config_text(
            [system("portal")],
            [monitor("home", "portal", "http", url=t.url),
             monitor("closed", "portal", "tcp", host="127.0.0.1", port=1),
             monitor("ok", "portal", "http", url=t.url, status=[503])]))
        p = self.run_yunwei("check", "--config", path, "--json")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        doc = json.loads(p.stdout)
        self.assertEqual((doc["up"], doc["down"], doc["skipped"]), (1, 2, 0), doc)
        by = {r["monitor"]: r for r in doc["results"]}
        self.assertEqual(by["home"]["status"], "down")
        self.assertIn("503", by["home"]["detail"])
        self.assertEqual(by["closed"]["status"], "down")
        self.assertTrue(by["closed"]["detail"])
        # The table form: header, then one row per monitor.
        p = self.run_yunwei("check", "--config", path)
        self.assertEqual(p.returncode, 1)
        lines = p.stdout.strip().splitlines()
        self.assertEqual(lines[0].split(), ["SYSTEM", "MONITOR", "TYPE", "STATUS", "LATENCY",
                                            "DETAIL"])
        rows = [l.split() for l in lines[1:] if len(l.split()) >= 4 and l.split()[0] == "portal"]
        self.assertEqual(sorted(r[1] for r in rows), ["closed", "home", "ok"], p.stdout)
        self.assertTrue(any(l.split()[:4] == ["portal", "closed", "tcp", "down"]
                            for l in lines[1:]), p.stdout)

    def test_bad_config(self):
        path = self.write_config(GOOD.replace("tier: key", "tier: gold"))
        p = self.run_yunwei("check", "--config", path, "--json")
        self.assertEqual(p.returncode, 2)
        self.assertIn("%s:%d:%d: " % ((path,) + pos(GOOD.replace("tier: key", "tier: gold"),
                                                      "gold")), p.stderr)

    def test_version_and_help(self):
        p = self.run_yunwei("version")
        self.assertEqual(p.returncode, 0)
        self.assertTrue(p.stdout.startswith("yunwei"), p.stdout)
        p = self.run_yunwei("help")
        self.assertEqual(p.returncode, 0)
        for cmd in ("serve", "check", "config", "version"):
            self.assertIn(cmd, p.stdout)
        p = self.run_yunwei("help", "serve")
        self.assertEqual(p.returncode, 0)
        self.assertIn("--listen", p.stdout)
        p = self.run_yunwei("no-such-command")
        self.assertNotEqual(p.returncode, 0)


if __name__ == "__main__":
    unittest.main()
