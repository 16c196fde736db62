import { describe, expect, it } from 'vitest';
import { parseDecimal } from '../src/money.ts';
import { classifyEnterpriseSize } from '../src/rules/enterprise-size.ts';
import { evaluateWengangFanhuan, type WengangFacts, type WengangParameters } from '../src/rules/wengang-fanhuan.ts';

const params: WengangParameters = {
  rateLarge: parseDecimal('0.30'),
  rateSmeMicro: parseDecimal('0.60'),
  minMonthsPaidInFull: 12,
  layoffRateCap: parseDecimal('0.055'),
  smallFirmMaxInsured: 30,
  smallFirmLayoffRateCap: parseDecimal('0.20'),
};

const base: WengangFacts = {
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

const evaluate = (facts: Partial<WengangFacts>) => evaluateWengangFanhuan({ ...base, ...facts }, params, 'half-up-fen', 2023);

describe('稳岗返还 2024 rule', () => {
  it('is eligible exactly at 12 months and exactly at a 5.5% layoff rate', () => {
    const decision = evaluate({}); // 11 / 200 = 5.5%
    expect(decision.outcome).toBe('eligible');
    expect(decision.amountFen).toBe(600_000n);
    expect(decision.reasons.at(-1)?.text).toBe('2023年度失业保险实缴 10,000.00 元 × 60%（中小微企业）= 6,000.00 元，四舍五入到分（人社部发〔2024〕40号 二）');
  });

  it('fails one claimant above the cap and one month short, saying by how much', () => {
    const decision = evaluate({ newClaimants: 12, uiMonthsPaidInFull: 11 });
    expect(decision.outcome).toBe('ineligible');
    expect(decision.reasons.find((r) => r.code === 'MONTHS_PAID_IN_FULL')?.text).toContain('差1个月');
    expect(decision.reasons.find((r) => r.code === 'LAYOFF_RATE')?.text).toContain('6.00%');
  });

  it('uses the 20% cap only for firms with 30 or fewer insured', () => {
    expect(evaluate({ avgInsured: 30, newClaimants: 6, staff: 30 }).outcome).toBe('eligible');
    expect(evaluate({ avgInsured: 31, newClaimants: 2, staff: 31 }).outcome).toBe('ineligible'); // 6.45% > 5.5%
  });

  it('is undetermined, naming the missing facts, when data is missing and nothing fails', () => {
    const decision = evaluate({ revenueFen: undefined, uiContributionsPaidFen: undefined });
    expect(decision.outcome).toBe('undetermined');
    expect(decision.missingFacts).toEqual(expect.arrayContaining(['revenueFen', 'uiContributionsPaidFen']));
  });

  it('is ineligible rather than undetermined when a known fact already fails', () => {
    expect(evaluate({ revenueFen: undefined, status: '注销' }).outcome).toBe('ineligible');
  });
});

describe('企业划型 (工信部联企业〔2011〕300号)', () => {
  it('classifies industry firms at the exact thresholds', () => {
    const yuanWan = (wan: number) => BigInt(wan) * 1_000_000n;
    expect(classifyEnterpriseSize('C3911', 1000, yuanWan(40000))).toMatchObject({ size: '大型' });
    expect(classifyEnterpriseSize('C3911', 999, yuanWan(40000))).toMatchObject({ size: '中型' });
    expect(classifyEnterpriseSize('C3911', 300, yuanWan(2000))).toMatchObject({ size: '中型' });
    expect(classifyEnterpriseSize('C3911', 300, yuanWan(1999))).toMatchObject({ size: '小型' });
    expect(classifyEnterpriseSize('C3911', 19, yuanWan(50000))).toMatchObject({ size: '微型' });
  });

  it('uses the industry’s own thresholds and refuses to guess where assets are needed', () => {
    expect(classifyEnterpriseSize('I6510', 300, 10_000n * 1_000_000n)).toMatchObject({ size: '大型' });
    expect(classifyEnterpriseSize('M7320', 120, undefined)).toMatchObject({ size: '中型' });
    expect(classifyEnterpriseSize('E4710', 500, 1n)).toMatchObject({ determined: false, missing: ['totalAssets'] });
  });
});
