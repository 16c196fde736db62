// 企业划型 (工信部联企业〔2011〕300号 第四条) as the peers' authors would carry it: a plain table of
// thresholds, written here independently of src/dictionary/derived.ts so the peer encodings do not borrow
// our compiler's work. Money in fen. A null revenue threshold = classified by staff alone.
// With missing data a class is given only when it is certain (a row that might match, but is not known
// to, leaves the class undetermined), which is what the policy language's first-hit table does.
const WAN = 1_000_000; // 1万元 in fen

export type SizeBand = readonly [staff: number, revenueFen: number | null];
export interface SizeGroup {
  group: string;
  /** Industry code prefixes (GB/T 4754), first match wins in the order of SIZE_GROUPS. */
  prefixes: readonly string[];
  large: SizeBand;
  medium: SizeBand;
  small: SizeBand;
}

export const SIZE_GROUPS: readonly SizeGroup[] = [
  { group: '工业', prefixes: ['B', 'C', 'D'], large: [1000, 40000 * WAN], medium: [300, 2000 * WAN], small: [20, 300 * WAN] },
  { group: '批发业', prefixes: ['F51'], large: [200, 40000 * WAN], medium: [20, 5000 * WAN], small: [5, 1000 * WAN] },
  { group: '零售业', prefixes: ['F'], large: [300, 20000 * WAN], medium: [50, 500 * WAN], small: [10, 100 * WAN] },
  { group: '仓储业', prefixes: ['G59'], large: [200, 30000 * WAN], medium: [100, 1000 * WAN], small: [20, 100 * WAN] },
  { group: '邮政业', prefixes: ['G60'], large: [1000, 30000 * WAN], medium: [300, 2000 * WAN], small: [20, 100 * WAN] },
  { group: '交通运输业', prefixes: ['G'], large: [1000, 30000 * WAN], medium: [300, 3000 * WAN], small: [20, 200 * WAN] },
  { group: '住宿业', prefixes: ['H61'], large: [300, 10000 * WAN], medium: [100, 2000 * WAN], small: [10, 100 * WAN] },
  { group: '餐饮业', prefixes: ['H'], large: [300, 10000 * WAN], medium: [100, 2000 * WAN], small: [10, 100 * WAN] },
  { group: '软件和信息技术服务业', prefixes: ['I65'], large: [300, 10000 * WAN], medium: [100, 1000 * WAN], small: [10, 50 * WAN] },
  { group: '信息传输业', prefixes: ['I'], large: [2000, 100000 * WAN], medium: [100, 1000 * WAN], small: [10, 100 * WAN] },
];
/** Sections whose thresholds need total assets, which the data does not carry: class undetermined. */
export const NEEDS_ASSETS: readonly string[] = ['A', 'E', 'K', 'L'];
export const OTHER_GROUP: SizeGroup = { group: '其他未列明行业', prefixes: [], large: [300, null], medium: [100, null], small: [10, null] };

export function sizeGroupOf(industryCode: unknown): SizeGroup | 'needs-assets' | undefined {
  if (typeof industryCode !== 'string') return undefined;
  for (let i = 0; i < SIZE_GROUPS.length; i++) {
    const g = SIZE_GROUPS[i] as SizeGroup;
    for (let k = 0; k < g.prefixes.length; k++) if (industryCode.startsWith(g.prefixes[k] as string)) return g;
  }
  for (let k = 0; k < NEEDS_ASSETS.length; k++) if (industryCode.startsWith(NEEDS_ASSETS[k] as string)) return 'needs-assets';
  return OTHER_GROUP;
}

/** 大型/中型/小型/微型, or undefined when the data does not decide it. Written without allocation: hand-written closures call it. */
export function sizeClassOf(industryCode: unknown, staffValue: unknown, revenueValue: unknown): string | undefined {
  const g = sizeGroupOf(industryCode);
  if (g === undefined || g === 'needs-assets') return undefined;
  const staff = typeof staffValue === 'number' ? staffValue : undefined;
  const revenue = typeof revenueValue === 'number' ? revenueValue : undefined;
  let r = band(g.large, staff, revenue);
  if (r !== 0) return r === 1 ? '大型' : undefined;
  r = band(g.medium, staff, revenue);
  if (r !== 0) return r === 1 ? '中型' : undefined;
  r = band(g.small, staff, revenue);
  if (r !== 0) return r === 1 ? '小型' : undefined;
  return '微型';
}

/** 1: the row certainly matches; 0: certainly not; -1: it might (a compared value is missing). */
function band([s, r]: SizeBand, staff: number | undefined, revenue: number | undefined): 1 | 0 | -1 {
  if ((staff !== undefined && staff < s) || (r !== null && revenue !== undefined && revenue < r)) return 0;
  return staff !== undefined && (r === null || revenue !== undefined) ? 1 : -1;
}
