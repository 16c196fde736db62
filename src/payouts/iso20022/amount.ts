// Amounts in ISO 20022 messages are decimal yuan ("1234.50"); ours are integer fen. Both directions
// are exact string/bigint arithmetic: no Number ever holds an amount.
import { AppError } from '../../errors.ts';

/** 123450n -> "1234.50" (two decimals always; amounts paid out are never negative). */
export function fenToDecimal(fen: bigint): string {
  if (fen < 0n) throw new AppError('ARGUMENT_INVALID', `A payment amount cannot be negative (${fen} fen).`);
  return `${fen / 100n}.${(fen % 100n).toString().padStart(2, '0')}`;
}

// ISO ActiveOrHistoricCurrencyAndAmount: up to 18 digits, at most 5 of them fractional. CNY has 2
// minor units, so a third non-zero decimal is not a CNY amount and refuses the file.
const AMOUNT = /^(\d{1,18})(?:\.(\d{1,5}))?$/;

/** "1234.5" -> 123450n; refuses anything that is not an exact amount in fen. */
export function decimalToFen(value: string, where: string): bigint {
  const match = AMOUNT.exec(value.trim());
  if (!match) throw new AppError('REPORT_MALFORMED', `${where}: "${value}" is not an amount (digits with at most 5 decimals). The file changed nothing.`, { where });
  const [, whole, fraction = ''] = match;
  if (/[1-9]/.test(fraction.slice(2))) {
    throw new AppError('REPORT_MALFORMED', `${where}: "${value}" has fractions of a fen; CNY amounts have at most 2 decimals. The file changed nothing.`, { where });
  }
  return BigInt(whole!) * 100n + BigInt(fraction.slice(0, 2).padEnd(2, '0'));
}
