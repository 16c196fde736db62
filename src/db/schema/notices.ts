// 公示 (public notice of the eligibility list), objections (异议) and confirmations (确认): the steps
// between a list and a payout batch. Dates are calendar days in China (Asia/Shanghai), as the
// official working-day calendar counts them.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, date, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/** One publication of a point's list for a period: the entries it shows, for its working days. */
export const listNotices = pgTable(
  'list_notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    /** The day it was published; the period is counted from the next day (民法典 第二百零一条). */
    publishedOn: date('published_on', { mode: 'string' }).notNull(),
    /** The last working day of the notice: objections are taken up to and including it. */
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    workingDays: integer('working_days').notNull(),
    /** Where the working-day count comes from (the policy's clause, or the system default). */
    basis: text('basis').notNull(),
    entryCount: integer('entry_count').notNull(),
    totalFen: bigint('total_fen', { mode: 'bigint' }).notNull(),
    publishedBy: text('published_by').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('list_notices_point').on(t.pointId, t.period), check('list_notices_dates', sql`${t.endsOn} > ${t.publishedOn} AND ${t.workingDays} > 0`)],
);

/** What a notice showed for each subject: the amount noticed, and the masked identity shown to the public. */
export const noticeEntries = pgTable(
  'notice_entries',
  {
    noticeId: bigint('notice_id', { mode: 'number' })
      .notNull()
      .references(() => listNotices.id),
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    /** Masked identifier (统一社会信用代码 or 身份证号) and name as the public sees them. */
    maskedId: text('masked_id').notNull(),
    maskedName: text('masked_name').notNull(),
  },
  (t) => [primaryKey({ columns: [t.noticeId, t.subjectKey] }), index('notice_entries_entry').on(t.subjectKey, t.pointId, t.period)],
);

/** An objection (异议) to an entry of a notice, with who raised it and why, and how it was decided. */
export const objections = pgTable(
  'objections',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    noticeId: bigint('notice_id', { mode: 'number' })
      .notNull()
      .references(() => listNotices.id),
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    raisedBy: text('raised_by').notNull(),
    reason: text('reason').notNull(),
    raisedAt: timestamp('raised_at', { withTimezone: true }).notNull(),
    status: text('status', { enum: ['open', 'upheld', 'rejected'] }).notNull(),
    resolvedBy: text('resolved_by'),
    resolution: text('resolution'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
  },
  (t) => [
    index('objections_entry').on(t.subjectKey, t.pointId, t.period, t.status),
    index('objections_open').on(t.status, t.id),
    check('objections_resolved', sql`(${t.status} = 'open') = (${t.resolvedBy} IS NULL) AND (${t.status} = 'open' OR ${t.resolution} IS NOT NULL) AND (${t.resolvedBy} IS NULL OR ${t.resolvedBy} <> ${t.raisedBy})`),
  ],
);

/**
 * A confirmation (确认) a point requires: the subject confirms the amount and the receiving account
 * before the deadline; after it the entry is waived (视为自愿放弃).
 */
export const entryConfirmations = pgTable(
  'entry_confirmations',
  {
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    /** The notice that asked for it (the amount to confirm is that notice's). */
    noticeId: bigint('notice_id', { mode: 'number' })
      .notNull()
      .references(() => listNotices.id),
    amountFen: bigint('amount_fen', { mode: 'bigint' }).notNull(),
    /** The last day to confirm, counted in working days from the notice. */
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    status: text('status', { enum: ['requested', 'confirmed', 'waived'] }).notNull(),
    /** The account confirmed, SM4-encrypted like every stored account; the payment goes to it. */
    accountEnc: text('account_enc'),
    accountKeyId: text('account_key_id'),
    accountMasked: text('account_masked'),
    accountKind: text('account_kind', { enum: ['basic', 'social-insurance'] }),
    confirmedBy: text('confirmed_by'),
    confirmedAt: timestamp('confirmed_at', { withTimezone: true }),
    waivedAt: timestamp('waived_at', { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.subjectKey, t.pointId, t.period, t.noticeId] }),
    index('entry_confirmations_due').on(t.status, t.dueOn),
    check('entry_confirmations_confirmed', sql`(${t.status} = 'confirmed') = (${t.confirmedBy} IS NOT NULL AND ${t.accountEnc} IS NOT NULL)`),
  ],
);

/** An entry held back from payment: an upheld objection's correction is pending until a re-match. */
export const entryHolds = pgTable(
  'entry_holds',
  {
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    objectionId: bigint('objection_id', { mode: 'number' })
      .notNull()
      .references(() => objections.id),
    heldAt: timestamp('held_at', { withTimezone: true }).notNull(),
    /** The match run that re-evaluated the entry after the objection; null while the hold stands. */
    releasedByRun: bigint('released_by_run', { mode: 'number' }),
    releasedAt: timestamp('released_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.subjectKey, t.pointId, t.period, t.objectionId] }), uniqueIndex('entry_holds_open').on(t.subjectKey, t.pointId, t.period).where(sql`${t.releasedAt} IS NULL`)],
);
