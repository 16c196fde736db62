// Match runs at scale. A run pins a policy library, a frozen snapshot and a period; the subject key
// space is cut into shards, each a pg-boss job that can die and be redone whole (its decisions are
// replaced in one transaction); when the last shard is done the run is finalised: exclusion groups,
// caps and budgets are applied, and the eligibility list is updated with a change log, all in one
// transaction with its audit entry. Incremental runs re-evaluate only subjects whose facts changed.
import type postgres from 'postgres';
import { appendAuditSql } from '../audit/audit-trail.ts';
import { checkpointAfterCommit } from '../audit/checkpoint-events.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { libraryByHash } from '../policies/library-registry.ts';
import { libraryHashForPeriod } from '../policies/period-library.ts';
import type { PointModel } from '../rules/lang/model.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { mergeParts, readSnapshotParts, validityDate } from '../subjects/facts-repository.ts';
import { createSnapshot, readSnapshot, safeId } from '../subjects/snapshots.ts';
import { allocateBudget, applyCaps, budgetLimited, resolveExclusionGroups, type BudgetClaim, type CapRule, type Claim } from './allocation.ts';
import { factPeriodsFor, pointsForScope, runnable, type RunnablePoint } from './compiled-library.ts';
import {
  baseRunFor,
  changedSubjects,
  clearShardDecisions,
  copyDecisions,
  insertDecisions,
  insertMatchRun,
  insertRunPoints,
  insertRunShards,
  listedInShard,
  lockJob,
  lockRunStatus,
  markRunFailed,
  markShardDone,
  matchRunRow,
  publishedVersions,
  remainingShards,
  runChangeCounts,
  runEvaluated,
  runOfJobRow,
  runPointIds,
  runPointPins,
  runPointTotals,
  runShardRow,
  shardUpperKeys,
  type DecisionRow,
} from './match-repository.ts';

export interface RunRequest {
  /** 'enterprise' or 'person' (every point of that subject type in effect), or one point id. */
  scope: string;
  period: string;
  trigger: string;
  actor: string;
  kind?: 'full' | 'incremental';
  shards?: number;
  snapshotId?: number;
  libraryHash?: string;
  /** The pg-boss job creating the run: a retry of the same job finds this run instead of making another. */
  jobId?: string;
}

/** Work that must commit with the run row or not at all (the shard jobs it enqueues). */
export type OnRunCreated = (tx: postgres.TransactionSql, run: CreatedRun) => Promise<void>;

export interface CreatedRun {
  runId: number;
  kind: 'full' | 'incremental';
  shardCount: number;
  pointIds: string[];
  /** False when a retried job found the run its earlier attempt created. */
  created: boolean;
}

interface RunRow {
  id: number;
  scope: string;
  kind: 'full' | 'incremental';
  period: string;
  library_hash: string;
  snapshot_id: number;
  /** fact_records.seq (bigserial); read as a JS number only where the snapshot reader takes one. */
  watermark_seq: bigint;
  base_run_id: number | null;
  status: string;
  shard_count: number;
}

async function loadRun(sql: postgres.Sql | postgres.TransactionSql, runId: number): Promise<RunRow> {
  const row = await matchRunRow(sql, runId);
  if (!row) throw new AppError('RUN_NOT_FOUND', `Match run ${runId} does not exist; list the runs with: npm run cli -- runs`);
  const run: RunRow = { ...row, id: safeId(row.id, 'match run'), snapshot_id: safeId(row.snapshot_id, 'snapshot'), base_run_id: row.base_run_id === null ? null : safeId(row.base_run_id, 'match run') };
  return run;
}

async function pinnedPoints(db: Database, run: RunRow): Promise<{ points: RunnablePoint[]; versions: Map<string, number> }> {
  const library = await libraryByHash(db.orm, run.library_hash);
  const pins = await runPointPins(db.sql, run.id);
  const models = pins.map((pin) => {
    const point = library.byId.get(pin.point_id);
    if (!point) throw new AppError('POLICY_NOT_FOUND', `Run ${run.id} pins point ${pin.point_id}, which its library does not contain.`);
    return point;
  });
  return { points: runnable(models, run.period), versions: new Map(pins.map((p) => [p.point_id, p.version])) };
}

/** Cuts the registry's key space into ranges of about equal size: (lo, hi], open at both ends. */
async function planRanges(tx: postgres.TransactionSql, subjectType: 'enterprise' | 'person', shards: number): Promise<{ lo: string | null; hi: string | null }[]> {
  const rows = await shardUpperKeys(tx, subjectType, shards);
  if (rows.length === 0) return [{ lo: null, hi: null }];
  return rows.map((row, i) => ({ lo: i === 0 ? null : rows[i - 1]!.hi, hi: i === rows.length - 1 ? null : row.hi }));
}

async function runOfJob(sql: postgres.Sql | postgres.TransactionSql, jobId: string): Promise<CreatedRun | undefined> {
  const row = await runOfJobRow(sql, jobId);
  if (!row) return undefined;
  const id = safeId(row.id, 'match run');
  const pins = await runPointIds(sql, id);
  return { runId: id, kind: row.kind, shardCount: row.shard_count, pointIds: pins.map((p) => p.point_id), created: false };
}

/**
 * Creates a run: pins the library and a snapshot, plans the shards, and (through onCreated) enqueues
 * their jobs, all in one transaction, so a crash leaves either no run or a run whose work is queued.
 * Given a jobId it is idempotent: a retried job gets the run its first attempt committed.
 */
export async function createRun(db: Database, clock: Clock, log: Logger, request: RunRequest, onCreated?: OnRunCreated): Promise<CreatedRun> {
  if (request.jobId !== undefined) {
    const existing = await runOfJob(db.sql, request.jobId);
    if (existing) {
      log.info({ runId: existing.runId, jobId: request.jobId }, 'match-run job retried after its run was committed; continuing that run');
      return existing;
    }
  }
  const period = parsePeriod(request.period);
  // The library in force for the period: each file's text in force on the period's reference day.
  const hash = request.libraryHash ?? (await libraryHashForPeriod(db.orm, clock, request.actor, period));
  const library = await libraryByHash(db.orm, hash);
  const points = pointsForScope(library.points, request.scope, period);
  if (points.length === 0) throw new AppError('RUN_NOTHING_TO_MATCH', `No point in scope "${request.scope}" is in effect in ${request.period}; check the scope or the period.`);
  const subjectType = points[0]!.subject;
  if (points.some((p) => p.subject !== subjectType)) throw new AppError('RUN_NOTHING_TO_MATCH', `Scope "${request.scope}" mixes enterprise and person points; run them separately.`);

  return db.sql.begin(async (tx) => {
    if (request.jobId !== undefined) {
      // Two attempts of one job racing: the second waits here, then finds the first's run.
      await lockJob(tx, request.jobId);
      const existing = await runOfJob(tx, request.jobId);
      if (existing) return existing;
    }
    const versions = await publishedVersions(tx, points.map((p) => p.id));
    const versionOf = new Map<string, number>();
    for (const p of points) {
      const v = versions.find((row) => row.point_id === p.id && row.content_hash === p.contentHash);
      if (!v) throw new AppError('POLICY_NOT_FOUND', `Point ${p.id} (content ${p.contentHash.slice(0, 12)}) is not published; publish the library first.`);
      versionOf.set(p.id, v.version);
    }

    let kind = request.kind ?? 'full';
    let base: { id: bigint; watermark_seq: bigint } | undefined;
    if (kind === 'incremental') {
      base = await baseRunFor(tx, request.scope, request.period, hash);
      if (!base) {
        log.info({ scope: request.scope, period: request.period }, 'no completed run of this library to continue from; running a full match');
        kind = 'full';
      }
    }

    // A pinned snapshot re-reads exactly the facts an earlier run read; else the facts as they stand now.
    const snapshot = request.snapshotId === undefined ? await createSnapshot(tx, clock, request.actor) : await readSnapshot(tx, request.snapshotId);

    const shardCount = Math.max(1, request.shards ?? 1);
    let shards: { lo: string | null; hi: string | null; keys: string[] | null }[];
    if (kind === 'incremental') {
      const changed = await changedSubjects(tx, base!.watermark_seq, snapshot.watermarkSeq, subjectType);
      const keys = changed.map((r) => r.subject_key);
      const size = Math.max(1, Math.ceil(keys.length / shardCount));
      shards = [];
      for (let i = 0; i < Math.max(1, keys.length); i += size) shards.push({ lo: null, hi: null, keys: keys.slice(i, i + size) });
    } else {
      shards = (await planRanges(tx, subjectType, shardCount)).map((r) => ({ ...r, keys: null }));
    }

    const newId = await insertMatchRun(
      tx,
      { scope: request.scope, kind, period: request.period, libraryHash: hash, snapshotId: snapshot.id, watermarkSeq: snapshot.watermarkSeq, baseRunId: base?.id ?? null, trigger: request.trigger, actor: request.actor, shardCount: shards.length, jobId: request.jobId ?? null },
      clock.now(),
    );
    const runId = safeId(newId, 'match run');
    await insertRunPoints(tx, points.map((p) => ({ run_id: runId, point_id: p.id, version: versionOf.get(p.id)! })));
    await insertRunShards(tx, shards.map((s, i) => ({ run_id: runId, shard: i, lo_key: s.lo, hi_key: s.hi, subject_keys: s.keys, status: 'pending' as const })));
    await appendAuditSql(tx, clock, {
      actor: request.actor,
      action: 'match.started',
      entityType: 'match_run',
      entityId: String(runId),
      payload: { scope: request.scope, kind, period: request.period, libraryHash: hash, snapshotId: snapshot.id, watermarkSeq: snapshot.watermarkSeq.toString(), baseRunId: base ? safeId(base.id) : null, shards: shards.length, points: Object.fromEntries(versionOf), jobId: request.jobId ?? null },
    });
    const created: CreatedRun = { runId, kind, shardCount: shards.length, pointIds: points.map((p) => p.id), created: true };
    await onCreated?.(tx, created);
    return created;
  });
}

/**
 * Marks a run that cannot finish as failed, with the reason and its audit entry. A completed run is
 * left alone (a late failure report of a shard that was redone does not undo it).
 */
export async function failRun(db: Database, clock: Clock, runId: number, reason: string, actor = 'system:matching'): Promise<boolean> {
  return db.sql.begin(async (tx) => {
    const status = await lockRunStatus(tx, runId);
    if (status === undefined) throw new AppError('RUN_NOT_FOUND', `Match run ${runId} does not exist.`);
    if (status === 'completed' || status === 'failed') return false;
    await markRunFailed(tx, runId, reason, clock.now());
    await appendAuditSql(tx, clock, { actor, action: 'match.failed', entityType: 'match_run', entityId: String(runId), payload: { reason } });
    return true;
  });
}


function decisionLine(subjectKey: string, runId: number, pointId: string, outcome: string, amount: number | null, codes: readonly string[]): string {
  return `${subjectKey},${runId},${pointId},${outcome},${amount ?? ''},"{${codes.join(',')}}"\n`;
}

export interface ShardResult {
  evaluated: number;
  written: number;
  skipped: boolean;
  remaining: number;
}

/** Evaluates one shard and replaces its decisions. Safe to repeat: a redone shard gives the same rows. */
export async function runShard(db: Database, clock: Clock, runId: number, shard: number): Promise<ShardResult> {
  const run = await loadRun(db.sql, runId);
  const row = await runShardRow(db.sql, runId, shard);
  if (!row) throw new AppError('RUN_NOT_FOUND', `Run ${runId} has no shard ${shard}.`);
  if (row.status === 'done') return { evaluated: 0, written: 0, skipped: true, remaining: await remainingShards(db.sql, runId) };
  // A failed run is over: a late retry of one of its shards must not send it to finalisation.
  if (run.status === 'failed') return { evaluated: 0, written: 0, skipped: true, remaining: -1 };

  const { points } = await pinnedPoints(db, run);
  const period = parsePeriod(run.period);
  const periods = [...new Set(points.flatMap((p) => p.factPeriods))];
  const subjectType = points[0]!.point.subject;
  const scopeFilter = row.subject_keys ? { subjectKeys: row.subject_keys } : { range: { lo: row.lo_key, hi: row.hi_key } };

  // Subjects the list holds now: their decision is kept even when plainly ineligible, so a removal
  // from the list carries its reasons.
  const listed = new Map<string, Set<string>>(points.map((p) => [p.point.id, new Set<string>()]));
  for (const r of await listedInShard(db.sql, run.period, points.map((p) => p.point.id), row)) {
    listed.get(r.point_id)?.add(r.subject_key);
  }

  // Points that read the same fact periods share one merged view of the subject.
  const groups = new Map<string, { periods: string[]; members: { p: RunnablePoint; listed: Set<string> }[] }>();
  for (const p of points) {
    const key = p.factPeriods.join('|');
    const group = groups.get(key) ?? { periods: p.factPeriods, members: [] };
    group.members.push({ p, listed: listed.get(p.point.id)! });
    groups.set(key, group);
  }
  const groupList = [...groups.values()];

  let evaluated = 0;
  let written = 0;
  // The hot loop: no per-evaluation allocation for the (common) plainly ineligible result.
  const evaluate = async (emit: (subjectKey: string, pointId: string, outcome: string, amount: number | null, codes: readonly string[]) => void, drain: () => Promise<void>) => {
    for await (const subject of readSnapshotParts(db.sql, run.watermark_seq, periods, { subjectType, ...scopeFilter, validOn: run.period })) {
      evaluated++;
      for (const group of groupList) {
        const facts = mergeParts(subject.parts, group.periods);
        for (const { p, listed: before } of group.members) {
          const r = p.compiled.run(facts, period);
          if (r.outcome === 'ineligible') {
            const codes = r.reasonCodes;
            let excludedOnly = codes.length > 0 && p.exceptionIds.size > 0;
            for (let i = 0; excludedOnly && i < codes.length; i++) excludedOnly = p.exceptionIds.has(codes[i]!);
            if (!excludedOnly && (before.size === 0 || !before.has(subject.subjectKey))) continue;
          }
          written++;
          emit(subject.subjectKey, p.point.id, r.outcome, r.amountFen, r.reasonCodes);
        }
      }
      await drain();
    }
  };

  const clear = (tx: postgres.TransactionSql) => clearShardDecisions(tx, runId, row);
  const finish = (tx: postgres.TransactionSql) => markShardDone(tx, runId, shard, evaluated, clock.now());

  if (!db.embedded) {
    // Real PostgreSQL: decisions stream into COPY while the cursor (another connection) streams facts in.
    await db.sql.begin(async (tx) => {
      await clear(tx);
      const copy = await copyDecisions(tx);
      let buffer = '';
      await evaluate(
        (subjectKey, pointId, outcome, amount, codes) => {
          buffer += decisionLine(subjectKey, runId, pointId, outcome, amount, codes);
        },
        async () => {
          if (buffer.length < 1 << 16) return;
          const chunk = buffer;
          buffer = '';
          if (!copy.write(chunk)) await new Promise((resolve) => copy.once('drain', resolve));
        },
      );
      await new Promise<void>((resolve, reject) => {
        copy.once('error', reject);
        copy.once('finish', () => resolve());
        copy.end(buffer);
      });
      await finish(tx);
    });
  } else {
    // Embedded: one connection at a time, and no COPY FROM STDIN, so read first, then insert in batches.
    const rows: DecisionRow[] = [];
    await evaluate(
      (subjectKey, pointId, outcome, amount, codes) => {
        rows.push({ subject_key: subjectKey, run_id: runId, point_id: pointId, outcome, amount_fen: amount, reason_codes: [...codes] });
      },
      async () => {},
    );
    await db.sql.begin(async (tx) => {
      await clear(tx);
      await insertDecisions(tx, rows);
      await finish(tx);
    });
  }
  return { evaluated, written, skipped: false, remaining: await remainingShards(db.sql, runId) };
}

export interface FinalizeOptions {
  /** Yearly caps per subject across points (none are stated in the policy briefs; tests and locales add them). */
  caps?: CapRule[];
}

export interface RunSummary {
  runId: number;
  kind: 'full' | 'incremental';
  period: string;
  evaluated: number;
  points: { pointId: string; version: number; eligible: number; undetermined: number; excluded: number; totalFen: bigint; budgetFen: bigint | null }[];
  changes: { added: number; removed: number; amountChanged: number; outcomeChanged: number; locked: number };
  totalFen: bigint;
}

/**
 * One fact of each subject as of the run's snapshot, read with the matcher's own periods and
 * precedence (mergeParts): the district quotas go by (regionCode of an enterprise, from the registry;
 * hukouRegion of a person) and the date a priority `earliest` orders by.
 */
async function subjectFactText(tx: postgres.TransactionSql, watermarkSeq: bigint, point: PointModel, periodText: string, subjectKeys: string[], fact: string): Promise<Map<string, string>> {
  const periods = factPeriodsFor(point, parsePeriod(periodText));
  const out = new Map<string, string>();
  for (let i = 0; i < subjectKeys.length; i += 10_000) {
    const rows = await tx<{ subject_key: string; source: string; period: string; value: string | null }[]>`
      select subject_key, source, period, facts ->> ${fact} as value from (
        select distinct on (subject_key, source, period) subject_key, source, period, facts, retracted
        from fact_records
        where seq <= ${watermarkSeq.toString()}::bigint and subject_type = ${point.subject} and period in ${tx(periods)} and subject_key = any(${subjectKeys.slice(i, i + 10_000)}::text[])
          and (valid_from is null or valid_from <= ${validityDate(periodText)}::date)
        order by subject_key, source, period, seq desc
      ) latest
      where not retracted and facts ? ${fact}`;
    const parts = new Map<string, { source: string; period: string; facts: Record<string, unknown> }[]>();
    for (const r of rows) {
      const list = parts.get(r.subject_key) ?? [];
      list.push({ source: r.source, period: r.period, facts: { [fact]: r.value } });
      parts.set(r.subject_key, list);
    }
    for (const [subjectKey, list] of parts) {
      const value = mergeParts(list, periods)[fact];
      if (typeof value === 'string') out.set(subjectKey, value);
    }
  }
  return out;
}

/** Applies cross-point rules and budgets and updates the list. Idempotent: a completed run is only read. */
export async function finalizeRun(db: Database, clock: Clock, log: Logger, runId: number, options: FinalizeOptions = {}): Promise<RunSummary> {
  const run = await loadRun(db.sql, runId);
  if (run.status === 'completed') return runSummary(db, runId);
  const remaining = await remainingShards(db.sql, runId);
  if (remaining > 0) throw new AppError('RUN_NOT_READY', `Run ${runId} still has ${remaining} shard(s) to do; finalise it when they are done.`);
  const { points, versions } = await pinnedPoints(db, run);
  const pointIds = points.map((p) => p.point.id);
  const incremental = run.kind === 'incremental';

  const phase = (() => {
    let last = performance.now();
    return (name: string) => {
      const now = performance.now();
      log.debug({ runId, phase: name, ms: Math.round(now - last) }, 'finalise phase');
      last = now;
    };
  })();
  await db.sql.begin(async (tx) => {
    const [locked] = await tx<{ status: string }[]>`select status from match_runs where id = ${runId} for update`;
    if (locked?.status === 'completed') return;

    // Subjects evaluated by this run (all of the scope for a full run).
    await tx`create temp table evaluated_subjects (subject_key text primary key) on commit drop`;
    await tx`insert into evaluated_subjects select distinct subject_key from decisions where run_id = ${runId}`;
    if (incremental) {
      await tx`insert into evaluated_subjects select distinct unnest(subject_keys) from run_shards where run_id = ${runId} on conflict do nothing`;
    }
    // Temp tables have no statistics until analysed; the anti-joins below must not plan as nested loops.
    await tx`analyze evaluated_subjects`;

    // The claims the cross-point rules and budgets work on: this run's eligible decisions, plus (for an
    // incremental run) the list's current eligible entries of subjects it did not re-evaluate.
    // Only points under a cross-point rule or a budget need their claims in memory.
    const capped = new Set((options.caps ?? []).flatMap((c) => c.pointIds));
    const ruled = points.filter((p) => p.point.exclusion || budgetLimited(p.point.budget) || capped.has(p.point.id)).map((p) => p.point.id);
    const claimRows =
      ruled.length === 0
        ? []
        : await tx<{ subject_key: string; point_id: string; amount: string }[]>`
      select subject_key, point_id, amount_fen::text as amount from decisions where run_id = ${runId} and point_id in ${tx(ruled)} and outcome = 'eligible'
      ${incremental ? tx`union all
      select l.subject_key, l.point_id, l.rule_amount_fen::text from list_entries l
      where l.period = ${run.period} and l.point_id in ${tx(ruled)} and l.outcome = 'eligible' and l.rule_amount_fen is not null
        and l.allocation <> 'excluded' and not exists (select 1 from evaluated_subjects e where e.subject_key = l.subject_key)` : tx``}`;
    let claims: Claim[] = claimRows.map((r) => ({ subjectKey: r.subject_key, pointId: r.point_id, amountFen: BigInt(r.amount) }));
    phase('claims loaded');

    const adjustments = new Map<string, { outcome: string; amount: bigint | null; allocation: string; codes: string[] }>();
    const key = (subject: string, point: string) => `${subject}\u0000${point}`;
    const members = points.flatMap((p) => (p.point.exclusion ? [{ pointId: p.point.id, ...p.point.exclusion }] : []));
    for (const { excluded } of resolveExclusionGroups(claims, members)) {
      adjustments.set(key(excluded.subjectKey, excluded.pointId), { outcome: 'ineligible', amount: null, allocation: 'excluded', codes: [`EXCLUSION_GROUP:${excluded.group}:${excluded.keptPointId}`] });
    }
    claims = claims.filter((c) => !adjustments.has(key(c.subjectKey, c.pointId)));
    for (const [k, capped] of applyCaps(claims, options.caps ?? [])) {
      adjustments.set(k, { outcome: 'eligible', amount: capped.amountFen, allocation: 'capped', codes: [`CAP:${capped.capId}`] });
    }
    // Budgets: each budgeted point's claims (after exclusion groups and caps) are cut pool by pool —
    // the whole point for a total or a share, each district for quotas — in an order that depends on
    // the claims alone (allocation.ts, tieKey), never on subject key order.
    // Entries already batched or paid hold their money: they come off the pools first and are never
    // re-split (allocateBudget's `locked`), so a re-match cannot push a point past its budget.
    const budgeted = points.filter((p) => budgetLimited(p.point.budget)).map((p) => p.point.id);
    const lockedRows =
      budgeted.length === 0
        ? []
        : await tx<{ subject_key: string; point_id: string; amount: string }[]>`
      select subject_key, point_id, amount_fen::text as amount from list_entries
      where period = ${run.period} and point_id in ${tx(budgeted)} and status <> 'listed' and outcome = 'eligible' and amount_fen is not null`;
    const budgets: Record<string, { pool: string; limitFen: string; claimedFen: string; paidFen: string; lockedFen: string }[]> = {};
    const budgetLineRows: { point_id: string; line: string; limit_fen: string }[] = [];
    for (const p of points) {
      if (!budgetLimited(p.point.budget)) continue;
      const locked: BudgetClaim[] = lockedRows.filter((r) => r.point_id === p.point.id).map((r) => ({ subjectKey: r.subject_key, pointId: r.point_id, amountFen: BigInt(r.amount) }));
      const lockedKeys = new Set(locked.map((c) => c.subjectKey));
      const mine: BudgetClaim[] = claims
        .filter((c) => c.pointId === p.point.id && !lockedKeys.has(c.subjectKey))
        .map((c) => ({ ...c, amountFen: adjustments.get(key(c.subjectKey, c.pointId))?.amount ?? c.amountFen }));
      if (p.point.budget.quotas !== null) {
        const districts = await subjectFactText(tx, run.watermark_seq, p.point, run.period, [...mine, ...locked].map((c) => c.subjectKey), p.point.subject === 'enterprise' ? 'regionCode' : 'hukouRegion');
        for (const c of [...mine, ...locked]) c.district = districts.get(c.subjectKey) ?? null;
      }
      if (p.point.budget.priorityFact !== null) {
        const dates = await subjectFactText(tx, run.watermark_seq, p.point, run.period, mine.map((c) => c.subjectKey), p.point.budget.priorityFact);
        for (const c of mine) c.orderDate = dates.get(c.subjectKey) ?? null;
      }
      const { cuts, pools } = allocateBudget(p.point.budget, mine, { pointId: p.point.id, period: run.period }, locked);
      budgets[p.point.id] = pools.map((b) => ({ pool: b.scope, limitFen: b.limitFen.toString(), claimedFen: b.claimedFen.toString(), paidFen: b.paidFen.toString(), lockedFen: b.lockedFen.toString() }));
      for (const b of pools) budgetLineRows.push({ point_id: p.point.id, line: b.scope, limit_fen: b.limitFen.toString() });
      for (const [subjectKey, cut] of cuts) {
        const prior = adjustments.get(key(subjectKey, p.point.id));
        adjustments.set(key(subjectKey, p.point.id), { outcome: 'eligible', amount: cut.amountFen, allocation: cut.allocation, codes: [...(prior?.codes ?? []), ...cut.codes] });
      }
    }
    await tx`create temp table adjustments (subject_key text, point_id text, outcome text, amount_fen bigint, allocation text, reason_codes text[], primary key (subject_key, point_id)) on commit drop`;
    const adjustRows = [...adjustments].map(([k, a]) => {
      const [subject_key, point_id] = k.split('\u0000') as [string, string];
      return { subject_key, point_id, outcome: a.outcome, amount_fen: a.amount === null ? null : a.amount.toString(), allocation: a.allocation, reason_codes: a.codes };
    });
    for (let i = 0; i < adjustRows.length; i += 1000) {
      await tx`insert into adjustments ${tx(adjustRows.slice(i, i + 1000), 'subject_key', 'point_id', 'outcome', 'amount_fen', 'allocation', 'reason_codes')}`;
    }

    phase('cross-point rules and budgets');
    // The new state of every entry this run decides.
    await tx`create temp table new_state on commit drop as
      select d.subject_key, d.point_id, coalesce(a.outcome, d.outcome) as outcome, d.amount_fen as rule_amount_fen,
             case when coalesce(a.outcome, d.outcome) = 'eligible' then coalesce(a.amount_fen, d.amount_fen) end as amount_fen,
             coalesce(a.allocation, case when d.outcome = 'eligible' then 'full' else 'none' end) as allocation,
             case when a.reason_codes is null then d.reason_codes when d.outcome = 'eligible' then a.reason_codes else d.reason_codes || a.reason_codes end as reason_codes
      from decisions d left join adjustments a on a.subject_key = d.subject_key and a.point_id = d.point_id
      where d.run_id = ${runId}`;
    await tx`analyze adjustments`;
    await tx`alter table new_state add primary key (subject_key, point_id)`;
    await tx`analyze new_state`;
    // Listed subjects this run evaluated but found no decision for (no facts left at all): removed.
    // Driven from the evaluated subjects (lateral), so a list with stale statistics is never scanned whole.
    await tx`insert into new_state
      select l.subject_key, l.point_id, 'ineligible', null, null, 'none', array['NO_FACTS']
      from evaluated_subjects e
      cross join lateral (
        select subject_key, point_id from list_entries
        where subject_key = e.subject_key and period = ${run.period} and point_id in ${tx(pointIds)}
        offset 0 -- keeps the subquery from being flattened into a join the planner may scan the list for
      ) l
      where not exists (select 1 from decisions d where d.run_id = ${runId} and d.subject_key = l.subject_key and d.point_id = l.point_id)`;
    if (!incremental) {
      // A full run evaluated every subject with facts; listed subjects with none are gone from the data.
      await tx`insert into new_state
        select l.subject_key, l.point_id, 'ineligible', null, null, 'none', array['NO_FACTS']
        from list_entries l
        where l.period = ${run.period} and l.point_id in ${tx(pointIds)} and l.outcome <> 'ineligible'
          and not exists (select 1 from evaluated_subjects e where e.subject_key = l.subject_key)`;
    }
    // Budget shares move for subjects this run did not re-evaluate, too.
    await tx`insert into new_state
      select l.subject_key, l.point_id, l.outcome, l.rule_amount_fen, a.amount_fen, a.allocation, a.reason_codes
      from adjustments a
      cross join lateral (
        select subject_key, point_id, outcome, rule_amount_fen from list_entries
        where subject_key = a.subject_key and point_id = a.point_id and period = ${run.period}
        offset 0
      ) l
      where not exists (select 1 from new_state n where n.subject_key = l.subject_key and n.point_id = l.point_id)`;

    await tx`create temp table pinned_versions (point_id text primary key, version int, rounding text) on commit drop`;
    await tx`insert into pinned_versions ${tx(points.map((p) => ({ point_id: p.point.id, version: versions.get(p.point.id)!, rounding: p.point.amount.rounding })), 'point_id', 'version', 'rounding')}`;

    phase('new state');
    await tx`insert into list_changes (subject_key, run_id, point_id, period, change, old_outcome, new_outcome, old_amount_fen, new_amount_fen, reason_codes)
      select n.subject_key, ${runId}, n.point_id, ${run.period},
             case when o.subject_key is null then 'added'
                  when o.outcome <> 'ineligible' and n.outcome = 'ineligible' then 'removed'
                  when o.outcome <> n.outcome then 'outcome-changed'
                  else 'amount-changed' end,
             o.outcome, n.outcome, o.amount_fen, n.amount_fen, n.reason_codes
      from new_state n
      left join list_entries o on o.subject_key = n.subject_key and o.point_id = n.point_id and o.period = ${run.period}
      where (o.subject_key is null and n.outcome <> 'ineligible' or o.subject_key is null and cardinality(n.reason_codes) > 0)
         or (o.status = 'listed' and (o.outcome is distinct from n.outcome or o.amount_fen is distinct from n.amount_fen))`;
    phase('change log');
    const [lockedRow] = await tx<{ n: number }[]>`
      select count(*)::int as n from new_state n join list_entries o on o.subject_key = n.subject_key and o.point_id = n.point_id and o.period = ${run.period}
      where o.status <> 'listed' and (o.outcome is distinct from n.outcome or o.amount_fen is distinct from n.amount_fen)`;
    if ((lockedRow?.n ?? 0) > 0) log.warn({ runId, locked: lockedRow!.n }, 'entries already batched or paid changed; raised as adjustments for staff');
    // What a re-match would change about an entry already batched or paid is raised as an adjustment
    // (list_adjustments) instead: the outcome or the rule's amount moved. Budget shares of locked
    // entries do not move (they are fixed above), so only the rule's own verdict counts here.
    await tx`insert into list_adjustments (subject_key, point_id, period, run_id, entry_status, old_outcome, new_outcome, held_fen, old_rule_amount_fen, new_rule_amount_fen, difference_fen, reason_codes, created_at)
      select o.subject_key, o.point_id, ${run.period}, ${runId}, o.status, o.outcome, n.outcome, o.amount_fen, o.rule_amount_fen, n.rule_amount_fen,
             (case when n.outcome = 'eligible' then coalesce(n.rule_amount_fen, 0) else 0 end) - coalesce(o.rule_amount_fen, 0), n.reason_codes, ${clock.now()}
      from new_state n join list_entries o on o.subject_key = n.subject_key and o.point_id = n.point_id and o.period = ${run.period}
      where o.status <> 'listed' and (o.outcome is distinct from n.outcome or o.rule_amount_fen is distinct from n.rule_amount_fen)
      on conflict (subject_key, point_id, period) where status = 'open' do update set
        run_id = excluded.run_id, new_outcome = excluded.new_outcome, new_rule_amount_fen = excluded.new_rule_amount_fen,
        difference_fen = excluded.difference_fen, reason_codes = excluded.reason_codes, created_at = excluded.created_at`;
    // An open adjustment the newest run no longer sees (the facts came back) is closed by the run.
    await tx`update list_adjustments a set status = 'resolved', resolution = 'the run found the entry unchanged again', resolved_by = 'system:matching', resolved_at = ${clock.now()}
      from new_state n join list_entries o on o.subject_key = n.subject_key and o.point_id = n.point_id and o.period = ${run.period}
      where a.status = 'open' and a.subject_key = n.subject_key and a.point_id = n.point_id and a.period = ${run.period} and a.run_id <> ${runId}
        and o.outcome is not distinct from n.outcome and o.rule_amount_fen is not distinct from n.rule_amount_fen`;
    if (budgetLineRows.length > 0) {
      const rows = budgetLineRows.map((r) => ({ ...r, period: run.period, run_id: runId, updated_at: clock.now() }));
      await tx`insert into budget_lines ${tx(rows, 'point_id', 'period', 'line', 'limit_fen', 'run_id', 'updated_at')}
        on conflict (point_id, period, line) do update set limit_fen = excluded.limit_fen, run_id = excluded.run_id, updated_at = excluded.updated_at`;
    }

    await tx`insert into list_entries (subject_key, point_id, period, idempotency_key, outcome, rule_amount_fen, amount_fen, rounding, allocation, reason_codes, policy_version, run_id, status, updated_at)
      select n.subject_key, n.point_id, ${run.period}, n.point_id || '/' || ${run.period} || '/' || n.subject_key, n.outcome, n.rule_amount_fen, n.amount_fen,
             v.rounding, n.allocation, n.reason_codes, v.version, ${runId}, 'listed', ${clock.now()}
      from new_state n join pinned_versions v on v.point_id = n.point_id
      where n.outcome <> 'ineligible' or cardinality(n.reason_codes) > 0
      on conflict (subject_key, point_id, period) do update set
        outcome = excluded.outcome, rule_amount_fen = excluded.rule_amount_fen, amount_fen = excluded.amount_fen, allocation = excluded.allocation,
        reason_codes = excluded.reason_codes, policy_version = excluded.policy_version, run_id = excluded.run_id, updated_at = excluded.updated_at
      where list_entries.status = 'listed' and (list_entries.outcome, list_entries.amount_fen, list_entries.rule_amount_fen, list_entries.reason_codes, list_entries.policy_version)
            is distinct from (excluded.outcome, excluded.amount_fen, excluded.rule_amount_fen, excluded.reason_codes, excluded.policy_version)`;

    // An upheld objection held its entry until a run re-evaluated it on facts gathered after the
    // decision (the run started after the hold): this run is that re-evaluation, so the hold ends and the
    // corrected entry goes to the next 公示.
    await tx`update entry_holds h set released_by_run = ${runId}, released_at = ${clock.now()}
      from evaluated_subjects e
      where h.released_at is null and h.subject_key = e.subject_key and h.period = ${run.period} and h.point_id in ${tx(pointIds)}
        and h.held_at < (select started_at from match_runs where id = ${runId})`;
    phase('list upsert');
    const [totals] = await tx<{ evaluated: number; eligible: number; ineligible: number; undetermined: number; total: string }[]>`
      select (select coalesce(sum(evaluated), 0)::int from run_shards where run_id = ${runId}) as evaluated,
             count(*) filter (where outcome = 'eligible')::int as eligible,
             count(*) filter (where outcome = 'ineligible')::int as ineligible,
             count(*) filter (where outcome = 'undetermined')::int as undetermined,
             coalesce(sum(amount_fen) filter (where outcome = 'eligible'), 0)::text as total
      from list_entries where period = ${run.period} and point_id in ${tx(pointIds)}`;
    const [changes] = await tx<Record<string, number>[]>`
      select count(*) filter (where change = 'added')::int as added, count(*) filter (where change = 'removed')::int as removed,
             count(*) filter (where change = 'amount-changed')::int as amount_changed, count(*) filter (where change = 'outcome-changed')::int as outcome_changed
      from list_changes where run_id = ${runId}`;
    await tx`update match_runs set status = 'completed', finished_at = ${clock.now()}, evaluated = ${totals!.evaluated}, eligible = ${totals!.eligible},
             ineligible = ${totals!.ineligible}, undetermined = ${totals!.undetermined}, total_fen = ${totals!.total} where id = ${runId}`;
    await appendAuditSql(tx, clock, {
      actor: 'system:matching',
      action: 'match.completed',
      entityType: 'match_run',
      entityId: String(runId),
      payload: { kind: run.kind, period: run.period, evaluated: totals!.evaluated, eligible: totals!.eligible, undetermined: totals!.undetermined, totalFen: totals!.total, listChanges: changes, lockedChanges: lockedRow?.n ?? 0, budgets },
    });
  });
  await checkpointAfterCommit('match.completed', String(runId));
  return runSummary(db, runId);
}

export async function runSummary(db: Database, runId: number): Promise<RunSummary> {
  const run = await loadRun(db.sql, runId);
  const library = await libraryByHash(db.orm, run.library_hash);
  const perPoint = await runPointTotals(db.sql, runId, run.period);
  const changes = await runChangeCounts(db.sql, runId);
  const evaluated = await runEvaluated(db.sql, runId);
  const points = perPoint.map((r) => ({
    pointId: r.point_id,
    version: r.version,
    eligible: r.eligible,
    undetermined: r.undetermined,
    excluded: r.excluded,
    totalFen: BigInt(r.total),
    budgetFen: library.byId.get(r.point_id)?.budget.totalFen ?? null,
  }));
  return {
    runId,
    kind: run.kind,
    period: run.period,
    evaluated,
    points,
    changes: { added: changes?.added ?? 0, removed: changes?.removed ?? 0, amountChanged: changes?.amount_changed ?? 0, outcomeChanged: changes?.outcome_changed ?? 0, locked: 0 },
    totalFen: points.reduce((s, p) => s + p.totalFen, 0n),
  };
}

/** Runs a whole match in this process (shards one after another): for the CLI, tests and benchmarks. */
export async function runToCompletion(db: Database, clock: Clock, log: Logger, request: RunRequest, options: FinalizeOptions = {}): Promise<RunSummary> {
  const created = await createRun(db, clock, log, request);
  for (let shard = 0; shard < created.shardCount; shard++) await runShard(db, clock, created.runId, shard);
  return finalizeRun(db, clock, log, created.runId, options);
}

