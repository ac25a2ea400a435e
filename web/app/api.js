// api — the one way the console talks to the server.
//
// Every call is JSON over fetch with the session cookie (credentials
// same-origin). Writes carry the session's CSRF token in X-CSRF-Token: the
// server refuses a cookie-authenticated change without it. Failures become
// ApiError {status, code, message, field, extra}: the server's
// {"error":{code,message,field,…}} when it sent one, else a code made from
// the status; a network failure is status 0, code "network".
//
// A 401 (no or expired session) calls onUnauthorized (the console goes to the
// login page) unless the caller handles it itself (noRedirect: the login form
// and the first session probe). A 403 password_change_required or
// totp_enrolment_required calls onRestricted so that the console can show the
// page the session is limited to.

export class ApiError extends Error {
  constructor({ status = 0, code = 'internal', message = '', field = null, extra = {} } = {}) {
    super(message || code);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.extra = extra;
  }
}

const STATUS_CODES = {
  400: 'invalid', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  409: 'conflict', 413: 'too_large', 423: 'locked', 429: 'rate_limited', 500: 'internal', 502: 'io_error',
  503: 'io_error', 504: 'io_error',
};

/**
 * The ApiError for an answer with status and (parsed) body; body may be
 * anything, including text or null when the answer was not JSON.
 */
export function toError(status, body) {
  const e = body && typeof body === 'object' && body.error && typeof body.error === 'object' ? body.error : null;
  const code = e && typeof e.code === 'string' && e.code ? e.code : (STATUS_CODES[status] || (status >= 500 ? 'internal' : 'invalid'));
  const message = e && typeof e.message === 'string' ? e.message : (typeof body === 'string' ? body.slice(0, 300) : '');
  const field = e && typeof e.field === 'string' && e.field ? e.field : null;
  const extra = {};
  if (e) for (const [k, v] of Object.entries(e)) if (!['code', 'message', 'field'].includes(k)) extra[k] = v;
  return new ApiError({ status, code, message, field, extra });
}

/** "?a=1&b=x%2By" from an object; null, undefined and '' values are left out. */
export function buildQuery(params) {
  if (!params) return '';
  const parts = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === null || v === undefined || v === '') continue;
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Makes a client. fetchFn is the fetch to use (tests pass a fake); hooks may
 * be set later with configure().
 */
export function createApi({ fetchFn = (...a) => globalThis.fetch(...a), base = '', onUnauthorized = null, onRestricted = null } = {}) {
  let csrf = null;
  const hooks = { onUnauthorized, onRestricted };

  async function request(method, path, { query, body, signal, noRedirect = false, accept = 'json', background = false } = {}) {
    const headers = { Accept: accept === 'json' ? 'application/json' : '*/*' };
    // A timed refresh is not the person's doing: the server leaves the
    // session's idle clock running, so an unattended tab still logs out.
    if (background) headers['X-Yunwei-Background'] = '1';
    const init = { method, headers, credentials: 'same-origin', signal };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (WRITES.has(method) && csrf) headers['X-CSRF-Token'] = csrf;
    let r;
    try {
      r = await fetchFn(base + path + buildQuery(query), init);
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw new ApiError({ status: 0, code: 'network', message: String((e && e.message) || e) });
    }
    let data = null;
    if (r.status !== 204 && r.status !== 304) {
      const ct = (r.headers && r.headers.get && r.headers.get('Content-Type')) || '';
      try {
        data = ct.includes('json') ? await r.json() : await r.text();
      } catch {
        data = null;
      }
    }
    if (r.ok) return data;
    const err = toError(r.status, data);
    if (err.status === 401 && !noRedirect && hooks.onUnauthorized) hooks.onUnauthorized(err);
    if (err.status === 403 && (err.code === 'password_change_required' || err.code === 'totp_enrolment_required') && hooks.onRestricted)
      hooks.onRestricted(err.code);
    throw err;
  }

  // One-shot answers fetched ahead (the dashboard's lists, requested while
  // the page is still booting): the first plain GET of the path takes it.
  const early = new Map();
  function get(path, opts = {}) {
    const e = early.get(path);
    if (e && !opts.query) {
      early.delete(path);
      if (Date.now() - e.at < 10000) return e.promise.catch(() => request('GET', path, opts));
    }
    return request('GET', path, opts);
  }

  return {
    request,
    get,
    /** Starts GET path now for a later get(path); a failure is retried by that get. */
    prefetch(path) {
      const promise = request('GET', path, { noRedirect: true });
      promise.catch(() => null);
      early.set(path, { promise, at: Date.now() });
    },
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    del: (path, opts) => request('DELETE', path, opts),
    setCsrf(v) {
      csrf = v || null;
    },
    get csrf() {
      return csrf;
    },
    configure(h) {
      Object.assign(hooks, h);
    },
  };
}

/** The console's client. */
export const api = createApi();

/** Every item of a paged list, following next_cursor up to maxPages pages. */
export async function fetchAll(client, path, query = {}, { maxPages = 10, signal, background = false } = {}) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < maxPages; i++) {
    const page = await client.get(path, { query: { ...query, cursor }, signal, background });
    items.push(...((page && page.items) || []));
    cursor = page && page.next_cursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}
