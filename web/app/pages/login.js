// login — user name and password, then the second factor when the account
// has one (a TOTP code, or one of the recovery codes). Each refusal the
// server gives gets its own clear sentence: a locked account says until
// when, an expired password goes on to the change page.

import { h, mount, field, formErrorBox, showFormError, clearErrors, setFieldError, describeError, button } from '../ui.js';
import { setReason } from './password.js';

/** The sentence for a login refusal. fmt formats locked_until. */
export function loginErrorText(err, t, fmt, lang) {
  switch (err.code) {
    case 'bad_credentials':
      return t('login.bad_credentials');
    case 'locked': {
      const until = err.extra && err.extra.locked_until;
      return until ? t('login.locked', { time: fmt.formatDateTime(until, { seconds: false }) }) : t('login.locked_unknown');
    }
    case 'bad_totp':
      return t('login.bad_totp');
    case 'totp_required':
      return t('login.totp_required');
    case 'disabled':
      return t('login.disabled');
    case 'rate_limited':
      return t('login.rate_limited');
    case 'password_expired':
      return t('login.password_expired');
    default:
      return describeError(err, t, lang);
  }
}

export async function render(main, ctx) {
  const { t, api, fmt, lang } = ctx;
  let creds = null; // kept between the two steps only
  let recovery = false;

  const card = h('section', { class: 'login-card', 'aria-labelledby': 'login-title', testid: 'login' });
  mount(main, h('div', { class: 'login-wrap' }, card));

  async function submit(form, body) {
    clearErrors(form);
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const s = await api.post('/api/v1/session', body, { noRedirect: true, signal: ctx.signal });
      creds = null;
      await ctx.onLogin(s, ctx.query && ctx.query.next);
    } catch (err) {
      if (err.name === 'AbortError') return;
      btn.disabled = false;
      if (err.code === 'totp_required') {
        creds = { user: body.user, password: body.password };
        return stepTwo();
      }
      if (err.code === 'password_expired' && err.extra && err.extra.session) {
        creds = null;
        setReason('expired');
        return ctx.onLogin(err.extra.session);
      }
      const msg = loginErrorText(err, t, fmt, lang);
      if (err.code === 'bad_totp') {
        const w = form.querySelector('[data-field="code"]');
        if (w) {
          setFieldError(w, msg);
          w.querySelector('input').select();
          return;
        }
      }
      showFormError(form, msg);
      if (err.code === 'bad_credentials' && !creds) form.querySelector('input[name=password]').select();
    }
  }

  function stepOne(userName = '') {
    recovery = false;
    const user = field({ label: t('login.user'), name: 'user', required: true, value: userName, testid: 'login-user', attrs: { autocomplete: 'username', autocapitalize: 'off', spellcheck: 'false' } });
    const pw = field({ label: t('login.password'), name: 'password', type: 'password', required: true, testid: 'login-password', attrs: { autocomplete: 'current-password' } });
    const form = h('form', { class: 'form', novalidate: true, testid: 'login-form' },
      formErrorBox(), user.wrap, pw.wrap,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary wide', testid: 'login-submit' }, t('login.submit'))));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const u = user.input.value.trim();
      const p = pw.input.value;
      if (!u) return setFieldError(user.wrap, t('login.need_user')), user.input.focus();
      if (!p) return setFieldError(pw.wrap, t('login.need_password')), pw.input.focus();
      submit(form, { user: u, password: p });
    });
    mount(card,
      h('h1', { id: 'login-title', tabindex: '-1', 'data-page-title': '' }, t('login.title')),
      h('p', { class: 'muted' }, t('login.subtitle')),
      form);
    (userName ? pw.input : user.input).focus();
  }

  function stepTwo() {
    const code = recovery
      ? field({ label: t('login.recovery_code'), name: 'code', required: true, testid: 'login-recovery', hint: t('login.recovery_hint'), attrs: { autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false' } })
      : field({ label: t('login.totp'), name: 'code', required: true, testid: 'login-totp', hint: t('login.totp_hint'), attrs: { autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]*', maxlength: '8' } });
    const form = h('form', { class: 'form', novalidate: true, testid: 'login-totp-form' },
      formErrorBox(), code.wrap,
      h('div', { class: 'actions' },
        h('button', { type: 'submit', class: 'primary wide', testid: 'login-totp-submit' }, t('login.verify'))),
      h('div', { class: 'actions split' },
        button(recovery ? t('login.use_totp') : t('login.use_recovery'), () => {
          recovery = !recovery;
          stepTwo();
        }, { class: 'link', testid: 'login-toggle-recovery' }),
        button(t('login.back'), () => {
          const u = creds ? creds.user : '';
          creds = null;
          stepOne(u);
        }, { class: 'link' })));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const v = code.input.value.replace(/\s+/g, '');
      if (!v) return setFieldError(code.wrap, t('login.need_code')), code.input.focus();
      if (!creds) return stepOne();
      submit(form, recovery ? { ...creds, recovery_code: v } : { ...creds, totp: v });
    });
    mount(card,
      h('h1', { id: 'login-title', tabindex: '-1', 'data-page-title': '' }, t('login.second_factor')),
      h('p', { class: 'muted' }, t('login.second_factor_for', { user: creds ? creds.user : '' })),
      form);
    code.input.focus();
  }

  stepOne(ctx.query && typeof ctx.query.user === 'string' ? ctx.query.user.slice(0, 64) : '');
  return () => {
    creds = null;
  };
}
