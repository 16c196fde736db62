// Publishing the policy library. The library as a whole (every file's text) is stored once per content
// hash, so any past run can be re-evaluated exactly; each point whose content changed gets a new
// version. Both are audited in the same transaction.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { and, desc, eq, inArray, max, sql } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-trail.ts';
import { checkpointAfterCommit } from '../audit/checkpoint-events.ts';
import type { Clock } from '../clock.ts';
import type { Orm, Tx } from '../db/clients.ts';
import { policyDocuments, policyDocumentTexts, policyLibraries, policyPublications, policyVersions } from '../db/schema/index.ts';
import { actorRef, authorize, type Actor } from '../identity/permissions.ts';
import { AppError } from '../errors.ts';
import type { PointModel } from '../rules/lang/model.ts';
import { documentTextPath, formatPolicyError, loadLibraryFromTexts, type Library } from './library.ts';

export interface LibraryFile {
  file: string;
  text: string;
}

export interface PublishedLibrary {
  hash: string;
  library: Library;
  /** pointId -> version in force after publishing. */
  versions: Map<string, number>;
  created: string[];
}

/**
 * The library's files, named relative to its root with forward slashes: the names go into the content
 * hash, so the same folder read from another working directory (or another OS) is the same library.
 */
export async function readLibraryFiles(root: string): Promise<LibraryFile[]> {
  const entries = (await readdir(root, { recursive: true })).filter((e) => /\.ya?ml$|\.text\.md$/.test(e)).map((e) => e.split(sep).join('/')).sort();
  return Promise.all(entries.map(async (e) => ({ file: e, text: await readFile(join(root, e), 'utf8') })));
}

export function libraryHash(files: LibraryFile[]): string {
  const hash = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.file.localeCompare(b.file))) hash.update(`${f.file}\n${f.text.length}\n${f.text}`);
  return hash.digest('hex');
}

export function buildLibrary(files: LibraryFile[]): Library {
  const result = loadLibraryFromTexts(files);
  if (!result.ok) {
    const lines = result.errors.map(formatPolicyError);
    throw new AppError('POLICY_LINT_FAILED', `Policy library does not load (${lines.length} error(s)):\n  ${lines.join('\n  ')}`, { errors: lines });
  }
  return result.library;
}

/** What lists and the portal show of a point without loading the library. */
function pointSummary(point: PointModel) {
  return {
    id: point.id,
    name: point.name,
    subject: point.subject,
    citation: `${point.document.docNumber} ${point.citation.article}${point.citation.clause ? ` ${point.citation.clause}` : ''}`,
    document: { id: point.document.id, docNumber: point.document.docNumber, title: point.document.title },
    tags: point.tags,
    frequency: point.frequency,
    delivery: point.delivery,
    rounding: point.amount.rounding,
    effective: { from: point.effective.fromText, to: point.effective.toText },
  };
}

export type PointSummary = ReturnType<typeof pointSummary>;

export interface PublishOptions {
  /**
   * Work that commits with the library or not at all (the review workflow's publication record and its
   * audit entry). Without it, a file whose text changed and that has a publication timeline gets a
   * publication in force since always, so a whole-library publish still decides every period.
   */
  onPublished?: (tx: Tx, published: PublishedLibrary) => Promise<void>;
}

export async function publishLibrary(orm: Orm, clock: Clock, by: Actor, files: LibraryFile[], options: PublishOptions = {}): Promise<PublishedLibrary> {
  authorize(by, 'policy.publish');
  const actor = actorRef(by);
  const library = buildLibrary(files);
  const hash = libraryHash(files);
  let audited = false;
  const published = await orm.transaction(async (tx) => {
    const inserted = await tx.insert(policyLibraries).values({ hash, files, publishedAt: clock.now(), publishedBy: actor }).onConflictDoNothing().returning({ hash: policyLibraries.hash });
    audited = inserted.length > 0;
    if (inserted.length > 0) {
      await appendAudit(tx, clock, { actor, action: 'policy.library-published', entityType: 'policy_library', entityId: hash, payload: { files: files.map((f) => f.file), points: library.points.length } });
    } else {
      // Publishing a library stored before (a rollback to identical texts, or one composed for a period)
      // puts it in force again: it becomes the newest in publication order.
      const [latest] = await tx.select({ hash: policyLibraries.hash }).from(policyLibraries).where(eq(policyLibraries.composed, false)).orderBy(desc(policyLibraries.seq)).limit(1);
      if (latest?.hash !== hash) {
        await tx.execute(sql`update policy_libraries set seq = nextval(pg_get_serial_sequence('policy_libraries', 'seq')), composed = false where hash = ${hash}`);
        audited = true;
        await appendAudit(tx, clock, { actor, action: 'policy.library-republished', entityType: 'policy_library', entityId: hash, payload: { files: files.map((f) => f.file), points: library.points.length, previous: latest?.hash ?? null } });
      }
    }
    // 文本库: the documents' particulars as now published, and every stored text they were checked against.
    const byFile = new Map(files.map((f) => [f.file, f.text]));
    for (const doc of library.documents) {
      const meta = { docNumber: doc.docNumber, title: doc.title, issuer: doc.issuer, published: doc.published, sourceUrl: doc.sourceUrl, level: doc.level, sourceGrade: doc.sourceGrade, sources: doc.sources, textSha256: doc.textSha256 };
      await tx
        .insert(policyDocuments)
        .values({ id: doc.id, ...meta, createdAt: clock.now(), updatedAt: clock.now() })
        .onConflictDoUpdate({ target: policyDocuments.id, set: { ...meta, updatedAt: clock.now() } });
      const text = byFile.get(documentTextPath(doc.file));
      if (doc.textSha256 && text !== undefined) {
        await tx.insert(policyDocumentTexts).values({ documentId: doc.id, sha256: doc.textSha256, text, libraryHash: hash, publishedAt: clock.now() }).onConflictDoNothing();
      }
    }
    const versions = new Map<string, number>();
    const created: string[] = [];
    for (const point of library.points) {
      const [same] = await tx
        .select({ version: policyVersions.version })
        .from(policyVersions)
        .where(and(eq(policyVersions.pointId, point.id), eq(policyVersions.contentHash, point.contentHash)));
      if (same) {
        versions.set(point.id, same.version);
        continue;
      }
      const [{ latest } = { latest: null }] = await tx.select({ latest: max(policyVersions.version) }).from(policyVersions).where(eq(policyVersions.pointId, point.id));
      const version = (latest ?? 0) + 1;
      await tx.insert(policyVersions).values({
        pointId: point.id,
        version,
        documentId: point.document.id,
        contentHash: point.contentHash,
        definition: pointSummary(point),
        libraryHash: hash,
        publishedAt: clock.now(),
        publishedBy: actor,
      });
      await appendAudit(tx, clock, {
        actor,
        action: 'policy.published',
        entityType: 'policy_version',
        entityId: `${point.id}@${version}`,
        payload: { pointId: point.id, version, contentHash: point.contentHash, document: point.document.docNumber, libraryHash: hash },
      });
      versions.set(point.id, version);
      created.push(`${point.id}@${version}`);
    }
    const result = { hash, library, versions, created };
    if (options.onPublished) await options.onPublished(tx, result);
    else await recordOutsideWorkflow(tx, clock, actor, result, files);
    return result;
  });
  if (audited || published.created.length > 0) await checkpointAfterCommit('policy.published', hash);
  return published;
}

/** pointId -> version for the points of one file of a published library. */
export function fileVersions(published: Pick<PublishedLibrary, 'library' | 'versions'>, file: string): Record<string, number> {
  return Object.fromEntries(published.library.points.filter((p) => p.loc.file === file).map((p) => [p.id, published.versions.get(p.id)!]));
}

/** A whole-library publish changing a file that has a publication timeline: in force since always. */
async function recordOutsideWorkflow(tx: Tx, clock: Clock, actor: string, published: PublishedLibrary, files: LibraryFile[]): Promise<void> {
  const timeline = await tx.selectDistinct({ file: policyPublications.file }).from(policyPublications).where(inArray(policyPublications.file, files.map((f) => f.file)));
  for (const { file } of timeline) {
    const [last] = await tx.select({ text: policyPublications.text }).from(policyPublications).where(eq(policyPublications.file, file)).orderBy(desc(policyPublications.id)).limit(1);
    const text = files.find((f) => f.file === file)!.text;
    if (last?.text === text) continue;
    await tx.insert(policyPublications).values({ file, text, libraryHash: published.hash, inForceFrom: null, kind: 'publish', versions: fileVersions(published, file), publishedAt: clock.now(), publishedBy: actor });
  }
}

const cache = new Map<string, Library>();

/** The library a run was pinned to, rebuilt from the stored texts (cached by hash). */
export async function libraryByHash(orm: Orm, hash: string): Promise<Library> {
  const cached = cache.get(hash);
  if (cached) return cached;
  const [row] = await orm.select().from(policyLibraries).where(eq(policyLibraries.hash, hash));
  if (!row) throw new AppError('POLICY_NOT_FOUND', `Policy library ${hash.slice(0, 12)} is not stored; publish the policies first.`);
  const library = buildLibrary(row.files as LibraryFile[]);
  cache.set(hash, library);
  return library;
}

/** A stored library's files as published, or undefined when no library has that hash. */
export async function libraryFiles(orm: Orm, hash: string): Promise<LibraryFile[] | undefined> {
  const [row] = await orm.select({ files: policyLibraries.files }).from(policyLibraries).where(eq(policyLibraries.hash, hash));
  return row ? (row.files as LibraryFile[]) : undefined;
}

/** The latest published library. */
export async function latestLibraryHash(orm: Orm): Promise<string> {
  const [row] = await orm.select({ hash: policyLibraries.hash }).from(policyLibraries).where(eq(policyLibraries.composed, false)).orderBy(desc(policyLibraries.seq)).limit(1);
  if (!row) throw new AppError('POLICY_NOT_FOUND', 'No policy library has been published; run npm start or publish policies/ first.');
  return row.hash;
}
