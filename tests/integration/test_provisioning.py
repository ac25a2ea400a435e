"""The incident desk's sections of the config file: notification channels,
rules, the duty roster and the SLA policy declared in YAML are applied at
start and on SIGHUP, read-only through the API, and a bad section stops the
start (exit 2, FILE:LINE) or leaves the running ones in force on reload."""

import datetime
import signal
import subprocess

from harness import (ADMIN_USER, YunweiTestCase, bootstrap, config_text, system, wait_until,
                     yunwei_path)


def ops_config(hook_url, with_second=True, warn_pct=80):
    channels = [{"name": "ops-hook", "title": "值班 Webhook", "type": "webhook",
                 "url": hook_url, "default": True}]
    if with_second:
        channels.append({"name": "ops-robot", "type": "dingtalk",
                         "url": "http://127.0.0.1:9/robot/send?access_token=t0k3n",
                         "secret": "SECabc"})
    return config_text([system("portal", title="数据资源门户")], [], extra={
        "sla": {"warn_pct": warn_pct},
        "channels": channels,
        "rules": [{"name": "all", "steps": [{"after": "0m", "to": ["assignee"],
                                             "channels": ["ops-hook"]}]}],
        "duty": {"rotations": [{"people": [ADMIN_USER], "position": "primary",
                                "shift": "24h", "days": 3,
                                "start": (datetime.date.today()
                                          - datetime.timedelta(days=1)).isoformat()}]},
    })


class Provisioning(YunweiTestCase):

    def test_sections_applied_read_only_and_reloaded(self):
        hook = self.http_target(status=200, body="ok")
        y = self.start_yunwei(ops_config(hook.url))
        chans = {c["name"]: c for c in y.get("channels")["items"]}
        self.assertEqual(sorted(chans), ["ops-hook", "ops-robot"])
        self.assertTrue(chans["ops-hook"]["provisioned"])
        self.assertNotIn("t0k3n", str(chans["ops-robot"]))
        self.assertNotIn("SECabc", str(chans["ops-robot"]))
        r = y.api("PUT", "channels/ops-hook", {"name": "ops-hook", "type": "webhook",
                                               "url": hook.url})
        self.assertEqual(r.status, 409, r)
        self.assertEqual([x["name"] for x in y.get("rules")["items"]], ["all"])
        now = y.get("duty/now")
        self.assertIn(ADMIN_USER, str(now))
        self.assertEqual(y.get("sla/policy")["warn_pct"], 80)

        # SIGHUP with the robot gone and another threshold: both follow.
        with open(y.config_path, "w", encoding="utf-8") as f:
            f.write(ops_config(hook.url, with_second=False, warn_pct=70))
        y.signal(signal.SIGHUP)
        wait_until(lambda: [c["name"] for c in y.get("channels")["items"]] == ["ops-hook"],
                   msg="the removed channel goes")
        wait_until(lambda: y.get("sla/policy")["warn_pct"] == 70, msg="the policy follows")

        # A broken section on reload: refused, the running ones stay.
        with open(y.config_path, "w", encoding="utf-8") as f:
            f.write(ops_config("ftp://nowhere", with_second=False, warn_pct=60))
        y.signal(signal.SIGHUP)
        wait_until(lambda: "config not reloaded" in y.stderr_tail(), msg="the refusal is logged")
        self.assertEqual(y.get("channels/ops-hook")["url"], hook.url)
        self.assertEqual(y.get("sla/policy")["warn_pct"], 70)

    def test_a_bad_section_stops_the_start_with_its_line(self):
        path = self.write_config(ops_config("ftp://nowhere"))
        data = self.tmp + "/bad-data"
        bootstrap(data, cwd=self.tmp)  # the account the roster names
        p = subprocess.run([yunwei_path(), "serve", "--config", path, "--data", data,
                            "--listen", "127.0.0.1:0"], capture_output=True, text=True,
                           timeout=30)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertRegex(p.stderr, r"yunwei\.yaml:\d+: channels\[0\]\.url: ")
