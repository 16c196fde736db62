// The review workflow of policy versions (draft → submitted → approved → published, or returned) and
// the publication timeline: which text of a policy file is in force from which date (生效日期).
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { staffAccounts } from './identity.ts';

/**
 * One proposed text of one policy file (a document and its points). Frozen once submitted: its text,
 * content hash and in-force-from date never change after that (a trigger refuses it, see
 * drizzle-custom/policy-workflow.sql). A returned draft stays as it was; the author drafts anew.
 */
export const policyDrafts = pgTable(
  'policy_drafts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** The file's name in the library, relative to its root with forward slashes. */
    file: text('file').notNull(),
    text: text('text').notNull(),
    /** sha256 of the text. */
    contentHash: text('content_hash').notNull(),
    /** The points of the file: id -> the point's content hash in this text. */
    points: jsonb('points').notNull(),
    /** 生效日期 (YYYY-MM-DD): the version is in force from this day on; null: from the day it is published. */
    inForceFrom: text('in_force_from'),
    status: text('status', { enum: ['draft', 'submitted', 'approved', 'returned', 'published'] }).notNull(),
    authorId: integer('author_id')
      .notNull()
      .references(() => staffAccounts.id),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    /** The library the diff was taken against, and the diff and what-if impact stored with the review. */
    baseLibraryHash: text('base_library_hash'),
    diff: jsonb('diff'),
    impact: jsonb('impact'),
    reviewerId: integer('reviewer_id').references(() => staffAccounts.id),
    reviewedAt: timestamp('reviewed_at', { withTimezone: true }),
    reviewComment: text('review_comment'),
    publishedAt: timestamp('published_at', { withTimezone: true }),
    publishedBy: integer('published_by').references(() => staffAccounts.id),
    libraryHash: text('library_hash'),
    /** Set when published with an in-force-from date before the publication date: why the past changes. */
    correctionReason: text('correction_reason'),
  },
  (t) => [
    index('policy_drafts_file').on(t.file),
    // Four eyes: the database refuses an approval by the author, whatever the service does.
    check('policy_drafts_reviewer_not_author', sql`${t.reviewerId} is null or ${t.reviewerId} <> ${t.authorId}`),
    check('policy_drafts_reviewed', sql`${t.status} not in ('approved', 'returned', 'published') or (${t.reviewerId} is not null and ${t.reviewedAt} is not null)`),
    check('policy_drafts_in_force_from', sql`${t.inForceFrom} is null or ${t.inForceFrom} ~ '^\\d{4}-\\d{2}-\\d{2}$'`),
  ],
);

/**
 * Every publication of a file's text, in order. The text of a file in force on a day D is the text
 * of its latest publication (highest id) whose in-force-from is on or before D (null: since always).
 */
export const policyPublications = pgTable(
  'policy_publications',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    file: text('file').notNull(),
    text: text('text').notNull(),
    /** The library this publication produced (the previous one with this file replaced). */
    libraryHash: text('library_hash').notNull(),
    inForceFrom: text('in_force_from'),
    /** baseline: the file's text before its first reviewed publication; publish; rollback; correction. */
    kind: text('kind', { enum: ['baseline', 'publish', 'rollback', 'correction'] }).notNull(),
    reason: text('reason'),
    draftId: bigint('draft_id', { mode: 'number' }).references(() => policyDrafts.id),
    /** For a rollback: the point version restored ({ pointId, version }). */
    restored: jsonb('restored'),
    /** pointId -> version in force by this publication, for the points of the file. */
    versions: jsonb('versions').notNull(),
    publishedAt: timestamp('published_at', { withTimezone: true }).notNull(),
    publishedBy: text('published_by').notNull(),
  },
  (t) => [index('policy_publications_file').on(t.file, t.id)],
);
