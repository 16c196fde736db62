// Exact rationals over bigint for the explaining evaluator: numerator / denominator, denominator > 0,
// always reduced. Money, rates, head counts and months are all exact; nothing here is a float.

export interface Rat {
  readonly n: bigint;
  readonly d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b < 0n ? -b : b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

export function rat(n: bigint, d: bigint = 1n): Rat {
  if (d === 0n) throw new RangeError('division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  if (d === 1n) return { n, d };
  const g = gcd(n, d);
  return g === 1n ? { n, d } : { n: n / g, d: d / g };
}

export const add = (a: Rat, b: Rat): Rat => (a.d === b.d && a.d === 1n ? { n: a.n + b.n, d: 1n } : rat(a.n * b.d + b.n * a.d, a.d * b.d));
export const sub = (a: Rat, b: Rat): Rat => (a.d === b.d && a.d === 1n ? { n: a.n - b.n, d: 1n } : rat(a.n * b.d - b.n * a.d, a.d * b.d));
export const mul = (a: Rat, b: Rat): Rat => rat(a.n * b.n, a.d * b.d);
/** undefined when b is zero. */
export const div = (a: Rat, b: Rat): Rat | undefined => (b.n === 0n ? undefined : rat(a.n * b.d, a.d * b.n));
export const cmp = (a: Rat, b: Rat): number => {
  const l = a.n * b.d;
  const r = b.n * a.d;
  return l < r ? -1 : l > r ? 1 : 0;
};
export const neg = (a: Rat): Rat => ({ n: -a.n, d: a.d });

/** Parses "12", "0.055", "-3.5" exactly. */
export function parseRat(text: string): Rat {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`"${text}" is not a decimal number`);
  const frac = m[3] ?? '';
  const units = BigInt(`${m[2]}${frac}`) * (m[1] ? -1n : 1n);
  return rat(units, 10n ** BigInt(frac.length));
}

export type RoundingMode = 'half-up-fen' | 'half-up-yuan' | 'down-fen' | 'down-yuan';

/** Rounds a value in fen to whole fen or whole yuan (returned in fen), half away from zero or toward zero. */
export function roundFen(value: Rat, mode: RoundingMode): bigint {
  const unit = mode.endsWith('yuan') ? 100n : 1n;
  const den = value.d * unit;
  const negative = value.n < 0n;
  const mag = negative ? -value.n : value.n;
  const q = mode.startsWith('half-up') ? (mag * 2n + den) / (den * 2n) : mag / den;
  return (negative ? -q : q) * unit;
}

/** Exact decimal text when the denominator has only factors 2 and 5, else up to `digits` places with ≈. */
export function ratToDecimalText(input: Rat, maxDigits = 6): { text: string; exact: boolean } {
  const value = rat(input.n, input.d);
  const negative = value.n < 0n;
  const mag = negative ? -value.n : value.n;
  let d = value.d;
  let twos = 0;
  let fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  const exact = d === 1n && Math.max(twos, fives) <= maxDigits;
  const digits = exact ? Math.max(twos, fives) : maxDigits;
  const scale = 10n ** BigInt(digits);
  const scaled = exact ? (mag * scale) / value.d : (mag * scale * 2n + value.d) / (value.d * 2n);
  const s = scaled.toString().padStart(digits + 1, '0');
  const whole = s.slice(0, s.length - digits);
  let frac = digits > 0 ? s.slice(s.length - digits) : '';
  if (!exact) frac = frac.replace(/0+$/, '');
  return { text: `${negative ? '-' : ''}${whole}${frac ? `.${frac}` : ''}`, exact };
}
