// The explaining evaluator: three-valued (true / false / unknown when data is missing), exact, and it
// records the value of every node so the trace can be rendered in Chinese. This is the reference
// semantics; the compiled fast path must agree with it on every input.
import type { FactDef } from '../../dictionary/facts.ts';
import { codeWithin } from '../../dictionary/codes.ts';
import type { DefIR, IR, ParamIR, Val } from './ir.ts';
import type { PointModel } from './model.ts';
import { parseIsoDay } from './parser.ts';
import { addMonths, fullMonths, fullYears, type Period, yearEnd, yearStart } from './period.ts';
import { add, cmp, div, mul, neg, parseRat, rat, roundFen, sub, type Rat } from './rational.ts';
import { cellMatches, holds } from './table.ts';

export const UNKNOWN: unique symbol = Symbol('unknown');
export type EV = Val | typeof UNKNOWN;

export type Facts = Readonly<Record<string, unknown>>;

class FactValueError extends Error {
  readonly fact: string;
  constructor(fact: string, message: string) {
    super(message);
    this.fact = fact;
  }
}

/** Normalises one raw fact value to the evaluator's representation, per the dictionary type. */
function readFactValue(fact: FactDef, raw: unknown): EV {
  if (raw === undefined || (raw === null && !('nullable' in fact.type && fact.type.nullable))) {
    if (fact.whenAbsent === 'false') return false;
    if (fact.whenAbsent === 'none') return null;
    return UNKNOWN;
  }
  if (raw === null) return null;
  const t = fact.type;
  switch (t.k) {
    case 'num':
      if (typeof raw === 'bigint') return rat(raw);
      if (typeof raw === 'number' && Number.isSafeInteger(raw)) return rat(BigInt(raw));
      if (typeof raw === 'string' && /^-?\d+(\.\d+)?$/.test(raw)) return parseRat(raw);
      throw new FactValueError(fact.name, `fact ${fact.name} must be an exact number (integer${t.unit.fen ? ' fen' : ''}), got ${typeof raw === 'number' ? raw : JSON.stringify(raw)}`);
    case 'bool':
      if (typeof raw === 'boolean') return raw;
      throw new FactValueError(fact.name, `fact ${fact.name} must be true or false`);
    case 'date': {
      const d = typeof raw === 'string' ? parseIsoDay(raw) : undefined;
      if (d === undefined) throw new FactValueError(fact.name, `fact ${fact.name} must be a date YYYY-MM-DD, got ${JSON.stringify(raw)}`);
      return d;
    }
    case 'enum':
      if (typeof raw === 'string' && t.values.includes(raw)) return raw;
      throw new FactValueError(fact.name, `fact ${fact.name} must be one of ${t.values.join('|')}, got ${JSON.stringify(raw)}`);
    case 'code':
    case 'text':
      if (typeof raw === 'string') return raw;
      throw new FactValueError(fact.name, `fact ${fact.name} must be a string`);
    case 'list':
      throw new FactValueError(fact.name, `fact ${fact.name} has an unsupported type`);
  }
}

export interface EvalContext {
  facts: Facts;
  period: Period;
  dataYear: number;
  /** The date parameters are read at: the later of the period start and the point's start. */
  paramDay: number;
  trace: Map<IR, EV>;
  defs: Map<DefIR, EV>;
  missing: Set<string>;
  notes: Map<IR, string>;
  factCache: Map<string, EV>;
}

export function paramValue(p: ParamIR, day: number): Val | undefined {
  for (const v of p.values) if (v.from <= day && (v.to === null || day <= v.to)) return v.v;
  return undefined;
}

const truthy = (v: EV): boolean | typeof UNKNOWN => (v === UNKNOWN ? UNKNOWN : v === true);

function compare(a: Val, b: Val): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') return cmp(a, b);
  return a === b ? 0 : 1;
}

function evalIR(ir: IR, cx: EvalContext): EV {
  const v = evalInner(ir, cx);
  cx.trace.set(ir, v);
  return v;
}

function readFact(fact: FactDef, cx: EvalContext): EV {
  const cached = cx.factCache.get(fact.name);
  if (cached !== undefined || cx.factCache.has(fact.name)) return cached as EV;
  const v = readFactValue(fact, cx.facts[fact.name]);
  cx.factCache.set(fact.name, v);
  return v;
}

function evalInner(ir: IR, cx: EvalContext): EV {
  switch (ir.op) {
    case 'const':
      return ir.v;
    case 'fact': {
      const v = readFact(ir.fact, cx);
      if (v === UNKNOWN) cx.missing.add(ir.fact.name);
      return v;
    }
    case 'ref': {
      if (cx.defs.has(ir.def)) return cx.defs.get(ir.def) as EV;
      const v = evalIR(ir.def.body, cx);
      cx.defs.set(ir.def, v);
      return v;
    }
    case 'param': {
      const v = paramValue(ir.param, cx.paramDay);
      if (v === undefined) {
        cx.notes.set(ir, '参数在本期无取值');
        return UNKNOWN;
      }
      return v;
    }
    case 'period':
      switch (ir.field) {
        case 'start':
          return cx.period.start;
        case 'end':
          return cx.period.end;
        case 'year':
          return rat(BigInt(cx.period.year));
        case 'dataYear':
          return rat(BigInt(cx.dataYear));
      }
      break;
    case 'and':
    case 'or': {
      const decisive = ir.op === 'or';
      const l = truthy(evalIR(ir.l, cx));
      if (l === decisive) return decisive;
      const r = truthy(evalIR(ir.r, cx));
      if (r === decisive) return decisive;
      if (l === UNKNOWN || r === UNKNOWN) return UNKNOWN;
      return !decisive;
    }
    case 'not': {
      const a = evalIR(ir.a, cx);
      return a === UNKNOWN ? UNKNOWN : !a;
    }
    case 'neg': {
      const a = evalIR(ir.a, cx);
      return a === UNKNOWN ? UNKNOWN : neg(a as Rat);
    }
    case 'arith': {
      const l = evalIR(ir.l, cx);
      const r = evalIR(ir.r, cx);
      if (l === UNKNOWN || r === UNKNOWN) return UNKNOWN;
      const a = l as Rat;
      const b = r as Rat;
      switch (ir.o) {
        case '+':
          return add(a, b);
        case '-':
          return sub(a, b);
        case '*':
          return mul(a, b);
        case '/': {
          const q = div(a, b);
          if (q === undefined) {
            cx.notes.set(ir, '除数为零，无法计算');
            return UNKNOWN;
          }
          return q;
        }
      }
      break;
    }
    case 'cmp': {
      const l = evalIR(ir.l, cx);
      const r = evalIR(ir.r, cx);
      if (l === UNKNOWN || r === UNKNOWN) return UNKNOWN;
      return holds(ir.o, compare(l, r));
    }
    case 'in': {
      const item = evalIR(ir.item, cx);
      if (item === UNKNOWN) return UNKNOWN;
      let found = false;
      if (ir.prefixes) found = codeWithin(item as string, ir.prefixes);
      else for (const x of ir.values) if (compare(item, x) === 0) found = true;
      return ir.negated ? !found : found;
    }
    case 'isnone': {
      const a = evalIR(ir.a, cx);
      if (a === UNKNOWN) return UNKNOWN;
      return ir.negated ? a !== null : a === null;
    }
    case 'if': {
      const c = evalIR(ir.c, cx);
      if (c === UNKNOWN) return UNKNOWN;
      return c === true ? evalIR(ir.a, cx) : evalIR(ir.b, cx);
    }
    case 'call':
      return evalCall(ir, cx);
    case 'table':
      return evalTable(ir, cx);
  }
  return UNKNOWN;
}

export function children(ir: IR): IR[] {
  switch (ir.op) {
    case 'arith':
    case 'cmp':
    case 'and':
    case 'or':
      return [ir.l, ir.r];
    case 'not':
    case 'neg':
    case 'isnone':
      return [ir.a];
    case 'in':
      return [ir.item];
    case 'if':
      return [ir.c, ir.a, ir.b];
    case 'call':
      return ir.args;
    case 'table':
      return [...ir.table.inputs.map((i) => i.ir), ...ir.table.rows.flatMap((r) => ('undetermined' in r.out ? [] : [r.out])), ...(ir.table.else ? [ir.table.else] : [])];
    default:
      return [];
  }
}

function evalCall(ir: Extract<IR, { op: 'call' }>, cx: EvalContext): EV {
  const args: Val[] = [];
  for (const a of ir.args) {
    const v = evalIR(a, cx);
    if (v === UNKNOWN) return UNKNOWN;
    args.push(v);
  }
  const [a, b] = args;
  switch (ir.fn) {
    case 'age':
    case 'years_between':
      return rat(BigInt(fullYears(a as number, b as number)));
    case 'months_between':
      return rat(BigInt(fullMonths(a as number, b as number)));
    case 'days_between':
      return rat(BigInt((b as number) - (a as number)));
    case 'add_months':
    case 'add_years': {
      const n = b as Rat;
      const whole = Number(n.n / n.d - (n.n < 0n && n.n % n.d !== 0n ? 1n : 0n));
      return addMonths(a as number, ir.fn === 'add_years' ? whole * 12 : whole);
    }
    case 'year_of':
      return rat(BigInt(new Date((a as number) * 86_400_000).getUTCFullYear()));
    case 'year_start':
    case 'year_end': {
      const y = a as Rat;
      if (y.d !== 1n) return UNKNOWN;
      return ir.fn === 'year_start' ? yearStart(Number(y.n)) : yearEnd(Number(y.n));
    }
    case 'min':
    case 'max': {
      let best = args[0] as Rat;
      for (const x of args) if ((ir.fn === 'min' ? cmp(x as Rat, best) < 0 : cmp(x as Rat, best) > 0)) best = x as Rat;
      return best;
    }
    case 'coalesce':
      return a === null ? (b as Val) : (a as Val);
  }
  return UNKNOWN;
}

function evalTable(ir: Extract<IR, { op: 'table' }>, cx: EvalContext): EV {
  const t = ir.table;
  const inputs = new Array<EV>(t.inputs.length);
  const done = new Array<boolean>(t.inputs.length).fill(false);
  const input = (i: number): EV => {
    if (!done[i]) {
      inputs[i] = evalIR((t.inputs[i] as { ir: IR }).ir, cx);
      done[i] = true;
    }
    return inputs[i] as EV;
  };
  // Outside the declared domain the table does not apply: else, or unknown.
  for (let i = 0; i < t.inputs.length; i++) {
    const dom = (t.inputs[i] as { domain: import('./ir.ts').Cell }).domain;
    if (dom.k === 'any') continue;
    const v = input(i);
    if (v === UNKNOWN) return UNKNOWN;
    if (!cellMatches(dom, v)) {
      if (t.else) return evalIR(t.else, cx);
      cx.notes.set(ir, '输入不在表格适用范围内');
      return UNKNOWN;
    }
  }
  let sawUnknown = false;
  for (const row of t.rows) {
    let m: boolean | typeof UNKNOWN = true;
    for (let i = 0; i < row.cells.length; i++) {
      const cell = row.cells[i] as import('./ir.ts').Cell;
      if (cell.k === 'any') continue;
      const v = input(i);
      if (v === UNKNOWN) {
        m = UNKNOWN;
        continue;
      }
      if (!cellMatches(cell, v)) {
        m = false;
        break;
      }
    }
    if (m === false) continue;
    if (m === UNKNOWN) {
      sawUnknown = true;
      if (t.hit === 'first') return UNKNOWN;
      continue;
    }
    if ('undetermined' in row.out) {
      cx.missing.add(row.out.undetermined.name);
      cx.notes.set(ir, `缺少:${row.out.undetermined.name}`);
      return UNKNOWN;
    }
    return evalIR(row.out, cx);
  }
  if (sawUnknown) return UNKNOWN;
  if (t.else) return evalIR(t.else, cx);
  cx.notes.set(ir, '没有匹配的行');
  return UNKNOWN;
}

type Outcome = 'eligible' | 'ineligible' | 'undetermined';

interface ConditionResult {
  id: string;
  kind: 'condition' | 'exception';
  value: boolean | typeof UNKNOWN;
  missing: string[];
}

export interface Evaluation {
  point: PointModel;
  period: Period;
  dataYear: number;
  outcome: Outcome;
  amountFen: bigint | null;
  /** Amount before the cap and rounding, exact. */
  rawAmount: Rat | null;
  capped: boolean;
  inEffect: boolean;
  conditions: ConditionResult[];
  reasonCodes: string[];
  missingFacts: string[];
  cx: EvalContext;
}

export function pointInEffect(point: PointModel, period: Period): boolean {
  return period.end >= point.effective.from && (point.effective.to === null || period.start <= point.effective.to);
}

/** The day a point's dated parameter values are read on for a period (clipped to the point's effective dates). */
export function parameterDay(point: PointModel, period: Period): number {
  if (point.valuesOn === 'period-end') return point.effective.to === null ? period.end : Math.min(period.end, point.effective.to);
  return Math.max(period.start, point.effective.from);
}

function newContext(point: PointModel, facts: Facts, period: Period): EvalContext {
  return {
    facts,
    period,
    dataYear: period.year + point.dataYearOffset,
    paramDay: parameterDay(point, period),
    trace: new Map(),
    defs: new Map(),
    missing: new Set(),
    notes: new Map(),
    factCache: new Map(),
  };
}

/** Evaluates one point for one subject and period, keeping the full trace. */
export function evaluatePoint(point: PointModel, facts: Facts, period: Period): Evaluation {
  const cx = newContext(point, facts, period);
  const base = { point, period, dataYear: cx.dataYear, cx };
  if (!pointInEffect(point, period)) {
    return { ...base, outcome: 'ineligible', amountFen: null, rawAmount: null, capped: false, inEffect: false, conditions: [], reasonCodes: ['NOT_IN_EFFECT'], missingFacts: [] };
  }
  const results: ConditionResult[] = [];
  const run = (ir: IR): { v: boolean | typeof UNKNOWN; missing: string[] } => {
    const v = truthy(evalIR(ir, cx));
    return { v, missing: v === UNKNOWN ? requiredMissing(ir, cx) : [] };
  };
  for (const c of point.conditions) {
    const { v, missing } = run(c.ir);
    results.push({ id: c.id, kind: 'condition', value: v, missing });
  }
  for (const c of point.exceptions) {
    const { v, missing } = run(c.ir);
    results.push({ id: c.id, kind: 'exception', value: v, missing });
  }
  const failed = results.filter((r) => (r.kind === 'condition' ? r.value === false : r.value === true));
  if (failed.length > 0) {
    return { ...base, outcome: 'ineligible', amountFen: null, rawAmount: null, capped: false, inEffect: true, conditions: results, reasonCodes: failed.map((r) => r.id), missingFacts: [] };
  }
  const unknown = results.filter((r) => r.value === UNKNOWN);
  // The amount is computed even when a condition is undecided, so that every missing fact is listed.
  const amountV = evalIR(point.amount.ir, cx);
  const capV = amountV !== UNKNOWN && point.amount.cap ? evalIR(point.amount.cap, cx) : null;
  if (unknown.length > 0 || amountV === UNKNOWN || capV === UNKNOWN) {
    const codes = unknown.map((r) => r.id);
    const missing = new Set(unknown.flatMap((r) => r.missing));
    if (unknown.length === 0) codes.push('AMOUNT');
    for (const m of requiredMissing(point.amount.ir, cx)) missing.add(m);
    if (point.amount.cap) for (const m of requiredMissing(point.amount.cap, cx)) missing.add(m);
    return { ...base, outcome: 'undetermined', amountFen: null, rawAmount: null, capped: false, inEffect: true, conditions: results, reasonCodes: codes, missingFacts: [...missing].sort() };
  }
  const raw = amountV as Rat;
  const { amountFen, capped } = roundAndCap(point, raw, capV);
  return { ...base, outcome: 'eligible', amountFen, rawAmount: raw, capped, inEffect: true, conditions: results, reasonCodes: [], missingFacts: [] };
}

function roundAndCap(point: PointModel, raw: Rat, capV: EV | null): { amountFen: bigint; capped: boolean } {
  const amountFen = roundFen(raw, point.amount.rounding);
  if (capV === null) return { amountFen, capped: false };
  const capFen = roundFen(capV as Rat, point.amount.rounding);
  return amountFen > capFen ? { amountFen: capFen, capped: true } : { amountFen, capped: false };
}

/**
 * A point's amount for these facts whatever its conditions decide (what it would pay if eligible), rounded
 * and capped as evaluatePoint does; null, with the facts it lacks, when it cannot be computed. The
 * self-check (src/calculator/self-check.ts) uses it to state an amount or a range for an undecided point.
 */
export function evaluateAmount(point: PointModel, facts: Facts, period: Period): { amountFen: bigint | null; capped: boolean; missing: string[] } {
  const cx = newContext(point, facts, period);
  const amountV = evalIR(point.amount.ir, cx);
  const capV = amountV !== UNKNOWN && point.amount.cap ? evalIR(point.amount.cap, cx) : null;
  if (amountV === UNKNOWN || capV === UNKNOWN) {
    const missing = new Set(requiredMissing(point.amount.ir, cx));
    if (point.amount.cap) for (const m of requiredMissing(point.amount.cap, cx)) missing.add(m);
    return { amountFen: null, capped: false, missing: [...missing].sort() };
  }
  return { ...roundAndCap(point, amountV as Rat, capV), missing: [] };
}

/** Facts whose absence made this expression unknown (walks only unknown nodes). */
export function requiredMissing(ir: IR, cx: EvalContext): string[] {
  const out = new Set<string>();
  const walk = (n: IR) => {
    const v = cx.trace.get(n);
    if (v !== UNKNOWN) return;
    if (n.op === 'fact') out.add(n.fact.name);
    if (n.op === 'table') {
      const note = cx.notes.get(n);
      const m = note ? /^缺少:(.*)$/.exec(note) : null;
      if (m) out.add(m[1] as string);
    }
    if (n.op === 'ref') walk(n.def.body);
    for (const c of children(n)) walk(c);
  };
  walk(ir);
  return [...out].sort();
}

/** Evaluates a standalone expression (e.g. a derived fact) for one subject and period, with its trace. */
export function evaluateExpression(ir: IR, facts: Facts, period: Period, dataYearOffset = 0): { value: EV; missing: string[]; cx: EvalContext } {
  const cx: EvalContext = {
    facts,
    period,
    dataYear: period.year + dataYearOffset,
    paramDay: period.start,
    trace: new Map(),
    defs: new Map(),
    missing: new Set(),
    notes: new Map(),
    factCache: new Map(),
  };
  const value = evalIR(ir, cx);
  return { value, missing: value === UNKNOWN ? requiredMissing(ir, cx) : [], cx };
}
