"""Detection by each probe type against real local targets: http status,
keyword present/absent, JSON path equals/exists, TLS expiry, TCP, and a slow
target that must not delay other checks."""

import time
import unittest

from harness import YunweiTestCase, config_text, monitor, system, wait_until


class HttpDetection(YunweiTestCase):

    def test_status_up_then_down_then_up(self):
        t = self.http_target(status=200, body="hello")
        y = self.start_yunwei(config_text(
            [system("web")],
            [monitor("web-home", "web", "http", url=t.url, retries=1)]))
        m = y.wait_state("web-home", "up")
        self.assertEqual(m["type"], "http")
        self.assertEqual(m["url"], t.url)
        res = y.results("web-home")
        self.assertTrue(res, "results after up")
        self.assertTrue(res[0]["ok"])
        self.assertEqual(res[0]["status"], 200)
        t.set(status=503)
        m = y.wait_state("web-home", "down")
        self.assertIn("503", m["state_reason"] or "")
        bad = [r for r in y.results("web-home") if not r["ok"]]
        self.assertTrue(bad)
        self.assertEqual(bad[0]["status"], 503)
        t.set(status=200)
        y.wait_state("web-home", "up")
        states = [e["state"] for e in y.events("web-home")]
        self.assertIn("down", states)
        self.assertEqual(states[-1], "up")

    def test_expected_status_list(self):
        t = self.http_target(status=404, body="gone")
        y = self.start_yunwei(config_text(
            [system("web")],
            [monitor("want-404", "web", "http", url=t.url, retries=1, status=[404]),
             monitor("default-status", "web", "http", url=t.url, retries=1)]))
        y.wait_state("want-404", "up")
        y.wait_state("default-status", "down")

    def test_keyword_present_and_absent(self):
        t = self.http_target(status=200, body="<h1>欢迎访问数据资源中心</h1>")
        y = self.start_yunwei(config_text(
            [system("portal")],
            [monitor("kw", "portal", "http", url=t.url, retries=1, keyword="数据资源中心"),
             monitor("kw-absent", "portal", "http", url=t.url, retries=1,
                     keyword_absent="系统维护中")]))
        y.wait_state("kw", "up")
        y.wait_state("kw-absent", "up")
        t.set(body="<h1>系统维护中</h1>")
        m = y.wait_state("kw", "down")
        self.assertIn("数据资源中心", m["state_reason"] or "",
                      "the reason names the missing keyword")
        y.wait_state("kw-absent", "down")
        t.set(body="数据资源中心")
        y.wait_state("kw", "up")
        y.wait_state("kw-absent", "up")

    def test_json_path_equals_and_exists(self):
        good = {"code": 0, "data": {"total": 5, "items": [{"id": 7, "name": "目录"}]}}
        t = self.http_target(status=200, body=good)
        y = self.start_yunwei(config_text(
            [system("api")],
            [monitor("api-ok", "api", "http", url=t.url, retries=1,
                     json=[{"path": "data.total", "exists": True},
                           {"path": "code", "equals": 0},
                           {"path": "data.items[0].id", "equals": 7},
                           {"path": "data.items[0].name", "equals": "目录"}]),
             monitor("api-no-error", "api", "http", url=t.url, retries=1,
                     json=[{"path": "error", "exists": False}])]))
        y.wait_state("api-ok", "up")
        y.wait_state("api-no-error", "up")
        # code != 0: equals fails.
        t.set(body=dict(good, code=1))
        y.wait_state("api-ok", "down")
        y.wait_state("api-no-error", "up")
        t.set(body=good)
        y.wait_state("api-ok", "up")
        # data.total missing: exists fails; an "error" key appears.
        t.set(body={"code": 0, "data": {"items": [{"id": 7, "name": "目录"}]}, "error": "x"})
        y.wait_state("api-ok", "down")
        y.wait_state("api-no-error", "down")
        t.set(body=good)
        y.wait_state("api-ok", "up")
        # Not JSON at all: an equals check cannot pass.
        t.set(body="<html>not json</html>", content_type="text/html")
        y.wait_state("api-ok", "down")

    def test_slow_target_times_out_and_does_not_delay_others(self):
        slow = self.http_target(status=200, body="slow", delay=5)
        fast = self.http_target(status=200, body="fast")
        y = self.start_yunwei(config_text(
            [system("web")],
            [monitor("slow", "web", "http", url=slow.url, retries=1, timeout="1s"),
             monitor("fast", "web", "http", url=fast.url, retries=1)]))
        m = y.wait_state("slow", "down", timeout=20)
        self.assertTrue(m["state_reason"], "a reason for the timeout")
        bad = [r for r in y.results("slow") if not r["ok"]]
        self.assertTrue(bad)
        # The timeout bounds the check: latency near 1 s, never the 5 s delay.
        self.assertLess(bad[-1]["latency_ms"], 3000, bad[-1])
        y.wait_state("fast", "up")
        n0 = fast.request_count()
        t0 = time.monotonic()
        wait_until(lambda: fast.request_count() >= n0 + 4, 8, msg="fast target checked 4 more times")
        # 4 checks at a 1 s interval while 'slow' hangs: about 4 s, not 4 x 5 s.
        self.assertLess(time.monotonic() - t0, 6.5)


class TlsDetection(YunweiTestCase):

    def test_certificate_expiry_against_min_days(self):
        t = self.https_target(days=5, body="tls")
        y = self.start_yunwei(config_text(
            [system("sec")],
            [monitor("cert-14", "sec", "tls", host="127.0.0.1", port=t.port, min_days=14,
                     verify=False, retries=1),
             monitor("cert-3", "sec", "tls", host="127.0.0.1", port=t.port, min_days=3,
                     verify=False, retries=1),
             monitor("https-noverify", "sec", "http", url=t.url, tls_verify=False, retries=1),
             monitor("https-verify", "sec", "http", url=t.url, retries=1)]))
        m = y.wait_state("cert-14", "down")
        y.wait_state("cert-3", "up")
        # Days left as the value of the result: the cert has just under 5 days.
        for name in ("cert-14", "cert-3"):
            r = y.results(name)[0]
            self.assertGreater(r["value"], 4.0, r)
            self.assertLessEqual(r["value"], 5.0, r)
        self.assertTrue(m["state_reason"])
        y.wait_state("https-noverify", "up")
        # Self-signed: with verification on (the default) the page is down.
        y.wait_state("https-verify", "down")

    def test_tls_port_closed_is_down(self):
        y = self.start_yunwei(config_text(
            [system("sec")],
            [monitor("cert-none", "sec", "tls", host="127.0.0.1", port=1, verify=False,
                     retries=1)]))
        y.wait_state("cert-none", "down")


class TcpDetection(YunweiTestCase):

    def test_open_closed_open(self):
        t = self.tcp_target()
        y = self.start_yunwei(config_text(
            [system("db")],
            [monitor("db-port", "db", "tcp", host="127.0.0.1", port=t.port, retries=1)]))
        y.wait_state("db-port", "up")
        t.close()
        m = y.wait_state("db-port", "down")
        self.assertTrue(m["state_reason"])
        t.open()
        y.wait_state("db-port", "up")
        ev = y.events("db-port")
        self.assertEqual([e["state"] for e in ev if e["state"] != "no_data"],
                         ["up", "down", "up"], ev)


if __name__ == "__main__":
    unittest.main()
