// common — pieces the operations pages share: level tags, state badges,
// live SLA clock badges (a one-second ticker), modal forms, the live
// refresh of incident lists (server events when the console's stream
// carries them, else a background poll every 15 s).
//
// Built on the console's ui.js (createElement and text only, no markup from
// strings, no inline style). Importing this touches no DOM.

import { h, uid, field, formErrorBox, clearErrors, showApiError, setFieldError, describeError } from '../ui.js';
import { clockNow, clockTone, clockText, levelTone, INC_STATES } from './model.js';

export const POLL_MS = 15000;
/** With incident events seen on the stream, a slow safety poll only. */
export const POLL_LIVE_MS = 60000;

/** "{n}天" for the countdowns. */
export function dayText(tr) {
  return (n) => tr('ops.days', { n });
}

/** "一级" with the level's colour; a shape and the text, never colour alone. */
export function levelTag(level, tr, props = {}) {
  const l = Number(level);
  return h('span', { class: `ops-level ops-${levelTone(l)}`, 'data-level': String(l), ...props },
    h('span', { class: 'ops-level-mark', 'aria-hidden': 'true' }, String(l)),
    tr(`ops.level.${[1, 2, 3, 4].includes(l) ? l : 4}`));
}

/** An incident's state: colour, shape and text. */
export function incStateBadge(state, tr, props = {}) {
  const s = INC_STATES.includes(state) ? state : 'new';
  return h('span', { class: `badge ops-st ops-st-${s}`, 'data-state': s, ...props },
    h('span', { class: 'ops-shape', 'aria-hidden': 'true' }), tr(`ops.state.${s}`));
}

/**
 * A live clock badge: "响应 剩余 12:34" coloured by status (with its
 * status word for screen readers and a shape). Returns {el, update(now)}.
 */
export function clockBadge(name, clock, fetchedAt, tr, { short = false, testid } = {}) {
  const shape = h('span', { class: 'ops-shape', 'aria-hidden': 'true' });
  const label = h('span', { class: 'ops-clock-name' }, tr(`ops.clock.${name}`));
  const status = h('span', { class: 'ops-clock-status' });
  const text = h('span', { class: 'ops-clock-time' });
  const el = h('span', { class: 'badge ops-clock', 'data-clock': name, testid: testid || `clock-${name}` }, shape, label, status, text);
  const days = dayText(tr);
  let last = '';
  function update(now) {
    const v = clockNow(clock, fetchedAt, now);
    const tone = clockTone(v.status);
    const ct = clockText(v, days);
    const s = tr(`ops.clock.status.${v.status}`);
    const body = tr(ct.key, ct.params);
    const key = `${v.status}|${body}`;
    if (key === last) return v;
    last = key;
    el.className = `badge ops-clock ops-tone-${tone}${short ? ' ops-clock-short' : ''}`;
    el.dataset.status = v.status;
    // The status word is shown when the text does not already say it.
    status.textContent = ['running', 'warning', 'breached', 'paused'].includes(v.status) ? s : '';
    status.hidden = !status.textContent;
    text.textContent = body;
    return v;
  }
  update(Date.now());
  return { el, update };
}

/** One interval for every live countdown of a page: add(update) -> remove. */
export function createTicker(interval = 1000) {
  const fns = new Set();
  const timer = setInterval(() => {
    if (typeof document !== 'undefined' && document.hidden) return;
    const now = Date.now();
    for (const f of fns) {
      try {
        f(now);
      } catch (e) {
        console.error('ticker', e);
      }
    }
  }, interval);
  return {
    add(fn) {
      fns.add(fn);
      return () => fns.delete(fn);
    },
    clear() {
      fns.clear();
    },
    stop() {
      clearInterval(timer);
      fns.clear();
    },
  };
}

// Whether the console's stream has been heard carrying incident events: then
// the poll slows down to a safety net.
let liveIncidents = false;

/**
 * Keeps a page's incident data fresh: calls refresh() on every incident
 * event of the stream (gathered for a moment), after a reconnection, and on
 * a background poll (15 s, or 60 s once the stream has shown it carries
 * incident events). onEvent(ev) sees each event first (the page may want
 * only some ids). Returns stop().
 */
export function keepFresh(ctx, refresh, { onEvent } = {}) {
  let timer = null;
  let soon = null;
  let busy = false;
  const run = async () => {
    if (busy) return;
    busy = true;
    try {
      await refresh();
    } catch (e) {
      if (!(e && e.name === 'AbortError')) console.warn('refresh', e);
    } finally {
      busy = false;
    }
  };
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (typeof document === 'undefined' || !document.hidden) await run();
      schedule();
    }, liveIncidents ? POLL_LIVE_MS : POLL_MS);
  };
  const offs = [];
  if (ctx.live && typeof ctx.live.on === 'function') {
    offs.push(ctx.live.on('incident', (ev) => {
      liveIncidents = true;
      if (onEvent && onEvent(ev) === false) return;
      clearTimeout(soon);
      soon = setTimeout(run, 300);
    }));
    offs.push(ctx.live.on('reconnected', () => run()));
  }
  schedule();
  return () => {
    clearTimeout(timer);
    clearTimeout(soon);
    for (const off of offs) off();
  };
}

/** Dialogs live on <body>: a page left while one is open closes it. */
export function closeDialogs() {
  if (typeof document === 'undefined') return;
  for (const d of document.querySelectorAll('dialog.ops-dialog')) d.remove();
}

/**
 * A modal form: title, fields (from ui.field or nodes), a submit button.
 * onSubmit(form) does the work and returns true to close; it may throw an
 * API error, shown next to its field (or in the form's box). Resolves with
 * whether it was submitted. Esc and the cancel button close it.
 */
export function formDialog({ title, intro, fields, submit, cancel, onSubmit, danger = false, testid = 'ops-dialog', t, lang }) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const errBox = formErrorBox();
    const ok = h('button', { type: 'submit', class: danger ? 'primary danger' : 'primary', testid: `${testid}-submit` }, submit);
    const no = h('button', { type: 'button', testid: `${testid}-cancel` }, cancel);
    const form = h('form', { class: 'form ops-dialog-form', novalidate: true }, h('h2', { id: titleId }, title),
      intro ? h('p', { class: 'muted' }, intro) : null, errBox, fields, h('div', { class: 'actions' }, no, ok));
    const dlg = h('dialog', { class: 'dialog ops-dialog', 'aria-labelledby': titleId, testid }, form);
    clearOnInput(form);
    let done = false;
    const close = (v) => {
      if (done) return;
      done = true;
      if (dlg.open) dlg.close();
      dlg.remove();
      resolve(v);
    };
    no.addEventListener('click', () => close(false));
    dlg.addEventListener('cancel', (ev) => {
      ev.preventDefault();
      close(false);
    });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      ok.disabled = true;
      try {
        const r = await onSubmit(form);
        if (r !== false) close(true);
      } catch (err) {
        if (err && err.name === 'AbortError') return close(false);
        if (err && err.local) {
          const w = form.querySelector(`[data-field="${err.field}"]`);
          if (w) {
            setFieldError(w, err.message);
            const i = w.querySelector('input, select, textarea');
            if (i) i.focus();
          }
        } else showApiError(form, err, t, lang);
      } finally {
        ok.disabled = false;
      }
    });
    document.body.appendChild(dlg);
    dlg.showModal();
    const first = form.querySelector('input:not([type=hidden]), select, textarea');
    (first || ok).focus();
  });
}

/** A field's error goes as soon as the field is touched again. */
export function clearOnInput(form) {
  const clear = (ev) => {
    const w = ev.target && ev.target.closest && ev.target.closest('[data-field]');
    if (w) setFieldError(w, '');
  };
  form.addEventListener('input', clear);
  form.addEventListener('change', clear);
  return form;
}

/** An error for a form field found before sending (shown like the server's). */
export function localError(fieldName, message) {
  const e = new Error(message);
  e.local = true;
  e.field = fieldName;
  return e;
}

/** Re-exported for the pages: the same field helper as the console. */
export { field, describeError };

/** A page's section with its heading (aria-labelledby). */
export function section(title, body, { testid, cls = 'card', actions } = {}) {
  const id = uid('sec');
  return h('section', { class: cls, 'aria-labelledby': id, testid },
    h('div', { class: 'section-head' }, h('h2', { id }, title), actions || null),
    body);
}

/** The operations module's tabs (notify pages): links, the current one marked. */
export function tabs(items, current, label) {
  return h('nav', { class: 'ops-tabs', 'aria-label': label },
    h('ul', null, items.map((i) => h('li', null,
      h('a', { href: i.href, testid: i.testid, 'aria-current': i.href === current ? 'page' : null }, i.label)))));
}
