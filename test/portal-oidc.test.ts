// Enterprise and citizen sign-in through a real OpenID Connect provider (oidc-provider, the demo's
// 模拟统一身份认证) run in process, driven like a browser: fetch following the redirects with a cookie
// jar, against our server listening on a real port. Between our server and the IdP sits an
// interposer that can tamper with what the IdP sends, to see the relying party refuse it.
import { decryptField, personKeyOf } from '../src/subjects/personal-data.ts';
import { generateKeyPairSync, createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/audit-trail.ts';
import { auditSigner } from '../src/audit/checkpoints.ts';
import { fixedClock } from '../src/clock.ts';
import { runCycle } from '../src/cycle.ts';
import { startDemoIdp, type DemoAccount, type DemoIdp } from '../src/demo/demo-idp.ts';
import type { PortalOptions } from '../src/http/portal-routes.ts';
import { buildServer } from '../src/http/server.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { signedInHeaders } from './support/staff.ts';
import { oidcClient, type OidcSettings } from '../src/identity/oidc-client.ts';
import { createLogger } from '../src/logger.ts';
import { portalService } from '../src/portal/portal-service.ts';
import { maskIdNumber } from '../src/subjects/id-number.ts';
import { buildUscc, maskUscc, USCC_ALPHABET } from '../src/subjects/uscc.ts';
import { startBoss } from './support/boss.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { portalSignInOff } from './support/portal.ts';

// ---- a browser: fetch with a cookie jar per origin, following redirects by hand ----

interface Hop {
  url: URL;
  status: number;
  setCookies: string[];
}

class Browser {
  readonly jar = new Map<string, Map<string, string>>();

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  setCookie(origin: string, name: string, value: string): void {
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    cookies.set(name, value);
    this.jar.set(origin, cookies);
  }

  private store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const expired = attributes.some((a) => /^max-age=0$/i.test(a) || (/^expires=/i.test(a) && new Date(a.slice(8)).getTime() < Date.now()));
      const cookies = this.jar.get(url.origin) ?? new Map<string, string>();
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
      this.jar.set(url.origin, cookies);
    }
  }

  /** Requests `url` and follows redirects; stops before a URL `stopAt` accepts, returning it unvisited. */
  async go(start: string | URL, init: { method?: string; body?: string; headers?: Record<string, string> } = {}, stopAt?: (url: URL) => boolean) {
    let url = new URL(start);
    let method = init.method ?? 'GET';
    let body = init.body;
    let headers = init.headers ?? {};
    const hops: Hop[] = [];
    for (let n = 0; n < 20; n++) {
      const cookies = [...(this.jar.get(url.origin) ?? new Map<string, string>())].map(([k, v]) => `${k}=${v}`).join('; ');
      const response = await fetch(url, { method, body, redirect: 'manual', headers: { ...headers, ...(cookies ? { cookie: cookies } : {}) } });
      const setCookies = response.headers.getSetCookie();
      this.store(url, setCookies);
      hops.push({ url, status: response.status, setCookies });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer();
        const next = new URL(location, url);
        if (stopAt?.(next)) return { hops, stoppedAt: next, status: response.status, text: '' };
        url = next;
        if (response.status !== 307 && response.status !== 308) {
          method = 'GET';
          body = undefined;
          headers = {};
        }
        continue;
      }
      return { hops, stoppedAt: undefined, status: response.status, text: await response.text(), url };
    }
    throw new Error(`too many redirects from ${String(start)}`);
  }
}

// ---- the interposer: forwards to the IdP, optionally tampering with what passes ----

type Tamper = 'none' | 'wrong-nonce' | 'id-token-signature' | 'id-token-claims' | 'id-token-alg-none';

function b64json(part: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
const toB64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function tamperIdToken(idToken: string, tamper: Tamper, otherUscc: string): string {
  const [header = '', payload = '', signature = ''] = idToken.split('.');
  if (tamper === 'id-token-signature') {
    // A character in the middle (the last one may carry unused bits).
    const at = Math.floor(signature.length / 2);
    return `${header}.${payload}.${signature.slice(0, at)}${signature[at] === 'A' ? 'B' : 'A'}${signature.slice(at + 1)}`;
  }
  const claims = { ...b64json(payload), uscc: otherUscc };
  if (tamper === 'id-token-claims') return `${header}.${toB64(claims)}.${signature}`;
  return `${toB64({ alg: 'none', typ: 'JWT' })}.${toB64(claims)}.`;
}

async function interposer(idpPort: number, state: { tamper: Tamper; otherUscc: string }): Promise<Server> {
  const server = createServer((req, res) => {
    let path = req.url ?? '/';
    if (state.tamper === 'wrong-nonce' && path.startsWith('/auth?')) {
      const url = new URL(path, 'http://x');
      url.searchParams.set('nonce', 'a-nonce-the-attacker-chose');
      path = `${url.pathname}${url.search}`;
    }
    const upstream = httpRequest({ host: '127.0.0.1', port: idpPort, method: req.method, path, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        let body = Buffer.concat(chunks);
        if (path === '/token' && state.tamper.startsWith('id-token-') && answer.statusCode === 200) {
          const tokens = JSON.parse(body.toString('utf8')) as { id_token: string };
          tokens.id_token = tamperIdToken(tokens.id_token, state.tamper, state.otherUscc);
          body = Buffer.from(JSON.stringify(tokens));
        }
        const headers = { ...answer.headers, 'content-length': String(body.length) };
        delete headers['transfer-encoding'];
        res.writeHead(answer.statusCode ?? 502, headers);
        res.end(body);
      });
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

// ---- fixtures ----

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const logLines: string[] = [];
const captureLog = createLogger('debug', new Writable({ write: (chunk: Buffer, _enc, done) => (logLines.push(chunk.toString()), done()) }));
let db: TestDatabase;
let boss: PgBoss;
let dataDir: string;
let app: ReturnType<typeof buildServer>;
let idp: DemoIdp;
let proxy: Server;
let base: string;
const proxyState: { tamper: Tamper; otherUscc: string } = { tamper: 'none', otherUscc: '' };
const routes: string[] = [];

/** Enterprise A (signs in), enterprise B (the other one), citizen C, and identifiers that must not sign in. */
const who = { a: '', b: '', c: '', cKey: '', unknownUscc: '', badChecksum: '', badIdNumber: '', bOnly: { pointId: '', period: '' }, aOwn: { pointId: '', period: '' } };

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

beforeAll(async () => {
  db = await createTestDatabase();
  boss = await startBoss(db, clock);
  dataDir = mkdtempSync(join(tmpdir(), 'mianshen-oidc-'));
  await runCycle({ db, boss, clock, log: silentLog, auditSigner: auditSigner(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }, { seed: 11, enterprises: 40, persons: 60, dataDir });

  // Two paid enterprises, B holding an entitlement A does not have.
  const [pair] = await db.sql<{ a: string; b: string; point_id: string; period: string }[]>`
    select a.subject_key as a, b.subject_key as b, b.point_id, b.period
    from list_entries a join list_entries b on b.subject_key <> a.subject_key
    where a.status = 'paid' and b.status = 'paid' and a.subject_key in (select uscc from enterprises) and b.subject_key in (select uscc from enterprises)
      and not exists (select 1 from list_entries x where x.subject_key = a.subject_key and x.point_id = b.point_id and x.period = b.period)
    order by a.subject_key, b.subject_key limit 1`;
  expect(pair).toBeDefined();
  who.a = pair!.a;
  who.b = pair!.b;
  who.bOnly = { pointId: pair!.point_id, period: pair!.period };
  const [own] = await db.sql<{ point_id: string; period: string }[]>`select point_id, period from list_entries where subject_key = ${who.a} and status = 'paid' order by point_id limit 1`;
  who.aOwn = { pointId: own!.point_id, period: own!.period };
  // Persons are filed under their person key; the identity provider hands out the number itself.
  const [person] = await db.sql<{ person_key: string; id_enc: string }[]>`select p.person_key, p.id_enc from persons p where exists (select 1 from list_entries l where l.subject_key = p.person_key and l.outcome = 'eligible') order by 1 limit 1`;
  who.c = decryptField(person!.id_enc);
  who.cKey = person!.person_key;
  who.unknownUscc = buildUscc('9', '1', '440300', '99999998');
  expect((await db.sql`select 1 from enterprises where uscc = ${who.unknownUscc}`).length).toBe(0);
  const last = who.a[17]!;
  who.badChecksum = `${who.a.slice(0, 17)}${USCC_ALPHABET[(USCC_ALPHABET.indexOf(last) + 1) % USCC_ALPHABET.length]}`;
  who.badIdNumber = `${who.c.slice(0, 17)}${who.c[17] === '0' ? '1' : '0'}`;
  proxyState.otherUscc = who.b;

  const accounts: DemoAccount[] = [
    { kind: 'enterprise', name: '企业甲', identifier: who.a },
    { kind: 'enterprise', name: '企业乙', identifier: who.b },
    // As some identity providers send it: lower case. The feeds take it so, and so does sign-in.
    { kind: 'enterprise', name: '企业甲（小写）', identifier: who.a.toLowerCase() },
    { kind: 'citizen', name: '市民丙', identifier: who.c },
    { kind: 'enterprise', name: '未登记企业', identifier: who.unknownUscc },
    { kind: 'enterprise', name: '校验码错误', identifier: who.badChecksum },
    { kind: 'citizen', name: '身份号码错误', identifier: who.badIdNumber },
  ];
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  // The IdP listens on an ephemeral port; its issuer is the interposer's address in front of it.
  const idpPort = await freePort();
  const settingsFor = (issuer: string): OidcSettings => ({
    issuer: new URL(issuer),
    clientId: 'mianshen-test',
    clientSecret: 'test-client-secret-0123456789',
    redirectUri: new URL(`${base}/api/portal/auth/callback`),
    scope: 'openid',
    usccClaim: 'uscc',
    idNumberClaim: 'id_number',
  });
  proxy = await interposer(idpPort, proxyState);
  const issuer = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  idp = await startDemoIdp({ settings: settingsFor(issuer), accounts, host: '127.0.0.1', port: idpPort, issuer });
  const portal: PortalOptions = { oidc: oidcClient(settingsFor(issuer)), personKeyOf, lifetimes: { idleMinutes: 30, absoluteHours: 8 }, home: '/api/portal/me' };
  app = buildServer({ db, log: captureLog, clock, portalSecret: 'staff-secret-0123456789', accounts: accountsOf(db.orm, clock), portal, rateLimits: { signIn: { max: 1_000_000, timeWindowMs: 60_000 } } });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (route.url.startsWith('/api/portal') && method !== 'HEAD') routes.push(`${method} ${route.url}`);
  });
  await app.listen({ host: '127.0.0.1', port });
}, 240_000);

afterAll(async () => {
  await app?.close();
  await idp?.close();
  await new Promise((resolve) => (proxy ? proxy.close(resolve) : resolve(undefined)));
  await boss?.stop({ graceful: false, timeout: 2000 });
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const isCallback = (url: URL) => url.pathname === '/api/portal/auth/callback';

/** Signs in through the IdP as `identifier`; stops at the callback when `stop` is set. */
async function signIn(browser: Browser, identifier: string, stop = false) {
  const form = await browser.go(`${base}/api/portal/auth/login`);
  expect(form.status, form.text).toBe(200);
  expect(form.text).toContain('模拟统一身份认证');
  return browser.go(`${form.url!.origin}${form.url!.pathname}/login`, { method: 'POST', body: new URLSearchParams({ identifier }).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }, stop ? isCallback : undefined);
}

async function signedIn(identifier: string): Promise<Browser> {
  const browser = new Browser();
  const done = await signIn(browser, identifier);
  expect(done.status, done.text).toBe(200);
  return browser;
}

const get = (browser: Browser, path: string) => browser.go(`${base}${path}`);
const post = (browser: Browser, path: string, csrf?: string) => browser.go(`${base}${path}`, { method: 'POST', headers: csrf === undefined ? {} : { 'x-csrf-token': csrf } });
const json = (reply: { text: string }) => JSON.parse(reply.text) as Record<string, unknown>;
const sessionCount = async () => Number((await db.sql<{ n: string }[]>`select count(*)::text as n from portal_sessions`)[0]!.n);

/** Nothing of B's in a reply to A: not its USCC (raw or masked), not its B-only entitlement. */
function expectNothingOfB(text: string): void {
  expect(text).not.toContain(who.b);
  expect(text).not.toContain(maskUscc(who.b));
}

describe('portal sign-in through OIDC', () => {
  it('signs an enterprise in: the session cookie is HttpOnly, Secure, SameSite=Lax; the database holds only hashes', async () => {
    const before = await sessionCount();
    const browser = new Browser();
    const done = await signIn(browser, who.a);
    expect(done.status, done.text).toBe(200);
    expect(done.url!.pathname).toBe('/api/portal/me');
    expect(json(done)).toMatchObject({ role: 'enterprise', roleText: '企业', subject: who.a });
    const callback = done.hops.find((h) => isCallback(h.url))!;
    const session = callback.setCookies.find((c) => c.startsWith('mianshen_portal='))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/Secure/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(callback.setCookies.find((c) => c.startsWith('mianshen_csrf='))).toMatch(/Secure/);
    expect(await sessionCount()).toBe(before + 1);
    const token = browser.cookie(base, 'mianshen_portal')!;
    const [row] = await db.sql<{ token_hash: string; subject_type: string; subject_key: string }[]>`select token_hash, subject_type, subject_key from portal_sessions order by id desc limit 1`;
    expect(row).toMatchObject({ token_hash: createHash('sha256').update(token).digest('hex'), subject_type: 'enterprise', subject_key: who.a });
    const everything = await db.sql<{ t: string }[]>`select (select string_agg(t::text, ' ') from portal_sessions t) || (select string_agg(t::text, ' ') from portal_login_attempts t) || (select string_agg(a::text, ' ') from audit_log a) as t`;
    expect(everything[0]!.t).not.toContain(token);
    expect(everything[0]!.t).not.toContain(browser.cookie(base, 'mianshen_csrf')!);
    const [audit] = await db.sql<{ actor: string }[]>`select actor from audit_log where action = 'portal.signed-in' order by seq desc limit 1`;
    expect(audit?.actor).toBe(`enterprise:${who.a}`);
    // No token in the logs, nor the callback's single-use code.
    const code = callback.url.searchParams.get('code');
    expect(code).toMatch(/^[\w-]{20,}$/);
    expect(logLines.some((l) => l.includes('/api/portal/auth/callback'))).toBe(true);
    expect(logLines.join('')).not.toContain(code!);
    expect(logLines.join('')).not.toContain(token);
    expect(logLines.join('')).not.toContain(browser.cookie(base, 'mianshen_csrf')!);
  });

  it('sends PKCE (S256), state and nonce in the authorization request', async () => {
    const browser = new Browser();
    const login = await browser.go(`${base}/api/portal/auth/login`, {}, (url) => url.pathname === '/auth');
    const params = login.stoppedAt!.searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(params.get('nonce')).toMatch(/^[\w-]{20,}$/);
    const loginCookie = login.hops[0]!.setCookies.find((c) => c.startsWith('mianshen_login='));
    expect(loginCookie).toMatch(/HttpOnly/);
    expect(loginCookie).toMatch(/Secure/);
    expect(loginCookie).toMatch(/SameSite=Lax/);
  });

  it('takes a USCC claim in lower case as the same enterprise, as the feeds do', async () => {
    expect(who.a.toLowerCase()).not.toBe(who.a);
    const browser = await signedIn(who.a.toLowerCase());
    expect(json(await get(browser, '/api/portal/me'))).toMatchObject({ role: 'enterprise', subject: who.a });
  });

  it('shows an enterprise its own entitlements and payments, exactly its own', async () => {
    const browser = await signedIn(who.a);
    const list = json(await get(browser, '/api/portal/entitlements')) as { subject: string; entitlements: { pointId: string; period: string; amountFen: string | null; explanation: string[] }[] };
    expect(list.subject).toBe(who.a);
    const expected = await db.sql<{ point_id: string; period: string }[]>`
      select point_id, period from list_entries where subject_key = ${who.a} and (outcome <> 'ineligible' or cardinality(reason_codes) > 0) order by period desc, point_id`;
    expect(list.entitlements.map((e) => `${e.pointId}/${e.period}`).sort()).toEqual(expected.map((e) => `${e.point_id}/${e.period}`).sort());
    expect(list.entitlements.every((e) => e.explanation.length > 0)).toBe(true);
    const one = json(await get(browser, `/api/portal/entitlements/${who.aOwn.pointId}/${who.aOwn.period}`)) as { entitlement: { pointId: string; statusText: string; explanation: string[] } };
    expect(one.entitlement).toMatchObject({ pointId: who.aOwn.pointId, statusText: '已拨付' });
    expect(one.entitlement.explanation.join('')).toMatch(/[\u4e00-\u9fff]/);
    const paid = json(await get(browser, '/api/portal/payments')) as { payments: { pointId: string; accountNumber: string; amountFen: string }[] };
    const dbPaid = (await db.sql<{ account_enc: string; amount_fen: string }[]>`select account_enc, amount_fen::text from payments where subject_key = ${who.a}`).map((p) => ({ ...p, account_number: decryptField(p.account_enc) }));
    expect(paid.payments.length).toBe(dbPaid.length);
    expect(paid.payments.map((p) => p.amountFen).sort()).toEqual(dbPaid.map((p) => p.amount_fen).sort());
    for (const p of paid.payments) expect(p.accountNumber).toMatch(/^\*+\d{4}$/);
    for (const p of dbPaid) expect(JSON.stringify(paid)).not.toContain(p.account_number);
  });

  it('gives an enterprise 403/404 and never the other enterprise\'s data, on every portal route', async () => {
    const a = await signedIn(who.a);
    const b = await signedIn(who.b);
    // B's callback, captured: what an attacker would try to push into A's browser.
    const bAttempt = new Browser();
    const bCallback = (await signIn(bAttempt, who.b, true)).stoppedAt!;
    const attacks: Record<string, () => Promise<void>> = {
      'GET /api/portal/auth/login': async () => {
        const reply = await a.go(`${base}/api/portal/auth/login?uscc=${who.b}&login_hint=${who.b}`, {}, (url) => url.pathname === '/auth');
        expect(reply.stoppedAt!.searchParams.get('login_hint')).toBeNull();
        expect(reply.stoppedAt!.href).not.toContain(who.b);
      },
      'GET /api/portal/auth/callback': async () => {
        const reply = await a.go(bCallback);
        expect(reply.status).toBe(400);
        expect(json(reply)).toMatchObject({ code: 'OIDC_LOGIN_INVALID' });
        expect(json(await get(a, '/api/portal/me'))).toMatchObject({ subject: who.a });
      },
      'POST /api/portal/auth/sign-out': async () => {
        const reply = await post(a, '/api/portal/auth/sign-out', b.cookie(base, 'mianshen_csrf'));
        expect(reply.status).toBe(403);
        expect(json(reply)).toMatchObject({ code: 'CSRF_TOKEN_INVALID' });
        expect((await get(b, '/api/portal/me')).status).toBe(200);
        expect((await get(a, '/api/portal/me')).status).toBe(200);
      },
      'GET /api/portal/me': async () => {
        const reply = await get(a, `/api/portal/me?subject=${who.b}&uscc=${who.b}`);
        expect(json(reply)).toMatchObject({ subject: who.a });
        expectNothingOfB(reply.text);
      },
      'GET /api/portal/entitlements': async () => {
        const reply = await get(a, `/api/portal/entitlements?uscc=${who.b}&subjectKey=${who.b}`);
        expect(reply.status).toBe(200);
        expectNothingOfB(reply.text);
        const ids = (json(reply).entitlements as { pointId: string; period: string }[]).map((e) => `${e.pointId}/${e.period}`);
        expect(ids).not.toContain(`${who.bOnly.pointId}/${who.bOnly.period}`);
      },
      'GET /api/portal/entitlements/:pointId/:period': async () => {
        const theirs = await get(a, `/api/portal/entitlements/${who.bOnly.pointId}/${who.bOnly.period}?uscc=${who.b}`);
        expect(theirs.status).toBe(404);
        expect(json(theirs)).toMatchObject({ code: 'NOT_FOUND' });
        expectNothingOfB(theirs.text);
        // B's key in the path is no way in either.
        const named = await get(a, `/api/portal/entitlements/${who.b}/${who.bOnly.period}`);
        expect([400, 404]).toContain(named.status);
        expectNothingOfB(named.text);
        // And B, asking for the same, gets its own.
        expect((await get(b, `/api/portal/entitlements/${who.bOnly.pointId}/${who.bOnly.period}`)).status).toBe(200);
      },
      'GET /api/portal/payments': async () => {
        const reply = await get(a, `/api/portal/payments?uscc=${who.b}`);
        expect(reply.status).toBe(200);
        expectNothingOfB(reply.text);
        const bAccounts = (await db.sql<{ account_enc: string }[]>`select account_enc from payments where subject_key = ${who.b}`).map((p) => ({ account_number: decryptField(p.account_enc) }));
        for (const p of bAccounts) expect(reply.text).not.toContain(p.account_number);
        const aCount = Number((await db.sql<{ n: string }[]>`select count(*)::text as n from payments where subject_key = ${who.a}`)[0]!.n);
        expect((json(reply).payments as unknown[]).length).toBe(aCount);
      },
      'GET /api/portal/objections': async () => {
        // B has an objection on record; A's list never shows it.
        const [notice] = await db.sql<{ id: string }[]>`
          insert into list_notices (point_id, period, published_on, ends_on, working_days, basis, entry_count, total_fen, published_by, published_at)
          values (${who.bOnly.pointId}, ${who.bOnly.period}, '2024-09-27', '2024-10-10', 5, 'test', 1, 100, 'test', now()) returning id::text`;
        await db.sql`insert into objections (notice_id, subject_key, point_id, period, raised_by, reason, raised_at, status)
          values (${notice!.id}, ${who.b}, ${who.bOnly.pointId}, ${who.bOnly.period}, ${`enterprise:${who.b}`}, '乙公司的异议理由', now(), 'open')`;
        const reply = await get(a, `/api/portal/objections?subjectKey=${who.b}&uscc=${who.b}`);
        expect(reply.status).toBe(200);
        expect(json(reply)).toEqual({ objections: [] });
        expectNothingOfB(reply.text);
        expect(reply.text).not.toContain('乙公司的异议理由');
      },
      'POST /api/portal/objections': async () => {
        // Naming B in the body changes nothing: the subject comes from the session, and A has no entry there.
        const [notice] = await db.sql<{ id: string }[]>`select id::text from list_notices order by id desc limit 1`;
        const reply = await a.go(`${base}/api/portal/objections`, { method: 'POST', headers: { 'x-csrf-token': a.cookie(base, 'mianshen_csrf')!, 'content-type': 'application/json' }, body: JSON.stringify({ noticeId: Number(notice!.id), subjectKey: who.b, reason: '替乙公司提出异议' }) });
        expect([404, 409]).toContain(reply.status);
        expectNothingOfB(reply.text);
        expect(await db.sql`select 1 from objections where reason = '替乙公司提出异议'`).toHaveLength(0);
      },
      'POST /api/portal/self-check': async () => {
        // Naming B in the body (and answering nothing) changes nothing: the facts are the session's subject's.
        const ask = (body: object) => a.go(`${base}/api/portal/self-check`, { method: 'POST', headers: { 'x-csrf-token': a.cookie(base, 'mianshen_csrf')!, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        const plain = await ask({ period: who.bOnly.period.slice(0, 4) });
        expect(plain.status, plain.text).toBe(200);
        const named = await ask({ period: who.bOnly.period.slice(0, 4), uscc: who.b, subjectKey: who.b, subject: who.b });
        expect(named.status).toBe(200);
        expect(json(named)).toMatchObject({ subject: who.a });
        expect(json(named).items).toEqual(json(plain).items);
        expectNothingOfB(named.text);
        // Without the CSRF token, nothing.
        expect((await post(a, '/api/portal/self-check', b.cookie(base, 'mianshen_csrf'))).status).toBe(403);
      },
      'POST /api/portal/confirmations': async () => {
        const reply = await a.go(`${base}/api/portal/confirmations`, { method: 'POST', headers: { 'x-csrf-token': a.cookie(base, 'mianshen_csrf')!, 'content-type': 'application/json' }, body: JSON.stringify({ pointId: who.bOnly.pointId, period: who.bOnly.period, subjectKey: who.b, accountNumber: '6222029999999999' }) });
        expect(reply.status).toBe(404);
        expect(json(reply)).toMatchObject({ code: 'NOT_FOUND' });
        expectNothingOfB(reply.text);
        expect(await db.sql`select 1 from entry_confirmations where account_masked like '%9999'`).toHaveLength(0);
      },
    };
    // A route nobody listed here fails: every portal route must say how it keeps B's data from A.
    expect([...new Set(routes)].sort()).toEqual(Object.keys(attacks).sort());
    for (const [route, attack] of Object.entries(attacks)) {
      try {
        await attack();
      } catch (error) {
        throw new Error(`${route}: ${(error as Error).message}`, { cause: error });
      }
    }
  });

  it('signs a citizen in by identity number; the citizen sees only its own, and never its raw number', async () => {
    const browser = await signedIn(who.c);
    const me = await get(browser, '/api/portal/me');
    expect(json(me)).toMatchObject({ role: 'citizen', roleText: '个人', subject: maskIdNumber(who.c) });
    const list = await get(browser, '/api/portal/entitlements');
    const ids = (json(list).entitlements as { pointId: string; period: string }[]).map((e) => `${e.pointId}/${e.period}`).sort();
    const expected = await db.sql<{ point_id: string; period: string }[]>`
      select point_id, period from list_entries where subject_key = ${who.cKey} and (outcome <> 'ineligible' or cardinality(reason_codes) > 0)`;
    expect(ids.length).toBeGreaterThan(0);
    expect(ids).toEqual(expected.map((e) => `${e.point_id}/${e.period}`).sort());
    for (const reply of [me, list, await get(browser, '/api/portal/payments')]) {
      expect(reply.text).not.toContain(who.c);
      expectNothingOfB(reply.text);
      expect(reply.text).not.toContain(who.a);
    }
    const [row] = await db.sql<{ display: string }[]>`select display from portal_sessions where subject_type = 'citizen' order by id desc limit 1`;
    expect(row?.display).toBe(maskIdNumber(who.c));
  });
});

describe('portal sign-in refuses', () => {
  async function refused(browser: Browser, path: URL | string, status: number, code: string) {
    const before = await sessionCount();
    const reply = await browser.go(path);
    expect(reply.status, reply.text).toBe(status);
    expect(json(reply)).toMatchObject({ code, messageZh: expect.stringMatching(/[\u4e00-\u9fff]/) as unknown });
    expect(browser.cookie(base, 'mianshen_portal')).toBeUndefined();
    expect(await sessionCount()).toBe(before);
    return json(reply) as { message: string };
  }

  it('a callback whose state is not the one this browser sent', async () => {
    const browser = new Browser();
    const callback = (await signIn(browser, who.a, true)).stoppedAt!;
    callback.searchParams.set('state', 'a-state-the-attacker-chose');
    expect((await refused(browser, callback, 400, 'OIDC_LOGIN_INVALID')).message).toMatch(/state/);
  });

  it('a callback in a browser that started no sign-in (login CSRF)', async () => {
    const callback = (await signIn(new Browser(), who.a, true)).stoppedAt!;
    expect((await refused(new Browser(), callback, 400, 'OIDC_LOGIN_INVALID')).message).toMatch(/mianshen_login/);
  });

  it('a replayed callback, and a used code replayed into a new sign-in', async () => {
    const browser = new Browser();
    const callback = (await signIn(browser, who.a, true)).stoppedAt!;
    const loginCookie = browser.cookie(base, 'mianshen_login')!;
    expect((await browser.go(callback)).status).toBe(200);
    // The same callback again, login cookie and all.
    const replay = new Browser();
    replay.setCookie(base, 'mianshen_login', loginCookie);
    expect((await refused(replay, callback, 400, 'OIDC_LOGIN_INVALID')).message).toMatch(/already used/);
    // A fresh sign-in's state with the old code: the IdP refuses the code (used, and PKCE bound to another verifier).
    const fresh = new Browser();
    const freshCallback = (await signIn(fresh, who.a, true)).stoppedAt!;
    const crossed = new URL(callback);
    crossed.searchParams.set('state', freshCallback.searchParams.get('state')!);
    expect((await refused(fresh, crossed, 401, 'OIDC_SIGN_IN_REFUSED')).message).toMatch(/invalid_grant/);
  });

  it('a sign-in that comes back after the attempt expired', async () => {
    const browser = new Browser();
    const callback = (await signIn(browser, who.a, true)).stoppedAt!;
    clock.advance(11 * 60_000);
    expect((await refused(browser, callback, 400, 'OIDC_LOGIN_INVALID')).message).toMatch(/expired/);
  });

  for (const tamper of ['id-token-signature', 'id-token-claims', 'id-token-alg-none', 'wrong-nonce'] as const) {
    it(`an ID token tampered on the way (${tamper})`, async () => {
      const browser = new Browser();
      // The nonce is changed on the authorization request, the ID token on the token response.
      if (tamper === 'wrong-nonce') proxyState.tamper = tamper;
      const callback = (await signIn(browser, who.a, true)).stoppedAt!;
      proxyState.tamper = tamper;
      try {
        const { message } = await refused(browser, callback, 401, 'OIDC_SIGN_IN_REFUSED');
        expect(message).toMatch(tamper === 'wrong-nonce' ? /nonce/ : /signature|alg/i);
      } finally {
        proxyState.tamper = 'none';
      }
    });
  }

  it('a USCC no enterprise here has, a USCC with a wrong check character, an identity number with one', async () => {
    const unknown = new Browser();
    expect((await refused(unknown, (await signIn(unknown, who.unknownUscc, true)).stoppedAt!, 403, 'OIDC_SUBJECT_UNKNOWN')).message).not.toContain(who.unknownUscc);
    const badUscc = new Browser();
    expect((await refused(badUscc, (await signIn(badUscc, who.badChecksum, true)).stoppedAt!, 403, 'OIDC_CLAIM_INVALID')).message).toMatch(/校验码/);
    const badId = new Browser();
    const message = (await refused(badId, (await signIn(badId, who.badIdNumber, true)).stoppedAt!, 403, 'OIDC_CLAIM_INVALID')).message;
    expect(message).toMatch(/公民身份号码/);
    expect(message).not.toContain(who.badIdNumber);
  });

  it('a sign-in the user cancelled at the IdP (error=access_denied)', async () => {
    const browser = new Browser();
    const login = await browser.go(`${base}/api/portal/auth/login`, {}, (url) => url.pathname === '/auth');
    const state = login.stoppedAt!.searchParams.get('state')!;
    const cancelled = new URL(`${base}/api/portal/auth/callback`);
    cancelled.search = new URLSearchParams({ error: 'access_denied', error_description: 'End-User aborted interaction', state, iss: idp.url }).toString();
    expect((await refused(browser, cancelled, 401, 'OIDC_SIGN_IN_REFUSED')).message).toMatch(/access_denied/);
  });

  it('signing in at all when no identity provider is configured', async () => {
    const off = buildServer({ db, log: silentLog, clock, portalSecret: 'staff-secret-0123456789', accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
    for (const url of ['/api/portal/auth/login', '/api/portal/auth/callback?code=x&state=y']) {
      const reply = await off.inject({ url });
      expect(reply.statusCode).toBe(503);
      expect(reply.json()).toMatchObject({ code: 'PORTAL_SIGN_IN_DISABLED' });
    }
    expect((await off.inject({ url: '/api/portal/me' })).statusCode).toBe(401);
    await off.close();
  });
});

describe('portal sessions', () => {
  it('end after 30 minutes idle (401), and slide while used', async () => {
    const browser = await signedIn(who.a);
    clock.advance(29 * 60_000);
    expect((await get(browser, '/api/portal/me')).status).toBe(200);
    clock.advance(29 * 60_000);
    expect((await get(browser, '/api/portal/me')).status).toBe(200);
    clock.advance(31 * 60_000);
    const expired = await get(browser, '/api/portal/me');
    expect(expired.status).toBe(401);
    expect(json(expired)).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('end 8 hours after sign-in however busy they are', async () => {
    const browser = await signedIn(who.a);
    let elapsed = 0;
    while (elapsed + 25 < 8 * 60) {
      clock.advance(25 * 60_000);
      elapsed += 25;
      expect((await get(browser, '/api/portal/entitlements')).status, `after ${elapsed} min`).toBe(200);
    }
    clock.advance((8 * 60 - elapsed) * 60_000);
    expect((await get(browser, '/api/portal/entitlements')).status).toBe(401);
  });

  it('refuse a POST without the CSRF token, or with another session\'s; sign-out ends the session for good', async () => {
    const browser = await signedIn(who.a);
    const other = await signedIn(who.b);
    const stolen = browser.cookie(base, 'mianshen_portal')!;
    for (const csrf of [undefined, '', 'x'.repeat(43), other.cookie(base, 'mianshen_csrf')!]) {
      const reply = await post(browser, '/api/portal/auth/sign-out', csrf);
      expect(reply.status).toBe(403);
      expect(json(reply)).toMatchObject({ code: 'CSRF_TOKEN_INVALID' });
    }
    expect((await get(browser, '/api/portal/me')).status).toBe(200);
    const out = await post(browser, '/api/portal/auth/sign-out', browser.cookie(base, 'mianshen_csrf'));
    expect(out.status).toBe(200);
    expect(browser.cookie(base, 'mianshen_portal')).toBeUndefined();
    // The old cookie, kept by someone, is dead.
    const thief = new Browser();
    thief.setCookie(base, 'mianshen_portal', stolen);
    expect((await get(thief, '/api/portal/me')).status).toBe(401);
    expect((await get(other, '/api/portal/me')).status).toBe(200);
    const [audit] = await db.sql<{ actor: string }[]>`select actor from audit_log where action = 'portal.signed-out' order by seq desc limit 1`;
    expect(audit?.actor).toBe(`enterprise:${who.a}`);
  });

  it('serve only enterprises and citizens: the portal service refuses a staff actor of any role', async () => {
    const service = portalService(db);
    for (const role of ['auditor', 'administrator', 'finance_officer'] as const) {
      const staff = { kind: 'staff' as const, accountId: 1, roles: [role] };
      for (const read of [() => service.entitlements(staff), () => service.entitlement(staff, who.aOwn.pointId, who.aOwn.period), () => service.payments(staff)]) {
        await expect(read()).rejects.toMatchObject({ code: 'FORBIDDEN' });
      }
    }
  });

  it('do not take a staff session cookie, and the audit chain still verifies', async () => {
    const staff = await signedInHeaders(app, db, ['policy_staff']);
    const reply = await fetch(`${base}/api/portal/entitlements`, { headers: { cookie: staff.headers.cookie } });
    expect(reply.status).toBe(401);
    expect((await verifyAuditChain(db.sql)).ok).toBe(true);
  });
});
