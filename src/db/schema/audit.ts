// The audit trail: append-only, each row chained to the previous one by a hash (SM3 or SHA-256, the
// algorithm recorded in the row), and the signed checkpoints that pin the chain's head from outside.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

export const auditLog = pgTable('audit_log', {
  seq: bigint('seq', { mode: 'number' }).primaryKey(),
  at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
  actor: text('actor').notNull(),
  action: text('action').notNull(),
  entityType: text('entity_type').notNull(),
  entityId: text('entity_id').notNull(),
  payload: jsonb('payload').notNull(),
  prevHash: text('prev_hash').notNull(),
  hash: text('hash').notNull(),
  // Rows written before SM3 became the default were hashed with SHA-256; the default keeps them verifying.
  hashAlg: text('hash_alg').notNull().default('sha256'),
}, (t) => [
  // History (src/audit/history.ts): the entries about one entity, one subject, one payout batch. A
  // subject or batch is named inside the hashed payload (payload.subjectKey, payload.batchId), so the
  // keys cannot be changed without the chain showing it; these indexes make the look-ups cheap.
  index('audit_log_entity_idx').on(t.entityType, t.entityId, t.seq),
  index('audit_log_subject_idx').on(sql`(${t.payload}->>'subjectKey')`, t.seq).where(sql`${t.payload} ? 'subjectKey'`),
  index('audit_log_batch_idx').on(sql`(${t.payload}->>'batchId')`, t.seq).where(sql`${t.payload} ? 'batchId'`),
]);

export const auditCheckpoints = pgTable('audit_checkpoints', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  seq: bigint('seq', { mode: 'number' }).notNull(),
  headHash: text('head_hash').notNull(),
  count: bigint('count', { mode: 'number' }).notNull(),
  at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
  hashAlg: text('hash_alg').notNull(),
  signature: text('signature').notNull(),
  publicKey: text('public_key').notNull(),
});
