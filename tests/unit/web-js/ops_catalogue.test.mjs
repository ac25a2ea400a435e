// The operations module's catalogues (web/i18n/ops.zh-CN.json, ops.en.json)
// and the rules its code keeps. The module looks texts up with tr('…') (the
// ops catalogue, then the console's), so the keys are found by scanning
// tr(…) calls, `key: '…'` literals handed to tr later, route titleKeys, and
// the keys made at run time from the vocabularies of ops/model.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  INC_STATES, SOURCES, LEVELS, CLOCKS, CLOCK_STATUSES, ACTION_BUTTONS, EVENT_KINDS, CHANNEL_TYPES, CHANNEL_SECRETS, SMTP_SECURITY,
  NOTIFY_KINDS, DLV_STATUSES, DUTY_POSITIONS, TARGET_KINDS, PERIOD_KINDS,
} from '../../../web/app/ops/model.js';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '../../../web');
const opsDir = join(web, 'app', 'ops');
const read = (f) => JSON.parse(readFileSync(join(web, 'i18n', f), 'utf8'));
const zh = read('ops.zh-CN.json');
const en = read('ops.en.json');
const mainZh = read('zh-CN.json');
const mainEn = read('en.json');
const all = { 'zh-CN': { ...mainZh, ...zh }, en: { ...mainEn, ...en } };
const sources = readdirSync(opsDir).filter((f) => f.endsWith('.js')).map((f) => ({ f, text: readFileSync(join(opsDir, f), 'utf8') }));

test('ops catalogues: the same keys in both languages, none empty, all under ops.', () => {
  assert.deepEqual(Object.keys(en).sort(), Object.keys(zh).sort());
  for (const [k, v] of [...Object.entries(zh), ...Object.entries(en)]) {
    assert.ok(k.startsWith('ops.'), `${k}: ops keys live under ops.`);
    assert.ok(typeof v === 'string' && v.trim().length > 0, `${k} is empty`);
  }
});

test('ops catalogues: the same placeholders in both languages', () => {
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  assert.deepEqual(Object.keys(zh).filter((k) => ph(zh[k]) !== ph(en[k])), []);
});

test('ops catalogues: the Chinese one is Chinese', () => {
  // Proper names and formats that read the same in both.
  const same = new Set(['ops.ch.type.webhook', 'ops.ch.sec.starttls', 'ops.ch.sec.tls', 'ops.ch.msg.markdown']);
  const bad = Object.keys(zh).filter((k) => !same.has(k) && !/[\u3400-\u9fff]/.test(zh[k]) && !/^[{}\w ]*$/.test(zh[k]));
  assert.deepEqual(bad, []);
});

test('ops catalogues: no key shadows one of the console or the administration catalogue', () => {
  const admin = existsSync(join(web, 'i18n', 'admin.zh-CN.json')) ? read('admin.zh-CN.json') : {};
  assert.deepEqual(Object.keys(zh).filter((k) => k in mainZh || k in admin), []);
});

function usedKeys() {
  const keys = new Map();
  const add = (k, where) => { if (!keys.has(k)) keys.set(k, where); };
  for (const { f, text } of sources) {
    for (const m of text.matchAll(/\btr\(\s*'([^'\\\n]+)'/g)) add(m[1], f);
    for (const m of text.matchAll(/\bkey:\s*'([a-z]+\.[a-z0-9_.]+)'/g)) add(m[1], f);
    for (const m of text.matchAll(/\btitleKey:\s*'([^']+)'/g)) add(m[1], f);
  }
  return keys;
}

function dynamicKeys() {
  const k = [];
  const each = (list, fn) => list.forEach((x) => k.push(fn(x)));
  each(LEVELS, (l) => `ops.level.${l}`);
  each(INC_STATES, (s) => `ops.state.${s}`);
  each(SOURCES, (s) => `ops.source.${s}`);
  each(CLOCKS, (c) => `ops.clock.${c}`);
  each(CLOCKS, (c) => `ops.clock.${c}_title`);
  each(CLOCK_STATUSES, (s) => `ops.clock.status.${s}`);
  for (const a of ACTION_BUTTONS) for (const suffix of ['', '_title', '_intro', '_done']) k.push(`ops.act.${a}${suffix}`);
  each(EVENT_KINDS, (e) => `ops.event.${e}`);
  each(CHANNEL_TYPES, (t) => `ops.ch.type.${t}`);
  each(CHANNEL_TYPES.filter((t) => t !== 'email'), (t) => `ops.ch.url_hint.${t}`);
  for (const s of new Set(Object.values(CHANNEL_SECRETS).flat())) k.push(`ops.ch.secret.${s}`, `ops.ch.secret_new.${s}`, `ops.ch.secret_hint.${s}`);
  each(SMTP_SECURITY, (s) => `ops.ch.sec.${s}`);
  each(['markdown', 'text'], (s) => `ops.ch.msg.${s}`);
  each(['digest', 'drop'], (s) => `ops.ch.limit.${s}`);
  each([...NOTIFY_KINDS, 'digest'], (s) => `ops.kind.${s}`);
  each(DLV_STATUSES, (s) => `ops.dlv.status.${s}`);
  each(DUTY_POSITIONS, (p) => `ops.duty.pos.${p}`);
  each(DUTY_POSITIONS, (p) => `ops.duty.pos_short.${p}`);
  each(['shift', 'rotation', 'handover'], (f) => `ops.duty.form_${f}`);
  each(['8h', '12h', '24h', '168h'], (v) => `ops.duty.len_${v}`);
  each(TARGET_KINDS, (t) => `ops.rule.to.${t.replace(':', '_')}`);
  each(PERIOD_KINDS, (p) => `ops.period.${p}`);
  each(['month', 'quarter', 'h1', 'h2', 'year'], (p) => `ops.period.name_${p}`);
  each(['due', 'overdue', 'on_time', 'late'], (s) => `ops.report.st_${s}`);
  each(['off', 'work', 'weekend', 'weekday'], (s) => `ops.cal.kind_${s}`);
  each(['total', 'response_rate', 'breaches', 'reports_late', 'fault_rate'], (s) => `ops.sla.${s}`);
  return k;
}

test('every key the ops code uses exists in both languages (ops or console catalogue)', () => {
  const keys = usedKeys();
  assert.ok(keys.size > 300, `the scan found ${keys.size} keys`);
  for (const k of ['ops.nav.incidents', 'ops.quick.title', 'ops.clock.left', 'common.save']) assert.ok(keys.has(k), k);
  const missing = [];
  for (const [k, where] of keys) for (const lang of ['zh-CN', 'en']) if (!(k in all[lang])) missing.push(`${lang}: ${k} (${where})`);
  assert.deepEqual(missing, []);
});

test('every key made at run time exists in both languages', () => {
  const missing = [];
  for (const k of dynamicKeys()) for (const lang of ['zh-CN', 'en']) if (!(k in all[lang])) missing.push(`${lang}: ${k}`);
  assert.deepEqual(missing, []);
});

test('role names used in rule targets come from the console catalogue', () => {
  for (const r of ['sysadmin', 'secadmin', 'auditadmin', 'assessor', 'manager', 'engineer', 'viewer']) assert.ok(`role.${r}` in mainZh && `role.${r}` in mainEn, r);
});

test('ops code builds the DOM from text only, with no inline style or script', () => {
  for (const { f, text } of sources) {
    assert.doesNotMatch(text, /\.innerHTML|\.outerHTML|insertAdjacentHTML|document\.write|new Function|\beval\(/, `${f}: no markup from strings`);
    assert.doesNotMatch(text, /\.style\.|setAttribute\(\s*['"]style['"]|\bstyle:/, `${f}: no inline style (CSP)`);
    // The console's catalogue test checks t('…') against its own catalogues:
    // the ops code uses tr, whose keys this file checks.
    assert.doesNotMatch(text, /[^.\w]t\(\s*['"]/, `${f}: texts through tr, not t`);
  }
});

test('every ops module imports without a DOM, and the routes keep the shell\'s contract', async () => {
  for (const { f } of sources) await import(pathToFileURL(join(opsDir, f)).href);
  assert.equal(typeof globalThis.document, 'undefined');
  const m = await import(pathToFileURL(join(opsDir, 'index.js')).href);
  const actions = ['ops.read', 'incident.read', 'incident.write', 'notify.read', 'notify.write', 'duty.write', 'calendar.write'];
  const navs = new Set();
  for (const r of m.routes) {
    assert.ok(r.path.startsWith('/'), r.path);
    assert.ok(actions.includes(r.action), `${r.path}: action ${r.action}`);
    assert.equal(typeof r.render, 'function');
    assert.ok(r.titleKey in zh && r.titleKey in en, `${r.path}: title ${r.titleKey}`);
    if (r.nav) {
      assert.ok(!navs.has(r.nav), `nav ${r.nav} once`);
      navs.add(r.nav);
    }
  }
  assert.deepEqual([...navs], ['incidents', 'report', 'duty', 'notify', 'sla']);
  assert.equal(typeof m.loadCatalogue, 'function');
  assert.equal(typeof m.title, 'function');
});

test('tr: the ops catalogue, its zh-CN fallback, then the console\'s', async () => {
  const text = await import(pathToFileURL(join(opsDir, 'text.js')).href);
  text.setCatalogue('en', { 'ops.a': 'A {n}' }, { 'ops.a': '甲 {n}', 'ops.b': '乙' });
  assert.equal(text.tr('ops.a', { n: 2 }), 'A 2');
  assert.equal(text.tr('ops.b'), '乙');
  assert.equal(text.tr('ops.none'), 'ops.none', 'a gap shows the key');
  const fetched = [];
  const fetchFn = async (url) => {
    fetched.push(url);
    const body = url.endsWith('ops.en.json') ? en : zh;
    return { ok: true, json: async () => body };
  };
  await text.loadCatalogue('en', { fetchFn });
  assert.deepEqual(fetched.sort(), ['/i18n/ops.en.json', '/i18n/ops.zh-CN.json']);
  assert.equal(text.tr('ops.nav.incidents'), 'Incidents');
  await text.loadCatalogue('zh-CN', { fetchFn: async () => ({ ok: false }) });
  assert.equal(text.tr('ops.nav.incidents'), 'ops.nav.incidents', 'a missing catalogue leaves keys, not a crash');
});
