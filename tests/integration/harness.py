"""Harness for yunwei's integration tests (Python 3 standard library only).

What it gives a test:
- Yunwei: the real `$YUNWEI serve` on 127.0.0.1:0 with a config file and a
  data directory, its port parsed from the "listening on" line, stderr kept
  in a file (printed when the test fails), stopped with SIGTERM (exit 0
  checked) or killed with SIGKILL; JSON helpers for the API.
- Authentication: before serve first starts on a fresh data directory the
  harness makes a system administrator (`yunwei user add itest-admin --role
  sysadmin --password-stdin`) and an API token for it (`yunwei token
  create`); every request sends `Authorization: Bearer TOKEN` unless told
  otherwise (token=None: no credentials; token="ywt_…": that one). A restart
  on the same data directory reuses the token. Session (below) logs in with
  the session cookie and sends X-CSRF-Token on changes. `serve` with
  tls=TlsCert(...) runs HTTPS and the helpers follow.
- Loopback source addresses: request(..., source="127.0.0.N") connects from
  another loopback address, so that per-address limits (login rate) can be
  exercised without one test's attempts starving the next.
- Local targets, all bound to 127.0.0.1 and stopped at cleanup:
  HttpTarget (controllable status/body/delay, switchable at run time, also
  HTTPS with a throw-away certificate), TcpTarget (a listener to open and
  close), PgServer (a real PostgreSQL from the Debian binaries).
- wait_until(): polls a predicate instead of sleeping a fixed time.
- to_yaml(): writes config files from plain dicts and lists.
- YunweiTestCase: a unittest.TestCase that owns a temp dir, registers every
  process and target for cleanup, and prints yunwei's stderr on failure.

Environment: YUNWEI is the path of the binary under test (tests/run.py sets it).
"""

import datetime
import glob
import http.client
import http.server
import json
import os
import pwd
import queue
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HOST = "127.0.0.1"
LISTEN_RE = re.compile(r"^yunwei: listening on (https?)://127\.0\.0\.1:(\d+)$")
# The account the harness makes on every fresh data directory, and its
# password (meets the default policy: 4 classes, >= 10, not the name).
ADMIN_USER = "itest-admin"
ADMIN_PASSWORD = "Harness-Adm1n-Pw!"
# Admin tokens made by the harness, by data directory (a restart reuses it).
_TOKENS = {}
# "no argument given" for token=, as distinct from None (send no credentials).
DEFAULT = object()
# Sanitizer reports in yunwei's stderr make the test fail even if the
# behaviour looked right: they are bugs of the product.
SANITIZER_RE = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer")


def yunwei_path():
    path = os.environ.get("YUNWEI", "")
    if not path:
        raise RuntimeError("YUNWEI is not set: run through tests/run.py or set "
                           "YUNWEI=BUILD/yunwei")
    if not os.access(path, os.X_OK):
        raise RuntimeError("YUNWEI=%s is not an executable file" % path)
    return os.path.abspath(path)


def child_env(extra=None):
    env = dict(os.environ)
    # Halt on undefined behaviour so it cannot pass unnoticed.
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.setdefault("ASAN_OPTIONS", "abort_on_error=0")
    if extra:
        env.update(extra)
    return env


def run_cli(args, input=None, cwd=None, timeout=60):
    """Runs `$YUNWEI ARGS` once (stdin = input, text); returns the
    CompletedProcess. A sanitizer report in its stderr raises AssertionError:
    it is a bug of the product whatever the exit status."""
    p = subprocess.run([yunwei_path()] + list(args), capture_output=True, text=True,
                       input=input if input is not None else "", timeout=timeout,
                       env=child_env(), cwd=cwd)
    if SANITIZER_RE.search(p.stderr):
        raise AssertionError("sanitizer report from yunwei %s:\n%s"
                             % (" ".join(args), p.stderr[-4000:]))
    return p


def add_user(data_dir, name, roles, password, cwd=None, check=True, extra=()):
    """`yunwei user add NAME --role ROLES --password-stdin --data DIR`.
    roles: "engineer" or a list. With check, a failure raises."""
    if not isinstance(roles, str):
        roles = ",".join(roles)
    p = run_cli(["user", "add", name, "--role", roles, "--password-stdin"] + list(extra)
                + ["--data", data_dir], input=password + "\n", cwd=cwd)
    if check and p.returncode != 0:
        raise AssertionError("yunwei user add %s --role %s: exit %d\n%s%s"
                             % (name, roles, p.returncode, p.stdout, p.stderr))
    return p


def make_token(data_dir, user, roles=None, expires=None, cwd=None):
    """`yunwei token create --user USER --data DIR` -> the token (only
    stdout's line); a failure raises."""
    args = ["token", "create", "--user", user]
    if roles:
        args += ["--role", roles if isinstance(roles, str) else ",".join(roles)]
    if expires is not None:
        args += ["--expires", str(expires)]
    p = run_cli(args + ["--data", data_dir], cwd=cwd)
    if p.returncode != 0:
        raise AssertionError("yunwei token create --user %s: exit %d\n%s%s"
                             % (user, p.returncode, p.stdout, p.stderr))
    tok = p.stdout.strip()
    if not re.fullmatch(r"ywt_[A-Za-z0-9_-]{16,200}", tok) or p.stdout != tok + "\n":
        raise AssertionError("yunwei token create printed %r on stdout, want only the token"
                             % p.stdout)
    return tok


def bootstrap(data_dir, cwd=None):
    """The system administrator and its token for data_dir (made once per
    directory, before serve starts on it); returns the token."""
    key = os.path.realpath(data_dir)
    if key not in _TOKENS:
        if not os.path.exists(os.path.join(data_dir, "yunwei.db")):
            add_user(data_dir, ADMIN_USER, "sysadmin", ADMIN_PASSWORD, cwd=cwd)
        _TOKENS[key] = make_token(data_dir, ADMIN_USER, cwd=cwd)
    return _TOKENS[key]


# ---------------------------------------------------------------- polling --

class WaitTimeout(AssertionError):
    pass


def wait_until(predicate, timeout=10.0, interval=0.05, msg=None):
    """Calls predicate() until it returns a true value, which is returned.
    Raises WaitTimeout (an AssertionError) after timeout seconds; the message
    shows the last value (or exception) the predicate gave."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            last = predicate()
            if last:
                return last
        except (ConnectionError, OSError, http.client.HTTPException) as e:
            last = e
        if time.monotonic() >= deadline:
            raise WaitTimeout("%s: not true after %.1fs (last: %r)"
                              % (msg or "condition", timeout, last))
        time.sleep(interval)


# ------------------------------------------------------------------ times --

def parse_time(s):
    """RFC 3339 (as yunwei answers) -> float seconds since the epoch."""
    if s is None:
        return None
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def rfc3339(t, frac=False):
    """Seconds since the epoch -> RFC 3339 in UTC with an explicit offset."""
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.isoformat(timespec="milliseconds" if frac else "seconds")


def q(s):
    """Quotes a query value ('+' of an offset must not become a space)."""
    return urllib.parse.quote(str(s), safe="")


# ------------------------------------------------------------------- YAML --

def _scalar(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    # A JSON string is a valid YAML double-quoted scalar.
    return json.dumps(str(v), ensure_ascii=False)


def to_yaml(obj, indent=0):
    """Block-style YAML for dicts, lists and scalars (enough for configs)."""
    pad = " " * indent
    out = []
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, (dict, list)) and v:
                out.append("%s%s:" % (pad, k))
                out.append(to_yaml(v, indent + 2))
            elif isinstance(v, dict):
                out.append("%s%s: {}" % (pad, k))
            elif isinstance(v, list):
                out.append("%s%s: []" % (pad, k))
            else:
                out.append("%s%s: %s" % (pad, k, _scalar(v)))
    elif isinstance(obj, list):
        for v in obj:
            if isinstance(v, dict) and v:
                body = to_yaml(v, indent + 2).split("\n")
                out.append(pad + "- " + body[0][indent + 2:])
                out.extend(body[1:])
            elif isinstance(v, list) and v:
                out.append(pad + "-")
                out.append(to_yaml(v, indent + 2))
            else:
                out.append("%s- %s" % (pad, _scalar(v)))
    else:
        out.append(pad + _scalar(obj))
    return "\n".join(out)


def config_text(systems=(), monitors=(), maintenance=(), extra=None):
    doc = {"systems": list(systems), "monitors": list(monitors)}
    if maintenance:
        doc["maintenance"] = list(maintenance)
    if extra:
        doc.update(extra)
    return to_yaml(doc) + "\n"


# ----------------------------------------------------------------- ports --

def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def closed_port():
    """A port on 127.0.0.1 with nothing listening (connect is refused)."""
    return free_port()


# ------------------------------------------------------------ HTTP target --

class _TargetState:
    def __init__(self):
        self.lock = threading.Lock()
        self.status = 200
        self.body = b"ok"
        self.content_type = "text/plain; charset=utf-8"
        self.delay = 0.0
        self.fail_next = 0
        self.fail_status = 503
        self.requests = []            # (time, method, path)
        self.stop = threading.Event()


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30

    def log_message(self, fmt, *args):  # keep test output quiet
        pass

    def _serve(self):
        st = self.server.state
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        with st.lock:
            st.requests.append((time.time(), self.command, self.path))
            delay = st.delay
            if st.fail_next > 0:
                st.fail_next -= 1
                status, body = st.fail_status, b"failure injected"
                ctype = "text/plain"
            else:
                status, body, ctype = st.status, st.body, st.content_type
        if delay > 0 and st.stop.wait(delay):
            return
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            pass

    do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients (probes) hang up at will


class HttpTarget:
    """A threaded HTTP(S) server on 127.0.0.1 whose answer a test switches at
    run time: status, body (str is UTF-8 encoded; dict/list become JSON),
    delay before answering, and the next N requests failing."""

    def __init__(self, tls_cert=None):
        self.state = _TargetState()
        self.server = _Server((HOST, 0), _Handler)
        self.server.state = self.state
        self.tls = tls_cert is not None
        if self.tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(tls_cert.cert, tls_cert.key)
            # The handshake runs in the handler thread, so a client that
            # connects and says nothing cannot block accept().
            self.server.socket = ctx.wrap_socket(self.server.socket, server_side=True,
                                                 do_handshake_on_connect=False)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.1}, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "%s://%s:%d/" % ("https" if self.tls else "http", HOST, self.port)

    def set(self, status=None, body=None, delay=None, content_type=None):
        with self.state.lock:
            if status is not None:
                self.state.status = status
            if body is not None:
                if isinstance(body, (dict, list)):
                    body = json.dumps(body, ensure_ascii=False)
                    if content_type is None:
                        content_type = "application/json"
                if isinstance(body, str):
                    body = body.encode("utf-8")
                self.state.body = body
            if delay is not None:
                self.state.delay = delay
            if content_type is not None:
                self.state.content_type = content_type

    def fail_next(self, n, status=503):
        with self.state.lock:
            self.state.fail_next = n
            self.state.fail_status = status

    def pending_failures(self):
        with self.state.lock:
            return self.state.fail_next

    def request_count(self):
        with self.state.lock:
            return len(self.state.requests)

    def stop(self):
        self.state.stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


# ------------------------------------------------------------- TLS certs --

class TlsCert:
    """A throw-away self-signed certificate for localhost/127.0.0.1 made by
    the openssl CLI, valid for `days` days from now."""

    def __init__(self, directory, days):
        self.cert = os.path.join(directory, "cert-%d.pem" % days)
        self.key = os.path.join(directory, "key-%d.pem" % days)
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-days", str(days), "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", self.key, "-out", self.cert],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=60)

    def not_after(self):
        out = subprocess.run(["openssl", "x509", "-noout", "-enddate", "-in", self.cert],
                             check=True, capture_output=True, text=True).stdout
        s = out.strip().split("=", 1)[1]
        return datetime.datetime.strptime(s, "%b %d %H:%M:%S %Y %Z").replace(
            tzinfo=datetime.timezone.utc).timestamp()


# ------------------------------------------------------------- TCP target --

class TcpTarget:
    """A TCP listener on 127.0.0.1 that accepts and closes connections; it
    can be closed (connect refused) and opened again on the same port."""

    def __init__(self):
        self.port = 0
        self.sock = None
        self.thread = None
        self.running = threading.Event()
        self.open()

    def open(self):
        if self.sock is not None:
            return
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((HOST, self.port))
        s.listen(64)
        s.settimeout(0.1)
        self.port = s.getsockname()[1]
        self.sock = s
        self.running.set()
        self.thread = threading.Thread(target=self._accept, args=(s,), daemon=True)
        self.thread.start()

    def _accept(self, s):
        while self.running.is_set():
            try:
                c, _ = s.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            c.close()

    def close(self):
        if self.sock is None:
            return
        self.running.clear()
        self.thread.join(2)
        self.sock.close()
        self.sock = None

    stop = close


# ------------------------------------------------------------- PostgreSQL --

class PgUnavailable(Exception):
    pass


class PgServer:
    """A real PostgreSQL server from the Debian binaries on a temp dir:
    listens on 127.0.0.1:port only, its unix socket in the temp dir, trust
    authentication, user postgres. As root it runs as the `postgres` user.
    Raises PgUnavailable (with the reason) if it cannot be started."""

    def __init__(self):
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                      key=lambda p: int(re.search(r"/(\d+)/bin/", p).group(1))
                      if re.search(r"/(\d+)/bin/", p) else 0)
        if not bins:
            raise PgUnavailable("no /usr/lib/postgresql/*/bin/initdb (package postgresql)")
        self.bindir = os.path.dirname(bins[-1])
        self.prefix = []
        self.tmp = tempfile.mkdtemp(prefix="yw-pg-")
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise PgUnavailable("running as root and there is no `postgres` user")
            runuser = shutil.which("runuser")
            if not runuser:
                shutil.rmtree(self.tmp, ignore_errors=True)
                raise PgUnavailable("running as root and there is no runuser")
            os.chown(self.tmp, pw.pw_uid, pw.pw_gid)
            self.prefix = [runuser, "-u", "postgres", "--"]
        os.chmod(self.tmp, 0o700)
        self.data = os.path.join(self.tmp, "data")
        self.sockdir = self.tmp
        self.log = os.path.join(self.tmp, "server.log")
        self.port = free_port()
        self.started = False
        try:
            self._run(["initdb", "-D", self.data, "-A", "trust", "-U", "postgres",
                       "-E", "UTF8", "--no-sync", "--no-instructions"])
            opts = ("-c listen_addresses=127.0.0.1 -p %d -k %s -c fsync=off "
                    "-c max_connections=20 -c shared_buffers=16MB" % (self.port, self.sockdir))
            self._run(["pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60",
                       "-o", opts, "start"])
            self.started = True
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as e:
            detail = getattr(e, "stderr", "") or ""
            try:
                with open(self.log, errors="replace") as f:
                    detail += f.read()[-2000:]
            except OSError:
                pass
            self.stop()
            raise PgUnavailable("could not start PostgreSQL: %s %s" % (e, detail.strip()))

    def _run(self, argv, timeout=120):
        return subprocess.run(self.prefix + [os.path.join(self.bindir, argv[0])] + argv[1:],
                              check=True, capture_output=True, text=True, timeout=timeout,
                              cwd=self.tmp)

    def conninfo(self, **extra):
        parts = {"host": HOST, "port": str(self.port), "user": "postgres",
                 "dbname": "postgres", "connect_timeout": "5"}
        parts.update(extra)
        return " ".join("%s=%s" % kv for kv in parts.items())

    def psql(self, sql):
        return self._run(["psql", "-h", HOST, "-p", str(self.port), "-U", "postgres",
                          "-d", "postgres", "-At", "-c", sql], timeout=30).stdout.strip()

    def stop(self):
        if self.started:
            try:
                self._run(["pg_ctl", "-D", self.data, "-m", "immediate", "-w", "-t", "30",
                           "stop"], timeout=60)
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError):
                pass
            self.started = False
        shutil.rmtree(self.tmp, ignore_errors=True)


# ------------------------------------------------------------------ yunwei --

class ApiError(AssertionError):
    pass


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        self.header_list = []  # (name, value) as sent, repeated headers kept
        self.text = raw.decode("utf-8", errors="replace")
        self._json = None
        self.json_error = None
        try:
            self._json = json.loads(self.text) if self.text else None
        except ValueError as e:
            self.json_error = e

    @property
    def json(self):
        if self.json_error is not None:
            raise ApiError("answer is not JSON (%s): %r" % (self.json_error, self.text[:300]))
        return self._json

    def __repr__(self):
        return "<HTTP %d %s>" % (self.status, self.text[:300])

    @property
    def error_code(self):
        """error.code of an error answer, else None."""
        j = self._json
        if isinstance(j, dict) and isinstance(j.get("error"), dict):
            return j["error"].get("code")
        return None

    def set_cookies(self):
        """Every Set-Cookie header of the answer."""
        return [v for k, v in self.header_list if k.lower() == "set-cookie"]


def parse_set_cookie(value):
    """'yw_session=abc; Path=/; HttpOnly' -> ('yw_session', 'abc',
    {'path': '/', 'httponly': True})."""
    parts = [p.strip() for p in value.split(";")]
    name, _, val = parts[0].partition("=")
    attrs = {}
    for p in parts[1:]:
        if not p:
            continue
        k, eq, v = p.partition("=")
        attrs[k.strip().lower()] = v.strip() if eq else True
    return name.strip(), val.strip(), attrs


class Session:
    """A console session: logs in with POST /api/v1/session, then sends the
    yw_session cookie (and no token) and, on POST/PUT/PATCH/DELETE, the
    session's X-CSRF-Token unless csrf=False."""

    def __init__(self, y, source=None):
        self.y = y
        self.source = source
        self.sid = None
        self.csrf = None
        self.cookie_attrs = None
        self.last_login = None

    def _take_cookie(self, r):
        for v in r.set_cookies():
            name, val, attrs = parse_set_cookie(v)
            if name == "yw_session":
                self.sid = val or None
                self.cookie_attrs = attrs

    def login(self, user, password, totp=None, recovery_code=None, send_cookie=True):
        body = {"user": user, "password": password}
        if totp is not None:
            body["totp"] = totp
        if recovery_code is not None:
            body["recovery_code"] = recovery_code
        r = self.y.request("POST", "/api/v1/session", body, token=None,
                           cookie=self.sid if send_cookie else None, source=self.source)
        self.last_login = r
        self._take_cookie(r)
        if r.status == 200:
            self.csrf = r.json.get("csrf")
        return r

    def request(self, method, path, body=None, csrf=True, headers=None):
        if not path.startswith("/"):
            path = "/api/v1/" + path
        hdrs = {}
        if csrf and self.csrf and method not in ("GET", "HEAD"):
            hdrs["X-CSRF-Token"] = self.csrf
        if headers:
            hdrs.update(headers)
        r = self.y.request(method, path, body, headers=hdrs, token=None, cookie=self.sid,
                           source=self.source)
        self._take_cookie(r)
        return r

    def get(self, path):
        return self.request("GET", path)

    def logout(self):
        return self.request("DELETE", "session")

    def change_password(self, old, new):
        return self.request("POST", "session/password", {"old": old, "new": new})


class Yunwei:
    """One `yunwei serve` process. start() returns when the "listening on"
    line has been read; its stderr goes to a file (self.stderr_path).

    bootstrap: make the harness's administrator and token before the first
    start on a fresh data directory (self.token; sent by default). tls: a
    TlsCert to serve HTTPS with (--tls-cert/--tls-key)."""

    def __init__(self, tmpdir, config_path=None, data_dir=None, args=(), name="yunwei",
                 bootstrap=True, tls=None):
        self.tmpdir = tmpdir
        self.config_path = config_path
        self.data_dir = data_dir or os.path.join(tmpdir, "data")
        self.args = list(args)
        self.name = name
        self.bootstrap = bootstrap
        self.tls = tls
        self.scheme = None
        self.token = None
        self.proc = None
        self.port = None
        self.stdout_lines = []
        self.returncode = None
        self.stderr_path = None
        self._n = 0

    def start(self, timeout=30):
        if self.bootstrap and self.token is None:
            self.token = bootstrap(self.data_dir, cwd=self.tmpdir)
        self._n += 1
        self.stderr_path = os.path.join(self.tmpdir, "%s-%d.stderr" % (self.name, self._n))
        argv = [yunwei_path(), "serve"]
        if self.config_path:
            argv += ["--config", self.config_path]
        argv += ["--data", self.data_dir, "--listen", HOST + ":0"] + self.args
        if self.tls:
            argv += ["--tls-cert", self.tls.cert, "--tls-key", self.tls.key]
        errf = open(self.stderr_path, "wb")
        self.stdout_lines = []
        self.returncode = None
        self.start_time = time.time()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=errf,
                                     stdin=subprocess.DEVNULL, env=child_env(),
                                     cwd=self.tmpdir)
        errf.close()
        lines = queue.Queue()

        def reader(p):
            for raw in p.stdout:
                line = raw.decode("utf-8", errors="replace").rstrip("\n")
                self.stdout_lines.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=reader, args=(self.proc,), daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self.kill()
                raise AssertionError("yunwei printed no 'listening on' line in %ds\n%s"
                                     % (timeout, self.stderr_tail()))
            try:
                line = lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if line is None:
                rc = self.proc.wait()
                self.returncode = rc
                raise AssertionError("yunwei exited (status %d) before listening\n%s"
                                     % (rc, self.stderr_tail()))
            m = LISTEN_RE.match(line)
            if m:
                self.scheme = m.group(1)
                self.port = int(m.group(2))
                return self

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=30):
        """SIGTERM; returns the exit status (the caller checks it)."""
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            self.returncode = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.returncode = None
            self.proc = None
            raise AssertionError("yunwei did not exit within %ds of SIGTERM\n%s"
                                 % (timeout, self.stderr_tail()))
        self.proc = None
        return self.returncode

    def kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.returncode = self.proc.wait()
        self.proc = None

    def stderr_text(self):
        if not self.stderr_path:
            return ""
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", errors="replace")
        except OSError:
            return ""

    def stderr_tail(self, lines=150):
        text = self.stderr_text().splitlines()
        head = "---- %s stderr (%s) ----" % (self.name, self.stderr_path)
        return "\n".join([head] + text[-lines:] + ["---- end ----"])

    def sanitizer_report(self):
        text = self.stderr_text()
        m = SANITIZER_RE.search(text)
        if not m:
            return None
        start = max(0, text.rfind("\n", 0, max(0, m.start() - 200)))
        return text[start:start + 4000]

    # ---- HTTP ------------------------------------------------------------

    def cli(self, *args, input=None):
        """`yunwei ARGS --data DIR` (user, token, audit…): CompletedProcess."""
        return run_cli(list(args) + ["--data", self.data_dir], input=input, cwd=self.tmpdir)

    def connection(self, timeout=15, source=None):
        src = (source, 0) if source else None
        if self.tls:
            ctx = ssl.create_default_context(cafile=self.tls.cert)
            return http.client.HTTPSConnection(HOST, self.port, timeout=timeout, context=ctx,
                                               source_address=src)
        return http.client.HTTPConnection(HOST, self.port, timeout=timeout, source_address=src)

    def request(self, method, path, body=None, headers=None, timeout=15, token=DEFAULT,
                cookie=None, source=None):
        """One request on a new connection. token: DEFAULT sends the
        harness's admin token, None no Authorization, a string that token.
        cookie: the yw_session value to send. source: a 127.x.y.z address
        to connect from. headers given win over the ones made here."""
        if self.port is None:
            raise AssertionError("yunwei is not listening")
        conn = self.connection(timeout, source)
        hdrs = {"Connection": "close"}
        if token is DEFAULT:
            token = self.token
        if token:
            hdrs["Authorization"] = "Bearer " + token
        if cookie:
            hdrs["Cookie"] = "yw_session=" + cookie
        data = None
        if body is not None:
            if isinstance(body, (bytes, str)):
                data = body.encode("utf-8") if isinstance(body, str) else body
            else:
                data = json.dumps(body, ensure_ascii=False).encode("utf-8")
                hdrs["Content-Type"] = "application/json"
        if headers:
            hdrs.update(headers)
        if data is None and method in ("POST", "PUT", "PATCH"):
            data = b""
        try:
            conn.request(method, path, body=data, headers=hdrs)
            r = conn.getresponse()
            resp = Response(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
            resp.header_list = r.getheaders()
            return resp
        finally:
            conn.close()

    def api(self, method, path, body=None, expect=None, token=DEFAULT, headers=None,
            source=None):
        """Calls path (relative to /api/v1/ unless it starts with '/'); if
        expect is given, asserts the status and returns the JSON."""
        if not path.startswith("/"):
            path = "/api/v1/" + path
        r = self.request(method, path, body, headers=headers, token=token, source=source)
        if expect is None:
            return r
        if r.status != expect:
            raise ApiError("%s %s: status %d, want %d: %s"
                           % (method, path, r.status, expect, r.text[:500]))
        return r.json if r.raw else None

    def get(self, path, expect=200, token=DEFAULT):
        return self.api("GET", path, expect=expect, token=token)

    def items(self, path, limit=None, max_pages=1000):
        """Every item of a list, following next_cursor."""
        out = []
        cursor = None
        sep = "&" if "?" in path else "?"
        for _ in range(max_pages):
            p = path
            extra = []
            if limit:
                extra.append("limit=%d" % limit)
            if cursor:
                extra.append("cursor=" + q(cursor))
            if extra:
                p += sep + "&".join(extra)
            page = self.get(p)
            if not isinstance(page, dict) or "items" not in page:
                raise ApiError("GET %s: not a list answer: %r" % (p, page))
            out.extend(page["items"])
            cursor = page.get("next_cursor")
            if not cursor:
                return out
        raise ApiError("GET %s: more than %d pages" % (path, max_pages))

    def monitor(self, name):
        return self.get("monitors/" + q(name))

    def system(self, name):
        return self.get("systems/" + q(name))

    def results(self, name, limit=1000):
        return self.get("monitors/%s/results?limit=%d" % (q(name), limit))["items"]

    def events(self, name, since=None, until=None):
        since = since if since is not None else time.time() - 3600
        until = until if until is not None else time.time() + 3600
        return self.items("monitors/%s/events?from=%s&to=%s"
                          % (q(name), q(rfc3339(since)), q(rfc3339(until + 1))))

    def availability(self, kind, name, since=None, until=None):
        p = "%s/%s/availability" % (kind, q(name))
        if since is not None:
            p += "?from=%s&to=%s" % (q(rfc3339(since, frac=True)),
                                     q(rfc3339(until, frac=True)))
        return self.get(p)

    def state(self, name):
        return self.monitor(name)["state"]

    def wait_state(self, name, state, timeout=15):
        """Polls the monitor until its state is `state`; returns the monitor."""
        last = {}

        def pred():
            m = self.monitor(name)
            last["m"] = m
            return m if m.get("state") == state else None
        try:
            return wait_until(pred, timeout, 0.1, "monitor %s state %s" % (name, state))
        except WaitTimeout:
            m = last.get("m") or {}
            raise WaitTimeout("monitor %s: state %r (reason %r), want %r after %ds"
                              % (name, m.get("state"), m.get("state_reason"), state, timeout))


# --------------------------------------------------------------- test case --

class YunweiTestCase(unittest.TestCase):
    """Owns a temp dir and everything a test starts; prints the stderr of
    every yunwei it started when the test fails."""

    maxDiff = 4000

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="yw-it-")
        self._yunweis = []
        self.addCleanup(self._report_and_remove)

    def _failed(self):
        """Whether this test has failed so far. unittest reports failures to
        the result as they happen (outcome.success is reset inside each
        cleanup, so it cannot tell)."""
        result = getattr(getattr(self, "_outcome", None), "result", None)
        for lst in (getattr(result, "failures", ()), getattr(result, "errors", ())):
            for test, _ in lst:
                if test is self or getattr(test, "test_case", None) is self:
                    return True
        return False

    def _report_and_remove(self):
        if self._failed():
            for y in self._yunweis:
                if y.stderr_path:
                    sys.stderr.write("\n[%s] %s\n" % (self.id(), y.stderr_tail()))
            sys.stderr.flush()
        shutil.rmtree(self.tmp, ignore_errors=True)

    # ---- targets -----------------------------------------------------------

    def http_target(self, **kw):
        t = HttpTarget()
        self.addCleanup(t.stop)
        if kw:
            t.set(**kw)
        return t

    def https_target(self, days, **kw):
        cert = TlsCert(self.tmp, days)
        t = HttpTarget(tls_cert=cert)
        t.cert = cert
        self.addCleanup(t.stop)
        if kw:
            t.set(**kw)
        return t

    def tcp_target(self):
        t = TcpTarget()
        self.addCleanup(t.close)
        return t

    # ---- yunwei --------------------------------------------------------------

    def write_config(self, text, name="yunwei.yaml"):
        path = os.path.join(self.tmp, name)
        tmp = path + ".new"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)  # a reload never sees half a file
        return path

    def start_yunwei(self, config=None, data_dir=None, name=None, start=True, bootstrap=True,
                     tls=None, args=()):
        """config is YAML text or a path. Registers a cleanup that stops it
        with SIGTERM and checks exit 0 and a clean stderr. bootstrap and
        tls: see Yunwei."""
        path = None
        if config is not None:
            path = config if os.path.exists(config) else self.write_config(config)
        y = Yunwei(self.tmp, path, data_dir, args=args,
                   name=name or "yunwei%d" % (len(self._yunweis) + 1),
                   bootstrap=bootstrap, tls=tls)
        self._yunweis.append(y)
        self.addCleanup(self._stop_checked, y)
        if start:
            y.start()
        return y

    def _stop_checked(self, y):
        was_running = y.proc is not None
        rc = y.stop()
        if was_running:
            self.assertEqual(rc, 0, "yunwei exit status after SIGTERM\n" + y.stderr_tail())
        self.assert_clean(y)

    def assert_clean(self, y):
        rep = y.sanitizer_report()
        if rep:
            self.fail("sanitizer report in yunwei's stderr:\n" + rep)

    def add_user(self, y, name, roles, password, check=True, extra=()):
        """`yunwei user add` on y's data directory (works while y runs)."""
        return add_user(y.data_dir, name, roles, password, cwd=self.tmp, check=check,
                        extra=extra)

    def make_token(self, y, user, roles=None, expires=None):
        """`yunwei token create --user USER` on y's data directory."""
        return make_token(y.data_dir, user, roles=roles, expires=expires, cwd=self.tmp)

    def run_yunwei(self, *args, timeout=60):
        """Runs a one-shot subcommand; returns CompletedProcess (text)."""
        p = subprocess.run([yunwei_path()] + list(args), capture_output=True, text=True,
                           timeout=timeout, env=child_env(), cwd=self.tmp,
                           stdin=subprocess.DEVNULL)
        rep = SANITIZER_RE.search(p.stderr)
        if rep:
            self.fail("sanitizer report from yunwei %s:\n%s" % (" ".join(args), p.stderr[-4000:]))
        return p

    # ---- assertions --------------------------------------------------------

    def assertApiError(self, r, status, code, field=None):
        self.assertEqual(r.status, status, r)
        err = r.json.get("error") if isinstance(r.json, dict) else None
        self.assertIsInstance(err, dict, "error object in %r" % r)
        self.assertEqual(err.get("code"), code, r)
        self.assertTrue(err.get("message"), "error message in %r" % r)
        if field is not None:
            self.assertEqual(err.get("field"), field, r)


def monitor(name, system, type_, interval="1s", **kw):
    m = {"name": name, "system": system, "type": type_, "interval": interval}
    m.update(kw)
    return m


def system(name, tier="key", **kw):
    s = {"name": name, "tier": tier}
    s.update(kw)
    return s
