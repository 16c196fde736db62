// The SQL of reconciliation: bank report records, quarantined lines, payment settlement, account
// re-verification and follow-up batches. Small named statements over the executor they are given;
// times come in as values and the service (reconciliation.ts) decides.
import { and, asc, eq, inArray, or, sql as dsql } from 'drizzle-orm';
import type { Orm, Tx } from '../db/clients.ts';
import type { PayeeAccountKind } from '../matching/subject-facts.ts';
import { accountReverifications, bankReports, listEntries, payments, payoutBatches, reportQuarantine } from '../db/schema/index.ts';

type Executor = Orm | Tx;
export type PaymentRow = typeof payments.$inferSelect;
export type QuarantineRow = typeof reportQuarantine.$inferSelect;
export type ReverificationRow = typeof accountReverifications.$inferSelect;

/** The report ids (of those given) already recorded, whatever their outcome. */
export async function recordedReportIds(q: Executor, reportIds: string[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < reportIds.length; i += 500) {
    const rows = await q.select({ id: bankReports.reportId }).from(bankReports).where(inArray(bankReports.reportId, reportIds.slice(i, i + 500)));
    for (const row of rows) seen.add(row.id);
  }
  return seen;
}

/** An applied report with the same bytes or the same (format, MsgId), if any. */
export async function appliedTwin(q: Executor, sha256: string, format: string, messageId: string) {
  const [row] = await q
    .select({ reportId: bankReports.reportId, sha256: bankReports.sha256 })
    .from(bankReports)
    .where(and(eq(bankReports.outcome, 'applied'), or(eq(bankReports.sha256, sha256), and(eq(bankReports.format, format), eq(bankReports.messageId, messageId)))))
    .limit(1);
  return row;
}

/** Records a report; false when another reconciliation recorded the same report id first. */
export async function insertReport(q: Executor, row: typeof bankReports.$inferInsert): Promise<boolean> {
  const inserted = await q.insert(bankReports).values(row).onConflictDoNothing({ target: bankReports.reportId }).returning({ id: bankReports.reportId });
  return inserted.length > 0;
}

export async function setReportLineCount(q: Executor, reportId: string, lineCount: number): Promise<void> {
  await q.update(bankReports).set({ lineCount }).where(eq(bankReports.reportId, reportId));
}

/** The payment an end-to-end id names, locked for the settlement that follows. */
export async function paymentByEndToEndId(q: Executor, endToEndId: string): Promise<PaymentRow | undefined> {
  // Found first, then locked by its key with the subject: on a cluster where payments are distributed
  // by subject (Citus) a row lock must name the shard; on one server it is the same lock.
  const [found] = await q.select({ subjectKey: payments.subjectKey }).from(payments).where(eq(payments.endToEndId, endToEndId));
  if (!found) return undefined;
  const [row] = await q
    .select()
    .from(payments)
    .where(and(eq(payments.subjectKey, found.subjectKey), eq(payments.endToEndId, endToEndId)))
    .for('update');
  return row;
}

/** Payments a message carried (for a group status given without transaction detail). */
export function paymentsOfMessage(q: Executor, messageId: string) {
  return q.select().from(payments).where(eq(payments.messageId, messageId)).orderBy(asc(payments.endToEndId));
}

export async function setPaymentOutcome(
  q: Executor,
  payment: Pick<PaymentRow, 'subjectKey' | 'idempotencyKey'>,
  outcome: { status: 'paid' | 'failed' | 'returned'; bankReference: string | null; failureCode: string | null; failureReason: string | null; at: Date },
): Promise<void> {
  await q
    .update(payments)
    .set({ status: outcome.status, bankReference: outcome.bankReference, failureCode: outcome.failureCode, failureReason: outcome.failureReason, settledAt: outcome.at, bankStatus: null })
    .where(and(eq(payments.subjectKey, payment.subjectKey), eq(payments.idempotencyKey, payment.idempotencyKey)));
}

export async function setPaymentBankStatus(q: Executor, payment: Pick<PaymentRow, 'subjectKey' | 'idempotencyKey'>, bankStatus: string): Promise<void> {
  await q.update(payments).set({ bankStatus }).where(and(eq(payments.subjectKey, payment.subjectKey), eq(payments.idempotencyKey, payment.idempotencyKey)));
}

/** The list entry of an entitlement, given what happened to its payment. */
export async function setEntryStatus(q: Executor, subjectKey: string, entitlementKey: string, status: 'paid' | 'payment_failed' | 'batched', at: Date): Promise<void> {
  await q
    .update(listEntries)
    .set({ status, updatedAt: at })
    .where(and(eq(listEntries.subjectKey, subjectKey), eq(listEntries.idempotencyKey, entitlementKey)));
}

export async function insertQuarantine(q: Executor, row: typeof reportQuarantine.$inferInsert): Promise<number> {
  const [inserted] = await q.insert(reportQuarantine).values(row).returning({ id: reportQuarantine.id });
  return inserted!.id;
}

export function quarantineLines(q: Executor, status: 'open' | 'resolved' | 'all') {
  const query = q.select().from(reportQuarantine);
  return (status === 'all' ? query : query.where(eq(reportQuarantine.status, status))).orderBy(asc(reportQuarantine.id));
}

/** Resolves an open quarantined line; undefined when there is no open line with that id. */
export async function resolveQuarantineLine(q: Executor, id: number, resolvedBy: string, resolution: string, at: Date): Promise<QuarantineRow | undefined> {
  const [row] = await q
    .update(reportQuarantine)
    .set({ status: 'resolved', resolvedBy, resolution, resolvedAt: at })
    .where(and(eq(reportQuarantine.id, id), eq(reportQuarantine.status, 'open')))
    .returning();
  return row;
}

export async function insertReverification(q: Executor, row: typeof accountReverifications.$inferInsert): Promise<void> {
  await q.insert(accountReverifications).values(row).onConflictDoNothing();
}

export function reverifications(q: Executor, statuses: ReverificationRow['status'][]) {
  return q.select().from(accountReverifications).where(inArray(accountReverifications.status, statuses)).orderBy(asc(accountReverifications.batchId), asc(accountReverifications.subjectKey));
}

/** Marks an open re-verification verified with the account to pay; undefined when none is open. */
export async function verifyReverification(
  q: Executor,
  key: { subjectKey: string; paymentKey: string },
  verified: { accountNumber: string; accountKind: PayeeAccountKind; by: string; at: Date },
): Promise<ReverificationRow | undefined> {
  const [row] = await q
    .update(accountReverifications)
    .set({ status: 'verified', verifiedAccountNumber: verified.accountNumber, verifiedAccountKind: verified.accountKind, verifiedBy: verified.by, verifiedAt: verified.at })
    .where(and(eq(accountReverifications.subjectKey, key.subjectKey), eq(accountReverifications.paymentKey, key.paymentKey), eq(accountReverifications.status, 'open')))
    .returning();
  return row;
}

/** Verified re-verifications of a batch's payments, locked: what a follow-up batch re-sends. */
export function verifiedOfBatch(q: Executor, batchId: number) {
  return q
    .select({ r: accountReverifications, amountFen: payments.amountFen, budgetLine: payments.budgetLine })
    .from(accountReverifications)
    .innerJoin(payments, and(eq(payments.subjectKey, accountReverifications.subjectKey), eq(payments.idempotencyKey, accountReverifications.paymentKey)))
    .where(and(eq(accountReverifications.batchId, batchId), eq(accountReverifications.status, 'verified')))
    .orderBy(asc(accountReverifications.subjectKey))
    .for('update', { of: accountReverifications });
}

export async function markResent(q: Executor, keys: Array<{ subjectKey: string; paymentKey: string }>, followUpBatchId: number): Promise<void> {
  for (const key of keys) {
    await q
      .update(accountReverifications)
      .set({ status: 'resent', followUpBatchId })
      .where(and(eq(accountReverifications.subjectKey, key.subjectKey), eq(accountReverifications.paymentKey, key.paymentKey), eq(accountReverifications.status, 'verified')));
  }
}

export async function lockBatchRow(q: Executor, batchId: number) {
  const [row] = await q.select().from(payoutBatches).where(eq(payoutBatches.id, batchId)).for('update');
  return row;
}

export async function insertFollowUpBatch(q: Executor, batch: { pointId: string; period: string; paymentCount: number; totalFen: bigint; preparedBy: number; preparedAt: Date; followUpOf: number; needsSecondApproval: boolean }): Promise<number> {
  const [row] = await q
    .insert(payoutBatches)
    .values({ ...batch, status: 'prepared' })
    .returning({ id: payoutBatches.id });
  return row!.id;
}

export async function insertResendPayments(q: Executor, rows: Array<typeof payments.$inferInsert>): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await q.insert(payments).values(rows.slice(i, i + 500));
}

/** Payments of a batch still pending or sent: a batch with none left is settled. */
export async function openPaymentCount(q: Executor, batchId: number): Promise<number> {
  // A count of one batch's payments, far below 2^31, so int is exact here.
  const [row] = await q.execute<{ n: number }>(dsql`select count(*)::int as n from payments where batch_id = ${batchId} and status in ('pending', 'sent')`);
  return row?.n ?? 0;
}

/** Closes a sent batch; false when it was not in 'sent' (already reconciled, say). */
export async function markBatchReconciled(q: Executor, batchId: number, at: Date): Promise<boolean> {
  const rows = await q
    .update(payoutBatches)
    .set({ status: 'reconciled', reconciledAt: at })
    .where(and(eq(payoutBatches.id, batchId), eq(payoutBatches.status, 'sent')))
    .returning({ id: payoutBatches.id });
  return rows.length > 0;
}
