"""The engine's confirmation rules (retries, recover), maintenance windows,
and availability figures of monitors and systems."""

import time
import unittest

from harness import (YunweiTestCase, config_text, monitor, system, wait_until, parse_time,
                     rfc3339)

FORMULA = "up / (period - excluded - no_data - paused)"
PARTS = ("up_s", "down_s", "excluded_s", "no_data_s", "paused_s")


class Confirmation(YunweiTestCase):

    def failed_results(self, y, name, after=0):
        return [r for r in y.results(name) if not r["ok"] and parse_time(r["time"]) >= after]

    def test_retries(self):
        t = self.http_target(status=200)
        y = self.start_yunwei(config_text(
            [system("web")], [monitor("r3", "web", "http", url=t.url, retries=3)]))
        m = y.wait_state("r3", "up")
        since = m["state_since"]
        # One failure: seen as a failed result, but the state stays up.
        t0 = time.time() - 0.5
        t.fail_next(1)
        wait_until(lambda: self.failed_results(y, "r3", t0), 10, msg="a failed result")
        fail_t = parse_time(self.failed_results(y, "r3", t0)[0]["time"])
        wait_until(lambda: len([r for r in y.results("r3")
                                if r["ok"] and parse_time(r["time"]) > fail_t]) >= 2,
                   10, msg="two good results after the failure")
        m = y.monitor("r3")
        self.assertEqual(m["state"], "up")
        self.assertEqual(m["state_since"], since, "no new interval after one failure")
        self.assertNotIn("down", [e["state"] for e in y.events("r3")])
        # Two failures in a row: still up.
        t1 = time.time() - 0.5
        t.fail_next(2)
        wait_until(lambda: len(self.failed_results(y, "r3", t1)) >= 2, 10, msg="two failures")
        wait_until(lambda: t.pending_failures() == 0 and
                   [r for r in y.results("r3")[:1] if r["ok"]], 10, msg="a success after them")
        self.assertNotIn("down", [e["state"] for e in y.events("r3")])
        self.assertEqual(y.monitor("r3")["state_since"], since)
        # Three in a row: down (and up again after the next success, recover 1).
        t2 = time.time() - 0.5
        t.fail_next(3)
        downs = wait_until(lambda: [e for e in y.events("r3") if e["state"] == "down"], 15,
                           msg="a down event after three failures")
        self.assertEqual(len(downs), 1, downs)
        fails = wait_until(lambda: [r for r in self.failed_results(y, "r3", t2)]
                           if len(self.failed_results(y, "r3", t2)) >= 3 else None,
                           5, msg="three failed results")
        self.assertEqual(len(fails), 3, fails)
        first_fail = min(parse_time(r["time"]) for r in fails)
        down_start = parse_time(downs[0]["start"])
        # Confirmed at the third failure (2 retry intervals after the first),
        # not at the first or the second.
        self.assertGreaterEqual(down_start, first_fail + 1.5, (downs, fails))
        y.wait_state("r3", "up")

    def test_recover(self):
        t = self.http_target(status=503)
        y = self.start_yunwei(config_text(
            [system("web")],
            [monitor("rec2", "web", "http", url=t.url, retries=1, recover=2),
             monitor("rec1", "web", "http", url=t.url, retries=1, recover=1)]))
        y.wait_state("rec2", "down")
        y.wait_state("rec1", "down")
        t.set(status=200)
        y.wait_state("rec1", "up")
        y.wait_state("rec2", "up")
        for name, want_ok_inside in (("rec2", 1), ("rec1", 0)):
            down = [e for e in y.events(name) if e["state"] == "down"][-1]
            d0, d1 = parse_time(down["start"]), parse_time(down["end"])
            # Successes that started while the monitor was still down (checks
            # are 1 s apart; the confirming one may end a few ms after its
            # start): with recover 2 exactly one, with recover 1 none.
            oks = [r for r in y.results(name)
                   if r["ok"] and d0 <= parse_time(r["time"]) < d1 - 0.5]
            self.assertEqual(len(oks), want_ok_inside, (name, down, oks))


class Maintenance(YunweiTestCase):

    def test_once_window_excludes_time(self):
        t = self.http_target(status=503)
        now = time.time()
        w_start, w_end = int(now) - 30, int(now) + 8
        y = self.start_yunwei(config_text(
            [system("web")],
            [monitor("under-maint", "web", "http", url=t.url, retries=1),
             monitor("other", "web", "http", url=t.url, retries=1)],
            [{"name": "patch", "monitors": ["under-maint"], "recurrence": "once",
              "start": rfc3339(w_start), "end": rfc3339(w_end)}]))
        y.wait_state("under-maint", "maintenance")
        y.wait_state("other", "down")
        mw = y.get("maintenance")["items"]
        self.assertEqual([w["name"] for w in mw], ["patch"])
        self.assertTrue(mw[0]["active"], mw[0])
        self.assertTrue(mw[0]["provisioned"])
        # During the window the target keeps failing: no down state.
        wait_until(lambda: len([r for r in y.results("under-maint") if not r["ok"]]) >= 2
                   or time.time() > w_end - 1, 10, msg="failed checks inside the window")
        self.assertEqual(y.state("under-maint"), "maintenance")
        # After the window the failure shows.
        m = y.wait_state("under-maint", "down", timeout=w_end - time.time() + 10)
        self.assertGreaterEqual(parse_time(m["state_since"]), w_end - 0.001)
        ev = y.events("under-maint", w_start - 60, time.time())
        for e in ev:
            if e["state"] == "down":
                self.assertGreaterEqual(parse_time(e["start"]), w_end - 0.001,
                                        "down event inside the window: %r" % e)
        self.assertIn("maintenance", [e["state"] for e in ev])
        self.assertFalse(y.get("maintenance")["items"][0]["active"])
        a = y.availability("monitors", "under-maint", w_start, w_end)
        self.assertEqual(a["down_s"], 0, a)
        self.assertGreater(a["excluded_s"], 0, a)
        self.assertEqual(a["outages"], 0, a)
        self.assertAlmostEqual(sum(a[k] for k in PARTS), a["period_s"], delta=0.01)
        # All of the window that yunwei saw is excluded; the part before it
        # started may count as excluded or as no data, nothing else.
        self.assertGreaterEqual(a["excluded_s"], w_end - y.start_time - 1.5, a)
        self.assertAlmostEqual(a["excluded_s"] + a["no_data_s"], a["period_s"], delta=0.01)
        self.assertIsNone(a["availability"], a)
        # The unrelated monitor was down the whole time it ran.
        b = y.availability("monitors", "other", w_start, w_end)
        self.assertGreater(b["down_s"], 0, b)
        self.assertEqual(b["excluded_s"], 0, b)


class Availability(YunweiTestCase):

    def check_consistent(self, a):
        for k in PARTS + ("period_s", "outages", "from", "to", "formula"):
            self.assertIn(k, a)
        self.assertEqual(a["formula"], FORMULA)
        for k in PARTS:
            self.assertGreaterEqual(a[k], 0, (k, a))
        self.assertAlmostEqual(sum(a[k] for k in PARTS), a["period_s"], delta=0.01, msg=a)
        self.assertAlmostEqual(parse_time(a["to"]) - parse_time(a["from"]), a["period_s"],
                               delta=0.002, msg=a)
        denom = a["period_s"] - a["excluded_s"] - a["no_data_s"] - a["paused_s"]
        if denom > 0.0005:
            self.assertIsNotNone(a["availability"], a)
            self.assertAlmostEqual(a["availability"], 100.0 * a["up_s"] / denom, delta=0.01,
                                   msg=a)
        else:
            self.assertIsNone(a["availability"], a)

    def test_figures_add_up(self):
        t_up = self.http_target(status=200)
        t_flap = self.http_target(status=200)
        t0 = time.time()
        y = self.start_yunwei(config_text(
            [system("web")],
            [monitor("steady", "web", "http", url=t_up.url, retries=1),
             monitor("flap", "web", "http", url=t_flap.url, retries=1),
             monitor("pausing", "web", "http", url=t_up.url, retries=1)]))
        steady = y.wait_state("steady", "up")
        y.wait_state("flap", "up")
        y.wait_state("pausing", "up")
        t_flap.set(status=500)
        y.wait_state("flap", "down")
        t_flap.set(status=200)
        y.wait_state("flap", "up")
        pid = y.monitor("pausing")["id"]
        y.api("POST", "monitors/%d/pause" % pid, expect=200)
        y.wait_state("pausing", "paused")
        time.sleep(1.2)  # let the pause last a measurable while
        y.api("POST", "monitors/%d/resume" % pid, expect=200)
        y.wait_state("pausing", "up")

        # Default period: the last 24 h, mostly before yunwei ran (no data).
        for name in ("steady", "flap", "pausing"):
            a = y.availability("monitors", name)
            self.check_consistent(a)
            self.assertAlmostEqual(a["period_s"], 86400, delta=0.01)
            self.assertGreater(a["no_data_s"], 86400 - (time.time() - t0) - 5, a)
        # An explicit period ending now.
        t1 = time.time() - 0.2
        a = y.availability("monitors", "flap", t0 - 10, t1)
        self.check_consistent(a)
        self.assertGreater(a["down_s"], 0, a)
        self.assertEqual(a["outages"], 1, a)
        self.assertLess(a["availability"], 100.0)
        p = y.availability("monitors", "pausing", t0 - 10, t1)
        self.check_consistent(p)
        self.assertGreater(p["paused_s"], 1.0, p)
        self.assertEqual(p["down_s"], 0, p)
        self.assertEqual(p["availability"], 100.0, p)
        # A period inside one up interval: 100 % exactly, nothing else.
        s0 = parse_time(steady["state_since"]) + 0.1
        s = y.availability("monitors", "steady", s0, s0 + 1)
        self.check_consistent(s)
        self.assertAlmostEqual(s["up_s"], 1.0, delta=0.002, msg=s)
        self.assertEqual(s["availability"], 100.0)
        # A period before anything was observed: no availability.
        n = y.availability("monitors", "steady", t0 - 7200, t0 - 3600)
        self.check_consistent(n)
        self.assertAlmostEqual(n["no_data_s"], 3600, delta=0.01)
        self.assertIsNone(n["availability"])
        # Events agree with the figures: durations sum up per state.
        ev = y.events("flap", t0 - 10, t1)
        for e in ev:
            if e["end"] is not None:
                self.assertAlmostEqual(e["duration_s"],
                                       parse_time(e["end"]) - parse_time(e["start"]),
                                       delta=0.051, msg=e)
        downs = [e for e in ev if e["state"] == "down"]
        self.assertEqual(len(downs), 1)
        self.assertAlmostEqual(downs[0]["duration_s"], a["down_s"], delta=0.01)

    def test_system_follows_critical_monitors(self):
        up = self.http_target(status=200)
        down = self.http_target(status=503)
        t0 = time.time()
        y = self.start_yunwei(config_text(
            [system("calm", "key"), system("broken", "general")],
            [monitor("calm-crit", "calm", "http", url=up.url, retries=1, critical=True),
             monitor("calm-minor", "calm", "http", url=down.url, retries=1, critical=False),
             monitor("broken-crit-down", "broken", "http", url=down.url, retries=1,
                     critical=True),
             monitor("broken-crit-up", "broken", "http", url=up.url, retries=1,
                     critical=True)]))
        for name, st in (("calm-crit", "up"), ("calm-minor", "down"),
                         ("broken-crit-down", "down"), ("broken-crit-up", "up")):
            y.wait_state(name, st)
        wait_until(lambda: y.system("calm")["state"] == "up", 5, msg="system calm up")
        wait_until(lambda: y.system("broken")["state"] == "down", 5, msg="system broken down")
        s = y.system("calm")
        self.assertEqual(s["monitors"], 2)
        self.assertEqual(s["tier"], "key")
        self.assertEqual(y.system("broken")["tier"], "general")
        names = sorted(x["name"] for x in y.get("systems")["items"])
        self.assertEqual(names, ["broken", "calm"])
        time.sleep(1)
        t1 = time.time() - 0.2
        calm = y.availability("systems", "calm", t0 - 5, t1)
        broken = y.availability("systems", "broken", t0 - 5, t1)
        crit = y.availability("monitors", "calm-crit", t0 - 5, t1)
        crit_down = y.availability("monitors", "broken-crit-down", t0 - 5, t1)
        for a in (calm, broken):
            Availability.check_consistent(self, a)
        # The non-critical down monitor does not count; the system is its
        # critical monitor.
        self.assertEqual(calm["down_s"], 0, calm)
        self.assertAlmostEqual(calm["up_s"], crit["up_s"], delta=0.01)
        self.assertEqual(calm["availability"], 100.0)
        # One critical monitor down makes the system down, the other's up time
        # does not help.
        self.assertAlmostEqual(broken["down_s"], crit_down["down_s"], delta=0.01)
        self.assertGreater(broken["down_s"], 0)
        self.assertEqual(broken["up_s"], 0, broken)
        self.assertEqual(broken["availability"], 0.0)
        self.assertEqual(broken["outages"], 1, broken)
        # Recovery of the critical monitor makes the system up.
        down.set(status=200)
        y.wait_state("broken-crit-down", "up")
        wait_until(lambda: y.system("broken")["state"] == "up", 5, msg="system broken up")


if __name__ == "__main__":
    unittest.main()
