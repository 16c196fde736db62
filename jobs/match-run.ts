// pg-boss job: a match run for one policy point, from the cron schedule or on demand. The handler only
// parses its payload and calls the matching service.
import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { Clock } from '../src/clock.ts';
import type { Database } from '../src/db/clients.ts';
import type { Logger } from '../src/logger.ts';
import { runMatch } from '../src/matching/match-service.ts';

export const MATCH_RUN_QUEUE = 'match-run';

export const MatchRunPayload = z.object({
  pointId: z.string().min(1),
  trigger: z.enum(['cron', 'manual', 'startup']).default('cron'),
  actor: z.string().min(1).default('system:scheduler'),
});
export type MatchRunPayload = z.input<typeof MatchRunPayload>;

export async function registerMatchRunJob(boss: PgBoss, deps: { db: Database; clock: Clock; log: Logger }) {
  await boss.createQueue(MATCH_RUN_QUEUE, { partition: true, retryLimit: 2, expireInSeconds: 3600 });
  await boss.work(MATCH_RUN_QUEUE, async ([job]) => {
    if (!job) return;
    const payload = MatchRunPayload.parse(job.data);
    const result = await runMatch(deps.db, deps.clock, deps.log, payload);
    return { runId: result.runId, eligible: result.eligible, totalFen: result.totalFen.toString() };
  });
}

export async function scheduleMatchRuns(boss: PgBoss, pointIds: string[], cron: string, tz: string) {
  for (const pointId of pointIds) {
    await boss.schedule(MATCH_RUN_QUEUE, cron, { pointId, trigger: 'cron' } satisfies MatchRunPayload, { tz, key: pointId });
  }
}

/** Sends a match run and waits for the worker to finish it; returns the worker's output. */
export async function runMatchJob(boss: PgBoss, payload: MatchRunPayload, timeoutMs = 120_000): Promise<{ runId: number; eligible: number; totalFen: string }> {
  const id = await boss.send(MATCH_RUN_QUEUE, MatchRunPayload.parse(payload));
  if (!id) throw new Error('pg-boss did not accept the match-run job');
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const job = await boss.getJobById<MatchRunPayload>(MATCH_RUN_QUEUE, id);
    if (job?.state === 'completed') return job.output as { runId: number; eligible: number; totalFen: string };
    if (job?.state === 'failed') throw new Error(`match-run job ${id} failed: ${JSON.stringify(job.output)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`match-run job ${id} did not finish within ${timeoutMs} ms`);
}
