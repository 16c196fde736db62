// Correctness before speed: for every subject and point, each encoding must give what our explaining
// evaluator gives: eligible or not, and the same amount in whole fen. Our fast path must give the
// evaluator's full outcome (eligible / ineligible / undetermined) and amount.
import type { PointModel } from '../../src/rules/lang/model.ts';
import { compilePoint } from '../../src/rules/lang/compile.ts';
import { evaluatePoint } from '../../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../../src/rules/lang/period.ts';
import { closureFor } from './closures.ts';
import type { SubjectFacts } from './facts.ts';
import { createEngine, decideJre, loadRuleFile, type JrePoint } from './json-rules-engine.ts';
import { gridCases, periodInput, relocated, type PeerDecision, type PeerPoint } from './points.ts';
import { createZen, zenPoint, zenInput, zenResult } from './zen-engine.ts';

interface EngineAgreement {
  checked: number;
  mismatches: number;
  examples: { subject: number; expected: PeerDecision; got: PeerDecision | string }[];
}

export interface PointAgreement {
  point: string;
  dataset: 'matcher' | 'relocated' | 'grid' | 'yaml-tests';
  subjects: number;
  eligible: number;
  undetermined: number;
  totalFen: number;
  fastPath: EngineAgreement;
  closure: EngineAgreement;
  jsonRulesEngine: EngineAgreement;
  zenEngine: EngineAgreement;
}

const empty = (): EngineAgreement => ({ checked: 0, mismatches: 0, examples: [] });
function record(a: EngineAgreement, subject: number, expected: PeerDecision, got: PeerDecision | string) {
  a.checked++;
  if (typeof got !== 'string' && got.eligible === expected.eligible && got.amountFen === expected.amountFen) return;
  a.mismatches++;
  if (a.examples.length < 5) a.examples.push({ subject, expected, got });
}

/** Checks one point on a list of (facts, period) cases; periods default to the point's benchmark period. */
async function agreeOnCases(model: PointModel, point: PeerPoint, cases: { facts: SubjectFacts; period?: string }[], dataset: PointAgreement['dataset']): Promise<PointAgreement> {
  const out: PointAgreement = { point: point.id, dataset, subjects: cases.length, eligible: 0, undetermined: 0, totalFen: 0, fastPath: empty(), closure: empty(), jsonRulesEngine: empty(), zenEngine: empty() };
  const compiled = compilePoint(model);
  const rules = loadRuleFile(point.key).rules;
  const engine = createEngine(rules);
  const zen = createZen();
  const closure = closureFor(point);
  const sameAsBench = cases.every((c) => c.period === undefined || c.period === point.period);
  const zenPoints = new Map<string, ReturnType<typeof zenPoint>>();
  const zenFor = (p: string) => {
    let z = zenPoints.get(p);
    if (!z) zenPoints.set(p, (z = zenPoint(zen, point.key, periodInput(p))));
    return z;
  };
  const WINDOW = 256;
  for (let from = 0; from < cases.length; from += WINDOW) {
    const batch = cases.slice(from, from + WINDOW);
    const zenResults = await Promise.all(batch.map((c) => zenFor(c.period ?? point.period).decision.evaluate(zenInput(c.facts, periodInput(c.period ?? point.period))).then((r) => zenResult(r.result), (e: unknown) => `error: ${String(e).slice(0, 200)}`)));
    for (let k = 0; k < batch.length; k++) {
      const i = from + k;
      const { facts, period: periodText = point.period } = batch[k] as { facts: SubjectFacts; period?: string };
      const period = parsePeriod(periodText);
      const ev = evaluatePoint(model, facts, period);
      const expected: PeerDecision = ev.outcome === 'eligible' ? { eligible: true, amountFen: Number(ev.amountFen) } : { eligible: false, amountFen: null };
      if (ev.outcome === 'eligible') {
        out.eligible++;
        out.totalFen += Number(ev.amountFen);
      } else if (ev.outcome === 'undetermined') out.undetermined++;
      const fast = compiled.run(facts, period);
      out.fastPath.checked++;
      if (fast.outcome !== ev.outcome || fast.amountFen !== (ev.amountFen === null ? null : Number(ev.amountFen))) {
        out.fastPath.mismatches++;
        if (out.fastPath.examples.length < 5) out.fastPath.examples.push({ subject: i, expected, got: `${fast.outcome} ${fast.amountFen} (evaluator: ${ev.outcome})` });
      }
      if (sameAsBench) {
        const c = closure(facts);
        record(out.closure, i, expected, c === null ? { eligible: false, amountFen: null } : { eligible: true, amountFen: c });
      }
      const jre: JrePoint = { point, engine, period: periodInput(period) };
      record(out.jsonRulesEngine, i, expected, await decideJre(jre, facts).catch((e: unknown) => `error: ${String(e).slice(0, 200)}`));
      record(out.zenEngine, i, expected, zenResults[k] as PeerDecision | string);
    }
  }
  zen.dispose();
  return out;
}

/** The benchmark data as the matcher sees it, and (for points outside Shenzhen) the relocated copy. */
export async function agreeOnSubjects(model: PointModel, point: PeerPoint, subjects: readonly SubjectFacts[]): Promise<PointAgreement[]> {
  const results = [await agreeOnCases(model, point, subjects.map((facts) => ({ facts })), 'matcher')];
  if (point.relocate) results.push(await agreeOnCases(model, point, subjects.map((f) => ({ facts: relocated(point, f) })), 'relocated'));
  if (point.grid) results.push(await agreeOnCases(model, point, gridCases(point).map((facts) => ({ facts })), 'grid'));
  return results;
}

/** The point's own YAML test cases (base facts + case facts), money as fen numbers. */
export async function agreeOnYamlTests(model: PointModel, point: PeerPoint): Promise<PointAgreement> {
  const cases = model.tests.map((t) => ({ facts: Object.fromEntries(Object.entries(t.facts).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])) as SubjectFacts, period: t.period }));
  return agreeOnCases(model, point, cases, 'yaml-tests');
}
