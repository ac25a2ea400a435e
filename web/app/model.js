// model — the fixed vocabularies of the API (states, monitor types, tiers,
// roles, actions) and small pure helpers over them. The catalogue test uses
// these lists to check that every dynamic key ("state.down", "type.http"…)
// exists in both languages.

/** Monitor and system states, in the order the console sorts them: trouble first. */
export const STATES = ['down', 'no_data', 'maintenance', 'paused', 'up'];
export const TYPES = ['http', 'tls', 'tcp', 'dns', 'ping', 'postgres', 'heartbeat'];
export const TIERS = ['key', 'general'];
export const RECURRENCES = ['once', 'daily', 'weekly', 'monthly'];
/** As the API writes weekly days; index = JavaScript's getUTCDay(). */
export const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

/** Role names as src/auth/roles.c names them, in its order. */
export const ROLES = ['sysadmin', 'secadmin', 'auditadmin', 'assessor', 'manager', 'engineer', 'viewer'];
export const ACTIONS = ['ops.read', 'monitor.write', 'monitor.operate', 'maint.write', 'org.read', 'user.write',
  'role.grant', 'policy.read', 'policy.write', 'token.manage', 'audit.read', 'self',
  'incident.read', 'incident.write', 'notify.read', 'notify.write', 'duty.write', 'calendar.write'];

/**
 * The role x action matrix of src/auth/roles.c, used only when the session
 * answer does not carry "actions" (servers before the console contract). The
 * server decides in any case; this only chooses what to offer. A unit test
 * compares it with roles.c.
 */
export const ROLE_ACTIONS = {
  sysadmin: ['ops.read', 'monitor.write', 'monitor.operate', 'maint.write', 'org.read', 'user.write', 'self',
    'incident.read', 'notify.read', 'notify.write', 'calendar.write'],
  secadmin: ['ops.read', 'org.read', 'role.grant', 'policy.read', 'policy.write', 'token.manage', 'self'],
  auditadmin: ['audit.read', 'org.read', 'self'],
  assessor: ['ops.read', 'self', 'incident.read', 'notify.read'],
  manager: ['ops.read', 'monitor.operate', 'maint.write', 'org.read', 'self', 'incident.read', 'incident.write',
    'notify.read', 'notify.write', 'duty.write'],
  engineer: ['ops.read', 'monitor.operate', 'self', 'incident.read', 'incident.write', 'notify.read'],
  viewer: ['ops.read', 'self', 'incident.read'],
};

/** The actions a session may do: the server's list, else derived from its roles. */
export function sessionActions(session) {
  if (!session) return new Set();
  if (Array.isArray(session.actions)) return new Set(session.actions);
  const out = new Set();
  for (const r of session.roles || []) for (const a of ROLE_ACTIONS[r] || []) out.add(a);
  return out;
}

/** One collator for every sort: titles in pinyin order, "mon-2" before
 * "mon-10". Made once: localeCompare with a locale builds a collator per
 * call, which shows with 10,000 monitors. */
export const collator = new Intl.Collator('zh-CN', { numeric: true });
export const compareText = (a, b) => collator.compare(String(a ?? ''), String(b ?? ''));

export function stateRank(state) {
  const i = STATES.indexOf(state);
  return i < 0 ? STATES.length : i;
}

/** A known state name, else "no_data" (the class and label to show). */
export function stateOf(s) {
  return STATES.includes(s) ? s : 'no_data';
}

/** Durations as the API takes them: "60s", "1h30m", "500ms", "7d". */
export const DURATION_RE = /^(\d+(ms|s|m|h|d))+$/;

/** Seconds of a duration string, or NaN. */
export function durationSeconds(s) {
  if (typeof s !== 'string' || !DURATION_RE.test(s)) return NaN;
  const mult = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };
  let total = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h|d)/g)) total += Number(m[1]) * mult[m[2]];
  return total;
}

/** Names of systems, monitors and windows: [a-z0-9][a-z0-9._-]*, at most 64. */
export const NAME_RE = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * The form control an API error's field belongs to: "headers.Authorization"
 * -> "headers", "json[0].path" -> "json", "body" (the whole request) -> null.
 */
export function fieldRoot(field) {
  if (!field || field === 'body') return null;
  const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(field);
  return m ? m[0] : null;
}

/** The server's message without its leading "field: ". */
export function stripField(message, field) {
  if (typeof message !== 'string') return '';
  // A nested field ("json[0].path: must not be empty") keeps its path: the
  // control shows the whole list, and the path says which item is wrong.
  if (field && field === fieldRoot(field) && message.startsWith(field + ': ')) return message.slice(field.length + 2);
  return message;
}
