"""The security baseline against the real server (issue 3): every route
locked without credentials, the first administrator's setup link, login and
the password policy, expiry, lockout and unlock, the login rate limit, TOTP
enrolment and login, security headers, HTTPS, and monitor secrets that never
leave the store in clear. Sessions, CSRF and API tokens: test_sessions.py.

Logins cost an Argon2id hash each (slow-ish under ASan), so every test makes
the few it needs, and attempts that the per-address rate limit counts are
spread over loopback source addresses (127.0.0.N) where a test needs many."""

import base64
import hashlib
import hmac
import http.client
import os
import re
import sqlite3
import struct
import time
import unittest

from harness import (ADMIN_USER, YunweiTestCase, Session, TlsCert, parse_set_cookie,
                     rfc3339)

# Passwords that meet the default policy (>= 10 characters, >= 3 classes,
# not containing the user name).
PW0 = "Initial-Passw0rd"
PW1 = "Second-Passw0rd!"
PW2 = "Third-Passw0rd#"
SECRET = "Pg-S3cret-Value-7731"


# ------------------------------------------------------------------- TOTP --

def totp_code(secret_b32, step):
    """RFC 6238 / RFC 4226: HMAC-SHA1, 6 digits, for the 30 s step `step`."""
    s = secret_b32.strip().replace(" ", "").upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    off = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[off:off + 4])[0] & 0x7FFFFFFF
    return "%06d" % (value % 1000000)


def now_step():
    return int(time.time() // 30)


def usable_step(after):
    """A step later than `after` that the server accepts now (it takes
    now-1, now and now+1) and still accepts for at least 30 s: the current
    one or the next, never the previous (a slow request could see it go)."""
    t = time.time()
    cur = int(t // 30)
    s = max(after + 1, cur)
    if s > cur + 1:
        time.sleep((s - 1) * 30 - t + 0.2)
    return s


def wrong_code(secret, step):
    """A 6-digit code that matches none of the steps step-2..step+2."""
    near = {totp_code(secret, s) for s in range(step - 2, step + 3)}
    c = int(totp_code(secret, step))
    while "%06d" % c in near:
        c = (c + 1) % 1000000
    return "%06d" % c


# ---------------------------------------------------------------- helpers --

def security_headers_problems(r):
    """What is wrong with the security headers of answer r ([] if nothing)."""
    bad = []
    csp = r.headers.get("content-security-policy", "")
    directives = {}
    for d in csp.split(";"):
        parts = d.split()
        if parts:
            directives[parts[0].lower()] = parts[1:]
    script = directives.get("script-src", directives.get("default-src"))
    if script is None:
        bad.append("CSP without script-src or default-src: %r" % csp)
    elif "'unsafe-inline'" in script or "'unsafe-eval'" in script:
        bad.append("CSP allows inline script: %r" % csp)
    if r.headers.get("x-frame-options", "").upper() != "DENY":
        bad.append("X-Frame-Options %r" % r.headers.get("x-frame-options"))
    if r.headers.get("x-content-type-options", "").lower() != "nosniff":
        bad.append("X-Content-Type-Options %r" % r.headers.get("x-content-type-options"))
    if r.headers.get("referrer-policy", "").lower() != "no-referrer":
        bad.append("Referrer-Policy %r" % r.headers.get("referrer-policy"))
    return bad


def where_in_db(path):
    """': table.column' cells of the SQLite file at path that hold SECRET
    (best effort, for the failure message)."""
    try:
        c = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
    except sqlite3.Error:
        return ""
    found = []
    try:
        for (t,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
            cols = [r[1] for r in c.execute('PRAGMA table_info("%s")' % t)]
            for col in cols:
                n = c.execute('SELECT count(*) FROM "%s" WHERE CAST("%s" AS TEXT) LIKE ?'
                              % (t, col), ("%" + SECRET + "%",)).fetchone()[0]
                if n:
                    found.append("%s.%s (%d rows)" % (t, col, n))
    except sqlite3.Error as e:
        found.append(str(e))
    finally:
        c.close()
    return ": " + ", ".join(found) if found else ""


class SecurityCase(YunweiTestCase):
    """One server per test, with helpers for accounts and the database."""

    def serve(self, config=None, **kw):
        self.y = self.start_yunwei(config, **kw)
        return self.y

    def user(self, name, roles, password=PW0):
        self.add_user(self.y, name, roles, password)
        return name

    def token(self, name, roles=None):
        return self.make_token(self.y, name, roles=roles)

    def staff_token(self, role, name=None):
        """A token of a new account holding only `role` (made from the shell)."""
        name = name or "itest-" + role
        self.user(name, role, "Staff-" + role.capitalize() + "-Pw-9")
        return self.token(name)

    def first_login(self, name, old=PW0, new=PW1, source=None):
        """Logs in, changes the forced password; returns the session."""
        s = Session(self.y, source=source)
        r = s.login(name, old)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.json["must_change_password"], r.json)
        r = s.change_password(old, new)
        self.assertEqual(r.status, 204, r)
        return s

    def db(self):
        c = sqlite3.connect(os.path.join(self.y.data_dir, "yunwei.db"), timeout=10,
                            isolation_level=None)
        self.addCleanup(c.close)
        return c

    def assertStatus(self, r, status, code=None, what=""):
        self.assertEqual(r.status, status, "%s: %r" % (what, r))
        if code is not None:
            self.assertEqual(r.error_code, code, "%s: %r" % (what, r))


# ------------------------------------------------------- no credentials --

class Unauthenticated(SecurityCase):

    def test_every_route_needs_credentials(self):
        y = self.serve()
        now = time.time()
        y.api("POST", "systems", {"name": "base", "tier": "key"}, expect=201)
        mon = y.api("POST", "monitors", {"name": "hb", "system": "base", "type": "heartbeat",
                                         "interval": "1h"}, expect=201)
        win = y.api("POST", "maintenance", {
            "name": "w", "systems": ["base"], "recurrence": "once",
            "start": rfc3339(now + 3600), "end": rfc3339(now + 7200)}, expect=201)
        org = y.api("POST", "orgs", {"name": "信息处", "kind": "client"}, expect=201)
        uid = y.get("users/" + ADMIN_USER)["id"]
        tid = y.get("tokens")["items"][0]["id"]
        sysb = {"name": "base", "tier": "general"}
        monb = {"name": "hb", "system": "base", "type": "heartbeat", "interval": "2h"}
        winb = {"name": "w2", "systems": ["base"], "recurrence": "once",
                "start": rfc3339(now + 3600), "end": rfc3339(now + 7200)}
        m, w, o = mon["id"], win["id"], org["id"]
        routes = [
            ("GET", "/metrics", None),
            ("GET", "/api/v1/systems", None),
            ("POST", "/api/v1/systems", {"name": "other", "tier": "key"}),
            ("GET", "/api/v1/systems/base", None),
            ("PUT", "/api/v1/systems/base", sysb),
            ("DELETE", "/api/v1/systems/base", None),
            ("GET", "/api/v1/systems/base/availability", None),
            ("GET", "/api/v1/monitors", None),
            ("GET", "/api/v1/monitors?system=base&type=heartbeat&q=hb", None),
            ("POST", "/api/v1/monitors", dict(monb, name="hb2")),
            ("GET", "/api/v1/monitors/%d" % m, None),
            ("GET", "/api/v1/monitors/hb", None),
            ("PUT", "/api/v1/monitors/%d" % m, monb),
            ("DELETE", "/api/v1/monitors/%d" % m, None),
            ("POST", "/api/v1/monitors/%d/pause" % m, None),
            ("POST", "/api/v1/monitors/%d/resume" % m, None),
            ("GET", "/api/v1/monitors/%d/results?limit=5" % m, None),
            ("GET", "/api/v1/monitors/%d/events" % m, None),
            ("GET", "/api/v1/monitors/%d/availability" % m, None),
            ("GET", "/api/v1/events?limit=5", None),
            ("GET", "/api/v1/maintenance", None),
            ("POST", "/api/v1/maintenance", winb),
            ("GET", "/api/v1/maintenance/%d" % w, None),
            ("PUT", "/api/v1/maintenance/%d" % w, winb),
            ("DELETE", "/api/v1/maintenance/%d" % w, None),
            ("GET", "/api/v1/session", None),
            ("DELETE", "/api/v1/session", None),
            ("POST", "/api/v1/session/password", {"old": PW0, "new": PW1}),
            ("POST", "/api/v1/session/totp/enrol", None),
            ("POST", "/api/v1/session/totp/confirm", {"code": "123456"}),
            ("GET", "/api/v1/sessions", None),
            ("DELETE", "/api/v1/sessions/0123456789ab", None),
            ("GET", "/api/v1/orgs", None),
            ("GET", "/api/v1/orgs?tree=1", None),
            ("POST", "/api/v1/orgs", {"name": "乙方", "kind": "contractor"}),
            ("GET", "/api/v1/orgs/%d" % o, None),
            ("PUT", "/api/v1/orgs/%d" % o, {"name": "改名"}),
            ("DELETE", "/api/v1/orgs/%d" % o, None),
            ("GET", "/api/v1/users", None),
            ("POST", "/api/v1/users", {"name": "intruder"}),
            ("GET", "/api/v1/users/%d" % uid, None),
            ("GET", "/api/v1/users/" + ADMIN_USER, None),
            ("PUT", "/api/v1/users/%d" % uid, {"display_name": "x"}),
            ("POST", "/api/v1/users/%d/reset-password" % uid, None),
            ("POST", "/api/v1/users/%d/unlock" % uid, None),
            ("PUT", "/api/v1/users/%d/roles" % uid, {"roles": ["viewer"]}),
            ("GET", "/api/v1/tokens", None),
            ("GET", "/api/v1/tokens?all=1", None),
            ("POST", "/api/v1/tokens", {"name": "mine"}),
            ("DELETE", "/api/v1/tokens/%d" % tid, None),
            ("GET", "/api/v1/policy", None),
            ("PUT", "/api/v1/policy", {"min_length": 8}),
            ("GET", "/api/v1/audit", None),
            ("GET", "/api/v1/audit?action=session.&limit=10", None),
            ("GET", "/api/v1/audit.csv", None),
            ("GET", "/api/v1/audit/verify", None),
        ]
        for method, path, body in routes:
            with self.subTest(method=method, path=path):
                r = y.request(method, path, body, token=None)
                self.assertStatus(r, 401, "unauthorized", "%s %s without credentials"
                                  % (method, path))
                self.assertTrue(r.json["error"].get("message"), r)
                self.assertTrue(r.headers.get("www-authenticate", "").startswith("Bearer"),
                                r.headers)
        # Credentials that are not ours count as none (a few only: refused
        # Bearer tokens are charged to the address's rate limit).
        junk = [{"Authorization": "Bearer ywt_" + "A" * 43},
                {"Authorization": "Basic " + base64.b64encode(b"itest-admin:x").decode()},
                {"Cookie": "yw_session=yws_" + "B" * 43},
                {"Cookie": "yw_session=../../etc/passwd"}]
        for h in junk:
            with self.subTest(headers=h):
                r = y.request("GET", "/api/v1/systems", headers=h, token=None,
                              source="127.0.0.9")
                self.assertStatus(r, 401, "unauthorized", repr(h))
        # Nothing was changed by the refused calls.
        self.assertEqual([s["name"] for s in y.get("systems")["items"]], ["base"])
        self.assertEqual(y.monitor("hb")["interval"], "1h")
        self.assertFalse(y.monitor("hb")["paused"])
        self.assertEqual([x["name"] for x in y.get("maintenance")["items"]], ["w"])
        self.assertEqual([x["name"] for x in y.get("orgs")["items"]], ["信息处"])
        self.assertEqual([x["name"] for x in y.get("users")["items"]], [ADMIN_USER])
        self.assertEqual(len(y.get("tokens")["items"]), 1)
        # The public doors: the load balancer's probe and the heartbeat push.
        r = y.request("GET", "/healthz", token=None)
        self.assertStatus(r, 200)
        self.assertEqual(r.json, {"status": "ok"})
        push = y.monitor("hb")["push_url"]
        r = y.request("GET", push + "?status=up", token=None)
        self.assertStatus(r, 200, None, "push without credentials")
        self.assertEqual(r.json, {"ok": True})
        r = y.request("POST", push, token=None)
        self.assertStatus(r, 200, None, "POST push without credentials")
        y.wait_state("hb", "up", timeout=5)
        r = y.request("GET", "/api/v1/push/not_a_real_token_0123456789", token=None)
        self.assertStatus(r, 404, "not_found")

    def test_security_headers_on_every_answer(self):
        y = self.serve()
        answers = {
            "200": y.request("GET", "/api/v1/systems"),
            "200 healthz": y.request("GET", "/healthz", token=None),
            "401": y.request("GET", "/api/v1/systems", token=None),
            "404": y.request("GET", "/api/v1/no-such-route"),
            "404 object": y.request("GET", "/api/v1/monitors/no-such-monitor"),
            "405": y.request("DELETE", "/api/v1/monitors"),
            "400": y.request("POST", "/api/v1/systems", "{not json"),
        }
        self.assertEqual(answers["200"].status, 200)
        self.assertEqual(answers["401"].status, 401)
        self.assertEqual(answers["404"].status, 404)
        self.assertEqual(answers["404 object"].status, 404)
        for what, r in answers.items():
            with self.subTest(what):
                self.assertEqual(security_headers_problems(r), [], r.headers)
                self.assertIn("no-store", r.headers.get("cache-control", ""))
                # Plain HTTP: no HSTS (it would be ignored, or worse, pinned).
                self.assertNotIn("strict-transport-security", r.headers)

    def test_setup_link_on_an_empty_store(self):
        # No account: serve prints a one-time setup link on stderr (never
        # stdout, which carries only the listening line).
        y = self.serve(bootstrap=False)
        self.assertEqual(len(y.stdout_lines), 1, y.stdout_lines)
        m = re.search(r"(ywsetup_[A-Za-z0-9_-]{16,})", y.stderr_text())
        self.assertIsNotNone(m, "no setup link in stderr:\n" + y.stderr_tail())
        tok = m.group(1)
        self.assertNotIn(tok, "\n".join(y.stdout_lines))
        self.assertStatus(y.request("GET", "/api/v1/systems", token=None), 401, "unauthorized")
        # A wrong token, a weak password: refused, and the link still works.
        r = y.request("POST", "/api/v1/setup", {"token": "ywsetup_" + "x" * 43,
                                                "user": "root.admin", "password": PW1},
                      token=None)
        self.assertStatus(r, 401, "unauthorized", "setup with a wrong token")
        r = y.request("POST", "/api/v1/setup", {"token": tok, "user": "root.admin",
                                                "password": "short"}, token=None)
        self.assertStatus(r, 400, "invalid", "setup with a weak password")
        r = y.request("POST", "/api/v1/setup", {"token": tok, "user": "root.admin",
                                                "password": PW1}, token=None)
        self.assertStatus(r, 201, None, "setup")
        # Once only.
        r = y.request("POST", "/api/v1/setup", {"token": tok, "user": "second.admin",
                                                "password": PW2}, token=None)
        self.assertIn(r.status, (401, 409), r)
        # The administrator logs in and must enrol a second factor first.
        s = Session(y)
        r = s.login("root.admin", PW1)
        self.assertStatus(r, 200, None, "first administrator's login")
        self.assertEqual(r.json["roles"], ["sysadmin"])
        self.assertStatus(s.get("systems"), 403, "totp_enrolment_required")


# ------------------------------------------------- passwords and lockout --

class Passwords(SecurityCase):

    def test_first_login_forces_a_change_that_meets_the_policy(self):
        y = self.serve()
        self.user("li.lei", "engineer", PW0)
        # Two addresses: this test makes more password attempts than the
        # default rate (10 a minute per address) allows from one.
        s = Session(y, source="127.0.0.31")
        r = s.login("li.lei", PW0)
        self.assertStatus(r, 200, None, "first login")
        self.assertTrue(r.json["must_change_password"], r.json)
        self.assertEqual(r.json["roles"], ["engineer"])
        # Until the password is changed the session is good for nothing else.
        for method, path in (("GET", "systems"), ("GET", "monitors"), ("GET", "sessions"),
                             ("POST", "tokens")):
            with self.subTest(path=path):
                self.assertStatus(s.request(method, path, {"name": "t"} if method == "POST"
                                            else None),
                                  403, "password_change_required", path)
        who = s.get("session")
        self.assertStatus(who, 200, None, "whoami in a limited session")
        self.assertTrue(who.json["must_change_password"])
        # Policy refusals: 400 naming the field and the reason.
        cases = [
            ("Sh0rt-pw", "10 characters"),            # too short
            ("alllowercaseletters", "3 of"),         # one class
            ("lowercase123456", "3 of"),              # two classes
            ("My-li.lei-Passw0rd", "user name"),      # contains the user name
            ("X-LI.LEI-passw0rd", "user name"),       # in any case
            (PW0, "last 5"),                          # the current (one-time) password
        ]
        for pw, reason in cases:
            with self.subTest(password=pw):
                r = s.change_password(PW0, pw)
                self.assertStatus(r, 400, "invalid", "new password %r" % pw)
                self.assertEqual(r.json["error"].get("field"), "new", r)
                self.assertIn(reason, r.json["error"]["message"].lower().replace(
                    "the last", "last"), r)
        self.assertStatus(s.get("systems"), 403, "password_change_required")
        # The right change.
        s.source = "127.0.0.32"
        self.assertStatus(s.change_password(PW0, PW1), 204, None, "password change")
        self.assertStatus(s.get("systems"), 200, None, "after the change")
        self.assertFalse(s.get("session").json["must_change_password"])
        # Going back to a password of the last 5 is refused.
        r = s.change_password(PW1, PW0)
        self.assertStatus(r, 400, "invalid", "reuse of a recent password")
        self.assertEqual(r.json["error"].get("field"), "new")
        self.assertIn("5", r.json["error"]["message"])
        # A wrong old password is refused (and counted like a failed login).
        r = s.change_password("Not-The-Passw0rd", PW2)
        self.assertStatus(r, 403, "bad_credentials", "a wrong old password")
        u = y.get("users/li.lei")
        self.assertFalse(u["must_change_password"], u)
        self.assertEqual(u["failed_logins"], 1, u)
        # The old password no longer logs in; the new one does.
        self.assertStatus(Session(y, source="127.0.0.32").login("li.lei", PW0), 401,
                          "bad_credentials")
        self.assertStatus(Session(y, source="127.0.0.32").login("li.lei", PW1), 200, None,
                          "login, new password")

    def test_expired_password_limits_the_session_to_changing_it(self):
        y = self.serve()
        self.user("qian.yu", "viewer", PW0)
        # As if the forced change had been made 91 days ago (cheaper than
        # making it: each change costs several Argon2id checks).
        days = 90  # the default policy's expiry_days
        self.db().execute("UPDATE users SET must_change_pw = 0, pw_changed = ? "
                          "WHERE name = 'qian.yu'",
                          (int((time.time() - (days + 1) * 86400) * 1000),))
        self.assertFalse(y.get("users/qian.yu")["must_change_password"])
        s = Session(y)
        r = s.login("qian.yu", PW0)
        self.assertStatus(r, 403, "password_expired", "login with an expired password")
        self.assertTrue(s.sid, "the limited session still gets its cookie")
        sess = r.json["error"].get("session") or {}
        self.assertTrue(sess.get("must_change_password"), r.json)
        s.csrf = sess.get("csrf")
        self.assertTrue(s.csrf, r.json)
        self.assertStatus(s.get("systems"), 403, "password_change_required")
        self.assertStatus(s.change_password(PW0, PW0), 400, "invalid", "the same again")
        self.assertStatus(s.change_password(PW0, PW1), 204, None, "the change")
        self.assertStatus(s.get("systems"), 200)
        self.assertIsNotNone(y.get("users/qian.yu")["password_expires"])

    def test_lockout_after_five_failures_and_unlock(self):
        y = self.serve()
        self.user("han.mei", "viewer", PW0)
        viewer = self.staff_token("viewer")
        pol_lock = 5  # the default policy's lock_after
        for i in range(1, pol_lock):
            r = Session(y).login("han.mei", "Wrong-Passw0rd-%d" % i)
            self.assertStatus(r, 401, "bad_credentials", "failure %d" % i)
        # An unknown account reads exactly like a wrong password.
        r = Session(y).login("no.such.user", "Wrong-Passw0rd-0")
        self.assertStatus(r, 401, "bad_credentials", "unknown account")
        r = Session(y).login("han.mei", "Wrong-Passw0rd-5")
        self.assertStatus(r, 423, "locked", "the 5th failure")
        self.assertTrue(r.json["error"].get("message"))
        # Locked: even the right password is refused, distinctly.
        r = Session(y).login("han.mei", PW0)
        self.assertStatus(r, 423, "locked", "the right password while locked")
        self.assertEqual(r.set_cookies(), [], "no session while locked")
        u = y.get("users/han.mei")
        self.assertTrue(u["locked"], u)
        self.assertIsNotNone(u["locked_until"], u)
        # Only an account manager may unlock (a viewer may not).
        self.assertStatus(y.api("POST", "users/han.mei/unlock", token=viewer), 403,
                          "forbidden", "viewer unlocks")
        r = y.api("POST", "users/han.mei/unlock")
        self.assertStatus(r, 200, None, "sysadmin unlocks")
        self.assertFalse(r.json["locked"], r.json)
        self.assertEqual(r.json["failed_logins"], 0, r.json)
        r = Session(y).login("han.mei", PW0)
        self.assertStatus(r, 200, None, "login after unlock")

    def test_login_rate_limit_per_address(self):
        y = self.serve()
        sec = self.staff_token("secadmin")
        rate = y.get("policy", token=sec)["rate_per_minute"]
        self.assertEqual(rate, 10, "the default policy")
        src = "127.0.0.77"
        # Every attempt at the login counts: real ones (each costs Argon2id
        # work) and malformed ones alike.
        for i in range(2):
            r = Session(y, source=src).login("nobody.here", "Wrong-Passw0rd-%d" % i)
            self.assertStatus(r, 401, "bad_credentials", "attempt %d" % (i + 1))
        for i in range(2, rate):
            r = y.request("POST", "/api/v1/session", {"user": "nobody.here"}, token=None,
                          source=src)
            self.assertStatus(r, 400, "invalid", "attempt %d without a password" % (i + 1))
        r = Session(y, source=src).login("nobody.here", "Wrong-Passw0rd-x")
        self.assertStatus(r, 429, None, "attempt %d" % (rate + 1))
        retry = r.headers.get("retry-after")
        self.assertIsNotNone(retry, r.headers)
        self.assertTrue(1 <= int(retry) <= 60, retry)
        # The limit is per address: another one is not slowed down.
        r = Session(y, source="127.0.0.78").login("nobody.here", "Wrong-Passw0rd-y")
        self.assertStatus(r, 401, "bad_credentials", "another address")
        # Refused API tokens are guesses too, charged to the same kind of limit.
        codes = [y.request("GET", "/api/v1/systems", token="ywt_" + "G" * 40 + "%03d" % i,
                           source="127.0.0.79").status for i in range(rate + 1)]
        self.assertEqual(codes[:rate], [401] * rate, codes)
        self.assertEqual(codes[rate], 429, codes)
        # A good token from elsewhere still works.
        self.assertStatus(y.request("GET", "/api/v1/systems"), 200)


# ------------------------------------------------------------------- TOTP --

class SecondFactor(SecurityCase):

    def test_administrator_enrols_then_logs_in_with_totp(self):
        y = self.serve()
        self.user("sec.admin", "secadmin", PW0)
        s = self.first_login("sec.admin", source="127.0.0.21")
        # An administrator must enrol before anything else.
        who = s.get("session").json
        self.assertTrue(who["must_enrol_2fa"], who)
        self.assertStatus(s.get("policy"), 403, "totp_enrolment_required")
        self.assertStatus(s.get("systems"), 403, "totp_enrolment_required")
        r = s.request("POST", "session/totp/enrol")
        self.assertStatus(r, 200, None, "enrol")
        secret = r.json["secret"]
        self.assertRegex(secret, r"^[A-Z2-7]{16,}$")
        self.assertTrue(r.json["uri"].startswith("otpauth://totp/"), r.json)
        self.assertIn("secret=" + secret, r.json["uri"])
        # The secret is stored sealed, never in clear.
        y.api("GET", "users/sec.admin", expect=200)
        step = usable_step(0)
        r = s.request("POST", "session/totp/confirm", {"code": wrong_code(secret, step)})
        self.assertStatus(r, 400, "bad_totp", "confirm with a wrong code")
        r = s.request("POST", "session/totp/confirm", {"code": totp_code(secret, step)})
        self.assertStatus(r, 200, None, "confirm")
        codes = r.json["recovery_codes"]
        self.assertEqual(len(codes), 10, r.json)
        self.assertEqual(len(set(codes)), 10)
        self.assertTrue(r.json["totp_enabled"])
        self.assertFalse(s.get("session").json["must_enrol_2fa"])
        self.assertStatus(s.get("policy"), 200, None, "after enrolment")
        u = y.get("users/sec.admin")
        self.assertTrue(u["totp_enabled"], u)
        for k in u:
            self.assertNotIn("secret", k.lower(), u)
            self.assertNotIn("recovery", k.lower(), u)
        self.assertNotIn(secret, y.request("GET", "/api/v1/users").text)
        with open(os.path.join(y.data_dir, "yunwei.db"), "rb") as f:
            self.assertNotIn(secret.encode(), f.read(), "TOTP secret in clear in the db")

        src = "127.0.0.22"  # a fresh address for the rate limit
        r = Session(y, source=src).login("sec.admin", PW1)
        self.assertStatus(r, 401, "totp_required", "login without the code")
        self.assertEqual([c for c in r.set_cookies() if parse_set_cookie(c)[1]], [],
                         "no session cookie without the second factor")
        r = Session(y, source=src).login("sec.admin", PW1, totp=wrong_code(secret, now_step()))
        self.assertStatus(r, 401, "bad_totp", "login with a wrong code")
        step2 = usable_step(step)
        code = totp_code(secret, step2)
        s2 = Session(y, source=src)
        r = s2.login("sec.admin", PW1, totp=code)
        self.assertStatus(r, 200, None, "login with the right code")
        self.assertStatus(s2.get("policy"), 200, None, "full session")
        # The same code again: refused (replay), though still in its window.
        r = Session(y, source=src).login("sec.admin", PW1, totp=code)
        self.assertStatus(r, 401, "bad_totp", "replayed code")
        # A recovery code works once, in place of the TOTP code.
        s3 = Session(y, source=src)
        r = s3.login("sec.admin", PW1, recovery_code=codes[0])
        self.assertStatus(r, 200, None, "login with a recovery code")
        self.assertStatus(s3.get("policy"), 200)
        r = Session(y, source=src).login("sec.admin", PW1, recovery_code=codes[0])
        self.assertStatus(r, 401, "bad_totp", "the same recovery code again")
        # Another one still works (typed in upper case, without its dashes).
        r = Session(y, source="127.0.0.23").login(
            "sec.admin", PW1, recovery_code=codes[1].replace("-", "").upper())
        self.assertStatus(r, 200, None, "another recovery code")


# ------------------------------------------------------------------ HTTPS --

class Https(SecurityCase):

    def test_https_with_secure_cookie(self):
        cert = TlsCert(self.tmp, 2)
        y = self.serve(tls=cert)
        self.assertEqual(y.scheme, "https", y.stdout_lines)
        r = y.request("GET", "/healthz", token=None)
        self.assertStatus(r, 200, None, "healthz over https")
        self.assertEqual(security_headers_problems(r), [])
        hsts = r.headers.get("strict-transport-security", "")
        self.assertRegex(hsts, r"max-age=\d+", r.headers)
        self.assertStatus(y.request("GET", "/api/v1/systems", token=None), 401)
        r = y.request("GET", "/api/v1/systems")
        self.assertStatus(r, 200, None, "API over https")
        self.assertEqual(r.json["items"], [])
        self.user("https.user", "viewer", PW0)
        s = Session(y)
        r = s.login("https.user", PW0)
        self.assertStatus(r, 200)
        name, sid, attrs = parse_set_cookie(r.set_cookies()[0])
        self.assertEqual(name, "yw_session")
        self.assertIs(attrs.get("secure"), True, "the cookie is Secure under TLS: %r" % attrs)
        self.assertIs(attrs.get("httponly"), True)
        self.assertEqual(str(attrs.get("samesite", "")).lower(), "strict")
        # Plain HTTP on the TLS port is not served.
        conn = http.client.HTTPConnection("127.0.0.1", y.port, timeout=5)
        try:
            conn.request("GET", "/healthz")
            plain = conn.getresponse().status
        except (OSError, http.client.HTTPException):
            plain = None
        finally:
            conn.close()
        self.assertNotEqual(plain, 200, "plain HTTP answered on the HTTPS port")


# ---------------------------------------------------------------- secrets --

class Secrets(SecurityCase):

    def test_postgres_password_never_leaves_in_clear(self):
        y = self.serve()
        auditor = self.staff_token("auditadmin")
        y.api("POST", "systems", {"name": "db", "tier": "key"}, expect=201)
        kv = ("host=127.0.0.1 port=1 user=monitor password=%s dbname=postgres "
              "connect_timeout=1" % SECRET)
        uri = "postgresql://monitor:%s@127.0.0.1:1/postgres?connect_timeout=1" % SECRET
        a = y.api("POST", "monitors", {"name": "pg-kv", "system": "db", "type": "postgres",
                                       "conninfo": kv, "interval": "1s", "retries": 1},
                  expect=201)
        b = y.api("POST", "monitors", {"name": "pg-uri", "system": "db", "type": "postgres",
                                       "conninfo": uri, "interval": "1s", "retries": 1},
                  expect=201)
        for m in (a, b):
            self.assertNotIn(SECRET, str(m))
            self.assertIn("***", m["conninfo"])
        # PUT of the GET answer keeps the stored secret; a changed query is audited.
        got = y.monitor("pg-kv")
        got["query"] = "SELECT 1"
        r = y.api("PUT", "monitors/%d" % a["id"], got)
        self.assertStatus(r, 200, None, "PUT of a masked monitor")
        self.assertNotIn(SECRET, r.text)
        y.wait_state("pg-kv", "down", timeout=15)
        y.wait_state("pg-uri", "down", timeout=15)
        # Every answer that could show it.
        answers = [y.request("GET", p) for p in (
            "/api/v1/monitors", "/api/v1/monitors/pg-kv", "/api/v1/monitors/pg-uri",
            "/api/v1/monitors/pg-kv/results?limit=100", "/api/v1/monitors/pg-kv/events",
            "/api/v1/events", "/metrics")]
        answers += [y.request("GET", p, token=auditor) for p in (
            "/api/v1/audit?limit=1000", "/api/v1/audit.csv")]
        for r in answers:
            self.assertEqual(r.status, 200, r)
            self.assertNotIn(SECRET, r.text, r.text[:2000])
        # The audit record of the change holds masked images.
        recs = y.get("audit?action=monitor.&limit=100", token=auditor)["items"]
        upd = [x for x in recs if x["action"] == "monitor.update"]
        self.assertEqual(len(upd), 1, recs)
        self.assertIn("***", str(upd[0]["before"]))
        self.assertIn("***", str(upd[0]["after"]))
        self.assertEqual(upd[0]["after"]["query"], "SELECT 1")
        exp = y.cli("audit", "export")
        self.assertEqual(exp.returncode, 0, exp.stderr)
        self.assertNotIn(SECRET, exp.stdout)
        # The log, and every file of the data directory, byte for byte.
        self.assertEqual(y.stop(), 0)
        self.assertNotIn(SECRET, y.stderr_text())
        for dirpath, _, files in os.walk(y.data_dir):
            for f in files:
                path = os.path.join(dirpath, f)
                with open(path, "rb") as fh:
                    data = fh.read()
                # (assertFalse: a failure must not print the whole file)
                self.assertFalse(SECRET.encode() in data, "the password in clear in %s%s"
                                 % (path, where_in_db(path) if f.startswith("yunwei.db")
                                    else ""))
        # And it still works after a restart: the sealed secret is used, not lost.
        y.start()
        self.assertIn("***", y.monitor("pg-kv")["conninfo"])
        self.assertNotIn(SECRET, y.request("GET", "/api/v1/monitors").text)


if __name__ == "__main__":
    unittest.main()
