// Matching at scale, against its floor, in one run on real PostgreSQL:
// - floor: read every enterprise fact of the snapshot with a cursor (the matcher's own query), and write
//   as many rows as the match writes decisions with COPY;
// - full match of every enterprise point in effect for 2024, end to end (snapshot, shards, evaluation,
//   decisions by COPY, exclusion groups and budgets, list upsert with change log, audit), in one process
//   and with two worker processes sharing the shards through pg-boss;
// - incremental re-match after a corrected 人社 file changes BENCH_CHANGED (10,000) enterprises;
// - peak RSS of the matching process.
// Size: BENCH_MATCH_ENTERPRISES (default 1,000,000).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PgBoss } from 'pg-boss';
import postgres from 'postgres';
import { createMatchQueues, MATCH_QUEUES } from '../jobs/match-run.ts';
import { systemClock } from '../src/clock.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { writeFeedFiles } from '../src/population/write.ts';
import { withBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './run.ts';
import { accountsOf, staffActorOf } from '../src/identity/account-service.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';

const here = dirname(fileURLToPath(import.meta.url));
const ENTERPRISE_FEEDS = ['samr-registry', 'tax-annual', 'hrss-ui-annual', 'credit-status', 'bank-accounts', 'most-high-tech', 'miit-specialised', 'culture-star-hotels', 'stats-above-scale'];


interface MatchChild {
  runId: number;
  kind: string;
  seconds: number;
  evaluated: number;
  points: number;
  decisions: number;
  eligible: number;
  maxRssBytes: number;
}

function matchInChild(url: string, kind: 'full' | 'incremental', shards: number): Promise<MatchChild> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'match-child.ts'), url, kind, String(shards)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as MatchChild) : reject(new Error(`match child exited with ${code}`))));
  });
}

/** The floor: the matcher's snapshot query read with a cursor, then `rows` rows written by COPY. */
async function floor(sql: postgres.Sql, rows: number): Promise<{ readRows: number; readSeconds: number; copySeconds: number }> {
  const [{ w }] = (await sql<{ w: number }[]>`select max(seq)::bigint::int as w from fact_records`) as unknown as [{ w: number }];
  const started = performance.now();
  let readRows = 0;
  const cursor = sql`
    select subject_key, period, facts from (
      select distinct on (subject_key, source, period) subject_key, period, facts, retracted
      from fact_records
      where seq <= ${w} and period in ('current', '2023') and subject_type = 'enterprise'
      order by subject_key desc, source desc, period desc, seq desc
    ) latest where not retracted`.cursor(5000);
  for await (const batch of cursor) readRows += batch.length;
  const readSeconds = (performance.now() - started) / 1000;
  await sql`create temp table floor_decisions (subject_key text, run_id bigint, point_id text, outcome text, amount_fen bigint, reason_codes text[])`;
  const copyStarted = performance.now();
  const writable = await sql`copy floor_decisions from stdin with (format csv)`.writable();
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += `91440300MA5${String(i).padStart(7, '0')},1,wengang-fanhuan-2024,eligible,${100000 + (i % 7919)},"{}"\n`;
    if (chunk.length > 1 << 16) {
      if (!writable.write(chunk)) await new Promise((resolve) => writable.once('drain', resolve));
      chunk = '';
    }
  }
  await new Promise<void>((resolve, reject) => {
    writable.once('error', reject);
    writable.once('finish', () => resolve());
    writable.end(chunk);
  });
  return { readRows, readSeconds, copySeconds: (performance.now() - copyStarted) / 1000 };
}

async function twoWorkers(url: string, shards: number): Promise<{ seconds: number; runId: number }> {
  const workers = [0, 1].map(() =>
    spawn(process.execPath, [join(here, '..', 'src', 'cli', 'index.ts'), 'worker'], { env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', MATCH_WORKERS: '1' }, stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  const boss = new PgBoss({ connectionString: url, max: 2, schema: 'pgboss', supervise: false, schedule: false });
  boss.on('error', () => {});
  try {
    await boss.start();
    await createMatchQueues(boss);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // let both workers start polling
    const [{ before }] = (await sql<{ before: number }[]>`select coalesce(max(id), 0)::int as before from match_runs`) as unknown as [{ before: number }];
    const started = performance.now();
    await boss.send(MATCH_QUEUES.run, { scope: 'enterprise', period: '2024', shards, trigger: 'bench', actor: 'bench' });
    for (;;) {
      const [row] = await sql<{ id: number; status: string }[]>`select id::int, status from match_runs where id > ${before} order by id limit 1`;
      if (row?.status === 'completed') return { seconds: (performance.now() - started) / 1000, runId: row.id };
      if (row?.status === 'failed') throw new Error('two-worker run failed');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await boss.stop({ graceful: false, timeout: 1000 });
    await sql.end();
  }
}

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const enterprises = Number(process.env.BENCH_MATCH_ENTERPRISES ?? 1_000_000);
  const changed = Math.min(Number(process.env.BENCH_CHANGED ?? 10_000), enterprises);
  const work = mkdtempSync(join(tmpdir(), 'mianshen-bench-match-'));
  try {
    return await withBenchDatabase(ctx.adminUrl, 'bench_match', async (db) => {
    const url = db.url;
    const publisher = staffActorOf(await accountsOf(db.orm, systemClock).create(null, { login: 'bench.admin', displayName: 'bench', roles: ['administrator'] }));
    await publishLibrary(db.orm, systemClock, publisher, await readLibraryFiles(join(here, '..', 'policies')));
    ctx.log(`generating ${enterprises.toLocaleString()} enterprises for ${ENTERPRISE_FEEDS.length} feeds`);
    const files = await writeFeedFiles(join(work, 'feeds'), { seed: 2024, enterprises, persons: 0, dataYear: 2023, feeds: ENTERPRISE_FEEDS });
    let factRows = 0;
    const importStarted = performance.now();
    for (const file of files) {
      const result = await importFeed(db, systemClock, { feedId: file.feedId, input: { path: file.path }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
      factRows += result.rowsAccepted;
      ctx.log(`imported ${file.feedId}: ${result.rowsAccepted.toLocaleString()} rows`);
    }
    const importSeconds = (performance.now() - importStarted) / 1000;
    await db.sql.unsafe(`vacuum analyze`).catch(() => {});
    await db.sql`vacuum analyze fact_records`;

    ctx.log('full match, one process');
    const full = await matchInChild(url, 'full', 1);
    ctx.log(`full match: ${full.seconds.toFixed(1)} s`);
    ctx.log('floor: cursor read + COPY of as many rows');
    const base = await floor(db.sql, full.decisions);
    const floorSeconds = base.readSeconds + base.copySeconds;

    ctx.log('full match, two worker processes');
    const parallel = await twoWorkers(url, 8);

    ctx.log(`changing ${changed.toLocaleString()} enterprises in a corrected 人社 file`);
    const hrss = files.find((f) => f.feedId === 'hrss-ui-annual')!;
    const [header, ...rows] = readFileSync(hrss.path, 'utf8').trimEnd().split('\n');
    const columns = header!.split(',');
    const paid = columns.indexOf('ui_paid_yuan');
    const step = Math.max(1, Math.floor(rows.length / changed));
    let edits = 0;
    const corrected = rows.map((line, i) => {
      if (i % step !== 0 || edits >= changed) return line;
      edits++;
      const cells = line.split(',');
      cells[paid] = `${Number(cells[paid]!.split('.')[0]) + 100}.00`;
      return cells.join(',');
    });
    const correctedPath = join(work, 'hrss-corrected.csv');
    writeFileSync(correctedPath, `${[header, ...corrected].join('\n')}\n`);
    await importFeed(db, systemClock, { feedId: 'hrss-ui-annual', input: { path: correctedPath }, asOf: '2024-04-30', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    const incremental = await matchInChild(url, 'incremental', 1);

    const rate = (r: MatchChild) => Math.round((r.evaluated * r.points) / r.seconds);
    const machine = { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), node: process.version, postgres: (await db.sql<{ v: string }[]>`select version() as v`)[0]!.v.split(' ').slice(0, 2).join(' ') };
    const data = {
      measuredAt: new Date().toISOString(),
      machine,
      enterprises,
      factRows,
      importSeconds,
      floor: { ...base, seconds: floorSeconds, rowsWritten: full.decisions },
      full: { ...full, subjectPointsPerSecond: rate(full), ratioToFloor: full.seconds / floorSeconds },
      twoWorkers: { ...parallel, subjectPointsPerSecond: Math.round((full.evaluated * full.points) / parallel.seconds), speedup: full.seconds / parallel.seconds },
      incremental: { ...incremental, changed: edits },
      goals: { fullSeconds: 15, ratioToFloor: 3, incrementalSeconds: 2, peakRssMb: 1024 },
    };
    const mb = (b: number) => `${Math.round(b / 2 ** 20)} MB`;
    const met = (ok: boolean) => (ok ? 'met' : 'missed');
    const markdown = [
      `# Matching benchmark (${enterprises.toLocaleString()} enterprises × ${full.points} enterprise points, period 2024)`,
      '',
      `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB, Node ${machine.node}, ${machine.postgres} on the same machine. Measured ${data.measuredAt}.`,
      `Command: \`BENCH_DATABASE_URL=… npm run bench match\`. Data: ${factRows.toLocaleString()} fact rows from ${files.length} generated feeds (imported in ${importSeconds.toFixed(0)} s).`,
      '',
      '| measure | time | throughput | vs floor | goal | |',
      '|---|---:|---:|---:|---|:-:|',
      `| floor: cursor read of ${base.readRows.toLocaleString()} fact rows + COPY of ${full.decisions.toLocaleString()} rows | ${floorSeconds.toFixed(1)} s (${base.readSeconds.toFixed(1)} + ${base.copySeconds.toFixed(1)}) | ${Math.round(base.readRows / base.readSeconds).toLocaleString()} rows/s read | 1x | | |`,
      `| full match, 1 process | ${full.seconds.toFixed(1)} s | ${rate(full).toLocaleString()} subject×points/s | ${(full.seconds / floorSeconds).toFixed(2)}x | ≤ 15 s, ≤ 3x floor | ${met(full.seconds <= 15)} / ${met(full.seconds / floorSeconds <= 3)} |`,
      `| full match, 2 worker processes (8 shards) | ${parallel.seconds.toFixed(1)} s | ${data.twoWorkers.subjectPointsPerSecond.toLocaleString()} subject×points/s | ${(parallel.seconds / floorSeconds).toFixed(2)}x | | speed-up ${data.twoWorkers.speedup.toFixed(2)}x |`,
      `| incremental, ${edits.toLocaleString()} changed enterprises | ${incremental.seconds.toFixed(2)} s | ${incremental.evaluated.toLocaleString()} re-evaluated | | ≤ 2 s | ${met(incremental.seconds <= 2)} |`,
      `| peak RSS of the matching process | ${mb(full.maxRssBytes)} (incremental ${mb(incremental.maxRssBytes)}) | | | ≤ 1 GB | ${met(full.maxRssBytes <= 2 ** 30)} |`,
      '',
      `The full match evaluated ${full.evaluated.toLocaleString()} enterprises, wrote ${full.decisions.toLocaleString()} decisions (${full.eligible.toLocaleString()} eligible list entries), applied exclusion groups and budgets, upserted the list with its change log and the audit entry. Peer engines on the same rules: see peers.md.`,
    ].join('\n');
    return { data, markdown };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
