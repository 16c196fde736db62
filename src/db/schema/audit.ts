// The audit trail: append-only, each row chained to the previous one by a hash (SM3 or SHA-256, the
// algorithm recorded in the row), and the signed checkpoints that pin the chain's head from outside.
import { bigint, bigserial, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

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
});

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
