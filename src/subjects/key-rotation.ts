// `cli keys rotate`: re-encrypts every stored personal-data value under DATA_KEY_CURRENT. In batches,
// each its own transaction with its audit entry, so a stopped rotation resumes where it was (it picks
// only values not yet under the current key) and never holds a long lock. The person key (HMAC under
// ID_HASH_KEY) is not touched: it is not rotated (src/subjects/personal-data.ts).
import { actorRef, authorize, type Actor } from '../identity/permissions.ts';
import { appendAuditSql } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import {
  encryptedFactsAfter,
  paymentsNotUnder,
  personsNotUnder,
  updateFacts,
  updatePayments,
  updatePersons,
  valuesByKey,
  reverificationsNotUnder,
  updateReverification,
} from './data-keys-repository.ts';
import { decryptWith, encryptWith, isEncrypted, keyIdOf, type DataKeyring } from './personal-data.ts';

export interface RotationResult {
  toKey: string;
  persons: number;
  payments: number;
  factRecords: number;
  /** Stored values per key id afterwards: only the current key once rotation is complete. */
  remaining: { kid: string; n: number }[];
}

function reencrypt(ring: DataKeyring, value: string): string {
  return keyIdOf(value) === ring.current ? value : encryptWith(ring, ring.current, decryptWith(ring, value));
}

/** A fact value tree with every encrypted string under the current key; `changed` says if any moved. */
function reencryptTree(ring: DataKeyring, value: unknown, changed: { any: boolean }): unknown {
  if (isEncrypted(value)) {
    const next = reencrypt(ring, value);
    if (next !== value) changed.any = true;
    return next;
  }
  if (Array.isArray(value)) return value.map((v) => reencryptTree(ring, v, changed));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, reencryptTree(ring, v, changed)]));
  return value;
}

export async function rotateDataKeys(db: Database, clock: Clock, ring: DataKeyring, request: { actor: Actor; batchSize?: number }): Promise<RotationResult> {
  authorize(request.actor, 'keys.rotate');
  const input = { ...request, actor: actorRef(request.actor) };
  const size = input.batchSize ?? 1000;
  const toKey = ring.current;
  const audit = (tx: Parameters<typeof appendAuditSql>[0], table: string, rows: number, fromKeys: string[]) =>
    appendAuditSql(tx, clock, { actor: input.actor, action: 'keys.rotated-batch', entityType: 'data_keys', entityId: toKey, payload: { table, rows, fromKeys, toKey } });
  const result: RotationResult = { toKey, persons: 0, payments: 0, factRecords: 0, remaining: [] };

  for (let after = ''; ; ) {
    const done = await db.sql.begin(async (tx) => {
      const rows = await personsNotUnder(tx, toKey, after, size);
      if (rows.length === 0) return true;
      await updatePersons(tx, rows.map((r) => ({ key: r.key, value: reencrypt(ring, r.value), kid: toKey })));
      await audit(tx, 'persons', rows.length, [...new Set(rows.map((r) => keyIdOf(r.value)))]);
      result.persons += rows.length;
      after = rows.at(-1)!.key;
      return false;
    });
    if (done) break;
  }

  for (let after = { subjectKey: '', idempotencyKey: '' }; ; ) {
    const done = await db.sql.begin(async (tx) => {
      const rows = await paymentsNotUnder(tx, toKey, after, size);
      if (rows.length === 0) return true;
      await updatePayments(tx, rows.map((r) => ({ subjectKey: r.subject_key, idempotencyKey: r.idempotency_key, value: reencrypt(ring, r.value), kid: toKey })));
      await audit(tx, 'payments', rows.length, [...new Set(rows.map((r) => keyIdOf(r.value)))]);
      result.payments += rows.length;
      const last = rows.at(-1)!;
      after = { subjectKey: last.subject_key, idempotencyKey: last.idempotency_key };
      return false;
    });
    if (done) break;
  }

  // Fact records are append-only in meaning: rotation rewrites how a value is encoded, not what it is.
  for (let after = '0'; ; ) {
    const done = await db.sql.begin(async (tx) => {
      const rows = await encryptedFactsAfter(tx, after, size);
      if (rows.length === 0) return true;
      after = rows.at(-1)!.seq;
      const changedRows: { seq: string; facts: unknown }[] = [];
      for (const row of rows) {
        const changed = { any: false };
        const facts = reencryptTree(ring, row.facts, changed);
        if (changed.any) changedRows.push({ seq: row.seq, facts });
      }
      if (changedRows.length > 0) {
        await updateFacts(tx, changedRows);
        await audit(tx, 'fact_records', changedRows.length, []);
        result.factRecords += changedRows.length;
      }
      return false;
    });
    if (done) break;
  }

  // Accounts kept with failed and returned payments for re-verification (reconciliation.ts).
  await db.sql.begin(async (tx) => {
    const rows = await reverificationsNotUnder(tx, toKey);
    const again = (value: string | null) => (value !== null && value.startsWith('sm4:') ? reencrypt(ring, value) : value);
    for (const r of rows) await updateReverification(tx, { subjectKey: r.subject_key, paymentKey: r.payment_key, failed: again(r.failed)!, verified: again(r.verified) });
    if (rows.length > 0) await audit(tx, 'account_reverifications', rows.length, []);
  });

  result.remaining = await valuesByKey(db.sql);
  await db.sql.begin((tx) => appendAuditSql(tx, clock, { actor: input.actor, action: 'keys.rotated', entityType: 'data_keys', entityId: toKey, payload: { toKey, persons: result.persons, payments: result.payments, factRecords: result.factRecords, remaining: result.remaining } }));
  return result;
}
