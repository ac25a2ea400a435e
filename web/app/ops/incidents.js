// incidents — the incident list (事件): filters kept in the URL (state,
// level, system, source, assignee, text), one row per incident with its
// level, state and the SLA clocks counting down each second, newest first;
// new incidents come in live (stream events or a 15 s background poll) and
// are marked and announced.

import { h, mount, pageHeader, table, loading, errorBox, empty, button, describeError } from '../ui.js';
import { INC_STATES, LEVELS, SOURCES, filtersFromQuery, incidentQuery, pageQuery, mergeIncidents, listClocks, urgentClock } from './model.js';
import { levelTag, incStateBadge, clockBadge, createTicker, keepFresh, field } from './common.js';

const PAGE = 100;

export async function renderIncidents(main, ctx) {
  const { tr, api, fmt, lang } = ctx;
  const f = filtersFromQuery(ctx.query);
  let items = [];
  let next = null;
  const fresh = new Set(); // ids that came in live, marked until the next filter change
  const ticker = createTicker();

  const newBtn = ctx.can('incident.write')
    ? h('a', { href: '/incidents/new', class: 'button primary', testid: 'incident-new' }, tr('ops.quick.title'))
    : null;
  const q = field({ label: tr('common.search'), name: 'q', type: 'search', value: f.q, testid: 'inc-filter-q', attrs: { placeholder: tr('ops.inc.search_ph'), autocomplete: 'off' } });
  const stateSel = field({
    label: tr('ops.inc.state'), name: 'state', type: 'select', value: f.state, testid: 'inc-filter-state',
    options: [{ value: 'open', label: tr('ops.inc.open') }, { value: 'all', label: tr('common.all') }, ...INC_STATES.map((s) => ({ value: s, label: tr(`ops.state.${s}`) }))],
  });
  const levelSel = field({
    label: tr('ops.inc.level'), name: 'level', type: 'select', value: f.level, testid: 'inc-filter-level',
    options: [{ value: '', label: tr('common.all') }, ...LEVELS.map((l) => ({ value: String(l), label: tr(`ops.level.${l}`) }))],
  });
  const sysSel = field({ label: tr('ops.inc.system'), name: 'system', type: 'select', testid: 'inc-filter-system', options: [{ value: '', label: tr('common.all') }] });
  const srcSel = field({
    label: tr('ops.inc.source'), name: 'source', type: 'select', value: f.source, testid: 'inc-filter-source',
    options: [{ value: '', label: tr('common.all') }, ...SOURCES.map((s) => ({ value: s, label: tr(`ops.source.${s}`) }))],
  });
  const who = field({ label: tr('ops.inc.assignee'), name: 'assignee', type: 'search', value: f.assignee, testid: 'inc-filter-assignee', attrs: { placeholder: tr('ops.inc.assignee_ph'), autocomplete: 'off' } });
  const mine = ctx.session && ctx.session.user
    ? button(tr('ops.inc.mine'), () => {
      who.input.value = who.input.value === ctx.session.user ? '' : ctx.session.user;
      apply();
    }, { class: 'small', testid: 'inc-filter-mine', 'aria-pressed': String(f.assignee === ctx.session.user) })
    : null;
  const filters = h('form', { class: 'ops-filters', role: 'search', testid: 'inc-filters', onsubmit: (ev) => { ev.preventDefault(); apply(); } },
    q.wrap, stateSel.wrap, levelSel.wrap, sysSel.wrap, srcSel.wrap, h('div', { class: 'ops-assignee' }, who.wrap, mine));
  const summary = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite', testid: 'inc-count' });
  const listBox = h('div', { testid: 'inc-list' }, loading(tr));
  const more = h('div', { class: 'pager' });
  mount(main, pageHeader(tr('ops.nav.incidents'), newBtn), filters, summary, listBox, more);

  function apply() {
    f.q = q.input.value;
    f.state = stateSel.input.value;
    f.level = levelSel.input.value;
    f.system = sysSel.input.value;
    f.source = srcSel.input.value;
    f.assignee = who.input.value.trim();
    if (mine) mine.setAttribute('aria-pressed', String(f.assignee === ctx.session.user));
    ctx.setQuery(pageQuery(f));
    fresh.clear();
    load();
  }

  let typing = null;
  for (const inp of [q.input, who.input]) {
    inp.addEventListener('input', () => {
      clearTimeout(typing);
      typing = setTimeout(apply, 300);
    });
  }
  for (const s of [stateSel, levelSel, sysSel, srcSel]) s.input.addEventListener('change', apply);

  function draw() {
    ticker.clear();
    const now = Date.now();
    summary.textContent = items.length ? tr('ops.inc.count', { n: items.length }) + (next ? tr('ops.inc.count_more') : '') : '';
    if (!items.length) {
      mount(listBox, empty(f.state === 'open' && !f.q && !f.level && !f.system && !f.source && !f.assignee ? tr('ops.inc.none_open') : tr('ops.inc.no_match')));
    } else {
      mount(listBox, table({
        testid: 'inc-table',
        caption: tr('ops.nav.incidents'),
        rowProps: (x) => {
          const u = urgentClock(x, x.fetchedAt || now, now);
          return {
            'data-incident': String(x.id),
            'data-state': x.state,
            class: [fresh.has(x.id) ? 'ops-row-new' : '', u && u.view.status === 'breached' ? 'row-bad' : ''].filter(Boolean).join(' ') || null,
          };
        },
        columns: [
          { label: tr('ops.inc.level'), render: (x) => levelTag(x.level, tr) },
          {
            label: tr('ops.inc.title'),
            class: 'wrap-any',
            render: (x) => [
              h('a', { href: `/incidents/${x.id}`, class: 'strong', testid: `inc-link-${x.id}` }, `#${x.id} ${x.title || ''}`),
              fresh.has(x.id) ? h('span', { class: 'tag ops-tag-new' }, tr('ops.inc.new_mark')) : null,
              x.vendor ? h('span', { class: 'tag' }, tr('ops.inc.vendor_tag')) : null,
            ],
          },
          { label: tr('ops.inc.state'), render: (x) => incStateBadge(x.state, tr) },
          { label: tr('ops.inc.sla'), render: (x) => slaCell(x) },
          { label: tr('ops.inc.system'), render: (x) => x.system || '—' },
          { label: tr('ops.inc.assignee'), render: (x) => x.assignee || h('span', { class: 'muted' }, tr('ops.inc.nobody')) },
          { label: tr('ops.inc.source'), render: (x) => tr(`ops.source.${SOURCES.includes(x.source) ? x.source : 'user'}`) },
          { label: tr('ops.inc.notice'), render: (x) => h('time', { datetime: x.notice || '' }, fmt.formatDateTime(x.notice, { seconds: false })) },
        ],
        rows: items,
      }));
    }
    mount(more, next ? button(tr('ops.inc.load_more'), loadMore, { testid: 'inc-more' }) : null);
  }

  function slaCell(x) {
    const keys = listClocks(x);
    if (!keys.length) return h('span', { class: 'muted' }, '—');
    const box = h('div', { class: 'ops-clocks-inline' });
    for (const k of keys) {
      const b = clockBadge(k, x.clocks[k], x.fetchedAt || Date.now(), tr, { short: true, testid: `inc-${x.id}-clock-${k}` });
      box.appendChild(b.el);
      ticker.add(b.update);
    }
    return box;
  }

  async function fetchPage(before, background = false) {
    const r = await api.get('/api/v1/incidents', { query: incidentQuery(f, { limit: PAGE, before }), signal: ctx.signal, background });
    return { list: (r && r.incidents) || [], next: r ? r.next : null };
  }

  async function load() {
    mount(listBox, loading(tr));
    try {
      const r = await fetchPage(null);
      stamp(r.list);
      items = r.list;
      next = r.next;
      draw();
    } catch (err) {
      if (err.name !== 'AbortError') mount(listBox, errorBox(err, tr, lang));
    }
  }

  async function loadMore() {
    try {
      const r = await fetchPage(next);
      stamp(r.list);
      const have = new Set(items.map((x) => x.id));
      items = items.concat(r.list.filter((x) => !have.has(x.id)));
      next = r.next;
      draw();
    } catch (err) {
      if (err.name !== 'AbortError') ctx.toast(errorText(err), 'error');
    }
  }

  function errorText(err) {
    return describeError(err, tr, lang);
  }

  // Each row's clocks count from the moment its answer came.
  function stamp(list) {
    const at = Date.now();
    for (const x of list) Object.defineProperty(x, 'fetchedAt', { value: at, enumerable: false, writable: true });
  }

  // Systems for the filter: a failure leaves the filter with "all" only.
  api.get('/api/v1/systems', { signal: ctx.signal }).then((r) => {
    for (const s of (r && r.items) || []) sysSel.input.appendChild(h('option', { value: s.name }, s.title ? `${s.title} (${s.name})` : s.name));
    sysSel.input.value = f.system;
  }).catch(() => null);

  await load();

  const stop = keepFresh(ctx, async () => {
    const r = await fetchPage(null, true);
    stamp(r.list);
    const m = mergeIncidents(items, r.list);
    for (const id of m.added) fresh.add(id);
    // When the list has not been paged, the fresh page decides "more".
    if (items.length <= PAGE) next = r.next;
    items = m.items;
    draw();
    if (m.added.length) {
      const first = r.list.find((x) => x.id === m.added[0]);
      ctx.announce(m.added.length === 1 && first ? tr('ops.inc.live_one', { id: first.id, title: first.title || '' }) : tr('ops.inc.live_many', { n: m.added.length }));
    }
  });

  return () => {
    stop();
    ticker.stop();
    clearTimeout(typing);
  };
}
