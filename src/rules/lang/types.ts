// Types, units and syntax trees of the policy language. A unit is a product of base dimensions with
// integer powers (元/人 = fen^1 person^-1); arithmetic combines them and comparisons demand equal units,
// so "上年度缴费月数 >= 20人" is refused when the file is loaded, not discovered in a payment run.

type Dim = 'fen' | 'person' | 'month' | 'year' | 'age' | 'day' | 'times';
export type Unit = Readonly<Partial<Record<Dim, number>>>;

export function unitKey(u: Unit): string {
  return (Object.keys(u) as Dim[])
    .filter((k) => (u[k] ?? 0) !== 0)
    .sort()
    .map((k) => `${k}^${u[k]}`)
    .join(' ');
}
export const sameUnit = (a: Unit, b: Unit): boolean => unitKey(a) === unitKey(b);
export function combineUnits(a: Unit, b: Unit, sign: 1 | -1): Unit {
  const out: Partial<Record<Dim, number>> = { ...a };
  for (const k of Object.keys(b) as Dim[]) {
    const v = (out[k] ?? 0) + sign * (b[k] ?? 0);
    if (v === 0) delete out[k];
    else out[k] = v;
  }
  return out;
}

const DIM_LABEL: Record<Dim, string> = { fen: '元', person: '人', month: '个月', year: '年', age: '岁', day: '天', times: '次' };
export function unitLabel(u: Unit): string {
  const pos: string[] = [];
  const negs: string[] = [];
  for (const k of Object.keys(u) as Dim[]) {
    const p = u[k] ?? 0;
    if (p === 0) continue;
    const label = DIM_LABEL[k] + (Math.abs(p) > 1 ? `^${Math.abs(p)}` : '');
    (p > 0 ? pos : negs).push(label);
  }
  if (pos.length === 0 && negs.length === 0) return '无量纲';
  return `${pos.join('·') || '1'}${negs.length ? `/${negs.join('·')}` : ''}`;
}

/** Number literal suffixes: how many base units one written unit is, and its dimension. */
export const LITERAL_UNITS: ReadonlyArray<{ suffix: string; unit: Unit; factor: bigint; divisor?: bigint; pct?: boolean }> = [
  { suffix: '万元/人', unit: { fen: 1, person: -1 }, factor: 1_000_000n },
  { suffix: '元/人', unit: { fen: 1, person: -1 }, factor: 100n },
  { suffix: '亿元', unit: { fen: 1 }, factor: 10_000_000_000n },
  { suffix: '万元', unit: { fen: 1 }, factor: 1_000_000n },
  { suffix: '元', unit: { fen: 1 }, factor: 100n },
  { suffix: '个月', unit: { month: 1 }, factor: 1n },
  { suffix: '人', unit: { person: 1 }, factor: 1n },
  { suffix: '年', unit: { year: 1 }, factor: 1n },
  { suffix: '岁', unit: { age: 1 }, factor: 1n },
  { suffix: '天', unit: { day: 1 }, factor: 1n },
  { suffix: '次', unit: { times: 1 }, factor: 1n },
  { suffix: '%', unit: {}, factor: 1n, divisor: 100n, pct: true },
];

export type CodeList = 'industry' | 'region';

export type Type =
  | { k: 'num'; unit: Unit; pct?: boolean; nullable?: boolean }
  | { k: 'bool'; nullable?: boolean }
  | { k: 'date'; nullable?: boolean }
  | { k: 'enum'; name: string; values: readonly string[]; nullable?: boolean }
  | { k: 'code'; list: CodeList; nullable?: boolean }
  | { k: 'text'; nullable?: boolean }
  | { k: 'list'; of: Type };

export function typeLabel(t: Type): string {
  const base = (() => {
    switch (t.k) {
      case 'num':
        return `数值(${unitLabel(t.unit)})`;
      case 'bool':
        return '布尔';
      case 'date':
        return '日期';
      case 'enum':
        return `${t.name}(${t.values.join('|')})`;
      case 'code':
        return t.list === 'industry' ? '行业代码(GB/T 4754)' : '区划代码(GB/T 2260)';
      case 'text':
        return '文本';
      case 'list':
        return `列表<${typeLabel(t.of)}>`;
    }
  })();
  return 'nullable' in t && t.nullable ? `${base}或无` : base;
}

export function sameType(a: Type, b: Type): boolean {
  if (a.k !== b.k) return false;
  if (a.k === 'num' && b.k === 'num') return sameUnit(a.unit, b.unit);
  if (a.k === 'enum' && b.k === 'enum') return a.name === b.name;
  if (a.k === 'code' && b.k === 'code') return a.list === b.list;
  if (a.k === 'list' && b.k === 'list') return sameType(a.of, b.of);
  return true;
}

export const nonNull = (t: Type): Type => ('nullable' in t && t.nullable ? { ...t, nullable: false } : t);
export const isNullable = (t: Type): boolean => 'nullable' in t && t.nullable === true;

/** Offset range of a node inside its expression source. */
export interface Span {
  start: number;
  end: number;
}

export type BinOp = '+' | '-' | '*' | '/' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';

export type Expr =
  | { t: 'num'; span: Span; text: string; n: bigint; d: bigint; unit: Unit; pct: boolean }
  | { t: 'str'; span: Span; value: string }
  | { t: 'bool'; span: Span; value: boolean }
  | { t: 'date'; span: Span; text: string; day: number }
  | { t: 'none'; span: Span }
  | { t: 'name'; span: Span; name: string }
  | { t: 'period'; span: Span; field: 'start' | 'end' | 'year' | 'dataYear' }
  | { t: 'list'; span: Span; items: Expr[] }
  | { t: 'not'; span: Span; arg: Expr }
  | { t: 'neg'; span: Span; arg: Expr }
  | { t: 'bin'; span: Span; op: BinOp; left: Expr; right: Expr }
  | { t: 'in'; span: Span; negated: boolean; item: Expr; set: Expr }
  | { t: 'isnone'; span: Span; negated: boolean; arg: Expr }
  | { t: 'if'; span: Span; cond: Expr; then: Expr; else: Expr }
  | { t: 'call'; span: Span; fn: string; args: Expr[] };
