// The vocabulary the data dictionary's rows are written in (types, units, period semantics, value ranges),
// shared by the core dictionary (facts.ts) and the per-topic files that policies added (facts-*.ts).
import type { Type } from '../rules/lang/types.ts';
import { AppError } from '../errors.ts';

export type SubjectType = 'enterprise' | 'person';

export type Source = 'samr' | 'tax' | 'hrss' | 'credit' | 'bank' | 'most' | 'miit' | 'culture' | 'stats' | 'csrc' | 'civil' | 'police' | 'disabled' | 'housing' | 'edu' | 'commerce' | 'medical' | 'agri' | 'veterans' | 'ndrc' | 'ip' | 'finance' | 'portal';

export const SOURCE_LABELS: Record<Source, string> = {
  samr: '市场监管',
  tax: '税务',
  hrss: '人社',
  credit: '信用中国',
  bank: '开户银行',
  most: '科技',
  miit: '工信',
  culture: '文旅',
  stats: '统计',
  csrc: '证监/地方金融',
  civil: '民政',
  police: '公安',
  disabled: '残联',
  housing: '住房保障',
  edu: '教育',
  commerce: '商务',
  medical: '医保',
  agri: '农业农村',
  veterans: '退役军人事务',
  ndrc: '发展改革',
  ip: '知识产权',
  finance: '财政',
  portal: '申请人提供（快申快享）',
};

/**
 * How the value relates to the period being paid:
 * - as-of: state at the period's start (登记状态, 户籍);
 * - data-year: the whole data year the point names (usually policy year - 1);
 * - in-period: what happened inside the period being paid (new hires this month);
 * - event: a dated fact valid whenever it is read (birth date, rating date).
 */
export type PeriodSemantics = 'as-of' | 'data-year' | 'in-period' | 'event';

/**
 * What an absent value means: missing = data not available (the decision is undetermined);
 * false = the fact is a register and not being on it means no; none = no record (e.g. not deceased).
 */
type WhenAbsent = 'missing' | 'false' | 'none';

/**
 * The values a fact may plausibly take; a feed value outside is refused, naming the range. Numbers are in
 * the fact's unit (money in fen), bounds inclusive and safe integers; dates are 'YYYY-MM-DD', and `notAfterAsOf` also
 * refuses a date later than the import's as-of date (nobody is born or dies in the future).
 */
export type FactRange = { k: 'num'; min: number; max: number; label: string } | { k: 'date'; min: string; max: string; notAfterAsOf?: boolean };

export interface FactDef {
  name: string;
  subject: SubjectType;
  zh: string;
  type: Type;
  source: Source;
  period: PeriodSemantics;
  whenAbsent: WhenAbsent;
  description: string;
  /** Every number and date fact has one (see rangeFor). */
  range?: FactRange;
}

const DATE_WINDOW = { min: '1900-01-01', max: '2100-12-31' } as const;
const PAST_DATES = new Set(['birthDate', 'deathDate']);

/**
 * Plausible bounds per unit: money 0 .. 10^12 元 (10^14 fen, safely below 2^53), head counts 0 .. 10^7
 * persons, months 0 .. 1200 (a century), times 0 .. 1000, unit-less shares 0 .. 1.
 */
export function rangeFor(name: string, type: Type): FactRange | undefined {
  if (type.k === 'date') return { k: 'date', ...DATE_WINDOW, ...(PAST_DATES.has(name) ? { notAfterAsOf: true } : {}) };
  if (type.k !== 'num') return undefined;
  const units = Object.keys(type.unit);
  if (units.length === 0) return { k: 'num', min: 0, max: 1, label: '0 .. 1' };
  const [unit] = units;
  if (unit === 'fen') return { k: 'num', min: 0, max: 1e14, label: '0 .. 1,000,000,000,000 元' };
  if (unit === 'person') return { k: 'num', min: 0, max: 1e7, label: '0 .. 10,000,000 人' };
  if (unit === 'month') return { k: 'num', min: 0, max: 1200, label: '0 .. 1200 个月' };
  if (unit === 'times') return { k: 'num', min: 0, max: 1000, label: '0 .. 1000 次' };
  throw new AppError('INTERNAL', `fact ${name}: no value range for unit ${unit}; add one in rangeFor()`);
}

export const money = (): Type => ({ k: 'num', unit: { fen: 1 } });
export const persons = (): Type => ({ k: 'num', unit: { person: 1 } });
export const months = (): Type => ({ k: 'num', unit: { month: 1 } });
export const bool = (): Type => ({ k: 'bool' });
export const date = (nullable = false): Type => ({ k: 'date', nullable });
export const oneOf = (name: string, values: string[], nullable = false): Type => ({ k: 'enum', name, values, nullable });

export type Row = [name: string, zh: string, type: Type, source: Source, period: PeriodSemantics, whenAbsent: WhenAbsent, description: string];

