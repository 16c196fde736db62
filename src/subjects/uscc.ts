// 统一社会信用代码 (unified social credit code), GB 32100-2015.
// 18 characters: registration authority, organisation type, 6-digit division code (GB/T 2260),
// 9-character organisation code (GB 11714, with its own check character), and a check character.

export const USCC_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
import { AppError } from '../errors.ts';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];
const ORG_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export type UsccProblem =
  | { reason: 'length'; message: string }
  | { reason: 'character'; position: number; message: string }
  | { reason: 'organisation-check'; message: string }
  | { reason: 'check'; expected: string; message: string };

/** The check character for the first 17 characters, or undefined if one is not in the alphabet. */
function usccCheckCharacter(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = USCC_ALPHABET.indexOf(first17[i] ?? '');
    if (value < 0) return undefined;
    sum += value * (USCC_WEIGHTS[i] ?? 0);
  }
  return USCC_ALPHABET[(31 - (sum % 31)) % 31];
}

/** The GB 11714 check character for an 8-character organisation code body. */
export function organisationCheckCharacter(body8: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 8; i++) {
    const value = ORG_ALPHABET.indexOf(body8[i] ?? '');
    if (value < 0) return undefined;
    sum += value * (ORG_WEIGHTS[i] ?? 0);
  }
  const check = 11 - (sum % 11);
  return check === 10 ? 'X' : check === 11 ? '0' : String(check);
}

/** Returns the problem with a code, or undefined if it is valid. Upper-case input is expected. */
export function checkUscc(code: string): UsccProblem | undefined {
  if (code.length !== 18) {
    return { reason: 'length', message: `统一社会信用代码应为18位，实际为${code.length}位` };
  }
  for (let i = 0; i < 18; i++) {
    if (!USCC_ALPHABET.includes(code[i] as string)) {
      return {
        reason: 'character',
        position: i + 1,
        message: `第${i + 1}位字符“${code[i]}”不在GB 32100-2015字符集中（不使用I、O、S、V、Z）`,
      };
    }
  }
  const orgCheck = organisationCheckCharacter(code.slice(8, 16));
  if (orgCheck !== code[16]) {
    return { reason: 'organisation-check', message: `组织机构代码（第9-17位）校验码应为${orgCheck}，实际为${code[16]}` };
  }
  const expected = usccCheckCharacter(code.slice(0, 17)) as string;
  if (expected !== code[17]) {
    return { reason: 'check', expected, message: `校验码（第18位）应为${expected}，实际为${code[17]}` };
  }
  return undefined;
}

export function isValidUscc(code: string): boolean {
  return checkUscc(code) === undefined;
}

/**
 * Builds a valid code from its parts; the organisation body is 8 characters of the organisation-code
 * alphabet restricted to the USCC alphabet so that the whole code stays valid.
 */
export function buildUscc(authority: string, orgType: string, division: string, orgBody8: string): string {
  const orgCheck = organisationCheckCharacter(orgBody8);
  if (orgCheck === undefined) throw new AppError('ARGUMENT_INVALID', `organisation body "${orgBody8}" is not 8 valid characters`);
  const first17 = `${authority}${orgType}${division}${orgBody8}${orgCheck}`;
  const check = usccCheckCharacter(first17);
  if (first17.length !== 17 || check === undefined) {
    throw new AppError('ARGUMENT_INVALID', `cannot build a 统一社会信用代码 from "${first17}"`);
  }
  return first17 + check;
}

/** 91440300MA5F0XXXX3 -> 914403********XXX3: keeps the region and the last four for recognition. */
export function maskUscc(code: string): string {
  if (code.length !== 18) return '*'.repeat(code.length);
  return `${code.slice(0, 6)}********${code.slice(14)}`;
}
