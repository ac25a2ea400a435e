// API 令牌: everyone's own tokens (create, shown once with a copy button;
// revoke); with token.manage, every account's tokens too.

import {
  h, clear, append, field, checkGroup, formError, showError, clearErrors, fieldError, modal, confirmDialog, secretBox,
  pageHead, table, badge, button, can, loading, loadFailed, fmtTime, statusLine, flash,
} from './dom.js';
import { roleOptions, rolesText } from './common.js';

export async function renderTokens(main, ctx) {
  const { t, api } = ctx;
  const manage = can(ctx, 'token.manage');
  const myRoles = (ctx.session && ctx.session.roles) || [];
  const state = { mine: [], all: [] };
  const status = statusLine();
  const mineBox = h('section', { class: 'adm-card', 'aria-labelledby': 'adm-tok-mine-h', testid: 'admin-tokens-mine' });
  const allBox = h('section', { class: 'adm-card', 'aria-labelledby': 'adm-tok-all-h', testid: 'admin-tokens-all' });

  async function load() {
    const [mine, all] = await Promise.all([
      api.get('/api/v1/tokens'),
      manage ? api.get('/api/v1/tokens?all=1') : Promise.resolve({ items: [] }),
    ]);
    state.mine = mine.items || [];
    state.all = all.items || [];
  }

  async function refresh(msg) {
    try {
      await load();
    } catch (e) {
      loadFailed(ctx, main, e);
      return;
    }
    draw();
    if (msg) flash(status, msg);
  }

  function stateBadge(tok) {
    if (tok.revoked) return badge(t('admin.tokens.revoked'), 'muted');
    if (!tok.active) return badge(t('admin.tokens.expired'), 'warn');
    return badge(t('admin.tokens.active'), 'ok');
  }

  function tokensTable(items, withUser) {
    const cols = [];
    if (withUser) cols.push({ label: t('admin.tokens.user') });
    cols.push({ label: t('admin.tokens.name') }, { label: t('admin.tokens.roles') }, { label: t('admin.tokens.created') },
      { label: t('admin.tokens.expires') }, { label: t('admin.tokens.last_used') }, { label: t('admin.tokens.state') },
      { label: t('admin.common.actions'), class: 'adm-col-actions' });
    const rows = items.map((tok) => {
      const cells = [];
      if (withUser) cells.push(h('span', { class: 'adm-mono', text: tok.user }));
      cells.push(tok.name, rolesText(ctx, tok.roles), fmtTime(tok.created), fmtTime(tok.expires), fmtTime(tok.last_used), stateBadge(tok),
        tok.revoked ? '' : button(t('admin.tokens.revoke'), () => revoke(tok), { kind: 'danger', label: t('admin.tokens.revoke_of', { name: tok.name }), testid: 'admin-token-revoke' }));
      return { cells, attrs: { dataset: { token: String(tok.id) } } };
    });
    return table({ caption: withUser ? t('admin.tokens.all_title') : t('admin.tokens.mine_title'), columns: cols, rows, empty: t('admin.tokens.empty') });
  }

  function createForm() {
    const name = h('input', { type: 'text', required: true, maxLength: 100, autocomplete: 'off' });
    const days = h('input', { type: 'number', min: 1, max: 365, step: 1, value: '90', inputMode: 'numeric' });
    const roles = checkGroup({ name: 'roles', legend: t('admin.tokens.scope'), options: roleOptions(ctx, myRoles), checked: myRoles, hint: t('admin.tokens.scope_hint') });
    const form = h('form', { class: 'adm-form', novalidate: true, testid: 'admin-token-form' },
      field({ name: 'name', label: t('admin.tokens.name'), input: name, hint: t('admin.tokens.name_hint') }),
      field({ name: 'expires_days', label: t('admin.tokens.expires_days'), input: days, hint: t('admin.tokens.expires_hint') }),
      roles,
      formError(),
      h('div', { class: 'adm-actions adm-actions-left' }, h('button', { type: 'submit', class: 'adm-btn adm-btn-primary', text: t('admin.tokens.create') })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { name: name.value.trim() };
      if (days.value.trim() !== '') body.expires_days = Number(days.value);
      const scope = roles.values();
      if (!scope.length) {
        // None ticked would mean the server's default (all the caller's
        // roles): the opposite of what unticking says.
        fieldError(form, 'roles', t('admin.tokens.scope_empty'));
        return;
      }
      body.roles = scope;
      let tok;
      try {
        tok = await api.post('/api/v1/tokens', body);
      } catch (x) {
        showError(ctx, form, x);
        return;
      }
      form.reset();
      await modal(ctx, {
        title: t('admin.tokens.created_title', { name: tok.name }),
        body: [
          secretBox(ctx, { label: t('admin.tokens.token'), value: tok.token || '', warn: t('admin.tokens.once_warn') }),
          h('p', { class: 'adm-muted', text: t('admin.tokens.usage') }),
        ],
        buttons: [{ value: 'ok', label: t('admin.tokens.once_done'), kind: 'primary' }],
      });
      await refresh(t('admin.tokens.created', { name: tok.name }));
    });
    return h('details', { class: 'adm-details', testid: 'admin-token-add' }, h('summary', { text: t('admin.tokens.create') }), form);
  }

  async function revoke(tok) {
    const ok = await confirmDialog(ctx, {
      title: t('admin.tokens.revoke_title', { name: tok.name }),
      text: t('admin.tokens.revoke_text'),
      ok: t('admin.tokens.revoke'),
      danger: true,
      action: () => api.del(`/api/v1/tokens/${tok.id}`),
    });
    if (ok) await refresh(t('admin.tokens.revoked_done', { name: tok.name }));
  }

  function draw() {
    clear(mineBox);
    append(mineBox, [h('h2', { id: 'adm-tok-mine-h', text: t('admin.tokens.mine_title') }), tokensTable(state.mine, false), createForm()]);
    clear(allBox);
    if (manage) append(allBox, [h('h2', { id: 'adm-tok-all-h', text: t('admin.tokens.all_title') }), h('p', { class: 'adm-muted', text: t('admin.tokens.all_intro') }), tokensTable(state.all, true)]);
    allBox.hidden = !manage;
  }

  clear(main);
  main.appendChild(loading(ctx));
  try {
    await load();
  } catch (e) {
    loadFailed(ctx, main, e);
    return;
  }
  clear(main);
  main.appendChild(append(h('div', { class: 'adm-page adm-tokens-page', testid: 'admin-tokens' }), [
    pageHead(t('admin.tokens.page_title'), t('admin.tokens.intro')), status, mineBox, allBox]));
  draw();
}
