// Small DOM helpers shared by the administration pages.
//
// Everything is built with createElement and textContent: no markup is ever
// parsed from data (names, audit images and server messages are text), and
// nothing sets an inline style, so the console's strict CSP holds.

import * as I18N from '../i18n.js';

let cssLoaded = false;

// Names that are attributes only (the same-named property is read-only or another thing).
const ATTRIBUTES = new Set(['list', 'form', 'role', 'tabindex', 'scope', 'inputmode']);

/** Adds the administration stylesheet once (a <link> from 'self' is allowed by the CSP). */
export function loadCss() {
  if (cssLoaded || typeof document === 'undefined') return;
  cssLoaded = true;
  if (document.querySelector('link[data-yw-admin]')) return;
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/app/admin/admin.css';
  link.setAttribute('data-yw-admin', '');
  document.head.appendChild(link);
}

/**
 * h('button', {class: 'x', type: 'button', onclick: fn, 'aria-label': '…'}, 'text', child…)
 * Props: class, text, for (htmlFor), testid (data-testid, what the browser
 * tests look for), on* functions (listeners), dataset (object),
 * attributes with a dash (aria-*, data-*), anything else as a property when
 * the element has it, else as an attribute. Children: nodes, strings (as
 * text), arrays, null/false/undefined (skipped).
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = String(v);
      else if (k === 'for') el.htmlFor = v;
      else if (k === 'testid') el.setAttribute('data-testid', v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k.includes('-') || ATTRIBUTES.has(k)) el.setAttribute(k, v === true ? '' : String(v));
      else if (k in el) el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

let seq = 0;
export function uid(prefix = 'adm') {
  seq += 1;
  return `${prefix}-${seq}`;
}

/** The console's language ("zh-CN" or "en"). */
export function lang() {
  const cur = typeof I18N.i18n === 'function' ? I18N.i18n() : null;
  if (cur && cur.lang) return cur.lang;
  return (typeof document !== 'undefined' && document.documentElement.lang) || 'zh-CN';
}

/** A server message "中文 / English" reduced to the console's language. */
export function localMessage(message) {
  if (typeof message !== 'string') return '';
  if (typeof I18N.pickLang === 'function') return I18N.pickLang(message, lang());
  const i = message.indexOf(' / ');
  if (i < 0 || !/[\u3400-\u9fff]/.test(message.slice(0, i))) return message;
  return lang() === 'en' ? message.slice(i + 3) : message.slice(0, i);
}

/** A server time (RFC 3339) in the display zone, locale-formatted; '—' when absent. */
export function fmtTime(v) {
  if (!v) return '—';
  const cur = typeof I18N.i18n === 'function' ? I18N.i18n() : null;
  if (cur && typeof cur.formatDateTime === 'function') return cur.formatDateTime(v);
  // The server already writes its display zone: show its wall clock as is.
  return String(v).replace('T', ' ').replace(/\.\d+/, '').replace(/([+-]\d\d:\d\d|Z)$/, '');
}

/**
 * A labelled form control with a hint and an error slot under it:
 *   field({name, label, input, hint}) -> <div class="adm-field" data-field=name>
 * The error slot is announced (aria-live) and tied to the control with
 * aria-describedby, so that a screen reader reads the error with the field.
 */
export function field({ name, label, input, hint, wide }) {
  const id = input.id || uid('f');
  input.id = id;
  if (name && !input.name) input.name = name;
  const errId = `${id}-err`;
  const described = [];
  let hintEl = null;
  if (hint) {
    hintEl = h('small', { class: 'adm-hint', id: `${id}-hint`, text: hint });
    described.push(hintEl.id);
  }
  const err = h('p', { class: 'adm-error', id: errId, 'aria-live': 'polite', hidden: true });
  described.push(errId);
  input.setAttribute('aria-describedby', described.join(' '));
  const isCheck = input.type === 'checkbox' || input.type === 'radio';
  const lab = h('label', { for: id, text: label });
  return h('div', { class: `adm-field${isCheck ? ' adm-field-check' : ''}${wide ? ' adm-wide' : ''}`, dataset: { field: name || '' } },
    isCheck ? [input, lab] : [lab, input], hintEl, err);
}

/** A group of checkboxes (roles) as one field named name. */
export function checkGroup({ name, legend, options, checked = [], hint, disabled }) {
  const id = uid('g');
  const errId = `${id}-err`;
  const boxes = options.map((o) => {
    const cb = h('input', { type: 'checkbox', value: o.value, id: uid('cb'), checked: checked.includes(o.value), disabled: !!disabled });
    return h('label', { class: 'adm-check', for: cb.id }, cb, h('span', { text: o.label }));
  });
  const err = h('p', { class: 'adm-error', id: errId, 'aria-live': 'polite', hidden: true });
  const fs = h('fieldset', { class: 'adm-field adm-checks', dataset: { field: name }, 'aria-describedby': errId },
    h('legend', { text: legend }), h('div', { class: 'adm-check-row' }, boxes),
    hint ? h('small', { class: 'adm-hint', text: hint }) : null, err);
  fs.values = () => boxes.map((l) => l.querySelector('input')).filter((c) => c.checked).map((c) => c.value);
  return fs;
}

/** Clears every error shown in root. */
export function clearErrors(root) {
  for (const e of root.querySelectorAll('.adm-error')) {
    e.textContent = '';
    e.hidden = true;
  }
  for (const e of root.querySelectorAll('[aria-invalid]')) e.removeAttribute('aria-invalid');
}

/** The text to show for an error thrown by ctx.api (or anything else). */
export function errorText(ctx, err) {
  if (!err) return '';
  if (err.message && typeof err.message === 'string') {
    let m = localMessage(err.message);
    // "name: must not be empty" shows under the field "name": the prefix is noise there.
    if (err.field && m.startsWith(`${err.field}: `)) m = m.slice(err.field.length + 2);
    return m;
  }
  if (err.code) return ctx.t(`admin.error.${err.code}`);
  return String(err);
}

/**
 * Shows err next to the field it names (data-field inside root), else in
 * root's form-level error slot (.adm-form-error). Focuses the field.
 */
export function showError(ctx, root, err) {
  clearErrors(root);
  const text = errorText(ctx, err) || ctx.t('admin.error.internal');
  let slot = null;
  if (err && err.field) {
    const f = root.querySelector(`[data-field="${cssEscape(err.field)}"]`);
    if (f) {
      slot = f.querySelector('.adm-error');
      const input = f.querySelector('input, select, textarea');
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    }
  }
  if (!slot) slot = root.querySelector('.adm-form-error');
  if (!slot) {
    slot = h('p', { class: 'adm-error adm-form-error', 'aria-live': 'polite' });
    root.appendChild(slot);
  }
  slot.textContent = text;
  slot.hidden = false;
  return slot;
}

/** Shows a message under one field (client-side checks). */
export function fieldError(root, name, text) {
  const f = root.querySelector(`[data-field="${cssEscape(name)}"]`);
  if (!f) return;
  const slot = f.querySelector('.adm-error');
  slot.textContent = text;
  slot.hidden = false;
  const input = f.querySelector('input, select, textarea');
  if (input) input.setAttribute('aria-invalid', 'true');
}

function cssEscape(s) {
  return typeof CSS !== 'undefined' && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
}

/** A form-level error slot (put one in every form). */
export function formError() {
  return h('p', { class: 'adm-error adm-form-error', 'aria-live': 'polite', hidden: true });
}

/** A status line (role=status) for "saved" and the like. */
export function statusLine() {
  return h('p', { class: 'adm-status', role: 'status', 'aria-live': 'polite' });
}

export function flash(el, text, kind = 'ok') {
  el.textContent = text;
  el.className = `adm-status adm-${kind}`;
}

/**
 * A modal dialog (<dialog>, keyboard and focus handled by the browser).
 * buttons: [{value, label, kind}] -> resolves with the value of the button
 * pressed, or null on Escape. onsubmit(value, dialog) may be async and
 * return false to keep the dialog open (to show an error in it).
 */
export function modal(ctx, { title, body = [], buttons, onsubmit, labelledBy }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const form = h('form', { method: 'dialog', class: 'adm-dialog-form', novalidate: true });
    const err = formError();
    const btns = (buttons || [{ value: 'ok', label: ctx.t('admin.common.close'), kind: 'primary' }]).map((b) =>
      h('button', { type: b.value === 'cancel' ? 'button' : 'submit', value: b.value, testid: `admin-dialog-${b.value}`, class: `adm-btn${b.kind ? ` adm-btn-${b.kind}` : ''}`, text: b.label,
        onclick: b.value === 'cancel' ? () => done(null) : null }));
    append(form, [h('h2', { id: titleId, class: 'adm-dialog-title', text: title }), body, err, h('div', { class: 'adm-actions' }, btns)]);
    const dlg = h('dialog', { class: 'adm-dialog', 'aria-labelledby': labelledBy || titleId, testid: 'admin-dialog' }, form);
    let finished = false;
    function done(v) {
      if (finished) return;
      finished = true;
      if (dlg.open) dlg.close();
      dlg.remove();
      resolve(v);
    }
    dlg.addEventListener('cancel', (e) => {
      e.preventDefault();
      done(null);
    });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const v = (e.submitter && e.submitter.value) || 'ok';
      if (onsubmit) {
        for (const b of btns) b.disabled = true;
        let keep = false;
        try {
          keep = (await onsubmit(v, form)) === false;
        } catch (x) {
          showError(ctx, form, x);
          keep = true;
        }
        for (const b of btns) b.disabled = false;
        if (keep) return;
      }
      done(v);
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    const first = form.querySelector('input:not([readonly]), select, textarea') || btns[btns.length - 1];
    if (first) first.focus();
  });
}

/** Asks for confirmation; resolves true when confirmed. */
export async function confirmDialog(ctx, { title, text, ok, danger, action }) {
  const v = await modal(ctx, {
    title,
    body: text ? [h('p', { text })] : [],
    buttons: [
      { value: 'cancel', label: ctx.t('admin.common.cancel') },
      { value: 'ok', label: ok || ctx.t('admin.common.confirm'), kind: danger ? 'danger' : 'primary' },
    ],
    onsubmit: action ? async (val, form) => {
      if (val !== 'ok') return true;
      try {
        await action();
        return true;
      } catch (x) {
        showError(ctx, form, x);
        return false;
      }
    } : null,
  });
  return v === 'ok';
}

/**
 * A secret shown once (a one-time password or an API token): a read-only
 * field with a copy button and the warning that it will not be shown again.
 */
export function secretBox(ctx, { label, value, warn }) {
  const input = h('input', { type: 'text', readOnly: true, value, class: 'adm-secret', spellcheck: false, autocomplete: 'off', testid: 'admin-secret' });
  const done = h('span', { class: 'adm-copied', role: 'status', 'aria-live': 'polite' });
  const copy = h('button', {
    type: 'button',
    class: 'adm-btn',
    testid: 'admin-copy',
    text: ctx.t('admin.common.copy'),
    onclick: async () => {
      let ok = false;
      try {
        if (navigator.clipboard && window.isSecureContext) {
          await navigator.clipboard.writeText(value);
          ok = true;
        }
      } catch {
        ok = false;
      }
      if (!ok) {
        input.select();
        try {
          ok = document.execCommand('copy');
        } catch {
          ok = false;
        }
      }
      done.textContent = ok ? ctx.t('admin.common.copied') : ctx.t('admin.common.copy_failed');
    },
  });
  const f = field({ name: 'secret', label, input });
  return h('div', { class: 'adm-secret-box' }, h('p', { class: 'adm-warn', text: warn }), f, h('div', { class: 'adm-actions adm-actions-left' }, copy, done));
}

/** A page heading with an optional intro paragraph. */
export function pageHead(title, intro) {
  // data-page-title: the shell moves the focus there after a navigation.
  return h('header', { class: 'adm-head' }, h('h1', { text: title, tabindex: '-1', 'data-page-title': '' }), intro ? h('p', { class: 'adm-intro', text: intro }) : null);
}

/** A table whose cells carry their column title (data-label): narrow screens show rows as cards. */
export function table({ caption, columns, rows, empty, className, testid }) {
  const thead = h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col', text: c.label, class: c.class }))));
  const tbody = h('tbody');
  for (const r of rows) {
    const tr = h('tr', r.attrs || null);
    columns.forEach((c, i) => {
      const v = r.cells[i];
      const td = h('td', { dataset: { label: c.label }, class: c.class });
      append(td, [v === undefined || v === null || v === '' ? '—' : v]);
      tr.appendChild(td);
    });
    tbody.appendChild(tr);
  }
  const tbl = h('table', { class: `adm-table${className ? ` ${className}` : ''}`, testid }, caption ? h('caption', { class: 'adm-sr', text: caption }) : null, thead, tbody);
  if (!rows.length) return h('div', { class: 'adm-table-wrap' }, tbl, h('p', { class: 'adm-empty', text: empty }));
  return h('div', { class: 'adm-table-wrap' }, tbl);
}

export function badge(text, kind = '') {
  return h('span', { class: `adm-badge${kind ? ` adm-badge-${kind}` : ''}`, text });
}

export function button(text, onclick, { kind, label, disabled, testid } = {}) {
  return h('button', { type: 'button', class: `adm-btn${kind ? ` adm-btn-${kind}` : ''}`, text, onclick, 'aria-label': label, disabled: !!disabled, testid });
}

/** Whether the session may perform action (deny by default). */
export function can(ctx, action) {
  if (ctx && typeof ctx.can === 'function') return Boolean(ctx.can(action));
  const acts = ctx && ctx.session && ctx.session.actions;
  return Array.isArray(acts) && acts.includes(action);
}

/** A loading line, replaced by the page once its data is in. */
export function loading(ctx) {
  return h('p', { class: 'adm-loading', role: 'status', text: ctx.t('admin.common.loading') });
}

/** A page-level load failure. */
export function loadFailed(ctx, main, err) {
  clear(main);
  main.appendChild(h('div', { class: 'adm-page' },
    h('p', { class: 'adm-error adm-form-error', role: 'alert', text: `${ctx.t('admin.error.load')}: ${errorText(ctx, err)}` })));
}
