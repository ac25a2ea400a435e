// monitor_form — create and edit a monitor (not one from the config file:
// those are read-only here). The common fields, then the fields of the
// chosen type. Obvious mistakes are caught here, in the user's language; the
// server checks everything again and its 400 names the field, whose message
// then shows next to that field.

import { h, mount, pageHeader, field, formErrorBox, clearErrors, setFieldError, showApiError, loading, errorBox } from '../ui.js';
import { TYPES, HTTP_METHODS, NAME_RE, DURATION_RE, durationSeconds } from '../model.js';

/** The fields of each type: name (the API key), kind, default. Labels are mf.NAME. */
export const TYPE_FIELDS = {
  http: [
    { name: 'url', required: true, kind: 'url', full: true },
    { name: 'method', kind: 'select', options: HTTP_METHODS, def: 'GET' },
    { name: 'status', kind: 'list', hint: true },
    { name: 'keyword', kind: 'text' },
    { name: 'keyword_absent', kind: 'text' },
    { name: 'max_latency', kind: 'duration', hint: true },
    { name: 'max_redirects', kind: 'int', def: 5, min: 0, max: 20 },
    { name: 'follow_redirects', kind: 'bool', def: true },
    { name: 'tls_verify', kind: 'bool', def: true },
    { name: 'headers', kind: 'headers', hint: true, full: true },
    { name: 'body', kind: 'textarea', full: true },
    { name: 'json', kind: 'json', hint: true, full: true },
  ],
  tls: [
    { name: 'host', required: true, kind: 'text' },
    { name: 'port', kind: 'int', def: 443, min: 1, max: 65535 },
    { name: 'min_days', kind: 'int', def: 14, min: 0, max: 3650, hint: true },
    { name: 'verify', kind: 'bool', def: true },
  ],
  tcp: [
    { name: 'host', required: true, kind: 'text' },
    { name: 'port', required: true, kind: 'int', min: 1, max: 65535 },
  ],
  dns: [
    { name: 'host', required: true, kind: 'text', hint: true },
    { name: 'record', kind: 'select', options: ['A', 'AAAA'], def: 'A' },
    { name: 'expect', kind: 'list', hint: true },
    { name: 'server', kind: 'text', hint: true },
  ],
  ping: [{ name: 'host', required: true, kind: 'text' }],
  postgres: [
    { name: 'conninfo', required: true, kind: 'text', hint: true, full: true },
    { name: 'query', kind: 'text', full: true },
    { name: 'expect', kind: 'text' },
  ],
  heartbeat: [
    { name: 'grace', kind: 'duration', hint: true },
    { name: 'token', kind: 'text', hint: true },
  ],
};

/** Every form field name with a label (mf.NAME) and, where hint is set, a hint (mf.NAME_hint). */
export const COMMON_FIELDS = ['name', 'title', 'system', 'type', 'interval', 'timeout', 'retry_interval', 'retries', 'recover', 'critical', 'paused'];
export const COMMON_HINTS = ['name', 'interval', 'timeout', 'retry_interval', 'retries', 'recover', 'critical'];

// ---- conversions between API values and form text -----------------------------------

export function headersToText(obj) {
  if (!obj || typeof obj !== 'object') return '';
  return Object.entries(obj).map(([k, v]) => `${k}: ${v}`).join('\n');
}

/** "Name: value" lines -> object; throws {line} on a line without a colon. */
export function textToHeaders(text) {
  const out = {};
  const lines = String(text || '').split(/\r?\n/);
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const c = line.indexOf(':');
    if (c <= 0) throw Object.assign(new Error('header'), { line: i + 1 });
    out[line.slice(0, c).trim()] = line.slice(c + 1).trim();
  });
  return out;
}

/** [200, "300-399"] <-> "200, 300-399"; codes become numbers, ranges stay strings. */
export function statusToText(list) {
  return Array.isArray(list) ? list.join(', ') : '';
}

export function textToStatus(text) {
  const items = splitList(text);
  return items.map((s) => {
    if (/^\d{3}$/.test(s)) return Number(s);
    if (/^\d{3}-\d{3}$/.test(s)) return s;
    throw Object.assign(new Error('status'), { item: s });
  });
}

export function splitList(text) {
  return String(text || '').split(/[\s,，、]+/).map((s) => s.trim()).filter(Boolean);
}

/**
 * The API body from the form's values (name -> string | boolean). Empty
 * optional fields are left out, so that the server's defaults apply.
 * Returns {body} or {error: {field, key, params}}.
 */
export function buildBody(values, { editing = false, original = null } = {}) {
  const v = values;
  const err = (fieldName, key, params) => ({ error: { field: fieldName, key, params } });
  const body = {};
  const str = (k) => (typeof v[k] === 'string' ? v[k].trim() : '');

  if (!str('name')) return err('name', 'mf.need');
  if (!NAME_RE.test(str('name'))) return err('name', 'mf.bad_name');
  body.name = str('name');
  if (str('title')) body.title = str('title');
  if (!str('system')) return err('system', 'mf.need');
  body.system = str('system');
  const type = str('type');
  if (!TYPES.includes(type)) return err('type', 'mf.need');
  body.type = type;
  for (const k of ['interval', 'timeout', 'retry_interval']) {
    if (!str(k)) continue;
    if (!DURATION_RE.test(str(k))) return err(k, 'mf.bad_duration');
    body[k] = str(k);
  }
  if (body.interval && durationSeconds(body.interval) < 1) return err('interval', 'mf.interval_min');
  if (body.timeout && body.interval && durationSeconds(body.timeout) > durationSeconds(body.interval)) return err('timeout', 'mf.timeout_long');
  for (const k of ['retries', 'recover']) {
    if (!str(k)) continue;
    const n = Number(str(k));
    if (!Number.isInteger(n) || n < 1 || n > 100) return err(k, 'mf.bad_int', { min: 1, max: 100 });
    body[k] = n;
  }
  body.critical = Boolean(v.critical);
  if (editing && original) body.paused = Boolean(original.paused);
  else body.paused = Boolean(v.paused);

  for (const f of TYPE_FIELDS[type]) {
    const k = f.name;
    const raw = v[k];
    if (f.kind === 'bool') {
      body[k] = Boolean(raw);
      continue;
    }
    const s = typeof raw === 'string' ? raw.trim() : '';
    if (!s) {
      if (f.required) return err(k, 'mf.need');
      continue;
    }
    switch (f.kind) {
      case 'url':
        if (!/^https?:\/\/\S+$/i.test(s)) return err(k, 'mf.bad_url');
        body[k] = s;
        break;
      case 'int': {
        const n = Number(s);
        if (!Number.isInteger(n) || n < f.min || n > f.max) return err(k, 'mf.bad_int', { min: f.min, max: f.max });
        body[k] = n;
        break;
      }
      case 'duration':
        if (!DURATION_RE.test(s)) return err(k, 'mf.bad_duration');
        body[k] = s;
        break;
      case 'list':
        if (k === 'status') {
          try {
            body[k] = textToStatus(s);
          } catch (e) {
            return err(k, 'mf.bad_status', { item: e.item });
          }
        } else body[k] = splitList(s);
        break;
      case 'headers':
        try {
          body[k] = textToHeaders(raw);
        } catch (e) {
          return err(k, 'mf.bad_header', { line: e.line });
        }
        break;
      case 'json': {
        let j;
        try {
          j = JSON.parse(s);
        } catch {
          return err(k, 'mf.bad_json');
        }
        if (!Array.isArray(j)) return err(k, 'mf.bad_json');
        body[k] = j;
        break;
      }
      case 'textarea':
        body[k] = raw; // a request body is sent as typed, blanks included
        break;
      default:
        body[k] = s;
    }
  }
  return { body };
}

/** The form's text for a monitor's value of field f. */
function toText(f, m) {
  const v = m ? m[f.name] : undefined;
  if (f.kind === 'bool') return v === undefined ? f.def : Boolean(v);
  if (v === undefined || v === null) return f.def !== undefined ? String(f.def) : '';
  if (f.kind === 'headers') return headersToText(v);
  if (f.kind === 'json') return JSON.stringify(v, null, 2);
  if (f.name === 'status') return statusToText(v);
  if (f.kind === 'list') return Array.isArray(v) ? v.join(', ') : String(v);
  if (f.kind === 'duration' && v === '0s') return '';
  return String(v);
}

// ---- the page --------------------------------------------------------------------

export async function render(main, ctx) {
  const { t, api, lang, params, query } = ctx;
  const editing = Boolean(params.id);
  mount(main, loading(t));
  let orig = null;
  let systems = [];
  try {
    const [sr, mr] = await Promise.all([
      api.get('/api/v1/systems', { signal: ctx.signal }),
      editing ? api.get(`/api/v1/monitors/${encodeURIComponent(params.id)}`, { signal: ctx.signal }) : Promise.resolve(null),
    ]);
    systems = sr.items || [];
    orig = mr;
  } catch (err) {
    if (err.name !== 'AbortError') mount(main, pageHeader(t(editing ? 'monitor.edit' : 'monitor.new')), errorBox(err, t, lang));
    return;
  }
  const title = editing ? t('monitor.edit_title', { name: orig.title || orig.name }) : t('monitor.new');
  ctx.setTitle(title);
  if (editing && orig.provisioned) {
    mount(main, pageHeader(title), h('p', { class: 'notice' }, t('monitor.provisioned_note')), h('p', null, h('a', { href: `/monitors/${orig.id}` }, t('common.back'))));
    return;
  }
  if (!systems.length) {
    mount(main, pageHeader(title), h('p', { class: 'notice' }, t('monitor.need_system')),
      ctx.can('monitor.write') ? h('p', null, h('a', { href: '/systems/new', class: 'button primary' }, t('system.new'))) : null);
    return;
  }

  const fields = new Map(); // name -> {wrap, input}
  const mk = (name, opts) => {
    const f = field({ name, label: t(`mf.${name}`), testid: `mf-${name}`, ...opts });
    fields.set(name, f);
    return f.wrap;
  };
  const o = orig || {};
  const common = h('fieldset', { class: 'grid-form' },
    h('legend', null, t('monitor.basics')),
    mk('name', { required: true, value: o.name || '', hint: t('mf.name_hint'), attrs: { autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', maxlength: '64' } }),
    mk('title', { value: o.title || '', attrs: { maxlength: '200' } }),
    mk('system', { type: 'select', required: true, value: o.system || query.system || '', options: [{ value: '', label: t('mf.choose') }, ...systems.map((s) => ({ value: s.name, label: s.title ? `${s.title} (${s.name})` : s.name }))] }),
    mk('type', { type: 'select', required: true, value: o.type || 'http', options: TYPES.map((x) => ({ value: x, label: t(`type.${x}`) })) }),
    mk('interval', { value: o.interval || '60s', hint: t('mf.interval_hint'), attrs: { inputmode: 'text', autocomplete: 'off' } }),
    mk('timeout', { value: o.timeout || '', hint: t('mf.timeout_hint'), attrs: { autocomplete: 'off', placeholder: '10s' } }),
    mk('retry_interval', { value: o.retry_interval && o.retry_interval !== o.interval ? o.retry_interval : '', hint: t('mf.retry_interval_hint'), attrs: { autocomplete: 'off' } }),
    mk('retries', { type: 'number', value: o.retries ?? 2, hint: t('mf.retries_hint'), attrs: { min: '1', max: '100', inputmode: 'numeric' } }),
    mk('recover', { type: 'number', value: o.recover ?? 1, hint: t('mf.recover_hint'), attrs: { min: '1', max: '100', inputmode: 'numeric' } }),
    mk('critical', { type: 'checkbox', value: Boolean(o.critical), hint: t('mf.critical_hint') }),
    editing ? null : mk('paused', { type: 'checkbox', value: false }));

  // One fieldset per type, all built once; only the chosen one is shown, so
  // switching type back and forth keeps what was typed.
  const typeSets = new Map();
  for (const type of TYPES) {
    const same = (orig && orig.type === type) ? orig : null;
    const set = h('fieldset', { class: 'grid-form', 'data-type': type, hidden: true },
      h('legend', null, t('monitor.type_fields', { type: t(`type.${type}`) })));
    for (const f of TYPE_FIELDS[type]) {
      const key = `${type}.${f.name}`;
      const opts = {
        required: f.required,
        value: toText(f, same),
        hint: f.hint ? t(`mf.${f.name}_hint`) : undefined,
        attrs: { autocomplete: 'off', spellcheck: 'false' },
      };
      if (f.kind === 'select') {
        opts.type = 'select';
        opts.options = f.options.map((x) => ({ value: x, label: x }));
        opts.attrs = {};
      } else if (f.kind === 'bool') opts.type = 'checkbox';
      else if (f.kind === 'int') {
        opts.type = 'number';
        opts.attrs = { min: String(f.min), max: String(f.max), inputmode: 'numeric' };
      } else if (['headers', 'json', 'textarea'].includes(f.kind)) {
        opts.type = 'textarea';
        opts.attrs = { spellcheck: 'false', rows: f.kind === 'json' ? 4 : 3, class: 'mono' };
      } else if (f.kind === 'url') {
        opts.type = 'url';
        opts.attrs = { autocomplete: 'off', spellcheck: 'false', placeholder: 'https://' };
      }
      const fl = field({ name: f.name, label: t(`mf.${f.name}`), testid: `mf-${type}-${f.name}`, ...opts });
      if (f.full) fl.wrap.classList.add('full');
      fields.set(key, fl);
      set.appendChild(fl.wrap);
    }
    typeSets.set(type, set);
  }

  const typeSel = fields.get('type').input;
  const showType = () => {
    for (const [type, set] of typeSets) set.hidden = type !== typeSel.value;
  };
  typeSel.addEventListener('change', showType);
  showType();

  const submit = h('button', { type: 'submit', class: 'primary', testid: 'monitor-save' }, editing ? t('common.save') : t('monitor.create'));
  const form = h('form', { class: 'form', novalidate: true, testid: 'monitor-form' },
    formErrorBox(), common, [...typeSets.values()],
    h('div', { class: 'actions' }, submit, h('a', { href: editing ? `/monitors/${orig.id}` : '/monitors', class: 'button' }, t('common.cancel'))));

  function values() {
    const v = {};
    for (const name of COMMON_FIELDS) {
      const f = fields.get(name);
      if (!f) continue;
      v[name] = f.input.type === 'checkbox' ? f.input.checked : f.input.value;
    }
    for (const fdef of TYPE_FIELDS[typeSel.value] || []) {
      const f = fields.get(`${typeSel.value}.${fdef.name}`);
      v[fdef.name] = f.input.type === 'checkbox' ? f.input.checked : f.input.value;
    }
    return v;
  }

  function wrapOf(name) {
    return (fields.get(`${typeSel.value}.${name}`) || fields.get(name) || {}).wrap;
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const r = buildBody(values(), { editing, original: orig });
    if (r.error) {
      const w = wrapOf(r.error.field);
      if (w) {
        setFieldError(w, t(r.error.key, r.error.params));
        const i = w.querySelector('input, select, textarea');
        if (i) i.focus();
      }
      return;
    }
    submit.disabled = true;
    try {
      const saved = editing
        ? await api.put(`/api/v1/monitors/${orig.id}`, r.body, { signal: ctx.signal })
        : await api.post('/api/v1/monitors', r.body, { signal: ctx.signal });
      ctx.toast(editing ? t('monitor.saved', { name: saved.title || saved.name }) : t('monitor.created', { name: saved.title || saved.name }));
      ctx.navigate(`/monitors/${saved.id}`);
    } catch (err) {
      if (err.name === 'AbortError') return;
      submit.disabled = false;
      showApiError(form, err, t, lang);
    }
  });

  mount(main,
    h('p', { class: 'crumbs' }, h('a', { href: editing ? `/monitors/${orig.id}` : '/monitors' }, t('common.back'))),
    pageHeader(title),
    form);
}
