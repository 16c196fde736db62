// Feed import throughput against the raw COPY floor of the same file, in the same run.
// (a) floor: the file streamed by COPY ... FROM STDIN (format csv) into a plain table, through postgres.js;
// (b) importFeed of the same file end to end (parse, validate, stage by COPY, register, record facts,
//     audit), in a child process, so that (c) its peak RSS is the import's own.
// Size: BENCH_ENTERPRISES (default 1,000,000) enterprises: samr-registry has one row per enterprise;
// hrss-ui-annual (one row per insured unit) is then imported against that registry.
import { execFileSync, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { feedHeader } from '../src/population/feeds.ts';
import { feedMapping } from '../src/feeds/mappings.ts';
import { writeFeedFile } from '../src/population/write.ts';
import { withBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './run.ts';

const here = dirname(fileURLToPath(import.meta.url));
const GOAL_RATIO = 2;
const GOAL_RSS_MB = 500;


interface ChildResult {
  status: string;
  rowsTotal: number;
  rowsAccepted: number;
  rowsRejected: number;
  seconds: number;
  rssBeforeBytes: number;
  maxRssBytes: number;
}

/** The commit measured, and whether the importer's code had uncommitted changes. */
function codeVersion(): { commit: string; importerDirty: boolean } {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: here, encoding: 'utf8' }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), importerDirty: git('status', '--porcelain', '--', '../src/feeds', '../src/db', '../drizzle') !== '' };
  } catch {
    return { commit: 'unknown', importerDirty: false };
  }
}

function importInChild(url: string, feedId: string, path: string, rejectsDir: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, 'import-child.ts'), url, feedId, path, rejectsDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`import child exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult);
    });
  });
}

async function copyFloor(sql: postgres.Sql, feedId: string, path: string): Promise<{ rows: number; seconds: number }> {
  const header = feedHeader(feedMapping(feedId)!);
  const table = `floor_${feedId.replace(/-/g, '_')}`;
  await sql.unsafe(`drop table if exists ${table}; create table ${table} (${header.map((c) => `${c} text`).join(', ')})`);
  const started = performance.now();
  const writable = await sql.unsafe(`copy ${table} from stdin with (format csv, header true)`).writable();
  await pipeline(createReadStream(path), writable);
  const seconds = (performance.now() - started) / 1000;
  const [{ n } = { n: 0 }] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from ${table}`);
  return { rows: n, seconds };
}

/**
 * A second, stricter floor: the fact records the import wrote, COPYed (from a file, timing the load only)
 * into a fresh table shaped like fact_records with the same keys and indexes. It is what storing the same
 * facts costs at the least, before any parsing or validation.
 */
async function indexedFloor(sql: postgres.Sql, feedId: string, work: string): Promise<{ rows: number; seconds: number }> {
  const file = join(work, `${feedId}.facts.csv`);
  // Written through a cursor: postgres.js leaves the connection hanging after a large COPY … TO STDOUT stream.
  const columns = (await sql<{ name: string }[]>`select column_name as name from information_schema.columns where table_name = 'fact_records' and table_schema = current_schema() order by ordinal_position`).map((c) => c.name);
  const out = createWriteStream(file);
  const cell = (v: string | null) => (v === null ? '' : `"${v.replace(/"/g, '""')}"`);
  for await (const rows of sql.unsafe<Record<string, string | null>[]>(`select ${columns.map((c) => `${c}::text as ${c}`).join(', ')} from fact_records where source = $1`, [feedId]).cursor(10_000)) {
    let chunk = '';
    for (const row of rows) chunk += `${columns.map((c) => cell(row[c] ?? null)).join(',')}\n`;
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve) => out.end(() => resolve()));
  await sql.unsafe(`drop table if exists floor_facts; create table floor_facts (like fact_records including all)`);
  const started = performance.now();
  await pipeline(createReadStream(file), await sql.unsafe(`copy floor_facts (${columns.join(', ')}) from stdin with (format csv)`).writable());
  const seconds = (performance.now() - started) / 1000;
  const [{ n } = { n: 0 }] = await sql.unsafe<{ n: number }[]>(`select count(*)::int as n from floor_facts`);
  await sql.unsafe('drop table floor_facts');
  rmSync(file);
  return { rows: n, seconds };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const enterprises = Number(process.env.BENCH_ENTERPRISES ?? 1_000_000);
  if (!Number.isSafeInteger(enterprises) || enterprises < 1) throw new RangeError(`BENCH_ENTERPRISES must be a whole number ≥ 1`);
  const work = mkdtempSync(join(tmpdir(), 'mianshen-bench-'));
  try {
    return await withBenchDatabase(ctx.adminUrl, 'mianshen_bench', async (db) => {
    const url = db.url;
    const [{ version } = { version: '' }] = await db.sql<{ version: string }[]>`select version()`;
    const options = { seed: 1, enterprises, persons: 0, dataYear: 2023 };
    const feeds = [];
    for (const feedId of ['samr-registry', 'hrss-ui-annual']) {
      const path = join(work, `${feedId}.csv`);
      ctx.log(`generating ${feedId} for ${fmt(enterprises)} enterprises`);
      const g0 = performance.now();
      const written = await writeFeedFile(path, feedId, options, 'csv');
      const generateSeconds = (performance.now() - g0) / 1000;
      ctx.log(`  ${fmt(written.rows)} rows, ${(written.bytes / 1e6).toFixed(0)} MB in ${generateSeconds.toFixed(1)} s; COPY floor…`);
      const floor = await copyFloor(db.sql, feedId, path);
      if (floor.rows !== written.rows) throw new Error(`COPY floor loaded ${floor.rows} rows of ${written.rows}`);
      ctx.log(`  floor ${floor.seconds.toFixed(1)} s; importFeed…`);
      const imported = await importInChild(url, feedId, path, join(work, 'rejects'));
      if (imported.status !== 'imported' || imported.rowsAccepted !== written.rows) throw new Error(`import did not accept every row: ${JSON.stringify(imported)}`);
      const ratio = imported.seconds / floor.seconds;
      ctx.log(`  import ${imported.seconds.toFixed(1)} s (${ratio.toFixed(2)}x the floor), peak RSS ${(imported.maxRssBytes / 1048576).toFixed(0)} MB; indexed floor…`);
      const indexed = await indexedFloor(db.sql, feedId, work);
      ctx.log(`  indexed floor ${indexed.seconds.toFixed(1)} s`);
      feeds.push({
        feedId,
        rows: written.rows,
        fileBytes: written.bytes,
        generate: { seconds: generateSeconds, rowsPerSecond: written.rows / generateSeconds },
        copyFloor: { seconds: floor.seconds, rowsPerSecond: floor.rows / floor.seconds },
        importFeed: {
          seconds: imported.seconds,
          rowsPerSecond: imported.rowsTotal / imported.seconds,
          peakRssMB: imported.maxRssBytes / 1048576,
          // Node with type stripping and the loaded modules (drizzle, schema) already hold this much before the import starts.
          rssAtStartMB: imported.rssBeforeBytes / 1048576,
        },
        indexedFloor: { seconds: indexed.seconds, rowsPerSecond: indexed.rows / indexed.seconds, importRatio: imported.seconds / indexed.seconds },
        ratio,
        meetsRatioGoal: ratio <= GOAL_RATIO,
        meetsRssGoal: imported.maxRssBytes / 1048576 < GOAL_RSS_MB,
      });
    }
    const machine = { nproc: availableParallelism(), cpuModel: cpus()[0]?.model ?? 'unknown', memoryGB: Math.round(totalmem() / 1e9), node: process.version, postgres: version.split(',')[0] };
    const code = codeVersion();
    const data = { enterprises, code, goals: { ratio: GOAL_RATIO, peakRssMB: GOAL_RSS_MB }, machine, feeds, measuredAt: new Date().toISOString() };
    const lines = [
      `# Feed import benchmark (${fmt(enterprises)} enterprises)`,
      '',
      `Machine: ${machine.nproc} CPUs (${machine.cpuModel}), ${machine.memoryGB} GB, Node ${machine.node}, ${machine.postgres}; database on the same machine.`,
      `Command: \`BENCH_ENTERPRISES=${enterprises} BENCH_DATABASE_URL=… npm run bench import\`; measured ${data.measuredAt} at commit ${code.commit}${code.importerDirty ? ' (with uncommitted importer/schema changes)' : ''}.`,
      '',
      '| feed | rows | file | generate rows/s | COPY floor rows/s | importFeed rows/s | import / floor | goal ≤ 2x | import peak RSS (at start) | goal < 500 MB |',
      '|---|---:|---:|---:|---:|---:|---:|:-:|---:|:-:|',
      ...feeds.map((f) => `| ${f.feedId} | ${fmt(f.rows)} | ${(f.fileBytes / 1e6).toFixed(0)} MB | ${fmt(f.generate.rowsPerSecond)} | ${fmt(f.copyFloor.rowsPerSecond)} (${f.copyFloor.seconds.toFixed(1)} s) | ${fmt(f.importFeed.rowsPerSecond)} (${f.importFeed.seconds.toFixed(1)} s) | ${f.ratio.toFixed(2)}x | ${f.meetsRatioGoal ? 'met' : 'missed'} | ${f.importFeed.peakRssMB.toFixed(0)} MB (${f.importFeed.rssAtStartMB.toFixed(0)} MB) | ${f.meetsRssGoal ? 'met' : 'missed'} |`),
      '',
      'The floor is `COPY … FROM STDIN (FORMAT csv, HEADER)` of the same file into a plain text table with no indexes, streamed through postgres.js.',
      '',
      'For context, a stricter floor: COPY of the fact records the import wrote into a fresh table shaped like `fact_records`, with the same keys and indexes (storage alone, no parsing or validation):',
      '',
      '| feed | indexed floor rows/s | import / indexed floor |',
      '|---|---:|---:|',
      ...feeds.map((f) => `| ${f.feedId} | ${fmt(f.indexedFloor.rowsPerSecond)} (${f.indexedFloor.seconds.toFixed(1)} s) | ${f.indexedFloor.importRatio.toFixed(2)}x |`),
      '',
      'importFeed runs in a child process (bench/import-child.ts): read + parse CSV, validate every row (check characters, types, code lists), COPY into a staging table, duplicate and registry checks, register subjects (samr-registry), append fact records, write the audit entry, commit.',
    ];
    return { data, markdown: lines.join('\n') };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
