import { describe, expect, it } from 'vitest';
import { applyRate, divideHalfUp, formatPercent, formatYuan, parseDecimal } from '../src/money.ts';

describe('money', () => {
  it('applies a rate exactly and rounds half up to the fen', () => {
    expect(applyRate(123_456_789n, parseDecimal('0.30'), 'half-up-fen')).toBe(37_037_037n); // 370,370.367 -> .37
    expect(applyRate(5n, parseDecimal('0.5'), 'half-up-fen')).toBe(3n); // 2.5 fen -> 3
    expect(applyRate(5n, parseDecimal('0.5'), 'down-fen')).toBe(2n);
    expect(applyRate(12_345n, parseDecimal('1'), 'half-up-yuan')).toBe(12_300n);
    expect(applyRate(12_350n, parseDecimal('1'), 'half-up-yuan')).toBe(12_400n);
    expect(applyRate(12_399n, parseDecimal('1'), 'down-yuan')).toBe(12_300n);
  });

  it('does not drift where binary floating point would', () => {
    // 45 fen × 0.7 = 31.5 fen -> 32; in binary floating point 45 * 0.7 is 31.499999999999996 -> 31
    expect(applyRate(45n, parseDecimal('0.7'), 'half-up-fen')).toBe(32n);
    expect(Math.round(45 * 0.7)).toBe(31);
  });

  it('rounds negatives away from zero and refuses bad input', () => {
    expect(divideHalfUp(-5n, 2n)).toBe(-3n);
    expect(() => parseDecimal('0,6')).toThrow(/not a decimal/);
  });

  it('formats yuan and percentages for people', () => {
    expect(formatYuan(37_037_037n)).toBe('370,370.37');
    expect(formatYuan(5n)).toBe('0.05');
    expect(formatPercent(parseDecimal('0.60'))).toBe('60%');
    expect(formatPercent(parseDecimal('0.055'))).toBe('5.5%');
    expect(formatPercent(parseDecimal('1'))).toBe('100%');
  });
});
