// The compiled fast path must give exactly the explaining evaluator's answers: outcome, amount to the
// fen and reason codes, on 100,000 generated subjects spread over every point of the library.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLibrary, type Library } from '../../src/policies/library.ts';
import { compilePoint } from '../../src/rules/lang/compile.ts';
import { evaluatePoint } from '../../src/rules/lang/evaluate.ts';
import { subjectGenerator } from './generate.ts';

let lib: Library;
beforeAll(async () => {
  const r = await loadLibrary('policies');
  if (!r.ok) throw new Error('library does not load');
  lib = r.library;
});

describe('compiled fast path', () => {
  it('agrees with the explaining evaluator on 100,000 generated subjects', () => {
    const total = 100_000;
    const per = Math.ceil(total / lib.points.length);
    let compared = 0;
    let viaEvaluator = 0;
    const outcomes = { eligible: 0, ineligible: 0, undetermined: 0 };
    const mismatches: string[] = [];
    lib.points.forEach((point, pi) => {
      const fast = compilePoint(point);
      const gen = subjectGenerator(point, 1000 + pi, { odd: true });
      for (let i = 0; i < per; i++) {
        const { facts, period } = gen.next();
        const slow = evaluatePoint(point, facts, period);
        const f = fast.run(facts, period);
        compared++;
        outcomes[slow.outcome]++;
        if (f.viaEvaluator) viaEvaluator++;
        const same = f.outcome === slow.outcome && (f.amountFen === null ? slow.amountFen === null : BigInt(f.amountFen) === slow.amountFen) && f.reasonCodes.join() === slow.reasonCodes.join();
        if (!same && mismatches.length < 5) mismatches.push(`${point.id} ${period.text} ${JSON.stringify(facts, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}: fast ${f.outcome} ${f.amountFen} [${f.reasonCodes.join()}] vs ${slow.outcome} ${slow.amountFen} [${slow.reasonCodes.join()}]`);
      }
    });
    console.log(`compared ${compared}: ${JSON.stringify(outcomes)}, ${viaEvaluator} via the exact evaluator`);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(total);
    // The generator must reach every outcome often, or the agreement says little.
    expect(outcomes.eligible).toBeGreaterThan(5_000);
    expect(outcomes.ineligible).toBeGreaterThan(5_000);
    expect(outcomes.undetermined).toBeGreaterThan(5_000);
    // Odd inputs (decimal strings, values beyond 2^53) go through the exact evaluator, and only those.
    expect(viaEvaluator).toBeGreaterThan(0);
    expect(viaEvaluator).toBeLessThan(compared / 10);
  }, 60_000);
});
