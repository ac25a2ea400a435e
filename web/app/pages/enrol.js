// enrol — second-factor (TOTP) enrolment: the server makes a secret, the
// user types it (or the otpauth URI) into an authenticator app, proves it
// with one code, and receives the recovery codes, shown this once only.
// Administrators must do this before anything else; others may from the
// account page. No QR code: the console ships no QR library, and typing
// 32 letters once is acceptable for a console used by a few dozen people.

import { h, mount, field, formErrorBox, clearErrors, setFieldError, showApiError, pageHeader, copyButton, errorBox, loading, describeError } from '../ui.js';

/** "ABCDEFGH…" -> "ABCD EFGH …" for reading aloud and typing. */
export function groupSecret(s) {
  return String(s || '').replace(/\s+/g, '').replace(/(.{4})/g, '$1 ').trim();
}

export async function render(main, ctx) {
  const { t, api, lang } = ctx;
  const forced = Boolean(ctx.session && ctx.session.must_enrol_2fa);
  const body = h('div');
  mount(main, h('div', { class: 'narrow' },
    h('section', { class: 'card', testid: 'enrol-page' },
      pageHeader(t('enrol.title')),
      h('p', { class: forced ? 'notice' : 'muted', role: forced ? 'note' : null }, forced ? t('enrol.why_admin') : t('enrol.why')),
      body,
      forced ? h('p', { class: 'muted small' }, h('button', { type: 'button', class: 'link', onclick: () => ctx.logout() }, t('shell.logout'))) : null)));

  mount(body, loading(t));
  let secret;
  try {
    secret = await api.post('/api/v1/session/totp/enrol', undefined, { signal: ctx.signal });
  } catch (err) {
    if (err.name === 'AbortError') return;
    if (err.code === 'conflict') {
      mount(body, h('p', { class: 'notice' }, t('enrol.already')), h('p', null, h('a', { href: '/account' }, t('nav.account'))));
      return;
    }
    mount(body, errorBox(err, t, lang));
    return;
  }

  const code = field({ label: t('enrol.code'), name: 'code', required: true, testid: 'enrol-code', hint: t('enrol.code_hint'), attrs: { autocomplete: 'one-time-code', inputmode: 'numeric', pattern: '[0-9]*', maxlength: '8' } });
  const btn = h('button', { type: 'submit', class: 'primary', testid: 'enrol-submit' }, t('enrol.confirm'));
  const form = h('form', { class: 'form', novalidate: true, testid: 'enrol-form' }, formErrorBox(), code.wrap, h('div', { class: 'actions' }, btn));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const v = code.input.value.replace(/\s+/g, '');
    if (!/^\d{6,8}$/.test(v)) return setFieldError(code.wrap, t('enrol.need_code')), code.input.focus();
    btn.disabled = true;
    try {
      const r = await api.post('/api/v1/session/totp/confirm', { code: v }, { signal: ctx.signal });
      showCodes(r.recovery_codes || []);
    } catch (err) {
      if (err.name === 'AbortError') return;
      btn.disabled = false;
      if (err.code === 'bad_totp') {
        setFieldError(code.wrap, t('enrol.bad_code'));
        code.input.select();
      } else showApiError(form, err, t, lang);
    }
  });

  mount(body,
    h('ol', { class: 'steps' },
      h('li', null, t('enrol.step_app')),
      h('li', null, t('enrol.step_secret'),
        h('div', { class: 'secret-row' },
          h('code', { class: 'secret', testid: 'enrol-secret', 'aria-label': t('enrol.secret') }, groupSecret(secret.secret)),
          copyButton(secret.secret, t, { 'aria-label': t('enrol.copy_secret') })),
        h('details', { class: 'uri' },
          h('summary', null, t('enrol.uri')),
          h('div', { class: 'secret-row' },
            h('code', { class: 'wrap-any', testid: 'enrol-uri' }, secret.uri),
            copyButton(secret.uri, t, { 'aria-label': t('enrol.copy_uri') })))),
      h('li', null, t('enrol.step_code'), form)));
  code.input.focus();

  function showCodes(codes) {
    const ack = h('input', { type: 'checkbox', id: 'enrol-ack', testid: 'enrol-ack' });
    const done = h('button', { type: 'button', class: 'primary', disabled: true, testid: 'enrol-done' }, t('enrol.done'));
    ack.addEventListener('change', () => {
      done.disabled = !ack.checked;
    });
    done.addEventListener('click', async () => {
      done.disabled = true;
      try {
        const s = await ctx.refreshSession();
        ctx.toast(t('enrol.enabled'));
        if (forced) await ctx.onLogin(s);
        else ctx.navigate('/account');
      } catch (err) {
        done.disabled = false;
        ctx.toast(describeError(err, t, lang), 'error');
      }
    });
    mount(body,
      h('p', { class: 'ok-box', role: 'status' }, t('enrol.enabled')),
      h('h2', null, t('enrol.codes_title')),
      h('p', { class: 'notice' }, t('enrol.codes_once')),
      h('ol', { class: 'codes', testid: 'recovery-codes' }, codes.map((c) => h('li', null, h('code', null, c)))),
      h('div', { class: 'actions' }, copyButton(codes.join('\n'), t, { 'aria-label': t('enrol.copy_codes') })),
      h('div', { class: 'field field-check' }, ack, h('label', { for: 'enrol-ack' }, t('enrol.ack'))),
      h('div', { class: 'actions' }, done));
    const h2 = body.querySelector('h2');
    if (h2) {
      h2.tabIndex = -1;
      h2.focus();
    }
  }
}
