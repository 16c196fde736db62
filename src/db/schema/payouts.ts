// Payout batches, payment instructions, and the sandbox bank's own ledger.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { staffAccounts } from './identity.ts';

export const payoutBatches = pgTable(
  'payout_batches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    status: text('status', { enum: ['prepared', 'approved', 'sent', 'reconciled', 'rejected'] }).notNull(),
    paymentCount: integer('payment_count').notNull(),
    totalFen: bigint('total_fen', { mode: 'bigint' }).notNull(),
    preparedBy: bigint('prepared_by', { mode: 'number' })
      .notNull()
      .references(() => staffAccounts.id),
    preparedAt: timestamp('prepared_at', { withTimezone: true }).notNull(),
    approvedBy: bigint('approved_by', { mode: 'number' }).references(() => staffAccounts.id),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    /** Set at preparation from SECOND_APPROVAL_ABOVE_FEN: the batch needs a second approver. */
    needsSecondApproval: boolean('needs_second_approval').notNull().default(false),
    secondApprovedBy: bigint('second_approved_by', { mode: 'number' }).references(() => staffAccounts.id),
    secondApprovedAt: timestamp('second_approved_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    reconciledAt: timestamp('reconciled_at', { withTimezone: true }),
    /** A follow-up batch (补发批次): the batch whose failed or returned payments it re-sends. */
    followUpOf: bigint('follow_up_of', { mode: 'number' }),
    /** A finance approver (not the preparer) refused the batch, with the reason; its money is released. */
    rejectedBy: bigint('rejected_by', { mode: 'number' }).references(() => staffAccounts.id),
    rejectedAt: timestamp('rejected_at', { withTimezone: true }),
    rejectionReason: text('rejection_reason'),
  },
  // Four eyes on account ids, enforced by the database as well as the service: an approver is never the
  // preparer; a batch past 'prepared' has an approver (and, when it needs one, a second approver
  // distinct from both). A batch with no approver can therefore never be sent.
  (t) => [
    check(
      'payout_batches_four_eyes',
      sql`(${t.approvedBy} IS NULL OR ${t.approvedBy} <> ${t.preparedBy})
        AND (${t.secondApprovedBy} IS NULL OR (${t.approvedBy} IS NOT NULL AND ${t.secondApprovedBy} <> ${t.preparedBy} AND ${t.secondApprovedBy} <> ${t.approvedBy}))
        AND (${t.status} IN ('prepared', 'rejected') OR (${t.approvedBy} IS NOT NULL AND (NOT ${t.needsSecondApproval} OR ${t.secondApprovedBy} IS NOT NULL)))
        AND (${t.rejectedBy} IS NULL OR ${t.rejectedBy} <> ${t.preparedBy})
        AND ((${t.status} = 'rejected') = (${t.rejectedBy} IS NOT NULL AND ${t.rejectionReason} IS NOT NULL))`,
    ),
  ],
);

export const payments = pgTable(
  'payments',
  {
    subjectKey: text('subject_key').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    batchId: bigint('batch_id', { mode: 'number' })
      .notNull()
      .references(() => payoutBatches.id),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    /** The payee account, SM4-encrypted (sm4:<kid>:…); decrypted only when handed to the bank channel. */
    accountEnc: text('account_enc').notNull(),
    accountKeyId: text('account_key_id').notNull(),
    /** Last four digits, for portal and staff displays. */
    accountMasked: text('account_masked').notNull(),
    accountKind: text('account_kind', { enum: ['basic', 'social-insurance', 'social-security-card'] }).notNull(),
    status: text('status', { enum: ['pending', 'sent', 'paid', 'failed', 'returned'] }).notNull(),
    /** The budget line (pool) the payment's money is reserved on: 'total', 'quota:<code>', 'unlimited' … */
    budgetLine: text('budget_line').notNull().default('unlimited'),
    /**
     * The entitlement paid: the list entry's idempotency key (point, subject, period). The payment's own
     * key is the same for the first attempt and `<entitlement>~r1` for the one re-send; filled for
     * every row (older rows backfilled by the iso-sql migration, which also enforces NOT NULL).
     */
    entitlementKey: text('entitlement_key'),
    /** 0 for the first payment of an entitlement, 1 for its one re-send in a follow-up batch. */
    attempt: integer('attempt').notNull().default(0),
    /** ISO EndToEndId sent to the bank: 'MS' + the first 32 hex digits of SHA-256(payment key). */
    endToEndId: text('end_to_end_id'),
    /** MsgId of the pain.001 (or sandbox message) that carried it. */
    messageId: text('message_id'),
    /** The bank's last non-final transaction status (ACCP, PDNG …) while the payment is in flight. */
    bankStatus: text('bank_status'),
    bankReference: text('bank_reference'),
    failureCode: text('failure_code'),
    failureReason: text('failure_reason'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  // One payment per entitlement (point, period, subject): the database refuses a second.
  (t) => [
    primaryKey({ columns: [t.subjectKey, t.idempotencyKey] }),
    index('payments_batch').on(t.batchId, t.status),
    uniqueIndex('payments_end_to_end_id').on(t.endToEndId),
    // Each entitlement is re-sent at most once: attempts 0 and 1, one row each.
    uniqueIndex('payments_entitlement_attempt').on(t.subjectKey, t.entitlementKey, t.attempt),
    check('payments_attempt_once', sql`${t.attempt} IN (0, 1)`),
    // One entitlement is never paid twice: at most one payment of it pending, in flight or paid.
    uniqueIndex('payments_entitlement_live')
      .on(t.subjectKey, t.entitlementKey)
      .where(sql`${t.status} IN ('pending', 'sent', 'paid')`),
  ],
);

/** Every payment message transmitted (a pain.001 file, or the sandbox's equivalent), for audit. */
export const bankMessages = pgTable('bank_messages', {
  messageId: text('message_id').primaryKey(),
  batchId: bigint('batch_id', { mode: 'number' })
    .notNull()
    .references(() => payoutBatches.id),
  channel: text('channel').notNull(),
  reference: text('reference').notNull(),
  sha256: text('sha256').notNull(),
  paymentCount: integer('payment_count').notNull(),
  totalFen: bigint('total_fen', { mode: 'bigint' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** Every bank report file seen by reconciliation, and what became of it. */
export const bankReports = pgTable(
  'bank_reports',
  {
    /** `<channel>:<file name or report id>`: a file is processed once. */
    reportId: text('report_id').primaryKey(),
    sha256: text('sha256').notNull(),
    format: text('format'),
    messageId: text('message_id'),
    outcome: text('outcome', { enum: ['applied', 'duplicate', 'malformed'] }).notNull(),
    detail: text('detail'),
    lineCount: integer('line_count').notNull().default(0),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  // The same bytes, or the same message id, are applied once; a second copy is recorded as a duplicate.
  (t) => [
    uniqueIndex('bank_reports_applied_sha256').on(t.sha256).where(sql`${t.outcome} = 'applied'`),
    uniqueIndex('bank_reports_applied_message').on(t.format, t.messageId).where(sql`${t.outcome} = 'applied'`),
  ],
);

/** Report lines reconciliation could not apply: held for a person, never acknowledged silently. */
export const reportQuarantine = pgTable(
  'report_quarantine',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reportId: text('report_id').notNull(),
    lineNo: integer('line_no').notNull(),
    endToEndId: text('end_to_end_id'),
    problem: text('problem', { enum: ['unknown-payment', 'amount-mismatch', 'currency-mismatch', 'state-conflict', 'unknown-status', 'unusable-line'] }).notNull(),
    detail: text('detail').notNull(),
    /** The line as read, amounts as decimal strings of fen. */
    line: jsonb('line').notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull().default('open'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    resolution: text('resolution'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('report_quarantine_open').on(t.status, t.id)],
);

/** Failed and returned payments waiting for their account to be re-verified, then re-sent once. */
export const accountReverifications = pgTable(
  'account_reverifications',
  {
    subjectKey: text('subject_key').notNull(),
    /** The failed or returned payment's own idempotency key. */
    paymentKey: text('payment_key').notNull(),
    entitlementKey: text('entitlement_key').notNull(),
    batchId: bigint('batch_id', { mode: 'number' }).notNull(),
    outcome: text('outcome', { enum: ['failed', 'returned'] }).notNull(),
    reasonCode: text('reason_code'),
    reason: text('reason'),
    failedAccountNumber: text('failed_account_number').notNull(),
    status: text('status', { enum: ['open', 'verified', 'resent', 'exhausted'] }).notNull(),
    verifiedAccountNumber: text('verified_account_number'),
    verifiedAccountKind: text('verified_account_kind', { enum: ['basic', 'social-insurance', 'social-security-card'] }),
    verifiedBy: text('verified_by'),
    verifiedAt: timestamp('verified_at', { withTimezone: true }),
    followUpBatchId: bigint('follow_up_batch_id', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectKey, t.paymentKey] }), index('account_reverifications_status').on(t.status, t.batchId)],
);

/** The sandbox bank's ledger: it books each end-to-end id once, as a real bank does. */
export const sandboxBankTransfers = pgTable('sandbox_bank_transfers', {
    endToEndId: text('end_to_end_id').primaryKey(),
    // The sandbox keeps no clear account: the masked form, and a keyed hash to tell accounts apart.
    accountMasked: text('account_masked').notNull(),
    accountHash: text('account_hash').notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    status: text('status', { enum: ['booked', 'rejected'] }).notNull(),
    reasonCode: text('reason_code'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    reported: integer('reported').notNull().default(0),
    messageId: text('message_id'),
});

/**
 * A point's budget lines for a period (its pools: 'total', 'share', 'quota:<code>', 'quota:other'),
 * with the limit the latest match run worked with. Batch preparation locks the point's lines and
 * reserves against them; a point without a budget has no lines and its batches draw on 'unlimited'.
 */
export const budgetLines = pgTable(
  'budget_lines',
  {
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    line: text('line').notNull(),
    limitFen: bigint('limit_fen', { mode: 'bigint' }).notNull(),
    /** The match run whose allocation last set the limit. */
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.pointId, t.period, t.line] }), check('budget_lines_limit', sql`${t.limitFen} >= 0`)],
);

/**
 * The budget ledger: append-only movements of money between states on a point's budget line —
 * reserved (a batch prepared), committed (approved), paid (the bank booked it), released (rejected,
 * or failed for good). A state's balance is what moved in minus what moved out; what a line has in
 * use is everything reserved and not released.
 */
export const budgetLedger = pgTable(
  'budget_ledger',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    line: text('line').notNull(),
    batchId: bigint('batch_id', { mode: 'number' })
      .notNull()
      .references(() => payoutBatches.id),
    fromState: text('from_state', { enum: ['reserved', 'committed', 'paid'] }),
    toState: text('to_state', { enum: ['reserved', 'committed', 'paid', 'released'] }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('budget_ledger_line').on(t.pointId, t.period, t.line),
    index('budget_ledger_batch').on(t.batchId),
    check('budget_ledger_amount', sql`${t.amountFen} > 0`),
    // Only the flows the lifecycle has: new → reserved → committed → paid, and back to committed when
    // paid money is returned; reserved or committed (or returned) money is released.
    check(
      'budget_ledger_flow',
      sql`(${t.fromState} IS NULL AND ${t.toState} = 'reserved') OR (${t.fromState} = 'reserved' AND ${t.toState} IN ('committed', 'released'))
        OR (${t.fromState} = 'committed' AND ${t.toState} IN ('paid', 'released')) OR (${t.fromState} = 'paid' AND ${t.toState} IN ('committed', 'released'))`,
    ),
  ],
);
