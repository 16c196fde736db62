// A loaded, checked policy: documents and their points, ready to evaluate and compile.
import type { SubjectType } from '../../dictionary/facts.ts';
import type { RoundingMode } from './rational.ts';
import type { DefIR, IR, ParamIR } from './ir.ts';
import type { Loc } from './spec.ts';

export interface DocumentMeta {
  id: string;
  docNumber: string;
  title: string;
  issuer: string;
  published: string;
  effective: { from: string; to: string | null };
  sourceUrl: string | null;
  sourceGrade: string | null;
  note: string | null;
  file: string;
  /** 国家/省/市/区县 (policy/2); null for a policy/1 file. */
  level: 'national' | 'provincial' | 'city' | 'district' | null;
  /** Where the text was read: main (sourceUrl) and any further sources the rules cite. */
  sources: SourceRef[];
  /** sha256 of the stored text (policies/<id>/<id>.text.md); null when none is stored (policy/1). */
  textSha256: string | null;
}

export interface SourceRef {
  key: string;
  url: string;
  issuer: string;
  date: string;
  /** S: the issuer's text; S2: a reprint or secondary source; N: not found. */
  grade: string;
}

/** The words of the document a rule rests on, found in the stored text of its source. */
export interface Quote {
  text: string;
  source: SourceRef;
}

interface Citation {
  article: string;
  clause: string | null;
  quote: string | null;
}

export interface ConditionModel {
  id: string;
  label: string;
  cite: string;
  /** Verbatim words of the document (policy/2); null for a policy/1 file. */
  quote: Quote | null;
  ir: IR;
}

export type Frequency = 'one-off' | 'monthly' | 'yearly';

export interface TestCaseModel {
  name: string;
  kind: string[];
  period: string;
  facts: Record<string, unknown>;
  expect: { outcome: 'eligible' | 'ineligible' | 'undetermined'; amountFen?: bigint; reasons?: string[]; missing?: string[] };
  loc: Loc;
}

/**
 * A point's budget: at most one of a fixed total, a share of the eligible total, or per-district
 * quotas (none of them: no limit), and how an oversubscribed pool is cut. The allocation itself is
 * src/matching/allocation.ts (allocateBudget).
 */
interface BudgetModel {
  totalFen: bigint | null;
  /** 0 < n/d <= 1; text as written ("80%"). */
  share: { n: bigint; d: bigint; text: string } | null;
  /** GB/T 2260 codes, none containing another; otherFen null: unlisted districts get nothing. */
  quotas: { districts: { code: string; fen: bigint }[]; otherFen: bigint | null } | null;
  oversubscription: 'pro-rata-largest-remainder' | 'priority';
  /** The order `priority` pays in; required with priority, null otherwise. */
  priorityBy: 'amount-asc' | 'amount-desc' | 'earliest' | null;
  /** The subject's date fact `earliest` orders by (e.g. ipoListingDate); null for other orders. */
  priorityFact: string | null;
  note: string | null;
}

export interface PointModel {
  id: string;
  name: string;
  series: string;
  document: DocumentMeta;
  subject: SubjectType;
  citation: Citation;
  tags: Record<string, string[]>;
  effective: { from: number; to: number | null; fromText: string; toText: string | null };
  frequency: Frequency;
  /** The period a payment covers: the policy year itself, or data of policy year + offset. */
  paysFor: 'policy-year' | 'data-year';
  dataYearOffset: number;
  /** Which day of the period the dated parameter values are read on: its first day (default) or its last
   * (a rate raised mid-year that applies to the whole year's payment, e.g. 稳岗返还 2022 from 2022-05-31). */
  valuesOn: 'period-start' | 'period-end';
  delivery: string;
  /** 公示: how many working days the list is published for, and the clause that says so (null: the system default). */
  notice: { workingDays: number; cite: string | null };
  /** 确认: the subject confirms amount and account within these working days, else waived; null: not required. */
  confirmation: { workingDays: number; cite: string | null } | null;
  /** 电子监察: working days allowed for each stage (list → notice, notice end → batch, batch → approval, approval → paid). */
  timeLimits: { notice: number; batch: number; approval: number; payment: number; cite: string | null };
  lets: DefIR[];
  params: ParamIR[];
  conditions: ConditionModel[];
  exceptions: ConditionModel[];
  amount: { ir: IR; rounding: RoundingMode; cite: string; cap: IR | null; capCite: string | null; quote: Quote | null };
  /** 快申快享: facts asked from the applicant (none for a point decided from data alone). */
  ask: string[];
  budget: BudgetModel;
  exclusion: { group: string; resolution: 'higher-amount' | 'priority'; priority: number | null } | null;
  notes: string[];
  tests: TestCaseModel[];
  /** Everything that decides results, as plain data, for the content hash. */
  canonical: unknown;
  contentHash: string;
  loc: Loc;
}
