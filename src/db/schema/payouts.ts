// Payout batches, payment instructions, and the sandbox bank's own ledger.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { staffAccounts } from './identity.ts';

export const payoutBatches = pgTable(
  'payout_batches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    status: text('status', { enum: ['prepared', 'approved', 'sent', 'reconciled'] }).notNull(),
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
  },
  // Four eyes on account ids, enforced by the database as well as the service: an approver is never the
  // preparer; a batch past 'prepared' has an approver (and, when it needs one, a second approver
  // distinct from both). A batch with no approver can therefore never be sent.
  (t) => [
    check(
      'payout_batches_four_eyes',
      sql`(${t.approvedBy} IS NULL OR ${t.approvedBy} <> ${t.preparedBy})
        AND (${t.secondApprovedBy} IS NULL OR (${t.approvedBy} IS NOT NULL AND ${t.secondApprovedBy} <> ${t.preparedBy} AND ${t.secondApprovedBy} <> ${t.approvedBy}))
        AND (${t.status} = 'prepared' OR (${t.approvedBy} IS NOT NULL AND (NOT ${t.needsSecondApproval} OR ${t.secondApprovedBy} IS NOT NULL)))`,
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
    accountNumber: text('account_number').notNull(),
    accountKind: text('account_kind', { enum: ['basic', 'social-insurance'] }).notNull(),
    status: text('status', { enum: ['pending', 'sent', 'paid', 'failed'] }).notNull(),
    bankReference: text('bank_reference'),
    failureCode: text('failure_code'),
    failureReason: text('failure_reason'),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  // One payment per entitlement (point, period, subject): the database refuses a second.
  (t) => [primaryKey({ columns: [t.subjectKey, t.idempotencyKey] }), index('payments_batch').on(t.batchId, t.status)],
);

/** The sandbox bank's ledger: it books each end-to-end id once, as a real bank does. */
export const sandboxBankTransfers = pgTable('sandbox_bank_transfers', {
    endToEndId: text('end_to_end_id').primaryKey(),
    accountNumber: text('account_number').notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    status: text('status', { enum: ['booked', 'rejected'] }).notNull(),
    reasonCode: text('reason_code'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    reported: integer('reported').notNull().default(0),
});
