// 审计日志: the audit trail, for the audit administrator only. Filters (time
// range, user, action prefix), pages of newest-first records, the CSV export
// of the same filter, and a check of the HMAC chain. Reading, exporting and
// verifying are themselves recorded by the server.

import {
  h, clear, append, field, formError, showError, clearErrors, pageHead, table, badge, button, loading,
  fmtTime, localMessage,
} from './dom.js';

const PAGE_SIZES = [20, 50, 100, 200, 500];
/** Common action prefixes offered in the filter (any prefix may be typed). */
const ACTION_HINTS = ['session.', 'session.login', 'user.', 'role.grant', 'org.', 'token.', 'policy.update',
  'audit.', 'monitor.', 'system.', 'maint.', 'setup.'];

/** The server's UTC offset ("+08:00"), read from a time it wrote, for datetime-local values. */
function serverOffset(ctx) {
  const s = ctx.session && (ctx.session.created || ctx.session.expires);
  const m = typeof s === 'string' && s.match(/([+-]\d\d:\d\d|Z)$/);
  return m ? m[1] : '+08:00';
}

/** A datetime-local value ("2026-11-25T10:00") as RFC 3339 in the server's zone. */
export function toRfc3339(local, offset) {
  if (!local) return '';
  const withSec = /T\d\d:\d\d$/.test(local) ? `${local}:00` : local;
  return `${withSec}${offset}`;
}

export async function renderAudit(main, ctx) {
  const { t, api } = ctx;
  const offset = serverOffset(ctx);
  // cursors[i] is the cursor that fetched page i (page 0: none).
  const st = { cursors: [null], page: 0, next: null, items: [], filter: {}, limit: 100 };

  const from = h('input', { type: 'datetime-local', step: 1 });
  const to = h('input', { type: 'datetime-local', step: 1 });
  const user = h('input', { type: 'text', autocomplete: 'off', list: 'adm-audit-users', spellcheck: false });
  const action = h('input', { type: 'text', autocomplete: 'off', list: 'adm-audit-actions', spellcheck: false });
  const limit = h('select', null, PAGE_SIZES.map((n) => h('option', { value: String(n), text: String(n), selected: n === st.limit })));
  const usersList = h('datalist', { id: 'adm-audit-users' });
  const actionsList = h('datalist', { id: 'adm-audit-actions' }, ACTION_HINTS.map((a) => h('option', { value: a })));
  const csv = h('a', { class: 'adm-btn', href: '/api/v1/audit.csv', download: 'audit.csv', text: t('admin.audit.export'), testid: 'admin-audit-csv' });
  const verifyOut = h('div', { class: 'adm-verify', role: 'status', 'aria-live': 'polite', testid: 'admin-audit-verify-result' });
  const results = h('div', { class: 'adm-audit-results' });
  const pager = h('nav', { class: 'adm-pager', 'aria-label': t('admin.audit.paging') });

  const form = h('form', { class: 'adm-form adm-filters', novalidate: true, role: 'search', testid: 'admin-audit-filters' },
    field({ name: 'from', label: t('admin.audit.from'), input: from }),
    field({ name: 'to', label: t('admin.audit.to'), input: to }),
    field({ name: 'user', label: t('admin.audit.user'), input: user, hint: t('admin.audit.user_hint') }),
    field({ name: 'action', label: t('admin.audit.action'), input: action, hint: t('admin.audit.action_hint') }),
    field({ name: 'limit', label: t('admin.audit.limit'), input: limit }),
    usersList, actionsList, formError(),
    h('div', { class: 'adm-actions adm-actions-left adm-wide' },
      h('button', { type: 'submit', class: 'adm-btn adm-btn-primary', text: t('admin.audit.search'), testid: 'admin-audit-search' }),
      h('button', { type: 'button', class: 'adm-btn', text: t('admin.audit.reset'), onclick: () => { form.reset(); apply(); } }),
      csv));

  function filterQuery(f) {
    const q = new URLSearchParams();
    for (const k of ['from', 'to', 'user', 'action']) if (f[k]) q.set(k, f[k]);
    return q;
  }

  function readFilter() {
    return {
      from: toRfc3339(from.value, offset),
      to: toRfc3339(to.value, offset),
      user: user.value.trim(),
      action: action.value.trim(),
    };
  }

  function updateCsv() {
    const q = filterQuery(st.filter).toString();
    csv.href = `/api/v1/audit.csv${q ? `?${q}` : ''}`;
  }

  async function fetchPage() {
    const q = filterQuery(st.filter);
    q.set('limit', String(st.limit));
    const cur = st.cursors[st.page];
    if (cur) q.set('cursor', cur);
    const ans = await api.get(`/api/v1/audit?${q.toString()}`);
    st.items = ans.items || [];
    st.next = ans.next_cursor || null;
  }

  async function apply() {
    clearErrors(form);
    st.filter = readFilter();
    st.limit = Number(limit.value) || 100;
    st.cursors = [null];
    st.page = 0;
    updateCsv();
    await show();
  }

  async function show() {
    try {
      await fetchPage();
    } catch (x) {
      showError(ctx, form, x);
      return;
    }
    drawResults();
  }

  async function go(delta) {
    if (delta > 0) {
      if (!st.next) return;
      st.cursors[st.page + 1] = st.next;
      st.page += 1;
    } else {
      if (st.page === 0) return;
      st.page -= 1;
    }
    await show();
  }

  function cellText(v) {
    if (v === undefined) return '';
    if (v === null) return 'null';
    return typeof v === 'string' ? v : JSON.stringify(v);
  }

  /** Before and after, key by key, the changed keys marked (text and colour). */
  function imagesTable(r) {
    const b = r.before && typeof r.before === 'object' ? r.before : {};
    const a = r.after && typeof r.after === 'object' ? r.after : {};
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
    const rows = keys.map((k) => {
      const changed = Boolean(r.before && r.after) && cellText(b[k]) !== cellText(a[k]);
      return h('tr', { class: changed ? 'adm-changed' : null },
        h('th', { scope: 'row', class: 'adm-mono' }, k, changed ? h('span', { class: 'adm-sr', text: ` (${t('admin.audit.changed')})` }) : null),
        h('td', { class: 'adm-mono adm-wrap', text: r.before ? cellText(b[k]) : '' }),
        h('td', { class: 'adm-mono adm-wrap', text: r.after ? cellText(a[k]) : '' }));
    });
    return h('table', { class: 'adm-images', testid: 'admin-audit-images' },
      h('caption', { class: 'adm-sr', text: t('admin.audit.images') }),
      h('thead', null, h('tr', null,
        h('th', { scope: 'col', text: t('admin.audit.field') }),
        h('th', { scope: 'col', text: r.before ? t('admin.audit.before') : `${t('admin.audit.before')}（—）` }),
        h('th', { scope: 'col', text: r.after ? t('admin.audit.after') : `${t('admin.audit.after')}（—）` }))),
      h('tbody', null, rows));
  }

  /** A button that opens the record's before/after images in a row under it. */
  function detailButton(r) {
    const btn = h('button', { type: 'button', class: 'adm-btn adm-btn-small', 'aria-expanded': 'false', text: t('admin.audit.images'), testid: 'admin-audit-detail' });
    btn.addEventListener('click', () => {
      const tr = btn.closest('tr');
      const next = tr.nextElementSibling;
      if (next && next.classList.contains('adm-detail-row')) {
        next.remove();
        btn.setAttribute('aria-expanded', 'false');
        return;
      }
      const cols = tr.children.length;
      tr.after(h('tr', { class: 'adm-detail-row' }, h('td', { colSpan: cols }, imagesTable(r))));
      btn.setAttribute('aria-expanded', 'true');
    });
    return btn;
  }

  /** The result: a short badge (成功 / 拒绝 / 失败) and the server's reason as text beside it. */
  function resultCell(r) {
    const s = String(r || '');
    const m = s.match(/^(ok|denied|failed)(?::\s*(.*))?$/s);
    const kind = m ? m[1] : 'failed';
    const rest = m ? (m[2] || '') : s;
    return h('span', { class: 'adm-result' },
      badge(t(`admin.audit.result_${kind}`), { ok: 'ok', denied: 'warn', failed: 'danger' }[kind]),
      rest ? h('span', { class: 'adm-result-why', text: localMessage(rest) }) : null);
  }

  function drawResults() {
    clear(results);
    const cols = [
      { label: t('admin.audit.seq'), class: 'adm-num' },
      { label: t('admin.audit.time'), class: 'adm-col-time' },
      { label: t('admin.audit.who') },
      { label: t('admin.audit.action') },
      { label: t('admin.audit.object'), class: 'adm-col-object' },
      { label: t('admin.audit.result'), class: 'adm-col-result' },
      { label: t('admin.audit.detail') },
    ];
    const rows = st.items.map((r) => ({
      attrs: { dataset: { seq: String(r.seq) } },
      cells: [
        String(r.seq),
        fmtTime(r.time),
        h('span', { class: 'adm-who' },
          r.user === null || r.user === undefined ? h('span', { class: 'adm-muted', text: t('admin.audit.anonymous') }) : h('span', { class: 'adm-mono', text: r.user }),
          h('span', { class: 'adm-muted adm-small', text: r.source || '' })),
        h('span', { class: 'adm-mono', text: r.action }),
        h('span', { class: 'adm-mono adm-wrap', text: r.object || '' }),
        resultCell(r.result),
        (r.before || r.after) ? detailButton(r) : '',
      ],
    }));
    results.appendChild(table({ caption: t('admin.audit.title'), columns: cols, rows, empty: t('admin.audit.empty'), className: 'adm-audit-table', testid: 'admin-audit-table' }));
    clear(pager);
    append(pager, [
      button(t('admin.audit.prev'), () => go(-1), { disabled: st.page === 0, testid: 'admin-audit-prev' }),
      h('span', { class: 'adm-muted', text: t('admin.audit.page', { n: st.page + 1, count: st.items.length }) }),
      button(t('admin.audit.next'), () => go(1), { disabled: !st.next, testid: 'admin-audit-next' }),
    ]);
  }

  async function verify(btn) {
    btn.disabled = true;
    clear(verifyOut);
    verifyOut.appendChild(h('p', { class: 'adm-muted', text: t('admin.audit.verifying') }));
    try {
      const v = await api.get('/api/v1/audit/verify');
      clear(verifyOut);
      verifyOut.className = `adm-verify ${v.ok ? 'adm-ok' : 'adm-bad'}`;
      verifyOut.appendChild(h('p', null,
        h('strong', { text: v.ok ? t('admin.audit.chain_ok', { n: v.checked }) : t('admin.audit.chain_bad', { n: v.checked, seq: v.bad_seq === null || v.bad_seq === undefined ? t('admin.audit.at_end') : v.bad_seq }) })));
      if (v.message) verifyOut.appendChild(h('p', { class: 'adm-mono adm-break', text: v.message }));
    } catch (x) {
      clear(verifyOut);
      verifyOut.className = 'adm-verify adm-bad';
      const tmp = h('div');
      showError(ctx, tmp, x);
      verifyOut.appendChild(h('p', { text: tmp.textContent }));
    }
    btn.disabled = false;
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    apply();
  });

  clear(main);
  main.appendChild(loading(ctx));
  const verifyBtn = h('button', { type: 'button', class: 'adm-btn', text: t('admin.audit.verify'), testid: 'admin-audit-verify' });
  verifyBtn.addEventListener('click', () => verify(verifyBtn));
  // The user list feeds the filter's suggestions; the page works without it.
  api.get('/api/v1/users').then((a) => {
    for (const u of (a && a.items) || []) usersList.appendChild(h('option', { value: u.name, label: u.display_name || u.name }));
  }).catch(() => {});

  clear(main);
  main.appendChild(append(h('div', { class: 'adm-page adm-audit-page', testid: 'admin-audit' }), [
    pageHead(t('admin.audit.page_title'), t('admin.audit.intro')),
    h('section', { class: 'adm-card', 'aria-labelledby': 'adm-verify-h' },
      h('h2', { id: 'adm-verify-h', text: t('admin.audit.chain_title') }),
      h('p', { class: 'adm-muted', text: t('admin.audit.chain_intro') }),
      h('div', { class: 'adm-actions adm-actions-left' }, verifyBtn), verifyOut),
    h('section', { class: 'adm-card', 'aria-labelledby': 'adm-filter-h' }, h('h2', { id: 'adm-filter-h', text: t('admin.audit.filters') }), form),
    results,
    pager,
  ]));
  updateCsv();
  await show();
}
