// Any single field of any one entry changed in SQL is caught, and the entry named: 200 seeded random
// tamperings over a 200-entry trail (half of it hashed with SHA-256, half with SM3), each restored after.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit, setAuditHashAlgorithm, verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const clock = fixedClock('2024-06-15T00:00:00.000Z');
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  for (let i = 1; i <= 200; i++) {
    setAuditHashAlgorithm(i <= 100 ? 'sha256' : 'sm3');
    await db.orm.transaction((tx) => appendAudit(tx, clock, { actor: `staff:${i % 7}`, action: `act.${i % 5}`, entityType: 'thing', entityId: String(i), payload: { i, fen: String(i * 123) } }));
  }
  setAuditHashAlgorithm('sm3');
});
afterAll(async () => {
  await db?.drop();
});

// mulberry32: a small seeded PRNG, so a failure names a reproducible iteration.
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Each tampering changes one column of one row; the row's seq (its key and place in the chain) is kept.
const TAMPERINGS: Record<string, string> = {
  at: `at = at + interval '1 millisecond'`,
  actor: `actor = actor || 'x'`,
  action: `action = 'batch.approved'`,
  entity_type: `entity_type = 'other'`,
  entity_id: `entity_id = entity_id || '0'`,
  payload: `payload = payload || '{"fen":"1"}'::jsonb`,
  prev_hash: `prev_hash = md5(prev_hash) || md5(hash)`,
  hash: `hash = md5(hash) || md5(prev_hash)`,
  hash_alg: `hash_alg = case hash_alg when 'sm3' then 'sha256' else 'sm3' end`,
};

describe('random single-field tampering', () => {
  it('is detected and names the tampered entry every time (200 tries, seed 20240615)', async () => {
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 200 });
    const random = prng(20240615);
    const fields = Object.keys(TAMPERINGS);
    const seen = new Set<string>();
    await db.sql.unsafe('alter table audit_log disable trigger user');
    try {
      for (let n = 0; n < 200; n++) {
        const seq = 1 + Math.floor(random() * 200);
        const field = fields[Math.floor(random() * fields.length)]!;
        seen.add(field);
        const [original] = await db.sql`select * from audit_log where seq = ${seq}`;
        await db.sql.unsafe(`update audit_log set ${TAMPERINGS[field]} where seq = $1`, [seq]);
        const result = await verifyAuditChain(db.sql);
        expect({ n, field, ok: result.ok, seq: result.problem?.seq }).toEqual({ n, field, ok: false, seq });
        await db.sql`update audit_log set ${db.sql(original!, 'at', 'actor', 'action', 'entity_type', 'entity_id', 'payload', 'prev_hash', 'hash', 'hash_alg')} where seq = ${seq}`;
      }
    } finally {
      await db.sql.unsafe('alter table audit_log enable trigger user');
    }
    expect([...seen].sort()).toEqual(fields.sort());
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: 200 });
  }, 120_000);
});
