// Subjects and their facts. Every table keyed by a subject carries subject_key first in its primary
// key, so a province can distribute these tables by it (Citus) and keep them co-located.
import { bigint, bigserial, boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

export const enterprises = pgTable('enterprises', {
  uscc: text('uscc').primaryKey(),
  name: text('name').notNull(),
  regionCode: text('region_code').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/**
 * Persons, keyed by a person key (`P` + 26 base32 characters of HMAC-SM3(ID_HASH_KEY, 公民身份号码),
 * src/subjects/personal-data.ts), never by the number itself: the number is stored SM4-encrypted (id_enc,
 * under key_id) for the few who need it, and masked (440301********123X) for display.
 */
export const persons = pgTable('persons', {
  personKey: text('person_key').primaryKey(),
  idEnc: text('id_enc').notNull(),
  keyId: text('key_id').notNull(),
  idMasked: text('id_masked').notNull(),
  name: text('name').notNull(),
  regionCode: text('region_code').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
});

/** One import of one feed file: what came in, what was kept, who brought it. */
export const factImports = pgTable('fact_imports', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** The feed mapping id (e.g. hrss-ui-annual); fact records carry it as their source. */
  source: text('source').notNull(),
  department: text('department').notNull().default(''),
  status: text('status', { enum: ['imported', 'rejected'] }).notNull().default('imported'),
  fileName: text('file_name').notNull(),
  fileHash: text('file_hash').notNull(),
  asOf: date('as_of').notNull(),
  rowsTotal: integer('rows_total').notNull(),
  rowsAccepted: integer('rows_accepted').notNull(),
  rowsRejected: integer('rows_rejected').notNull(),
  /** Valid rows identical to what was already recorded: nothing new written for them. */
  rowsUnchanged: integer('rows_unchanged').notNull().default(0),
  /** Facts withdrawn because a full feed no longer lists the subject. */
  rowsRetracted: integer('rows_retracted').notNull().default(0),
  rejectsFile: text('rejects_file'),
  importedBy: text('imported_by').notNull(),
  importedAt: timestamp('imported_at', { withTimezone: true }).notNull(),
});

/**
 * Facts as recorded, never updated: a later record for the same (subject, source, period) supersedes
 * an earlier one. seq orders all records; a snapshot is a seq watermark.
 */
export const factRecords = pgTable(
  'fact_records',
  {
    subjectKey: text('subject_key').notNull(),
    seq: bigserial('seq', { mode: 'number' }).notNull(),
    /** enterprise or person: the two key spaces can overlap, so readers filter on it. */
    subjectType: text('subject_type', { enum: ['enterprise', 'person'] }).notNull().default('enterprise'),
    source: text('source').notNull(),
    period: text('period').notNull(),
    importId: bigint('import_id', { mode: 'number' }).references(() => factImports.id),
    rowNo: integer('row_no'),
    asOf: date('as_of').notNull(),
    facts: jsonb('facts').notNull(),
    /** A full feed stopped listing this subject: its facts for (source, period) are withdrawn from here on. */
    retracted: boolean('retracted').notNull().default(false),
    /**
     * Valid time: the record holds from this date (a 户籍 move's effective date, or the as-of date of the
     * import that changed a current state); null = for all time. A snapshot read for a date takes the
     * latest-recorded record valid on it.
     */
    validFrom: date('valid_from'),
  },
  // One index serves both the key (subject first, for distribution by subject) and the latest-record
  // scans; a second index on the table would cost every import.
  (t) => [
    primaryKey({ name: 'fact_records_pkey', columns: [t.subjectKey, t.source, t.period, t.seq] }),
    // Change tracking reads "everything after a watermark".
    index('fact_records_seq').on(t.seq),
  ],
);

/** Rows a feed import refused, with why: queryable, and also written to a rejects file. */
export const factRejects = pgTable(
  'fact_rejects',
  {
    importId: bigint('import_id', { mode: 'number' })
      .notNull()
      .references(() => factImports.id),
    rowNo: integer('row_no').notNull(),
    field: text('field').notNull(),
    value: text('value').notNull(),
    reason: text('reason').notNull(),
  },
  (t) => [primaryKey({ columns: [t.importId, t.rowNo, t.field] })],
);

/** What one match run reads: every fact record with seq <= watermark, latest per (subject, source, period). */
export const snapshots = pgTable('snapshots', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  watermarkSeq: bigint('watermark_seq', { mode: 'number' }).notNull(),
  asOf: date('as_of').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  createdBy: text('created_by').notNull(),
});

/**
 * Identity-used ledger: a person counts for one subsidy family (扩岗补助 and 吸纳就业补贴 share one) at
 * one employer, once — across firms, years and runs. Keyed by the person, so it distributes by person.
 */
export const identityLedger = pgTable(
  'identity_ledger',
  {
    personKey: text('person_key').notNull(),
    family: text('family').notNull(),
    subjectKey: text('subject_key').notNull(),
    period: text('period').notNull(),
    recordedAt: timestamp('recorded_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.personKey, t.family] })],
);
