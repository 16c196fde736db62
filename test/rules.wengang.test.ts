// 稳岗返还 2024 as the library encodes it (the walking skeleton's hand-written copy is gone: the policy file
// is the one rule), exercised at the boundaries the skeleton's tests pinned.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLibrary, type Library } from '../src/policies/library.ts';
import { evaluatePoint } from '../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';
import type { PointModel } from '../src/rules/lang/model.ts';

let lib: Library;
let point: PointModel;
beforeAll(async () => {
  const r = await loadLibrary('policies');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.message}`).join('\n'));
  lib = r.library;
  const p = lib.byId.get('wengang-fanhuan-2024');
  if (!p) throw new Error('wengang-fanhuan-2024 missing');
  point = p;
});

const base: Record<string, unknown> = {
  status: '存续',
  industryCode: 'C3911',
  staff: 200,
  revenueFen: 5_000_000_000n,
  uiContributionsPaidFen: 1_000_000n,
  uiMonthsPaidInFull: 12,
  avgInsured: 200,
  newClaimants: 11,
  laborDispatch: false,
  seriousDishonest: false,
};

const evaluate = (facts: Record<string, unknown>) => {
  const merged = Object.fromEntries(Object.entries({ ...base, ...facts }).filter(([, v]) => v !== undefined));
  return evaluatePoint(point, merged, parsePeriod('2024'));
};

describe('稳岗返还 2024 (人社部发〔2024〕40号)', () => {
  it('is eligible exactly at 12 months and exactly at a 5.5% layoff rate, paying 60% to an SME', () => {
    const e = evaluate({}); // 11 / 200 = 5.5%
    expect(e.outcome).toBe('eligible');
    expect(e.amountFen).toBe(600_000n);
  });

  it('fails one claimant above the cap and one month short, naming both conditions', () => {
    const e = evaluate({ newClaimants: 12, uiMonthsPaidInFull: 11 });
    expect(e.outcome).toBe('ineligible');
    expect(e.reasonCodes).toEqual(expect.arrayContaining(['MONTHS_PAID_IN_FULL', 'LAYOFF_RATE']));
  });

  it('uses the 20% cap only for firms with 30 or fewer insured', () => {
    expect(evaluate({ avgInsured: 30, newClaimants: 6, staff: 30 }).outcome).toBe('eligible');
    expect(evaluate({ avgInsured: 31, newClaimants: 2, staff: 31 }).outcome).toBe('ineligible'); // 6.45% > 5.5%
  });

  it('keeps a firm with no layoffs eligible (the best case), whatever its size', () => {
    expect(evaluate({ newClaimants: 0, avgInsured: 1, staff: 1 }).outcome).toBe('eligible');
  });

  it('refuses a firm with an average of 0 insured, with its own reason, instead of paying ¥0', () => {
    const e = evaluate({ newClaimants: 0, avgInsured: 0 });
    expect(e.outcome).toBe('ineligible');
    expect(e.reasonCodes).toContain('HAS_INSURED');
    expect(e.amountFen).toBeNull();
  });

  it('refuses a firm that paid no contributions in the data year, with its own reason', () => {
    const e = evaluate({ uiContributionsPaidFen: 0n });
    expect(e.outcome).toBe('ineligible');
    expect(e.reasonCodes).toEqual(['CONTRIBUTIONS_PAID']);
    expect(evaluate({ uiContributionsPaidFen: 1n }).outcome).toBe('eligible');
  });

  it('is undetermined, naming the missing facts, when data is missing and nothing fails', () => {
    const e = evaluate({ revenueFen: undefined, uiContributionsPaidFen: undefined });
    expect(e.outcome).toBe('undetermined');
    expect(e.missingFacts).toEqual(expect.arrayContaining(['revenueFen', 'uiContributionsPaidFen']));
  });

  it('is ineligible rather than undetermined when a known fact already fails', () => {
    expect(evaluate({ revenueFen: undefined, status: '注销' }).outcome).toBe('ineligible');
  });

  it('pays a 建筑业 firm once its total assets are known (the size table no longer lacks them)', () => {
    expect(evaluate({ industryCode: 'E4710', revenueFen: 100_000_000_000n }).outcome).toBe('undetermined');
    const e = evaluate({ industryCode: 'E4710', revenueFen: 100_000_000_000n, totalAssetsFen: 100_000_000_000n });
    expect(e.outcome).toBe('eligible');
    expect(e.amountFen).toBe(300_000n); // large: 30%
  });
});
