// One whole cycle, as `npm start` runs it: publish the policy library, load the demo population if the
// database is empty, match every enterprise point (through the job queue, in shards), prepare a payout
// batch per point, approve it as a second person, pay through the sandbox bank, reconcile, and verify
// the audit chain.
import { fileURLToPath } from 'node:url';
import type { PgBoss } from 'pg-boss';
import { runMatchJob } from '../jobs/match-run.ts';
import { verifyAuditChain, type ChainVerification } from './audit/audit-trail.ts';
import type { Clock } from './clock.ts';
import type { Database } from './db/clients.ts';
import { loadDemoPopulation } from './demo/load-demo.ts';
import { isAppError } from './errors.ts';
import type { ImportResult } from './feeds/importer.ts';
import type { Logger } from './logger.ts';
import { runSummary, type RunSummary } from './matching/run-service.ts';
import { sandboxBank } from './payouts/sandbox-bank.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from './payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles } from './policies/library-registry.ts';

export const POLICIES_DIR = fileURLToPath(new URL('../policies', import.meta.url));

export const DEMO_STAFF = { policyOfficer: 'staff:policy.li', preparer: 'finance:zhang.wei', approver: 'finance:wang.fang', system: 'system:cycle' } as const;

/** The demo pays the 2024 enterprise points, reading 2023 data where a point pays for its data year. */
export const DEMO_PERIOD = '2024';

export interface CyclePoint {
  pointId: string;
  version: number;
  eligible: number;
  undetermined: number;
  excluded: number;
  entitledFen: bigint;
  batchId: number | null;
  approvedFen: bigint;
  paid: number;
  paidFen: bigint;
  failed: number;
  withoutAccount: number;
}

export interface CycleSummary {
  library: { hash: string; points: number; newVersions: string[] };
  demo: { created: boolean; enterprises: number; imports: ImportResult[] };
  run: RunSummary;
  points: CyclePoint[];
  audit: ChainVerification;
}

export async function runCycle(
  deps: { db: Database; boss: PgBoss; clock: Clock; log: Logger },
  options: { seed: number; enterprises: number; dataDir: string; shards?: number; policiesDir?: string },
): Promise<CycleSummary> {
  const { db, boss, clock, log } = deps;
  const published = await publishLibrary(db.orm, clock, DEMO_STAFF.policyOfficer, await readLibraryFiles(options.policiesDir ?? POLICIES_DIR));
  const demo = await loadDemoPopulation(db, clock, { seed: options.seed, count: options.enterprises, dataYear: Number(DEMO_PERIOD) - 1, asOf: `${DEMO_PERIOD}-03-31`, dataDir: options.dataDir });

  const runId = await runMatchJob(boss, db, { scope: 'enterprise', period: DEMO_PERIOD, trigger: 'startup', actor: DEMO_STAFF.system, shards: options.shards ?? 4 });
  const run = await runSummary(db, runId);

  const bank = sandboxBank(db.orm, clock);
  const batches = new Map<string, { batchId: number; approvedFen: bigint; withoutAccount: number }>();
  for (const point of run.points) {
    if (point.eligible === 0) continue;
    try {
      const batch = await prepareBatch(db, clock, { pointId: point.pointId, period: DEMO_PERIOD, actor: DEMO_STAFF.preparer });
      await approveBatch(db, clock, { batchId: batch.batchId, actor: DEMO_STAFF.approver });
      await sendBatch(db, clock, bank, { batchId: batch.batchId, actor: DEMO_STAFF.approver });
      batches.set(point.pointId, { batchId: batch.batchId, approvedFen: batch.totalFen, withoutAccount: batch.withoutAccount.length });
    } catch (error) {
      // A second start finds everything already batched: nothing new to pay is not a failure.
      if (!isAppError(error, 'BATCH_EMPTY')) throw error;
      batches.set(point.pointId, { batchId: 0, approvedFen: 0n, withoutAccount: Number(error.details?.withoutAccount ?? 0) });
      log.info({ pointId: point.pointId }, 'nothing new to pay');
    }
  }
  await reconcile(db, clock, log, bank, DEMO_STAFF.system);

  const paidRows = await db.sql<{ point_id: string; paid: number; paid_fen: string; failed: number }[]>`
    select b.point_id, count(*) filter (where p.status = 'paid')::int as paid,
           coalesce(sum(p.amount_fen) filter (where p.status = 'paid'), 0)::text as paid_fen,
           count(*) filter (where p.status = 'failed')::int as failed
    from payments p join payout_batches b on b.id = p.batch_id
    where b.period = ${DEMO_PERIOD} group by b.point_id`;
  const paidBy = new Map(paidRows.map((r) => [r.point_id, r]));
  const points: CyclePoint[] = run.points.map((p) => {
    const batch = batches.get(p.pointId);
    const paid = paidBy.get(p.pointId);
    return {
      pointId: p.pointId,
      version: p.version,
      eligible: p.eligible,
      undetermined: p.undetermined,
      excluded: p.excluded,
      entitledFen: p.totalFen,
      batchId: batch?.batchId || null,
      approvedFen: batch?.approvedFen ?? 0n,
      paid: paid?.paid ?? 0,
      paidFen: BigInt(paid?.paid_fen ?? 0),
      failed: paid?.failed ?? 0,
      withoutAccount: batch?.withoutAccount ?? 0,
    };
  });
  return {
    library: { hash: published.hash, points: published.library.points.length, newVersions: published.created },
    demo,
    run,
    points,
    audit: await verifyAuditChain(db.sql),
  };
}
