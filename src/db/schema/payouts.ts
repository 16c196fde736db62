// Payout batches, payment instructions, and the sandbox bank's own ledger.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const payoutBatches = pgTable(
  'payout_batches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    status: text('status', { enum: ['prepared', 'approved', 'sent', 'reconciled'] }).notNull(),
    paymentCount: integer('payment_count').notNull(),
    totalFen: bigint('total_fen', { mode: 'bigint' }).notNull(),
    preparedBy: text('prepared_by').notNull(),
    preparedAt: timestamp('prepared_at', { withTimezone: true }).notNull(),
    approvedBy: text('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    reconciledAt: timestamp('reconciled_at', { withTimezone: true }),
  },
  // Four eyes, enforced by the database as well as the service.
  (t) => [check('payout_batches_four_eyes', sql`${t.approvedBy} IS NULL OR ${t.approvedBy} <> ${t.preparedBy}`)],
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
    // The sandbox keeps no clear account: the masked form, and a keyed hash to tell accounts apart.
    accountMasked: text('account_masked').notNull(),
    accountHash: text('account_hash').notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    status: text('status', { enum: ['booked', 'rejected'] }).notNull(),
    reasonCode: text('reason_code'),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
    reported: integer('reported').notNull().default(0),
});
