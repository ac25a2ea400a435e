// ui — small DOM helpers. Elements are built with createElement and text
// nodes, never from HTML strings: names, titles and reasons come from
// monitored systems and users, and must never be read as markup. (The CSP
// forbids inline script anyway; this keeps even markup injection out.)
//
// Only functions here: importing this module touches no DOM, so Node can
// import every page for the unit tests.

import { fieldRoot, stripField, stateOf } from './model.js';
import { pickLang } from './i18n.js';

const BOOL_PROPS = new Set(['hidden', 'disabled', 'required', 'checked', 'selected', 'multiple', 'readOnly', 'autofocus', 'open']);
const VALUE_PROPS = new Set(['value', 'min', 'max', 'step']);

/**
 * h("a", {href, class, text, testid, onclick, "aria-label"…}, ...children).
 * children: strings and numbers become text, arrays are flattened, null and
 * false are skipped. "style" takes an object (CSSOM writes are allowed by the
 * CSP where a style attribute is not).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class' || k === 'className') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
      else if (BOOL_PROPS.has(k)) el[k] = Boolean(v);
      else if (VALUE_PROPS.has(k) && tag !== 'a') el[k] = String(v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false || c === true) continue;
    if (Array.isArray(c)) append(el, c);
    else if (typeof c === 'string' || typeof c === 'number') el.appendChild(document.createTextNode(String(c)));
    else el.appendChild(c);
  }
  return el;
}

export function clear(el) {
  el.replaceChildren();
  return el;
}

export function mount(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

let seq = 0;
export function uid(prefix = 'f') {
  seq += 1;
  return `${prefix}-${seq}`;
}

/** The page heading: focusable so that navigation can move focus to it. */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-head' },
    h('h1', { tabindex: '-1', 'data-page-title': '' }, title),
    actions.length ? h('div', { class: 'page-actions' }, actions) : null);
}

export function link(href, text, props = {}) {
  return h('a', { href, ...props }, text);
}

export function button(text, onclick, props = {}) {
  return h('button', { type: 'button', onclick, ...props }, text);
}

/** A state badge: colour AND text (and a shape per state), never colour alone. */
export function stateBadge(state, t, props = {}) {
  const s = stateOf(state);
  return h('span', { class: `badge state-${s}`, 'data-state': s, ...props },
    h('span', { class: 'shape', 'aria-hidden': 'true' }), t(`state.${s}`));
}

/** A labelled form control with its hint and an error slot under it. */
export function field({ label, name, type = 'text', value, required, hint, options, attrs = {}, testid, control }) {
  const id = uid(`f-${name}`);
  const hintId = hint ? `${id}-hint` : null;
  const errId = `${id}-err`;
  let input;
  const describedby = [hintId, errId].filter(Boolean).join(' ');
  if (control) {
    input = control;
    input.id = id;
  } else if (type === 'select') {
    input = h('select', { id, name, required, 'aria-describedby': describedby, ...attrs },
      (options || []).map((o) => h('option', { value: o.value }, o.label)));
    if (value !== undefined && value !== null) input.value = String(value);
  } else if (type === 'textarea') {
    input = h('textarea', { id, name, required, 'aria-describedby': describedby, rows: 3, ...attrs });
    input.value = value ?? '';
  } else if (type === 'checkbox') {
    input = h('input', { id, name, type, checked: Boolean(value), 'aria-describedby': describedby, ...attrs });
  } else {
    input = h('input', { id, name, type, required, 'aria-describedby': describedby, ...attrs });
    if (value !== undefined && value !== null) input.value = String(value);
  }
  if (testid) input.setAttribute('data-testid', testid);
  const lab = h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
  const err = h('p', { class: 'field-error', id: errId, hidden: true });
  const wrap = type === 'checkbox'
    ? h('div', { class: 'field field-check', 'data-field': name }, input, lab, hint ? h('p', { class: 'hint', id: hintId }, hint) : null, err)
    : h('div', { class: 'field', 'data-field': name }, lab, input, hint ? h('p', { class: 'hint', id: hintId }, hint) : null, err);
  return { wrap, input, err };
}

/** Shows message under the field wrap (or clears it when message is empty). */
export function setFieldError(wrap, message) {
  const err = wrap.querySelector('.field-error');
  const input = wrap.querySelector('input, select, textarea');
  if (!err) return;
  err.textContent = message || '';
  err.hidden = !message;
  if (input) {
    if (message) input.setAttribute('aria-invalid', 'true');
    else input.removeAttribute('aria-invalid');
  }
}

export function clearErrors(form) {
  for (const w of form.querySelectorAll('[data-field]')) setFieldError(w, '');
  const box = form.querySelector('[data-form-error]');
  if (box) {
    box.textContent = '';
    box.hidden = true;
  }
}

/** A form-level error box (role=alert), hidden until used. */
export function formErrorBox() {
  return h('div', { class: 'error-box', role: 'alert', 'data-form-error': '', 'data-testid': 'form-error', hidden: true });
}

export function showFormError(form, message) {
  const box = form.querySelector('[data-form-error]');
  if (!box) return;
  box.textContent = message;
  box.hidden = !message;
}

/**
 * The text to show for an error: the catalogue's for codes that say enough
 * by themselves, the server's own (in the current language) for validation
 * and conflicts, which name the exact problem.
 */
export function describeError(err, t, lang) {
  if (!err) return '';
  // A taken name is the one conflict a form meets every day: say it in
  // the user's language rather than the server's English.
  const taken = err.code === 'conflict' && err.field === 'name' && /"([^"]{1,100})"/.exec(err.message || '');
  if (taken) return t('error.name_taken', { name: taken[1] });
  const own = err.message ? pickLang(stripField(err.message, err.field), lang) : '';
  const specific = ['invalid', 'conflict', 'bad_totp', 'not_found'];
  if (specific.includes(err.code) && own) return own;
  const key = `error.${err.code}`;
  const s = t(key);
  if (s !== key) return s;
  return own || t('error.unknown', { status: err.status });
}

/**
 * Shows an API error on a form: next to its field when the error names one
 * the form has, else in the form's error box. Focuses the field.
 */
export function showApiError(form, err, t, lang) {
  const msg = describeError(err, t, lang);
  const root = fieldRoot(err && err.field);
  // Several type-specific fieldsets may have a field of that name: the
  // visible one is meant.
  const wrap = root ? [...form.querySelectorAll(`[data-field="${cssEscape(root)}"]`)].find((w) => !w.closest('[hidden]')) : null;
  if (wrap) {
    setFieldError(wrap, msg);
    const input = wrap.querySelector('input, select, textarea');
    if (input) input.focus();
    return;
  }
  showFormError(form, msg);
}

function cssEscape(s) {
  return String(s).replace(/[^A-Za-z0-9_-]/g, (c) => `\\${c}`);
}

export function loading(t) {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

export function errorBox(err, t, lang) {
  return h('div', { class: 'error-box', role: 'alert', testid: 'page-error' }, describeError(err, t, lang));
}

export function empty(text) {
  return h('p', { class: 'empty' }, text);
}

/**
 * A table that turns into stacked cards on a phone (each cell carries its
 * column's label in data-label for the CSS). columns: [{label, render(row),
 * class}]; rows: array.
 */
export function table({ columns, rows, caption, testid, rowProps }) {
  const thead = h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', class: c.class }, c.label))));
  const tbody = h('tbody');
  const frag = document.createDocumentFragment();
  for (const row of rows) {
    const tr = h('tr', rowProps ? rowProps(row) : null);
    for (const c of columns) {
      const v = c.render(row);
      // One wrapper per cell: on a phone the cell is a two-column grid
      // (label, content), and the content must stay one grid item.
      tr.appendChild(h('td', { 'data-label': c.label, class: c.class }, h('div', { class: 'cell' }, v)));
    }
    frag.appendChild(tr);
  }
  tbody.appendChild(frag);
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'data', testid }, caption ? h('caption', { class: 'sr-only' }, caption) : null, thead, tbody));
}

/** Buttons of which one is chosen (aria-pressed), in a labelled group. */
export function segmented({ label, options, value, onChange, testid }) {
  const group = h('div', { class: 'segmented', role: 'group', 'aria-label': label, testid });
  const set = (v) => {
    for (const b of group.children) b.setAttribute('aria-pressed', String(b.dataset.value === String(v)));
  };
  for (const o of options) {
    group.appendChild(h('button', {
      type: 'button', 'data-value': o.value, 'aria-pressed': String(String(o.value) === String(value)),
      testid: o.testid,
      onclick: () => {
        set(o.value);
        onChange(o.value);
      },
    }, o.label));
  }
  return group;
}

/** A definition list from [[term, value], …]; value may be a node. */
export function dl(pairs, cls = 'facts') {
  return h('dl', { class: cls }, pairs.filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}

/** Announces text to screen readers through the shell's polite live region. */
export function announce(text) {
  const r = document.getElementById('live-region');
  if (!r) return;
  r.textContent = '';
  // A change after a tick is read out even when the text repeats.
  setTimeout(() => {
    r.textContent = text;
  }, 50);
}

/** A message at the bottom of the screen for a few seconds. */
export function toast(text, kind = 'ok') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
  box.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/**
 * Asks for confirmation in a modal <dialog> (keyboard: Esc cancels, focus
 * stays inside). Resolves true when confirmed.
 */
export function confirmDialog({ title, message, confirm, cancel, danger = false }) {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'submit', value: 'ok', class: danger ? 'danger' : 'primary', testid: 'confirm-ok' }, confirm);
    const no = h('button', { type: 'submit', value: 'cancel', testid: 'confirm-cancel' }, cancel);
    const titleId = uid('dlg');
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': titleId, testid: 'confirm-dialog' },
      h('form', { method: 'dialog' },
        h('h2', { id: titleId }, title),
        message ? h('p', null, message) : null,
        h('div', { class: 'actions' }, no, ok)));
    document.body.appendChild(dlg);
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok');
      dlg.remove();
    });
    dlg.showModal();
    no.focus();
  });
}

/** A button that copies text, saying so when done. */
export function copyButton(text, t, props = {}) {
  const b = h('button', { type: 'button', class: 'small', ...props }, t('common.copy'));
  b.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(text);
      b.textContent = t('common.copied');
    } catch {
      b.textContent = t('common.copy_failed');
    }
    setTimeout(() => {
      b.textContent = t('common.copy');
    }, 2000);
  });
  return b;
}

/** Runs fn over items with at most n at once; fn's failures are ignored. */
export async function eachLimited(items, n, fn) {
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const item = items[i++];
      try {
        await fn(item);
      } catch {
        /* one failed fetch leaves one blank, not the page */
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
