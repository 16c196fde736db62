// One whole cycle, as `npm start` runs it: publish the policy files, load the demo population if the
// database is empty, match (through the job queue), prepare a payout batch, approve it as a second
// person, pay through the sandbox bank, reconcile, and verify the audit chain.
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
import { sandboxBank } from './payouts/sandbox-bank.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from './payouts/payout-service.ts';
import { publishPolicy } from './policies/policy-registry.ts';
import { loadSkeletonPolicies } from './policies/skeleton-format.ts';
import { eq, and, sql as dsql } from 'drizzle-orm';
import { listEntries } from './db/schema/index.ts';

export const POLICIES_DIR = fileURLToPath(new URL('../policies', import.meta.url));

export const DEMO_STAFF = { policyOfficer: 'staff:policy.li', preparer: 'finance:zhang.wei', approver: 'finance:wang.fang', system: 'system:cycle' } as const;

export interface CycleSummary {
  points: {
    pointId: string;
    policyVersion: number;
    period: string;
    runId: number;
    evaluated: number;
    eligible: number;
    ineligible: number;
    undetermined: number;
    matchedFen: bigint;
    batchId: number | null;
    approvedFen: bigint;
    paid: number;
    paidFen: bigint;
    failed: number;
    withoutAccount: number;
  }[];
  demo: { created: boolean; enterprises: number; imports: ImportResult[] };
  audit: ChainVerification;
}

export async function runCycle(deps: { db: Database; boss: PgBoss; clock: Clock; log: Logger }, options: { seed: number; enterprises: number; dataDir: string; policiesDir?: string }): Promise<CycleSummary> {
  const { db, boss, clock, log } = deps;
  const policies = await loadSkeletonPolicies(options.policiesDir ?? POLICIES_DIR);
  const published = [];
  for (const policy of policies) published.push(await publishPolicy(db.orm, clock, DEMO_STAFF.policyOfficer, policy));

  const dataYear = policies[0]?.point.period.dataYear ?? clock.now().getUTCFullYear() - 1;
  const demo = await loadDemoPopulation(db, clock, { seed: options.seed, count: options.enterprises, dataYear, asOf: `${dataYear + 1}-03-31`, dataDir: options.dataDir });

  const bank = sandboxBank(db.orm, clock);
  const points: CycleSummary['points'] = [];
  for (const version of published) {
    const run = await runMatchJob(boss, { pointId: version.pointId, trigger: 'startup', actor: DEMO_STAFF.system });
    const period = String(version.definition.point.period.policyYear);
    let batchId: number | null = null;
    let approvedFen = 0n;
    let withoutAccount: number;
    try {
      const batch = await prepareBatch(db, clock, { pointId: version.pointId, period, actor: DEMO_STAFF.preparer });
      batchId = batch.batchId;
      withoutAccount = batch.withoutAccount.length;
      await approveBatch(db, clock, { batchId: batch.batchId, actor: DEMO_STAFF.approver });
      approvedFen = batch.totalFen;
      await sendBatch(db, clock, bank, { batchId: batch.batchId, actor: DEMO_STAFF.approver });
    } catch (error) {
      // A second start finds everything already batched: nothing new to pay is not a failure.
      if (!isAppError(error, 'BATCH_EMPTY')) throw error;
      withoutAccount = Number(error.details?.withoutAccount ?? 0);
      log.info({ pointId: version.pointId }, 'nothing new to pay');
    }
    await reconcile(db, clock, log, bank, DEMO_STAFF.system);
    const [paid] = await db.orm.execute<{ paid: number; paid_fen: string; failed: number; runs: number }>(dsql`
      select count(*) filter (where p.status = 'paid')::int as paid,
             coalesce(sum(p.amount_fen) filter (where p.status = 'paid'), 0)::text as paid_fen,
             count(*) filter (where p.status = 'failed')::int as failed
      from payments p join payout_batches b on b.id = p.batch_id
      where b.point_id = ${version.pointId} and b.period = ${period}`);
    const [counts] = await db.orm.execute<Record<string, string>>(dsql`
      select count(*) filter (where outcome = 'eligible')::int as eligible,
             count(*) filter (where outcome = 'ineligible')::int as ineligible,
             count(*) filter (where outcome = 'undetermined')::int as undetermined,
             count(*)::int as evaluated,
             coalesce(sum(amount_fen) filter (where outcome = 'eligible'), 0)::text as matched_fen
      from ${listEntries} where ${and(eq(listEntries.pointId, version.pointId), eq(listEntries.period, period))}`);
    points.push({
      pointId: version.pointId,
      policyVersion: version.version,
      period,
      runId: run.runId,
      evaluated: Number(counts?.evaluated ?? 0),
      eligible: Number(counts?.eligible ?? 0),
      ineligible: Number(counts?.ineligible ?? 0),
      undetermined: Number(counts?.undetermined ?? 0),
      matchedFen: BigInt(counts?.matched_fen ?? 0),
      batchId,
      approvedFen,
      paid: paid?.paid ?? 0,
      paidFen: BigInt(paid?.paid_fen ?? 0),
      failed: paid?.failed ?? 0,
      withoutAccount,
    });
  }
  const audit = await verifyAuditChain(db.sql);
  return { points, demo, audit };
}
