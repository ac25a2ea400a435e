"""The working-day calendar end to end: `yunwei calendar` (add, is-workday,
show, import) with its exit codes, the /api/v1/calendar endpoints with a
token, adding a year over the API (sysadmin may, an engineer may not; a
date outside the year is refused with its line), and `calendar import`
beside a running server. Expected dates are worked out by hand from the
State Council's notices (data/cn-holidays.txt), not read from the code."""

import csv
import io
import os
import signal

from harness import ADMIN_USER, YunweiTestCase, wait_until

# A 2027 block for the tests (made up: the 2027 notice is not out). New
# Year on Friday 1 January, a make-up Saturday on 6 February.
Y2027 = """# 2027
2027-01-01 off 元旦
2027-01-02 off 元旦
2027-01-03 off 元旦
2027-02-06 work 春节
"""

ENGINEER_PW = "Kalender-Pr0be!x"


class CalendarCli(YunweiTestCase):
    """The questions need no server and no store: the shipped calendar answers."""

    def test_add_qingming_and_friends(self):
        cases = [
            # the contract's example: Friday + 1, 4-6 April are Qingming
            (("2026-04-03", "1"), "2026-04-07"),
            (("2026-04-03", "0"), "2026-04-03"),
            (("2026-04-04", "0"), "2026-04-07"),
            # make-up Saturdays
            (("2026-02-27", "1"), "2026-02-28"),
            (("2026-10-09", "1"), "2026-10-10"),
            # Spring Festival: 15-23 February off, 14th a make-up Saturday
            (("2026-02-13", "2"), "2026-02-24"),
            # across New Year: 1-3 January off, Sunday 4th a make-up day
            (("2025-12-31", "1"), "2026-01-04"),
            # a fault report due 3 working days after 30 September
            (("2026-09-30", "3"), "2026-10-10"),
        ]
        for args, want in cases:
            with self.subTest(args=args):
                p = self.run_yunwei("calendar", "add", *args)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(p.stdout, want + "\n")
                self.assertEqual(p.stderr, "")

    def test_add_into_an_unknown_year_warns(self):
        p = self.run_yunwei("calendar", "add", "2026-12-31", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "2027-01-01\n")  # a Friday: only weekends count
        self.assertIn("2027", p.stderr)
        self.assertIn("only weekends", p.stderr)

    def test_is_workday_exit_codes(self):
        cases = [
            ("2026-04-04", 1, "否", ["2026-04-04", "休息日（清明节）", "Qingming"]),
            ("2026-04-06", 1, "否", ["清明节", "Monday"]),
            ("2026-04-07", 0, "是", ["工作日", "Tuesday"]),
            ("2026-02-28", 0, "是", ["调休", "春节", "make-up"]),
            ("2026-04-11", 1, "否", ["周末", "weekend"]),
            ("2025-10-06", 1, "否", ["国庆节、中秋节", "National Day and Mid-Autumn Festival"]),
        ]
        for date, rc, word, parts in cases:
            with self.subTest(date=date):
                p = self.run_yunwei("calendar", "is-workday", date)
                self.assertEqual(p.returncode, rc, p.stdout + p.stderr)
                self.assertTrue(p.stdout.startswith(word + " "), p.stdout)
                for part in parts:
                    self.assertIn(part, p.stdout)

    def test_bad_input_exit_2(self):
        cases = [
            ("add", "2026-13-01", "1"),
            ("add", "2026-02-29", "1"),
            ("add", "2026-4-3", "1"),
            ("add", "2026-04-03", "x"),
            ("add", "2026-04-03", "-1"),
            ("add", "2026-04-03", "367"),
            ("add", "2026-04-03"),
            ("add", "2026-04-03", "1", "2"),
            ("add", "2026-04-03", "1", "--year", "2026"),
            ("is-workday", "tomorrow"),
            ("is-workday",),
            ("show", "26"),
            ("show", "2100"),
            ("import", os.path.join("/nonexistent", "2027.txt")),
            ("frobnicate",),
            (),
        ]
        for args in cases:
            with self.subTest(args=args):
                p = self.run_yunwei("calendar", *args)
                self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                self.assertEqual(p.stdout, "")
                self.assertTrue(p.stderr.strip())

    def test_help(self):
        p = self.run_yunwei("calendar", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("calendar add DATE N", p.stdout)
        self.assertIn("next start", p.stdout)

    def test_show(self):
        p = self.run_yunwei("calendar", "show", "2026")
        self.assertEqual(p.returncode, 0, p.stderr)
        lines = p.stdout.splitlines()
        self.assertEqual(len([ln for ln in lines if ln.startswith("2026-")]), 39)
        self.assertTrue(any(ln.startswith("2026-04-04") and "清明节" in ln for ln in lines))
        # 261 weekdays - 19 weekdays off + 6 make-up days
        self.assertIn("248", lines[-1])
        p = self.run_yunwei("calendar", "show", "2027")
        self.assertEqual(p.returncode, 1)
        self.assertIn("not in the calendar", p.stdout)

    def test_import_lists_every_problem(self):
        path = os.path.join(self.tmp, "bad.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("# 2027\n2027-01-01 off 元旦\n2027-02-30 off 春节\n"
                    "2027-02-06 rest 春节\n2026-10-01 off 国庆节\n")
        p = self.run_yunwei("calendar", "import", path, "--data", os.path.join(self.tmp, "d"))
        self.assertEqual(p.returncode, 2, p.stderr)
        for line in (3, 4, 5):
            self.assertIn("%s:%d: " % (path, line), p.stderr)
        self.assertIn("nothing imported", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, "d", "yunwei.db")))


class CalendarApi(YunweiTestCase):

    def test_get_endpoints(self):
        y = self.start_yunwei()
        j = y.get("calendar?year=2026")
        self.assertEqual(j["year"], 2026)
        self.assertIs(j["known"], True)
        self.assertEqual(j["source"], "builtin")
        self.assertEqual(len(j["days"]), 39)
        self.assertIn({"date": "2026-04-04", "kind": "off", "name": "清明节", "weekday": 6},
                      j["days"])
        self.assertIn({"date": "2026-02-28", "kind": "work", "name": "春节", "weekday": 6},
                      j["days"])
        j = y.get("calendar?year=2027")
        self.assertEqual(j, {"year": 2027, "known": False, "source": None, "days": []})

        years = y.get("calendar/years")["years"]
        self.assertEqual([e["year"] for e in years], list(range(2020, 2027)))
        self.assertTrue(all(e["source"] == "builtin" and e["updated"] is None for e in years))
        self.assertEqual(years[-1]["days"], 39)

        j = y.get("calendar/workday?date=2026-04-04")
        self.assertEqual(j, {"date": "2026-04-04", "workday": False, "kind": "off",
                             "name": "清明节", "weekday": 6, "known": True})
        j = y.get("calendar/workday?date=2026-04-07")
        self.assertEqual((j["workday"], j["kind"], j["name"], j["weekday"]),
                         (True, "weekday", None, 2))
        j = y.get("calendar/workday?date=2026-10-10")
        self.assertEqual((j["workday"], j["kind"], j["name"]), (True, "work", "国庆节"))
        j = y.get("calendar/workday?date=2026-04-11")
        self.assertEqual((j["workday"], j["kind"]), (False, "weekend"))
        j = y.get("calendar/workday?date=2027-01-01")
        self.assertEqual((j["workday"], j["known"]), (True, False))

        j = y.get("calendar/add?date=2026-04-03&days=1")
        self.assertEqual(j, {"date": "2026-04-03", "days": 1, "result": "2026-04-07",
                             "known": True})
        j = y.get("calendar/add?date=2026-12-31&days=1")
        self.assertEqual((j["result"], j["known"]), ("2027-01-01", False))
        self.assertEqual(y.get("calendar/add?date=2026-04-03&days=366")["known"], False)

        for path, field in [("calendar/add?date=2026-04-03&days=367", "days"),
                            ("calendar/add?date=2026-04-03&days=-1", "days"),
                            ("calendar/add?date=2026-04-03", "days"),
                            ("calendar/add?date=2026-02-30&days=1", "date"),
                            ("calendar/workday?date=20260404", "date"),
                            ("calendar?year=1999", "year"),
                            ("calendar?year=abcd", "year")]:
            with self.subTest(path=path):
                self.assertApiError(y.api("GET", path), 400, "invalid", field)
        self.assertEqual(y.api("GET", "calendar/years", token=None).status, 401)

    def test_put_year_then_add_across_it(self):
        y = self.start_yunwei()
        self.add_user(y, "zhang.san", "engineer", ENGINEER_PW)
        eng = self.make_token(y, "zhang.san")

        # Before: 2027 unknown, only weekends count.
        j = y.get("calendar/add?date=2026-12-31&days=1")
        self.assertEqual((j["result"], j["known"]), ("2027-01-01", False))

        # An engineer may read but not add a year.
        self.assertEqual(y.get("calendar?year=2026", token=eng)["year"], 2026)
        r = y.api("PUT", "calendar/years/2027", Y2027, token=eng,
                  headers={"Content-Type": "text/plain; charset=utf-8"})
        self.assertApiError(r, 403, "forbidden")

        # A date outside the year: 400 naming the line, nothing changed.
        bad = Y2027 + "2026-11-30 off 元旦\n"
        r = y.api("PUT", "calendar/years/2027", bad,
                  headers={"Content-Type": "text/plain; charset=utf-8"})
        self.assertApiError(r, 400, "invalid", "text")
        err = r.json["error"]
        self.assertIn("request:6:", err["message"])
        self.assertEqual([p["line"] for p in err["problems"]], [6])
        r = y.api("PUT", "calendar/years/2027", {"text": "2027-01-01 off 元旦\n2027-13-01 off x\n"
                                                         "2027-01-01 off 元旦\n"})
        self.assertApiError(r, 400, "invalid", "text")
        self.assertEqual([p["line"] for p in r.json["error"]["problems"]], [2, 3])
        r = y.api("PUT", "calendar/years/2027", b"\xff\xfe27-01-01 off x\n2027-01-02 of x\n",
                  headers={"Content-Type": "text/plain"})
        self.assertApiError(r, 400, "invalid", "text")  # still JSON, whatever the bytes
        self.assertEqual([p["line"] for p in r.json["error"]["problems"]], [1, 2])
        r = y.api("PUT", "calendar/years/2027", "x" * (64 * 1024 + 1),
                  headers={"Content-Type": "text/plain"})
        self.assertApiError(r, 413, "too_large")
        self.assertApiError(y.api("PUT", "calendar/years/1999", {"text": "x"}), 400, "invalid",
                            "year")
        self.assertApiError(y.api("PUT", "calendar/years/2027", {"txt": Y2027}), 400, "invalid")
        self.assertFalse(y.get("calendar?year=2027")["known"])

        # The sysadmin adds it as the file format...
        r = y.api("PUT", "calendar/years/2027", Y2027,
                  headers={"Content-Type": "text/plain; charset=utf-8"})
        self.assertEqual(r.status, 200, r)
        j = r.json
        self.assertEqual((j["year"], j["known"], j["source"]), (2027, True, "added"))
        self.assertEqual([d["date"] for d in j["days"]],
                         ["2027-01-01", "2027-01-02", "2027-01-03", "2027-02-06"])
        self.assertEqual(y.get("calendar?year=2027"), j)
        # ...and the count from 2026 into 2027 now uses it: 31 Dec (Thu)
        # + 1 skips 1-3 January.
        j = y.get("calendar/add?date=2026-12-31&days=1")
        self.assertEqual((j["result"], j["known"]), ("2027-01-04", True))
        self.assertIs(y.get("calendar/workday?date=2027-02-06")["workday"], True)
        years = y.get("calendar/years")["years"]
        last = years[-1]
        self.assertEqual((last["year"], last["source"], last["days"], last["by"]),
                         (2027, "added", 4, ADMIN_USER))
        self.assertIsNotNone(last["updated"])

        # JSON body, replacing a shipped year.
        r = y.api("PUT", "calendar/years/2026", {"text": "# 2026\n2026-04-07 off 清明节（测试）\n"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["source"], "added")
        self.assertEqual(y.get("calendar/add?date=2026-04-03&days=1")["result"], "2026-04-06")

        # Both are audited, with the year before and after.
        p = y.cli("audit", "export", "--action", "calendar.year")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = list(csv.DictReader(io.StringIO(p.stdout.lstrip("\ufeff"), newline="")))
        ok = [r for r in rows if r["result"] == "ok"]
        self.assertEqual([r["object"] for r in ok], ["calendar:2027", "calendar:2026"])
        self.assertEqual(ok[0]["user"], ADMIN_USER)
        self.assertIn('"known":false', ok[0]["before"])
        self.assertIn("2027-02-06", ok[0]["after"])
        self.assertIn("清明节", ok[1]["before"])
        self.assertTrue(any(r["result"].startswith("failed") for r in rows))

        # A restart keeps the added years.
        self.assertEqual(y.stop(), 0)
        y.start()
        self.assertEqual(y.get("calendar?year=2027")["source"], "added")
        self.assertEqual(y.get("calendar/add?date=2026-12-31&days=1")["result"], "2027-01-04")

    def test_import_beside_a_running_server(self):
        y = self.start_yunwei()
        path = os.path.join(self.tmp, "2027.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(Y2027)
        p = y.cli("calendar", "import", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("2027", p.stdout)
        self.assertIn("SIGHUP", p.stdout)
        # The running server keeps its calendar until told (SIGHUP)...
        self.assertFalse(y.get("calendar?year=2027")["known"])
        y.signal(signal.SIGHUP)
        wait_until(lambda: y.get("calendar?year=2027")["known"], msg="the server reloads")
        self.assertEqual(y.get("calendar?year=2027")["source"], "added")
        # The shell sees it at once (it reads the store)...
        p = y.cli("calendar", "add", "2026-12-31", "1")
        self.assertEqual((p.returncode, p.stdout), (0, "2027-01-04\n"), p.stderr)
        p = y.cli("calendar", "is-workday", "2027-01-02")
        self.assertEqual(p.returncode, 1)
        self.assertIn("元旦", p.stdout)
        p = y.cli("calendar", "show", "2027")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("added", p.stdout.splitlines()[0])
        # ...and a restart keeps it.
        self.assertEqual(y.stop(), 0)
        y.start()
        self.assertEqual(y.get("calendar?year=2027")["source"], "added")
        self.assertEqual(y.get("calendar/add?date=2026-12-31&days=1")["result"], "2027-01-04")

        # One year out of a file holding several: --year picks it.
        full = os.path.join(self.tmp, "cn-holidays-2028.txt")
        with open(full, "w", encoding="utf-8") as f:
            f.write(Y2027.replace("2027", "2028") + "\n" + Y2027)
        p = y.cli("calendar", "import", full)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--year", p.stderr)
        p = y.cli("calendar", "import", full, "--year", "2029")
        self.assertEqual(p.returncode, 2)
        p = y.cli("calendar", "import", full, "--year", "2028")
        self.assertEqual(p.returncode, 0, p.stderr)
        p = y.cli("calendar", "is-workday", "2028-01-03")
        self.assertEqual(p.returncode, 1, p.stdout)

        # Both imports are in the audit trail, by the shell's user.
        p = y.cli("audit", "export", "--action", "calendar.year")
        rows = list(csv.DictReader(io.StringIO(p.stdout.lstrip("\ufeff"), newline="")))
        self.assertEqual([(r["object"], r["source"], r["result"]) for r in rows],
                         [("calendar:2027", "local", "ok"), ("calendar:2028", "local", "ok")])
        self.assertTrue(rows[0]["user"].startswith("cli:"))
