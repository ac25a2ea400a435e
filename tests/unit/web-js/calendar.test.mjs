// calendar: the month grid and which windows fall on which day.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { monthGrid, daysInMonth, weekdayOf, recurringMatches, occurrences, shiftMonth } from '../../../web/app/calendar.js';
import { createI18n } from '../../../web/app/i18n.js';

const fmt = createI18n({ lang: 'zh-CN' });
const zone = { dayOf: (x) => fmt.dayKey(x), clockOf: (x) => fmt.clockKey(x) };

test('days in month and weekdays', () => {
  assert.equal(daysInMonth(2026, 2), 28);
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2026, 12), 31);
  assert.equal(weekdayOf('2026-11-29'), 0); // a Sunday
  assert.equal(weekdayOf('2026-11-26'), 4);
});

test('month grid: Monday first, whole weeks', () => {
  const g = monthGrid(2026, 11); // 1 Nov 2026 is a Sunday
  assert.equal(g[0][0].day, '2026-10-26');
  assert.equal(g[0][6].day, '2026-11-01');
  assert.equal(g[0][6].inMonth, true);
  assert.equal(g[0][0].inMonth, false);
  assert.equal(g.at(-1).at(-1).day, '2026-12-06');
  assert.equal(g.length, 6);
  assert.ok(g.every((w) => w.length === 7));
  const feb = monthGrid(2027, 2); // 1 Feb 2027 is a Monday, 28 days: 4 weeks exactly
  assert.equal(feb.length, 4);
  assert.equal(feb[0][0].day, '2027-02-01');
});

test('recurrence rules', () => {
  assert.equal(recurringMatches({ recurrence: 'daily' }, '2026-11-26'), true);
  assert.equal(recurringMatches({ recurrence: 'weekly', day: 'sunday' }, '2026-11-29'), true);
  assert.equal(recurringMatches({ recurrence: 'weekly', day: 'Sunday' }, '2026-11-28'), false);
  assert.equal(recurringMatches({ recurrence: 'monthly', day: 31 }, '2026-11-30'), false); // no 31st: no occurrence
  assert.equal(recurringMatches({ recurrence: 'monthly', day: 'last' }, '2026-11-30'), true);
  assert.equal(recurringMatches({ recurrence: 'monthly', day: 'last' }, '2026-02-28'), true);
  assert.equal(recurringMatches({ recurrence: 'monthly', day: 15 }, '2026-02-15'), true);
  assert.equal(recurringMatches({ recurrence: 'once' }, '2026-02-15'), false);
});

test('a weekly window falls on its Sundays within from/until', () => {
  const g = monthGrid(2026, 11).flat().map((d) => d.day);
  const w = { recurrence: 'weekly', day: 'sunday', start: '02:00', end: '04:00', from: '2026-11-08T00:00:00+08:00', until: '2026-11-29T03:00:00+08:00' };
  const occ = occurrences(w, g, zone);
  // Sundays: 1, 8, 15, 22, 29 Nov, 6 Dec. From the 8th; until 03:00 on the
  // 29th is after the 02:00 start, so the 29th counts.
  assert.deepEqual([...occ.keys()], ['2026-11-08', '2026-11-15', '2026-11-22', '2026-11-29']);
  assert.deepEqual(occ.get('2026-11-08')[0].start, '02:00');
  const w2 = { ...w, until: '2026-11-29T00:00:00+08:00' };
  assert.deepEqual([...occurrences(w2, g, zone).keys()], ['2026-11-08', '2026-11-15', '2026-11-22']);
});

test('a window over midnight is marked next day', () => {
  const occ = occurrences({ recurrence: 'daily', start: '23:00', end: '01:00' }, ['2026-11-26'], zone);
  assert.equal(occ.get('2026-11-26')[0].nextDay, true);
});

test('a one-off window spans the days it touches, in the display zone', () => {
  const days = monthGrid(2026, 11).flat().map((d) => d.day);
  // 16:00 UTC on the 25th is midnight on the 26th in Shanghai.
  const w = { recurrence: 'once', start: '2026-11-25T22:00:00+08:00', end: '2026-11-27T02:00:00+08:00' };
  const occ = occurrences(w, days, zone);
  assert.deepEqual([...occ.keys()], ['2026-11-25', '2026-11-26', '2026-11-27']);
  assert.deepEqual(occ.get('2026-11-25')[0], { window: w, start: '22:00', end: null, nextDay: false, cont: false });
  assert.deepEqual(occ.get('2026-11-26')[0].cont, true);
  assert.equal(occ.get('2026-11-27')[0].end, '02:00');
  // Ending exactly at midnight does not touch the next day.
  const w2 = { recurrence: 'once', start: '2026-11-25T22:00:00+08:00', end: '2026-11-26T00:00:00+08:00' };
  assert.deepEqual([...occurrences(w2, days, zone).keys()], ['2026-11-25']);
  // Backwards or broken windows show nothing.
  assert.equal(occurrences({ recurrence: 'once', start: 'x', end: 'y' }, days, zone).size, 0);
});

test('shiftMonth', () => {
  assert.deepEqual(shiftMonth(2026, 12, 1), { year: 2027, month: 1 });
  assert.deepEqual(shiftMonth(2026, 1, -1), { year: 2025, month: 12 });
  assert.deepEqual(shiftMonth(2026, 6, 0), { year: 2026, month: 6 });
});
