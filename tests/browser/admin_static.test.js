'use strict';
// Checks of the administration module that need no browser: its message
// catalogues (both languages, every key the code asks for, no clash with
// the console's keys) and the rules its code keeps (no markup parsed from
// strings, no inline style: the CSP forbids it and data must stay text).

const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const ADMIN = path.join(ROOT, 'web', 'app', 'admin');
const I18N = path.join(ROOT, 'web', 'i18n');

const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));
const zh = read(path.join(I18N, 'admin.zh-CN.json'));
const en = read(path.join(I18N, 'admin.en.json'));
const sources = fs.readdirSync(ADMIN).filter((f) => f.endsWith('.js')).map((f) => ({ f, text: fs.readFileSync(path.join(ADMIN, f), 'utf8') }));

test('admin catalogues: the same keys in Chinese and English, none empty, all under admin.', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  for (const [k, v] of [...Object.entries(zh), ...Object.entries(en)]) {
    assert.ok(k.startsWith('admin.'), `${k}: admin keys live under admin.`);
    assert.equal(typeof v, 'string');
    assert.ok(v.trim().length > 0, `${k} is empty`);
  }
  for (const [k, v] of Object.entries(zh)) {
    // Placeholders must match between the languages.
    const ph = (s) => (s.match(/\{\w+\}/g) || []).sort().join();
    assert.equal(ph(en[k]), ph(v), `${k}: placeholders differ`);
  }
});

test('admin catalogues: every key the code uses exists', () => {
  const used = new Set();
  for (const { text } of sources) for (const m of text.matchAll(/'(admin\.[a-z_.]+[a-z_])'/g)) used.add(m[1]);
  // Keys built at run time, from fixed lists.
  const roles = ['sysadmin', 'secadmin', 'auditadmin', 'assessor', 'manager', 'engineer', 'viewer'];
  for (const r of roles) used.add(`admin.role.${r}`);
  for (const r of ['sysadmin', 'secadmin', 'auditadmin']) used.add(`admin.roles.duty.${r}`);
  for (const k of ['client', 'contractor', 'business']) used.add(`admin.org.kind.${k}`);
  for (const g of ['password', 'lockout', 'session']) used.add(`admin.policy.group.${g}`);
  for (const k of ['min_length', 'min_classes', 'history', 'expiry_days', 'lock_after', 'lock_minutes', 'rate_per_minute', 'idle_minutes', 'absolute_hours']) used.add(`admin.policy.${k}`);
  for (const k of ['ok', 'denied', 'failed']) used.add(`admin.audit.result_${k}`);
  const missing = [...used].filter((k) => !(k in zh));
  assert.deepEqual(missing, [], 'keys used but not in the catalogues');
});

test('admin catalogues: no key shadows one of the console catalogue', () => {
  const main = path.join(I18N, 'zh-CN.json');
  if (!fs.existsSync(main)) return;
  const flat = {};
  (function walk(o, p) {
    for (const [k, v] of Object.entries(o)) {
      const key = p ? `${p}.${k}` : k;
      if (typeof v === 'string') flat[key] = v;
      else if (v && typeof v === 'object') walk(v, key);
    }
  }(read(main), ''));
  const clash = Object.keys(zh).filter((k) => k in flat);
  assert.deepEqual(clash, [], 'the console catalogue wins over these admin keys');
});

test('admin code builds the DOM from text only, with no inline style or script', () => {
  for (const { f, text } of sources) {
    assert.doesNotMatch(text, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|new Function|\beval\(/, `${f}: no markup from strings`);
    assert.doesNotMatch(text, /\.style\.|setAttribute\(\s*['"]style['"]|\bstyle:/, `${f}: no inline style (CSP)`);
  }
});

test('admin routes: the contract of the shell (path, title_key, action, render)', () => {
  // Read from the source (web/ holds ES modules that an older node will not
  // import from here): every entry of routes, in order.
  const text = fs.readFileSync(path.join(ADMIN, 'index.js'), 'utf8');
  const actions = ['ops.read', 'monitor.write', 'monitor.operate', 'maint.write', 'org.read', 'user.write', 'role.grant',
    'policy.read', 'policy.write', 'token.manage', 'audit.read', 'self'];
  const routes = [...text.matchAll(/\{ path: '([^']+)', title_key: '([^']+)', action: '([^']+)', render: (\w+)\((\w+)\) \}/g)]
    .map((m) => ({ path: m[1], title_key: m[2], action: m[3], render: m[5] }));
  assert.match(text, /export const routes = \[/);
  assert.equal(routes.length, 5, 'five pages');
  for (const r of routes) {
    assert.match(r.path, /^\/admin\/[a-z]+$/);
    assert.ok(r.title_key in zh, `${r.title_key} is in the catalogue`);
    assert.ok(actions.includes(r.action), `${r.path}: ${r.action} is an action of src/auth/roles.c`);
    assert.match(text, new RegExp(`import \\{ ${r.render} \\} from`), `${r.render} is imported`);
  }
  assert.deepEqual(Object.fromEntries(routes.map((r) => [r.path, r.action])), {
    '/admin/users': 'org.read',
    '/admin/roles': 'role.grant',
    '/admin/tokens': 'self',
    '/admin/policy': 'policy.read',
    '/admin/audit': 'audit.read',
  });
});
