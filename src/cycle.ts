// One whole cycle, as `npm start` runs it: publish the policy library, load the demo population if the
// database is empty, match every enterprise point (through the job queue, in shards), prepare a payout
// batch per point, approve it as a second person, pay through the sandbox bank, reconcile, and verify
// the audit chain.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgBoss } from 'pg-boss';
import { runMatchJob } from '../jobs/match-run.ts';
import { verifyAuditChain, type ChainVerification } from './audit/audit-trail.ts';
import { recordCheckpoint, type AuditSigner, type SignedCheckpoint } from './audit/checkpoints.ts';
import type { Clock } from './clock.ts';
import type { Database } from './db/clients.ts';
import { ensureDemoAccounts, type DemoActors } from './demo/demo-accounts.ts';
import { loadDemoPopulation } from './demo/load-demo.ts';
import { SYSTEM_ACTOR, type Actor } from './identity/permissions.ts';
import { publishNotice } from './lists/notice-service.ts';
import { isAppError } from './errors.ts';
import type { ImportResult } from './feeds/importer.ts';
import type { Logger } from './logger.ts';
import { buildHireLedger, type LedgerResult } from './matching/identity-ledger.ts';
import { runSummary, type RunSummary } from './matching/run-service.ts';
import { sandboxBank } from './payouts/sandbox-bank.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from './payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles } from './policies/library-registry.ts';
import { demoPlan, type DemoRun, type PlantedSubject } from './population/policy-anchors.ts';
import { dayToIso } from './rules/lang/parser.ts';
import { parsePeriod } from './rules/lang/period.ts';

export const POLICIES_DIR = fileURLToPath(new URL('../policies', import.meta.url));


/** The demo pays the 2024 enterprise points, reading 2023 data where a point pays for its data year. */
export const DEMO_PERIOD = '2024';

/**
 * What the demo always matches: the year's enterprise points; the per-month hiring subsidies of
 * September 2023 (the month the generated hire records cover), after the identity ledger has
 * deduplicated the hires; and the monthly person benefits for June 2024 (listed, not paid: the demo data
 * has no personal payment accounts). demoPlan() adds, from the library, one listed run per period that a
 * point not in effect in these needs (the 2019 稳岗返还, the 2022 扩岗补助, 2025 …).
 */
export const DEMO_RUNS: readonly DemoRun[] = [
  { scope: 'enterprise', period: DEMO_PERIOD, pay: true },
  { scope: 'enterprise', period: '2023-09', ledgerMonth: '2023-09', pay: true },
  { scope: 'person', period: '2024-06', pay: true },
];

interface CyclePoint {
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

interface CycleRun {
  scope: string;
  run: RunSummary;
  points: CyclePoint[];
  ledger: LedgerResult | null;
}

export interface CycleSummary {
  library: { hash: string; points: number; newVersions: string[] };
  /** The demo accounts the cycle acted as. */
  staff: DemoActors;
  demo: { created: boolean; enterprises: number; persons: number; imports: ImportResult[]; planted: PlantedSubject[] };
  runs: CycleRun[];
  audit: ChainVerification;
  /** The signed checkpoint of the verified chain's head (none without a signer, or when it is broken). */
  checkpoint: SignedCheckpoint | null;
}

/**
 * The demo's feeds are stated as of the end of the latest period it matches: planted cases carry dated
 * events (a death in 2025-03) that an import refuses when they lie after the file's as-of date.
 */
function demoAsOf(runs: readonly { period: string }[]): string {
  return dayToIso(Math.max(...runs.map((r) => parsePeriod(r.period).end)));
}

/**
 * Publishes the point's list (公示) if anything in it needs publishing and returns a clock past the end
 * of its notice: the real clock moved forward to the morning after the notice's last working day.
 * Demo only. Nothing new to publish (a second start): the real clock.
 */
async function noticeLapsedForDemo(db: Database, clock: Clock, input: { pointId: string; period: string; actor: Actor }): Promise<Clock> {
  try {
    const notice = await publishNotice(db, clock, input);
    const morningAfter = Date.parse(`${notice.endsOn}T01:00:00.000Z`) + 86_400_000;
    const offset = Math.max(0, morningAfter - clock.now().getTime());
    return { now: () => new Date(clock.now().getTime() + offset) };
  } catch (error) {
    if (isAppError(error, 'NOTICE_EMPTY')) return clock;
    throw error;
  }
}

export async function runCycle(
  deps: { db: Database; boss: PgBoss; clock: Clock; log: Logger; auditSigner?: AuditSigner },
  options: { seed: number; enterprises: number; persons?: number; dataDir: string; shards?: number; policiesDir?: string; runs?: typeof DEMO_RUNS; secondApprovalAboveFen?: bigint },
): Promise<CycleSummary> {
  const { db, boss, clock, log } = deps;
  // Demo mode: the cycle's steps are done by the demo accounts (preparer and approvers distinct ids).
  const staff = await ensureDemoAccounts(db, clock);
  const published = await publishLibrary(db.orm, clock, staff.reviewer, await readLibraryFiles(options.policiesDir ?? POLICIES_DIR));
  const plan = demoPlan(published.library.points, options.runs ?? DEMO_RUNS, options.seed);
  const loaded = await loadDemoPopulation(db, clock, {
    seed: options.seed,
    count: options.enterprises,
    persons: options.persons ?? 0,
    dataYear: Number(DEMO_PERIOD) - 1,
    asOf: demoAsOf(plan.runs),
    dataDir: options.dataDir,
    planted: plan.rows,
  });
  const demo = { ...loaded, planted: plan.subjects };
  const bank = sandboxBank(db.orm, clock);
  const runs: CycleRun[] = [];
  for (const spec of plan.runs) {
    if (spec.scope === 'person' && demo.persons === 0) continue;
    const ledger = spec.ledgerMonth ? await buildHireLedger(db, clock, { month: spec.ledgerMonth, actor: SYSTEM_ACTOR, rejectsDir: join(options.dataDir, 'rejects') }) : null;
    const runId = await runMatchJob(boss, db, { scope: spec.scope, period: spec.period, trigger: 'startup', actor: staff.policyStaff, shards: options.shards ?? 4 });
    const run = await runSummary(db, runId);
    const batches = new Map<string, { batchId: number; approvedFen: bigint; withoutAccount: number }>();
    for (const point of spec.pay ? run.points : []) {
      if (point.eligible === 0) continue;
      try {
        // 公示 first: the list is published by the reviewer for its working days. The demo then moves
        // its clock past the notice's last day (demo only: a real deployment waits the days out) and
        // pays what stands at the payable gate; entries awaiting a confirmation (确认) wait for the
        // subject, in the portal.
        const payClock = await noticeLapsedForDemo(db, clock, { pointId: point.pointId, period: spec.period, actor: staff.reviewer });
        const batch = await prepareBatch(db, payClock, { pointId: point.pointId, period: spec.period, actor: staff.preparer, secondApprovalAboveFen: options.secondApprovalAboveFen });
        const approval = await approveBatch(db, payClock, { batchId: batch.batchId, actor: staff.approver });
        if (approval.status === 'awaiting_second_approval') await approveBatch(db, payClock, { batchId: batch.batchId, actor: staff.secondApprover });
        await sendBatch(db, payClock, bank, { batchId: batch.batchId, actor: staff.preparer });
        batches.set(point.pointId, { batchId: batch.batchId, approvedFen: batch.totalFen, withoutAccount: batch.withoutAccount.length });
      } catch (error) {
        // A second start finds everything already batched: nothing new to pay is not a failure.
        if (!isAppError(error, 'BATCH_EMPTY')) throw error;
        batches.set(point.pointId, { batchId: 0, approvedFen: 0n, withoutAccount: Number(error.details?.withoutAccount ?? 0) });
        log.info({ pointId: point.pointId }, 'nothing new to pay');
      }
    }
    await reconcile(db, clock, log, bank, SYSTEM_ACTOR);
    const paidRows = await db.sql<{ point_id: string; paid: number; paid_fen: string; failed: number }[]>`
      select b.point_id, count(*) filter (where p.status = 'paid')::int as paid,
             coalesce(sum(p.amount_fen) filter (where p.status = 'paid'), 0)::text as paid_fen,
             count(*) filter (where p.status = 'failed')::int as failed
      from payments p join payout_batches b on b.id = p.batch_id
      where b.period = ${spec.period} group by b.point_id`;
    const paidBy = new Map(paidRows.map((r) => [r.point_id, r]));
    runs.push({
      scope: spec.scope,
      ledger,
      run,
      points: run.points.map((p) => {
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
      }),
    });
  }
  const audit = await verifyAuditChain(db.sql);
  return {
    library: { hash: published.hash, points: published.library.points.length, newVersions: published.created },
    staff,
    demo,
    runs,
    audit,
    checkpoint: audit.ok && deps.auditSigner ? await recordCheckpoint(db, clock, deps.auditSigner) : null,
  };
}
