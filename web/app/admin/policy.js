// 安全策略: the password, lockout and session policy. The security
// administrator reads it (policy.read) and changes it (policy.write); each
// field shows its allowed range, checked here before sending and again by
// the server, whose refusal shows under the field it names.

import {
  h, clear, append, field, formError, showError, clearErrors, fieldError, pageHead, loading, loadFailed,
  statusLine, flash, can, lang,
} from './dom.js';

/** The fields and their ranges (docs/api.md, Policy). */
export const POLICY_FIELDS = [
  { key: 'min_length', min: 8, max: 128, group: 'password' },
  { key: 'min_classes', min: 1, max: 4, group: 'password' },
  { key: 'history', min: 0, max: 24, group: 'password' },
  { key: 'expiry_days', min: 0, max: 3650, group: 'password' },
  { key: 'lock_after', min: 1, max: 100, group: 'lockout' },
  { key: 'lock_minutes', min: 1, max: 1440, group: 'lockout' },
  { key: 'rate_per_minute', min: 1, max: 1000, group: 'lockout' },
  { key: 'idle_minutes', min: 1, max: 1440, group: 'session' },
  { key: 'absolute_hours', min: 1, max: 168, group: 'session' },
];

export async function renderPolicy(main, ctx) {
  const { t, api } = ctx;
  const write = can(ctx, 'policy.write');
  clear(main);
  main.appendChild(loading(ctx));
  let policy;
  try {
    policy = await api.get('/api/v1/policy');
  } catch (e) {
    loadFailed(ctx, main, e);
    return;
  }
  const status = statusLine();
  const inputs = {};
  // "范围 8–128。" and, where there is one, the field's own hint after it
  // (no space between Chinese sentences, one between English ones).
  const hintOf = (f) => {
    const k = `admin.policy.${f.key}_hint`;
    const extra = t(k) !== k ? t(k) : '';
    return t('admin.policy.range', { min: f.min, max: f.max }) + (extra ? (lang() === 'en' ? ' ' : '') + extra : '');
  };
  const groups = ['password', 'lockout', 'session'].map((g) => h('fieldset', { class: 'adm-fieldset' },
    h('legend', { text: t(`admin.policy.group.${g}`) }),
    POLICY_FIELDS.filter((f) => f.group === g).map((f) => {
      const input = h('input', {
        type: 'number', min: f.min, max: f.max, step: 1, inputMode: 'numeric', required: true,
        value: policy[f.key] === undefined ? '' : String(policy[f.key]), disabled: !write,
      });
      inputs[f.key] = input;
      return field({
        name: f.key,
        label: t(`admin.policy.${f.key}`),
        input,
        hint: hintOf(f),
      });
    })));
  const form = h('form', { class: 'adm-form adm-policy-form', novalidate: true, testid: 'admin-policy-form' }, groups, formError(),
    write ? h('div', { class: 'adm-actions adm-actions-left' },
      h('button', { type: 'submit', class: 'adm-btn adm-btn-primary', text: t('admin.common.save'), testid: 'admin-policy-save' }),
      h('button', { type: 'button', class: 'adm-btn', text: t('admin.policy.revert'), onclick: () => fill(policy) })) : null);

  function fill(p) {
    for (const f of POLICY_FIELDS) inputs[f.key].value = p[f.key] === undefined ? '' : String(p[f.key]);
    clearErrors(form);
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const body = {};
    let bad = false;
    for (const f of POLICY_FIELDS) {
      const raw = inputs[f.key].value.trim();
      const n = Number(raw);
      if (raw === '' || !Number.isInteger(n) || n < f.min || n > f.max) {
        fieldError(form, f.key, t('admin.policy.out_of_range', { min: f.min, max: f.max }));
        if (!bad) inputs[f.key].focus();
        bad = true;
        continue;
      }
      if (n !== policy[f.key]) body[f.key] = n;
    }
    if (bad) return;
    if (!Object.keys(body).length) {
      flash(status, t('admin.policy.unchanged'), 'info');
      return;
    }
    try {
      const ans = await api.put('/api/v1/policy', body);
      policy = ans && typeof ans === 'object' && 'min_length' in ans ? ans : { ...policy, ...body };
      fill(policy);
      flash(status, t('admin.common.saved'));
    } catch (x) {
      showError(ctx, form, x);
    }
  });

  clear(main);
  main.appendChild(append(h('div', { class: 'adm-page adm-policy-page', testid: 'admin-policy' }), [
    pageHead(t('admin.policy.page_title'), t(write ? 'admin.policy.intro' : 'admin.policy.intro_read')),
    status,
    h('section', { class: 'adm-card' }, form),
  ]));
}
