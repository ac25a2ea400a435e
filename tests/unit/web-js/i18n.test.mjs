// i18n: lookup, fallback, placeholders, and formatting in the display zone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createI18n, flatten, interpolate, pickLang, addDays, monthStart, intlLocale, storedLang, storeLang, loadLanguage, t, i18n, setZone,
} from '../../../web/app/i18n.js';

const zh = { 'a.b': '你好 {name}', unit: { s: '{n} 秒', min: '{n} 分', h: '{n} 小时', d: '{n} 天' }, 'common.no_data': '无数据' };
const en = { 'a.b': 'Hello {name}', 'unit.s': '{n} s', 'unit.min': '{n} min', 'unit.h': '{n} h', 'unit.d': '{n} d', 'common.no_data': 'no data' };

test('flatten nests dotted keys and skips non-strings', () => {
  assert.deepEqual(flatten({ a: { b: 'x', c: { d: 'y' } }, n: 1, arr: ['z'], e: 'w' }), { 'a.b': 'x', 'a.c.d': 'y', e: 'w' });
});

test('interpolate fills known placeholders only', () => {
  assert.equal(interpolate('{a} and {b}', { a: 1 }), '1 and {b}');
  assert.equal(interpolate('{a}', { a: 0 }), '0');
  assert.equal(interpolate('{a}', { a: null }), '{a}');
  assert.equal(interpolate('plain', undefined), 'plain');
  assert.equal(interpolate('{constructor}', {}), '{constructor}');
});

test('t looks up, falls back to zh-CN, then to the key', () => {
  const i = createI18n({ lang: 'en', messages: { 'x.y': 'Y' }, fallback: { 'x.y': '乙', 'x.z': '丙' } });
  assert.equal(i.t('x.y'), 'Y');
  assert.equal(i.t('x.z'), '丙');
  assert.equal(i.t('x.missing'), 'x.missing');
  assert.equal(i.has('x.z'), false);
  const z = createI18n({ lang: 'zh-CN', messages: zh });
  assert.equal(z.t('a.b', { name: '李雷' }), '你好 李雷');
  assert.equal(z.t('unit.s', { n: 3 }), '3 秒');
});

test('dates show in Asia/Shanghai whatever the machine zone', () => {
  const z = createI18n({ lang: 'zh-CN', messages: zh });
  // 2026-11-25T18:30:05Z is 02:30:05 on the 26th in Shanghai.
  const iso = '2026-11-25T18:30:05Z';
  assert.equal(z.zone, 'Asia/Shanghai');
  assert.match(z.formatDateTime(iso), /2026.11.26.*02:30:05/);
  assert.match(z.formatDateTime(iso, { seconds: false }), /02:30$/);
  assert.equal(z.formatTime(iso), '02:30');
  assert.equal(z.dayKey(iso), '2026-11-26');
  assert.equal(z.clockKey(iso), '02:30');
  assert.equal(z.dayKey('2026-11-26T00:00:00+08:00'), '2026-11-26');
  assert.equal(z.dayKey('2026-11-25T23:59:59+08:00'), '2026-11-25');
  assert.equal(z.formatDateTime(null), '—');
  assert.equal(z.formatDateTime('not a date'), '—');
});

test('another zone from the session, and a bad one falls back', () => {
  const u = createI18n({ lang: 'en', messages: en, zone: 'UTC', locale: 'en-GB' });
  assert.equal(u.dayKey('2026-11-25T18:30:05Z'), '2026-11-25');
  assert.equal(u.clockKey('2026-11-25T18:30:05Z'), '18:30');
  const bad = createI18n({ zone: 'Mars/Olympus' });
  assert.equal(bad.zone, 'Asia/Shanghai');
});

test('numbers and percent: cut, never rounded up to 100', () => {
  const z = createI18n({ lang: 'zh-CN', messages: zh });
  assert.equal(z.formatNumber(12345), '12,345');
  assert.equal(z.formatPercent(99.884), '99.884%');
  assert.equal(z.formatPercent(99.99964), '99.999%');
  assert.equal(z.formatPercent(100), '100.00%');
  assert.equal(z.formatPercent(99.5), '99.50%');
  assert.equal(z.formatPercent(null), '无数据');
  const e = createI18n({ lang: 'en', messages: en, locale: 'en-GB' });
  assert.equal(e.formatPercent(undefined), 'no data');
  assert.equal(e.formatNumber(NaN), '—');
});

test('durations: two largest units, in the language', () => {
  const z = createI18n({ lang: 'zh-CN', messages: zh });
  assert.equal(z.formatDuration(0), '0 秒');
  assert.equal(z.formatDuration(0.4), '<1 秒');
  assert.equal(z.formatDuration(45), '45 秒');
  assert.equal(z.formatDuration(60), '1 分');
  assert.equal(z.formatDuration(3661), '1 小时 1 分');
  assert.equal(z.formatDuration(3600), '1 小时');
  assert.equal(z.formatDuration(86400 + 5), '1 天');
  assert.equal(z.formatDuration(2 * 86400 + 3 * 3600 + 59), '2 天 3 小时');
  assert.equal(z.formatDuration(-1), '—');
  const e = createI18n({ lang: 'en', messages: en, locale: 'en-GB' });
  assert.equal(e.formatDuration(125), '2 min 5 s');
});

test('calendar helpers', () => {
  const z = createI18n({ lang: 'zh-CN', messages: zh });
  assert.equal(z.weekdayNames().length, 7);
  assert.equal(z.weekdayNames()[0], '周一');
  assert.match(z.formatMonth(2026, 2), /2026.*2/);
  assert.equal(addDays('2026-02-28', 1), '2026-03-01');
  assert.equal(addDays('2024-02-28', 1), '2024-02-29');
  assert.equal(addDays('2026-01-01', -1), '2025-12-31');
  assert.equal(monthStart('2026-11-26'), '2026-11-01');
});

test('pickLang splits bilingual server messages', () => {
  const m = '用户名或密码错误 / wrong user name or password';
  assert.equal(pickLang(m, 'zh-CN'), '用户名或密码错误');
  assert.equal(pickLang(m, 'en'), 'wrong user name or password');
  assert.equal(pickLang('interval: must be at least 1s', 'zh-CN'), 'interval: must be at least 1s');
  assert.equal(pickLang('a / b', 'en'), 'a / b'); // not Chinese on the left: not a pair
  assert.equal(pickLang(undefined, 'en'), '');
});

test('locale for English follows the browser, Chinese is zh-CN', () => {
  assert.equal(intlLocale('zh-CN', ['en-US']), 'zh-CN');
  assert.equal(intlLocale('en', ['zh-CN', 'en-US']), 'en-US');
  assert.equal(intlLocale('en', ['zh-CN']), 'en-GB');
});

test('stored language: localStorage, tolerating absence and junk', () => {
  const mem = new Map();
  const st = { getItem: (k) => mem.get(k) ?? null, setItem: (k, v) => mem.set(k, v) };
  assert.equal(storedLang(st), 'zh-CN');
  storeLang('en', st);
  assert.equal(storedLang(st), 'en');
  storeLang('fr', st);
  assert.equal(storedLang(st), 'en');
  mem.set('yw.lang', 'xx');
  assert.equal(storedLang(st), 'zh-CN');
  assert.equal(storedLang(null), 'zh-CN');
  const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); } };
  assert.equal(storedLang(broken), 'zh-CN');
  storeLang('en', broken); // no throw
});

test('loadLanguage merges console and admin catalogues; admin is optional', async () => {
  const files = {
    '/i18n/en.json': { 'k.one': 'One' },
    '/i18n/admin.en.json': { 'admin.x': 'X', 'k.one': 'admin must not override' },
    '/i18n/zh-CN.json': { 'k.one': '一', 'k.two': '二' },
  };
  const fetchFn = async (url) => (url in files
    ? { ok: true, status: 200, json: async () => files[url] }
    : { ok: false, status: 404, json: async () => ({}) });
  await loadLanguage('en', { fetchFn });
  assert.equal(t('k.one'), 'One');
  assert.equal(t('admin.x'), 'X');
  assert.equal(t('k.two'), '二'); // zh-CN fallback
  assert.equal(i18n().lang, 'en');
  setZone('UTC');
  assert.equal(i18n().zone, 'UTC');
  assert.equal(t('k.two'), '二'); // catalogues survive a zone change
  await loadLanguage('zh-CN', { fetchFn });
  assert.equal(t('k.one'), '一');
  assert.equal(i18n().zone, 'UTC');
  await assert.rejects(loadLanguage('en', { fetchFn: async () => ({ ok: false, status: 500 }) }));
});
