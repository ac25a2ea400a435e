// monitors — the list (search and filters kept in the URL) and the monitor
// page: state, target, charts drawn by the server (latency, state timeline),
// availability over 24 h / 7 d / 30 d / chosen dates, the state changes of
// the period and the recent results, paged.

import { h, mount, pageHeader, stateBadge, table, loading, errorBox, empty, dl, button, confirmDialog, describeError, field, copyButton } from '../ui.js';
import { STATES, TYPES, stateRank, stateOf, compareText } from '../model.js';
import { fetchAll } from '../api.js';
import { periodPicker, fixedRange, FIXED } from './period.js';

export { render as renderForm } from './monitor_form.js';

const PAGE = 100;

/** The monitors that pass the list's filters, in display order. */
export function filterMonitors(monitors, { q = '', system = '', type = '', state = '' } = {}) {
  const needle = q.trim().toLowerCase();
  return monitors.filter((m) =>
    (!system || m.system === system) &&
    (!type || m.type === type) &&
    (!state || stateOf(m.state) === state) &&
    (!needle || String(m.name).toLowerCase().includes(needle) || String(m.title || '').toLowerCase().includes(needle) ||
      String(targetOf(m)).toLowerCase().includes(needle)))
    .sort((a, b) => stateRank(a.state) - stateRank(b.state) || compareText(a.name, b.name));
}

/** What a monitor watches, in one line. */
export function targetOf(m) {
  switch (m.type) {
    case 'http': return `${m.method && m.method !== 'GET' ? m.method + ' ' : ''}${m.url || ''}`;
    case 'tls': return `${m.host || ''}:${m.port || 443}`;
    case 'tcp': return `${m.host || ''}:${m.port || ''}`;
    case 'dns': return `${m.host || ''} ${m.record || 'A'}${m.server ? ' @' + m.server : ''}`;
    case 'ping': return m.host || '';
    case 'postgres': return m.conninfo || '';
    case 'heartbeat': return m.push_url || '';
    default: return '';
  }
}

// ---- the list ----------------------------------------------------------------------

export async function renderList(main, ctx) {
  const { t, api, lang, live, query } = ctx;
  const f = { q: query.q || '', system: query.system || '', type: query.type || '', state: query.state || '' };
  let page = Math.max(0, Number(query.page || 1) - 1) || 0;
  let all = [];
  let systems = [];

  const canOperate = ctx.can('monitor.operate');
  const newBtn = ctx.can('monitor.write') ? h('a', { href: '/monitors/new', class: 'button primary', testid: 'new-monitor' }, t('monitor.new')) : null;
  const q = field({ label: t('common.search'), name: 'q', type: 'search', value: f.q, testid: 'monitor-search', attrs: { placeholder: t('monitor.search_ph'), autocomplete: 'off' } });
  const sysSel = field({ label: t('monitor.system'), name: 'system', type: 'select', options: [{ value: '', label: t('common.all') }], testid: 'filter-system' });
  const typeSel = field({ label: t('monitor.type'), name: 'type', type: 'select', value: f.type, testid: 'filter-type', options: [{ value: '', label: t('common.all') }, ...TYPES.map((x) => ({ value: x, label: t(`type.${x}`) }))] });
  const stateSel = field({ label: t('common.state'), name: 'state', type: 'select', value: f.state, testid: 'filter-state', options: [{ value: '', label: t('common.all') }, ...STATES.map((x) => ({ value: x, label: t(`state.${x}`) }))] });
  const filters = h('form', { class: 'filters', role: 'search', testid: 'monitor-filters', onsubmit: (ev) => ev.preventDefault() },
    q.wrap, sysSel.wrap, typeSel.wrap, stateSel.wrap);
  const summary = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', testid: 'monitor-count' });
  const listBox = h('div', { testid: 'monitor-list' }, loading(t));
  const pager = h('nav', { class: 'pager', 'aria-label': t('common.pages') });
  mount(main, pageHeader(t('nav.monitors'), newBtn), filters, summary, listBox, pager);

  function draw() {
    const rows = filterMonitors(all, f);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    if (page >= pages) page = pages - 1;
    const shown = rows.slice(page * PAGE, page * PAGE + PAGE);
    summary.textContent = rows.length
      ? t('monitor.count', { n: rows.length, total: all.length, from: page * PAGE + 1, to: page * PAGE + shown.length })
      : t('monitor.count_none', { total: all.length });
    const sysTitle = new Map(systems.map((s) => [s.name, s.title || s.name]));
    if (!rows.length) mount(listBox, empty(all.length ? t('monitor.no_match') : t('monitor.none')));
    else {
      mount(listBox, table({
        testid: 'monitors-table',
        caption: t('nav.monitors'),
        rowProps: (m) => ({ 'data-monitor': m.name, 'data-state': stateOf(m.state) }),
        columns: [
          { label: t('common.state'), render: (m) => stateBadge(m.state, t) },
          { label: t('monitor.name'), render: (m) => [h('a', { href: `/monitors/${m.id}`, class: 'strong' }, m.title || m.name), m.title ? h('div', { class: 'muted small mono' }, m.name) : null] },
          { label: t('monitor.system'), render: (m) => h('a', { href: `/monitors?system=${encodeURIComponent(m.system)}` }, sysTitle.get(m.system) || m.system) },
          { label: t('monitor.type'), render: (m) => t(`type.${m.type}`) },
          { label: t('monitor.target'), class: 'wrap-any', render: (m) => h('span', { class: 'mono small' }, targetOf(m)) },
          { label: t('monitor.reason'), render: (m) => m.state_reason || '—' },
          canOperate ? { label: t('common.actions'), render: (m) => pauseButton(m) } : null,
        ].filter(Boolean),
        rows: shown,
      }));
    }
    mount(pager,
      page > 0 ? button(t('common.prev'), () => { page--; sync(); draw(); }, { testid: 'page-prev' }) : null,
      pages > 1 ? h('span', { class: 'muted' }, t('common.page_of', { page: page + 1, pages })) : null,
      page < pages - 1 ? button(t('common.next'), () => { page++; sync(); draw(); }, { testid: 'page-next' }) : null);
  }

  function pauseButton(m) {
    return button(m.paused ? t('monitor.resume') : t('monitor.pause'), async (ev) => {
      ev.target.disabled = true;
      try {
        const r = await api.post(`/api/v1/monitors/${m.id}/${m.paused ? 'resume' : 'pause'}`, undefined, { signal: ctx.signal });
        Object.assign(m, r);
        ctx.toast(r.paused ? t('monitor.paused_ok', { name: m.title || m.name }) : t('monitor.resumed_ok', { name: m.title || m.name }));
        draw();
      } catch (err) {
        ev.target.disabled = false;
        if (err.name !== 'AbortError') ctx.toast(describeError(err, t, lang), 'error');
      }
    }, { class: 'small', testid: `pause-${m.name}` });
  }

  function sync() {
    ctx.setQuery({ ...f, page: page ? page + 1 : '' });
  }

  let typing = null;
  q.input.addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      f.q = q.input.value;
      page = 0;
      sync();
      draw();
    }, 120);
  });
  for (const [sel, key] of [[sysSel, 'system'], [typeSel, 'type'], [stateSel, 'state']]) {
    sel.input.addEventListener('change', () => {
      f[key] = sel.input.value;
      page = 0;
      sync();
      draw();
    });
  }

  try {
    const [mr, sr] = await Promise.all([api.get('/api/v1/monitors', { signal: ctx.signal }), api.get('/api/v1/systems', { signal: ctx.signal })]);
    all = mr.items || [];
    systems = sr.items || [];
  } catch (err) {
    if (err.name !== 'AbortError') mount(listBox, errorBox(err, t, lang));
    return undefined;
  }
  for (const s of systems) sysSel.input.appendChild(h('option', { value: s.name }, s.title ? `${s.title} (${s.name})` : s.name));
  sysSel.input.value = f.system;
  draw();

  let timer = null;
  const off = live.on('state', (ev) => {
    const m = all.find((x) => x.id === ev.monitor_id);
    if (!m) return;
    m.state = ev.state;
    m.state_since = ev.since;
    m.state_reason = ev.reason;
    if (!timer) timer = setTimeout(() => { timer = null; draw(); }, 300);
  });
  return () => {
    off();
    clearTimeout(timer);
    clearTimeout(typing);
  };
}

// ---- one monitor -------------------------------------------------------------------

export async function renderDetail(main, ctx) {
  const { t, api, fmt, lang, live, params } = ctx;
  const id = params.id;
  mount(main, loading(t));
  let m;
  try {
    m = await api.get(`/api/v1/monitors/${encodeURIComponent(id)}`, { signal: ctx.signal });
  } catch (err) {
    if (err.name !== 'AbortError') mount(main, pageHeader(t('nav.monitors')), errorBox(err, t, lang), h('p', null, h('a', { href: '/monitors' }, t('monitor.back'))));
    return undefined;
  }
  ctx.setTitle(m.title || m.name);
  let period = { key: '24h', ...fixedRange('24h'), label: t('period.24h') };

  const head = h('div');
  const facts = h('section', { class: 'card', 'aria-labelledby': 'mon-facts' });
  const availBox = h('div', { class: 'avail-cards', testid: 'availability' });
  const charts = h('div', { class: 'charts' });
  const eventsBox = h('div', { testid: 'state-changes' });
  const resultsBox = h('div', { testid: 'results' });

  mount(main,
    h('p', { class: 'crumbs' }, h('a', { href: '/monitors' }, t('monitor.back'))),
    head,
    facts,
    h('section', { class: 'card', 'aria-labelledby': 'mon-avail' },
      h('h2', { id: 'mon-avail' }, t('monitor.availability')),
      availBox),
    h('section', { class: 'card', 'aria-labelledby': 'mon-charts' },
      h('div', { class: 'section-head' },
        h('h2', { id: 'mon-charts' }, t('monitor.history')),
        periodPicker(ctx, { value: '24h', onChange: (p) => { period = p; drawPeriod(); } })),
      charts,
      h('h3', null, t('monitor.state_changes')),
      eventsBox),
    h('section', { class: 'card', 'aria-labelledby': 'mon-results' },
      h('h2', { id: 'mon-results' }, t('monitor.results')),
      resultsBox));

  function drawHead() {
    const actions = [];
    if (ctx.can('monitor.operate')) {
      actions.push(button(m.paused ? t('monitor.resume') : t('monitor.pause'), async (ev) => {
        ev.target.disabled = true;
        try {
          m = await api.post(`/api/v1/monitors/${m.id}/${m.paused ? 'resume' : 'pause'}`, undefined, { signal: ctx.signal });
          ctx.toast(m.paused ? t('monitor.paused_ok', { name: m.title || m.name }) : t('monitor.resumed_ok', { name: m.title || m.name }));
          drawHead();
          drawFacts();
        } catch (err) {
          ev.target.disabled = false;
          if (err.name !== 'AbortError') ctx.toast(describeError(err, t, lang), 'error');
        }
      }, { testid: m.paused ? 'resume-monitor' : 'pause-monitor' }));
    }
    if (ctx.can('monitor.write') && !m.provisioned) {
      actions.push(h('a', { href: `/monitors/${m.id}/edit`, class: 'button', testid: 'edit-monitor' }, t('common.edit')));
      actions.push(button(t('common.delete'), async () => {
        const ok = await confirmDialog({ title: t('monitor.delete_q', { name: m.title || m.name }), message: t('monitor.delete_text'), confirm: t('common.delete'), cancel: t('common.cancel'), danger: true });
        if (!ok) return;
        try {
          await api.del(`/api/v1/monitors/${m.id}`, { signal: ctx.signal });
          ctx.toast(t('monitor.deleted', { name: m.title || m.name }));
          ctx.navigate('/monitors');
        } catch (err) {
          if (err.name !== 'AbortError') ctx.toast(describeError(err, t, lang), 'error');
        }
      }, { class: 'danger', testid: 'delete-monitor' }));
    }
    mount(head,
      pageHeader(m.title || m.name, ...actions),
      h('div', { class: 'status-line', testid: 'monitor-state' },
        stateBadge(m.state, t, { class: `badge big state-${stateOf(m.state)}` }),
        h('span', null, t('monitor.since', { time: fmt.formatDateTime(m.state_since, { seconds: false }), dur: fmt.formatDuration((Date.now() - Date.parse(m.state_since)) / 1000) })),
        m.state_reason ? h('span', { class: 'reason' }, m.state_reason) : null));
  }

  function drawFacts() {
    const hb = m.type === 'heartbeat' && m.push_url ? `${location.origin}${m.push_url}` : null;
    mount(facts,
      h('h2', { id: 'mon-facts' }, t('monitor.facts')),
      dl([
        [t('monitor.name'), h('span', { class: 'mono' }, m.name)],
        [t('monitor.system'), h('a', { href: `/systems/${encodeURIComponent(m.system)}` }, m.system)],
        [t('monitor.type'), t(`type.${m.type}`)],
        [t('monitor.target'), hb ? h('span', { class: 'secret-row' }, h('code', { class: 'wrap-any', testid: 'push-url' }, hb), copyButton(hb, t)) : h('span', { class: 'mono wrap-any' }, targetOf(m) || '—')],
        m.keyword ? [t('mf.keyword'), m.keyword] : null,
        m.keyword_absent ? [t('mf.keyword_absent'), m.keyword_absent] : null,
        [t('mf.interval'), m.interval],
        [t('mf.timeout'), m.timeout || '—'],
        [t('monitor.confirm'), t('monitor.confirm_text', { retries: m.retries, recover: m.recover })],
        [t('mf.critical'), m.critical ? t('common.yes') : t('common.no')],
        [t('monitor.paused'), m.paused ? t('common.yes') : t('common.no')],
        [t('monitor.source'), m.provisioned ? t('monitor.provisioned') : t('monitor.from_console')],
      ]),
      m.provisioned && ctx.can('monitor.write') ? h('p', { class: 'muted small' }, t('monitor.provisioned_note')) : null);
  }

  async function drawAvail() {
    const ranges = [['24h', fixedRange('24h')], ['7d', fixedRange('7d')], ['30d', fixedRange('30d')]];
    if (period.key === 'custom') ranges.push(['custom', period]);
    const cards = ranges.map(([k, r]) => {
      const v = h('p', { class: 'avail-n' }, '…');
      const sub = h('p', { class: 'muted small' });
      const card = h('div', { class: 'avail-card', testid: `avail-${k}` }, h('h3', null, k === 'custom' ? period.label : t(`period.${k}`)), v, sub);
      api.get(`/api/v1/monitors/${m.id}/availability`, { query: { from: r.from, to: r.to }, signal: ctx.signal }).then((a) => {
        v.textContent = fmt.formatPercent(a.availability);
        if (typeof a.availability === 'number' && a.availability < 99.9) v.classList.add('avail-low');
        sub.textContent = t('monitor.avail_detail', { outages: a.outages, down: fmt.formatDuration(a.down_s), excluded: fmt.formatDuration(a.excluded_s) });
        card.title = a.formula || '';
      }).catch((err) => {
        if (err.name !== 'AbortError') v.textContent = describeError(err, t, lang);
      });
      return card;
    });
    mount(availBox, cards);
  }

  function chart(kind, alt) {
    const src = `/api/v1/monitors/${m.id}/chart/${kind}.svg?from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}&lang=${encodeURIComponent(lang)}`;
    const img = h('img', { src, alt, class: `chart chart-${kind}`, loading: 'lazy', decoding: 'async', testid: `chart-${kind}` });
    const fig = h('figure', { class: 'chart-box' }, img, h('figcaption', null, alt));
    img.addEventListener('error', () => {
      img.replaceWith(h('p', { class: 'chart-missing', role: 'img', 'aria-label': alt }, t('monitor.chart_missing')));
    });
    return fig;
  }

  async function drawEvents() {
    mount(eventsBox, loading(t));
    try {
      const r = await fetchAll(api, `/api/v1/monitors/${m.id}/events`, { from: period.from, to: period.to, limit: 1000 }, { maxPages: 3, signal: ctx.signal });
      const rows = r.items.slice().reverse();
      if (!rows.length) return mount(eventsBox, empty(t('monitor.no_changes')));
      mount(eventsBox,
        r.complete ? null : h('p', { class: 'muted small' }, t('monitor.changes_cut', { n: rows.length })),
        table({
          testid: 'events-table',
          caption: t('monitor.state_changes'),
          columns: [
            { label: t('common.state'), render: (e) => stateBadge(e.state, t) },
            { label: t('monitor.start'), render: (e) => fmt.formatDateTime(e.start) },
            { label: t('monitor.end'), render: (e) => (e.end ? fmt.formatDateTime(e.end) : h('span', { class: 'tag' }, t('monitor.ongoing'))) },
            { label: t('monitor.duration'), render: (e) => fmt.formatDuration(e.duration_s) },
            { label: t('monitor.reason'), render: (e) => e.reason || '—' },
          ],
          rows: rows.slice(0, 200),
        }));
    } catch (err) {
      if (err.name !== 'AbortError') mount(eventsBox, errorBox(err, t, lang));
    }
  }

  // Results are paged by cursor, newest first: a stack of the cursors that
  // led to each page makes "newer" possible.
  const cursors = [null];
  async function drawResults() {
    const cur = cursors[cursors.length - 1];
    mount(resultsBox, loading(t));
    try {
      const r = await api.get(`/api/v1/monitors/${m.id}/results`, { query: { limit: 20, cursor: cur }, signal: ctx.signal });
      const rows = r.items || [];
      const nav = h('nav', { class: 'pager', 'aria-label': t('monitor.results') },
        cursors.length > 1 ? button(t('monitor.newer'), () => { cursors.pop(); drawResults(); }, { testid: 'results-newer' }) : null,
        cursors.length > 1 ? button(t('monitor.newest'), () => { cursors.length = 1; drawResults(); }) : null,
        r.next_cursor ? button(t('monitor.older'), () => { cursors.push(r.next_cursor); drawResults(); }, { testid: 'results-older' }) : null);
      if (!rows.length) return mount(resultsBox, empty(t('monitor.no_results')), nav);
      mount(resultsBox, table({
        testid: 'results-table',
        caption: t('monitor.results'),
        rowProps: (x) => ({ class: x.ok ? null : 'row-bad' }),
        columns: [
          { label: t('monitor.time'), render: (x) => fmt.formatDateTime(x.time) },
          { label: t('monitor.outcome'), render: (x) => h('span', { class: `badge ${x.ok ? 'state-up' : 'state-down'}` }, h('span', { class: 'shape', 'aria-hidden': 'true' }), x.ok ? t('monitor.ok') : t('monitor.failed')) },
          { label: t('monitor.latency'), class: 'num', render: (x) => (typeof x.latency_ms === 'number' ? t('unit.ms', { n: fmt.formatNumber(x.latency_ms) }) : '—') },
          { label: t('monitor.status_code'), class: 'num', render: (x) => (x.status ? String(x.status) : (x.value ? fmt.formatNumber(x.value) : '—')) },
          { label: t('monitor.detail'), class: 'wrap-any', render: (x) => x.detail || '—' },
        ],
        rows,
      }), nav);
    } catch (err) {
      if (err.name !== 'AbortError') mount(resultsBox, errorBox(err, t, lang));
    }
  }

  function drawPeriod() {
    mount(charts,
      chart('latency', t('monitor.chart_latency', { period: period.label })),
      chart('timeline', t('monitor.chart_timeline', { period: period.label })));
    drawEvents();
    drawAvail();
  }

  drawHead();
  drawFacts();
  drawPeriod();
  drawResults();

  // Live: the state line at once; charts, changes and the first page of
  // results shortly after (the result that caused the change is stored by then).
  let timer = null;
  const off = live.on('state', (ev) => {
    if (ev.monitor_id !== m.id) return;
    m.state = ev.state;
    m.state_since = ev.since;
    m.state_reason = ev.reason;
    drawHead();
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (period.key in FIXED) period = { ...period, ...fixedRange(period.key) };
      drawPeriod();
      if (cursors.length === 1) drawResults();
    }, 1000);
  });
  // Fixed periods end "now": move them on every minute.
  const tick = setInterval(() => {
    if (!(period.key in FIXED) || document.hidden) return;
    period = { ...period, ...fixedRange(period.key) };
    drawPeriod();
    if (cursors.length === 1) drawResults();
  }, 60e3);
  return () => {
    off();
    clearTimeout(timer);
    clearInterval(tick);
  };
}
