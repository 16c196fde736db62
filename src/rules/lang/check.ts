// Type checker: turns parsed expressions into typed IR against the data dictionary, the point's own
// definitions and its parameters. Refuses unknown names, unit mismatches, comparisons of incompatible
// types, values outside a code list or enumeration, and cycles among definitions.
import { codePrefix, codeProblem } from '../../dictionary/codes.ts';
import type { FactDef, SubjectType } from '../../dictionary/facts.ts';
import type { Cell, DefIR, IR, ParamIR, Val } from './ir.ts';
import { ExprSyntaxError, parseExpr } from './parser.ts';
import { rat } from './rational.ts';
import { errorAt, type NamedDefSpec, type PolicyError, type SrcText, type TableSpec } from './spec.ts';
import { checkTableCoverage, parseCell } from './table.ts';
import { combineUnits, isNullable, nonNull, sameType, sameUnit, typeLabel, unitLabel, type Expr, type Type, type Unit } from './types.ts';

/** A type error at an offset in the expression: the same shape as a syntax error, reported without the "syntax error" prefix. */
class CheckError extends ExprSyntaxError {}

/** Thrown when an expression uses a definition that already failed: its errors are already reported. */
class Poisoned extends Error {}

export interface DefSlot {
  spec: NamedDefSpec;
  kind: 'derived' | 'let';
  subject: SubjectType;
  state: 'todo' | 'checking' | 'done' | 'failed';
  ir?: DefIR;
}

export interface CheckContext {
  subject: SubjectType;
  facts: ReadonlyMap<string, FactDef>;
  globals: ReadonlyMap<string, DefSlot>;
  locals: ReadonlyMap<string, DefSlot>;
  params: ReadonlyMap<string, ParamIR>;
  errors: PolicyError[];
  /** Names being checked, for cycle reports. */
  stack: string[];
}

let nextId = 1;
const num = (unit: Unit, pct = false): Type => ({ k: 'num', unit, pct });
const BOOL: Type = { k: 'bool' };
const DATE: Type = { k: 'date' };

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0] as number;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j] as number;
      dp[j] = Math.min((dp[j] as number) + 1, (dp[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length] as number;
}

export function suggest(name: string, candidates: Iterable<string>): string {
  let best = '';
  let bestScore = Infinity;
  for (const c of candidates) {
    const s = levenshtein(name.toLowerCase(), c.toLowerCase());
    if (s < bestScore) {
      best = c;
      bestScore = s;
    }
  }
  return best && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? `; did you mean '${best}'?` : '';
}

/** Resolves a definition (derived fact or local), checking it on first use; reports cycles. */
export function resolveDef(ctx: CheckContext, slot: DefSlot): DefIR | undefined {
  if (slot.state === 'done') return slot.ir;
  if (slot.state === 'failed') return undefined;
  if (slot.state === 'checking') {
    const from = ctx.stack.indexOf(slot.spec.name);
    const cycle = [...ctx.stack.slice(from), slot.spec.name].join(' → ');
    ctx.errors.push(errorAt(slot.spec.loc, `cycle among derived facts: ${cycle}`, 'definitions that do not depend on themselves'));
    slot.state = 'failed';
    return undefined;
  }
  slot.state = 'checking';
  ctx.stack.push(slot.spec.name);
  const inner: CheckContext = { ...ctx, subject: slot.subject, locals: slot.kind === 'derived' ? new Map() : ctx.locals };
  const body = checkDefBody(inner, slot.spec);
  ctx.stack.pop();
  if ((slot.state as DefSlot['state']) === 'failed' || !body) {
    slot.state = 'failed';
    return undefined;
  }
  slot.ir = { name: slot.spec.name, zh: slot.spec.zh, kind: slot.kind, cite: slot.spec.cite, ty: body.ty, body, source: defSource(slot.spec) };
  slot.state = 'done';
  return slot.ir;
}

function defSource(spec: NamedDefSpec): unknown {
  const strip = (s: SrcText) => s.text;
  if ('expr' in spec.def) return { name: spec.name, zh: spec.zh, cite: spec.cite ?? null, expr: strip(spec.def.expr) };
  const t = spec.def.table;
  return {
    name: spec.name,
    zh: spec.zh,
    cite: spec.cite ?? null,
    table: {
      hit: t.hit,
      inputs: t.inputs.map((i) => ({ expr: strip(i.expr), label: i.label ?? null, domain: i.domain ? strip(i.domain) : null })),
      rows: t.rows.map((r) => ({ when: r.when.map(strip), then: 'undetermined' in r.then ? { undetermined: strip(r.then.undetermined) } : strip(r.then) })),
      else: t.else ? strip(t.else) : null,
    },
  };
}

function checkDefBody(ctx: CheckContext, spec: NamedDefSpec): IR | undefined {
  if ('expr' in spec.def) return checkSource(ctx, spec.def.expr);
  return checkTable(ctx, spec.def.table, spec.zh);
}

/** Parses and checks one expression; records errors and returns undefined on failure. */
export function checkSource(ctx: CheckContext, src: SrcText, want?: (t: Type) => string | undefined): IR | undefined {
  let ast: Expr;
  try {
    ast = parseExpr(src.text);
  } catch (e) {
    if (e instanceof ExprSyntaxError) {
      ctx.errors.push(errorAt(src.loc, `syntax error: ${e.message}`, e.expected, e.offset));
      return undefined;
    }
    throw e;
  }
  try {
    const ir = checkExpr(ctx, ast, src.text, new Set());
    const problem = want?.(ir.ty);
    if (problem) {
      ctx.errors.push(errorAt(src.loc, `expression has type ${typeLabel(ir.ty)}`, problem));
      return undefined;
    }
    return ir;
  } catch (e) {
    if (e instanceof CheckError) {
      ctx.errors.push(errorAt(src.loc, e.message, e.expected, e.offset));
      return undefined;
    }
    if (e instanceof Poisoned) return undefined;
    throw e;
  }
}

function mk<T extends Omit<IR, 'id'>>(node: T): IR {
  return { id: nextId++, ...node } as unknown as IR;
}

function constOf(e: Expr): { v: Val; ty: Type } | undefined {
  switch (e.t) {
    case 'num':
      return { v: rat(e.n, e.d), ty: num(e.unit, e.pct) };
    case 'neg': {
      const inner = constOf(e.arg);
      if (inner && inner.ty.k === 'num' && inner.v !== null && typeof inner.v === 'object') return { v: rat(-inner.v.n, inner.v.d), ty: inner.ty };
      return undefined;
    }
    case 'str':
      return { v: e.value, ty: { k: 'text' } };
    case 'bool':
      return { v: e.value, ty: BOOL };
    case 'date':
      return { v: e.day, ty: DATE };
    default:
      return undefined;
  }
}

/** Checks that a constant fits the type of the other side (enum value, code, unit). */
function fitConst(c: { v: Val; ty: Type }, target: Type, offset: number): Val {
  const t = nonNull(target);
  if (t.k === 'enum') {
    if (c.ty.k !== 'text' || typeof c.v !== 'string') throw new CheckError(offset, `${typeLabel(c.ty)} cannot be compared with ${typeLabel(t)}`, `one of ${t.values.join('|')}`);
    if (!t.values.includes(c.v)) throw new CheckError(offset, `'${c.v}' is not a value of ${t.name}`, `one of ${t.values.join('|')}`);
    return c.v;
  }
  if (t.k === 'code') {
    if (c.ty.k !== 'text' || typeof c.v !== 'string') throw new CheckError(offset, `${typeLabel(c.ty)} is not a code`, `a quoted ${typeLabel(t)}`);
    const problem = codeProblem(t.list, c.v);
    if (problem) throw new CheckError(offset, problem, `a valid ${typeLabel(t)}`);
    return c.v;
  }
  if (!sameType(c.ty, t)) throw new CheckError(offset, `unit or type mismatch: ${typeLabel(c.ty)} against ${typeLabel(t)}`, typeLabel(t));
  return c.v;
}

function requireNonNull(ir: IR, offset: number, narrowed: Set<string>): void {
  if (!isNullable(ir.ty)) return;
  const name = ir.op === 'fact' ? ir.fact.name : ir.op === 'ref' ? ir.def.name : undefined;
  if (name && narrowed.has(name)) return;
  throw new CheckError(offset, `'${ir.src}' may be none (no record)`, `a guard such as '${ir.src} is not none and ...' or coalesce(${ir.src}, default)`);
}

function stripNull(ir: IR, narrowed: Set<string>): IR {
  const name = ir.op === 'fact' ? ir.fact.name : ir.op === 'ref' ? ir.def.name : undefined;
  if (name && narrowed.has(name) && isNullable(ir.ty)) return { ...ir, ty: nonNull(ir.ty) };
  return ir;
}

function checkExpr(ctx: CheckContext, e: Expr, text: string, narrowed: Set<string>): IR {
  const src = text.slice(e.span.start, e.span.end);
  const at = e.span.start;
  const sub = (x: Expr, n = narrowed) => stripNull(checkExpr(ctx, x, text, n), n);
  switch (e.t) {
    case 'num':
    case 'str':
    case 'bool':
    case 'date': {
      const c = constOf(e) as { v: Val; ty: Type };
      return mk({ op: 'const', v: c.v, pct: e.t === 'num' && e.pct, ty: c.ty, src });
    }
    case 'none':
      throw new CheckError(at, "'none' can only be tested with 'is none'", "'x is none' or 'x is not none'");
    case 'list':
      throw new CheckError(at, 'a list can only follow in', "'x in [a, b]'");
    case 'period': {
      const ty = e.field === 'start' || e.field === 'end' ? DATE : num({});
      return mk({ op: 'period', field: e.field, ty, src });
    }
    case 'name': {
      const local = ctx.locals.get(e.name);
      if (local) {
        const def = resolveDef(ctx, local);
        if (!def) throw new Poisoned();
        return mk({ op: 'ref', def, ty: def.ty, src });
      }
      const param = ctx.params.get(e.name);
      if (param) return mk({ op: 'param', param, ty: param.ty, src });
      const global = ctx.globals.get(e.name);
      if (global) {
        if (global.subject !== ctx.subject) throw new CheckError(at, `derived fact '${e.name}' belongs to ${global.subject} subjects, not ${ctx.subject}`, `a fact of a ${ctx.subject}`);
        const def = resolveDef(ctx, global);
        if (!def) throw new Poisoned();
        return mk({ op: 'ref', def, ty: def.ty, src });
      }
      const fact = ctx.facts.get(e.name);
      if (fact) {
        if (fact.subject !== ctx.subject) throw new CheckError(at, `fact '${e.name}' belongs to ${fact.subject} subjects, not ${ctx.subject}`, `a fact of a ${ctx.subject}`);
        return mk({ op: 'fact', fact, ty: fact.type, src });
      }
      const known = [...ctx.locals.keys(), ...ctx.params.keys(), ...ctx.globals.keys(), ...[...ctx.facts.values()].filter((f) => f.subject === ctx.subject).map((f) => f.name)];
      throw new CheckError(at, `unknown fact '${e.name}'${suggest(e.name, known)}`, 'a fact from the data dictionary, a derived fact, a let or a parameter');
    }
    case 'not': {
      const a = sub(e.arg);
      if (a.ty.k !== 'bool') throw new CheckError(e.arg.span.start, `'not' needs a condition, got ${typeLabel(a.ty)}`, '布尔');
      requireNonNull(a, at, narrowed);
      return mk({ op: 'not', a, ty: BOOL, src });
    }
    case 'neg': {
      const a = sub(e.arg);
      if (a.ty.k !== 'num') throw new CheckError(at, `cannot negate ${typeLabel(a.ty)}`, 'a number');
      requireNonNull(a, at, narrowed);
      return mk({ op: 'neg', a, ty: a.ty, src });
    }
    case 'isnone': {
      const a = checkExpr(ctx, e.arg, text, narrowed);
      if (!isNullable(a.ty)) throw new CheckError(at, `'${a.src}' always has a value; 'is none' would never hold`, 'a fact that may have no record (type with 或无)');
      return mk({ op: 'isnone', negated: e.negated, a, ty: BOOL, src });
    }
    case 'if': {
      const c = sub(e.cond);
      if (c.ty.k !== 'bool') throw new CheckError(e.cond.span.start, `'if' needs a condition, got ${typeLabel(c.ty)}`, '布尔');
      requireNonNull(c, e.cond.span.start, narrowed);
      const a = sub(e.then);
      const b = sub(e.else);
      if (!sameType(nonNull(a.ty), nonNull(b.ty))) throw new CheckError(e.else.span.start, `branches differ: ${typeLabel(a.ty)} vs ${typeLabel(b.ty)}`, typeLabel(a.ty));
      const pct = a.ty.k === 'num' && b.ty.k === 'num' && a.ty.pct === true && b.ty.pct === true;
      return mk({ op: 'if', c, a, b, ty: a.ty.k === 'num' ? { ...a.ty, pct } : a.ty, src });
    }
    case 'in': {
      const item = sub(e.item);
      requireNonNull(item, at, narrowed);
      if (e.set.t !== 'list') throw new CheckError(e.set.span.start, "'in' needs a list of constants", '[a, b, ...]');
      const values: Val[] = [];
      for (const x of e.set.items) {
        const c = constOf(x);
        if (!c) throw new CheckError(x.span.start, 'list items must be constants', 'a number, string, date or true/false');
        values.push(fitConst(c, item.ty, x.span.start));
      }
      const t = nonNull(item.ty);
      const prefixes = t.k === 'code' ? (values as string[]).map((v) => codePrefix(t.list, v)) : null;
      return mk({ op: 'in', negated: e.negated, item, values, prefixes, ty: BOOL, src });
    }
    case 'bin': {
      if (e.op === 'and' || e.op === 'or') {
        const l = sub(e.left);
        if (l.ty.k !== 'bool') throw new CheckError(e.left.span.start, `'${e.op}' needs conditions, got ${typeLabel(l.ty)}`, '布尔');
        requireNonNull(l, e.left.span.start, narrowed);
        const guards = guardNames(e.left, e.op);
        const inner = guards.length ? new Set([...narrowed, ...guards]) : narrowed;
        const r = sub(e.right, inner);
        if (r.ty.k !== 'bool') throw new CheckError(e.right.span.start, `'${e.op}' needs conditions, got ${typeLabel(r.ty)}`, '布尔');
        requireNonNull(r, e.right.span.start, inner);
        return mk({ op: e.op, l, r, ty: BOOL, src });
      }
      const l = sub(e.left);
      const r = sub(e.right);
      requireNonNull(l, e.left.span.start, narrowed);
      requireNonNull(r, e.right.span.start, narrowed);
      if (e.op === '+' || e.op === '-' || e.op === '*' || e.op === '/') {
        if (l.ty.k !== 'num' || r.ty.k !== 'num') throw new CheckError(at, `'${e.op}' needs numbers, got ${typeLabel(l.ty)} and ${typeLabel(r.ty)}`, 'numbers (use add_months, days_between etc. for dates)');
        let ty: Type;
        if (e.op === '+' || e.op === '-') {
          if (!sameUnit(l.ty.unit, r.ty.unit)) throw new CheckError(e.right.span.start, `unit mismatch: ${unitLabel(l.ty.unit)} ${e.op} ${unitLabel(r.ty.unit)}`, `a value in ${unitLabel(l.ty.unit)}`);
          ty = num(l.ty.unit, l.ty.pct === true && r.ty.pct === true);
        } else {
          ty = num(combineUnits(l.ty.unit, r.ty.unit, e.op === '*' ? 1 : -1), e.op === '/' && Object.keys(combineUnits(l.ty.unit, r.ty.unit, -1)).length === 0);
        }
        return mk({ op: 'arith', o: e.op, l, r, ty, src });
      }
      const o = e.op;
      // A string literal on either side is checked against the other side's enumeration or code list.
      if (l.op === 'const' && l.ty.k === 'text' && r.ty.k !== 'text') {
        fitConst({ v: l.v, ty: l.ty }, r.ty, e.left.span.start);
        return mk({ op: 'cmp', o, l: { ...l, ty: nonNull(r.ty) }, r, ty: BOOL, src });
      }
      if (r.op === 'const' && r.ty.k === 'text' && l.ty.k !== 'text') {
        fitConst({ v: r.v, ty: r.ty }, l.ty, e.right.span.start);
        return mk({ op: 'cmp', o, l, r: { ...r, ty: nonNull(l.ty) }, ty: BOOL, src });
      }
      const lt = nonNull(l.ty);
      const rt = nonNull(r.ty);
      if (o !== '==' && o !== '!=') {
        if (!((lt.k === 'num' && rt.k === 'num') || (lt.k === 'date' && rt.k === 'date'))) {
          throw new CheckError(at, `'${o}' compares numbers or dates, got ${typeLabel(lt)} and ${typeLabel(rt)}`, 'two numbers with the same unit, or two dates');
        }
      }
      if (!sameType(lt, rt)) {
        const both = lt.k === 'num' && rt.k === 'num';
        throw new CheckError(e.right.span.start, `${both ? 'unit mismatch' : 'type mismatch'}: ${typeLabel(lt)} ${o} ${typeLabel(rt)}`, `a value of type ${typeLabel(lt)}`);
      }
      return mk({ op: 'cmp', o, l, r, ty: BOOL, src });
    }
    case 'call':
      return checkCall(ctx, e, text, narrowed, src);
  }
}

/** In 'x is not none and ...' or 'x is none or ...' the right side may use x as present (through chains). */
function guardNames(left: Expr, op: 'and' | 'or'): string[] {
  if (left.t === 'bin' && left.op === op) return [...guardNames(left.left, op), ...guardNames(left.right, op)];
  if (left.t !== 'isnone' || left.arg.t !== 'name') return [];
  if (op === 'and' && left.negated) return [left.arg.name];
  if (op === 'or' && !left.negated) return [left.arg.name];
  return [];
}

export const FUNCTION_LABELS: Record<string, string> = {
  age: '周岁年龄',
  years_between: '相隔整年数',
  months_between: '相隔整月数',
  days_between: '相隔天数',
  add_months: '加月份后的日期',
  add_years: '加年份后的日期',
  year_of: '年份',
  year_start: '年初',
  year_end: '年末',
  min: '较小值',
  max: '较大值',
  coalesce: '无记录时取默认值',
};

function checkCall(ctx: CheckContext, e: Extract<Expr, { t: 'call' }>, text: string, narrowed: Set<string>, src: string): IR {
  const at = e.span.start;
  const args = e.args.map((a) => stripNull(checkExpr(ctx, a, text, narrowed), narrowed));
  const arity = (n: number) => {
    if (args.length !== n) throw new CheckError(at, `${e.fn} takes ${n} argument(s), got ${args.length}`, `${n} argument(s)`);
  };
  const want = (i: number, pred: (t: Type) => boolean, label: string) => {
    const a = args[i] as IR;
    if (!pred(a.ty)) throw new CheckError((e.args[i] as Expr).span.start, `argument ${i + 1} of ${e.fn} has type ${typeLabel(a.ty)}`, label);
  };
  const isDate = (t: Type) => t.k === 'date';
  const isUnit = (u: Unit) => (t: Type) => t.k === 'num' && sameUnit(t.unit, u);
  const call = (ty: Type) => mk({ op: 'call', fn: e.fn, args, ty, src });
  const allNonNull = (from = 0) => args.slice(from).forEach((a, i) => requireNonNull(a, (e.args[i + from] as Expr).span.start, narrowed));
  switch (e.fn) {
    case 'age':
    case 'years_between':
    case 'months_between':
    case 'days_between': {
      arity(2);
      want(0, isDate, '日期');
      want(1, isDate, '日期');
      allNonNull();
      const unit: Unit = e.fn === 'age' ? { age: 1 } : e.fn === 'years_between' ? { year: 1 } : e.fn === 'months_between' ? { month: 1 } : { day: 1 };
      return call(num(unit));
    }
    case 'add_months':
    case 'add_years': {
      arity(2);
      want(0, isDate, '日期');
      want(1, isUnit(e.fn === 'add_months' ? { month: 1 } : { year: 1 }), e.fn === 'add_months' ? '月数，如 12个月' : '年数，如 2年');
      allNonNull();
      return call(DATE);
    }
    case 'year_of':
      arity(1);
      want(0, isDate, '日期');
      allNonNull();
      return call(num({}));
    case 'year_start':
    case 'year_end':
      arity(1);
      want(0, isUnit({}), '年份数字，如 period.year');
      allNonNull();
      return call(DATE);
    case 'min':
    case 'max': {
      if (args.length < 2) throw new CheckError(at, `${e.fn} takes at least 2 arguments`, '2 or more numbers with the same unit');
      const first = args[0] as IR;
      if (first.ty.k !== 'num') throw new CheckError(at, `${e.fn} needs numbers`, 'numbers with the same unit');
      const u = first.ty.unit;
      args.forEach((_, i) => want(i, isUnit(u), `a number in ${unitLabel(u)}`));
      allNonNull();
      return call(num(u, args.every((a) => a.ty.k === 'num' && a.ty.pct === true)));
    }
    case 'coalesce': {
      arity(2);
      const [a, b] = args as [IR, IR];
      if (!isNullable(a.ty)) throw new CheckError(at, `'${a.src}' always has a value`, 'a fact that may have no record');
      if (!sameType(nonNull(a.ty), nonNull(b.ty))) throw new CheckError((e.args[1] as Expr).span.start, `default has type ${typeLabel(b.ty)}`, typeLabel(nonNull(a.ty)));
      requireNonNull(b, (e.args[1] as Expr).span.start, narrowed);
      return call(nonNull(a.ty));
    }
    default:
      throw new CheckError(at, `unknown function '${e.fn}'${suggest(e.fn, Object.keys(FUNCTION_LABELS))}`, `one of ${Object.keys(FUNCTION_LABELS).join(', ')}`);
  }
}

export function checkTable(ctx: CheckContext, spec: TableSpec, enumName?: string): IR | undefined {
  const before = ctx.errors.length;
  const inputs: { ir: IR; label: string; domain: Cell }[] = [];
  for (const input of spec.inputs) {
    const ir = checkSource(ctx, input.expr);
    if (!ir) continue;
    if (isNullable(ir.ty) && ir.ty.k === 'num') {
      ctx.errors.push(errorAt(input.expr.loc, `numeric table input '${input.expr.text}' may be none`, 'an input that always has a value (use coalesce)'));
      continue;
    }
    const domain = input.domain ? parseCell(input.domain, ir.ty, ctx.errors) : { k: 'any' as const };
    if (!domain) continue;
    inputs.push({ ir, label: input.label ?? (ir.op === 'fact' ? ir.fact.zh : ir.op === 'ref' ? ir.def.zh : input.expr.text), domain });
  }
  if (ctx.errors.length > before) return undefined;
  let outTy: Type | undefined;
  let outLoc: SrcText | undefined;
  const rows: { cells: Cell[]; out: IR | { undetermined: FactDef } }[] = [];
  const unifyOut = (ir: IR, s: SrcText) => {
    if (!outTy) {
      outTy = ir.ty;
      outLoc = s;
    } else if (!sameType(nonNull(outTy), nonNull(ir.ty))) {
      ctx.errors.push(errorAt(s.loc, `table outputs differ: ${typeLabel(ir.ty)} here, ${typeLabel(outTy)} at '${outLoc?.text}'`, typeLabel(outTy)));
    } else if (outTy.k === 'num' && ir.ty.k === 'num' && outTy.pct !== ir.ty.pct) {
      outTy = { ...outTy, pct: false };
    }
  };
  spec.rows.forEach((row, r) => {
    if (row.when.length !== inputs.length) {
      ctx.errors.push(errorAt(row.loc, `row ${r + 1} has ${row.when.length} cells but the table has ${inputs.length} inputs`, `${inputs.length} cells`));
      return;
    }
    const cells: Cell[] = [];
    row.when.forEach((w, i) => {
      const c = parseCell(w, (inputs[i] as { ir: IR }).ir.ty, ctx.errors);
      if (c) cells.push(c);
    });
    if (cells.length !== inputs.length) return;
    if ('undetermined' in row.then) {
      const name = row.then.undetermined.text.trim();
      const fact = ctx.facts.get(name);
      if (!fact) {
        ctx.errors.push(errorAt(row.then.undetermined.loc, `unknown fact '${name}'${suggest(name, ctx.facts.keys())}`, 'the fact whose absence makes this row undecidable'));
        return;
      }
      rows.push({ cells, out: { undetermined: fact } });
      return;
    }
    const out = checkSource(ctx, row.then);
    if (!out) return;
    unifyOut(out, row.then);
    rows.push({ cells, out });
  });
  let elseIr: IR | undefined;
  if (spec.else) {
    elseIr = checkSource(ctx, spec.else);
    if (elseIr) unifyOut(elseIr, spec.else);
  }
  if (ctx.errors.length > before) return undefined;
  if (!outTy) {
    ctx.errors.push(errorAt(spec.loc, 'table has no rows with a value', 'at least one row with then: <expression>'));
    return undefined;
  }
  const table = { hit: spec.hit, inputs, rows, else: elseIr };
  checkTableCoverage(table, spec, ctx.errors);
  if (ctx.errors.length > before) return undefined;
  // A table whose every output is a quoted string defines an enumeration of those strings.
  const outs = [...rows.map((r) => r.out), ...(elseIr ? [elseIr] : [])].filter((o): o is IR => !('undetermined' in o));
  if (outs.every((o) => o.op === 'const' && typeof o.v === 'string' && o.ty.k === 'text')) {
    const values = [...new Set(outs.map((o) => (o as { v: string }).v))];
    outTy = { k: 'enum', name: enumName ?? 'table', values };
  }
  return mk({ op: 'table', table, ty: outTy, src: 'table' });
}

