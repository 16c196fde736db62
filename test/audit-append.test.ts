// One audit append for both clients: entries written through drizzle and through raw postgres.js
// transactions form one chain that verifies, and an entry rolls back with the change it records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, appendAuditSql, verifyAuditChain } from '../src/audit/audit-trail.ts';
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

describe('audit append', () => {
  it('chains entries from drizzle and postgres.js transactions into one trail that verifies, past seq 9', async () => {
    for (let i = 0; i < 12; i++) {
      const event = { actor: 't', action: `test.${i}`, entityType: 'test', entityId: String(i), payload: { i, fen: BigInt(i) * 100n } };
      if (i % 2 === 0) await db.orm.transaction((tx) => appendAudit(tx, clock, event));
      else await db.sql.begin((tx) => appendAuditSql(tx, clock, event));
    }
    const rows = await db.sql<{ seq: number; action: string; payload: unknown }[]>`select seq::int as seq, action, payload from audit_log order by seq`;
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(rows[11]).toMatchObject({ action: 'test.11', payload: { i: 11, fen: '1100' } });
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 12, headSeq: 12 });
  });

  it('writes nothing when the transaction that records the change rolls back', async () => {
    const before = (await verifyAuditChain(db.sql)).headSeq;
    await expect(
      db.sql.begin(async (tx) => {
        await appendAudit(tx, clock, { actor: 't', action: 'test.rolled-back', entityType: 'test', entityId: 'x' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect((await verifyAuditChain(db.sql)).headSeq).toBe(before);
  });

  it('refuses a payload with a non-finite number instead of recording null', async () => {
    await expect(db.orm.transaction((tx) => appendAudit(tx, clock, { actor: 't', action: 'test.nan', entityType: 'test', entityId: 'x', payload: { rate: Number.NaN } }))).rejects.toMatchObject({ code: 'AUDIT_PAYLOAD_INVALID' });
  });
});
