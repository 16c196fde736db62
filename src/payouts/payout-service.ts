// Payout batches: prepare from the eligibility list, approve by a second person (four eyes), send
// through a bank channel, reconcile the bank's status reports. Each state change and its audit entry
// commit together. Sending is safe to repeat: only pending payments go out, and the channel books an
// end-to-end id once.
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { payeeAccount } from '../matching/subject-facts.ts';
import { CURRENT_PERIOD } from '../subjects/facts-repository.ts';
import { decryptField, sealAccount } from '../subjects/personal-data.ts';
import { maskUscc } from '../subjects/uscc.ts';
import { REASON_TEXT, type BankChannel } from './bank-channel.ts';
import { payoutRepository, type PayoutRepository } from './payout-repository.ts';

export interface PreparedBatch {
  batchId: number;
  paymentCount: number;
  totalFen: bigint;
  /** Eligible but not payable: no account on record (应享未享 risk, followed up by staff). */
  withoutAccount: string[];
}

export interface Reconciliation {
  paid: number;
  failed: number;
  batchesReconciled: number[];
}

export interface PayoutService {
  prepare(input: { pointId: string; period: string; actor: string }): Promise<PreparedBatch>;
  approve(input: { batchId: number; actor: string }): Promise<void>;
  /** Sends the batch's pending payments. Safe to call again: nothing already sent goes out twice. */
  send(bank: BankChannel, input: { batchId: number; actor: string }): Promise<{ sent: number }>;
  /** Applies the bank's status reports to payments and list entries; closes batches with nothing in flight. */
  reconcile(log: Logger, bank: BankChannel, actor: string): Promise<Reconciliation>;
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

/** The payout steps over a repository (its SQL) and a clock (every time it records). */
export function payoutService(repo: PayoutRepository, clock: Clock): PayoutService {
  async function loadBatch(batchId: number) {
    const batch = await repo.findBatch(batchId);
    if (!batch) throw new AppError('BATCH_NOT_FOUND', `Payout batch ${batchId} does not exist.`);
    return batch;
  }

  return {
    async prepare(input) {
      const entries = await repo.listedEligibleEntries(input.pointId, input.period);
      const payable = entries.filter((e) => e.amountFen !== null && e.amountFen > 0n);
      if (payable.length === 0) throw new AppError('BATCH_EMPTY', `No listed, eligible entries to pay for ${input.pointId} ${input.period}; run a match first or check the list.`);

      // Accounts are read as they stand when the batch is prepared (an account supplied after the match
      // still pays; the payment records which one was used), for the batch's subjects only: the basic
      // account is current state, the social-insurance account comes with 税务's annual feed (the period's
      // year or the year before, the later winning).
      const year = Number(input.period.slice(0, 4));
      const periods = [CURRENT_PERIOD, String(year - 1), String(year)];
      const watermark = await repo.factWatermark();
      const accounts = new Map<string, ReturnType<typeof payeeAccount>>();
      for await (const subject of repo.enterpriseFacts(watermark, periods, payable.map((e) => e.subjectKey))) {
        accounts.set(subject.subjectKey, payeeAccount(subject.facts));
      }

      const withAccount = payable.filter((e) => accounts.get(e.subjectKey) !== undefined);
      const withoutAccount = payable.filter((e) => accounts.get(e.subjectKey) === undefined).map((e) => e.subjectKey);
      if (withAccount.length === 0) {
        throw new AppError('BATCH_EMPTY', `No payable entries for ${input.pointId} ${input.period}: ${withoutAccount.length} eligible entries have no account on record; collect a basic or social-insurance account first.`, {
          withoutAccount: withoutAccount.length,
        });
      }
      const totalFen = withAccount.reduce((sum, e) => sum + (e.amountFen ?? 0n), 0n);

      return repo.transaction(async (w) => {
        const batchId = await w.insertBatch({ pointId: input.pointId, period: input.period, paymentCount: withAccount.length, totalFen, preparedBy: input.actor, preparedAt: clock.now() });
        await w.insertPendingPayments(
          batchId,
          withAccount.map((e) => {
            const account = accounts.get(e.subjectKey)!;
            return { subjectKey: e.subjectKey, idempotencyKey: e.idempotencyKey, amountFen: e.amountFen!, ...sealAccount(account.accountNumber), accountKind: account.accountKind };
          }),
        );
        await w.markEntriesBatched(input.pointId, input.period, withAccount.map((e) => e.subjectKey), clock.now());
        await appendAudit(w.tx, clock, {
          actor: input.actor,
          action: 'batch.prepared',
          entityType: 'payout_batch',
          entityId: String(batchId),
          payload: { pointId: input.pointId, period: input.period, paymentCount: withAccount.length, totalFen, withoutAccount: withoutAccount.length },
        });
        return { batchId, paymentCount: withAccount.length, totalFen, withoutAccount };
      });
    },

    async approve(input) {
      const batch = await loadBatch(input.batchId);
      if (batch.preparedBy === input.actor) {
        throw new AppError('SELF_APPROVAL_FORBIDDEN', `Batch ${input.batchId} was prepared by ${input.actor}; another finance officer must approve it (四眼原则：制单人不得审批).`, {
          batchId: input.batchId,
        });
      }
      if (batch.status !== 'prepared') {
        throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} is ${batch.status}; only a prepared batch can be approved.`);
      }
      await repo.transaction(async (w) => {
        if (!(await w.approvePreparedBatch(input.batchId, input.actor, clock.now()))) {
          throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} changed state while being approved; reload it.`);
        }
        await appendAudit(w.tx, clock, {
          actor: input.actor,
          action: 'batch.approved',
          entityType: 'payout_batch',
          entityId: String(input.batchId),
          payload: { preparedBy: batch.preparedBy, totalFen: batch.totalFen, paymentCount: batch.paymentCount },
        });
      });
    },

    async send(bank, input) {
      const batch = await loadBatch(input.batchId);
      if (batch.status !== 'approved' && batch.status !== 'sent') {
        throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} is ${batch.status}; it must be approved before it is sent.`);
      }
      const pending = await repo.pendingPayments(input.batchId);
      // Submit first, then mark sent: a crash in between re-submits on the next call, and the bank
      // books each end-to-end id once, so nobody is paid twice.
      await atBank(`submitting batch ${input.batchId}`, () => bank.submit(pending.map((p) => ({ endToEndId: p.idempotencyKey, accountNumber: decryptField(p.accountEnc), amountFen: p.amountFen, payeeName: p.name }))));
      await repo.transaction(async (w) => {
        await w.markPaymentsSent(input.batchId, pending.map((p) => p.idempotencyKey), clock.now());
        await w.markBatchSent(input.batchId, batch.sentAt ?? clock.now());
        await appendAudit(w.tx, clock, { actor: input.actor, action: 'batch.sent', entityType: 'payout_batch', entityId: String(input.batchId), payload: { sent: pending.length } });
      });
      return { sent: pending.length };
    },

    async reconcile(log, bank, actor) {
      const reports = await atBank('reading status reports', () => bank.pendingReports());
      const result: Reconciliation = { paid: 0, failed: 0, batchesReconciled: [] };
      await repo.transaction(async (w) => {
        const touched = new Set<number>();
        for (const report of reports) {
          const paid = report.status === 'booked';
          const payment = await w.settleSentPayment(report.endToEndId, {
            status: paid ? 'paid' : 'failed',
            bankReference: report.bankReference,
            failureCode: paid ? null : report.reasonCode,
            failureReason: paid ? null : (REASON_TEXT[report.reasonCode ?? ''] ?? report.reasonCode),
            at: clock.now(),
          });
          if (!payment) continue; // already applied, or not ours
          touched.add(payment.batchId);
          await w.setEntryPaymentStatus(payment.subjectKey, payment.idempotencyKey, paid ? 'paid' : 'payment_failed', clock.now());
          await appendAudit(w.tx, clock, {
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
          if ((await w.openPaymentCount(batchId)) === 0) {
            await w.markBatchReconciled(batchId, clock.now());
            await appendAudit(w.tx, clock, { actor, action: 'batch.reconciled', entityType: 'payout_batch', entityId: String(batchId), payload: {} });
            result.batchesReconciled.push(batchId);
          }
        }
      });
      await atBank('acknowledging status reports', () => bank.acknowledge(reports.map((r) => r.endToEndId)));
      return result;
    },
  };
}

// The entry points for callers holding the Database (the demo cycle, the staff API, tests): each builds
// the repository from it and runs the service's step.

export function prepareBatch(db: Database, clock: Clock, input: { pointId: string; period: string; actor: string }): Promise<PreparedBatch> {
  return payoutService(payoutRepository(db), clock).prepare(input);
}

export function approveBatch(db: Database, clock: Clock, input: { batchId: number; actor: string }): Promise<void> {
  return payoutService(payoutRepository(db), clock).approve(input);
}

/** Sends the batch's pending payments. Safe to call again: nothing already sent goes out twice. */
export function sendBatch(db: Database, clock: Clock, bank: BankChannel, input: { batchId: number; actor: string }): Promise<{ sent: number }> {
  return payoutService(payoutRepository(db), clock).send(bank, input);
}

/** Applies the bank's status reports to payments and list entries; closes batches with nothing in flight. */
export function reconcile(db: Database, clock: Clock, log: Logger, bank: BankChannel, actor: string): Promise<Reconciliation> {
  return payoutService(payoutRepository(db), clock).reconcile(log, bank, actor);
}
