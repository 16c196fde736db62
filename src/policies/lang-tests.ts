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
