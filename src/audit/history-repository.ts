// The audit entries about one subject or one payout batch, in chain order, a page at a time. Which
// entries those are is decided by fields inside the hashed entry (see src/audit/history.ts), read
// through the indexes of migration 0012 (audit_log_entity_idx, _subject_idx, _batch_idx).
import type { Sql } from '../db/clients.ts';

export interface AuditHistoryRow {
  seq: bigint;
  at: Date;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string;
  payload: Record<string, unknown>;
  hash: string;
}

/** Entity types whose entity id is a subject key (an enterprise's USCC, a person's key). */
const SUBJECT_ENTITY_TYPES = ['subject', 'enterprise', 'person'];

export function subjectEntries(sql: Sql, subjectKey: string, afterSeq: bigint, limit: number): Promise<AuditHistoryRow[]> {
  return sql<AuditHistoryRow[]>`
    select seq, at, actor, action, entity_type, entity_id, payload, hash from audit_log
    where seq > ${afterSeq.toString()}::bigint
      and ((payload ? 'subjectKey' and payload->>'subjectKey' = ${subjectKey})
           or (entity_type in ${sql(SUBJECT_ENTITY_TYPES)} and entity_id = ${subjectKey}))
    order by seq limit ${limit}`;
}

export function batchEntries(sql: Sql, batchId: string, afterSeq: bigint, limit: number): Promise<AuditHistoryRow[]> {
  return sql<AuditHistoryRow[]>`
    select seq, at, actor, action, entity_type, entity_id, payload, hash from audit_log
    where seq > ${afterSeq.toString()}::bigint
      and ((entity_type = 'payout_batch' and entity_id = ${batchId})
           or (payload ? 'batchId' and payload->>'batchId' = ${batchId}))
    order by seq limit ${limit}`;
}
