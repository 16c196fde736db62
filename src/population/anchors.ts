// Fixed firms that come first in every generated population (indexes 0-9), so that every path of the
// 稳岗返还 cycle shows up in every demo and test: large, 中小微, 失信, layoffs above 5.5%, the ≤30-insured
// boundary at exactly 20% and just above it, a dispatch firm, no account, a closed account, and a firm
// paid to its social-insurance account. test/walking-skeleton.test.ts names them.

export interface Anchor {
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
  status?: '存续' | '注销' | '吊销';
  account?: 'basic' | 'social-insurance' | 'none' | 'closed';
}

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
