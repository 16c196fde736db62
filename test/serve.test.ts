// `npm run serve` as an operator starts it: the production server and workers on DATABASE_URL, with no
// demo data, a health check that asks the database, and a clean exit on SIGTERM.
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { connect } from '../src/db/clients.ts';
import { buildServer } from '../src/http/server.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { portalSignInOff } from './support/portal.ts';
import { tempDir } from './support/temp.ts';

// serve on DATABASE_URL needs its audit signing key from the environment.
const SIGNING_KEY = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => db?.drop());

describe('npm run serve', () => {
  it('serves /health on a fresh database, creates no subject and no demo import, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['src/serve.ts'], {
      env: { ...process.env, DATABASE_URL: db.url, HTTP_PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: tempDir('serve'), PORTAL_TOKEN_SECRET: 'serve-test-secret-0123456789', AUDIT_SIGNING_KEY: SIGNING_KEY },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 60_000;
      while (!/listening on (http:\/\/\S+)/.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`serve did not start: ${stdout}\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const address = /listening on (http:\/\/\S+)/.exec(stdout)![1]!;
      const response = await fetch(`${address}/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', database: 'ok' });
      expect(stdout).toContain('scheduled: nothing (no policy library is published');
      expect(stdout).not.toMatch(/Bearer|demo/i);
      const [counts] = await db.sql<{ enterprises: number; persons: number; imports: number; runs: number }[]>`
        select (select count(*)::int from enterprises) as enterprises, (select count(*)::int from persons) as persons,
               (select count(*)::int from fact_imports) as imports, (select count(*)::int from match_runs) as runs`;
      expect(counts).toEqual({ enterprises: 0, persons: 0, imports: 0, runs: 0 });
      // It migrated the database and started the queue.
      const queues = await db.sql<{ name: string }[]>`select name from pgboss.queue order by name`;
      expect(queues.map((q) => q.name)).toEqual(expect.arrayContaining(['match-run', 'match-shard', 'match-finalize', 'match-dead']));
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 90_000);
});

describe('npm run serve with a published library', () => {
  it('schedules the incremental match of the current year at MATCH_CRON', async () => {
    await publishLibrary(db.orm, fixedClock('2024-06-15T00:00:00Z'), await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
    const { stdout, code } = await serveUntilListening({ MATCH_CRON: '30 3 * * *', TIMEZONE: 'Asia/Shanghai' });
    expect(code).toBe(0);
    const year = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date());
    const schedules = await db.sql<{ key: string; cron: string; data: { period: string; kind: string } }[]>`select key, cron, data from pgboss.schedule where name = 'match-run' order by key`;
    if (/scheduled: incremental/.test(stdout)) {
      expect(stdout).toMatch(new RegExp(`scheduled: incremental .*match for ${year} at "30 3 \\* \\* \\*" \\(Asia/Shanghai\\)`));
      expect(schedules.length).toBeGreaterThan(0);
      for (const s of schedules) expect(s).toMatchObject({ cron: '30 3 * * *', data: { period: year, kind: 'incremental' } });
    } else {
      expect(stdout).toContain(`has no yearly point in effect in ${year}`);
      expect(schedules).toHaveLength(0);
    }
  }, 90_000);
});

async function serveUntilListening(env: Record<string, string>): Promise<{ stdout: string; code: number | null }> {
  const child = spawn(process.execPath, ['src/serve.ts'], {
    env: { ...process.env, DATABASE_URL: db.url, HTTP_PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: tempDir('serve'), PORTAL_TOKEN_SECRET: 'serve-test-secret-0123456789', AUDIT_SIGNING_KEY: SIGNING_KEY, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!/listening on/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 100));
  child.kill('SIGTERM');
  return { stdout, code: await exited };
}

describe('GET /health', () => {
  it('answers 503 when the database does not answer', async () => {
    const closed = connect(db.url, false);
    await closed.close();
    const server = buildServer({ db: { ...closed, shutdown: async () => {} } as never, log: silentLog, clock: fixedClock('2024-06-15T00:00:00Z'), portalSecret: 'x'.repeat(32), accounts: accountsOf(closed.orm, fixedClock('2024-06-15T00:00:00Z')), portal: portalSignInOff });
    const response = await server.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ status: 'unavailable', database: 'down' });
    await server.close();
  });
});
