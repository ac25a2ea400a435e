// quick — 快速报障: open an incident from a phone in seconds. Title, level
// and source are enough (the notice time is now, the assignee the engineer
// on duty); system, on-site need and a note are optional. Big touch
// targets, native radio buttons (arrow keys work), one column at 375 px.

import { h, mount, pageHeader, field, formErrorBox, clearErrors, setFieldError, showApiError, uid } from '../ui.js';
import { LEVELS, HAND_SOURCES } from './model.js';
import { clearOnInput } from './common.js';

/** The POST body from the form's values; [{field, key}] problems first. */
export function quickBody(v) {
  const errs = [];
  const title = String(v.title || '').trim();
  if (!title) errs.push({ field: 'title', key: 'ops.quick.need_title' });
  const level = Number(v.level);
  if (!LEVELS.includes(level)) errs.push({ field: 'level', key: 'ops.quick.need_level' });
  if (!v.source) errs.push({ field: 'source', key: 'ops.quick.need_source' });
  const body = { title, level, source: v.source };
  if (v.system) body.system = v.system;
  if (v.onsite_needed) body.onsite_needed = true;
  const note = String(v.note || '').trim();
  if (note) body.note = note;
  const reporter = String(v.reporter || '').trim();
  if (reporter) body.reporter = reporter;
  return { body, errs };
}

/** A group of big radio buttons: fieldset, legend, one label per choice. */
function choices({ name, legend, options, value, testid }) {
  const errId = uid(`${name}-err`);
  const set = h('fieldset', { class: 'field ops-choices', 'data-field': name, testid, 'aria-describedby': errId },
    h('legend', null, legend, h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')),
    h('div', { class: 'ops-choice-row' }, options.map((o) => {
      const id = uid(`${name}-${o.value}`);
      return h('div', { class: 'ops-choice' },
        h('input', { type: 'radio', id, name, value: String(o.value), checked: String(o.value) === String(value), testid: `${testid}-${o.value}` }),
        h('label', { for: id }, o.label, o.hint ? h('span', { class: 'ops-choice-hint' }, o.hint) : null));
    })),
    h('p', { class: 'field-error', id: errId, hidden: true }));
  return set;
}

export async function renderQuick(main, ctx) {
  const { tr, api, lang } = ctx;
  const title = field({ label: tr('ops.quick.what'), name: 'title', required: true, testid: 'quick-title', attrs: { maxlength: 200, autocomplete: 'off', placeholder: tr('ops.quick.what_ph'), enterkeyhint: 'next' } });
  const levelSet = choices({
    name: 'level', legend: tr('ops.inc.level'), value: 3, testid: 'quick-level',
    options: LEVELS.map((l) => ({ value: l, label: tr(`ops.level.${l}`) })),
  });
  const sourceSet = choices({
    name: 'source', legend: tr('ops.inc.source'), value: 'phone', testid: 'quick-source',
    options: HAND_SOURCES.map((s) => ({ value: s, label: tr(`ops.source.${s}`) })),
  });
  const system = field({ label: tr('ops.inc.system'), name: 'system', type: 'select', testid: 'quick-system', options: [{ value: '', label: tr('ops.quick.no_system') }] });
  const reporter = field({ label: tr('ops.quick.reporter'), name: 'reporter', testid: 'quick-reporter', hint: tr('ops.quick.reporter_hint'), attrs: { maxlength: 200, autocomplete: 'off' } });
  const onsite = field({ label: tr('ops.quick.onsite'), name: 'onsite_needed', type: 'checkbox', testid: 'quick-onsite' });
  const note = field({ label: tr('ops.quick.note'), name: 'note', type: 'textarea', testid: 'quick-note', attrs: { maxlength: 8192, rows: 3 } });
  const submit = h('button', { type: 'submit', class: 'primary ops-big', testid: 'quick-submit' }, tr('ops.quick.submit'));
  const form = h('form', { class: 'form ops-quick', novalidate: true, testid: 'quick-form' },
    formErrorBox(), title.wrap, levelSet, sourceSet, system.wrap, reporter.wrap, onsite.wrap, note.wrap, h('div', { class: 'actions' }, submit));
  mount(main, pageHeader(tr('ops.quick.title')), h('p', { class: 'muted' }, tr('ops.quick.intro')), form);

  // Level titles the desk is configured with (一级故障 …): a hint under each.
  api.get('/api/v1/incidents/levels', { signal: ctx.signal }).then((r) => {
    const defs = (r && r.levels) || {};
    for (const l of LEVELS) {
      const d = defs[l] || defs[String(l)];
      const lab = levelSet.querySelector(`input[value="${l}"] + label`);
      if (d && lab && (d.definition || d.title)) lab.appendChild(h('span', { class: 'ops-choice-hint' }, d.definition || d.title));
    }
  }).catch(() => null);
  api.get('/api/v1/systems', { signal: ctx.signal }).then((r) => {
    for (const s of (r && r.items) || []) system.input.appendChild(h('option', { value: s.name }, s.title ? `${s.title} (${s.name})` : s.name));
  }).catch(() => null);

  clearOnInput(form);

  const radioValue = (set) => {
    const c = set.querySelector('input:checked');
    return c ? c.value : '';
  };

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const { body, errs } = quickBody({
      title: title.input.value,
      level: radioValue(levelSet),
      source: radioValue(sourceSet),
      system: system.input.value,
      reporter: reporter.input.value,
      onsite_needed: onsite.input.checked,
      note: note.input.value,
    });
    if (errs.length) {
      for (const e of errs) setFieldError(form.querySelector(`[data-field="${e.field}"]`), tr(e.key));
      const first = form.querySelector(`[data-field="${errs[0].field}"] input, [data-field="${errs[0].field}"] select`);
      if (first) first.focus();
      return;
    }
    submit.disabled = true;
    try {
      const inc = await api.post('/api/v1/incidents', body, { signal: ctx.signal });
      ctx.toast(tr('ops.quick.done', { id: inc.id }));
      ctx.navigate(`/incidents/${inc.id}`);
    } catch (err) {
      if (err.name !== 'AbortError') showApiError(form, err, tr, lang);
    } finally {
      submit.disabled = false;
    }
  });
  title.input.focus();
  return undefined;
}
