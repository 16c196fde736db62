// The demo population: a few hundred Shenzhen-like enterprises with valid 统一社会信用代码 and the facts
// 稳岗返还 needs, deterministic by seed. A handful of fixed firms come first so that every path of the
// cycle (large, 中小微, 失信, layoffs, the ≤30-staff boundary, dispatch, no account, a closed account)
// shows up in every demo.
import { buildUscc, USCC_ALPHABET } from '../subjects/uscc.ts';
import { seededRandom, type Random } from './random.ts';

export const SHENZHEN_DISTRICTS = [
  ['440303', '罗湖'],
  ['440304', '福田'],
  ['440305', '南山'],
  ['440306', '宝安'],
  ['440307', '龙岗'],
  ['440308', '盐田'],
  ['440309', '龙华'],
  ['440310', '坪山'],
  ['440311', '光明'],
] as const;

const INDUSTRIES: readonly (readonly [string, string, number])[] = [
  ['C3911', '计算机制造', 14],
  ['C3971', '电子元件制造', 12],
  ['C2929', '塑料制品', 6],
  ['I6510', '软件开发', 16],
  ['I6421', '互联网平台', 6],
  ['F5191', '贸易', 8],
  ['F5261', '零售', 8],
  ['H6110', '酒店', 4],
  ['H6210', '餐饮', 8],
  ['G5430', '物流', 6],
  ['M7320', '科技服务', 12],
];

export interface DemoEnterprise {
  uscc: string;
  name: string;
  regionCode: string;
  samr: { status: string; industryCode: string; regionCode: string };
  tax: { revenueFen: string | null; siAccount: string | null };
  bank: { basicAccount: string | null };
  hrss: {
    staff: number;
    uiContributionsPaidFen: string;
    uiMonthsPaidInFull: number;
    avgInsured: number;
    newClaimants: number;
    laborDispatch: boolean;
  };
  credit: { seriousDishonest: boolean };
}

const ORG_CHARS = USCC_ALPHABET; // digits and letters valid in both alphabets

function orgBody(random: Random): string {
  let body = 'MA5';
  for (let i = 0; i < 5; i++) body += random.pick([...ORG_CHARS]);
  return body;
}

function accountNumber(random: Random, closed = false): string {
  let digits = '4000';
  for (let i = 0; i < 12; i++) digits += String(random.int(0, 9));
  // The sandbox bank treats accounts ending in 0000 as closed (AC04); only the designated firm gets one.
  return closed ? `${digits.slice(0, 12)}0000` : digits.endsWith('0000') ? `${digits.slice(0, 15)}1` : digits;
}

interface Anchor {
  label: string;
  industryCode: string;
  staff: number;
  revenueYuan: number;
  avgInsured: number;
  newClaimants: number;
  months: number;
  contributionsFen: string;
  seriousDishonest?: boolean;
  laborDispatch?: boolean;
  status?: string;
  account?: 'basic' | 'social-insurance' | 'none' | 'closed';
}

/** Fixed firms, first in every demo population (their 统一社会信用代码 depend on the seed's district pick). */
export const ANCHORS: readonly Anchor[] = [
  { label: '鹏城精密制造', industryCode: 'C3911', staff: 1500, revenueYuan: 500_000_000, avgInsured: 1400, newClaimants: 20, months: 36, contributionsFen: '123456789' },
  { label: '南山云软件', industryCode: 'I6510', staff: 120, revenueYuan: 30_000_000, avgInsured: 110, newClaimants: 2, months: 24, contributionsFen: '12345678' },
  { label: '福田信达贸易', industryCode: 'F5191', staff: 60, revenueYuan: 80_000_000, avgInsured: 55, newClaimants: 0, months: 30, contributionsFen: '5600000', seriousDishonest: true },
  { label: '宝安兴业电子', industryCode: 'C3971', staff: 100, revenueYuan: 40_000_000, avgInsured: 100, newClaimants: 8, months: 48, contributionsFen: '9800000' },
  { label: '龙华小微科技', industryCode: 'M7320', staff: 25, revenueYuan: 3_000_000, avgInsured: 25, newClaimants: 5, months: 14, contributionsFen: '2400000' },
  { label: '光明快递服务', industryCode: 'G5430', staff: 25, revenueYuan: 3_000_000, avgInsured: 25, newClaimants: 6, months: 20, contributionsFen: '2400000' },
  { label: '盐田港湾餐饮', industryCode: 'H6210', staff: 40, revenueYuan: 6_000_000, avgInsured: 38, newClaimants: 1, months: 26, contributionsFen: '3650000', account: 'closed' },
  { label: '坪山人力派遣', industryCode: 'M7320', staff: 300, revenueYuan: 20_000_000, avgInsured: 280, newClaimants: 3, months: 40, contributionsFen: '26880000', laborDispatch: true },
  { label: '罗湖老字号酒家', industryCode: 'H6210', staff: 30, revenueYuan: 4_000_000, avgInsured: 28, newClaimants: 0, months: 60, contributionsFen: '2688000', account: 'none' },
  { label: '龙岗星辰社保户', industryCode: 'C2929', staff: 80, revenueYuan: 25_000_000, avgInsured: 75, newClaimants: 1, months: 22, contributionsFen: '7200000', account: 'social-insurance' },
];

function anchorEnterprise(random: Random, anchor: Anchor, index: number): DemoEnterprise {
  const [regionCode] = SHENZHEN_DISTRICTS[index % SHENZHEN_DISTRICTS.length]!;
  const uscc = buildUscc('9', '1', regionCode, orgBody(random));
  const basic = anchor.account === 'none' || anchor.account === 'social-insurance' ? null : accountNumber(random, anchor.account === 'closed');
  return {
    uscc,
    name: `深圳市${anchor.label}有限公司`,
    regionCode,
    samr: { status: anchor.status ?? '存续', industryCode: anchor.industryCode, regionCode },
    tax: { revenueFen: String(BigInt(anchor.revenueYuan) * 100n), siAccount: anchor.account === 'none' ? null : accountNumber(random) },
    bank: { basicAccount: basic },
    hrss: {
      staff: anchor.staff,
      uiContributionsPaidFen: anchor.contributionsFen,
      uiMonthsPaidInFull: anchor.months,
      avgInsured: anchor.avgInsured,
      newClaimants: anchor.newClaimants,
      laborDispatch: anchor.laborDispatch ?? false,
    },
    credit: { seriousDishonest: anchor.seriousDishonest ?? false },
  };
}

const WORDS = ['华', '信', '达', '科', '创', '恒', '泰', '鹏', '海', '瑞', '丰', '联', '智', '通', '源', '新', '诚', '博', '盛', '安'];

function generatedEnterprise(random: Random): DemoEnterprise {
  const [regionCode, district] = random.pick(SHENZHEN_DISTRICTS);
  const [industryCode, trade] = random.weighted(INDUSTRIES.map(([code, label, weight]) => [[code, label] as const, weight] as const));
  // Staff is roughly log-uniform from 3 to 3000; revenue per head varies by a factor of ten.
  const staff = Math.max(3, Math.round(Math.exp(random.next() * Math.log(3000))));
  const revenuePerHeadYuan = random.int(100_000, 1_000_000);
  const avgInsured = Math.max(1, Math.round(staff * (0.8 + random.next() * 0.2)));
  const layoffs = random.weighted([
    [0, 70],
    [1, 12],
    [2, 8],
    [Math.ceil(avgInsured * 0.08), 10],
  ] as const);
  const newClaimants = Math.min(avgInsured, layoffs);
  // Unemployment insurance: about 1% of an average monthly wage of 6,000-15,000 yuan, 12 months.
  const perHeadFen = random.int(60_000, 180_000);
  const status = random.weighted([
    ['存续', 97],
    ['注销', 2],
    ['吊销', 1],
  ] as const);
  const noBasicAccount = random.chance(0.08);
  return {
    uscc: buildUscc('9', '1', regionCode, orgBody(random)),
    name: `深圳市${random.pick(WORDS)}${random.pick(WORDS)}${district}${trade}有限公司`,
    regionCode,
    samr: { status, industryCode, regionCode },
    tax: {
      revenueFen: random.chance(0.02) ? null : String(BigInt(staff) * BigInt(revenuePerHeadYuan) * 100n),
      siAccount: random.chance(0.9) ? accountNumber(random) : null,
    },
    bank: { basicAccount: noBasicAccount ? null : accountNumber(random) },
    hrss: {
      staff,
      uiContributionsPaidFen: String(BigInt(avgInsured) * BigInt(perHeadFen)),
      uiMonthsPaidInFull: random.weighted([
        [random.int(12, 120), 90],
        [random.int(1, 11), 10],
      ] as const),
      avgInsured,
      newClaimants,
      laborDispatch: random.chance(0.03),
    },
    credit: { seriousDishonest: random.chance(0.02) },
  };
}

/** Anchors first, then generated firms; identifiers are unique within the population. */
export function generateDemoPopulation(seed: number, count: number): DemoEnterprise[] {
  const random = seededRandom(seed);
  const out: DemoEnterprise[] = [];
  const seen = new Set<string>();
  const push = (e: DemoEnterprise) => {
    if (seen.has(e.uscc)) return;
    seen.add(e.uscc);
    out.push(e);
  };
  ANCHORS.forEach((anchor, index) => push(anchorEnterprise(random, anchor, index)));
  while (out.length < count) push(generatedEnterprise(random));
  return out;
}
