// api: error mapping, CSRF on writes, cookies, 401 and restricted sessions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApi, toError, buildQuery, ApiError, fetchAll } from '../../../web/app/api.js';

function answer(status, body, ct = 'application/json; charset=utf-8') {
  return {
    ok: status >= 200 && status < 300,
    status,
    headers: { get: (k) => (k.toLowerCase() === 'content-type' ? ct : null) },
    json: async () => (typeof body === 'string' ? JSON.parse(body) : body),
    text: async () => (typeof body === 'string' ? body : JSON.stringify(body)),
  };
}

function fake(responses) {
  const calls = [];
  const fetchFn = async (url, init) => {
    calls.push({ url, init });
    const r = responses.shift();
    if (r instanceof Error) throw r;
    return r;
  };
  return { calls, fetchFn };
}

test('toError takes the server error object', () => {
  const e = toError(400, { error: { code: 'invalid', message: 'interval: must be at least 1s', field: 'interval' } });
  assert.ok(e instanceof ApiError);
  assert.deepEqual([e.status, e.code, e.message, e.field], [400, 'invalid', 'interval: must be at least 1s', 'interval']);
  const l = toError(423, { error: { code: 'locked', message: '…', locked_until: '2026-11-26T10:00:00+08:00' } });
  assert.equal(l.extra.locked_until, '2026-11-26T10:00:00+08:00');
  assert.equal(l.field, null);
});

test('toError without a JSON error: a code from the status', () => {
  assert.equal(toError(404, null).code, 'not_found');
  assert.equal(toError(503, '<html>').code, 'io_error');
  assert.equal(toError(503, '<html>').message, '<html>');
  assert.equal(toError(502, null).code, 'io_error');
  assert.equal(toError(418, null).code, 'invalid');
  assert.equal(toError(599, {}).code, 'internal');
  assert.equal(toError(429, { error: 'x' }).code, 'rate_limited');
});

test('buildQuery leaves out empty values and encodes', () => {
  assert.equal(buildQuery({ from: '2026-11-25T10:00:00+08:00', to: '', q: null, x: undefined, n: 0 }), '?from=2026-11-25T10%3A00%3A00%2B08%3A00&n=0');
  assert.equal(buildQuery({}), '');
  assert.equal(buildQuery(null), '');
});

test('GET: JSON, same-origin credentials, no CSRF header', async () => {
  const { calls, fetchFn } = fake([answer(200, { items: [1] })]);
  const api = createApi({ fetchFn });
  api.setCsrf('ywc_x');
  const r = await api.get('/api/v1/systems', { query: { q: '门户' } });
  assert.deepEqual(r, { items: [1] });
  assert.equal(calls[0].url, '/api/v1/systems?q=%E9%97%A8%E6%88%B7');
  assert.equal(calls[0].init.credentials, 'same-origin');
  assert.equal(calls[0].init.method, 'GET');
  assert.equal(calls[0].init.headers['X-CSRF-Token'], undefined);
  assert.equal(calls[0].init.body, undefined);
});

test('writes carry the CSRF token and a JSON body; 204 is null', async () => {
  const { calls, fetchFn } = fake([answer(201, { id: 1 }), answer(204, null), answer(200, {}), answer(200, {})]);
  const api = createApi({ fetchFn });
  api.setCsrf('ywc_tok');
  assert.deepEqual(await api.post('/api/v1/monitors', { name: 'x' }), { id: 1 });
  assert.equal(calls[0].init.headers['X-CSRF-Token'], 'ywc_tok');
  assert.equal(calls[0].init.headers['Content-Type'], 'application/json');
  assert.equal(calls[0].init.body, '{"name":"x"}');
  assert.equal(await api.del('/api/v1/monitors/1'), null);
  assert.equal(calls[1].init.headers['X-CSRF-Token'], 'ywc_tok');
  await api.put('/api/v1/monitors/1', {});
  assert.equal(calls[2].init.method, 'PUT');
  await api.post('/api/v1/monitors/1/pause');
  assert.equal(calls[3].init.body, undefined);
  assert.equal(calls[3].init.headers['Content-Type'], undefined);
  api.setCsrf(null);
  assert.equal(api.csrf, null);
});

test('401 calls onUnauthorized unless the caller handles it', async () => {
  let n = 0;
  const body = { error: { code: 'unauthorized', message: '请先登录 / log in first' } };
  const { fetchFn } = fake([answer(401, body), answer(401, { error: { code: 'bad_credentials', message: 'x' } })]);
  const api = createApi({ fetchFn, onUnauthorized: () => n++ });
  await assert.rejects(api.get('/api/v1/systems'), (e) => e.status === 401 && e.code === 'unauthorized');
  assert.equal(n, 1);
  await assert.rejects(api.post('/api/v1/session', { user: 'a', password: 'b' }, { noRedirect: true }), (e) => e.code === 'bad_credentials');
  assert.equal(n, 1);
});

test('restricted sessions call onRestricted with the code', async () => {
  const seen = [];
  const { fetchFn } = fake([
    answer(403, { error: { code: 'password_change_required', message: '' } }),
    answer(403, { error: { code: 'totp_enrolment_required', message: '' } }),
    answer(403, { error: { code: 'forbidden', message: '' } }),
  ]);
  const api = createApi({ fetchFn });
  api.configure({ onRestricted: (c) => seen.push(c) });
  for (let i = 0; i < 3; i++) await assert.rejects(api.get('/api/v1/monitors'));
  assert.deepEqual(seen, ['password_change_required', 'totp_enrolment_required']);
});

test('network failure is status 0 code network; abort passes through', async () => {
  const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
  const { fetchFn } = fake([new TypeError('Failed to fetch'), abort]);
  const api = createApi({ fetchFn });
  await assert.rejects(api.get('/x'), (e) => e.status === 0 && e.code === 'network' && /Failed/.test(e.message));
  await assert.rejects(api.get('/x'), (e) => e.name === 'AbortError');
});

test('a non-JSON error page still maps', async () => {
  const { fetchFn } = fake([answer(502, 'Bad gateway', 'text/html')]);
  const api = createApi({ fetchFn });
  await assert.rejects(api.get('/x'), (e) => e.status === 502 && e.code === 'io_error' && e.message === 'Bad gateway');
});

test('fetchAll follows cursors and stops at maxPages', async () => {
  const { calls, fetchFn } = fake([
    answer(200, { items: [1, 2], next_cursor: 'c1' }),
    answer(200, { items: [3], next_cursor: null }),
    answer(200, { items: [1], next_cursor: 'a' }),
    answer(200, { items: [2], next_cursor: 'b' }),
  ]);
  const api = createApi({ fetchFn });
  assert.deepEqual(await fetchAll(api, '/api/v1/events', { limit: 2 }), { items: [1, 2, 3], complete: true });
  assert.equal(calls[1].url, '/api/v1/events?limit=2&cursor=c1');
  assert.deepEqual(await fetchAll(api, '/api/v1/events', {}, { maxPages: 2 }), { items: [1, 2], complete: false });
});

test('prefetch: the first plain GET takes the early answer; a failed one is fetched again', async () => {
  const { calls, fetchFn } = fake([answer(200, { items: ['early'] }), answer(401, { error: { code: 'unauthorized' } }), answer(200, { items: ['again'] }), answer(200, { items: ['late'] })]);
  let unauth = 0;
  const api = createApi({ fetchFn, onUnauthorized: () => unauth++ });
  api.prefetch('/api/v1/systems');
  api.prefetch('/api/v1/monitors');
  assert.deepEqual(await api.get('/api/v1/systems'), { items: ['early'] });
  assert.deepEqual(await api.get('/api/v1/monitors'), { items: ['again'] });
  assert.equal(unauth, 0, 'an early 401 does not send anyone to the login page');
  assert.deepEqual(await api.get('/api/v1/systems'), { items: ['late'] });
  assert.equal(calls.length, 4);
});
