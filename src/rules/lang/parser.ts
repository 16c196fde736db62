// Lexer and recursive-descent parser for policy expressions. Every node keeps its offset range so that
// errors point at the exact column in the policy file. The parser always consumes input or stops, so no
// input can make it loop.
import { rat } from './rational.ts';
import { LITERAL_UNITS, type BinOp, type Expr, type Span } from './types.ts';

export class ExprSyntaxError extends Error {
  readonly offset: number;
  readonly expected: string;
  constructor(offset: number, message: string, expected: string) {
    super(message);
    this.offset = offset;
    this.expected = expected;
  }
}

type Tok =
  | { k: 'num'; start: number; end: number; text: string; n: bigint; d: bigint; unitIndex: number }
  | { k: 'str'; start: number; end: number; value: string }
  | { k: 'date'; start: number; end: number; text: string; day: number }
  | { k: 'id'; start: number; end: number; value: string }
  | { k: 'op'; start: number; end: number; value: string }
  | { k: 'eof'; start: number; end: number };

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'none', 'if', 'then', 'else', 'true', 'false']);
const OP_ALIASES: Record<string, string> = { '≥': '>=', '≤': '<=', '≠': '!=', '×': '*', '÷': '/', '且': 'and', '或': 'or', '（': '(', '）': ')', '，': ',' };
const OPS = ['<=', '>=', '==', '!=', '<', '>', '+', '-', '*', '/', '(', ')', '[', ']', ',', '.'];

/** Days since 1970-01-01 for a valid calendar date, else undefined. */
export function dayNumber(y: number, m: number, d: number): number | undefined {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d) || m < 1 || m > 12 || d < 1 || y < 1000 || y > 9999) return undefined;
  const ms = Date.UTC(y, m - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return ms / 86_400_000;
}
export function parseIsoDay(text: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : undefined;
}
export function dayToIso(day: number): string {
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

function lex(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (/\d/.test(c)) {
      while (i < src.length && /[\d_]/.test(src[i] as string)) i++;
      if (src[i] === '.' && /\d/.test(src[i + 1] ?? '')) {
        i++;
        while (i < src.length && /\d/.test(src[i] as string)) i++;
      }
      const text = src.slice(start, i).replace(/_/g, '');
      let j = i;
      while (src[j] === ' ') j++;
      let unitIndex = -1;
      for (let u = 0; u < LITERAL_UNITS.length; u++) {
        const suffix = (LITERAL_UNITS[u] as { suffix: string }).suffix;
        if (src.startsWith(suffix, j)) {
          unitIndex = u;
          i = j + suffix.length;
          break;
        }
      }
      const [whole, frac = ''] = text.split('.');
      toks.push({ k: 'num', start, end: i, text: src.slice(start, i), n: BigInt(`${whole}${frac}`), d: 10n ** BigInt(frac.length), unitIndex });
      continue;
    }
    if (c === '@') {
      const m = /^@(\d{4}-\d{2}-\d{2})/.exec(src.slice(i));
      const day = m ? parseIsoDay(m[1] as string) : undefined;
      if (!m || day === undefined) throw new ExprSyntaxError(i, 'invalid date literal', 'a date like @2024-12-31');
      i += m[0].length;
      toks.push({ k: 'date', start, end: i, text: m[1] as string, day });
      continue;
    }
    if (c === '"' || c === "'" || c === '「' || c === '“') {
      const close = c === '「' ? '」' : c === '“' ? '”' : c;
      const endAt = src.indexOf(close, i + 1);
      if (endAt < 0) throw new ExprSyntaxError(i, 'unterminated string', `a closing ${close}`);
      toks.push({ k: 'str', start, end: endAt + 1, value: src.slice(i + 1, endAt) });
      i = endAt + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_]/.test(src[i] as string)) i++;
      toks.push({ k: 'id', start, end: i, value: src.slice(start, i) });
      continue;
    }
    const alias = OP_ALIASES[c];
    if (alias) {
      i++;
      toks.push(/^[a-z]/.test(alias) ? { k: 'id', start, end: i, value: alias } : { k: 'op', start, end: i, value: alias });
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprSyntaxError(i, `unexpected character '${c}'`, 'a name, number, string, date or operator');
    i += op.length;
    toks.push({ k: 'op', start, end: i, value: op });
  }
  toks.push({ k: 'eof', start: src.length, end: src.length });
  return toks;
}

const PERIOD_FIELDS = new Set(['start', 'end', 'year', 'dataYear']);

export function parseExpr(src: string): Expr {
  const toks = lex(src);
  let p = 0;
  const peek = (): Tok => toks[p] as Tok;
  const next = (): Tok => toks[p++] as Tok;
  const isOp = (v: string) => peek().k === 'op' && (peek() as { value: string }).value === v;
  const isKw = (v: string) => peek().k === 'id' && (peek() as { value: string }).value === v;
  const describe = (t: Tok) => (t.k === 'eof' ? 'end of expression' : `'${src.slice(t.start, t.end)}'`);
  const expectOp = (v: string, expected = `'${v}'`) => {
    if (!isOp(v)) throw new ExprSyntaxError(peek().start, `unexpected ${describe(peek())}`, expected);
    return next();
  };
  const expectKw = (v: string) => {
    if (!isKw(v)) throw new ExprSyntaxError(peek().start, `unexpected ${describe(peek())}`, `'${v}'`);
    return next();
  };
  const span = (start: number, end: number): Span => ({ start, end });

  let depth = 0;
  const orExpr = (): Expr => {
    if (++depth > 100) throw new ExprSyntaxError(peek().start, 'expression nested too deeply', 'at most 100 levels of nesting');
    let left = andExpr();
    while (isKw('or')) {
      next();
      const right = andExpr();
      left = { t: 'bin', op: 'or', left, right, span: span(left.span.start, right.span.end) };
    }
    depth--;
    return left;
  };
  const andExpr = (): Expr => {
    let left = notExpr();
    while (isKw('and')) {
      next();
      const right = notExpr();
      left = { t: 'bin', op: 'and', left, right, span: span(left.span.start, right.span.end) };
    }
    return left;
  };
  const notExpr = (): Expr => {
    if (isKw('not') && !(toks[p + 1]?.k === 'id' && (toks[p + 1] as { value: string }).value === 'in')) {
      const t = next();
      if (++depth > 100) throw new ExprSyntaxError(t.start, 'expression nested too deeply', 'at most 100 levels of nesting');
      const arg = notExpr();
      depth--;
      return { t: 'not', arg, span: span(t.start, arg.span.end) };
    }
    return cmpExpr();
  };
  const cmpExpr = (): Expr => {
    const left = addExpr();
    const t = peek();
    if (t.k === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.value)) {
      next();
      const right = addExpr();
      return { t: 'bin', op: t.value as BinOp, left, right, span: span(left.span.start, right.span.end) };
    }
    if (isKw('in') || (isKw('not') && toks[p + 1]?.k === 'id' && (toks[p + 1] as { value: string }).value === 'in')) {
      const negated = isKw('not');
      if (negated) next();
      next();
      const set = addExpr();
      return { t: 'in', negated, item: left, set, span: span(left.span.start, set.span.end) };
    }
    if (isKw('is')) {
      next();
      const negated = isKw('not');
      if (negated) next();
      const end = expectKw('none').end;
      return { t: 'isnone', negated, arg: left, span: span(left.span.start, end) };
    }
    return left;
  };
  const addExpr = (): Expr => {
    let left = mulExpr();
    while (isOp('+') || isOp('-')) {
      const op = (next() as { value: string }).value as BinOp;
      const right = mulExpr();
      left = { t: 'bin', op, left, right, span: span(left.span.start, right.span.end) };
    }
    return left;
  };
  const mulExpr = (): Expr => {
    let left = unary();
    while (isOp('*') || isOp('/')) {
      const op = (next() as { value: string }).value as BinOp;
      const right = unary();
      left = { t: 'bin', op, left, right, span: span(left.span.start, right.span.end) };
    }
    return left;
  };
  const unary = (): Expr => {
    if (isOp('-')) {
      if (++depth > 100) throw new ExprSyntaxError(peek().start, 'expression nested too deeply', 'at most 100 levels of nesting');
      const t = next();
      const arg = unary();
      depth--;
      return { t: 'neg', arg, span: span(t.start, arg.span.end) };
    }
    return primary();
  };
  const primary = (): Expr => {
    const t = next();
    switch (t.k) {
      case 'num': {
        const u = t.unitIndex >= 0 ? LITERAL_UNITS[t.unitIndex] : undefined;
        const r = rat(t.n * (u?.factor ?? 1n), t.d * (u?.divisor ?? 1n));
        return { t: 'num', text: t.text, n: r.n, d: r.d, unit: u?.unit ?? {}, pct: u?.pct === true, span: span(t.start, t.end) };
      }
      case 'str':
        return { t: 'str', value: t.value, span: span(t.start, t.end) };
      case 'date':
        return { t: 'date', text: t.text, day: t.day, span: span(t.start, t.end) };
      case 'op':
        if (t.value === '(') {
          const inner = orExpr();
          expectOp(')');
          return inner;
        }
        if (t.value === '[') {
          const items: Expr[] = [];
          if (!isOp(']')) {
            items.push(orExpr());
            while (isOp(',')) {
              next();
              items.push(orExpr());
            }
          }
          const end = expectOp(']', "',' or ']'").end;
          return { t: 'list', items, span: span(t.start, end) };
        }
        throw new ExprSyntaxError(t.start, `unexpected ${describe(t)}`, 'a value, a name or (');
      case 'id': {
        if (t.value === 'true' || t.value === 'false') return { t: 'bool', value: t.value === 'true', span: span(t.start, t.end) };
        if (t.value === 'none') return { t: 'none', span: span(t.start, t.end) };
        if (t.value === 'if') {
          const cond = orExpr();
          expectKw('then');
          const th = orExpr();
          expectKw('else');
          const el = orExpr();
          return { t: 'if', cond, then: th, else: el, span: span(t.start, el.span.end) };
        }
        if (KEYWORDS.has(t.value)) throw new ExprSyntaxError(t.start, `unexpected keyword '${t.value}'`, 'a value or a name');
        if (t.value === 'period') {
          expectOp('.', "'.' followed by start, end, year or dataYear");
          const f = next();
          if (f.k !== 'id' || !PERIOD_FIELDS.has(f.value)) throw new ExprSyntaxError(f.start, `unknown period field ${describe(f)}`, 'period.start, period.end, period.year or period.dataYear');
          return { t: 'period', field: f.value as 'start', span: span(t.start, f.end) };
        }
        if (isOp('(')) {
          next();
          const args: Expr[] = [];
          if (!isOp(')')) {
            args.push(orExpr());
            while (isOp(',')) {
              next();
              args.push(orExpr());
            }
          }
          const end = expectOp(')', "',' or ')'").end;
          return { t: 'call', fn: t.value, args, span: span(t.start, end) };
        }
        return { t: 'name', name: t.value, span: span(t.start, t.end) };
      }
      case 'eof':
        throw new ExprSyntaxError(t.start, 'expression ends too early', 'a value, a name or (');
    }
  };

  if (peek().k === 'eof') throw new ExprSyntaxError(0, 'empty expression', 'an expression');
  const e = orExpr();
  if (peek().k !== 'eof') throw new ExprSyntaxError(peek().start, `unexpected ${describe(peek())} after a complete expression`, 'an operator or the end of the expression');
  return e;
}
