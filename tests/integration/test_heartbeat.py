"""Heartbeat monitors: pushes keep them up, silence past interval + grace
makes them down, a push with status=down makes them down, unknown tokens 404."""

import time
import unittest

from harness import YunweiTestCase, config_text, monitor, system, parse_time

TOKEN = "etl_nightly_token_0123456789"


def hb_config(**kw):
    m = monitor("etl", "data", "heartbeat", interval="2s", grace="1s", retries=1, token=TOKEN)
    m.update(kw)
    return config_text([system("data")], [m, monitor("etl-generated", "data", "heartbeat",
                                                     interval="1h", retries=1)])


class Heartbeat(YunweiTestCase):

    def push(self, y, query="", method="GET", token=TOKEN):
        # A script pushing a heartbeat holds the push token only: no API
        # token, no session.
        r = y.api(method, "push/" + token + query, token=None)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json, {"ok": True})
        return time.time()

    def test_push_keeps_up_and_silence_makes_down(self):
        y = self.start_yunwei(hb_config())
        m = y.monitor("etl")
        self.assertEqual(m["push_url"], "/api/v1/push/" + TOKEN)
        self.push(y)
        y.wait_state("etl", "up", timeout=5)
        # Push every 0.5 s for 5 s, longer than interval + grace (3 s): never down.
        end = time.monotonic() + 5
        while time.monotonic() < end:
            self.push(y, method="POST")
            self.assertEqual(y.state("etl"), "up")
            time.sleep(0.5)
        last = self.push(y)
        since = y.monitor("etl")["state_since"]
        m = y.wait_state("etl", "down", timeout=10)
        down_at = parse_time(m["state_since"])
        # Not before interval + grace (3 s) after the last push (0.3 s slack
        # for the clock of the push itself).
        self.assertGreaterEqual(down_at - last, 2.7, "went down %.2fs after the last push"
                                % (down_at - last))
        self.assertLess(down_at - last, 6.0)
        # While pushed, the monitor stayed in one up interval.
        ups = [e for e in y.events("etl") if e["state"] == "up"]
        self.assertEqual(len(ups), 1, ups)
        self.assertEqual(ups[0]["start"], since)
        # A push brings it back.
        self.push(y)
        y.wait_state("etl", "up", timeout=5)

    def test_push_with_status_down(self):
        y = self.start_yunwei(hb_config())
        self.push(y)
        y.wait_state("etl", "up", timeout=5)
        self.push(y, "?status=down&msg=" + "rows%20missing")
        y.wait_state("etl", "down", timeout=5)
        self.push(y, "?status=up&rows=1200")
        y.wait_state("etl", "up", timeout=5)
        self.assertEqual([e["state"] for e in y.events("etl") if e["state"] != "no_data"],
                         ["up", "down", "up"])

    def test_unknown_token_and_bad_status(self):
        y = self.start_yunwei(hb_config())
        r = y.api("GET", "push/no_such_token_0123456789", token=None)
        self.assertApiError(r, 404, "not_found")
        r = y.api("POST", "push/no_such_token_0123456789", token=None)
        self.assertApiError(r, 404, "not_found")
        r = y.api("GET", "push/" + TOKEN + "?status=sideways", token=None)
        self.assertApiError(r, 400, "invalid")

    def test_generated_token(self):
        y = self.start_yunwei(hb_config())
        m = y.monitor("etl-generated")
        url = m.get("push_url") or ""
        self.assertRegex(url, r"^/api/v1/push/[A-Za-z0-9_-]{16,64}$")
        self.assertNotEqual(url, "/api/v1/push/" + TOKEN)
        r = y.request("GET", url, token=None)
        self.assertEqual(r.status, 200, r)
        y.wait_state("etl-generated", "up", timeout=5)
        # The token is stable: the same monitor answers with the same URL.
        self.assertEqual(y.monitor("etl-generated")["push_url"], url)


if __name__ == "__main__":
    unittest.main()
