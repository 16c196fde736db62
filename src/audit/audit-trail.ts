// Appending to and verifying the hash-chained audit trail. An entry is written in the same transaction
// as the change it records: callers pass their transaction, so both commit or neither does.
// Each entry records the algorithm it was hashed with (SM3, GB/T 32905, by default; SHA-256 for the rows
// written before, or when configured), and verification re-hashes each row with its own algorithm.
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type postgres from 'postgres';
import { rowBatches, type Sql, type Tx } from '../db/clients.ts';
import { canonicalJson, toJson, type Json } from './canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);
// Appends are serialised so that each row's prev_hash is the hash of the row just before it.
const AUDIT_LOCK_KEY = 0x6d_69_61_6e; // "mian"

const AUDIT_HASH_ALGORITHMS = ['sm3', 'sha256'] as const;
export type AuditHashAlgorithm = (typeof AUDIT_HASH_ALGORITHMS)[number];

// A module-level setting rather than a parameter: appendAudit has dozens of callers across every
// service, and threading the algorithm through each (or through every Clock) would touch all of them
// for a value that is fixed per process. The composition root (src/app.ts) sets it once from config;
// until then, and in tests that do not set it, new entries use SM3.
let appendAlgorithm: AuditHashAlgorithm = 'sm3';

/** Sets the algorithm new entries are hashed with; called once at startup from config (AUDIT_HASH). */
export function setAuditHashAlgorithm(algorithm: AuditHashAlgorithm): void {
  appendAlgorithm = algorithm;
}

export interface AuditEvent {
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  payload?: Record<string, unknown>;
}

interface ChainedRow {
  seq: number;
  at: Date;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  payload: Json;
  prevHash: string;
}

export function hashAuditRow(row: ChainedRow, algorithm: AuditHashAlgorithm): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    payload: row.payload,
  });
  return createHash(algorithm).update(row.prevHash).update('\n').update(body).digest('hex');
}

/** A transaction of either client: drizzle's (`Tx`) or a raw postgres.js one (bulk paths). */
export type AuditTx = Tx | postgres.TransactionSql;

type Query = (strings: TemplateStringsArray, ...values: string[]) => Promise<readonly Record<string, unknown>[]>;

// The only thing the two clients differ in: how a tagged-template query with bound values is run.
// Every value is bound as text and cast in SQL (`$n::text::jsonb`), so both clients send the same
// statement and neither client's serializers touch a value: postgres.js would JSON-encode a string
// bound to a jsonb parameter a second time, drizzle's client passes it through.
function queryOn(tx: AuditTx): Query {
  if (typeof tx === 'function') return (strings, ...values) => tx(strings, ...values);
  return (strings, ...values) => tx.execute(sql(strings, ...values));
}

/**
 * Appends one entry in the caller's transaction (drizzle or postgres.js), chained to the entry before
 * it. The advisory lock serialises appends, so each prev_hash is the hash of the row just before.
 */
export async function appendAudit(tx: AuditTx, clock: Clock, event: AuditEvent): Promise<{ seq: number; hash: string }> {
  const query = queryOn(tx);
  await query`select pg_advisory_xact_lock(${String(AUDIT_LOCK_KEY)}::text::bigint)`;
  const [last] = await query`select seq::text as last_seq, hash from audit_log order by seq desc limit 1`;
  const row: ChainedRow = {
    seq: (last ? Number(last.last_seq) : 0) + 1,
    at: clock.now(),
    actor: event.actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    payload: toJson(event.payload ?? {}),
    prevHash: last ? String(last.hash) : GENESIS_HASH,
  };
  const algorithm = appendAlgorithm;
  const hash = hashAuditRow(row, algorithm);
  await query`insert into audit_log (seq, at, actor, action, entity_type, entity_id, payload, prev_hash, hash, hash_alg)
    values (${String(row.seq)}::text::bigint, ${row.at.toISOString()}::text::timestamptz, ${row.actor}::text, ${row.action}::text, ${row.entityType}::text, ${row.entityId}::text, ${canonicalJson(row.payload)}::text::jsonb, ${row.prevHash}::text, ${hash}::text, ${algorithm}::text)`;
  return { seq: row.seq, hash };
}

/** The same append; the name is kept for the callers on the raw postgres.js client. @alias */
export const appendAuditSql: (tx: postgres.TransactionSql, clock: Clock, event: AuditEvent) => Promise<{ seq: number; hash: string }> = appendAudit;

interface ChainProblem {
  seq: number;
  reason: 'content-altered' | 'link-broken' | 'sequence-gap' | 'unknown-algorithm';
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  rows: number;
  headSeq: number;
  headHash: string;
  problem?: ChainProblem;
}

/** A verified point of the chain to continue from: entry `seq` had `hash` (0 and GENESIS_HASH: the start). */
export interface ChainAnchor {
  seq: number;
  hash: string;
}

/**
 * Re-hashes the trail in order, streaming it, and names the first row that does not verify. With an
 * anchor (an entry already verified and signed), only the entries after it are re-hashed, the first
 * of them linked to the anchor's hash; `rows` then counts the anchor's entries too.
 */
export async function verifyAuditChain(sqlClient: Sql, anchor: ChainAnchor = { seq: 0, hash: GENESIS_HASH }): Promise<ChainVerification> {
  let expectedPrev = anchor.hash;
  let expectedSeq = anchor.seq + 1;
  let rows = anchor.seq;
  let problem: ChainProblem | undefined;
  // seq is a bigint: read as it is (an ::int cast would fail past 2^31), a number only for the hash.
  const query = sqlClient`
    select seq, at, actor, action, entity_type, entity_id, payload, prev_hash, hash, hash_alg
    from audit_log where seq > ${anchor.seq} order by seq`;
  for await (const batch of rowBatches(sqlClient, query, 1000)) {
    for (const r of batch) {
      const seq = Number(r.seq);
      if (seq !== expectedSeq) {
        problem = { seq, reason: 'sequence-gap', message: `审计记录 #${seq} 之前缺少 #${expectedSeq}（记录被删除或插入）` };
      } else if (r.prev_hash !== expectedPrev) {
        problem = { seq, reason: 'link-broken', message: `审计记录 #${seq} 的 prev_hash 与上一条记录的哈希不符（链条被改动）` };
      } else if (!(AUDIT_HASH_ALGORITHMS as readonly string[]).includes(r.hash_alg as string)) {
        problem = { seq, reason: 'unknown-algorithm', message: `审计记录 #${seq} 的哈希算法 "${String(r.hash_alg)}" 无法识别（该行被篡改）` };
      } else {
        const recomputed = hashAuditRow({
          seq,
          at: r.at as Date,
          actor: r.actor as string,
          action: r.action as string,
          entityType: r.entity_type as string,
          entityId: r.entity_id as string,
          payload: r.payload as Json,
          prevHash: r.prev_hash as string,
        }, r.hash_alg as AuditHashAlgorithm);
        if (recomputed !== r.hash) {
          problem = { seq, reason: 'content-altered', message: `审计记录 #${seq} 的内容与其哈希不符（该行被篡改）` };
        }
      }
      if (problem) break;
      rows++;
      expectedSeq = seq + 1;
      expectedPrev = r.hash as string;
    }
    if (problem) break;
  }
  return problem
    ? { ok: false, rows, headSeq: expectedSeq - 1, headHash: expectedPrev, problem }
    : { ok: true, rows, headSeq: expectedSeq - 1, headHash: expectedPrev };
}
