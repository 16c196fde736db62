// The facts the matcher would see for generated enterprises, built in memory: every enterprise feed's
// rows from the population generator, validated by the importer's own validateRecord, merged per subject
// as mergeParts does (current state first, then the data year 2023, then the month the 扩岗 point pays
// for). Plain JSON values (fen as safe-integer numbers, dates as 'YYYY-MM-DD'), so every engine gets the
// very same object.
import { feedMapping } from '../../src/feeds/mappings.ts';
import { validateRecord, type FactValue } from '../../src/feeds/validate.ts';
import { contextOf } from '../../src/population/context.ts';
import { feedHeader, feedRows, rowRecord } from '../../src/population/feeds.ts';

export type SubjectFacts = Record<string, FactValue>;

const DATA_YEAR = 2023;
/** The month whose hires the 扩岗 point is matched for (a monthly feed; the other points do not read it). */
const HIRES_MONTH = '2023-09';
const ENTERPRISE_FEEDS = ['samr-registry', 'tax-annual', 'hrss-ui-annual', 'credit-status', 'bank-accounts', 'most-high-tech', 'miit-specialised', 'culture-star-hotels', 'stats-above-scale', 'hrss-hires-monthly'] as const;

/** Fact periods merged, lowest precedence first (factPeriodsFor gives current + the point's period). */
const PERIODS = ['current', String(DATA_YEAR), HIRES_MONTH];

export function enterpriseFacts(count: number, seed = 20240601): SubjectFacts[] {
  const ctx = contextOf({ seed, enterprises: count, persons: 0, dataYear: DATA_YEAR });
  // parts[periodIndex][subject]
  const parts: SubjectFacts[][] = PERIODS.map(() => []);
  for (const feedId of ENTERPRISE_FEEDS) {
    const mapping = feedMapping(feedId);
    if (!mapping) throw new Error(`unknown feed ${feedId}`);
    const header = feedHeader(mapping);
    let rowNo = 1;
    for (const { row, subject } of feedRows(feedId, ctx)) {
      rowNo++;
      const checked = validateRecord(mapping, rowNo, rowRecord(header, row));
      if ('rejections' in checked) throw new Error(`generated row rejected: ${feedId} row ${rowNo}: ${JSON.stringify(checked.rejections)}`);
      const p = PERIODS.indexOf(checked.row.period);
      if (p < 0) continue; // another month of the monthly feed
      const into = ((parts[p] as SubjectFacts[])[subject] ??= {});
      Object.assign(into, checked.row.facts);
    }
  }
  const out: SubjectFacts[] = [];
  for (let i = 0; i < count; i++) {
    const facts: SubjectFacts = {};
    for (const byPeriod of parts) Object.assign(facts, byPeriod[i]);
    out.push(facts);
  }
  return out;
}
