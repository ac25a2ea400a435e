// model — the operations module's vocabularies (as the server names them:
// src/incident/incident.h, src/incident/sla.h, src/desk/desk.h,
// src/notify/notify.h) and the pure functions the pages are built on: the
// live SLA countdown, the badge a clock gets, period strings, list filters,
// the fault report's standing, times in the display zone.
//
// No DOM, no fetch: the unit tests (tests/unit/web-js/ops.test.mjs) import
// this in Node.

export const INC_STATES = ['new', 'responded', 'onsite', 'resolved', 'closed'];
export const OPEN_STATES = ['new', 'responded', 'onsite'];
export const SOURCES = ['monitor', 'inspection', 'phone', 'wechat', 'email', 'onsite', 'user'];
/** Sources a person reports by hand (a monitor opens its own). */
export const HAND_SOURCES = ['phone', 'wechat', 'email', 'onsite', 'user', 'inspection'];
export const LEVELS = [1, 2, 3, 4];
export const CLOCKS = ['response', 'onsite', 'resolve'];
export const CLOCK_STATUSES = ['off', 'running', 'warning', 'breached', 'paused', 'met', 'missed'];
export const INC_ACTIONS = ['respond', 'onsite', 'resolve', 'close', 'reopen', 'vendor_wait', 'vendor_back', 'assign', 'level', 'note', 'report'];
/** The buttons of the incident page, in the order shown (note and report have their own forms). */
export const ACTION_BUTTONS = ['respond', 'onsite', 'resolve', 'close', 'reopen', 'vendor_wait', 'vendor_back', 'assign', 'level'];
export const EVENT_KINDS = ['opened', 'responded', 'onsite', 'resolved', 'closed', 'reopened', 'assigned', 'level', 'vendor_wait',
  'vendor_back', 'note', 'recovered', 'flap', 'report', 'sla_warning', 'sla_breach'];

export const CHANNEL_TYPES = ['email', 'webhook', 'dingtalk', 'wecom', 'feishu'];
/** The secrets each channel type keeps (src/notify/channel.c type_secrets). */
export const CHANNEL_SECRETS = {
  email: ['password'],
  webhook: ['token', 'secret'],
  dingtalk: ['token', 'secret'],
  wecom: ['token'],
  feishu: ['token', 'secret'],
};
export const SMTP_SECURITY = ['starttls', 'tls', 'none'];
export const NOTIFY_KINDS = ['opened', 'assigned', 'sla_warning', 'sla_breach', 'recovered', 'resolved', 'reopened', 'report_due', 'test'];
export const DLV_STATUSES = ['queued', 'scheduled', 'sending', 'sent', 'failed', 'suppressed', 'cancelled'];
export const DUTY_POSITIONS = ['primary', 'backup', 'lead'];
export const TARGET_KINDS = ['assignee', 'duty:primary', 'duty:backup', 'duty:lead'];
export const PERIOD_KINDS = ['month', 'quarter', 'half', 'year'];

// ---- SLA clocks ------------------------------------------------------------------

const RUNNING = new Set(['running', 'warning', 'breached']);

function num(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function instant(v) {
  if (!v) return null;
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/**
 * A clock as it stands at now (ms), from the server's answer fetched at
 * fetchedAt (ms, the browser's clock): a running clock's elapsed and
 * remaining move on by the time since the fetch (so the browser's and the
 * server's clocks need not agree), and its status turns to warning and
 * breached at the thresholds the answer implies (warn_at and breach_at are
 * wall instants of the server: their distance is the warning's lead). Every
 * other status stands still.
 * -> {status, target, elapsed, remaining, paused, over, running}
 */
export function clockNow(clock, fetchedAt, now) {
  if (!clock || typeof clock !== 'object') return { status: 'off', target: 0, elapsed: 0, remaining: 0, paused: 0, over: 0, running: false };
  const status0 = CLOCK_STATUSES.includes(clock.status) ? clock.status : 'off';
  const target = num(clock.target_ms) ?? 0;
  let elapsed = num(clock.elapsed_ms) ?? 0;
  let remaining = num(clock.remaining_ms) ?? target - elapsed;
  const paused = num(clock.paused_ms) ?? 0;
  let status = status0;
  const running = RUNNING.has(status0);
  if (running) {
    const dt = Math.max(0, now - fetchedAt);
    elapsed += dt;
    remaining -= dt;
    if (remaining <= 0) status = 'breached';
    else if (status === 'running') {
      // The warning's lead: breach_at - warn_at when both are known, else
      // a quarter of the target (the default warning is at 75 %).
      const w = instant(clock.warn_at);
      const b = instant(clock.breach_at);
      const lead = w !== null && b !== null && b >= w ? b - w : target / 4;
      if (target > 0 && remaining <= lead) status = 'warning';
    }
  }
  return { status, target, elapsed, remaining, paused, over: remaining < 0 ? -remaining : 0, running };
}

/** The tone (colour family) of a clock status: ok, run, warn, bad, pause, off. */
export function clockTone(status) {
  switch (status) {
    case 'met': return 'ok';
    case 'running': return 'run';
    case 'warning': return 'warn';
    case 'breached':
    case 'missed': return 'bad';
    case 'paused': return 'pause';
    default: return 'off';
  }
}

/** Which clocks an incident list row shows: those kept, the running ones first. */
export function listClocks(inc) {
  const c = (inc && inc.clocks) || {};
  return CLOCKS.filter((k) => c[k] && c[k].status && c[k].status !== 'off');
}

/**
 * The most urgent live clock of an incident at now (for sorting and the
 * row colour): the lowest remaining among running clocks, else null.
 */
export function urgentClock(inc, fetchedAt, now) {
  let best = null;
  for (const k of listClocks(inc)) {
    const v = clockNow(inc.clocks[k], fetchedAt, now);
    if (!v.running) continue;
    if (!best || v.remaining < best.view.remaining) best = { clock: k, view: v };
  }
  return best;
}

/**
 * A countdown: "mm:ss" under an hour, "h:mm:ss" under a day, else days and
 * "hh:mm:ss" with dayText(n) for the days ("2天 03:04:05"). The sign is
 * not shown: the label says remaining or over.
 */
export function formatCountdown(ms, dayText = (n) => `${n}d`) {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return '—';
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const hh = Math.floor(s / 3600);
  s -= hh * 3600;
  const mm = Math.floor(s / 60);
  const ss = s - mm * 60;
  const p2 = (n) => String(n).padStart(2, '0');
  if (d > 0) return `${dayText(d)} ${p2(hh)}:${p2(mm)}:${p2(ss)}`;
  if (hh > 0) return `${hh}:${p2(mm)}:${p2(ss)}`;
  return `${p2(mm)}:${p2(ss)}`;
}

/**
 * What a clock badge says, as a catalogue key and its parameters:
 * running/warning "剩余 12:34", breached "超时 3:05", paused "已暂停
 * (剩余 …)", met "已达标", missed "超时完成 (超 …)", off "不计时".
 */
export function clockText(view, dayText) {
  const left = formatCountdown(view.remaining, dayText);
  const over = formatCountdown(view.over, dayText);
  switch (view.status) {
    case 'running':
    case 'warning':
      return { key: 'ops.clock.left', params: { time: left } };
    case 'breached':
      return { key: 'ops.clock.over', params: { time: over } };
    case 'paused':
      return { key: 'ops.clock.paused_left', params: { time: left } };
    case 'met':
      return { key: 'ops.clock.met_text', params: {} };
    case 'missed':
      return { key: 'ops.clock.missed_text', params: { time: over } };
    default:
      return { key: 'ops.clock.off_text', params: {} };
  }
}

// ---- incidents -----------------------------------------------------------------------

/** The actions to offer: those the incident's state allows AND the role may do. */
export function offeredActions(inc, can) {
  if (!inc || !Array.isArray(inc.actions) || !can('incident.write')) return [];
  return inc.actions.filter((a) => INC_ACTIONS.includes(a));
}

export const LIST_FILTERS = ['q', 'state', 'level', 'system', 'source', 'assignee'];

/** The list's filters from the page's query; state defaults to open. */
export function filtersFromQuery(query = {}) {
  const f = {};
  for (const k of LIST_FILTERS) f[k] = typeof query[k] === 'string' ? query[k] : '';
  if (!f.state) f.state = 'open';
  if (f.state !== 'all' && f.state !== 'open' && !f.state.split(',').every((s) => INC_STATES.includes(s))) f.state = 'open';
  if (f.level && !LEVELS.includes(Number(f.level))) f.level = '';
  if (f.source && !SOURCES.includes(f.source)) f.source = '';
  return f;
}

/** The API query for filters (the "all" state is no state filter). */
export function incidentQuery(f, extra = {}) {
  const q = { ...extra };
  if (f.state && f.state !== 'all') q.state = f.state;
  for (const k of ['level', 'system', 'source', 'assignee']) if (f[k]) q[k] = f[k];
  if (f.q && f.q.trim()) q.q = f.q.trim();
  return q;
}

/** The page query for filters: the defaults are left out. */
export function pageQuery(f) {
  const q = {};
  for (const k of LIST_FILTERS) q[k] = f[k] && !(k === 'state' && f[k] === 'open') ? f[k] : '';
  return q;
}

/**
 * Merges a fresh first page into the list shown: the fresh rows replace
 * theirs, rows loaded from later pages stay, newest (highest id) first.
 * -> {items, added: [ids new to the list]}
 */
export function mergeIncidents(shown, fresh) {
  const known = new Set(shown.map((x) => x.id));
  const freshIds = new Set(fresh.map((x) => x.id));
  const minFresh = fresh.length ? Math.min(...fresh.map((x) => x.id)) : Infinity;
  // Older rows that the fresh page does not reach stay; those it reaches
  // but no longer lists have left the filter (closed, reassigned…).
  const keep = shown.filter((x) => !freshIds.has(x.id) && x.id < minFresh);
  const items = [...fresh, ...keep].sort((a, b) => b.id - a.id);
  const added = fresh.filter((x) => !known.has(x.id)).map((x) => x.id);
  return { items, added };
}

/**
 * The fault report's standing at now: none (not resolved), due, overdue
 * (not submitted, due passed), on_time, late.
 */
export function reportStatus(report, now) {
  if (!report || !report.due) return 'none';
  const due = Date.parse(report.due);
  if (report.submitted) {
    if (report.on_time === true) return 'on_time';
    if (report.on_time === false) return 'late';
    return Date.parse(report.submitted) <= due ? 'on_time' : 'late';
  }
  return now > due ? 'overdue' : 'due';
}

/** "一级" etc. are catalogue texts; the level's tone for colour. */
export function levelTone(level) {
  return LEVELS.includes(Number(level)) ? `l${Number(level)}` : 'l4';
}

/** A sort of the list: the open ones with the least time left first, then newest. */
export function sortIncidents(items, fetchedAt, now) {
  const rank = (inc) => {
    const u = urgentClock(inc, fetchedAt, now);
    return u ? u.view.remaining : Infinity;
  };
  return items.slice().sort((a, b) => {
    const ra = rank(a), rb = rank(b);
    if (ra !== rb) return ra - rb;
    return b.id - a.id;
  });
}

// ---- periods --------------------------------------------------------------------------

/** "2026-11" | "2026-Q4" | "2026-H2" | "2026" -> {kind, year, n}, else null. */
export function parsePeriod(s) {
  if (typeof s !== 'string') return null;
  let m = /^(\d{4})-(\d{2})$/.exec(s);
  if (m && +m[2] >= 1 && +m[2] <= 12) return { kind: 'month', year: +m[1], n: +m[2] };
  m = /^(\d{4})-Q([1-4])$/.exec(s);
  if (m) return { kind: 'quarter', year: +m[1], n: +m[2] };
  m = /^(\d{4})-H([12])$/.exec(s);
  if (m) return { kind: 'half', year: +m[1], n: +m[2] };
  m = /^(\d{4})$/.exec(s);
  if (m) return { kind: 'year', year: +m[1], n: 1 };
  return null;
}

/** The API's text for a period. */
export function periodString(p) {
  switch (p.kind) {
    case 'month': return `${p.year}-${String(p.n).padStart(2, '0')}`;
    case 'quarter': return `${p.year}-Q${p.n}`;
    case 'half': return `${p.year}-H${p.n}`;
    default: return String(p.year);
  }
}

const PER_YEAR = { month: 12, quarter: 4, half: 2, year: 1 };

/** The period of kind holding day "YYYY-MM-DD". */
export function periodOf(kind, day) {
  const year = Number(day.slice(0, 4));
  const month = Number(day.slice(5, 7));
  switch (kind) {
    case 'month': return { kind, year, n: month };
    case 'quarter': return { kind, year, n: Math.floor((month - 1) / 3) + 1 };
    case 'half': return { kind, year, n: month <= 6 ? 1 : 2 };
    default: return { kind: 'year', year, n: 1 };
  }
}

/** The period delta periods after p (before when negative). */
export function shiftPeriod(p, delta) {
  const per = PER_YEAR[p.kind] || 1;
  const i = p.year * per + (p.n - 1) + delta;
  return { kind: p.kind, year: Math.floor(i / per), n: (((i % per) + per) % per) + 1 };
}

/** The months [first, last] (1..12) a period covers. */
export function periodMonths(p) {
  switch (p.kind) {
    case 'month': return [p.n, p.n];
    case 'quarter': return [(p.n - 1) * 3 + 1, p.n * 3];
    case 'half': return [(p.n - 1) * 6 + 1, p.n * 6];
    default: return [1, 12];
  }
}

/** The catalogue key and parameters of a period's name ("2026年第四季度"). */
export function periodText(p) {
  if (p.kind === 'half') return { key: `ops.period.name_h${p.n}`, params: { year: p.year, n: p.n } };
  return { key: `ops.period.name_${p.kind}`, params: { year: p.year, n: p.n } };
}

/** Whether p starts after the period holding today (nothing to show yet). */
export function periodInFuture(p, today) {
  const cur = periodOf(p.kind, today);
  return p.year * 12 + periodMonths(p)[0] > cur.year * 12 + periodMonths(cur)[0];
}

// ---- times in the display zone --------------------------------------------------------------

/** The offset (ms) of zone at instant t: local wall time minus UTC. */
export function zoneOffset(zone, t) {
  const f = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
  const p = {};
  for (const x of f.formatToParts(new Date(t))) p[x.type] = x.value;
  const wall = Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour % 24, +p.minute, +p.second);
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * The instant (RFC 3339, UTC) of a wall time "YYYY-MM-DDTHH:MM" (a
 * datetime-local value) in zone; null when the value is not one.
 */
export function wallToIso(value, zone) {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/.exec(value || '');
  if (!m) return null;
  const guess = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]);
  let t = guess - zoneOffset(zone, guess);
  const again = zoneOffset(zone, t);
  if (guess - again !== t) t = guess - again;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

/** The wall time "YYYY-MM-DDTHH:MM" of instant v in zone (for datetime-local inputs). */
export function isoToWall(v, zone) {
  const t = typeof v === 'number' ? v : Date.parse(v);
  if (Number.isNaN(t)) return '';
  const local = new Date(t + zoneOffset(zone, t));
  return local.toISOString().slice(0, 16);
}

// ---- duty roster -----------------------------------------------------------------------------

/** The seven days "YYYY-MM-DD" of the week (Monday first) holding day. */
export function weekOf(day) {
  const [y, m, d] = day.split('-').map(Number);
  const base = Date.UTC(y, m - 1, d);
  const wd = (new Date(base).getUTCDay() + 6) % 7;
  return Array.from({ length: 7 }, (_, i) => new Date(base + (i - wd) * 86400e3).toISOString().slice(0, 10));
}

/**
 * The shifts touching each of days: Map day -> shifts (by start). dayOf(ms)
 * gives an instant's day in the display zone. A shift ending at midnight
 * does not touch the next day.
 */
export function shiftsByDay(shifts, days, dayOf) {
  const out = new Map(days.map((d) => [d, []]));
  for (const s of shifts) {
    const a = Date.parse(s.start), b = Date.parse(s.end);
    if (Number.isNaN(a) || Number.isNaN(b) || b <= a) continue;
    const first = dayOf(a), last = dayOf(b - 1);
    for (const d of days) if (d >= first && d <= last) out.get(d).push(s);
  }
  for (const list of out.values()) list.sort((x, y) => Date.parse(x.start) - Date.parse(y.start) || DUTY_POSITIONS.indexOf(x.position) - DUTY_POSITIONS.indexOf(y.position));
  return out;
}

/**
 * Who is on duty from GET /api/v1/duty/now ({at, positions: {primary:
 * {user_id, user, user_name, start, end, …} | null, backup, lead}}); a flat
 * {primary, …} or a list [{position, …}] is read too.
 * -> {primary, backup, lead}: each a {login, name, start, end, …} or null.
 */
export function dutyNow(answer) {
  const out = { primary: null, backup: null, lead: null };
  if (!answer || typeof answer !== 'object') return out;
  if (answer.positions && typeof answer.positions === 'object' && !Array.isArray(answer.positions)) return dutyNow(answer.positions);
  const list = Array.isArray(answer) ? answer : answer.items || answer.shifts || answer.on_duty || answer.positions;
  if (Array.isArray(list)) {
    for (const x of list) if (x && DUTY_POSITIONS.includes(x.position) && !out[x.position]) out[x.position] = x;
    return out;
  }
  for (const p of DUTY_POSITIONS) {
    const v = answer[p];
    if (v && typeof v === 'object') out[p] = v;
    else if (typeof v === 'string' && v) out[p] = { login: v };
  }
  return out;
}

/** The login of a person-ish object the server answered ({login}|{user}|{name}|"x"). */
export function loginOf(x) {
  if (!x) return '';
  if (typeof x === 'string') return x;
  return x.login || x.user || x.username || x.to_login || '';
}

/** The name to show for a person-ish object. */
export function personName(x) {
  if (!x) return '';
  if (typeof x === 'string') return x;
  const login = loginOf(x);
  const dn = x.user_name || x.display_name || x.name;
  return dn && dn !== login ? `${dn} (${login})` : login || dn || '';
}

/** The list inside a list answer, whatever its key ({items}, {shifts}, an array…). */
export function listOf(answer, ...keys) {
  if (Array.isArray(answer)) return answer;
  if (!answer || typeof answer !== 'object') return [];
  for (const k of [...keys, 'items']) if (Array.isArray(answer[k])) return answer[k];
  return [];
}

// ---- channels --------------------------------------------------------------------------------

/** Secrets of a channel answer: {name: set?} for its type's secrets. */
export function secretState(ch) {
  const out = {};
  for (const s of CHANNEL_SECRETS[ch && ch.type] || []) {
    const flag = ch[`${s}_set`];
    out[s] = typeof flag === 'boolean' ? flag : Boolean(ch[s]);
  }
  return out;
}

/**
 * The body to send for a channel form's values: empty optional fields are
 * left out, a secret field left empty keeps the stored secret (omitted),
 * "clear" sends null. values: {name, title, type, enabled, default, url,
 * host, port, security, username, from, from_name, to (text, one a line or
 * comma-separated), tls_verify, msgtype, dedup_window, rate_max, rate_per,
 * on_limit, secrets: {password|token|secret: {value, clear}}}.
 */
export function channelBody(v) {
  const b = { name: v.name.trim(), type: v.type, enabled: Boolean(v.enabled), default: Boolean(v.default) };
  const opt = (k, val) => {
    const s = typeof val === 'string' ? val.trim() : val;
    if (s !== '' && s !== undefined && s !== null) b[k] = s;
  };
  opt('title', v.title);
  if (v.dedup_window) opt('dedup_window', v.dedup_window);
  if (v.rate_max !== '' && v.rate_max !== undefined) {
    b.rate_limit = { max: Number(v.rate_max) };
    if (v.rate_per) b.rate_limit.per = v.rate_per.trim();
  }
  opt('on_limit', v.on_limit);
  if (v.type === 'email') {
    opt('host', v.host);
    if (v.port !== '' && v.port !== undefined) b.port = Number(v.port);
    opt('security', v.security);
    opt('username', v.username);
    opt('from', v.from);
    opt('from_name', v.from_name);
    const to = String(v.to || '').split(/[\s,;，；]+/).map((x) => x.trim()).filter(Boolean);
    if (to.length) b.to = to;
    b.tls_verify = v.tls_verify !== false;
  } else {
    opt('url', v.url);
    if (v.type === 'webhook') b.tls_verify = v.tls_verify !== false;
    if (v.type === 'wecom') opt('msgtype', v.msgtype);
  }
  for (const s of CHANNEL_SECRETS[v.type] || []) {
    const x = (v.secrets && v.secrets[s]) || {};
    if (x.clear) b[s] = null;
    else if (x.value) b[s] = x.value;
  }
  return b;
}

/** A rule's target list from a text ("assignee, duty:lead"). */
export function splitList(text) {
  return String(text || '').split(/[\s,;，；、]+/).map((x) => x.trim()).filter(Boolean);
}

const LOOPBACK = /^http:\/\/(localhost|127(\.\d{1,3}){3}|\[::1\])(:\d+)?(\/|$)/i;

/** Client-side checks of a channel body before sending: [{field, key}]. */
export function checkChannel(b) {
  const errs = [];
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(b.name || '')) errs.push({ field: 'name', key: 'ops.ch.bad_name' });
  if (!CHANNEL_TYPES.includes(b.type)) errs.push({ field: 'type', key: 'ops.ch.bad_type' });
  if (b.type === 'email') {
    if (!b.host) errs.push({ field: 'host', key: 'ops.ch.need_host' });
    if (!b.from) errs.push({ field: 'from', key: 'ops.ch.need_from' });
    if (b.port !== undefined && !(Number.isInteger(b.port) && b.port >= 1 && b.port <= 65535)) errs.push({ field: 'port', key: 'ops.ch.bad_port' });
  } else if (b.type === 'webhook' && !b.url) errs.push({ field: 'url', key: 'ops.ch.need_url' });
  if (b.url && !/^https?:\/\/\S+$/i.test(b.url)) errs.push({ field: 'url', key: 'ops.ch.bad_url' });
  // Robots are reached over https; plain http only on this machine (tests).
  else if (b.url && ['dingtalk', 'wecom', 'feishu'].includes(b.type) && /^http:/i.test(b.url) && !LOOPBACK.test(b.url)) errs.push({ field: 'url', key: 'ops.ch.need_https' });
  return errs;
}

/** Client-side checks of a rule body: [{field, key}]. */
export function checkRule(b) {
  const errs = [];
  if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(b.name || '')) errs.push({ field: 'name', key: 'ops.rule.bad_name' });
  if (!Array.isArray(b.steps) || !b.steps.length) errs.push({ field: 'steps', key: 'ops.rule.need_step' });
  else {
    b.steps.forEach((s, i) => {
      if (!s.channels || !s.channels.length) errs.push({ field: `steps[${i}].channels`, key: 'ops.rule.need_channel' });
      if (!s.to || !s.to.length) errs.push({ field: `steps[${i}].to`, key: 'ops.rule.need_to' });
    });
  }
  return errs;
}

// ---- SLA figures ------------------------------------------------------------------------------

/** A rate (0..1) as a percentage number, or null. */
export function ratePercent(v) {
  return typeof v === 'number' && Number.isFinite(v) ? v * 100 : null;
}
