// Turns one raw feed record into facts, or into the list of what is wrong with it. Pure.
import { checkIdNumber, maskIdNumber } from '../subjects/id-number.ts';
import { checkUscc, maskUscc } from '../subjects/uscc.ts';
import type { ColumnMapping, FeedMapping } from './mappings.ts';
import type { RawRecord } from './parse.ts';

export type FactValue = string | number | boolean | null;

export interface ValidRow {
  subjectKey: string;
  period: string;
  facts: Record<string, FactValue>;
  name?: string;
  regionCode?: string;
}

export interface Rejection {
  rowNo: number;
  field: string;
  /** As received, masked if it is personal data. */
  value: string;
  reason: string;
}

const TRUE = new Set(['是', 'true', 'TRUE', 'True', '1', 'Y', 'y']);
const FALSE = new Set(['否', 'false', 'FALSE', 'False', '0', 'N', 'n']);
const YUAN = /^-?\d+(\.\d{1,2})?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const REGION = /^\d{6}$/;
const INDUSTRY = /^[A-T](\d{2}(\d{1,2})?)?$/;

function cell(record: RawRecord, column: string): string {
  const value = record[column];
  return value === undefined || value === null ? '' : String(value).trim();
}

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Converts one non-empty cell, or returns the reason it cannot be converted. */
export function convertCell(text: string, mapping: ColumnMapping): { value: FactValue } | { reason: string } {
  const type = mapping.type;
  switch (type.kind) {
    case 'text':
      return { value: text };
    case 'int':
      return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? { value: Number(text) } : { reason: 'expected a whole number ≥ 0' };
    case 'yuan': {
      const normalised = text.replace(/,/g, '');
      if (!YUAN.test(normalised)) return { reason: 'expected an amount in 元 with at most 2 decimals, e.g. 12345.67' };
      const [whole, fraction = ''] = normalised.replace('-', '').split('.');
      const fen = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
      if (normalised.startsWith('-')) return { reason: 'expected an amount ≥ 0' };
      // Fen are stored as JSON numbers while exact (below 2^53 fen, about 90 trillion 元), else as a string.
      return { value: fen <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(fen) : fen.toString() };
    }
    case 'bool':
      if (TRUE.has(text)) return { value: true };
      if (FALSE.has(text)) return { value: false };
      return { reason: 'expected 是/否 (or true/false, 1/0, Y/N)' };
    case 'date':
      return isRealDate(text) ? { value: text } : { reason: 'expected a real date as YYYY-MM-DD' };
    case 'enum':
      return type.values.includes(text) ? { value: text } : { reason: `expected one of ${type.values.join('、')}` };
    case 'uscc': {
      const problem = checkUscc(text.toUpperCase());
      return problem ? { reason: `expected a valid 统一社会信用代码: ${problem.message}` } : { value: text.toUpperCase() };
    }
    case 'code':
      if (type.list === 'region') return REGION.test(text) ? { value: text } : { reason: 'expected a 6-digit GB/T 2260 division code, e.g. 440305' };
      return INDUSTRY.test(text) ? { value: text } : { reason: 'expected a GB/T 4754-2017 code: a section letter A-T and 2-4 digits, e.g. C3911' };
  }
}

function maskFor(mapping: FeedMapping, column: string, value: string): string {
  if (column === mapping.keyColumn) return mapping.subject === 'person' ? maskIdNumber(value) : value;
  const spec = mapping.columns.find((c) => c.column === column);
  if (spec?.personal) return value.length <= 1 ? '*' : `${value[0]}${'*'.repeat(Math.min(value.length - 1, 6))}`;
  return value;
}

export function validateRecord(mapping: FeedMapping, rowNo: number, record: RawRecord): { row: ValidRow } | { rejections: Rejection[] } {
  const rejections: Rejection[] = [];
  const reject = (field: string, raw: string, reason: string) => rejections.push({ rowNo, field, value: maskFor(mapping, field, raw), reason });

  const key = cell(record, mapping.keyColumn).toUpperCase();
  if (key === '') reject(mapping.keyColumn, '', 'missing subject identifier');
  else {
    const problem = mapping.subject === 'enterprise' ? checkUscc(key) : checkIdNumber(key);
    if (problem) reject(mapping.keyColumn, key, problem.message);
  }

  let period = 'current';
  if (mapping.period.kind !== 'current') {
    const raw = cell(record, mapping.period.column);
    const pattern = mapping.period.kind === 'year' ? /^\d{4}$/ : /^\d{4}-(0[1-9]|1[0-2])$/;
    if (!pattern.test(raw)) reject(mapping.period.column, raw, mapping.period.kind === 'year' ? 'expected a year as YYYY' : 'expected a month as YYYY-MM');
    period = raw;
  }

  const facts: Record<string, FactValue> = {};
  const extras: Record<string, string> = {};
  for (const column of mapping.columns) {
    const raw = cell(record, column.column);
    if (raw === '') {
      if (column.required) reject(column.column, '', 'required value is empty');
      else if (column.fact) facts[column.fact] = null;
      continue;
    }
    const converted = convertCell(raw, column);
    if ('reason' in converted) reject(column.column, raw, converted.reason);
    else if (column.fact) facts[column.fact] = converted.value;
    else extras[column.column] = raw;
  }

  if (rejections.length > 0) return { rejections };
  // The population register carries the birth date inside the 公民身份号码 (digits 7-14).
  if (mapping.subject === 'person' && mapping.registers) facts.birthDate = `${key.slice(6, 10)}-${key.slice(10, 12)}-${key.slice(12, 14)}`;
  const row: ValidRow = { subjectKey: key, period, facts };
  if (mapping.registers) {
    row.name = extras[mapping.registers.nameColumn] ?? cell(record, mapping.registers.nameColumn);
    row.regionCode = cell(record, mapping.registers.regionColumn);
  }
  return { row };
}

export function maskSubjectKey(mapping: FeedMapping, key: string): string {
  return mapping.subject === 'person' ? maskIdNumber(key) : maskUscc(key);
}
