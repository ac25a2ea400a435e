// The operations module (issue 5): incidents, quick report, duty roster,
// notifications, SLA figures — loaded by main.js like the administration
// module (a dynamic import, so that a build without it still works).
//
// Contract with the shell (main.js loadOps):
//   routes = [{path, titleKey, action, nav?, render(main, ctx)}]: the shell
//     lists a route with `nav` in the navigation (data-testid nav-NAV) and
//     mounts a route only for a session whose `actions` include `action`;
//   title(key) gives a route's title in the current language;
//   loadCatalogue(lang) loads web/i18n/ops.LANG.json (at boot and on every
//     language switch) — the module's texts live there, not in the
//     console's catalogues.
// Every page gets ctx with `tr` (and `t` replaced by it): the ops catalogue
// first, then the console's. Inside, a control that changes something is
// offered only when the session's actions allow it (ctx.can) — and, for an
// incident, only when its state allows it (its `actions`).

import { tr, loadCatalogue } from './text.js';
import { closeDialogs } from './common.js';
import { renderIncidents } from './incidents.js';
import { renderIncident } from './incident.js';
import { renderQuick } from './quick.js';
import { renderSla } from './sla.js';
import { renderDuty } from './duty.js';
import { renderChannels, renderChannelForm, renderRules, renderRuleForm, renderDeliveries } from './notify.js';

let cssLoaded = null;

/**
 * Adds the module's stylesheet once (a <link> from 'self' is allowed by the
 * CSP) and resolves when it is in (at most 3 s), so that a page is never
 * drawn unstyled first.
 */
export function loadCss() {
  if (cssLoaded) return cssLoaded;
  if (typeof document === 'undefined') return Promise.resolve();
  if (document.querySelector('link[data-yw-ops]')) {
    cssLoaded = Promise.resolve();
    return cssLoaded;
  }
  const link = document.createElement('link');
  link.rel = 'stylesheet';
  link.href = '/app/ops/ops.css';
  link.setAttribute('data-yw-ops', '');
  cssLoaded = new Promise((resolve) => {
    const t = setTimeout(resolve, 3000);
    const done = () => {
      clearTimeout(t);
      resolve();
    };
    link.addEventListener('load', done);
    link.addEventListener('error', done);
  });
  document.head.appendChild(link);
  return cssLoaded;
}

function page(fn) {
  return async (main, ctx) => {
    await loadCss();
    const cleanup = await fn(main, { ...ctx, t: tr, tr });
    return () => {
      if (typeof cleanup === 'function') cleanup();
      closeDialogs();
    };
  };
}

export const routes = [
  { path: '/incidents', titleKey: 'ops.nav.incidents', action: 'incident.read', nav: 'incidents', render: page(renderIncidents) },
  { path: '/incidents/:id', titleKey: 'ops.nav.incidents', action: 'incident.read', render: page(renderIncident) },
  { path: '/report', titleKey: 'ops.quick.title', action: 'incident.write', nav: 'report', render: page(renderQuick) },
  { path: '/duty', titleKey: 'ops.nav.duty', action: 'ops.read', nav: 'duty', render: page(renderDuty) },
  { path: '/notify', titleKey: 'ops.nav.notify', action: 'notify.read', nav: 'notify', render: page(renderChannels) },
  { path: '/notify/channels/new', titleKey: 'ops.ch.new', action: 'notify.write', render: page(renderChannelForm) },
  { path: '/notify/channels/:id', titleKey: 'ops.ch.title', action: 'notify.read', render: page(renderChannelForm) },
  { path: '/notify/rules', titleKey: 'ops.rule.list', action: 'notify.read', render: page(renderRules) },
  { path: '/notify/rules/new', titleKey: 'ops.rule.new', action: 'notify.write', render: page(renderRuleForm) },
  { path: '/notify/rules/:id', titleKey: 'ops.rule.title', action: 'notify.read', render: page(renderRuleForm) },
  { path: '/notify/deliveries', titleKey: 'ops.dlv.title', action: 'notify.read', render: page(renderDeliveries) },
  { path: '/sla', titleKey: 'ops.nav.sla', action: 'incident.read', nav: 'sla', render: page(renderSla) },
];

/** A route's title in the current language. */
export function title(key) {
  return tr(key);
}

export { loadCatalogue, tr };

export default routes;
