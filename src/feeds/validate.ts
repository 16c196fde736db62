// Turns one raw feed record into facts, or into the list of what is wrong with it; checks a file's
// header against its mapping. Pure.
import { FACTS, type FactDef, type FactRange } from '../dictionary/facts.ts';
import { checkIdNumber, maskAccount, maskIdNumber } from '../subjects/id-number.ts';
import { checkUscc } from '../subjects/uscc.ts';
import type { ColumnMapping, FeedMapping } from './mappings.ts';
import type { RawRecord } from './parse.ts';

export type FactValue = string | number | boolean | null;

export interface ValidRow {
  subjectKey: string;
  period: string;
  facts: Record<string, FactValue>;
  name?: string;
  regionCode?: string;
  /** The row's effective date (mapping.effectiveColumn), when given. */
  effectiveDate?: string;
  /** The value that tells rows of one subject and period apart (mapping.rowsPerPeriod), else ''. */
  part?: string;
  /** Person feeds, after protectRow: the 公民身份号码 SM4-encrypted, and masked for display. */
  idEnc?: string;
  idMasked?: string;
}

export interface Rejection {
  rowNo: number;
  field: string;
  /** As received, masked if it is personal data. */
  value: string;
  reason: string;
}

export interface ValidateOptions {
  /** The import's as-of date: dates that cannot lie in the future (birth, death) may not be later. */
  asOf?: string;
}

const TRUE = new Set(['是', 'true', 'TRUE', 'True', '1', 'Y', 'y']);
const FALSE = new Set(['否', 'false', 'FALSE', 'False', '0', 'N', 'n']);
const YUAN = /^-?\d+(\.\d{1,2})?$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const REGION = /^\d{6}$/;
const INDUSTRY = /^[A-T](\d{2}(\d{1,2})?)?$/;

const FACT_BY_NAME = new Map<string, FactDef>(FACTS.map((f) => [f.name, f]));

/** The dictionary range of the fact a column fills, if any. */
function rangeOf(column: ColumnMapping): FactRange | undefined {
  return column.fact ? FACT_BY_NAME.get(column.fact)?.range : undefined;
}

function cell(record: RawRecord, column: string): string {
  const value = record[column];
  return value === undefined || value === null ? '' : String(value).trim();
}

/**
 * Text the database cannot store (NUL) or that is not what was meant (a lone surrogate, the replacement
 * character a decoder puts for bytes that are not UTF-8, e.g. a GBK file): refused, never stripped.
 */
function unreadableText(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL byte (0x00); remove it at the source';
  if (text.includes('\uFFFD')) return 'is not valid UTF-8 (save the file as UTF-8, not GBK)';
  if (!text.isWellFormed()) return 'is not valid Unicode (a lone surrogate)';
  return undefined;
}

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Compares a non-negative decimal text with a safe integer bound, exactly. */
function decimalAbove(text: string, max: number): boolean {
  const [whole, fraction = ''] = text.split('.');
  const w = BigInt(whole!);
  const m = BigInt(max);
  return w > m || (w === m && /[1-9]/.test(fraction));
}

function dateRangeProblem(text: string, range: FactRange, options: ValidateOptions): string | undefined {
  if (range.k !== 'date') return undefined;
  if (text < range.min || text > range.max) return `expected a date in ${range.min} .. ${range.max}`;
  if (range.notAfterAsOf && options.asOf && text > options.asOf) return `expected a date not after the import's as-of date ${options.asOf} (range ${range.min} .. ${options.asOf})`;
  return undefined;
}

/** Converts one non-empty cell, or returns the reason it cannot be converted; checks the fact's range. */
function convertCell(text: string, mapping: ColumnMapping, options: ValidateOptions = {}): { value: FactValue } | { reason: string } {
  const type = mapping.type;
  const range = rangeOf(mapping);
  switch (type.kind) {
    case 'text':
      return { value: text };
    case 'int': {
      const label = range?.k === 'num' ? ` in ${range.label}` : ' ≥ 0';
      if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) return { reason: `expected a whole number${label}` };
      const n = Number(text);
      if (range?.k === 'num' && (n < range.min || n > range.max)) return { reason: `expected a whole number${label}` };
      return { value: n };
    }
    case 'decimal': {
      const label = range?.k === 'num' ? ` in ${range.label}` : ' ≥ 0';
      const normalised = text.replace(/,/g, '');
      const places = normalised.split('.')[1]?.length ?? 0;
      if (!DECIMAL.test(normalised) || places > type.scale) return { reason: `expected a number${label} with at most ${type.scale} decimals, e.g. 37.5` };
      if (range?.k === 'num' && decimalAbove(normalised, range.max)) return { reason: `expected a number${label}` };
      // Kept exact: a whole value as a JSON number, a fraction as its canonical decimal text ("37.5"),
      // which the policy language reads as the rational 75/2.
      const canonical = normalised.includes('.') ? normalised.replace(/0+$/, '').replace(/\.$/, '').replace(/^0+(?=\d)/, '') : normalised.replace(/^0+(?=\d)/, '');
      return { value: canonical.includes('.') ? canonical : Number(canonical) };
    }
    case 'yuan': {
      const normalised = text.replace(/,/g, '');
      if (!YUAN.test(normalised)) return { reason: 'expected an amount in 元 with at most 2 decimals, e.g. 12345.67' };
      if (normalised.startsWith('-')) return { reason: 'expected an amount ≥ 0' };
      const [whole, fraction = ''] = normalised.split('.');
      const fen = BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, '0'));
      if (range?.k === 'num' && (fen < BigInt(range.min) || fen > BigInt(range.max))) return { reason: `expected an amount in ${range.label}` };
      // Within the range fen are safe integers; a larger bound would store them as text.
      return { value: fen <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(fen) : fen.toString() };
    }
    case 'bool':
      if (TRUE.has(text)) return { value: true };
      if (FALSE.has(text)) return { value: false };
      return { reason: 'expected 是/否 (or true/false, 1/0, Y/N)' };
    case 'date': {
      if (!isRealDate(text)) return { reason: 'expected a real date as YYYY-MM-DD' };
      const problem = range ? dateRangeProblem(text, range, options) : undefined;
      return problem ? { reason: problem } : { value: text };
    }
    case 'enum':
      return type.values.includes(text) ? { value: text } : { reason: `expected one of ${type.values.join('、')}` };
    case 'uscc': {
      const problem = checkUscc(text.toUpperCase());
      return problem ? { reason: `expected a valid 统一社会信用代码: ${problem.message}` } : { value: text.toUpperCase() };
    }
    case 'account': {
      // An account number is digits. A spreadsheet that took it for a number writes 6.22589E+18 (its
      // last digits gone): refused with the reason, never stored as somebody's account.
      const digits = text.replace(/[ \u3000]/g, '');
      if (/^\d+(\.\d+)?[eE][+-]?\d+$/.test(digits)) return { reason: 'the account number was turned into a number in scientific notation (e.g. by Excel), which loses its last digits; export the column as text' };
      if (!/^\d{8,32}$/.test(digits)) return { reason: 'expected an account number of 8 to 32 digits' };
      return { value: digits };
    }
    case 'code':
      if (type.list === 'region') return REGION.test(text) ? { value: text } : { reason: 'expected a 6-digit GB/T 2260 division code, e.g. 440305' };
      return INDUSTRY.test(text) ? { value: text } : { reason: 'expected a GB/T 4754-2017 code: a section letter A-T and 2-4 digits, e.g. C3911' };
  }
}

function maskFor(mapping: FeedMapping, column: string, value: string): string {
  if (column === mapping.keyColumn) return printable(mapping.subject === 'person' ? maskIdNumber(value) : value);
  const spec = mapping.columns.find((c) => c.column === column);
  if (spec?.encrypted) return printable(maskAccount(value));
  if (spec?.personal) return printable(value.length <= 1 ? '*' : `${value[0]}${'*'.repeat(Math.min(value.length - 1, 6))}`);
  return printable(value);
}

/** Unreadable text is shown escaped, so a report (and the fact_rejects table) never carries a NUL itself. */
export function printable(text: string): string {
  return text.replaceAll('\u0000', '\\0').toWellFormed();
}

const BIRTH_RANGE = FACT_BY_NAME.get('birthDate')?.range;
const EFFECTIVE_RANGE: FactRange = { k: 'date', min: '1900-01-01', max: '2100-12-31' };

export function validateRecord(mapping: FeedMapping, rowNo: number, record: RawRecord, options: ValidateOptions = {}): { row: ValidRow } | { rejections: Rejection[] } {
  const rejections: Rejection[] = [];
  const reject = (field: string, raw: string, reason: string) => rejections.push({ rowNo, field, value: maskFor(mapping, field, raw), reason });
  const read = (column: string): string => {
    const raw = cell(record, column);
    const problem = raw === '' ? undefined : unreadableText(raw);
    if (problem) {
      reject(column, raw, `the value ${problem}`);
      return '\u0000';
    }
    return raw;
  };

  const key = read(mapping.keyColumn).toUpperCase();
  if (key === '') reject(mapping.keyColumn, '', 'missing subject identifier');
  else if (key !== '\u0000') {
    const problem = mapping.subject === 'enterprise' ? checkUscc(key) : checkIdNumber(key);
    if (problem) reject(mapping.keyColumn, key, problem.message);
  }

  let period = 'current';
  if (mapping.period.kind !== 'current') {
    const raw = read(mapping.period.column);
    const pattern = mapping.period.kind === 'year' ? /^\d{4}$/ : /^\d{4}-(0[1-9]|1[0-2])$/;
    if (raw !== '\u0000' && !pattern.test(raw)) reject(mapping.period.column, raw, mapping.period.kind === 'year' ? 'expected a year as YYYY' : 'expected a month as YYYY-MM');
    period = raw;
  }

  let effectiveDate: string | undefined;
  if (mapping.effectiveColumn) {
    const raw = read(mapping.effectiveColumn);
    if (raw !== '' && raw !== '\u0000') {
      if (!isRealDate(raw)) reject(mapping.effectiveColumn, raw, 'expected a real date as YYYY-MM-DD');
      else {
        const problem = dateRangeProblem(raw, EFFECTIVE_RANGE, options);
        if (problem) reject(mapping.effectiveColumn, raw, problem);
        else effectiveDate = raw;
      }
    }
  }

  const facts: Record<string, FactValue> = {};
  const extras: Record<string, string> = {};
  for (const column of mapping.columns) {
    const raw = read(column.column);
    if (raw === '\u0000') continue;
    if (raw === '') {
      if (column.required) reject(column.column, '', 'required value is empty');
      else if (column.fact) facts[column.fact] = null;
      continue;
    }
    const converted = convertCell(raw, column, options);
    if ('reason' in converted) reject(column.column, raw, converted.reason);
    else if (column.fact) facts[column.fact] = converted.value;
    else extras[column.column] = raw;
  }

  // The population register carries the birth date inside the 公民身份号码 (digits 7-14).
  let birthDate: string | undefined;
  if (mapping.subject === 'person' && mapping.registers && rejections.length === 0) {
    birthDate = `${key.slice(6, 10)}-${key.slice(10, 12)}-${key.slice(12, 14)}`;
    const problem = BIRTH_RANGE ? dateRangeProblem(birthDate, BIRTH_RANGE, options) : undefined;
    if (problem) reject(mapping.keyColumn, key, `the birth date ${birthDate} in the 公民身份号码 is implausible: ${problem}`);
  }

  if (rejections.length > 0) return { rejections };
  if (birthDate) facts.birthDate = birthDate;
  const row: ValidRow = { subjectKey: key, period, facts };
  if (effectiveDate) row.effectiveDate = effectiveDate;
  if (mapping.rowsPerPeriod) row.part = String(facts[mapping.columns.find((c) => c.column === mapping.rowsPerPeriod!.column)?.fact ?? ''] ?? '');
  if (mapping.registers) {
    row.name = extras[mapping.registers.nameColumn] ?? cell(record, mapping.registers.nameColumn);
    row.regionCode = cell(record, mapping.registers.regionColumn);
  }
  return { row };
}

const EXPECTED = new WeakMap<FeedMapping, { required: string[]; optional: string[]; known: ReadonlySet<string> }>();

/** The columns a file of this feed may have, and which of them it must have. */
function expectedColumns(mapping: FeedMapping): { required: string[]; optional: string[]; known: ReadonlySet<string> } {
  let expected = EXPECTED.get(mapping);
  if (!expected) {
    const required = [mapping.keyColumn, ...(mapping.period.kind === 'current' ? [] : [mapping.period.column])];
    const optional: string[] = [];
    for (const c of mapping.columns) (c.optional ? optional : required).push(c.column);
    if (mapping.effectiveColumn) optional.push(mapping.effectiveColumn);
    expected = { required, optional, known: new Set([...required, ...optional]) };
    EXPECTED.set(mapping, expected);
  }
  return expected;
}

export interface HeaderCheck {
  /** Missing or duplicated columns: the file is refused. */
  problems: Rejection[];
  /** Columns the mapping does not know: ignored, reported, refused under strict. */
  unknown: Rejection[];
}

function expectedText(mapping: FeedMapping): string {
  const { required, optional } = expectedColumns(mapping);
  return `expected columns: ${required.join(', ')}${optional.length > 0 ? `; optional: ${optional.join(', ')}` : ''}`;
}

/** Checks a CSV header (row 1) against the mapping. */
export function checkHeader(mapping: FeedMapping, header: readonly string[], rowNo = 1): HeaderCheck {
  const { required, known } = expectedColumns(mapping);
  const expected = expectedText(mapping);
  const problems: Rejection[] = [];
  const unknown: Rejection[] = [];
  const at = new Map<string, number[]>();
  header.forEach((name, i) => {
    const list = at.get(name) ?? [];
    list.push(i + 1);
    at.set(name, list);
  });
  const unknownNames = header.filter((h) => !known.has(h));
  for (const [name, positions] of at) {
    if (name !== '' && positions.length > 1) problems.push({ rowNo, field: name, value: '', reason: `column "${name}" appears ${positions.length} times (columns ${positions.join(', ')}); ${expected}` });
  }
  for (const name of required) {
    if (!at.has(name)) {
      const hint = unknownNames.length > 0 ? ` (the header has ${unknownNames.map((u) => `"${u}"`).join(', ')}, which this feed does not know: renamed?)` : '';
      problems.push({ rowNo, field: name, value: '', reason: `the header lacks column "${name}"${hint}; ${expected}` });
    }
  }
  header.forEach((name, i) => {
    if (known.has(name)) return;
    const label = name === '' ? `unnamed column ${i + 1}` : `column "${name}"`;
    unknown.push({ rowNo, field: name === '' ? `(column ${i + 1})` : name, value: '', reason: `warning: unknown ${label} is ignored; ${expected}` });
  });
  return { problems, unknown };
}

/**
 * JSON Lines and in-process records have no header: each object's keys are checked. A missing key of a
 * column the file must have rejects the row; unknown keys are returned for the import to report.
 */
const NONE: Rejection[] = [];
const NONE_KEYS: string[] = [];

export function checkKeys(mapping: FeedMapping, rowNo: number, record: RawRecord): { rejections: Rejection[]; unknown: string[] } {
  const { required, known } = expectedColumns(mapping);
  let rejections: Rejection[] | undefined;
  for (const name of required) {
    if (!(name in record)) (rejections ??= []).push({ rowNo, field: name, value: '', reason: `the object lacks key "${name}" (a value may be null, the key may not be left out); ${expectedText(mapping)}` });
  }
  let unknown: string[] | undefined;
  for (const k in record) if (!known.has(k)) (unknown ??= []).push(k);
  return { rejections: rejections ?? NONE, unknown: unknown ?? NONE_KEYS };
}

export function unknownKeyWarning(mapping: FeedMapping, rowNo: number, key: string): Rejection {
  return { rowNo, field: key, value: '', reason: `warning: unknown key "${key}" (first at row ${rowNo}) is ignored; ${expectedText(mapping)}` };
}
