// Per-subject and per-batch history of the audit trail: what happened to one enterprise or person,
// and every step of one payout batch, in the order the chain recorded it.
// What counts as "about" a subject or a batch is written into the entry itself, so it is covered by
// the entry's hash: an entry about one subject carries `payload.subjectKey` (payments do), or is an
// entry of entity type subject/enterprise/person with the key as its id; an entry about a batch is of
// entity type payout_batch with the batch id, or carries `payload.batchId` (its payments). Imports
// and match runs touch thousands of subjects at once and name none of them: a subject's facts and list
// entries are in their own append-only tables (fact_records, list_changes), not repeated here.
import { z } from 'zod';
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { authorize, type Actor } from '../identity/permissions.ts';
import { batchEntries, subjectEntries, type AuditHistoryRow } from './history-repository.ts';

export const AuditHistoryQuery = z
  .object({
    subject: z.string().trim().min(1).max(64).optional(),
    batch: z.string().regex(/^[1-9]\d{0,18}$/, 'a payout batch id (a positive whole number)').optional(),
    after: z.coerce.bigint().min(0n).default(0n),
    limit: z.coerce.number().int().min(1).max(5000).default(500),
  })
  .refine((q) => (q.subject === undefined) !== (q.batch === undefined), { message: 'give exactly one of subject (a USCC or identity number) or batch (a payout batch id)', path: ['subject'] });
export type AuditHistoryQuery = z.input<typeof AuditHistoryQuery>;

interface AuditHistoryEntry {
  seq: string;
  at: string;
  actor: string;
  action: string;
  entityType: string;
  entityId: string;
  payload: Record<string, unknown>;
  hash: string;
}

export interface AuditHistory {
  of: { subject: string } | { batch: string };
  entries: AuditHistoryEntry[];
  /** The `after` that reads the next page, or null when this page is the last. */
  nextAfter: string | null;
}

function entry(row: AuditHistoryRow): AuditHistoryEntry {
  return { seq: row.seq.toString(), at: row.at.toISOString(), actor: row.actor, action: row.action, entityType: row.entity_type, entityId: row.entity_id, payload: row.payload, hash: row.hash };
}

/** One page of the history of a subject or a batch, oldest first. */
export async function auditHistory(db: Database, input: AuditHistoryQuery): Promise<AuditHistory> {
  const parsed = AuditHistoryQuery.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('BAD_REQUEST', `audit history: ${issue.path.join('.') || '(query)'}: ${issue.message}`, { fields: [issue.path.join('.') || '(query)'] });
  }
  const q = parsed.data;
  // One more row than asked tells whether there is a next page without counting.
  const rows = q.subject !== undefined ? await subjectEntries(db.sql, q.subject, q.after, q.limit + 1) : await batchEntries(db.sql, q.batch!, q.after, q.limit + 1);
  const page = rows.slice(0, q.limit).map(entry);
  return {
    of: q.subject !== undefined ? { subject: q.subject } : { batch: q.batch! },
    entries: page,
    nextAfter: rows.length > q.limit ? page.at(-1)!.seq : null,
  };
}

/** The same, for a signed-in actor: needs the permission audit.read (auditors, administrators). */
export async function readAuditHistory(db: Database, actor: Actor, input: AuditHistoryQuery): Promise<AuditHistory> {
  authorize(actor, 'audit.read');
  return auditHistory(db, input);
}
