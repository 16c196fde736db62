// Policy documents and immutable, versioned policy points. Reference data: small, replicable.

import { bigserial, boolean, integer, jsonb, pgTable, primaryKey, text, timestamp, unique } from 'drizzle-orm/pg-core';

export const policyDocuments = pgTable('policy_documents', {
  id: text('id').primaryKey(),
  docNumber: text('doc_number').notNull(),
  title: text('title').notNull(),
  issuer: text('issuer').notNull(),
  // As precise as the source allows: YYYY-MM-DD or YYYY-MM.
  published: text('published').notNull(),
  sourceUrl: text('source_url'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  /** national | provincial | city | district (policy/2); null for documents first published as policy/1. */
  level: text('level'),
  /** S (the issuer's text), S2 (only a reprint or secondary source), N (not found). */
  sourceGrade: text('source_grade'),
  /** Every source the rules cite: [{ key, url, issuer, date, grade }]. */
  sources: jsonb('sources'),
  /** The stored text in force (policy_document_texts.sha256), as of the latest publication. */
  textSha256: text('text_sha256'),
  updatedAt: timestamp('updated_at', { withTimezone: true }),
});

/**
 * 文本库: every version of a document's stored text (the passages read, per source), kept for good: a
 * quote in any past version of a point can be checked against the words it was checked against then.
 */
export const policyDocumentTexts = pgTable(
  'policy_document_texts',
  {
    documentId: text('document_id')
      .notNull()
      .references(() => policyDocuments.id),
    sha256: text('sha256').notNull(),
    text: text('text').notNull(),
    /** The library in which this text was first published. */
    libraryHash: text('library_hash').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.documentId, t.sha256] })],
);

/** A whole policy library as published: every file's text, so any past run can be re-evaluated. */
export const policyLibraries = pgTable('policy_libraries', {
  hash: text('hash').primaryKey(),
  /** Publication order: the newest library is the one in force. */
  seq: bigserial('seq', { mode: 'number' }).notNull(),
  files: jsonb('files').notNull(),
  publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
  publishedBy: text('published_by').notNull(),
  /**
   * Composed for a period (each file's text in force then, see src/policies/period-library.ts), not
   * published as such: never the library in force.
   */
  composed: boolean('composed').notNull().default(false),
});

export const policyVersions = pgTable(
  'policy_versions',
  {
    pointId: text('point_id').notNull(),
    version: integer('version').notNull(),
    documentId: text('document_id')
      .notNull()
      .references(() => policyDocuments.id),
    contentHash: text('content_hash').notNull(),
    /** Name, citation, tags, document: what lists and the portal show without loading the library. */
    definition: jsonb('definition').notNull(),
    /** The library in which this version was first published. */
    libraryHash: text('library_hash').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
    publishedBy: text('published_by').notNull(),
  },
  (t) => [primaryKey({ columns: [t.pointId, t.version] }), unique('policy_versions_content').on(t.pointId, t.contentHash)],
);

