// Staff sessions over HTTP: the cookie's attributes, only digests stored, CSRF on every state-changing
// request, idle and absolute expiry, sign-out, and nothing secret in the log.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { buildServer } from '../src/http/server.ts';
import { accountsOf, staffActorOf } from '../src/identity/account-service.ts';
import { createLogger } from '../src/logger.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { portalSignInOff } from './support/portal.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const PASSWORD = 'a long staff password';
const logLines: string[] = [];
const log = createLogger('info', new Writable({ write: (chunk, _e, done) => (logLines.push(String(chunk)), done()) }));
let db: TestDatabase;
let app: ReturnType<typeof buildServer>;

beforeAll(async () => {
  db = await createTestDatabase();
  const accounts = accountsOf(db.orm, clock);
  const admin = staffActorOf(await accounts.create(null, { login: 'admin', displayName: '管理', roles: ['administrator'], password: PASSWORD }));
  await accounts.create(admin, { login: 'chen', displayName: '陈审核', roles: ['reviewer'], password: PASSWORD });
  app = buildServer({ db, log, clock, portalSecret: 'sessions-test-secret-0123456789', accounts: accountsOf(db.orm, clock, { idleMinutes: 30, absoluteMinutes: 12 * 60 }), portal: portalSignInOff, rateLimits: { signIn: { max: 1_000_000, timeWindowMs: 60_000 } } });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

async function signIn(login = 'chen', password = PASSWORD) {
  const response = await app.inject({ method: 'POST', url: '/api/auth/sign-in', payload: { login, password } });
  const cookie = response.cookies.find((c) => c.name === 'mianshen_staff');
  return { response, cookie, token: cookie?.value ?? '', csrf: response.json<{ csrfToken?: string }>().csrfToken ?? '' };
}
const me = (token: string) => app.inject({ url: '/api/auth/me', headers: { cookie: `mianshen_staff=${token}` } });
const signOut = (token: string, csrf?: string) =>
  app.inject({ method: 'POST', url: '/api/auth/sign-out', headers: { cookie: `mianshen_staff=${token}`, ...(csrf === undefined ? {} : { 'x-csrf-token': csrf }) } });

describe('sign-in', () => {
  it('sets an HttpOnly, Secure, SameSite=Strict cookie for / and returns the CSRF token and the account', async () => {
    const { response, cookie, csrf } = await signIn('ＣＨＥＮ ');
    expect(response.statusCode).toBe(200);
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
    expect(cookie!.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(response.json()).toMatchObject({ account: { login: 'chen', roles: ['reviewer'] } });
    expect(response.body).not.toContain(cookie!.value);
  });

  it('stores only SHA-256 digests of the session and CSRF tokens', async () => {
    const { token, csrf } = await signIn();
    const rows = await db.sql<{ token_hash: string; csrf_hash: string }[]>`select token_hash, csrf_hash from staff_sessions`;
    const all = JSON.stringify(rows);
    expect(all).not.toContain(token);
    expect(all).not.toContain(csrf);
    for (const row of rows) expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a wrong password and an unknown login alike, 401 SIGN_IN_FAILED, without a cookie', async () => {
    const wrong = await signIn('chen', 'not the password');
    const unknown = await signIn('nobody', PASSWORD);
    for (const r of [wrong, unknown]) {
      expect(r.response.statusCode).toBe(401);
      expect(r.cookie).toBeUndefined();
      expect(r.response.json()).toMatchObject({ code: 'SIGN_IN_FAILED' });
    }
    expect(wrong.response.json<{ message: string }>().message).toBe(unknown.response.json<{ message: string }>().message);
  });

  it('locks after five failures over HTTP too', async () => {
    const accounts = accountsOf(db.orm, clock);
    const admin = (await accounts.authenticate({ login: 'admin', password: PASSWORD })).actor;
    await accounts.create(admin, { login: 'wu', displayName: '吴', roles: ['auditor'], password: PASSWORD });
    for (let i = 0; i < 5; i++) expect((await signIn('wu', 'wrong password!')).response.statusCode).toBe(401);
    expect((await signIn('wu', PASSWORD)).response.statusCode).toBe(401);
  });
});

describe('a session', () => {
  it('answers /me while live and 401 UNAUTHENTICATED for an unknown token', async () => {
    const { token } = await signIn();
    expect((await me(token)).json()).toMatchObject({ account: { login: 'chen' } });
    expect((await me(`${token}x`)).json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await app.inject({ url: '/api/auth/me' })).statusCode).toBe(401);
  });

  it('refuses a state-changing request without the CSRF token, or with a wrong one, 403 CSRF_MISSING', async () => {
    const { token, csrf } = await signIn();
    const other = await signIn();
    expect((await signOut(token)).json()).toMatchObject({ code: 'CSRF_MISSING' });
    expect((await signOut(token, '')).statusCode).toBe(403);
    expect((await signOut(token, `${csrf.slice(0, -1)}A`)).json()).toMatchObject({ code: 'CSRF_MISSING' });
    // Another session's CSRF token is not this session's.
    expect((await signOut(token, other.csrf)).json()).toMatchObject({ code: 'CSRF_MISSING' });
    const whatIf = await app.inject({ method: 'POST', url: '/api/staff/what-if', headers: { cookie: `mianshen_staff=${token}` }, payload: {} });
    expect(whatIf.json()).toMatchObject({ code: 'CSRF_MISSING' });
    expect((await me(token)).statusCode).toBe(200);
  });

  it('ends after 30 minutes without a request, and a request within them keeps it alive', async () => {
    const { token } = await signIn();
    clock.advance(29 * 60_000);
    expect((await me(token)).statusCode).toBe(200);
    clock.advance(29 * 60_000);
    expect((await me(token)).statusCode).toBe(200);
    clock.advance(30 * 60_000);
    expect((await me(token)).json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('ends 12 hours after sign-in however busy', async () => {
    const { token } = await signIn();
    for (let i = 0; i < 12 * 3 - 1; i++) {
      clock.advance(20 * 60_000);
      expect((await me(token)).statusCode, `after ${(i + 1) * 20} minutes`).toBe(200);
    }
    clock.advance(20 * 60_000);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('is revoked by sign-out (audited), and the cookie is cleared', async () => {
    const { token, csrf, response } = await signIn();
    const out = await signOut(token, csrf);
    expect(out.json()).toEqual({ signedOut: true });
    expect(out.cookies.find((c) => c.name === 'mianshen_staff')).toMatchObject({ value: '' });
    expect((await me(token)).statusCode).toBe(401);
    expect((await signOut(token, csrf)).statusCode).toBe(401);
    const accountId = response.json<{ account: { id: number } }>().account.id;
    const [audit] = await db.sql<{ actor: string }[]>`select actor from audit_log where action = 'session.revoked' order by seq desc limit 1`;
    expect(audit!.actor).toBe(`account:${accountId}`);
  });

  it('leaves no session token, CSRF token or password in the log', async () => {
    const { token, csrf } = await signIn();
    await me(token);
    await signOut(token, csrf);
    const text = logLines.join('');
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toContain(token);
    expect(text).not.toContain(csrf);
    expect(text).not.toContain(PASSWORD);
  });
});
