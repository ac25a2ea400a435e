// 角色授权: the security administrator grants roles to accounts.
//
// The page explains 三权分立 (system, security and audit administrator are
// three different people; no account holds two of those roles) and leaves
// the rule to the server, the one place it is enforced: a refused set shows
// the server's reason under that account's roles.

import {
  h, clear, append, field, checkGroup, formError, showError, clearErrors, pageHead, badge, loading, loadFailed,
  statusLine, flash, can,
} from './dom.js';
import { ROLES, ADMIN_ROLES, roleOptions, rolesText, roleTitle } from './common.js';

export async function renderRoles(main, ctx) {
  const { t, api } = ctx;
  const me = ctx.session && ctx.session.user;
  const grant = can(ctx, 'role.grant');
  clear(main);
  main.appendChild(loading(ctx));
  let users;
  try {
    users = (await api.get('/api/v1/users')).items || [];
  } catch (e) {
    loadFailed(ctx, main, e);
    return;
  }
  const status = statusLine();
  const q = h('input', { type: 'search', id: 'adm-roles-q', autocomplete: 'off' });
  const list = h('div', { class: 'adm-role-list' });

  const rule = h('section', { class: 'adm-card adm-rule', 'aria-labelledby': 'adm-rule-h', testid: 'admin-roles-rule' },
    h('h2', { id: 'adm-rule-h', text: t('admin.roles.rule_title') }),
    h('p', { text: t('admin.roles.rule_text') }),
    h('ul', null, ADMIN_ROLES.map((r) => h('li', null, h('strong', { text: roleTitle(ctx, r) }), ' — ', t(`admin.roles.duty.${r}`)))),
    h('p', { class: 'adm-muted', text: t('admin.roles.rule_more') }));

  function draw() {
    clear(list);
    const needle = q.value.trim().toLowerCase();
    const shown = users.filter((u) => !needle || `${u.name} ${u.display_name || ''}`.toLowerCase().includes(needle));
    if (!shown.length) list.appendChild(h('p', { class: 'adm-empty', text: t('admin.users.empty') }));
    for (const u of shown) list.appendChild(card(u));
  }

  function card(u) {
    const self = u.name === me;
    const group = checkGroup({
      name: 'roles',
      legend: t('admin.roles.roles_of', { name: u.display_name ? `${u.display_name}（${u.name}）` : u.name }),
      options: roleOptions(ctx, ROLES),
      checked: u.roles || [],
      disabled: self || !grant,
      hint: self ? t('admin.roles.self') : null,
    });
    const save = h('button', { type: 'submit', class: 'adm-btn adm-btn-primary', text: t('admin.common.save'), disabled: self || !grant });
    const form = h('form', { class: 'adm-card adm-role-card', novalidate: true, dataset: { user: u.name }, testid: 'admin-role-form' },
      h('div', { class: 'adm-role-head' },
        h('span', { class: 'adm-mono', text: u.name }),
        u.disabled ? badge(t('admin.users.disabled'), 'danger') : null,
        h('span', { class: 'adm-muted', text: `${t('admin.roles.current')}：${rolesText(ctx, u.roles)}` })),
      group,
      formError(),
      h('div', { class: 'adm-actions adm-actions-left' }, save));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const roles = group.values();
      try {
        const ans = await api.put(`/api/v1/users/${u.id}/roles`, { roles });
        const i = users.findIndex((x) => x.id === u.id);
        users[i] = ans && ans.name ? ans : { ...u, roles };
        const fresh = card(users[i]);
        form.replaceWith(fresh);
        flash(status, t('admin.roles.saved', { name: u.name, roles: rolesText(ctx, roles) }));
      } catch (x) {
        showError(ctx, form, x);
      }
    });
    return form;
  }

  q.addEventListener('input', draw);
  clear(main);
  main.appendChild(append(h('div', { class: 'adm-page adm-roles-page', testid: 'admin-roles' }), [
    pageHead(t('admin.roles.page_title'), t('admin.roles.intro')),
    rule,
    status,
    h('div', { class: 'adm-toolbar' }, field({ name: 'q', label: t('admin.users.search'), input: q })),
    list,
  ]));
  draw();
}
