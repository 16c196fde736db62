// The expression language: typing against the dictionary, three-valued evaluation over missing data,
// exact arithmetic, dates over periods, set membership, labelled exceptions and Chinese explanations.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { standardDictionary } from '../../src/dictionary/index.ts';
import { loadLibrary, loadLibraryFromTexts, type Library } from '../../src/policies/library.ts';
import { checkSource, type CheckContext } from '../../src/rules/lang/check.ts';
import { compilePoint } from '../../src/rules/lang/compile.ts';
import { evaluateExpression, evaluatePoint, UNKNOWN } from '../../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../../src/rules/lang/period.ts';
import { explain } from '../../src/rules/lang/render.ts';
import type { PolicyError } from '../../src/rules/lang/spec.ts';

function check(text: string, subject: 'enterprise' | 'person' = 'enterprise') {
  const dict = standardDictionary();
  const errors: PolicyError[] = [];
  const ctx: CheckContext = { subject, facts: dict.facts, globals: dict.derived, locals: new Map(), params: new Map(), errors, stack: [] };
  const ir = checkSource(ctx, { text });
  return { ir, errors: errors.map((e) => `${e.col}: ${e.message} (expected ${e.expected})`) };
}
function value(text: string, facts: Record<string, unknown>, period = '2024', subject: 'enterprise' | 'person' = 'enterprise') {
  const { ir, errors } = check(text, subject);
  if (!ir) throw new Error(errors.join('\n'));
  const v = evaluateExpression(ir, facts, parsePeriod(period)).value;
  if (v === UNKNOWN) return 'unknown';
  if (v !== null && typeof v === 'object') return `${v.n}/${v.d}`;
  return v;
}

describe('typing', () => {
  it('refuses adding money to head counts', () => {
    expect(check('revenueFen + staff').errors).toEqual(['13: unit mismatch: 元 + 人 (expected a value in 元)']);
  });
  it('gives money × rate the unit 元 and money ÷ money no unit', () => {
    expect(check('uiContributionsPaidFen * 60%').ir?.ty).toMatchObject({ k: 'num', unit: { fen: 1 } });
    expect(check('uiContributionsPaidFen / revenueFen').ir?.ty).toMatchObject({ k: 'num', unit: {} });
  });
  it('gives 元/人 × 人 the unit 元', () => {
    expect(check('1500元/人 * expansionHires1m').ir?.ty).toMatchObject({ k: 'num', unit: { fen: 1 } });
  });
  it('refuses a code that is not in the code list', () => {
    expect(check('regionCode in ["449999"]').errors[0]).toContain("'449999' is not in the region code list");
  });
  it('refuses comparing a date that may have no record without a guard, and accepts it guarded', () => {
    expect(check('deathDate >= period.start', 'person').errors[0]).toContain("'deathDate' may be none");
    expect(check('deathDate is none or deathDate >= period.start', 'person').errors).toEqual([]);
    expect(check('deathDate is not none and deathDate < period.start', 'person').errors).toEqual([]);
  });
  it('refuses reading a person fact in an enterprise rule', () => {
    expect(check('birthDate < @2000-01-01').errors[0]).toContain("fact 'birthDate' belongs to person subjects, not enterprise");
  });
  it('refuses an unknown function and suggests the near one', () => {
    expect(check('year_off(period.start)').errors[0]).toContain("unknown function 'year_off'; did you mean 'year_of'?");
  });
});

describe('evaluation', () => {
  it('is exact: 0.1 + 0.2 equals 0.3', () => {
    expect(value('0.1 + 0.2 == 0.3', {})).toBe(true);
  });
  it('compares a rate exactly at its threshold (11 of 200 is exactly 5.5%)', () => {
    expect(value('newClaimants / avgInsured <= 5.5%', { newClaimants: 11, avgInsured: 200 })).toBe(true);
    expect(value('newClaimants / avgInsured <= 5.5%', { newClaimants: 12, avgInsured: 200 })).toBe(false);
  });
  it('uses Kleene logic: a false side decides "and" even when the other is missing', () => {
    expect(value('staff >= 10人 and revenueFen > 0元', { staff: 5 })).toBe(false);
    expect(value('staff >= 10人 and revenueFen > 0元', { staff: 50 })).toBe('unknown');
    expect(value('staff >= 10人 or revenueFen > 0元', { staff: 50 })).toBe(true);
  });
  it('treats an absent register entry as "no" and an absent measurement as unknown', () => {
    expect(value('abnormalOperation', {})).toBe(false);
    expect(value('seriousDishonest', {})).toBe('unknown');
  });
  it('derives the Zhejiang layoff rate from insured head counts (fewer insured at year end = layoffs)', () => {
    expect(value('layoffRateByInsuredChange', { insuredAtStartOfDataYear: 200, insuredAtEndOfDataYear: 189 })).toBe('11/200');
    expect(value('layoffRateByInsuredChange <= 5.5%', { insuredAtStartOfDataYear: 200, insuredAtEndOfDataYear: 220 })).toBe(true);
  });
  it('makes division by zero unknown, not infinite', () => {
    expect(value('newClaimants / avgInsured', { newClaimants: 1, avgInsured: 0 })).toBe('unknown');
  });
  it('computes ages in whole years on the period end (birthday in the month counts)', () => {
    expect(value('age(birthDate, period.end)', { birthDate: '1955-03-15' }, '2025-03', 'person')).toBe('70/1');
    expect(value('age(birthDate, period.end)', { birthDate: '1955-03-15' }, '2025-02', 'person')).toBe('69/1');
    expect(value('age(birthDate, period.end)', { birthDate: '1956-02-29' }, '2026-02', 'person')).toBe('69/1');
  });
  it('adds months with the day clamped to the month end', () => {
    expect(value('add_months(@2024-01-31, 1个月) == @2024-02-29', {})).toBe(true);
    expect(value('months_between(@2024-01-31, @2024-02-29)', {})).toBe('0/1');
  });
  it('matches codes hierarchically: 深圳市 contains 南山区, 制造业 contains C3911', () => {
    expect(value('regionCode in ["440300"]', { regionCode: '440305' })).toBe(true);
    expect(value('regionCode in ["440000"]', { regionCode: '440305' })).toBe(true);
    expect(value('regionCode in ["440300"]', { regionCode: '440100' })).toBe(false);
    expect(value('industryCode in ["C"]', { industryCode: 'C3911' })).toBe(true);
    expect(value('industryCode in ["C39"]', { industryCode: 'C3811' })).toBe(false);
  });
  it('reads the data year of a point that pays policy year N from year N-1 data', () => {
    const { ir } = check('period.dataYear');
    if (!ir) throw new Error('no ir');
    expect(evaluateExpression(ir, {}, parsePeriod('2024'), -1).value).toEqual({ n: 2023n, d: 1n });
  });
});

let lib: Library;
beforeAll(async () => {
  const r = await loadLibrary('policies');
  if (!r.ok) throw new Error('library does not load');
  lib = r.library;
});

const base = {
  status: '存续',
  industryCode: 'C3911',
  staff: 120,
  revenueFen: 5_000_000_000n,
  uiContributionsPaidFen: 1_234_500n,
  uiMonthsPaidInFull: 24,
  avgInsured: 120,
  newClaimants: 2,
  laborDispatch: false,
  seriousDishonest: false,
};

describe('explanations', () => {
  it('renders the amount as a worked formula with rounding and the citation', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing point');
    const ex = explain(evaluatePoint(point, base, parsePeriod('2024')));
    expect(ex.decision.outcome).toBe('eligible');
    expect(ex.decision.amountFen).toBe(740_700n);
    expect(ex.lines).toContain('✓ 金额：上年度失业保险实缴 12,345.00 元 × 返还比例 60% = 7,407.00 元，四舍五入到分（人社部发〔2024〕40号 二）');
    expect(ex.lines.join('\n')).toContain('企业划型：查表（划型行业 工业，从业人员 120人，营业收入 50,000,000.00 元，资产总额（未用到））得 小型（工信部联企业〔2011〕300号 第四条）');
  });

  it('says which condition failed and by how much', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing point');
    const ex = explain(evaluatePoint(point, { ...base, uiMonthsPaidInFull: 9 }, parsePeriod('2024')));
    expect(ex.decision.outcome).toBe('ineligible');
    expect(ex.lines).toContain('✗ 足额缴纳失业保险费12个月以上：足额缴纳失业保险费月数 9个月 ≥ 最低足额缴费月数 12个月，不满足，差 3个月（人社部发〔2024〕40号 二）');
  });

  it('lists the missing facts of an undetermined subject with their source department', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing point');
    const { uiMonthsPaidInFull: _drop, ...rest } = base;
    const ex = explain(evaluatePoint(point, rest, parsePeriod('2024')));
    expect(ex.decision.outcome).toBe('undetermined');
    expect(ex.decision.missingFacts).toEqual(['uiMonthsPaidInFull']);
    expect(ex.lines.join('\n')).toContain('足额缴纳失业保险费月数 （缺失：uiMonthsPaidInFull，人社）');
  });

  it('states a labelled exception ("但…除外") as the reason', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing point');
    const ex = explain(evaluatePoint(point, { ...base, laborDispatch: true }, parsePeriod('2024')));
    expect(ex.decision.reasonCodes).toEqual(['LABOR_DISPATCH']);
    expect(ex.lines).toContain('✗ 但劳务派遣单位（不纳入免申即享自动批次，可按申报制办理）除外：劳务派遣单位 是，属于除外情形，不予享受（人社部发〔2024〕40号 二）');
  });

  it('explains a banded allowance from its decision table', () => {
    const point = lib.byId.get('gaoling-jintie');
    if (!point) throw new Error('missing point');
    const ex = explain(evaluatePoint(point, { birthDate: '1940-06-01', hukouRegion: '440304' }, parsePeriod('2025-06')));
    expect(ex.decision.amountFen).toBe(30_000n);
    expect(ex.lines.join('\n')).toContain('月津贴标准：查表（周岁年龄（本期末） 85岁）得 300.00 元');
  });
});

describe('versions', () => {
  const good = readFileSync('test/fixtures/policies-bad/good.policy.yaml', 'utf8');
  const hashOf = (text: string) => {
    const r = loadLibraryFromTexts([{ file: 'v.policy.yaml', text }]);
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
    return (r.library.points[0] as { contentHash: string }).contentHash;
  };
  it('gives a point the same content hash every time it is loaded', () => {
    expect(hashOf(good)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf(good)).toBe(hashOf(good));
  });
  it('changes the hash when a parameter value changes', () => {
    expect(hashOf(good.replace('value: 12个月', 'value: 13个月').replace('uiMonthsPaidInFull: 11', 'uiMonthsPaidInFull: 12'))).not.toBe(hashOf(good));
  });
  it('changes the hash when a condition changes, but not when only a test case or comment changes', () => {
    expect(hashOf(good.replace('uiMonthsPaidInFull >= minMonths', 'uiMonthsPaidInFull > minMonths - 1个月'))).not.toBe(hashOf(good));
    expect(hashOf(good.replace('name: 达标', 'name: 达到标准').replace('format: policy/1', '# 注释\nformat: policy/1'))).toBe(hashOf(good));
  });
});

describe('compiled fast path', () => {
  it('reuses one result object and allocates no reason arrays for repeated outcomes', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing point');
    const run = compilePoint(point).run;
    const period = parsePeriod('2024');
    const a = run({ ...base, uiMonthsPaidInFull: 1 }, period);
    const codes = a.reasonCodes;
    const b = run({ ...base, uiMonthsPaidInFull: 2 }, period);
    expect(b).toBe(a);
    expect(b.reasonCodes).toBe(codes);
    expect(b.reasonCodes).toEqual(['MONTHS_PAID_IN_FULL']);
  });
  it('reads money stored as integer-fen text (as the feeds store it) without leaving the fast path', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing point');
    const f = compilePoint(point).run({ ...base, revenueFen: '5000000000', uiContributionsPaidFen: '1234500' }, parsePeriod('2024'));
    expect(f.viaEvaluator).toBe(false);
    expect(f.amountFen).toBe(740_700);
  });
  it('hands a value beyond 2^53 to the exact evaluator and still returns the exact amount', () => {
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing point');
    const huge = 9_007_199_254_740_993n; // 2^53 + 1 fen
    const f = compilePoint(point).run({ ...base, revenueFen: huge, staff: 5000, uiContributionsPaidFen: 1_000_001n }, parsePeriod('2024'));
    expect(f.viaEvaluator).toBe(true);
    expect(f.amountFen).toBe(300_000); // 1,000,001 fen × 30% = 300,000.3 → 300,000 fen
  });
});
