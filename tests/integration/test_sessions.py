"""Sessions and API tokens against the real server (issue 3): the session
cookie's attributes, a new id at every login (fixation), logout, listing and
ending one's own sessions, a password change ending the others, idle and
absolute timeouts, CSRF on cookie-authenticated changes; API tokens' scope,
revocation, expiry, and their following the owner's roles.

Helpers and passwords are test_security.py's."""

import time
import unittest

from harness import Session, parse_set_cookie
from test_security import PW0, PW1, PW2, SecurityCase


# --------------------------------------------------------------- sessions --

class Sessions(SecurityCase):

    def test_cookie_fixation_logout_listing_and_password_change(self):
        y = self.serve()
        self.user("wang.fang", "engineer", PW0)
        other_account = self.staff_token("viewer")
        a = Session(y)
        r = a.login("wang.fang", PW0)
        self.assertStatus(r, 200)
        cookies = [parse_set_cookie(c) for c in r.set_cookies()]
        self.assertEqual([c[0] for c in cookies], ["yw_session"], r.set_cookies())
        name, sid0, attrs = cookies[0]
        self.assertRegex(sid0, r"^[A-Za-z0-9_-]{43,}")  # 256 bits at least
        self.assertIs(attrs.get("httponly"), True, attrs)
        self.assertEqual(str(attrs.get("samesite", "")).lower(), "strict", attrs)
        self.assertEqual(attrs.get("path"), "/", attrs)
        self.assertNotIn("secure", attrs, "no Secure flag over plain HTTP")
        self.assertNotIn("domain", attrs)
        self.assertNotIn(sid0, r.text, "the session id is only in the cookie")
        self.assertStatus(a.change_password(PW0, PW1), 204)
        # A new id at every login: the one sent along is not kept, and ends.
        r = a.login("wang.fang", PW1)
        self.assertStatus(r, 200)
        self.assertNotEqual(a.sid, sid0)
        self.assertStatus(y.request("GET", "/api/v1/systems", token=None, cookie=sid0), 401,
                          "unauthorized", "the session id of before the login")
        # An id chosen by an attacker is not adopted either.
        planted = "yws_" + "P" * 43
        b = Session(y)
        b.sid = planted
        self.assertStatus(b.login("wang.fang", PW1), 200)
        self.assertNotEqual(b.sid, planted)
        self.assertStatus(y.request("GET", "/api/v1/systems", token=None, cookie=planted), 401)
        self.assertStatus(b.get("systems"), 200)
        # Listing and ending one's own sessions.
        items = a.get("sessions").json["items"]
        self.assertEqual(len(items), 2, items)
        self.assertEqual(sorted(i["current"] for i in items), [False, True], items)
        for i in items:
            self.assertNotIn(a.sid, str(i))
            self.assertNotIn(b.sid, str(i))
            self.assertEqual(i["source"], "127.0.0.1")
        other = [i for i in items if not i["current"]][0]
        # Someone else cannot see or end them.
        self.assertEqual(y.get("sessions", token=other_account)["items"], [])
        self.assertStatus(y.api("DELETE", "sessions/" + other["id"], token=other_account), 404,
                          "not_found", "ending another account's session")
        self.assertStatus(b.get("systems"), 200)
        self.assertStatus(a.request("DELETE", "sessions/" + other["id"]), 204)
        self.assertStatus(b.get("systems"), 401, "unauthorized", "a session ended by its owner")
        self.assertEqual(len(a.get("sessions").json["items"]), 1)
        # A password change ends the account's other sessions, not this one.
        d = Session(y, source="127.0.0.52")
        self.assertStatus(d.login("wang.fang", PW1), 200)
        self.assertStatus(d.get("systems"), 200)
        self.assertStatus(a.change_password(PW1, PW2), 204)
        self.assertStatus(a.get("systems"), 200, None, "the session that changed it")
        self.assertStatus(d.get("systems"), 401, "unauthorized", "another session")
        # Logout ends the session and clears the cookie.
        sid = a.sid
        r = a.logout()
        self.assertStatus(r, 204, None, "logout")
        cleared = [parse_set_cookie(v) for v in r.set_cookies()]
        self.assertTrue(any(cn == "yw_session" and (cv == "" or ca.get("max-age") == "0")
                            for cn, cv, ca in cleared), r.set_cookies())
        self.assertStatus(y.request("GET", "/api/v1/systems", token=None, cookie=sid), 401,
                          "unauthorized", "after logout")

    def test_idle_and_absolute_timeouts(self):
        # Sessions limited to the password change serve as well here (whoami
        # works in them) and spare the Argon2id work of changing it.
        y = self.serve()
        self.user("sun.li", "viewer", PW0)
        db = self.db()
        now_ms = int(time.time() * 1000)
        pol = {"idle_minutes": 30, "absolute_hours": 12}  # the default policy
        a = Session(y)
        self.assertStatus(a.login("sun.li", PW0), 200)
        self.assertStatus(a.get("session"), 200)
        # a: unused for longer than idle_minutes.
        db.execute("UPDATE sessions SET last_seen = ?",
                   (now_ms - (pol["idle_minutes"] * 60 + 5) * 1000,))
        b = Session(y)
        self.assertStatus(b.login("sun.li", PW0), 200)
        # b: busy, but older than absolute_hours.
        db.execute("UPDATE sessions SET created = ? WHERE last_seen >= ?",
                   (now_ms - (pol["absolute_hours"] * 3600 + 5) * 1000, now_ms - 60000))
        self.assertEqual(db.execute("SELECT count(*) FROM sessions").fetchone()[0], 2)
        r = a.get("session")
        self.assertStatus(r, 401, "unauthorized", "idle session")
        self.assertIn("idle", r.json["error"]["message"])
        r = b.get("session")
        self.assertStatus(r, 401, "unauthorized", "session past its lifetime")
        self.assertIn("lifetime", r.json["error"]["message"])
        # Both are ended in the store, not only refused.
        self.assertEqual(db.execute("SELECT count(*) FROM sessions").fetchone()[0], 0)
        c = Session(y)
        self.assertStatus(c.login("sun.li", PW0), 200, None, "a new login works")
        self.assertStatus(c.get("session"), 200)

    def test_background_requests_leave_the_idle_clock_running(self):
        # whoami serves (it works before the first password change).
        y = self.serve()
        self.user("bai.yu", "viewer", PW0)
        db = self.db()
        a = Session(y)
        self.assertStatus(a.login("bai.yu", PW0), 200)
        idle_since = int(time.time() * 1000) - 20 * 60 * 1000
        db.execute("UPDATE sessions SET last_seen = ?", (idle_since,))
        # A timed refresh (the console's header) does not count as use…
        self.assertStatus(a.request("GET", "session", headers={"X-Yunwei-Background": "1"}),
                          200)
        seen = db.execute("SELECT last_seen FROM sessions").fetchone()[0]
        self.assertEqual(seen, idle_since)
        # …a person's request does.
        self.assertStatus(a.get("session"), 200)
        seen = db.execute("SELECT last_seen FROM sessions").fetchone()[0]
        self.assertGreater(seen, idle_since + 19 * 60 * 1000)
        # Past the idle limit, background requests are refused like any other.
        db.execute("UPDATE sessions SET last_seen = ?",
                   (int(time.time() * 1000) - 31 * 60 * 1000,))
        r = a.request("GET", "session", headers={"X-Yunwei-Background": "1"})
        self.assertStatus(r, 401, "unauthorized", "idle session, background request")

    def test_csrf_on_cookie_authenticated_changes(self):
        y = self.serve()
        y.api("POST", "systems", {"name": "core", "tier": "key"}, expect=201)
        mid = y.api("POST", "monitors", {"name": "hb", "system": "core", "type": "heartbeat",
                                         "interval": "1h"}, expect=201)["id"]
        self.user("zhou.qi", "engineer", PW0)
        s = self.first_login("zhou.qi")
        self.assertTrue(s.csrf, "the login answer carries the CSRF token")
        pause = "monitors/%d/pause" % mid
        r = s.request("POST", pause, csrf=False)
        self.assertStatus(r, 403, "csrf", "POST with the cookie, without X-CSRF-Token")
        self.assertFalse(y.monitor("hb")["paused"], "refused: nothing changed")
        r = s.request("POST", pause, headers={"X-CSRF-Token": "ywc_" + "w" * 32}, csrf=False)
        self.assertStatus(r, 403, "csrf", "a wrong X-CSRF-Token")
        r = s.request("POST", pause, headers={"X-CSRF-Token": ""}, csrf=False)
        self.assertStatus(r, 403, "csrf", "an empty X-CSRF-Token")
        self.assertFalse(y.monitor("hb")["paused"])
        r = s.request("POST", pause)
        self.assertStatus(r, 200, None, "POST with the right X-CSRF-Token")
        self.assertTrue(r.json["paused"])
        # Reading needs no CSRF token; logging out is a change and does.
        r = s.request("GET", "monitors/hb", csrf=False)
        self.assertStatus(r, 200)
        self.assertStatus(s.request("DELETE", "session", csrf=False), 403, "csrf")
        # Another session's CSRF token does not fit this session.
        other = Session(y)
        self.assertStatus(other.login("zhou.qi", PW1), 200)
        self.assertNotEqual(other.csrf, s.csrf)
        r = s.request("POST", "monitors/%d/resume" % mid,
                      headers={"X-CSRF-Token": other.csrf}, csrf=False)
        self.assertStatus(r, 403, "csrf", "another session's token")
        # A Bearer token is not sent by browsers on their own: no CSRF token.
        tok = self.token("zhou.qi")
        r = y.api("POST", "monitors/%d/resume" % mid, token=tok)
        self.assertStatus(r, 200, None, "Bearer POST without X-CSRF-Token")
        self.assertFalse(r.json["paused"])
        self.assertStatus(s.logout(), 204)


# ----------------------------------------------------------------- tokens --

class Tokens(SecurityCase):

    def test_scope_revocation_and_expiry(self):
        y = self.serve()
        y.api("POST", "systems", {"name": "core", "tier": "key"}, expect=201)
        mid = y.api("POST", "monitors", {"name": "hb", "system": "core", "type": "heartbeat",
                                         "interval": "1h"}, expect=201)["id"]
        self.user("eng.one", "engineer,viewer", PW0)
        full = self.token("eng.one")
        narrow = self.token("eng.one", roles="viewer")
        sec = self.staff_token("secadmin")
        pause, resume = "monitors/%d/pause" % mid, "monitors/%d/resume" % mid
        # A token acts with its scope.
        self.assertStatus(y.api("GET", "monitors", token=narrow), 200)
        self.assertStatus(y.api("POST", pause, token=narrow), 403, "forbidden",
                          "viewer-scoped token pauses")
        self.assertStatus(y.api("POST", pause, token=full), 200, None, "engineer token pauses")
        self.assertStatus(y.api("POST", resume, token=full), 200)
        # A token's scope is a subset of its owner's roles, from the shell...
        p = y.cli("token", "create", "--user", "eng.one", "--role", "sysadmin")
        self.assertNotEqual(p.returncode, 0, "token with a role the user lacks: " + p.stdout)
        self.assertNotIn("ywt_", p.stdout)
        # ...and over the API (made by the token's owner, for itself).
        r = y.api("POST", "tokens", {"name": "too wide", "roles": ["sysadmin"]}, token=full)
        self.assertStatus(r, 403, None, "API token with a role not held")
        self.assertIn("sysadmin", r.json["error"]["message"])
        r = y.api("POST", "tokens", {"name": "ci read", "roles": ["viewer"], "expires_days": 7},
                  token=full)
        self.assertStatus(r, 201, None, "API token, narrower scope")
        api_tok, api_id = r.json["token"], r.json["id"]
        self.assertTrue(api_tok.startswith("ywt_"), r.json)
        self.assertEqual(r.json["roles"], ["viewer"])
        self.assertStatus(y.api("GET", "systems", token=api_tok), 200)
        self.assertStatus(y.api("POST", pause, token=api_tok), 403, "forbidden")
        # Shown once: listings never carry a secret or a hash.
        mine = y.get("tokens", token=full)["items"]
        self.assertEqual(len(mine), 3, mine)
        everyone = y.get("tokens?all=1", token=sec)
        listing = y.request("GET", "/api/v1/tokens?all=1", token=sec).text
        for t in (full, narrow, api_tok, sec):
            self.assertNotIn(t, listing)
            self.assertNotIn(t[4:], listing)
        for item in mine + everyone["items"]:
            self.assertNotIn("token", item)
            self.assertNotIn("hash", item)
        self.assertStatus(y.api("GET", "tokens?all=1", token=full), 403, "forbidden",
                          "everyone's tokens without token.manage")
        # Another account's token: not found for an engineer.
        sec_id = [t["id"] for t in everyone["items"] if t["user"] == "itest-secadmin"][0]
        self.assertStatus(y.api("DELETE", "tokens/%d" % sec_id, token=full), 404, "not_found")
        self.assertStatus(y.api("GET", "systems", token=sec), 200)
        # Revoked: 401 at once.
        self.assertStatus(y.api("DELETE", "tokens/%d" % api_id, token=full), 204)
        r = y.api("GET", "systems", token=api_tok)
        self.assertStatus(r, 401, "unauthorized", "revoked token")
        self.assertIn("revoked", r.json["error"]["message"])
        self.assertStatus(y.api("DELETE", "tokens/%d" % api_id, token=full), 204,
                          None, "revoking again")
        # The security administrator revokes anyone's token.
        narrow_id = [t["id"] for t in mine if t["roles"] == ["viewer"] and t["id"] != api_id][0]
        self.assertStatus(y.api("DELETE", "tokens/%d" % narrow_id, token=sec), 204)
        self.assertStatus(y.api("GET", "systems", token=narrow), 401, "unauthorized")
        # Expired: its expiry moved into the past in the store.
        self.assertStatus(y.api("GET", "systems", token=full), 200)
        full_id = [t["id"] for t in mine if t["id"] not in (api_id, narrow_id)][0]
        self.db().execute("UPDATE api_tokens SET expires = ? WHERE id = ?",
                          (int(time.time() * 1000) - 1000, full_id))
        r = y.api("GET", "systems", token=full)
        self.assertStatus(r, 401, "unauthorized", "expired token")
        self.assertIn("expired", r.json["error"]["message"])
        listed = {t["id"]: t for t in y.get("tokens?all=1", token=sec)["items"]}
        self.assertFalse(listed[full_id]["active"])
        self.assertFalse(listed[api_id]["active"])
        self.assertTrue(listed[api_id]["revoked"])

    def test_token_follows_the_owner_roles(self):
        y = self.serve()
        y.api("POST", "systems", {"name": "core", "tier": "key"}, expect=201)
        mid = y.api("POST", "monitors", {"name": "hb", "system": "core", "type": "heartbeat",
                                         "interval": "1h"}, expect=201)["id"]
        self.user("eng.two", "engineer,viewer", PW0)
        tok = self.token("eng.two")
        sec = self.staff_token("secadmin")
        self.assertStatus(y.api("POST", "monitors/%d/pause" % mid, token=tok), 200)
        # Narrowed by the security administrator: the token narrows too.
        r = y.api("PUT", "users/eng.two/roles", {"roles": ["viewer"]}, token=sec)
        self.assertStatus(r, 200, None, "grant")
        self.assertStatus(y.api("POST", "monitors/%d/resume" % mid, token=tok), 403,
                          "forbidden", "after the account lost engineer")
        self.assertStatus(y.api("GET", "monitors", token=tok), 200)
        # A disabled account's token stops working.
        self.assertStatus(y.api("PUT", "users/eng.two", {"disabled": True}), 200)
        r = y.api("GET", "monitors", token=tok)
        self.assertStatus(r, 401, "unauthorized", "token of a disabled account")
        self.assertIn("disabled", r.json["error"]["message"])


if __name__ == "__main__":
    unittest.main()
