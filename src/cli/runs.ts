// `cli runs`: the match runs as an operator needs them, newest first, and one run in detail.
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { formatYuan } from '../money.ts';

interface RunListRow {
  id: bigint;
  scope: string;
  kind: string;
  period: string;
  status: string;
  snapshot_id: bigint;
  watermark_seq: bigint;
  library_hash: string;
  evaluated: number;
  eligible: number;
  undetermined: number;
  ineligible: number;
  total_fen: bigint;
  shard_count: number;
  shards_done: number;
  started_at: Date;
  finished_at: Date | null;
  trigger: string;
  requested_by: string;
  failure_reason: string | null;
  job_id: string | null;
}

const at = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').slice(0, 19) : '-');

async function runRows(db: Database, where: { id?: number; limit: number }): Promise<RunListRow[]> {
  return db.sql<RunListRow[]>`
    select r.id, r.scope, r.kind, r.period, r.status, r.snapshot_id, r.watermark_seq, r.library_hash, r.evaluated, r.eligible, r.undetermined,
           r.ineligible, r.total_fen, r.shard_count, r.started_at, r.finished_at, r.trigger, r.requested_by, r.failure_reason, r.job_id,
           (select count(*)::int from run_shards s where s.run_id = r.id and s.status = 'done') as shards_done
    from match_runs r ${where.id === undefined ? db.sql`` : db.sql`where r.id = ${where.id}`}
    order by r.id desc limit ${where.limit}`;
}

export async function listRuns(db: Database, limit: number): Promise<number> {
  const rows = await runRows(db, { limit });
  if (rows.length === 0) {
    console.log('no match runs yet (start one with: npm run cli -- match enterprise 2024)');
    return 0;
  }
  console.log(`${'id'.padStart(6)}  ${'scope'.padEnd(24)} ${'kind'.padEnd(11)} ${'period'.padEnd(7)} ${'status'.padEnd(9)} ${'snapshot'.padStart(8)} ${'evaluated'.padStart(9)} ${'符合'.padStart(6)} ${'待定'.padStart(6)} ${'除外'.padStart(6)}  started              finished`);
  for (const r of rows) {
    console.log(
      `${String(r.id).padStart(6)}  ${r.scope.padEnd(24)} ${r.kind.padEnd(11)} ${r.period.padEnd(7)} ${r.status.padEnd(9)} ${String(r.snapshot_id).padStart(8)} ${String(r.evaluated).padStart(9)} ${String(r.eligible).padStart(8)} ${String(r.undetermined).padStart(8)} ${String(r.ineligible).padStart(8)}  ${at(r.started_at)}  ${at(r.finished_at)}`,
    );
  }
  return 0;
}

export async function showRun(db: Database, id: number): Promise<number> {
  const [r] = await runRows(db, { id, limit: 1 });
  if (!r) throw new AppError('RUN_NOT_FOUND', `Match run ${id} does not exist; list the runs with: npm run cli -- runs`);
  console.log(`match run #${r.id}: ${r.kind} ${r.scope} ${r.period}, ${r.status}${r.failure_reason ? ` — ${r.failure_reason}` : ''}`);
  console.log(`  library ${r.library_hash.slice(0, 12)}, snapshot #${r.snapshot_id} (facts up to #${r.watermark_seq})`);
  console.log(`  shards ${r.shards_done}/${r.shard_count}; evaluated ${r.evaluated}; 符合 ${r.eligible}, 待定 ${r.undetermined}, 除外 ${r.ineligible}; total ¥${formatYuan(r.total_fen)}`);
  console.log(`  ${r.trigger} by ${r.requested_by}${r.job_id ? ` (job ${r.job_id})` : ''}; started ${at(r.started_at)}, finished ${at(r.finished_at)}`);
  const points = await db.sql<{ point_id: string; version: number }[]>`select point_id, version from run_points where run_id = ${id} order by point_id`;
  for (const p of points) console.log(`  ${p.point_id} v${p.version}`);
  return 0;
}
