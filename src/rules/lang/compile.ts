// The fast path: a point compiled to one JavaScript function (generated source, new Function) for batch
// matching. Numbers are exact fractions held in two safe integers (numerator, denominator); every product
// is checked against 2^53, and any value that does not fit (or any input the fast path does not handle,
// such as a money value given as a decimal string) hands that one record to the explaining evaluator.
// So results are exactly the evaluator's, by construction and by test.
import { codeWithin } from '../../dictionary/codes.ts';
import type { FactDef } from '../../dictionary/facts.ts';
import { children, evaluatePoint, parameterDay, paramValue, pointInEffect, type Facts } from './evaluate.ts';
import type { Cell, DefIR, IR, ParamIR, Val } from './ir.ts';
import type { PointModel } from './model.ts';
import { addMonths, fullMonths, fullYears, yearEnd, yearStart, type Period } from './period.ts';
import type { Rat } from './rational.ts';
import { cellMatches } from './table.ts';
import { dependencies } from './deps.ts';

type FastOutcome = 'eligible' | 'ineligible' | 'undetermined';

/** Reused between calls: copy what you keep. */
interface FastResult {
  outcome: FastOutcome;
  /** Whole fen as a safe integer, or null when not eligible. */
  amountFen: number | null;
  /** Failing (ineligible) or undecidable (undetermined) reason codes, in declaration order. Shared, frozen. */
  reasonCodes: readonly string[];
  /** true when this record was handed to the exact evaluator (a value beyond 2^53 or an unusual input). */
  viaEvaluator: boolean;
}

export interface CompiledPoint {
  point: PointModel;
  /** Evaluates one subject. The returned object is reused by the next call. */
  run: (facts: Facts, period: Period) => FastResult;
  /** The generated source, for inspection. */
  source: string;
}

/**
 * Thrown by the generated code and its helpers when a subject's facts are outside what the fast path
 * handles; run() catches it and asks the exact evaluator. One instance made once, so throwing it costs
 * no stack capture on the hot path.
 */
class FastPathFallback extends Error {
  constructor() {
    super('fast path cannot decide this subject; the exact evaluator decides');
    this.name = 'FastPathFallback';
  }
}
const FALLBACK = new FastPathFallback();
const INT_TEXT = /^-?\d{1,15}$/;
const MAX = Number.MAX_SAFE_INTEGER;

type CV = { k: 'bool'; v: string } | { k: 'num'; n: string; d: string; one: boolean } | { k: 'val'; v: string };

function isInt(r: Rat): boolean {
  return r.d === 1n;
}
function lit(r: Rat): { n: string; d: string } {
  if (r.n > BigInt(MAX) || r.n < -BigInt(MAX) || r.d > BigInt(MAX)) throw new RangeError('constant beyond 2^53');
  return { n: String(r.n), d: String(r.d) };
}

/** Helpers the generated code calls. */
const H = {
  FALLBACK,
  UNKNOWN: { unknown: true },
  fullYears,
  fullMonths,
  addMonths,
  yearStart,
  yearEnd,
  codeWithin,
  yearOf: (day: number) => new Date(day * 86_400_000).getUTCFullYear(),
  /** 'YYYY-MM-DD' -> day number, or throws FALLBACK for anything unusual (the evaluator then decides). */
  day(s: unknown): number {
    if (typeof s !== 'string' || s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) throw FALLBACK;
    const y = +s.slice(0, 4);
    const m = +s.slice(5, 7);
    const d = +s.slice(8, 10);
    if (!(y >= 1000 && m >= 1 && m <= 12 && d >= 1 && d <= 31)) throw FALLBACK;
    const ms = Date.UTC(y, m - 1, d);
    const back = new Date(ms);
    if (back.getUTCDate() !== d) throw FALLBACK;
    return ms / 86_400_000;
  },
  /** Integer fact (fen, persons, months): number or bigint, safe-integer only. */
  int(v: unknown): number {
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) return v;
      throw FALLBACK;
    }
    if (typeof v === 'bigint' && v <= 9007199254740991n && v >= -9007199254740991n) return Number(v);
    // Feeds store money as integer fen in a string ("1234500"); up to 15 digits is always safe.
    if (typeof v === 'string' && INT_TEXT.test(v)) return Number(v);
    throw FALLBACK;
  },
  /** a * b, or FALLBACK when the product is beyond 2^53. */
  m(a: number, b: number): number {
    const p = a * b;
    if (p > 9007199254740991 || p < -9007199254740991) throw FALLBACK;
    return p;
  },
  /** floor(a / b) for safe integers a, b > 0, exactly. */
  fdiv(a: number, b: number): number {
    let q = Math.floor(a / b);
    while (q * b > a) q--;
    while ((q + 1) * b <= a) q++;
    return q;
  },
};

type Factory = (
  h: typeof H,
  k: unknown[],
  codes: (mask: number) => readonly string[],
  ca: (readonly string[] | undefined)[],
  empty: readonly string[],
) => (F: Facts, P: Record<string, unknown>, R: FastResult) => FastResult;

/**
 * Generates the evaluation function of a point for one set of parameter values (they are constants
 * within a period, so they are compiled in as literals and the comparisons against them fold).
 */
function generate(point: PointModel, paramAt: (p: ParamIR) => Val | undefined): { body: string; factory: Factory; consts: unknown[]; ids: string[] } {
  const lines: string[] = [];
  const vars: string[] = [];
  let counter = 0;
  const fresh = (p = 't') => {
    const name = `${p}${++counter}`;
    vars.push(name);
    return name;
  };
  const consts: unknown[] = [];
  const constRef = (v: unknown) => {
    consts.push(v);
    return `K[${consts.length - 1}]`;
  };
  const emit = (s: string) => lines.push(s);
  const chk = (x: string) => `if (${x} > ${MAX} || ${x} < -${MAX}) throw H.FALLBACK;`;

  // Facts: read once, normalised, absent values mapped per the dictionary.
  const deps = dependencies([...point.conditions, ...point.exceptions].map((c) => c.ir).concat(point.amount.ir, point.amount.cap ? [point.amount.cap] : []));
  // Each fact is read where first needed (a flag guards the read), normalised, absent values mapped
  // per the dictionary; facts an early failure makes irrelevant are never touched.
  const factVals = new Map<FactDef, CV>();
  const factReads = new Map<FactDef, { flag: string; code: string[] }>();
  for (const f of deps.facts) {
    const code: string[] = [];
    const emit = (line: string) => code.push(line);
    factReads.set(f, { flag: fresh('g'), code });
    const raw = fresh('r');
    emit(`${raw} = F[${JSON.stringify(f.name)}];`);
    const absent = f.whenAbsent === 'false' ? (f.type.k === 'bool' ? '0' : 'undefined') : f.whenAbsent === 'none' ? 'null' : 'undefined';
    const nullable = 'nullable' in f.type && f.type.nullable === true;
    const isAbsent = nullable ? `${raw} === undefined` : `(${raw} === undefined || ${raw} === null)`;
    switch (f.type.k) {
      case 'num': {
        const n = fresh('n');
        emit(`if (Number.isSafeInteger(${raw})) ${n} = ${raw}; else if (${isAbsent}) ${n} = ${absent}; else if (${raw} === null) ${n} = null; else ${n} = H.int(${raw});`);
        factVals.set(f, { k: 'num', n, d: '1', one: true });
        break;
      }
      case 'bool': {
        const b = fresh('b');
        emit(`if (${isAbsent}) ${b} = ${f.whenAbsent === 'false' ? '0' : '2'}; else if (${raw} === true) ${b} = 1; else if (${raw} === false) ${b} = 0; else throw H.FALLBACK;`);
        factVals.set(f, { k: 'bool', v: b });
        break;
      }
      case 'date': {
        const v = fresh('v');
        emit(`if (${isAbsent}) ${v} = ${absent}; else if (${raw} === null) ${v} = null; else ${v} = H.day(${raw});`);
        factVals.set(f, { k: 'val', v });
        break;
      }
      case 'enum': {
        const v = fresh('v');
        const set = constRef(new Set(f.type.values));
        emit(`if (${isAbsent}) ${v} = ${absent}; else if (${raw} === null) ${v} = null; else if (${set}.has(${raw})) ${v} = ${raw}; else throw H.FALLBACK;`);
        factVals.set(f, { k: 'val', v });
        break;
      }
      default: {
        const v = fresh('v');
        emit(`if (${isAbsent}) ${v} = ${absent}; else if (${raw} === null) ${v} = null; else if (typeof ${raw} === 'string') ${v} = ${raw}; else throw H.FALLBACK;`);
        factVals.set(f, { k: 'val', v });
      }
    }
  }

  // Parameters are compiled in as literals (one generated function per set of parameter values).
  const paramVals = new Map<string, CV>();
  for (const p of deps.params) {
    const v = paramAt(p);
    if (p.ty.k === 'num') {
      if (v === undefined || v === null) paramVals.set(p.name, { k: 'num', n: 'undefined', d: '1', one: false });
      else {
        const c = lit(v as Rat);
        paramVals.set(p.name, { k: 'num', n: c.n, d: c.d, one: c.d === '1' });
      }
    } else if (p.ty.k === 'bool') paramVals.set(p.name, { k: 'bool', v: v === undefined ? '2' : v === true ? '1' : '0' });
    else paramVals.set(p.name, { k: 'val', v: v === undefined ? 'undefined' : JSON.stringify(v) });
  }

  const defSlots = new Map<DefIR, { flag: string; out: CV }>();
  const numUnknown = (c: CV & { k: 'num' }) => `${c.n} === undefined`;

  function cmpNums(a: CV & { k: 'num' }, b: CV & { k: 'num' }, op: string): string {
    if (a.one && b.one) return `(${a.n} ${op} ${b.n} ? 1 : 0)`;
    const x = fresh('x');
    const y = fresh('y');
    emit(`${x} = ${a.n} * ${b.d}; ${y} = ${b.n} * ${a.d}; ${chk(x)} ${chk(y)}`);
    return `(${x} ${op} ${y} ? 1 : 0)`;
  }

  function cellTest(cell: Cell, input: CV, ty: IR['ty']): string {
    if ('nullable' in ty && ty.nullable && input.k === 'val') {
      const plain = cellTestNonNull(cell, input);
      return `(${input.v} === null ? ${cellMatches(cell, null)} : ${plain})`;
    }
    return cellTestNonNull(cell, input);
  }
  function cellTestNonNull(cell: Cell, input: CV): string {
    const eq = (v: Val): string => {
      if (input.k === 'num') {
        const c = lit(v as Rat);
        if (input.one && c.d === '1') return `${input.n} === ${c.n}`;
        return `H.m(${input.n}, ${c.d}) === H.m(${c.n}, ${input.d})`;
      }
      if (input.k === 'bool') return `${input.v} === ${v === true ? 1 : 0}`;
      return `${input.v} === ${JSON.stringify(v)}`;
    };
    const rel = (op: string, v: Val): string => {
      if (input.k === 'num') {
        const c = lit(v as Rat);
        if (input.one && isInt(v as Rat)) return `${input.n} ${op} ${c.n}`;
        return `H.m(${input.n}, ${c.d}) ${op} H.m(${c.n}, ${input.d})`;
      }
      if (input.k === 'bool') return `${input.v} ${op} ${v === true ? 1 : 0}`;
      return `${input.v} ${op} ${JSON.stringify(v)}`;
    };
    switch (cell.k) {
      case 'any':
        return 'true';
      case 'cmp':
        return cell.o === '==' ? `(${eq(cell.v)})` : cell.o === '!=' ? `!(${eq(cell.v)})` : `(${rel(cell.o, cell.v)})`;
      case 'range':
        return `(${rel(cell.loInc ? '>=' : '>', cell.lo)} && ${rel(cell.hiInc ? '<=' : '<', cell.hi)})`;
      case 'oneof': {
        const any = cell.vs.filter((v) => v !== null).map((v) => `(${eq(v)})`).join(' || ') || 'false';
        return cell.negated ? `!(${any})` : `(${any})`;
      }
      case 'code':
        return `(${cell.prefixes.map((p) => `${(input as { v: string }).v}.startsWith(${JSON.stringify(p)})`).join(' || ')})`;
    }
  }

  /** The unknown test for a compiled value. */
  const unknownOf = (c: CV) => (c.k === 'bool' ? `${c.v} === 2` : c.k === 'num' ? numUnknown(c) : `${c.v} === undefined`);

  /** Emits code assigning `src` into `dst` (same shape). */
  function assign(dst: CV, src: CV): void {
    if (dst.k === 'num' && src.k === 'num') emit(`${dst.n} = ${src.n}; ${dst.d} = ${src.d};`);
    else if (dst.k === 'bool' && src.k === 'bool') emit(`${dst.v} = ${src.v};`);
    else if (dst.k === 'val' && src.k === 'val') emit(`${dst.v} = ${src.v};`);
  }
  function freshLike(ty: IR['ty'], one: boolean): CV {
    if (ty.k === 'num') return { k: 'num', n: fresh('n'), d: fresh('d'), one };
    if (ty.k === 'bool') return { k: 'bool', v: fresh('b') };
    return { k: 'val', v: fresh('v') };
  }
  function setUnknown(dst: CV): void {
    if (dst.k === 'num') emit(`${dst.n} = undefined; ${dst.d} = 1;`);
    else if (dst.k === 'bool') emit(`${dst.v} = 2;`);
    else emit(`${dst.v} = undefined;`);
  }
  /** Compiles a subexpression inside a branch so that it writes into dst. */
  function into(dst: CV, ir: IR): void {
    assign(dst, gen(ir));
  }

  function gen(ir: IR): CV {
    switch (ir.op) {
      case 'const': {
        const v = ir.v;
        if (ir.ty.k === 'num') {
          const c = lit(v as Rat);
          return { k: 'num', n: c.n, d: c.d, one: c.d === '1' };
        }
        if (ir.ty.k === 'bool') return { k: 'bool', v: v === true ? '1' : '0' };
        return { k: 'val', v: JSON.stringify(v) };
      }
      case 'fact': {
        const read = factReads.get(ir.fact);
        if (read && !eager.has(ir.fact)) emit(`if (${read.flag} !== 1) { ${read.code.join(' ')} ${read.flag} = 1; }`);
        return factVals.get(ir.fact) as CV;
      }
      case 'param':
        return paramVals.get(ir.param.name) as CV;
      case 'ref': {
        // Definitions are computed lazily, once per evaluation: a flag guards the body at each use.
        let slot = defSlots.get(ir.def);
        if (!slot) {
          slot = { flag: fresh('f'), out: freshLike(ir.def.ty, false) };
          defSlots.set(ir.def, slot);
        }
        emit(`if (${slot.flag} !== 1) {`);
        const v = gen(ir.def.body);
        assign(slot.out, v);
        emit(`${slot.flag} = 1; }`);
        return slot.out;
      }
      case 'period':
        if (ir.field === 'start' || ir.field === 'end') return { k: 'val', v: `P.${ir.field}` };
        return { k: 'num', n: `P.${ir.field}`, d: '1', one: true };
      case 'and':
      case 'or': {
        const out = fresh('b');
        const decisive = ir.op === 'or' ? 1 : 0;
        const l = gen(ir.l) as CV & { k: 'bool' };
        emit(`if (${l.v} === ${decisive}) ${out} = ${decisive}; else {`);
        const r = gen(ir.r) as CV & { k: 'bool' };
        emit(`${out} = ${r.v} === ${decisive} ? ${decisive} : (${l.v} === 2 || ${r.v} === 2) ? 2 : ${1 - decisive}; }`);
        return { k: 'bool', v: out };
      }
      case 'not': {
        const a = gen(ir.a) as CV & { k: 'bool' };
        const out = fresh('b');
        emit(`${out} = ${a.v} === 2 ? 2 : 1 - ${a.v};`);
        return { k: 'bool', v: out };
      }
      case 'neg': {
        const a = gen(ir.a) as CV & { k: 'num' };
        const n = fresh('n');
        emit(`${n} = ${a.n} === undefined ? undefined : -${a.n};`);
        return { k: 'num', n, d: a.d, one: a.one };
      }
      case 'arith': {
        const a = gen(ir.l) as CV & { k: 'num' };
        const b = gen(ir.r) as CV & { k: 'num' };
        const n = fresh('n');
        const d = fresh('d');
        const one = ir.o !== '/' && a.one && b.one;
        emit(`if (${a.n} === undefined || ${b.n} === undefined) { ${n} = undefined; ${d} = 1; } else {`);
        switch (ir.o) {
          case '+':
          case '-':
            if (a.one && b.one) emit(`${n} = ${a.n} ${ir.o} ${b.n}; ${d} = 1;`);
            else emit(`${n} = ${a.n} * ${b.d} ${ir.o} ${b.n} * ${a.d}; ${d} = ${a.d} * ${b.d}; ${chk(`(${a.n} * ${b.d})`)} ${chk(`(${b.n} * ${a.d})`)}`);
            break;
          case '*':
            emit(`${n} = ${a.n} * ${b.n}; ${d} = ${a.d} * ${b.d};`);
            break;
          case '/':
            emit(`if (${b.n} === 0) { ${n} = undefined; ${d} = 1; } else { ${n} = ${a.n} * ${b.d}; ${d} = ${a.d} * ${b.n}; if (${d} < 0) { ${n} = -${n}; ${d} = -${d}; } }`);
            break;
        }
        emit(`${chk(n)} ${chk(d)} }`);
        return { k: 'num', n, d, one };
      }
      case 'cmp': {
        const a = gen(ir.l);
        const b = gen(ir.r);
        const out = fresh('b');
        const op = ir.o === '==' ? '===' : ir.o === '!=' ? '!==' : ir.o;
        emit(`if (${unknownOf(a)} || ${unknownOf(b)}) ${out} = 2; else {`);
        if (a.k === 'num' && b.k === 'num') emit(`${out} = ${cmpNums(a, b, op)};`);
        else if (a.k === 'bool' && b.k === 'bool') emit(`${out} = ${a.v} ${op} ${b.v} ? 1 : 0;`);
        else emit(`${out} = ${(a as { v: string }).v} ${op} ${(b as { v: string }).v} ? 1 : 0;`);
        emit('}');
        return { k: 'bool', v: out };
      }
      case 'in': {
        const item = gen(ir.item);
        const out = fresh('b');
        let test: string;
        if (ir.prefixes) test = ir.prefixes.map((p) => `${(item as { v: string }).v}.startsWith(${JSON.stringify(p)})`).join(' || ') || 'false';
        else test = cellTest({ k: 'oneof', vs: ir.values, negated: false, text: '' }, item, ir.item.ty);
        emit(`${out} = ${unknownOf(item)} ? 2 : (${test}) ? ${ir.negated ? 0 : 1} : ${ir.negated ? 1 : 0};`);
        return { k: 'bool', v: out };
      }
      case 'isnone': {
        const a = gen(ir.a);
        const out = fresh('b');
        const val = a.k === 'num' ? a.n : (a as { v: string }).v;
        emit(`${out} = ${val} === undefined ? 2 : ${val} === null ? ${ir.negated ? 0 : 1} : ${ir.negated ? 1 : 0};`);
        return { k: 'bool', v: out };
      }
      case 'if': {
        const c = gen(ir.c) as CV & { k: 'bool' };
        const out = freshLike(ir.ty, false);
        emit(`if (${c.v} === 2) {`);
        setUnknown(out);
        emit(`} else if (${c.v} === 1) {`);
        into(out, ir.a);
        emit('} else {');
        into(out, ir.b);
        emit('}');
        return out;
      }
      case 'call':
        return genCall(ir);
      case 'table':
        return genTable(ir);
    }
  }

  function genCall(ir: Extract<IR, { op: 'call' }>): CV {
    const args = ir.args.map(gen);
    const unknown = args.map(unknownOf).join(' || ') || 'false';
    const v = (i: number) => (args[i] as { v: string }).v;
    const num = (i: number) => args[i] as CV & { k: 'num' };
    switch (ir.fn) {
      case 'age':
      case 'years_between':
      case 'months_between':
      case 'days_between': {
        const n = fresh('n');
        const body = ir.fn === 'days_between' ? `${v(1)} - ${v(0)}` : `H.${ir.fn === 'months_between' ? 'fullMonths' : 'fullYears'}(${v(0)}, ${v(1)})`;
        emit(`${n} = (${unknown}) ? undefined : ${body};`);
        return { k: 'num', n, d: '1', one: true };
      }
      case 'add_months':
      case 'add_years': {
        const out = fresh('v');
        const m = num(1);
        emit(`${out} = (${unknown}) ? undefined : H.addMonths(${v(0)}, Math.floor(${m.n} / ${m.d})${ir.fn === 'add_years' ? ' * 12' : ''});`);
        return { k: 'val', v: out };
      }
      case 'year_of': {
        const n = fresh('n');
        emit(`${n} = (${unknown}) ? undefined : H.yearOf(${v(0)});`);
        return { k: 'num', n, d: '1', one: true };
      }
      case 'year_start':
      case 'year_end': {
        const out = fresh('v');
        const y = num(0);
        emit(`${out} = (${unknown}) || ${y.d} !== 1 && (${y.n} % ${y.d}) !== 0 ? undefined : H.${ir.fn === 'year_start' ? 'yearStart' : 'yearEnd'}(${y.n} / ${y.d});`);
        return { k: 'val', v: out };
      }
      case 'min':
      case 'max': {
        const out = { k: 'num' as const, n: fresh('n'), d: fresh('d'), one: args.every((a) => a.k === 'num' && a.one) };
        const first = num(0);
        emit(`if (${unknown}) { ${out.n} = undefined; ${out.d} = 1; } else { ${out.n} = ${first.n}; ${out.d} = ${first.d};`);
        for (let i = 1; i < args.length; i++) {
          const a = num(i);
          const x = fresh('x');
          const y = fresh('y');
          emit(`${x} = ${a.n} * ${out.d}; ${y} = ${out.n} * ${a.d}; ${chk(x)} ${chk(y)} if (${x} ${ir.fn === 'min' ? '<' : '>'} ${y}) { ${out.n} = ${a.n}; ${out.d} = ${a.d}; }`);
        }
        emit('}');
        return out;
      }
      case 'coalesce': {
        const a = args[0] as CV;
        const b = args[1] as CV;
        const out = freshLike(ir.ty, a.k === 'num' && b.k === 'num' && a.one && b.one);
        const aval = a.k === 'num' ? a.n : (a as { v: string }).v;
        emit(`if (${aval} === undefined) {`);
        setUnknown(out);
        emit(`} else if (${aval} === null) {`);
        assign(out, b);
        emit('} else {');
        assign(out, a);
        emit('}');
        return out;
      }
    }
    throw new Error(`cannot compile function ${ir.fn}`);
  }

  function genTable(ir: Extract<IR, { op: 'table' }>): CV {
    const t = ir.table;
    const inputs = t.inputs.map((i) => gen(i.ir));
    const out = freshLike(ir.ty, false);
    // A one-input table on a string (code, enumeration) whose rows all give constants is a pure
    // function of that string: remember each answer (e.g. industry code -> 划型行业).
    const only = inputs[0];
    const memo =
      inputs.length === 1 && only?.k === 'val' && out.k === 'val' && t.inputs[0]?.ir.ty.k !== 'date' && [...t.rows.map((r) => r.out), ...(t.else ? [t.else] : [])].every((o) => 'undetermined' in o || o.op === 'const');
    let memoRef = '';
    if (memo) {
      memoRef = constRef(new Map<string, unknown>());
      emit(`if (${only.v} !== undefined && ${only.v} !== null && (${out.v} = ${memoRef}.get(${only.v})) !== undefined) { if (${out.v} === H.UNKNOWN) ${out.v} = undefined; } else {`);
    }
    const done = fresh('b');
    const m = fresh('b');
    const seen = fresh('b');
    emit(`${done} = 0; ${seen} = 0;`);
    setUnknown(out);
    // Outside the declared domain: else, or unknown.
    t.inputs.forEach((input, i) => {
      if (input.domain.k === 'any') return;
      const c = inputs[i] as CV;
      emit(`if (!${done}) { if (${unknownOf(c)}) { ${done} = 1; } else if (!${cellTest(input.domain, c, input.ir.ty)}) { ${done} = 1;`);
      if (t.else) into(out, t.else);
      emit('} }');
    });
    const emitRows = (rows: typeof t.rows, skipFirst: boolean) => {
      for (const row of rows) {
        emit(`if (!${done}) { ${m} = 1;`);
        row.cells.forEach((cell, i) => {
          if (cell.k === 'any' || (skipFirst && i === 0)) return;
          const c = inputs[i] as CV;
          emit(`if (${m} !== 0) { if (${unknownOf(c)}) ${m} = 2; else if (!${cellTest(cell, c, t.inputs[i]?.ir.ty as IR['ty'])}) ${m} = 0; }`);
        });
        emit(`if (${m} === 1) { ${done} = 1;`);
        if ('undetermined' in row.out) setUnknown(out);
        else into(out, row.out);
        emit(`} else if (${m} === 2) { ${t.hit === 'first' ? `${done} = 1;` : `${seen} = 1;`} } }`);
      }
    };
    // When the first input is a string matched by equality in every row, dispatch on it with a switch:
    // each case keeps, in order, the rows that can match that value (including rows with '-').
    const first = inputs[0];
    const firstCells = t.rows.map((r) => r.cells[0] as Cell);
    const keyOf = (c: Cell) => (c.k === 'oneof' && !c.negated && c.vs.length === 1 && typeof c.vs[0] === 'string' ? c.vs[0] : undefined);
    const switchable = first && first.k === 'val' && t.rows.length >= 6 && firstCells.every((c) => c.k === 'any' || keyOf(c) !== undefined);
    if (switchable) {
      const keys = [...new Set(firstCells.map(keyOf).filter((k): k is string => k !== undefined))];
      emit(`if (${unknownOf(first)}) {`);
      emitRows(t.rows, false);
      emit(`} else switch (${first.v}) {`);
      for (const key of keys) {
        emit(`case ${JSON.stringify(key)}: {`);
        emitRows(t.rows.filter((_, i) => firstCells[i]?.k === 'any' || keyOf(firstCells[i] as Cell) === key), true);
        emit('break; }');
      }
      emit('default: {');
      emitRows(t.rows.filter((_, i) => firstCells[i]?.k === 'any'), true);
      emit('} }');
    } else emitRows(t.rows, false);
    emit(`if (!${done} && !${seen}) {`);
    if (t.else) into(out, t.else);
    emit('}');
    if (memo) emit(`if (${only?.k === 'val' ? only.v : ''} !== undefined && ${only?.k === 'val' ? only.v : ''} !== null) ${memoRef}.set(${only?.k === 'val' ? only.v : ''}, ${(out as { v: string }).v} === undefined ? H.UNKNOWN : ${(out as { v: string }).v}); }`);
    return out;
  }

  const checks = [...point.conditions.map((c) => ({ c, exception: false })), ...point.exceptions.map((c) => ({ c, exception: true }))];
  // Facts the conditions read directly are read up front (every condition is evaluated anyway);
  // facts only definitions or the amount need stay lazy.
  const eager = new Set<FactDef>();
  const direct = (ir: IR) => {
    if (ir.op === 'fact') eager.add(ir.fact);
    if (ir.op !== 'ref') children(ir).forEach(direct);
  };
  checks.forEach(({ c }) => direct(c.ir));
  for (const f of eager) {
    const read = factReads.get(f);
    if (read) emit(read.code.join(' '));
  }
  if (checks.length > 30) throw new RangeError(`point ${point.id} has more than 30 conditions; the fast path keeps them in a bit mask`);
  emit('fail = 0; unk = 0;');
  checks.forEach(({ c, exception }, i) => {
    const v = gen(c.ir) as CV & { k: 'bool' };
    emit(`if (${v.v} === ${exception ? 1 : 0}) fail |= ${1 << i}; else if (${v.v} === 2) unk |= ${1 << i};`);
  });
  emit(`if (fail !== 0) { R.viaEvaluator = false; R.outcome = 'ineligible'; R.amountFen = null; R.reasonCodes = CA[fail] || codes(fail); return R; }`);
  emit(`if (unk !== 0) { R.viaEvaluator = false; R.outcome = 'undetermined'; R.amountFen = null; R.reasonCodes = CA[unk] || codes(unk); return R; }`);
  const amount = gen(point.amount.ir) as CV & { k: 'num' };
  const rounding = point.amount.rounding;
  const unit = rounding.endsWith('yuan') ? 100 : 1;
  const halfUp = rounding.startsWith('half-up');
  const roundInto = (target: string, c: CV & { k: 'num' }) => {
    if (c.one && unit === 1) {
      // Whole fen already: nothing to round.
      emit(`${target} = ${c.n};`);
      return;
    }
    if (unit === 1) emit(`if (${c.d} === 1) ${target} = ${c.n}; else {`);
    const den = fresh('x');
    const mag = fresh('y');
    emit(`${den} = ${c.d} * ${unit}; ${mag} = ${c.n} < 0 ? -${c.n} : ${c.n}; ${chk(den)}`);
    if (halfUp) emit(`${chk(`(${mag} * 2 + ${den})`)} ${target} = H.fdiv(${mag} * 2 + ${den}, ${den} * 2) * ${unit}; ${chk(`(${den} * 2)`)}`);
    else emit(`${target} = H.fdiv(${mag}, ${den}) * ${unit};`);
    emit(`if (${c.n} < 0) ${target} = -${target}; ${chk(target)}`);
    if (unit === 1) emit('}');
  };
  emit(`if (${amount.n} === undefined) { R.viaEvaluator = false; R.outcome = 'undetermined'; R.amountFen = null; R.reasonCodes = codes(${1 << 30}); return R; }`);
  if (point.amount.cap) {
    const cap = gen(point.amount.cap) as CV & { k: 'num' };
    emit(`if (${cap.n} === undefined) { R.viaEvaluator = false; R.outcome = 'undetermined'; R.amountFen = null; R.reasonCodes = codes(${1 << 30}); return R; }`);
    roundInto('amt', amount);
    roundInto('capAmt', cap);
    emit('if (amt > capAmt) amt = capAmt;');
  } else {
    roundInto('amt', amount);
  }
  emit(`R.viaEvaluator = false; R.outcome = 'eligible'; R.amountFen = amt; R.reasonCodes = EMPTY; return R;`);

  const body = `"use strict";\nlet fail, unk, amt, capAmt${vars.length ? `, ${vars.join(', ')}` : ''};\n${lines.join('\n')}`;
  // Compiling the point to JavaScript is the fast path's purpose. The body is generated from the checked
  // IR, not from policy text: names appear only JSON-quoted, values travel in K, never spliced in.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('H', 'K', 'codes', 'CA', 'EMPTY', `return function evaluate(F, P, R) {\n${body}\n};`) as Factory;
  return { body, factory, consts, ids: checks.map(({ c }) => c.id) };
}

export function compilePoint(point: PointModel): CompiledPoint {
  const deps = dependencies([...point.conditions, ...point.exceptions].map((c) => c.ir).concat(point.amount.ir, point.amount.cap ? [point.amount.cap] : []));
  const params = [...deps.params];
  let ids: string[] = [];
  const cache = new Map<number, readonly string[]>();
  /** Reason-code lists by bit mask for small masks: one array lookup per ineligible record. */
  const CA: (readonly string[] | undefined)[] = [];
  const EMPTY: readonly string[] = Object.freeze([]);
  const codes = (mask: number): readonly string[] => {
    let got = cache.get(mask);
    if (!got) {
      const list: string[] = [];
      if (mask === 1 << 30) list.push('AMOUNT');
      else ids.forEach((id, i) => mask & (1 << i) && list.push(id));
      got = Object.freeze(list);
      cache.set(mask, got);
      if (mask < 4096) CA[mask] = got;
    }
    return got;
  };
  // One generated function per distinct set of parameter values (a new rate year is a new function).
  // A constant beyond 2^53 (in the rule or a parameter) leaves that variant to the exact evaluator.
  const variants = new Map<string, { fn: ReturnType<Factory> | null; body: string }>();
  const variantFor = (paramDay: number) => {
    const values = params.map((p) => paramValue(p, paramDay));
    const key = JSON.stringify(values, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    let got = variants.get(key);
    if (!got) {
      try {
        const g = generate(point, (p) => values[params.indexOf(p)]);
        ids = g.ids;
        got = { fn: g.factory(H, g.consts, codes, CA, EMPTY), body: g.body };
      } catch (e) {
        if (!(e instanceof RangeError)) throw e;
        got = { fn: null, body: `// exact evaluator only: ${e.message}` };
      }
      variants.set(key, got);
    }
    return got;
  };
  const defaultVariant = variantFor(point.effective.from);
  let fn: ReturnType<Factory> | null = defaultVariant.fn;
  const NOT_IN_EFFECT: readonly string[] = Object.freeze(['NOT_IN_EFFECT']);

  let lastPeriod: Period | undefined;
  let P: Record<string, unknown> = {};
  let inEffect = false;
  let paramsFit = true;
  let direct = false;
  const prepare = (period: Period) => {
    const paramDay = parameterDay(point, period);
    P = { start: period.start, end: period.end, year: period.year, dataYear: period.year + point.dataYearOffset };
    fn = variantFor(paramDay).fn;
    paramsFit = fn !== null;
    inEffect = pointInEffect(point, period);
    direct = inEffect && paramsFit;
    lastPeriod = period;
  };
  const R: FastResult = { outcome: 'ineligible', amountFen: null, reasonCodes: EMPTY, viaEvaluator: false };
  const exact = (facts: Facts, period: Period): FastResult => {
    const ev = evaluatePoint(point, facts, period);
    R.outcome = ev.outcome;
    if (ev.amountFen !== null && (ev.amountFen > BigInt(MAX) || ev.amountFen < -BigInt(MAX))) throw new RangeError(`amount ${ev.amountFen} fen does not fit the fast path's result; use evaluatePoint`);
    R.amountFen = ev.amountFen === null ? null : Number(ev.amountFen);
    R.reasonCodes = ev.reasonCodes.length ? Object.freeze([...ev.reasonCodes]) : EMPTY;
    R.viaEvaluator = true;
    return R;
  };
  const run = (facts: Facts, period: Period): FastResult => {
    if (period !== lastPeriod) prepare(period);
    if (direct) {
      try {
        return (fn as ReturnType<Factory>)(facts, P, R);
      } catch (e) {
        if (e === FALLBACK) return exact(facts, period);
        throw e;
      }
    }
    if (!inEffect) {
      R.outcome = 'ineligible';
      R.amountFen = null;
      R.reasonCodes = NOT_IN_EFFECT;
      R.viaEvaluator = false;
      return R;
    }
    return exact(facts, period);
  };
  return { point, run, source: defaultVariant.body };
}
