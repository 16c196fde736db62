// The five points written by hand as plain closures over the same fact objects: the floor a compiler
// could reach. Each returns the amount in fen when eligible, null otherwise (missing data = not eligible).
// Period-dependent values are closed over, as the matcher fixes the period for a run.
import { parsePeriod } from '../../src/rules/lang/period.ts';
import type { SubjectFacts } from './facts.ts';
import { periodInput, type PeerPoint } from './points.ts';
import { OTHER_GROUP, SIZE_GROUPS, type SizeGroup } from './size-class.ts';

export type Closure = (f: SubjectFacts) => number | null;

const inYear = (v: unknown, year: number) => typeof v === 'string' && v.length === 10 && +v.slice(0, 4) === year;
const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
// 企业划型 by hand: the group from the industry code's leading characters, then the thresholds as flat
// numbers (staff, revenue, assets; -1 = not a criterion) for 大型, 中型, 小型 in one Float64Array.
const GROUPS = [...SIZE_GROUPS, OTHER_GROUP];
const T = new Float64Array(GROUPS.length * 9);
GROUPS.forEach((g: SizeGroup, k) => [g.large, g.medium, g.small].forEach(([st, rev, as], b) => ((T[k * 9 + b * 3] = st ?? -1), (T[k * 9 + b * 3 + 1] = rev ?? -1), (T[k * 9 + b * 3 + 2] = as ?? -1))));
const G = Object.fromEntries(GROUPS.map((g, k) => [g.group, k])) as Record<string, number>;

function groupOf(code: string): number {
  switch (code.charCodeAt(0)) {
    case 65: return G['农、林、牧、渔业']!; // A
    case 66: case 67: case 68: return G['工业']!; // B C D
    case 69: return G['建筑业']!; // E
    case 70: return code.startsWith('F51') ? G['批发业']! : G['零售业']!;
    case 71: return code.startsWith('G59') ? G['仓储业']! : code.startsWith('G60') ? G['邮政业']! : G['交通运输业']!;
    case 72: return code.startsWith('H61') ? G['住宿业']! : G['餐饮业']!;
    case 73: return code.startsWith('I65') ? G['软件和信息技术服务业']! : G['信息传输业']!;
    case 75: return code.startsWith('K701') ? G['房地产开发经营']! : code.startsWith('K702') ? G['物业管理']! : G['其他未列明行业']!;
    case 76: return G['租赁和商务服务业']!; // L
    default: return G['其他未列明行业']!;
  }
}

/** 0 大型, 1 中型, 2 小型, 3 微型, -1 undetermined (same certainty rule as the policy language's table). */
function sizeOf(code: unknown, staffV: unknown, revV: unknown, assetsV: unknown): number {
  if (typeof code !== 'string') return -1;
  const g = groupOf(code);
  const v0 = typeof staffV === 'number' ? staffV : -1;
  const v1 = typeof revV === 'number' ? revV : -1;
  const v2 = typeof assetsV === 'number' ? assetsV : -1;
  for (let b = 0; b < 3; b++) {
    const t0 = T[g * 9 + b * 3]!;
    const t1 = T[g * 9 + b * 3 + 1]!;
    const t2 = T[g * 9 + b * 3 + 2]!;
    if ((t0 >= 0 && v0 >= 0 && v0 < t0) || (t1 >= 0 && v1 >= 0 && v1 < t1) || (t2 >= 0 && v2 >= 0 && v2 < t2)) continue;
    return (t0 < 0 || v0 >= 0) && (t1 < 0 || v1 >= 0) && (t2 < 0 || v2 >= 0) ? b : -1;
  }
  return 3;
}

const PRD = ['4401', '4403', '4404', '4406', '4407', '4412', '4413', '4419', '4420'];

export function closureFor(point: PeerPoint): Closure {
  const { year, start, end } = periodInput(parsePeriod(point.period));
  switch (point.key) {
    case 'wengang':
      return (f) => {
        if (!(end >= 20240101 && start <= 20241231)) return null;
        if (f.status !== '存续' || f.seriousDishonest !== false || f.laborDispatch !== false) return null;
        const months = n(f.uiMonthsPaidInFull);
        const insured = n(f.avgInsured);
        const claimants = n(f.newClaimants);
        const paid = n(f.uiContributionsPaidFen);
        if (months === undefined || months < 12 || insured === undefined || paid === undefined || insured <= 0 || paid <= 0) return null;
        if (!(claimants === 0) && !(claimants !== undefined && insured > 0 && claimants * 1000 <= (insured <= 30 ? 200 : 55) * insured)) return null;
        const size = sizeOf(f.industryCode, f.staff, f.revenueFen, f.totalAssetsFen);
        if (size < 0) return null;
        return Math.floor((paid * (size === 0 ? 30 : 60) + 50) / 100);
      };
    case 'xiaojuren':
      return (f) => {
        const r = f.regionCode;
        if (end < 20230101 || typeof r !== 'string' || !r.startsWith('44')) return null;
        if (!inYear(f.littleGiantDate, year) || f.abnormalOperation === true || f.seriousDishonest !== false || f.majorPenalty === true) return null;
        const size = sizeOf(f.industryCode, f.staff, f.revenueFen, f.totalAssetsFen);
        if (size <= 0) return null;
        return PRD.some((p) => r.startsWith(p)) ? 100_000_000 : 120_000_000;
      };
    case 'hotel':
      return (f) => {
        if (end < 20200101 || typeof f.regionCode !== 'string' || !f.regionCode.startsWith('421281')) return null;
        if (typeof f.industryCode !== 'string' || !f.industryCode.startsWith('H61')) return null;
        if (!inYear(f.starRatedDate, year) || f.aboveScale !== true || f.seriousDishonest !== false) return null;
        const s = f.starRating;
        return s === '五星' ? 50_000_000 : s === '四星' ? 30_000_000 : s === '三星' ? 10_000_000 : null;
      };
    case 'kuogang':
      return (f) => {
        if (!(end >= 20230625 && start <= 20231231)) return null;
        const hires = n(f.expansionHires1m);
        if (f.status !== '存续' || f.orgKind !== '企业' || hires === undefined || hires < 1 || f.seriousDishonest !== false) return null;
        return hires * 150_000;
      };
    case 'gaoqi':
      return (f) => {
        if (end < 20230101 || typeof f.regionCode !== 'string' || !f.regionCode.startsWith('4419')) return null;
        if (!inYear(f.highTechCertDate, year) || f.highTechCertKind !== '首次认定') return null;
        if (f.aboveScale === true && !(typeof f.rdExpenseFen === 'number' && f.rdExpenseFen !== 0)) return null;
        if (f.energyNonCompliant === true || f.majorPenalty === true) return null;
        return 8_000_000;
      };
    default:
      throw new Error(`no closure for ${point.key}`);
  }
}
