// A match run: one policy version × one frozen snapshot × one period. Decisions are stored per run;
// the eligibility list (one entry per point, period and subject) changes only where the answer changed,
// and each change is written to the audit trail in the same transaction.
import { and, eq } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { decisions, listEntries, matchRuns, snapshots } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { latestPolicyVersion, policyVersion } from '../policies/policy-registry.ts';
import type { Decision } from '../rules/decision.ts';
import { evaluateWengangFanhuan, wengangParameters } from '../rules/wengang-fanhuan.ts';
import { CURRENT_PERIOD, createSnapshot, readSnapshotFacts } from '../subjects/facts-repository.ts';
import { toWengangFacts } from './subject-facts.ts';

export interface MatchRequest {
  pointId: string;
  trigger: 'cron' | 'manual' | 'startup';
  actor: string;
  /** Pin an existing snapshot (re-runs); by default a new snapshot of everything recorded so far. */
  snapshotId?: number;
  /** Pin a policy version (re-runs); by default the latest published. */
  policyVersion?: number;
}

export interface MatchResult {
  runId: number;
  pointId: string;
  policyVersion: number;
  snapshotId: number;
  period: string;
  evaluated: number;
  eligible: number;
  ineligible: number;
  undetermined: number;
  totalFen: bigint;
  list: { added: number; changed: number; unchanged: number; locked: number };
}

export function idempotencyKey(pointId: string, period: string, subjectKey: string): string {
  return `${pointId}/${period}/${subjectKey}`;
}

export async function runMatch(db: Database, clock: Clock, log: Logger, request: MatchRequest): Promise<MatchResult> {
  const version = request.policyVersion === undefined ? await latestPolicyVersion(db.orm, request.pointId) : await policyVersion(db.orm, request.pointId, request.policyVersion);
  const policy = version.definition;
  const period = String(policy.point.period.policyYear);
  const dataYear = policy.point.period.dataYear;
  const params = wengangParameters(policy.point.parameters);

  const { runId, snapshot } = await db.orm.transaction(async (tx) => {
    let snapshot: { id: number; watermarkSeq: number };
    if (request.snapshotId === undefined) {
      snapshot = await createSnapshot(tx, clock, request.actor, clock.now().toISOString().slice(0, 10));
    } else {
      const [row] = await tx.select().from(snapshots).where(eq(snapshots.id, request.snapshotId));
      if (!row) throw new AppError('SNAPSHOT_NOT_FOUND', `Snapshot ${request.snapshotId} does not exist; list snapshots or omit it to freeze a new one.`);
      snapshot = { id: row.id, watermarkSeq: row.watermarkSeq };
    }
    const [run] = await tx
      .insert(matchRuns)
      .values({ pointId: request.pointId, policyVersion: version.version, snapshotId: snapshot.id, period, trigger: request.trigger, status: 'running', startedAt: clock.now() })
      .returning({ id: matchRuns.id });
    await appendAudit(tx, clock, {
      actor: request.actor,
      action: 'match.started',
      entityType: 'match_run',
      entityId: String(run!.id),
      payload: { pointId: request.pointId, policyVersion: version.version, snapshotId: snapshot.id, period, trigger: request.trigger },
    });
    return { runId: run!.id, snapshot };
  });

  const evaluated: { subjectKey: string; decision: Decision }[] = [];
  for await (const subject of readSnapshotFacts(db.sql, snapshot.watermarkSeq, [CURRENT_PERIOD, String(dataYear)])) {
    const decision = evaluateWengangFanhuan(toWengangFacts(subject.facts), params, policy.point.rounding, dataYear);
    evaluated.push({ subjectKey: subject.subjectKey, decision });
  }

  const counts = { eligible: 0, ineligible: 0, undetermined: 0 };
  let totalFen = 0n;
  for (const { decision } of evaluated) {
    counts[decision.outcome]++;
    if (decision.amountFen !== null) totalFen += decision.amountFen;
  }

  const list = await db.orm.transaction(async (tx) => {
    for (let i = 0; i < evaluated.length; i += 1000) {
      await tx.insert(decisions).values(
        evaluated.slice(i, i + 1000).map(({ subjectKey, decision }) => ({
          subjectKey,
          runId,
          outcome: decision.outcome,
          amountFen: decision.amountFen,
          reasons: decision.reasons,
        })),
      );
    }
    const existing = new Map(
      (
        await tx
          .select({ subjectKey: listEntries.subjectKey, outcome: listEntries.outcome, amountFen: listEntries.amountFen, status: listEntries.status })
          .from(listEntries)
          .where(and(eq(listEntries.pointId, request.pointId), eq(listEntries.period, period)))
      ).map((row) => [row.subjectKey, row]),
    );
    const tally = { added: 0, changed: 0, unchanged: 0, locked: 0 };
    const changedKeys: string[] = [];
    for (const { subjectKey, decision } of evaluated) {
      const before = existing.get(subjectKey);
      const values = {
        outcome: decision.outcome,
        amountFen: decision.amountFen,
        rounding: decision.rounding,
        reasons: decision.reasons,
        policyVersion: version.version,
        runId,
        updatedAt: clock.now(),
      };
      if (!before) {
        await tx.insert(listEntries).values({ subjectKey, pointId: request.pointId, period, idempotencyKey: idempotencyKey(request.pointId, period, subjectKey), status: 'listed', ...values });
        tally.added++;
      } else if (before.outcome === decision.outcome && before.amountFen === decision.amountFen) {
        tally.unchanged++;
      } else if (before.status !== 'listed') {
        // Already batched or paid: the list does not silently change money in flight; staff review it.
        tally.locked++;
        log.warn({ runId, pointId: request.pointId, status: before.status }, 'list entry changed after batching; left for review');
      } else {
        await tx
          .update(listEntries)
          .set(values)
          .where(and(eq(listEntries.subjectKey, subjectKey), eq(listEntries.pointId, request.pointId), eq(listEntries.period, period)));
        tally.changed++;
        changedKeys.push(subjectKey);
      }
    }
    await tx
      .update(matchRuns)
      .set({ status: 'completed', finishedAt: clock.now(), evaluated: evaluated.length, ...counts, totalFen })
      .where(eq(matchRuns.id, runId));
    await appendAudit(tx, clock, {
      actor: request.actor,
      action: 'match.completed',
      entityType: 'match_run',
      entityId: String(runId),
      payload: { evaluated: evaluated.length, ...counts, totalFen, list: tally, changedSubjects: changedKeys },
    });
    return tally;
  });

  const result: MatchResult = { runId, pointId: request.pointId, policyVersion: version.version, snapshotId: snapshot.id, period, evaluated: evaluated.length, ...counts, totalFen, list };
  log.info({ runId, pointId: request.pointId, evaluated: evaluated.length, ...counts, list }, 'match run completed');
  return result;
}
