// The SQL of key rotation: the three places personal data is stored encrypted, read in key order in
// batches of rows not yet under the current key, and rewritten in place. Each runs on the executor it
// is given (the rotation's per-batch transaction).
import type postgres from 'postgres';

type Q = postgres.Sql | postgres.TransactionSql;

export async function personsNotUnder(q: Q, kid: string, after: string, limit: number): Promise<{ key: string; value: string }[]> {
  return q<{ key: string; value: string }[]>`
    select person_key as key, id_enc as value from persons where key_id <> ${kid} and person_key > ${after} order by person_key limit ${limit}`;
}

export async function updatePersons(q: Q, rows: { key: string; value: string; kid: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await q`update persons p set id_enc = v.value, key_id = v.kid
          from (select * from unnest(${rows.map((r) => r.key)}::text[], ${rows.map((r) => r.value)}::text[], ${rows.map((r) => r.kid)}::text[]) as t(key, value, kid)) v
          where p.person_key = v.key`;
}

export async function paymentsNotUnder(q: Q, kid: string, after: { subjectKey: string; idempotencyKey: string }, limit: number) {
  return q<{ subject_key: string; idempotency_key: string; value: string }[]>`
    select subject_key, idempotency_key, account_enc as value from payments
    where account_key_id <> ${kid} and (subject_key, idempotency_key) > (${after.subjectKey}, ${after.idempotencyKey})
    order by subject_key, idempotency_key limit ${limit}`;
}

export async function updatePayments(q: Q, rows: { subjectKey: string; idempotencyKey: string; value: string; kid: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await q`update payments p set account_enc = v.value, account_key_id = v.kid
          from (select * from unnest(${rows.map((r) => r.subjectKey)}::text[], ${rows.map((r) => r.idempotencyKey)}::text[], ${rows.map((r) => r.value)}::text[], ${rows.map((r) => r.kid)}::text[]) as t(s, i, value, kid)) v
          where p.subject_key = v.s and p.idempotency_key = v.i`;
}

/** Fact records holding an encrypted value (bank accounts), in seq order after `afterSeq`. */
export async function encryptedFactsAfter(q: Q, afterSeq: string, limit: number) {
  return q<{ seq: string; facts: unknown }[]>`
    select seq::text as seq, facts from fact_records where seq > ${afterSeq}::bigint and facts::text like '%"sm4:%' order by seq limit ${limit}`;
}

export async function updateFacts(q: Q, rows: { seq: string; facts: unknown }[]): Promise<void> {
  for (const row of rows) await q`update fact_records set facts = ${q.json(row.facts as postgres.JSONValue)} where seq = ${row.seq}::bigint`;
}

/** How many stored values are under each key id (what must be rotated before a key is removed). */
export async function valuesByKey(q: Q): Promise<{ kid: string; n: number }[]> {
  return q<{ kid: string; n: number }[]>`
    select kid, sum(n)::int as n from (
      select key_id as kid, count(*) as n from persons group by key_id
      union all select account_key_id, count(*) from payments group by account_key_id
      union all select split_part(v, ':', 2), count(*) from account_reverifications, unnest(array[failed_account_number, verified_account_number]) as v where v like 'sm4:%' group by 1
      union all select split_part(m[1], ':', 2), count(*) from fact_records, regexp_matches(facts::text, '"(sm4:[A-Za-z0-9_-]+):', 'g') as m group by 1
    ) x group by kid order by kid`;
}

/** Re-verification accounts (failed and verified) not yet under `kid`: small, read whole. */
export async function reverificationsNotUnder(q: Q, kid: string): Promise<{ subject_key: string; payment_key: string; failed: string; verified: string | null }[]> {
  return q<{ subject_key: string; payment_key: string; failed: string; verified: string | null }[]>`
    select subject_key, payment_key, failed_account_number as failed, verified_account_number as verified from account_reverifications
    where (failed_account_number like 'sm4:%' and split_part(failed_account_number, ':', 2) <> ${kid})
       or (verified_account_number like 'sm4:%' and split_part(verified_account_number, ':', 2) <> ${kid})`;
}

export async function updateReverification(q: Q, row: { subjectKey: string; paymentKey: string; failed: string; verified: string | null }): Promise<void> {
  await q`update account_reverifications set failed_account_number = ${row.failed}, verified_account_number = ${row.verified}
    where subject_key = ${row.subjectKey} and payment_key = ${row.paymentKey}`;
}
