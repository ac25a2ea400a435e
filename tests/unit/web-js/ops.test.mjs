// The operations module's pure parts (web/app/ops/model.js and friends):
// the live SLA countdown and the badge a clock gets, countdown formatting,
// the actions offered, list filters and live merging, the fault report's
// standing, periods, wall times in the display zone, the duty roster's
// days, channel and rule bodies, the quick report's body. Expectations
// are worked out by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  clockNow, clockTone, clockText, formatCountdown, listClocks, urgentClock, offeredActions, filtersFromQuery, incidentQuery, pageQuery,
  mergeIncidents, reportStatus, sortIncidents, parsePeriod, periodString, periodOf, shiftPeriod, periodMonths, periodText, periodInFuture,
  zoneOffset, wallToIso, isoToWall, weekOf, shiftsByDay, dutyNow, personName, loginOf, listOf, secretState, channelBody, checkChannel,
  checkRule, splitList, ratePercent, CLOCK_STATUSES, INC_ACTIONS, ACTION_BUTTONS,
} from '../../../web/app/ops/model.js';

const MIN = 60e3;
const H = 60 * MIN;

// ---- clocks ------------------------------------------------------------------------

const running = { status: 'running', target_ms: 30 * MIN, elapsed_ms: 10 * MIN, paused_ms: 0, remaining_ms: 20 * MIN, warn_at: '2026-11-26T10:22:30+08:00', breach_at: '2026-11-26T10:30:00+08:00', stopped: null };

test('a running clock counts down from the moment of its answer', () => {
  const t0 = 1_000_000;
  let v = clockNow(running, t0, t0);
  assert.deepEqual([v.status, v.elapsed, v.remaining, v.over, v.running], ['running', 10 * MIN, 20 * MIN, 0, true]);
  v = clockNow(running, t0, t0 + 5 * MIN + 1000);
  assert.equal(v.remaining, 15 * MIN - 1000);
  assert.equal(v.elapsed, 15 * MIN + 1000);
  assert.equal(v.status, 'running');
});

test('it turns to warning at the lead that warn_at and breach_at imply, and to breached at 0', () => {
  const t0 = 0;
  // breach_at - warn_at = 7.5 min: warning when 7.5 min or less are left.
  assert.equal(clockNow(running, t0, t0 + 12.5 * MIN - 1).status, 'running');
  assert.equal(clockNow(running, t0, t0 + 12.5 * MIN).status, 'warning');
  assert.equal(clockNow(running, t0, t0 + 20 * MIN - 1).status, 'warning');
  const b = clockNow(running, t0, t0 + 20 * MIN);
  assert.equal(b.status, 'breached');
  const later = clockNow(running, t0, t0 + 23 * MIN + 5000);
  assert.equal(later.over, 3 * MIN + 5000);
  assert.equal(later.remaining, -(3 * MIN + 5000));
});

test('without warn_at the warning comes at a quarter of the target before the end', () => {
  const c = { status: 'running', target_ms: 8 * H, elapsed_ms: 0, remaining_ms: 8 * H };
  assert.equal(clockNow(c, 0, 6 * H - 1).status, 'running');
  assert.equal(clockNow(c, 0, 6 * H).status, 'warning');
});

test('stopped, paused and off clocks stand still', () => {
  for (const status of ['met', 'missed', 'paused', 'off']) {
    const c = { status, target_ms: 8 * H, elapsed_ms: 2 * H, paused_ms: H, remaining_ms: 6 * H };
    const v = clockNow(c, 0, 10 * H);
    assert.equal(v.status, status);
    assert.equal(v.remaining, 6 * H);
    assert.equal(v.elapsed, 2 * H);
    assert.equal(v.paused, H);
    assert.equal(v.running, false);
  }
  assert.equal(clockNow(null, 0, 0).status, 'off');
  assert.equal(clockNow({ status: 'weird' }, 0, 0).status, 'off');
  // An answer already breached stays breached, with the overshoot growing.
  const br = clockNow({ status: 'breached', target_ms: 30 * MIN, elapsed_ms: 40 * MIN, remaining_ms: -10 * MIN }, 0, MIN);
  assert.deepEqual([br.status, br.over], ['breached', 11 * MIN]);
});

test('every clock status has a tone; the tones are the six families', () => {
  assert.deepEqual(CLOCK_STATUSES.map(clockTone), ['off', 'run', 'warn', 'bad', 'pause', 'ok', 'bad']);
});

test('countdowns: mm:ss under an hour, h:mm:ss under a day, then days', () => {
  assert.equal(formatCountdown(0), '00:00');
  assert.equal(formatCountdown(999), '00:00');
  assert.equal(formatCountdown(59_999), '00:59');
  assert.equal(formatCountdown(29 * MIN + 59_000), '29:59');
  assert.equal(formatCountdown(H), '1:00:00');
  assert.equal(formatCountdown(7 * H + 59 * MIN + 1000), '7:59:01');
  assert.equal(formatCountdown(-(3 * MIN + 5000)), '03:05', 'the sign is the label\'s job');
  assert.equal(formatCountdown(26 * H + 3 * MIN + 4000, (n) => `${n}天`), '1天 02:03:04');
  assert.equal(formatCountdown(NaN), '—');
  assert.equal(formatCountdown(undefined), '—');
});

test('a badge says remaining, over, paused, met, missed or off', () => {
  const d = (n) => `${n}d`;
  assert.deepEqual(clockText({ status: 'running', remaining: 20 * MIN, over: 0 }, d), { key: 'ops.clock.left', params: { time: '20:00' } });
  assert.deepEqual(clockText({ status: 'warning', remaining: 61_000, over: 0 }, d), { key: 'ops.clock.left', params: { time: '01:01' } });
  assert.deepEqual(clockText({ status: 'breached', remaining: -5000, over: 5000 }, d), { key: 'ops.clock.over', params: { time: '00:05' } });
  assert.equal(clockText({ status: 'paused', remaining: H, over: 0 }, d).key, 'ops.clock.paused_left');
  assert.equal(clockText({ status: 'met', remaining: 1, over: 0 }, d).key, 'ops.clock.met_text');
  assert.deepEqual(clockText({ status: 'missed', remaining: -H, over: H }, d), { key: 'ops.clock.missed_text', params: { time: '1:00:00' } });
  assert.equal(clockText({ status: 'off', remaining: 0, over: 0 }, d).key, 'ops.clock.off_text');
});

test('the list shows the kept clocks; the most urgent is the running one with least left', () => {
  const inc = { id: 1, clocks: { response: { status: 'met', remaining_ms: 5 * MIN }, onsite: { status: 'off' }, resolve: { status: 'running', target_ms: 8 * H, remaining_ms: 2 * H } } };
  assert.deepEqual(listClocks(inc), ['response', 'resolve']);
  assert.deepEqual(listClocks({}), []);
  const u = urgentClock(inc, 0, H);
  assert.equal(u.clock, 'resolve');
  assert.equal(u.view.remaining, H);
  assert.equal(urgentClock({ clocks: { response: { status: 'met' } } }, 0, 0), null);
  const other = { id: 2, clocks: { response: { status: 'running', target_ms: 30 * MIN, remaining_ms: 10 * MIN } } };
  const done = { id: 3, clocks: {} };
  assert.deepEqual(sortIncidents([done, inc, other], 0, 0).map((x) => x.id), [2, 1, 3]);
});

// ---- incidents ---------------------------------------------------------------------------

test('buttons: what the incident allows AND the role may do', () => {
  const inc = { actions: ['respond', 'assign', 'note', 'bogus'] };
  assert.deepEqual(offeredActions(inc, (a) => a === 'incident.write'), ['respond', 'assign', 'note']);
  assert.deepEqual(offeredActions(inc, () => false), [], 'a viewer gets no buttons');
  assert.deepEqual(offeredActions({}, () => true), []);
  assert.deepEqual(offeredActions(null, () => true), []);
  for (const a of ACTION_BUTTONS) assert.ok(INC_ACTIONS.includes(a));
});

test('filters from the page query: open by default, bad values dropped', () => {
  assert.deepEqual(filtersFromQuery({}), { q: '', state: 'open', level: '', system: '', source: '', assignee: '' });
  assert.equal(filtersFromQuery({ state: 'resolved,closed' }).state, 'resolved,closed');
  assert.equal(filtersFromQuery({ state: 'all' }).state, 'all');
  assert.equal(filtersFromQuery({ state: 'nonsense' }).state, 'open');
  assert.equal(filtersFromQuery({ level: '7' }).level, '');
  assert.equal(filtersFromQuery({ level: '2' }).level, '2');
  assert.equal(filtersFromQuery({ source: 'fax' }).source, '');
  assert.equal(filtersFromQuery({ source: 'wechat' }).source, 'wechat');
});

test('the API query and the page query of filters', () => {
  const f = { q: '  门户 ', state: 'all', level: '1', system: 'portal', source: '', assignee: 'li.lei' };
  assert.deepEqual(incidentQuery(f, { limit: 100 }), { limit: 100, level: '1', system: 'portal', assignee: 'li.lei', q: '门户' });
  assert.deepEqual(incidentQuery({ state: 'open' }), { state: 'open' });
  assert.deepEqual(pageQuery({ q: '', state: 'open', level: '', system: '', source: '', assignee: '' }), { q: '', state: '', level: '', system: '', source: '', assignee: '' });
  assert.equal(pageQuery({ state: 'closed' }).state, 'closed');
});

test('a fresh first page merges into the list: new ones found, gone ones dropped, older pages kept', () => {
  const shown = [{ id: 9, v: 'old' }, { id: 8 }, { id: 7 }, { id: 3 }, { id: 2 }];
  const fresh = [{ id: 11 }, { id: 9, v: 'new' }, { id: 7 }];
  const m = mergeIncidents(shown, fresh);
  assert.deepEqual(m.items.map((x) => x.id), [11, 9, 7, 3, 2], '8 left the filter, 3 and 2 are below the fresh page');
  assert.equal(m.items[1].v, 'new');
  assert.deepEqual(m.added, [11]);
  assert.deepEqual(mergeIncidents([], [{ id: 1 }]).added, [1]);
  assert.deepEqual(mergeIncidents([{ id: 1 }], []).items.map((x) => x.id), [1]);
});

test('the fault report: none, due, overdue, on time, late', () => {
  const due = '2026-04-07T23:59:59+08:00';
  const t = Date.parse(due);
  assert.equal(reportStatus(null, t), 'none');
  assert.equal(reportStatus({ due: null }, t), 'none');
  assert.equal(reportStatus({ due }, t - 1), 'due');
  assert.equal(reportStatus({ due }, t + 1), 'overdue');
  assert.equal(reportStatus({ due, submitted: '2026-04-07T10:00:00+08:00', on_time: true }, t + 1e9), 'on_time');
  assert.equal(reportStatus({ due, submitted: '2026-04-08T10:00:00+08:00', on_time: false }, t + 1e9), 'late');
  // Without on_time, the instants decide.
  assert.equal(reportStatus({ due, submitted: '2026-04-08T10:00:00+08:00' }, 0), 'late');
  assert.equal(reportStatus({ due, submitted: '2026-04-03T10:00:00+08:00' }, 0), 'on_time');
});

// ---- periods -------------------------------------------------------------------------------

test('periods parse as the API writes them and back', () => {
  assert.deepEqual(parsePeriod('2026-11'), { kind: 'month', year: 2026, n: 11 });
  assert.deepEqual(parsePeriod('2026-Q4'), { kind: 'quarter', year: 2026, n: 4 });
  assert.deepEqual(parsePeriod('2026-H1'), { kind: 'half', year: 2026, n: 1 });
  assert.deepEqual(parsePeriod('2026'), { kind: 'year', year: 2026, n: 1 });
  for (const bad of ['2026-13', '2026-00', '2026-Q5', '2026-H3', '26', '2026-1', '', null, 'x']) assert.equal(parsePeriod(bad), null, String(bad));
  for (const s of ['2026-01', '2026-11', '2026-Q1', '2026-H2', '2026']) assert.equal(periodString(parsePeriod(s)), s);
});

test('the period holding a day, stepping, months covered', () => {
  assert.deepEqual(periodOf('month', '2026-11-26'), { kind: 'month', year: 2026, n: 11 });
  assert.deepEqual(periodOf('quarter', '2026-11-26'), { kind: 'quarter', year: 2026, n: 4 });
  assert.deepEqual(periodOf('quarter', '2026-03-31'), { kind: 'quarter', year: 2026, n: 1 });
  assert.deepEqual(periodOf('half', '2026-06-30'), { kind: 'half', year: 2026, n: 1 });
  assert.deepEqual(periodOf('half', '2026-07-01'), { kind: 'half', year: 2026, n: 2 });
  assert.deepEqual(periodOf('year', '2026-07-01'), { kind: 'year', year: 2026, n: 1 });
  assert.equal(periodString(shiftPeriod(parsePeriod('2026-01'), -1)), '2025-12');
  assert.equal(periodString(shiftPeriod(parsePeriod('2026-12'), 1)), '2027-01');
  assert.equal(periodString(shiftPeriod(parsePeriod('2026-Q1'), -1)), '2025-Q4');
  assert.equal(periodString(shiftPeriod(parsePeriod('2026-H2'), 1)), '2027-H1');
  assert.equal(periodString(shiftPeriod(parsePeriod('2026'), -3)), '2023');
  assert.equal(periodString(shiftPeriod(parsePeriod('2026-05'), -17)), '2024-12');
  assert.deepEqual(periodMonths(parsePeriod('2026-Q3')), [7, 9]);
  assert.deepEqual(periodMonths(parsePeriod('2026-H2')), [7, 12]);
  assert.deepEqual(periodMonths(parsePeriod('2026')), [1, 12]);
  assert.deepEqual(periodText(parsePeriod('2026-Q4')), { key: 'ops.period.name_quarter', params: { year: 2026, n: 4 } });
  assert.equal(periodText(parsePeriod('2026-H2')).key, 'ops.period.name_h2');
  assert.equal(periodInFuture(parsePeriod('2026-12'), '2026-11-26'), true);
  assert.equal(periodInFuture(parsePeriod('2026-11'), '2026-11-26'), false);
  assert.equal(periodInFuture(parsePeriod('2027-Q1'), '2026-11-26'), true);
  assert.equal(periodInFuture(parsePeriod('2026-H2'), '2026-11-26'), false);
});

// ---- times in the display zone ------------------------------------------------------------------

test('wall times in Asia/Shanghai, whatever the machine\'s zone', () => {
  assert.equal(zoneOffset('Asia/Shanghai', Date.UTC(2026, 10, 26)), 8 * H);
  assert.equal(wallToIso('2026-11-26T10:00', 'Asia/Shanghai'), '2026-11-26T02:00:00Z');
  assert.equal(wallToIso('2026-01-01T00:30', 'Asia/Shanghai'), '2025-12-31T16:30:00Z');
  assert.equal(wallToIso('2026-11-26 10:00', 'UTC'), '2026-11-26T10:00:00Z');
  assert.equal(wallToIso('2026-11-26', 'Asia/Shanghai'), null);
  assert.equal(wallToIso('', 'Asia/Shanghai'), null);
  assert.equal(isoToWall('2026-11-26T02:00:00Z', 'Asia/Shanghai'), '2026-11-26T10:00');
  assert.equal(isoToWall(Date.UTC(2025, 11, 31, 16, 30, 59), 'Asia/Shanghai'), '2026-01-01T00:30');
  assert.equal(isoToWall('garbage', 'Asia/Shanghai'), '');
  // A zone with summer time: the wall time maps on both sides of the change.
  assert.equal(wallToIso('2026-07-01T12:00', 'Europe/Berlin'), '2026-07-01T10:00:00Z');
  assert.equal(wallToIso('2026-01-01T12:00', 'Europe/Berlin'), '2026-01-01T11:00:00Z');
});

// ---- duty ------------------------------------------------------------------------------------

test('the week of a day runs Monday to Sunday, across months and years', () => {
  assert.deepEqual(weekOf('2026-11-26'), ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']);
  assert.deepEqual(weekOf('2026-11-23')[0], '2026-11-23');
  assert.deepEqual(weekOf('2026-11-29')[0], '2026-11-23', 'Sunday ends the week');
  assert.deepEqual(weekOf('2027-01-01'), ['2026-12-28', '2026-12-29', '2026-12-30', '2026-12-31', '2027-01-01', '2027-01-02', '2027-01-03']);
});

test('shifts fall on every day they touch; one ending at midnight not on the next', () => {
  const dayOf = (t) => new Date(t + 8 * H).toISOString().slice(0, 10); // Asia/Shanghai
  const days = ['2026-11-25', '2026-11-26', '2026-11-27'];
  const shifts = [
    { id: 1, position: 'backup', start: '2026-11-26T08:00:00+08:00', end: '2026-11-26T20:00:00+08:00' },
    { id: 2, position: 'primary', start: '2026-11-26T08:00:00+08:00', end: '2026-11-27T08:00:00+08:00' },
    { id: 3, position: 'lead', start: '2026-11-25T00:00:00+08:00', end: '2026-11-26T00:00:00+08:00' },
    { id: 4, position: 'primary', start: 'nonsense', end: '2026-11-26T00:00:00+08:00' },
  ];
  const m = shiftsByDay(shifts, days, dayOf);
  assert.deepEqual(m.get('2026-11-25').map((s) => s.id), [3]);
  assert.deepEqual(m.get('2026-11-26').map((s) => s.id), [2, 1], 'same start: primary before backup');
  assert.deepEqual(m.get('2026-11-27').map((s) => s.id), [2]);
});

test('who is on duty, from the server\'s answer and other shapes', () => {
  const ans = { at: '2026-11-26T10:00:00+08:00', positions: { primary: { user_id: 5, user: 'li.lei', user_name: '李雷', end: '2026-11-26T20:00:00+08:00' }, backup: null, lead: { user: 'han.mei' } } };
  const n = dutyNow(ans);
  assert.equal(n.primary.user, 'li.lei');
  assert.equal(n.backup, null);
  assert.equal(loginOf(n.lead), 'han.mei');
  assert.equal(personName(n.primary), '李雷 (li.lei)');
  assert.equal(personName({ user: 'x', user_name: 'x' }), 'x');
  assert.equal(personName('zz'), 'zz');
  assert.equal(personName(null), '');
  assert.equal(dutyNow({ items: [{ position: 'backup', user: 'b' }] }).backup.user, 'b');
  assert.equal(dutyNow({ primary: 'p' }).primary.login, 'p');
  assert.deepEqual(dutyNow(null), { primary: null, backup: null, lead: null });
  assert.deepEqual(listOf({ items: [1] }), [1]);
  assert.deepEqual(listOf([2]), [2]);
  assert.deepEqual(listOf({ shifts: [3] }, 'shifts'), [3]);
  assert.deepEqual(listOf(null), []);
});

// ---- channels and rules ----------------------------------------------------------------------------

test('secret markers come from KEY_set, never from values', () => {
  assert.deepEqual(secretState({ type: 'dingtalk', token: '••••', token_set: true, secret: null, secret_set: false }), { token: true, secret: false });
  assert.deepEqual(secretState({ type: 'email', password_set: true }), { password: true });
  assert.deepEqual(secretState({ type: 'unknown' }), {});
});

test('a channel body: empty secrets keep the stored one, clear sends null, email lists split', () => {
  const b = channelBody({
    name: ' ops-ding ', title: '', type: 'dingtalk', enabled: true, default: false, url: 'https://oapi.dingtalk.com/robot/send',
    dedup_window: '', rate_max: '', on_limit: 'digest', secrets: { token: { value: '' }, secret: { value: 'SECabc' }, password: { value: 'ignored' } },
  });
  assert.deepEqual(b, { name: 'ops-ding', type: 'dingtalk', enabled: true, default: false, on_limit: 'digest', url: 'https://oapi.dingtalk.com/robot/send', secret: 'SECabc' });
  const c = channelBody({ name: 'mail', type: 'email', host: 'smtp.example.cn', port: '465', security: 'tls', from: 'ops@example.cn', to: 'a@x.cn, b@x.cn\nc@x.cn；d@x.cn', tls_verify: true, rate_max: '5', rate_per: '10m', secrets: { password: { clear: true } } });
  assert.equal(c.port, 465);
  assert.deepEqual(c.to, ['a@x.cn', 'b@x.cn', 'c@x.cn', 'd@x.cn']);
  assert.deepEqual(c.rate_limit, { max: 5, per: '10m' });
  assert.equal(c.password, null);
  assert.ok(!('url' in c));
  const w = channelBody({ name: 'hook', type: 'wecom', url: 'https://qyapi.weixin.qq.com/x', msgtype: 'text', secrets: {} });
  assert.equal(w.msgtype, 'text');
});

test('client-side checks of channels and rules name the field', () => {
  assert.deepEqual(checkChannel({ name: 'ok', type: 'dingtalk', url: 'https://x' }), []);
  assert.deepEqual(checkChannel({ name: 'Bad Name', type: 'dingtalk' }).map((e) => e.field), ['name']);
  assert.deepEqual(checkChannel({ name: 'm', type: 'email', port: 70000 }).map((e) => e.field), ['host', 'from', 'port']);
  assert.deepEqual(checkChannel({ name: 'w', type: 'webhook' }).map((e) => e.field), ['url']);
  assert.deepEqual(checkChannel({ name: 'w', type: 'webhook', url: 'ftp://x' }).map((e) => e.key), ['ops.ch.bad_url']);
  assert.deepEqual(checkChannel({ name: 'w', type: 'fax' }).map((e) => e.field), ['type']);
  assert.deepEqual(checkChannel({ name: 'd', type: 'dingtalk', url: 'http://oapi.example.com/robot/send' }).map((e) => e.key), ['ops.ch.need_https']);
  assert.deepEqual(checkChannel({ name: 'd', type: 'dingtalk', url: 'http://127.0.0.1:8080/robot/send' }), []);
  assert.deepEqual(checkChannel({ name: 'w', type: 'webhook', url: 'http://gateway.internal/hook' }), [], 'a webhook may use http anywhere');
  assert.deepEqual(checkRule({ name: 'r', steps: [{ to: ['assignee'], channels: ['c'] }] }), []);
  assert.deepEqual(checkRule({ name: 'r', steps: [] }).map((e) => e.field), ['steps']);
  assert.deepEqual(checkRule({ name: 'r', steps: [{ to: [], channels: [] }] }).map((e) => e.field), ['steps[0].channels', 'steps[0].to']);
  assert.deepEqual(splitList('role:manager, user:li.lei；duty:lead、x'), ['role:manager', 'user:li.lei', 'duty:lead', 'x']);
  assert.equal(ratePercent(0.987), 98.7);
  assert.equal(ratePercent(null), null);
});

// ---- the quick report ----------------------------------------------------------------------------------

test('the quick report sends title, level and source, the rest when given', async () => {
  const { quickBody } = await import('../../../web/app/ops/quick.js');
  const ok = quickBody({ title: ' 门户无法访问 ', level: '2', source: 'phone', system: '', note: '  ', onsite_needed: false });
  assert.deepEqual(ok.errs, []);
  assert.deepEqual(ok.body, { title: '门户无法访问', level: 2, source: 'phone' });
  const full = quickBody({ title: 't', level: 1, source: 'wechat', system: 'portal', note: 'n', reporter: '王老师 1380000', onsite_needed: true });
  assert.deepEqual(full.body, { title: 't', level: 1, source: 'wechat', system: 'portal', onsite_needed: true, note: 'n', reporter: '王老师 1380000' });
  assert.deepEqual(quickBody({ title: '', level: '', source: '' }).errs.map((e) => e.field), ['title', 'level', 'source']);
});

test('rule steps read as a sentence', async () => {
  const { stepText } = await import('../../../web/app/ops/notify.js');
  const tr = (k, p) => (p ? `${k}(${Object.values(p).join('|')})` : k);
  assert.equal(stepText(tr, { after: '0s', to: ['assignee'], channels: ['ding'] }), 'ops.rule.step_text(ops.rule.at_once|ops.rule.to.assignee|ding)');
  assert.equal(stepText(tr, { after: '15m', to: ['duty:lead', 'role:manager'], channels: ['ding', 'mail'] }),
    'ops.rule.step_text(ops.rule.after(15m)|ops.rule.to.duty_lead、ops.rule.to_role(role.manager)|ding、mail)');
});
