// notify — 通知: channels (email, webhook, DingTalk, WeCom, Feishu robots),
// routing rules with escalation steps, and the delivery log with each
// message's attempts.
//
// Secrets are never shown: the server answers "••••" and KEY_set; the form
// shows "已设置" or "未设置" and a field to replace the secret (left empty,
// the stored one is kept) and, when one is set, a box to clear it.
// Changing channels and rules and sending a test need notify.write
// (manager, system administrator); the others see the same pages read-only.
// Channels and rules declared in the config file (provisioned) are
// read-only for everybody.

import { h, mount, pageHeader, loading, errorBox, empty, table, button, field, formErrorBox, clearErrors, setFieldError, showApiError, confirmDialog, describeError, uid } from '../ui.js';
import { CHANNEL_TYPES, CHANNEL_SECRETS, SMTP_SECURITY, NOTIFY_KINDS, DLV_STATUSES, LEVELS, TARGET_KINDS, secretState, channelBody, checkChannel, checkRule, splitList, listOf } from './model.js';
import { tabs, clearOnInput } from './common.js';

const DONE = new Set(['sent', 'failed', 'suppressed', 'cancelled']);

function notifyTabs(ctx, current) {
  const { tr } = ctx;
  return tabs([
    { href: '/notify', label: tr('ops.ch.list'), testid: 'tab-channels' },
    { href: '/notify/rules', label: tr('ops.rule.list'), testid: 'tab-rules' },
    { href: '/notify/deliveries', label: tr('ops.dlv.title'), testid: 'tab-deliveries' },
  ], current, tr('ops.nav.notify'));
}

/** A delivery's status: colour, shape and text. */
export function dlvBadge(status, tr, props = {}) {
  const s = DLV_STATUSES.includes(status) ? status : 'queued';
  return h('span', { class: `badge ops-dlv ops-dlv-${s}`, 'data-status': s, ...props }, h('span', { class: 'ops-shape', 'aria-hidden': 'true' }), tr(`ops.dlv.status.${s}`));
}

function typeTitle(tr, type) {
  return CHANNEL_TYPES.includes(type) ? tr(`ops.ch.type.${type}`) : type;
}

/**
 * "Send test": POST /channels/{id}/test, then watch the delivery until it
 * is sent, failed or suppressed (at most ~30 s), showing each step in out.
 */
async function sendTest(ctx, ch, out) {
  const { tr, api, fmt, lang } = ctx;
  mount(out, h('span', { class: 'loading' }, tr('ops.ch.testing')));
  let r;
  try {
    r = await api.post(`/api/v1/channels/${ch.id}/test`, undefined, { signal: ctx.signal });
  } catch (err) {
    if (err.name !== 'AbortError') mount(out, h('span', { class: 'ops-test-fail', role: 'alert', testid: 'test-error' }, describeError(err, tr, lang)));
    return;
  }
  const id = r && (r.delivery_id || r.id);
  if (!id) {
    mount(out, dlvBadge(r && r.status, tr));
    return;
  }
  let d = { status: (r && r.status) || 'queued' };
  for (let i = 0; i < 30 && !DONE.has(d.status); i++) {
    mount(out, dlvBadge(d.status, tr, { testid: 'test-status' }), ' ', h('span', { class: 'muted small' }, tr('ops.ch.test_waiting')));
    await new Promise((res) => setTimeout(res, 1000));
    if (ctx.signal.aborted) return;
    try {
      d = await api.get(`/api/v1/deliveries/${id}`, { signal: ctx.signal });
    } catch (err) {
      if (err.name !== 'AbortError') mount(out, h('span', { class: 'ops-test-fail', role: 'alert' }, describeError(err, tr, lang)));
      return;
    }
  }
  const last = (d.attempt_log || [])[d.attempt_log ? d.attempt_log.length - 1 : 0];
  mount(out, h('span', { class: 'ops-test-result', role: 'status', testid: 'test-result', 'data-status': d.status },
    dlvBadge(d.status, tr, { testid: 'test-status' }),
    ' ',
    d.status === 'sent'
      ? tr('ops.ch.test_sent', { time: fmt.formatTime(d.sent_at, { seconds: true }), n: d.attempts || 1 })
      : d.last_error || (last && last.error) || (DONE.has(d.status) ? '' : tr('ops.ch.test_still')),
    ' ',
    h('a', { href: `/notify/deliveries?channel=${encodeURIComponent(ch.name)}` }, tr('ops.ch.test_log'))));
  ctx.announce(tr(`ops.dlv.status.${DLV_STATUSES.includes(d.status) ? d.status : 'queued'}`));
}

// ---- channels ----------------------------------------------------------------------------------

export async function renderChannels(main, ctx) {
  const { tr, api, lang } = ctx;
  const canWrite = ctx.can('notify.write');
  const box = h('div', { testid: 'channels' }, loading(tr));
  mount(main,
    pageHeader(tr('ops.nav.notify'), canWrite ? h('a', { href: '/notify/channels/new', class: 'button primary', testid: 'channel-new' }, tr('ops.ch.new')) : null),
    notifyTabs(ctx, '/notify'),
    h('p', { class: 'muted' }, tr('ops.ch.intro')),
    box);
  let items;
  try {
    items = listOf(await api.get('/api/v1/channels', { signal: ctx.signal }), 'channels');
  } catch (err) {
    if (err.name !== 'AbortError') mount(box, errorBox(err, tr, lang));
    return undefined;
  }
  if (!items.length) {
    mount(box, empty(canWrite ? tr('ops.ch.none_write') : tr('ops.ch.none')));
    return undefined;
  }
  mount(box, table({
    testid: 'channels-table',
    caption: tr('ops.ch.list'),
    rowProps: (c) => ({ 'data-channel': c.name }),
    columns: [
      { label: tr('ops.ch.name'), class: 'wrap-any', render: (c) => [h('a', { href: `/notify/channels/${c.id}`, class: 'strong', testid: `channel-link-${c.name}` }, c.title || c.name), c.title ? h('div', { class: 'muted small mono' }, c.name) : null, c.provisioned ? h('span', { class: 'tag' }, tr('ops.common.provisioned')) : null] },
      { label: tr('ops.ch.type_label'), render: (c) => typeTitle(tr, c.type) },
      { label: tr('ops.ch.state'), render: (c) => [c.enabled ? tr('ops.ch.enabled') : h('span', { class: 'muted' }, tr('ops.ch.disabled')), c.default ? h('span', { class: 'tag' }, tr('ops.ch.default')) : null] },
      { label: tr('ops.ch.endpoint'), class: 'wrap-any', render: (c) => h('span', { class: 'mono small' }, c.type === 'email' ? `${c.host || ''}:${c.port || ''}` : c.url || '—') },
      { label: tr('ops.ch.secrets'), render: (c) => secretMarks(c) },
      {
        label: tr('common.actions'),
        render: (c) => {
          const out = h('div', { class: 'ops-test-out', 'aria-live': 'polite', testid: `test-out-${c.name}` });
          return h('div', { class: 'ops-row-actions' },
            h('a', { href: `/notify/channels/${c.id}`, class: 'button small' }, canWrite && !c.provisioned ? tr('common.edit') : tr('ops.common.view')),
            canWrite ? button(tr('ops.ch.test'), () => sendTest(ctx, c, out), { class: 'small', testid: `channel-test-${c.name}` }) : null,
            out);
        },
      },
    ],
    rows: items,
  }));
  return undefined;

  function secretMarks(c) {
    const st = secretState(c);
    const keys = Object.keys(st);
    if (!keys.length) return '—';
    return h('ul', { class: 'ops-plain ops-secret-marks' }, keys.map((k) => h('li', null,
      h('span', { class: `ops-secret-mark ${st[k] ? 'is-set' : 'not-set'}` }, `${tr(`ops.ch.secret.${k}`)}：${st[k] ? tr('ops.ch.secret_set') : tr('ops.ch.secret_unset')}`))));
  }
}

export async function renderChannelForm(main, ctx) {
  const { tr, api, lang } = ctx;
  const isNew = !ctx.params.id;
  let ch = { type: 'dingtalk', enabled: true };
  if (!isNew) {
    mount(main, loading(tr));
    try {
      ch = await api.get(`/api/v1/channels/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal });
    } catch (err) {
      if (err.name !== 'AbortError') mount(main, pageHeader(tr('ops.ch.title')), errorBox(err, tr, lang), h('p', null, h('a', { href: '/notify' }, tr('ops.ch.back'))));
      return undefined;
    }
  }
  const readOnly = !ctx.can('notify.write') || Boolean(ch.provisioned);
  ctx.setTitle(isNew ? tr('ops.ch.new') : ch.title || ch.name);

  const type = field({ label: tr('ops.ch.type_label'), name: 'type', type: 'select', value: ch.type, required: true, testid: 'ch-type', options: CHANNEL_TYPES.map((x) => ({ value: x, label: typeTitle(tr, x) })) });
  const name = field({ label: tr('ops.ch.name'), name: 'name', value: ch.name || '', required: true, testid: 'ch-name', hint: tr('ops.ch.name_hint'), attrs: { maxlength: 64, autocomplete: 'off', spellcheck: 'false' } });
  const title = field({ label: tr('ops.ch.title_label'), name: 'title', value: ch.title || '', testid: 'ch-title', attrs: { maxlength: 200 } });
  const enabled = field({ label: tr('ops.ch.enabled'), name: 'enabled', type: 'checkbox', value: ch.enabled !== false, testid: 'ch-enabled' });
  const dflt = field({ label: tr('ops.ch.default_label'), name: 'default', type: 'checkbox', value: Boolean(ch.default), testid: 'ch-default', hint: tr('ops.ch.default_hint') });
  const url = field({ label: tr('ops.ch.url'), name: 'url', value: ch.url || '', testid: 'ch-url', attrs: { maxlength: 2048, inputmode: 'url', autocomplete: 'off', spellcheck: 'false' } });
  const host = field({ label: tr('ops.ch.host'), name: 'host', value: ch.host || '', testid: 'ch-host', attrs: { maxlength: 253, autocomplete: 'off' } });
  const port = field({ label: tr('ops.ch.port'), name: 'port', type: 'number', value: ch.port || '', testid: 'ch-port', attrs: { min: 1, max: 65535, inputmode: 'numeric' } });
  const security = field({ label: tr('ops.ch.security'), name: 'security', type: 'select', value: ch.security || 'starttls', testid: 'ch-security', options: SMTP_SECURITY.map((x) => ({ value: x, label: tr(`ops.ch.sec.${x}`) })) });
  const username = field({ label: tr('ops.ch.username'), name: 'username', value: ch.username || '', testid: 'ch-username', attrs: { autocomplete: 'off' } });
  const from = field({ label: tr('ops.ch.from'), name: 'from', value: ch.from || '', testid: 'ch-from', attrs: { inputmode: 'email', autocomplete: 'off' } });
  const fromName = field({ label: tr('ops.ch.from_name'), name: 'from_name', value: ch.from_name || '', testid: 'ch-from-name' });
  const to = field({ label: tr('ops.ch.to'), name: 'to', type: 'textarea', value: (ch.to || []).join('\n'), testid: 'ch-to', hint: tr('ops.ch.to_hint'), attrs: { rows: 2 } });
  const tlsVerify = field({ label: tr('ops.ch.tls_verify'), name: 'tls_verify', type: 'checkbox', value: ch.tls_verify !== false, testid: 'ch-tls-verify' });
  const msgtype = field({ label: tr('ops.ch.msgtype'), name: 'msgtype', type: 'select', value: ch.msgtype || 'markdown', testid: 'ch-msgtype', options: ['markdown', 'text'].map((x) => ({ value: x, label: tr(`ops.ch.msg.${x}`) })) });
  const dedup = field({ label: tr('ops.ch.dedup'), name: 'dedup_window', value: ch.dedup_window || '', testid: 'ch-dedup', hint: tr('ops.ch.dedup_hint'), attrs: { placeholder: '10m', maxlength: 16 } });
  const rateMax = field({ label: tr('ops.ch.rate_max'), name: 'rate_limit', type: 'number', value: ch.rate_limit ? ch.rate_limit.max : '', testid: 'ch-rate-max', hint: tr('ops.ch.rate_hint'), attrs: { min: 0, max: 10000, inputmode: 'numeric' } });
  const ratePer = field({ label: tr('ops.ch.rate_per'), name: 'rate_per', value: ch.rate_limit ? ch.rate_limit.per : '', testid: 'ch-rate-per', attrs: { placeholder: '10m', maxlength: 16 } });
  const onLimit = field({ label: tr('ops.ch.on_limit'), name: 'on_limit', type: 'select', value: ch.on_limit || 'digest', testid: 'ch-on-limit', options: ['digest', 'drop'].map((x) => ({ value: x, label: tr(`ops.ch.limit.${x}`) })) });

  // One block per secret of the type: the marker, the replacement, clear.
  const secretBlocks = {};
  for (const s of ['password', 'token', 'secret']) {
    const isSet = Boolean(ch[`${s}_set`]);
    const f = field({ label: tr(`ops.ch.secret_new.${s}`), name: s, type: 'password', testid: `ch-secret-${s}`, hint: tr(`ops.ch.secret_hint.${s}`), attrs: { autocomplete: 'new-password', maxlength: 512, spellcheck: 'false' } });
    const mark = h('p', { class: `ops-secret-mark ${isSet ? 'is-set' : 'not-set'}`, testid: `ch-secret-${s}-mark` }, `${tr(`ops.ch.secret.${s}`)}：${isSet ? tr('ops.ch.secret_set') : tr('ops.ch.secret_unset')}`);
    const clearBox = isSet ? field({ label: tr('ops.ch.secret_clear'), name: `${s}_clear`, type: 'checkbox', testid: `ch-secret-${s}-clear` }) : null;
    const wrap = h('fieldset', { class: 'ops-secret' }, h('legend', null, tr(`ops.ch.secret.${s}`)), mark, f.wrap, clearBox ? clearBox.wrap : null);
    secretBlocks[s] = { wrap, input: f.input, clear: clearBox && clearBox.input };
  }

  const groups = {
    email: h('div', { class: 'grid-form' }, host.wrap, port.wrap, security.wrap, username.wrap, from.wrap, fromName.wrap, h('div', { class: 'full' }, to.wrap)),
    url: h('div', null, url.wrap),
    msgtype: h('div', null, msgtype.wrap),
    tls: h('div', null, tlsVerify.wrap),
  };
  const secretsBox = h('div', { class: 'ops-secrets' }, Object.values(secretBlocks).map((b) => b.wrap));
  const urlHint = h('p', { class: 'hint' });

  function showType() {
    const t = type.input.value;
    groups.email.hidden = t !== 'email';
    groups.url.hidden = t === 'email';
    groups.msgtype.hidden = t !== 'wecom';
    groups.tls.hidden = !(t === 'email' || t === 'webhook');
    urlHint.textContent = t === 'email' ? '' : tr(`ops.ch.url_hint.${t}`);
    for (const [s, b] of Object.entries(secretBlocks)) b.wrap.hidden = !(CHANNEL_SECRETS[t] || []).includes(s);
  }
  type.input.addEventListener('change', showType);
  groups.url.appendChild(urlHint);

  const save = h('button', { type: 'submit', class: 'primary', testid: 'ch-save' }, tr('common.save'));
  const testOut = h('div', { class: 'ops-test-out', 'aria-live': 'polite', testid: 'ch-test-out' });
  const actions = h('div', { class: 'actions split' },
    h('div', { class: 'actions' }, readOnly ? null : save, h('a', { href: '/notify', class: 'button' }, tr('common.back'))),
    !isNew && ctx.can('notify.write') ? h('div', { class: 'actions' },
      button(tr('ops.ch.test'), () => sendTest(ctx, ch, testOut), { testid: 'ch-test' }),
      ch.provisioned ? null : button(tr('common.delete'), remove, { class: 'danger', testid: 'ch-delete' })) : null);
  const form = h('form', { class: 'form ops-form', novalidate: true, testid: 'channel-form' },
    formErrorBox(),
    readOnly ? h('p', { class: 'notice' }, ch.provisioned ? tr('ops.common.provisioned_note') : tr('ops.common.readonly_note')) : null,
    h('fieldset', { class: 'grid-form' }, h('legend', null, tr('ops.ch.basic')), type.wrap, name.wrap, title.wrap, h('div', null, enabled.wrap, dflt.wrap)),
    h('fieldset', null, h('legend', null, tr('ops.ch.where')), groups.email, groups.url, groups.msgtype, groups.tls),
    h('fieldset', null, h('legend', null, tr('ops.ch.secrets')), h('p', { class: 'muted small' }, tr('ops.ch.secrets_note')), secretsBox),
    h('fieldset', { class: 'grid-form' }, h('legend', null, tr('ops.ch.limits')), dedup.wrap, onLimit.wrap, rateMax.wrap, ratePer.wrap),
    actions, testOut);
  if (readOnly) for (const el of form.querySelectorAll('input, select, textarea')) el.disabled = true;
  clearOnInput(form);
  if (!isNew) type.input.disabled = true; // a type change loses the secrets: make a new channel instead
  showType();

  mount(main,
    h('p', { class: 'crumbs' }, h('a', { href: '/notify' }, tr('ops.ch.back'))),
    pageHeader(isNew ? tr('ops.ch.new') : ch.title || ch.name),
    form);

  async function remove() {
    const ok = await confirmDialog({ title: tr('ops.ch.delete_q', { name: ch.title || ch.name }), message: tr('ops.ch.delete_text'), confirm: tr('common.delete'), cancel: tr('common.cancel'), danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/v1/channels/${ch.id}`, { signal: ctx.signal });
      ctx.toast(tr('ops.ch.deleted', { name: ch.name }));
      ctx.navigate('/notify');
    } catch (err) {
      if (err.name !== 'AbortError') showApiError(form, err, tr, lang);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (readOnly) return;
    clearErrors(form);
    const secrets = {};
    for (const [s, b] of Object.entries(secretBlocks)) secrets[s] = { value: b.input.value, clear: Boolean(b.clear && b.clear.checked) };
    const body = channelBody({
      name: name.input.value, title: title.input.value, type: type.input.value, enabled: enabled.input.checked, default: dflt.input.checked,
      url: url.input.value, host: host.input.value, port: port.input.value, security: security.input.value, username: username.input.value,
      from: from.input.value, from_name: fromName.input.value, to: to.input.value, tls_verify: tlsVerify.input.checked, msgtype: msgtype.input.value,
      dedup_window: dedup.input.value.trim(), rate_max: rateMax.input.value, rate_per: ratePer.input.value, on_limit: onLimit.input.value, secrets,
    });
    const errs = checkChannel(body);
    if (errs.length) {
      for (const e of errs) {
        const w = form.querySelector(`[data-field="${e.field}"]`);
        if (w) setFieldError(w, tr(e.key));
      }
      const first = form.querySelector(`[data-field="${errs[0].field}"] input, [data-field="${errs[0].field}"] select`);
      if (first) first.focus();
      return;
    }
    save.disabled = true;
    try {
      const r = isNew ? await api.post('/api/v1/channels', body, { signal: ctx.signal }) : await api.put(`/api/v1/channels/${ch.id}`, body, { signal: ctx.signal });
      ctx.toast(tr(isNew ? 'ops.ch.created' : 'ops.ch.saved', { name: r.name || body.name }));
      ctx.navigate(`/notify/channels/${r.id}`, { replace: isNew });
    } catch (err) {
      if (err.name !== 'AbortError') showApiError(form, err, tr, lang);
    } finally {
      save.disabled = false;
    }
  });
  if (!readOnly) (isNew ? type.input : name.input).focus();
  return undefined;
}

// ---- rules --------------------------------------------------------------------------------------

function targetText(tr, t) {
  if (TARGET_KINDS.includes(t)) return tr(`ops.rule.to.${t.replace(':', '_')}`);
  if (t.startsWith('role:')) return tr('ops.rule.to_role', { role: tr(`role.${t.slice(5)}`) });
  if (t.startsWith('user:')) return tr('ops.rule.to_user', { user: t.slice(5) });
  return t;
}

export function stepText(tr, s) {
  const when = !s.after || /^0[a-z]*$/.test(s.after) ? tr('ops.rule.at_once') : tr('ops.rule.after', { after: s.after });
  return tr('ops.rule.step_text', { when, to: (s.to || []).map((x) => targetText(tr, x)).join('、'), channels: (s.channels || []).join('、') });
}

export async function renderRules(main, ctx) {
  const { tr, api, lang } = ctx;
  const canWrite = ctx.can('notify.write');
  const box = h('div', { testid: 'rules' }, loading(tr));
  mount(main,
    pageHeader(tr('ops.rule.list'), canWrite ? h('a', { href: '/notify/rules/new', class: 'button primary', testid: 'rule-new' }, tr('ops.rule.new')) : null),
    notifyTabs(ctx, '/notify/rules'),
    h('p', { class: 'muted' }, tr('ops.rule.intro')),
    box);
  let items;
  try {
    items = listOf(await api.get('/api/v1/rules', { signal: ctx.signal }), 'rules');
  } catch (err) {
    if (err.name !== 'AbortError') mount(box, errorBox(err, tr, lang));
    return undefined;
  }
  if (!items.length) return mount(box, empty(tr('ops.rule.none')));
  const any = tr('ops.rule.any');
  mount(box, table({
    testid: 'rules-table',
    caption: tr('ops.rule.list'),
    columns: [
      { label: tr('ops.rule.name'), class: 'wrap-any', render: (r) => [h('a', { href: `/notify/rules/${r.id}`, class: 'strong' }, r.title || r.name), r.title ? h('div', { class: 'muted small mono' }, r.name) : null, r.provisioned ? h('span', { class: 'tag' }, tr('ops.common.provisioned')) : null] },
      { label: tr('ops.ch.state'), render: (r) => (r.enabled === false ? h('span', { class: 'muted' }, tr('ops.ch.disabled')) : tr('ops.ch.enabled')) },
      {
        label: tr('ops.rule.match'),
        render: (r) => {
          const m = r.match || {};
          return h('ul', { class: 'ops-plain small' },
            h('li', null, `${tr('ops.rule.levels')}：${(m.levels || []).length ? m.levels.map((l) => tr(`ops.level.${l}`)).join('、') : any}`),
            h('li', null, `${tr('ops.rule.systems')}：${(m.systems || []).length ? m.systems.join('、') : any}`),
            h('li', null, `${tr('ops.rule.kinds')}：${(m.kinds || []).length ? m.kinds.map((k) => tr(`ops.kind.${NOTIFY_KINDS.includes(k) ? k : 'test'}`)).join('、') : any}`));
        },
      },
      { label: tr('ops.rule.steps'), class: 'wrap-any', render: (r) => h('ol', { class: 'ops-steps small' }, (r.steps || []).map((s) => h('li', null, stepText(tr, s)))) },
    ],
    rows: items,
  }));
  return undefined;
}

export async function renderRuleForm(main, ctx) {
  const { tr, api, lang } = ctx;
  const isNew = !ctx.params.id;
  let rule = { enabled: true, match: { levels: [], systems: [], kinds: [] }, steps: [{ after: '0m', to: ['assignee'], channels: [] }] };
  let channels = [];
  mount(main, loading(tr));
  try {
    const [r, c] = await Promise.all([
      isNew ? Promise.resolve(null) : api.get(`/api/v1/rules/${encodeURIComponent(ctx.params.id)}`, { signal: ctx.signal }),
      api.get('/api/v1/channels', { signal: ctx.signal }),
    ]);
    if (r) rule = r;
    channels = listOf(c, 'channels');
  } catch (err) {
    if (err.name !== 'AbortError') mount(main, pageHeader(tr('ops.rule.title')), errorBox(err, tr, lang), h('p', null, h('a', { href: '/notify/rules' }, tr('ops.rule.back'))));
    return undefined;
  }
  const readOnly = !ctx.can('notify.write') || Boolean(rule.provisioned);
  ctx.setTitle(isNew ? tr('ops.rule.new') : rule.title || rule.name);
  const m = rule.match || {};

  const name = field({ label: tr('ops.rule.name'), name: 'name', value: rule.name || '', required: true, testid: 'rule-name', hint: tr('ops.ch.name_hint'), attrs: { maxlength: 64, autocomplete: 'off', spellcheck: 'false' } });
  const title = field({ label: tr('ops.ch.title_label'), name: 'title', value: rule.title || '', testid: 'rule-title', attrs: { maxlength: 200 } });
  const enabled = field({ label: tr('ops.ch.enabled'), name: 'enabled', type: 'checkbox', value: rule.enabled !== false, testid: 'rule-enabled' });
  const checks = (fieldName, legend, opts, chosen, hint) => {
    const set = new Set((chosen || []).map(String));
    return h('fieldset', { class: 'field', 'data-field': fieldName },
      h('legend', null, legend),
      hint ? h('p', { class: 'hint' }, hint) : null,
      h('ul', { class: 'check-list' }, opts.map((o) => {
        const id = uid(`${fieldName}-${o.value}`);
        return h('li', null, h('input', { type: 'checkbox', id, value: String(o.value), checked: set.has(String(o.value)), 'data-group': fieldName }), h('label', { for: id }, o.label));
      })),
      h('p', { class: 'field-error', hidden: true }));
  };
  const levels = checks('match', tr('ops.rule.levels'), LEVELS.map((l) => ({ value: l, label: tr(`ops.level.${l}`) })), m.levels, tr('ops.rule.empty_any'));
  const kinds = checks('kinds', tr('ops.rule.kinds'), NOTIFY_KINDS.filter((k) => k !== 'test').map((k) => ({ value: k, label: tr(`ops.kind.${k}`) })), m.kinds, tr('ops.rule.empty_any'));
  const systems = field({ label: tr('ops.rule.systems'), name: 'systems', value: (m.systems || []).join(', '), testid: 'rule-systems', hint: tr('ops.rule.systems_hint'), attrs: { autocomplete: 'off' } });

  const stepsBox = h('ol', { class: 'ops-step-list' });
  // The steps' own error slot (a wrap of its own, so that the fields inside
  // the steps keep theirs): errors on "steps[1].after" land here too.
  const stepsErr = h('div', { 'data-field': 'steps', testid: 'rule-steps-error' }, h('p', { class: 'field-error', role: 'alert', hidden: true }));
  const stepsField = h('fieldset', { class: 'field ops-steps-field' }, h('legend', null, tr('ops.rule.steps')), h('p', { class: 'hint' }, tr('ops.rule.steps_hint')), stepsErr, stepsBox);
  const steps = [];
  function addStep(s) {
    const i = steps.length;
    const after = field({ label: tr('ops.rule.after_label'), name: `after`, value: s.after || (i ? '15m' : '0m'), testid: `step-${i}-after`, attrs: { maxlength: 16, placeholder: '15m' } });
    const fixed = new Set(s.to || []);
    const toBox = h('ul', { class: 'check-list' }, TARGET_KINDS.map((t) => {
      const id = uid('to');
      return h('li', null, h('input', { type: 'checkbox', id, value: t, checked: fixed.has(t), testid: `step-${i}-to-${t.replace(':', '-')}` }), h('label', { for: id }, targetText(tr, t)));
    }));
    const others = field({ label: tr('ops.rule.to_more'), name: 'to_more', value: (s.to || []).filter((t) => !TARGET_KINDS.includes(t)).join(', '), testid: `step-${i}-to-more`, hint: tr('ops.rule.to_more_hint'), attrs: { autocomplete: 'off' } });
    const chosen = new Set(s.channels || []);
    const chBox = channels.length
      ? h('ul', { class: 'check-list' }, channels.map((c) => {
        const id = uid('ch');
        return h('li', null, h('input', { type: 'checkbox', id, value: c.name, checked: chosen.has(c.name), testid: `step-${i}-ch-${c.name}` }), h('label', { for: id }, c.title ? `${c.title} (${c.name})` : c.name));
      }))
      : h('p', { class: 'muted small' }, tr('ops.rule.no_channels'));
    const remove = readOnly ? null : button(tr('ops.rule.remove_step'), () => {
      const k = steps.indexOf(step);
      if (k >= 0 && steps.length > 1) {
        steps.splice(k, 1);
        step.el.remove();
      }
    }, { class: 'small danger', testid: `step-${i}-remove` });
    const step = {
      el: h('li', { class: 'ops-step', 'data-field': `steps[${i}]` },
        after.wrap,
        h('fieldset', { class: 'field' }, h('legend', null, tr('ops.rule.to_label')), toBox, others.wrap),
        h('fieldset', { class: 'field' }, h('legend', null, tr('ops.rule.channels')), chBox),
        remove),
      value: () => ({
        after: after.input.value.trim() || '0m',
        to: [...[...toBox.querySelectorAll('input:checked')].map((x) => x.value), ...splitList(others.input.value)],
        channels: [...chBox.querySelectorAll('input:checked')].map((x) => x.value),
      }),
    };
    steps.push(step);
    stepsBox.appendChild(step.el);
    if (readOnly) for (const el of step.el.querySelectorAll('input, select, textarea')) el.disabled = true;
  }
  for (const s of rule.steps && rule.steps.length ? rule.steps : [{ after: '0m', to: ['assignee'], channels: [] }]) addStep(s);
  const addBtn = readOnly ? null : button(tr('ops.rule.add_step'), () => addStep({ after: '15m', to: ['duty:lead'], channels: [] }), { class: 'small', testid: 'rule-add-step' });

  const save = h('button', { type: 'submit', class: 'primary', testid: 'rule-save' }, tr('common.save'));
  const form = h('form', { class: 'form ops-form', novalidate: true, testid: 'rule-form' },
    formErrorBox(),
    readOnly ? h('p', { class: 'notice' }, rule.provisioned ? tr('ops.common.provisioned_note') : tr('ops.common.readonly_note')) : null,
    h('fieldset', { class: 'grid-form' }, h('legend', null, tr('ops.ch.basic')), name.wrap, title.wrap, enabled.wrap),
    h('fieldset', null, h('legend', null, tr('ops.rule.match')), levels, kinds, systems.wrap),
    stepsField, addBtn,
    h('div', { class: 'actions split' },
      h('div', { class: 'actions' }, readOnly ? null : save, h('a', { href: '/notify/rules', class: 'button' }, tr('common.back'))),
      !isNew && !readOnly ? button(tr('common.delete'), remove, { class: 'danger', testid: 'rule-delete' }) : null));
  if (readOnly) for (const el of form.querySelectorAll('input, select, textarea')) el.disabled = true;
  clearOnInput(form);
  form.addEventListener('change', () => setFieldError(stepsErr, ''));
  mount(main, h('p', { class: 'crumbs' }, h('a', { href: '/notify/rules' }, tr('ops.rule.back'))), pageHeader(isNew ? tr('ops.rule.new') : rule.title || rule.name), form);

  async function remove() {
    const ok = await confirmDialog({ title: tr('ops.rule.delete_q', { name: rule.title || rule.name }), message: tr('ops.rule.delete_text'), confirm: tr('common.delete'), cancel: tr('common.cancel'), danger: true });
    if (!ok) return;
    try {
      await api.del(`/api/v1/rules/${rule.id}`, { signal: ctx.signal });
      ctx.toast(tr('ops.rule.deleted', { name: rule.name }));
      ctx.navigate('/notify/rules');
    } catch (err) {
      if (err.name !== 'AbortError') showApiError(form, err, tr, lang);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (readOnly) return;
    clearErrors(form);
    const picked = (fs) => [...fs.querySelectorAll('input:checked')].map((x) => x.value);
    const body = {
      name: name.input.value.trim(),
      enabled: enabled.input.checked,
      match: { levels: picked(levels).map(Number), systems: splitList(systems.input.value), kinds: picked(kinds) },
      steps: steps.map((s) => s.value()),
    };
    if (title.input.value.trim()) body.title = title.input.value.trim();
    const errs = checkRule(body);
    if (errs.length) {
      const w = errs[0].field.startsWith('steps') ? stepsErr : form.querySelector(`[data-field="${errs[0].field}"]`);
      if (w) {
        setFieldError(w, tr(errs[0].key));
        w.scrollIntoView({ block: 'center' });
      }
      return;
    }
    save.disabled = true;
    try {
      const r = isNew ? await api.post('/api/v1/rules', body, { signal: ctx.signal }) : await api.put(`/api/v1/rules/${rule.id}`, body, { signal: ctx.signal });
      ctx.toast(tr(isNew ? 'ops.rule.created' : 'ops.rule.saved', { name: r.name || body.name }));
      ctx.navigate('/notify/rules');
    } catch (err) {
      if (err.name !== 'AbortError') showApiError(form, err, tr, lang);
    } finally {
      save.disabled = false;
    }
  });
  return undefined;
}

// ---- the delivery log ------------------------------------------------------------------------------

export async function renderDeliveries(main, ctx) {
  const { tr, api, fmt, lang, query } = ctx;
  const f = { channel: query.channel || '', incident: /^\d+$/.test(query.incident || '') ? query.incident : '', status: DLV_STATUSES.includes(query.status) ? query.status : '' };
  let items = [];
  let cursor = null;
  const chSel = field({ label: tr('ops.dlv.channel'), name: 'channel', type: 'select', testid: 'dlv-filter-channel', options: [{ value: '', label: tr('common.all') }] });
  const incident = field({ label: tr('ops.dlv.incident'), name: 'incident', type: 'search', value: f.incident, testid: 'dlv-filter-incident', attrs: { inputmode: 'numeric', autocomplete: 'off', placeholder: '12' } });
  const status = field({ label: tr('ops.dlv.status_label'), name: 'status', type: 'select', value: f.status, testid: 'dlv-filter-status', options: [{ value: '', label: tr('common.all') }, ...DLV_STATUSES.map((s) => ({ value: s, label: tr(`ops.dlv.status.${s}`) }))] });
  const filters = h('form', { class: 'ops-filters ops-filters-3', role: 'search', testid: 'dlv-filters', onsubmit: (ev) => { ev.preventDefault(); apply(); } }, chSel.wrap, incident.wrap, status.wrap);
  const box = h('div', { testid: 'deliveries' }, loading(tr));
  const more = h('div', { class: 'pager' });
  mount(main, pageHeader(tr('ops.dlv.title')), notifyTabs(ctx, '/notify/deliveries'), filters, box, more);

  function apply() {
    f.channel = chSel.input.value;
    f.status = status.input.value;
    const v = incident.input.value.trim().replace(/^#/, '');
    if (v && !/^\d+$/.test(v)) {
      setFieldError(incident.wrap, tr('ops.dlv.bad_incident'));
      return;
    }
    setFieldError(incident.wrap, '');
    f.incident = v;
    ctx.setQuery(f);
    load();
  }
  chSel.input.addEventListener('change', apply);
  status.input.addEventListener('change', apply);
  incident.input.addEventListener('change', apply);

  const q = (before) => ({ channel: f.channel, incident: f.incident, status: f.status, limit: 50, before });

  function draw() {
    if (!items.length) mount(box, empty(tr('ops.dlv.none')));
    else {
      mount(box, table({
        testid: 'dlv-table',
        caption: tr('ops.dlv.title'),
        rowProps: (d) => ({ 'data-delivery': String(d.id), class: d.status === 'failed' ? 'row-bad' : null }),
        columns: [
          { label: tr('ops.dlv.time'), render: (d) => fmt.formatDateTime(d.created) },
          { label: tr('ops.dlv.channel'), render: (d) => d.channel || '—' },
          { label: tr('ops.dlv.kind'), render: (d) => [tr(`ops.kind.${NOTIFY_KINDS.includes(d.kind) ? d.kind : 'digest'}`), d.clock ? h('span', { class: 'tag' }, tr(`ops.clock.${d.clock}`)) : null] },
          { label: tr('ops.dlv.incident'), render: (d) => (d.incident_id ? h('a', { href: `/incidents/${d.incident_id}` }, `#${d.incident_id}`) : '—') },
          { label: tr('ops.dlv.to'), class: 'wrap-any', render: (d) => ((d.recipients || []).length ? d.recipients.join('、') : (d.targets || []).map((x) => targetText(tr, x)).join('、') || '—') },
          { label: tr('ops.dlv.status_label'), render: (d) => [dlvBadge(d.status, tr), d.held > 1 ? h('span', { class: 'tag' }, tr('ops.dlv.held', { n: d.held })) : null] },
          { label: tr('ops.dlv.attempts'), class: 'num', render: (d) => String(d.attempts || 0) },
          { label: tr('ops.dlv.detail'), class: 'wrap-any', render: (d) => detail(d) },
        ],
        rows: items,
      }));
    }
    mount(more, cursor ? button(tr('ops.inc.load_more'), loadMore, { testid: 'dlv-more' }) : null);
  }

  function detail(d) {
    const log = d.attempt_log || [];
    return h('details', { class: 'ops-dlv-detail', testid: `dlv-detail-${d.id}` },
      h('summary', null, d.last_error ? h('span', { class: 'ops-err-text' }, d.last_error) : tr('ops.dlv.show')),
      d.subject ? h('p', { class: 'strong' }, d.subject) : null,
      d.text ? h('p', { class: 'ops-pre small' }, d.text) : null,
      d.rule ? h('p', { class: 'small muted' }, tr('ops.dlv.rule', { rule: d.rule, step: d.step || '0s' })) : null,
      d.next_attempt ? h('p', { class: 'small muted' }, tr('ops.dlv.next', { time: fmt.formatDateTime(d.next_attempt) })) : null,
      log.length ? h('ol', { class: 'ops-attempts small' }, log.map((a) => h('li', { class: a.ok ? 'ok' : 'bad' },
        h('span', { class: 'strong' }, a.ok ? tr('ops.dlv.attempt_ok') : tr('ops.dlv.attempt_bad')), ' ',
        tr('ops.dlv.attempt', { time: fmt.formatDateTime(a.at), ms: a.duration_ms ?? '—', status: a.status ?? '—' }),
        a.error ? h('div', { class: 'ops-err-text' }, a.error) : null,
        a.response ? h('div', { class: 'mono muted' }, a.response) : null))) : h('p', { class: 'small muted' }, tr('ops.dlv.no_attempts')));
  }

  async function load() {
    mount(box, loading(tr));
    try {
      const r = await api.get('/api/v1/deliveries', { query: q(null), signal: ctx.signal });
      items = listOf(r, 'deliveries');
      cursor = r && r.next_cursor;
      draw();
    } catch (err) {
      if (err.name !== 'AbortError') mount(box, errorBox(err, tr, lang));
    }
  }
  async function loadMore() {
    try {
      const r = await api.get('/api/v1/deliveries', { query: q(cursor), signal: ctx.signal });
      items = items.concat(listOf(r, 'deliveries'));
      cursor = r && r.next_cursor;
      draw();
    } catch (err) {
      if (err.name !== 'AbortError') ctx.toast(describeError(err, tr, lang), 'error');
    }
  }

  api.get('/api/v1/channels', { signal: ctx.signal }).then((r) => {
    for (const c of listOf(r, 'channels')) chSel.input.appendChild(h('option', { value: c.name }, c.title ? `${c.title} (${c.name})` : c.name));
    chSel.input.value = f.channel;
  }).catch(() => null);
  await load();
  // New messages go out while one watches: a quiet refresh of the first page.
  const timer = setInterval(async () => {
    if (document.hidden || cursor === undefined) return;
    try {
      const r = await api.get('/api/v1/deliveries', { query: q(null), signal: ctx.signal, background: true });
      const fresh = listOf(r, 'deliveries');
      const open = new Set([...box.querySelectorAll('details[open]')].map((x) => x.dataset.testid));
      const ids = new Set(fresh.map((x) => x.id));
      items = fresh.concat(items.filter((x) => !ids.has(x.id) && x.id < Math.min(...fresh.map((y) => y.id))));
      draw();
      for (const t of open) {
        const d = box.querySelector(`[data-testid="${t}"]`);
        if (d) d.open = true;
      }
    } catch {
      /* the next tick tries again */
    }
  }, 15000);
  return () => clearInterval(timer);
}
