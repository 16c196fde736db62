// The review workflow of policy versions: a policy file's new text is drafted (policy.author),
// submitted (frozen, with its diff against the published text and the what-if impact of each changed
// point), approved or returned by a reviewer who is not its author (policy.review; the database refuses
// it too), and published (policy.publish) as a new library: the library in force with this file
// replaced, through publishLibrary. A version has an in-force-from date (生效日期); runs use the
// text in force for their period (src/policies/period-library.ts). Publishing with an in-force-from
// before today changes past periods and needs a correction reason. A rollback publishes an earlier
// version's file text again. Every step is audited in the transaction that makes it.
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-trail.ts';
import { toJson, type Json } from '../audit/canonical-json.ts';
import { chinaDay } from '../calendar/working-days.ts';
import type { Clock } from '../clock.ts';
import type { Database, Tx } from '../db/clients.ts';
import { policyDrafts, policyPublications, policyVersions } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { actorRef, authorize, type Actor, type StaffActor } from '../identity/permissions.ts';
import { simulate } from '../matching/what-if.ts';
import { parseIsoDay } from '../rules/lang/parser.ts';
import type { PointModel } from '../rules/lang/model.ts';
import type { Library } from './library.ts';
import { buildLibrary, fileVersions, latestLibraryHash, libraryByHash, libraryFiles, publishLibrary, type LibraryFile, type PublishedLibrary } from './library-registry.ts';
import { diffFile, type PointDiff } from './policy-diff.ts';

export type DraftRow = typeof policyDrafts.$inferSelect;

function staff(actor: Actor): StaffActor {
  if (actor.kind !== 'staff') throw new AppError('FORBIDDEN', 'Only a staff account works on policy versions.');
  return actor;
}

function checkDay(text: string | undefined, what: string): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || parseIsoDay(text) === undefined) throw new AppError('ARGUMENT_INVALID', `${what} must be a calendar day YYYY-MM-DD, not '${text}'.`);
  return text;
}

async function draftRow(db: Database, id: number): Promise<DraftRow> {
  const [row] = await db.orm.select().from(policyDrafts).where(eq(policyDrafts.id, id));
  if (!row) throw new AppError('POLICY_DRAFT_NOT_FOUND', `Policy version draft #${id} does not exist; list a point's versions with: cli policy versions <point>`);
  return row;
}

function expectStatus(row: DraftRow, ...statuses: DraftRow['status'][]): void {
  if (!statuses.includes(row.status)) throw new AppError('POLICY_STATE_INVALID', `Policy version #${row.id} is ${row.status}; this needs it ${statuses.join(' or ')}.`, { status: row.status });
}

/** The latest published library's files with one file's text replaced (or added). */
async function withFile(db: Database, file: string, text: string): Promise<{ base: string; files: LibraryFile[] }> {
  const base = await latestLibraryHash(db.orm);
  const files = ((await libraryFiles(db.orm, base)) ?? []).filter((f) => f.file !== file);
  return { base, files: [...files, { file, text }].sort((a, b) => a.file.localeCompare(b.file)) };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface DraftRequest {
  file: string;
  text: string;
  /** 生效日期, YYYY-MM-DD; omitted: the day it is published. */
  inForceFrom?: string;
  actor: Actor;
}

/** A new draft of a file's text. It must load with the rest of the library in force. */
export async function createDraft(db: Database, clock: Clock, request: DraftRequest): Promise<DraftRow> {
  authorize(request.actor, 'policy.author');
  const author = staff(request.actor);
  const inForceFrom = checkDay(request.inForceFrom, 'The in-force-from date');
  const { files } = await withFile(db, request.file, request.text);
  const library = buildLibrary(files);
  const points = Object.fromEntries(library.points.filter((p) => p.loc.file === request.file).map((p) => [p.id, p.contentHash]));
  if (Object.keys(points).length === 0) throw new AppError('POLICY_FILE_INVALID', `${request.file} holds no policy point; a version is drafted for a file of the library's format (format: policy/1).`);
  return db.orm.transaction(async (tx) => {
    const [row] = await tx
      .insert(policyDrafts)
      .values({ file: request.file, text: request.text, contentHash: sha256(request.text), points, inForceFrom: inForceFrom ?? null, status: 'draft', authorId: author.accountId, createdAt: clock.now() })
      .returning();
    await appendAudit(tx, clock, { actor: actorRef(author), action: 'policy.drafted', entityType: 'policy_draft', entityId: String(row!.id), payload: { file: request.file, contentHash: row!.contentHash, points, inForceFrom: row!.inForceFrom } });
    return row!;
  });
}

/** The period a what-if of a point is simulated for: the month or year of the day the change takes effect. */
function impactPeriod(point: PointModel, day: string): string {
  return point.frequency === 'monthly' ? day.slice(0, 7) : day.slice(0, 4);
}

async function impactOf(db: Database, actor: Actor, file: LibraryFile, base: string, draft: Library, diffs: PointDiff[], day: string): Promise<Json> {
  const out: Record<string, Json> = {};
  for (const d of diffs) {
    if (d.change !== 'changed' && d.change !== 'added') continue;
    const point = draft.byId.get(d.pointId)!;
    const period = impactPeriod(point, day);
    try {
      const report = await simulate(db, { pointId: d.pointId, period, draftFiles: [file], liveLibraryHash: base, actor, top: 5 });
      out[d.pointId] = toJson({
        period,
        live: report.live,
        draft: report.draft,
        costChangeFen: report.draft.totalFen - report.live.totalFen,
        gainers: report.gainers,
        losers: report.losers,
      });
    } catch (error) {
      out[d.pointId] = { period, error: error instanceof Error ? error.message : String(error) };
    }
  }
  return out;
}

/** Submits a draft (its author only): freezes it, with its diff and what-if impact stored for the review. */
export async function submitDraft(db: Database, clock: Clock, id: number, actor: Actor): Promise<DraftRow> {
  authorize(actor, 'policy.author');
  const by = staff(actor);
  const row = await draftRow(db, id);
  expectStatus(row, 'draft');
  if (row.authorId !== by.accountId) throw new AppError('FORBIDDEN', `Policy version #${id} is account ${row.authorId}'s draft; only its author submits it.`);
  const { base, files } = await withFile(db, row.file, row.text);
  const draft = buildLibrary(files);
  const published = await libraryByHash(db.orm, base);
  const diff = diffFile(published, draft, row.file);
  const impact = await impactOf(db, by, { file: row.file, text: row.text }, base, draft, diff, row.inForceFrom ?? chinaDay(clock.now()));
  return db.orm.transaction(async (tx) => {
    const [updated] = await tx
      .update(policyDrafts)
      .set({ status: 'submitted', submittedAt: clock.now(), baseLibraryHash: base, diff: toJson(diff), impact })
      .where(and(eq(policyDrafts.id, id), eq(policyDrafts.status, 'draft')))
      .returning();
    if (!updated) throw new AppError('POLICY_STATE_INVALID', `Policy version #${id} was submitted meanwhile.`);
    await appendAudit(tx, clock, {
      actor: actorRef(by),
      action: 'policy.submitted',
      entityType: 'policy_draft',
      entityId: String(id),
      payload: { file: row.file, contentHash: row.contentHash, baseLibraryHash: base, changed: diff.filter((d) => d.change !== 'unchanged').map((d) => ({ pointId: d.pointId, change: d.change, fields: d.changes.map((c) => c.field) })) },
    });
    return updated;
  });
}

export interface ReviewRequest {
  decision: 'approve' | 'return';
  comment?: string;
  actor: Actor;
}

/** Approves or returns a submitted version; never by its author (compared by account id). */
export async function reviewDraft(db: Database, clock: Clock, id: number, request: ReviewRequest): Promise<DraftRow> {
  authorize(request.actor, 'policy.review');
  const by = staff(request.actor);
  const row = await draftRow(db, id);
  expectStatus(row, 'submitted');
  if (row.authorId === by.accountId) throw new AppError('POLICY_SELF_APPROVAL_FORBIDDEN', `Account ${by.accountId} drafted policy version #${id}; another reviewer must review it.`);
  const comment = request.comment?.trim() || null;
  if (request.decision === 'return' && !comment) throw new AppError('REASON_REQUIRED', 'Returning a policy version needs a comment saying what to change (--comment).');
  return db.orm.transaction(async (tx) => {
    const [updated] = await tx
      .update(policyDrafts)
      .set({ status: request.decision === 'approve' ? 'approved' : 'returned', reviewerId: by.accountId, reviewedAt: clock.now(), reviewComment: comment })
      .where(and(eq(policyDrafts.id, id), eq(policyDrafts.status, 'submitted')))
      .returning();
    if (!updated) throw new AppError('POLICY_STATE_INVALID', `Policy version #${id} was reviewed meanwhile.`);
    await appendAudit(tx, clock, { actor: actorRef(by), action: request.decision === 'approve' ? 'policy.approved' : 'policy.returned', entityType: 'policy_draft', entityId: String(id), payload: { file: row.file, contentHash: row.contentHash, comment } });
    return updated;
  });
}

/** The in-force-from date a publication gets, and the correction reason it needs when that is before today. */
function inForce(clock: Clock, inForceFrom: string | null | undefined, correction: string | undefined): { day: string; correction: string | null } {
  const today = chinaDay(clock.now());
  const day = inForceFrom ?? today;
  const reason = correction?.trim() || null;
  if (day < today && !reason) {
    throw new AppError('POLICY_CORRECTION_REQUIRED', `In force from ${day}, before today (${today}): this corrects past periods; publish it with --correction REASON, or with an in-force-from date of today or later.`, { inForceFrom: day, today });
  }
  if (day >= today && reason) throw new AppError('ARGUMENT_INVALID', `In force from ${day}, not before today (${today}): nothing past is corrected; publish it without --correction.`);
  return { day, correction: reason };
}

export interface PublishRequest {
  /** Required when the version is in force from a day before today: why past periods change. */
  correction?: string;
  actor: Actor;
}

export interface PublishResult {
  draft: DraftRow;
  library: PublishedLibrary;
  inForceFrom: string;
  versions: Record<string, number>;
}

/** Publishes an approved version: a new library, the one in force with this file replaced. */
export async function publishDraft(db: Database, clock: Clock, id: number, request: PublishRequest): Promise<PublishResult> {
  authorize(request.actor, 'policy.publish');
  const by = staff(request.actor);
  const row = await draftRow(db, id);
  expectStatus(row, 'approved');
  const { day, correction } = inForce(clock, row.inForceFrom, request.correction);
  const { base, files } = await withFile(db, row.file, row.text);
  // The review saw a diff against the file as published then; if it was published anew since, that diff
  // is stale and publishing would silently undo the newer text.
  if (row.baseLibraryHash !== null && row.baseLibraryHash !== base) {
    const textIn = async (hash: string) => (await libraryFiles(db.orm, hash))?.find((f) => f.file === row.file)?.text;
    if ((await textIn(row.baseLibraryHash)) !== (await textIn(base))) {
      throw new AppError('POLICY_STATE_INVALID', `${row.file} was published anew after version #${id} was submitted; its diff is out of date. Draft it again on the text now in force and submit that.`, { status: row.status });
    }
  }
  let draft: DraftRow | undefined;
  let versions: Record<string, number> = {};
  const library = await publishLibrary(db.orm, clock, by, files, {
    onPublished: async (tx, published) => {
      versions = fileVersions(published, row.file);
      await baseline(tx, clock, base, row.file);
      const [updated] = await tx
        .update(policyDrafts)
        .set({ status: 'published', publishedAt: clock.now(), publishedBy: by.accountId, libraryHash: published.hash, correctionReason: correction })
        .where(and(eq(policyDrafts.id, id), eq(policyDrafts.status, 'approved')))
        .returning();
      if (!updated) throw new AppError('POLICY_STATE_INVALID', `Policy version #${id} was published meanwhile.`);
      draft = updated;
      const [publication] = await tx
        .insert(policyPublications)
        .values({ file: row.file, text: row.text, libraryHash: published.hash, inForceFrom: day, kind: correction ? 'correction' : 'publish', reason: correction, draftId: id, versions, publishedAt: clock.now(), publishedBy: actorRef(by) })
        .returning({ id: policyPublications.id });
      await appendAudit(tx, clock, {
        actor: actorRef(by),
        action: correction ? 'policy.correction-published' : 'policy.version-published',
        entityType: 'policy_draft',
        entityId: String(id),
        payload: { file: row.file, contentHash: row.contentHash, libraryHash: published.hash, previousLibraryHash: base, inForceFrom: day, correction, versions, publication: publication!.id, author: row.authorId, reviewer: row.reviewerId },
      });
    },
  });
  return { draft: draft!, library, inForceFrom: day, versions };
}

/** Before a file's first reviewed publication: its text as published until then, in force since always. */
async function baseline(tx: Tx, clock: Clock, base: string, file: string): Promise<void> {
  const [any] = await tx.select({ id: policyPublications.id }).from(policyPublications).where(eq(policyPublications.file, file)).limit(1);
  if (any) return;
  const [row] = await tx.execute<{ files: LibraryFile[]; published_by: string }>(sql`select files, published_by from policy_libraries where hash = ${base}`);
  const before = row?.files.find((f) => f.file === file);
  if (!before) return;
  const library = buildLibrary(row!.files);
  const versions: Record<string, number> = {};
  for (const p of library.points.filter((x) => x.loc.file === file)) {
    const [v] = await tx.select({ version: policyVersions.version }).from(policyVersions).where(and(eq(policyVersions.pointId, p.id), eq(policyVersions.contentHash, p.contentHash)));
    if (v) versions[p.id] = v.version;
  }
  await tx.insert(policyPublications).values({ file, text: before.text, libraryHash: base, inForceFrom: null, kind: 'baseline', versions, publishedAt: clock.now(), publishedBy: row!.published_by });
}

export interface RollbackRequest {
  pointId: string;
  /** The published version of the point to put back in force. */
  version: number;
  /** 生效日期 of the rollback; omitted: today. */
  inForceFrom?: string;
  correction?: string;
  actor: Actor;
}

/** Publishes an earlier version of a point again: its file's text as that version was published. */
export interface RollbackResult {
  library: PublishedLibrary;
  inForceFrom: string;
  versions: Record<string, number>;
  /** The version of the point in force before the rollback. */
  from: number | null;
}

export async function rollbackPoint(db: Database, clock: Clock, request: RollbackRequest): Promise<RollbackResult> {
  authorize(request.actor, 'policy.publish');
  const by = staff(request.actor);
  const [target] = await db.orm.select().from(policyVersions).where(and(eq(policyVersions.pointId, request.pointId), eq(policyVersions.version, request.version)));
  if (!target) throw new AppError('POLICY_NOT_FOUND', `Point ${request.pointId} has no published version ${request.version}; list them with: cli policy versions ${request.pointId}`);
  const old = (await libraryByHash(db.orm, target.libraryHash)).byId.get(request.pointId)!;
  const file = old.loc.file;
  const text = (await libraryFiles(db.orm, target.libraryHash))!.find((f) => f.file === file)!.text;
  const { day, correction } = inForce(clock, checkDay(request.inForceFrom, 'The in-force-from date'), request.correction);
  const { base, files } = await withFile(db, file, text);
  const current = (await libraryByHash(db.orm, base)).byId.get(request.pointId);
  const [from] = current ? await db.orm.select({ version: policyVersions.version }).from(policyVersions).where(and(eq(policyVersions.pointId, request.pointId), eq(policyVersions.contentHash, current.contentHash))) : [];
  let versions: Record<string, number> = {};
  const library = await publishLibrary(db.orm, clock, by, files, {
    onPublished: async (tx, published) => {
      versions = fileVersions(published, file);
      await baseline(tx, clock, base, file);
      const restored = { pointId: request.pointId, version: request.version };
      const [publication] = await tx
        .insert(policyPublications)
        .values({ file, text, libraryHash: published.hash, inForceFrom: day, kind: 'rollback', reason: correction, restored, versions, publishedAt: clock.now(), publishedBy: actorRef(by) })
        .returning({ id: policyPublications.id });
      await appendAudit(tx, clock, {
        actor: actorRef(by),
        action: 'policy.rolled-back',
        entityType: 'policy_version',
        entityId: `${request.pointId}@${request.version}`,
        payload: { pointId: request.pointId, restoredVersion: request.version, fromVersion: from?.version ?? null, file, libraryHash: published.hash, previousLibraryHash: base, inForceFrom: day, correction, versions, publication: publication!.id },
      });
    },
  });
  return { library, inForceFrom: day, versions, from: from?.version ?? null };
}

export async function getDraft(db: Database, id: number, actor: Actor): Promise<DraftRow> {
  authorize(actor, 'policy.read');
  return draftRow(db, id);
}

export interface PointHistory {
  versions: (typeof policyVersions.$inferSelect)[];
  publications: (typeof policyPublications.$inferSelect)[];
  drafts: Omit<DraftRow, 'text' | 'diff' | 'impact'>[];
}

/** A point's published versions, the publications that put its file's texts in force, and its drafts. */
export async function pointHistory(db: Database, pointId: string, actor: Actor): Promise<PointHistory> {
  authorize(actor, 'policy.read');
  const versions = await db.orm.select().from(policyVersions).where(eq(policyVersions.pointId, pointId)).orderBy(asc(policyVersions.version));
  const publications = await db.orm.select().from(policyPublications).where(sql`${policyPublications.versions} ? ${pointId}`).orderBy(asc(policyPublications.id));
  const rows = await db.orm.select().from(policyDrafts).where(sql`${policyDrafts.points} ? ${pointId}`).orderBy(desc(policyDrafts.id));
  const drafts = rows.map(({ text: _text, diff: _diff, impact: _impact, ...rest }) => rest);
  return { versions, publications, drafts };
}
