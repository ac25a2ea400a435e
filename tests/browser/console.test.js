'use strict';
// Browser tests of the web console: headless Debian chromium, driven by
// playwright-core, against a real `yunwei serve --demo` on loopback (one
// server and one browser for the whole file; each account has its own
// browser context). The tests run in order and build on each other (the
// security administrator first lifts the login rate limit that the many
// logins of this file would otherwise hit, from one address, in a minute).
//
// Every page visited is saved at desktop (1280×800) and phone (375×812)
// width under build/screenshots/NAME-{desktop,phone}.png.
//
//   node --test tests/browser/          (YUNWEI=path/to/yunwei, default build-test/yunwei)

const { test: nodeTest, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { startServer } = require('./lib/server');
const B = require('./lib/browser');

const ROLES = ['sysadmin', 'secadmin', 'auditadmin', 'assessor', 'manager', 'engineer', 'viewer'];

// What each role must see in the navigation, from the role × action matrix
// (src/auth/roles.c), written out here so that the test holds its own
// expectation rather than reading the console's.
const OPS = ['nav-dashboard', 'nav-systems', 'nav-monitors', 'nav-maintenance'];
const NAV = {
  sysadmin: [...OPS, 'nav-admin-admin-users', 'nav-admin-admin-tokens', 'nav-account'],
  secadmin: [...OPS, 'nav-admin-admin-users', 'nav-admin-admin-roles', 'nav-admin-admin-tokens', 'nav-admin-admin-policy', 'nav-account'],
  auditadmin: ['nav-admin-admin-users', 'nav-admin-admin-tokens', 'nav-admin-admin-audit', 'nav-account'],
  assessor: [...OPS, 'nav-admin-admin-tokens', 'nav-account'],
  manager: [...OPS, 'nav-admin-admin-users', 'nav-admin-admin-tokens', 'nav-account'],
  engineer: [...OPS, 'nav-admin-admin-tokens', 'nav-account'],
  viewer: [...OPS, 'nav-admin-admin-tokens', 'nav-account'],
};
const ALL_NAV = [...new Set(Object.values(NAV).flat())];

let srv;
let br;
const accounts = {};
const sessions = {}; // role -> {context, page, watch}

before(async () => {
  B.cleanShots();
  srv = await startServer();
  br = await B.launch();
  for (const r of ROLES) accounts[r] = new B.Account(srv.accounts[r]);
});

after(async () => {
  for (const s of Object.values(sessions)) await s.context.close().catch(() => {});
  if (br) await br.close();
  if (srv) {
    const res = await srv.stop();
    if (res && res.code !== 0 && res.sig !== 'SIGTERM') {
      console.error(`# yunwei stopped with ${res.sig || res.code}\n${srv.log().split('\n').slice(-30).join('\n')}`);
    }
  }
  console.log(`# ${B.shots.length} screenshots in ${B.SHOTS}`);
});

/**
 * A test that, when it fails, saves what every open page showed
 * (build/screenshots/FAILED-ROLE.png) for the reader of the CI log.
 */
let serverGone = false;

function test(name, fn) {
  return nodeTest(name, async (t) => {
    if (serverGone) throw new Error('yunwei is no longer running (see the first failure)');
    try {
      await fn(t);
    } catch (e) {
      const gone = srv && srv.exited();
      if (gone) {
        // A crash of the server is the finding: say so, with its last words.
        serverGone = true;
        throw new Error(`yunwei exited (${gone.sig || `status ${gone.code}`}) during this test; its last output:\n${srv.log().split('\n').slice(-40).join('\n')}`);
      }
      for (const [role, s] of Object.entries(sessions)) {
        const file = `${B.SHOTS}/FAILED-${role}.png`;
        await s.page.screenshot({ path: file, fullPage: true }).then(() => console.error(`# ${name}: ${role}'s page at failure: ${file}`), () => {});
      }
      // What the server said meanwhile, for the reader of the CI log.
      if (srv) for (const line of srv.log().split('\n').slice(-30)) console.error(`# server: ${line}`);
      // And where its threads are, when gdb is at hand (a stuck loop shows).
      if (srv && require('node:fs').existsSync('/usr/bin/gdb')) {
        const r = require('node:child_process').spawnSync('/usr/bin/gdb', ['-p', String(srv.pid), '-batch', '-ex', 'thread apply all bt 12'], { encoding: 'utf8', timeout: 60000 });
        for (const line of String(r.stdout || '').split('\n').filter((l) => /^#|^Thread/.test(l))) console.error(`# gdb: ${line}`);
      }
      throw e;
    }
  });
}

/** A logged-in page for role (made once, kept for the following tests). */
async function as(role, { onStep } = {}) {
  if (sessions[role]) return sessions[role].page;
  const context = await br.newContext();
  const page = await context.newPage();
  const watch = B.watch(page);
  sessions[role] = { context, page, watch };
  await B.login(page, srv.url, accounts[role], { onStep });
  return page;
}

/** Ends role's browser session (a later as(role) logs in again). */
async function drop(role) {
  const s = sessions[role];
  if (!s) return;
  delete sessions[role];
  s.watch.check();
  await s.context.close();
}

function url(p) {
  return `${srv.url}${p}`;
}

/** GET/POST… against the API as the page's session (cookie + CSRF token). */
async function apiAs(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const s = await (await fetch('/api/v1/session')).json();
    const r = await fetch(p, {
      method: m,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf || '' },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    const text = await r.text();
    let json = null;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: r.status, json };
  }, [method, path, body]);
}

/** The text under the field named name inside root (the error slot next to it). */
async function fieldError(root, name) {
  const slot = root.locator(`[data-field="${name}"] .adm-error`);
  await slot.waitFor({ state: 'visible' });
  return (await slot.textContent()).trim();
}

async function go(page, path) {
  await B.open(page, srv.url, path);
}

// ---- log in -------------------------------------------------------------------------

test('login page is in Chinese and refuses a wrong password', async () => {
  const context = await br.newContext();
  const page = await context.newPage();
  const w = B.watch(page);
  await page.goto(url('/'));
  await page.getByTestId('login-form').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.getByTestId('login').textContent(), /[\u4e00-\u9fff]/, 'the login page speaks Chinese');
  await B.screenshot(page, 'login');
  await page.getByTestId('login-user').fill(accounts.viewer.user);
  await page.getByTestId('login-password').fill('not-the-password');
  await page.getByTestId('login-submit').click();
  const err = page.locator('[data-testid=login-form] [data-form-error]');
  await err.waitFor({ state: 'visible' });
  assert.match(await err.textContent(), /[\u4e00-\u9fff]/);
  await B.screenshot(page, 'login-refused');
  w.check();
  await context.close();
});

// ---- security administrator: forced 2FA enrolment, policy ------------------------------

test('security administrator enrols a second factor, then edits the policy (range errors next to the field)', async () => {
  const steps = [];
  const page = await as('secadmin', {
    onStep: async (name) => {
      steps.push(name);
      await B.screenshot(sessions.secadmin.page, name);
    },
  });
  assert.ok(steps.includes('enrol'), `an administrator goes through TOTP enrolment first (saw ${steps.join(', ') || 'nothing'})`);
  await go(page, '/admin/policy');
  const form = page.getByTestId('admin-policy-form');
  await form.waitFor();
  const minLen = form.locator('[data-field="min_length"] input');
  assert.equal(await minLen.inputValue(), '10');
  // Out of range: the message is under the field, in Chinese, and nothing is sent.
  await minLen.fill('3');
  await page.getByTestId('admin-policy-save').click();
  assert.match(await fieldError(form, 'min_length'), /8.*128/);
  assert.equal(await minLen.getAttribute('aria-invalid'), 'true');
  await B.screenshot(page, 'admin-policy-error');
  const now = await apiAs(page, 'GET', '/api/v1/policy');
  assert.equal(now.json.min_length, 10, 'a refused form changes nothing');
  // The many logins below come from one address: lift the per-minute limit.
  await minLen.fill('12');
  await form.locator('[data-field="rate_per_minute"] input').fill('1000');
  await page.getByTestId('admin-policy-save').click();
  await page.locator('.adm-status.adm-ok').waitFor();
  const after = await apiAs(page, 'GET', '/api/v1/policy');
  assert.equal(after.json.min_length, 12);
  assert.equal(after.json.rate_per_minute, 1000);
  await B.screenshot(page, 'admin-policy');
  sessions.secadmin.watch.check();
});

// ---- operations: dashboard, monitor, monitor form, maintenance, language ------------------

/** The demo's systems and monitors, as the API lists them. */
async function demoObjects(page) {
  const systems = (await apiAs(page, 'GET', '/api/v1/systems')).json.items;
  const monitors = (await apiAs(page, 'GET', '/api/v1/monitors')).json.items;
  return { systems, monitors };
}

test('an engineer sees the dashboard with the demo systems, in Chinese', async () => {
  const page = await as('engineer');
  assert.equal(new URL(page.url()).pathname, '/', 'the engineer lands on the dashboard');
  await page.getByTestId('dashboard').waitFor();
  const { systems } = await demoObjects(page);
  assert.ok(systems.length >= 3, 'the demo has systems');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=system-tile]').length === n, systems.length);
  const wall = await page.getByTestId('status-wall').textContent();
  for (const s of systems) assert.ok(wall.includes(s.title || s.name), `the wall shows ${s.title || s.name}`);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.match(await page.getByTestId('counts').textContent(), /[\u4e00-\u9fff]/, 'the counts are labelled in Chinese');
  assert.match(await page.locator('#nav').textContent(), /总览/);
  await B.screenshot(page, 'dashboard');
  await go(page, '/systems');
  await page.locator('main a[href^="/systems/"]').first().waitFor();
  await B.screenshot(page, 'systems');
  await page.locator(`main a[href="/systems/${systems[0].id}"], main a[href="/systems/${systems[0].name}"]`).first().click();
  await page.waitForFunction(() => /^\/systems\/[^/]+$/.test(location.pathname));
  await B.settle(page);
  await B.screenshot(page, 'system');
  await go(page, '/monitors');
  await page.getByTestId('monitors-table').waitFor();
  await B.screenshot(page, 'monitors');
  sessions.engineer.watch.check();
});

test('a monitor page draws its charts as images that load', async () => {
  const page = await as('engineer');
  const { monitors } = await demoObjects(page);
  const m = monitors.find((x) => x.name === 'portal-home') || monitors[0];
  await go(page, `/monitors/${m.id}`);
  await page.getByTestId('monitor-state').waitFor();
  const charts = page.locator('img[data-testid^="chart-"]');
  await charts.first().waitFor();
  const n = await charts.count();
  assert.ok(n >= 2, `latency chart and state timeline (${n} charts)`);
  for (let i = 0; i < n; i++) {
    const img = charts.nth(i);
    await img.scrollIntoViewIfNeeded();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
    const box = await img.boundingBox();
    assert.ok(box && box.width > 100 && box.height > 20, `chart ${i} is visible (${box && box.width}×${box && box.height})`);
  }
  assert.match(await page.getByTestId('monitor-state').textContent(), /[\u4e00-\u9fff]/);
  await B.screenshot(page, 'monitor');
  sessions.engineer.watch.check();
});

test('creating a monitor with a bad value shows the error next to the field', async () => {
  const page = await as('sysadmin');
  const { systems, monitors } = await demoObjects(page);
  await go(page, '/monitors');
  await page.getByTestId('new-monitor').click();
  const form = page.getByTestId('monitor-form');
  await form.waitFor();
  await page.getByTestId('mf-name').fill('test-portal-2');
  await page.getByTestId('mf-title').fill('门户首页（测试）');
  await page.getByTestId('mf-system').selectOption(systems[0].name);
  await page.getByTestId('mf-type').selectOption('http');
  const portal = monitors.find((x) => x.type === 'http' && x.url);
  await page.getByTestId('mf-http-url').fill(portal ? portal.url : `${srv.serverUrl}/healthz`);
  await page.getByTestId('mf-interval').fill('5 minutes');
  await page.getByTestId('monitor-save').click();
  const err = form.locator('[data-field="interval"] .field-error');
  await err.waitFor({ state: 'visible' });
  assert.ok((await err.textContent()).trim().length > 0);
  assert.equal(await page.getByTestId('mf-interval').getAttribute('aria-invalid'), 'true');
  await B.screenshot(page, 'monitor-new-error');
  assert.equal((await demoObjects(page)).monitors.length, monitors.length, 'nothing was created');
  // A mistake only the server can see: the name of an existing monitor (409, field name).
  await page.getByTestId('mf-interval').fill('30s');
  await page.getByTestId('mf-name').fill(monitors[0].name);
  await page.getByTestId('monitor-save').click();
  const serr = form.locator('[data-field="name"] .field-error');
  await serr.waitFor({ state: 'visible' });
  assert.ok((await serr.textContent()).includes(monitors[0].name), 'the server says which name is taken');
  await B.screenshot(page, 'monitor-new-server-error');
  await page.getByTestId('mf-name').fill('test-portal-2');
  await page.getByTestId('monitor-save').click();
  await page.waitForFunction(() => /^\/monitors\/\d+$/.test(location.pathname));
  await page.getByTestId('monitor-state').waitFor();
  sessions.sysadmin.watch.check();
});

test('a maintenance window covering now puts its monitor into maintenance (维护中)', async () => {
  const page = await as('manager');
  const { monitors } = await demoObjects(page);
  const m = monitors.find((x) => x.name === 'portal-home') || monitors[0];
  await go(page, '/maintenance');
  await page.getByTestId('new-maint').click();
  await page.getByTestId('maint-form').waitFor();
  await page.getByTestId('wf-name').fill('upgrade-now');
  await page.getByTestId('wf-title').fill('门户升级（测试）');
  await page.getByTestId('wf-monitor').fill(m.name);
  await page.getByTestId('wf-monitor-add').click();
  await page.getByTestId('wf-monitor-chips').getByText(m.name).waitFor();
  // The form starts a one-off window now, for an hour.
  await B.screenshot(page, 'maintenance-new');
  await page.getByTestId('maint-save').click();
  await page.waitForFunction(() => location.pathname === '/maintenance');
  await page.getByTestId('maint-table').getByText('upgrade-now').first().waitFor();
  await B.screenshot(page, 'maintenance');
  await page.getByTestId('maint-view-calendar').click();
  await page.getByTestId('maint-calendar').waitFor();
  await B.screenshot(page, 'maintenance-calendar');
  await page.getByTestId('maint-view-list').click();
  await go(page, `/monitors/${m.id}`);
  const badge = page.locator('[data-testid=monitor-state] [data-state="maintenance"]');
  // Live (the stream) or on the page's own refresh: give a loaded CI
  // machine (two browser files, two servers under ASan) room.
  await badge.waitFor({ timeout: 30000 });
  assert.match(await badge.textContent(), /维护中/);
  await B.screenshot(page, 'monitor-maintenance');
  await go(page, '/');
  await page.locator(`[data-testid=system-tile][data-system="${m.system}"]`).waitFor();
  await B.screenshot(page, 'dashboard-maintenance');
  sessions.manager.watch.check();
});

test('the language switches to English and back', async () => {
  const page = await as('engineer');
  await go(page, '/');
  await page.getByTestId('dashboard').waitFor();
  await page.getByTestId('lang-switch').click();
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForFunction(() => /Overview|Dashboard/.test(document.querySelector('#nav').textContent));
  await page.getByTestId('dashboard').waitFor();
  assert.doesNotMatch(await page.locator('#nav').textContent(), /[\u4e00-\u9fff]/, 'no Chinese left in the navigation');
  await B.screenshot(page, 'dashboard-en');
  await go(page, '/admin/tokens');
  await page.getByTestId('admin-tokens').waitFor();
  assert.match(await page.locator('[data-testid=admin-tokens] h1').textContent(), /API tokens/);
  await B.screenshot(page, 'admin-tokens-en');
  // The choice survives a reload, then goes back.
  await page.reload();
  await page.getByTestId('admin-tokens').waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  await page.getByTestId('lang-switch').click();
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  await page.waitForFunction(() => /API 令牌/.test(document.querySelector('[data-testid=admin-tokens] h1')?.textContent || ''));
  assert.match(await page.locator('#nav').textContent(), /总览/);
  sessions.engineer.watch.check();
});

// ---- administration: organisation, accounts, roles, tokens, audit ------------------------

test('system administrator builds the organisation tree and creates an account (one-time password shown once)', async () => {
  const page = await as('sysadmin');
  await go(page, '/admin/users');
  const root = page.getByTestId('admin-users');
  await root.waitFor();
  assert.equal(await page.getByTestId('admin-users-table').locator('tbody tr').count(), ROLES.length, 'the demo accounts are listed');

  // A top-level unit, a unit under it, a rename, a move, a delete.
  async function addUnit(name, kind) {
    const det = page.getByTestId('admin-org-add');
    if (!(await det.evaluate((d) => d.open))) await det.locator('summary').click();
    const f = page.getByTestId('admin-org-form');
    await f.locator('[data-field="name"] input').fill(name);
    if (kind) await f.locator('[data-field="kind"] select').selectOption(kind);
    await f.locator('button[type=submit]').click();
    await page.locator('.adm-tree button', { hasText: name }).waitFor();
  }
  await addUnit('省大数据中心', 'client');
  await addUnit('信息处');
  await addUnit('运维外包组');
  // The new unit is selected after creation: 运维外包组 sits under 信息处; move it to the top.
  await page.locator('.adm-tree button', { hasText: '运维外包组' }).click();
  await page.getByTestId('admin-org-move').click();
  const dlg = page.getByTestId('admin-dialog');
  await dlg.locator('select').selectOption({ label: '（顶级单位）' });
  await dlg.getByTestId('admin-dialog-ok').click();
  await dlg.waitFor({ state: 'detached' });
  const tree = await apiAs(page, 'GET', '/api/v1/orgs?tree=1');
  assert.deepEqual(tree.json.items.map((u) => u.name).sort(), ['省大数据中心', '运维外包组'].sort());
  const top = tree.json.items.find((u) => u.name === '省大数据中心');
  assert.deepEqual(top.children.map((u) => u.name), ['信息处']);
  assert.equal(top.children[0].kind, 'client', 'a sub-unit takes its parent kind');

  // Rename, then a delete that the server refuses (a unit with sub-units): the reason shows in the dialog.
  await page.locator('.adm-tree button', { hasText: '运维外包组' }).click();
  await page.getByTestId('admin-org-rename').click();
  await dlg.locator('input').fill('乙方运维组');
  await dlg.getByTestId('admin-dialog-ok').click();
  await page.locator('.adm-tree button', { hasText: '乙方运维组' }).waitFor();
  await page.locator('.adm-tree button', { hasText: '省大数据中心' }).first().click();
  await page.getByTestId('admin-org-delete').click();
  await dlg.getByTestId('admin-dialog-ok').click();
  const refusal = dlg.locator('.adm-form-error');
  await refusal.waitFor({ state: 'visible' });
  assert.ok((await refusal.textContent()).trim().length > 0, 'the refusal is explained');
  await B.screenshot(page, 'admin-org-delete-refused');
  await dlg.getByTestId('admin-dialog-cancel').click();
  await dlg.waitFor({ state: 'detached' });
  // An empty unit goes.
  await page.locator('.adm-tree button', { hasText: '乙方运维组' }).click();
  await page.getByTestId('admin-org-delete').click();
  await dlg.getByTestId('admin-dialog-ok').click();
  await page.locator('.adm-tree button', { hasText: '乙方运维组' }).waitFor({ state: 'detached' });
  await page.locator('.adm-tree button', { hasText: '信息处' }).click();

  // A new account: a bad name is refused next to the field; a good one shows its password once.
  const det = page.getByTestId('admin-user-add');
  await det.locator('summary').click();
  const uf = page.getByTestId('admin-user-form');
  await uf.locator('[data-field="name"] input').fill('Li Lei!');
  await uf.locator('button[type=submit]').click();
  assert.ok((await fieldError(uf, 'name')).length > 0, 'a bad login name is refused next to the field');
  await B.screenshot(page, 'admin-user-error');
  await uf.locator('[data-field="name"] input').fill('li.lei');
  await uf.locator('[data-field="display_name"] input').fill('李雷');
  await uf.locator('[data-field="org_id"] select').selectOption({ label: '\u3000信息处' });
  await uf.locator('button[type=submit]').click();
  const secret = page.getByTestId('admin-secret');
  await secret.waitFor();
  const otp = await secret.inputValue();
  assert.ok(otp.length >= 16, 'the one-time password is shown');
  await B.screenshot(page, 'admin-user-created');
  await page.getByTestId('admin-copy').click();
  await page.locator('.adm-copied').filter({ hasText: /./ }).waitFor();
  await page.getByTestId('admin-dialog-ok').click();
  await secret.waitFor({ state: 'detached' });
  const row = page.locator('tr[data-user="li.lei"]');
  await row.waitFor();
  assert.match(await row.textContent(), /信息处/);
  assert.equal(await page.getByTestId('admin-secret').count(), 0, 'the password is not shown again');
  assert.ok(!(await page.content()).includes(otp), 'nor anywhere in the page');
  accounts.lilei = new B.Account({ role: 'new', user: 'li.lei', password: otp, title: '李雷' });
  sessions.sysadmin.watch.check();
});

test('security administrator grants roles: two administrator roles are refused next to the field (三权分立)', async () => {
  const page = await as('secadmin');
  await go(page, '/admin/roles');
  await page.getByTestId('admin-roles-rule').waitFor();
  assert.match(await page.getByTestId('admin-roles-rule').textContent(), /三权分立/);
  const card = page.locator('[data-testid=admin-role-form][data-user="li.lei"]');
  await card.waitFor();
  const box = (r) => card.locator(`input[type=checkbox][value="${r}"]`);
  await box('sysadmin').check();
  await box('auditadmin').check();
  await card.locator('button[type=submit]').click();
  const msg = await fieldError(card, 'roles');
  assert.match(msg, /三权分立|一个账号只能/, `the server's reason shows under the roles: ${msg}`);
  await B.screenshot(page, 'admin-roles-error');
  await box('sysadmin').uncheck();
  await box('auditadmin').uncheck();
  await box('viewer').check();
  await card.locator('button[type=submit]').click();
  await page.locator('.adm-status.adm-ok').waitFor();
  const u = await apiAs(page, 'GET', '/api/v1/users/li.lei');
  assert.deepEqual(u.json.roles, ['viewer']);
  // One's own roles cannot be changed here.
  const own = page.locator(`[data-testid=admin-role-form][data-user="${accounts.secadmin.user}"]`);
  assert.equal(await own.locator('input[type=checkbox]:not([disabled])').count(), 0);
  await B.screenshot(page, 'admin-roles');
  sessions.secadmin.watch.check();
});

test('the new account logs in with its one-time password and must change it', async () => {
  const steps = [];
  const page = await as('lilei', { onStep: async (n) => { steps.push(n); await B.screenshot(sessions.lilei.page, n === 'password' ? 'password-change' : `new-user-${n}`); } });
  assert.ok(steps.includes('password'), 'the first login goes through the password change');
  const nav = await B.navIds(page);
  assert.deepEqual(nav.filter((x) => ALL_NAV.includes(x)).sort(), [...NAV.viewer].sort());
  await drop('lilei');
});

test('system administrator resets a password, disables and unlocks an account', async () => {
  const page = await as('sysadmin');
  await go(page, '/admin/users');
  const row = page.locator('tr[data-user="li.lei"]');
  await row.getByTestId('admin-user-reset').click();
  const dlg = page.getByTestId('admin-dialog');
  await dlg.getByTestId('admin-dialog-ok').click();
  const secret = page.getByTestId('admin-secret');
  await secret.waitFor();
  const otp = await secret.inputValue();
  assert.notEqual(otp, accounts.lilei.password);
  await page.getByTestId('admin-dialog-ok').click();
  await secret.waitFor({ state: 'detached' });
  await row.getByTestId('admin-user-disable').click();
  await dlg.getByTestId('admin-dialog-ok').click();
  await row.locator('.adm-badge-danger').waitFor();
  const u = await apiAs(page, 'GET', '/api/v1/users/li.lei');
  assert.equal(u.json.disabled, true);
  assert.equal(u.json.must_change_password, true);
  // Not offered on one's own row.
  const own = page.locator(`tr[data-user="${accounts.sysadmin.user}"]`);
  assert.equal(await own.getByTestId('admin-user-disable').count(), 0);
  assert.equal(await own.getByTestId('admin-user-reset').count(), 0);
  // Five wrong passwords lock the account (policy lock_after 5); the administrator unlocks it.
  for (let i = 0; i < 5; i++) {
    const r = await fetch(url('/api/v1/session'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: 'li.lei', password: `wrong-${i}` }) });
    assert.ok(r.status === 401 || r.status === 423, `bad login ${i}: ${r.status}`);
  }
  await go(page, '/admin/tokens');
  await go(page, '/admin/users');
  await row.locator('.adm-badge-warn').waitFor();
  await B.screenshot(page, 'admin-users');
  await row.getByTestId('admin-user-unlock').click();
  await page.locator('tr[data-user="li.lei"] [data-testid=admin-user-unlock]').waitFor({ state: 'detached' });
  const after = await apiAs(page, 'GET', '/api/v1/users/li.lei');
  assert.equal(after.json.locked, false);
  assert.equal(after.json.failed_logins, 0);
  sessions.sysadmin.watch.check();
});

test('API tokens: made once with a copy button, usable as a Bearer token, revoked', async () => {
  const page = await as('engineer');
  await go(page, '/admin/tokens');
  await page.getByTestId('admin-tokens').waitFor();
  assert.ok(await page.getByTestId('admin-tokens-all').isHidden(), 'an engineer sees only their own tokens');
  await page.getByTestId('admin-token-add').locator('summary').click();
  const f = page.getByTestId('admin-token-form');
  await f.locator('[data-field="name"] input').fill('巡检脚本');
  await f.locator('[data-field="expires_days"] input').fill('400');
  await f.locator('button[type=submit]').click();
  assert.match(await fieldError(f, 'expires_days'), /365/);
  await f.locator('[data-field="expires_days"] input').fill('30');
  await f.locator('button[type=submit]').click();
  const secret = page.getByTestId('admin-secret');
  await secret.waitFor();
  const token = await secret.inputValue();
  assert.match(token, /^ywt_/);
  await B.screenshot(page, 'admin-token-created');
  await page.getByTestId('admin-dialog-ok').click();
  await secret.waitFor({ state: 'detached' });

  const call = async () => (await fetch(url('/api/v1/systems'), { headers: { Authorization: `Bearer ${token}` } })).status;
  assert.equal(await call(), 200, 'the token works');
  const row = page.locator('tr[data-token]', { hasText: '巡检脚本' });
  await row.waitFor();
  await B.screenshot(page, 'admin-tokens');
  await row.getByTestId('admin-token-revoke').click();
  await page.getByTestId('admin-dialog').getByTestId('admin-dialog-ok').click();
  await row.locator('.adm-badge-muted').waitFor();
  assert.equal(await call(), 401, 'a revoked token is refused');

  // The security administrator sees everyone's tokens.
  const sec = await as('secadmin');
  await go(sec, '/admin/tokens');
  const all = sec.getByTestId('admin-tokens-all');
  await all.waitFor();
  assert.match(await all.textContent(), /巡检脚本/);
  assert.match(await all.textContent(), new RegExp(accounts.engineer.user));
  await B.screenshot(sec, 'admin-tokens-all');
  sessions.engineer.watch.check();
  sessions.secadmin.watch.check();
});

test('audit administrator reads the audit log: filters, paging, CSV export, chain check', async () => {
  const page = await as('auditadmin');
  await go(page, '/admin/audit');
  const table = page.getByTestId('admin-audit-table');
  await table.waitFor();
  assert.ok(await table.locator('tbody tr').count() > 10, 'the changes above are recorded');
  await B.screenshot(page, 'admin-audit');

  // Filter by action prefix and user: only role grants by the security administrator.
  const f = page.getByTestId('admin-audit-filters');
  await f.locator('[data-field="action"] input').fill('role.');
  await f.locator('[data-field="user"] input').fill(accounts.secadmin.user);
  await page.getByTestId('admin-audit-search').click();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=admin-audit-table] tbody tr')];
    return rows.length > 0 && rows.every((r) => r.textContent.includes('role.'));
  });
  const text = await table.textContent();
  assert.match(text, /role\.grant/);
  assert.match(text, /denied|failed|拒绝|失败/, 'the refused grant is recorded too');
  const href = await page.getByTestId('admin-audit-csv').getAttribute('href');
  assert.match(href, /^\/api\/v1\/audit\.csv\?/);
  assert.match(href, /action=role\./);
  const csv = await page.evaluate(async (h) => {
    const r = await fetch(h);
    return { status: r.status, type: r.headers.get('content-type'), body: await r.text() };
  }, href);
  assert.equal(csv.status, 200);
  assert.match(csv.type, /text\/csv/);
  assert.match(csv.body, /^\uFEFF?time,user,source,action,object,result,before,after,seq,mac\r\n/);
  assert.match(csv.body, /role\.grant/);
  assert.doesNotMatch(csv.body, /session\.login/, 'the export follows the filter');

  // Time range: a window in the future holds nothing.
  await f.locator('[data-field="user"] input').fill('');
  await f.locator('[data-field="action"] input').fill('');
  await f.locator('[data-field="from"] input').fill('2099-01-01T00:00');
  await page.getByTestId('admin-audit-search').click();
  await page.locator('[data-testid=admin-audit] .adm-empty').waitFor();
  // Paging: 20 a page, next and back.
  await f.locator('[data-field="from"] input').fill('');
  await f.locator('[data-field="limit"] select').selectOption('20');
  await page.getByTestId('admin-audit-search').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=admin-audit-table] tbody tr').length === 20);
  const firstSeq = await table.locator('tbody tr').first().getAttribute('data-seq');
  await page.getByTestId('admin-audit-next').click();
  await page.waitForFunction((s) => {
    const r = document.querySelector('[data-testid=admin-audit-table] tbody tr');
    return r && r.dataset.seq !== s;
  }, firstSeq);
  const second = Number(await page.getByTestId('admin-audit-table').locator('tbody tr').first().getAttribute('data-seq'));
  assert.ok(second < Number(firstSeq), 'the next page is older');
  // Back to the first page: the newest records again (reading the log is
  // itself recorded, so there may be newer ones than before).
  await page.getByTestId('admin-audit-prev').click();
  await page.waitForFunction((s) => {
    const r = document.querySelector('[data-testid=admin-audit-table] tbody tr');
    return r && Number(r.dataset.seq) >= Number(s);
  }, firstSeq);
  assert.ok(await page.getByTestId('admin-audit-prev').isDisabled());

  // The chain check.
  await page.getByTestId('admin-audit-verify').click();
  const res = page.getByTestId('admin-audit-verify-result');
  await res.locator('strong').waitFor();
  assert.match(await res.getAttribute('class'), /adm-ok/);
  assert.match(await res.textContent(), /完整/);

  // A before/after image opens.
  await f.locator('[data-field="action"] input').fill('user.create');
  await page.getByTestId('admin-audit-search').click();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=admin-audit-table] tbody tr')];
    return rows.length > 0 && rows.every((r) => r.textContent.includes('user.create'));
  });
  const open = page.getByTestId('admin-audit-detail').first();
  await open.click();
  const images = page.getByTestId('admin-audit-images');
  await images.waitFor();
  assert.match(await images.textContent(), /li\.lei/);
  assert.equal(await open.getAttribute('aria-expanded'), 'true');
  await B.screenshot(page, 'admin-audit-detail');
  sessions.auditadmin.watch.check();
});

test('audit administrator: the audit log is theirs alone, and they get no operations pages', async () => {
  const page = await as('auditadmin');
  const nav = await B.navIds(page);
  assert.ok(nav.includes('nav-admin-admin-audit'));
  assert.ok(!nav.includes('nav-dashboard') && !nav.includes('nav-monitors'), `no operations pages for the auditor: ${nav}`);
  await go(page, '/monitors/new');
  await page.getByTestId('forbidden').waitFor();
  await B.screenshot(page, 'forbidden');
  for (const role of ['sysadmin', 'secadmin']) {
    const p = await as(role);
    assert.ok(!(await B.navIds(p)).includes('nav-admin-admin-audit'), `${role} has no audit log`);
    const r = await apiAs(p, 'GET', '/api/v1/audit');
    assert.equal(r.status, 403);
  }
});

// ---- every role sees only its pages ------------------------------------------------------

test('each role sees only its pages and is offered only what it may do', async () => {
  for (const role of ROLES) {
    const page = await as(role);
    const nav = (await B.navIds(page)).filter((x) => ALL_NAV.includes(x));
    assert.deepEqual(nav.slice().sort(), NAV[role].slice().sort(), `navigation of ${role}`);
    // The landing page of each role; the others show the same dashboard.
    if (role === 'auditadmin' || role === 'viewer') {
      await page.goto(url('/'));
      await page.waitForSelector('#nav:not([hidden])');
      await page.waitForFunction(() => !document.querySelector('#main .loading, #main .adm-loading'));
      await B.screenshot(page, `home-${role}`);
    }
    // The administration pages it may open show no control it may not use.
    if (NAV[role].includes('nav-admin-admin-users')) {
      await go(page, '/admin/users');
      await page.getByTestId('admin-users').waitFor();
      const write = role === 'sysadmin';
      assert.equal(await page.getByTestId('admin-user-add').count(), write ? 1 : 0, `${role}: new account offered?`);
      assert.equal(await page.getByTestId('admin-user-reset').count() > 0, write, `${role}: reset offered?`);
      assert.equal(await page.getByTestId('admin-org-add').count(), write ? 1 : 0, `${role}: new unit offered?`);
      if (!write) await B.screenshot(page, `admin-users-readonly-${role}`);
    }
    // Operations pages: create buttons only for those who may create.
    if (NAV[role].includes('nav-monitors')) {
      await go(page, '/monitors');
      await page.getByTestId('monitors-table').waitFor();
      assert.equal(await page.getByTestId('new-monitor').count(), role === 'sysadmin' ? 1 : 0, `${role}: new monitor offered?`);
      await go(page, '/systems');
      await page.locator('main a[href^="/systems/"]').first().waitFor();
      assert.equal(await page.getByTestId('new-system').count(), role === 'sysadmin' ? 1 : 0, `${role}: new system offered?`);
      await go(page, '/maintenance');
      await page.getByTestId('maint-table').waitFor();
      const maint = role === 'sysadmin' || role === 'manager';
      assert.equal(await page.getByTestId('new-maint').count(), maint ? 1 : 0, `${role}: new window offered?`);
      if (!maint) assert.equal(await page.locator('[data-testid^="delete-maint-"], [data-testid^="edit-maint-"]').count(), 0, `${role}: no window edits offered`);
    }
    // A page outside the role is refused, not drawn.
    for (const [p, id] of [['/admin/audit', 'nav-admin-admin-audit'], ['/admin/roles', 'nav-admin-admin-roles'], ['/admin/policy', 'nav-admin-admin-policy'], ['/monitors/new', role === 'sysadmin' ? 'nav-monitors' : 'none']]) {
      if (NAV[role].includes(id)) continue;
      await go(page, p);
      await page.getByTestId('forbidden').waitFor();
    }
  }
});

// ---- second factor at login ---------------------------------------------------------------

test('an administrator logs out and back in with a TOTP code', async () => {
  const page = await as('sysadmin');
  await page.getByTestId('logout').click();
  await page.getByTestId('login-form').waitFor();
  await drop('sysadmin');
  const steps = [];
  await as('sysadmin', { onStep: async (n) => { steps.push(n); await B.screenshot(sessions.sysadmin.page, n); } });
  assert.deepEqual(steps, ['login-totp'], 'the second login asks for the code only');
  const page2 = sessions.sysadmin.page;
  await go(page2, '/account');
  await page2.getByTestId('sessions-table').waitFor();
  await B.screenshot(page2, 'account');
  sessions.sysadmin.watch.check();
});

test('the pages were clean: no script errors, no CSP violations', () => {
  for (const [role, s] of Object.entries(sessions)) {
    assert.deepEqual(s.watch.problems, [], `pages of ${role}`);
  }
  assert.ok(B.shots.length > 0 && B.shots.every((f) => fs.existsSync(f)));
});
