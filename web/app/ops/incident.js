// incident — one incident: its header (level, state, system, assignee), the
// three SLA clocks (target, counted time, remaining or over, paused time,
// the warning and breach instants) ticking each second, what is known
// (reporter, times, vendor waits, the monitor outage, cause, fix,
// prevention), the fault report (due date, submitted, on time or late), the
// timeline, and the buttons for what the incident's state allows AND the
// role may do. Each action opens a small form (time defaults to now; the
// resolution asks for the cause); the server's answer redraws the page.

import { h, mount, pageHeader, loading, errorBox, empty, button, dl, describeError, field, uid } from '../ui.js';
import { CLOCKS, SOURCES, LEVELS, EVENT_KINDS, ACTION_BUTTONS, offeredActions, clockNow, formatCountdown, reportStatus, wallToIso, isoToWall } from './model.js';
import { levelTag, incStateBadge, clockBadge, createTicker, keepFresh, formDialog, localError, dayText, closeDialogs } from './common.js';

export async function renderIncident(main, ctx) {
  const { tr, api, fmt, lang, params } = ctx;
  const id = Number(params.id);
  mount(main, loading(tr));
  if (!Number.isInteger(id) || id <= 0) {
    mount(main, pageHeader(tr('ops.nav.incidents')), errorBox({ code: 'not_found', status: 404 }, tr, lang), backLink());
    return undefined;
  }
  let inc;
  let fetchedAt;
  try {
    inc = await api.get(`/api/v1/incidents/${id}`, { signal: ctx.signal });
    fetchedAt = Date.now();
  } catch (err) {
    if (err.name !== 'AbortError') mount(main, pageHeader(tr('ops.nav.incidents')), errorBox(err, tr, lang), backLink());
    return undefined;
  }

  function backLink() {
    return h('p', { class: 'crumbs' }, h('a', { href: '/incidents' }, tr('ops.inc.back')));
  }

  const ticker = createTicker();
  const head = h('div', { testid: 'inc-head' });
  const actionBar = h('div', { class: 'ops-actions', testid: 'inc-actions', role: 'group', 'aria-label': tr('ops.act.group') });
  const banner = h('div');
  const clocksBox = h('div', { class: 'ops-clock-cards', testid: 'inc-clocks' });
  const factsBox = h('div', { testid: 'inc-facts' });
  const resolutionBox = h('div', { testid: 'inc-resolution' });
  const reportView = h('div', { testid: 'inc-report-view' });
  const timelineBox = h('div', { testid: 'inc-timeline' });

  // The forms that stay put across redraws (a live refresh must not wipe
  // what someone is typing).
  const reportForm = makeReportForm();
  const noteForm = makeNoteForm();

  const secId = (s) => `inc-${s}-${id}`;
  mount(main,
    backLink(),
    head,
    actionBar,
    banner,
    h('section', { class: 'card', 'aria-labelledby': secId('clocks') }, h('h2', { id: secId('clocks') }, tr('ops.inc.clocks')), clocksBox),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': secId('facts') }, h('h2', { id: secId('facts') }, tr('ops.inc.facts')), factsBox),
      h('div', null,
        h('section', { class: 'card', 'aria-labelledby': secId('res') }, h('h2', { id: secId('res') }, tr('ops.inc.resolution')), resolutionBox),
        h('section', { class: 'card', 'aria-labelledby': secId('rep'), testid: 'inc-report' }, h('h2', { id: secId('rep') }, tr('ops.report.title')), reportView, reportForm.el))),
    h('section', { class: 'card', 'aria-labelledby': secId('tl') }, h('h2', { id: secId('tl') }, tr('ops.inc.timeline')), noteForm.el, timelineBox));

  function draw() {
    ticker.clear();
    ctx.setTitle(`#${inc.id} ${inc.title || ''}`);
    drawHead();
    drawActions();
    drawBanner();
    drawClocks();
    drawFacts();
    drawResolution();
    drawReport();
    drawTimeline();
  }

  function drawHead() {
    mount(head,
      pageHeader(`#${inc.id} ${inc.title || ''}`),
      h('div', { class: 'status-line ops-status-line', testid: 'inc-status' },
        levelTag(inc.level, tr, { testid: 'inc-level' }),
        incStateBadge(inc.state, tr, { testid: 'inc-state', class: `badge big ops-st ops-st-${inc.state}` }),
        h('span', null, h('span', { class: 'muted' }, `${tr('ops.inc.system')}：`), inc.system ? h('a', { href: `/systems/${encodeURIComponent(inc.system)}` }, inc.system) : '—'),
        h('span', { testid: 'inc-assignee' }, h('span', { class: 'muted' }, `${tr('ops.inc.assignee')}：`), inc.assignee || tr('ops.inc.nobody')),
        h('span', null, h('span', { class: 'muted' }, `${tr('ops.inc.source')}：`), tr(`ops.source.${SOURCES.includes(inc.source) ? inc.source : 'user'}`))));
  }

  function drawActions() {
    const offered = offeredActions(inc, ctx.can);
    const btns = ACTION_BUTTONS.filter((a) => offered.includes(a)).map((a) => button(tr(`ops.act.${a}`), () => act(a), {
      class: ['respond', 'onsite', 'resolve'].includes(a) ? 'primary' : null,
      testid: `act-${a}`,
    }));
    mount(actionBar, btns);
    actionBar.hidden = !btns.length;
    noteForm.el.hidden = !offered.includes('note');
    reportForm.el.hidden = !offered.includes('report');
  }

  function drawBanner() {
    const open = (inc.pauses || []).find((p) => !p.end);
    const parts = [];
    if (open) parts.push(h('p', { class: 'notice', testid: 'inc-vendor-wait' }, tr('ops.inc.waiting_vendor', { vendor: open.vendor || inc.vendor_name || '—', since: fmt.formatDateTime(open.start, { seconds: false }) })));
    if (inc.recovered && ['new', 'responded', 'onsite'].includes(inc.state)) parts.push(h('p', { class: 'ok-box', testid: 'inc-recovered' }, tr('ops.inc.recovered_note', { time: fmt.formatDateTime(inc.recovered, { seconds: false }) })));
    mount(banner, parts);
  }

  function drawClocks() {
    const cards = CLOCKS.map((k) => clockCard(k, (inc.clocks || {})[k] || { status: 'off' }));
    mount(clocksBox, cards);
  }

  function clockCard(k, c) {
    const badge = clockBadge(k, c, fetchedAt, tr, { testid: `clock-${k}` });
    const elapsed = h('dd', { testid: `clock-${k}-elapsed` });
    const leftLabel = h('dt');
    const left = h('dd', { testid: `clock-${k}-left` });
    const days = dayText(tr);
    const dur = (ms) => (typeof ms === 'number' && ms > 0 ? fmt.formatDuration(ms / 1000) : tr('ops.clock.zero'));
    const update = (now) => {
      const v = badge.update(now);
      elapsed.textContent = formatCountdown(v.elapsed, days);
      leftLabel.textContent = v.remaining < 0 ? tr('ops.clock.over_by') : tr('ops.clock.remaining');
      left.textContent = c.status === 'off' ? '—' : formatCountdown(v.remaining, days);
      left.classList.toggle('ops-over', v.remaining < 0);
    };
    update(Date.now());
    if (['running', 'warning', 'breached'].includes(c.status)) ticker.add(update);
    const facts = c.status === 'off'
      ? h('p', { class: 'muted small' }, tr(k === 'onsite' ? 'ops.clock.onsite_off' : 'ops.clock.off_note'))
      : h('dl', { class: 'facts ops-clock-facts' },
        h('dt', null, tr('ops.clock.target')), h('dd', { testid: `clock-${k}-target` }, dur(c.target_ms)),
        h('dt', null, tr('ops.clock.elapsed')), elapsed,
        leftLabel, left,
        h('dt', null, tr('ops.clock.paused')), h('dd', { testid: `clock-${k}-paused` }, dur(c.paused_ms)),
        h('dt', null, tr('ops.clock.warn_at')), h('dd', null, c.warn_at ? fmt.formatDateTime(c.warn_at) : '—'),
        h('dt', null, tr('ops.clock.breach_at')), h('dd', { testid: `clock-${k}-breach-at` }, c.breach_at ? fmt.formatDateTime(c.breach_at) : '—'),
        h('dt', null, tr('ops.clock.stopped')), h('dd', { testid: `clock-${k}-stopped` }, c.stopped ? fmt.formatDateTime(c.stopped) : '—'));
    return h('div', { class: 'ops-clock-card', testid: `clock-card-${k}`, 'data-status': c.status },
      h('h3', null, tr(`ops.clock.${k}_title`)), badge.el, facts);
  }

  function drawFacts() {
    const pauses = (inc.pauses || []).map((p) => h('li', null, tr('ops.inc.pause_item', {
      vendor: p.vendor || inc.vendor_name || '—',
      from: fmt.formatDateTime(p.start, { seconds: false }),
      to: p.end ? fmt.formatDateTime(p.end, { seconds: false }) : tr('ops.inc.pause_open'),
    })));
    mount(factsBox, dl([
      [tr('ops.inc.reporter'), inc.reporter || '—'],
      [tr('ops.inc.notice'), fmt.formatDateTime(inc.notice)],
      [tr('ops.inc.responded'), fmt.formatDateTime(inc.responded)],
      [tr('ops.inc.onsite_needed'), inc.onsite_needed ? tr('common.yes') : tr('common.no')],
      inc.onsite_needed || inc.onsite ? [tr('ops.inc.onsite'), fmt.formatDateTime(inc.onsite)] : null,
      [tr('ops.inc.resolved'), fmt.formatDateTime(inc.resolved)],
      [tr('ops.inc.closed'), fmt.formatDateTime(inc.closed)],
      inc.vendor || pauses.length ? [tr('ops.inc.vendor'), h('div', null, inc.vendor_name || '—', pauses.length ? h('ul', { class: 'ops-plain' }, pauses) : null)] : null,
      inc.monitor || inc.monitor_id ? [tr('ops.inc.monitor'), h('div', null,
        inc.monitor_id ? h('a', { href: `/monitors/${inc.monitor_id}` }, inc.monitor || `#${inc.monitor_id}`) : inc.monitor,
        inc.outage_start ? h('div', { class: 'small muted' }, tr('ops.inc.outage_from', { time: fmt.formatDateTime(inc.outage_start, { seconds: false }) })) : null,
        inc.recovered ? h('div', { class: 'small muted' }, tr('ops.inc.outage_recovered', { time: fmt.formatDateTime(inc.recovered, { seconds: false }) })) : null)] : null,
      [tr('ops.inc.created'), fmt.formatDateTime(inc.created)],
    ]));
  }

  function drawResolution() {
    const text = (v) => (v ? h('p', { class: 'ops-pre wrap-any' }, v) : h('p', { class: 'muted' }, '—'));
    mount(resolutionBox, h('dl', { class: 'ops-stack' },
      h('dt', null, tr('ops.inc.cause')), h('dd', { testid: 'inc-cause' }, text(inc.cause)),
      h('dt', null, tr('ops.inc.fix')), h('dd', null, text(inc.fix)),
      h('dt', null, tr('ops.inc.prevention')), h('dd', null, text(inc.prevention))));
  }

  function drawReport() {
    const r = inc.report || {};
    const st = reportStatus(r, Date.now());
    if (st === 'none') {
      mount(reportView, h('p', { class: 'muted', testid: 'report-status', 'data-status': st }, tr('ops.report.not_yet')));
      return;
    }
    mount(reportView,
      h('p', null, h('span', { class: `badge ops-rep ops-rep-${st}`, testid: 'report-status', 'data-status': st },
        h('span', { class: 'ops-shape', 'aria-hidden': 'true' }), tr(`ops.report.st_${st}`))),
      dl([
        [tr('ops.report.due'), h('span', { testid: 'report-due' }, dueText(r.due))],
        [tr('ops.report.submitted'), r.submitted ? fmt.formatDateTime(r.submitted, { seconds: false }) : tr('ops.report.not_submitted')],
      ]),
      r.text ? h('div', { class: 'ops-report-text' }, h('h3', null, tr('ops.report.text')), h('p', { class: 'ops-pre wrap-any', testid: 'report-text' }, r.text)) : null);
    if (r.text && !reportForm.touched) reportForm.input.value = r.text;
  }

  // The due instant is the end of a working day (the next midnight): say
  // "by the end of 2026/04/09", not "2026/04/10 00:00".
  function dueText(due) {
    const t = Date.parse(due);
    if (Number.isNaN(t)) return '—';
    if (fmt.clockKey(t) === '00:00') return tr('ops.report.due_end', { date: fmt.formatDate(t - 1) });
    return fmt.formatDateTime(t, { seconds: false });
  }

  function drawTimeline() {
    const list = (inc.timeline || []).slice().reverse();
    if (!list.length) return mount(timelineBox, empty(tr('ops.inc.no_timeline')));
    return mount(timelineBox, h('ol', { class: 'ops-timeline', reversed: true },
      list.map((e) => h('li', { class: `ops-ev ops-ev-${EVENT_KINDS.includes(e.kind) ? e.kind : 'note'}`, 'data-kind': e.kind },
        h('div', { class: 'ops-ev-head' },
          h('time', { datetime: e.at || '' }, fmt.formatDateTime(e.at)),
          h('span', { class: 'ops-ev-kind' }, tr(`ops.event.${EVENT_KINDS.includes(e.kind) ? e.kind : 'note'}`)),
          e.by ? h('span', { class: 'muted' }, e.by === 'system' ? tr('ops.event.by_system') : e.by) : null),
        e.text ? h('p', { class: 'ops-pre wrap-any' }, e.text) : null))));
  }

  // ---- actions ------------------------------------------------------------------------

  async function post(body) {
    const r = await api.post(`/api/v1/incidents/${inc.id}/transitions`, body, { signal: ctx.signal });
    inc = r;
    fetchedAt = Date.now();
    draw();
    return r;
  }

  function atField() {
    const now = isoToWall(Date.now(), fmt.zone);
    return field({ label: tr('ops.act.at'), name: 'at', type: 'datetime-local', hint: tr('ops.act.at_hint'), attrs: { max: now }, testid: 'act-at' });
  }
  function noteField(label = tr('ops.act.note')) {
    return field({ label, name: 'note', type: 'textarea', testid: 'act-note', attrs: { maxlength: 8192, rows: 2 } });
  }
  function atValue(f) {
    const v = f.input.value;
    if (!v) return undefined;
    const iso = wallToIso(v, fmt.zone);
    if (!iso) throw localError('at', tr('ops.act.bad_at'));
    if (Date.parse(iso) > Date.now() + 60e3) throw localError('at', tr('ops.act.future_at'));
    return iso;
  }
  const val = (f) => (f.input.value.trim() ? f.input.value.trim() : undefined);

  async function act(a) {
    const fields = [];
    let build;
    const at = atField();
    const note = noteField();
    switch (a) {
      case 'respond':
      case 'onsite':
      case 'vendor_back':
        fields.push(at.wrap, note.wrap);
        build = () => ({ action: a, at: atValue(at), note: val(note) });
        break;
      case 'resolve': {
        const cause = field({ label: tr('ops.inc.cause'), name: 'cause', type: 'textarea', required: true, value: inc.cause || '', testid: 'act-cause', attrs: { maxlength: 8192 } });
        const fix = field({ label: tr('ops.inc.fix'), name: 'fix', type: 'textarea', value: inc.fix || '', testid: 'act-fix', attrs: { maxlength: 8192 } });
        const prev = field({ label: tr('ops.inc.prevention'), name: 'prevention', type: 'textarea', value: inc.prevention || '', testid: 'act-prevention', attrs: { maxlength: 8192 } });
        fields.push(cause.wrap, fix.wrap, prev.wrap, at.wrap);
        build = () => {
          if (!cause.input.value.trim()) throw localError('cause', tr('ops.act.need_cause'));
          return { action: a, cause: cause.input.value.trim(), fix: val(fix), prevention: val(prev), at: atValue(at) };
        };
        break;
      }
      case 'close':
      case 'reopen': {
        const n = noteField(a === 'reopen' ? tr('ops.act.reopen_why') : tr('ops.act.note'));
        fields.push(n.wrap);
        build = () => {
          if (a === 'reopen' && !val(n)) throw localError('note', tr('ops.act.need_reason'));
          return { action: a, note: val(n) };
        };
        break;
      }
      case 'vendor_wait': {
        const vendor = field({ label: tr('ops.act.vendor'), name: 'vendor', value: inc.vendor_name || '', required: !inc.vendor_name, testid: 'act-vendor', attrs: { maxlength: 200, autocomplete: 'organization' } });
        fields.push(vendor.wrap, at.wrap, note.wrap);
        build = () => {
          if (!val(vendor) && !inc.vendor_name) throw localError('vendor', tr('ops.act.need_vendor'));
          return { action: a, vendor: val(vendor), at: atValue(at), note: val(note) };
        };
        break;
      }
      case 'assign': {
        const listId = uid('people');
        const who = field({ label: tr('ops.act.assignee'), name: 'assignee', required: true, value: inc.assignee || '', testid: 'act-assignee', hint: tr('ops.act.assignee_hint'), attrs: { list: listId, autocomplete: 'off', maxlength: 64 } });
        const dl = h('datalist', { id: listId });
        peopleOptions(dl);
        const me = ctx.session && ctx.session.user ? button(tr('ops.act.assign_me'), () => { who.input.value = ctx.session.user; }, { class: 'small', testid: 'act-assign-me' }) : null;
        fields.push(who.wrap, dl, me, note.wrap);
        build = () => {
          if (!val(who)) throw localError('assignee', tr('ops.act.need_assignee'));
          return { action: a, assignee: val(who), note: val(note) };
        };
        break;
      }
      case 'level': {
        const lv = field({ label: tr('ops.inc.level'), name: 'level', type: 'select', value: String(inc.level), testid: 'act-level', options: LEVELS.map((l) => ({ value: String(l), label: tr(`ops.level.${l}`) })) });
        fields.push(lv.wrap, note.wrap);
        build = () => ({ action: a, level: Number(lv.input.value), note: val(note) });
        break;
      }
      default:
        return;
    }
    const ok = await formDialog({
      title: tr(`ops.act.${a}_title`, { id: inc.id }),
      intro: tr(`ops.act.${a}_intro`),
      fields,
      submit: tr(`ops.act.${a}`),
      cancel: tr('common.cancel'),
      testid: `dlg-${a}`,
      t: tr,
      lang,
      onSubmit: async () => {
        const body = build();
        for (const k of Object.keys(body)) if (body[k] === undefined) delete body[k];
        await post(body);
        return true;
      },
    });
    if (ok) {
      ctx.toast(tr(`ops.act.${a}_done`, { id: inc.id }));
      ctx.announce(tr(`ops.act.${a}_done`, { id: inc.id }));
    }
  }

  async function peopleOptions(list) {
    // The accounts list needs org.read; the roster's people are the fallback.
    const names = new Set();
    try {
      if (ctx.can('org.read')) {
        const r = await api.get('/api/v1/users', { signal: ctx.signal });
        for (const u of (r && r.items) || []) if (!u.disabled) names.add(u.name || u.user || u.login);
      }
    } catch {
      /* the field takes any login anyway */
    }
    if (ctx.session && ctx.session.user) names.add(ctx.session.user);
    for (const n of [...names].filter(Boolean).sort()) list.appendChild(h('option', { value: n }));
  }

  function makeNoteForm() {
    const f = field({ label: tr('ops.note.label'), name: 'text', type: 'textarea', testid: 'note-text', attrs: { maxlength: 8192, rows: 2 } });
    const submit = h('button', { type: 'submit', class: 'primary', testid: 'note-submit' }, tr('ops.note.add'));
    const el = h('form', { class: 'form ops-note-form', testid: 'note-form', novalidate: true, hidden: true }, f.wrap, h('div', { class: 'actions' }, submit));
    el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = f.input.value.trim();
      if (!text) {
        f.err.textContent = tr('ops.note.empty');
        f.err.hidden = false;
        f.input.setAttribute('aria-invalid', 'true');
        f.input.focus();
        return;
      }
      f.err.hidden = true;
      f.input.removeAttribute('aria-invalid');
      submit.disabled = true;
      try {
        inc = await api.post(`/api/v1/incidents/${inc.id}/notes`, { text }, { signal: ctx.signal });
        fetchedAt = Date.now();
        f.input.value = '';
        draw();
        ctx.toast(tr('ops.note.added'));
      } catch (err) {
        if (err.name !== 'AbortError') {
          f.err.textContent = describeError(err, tr, lang);
          f.err.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });
    return { el };
  }

  function makeReportForm() {
    const f = field({ label: tr('ops.report.text'), name: 'text', type: 'textarea', testid: 'report-input', hint: tr('ops.report.hint'), attrs: { maxlength: 65536, rows: 5 } });
    const submit = h('button', { type: 'submit', class: 'primary', testid: 'report-submit' }, tr('ops.report.submit'));
    const el = h('form', { class: 'form ops-report-form', testid: 'report-form', novalidate: true, hidden: true }, f.wrap, h('div', { class: 'actions' }, submit));
    const state = { el, input: f.input, touched: false };
    f.input.addEventListener('input', () => { state.touched = true; });
    el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const text = f.input.value.trim();
      if (!text) {
        f.err.textContent = tr('ops.report.empty');
        f.err.hidden = false;
        f.input.setAttribute('aria-invalid', 'true');
        f.input.focus();
        return;
      }
      f.err.hidden = true;
      f.input.removeAttribute('aria-invalid');
      submit.disabled = true;
      try {
        inc = await api.put(`/api/v1/incidents/${inc.id}/report`, { text }, { signal: ctx.signal });
        fetchedAt = Date.now();
        state.touched = false;
        draw();
        ctx.toast(tr('ops.report.saved'));
      } catch (err) {
        if (err.name !== 'AbortError') {
          f.err.textContent = describeError(err, tr, lang);
          f.err.hidden = false;
        }
      } finally {
        submit.disabled = false;
      }
    });
    return state;
  }

  draw();

  const stop = keepFresh(ctx, async () => {
    if (document.querySelector('dialog.ops-dialog')) return; // not under someone's hands
    const r = await api.get(`/api/v1/incidents/${inc.id}`, { signal: ctx.signal, background: true });
    if (r && r.updated === inc.updated && (r.timeline || []).length === (inc.timeline || []).length) {
      // Nothing changed but time: realign the clocks with the server.
      inc = r;
      fetchedAt = Date.now();
      ticker.clear();
      drawClocks();
      return;
    }
    inc = r;
    fetchedAt = Date.now();
    draw();
    ctx.announce(tr('ops.inc.changed', { id: inc.id }));
  }, { onEvent: (ev) => !(ev && ev.id && Number(ev.id) !== inc.id) });

  return () => {
    stop();
    ticker.stop();
    closeDialogs();
  };
}
