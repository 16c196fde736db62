// 企业划型 per 工信部联企业〔2011〕300号《中小企业划型标准规定》第四条: a derived fact, computed from
// industry, staff (从业人员) and revenue (营业收入), never typed in. Pure.
// Industries whose thresholds need total assets (建筑业, 房地产开发经营, 租赁和商务服务业) are not classified
// here: the result is undetermined, naming the missing fact, rather than a guess.

export type SizeClass = '大型' | '中型' | '小型' | '微型';

interface Band {
  staff: number;
  revenueWan: number; // 万元
}

interface IndustryThresholds {
  label: string;
  clause: string;
  large: Band;
  medium: Band;
  small: Band;
}

const T = (label: string, clause: string, large: [number, number], medium: [number, number], small: [number, number]): IndustryThresholds => ({
  label,
  clause,
  large: { staff: large[0], revenueWan: large[1] },
  medium: { staff: medium[0], revenueWan: medium[1] },
  small: { staff: small[0], revenueWan: small[1] },
});

const INDUSTRY = T('工业', '第四条（二）', [1000, 40000], [300, 2000], [20, 300]);
const WHOLESALE = T('批发业', '第四条（四）', [200, 40000], [20, 5000], [5, 1000]);
const RETAIL = T('零售业', '第四条（五）', [300, 20000], [50, 500], [10, 100]);
const TRANSPORT = T('交通运输业', '第四条（六）', [1000, 30000], [300, 3000], [20, 200]);
const WAREHOUSING = T('仓储业', '第四条（七）', [200, 30000], [100, 1000], [20, 100]);
const POSTAL = T('邮政业', '第四条（八）', [1000, 30000], [300, 2000], [20, 100]);
const ACCOMMODATION = T('住宿业', '第四条（九）', [300, 10000], [100, 2000], [10, 100]);
const CATERING = T('餐饮业', '第四条（十）', [300, 10000], [100, 2000], [10, 100]);
const TELECOM = T('信息传输业', '第四条（十一）', [2000, 100000], [100, 1000], [10, 100]);
const SOFTWARE = T('软件和信息技术服务业', '第四条（十二）', [300, 10000], [100, 1000], [10, 50]);
// 其他未列明行业 is classified by staff alone (revenue threshold 0).
const OTHER = T('其他未列明行业', '第四条（十六）', [300, 0], [100, 0], [10, 0]);

const NEEDS_ASSETS = new Set(['E', 'K', 'L']);

/** Thresholds for a GB/T 4754-2017 code such as "C3911" or "I6510"; undefined where assets are needed. */
export function sizeThresholdsFor(industryCode: string): IndustryThresholds | undefined {
  const section = industryCode[0] ?? '';
  const division = Number(industryCode.slice(1, 3));
  if (NEEDS_ASSETS.has(section)) return undefined;
  if (section === 'B' || section === 'C' || section === 'D') return INDUSTRY;
  if (section === 'F') return division === 51 ? WHOLESALE : RETAIL;
  if (section === 'G') return division === 59 ? WAREHOUSING : division === 60 ? POSTAL : TRANSPORT;
  if (section === 'H') return division === 61 ? ACCOMMODATION : CATERING;
  if (section === 'I') return division === 65 ? SOFTWARE : TELECOM;
  if (section === 'A') return undefined;
  return OTHER;
}

export type SizeResult =
  | { determined: true; size: SizeClass; explanation: string }
  | { determined: false; missing: string[]; explanation: string };

/** revenueFen is 营业收入 in fen; staff is 从业人员 (persons). */
export function classifyEnterpriseSize(industryCode: string | undefined, staff: number | undefined, revenueFen: bigint | undefined): SizeResult {
  const missing: string[] = [];
  if (industryCode === undefined) missing.push('industryCode');
  if (staff === undefined) missing.push('staff');
  const thresholds = industryCode === undefined ? undefined : sizeThresholdsFor(industryCode);
  if (industryCode !== undefined && thresholds === undefined) {
    return {
      determined: false,
      missing: ['totalAssets'],
      explanation: `行业${industryCode}的划型需要资产总额或营业收入标准，本系统尚未采集资产总额，无法划型（工信部联企业〔2011〕300号 第四条）`,
    };
  }
  if (thresholds && thresholds.medium.revenueWan > 0 && revenueFen === undefined) missing.push('revenueFen');
  if (missing.length > 0 || !thresholds || staff === undefined) {
    return { determined: false, missing, explanation: `划型所需数据缺失：${missing.join('、')}` };
  }
  const revenueWan = revenueFen ?? 0n; // compared in fen below
  const meets = (band: Band) => staff >= band.staff && revenueWan >= BigInt(band.revenueWan) * 1_000_000n;
  const size: SizeClass = meets(thresholds.large) ? '大型' : meets(thresholds.medium) ? '中型' : meets(thresholds.small) ? '小型' : '微型';
  const band = size === '大型' ? thresholds.large : size === '中型' ? thresholds.medium : size === '小型' ? thresholds.small : undefined;
  const basis = band
    ? `从业人员${staff}人（≥${band.staff}人）${band.revenueWan > 0 ? `且营业收入达到${band.revenueWan}万元` : ''}`
    : `从业人员${staff}人或营业收入低于小型企业标准`;
  return {
    determined: true,
    size,
    explanation: `${thresholds.label}：${basis}，划为${size}企业（工信部联企业〔2011〕300号 ${thresholds.clause}）`,
  };
}
