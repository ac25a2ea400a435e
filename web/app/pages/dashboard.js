// dashboard (总览) — the status wall: every system as a tile, grouped by tier
// (重点保障 first), systems in trouble first; counts of monitors by state;
// the current outages; availability today and this month per system; the
// recent state changes. Live: a state event updates the model at once and
// redraws the wall (batched), so a change is on screen well within 2 s.
//
// Speed: one request each for systems, monitors and events (no request per
// monitor); the wall is built in one DocumentFragment and attached once.
// 10,000 monitors draw in tens of milliseconds; a system with many monitors
// shows a proportion bar instead of one dot per monitor. The availability
// figures (two requests per system) come afterwards, a few at a time, and
// fill in without a redraw.

import { h, mount, pageHeader, stateBadge, loading, errorBox, empty } from '../ui.js';
import { STATES, TIERS, stateRank, stateOf, compareText } from '../model.js';
import { fetchAll } from '../api.js';
import { monthStart } from '../i18n.js';

const DOTS_MAX = 60; // above this a system shows a proportion bar
const DOWN_LIST_MAX = 5;
const RECENT_MAX = 20;

/** Monitor counts by state: {total, up, down, …}. */
export function countStates(monitors) {
  const c = { total: 0 };
  for (const s of STATES) c[s] = 0;
  for (const m of monitors) {
    c.total++;
    c[stateOf(m.state)]++;
  }
  return c;
}

/** The state a system shows, from its monitors, when the server has not said
 * yet (after a live event): its critical monitors (all when none is), down
 * if any of them is down. */
export function deriveSystemState(monitors, fallback = 'no_data') {
  if (!monitors.length) return fallback;
  const crit = monitors.filter((m) => m.critical);
  const set = crit.length ? crit : monitors;
  const states = set.map((m) => stateOf(m.state));
  if (states.includes('down')) return 'down';
  if (states.every((s) => s === 'maintenance')) return 'maintenance';
  if (states.every((s) => s === 'paused')) return 'paused';
  if (states.includes('no_data')) return 'no_data';
  if (states.includes('up')) return 'up';
  return states[0];
}

/**
 * The wall's layout: [{tier, systems: [{system, monitors, counts}]}], tiers
 * in TIERS order (key first), systems in trouble first, then by down count,
 * then by title.
 */
export function groupSystems(systems, monitors) {
  const bySys = new Map();
  for (const s of systems) bySys.set(s.name, []);
  for (const m of monitors) {
    const list = bySys.get(m.system);
    if (list) list.push(m);
  }
  const groups = TIERS.map((tier) => ({ tier, systems: [] }));
  for (const s of systems) {
    const ms = bySys.get(s.name);
    const g = groups.find((x) => x.tier === s.tier) || groups[groups.length - 1];
    g.systems.push({ system: s, monitors: ms, counts: countStates(ms) });
  }
  for (const g of groups) {
    g.systems.sort((a, b) =>
      stateRank(a.system.state) - stateRank(b.system.state) ||
      b.counts.down - a.counts.down ||
      compareText(a.system.title || a.system.name, b.system.title || b.system.name));
  }
  return groups.filter((g) => g.systems.length);
}

/** Monitors down now, longest outage first. */
export function outages(monitors) {
  return monitors.filter((m) => m.state === 'down')
    .sort((a, b) => {
      const x = String(a.state_since || ''), y = String(b.state_since || '');
      return x < y ? -1 : x > y ? 1 : 0;
    });
}

export async function render(main, ctx) {
  const { t, api, fmt, lang, live } = ctx;
  const model = { systems: [], monitors: [], byId: new Map(), recent: [], loadedAt: null };
  const avail = new Map(); // system id -> {today, month}
  const availEls = new Map(); // system id -> {today, month} elements
  let wallTimer = null;
  let sysTimer = null;
  let stopped = false;

  const stamp = h('p', { class: 'muted small', testid: 'dashboard-updated', 'aria-live': 'off' });
  const countsBox = h('section', { class: 'counts', 'aria-label': t('dash.counts'), testid: 'counts' });
  const outBox = h('section', { class: 'card outages', 'aria-labelledby': 'dash-out', testid: 'outages' });
  const wallBox = h('section', { class: 'wall', 'aria-labelledby': 'dash-wall', testid: 'status-wall' });
  const recentBox = h('section', { class: 'card recent', 'aria-labelledby': 'dash-recent', testid: 'recent-changes' });
  const root = h('div', { class: 'dash', testid: 'dashboard' },
    h('div', { class: 'dash-head' }, pageHeader(t('nav.dashboard')), stamp),
    countsBox, outBox,
    h('div', { class: 'dash-wall' }, h('h2', { id: 'dash-wall', class: 'section-title' }, t('dash.wall')), wallBox),
    recentBox);
  mount(main, root);
  mount(wallBox, loading(t));

  // ---- drawing --------------------------------------------------------------------

  function drawCounts() {
    const c = countStates(model.monitors);
    const card = (key, n, state) => h('div', { class: ['count', state ? `count-${state}` : null], testid: `count-${key}`, 'data-count': n },
      state ? h('span', { class: `shape state-${state}`, 'aria-hidden': 'true' }) : null,
      h('span', { class: 'count-n' }, fmt.formatNumber(n)),
      h('span', { class: 'count-label' }, key === 'total' ? t('dash.total') : t(`state.${key}`)));
    mount(countsBox,
      card('total', c.total, null),
      card('up', c.up, 'up'), card('down', c.down, 'down'), card('maintenance', c.maintenance, 'maintenance'),
      c.paused ? card('paused', c.paused, 'paused') : null,
      c.no_data ? card('no_data', c.no_data, 'no_data') : null);
  }

  function sysTitle(name) {
    const s = model.systems.find((x) => x.name === name);
    return s ? (s.title || s.name) : name || '—';
  }

  function drawOutages() {
    const list = outages(model.monitors);
    const head = h('h2', { id: 'dash-out' }, t('dash.outages'), list.length ? h('span', { class: 'count-pill state-down' }, String(list.length)) : null);
    if (!list.length) {
      mount(outBox, head, h('p', { class: 'ok-box', testid: 'no-outages' }, h('span', { class: 'shape state-up', 'aria-hidden': 'true' }), t('dash.no_outages')));
      outBox.classList.remove('has-outages');
      return;
    }
    outBox.classList.add('has-outages');
    const now = Date.now();
    mount(outBox, head, h('ul', { class: 'outage-list' }, list.slice(0, 50).map((m) => h('li', { 'data-monitor': m.name },
      stateBadge('down', t),
      h('a', { href: `/monitors/${m.id}`, class: 'strong' }, m.title || m.name),
      h('span', { class: 'muted' }, ` · ${sysTitle(m.system)}`),
      h('span', { class: 'since' }, t('dash.since', { time: fmt.formatTime(m.state_since), dur: fmt.formatDuration((now - Date.parse(m.state_since)) / 1000) })),
      m.state_reason ? h('span', { class: 'reason' }, m.state_reason) : null))),
    list.length > 50 ? h('p', null, h('a', { href: '/monitors?state=down' }, t('dash.all_outages', { n: list.length }))) : null);
  }

  function tile({ system: s, monitors: ms, counts: c }) {
    const st = stateOf(s.state);
    const parts = [];
    for (const k of STATES) if (c[k]) parts.push(t('dash.n_state', { n: fmt.formatNumber(c[k]), state: t(`state.${k}`) }));
    const summary = `${t('dash.n_monitors', { n: fmt.formatNumber(c.total) })}${parts.length ? ' · ' + parts.join(t('dash.sep')) : ''}`;
    let viz;
    if (ms.length <= DOTS_MAX) {
      viz = h('div', { class: 'dots', 'aria-hidden': 'true' });
      const sorted = ms.slice().sort((a, b) => stateRank(a.state) - stateRank(b.state));
      for (const m of sorted) {
        const d = document.createElement('span');
        d.className = `dot state-${stateOf(m.state)}`;
        viz.appendChild(d);
      }
    } else {
      viz = h('div', { class: 'bar', 'aria-hidden': 'true' });
      for (const k of STATES) {
        if (!c[k]) continue;
        const seg = document.createElement('span');
        seg.className = `seg state-${k}`;
        seg.style.flexGrow = String(c[k]);
        seg.title = `${t(`state.${k}`)}: ${c[k]}`;
        viz.appendChild(seg);
      }
    }
    const down = ms.filter((m) => m.state === 'down');
    const today = h('dd', { testid: 'avail-today' }, '…');
    const month = h('dd', { testid: 'avail-month' }, '…');
    availEls.set(s.id, { today, month });
    fillAvail(s.id);
    return h('article', { class: `tile tile-${st}`, testid: 'system-tile', 'data-system': s.name, 'data-state': st },
      h('div', { class: 'tile-head' },
        h('h3', null, h('a', { href: `/systems/${s.id}` }, s.title || s.name)),
        stateBadge(st, t)),
      h('p', { class: 'tile-sum' }, summary),
      viz,
      down.length ? h('ul', { class: 'tile-outages', 'aria-label': t('dash.down_in', { system: s.title || s.name }) },
        down.slice(0, DOWN_LIST_MAX).map((m) => h('li', null, h('a', { href: `/monitors/${m.id}` }, m.title || m.name))),
        down.length > DOWN_LIST_MAX ? h('li', null, h('a', { href: `/monitors?system=${encodeURIComponent(s.name)}&state=down` }, t('dash.more', { n: down.length - DOWN_LIST_MAX }))) : null) : null,
      h('dl', { class: 'tile-avail', 'data-sid': String(s.id) },
        h('div', null, h('dt', null, t('dash.avail_today')), today),
        h('div', null, h('dt', null, t('dash.avail_month')), month)));
  }

  function fillAvail(id) {
    const a = avail.get(id);
    const el = availEls.get(id);
    if (!a || !el) return;
    for (const k of ['today', 'month']) {
      if (!(k in a)) continue;
      const v = a[k];
      el[k].textContent = v === undefined ? '…' : fmt.formatPercent(v && v.availability);
      el[k].className = v && typeof v.availability === 'number' && v.availability < 99.9 ? 'avail-low' : '';
    }
  }

  function drawWall() {
    wallTimer = null;
    const t0 = performance.now();
    // Keep keyboard focus across the redraw: it is on a link in a tile.
    const active = document.activeElement;
    const activeHref = active && wallBox.contains(active) ? active.getAttribute('href') : null;
    availEls.clear();
    const groups = groupSystems(model.systems, model.monitors);
    const frag = document.createDocumentFragment();
    if (!groups.length) {
      frag.appendChild(empty(t('dash.no_systems')));
      if (ctx.can('monitor.write')) frag.appendChild(h('p', null, h('a', { href: '/systems/new', class: 'button primary' }, t('system.new'))));
    }
    for (const g of groups) {
      const id = `tier-${g.tier}`;
      const tiles = h('div', { class: 'tiles' });
      for (const x of g.systems) tiles.appendChild(tile(x));
      frag.appendChild(h('section', { class: `tier tier-${g.tier}`, 'aria-labelledby': id, testid: `tier-${g.tier}` },
        h('h3', { id, class: 'tier-title' }, t(`tier.${g.tier}`), h('span', { class: 'muted' }, ` · ${t('dash.n_systems', { n: g.systems.length })}`)),
        tiles));
    }
    wallBox.replaceChildren(frag);
    observeAvail();
    drawCounts();
    drawOutages();
    const ms = Math.round(performance.now() - t0);
    root.dataset.renderMs = String(ms);
    // Since the page load began, for the browser tests' "under a second".
    root.dataset.readyAt = String(Math.round(performance.now()));
    root.dataset.ready = '1';
    if (activeHref) {
      const again = wallBox.querySelector(`a[href="${CSS.escape(activeHref)}"]`);
      if (again) again.focus();
    }
  }

  function scheduleWall() {
    if (!wallTimer) wallTimer = setTimeout(drawWall, 200);
  }

  function drawRecent() {
    const rows = model.recent.slice(0, RECENT_MAX);
    const head = h('h2', { id: 'dash-recent' }, t('dash.recent'));
    if (!rows.length) return mount(recentBox, head, empty(t('dash.no_recent')));
    const list = h('ol', { class: 'recent-list', testid: 'recent-list' });
    for (const e of rows) {
      const m = model.byId.get(e.monitor_id);
      list.appendChild(h('li', { 'data-state': stateOf(e.state) },
        h('time', { datetime: e.start }, fmt.formatDateTime(e.start, { seconds: true })),
        h('div', { class: 'what' },
          stateBadge(e.state, t),
          e.monitor_id && m ? h('a', { href: `/monitors/${e.monitor_id}` }, m.title || m.name) : h('span', null, e.monitor || t('dash.deleted')),
          m ? h('span', { class: 'muted small' }, sysTitle(m.system)) : null),
        e.reason ? h('div', { class: 'reason' }, e.reason) : null));
    }
    mount(recentBox, head, list);
  }

  function drawStamp() {
    stamp.textContent = model.loadedAt ? t('dash.updated', { time: fmt.formatTime(model.loadedAt, { seconds: true }) }) : '';
  }

  // ---- data -----------------------------------------------------------------------

  // Requests after the first load come from timers and the live stream, not
  // from the person: they leave the session's idle clock running.
  let quiet = false;

  async function loadRecent() {
    // Events come oldest first; the newest are at the end of the last page.
    // Look back an hour first and further only when that is quiet, so that a
    // busy night does not fetch a day of intervals.
    let items = [];
    for (const hours of [1, 24, 24 * 7]) {
      const from = new Date(Date.now() - hours * 3600e3).toISOString();
      const r = await fetchAll(api, '/api/v1/events', { from, limit: 1000 }, { maxPages: 5, signal: ctx.signal, background: quiet });
      items = r.items;
      if (items.length >= RECENT_MAX || !r.complete) break;
    }
    // The opening no_data intervals of new monitors are not news.
    model.recent = items.filter((e) => !(e.state === 'no_data' && e.reason === 'waiting for confirmation')).reverse();
    drawRecent();
  }

  // Availability is fetched for the tiles on screen (and a little beyond),
  // a few requests at a time: a phone looking at the first tiles does not
  // ask for four hundred systems, a wall display gets all of them.
  const requested = new Set();
  const queue = [];
  let running = 0;
  let days = null;
  function want(id) {
    if (requested.has(id) || stopped) return;
    requested.add(id);
    queue.push(id);
    pump();
  }
  function pump() {
    while (running < 4 && queue.length && !stopped) {
      const id = queue.shift();
      running++;
      fetchAvail(id).catch(() => null).finally(() => {
        running--;
        pump();
      });
    }
  }
  async function fetchAvail(id) {
    if (!days) {
      const today = fmt.dayKey(new Date());
      days = { today, month: monthStart(today) };
    }
    const [d, m] = await Promise.all([
      api.get(`/api/v1/systems/${id}/availability`, { query: { from: days.today }, signal: ctx.signal, background: quiet }),
      api.get(`/api/v1/systems/${id}/availability`, { query: { from: days.month }, signal: ctx.signal, background: quiet }),
    ]);
    avail.set(id, { today: d, month: m });
    fillAvail(id);
  }
  const io = typeof IntersectionObserver === 'function'
    ? new IntersectionObserver((entries) => {
      for (const e of entries) {
        if (!e.isIntersecting) continue;
        io.unobserve(e.target);
        want(Number(e.target.dataset.sid));
      }
    }, { rootMargin: '300px 0px' })
    : null;
  function observeAvail() {
    if (!io) {
      for (const s of model.systems) want(s.id);
      return;
    }
    io.disconnect();
    for (const el of wallBox.querySelectorAll('dl[data-sid]')) if (!requested.has(Number(el.dataset.sid))) io.observe(el);
  }
  function refreshAvail() {
    quiet = true; // from here on, only timers and the live stream ask
    requested.clear();
    days = null;
    observeAvail();
  }

  function index() {
    model.byId = new Map(model.monitors.map((m) => [m.id, m]));
  }

  async function loadAll() {
    const [sys, mon] = await Promise.all([
      api.get('/api/v1/systems', { signal: ctx.signal, background: quiet }),
      api.get('/api/v1/monitors?view=brief', { signal: ctx.signal, background: quiet }),
    ]);
    model.systems = sys.items || [];
    model.monitors = mon.items || [];
    model.loadedAt = new Date();
    index();
    drawWall();
    drawStamp();
  }

  async function refreshSystems() {
    sysTimer = null;
    try {
      const sys = await api.get('/api/v1/systems', { signal: ctx.signal, background: true });
      model.systems = sys.items || [];
      scheduleWall();
    } catch {
      /* the next event or refresh will try again */
    }
  }

  function onState(ev) {
    const m = model.byId.get(ev.monitor_id);
    if (m) {
      m.state = ev.state;
      m.state_since = ev.since || new Date().toISOString();
      m.state_reason = ev.reason || '';
      const s = model.systems.find((x) => x.name === m.system);
      if (s) s.state = deriveSystemState(model.monitors.filter((x) => x.system === s.name), s.state);
    }
    model.recent.unshift({ monitor_id: ev.monitor_id, monitor: ev.monitor, state: ev.state, start: ev.since || new Date().toISOString(), end: null, reason: ev.reason });
    model.recent.length = Math.min(model.recent.length, 200);
    model.loadedAt = new Date();
    drawRecent();
    drawStamp();
    scheduleWall();
    // The server's own system states, once the burst is over.
    if (sysTimer) clearTimeout(sysTimer);
    sysTimer = setTimeout(refreshSystems, 1500);
    // A monitor created meanwhile: fetch the lists again.
    if (!m) reload();
  }

  let reloading = null;
  function reload() {
    if (reloading) return reloading;
    reloading = Promise.all([loadAll(), loadRecent()]).catch(() => null).then(() => {
      reloading = null;
    });
    return reloading;
  }

  try {
    await loadAll();
    quiet = true;
  } catch (err) {
    if (err.name === 'AbortError') return undefined;
    mount(wallBox, errorBox(err, t, lang));
    return undefined;
  }
  mount(recentBox, h('h2', { id: 'dash-recent' }, t('dash.recent')), loading(t));
  loadRecent().catch((err) => {
    if (err.name !== 'AbortError') mount(recentBox, h('h2', { id: 'dash-recent' }, t('dash.recent')), errorBox(err, t, lang));
  });

  const offState = live.on('state', onState);
  const offRe = live.on('reconnected', () => reload());
  // Availability moves slowly; the wall's states come live. Without a live
  // stream the lists are polled instead.
  const availTimer = setInterval(refreshAvail, 5 * 60e3);
  const pollTimer = setInterval(() => {
    quiet = true;
    if (live.status !== 'live') reload();
    else drawOutages(); // the "since" durations move on
  }, 60e3);

  return () => {
    stopped = true;
    if (io) io.disconnect();
    offState();
    offRe();
    clearInterval(availTimer);
    clearInterval(pollTimer);
    if (wallTimer) clearTimeout(wallTimer);
    if (sysTimer) clearTimeout(sysTimer);
  };
}
