#!/usr/bin/env python3
"""Runs every test of yunwei and ends with one line "N passed, N failed".

    tests/run.py --build DIR --fuzz-build DIR [--only PATTERN] [--fuzz-seconds N]

In this order:
1. unit tests: every executable DIR/tests/**/test_* (TAP: each "ok N" /
   "not ok N" line is one test; a crash, a timeout (120 s) or a non-zero exit
   without a "not ok" line is one failure);
2. fuzz targets: every FUZZDIR/tests/fuzz_* for N seconds (default 10) on a
   copy of its seed corpus tests/fuzz/corpus/NAME/ (one test each; a crash is
   a failure, printed with its artifact path);
3. integration tests: every tests/integration/test_*.py through unittest,
   each test method one test, two modules at a time, YUNWEI=DIR/yunwei;
   then the console's JavaScript unit tests, tests/unit/web-js/*.test.mjs
   (node --test, no browser);
4. browser tests: tests/browser/*.test.js through node's test runner (TAP:
   each test one test), headless Debian chromium driven by playwright-core
   against a real `yunwei serve --demo`, YUNWEI=DIR/yunwei. `npm ci` first
   when tests/browser/node_modules is missing. Skipped, with the reason
   printed, only when chromium is not installed.

--only PATTERN keeps the tests whose name (unit executable path, fuzz target,
integration module or test id) contains PATTERN (or matches it as a glob).
Exit status 0 iff nothing failed. Python 3 standard library only.
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNIT_TIMEOUT = int(os.environ.get("YW_UNIT_TIMEOUT", "120"))
MODULE_TIMEOUT = 600
TAP_RE = re.compile(r"^(not ok|ok)\b\s*(\d+)?\s*-?\s*(.*)$")
PLAN_RE = re.compile(r"^1\.\.(\d+)")

_print_lock = threading.Lock()


def say(*lines):
    with _print_lock:
        for line in lines:
            print(line)
        sys.stdout.flush()


def matches(pattern, *names):
    if not pattern:
        return True
    for n in names:
        if pattern in n or fnmatch.fnmatch(n, pattern) or fnmatch.fnmatch(n, "*" + pattern + "*"):
            return True
    return False


def env_for_tests(extra=None):
    env = dict(os.environ)
    # Undefined behaviour must fail a test, not scroll by.
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env["YW_SOURCE_ROOT"] = ROOT
    if extra:
        env.update(extra)
    return env


def run_limited(argv, timeout, cwd=None, env=None):
    """Runs argv in its own process group; kills the group at the timeout.
    Returns (returncode or None on timeout, stdout, stderr)."""
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.DEVNULL, cwd=cwd, env=env, start_new_session=True)
    try:
        out, err = p.communicate(timeout=timeout)
        return p.returncode, out, err
    except subprocess.TimeoutExpired:
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = p.communicate()
        return None, out, err


def describe_status(rc):
    if rc is None:
        return "timed out"
    if rc < 0:
        try:
            return "killed by %s" % signal.Signals(-rc).name
        except ValueError:
            return "killed by signal %d" % -rc
    return "exit status %d" % rc


def tail(text, n=40):
    lines = text.splitlines()
    return lines[-n:]


# ------------------------------------------------------------------ unit --

def find_unit_tests(build):
    found = []
    top = os.path.join(build, "tests")
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.endswith(".p") and d != "meson-private")
        for f in sorted(filenames):
            path = os.path.join(dirpath, f)
            if (re.fullmatch(r"test_[A-Za-z0-9_\-]+", f) and os.path.isfile(path)
                    and os.access(path, os.X_OK)):
                found.append(path)
    return found


def parse_tap(text):
    """Returns (passed, failed list of (line, comments), plan or None)."""
    passed, failed = 0, []
    comments = []
    plan = None
    seen = 0
    for line in text.splitlines():
        m = TAP_RE.match(line)
        if m:
            seen += 1
            if m.group(1) == "ok":
                passed += 1
            else:
                failed.append((line, comments))
            comments = []
            continue
        m = PLAN_RE.match(line)
        if m:
            plan = int(m.group(1))
        elif line.startswith("#"):
            comments.append(line)
    return passed, failed, plan, seen


def run_unit(path, build):
    name = os.path.relpath(path, build)
    rc, out, err = run_limited([path], UNIT_TIMEOUT, cwd=ROOT, env=env_for_tests())
    out = out.decode("utf-8", "replace")
    err = err.decode("utf-8", "replace")
    passed, failed, plan, seen = parse_tap(out)
    report = []
    for line, comments in failed:
        report.append("  FAIL %s: %s" % (name, line))
        report.extend("    " + c for c in comments)
    problem = None
    if rc is None:
        problem = "timed out after %ds" % UNIT_TIMEOUT
    elif rc != 0 and not failed:
        problem = describe_status(rc) + " without a 'not ok' line"
    elif plan is not None and plan != seen:
        problem = "plan 1..%d but %d results (%s)" % (plan, seen, describe_status(rc))
    elif plan is None and seen == 0:
        problem = "no TAP output (%s)" % describe_status(rc)
    nfail = len(failed)
    if problem:
        nfail += 1
        report.append("  FAIL %s: %s" % (name, problem))
        report.extend("    | " + l for l in tail(out, 15))
    if (problem or failed) and err.strip():
        report.append("    stderr:")
        report.extend("    | " + l for l in tail(err, 60))
    return name, passed, nfail, 0, report


# ------------------------------------------------------------------ fuzz --

def find_fuzz_targets(fuzzbuild):
    top = os.path.join(fuzzbuild, "tests")
    if not os.path.isdir(top):
        return []
    return [os.path.join(top, f) for f in sorted(os.listdir(top))
            if re.fullmatch(r"fuzz_[A-Za-z0-9_\-]+", f)
            and os.path.isfile(os.path.join(top, f)) and os.access(os.path.join(top, f), os.X_OK)]


def run_fuzz(path, seconds):
    name = os.path.basename(path)
    corpus_src = os.path.join(ROOT, "tests", "fuzz", "corpus", name[len("fuzz_"):])
    work = tempfile.mkdtemp(prefix="yw-%s-" % name)
    corpus = os.path.join(work, "corpus")
    artifacts = os.path.join(work, "artifacts")
    os.makedirs(artifacts)
    if os.path.isdir(corpus_src):
        shutil.copytree(corpus_src, corpus)
    else:
        os.makedirs(corpus)
    argv = [path, corpus, "-max_total_time=%d" % seconds, "-timeout=10",
            "-rss_limit_mb=2048", "-artifact_prefix=" + artifacts + "/", "-print_final_stats=1"]
    rc, out, err = run_limited(argv, seconds + 120, cwd=work, env=env_for_tests())
    err = err.decode("utf-8", "replace")
    found = sorted(os.listdir(artifacts))
    report = []
    if rc == 0 and not found:
        shutil.rmtree(work, ignore_errors=True)
        runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", err)
        return name, 1, 0, 0, report, ("%s runs" % runs[-1]) if runs else ""
    # Keep the artifacts for the reader; remove the copied corpus.
    shutil.rmtree(corpus, ignore_errors=True)
    report.append("  FAIL %s: %s" % (name, describe_status(rc)))
    for a in found:
        report.append("    artifact: %s" % os.path.join(artifacts, a))
    for m in re.findall(r"Test unit written to (\S+)", err):
        if not any(m.endswith(a) for a in found):
            report.append("    artifact: %s" % m)
    if not found:
        report.append("    (no artifact written; see output)")
    report.extend("    | " + l for l in tail(err, 40))
    return name, 0, 1, 0, report, ""


# ------------------------------------------------------------ integration --

def find_integration_modules():
    d = os.path.join(ROOT, "tests", "integration")
    if not os.path.isdir(d):
        return []
    return [os.path.join(d, f) for f in sorted(os.listdir(d))
            if re.fullmatch(r"test_\w+\.py", f)]


def _iter_tests(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from _iter_tests(t)
        else:
            yield t


class _JsonResult(unittest.TextTestResult):
    """Records one outcome per test method (subtests fold into their test)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.outcomes = {}
        self.started = {}

    def startTest(self, test):
        super().startTest(test)
        self.started[test.id()] = time.monotonic()
        sys.stderr.write("== %s\n" % test.id())
        sys.stderr.flush()

    def _set(self, test, outcome, detail=""):
        tid = test.id()
        prev = self.outcomes.get(tid)
        if prev and prev["outcome"] in ("fail", "error"):
            if detail:
                prev["detail"] += "\n" + detail
            return
        secs = time.monotonic() - self.started.get(tid, time.monotonic())
        self.outcomes[tid] = {"id": tid, "outcome": outcome, "detail": detail,
                              "seconds": round(secs, 2)}

    def addSuccess(self, test):
        super().addSuccess(test)
        self._set(test, "pass")

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._set(test, "fail", self._exc_info_to_string(err, test))

    def addError(self, test, err):
        super().addError(test, err)
        # Errors in setUpClass and the like come as _ErrorHolder: no id method clash.
        self._set(test, "error", self._exc_info_to_string(err, test))

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._set(test, "skip", reason)

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._set(test, "pass")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._set(test, "fail", "unexpected success")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            kind = "fail" if issubclass(err[0], test.failureException) else "error"
            self._set(test, kind, "%s: %s" % (subtest.id(), self._exc_info_to_string(err, test)))


def child_main(module_path, out_path, pattern):
    """Runs one integration module (in a child process) and writes a JSON
    list of outcomes to out_path."""
    import importlib.util
    sys.path.insert(0, os.path.dirname(module_path))
    modname = os.path.splitext(os.path.basename(module_path))[0]
    outcomes = []
    try:
        spec = importlib.util.spec_from_file_location(modname, module_path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[modname] = mod
        spec.loader.exec_module(mod)
        suite = unittest.defaultTestLoader.loadTestsFromModule(mod)
        if pattern and not matches(pattern, modname, "integration/" + modname):
            keep = [t for t in _iter_tests(suite) if matches(pattern, t.id())]
            suite = unittest.TestSuite(keep)
        runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=0,
                                         resultclass=_JsonResult)
        result = runner.run(suite)
        outcomes = list(result.outcomes.values())
    except Exception:
        outcomes.append({"id": modname, "outcome": "error", "detail": traceback.format_exc()})
    with open(out_path, "w") as f:
        json.dump(outcomes, f)
    return 0


def run_module(path, build, pattern):
    name = os.path.splitext(os.path.basename(path))[0]
    fd, out_path = tempfile.mkstemp(prefix="yw-it-", suffix=".json")
    os.close(fd)
    env = env_for_tests({"YUNWEI": os.path.abspath(os.path.join(build, "yunwei")),
                         "PYTHONDONTWRITEBYTECODE": "1"})
    t0 = time.monotonic()
    argv = [sys.executable, os.path.abspath(__file__), "--_child", path, "--_out", out_path]
    if pattern:
        argv += ["--only", pattern]
    rc, out, err = run_limited(argv, MODULE_TIMEOUT, cwd=ROOT, env=env)
    secs = time.monotonic() - t0
    log = (out + err).decode("utf-8", "replace")
    try:
        with open(out_path) as f:
            outcomes = json.load(f)
    except (OSError, ValueError):
        outcomes = []
    os.unlink(out_path)
    passed = sum(1 for o in outcomes if o["outcome"] == "pass")
    skipped = [o for o in outcomes if o["outcome"] == "skip"]
    failed = [o for o in outcomes if o["outcome"] in ("fail", "error")]
    report = []
    for o in failed:
        report.append("  FAIL %s (%s)" % (o["id"], o["outcome"]))
        report.extend("    " + l for l in o["detail"].rstrip().splitlines())
    for o in skipped:
        report.append("  skip %s: %s" % (o["id"], o["detail"]))
    nfail = len(failed)
    if rc is None or (rc != 0 and not failed) or (not outcomes and rc is not None and rc != 0):
        nfail += 1
        report.append("  FAIL %s: runner %s" % (name, "timed out after %ds" % MODULE_TIMEOUT
                                                if rc is None else describe_status(rc)))
    if nfail:
        report.append("  ---- output of %s ----" % name)
        report.extend("  | " + l for l in log.rstrip().splitlines()[-400:])
    return name, passed, nfail, len(skipped), report, "%.0fs" % secs


# --------------------------------------------------------------- browser --

BROWSER_DIR = os.path.join(ROOT, "tests", "browser")
BROWSER_TIMEOUT = 600
CHROMIUM = os.environ.get("YW_CHROMIUM", "/usr/bin/chromium")
NODE_TAP_RE = re.compile(r"^(\s*)(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b\s*(.*))?$")


def parse_node_tap(text):
    """Leaf test results of node's TAP reporter: [(outcome, name, detail)],
    outcome pass/fail/skip. A result followed by more indented ones is their
    parent (a file or a suite), not a test; node writes the parent after its
    children, so a line is a parent when the result before it is deeper.
    Tests left out by --test-name-pattern are dropped."""
    results = []
    prev_indent = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = NODE_TAP_RE.match(line)
        if not m:
            continue
        indent = len(m.group(1))
        parent = prev_indent is not None and prev_indent > indent
        prev_indent = indent
        if parent:
            continue
        name, directive, why = m.group(3), m.group(4), (m.group(5) or "")
        if directive == "SKIP" and "does not match pattern" in why:
            continue
        detail = []
        for more in lines[i + 1:]:
            if NODE_TAP_RE.match(more) or more.lstrip().startswith("# Subtest:"):
                break
            detail.append(more)
        if m.group(2) == "not ok":
            results.append(("fail", name, "\n".join(detail)))
        elif directive:
            results.append(("skip", name, why))
        else:
            results.append(("pass", name, ""))
    return results


def run_browser(build, pattern):
    """Returns None when nothing ran (pattern), else (name, passed, failed,
    skipped, report, note)."""
    files = sorted(f for f in os.listdir(BROWSER_DIR) if f.endswith(".test.js")) if os.path.isdir(BROWSER_DIR) else []
    if not files:
        return None
    name = "tests/browser"
    name_pattern = None
    if pattern and not matches(pattern, "browser", *("browser/" + f for f in files)):
        # Only when some test is named so: starting the server and the
        # browser for none would cost seconds for nothing.
        names = []
        for f in files:
            with open(os.path.join(BROWSER_DIR, f), encoding="utf-8") as fh:
                names += re.findall(r"""\btest\(\s*'((?:[^'\\]|\\.)*)'""", fh.read())
        if not any(pattern in n for n in names):
            return None
        name_pattern = re.escape(pattern)
    if not os.access(CHROMIUM, os.X_OK):
        return name, 0, 0, 1, ["  skip browser tests: %s is not installed (scripts/deps.sh test installs chromium)" % CHROMIUM], ""
    node = shutil.which("node")
    if not node:
        return name, 0, 1, 0, ["  FAIL browser tests: node is not installed (scripts/deps.sh test installs nodejs)"], ""
    argv = [node, "--test", "--test-reporter=tap"]
    if name_pattern:
        argv.append("--test-name-pattern=" + name_pattern)
    t0 = time.monotonic()
    env = env_for_tests({"YUNWEI": os.path.abspath(os.path.join(build, "yunwei")),
                         "npm_config_update_notifier": "false", "npm_config_fund": "false"})
    if not os.path.isdir(os.path.join(BROWSER_DIR, "node_modules", "playwright-core")):
        npm = shutil.which("npm")
        if not npm:
            return name, 0, 1, 0, ["  FAIL browser tests: npm is not installed"], ""
        rc, out, err = run_limited([npm, "ci", "--no-audit", "--no-fund"], 300, cwd=BROWSER_DIR, env=env)
        if rc != 0:
            log = (out + err).decode("utf-8", "replace")
            return name, 0, 1, 0, ["  FAIL browser tests: npm ci %s" % describe_status(rc)] + \
                ["    | " + l for l in tail(log, 30)], ""
    argv += [os.path.join(BROWSER_DIR, f) for f in files]
    rc, out, err = run_limited(argv, BROWSER_TIMEOUT, cwd=ROOT, env=env)
    secs = time.monotonic() - t0
    text = out.decode("utf-8", "replace")
    errtext = err.decode("utf-8", "replace")
    results = parse_node_tap(text)
    if pattern and not results and rc == 0:
        return None
    passed = sum(1 for r in results if r[0] == "pass")
    skipped = [r for r in results if r[0] == "skip"]
    failed = [r for r in results if r[0] == "fail"]
    report = []
    for _, tname, detail in failed:
        report.append("  FAIL browser: %s" % tname)
        report.extend("    " + l for l in detail.rstrip().splitlines()[:40])
    for _, tname, why in skipped:
        report.append("  skip browser: %s: %s" % (tname, why))
    nfail = len(failed)
    if rc is None or (rc != 0 and not failed) or not results:
        nfail += 1
        report.append("  FAIL browser tests: node --test %s%s" % (
            "timed out after %ds" % BROWSER_TIMEOUT if rc is None else describe_status(rc),
            "" if results else " without a test result"))
    if nfail:
        report.append("  ---- output of the browser tests ----")
        report.extend("  | " + l for l in (text + errtext).rstrip().splitlines()[-150:])
    else:
        # What the suite says about itself (e.g. where the screenshots went).
        report.extend("  " + l[2:].replace("\\#", "#") for l in text.splitlines() if l.startswith("# ") and "screenshots" in l)
    return name, passed, nfail, len(skipped), report, "%.0fs" % secs


WEBJS_DIR = os.path.join(ROOT, "tests", "unit", "web-js")


def run_webjs(pattern):
    """The console's own JavaScript unit tests (i18n, router, api errors,
    catalogue completeness): node --test, no browser. None when nothing ran."""
    files = sorted(f for f in os.listdir(WEBJS_DIR) if f.endswith(".test.mjs")) if os.path.isdir(WEBJS_DIR) else []
    if not files or (pattern and not matches(pattern, "web-js", *("web-js/" + f for f in files))):
        return None
    name = "tests/unit/web-js"
    node = shutil.which("node")
    if not node:
        return name, 0, 1, 0, ["  FAIL web-js: node is not installed (scripts/deps.sh test installs nodejs)"], ""
    t0 = time.monotonic()
    argv = [node, "--test", "--test-reporter=tap"] + [os.path.join(WEBJS_DIR, f) for f in files]
    rc, out, err = run_limited(argv, 300, cwd=ROOT, env=env_for_tests({}))
    text = out.decode("utf-8", "replace") + err.decode("utf-8", "replace")
    results = parse_node_tap(text)
    passed = sum(1 for r in results if r[0] == "pass")
    failed = [r for r in results if r[0] == "fail"]
    report = []
    for _, tname, detail in failed:
        report.append("  FAIL web-js: %s" % tname)
        report.extend("    " + l for l in detail.rstrip().splitlines()[:40])
    nfail = len(failed)
    if rc is None or (rc != 0 and not failed) or not results:
        nfail += 1
        report.append("  FAIL web-js: node --test %s" % ("timed out" if rc is None else describe_status(rc)))
        report.extend("  | " + l for l in text.rstrip().splitlines()[-60:])
    return name, passed, nfail, 0, report, "%.0fs" % (time.monotonic() - t0)


# ------------------------------------------------------------------ main --

def main():
    ap = argparse.ArgumentParser(description="Run every yunwei test.")
    ap.add_argument("--build", help="build dir with the unit tests and yunwei (ASan)")
    ap.add_argument("--fuzz-build", help="build dir with the fuzz targets (clang, -Dfuzz=true)")
    ap.add_argument("--only", help="run only tests whose name contains PATTERN (or glob)")
    ap.add_argument("--fuzz-seconds", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=2, help="integration modules at a time")
    ap.add_argument("--_child", help=argparse.SUPPRESS)
    ap.add_argument("--_out", help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args._child:
        return child_main(args._child, args._out, args.only)
    if not args.build:
        ap.error("--build is required")

    t_start = time.monotonic()
    build = os.path.abspath(args.build)
    total_pass = total_fail = total_skip = 0

    def account(name, group, p, f, s, report, note=""):
        nonlocal total_pass, total_fail, total_skip
        total_pass += p
        total_fail += f
        total_skip += s
        extra = (", %d skipped" % s) if s else ""
        say("%s %s: %d passed, %d failed%s%s" % (group, name, p, f, extra,
                                                 (" (%s)" % note) if note else ""))
        if report:
            say(*report)

    # 1. unit tests, two at a time, reported in order.
    units = [p for p in find_unit_tests(build)
             if matches(args.only, os.path.relpath(p, build), "unit/" + os.path.basename(p))]
    if not os.path.isdir(os.path.join(build, "tests")):
        say("unit: no %s/tests (build missing?)" % build)
        total_fail += 1
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        for name, p, f, s, report in pool.map(lambda u: run_unit(u, build), units):
            account(name, "unit", p, f, s, report)

    # 2. fuzz targets.
    if args.fuzz_build:
        fuzz = [p for p in find_fuzz_targets(os.path.abspath(args.fuzz_build))
                if matches(args.only, os.path.basename(p), "fuzz/" + os.path.basename(p))]
        if not fuzz and not args.only:
            say("fuzz: no fuzz_* targets in %s/tests" % args.fuzz_build)
        for path in fuzz:
            name, p, f, s, report, note = run_fuzz(path, args.fuzz_seconds)
            account(name, "fuzz", p, f, s, report, note)

    # 3. integration modules, args.jobs at a time.
    # With --only, every module runs in a child that keeps only the matching
    # tests; a module left with none is dropped quietly.
    mods = find_integration_modules()
    if mods:
        yw = os.path.join(build, "yunwei")
        if not os.access(yw, os.X_OK):
            say("integration: %s is missing: every integration test will fail" % yw)
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futs = [pool.submit(run_module, m, build, args.only) for m in mods]
            for fut in concurrent.futures.as_completed(futs):
                name, p, f, s, report, note = fut.result()
                if args.only and p + f + s == 0:
                    continue
                account(name, "integration", p, f, s, report, note)

    # 3b. the console's JavaScript unit tests (node, no browser).
    res = run_webjs(args.only)
    if res is not None:
        name, p, f, sk, report, note = res
        account(name, "unit", p, f, sk, report, note)

    # 4. browser tests, after everything else (they need the whole server).
    res = run_browser(build, args.only)
    if res is not None:
        name, p, f, sk, report, note = res
        account(name, "browser", p, f, sk, report, note)

    say("suite took %.0fs" % (time.monotonic() - t_start))
    line = "%d passed, %d failed" % (total_pass, total_fail)
    if total_skip:
        line += ", %d skipped" % total_skip
    say(line)
    return 0 if total_fail == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
