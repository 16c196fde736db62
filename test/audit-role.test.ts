// The application's database role (mianshen_app) may append to and read the audit trail, and nothing
// more: updating, deleting, truncating and disabling the append-only trigger are refused by PostgreSQL
// itself, before any trigger runs. The application does not connect as this role yet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const clock = fixedClock('2024-06-15T00:00:00.000Z');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

/** Runs one statement as mianshen_app (SET LOCAL ROLE in its own transaction). */
const asApp = (statement: string) =>
  db.sql.begin(async (tx) => {
    await tx`set local role mianshen_app`;
    return tx.unsafe(statement);
  });

describe('the mianshen_app role on the audit trail', () => {
  it('appends and reads entries', async () => {
    await db.sql.begin(async (tx) => {
      await tx`set local role mianshen_app`;
      await appendAudit(tx, clock, { actor: 't', action: 'test.as-app', entityType: 'test', entityId: '1' });
    });
    expect(await asApp('select count(*)::int as n from audit_log')).toEqual([{ n: 1 }]);
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 1 });
  });

  it.each([
    ['UPDATE', `update audit_log set actor = 'x'`, /permission denied for table audit_log/],
    ['DELETE', 'delete from audit_log', /permission denied for table audit_log/],
    ['TRUNCATE', 'truncate audit_log', /permission denied for table audit_log/],
    ['ALTER TABLE … DISABLE TRIGGER', 'alter table audit_log disable trigger user', /must be owner of table audit_log/],
    ['TRUNCATE of the checkpoints', 'truncate audit_checkpoints', /permission denied for table audit_checkpoints/],
  ])('is refused %s', async (_name, statement, error) => {
    await expect(asApp(statement)).rejects.toThrow(error);
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 1 });
  });
});
