// calendar — the month grid of the maintenance page and which windows fall
// on which day. Pure functions over "YYYY-MM-DD" strings; the zone-dependent
// parts (the day and clock of an instant) are passed in, so the tests need no
// DOM and no particular zone.
//
// The rules follow src/sched/maint.c: a recurring window starts on every
// matching local day at "start" and ends at "end" (the next day when end <=
// start); monthly day 31 has no occurrence in a 30-day month; "last" is the
// last day of every month; from/until bound the occurrences.

import { WEEKDAYS } from './model.js';
import { addDays } from './i18n.js';

export function daysInMonth(year, month) {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
}

export function dayString(year, month, d) {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * The weeks (Monday first, as calendars in China are printed) covering the
 * month: [[{day, inMonth}, … 7], …], 4 to 6 weeks.
 */
export function monthGrid(year, month) {
  const first = dayString(year, month, 1);
  const lead = (weekdayOf(first) + 6) % 7; // days before the 1st back to Monday
  let day = addDays(first, -lead);
  const last = dayString(year, month, daysInMonth(year, month));
  const weeks = [];
  for (;;) {
    const week = [];
    for (let i = 0; i < 7; i++) {
      week.push({ day, inMonth: day.slice(0, 7) === first.slice(0, 7) });
      day = addDays(day, 1);
    }
    weeks.push(week);
    if (day > last) break;
  }
  return weeks;
}

/** Whether a recurring window w has an occurrence starting on day. */
export function recurringMatches(w, day) {
  switch (w.recurrence) {
    case 'daily':
      return true;
    case 'weekly': {
      const want = typeof w.day === 'number' ? w.day : WEEKDAYS.indexOf(String(w.day).toLowerCase());
      return want === weekdayOf(day);
    }
    case 'monthly': {
      const [y, m, d] = day.split('-').map(Number);
      if (w.day === 'last' || w.day === -1) return d === daysInMonth(y, m);
      return d === Number(w.day);
    }
    default:
      return false;
  }
}

/**
 * The occurrences of window w touching each of days: Map day -> [{window,
 * start, end, nextDay, cont}], where start/end are "HH:MM" (null where the
 * occurrence runs on from the day before: cont), nextDay says the end is on
 * the following day. dayOf(iso) and clockOf(iso) give an instant's day and
 * "HH:MM" in the display zone.
 */
export function occurrences(w, days, { dayOf, clockOf }) {
  const out = new Map();
  const add = (day, o) => {
    if (!out.has(day)) out.set(day, []);
    out.get(day).push({ window: w, ...o });
  };
  const want = new Set(days);
  if (w.recurrence === 'once') {
    const s = Date.parse(w.start), e = Date.parse(w.end);
    if (!(s < e)) return out;
    const d0 = dayOf(s), d1 = dayOf(e - 1);
    for (let d = d0, i = 0; d <= d1 && i < 400; d = addDays(d, 1), i++) {
      if (!want.has(d)) continue;
      add(d, {
        start: d === d0 ? clockOf(s) : null,
        end: d === d1 ? clockOf(e) : null,
        nextDay: false,
        cont: d !== d0,
      });
    }
    return out;
  }
  const from = w.from ? Date.parse(w.from) : null;
  const until = w.until ? Date.parse(w.until) : null;
  const fromDay = from !== null ? dayOf(from) : null;
  const untilDay = until !== null ? dayOf(until) : null;
  for (const d of days) {
    if (!recurringMatches(w, d)) continue;
    if (fromDay && d < fromDay) continue;
    // until is exclusive: an occurrence starting on its day counts only when
    // it starts before the until instant.
    if (untilDay && (d > untilDay || (d === untilDay && clockOf(until) <= w.start))) continue;
    add(d, { start: w.start, end: w.end, nextDay: w.end <= w.start, cont: false });
  }
  return out;
}

/** "2026-11" + n months. */
export function shiftMonth(year, month, n) {
  const i = year * 12 + (month - 1) + n;
  return { year: Math.floor(i / 12), month: (i % 12) + 1 };
}
