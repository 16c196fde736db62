// Calendar arithmetic on day numbers (days since 1970-01-01, UTC) without Date objects: the
// generator formats millions of dates, so these are plain integer functions.
import { AppError } from '../errors.ts';

/** Day number of a civil date (Howard Hinnant's days_from_civil). */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** [year, month, day] of a day number (civil_from_days). */
function civil(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** YYYY-MM-DD */
export function isoDate(days: number): string {
  const [y, m, d] = civil(days);
  return `${y}-${two(m)}-${two(d)}`;
}

/** YYYYMMDD, as in a 公民身份号码 */
export function compactDate(days: number): string {
  const [y, m, d] = civil(days);
  return `${y}${two(m)}${two(d)}`;
}

export function parseIsoDate(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) throw new AppError('ARGUMENT_INVALID', `not a YYYY-MM-DD date: ${text}`);
  return dayNumber(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function daysInYear(year: number): number {
  return dayNumber(year + 1, 1, 1) - dayNumber(year, 1, 1);
}

/** 元 with two decimals from integer 分: 123456789 -> "1234567.89". Exact for safe integers. */
export function fenToYuan(fen: number): string {
  const cents = fen % 100;
  return `${(fen - cents) / 100}.${cents < 10 ? `0${cents}` : cents}`;
}
