// Reconciliation: applies the bank's reports (pain.002 status reports, camt.054 notifications) to
// payments. Each report file is applied in one transaction with its audit entries, and recorded in
// bank_reports so it is applied once. Rules:
// - every payment ends paid, failed (with the bank's reason) or returned (money came back);
// - a line that matches no payment, whose amount or currency differs from the instruction, or that
//   contradicts a final state is quarantined for a person (report_quarantine) and changes nothing;
//   the report's other lines still apply, so the rest of the batch settles;
// - a malformed file, or a duplicate (same bytes, or the same format and MsgId as one applied), is
//   recorded and reported and changes nothing;
// - failed and returned payments open an account re-verification; once verified (same or new
//   account) a follow-up batch re-sends each of them once (payment-keys.ts, and the constraints on
//   payments, make a second re-send impossible).
import type { PayeeAccountKind } from '../matching/subject-facts.ts';
import { createHash } from 'node:crypto';
import { actorRef, authorize, type Actor } from '../identity/permissions.ts';
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Orm, Tx } from '../db/clients.ts';
import { DEFAULT_SECOND_APPROVAL_ABOVE_FEN } from '../config.ts';
import { AppError, isAppError } from '../errors.ts';
import { decryptField, sealAccount } from '../subjects/personal-data.ts';
import type { Logger } from '../logger.ts';
import { maskUscc } from '../subjects/uscc.ts';
import { reasonText, type BankChannel } from './bank-channel.ts';
import { parseBankReport, type ParsedReport, type ReportLine } from './iso20022/report.ts';
import { endToEndIdFor, maskAccount, paymentKeyFor } from './payment-keys.ts';
import * as rr from './reconciliation-repository.ts';
import { recordMovements } from './budget-ledger.ts';
import { payoutBatches } from '../db/schema/index.ts';
import { eq } from 'drizzle-orm';

type Executor = Orm | Tx;

export interface Reconciliation {
  paid: number;
  failed: number;
  returned: number;
  quarantined: number;
  batchesReconciled: number[];
  /** Report files applied this time. */
  applied: string[];
  /** Files that repeat one already applied (same bytes or same MsgId): recorded, changed nothing. */
  duplicates: Array<{ reportId: string; of: string }>;
  /** Files that could not be read: recorded with the reason, changed nothing. */
  malformed: Array<{ reportId: string; error: string }>;
}

// Transaction statuses that mean "accepted, not yet booked": the payment stays sent.
const IN_FLIGHT = new Set(['ACCC', 'ACCP', 'ACSP', 'ACTC', 'ACWC', 'ACWP', 'PDNG', 'RCVD']);

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** A report line as stored with a quarantined line: amounts as strings of fen (JSON has no bigint). */
function lineJson(line: ReportLine): Record<string, unknown> {
  return Object.fromEntries(Object.entries(line).map(([k, v]) => [k, typeof v === 'bigint' ? v.toString() : v]));
}

/** Expands a group status given without transaction detail to the payments of the original message. */
async function linesOf(tx: Tx, report: ParsedReport): Promise<ReportLine[]> {
  if (report.lines.length > 0 || report.format !== 'pain.002.001.10' || report.originalMessageId === null || report.groupStatus === null) return report.lines;
  // Only a group status that says the same of every payment is expanded; PART without detail, or a
  // status this system does not act on (e.g. RCVC from a verification-of-payee check), says nothing
  // per payment: the report is recorded with its group status and no lines.
  if (report.groupStatus !== 'RJCT' && report.groupStatus !== 'ACSC' && !IN_FLIGHT.has(report.groupStatus)) return [];
  const carried = await rr.paymentsOfMessage(tx, report.originalMessageId);
  return carried.map((p) => ({ kind: 'status', endToEndId: p.endToEndId, status: report.groupStatus!, reasonCode: report.groupReasonCode, reasonText: null, amountFen: null, currency: null, bankReference: null }));
}

interface Tally {
  paid: number;
  failed: number;
  returned: number;
  quarantined: number;
  batches: Set<number>;
}

/**
 * What a settlement moves on the budget ledger. Paid: committed → paid. A first attempt that failed or
 * came back stays committed — it is owed and is re-sent once after re-verification (money returned
 * after it was paid goes back to committed). A re-send that fails or comes back is final: released.
 */
function budgetMovement(payment: rr.PaymentRow, outcome: 'paid' | 'failed' | 'returned'): { from: 'committed' | 'paid'; to: 'paid' | 'committed' | 'released' } | null {
  const wasPaid = payment.status === 'paid';
  if (outcome === 'paid') return { from: 'committed', to: 'paid' };
  if (payment.attempt === 0) return wasPaid ? { from: 'paid', to: 'committed' } : null;
  return { from: wasPaid ? 'paid' : 'committed', to: 'released' };
}

async function applyReport(tx: Tx, clock: Clock, log: Logger, actor: string, reportKey: string, report: ParsedReport, tally: Tally): Promise<number> {
  const lines = await linesOf(tx, report);
  const quarantine = async (lineNo: number, line: ReportLine, problem: rr.QuarantineRow['problem'], detail: string) => {
    const id = await rr.insertQuarantine(tx, { reportId: reportKey, lineNo, endToEndId: line.endToEndId, problem, detail, line: lineJson(line), createdAt: clock.now() });
    await appendAudit(tx, clock, { actor, action: 'bank_report.line_quarantined', entityType: 'report_quarantine', entityId: String(id), payload: { reportId: reportKey, lineNo, problem, endToEndId: line.endToEndId, detail } });
    log.warn({ reportId: reportKey, lineNo, problem, endToEndId: line.endToEndId }, 'bank report line quarantined for a person');
    tally.quarantined++;
  };

  for (const [index, line] of lines.entries()) {
    const lineNo = index + 1;
    const payment = line.endToEndId === null ? undefined : await rr.paymentByEndToEndId(tx, line.endToEndId);
    if (!payment) {
      await quarantine(lineNo, line, 'unknown-payment', `No payment has EndToEndId ${line.endToEndId ?? '(none given)'}; find the payment it belongs to with the bank before resolving.`);
      continue;
    }
    if (line.kind === 'other') {
      await quarantine(lineNo, line, 'unusable-line', `Line for ${line.endToEndId} is a ${line.description}; it cannot settle a payment.`);
      continue;
    }
    if (line.currency !== null && line.currency !== 'CNY') {
      await quarantine(lineNo, line, 'currency-mismatch', `Line for ${line.endToEndId} is in ${line.currency || '(no currency)'}; the instruction was in CNY. The payment was left as it was.`);
      continue;
    }
    if (line.amountFen !== null && line.amountFen !== payment.amountFen) {
      await quarantine(lineNo, line, 'amount-mismatch', `Line for ${line.endToEndId} is for ${line.amountFen} fen; the instruction was ${payment.amountFen} fen. The payment was left as it was.`);
      continue;
    }
    const open = payment.status === 'pending' || payment.status === 'sent';
    const conflict = () => quarantine(lineNo, line, 'state-conflict', `Line for ${line.endToEndId} (${line.kind}${line.kind === 'status' ? ` ${line.status}` : ''}) contradicts the payment's state ${payment.status}; check with the bank.`);
    const entitlementKey = payment.entitlementKey ?? payment.idempotencyKey;

    let outcome: 'paid' | 'failed' | 'returned' | null = null;
    let code: string | null = null;
    let text: string | null = null;
    let bankReference: string | null;
    if (line.kind === 'status') {
      if (line.status === 'ACSC') {
        if (open) outcome = 'paid';
        else if (payment.status !== 'paid') await conflict();
      } else if (line.status === 'RJCT') {
        if (open) outcome = 'failed';
        else if (payment.status !== 'failed') await conflict();
      } else if (IN_FLIGHT.has(line.status)) {
        if (open) await rr.setPaymentBankStatus(tx, payment, line.status);
      } else {
        await quarantine(lineNo, line, 'unknown-status', `Line for ${line.endToEndId} has transaction status ${line.status}, which is not an ISO status this system acts on.`);
      }
      code = line.reasonCode;
      text = line.reasonText;
      bankReference = line.bankReference;
    } else if (line.kind === 'booking') {
      if (open) outcome = 'paid';
      else if (payment.status !== 'paid') await conflict();
      bankReference = line.bankReference;
    } else {
      if (open || payment.status === 'paid') outcome = 'returned';
      else if (payment.status !== 'returned') await conflict();
      code = line.reasonCode;
      text = line.reasonText;
      bankReference = line.bankReference;
    }
    if (outcome === null) continue;

    const failureReason = outcome === 'paid' ? null : (reasonText(code, text) ?? '银行未说明原因');
    await rr.setPaymentOutcome(tx, payment, { status: outcome, bankReference: bankReference ?? payment.bankReference, failureCode: outcome === 'paid' ? null : code, failureReason, at: clock.now() });
    await rr.setEntryStatus(tx, payment.subjectKey, entitlementKey, outcome === 'paid' ? 'paid' : 'payment_failed', clock.now());
    const movement = budgetMovement(payment, outcome);
    if (movement !== null) {
      const [batch] = await tx.select({ pointId: payoutBatches.pointId, period: payoutBatches.period }).from(payoutBatches).where(eq(payoutBatches.id, payment.batchId));
      await recordMovements(tx, [{ pointId: batch!.pointId, period: batch!.period, line: payment.budgetLine, batchId: payment.batchId, amountFen: payment.amountFen, ...movement }], clock.now());
    }
    await appendAudit(tx, clock, {
      actor,
      action: `payment.${outcome}`,
      entityType: 'payment',
      entityId: payment.idempotencyKey,
      payload: { batchId: payment.batchId, subjectKey: payment.subjectKey, amountFen: payment.amountFen, endToEndId: payment.endToEndId, reportId: reportKey, bankReference, reasonCode: code },
    });
    tally.batches.add(payment.batchId);
    tally[outcome]++;
    if (outcome !== 'paid') {
      // Only a first attempt is re-sent automatically; a failed re-send needs a person (exhausted).
      const status = payment.attempt === 0 ? 'open' : 'exhausted';
      await rr.insertReverification(tx, { subjectKey: payment.subjectKey, paymentKey: payment.idempotencyKey, entitlementKey, batchId: payment.batchId, outcome, reasonCode: code, reason: failureReason, failedAccountNumber: payment.accountEnc, status, createdAt: clock.now() });
      await appendAudit(tx, clock, { actor, action: 'account.reverification_opened', entityType: 'payment', entityId: payment.idempotencyKey, payload: { outcome, reasonCode: code, status, account: payment.accountMasked } });
      log.warn({ batchId: payment.batchId, subject: maskUscc(payment.subjectKey), reasonCode: code, outcome }, 'payment not completed; account goes to re-verification');
    }
  }
  return lines.length;
}

/** Reads the channel's reports and applies each new one; see the file comment for the rules. */
export async function reconcileReports(orm: Executor, clock: Clock, log: Logger, bank: BankChannel, who: Actor): Promise<Reconciliation> {
  authorize(who, 'bank.reconcile');
  const actor = actorRef(who);
  let reports;
  try {
    reports = await bank.fetchReports();
  } catch (error) {
    throw new AppError('BANK_CHANNEL_FAILED', `The bank channel failed while reading status reports: ${(error as Error)?.message ?? String(error)}. Nothing was settled; repeat the call once the channel is back.`);
  }
  const result: Reconciliation = { paid: 0, failed: 0, returned: 0, quarantined: 0, batchesReconciled: [], applied: [], duplicates: [], malformed: [] };
  const keyOf = (reportId: string) => `${bank.kind}:${reportId}`;
  const seen = await rr.recordedReportIds(orm, reports.map((r) => keyOf(r.reportId)));
  const recorded: string[] = [...reports.filter((r) => seen.has(keyOf(r.reportId))).map((r) => r.reportId)];
  for (const report of reports) {
    const reportKey = keyOf(report.reportId);
    if (seen.has(reportKey)) continue;
    const digest = sha256(report.content);
    let parsed: ParsedReport;
    try {
      parsed = parseBankReport(report.content, report.reportId);
    } catch (error) {
      if (!isAppError(error, 'REPORT_MALFORMED')) throw error;
      await orm.transaction(async (tx) => {
        if (!(await rr.insertReport(tx, { reportId: reportKey, sha256: digest, outcome: 'malformed', detail: error.message, receivedAt: clock.now() }))) return;
        await appendAudit(tx, clock, { actor, action: 'bank_report.malformed', entityType: 'bank_report', entityId: reportKey, payload: { sha256: digest, error: error.message } });
        result.malformed.push({ reportId: report.reportId, error: error.message });
      });
      log.error({ reportId: reportKey, error: error.message }, 'bank report unreadable; it changed nothing');
      recorded.push(report.reportId);
      continue;
    }
    const tally: Tally = { paid: 0, failed: 0, returned: 0, quarantined: 0, batches: new Set() };
    const closed: number[] = [];
    const outcome = await orm.transaction(async (tx) => {
      const twin = await rr.appliedTwin(tx, digest, parsed.format, parsed.messageId);
      if (twin) {
        const detail = twin.sha256 === digest ? `same bytes as ${twin.reportId}` : `same ${parsed.format} MsgId ${parsed.messageId} as ${twin.reportId}`;
        if (!(await rr.insertReport(tx, { reportId: reportKey, sha256: digest, format: parsed.format, messageId: parsed.messageId, outcome: 'duplicate', detail, receivedAt: clock.now() }))) return 'skipped';
        await appendAudit(tx, clock, { actor, action: 'bank_report.duplicate', entityType: 'bank_report', entityId: reportKey, payload: { of: twin.reportId, messageId: parsed.messageId, sha256: digest } });
        result.duplicates.push({ reportId: report.reportId, of: twin.reportId });
        return 'duplicate';
      }
      if (!(await rr.insertReport(tx, { reportId: reportKey, sha256: digest, format: parsed.format, messageId: parsed.messageId, outcome: 'applied', receivedAt: clock.now() }))) return 'skipped';
      const lineCount = await applyReport(tx, clock, log, actor, reportKey, parsed, tally);
      await rr.setReportLineCount(tx, reportKey, lineCount);
      for (const batchId of tally.batches) {
        if ((await rr.openPaymentCount(tx, batchId)) === 0 && (await rr.markBatchReconciled(tx, batchId, clock.now()))) {
          await appendAudit(tx, clock, { actor, action: 'batch.reconciled', entityType: 'payout_batch', entityId: String(batchId), payload: {} });
          closed.push(batchId);
        }
      }
      await appendAudit(tx, clock, {
        actor,
        action: 'bank_report.applied',
        entityType: 'bank_report',
        entityId: reportKey,
        payload: { format: parsed.format, messageId: parsed.messageId, originalMessageId: parsed.originalMessageId, groupStatus: parsed.groupStatus, sha256: digest, lines: lineCount, paid: tally.paid, failed: tally.failed, returned: tally.returned, quarantined: tally.quarantined },
      });
      return 'applied';
    });
    if (outcome === 'applied') {
      result.applied.push(report.reportId);
      result.paid += tally.paid;
      result.failed += tally.failed;
      result.returned += tally.returned;
      result.quarantined += tally.quarantined;
      result.batchesReconciled.push(...closed);
    }
    if (outcome === 'duplicate') log.warn({ reportId: reportKey }, 'duplicate bank report; it changed nothing');
    recorded.push(report.reportId);
  }
  try {
    await bank.acknowledge(recorded);
  } catch (error) {
    // Everything is recorded already; the next run skips these reports whatever the channel says.
    log.warn({ error: (error as Error)?.message }, 'bank channel did not take the acknowledgement; reports are recorded and will not be applied twice');
  }
  return result;
}

// --- quarantine, for a person -------------------------------------------------------------------

export function listQuarantine(orm: Executor, status: 'open' | 'resolved' | 'all' = 'open') {
  return rr.quarantineLines(orm, status);
}

/** Closes a quarantined line with the person's reason (what they found, what they did), audited. */
export async function resolveQuarantine(orm: Orm, clock: Clock, request: { id: number; reason: string; actor: Actor }): Promise<void> {
  authorize(request.actor, 'bank.reconcile');
  const input = { ...request, actor: actorRef(request.actor) };
  const reason = input.reason.trim();
  if (reason.length < 4) throw new AppError('ARGUMENT_INVALID', `Give the reason the quarantined line ${input.id} is resolved (what was found with the bank, what was done); "${input.reason}" is too short.`);
  await orm.transaction(async (tx) => {
    const row = await rr.resolveQuarantineLine(tx, input.id, input.actor, reason, clock.now());
    if (!row) throw new AppError('QUARANTINE_NOT_FOUND', `No open quarantined report line has id ${input.id}; list them with: cli quarantine list.`);
    await appendAudit(tx, clock, { actor: input.actor, action: 'bank_report.line_resolved', entityType: 'report_quarantine', entityId: String(input.id), payload: { reportId: row.reportId, lineNo: row.lineNo, problem: row.problem, reason } });
  });
}

// --- account re-verification and follow-up batches ----------------------------------------------

export function listReverifications(orm: Executor, statuses: rr.ReverificationRow['status'][] = ['open', 'verified', 'exhausted']) {
  return rr.reverifications(orm, statuses);
}

/** Records that a failed or returned payment's account was re-verified (the same account, or a new one). */
export async function verifyAccount(orm: Orm, clock: Clock, request: { subjectKey: string; paymentKey: string; accountNumber: string; accountKind: PayeeAccountKind; actor: Actor }): Promise<void> {
  authorize(request.actor, 'bank.reconcile');
  const input = { ...request, actor: actorRef(request.actor) };
  if (!/^\d{6,34}$/.test(input.accountNumber)) throw new AppError('ARGUMENT_INVALID', `accountNumber must be 6 to 34 digits, the account to pay ${maskUscc(input.subjectKey)}; got ${maskAccount(input.accountNumber)} (${input.accountNumber.length} characters).`);
  await orm.transaction(async (tx) => {
    // Both accounts are kept sealed (SM4, as in payments): the failed one as the payment held it.
    const sealed = sealAccount(input.accountNumber);
    const row = await rr.verifyReverification(tx, input, { accountNumber: sealed.accountEnc, accountKind: input.accountKind, by: input.actor, at: clock.now() });
    if (!row) throw new AppError('REVERIFICATION_NOT_FOUND', `No open account re-verification for payment ${input.paymentKey} of ${maskUscc(input.subjectKey)}; list them with: cli reverify list.`);
    await appendAudit(tx, clock, { actor: input.actor, action: 'account.reverified', entityType: 'payment', entityId: input.paymentKey, payload: { account: maskAccount(input.accountNumber), changed: input.accountNumber !== decryptField(row.failedAccountNumber), accountKind: input.accountKind } });
  });
}

/**
 * A follow-up batch (补发批次) re-sending a batch's failed and returned payments whose accounts were
 * re-verified: each once, as attempt 1 with its own key and end-to-end id. It is a prepared batch like
 * any other: it needs a second person's approval before it is sent.
 */
export async function prepareFollowUpBatch(orm: Orm, clock: Clock, request: { sourceBatchId: number; actor: Actor; secondApprovalAboveFen?: bigint }): Promise<{ batchId: number; paymentCount: number; totalFen: bigint }> {
  authorize(request.actor, 'batch.prepare');
  if (request.actor.kind !== 'staff') throw new AppError('FORBIDDEN', 'Payout batches are prepared by staff accounts only.');
  const preparer = request.actor.accountId;
  const input = { ...request, actor: actorRef(request.actor) };
  return orm.transaction(async (tx) => {
    // Locking the source batch serialises follow-ups of the same batch.
    const source = await rr.lockBatchRow(tx, input.sourceBatchId);
    if (!source) throw new AppError('BATCH_NOT_FOUND', `Payout batch ${input.sourceBatchId} does not exist.`);
    const verified = await rr.verifiedOfBatch(tx, input.sourceBatchId);
    if (verified.length === 0) throw new AppError('FOLLOW_UP_EMPTY', `Batch ${input.sourceBatchId} has no failed or returned payment with a re-verified account; verify accounts first (cli reverify list).`);
    const totalFen = verified.reduce((sum, v) => sum + v.amountFen, 0n);
    const batchId = await rr.insertFollowUpBatch(tx, { pointId: source.pointId, period: source.period, paymentCount: verified.length, totalFen, preparedBy: preparer, preparedAt: clock.now(), followUpOf: source.id, needsSecondApproval: totalFen > (request.secondApprovalAboveFen ?? DEFAULT_SECOND_APPROVAL_ABOVE_FEN) });
    await rr.insertResendPayments(
      tx,
      verified.map(({ r, amountFen, budgetLine }) => {
        const key = paymentKeyFor(r.entitlementKey, 1);
        return { subjectKey: r.subjectKey, idempotencyKey: key, entitlementKey: r.entitlementKey, attempt: 1, endToEndId: endToEndIdFor(key), batchId, amountFen, budgetLine, ...sealAccount(r.verifiedAccountNumber!), accountKind: r.verifiedAccountKind!, status: 'pending' as const };
      }),
    );
    await rr.markResent(tx, verified.map(({ r }) => ({ subjectKey: r.subjectKey, paymentKey: r.paymentKey })), batchId);
    for (const { r } of verified) await rr.setEntryStatus(tx, r.subjectKey, r.entitlementKey, 'batched', clock.now());
    await appendAudit(tx, clock, { actor: input.actor, action: 'batch.prepared', entityType: 'payout_batch', entityId: String(batchId), payload: { pointId: source.pointId, period: source.period, followUpOf: source.id, paymentCount: verified.length, totalFen } });
    return { batchId, paymentCount: verified.length, totalFen };
  });
}
