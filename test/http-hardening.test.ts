// HTTP hardening: security headers on every response (including errors), a rate limit that a sign-in
// or public route opts into and that answers 429 RATE_LIMITED from the catalogue, an explicit body
// limit, and `npm run serve` on DATABASE_URL refusing to start without AUDIT_SIGNING_KEY.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { ErrorCodes } from '../src/errors.ts';
import { rateLimited } from '../src/http/hardening.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { signedInHeaders } from './support/staff.ts';
import { buildServer } from '../src/http/server.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { portalSignInOff } from './support/portal.ts';
import { anyString, stringContaining } from './support/expect.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
const servers: ReturnType<typeof buildServer>[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const server of servers) await server.close();
  await db?.drop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function server(rateLimits?: Parameters<typeof buildServer>[0]['rateLimits']) {
  const app = buildServer({ db, log: silentLog, clock, portalSecret: 'h'.repeat(32), accounts: accountsOf(db.orm, clock), portal: portalSignInOff, rateLimits });
  servers.push(app);
  return app;
}

describe('security headers', () => {
  it('are on a JSON answer and on an error answer alike', async () => {
    const app = server();
    for (const url of ['/health', '/no/such/route', '/api/staff/runs/1']) {
      const response = await app.inject({ method: 'GET', url });
      expect(response.headers['content-security-policy'], url).toBe(
        "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;font-src 'self';connect-src 'self';object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'",
      );
      expect(response.headers['x-content-type-options'], url).toBe('nosniff');
      expect(response.headers['x-frame-options'], url).toBe('SAMEORIGIN');
      expect(response.headers['strict-transport-security'], url).toMatch(/^max-age=\d+/);
      expect(response.headers['referrer-policy'], url).toBe('no-referrer');
      expect(response.headers['cross-origin-opener-policy'], url).toBe('same-origin');
      expect(response.headers['x-powered-by'], url).toBeUndefined();
    }
  });
});

describe('rate limits', () => {
  it('answer the 6th sign-in-like request in the window with 429 RATE_LIMITED from the catalogue, per route', async () => {
    const app = server({ signIn: { max: 5, timeWindowMs: 60_000 } });
    let attempts = 0;
    // A route as the identity helper's sign-in will declare it: in a plugin registered after the limiter.
    app.register((scope, _options, done) => {
      scope.post('/test/sign-in', rateLimited('signIn', { signIn: { max: 5, timeWindowMs: 60_000 } }), (_request, reply) => {
        attempts++;
        void reply.send({ signedIn: false });
      });
      scope.post('/test/unlimited', (_request, reply) => void reply.send({ ok: true }));
      done();
    });
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await app.inject({ method: 'POST', url: '/test/sign-in', payload: { user: 'x', password: 'guess' } })).statusCode);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    expect(attempts).toBe(5);
    const refused = await app.inject({ method: 'POST', url: '/test/sign-in', payload: {} });
    expect(refused.json()).toEqual({ code: 'RATE_LIMITED', message: stringContaining('at most 5'), messageZh: ErrorCodes.RATE_LIMITED.zh, requestId: anyString() });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).not.toMatch(/at \S+\.(ts|js):\d+/);
    // A route that did not opt in is not limited.
    for (let i = 0; i < 10; i++) expect((await app.inject({ method: 'POST', url: '/test/unlimited' })).statusCode).toBe(200);
  });

  it('count each client address on its own', async () => {
    const app = server({ public: { max: 2, timeWindowMs: 60_000 } });
    const from = (ip: string) => app.inject({ method: 'GET', url: '/health', remoteAddress: ip });
    expect([(await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode]).toEqual([200, 200, 429]);
    expect((await from('10.0.0.2')).statusCode).toBe(200);
  });

  it('limit /health at the public default of 120 a minute', async () => {
    const app = server();
    const statuses = new Map<number, number>();
    for (let i = 0; i < 121; i++) {
      const status = (await app.inject({ method: 'GET', url: '/health', remoteAddress: '10.0.0.9' })).statusCode;
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
    expect(Object.fromEntries(statuses)).toEqual({ 200: 120, 429: 1 });
  });
});

describe('the body limit', () => {
  it('refuses a body over 1 MiB with 413 PAYLOAD_TOO_LARGE and takes one just under it to the route', async () => {
    const app = server();
    const big = JSON.stringify({ pointId: 'x', period: '2024', draftFiles: [{ file: 'a', text: 'x'.repeat(1024 * 1024) }] });
    const headers = { 'content-type': 'application/json', ...(await signedInHeaders(app, db, ['policy_staff'])).headers };
    const tooLarge = await app.inject({ method: 'POST', url: '/api/staff/what-if', headers, payload: big });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json()).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', messageZh: ErrorCodes.PAYLOAD_TOO_LARGE.zh });
    const fits = await app.inject({ method: 'POST', url: '/api/staff/what-if', headers, payload: big.slice(0, 1000) + '"}]}' });
    // It reached the route, which refuses the unknown point: not the body limit, and not a fault of ours.
    expect(fits.statusCode).not.toBe(413);
    expect(fits.statusCode).toBeLessThan(500);
    expect(fits.json<{ code: string }>().code).not.toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('npm run serve without AUDIT_SIGNING_KEY', () => {
  it('refuses to start on DATABASE_URL with CONFIG_INVALID naming the variable, and generates no key', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mianshen-nokey-'));
    dirs.push(dataDir);
    const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: db.url, HTTP_PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: dataDir };
    delete env.AUDIT_SIGNING_KEY;
    const child = spawn(process.execPath, ['src/serve.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(1);
    expect(output).toMatch(/CONFIG_INVALID: AUDIT_SIGNING_KEY is not set/);
    expect(output).not.toContain('listening on');
    expect(existsSync(join(dataDir, 'audit-signing-key.pem'))).toBe(false);
    expect(readdirSync(dataDir)).toEqual([]);
  }, 60_000);
});
