// Money is integer fen (分) held in a bigint: never a binary float. Rates are exact decimals given as
// strings ("0.6", "0.055") and applied with an explicit rounding rule that is recorded with the amount.

export type Rounding = 'half-up-fen' | 'half-up-yuan' | 'down-fen' | 'down-yuan';
import { AppError } from './errors.ts';

export const roundingLabels: Record<Rounding, string> = {
  'half-up-fen': '四舍五入到分',
  'half-up-yuan': '四舍五入到元',
  'down-fen': '舍去分以下',
  'down-yuan': '舍去元以下',
};

/** A decimal as an exact fraction numerator / 10^scale. */
export interface Decimal {
  readonly units: bigint;
  readonly scale: number;
}

const DECIMAL_PATTERN = /^(-)?(\d+)(?:\.(\d+))?$/;

export function parseDecimal(text: string): Decimal {
  const match = DECIMAL_PATTERN.exec(text.trim());
  if (!match) throw new AppError('ARGUMENT_INVALID', `"${text}" is not a decimal number; write it like 0.6 or 12345.67`);
  const [, sign, whole, fraction = ''] = match;
  const units = BigInt(`${whole}${fraction}`) * (sign ? -1n : 1n);
  return { units, scale: fraction.length };
}

function decimalToString(value: Decimal): string {
  const negative = value.units < 0n;
  const digits = (negative ? -value.units : value.units).toString().padStart(value.scale + 1, '0');
  const whole = digits.slice(0, digits.length - value.scale);
  const fraction = digits.slice(digits.length - value.scale);
  return `${negative ? '-' : ''}${whole}${value.scale > 0 ? `.${fraction}` : ''}`;
}

/** Divides numerator by a positive denominator, rounding half away from zero (四舍五入). */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new AppError('ARGUMENT_INVALID', 'denominator must be positive');
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const quotient = (magnitude * 2n + denominator) / (denominator * 2n);
  return negative ? -quotient : quotient;
}

function divideDown(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new AppError('ARGUMENT_INVALID', 'denominator must be positive');
  return numerator / denominator;
}

/** fen × rate, rounded as the policy states. */
export function applyRate(fen: bigint, rate: Decimal, rounding: Rounding): bigint {
  const scaleFactor = 10n ** BigInt(rate.scale);
  const exact = fen * rate.units; // in fen × 10^scale
  switch (rounding) {
    case 'half-up-fen':
      return divideHalfUp(exact, scaleFactor);
    case 'down-fen':
      return divideDown(exact, scaleFactor);
    case 'half-up-yuan':
      return divideHalfUp(exact, scaleFactor * 100n) * 100n;
    case 'down-yuan':
      return divideDown(exact, scaleFactor * 100n) * 100n;
  }
}

/** 12345678n -> "123,456.78" */
export function formatYuan(fen: bigint): string {
  const negative = fen < 0n;
  const magnitude = negative ? -fen : fen;
  const yuan = (magnitude / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (magnitude % 100n).toString().padStart(2, '0');
  return `${negative ? '-' : ''}${yuan}.${cents}`;
}

/** Percent text for a rate, exact: 0.6 -> "60%", 0.055 -> "5.5%". */
export function formatPercent(rate: Decimal): string {
  const text = decimalToString({ units: rate.units * 100n, scale: rate.scale });
  return `${text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text}%`;
}
