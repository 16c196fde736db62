// Reads of match runs and their lists (match_runs, run_points, list_entries) for the services that
// explain and simulate, and the current fact watermark they and the payouts read at. Raw postgres.js
// client: int8 columns arrive as bigint, so nothing here casts an id, a sequence or an amount to int.
import type { Writable } from 'node:stream';
import type postgres from 'postgres';
import type { Sql } from '../db/clients.ts';
import { safeId } from '../subjects/snapshots.ts';

/**
 * The highest fact sequence number recorded so far: "the facts as they stand", without taking a
 * snapshot. fact_records.seq is a bigserial, kept as bigint (an ::int cast would fail past 2^31).
 */
export async function factWatermark(sql: Sql): Promise<bigint> {
  const [row] = await sql<{ w: bigint }[]>`select coalesce(max(seq), 0)::bigint as w from fact_records`;
  return row?.w ?? 0n;
}

interface ListEntryDecision {
  outcome: string;
  ruleAmountFen: bigint | null;
  amountFen: bigint | null;
  allocation: string | null;
  reasonCodes: string[];
  runId: number;
}

/** One subject's list entry for a point and period, with the run that decided it. */
export async function listEntryDecision(sql: Sql, key: { subjectKey: string; pointId: string; period: string }): Promise<ListEntryDecision | undefined> {
  const [row] = await sql<{ outcome: string; rule_amount_fen: bigint | null; amount_fen: bigint | null; allocation: string | null; reason_codes: string[]; run_id: bigint }[]>`
    select outcome, rule_amount_fen, amount_fen, allocation, reason_codes, run_id from list_entries
    where subject_key = ${key.subjectKey} and point_id = ${key.pointId} and period = ${key.period}`;
  if (!row) return undefined;
  return { outcome: row.outcome, ruleAmountFen: row.rule_amount_fen, amountFen: row.amount_fen, allocation: row.allocation, reasonCodes: row.reason_codes, runId: safeId(row.run_id, 'run') };
}

interface PinnedRun {
  id: number;
  libraryHash: string;
  watermarkSeq: bigint;
}

type RunRow = { id: bigint; library_hash: string; watermark_seq: bigint };
const pinned = (row: RunRow | undefined): PinnedRun | undefined => (row ? { id: safeId(row.id, 'run'), libraryHash: row.library_hash, watermarkSeq: row.watermark_seq } : undefined);

/** What a run pinned: its library and its snapshot's watermark. */
export async function pinnedRun(sql: Sql, runId: number): Promise<PinnedRun | undefined> {
  const [row] = await sql<RunRow[]>`select id, library_hash, watermark_seq from match_runs where id = ${runId}`;
  return pinned(row);
}

/** The latest completed run that matched a point for a period. */
export async function latestCompletedRunOf(sql: Sql, pointId: string, period: string): Promise<PinnedRun | undefined> {
  const [row] = await sql<RunRow[]>`
    select r.id, r.library_hash, r.watermark_seq from match_runs r join run_points p on p.run_id = r.id
    where p.point_id = ${pointId} and r.period = ${period} and r.status = 'completed' order by r.id desc limit 1`;
  return pinned(row);
}

// The run lifecycle's statements (run-service.ts): each takes the executor it runs on (the pool, or
// the transaction that must commit it with its audit entry) and is handed the time, never reads it.
type Executor = Sql | postgres.TransactionSql;

export interface MatchRunRow {
  id: bigint;
  scope: string;
  kind: 'full' | 'incremental';
  period: string;
  library_hash: string;
  snapshot_id: bigint;
  watermark_seq: bigint;
  base_run_id: bigint | null;
  status: string;
  shard_count: number;
}

export async function matchRunRow(sql: Executor, runId: number): Promise<MatchRunRow | undefined> {
  const [row] = await sql<MatchRunRow[]>`
    select id, scope, kind, period, library_hash, snapshot_id, watermark_seq, base_run_id, status, shard_count
    from match_runs where id = ${runId}`;
  return row;
}

/** The run a pg-boss job created, if its earlier attempt committed one. */
export async function runOfJobRow(sql: Executor, jobId: string): Promise<{ id: bigint; kind: 'full' | 'incremental'; shard_count: number } | undefined> {
  const [row] = await sql<{ id: bigint; kind: 'full' | 'incremental'; shard_count: number }[]>`select id, kind, shard_count from match_runs where job_id = ${jobId}`;
  return row;
}

export async function runPointIds(sql: Executor, runId: number): Promise<{ point_id: string }[]> {
  return sql<{ point_id: string }[]>`select point_id from run_points where run_id = ${runId} order by point_id`;
}

export async function runPointPins(sql: Executor, runId: number): Promise<{ point_id: string; version: number }[]> {
  return sql<{ point_id: string; version: number }[]>`select point_id, version from run_points where run_id = ${runId} order by point_id`;
}

/** The upper key of each of `shards` ranges of about equal size over the registry of that subject type. */
export async function shardUpperKeys(tx: postgres.TransactionSql, subjectType: 'enterprise' | 'person', shards: number): Promise<{ hi: string }[]> {
  return subjectType === 'enterprise'
    ? tx<{ hi: string }[]>`select max(uscc) as hi from (select uscc, ntile(${shards}) over (order by uscc) as t from enterprises) x group by t order by t`
    : tx<{ hi: string }[]>`select max(person_key) as hi from (select person_key, ntile(${shards}) over (order by person_key) as t from persons) x group by t order by t`;
}

/** Two attempts of one job racing: the second waits here until the first's transaction ends. */
export async function lockJob(tx: postgres.TransactionSql, jobId: string): Promise<void> {
  await tx`select pg_advisory_xact_lock(hashtext(${`match-run-job:${jobId}`}))`;
}

export async function publishedVersions(tx: postgres.TransactionSql, pointIds: string[]): Promise<{ point_id: string; version: number; content_hash: string }[]> {
  return tx<{ point_id: string; version: number; content_hash: string }[]>`
    select point_id, version, content_hash from policy_versions where point_id in ${tx(pointIds)}`;
}

/** The latest completed run of this scope, period and library: the base an incremental run continues. */
export async function baseRunFor(tx: postgres.TransactionSql, scope: string, period: string, libraryHash: string): Promise<{ id: bigint; watermark_seq: bigint } | undefined> {
  const [base] = await tx<{ id: bigint; watermark_seq: bigint }[]>`
    select id, watermark_seq from match_runs
    where scope = ${scope} and period = ${period} and library_hash = ${libraryHash} and status = 'completed'
    order by id desc limit 1`;
  return base;
}

/** Subjects with a fact recorded in (fromSeq, toSeq]; seq is int8, passed as text so it is never an ::int. */
export async function changedSubjects(tx: postgres.TransactionSql, fromSeq: bigint, toSeq: bigint, subjectType: string): Promise<{ subject_key: string }[]> {
  return tx<{ subject_key: string }[]>`
    select distinct subject_key from fact_records
    where seq > ${fromSeq.toString()} and seq <= ${toSeq.toString()} and subject_type = ${subjectType} order by subject_key`;
}

export interface NewMatchRun {
  scope: string;
  kind: 'full' | 'incremental';
  period: string;
  libraryHash: string;
  snapshotId: number;
  watermarkSeq: bigint;
  baseRunId: bigint | null;
  trigger: string;
  actor: string;
  shardCount: number;
  jobId: string | null;
}

export async function insertMatchRun(tx: postgres.TransactionSql, run: NewMatchRun, now: Date): Promise<bigint> {
  const [row] = await tx<{ id: bigint }[]>`
    insert into match_runs (scope, kind, period, library_hash, snapshot_id, watermark_seq, base_run_id, trigger, requested_by, status, shard_count, started_at, job_id)
    values (${run.scope}, ${run.kind}, ${run.period}, ${run.libraryHash}, ${run.snapshotId}, ${run.watermarkSeq.toString()}, ${run.baseRunId?.toString() ?? null}, ${run.trigger}, ${run.actor}, 'running', ${run.shardCount}, ${now}, ${run.jobId})
    returning id`;
  return row!.id;
}

export async function insertRunPoints(tx: postgres.TransactionSql, rows: { run_id: number; point_id: string; version: number }[]): Promise<void> {
  await tx`insert into run_points ${tx(rows)}`;
}

export interface NewRunShard {
  run_id: number;
  shard: number;
  lo_key: string | null;
  hi_key: string | null;
  subject_keys: string[] | null;
  status: 'pending';
}

export async function insertRunShards(tx: postgres.TransactionSql, rows: NewRunShard[]): Promise<void> {
  await tx`insert into run_shards ${tx(rows)}`;
}

/** The run's status, its row locked until the transaction ends, so a fail and a finalise do not cross. */
export async function lockRunStatus(tx: postgres.TransactionSql, runId: number): Promise<string | undefined> {
  const [row] = await tx<{ status: string }[]>`select status from match_runs where id = ${runId} for update`;
  return row?.status;
}

export async function markRunFailed(tx: postgres.TransactionSql, runId: number, reason: string, now: Date): Promise<void> {
  await tx`update match_runs set status = 'failed', failure_reason = ${reason}, finished_at = ${now} where id = ${runId}`;
}

export interface ShardRow {
  lo_key: string | null;
  hi_key: string | null;
  subject_keys: string[] | null;
  status: string;
}

export async function runShardRow(sql: Executor, runId: number, shard: number): Promise<ShardRow | undefined> {
  const [row] = await sql<ShardRow[]>`
    select lo_key, hi_key, subject_keys, status from run_shards where run_id = ${runId} and shard = ${shard}`;
  return row;
}

type ShardKeys = Pick<ShardRow, 'lo_key' | 'hi_key' | 'subject_keys'>;

// A shard is either a list of keys (incremental; an empty list matches nothing, hence ['']) or a
// (lo, hi] range, open where a bound is null.
function shardKeyFilter(sql: Executor, shard: ShardKeys): postgres.PendingQuery<postgres.Row[]> {
  return shard.subject_keys
    ? sql`and subject_key in ${sql(shard.subject_keys.length ? shard.subject_keys : [''])}`
    : sql`${shard.lo_key ? sql`and subject_key > ${shard.lo_key}` : sql``} ${shard.hi_key ? sql`and subject_key <= ${shard.hi_key}` : sql``}`;
}

/** The list's current entries of a shard's subjects for these points. */
export async function listedInShard(sql: Executor, period: string, pointIds: string[], shard: ShardKeys): Promise<{ point_id: string; subject_key: string }[]> {
  return sql<{ point_id: string; subject_key: string }[]>`select point_id, subject_key from list_entries where period = ${period} and point_id in ${sql(pointIds)} ${shardKeyFilter(sql, shard)}`;
}

/** A redone shard replaces its decisions whole. */
export async function clearShardDecisions(tx: postgres.TransactionSql, runId: number, shard: ShardKeys): Promise<void> {
  await tx`delete from decisions where run_id = ${runId} ${shardKeyFilter(tx, shard)}`;
}

export async function markShardDone(tx: postgres.TransactionSql, runId: number, shard: number, evaluated: number, now: Date): Promise<void> {
  await tx`update run_shards set status = 'done', evaluated = ${evaluated}, attempts = attempts + 1, finished_at = ${now} where run_id = ${runId} and shard = ${shard}`;
}

const DECISION_COLUMNS = ['subject_key', 'run_id', 'point_id', 'outcome', 'amount_fen', 'reason_codes'] as const;

export interface DecisionRow {
  subject_key: string;
  run_id: number;
  point_id: string;
  outcome: string;
  amount_fen: number | null;
  reason_codes: string[];
}

/** COPY of CSV lines in DECISION_COLUMNS order into decisions; the caller writes, then ends, the stream. */
export async function copyDecisions(tx: postgres.TransactionSql): Promise<Writable> {
  return tx`copy decisions (${tx.unsafe(DECISION_COLUMNS.join(', '))}) from stdin with (format csv)`.writable();
}

/** Where COPY FROM STDIN is not available (the embedded database): batches of 1000 rows. */
export async function insertDecisions(tx: postgres.TransactionSql, rows: DecisionRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 1000) await tx`insert into decisions ${tx(rows.slice(i, i + 1000), ...DECISION_COLUMNS)}`;
}

export async function remainingShards(sql: Sql, runId: number): Promise<number> {
  const [{ n } = { n: 0 }] = await sql<{ n: number }[]>`select count(*)::int as n from run_shards where run_id = ${runId} and status <> 'done'`;
  return n;
}

/** Per pinned point, the list's entries for the run's period (the list as it stands, not only this run's). */
export async function runPointTotals(sql: Sql, runId: number, period: string): Promise<{ point_id: string; version: number; eligible: number; undetermined: number; excluded: number; total: string }[]> {
  return sql<{ point_id: string; version: number; eligible: number; undetermined: number; excluded: number; total: string }[]>`
    select p.point_id, p.version,
           count(l.*) filter (where l.outcome = 'eligible')::int as eligible,
           count(l.*) filter (where l.outcome = 'undetermined')::int as undetermined,
           count(l.*) filter (where l.outcome = 'ineligible')::int as excluded,
           coalesce(sum(l.amount_fen) filter (where l.outcome = 'eligible'), 0)::text as total
    from run_points p left join list_entries l on l.point_id = p.point_id and l.period = ${period}
    where p.run_id = ${runId} group by p.point_id, p.version order by p.point_id`;
}

// A type, not an interface: it goes into an audit payload, which takes a plain record.
export type ChangeCounts = { added: number; removed: number; amount_changed: number; outcome_changed: number };

export async function runChangeCounts(sql: Executor, runId: number): Promise<ChangeCounts | undefined> {
  const [changes] = await sql<ChangeCounts[]>`
    select count(*) filter (where change = 'added')::int as added, count(*) filter (where change = 'removed')::int as removed,
           count(*) filter (where change = 'amount-changed')::int as amount_changed, count(*) filter (where change = 'outcome-changed')::int as outcome_changed
    from list_changes where run_id = ${runId}`;
  return changes;
}

export async function runEvaluated(sql: Sql, runId: number): Promise<number> {
  const [{ evaluated } = { evaluated: 0 }] = await sql<{ evaluated: number }[]>`select evaluated from match_runs where id = ${runId}`;
  return evaluated;
}
