// router: matching, specificity, parameters, queries, link handling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, matchRoute, normalize, parseQuery, isRouterLink, createRouter } from '../../../web/app/router.js';

const routes = [
  { path: '/' }, { path: '/monitors' }, { path: '/monitors/:id' }, { path: '/monitors/new' },
  { path: '/monitors/:id/edit' }, { path: '/admin/users' }, { path: '/systems/:id' },
];

test('normalize', () => {
  assert.equal(normalize(''), '/');
  assert.equal(normalize('/'), '/');
  assert.equal(normalize('/a/'), '/a');
  assert.equal(normalize('/a//'), '/a');
  assert.equal(normalize('a'), '/a');
});

test('static and parameter routes', () => {
  assert.equal(matchRoute(routes, '/').route.path, '/');
  assert.equal(matchRoute(routes, '/monitors').route.path, '/monitors');
  assert.equal(matchRoute(routes, '/monitors/').route.path, '/monitors');
  const m = matchRoute(routes, '/monitors/7');
  assert.equal(m.route.path, '/monitors/:id');
  assert.deepEqual(m.params, { id: '7' });
  assert.deepEqual(matchRoute(routes, '/monitors/7/edit').params, { id: '7' });
  assert.equal(matchRoute(routes, '/monitors/7/edit/x'), null);
  assert.equal(matchRoute(routes, '/nowhere'), null);
  assert.equal(matchRoute(routes, '/admin/users').route.path, '/admin/users');
});

test('a static segment beats a parameter whatever the order', () => {
  assert.equal(matchRoute(routes, '/monitors/new').route.path, '/monitors/new');
  assert.equal(matchRoute([...routes].reverse(), '/monitors/new').route.path, '/monitors/new');
});

test('parameters are percent-decoded; a bad escape is no match', () => {
  assert.deepEqual(matchRoute(routes, '/systems/%E6%95%B0%E6%8D%AE').params, { id: '数据' });
  assert.deepEqual(matchRoute(routes, '/systems/a.b-c_d').params, { id: 'a.b-c_d' });
  assert.equal(matchRoute(routes, '/systems/%E0%A4%A'), null);
});

test('regex characters in a pattern are literal', () => {
  const c = compile('/a.b');
  assert.equal(c.re.test('/a.b'), true);
  assert.equal(c.re.test('/axb'), false);
});

test('parseQuery', () => {
  assert.deepEqual(parseQuery('?q=%E9%97%A8%E6%88%B7&state=down'), { q: '门户', state: 'down' });
  assert.deepEqual(parseQuery(''), {});
  assert.deepEqual(parseQuery('?a=1&a=2'), { a: '2' });
  assert.deepEqual(parseQuery('?q=a+b'), { q: 'a b' });
});

function anchor(href, attrs = {}) {
  return {
    href: new URL(href, 'http://127.0.0.1:8080').href,
    target: attrs.target || '',
    getAttribute: (k) => (k === 'href' ? href : attrs[k] ?? null),
    hasAttribute: (k) => k in attrs,
  };
}
const click = (o = {}) => ({ defaultPrevented: false, button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false, ...o });
const origin = 'http://127.0.0.1:8080';

test('which links the router takes', () => {
  assert.equal(isRouterLink(anchor('/monitors/7'), click(), origin), true);
  assert.equal(isRouterLink(anchor('/monitors?state=down'), click(), origin), true);
  assert.equal(isRouterLink(anchor('/monitors/7'), click({ ctrlKey: true }), origin), false);
  assert.equal(isRouterLink(anchor('/monitors/7'), click({ button: 1 }), origin), false);
  assert.equal(isRouterLink(anchor('/monitors/7', { target: '_blank' }), click(), origin), false);
  assert.equal(isRouterLink(anchor('/api/v1/audit.csv'), click(), origin), false);
  assert.equal(isRouterLink(anchor('/x', { download: '' }), click(), origin), false);
  assert.equal(isRouterLink(anchor('https://example.org/'), click(), origin), false);
  assert.equal(isRouterLink(anchor('#main'), click(), origin), false);
  assert.equal(isRouterLink(null, click(), origin), false);
});

test('the router resolves, navigates and keeps the query', () => {
  const calls = [];
  const loc = { pathname: '/monitors/7', search: '?x=1', origin };
  const win = {
    location: loc,
    history: {
      pushState: (_s, _t, to) => { const u = new URL(to, origin); loc.pathname = u.pathname; loc.search = u.search; calls.push(['push', to]); },
      replaceState: (_s, _t, to) => { const u = new URL(to, origin); loc.pathname = u.pathname; loc.search = u.search; calls.push(['replace', to]); },
    },
    addEventListener: () => {},
    document: { addEventListener: () => {} },
  };
  const seen = [];
  const r = createRouter({ routes, win, onRoute: (m) => seen.push(m), notFound: (p) => seen.push({ notFound: p }) });
  r.start();
  assert.equal(seen[0].route.path, '/monitors/:id');
  assert.deepEqual(seen[0].query, { x: '1' });
  r.navigate('/monitors?state=down');
  assert.equal(seen[1].route.path, '/monitors');
  assert.deepEqual(seen[1].query, { state: 'down' });
  r.navigate('/gone', { replace: true });
  assert.deepEqual(seen[2], { notFound: '/gone' });
  assert.deepEqual(calls.map((c) => c[0]), ['push', 'replace']);
  r.setQuery({ q: '门户', empty: '', page: 2 });
  assert.equal(loc.search, '?q=%E9%97%A8%E6%88%B7&page=2');
  assert.equal(seen.length, 3); // setQuery does not re-render
});
