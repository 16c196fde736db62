// Writing fact records (append-only) and reading a frozen snapshot of them. SQL kept together here.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Sql, Tx } from '../db/clients.ts';
import { enterprises, factImports, factRecords, snapshots } from '../db/schema/index.ts';
import { appendAudit } from '../audit/audit-trail.ts';
import { sql as dsql } from 'drizzle-orm';

/** Facts that describe the subject's current state rather than a data year. */
export const CURRENT_PERIOD = 'current';

/** Fact imports and snapshots serialise on this lock: a watermark never falls inside an import. */
export const FACTS_LOCK_KEY = 0x66_61_63_74; // "fact"

export interface FactRow {
  subjectKey: string;
  period: string;
  facts: Record<string, string | number | boolean | null>;
  rowNo?: number;
}

export interface EnterpriseRow {
  uscc: string;
  name: string;
  regionCode: string;
}

export async function upsertEnterprises(tx: Tx, clock: Clock, rows: EnterpriseRow[]): Promise<number> {
  let inserted = 0;
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500).map((r) => ({ ...r, createdAt: clock.now() }));
    const result = await tx.insert(enterprises).values(chunk).onConflictDoNothing().returning({ uscc: enterprises.uscc });
    inserted += result.length;
  }
  return inserted;
}

export interface RecordedImport {
  importId: number;
  rowsAccepted: number;
  duplicate: boolean;
}

/**
 * Records one batch of facts from one source as an import, with its content hash and an audit entry.
 * The same content from the same source is recorded once: a repeat changes nothing.
 */
export async function recordFactImport(
  tx: Tx,
  clock: Clock,
  input: { source: string; fileName: string; asOf: string; actor: string; rows: FactRow[]; rowsRejected?: number },
): Promise<RecordedImport> {
  const hash = createHash('sha256');
  for (const row of input.rows) hash.update(`${row.subjectKey}\t${row.period}\t${JSON.stringify(row.facts)}\n`);
  const fileHash = hash.digest('hex');
  const existing = await tx.execute<{ id: number }>(
    dsql`select id from fact_imports where source = ${input.source} and file_hash = ${fileHash} limit 1`,
  );
  if (existing.length > 0) return { importId: Number(existing[0]!.id), rowsAccepted: 0, duplicate: true };

  const [imported] = await tx
    .insert(factImports)
    .values({
      source: input.source,
      fileName: input.fileName,
      fileHash,
      asOf: input.asOf,
      rowsTotal: input.rows.length + (input.rowsRejected ?? 0),
      rowsAccepted: input.rows.length,
      rowsRejected: input.rowsRejected ?? 0,
      importedBy: input.actor,
      importedAt: clock.now(),
    })
    .returning({ id: factImports.id });
  const importId = imported!.id;
  for (let i = 0; i < input.rows.length; i += 1000) {
    await tx.insert(factRecords).values(
      input.rows.slice(i, i + 1000).map((row, j) => ({
        subjectKey: row.subjectKey,
        source: input.source,
        period: row.period,
        importId,
        rowNo: row.rowNo ?? i + j + 1,
        asOf: input.asOf,
        facts: row.facts,
      })),
    );
  }
  await appendAudit(tx, clock, {
    actor: input.actor,
    action: 'facts.imported',
    entityType: 'fact_import',
    entityId: String(importId),
    payload: { source: input.source, fileName: input.fileName, fileHash, asOf: input.asOf, rowsAccepted: input.rows.length, rowsRejected: input.rowsRejected ?? 0 },
  });
  return { importId, rowsAccepted: input.rows.length, duplicate: false };
}

/** Freezes the facts recorded so far: a run reading this snapshot never sees a later import. */
export async function createSnapshot(tx: Tx, clock: Clock, actor: string, asOf: string): Promise<{ id: number; watermarkSeq: number }> {
  await tx.execute(dsql`select pg_advisory_xact_lock(${FACTS_LOCK_KEY})`);
  const [row] = await tx.execute<{ w: string | null }>(dsql`select max(seq)::text as w from fact_records`);
  const watermarkSeq = Number(row?.w ?? 0);
  const [snapshot] = await tx
    .insert(snapshots)
    .values({ watermarkSeq, asOf, createdAt: clock.now(), createdBy: actor })
    .returning({ id: snapshots.id });
  await appendAudit(tx, clock, { actor, action: 'snapshot.created', entityType: 'snapshot', entityId: String(snapshot!.id), payload: { watermarkSeq, asOf } });
  return { id: snapshot!.id, watermarkSeq };
}

/** All of one subject's live facts, merged across feeds (fact names are unique in the dictionary). */
export type SubjectFacts = Record<string, unknown>;

/**
 * Streams every subject's facts as of a snapshot watermark, for the given periods: the latest record
 * per (subject, feed, period) with seq <= watermark, unless that record retracts them. Subjects arrive
 * in key order, one at a time; later periods in the list win where two periods name the same fact.
 */
export async function* readSnapshotFacts(
  sql: Sql,
  watermarkSeq: number,
  periods: string[],
  options: { batchSize?: number; subjectKeys?: string[] } = {},
): AsyncGenerator<{ subjectKey: string; facts: SubjectFacts }> {
  const only = options.subjectKeys ? sql`and subject_key in ${sql(options.subjectKeys)}` : sql``;
  const cursor = sql`
    select subject_key, period, facts from (
      select distinct on (subject_key, source, period) subject_key, period, facts, retracted
      from fact_records
      where seq <= ${watermarkSeq} and period in ${sql(periods)} ${only}
      order by subject_key, source, period, seq desc
    ) latest
    where not retracted
    order by subject_key`.cursor(options.batchSize ?? 2000);
  const rank = new Map(periods.map((p, i) => [p, i]));
  let current: { subjectKey: string; parts: { rank: number; facts: Record<string, unknown> }[] } | undefined;
  const merged = (c: NonNullable<typeof current>) => ({ subjectKey: c.subjectKey, facts: Object.assign({}, ...c.parts.sort((a, b) => a.rank - b.rank).map((p) => p.facts)) as SubjectFacts });
  for await (const rows of cursor) {
    for (const row of rows) {
      const key = row.subject_key as string;
      if (current && current.subjectKey !== key) {
        yield merged(current);
        current = undefined;
      }
      current ??= { subjectKey: key, parts: [] };
      current.parts.push({ rank: rank.get(row.period as string) ?? 0, facts: row.facts as Record<string, unknown> });
    }
  }
  if (current) yield merged(current);
}

/** Subjects with any fact recorded (or retracted) after a watermark: what an incremental run re-reads. */
export async function changedSubjectsSince(sql: Sql, watermarkSeq: number, upToSeq?: number): Promise<string[]> {
  const upper = upToSeq === undefined ? sql`` : sql`and seq <= ${upToSeq}`;
  const rows = await sql<{ subject_key: string }[]>`select distinct subject_key from fact_records where seq > ${watermarkSeq} ${upper} order by subject_key`;
  return rows.map((r) => r.subject_key);
}
