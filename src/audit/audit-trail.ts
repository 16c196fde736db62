// Appending to and verifying the hash-chained audit trail. An entry is written in the same transaction
// as the change it records: callers pass their transaction, so both commit or neither does.
import { createHash } from 'node:crypto';
import { desc, sql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type postgres from 'postgres';
import { rowBatches, type Sql, type Tx } from '../db/clients.ts';
import { auditLog } from '../db/schema/index.ts';
import { canonicalJson, toJson, type Json } from './canonical-json.ts';

export const GENESIS_HASH = '0'.repeat(64);
// Appends are serialised so that each row's prev_hash is the hash of the row just before it.
const AUDIT_LOCK_KEY = 0x6d_69_61_6e; // "mian"

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

export function hashAuditRow(row: ChainedRow): string {
  const body = canonicalJson({
    seq: row.seq,
    at: row.at.toISOString(),
    actor: row.actor,
    action: row.action,
    entityType: row.entityType,
    entityId: row.entityId,
    payload: row.payload,
  });
  return createHash('sha256').update(row.prevHash).update('\n').update(body).digest('hex');
}

interface AppendPort {
  lock(): Promise<void>;
  last(): Promise<{ seq: number; hash: string } | undefined>;
  insert(row: ChainedRow & { hash: string }): Promise<void>;
}

async function append(port: AppendPort, clock: Clock, event: AuditEvent): Promise<{ seq: number; hash: string }> {
  await port.lock();
  const last = await port.last();
  const row: ChainedRow = {
    seq: (last?.seq ?? 0) + 1,
    at: clock.now(),
    actor: event.actor,
    action: event.action,
    entityType: event.entityType,
    entityId: event.entityId,
    payload: toJson(event.payload ?? {}),
    prevHash: last?.hash ?? GENESIS_HASH,
  };
  const hash = hashAuditRow(row);
  await port.insert({ ...row, hash });
  return { seq: row.seq, hash };
}

/** Appends within a drizzle transaction. */
export function appendAudit(tx: Tx, clock: Clock, event: AuditEvent): Promise<{ seq: number; hash: string }> {
  return append(
    {
      lock: async () => void (await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`)),
      last: async () => (await tx.select({ seq: auditLog.seq, hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.seq)).limit(1))[0],
      insert: async (row) => void (await tx.insert(auditLog).values(row)),
    },
    clock,
    event,
  );
}

/** Appends within a raw postgres.js transaction (bulk paths that run on the raw client). */
export function appendAuditSql(tx: postgres.TransactionSql, clock: Clock, event: AuditEvent): Promise<{ seq: number; hash: string }> {
  return append(
    {
      lock: async () => void (await tx`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`),
      last: async () => {
        // seq is a bigserial (bigint here); the hash covers it as a JSON number, exact below 2^53.
        const [row] = await tx<{ seq: bigint; hash: string }[]>`select seq, hash from audit_log order by seq desc limit 1`;
        return row && { seq: Number(row.seq), hash: row.hash };
      },
      insert: async (row) =>
        void (await tx`insert into audit_log (seq, at, actor, action, entity_type, entity_id, payload, prev_hash, hash)
          values (${row.seq}, ${row.at}, ${row.actor}, ${row.action}, ${row.entityType}, ${row.entityId}, ${tx.json(row.payload as postgres.JSONValue)}, ${row.prevHash}, ${row.hash})`),
    },
    clock,
    event,
  );
}

export interface ChainProblem {
  seq: number;
  reason: 'content-altered' | 'link-broken' | 'sequence-gap';
  message: string;
}

export interface ChainVerification {
  ok: boolean;
  rows: number;
  headSeq: number;
  headHash: string;
  problem?: ChainProblem;
}

/** Re-hashes the whole trail in order, streaming it, and names the first row that does not verify. */
export async function verifyAuditChain(sqlClient: Sql): Promise<ChainVerification> {
  let expectedPrev = GENESIS_HASH;
  let expectedSeq = 1;
  let rows = 0;
  let problem: ChainProblem | undefined;
  const query = sqlClient`
    select seq, at, actor, action, entity_type, entity_id, payload, prev_hash, hash
    from audit_log order by seq`;
  for await (const batch of rowBatches(sqlClient, query, 1000)) {
    for (const r of batch) {
      const seq = Number(r.seq);
      if (seq !== expectedSeq) {
        problem = { seq, reason: 'sequence-gap', message: `审计记录 #${seq} 之前缺少 #${expectedSeq}（记录被删除或插入）` };
      } else if (r.prev_hash !== expectedPrev) {
        problem = { seq, reason: 'link-broken', message: `审计记录 #${seq} 的 prev_hash 与上一条记录的哈希不符（链条被改动）` };
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
        });
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
