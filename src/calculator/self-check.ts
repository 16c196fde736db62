// 政策计算器: a self-check from a few answers (or an enterprise's own profile), evaluated by the same
// engine and the same published library the matching runs use — evaluatePoint, evaluateAmount and the
// points' own dependencies — so there is no second copy of any rule here. Pure: the library's points,
// the facts and the period come in; nothing reads a clock or a database.
import type { Clock } from '../clock.ts';
import { codeShapeProblem } from '../dictionary/codes.ts';
import { FACTS, type FactDef } from '../dictionary/facts.ts';
import { AppError } from '../errors.ts';
import { formatYuan } from '../money.ts';
import { dependencies } from '../rules/lang/deps.ts';
import { evaluateAmount, evaluatePoint, pointInEffect, type Evaluation, type Facts } from '../rules/lang/evaluate.ts';
import type { PointModel } from '../rules/lang/model.ts';
import { parseIsoDay } from '../rules/lang/parser.ts';
import { parsePeriod, type Period } from '../rules/lang/period.ts';
import { explain } from '../rules/lang/render.ts';
import { typeLabel } from '../rules/lang/types.ts';

const ENTERPRISE_FACTS: ReadonlyMap<string, FactDef> = new Map(FACTS.filter((f) => f.subject === 'enterprise').map((f) => [f.name, f]));

const OUTCOME_TEXT = { eligible: '可能符合', undetermined: '还需补充', ineligible: '不符合' } as const;

/** The small questionnaire: a few named answers, and any other fact of the dictionary by its name. */
export interface Questionnaire {
  /** GB/T 2260 code of the registered address → regionCode. */
  region?: unknown;
  /** GB/T 4754-2017 code → industryCode. */
  industry?: unknown;
  /** 大型/中型/小型/微型 as the enterprise believes; the rules classify from staff and revenueFen (see notes). */
  size?: '大型' | '中型' | '小型' | '微型' | undefined;
  /** 从业人员 → staff. */
  headcount?: unknown;
  /** Any enterprise fact of the dictionary, by name (events such as highTechCertDate, ipoListingDate, expansionHires1m). */
  answers?: Record<string, unknown> | undefined;
}

/** Where a fact the self-check used came from. */
type FactOrigin = 'answer' | 'profile';
const ORIGIN_TEXT: Record<FactOrigin, string> = { answer: '自填', profile: '企业档案' };

function invalid(field: string, message: string): never {
  throw new AppError('SELF_CHECK_ANSWER_INVALID', `${field}: ${message}`, { fields: [field] });
}

/** One answer, checked against the dictionary's type and plausible range; the value as the engine reads it. */
function checkAnswer(field: string, fact: FactDef, raw: unknown): unknown {
  const t = fact.type;
  if (raw === null) {
    if ('nullable' in t && t.nullable) return null;
    invalid(field, `${fact.name} (${fact.zh}) cannot be empty`);
  }
  switch (t.k) {
    case 'num': {
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw)) invalid(field, `${fact.name} (${fact.zh}) must be a whole number in ${t.unit.fen ? 'fen' : typeLabel(t)}, got ${JSON.stringify(raw)}`);
      const range = fact.range;
      if (range?.k === 'num' && (raw < range.min || raw > range.max)) invalid(field, `${fact.name} (${fact.zh}) must be within ${range.label}${t.unit.fen ? ' (in fen)' : ''}, got ${raw}`);
      return raw;
    }
    case 'bool':
      if (typeof raw !== 'boolean') invalid(field, `${fact.name} (${fact.zh}) must be true or false, got ${JSON.stringify(raw)}`);
      return raw;
    case 'date': {
      if (typeof raw !== 'string' || parseIsoDay(raw) === undefined) invalid(field, `${fact.name} (${fact.zh}) must be a date YYYY-MM-DD, got ${JSON.stringify(raw)}`);
      const range = fact.range;
      if (range?.k === 'date' && (raw < range.min || raw > range.max)) invalid(field, `${fact.name} (${fact.zh}) must be between ${range.min} and ${range.max}`);
      return raw;
    }
    case 'enum':
      if (typeof raw !== 'string' || !t.values.includes(raw)) invalid(field, `${fact.name} (${fact.zh}) must be one of ${t.values.join('|')}, got ${JSON.stringify(raw)}`);
      return raw;
    case 'code': {
      const problem = typeof raw === 'string' ? codeShapeProblem(t.list, raw) : 'not a string';
      if (problem) invalid(field, `${fact.name} (${fact.zh}): ${problem}`);
      return raw;
    }
    case 'text':
      if (typeof raw !== 'string' || raw.length > 200) invalid(field, `${fact.name} (${fact.zh}) must be a string of at most 200 characters`);
      return raw;
    case 'list':
      return invalid(field, `${fact.name} cannot be answered in the self-check`);
  }
}

/**
 * The questionnaire as facts, each checked through the dictionary: a name the dictionary does not have for
 * an enterprise, or a value of the wrong type or out of range, is SELF_CHECK_ANSWER_INVALID naming the field.
 */
export function answersToFacts(q: Questionnaire): { facts: Record<string, unknown>; notes: string[] } {
  const facts: Record<string, unknown> = {};
  const notes: string[] = [];
  const put = (field: string, name: string, raw: unknown) => {
    const fact = ENTERPRISE_FACTS.get(name);
    if (!fact) invalid(field, `'${name}' is not an enterprise fact of the data dictionary; GET /api/public/self-check/questions lists the facts that can be answered`);
    facts[name] = checkAnswer(field, fact, raw);
  };
  for (const [name, raw] of Object.entries(q.answers ?? {})) if (raw !== undefined) put(`answers.${name}`, name, raw);
  if (q.region !== undefined) put('region', 'regionCode', q.region);
  if (q.industry !== undefined) put('industry', 'industryCode', q.industry);
  if (q.headcount !== undefined) put('headcount', 'staff', q.headcount);
  if (q.size !== undefined && (facts.staff === undefined || facts.revenueFen === undefined)) {
    notes.push(`所填规模“${q.size}”仅供参考：政策按从业人员和营业收入（部分行业还看资产总额）划型（工信部联企业〔2011〕300号），请补充从业人员（headcount）和营业收入（answers.revenueFen，单位分）后再测算依赖划型的政策`);
  }
  return { facts, notes };
}

/** The year a self-check is for when none is asked: the current year in China (UTC+8), from the clock. */
export function defaultPeriod(clock: Clock): Period {
  return parsePeriod(String(new Date(clock.now().getTime() + 8 * 3_600_000).getUTCFullYear()));
}

function readsOf(point: PointModel): FactDef[] {
  const roots = [...point.conditions, ...point.exceptions].map((c) => c.ir).concat(point.amount.ir, point.amount.cap ? [point.amount.cap] : []);
  return [...dependencies(roots).facts].sort((a, b) => a.name.localeCompare(b.name));
}

export interface AskableFact {
  name: string;
  zh: string;
  type: string;
  kind: string;
  unit: string | null;
  values: readonly string[] | null;
  description: string;
  /** What not answering means: the decision waits for it (missing), or the register is taken as no / none. */
  whenAbsent: FactDef['whenAbsent'];
  points: { id: string; name: string }[];
}

/** The facts the library's enterprise points read (directly or through derived facts), with the points that read each. */
export function askableFacts(points: readonly PointModel[]): AskableFact[] {
  const out = new Map<string, AskableFact>();
  for (const point of points) {
    if (point.subject !== 'enterprise') continue;
    for (const f of readsOf(point)) {
      let entry = out.get(f.name);
      if (!entry) {
        const t = f.type;
        const unit = t.k === 'num' ? (Object.keys(t.unit)[0] ?? null) : null;
        entry = { name: f.name, zh: f.zh, type: typeLabel(t), kind: t.k, unit, values: t.k === 'enum' ? t.values : null, description: f.description, whenAbsent: f.whenAbsent, points: [] };
        out.set(f.name, entry);
      }
      if (!entry.points.some((p) => p.id === point.id)) entry.points.push({ id: point.id, name: point.name });
    }
  }
  return [...out.values()].sort((a, b) => b.points.length - a.points.length || a.name.localeCompare(b.name));
}

type AmountView =
  | { kind: 'exact'; amountFen: string; amountYuan: string; text: string }
  | { kind: 'if-eligible'; amountFen: string; amountYuan: string; text: string }
  | { kind: 'range'; minFen: string; maxFen: string | null; text: string; dependsOn: { name: string; zh: string }[] }
  | { kind: 'depends'; text: string; dependsOn: { name: string; zh: string }[] };

const labelled = (names: readonly string[]) => names.map((name) => ({ name, zh: ENTERPRISE_FACTS.get(name)?.zh ?? name }));
const zhList = (names: readonly string[]) => labelled(names).map((f) => f.zh).join('、');

/**
 * The amount of an undecided point: exact when its formula has all it reads (payable if the open conditions
 * hold); else, when every missing figure is a number with a dictionary range, the rule evaluated at the
 * range's bounds and midpoint — the upper end is given only when the rule saturates (a cap or a table's top
 * band: the amount at half the bound equals the amount at the bound), otherwise it is open (null); else only
 * which facts it depends on. No figure here comes from anywhere but the rule itself.
 */
function undecidedAmount(point: PointModel, facts: Facts, period: Period): AmountView {
  const direct = evaluateAmount(point, facts, period);
  if (direct.amountFen !== null) {
    const yuan = formatYuan(direct.amountFen);
    return { kind: 'if-eligible', amountFen: direct.amountFen.toString(), amountYuan: yuan, text: `如符合条件，金额为 ${yuan} 元` };
  }
  const missing = direct.missing;
  const dependsOn = labelled(missing);
  const depends: AmountView = { kind: 'depends', text: `金额取决于：${zhList(missing)}`, dependsOn };
  const ranges = missing.map((name) => ENTERPRISE_FACTS.get(name)?.range);
  if (ranges.some((r) => r?.k !== 'num')) return depends;
  const at = (pick: (r: { min: number; max: number }) => number) => {
    const probe: Record<string, unknown> = { ...facts };
    missing.forEach((name, i) => (probe[name] = pick(ranges[i] as { min: number; max: number })));
    return evaluateAmount(point, probe, period).amountFen;
  };
  const low = at((r) => r.min);
  const mid = at((r) => Math.floor((r.min + r.max) / 2));
  const high = at((r) => r.max);
  if (low === null || mid === null || high === null) return depends;
  const min = [low, mid, high].reduce((a, b) => (b < a ? b : a));
  const max = mid === high ? high : null;
  const text = max === null ? `金额取决于${zhList(missing)}：不低于 ${formatYuan(min)} 元，无上限` : `金额取决于${zhList(missing)}：${formatYuan(min)} 元至 ${formatYuan(max)} 元`;
  return { kind: 'range', minFen: min.toString(), maxFen: max?.toString() ?? null, text, dependsOn };
}

interface SelfCheckItem {
  pointId: string;
  name: string;
  outcome: Evaluation['outcome'];
  outcomeText: string;
  amount: AmountView | null;
  /** 还需补充: the facts the decision waits for. */
  missing: { name: string; zh: string }[];
  /** 不符合: the conditions not met (or exceptions that apply), with their labels. */
  failed: { id: string; label: string }[];
  citation: { docNumber: string; title: string; issuer: string; article: string; clause: string | null; quote: string | null; sourceUrl: string | null };
  tags: Record<string, string[]>;
  /** 兑现方式: 免申即享 or 快申快享, as the point says. */
  delivery: string;
  /** The facts of this point's rule that had a value, and where each came from (values of text facts are not repeated). */
  factsUsed: { name: string; zh: string; from: FactOrigin; fromText: string; value?: unknown }[];
  /** The engine's own explanation, in Chinese with citations. */
  explanation: string[];
}

export interface SelfCheckInput {
  /** The published library's points (person points are skipped). */
  points: readonly PointModel[];
  period: Period;
  /** The answers, as checked facts (answersToFacts). */
  answers: Record<string, unknown>;
  /** An enterprise's own facts for a point (the portal), overlaid by the answers; none when anonymous. */
  profileFor?: (point: PointModel) => Record<string, unknown>;
  includeIneligible?: boolean;
}

export interface SelfCheckResult {
  period: string;
  items: SelfCheckItem[];
  counts: { eligible: number; undetermined: number; ineligible: number };
}

/** Every enterprise point in effect for the period, evaluated on the answers (over the profile), sorted for reading. */
export function selfCheck(input: SelfCheckInput): SelfCheckResult {
  const items: SelfCheckItem[] = [];
  const counts = { eligible: 0, undetermined: 0, ineligible: 0 };
  for (const point of input.points) {
    if (point.subject !== 'enterprise' || !pointInEffect(point, input.period)) continue;
    const profile = input.profileFor?.(point) ?? {};
    const facts = { ...profile, ...input.answers };
    const ev = evaluatePoint(point, facts, input.period);
    counts[ev.outcome]++;
    if (ev.outcome === 'ineligible' && !input.includeIneligible) continue;
    const all = [...point.conditions, ...point.exceptions];
    const factsUsed = readsOf(point)
      .filter((f) => facts[f.name] !== undefined)
      .map((f) => {
        const from: FactOrigin = f.name in input.answers ? 'answer' : 'profile';
        return { name: f.name, zh: f.zh, from, fromText: ORIGIN_TEXT[from], ...(f.type.k === 'text' ? {} : { value: facts[f.name] }) };
      });
    const amount: AmountView | null =
      ev.outcome === 'eligible' && ev.amountFen !== null
        ? { kind: 'exact', amountFen: ev.amountFen.toString(), amountYuan: formatYuan(ev.amountFen), text: `${formatYuan(ev.amountFen)} 元` }
        : ev.outcome === 'undetermined'
          ? undecidedAmount(point, facts, input.period)
          : null;
    items.push({
      pointId: point.id,
      name: point.name,
      outcome: ev.outcome,
      outcomeText: OUTCOME_TEXT[ev.outcome],
      amount,
      missing: labelled(ev.missingFacts),
      failed: ev.outcome === 'ineligible' ? ev.reasonCodes.map((id) => ({ id, label: all.find((c) => c.id === id)?.label ?? id })) : [],
      citation: { docNumber: point.document.docNumber, title: point.document.title, issuer: point.document.issuer, article: point.citation.article, clause: point.citation.clause, quote: point.citation.quote, sourceUrl: point.document.sourceUrl },
      tags: point.tags,
      delivery: point.delivery,
      factsUsed,
      explanation: explain(ev).lines,
    });
  }
  const rank = { eligible: 0, undetermined: 1, ineligible: 2 } as const;
  const amountOf = (i: SelfCheckItem) => (i.amount?.kind === 'exact' ? BigInt(i.amount.amountFen) : 0n);
  items.sort((a, b) => rank[a.outcome] - rank[b.outcome] || (amountOf(a) === amountOf(b) ? a.pointId.localeCompare(b.pointId) : amountOf(b) > amountOf(a) ? 1 : -1));
  return { period: input.period.text, items, counts };
}
