"""The audit trail (安全审计) against the real server and store: logins,
failures, lockouts, denials and changes are recorded with who, from where,
what, on what, before/after (secrets masked) and the result; only the audit
administrator reads and exports it (CSV with BOM and header); and
`yunwei audit verify` finds a record changed, removed or inserted directly
in the database file, the append-only triggers having been dropped first."""

import csv
import io
import os
import pwd
import re
import shutil
import sqlite3
import time
import unittest

from harness import ADMIN_USER, YunweiTestCase, Session, parse_time, q, rfc3339

PW0 = "Initial-Passw0rd"
PW1 = "Second-Passw0rd!"
SECRET = "Audit-Pg-S3cret-4417"
CSV_HEADER = "time,user,source,action,object,result,before,after,seq,mac"
RECORD_KEYS = {"seq", "time", "user", "source", "action", "object", "before", "after",
               "result", "mac"}
BROKEN_AT = re.compile(r"audit chain broken at record (\d+)")
BROKEN_END = re.compile(r"audit chain broken at its end")


class AuditCase(YunweiTestCase):

    def setup_server(self):
        self.y = y = self.start_yunwei()
        self.add_user(y, "itest-auditor", "auditadmin", "Staff-Auditor-Pw-9")
        self.auditor = self.make_token(y, "itest-auditor")
        return y

    def records(self, **filters):
        """Every record matching filters, newest first, read page by page
        with the auditor's token (each read is itself recorded, after it)."""
        out, cursor = [], None
        for _ in range(100):
            qs = ["limit=50"] + ["%s=%s" % (k, q(v)) for k, v in filters.items()]
            if cursor:
                qs.append("cursor=" + q(cursor))
            page = self.y.get("audit?" + "&".join(qs), token=self.auditor)
            out.extend(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                return out
        self.fail("more than 100 pages of audit records")


class Records(AuditCase):

    def test_events_are_recorded_and_only_the_auditor_reads_them(self):
        y = self.setup_server()
        t0 = time.time()
        self.add_user(y, "itest-viewer", "viewer", "Staff-Viewer-Pw-9")
        viewer = self.make_token(y, "itest-viewer")
        self.add_user(y, "li.lei", "engineer", PW0)
        self.add_user(y, "han.mei", "viewer", PW0)
        # A login, then its logout.
        s = Session(y, source="127.0.0.41")
        self.assertEqual(s.login("li.lei", PW0).status, 200)
        self.assertEqual(s.logout().status, 204)
        # A failed login.
        r = Session(y, source="127.0.0.42").login("li.lei", "Wrong-Passw0rd-1")
        self.assertEqual(r.status, 401, r)
        # A lockout (5 failures in a row, the default policy).
        for i in range(5):
            r = Session(y, source="127.0.0.43").login("han.mei", "Wrong-Passw0rd-%d" % i)
        self.assertEqual(r.status, 423, r)
        # A denial.
        r = y.api("POST", "systems", {"name": "nope", "tier": "key"}, token=viewer)
        self.assertEqual(r.status, 403, r)
        # A change, with a secret in the object.
        y.api("POST", "systems", {"name": "db", "tier": "key"}, expect=201)
        conninfo = "host=127.0.0.1 port=1 user=mon password=%s dbname=x" % SECRET
        m = y.api("POST", "monitors", {"name": "pg", "system": "db", "type": "postgres",
                                       "conninfo": conninfo, "interval": "1h"}, expect=201)
        got = y.monitor("pg")
        got["interval"] = "2h"
        y.api("PUT", "monitors/%d" % m["id"], got, expect=200)

        # Only the audit administrator reads the trail; the system
        # administrator, who made the changes, may not.
        for path in ("audit", "audit?limit=5", "audit.csv", "audit/verify"):
            with self.subTest(path=path):
                r = y.api("GET", path)
                self.assertEqual(r.status, 403, r)
                self.assertEqual(r.error_code, "forbidden", r)
                self.assertEqual(y.api("GET", path, token=viewer).status, 403)

        recs = self.records()
        self.assertGreater(len(recs), 10)
        for rec in recs:
            self.assertEqual(set(rec), RECORD_KEYS, rec)
        seqs = [rec["seq"] for rec in recs]
        self.assertEqual(seqs, list(range(seqs[0], seqs[0] - len(seqs), -1)),
                         "newest first, no gaps")
        self.assertEqual(seqs[-1], 1)
        times = [parse_time(rec["time"]) for rec in recs]
        self.assertEqual(times, sorted(times, reverse=True))
        self.assertNotIn(SECRET, str(recs))

        def find(pred, what):
            hits = [rec for rec in recs if pred(rec)]
            self.assertTrue(hits, "no audit record of %s in:\n%s" % (
                what, "\n".join("%(seq)s %(user)s %(source)s %(action)s %(object)s %(result)s"
                                % rec for rec in recs)))
            return hits

        login = find(lambda x: x["action"] == "session.login" and x["user"] == "li.lei"
                     and x["result"].startswith("ok"), "the login")[0]
        self.assertEqual(login["source"], "127.0.0.41")
        self.assertTrue(login["object"].startswith("session:"), login)
        logout = find(lambda x: x["action"] == "session.logout", "the logout")[0]
        self.assertEqual((logout["user"], logout["source"]), ("li.lei", "127.0.0.41"))
        failed = find(lambda x: x["action"] == "session.login" and x["source"] == "127.0.0.42",
                      "the failed login")[0]
        self.assertEqual(failed["object"], "user:li.lei")
        self.assertTrue(failed["result"].startswith("failed"), failed)
        fails = find(lambda x: x["action"] == "session.login" and x["object"] == "user:han.mei",
                     "han.mei's failures")
        self.assertEqual(len(fails), 5, fails)
        lock = find(lambda x: x["action"] == "session.lockout", "the lockout")
        self.assertEqual(len(lock), 1, lock)
        self.assertEqual((lock[0]["object"], lock[0]["source"]), ("user:han.mei", "127.0.0.43"))
        denied = find(lambda x: x["user"] == "itest-viewer" and x["result"].startswith("denied")
                      and "POST /api/v1/systems" in (x["object"] or ""), "the denial")
        self.assertEqual(len(denied), 1, denied)
        self.assertEqual(denied[0]["source"], "127.0.0.1")
        # The system administrator's attempts at the trail are denials too.
        peeks = find(lambda x: x["user"] == ADMIN_USER and x["result"].startswith("denied"),
                     "the sysadmin's denials")
        self.assertEqual(len(peeks), 4, peeks)
        self.assertTrue(all("/api/v1/audit" in x["object"] for x in peeks), peeks)
        upd = find(lambda x: x["action"] == "monitor.update", "the monitor update")
        self.assertEqual(len(upd), 1, upd)
        upd = upd[0]
        self.assertEqual(upd["user"], ADMIN_USER)
        self.assertEqual(upd["object"], "monitor:%d" % m["id"])
        self.assertEqual(upd["result"], "ok")
        self.assertEqual(upd["before"]["interval"], "1h")
        self.assertEqual(upd["after"]["interval"], "2h")
        self.assertIn("password=***", upd["before"]["conninfo"])
        self.assertIn("password=***", upd["after"]["conninfo"])
        created = find(lambda x: x["action"] == "monitor.create", "the monitor creation")[0]
        self.assertIsNone(created["before"])
        self.assertEqual(created["after"]["name"], "pg")
        # Changes from the shell: the Unix user, source "local".
        me = pwd.getpwuid(os.geteuid()).pw_name
        cli = find(lambda x: x["action"] == "user.create" and x["object"] == "user:li.lei",
                   "user add from the shell")[0]
        self.assertEqual((cli["user"], cli["source"]), ("cli:" + me, "local"))
        self.assertEqual(cli["after"]["roles"], ["engineer"])
        # Reading the trail is recorded too (after the read).
        reads = self.records(action="audit.read")
        self.assertTrue(reads)
        self.assertEqual({(x["user"], x["object"]) for x in reads},
                         {("itest-auditor", "audit")}, reads)

        # Filters: user (exact), action (prefix), from.
        mine = self.records(user="li.lei")
        self.assertTrue(mine)
        self.assertEqual({x["user"] for x in mine}, {"li.lei"})
        sess = self.records(action="session.")
        self.assertTrue(sess)
        self.assertTrue(all(x["action"].startswith("session.") for x in sess), sess)
        self.assertEqual(len([x for x in sess if x["action"] == "session.login"]), 7, sess)
        frm = int(t0) - 1  # whole seconds: rfc3339() writes no fraction
        recent = self.records(**{"from": rfc3339(frm)})
        self.assertTrue(recent)
        self.assertTrue(all(parse_time(x["time"]) >= frm for x in recent),
                        [x["time"] for x in recent])
        self.assertLess(len(recent), len(self.records()))
        # Paging by cursor: every record once.
        p1 = y.get("audit?limit=3", token=self.auditor)
        self.assertEqual(len(p1["items"]), 3)
        p2 = y.get("audit?limit=3&cursor=" + q(p1["next_cursor"]), token=self.auditor)
        self.assertEqual([x["seq"] for x in p2["items"]],
                         [p1["items"][-1]["seq"] - i for i in range(1, 4)])
        self.assertEqual(y.api("GET", "audit?limit=0", token=self.auditor).status, 400)

        # CSV export: BOM, header, RFC 4180 with CRLF, oldest first.
        r = y.request("GET", "/api/v1/audit.csv", token=self.auditor)
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.headers.get("content-type", "").startswith("text/csv"), r.headers)
        self.assertTrue(r.raw.startswith(b"\xef\xbb\xbf"), r.raw[:20])
        body = r.raw[3:].decode("utf-8")
        self.assertTrue(body.startswith(CSV_HEADER + "\r\n"), body[:200])
        rows = list(csv.reader(io.StringIO(body, newline="")))
        self.assertEqual(rows[0], CSV_HEADER.split(","))
        data = rows[1:]
        col = {name: i for i, name in enumerate(rows[0])}
        cseqs = [int(row[col["seq"]]) for row in data]
        self.assertEqual(cseqs, list(range(1, len(cseqs) + 1)), "oldest first, all of them")
        self.assertGreaterEqual(len(cseqs), len(recs))
        upd_row = [row for row in data if row[col["action"]] == "monitor.update"][0]
        self.assertIn("password=***", upd_row[col["before"]])
        self.assertEqual(upd_row[col["user"]], ADMIN_USER)
        for row in data:
            for cell in row:
                self.assertFalse(cell[:1] in ("=", "+", "-", "@", "\t", "\r"),
                                 "a cell a spreadsheet would run: %r" % row)
        self.assertNotIn(SECRET, body)
        # The same from the shell.
        p = y.cli("audit", "export", "--action", "monitor.")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(p.stdout.startswith("\ufeff" + CSV_HEADER), p.stdout[:200])
        self.assertEqual(len(list(csv.reader(io.StringIO(p.stdout[1:], newline="")))) - 1, 2)
        self.assertIn("2 records", p.stderr)

        # The chain verifies, from the shell while the server runs and over the API.
        p = y.cli("audit", "verify")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"^audit chain intact: \d+ records")
        v = y.get("audit/verify", token=self.auditor)
        self.assertIs(v["ok"], True, v)
        self.assertIsNone(v["bad_seq"], v)
        self.assertGreater(v["checked"], len(recs))

        # Last, so that the checks above run whatever this finds. docs/api.md:
        # "user is null for an anonymous request (a failed login names the
        # account tried in object)": whoever typed a name is not that user.
        self.assertIsNone(failed["user"], failed)


class Tampering(AuditCase):
    """The store refuses UPDATE and DELETE; whoever drops the triggers is
    caught by `yunwei audit verify`, which names the first broken record."""

    def copy(self, name, *sql, drop_anchor=False):
        """A copy of the stopped server's data directory with sql run on its
        database after the append-only triggers are dropped; returns its path."""
        d = os.path.join(self.tmp, name)
        shutil.copytree(self.y.data_dir, d)
        c = sqlite3.connect(os.path.join(d, "yunwei.db"), isolation_level=None)
        try:
            for t in ("audit_no_update", "audit_no_delete", "audit_append_only"):
                c.execute("DROP TRIGGER IF EXISTS %s" % t)
            for stmt in sql:
                c.execute(stmt)
        finally:
            c.close()
        if drop_anchor:
            os.unlink(os.path.join(d, "keys", "audit.anchor"))
        return d

    def verify(self, data_dir):
        p = self.run_yunwei("audit", "verify", "--data", data_dir)
        return p.returncode, p.stdout + p.stderr

    def test_changed_removed_or_inserted_records_are_detected(self):
        y = self.setup_server()
        self.add_user(y, "li.lei", "engineer", PW0)
        for i in range(3):
            Session(y).login("li.lei", "Wrong-Passw0rd-%d" % i)
        y.api("POST", "systems", {"name": "core", "tier": "key"}, expect=201)
        y.api("PUT", "systems/core", {"name": "core", "tier": "general"}, expect=200)
        self.assertEqual(y.stop(), 0, y.stderr_tail())

        db = os.path.join(y.data_dir, "yunwei.db")
        c = sqlite3.connect(db, isolation_level=None)
        self.addCleanup(c.close)
        n = c.execute("SELECT max(seq) FROM audit").fetchone()[0]
        self.assertEqual(c.execute("SELECT count(*) FROM audit").fetchone()[0], n)
        self.assertGreaterEqual(n, 8)
        k = n // 2
        # The store itself refuses to rewrite history.
        refused = [
            "UPDATE audit SET result = 'ok' WHERE seq = %d" % k,
            "DELETE FROM audit WHERE seq = %d" % k,
            "DELETE FROM audit",
            "INSERT OR REPLACE INTO audit (seq, time, user, source, action, object, result, mac)"
            " SELECT seq, time, 'x', source, action, object, result, mac FROM audit"
            " WHERE seq = %d" % k,
            "INSERT INTO audit (seq, time, action, result, mac) VALUES (%d, 0, 'x', 'ok', 'x')"
            % (n + 5),
        ]
        for stmt in refused:
            with self.subTest(sql=stmt):
                with self.assertRaises(sqlite3.DatabaseError) as cm:
                    c.execute(stmt)
                self.assertIn("append-only", str(cm.exception))
        self.assertEqual(c.execute("SELECT count(*) FROM audit").fetchone()[0], n)
        c.close()

        # (On a copy: verify records itself in the trail it checks.)
        rc, out = self.verify(self.copy("intact"))
        self.assertEqual(rc, 0, out)
        self.assertIn("audit chain intact: %d records" % n, out)

        cases = [
            ("altered", [
                "UPDATE audit SET result = 'ok: nothing happened' WHERE seq = %d" % k], k),
            ("altered-user", [
                "UPDATE audit SET user = 'someone.else' WHERE seq = %d" % (k + 1)], k + 1),
            ("altered-after", [
                "UPDATE audit SET \"after\" = '{}' WHERE seq = %d" % (n - 1)], n - 1),
            ("deleted", ["DELETE FROM audit WHERE seq = %d" % k], k + 1),
            ("inserted", [
                # Make room at k, then forge a record there with a real-looking mac.
                "UPDATE audit SET seq = seq + 1000000 WHERE seq >= %d" % k,
                "UPDATE audit SET seq = seq - 999999 WHERE seq >= 1000000",
                "INSERT INTO audit (seq, time, user, source, action, object, \"before\","
                " \"after\", result, mac) SELECT %d, time, 'forger', source, 'user.create',"
                " 'user:ghost', NULL, NULL, 'ok', mac FROM audit WHERE seq = %d" % (k, k + 1)],
             k),
            ("appended", [
                "INSERT INTO audit (seq, time, user, source, action, object, \"before\","
                " \"after\", result, mac) SELECT %d, time + 1, user, source, action, object,"
                " \"before\", \"after\", result, mac FROM audit WHERE seq = %d" % (n + 1, n)],
             n + 1),
        ]
        for name, sql, bad in cases:
            with self.subTest(name):
                rc, out = self.verify(self.copy(name, *sql))
                self.assertEqual(rc, 1, out)
                m = BROKEN_AT.search(out)
                self.assertIsNotNone(m, out)
                self.assertEqual(int(m.group(1)), bad, out)
        # Removed at the end: only the anchor (kept apart) can tell.
        for name, sql, anchor in (("truncated", ["DELETE FROM audit WHERE seq = %d" % n], False),
                                  ("truncated-3", ["DELETE FROM audit WHERE seq > %d" % (n - 3)],
                                   False),
                                  ("no-anchor", [], True)):
            with self.subTest(name):
                rc, out = self.verify(self.copy(name, *sql, drop_anchor=anchor))
                self.assertEqual(rc, 1, out)
                self.assertRegex(out, BROKEN_END, out)

        # The API gives the same finding.
        d = self.copy("altered-api", "UPDATE audit SET result = 'x' WHERE seq = %d" % k)
        y2 = self.start_yunwei(data_dir=d, name="tampered")
        v = y2.get("audit/verify", token=self.auditor)
        self.assertIs(v["ok"], False, v)
        self.assertEqual(v["bad_seq"], k, v)
        self.assertIn("record %d" % k, v["message"])


if __name__ == "__main__":
    unittest.main()
