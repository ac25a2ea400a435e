// Every console module imports in Node (no DOM at import time), and the
// pages' pure parts: filters, the wall's grouping, form bodies, login errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createI18n } from '../../../web/app/i18n.js';

const here = dirname(fileURLToPath(import.meta.url));
const app = join(here, '../../../web/app');
const zh = JSON.parse(readFileSync(join(here, '../../../web/i18n/zh-CN.json'), 'utf8'));
const en = JSON.parse(readFileSync(join(here, '../../../web/i18n/en.json'), 'utf8'));
const fmt = createI18n({ lang: 'zh-CN', messages: zh });
const fmtEn = createI18n({ lang: 'en', messages: en, locale: 'en-GB' });
const t = fmt.t;

test('every module imports without a DOM', async () => {
  const mods = [
    ...readdirSync(app).filter((f) => f.endsWith('.js')).map((f) => join(app, f)),
    ...readdirSync(join(app, 'pages')).filter((f) => f.endsWith('.js')).map((f) => join(app, 'pages', f)),
  ];
  assert.ok(mods.length >= 15);
  for (const m of mods) await import(pathToFileURL(m).href);
  assert.equal(typeof globalThis.document, 'undefined');
});

test('the administration module keeps the contract when present', async () => {
  const p = join(app, 'admin', 'index.js');
  if (!existsSync(p)) return;
  const { routes } = await import(pathToFileURL(p).href);
  assert.ok(Array.isArray(routes));
  for (const r of routes) {
    assert.equal(typeof r.path, 'string');
    assert.ok(r.path.startsWith('/'));
    assert.equal(typeof r.title_key, 'string');
    assert.equal(typeof r.render, 'function');
    assert.ok(typeof r.action === 'string' && r.action.length, `${r.path}: action`);
  }
});

test('dashboard: counts, grouping, trouble first, derived states', async () => {
  const { countStates, groupSystems, outages, deriveSystemState } = await import('../../../web/app/pages/dashboard.js');
  const systems = [
    { id: 1, name: 'b', title: '乙', tier: 'general', state: 'up' },
    { id: 2, name: 'a', title: '甲', tier: 'key', state: 'up' },
    { id: 3, name: 'c', title: '丙', tier: 'key', state: 'down' },
  ];
  const monitors = [
    { id: 1, name: 'm1', system: 'a', state: 'up' },
    { id: 2, name: 'm2', system: 'c', state: 'down', state_since: '2026-11-26T10:00:00+08:00' },
    { id: 3, name: 'm3', system: 'c', state: 'down', state_since: '2026-11-26T09:00:00+08:00' },
    { id: 4, name: 'm4', system: 'b', state: 'maintenance' },
    { id: 5, name: 'm5', system: 'gone', state: 'weird' },
  ];
  const c = countStates(monitors);
  assert.deepEqual(c, { total: 5, down: 2, no_data: 1, maintenance: 1, paused: 0, up: 1 });
  const g = groupSystems(systems, monitors);
  assert.deepEqual(g.map((x) => x.tier), ['key', 'general']);
  assert.deepEqual(g[0].systems.map((x) => x.system.name), ['c', 'a']);
  assert.equal(g[0].systems[0].counts.down, 2);
  assert.deepEqual(outages(monitors).map((m) => m.name), ['m3', 'm2']);
  assert.equal(deriveSystemState([{ state: 'up', critical: true }, { state: 'down' }]), 'up');
  assert.equal(deriveSystemState([{ state: 'up' }, { state: 'down' }]), 'down');
  assert.equal(deriveSystemState([{ state: 'maintenance' }, { state: 'maintenance' }]), 'maintenance');
  assert.equal(deriveSystemState([], 'paused'), 'paused');
});

test('dashboard grouping of 10,000 monitors is quick', async () => {
  const { groupSystems, countStates } = await import('../../../web/app/pages/dashboard.js');
  const systems = Array.from({ length: 500 }, (_, i) => ({ id: i, name: `s${i}`, title: `系统${i}`, tier: i % 3 ? 'general' : 'key', state: i % 50 ? 'up' : 'down' }));
  const monitors = Array.from({ length: 10000 }, (_, i) => ({ id: i, name: `m${i}`, system: `s${i % 500}`, state: i % 97 ? 'up' : 'down' }));
  const t0 = performance.now();
  const g = groupSystems(systems, monitors);
  countStates(monitors);
  const ms = performance.now() - t0;
  assert.equal(g.reduce((n, x) => n + x.systems.length, 0), 500);
  assert.ok(ms < 200, `${ms} ms`);
});

test('monitor list filter and target line', async () => {
  const { filterMonitors, targetOf } = await import('../../../web/app/pages/monitors.js');
  const ms = [
    { name: 'portal-home', title: '门户首页', system: 'portal', type: 'http', state: 'up', url: 'http://x/' },
    { name: 'db', title: '共享库', system: 'sharing', type: 'postgres', state: 'down', conninfo: 'host=db' },
    { name: 'etl', system: 'etl', type: 'heartbeat', state: 'paused', push_url: '/api/v1/push/T' },
  ];
  assert.deepEqual(filterMonitors(ms).map((m) => m.name), ['db', 'etl', 'portal-home']);
  assert.deepEqual(filterMonitors(ms, { q: '门户' }).map((m) => m.name), ['portal-home']);
  assert.deepEqual(filterMonitors(ms, { q: 'HOST=DB' }).map((m) => m.name), ['db']);
  assert.deepEqual(filterMonitors(ms, { system: 'etl' }).map((m) => m.name), ['etl']);
  assert.deepEqual(filterMonitors(ms, { type: 'http', state: 'down' }), []);
  assert.equal(targetOf({ type: 'http', method: 'POST', url: 'http://a/' }), 'POST http://a/');
  assert.equal(targetOf({ type: 'tls', host: 'a' }), 'a:443');
  assert.equal(targetOf({ type: 'dns', host: 'a.cn', server: '10.0.0.53' }), 'a.cn A @10.0.0.53');
});

test('system list filter', async () => {
  const { filterSystems } = await import('../../../web/app/pages/systems.js');
  const s = [{ name: 'a', tier: 'general', state: 'up' }, { name: 'b', tier: 'key', state: 'up' }, { name: 'c', tier: 'general', state: 'down' }];
  assert.deepEqual(filterSystems(s).map((x) => x.name), ['c', 'b', 'a']);
  assert.deepEqual(filterSystems(s, { tier: 'general' }).map((x) => x.name), ['c', 'a']);
});

test('monitor form: the body from the values, and the mistakes caught here', async () => {
  const { buildBody, textToHeaders, textToStatus, headersToText } = await import('../../../web/app/pages/monitor_form.js');
  const base = { name: 'web-1', title: '门户', system: 'portal', type: 'http', interval: '30s', timeout: '', retry_interval: '', retries: '2', recover: '1', critical: true, paused: false };
  const ok = buildBody({ ...base, url: 'https://x.gov.cn/', method: 'GET', status: '200, 300-399', keyword: '', headers: 'X-A: 1\n\nAuthorization: ***', json: '', follow_redirects: true, tls_verify: false, max_redirects: '5', max_latency: '', body: '', keyword_absent: '' });
  assert.deepEqual(ok.body, {
    name: 'web-1', title: '门户', system: 'portal', type: 'http', interval: '30s', retries: 2, recover: 1, critical: true, paused: false,
    url: 'https://x.gov.cn/', method: 'GET', status: [200, '300-399'], headers: { 'X-A': '1', Authorization: '***' },
    follow_redirects: true, tls_verify: false, max_redirects: 5,
  });
  const e = (v) => buildBody({ ...base, ...v }).error;
  assert.deepEqual(e({ name: '' }), { field: 'name', key: 'mf.need', params: undefined });
  assert.equal(e({ name: 'Bad Name' }).key, 'mf.bad_name');
  assert.equal(e({ interval: '5x', url: 'http://a' }).field, 'interval');
  assert.equal(e({ interval: '10s', timeout: '20s', url: 'http://a' }).key, 'mf.timeout_long');
  assert.equal(e({ interval: '500ms', url: 'http://a' }).key, 'mf.interval_min');
  assert.equal(e({ retries: '0', url: 'http://a' }).key, 'mf.bad_int');
  assert.equal(e({ url: 'ftp://a' }).key, 'mf.bad_url');
  assert.equal(e({ url: '' }).key, 'mf.need');
  assert.equal(e({ url: 'http://a', status: '2000' }).key, 'mf.bad_status');
  assert.equal(e({ url: 'http://a', headers: 'no colon' }).key, 'mf.bad_header');
  assert.equal(e({ url: 'http://a', json: '{"path":"x"}' }).key, 'mf.bad_json');
  assert.equal(e({ url: 'http://a', json: '[oops' }).key, 'mf.bad_json');
  assert.equal(e({ type: 'tcp', host: 'h', port: '70000' }).key, 'mf.bad_int');
  const tcp = buildBody({ ...base, type: 'tcp', host: 'db.local', port: '5432' });
  assert.equal(tcp.body.port, 5432);
  assert.equal('url' in tcp.body, false);
  const dns = buildBody({ ...base, type: 'dns', host: 'a.cn', record: 'A', expect: '1.1.1.1，2.2.2.2', server: '' });
  assert.deepEqual(dns.body.expect, ['1.1.1.1', '2.2.2.2']);
  // Editing keeps the monitor's paused state, whatever the form said.
  const ed = buildBody({ ...base, url: 'http://a', paused: false }, { editing: true, original: { paused: true } });
  assert.equal(ed.body.paused, true);
  assert.deepEqual(textToHeaders('A: b: c'), { A: 'b: c' });
  assert.deepEqual(textToStatus('200 204'), [200, 204]);
  assert.equal(headersToText({ A: '1', B: '2' }), 'A: 1\nB: 2');
});

test('maintenance form: bodies and checks', async () => {
  const { buildWindow, localToApi, describeWhen, windowStatus } = await import('../../../web/app/pages/maintenance.js');
  const base = { name: 'w1', title: '', systems: ['portal'], monitors: [], recurrence: 'once', once_start: '2026-11-26T10:00', once_end: '2026-11-26T11:30', start: '', end: '', day: '', from: '', until: '', zone: '' };
  assert.deepEqual(buildWindow(base).body, { name: 'w1', systems: ['portal'], recurrence: 'once', start: '2026-11-26 10:00', end: '2026-11-26 11:30' });
  assert.equal(buildWindow({ ...base, systems: [] }).error.key, 'maint.need_scope');
  assert.equal(buildWindow({ ...base, once_end: '2026-11-26T09:00' }).error.field, 'end');
  const weekly = buildWindow({ ...base, recurrence: 'weekly', start: '02:00', end: '04:00', day: 'sunday', until: '2027-01-01', monitors: ['m1'] });
  assert.deepEqual(weekly.body, { name: 'w1', systems: ['portal'], monitors: ['m1'], recurrence: 'weekly', start: '02:00', end: '04:00', day: 'sunday', until: '2027-01-01' });
  assert.equal(buildWindow({ ...base, recurrence: 'monthly', start: '23:00', end: '01:00', day: 'last' }).body.day, 'last');
  assert.equal(buildWindow({ ...base, recurrence: 'monthly', start: '23:00', end: '01:00', day: '15' }).body.day, 15);
  assert.equal(buildWindow({ ...base, recurrence: 'daily', start: '2:00', end: '04:00' }).error.key, 'maint.bad_time');
  assert.equal(buildWindow({ ...base, recurrence: 'daily', start: '02:00', end: '02:00' }).error.key, 'maint.same_time');
  assert.equal(buildWindow({ ...base, recurrence: 'daily', start: '02:00', end: '03:00', from: '2026-12-01', until: '2026-11-01' }).error.field, 'until');
  assert.equal(buildWindow({ ...base, zone: ' UTC ' }).body.zone, 'UTC');
  assert.equal(localToApi('2026-11-26T10:00'), '2026-11-26 10:00');
  assert.equal(describeWhen({ recurrence: 'weekly', day: 'sunday', start: '02:00', end: '04:00' }, t, fmt), '每周日 02:00–04:00');
  assert.equal(describeWhen({ recurrence: 'daily', start: '23:00', end: '01:00' }, t, fmt), '每天 23:00–01:00（次日）');
  assert.equal(describeWhen({ recurrence: 'monthly', day: 'last', start: '01:00', end: '02:00' }, fmtEn.t, fmtEn), 'Monthly on the last day 01:00–02:00');
  assert.equal(describeWhen({ recurrence: 'once', start: '2026-11-26T10:00:00+08:00', end: '2026-11-26T12:00:00+08:00' }, t, fmt), '2026/11/26 10:00 – 2026/11/26 12:00');
  assert.equal(windowStatus({ active: true }), 'active');
  assert.equal(windowStatus({ active: false, next: {} }), 'planned');
  assert.equal(windowStatus({ active: false, next: null }), 'over');
});

test('period ranges', async () => {
  const { fixedRange, dayRange } = await import('../../../web/app/pages/period.js');
  const now = Date.parse('2026-11-26T02:00:30Z');
  assert.deepEqual(fixedRange('24h', now), { from: '2026-11-25T02:01:00.000Z', to: '2026-11-26T02:01:00.000Z' });
  assert.deepEqual(dayRange('2026-11-01', '2026-11-30', '2026-11-30'), { from: '2026-11-01', to: '2026-12-01' });
  assert.equal(dayRange('', '2026-11-30').error, 'from');
  assert.equal(dayRange('2026-11-30', '2026-11-01').key, 'period.to_before_from');
  assert.equal(dayRange('2026-12-01', '2026-12-02', '2026-11-30').key, 'period.future');
  assert.equal(dayRange('2024-01-01', '2026-11-01').key, 'period.too_long');
});

test('login refusals read clearly, in both languages', async () => {
  const { loginErrorText } = await import('../../../web/app/pages/login.js');
  const e = (code, extra = {}, message = '') => ({ code, extra, message, status: 401 });
  assert.equal(loginErrorText(e('bad_credentials'), t, fmt, 'zh-CN'), '用户名或密码错误');
  assert.match(loginErrorText(e('locked', { locked_until: '2026-11-26T10:30:00+08:00' }), t, fmt, 'zh-CN'), /锁定至 2026\/11\/26 10:30/);
  assert.match(loginErrorText(e('locked'), t, fmt, 'zh-CN'), /已锁定/);
  assert.match(loginErrorText(e('bad_totp'), t, fmt, 'zh-CN'), /动态口令错误/);
  assert.match(loginErrorText(e('totp_required'), t, fmt, 'zh-CN'), /动态口令/);
  assert.match(loginErrorText(e('password_expired'), t, fmt, 'zh-CN'), /过期/);
  assert.match(loginErrorText(e('disabled'), t, fmt, 'zh-CN'), /停用/);
  assert.match(loginErrorText(e('rate_limited'), t, fmt, 'zh-CN'), /频繁/);
  assert.match(loginErrorText(e('locked', { locked_until: '2026-11-26T10:30:00+08:00' }), fmtEn.t, fmtEn, 'en'), /locked until 26\/11\/2026, 10:30/);
  assert.equal(loginErrorText({ code: 'invalid', message: 'password: must not be empty', field: 'password' }, t, fmt, 'zh-CN'), 'must not be empty');
  assert.equal(loginErrorText({ code: 'network', status: 0, message: '' }, t, fmt, 'zh-CN'), '无法连接服务器，请检查网络');
});

test('small helpers', async () => {
  const { groupSecret } = await import('../../../web/app/pages/enrol.js');
  assert.equal(groupSecret('JCADEOA7VGMISBPF'), 'JCAD EOA7 VGMI SBPF');
  assert.equal(groupSecret('ABCDEF'), 'ABCD EF');
  const { shortAgent } = await import('../../../web/app/pages/account.js');
  assert.equal(shortAgent('Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/120.0.1 Mobile Safari/537.36'), 'Chrome 120 · Android');
  assert.equal(shortAgent('curl/7.88.1'), 'curl 7');
  assert.equal(shortAgent(''), '—');
  const { describeError } = await import('../../../web/app/ui.js');
  assert.equal(describeError({ code: 'forbidden', message: '无权执行此操作 / your roles do not allow x' }, t, 'zh-CN'), '您的角色无权执行此操作');
  assert.equal(describeError({ code: 'conflict', message: '名称已存在 / name taken' }, fmtEn.t, 'en'), 'name taken');
  assert.equal(describeError({ code: 'teapot', status: 418, message: '' }, t, 'zh-CN'), '出错了（HTTP 418）');
});

test('setup: the token comes from the fragment only when well formed', async () => {
  const { tokenFromHash } = await import('../../../web/app/pages/setup.js');
  assert.equal(tokenFromHash('#ywsetup_q4ZQkNfmcz3vq9AHJfFS6TjS8D1Gqrzf8PM_ft6VKBg'), 'ywsetup_q4ZQkNfmcz3vq9AHJfFS6TjS8D1Gqrzf8PM_ft6VKBg');
  assert.equal(tokenFromHash(''), '');
  assert.equal(tokenFromHash('#ywsetup_'), '');
  assert.equal(tokenFromHash('#ywsetup_abc"><script>'), '');
  assert.equal(tokenFromHash('#other_abcdefghijk'), '');
});

test('a taken name reads in the user language', async () => {
  const { describeError } = await import('../../../web/app/ui.js');
  assert.equal(describeError({ code: 'conflict', field: 'name', message: 'a monitor named "portal-home" already exists' }, t, 'zh-CN'), '标识名 portal-home 已被使用，请换一个');
  assert.equal(describeError({ code: 'conflict', field: 'name', message: 'taken' }, t, 'zh-CN'), 'taken');
});

test('after login, only a path of ours is followed', async () => {
  const { safeNext } = await import('../../../web/app/main.js');
  assert.equal(safeNext('/monitors/7?x=1'), '/monitors/7?x=1');
  for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example/', '/login?next=/x', 'javascript:alert(1)', undefined, '']) {
    assert.equal(safeNext(bad), null, String(bad));
  }
});
