// Chinese display of runtime values: money as "12,345.00 元", rates as "60%", dates as ISO dates.
import { codeName } from '../../dictionary/codes.ts';
import type { Val } from './ir.ts';
import { dayToIso } from './parser.ts';
import { ratToDecimalText, type Rat } from './rational.ts';
import { unitLabel, type Type } from './types.ts';

function groupThousands(text: string): string {
  const [whole = '', frac] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${text.startsWith('-') ? '-' : ''}${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}

export function formatNumber(r: Rat, ty: Type & { k: 'num' }): string {
  const u = ty.unit;
  const fenPower = u.fen ?? 0;
  if (fenPower === 1) {
    // money (possibly per person): show yuan with at least two decimals
    const yuan = { n: r.n, d: r.d * 100n };
    const { text, exact } = ratToDecimalText(yuan, 4);
    const [w, f = ''] = text.split('.');
    const padded = `${w}.${f.padEnd(2, '0')}`;
    const rest: Record<string, number> = { ...u };
    delete rest.fen;
    const per = Object.keys(rest).length ? `/${unitLabel(Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, -v])))}` : '';
    return `${exact ? '' : '约'}${groupThousands(padded)} 元${per}`;
  }
  if (Object.keys(u).length === 0) {
    if (ty.pct) {
      const { text, exact } = ratToDecimalText({ n: r.n * 100n, d: r.d }, 2);
      return `${exact ? '' : '约'}${text}%`;
    }
    const { text, exact } = ratToDecimalText(r, 4);
    return `${exact ? '' : '约'}${text}`;
  }
  const { text, exact } = ratToDecimalText(r, 2);
  return `${exact ? '' : '约'}${groupThousands(text)}${unitLabel(u)}`;
}

/**
 * A value as plain text, for a value whose type gives it no richer form. A number is written as its
 * decimal, never as String()'s "[object Object]" of the rational it is held as.
 */
export function plainVal(v: Val): string {
  if (v === null) return '无';
  return typeof v === 'object' ? ratToDecimalText(v).text : String(v);
}

export function formatVal(v: Val, ty: Type): string {
  if (v === null) return '无';
  switch (ty.k) {
    case 'num':
      return typeof v === 'object' ? formatNumber(v, ty) : String(v);
    case 'bool':
      return v === true ? '是' : '否';
    case 'date':
      return typeof v === 'number' ? dayToIso(v) : plainVal(v);
    case 'code':
      return typeof v === 'string' ? `${v}（${codeName(ty.list, v)}）` : plainVal(v);
    case 'enum':
    case 'text':
    case 'list':
      return plainVal(v);
  }
}
