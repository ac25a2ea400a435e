"""kill -9 then restart on the same data dir: no interval the API reported is
lost, the gap is no_data (never up), and checking resumes."""

import time
import unittest

from harness import YunweiTestCase, config_text, monitor, system, parse_time

GAP = 4.0  # seconds yunwei stays dead


class Crash(YunweiTestCase):

    def test_kill9_restart_keeps_intervals(self):
        t = self.http_target(status=200)
        tcp = self.tcp_target()
        cfg = config_text(
            [system("core")],
            [monitor("steady", "core", "tcp", host="127.0.0.1", port=tcp.port, retries=1),
             monitor("flappy", "core", "http", url=t.url, retries=1)])
        y1 = self.start_yunwei(cfg, name="before")
        y1.wait_state("steady", "up")
        y1.wait_state("flappy", "up")
        # Make some closed intervals: up -> down -> up -> down.
        t.set(status=500)
        y1.wait_state("flappy", "down")
        t.set(status=200)
        y1.wait_state("flappy", "up")
        t.set(status=500)
        y1.wait_state("flappy", "down")
        t0 = y1.start_time - 60
        names = ("steady", "flappy")
        before = {n: y1.events(n, t0, time.time() + 60) for n in names}
        results_before = {n: y1.results(n) for n in names}
        all_before = y1.items("events?from=%s" % "2000-01-01")
        kill_t = time.time()
        y1.kill()
        self.assertEqual(y1.returncode, -9)
        time.sleep(GAP)  # the outage being recorded: nothing to poll for
        restart_t = time.time()
        y2 = self.start_yunwei(cfg, data_dir=y1.data_dir, name="after")
        y2.wait_state("steady", "up", timeout=10)
        y2.wait_state("flappy", "down", timeout=10)
        t.set(status=200)
        y2.wait_state("flappy", "up", timeout=10)
        after = {n: y2.events(n, t0, time.time() + 60) for n in names}

        for n in names:
            ev_after = {e["id"]: e for e in after[n]}
            for e in before[n]:
                with self.subTest(monitor=n, event=e):
                    self.assertIn(e["id"], ev_after, "interval lost after kill -9")
                    a = ev_after[e["id"]]
                    self.assertEqual(a["state"], e["state"])
                    self.assertEqual(a["start"], e["start"])
                    if e["end"] is not None:
                        self.assertEqual(a["end"], e["end"])
                    else:
                        # The interval open at the kill is closed at the
                        # last instant yunwei was known alive.
                        self.assertIsNotNone(a["end"], a)
                        self.assertLessEqual(parse_time(a["end"]), kill_t + 0.001, a)
                        self.assertGreaterEqual(parse_time(a["end"]), kill_t - 2.5, a)
            # The gap is no_data, covering the time yunwei was dead.
            gaps = [e for e in after[n] if e["state"] == "no_data"
                    and parse_time(e["start"]) <= kill_t + 0.001
                    and (e["end"] is None or parse_time(e["end"]) >= restart_t)]
            self.assertEqual(len(gaps), 1, (n, after[n]))
            self.assertGreaterEqual(parse_time(gaps[0]["start"]), kill_t - 2.5, gaps)
            # Nothing but no_data overlaps the dead time.
            dead0, dead1 = kill_t + 0.001, restart_t
            for e in after[n]:
                if e["state"] == "no_data":
                    continue
                end = parse_time(e["end"]) if e["end"] else time.time()
                self.assertFalse(parse_time(e["start"]) < dead1 and end > dead0,
                                 "%s interval overlaps the dead time: %r" % (e["state"], e))
            # The intervals are a clean timeline: no overlaps between them.
            spans = sorted((parse_time(e["start"]),
                            parse_time(e["end"]) if e["end"] else float("inf"))
                           for e in after[n])
            for (s0, e0), (s1, e1) in zip(spans, spans[1:]):
                self.assertLessEqual(e0, s1 + 0.001, "overlapping intervals %r" % after[n])
            # Results before the kill are kept, and checking resumed.
            ids_after = {r["id"] for r in y2.results(n)}
            lost = [r for r in results_before[n] if r["id"] not in ids_after]
            self.assertEqual(lost, [], "results reported before the kill are lost")
            new = [r for r in y2.results(n) if parse_time(r["time"]) >= restart_t]
            self.assertTrue(new, "no result after restart")
        # The all-monitors list kept them too.
        ids_all = {e["id"] for e in y2.items("events?from=%s" % "2000-01-01")}
        self.assertTrue({e["id"] for e in all_before} <= ids_all)
        # Availability over the dead time: no data, not up.
        a = y2.availability("monitors", "steady", kill_t + 0.1, restart_t - 0.1)
        self.assertEqual(a["up_s"], 0, a)
        self.assertAlmostEqual(a["no_data_s"], a["period_s"], delta=0.01)

    def test_sigterm_then_restart_closes_cleanly(self):
        tcp = self.tcp_target()
        cfg = config_text([system("core")],
                          [monitor("steady", "core", "tcp", host="127.0.0.1", port=tcp.port)])
        y1 = self.start_yunwei(cfg, name="first")
        y1.wait_state("steady", "up")
        ev1 = y1.events("steady")
        stop_t = time.time()
        self.assertEqual(y1.stop(), 0, y1.stderr_tail())
        y2 = self.start_yunwei(cfg, data_dir=y1.data_dir, name="second")
        y2.wait_state("steady", "up")
        ev2 = {e["id"]: e for e in y2.events("steady")}
        for e in ev1:
            self.assertIn(e["id"], ev2)
            self.assertEqual(ev2[e["id"]]["start"], e["start"])
        up_before = [e for e in ev1 if e["state"] == "up"][-1]
        closed = ev2[up_before["id"]]
        self.assertIsNotNone(closed["end"])
        self.assertLessEqual(parse_time(closed["end"]), stop_t + 1.0)
        self.assertGreaterEqual(parse_time(closed["end"]), stop_t - 1.5)


if __name__ == "__main__":
    unittest.main()
