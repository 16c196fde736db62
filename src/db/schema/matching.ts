// Match runs (pinned to a policy library, a snapshot and a period), their shards, decisions, and the
// eligibility list (拟享受名单) with its change log.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export type Outcome = 'eligible' | 'ineligible' | 'undetermined';
const outcomes = ['eligible', 'ineligible', 'undetermined'] as const;

export const matchRuns = pgTable('match_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** What was matched: a point id, or 'enterprise' / 'person' for every point of that subject type. */
  scope: text('scope').notNull(),
  kind: text('kind', { enum: ['full', 'incremental'] }).notNull(),
  period: text('period').notNull(),
  libraryHash: text('library_hash').notNull(),
  snapshotId: bigint('snapshot_id', { mode: 'number' }).notNull(),
  watermarkSeq: bigint('watermark_seq', { mode: 'number' }).notNull(),
  /** Incremental runs: the run whose snapshot they continue from. */
  baseRunId: bigint('base_run_id', { mode: 'number' }),
  trigger: text('trigger').notNull(),
  requestedBy: text('requested_by').notNull(),
  status: text('status', { enum: ['running', 'finalizing', 'completed', 'failed'] }).notNull(),
  shardCount: integer('shard_count').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull(),
  finishedAt: timestamp('finished_at', { withTimezone: true }),
  evaluated: integer('evaluated').notNull().default(0),
  eligible: integer('eligible').notNull().default(0),
  ineligible: integer('ineligible').notNull().default(0),
  undetermined: integer('undetermined').notNull().default(0),
  totalFen: bigint('total_fen', { mode: 'bigint' }).notNull().default(sql`0`),
  /** The pg-boss match-run job that created the run (unique): a retried job finds its run. */
  jobId: text('job_id'),
  /** Why a failed run could not finish (shard retries exhausted, finalisation failed). */
  failureReason: text('failure_reason'),
}, (t) => [uniqueIndex('match_runs_job_id').on(t.jobId)]);

export const runPoints = pgTable(
  'run_points',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    pointId: text('point_id').notNull(),
    version: integer('version').notNull(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.pointId] })],
);

/** A slice of the subject key space, processed by one pg-boss job; redone whole if its worker dies. */
export const runShards = pgTable(
  'run_shards',
  {
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    shard: integer('shard').notNull(),
    /** Key range (lo, hi]: lo exclusive, hi inclusive, null = open. Incremental runs list their subjects instead. */
    loKey: text('lo_key'),
    hiKey: text('hi_key'),
    subjectKeys: text('subject_keys').array(),
    status: text('status', { enum: ['pending', 'done'] }).notNull(),
    evaluated: integer('evaluated').notNull().default(0),
    attempts: integer('attempts').notNull().default(0),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [primaryKey({ columns: [t.runId, t.shard] })],
);

/**
 * What a run decided, per subject and point. Stored for eligible and undetermined subjects, for those
 * that met every condition but fell under a labelled exception (但…除外), and for any subject the list
 * held before; plain
 * ineligibility is re-derived on demand by re-evaluating, not stored for every subject.
 */
export const decisions = pgTable(
  'decisions',
  {
    subjectKey: text('subject_key').notNull(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    pointId: text('point_id').notNull(),
    outcome: text('outcome', { enum: outcomes }).notNull(),
    amountFen: bigint('amount_fen', { mode: 'bigint' }),
    reasonCodes: text('reason_codes').array().notNull(),
  },
  // One index: it serves the key (which includes the subject, for distribution by subject) and the
  // per-run, per-point reads of finalisation.
  (t) => [primaryKey({ name: 'decisions_pkey', columns: [t.runId, t.pointId, t.subjectKey] })],
);

export const listEntries = pgTable(
  'list_entries',
  {
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    idempotencyKey: text('idempotency_key').notNull(),
    outcome: text('outcome', { enum: outcomes }).notNull(),
    /** What the rule gave, before exclusion groups, caps and the budget. */
    ruleAmountFen: bigint('rule_amount_fen', { mode: 'bigint' }),
    /** What is to be paid. */
    amountFen: bigint('amount_fen', { mode: 'bigint' }),
    rounding: text('rounding'),
    /** How amountFen was reached from ruleAmountFen: full, pro-rata, priority, capped, excluded. */
    allocation: text('allocation'),
    reasonCodes: text('reason_codes').array().notNull(),
    policyVersion: integer('policy_version').notNull(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    status: text('status', { enum: ['listed', 'batched', 'paid', 'payment_failed', 'waived'] }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectKey, t.pointId, t.period] }), index('list_entries_point_period').on(t.pointId, t.period, t.outcome)],
);

/** The list's diff against the previous run: new, removed, amount changed, outcome changed, and why. */
export const listChanges = pgTable(
  'list_changes',
  {
    subjectKey: text('subject_key').notNull(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    change: text('change', { enum: ['added', 'removed', 'amount-changed', 'outcome-changed'] }).notNull(),
    oldOutcome: text('old_outcome'),
    newOutcome: text('new_outcome'),
    oldAmountFen: bigint('old_amount_fen', { mode: 'bigint' }),
    newAmountFen: bigint('new_amount_fen', { mode: 'bigint' }),
    reasonCodes: text('reason_codes').array().notNull(),
  },
  (t) => [primaryKey({ columns: [t.subjectKey, t.runId, t.pointId] }), index('list_changes_run').on(t.runId)],
);

/**
 * A re-match that would change an entry already batched or paid: the entry is left as it is (money on
 * its way or gone is never cut) and the difference is raised here for staff to handle — a top-up, a
 * recovery (追回), or nothing, with the reason.
 */
export const listAdjustments = pgTable(
  'list_adjustments',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    subjectKey: text('subject_key').notNull(),
    pointId: text('point_id').notNull(),
    period: text('period').notNull(),
    runId: bigint('run_id', { mode: 'number' }).notNull(),
    /** The entry's status when the run found the difference: batched, paid or payment_failed. */
    entryStatus: text('entry_status').notNull(),
    oldOutcome: text('old_outcome', { enum: outcomes }).notNull(),
    newOutcome: text('new_outcome', { enum: outcomes }).notNull(),
    /** What the entry holds (batched or paid). */
    heldFen: bigint('held_fen', { mode: 'bigint' }),
    /** What the rule now gives, before exclusion groups, caps and the budget. */
    newRuleAmountFen: bigint('new_rule_amount_fen', { mode: 'bigint' }),
    oldRuleAmountFen: bigint('old_rule_amount_fen', { mode: 'bigint' }),
    /** (new rule amount, or 0 when no longer eligible) − old rule amount: + owed to the subject, − overpaid. */
    differenceFen: bigint('difference_fen', { mode: 'bigint' }).notNull(),
    reasonCodes: text('reason_codes').array().notNull(),
    status: text('status', { enum: ['open', 'resolved'] }).notNull().default('open'),
    resolution: text('resolution'),
    resolvedBy: text('resolved_by'),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  // One open adjustment per entry: a later run updates it rather than raising another.
  (t) => [uniqueIndex('list_adjustments_open').on(t.subjectKey, t.pointId, t.period).where(sql`${t.status} = 'open'`)],
);
