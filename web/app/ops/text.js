// text — the operations module's message catalogues (web/i18n/ops.zh-CN.json
// and ops.en.json) laid over the console's own.
//
// The console's i18n.js loads its catalogue and the administration one; the
// operations module brings its own, loaded beside them by main.js
// (loadCatalogue) and again on a language switch. tr(key, params) looks in
// the ops catalogue of the current language, then in the zh-CN one, then
// asks the console's t (which knows common.*, error.*, unit.* …), so a gap
// shows the key, never a blank.
//
// Nothing here touches the DOM or fetches at import time (the unit tests
// import it in Node).

import { flatten, interpolate, i18n, DEFAULT_LANG, LANGS } from '../i18n.js';

const cat = { lang: DEFAULT_LANG, msgs: {}, fb: {} };

async function fetchJson(fetchFn, url) {
  try {
    const r = await fetchFn(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!r.ok) return {};
    return flatten(await r.json());
  } catch {
    // Without its catalogue the module still works, showing keys.
    return {};
  }
}

/** Loads the ops catalogues of lang (and zh-CN for the fallback). */
export async function loadCatalogue(lang, { fetchFn = globalThis.fetch, base = '/i18n/' } = {}) {
  if (!LANGS.includes(lang)) lang = DEFAULT_LANG;
  const [msgs, fb] = await Promise.all([
    fetchJson(fetchFn, `${base}ops.${lang}.json`),
    lang === DEFAULT_LANG ? Promise.resolve({}) : fetchJson(fetchFn, `${base}ops.${DEFAULT_LANG}.json`),
  ]);
  setCatalogue(lang, msgs, fb);
}

/** Sets the catalogue directly (tests). */
export function setCatalogue(lang, msgs, fb = {}) {
  cat.lang = lang;
  cat.msgs = flatten(msgs);
  cat.fb = flatten(fb);
}

export function catalogueLang() {
  return cat.lang;
}

/** The ops text for key, else the console's. */
export function tr(key, params) {
  let s = cat.msgs[key];
  if (s === undefined) s = cat.fb[key];
  if (s !== undefined) return interpolate(s, params);
  return i18n().t(key, params);
}

/** Whether key has a text (ops or console). */
export function hasText(key) {
  return key in cat.msgs || key in cat.fb || i18n().t(key) !== key;
}
