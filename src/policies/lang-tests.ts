// Runs the test cases written in policy files: each case through the explaining evaluator, checked
// against its expectation, and through the compiled fast path, which must agree exactly.
import { compilePoint } from '../rules/lang/compile.ts';
import { evaluatePoint } from '../rules/lang/evaluate.ts';
import type { PointModel, TestCaseModel } from '../rules/lang/model.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { formatYuan } from '../money.ts';

export interface CaseResult {
  point: PointModel;
  test: TestCaseModel;
  ok: boolean;
  problems: string[];
}

const yuan = (fen: bigint | null | undefined) => (fen === null || fen === undefined ? '无' : `${formatYuan(fen)}元`);

export function runPointTests(point: PointModel): CaseResult[] {
  const compiled = compilePoint(point);
  return point.tests.map((test) => {
    const problems: string[] = [];
    const period = parsePeriod(test.period);
    const ev = evaluatePoint(point, test.facts, period);
    const x = test.expect;
    if (ev.outcome !== x.outcome) problems.push(`outcome ${ev.outcome}, expected ${x.outcome} (reasons: ${ev.reasonCodes.join(', ') || '—'}; missing: ${ev.missingFacts.join(', ') || '—'})`);
    if (x.amountFen !== undefined && ev.amountFen !== x.amountFen) problems.push(`amount ${yuan(ev.amountFen)}, expected ${yuan(x.amountFen)}`);
    if (x.reasons && x.reasons.join(',') !== ev.reasonCodes.join(',')) problems.push(`reasons [${ev.reasonCodes.join(', ')}], expected [${x.reasons.join(', ')}]`);
    if (x.missing && x.missing.join(',') !== ev.missingFacts.join(',')) problems.push(`missing [${ev.missingFacts.join(', ')}], expected [${x.missing.join(', ')}]`);
    const fast = compiled.run(test.facts, period);
    const fastAmount = fast.amountFen === null ? null : BigInt(fast.amountFen);
    if (fast.outcome !== ev.outcome || fastAmount !== ev.amountFen || fast.reasonCodes.join(',') !== ev.reasonCodes.join(',')) {
      problems.push(`fast path disagrees: ${fast.outcome} ${yuan(fastAmount)} [${fast.reasonCodes.join(', ')}] vs evaluator ${ev.outcome} ${yuan(ev.amountFen)} [${ev.reasonCodes.join(', ')}]`);
    }
    return { point, test, ok: problems.length === 0, problems };
  });
}

/** How the cases of a point exercise one condition or exception: was it ever true, ever false? */
export interface ConditionCoverage {
  pointId: string;
  id: string;
  kind: 'condition' | 'exception';
  true: number;
  false: number;
}

/**
 * Condition coverage of a point's own cases: every condition and exception evaluated on every case (the
 * evaluator decides all of them, not only up to the first that fails), counting where it held and where
 * it did not. A condition never false in any case is one no test shows to matter.
 */
export function conditionCoverage(point: PointModel): ConditionCoverage[] {
  const rows = new Map<string, ConditionCoverage>();
  for (const c of point.conditions) rows.set(c.id, { pointId: point.id, id: c.id, kind: 'condition', true: 0, false: 0 });
  for (const c of point.exceptions) rows.set(c.id, { pointId: point.id, id: c.id, kind: 'exception', true: 0, false: 0 });
  for (const test of point.tests) {
    const ev = evaluatePoint(point, test.facts, parsePeriod(test.period));
    for (const r of ev.conditions) {
      const row = rows.get(r.id);
      if (!row) continue;
      if (r.value === true) row.true++;
      else if (r.value === false) row.false++;
    }
  }
  return [...rows.values()];
}
