'use strict';
// Starts a real `yunwei serve --demo` on loopback for the browser tests and
// reads what it prints: the "listening on" URL (stdout) and the demo accounts
// with the passwords drawn at this start (stderr), one per role:
//   yunwei: demo account engineer   (运维工程师): user demo-engineer    password XXXX
//
// YUNWEI names the binary (default build-test/yunwei from the source root).
// For work on the console itself, YW_WEB_DIR=web serves the console's files
// from that folder instead of the ones built into the binary (a small proxy
// in front of the server), so that a change shows without a rebuild.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const START_TIMEOUT_MS = 30000;
const ACCOUNT_RE = /demo account\s+(\w+)\s+\(([^)]*)\):\s+user\s+(\S+)\s+password\s+(\S+)/;
const LISTEN_RE = /listening on (https?:\/\/\S+)/;

function binary() {
  const b = process.env.YUNWEI || path.join(ROOT, 'build-test', 'yunwei');
  return path.isAbsolute(b) ? b : path.join(ROOT, b);
}

/**
 * Starts the server; resolves {url, accounts: {role: {user, password, title}},
 * dataDir, stop(), log()} once the URL and all the accounts are printed.
 */
async function startServer({ roles = ['sysadmin', 'secadmin', 'auditadmin', 'assessor', 'manager', 'engineer', 'viewer'] } = {}) {
  const bin = binary();
  if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: build it first (or set YUNWEI)`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yw-browser-'));
  const env = { ...process.env, TZ: process.env.TZ || 'Asia/Shanghai' };
  // ASan builds: a leak report at exit must not turn a clean stop into noise.
  env.ASAN_OPTIONS = env.ASAN_OPTIONS || 'detect_leaks=0';
  const child = spawn(bin, ['serve', '--demo', '--data', dataDir, '--listen', '127.0.0.1:0'], {
    cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  let exited = null;
  const accounts = {};
  let url = null;

  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`yunwei did not print its URL and demo accounts within ${START_TIMEOUT_MS} ms\n${tail(out + err)}`)), START_TIMEOUT_MS);
    const check = () => {
      if (url && roles.every((r) => accounts[r])) {
        clearTimeout(timer);
        resolve();
      }
    };
    const scan = (text) => {
      for (const line of text.split('\n')) {
        const m = LISTEN_RE.exec(line);
        if (m && !url) url = m[1].replace(/\/$/, '');
        const a = ACCOUNT_RE.exec(line);
        if (a) accounts[a[1]] = { role: a[1], title: a[2].trim(), user: a[3], password: a[4] };
      }
      check();
    };
    let outBuf = '';
    let errBuf = '';
    child.stdout.on('data', (d) => {
      out += d;
      outBuf += d;
      const i = outBuf.lastIndexOf('\n');
      if (i >= 0) {
        scan(outBuf.slice(0, i));
        outBuf = outBuf.slice(i + 1);
      }
    });
    child.stderr.on('data', (d) => {
      err += d;
      errBuf += d;
      const i = errBuf.lastIndexOf('\n');
      if (i >= 0) {
        scan(errBuf.slice(0, i));
        errBuf = errBuf.slice(i + 1);
      }
    });
    child.on('exit', (code, sig) => {
      exited = { code, sig };
      clearTimeout(timer);
      reject(new Error(`yunwei exited (${sig || code}) before it was ready\n${tail(out + err)}`));
    });
  });

  const stop = async () => {
    if (exited) return exited;
    const gone = new Promise((r) => child.once('exit', (code, sig) => r({ code, sig })));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
    const res = await gone;
    clearTimeout(timer);
    return res;
  };

  try {
    await ready;
  } catch (e) {
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  let proxy = null;
  let base = url;
  if (process.env.YW_WEB_DIR) {
    proxy = await webProxy(path.resolve(ROOT, process.env.YW_WEB_DIR), url);
    base = proxy.url;
  }

  return {
    url: base,
    serverUrl: url,
    accounts,
    dataDir,
    log: () => out + err,
    pid: child.pid,
    /** null while it runs, else {code, sig}: the server died under the tests. */
    exited: () => exited,
    async stop() {
      if (proxy) await proxy.close();
      const res = await stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      return res;
    },
  };
}

function tail(s, n = 40) {
  return s.split('\n').slice(-n).join('\n');
}

const TYPES = { '.js': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.html': 'text/html', '.svg': 'image/svg+xml', '.png': 'image/png' };
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/** Serves dir for console paths, forwards /api/, /healthz and /metrics to target. */
function webProxy(dir, target) {
  const t = new URL(target);
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname.startsWith('/api/') || u.pathname === '/healthz' || u.pathname === '/metrics') {
      const p = http.request({ host: t.hostname, port: t.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      p.on('error', (e) => {
        res.writeHead(502);
        res.end(String(e));
      });
      req.pipe(p);
      return;
    }
    let f = path.join(dir, path.normalize(decodeURIComponent(u.pathname)));
    if (!f.startsWith(dir) || !fs.existsSync(f) || fs.statSync(f).isDirectory()) {
      if (path.extname(u.pathname)) {
        res.writeHead(404);
        res.end('not found');
        return;
      }
      f = path.join(dir, 'index.html');
    }
    res.writeHead(200, { 'Content-Type': `${TYPES[path.extname(f)] || 'application/octet-stream'}; charset=utf-8`, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' });
    fs.createReadStream(f).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => new Promise((r) => {
          server.closeAllConnections && server.closeAllConnections();
          server.close(() => r());
        }),
      });
    });
  });
}

module.exports = { startServer, ROOT, binary };
