// period — the time ranges the monitor and system pages offer: the last
// 24 hours, 7 days, 30 days, or chosen dates. Fixed ranges end now; chosen
// dates are whole days in the display zone, the "to" day included (the API's
// to is exclusive, so it gets the day after).

import { h, segmented, field, setFieldError, clearErrors } from '../ui.js';
import { addDays } from '../i18n.js';

export const FIXED = { '24h': 24 * 3600e3, '7d': 7 * 86400e3, '30d': 30 * 86400e3 };

/** {from, to} query values for a fixed period key at now (ms). The end is
 * rounded up to the minute so that redraws within a minute reuse the chart. */
export function fixedRange(key, now = Date.now()) {
  const to = Math.ceil(now / 60e3) * 60e3;
  return { from: new Date(to - FIXED[key]).toISOString(), to: new Date(to).toISOString() };
}

/** {from, to} for chosen days "YYYY-MM-DD" (to included), or an error key. */
export function dayRange(fromDay, toDay, today) {
  const re = /^\d{4}-\d{2}-\d{2}$/;
  if (!re.test(fromDay || '')) return { error: 'from', key: 'period.need_from' };
  if (!re.test(toDay || '')) return { error: 'to', key: 'period.need_to' };
  if (toDay < fromDay) return { error: 'to', key: 'period.to_before_from' };
  if (today && fromDay > today) return { error: 'from', key: 'period.future' };
  const days = (Date.parse(toDay) - Date.parse(fromDay)) / 86400e3 + 1;
  if (days > 400) return { error: 'to', key: 'period.too_long' };
  return { from: fromDay, to: addDays(toDay, 1) };
}

/**
 * The period chooser: buttons for 24 h / 7 d / 30 d / chosen, and the date
 * form for the chosen one. onChange({key, from, to, label}).
 */
export function periodPicker(ctx, { value = '24h', onChange, testid = 'period' }) {
  const { t, fmt } = ctx;
  const today = fmt.dayKey(new Date());
  const fromF = field({ label: t('period.from'), name: 'from', type: 'date', value: addDays(today, -6), attrs: { max: today }, testid: `${testid}-from` });
  const toF = field({ label: t('period.to'), name: 'to', type: 'date', value: today, attrs: { max: today }, testid: `${testid}-to` });
  const form = h('form', { class: 'period-form form-inline', hidden: value !== 'custom', novalidate: true, testid: `${testid}-form` },
    fromF.wrap, toF.wrap, h('button', { type: 'submit', class: 'primary', testid: `${testid}-apply` }, t('period.apply')));
  const labelOf = (key) => t(`period.${key}`);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const r = dayRange(fromF.input.value, toF.input.value, today);
    if (r.error) {
      const w = r.error === 'from' ? fromF.wrap : toF.wrap;
      setFieldError(w, t(r.key));
      w.querySelector('input').focus();
      return;
    }
    onChange({ key: 'custom', from: r.from, to: r.to, label: t('period.range', { from: fmt.formatDate(`${fromF.input.value}T12:00:00Z`), to: fmt.formatDate(`${toF.input.value}T12:00:00Z`) }) });
  });
  const seg = segmented({
    label: t('period.label'),
    value,
    testid,
    options: ['24h', '7d', '30d', 'custom'].map((k) => ({ value: k, label: labelOf(k), testid: `${testid}-${k}` })),
    onChange: (k) => {
      form.hidden = k !== 'custom';
      if (k === 'custom') fromF.input.focus();
      else onChange({ key: k, ...fixedRange(k), label: labelOf(k) });
    },
  });
  return h('div', { class: 'period' }, seg, form);
}
