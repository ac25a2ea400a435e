// setup — the first administrator of a new installation. `yunwei serve`
// (or `yunwei setup-link`) prints /setup#ywsetup_…: the one-time token is in
// the fragment, which the browser never sends to a server or a proxy log.
// The page posts it with the administrator's name and password; the account
// then logs in and enrols a second factor like every administrator.

import { h, mount, field, formErrorBox, clearErrors, setFieldError, showApiError, pageHeader } from '../ui.js';
import { NAME_RE } from '../model.js';

/** The token from a location hash "#ywsetup_…", or ''. */
export function tokenFromHash(hash) {
  const v = String(hash || '').replace(/^#/, '');
  return /^ywsetup_[A-Za-z0-9_-]{8,200}$/.test(v) ? v : '';
}

export async function render(main, ctx) {
  const { t, api, lang } = ctx;
  const token = tokenFromHash(typeof location !== 'undefined' ? location.hash : '');
  const card = h('section', { class: 'login-card', testid: 'setup-page' });
  mount(main, h('div', { class: 'login-wrap' }, card));
  if (!token) {
    mount(card, pageHeader(t('setup.title')), h('p', { class: 'notice' }, t('setup.no_token')), h('p', null, h('a', { href: '/login' }, t('login.title'))));
    return;
  }
  const user = field({ label: t('setup.user'), name: 'user', required: true, hint: t('mf.name_hint'), testid: 'setup-user', attrs: { autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false' } });
  const pw = field({ label: t('password.new'), name: 'password', type: 'password', required: true, hint: t('password.rules'), testid: 'setup-password', attrs: { autocomplete: 'new-password' } });
  const again = field({ label: t('password.again'), name: 'again', type: 'password', required: true, testid: 'setup-again', attrs: { autocomplete: 'new-password' } });
  const btn = h('button', { type: 'submit', class: 'primary wide', testid: 'setup-submit' }, t('setup.submit'));
  const form = h('form', { class: 'form', novalidate: true, testid: 'setup-form' }, formErrorBox(), user.wrap, pw.wrap, again.wrap, h('div', { class: 'actions' }, btn));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const name = user.input.value.trim();
    if (!NAME_RE.test(name) || name.length < 2) return setFieldError(user.wrap, t('mf.bad_name')), user.input.focus();
    if (!pw.input.value) return setFieldError(pw.wrap, t('password.need_new')), pw.input.focus();
    if (pw.input.value !== again.input.value) return setFieldError(again.wrap, t('password.mismatch')), again.input.focus();
    btn.disabled = true;
    try {
      await api.post('/api/v1/setup', { token, user: name, password: pw.input.value }, { noRedirect: true, signal: ctx.signal });
      // The token is spent: take it out of the address bar and history.
      history.replaceState(null, '', '/setup');
      ctx.toast(t('setup.done'));
      ctx.navigate(`/login?user=${encodeURIComponent(name)}`, { replace: true });
    } catch (err) {
      if (err.name === 'AbortError') return;
      btn.disabled = false;
      if (err.code === 'unauthorized' || err.field === 'token') showApiError(form, { ...err, field: null, code: 'setup_token' }, t, lang);
      else showApiError(form, err, t, lang);
    }
    return undefined;
  });
  mount(card, pageHeader(t('setup.title')), h('p', { class: 'muted' }, t('setup.intro')), form);
  user.input.focus();
}
