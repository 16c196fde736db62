// The audit hash: SM3 (GB/T 32905) for new entries by default, SHA-256 when configured, and each entry
// verified with the algorithm it records, so a trail begun under SHA-256 keeps verifying after the switch.
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, hashAuditRow, setAuditHashAlgorithm, verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const clock = fixedClock('2024-06-15T00:00:00.000Z');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});
afterEach(() => setAuditHashAlgorithm('sm3'));

const event = (i: number) => ({ actor: 't', action: `test.${i}`, entityType: 'test', entityId: String(i), payload: { i } });

describe('audit hash algorithm', () => {
  it('computes SM3 as GB/T 32905 specifies (the standard\'s "abc" vector)', () => {
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
  });

  it('defaults to sm3 and accepts AUDIT_HASH=sha256, refusing any other name', () => {
    expect(loadConfig({}).AUDIT_HASH).toBe('sm3');
    expect(loadConfig({ AUDIT_HASH: 'sha256' }).AUDIT_HASH).toBe('sha256');
    expect(() => loadConfig({ AUDIT_HASH: 'md5' })).toThrow(/AUDIT_HASH/);
  });

  it('verifies a trail begun with sha256 and continued with sm3, each row by its recorded algorithm', async () => {
    setAuditHashAlgorithm('sha256');
    for (let i = 0; i < 3; i++) await db.orm.transaction((tx) => appendAudit(tx, clock, event(i)));
    setAuditHashAlgorithm('sm3');
    for (let i = 3; i < 6; i++) await db.sql.begin((tx) => appendAudit(tx, clock, event(i)));
    const rows = await db.sql<{ hash_alg: string }[]>`select hash_alg from audit_log order by seq`;
    expect(rows.map((r) => r.hash_alg)).toEqual(['sha256', 'sha256', 'sha256', 'sm3', 'sm3', 'sm3']);
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 6, headSeq: 6 });
  });

  it('names the row whose recorded algorithm was changed, since its hash no longer matches', async () => {
    await db.sql.unsafe('alter table audit_log disable trigger user');
    try {
      await db.sql`update audit_log set hash_alg = 'sha256' where seq = 5`;
      expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: false, problem: { seq: 5, reason: 'content-altered' } });
      await db.sql`update audit_log set hash_alg = 'md5' where seq = 5`;
      expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: false, problem: { seq: 5, reason: 'unknown-algorithm' } });
      await db.sql`update audit_log set hash_alg = 'sm3' where seq = 5`;
      expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 6 });
    } finally {
      await db.sql.unsafe('alter table audit_log enable trigger user');
    }
  });

  it('verifies a row written as before the migration (no hash_alg given: the default, sha256)', async () => {
    const [head] = await db.sql<{ hash: string }[]>`select hash from audit_log where seq = 6`;
    const row = { seq: 7, at: new Date('2024-06-15T00:00:00.000Z'), actor: 't', action: 'old', entityType: 'test', entityId: '7', payload: {}, prevHash: head!.hash };
    await db.sql`insert into audit_log (seq, at, actor, action, entity_type, entity_id, payload, prev_hash, hash)
      values (7, ${row.at}, 't', 'old', 'test', '7', '{}'::jsonb, ${row.prevHash}, ${hashAuditRow(row, 'sha256')})`;
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 7 });
  });
});
