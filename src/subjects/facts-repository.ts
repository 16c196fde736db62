// Writing fact records (append-only) and reading a frozen snapshot of them. SQL kept together here.
import { createHash } from 'node:crypto';
import type { Clock } from '../clock.ts';
import type { Sql, Tx } from '../db/clients.ts';
import { enterprises, factImports, factRecords, snapshots } from '../db/schema/index.ts';
import { appendAudit } from '../audit/audit-trail.ts';
import { sql as dsql } from 'drizzle-orm';

/** Facts that describe the subject's current state rather than a data year. */
export const CURRENT_PERIOD = 'current';

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
  const [row] = await tx.execute<{ w: string | null }>(dsql`select max(seq)::text as w from fact_records`);
  const watermarkSeq = Number(row?.w ?? 0);
  const [snapshot] = await tx
    .insert(snapshots)
    .values({ watermarkSeq, asOf, createdAt: clock.now(), createdBy: actor })
    .returning({ id: snapshots.id });
  await appendAudit(tx, clock, { actor, action: 'snapshot.created', entityType: 'snapshot', entityId: String(snapshot!.id), payload: { watermarkSeq, asOf } });
  return { id: snapshot!.id, watermarkSeq };
}

export type SubjectFacts = Map<string, Record<string, unknown>>; // source -> facts

/**
 * Streams every subject's facts as of a snapshot watermark, for the given periods: the latest record
 * per (subject, source, period) with seq <= watermark. Subjects arrive in key order, one at a time.
 */
export async function* readSnapshotFacts(
  sql: Sql,
  watermarkSeq: number,
  periods: string[],
  batchSize = 2000,
): AsyncGenerator<{ subjectKey: string; bySource: SubjectFacts }> {
  const cursor = sql`
    select distinct on (subject_key, source, period) subject_key, source, period, facts
    from fact_records
    where seq <= ${watermarkSeq} and period in ${sql(periods)}
    order by subject_key, source, period, seq desc`.cursor(batchSize);
  let current: { subjectKey: string; bySource: SubjectFacts } | undefined;
  for await (const rows of cursor) {
    for (const row of rows) {
      const key = row.subject_key as string;
      if (current && current.subjectKey !== key) {
        yield current;
        current = undefined;
      }
      current ??= { subjectKey: key, bySource: new Map() };
      const facts = row.facts as Record<string, unknown>;
      current.bySource.set(row.source as string, { ...(current.bySource.get(row.source as string) ?? {}), ...facts });
    }
  }
  if (current) yield current;
}
