// account — the user's own account: who they are, password change, second
// factor, and their open sessions (each can be ended, e.g. the one left open
// on the duty-room PC).

import { h, mount, pageHeader, dl, table, loading, errorBox, confirmDialog, describeError, button } from '../ui.js';
import { passwordForm } from './password.js';

/** A short browser name from a User-Agent, for the sessions table. */
export function shortAgent(ua) {
  if (!ua) return '—';
  const m = /(Edg|OPR|Firefox|Chrome|Chromium|Safari|curl|MicroMessenger)\/([\d.]+)/.exec(ua);
  let name = m ? `${m[1] === 'Edg' ? 'Edge' : m[1] === 'OPR' ? 'Opera' : m[1]} ${m[2].split('.')[0]}` : ua.slice(0, 40);
  if (/Android/.test(ua)) name += ' · Android';
  else if (/iPhone|iPad/.test(ua)) name += ' · iOS';
  else if (/Windows/.test(ua)) name += ' · Windows';
  else if (/Mac OS X/.test(ua)) name += ' · macOS';
  else if (/Linux/.test(ua)) name += ' · Linux';
  return name;
}

export async function render(main, ctx) {
  const { t, api, fmt, lang, session } = ctx;
  const s = session || {};
  const sessionsBox = h('div', { testid: 'sessions' });
  const twofa = s.totp_enabled
    ? h('p', null, h('span', { class: 'badge state-up', testid: 'totp-status' }, h('span', { class: 'shape', 'aria-hidden': 'true' }), t('account.totp_on')))
    : h('div', null,
      h('p', null, h('span', { class: 'badge state-paused', testid: 'totp-status' }, h('span', { class: 'shape', 'aria-hidden': 'true' }), t('account.totp_off'))),
      h('p', null, h('a', { href: '/enrol', class: 'button primary', testid: 'enrol-link' }, t('account.enrol'))));

  const pwForm = passwordForm(ctx, {
    testid: 'account-password-form',
    onDone: async () => {
      ctx.toast(t('account.password_changed'));
      loadSessions(); // the others were ended
    },
  });

  mount(main,
    pageHeader(t('nav.account')),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'acc-who' },
        h('h2', { id: 'acc-who' }, t('account.profile')),
        dl([
          [t('account.user'), s.user || '—'],
          [t('account.display_name'), s.display_name || '—'],
          [t('account.roles'), (s.roles || []).map((r) => t(`role.${r}`)).join('、') || '—'],
          [t('account.session_expires'), fmt.formatDateTime(s.expires, { seconds: false })],
        ])),
      h('section', { class: 'card', 'aria-labelledby': 'acc-2fa' },
        h('h2', { id: 'acc-2fa' }, t('account.totp')),
        h('p', { class: 'muted' }, t('account.totp_text')),
        twofa)),
    h('section', { class: 'card', 'aria-labelledby': 'acc-pw' },
      h('h2', { id: 'acc-pw' }, t('account.change_password')),
      pwForm),
    h('section', { class: 'card', 'aria-labelledby': 'acc-sess' },
      h('h2', { id: 'acc-sess' }, t('account.sessions')),
      h('p', { class: 'muted' }, t('account.sessions_text')),
      sessionsBox));

  async function end(row) {
    const ok = await confirmDialog({
      title: row.current ? t('account.end_current_q') : t('account.end_q'),
      message: row.current ? t('account.end_current_text') : t('account.end_text', { source: row.source || '—' }),
      confirm: t('account.end'),
      cancel: t('common.cancel'),
      danger: true,
    });
    if (!ok) return;
    try {
      await api.del(`/api/v1/sessions/${encodeURIComponent(row.id)}`, { signal: ctx.signal });
      if (row.current) return ctx.logout();
      ctx.toast(t('account.ended'));
      loadSessions();
    } catch (err) {
      if (err.name !== 'AbortError') ctx.toast(describeError(err, t, lang), 'error');
    }
  }

  async function loadSessions() {
    mount(sessionsBox, loading(t));
    try {
      const r = await api.get('/api/v1/sessions', { signal: ctx.signal });
      const rows = (r.items || []).slice().sort((a, b) => (b.current - a.current) || String(b.last_seen).localeCompare(String(a.last_seen)));
      mount(sessionsBox, table({
        testid: 'sessions-table',
        caption: t('account.sessions'),
        columns: [
          { label: t('account.s_created'), render: (x) => [fmt.formatDateTime(x.created, { seconds: false }), x.current ? h('span', { class: 'tag' }, t('account.current')) : null] },
          { label: t('account.s_last_seen'), render: (x) => fmt.formatDateTime(x.last_seen, { seconds: false }) },
          { label: t('account.s_expires'), render: (x) => fmt.formatDateTime(x.expires, { seconds: false }) },
          { label: t('account.s_source'), render: (x) => x.source || '—' },
          { label: t('account.s_agent'), render: (x) => h('span', { title: x.user_agent || '' }, shortAgent(x.user_agent)) },
          { label: t('common.actions'), render: (x) => button(x.current ? t('account.end_current') : t('account.end'), () => end(x), { class: 'small danger', testid: `end-session-${x.id}` }) },
        ],
        rows,
      }));
    } catch (err) {
      if (err.name !== 'AbortError') mount(sessionsBox, errorBox(err, t, lang));
    }
  }
  loadSessions();
}
