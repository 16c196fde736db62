// Crash-safe runs: a worker killed mid-run leaves work a new worker finishes, with one run row and the
// list an uninterrupted run gives; a retried match-run job continues its run; a run that cannot
// finish says so, with the reason, in its row and in the audit trail.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMatchQueues, handleMatchRun, MATCH_QUEUES, registerMatchJobs, runProgress } from '../jobs/match-run.ts';
import { verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import { explainEntry } from '../src/matching/explain-service.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { writeFeedFiles } from '../src/population/write.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { killAllWorkers, startWorker, stopWorker, waitUntil } from './support/workers.ts';
import { createStaff } from './support/staff.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const work = tempDir('crash');
const FEEDS = ['samr-registry', 'tax-annual', 'hrss-ui-annual', 'credit-status', 'bank-accounts', 'most-high-tech', 'miit-specialised', 'stats-above-scale'];
let reference: TestDatabase;
let crashed: TestDatabase;
const bosses: PgBoss[] = [];

async function load(db: TestDatabase, files: Awaited<ReturnType<typeof writeFeedFiles>>) {
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  for (const file of files) await importFeed(db, clock, { feedId: file.feedId, input: { path: file.path }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
}

async function boss(db: TestDatabase, options: { work?: boolean } = {}): Promise<PgBoss> {
  const b = new PgBoss({ connectionString: db.url, max: 3, schema: 'pgboss', superviseIntervalSeconds: 1, monitorIntervalSeconds: 1 });
  b.on('error', () => {});
  await b.start();
  if (options.work) await registerMatchJobs(b, { db, clock, log: silentLog }, { shardWorkers: 1 });
  else await createMatchQueues(b);
  bosses.push(b);
  return b;
}

const listOf = async (db: TestDatabase) =>
  (await db.sql`select subject_key, point_id, period, outcome, rule_amount_fen::text, amount_fen::text, allocation, reason_codes, policy_version, status
                from list_entries order by subject_key, point_id, period`).map((r) => ({ ...r }));

beforeAll(async () => {
  const files = await writeFeedFiles(join(work, 'feeds'), { seed: 11, enterprises: 900, persons: 0, dataYear: 2023, feeds: FEEDS });
  [reference, crashed] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  await load(reference, files);
  await load(crashed, files);
});
afterAll(async () => {
  killAllWorkers();
  await Promise.all(bosses.map((b) => b.stop({ graceful: false, timeout: 1000 })));
  await reference?.drop();
  await crashed?.drop();
});

describe('a worker killed mid-run (SIGKILL)', () => {
  it('leaves a run that a new worker finishes, with one run row and the list an uninterrupted run gives', async () => {
    const uninterrupted = await runToCompletion(reference, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 4 });
    expect(uninterrupted.points.reduce((n, p) => n + p.eligible, 0)).toBeGreaterThan(50);

    const sender = await boss(crashed);
    const victim = startWorker(crashed.url, { MATCH_WORKERS: '1' });
    await sender.send(MATCH_QUEUES.run, { scope: 'enterprise', period: '2024', shards: 24, trigger: 'test', actor: 'account:1' });
    let runId = 0;
    await waitUntil(async () => {
      const [row] = await crashed.sql<{ id: bigint }[]>`select id from match_runs`;
      runId = row ? Number(row.id) : 0;
      return runId > 0 && (await runProgress(crashed, runId)).shardsDone >= 2;
    }, 60_000);
    victim.kill('SIGKILL');
    await new Promise((resolve) => victim.once('exit', resolve));
    const midway = await runProgress(crashed, runId);
    expect(midway.status).toBe('running');
    expect(midway.shardsDone).toBeLessThan(24);

    const rescuer = startWorker(crashed.url, { MATCH_WORKERS: '1' });
    try {
      await waitUntil(async () => (await runProgress(crashed, runId)).status === 'completed', 120_000);
    } finally {
      await stopWorker(rescuer);
    }
    const runs = await crashed.sql`select id from match_runs`;
    expect(runs).toHaveLength(1);
    expect(await listOf(crashed)).toEqual(await listOf(reference));
  }, 180_000);
});

describe('a match-run job', () => {
  it('retried after its run row committed continues that run instead of creating a second one', async () => {
    const b = await boss(reference);
    const jobId = await b.send(MATCH_QUEUES.run, { scope: 'wengang-fanhuan-2024', period: '2024', shards: 3, trigger: 'test', actor: 'account:1' });
    const job = { id: jobId!, data: { scope: 'wengang-fanhuan-2024', period: '2024', shards: 3, trigger: 'test', actor: 'account:1' } };
    const deps = { db: reference, clock, log: silentLog };
    const first = await handleMatchRun(b, deps, job);
    // The worker died after the commit, before pg-boss heard the job was done: the job comes back.
    const second = await handleMatchRun(b, deps, job);
    expect(second).toEqual({ ...first, resumed: true });
    expect(first.resumed).toBe(false);
    const runs = await reference.sql`select id from match_runs where job_id = ${jobId}`;
    expect(runs).toHaveLength(1);
    // Its shard jobs were queued once, with the run, in the run's own transaction.
    const [{ n }] = (await reference.sql<{ n: number }[]>`select count(*)::int as n from pgboss.job where name = ${MATCH_QUEUES.shard} and (data->>'runId')::bigint = ${first.runId}`) as unknown as [{ n: number }];
    expect(n).toBe(3);
  });

  it('queues no shard when its run does not commit', async () => {
    const b = await boss(reference);
    const before = await reference.sql<{ n: number }[]>`select count(*)::int as n from pgboss.job where name = ${MATCH_QUEUES.shard}`;
    const runsBefore = await reference.sql`select id from match_runs`;
    // The audit insert fails after the shards were inserted: everything rolls back together.
    await reference.sql`create function refuse_match_started() returns trigger language plpgsql as $$ begin if new.action = 'match.started' then raise exception 'audit refused'; end if; return new; end $$`;
    await reference.sql`create trigger refuse_match_started before insert on audit_log for each row execute function refuse_match_started()`;
    try {
      await expect(handleMatchRun(b, { db: reference, clock, log: silentLog }, { id: '00000000-0000-4000-8000-000000000001', data: { scope: 'wengang-fanhuan-2024', period: '2024', shards: 2, trigger: 'test', actor: 'account:1' } })).rejects.toThrow(/audit refused/);
    } finally {
      await reference.sql`drop trigger refuse_match_started on audit_log`;
      await reference.sql`drop function refuse_match_started()`;
    }
    expect(await reference.sql`select id from match_runs`).toHaveLength(runsBefore.length);
    expect(await reference.sql<{ n: number }[]>`select count(*)::int as n from pgboss.job where name = ${MATCH_QUEUES.shard}`).toEqual(before);
  });
});

describe('a run that cannot finish', () => {
  it('is marked failed with the reason and an audit entry once a shard has exhausted its retries', async () => {
    const b = await boss(reference, { work: true });
    // Every attempt of every shard fails the same way: its shard row refuses to be marked done.
    await reference.sql`create function refuse_shard_done() returns trigger language plpgsql as $$ begin raise exception 'shard refused by the test'; end $$`;
    await reference.sql`create trigger refuse_shard_done before update on run_shards for each row execute function refuse_shard_done()`;
    let runId = 0;
    try {
      const before = await reference.sql<{ id: bigint }[]>`select coalesce(max(id), 0) as id from match_runs`;
      await b.send(MATCH_QUEUES.run, { scope: 'wengang-fanhuan-2024', period: '2024', shards: 2, trigger: 'test', actor: 'account:1' });
      await waitUntil(async () => {
        const [row] = await reference.sql<{ id: bigint }[]>`select id from match_runs where id > ${before[0]!.id.toString()}`;
        runId = row ? Number(row.id) : 0;
        return runId > 0 && (await runProgress(reference, runId)).status === 'failed';
      }, 60_000);
    } finally {
      await reference.sql`drop trigger refuse_shard_done on run_shards`;
      await reference.sql`drop function refuse_shard_done()`;
    }
    const progress = await runProgress(reference, runId);
    expect(progress.failureReason).toMatch(/^match-shard \S+ failed after 5 retries: shard refused by the test$/);
    expect(progress.shardsDone).toBe(0);
    const audit = await reference.sql<{ payload: { reason: string } }[]>`select payload from audit_log where action = 'match.failed' and entity_id = ${String(runId)}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.payload.reason).toBe(progress.failureReason);
  }, 90_000);
});

describe('ids and sequence numbers past 2^31 (bigserial)', () => {
  it('match (full and incremental), explain and audit as before', async () => {
    const big = 3_000_000_000;
    for (const [table, column] of [['fact_records', 'seq'], ['snapshots', 'id'], ['match_runs', 'id'], ['audit_log', 'seq'], ['fact_imports', 'id']] as const) {
      await reference.sql`select setval(pg_get_serial_sequence(${table}, ${column}), ${big})`;
    }
    // The audit trail must stay gapless: its next entry continues from the last one, whatever the sequence says.
    await reference.sql`select setval(pg_get_serial_sequence('audit_log', 'seq'), (select max(seq) from audit_log))`;
    const full = await runToCompletion(reference, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 2 });
    expect(full.runId).toBeGreaterThan(big);
    const [header, ...rows] = readFileSync(join(work, 'feeds', 'hrss-ui-annual-2023.csv'), 'utf8').trimEnd().split('\n');
    const changed = join(work, 'hrss-big.csv');
    writeFileSync(changed, `${[header, ...rows.filter((_, i) => i % 5 !== 0)].join('\n')}\n`);
    await importFeed(reference, clock, { feedId: 'hrss-ui-annual', input: { path: changed }, asOf: '2024-04-30', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    const [{ seq }] = (await reference.sql<{ seq: bigint }[]>`select max(seq) as seq from fact_records`) as unknown as [{ seq: bigint }];
    expect(seq > 2n ** 31n).toBe(true);
    const incremental = await runToCompletion(reference, clock, silentLog, { scope: 'enterprise', period: '2024', kind: 'incremental', trigger: 'test', actor: 'test', shards: 2 });
    expect(incremental.runId).toBeGreaterThan(big);
    expect(incremental.kind).toBe('incremental');
    expect(incremental.evaluated).toBeGreaterThan(0);
    const [entry] = await reference.sql<{ subject_key: string }[]>`select subject_key from list_entries where point_id = 'wengang-fanhuan-2024' and period = '2024' and run_id = ${incremental.runId} limit 1`;
    if (entry) expect((await explainEntry(reference, { subjectKey: entry.subject_key, pointId: 'wengang-fanhuan-2024', period: '2024' }, await createStaff(reference, ['auditor']))).runId).toBe(incremental.runId);
    expect((await verifyAuditChain(reference.sql)).ok).toBe(true);
  });
});

