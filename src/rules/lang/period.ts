// Periods are explicit: a year ("2024"), a month ("2025-03") or a day ("2023-08-01"). Nothing here reads
// a clock. `dataYear` is the year whose data a point reads (policy year + the point's data-year offset).
import { dayNumber, dayToIso } from './parser.ts';

export interface Period {
  readonly kind: 'year' | 'month' | 'day';
  readonly text: string;
  readonly start: number; // day number, inclusive
  readonly end: number; // day number, inclusive
  readonly year: number;
}

export class PeriodError extends Error {}

export function parsePeriod(text: string): Period {
  const t = text.trim();
  let m = /^(\d{4})$/.exec(t);
  if (m) {
    const y = Number(m[1]);
    const start = dayNumber(y, 1, 1);
    const end = dayNumber(y, 12, 31);
    if (start === undefined || end === undefined) throw new PeriodError(`invalid year '${text}'`);
    return { kind: 'year', text: t, start, end, year: y };
  }
  m = /^(\d{4})-(\d{2})$/.exec(t);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const start = dayNumber(y, mo, 1);
    const next = mo === 12 ? dayNumber(y + 1, 1, 1) : dayNumber(y, mo + 1, 1);
    if (start === undefined || next === undefined) throw new PeriodError(`invalid month '${text}'`);
    return { kind: 'month', text: t, start, end: next - 1, year: y };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) {
    const d = dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
    if (d === undefined) throw new PeriodError(`invalid date '${text}'`);
    return { kind: 'day', text: t, start: d, end: d, year: Number(m[1]) };
  }
  throw new PeriodError(`'${text}' is not a period; write a year (2024), a month (2025-03) or a day (2023-08-01)`);
}

export function periodLabel(p: Period): string {
  if (p.kind === 'year') return `${p.year}年度`;
  if (p.kind === 'month') return `${p.text.slice(0, 4)}年${Number(p.text.slice(5, 7))}月`;
  return dayToIso(p.start);
}

/** Civil date parts of a day number. */
function civil(day: number): { y: number; m: number; d: number } {
  const dt = new Date(day * 86_400_000);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

/** Whole years from a to b (age on b for a birth date a). */
export function fullYears(a: number, b: number): number {
  const x = civil(a);
  const y = civil(b);
  return y.y - x.y - (y.m < x.m || (y.m === x.m && y.d < x.d) ? 1 : 0);
}

export function fullMonths(a: number, b: number): number {
  const x = civil(a);
  const y = civil(b);
  return (y.y - x.y) * 12 + (y.m - x.m) - (y.d < x.d ? 1 : 0);
}

/** Adds months, clamping the day to the end of the target month. */
export function addMonths(day: number, n: number): number {
  const { y, m, d } = civil(day);
  const idx = y * 12 + (m - 1) + n;
  const ty = Math.floor(idx / 12);
  const tm = idx - ty * 12 + 1;
  const last = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  return Date.UTC(ty, tm - 1, Math.min(d, last)) / 86_400_000;
}

export function yearStart(y: number): number {
  return Date.UTC(y, 0, 1) / 86_400_000;
}
export function yearEnd(y: number): number {
  return Date.UTC(y, 11, 31) / 86_400_000;
}
