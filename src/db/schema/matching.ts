// Match runs, their decisions, and the eligibility list (拟享受名单) they maintain.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const matchRuns = pgTable('match_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  pointId: text('point_id').notNull(),
  policyVersion: integer('policy_version').notNull(),
  snapshotId: bigint('snapshot_id', { mode: 'number' }).notNull(),
  period: text('period').notNull(),
  trigger: text('trigger').notNull(),
  status: text('status', { enum: ['running', 'completed', 'failed'] }).notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  evaluated: integer('evaluated').notNull().default(0),
  eligible: integer('eligible').notNull().default(0),
  ineligible: integer('ineligible').notNull().default(0),
  undetermined: integer('undetermined').notNull().default(0),
  totalFen: bigint('total_fen', { mode: 'bigint' }).notNull().default(sql`0`),
});

export type Outcome = 'eligible' | 'ineligible' | 'undetermined';

export const decisions = pgTable(
  'decisions',
  {
    subjectKey: text('subject_key').notNull(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    outcome: text('outcome', { enum: ['eligible', 'ineligible', 'undetermined'] }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }),
    reasons: jsonb('reasons').notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectKey, t.runId] }), index('decisions_run').on(t.runId)],
);

export const listEntries = pgTable(
  'list_entries',
  {
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    outcome: text('outcome', { enum: ['eligible', 'ineligible', 'undetermined'] }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }),
    rounding: text('rounding'),
    reasons: jsonb('reasons').notNull(),
    policyVersion: integer('policy_version').notNull(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['listed', 'batched', 'paid', 'payment_failed'] }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.subjectKey, t.pointId, t.period] }),
    index('list_entries_point_period').on(t.pointId, t.period, t.outcome),
  ],
);
