// 组织机构与用户: the organisation tree and the accounts.
//
// Everyone with org.read sees both; the controls that change them (new unit,
// rename, move, delete, new account, reset password, unlock, disable) appear
// only with user.write. A new account has no roles: the security
// administrator grants them (三权分立), which the create form says.

import {
  h, clear, append, field, formError, showError, clearErrors, modal, confirmDialog, secretBox,
  pageHead, table, badge, button, can, loading, loadFailed, fmtTime, statusLine, flash,
} from './dom.js';
import { rolesText, ORG_KINDS, kindTitle, flattenTree, subtreeIds, orgSelect, orgValue } from './common.js';

export async function renderUsers(main, ctx) {
  const { t, api } = ctx;
  const write = can(ctx, 'user.write');
  const me = ctx.session && ctx.session.user;
  const state = { tree: [], flat: [], users: [], selected: null, q: '' };

  clear(main);
  main.appendChild(loading(ctx));

  const page = h('div', { class: 'adm-page adm-users-page', testid: 'admin-users' });
  const orgBox = h('section', { class: 'adm-card adm-org', 'aria-labelledby': 'adm-org-h' });
  const userBox = h('section', { class: 'adm-card adm-user-list', 'aria-labelledby': 'adm-users-h' });
  const status = statusLine();

  async function load() {
    const [tree, users] = await Promise.all([api.get('/api/v1/orgs?tree=1'), api.get('/api/v1/users')]);
    state.tree = tree.items || [];
    state.flat = flattenTree(state.tree);
    state.users = users.items || [];
    if (state.selected && !state.flat.some((x) => x.unit.id === state.selected)) state.selected = null;
  }

  async function refresh(msg) {
    try {
      await load();
    } catch (e) {
      loadFailed(ctx, main, e);
      return;
    }
    drawOrg();
    drawUsers();
    if (msg) flash(status, msg);
  }

  function unitById(id) {
    const x = state.flat.find((f) => f.unit.id === id);
    return x ? x.unit : null;
  }

  // ---- organisation tree ------------------------------------------------------

  function drawOrg() {
    clear(orgBox);
    orgBox.appendChild(h('h2', { id: 'adm-org-h', text: t('admin.org.title') }));
    const all = h('button', {
      type: 'button',
      class: `adm-node-btn${state.selected === null ? ' adm-selected' : ''}`,
      'aria-pressed': state.selected === null ? 'true' : 'false',
      text: t('admin.org.all'),
      onclick: () => select(null),
    });
    const list = h('ul', { class: 'adm-tree' }, h('li', null, all), nodes(state.tree));
    orgBox.appendChild(h('nav', { 'aria-label': t('admin.org.title') }, list));
    if (!state.tree.length) orgBox.appendChild(h('p', { class: 'adm-empty', text: t('admin.org.empty') }));

    const sel = state.selected !== null ? unitById(state.selected) : null;
    if (sel && write) {
      orgBox.appendChild(h('div', { class: 'adm-node-actions', 'aria-label': t('admin.org.selected', { name: sel.name }), role: 'group' },
        h('p', { class: 'adm-muted', text: t('admin.org.selected', { name: sel.name }) }),
        h('div', { class: 'adm-actions adm-actions-left' },
          button(t('admin.org.rename'), () => renameUnit(sel), { testid: 'admin-org-rename' }),
          button(t('admin.org.move'), () => moveUnit(sel), { testid: 'admin-org-move' }),
          button(t('admin.org.delete'), () => deleteUnit(sel), { kind: 'danger', testid: 'admin-org-delete' }))));
    }
    if (write) orgBox.appendChild(createUnitForm(sel));
  }

  function nodes(items) {
    if (!items || !items.length) return null;
    return h('ul', null, items.map((u) => h('li', null,
      h('button', {
        type: 'button',
        class: `adm-node-btn${state.selected === u.id ? ' adm-selected' : ''}`,
        'aria-pressed': state.selected === u.id ? 'true' : 'false',
        dataset: { org: String(u.id) },
        onclick: () => select(u.id),
      }, h('span', { text: u.name }), ' ', badge(kindTitle(ctx, u.kind), `kind-${u.kind}`)),
      nodes(u.children))));
  }

  function select(id) {
    state.selected = id;
    drawOrg();
    drawUsers();
  }

  function createUnitForm(sel) {
    const name = h('input', { type: 'text', required: true, maxLength: 100, autocomplete: 'off' });
    const kind = h('select', null,
      h('option', { value: '', text: t('admin.org.kind_inherit') }),
      ORG_KINDS.map((k) => h('option', { value: k, text: kindTitle(ctx, k) })));
    const parent = orgSelect(ctx, state.flat, { value: sel ? sel.id : null, noneLabel: t('admin.org.top_level'), name: 'parent_id' });
    // A top-level unit has no parent to take its kind from: offer a kind.
    const inherit = kind.querySelector('option[value=""]');
    const syncKind = () => {
      const top = orgValue(parent) === null;
      inherit.disabled = top;
      if (top && kind.value === '') kind.value = 'client';
      if (!top && kind.dataset.touched !== '1') kind.value = '';
    };
    kind.addEventListener('change', () => { kind.dataset.touched = '1'; });
    parent.addEventListener('change', syncKind);
    syncKind();
    const form = h('form', { class: 'adm-form', novalidate: true, testid: 'admin-org-form' },
      field({ name: 'name', label: t('admin.org.name'), input: name, hint: t('admin.org.name_hint') }),
      field({ name: 'kind', label: t('admin.org.kind'), input: kind, hint: t('admin.org.kind_hint') }),
      field({ name: 'parent_id', label: t('admin.org.parent'), input: parent }),
      formError(),
      h('div', { class: 'adm-actions adm-actions-left' }, h('button', { type: 'submit', class: 'adm-btn adm-btn-primary', text: t('admin.org.create') })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { name: name.value.trim() };
      if (kind.value) body.kind = kind.value;
      const p = orgValue(parent);
      if (p !== null) body.parent_id = p;
      try {
        const u = await api.post('/api/v1/orgs', body);
        state.selected = u && u.id !== undefined ? u.id : state.selected;
        await refresh(t('admin.org.created', { name: body.name }));
      } catch (x) {
        showError(ctx, form, x);
      }
    });
    const det = h('details', { class: 'adm-details', testid: 'admin-org-add' },
      h('summary', { text: sel ? t('admin.org.add_child') : t('admin.org.add') }), form);
    return det;
  }

  async function renameUnit(u) {
    const name = h('input', { type: 'text', value: u.name, required: true, maxLength: 100 });
    const ok = await modal(ctx, {
      title: t('admin.org.rename_title', { name: u.name }),
      body: [field({ name: 'name', label: t('admin.org.name'), input: name })],
      buttons: [{ value: 'cancel', label: t('admin.common.cancel') }, { value: 'ok', label: t('admin.common.save'), kind: 'primary' }],
      onsubmit: async (v, form) => {
        clearErrors(form);
        await api.put(`/api/v1/orgs/${u.id}`, { name: name.value.trim() });
        return true;
      },
    });
    if (ok === 'ok') await refresh(t('admin.common.saved'));
  }

  async function moveUnit(u) {
    const parent = orgSelect(ctx, state.flat, { value: u.parent_id, noneLabel: t('admin.org.top_level'), exclude: subtreeIds(u), name: 'parent_id' });
    const ok = await modal(ctx, {
      title: t('admin.org.move_title', { name: u.name }),
      body: [field({ name: 'parent_id', label: t('admin.org.new_parent'), input: parent })],
      buttons: [{ value: 'cancel', label: t('admin.common.cancel') }, { value: 'ok', label: t('admin.org.move'), kind: 'primary' }],
      onsubmit: async () => {
        await api.put(`/api/v1/orgs/${u.id}`, { parent_id: orgValue(parent) });
        return true;
      },
    });
    if (ok === 'ok') await refresh(t('admin.common.saved'));
  }

  async function deleteUnit(u) {
    const ok = await confirmDialog(ctx, {
      title: t('admin.org.delete_title', { name: u.name }),
      text: t('admin.org.delete_text'),
      ok: t('admin.org.delete'),
      danger: true,
      action: () => api.del(`/api/v1/orgs/${u.id}`),
    });
    if (ok) {
      state.selected = u.parent_id ?? null;
      await refresh(t('admin.org.deleted', { name: u.name }));
    }
  }

  // ---- accounts -----------------------------------------------------------------

  function drawUsers() {
    clear(userBox);
    userBox.appendChild(h('h2', { id: 'adm-users-h', text: t('admin.users.title') }));
    const search = h('input', { type: 'search', value: state.q, autocomplete: 'off' });
    search.addEventListener('input', () => {
      state.q = search.value;
      drawTable();
    });
    userBox.appendChild(h('div', { class: 'adm-toolbar' }, field({ name: 'q', label: t('admin.users.search'), input: search })));
    const tableBox = h('div');
    userBox.appendChild(tableBox);
    function drawTable() {
      clear(tableBox);
      tableBox.appendChild(usersTable());
    }
    drawTable();
    if (write) userBox.appendChild(createUserForm());
  }

  function visibleUsers() {
    let list = state.users;
    if (state.selected !== null) {
      const u = unitById(state.selected);
      const ids = u ? subtreeIds(u) : new Set();
      list = list.filter((x) => ids.has(x.org_id));
    }
    const q = state.q.trim().toLowerCase();
    if (q) list = list.filter((x) => `${x.name} ${x.display_name || ''} ${x.org || ''}`.toLowerCase().includes(q));
    return list;
  }

  function statusBadges(u) {
    const out = [];
    if (u.disabled) out.push(badge(t('admin.users.disabled'), 'danger'));
    if (u.locked) out.push(badge(u.locked_until ? t('admin.users.locked_until', { time: fmtTime(u.locked_until) }) : t('admin.users.locked'), 'warn'));
    if (u.must_change_password) out.push(badge(t('admin.users.must_change'), 'info'));
    if (u.totp_enabled) out.push(badge(t('admin.users.totp'), 'ok'));
    if (!out.length) out.push(badge(t('admin.users.active'), 'ok'));
    return h('span', { class: 'adm-badges' }, out);
  }

  function usersTable() {
    const cols = [
      { label: t('admin.users.account') },
      { label: t('admin.users.org') },
      { label: t('admin.users.roles') },
      { label: t('admin.users.status') },
      { label: t('admin.users.last_login') },
    ];
    if (write) cols.push({ label: t('admin.common.actions'), class: 'adm-col-actions' });
    const rows = visibleUsers().map((u) => {
      const cells = [
        h('span', { class: 'adm-who' },
          h('strong', { text: u.display_name || u.name }),
          h('span', { class: 'adm-mono adm-muted', text: u.name })),
        u.org || '',
        rolesText(ctx, u.roles),
        statusBadges(u),
        fmtTime(u.last_login),
      ];
      if (write) cells.push(userActions(u));
      return { cells, attrs: { dataset: { user: u.name } } };
    });
    return table({ caption: t('admin.users.title'), columns: cols, rows, empty: t('admin.users.empty'), testid: 'admin-users-table' });
  }

  function userActions(u) {
    const self = u.name === me;
    const box = h('div', { class: 'adm-row-actions' });
    box.appendChild(button(t('admin.users.edit'), () => editUser(u), { label: t('admin.users.edit_of', { name: u.name }), testid: 'admin-user-edit' }));
    if (!self) box.appendChild(button(t('admin.users.reset'), () => resetPassword(u), { label: t('admin.users.reset_of', { name: u.name }), testid: 'admin-user-reset' }));
    if (u.locked) box.appendChild(button(t('admin.users.unlock'), () => unlock(u), { label: t('admin.users.unlock_of', { name: u.name }), testid: 'admin-user-unlock' }));
    if (!self) {
      box.appendChild(u.disabled
        ? button(t('admin.users.enable'), () => setDisabled(u, false), { label: t('admin.users.enable_of', { name: u.name }), testid: 'admin-user-enable' })
        : button(t('admin.users.disable'), () => setDisabled(u, true), { kind: 'danger', label: t('admin.users.disable_of', { name: u.name }), testid: 'admin-user-disable' }));
    }
    return box;
  }

  function createUserForm() {
    const name = h('input', { type: 'text', required: true, minLength: 2, maxLength: 64, autocomplete: 'off', spellcheck: false, autocapitalize: 'none' });
    const dname = h('input', { type: 'text', maxLength: 100, autocomplete: 'off' });
    const org = orgSelect(ctx, state.flat, { value: state.selected });
    const form = h('form', { class: 'adm-form', novalidate: true, testid: 'admin-user-form' },
      h('p', { class: 'adm-note', text: t('admin.users.no_roles_note') }),
      field({ name: 'name', label: t('admin.users.name'), input: name, hint: t('admin.users.name_hint') }),
      field({ name: 'display_name', label: t('admin.users.display_name'), input: dname }),
      field({ name: 'org_id', label: t('admin.users.org'), input: org }),
      formError(),
      h('div', { class: 'adm-actions adm-actions-left' }, h('button', { type: 'submit', class: 'adm-btn adm-btn-primary', text: t('admin.users.create') })));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      clearErrors(form);
      const body = { name: name.value.trim() };
      if (dname.value.trim()) body.display_name = dname.value.trim();
      if (orgValue(org) !== null) body.org_id = orgValue(org);
      let u;
      try {
        u = await api.post('/api/v1/users', body);
      } catch (x) {
        showError(ctx, form, x);
        return;
      }
      form.reset();
      await showOneTime(u, t('admin.users.created_title', { name: u.name }));
      await refresh(t('admin.users.created', { name: u.name }));
    });
    return h('details', { class: 'adm-details adm-create-user', testid: 'admin-user-add' }, h('summary', { text: t('admin.users.create') }), form);
  }

  async function showOneTime(u, title) {
    await modal(ctx, {
      title,
      body: [secretBox(ctx, { label: t('admin.users.one_time_password'), value: u.one_time_password || '', warn: t('admin.users.one_time_warn') })],
      buttons: [{ value: 'ok', label: t('admin.users.one_time_done'), kind: 'primary' }],
    });
  }

  async function editUser(u) {
    const dname = h('input', { type: 'text', value: u.display_name || '', maxLength: 100 });
    const org = orgSelect(ctx, state.flat, { value: u.org_id });
    const ok = await modal(ctx, {
      title: t('admin.users.edit_title', { name: u.name }),
      body: [
        field({ name: 'display_name', label: t('admin.users.display_name'), input: dname }),
        field({ name: 'org_id', label: t('admin.users.org'), input: org }),
      ],
      buttons: [{ value: 'cancel', label: t('admin.common.cancel') }, { value: 'ok', label: t('admin.common.save'), kind: 'primary' }],
      onsubmit: async (v, form) => {
        clearErrors(form);
        await api.put(`/api/v1/users/${u.id}`, { display_name: dname.value.trim() || null, org_id: orgValue(org) });
        return true;
      },
    });
    if (ok === 'ok') await refresh(t('admin.common.saved'));
  }

  async function resetPassword(u) {
    let answer = null;
    const ok = await confirmDialog(ctx, {
      title: t('admin.users.reset_title', { name: u.name }),
      text: t('admin.users.reset_text'),
      ok: t('admin.users.reset'),
      danger: true,
      action: async () => {
        answer = await api.post(`/api/v1/users/${u.id}/reset-password`);
      },
    });
    if (!ok || !answer) return;
    await showOneTime(answer, t('admin.users.reset_done_title', { name: u.name }));
    await refresh(t('admin.users.reset_done', { name: u.name }));
  }

  async function unlock(u) {
    try {
      await api.post(`/api/v1/users/${u.id}/unlock`);
      await refresh(t('admin.users.unlocked', { name: u.name }));
    } catch (x) {
      flash(status, showErrorText(x), 'error');
    }
  }

  async function setDisabled(u, disabled) {
    const ok = await confirmDialog(ctx, {
      title: t(disabled ? 'admin.users.disable_title' : 'admin.users.enable_title', { name: u.name }),
      text: disabled ? t('admin.users.disable_text') : '',
      ok: t(disabled ? 'admin.users.disable' : 'admin.users.enable'),
      danger: disabled,
      action: () => api.put(`/api/v1/users/${u.id}`, { disabled }),
    });
    if (ok) await refresh(t(disabled ? 'admin.users.disabled_done' : 'admin.users.enabled_done', { name: u.name }));
  }

  function showErrorText(x) {
    const tmp = h('div');
    showError(ctx, tmp, x);
    return tmp.textContent;
  }

  try {
    await load();
  } catch (e) {
    loadFailed(ctx, main, e);
    return;
  }
  clear(main);
  append(page, [
    pageHead(t('admin.users.page_title'), t(write ? 'admin.users.intro_write' : 'admin.users.intro_read')),
    status,
    h('div', { class: 'adm-split' }, orgBox, userBox),
  ]);
  main.appendChild(page);
  drawOrg();
  drawUsers();
}
