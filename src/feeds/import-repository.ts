// The SQL of a feed import, kept together as small named functions (as pg-boss keeps its SQL): the
// staging table a file streams into, the fact_imports / fact_rejects bookkeeping, and the set-based
// steps that turn staged rows into append-only fact records. Each runs in the importer's transaction.
import type postgres from 'postgres';
import type { Sql } from '../db/clients.ts';
import { FACTS_LOCK_KEY } from '../subjects/facts-repository.ts';
import type { FeedMapping } from './mappings.ts';
import type { Rejection } from './validate.ts';

const STAGING_COLUMNS = 'subject_key, period, row_no, facts, name, region_code, part, valid_from, id_enc, id_masked';

export interface StagingRow {
  subject_key: string;
  period: string;
  row_no: number;
  facts: postgres.Parameter;
  name: string | null;
  region_code: string | null;
  part: string;
  valid_from: string | null;
  /** Person feeds: the encrypted and the masked 公民身份号码 (subject_key is the person key). */
  id_enc: string | null;
  id_masked: string | null;
}

export async function createStaging(tx: postgres.TransactionSql): Promise<void> {
  await tx`create temp table feed_staging (subject_key text not null, period text not null, row_no int not null, facts jsonb not null, name text, region_code text, part text not null default '', valid_from date, id_enc text, id_masked text) on commit drop`;
}

/** Real PostgreSQL only: the embedded database has no COPY FROM STDIN. */
export function openStagingCopy(tx: postgres.TransactionSql) {
  return tx`copy feed_staging (${tx.unsafe(STAGING_COLUMNS)}) from stdin with (format csv)`.writable();
}

export async function insertStagingRows(tx: postgres.TransactionSql, rows: StagingRow[]): Promise<void> {
  await tx`insert into feed_staging ${tx(rows, 'subject_key', 'period', 'row_no', 'facts', 'name', 'region_code', 'part', 'valid_from', 'id_enc', 'id_masked')}`;
}

/** A temp table has no statistics until analysed; without them the joins below plan as if it were tiny. */
export async function analyzeStaging(tx: postgres.TransactionSql): Promise<void> {
  await tx`analyze feed_staging`;
}

/** Imports and snapshots take the same lock, so a snapshot's watermark never falls between them. */
export async function lockFacts(tx: postgres.TransactionSql): Promise<void> {
  await tx`select pg_advisory_xact_lock(${FACTS_LOCK_KEY})`;
}

/** The import that already brought this file (by content hash) for this feed, if any. */
export async function importedFileId(sql: Sql | postgres.TransactionSql, source: string, fileHash: string): Promise<number | undefined> {
  const [existing] = await sql<{ id: string }[]>`select id from fact_imports where source = ${source} and file_hash = ${fileHash} and status = 'imported' limit 1`;
  return existing ? Number(existing.id) : undefined;
}

export async function insertImport(
  tx: postgres.TransactionSql,
  row: { source: string; department: string; status: 'imported' | 'rejected'; fileName: string; fileHash: string; asOf: string; rowsTotal: number; rowsRejected: number; actor: string; at: Date },
): Promise<number> {
  const [imported] = await tx<{ id: string }[]>`
    insert into fact_imports (source, department, status, file_name, file_hash, as_of, rows_total, rows_accepted, rows_rejected, imported_by, imported_at)
    values (${row.source}, ${row.department}, ${row.status}, ${row.fileName}, ${row.fileHash}, ${row.asOf}, ${row.rowsTotal}, 0, ${row.rowsRejected}, ${row.actor}, ${row.at})
    returning id`;
  return Number(imported!.id);
}

/** Has this feed been imported before? (fact_imports is small; fact_records has no index on source.) */
export async function importedBefore(tx: postgres.TransactionSql, source: string, importId: number): Promise<boolean> {
  const [{ earlier } = { earlier: false }] = await tx<{ earlier: boolean }[]>`
    select exists (select 1 from fact_imports where source = ${source} and status = 'imported' and id <> ${importId}) as earlier`;
  return earlier;
}

export async function stagedRows(tx: postgres.TransactionSql): Promise<number> {
  const [{ staged } = { staged: 0 }] = await tx<{ staged: number }[]>`select count(*)::int as staged from feed_staging`;
  return staged;
}

export async function insertRejects(tx: postgres.TransactionSql, rows: { import_id: number; row_no: number; field: string; value: string; reason: string }[]): Promise<void> {
  await tx`insert into fact_rejects ${tx(rows, 'import_id', 'row_no', 'field', 'value', 'reason')} on conflict do nothing`;
}

export async function finishImport(tx: postgres.TransactionSql, importId: number, counts: { rowsAccepted: number; rowsUnchanged: number; rowsRetracted: number; rejectsFile: string | null }): Promise<void> {
  await tx`update fact_imports set rows_accepted = ${counts.rowsAccepted}, rows_unchanged = ${counts.rowsUnchanged}, rows_retracted = ${counts.rowsRetracted}, rejects_file = ${counts.rejectsFile} where id = ${importId}`;
}

/** Rows that are valid alone but not in context: a subject listed twice, or one nobody registered. */
export async function rejectInFile(tx: postgres.TransactionSql, mapping: FeedMapping): Promise<Rejection[]> {
  const out: Rejection[] = [];
  // Rows of one subject and period are duplicates unless the mapping keeps several apart (rowsPerPeriod: part).
  const dupes = await tx<{ row_no: number; first: number; subject_key: string; id_masked: string | null }[]>`
    delete from feed_staging s
    using (select subject_key, period, part, min(row_no) as first from feed_staging group by subject_key, period, part having count(*) > 1) t
    where s.subject_key = t.subject_key and s.period = t.period and s.part = t.part and s.row_no > t.first
    returning s.row_no, s.subject_key, s.id_masked, t.first`;
  const seen = new Set<number>();
  for (const d of dupes) {
    if (seen.has(d.row_no)) continue;
    seen.add(d.row_no);
    out.push({ rowNo: d.row_no, field: mapping.keyColumn, value: mapping.subject === 'person' ? (d.id_masked ?? '(masked)') : d.subject_key, reason: `duplicate row for the same subject and period${mapping.rowsPerPeriod ? ` and ${mapping.rowsPerPeriod.column}` : ''} (first at row ${d.first}); the first is kept` });
  }
  if (!mapping.registers) {
    const registry = mapping.subject === 'enterprise' ? tx`enterprises e on e.uscc = s.subject_key` : tx`persons e on e.person_key = s.subject_key`;
    // Found with a read of the staged rows as a CTE, then deleted by row number: on a Citus coordinator
    // a temp table may neither be modified by a statement reading a distributed table nor joined to one
    // directly (a materialised CTE is shipped to the workers as an intermediate result).
    const unknown = await tx<{ row_no: number; subject_key: string; id_masked: string | null }[]>`
      with s as materialized (select row_no, subject_key, id_masked from feed_staging)
      select s.row_no, s.subject_key, s.id_masked from s left join ${registry} where e is null`;
    for (let i = 0; i < unknown.length; i += 10_000) {
      await tx`delete from feed_staging where row_no = any(${unknown.slice(i, i + 10_000).map((u) => u.row_no)}::int[])`;
    }
    for (const u of unknown) {
      out.push({
        rowNo: u.row_no,
        field: mapping.keyColumn,
        value: mapping.subject === 'person' ? (u.id_masked ?? '(masked)') : u.subject_key,
        reason: mapping.subject === 'enterprise' ? 'enterprise not registered; import the 市场监管 registry feed (samr-registry) first' : 'person not registered; import the 公安 population feed (police-population) first',
      });
    }
  }
  return out;
}

export async function registerSubjects(tx: postgres.TransactionSql, mapping: FeedMapping, now: Date, earlier: boolean): Promise<void> {
  // A first load only adds; later loads also take name and region changes. Rows go in key order, which
  // keeps the primary-key index inserts local.
  if (!earlier) {
    if (mapping.subject === 'enterprise') {
      await tx`insert into enterprises (uscc, name, region_code, created_at) select subject_key, name, region_code, ${now} from feed_staging order by subject_key on conflict (uscc) do nothing`;
    } else {
      await tx`insert into persons (person_key, id_enc, key_id, id_masked, name, region_code, created_at)
               select subject_key, id_enc, split_part(id_enc, ':', 2), id_masked, name, region_code, ${now} from feed_staging order by subject_key on conflict (person_key) do nothing`;
    }
    return;
  }
  if (mapping.subject === 'enterprise') {
    await tx`insert into enterprises (uscc, name, region_code, created_at)
             select subject_key, name, region_code, ${now} from feed_staging
             on conflict (uscc) do update set name = excluded.name, region_code = excluded.region_code
             where enterprises.name is distinct from excluded.name or enterprises.region_code is distinct from excluded.region_code`;
  } else {
    // id_enc is left as stored: the same number under another key id is the same person (rotation
    // re-encrypts it; an import does not need to).
    await tx`insert into persons (person_key, id_enc, key_id, id_masked, name, region_code, created_at)
             select subject_key, id_enc, split_part(id_enc, ':', 2), id_masked, name, region_code, ${now} from feed_staging
             on conflict (person_key) do update set name = excluded.name, region_code = excluded.region_code
             where persons.name is distinct from excluded.name or persons.region_code is distinct from excluded.region_code`;
  }
}

/**
 * rowsPerPeriod feeds: the rows of one subject and period (told apart by part) become one staged row:
 * the first row's facts in part order plus all rows' facts, in part order, under `fact`. Returns how many
 * staged rows were folded away.
 */
export async function groupRowsPerPeriod(tx: postgres.TransactionSql, fact: string): Promise<number> {
  await tx`
    create temp table feed_grouped on commit drop as
    select subject_key, period, min(row_no) as row_no, count(*)::int as n,
           (array_agg(facts order by part))[1] || jsonb_build_object(${fact}::text, jsonb_agg(facts order by part)) as facts
    from feed_staging group by subject_key, period having count(*) > 1`;
  const [{ n } = { n: 0 }] = await tx<{ n: number }[]>`select coalesce(sum(n - 1), 0)::int as n from feed_grouped`;
  if (n === 0) return 0;
  await tx`delete from feed_staging s using feed_grouped g where s.subject_key = g.subject_key and s.period = g.period`;
  await tx`insert into feed_staging (subject_key, period, row_no, facts, part) select subject_key, period, row_no, facts, '' from feed_grouped`;
  return n;
}

/** Folded rows whose record was unchanged (so nothing was written for them). */
export async function unchangedGroupedRows(tx: postgres.TransactionSql, feed: string, importId: number): Promise<number> {
  const [{ n } = { n: 0 }] = await tx<{ n: number }[]>`
    select coalesce(sum(g.n - 1), 0)::int as n from feed_grouped g
    where not exists (select 1 from fact_records f where f.subject_key = g.subject_key and f.source = ${feed} and f.period = g.period and f.import_id = ${importId})`;
  return n;
}

/**
 * Appends a record for each staged row whose facts differ from the latest recorded; returns how many.
 * valid_from: the row's effective date if it has one; else, for a 'current' feed whose row changes a
 * subject's earlier record, the import's as-of date (the file states the state as of then); else null,
 * valid for all time (a subject's first record, or a corrected data-year or month value).
 */
export async function writeChangedFacts(tx: postgres.TransactionSql, mapping: FeedMapping, importId: number, asOf: string, earlier: boolean): Promise<number> {
  const feed = mapping.id;
  const subjectType = mapping.subject;
  if (!earlier) {
    const inserted = await tx`
      insert into fact_records (subject_key, subject_type, source, period, import_id, row_no, as_of, facts, valid_from)
      select subject_key, ${subjectType}, ${feed}, period, ${importId}, row_no, ${asOf}, facts, valid_from from feed_staging order by subject_key, period`;
    return inserted.count;
  }
  const changeFrom = mapping.period.kind === 'current' ? tx`${asOf}::date` : tx`null::date`;
  const inserted = await tx`
    insert into fact_records (subject_key, subject_type, source, period, import_id, row_no, as_of, facts, valid_from)
    select s.subject_key, ${subjectType}, ${feed}, s.period, ${importId}, s.row_no, ${asOf}, s.facts,
           coalesce(s.valid_from, case when cur.facts is not null then ${changeFrom} end)
    from feed_staging s
    left join lateral (
      select f.facts, f.retracted from fact_records f
      where f.subject_key = s.subject_key and f.source = ${feed} and f.period = s.period
      order by f.seq desc limit 1
    ) cur on true
    where cur.facts is null or cur.retracted or cur.facts <> s.facts
    order by s.subject_key, s.period`;
  return inserted.count;
}

/**
 * Full feeds: subjects with live facts for a period in this file, but not in it, are retracted. For a
 * 'current' feed the subject left the state on the as-of date (valid_from = as-of); a data year or
 * month no longer listing a subject is a correction, valid for all time (null).
 */
export async function retractUnlisted(tx: postgres.TransactionSql, mapping: FeedMapping, importId: number, asOf: string, keepKeys: string[]): Promise<number> {
  const feed = mapping.id;
  const from = mapping.period.kind === 'current' ? asOf : null;
  const retracted = await tx`
    insert into fact_records (subject_key, subject_type, source, period, import_id, row_no, as_of, facts, retracted, valid_from)
    select cur.subject_key, ${mapping.subject}, ${feed}, cur.period, ${importId}, null, ${asOf}, '{}'::jsonb, true, ${from}::date
    from (
      select distinct on (subject_key, period) subject_key, period, retracted
      from fact_records
      where source = ${feed} and period in (select distinct period from feed_staging)
      order by subject_key, period, seq desc
    ) cur
    where not cur.retracted
      and not exists (select 1 from feed_staging s where s.subject_key = cur.subject_key and s.period = cur.period)
      and not (cur.subject_key = any(${keepKeys}::text[]))`;
  return retracted.count;
}
