// Any single field of any one entry changed in SQL is caught, and the entry named: 1,000 seeded random
// tamperings over a 1,000-entry trail, every entry tampered once (half of it hashed with SHA-256, half with SM3), each carried out
// as a superuser would (trigger disabled) and restored after. The trail is built with one bulk INSERT
// of rows chained exactly as appendAudit chains them (and first shown to verify), so the suite stays fast.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, hashAuditRow, verifyAuditChain, type AuditHashAlgorithm } from '../src/audit/audit-trail.ts';
import { canonicalJson } from '../src/audit/canonical-json.ts';
import type { Sql } from '../src/db/clients.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const ENTRIES = 1000;
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  const rows = [];
  let prevHash = GENESIS_HASH;
  for (let seq = 1; seq <= ENTRIES; seq++) {
    const algorithm: AuditHashAlgorithm = seq <= ENTRIES / 2 ? 'sha256' : 'sm3';
    const row = { seq, at: new Date(Date.UTC(2024, 5, 15, 0, 0, 0, seq)), actor: `staff:${seq % 7}`, action: `act.${seq % 5}`, entityType: 'thing', entityId: String(seq), payload: { i: seq, fen: String(seq * 123), subjectKey: `9144030000000${String(seq).padStart(5, '0')}` }, prevHash };
    const hash = hashAuditRow(row, algorithm);
    rows.push({ seq, at: row.at, actor: row.actor, action: row.action, entity_type: row.entityType, entity_id: row.entityId, payload: canonicalJson(row.payload), prev_hash: prevHash, hash, hash_alg: algorithm });
    prevHash = hash;
  }
  for (let i = 0; i < rows.length; i += 500) {
    const chunk = rows.slice(i, i + 500);
    await db.sql`insert into audit_log (seq, at, actor, action, entity_type, entity_id, payload, prev_hash, hash, hash_alg)
      select * from unnest(${chunk.map((r) => r.seq)}::bigint[], ${chunk.map((r) => r.at.toISOString())}::timestamptz[], ${chunk.map((r) => r.actor)}::text[], ${chunk.map((r) => r.action)}::text[],
        ${chunk.map((r) => r.entity_type)}::text[], ${chunk.map((r) => r.entity_id)}::text[], ${chunk.map((r) => r.payload)}::text[]::jsonb[], ${chunk.map((r) => r.prev_hash)}::text[], ${chunk.map((r) => r.hash)}::text[], ${chunk.map((r) => r.hash_alg)}::text[])`;
  }
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

class Rollback extends Error {}

describe('random single-field tampering', () => {
  it('is detected and names the tampered entry every time: each of the 1,000 entries once, a random field each (seed 20240615)', async () => {
    const before = await verifyAuditChain(db.sql);
    expect(before).toMatchObject({ ok: true, rows: ENTRIES });
    const random = prng(20240615);
    const fields = Object.keys(TAMPERINGS);
    const seen = new Set<string>();
    // Every entry once, in a seeded random order (Fisher-Yates).
    const order = Array.from({ length: ENTRIES }, (_, i) => i + 1);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    await db.sql.unsafe('alter table audit_log disable trigger user');
    try {
      for (const [n, seq] of order.entries()) {
        const field = fields[Math.floor(random() * fields.length)]!;
        seen.add(field);
        // Tamper, verify the whole trail on the same session (it sees the change), roll the change back.
        const result = await db.sql
          .begin(async (tx) => {
            const changed = await tx.unsafe(`update audit_log set ${TAMPERINGS[field]} where seq = $1`, [seq]);
            expect(changed.count).toBe(1);
            const verified = await verifyAuditChain(tx as unknown as Sql);
            throw Object.assign(new Rollback(), { verified });
          })
          .catch((error: unknown) => {
            if (error instanceof Rollback) return (error as Rollback & { verified: Awaited<ReturnType<typeof verifyAuditChain>> }).verified;
            throw error;
          });
        expect({ n, field, ok: result.ok, seq: result.problem?.seq }).toEqual({ n, field, ok: false, seq });
      }
    } finally {
      await db.sql.unsafe('alter table audit_log enable trigger user');
    }
    expect([...seen].sort()).toEqual(fields.sort());
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, rows: ENTRIES });
  }, 240_000);
});
