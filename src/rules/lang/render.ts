// Renders an evaluation as plain Chinese: one sentence per condition with the facts and parameters it
// used, their sources and the citation; for failures how far off the subject was; for undetermined the
// missing facts; the amount as a worked formula with its rounding.
import type { Decision, Reason } from '../decision.ts';
import { SOURCE_LABELS } from '../../dictionary/facts.ts';
import { FUNCTION_LABELS } from './check.ts';
import { requiredMissing, UNKNOWN, type EV, type Evaluation } from './evaluate.ts';
import { formatVal, formatNumber } from './format.ts';
import type { DefIR, IR } from './ir.ts';
import type { PointModel } from './model.ts';
import { periodLabel } from './period.ts';
import { roundingLabels } from '../../money.ts';
import { sub, type Rat } from './rational.ts';
import { codeName } from '../../dictionary/codes.ts';
import type { Type } from './types.ts';

const OP_TEXT: Record<string, string> = { '<': '<', '<=': '≤', '>': '>', '>=': '≥', '==': '=', '!=': '≠', '+': '+', '-': '−', '*': '×', '/': '÷' };

function citeText(point: PointModel, article: string): string {
  return `（${point.document.docNumber}${article ? ` ${article}` : ''}）`;
}

function show(v: EV, ty: Type): string {
  if (v === UNKNOWN) return '（缺失）';
  return formatVal(v, ty);
}

interface RenderCx {
  trace: Map<IR, EV>;
  notes: Map<IR, string>;
  period: Evaluation['period'];
  dataYear: number;
  usedDefs: Set<DefIR>;
}

function renderIR(ir: IR, rc: RenderCx, top = true): string {
  const v = rc.trace.has(ir) ? (rc.trace.get(ir) as EV) : undefined;
  const val = v === undefined ? '（未计算）' : show(v, ir.ty);
  switch (ir.op) {
    case 'const':
      return formatVal(ir.v, ir.ty);
    case 'fact':
      return `${ir.fact.zh} ${v === UNKNOWN ? `（缺失：${ir.fact.name}，${SOURCE_LABELS[ir.fact.source]}）` : val}`;
    case 'ref':
      rc.usedDefs.add(ir.def);
      return `${ir.def.zh} ${val}`;
    case 'param':
      return `${ir.param.zh} ${val}`;
    case 'period': {
      const label = { start: '本期起始日', end: '本期截止日', year: '政策年度', dataYear: '数据年度' }[ir.field];
      return `${label} ${ir.field === 'start' || ir.field === 'end' ? val : v === undefined || v === UNKNOWN ? '' : String((v as Rat).n)}`;
    }
    case 'arith': {
      const wrap = (x: IR) => (x.op === 'arith' && (x.o === '+' || x.o === '-') && (ir.o === '*' || ir.o === '/') ? `（${renderIR(x, rc, false)}）` : renderIR(x, rc, false));
      const body = `${wrap(ir.l)} ${OP_TEXT[ir.o]} ${wrap(ir.r)}`;
      const note = rc.notes.get(ir);
      return top ? `${body} = ${note ?? val}` : body;
    }
    case 'cmp':
      return `${renderIR(ir.l, rc, false)} ${OP_TEXT[ir.o]} ${renderIR(ir.r, rc, false)}`;
    case 'and':
    case 'or': {
      const parts = [ir.l, ir.r]
        .filter((x) => rc.trace.has(x))
        .map((x) => (x.op === 'and' || x.op === 'or' ? (x.op === ir.op || !rc.trace.has(x.r) ? renderIR(x, rc, false) : `（${renderIR(x, rc, false)}）【${verdict(rc.trace.get(x) as EV)}】`) : `${renderIR(x, rc, false)}【${verdict(rc.trace.get(x) as EV)}】`));
      return parts.join(ir.op === 'and' ? '；且 ' : '；或 ');
    }
    case 'not':
      return `并非（${renderIR(ir.a, rc, false)}）`;
    case 'neg':
      return `−${renderIR(ir.a, rc, false)}`;
    case 'in': {
      const listed = ir.values.map((x) => (typeof x === 'string' && ir.item.ty.k === 'code' ? `${x} ${codeName(ir.item.ty.list, x)}` : formatVal(x, ir.item.ty))).join('、');
      return `${renderIR(ir.item, rc, false)} ${ir.negated ? '不属于' : '属于'}［${listed}］`;
    }
    case 'isnone': {
      const a = rc.trace.get(ir.a);
      const label = ir.a.op === 'fact' ? ir.a.fact.zh : ir.a.op === 'ref' ? ir.a.def.zh : ir.a.op === 'param' ? ir.a.param.zh : ir.a.src;
      const actual = a === undefined ? '' : a === UNKNOWN ? `（缺失${ir.a.op === 'fact' ? `：${ir.a.fact.name}，${SOURCE_LABELS[ir.a.fact.source]}` : ''}）` : a === null ? '' : `（${show(a, ir.a.ty)}）`;
      return `${label}${ir.negated ? '有记录' : '无记录'}${actual}`;
    }
    case 'if': {
      const c = rc.trace.get(ir.c);
      const chosen = c === true ? ir.a : c === false ? ir.b : undefined;
      return chosen ? `${renderIR(chosen, rc, false)}（因${renderIR(ir.c, rc, false)}${c === true ? '成立' : '不成立'}）` : `（${renderIR(ir.c, rc, false)} 无法判定）`;
    }
    case 'call': {
      const args = ir.args.map((a) => renderIR(a, rc, false));
      const label = FUNCTION_LABELS[ir.fn] ?? ir.fn;
      if (ir.args.length === 2 && ir.args.every((a) => a.ty.k === 'date')) return `${args[0]} 至 ${args[1]} 的${label} ${val}`;
      return `${label}（${args.join('，')}）${top ? '' : ` ${val}`}`;
    }
    case 'table': {
      const note = rc.notes.get(ir);
      const inputs = ir.table.inputs.map((i) => (rc.trace.has(i.ir) ? renderIR(i.ir, rc, false) : `${i.label}（未用到）`)).join('，');
      return `查表（${inputs}）得 ${note ? note.replace(/^缺少:/, '缺少 ') : val}`;
    }
  }
}

function verdict(v: EV): string {
  return v === true ? '成立' : v === false ? '不成立' : '无法判定';
}

/** For a failing comparison, how far off the subject is ("差 1个月"). */
function shortfalls(ir: IR, rc: RenderCx, out: string[]): void {
  const v = rc.trace.get(ir);
  if (v !== false) return;
  if (ir.op === 'and') {
    shortfalls(ir.l, rc, out);
    shortfalls(ir.r, rc, out);
    return;
  }
  if (ir.op === 'or') {
    shortfalls(ir.l, rc, out);
    shortfalls(ir.r, rc, out);
    return;
  }
  if (ir.op !== 'cmp' || ir.o === '==' || ir.o === '!=') return;
  const l = rc.trace.get(ir.l);
  const r = rc.trace.get(ir.r);
  if (l === undefined || r === undefined || l === UNKNOWN || r === UNKNOWN || l === null || r === null) return;
  if (ir.l.ty.k === 'num' && typeof l === 'object' && typeof r === 'object') {
    const d = sub(l, r);
    const mag = d.n < 0n ? { n: -d.n, d: d.d } : d;
    if (mag.n === 0n) {
      out.push('恰好等于界限值（须严格' + (ir.o === '<' ? '小于' : '大于') + '）');
      return;
    }
    const what = ir.o === '<' || ir.o === '<=' ? '超出' : '差';
    out.push(`${what} ${formatNumber(mag, { ...ir.l.ty, pct: ir.l.ty.pct === true || (ir.r.ty.k === 'num' && ir.r.ty.pct === true) })}`);
  } else if (ir.l.ty.k === 'date' && typeof l === 'number' && typeof r === 'number') {
    out.push(`相差 ${Math.abs(l - r)} 天`);
  }
}

function describeDef(def: DefIR, rc: RenderCx, point: PointModel): string {
  const v = rc.trace.get(def.body);
  const cite = def.cite ? `（${def.cite}）` : '';
  if (def.body.op === 'table') return `${def.zh}：${renderIR(def.body, rc, false)}${cite}`;
  return `${def.zh} = ${renderIR(def.body, rc, true)}${def.body.op === 'arith' ? '' : ` → ${show(v ?? UNKNOWN, def.ty)}`}${cite || (def.kind === 'let' ? citeText(point, point.citation.article) : '')}`;
}

export interface Explanation {
  title: string;
  lines: string[];
  decision: Decision & { reasonCodes: string[] };
}

/** Chinese explanation of an evaluation: reasons in the shape of the skeleton's Decision plus the text. */
export function explain(ev: Evaluation): Explanation {
  const point = ev.point;
  const rc: RenderCx = { trace: ev.cx.trace, notes: ev.cx.notes, period: ev.period, dataYear: ev.dataYear, usedDefs: new Set() };
  const reasons: Reason[] = [];
  const title = `${point.name}（${point.id}）· ${periodLabel(ev.period)}${point.paysFor === 'data-year' ? `，依据${ev.dataYear}年度数据` : ''}`;
  if (!ev.inEffect) {
    reasons.push({
      code: 'NOT_IN_EFFECT',
      passed: false,
      text: `本政策点有效期为 ${point.effective.fromText} 至 ${point.effective.toText ?? '长期'}，${periodLabel(ev.period)}不在有效期内${citeText(point, point.citation.article)}`,
    });
  }
  const all = [...point.conditions.map((c) => ({ c, kind: 'condition' as const })), ...point.exceptions.map((c) => ({ c, kind: 'exception' as const }))];
  for (const r of ev.conditions) {
    const entry = all.find((x) => x.c.id === r.id && x.kind === r.kind);
    if (!entry) continue;
    const { c, kind } = entry;
    const rendered = renderIR(c.ir, rc, true);
    let passed: boolean | null;
    let status: string;
    if (r.value === UNKNOWN) {
      passed = null;
      status = `无法判定，缺少：${r.missing.join('、') || '（见上）'}`;
    } else if (kind === 'condition') {
      passed = r.value === true;
      const gaps: string[] = [];
      if (!passed) shortfalls(c.ir, rc, gaps);
      status = passed ? '满足' : `不满足${gaps.length ? `，${gaps.join('，')}` : ''}`;
    } else {
      passed = r.value === false;
      status = passed ? '不属于除外情形' : '属于除外情形，不予享受';
    }
    const head = kind === 'exception' ? `但${c.label}除外` : c.label;
    reasons.push({ code: c.id, passed, text: `${head}：${rendered}，${status}${citeText(point, c.cite)}` });
  }
  if (ev.outcome === 'eligible' && ev.rawAmount) {
    const amountText = renderIR(point.amount.ir, rc, false);
    const exact = formatNumber(ev.rawAmount, { k: 'num', unit: { fen: 1 } });
    const rounded = formatNumber({ n: ev.amountFen as bigint, d: 1n }, { k: 'num', unit: { fen: 1 } });
    const roundNote = exact === rounded ? `，${roundingLabels[point.amount.rounding]}` : ` → ${rounded}（${roundingLabels[point.amount.rounding]}）`;
    const capNote = ev.capped && point.amount.cap ? `；超过每户上限 ${renderIR(point.amount.cap, rc, false)}，按上限 ${rounded} 计${point.amount.capCite ? citeText(point, point.amount.capCite) : ''}` : '';
    reasons.push({ code: 'AMOUNT', passed: true, text: `金额：${amountText} = ${exact}${roundNote}${capNote}${citeText(point, point.amount.cite)}` });
  } else if (ev.outcome === 'undetermined' && ev.cx.trace.get(point.amount.ir) === UNKNOWN) {
    reasons.push({ code: 'AMOUNT', passed: null, text: `金额无法计算：${renderIR(point.amount.ir, rc, false)}；缺少：${requiredMissing(point.amount.ir, ev.cx).join('、')}${citeText(point, point.amount.cite)}` });
  }
  const defs = [...rc.usedDefs].filter((d) => rc.trace.has(d.body));
  const defLines = defs.map((d) => describeDef(d, rc, point));
  // Definitions used inside definitions are discovered while describing them.
  for (const d of rc.usedDefs) if (!defs.includes(d) && rc.trace.has(d.body)) defLines.push(describeDef(d, rc, point));
  const verdictLine =
    ev.outcome === 'eligible'
      ? `结论：符合条件，金额 ${formatNumber({ n: ev.amountFen as bigint, d: 1n }, { k: 'num', unit: { fen: 1 } })}`
      : ev.outcome === 'ineligible'
        ? `结论：不符合条件（${ev.reasonCodes.join('、')}）`
        : `结论：暂无法判定，缺少数据：${ev.missingFacts.join('、')}；请补齐后重新比对`;
  const lines = [title, ...reasons.map((r) => `${r.passed === true ? '✓' : r.passed === false ? '✗' : '?'} ${r.text}`), ...defLines.map((l) => `  · ${l}`), verdictLine];
  if (point.notes.length) lines.push(...point.notes.map((n) => `注：${n}`));
  return {
    title,
    lines,
    decision: {
      outcome: ev.outcome,
      amountFen: ev.amountFen,
      rounding: ev.outcome === 'eligible' ? point.amount.rounding : null,
      reasons,
      missingFacts: ev.missingFacts,
      reasonCodes: ev.reasonCodes,
    },
  };
}

