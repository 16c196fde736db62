// Working days (工作日) on the official calendar: the State Council's yearly notice of public holidays
// with its 调休 make-up days (a Saturday or Sunday that is a working day), as published in the
// `chinese-days` package. Periods in working days — a 公示 of 5 working days, a 10-working-day limit
// for a stage — are counted with it. A year the package does not know yet is refused, never counted
// as plain Monday-to-Friday: the notice for a year comes out late in the year before, and guessing
// would end a 公示 on a holiday. Dates are ISO 'YYYY-MM-DD' (China's calendar day); nothing here reads
// a clock.
import chineseDays from 'chinese-days';
import { AppError } from '../errors.ts';

const known = new Map<number, boolean>();

/** True when the package holds the year's holiday notice (every year has 元旦, so it lists holidays). */
function yearKnown(year: number): boolean {
  let held = known.get(year);
  if (held === undefined) {
    held = chineseDays.getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    known.set(year, held);
  }
  return held;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkedDate(date: string): string {
  const m = ISO_DATE.exec(date);
  const parsed = m ? new Date(`${date}T00:00:00Z`) : null;
  if (!m || !parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) {
    throw new AppError('ARGUMENT_INVALID', `"${date}" is not a calendar date; write it as YYYY-MM-DD, e.g. 2025-09-26.`);
  }
  const year = Number(m[1]);
  if (!yearKnown(year)) {
    throw new AppError('CALENDAR_YEAR_UNKNOWN', `The official holiday calendar for ${year} is not known to this system (chinese-days holds the State Council's notices up to the latest year it ships), so working days in ${year} cannot be counted. Update the chinese-days package once the notice for ${year} is published, then retry.`, { year });
  }
  return date;
}

function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** A working day: Monday to Friday unless a public holiday, or a weekend day made a working day (调休). */
export function isWorkingDay(date: string): boolean {
  return chineseDays.isWorkday(checkedDate(date));
}

/**
 * The last day of a period of `workingDays` working days that starts on `from`. As 民法典 第二百零一条
 * counts periods in days, the starting day itself is not counted: the count begins the next day.
 * Returns the days counted, in order, so a notice can show them.
 */
export function workingDayPeriod(from: string, workingDays: number): { endsOn: string; counted: string[] } {
  if (!Number.isInteger(workingDays) || workingDays < 1 || workingDays > 366) {
    throw new AppError('ARGUMENT_INVALID', `A period of ${workingDays} working days cannot be counted; give a whole number from 1 to 366.`);
  }
  let day = checkedDate(from);
  const counted: string[] = [];
  while (counted.length < workingDays) {
    day = nextDay(day);
    if (isWorkingDay(day)) counted.push(day);
  }
  return { endsOn: counted[counted.length - 1]!, counted };
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(from: string, to: string): number {
  let day = checkedDate(from);
  checkedDate(to);
  let n = 0;
  while (day < to) {
    day = nextDay(day);
    if (isWorkingDay(day)) n++;
  }
  return n;
}

const CHINA_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });

/** The calendar day (YYYY-MM-DD) a moment falls on in China, where the working-day calendar applies. */
export function chinaDay(at: Date): string {
  return CHINA_DAY.format(at);
}
