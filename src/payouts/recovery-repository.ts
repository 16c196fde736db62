// The SQL of recovery (追回): the paid payments a recovery check looks at, a person's 公安 register
// records, and the recovery cases themselves. Small named statements over the executor they are given;
// times come in as values and the service (recovery.ts) decides.
import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Orm, Sql, Tx } from '../db/clients.ts';
import { recoveries } from '../db/schema/index.ts';

type Executor = Orm | Tx;
export type RecoveryRow = typeof recoveries.$inferSelect;
export type NewRecovery = Omit<typeof recoveries.$inferInsert, 'id' | 'status'>;

/** The feed a death or a 户籍 move comes in. */
const POPULATION_FEED = 'police-population';

export interface PaidMonth {
  subjectKey: string;
  paymentKey: string;
  entitlementKey: string;
  batchId: number;
  amountFen: bigint;
  pointId: string;
  period: string;
  /** The library of the run that listed the entry (what the payment was decided under), if known. */
  libraryHash: string | null;
}

/**
 * Paid payments for a month to a person who has no recovery case for them yet, and whose 公安 register
 * records carry a death date or a dated change (a move, or any change after the first load): the only
 * payments a late death or move can have made wrong. Everything else is left to list_adjustments.
 */
export async function paidMonthsToCheck(sql: Sql, watermark: bigint): Promise<PaidMonth[]> {
  const rows = await sql<{ subject_key: string; payment_key: string; entitlement_key: string | null; batch_id: string; amount_fen: string; point_id: string; period: string; library_hash: string | null }[]>`
    select p.subject_key, p.idempotency_key as payment_key, p.entitlement_key, p.batch_id::text, p.amount_fen::text, b.point_id, b.period, mr.library_hash
    from payments p
    join payout_batches b on b.id = p.batch_id
    join persons s on s.person_key = p.subject_key
    left join list_entries le on le.subject_key = p.subject_key and le.point_id = b.point_id and le.period = b.period
    left join match_runs mr on mr.id = le.run_id
    where p.status = 'paid' and b.period ~ '^[0-9]{4}-[0-9]{2}$'
      and not exists (select 1 from recoveries r where r.subject_key = p.subject_key and r.payment_key = p.idempotency_key)
      and exists (
        select 1 from fact_records f
        where f.subject_key = p.subject_key and f.source = ${POPULATION_FEED} and f.period = 'current' and f.seq <= ${watermark.toString()}::bigint
          and (f.valid_from is not null or f.facts->>'deathDate' is not null))
    order by p.subject_key, b.period, p.idempotency_key`;
  return rows.map((r) => ({
    subjectKey: r.subject_key,
    paymentKey: r.payment_key,
    entitlementKey: r.entitlement_key ?? r.payment_key,
    batchId: Number(r.batch_id),
    amountFen: BigInt(r.amount_fen),
    pointId: r.point_id,
    period: r.period,
    libraryHash: r.library_hash,
  }));
}

export interface RegisterRecord {
  seq: bigint;
  importId: number | null;
  validFrom: string | null;
  retracted: boolean;
  facts: Record<string, unknown>;
}

/** A person's 公安 register records up to a watermark, in the order they were recorded. */
export async function registerRecords(sql: Sql, subjectKey: string, watermark: bigint): Promise<RegisterRecord[]> {
  const rows = await sql<{ seq: string; import_id: string | null; valid_from: string | null; retracted: boolean; facts: Record<string, unknown> }[]>`
    select seq::text, import_id::text, valid_from::text, retracted, facts from fact_records
    where subject_key = ${subjectKey} and source = ${POPULATION_FEED} and period = 'current' and subject_type = 'person' and seq <= ${watermark.toString()}::bigint
    order by seq`;
  return rows.map((r) => ({ seq: BigInt(r.seq), importId: r.import_id === null ? null : Number(r.import_id), validFrom: r.valid_from, retracted: r.retracted, facts: r.facts }));
}

/** Raises a case; undefined when the payment already has one (a concurrent or repeated check). */
export async function insertRecovery(q: Executor, row: NewRecovery): Promise<RecoveryRow | undefined> {
  const [inserted] = await q.insert(recoveries).values({ ...row, status: 'open' }).onConflictDoNothing().returning();
  return inserted;
}

export function recoveriesIn(q: Executor, statuses: RecoveryRow['status'][]) {
  return q.select().from(recoveries).where(inArray(recoveries.status, statuses)).orderBy(asc(recoveries.id));
}

/** Locks a case for the rest of the transaction, so two people cannot close it at once. */
export async function lockRecovery(q: Executor, id: number): Promise<RecoveryRow | undefined> {
  const [row] = await q.select().from(recoveries).where(eq(recoveries.id, id)).for('update');
  return row;
}

export async function markRecovered(q: Executor, id: number, done: { recoveredFen: bigint; recoveredOn: string; reference: string; by: number; at: Date }): Promise<void> {
  await q
    .update(recoveries)
    .set({ status: 'recovered', recoveredFen: done.recoveredFen, recoveredOn: done.recoveredOn, recoveryReference: done.reference, resolvedBy: done.by, resolvedAt: done.at })
    .where(and(eq(recoveries.id, id), eq(recoveries.status, 'open')));
}

export async function markWrittenOff(q: Executor, id: number, done: { reason: string; by: number; at: Date }): Promise<void> {
  await q
    .update(recoveries)
    .set({ status: 'written_off', writeOffReason: done.reason, resolvedBy: done.by, resolvedAt: done.at })
    .where(and(eq(recoveries.id, id), eq(recoveries.status, 'open')));
}

/** The masked 公民身份号码 of persons (for what is printed: never the number, never only the key). */
export async function maskedIdNumbers(sql: Sql, personKeys: string[]): Promise<Map<string, string>> {
  if (personKeys.length === 0) return new Map();
  const rows = await sql<{ k: string; m: string }[]>`select person_key as k, id_masked as m from persons where person_key = any(${personKeys}::text[])`;
  return new Map(rows.map((r) => [r.k, r.m]));
}
