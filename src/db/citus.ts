// Past one server: the same schema on a Citus cluster (13.x). Tables keyed by a subject are distributed
// by the subject key and co-located (a shard holds a subject's facts, decisions, list entries and
// payments, so the joins between them stay on one node); the small shared tables (policies, runs,
// batches, notices, staff) become reference tables, copied to every node; the audit trail and the
// sessions stay on the coordinator as Citus-local tables (one hash chain, one writer), and so does
// pg-boss's schema, untouched. Run after the migrations, on the coordinator; idempotent (a table
// already in Citus's metadata is left as it is). Plain PostgreSQL without the extension: nothing.
import type { Sql } from './clients.ts';

/** Distributed by subject, co-located with fact_records. */
const DISTRIBUTED: readonly (readonly [table: string, column: string])[] = [
  ['fact_records', 'subject_key'],
  ['enterprises', 'uscc'],
  ['persons', 'person_key'],
  ['decisions', 'subject_key'],
  ['list_entries', 'subject_key'],
  ['list_changes', 'subject_key'],
  ['payments', 'subject_key'],
  ['notice_entries', 'subject_key'],
  ['entry_confirmations', 'subject_key'],
  ['entry_holds', 'subject_key'],
  ['identity_ledger', 'person_key'],
];

/** Kept on the coordinator: one chain and its append-only triggers, sessions read per request. */
const COORDINATOR_LOCAL: readonly string[] = ['audit_log', 'audit_checkpoints', 'staff_sessions', 'portal_sessions', 'portal_login_attempts', '__drizzle_migrations'];

/**
 * Unique indexes Citus cannot keep on a distributed table (they do not include the distribution
 * column), with what replaces them. An end-to-end id is SHA-256 of the payment key, which names the
 * subject: unique per subject is unique.
 */
const REPLACED_UNIQUE: readonly { table: string; index: string; replacement: string }[] = [
  { table: 'payments', index: 'payments_end_to_end_id', replacement: 'create unique index if not exists payments_end_to_end_id on payments (subject_key, end_to_end_id)' },
];

export interface Distribution {
  distributed: string[];
  reference: string[];
  local: string[];
}

export async function citusAvailable(sql: Sql): Promise<boolean> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_extension where extname = 'citus'`;
  return (row?.n ?? 0) > 0;
}

/** Distributes the schema's tables on a Citus coordinator; returns what it changed (nothing on plain PostgreSQL). */
export async function distributeOnCitus(sql: Sql, shardCount = 32): Promise<Distribution> {
  const done: Distribution = { distributed: [], reference: [], local: [] };
  if (!(await citusAvailable(sql))) return done;
  const known = new Set((await sql<{ name: string }[]>`select logicalrelid::regclass::text as name from pg_dist_partition`).map((r) => r.name));
  const tables = (await sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public' order by tablename`).map((r) => r.name);
  const distributed = new Map(DISTRIBUTED);

  // Reference tables first: the distributed tables' foreign keys point at them.
  for (const table of tables) {
    if (known.has(table) || distributed.has(table) || COORDINATOR_LOCAL.includes(table)) continue;
    await sql`select create_reference_table(${table})`;
    done.reference.push(table);
  }
  for (const table of COORDINATOR_LOCAL) {
    if (known.has(table) || !tables.includes(table)) continue;
    await sql`select citus_add_local_table_to_metadata(${table}, cascade_via_foreign_keys => true)`;
    done.local.push(table);
  }
  for (const r of REPLACED_UNIQUE) {
    if (known.has(r.table)) continue;
    await sql.unsafe(`drop index if exists "${r.index}"`);
  }
  await sql.unsafe(`set citus.shard_count = ${Number(shardCount)}`);
  for (const [table, column] of DISTRIBUTED) {
    if (known.has(table) || !tables.includes(table)) continue;
    const colocate = table === 'fact_records' ? 'none' : 'fact_records';
    await sql`select create_distributed_table(${table}, ${column}, colocate_with => ${colocate})`;
    done.distributed.push(table);
  }
  for (const r of REPLACED_UNIQUE) await sql.unsafe(r.replacement);
  return done;
}
