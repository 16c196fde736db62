// Throughput of the compiled fast path against hand-written closures for the same rules.
//   node_modules/.bin/node test/rules/fast-path.bench.ts
// Not a vitest file: run it directly. Prints evals/s for each variant and the ratio.
import { loadLibraryFromTexts, loadLibraryOrThrow } from '../../src/policies/library.ts';
import { compilePoint } from '../../src/rules/lang/compile.ts';
import { parsePeriod } from '../../src/rules/lang/period.ts';
import { evaluatePoint } from '../../src/rules/lang/evaluate.ts';
import { rng } from './generate.ts';

const SIMPLE = `format: policy/1
document: { id: bench, docNumber: 基准〔2024〕1号, title: 基准, issuer: 基准, published: "2024", effective: { from: 2024-01-01 }, source: S }
points:
  - id: simple
    name: 简单规则
    subject: enterprise
    citation: { article: 一 }
    tags: { 行业: [全部], 规模: [全部], 区域: [全国], 主题: [基准], 兑现方式: 免申即享 }
    effective: { from: 2024-01-01 }
    payment: { frequency: yearly, paysFor: policy-year }
    conditions:
      - { id: STAFF, label: 从业人员20人以上, when: staff >= 20人, cite: 一 }
      - { id: REVENUE, label: 营业收入300万元以上, when: revenueFen >= 300万元, cite: 一 }
    amount: { expr: 1000元, rounding: half-up-fen, cite: 一 }
    budget: { total: null, oversubscription: priority, priority: { by: amount-asc } }
    tests:
      - { name: a, kind: [typical], period: "2024", facts: { staff: 20, revenueFen: 300000000 }, expect: { outcome: eligible, amount: 1000元 } }
      - { name: b, kind: [boundary], period: "2024", facts: { staff: 19, revenueFen: 300000000 }, expect: { outcome: ineligible } }
      - { name: c, kind: [exclusion], period: "2024", facts: { staff: 20, revenueFen: 299999999 }, expect: { outcome: ineligible } }
`;

/** A fresh timing loop per variant, so each one's call site stays monomorphic (fair to both sides). */
function timer(): (n: number, fn: (i: number) => unknown) => number {
  // A constant source compiled anew per call gives each variant its own loop (own inline cache);
  // a shared closure would turn polymorphic and slow every variant after the first.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(
    'n',
    'fn',
    `let sink = 0; const t0 = process.hrtime.bigint();
     for (let i = 0; i < n; i++) if (fn(i)) sink++;
     const ns = Number(process.hrtime.bigint() - t0);
     if (sink < 0) console.log('!');
     return n / (ns / 1e9);`,
  ) as (n: number, fn: (i: number) => unknown) => number;
}

/** Best of `rounds` alternating runs (the machine is shared; the best run is the least disturbed). */
function compare(n: number, variants: [string, (i: number) => unknown][], rounds = 5): number[] {
  const best = variants.map(() => 0);
  const timers = variants.map(() => timer());
  variants.forEach(([, fn], i) => (timers[i] as ReturnType<typeof timer>)(Math.min(n, 500_000), fn)); // warm up
  for (let r = 0; r < rounds; r++) variants.forEach(([, fn], i) => (best[i] = Math.max(best[i] as number, (timers[i] as ReturnType<typeof timer>)(n, fn))));
  variants.forEach(([label], i) => console.log(`${label.padEnd(58)} ${((best[i] as number) / 1e6).toFixed(1).padStart(8)} M evals/s`));
  return best;
}

const period = parsePeriod('2024');
const r = rng(42);
const N = 1 << 12;
const mask = N - 1;

// 1. A simple two-condition rule.
const simpleLib = loadLibraryFromTexts([{ file: 'bench.policy.yaml', text: SIMPLE }]);
if (!simpleLib.ok) throw new Error(JSON.stringify(simpleLib.errors));
const simple = compilePoint(simpleLib.library.points[0] as never);
const simpleFacts = Array.from({ length: N }, () => ({ staff: Math.floor(r() * 60), revenueFen: Math.floor(r() * 600_000_000) }));
const hand = (f: { staff?: number; revenueFen?: number }) => {
  const s = f.staff;
  const rev = f.revenueFen;
  if (s === undefined || rev === undefined) return null;
  return s >= 20 && rev >= 300_000_000 ? 100_000 : null;
};
console.log('simple rule: staff >= 20人 and revenueFen >= 300万元 -> 1000元');
const [hs = 0, cs = 1] = compare(30_000_000, [
  ['  hand-written closure', (i) => hand(simpleFacts[i & mask] as never)],
  ['  compiled point (run)', (i) => simple.run(simpleFacts[i & mask] as never, period).amountFen],
]);
console.log(`  ratio hand/compiled: ${(hs / cs).toFixed(2)}x`);

// 2. 稳岗返还 2024: size classification, layoff rate, exceptions, amount with rounding.
const lib = await loadLibraryOrThrow('policies');
const point = lib.byId.get('wengang-fanhuan-2024');
if (!point) throw new Error('missing point');
const wg = compilePoint(point);
const industries = ['C3911', 'F5110', 'I6510', 'M7310', 'H6110'];
const wFacts = Array.from({ length: N }, () => ({
  status: r() < 0.95 ? '存续' : '注销',
  industryCode: industries[Math.floor(r() * industries.length)] as string,
  staff: Math.floor(r() * 2000),
  revenueFen: Math.floor(r() * 100_000_000_000),
  uiContributionsPaidFen: Math.floor(r() * 100_000_000),
  uiMonthsPaidInFull: Math.floor(r() * 30),
  avgInsured: 1 + Math.floor(r() * 500),
  newClaimants: Math.floor(r() * 20),
  laborDispatch: r() < 0.05,
  seriousDishonest: r() < 0.02,
}));
// The same rule written by hand with numbers (no explanation, no missing-data logic beyond the same checks).
const handWengang = (f: (typeof wFacts)[number]) => {
  if (f.status !== '存续' || f.seriousDishonest || f.laborDispatch || f.uiMonthsPaidInFull < 12) return null;
  const cap1000 = f.avgInsured <= 30 ? 200 : 55; // per mille
  if (!(f.newClaimants === 0 || f.newClaimants * 1000 <= cap1000 * f.avgInsured)) return null;
  const c = f.industryCode;
  const s = f.staff;
  const rev = f.revenueFen;
  let large: boolean;
  if (c[0] === 'C') large = s >= 1000 && rev >= 40_000_000_000;
  else if (c[0] === 'F') large = c.startsWith('F51') ? s >= 200 && rev >= 40_000_000_000 : s >= 300 && rev >= 20_000_000_000;
  else if (c[0] === 'I') large = c.startsWith('I65') ? s >= 300 && rev >= 10_000_000_000 : s >= 2000 && rev >= 100_000_000_000;
  else if (c[0] === 'H') large = s >= 300 && rev >= 10_000_000_000;
  else large = s >= 300;
  const num = f.uiContributionsPaidFen * (large ? 3 : 6);
  return Math.floor((num * 2 + 10) / 20);
};
let agree = 0;
for (const f of wFacts) if (handWengang(f) === wg.run(f, period).amountFen) agree++;
console.log(`\n稳岗返还 2024 (hand-written closure agrees with the compiled point on ${agree}/${N} subjects)`);
const [hw = 0, cw = 1] = compare(10_000_000, [
  ['  hand-written closure (numbers)', (i) => handWengang(wFacts[i & mask] as never)],
  ['  compiled point (run)', (i) => wg.run(wFacts[i & mask] as never, period).amountFen],
]);
console.log(`  ratio hand/compiled: ${(hw / cw).toFixed(2)}x`);
compare(500_000, [
  ['  compiled point (run)', (i) => wg.run(wFacts[i & mask] as never, period).amountFen],
  ['  explaining evaluator (full trace)', (i) => evaluatePoint(point, wFacts[i & mask] as never, period).amountFen],
], 2);
