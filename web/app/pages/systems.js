// systems — the list of systems, a system's page (its state timeline,
// availability, monitors) and the form to create or edit one.

import { h, mount, pageHeader, stateBadge, table, loading, errorBox, empty, dl, button, confirmDialog, describeError, field, formErrorBox, clearErrors, setFieldError, showApiError } from '../ui.js';
import { STATES, TIERS, NAME_RE, stateRank, stateOf, compareText } from '../model.js';
import { periodPicker, fixedRange, FIXED } from './period.js';
import { targetOf } from './monitors.js';

/** Systems passing the filters, trouble first, key tier before general. */
export function filterSystems(systems, { q = '', tier = '', state = '' } = {}) {
  const needle = q.trim().toLowerCase();
  return systems.filter((s) =>
    (!tier || s.tier === tier) &&
    (!state || stateOf(s.state) === state) &&
    (!needle || String(s.name).toLowerCase().includes(needle) || String(s.title || '').toLowerCase().includes(needle)))
    .sort((a, b) => stateRank(a.state) - stateRank(b.state) || TIERS.indexOf(a.tier) - TIERS.indexOf(b.tier) ||
      compareText(a.title || a.name, b.title || b.name));
}

export async function renderList(main, ctx) {
  const { t, api, lang, live, query } = ctx;
  const f = { q: query.q || '', tier: query.tier || '', state: query.state || '' };
  let all = [];
  const newBtn = ctx.can('monitor.write') ? h('a', { href: '/systems/new', class: 'button primary', testid: 'new-system' }, t('system.new')) : null;
  const q = field({ label: t('common.search'), name: 'q', type: 'search', value: f.q, testid: 'system-search', attrs: { placeholder: t('system.search_ph'), autocomplete: 'off' } });
  const tier = field({ label: t('system.tier'), name: 'tier', type: 'select', value: f.tier, testid: 'filter-tier', options: [{ value: '', label: t('common.all') }, ...TIERS.map((x) => ({ value: x, label: t(`tier.${x}`) }))] });
  const state = field({ label: t('common.state'), name: 'state', type: 'select', value: f.state, testid: 'filter-state', options: [{ value: '', label: t('common.all') }, ...STATES.map((x) => ({ value: x, label: t(`state.${x}`) }))] });
  const summary = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', testid: 'system-count' });
  const listBox = h('div', { testid: 'system-list' }, loading(t));
  mount(main, pageHeader(t('nav.systems'), newBtn),
    h('form', { class: 'filters', role: 'search', onsubmit: (ev) => ev.preventDefault() }, q.wrap, tier.wrap, state.wrap),
    summary, listBox);

  function draw() {
    const rows = filterSystems(all, f);
    summary.textContent = t('system.count', { n: rows.length, total: all.length });
    if (!rows.length) return mount(listBox, empty(all.length ? t('system.no_match') : t('system.none')));
    mount(listBox, table({
      testid: 'systems-table',
      caption: t('nav.systems'),
      rowProps: (s) => ({ 'data-system': s.name, 'data-state': stateOf(s.state) }),
      columns: [
        { label: t('common.state'), render: (s) => stateBadge(s.state, t) },
        { label: t('system.name'), render: (s) => [h('a', { href: `/systems/${s.id}`, class: 'strong' }, s.title || s.name), s.title ? h('div', { class: 'muted small mono' }, s.name) : null] },
        { label: t('system.tier'), render: (s) => h('span', { class: `tag tier-${s.tier}` }, t(`tier.${s.tier}`)) },
        { label: t('system.monitors'), class: 'num', render: (s) => h('a', { href: `/monitors?system=${encodeURIComponent(s.name)}` }, String(s.monitors ?? 0)) },
      ],
      rows,
    }));
    return undefined;
  }
  const sync = () => ctx.setQuery(f);
  let typing = null;
  q.input.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => { f.q = q.input.value; sync(); draw(); }, 120);
  });
  tier.input.addEventListener('change', () => { f.tier = tier.input.value; sync(); draw(); });
  state.input.addEventListener('change', () => { f.state = state.input.value; sync(); draw(); });

  async function load() {
    const r = await api.get('/api/v1/systems', { signal: ctx.signal });
    all = r.items || [];
    draw();
  }
  try {
    await load();
  } catch (err) {
    if (err.name !== 'AbortError') mount(listBox, errorBox(err, t, lang));
    return undefined;
  }
  // A system's state is the server's judgement over its monitors: fetch the
  // list again shortly after a change.
  let timer = null;
  const off = live.on('state', () => {
    clearTimeout(timer);
    timer = setTimeout(() => load().catch(() => null), 800);
  });
  return () => {
    off();
    clearTimeout(timer);
    clearTimeout(typing);
  };
}

export async function renderDetail(main, ctx) {
  const { t, api, fmt, lang, live, params } = ctx;
  mount(main, loading(t));
  let s;
  let monitors = [];
  try {
    s = await api.get(`/api/v1/systems/${encodeURIComponent(params.id)}`, { signal: ctx.signal });
    monitors = (await api.get('/api/v1/monitors', { query: { system: s.name }, signal: ctx.signal })).items || [];
  } catch (err) {
    if (err.name !== 'AbortError') mount(main, pageHeader(t('nav.systems')), errorBox(err, t, lang), h('p', null, h('a', { href: '/systems' }, t('system.back'))));
    return undefined;
  }
  ctx.setTitle(s.title || s.name);
  let period = { key: '24h', ...fixedRange('24h'), label: t('period.24h') };
  const head = h('div');
  const availBox = h('div', { class: 'avail-cards', testid: 'availability' });
  const chartBox = h('div', { class: 'charts' });
  const monBox = h('div', { testid: 'system-monitors' });

  function drawHead() {
    const actions = [];
    if (ctx.can('monitor.write')) {
      actions.push(h('a', { href: `/monitors/new?system=${encodeURIComponent(s.name)}`, class: 'button primary', testid: 'new-monitor' }, t('monitor.new')));
      if (!s.provisioned) {
        actions.push(h('a', { href: `/systems/${s.id}/edit`, class: 'button', testid: 'edit-system' }, t('common.edit')));
        actions.push(button(t('common.delete'), async () => {
          const ok = await confirmDialog({ title: t('system.delete_q', { name: s.title || s.name }), message: t('system.delete_text'), confirm: t('common.delete'), cancel: t('common.cancel'), danger: true });
          if (!ok) return;
          try {
            await api.del(`/api/v1/systems/${s.id}`, { signal: ctx.signal });
            ctx.toast(t('system.deleted', { name: s.title || s.name }));
            ctx.navigate('/systems');
          } catch (err) {
            if (err.name !== 'AbortError') ctx.toast(describeError(err, t, lang), 'error');
          }
        }, { class: 'danger', testid: 'delete-system' }));
      }
    }
    mount(head,
      pageHeader(s.title || s.name, ...actions),
      h('div', { class: 'status-line', testid: 'system-state' },
        stateBadge(s.state, t, { class: `badge big state-${stateOf(s.state)}` }),
        h('span', { class: `tag tier-${s.tier}` }, t(`tier.${s.tier}`)),
        h('span', { class: 'muted mono' }, s.name),
        s.provisioned ? h('span', { class: 'muted' }, t('monitor.provisioned')) : null));
  }

  function drawAvail() {
    const ranges = [['24h', fixedRange('24h')], ['7d', fixedRange('7d')], ['30d', fixedRange('30d')]];
    if (period.key === 'custom') ranges.push(['custom', period]);
    mount(availBox, ranges.map(([k, r]) => {
      const v = h('p', { class: 'avail-n' }, '…');
      const sub = h('p', { class: 'muted small' });
      api.get(`/api/v1/systems/${s.id}/availability`, { query: { from: r.from, to: r.to }, signal: ctx.signal }).then((a) => {
        v.textContent = fmt.formatPercent(a.availability);
        if (typeof a.availability === 'number' && a.availability < 99.9) v.classList.add('avail-low');
        sub.textContent = t('monitor.avail_detail', { outages: a.outages, down: fmt.formatDuration(a.down_s), excluded: fmt.formatDuration(a.excluded_s) });
      }).catch((err) => {
        if (err.name !== 'AbortError') v.textContent = describeError(err, t, lang);
      });
      return h('div', { class: 'avail-card', testid: `avail-${k}` }, h('h3', null, k === 'custom' ? period.label : t(`period.${k}`)), v, sub);
    }));
  }

  function drawChart() {
    const alt = t('system.chart_timeline', { period: period.label });
    const img = h('img', { class: 'chart chart-timeline', alt, testid: 'chart-timeline', src: `/api/v1/systems/${s.id}/chart/timeline.svg?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}&lang=${encodeURIComponent(lang)}` });
    img.addEventListener('error', () => img.replaceWith(h('p', { class: 'chart-missing', role: 'img', 'aria-label': alt }, t('monitor.chart_missing'))));
    mount(chartBox, h('figure', { class: 'chart-box' }, img, h('figcaption', null, alt)));
  }

  function drawMonitors() {
    const rows = monitors.slice().sort((a, b) => stateRank(a.state) - stateRank(b.state) || compareText(a.name, b.name));
    if (!rows.length) return mount(monBox, empty(t('system.no_monitors')));
    mount(monBox, table({
      testid: 'system-monitors-table',
      caption: t('system.monitors'),
      rowProps: (m) => ({ 'data-monitor': m.name, 'data-state': stateOf(m.state) }),
      columns: [
        { label: t('common.state'), render: (m) => stateBadge(m.state, t) },
        { label: t('monitor.name'), render: (m) => [h('a', { href: `/monitors/${m.id}`, class: 'strong' }, m.title || m.name), m.critical ? h('span', { class: 'tag' }, t('mf.critical')) : null] },
        { label: t('monitor.type'), render: (m) => t(`type.${m.type}`) },
        { label: t('monitor.target'), class: 'wrap-any', render: (m) => h('span', { class: 'mono small' }, targetOf(m)) },
        { label: t('monitor.reason'), render: (m) => m.state_reason || '—' },
      ],
      rows,
    }));
    return undefined;
  }

  function drawPeriod() {
    drawAvail();
    drawChart();
  }

  mount(main,
    h('p', { class: 'crumbs' }, h('a', { href: '/systems' }, t('system.back'))),
    head,
    h('section', { class: 'card', 'aria-labelledby': 'sys-avail' }, h('h2', { id: 'sys-avail' }, t('monitor.availability')), availBox),
    h('section', { class: 'card', 'aria-labelledby': 'sys-hist' },
      h('div', { class: 'section-head' }, h('h2', { id: 'sys-hist' }, t('system.history')),
        periodPicker(ctx, { value: '24h', onChange: (p) => { period = p; drawPeriod(); } })),
      chartBox),
    h('section', { class: 'card', 'aria-labelledby': 'sys-mon' }, h('h2', { id: 'sys-mon' }, t('system.monitors')), monBox));
  drawHead();
  drawPeriod();
  drawMonitors();

  let timer = null;
  const off = live.on('state', (ev) => {
    const m = monitors.find((x) => x.id === ev.monitor_id);
    if (!m) return;
    m.state = ev.state;
    m.state_reason = ev.reason;
    m.state_since = ev.since;
    drawMonitors();
    clearTimeout(timer);
    timer = setTimeout(async () => {
      try {
        s = await api.get(`/api/v1/systems/${s.id}`, { signal: ctx.signal });
        drawHead();
        if (period.key in FIXED) period = { ...period, ...fixedRange(period.key) };
        drawChart();
      } catch {
        /* next change tries again */
      }
    }, 1000);
  });
  return () => {
    off();
    clearTimeout(timer);
  };
}

export async function renderForm(main, ctx) {
  const { t, api, lang, params } = ctx;
  const editing = Boolean(params.id);
  let orig = null;
  if (editing) {
    mount(main, loading(t));
    try {
      orig = await api.get(`/api/v1/systems/${encodeURIComponent(params.id)}`, { signal: ctx.signal });
    } catch (err) {
      if (err.name !== 'AbortError') mount(main, pageHeader(t('system.edit')), errorBox(err, t, lang));
      return;
    }
  }
  const title = editing ? t('system.edit_title', { name: orig.title || orig.name }) : t('system.new');
  ctx.setTitle(title);
  if (orig && orig.provisioned) {
    mount(main, pageHeader(title), h('p', { class: 'notice' }, t('system.provisioned_note')), h('p', null, h('a', { href: `/systems/${orig.id}` }, t('common.back'))));
    return;
  }
  const o = orig || {};
  const name = field({ label: t('system.f_name'), name: 'name', required: true, value: o.name || '', hint: t('mf.name_hint'), testid: 'sf-name', attrs: { autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: '64' } });
  const ttl = field({ label: t('system.f_title'), name: 'title', value: o.title || '', testid: 'sf-title', attrs: { maxlength: '200' } });
  const tier = field({ label: t('system.tier'), name: 'tier', type: 'select', value: o.tier || 'general', testid: 'sf-tier', hint: t('system.tier_hint'), options: TIERS.map((x) => ({ value: x, label: t(`tier.${x}`) })) });
  const btn = h('button', { type: 'submit', class: 'primary', testid: 'system-save' }, editing ? t('common.save') : t('system.create'));
  const form = h('form', { class: 'form', novalidate: true, testid: 'system-form' }, formErrorBox(), name.wrap, ttl.wrap, tier.wrap,
    h('div', { class: 'actions' }, btn, h('a', { href: editing ? `/systems/${o.id}` : '/systems', class: 'button' }, t('common.cancel'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const n = name.input.value.trim();
    if (!n) return setFieldError(name.wrap, t('mf.need')), name.input.focus();
    if (!NAME_RE.test(n)) return setFieldError(name.wrap, t('mf.bad_name')), name.input.focus();
    const body = { name: n, tier: tier.input.value };
    if (ttl.input.value.trim()) body.title = ttl.input.value.trim();
    btn.disabled = true;
    try {
      const s = editing ? await api.put(`/api/v1/systems/${o.id}`, body, { signal: ctx.signal }) : await api.post('/api/v1/systems', body, { signal: ctx.signal });
      ctx.toast(t('system.saved', { name: s.title || s.name }));
      ctx.navigate(`/systems/${s.id}`);
    } catch (err) {
      if (err.name === 'AbortError') return;
      btn.disabled = false;
      showApiError(form, err, t, lang);
    }
    return undefined;
  });
  mount(main, h('p', { class: 'crumbs' }, h('a', { href: editing ? `/systems/${o.id}` : '/systems' }, t('common.back'))), pageHeader(title), form);
}
