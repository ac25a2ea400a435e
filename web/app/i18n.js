// i18n — message catalogues and locale-aware formatting.
//
// Catalogues are JSON files under /i18n/: zh-CN.json and en.json for the
// console, admin.zh-CN.json and admin.en.json for the administration module.
// Keys are flat dotted strings ("nav.dashboard"); a nested object is flattened
// on load, so either shape works. A key missing from the current language
// falls back to zh-CN, then to the key itself (so a gap shows, never a blank).
//
// Times are shown in the server's display zone (Asia/Shanghai unless the
// session answer names another), whatever zone the browser is in: an engineer
// on a trip still reads the same clock as the data center and the reports.
//
// Nothing here touches the DOM or fetches at import time, so Node can import
// it for the unit tests.

export const LANGS = ['zh-CN', 'en'];
export const DEFAULT_LANG = 'zh-CN';
export const DEFAULT_ZONE = 'Asia/Shanghai';
const STORAGE_KEY = 'yw.lang';

/** Flattens {"a":{"b":"x"}} into {"a.b":"x"}; non-string leaves are skipped. */
export function flatten(obj, prefix = '', out = {}) {
  if (!obj || typeof obj !== 'object') return out;
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out[key] = v;
    else if (v && typeof v === 'object' && !Array.isArray(v)) flatten(v, key, out);
  }
  return out;
}

/** Replaces {name} in s by params.name; unknown placeholders stay as written. */
export function interpolate(s, params) {
  if (!params) return s;
  return s.replace(/\{(\w+)\}/g, (m, k) =>
    Object.prototype.hasOwnProperty.call(params, k) && params[k] !== undefined && params[k] !== null
      ? String(params[k])
      : m);
}

/** The language to start with: the stored choice, else zh-CN. */
export function storedLang(storage = safeStorage()) {
  try {
    const v = storage && storage.getItem(STORAGE_KEY);
    return LANGS.includes(v) ? v : DEFAULT_LANG;
  } catch {
    return DEFAULT_LANG;
  }
}

export function storeLang(lang, storage = safeStorage()) {
  try {
    if (storage && LANGS.includes(lang)) storage.setItem(STORAGE_KEY, lang);
  } catch {
    /* private mode: the choice lasts this page only */
  }
}

function safeStorage() {
  try {
    return typeof localStorage !== 'undefined' ? localStorage : null;
  } catch {
    return null;
  }
}

/** The Intl locale for a console language: English follows the browser's
 * English variant when it has one (en-US, en-GB…). */
export function intlLocale(lang, preferred = browserLanguages()) {
  if (lang !== 'en') return 'zh-CN';
  const en = preferred.find((l) => /^en(-|$)/i.test(l));
  return en || 'en-GB';
}

function browserLanguages() {
  if (typeof navigator !== 'undefined' && Array.isArray(navigator.languages)) return navigator.languages;
  return [];
}

function toDate(v) {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v === 'string' && v) return new Date(v);
  return null;
}

function validDate(d) {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

/**
 * An i18n instance: fixed language, catalogue and zone. The console keeps one
 * current instance (below); tests make their own.
 */
export function createI18n({ lang = DEFAULT_LANG, messages = {}, fallback = {}, zone = DEFAULT_ZONE, locale } = {}) {
  const msgs = flatten(messages);
  const fb = flatten(fallback);
  const loc = locale || intlLocale(lang);
  let tz = zone;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
  } catch {
    tz = DEFAULT_ZONE; // an unknown zone from the server must not break every page
  }
  const cache = new Map();
  const dtf = (name, opts) => {
    let f = cache.get(name);
    if (!f) {
      f = new Intl.DateTimeFormat(loc, { timeZone: tz, ...opts });
      cache.set(name, f);
    }
    return f;
  };
  const nf = new Intl.NumberFormat(loc);

  function t(key, params) {
    let s = msgs[key];
    if (s === undefined) s = fb[key];
    if (s === undefined) return key;
    return interpolate(s, params);
  }
  const has = (key) => key in msgs;

  const self = {
    raw: { messages: msgs, fallback: fb },
    lang,
    locale: loc,
    zone: tz,
    t,
    has,
    keys: () => Object.keys(msgs),

    /** 2026/11/26 10:23:25 (seconds unless seconds === false); '—' when absent. */
    formatDateTime(v, { seconds = true } = {}) {
      const d = toDate(v);
      if (!validDate(d)) return '—';
      const f = seconds
        ? dtf('dts', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
        : dtf('dt', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
      return f.format(d);
    },
    formatDate(v) {
      const d = toDate(v);
      return validDate(d) ? dtf('d', { year: 'numeric', month: '2-digit', day: '2-digit' }).format(d) : '—';
    },
    formatTime(v, { seconds = false } = {}) {
      const d = toDate(v);
      if (!validDate(d)) return '—';
      return (seconds
        ? dtf('ts', { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
        : dtf('t', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })).format(d);
    },
    /** "November 2026" / "2026年11月" for a calendar heading (year, month 1..12). */
    formatMonth(year, month) {
      // Noon UTC of the 15th lies inside that month in every zone.
      return dtf('month', { year: 'numeric', month: 'long' }).format(new Date(Date.UTC(year, month - 1, 15, 12)));
    },
    /** Short weekday names, Monday first. */
    weekdayNames() {
      const f = dtf('wd', { weekday: 'short' });
      // 2024-01-01 was a Monday; noon UTC keeps the day in every zone.
      return Array.from({ length: 7 }, (_, i) => f.format(new Date(Date.UTC(2024, 0, 1 + i, 12))));
    },
    formatNumber(n, opts) {
      if (typeof n !== 'number' || !Number.isFinite(n)) return '—';
      return opts ? new Intl.NumberFormat(loc, opts).format(n) : nf.format(n);
    },
    /**
     * Availability in percent (99.884 -> "99.884%"). Cut, not rounded: an
     * availability of 99.9996 must not read as 100%. null -> the no-data text.
     */
    formatPercent(p, digits = 3) {
      if (typeof p !== 'number' || !Number.isFinite(p)) return t('common.no_data');
      const k = 10 ** digits;
      const cut = Math.floor(p * k + 1e-9) / k;
      return new Intl.NumberFormat(loc, { minimumFractionDigits: Math.min(2, digits), maximumFractionDigits: digits }).format(cut) + '%';
    },
    /** Seconds -> the two largest units: "2 小时 3 分" / "2 h 3 min". */
    formatDuration(seconds) {
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return '—';
      const s = Math.floor(seconds);
      if (s < 1) return t('unit.s', { n: seconds > 0 ? '<1' : 0 });
      const units = [['d', 86400], ['h', 3600], ['min', 60], ['s', 1]];
      const vals = [];
      let rest = s;
      for (const [, size] of units) {
        vals.push(Math.floor(rest / size));
        rest %= size;
      }
      const i = vals.findIndex((v) => v > 0);
      const parts = [t(`unit.${units[i][0]}`, { n: nf.format(vals[i]) })];
      if (i + 1 < units.length && vals[i + 1] > 0) parts.push(t(`unit.${units[i + 1][0]}`, { n: nf.format(vals[i + 1]) }));
      return parts.join(' ');
    },
    /** "YYYY-MM-DD" of instant v in the display zone. */
    dayKey(v) {
      const d = toDate(v);
      if (!validDate(d)) return '';
      const p = {};
      for (const x of dtf('key', { year: 'numeric', month: '2-digit', day: '2-digit', hourCycle: 'h23' }).formatToParts(d)) p[x.type] = x.value;
      return `${p.year}-${p.month}-${p.day}`;
    },
    /** "HH:MM" of instant v in the display zone (for datetime inputs). */
    clockKey(v) {
      const d = toDate(v);
      if (!validDate(d)) return '';
      const p = {};
      for (const x of dtf('ckey', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(d)) p[x.type] = x.value;
      return `${p.hour}:${p.minute}`;
    },
  };
  return self;
}

/** Adds n days to a "YYYY-MM-DD" date (calendar arithmetic, no zone involved). */
export function addDays(day, n) {
  const [y, m, d] = day.split('-').map(Number);
  const x = new Date(Date.UTC(y, m - 1, d + n));
  return x.toISOString().slice(0, 10);
}

/** "YYYY-MM-01" of the month holding day. */
export function monthStart(day) {
  return `${day.slice(0, 7)}-01`;
}

/** Picks one side of a server message written "中文 / English". */
export function pickLang(message, lang) {
  if (typeof message !== 'string') return '';
  const i = message.indexOf(' / ');
  if (i < 0) return message;
  const left = message.slice(0, i);
  if (!/[\u3400-\u9fff]/.test(left)) return message; // not a bilingual pair
  return lang === 'en' ? message.slice(i + 3) : left;
}

// ---- the console's current instance ---------------------------------------------

let current = createI18n();

export function i18n() {
  return current;
}

/** Looks key up in the current catalogue. */
export function t(key, params) {
  return current.t(key, params);
}

async function fetchCatalogue(fetchFn, url, optional) {
  try {
    const r = await fetchFn(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!r.ok) {
      if (optional) return {};
      throw new Error(`${url}: HTTP ${r.status}`);
    }
    return await r.json();
  } catch (e) {
    if (optional) return {};
    throw e;
  }
}

/**
 * Loads the catalogues of lang (and zh-CN for the fallback) and makes them
 * current. The admin catalogue is optional: the console works without the
 * administration module. Rejects when the main catalogue cannot be read.
 */
export async function loadLanguage(lang, { fetchFn = globalThis.fetch, base = '/i18n/', zone } = {}) {
  if (!LANGS.includes(lang)) lang = DEFAULT_LANG;
  const get = (l) => Promise.all([
    fetchCatalogue(fetchFn, `${base}${l}.json`, false),
    fetchCatalogue(fetchFn, `${base}admin.${l}.json`, true),
  ]).then(([a, b]) => ({ ...flatten(b), ...flatten(a) }));
  const [messages, fallback] = await Promise.all([
    get(lang),
    lang === DEFAULT_LANG ? Promise.resolve({}) : get(DEFAULT_LANG).catch(() => ({})),
  ]);
  current = createI18n({ lang, messages, fallback, zone: zone || current.zone });
  return current;
}

/** Keeps language and catalogues, changes the display zone. */
export function setZone(zone) {
  if (!zone || zone === current.zone) return current;
  current = createI18n({ lang: current.lang, messages: current.raw.messages, fallback: current.raw.fallback, zone });
  return current;
}
