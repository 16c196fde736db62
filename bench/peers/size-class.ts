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
  for (const g of SIZE_GROUPS) if (g.prefixes.some((p) => industryCode.startsWith(p))) return g;
  if (NEEDS_ASSETS.some((p) => industryCode.startsWith(p))) return 'needs-assets';
  return OTHER_GROUP;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** 大型/中型/小型/微型, or undefined when the data does not decide it. */
export function sizeClassOf(industryCode: unknown, staffValue: unknown, revenueValue: unknown): string | undefined {
  const g = sizeGroupOf(industryCode);
  if (g === undefined || g === 'needs-assets') return undefined;
  const staff = num(staffValue);
  const revenue = num(revenueValue);
  const bands: [string, SizeBand][] = [['大型', g.large], ['中型', g.medium], ['小型', g.small]];
  for (const [label, [s, r]] of bands) {
    const staffKnownBelow = staff !== undefined && staff < s;
    const revenueKnownBelow = r !== null && revenue !== undefined && revenue < r;
    if (staffKnownBelow || revenueKnownBelow) continue; // this row certainly does not match
    if (staff !== undefined && (r === null || revenue !== undefined)) return label; // certainly matches
    return undefined; // might match: undetermined
  }
  return '微型';
}
