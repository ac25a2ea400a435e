"""SIGHUP reload: new and changed monitors take effect, unchanged ones keep
their state, a broken file keeps the running config."""

import re
import signal
import time
import unittest

from harness import YunweiTestCase, config_text, monitor, system, wait_until, parse_time


class Reload(YunweiTestCase):

    def test_sighup_applies_changes_and_keeps_state(self):
        t = self.http_target(status=200, body="alpha build")
        tcp = self.tcp_target()
        v1 = config_text(
            [system("core")],
            [monitor("keep", "core", "tcp", host="127.0.0.1", port=tcp.port, retries=1),
             monitor("change", "core", "http", url=t.url, keyword="alpha", retries=1),
             monitor("gone", "core", "tcp", host="127.0.0.1", port=tcp.port, retries=1)])
        y = self.start_yunwei(v1)
        keep = y.wait_state("keep", "up")
        change = y.wait_state("change", "up")
        y.wait_state("gone", "up")
        time.sleep(1.5)  # keep's interval must be older than the reload to tell
        v2 = config_text(
            [system("core"), system("new-sys", "general")],
            [monitor("keep", "core", "tcp", host="127.0.0.1", port=tcp.port, retries=1),
             monitor("change", "core", "http", url=t.url, keyword="beta", retries=1),
             monitor("added", "new-sys", "tcp", host="127.0.0.1", port=tcp.port, retries=1)])
        self.write_config(v2)
        hup = time.time()
        y.signal(signal.SIGHUP)
        wait_until(lambda: y.api("GET", "monitors/added").status == 200, 10,
                   msg="the added monitor appears")
        added = y.wait_state("added", "up")
        self.assertTrue(added["provisioned"])
        self.assertEqual(added["system"], "new-sys")
        c = y.wait_state("change", "down")
        self.assertEqual(c["keyword"], "beta")
        self.assertEqual(c["id"], change["id"], "a changed monitor is updated, not replaced")
        self.assertGreaterEqual(parse_time(c["state_since"]), hup - 0.5)
        wait_until(lambda: y.api("GET", "monitors/gone").status == 404, 5,
                   msg="the removed monitor is gone")
        k = y.monitor("keep")
        self.assertEqual(k["state"], "up")
        self.assertEqual(k["id"], keep["id"])
        self.assertEqual(k["state_since"], keep["state_since"], "unchanged monitor keeps state")
        ups = [e for e in y.events("keep") if e["state"] == "up"]
        self.assertEqual(len(ups), 1, ups)
        self.assertIsNone(ups[0]["end"])
        # keep goes on being checked after the reload.
        n = len(y.results("keep"))
        wait_until(lambda: len(y.results("keep")) >= n + 2, 5, msg="keep checked after reload")

        # A broken file: diagnostics logged, the running config stays.
        path = self.write_config(v2.replace("    keyword: \"beta\"\n",
                                            "    keyword: \"beta\"\n    colour: red\n"))
        bad_line = v2.split("\n").index("    keyword: \"beta\"") + 2
        y.signal(signal.SIGHUP)
        diag = re.compile(r"%s:%d:5: " % (re.escape(path), bad_line))
        wait_until(lambda: diag.search(y.stderr_text()), 10,
                   msg="diagnostic %s:%d:5 in the log" % (path, bad_line))
        self.assertTrue(y.running)
        self.assertEqual(y.monitor("change")["keyword"], "beta")
        self.assertEqual(y.monitor("added")["state"], "up")
        self.assertEqual(y.monitor("keep")["state_since"], keep["state_since"])
        self.assertEqual(y.api("GET", "monitors/gone").status, 404)
        n = len(y.results("keep"))
        wait_until(lambda: len(y.results("keep")) >= n + 2, 5,
                   msg="checks go on after a failed reload")
        # Fixing the file and reloading works again.
        self.write_config(v1)
        y.signal(signal.SIGHUP)
        wait_until(lambda: y.api("GET", "monitors/added").status == 404, 10,
                   msg="v1 again: added removed")
        y.wait_state("change", "up")
        y.wait_state("gone", "up")
        self.assertEqual(y.monitor("keep")["state_since"], keep["state_since"])

    def test_reload_conflicts_with_api_object(self):
        tcp = self.tcp_target()
        v1 = config_text([system("core")],
                         [monitor("keep", "core", "tcp", host="127.0.0.1", port=tcp.port)])
        y = self.start_yunwei(v1)
        y.api("POST", "monitors", {"name": "mine", "system": "core", "type": "tcp",
                                   "host": "127.0.0.1", "port": tcp.port, "interval": "1s"},
              expect=201)
        # The file now declares a monitor named like one made through the API:
        # a conflict, nothing changes.
        self.write_config(config_text(
            [system("core")],
            [monitor("keep", "core", "tcp", host="127.0.0.1", port=tcp.port),
             monitor("mine", "core", "tcp", host="127.0.0.1", port=tcp.port, interval="7s"),
             monitor("extra", "core", "tcp", host="127.0.0.1", port=tcp.port)]))
        before = len(y.stderr_text())
        y.signal(signal.SIGHUP)
        wait_until(lambda: "mine" in y.stderr_text()[before:], 10,
                   msg="the conflict is logged, naming the monitor")
        self.assertTrue(y.running)
        self.assertFalse(y.monitor("mine")["provisioned"])
        self.assertEqual(y.monitor("mine")["interval"], "1s")
        self.assertEqual(y.api("GET", "monitors/extra").status, 404)


if __name__ == "__main__":
    unittest.main()
