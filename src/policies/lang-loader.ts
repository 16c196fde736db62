// Loads one policy document file (format: policy/1) into checked points. All-or-nothing: any error in
// the file means no point of it is returned, and every error found is listed with its position.
import { createHash } from 'node:crypto';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Dictionary } from '../dictionary/index.ts';
import type { FactDef } from '../dictionary/facts.ts';
import { checkSource, checkTable, suggest, type CheckContext, type DefSlot } from '../rules/lang/check.ts';
import { dependencies } from '../rules/lang/deps.ts';
import type { DatedValue, DefIR, IR, ParamIR, Val } from '../rules/lang/ir.ts';
import type { ConditionModel, DocumentMeta, Frequency, PointModel, Quote, SourceRef, TestCaseModel } from '../rules/lang/model.ts';
import { missingFragment, type DocumentText } from './document-text.ts';
import { standardTaxonomy, TAG_DIMENSIONS, type TagDimension, type Taxonomy } from './taxonomy.ts';
import { parseExpr, parseIsoDay } from '../rules/lang/parser.ts';
import { rat, type RoundingMode } from '../rules/lang/rational.ts';
import { errorAt, type HitPolicy, type NamedDefSpec, type PolicyError, type SrcText, type TableSpec } from '../rules/lang/spec.ts';
import { LITERAL_UNITS, sameUnit, typeLabel, unitLabel, type Type } from '../rules/lang/types.ts';
import { codeProblem, codePrefix, codeShapeProblem } from '../dictionary/codes.ts';
import { bool, entriesOf, fail, int, ISO_DATE, kind, listOf, locOf, mapOf, optStr, parseYaml, src, str, toPlain, type YCtx, type YNode } from './lang-yaml.ts';
import { canonicalJson, toJson } from '../audit/canonical-json.ts';

/** 公示 for 5 working days where a policy does not say (5 to 7 is common; shared/domain.md, step 6). */
const DEFAULT_NOTICE_WORKING_DAYS = 5;
/** 确认 within 10 working days where a policy asks for it without saying how long. */
const DEFAULT_CONFIRMATION_WORKING_DAYS = 10;
/**
 * Stage limits in working days where a policy sets none (电子监察): publish the list within 5 of the
 * match, batch within 10 of the notice's end, approve within 5 of preparation, pay within 10 of approval.
 */
export const DEFAULT_TIME_LIMITS = { notice: 5, batch: 10, approval: 5, payment: 10 } as const;

export const POLICY_FORMAT = 'policy/2';
/** The earlier format: no quotes, no stored text, five tag dimensions. Loaded until every file is converted. */
const LEGACY_FORMAT = 'policy/1';
const ID = /^[a-z0-9][a-z0-9-]*$/;
const CODE = /^[A-Z][A-Z0-9_]*$/;
const ROUNDINGS: RoundingMode[] = ['half-up-fen', 'half-up-yuan', 'down-fen', 'down-yuan'];
const TAG_KEYS = ['行业', '规模', '区域', '主题', '兑现方式'];
const LEVELS = ['national', 'provincial', 'city', 'district'] as const;

export interface LoadedFile {
  file: string;
  document: DocumentMeta | undefined;
  points: PointModel[];
  errors: PolicyError[];
}

function paramType(ctx: YCtx, node: YNode, path: string): Type | undefined {
  const t = str(ctx, node, path);
  if (t === undefined) return undefined;
  if (t === 'bool') return { k: 'bool' };
  if (t === 'date') return { k: 'date' };
  if (t === 'number') return { k: 'num', unit: {} };
  const u = LITERAL_UNITS.find((x) => x.suffix === t);
  if (!u) return fail(ctx, node, path, `unknown parameter type '${t}'`, `one of bool, date, number, ${LITERAL_UNITS.map((x) => x.suffix).join(', ')}`);
  return { k: 'num', unit: u.unit, pct: u.pct === true };
}

const REAL_DATE = 'a date that exists in the calendar, YYYY-MM-DD';

/** Days of a YYYY-MM-DD text, refusing a well-shaped text that is no day of the calendar ('2025-02-30'):
 * the shape pattern alone lets it through, and an undefined day would otherwise drop the entry silently. */
function realDay(ctx: YCtx, node: YNode, path: string, text: string): number | undefined {
  const day = parseIsoDay(text);
  if (day === undefined) fail(ctx, node, path, `'${text}' is not a real date`, REAL_DATE);
  return day;
}

/** The same check for the YYYY, YYYY-MM or YYYY-MM-DD texts (published, a test's period); false when refused. */
function realPartialDate(ctx: YCtx, node: YNode, path: string, text: string): boolean {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/.exec(text);
  if (!m) return true; // the shape is the caller's pattern's business
  if (m[3] !== undefined) return realDay(ctx, node, path, text) !== undefined;
  if (m[2] !== undefined && !(Number(m[2]) >= 1 && Number(m[2]) <= 12)) {
    fail(ctx, node, path, `'${text}' is not a real date (there is no month ${m[2]})`, 'a month 01 to 12');
    return false;
  }
  return true;
}

/** A constant written like an expression ("30%", "1500元/人", "@2021-09-01", "true") fitted to a type. */
function constantOf(ctx: YCtx, node: YNode, path: string, ty: Type): { v: Val; text: string } | undefined {
  if (isScalar(node) && typeof node.value === 'boolean' && ty.k === 'bool') return { v: node.value, text: String(node.value) };
  const s = src(ctx, node, path);
  if (!s) return undefined;
  if (ty.k === 'date') {
    const text = s.text.replace(/^@/, '');
    if (ISO_DATE.test(text)) {
      const day = realDay(ctx, node, path, text);
      return day === undefined ? undefined : { v: day, text: s.text };
    }
    const day = parseIsoDay(text);
    if (day === undefined) return fail(ctx, node, path, `'${s.text}' is not a date`, 'a date YYYY-MM-DD');
    return { v: day, text: s.text };
  }
  let e;
  try {
    e = parseExpr(s.text.replace(/,/g, ''));
  } catch {
    return fail(ctx, node, path, `'${s.text}' is not a constant`, `a value of type ${typeLabel(ty)}`);
  }
  if (ty.k === 'bool' && e.t === 'bool') return { v: e.value, text: s.text };
  if (ty.k === 'num' && e.t === 'num') {
    if (!sameUnit(e.unit, ty.unit)) return fail(ctx, node, path, `unit mismatch: '${s.text}' is in ${unitLabel(e.unit)}`, `a value in ${unitLabel(ty.unit)}`);
    return { v: rat(e.n, e.d), text: s.text };
  }
  return fail(ctx, node, path, `'${s.text}' is not a constant of type ${typeLabel(ty)}`, `a value of type ${typeLabel(ty)}`);
}

function readParams(ctx: YCtx, node: YNode): Map<string, ParamIR> {
  const out = new Map<string, ParamIR>();
  if (node === undefined || node === null) return out;
  const entries = entriesOf(ctx, node, 'parameters');
  for (const [name, value] of entries ?? []) {
    const path = `parameters.${name}`;
    if (!/^[a-zA-Z][A-Za-z0-9_]*$/.test(name)) {
      fail(ctx, value, path, `parameter name '${name}' is not an identifier`, 'a name like rateLarge');
      continue;
    }
    const m = mapOf(ctx, value, path, ['zh', 'type', 'values'], ['zh', 'type', 'values']);
    if (!m) continue;
    const zh = str(ctx, m.zh, `${path}.zh`);
    const ty = paramType(ctx, m.type, `${path}.type`);
    const values: DatedValue[] = [];
    (listOf(ctx, m.values, `${path}.values`) ?? []).forEach((vn, i) => {
      const vp = `${path}.values[${i}]`;
      const vm = mapOf(ctx, vn, vp, ['from', 'to', 'value', 'cite', 'note'], ['from', 'value', 'cite']);
      if (!vm || !ty) return;
      const from = str(ctx, vm.from, `${vp}.from`, { pattern: ISO_DATE, expected: 'a date YYYY-MM-DD' });
      const to = optStr(ctx, vm.to, `${vp}.to`, { pattern: ISO_DATE, expected: 'a date YYYY-MM-DD' });
      const c = constantOf(ctx, vm.value, `${vp}.value`, ty);
      const cite = str(ctx, vm.cite, `${vp}.cite`, { expected: 'the article or notice the value comes from' });
      const note = optStr(ctx, vm.note, `${vp}.note`);
      const fromDay = from ? realDay(ctx, vm.from, `${vp}.from`, from) : undefined;
      const toDay = to ? (realDay(ctx, vm.to, `${vp}.to`, to) ?? undefined) : null;
      if (fromDay === undefined || toDay === undefined || !c || !cite || from === undefined || to === undefined) return;
      if (toDay !== null && toDay < fromDay) {
        fail(ctx, vm.to, `${vp}.to`, `ends (${to}) before it starts (${from})`, 'to on or after from');
        return;
      }
      for (const other of values) {
        const overlap = fromDay <= (other.to ?? Infinity) && other.from <= (toDay ?? Infinity);
        if (overlap) fail(ctx, vn, vp, `dated values overlap: ${from}..${to ?? '长期'} and ${other.fromText}..${other.toText ?? '长期'}`, 'non-overlapping date ranges, one value per day');
      }
      values.push({ from: fromDay, to: toDay, fromText: from, toText: to, v: c.v, text: c.text, cite, note: note ?? undefined });
    });
    if (zh && ty) out.set(name, { name, zh, ty, values: values.sort((a, b) => a.from - b.from) });
  }
  return out;
}

function readTable(ctx: YCtx, node: YNode, path: string): TableSpec | undefined {
  const m = mapOf(ctx, node, path, ['hit', 'inputs', 'rows', 'else'], ['hit', 'inputs', 'rows']);
  if (!m) return undefined;
  const hit = str(ctx, m.hit, `${path}.hit`, { pattern: /^(unique|first)$/, expected: "hit policy 'unique' (exactly one row) or 'first' (first matching row wins)" });
  const inputs: TableSpec['inputs'] = [];
  (listOf(ctx, m.inputs, `${path}.inputs`) ?? []).forEach((n, i) => {
    const ip = `${path}.inputs[${i}]`;
    if (isScalar(n)) {
      const e = src(ctx, n, ip);
      if (e) inputs.push({ expr: e });
      return;
    }
    const im = mapOf(ctx, n, ip, ['expr', 'label', 'domain'], ['expr']);
    if (!im) return;
    const e = src(ctx, im.expr, `${ip}.expr`);
    const label = optStr(ctx, im.label, `${ip}.label`);
    const domain = im.domain === undefined ? undefined : src(ctx, im.domain, `${ip}.domain`);
    if (e) inputs.push({ expr: e, ...(label ? { label } : {}), ...(domain ? { domain } : {}) });
  });
  const rows: TableSpec['rows'] = [];
  (listOf(ctx, m.rows, `${path}.rows`) ?? []).forEach((n, i) => {
    const rp = `${path}.rows[${i}]`;
    const rm = mapOf(ctx, n, rp, ['when', 'then', 'undetermined'], ['when']);
    if (!rm) return;
    const whenNodes = isSeq(rm.when) ? rm.when.items.map((x) => x as Node) : [rm.when];
    const when = whenNodes.map((w, j) => src(ctx, w, `${rp}.when[${j}]`));
    const loc = locOf(ctx, n, rp);
    if (rm.undetermined !== undefined) {
      const u = src(ctx, rm.undetermined, `${rp}.undetermined`);
      if (u && when.every((w) => w)) rows.push({ when: when as SrcText[], then: { undetermined: u }, loc });
      return;
    }
    if (rm.then === undefined) {
      fail(ctx, n, rp, "row has neither 'then' nor 'undetermined'", "then: <value> or undetermined: <fact>");
      return;
    }
    const then = src(ctx, rm.then, `${rp}.then`);
    if (then && when.every((w) => w)) rows.push({ when: when as SrcText[], then, loc });
  });
  const elseSrc = m.else === undefined ? undefined : src(ctx, m.else, `${path}.else`);
  if (!hit) return undefined;
  return { hit: hit as HitPolicy, inputs, rows, ...(elseSrc ? { else: elseSrc } : {}), loc: locOf(ctx, node, path) };
}

function readDef(ctx: YCtx, name: string, node: YNode, path: string): NamedDefSpec | undefined {
  const m = mapOf(ctx, node, path, ['zh', 'expr', 'table', 'cite'], ['zh']);
  if (!m) return undefined;
  const zh = str(ctx, m.zh, `${path}.zh`);
  const cite = optStr(ctx, m.cite, `${path}.cite`);
  if ((m.expr === undefined) === (m.table === undefined)) return fail(ctx, node, path, 'a definition needs exactly one of expr or table', 'expr: <expression> or table: {...}');
  if (!zh) return undefined;
  const loc = locOf(ctx, node, path);
  if (m.expr !== undefined) {
    const e = src(ctx, m.expr, `${path}.expr`);
    return e ? { name, zh, def: { expr: e }, ...(cite ? { cite } : {}), loc } : undefined;
  }
  const t = readTable(ctx, m.table, `${path}.table`);
  return t ? { name, zh, def: { table: t }, ...(cite ? { cite } : {}), loc } : undefined;
}

/** Converts a test-case fact from YAML to what the evaluator accepts, checked against the dictionary. */
function testFact(ctx: YCtx, fact: FactDef, node: Node | null, path: string): unknown {
  if (node === null || (isScalar(node) && node.value === null)) {
    if ('nullable' in fact.type && fact.type.nullable) return null;
    return fail(ctx, node, path, `fact ${fact.name} cannot be empty`, `a value of type ${typeLabel(fact.type)} (omit the key to test missing data)`);
  }
  if (!isScalar(node)) return fail(ctx, node, path, `expected a value, found ${kind(node)}`, typeLabel(fact.type));
  const v = node.value;
  const t = fact.type;
  switch (t.k) {
    case 'num': {
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) return fail(ctx, node, path, `${v} is not a whole number`, t.unit.fen ? 'whole fen, or a text like "12,345.67元"' : 'a whole number');
        return t.unit.fen ? BigInt(v) : v;
      }
      const c = constantOf(ctx, node, path, t);
      if (!c) return undefined;
      const r = c.v as { n: bigint; d: bigint };
      if (r.d !== 1n) return fail(ctx, node, path, `'${c.text}' is not whole ${t.unit.fen ? 'fen' : unitLabel(t.unit)}`, 'a whole amount');
      return t.unit.fen ? r.n : Number(r.n);
    }
    case 'bool':
      if (typeof v !== 'boolean') return fail(ctx, node, path, `expected true or false, found ${kind(node)}`, 'true or false');
      return v;
    case 'date':
      if (typeof v === 'string' && ISO_DATE.test(v)) return realDay(ctx, node, path, v) === undefined ? undefined : v;
      if (typeof v !== 'string' || parseIsoDay(v) === undefined) return fail(ctx, node, path, `expected a date, found ${kind(node)}`, 'YYYY-MM-DD');
      return v;
    case 'enum':
      if (typeof v !== 'string' || !t.values.includes(v)) return fail(ctx, node, path, `'${String(v)}' is not a value of ${t.name}`, `one of ${t.values.join('|')}`);
      return v;
    case 'code': {
      const p = typeof v === 'string' ? codeShapeProblem(t.list, v) : 'not text';
      if (p) return fail(ctx, node, path, p, typeLabel(t));
      return v;
    }
    default:
      return typeof v === 'string' ? v : fail(ctx, node, path, 'expected text', 'text');
  }
}

function readFacts(ctx: YCtx, dict: Dictionary, subject: string, node: YNode, path: string, into: Record<string, unknown>): void {
  if (node === undefined || node === null) return;
  for (const [name, value, keyNode] of entriesOf(ctx, node, path) ?? []) {
    const fact = dict.facts.get(name);
    if (!fact || fact.subject !== subject) {
      const names = [...dict.facts.values()].filter((f) => f.subject === subject).map((f) => f.name);
      fail(ctx, keyNode, `${path}.${name}`, `unknown fact '${name}'${suggest(name, names)}`, `a ${subject} fact from the data dictionary`);
      continue;
    }
    if (isScalar(value) && value.value === '~missing') {
      delete into[name];
      continue;
    }
    const v = testFact(ctx, fact, value, `${path}.${name}`);
    if (v !== undefined) into[name] = v;
  }
}

function moneyFen(ctx: YCtx, node: YNode, path: string): bigint | undefined {
  const c = constantOf(ctx, node, path, { k: 'num', unit: { fen: 1 } });
  if (!c) return undefined;
  const r = c.v as { n: bigint; d: bigint };
  if (r.d !== 1n) return fail(ctx, node, path, `'${c.text}' is not whole fen`, 'an amount to the fen');
  return r.n;
}

const PRIORITY_BY = /^(amount-asc|amount-desc|earliest)$/;

/**
 * A point's budget: at most one of `total` (元), `share` (a percentage of the eligible total) and
 * `quotas` (元 per GB/T 2260 district, with an optional `other`). Combinations are refused rather than
 * given a meaning the author may not intend; `priority` must name its order.
 */
function readBudget(ctx: YCtx, dict: Dictionary, subject: string, node: YNode, path: string): PointModel['budget'] | undefined {
  const bm = mapOf(ctx, node, path, ['total', 'share', 'quotas', 'oversubscription', 'priority', 'note'], ['oversubscription']);
  if (!bm) return undefined;
  const before = ctx.errors.length;
  const given = (n: YNode) => n !== undefined && !(isScalar(n) && n.value === null);
  const limits = (['total', 'share', 'quotas'] as const).filter((k) => given(bm[k]));
  if (limits.length > 1) fail(ctx, bm[limits[1]!], `${path}.${limits[1]}`, `a budget has ${limits.join(' and ')}; combining them is not supported`, 'one of total, share or quotas (quotas add up to the total; a share applies to the whole point)');
  const totalFen = given(bm.total) ? moneyFen(ctx, bm.total, `${path}.total`) : null;
  if (totalFen !== null && totalFen !== undefined && totalFen < 0n) fail(ctx, bm.total, `${path}.total`, 'a budget total cannot be negative', 'an amount >= 0元');
  let share: PointModel['budget']['share'] = null;
  if (given(bm.share)) {
    const c = constantOf(ctx, bm.share, `${path}.share`, { k: 'num', unit: {}, pct: true });
    if (c) {
      const r = c.v as { n: bigint; d: bigint };
      if (r.n <= 0n || r.n > r.d) fail(ctx, bm.share, `${path}.share`, `share ${c.text} is not between 0% and 100%`, 'a percentage above 0% and at most 100%, e.g. 80%');
      else share = { n: r.n, d: r.d, text: c.text };
    }
  }
  let quotas: PointModel['budget']['quotas'] = null;
  if (given(bm.quotas)) {
    const districts: { code: string; fen: bigint }[] = [];
    let otherFen: bigint | null = null;
    for (const [code, value, keyNode] of entriesOf(ctx, bm.quotas, `${path}.quotas`) ?? []) {
      const qp = `${path}.quotas.${code}`;
      const fen = moneyFen(ctx, value, qp);
      if (fen !== undefined && fen < 0n) fail(ctx, value, qp, 'a quota cannot be negative', 'an amount >= 0元');
      if (code === 'other') {
        if (fen !== undefined) otherFen = fen;
        continue;
      }
      const problem = codeProblem('region', code);
      if (problem) {
        fail(ctx, keyNode, qp, problem, 'a GB/T 2260 district code such as "440305", or other');
        continue;
      }
      const prefix = codePrefix('region', code);
      const clash = districts.find((d) => code.startsWith(codePrefix('region', d.code)) || d.code.startsWith(prefix));
      if (clash) {
        fail(ctx, keyNode, qp, `district ${code} overlaps the quota of ${clash.code}: a subject would fall under both`, 'quotas for districts that do not contain one another');
        continue;
      }
      if (fen !== undefined) districts.push({ code, fen });
    }
    if (districts.length === 0 && ctx.errors.length === before) fail(ctx, bm.quotas, `${path}.quotas`, 'quotas name no district', 'at least one district code, e.g. { "440305": 500000元 }');
    quotas = { districts, otherFen };
  }
  const over = str(ctx, bm.oversubscription, `${path}.oversubscription`, { pattern: /^(pro-rata-largest-remainder|priority)$/, expected: 'pro-rata-largest-remainder or priority' }) as PointModel['budget']['oversubscription'] | undefined;
  let priorityBy: PointModel['budget']['priorityBy'] = null;
  let priorityFact: string | null = null;
  if (bm.priority !== undefined) {
    const pm = mapOf(ctx, bm.priority, `${path}.priority`, ['by', 'fact'], ['by']);
    const by = pm ? str(ctx, pm.by, `${path}.priority.by`, { pattern: PRIORITY_BY, expected: 'amount-asc (smaller claims first), amount-desc (larger claims first) or earliest (the earlier event first, with fact: <a date fact>)' }) : undefined;
    if (pm && by === 'earliest') {
      const name = pm.fact === undefined ? undefined : str(ctx, pm.fact, `${path}.priority.fact`);
      const fact = name === undefined ? undefined : dict.facts.get(name);
      const dates = [...dict.facts.values()].filter((f) => f.subject === subject && f.type.k === 'date').map((f) => f.name);
      if (pm.fact === undefined) fail(ctx, bm.priority, `${path}.priority`, 'priority earliest does not say which date orders the claims', `fact: one of ${dates.join(', ')}`);
      else if (name !== undefined && (!fact || fact.subject !== subject || fact.type.k !== 'date')) fail(ctx, pm.fact, `${path}.priority.fact`, `'${name}' is not a date fact of ${subject === 'enterprise' ? 'an enterprise' : 'a person'}${suggest(name, dates)}`, `one of ${dates.join(', ')}`);
      else if (name !== undefined) priorityFact = name;
    } else if (pm && pm.fact !== undefined) fail(ctx, pm.fact, `${path}.priority.fact`, `a fact orders claims only under by: earliest, not ${by ?? 'this order'}`, 'no fact, or by: earliest');
    if (over && over !== 'priority') fail(ctx, bm.priority, `${path}.priority`, `priority order given, but oversubscription is ${over}`, 'oversubscription: priority, or no priority key');
    else if (by) priorityBy = by as 'amount-asc';
  } else if (over === 'priority') {
    fail(ctx, bm.oversubscription, `${path}.oversubscription`, 'oversubscription priority does not say in which order claims are paid', 'priority: { by: amount-asc } (smaller claims first), { by: amount-desc } or { by: earliest, fact: <a date fact> }');
  }
  const note = optStr(ctx, bm.note, `${path}.note`);
  if (ctx.errors.length > before || totalFen === undefined || !over || note === undefined) return undefined;
  return { totalFen, share, quotas, oversubscription: over, priorityBy, priorityFact, note };
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function ratText(v: Val): unknown {
  return v !== null && typeof v === 'object' ? `${v.n}/${v.d}` : v;
}

/** What a policy/2 file is checked against beyond the dictionary: its stored text and the tag taxonomy. */
export interface LoadExtras {
  documentText?: DocumentText | null;
  /** Where the text would be, for the error when it is absent. */
  documentTextFile?: string;
  taxonomy?: Taxonomy;
}

/** Per-file strictness: policy/2 asks for quotes, the stored text, every tag dimension and a typical case. */
interface Strict {
  v2: boolean;
  text: DocumentText | null;
  taxonomy: Taxonomy;
  sources: ReadonlyMap<string, SourceRef>;
}

export function loadPolicyText(file: string, text: string, dict: Dictionary, extras: LoadExtras = {}): LoadedFile {
  const { root, ctx } = parseYaml(file, text);
  const out: LoadedFile = { file, document: undefined, points: [], errors: ctx.errors };
  if (root === undefined) return out;
  const top = mapOf(ctx, root, '', ['format', 'document', 'parameters', 'points'], ['format', 'document', 'points']);
  if (!top) return out;
  const format = str(ctx, top.format, 'format');
  if (format !== undefined && format !== POLICY_FORMAT && format !== LEGACY_FORMAT) {
    fail(ctx, top.format, 'format', `unknown format '${format}'`, `'${POLICY_FORMAT}'`);
    return out;
  }
  const v2 = format === POLICY_FORMAT;
  const docRequired = ['id', 'docNumber', 'title', 'issuer', 'published', 'effective', 'source', ...(v2 ? ['level', 'sourceUrl'] : [])];
  const dm = mapOf(ctx, top.document, 'document', ['id', 'docNumber', 'title', 'issuer', 'published', 'effective', 'sourceUrl', 'source', 'note', ...(v2 ? ['level', 'sources'] : [])], docRequired);
  const sources = new Map<string, SourceRef>();
  let document: DocumentMeta | undefined;
  if (dm) {
    const eff = mapOf(ctx, dm.effective, 'document.effective', ['from', 'to'], ['from']);
    const id = str(ctx, dm.id, 'document.id', { pattern: ID, expected: 'lower-case letters, digits and dashes' });
    const docNumber = str(ctx, dm.docNumber, 'document.docNumber');
    const title = str(ctx, dm.title, 'document.title');
    const issuer = str(ctx, dm.issuer, 'document.issuer');
    const published = str(ctx, dm.published, 'document.published', { pattern: /^\d{4}(-\d{2}(-\d{2})?)?$/, expected: 'YYYY, YYYY-MM or YYYY-MM-DD' });
    const from = eff ? str(ctx, eff.from, 'document.effective.from', { pattern: ISO_DATE, expected: 'YYYY-MM-DD' }) : undefined;
    const to = eff ? optStr(ctx, eff.to, 'document.effective.to', { pattern: ISO_DATE, expected: 'YYYY-MM-DD' }) : undefined;
    if (published) realPartialDate(ctx, dm.published, 'document.published', published);
    if (from) realDay(ctx, eff?.from, 'document.effective.from', from);
    if (to) realDay(ctx, eff?.to, 'document.effective.to', to);
    const sourceUrl = optStr(ctx, dm.sourceUrl, 'document.sourceUrl', { pattern: /^https?:\/\//, expected: 'an http(s) URL' });
    const sourceGrade = str(ctx, dm.source, 'document.source', { pattern: /^(S|S2|N)$/, expected: 'S (stated in an official source), S2 (secondary source) or N (not found: values illustrative)' });
    const note = optStr(ctx, dm.note, 'document.note');
    if ((sourceGrade === 'S2' || sourceGrade === 'N') && !note) fail(ctx, dm.source, 'document.source', `a document graded ${sourceGrade} must say so in a note`, 'document.note explaining what is unverified or illustrative');
    const level = v2 ? (str(ctx, dm.level, 'document.level', { pattern: /^(national|provincial|city|district)$/, expected: LEVELS.join(', ') + ' (国家/省/市/区县)' }) as DocumentMeta['level']) : null;
    if (sourceUrl && sourceGrade && published) sources.set('main', { key: 'main', url: sourceUrl, issuer: issuer ?? '', date: published, grade: sourceGrade });
    for (const [key, node, keyNode] of v2 && dm.sources !== undefined ? (entriesOf(ctx, dm.sources, 'document.sources') ?? []) : []) {
      const sp = `document.sources.${key}`;
      if (!/^[A-Za-z0-9_-]+$/.test(key) || key === 'main') {
        fail(ctx, keyNode, sp, `'${key}' cannot name a source`, 'a key of letters, digits, - or _ other than main');
        continue;
      }
      const sm = mapOf(ctx, node, sp, ['url', 'issuer', 'date', 'grade', 'note'], ['url', 'issuer', 'date', 'grade']);
      if (!sm) continue;
      const url = str(ctx, sm.url, `${sp}.url`, { pattern: /^https?:\/\//, expected: 'an http(s) URL' });
      const sIssuer = str(ctx, sm.issuer, `${sp}.issuer`);
      const date = str(ctx, sm.date, `${sp}.date`, { pattern: /^\d{4}(-\d{2}(-\d{2})?)?$/, expected: 'YYYY, YYYY-MM or YYYY-MM-DD' });
      const grade = str(ctx, sm.grade, `${sp}.grade`, { pattern: /^(S|S2)$/, expected: 'S (official) or S2 (reprint or secondary)' });
      if (url && sIssuer && date && grade) sources.set(key, { key, url, issuer: sIssuer, date, grade });
    }
    if (v2 && id && !extras.documentText) fail(ctx, dm.id, 'document', `no stored text for document ${id}`, `the passages read, verbatim, in ${extras.documentTextFile ?? `policies/${id}/${id}.text.md`} under '## 来源: main'`);
    if (v2 && extras.documentText) {
      for (const key of sources.keys()) {
        if (!extras.documentText.sections.has(key)) fail(ctx, key === 'main' ? dm.sourceUrl : dm.sources, key === 'main' ? 'document.sourceUrl' : `document.sources.${key}`, `the stored text has no section for source '${key}'`, `a line '## 来源: ${key}' followed by the passages read there`);
      }
    }
    if (id && docNumber && title && issuer && published && from && to !== undefined && sourceUrl !== undefined && sourceGrade && note !== undefined && level !== undefined) {
      document = { id, docNumber, title, issuer, published, effective: { from, to }, sourceUrl, sourceGrade, note, file, level, sources: [...sources.values()], textSha256: extras.documentText ? sha256(extras.documentText.text) : null };
    }
  }
  const strict: Strict = { v2, text: extras.documentText ?? null, taxonomy: extras.taxonomy ?? standardTaxonomy(), sources };
  const params = readParams(ctx, top.parameters);
  const pointNodes = listOf(ctx, top.points, 'points') ?? [];
  const points: PointModel[] = [];
  const seenIds = new Set<string>();
  pointNodes.forEach((pn, i) => {
    const p = readPoint(ctx, dict, pn, `points[${i}]`, document, params, strict);
    if (!p) return;
    if (seenIds.has(p.id)) fail(ctx, pn, `points[${i}].id`, `duplicate point id '${p.id}'`, 'unique point ids');
    seenIds.add(p.id);
    points.push(p);
  });
  if (pointNodes.length === 0) fail(ctx, top.points, 'points', 'a document needs at least one point', 'a list of points');
  // Parameters a point reads must have a value on every day the point is in effect.
  for (const p of points) {
    for (const param of dependencies([...p.conditions, ...p.exceptions].map((c) => c.ir).concat(p.amount.ir, p.amount.cap ? [p.amount.cap] : [])).params) {
      const gap = coverageGap(param, p.effective.from, p.effective.to);
      if (gap) ctx.errors.push(errorAt(p.loc, `parameter '${param.name}' has no value on ${gap} although point ${p.id} is in effect then`, `dated values of ${param.name} covering ${p.effective.fromText}..${p.effective.toText ?? '长期'}`));
    }
  }
  out.document = document;
  if (ctx.errors.length === 0 && document) out.points = points;
  return out;
}

function coverageGap(param: ParamIR, from: number, to: number | null): string | undefined {
  let day = from;
  for (const v of param.values) {
    if (v.from > day) break;
    if (v.to === null) return undefined;
    if (v.to >= day) day = v.to + 1;
  }
  if (to !== null && day > to) return undefined;
  return new Date(day * 86_400_000).toISOString().slice(0, 10);
}

/**
 * A quote and the source it is from, checked against the stored text's section for that source: the
 * quoted words must be there (fragments joined by …… in order), so a rule cannot cite words the text
 * does not have.
 */
function readQuote(ctx: YCtx, strict: Strict, m: Record<string, Node | null>, path: string): Quote | null | undefined {
  if (!strict.v2) return null;
  const quote = str(ctx, m.quote, `${path}.quote`, { expected: 'the sentence of the document this comes from, verbatim' });
  const key = m.source === undefined ? 'main' : str(ctx, m.source, `${path}.source`);
  if (quote === undefined || key === undefined) return undefined;
  const source = strict.sources.get(key);
  if (!source) return fail(ctx, m.source ?? m.quote, `${path}.source`, `unknown source '${key}'`, `main or one of document.sources (${[...strict.sources.keys()].filter((k) => k !== 'main').join(', ') || 'none declared'})`);
  const section = strict.text?.sections.get(key);
  if (section !== undefined) {
    const missing = missingFragment(section, quote);
    if (missing !== null) return fail(ctx, m.quote, `${path}.quote`, `quoted words not found in the stored text (source ${key}): '${missing.slice(0, 40)}'`, `the words exactly as in the '## 来源: ${key}' section of the document's .text.md (join parts with ……)`);
  }
  return { text: quote, source };
}

function readPoint(ctx: YCtx, dict: Dictionary, node: YNode, path: string, document: DocumentMeta | undefined, params: Map<string, ParamIR>, strict: Strict): PointModel | undefined {
  const before = ctx.errors.length;
  const keys = ['id', 'name', 'series', 'subject', 'citation', 'tags', 'effective', 'payment', 'delivery', 'notice', 'confirmation', 'timeLimits', 'let', 'conditions', 'exceptions', 'amount', 'budget', 'exclusion', 'notes', 'testBase', 'tests', ...(strict.v2 ? ['ask'] : [])];
  const m = mapOf(ctx, node, path, keys, ['id', 'name', 'subject', 'citation', 'tags', 'effective', 'payment', 'conditions', 'amount', 'budget', 'tests']);
  if (!m) return undefined;
  const id = str(ctx, m.id, `${path}.id`, { pattern: ID, expected: 'lower-case letters, digits and dashes' });
  const name = str(ctx, m.name, `${path}.name`);
  const series = m.series === undefined ? id : str(ctx, m.series, `${path}.series`, { pattern: ID, expected: 'a series id shared by the yearly versions of one benefit' });
  const subject = str(ctx, m.subject, `${path}.subject`, { pattern: /^(enterprise|person)$/, expected: 'enterprise or person' }) as 'enterprise' | 'person' | undefined;
  const cm = mapOf(ctx, m.citation, `${path}.citation`, ['article', 'clause', 'quote', ...(strict.v2 ? ['source'] : [])], strict.v2 ? ['article', 'quote'] : ['article']);
  const article = cm ? str(ctx, cm.article, `${path}.citation.article`) : undefined;
  const clause = cm ? optStr(ctx, cm.clause, `${path}.citation.clause`) : undefined;
  const quote = cm ? optStr(ctx, cm.quote, `${path}.citation.quote`) : undefined;
  if (cm) readQuote(ctx, strict, cm, `${path}.citation`);
  const tags: Record<string, string[]> = {};
  const tm = mapOf(ctx, m.tags, `${path}.tags`, strict.v2 ? TAG_DIMENSIONS : [], strict.v2 ? TAG_DIMENSIONS : TAG_KEYS);
  for (const [k, v] of Object.entries(tm ?? {})) {
    const tp = `${path}.tags.${k}`;
    const items = isSeq(v) ? v.items : [v];
    tags[k] = items.map((x, j) => str(ctx, x as Node, isSeq(v) ? `${tp}[${j}]` : tp)).filter((x): x is string => x !== undefined);
    const dim = strict.v2 ? strict.taxonomy.dimensions[k as TagDimension] : undefined;
    items.forEach((x, j) => {
      const value = tags[k]?.[j];
      if (dim && value !== undefined && !dim.groupOf.has(value)) fail(ctx, x as Node, isSeq(v) ? `${tp}[${j}]` : tp, `'${value}' is not a ${k} of the taxonomy`, `one of policies/taxonomy.yaml's ${k} values (add it there if it is new), e.g. ${dim.values.slice(0, 6).join(', ')}`);
    });
  }
  // 快申快享: the facts the applicant is asked for, because no department's data holds them.
  const ask: string[] = [];
  if (strict.v2 && m.ask !== undefined) {
    (listOf(ctx, m.ask, `${path}.ask`) ?? []).forEach((x, j) => {
      const name = str(ctx, x, `${path}.ask[${j}]`);
      if (name === undefined) return;
      const fact = dict.facts.get(name);
      if (!fact || fact.subject !== subject) fail(ctx, x, `${path}.ask[${j}]`, `'${name}' is not a ${subject ?? ''} fact of the dictionary`, 'a fact name from src/dictionary (the fact the applicant must state)');
      else ask.push(name);
    });
  }
  if (strict.v2 && tags['兑现方式']?.includes('快申快享') && m.ask === undefined) fail(ctx, m.tags, `${path}.tags.兑现方式`, 'a 快申快享 point does not say which facts are asked for', 'ask: [<fact>, ...] — the facts that cannot come from data');
  const em = mapOf(ctx, m.effective, `${path}.effective`, ['from', 'to', 'note'], ['from']);
  const fromText = em ? str(ctx, em.from, `${path}.effective.from`, { pattern: ISO_DATE, expected: 'YYYY-MM-DD' }) : undefined;
  const toText = em ? optStr(ctx, em.to, `${path}.effective.to`, { pattern: ISO_DATE, expected: 'YYYY-MM-DD' }) : undefined;
  const effNote = em ? optStr(ctx, em.note, `${path}.effective.note`) : undefined;
  const from = fromText ? realDay(ctx, em?.from, `${path}.effective.from`, fromText) : undefined;
  const to = toText ? (realDay(ctx, em?.to, `${path}.effective.to`, toText) ?? undefined) : toText === null ? null : undefined;
  if (from !== undefined && to !== undefined && to !== null && to < from) fail(ctx, em?.to, `${path}.effective.to`, `effective period ends (${toText}) before it starts (${fromText})`, 'to on or after from');
  const pm = mapOf(ctx, m.payment, `${path}.payment`, ['frequency', 'paysFor', 'dataYearOffset', 'valuesOn'], ['frequency', 'paysFor']);
  const frequency = pm ? (str(ctx, pm.frequency, `${path}.payment.frequency`, { pattern: /^(one-off|monthly|yearly)$/, expected: 'one-off, monthly or yearly' }) as Frequency | undefined) : undefined;
  const paysFor = pm ? (str(ctx, pm.paysFor, `${path}.payment.paysFor`, { pattern: /^(policy-year|data-year)$/, expected: 'policy-year or data-year' }) as 'policy-year' | 'data-year' | undefined) : undefined;
  const dataYearOffset = pm && pm.dataYearOffset !== undefined ? int(ctx, pm.dataYearOffset, `${path}.payment.dataYearOffset`) : 0;
  const valuesOn = pm && pm.valuesOn !== undefined ? (str(ctx, pm.valuesOn, `${path}.payment.valuesOn`, { pattern: /^(period-start|period-end)$/, expected: 'period-start or period-end' }) as 'period-start' | 'period-end' | undefined) : 'period-start';
  if (paysFor === 'data-year' && dataYearOffset === 0 && pm && pm.dataYearOffset === undefined) fail(ctx, m.payment, `${path}.payment`, 'paysFor data-year needs dataYearOffset', 'dataYearOffset: -1 (data of the year before the policy year)');
  const delivery = m.delivery === undefined ? (tags['兑现方式']?.[0] ?? '免申即享') : str(ctx, m.delivery, `${path}.delivery`);
  // 公示 and 确认: working days as the policy sets them (with its clause), else the system's default.
  const dayCount = (node: YNode, where: string, fallback: number): { workingDays: number; cite: string | null } | undefined => {
    const dm = mapOf(ctx, node, where, ['workingDays', 'cite'], ['workingDays']);
    if (!dm) return undefined;
    const days = int(ctx, dm.workingDays, `${where}.workingDays`);
    if (days !== undefined && (days < 1 || days > 60)) fail(ctx, dm.workingDays, `${where}.workingDays`, `${days} working days is outside 1..60`, 'the number of working days the notice text gives, e.g. 5');
    return { workingDays: days ?? fallback, cite: dm.cite === undefined ? null : (str(ctx, dm.cite, `${where}.cite`) ?? null) };
  };
  const notice = m.notice === undefined ? { workingDays: DEFAULT_NOTICE_WORKING_DAYS, cite: null } : dayCount(m.notice, `${path}.notice`, DEFAULT_NOTICE_WORKING_DAYS);
  // 电子监察: each stage's time limit in working days, as the policy sets it, else the system default.
  let timeLimits: PointModel['timeLimits'] = { ...DEFAULT_TIME_LIMITS, cite: null };
  if (m.timeLimits !== undefined) {
    const tm = mapOf(ctx, m.timeLimits, `${path}.timeLimits`, ['notice', 'batch', 'approval', 'payment', 'cite']);
    if (tm) {
      const stage = (key: 'notice' | 'batch' | 'approval' | 'payment') => {
        if (tm[key] === undefined) return DEFAULT_TIME_LIMITS[key];
        const days = int(ctx, tm[key], `${path}.timeLimits.${key}`);
        if (days !== undefined && (days < 1 || days > 250)) fail(ctx, tm[key], `${path}.timeLimits.${key}`, `${days} working days is outside 1..250`, 'the working days the policy allows for the stage, e.g. 10');
        return days ?? DEFAULT_TIME_LIMITS[key];
      };
      timeLimits = { notice: stage('notice'), batch: stage('batch'), approval: stage('approval'), payment: stage('payment'), cite: tm.cite === undefined ? null : (str(ctx, tm.cite, `${path}.timeLimits.cite`) ?? null) };
    }
  }
  // `confirmation: true` asks for it with the default period; a mapping gives the policy's own.
  const confirmation =
    m.confirmation === undefined
      ? null
      : isMap(m.confirmation)
        ? dayCount(m.confirmation, `${path}.confirmation`, DEFAULT_CONFIRMATION_WORKING_DAYS)
        : ((yes) => (yes === undefined ? undefined : yes ? { workingDays: DEFAULT_CONFIRMATION_WORKING_DAYS, cite: null } : null))(bool(ctx, m.confirmation, `${path}.confirmation`));
  const notes = m.notes === undefined ? [] : (listOf(ctx, m.notes, `${path}.notes`) ?? []).map((n, j) => str(ctx, n, `${path}.notes[${j}]`)).filter((x): x is string => x !== undefined);
  if (effNote) notes.push(`有效期：${effNote}`);
  if (!subject || !id) return undefined;

  // Local definitions, then conditions, exceptions and the amount, all checked against the dictionary.
  const locals = new Map<string, DefSlot>();
  for (const [lname, lnode, keyNode] of m.let === undefined ? [] : (entriesOf(ctx, m.let, `${path}.let`) ?? [])) {
    if (!/^[a-zA-Z][A-Za-z0-9_]*$/.test(lname)) {
      fail(ctx, keyNode, `${path}.let.${lname}`, `'${lname}' is not an identifier`, 'a name like layoffRate');
      continue;
    }
    if (dict.facts.has(lname) || dict.derived.has(lname) || params.has(lname)) {
      fail(ctx, keyNode, `${path}.let.${lname}`, `'${lname}' shadows a fact, derived fact or parameter`, 'a new name');
      continue;
    }
    const spec = readDef(ctx, lname, lnode, `${path}.let.${lname}`);
    if (spec) locals.set(lname, { spec, kind: 'let', subject, state: 'todo' });
  }
  for (const pname of params.keys()) {
    if (dict.facts.has(pname) || dict.derived.has(pname)) fail(ctx, m.id, `parameters.${pname}`, `parameter '${pname}' shadows a fact of the dictionary`, 'a parameter name that is not a fact name');
  }
  const cctx: CheckContext = { subject, facts: dict.facts, globals: dict.derived, locals, params, errors: ctx.errors, stack: [] };
  const lets: DefIR[] = [];
  for (const slot of locals.values()) {
    const before2 = ctx.errors.length;
    // resolve via a reference so cycles are reported against the let
    const ir = checkSource(cctx, { text: slot.spec.name, loc: slot.spec.loc });
    if (ir && ir.op === 'ref') lets.push(ir.def);
    else if (ctx.errors.length === before2 && slot.state !== 'failed') fail(ctx, m.let, `${path}.let.${slot.spec.name}`, 'definition could not be checked', 'a valid definition');
  }
  const wantBool = (t: Type) => (t.k === 'bool' && !('nullable' in t && t.nullable) ? undefined : 'a condition (true/false)');
  const readConds = (key: 'conditions' | 'exceptions'): ConditionModel[] => {
    const out: ConditionModel[] = [];
    if (m[key] === undefined) return out;
    (listOf(ctx, m[key], `${path}.${key}`) ?? []).forEach((cn, j) => {
      const cp = `${path}.${key}[${j}]`;
      const c = mapOf(ctx, cn, cp, ['id', 'label', 'when', 'cite', ...(strict.v2 ? ['quote', 'source'] : [])], ['id', 'label', 'when', 'cite', ...(strict.v2 ? ['quote'] : [])]);
      if (!c) return;
      const q = readQuote(ctx, strict, c, cp);
      const cid = str(ctx, c.id, `${cp}.id`, { pattern: CODE, expected: 'an upper-case reason code like LAYOFF_RATE' });
      const label = str(ctx, c.label, `${cp}.label`);
      const cite = str(ctx, c.cite, `${cp}.cite`, { expected: 'the article and clause this condition comes from' });
      const when = src(ctx, c.when, `${cp}.when`);
      const ir = when ? checkSource(cctx, when, wantBool) : undefined;
      if (cid && label && cite && ir && q !== undefined) out.push({ id: cid, label, cite, ir, quote: q });
    });
    return out;
  };
  const conditions = readConds('conditions');
  const exceptions = readConds('exceptions');
  const codes = new Set<string>();
  for (const c of [...conditions, ...exceptions]) {
    if (codes.has(c.id) || c.id === 'AMOUNT' || c.id === 'NOT_IN_EFFECT') fail(ctx, m.conditions, `${path}.conditions`, `reason code '${c.id}' is used twice or reserved`, 'unique reason codes');
    codes.add(c.id);
  }
  const am = mapOf(ctx, m.amount, `${path}.amount`, ['expr', 'table', 'rounding', 'cap', 'cite', 'capCite', ...(strict.v2 ? ['quote', 'source'] : [])], ['rounding', 'cite', ...(strict.v2 ? ['quote'] : [])]);
  let amount: PointModel['amount'] | undefined;
  if (am) {
    const q = readQuote(ctx, strict, am, `${path}.amount`);
    const wantMoney = (t: Type) => (t.k === 'num' && sameUnit(t.unit, { fen: 1 }) && !('nullable' in t && t.nullable) ? undefined : 'an amount in 元');
    let ir: IR | undefined;
    if ((am.expr === undefined) === (am.table === undefined)) fail(ctx, m.amount, `${path}.amount`, 'amount needs exactly one of expr or table', 'expr: <expression> or table: {...}');
    else if (am.expr !== undefined) {
      const e = src(ctx, am.expr, `${path}.amount.expr`);
      ir = e ? checkSource(cctx, e, wantMoney) : undefined;
    } else {
      const t = readTable(ctx, am.table, `${path}.amount.table`);
      ir = t ? checkTable(cctx, t) : undefined;
      if (ir && wantMoney(ir.ty)) {
        fail(ctx, am.table, `${path}.amount.table`, `table gives ${typeLabel(ir.ty)}`, 'an amount in 元');
        ir = undefined;
      }
    }
    const rounding = str(ctx, am.rounding, `${path}.amount.rounding`, { pattern: /^(half-up-fen|half-up-yuan|down-fen|down-yuan)$/, expected: ROUNDINGS.join(', ') }) as RoundingMode | undefined;
    const cite = str(ctx, am.cite, `${path}.amount.cite`);
    const capSrc = am.cap === undefined ? undefined : src(ctx, am.cap, `${path}.amount.cap`);
    const cap = capSrc ? checkSource(cctx, capSrc, wantMoney) : undefined;
    const capCite = am.capCite === undefined ? null : (str(ctx, am.capCite, `${path}.amount.capCite`) ?? null);
    if (ir && rounding && cite && (am.cap === undefined || cap) && q !== undefined) amount = { ir, rounding, cite, cap: cap ?? null, capCite, quote: q };
  }
  const budget = readBudget(ctx, dict, subject, m.budget, `${path}.budget`);
  let exclusion: PointModel['exclusion'] = null;
  if (m.exclusion !== undefined) {
    const xm = mapOf(ctx, m.exclusion, `${path}.exclusion`, ['group', 'resolution', 'priority'], ['group', 'resolution']);
    if (xm) {
      const group = str(ctx, xm.group, `${path}.exclusion.group`, { pattern: ID, expected: 'a group id' });
      const resolution = str(ctx, xm.resolution, `${path}.exclusion.resolution`, { pattern: /^(higher-amount|priority)$/, expected: 'higher-amount (就高不就低) or priority' });
      const priority = xm.priority === undefined ? null : (int(ctx, xm.priority, `${path}.exclusion.priority`) ?? null);
      if (resolution === 'priority' && priority === null) fail(ctx, m.exclusion, `${path}.exclusion`, 'resolution priority needs a priority number', 'priority: 1 (lower wins)');
      if (group && resolution) exclusion = { group, resolution: resolution as 'priority', priority };
    }
  }
  // Test cases: base facts merged with each case's facts; expectations checked against the dictionary.
  const base: Record<string, unknown> = {};
  readFacts(ctx, dict, subject, m.testBase, `${path}.testBase`, base);
  const tests: TestCaseModel[] = [];
  const testNodes = listOf(ctx, m.tests, `${path}.tests`) ?? [];
  testNodes.forEach((tn, j) => {
    const tp = `${path}.tests[${j}]`;
    const t = mapOf(ctx, tn, tp, ['name', 'kind', 'period', 'facts', 'expect'], ['name', 'period', 'expect']);
    if (!t) return;
    const tname = str(ctx, t.name, `${tp}.name`);
    const kinds = t.kind === undefined ? [] : isSeq(t.kind) ? t.kind.items.map((x, k) => str(ctx, x as Node, `${tp}.kind[${k}]`, { pattern: /^(boundary|exclusion|missing|typical|mutual-exclusion|closing-date|stage)$/, expected: 'boundary, exclusion, missing, typical, closing-date or stage' })) : [str(ctx, t.kind, `${tp}.kind`)];
    const period = str(ctx, t.period, `${tp}.period`, { pattern: /^\d{4}(-\d{2}(-\d{2})?)?$/, expected: 'a period: 2024, 2025-03 or 2023-08-01' });
    if (period) realPartialDate(ctx, t.period, `${tp}.period`, period);
    if (period && frequency === 'monthly' && !/^\d{4}-\d{2}$/.test(period)) fail(ctx, t.period, `${tp}.period`, `a monthly point is paid per month, not for '${period}'`, 'a month such as 2025-03');
    if (period && frequency === 'yearly' && !/^\d{4}$/.test(period)) fail(ctx, t.period, `${tp}.period`, `a yearly point is paid per year, not for '${period}'`, 'a year such as 2024');
    const facts: Record<string, unknown> = { ...base };
    readFacts(ctx, dict, subject, t.facts, `${tp}.facts`, facts);
    const xm = mapOf(ctx, t.expect, `${tp}.expect`, ['outcome', 'amount', 'reasons', 'missing'], ['outcome']);
    if (!xm) return;
    const outcome = str(ctx, xm.outcome, `${tp}.expect.outcome`, { pattern: /^(eligible|ineligible|undetermined)$/, expected: 'eligible, ineligible or undetermined' });
    const amountFen = xm.amount === undefined ? undefined : moneyFen(ctx, xm.amount, `${tp}.expect.amount`);
    if (outcome === 'eligible' && xm.amount === undefined) fail(ctx, t.expect, `${tp}.expect`, 'an eligible case must state the amount', 'amount: "7,407.00元"');
    const strList = (n: YNode, p: string) => (n === undefined ? undefined : (listOf(ctx, n, p) ?? []).map((x, k) => str(ctx, x, `${p}[${k}]`) ?? ''));
    const reasons = strList(xm.reasons, `${tp}.expect.reasons`);
    const missing = strList(xm.missing, `${tp}.expect.missing`);
    if (tname && period && outcome && kinds.every((k) => k)) {
      tests.push({ name: tname, kind: kinds as string[], period, facts, expect: { outcome: outcome as 'eligible', ...(amountFen !== undefined ? { amountFen } : {}), ...(reasons ? { reasons } : {}), ...(missing ? { missing } : {}) }, loc: locOf(ctx, tn, tp) });
    }
  });
  if (testNodes.length < 3) fail(ctx, m.tests, `${path}.tests`, `point has ${testNodes.length} test case(s)`, 'at least 3 test cases, including a boundary and an exclusion');
  for (const need of strict.v2 ? ['typical', 'boundary', 'exclusion'] : ['boundary', 'exclusion']) {
    if (testNodes.length >= 3 && !tests.some((t) => t.kind.includes(need))) fail(ctx, m.tests, `${path}.tests`, `no test case of kind '${need}'`, `a test case with kind: [${need}]`);
  }
  if (ctx.errors.length > before || !name || !series || !article || clause === undefined || quote === undefined || from === undefined || to === undefined || !frequency || !paysFor || dataYearOffset === undefined || !delivery || confirmation === undefined || !notice || !amount || !budget || !document) return undefined;

  const deps = dependencies([...conditions, ...exceptions].map((c) => c.ir).concat(amount.ir, amount.cap ? [amount.cap] : [], lets.map((l) => l.body)));
  const read = new Set([...deps.facts].map((f) => f.name));
  for (const name of ask) if (!read.has(name)) fail(ctx, m.ask, `${path}.ask`, `'${name}' is asked for but no condition or amount reads it`, 'only the facts the rules read');
  if (ctx.errors.length > before) return undefined;
  const pointSource = toPlain(ctx, node) as Record<string, unknown>;
  delete pointSource.tests;
  delete pointSource.testBase;
  const canonical = {
    format: strict.v2 ? POLICY_FORMAT : LEGACY_FORMAT,
    document: { id: document.id, docNumber: document.docNumber, title: document.title, issuer: document.issuer },
    point: pointSource,
    parameters: [...deps.params].sort((a, b) => a.name.localeCompare(b.name)).map((p) => ({ name: p.name, zh: p.zh, type: typeLabel(p.ty), values: p.values.map((v) => ({ from: v.fromText, to: v.toText, value: ratText(v.v), cite: v.cite })) })),
    derived: [...deps.defs].filter((d) => d.kind === 'derived').sort((a, b) => a.name.localeCompare(b.name)).map((d) => d.source),
    facts: [...deps.facts].sort((a, b) => a.name.localeCompare(b.name)).map((f) => ({ name: f.name, type: typeLabel(f.type), whenAbsent: f.whenAbsent })),
  };
  return {
    id,
    name,
    series,
    document,
    subject,
    citation: { article, clause, quote },
    tags,
    ask,
    effective: { from, to, fromText: fromText as string, toText: toText ?? null },
    frequency,
    paysFor,
    dataYearOffset,
    valuesOn: valuesOn ?? 'period-start',
    delivery,
    notice,
    confirmation,
    timeLimits,
    lets,
    params: [...deps.params],
    conditions,
    exceptions,
    amount,
    budget,
    exclusion,
    notes,
    tests,
    canonical,
    contentHash: sha256(canonicalJson(toJson(canonical))),
    loc: locOf(ctx, node, path),
  };
}
