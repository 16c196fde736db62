// Peer comparison (issue 5, Performance): the same five points on the same in-memory facts, evaluated by
// hand-written closures, our compiled fast path, our explaining evaluator, json-rules-engine and
// @gorules/zen-engine, reported as subjects × points per second, after checking that every engine gives
// our evaluator's decision and amount for every subject checked.
//   node bench/peers.bench.ts           (or npm run bench:peers; writes bench/results/peers.{json,md})
//   npm run bench peers                 (through bench/run.ts, with the other benches)
// Sizes: BENCH_PEER_SUBJECTS (default 200,000) for closures, fast path and evaluator;
// BENCH_PEER_JRE_SUBJECTS (default 20,000) for json-rules-engine; BENCH_PEER_ZEN_SUBJECTS (default
// 50,000) for zen-engine; the first BENCH_PEER_CHECK_SUBJECTS (default 20,000) subjects are checked on
// every engine (the fast path on all of them).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadLibraryOrThrow } from '../src/policies/library.ts';
import { compilePoint } from '../src/rules/lang/compile.ts';
import { evaluatePoint } from '../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';
import { agreeOnSubjects, agreeOnYamlTests, type PointAgreement } from './peers/agree.ts';
import { closureFor } from './peers/closures.ts';
import { enterpriseFacts, type SubjectFacts } from './peers/facts.ts';
import { createEngine, decideJre, loadRuleFile, type JrePoint } from './peers/json-rules-engine.ts';
import { PEER_POINTS, periodInput } from './peers/points.ts';
import { createZen, zenInput, zenPoint, zenResult } from './peers/zen-engine.ts';

const ZEN_VERSION = (JSON.parse(readFileSync(new URL('../node_modules/@gorules/zen-engine/package.json', import.meta.url), 'utf8')) as { version: string }).version;
import type { BenchContext, BenchResult } from './run.ts';

const here = dirname(fileURLToPath(import.meta.url));
const GOALS = { vsZen: 5, vsJsonRulesEngine: 100, closuresOverOurs: 4 };

const envInt = (name: string, fallback: number) => {
  const v = process.env[name];
  const n = v === undefined ? fallback : Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) throw new RangeError(`${name} must be a positive whole number, got ${v}`);
  return n;
};

/** A fresh timing loop per variant and point, so each call site stays monomorphic (fair to every variant). */
function syncTimer(): (n: number, fn: (i: number) => unknown) => number {
  // A constant source compiled anew per call gives each variant its own loop (own inline cache);
  // a shared closure would turn polymorphic and slow every variant after the first.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(
    'n',
    'fn',
    `let sink = 0; const t0 = process.hrtime.bigint();
     for (let i = 0; i < n; i++) if (fn(i) !== null) sink++;
     const ns = Number(process.hrtime.bigint() - t0);
     if (sink < 0) console.log('!');
     return ns / 1e9;`,
  ) as (n: number, fn: (i: number) => unknown) => number;
}

async function timeAsync(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await fn(i);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function timeWindowed(n: number, window: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let from = 0; from < n; from += window) {
    const batch: Promise<unknown>[] = [];
    for (let i = from; i < Math.min(n, from + window); i++) batch.push(fn(i));
    await Promise.all(batch);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

interface Variant {
  name: string;
  subjects: number;
  /** Seconds per point (best round). */
  seconds: Record<string, number>;
  /** subjects × points / Σ seconds. */
  evalsPerSecond: number;
  perPoint: Record<string, number>;
  note: string;
}

function variant(name: string, subjects: number, seconds: Record<string, number>, note: string): Variant {
  const total = Object.values(seconds).reduce((a, b) => a + b, 0);
  const points = Object.keys(seconds).length;
  return { name, subjects, seconds, evalsPerSecond: (subjects * points) / total, perPoint: Object.fromEntries(Object.entries(seconds).map(([k, s]) => [k, subjects / s])), note };
}

function machine() {
  const cpuinfo = (() => {
    try {
      return readFileSync('/proc/cpuinfo', 'utf8');
    } catch {
      return '';
    }
  })();
  return {
    nproc: availableParallelism(),
    cpuModel: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown',
    node: process.version,
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform}-${process.arch}`,
  };
}

const fmt = (n: number) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(0));

export async function run(ctx?: BenchContext): Promise<BenchResult> {
  const log = ctx?.log ?? ((m: string) => console.error(m));
  const N = envInt('BENCH_PEER_SUBJECTS', 200_000);
  const JRE_N = Math.min(N, envInt('BENCH_PEER_JRE_SUBJECTS', 20_000));
  const ZEN_N = Math.min(N, envInt('BENCH_PEER_ZEN_SUBJECTS', 50_000));
  const CHECK_N = Math.min(N, envInt('BENCH_PEER_CHECK_SUBJECTS', 20_000));
  const ROUNDS = 5;

  let t = performance.now();
  const facts = enterpriseFacts(N);
  const buildSeconds = (performance.now() - t) / 1000;
  const rssAfterFactsMiB = Math.round(process.memoryUsage().rss / 2 ** 20);
  log(`facts for ${N} enterprises built in ${buildSeconds.toFixed(1)} s (generator rows through validateRecord, merged per subject)`);
  const library = await loadLibraryOrThrow('policies');
  const points = PEER_POINTS.map((p) => {
    const model = library.byId.get(p.id);
    if (!model) throw new Error(`point ${p.id} is not in the library`);
    const period = parsePeriod(p.period);
    return { peer: p, model, period, compiled: compilePoint(model), closure: closureFor(p), input: periodInput(period) };
  });

  // 1. Correctness first.
  t = performance.now();
  const fastPathCheck: Record<string, { subjects: number; mismatches: number; eligible: number; undetermined: number; totalFen: number }> = {};
  for (const p of points) {
    const c = { subjects: N, mismatches: 0, eligible: 0, undetermined: 0, totalFen: 0 };
    for (const f of facts) {
      const ev = evaluatePoint(p.model, f, p.period);
      const r = p.compiled.run(f, p.period);
      if (r.outcome !== ev.outcome || r.amountFen !== (ev.amountFen === null ? null : Number(ev.amountFen))) c.mismatches++;
      if (ev.outcome === 'eligible') {
        c.eligible++;
        c.totalFen += Number(ev.amountFen);
      } else if (ev.outcome === 'undetermined') c.undetermined++;
    }
    fastPathCheck[p.peer.id] = c;
    if (c.mismatches > 0) throw new Error(`fast path disagrees with the evaluator on ${c.mismatches} subjects for ${p.peer.id}`);
  }
  log(`fast path = evaluator on all ${N} subjects × ${points.length} points (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  t = performance.now();
  const agreement: PointAgreement[] = [];
  for (const p of points) agreement.push(...(await agreeOnSubjects(p.model, p.peer, facts.slice(0, CHECK_N))), await agreeOnYamlTests(p.model, p.peer));
  const peerMismatches = agreement.reduce((s, a) => s + a.fastPath.mismatches + a.closure.mismatches + a.jsonRulesEngine.mismatches + a.zenEngine.mismatches, 0);
  log(`peer agreement on ${CHECK_N} subjects (+ relocated copies, a grid, YAML tests): ${peerMismatches} mismatches (${((performance.now() - t) / 1000).toFixed(1)} s)`);
  if (peerMismatches > 0) throw new Error(`peer encodings disagree with the evaluator: ${JSON.stringify(agreement.filter((a) => a.jsonRulesEngine.mismatches + a.zenEngine.mismatches + a.closure.mismatches > 0), null, 1)}`);

  // Floats, for the record: what a json-rules-engine user computing 30%/60% in floating point would pay.
  const wg = points[0]!;
  let floatDiffers = 0;
  let wgEligible = 0;
  for (const f of facts) {
    const r = wg.compiled.run(f, wg.period);
    if (r.outcome !== 'eligible') continue;
    wgEligible++;
    const paid = f.uiContributionsPaidFen as number;
    const large = (r.amountFen as number) !== Math.floor((paid * 60 + 50) / 100);
    if (Math.round(paid * (large ? 0.3 : 0.6)) !== r.amountFen) floatDiffers++;
  }

  // 2. Speed. Synchronous variants: best of ROUNDS, alternating.
  const syncVariants: { name: string; note: string; run: (p: (typeof points)[number]) => (i: number) => unknown }[] = [
    { name: 'hand-written closures', note: 'plain JavaScript per point (bench/peers/closures.ts)', run: (p) => (i) => p.closure(facts[i] as SubjectFacts) },
    { name: 'ours: compiled fast path', note: 'compilePoint(point).run(facts, period)', run: (p) => (i) => p.compiled.run(facts[i] as SubjectFacts, p.period).amountFen },
    { name: 'ours: explaining evaluator', note: 'evaluatePoint(point, facts, period), full trace', run: (p) => (i) => evaluatePoint(p.model, facts[i] as SubjectFacts, p.period).amountFen },
  ];
  const best = syncVariants.map(() => Object.fromEntries(points.map((p) => [p.peer.key, Infinity])) as Record<string, number>);
  const timers = syncVariants.map(() => points.map(() => syncTimer()));
  for (let r = 0; r < ROUNDS; r++) {
    syncVariants.forEach((v, vi) => {
      const n = vi === 2 && r > 0 ? 0 : N; // the evaluator is slow: one round
      if (n === 0) return;
      points.forEach((p, pi) => {
        const s = (timers[vi]![pi] as ReturnType<typeof syncTimer>)(n, v.run(p));
        best[vi]![p.peer.key] = Math.min(best[vi]![p.peer.key]!, s);
      });
    });
    log(`round ${r + 1}/${ROUNDS} of the synchronous variants done`);
  }
  const variants: Variant[] = syncVariants.map((v, vi) => variant(v.name, N, best[vi]!, v.note));

  // The merged fact objects are built by Object.assign, as mergeParts builds the matcher's; V8 keeps most
  // of them in dictionary mode. For reference: the same facts JSON-parsed (fast properties, one hidden
  // class per key order, as postgres.js would hand out a single jsonb value), closures and fast path only.
  const parsed: SubjectFacts[] = facts.map((f) => JSON.parse(JSON.stringify(f)) as SubjectFacts);
  const fastProps: { name: string; note: string; run: (p: (typeof points)[number]) => (i: number) => unknown }[] = [
    { name: 'hand-written closures, JSON-parsed facts', note: 'as above, on fast-properties copies of the facts (reference only)', run: (p) => (i) => p.closure(parsed[i] as SubjectFacts) },
    { name: 'ours: compiled fast path, JSON-parsed facts', note: 'as above, on fast-properties copies of the facts (reference only)', run: (p) => (i) => p.compiled.run(parsed[i] as SubjectFacts, p.period).amountFen },
  ];
  for (const v of fastProps) {
    const seconds: Record<string, number> = {};
    for (const p of points) {
      const timer = syncTimer();
      seconds[p.peer.key] = Infinity;
      for (let r = 0; r < ROUNDS; r++) seconds[p.peer.key] = Math.min(seconds[p.peer.key]!, timer(N, v.run(p)));
    }
    variants.push(variant(v.name, N, seconds, v.note));
  }

  // json-rules-engine: its async Engine.run per subject and point, one engine (rule set) per point.
  const jreSeconds: Record<string, number> = {};
  for (const p of points) {
    const jp: JrePoint = { point: p.peer, engine: createEngine(loadRuleFile(p.peer.key).rules), period: p.input };
    await timeAsync(Math.min(2000, JRE_N), (i) => decideJre(jp, facts[i] as SubjectFacts)); // warm up
    jreSeconds[p.peer.key] = await timeAsync(JRE_N, (i) => decideJre(jp, facts[i] as SubjectFacts));
  }
  variants.push(variant('json-rules-engine', JRE_N, jreSeconds, 'Engine.run per subject and point, awaited one by one; runtime facts for sizeClass/layoffRate'));
  log('json-rules-engine timed');

  // zen-engine: ZenDecision.evaluate (async, native) per subject and point; one awaited at a time, and
  // 64 in flight (its native side may then use more than one core).
  const zen = createZen();
  const zenLoop: Record<string, number> = {};
  const zenConcurrent: Record<string, number> = {};
  for (const p of points) {
    const zp = zenPoint(zen, p.peer.key, p.input);
    const call = (i: number) => zp.decision.evaluate(zenInput(facts[i] as SubjectFacts, zp.period)).then((r) => zenResult(r.result));
    await timeAsync(Math.min(2000, ZEN_N), call); // warm up
    zenLoop[p.peer.key] = await timeAsync(ZEN_N, call);
    zenConcurrent[p.peer.key] = await timeWindowed(ZEN_N, 64, call);
  }
  zen.dispose();
  variants.push(variant('zen-engine (loop)', ZEN_N, zenLoop, 'await decision.evaluate(input) per subject and point, one at a time'));
  variants.push(variant('zen-engine (64 in flight)', ZEN_N, zenConcurrent, 'decision.evaluate with 64 concurrent promises (Promise.all per window); zen has no batch API'));
  log('zen-engine timed');

  const rate = (name: string) => (variants.find((v) => v.name === name) as Variant).evalsPerSecond;
  const ours = rate('ours: compiled fast path');
  const ratios = {
    oursOverZenLoop: ours / rate('zen-engine (loop)'),
    oursOverZenConcurrent: ours / rate('zen-engine (64 in flight)'),
    oursOverJsonRulesEngine: ours / rate('json-rules-engine'),
    closuresOverOurs: rate('hand-written closures') / ours,
    oursOverEvaluator: ours / rate('ours: explaining evaluator'),
    evaluatorOverJsonRulesEngine: rate('ours: explaining evaluator') / rate('json-rules-engine'),
  };
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  const m = machine();
  const data = {
    machine: m,
    date: new Date().toISOString(),
    sizes: { subjects: N, jsonRulesEngineSubjects: JRE_N, zenSubjects: ZEN_N, checkedOnEveryEngine: CHECK_N, points: points.length, factBuildSeconds: buildSeconds },
    points: PEER_POINTS.map((p) => ({ id: p.id, period: p.period, shape: p.shape, fastPath: fastPathCheck[p.id] })),
    variants,
    ratios,
    goals: { ...GOALS, met: { vsZen: ratios.oursOverZenLoop >= GOALS.vsZen && ratios.oursOverZenConcurrent >= GOALS.vsZen, vsJsonRulesEngine: ratios.oursOverJsonRulesEngine >= GOALS.vsJsonRulesEngine, closures: ratios.closuresOverOurs <= GOALS.closuresOverOurs } },
    agreement: agreement.map((a) => ({ point: a.point, dataset: a.dataset, subjects: a.subjects, eligible: a.eligible, undetermined: a.undetermined, totalFen: a.totalFen, mismatches: { fastPath: a.fastPath.mismatches, closure: a.closure.mismatches, jsonRulesEngine: a.jsonRulesEngine.mismatches, zenEngine: a.zenEngine.mismatches } })),
    floats: { wengangEligible: wgEligible, naiveFloatRoundingWouldDiffer: floatDiffers, note: 'Math.round(paid * 0.3|0.6) in floating point vs the exact half-up amount; the json-rules-engine encoding uses integer arithmetic, zen-engine decimals' },
    peakRssMiB,
    rssAfterFactsMiB,
  };

  const rows = variants.map((v) => `| ${v.name} | ${v.subjects.toLocaleString('en')} | ${fmt(v.evalsPerSecond)} | ${PEER_POINTS.map((p) => fmt(v.perPoint[p.key] as number)).join(' | ')} |`);
  const md = [
    '# Peer comparison: the same five points and facts in every engine',
    '',
    `Machine: ${m.nproc} CPUs (${m.cpuModel}), ${m.totalMemoryGiB} GiB, node ${m.node}, ${m.platform}; ${data.date}.`,
    `Command: \`npm run bench:peers\` = \`node bench/peers.bench.ts\` (BENCH_PEER_SUBJECTS=${N}, BENCH_PEER_JRE_SUBJECTS=${JRE_N}, BENCH_PEER_ZEN_SUBJECTS=${ZEN_N}). Single process, single thread except zen's native side.`,
    '',
    `Facts: ${N.toLocaleString('en')} generated enterprises (seed 20240601, data year 2023), every enterprise feed's rows through the importer's validateRecord, merged per subject as the matcher does (current + 2023 + 2023-09). Throughput is subjects × points per second over the five points (Σ evaluations / Σ seconds); per-point columns are subjects per second.`,
    '',
    `| engine | subjects timed | subjects × points / s | ${PEER_POINTS.map((p) => p.key).join(' | ')} |`,
    `|---|---:|---:|${PEER_POINTS.map(() => '---:').join('|')}|`,
    ...rows,
    '',
    '## Ratios (goals from issue 5)',
    '',
    'The box is shared: repeated runs moved the synchronous rows by up to about 2x (best of ' + ROUNDS + ' alternating rounds is reported).',
    '',
    `- ours / zen-engine: **${ratios.oursOverZenLoop.toFixed(0)}x** (loop), **${ratios.oursOverZenConcurrent.toFixed(0)}x** (64 in flight; zen-engine ${ZEN_VERSION} has no batch API, only evaluate per input); goal ≥ ${GOALS.vsZen}x: ${data.goals.met.vsZen ? 'met' : 'NOT met'}`,
    `- ours / json-rules-engine: **${ratios.oursOverJsonRulesEngine.toFixed(0)}x**; goal ≥ ${GOALS.vsJsonRulesEngine}x: ${data.goals.met.vsJsonRulesEngine ? 'met' : 'NOT met'}`,
    `- hand-written closures / ours: **${ratios.closuresOverOurs.toFixed(2)}x**; goal ≤ ${GOALS.closuresOverOurs}x: ${data.goals.met.closures ? 'met' : 'NOT met'}`,
    `- on JSON-parsed (fast-properties) copies of the same facts: closures / ours ${(rate('hand-written closures, JSON-parsed facts') / rate('ours: compiled fast path, JSON-parsed facts')).toFixed(2)}x; ours there / ours on the merged objects ${(rate('ours: compiled fast path, JSON-parsed facts') / ours).toFixed(2)}x`,
    `- ours / our explaining evaluator: ${ratios.oursOverEvaluator.toFixed(1)}x; our explaining evaluator / json-rules-engine: ${ratios.evaluatorOverJsonRulesEngine.toFixed(1)}x`,
    '',
    `Peak RSS of the process: ${peakRssMiB} MiB, with the ${N.toLocaleString('en')} subjects' facts held twice (merged objects, JSON-parsed copies) and every engine loaded; ${rssAfterFactsMiB} MiB right after building the merged facts.`,
    '',
    '## Correctness (checked before timing)',
    '',
    `Fast path = evaluator (outcome incl. undetermined, amount) on all ${N.toLocaleString('en')} subjects × 5 points. Every engine = evaluator (eligible or not, amount in fen) on the first ${CHECK_N.toLocaleString('en')} subjects, on a relocated copy for points outside Shenzhen, on a value grid for the hotel table, and on each point's YAML tests: **${peerMismatches} mismatches**.`,
    '',
    '| point | dataset | cases | eligible | undetermined | total (元) | fast path | closure | json-rules-engine | zen-engine |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...agreement.map((a) => `| ${a.point} | ${a.dataset} | ${a.subjects} | ${a.eligible} | ${a.undetermined} | ${(a.totalFen / 100).toFixed(2)} | ${a.fastPath.mismatches} | ${a.closure.checked ? a.closure.mismatches : '—'} | ${a.jsonRulesEngine.mismatches} | ${a.zenEngine.mismatches} |`),
    '',
    `Money: json-rules-engine amounts are computed from event params in integer fen (half-up as the policy states); zen-engine computes in decimals and round() is half-up for amounts ≥ 0. A naive floating-point Math.round(paid × 0.3/0.6) would differ on ${floatDiffers} of ${wgEligible} eligible 稳岗返还 subjects here.`,
    '',
    '## Points and how derived values are handled',
    '',
    ...PEER_POINTS.map((p) => `- \`${p.id}\` (period ${p.period}): ${p.shape}`),
    '',
    '- json-rules-engine (bench/peers/json-rules-engine/*.json): one Engine per point, one rule per row of the point\'s amount table; 企业划型 (sizeClass) and the layoff rate are runtime facts (JavaScript functions via engine.addFact, cached per run); code hierarchy and date-in-year are custom operators; the period is passed as facts; absent facts fail their condition (allowUndefinedFacts), registers whose absence means "no" are written `notEqual true`.',
    '- zen-engine (bench/peers/zen-engine.ts builds the JDM JSON): 企业划型 as two first-hit decision tables (划型行业, then 企业划型 with "might match" rows giving null when data is missing), the rate / reward tables as decision tables, conditions and amount in a final expression node; every nullable fact is null-guarded (ZEN raises on comparing null).',
    '- The merged fact objects are built with Object.assign, as mergeParts builds the matcher\'s; V8 keeps most of them in dictionary mode (hash lookups). The "JSON-parsed facts" rows time closures and our fast path on fast-properties copies (many hidden classes, so property reads go megamorphic), for reference only; every peer ratio uses the merged objects for every engine.',
    '- Points outside the Shenzhen population (小巨人 mostly, 星级饭店 in 赤壁, 高企 in 东莞) are ineligible on the matcher data; the relocated copy and the grid exist so their tables are exercised in the correctness check. Timing uses the matcher data only.',
  ].join('\n');
  return { data, markdown: md };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  run().then(
    (result) => {
      mkdirSync(join(here, 'results'), { recursive: true });
      writeFileSync(join(here, 'results', 'peers.json'), `${JSON.stringify(result.data, null, 2)}\n`);
      writeFileSync(join(here, 'results', 'peers.md'), `${result.markdown}\n`);
      console.log(result.markdown);
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
