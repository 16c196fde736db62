// Reading fact records as of a frozen snapshot (the importer writes them). SQL kept together here.
import { rowBatches, type Sql } from '../db/clients.ts';
import { DERIVED_FEED_IDS } from '../feeds/mappings.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { dayToIso } from '../rules/lang/parser.ts';

/** Facts that describe the subject's current state rather than a data year. */
export const CURRENT_PERIOD = 'current';

/** Fact imports and snapshots serialise on this lock: a watermark never falls inside an import. */
export const FACTS_LOCK_KEY = 0x66_61_63_74; // "fact"

/** All of one subject's live facts, merged across feeds (fact names are unique in the dictionary). */
export type SubjectFacts = Record<string, unknown>;

export interface SubjectParts {
  subjectKey: string;
  /** One entry per live (feed, period) record. */
  parts: { source: string; period: string; facts: Record<string, unknown> }[];
}

export interface SnapshotReadOptions {
  batchSize?: number;
  subjectType?: 'enterprise' | 'person';
  /** Key range (lo, hi]: lo exclusive, hi inclusive, either open when null; or an explicit list of keys. */
  range?: { lo: string | null; hi: string | null };
  subjectKeys?: string[];
  /**
   * Valid time: read the facts as they stood on this period's first day (a year, a month or a day, as
   * the dictionary's as-of semantics say): records valid from a later date are skipped. Without it the
   * latest-recorded record counts whatever its valid_from.
   */
  validOn?: string;
}

/** The first day of a period text, as YYYY-MM-DD. */
/** The day a run's facts must be valid on: the period's start (the dictionary's 'as-of' semantics). */
export function validityDate(period: string): string {
  return dayToIso(parsePeriod(period).start);
}

/**
 * Streams every subject's live fact records as of a snapshot watermark, for the given periods: the
 * latest record per (subject, feed, period) with seq <= watermark (and, with validOn, valid on that
 * date: valid_from null or not later), unless that record retracts them. The validity test is a filter
 * on the same backwards index scan, so it adds no sort.
 * The scan walks the (subject, feed, period, seq) index backwards, so it needs no sort: subjects
 * arrive in descending key order, one at a time, and memory stays flat.
 */
export async function* readSnapshotParts(sql: Sql, watermarkSeq: number | bigint, periods: string[], options: SnapshotReadOptions = {}): AsyncGenerator<SubjectParts> {
  const type = options.subjectType ? sql`and subject_type = ${options.subjectType}` : sql``;
  const lo = options.range?.lo ? sql`and subject_key > ${options.range.lo}` : sql``;
  const hi = options.range?.hi ? sql`and subject_key <= ${options.range.hi}` : sql``;
  const only = options.subjectKeys ? sql`and subject_key in ${sql(options.subjectKeys.length > 0 ? options.subjectKeys : [''])}` : sql``;
  const valid = options.validOn ? sql`and (valid_from is null or valid_from <= ${validityDate(options.validOn)}::date)` : sql``;
  const query = sql`
    select subject_key, source, period, facts from (
      select distinct on (subject_key, source, period) subject_key, source, period, facts, retracted
      from fact_records
      where seq <= ${watermarkSeq.toString()}::bigint and period in ${sql(periods)} ${type} ${lo} ${hi} ${only} ${valid}
      order by subject_key desc, source desc, period desc, seq desc
    ) latest
    where not retracted`;
  let current: SubjectParts | undefined;
  for await (const rows of rowBatches(sql, query, options.batchSize ?? 5000)) {
    for (const row of rows) {
      const key = row.subject_key as string;
      if (current && current.subjectKey !== key) {
        yield current;
        current = undefined;
      }
      current ??= { subjectKey: key, parts: [] };
      current.parts.push({ source: row.source as string, period: row.period as string, facts: row.facts as Record<string, unknown> });
    }
  }
  if (current) yield current;
}

/**
 * Merges a subject's records for the given periods; later periods in the list win on a shared fact, and
 * within a period a feed this system derives (e.g. the identity ledger's counts) wins over a
 * department's feed.
 */
export function mergeParts(parts: SubjectParts['parts'], periods: readonly string[]): SubjectFacts {
  const out: SubjectFacts = {};
  for (const period of periods) {
    for (const part of parts) if (part.period === period && !DERIVED_FEED_IDS.has(part.source)) Object.assign(out, part.facts);
    for (const part of parts) if (part.period === period && DERIVED_FEED_IDS.has(part.source)) Object.assign(out, part.facts);
  }
  return out;
}

/** Merged facts per subject, for callers that read one period set. */
export async function* readSnapshotFacts(sql: Sql, watermarkSeq: number | bigint, periods: string[], options: SnapshotReadOptions = {}): AsyncGenerator<{ subjectKey: string; facts: SubjectFacts }> {
  for await (const s of readSnapshotParts(sql, watermarkSeq, periods, options)) yield { subjectKey: s.subjectKey, facts: mergeParts(s.parts, periods) };
}

/** Subjects with any fact recorded (or retracted) after a watermark: what an incremental run re-reads. */
export async function changedSubjectsSince(sql: Sql, watermarkSeq: number | bigint, upToSeq?: number | bigint): Promise<string[]> {
  const upper = upToSeq === undefined ? sql`` : sql`and seq <= ${upToSeq.toString()}::bigint`;
  const rows = await sql<{ subject_key: string }[]>`select distinct subject_key from fact_records where seq > ${watermarkSeq.toString()}::bigint ${upper} order by subject_key`;
  return rows.map((r) => r.subject_key);
}
