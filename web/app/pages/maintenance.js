// maintenance — windows during which outages do not count: the list, a
// month calendar, and the form for one-off and recurring windows.
//
// Times in the form are in the window's zone, which is the display zone
// (Asia/Shanghai) unless the window names another; the server reads
// "YYYY-MM-DD HH:MM" in that zone.

import { h, mount, pageHeader, stateBadge, table, loading, errorBox, empty, button, confirmDialog, describeError, field, formErrorBox, clearErrors, setFieldError, showApiError, segmented, uid } from '../ui.js';
import { RECURRENCES, WEEKDAYS, NAME_RE } from '../model.js';
import { createI18n } from '../i18n.js';
import { monthGrid, occurrences, shiftMonth } from '../calendar.js';

/** When a window happens, in one line: "每周日 02:00–04:00". */
export function describeWhen(w, t, fmt) {
  const span = `${w.start}–${w.end}${w.end <= w.start ? t('maint.next_day') : ''}`;
  switch (w.recurrence) {
    case 'once':
      return `${fmt.formatDateTime(w.start, { seconds: false })} – ${fmt.formatDateTime(w.end, { seconds: false })}`;
    case 'daily':
      return t('maint.when_daily', { span });
    case 'weekly':
      return t('maint.when_weekly', { day: t(`weekday.${String(w.day).toLowerCase()}`), span });
    case 'monthly':
      return w.day === 'last' || w.day === -1 ? t('maint.when_monthly_last', { span }) : t('maint.when_monthly', { day: w.day, span });
    default:
      return '—';
  }
}

/** The status of a window now: active, planned (has a next), or over. */
export function windowStatus(w) {
  if (w.active) return 'active';
  if (w.next) return 'planned';
  return 'over';
}

function scopeText(w, sysTitle) {
  const parts = [];
  for (const s of w.systems || []) parts.push(sysTitle.get(s) || s);
  for (const m of w.monitors || []) parts.push(m);
  return parts.join('、') || '—';
}

export async function renderList(main, ctx) {
  const { t, api, fmt, lang, live, query } = ctx;
  let view = query.view === 'calendar' ? 'calendar' : 'list';
  const today = fmt.dayKey(new Date());
  let ym = /^\d{4}-\d{2}$/.test(query.month || '') ? { year: Number(query.month.slice(0, 4)), month: Number(query.month.slice(5)) } : { year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) };
  let windows = [];
  let sysTitle = new Map();
  const canWrite = ctx.can('maint.write');

  const body = h('div', { testid: 'maint-body' }, loading(t));
  const toggle = segmented({
    label: t('maint.view'),
    value: view,
    testid: 'maint-view',
    options: [{ value: 'list', label: t('maint.view_list'), testid: 'maint-view-list' }, { value: 'calendar', label: t('maint.view_calendar'), testid: 'maint-view-calendar' }],
    onChange: (v) => {
      view = v;
      sync();
      draw();
    },
  });
  mount(main,
    pageHeader(t('nav.maintenance'), canWrite ? h('a', { href: '/maintenance/new', class: 'button primary', testid: 'new-maint' }, t('maint.new')) : null),
    h('p', { class: 'muted' }, t('maint.intro')),
    toggle, body);

  function sync() {
    ctx.setQuery({ view: view === 'calendar' ? 'calendar' : '', month: view === 'calendar' ? `${ym.year}-${String(ym.month).padStart(2, '0')}` : '' });
  }

  async function remove(w) {
    const ok = await confirmDialog({ title: t('maint.delete_q', { name: w.title || w.name }), message: t('maint.delete_text'), confirm: t('common.delete'), cancel: t('common.cancel'), danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/v1/maintenance/${w.id}`, { signal: ctx.signal });
      ctx.toast(t('maint.deleted', { name: w.title || w.name }));
      await load();
    } catch (err) {
      if (err.name !== 'AbortError') ctx.toast(describeError(err, t, lang), 'error');
    }
  }

  function statusBadge(w) {
    const st = windowStatus(w);
    if (st === 'active') return stateBadge('maintenance', t, { testid: 'maint-active' });
    return h('span', { class: `badge maint-${st}` }, h('span', { class: 'shape', 'aria-hidden': 'true' }), t(`maint.status_${st}`));
  }

  function drawList() {
    if (!windows.length) return mount(body, empty(t('maint.none')));
    const rows = windows.slice().sort((a, b) => (b.active - a.active) || String((a.next && a.next.start) || '~').localeCompare(String((b.next && b.next.start) || '~')));
    mount(body, table({
      testid: 'maint-table',
      caption: t('nav.maintenance'),
      rowProps: (w) => ({ 'data-window': w.name, 'data-status': windowStatus(w) }),
      columns: [
        { label: t('common.state'), render: statusBadge },
        { label: t('maint.name'), render: (w) => [h('span', { class: 'strong' }, w.title || w.name), w.title ? h('div', { class: 'muted small mono' }, w.name) : null] },
        { label: t('maint.scope'), render: (w) => scopeText(w, sysTitle) },
        { label: t('maint.when'), render: (w) => [describeWhen(w, t, fmt), w.zone && w.zone !== fmt.zone ? h('div', { class: 'muted small' }, w.zone) : null] },
        { label: t('maint.next'), render: (w) => (w.next ? `${fmt.formatDateTime(w.next.start, { seconds: false })} – ${fmt.formatTime(w.next.end)}` : '—') },
        { label: t('monitor.source'), render: (w) => (w.provisioned ? t('monitor.provisioned') : t('monitor.from_console')) },
        canWrite ? {
          label: t('common.actions'),
          render: (w) => (w.provisioned ? '—' : h('div', { class: 'row-actions' },
            h('a', { href: `/maintenance/${w.id}/edit`, class: 'button small', testid: `edit-maint-${w.name}` }, t('common.edit')),
            button(t('common.delete'), () => remove(w), { class: 'small danger', testid: `delete-maint-${w.name}` }))),
        } : null,
      ].filter(Boolean),
      rows,
    }));
    return undefined;
  }

  function drawCalendar() {
    const weeks = monthGrid(ym.year, ym.month);
    const days = weeks.flat().map((d) => d.day);
    const byDay = new Map();
    for (const w of windows) {
      // A window's times are in its own zone; the calendar is in the display
      // zone. Once windows (instants) are converted; recurring ones keep their
      // wall-clock times, with the zone named when it differs.
      const occ = occurrences(w, days, { dayOf: (x) => fmt.dayKey(x), clockOf: (x) => fmt.clockKey(x) });
      for (const [d, list] of occ) {
        if (!byDay.has(d)) byDay.set(d, []);
        byDay.get(d).push(...list);
      }
    }
    const names = fmt.weekdayNames();
    const label = (o) => {
      const w = o.window;
      const time = o.cont ? (o.end ? `–${o.end}` : t('maint.all_day')) : `${o.start}${o.end ? '–' + o.end : '–'}${o.nextDay ? t('maint.next_day') : ''}`;
      return `${time} ${w.title || w.name}`;
    };
    const chip = (o) => h('li', { class: ['chip', o.window.active ? 'chip-active' : null], 'data-window': o.window.name },
      canWrite && !o.window.provisioned ? h('a', { href: `/maintenance/${o.window.id}/edit` }, label(o)) : label(o));
    const grid = h('table', { class: 'calendar', testid: 'maint-calendar' },
      h('caption', { class: 'sr-only' }, fmt.formatMonth(ym.year, ym.month)),
      h('thead', null, h('tr', null, names.map((n) => h('th', { scope: 'col' }, n)))),
      h('tbody', null, weeks.map((week) => h('tr', null, week.map((d) => {
        const list = byDay.get(d.day) || [];
        return h('td', { class: [d.inMonth ? null : 'out', d.day === today ? 'today' : null, list.length ? 'has' : null], 'data-day': d.day },
          h('span', { class: 'day-n', 'aria-hidden': 'true' }, String(Number(d.day.slice(8)))),
          h('span', { class: 'sr-only' }, fmt.formatDate(`${d.day}T12:00:00Z`)),
          d.day === today ? h('span', { class: 'sr-only' }, t('maint.today')) : null,
          list.length ? h('ul', null, list.map(chip)) : null);
      })))));
    // On a phone the grid is too narrow for names: the same days as an agenda.
    const agendaDays = days.filter((d) => d.slice(0, 7) === `${ym.year}-${String(ym.month).padStart(2, '0')}` && byDay.has(d));
    const agenda = h('ol', { class: 'agenda', testid: 'maint-agenda' },
      agendaDays.length ? agendaDays.map((d) => h('li', { class: d === today ? 'today' : null },
        h('h3', null, fmt.formatDate(`${d}T12:00:00Z`), ' ', names[(new Date(`${d}T12:00:00Z`).getUTCDay() + 6) % 7]),
        h('ul', null, byDay.get(d).map(chip)))) : h('li', { class: 'muted' }, t('maint.month_empty')));
    const go = (n) => {
      ym = n === 0 ? { year: Number(today.slice(0, 4)), month: Number(today.slice(5, 7)) } : shiftMonth(ym.year, ym.month, n);
      sync();
      drawCalendar();
      const hh = body.querySelector('.cal-head h2');
      if (hh) hh.focus();
    };
    mount(body,
      h('div', { class: 'cal-head' },
        button(t('maint.prev_month'), () => go(-1), { testid: 'cal-prev' }),
        h('h2', { tabindex: '-1', 'aria-live': 'polite', testid: 'cal-title' }, fmt.formatMonth(ym.year, ym.month)),
        button(t('maint.next_month'), () => go(1), { testid: 'cal-next' }),
        button(t('maint.this_month'), () => go(0), { class: 'link' })),
      grid, agenda);
  }

  function draw() {
    if (view === 'calendar') drawCalendar();
    else drawList();
  }

  async function load() {
    const [wr, sr] = await Promise.all([api.get('/api/v1/maintenance', { signal: ctx.signal }), api.get('/api/v1/systems', { signal: ctx.signal })]);
    windows = wr.items || [];
    sysTitle = new Map((sr.items || []).map((s) => [s.name, s.title || s.name]));
    draw();
  }
  try {
    await load();
  } catch (err) {
    if (err.name !== 'AbortError') mount(body, errorBox(err, t, lang));
    return undefined;
  }
  // Windows start and end by the clock: the list's "active" moves on.
  let timer = null;
  const off = live.on('state', (ev) => {
    if (ev.state !== 'maintenance') return;
    clearTimeout(timer);
    timer = setTimeout(() => load().catch(() => null), 1000);
  });
  const tick = setInterval(() => {
    if (!document.hidden) load().catch(() => null);
  }, 60e3);
  return () => {
    off();
    clearTimeout(timer);
    clearInterval(tick);
  };
}

// ---- the form ----------------------------------------------------------------------

/** "YYYY-MM-DDTHH:MM" (datetime-local) -> "YYYY-MM-DD HH:MM" (the API's local form). */
export function localToApi(v) {
  return String(v || '').replace('T', ' ').slice(0, 16);
}

/**
 * The API body from the form's values, or {error: {field, key}}. values:
 * name, title, systems[], monitors[], recurrence, once_start, once_end
 * (datetime-local), start, end ("HH:MM"), day, from, until (dates), zone.
 */
export function buildWindow(v) {
  const err = (field, key, params) => ({ error: { field, key, params } });
  const name = (v.name || '').trim();
  if (!name) return err('name', 'mf.need');
  if (!NAME_RE.test(name)) return err('name', 'mf.bad_name');
  const body = { name };
  if ((v.title || '').trim()) body.title = v.title.trim();
  if (!v.systems.length && !v.monitors.length) return err('systems', 'maint.need_scope');
  if (v.systems.length) body.systems = v.systems;
  if (v.monitors.length) body.monitors = v.monitors;
  if (!RECURRENCES.includes(v.recurrence)) return err('recurrence', 'mf.need');
  body.recurrence = v.recurrence;
  if (v.recurrence === 'once') {
    if (!v.once_start) return err('start', 'mf.need');
    if (!v.once_end) return err('end', 'mf.need');
    if (v.once_end <= v.once_start) return err('end', 'maint.end_before_start');
    body.start = localToApi(v.once_start);
    body.end = localToApi(v.once_end);
  } else {
    const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
    if (!hhmm.test(v.start || '')) return err('start', 'maint.bad_time');
    if (!hhmm.test(v.end || '')) return err('end', 'maint.bad_time');
    if (v.start === v.end) return err('end', 'maint.same_time');
    body.start = v.start;
    body.end = v.end;
    if (v.recurrence === 'weekly') {
      if (!WEEKDAYS.includes(v.day)) return err('day', 'mf.need');
      body.day = v.day;
    } else if (v.recurrence === 'monthly') {
      if (v.day === 'last') body.day = 'last';
      else {
        const n = Number(v.day);
        if (!Number.isInteger(n) || n < 1 || n > 31) return err('day', 'mf.need');
        body.day = n;
      }
    }
    if (v.from) body.from = v.from;
    if (v.until) {
      if (v.from && v.until <= v.from) return err('until', 'maint.until_before_from');
      body.until = v.until;
    }
  }
  if ((v.zone || '').trim()) body.zone = v.zone.trim();
  return { body };
}

export async function renderForm(main, ctx) {
  const { t, api, fmt, lang, params } = ctx;
  const editing = Boolean(params.id);
  mount(main, loading(t));
  let orig = null;
  let systems = [];
  let monitors = [];
  try {
    const [sr, mr, wr] = await Promise.all([
      api.get('/api/v1/systems', { signal: ctx.signal }),
      api.get('/api/v1/monitors', { signal: ctx.signal }),
      editing ? api.get(`/api/v1/maintenance/${encodeURIComponent(params.id)}`, { signal: ctx.signal }) : Promise.resolve(null),
    ]);
    systems = sr.items || [];
    monitors = mr.items || [];
    orig = wr;
  } catch (err) {
    if (err.name !== 'AbortError') mount(main, pageHeader(t(editing ? 'maint.edit' : 'maint.new')), errorBox(err, t, lang));
    return;
  }
  const title = editing ? t('maint.edit_title', { name: orig.title || orig.name }) : t('maint.new');
  ctx.setTitle(title);
  if (orig && orig.provisioned) {
    mount(main, pageHeader(title), h('p', { class: 'notice' }, t('maint.provisioned_note')), h('p', null, h('a', { href: '/maintenance' }, t('common.back'))));
    return;
  }
  const o = orig || {};
  // Instants of the window shown in its own zone.
  const zfmt = o.zone && o.zone !== fmt.zone ? createI18n({ zone: o.zone }) : fmt;
  const localOf = (iso) => (iso ? `${zfmt.dayKey(iso)}T${zfmt.clockKey(iso)}` : '');
  const now = new Date(Math.floor(Date.now() / 60e3) * 60e3);
  const startDefault = `${fmt.dayKey(now)}T${fmt.clockKey(now)}`;
  const endDefault = `${fmt.dayKey(new Date(now.getTime() + 3600e3))}T${fmt.clockKey(new Date(now.getTime() + 3600e3))}`;
  const rec = o.recurrence || 'once';

  const name = field({ label: t('maint.f_name'), name: 'name', required: true, value: o.name || '', hint: t('mf.name_hint'), testid: 'wf-name', attrs: { autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: '64' } });
  const ttl = field({ label: t('maint.f_title'), name: 'title', value: o.title || '', testid: 'wf-title', attrs: { maxlength: '200' } });

  // Scope: systems as checkboxes, monitors as chips added by name.
  const chosenSys = new Set(o.systems || []);
  const sysList = h('ul', { class: 'check-list' }, systems.map((s) => {
    const id = uid('ws');
    const cb = h('input', { type: 'checkbox', id, value: s.name, checked: chosenSys.has(s.name), testid: `wf-system-${s.name}` });
    cb.addEventListener('change', () => (cb.checked ? chosenSys.add(s.name) : chosenSys.delete(s.name)));
    return h('li', null, cb, h('label', { for: id }, s.title ? `${s.title} (${s.name})` : s.name));
  }));
  const sysErr = h('p', { class: 'field-error', hidden: true });
  const sysWrap = h('fieldset', { class: 'field', 'data-field': 'systems' }, h('legend', null, t('maint.f_systems')), sysList, sysErr);

  const chosenMon = [...(o.monitors || [])];
  const monNames = new Set(monitors.map((m) => m.name));
  const listId = uid('mons');
  const monInput = field({ label: t('maint.f_monitor'), name: 'monitors', hint: t('maint.f_monitor_hint'), testid: 'wf-monitor', attrs: { list: listId, autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' } });
  const datalist = h('datalist', { id: listId }, monitors.map((m) => h('option', { value: m.name }, m.title || m.name)));
  const chips = h('ul', { class: 'chips', 'aria-label': t('maint.f_monitors'), testid: 'wf-monitor-chips' });
  const drawChips = () => mount(chips, chosenMon.map((n) => h('li', { class: 'chip' }, h('span', { class: 'mono' }, n),
    button('×', () => {
      chosenMon.splice(chosenMon.indexOf(n), 1);
      drawChips();
      monInput.input.focus();
    }, { class: 'chip-x', 'aria-label': t('maint.remove', { name: n }) }))));
  const addMonitor = () => {
    const v = monInput.input.value.trim();
    setFieldError(monInput.wrap, '');
    if (!v) return;
    if (!monNames.has(v)) {
      setFieldError(monInput.wrap, t('maint.no_such_monitor', { name: v }));
      return;
    }
    if (!chosenMon.includes(v)) chosenMon.push(v);
    monInput.input.value = '';
    drawChips();
  };
  monInput.input.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter') {
      ev.preventDefault();
      addMonitor();
    }
  });
  monInput.input.addEventListener('change', () => {
    if (monNames.has(monInput.input.value.trim())) addMonitor();
  });
  monInput.wrap.append(button(t('maint.add'), addMonitor, { class: 'small', testid: 'wf-monitor-add' }), chips, datalist);
  drawChips();

  // When.
  const recName = uid('rec');
  const recBox = h('fieldset', { class: 'field', 'data-field': 'recurrence' }, h('legend', null, t('maint.f_recurrence')),
    h('div', { class: 'radios' }, RECURRENCES.map((r) => {
      const id = uid('r');
      return h('span', { class: 'radio' }, h('input', { type: 'radio', name: recName, id, value: r, checked: r === rec, testid: `wf-rec-${r}` }), h('label', { for: id }, t(`maint.rec_${r}`)));
    })));
  const onceStart = field({ label: t('maint.f_start'), name: 'start', type: 'datetime-local', required: true, value: o.recurrence === 'once' ? localOf(o.start) : startDefault, testid: 'wf-once-start' });
  const onceEnd = field({ label: t('maint.f_end'), name: 'end', type: 'datetime-local', required: true, value: o.recurrence === 'once' ? localOf(o.end) : endDefault, testid: 'wf-once-end' });
  const onceSet = h('div', { class: 'grid-form', 'data-rec': 'once' }, onceStart.wrap, onceEnd.wrap);
  const isRec = o.recurrence && o.recurrence !== 'once';
  const rStart = field({ label: t('maint.f_time_start'), name: 'start', type: 'time', required: true, value: isRec ? o.start : '02:00', testid: 'wf-start' });
  const rEnd = field({ label: t('maint.f_time_end'), name: 'end', type: 'time', required: true, value: isRec ? o.end : '04:00', hint: t('maint.f_time_end_hint'), testid: 'wf-end' });
  const wday = field({ label: t('maint.f_weekday'), name: 'day', type: 'select', value: o.recurrence === 'weekly' ? String(o.day).toLowerCase() : 'sunday', testid: 'wf-weekday', options: WEEKDAYS.map((d) => ({ value: d, label: t(`weekday.${d}`) })) });
  const mday = field({ label: t('maint.f_monthday'), name: 'day', type: 'select', value: o.recurrence === 'monthly' ? String(o.day) : '1', testid: 'wf-monthday', options: [...Array.from({ length: 31 }, (_, i) => ({ value: String(i + 1), label: t('maint.day_n', { n: i + 1 }) })), { value: 'last', label: t('maint.day_last') }] });
  const from = field({ label: t('maint.f_from'), name: 'from', type: 'date', value: isRec && o.from ? zfmt.dayKey(o.from) : '', hint: t('maint.f_from_hint'), testid: 'wf-from' });
  const until = field({ label: t('maint.f_until'), name: 'until', type: 'date', value: isRec && o.until ? zfmt.dayKey(o.until) : '', hint: t('maint.f_until_hint'), testid: 'wf-until' });
  const recSet = h('div', { class: 'grid-form', 'data-rec': 'recurring' }, rStart.wrap, rEnd.wrap, wday.wrap, mday.wrap, from.wrap, until.wrap);
  const zone = field({ label: t('maint.f_zone'), name: 'zone', value: o.zone && o.zone !== fmt.zone ? o.zone : '', hint: t('maint.f_zone_hint', { zone: fmt.zone }), testid: 'wf-zone', attrs: { autocomplete: 'off', spellcheck: 'false', placeholder: fmt.zone } });

  const currentRec = () => (recBox.querySelector('input:checked') || {}).value || 'once';
  const showRec = () => {
    const r = currentRec();
    onceSet.hidden = r !== 'once';
    recSet.hidden = r === 'once';
    wday.wrap.hidden = r !== 'weekly';
    mday.wrap.hidden = r !== 'monthly';
  };
  recBox.addEventListener('change', showRec);
  showRec();

  const btn = h('button', { type: 'submit', class: 'primary', testid: 'maint-save' }, editing ? t('common.save') : t('maint.create'));
  const form = h('form', { class: 'form', novalidate: true, testid: 'maint-form' },
    formErrorBox(),
    h('fieldset', { class: 'grid-form' }, h('legend', null, t('maint.basics')), name.wrap, ttl.wrap),
    h('fieldset', null, h('legend', null, t('maint.scope')), h('p', { class: 'hint' }, t('maint.scope_hint')), sysWrap, monInput.wrap),
    h('fieldset', null, h('legend', null, t('maint.when')), recBox, onceSet, recSet, zone.wrap),
    h('div', { class: 'actions' }, btn, h('a', { href: '/maintenance', class: 'button' }, t('common.cancel'))));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    sysErr.hidden = true;
    if (monInput.input.value.trim()) addMonitor();
    const r = currentRec();
    const res = buildWindow({
      name: name.input.value, title: ttl.input.value,
      systems: systems.map((s) => s.name).filter((n) => chosenSys.has(n)),
      monitors: chosenMon.slice(),
      recurrence: r,
      once_start: onceStart.input.value, once_end: onceEnd.input.value,
      start: rStart.input.value, end: rEnd.input.value,
      day: r === 'weekly' ? wday.input.value : mday.input.value,
      from: from.input.value, until: until.input.value,
      zone: zone.input.value,
    });
    if (res.error) {
      const msg = t(res.error.key, res.error.params);
      const map = {
        name: name.wrap, systems: sysWrap, recurrence: recBox, from: from.wrap, until: until.wrap, zone: zone.wrap,
        start: r === 'once' ? onceStart.wrap : rStart.wrap, end: r === 'once' ? onceEnd.wrap : rEnd.wrap,
        day: r === 'weekly' ? wday.wrap : mday.wrap,
      };
      const w = map[res.error.field];
      if (w === sysWrap) {
        sysErr.textContent = msg;
        sysErr.hidden = false;
        const first = sysWrap.querySelector('input');
        if (first) first.focus();
        else monInput.input.focus();
      } else if (w) {
        setFieldError(w, msg);
        const i = w.querySelector('input, select');
        if (i) i.focus();
      }
      return;
    }
    btn.disabled = true;
    try {
      const saved = editing
        ? await api.put(`/api/v1/maintenance/${orig.id}`, res.body, { signal: ctx.signal })
        : await api.post('/api/v1/maintenance', res.body, { signal: ctx.signal });
      ctx.toast(t('maint.saved', { name: saved.title || saved.name }));
      ctx.navigate('/maintenance');
    } catch (err) {
      if (err.name === 'AbortError') return;
      btn.disabled = false;
      showApiError(form, err, t, lang);
    }
  });

  mount(main, h('p', { class: 'crumbs' }, h('a', { href: '/maintenance' }, t('common.back'))), pageHeader(title), form);
}
