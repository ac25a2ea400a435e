// The message catalogues: both languages complete and alike, and every key
// the sources use present in both. Keys are found by scanning the sources:
// t('…') calls, title_key values, data-i18n attributes in index.html, and
// the console's own string literals that look like catalogue keys (the
// pages pass some keys around before calling t). Keys made at run time
// ("state." + state) are checked from the vocabularies in model.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STATES, TYPES, TIERS, ROLES, WEEKDAYS, RECURRENCES, ACTIONS } from '../../../web/app/model.js';
import { TYPE_FIELDS, COMMON_FIELDS, COMMON_HINTS } from '../../../web/app/pages/monitor_form.js';

const here = dirname(fileURLToPath(import.meta.url));
const web = join(here, '../../../web');
const load = (f) => (existsSync(join(web, 'i18n', f)) ? JSON.parse(readFileSync(join(web, 'i18n', f), 'utf8')) : null);
const zh = load('zh-CN.json');
const en = load('en.json');
const azh = load('admin.zh-CN.json') || {};
const aen = load('admin.en.json') || {};
const all = { 'zh-CN': { ...azh, ...zh }, en: { ...aen, ...en } };

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (p.endsWith('.js')) out.push(p);
  }
  return out;
}

const sources = files(join(web, 'app')).map((p) => ({ path: relative(web, p), admin: relative(web, p).startsWith('app/admin/'), text: readFileSync(p, 'utf8') }));

function used() {
  const keys = new Map(); // key -> where
  const add = (k, where) => { if (!keys.has(k)) keys.set(k, where); };
  const mainNs = new Set(Object.keys(zh).map((k) => k.split('.')[0]));
  const actions = new Set(ACTIONS);
  for (const s of sources) {
    for (const m of s.text.matchAll(/\bt\(\s*(['"])([^'"\\\n]+)\1/g)) add(m[2], s.path);
    for (const m of s.text.matchAll(/\btitle_key\s*:\s*(['"])([^'"\\\n]+)\1/g)) add(m[2], s.path);
    if (s.admin) continue;
    // Literals shaped like our keys ('mf.bad_url' handed to t later).
    for (const m of s.text.matchAll(/(['"])([a-z]+\.[a-z0-9_]+)\1/g)) {
      const k = m[2];
      if (mainNs.has(k.split('.')[0]) && !actions.has(k) && !/\.(js|json|css|svg)$/.test(k)) add(k, s.path);
    }
  }
  const html = readFileSync(join(web, 'index.html'), 'utf8');
  for (const m of html.matchAll(/data-i18n(?:-aria-label)?="([^"]+)"/g)) add(m[1], 'index.html');
  return keys;
}

function dynamic() {
  const k = [];
  for (const s of STATES) k.push(`state.${s}`);
  for (const s of TYPES) k.push(`type.${s}`);
  for (const s of TIERS) k.push(`tier.${s}`);
  for (const s of ROLES) k.push(`role.${s}`);
  for (const s of WEEKDAYS) k.push(`weekday.${s}`);
  for (const s of RECURRENCES) k.push(`maint.rec_${s}`);
  for (const s of ['active', 'planned', 'over']) k.push(`maint.status_${s}`);
  for (const s of ['d', 'h', 'min', 's', 'ms']) k.push(`unit.${s}`);
  for (const s of ['connecting', 'live', 'reconnecting', 'stopped']) k.push(`live.${s}`);
  for (const s of ['24h', '7d', '30d', 'custom']) k.push(`period.${s}`);
  for (const f of COMMON_FIELDS) k.push(`mf.${f}`);
  for (const f of COMMON_HINTS) k.push(`mf.${f}_hint`);
  for (const list of Object.values(TYPE_FIELDS)) {
    for (const f of list) {
      k.push(`mf.${f.name}`);
      if (f.hint) k.push(`mf.${f.name}_hint`);
    }
  }
  return k;
}

test('the console catalogues exist and parse', () => {
  assert.ok(zh && typeof zh === 'object', 'web/i18n/zh-CN.json');
  assert.ok(en && typeof en === 'object', 'web/i18n/en.json');
});

test('zh-CN and en have the same keys, none empty', () => {
  for (const [a, b, name] of [[zh, en, 'console'], [azh, aen, 'admin']]) {
    const missingEn = Object.keys(a).filter((k) => !(k in b));
    const missingZh = Object.keys(b).filter((k) => !(k in a));
    assert.deepEqual(missingEn, [], `${name}: in zh-CN, not in en`);
    assert.deepEqual(missingZh, [], `${name}: in en, not in zh-CN`);
    for (const [k, v] of Object.entries({ ...a, ...b })) assert.ok(typeof v === 'string' && v.length > 0, `${name}: ${k} empty`);
  }
});

test('both languages use the same placeholders', () => {
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort().join(',');
  const bad = Object.keys(zh).filter((k) => k in en && ph(zh[k]) !== ph(en[k]));
  assert.deepEqual(bad, []);
});

test('the Chinese catalogue is Chinese', () => {
  // A key whose zh-CN text has no Chinese at all is probably untranslated;
  // a few are the same in both by nature.
  const same = new Set(['shell.switch_lang', 'dash.n_state', 'dash.sep', 'period.range', 'common.page_of']);
  // Short proper names (HTTP(S), Ping, PostgreSQL) and bare placeholders pass.
  const name = (v) => /^[A-Za-z][A-Za-z()]{0,11}$/.test(v) || /^[{}\w ]*$/.test(v);
  const bad = Object.keys(zh).filter((k) => !same.has(k) && !/[\u3400-\u9fff]/.test(zh[k]) && !name(zh[k]));
  assert.deepEqual(bad, []);
});

test('every key the sources use exists in both languages', () => {
  const missing = [];
  for (const [k, where] of used()) {
    for (const lang of ['zh-CN', 'en']) if (!(k in all[lang])) missing.push(`${lang}: ${k} (${where})`);
  }
  assert.deepEqual(missing, []);
});

test('every key made at run time exists in both languages', () => {
  const missing = [];
  for (const k of dynamic()) for (const lang of ['zh-CN', 'en']) if (!(k in all[lang])) missing.push(`${lang}: ${k}`);
  assert.deepEqual(missing, []);
});

test('the scan finds the calls it should (guards the regexes)', () => {
  const keys = used();
  for (const k of ['login.title', 'nav.dashboard', 'shell.skip', 'mf.bad_url', 'dash.outages']) assert.ok(keys.has(k), k);
  assert.ok(!keys.has('monitor.write'));
});
