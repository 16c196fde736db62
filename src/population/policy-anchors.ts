// Subjects planted from the policy library's own test cases, so that the demo shows every point with
// someone eligible, someone who just misses (a boundary, an exception, a missing fact) and why.
//
// The authors of each point already wrote typical, boundary, exclusion and missing-data cases (testBase +
// tests). Each representable case becomes one subject whose department feed rows carry exactly the
// case's facts, at the period the demo matches the point for; the demo therefore follows the library
// when a policy's conditions, thresholds or periods change, with nothing to keep in step by hand.
//
// A point is matched in a fixed demo run when it is in effect there and its cases give both outcomes at
// that period; otherwise in a run of its own, at the period its cases are written for (2019 for the
// 2019 稳岗返还, 2022-07 for the 2022 扩岗补助 …). The outcome each planted subject should get is computed
// here with the explaining evaluator on the facts as written, so a case the feeds cannot express (a
// missing birth date, which every 公民身份号码 carries) is judged on what the feeds do say.
import { FEEDS, type ColumnMapping, type FeedMapping } from '../feeds/mappings.ts';
import { factPeriodsFor, periodKindOf, pointsForScope } from '../matching/compiled-library.ts';
import { evaluatePoint, pointInEffect } from '../rules/lang/evaluate.ts';
import type { PointModel } from '../rules/lang/model.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { buildIdNumber } from '../subjects/id-number.ts';
import { buildUscc } from '../subjects/uscc.ts';
import { isoDate } from './dates.ts';
import { organisationBody } from './enterprises.ts';
import { isDerivedFeed, type Row } from './feeds.ts';
import { hashString, Rng } from './random.ts';

export interface DemoRun {
  scope: 'enterprise' | 'person';
  period: string;
  /** Build the identity ledger of this month first (the per-month hiring subsidies count deduplicated hires). */
  ledgerMonth?: string;
  pay: boolean;
}

type Outcome = 'eligible' | 'ineligible' | 'undetermined';

export interface PlantedSubject {
  pointId: string;
  testName: string;
  subject: 'enterprise' | 'person';
  key: string;
  name: string;
  /** The demo period the point is matched for. */
  period: string;
  /** What the explaining evaluator gives on the facts as written, at that period. */
  expected: Outcome;
  reasons: string[];
  missing: string[];
}

export interface DemoPlan {
  /** The fixed runs, then one run per (scope, period) some point needs beyond them. */
  runs: DemoRun[];
  /** The period each point is shown for, by point id. */
  periodOf: ReadonlyMap<string, string>;
  subjects: PlantedSubject[];
  /** Feed rows for the planted subjects, by feed id, in the column order of feedHeader(). */
  rows: Readonly<Record<string, Row[]>>;
}

type Facts = Record<string, unknown>;

const ENTERPRISE_DEFAULTS: Facts = { regionCode: '440305', industryCode: 'M7320', status: '存续', orgKind: '企业', abnormalOperation: false };
const PERSON_DEFAULTS: Facts = { hukouRegion: '440305' };
/** Facts a feed can only carry as a whole row: absent from a case, the row says "no" (a 信用 record of a clean firm). */
const ROW_DEFAULTS: Facts = { seriousDishonest: false, dibaoHousehold: false };
const PERSON_BIRTH_DEFAULT = '1980-06-15';
/** 公民身份号码 address code of planted persons: the city code, which the generator gives nobody. */
const PERSON_ID_ADDRESS = '440300';
const ANCHOR_STREAM = hashString('policy-anchor');

const DEPARTMENT_FEEDS = FEEDS.filter((f) => !isDerivedFeed(f));

function yuan(fen: bigint): string {
  const abs = fen < 0n ? -fen : fen;
  return `${fen < 0n ? '-' : ''}${abs / 100n}.${String(abs % 100n).padStart(2, '0')}`;
}

function cell(column: ColumnMapping, value: unknown): string {
  if (value === null || value === undefined) return '';
  switch (column.type.kind) {
    case 'yuan':
      return yuan(typeof value === 'bigint' ? value : BigInt(value as number));
    case 'bool':
      return value ? '是' : '否';
    case 'date':
      return typeof value === 'number' ? isoDate(value) : scalarText(column, value);
    default:
      return scalarText(column, value);
  }
}

/** A planted fact written as it stands; a list or object is a mistake in a case, not a cell. */
function scalarText(column: ColumnMapping, value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  throw new TypeError(`column ${column.column}: ${JSON.stringify(value)} is not a single value a feed cell can hold`);
}

function hasValue(facts: Facts, name: string): boolean {
  return facts[name] !== undefined && facts[name] !== null;
}

/**
 * The rows a subject with these facts appears in, and the facts those rows say. A feed gets a row when
 * the case names one of its facts (registries always); a row whose required cell the case leaves empty
 * cannot be sent, so that feed says nothing about the subject.
 */
function rowsFor(subject: 'enterprise' | 'person', key: string, name: string, caseFacts: Facts, dataPeriod: string, account?: string): { rows: Record<string, Row>; facts: Facts } {
  const facts: Facts = { ...(subject === 'enterprise' ? ENTERPRISE_DEFAULTS : PERSON_DEFAULTS), ...(account ? { basicAccount: account } : {}), ...caseFacts };
  const rows: Record<string, Row> = {};
  const written: Facts = {};
  for (const feed of DEPARTMENT_FEEDS) {
    if (feed.subject !== subject) continue;
    const mapped = feed.columns.filter((c) => c.fact);
    if (!feed.registers && !mapped.some((c) => c.fact! in facts)) continue;
    const values: Facts = {};
    for (const c of mapped) values[c.fact!] = c.fact! in facts ? facts[c.fact!] : c.required ? ROW_DEFAULTS[c.fact!] : undefined;
    if (mapped.some((c) => c.required && !hasValue(values, c.fact!))) continue;
    const period = periodCell(feed, dataPeriod);
    if (period === undefined) continue;
    const row: Row = [key, ...(period === null ? [] : [period])];
    for (const c of feed.columns) row.push(c.fact ? cell(c, values[c.fact]) : name);
    rows[feed.id] = row;
    for (const c of mapped) written[c.fact!] = hasValue(values, c.fact!) ? values[c.fact!] : null;
  }
  if (subject === 'person') written.birthDate = `${key.slice(6, 10)}-${key.slice(10, 12)}-${key.slice(12, 14)}`;
  return { rows, facts: written };
}

/** The period cell of a row for the point's data period; undefined when the feed has no such period. */
function periodCell(feed: FeedMapping, dataPeriod: string): string | null | undefined {
  if (feed.period.kind === 'current') return null;
  // A point matched by month reads its year too (factPeriodsFor); one matched by year reads no month.
  const monthly = /^\d{4}-\d{2}$/.test(dataPeriod);
  if (feed.period.kind === 'year') return dataPeriod.slice(0, 4);
  return monthly ? dataPeriod : undefined;
}

function accountNumber(rng: Rng): string {
  const digits = `7559${String(rng.u32() % 1_000_000).padStart(6, '0')}${String(rng.u32() % 1_000_000).padStart(6, '0')}`;
  // The sandbox bank closes accounts ending in 0000; planted firms are meant to be paid.
  return digits.endsWith('0000') ? `${digits.slice(0, 15)}1` : digits;
}

function runKey(scope: string, period: string): string {
  return `${scope} ${period}`;
}

/**
 * The demo plan for a library: which runs to make, the period each point is shown for, and the subjects
 * to plant. Deterministic in (points, fixed runs, seed).
 */
export function demoPlan(points: readonly PointModel[], fixedRuns: readonly DemoRun[], seed: number): DemoPlan {
  const periodOf = new Map<string, string>();
  const subjects: PlantedSubject[] = [];
  const rows: Record<string, Row[]> = {};
  const extraRuns = new Map<string, DemoRun>();
  const fixedKeys = new Set(fixedRuns.map((r) => runKey(r.scope, r.period)));
  let enterpriseNo = 0;
  let personNo = 0;

  for (const point of points) {
    const scope = point.subject;
    // Keys and rows are built per case; the facts a row says do not depend on the period, only the period cells do.
    const draft = point.tests.map((test, k) => {
      const n = scope === 'enterprise' ? enterpriseNo + k : personNo + k;
      const rng = new Rng(seed, ANCHOR_STREAM, scope === 'enterprise' ? n : 1_000_000 + n);
      const regionCode = typeof test.facts.regionCode === 'string' ? test.facts.regionCode : String(ENTERPRISE_DEFAULTS.regionCode);
      const birth = typeof test.facts.birthDate === 'string' ? test.facts.birthDate : PERSON_BIRTH_DEFAULT;
      const key = scope === 'enterprise' ? buildUscc('9', '1', regionCode, organisationBody(seed, n, 'MA7')) : buildIdNumber(PERSON_ID_ADDRESS, birth.replaceAll('-', ''), String((n % 999) + 1).padStart(3, '0'));
      const name = scope === 'enterprise' ? `政策样例${n + 1}号（${point.id}：${test.name}）` : `样例${n + 1}`;
      return { test, key, name, account: scope === 'enterprise' ? accountNumber(rng) : undefined };
    });
    const judge = (period: string) => {
      const p = parsePeriod(period);
      const dataPeriod = factPeriodsFor(point, p).at(-1)!;
      return draft.map((d) => {
        const built = rowsFor(scope, d.key, d.name, d.test.facts, dataPeriod, d.account);
        const ev = evaluatePoint(point, built.facts, p);
        return { ...d, built, ev };
      });
    };
    const fixed = fixedRuns.filter((r) => r.scope === scope && pointsForScope([point], scope, parsePeriod(r.period)).length === 1).map((r) => r.period);
    const byFrequency = new Map<string, number>();
    for (const t of point.tests) byFrequency.set(t.period, (byFrequency.get(t.period) ?? 0) + 1);
    const own = [...byFrequency.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([period]) => period)
      .filter((period) => {
        const p = parsePeriod(period);
        return pointInEffect(point, p) && periodKindOf(point) === p.kind;
      });
    let best: { period: string; judged: ReturnType<typeof judge>; score: number } | null = null;
    for (const period of [...fixed, ...own]) {
      const judged = judge(period);
      const eligible = judged.filter((j) => j.ev.outcome === 'eligible').length;
      const other = judged.length - eligible;
      const score = Math.min(eligible, 1) * 2 + Math.min(other, 1);
      if (!best || score > best.score) best = { period, judged, score };
      if (score === 3) break;
    }
    if (!best) continue; // no case of the point is written for a period in which it is in effect
    periodOf.set(point.id, best.period);
    if (!fixedKeys.has(runKey(scope, best.period))) extraRuns.set(runKey(scope, best.period), { scope, period: best.period, pay: false });
    for (const j of best.judged) {
      for (const [feedId, row] of Object.entries(j.built.rows)) (rows[feedId] ??= []).push(row);
      subjects.push({ pointId: point.id, testName: j.test.name, subject: scope, key: j.key, name: j.name, period: best.period, expected: j.ev.outcome, reasons: j.ev.reasonCodes, missing: j.ev.missingFacts });
    }
    if (scope === 'enterprise') enterpriseNo += draft.length;
    else personNo += draft.length;
  }
  const added = [...extraRuns.values()].sort((a, b) => a.scope.localeCompare(b.scope) || a.period.localeCompare(b.period));
  return { runs: [...fixedRuns, ...added], periodOf, subjects, rows };
}
