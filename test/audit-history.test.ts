// Per-subject and per-batch history: every audit entry that names a subject (payload.subjectKey, or a
// subject entity) or a payout batch (the batch entity, or payload.batchId), oldest first, paged;
// through the service, the staff route and the CLI. Entries about other subjects or batches, and
// look-alike keys, are never included.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, type AuditEvent } from '../src/audit/audit-trail.ts';
import { auditHistory, readAuditHistory } from '../src/audit/history.ts';
import { fixedClock } from '../src/clock.ts';
import { hash } from '@node-rs/argon2';
import { accountRepository } from '../src/identity/account-repository.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { signedInHeaders } from './support/staff.ts';
import { buildServer } from '../src/http/server.ts';
import { STAFF_ROLES, type StaffActor } from '../src/identity/permissions.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { portalSignInOff } from './support/portal.ts';
import { stringMatching } from './support/expect.ts';

const clock = fixedClock('2024-06-15T00:00:00.000Z');
const A = '91440300MA5F00001A';
const B = '91440300MA5F00002B';
let db: TestDatabase;
let dataDir: string;

const events: AuditEvent[] = [
  { actor: 'account:3', action: 'batch.prepared', entityType: 'payout_batch', entityId: '7', payload: { pointId: 'p', period: '2024', paymentCount: 2 } },
  { actor: 'account:4', action: 'batch.approved', entityType: 'payout_batch', entityId: '7', payload: {} },
  { actor: 'account:3', action: 'batch.prepared', entityType: 'payout_batch', entityId: '70', payload: {} },
  { actor: 'account:3', action: 'batch.sent', entityType: 'payout_batch', entityId: '7', payload: { sent: 2 } },
  { actor: 'system:bank', action: 'payment.paid', entityType: 'payment', entityId: `p/2024/${A}`, payload: { batchId: 7, subjectKey: A, amountFen: '100' } },
  { actor: 'system:bank', action: 'payment.failed', entityType: 'payment', entityId: `p/2024/${B}`, payload: { batchId: 7, subjectKey: B, amountFen: '200' } },
  { actor: 'enterprise:x', action: 'entry.confirmed', entityType: 'enterprise', entityId: A, payload: {} },
  // Look-alikes: another batch whose id starts with 7, a subject key inside another field.
  { actor: 'system:bank', action: 'payment.paid', entityType: 'payment', entityId: `p/2024/${B}`, payload: { batchId: 70, subjectKey: B, note: A } },
  { actor: 'system:bank', action: 'batch.reconciled', entityType: 'payout_batch', entityId: '7', payload: {} },
];

beforeAll(async () => {
  db = await createTestDatabase();
  for (const event of events) await db.orm.transaction((tx) => appendAudit(tx, clock, event));
  dataDir = mkdtempSync(join(tmpdir(), 'mianshen-history-'));
});
afterAll(async () => {
  await db?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('audit history', () => {
  it("of a subject: its payments and its own entries, in chain order, and nothing that merely mentions it", async () => {
    const history = await auditHistory(db, { subject: A });
    expect(history.entries.map((e) => [e.seq, e.action, e.entityId])).toEqual([
      ['5', 'payment.paid', `p/2024/${A}`],
      ['7', 'entry.confirmed', A],
    ]);
    expect(history).toMatchObject({ of: { subject: A }, nextAfter: null });
    expect((await auditHistory(db, { subject: B })).entries.map((e) => e.seq)).toEqual(['6', '8']);
    expect((await auditHistory(db, { subject: '91440300MA5F0000' })).entries).toEqual([]);
  });

  it('of a batch: every step and every payment of that batch in order, not those of batch 70', async () => {
    const history = await auditHistory(db, { batch: '7' });
    expect(history.entries.map((e) => `${e.seq} ${e.action}`)).toEqual(['1 batch.prepared', '2 batch.approved', '4 batch.sent', '5 payment.paid', '6 payment.failed', '9 batch.reconciled']);
    expect(history.entries[0]).toMatchObject({ actor: 'account:3', at: '2024-06-15T00:00:00.000Z', hash: stringMatching(/^[0-9a-f]{64}$/) });
    expect((await auditHistory(db, { batch: '70' })).entries.map((e) => e.seq)).toEqual(['3', '8']);
  });

  it('pages with limit and after', async () => {
    const first = await auditHistory(db, { batch: '7', limit: 4 });
    expect(first.entries.map((e) => e.seq)).toEqual(['1', '2', '4', '5']);
    expect(first.nextAfter).toBe('5');
    const second = await auditHistory(db, { batch: '7', limit: 4, after: first.nextAfter! });
    expect(second.entries.map((e) => e.seq)).toEqual(['6', '9']);
    expect(second.nextAfter).toBeNull();
  });

  it.each([
    [{}, 'subject'],
    [{ subject: A, batch: '7' }, 'subject'],
    [{ batch: '7x' }, 'batch'],
    [{ batch: '0' }, 'batch'],
    [{ subject: A, limit: 0 }, 'limit'],
    [{ subject: A, after: '-1' }, 'after'],
  ])('refuses the query %j naming %s', async (query, field) => {
    await expect(auditHistory(db, query)).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { fields: [field] } });
  });

  it('needs audit.read: auditors and administrators read it, every other staff role is refused', async () => {
    for (const role of STAFF_ROLES) {
      const actor: StaffActor = { kind: 'staff', accountId: 1, roles: [role] };
      if (role === 'auditor' || role === 'administrator') expect((await readAuditHistory(db, actor, { batch: '7' })).entries).toHaveLength(6);
      else await expect(readAuditHistory(db, actor, { batch: '7' }), role).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    await expect(readAuditHistory(db, { kind: 'subject', role: 'enterprise', subjectKey: A }, { subject: A })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('is served at GET /api/staff/audit/history to signed-in staff, and refused without sign-in', async () => {
    const secret = 's'.repeat(32);
    const server = buildServer({ db, log: silentLog, clock, portalSecret: secret, accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
    try {
      const { headers } = await signedInHeaders(server, db, ['auditor']);
      const ok = await server.inject({ method: 'GET', url: `/api/staff/audit/history?subject=${A}`, headers });
      expect(ok.statusCode).toBe(200);
      expect(ok.json<{ entries: { seq: string }[] }>().entries.map((e) => e.seq)).toEqual(['5', '7']);
      const bad = await server.inject({ method: 'GET', url: '/api/staff/audit/history?batch=x', headers });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'BAD_REQUEST', fields: ['batch'] });
      expect((await server.inject({ method: 'GET', url: `/api/staff/audit/history?subject=${A}` })).statusCode).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('is printed by cli audit history --batch, and a bad argument exits 2 naming it', async () => {
    const run = (argv: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['src/cli/index.ts', ...argv], { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', DATA_DIR: dataDir, MIANSHEN_PASSWORD: 'cli auditor password' } }, (error, stdout, stderr) => {
          resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
        });
      });
    await accountRepository(db.orm).insert({ login: 't.cli.auditor', displayName: '审计', passwordHash: await hash('cli auditor password'), roles: ['auditor'], createdAt: new Date('2024-01-01T00:00:00Z'), createdBy: null });
    const printed = await run(['audit', 'history', '--batch', '7', '--as', 't.cli.auditor']);
    expect(printed.code).toBe(0);
    expect(printed.stdout.split('\n')[0]).toBe('audit history of payout batch 7: 6 entries');
    expect(printed.stdout).toContain(`#5 2024-06-15T00:00:00.000Z system:bank payment.paid payment:p/2024/${A}`);
    const bad = await run(['audit', 'history', '--batch', '7', '--subject', A]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('give exactly one of --subject KEY or --batch ID');
  }, 60_000);
});
