// password — the forced change: at the first login with a one-time
// password, after a reset, or when the password has expired. The session
// can do nothing else until it is done. The policy's reasons for refusing a
// new password come from the server (it alone knows the policy and the
// history) and are shown next to the field.

import { h, mount, field, formErrorBox, clearErrors, setFieldError, showApiError, pageHeader } from '../ui.js';

let reason = null;
/** Why the change is asked for, when the login page knows ("expired"). */
export function setReason(r) {
  reason = r;
}

/** The change-password form, shared with the account page. onDone runs after a 204. */
export function passwordForm(ctx, { onDone, testid = 'password-form' } = {}) {
  const { t, api, lang } = ctx;
  const old = field({ label: t('password.old'), name: 'old', type: 'password', required: true, testid: 'password-old', attrs: { autocomplete: 'current-password' } });
  const nw = field({ label: t('password.new'), name: 'new', type: 'password', required: true, testid: 'password-new', hint: t('password.rules'), attrs: { autocomplete: 'new-password' } });
  const again = field({ label: t('password.again'), name: 'again', type: 'password', required: true, testid: 'password-again', attrs: { autocomplete: 'new-password' } });
  const btn = h('button', { type: 'submit', class: 'primary', testid: 'password-submit' }, t('password.submit'));
  const form = h('form', { class: 'form form-narrow', novalidate: true, testid }, formErrorBox(), old.wrap, nw.wrap, again.wrap, h('div', { class: 'actions' }, btn));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!old.input.value) return setFieldError(old.wrap, t('password.need_old')), old.input.focus();
    if (!nw.input.value) return setFieldError(nw.wrap, t('password.need_new')), nw.input.focus();
    if (nw.input.value !== again.input.value) return setFieldError(again.wrap, t('password.mismatch')), again.input.focus();
    if (nw.input.value === old.input.value) return setFieldError(nw.wrap, t('password.same')), nw.input.focus();
    btn.disabled = true;
    try {
      await api.post('/api/v1/session/password', { old: old.input.value, new: nw.input.value }, { signal: ctx.signal });
      for (const i of [old.input, nw.input, again.input]) i.value = '';
      await onDone();
    } catch (err) {
      if (err.name === 'AbortError') return;
      showApiError(form, err, t, lang);
    } finally {
      btn.disabled = false;
    }
  });
  return form;
}

export async function render(main, ctx) {
  const { t } = ctx;
  const why = reason === 'expired' ? t('password.why_expired') : t('password.why_first');
  reason = null;
  const form = passwordForm(ctx, {
    onDone: async () => {
      ctx.toast(t('password.done'));
      const s = await ctx.refreshSession();
      await ctx.onLogin(s);
    },
  });
  mount(main, h('div', { class: 'login-wrap' },
    h('section', { class: 'login-card', testid: 'password-page' },
      pageHeader(t('password.title')),
      h('p', { class: 'notice', role: 'note' }, why),
      form,
      h('p', { class: 'muted small' }, h('button', { type: 'button', class: 'link', onclick: () => ctx.logout() }, t('shell.logout'))))));
  form.querySelector('input').focus();
}
