// The SQL of the payout tables (payout_batches, payments) and of the list-entry status changes that
// paying drives. Each statement is one small named function over the executor it is given (drizzle's
// client or a transaction); payoutRepository binds them to a database, or to a caller's transaction so
// they roll back with it. No function reads the clock or decides anything: times come in as values,
// and the service (payout-service.ts) keeps the domain steps (four eyes, state transitions, audit).
import { and, desc, eq, inArray, isNotNull, isNull, or, sql as dsql } from 'drizzle-orm';
import type { Database, Orm, Sql, Tx } from '../db/clients.ts';
import { accountReverifications, bankMessages, enterprises, listEntries, payments, payoutBatches, persons, policyVersions } from '../db/schema/index.ts';
import { factWatermark } from '../matching/match-repository.ts';
import { readSnapshotFacts, type SubjectFacts } from '../subjects/facts-repository.ts';
import { endToEndIdFor } from './payment-keys.ts';

/** Where a statement runs: the drizzle client (its own implicit transaction) or an open transaction. */
type Executor = Orm | Tx;

type PayoutBatch = typeof payoutBatches.$inferSelect;
type AccountKind = (typeof payments.$inferInsert)['accountKind'];
type SubjectType = 'enterprise' | 'person';

// Multi-row statements are chunked so no statement exceeds PostgreSQL's 65535 bound parameters.
const PAYMENT_CHUNK = 500;

/** The entries of a point and period that are eligible and listed, not yet in a batch. */
function listedEligibleEntries(q: Executor, pointId: string, period: string) {
  return q
    .select({ subjectKey: listEntries.subjectKey, idempotencyKey: listEntries.idempotencyKey, amountFen: listEntries.amountFen })
    .from(listEntries)
    .where(and(eq(listEntries.pointId, pointId), eq(listEntries.period, period), eq(listEntries.outcome, 'eligible'), eq(listEntries.status, 'listed')));
}

/** Subjects' facts as of a watermark, for the given periods, in slices (each slice one query). */
async function* payeeFacts(sql: Sql, watermark: bigint, periods: string[], subjectType: SubjectType, subjectKeys: string[]): AsyncGenerator<{ subjectKey: string; facts: SubjectFacts }> {
  for (let i = 0; i < subjectKeys.length; i += 2000) {
    yield* readSnapshotFacts(sql, watermark, periods, { subjectType, subjectKeys: subjectKeys.slice(i, i + 2000) });
  }
}

/** Whom a point pays (its latest published version's subject type); undefined for an unknown point. */
async function pointSubjectType(q: Executor, pointId: string): Promise<SubjectType | undefined> {
  const [row] = await q
    .select({ subject: dsql<string>`${policyVersions.definition}->>'subject'` })
    .from(policyVersions)
    .where(eq(policyVersions.pointId, pointId))
    .orderBy(desc(policyVersions.version))
    .limit(1);
  return row?.subject === 'person' ? 'person' : row ? 'enterprise' : undefined;
}

async function findBatch(q: Executor, batchId: number): Promise<PayoutBatch | undefined> {
  const [batch] = await q.select().from(payoutBatches).where(eq(payoutBatches.id, batchId));
  return batch;
}

async function insertBatch(
  q: Executor,
  batch: { pointId: string; period: string; paymentCount: number; totalFen: bigint; preparedBy: number; preparedAt: Date; needsSecondApproval: boolean },
): Promise<number> {
  const [row] = await q
    .insert(payoutBatches)
    .values({ ...batch, status: 'prepared' })
    .returning({ id: payoutBatches.id });
  return row!.id;
}

interface NewPayment {
  subjectKey: string;
  idempotencyKey: string;
  amountFen: bigint;
  /** SM4-encrypted (sm4:<kid>:…), with its key id and masked form; the clear number is never stored. */
  accountEnc: string;
  accountKeyId: string;
  accountMasked: string;
  accountKind: AccountKind;
  /** The budget line the payment draws on. */
  budgetLine: string;
}

/** Pending payments of a batch. The primary key (subject, idempotency key) refuses a second payment for an entitlement. */
async function insertPendingPayments(q: Executor, batchId: number, rows: NewPayment[]): Promise<void> {
  for (let i = 0; i < rows.length; i += PAYMENT_CHUNK) {
    // First attempt: the payment key is the entitlement's key; the end-to-end id is derived from it.
    await q.insert(payments).values(rows.slice(i, i + PAYMENT_CHUNK).map((p) => ({ ...p, batchId, status: 'pending' as const, entitlementKey: p.idempotencyKey, attempt: 0, endToEndId: endToEndIdFor(p.idempotencyKey) })));
  }
}

/** Marks a point and period's entries of these subjects as batched. */
async function markEntriesBatched(q: Executor, pointId: string, period: string, subjectKeys: string[], at: Date): Promise<void> {
  for (let i = 0; i < subjectKeys.length; i += PAYMENT_CHUNK) {
    await q
      .update(listEntries)
      .set({ status: 'batched', updatedAt: at })
      .where(and(eq(listEntries.pointId, pointId), eq(listEntries.period, period), inArray(listEntries.subjectKey, subjectKeys.slice(i, i + PAYMENT_CHUNK))));
  }
}

/** Moves a prepared batch to approved; false when it was no longer prepared (a concurrent change). */
/**
 * Records an approval of a prepared batch: the first approver (the batch becomes approved unless it
 * needs a second), or the second (the batch becomes approved). Guarded on the state read by the
 * service, so a concurrent approval makes this return false instead of overwriting.
 */
async function approvePreparedBatch(q: Executor, batchId: number, approvedBy: number, at: Date, step: 'first' | 'second', final: boolean): Promise<boolean> {
  const set = step === 'first' ? { approvedBy, approvedAt: at } : { secondApprovedBy: approvedBy, secondApprovedAt: at };
  const updated = await q
    .update(payoutBatches)
    .set(final ? { ...set, status: 'approved' as const } : set)
    .where(
      and(
        eq(payoutBatches.id, batchId),
        eq(payoutBatches.status, 'prepared'),
        step === 'first' ? isNull(payoutBatches.approvedBy) : and(isNotNull(payoutBatches.approvedBy), isNull(payoutBatches.secondApprovedBy)),
      ),
    )
    .returning({ id: payoutBatches.id });
  return updated.length > 0;
}

/**
 * Locks the batch row for the rest of the transaction (SELECT … FOR UPDATE): a second send of the
 * same batch waits here until the first has committed, then finds nothing pending.
 */
async function lockBatch(q: Executor, batchId: number): Promise<PayoutBatch | undefined> {
  const [batch] = await q.select().from(payoutBatches).where(eq(payoutBatches.id, batchId)).for('update');
  return batch;
}

/** Records a transmitted payment message; a repeat of the same message id is kept as first recorded. */
async function recordMessage(q: Executor, message: typeof bankMessages.$inferInsert): Promise<void> {
  await q.insert(bankMessages).values(message).onConflictDoNothing();
}

/**
 * A batch's pending payments with the payee's name, what a payment instruction needs: an enterprise's
 * registered name, or a person's name from the population register (stored in clear, see
 * docs/security.md; the identity number never leaves the persons table).
 */
function pendingPayments(q: Executor, batchId: number) {
  return q
    .select({
      subjectKey: payments.subjectKey,
      idempotencyKey: payments.idempotencyKey,
      endToEndId: payments.endToEndId,
      amountFen: payments.amountFen,
      accountEnc: payments.accountEnc,
      name: dsql<string>`coalesce(${enterprises.name}, ${persons.name})`,
      pointId: payoutBatches.pointId,
      period: payoutBatches.period,
    })
    .from(payments)
    .leftJoin(enterprises, eq(enterprises.uscc, payments.subjectKey))
    .leftJoin(persons, eq(persons.personKey, payments.subjectKey))
    .innerJoin(payoutBatches, eq(payoutBatches.id, payments.batchId))
    .where(and(eq(payments.batchId, batchId), eq(payments.status, 'pending'), or(isNotNull(enterprises.uscc), isNotNull(persons.personKey))));
}

/** Marks these payments of a batch sent, those still pending only. */
async function markPaymentsSent(q: Executor, batchId: number, idempotencyKeys: string[], at: Date, messageId: string | null = null): Promise<void> {
  for (let i = 0; i < idempotencyKeys.length; i += PAYMENT_CHUNK) {
    await q
      .update(payments)
      .set({ status: 'sent', sentAt: at, messageId })
      .where(and(eq(payments.batchId, batchId), eq(payments.status, 'pending'), inArray(payments.idempotencyKey, idempotencyKeys.slice(i, i + PAYMENT_CHUNK))));
  }
}

async function markBatchSent(q: Executor, batchId: number, sentAt: Date): Promise<void> {
  await q.update(payoutBatches).set({ status: 'sent', sentAt }).where(eq(payoutBatches.id, batchId));
}

/** The budget line and amount of each of a batch's payments (what its ledger movements add up). */
function batchPaymentLines(q: Executor, batchId: number) {
  return q.select({ budgetLine: payments.budgetLine, amountFen: payments.amountFen }).from(payments).where(eq(payments.batchId, batchId));
}

/**
 * Withdraws a rejected batch's payments (never sent: pending only). A first batch's entries go back to
 * the list; a follow-up batch's re-verifications go back to verified and their entries to payment_failed.
 */
async function withdrawBatch(q: Executor, batchId: number, followUp: boolean, at: Date): Promise<void> {
  const removed = await q.delete(payments).where(and(eq(payments.batchId, batchId), eq(payments.status, 'pending'))).returning({ subjectKey: payments.subjectKey, entitlementKey: payments.entitlementKey });
  for (let i = 0; i < removed.length; i += PAYMENT_CHUNK) {
    const slice = removed.slice(i, i + PAYMENT_CHUNK);
    const entitlements = slice.map((r) => r.entitlementKey!);
    await q
      .update(listEntries)
      .set({ status: followUp ? 'payment_failed' : 'listed', updatedAt: at })
      .where(and(inArray(listEntries.subjectKey, slice.map((r) => r.subjectKey)), inArray(listEntries.idempotencyKey, entitlements)));
    if (followUp) {
      await q
        .update(accountReverifications)
        .set({ status: 'verified', followUpBatchId: null })
        .where(and(eq(accountReverifications.followUpBatchId, batchId), inArray(accountReverifications.entitlementKey, entitlements)));
    }
  }
}

async function markBatchRejected(q: Executor, batchId: number, rejectedBy: number, reason: string, at: Date): Promise<void> {
  await q.update(payoutBatches).set({ status: 'rejected', rejectedBy, rejectionReason: reason, rejectedAt: at }).where(eq(payoutBatches.id, batchId));
}

/** The payout statements bound to one transaction: what a service step writes, all-or-nothing. */
interface PayoutWrites {
  /** The transaction itself, for the audit entry that must commit with the change. */
  tx: Tx;
  insertBatch(batch: Parameters<typeof insertBatch>[1]): Promise<number>;
  insertPendingPayments(batchId: number, rows: NewPayment[]): Promise<void>;
  markEntriesBatched(pointId: string, period: string, subjectKeys: string[], at: Date): Promise<void>;
  listedEligibleEntries(pointId: string, period: string): ReturnType<typeof listedEligibleEntries>;
  approvePreparedBatch(batchId: number, approvedBy: number, at: Date, step: 'first' | 'second', final: boolean): Promise<boolean>;
  markPaymentsSent(batchId: number, idempotencyKeys: string[], at: Date, messageId?: string | null): Promise<void>;
  lockBatch(batchId: number): Promise<PayoutBatch | undefined>;
  pendingPayments(batchId: number): ReturnType<typeof pendingPayments>;
  recordMessage(message: typeof bankMessages.$inferInsert): Promise<void>;
  markBatchSent(batchId: number, sentAt: Date): Promise<void>;
  batchPaymentLines(batchId: number): ReturnType<typeof batchPaymentLines>;
  withdrawBatch(batchId: number, followUp: boolean, at: Date): Promise<void>;
  markBatchRejected(batchId: number, rejectedBy: number, reason: string, at: Date): Promise<void>;
}

function writesOn(tx: Tx): PayoutWrites {
  return {
    tx,
    insertBatch: (batch) => insertBatch(tx, batch),
    insertPendingPayments: (batchId, rows) => insertPendingPayments(tx, batchId, rows),
    markEntriesBatched: (pointId, period, keys, at) => markEntriesBatched(tx, pointId, period, keys, at),
    listedEligibleEntries: (pointId, period) => listedEligibleEntries(tx, pointId, period),
    approvePreparedBatch: (batchId, approvedBy, at, step, final) => approvePreparedBatch(tx, batchId, approvedBy, at, step, final),
    markPaymentsSent: (batchId, keys, at, messageId) => markPaymentsSent(tx, batchId, keys, at, messageId),
    lockBatch: (batchId) => lockBatch(tx, batchId),
    pendingPayments: (batchId) => pendingPayments(tx, batchId),
    recordMessage: (message) => recordMessage(tx, message),
    markBatchSent: (batchId, sentAt) => markBatchSent(tx, batchId, sentAt),
    batchPaymentLines: (batchId) => batchPaymentLines(tx, batchId),
    withdrawBatch: (batchId, followUp, at) => withdrawBatch(tx, batchId, followUp, at),
    markBatchRejected: (batchId, rejectedBy, reason, at) => markBatchRejected(tx, batchId, rejectedBy, reason, at),
  };
}

export interface PayoutRepository {
  /** The executor the repository runs on (reconciliation opens its own transactions on it). */
  readonly orm: Executor;
  listedEligibleEntries(pointId: string, period: string): ReturnType<typeof listedEligibleEntries>;
  factWatermark(): Promise<bigint>;
  payeeFacts(watermark: bigint, periods: string[], subjectType: SubjectType, subjectKeys: string[]): AsyncGenerator<{ subjectKey: string; facts: SubjectFacts }>;
  findBatch(batchId: number): Promise<PayoutBatch | undefined>;
  /** Outside a transaction (preparation reads payees before it opens one). */
  pointSubjectType(pointId: string): Promise<SubjectType | undefined>;
  pendingPayments(batchId: number): ReturnType<typeof pendingPayments>;
  /** Runs the work in one transaction (a savepoint when the repository is bound to a caller's transaction). */
  transaction<T>(work: (writes: PayoutWrites) => Promise<T>): Promise<T>;
}

/**
 * The payout repository of a database. Give it `{ orm: tx, sql }` to run a service inside a caller's
 * transaction: its reads and writes then join that transaction and roll back with it (fact reads go
 * through the raw client, which reads committed facts).
 */
export function payoutRepository(db: Pick<Database, 'sql'> & { orm: Executor }): PayoutRepository {
  const { orm, sql } = db;
  return {
    orm,
    listedEligibleEntries: (pointId, period) => listedEligibleEntries(orm, pointId, period),
    factWatermark: () => factWatermark(sql),
    payeeFacts: (watermark, periods, subjectType, keys) => payeeFacts(sql, watermark, periods, subjectType, keys),
    findBatch: (batchId) => findBatch(orm, batchId),
    pointSubjectType: (pointId) => pointSubjectType(orm, pointId),
    pendingPayments: (batchId) => pendingPayments(orm, batchId),
    transaction: (work) => orm.transaction((tx) => work(writesOn(tx))),
  };
}
