// Matching at scale, on real PostgreSQL over generated data: the sharded run gives exactly what the
// explaining evaluator gives subject by subject; parallel and killed workers change nothing;
// incremental equals full; budgets, exclusion groups and caps hold.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMatchQueues, MATCH_QUEUES, runProgress } from '../jobs/match-run.ts';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { factPeriodsFor, pointsForScope } from '../src/matching/compiled-library.ts';
import { createRun, finalizeRun, runShard, runToCompletion } from '../src/matching/run-service.ts';
import { libraryByHash, publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { writeFeedFiles } from '../src/population/write.ts';
import { evaluatePoint } from '../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';
import { readSnapshotFacts } from '../src/subjects/facts-repository.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { killAllWorkers, startWorker, stopWorker, waitUntil } from './support/workers.ts';
import { createStaff } from './support/staff.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const work = tempDir('matching');
const ENTERPRISES = 1200;
let db: TestDatabase;
let libraryHash: string;

type Decision = { subject_key: string; point_id: string; outcome: string; amount_fen: string | null; reason_codes: string[] };
const decisionsOf = async (runId: number) =>
  (await db.sql<Decision[]>`select subject_key, point_id, outcome, amount_fen::text, reason_codes from decisions where run_id = ${runId} order by subject_key, point_id`).map((d) => ({ ...d }));
const listState = async (period: string) =>
  (await db.sql`select subject_key, point_id, outcome, rule_amount_fen::text, amount_fen::text, allocation, reason_codes, status from list_entries where period = ${period} order by subject_key, point_id`).map((r) => ({ ...r }));

async function importAll(dir: string, options: Parameters<typeof writeFeedFiles>[1]) {
  for (const file of await writeFeedFiles(dir, options)) {
    await importFeed(db, clock, { feedId: file.feedId, input: { path: file.path }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  libraryHash = (await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR))).hash;
  await importAll(join(work, 'feeds'), { seed: 5, enterprises: ENTERPRISES, persons: 0, dataYear: 2023, feeds: ['samr-registry', 'tax-annual', 'hrss-ui-annual', 'credit-status', 'bank-accounts', 'most-high-tech', 'miit-specialised', 'culture-star-hotels', 'stats-above-scale', 'hrss-hires-monthly'] });
});
afterAll(async () => db?.drop());

describe('a sharded run', () => {
  let runId: number;

  it('gives exactly the list the explaining evaluator gives, subject by subject', async () => {
    const summary = await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 5 });
    runId = summary.runId;
    expect(summary.evaluated).toBe(ENTERPRISES);
    const library = await libraryByHash(db.orm, libraryHash);
    const period = parsePeriod('2024');
    const points = pointsForScope(library.points, 'enterprise', period);
    expect(points.length).toBeGreaterThan(10);
    const listed = new Map((await listState('2024')).map((e) => [`${e.subject_key} ${e.point_id}`, e]));
    const [{ w }] = (await db.sql<{ w: number }[]>`select watermark_seq::int as w from match_runs where id = ${runId}`) as unknown as [{ w: number }];
    let eligible = 0;
    let checked = 0;
    for (const point of points) {
      for await (const s of readSnapshotFacts(db.sql, w, factPeriodsFor(point, period), { subjectType: 'enterprise' })) {
        const ev = evaluatePoint(point, s.facts, period);
        const entry = listed.get(`${s.subjectKey} ${point.id}`);
        const exceptionOnly = ev.outcome === 'ineligible' && ev.reasonCodes.length > 0 && ev.reasonCodes.every((c) => point.exceptions.some((e) => e.id === c));
        checked++;
        if (ev.outcome === 'ineligible' && !exceptionOnly) {
          expect(entry, `${point.id} ${s.subjectKey}`).toBeUndefined();
          continue;
        }
        expect(entry, `${point.id} ${s.subjectKey}`).toBeDefined();
        if (entry!.allocation === 'excluded') continue;
        expect(entry!.outcome).toBe(ev.outcome);
        expect(entry!.rule_amount_fen).toBe(ev.amountFen === null ? null : String(ev.amountFen));
        if (ev.outcome !== 'eligible') expect(entry!.reason_codes).toEqual(ev.reasonCodes);
        if (ev.outcome === 'eligible') eligible++;
      }
    }
    expect(checked).toBe(ENTERPRISES * points.length);
    expect(eligible).toBeGreaterThan(300);
  });

  it('gives the same decisions when two worker processes share it as one process alone', async () => {
    const workers = [startWorker(db.url), startWorker(db.url)];
    try {
      const parallel = await sendRun(16);
      await waitForRun(parallel, 120_000);
      expect(await decisionsOf(parallel)).toEqual(await decisionsOf(runId));
      const shardsByWorker = await db.sql<{ n: number }[]>`select count(*)::int as n from run_shards where run_id = ${parallel} and status = 'done'`;
      expect(shardsByWorker[0]!.n).toBe(16);
    } finally {
      await Promise.all(workers.map(stopWorker));
    }
  });

  it('completes with the same decisions and no duplicates when a worker is killed mid-run (SIGKILL)', async () => {
    const victim = startWorker(db.url, { MATCH_WORKERS: '1' });
    const run = await sendRun(24);
    // Let it finish a few shards, then kill it without warning.
    await waitUntil(async () => (await runProgress(db, run)).shardsDone >= 2, 60_000);
    victim.kill('SIGKILL');
    await new Promise((resolve) => victim.once('exit', resolve));
    const midway = await runProgress(db, run);
    expect(midway.status).toBe('running');
    expect(midway.shardsDone).toBeLessThan(24);
    const rescuer = startWorker(db.url);
    try {
      await waitForRun(run, 120_000);
    } finally {
      await stopWorker(rescuer);
    }
    const decisions = await decisionsOf(run);
    expect(decisions).toEqual(await decisionsOf(runId));
    expect(new Set(decisions.map((d) => `${d.subject_key} ${d.point_id}`)).size).toBe(decisions.length);
  }, 180_000);
});

describe('incremental runs', () => {
  it('re-evaluate only changed subjects and end with the list a full run gives', async () => {
    const before = await listState('2024');
    // A corrected 人社 file for the data year: 30 firms now report many new claimants, 20 report other
    // contributions, and 10 are no longer listed (a full feed: their 人社 facts are retracted).
    const { readFileSync } = await import('node:fs');
    const [header, ...rows] = readFileSync(join(work, 'feeds', 'hrss-ui-annual-2023.csv'), 'utf8').trimEnd().split('\n');
    const columns = header!.split(',');
    const at = (name: string) => columns.indexOf(name);
    const corrected = rows.flatMap((line, i) => {
      const cells = line.split(',');
      if (i % 40 === 0) return [];
      if (i % 40 === 1) cells[at('new_claimants')] = String(Number(cells[at('avg_insured')]) + 5);
      if (i % 40 === 2) cells[at('ui_paid_yuan')] = `${Number(cells[at('ui_paid_yuan')]!.split('.')[0]) + 1234}.56`;
      return [cells.join(',')];
    });
    const path = join(work, 'hrss-corrected.csv');
    writeFileSync(path, `${[header, ...corrected].join('\n')}\n`);
    const imported = await importFeed(db, clock, { feedId: 'hrss-ui-annual', input: { path }, asOf: '2024-04-30', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    expect(imported.rowsRetracted).toBe(Math.ceil(rows.length / 40));
    expect(imported.rowsAccepted - imported.rowsUnchanged).toBeGreaterThanOrEqual(2 * Math.floor(rows.length / 40));

    const incremental = await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', kind: 'incremental', trigger: 'test', actor: 'test', shards: 3 });
    expect(incremental.kind).toBe('incremental');
    expect(incremental.evaluated).toBeLessThan(ENTERPRISES / 4);
    expect(incremental.evaluated).toBeGreaterThan(0);
    const afterIncremental = await listState('2024');
    expect(afterIncremental).not.toEqual(before);

    const full = await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', kind: 'full', trigger: 'test', actor: 'test', shards: 4 });
    expect(full.changes).toMatchObject({ added: 0, removed: 0, amountChanged: 0, outcomeChanged: 0 });
    const afterFull = (await listState('2024')).map(({ ...e }) => e);
    expect(afterFull.map(({ ...e }) => ({ ...e }))).toEqual(afterIncremental.map(({ ...e }) => ({ ...e })));
  });
});

describe('cross-point rules and budgets', () => {
  it('resolves exclusion groups: no firm holds two eligible entries of one group in a period', async () => {
    const summary = await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2023-09', trigger: 'test', actor: 'test', shards: 2 });
    expect(summary.points.map((p) => p.pointId)).toEqual(expect.arrayContaining(['kuogang-buzhu-2023', 'xina-jiuye-2023']));
    const excluded = await db.sql<{ subject_key: string; reason_codes: string[]; rule_amount_fen: string }[]>`
      select subject_key, reason_codes, rule_amount_fen::text from list_entries where period = '2023-09' and allocation = 'excluded'`;
    expect(excluded.length).toBeGreaterThan(0);
    for (const e of excluded) {
      const [kept] = await db.sql<{ amount_fen: string; point_id: string }[]>`
        select amount_fen::text, point_id from list_entries where period = '2023-09' and subject_key = ${e.subject_key} and outcome = 'eligible' and point_id in ('kuogang-buzhu-2023', 'xina-jiuye-2023')`;
      expect(e.reason_codes.join()).toContain(`EXCLUSION_GROUP:kuogang-xina:${kept!.point_id}`);
      expect(BigInt(kept!.amount_fen) >= BigInt(e.rule_amount_fen)).toBe(true); // 就高不就低
    }
    const doubled = await db.sql`select subject_key from list_entries where period = '2023-09' and outcome = 'eligible' and point_id in ('kuogang-buzhu-2023', 'xina-jiuye-2023') group by subject_key having count(*) > 1`;
    expect(doubled).toHaveLength(0);
  });

  it('cuts an oversubscribed budget pro rata so the list adds up to the budget to the fen, and caps a subject across points', async () => {
    const files = await readLibraryFiles(POLICIES_DIR);
    const budgeted = files.map((f) =>
      f.file.endsWith('rsbf-2024-40.policy.yaml') ? { ...f, text: f.text.replace('budget: { total: null, oversubscription: pro-rata-largest-remainder,', 'budget: { total: 100000.01元, oversubscription: pro-rata-largest-remainder,') } : f,
    );
    expect(budgeted).not.toEqual(files);
    const published = await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), budgeted);
    const run = await createRun(db, clock, silentLog, { scope: 'wengang-fanhuan-2024', period: '2024', trigger: 'test', actor: 'test', shards: 2, libraryHash: published.hash });
    for (let s = 0; s < run.shardCount; s++) await runShard(db, clock, run.runId, s);
    await finalizeRun(db, clock, silentLog, run.runId, { caps: [{ id: 'test-cap', pointIds: ['wengang-fanhuan-2024'], capFen: 50_000_00n, citation: 'test' }] });
    const [sum] = await db.sql<{ total: string; n: number; over: number; capped: number; prorata: number }[]>`
      select sum(amount_fen)::text as total, count(*)::int as n,
             count(*) filter (where amount_fen > 5000000)::int as over,
             count(*) filter (where 'CAP:test-cap' = any(reason_codes))::int as capped,
             count(*) filter (where allocation = 'pro-rata')::int as prorata
      from list_entries where period = '2024' and point_id = 'wengang-fanhuan-2024' and outcome = 'eligible'`;
    expect(sum!.total).toBe('10000001');
    expect(sum!.prorata).toBe(sum!.n);
    expect(sum!.over).toBe(0);
    expect(sum!.capped).toBeGreaterThan(0);
    await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), files);
  });
});

afterAll(() => killAllWorkers());

let sender: PgBoss | undefined;
async function sendRun(shards: number): Promise<number> {
  if (!sender) {
    sender = new PgBoss({ connectionString: db.url, max: 2, schema: 'pgboss', supervise: false, schedule: false });
    sender.on('error', () => {});
    await sender.start();
    await createMatchQueues(sender);
  }
  const before = await db.sql<{ id: number }[]>`select coalesce(max(id), 0)::int as id from match_runs`;
  await sender.send(MATCH_QUEUES.run, { scope: 'enterprise', period: '2024', shards, trigger: 'test', actor: 'account:1' });
  let runId = 0;
  await waitUntil(async () => {
    const [row] = await db.sql<{ id: number }[]>`select id::int from match_runs where id > ${before[0]!.id} order by id limit 1`;
    runId = row?.id ?? 0;
    return runId > 0;
  }, 60_000);
  return runId;
}
afterAll(async () => sender?.stop({ graceful: false, timeout: 1000 }));

async function waitForRun(runId: number, timeoutMs: number) {
  await waitUntil(async () => (await runProgress(db, runId)).status === 'completed', timeoutMs);
}
