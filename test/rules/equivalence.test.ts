// The encoded 稳岗返还 2024 pays exactly what the skeleton's hand-written rule pays, and the derived
// fact 企业划型 classifies exactly as the reference implementation in src/rules/enterprise-size.ts.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { standardDictionary } from '../../src/dictionary/index.ts';
import { loadLibrary, type Library } from '../../src/policies/library.ts';
import { classifyEnterpriseSize } from '../../src/rules/enterprise-size.ts';
import { evaluateExpression, evaluatePoint, UNKNOWN } from '../../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../../src/rules/lang/period.ts';
import { evaluateWengangFanhuan, wengangParameters, type WengangFacts } from '../../src/rules/wengang-fanhuan.ts';
import { rng } from './generate.ts';

let lib: Library;
beforeAll(async () => {
  const r = await loadLibrary('policies');
  if (!r.ok) throw new Error('library does not load');
  lib = r.library;
});

const INDUSTRIES = ['C3911', 'B0610', 'D4411', 'F5110', 'F5211', 'G5910', 'G6010', 'G5410', 'H6110', 'H6210', 'I6510', 'I6311', 'M7310', 'J6620', 'P8310', 'E4710', 'K7010', 'L7211', 'A0111'];
const STAFF_EDGES = [0, 4, 5, 9, 10, 19, 20, 49, 50, 99, 100, 199, 200, 299, 300, 999, 1000, 1999, 2000, 2500];
const WAN_EDGES = [0, 50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 10000, 20000, 30000, 40000, 100000];

function sizeSubject(r: () => number): { industryCode?: string; staff?: number; revenueFen?: bigint } {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)] as T;
  const out: { industryCode?: string; staff?: number; revenueFen?: bigint } = {};
  if (r() > 0.05) out.industryCode = pick(INDUSTRIES);
  if (r() > 0.05) out.staff = pick(STAFF_EDGES) + pick([-1, 0, 0, 1]) * (r() < 0.5 ? 1 : 0);
  if (out.staff !== undefined && out.staff < 0) out.staff = 0;
  if (r() > 0.08) out.revenueFen = BigInt(pick(WAN_EDGES)) * 1_000_000n + BigInt(pick([-1, 0, 0, 1]));
  if (out.revenueFen !== undefined && out.revenueFen < 0n) out.revenueFen = 0n;
  return out;
}

/** The subject with its missing staff / revenue replaced by each extreme (both when both are missing). */
function fillings(s: { industryCode?: string; staff?: number; revenueFen?: bigint }) {
  const staffs = s.staff === undefined ? [0, 1_000_000] : [s.staff];
  const revenues = s.revenueFen === undefined ? [0n, 10n ** 15n] : [s.revenueFen];
  return staffs.flatMap((staff) => revenues.map((revenueFen) => ({ ...s, staff, revenueFen })));
}

describe('derived fact 企业划型 (工信部联企业〔2011〕300号)', () => {
  it('classifies 20,000 generated enterprises exactly as the reference implementation', () => {
    const dict = standardDictionary();
    const def = dict.derived.get('sizeClass')?.ir;
    if (!def) throw new Error('sizeClass missing');
    const r = rng(7);
    const period = parsePeriod('2024');
    const seen = new Set<string>();
    for (let i = 0; i < 20_000; i++) {
      const s = sizeSubject(r);
      const ref = classifyEnterpriseSize(s.industryCode, s.staff, s.revenueFen);
      const mine = evaluateExpression(def.body, s, period);
      const mineText = mine.value === UNKNOWN ? `undetermined:${mine.missing.join(',')}` : String(mine.value);
      const refText = ref.determined ? ref.size : `undetermined:${[...ref.missing].sort().map((m) => (m === 'totalAssets' ? 'totalAssetsFen' : m)).join(',')}`;
      seen.add(mineText.split(':')[0] as string);
      const where = JSON.stringify(s, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      if (!ref.determined && mine.value !== UNKNOWN) {
        // The reference asks for staff and revenue whenever the industry has thresholds on them; the
        // table only asks when the answer depends on them (staff below the small-firm line is 微型
        // whatever the revenue, and vice versa). Prove the answer does not depend on what is missing.
        expect(s.industryCode, where).toBeDefined();
        for (const filled of fillings(s)) {
          const ref2 = classifyEnterpriseSize(filled.industryCode, filled.staff, filled.revenueFen);
          expect(ref2.determined && ref2.size, where).toBe(mine.value);
        }
        continue;
      }
      if (!ref.determined) {
        // Undetermined on both sides; every fact the reference names is among the ones we name.
        expect(mine.value, where).toBe(UNKNOWN);
        for (const m of ref.missing) expect(mine.missing, where).toContain(m === 'totalAssets' ? 'totalAssetsFen' : m);
        continue;
      }
      expect(mineText, where).toBe(refText);
    }
    expect(seen).toEqual(new Set(['大型', '中型', '小型', '微型', 'undetermined']));
  });
});

describe('稳岗返还 2024 in the policy language', () => {
  it('gives the same outcome and amount to the fen as the skeleton rule on 20,000 generated enterprises (deciding earlier only where the missing staff or revenue cannot matter)', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('point missing');
    const skeleton = parse(readFileSync('test/fixtures/skeleton/wengang-fanhuan-2024.yaml', 'utf8')) as { point: { parameters: Record<string, { value: string }>; rounding: 'half-up-fen' } };
    const params = wengangParameters(skeleton.point.parameters);
    const r = rng(11);
    const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)] as T;
    const maybe = <T>(v: T): T | undefined => (r() < 0.04 ? undefined : v);
    const period = parsePeriod('2024');
    const counts: Record<string, number> = {};
    for (let i = 0; i < 20_000; i++) {
      const size = sizeSubject(r);
      const avgInsured = pick([0, 1, 10, 29, 30, 31, 100, 200, 250, 1000]);
      const facts: WengangFacts = {
        status: maybe(pick(['存续', '存续', '存续', '注销', '吊销'])),
        industryCode: size.industryCode,
        staff: size.staff,
        revenueFen: size.revenueFen,
        uiContributionsPaidFen: maybe(BigInt(Math.floor(r() * 100_000_000))),
        uiMonthsPaidInFull: maybe(pick([0, 11, 12, 13, 24])),
        avgInsured: maybe(avgInsured),
        newClaimants: maybe(pick([0, 0, 1, 2, 6, 7, 11, 12, 14, Math.ceil(avgInsured * 0.055)])),
        laborDispatch: maybe(r() < 0.1),
        seriousDishonest: maybe(r() < 0.1),
      };
      const input = Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
      const ref = evaluateWengangFanhuan(facts, params, skeleton.point.rounding, 2023);
      const mine = evaluatePoint(point, input, period);
      counts[mine.outcome] = (counts[mine.outcome] ?? 0) + 1;
      const where = JSON.stringify(input, (_, v) => (typeof v === 'bigint' ? String(v) : v));
      if (ref.outcome === 'undetermined' && mine.outcome !== 'undetermined') {
        // Only where the skeleton waits for a staff or revenue figure that cannot change the size class.
        for (const filled of fillings(size)) {
          const ref2 = evaluateWengangFanhuan({ ...facts, staff: filled.staff, revenueFen: filled.revenueFen }, params, skeleton.point.rounding, 2023);
          expect(`${mine.outcome} ${mine.amountFen}`, where).toBe(`${ref2.outcome} ${ref2.amountFen}`);
        }
        counts.decidedEarlier = (counts.decidedEarlier ?? 0) + 1;
        continue;
      }
      expect(`${mine.outcome} ${mine.amountFen}`, where).toBe(`${ref.outcome} ${ref.amountFen}`);
    }
    expect(counts.eligible).toBeGreaterThan(1000);
    expect(counts.ineligible).toBeGreaterThan(1000);
    expect(counts.undetermined).toBeGreaterThan(500);
    // Identical on all but the few the skeleton leaves waiting for an irrelevant revenue figure.
    expect(counts.decidedEarlier ?? 0).toBeLessThan(20_000 / 20);
  });
});
