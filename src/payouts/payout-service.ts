// Payout batches: prepare from the eligibility list, approve by a second person (four eyes), send
// through a bank channel, reconcile the bank's status reports. Each state change and its audit entry
// commit together. Sending is safe to repeat: only pending payments go out, and the channel books an
// end-to-end id once.
import { appendAudit } from '../audit/audit-trail.ts';
import { checkpointAfterCommit } from '../audit/checkpoint-events.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { DEFAULT_SECOND_APPROVAL_ABOVE_FEN } from '../config.ts';
import { AppError } from '../errors.ts';
import { actorRef, authorize, type Actor, type StaffActor } from '../identity/permissions.ts';
import type { Logger } from '../logger.ts';
import { payeeAccount, type PayeeAccount } from '../matching/subject-facts.ts';
import { CURRENT_PERIOD } from '../subjects/facts-repository.ts';
import type { BankChannel } from './bank-channel.ts';
import { endToEndIdFor, messageIdFor } from './payment-keys.ts';
import { reconcileReports, type Reconciliation } from './reconciliation.ts';
import { decryptField, sealAccount } from '../subjects/personal-data.ts';
import { payoutRepository, type PayoutRepository } from './payout-repository.ts';
import * as ledger from './budget-ledger.ts';
import { chinaDay } from '../calendar/working-days.ts';
import { gateOf, GATE_TEXT, type Gate } from '../lists/notice-gate.ts';
import { entryStandings, type StandingRow } from '../lists/notice-repository.ts';
import { waiveExpired } from '../lists/notice-service.ts';
import { formatYuan } from '../money.ts';

export interface PreparedBatch {
  batchId: number;
  paymentCount: number;
  totalFen: bigint;
  /** Eligible but not payable: no account on record (应享未享 risk, followed up by staff). */
  withoutAccount: string[];
  /** Listed entries not yet payable, by where they wait (公示 under way, objection open, confirmation …). */
  waiting: Partial<Record<Gate, number>>;
}

export interface ApprovalResult {
  status: 'approved' | 'awaiting_second_approval';
}

export interface PayoutOptions {
  /** A batch whose total is above this needs a second approver (SECOND_APPROVAL_ABOVE_FEN). */
  secondApprovalAboveFen?: bigint;
}

/** Payout steps are staff work: the actor must be a staff account (four eyes compares account ids). */
function staffOnly(actor: Actor): StaffActor {
  if (actor.kind !== 'staff') throw new AppError('FORBIDDEN', 'Payout batches are handled by staff accounts only.');
  return actor;
}

export type { Reconciliation } from './reconciliation.ts';

export interface PayoutService {
  prepare(input: { pointId: string; period: string; actor: Actor }): Promise<PreparedBatch>;
  /** One approval: the batch is approved by it, or (above the second-approval amount) awaits a second. */
  approve(input: { batchId: number; actor: Actor }): Promise<ApprovalResult>;
  /** Refuses a prepared batch with a reason: its payments are withdrawn and its reservation released. */
  reject(input: { batchId: number; reason: string; actor: Actor }): Promise<{ status: 'rejected' }>;
  /** Sends the batch's pending payments. Safe to call again: nothing already sent goes out twice. */
  send(bank: BankChannel, input: { batchId: number; actor: Actor }): Promise<{ sent: number }>;
  /** Applies the bank's status reports to payments and list entries; closes batches with nothing in flight. */
  reconcile(log: Logger, bank: BankChannel, actor: Actor): Promise<Reconciliation>;
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

/**
 * The account each of a batch's subjects is paid to, and its district (for quota lines), by the point's
 * subject type. Accounts are read as they stand when the batch is prepared (an account supplied after
 * the match still pays; the payment records which one was used), for the batch's subjects only. An
 * enterprise: the basic account (current state), else the social-insurance account from 税务's annual
 * feed (the period's year or the year before, the later winning); its district is its registered one.
 * A person: the 社保卡 account from 人社 (current state); its district is that of its 户籍.
 */
async function payeesOf(repo: PayoutRepository, pointId: string, period: string, subjectKeys: string[]): Promise<{ accounts: Map<string, PayeeAccount | undefined>; districts: Map<string, string | null> }> {
  const subjectType = (await repo.pointSubjectType(pointId)) ?? 'enterprise';
  const year = Number(period.slice(0, 4));
  const periods = [CURRENT_PERIOD, String(year - 1), String(year)];
  const watermark = await repo.factWatermark();
  const accounts = new Map<string, PayeeAccount | undefined>();
  const districts = new Map<string, string | null>();
  const districtFact = subjectType === 'person' ? 'hukouRegion' : 'regionCode';
  for await (const subject of repo.payeeFacts(watermark, periods, subjectType, subjectKeys)) {
    accounts.set(subject.subjectKey, payeeAccount(subject.facts, subjectType));
    const district = subject.facts[districtFact];
    districts.set(subject.subjectKey, typeof district === 'string' ? district : null);
  }
  return { accounts, districts };
}

/** Preparation found payable entries whose payees it has not read yet: read them and try again. */
class PayeesUnread extends Error {
  readonly subjectKeys: string[];
  constructor(subjectKeys: string[]) {
    super(`${subjectKeys.length} payable entries have no payee read yet`);
    this.subjectKeys = subjectKeys;
  }
}

/** The payout steps over a repository (its SQL) and a clock (every time it records). */
export function payoutService(repo: PayoutRepository, clock: Clock, options: PayoutOptions = {}): PayoutService {
  const secondApprovalAboveFen = options.secondApprovalAboveFen ?? DEFAULT_SECOND_APPROVAL_ABOVE_FEN;
  async function loadBatch(batchId: number) {
    const batch = await repo.findBatch(batchId);
    if (!batch) throw new AppError('BATCH_NOT_FOUND', `Payout batch ${batchId} does not exist.`);
    return batch;
  }

  return {
    async prepare(input) {
      authorize(input.actor, 'batch.prepare');
      const preparer = staffOnly(input.actor);
      // Payees (accounts, districts) are read before the transaction, on the raw client, for the entries
      // payable now: the embedded database serves one transaction at a time, so a read on another
      // connection inside it would wait for it for ever. Should the transaction, under its lock, find an
      // entry payable that was not read (a list changed in between), it rolls back, reads, and goes again.
      const payees = { accounts: new Map<string, PayeeAccount | undefined>(), districts: new Map<string, string | null>() };
      const readPayees = async (keys: string[]) => {
        if (keys.length === 0) return;
        const read = await payeesOf(repo, input.pointId, input.period, keys);
        for (const k of keys) {
          payees.accounts.set(k, read.accounts.get(k));
          payees.districts.set(k, read.districts.get(k) ?? null);
        }
      };
      const todayNow = chinaDay(clock.now());
      await readPayees((await entryStandings(repo.orm, input.pointId, input.period)).filter((s) => gateOf(s, todayNow) === 'payable').map((s) => s.subjectKey));
      const attempt = () => repo.transaction(async (w) => {
        // Everything below runs under the point's budget lock: the entries are read after it is taken,
        // so a concurrent preparation of the same point either finds them batched or waits for this one.
        await ledger.lockPointBudget(w.tx, input.pointId, input.period);
        // Confirmations past their deadline are waived first (视为自愿放弃), in this transaction.
        await waiveExpired(w.tx, clock, actorRef(input.actor), { pointId: input.pointId, period: input.period });
        // Only entries whose 公示 has ended with no open objection (and, where the point asks, that the
        // subject confirmed) go into a batch; the others are counted by where they wait.
        const today = chinaDay(clock.now());
        const waiting: Partial<Record<Gate, number>> = {};
        const payable: { subjectKey: string; idempotencyKey: string; amountFen: bigint; confirmedAccount: StandingRow['confirmedAccount'] }[] = [];
        for (const s of await entryStandings(w.tx, input.pointId, input.period)) {
          const gate = gateOf(s, today);
          if (gate === 'payable') payable.push(s);
          else waiting[gate] = (waiting[gate] ?? 0) + 1;
        }
        if (payable.length === 0) {
          const why = Object.entries(waiting).map(([g, n]) => `${n} ${GATE_TEXT[g as Gate]}`).join('; ');
          throw new AppError('BATCH_EMPTY', `No entry of ${input.pointId} ${input.period} is ready to pay${why ? ` (${why})` : ''}; an entry is paid once its 公示 has ended with no open objection${why ? '' : '; run a match and publish its list first'}.`, { waiting });
        }

        // Accounts are read as they stand when the batch is prepared, for the point's subject type
        // (payeesOf); an account the subject confirmed (确认) is the one paid, over the account on record.
        const unread = payable.filter((e) => !payees.accounts.has(e.subjectKey)).map((e) => e.subjectKey);
        if (unread.length > 0) throw new PayeesUnread(unread);
        const accounts = new Map(payees.accounts);
        const districts = payees.districts;
        for (const e of payable) if (e.confirmedAccount !== null) accounts.set(e.subjectKey, { accountNumber: decryptField(e.confirmedAccount.accountEnc), accountKind: e.confirmedAccount.accountKind });

        const withAccount = payable.filter((e) => accounts.get(e.subjectKey) !== undefined);
        const withoutAccount = payable.filter((e) => accounts.get(e.subjectKey) === undefined).map((e) => e.subjectKey);
        if (withAccount.length === 0) {
          throw new AppError('BATCH_EMPTY', `No payable entries for ${input.pointId} ${input.period}: ${withoutAccount.length} eligible entries have no account on record; collect a basic or social-insurance account first (for a person, the 社保卡 account: feed hrss-sscard-accounts).`, {
            withoutAccount: withoutAccount.length,
          });
        }
        const totalFen = withAccount.reduce((sum, e) => sum + e.amountFen, 0n);

        // Budget: each payment draws on its line; the batch is refused whole when a line cannot hold it
        // (a list that no longer fits, e.g. after a budget was lowered): nothing is reserved then.
        const lines = await ledger.budgetLinesOf(w.tx, input.pointId, input.period);
        const rows = withAccount.map((e) => ({ ...e, budgetLine: ledger.lineForDistrict(lines, districts.get(e.subjectKey) ?? null) }));
        const asked = ledger.byLine(rows);
        const inUse = await ledger.inUseByLine(w.tx, input.pointId, input.period);
        for (const [line, fen] of asked) {
          if (line === ledger.UNLIMITED_LINE) continue;
          const limit = lines.find((l) => l.line === line)?.limitFen ?? 0n;
          const used = inUse.get(line) ?? 0n;
          if (used + fen > limit) {
            throw new AppError('BUDGET_EXCEEDED', `Batch for ${input.pointId} ${input.period} needs ${formatYuan(fen)} on budget line ${line}, which has ${formatYuan(limit)} with ${formatYuan(used)} already reserved, committed or paid; ${formatYuan(limit - used > 0n ? limit - used : 0n)} is left. Nothing was reserved. Re-run the match so the list is cut to what is left, or have the budget raised.`, {
              line,
              limitFen: limit,
              inUseFen: used,
              askedFen: fen,
            });
          }
        }

        const batchId = await w.insertBatch({ pointId: input.pointId, period: input.period, paymentCount: rows.length, totalFen, preparedBy: preparer.accountId, preparedAt: clock.now(), needsSecondApproval: totalFen > secondApprovalAboveFen });
        await w.insertPendingPayments(
          batchId,
          rows.map((e) => {
            const account = accounts.get(e.subjectKey)!;
            return { subjectKey: e.subjectKey, idempotencyKey: e.idempotencyKey, amountFen: e.amountFen, budgetLine: e.budgetLine, ...sealAccount(account.accountNumber), accountKind: account.accountKind };
          }),
        );
        await ledger.recordMovements(w.tx, [...asked].map(([line, fen]) => ({ pointId: input.pointId, period: input.period, line, batchId, from: null, to: 'reserved' as const, amountFen: fen })), clock.now());
        await w.markEntriesBatched(input.pointId, input.period, rows.map((e) => e.subjectKey), clock.now());
        await appendAudit(w.tx, clock, {
          actor: actorRef(input.actor),
          action: 'batch.prepared',
          entityType: 'payout_batch',
          entityId: String(batchId),
          payload: { pointId: input.pointId, period: input.period, paymentCount: rows.length, totalFen, withoutAccount: withoutAccount.length, needsSecondApproval: totalFen > secondApprovalAboveFen, reserved: Object.fromEntries([...asked].map(([l, f]) => [l, f])) },
        });
        return { batchId, paymentCount: rows.length, totalFen, withoutAccount, waiting };
      });
      let prepared: PreparedBatch;
      for (let round = 0; ; round++) {
        try {
          prepared = await attempt();
          break;
        } catch (error) {
          if (!(error instanceof PayeesUnread) || round >= 2) throw error;
          await readPayees(error.subjectKeys);
        }
      }
      await checkpointAfterCommit('batch.prepared', String(prepared.batchId));
      return prepared;
    },

    async approve(input) {
      authorize(input.actor, 'batch.approve');
      const approver = staffOnly(input.actor);
      const batch = await loadBatch(input.batchId);
      // Four eyes on account ids: a name is not an identity, so no spelling of one can approve.
      if (batch.preparedBy === approver.accountId) {
        throw new AppError('SELF_APPROVAL_FORBIDDEN', `Batch ${input.batchId} was prepared by account ${batch.preparedBy}, the account approving it; another finance approver must approve it (四眼原则：制单人不得审批).`, {
          batchId: input.batchId,
        });
      }
      if (batch.status !== 'prepared') {
        throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} is ${batch.status}; only a prepared batch can be approved.`);
      }
      const step = batch.approvedBy === null ? 'first' : 'second';
      if (step === 'second' && batch.approvedBy === approver.accountId) {
        throw new AppError('SECOND_APPROVER_NOT_DISTINCT', `Batch ${input.batchId} (total ${batch.totalFen} fen) is above the second-approval amount and was first approved by account ${batch.approvedBy}, the account approving it now; a second finance approver, neither the preparer nor the first approver, must approve it.`, {
          batchId: input.batchId,
        });
      }
      const final = step === 'second' || !batch.needsSecondApproval;
      await repo.transaction(async (w) => {
        if (!(await w.approvePreparedBatch(input.batchId, approver.accountId, clock.now(), step, final))) {
          throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} changed state while being approved; reload it.`);
        }
        // Approved money is committed. A follow-up batch reserved nothing of its own: the money of the
        // payments it re-sends stayed committed when they failed, so it moves nothing here.
        if (final && batch.followUpOf === null) {
          const lines = ledger.byLine(await w.batchPaymentLines(input.batchId));
          await ledger.recordMovements(w.tx, [...lines].map(([line, fen]) => ({ pointId: batch.pointId, period: batch.period, line, batchId: input.batchId, from: 'reserved' as const, to: 'committed' as const, amountFen: fen })), clock.now());
        }
        await appendAudit(w.tx, clock, {
          actor: actorRef(input.actor),
          action: final ? 'batch.approved' : 'batch.first-approved',
          entityType: 'payout_batch',
          entityId: String(input.batchId),
          payload: { preparedBy: `account:${batch.preparedBy}`, ...(step === 'second' ? { firstApprovedBy: `account:${batch.approvedBy}` } : {}), totalFen: batch.totalFen, paymentCount: batch.paymentCount, needsSecondApproval: batch.needsSecondApproval },
        });
      });
      await checkpointAfterCommit('batch.approved', String(input.batchId));
      return { status: final ? 'approved' : 'awaiting_second_approval' };
    },

    async reject(input) {
      authorize(input.actor, 'batch.approve');
      const approver = staffOnly(input.actor);
      const reason = input.reason.trim();
      if (reason.length === 0) throw new AppError('REASON_REQUIRED', `Rejecting batch ${input.batchId} needs a reason (what is wrong with it, what the preparer should do).`);
      const batch = await loadBatch(input.batchId);
      if (batch.preparedBy === approver.accountId) {
        throw new AppError('SELF_APPROVAL_FORBIDDEN', `Batch ${input.batchId} was prepared by account ${batch.preparedBy}, the account rejecting it; another finance approver decides on it (四眼原则：制单人不得审批). A preparer who finds a mistake asks an approver to reject it.`, { batchId: input.batchId });
      }
      await repo.transaction(async (w) => {
        await ledger.lockPointBudget(w.tx, batch.pointId, batch.period);
        const locked = await w.lockBatch(input.batchId);
        if (locked?.status !== 'prepared') throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} is ${locked?.status ?? 'gone'}; only a prepared batch (not yet fully approved) can be rejected.`);
        const paymentLines = await w.batchPaymentLines(input.batchId);
        // A rejected batch's instructions never left: they are withdrawn, its entries return to the
        // list (or, for a follow-up batch, to re-verification), and its reservation is released.
        await w.withdrawBatch(input.batchId, locked.followUpOf !== null, clock.now());
        await w.markBatchRejected(input.batchId, approver.accountId, reason, clock.now());
        if (locked.followUpOf === null) {
          await ledger.recordMovements(w.tx, [...ledger.byLine(paymentLines)].map(([line, fen]) => ({ pointId: batch.pointId, period: batch.period, line, batchId: input.batchId, from: 'reserved' as const, to: 'released' as const, amountFen: fen })), clock.now());
        }
        await appendAudit(w.tx, clock, {
          actor: actorRef(input.actor),
          action: 'batch.rejected',
          entityType: 'payout_batch',
          entityId: String(input.batchId),
          payload: { reason, preparedBy: `account:${batch.preparedBy}`, paymentCount: paymentLines.length, totalFen: batch.totalFen, followUpOf: locked.followUpOf },
        });
      });
      return { status: 'rejected' as const };
    },

    async send(bank, input) {
      // One send at a time per batch: the batch row is locked (SELECT … FOR UPDATE) for the whole
      // send, transmission included. A concurrent send waits, then finds nothing pending and sends
      // nothing. If the channel fails the transaction rolls back and nothing is marked sent; if the
      // process dies after transmitting, the retry builds the same message id from the same pending
      // payments, and the channel (like a bank) takes a message id and an end-to-end id once.
      authorize(input.actor, 'batch.send');
      const outcome = await repo.transaction(async (w) => {
        const batch = await w.lockBatch(input.batchId);
        if (!batch) throw new AppError('BATCH_NOT_FOUND', `Payout batch ${input.batchId} does not exist.`);
        if (batch.status !== 'approved' && batch.status !== 'sent') {
          const awaiting = batch.approvedBy !== null ? ' (approved once; above the second-approval amount it needs a second finance approver)' : '';
          throw new AppError('BATCH_STATE_INVALID', `Batch ${input.batchId} is ${batch.status}${awaiting}; it must be approved before it is sent.`);
        }
        const pending = await w.pendingPayments(input.batchId);
        if (pending.length === 0) return { sent: 0 };
        const instructions = pending.map((p) => ({
          endToEndId: p.endToEndId ?? endToEndIdFor(p.idempotencyKey),
          // Decrypted here, at the boundary, and nowhere else: the channel needs the clear number.
          accountNumber: decryptField(p.accountEnc),
          amountFen: p.amountFen,
          payeeName: p.name,
          remittance: `${p.pointId} ${p.period}`,
        }));
        const messageId = messageIdFor(input.batchId, instructions.map((i) => i.endToEndId));
        const at = clock.now();
        const transmission = await atBank(`submitting batch ${input.batchId}`, () => bank.transmit({ messageId, batchId: input.batchId, createdAt: at, instructions }, w.tx));
        const totalFen = instructions.reduce((sum, i) => sum + i.amountFen, 0n);
        await w.recordMessage({ messageId, batchId: input.batchId, channel: bank.kind, reference: transmission.reference, sha256: transmission.sha256, paymentCount: instructions.length, totalFen, createdAt: at });
        await w.markPaymentsSent(input.batchId, pending.map((p) => p.idempotencyKey), at, messageId);
        await w.markBatchSent(input.batchId, batch.sentAt ?? at);
        await appendAudit(w.tx, clock, {
          actor: actorRef(input.actor),
          action: 'batch.sent',
          entityType: 'payout_batch',
          entityId: String(input.batchId),
          payload: { sent: pending.length, totalFen, messageId, channel: bank.kind, reference: transmission.reference, sha256: transmission.sha256, repeated: transmission.repeated },
        });
        return { sent: pending.length };
      });
      if (outcome.sent > 0) await checkpointAfterCommit('batch.sent', String(input.batchId));
      return outcome;
    },

    async reconcile(log, bank, actor) {
      const result = await reconcileReports(repo.orm, clock, log, bank, actor);
      if (result.paid + result.failed + result.returned > 0) await checkpointAfterCommit('payments.settled', result.batchesReconciled.join(',') || 'open batches');
      return result;
    },
  };
}

// The entry points for callers holding the Database (the demo cycle, the staff API, tests): each builds
// the repository from it and runs the service's step.

export function prepareBatch(db: Database, clock: Clock, input: { pointId: string; period: string; actor: Actor } & PayoutOptions): Promise<PreparedBatch> {
  return payoutService(payoutRepository(db), clock, input).prepare(input);
}

export function approveBatch(db: Database, clock: Clock, input: { batchId: number; actor: Actor }): Promise<ApprovalResult> {
  return payoutService(payoutRepository(db), clock).approve(input);
}

export function rejectBatch(db: Database, clock: Clock, input: { batchId: number; reason: string; actor: Actor }): Promise<{ status: 'rejected' }> {
  return payoutService(payoutRepository(db), clock).reject(input);
}

/** Sends the batch's pending payments. Safe to call again: nothing already sent goes out twice. */
export function sendBatch(db: Database, clock: Clock, bank: BankChannel, input: { batchId: number; actor: Actor }): Promise<{ sent: number }> {
  return payoutService(payoutRepository(db), clock).send(bank, input);
}

/** Applies the bank's status reports to payments and list entries; closes batches with nothing in flight. */
export function reconcile(db: Database, clock: Clock, log: Logger, bank: BankChannel, actor: Actor): Promise<Reconciliation> {
  return payoutService(payoutRepository(db), clock).reconcile(log, bank, actor);
}
