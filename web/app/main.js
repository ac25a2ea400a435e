// main — boot: language, session, routes, the shell (header, navigation,
// live status) and the page in <main>.
//
// The session answer (GET /api/v1/session) decides everything shown: the
// navigation lists only what the session's actions allow, a limited session
// (password change or second-factor enrolment pending) sees only that page,
// and no session sees the login page. The server checks every request again;
// hiding is for the people, not for security.
//
// Pages are ES modules loaded on first use: render(container, ctx) fills
// container (a fresh element inside <main> for each visit, so a page that
// finishes loading after the user has moved on writes into a detached
// element, harmlessly) and may return a cleanup function (to unsubscribe from
// live updates, stop timers).

import { api } from './api.js';
import { live } from './live.js';
import * as I from './i18n.js';
import { createRouter } from './router.js';
import { h, mount, clear, announce, toast, errorBox, pageHeader, link } from './ui.js';
import { sessionActions } from './model.js';

const state = {
  session: null,
  actions: new Set(),
  adminRoutes: [],
  adminReady: null,
  // The operations module (web/app/ops/): incidents, duty, notifications, SLA.
  ops: null,
  opsRoutes: [],
  opsReady: null,
  cleanup: null,
  abort: null,
  rendered: 0,
};

const page = (mod, fn) => async (main, ctx) => {
  const m = await import(`./pages/${mod}.js`);
  return m[fn](main, ctx);
};

// path, who may see it, its title, how to draw it; nav: shown in the navigation.
const ROUTES = [
  { path: '/login', public: true, title_key: 'login.title', render: page('login', 'render') },
  { path: '/setup', public: true, title_key: 'setup.title', render: page('setup', 'render') },
  { path: '/password', limited: true, title_key: 'password.title', render: page('password', 'render') },
  { path: '/enrol', limited: true, title_key: 'enrol.title', render: page('enrol', 'render') },
  { path: '/', action: 'ops.read', title_key: 'nav.dashboard', nav: 'dashboard', render: page('dashboard', 'render') },
  { path: '/systems', action: 'ops.read', title_key: 'nav.systems', nav: 'systems', render: page('systems', 'renderList') },
  { path: '/systems/new', action: 'monitor.write', title_key: 'system.new', render: page('systems', 'renderForm') },
  { path: '/systems/:id', action: 'ops.read', title_key: 'nav.systems', render: page('systems', 'renderDetail') },
  { path: '/systems/:id/edit', action: 'monitor.write', title_key: 'system.edit', render: page('systems', 'renderForm') },
  { path: '/monitors', action: 'ops.read', title_key: 'nav.monitors', nav: 'monitors', render: page('monitors', 'renderList') },
  { path: '/monitors/new', action: 'monitor.write', title_key: 'monitor.new', render: page('monitors', 'renderForm') },
  { path: '/monitors/:id', action: 'ops.read', title_key: 'nav.monitors', render: page('monitors', 'renderDetail') },
  { path: '/monitors/:id/edit', action: 'monitor.write', title_key: 'monitor.edit', render: page('monitors', 'renderForm') },
  { path: '/maintenance', action: 'ops.read', title_key: 'nav.maintenance', nav: 'maintenance', render: page('maintenance', 'renderList') },
  { path: '/maintenance/new', action: 'maint.write', title_key: 'maint.new', render: page('maintenance', 'renderForm') },
  { path: '/maintenance/:id/edit', action: 'maint.write', title_key: 'maint.edit', render: page('maintenance', 'renderForm') },
  { path: '/account', action: 'self', title_key: 'nav.account', render: page('account', 'render') },
];

const $ = (id) => document.getElementById(id);
let router;

// ---- session ---------------------------------------------------------------------

function can(action) {
  return state.actions.has(action);
}

function limitedTo(session) {
  if (!session) return null;
  if (session.must_change_password) return '/password';
  if (session.must_enrol_2fa) return '/enrol';
  return null;
}

function setSession(s) {
  state.session = s || null;
  state.actions = sessionActions(state.session);
  api.setCsrf(s && s.csrf);
  const zone = s && (s.zone || s.timezone || s.time_zone);
  if (zone) I.setZone(zone);
  if (state.session && !limitedTo(state.session) && can('ops.read')) live.start();
  else live.stop();
  renderShell();
}

async function refreshSession() {
  try {
    setSession(await api.get('/api/v1/session', { noRedirect: true }));
  } catch (e) {
    if (e.status === 401) setSession(null);
    else throw e;
  }
  return state.session;
}

/** After a successful login (or a step that changes the session). */
async function onLogin(session, next) {
  // The landing page may be an administration page (the auditor's).
  if (state.adminReady) state.adminRoutes = await state.adminReady;
  if (state.opsReady) state.opsRoutes = await state.opsReady;
  if (state.adminReady || state.opsReady) router.setRoutes(allRoutes());
  setSession(session);
  const lim = limitedTo(state.session);
  if (lim) return router.navigate(lim, { replace: true });
  return router.navigate(safeNext(next) || home(), { replace: true });
}

async function logout() {
  try {
    await api.del('/api/v1/session', { noRedirect: true });
  } catch {
    /* the session may be gone already: the page goes to the login either way */
  }
  setSession(null);
  router.navigate('/login', { replace: true });
}

/** Only a path of ours: never an absolute URL to another site. */
export function safeNext(next) {
  // "//host" and "/\\host" are other sites to a browser.
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !next.includes('\\') && !next.startsWith('/login') ? next : null;
}

/** Where a user lands: the dashboard, or the first page the roles allow. */
function home() {
  if (can('ops.read')) return '/';
  const first = navItems()[0];
  return first ? first.href : '/account';
}

// ---- navigation --------------------------------------------------------------------

function navItems() {
  const t = I.t;
  const items = [];
  for (const r of ROUTES) if (r.nav && can(r.action)) items.push({ href: r.path, label: t(r.title_key), testid: `nav-${r.nav}` });
  for (const r of state.opsRoutes) if (r.nav && can(r.action)) items.push({ href: r.path, label: titleOf(r), testid: `nav-${r.nav}` });
  const admin = state.adminRoutes.filter((r) => !r.path.includes(':') && r.nav !== false && (!r.action || can(r.action)));
  for (const r of admin) items.push({ href: r.path, label: t(r.title_key), testid: `nav-admin-${r.path.split('/').filter(Boolean).join('-')}`, group: 'admin' });
  if (can('self')) items.push({ href: '/account', label: t('nav.account'), testid: 'nav-account' });
  return items;
}

function isCurrent(href, path) {
  if (href === '/') return path === '/';
  return path === href || path.startsWith(href + '/');
}

function renderNav(path = location.pathname) {
  const nav = $('nav');
  const list = $('nav-list');
  const show = Boolean(state.session) && !limitedTo(state.session);
  nav.hidden = !show;
  $('nav-toggle').hidden = !show;
  document.body.classList.toggle('no-nav', !show);
  if (!show) {
    clear(list);
    return;
  }
  const items = navItems();
  const main = items.filter((i) => !i.group && i.href !== '/account');
  const admin = items.filter((i) => i.group === 'admin');
  const own = items.filter((i) => i.href === '/account');
  const li = (i) => h('li', null, h('a', { href: i.href, testid: i.testid, 'aria-current': isCurrent(i.href, path) ? 'page' : null }, i.label));
  mount(list,
    main.map(li),
    admin.length ? h('li', { class: 'nav-group' },
      h('span', { class: 'nav-heading', id: 'nav-admin-heading' }, I.t('nav.admin')),
      h('ul', { 'aria-labelledby': 'nav-admin-heading' }, admin.map(li))) : null,
    own.map(li));
}

function setNavOpen(open) {
  $('nav').classList.toggle('open', open);
  $('nav-toggle').setAttribute('aria-expanded', String(open));
}

// ---- the shell -----------------------------------------------------------------------

function applyShellText() {
  const t = I.t;
  document.documentElement.lang = I.i18n().lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
  const other = I.i18n().lang === 'en' ? 'zh-CN' : 'en';
  const sw = $('lang-switch');
  sw.textContent = other === 'en' ? 'English' : '中文';
  sw.setAttribute('lang', other);
  sw.title = t('shell.switch_lang');
}

function renderShell() {
  applyShellText();
  const s = state.session;
  const box = $('user-box');
  box.hidden = !s;
  if (s) {
    $('user-name').textContent = s.display_name || s.user;
    $('user-name').hidden = Boolean(limitedTo(s)) || !can('self');
  }
  renderLiveStatus(live.status);
  renderNav();
}

function renderLiveStatus(status) {
  const el = $('live-status');
  el.hidden = status === 'stopped';
  el.className = `live-status live-${status}`;
  el.dataset.status = status;
  el.textContent = I.t(`live.${status}`);
}

// Live changes are read out to screen readers, gathered for a moment so that
// a burst of changes is one sentence, not twenty.
let pending = [];
let pendingTimer = null;
function announceState(ev) {
  pending.push(ev);
  if (pendingTimer) return;
  pendingTimer = setTimeout(() => {
    const t = I.t;
    const list = pending;
    pending = [];
    pendingTimer = null;
    if (list.length === 1) {
      const e = list[0];
      announce(t('live.changed_one', { name: e.monitor || String(e.monitor_id), state: t(`state.${e.state}`) }));
    } else {
      announce(t('live.changed_many', { n: list.length, down: list.filter((e) => e.state === 'down').length }));
    }
  }, 1500);
}

// ---- pages ---------------------------------------------------------------------------

function makeCtx(extra) {
  const i = I.i18n();
  return {
    api,
    t: i.t,
    i18n: i,
    fmt: i,
    lang: i.lang,
    live,
    session: state.session,
    can,
    navigate: (to, o) => router.navigate(to, o),
    setQuery: (q) => router.setQuery(q),
    refreshSession,
    onLogin,
    logout,
    toast,
    announce,
    ...extra,
  };
}

async function show(route, params, query, path) {
  if (state.cleanup) {
    try {
      state.cleanup();
    } catch {
      /* a page's cleanup must not block the next page */
    }
  }
  state.cleanup = null;
  if (state.abort) state.abort.abort();
  const ac = new AbortController();
  state.abort = ac;
  setNavOpen(false);
  renderNav(path);
  const t = I.t;
  document.title = `${titleOf(route)} · ${t('app.name')}`;
  const container = h('div', { class: 'page', 'data-route': route.path });
  mount($('main'), container);
  const ctx = makeCtx({ params, query, path, signal: ac.signal, setTitle: (s) => { document.title = `${s} · ${t('app.name')}`; } });
  const first = state.rendered++ === 0;
  try {
    const cleanup = await route.render(container, ctx);
    if (typeof cleanup === 'function') {
      if (ac.signal.aborted) cleanup();
      else state.cleanup = cleanup;
    }
  } catch (e) {
    if (e && e.name === 'AbortError') return;
    if (ac.signal.aborted) return;
    console.error(e);
    if (e && e.status === 401) return; // on its way to the login page
    mount(container, pageHeader(titleOf(route)), errorBox(e, t, I.i18n().lang));
  }
  // Focus goes to the new page's heading, so that a screen reader starts
  // there and Tab continues inside the page; not on the first load, where the
  // browser's own start is right.
  if (!first && !ac.signal.aborted) {
    const h1 = container.querySelector('[data-page-title]');
    if (h1) h1.focus({ preventScroll: false });
  }
}

function forbidden(path) {
  const t = I.t;
  const c = h('div', { class: 'page', testid: 'forbidden' },
    pageHeader(t('error.forbidden_page')),
    h('p', null, t('error.forbidden_text')),
    h('p', null, link(home(), t('common.back_home'))));
  mount($('main'), c);
  document.title = `${t('error.forbidden_page')} · ${t('app.name')}`;
  renderNav(path);
}

function notFound(path) {
  const t = I.t;
  if (!state.session) return router.navigate(`/login?next=${encodeURIComponent(path)}`, { replace: true });
  mount($('main'), h('div', { class: 'page', testid: 'not-found' },
    pageHeader(t('error.not_found_page')),
    h('p', null, t('error.not_found_text', { path })),
    h('p', null, link(home(), t('common.back_home')))));
  document.title = `${t('error.not_found_page')} · ${t('app.name')}`;
  renderNav(path);
}

function onRoute({ route, params, query, path }) {
  const s = state.session;
  const here = path + location.search;
  if (!route.public && !s) return router.navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
  const lim = limitedTo(s);
  if (lim && route.path !== lim && !(route.public)) return router.navigate(lim, { replace: true });
  if (route.public && s && !lim) return router.navigate(safeNext(query.next) || home(), { replace: true });
  if (route.limited && s && !lim) {
    // The forced pages are reachable later too (the account page links to
    // the enrolment), but the password page is the account page's job.
    if (route.path === '/password') return router.navigate('/account', { replace: true });
  }
  if (route.action && !can(route.action)) {
    if (path === '/') return router.navigate(home(), { replace: true });
    return forbidden(path);
  }
  return show(route, params, query, path);
}

async function switchLanguage() {
  const next = I.i18n().lang === 'en' ? 'zh-CN' : 'en';
  I.storeLang(next);
  await Promise.all([I.loadLanguage(next), state.ops ? state.ops.loadCatalogue(next) : null]);
  const s = state.session;
  const zone = s && (s.zone || s.timezone || s.time_zone);
  if (zone) I.setZone(zone);
  renderShell();
  router.refresh();
}

// ---- boot ----------------------------------------------------------------------------

async function loadAdmin() {
  try {
    const m = await import('./admin/index.js');
    const routes = Array.isArray(m.routes) ? m.routes : [];
    return routes.filter((r) => r && typeof r.path === 'string' && typeof r.render === 'function').map((r) => ({
      ...r,
      admin: true,
      title_key: r.title_key || 'nav.admin',
      // The module's render gets the same ctx as ours: {api, t, live, session, …}.
      render: (main, ctx) => r.render(main, ctx),
    }));
  } catch (e) {
    // No administration module in this build, or it failed to load: the
    // console works without it.
    if (e && !/Failed to fetch|Importing a module|error loading|404/i.test(String(e.message))) console.warn('admin module', e);
    return [];
  }
}

/** A route's title: the operations module's routes bring their own texts. */
function titleOf(route) {
  return typeof route.title === 'function' ? route.title() : I.t(route.title_key);
}

function allRoutes() {
  return [...ROUTES, ...state.opsRoutes, ...state.adminRoutes];
}

/** The operations module and its catalogue (web/i18n/ops.LANG.json), like loadAdmin. */
async function loadOps(lang) {
  try {
    const m = await import('./ops/index.js');
    await m.loadCatalogue(lang);
    state.ops = m;
    const routes = Array.isArray(m.routes) ? m.routes : [];
    return routes.filter((r) => r && typeof r.path === 'string' && typeof r.render === 'function').map((r) => ({
      path: r.path,
      action: r.action,
      nav: r.nav,
      title_key: r.titleKey,
      title: () => m.title(r.titleKey),
      render: (main, ctx) => r.render(main, ctx),
    }));
  } catch (e) {
    if (e && !/Failed to fetch|Importing a module|error loading|404/i.test(String(e.message))) console.warn('ops module', e);
    return [];
  }
}

const OPS_PATHS = /^\/(incidents|report|duty|notify|sla)(\/|$)/;

function bootError(e) {
  const t = I.t;
  const retry = h('button', { type: 'button', class: 'primary', onclick: () => location.reload() }, t('common.retry'));
  mount($('main'), h('div', { class: 'page', testid: 'boot-error' },
    pageHeader(t('error.boot')), errorBox(e, t, I.i18n().lang), retry));
}

async function boot() {
  // Catalogues, the session probe and the administration module load side
  // by side: on a phone at night every round trip counts.
  const lang = I.storedLang();
  const catalogues = I.loadLanguage(lang).catch((e) => console.error('catalogue', e));
  const probe = api.get('/api/v1/session', { noRedirect: true }).then(
    (s) => ({ s }),
    (e) => (e.status === 401 ? { s: null } : { e }),
  );
  const adminLoad = loadAdmin();
  state.adminReady = adminLoad;
  const opsLoad = loadOps(lang);
  state.opsReady = opsLoad;
  // Most visits open the dashboard: its two big lists start now, beside the
  // session probe, rather than after it (a 401 just falls back to the page's
  // own request).
  if (location.pathname === '/') {
    api.prefetch('/api/v1/systems');
    api.prefetch('/api/v1/monitors?view=brief');
  }
  await catalogues;
  applyShellText();

  $('lang-switch').addEventListener('click', () => switchLanguage());
  $('logout').addEventListener('click', () => logout());
  $('nav-toggle').addEventListener('click', () => setNavOpen(!$('nav').classList.contains('open')));
  document.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && $('nav').classList.contains('open')) {
      setNavOpen(false);
      $('nav-toggle').focus();
    }
  });
  live.on('status', renderLiveStatus);
  live.on('state', announceState);

  api.configure({
    onUnauthorized: () => {
      const was = state.session;
      setSession(null);
      if (location.pathname !== '/login') {
        if (was) toast(I.t('login.expired'), 'error');
        router.navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
      }
    },
    onRestricted: async () => {
      await refreshSession().catch(() => null);
      const lim = limitedTo(state.session);
      if (lim && location.pathname !== lim) router.navigate(lim, { replace: true });
    },
  });

  const first = await probe;
  // The administration pages need not hold up the dashboard: the router
  // starts without them unless this visit is for one of them, or the user
  // has no dashboard (the auditor), whose first page is theirs.
  const needAdmin = location.pathname.startsWith('/admin') || (first.s && !sessionActions(first.s).has('ops.read'));
  if (needAdmin) state.adminRoutes = await adminLoad;
  const needOps = OPS_PATHS.test(location.pathname);
  if (needOps) state.opsRoutes = await opsLoad;
  router = createRouter({ routes: allRoutes(), onRoute, notFound });
  if (first.e) {
    // The server cannot be reached (or answers nonsense): say so, rather
    // than show a login form that cannot work.
    bootError(first.e);
    return;
  }
  setSession(first.s);
  router.start();
  if (!needAdmin || !needOps) {
    [state.adminRoutes, state.opsRoutes] = await Promise.all([adminLoad, opsLoad]);
    router.setRoutes(allRoutes());
    renderNav();
  }
}

if (typeof document !== 'undefined' && document.getElementById('main')) boot();
