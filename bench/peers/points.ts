// The five points compared with the peers, and the period each is matched for. Each reads exactly the
// fact periods merged in facts.ts (current state + 2023 + 2023-09), so every engine sees what the
// matcher would. Points whose jurisdiction is not in the (Shenzhen) population are also checked on a
// "relocated" copy of the same subjects, so their decision tables are actually exercised.
import { parsePeriod, type Period } from '../../src/rules/lang/period.ts';
import type { SubjectFacts } from './facts.ts';

export interface PeerPoint {
  id: string;
  /** Short name used in file names and reports. */
  key: string;
  shape: string;
  period: string;
  /** For the correctness check only: move subjects into the point's jurisdiction, and put dated events in the period year. */
  relocate?: { regionCode: string; dates: string[] };
  /** For the correctness check only: every combination of these values (absent = key left out), when the data rarely reaches the point's table. */
  grid?: Record<string, readonly (string | number | boolean | null | undefined)[]>;
}

export const PEER_POINTS: readonly PeerPoint[] = [
  { id: 'wengang-fanhuan-2024', key: 'wengang', period: '2024', shape: '稳岗返还: size class (derived, two tables), layoff rate with a small-firm cap, exceptions, rate table, half-up rounding' },
  { id: 'zjtx-xiaojuren', key: 'xiaojuren', period: '2023', shape: '专精特新小巨人: isSme (derived), recognition date in the year, region-hierarchy reward table', relocate: { regionCode: '440500', dates: ['littleGiantDate'] } },
  { id: 'xingji-fandian-guishang', key: 'hotel', period: '2023', shape: '星级饭店 (规上): star-rating decision table, industry prefix, rating date in the year', relocate: { regionCode: '421281', dates: ['starRatedDate'] },
    grid: {
      regionCode: ['421281', '440305'],
      industryCode: ['H6110', 'H6210', undefined],
      starRating: ['一星', '二星', '三星', '四星', '五星', null],
      starRatedDate: ['2023-10-01', '2022-12-31', null],
      aboveScale: [true, false, undefined],
      seriousDishonest: [false, true, undefined],
    } },
  { id: 'kuogang-buzhu-2023', key: 'kuogang', period: '2023-09', shape: '扩岗补助: monthly head count × amount per hire, effective from a mid-month date' },
  { id: 'gaoqi-shouci', key: 'gaoqi', period: '2023', shape: '高企首次认定: certificate date and kind, exception needing two facts (规上 and R&D = 0)', relocate: { regionCode: '441900', dates: ['highTechCertDate'] } },
];

/** The period as plain numbers every engine can take: year and first/last day as yyyymmdd integers. */
export interface PeriodInput {
  year: number;
  start: number;
  end: number;
}

export function periodInput(p: Period | string): PeriodInput {
  const period = typeof p === 'string' ? parsePeriod(p) : p;
  const ymd = (day: number) => {
    const d = new Date(day * 86_400_000);
    return d.getUTCFullYear() * 10000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
  };
  return { year: period.year, start: ymd(period.start), end: ymd(period.end) };
}

/** A relocated copy: same subject, registered in the point's region, its dated event moved into the period year. */
export function relocated(point: PeerPoint, facts: SubjectFacts): SubjectFacts {
  if (!point.relocate) return facts;
  const year = parsePeriod(point.period).year;
  const out: SubjectFacts = { ...facts, regionCode: point.relocate.regionCode };
  for (const name of point.relocate.dates) {
    const v = out[name];
    if (typeof v === 'string' && v.length === 10) out[name] = `${year}${v.slice(4)}`;
  }
  return out;
}

/** What every engine reports for one subject and point: eligible or not, and the amount in whole fen. */
export interface PeerDecision {
  eligible: boolean;
  amountFen: number | null;
}

/** Every combination of a point's grid values, as facts (undefined = the fact is absent). */
export function gridCases(point: PeerPoint): SubjectFacts[] {
  let cases: SubjectFacts[] = [{}];
  for (const [name, values] of Object.entries(point.grid ?? {})) {
    cases = cases.flatMap((c) => values.map((v) => (v === undefined ? { ...c } : { ...c, [name]: v })));
  }
  return point.grid ? cases : [];
}
