// Every error the HTTP layer answers with comes from the catalogue: a stable code, the status the
// catalogue gives it, a Chinese text for the user, a request id, and never a stack trace. Bad input of
// any shape is a 4xx naming what is wrong, not a 500.
import { connect as connectSocket } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { ErrorCodes } from '../src/errors.ts';
import { buildServer } from '../src/http/server.ts';
import { portalSessionHeaders, portalSignInOff } from './support/portal.ts';
import { createLogger } from '../src/logger.ts';
import { publishLibrary, readLibraryFiles, type LibraryFile } from '../src/policies/library-registry.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { anyString, stringContaining, stringMatching } from './support/expect.ts';
import { createStaff, signedInHeaders } from './support/staff.ts';
import { accountsOf } from '../src/identity/account-service.ts';

const SECRET = 'http-errors-secret-0123456789';
const clock = fixedClock('2024-06-15T02:00:00.000Z');
const logged: Record<string, unknown>[] = [];
const log = createLogger(
  'error',
  new Writable({
    write(chunk, _encoding, done) {
      logged.push(JSON.parse(String(chunk)) as Record<string, unknown>);
      done();
    },
  }),
);
let db: TestDatabase;
let app: ReturnType<typeof buildServer>;
let files: LibraryFile[];
// Headers of signed-in staff sessions (cookie + CSRF token), made in beforeAll.
let staff: Record<string, string>;
let approver: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  files = await readLibraryFiles(POLICIES_DIR);
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), files);
  app = buildServer({ db, log, clock, portalSecret: SECRET, accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
  // A handler with a fault of ours, to see what a client is told about it.
  app.get('/test/fault', () => {
    throw new TypeError("Cannot read properties of undefined (reading 'secretColumn')");
  });
  staff = (await signedInHeaders(app, db, ['policy_staff'])).headers;
  approver = (await signedInHeaders(app, db, ['finance_approver'])).headers;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

/** The body of an error reply, checked for the shape every error has. */
function errorBody(response: { statusCode: number; body: string; headers: Record<string, unknown> }, status: number, code: keyof typeof ErrorCodes) {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/json/);
  const body = JSON.parse(response.body) as Record<string, unknown>;
  expect(body).toMatchObject({ code, message: anyString(), messageZh: stringMatching(/[\u4e00-\u9fff]/), requestId: anyString() });
  expect(Object.keys(body).filter((k) => !['code', 'message', 'messageZh', 'requestId', 'fields'].includes(k))).toEqual([]);
  expect(response.body).not.toMatch(/\bat .+:\d+:\d+|stack|node_modules|\.ts:\d+/);
  return body as { code: string; message: string; messageZh: string; requestId: string; fields?: string[] };
}

const whatIf = (payload: unknown, headers: Record<string, string> = staff) => app.inject({ method: 'POST', url: '/api/staff/what-if', headers, payload: payload as object });

describe('HTTP errors: authentication', () => {
  it('answers a staff route without a session 401 UNAUTHENTICATED, and with a forged session cookie too', async () => {
    errorBody(await app.inject({ url: '/api/staff/runs/1' }), 401, 'UNAUTHENTICATED');
    errorBody(await app.inject({ url: '/api/staff/runs/1', headers: { cookie: 'mianshen_staff=forged-session-token' } }), 401, 'UNAUTHENTICATED');
  });

  it('does not take a portal session for a staff session, nor a staff session for a portal session', async () => {
    const portal = await portalSessionHeaders(db.orm, clock, { kind: 'subject', role: 'enterprise', subjectKey: '91440300MA5FXXXX0X' });
    errorBody(await app.inject({ url: '/api/staff/runs/1', headers: portal }), 401, 'UNAUTHENTICATED');
    errorBody(await app.inject({ url: '/api/portal/entitlements', headers: staff }), 401, 'UNAUTHENTICATED');
  });
});

describe('HTTP errors: bad input is 400 naming the field', () => {
  it('refuses what-if for month 13 with 400, naming the period, instead of failing inside the rules', async () => {
    const body = errorBody(await whatIf({ pointId: 'wengang-fanhuan-2024', period: '2024-13', draftFiles: [{ file: files[0]!.file, text: files[0]!.text }] }), 400, 'BAD_REQUEST');
    expect(body.fields).toEqual(['period']);
    expect(body.message).toContain("invalid month '2024-13'");
    expect(body.messageZh).toContain('period');
  });

  it('names every missing or mistyped field of a what-if body', async () => {
    const body = errorBody(await whatIf({ period: 2024, draftFiles: [] }), 400, 'BAD_REQUEST');
    expect(body.fields).toEqual(expect.arrayContaining(['pointId', 'period', 'draftFiles']));
  });

  it('refuses a body that is not JSON, or empty JSON, with 400 naming the body', async () => {
    const malformed = errorBody(await app.inject({ method: 'POST', url: '/api/staff/what-if', headers: { ...staff, 'content-type': 'application/json' }, payload: '{"pointId": ' }), 400, 'BAD_REQUEST');
    expect(malformed.fields).toEqual(['(body)']);
    errorBody(await app.inject({ method: 'POST', url: '/api/staff/what-if', headers: { ...staff, 'content-type': 'application/json' }, payload: '' }), 400, 'BAD_REQUEST');
  });

  it('refuses a body that is not JSON at all with 415', async () => {
    errorBody(await app.inject({ method: 'POST', url: '/api/staff/what-if', headers: { ...staff, 'content-type': 'application/xml' }, payload: '<whatIf/>' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses run ids that are not numbers, or beyond what the database holds, with 400', async () => {
    expect(errorBody(await app.inject({ url: '/api/staff/runs/abc', headers: staff }), 400, 'BAD_REQUEST').fields).toEqual(['id']);
    expect(errorBody(await app.inject({ url: '/api/staff/runs/99999999999', headers: staff }), 400, 'BAD_REQUEST').fields).toEqual(['id']);
    expect(errorBody(await app.inject({ url: '/api/staff/runs/1/changes?limit=abc', headers: staff }), 400, 'BAD_REQUEST').fields).toEqual(['limit']);
  });

  it('refuses a URL with broken percent-encoding with 400', async () => {
    errorBody(await app.inject({ url: '/api/staff/runs/%E0%A4%A' }), 400, 'BAD_REQUEST');
  });

  it('answers a request that is not HTTP at all with a catalogue 400', async () => {
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connectSocket(port, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => (text += String(d)));
      socket.on('close', () => resolve(text));
      socket.on('error', reject);
      socket.write('NOT HTTP AT ALL\r\n\r\n');
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'BAD_REQUEST', messageZh: ErrorCodes.BAD_REQUEST.zh });
  });
});

describe('HTTP errors: not found', () => {
  it('answers an unknown route 404 NOT_FOUND', async () => {
    errorBody(await app.inject({ url: '/api/nothing-here' }), 404, 'NOT_FOUND');
    errorBody(await app.inject({ method: 'DELETE', url: '/api/staff/runs/1', headers: staff }), 404, 'NOT_FOUND');
  });

  it('answers an unknown point 404 POLICY_NOT_FOUND and an unknown run 404 RUN_NOT_FOUND', async () => {
    const point = errorBody(await whatIf({ pointId: 'no-such-point', period: '2024', draftFiles: [{ file: files[0]!.file, text: files[0]!.text }] }), 404, 'POLICY_NOT_FOUND');
    expect(point.message).toContain('no-such-point');
    errorBody(await app.inject({ url: '/api/staff/runs/424242', headers: staff }), 404, 'RUN_NOT_FOUND');
    errorBody(await app.inject({ method: 'POST', url: '/api/staff/batches/424242/approve', headers: approver }), 404, 'BATCH_NOT_FOUND');
  });
});

describe('HTTP errors: our faults', () => {
  it('answers 500 INTERNAL with a generic text and the request id, and logs the error under that id', async () => {
    logged.length = 0;
    const response = await app.inject({ url: '/test/fault' });
    const body = errorBody(response, 500, 'INTERNAL');
    expect(response.body).not.toContain('secretColumn');
    expect(body.messageZh).toContain(body.requestId);
    const entry = logged.find((l) => l.reqId === body.requestId);
    expect(entry).toMatchObject({ level: 50, err: { type: 'TypeError', message: stringContaining('secretColumn'), stack: anyString() } });
  });
});

describe('error catalogue', () => {
  it('gives every code a Chinese text that says what to do', () => {
    for (const [code, { zh }] of Object.entries(ErrorCodes)) {
      expect(zh, code).toMatch(/[\u4e00-\u9fff]/);
      expect(zh, code).toMatch(/请/);
    }
  });
});
