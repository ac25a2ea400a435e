// sla — SLA 指标: the figures the contract's assessment reads, for a month,
// quarter, half year or year and one system or all (GET /api/v1/sla):
// incidents by level and source, the response rate, compliance per clock,
// mean and p90 times, breaches, fault reports on time and late, the fault
// rate. Beside them the SLA policy in force (targets per level) and a small
// working-day calculator (is a date a working day; a date plus N working
// days), since every deadline follows China's holidays and make-up days.

import { h, mount, pageHeader, loading, errorBox, empty, table, segmented, field, button, describeError, setFieldError, clearErrors } from '../ui.js';
import { PERIOD_KINDS, LEVELS, SOURCES, CLOCKS, parsePeriod, periodString, periodOf, shiftPeriod, periodText, periodInFuture, ratePercent } from './model.js';
import { section, levelTag } from './common.js';
import { durationSeconds } from '../model.js';

export async function renderSla(main, ctx) {
  const { tr, api, fmt, lang } = ctx;
  const today = fmt.dayKey(new Date());
  let period = parsePeriod(ctx.query.period || '') || periodOf('month', today);
  let system = ctx.query.system || '';

  const kindSeg = segmented({
    label: tr('ops.period.kind'),
    value: period.kind,
    testid: 'sla-kind',
    options: PERIOD_KINDS.map((k) => ({ value: k, label: tr(`ops.period.${k}`), testid: `sla-kind-${k}` })),
    onChange: (k) => {
      period = periodOf(k, today);
      load();
    },
  });
  const label = h('h2', { class: 'ops-period-name', testid: 'sla-period', 'aria-live': 'polite' });
  const prev = button(tr('ops.period.prev'), () => { period = shiftPeriod(period, -1); load(); }, { class: 'small', testid: 'sla-prev' });
  const nextBtn = button(tr('ops.period.next'), () => { period = shiftPeriod(period, 1); load(); }, { class: 'small', testid: 'sla-next' });
  const sys = field({ label: tr('ops.inc.system'), name: 'system', type: 'select', testid: 'sla-system', options: [{ value: '', label: tr('ops.sla.all_systems') }] });
  sys.input.addEventListener('change', () => { system = sys.input.value; load(); });
  const figures = h('div', { testid: 'sla-figures' }, loading(tr));
  const policyBox = h('div', { testid: 'sla-policy' }, loading(tr));

  mount(main,
    pageHeader(tr('ops.nav.sla')),
    h('p', { class: 'muted' }, tr('ops.sla.intro')),
    h('div', { class: 'card ops-period-bar' },
      kindSeg,
      h('div', { class: 'ops-period-step' }, prev, label, nextBtn),
      h('div', { class: 'ops-period-sys' }, sys.wrap)),
    figures,
    h('div', { class: 'grid-2' },
      section(tr('ops.sla.policy'), policyBox, { testid: 'sla-policy-card' }),
      section(tr('ops.cal.title'), workdayTool(ctx), { testid: 'workday-tool' })));

  api.get('/api/v1/systems', { signal: ctx.signal }).then((r) => {
    for (const s of (r && r.items) || []) sys.input.appendChild(h('option', { value: s.name }, s.title ? `${s.title} (${s.name})` : s.name));
    sys.input.value = system;
  }).catch(() => null);

  api.get('/api/v1/sla/policy', { signal: ctx.signal }).then((p) => mount(policyBox, policyView(p))).catch((err) => {
    if (err.name !== 'AbortError') mount(policyBox, errorBox(err, tr, lang));
  });

  let seq = 0;
  async function load() {
    const my = ++seq;
    const ps = periodString(period);
    const pt = periodText(period);
    // A month reads best as the locale writes it (2026年11月, November 2026).
    label.textContent = period.kind === 'month' ? fmt.formatMonth(period.year, period.n) : tr(pt.key, pt.params);
    for (const b of kindSeg.children) b.setAttribute('aria-pressed', String(b.dataset.value === period.kind));
    nextBtn.disabled = periodInFuture(shiftPeriod(period, 1), today);
    ctx.setQuery({ period: ps, system });
    mount(figures, loading(tr));
    try {
      const f = await api.get('/api/v1/sla', { query: { period: ps, system }, signal: ctx.signal });
      if (my !== seq) return;
      mount(figures, figuresView(f));
    } catch (err) {
      if (my === seq && err.name !== 'AbortError') mount(figures, errorBox(err, tr, lang));
    }
  }

  const pct = (v) => {
    const p = ratePercent(v);
    return p === null ? tr('ops.sla.na') : fmt.formatPercent(p, 2);
  };
  const dur = (ms) => (typeof ms === 'number' && ms >= 0 ? fmt.formatDuration(ms / 1000) : tr('ops.sla.na'));
  const n = (v) => (typeof v === 'number' ? fmt.formatNumber(v) : '—');

  function kpi(key, value, { bad = false, testid } = {}) {
    return h('div', { class: `ops-kpi${bad ? ' ops-kpi-bad' : ''}`, testid: testid || `kpi-${key}` },
      h('div', { class: 'ops-kpi-n' }, value), h('div', { class: 'ops-kpi-label' }, tr(`ops.sla.${key}`)));
  }

  function figuresView(f) {
    const breaches = Array.isArray(f.breaches) ? f.breaches : [];
    const late = (f.reports_late || 0) + (f.reports_overdue || 0);
    const head = h('div', { class: 'ops-kpis' },
      kpi('total', n(f.total)),
      kpi('response_rate', pct(f.response_rate)),
      kpi('breaches', n(breaches.length), { bad: breaches.length > 0 }),
      kpi('reports_late', n(late), { bad: late > 0 }),
      kpi('fault_rate', pct(f.fault_rate)));
    const clocks = table({
      testid: 'sla-clocks',
      caption: tr('ops.sla.compliance'),
      columns: [
        { label: tr('ops.sla.clock'), render: (k) => tr(`ops.clock.${k}_title`) },
        { label: tr('ops.sla.kept'), class: 'num', render: (k) => n(cl(k).kept) },
        { label: tr('ops.sla.met'), class: 'num', render: (k) => n(cl(k).met) },
        { label: tr('ops.sla.missed'), class: 'num', render: (k) => n(cl(k).missed) },
        { label: tr('ops.sla.running'), class: 'num', render: (k) => n(cl(k).running) },
        { label: tr('ops.sla.compliance_rate'), class: 'num', render: (k) => pct(cl(k).compliance) },
      ],
      rows: CLOCKS,
    });
    function cl(k) {
      return (f.clocks && f.clocks[k]) || {};
    }
    const times = h('dl', { class: 'facts' },
      h('dt', null, tr('ops.sla.responded')), h('dd', null, tr('ops.sla.responded_text', { n: n(f.responded), in_time: n(f.responded_in_time), total: n(f.total) })),
      h('dt', null, tr('ops.sla.respond_mean')), h('dd', null, dur(f.respond_mean_ms)),
      h('dt', null, tr('ops.sla.respond_p90')), h('dd', null, dur(f.respond_p90_ms)),
      h('dt', null, tr('ops.sla.resolve_mean')), h('dd', null, dur(f.resolve_mean_ms)),
      h('dt', null, tr('ops.sla.resolve_p90')), h('dd', null, dur(f.resolve_p90_ms)),
      h('dt', null, tr('ops.sla.down')), h('dd', null, dur(f.down_ms)),
      h('dt', null, tr('ops.sla.planned')), h('dd', null, dur(f.planned_ms)),
      h('dt', null, tr('ops.sla.fault_rate')), h('dd', null, pct(f.fault_rate)));
    const byLevel = h('ul', { class: 'ops-bars' }, LEVELS.map((l) => h('li', null, levelTag(l, tr), h('span', { class: 'ops-bar-n' }, n((f.by_level || {})[l] ?? (f.by_level || {})[String(l)] ?? 0)))));
    const bySource = h('ul', { class: 'ops-bars' }, SOURCES.map((s) => h('li', null, h('span', null, tr(`ops.source.${s}`)), h('span', { class: 'ops-bar-n' }, n((f.by_source || {})[s] ?? 0)))));
    const reports = h('dl', { class: 'facts' },
      h('dt', null, tr('ops.sla.reports_due')), h('dd', null, n(f.reports_due)),
      h('dt', null, tr('ops.sla.reports_on_time')), h('dd', null, n(f.reports_on_time)),
      h('dt', null, tr('ops.sla.reports_late_submitted')), h('dd', null, n(f.reports_late)),
      h('dt', null, tr('ops.sla.reports_overdue')), h('dd', null, n(f.reports_overdue)));
    const br = breaches.length
      ? table({
        testid: 'sla-breaches',
        caption: tr('ops.sla.breach_list'),
        columns: [
          { label: tr('ops.sla.incident'), render: (b) => h('a', { href: `/incidents/${b.incident_id}` }, `#${b.incident_id}`) },
          { label: tr('ops.inc.level'), render: (b) => levelTag(b.level, tr) },
          { label: tr('ops.sla.clock'), render: (b) => tr(`ops.clock.${CLOCKS.includes(b.clock) ? b.clock : 'resolve'}_title`) },
          { label: tr('ops.sla.breach_at'), render: (b) => fmt.formatDateTime(b.at) },
        ],
        rows: breaches,
      })
      : empty(tr('ops.sla.no_breaches'));
    return h('div', null,
      f.total === 0 ? h('p', { class: 'notice' }, tr('ops.sla.none_in_period')) : null,
      head,
      h('div', { class: 'grid-2' },
        section(tr('ops.sla.compliance'), clocks),
        section(tr('ops.sla.times'), times)),
      h('div', { class: 'grid-2' },
        section(tr('ops.sla.by_level'), byLevel),
        section(tr('ops.sla.by_source'), bySource)),
      h('div', { class: 'grid-2' },
        section(tr('ops.sla.reports'), reports),
        section(tr('ops.sla.breach_list'), br)),
      f.from && f.to ? h('p', { class: 'muted small' }, tr('ops.sla.range', { from: fmt.formatDateTime(f.from, { seconds: false }), to: fmt.formatDateTime(f.to, { seconds: false }) })) : null);
  }

  // "30m" -> "30 分"; "0s", "0" or nothing -> not kept.
  function target(v) {
    const s = durationSeconds(String(v || ''));
    if (v === '0' || !v || s === 0) return tr('ops.sla.not_kept');
    return Number.isNaN(s) ? String(v) : fmt.formatDuration(s);
  }

  function policyView(p) {
    const levels = (p && p.levels) || {};
    const rows = LEVELS.map((l) => ({ l, v: levels[l] || levels[String(l)] || {} }));
    return h('div', null,
      table({
        testid: 'sla-policy-table',
        caption: tr('ops.sla.policy'),
        columns: [
          { label: tr('ops.inc.level'), render: (r) => levelTag(r.l, tr) },
          ...CLOCKS.map((k) => ({ label: tr(`ops.clock.${k}_title`), render: (r) => target(r.v[k]) })),
        ],
        rows,
      }),
      h('p', { class: 'muted small' }, tr('ops.sla.policy_note', {
        warn: p && p.warn_pct !== undefined ? p.warn_pct : 75,
        hours: p && p.hours === 'workhours' ? tr('ops.sla.hours_work', { from: p.work_start || '', to: p.work_end || '' }) : tr('ops.sla.hours_24x7'),
      })));
  }

  await load();
  return undefined;
}

/** The working-day calculator: is DATE a working day; DATE + N working days. */
export function workdayTool(ctx) {
  const { tr, api, fmt, lang } = ctx;
  const today = fmt.dayKey(new Date());
  const date = field({ label: tr('ops.cal.date'), name: 'date', type: 'date', value: today, testid: 'cal-date' });
  const days = field({ label: tr('ops.cal.days'), name: 'days', type: 'number', value: 3, testid: 'cal-days', attrs: { min: 0, max: 366, step: 1, inputmode: 'numeric' } });
  const out = h('div', { class: 'ops-cal-out', role: 'status', 'aria-live': 'polite', testid: 'cal-result' });
  const isBtn = h('button', { type: 'button', testid: 'cal-is' }, tr('ops.cal.is_workday'));
  const addBtn = h('button', { type: 'submit', class: 'primary', testid: 'cal-add' }, tr('ops.cal.add'));
  const form = h('form', { class: 'form ops-cal-form', novalidate: true }, date.wrap, days.wrap, h('div', { class: 'actions' }, isBtn, addBtn), out);

  const dateText = (d) => fmt.formatDate(`${d}T12:00:00Z`);
  const weekday = (d) => fmt.weekdayNames()[(new Date(`${d}T12:00:00Z`).getUTCDay() + 6) % 7];
  const checkDate = () => {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date.input.value)) {
      setFieldError(date.wrap, tr('ops.cal.need_date'));
      date.input.focus();
      return null;
    }
    return date.input.value;
  };

  isBtn.addEventListener('click', async () => {
    clearErrors(form);
    const d = checkDate();
    if (!d) return;
    try {
      const r = await api.get('/api/v1/calendar/workday', { query: { date: d }, signal: ctx.signal });
      const why = r.name ? r.name : tr(`ops.cal.kind_${['off', 'work', 'weekend', 'weekday'].includes(r.kind) ? r.kind : 'weekday'}`);
      mount(out, h('p', { class: r.workday ? 'ok-box' : 'notice', testid: 'cal-is-result', 'data-workday': String(Boolean(r.workday)) },
        tr(r.workday ? 'ops.cal.is_yes' : 'ops.cal.is_no', { date: dateText(r.date || d), weekday: weekday(r.date || d), why })),
      r.known === false ? h('p', { class: 'muted small' }, tr('ops.cal.unknown_year')) : null);
    } catch (err) {
      if (err.name !== 'AbortError') mount(out, h('p', { class: 'error-box' }, describeError(err, tr, lang)));
    }
  });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const d = checkDate();
    if (!d) return;
    const n = Number(days.input.value);
    if (!Number.isInteger(n) || n < 0 || n > 366) {
      setFieldError(days.wrap, tr('ops.cal.bad_days'));
      days.input.focus();
      return;
    }
    try {
      const r = await api.get('/api/v1/calendar/add', { query: { date: d, days: n }, signal: ctx.signal });
      mount(out, h('p', { class: 'ok-box', testid: 'cal-add-result' }, tr('ops.cal.add_result', { date: dateText(d), n, result: dateText(r.result), weekday: weekday(r.result) })),
        r.known === false ? h('p', { class: 'muted small' }, tr('ops.cal.unknown_year')) : null);
    } catch (err) {
      if (err.name !== 'AbortError') mount(out, h('p', { class: 'error-box' }, describeError(err, tr, lang)));
    }
  });
  return h('div', null, h('p', { class: 'muted small' }, tr('ops.cal.intro')), form);
}
