// Decision tables: cell syntax, runtime matching, and the load-time proof that under the table's hit
// policy every input combination in the declared domain hits a row (no gaps) and, for hit policy
// 'unique', exactly one row (no overlaps). The proof enumerates one representative value per region
// that the cells' boundaries cut each input into, so it is exact, not sampled.
import { codePrefix, codeProblem, codeWithin, INDUSTRY_SECTIONS } from '../../dictionary/codes.ts';
import { formatVal, plainVal } from './format.ts';
import type { Cell, CmpOp, TableIR, Val } from './ir.ts';
import { ExprSyntaxError, parseExpr } from './parser.ts';
import { cmp as ratCmp, rat, type Rat } from './rational.ts';
import { errorAt, type PolicyError, type SrcText, type TableSpec } from './spec.ts';
import { sameUnit, typeLabel, unitLabel, type Expr, type Type } from './types.ts';

class CellError extends Error {
  readonly expected: string;
  constructor(message: string, expected: string) {
    super(message);
    this.expected = expected;
  }
}

function constant(e: Expr, ty: Type): Val {
  switch (e.t) {
    case 'num':
      if (ty.k !== 'num') throw new CellError(`a number does not fit an input of type ${typeLabel(ty)}`, typeLabel(ty));
      if (!sameUnit(e.unit, ty.unit)) throw new CellError(`unit mismatch in cell: ${unitLabel(e.unit)} against an input in ${unitLabel(ty.unit)}`, `a value in ${unitLabel(ty.unit)}`);
      return rat(e.n, e.d);
    case 'neg': {
      const v = constant(e.arg, ty) as Rat;
      return rat(-v.n, v.d);
    }
    case 'date':
      if (ty.k !== 'date') throw new CellError(`a date does not fit an input of type ${typeLabel(ty)}`, typeLabel(ty));
      return e.day;
    case 'bool':
      if (ty.k !== 'bool') throw new CellError(`true/false does not fit an input of type ${typeLabel(ty)}`, typeLabel(ty));
      return e.value;
    case 'str':
      if (ty.k === 'enum' && !ty.values.includes(e.value)) throw new CellError(`'${e.value}' is not a value of ${ty.name}`, `one of ${ty.values.join('|')}`);
      if (ty.k === 'code') {
        const p = codeProblem(ty.list, e.value);
        if (p) throw new CellError(p, typeLabel(ty));
      }
      if (ty.k !== 'enum' && ty.k !== 'code' && ty.k !== 'text') throw new CellError(`a string does not fit an input of type ${typeLabel(ty)}`, typeLabel(ty));
      return e.value;
    default:
      throw new CellError('a cell holds constants only', 'a number with unit, a date, a string, true/false, a range like [70岁, 80岁) or -');
  }
}

const CMP_PREFIX = /^\s*(<=|>=|==|!=|<|>|≥|≤|≠)/;
const CMP_ALIAS: Record<string, CmpOp> = { '≥': '>=', '≤': '<=', '≠': '!=' };

export function parseCell(src: SrcText, ty: Type, errors: PolicyError[]): Cell | undefined {
  const text = src.text.trim();
  try {
    if (text === '-' || text === '') return { k: 'any' };
    if (text === 'none') {
      if (!('nullable' in ty && ty.nullable)) throw new CellError('this input always has a value; none never matches', 'a value of the input type');
      return { k: 'oneof', vs: [null], negated: false, text };
    }
    const range = /^([[(])(.*),(.*)([\])])$/.exec(text);
    if (range && (ty.k === 'num' || ty.k === 'date')) {
      const lo = constant(parseExpr(range[2] as string), ty);
      const hi = constant(parseExpr(range[3] as string), ty);
      return { k: 'range', lo, loInc: range[1] === '[', hi, hiInc: range[4] === ']', text };
    }
    const m = CMP_PREFIX.exec(text);
    if (m) {
      const raw = m[1] as string;
      const o = CMP_ALIAS[raw] ?? (raw as CmpOp);
      if ((o !== '==' && o !== '!=') && ty.k !== 'num' && ty.k !== 'date') throw new CellError(`'${o}' needs a numeric or date input, this one is ${typeLabel(ty)}`, 'a value or a list');
      const v = constant(parseExpr(text.slice(m[0].length)), ty);
      if (ty.k === 'code') return { k: 'code', list: ty.list, prefixes: [codePrefix(ty.list, v as string)], text };
      return { k: 'cmp', o, v, text };
    }
    const negated = /^not\s+in\b/.test(text);
    const body = negated ? text.replace(/^not\s+in\b/, '') : text.replace(/^in\b/, '');
    const e = parseExpr(body);
    const items = e.t === 'list' ? e.items : [e];
    const vs = items.map((x) => (x.t === 'none' && 'nullable' in ty && ty.nullable ? null : constant(x, ty)));
    if (ty.k === 'code') {
      if (negated) throw new CellError("'not in' is not supported for code lists", 'a list of codes the row applies to');
      return { k: 'code', list: ty.list, prefixes: (vs as string[]).map((v) => codePrefix(ty.list, v)), text };
    }
    return { k: 'oneof', vs, negated, text };
  } catch (e) {
    if (e instanceof CellError) errors.push(errorAt(src.loc, `decision table cell '${text}': ${e.message}`, e.expected));
    else if (e instanceof ExprSyntaxError) errors.push(errorAt(src.loc, `decision table cell '${text}': syntax error: ${e.message}`, e.expected, e.offset));
    else throw e;
    return undefined;
  }
}

function compareVals(a: Val, b: Val): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') return ratCmp(a, b);
  return a === b ? 0 : plainVal(a) < plainVal(b) ? -1 : 1;
}

/** Whether a comparison holds, given compare()'s sign. */
export function holds(o: CmpOp, c: number): boolean {
  switch (o) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
  }
}

/** Does a known value satisfy a cell? */
export function cellMatches(cell: Cell, v: Val): boolean {
  if (v === null) {
    // none (no record) matches '-' and lists that name none, nothing else.
    if (cell.k === 'any') return true;
    if (cell.k === 'oneof') return cell.vs.includes(null) !== cell.negated;
    return false;
  }
  switch (cell.k) {
    case 'any':
      return true;
    case 'cmp':
      return holds(cell.o, compareVals(v, cell.v));
    case 'range': {
      const lo = compareVals(v, cell.lo);
      const hi = compareVals(v, cell.hi);
      return (cell.loInc ? lo >= 0 : lo > 0) && (cell.hiInc ? hi <= 0 : hi < 0);
    }
    case 'oneof': {
      let found = false;
      for (const x of cell.vs) if (compareVals(v, x) === 0) found = true;
      return cell.negated ? !found : found;
    }
    case 'code':
      return codeWithin(v as string, cell.prefixes);
  }
}

function isIntegral(ty: Type): boolean {
  if (ty.k === 'date') return true;
  if (ty.k !== 'num') return false;
  const dims = Object.values(ty.unit).filter((p) => p !== 0);
  return dims.length === 1 && dims[0] === 1;
}

function boundaries(cell: Cell): Val[] {
  switch (cell.k) {
    case 'cmp':
      return [cell.v];
    case 'range':
      return [cell.lo, cell.hi];
    case 'oneof':
      return cell.vs;
    default:
      return [];
  }
}

/** Representative values of one input: one per region the cells cut its domain into. */
function representatives(ty: Type, cells: Cell[]): Val[] {
  if ('nullable' in ty && ty.nullable) return [null, ...representatives({ ...ty, nullable: false }, cells)];
  if (ty.k === 'bool') return [true, false];
  if (ty.k === 'enum') return [...ty.values];
  if (ty.k === 'code') {
    const prefixes = new Set<string>();
    for (const c of cells) if (c.k === 'code') c.prefixes.forEach((p) => prefixes.add(p));
    const reps = new Set<string>();
    for (const p of prefixes) {
      reps.add(p);
      reps.add(`${p}\u0001`);
    }
    if (ty.list === 'industry') Object.keys(INDUSTRY_SECTIONS).forEach((s) => reps.add(`${s}\u0001`));
    reps.add('\u0002');
    return [...reps];
  }
  if (ty.k === 'text') {
    const out: Val[] = [];
    for (const c of cells) if (c.k === 'oneof' || c.k === 'cmp') out.push(...boundaries(c));
    out.push('\u0002其他');
    return out;
  }
  if (ty.k !== 'num' && ty.k !== 'date') return [];
  const points: Val[] = [];
  for (const c of cells) points.push(...boundaries(c));
  const toRat = (v: Val): Rat => (typeof v === 'number' ? rat(BigInt(v)) : (v as Rat));
  const sorted = points.map(toRat).sort(ratCmp).filter((r, i, a) => i === 0 || ratCmp(r, a[i - 1] as Rat) !== 0);
  const integral = isIntegral(ty);
  const reps: Rat[] = [];
  if (sorted.length === 0) reps.push(rat(0n));
  sorted.forEach((p, i) => {
    if (i === 0) reps.push(rat(p.n - p.d, p.d));
    reps.push(p);
    const next = sorted[i + 1];
    if (next) {
      if (integral) {
        const step = rat(p.n + p.d, p.d);
        if (ratCmp(step, next) < 0) reps.push(step);
      } else reps.push(rat(p.n * next.d + next.n * p.d, 2n * p.d * next.d));
    } else reps.push(rat(p.n + p.d, p.d));
  });
  return ty.k === 'date' ? reps.map((r) => Number(r.n / r.d)) : reps;
}

function showRep(v: Val, ty: Type): string {
  if (v === null) return '无记录';
  if (typeof v === 'string' && v.endsWith('\u0001')) return `${v.slice(0, -1)}下的其他代码`;
  if (typeof v === 'string' && v.startsWith('\u0002')) return '其他值';
  return formatVal(v, ty);
}

const MAX_COMBINATIONS = 200_000;

/** Adds an error per gap or overlap (at most a few of each) under the table's hit policy. */
export function checkTableCoverage(table: TableIR, spec: TableSpec, errors: PolicyError[]): void {
  const reps = table.inputs.map((input, i) =>
    representatives(input.ir.ty, [input.domain, ...table.rows.map((r) => r.cells[i] as Cell)]).filter((v) => cellMatches(input.domain, v)),
  );
  const total = reps.reduce((n, r) => n * r.length, 1);
  if (total > MAX_COMBINATIONS) {
    errors.push(errorAt(spec.loc, `decision table too large to check (${total} input combinations)`, `at most ${MAX_COMBINATIONS} combinations; split the table`));
    return;
  }
  let gaps = 0;
  let overlaps = 0;
  const idx = reps.map(() => 0);
  const combo: Val[] = reps.map((r) => r[0] as Val);
  for (let n = 0; n < total; n++) {
    let rem = n;
    for (let i = reps.length - 1; i >= 0; i--) {
      const r = reps[i] as Val[];
      idx[i] = rem % r.length;
      rem = Math.floor(rem / r.length);
      combo[i] = r[idx[i] as number] as Val;
    }
    const hits: number[] = [];
    table.rows.forEach((row, r) => {
      if (row.cells.every((c, i) => cellMatches(c, combo[i] as Val))) hits.push(r + 1);
    });
    const where = () => table.inputs.map((input, i) => `${input.label}=${showRep(combo[i] as Val, input.ir.ty)}`).join('，');
    if (hits.length === 0 && !table.else && gaps < 3) {
      gaps++;
      errors.push(errorAt(spec.loc, `decision table has a gap: no row matches ${where()}`, `rows covering the whole domain under hit policy ${table.hit}, or an else value`));
    }
    if (hits.length > 1 && table.hit === 'unique' && overlaps < 3) {
      overlaps++;
      errors.push(
        errorAt(
          spec.rows[(hits[1] as number) - 1]?.loc ?? spec.loc,
          `decision table rows ${hits.join(' and ')} overlap: all match ${where()}`,
          "exactly one matching row under hit policy unique (or hit policy 'first' to let the earlier row win)",
        ),
      );
    }
  }
}

