// The policy language's facts-needed query; the rest of its API is imported from each module:
//
//   const lib = await loadLibraryOrThrow('policies');            // src/policies/library.ts
//   const point = lib.byId.get('wengang-fanhuan-2024');
//   point.contentHash                                            // sha256 of rule + parameters + derived facts
//   const period = parsePeriod('2024');                           // ./period.ts: '2024' | '2025-03' | '2023-08-01'
//   const needs = requiredFacts(point, period);                   // here: which facts, from which source, for which year
//   const fast = compilePoint(point);                             // ./compile.ts: batch, fast.run(facts, period) -> FastResult (reused)
//   const ev = evaluatePoint(point, facts, period);               // ./evaluate.ts: one subject, full trace
//   const text = explain(ev).lines;                               // ./render.ts: Chinese explanation with citations
export { parsePeriod } from './period.ts';

import { SOURCE_LABELS, type PeriodSemantics, type Source } from '../../dictionary/facts.ts';
import { dependencies } from './deps.ts';
import type { PointModel } from './model.ts';
import type { Period } from './period.ts';

export interface FactNeed {
  name: string;
  zh: string;
  source: Source;
  sourceZh: string;
  period: PeriodSemantics;
  /** For data-year facts: the year to read; for as-of facts: the day (ISO) the state is taken at. */
  dataYear: number | null;
  asOf: string | null;
  whenAbsent: 'missing' | 'false' | 'none';
}

/** The facts a point reads (directly or through derived facts), and which period of each to supply. */
export function requiredFacts(point: PointModel, period: Period): FactNeed[] {
  const deps = dependencies([...point.conditions, ...point.exceptions].map((c) => c.ir).concat(point.amount.ir, point.amount.cap ? [point.amount.cap] : []));
  const asOf = new Date(period.start * 86_400_000).toISOString().slice(0, 10);
  return [...deps.facts]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((f) => ({
      name: f.name,
      zh: f.zh,
      source: f.source,
      sourceZh: SOURCE_LABELS[f.source],
      period: f.period,
      dataYear: f.period === 'data-year' ? period.year + point.dataYearOffset : null,
      asOf: f.period === 'as-of' ? asOf : null,
      whenAbsent: f.whenAbsent,
    }));
}
