// The corrections made against the official texts stay made: each assertion here is a figure or date an
// independent reading found wrong in the library, so a regression fails CI rather than a payment.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLibraryOrThrow, type Library } from '../src/policies/library.ts';
import { evaluatePoint, paramValue } from '../src/rules/lang/evaluate.ts';
import { parseIsoDay } from '../src/rules/lang/parser.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';
import type { PointModel } from '../src/rules/lang/model.ts';

let lib: Library;
beforeAll(async () => {
  lib = await loadLibraryOrThrow('policies');
});

const point = (id: string): PointModel => {
  const p = lib.byId.get(id);
  if (!p) throw new Error(`${id} is not in the library`);
  return p;
};
const day = (iso: string) => parseIsoDay(iso) as number;
/** The value text of a point's parameter on a day, e.g. '50%'. */
const valueOn = (id: string, param: string, iso: string) => {
  const p = point(id).params.find((x) => x.name === param);
  if (!p) throw new Error(`${id} has no parameter ${param}`);
  return p.values.find((v) => v.from <= day(iso) && (v.to === null || day(iso) <= v.to))?.text;
};
const enterprise = { status: '存续', industryCode: 'C3911', uiContributionsPaidFen: 1_000_000, uiMonthsPaidInFull: 24, avgInsured: 120, newClaimants: 2, laborDispatch: false, seriousDishonest: false };

describe('稳岗返还 2022 (人社部发〔2022〕23号; 国发〔2022〕12号)', () => {
  it('raises the large-firm rate from 30% to 50% on 2022-05-31, a dated change of one parameter', () => {
    expect(valueOn('wengang-fanhuan-2022', 'rateLarge', '2022-05-30')).toBe('30%');
    expect(valueOn('wengang-fanhuan-2022', 'rateLarge', '2022-05-31')).toBe('50%');
    expect(valueOn('wengang-fanhuan-2022', 'rateSmeMicro', '2022-01-01')).toBe('90%');
  });

  it('pays the 2022 batch at the year-end rates: 50% to a large firm, 90% to an SME', () => {
    const p = point('wengang-fanhuan-2022');
    expect(p.valuesOn).toBe('period-end');
    const large = evaluatePoint(p, { ...enterprise, staff: 1000, revenueFen: 40_000_000_000 }, parsePeriod('2022'));
    expect([large.outcome, large.amountFen]).toEqual(['eligible', 500_000n]);
    const sme = evaluatePoint(p, { ...enterprise, staff: 999, revenueFen: 40_000_000_000 }, parsePeriod('2022'));
    expect([sme.outcome, sme.amountFen]).toEqual(['eligible', 900_000n]);
  });

  it('reads dated values on the first day of the period unless a point says otherwise', () => {
    expect(point('wengang-fanhuan-2024').valuesOn).toBe('period-start');
    const p = point('wengang-fanhuan-2022').params.find((x) => x.name === 'rateLarge')!;
    expect(paramValue(p, day('2022-01-01'))).not.toEqual(paramValue(p, day('2022-12-31')));
  });
});

describe('稳岗返还 2021 (人社部发〔2021〕29号)', () => {
  it('caps the layoff rate at the 2020 control target of 6%, not 5.5%', () => {
    expect(valueOn('wengang-fanhuan-2021', 'layoffRateCap', '2021-01-01')).toBe('6%');
    const p = point('wengang-fanhuan-2021');
    expect(evaluatePoint(p, { ...enterprise, staff: 120, revenueFen: 5_000_000_000, avgInsured: 1000, newClaimants: 60 }, parsePeriod('2021')).outcome).toBe('eligible');
    expect(evaluatePoint(p, { ...enterprise, staff: 120, revenueFen: 5_000_000_000, avgInsured: 1000, newClaimants: 61 }, parsePeriod('2021')).reasonCodes).toEqual(['LAYOFF_RATE']);
  });
});

describe('深圳高龄老人津贴 (深民规〔2019〕2号)', () => {
  it('names its document and is in force from 2019-10-01', () => {
    const doc = lib.documents.find((d) => d.id === 'sz-gaoling')!;
    expect(doc.docNumber).toBe('深民规〔2019〕2号');
    expect(doc.effective.from).toBe('2019-10-01');
    expect(point('gaoling-jintie').effective.fromText).toBe('2019-10-01');
    const old = { birthDate: '1940-01-01', hukouRegion: '440304' };
    expect(evaluatePoint(point('gaoling-jintie'), old, parsePeriod('2019-10')).amountFen).toBe(20_000n);
    expect(evaluatePoint(point('gaoling-jintie'), old, parsePeriod('2019-09')).reasonCodes).toEqual(['NOT_IN_EFFECT']);
  });
});

describe('深圳残疾人两项补贴 (深圳市困难残疾人生活补贴和重度残疾人护理补贴实施办法, 2023-05-01)', () => {
  const care = { disabilityCategory: '肢体', needsLongTermCare: true, hukouRegion: '440306' };
  it('pays one 护理补贴 rate, 452元, to every eligible grade', () => {
    const p = point('canji-huli-butie');
    const amounts = ['一级', '二级'].map((g) => evaluatePoint(p, { ...care, disabilityGrade: g }, parsePeriod('2025-03')).amountFen);
    expect(amounts).toEqual([45_200n, 45_200n]);
    expect(evaluatePoint(p, { ...care, disabilityGrade: '四级', disabilityCategory: '精神' }, parsePeriod('2025-03')).amountFen).toBe(45_200n);
  });

  it('covers 低保边缘 households in the 生活补贴', () => {
    const p = point('canji-shenghuo-butie');
    const e = evaluatePoint(p, { disabilityGrade: '三级', disabilityCategory: '肢体', dibaoHousehold: false, lowIncomeHousehold: true, hukouRegion: '440304' }, parsePeriod('2025-03'));
    expect([e.outcome, e.amountFen]).toEqual(['eligible', 40_000n]);
  });
});

describe('技能提升补贴: 人社部发〔2024〕40号 ends 2024-12-31, 人社部发〔2025〕18号 governs 2025', () => {
  it('closes the 2024 rules (3 claims a year) on 2024-12-31 and allows one claim a year in 2025', () => {
    expect(point('jineng-tisheng-2024').effective.toText).toBe('2024-12-31');
    expect(valueOn('jineng-tisheng-2024', 'skillMaxPerYear', '2024-12-31')).toBe('3次');
    expect(point('jineng-tisheng-2025').effective.fromText).toBe('2025-01-01');
    expect(valueOn('jineng-tisheng-2025', 'skillMaxPerYear', '2025-06-01')).toBe('1次');
    expect(lib.documents.find((d) => d.id === 'wengang-2025')!.docNumber).toBe('人社部发〔2025〕18号');
    const second = { uiInsuredMonths: 36, certificateLevel: '中级', certificateDate: '2025-06-15', skillSubsidiesThisYear: 1 };
    expect(evaluatePoint(point('jineng-tisheng-2025'), second, parsePeriod('2025-06')).reasonCodes).toEqual(['YEARLY_LIMIT']);
  });
});

describe('广州 上市补贴 (穗府规〔2023〕6号)', () => {
  it('names its document and rewards substantive operations in the city, not a moved registered address', () => {
    expect(lib.documents.find((d) => d.id === 'gz-ipo-2023')!.docNumber).toBe('穗府规〔2023〕6号');
    const p = point('gz-ipo-qianru');
    const moved = { regionCode: '440100', relocatedListedDate: '2024-09-09', seriousDishonest: false };
    const e = evaluatePoint(p, moved, parsePeriod('2024'));
    expect([e.outcome, e.missingFacts]).toEqual(['undetermined', ['localSubstantiveOpsDate']]);
    expect(evaluatePoint(p, { ...moved, localSubstantiveOpsDate: '2024-10-08' }, parsePeriod('2024')).amountFen).toBe(300_000_000n);
  });
});

describe('稳岗返还 2019 (人社部发〔2019〕23号)', () => {
  it('relaxes the layoff-rate test for SMEs to the national control target (5.5%), not the local registered rate', () => {
    const p = point('wengang-fanhuan-2019');
    const sme = { ...enterprise, staff: 120, revenueFen: 5_000_000_000, avgInsured: 200, newClaimants: 11 }; // 5.5%
    expect(evaluatePoint(p, sme, parsePeriod('2019')).outcome).toBe('eligible');
    expect(evaluatePoint(p, { ...sme, staff: 1500, revenueFen: 50_000_000_000 }, parsePeriod('2019')).reasonCodes).toEqual(['LAYOFF_RATE']);
  });
});

describe('赤壁 旅游饭店奖励 (2020)', () => {
  it('pays the 40/20/5万 tier to above-scale hotels assessed as meeting a star standard, not to small rated ones', () => {
    const p = point('xingji-fandian-qita');
    const base = { regionCode: '421281', industryCode: 'H6110', starStandardMet: '五星', starStandardMetDate: '2020-12-31', seriousDishonest: false };
    expect(evaluatePoint(p, { ...base, aboveScale: true }, parsePeriod('2020')).amountFen).toBe(40_000_000n);
    expect(evaluatePoint(p, { ...base, aboveScale: false }, parsePeriod('2020')).reasonCodes).toEqual(['ABOVE_SCALE']);
  });
});

describe('武胜县 上市奖励 (2023-10-07)', () => {
  it('rewards the third stage for passing the exchange review, not for being accepted, and starts on 2023-10-07', () => {
    const p = point('wusheng-ipo-exchange-accepted');
    expect(p.effective.fromText).toBe('2023-10-07');
    const f = { regionCode: '511622', exchangeAcceptedDate: '2024-03-30', localOperationCommitted: true, seriousDishonest: false };
    expect(evaluatePoint(p, f, parsePeriod('2024')).missingFacts).toEqual(['exchangeApprovedDate']);
    expect(evaluatePoint(p, { ...f, exchangeApprovedDate: '2024-06-30' }, parsePeriod('2024')).amountFen).toBe(100_000_000n);
  });
});
