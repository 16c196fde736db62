// Payout batches: prepare from the eligibility list, approve by a second person (four eyes), send
// through a bank channel, reconcile the bank's status reports. Each state change and its audit entry
// commit together. Sending is safe to repeat: only pending payments go out, and the channel books an
// end-to-end id once.
import { and, eq, inArray, sql as dsql } from 'drizzle-orm';
import { safeId } from '../subjects/snapshots.ts';
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { enterprises, listEntries, payments, payoutBatches } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { payeeAccount } from '../matching/subject-facts.ts';
import { CURRENT_PERIOD, readSnapshotFacts } from '../subjects/facts-repository.ts';
import { maskUscc } from '../subjects/uscc.ts';
import { REASON_TEXT, type BankChannel } from './bank-channel.ts';

export interface PreparedBatch {
  batchId: number;
  paymentCount: number;
  totalFen: bigint;
  /** Eligible but not payable: no account on record (应享未享 risk, followed up by staff). */
  withoutAccount: string[];
}

async function loadBatch(db: Database, batchId: number) {
  const [batch] = await db.orm.select().from(payoutBatches).where(eq(payoutBatches.id, batchId));
  if (!batch) throw new AppError('BATCH_NOT_FOUND', `Payout batch ${batchId} does not exist.`);
  return batch;
}

export async function prepareBatch(db: Database, clock: Clock, input: { pointId: string; period: string; actor: string }): Promise<PreparedBatch> {
  const entries = await db.orm
    .select({ subjectKey: listEntries.subjectKey, idempotencyKey: listEntries.idempotencyKey, amountFen: listEntries.amountFen, runId: listEntries.runId })
    .from(listEntries)
    .where(and(eq(listEntries.pointId, input.pointId), eq(listEntries.period, input.period), eq(listEntries.outcome, 'eligible'), eq(listEntries.status, 'listed')));
  const payable = entries.filter((e) => e.amountFen !== null && e.amountFen > 0n);
  if (payable.length === 0) throw new AppError('BATCH_EMPTY', `No listed, eligible entries to pay for ${input.pointId} ${input.period}; run a match first or check the list.`);

  // Accounts are read as they stand when the batch is prepared (an account supplied after the match
  // still pays; the payment records which one was used), for the batch's subjects only: the basic
  // account is current state, the social-insurance account comes with 税务's annual feed (the period's
  // year or the year before, the later winning).
  const year = Number(input.period.slice(0, 4));
  const periods = [CURRENT_PERIOD, String(year - 1), String(year)];
  // fact_records.seq is a bigserial: read as bigint, a JS number only once checked to be exact.
  const [{ w: seq } = { w: 0n }] = await db.sql<{ w: bigint }[]>`select coalesce(max(seq), 0)::bigint as w from fact_records`;
  const w = safeId(seq, 'fact watermark');
  const accounts = new Map<string, ReturnType<typeof payeeAccount>>();
  const keys = payable.map((e) => e.subjectKey);
  for (let i = 0; i < keys.length; i += 2000) {
    for await (const subject of readSnapshotFacts(db.sql, w, periods, { subjectType: 'enterprise', subjectKeys: keys.slice(i, i + 2000) })) {
      accounts.set(subject.subjectKey, payeeAccount(subject.facts));
    }
  }

  const withAccount = payable.filter((e) => accounts.get(e.subjectKey) !== undefined);
  const withoutAccount = payable.filter((e) => accounts.get(e.subjectKey) === undefined).map((e) => e.subjectKey);
  if (withAccount.length === 0) {
    throw new AppError('BATCH_EMPTY', `No payable entries for ${input.pointId} ${input.period}: ${withoutAccount.length} eligible entries have no account on record; collect a basic or social-insurance account first.`, {
      withoutAccount: withoutAccount.length,
    });
  }
  const totalFen = withAccount.reduce((sum, e) => sum + (e.amountFen ?? 0n), 0n);

  return db.orm.transaction(async (tx) => {
    const [batch] = await tx
      .insert(payoutBatches)
      .values({ pointId: input.pointId, period: input.period, status: 'prepared', paymentCount: withAccount.length, totalFen, preparedBy: input.actor, preparedAt: clock.now() })
      .returning({ id: payoutBatches.id });
    const batchId = batch!.id;
    for (let i = 0; i < withAccount.length; i += 500) {
      const chunk = withAccount.slice(i, i + 500);
      // The primary key (subject, idempotency key) refuses a second payment for the same entitlement.
      await tx.insert(payments).values(
        chunk.map((e) => {
          const account = accounts.get(e.subjectKey)!;
          return { subjectKey: e.subjectKey, idempotencyKey: e.idempotencyKey, batchId, amountFen: e.amountFen!, accountNumber: account.accountNumber, accountKind: account.accountKind, status: 'pending' as const };
        }),
      );
      await tx
        .update(listEntries)
        .set({ status: 'batched', updatedAt: clock.now() })
        .where(and(eq(listEntries.pointId, input.pointId), eq(listEntries.period, input.period), inArray(listEntries.subjectKey, chunk.map((e) => e.subjectKey))));
    }
    await appendAudit(tx, clock, {
      actor: input.actor,
      action: 'batch.prepared',
      entityType: 'payout_batch',
      entityId: String(batchId),
      payload: { pointId: input.pointId, period: input.period, paymentCount: withAccount.length, totalFen, withoutAccount: withoutAccount.length },
    });
    return { batchId, paymentCount: withAccount.length, totalFen, withoutAccount };
  });
}

export async function approveBatch(db: Database, clock: Clock, input: { batchId: number; actor: string }): Promise<void> {
  const batch = await loadBatch(db, input.batchId);
  if (batch.preparedBy === input.actor) {
    throw new AppError('SELF_APPROVAL_FORBIDDEN', `Batch ${input.batchId} was prepared by ${input.actor}; another finance officer must approve it (四眼原则：制单人不得审批).`, {
      batchId: input.batchId,
    });
  }
  if (batch.status !== 'prepared') {
    throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} is ${batch.status}; only a prepared batch can be approved.`);
  }
  await db.orm.transaction(async (tx) => {
    const updated = await tx
      .update(payoutBatches)
      .set({ status: 'approved', approvedBy: input.actor, approvedAt: clock.now() })
      .where(and(eq(payoutBatches.id, input.batchId), eq(payoutBatches.status, 'prepared')))
      .returning({ id: payoutBatches.id });
    if (updated.length === 0) throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} changed state while being approved; reload it.`);
    await appendAudit(tx, clock, {
      actor: input.actor,
      action: 'batch.approved',
      entityType: 'payout_batch',
      entityId: String(input.batchId),
      payload: { preparedBy: batch.preparedBy, totalFen: batch.totalFen, paymentCount: batch.paymentCount },
    });
  });
}

/**
 * A call to the bank channel. Whatever a channel throws (a socket error, a bank's own failure) reaches
 * callers as BANK_CHANNEL_FAILED naming the step; nothing has been marked sent or settled by then, so
 * the same call can simply be repeated.
 */
async function atBank<T>(step: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('BANK_CHANNEL_FAILED', `The bank channel failed while ${step}: ${(error as Error)?.message ?? String(error)}. Nothing was marked as sent or settled; repeat the call once the channel is back.`);
  }
}

/** Sends the batch's pending payments. Safe to call again: nothing already sent goes out twice. */
export async function sendBatch(db: Database, clock: Clock, bank: BankChannel, input: { batchId: number; actor: string }): Promise<{ sent: number }> {
  const batch = await loadBatch(db, input.batchId);
  if (batch.status !== 'approved' && batch.status !== 'sent') {
    throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} is ${batch.status}; it must be approved before it is sent.`);
  }
  const pending = await db.orm
    .select({ subjectKey: payments.subjectKey, idempotencyKey: payments.idempotencyKey, amountFen: payments.amountFen, accountNumber: payments.accountNumber, name: enterprises.name })
    .from(payments)
    .innerJoin(enterprises, eq(enterprises.uscc, payments.subjectKey))
    .where(and(eq(payments.batchId, input.batchId), eq(payments.status, 'pending')));
  // Submit first, then mark sent: a crash in between re-submits on the next call, and the bank
  // books each end-to-end id once, so nobody is paid twice.
  await atBank(`submitting batch ${input.batchId}`, () => bank.submit(pending.map((p) => ({ endToEndId: p.idempotencyKey, accountNumber: p.accountNumber, amountFen: p.amountFen, payeeName: p.name }))));
  await db.orm.transaction(async (tx) => {
    if (pending.length > 0) {
      for (let i = 0; i < pending.length; i += 500) {
        const keys = pending.slice(i, i + 500).map((p) => p.idempotencyKey);
        await tx
          .update(payments)
          .set({ status: 'sent', sentAt: clock.now() })
          .where(and(eq(payments.batchId, input.batchId), eq(payments.status, 'pending'), inArray(payments.idempotencyKey, keys)));
      }
    }
    await tx.update(payoutBatches).set({ status: 'sent', sentAt: batch.sentAt ?? clock.now() }).where(eq(payoutBatches.id, input.batchId));
    await appendAudit(tx, clock, { actor: input.actor, action: 'batch.sent', entityType: 'payout_batch', entityId: String(input.batchId), payload: { sent: pending.length } });
  });
  return { sent: pending.length };
}

export interface Reconciliation {
  paid: number;
  failed: number;
  batchesReconciled: number[];
}

/** Applies the bank's status reports to payments and list entries; closes batches with nothing in flight. */
export async function reconcile(db: Database, clock: Clock, log: Logger, bank: BankChannel, actor: string): Promise<Reconciliation> {
  const reports = await atBank('reading status reports', () => bank.pendingReports());
  const result: Reconciliation = { paid: 0, failed: 0, batchesReconciled: [] };
  await db.orm.transaction(async (tx) => {
    const touched = new Set<number>();
    for (const report of reports) {
      const paid = report.status === 'booked';
      const [payment] = await tx
        .update(payments)
        .set({
          status: paid ? 'paid' : 'failed',
          bankReference: report.bankReference,
          failureCode: paid ? null : report.reasonCode,
          failureReason: paid ? null : (REASON_TEXT[report.reasonCode ?? ''] ?? report.reasonCode),
          settledAt: clock.now(),
        })
        .where(and(eq(payments.idempotencyKey, report.endToEndId), eq(payments.status, 'sent')))
        .returning({ subjectKey: payments.subjectKey, batchId: payments.batchId, amountFen: payments.amountFen, idempotencyKey: payments.idempotencyKey });
      if (!payment) continue; // already applied, or not ours
      touched.add(payment.batchId);
      await tx
        .update(listEntries)
        .set({ status: paid ? 'paid' : 'payment_failed', updatedAt: clock.now() })
        .where(and(eq(listEntries.subjectKey, payment.subjectKey), eq(listEntries.idempotencyKey, payment.idempotencyKey)));
      await appendAudit(tx, clock, {
        actor,
        action: paid ? 'payment.paid' : 'payment.failed',
        entityType: 'payment',
        entityId: payment.idempotencyKey,
        payload: { batchId: payment.batchId, amountFen: payment.amountFen, bankReference: report.bankReference, reasonCode: report.reasonCode },
      });
      if (paid) result.paid++;
      else {
        result.failed++;
        log.warn({ batchId: payment.batchId, subject: maskUscc(payment.subjectKey), reasonCode: report.reasonCode }, 'payment rejected by bank');
      }
    }
    for (const batchId of touched) {
      const [open] = await tx.execute<{ n: number }>(dsql`select count(*)::int as n from payments where batch_id = ${batchId} and status in ('pending', 'sent')`);
      if ((open?.n ?? 0) === 0) {
        await tx.update(payoutBatches).set({ status: 'reconciled', reconciledAt: clock.now() }).where(eq(payoutBatches.id, batchId));
        await appendAudit(tx, clock, { actor, action: 'batch.reconciled', entityType: 'payout_batch', entityId: String(batchId), payload: {} });
        result.batchesReconciled.push(batchId);
      }
    }
  });
  await atBank('acknowledging status reports', () => bank.acknowledge(reports.map((r) => r.endToEndId)));
  return result;
}
