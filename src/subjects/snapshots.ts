// Snapshots: a snapshot is the highest fact sequence number at the moment it was taken, recorded with
// its audit entry. Taken under the facts lock, which imports hold too, so no import straddles it.
import type postgres from 'postgres';
import { appendAuditSql } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import { AppError } from '../errors.ts';
import { FACTS_LOCK_KEY } from './facts-repository.ts';

export interface Snapshot {
  id: number;
  /** fact_records.seq is a bigserial: kept as bigint end to end (sent to the server as its decimal text). */
  watermarkSeq: bigint;
}

/** A bigserial id as a JS number, refusing one past 2^53 rather than silently rounding it. */
export function safeId(value: bigint | number | string, what = 'id'): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new AppError('BAD_REQUEST', `${what} ${String(value)} is beyond the integers this process handles exactly (2^53).`);
  return n;
}

/** Freezes the facts recorded so far, in the caller's transaction: a run reading it never sees a later import. */
export async function createSnapshot(tx: postgres.TransactionSql, clock: Clock, actor: string, asOf: string = clock.now().toISOString().slice(0, 10)): Promise<Snapshot> {
  await tx`select pg_advisory_xact_lock(${FACTS_LOCK_KEY})`;
  const [{ w } = { w: 0n }] = await tx<{ w: bigint }[]>`select coalesce(max(seq), 0)::bigint as w from fact_records`;
  const [row] = await tx<{ id: bigint }[]>`insert into snapshots (watermark_seq, as_of, created_at, created_by) values (${w.toString()}, ${asOf}, ${clock.now()}, ${actor}) returning id`;
  const id = safeId(row!.id, 'snapshot');
  await appendAuditSql(tx, clock, { actor, action: 'snapshot.created', entityType: 'snapshot', entityId: String(id), payload: { watermarkSeq: w.toString(), asOf } });
  return { id, watermarkSeq: w };
}

export async function readSnapshot(sql: postgres.Sql | postgres.TransactionSql, id: number): Promise<Snapshot> {
  const [row] = await sql<{ id: bigint; watermark_seq: bigint }[]>`select id, watermark_seq from snapshots where id = ${id}`;
  if (!row) throw new AppError('SNAPSHOT_NOT_FOUND', `Snapshot ${id} does not exist; list the runs (cli runs) to see the snapshots they pinned.`);
  return { id: safeId(row.id, 'snapshot'), watermarkSeq: row.watermark_seq };
}
