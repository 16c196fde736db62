// The application runs as its own restricted login: DATABASE_URL is a login role that is a member of
// mianshen_app, MIGRATION_DATABASE_URL the owner. Through it a whole cycle works (publish, import,
// match through pg-boss, prepare/approve/send/reconcile), signed checkpoints are written after each
// publish, run and batch step, and the daily checkpoint job exports its file. As that login the audit
// trail cannot be updated, deleted, truncated or have its trigger disabled, and no table can be
// truncated, altered or dropped.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AUDIT_CHECKPOINT_QUEUE } from '../jobs/audit-checkpoint.ts';
import { startApp, type App } from '../src/app.ts';
import { verifyAuditChain } from '../src/audit/audit-trail.ts';
import { auditHistory } from '../src/audit/history.ts';
import { parseCheckpoint, verifyAgainstCheckpoint } from '../src/audit/checkpoints.ts';
import { fixedClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { DEMO_RUNS, runCycle, type CycleSummary } from '../src/cycle.ts';
import { createTestDatabase, silentLog, type TestDatabase, dataKeyEnv } from './support/database.ts';
import { waitUntil } from './support/workers.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const signingKey = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
let db: TestDatabase;
let app: App;
let summary: CycleSummary;
let dataDir: string;
const bossErrors: unknown[] = [];
// Roles are cluster-wide: a login of this test's own, dropped afterwards.
const login = `mianshen_app_t${randomBytes(4).toString('hex')}`;
const admin = postgres(inject('adminUrl'), { max: 1, onnotice: () => {} });

function loginUrl(url: string): string {
  const u = new URL(url);
  u.username = login;
  u.password = '';
  return u.toString();
}

beforeAll(async () => {
  db = await createTestDatabase();
  await admin.unsafe(`create role "${login}" login in role mianshen_app`);
  dataDir = mkdtempSync(join(tmpdir(), 'mianshen-app-role-'));
  const config = loadConfig({
    DATABASE_URL: loginUrl(db.url),
    MIGRATION_DATABASE_URL: db.url,
    DATA_DIR: dataDir,
    AUDIT_SIGNING_KEY: signingKey,
    MATCH_SHARDS: '2',
    // Supervision (maintenance, expiry, retention) every second, so it runs as the login during the test.
    BOSS_SUPERVISE_SECONDS: '1',
    LOG_LEVEL: 'silent',
    ...dataKeyEnv(),
  });
  app = await startApp(config, clock, silentLog, { requireSigningKey: true, scheduler: true });
  app.boss.on('error', (error) => bossErrors.push(error));
  summary = await runCycle(app, { seed: 11, enterprises: 20, persons: 0, dataDir, shards: 2, runs: [DEMO_RUNS[0]!] });
}, 240_000);

afterAll(async () => {
  await app?.stop();
  await db?.drop();
  await admin.unsafe(`drop role if exists "${login}"`);
  await admin.end();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** One statement as the application's login, on a connection of its own. */
async function asAppLogin(statement: string): Promise<unknown> {
  const sql = postgres(loginUrl(db.url), { max: 1, onnotice: () => {} });
  try {
    return await sql.unsafe(statement);
  } finally {
    await sql.end();
  }
}

describe('the application on its restricted login', () => {
  it('connects as the login, which is not the owner and is a member of mianshen_app', async () => {
    const [who] = await app.db.sql<{ user: string; member: boolean; superuser: boolean }[]>`
      select current_user as user, pg_has_role(current_user, 'mianshen_app', 'member') as member, (select rolsuper from pg_roles where rolname = current_user) as superuser`;
    expect(who).toEqual({ user: login, member: true, superuser: false });
  });

  it('runs a publish, the imports, a match through pg-boss and the payouts', async () => {
    expect(summary.audit.ok).toBe(true);
    expect(summary.runs.length).toBeGreaterThan(0);
    const [counts] = await db.sql<{ imports: number; runs: number; entries: number; paid: number }[]>`
      select (select count(*)::int from fact_imports where status = 'imported') as imports,
             (select count(*)::int from match_runs where status = 'completed') as runs,
             (select count(*)::int from list_entries) as entries,
             (select count(*)::int from payments where status = 'paid') as paid`;
    expect(counts!.imports).toBeGreaterThan(5);
    expect(counts!.runs).toBe(summary.runs.length);
    expect(counts!.entries).toBeGreaterThan(0);
    expect(counts!.paid).toBeGreaterThan(0);
  });

  it('wrote a signed checkpoint after the publish, each run and each batch step, all matching the chain', async () => {
    const batches = await db.sql<{ n: number }[]>`select count(*)::int as n from payout_batches`;
    const checkpoints = await db.sql<{ seq: bigint; head_hash: string }[]>`select seq, head_hash from audit_checkpoints order by id`;
    // publish + runs + (prepare, approve, send) per batch + at least one settlement, + the cycle's own.
    expect(checkpoints.length).toBeGreaterThanOrEqual(1 + summary.runs.length + 3 * batches[0]!.n + 1);
    for (const c of checkpoints) {
      const [row] = await db.sql<{ hash: string }[]>`select hash from audit_log where seq = ${c.seq.toString()}::bigint`;
      expect(row?.hash).toBe(c.head_hash);
    }
    const published = await db.sql<{ seq: bigint }[]>`select max(seq) as seq from audit_log where action = 'policy.published'`;
    expect(checkpoints.some((c) => c.seq >= published[0]!.seq)).toBe(true);
  });

  it('exports the daily checkpoint from the audit-checkpoint queue, scheduled at AUDIT_CHECKPOINT_CRON in TIMEZONE', async () => {
    const [schedule] = await db.sql<{ cron: string; timezone: string }[]>`select cron, timezone from pgboss.schedule where name = ${AUDIT_CHECKPOINT_QUEUE}`;
    expect(schedule).toEqual({ cron: '30 0 * * *', timezone: 'Asia/Shanghai' });
    await app.boss.send(AUDIT_CHECKPOINT_QUEUE, {});
    // The fixed clock says 2024-06-15T02:00Z, which is 10:00 on the 15th in Shanghai.
    const file = join(dataDir, 'checkpoints', 'checkpoint-2024-06-15.json');
    await waitUntil(() => Promise.resolve(existsSync(file)), 30_000);
    const checkpoint = parseCheckpoint(readFileSync(file, 'utf8'), file);
    expect(await verifyAgainstCheckpoint(app.db.sql, checkpoint, app.auditSigner.publicKeyPem)).toMatchObject({ ok: true, uncovered: 0 });
  });

  it("keeps a paid subject's and a batch's history: the payment names both, the batch's steps in order", async () => {
    const [paid] = await db.sql<{ subject_key: string; batch_id: bigint }[]>`select subject_key, batch_id from payments where status = 'paid' order by subject_key limit 1`;
    const subject = await auditHistory(app.db, { subject: paid!.subject_key });
    expect(subject.entries.map((e) => e.action)).toContain('payment.paid');
    const batch = await auditHistory(app.db, { batch: paid!.batch_id.toString(), limit: 5000 });
    const steps = batch.entries.map((e) => e.action).filter((a) => a.startsWith('batch.'));
    // Above the second-approval amount the batch is approved twice, by two accounts.
    expect(steps).toEqual(['batch.prepared', 'batch.first-approved', 'batch.approved', 'batch.sent', 'batch.reconciled']);
    expect(batch.entries.filter((e) => e.action.startsWith('payment.')).length).toBeGreaterThan(0);
  });

  it.each([
    ['UPDATE the audit trail', `update audit_log set actor = 'x' where seq = 1`, /permission denied for table audit_log/],
    ['DELETE from the audit trail', 'delete from audit_log where seq = 1', /permission denied for table audit_log/],
    ['TRUNCATE the audit trail', 'truncate audit_log', /permission denied for table audit_log/],
    ['DISABLE TRIGGER on the audit trail', 'alter table audit_log disable trigger user', /must be owner of table audit_log/],
    ['DROP TRIGGER on the audit trail', 'drop trigger audit_log_no_update_or_delete on audit_log', /must be owner of (table|relation) audit_log/],
    ['UPDATE a checkpoint', `update audit_checkpoints set head_hash = 'x'`, /permission denied for table audit_checkpoints/],
    ['DELETE the checkpoints', 'delete from audit_checkpoints', /permission denied for table audit_checkpoints/],
    ['TRUNCATE another table', 'truncate list_entries', /permission denied for table list_entries/],
    ['ALTER another table', 'alter table payments disable trigger all', /must be owner of table payments/],
    ['DROP another table', 'drop table fact_records', /must be owner of table fact_records/],
    ['TRUNCATE a pg-boss table', 'truncate pgboss.job', /permission denied for table job/],
  ])('is refused: %s', async (_name, statement, error) => {
    await expect(asAppLogin(statement)).rejects.toThrow(error);
  });

  it('met no permission error in pg-boss (jobs, schedules, supervision) during all of it', () => {
    expect(bossErrors.map(String)).toEqual([]);
  });

  it('still verifies the whole trail after the refused attempts', async () => {
    const [last] = await db.sql<{ seq: bigint }[]>`select max(seq) as seq from audit_log`;
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, headSeq: Number(last!.seq) });
  });
});
