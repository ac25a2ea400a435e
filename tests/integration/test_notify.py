"""Notifications against the real server: channels made through the API send
their "test" message to receivers this test runs on 127.0.0.1 — a generic
webhook (bearer token and signature checked), a DingTalk-style robot whose
signed URL is verified here with hmac/hashlib/base64, a minimal SMTP server
(socketserver) — and the delivery log shows what happened. A receiver that
is down: the failed attempt is logged, and the retry (10 s later) goes
through once it is back. Secrets never appear in an answer or in the audit
trail; an engineer may read the channels but not change them or send tests.

Robots are addressed over https in production; plain http is accepted only
to this machine's loopback addresses, which is what lets a local receiver
stand in for DingTalk here (docs/notify.md)."""

import base64
import hashlib
import hmac
import http.server
import json
import socket
import socketserver
import threading
import time
import unittest
import urllib.parse

from harness import HOST, YunweiTestCase, free_port, wait_until

PW = "Notify-Test-Pw1!"
SECRETS = ("hook-bearer-token-1", "hook-sign-secret-2", "ding-access-tok-3", "SECding-sign-4",
           "smtp-pass-5")


# ------------------------------------------------------------- receivers --

class _Hook(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        st = self.server.state
        with st["lock"]:
            st["requests"].append({"path": self.path, "headers": dict(self.headers),
                                   "body": body})
            answer = st["answer"]
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _HookServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass


class Receiver:
    """Records every POST; answers {"errcode":0,"errmsg":"ok"} (what the
    robots answer) unless told otherwise."""

    def __init__(self, port=0):
        self.server = _HookServer((HOST, port), _Hook)
        self.server.state = {"lock": threading.Lock(), "requests": [],
                             "answer": {"errcode": 0, "errmsg": "ok"}}
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://%s:%d%s" % (HOST, self.port, path)

    def requests(self):
        with self.server.state["lock"]:
            return list(self.server.state["requests"])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


class _Smtp(socketserver.StreamRequestHandler):
    """Just enough SMTP for one mail: EHLO, MAIL, RCPT, DATA, QUIT."""

    def line(self, s):
        self.wfile.write(s.encode() + b"\r\n")

    def handle(self):
        st = self.server.state
        self.line("220 test ESMTP")
        rcpt, data = [], None
        while True:
            raw = self.rfile.readline(65536)
            if not raw:
                return
            cmd = raw.decode("utf-8", "replace").rstrip("\r\n")
            up = cmd.upper()
            if up.startswith("EHLO") or up.startswith("HELO"):
                self.line("250-test")
                self.line("250 SIZE 1000000")
            elif up.startswith("MAIL FROM:"):
                st["from"] = cmd[10:].strip()
                self.line("250 ok")
            elif up.startswith("RCPT TO:"):
                rcpt.append(cmd[8:].strip())
                self.line("250 ok")
            elif up == "DATA":
                self.line("354 end with <CRLF>.<CRLF>")
                lines = []
                while True:
                    l = self.rfile.readline(65536)
                    if not l or l == b".\r\n":
                        break
                    lines.append(l)
                data = b"".join(lines)
                with st["lock"]:
                    st["mails"].append({"rcpt": rcpt, "data": data})
                self.line("250 queued")
            elif up == "QUIT":
                self.line("221 bye")
                return
            else:
                self.line("250 ok")


class SmtpServer:
    def __init__(self):
        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer((HOST, 0), _Smtp)
        self.server.daemon_threads = True
        self.server.state = {"lock": threading.Lock(), "mails": []}
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def mails(self):
        with self.server.state["lock"]:
            return list(self.server.state["mails"])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def header_decode(value):
    """RFC 2047 UTF-8 B words (what yunwei writes) to text."""
    out = []
    for word in value.replace("\r\n ", " ").split():
        if word.startswith("=?UTF-8?B?") and word.endswith("?="):
            out.append(base64.b64decode(word[10:-2]).decode("utf-8"))
        else:
            out.append(word)
    return "".join(out)


# ------------------------------------------------------------------ tests --

class Notify(YunweiTestCase):

    def setUp(self):
        super().setUp()
        self.rx = Receiver()
        self.addCleanup(self.rx.stop)
        self.y = self.start_yunwei()
        # the administrator's contacts: the test message goes to whoever asks
        self.y.api("PUT", "contacts/me",
                   {"email": "admin@example.cn", "mobile": "13800001111"}, expect=200)

    def delivery(self, did):
        return self.y.get("deliveries/%d" % did)

    def wait_delivery(self, did, pred, timeout=15, msg="delivery"):
        return wait_until(lambda: (lambda d: d if pred(d) else None)(self.delivery(did)),
                          timeout, 0.1, msg)

    def assert_no_secret(self, text, where):
        for s in SECRETS:
            self.assertNotIn(s, text, "%s shows a secret" % where)

    def test_webhook_and_dingtalk_test_messages(self):
        y, rx = self.y, self.rx
        hook = y.api("POST", "channels", {
            "name": "ops-hook", "type": "webhook", "url": rx.url("/hook"),
            "token": SECRETS[0], "secret": SECRETS[1]}, expect=201)
        self.assertEqual(hook["token"], "••••")
        self.assertTrue(hook["token_set"])
        self.assertTrue(hook["secret_set"])
        # DingTalk-style: the whole address pasted, credential and all
        ding = y.api("POST", "channels", {
            "name": "ops-ding", "type": "dingtalk", "title": "运维值班群",
            "url": rx.url("/robot/send?access_token=" + SECRETS[2]),
            "secret": SECRETS[3]}, expect=201)
        self.assertEqual(ding["url"], rx.url("/robot/send"))
        self.assertEqual(ding["token"], "••••")
        # https is required for a robot anywhere but this machine
        r = y.api("POST", "channels", {"name": "far", "type": "dingtalk",
                                       "url": "http://example.com/robot/send?access_token=x"})
        self.assertApiError(r, 400, "invalid", "url")

        # the webhook's test: every field as JSON, the bearer token, a signature
        t = y.api("POST", "channels/ops-hook/test", {}, expect=202)
        d = self.wait_delivery(t["delivery_id"], lambda d: d["status"] == "sent",
                               msg="webhook test sent")
        self.assertEqual(d["kind"], "test")
        self.assertEqual(d["attempts"], 1)
        self.assertEqual(d["attempt_log"][0]["status"], 200)
        self.assertTrue(d["attempt_log"][0]["ok"])
        self.assertEqual(d["recipients"], ["itest-admin"])
        req = rx.requests()[-1]
        self.assertEqual(req["path"], "/hook")
        self.assertEqual(req["headers"].get("Authorization"), "Bearer " + SECRETS[0])
        ts = req["headers"]["X-Yunwei-Timestamp"]
        want = "sha256=" + hmac.new(SECRETS[1].encode(), ts.encode() + b"." + req["body"],
                                    hashlib.sha256).hexdigest()
        self.assertEqual(req["headers"]["X-Yunwei-Signature"], want)
        j = json.loads(req["body"])
        self.assertEqual(j["kind"], "test")
        self.assertTrue(j["test"])
        self.assertEqual(j["channel"], "ops-hook")
        self.assertEqual(j["delivery_id"], t["delivery_id"])
        self.assertIn("测试消息", j["subject"])
        self.assertIn("ops-hook", j["text"])
        self.assertEqual(j["recipients"][0]["login"], "itest-admin")
        self.assertEqual(j["recipients"][0]["mobile"], "13800001111")
        self.assertTrue(j["link"].startswith("http://127.0.0.1:"))

        # DingTalk's test: the signed URL verifies (timestamp ms + "\n" + secret,
        # HMAC-SHA256 keyed with the secret, base64, URL-encoded)
        t = y.api("POST", "channels/ops-ding/test", None, expect=202)
        self.wait_delivery(t["delivery_id"], lambda d: d["status"] == "sent",
                           msg="dingtalk test sent")
        req = rx.requests()[-1]
        u = urllib.parse.urlsplit(req["path"])
        self.assertEqual(u.path, "/robot/send")
        q = urllib.parse.parse_qs(u.query)
        self.assertEqual(q["access_token"], [SECRETS[2]])
        ts = q["timestamp"][0]
        self.assertLess(abs(int(ts) - time.time() * 1000), 60000)
        mac = hmac.new(SECRETS[3].encode(), ("%s\n%s" % (ts, SECRETS[3])).encode(),
                       hashlib.sha256).digest()
        self.assertEqual(q["sign"][0], base64.b64encode(mac).decode())
        self.assertIn("&sign=" + urllib.parse.quote_plus(base64.b64encode(mac).decode()),
                      req["path"])
        j = json.loads(req["body"])
        self.assertEqual(j["msgtype"], "markdown")
        self.assertIn("测试消息", j["markdown"]["title"])
        self.assertIn("@13800001111", j["markdown"]["text"])
        self.assertEqual(j["at"]["atMobiles"], ["13800001111"])
        self.assertNotIn(SECRETS[3].encode(), req["body"])

        # the log lists both, newest first, and filters
        log = y.get("deliveries?channel=ops-ding")["items"]
        self.assertEqual([d["channel"] for d in log], ["ops-ding"])
        self.assertEqual(log[0]["status"], "sent")
        self.assertEqual(len(y.get("deliveries?status=sent")["items"]), 2)
        self.assertApiError(y.api("GET", "deliveries?status=lost"), 400, "invalid", "status")

        # no secret in any answer; a PUT without them keeps them
        for path in ("channels", "channels/ops-hook", "channels/ops-ding", "deliveries"):
            self.assert_no_secret(y.api("GET", path).text, path)
        put = dict(hook)
        put["title"] = "告警转发"
        for k in ("token", "secret"):
            del put[k]
        r = y.api("PUT", "channels/ops-hook", put, expect=200)
        self.assertTrue(r["token_set"])
        self.assertEqual(r["title"], "告警转发")
        t = y.api("POST", "channels/ops-hook/test", None, expect=202)
        self.wait_delivery(t["delivery_id"], lambda d: d["status"] == "sent", msg="sent again")
        self.assertEqual(rx.requests()[-1]["headers"].get("Authorization"),
                         "Bearer " + SECRETS[0])

        # the audit trail records the changes, without the secrets
        self.add_user(y, "aud", "auditadmin", PW)
        aud = self.make_token(y, "aud")
        trail = y.api("GET", "audit?limit=200", token=aud)
        self.assertEqual(trail.status, 200, trail)
        actions = [r["action"] for r in trail.json["items"]]
        self.assertIn("channel.create", actions)
        self.assertIn("channel.update", actions)
        self.assertIn("channel.test", actions)
        self.assert_no_secret(trail.text, "the audit trail")

    def test_receiver_down_is_retried(self):
        y = self.y
        port = free_port()  # nothing listens there yet
        y.api("POST", "channels", {"name": "later", "type": "webhook",
                                   "url": "http://%s:%d/x" % (HOST, port)}, expect=201)
        t = y.api("POST", "channels/later/test", None, expect=202)
        d = self.wait_delivery(t["delivery_id"], lambda d: d["attempts"] >= 1,
                               msg="first attempt")
        self.assertEqual(d["status"], "queued")  # to be retried
        self.assertIsNotNone(d["next_attempt"])
        self.assertFalse(d["attempt_log"][0]["ok"])
        self.assertIn("onnect", d["attempt_log"][0]["error"])
        self.assertIn("onnect", d["last_error"])
        back = Receiver(port)
        self.addCleanup(back.stop)
        d = self.wait_delivery(t["delivery_id"], lambda d: d["status"] == "sent", timeout=25,
                               msg="sent after the receiver came back (retry after 10 s)")
        self.assertEqual(d["attempts"], 2)
        self.assertTrue(d["attempt_log"][1]["ok"])
        self.assertEqual(len(back.requests()), 1)

    def test_mail_over_smtp(self):
        y = self.y
        smtp = SmtpServer()
        self.addCleanup(smtp.stop)
        ch = y.api("POST", "channels", {
            "name": "ops-mail", "type": "email", "host": "127.0.0.1", "port": smtp.port,
            "security": "none", "username": "ops", "password": SECRETS[4],
            "from": "yunwei@example.cn", "to": ["team@example.cn"]}, expect=201)
        self.assertEqual(ch["password"], "••••")
        t = y.api("POST", "channels/ops-mail/test", None, expect=202)
        d = self.wait_delivery(t["delivery_id"], lambda d: d["status"] in ("sent", "failed"),
                               msg="mail sent")
        # our SMTP server offers no AUTH: curl sends without logging in
        self.assertEqual(d["status"], "sent", d)
        self.assertEqual(d["attempt_log"][0]["status"], 250)
        mail = smtp.mails()[0]
        self.assertEqual(sorted(mail["rcpt"]), ["<admin@example.cn>", "<team@example.cn>"])
        head, _, body = mail["data"].partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode().replace("\r\n ", " ").split("\r\n"):
            k, _, v = line.partition(": ")
            headers[k] = v
        self.assertIn("测试消息", header_decode(headers["Subject"]))
        self.assertIn("<yunwei@example.cn>", headers["From"])
        self.assertEqual(headers["Content-Type"], "text/plain; charset=UTF-8")
        text = base64.b64decode(body).decode("utf-8")
        self.assertIn("ops-mail", text)
        self.assertIn("配置正确", text)
        self.assertNotIn(SECRETS[4].encode(), mail["data"])
        # plain SMTP only to this machine
        r = y.api("POST", "channels", {"name": "far-mail", "type": "email",
                                       "host": "mail.example.cn", "security": "none",
                                       "from": "yunwei@example.cn"})
        self.assertApiError(r, 400, "invalid", "security")

    def test_roles_rules_and_roster(self):
        y = self.y
        y.api("POST", "channels", {"name": "ops-hook", "type": "webhook",
                                   "url": self.rx.url("/hook"), "token": SECRETS[0]},
              expect=201)
        self.add_user(y, "eng1", "engineer", PW)
        self.add_user(y, "pm1", "manager", PW)
        eng, pm = self.make_token(y, "eng1"), self.make_token(y, "pm1")
        # an engineer reads channels (masked), but cannot change them or send tests
        r = y.api("GET", "channels", token=eng)
        self.assertEqual(r.status, 200)
        self.assert_no_secret(r.text, "channels as the engineer sees them")
        self.assertApiError(y.api("POST", "channels", {"name": "x", "type": "webhook",
                                                        "url": self.rx.url("/")}, token=eng),
                            403, "forbidden")
        self.assertApiError(y.api("POST", "channels/ops-hook/test", None, token=eng), 403,
                            "forbidden")
        self.assertApiError(y.api("DELETE", "channels/ops-hook", token=eng), 403, "forbidden")
        self.assertApiError(y.api("PUT", "contacts/eng1", {"mobile": "13900000000"},
                                  token=eng), 403, "forbidden")
        self.assertEqual(y.api("GET", "duty/now", token=eng).status, 200)
        self.assertApiError(y.api("POST", "duty/rotation", {}, token=eng), 403, "forbidden")

        # the manager writes rules and the roster
        rule = {"name": "l12", "match": {"levels": [1, 2]},
                "steps": [{"after": "0m", "to": ["duty:primary"], "channels": ["ops-hook"]},
                          {"after": "15m", "to": ["duty:lead", "role:manager"],
                           "channels": ["ops-hook"]}]}
        got = y.api("POST", "rules", rule, token=pm, expect=201)
        self.assertEqual(got["steps"][1]["after"], "15m")
        bad = dict(rule, name="bad", steps=[{"to": ["duty:night"], "channels": ["ops-hook"]}])
        self.assertApiError(y.api("POST", "rules", bad, token=pm), 400, "invalid",
                            "steps[0].to[0]")
        bad = dict(rule, name="bad2", steps=[{"channels": ["no-such"]}])
        self.assertApiError(y.api("POST", "rules", bad, token=pm), 400, "invalid", "channels")
        # a channel a rule sends to cannot be deleted
        self.assertApiError(y.api("DELETE", "channels/ops-hook"), 409, "conflict")

        now = time.time()
        start = time.strftime("%Y-%m-%dT%H:00:00+00:00", time.gmtime(now - 3600))
        rot = y.api("POST", "duty/rotation", {"people": ["eng1", "pm1"], "position": "primary",
                                               "shift": "12h", "start": start, "days": 2},
                    token=pm, expect=201)
        self.assertEqual(rot["created"], 4)
        cur = y.api("GET", "duty/now", token=eng, expect=200)
        self.assertEqual(cur["positions"]["primary"]["user"], "eng1")
        self.assertIsNone(cur["positions"]["backup"])
        shifts = y.get("duty")["items"]
        self.assertGreaterEqual(len(shifts), 2)
        sid = shifts[0]["id"]
        r = y.api("PUT", "duty/shifts/%d" % sid, {
            "user": "pm1", "position": "primary", "start": shifts[0]["start"],
            "end": shifts[0]["end"], "note": "换班"}, token=pm, expect=200)
        self.assertEqual(r["user"], "pm1")
        ho = y.api("POST", "duty/handover", {"position": "primary", "to": "eng1",
                                              "note": "交接：无遗留问题"}, token=pm, expect=201)
        self.assertEqual(ho["to"], "eng1")
        self.assertEqual(ho["by"], "pm1")
        self.assertEqual(len(y.get("duty/handovers")["items"]), 1)
        y.api("PUT", "contacts/eng1", {"mobile": "13900000000", "dingtalk_id": "eng1-dt"},
              token=pm, expect=200)
        self.assertEqual(y.get("contacts/eng1")["mobile"], "13900000000")
        self.assertApiError(y.api("PUT", "contacts/eng1", {"mobile": "call me"}, token=pm),
                            400, "invalid", "mobile")
        y.api("DELETE", "duty/shifts/%d" % sid, token=pm, expect=None)
        self.assertApiError(y.api("GET", "rules/nope"), 404, "not_found")


if __name__ == "__main__":
    unittest.main()
