// Recovery (追回) of money paid for a month the subject was no longer entitled to: a death or a 户籍
// move that arrived after the month was paid. One case per overpaid payment, raised by the recovery
// check, closed by a person as recovered (with what came back) or written off (with the reason).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, date, index, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { staffAccounts } from './identity.ts';
import { factImports } from './subjects.ts';

export const recoveries = pgTable(
  'recoveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    /** The overpaid payment (payments.idempotency_key: the entitlement's key, or its re-send's). */
    paymentKey: text('payment_key').notNull(),
    entitlementKey: text('entitlement_key').notNull(),
    batchId: bigint('batch_id', { mode: 'number' }).notNull(),
    /** What was paid, and so what is to come back. */
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    reason: text('reason', { enum: ['death', 'hukou-moved'] }).notNull(),
    /** The dated fact: the death date, or the date the 户籍 move took effect. */
    factDate: date('fact_date').notNull(),
    /** The fact as recorded (deathDate, or hukouRegion and its effective date). */
    fact: jsonb('fact').notNull(),
    /** The import the fact came in (fact_records.import_id). */
    importId: bigint('import_id', { mode: 'number' }).references(() => factImports.id),
    status: text('status', { enum: ['open', 'recovered', 'written_off'] }).notNull().default('open'),
    raisedBy: text('raised_by').notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    recoveredFen: bigint('recovered_fen', { mode: 'bigint' }),
    recoveredOn: date('recovered_on'),
    /** The bank's or the treasury's reference of the money that came back. */
    recoveryReference: text('recovery_reference'),
    writeOffReason: text('write_off_reason'),
    resolvedBy: bigint('resolved_by', { mode: 'number' }).references(() => staffAccounts.id),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    // One case per payment: a check run again (or after every import) never raises it twice.
    uniqueIndex('recoveries_payment').on(t.subjectKey, t.paymentKey),
    index('recoveries_status').on(t.status, t.id),
    check('recoveries_amount', sql`${t.amountFen} > 0`),
    // A closed case says how, and by whom: the database refuses a recovery without its amount, date and
    // reference, and a write-off without a reason.
    check(
      'recoveries_resolution',
      // Each branch is false, never null, on a missing value: a CHECK lets a null result through.
      sql`(${t.status} = 'open' AND ${t.resolvedBy} IS NULL)
        OR (${t.status} = 'recovered' AND ${t.resolvedBy} IS NOT NULL AND coalesce(${t.recoveredFen} > 0, false) AND ${t.recoveredOn} IS NOT NULL AND coalesce(length(trim(${t.recoveryReference})) > 0, false))
        OR (${t.status} = 'written_off' AND ${t.resolvedBy} IS NOT NULL AND coalesce(length(trim(${t.writeOffReason})) > 0, false))`,
    ),
  ],
);
