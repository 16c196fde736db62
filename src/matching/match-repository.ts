// Reads of match runs and their lists (match_runs, run_points, list_entries) for the services that
// explain and simulate, and the current fact watermark they and the payouts read at. Raw postgres.js
// client: int8 columns arrive as bigint, so nothing here casts an id, a sequence or an amount to int.
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
