// router — client-side routes over the history API.
//
// A route is {path: "/monitors/:id", …}; ":name" matches one non-empty
// segment (percent-decoded into params.name). When several routes match,
// the most specific wins (a static segment beats a parameter, compared
// segment by segment), so "/monitors/new" beats "/monitors/:id" whatever the
// order of the table — the administration module's routes are appended to
// ours and must not depend on where they land.
//
// The server answers index.html for every console path, so a reload or a
// shared link to /monitors/7 lands here too.

const cache = new Map();

/** {keys, re, score} for a pattern; cached. */
export function compile(pattern) {
  let c = cache.get(pattern);
  if (c) return c;
  const segs = normalize(pattern).split('/').filter(Boolean);
  const keys = [];
  const score = [];
  const re = segs.map((s) => {
    if (s.startsWith(':')) {
      keys.push(s.slice(1));
      score.push(1);
      return '/([^/]+)';
    }
    score.push(2);
    return '/' + s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('');
  c = { keys, re: new RegExp(`^${re || '/'}$`), score };
  cache.set(pattern, c);
  return c;
}

/** "/a/b/" -> "/a/b"; "" -> "/". */
export function normalize(path) {
  let p = path || '/';
  if (!p.startsWith('/')) p = '/' + p;
  if (p.length > 1) p = p.replace(/\/+$/, '');
  return p || '/';
}

function better(a, b) {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] || 0, y = b[i] || 0;
    if (x !== y) return x > y;
  }
  return false;
}

/** The best route for pathname: {route, params} or null. */
export function matchRoute(routes, pathname) {
  const path = normalize(pathname);
  let best = null;
  for (const route of routes) {
    const c = compile(route.path);
    const m = c.re.exec(path);
    if (!m) continue;
    const params = {};
    let ok = true;
    c.keys.forEach((k, i) => {
      try {
        params[k] = decodeURIComponent(m[i + 1]);
      } catch {
        ok = false; // a malformed escape is no match, not a crash
      }
    });
    if (!ok) continue;
    if (!best || better(c.score, best.score)) best = { route, params, score: c.score };
  }
  return best ? { route: best.route, params: best.params } : null;
}

/** "?a=1&b=2" -> {a:"1", b:"2"} (the last of repeated keys). */
export function parseQuery(search) {
  const out = {};
  const sp = new URLSearchParams(search || '');
  for (const [k, v] of sp) out[k] = v;
  return out;
}

/** Whether a click on anchor a should be handled by the router. */
export function isRouterLink(a, ev, origin) {
  if (!a || ev.defaultPrevented || ev.button !== 0) return false;
  if (ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return false;
  if (a.target && a.target !== '_self') return false;
  if (a.hasAttribute('download') || a.getAttribute('rel') === 'external' || a.hasAttribute('data-native')) return false;
  const href = a.getAttribute('href');
  if (!href || href.startsWith('#')) return false;
  let url;
  try {
    url = new URL(a.href, origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  // API answers (CSV exports, SVG charts) are files, not pages.
  return !url.pathname.startsWith('/api/');
}

/**
 * The router: onRoute({route, params, query, path}) is called for every
 * navigation; notFound(path) when nothing matches. win is the window (the
 * tests do not start a router).
 */
export function createRouter({ routes, onRoute, notFound, win = globalThis.window }) {
  let table = routes.slice();
  let currentPath = null;

  function resolve() {
    const loc = win.location;
    const path = normalize(loc.pathname);
    currentPath = path + loc.search;
    const m = matchRoute(table, path);
    if (!m) return notFound(path);
    return onRoute({ route: m.route, params: m.params, query: parseQuery(loc.search), path });
  }

  function navigate(to, { replace = false } = {}) {
    if (to === currentPath && !replace) return resolve();
    if (replace) win.history.replaceState(null, '', to);
    else win.history.pushState(null, '', to);
    return resolve();
  }

  /** Changes the query string of the current page without re-rendering it
   * (filters on a list page keep their state in the URL for back and links). */
  function setQuery(params) {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') sp.set(k, v);
    const s = sp.toString();
    const to = win.location.pathname + (s ? `?${s}` : '');
    currentPath = to;
    win.history.replaceState(null, '', to);
  }

  function onClick(ev) {
    const a = ev.target && ev.target.closest ? ev.target.closest('a[href]') : null;
    if (!isRouterLink(a, ev, win.location.origin)) return;
    ev.preventDefault();
    const url = new URL(a.href, win.location.origin);
    navigate(url.pathname + url.search);
  }

  return {
    start() {
      win.addEventListener('popstate', resolve);
      win.document.addEventListener('click', onClick);
      return resolve();
    },
    navigate,
    setQuery,
    refresh: resolve,
    setRoutes(r) {
      table = r.slice();
    },
    get routes() {
      return table;
    },
  };
}
