"""postgres monitors against a real PostgreSQL started for the test (skipped,
with the reason, when no server can be started here)."""

import unittest

from harness import YunweiTestCase, PgServer, PgUnavailable, config_text, monitor, system


class Postgres(YunweiTestCase):
    pg = None
    why = None

    @classmethod
    def setUpClass(cls):
        try:
            cls.pg = PgServer()
        except PgUnavailable as e:
            cls.why = str(e)

    @classmethod
    def tearDownClass(cls):
        if cls.pg:
            cls.pg.stop()

    def setUp(self):
        if self.pg is None:
            self.skipTest(self.why)
        super().setUp()

    def test_query_expect(self):
        pg = self.pg
        secret_uri = "postgresql://postgres:s3cr3t-pw@127.0.0.1:%d/postgres" % pg.port
        y = self.start_yunwei(config_text(
            [system("db")],
            [monitor("pg-right", "db", "postgres", conninfo=pg.conninfo(),
                     query="SELECT 41 + 1", expect="42", retries=1),
             monitor("pg-wrong", "db", "postgres", conninfo=pg.conninfo(),
                     query="SELECT 41 + 1", expect="43", retries=1),
             monitor("pg-any-row", "db", "postgres", conninfo=secret_uri, retries=1),
             monitor("pg-bad-sql", "db", "postgres", conninfo=pg.conninfo(),
                     query="SELECT * FROM no_such_table", retries=1),
             monitor("pg-no-server", "db", "postgres",
                     conninfo="host=127.0.0.1 port=1 user=postgres dbname=postgres "
                              "connect_timeout=1", retries=1)]))
        y.wait_state("pg-right", "up")
        m = y.wait_state("pg-wrong", "down")
        self.assertTrue(m["state_reason"])
        y.wait_state("pg-any-row", "up")
        y.wait_state("pg-bad-sql", "down")
        y.wait_state("pg-no-server", "down")
        # The password never comes back through the API.
        a = y.monitor("pg-any-row")
        self.assertNotIn("s3cr3t-pw", a["conninfo"])
        self.assertIn("***", a["conninfo"])
        listing = y.request("GET", "/api/v1/monitors")
        self.assertNotIn("s3cr3t-pw", listing.text)
        self.assertNotIn("s3cr3t-pw", y.request("GET", "/metrics").text)
        self.assertNotIn("s3cr3t-pw", y.stderr_text())

    def test_server_stops_and_returns(self):
        # A second server of our own, so stopping it leaves the shared one.
        try:
            pg = PgServer()
        except PgUnavailable as e:
            self.skipTest(str(e))
        self.addCleanup(pg.stop)
        self.assertEqual(pg.psql("SELECT 1"), "1")
        y = self.start_yunwei(config_text(
            [system("db")],
            [monitor("pg", "db", "postgres", conninfo=pg.conninfo(), retries=1)]))
        y.wait_state("pg", "up")
        pg._run(["pg_ctl", "-D", pg.data, "-m", "immediate", "-w", "stop"])
        y.wait_state("pg", "down")
        opts = "-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off" % (pg.port, pg.sockdir)
        pg._run(["pg_ctl", "-D", pg.data, "-l", pg.log, "-w", "-o", opts, "start"])
        y.wait_state("pg", "up")


if __name__ == "__main__":
    unittest.main()
