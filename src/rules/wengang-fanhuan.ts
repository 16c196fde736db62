// 失业保险稳岗返还 (人社部发〔2024〕40号 二): the skeleton's rule, written by hand against the provisional
// policy format. Pure: facts, parameters and the period come in; a decision comes out.
import { applyRate, divideHalfUp, formatPercent, formatYuan, parseDecimal, roundingLabels, type Decimal, type Rounding } from '../money.ts';
import type { Decision, Reason } from './decision.ts';
import { classifyEnterpriseSize } from './enterprise-size.ts';

export interface WengangFacts {
  status?: string; // 存续 / 注销 / 吊销
  industryCode?: string;
  staff?: number;
  revenueFen?: bigint;
  uiContributionsPaidFen?: bigint; // 上年度实际缴纳失业保险费（单位+个人）
  uiMonthsPaidInFull?: number; // 截至上年末连续足额缴费月数
  avgInsured?: number; // 上年度失业保险参保缴费月平均人数
  newClaimants?: number; // 上年度新增领取失业保险金人数
  laborDispatch?: boolean;
  seriousDishonest?: boolean;
}

export interface WengangParameters {
  rateLarge: Decimal;
  rateSmeMicro: Decimal;
  minMonthsPaidInFull: number;
  layoffRateCap: Decimal;
  smallFirmMaxInsured: number;
  smallFirmLayoffRateCap: Decimal;
}

export function wengangParameters(values: Record<string, { value: string }>): WengangParameters {
  const get = (name: string) => {
    const entry = values[name];
    if (!entry) throw new RangeError(`parameter ${name} is missing from the policy file`);
    return parseDecimal(entry.value);
  };
  return {
    rateLarge: get('rateLarge'),
    rateSmeMicro: get('rateSmeMicro'),
    minMonthsPaidInFull: Number(get('minMonthsPaidInFull').units),
    layoffRateCap: get('layoffRateCap'),
    smallFirmMaxInsured: Number(get('smallFirmMaxInsured').units),
    smallFirmLayoffRateCap: get('smallFirmLayoffRateCap'),
  };
}

const CITE = '（人社部发〔2024〕40号 二）';

/** claimants / insured <= cap, exactly: claimants × 10^scale <= cap.units × insured. */
function layoffWithin(claimants: number, insured: number, cap: Decimal): boolean {
  return BigInt(claimants) * 10n ** BigInt(cap.scale) <= cap.units * BigInt(insured);
}

function percentText(claimants: number, insured: number): string {
  if (insured === 0) return '—';
  const basisPoints = divideHalfUp(BigInt(claimants) * 10000n, BigInt(insured)); // in 0.01%
  return `${formatYuan(basisPoints)}%`;
}

export function evaluateWengangFanhuan(facts: WengangFacts, p: WengangParameters, rounding: Rounding, dataYear: number): Decision {
  const reasons: Reason[] = [];
  const missing: string[] = [];

  if (facts.status === undefined) missing.push('status');
  else {
    const active = facts.status === '存续';
    reasons.push({ code: 'STATUS_ACTIVE', passed: active, text: active ? '企业登记状态为存续' : `企业登记状态为${facts.status}，不予返还${CITE}` });
  }

  if (facts.seriousDishonest === undefined) missing.push('seriousDishonest');
  else {
    reasons.push({
      code: 'NOT_SERIOUS_DISHONEST',
      passed: !facts.seriousDishonest,
      text: facts.seriousDishonest ? '企业在严重违法失信名单中，不予返还（严重违法失信受联合惩戒）' : '企业不在严重违法失信名单中',
    });
  }

  if (facts.laborDispatch === undefined) missing.push('laborDispatch');
  else {
    reasons.push({
      code: 'NOT_LABOR_DISPATCH',
      passed: !facts.laborDispatch,
      text: facts.laborDispatch ? '劳务派遣单位不纳入免申即享自动批次，可按申报制办理' : '非劳务派遣单位',
    });
  }

  if (facts.uiMonthsPaidInFull === undefined) missing.push('uiMonthsPaidInFull');
  else {
    const ok = facts.uiMonthsPaidInFull >= p.minMonthsPaidInFull;
    reasons.push({
      code: 'MONTHS_PAID_IN_FULL',
      passed: ok,
      text: ok
        ? `足额缴纳失业保险费${facts.uiMonthsPaidInFull}个月，达到${p.minMonthsPaidInFull}个月以上的要求${CITE}`
        : `足额缴纳失业保险费${facts.uiMonthsPaidInFull}个月，不足${p.minMonthsPaidInFull}个月，差${p.minMonthsPaidInFull - facts.uiMonthsPaidInFull}个月${CITE}`,
    });
  }

  if (facts.avgInsured === undefined) missing.push('avgInsured');
  if (facts.newClaimants === undefined) missing.push('newClaimants');
  if (facts.avgInsured !== undefined && facts.newClaimants !== undefined) {
    const small = facts.avgInsured <= p.smallFirmMaxInsured;
    const cap = small ? p.smallFirmLayoffRateCap : p.layoffRateCap;
    const ok = facts.newClaimants === 0 || (facts.avgInsured > 0 && layoffWithin(facts.newClaimants, facts.avgInsured, cap));
    const rate = percentText(facts.newClaimants, facts.avgInsured);
    const rule = small ? `${p.smallFirmMaxInsured}人（含）以下企业裁员率不高于${formatPercent(cap)}` : `裁员率不高于${formatPercent(cap)}`;
    reasons.push({
      code: 'LAYOFF_RATE',
      passed: ok,
      text: facts.newClaimants === 0
        ? `${dataYear}年度未裁员（新增领取失业保险金0人）${CITE}`
        : `${dataYear}年度裁员率 = 新增领取失业保险金${facts.newClaimants}人 ÷ 月平均参保${facts.avgInsured}人 = ${rate}，${ok ? '符合' : '不符合'}“${rule}”${CITE}`,
    });
  }

  const size = classifyEnterpriseSize(facts.industryCode, facts.staff, facts.revenueFen);
  if (!size.determined) missing.push(...size.missing);
  reasons.push({ code: 'SIZE_CLASS', passed: size.determined ? true : null, text: size.explanation });

  if (facts.uiContributionsPaidFen === undefined) missing.push('uiContributionsPaidFen');

  const failed = reasons.some((r) => r.passed === false);
  if (failed) return { outcome: 'ineligible', amountFen: null, rounding: null, reasons, missingFacts: missing };
  if (missing.length > 0 || !size.determined || facts.uiContributionsPaidFen === undefined) {
    reasons.push({ code: 'MISSING_FACTS', passed: null, text: `数据缺失，暂无法判定：${missing.join('、')}；请补齐数据后重新比对` });
    return { outcome: 'undetermined', amountFen: null, rounding: null, reasons, missingFacts: missing };
  }

  const large = size.size === '大型';
  const rate = large ? p.rateLarge : p.rateSmeMicro;
  const amountFen = applyRate(facts.uiContributionsPaidFen, rate, rounding);
  reasons.push({
    code: 'AMOUNT',
    passed: true,
    text: `${dataYear}年度失业保险实缴 ${formatYuan(facts.uiContributionsPaidFen)} 元 × ${formatPercent(rate)}（${large ? '大型企业' : '中小微企业'}）= ${formatYuan(amountFen)} 元，${roundingLabels[rounding]}${CITE}`,
  });
  return { outcome: 'eligible', amountFen, rounding, reasons, missingFacts: [] };
}
