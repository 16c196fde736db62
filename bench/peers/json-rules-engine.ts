// json-rules-engine: one Engine per point, loaded from bench/peers/json-rules-engine/<key>.json (the
// library's own JSON rule format). What the JSON cannot say is added the way its users add it:
// - custom operators: codeWithin (GB/T 2260 / 4754 hierarchy: "440000" contains "440305", "H61" contains
//   "H6110") and dateInYear ('YYYY-MM-DD' in a given year);
// - runtime facts (functions, computed lazily per run and cached by the almanac): sizeClass (企业划型
//   from industryCode, staff, revenueFen, totalAssetsFen; see size-class.ts) and layoffRate (newClaimants ÷ avgInsured);
// - the period as facts passed to run(): periodYear, periodStart, periodEnd (yyyymmdd integers);
// - the amount: the firing rule's event params say how (a fixed sum, a percent of a fen fact rounded
//   half-up, or a head count × fen per head); the caller computes it in integer arithmetic.
import { readFileSync } from 'node:fs';
import { Engine, type Almanac, type RuleProperties } from 'json-rules-engine';
import type { SubjectFacts } from './facts.ts';
import type { PeerDecision, PeerPoint, PeriodInput } from './points.ts';
import { sizeClassOf } from './size-class.ts';

type AmountSpec = { fixedFen: number } | { fact: string; percent: number } | { fact: string; timesFen: number };

interface RuleFile {
  point: string;
  note: string;
  rules: RuleProperties[];
}

export function loadRuleFile(key: string): RuleFile {
  return JSON.parse(readFileSync(new URL(`./json-rules-engine/${key}.json`, import.meta.url), 'utf8')) as RuleFile;
}

/** GB/T 2260 codes stand for their trailing-"00"-stripped prefix; industry codes are prefixes as written. */
function codePrefix(code: string): string {
  if (/^\d{6}$/.test(code)) return code.endsWith('0000') ? code.slice(0, 2) : code.endsWith('00') ? code.slice(0, 4) : code;
  return code;
}

export function createEngine(rules: RuleProperties[]): Engine {
  const engine = new Engine(rules, { allowUndefinedFacts: true });
  engine.addOperator<string, string[]>('codeWithin', (value, codes) => typeof value === 'string' && codes.some((c) => value.startsWith(codePrefix(c))));
  engine.addOperator<string, number>('dateInYear', (value, year) => typeof value === 'string' && value.length === 10 && Number(value.slice(0, 4)) === year);
  engine.addFact('sizeClass', async (_params: unknown, almanac: Almanac) => {
    const [industryCode, staff, revenueFen, totalAssetsFen] = await Promise.all([almanac.factValue('industryCode'), almanac.factValue('staff'), almanac.factValue('revenueFen'), almanac.factValue('totalAssetsFen')]);
    return sizeClassOf(industryCode, staff, revenueFen, totalAssetsFen);
  });
  engine.addFact('layoffRate', async (_params: unknown, almanac: Almanac) => {
    const [claimants, insured] = await Promise.all([almanac.factValue<number>('newClaimants'), almanac.factValue<number>('avgInsured')]);
    return typeof claimants === 'number' && typeof insured === 'number' && insured > 0 ? claimants / insured : undefined;
  });
  return engine;
}

export interface JrePoint {
  point: PeerPoint;
  engine: Engine;
  period: PeriodInput;
}

/** Integer fen from the event's amount spec; undefined when the fact it needs is absent. */
function amountOf(spec: AmountSpec, facts: SubjectFacts): number | undefined {
  if ('fixedFen' in spec) return spec.fixedFen;
  const v = facts[spec.fact];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return undefined;
  if ('percent' in spec) return Math.floor((v * spec.percent + 50) / 100); // half-up to the fen, exact below 2^53
  return v * spec.timesFen;
}

export async function decideJre(p: JrePoint, facts: SubjectFacts): Promise<PeerDecision> {
  const { events } = await p.engine.run({ ...facts, periodYear: p.period.year, periodStart: p.period.start, periodEnd: p.period.end });
  if (events.length === 0) return { eligible: false, amountFen: null };
  if (events.length > 1) throw new Error(`${p.point.id}: ${events.length} rules fired for one subject; the rows should exclude each other`);
  const amount = amountOf((events[0]!.params as { amount: AmountSpec }).amount, facts);
  return amount === undefined ? { eligible: false, amountFen: null } : { eligible: true, amountFen: amount };
}
