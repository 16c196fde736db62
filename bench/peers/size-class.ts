// 企业划型 (工信部联企业〔2011〕300号 第四条, industries mapped per 国统字〔2017〕213号) as the peers' authors
// would carry it: a plain table of thresholds, deliberately a hand-written copy and NOT an import of
// src/dictionary/derived.ts, so the peer encodings do not borrow our compiler's work and test/rules/
// equivalence.test.ts can hold the two against each other. Money in fen. A null threshold = not a
// criterion of the group (e.g. 农、林、牧、渔业 is by 营业收入 alone, 租赁和商务服务业 by 从业人员 and 资产总额).
// With missing data a class is given only when it is certain (a row that might match, but is not known
// to, leaves the class undetermined), which is what the policy language's first-hit table does.
const WAN = 1_000_000; // 1万元 in fen

export type SizeBand = readonly [staff: number | null, revenueFen: number | null, assetsFen: number | null];
export interface SizeGroup {
  group: string;
  /** Industry code prefixes (GB/T 4754-2017), first match wins in the order of SIZE_GROUPS. */
  prefixes: readonly string[];
  large: SizeBand;
  medium: SizeBand;
  small: SizeBand;
}

const g = (group: string, prefixes: string[], large: [number | null, number | null, number | null], medium: [number | null, number | null, number | null], small: [number | null, number | null, number | null]): SizeGroup => {
  const fen = ([s, r, a]: [number | null, number | null, number | null]): SizeBand => [s, r === null ? null : r * WAN, a === null ? null : a * WAN];
  return { group, prefixes, large: fen(large), medium: fen(medium), small: fen(small) };
};

export const SIZE_GROUPS: readonly SizeGroup[] = [
  g('农、林、牧、渔业', ['A'], [null, 20000, null], [null, 500, null], [null, 50, null]),
  g('工业', ['B', 'C', 'D'], [1000, 40000, null], [300, 2000, null], [20, 300, null]),
  g('建筑业', ['E'], [null, 80000, 80000], [null, 6000, 5000], [null, 300, 300]),
  g('批发业', ['F51'], [200, 40000, null], [20, 5000, null], [5, 1000, null]),
  g('零售业', ['F'], [300, 20000, null], [50, 500, null], [10, 100, null]),
  g('仓储业', ['G59'], [200, 30000, null], [100, 1000, null], [20, 100, null]),
  g('邮政业', ['G60'], [1000, 30000, null], [300, 2000, null], [20, 100, null]),
  g('交通运输业', ['G'], [1000, 30000, null], [300, 3000, null], [20, 200, null]),
  g('住宿业', ['H61'], [300, 10000, null], [100, 2000, null], [10, 100, null]),
  g('餐饮业', ['H'], [300, 10000, null], [100, 2000, null], [10, 100, null]),
  g('软件和信息技术服务业', ['I65'], [300, 10000, null], [100, 1000, null], [10, 50, null]),
  g('信息传输业', ['I'], [2000, 100000, null], [100, 1000, null], [10, 100, null]),
  g('房地产开发经营', ['K701'], [null, 200000, 10000], [null, 1000, 5000], [null, 100, 2000]),
  g('物业管理', ['K702'], [1000, 5000, null], [300, 1000, null], [100, 500, null]),
  g('租赁和商务服务业', ['L'], [300, null, 120000], [100, null, 8000], [10, null, 100]),
];
export const OTHER_GROUP: SizeGroup = g('其他未列明行业', [], [300, null, null], [100, null, null], [10, null, null]);

function sizeGroupOf(industryCode: unknown): SizeGroup | undefined {
  if (typeof industryCode !== 'string') return undefined;
  for (let i = 0; i < SIZE_GROUPS.length; i++) {
    const grp = SIZE_GROUPS[i] as SizeGroup;
    for (let k = 0; k < grp.prefixes.length; k++) if (industryCode.startsWith(grp.prefixes[k] as string)) return grp;
  }
  return OTHER_GROUP;
}

/** 大型/中型/小型/微型, or undefined when the data does not decide it. Written without allocation: hand-written closures call it. */
export function sizeClassOf(industryCode: unknown, staffValue: unknown, revenueValue: unknown, assetsValue: unknown): string | undefined {
  const grp = sizeGroupOf(industryCode);
  if (grp === undefined) return undefined;
  const staff = typeof staffValue === 'number' ? staffValue : undefined;
  const revenue = typeof revenueValue === 'number' ? revenueValue : undefined;
  const assets = typeof assetsValue === 'number' ? assetsValue : undefined;
  let r = band(grp.large, staff, revenue, assets);
  if (r !== 0) return r === 1 ? '大型' : undefined;
  r = band(grp.medium, staff, revenue, assets);
  if (r !== 0) return r === 1 ? '中型' : undefined;
  r = band(grp.small, staff, revenue, assets);
  if (r !== 0) return r === 1 ? '小型' : undefined;
  return '微型';
}

/** 1: the row certainly matches; 0: certainly not; -1: it might (a compared value is missing). */
function band([s, r, a]: SizeBand, staff: number | undefined, revenue: number | undefined, assets: number | undefined): 1 | 0 | -1 {
  if ((s !== null && staff !== undefined && staff < s) || (r !== null && revenue !== undefined && revenue < r) || (a !== null && assets !== undefined && assets < a)) return 0;
  return (s === null || staff !== undefined) && (r === null || revenue !== undefined) && (a === null || assets !== undefined) ? 1 : -1;
}
