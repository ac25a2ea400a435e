// duty — 值班: who is on duty now (primary, backup, technical lead, with
// the number to call), the roster as a week or a month, the recent
// hand-overs; and for the project manager (duty.write) the forms to add a
// shift, lay down a rotation and record a hand-over, and to delete a shift.
//
// Reading is ops.read (everybody on the operations side needs to know whom
// to call); contacts need notify.read and are shown only when allowed.

import { h, mount, pageHeader, loading, errorBox, empty, table, segmented, button, field, formErrorBox, clearErrors, showApiError, confirmDialog, describeError, uid } from '../ui.js';
import { monthGrid, shiftMonth } from '../calendar.js';
import { addDays } from '../i18n.js';
import { DUTY_POSITIONS, dutyNow, shiftsByDay, weekOf, wallToIso, personName, loginOf, listOf, splitList } from './model.js';
import { section, clearOnInput } from './common.js';

export async function renderDuty(main, ctx) {
  const { tr, api, fmt, lang } = ctx;
  const zone = fmt.zone;
  const today = fmt.dayKey(new Date());
  const canWrite = ctx.can('duty.write');
  let view = ctx.query.view === 'month' ? 'month' : 'week';
  let anchor = /^\d{4}-\d{2}-\d{2}$/.test(ctx.query.day || '') ? ctx.query.day : today;
  let people = [];

  const nowBox = h('div', { class: 'ops-duty-now', testid: 'duty-now' }, loading(tr));
  const rosterBox = h('div', { testid: 'duty-roster' }, loading(tr));
  const rangeLabel = h('h3', { class: 'ops-period-name', 'aria-live': 'polite', testid: 'duty-range' });
  const viewSeg = segmented({
    label: tr('ops.duty.view'),
    value: view,
    testid: 'duty-view',
    options: [{ value: 'week', label: tr('ops.duty.week'), testid: 'duty-view-week' }, { value: 'month', label: tr('ops.duty.month'), testid: 'duty-view-month' }],
    onChange: (v) => { view = v; loadRoster(); },
  });
  const step = (n) => {
    if (view === 'week') anchor = addDays(anchor, 7 * n);
    else {
      const m = shiftMonth(Number(anchor.slice(0, 4)), Number(anchor.slice(5, 7)), n);
      anchor = `${m.year}-${String(m.month).padStart(2, '0')}-01`;
    }
    loadRoster();
  };
  const bar = h('div', { class: 'ops-period-step' },
    button(tr('ops.period.prev'), () => step(-1), { class: 'small', testid: 'duty-prev' }),
    rangeLabel,
    button(tr('ops.period.next'), () => step(1), { class: 'small', testid: 'duty-next' }),
    button(tr('ops.duty.today'), () => { anchor = today; loadRoster(); }, { class: 'small', testid: 'duty-today' }));
  const handoversBox = h('div', { testid: 'duty-handovers' }, loading(tr));
  const peopleList = h('datalist', { id: uid('duty-people') });

  mount(main,
    pageHeader(tr('ops.nav.duty')),
    section(tr('ops.duty.now'), nowBox, { testid: 'duty-now-card' }),
    section(tr('ops.duty.roster'), h('div', null, h('div', { class: 'ops-roster-bar' }, viewSeg, bar), rosterBox), { testid: 'duty-roster-card' }),
    canWrite ? section(tr('ops.duty.plan'), planForms(), { testid: 'duty-plan' }) : null,
    section(tr('ops.duty.handovers'), handoversBox),
    peopleList);

  // ---- who is on duty now ---------------------------------------------------------------

  async function loadNow() {
    try {
      const r = await api.get('/api/v1/duty/now', { signal: ctx.signal });
      const now = dutyNow(r);
      mount(nowBox, DUTY_POSITIONS.map((p) => nowCard(p, now[p])));
    } catch (err) {
      if (err.name !== 'AbortError') mount(nowBox, errorBox(err, tr, lang));
    }
  }

  function nowCard(p, x) {
    const contact = h('div', { class: 'ops-contact' });
    if (x && ctx.can('notify.read')) {
      const who = x.user_id || loginOf(x);
      api.get(`/api/v1/contacts/${encodeURIComponent(who)}`, { signal: ctx.signal }).then((c) => {
        const parts = [];
        if (c && c.mobile) parts.push(h('a', { href: `tel:${c.mobile}`, class: 'ops-tel' }, c.mobile));
        if (c && c.email) parts.push(h('a', { href: `mailto:${c.email}` }, c.email));
        mount(contact, parts);
      }).catch(() => null);
    }
    return h('div', { class: `ops-duty-card ops-pos-${p}${x ? '' : ' ops-duty-empty'}`, testid: `duty-now-${p}` },
      h('h3', null, tr(`ops.duty.pos.${p}`)),
      x ? h('p', { class: 'ops-duty-who', testid: `duty-now-${p}-who` }, personName(x)) : h('p', { class: 'ops-duty-who' }, tr('ops.duty.nobody')),
      x && x.end ? h('p', { class: 'muted small' }, tr('ops.duty.until', { time: fmt.formatDateTime(x.end, { seconds: false }) })) : null,
      contact);
  }

  // ---- the roster ------------------------------------------------------------------------

  function visibleDays() {
    if (view === 'week') return weekOf(anchor);
    const y = Number(anchor.slice(0, 4)), m = Number(anchor.slice(5, 7));
    return monthGrid(y, m).flat().map((d) => d.day);
  }

  let rosterSeq = 0;
  async function loadRoster() {
    const my = ++rosterSeq;
    for (const b of viewSeg.children) b.setAttribute('aria-pressed', String(b.dataset.value === view));
    ctx.setQuery({ view: view === 'month' ? 'month' : '', day: anchor === today ? '' : anchor });
    const days = visibleDays();
    const first = days[0], last = days[days.length - 1];
    rangeLabel.textContent = view === 'week'
      ? tr('ops.duty.week_of', { from: fmt.formatDate(`${first}T12:00:00Z`), to: fmt.formatDate(`${last}T12:00:00Z`) })
      : fmt.formatMonth(Number(anchor.slice(0, 4)), Number(anchor.slice(5, 7)));
    mount(rosterBox, loading(tr));
    try {
      const r = await api.get('/api/v1/duty', { query: { from: wallToIso(`${first}T00:00`, zone), to: wallToIso(`${addDays(last, 1)}T00:00`, zone) }, signal: ctx.signal });
      if (my !== rosterSeq) return;
      const shifts = listOf(r, 'shifts');
      const byDay = shiftsByDay(shifts, days, (t) => fmt.dayKey(t));
      mount(rosterBox, view === 'week' ? weekView(days, byDay) : monthView(byDay), shifts.length ? null : empty(tr('ops.duty.no_shifts')));
    } catch (err) {
      if (my === rosterSeq && err.name !== 'AbortError') mount(rosterBox, errorBox(err, tr, lang));
    }
  }

  // The part of a shift on one day: "08:00–20:00", "…–08:00" (from the
  // day before), "20:00–…" (into the next), or all day.
  const span = (s, day) => {
    const startsToday = fmt.dayKey(s.start) === day;
    const endsToday = fmt.dayKey(Date.parse(s.end) - 1) === day;
    const a = startsToday ? fmt.formatTime(s.start) : null;
    let b = endsToday ? fmt.formatTime(s.end) : null;
    if (b === '00:00') b = null; // ends at the next midnight: runs to the day's end
    if ((a === null || a === '00:00') && b === null) return tr('ops.duty.all_day');
    return `${a || '…'}–${b || (endsToday ? '24:00' : '…')}`;
  };
  const shortName = (s) => s.user_name || s.user || '';

  function chip(s, day, { full = false } = {}) {
    const who = personName({ user: s.user, user_name: s.user_name });
    const label = full ? `${tr(`ops.duty.pos_short.${s.position}`)} ${span(s, day)} ${shortName(s)}` : `${tr(`ops.duty.pos_short.${s.position}`)} ${shortName(s)}`;
    const del = canWrite && full && !s.provisioned
      ? h('button', { type: 'button', class: 'chip-x', 'aria-label': tr('ops.duty.delete_shift', { who, time: span(s, day) }), testid: `shift-delete-${s.id}`, onclick: () => removeShift(s) }, '×')
      : null;
    return h('li', { class: `ops-shift ops-pos-${s.position}`, title: `${tr(`ops.duty.pos.${s.position}`)} ${fmt.formatDateTime(s.start, { seconds: false })} – ${fmt.formatDateTime(s.end, { seconds: false })} ${who}${s.note ? ` · ${s.note}` : ''}`, testid: 'duty-shift' },
      h('span', { class: 'ops-pos-mark', 'aria-hidden': 'true' }), h('span', { class: 'ops-shift-text' }, label), del);
  }

  function weekView(days, byDay) {
    const names = fmt.weekdayNames();
    return h('ol', { class: 'ops-week', testid: 'duty-week' }, days.map((d, i) => h('li', { class: d === today ? 'today' : null, 'data-day': d },
      h('h4', null, `${names[i]} ${fmt.formatDate(`${d}T12:00:00Z`)}`),
      byDay.get(d).length ? h('ul', { class: 'ops-shifts' }, byDay.get(d).map((s) => chip(s, d, { full: true }))) : h('p', { class: 'muted small' }, tr('ops.duty.none_day')))));
  }

  function monthView(byDay) {
    const y = Number(anchor.slice(0, 4)), m = Number(anchor.slice(5, 7));
    const weeks = monthGrid(y, m);
    const names = fmt.weekdayNames();
    const grid = h('table', { class: 'calendar ops-month', testid: 'duty-month' },
      h('caption', { class: 'sr-only' }, fmt.formatMonth(y, m)),
      h('thead', null, h('tr', null, names.map((n) => h('th', { scope: 'col' }, n)))),
      h('tbody', null, weeks.map((w) => h('tr', null, w.map((c) => h('td', { class: [c.inMonth ? '' : 'out', c.day === today ? 'today' : ''].filter(Boolean).join(' ') || null },
        h('span', { class: 'day-n' }, String(Number(c.day.slice(8)))),
        byDay.get(c.day).length ? h('ul', { class: 'ops-shifts' }, byDay.get(c.day).map((s) => chip(s, c.day))) : null))))));
    // On a phone the grid is too narrow: the days with shifts as a list.
    const agenda = h('ul', { class: 'agenda ops-agenda' }, weeks.flat().filter((c) => c.inMonth && byDay.get(c.day).length).map((c) => h('li', { class: c.day === today ? 'today' : null },
      h('h3', null, fmt.formatDate(`${c.day}T12:00:00Z`)),
      h('ul', { class: 'ops-shifts' }, byDay.get(c.day).map((s) => chip(s, c.day, { full: true }))))));
    return h('div', null, grid, agenda);
  }

  async function removeShift(s) {
    const who = personName({ user: s.user, user_name: s.user_name });
    const ok = await confirmDialog({
      title: tr('ops.duty.delete_q'),
      message: tr('ops.duty.delete_text', { pos: tr(`ops.duty.pos.${s.position}`), who, from: fmt.formatDateTime(s.start, { seconds: false }), to: fmt.formatDateTime(s.end, { seconds: false }) }),
      confirm: tr('common.delete'),
      cancel: tr('common.cancel'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/duty/shifts/${s.id}`, { signal: ctx.signal });
      ctx.toast(tr('ops.duty.deleted'));
      loadRoster();
      loadNow();
    } catch (err) {
      if (err.name !== 'AbortError') ctx.toast(describeError(err, tr, lang), 'error');
    }
  }

  // ---- the manager's forms ------------------------------------------------------------------

  function posField(name = 'position') {
    return field({ label: tr('ops.duty.position'), name, type: 'select', value: 'primary', testid: `${name}-select`, options: DUTY_POSITIONS.map((p) => ({ value: p, label: tr(`ops.duty.pos.${p}`) })) });
  }
  function personField(name, label, testid) {
    return field({ label, name, required: true, testid, attrs: { list: peopleList.id, autocomplete: 'off', maxlength: 64 } });
  }

  function planForms() {
    const forms = { shift: shiftForm(), rotation: rotationForm(), handover: handoverForm() };
    const seg = segmented({
      label: tr('ops.duty.plan'),
      value: 'shift',
      testid: 'duty-plan-tabs',
      options: Object.keys(forms).map((k) => ({ value: k, label: tr(`ops.duty.form_${k}`), testid: `duty-plan-${k}` })),
      onChange: (k) => { for (const [n, f] of Object.entries(forms)) f.hidden = n !== k; },
    });
    forms.rotation.hidden = true;
    forms.handover.hidden = true;
    return h('div', null, seg, Object.values(forms));
  }

  function submitter(form, button, build, done) {
    clearOnInput(form);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      let req;
      try {
        req = build();
      } catch (e) {
        if (e && e.field) {
          showApiError(form, { code: 'invalid', field: e.field, message: e.message }, tr, lang);
          return;
        }
        throw e;
      }
      button.disabled = true;
      try {
        const r = await api.post(req.path, req.body, { signal: ctx.signal });
        done(r);
        loadRoster();
        loadNow();
        loadHandovers();
      } catch (err) {
        if (err.name !== 'AbortError') showApiError(form, err, tr, lang);
      } finally {
        button.disabled = false;
      }
    });
  }

  const need = (f, fieldName, key) => {
    const v = f.input.value.trim();
    if (!v) {
      const e = new Error(tr(key));
      e.field = fieldName;
      throw e;
    }
    return v;
  };
  const instant = (f, fieldName) => {
    const iso = wallToIso(f.input.value, zone);
    if (!iso) {
      const e = new Error(tr('ops.duty.need_time'));
      e.field = fieldName;
      throw e;
    }
    return iso;
  };

  function shiftForm() {
    const start0 = `${today}T08:00`;
    const user = personField('user', tr('ops.duty.person'), 'shift-user');
    const pos = posField();
    const start = field({ label: tr('ops.duty.start'), name: 'start', type: 'datetime-local', value: start0, required: true, testid: 'shift-start' });
    const end = field({ label: tr('ops.duty.end'), name: 'end', type: 'datetime-local', value: `${today}T20:00`, required: true, testid: 'shift-end' });
    const note = field({ label: tr('ops.duty.note'), name: 'note', testid: 'shift-note', attrs: { maxlength: 500 } });
    const btn = h('button', { type: 'submit', class: 'primary', testid: 'shift-submit' }, tr('ops.duty.add_shift'));
    const form = h('form', { class: 'form grid-form ops-plan-form', novalidate: true, testid: 'shift-form' }, formErrorBox(), user.wrap, pos.wrap, start.wrap, end.wrap, h('div', { class: 'full' }, note.wrap), h('div', { class: 'actions full' }, btn));
    submitter(form, btn, () => {
      const body = { user: need(user, 'user', 'ops.duty.need_person'), position: pos.input.value, start: instant(start, 'start'), end: instant(end, 'end') };
      if (Date.parse(body.end) <= Date.parse(body.start)) {
        const e = new Error(tr('ops.duty.end_before_start'));
        e.field = 'end';
        throw e;
      }
      if (note.input.value.trim()) body.note = note.input.value.trim();
      return { path: '/api/v1/duty/shifts', body };
    }, () => {
      ctx.toast(tr('ops.duty.shift_added'));
      note.input.value = '';
    });
    return form;
  }

  function rotationForm() {
    const ppl = field({ label: tr('ops.duty.people'), name: 'people', required: true, testid: 'rot-people', hint: tr('ops.duty.people_hint'), attrs: { autocomplete: 'off' } });
    const pos = posField();
    const start = field({ label: tr('ops.duty.rot_start'), name: 'start', type: 'datetime-local', value: `${addDays(today, 1)}T08:30`, required: true, testid: 'rot-start' });
    const len = field({ label: tr('ops.duty.shift_len'), name: 'shift', type: 'select', value: '24h', testid: 'rot-shift', options: ['8h', '12h', '24h', '168h'].map((v) => ({ value: v, label: tr(`ops.duty.len_${v}`) })) });
    const days = field({ label: tr('ops.duty.days'), name: 'days', type: 'number', value: 7, required: true, testid: 'rot-days', attrs: { min: 1, max: 366, step: 1, inputmode: 'numeric' } });
    const replace = field({ label: tr('ops.duty.replace'), name: 'replace', type: 'checkbox', testid: 'rot-replace', hint: tr('ops.duty.replace_hint') });
    const btn = h('button', { type: 'submit', class: 'primary', testid: 'rot-submit' }, tr('ops.duty.make_rotation'));
    const form = h('form', { class: 'form grid-form ops-plan-form', novalidate: true, testid: 'rotation-form' }, formErrorBox(), h('div', { class: 'full' }, ppl.wrap), pos.wrap, len.wrap, start.wrap, days.wrap, h('div', { class: 'full' }, replace.wrap), h('div', { class: 'actions full' }, btn));
    submitter(form, btn, () => {
      const people = splitList(need(ppl, 'people', 'ops.duty.need_people'));
      const n = Number(days.input.value);
      if (!Number.isInteger(n) || n < 1 || n > 366) {
        const e = new Error(tr('ops.duty.bad_days'));
        e.field = 'days';
        throw e;
      }
      return { path: '/api/v1/duty/rotation', body: { people, position: pos.input.value, shift: len.input.value, start: instant(start, 'start'), days: n, replace: replace.input.checked } };
    }, (r) => ctx.toast(tr('ops.duty.rotation_done', { n: (r && r.created) || 0, deleted: (r && r.deleted) || 0 })));
    return form;
  }

  function handoverForm() {
    const pos = posField();
    const to = personField('to', tr('ops.duty.to'), 'ho-to');
    const from = field({ label: tr('ops.duty.from'), name: 'from', testid: 'ho-from', hint: tr('ops.duty.from_hint'), attrs: { list: peopleList.id, autocomplete: 'off', maxlength: 64 } });
    const note = field({ label: tr('ops.duty.ho_note'), name: 'note', type: 'textarea', testid: 'ho-note', attrs: { maxlength: 500, rows: 2 } });
    const btn = h('button', { type: 'submit', class: 'primary', testid: 'ho-submit' }, tr('ops.duty.record_handover'));
    const form = h('form', { class: 'form grid-form ops-plan-form', novalidate: true, testid: 'handover-form' }, formErrorBox(), pos.wrap, to.wrap, from.wrap, h('div', { class: 'full' }, note.wrap), h('div', { class: 'actions full' }, btn));
    submitter(form, btn, () => {
      const body = { position: pos.input.value, to: need(to, 'to', 'ops.duty.need_person') };
      if (from.input.value.trim()) body.from = from.input.value.trim();
      if (note.input.value.trim()) body.note = note.input.value.trim();
      return { path: '/api/v1/duty/handover', body };
    }, () => {
      ctx.toast(tr('ops.duty.handover_done'));
      note.input.value = '';
    });
    return form;
  }

  // ---- hand-overs ------------------------------------------------------------------------------

  async function loadHandovers() {
    try {
      const r = await api.get('/api/v1/duty/handovers', { query: { limit: 20 }, signal: ctx.signal });
      const rows = listOf(r, 'handovers');
      if (!rows.length) return mount(handoversBox, empty(tr('ops.duty.no_handovers')));
      return mount(handoversBox, table({
        testid: 'handover-table',
        caption: tr('ops.duty.handovers'),
        columns: [
          { label: tr('ops.duty.at'), render: (x) => fmt.formatDateTime(x.at, { seconds: false }) },
          { label: tr('ops.duty.position'), render: (x) => tr(`ops.duty.pos.${DUTY_POSITIONS.includes(x.position) ? x.position : 'primary'}`) },
          { label: tr('ops.duty.from'), render: (x) => x.from || '—' },
          { label: tr('ops.duty.to'), render: (x) => x.to || '—' },
          { label: tr('ops.duty.ho_note'), class: 'wrap-any', render: (x) => x.note || '—' },
          { label: tr('ops.duty.by'), render: (x) => x.by || '—' },
        ],
        rows,
      }));
    } catch (err) {
      if (err.name !== 'AbortError') mount(handoversBox, errorBox(err, tr, lang));
      return undefined;
    }
  }

  // People for the person fields: the contacts list (every account) when allowed.
  if (canWrite && ctx.can('notify.read')) {
    api.get('/api/v1/contacts', { signal: ctx.signal }).then((r) => {
      people = listOf(r, 'contacts').filter((p) => !p.disabled);
      for (const p of people) peopleList.appendChild(h('option', { value: loginOf(p) }, p.name || loginOf(p)));
    }).catch(() => null);
  }

  await Promise.all([loadNow(), loadRoster(), loadHandovers()]);
  // Who is on duty changes with the clock: look again every minute.
  const timer = setInterval(() => {
    if (!document.hidden) api.get('/api/v1/duty/now', { signal: ctx.signal, background: true }).then((r) => {
      const now = dutyNow(r);
      mount(nowBox, DUTY_POSITIONS.map((p) => nowCard(p, now[p])));
    }).catch(() => null);
  }, 60000);
  return () => clearInterval(timer);
}
