import { describe, expect, it } from 'vitest';
import { buildIdNumber, checkIdNumber, isValidIdNumber, maskAccount, maskIdNumber } from '../src/subjects/id-number.ts';
import { buildUscc, checkUscc, isValidUscc, maskUscc, organisationCheckCharacter, USCC_ALPHABET } from '../src/subjects/uscc.ts';

describe('统一社会信用代码 (GB 32100-2015)', () => {
  it("accepts the standard's own example", () => {
    expect(checkUscc('91350100M000100Y43')).toBeUndefined();
  });

  it('rejects every single-character corruption of the example', () => {
    const valid = '91350100M000100Y43';
    for (let i = 0; i < valid.length; i++) {
      for (const c of USCC_ALPHABET) {
        if (c === valid[i]) continue;
        const corrupted = valid.slice(0, i) + c + valid.slice(i + 1);
        expect(isValidUscc(corrupted), corrupted).toBe(false);
      }
    }
  });

  it('names the reason: length, forbidden letter, organisation check, final check', () => {
    expect(checkUscc('91350100M000100Y4')?.reason).toBe('length');
    expect(checkUscc('91350100M000100I43')).toMatchObject({ reason: 'character', position: 16 });
    expect(checkUscc('91350100M000100Y53')?.reason).toBe('organisation-check');
    expect(checkUscc('91350100M000100Y44')).toMatchObject({ reason: 'check', expected: '3' });
  });

  it('builds valid codes and computes the GB 11714 organisation check', () => {
    expect(organisationCheckCharacter('M000100Y')).toBe('4');
    const code = buildUscc('9', '1', '440305', 'MA5F0K3B');
    expect(isValidUscc(code)).toBe(true);
    expect(maskUscc(code)).toBe(`${code.slice(0, 6)}********${code.slice(14)}`);
    expect(maskUscc(code)).not.toContain('MA5F');
  });
});

describe('公民身份号码 (GB 11643-1999)', () => {
  it("accepts the standard's own example and masks it", () => {
    expect(checkIdNumber('11010519491231002X')).toBeUndefined();
    expect(maskIdNumber('11010519491231002X')).toBe('110105********002X');
  });

  it('rejects single-digit corruptions, bad dates and wrong check characters', () => {
    const valid = '11010519491231002X';
    for (let i = 0; i < 17; i++) {
      const digit = String((Number(valid[i]) + 1) % 10);
      expect(isValidIdNumber(valid.slice(0, i) + digit + valid.slice(i + 1))).toBe(false);
    }
    expect(checkIdNumber('110105194902300021')?.reason).toBe('birth-date');
    expect(checkIdNumber('110105194912310021')).toMatchObject({ reason: 'check', expected: 'X' });
    expect(checkIdNumber('1101051949123100')?.reason).toBe('length');
  });

  it('builds valid numbers', () => {
    expect(isValidIdNumber(buildIdNumber('440305', '19800101', '123'))).toBe(true);
  });

  it('masks bank accounts to their last four digits', () => {
    expect(maskAccount('4000123456785678')).toBe('************5678');
  });
});
