// The administration module: its pages as routes for the console's router.
//
// Contract (docs/console.md): routes = [{path, title_key, action, render(main, ctx)}];
// the shell lists a route in the navigation and mounts it only for a session
// whose `actions` include `action`, and calls render with the page's <main>
// and ctx = {api, t, live, session}. Inside, every control that changes
// something is shown only when the session's actions allow it (dom.can).

import { loadCss } from './dom.js';
import { renderUsers } from './users.js';
import { renderRoles } from './roles.js';
import { renderTokens } from './tokens.js';
import { renderPolicy } from './policy.js';
import { renderAudit } from './audit.js';

/** Dialogs live on <body>: a page left while one is open (the back button) closes it. */
function closeDialogs() {
  for (const d of document.querySelectorAll('dialog.adm-dialog')) d.remove();
}

function page(fn) {
  return async (main, ctx) => {
    loadCss();
    await fn(main, ctx);
    return closeDialogs;
  };
}

export const routes = [
  { path: '/admin/users', title_key: 'admin.nav.users', action: 'org.read', render: page(renderUsers) },
  { path: '/admin/roles', title_key: 'admin.nav.roles', action: 'role.grant', render: page(renderRoles) },
  { path: '/admin/tokens', title_key: 'admin.nav.tokens', action: 'self', render: page(renderTokens) },
  { path: '/admin/policy', title_key: 'admin.nav.policy', action: 'policy.read', render: page(renderPolicy) },
  { path: '/admin/audit', title_key: 'admin.nav.audit', action: 'audit.read', render: page(renderAudit) },
];

export default routes;
