// What several administration pages share: the roles, the org tree.

import { h } from './dom.js';

/** Every role, in the order of src/auth/roles.h. */
export const ROLES = ['sysadmin', 'secadmin', 'auditadmin', 'assessor', 'manager', 'engineer', 'viewer'];
/** The three administrators of 三权分立: an account holds at most one. */
export const ADMIN_ROLES = ['sysadmin', 'secadmin', 'auditadmin'];

export function roleTitle(ctx, r) {
  const k = `admin.role.${r}`;
  const s = ctx.t(k);
  return s === k ? r : s;
}

export function roleOptions(ctx, only) {
  return (only || ROLES).map((r) => ({ value: r, label: roleTitle(ctx, r) }));
}

export function rolesText(ctx, roles) {
  if (!roles || !roles.length) return ctx.t('admin.users.no_roles');
  return roles.map((r) => roleTitle(ctx, r)).join('、');
}

export const ORG_KINDS = ['client', 'contractor', 'business'];

export function kindTitle(ctx, k) {
  return ctx.t(`admin.org.kind.${k}`);
}

/** The tree answer (items with children) flattened to [{unit, depth}] in display order. */
export function flattenTree(items, depth = 0, out = []) {
  for (const u of items || []) {
    out.push({ unit: u, depth });
    flattenTree(u.children, depth + 1, out);
  }
  return out;
}

/** The ids of unit and of every unit under it. */
export function subtreeIds(unit, out = new Set()) {
  out.add(unit.id);
  for (const c of unit.children || []) subtreeIds(c, out);
  return out;
}

/** <select> of the org units (indented by depth), with a first "none" option. */
export function orgSelect(ctx, flat, { value = null, noneLabel, exclude, name = 'org_id' } = {}) {
  const sel = h('select', { name });
  sel.appendChild(h('option', { value: '', text: noneLabel || ctx.t('admin.org.none') }));
  for (const { unit, depth } of flat) {
    if (exclude && exclude.has(unit.id)) continue;
    const pad = '\u3000'.repeat(depth); // ideographic spaces: visible indentation in a <select>
    sel.appendChild(h('option', { value: String(unit.id), text: `${pad}${unit.name}`, selected: value === unit.id }));
  }
  return sel;
}

/** The value of an org <select>: a number, or null for none. */
export function orgValue(sel) {
  return sel.value === '' ? null : Number(sel.value);
}
