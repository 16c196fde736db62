// The five points written by hand as plain closures over the same fact objects: the floor a compiler
// could reach. Each returns the amount in fen when eligible, null otherwise (missing data = not eligible).
// Period-dependent values are closed over, as the matcher fixes the period for a run.
import { parsePeriod } from '../../src/rules/lang/period.ts';
import type { SubjectFacts } from './facts.ts';
import { periodInput, type PeerPoint } from './points.ts';
import { sizeClassOf } from './size-class.ts';

export type Closure = (f: SubjectFacts) => number | null;

const inYear = (v: unknown, year: number) => typeof v === 'string' && v.length === 10 && +v.slice(0, 4) === year;
const n = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
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
        if (months === undefined || months < 12 || insured === undefined || paid === undefined) return null;
        if (!(claimants === 0 && insured >= 0) && !(claimants !== undefined && insured > 0 && claimants * 1000 <= (insured <= 30 ? 200 : 55) * insured)) return null;
        const size = sizeClassOf(f.industryCode, f.staff, f.revenueFen);
        if (size === undefined) return null;
        return Math.floor((paid * (size === '大型' ? 30 : 60) + 50) / 100);
      };
    case 'xiaojuren':
      return (f) => {
        const r = f.regionCode;
        if (end < 20230101 || typeof r !== 'string' || !r.startsWith('44')) return null;
        if (!inYear(f.littleGiantDate, year) || f.abnormalOperation === true || f.seriousDishonest !== false || f.majorPenalty === true) return null;
        const size = sizeClassOf(f.industryCode, f.staff, f.revenueFen);
        if (size === undefined || size === '大型') return null;
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
