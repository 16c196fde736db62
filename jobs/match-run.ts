// pg-boss jobs for matching. `match-run` (cron or on demand) freezes a snapshot and plans the shards;
// each `match-shard` job evaluates one slice of the subjects (any worker process may take it, and a
// dead worker's shard is retried whole); the shard that finds none left sends `match-finalize`.
// Handlers only parse their payload and call the matching service.
// Crash safety: the shard jobs are inserted in the run's own transaction (pg-boss writes through that
// transaction's connection), and the run remembers its job's id, so a retried match-run job continues
// its run. A shard or finalisation that exhausts its retries lands in the dead-letter queue, whose
// handler marks the run failed with the reason.
import type { Db, PgBoss } from 'pg-boss';
import type postgres from 'postgres';
import { z } from 'zod';
import type { Clock } from '../src/clock.ts';
import type { Database } from '../src/db/clients.ts';
import { AppError } from '../src/errors.ts';
import { actorRef, authorize, SYSTEM_ACTOR, type Actor } from '../src/identity/permissions.ts';
import type { Logger } from '../src/logger.ts';
import type { CapRule } from '../src/matching/allocation.ts';
import { createRun, failRun, finalizeRun, runShard } from '../src/matching/run-service.ts';
import { safeId } from '../src/subjects/snapshots.ts';

export const MATCH_QUEUES = { run: 'match-run', shard: 'match-shard', finalize: 'match-finalize', dead: 'match-dead' } as const;

/** pg-boss's executor over a postgres.js transaction: its inserts commit or roll back with ours. */
function inTransaction(tx: postgres.TransactionSql): Db {
  return { executeSql: async (text, values) => ({ rows: await tx.unsafe(text, (values ?? []) as postgres.ParameterOrJSON<never>[]) }) };
}

export const MatchRunPayload = z.object({
  scope: z.string().min(1),
  period: z.string().regex(/^\d{4}(-\d{2})?$/, 'a year (2024) or a month (2025-03)'),
  kind: z.enum(['full', 'incremental']).default('full'),
  shards: z.number().int().min(1).max(1024).default(4),
  trigger: z.string().min(1).default('cron'),
  /** Who started the run, as the audit trail names it (account:<id>); scheduled runs are the system account's. */
  actor: z.string().regex(/^account:\d+$/, 'an account reference (account:<id>)').default(actorRef(SYSTEM_ACTOR)),
  /** Re-read an existing snapshot instead of taking one: same snapshot and library, same decisions. */
  snapshotId: z.number().int().positive().optional(),
});
export type MatchRunPayload = z.input<typeof MatchRunPayload>;

const ShardPayload = z.object({ runId: z.number().int(), shard: z.number().int().min(0) });
const FinalizePayload = z.object({ runId: z.number().int() });

export interface MatchJobDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  caps?: CapRule[];
}

export async function createMatchQueues(boss: PgBoss): Promise<void> {
  await boss.createQueue(MATCH_QUEUES.dead, { retryLimit: 3, retryDelay: 1 });
  const deadLetter = MATCH_QUEUES.dead;
  await boss.createQueue(MATCH_QUEUES.run, { retryLimit: 1, expireInSeconds: 600, deadLetter });
  // Busy queue, partitioned; a heartbeat lets a killed worker's shard be retried within seconds.
  await boss.createQueue(MATCH_QUEUES.shard, { partition: true, retryLimit: 5, retryDelay: 1, heartbeatSeconds: 10, expireInSeconds: 3600, deadLetter });
  await boss.createQueue(MATCH_QUEUES.finalize, { retryLimit: 3, retryDelay: 1, expireInSeconds: 1800, deadLetter });
  // createQueue leaves an existing queue as it was: databases from before the dead-letter queue get it here.
  for (const name of [MATCH_QUEUES.run, MATCH_QUEUES.shard, MATCH_QUEUES.finalize]) await boss.updateQueue(name, { deadLetter });
}

function failureText(output: unknown): string {
  if (output && typeof output === 'object' && 'message' in output) return String((output).message);
  return output === null || output === undefined ? 'no error recorded' : JSON.stringify(output);
}

/** One match-run job: creates its run (or finds the one an earlier attempt committed) with the shard jobs. */
export async function handleMatchRun(boss: PgBoss, deps: MatchJobDeps, job: { id: string; data: unknown }): Promise<{ runId: number; shards: number; resumed: boolean }> {
  const payload = MatchRunPayload.parse(job.data);
  const run = await createRun(deps.db, deps.clock, deps.log, { ...payload, jobId: job.id }, async (tx, created) => {
    const shards = Array.from({ length: created.shardCount }, (_, shard) => ({ data: { runId: created.runId, shard }, singletonKey: `${created.runId}:${shard}` }));
    await boss.insert(MATCH_QUEUES.shard, shards, { db: inTransaction(tx) });
  });
  return { runId: run.runId, shards: run.shardCount, resumed: !run.created };
}

export async function registerMatchJobs(boss: PgBoss, deps: MatchJobDeps, options: { shardWorkers?: number } = {}): Promise<void> {
  await createMatchQueues(boss);
  // Shards are short; poll often so a worker does not sit idle between them.
  const poll = { pollingIntervalSeconds: 0.5 };
  await boss.work(MATCH_QUEUES.run, poll, async ([job]) => (job ? handleMatchRun(boss, deps, job) : undefined));
  for (let i = 0; i < (options.shardWorkers ?? 1); i++) {
    await boss.work(MATCH_QUEUES.shard, poll, async ([job]) => {
      if (!job) return;
      const { runId, shard } = ShardPayload.parse(job.data);
      const result = await runShard(deps.db, deps.clock, runId, shard);
      if (result.remaining === 0) await boss.send(MATCH_QUEUES.finalize, { runId }, { singletonKey: String(runId) });
      return { evaluated: result.evaluated, written: result.written };
    });
  }
  await boss.work(MATCH_QUEUES.finalize, poll, async ([job]) => {
    if (!job) return;
    const { runId } = FinalizePayload.parse(job.data);
    const summary = await finalizeRun(deps.db, deps.clock, deps.log, runId, { caps: deps.caps });
    return { runId, evaluated: summary.evaluated, totalFen: summary.totalFen.toString() };
  });

  // Retries exhausted: the run cannot finish by itself. Say so on the run, with the reason, audited.
  await boss.work(MATCH_QUEUES.dead, { ...poll, includeMetadata: true }, async ([job]) => {
    if (!job) return;
    const reason = `${job.sourceName ?? 'job'} ${job.sourceId ?? job.id} failed after ${job.sourceRetryCount ?? 0} retries: ${failureText(job.sourceOutput)}`;
    let runId: number | undefined;
    const data = job.data as { runId?: unknown };
    if (typeof data.runId === 'number') runId = data.runId;
    else if (job.sourceId) {
      const [row] = await deps.db.sql<{ id: bigint }[]>`select id from match_runs where job_id = ${job.sourceId}`;
      if (row) runId = safeId(row.id, 'match run');
    }
    if (runId === undefined) {
      deps.log.error({ reason, data: job.data }, 'a match-run job failed before it created a run');
      return { runId: null, reason };
    }
    const marked = await failRun(deps.db, deps.clock, runId, reason);
    deps.log.error({ runId, reason, marked }, 'match run failed');
    return { runId, reason, marked };
  });
}

export async function scheduleMatchRuns(boss: PgBoss, runs: MatchRunPayload[], cron: string, tz: string): Promise<void> {
  for (const run of runs) {
    const payload = MatchRunPayload.parse({ ...run, trigger: 'cron' });
    await boss.schedule(MATCH_QUEUES.run, cron, payload, { tz, key: `${payload.scope}/${payload.period}` });
  }
}

export interface RunProgress {
  runId: number;
  status: string;
  shardsDone: number;
  shardCount: number;
  percent: number;
  failureReason: string | null;
}

export async function runProgress(db: Database, runId: number): Promise<RunProgress> {
  const [row] = await db.sql<{ status: string; shard_count: number; done: number; failure_reason: string | null }[]>`
    select r.status, r.shard_count, r.failure_reason, (select count(*)::int from run_shards s where s.run_id = r.id and s.status = 'done') as done
    from match_runs r where r.id = ${runId}`;
  if (!row) throw new AppError('RUN_NOT_FOUND', `Match run ${runId} does not exist.`);
  const percent = row.status === 'completed' ? 100 : Math.floor((row.done / Math.max(1, row.shard_count)) * 99);
  return { runId, status: row.status, shardsDone: row.done, shardCount: row.shard_count, percent, failureReason: row.failure_reason };
}

/** Sends a run and waits until it completes; onProgress sees the shards finish. */
export async function runMatchJob(
  boss: PgBoss,
  db: Database,
  payload: Omit<MatchRunPayload, 'actor'> & { actor: Actor },
  options: { timeoutMs?: number; onProgress?: (p: RunProgress) => void } = {},
): Promise<number> {
  // Authorised here, where the run is asked for: the job carries only the account reference.
  authorize(payload.actor, 'run.start');
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const id = await boss.send(MATCH_QUEUES.run, MatchRunPayload.parse({ ...payload, actor: actorRef(payload.actor) }));
  if (!id) throw new AppError('RUN_FAILED', 'The job queue did not accept the match-run job; check that pg-boss is started and its schema migrated.');
  let runId: number | undefined;
  while (Date.now() < deadline) {
    if (runId === undefined) {
      const job = await boss.getJobById<MatchRunPayload>(MATCH_QUEUES.run, id);
      if (job?.state === 'failed') throw new AppError('RUN_FAILED', `match-run job ${id} failed: ${JSON.stringify(job.output)}`);
      if (job?.state === 'completed') runId = (job.output as { runId: number }).runId;
    } else {
      const progress = await runProgress(db, runId);
      options.onProgress?.(progress);
      if (progress.status === 'completed') return runId;
      if (progress.status === 'failed') throw new AppError('RUN_FAILED', `match run ${runId} failed: ${progress.failureReason ?? 'no reason recorded'}; see cli runs show ${runId}.`, { runId });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new AppError('RUN_TIMEOUT', `match run did not finish within ${options.timeoutMs ?? 600_000} ms; it goes on in the workers (cli runs shows its progress).`);
}
