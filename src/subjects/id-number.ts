// 公民身份号码, GB 11643-1999: 6-digit address code, 8-digit birth date, 3-digit sequence (odd = male),
// check character. Personal data: it is masked wherever it is shown or logged.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
import { AppError } from '../errors.ts';
const CHECKS = '10X98765432';

export type IdNumberProblem =
  | { reason: 'length' | 'character' | 'birth-date'; message: string }
  | { reason: 'check'; expected: string; message: string };

function idCheckCharacter(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECKS[sum % 11];
}

export function checkIdNumber(id: string): IdNumberProblem | undefined {
  if (id.length !== 18) return { reason: 'length', message: `公民身份号码应为18位，实际为${id.length}位` };
  if (!/^\d{17}[\dX]$/.test(id)) {
    return { reason: 'character', message: '公民身份号码前17位应为数字，第18位为数字或X' };
  }
  const year = Number(id.slice(6, 10));
  const month = Number(id.slice(10, 12));
  const day = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1850 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) {
    return { reason: 'birth-date', message: `出生日期“${id.slice(6, 14)}”不是有效日期` };
  }
  const expected = idCheckCharacter(id.slice(0, 17)) as string;
  if (expected !== id[17]) {
    return { reason: 'check', expected, message: `校验码（第18位）应为${expected}，实际为${id[17]}` };
  }
  return undefined;
}

export function isValidIdNumber(id: string): boolean {
  return checkIdNumber(id) === undefined;
}

export function buildIdNumber(address6: string, birth8: string, sequence3: string): string {
  const first17 = `${address6}${birth8}${sequence3}`;
  const check = idCheckCharacter(first17);
  if (check === undefined) throw new AppError('ARGUMENT_INVALID', `cannot build a 公民身份号码 from "${first17}"`);
  return first17 + check;
}

/** 11010519491231002X -> 110105********002X */
export function maskIdNumber(id: string): string {
  if (id.length !== 18) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}********${id.slice(14)}`;
}

/** 张三丰 -> 张**: a person's name on a list or a notice keeps its first character only. */
export function maskPersonName(name: string): string {
  return `${name.slice(0, 1)}${'*'.repeat(Math.max(1, name.length - 1))}`;
}

/** Bank account numbers keep their last four digits. */
export function maskAccount(account: string): string {
  return account.length <= 4 ? '****' : `${'*'.repeat(Math.min(account.length - 4, 12))}${account.slice(-4)}`;
}
