// Publishing policy points as immutable versions. Publishing unchanged content is a no-op; a changed
// point becomes version n+1, and the audit trail records it in the same transaction.
import { createHash } from 'node:crypto';
import { and, desc, eq, max } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-trail.ts';
import { canonicalJson, toJson } from '../audit/canonical-json.ts';
import type { Clock } from '../clock.ts';
import type { Orm } from '../db/clients.ts';
import { policyDocuments, policyVersions } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import type { SkeletonPolicy } from './skeleton-format.ts';

export interface PublishedVersion {
  pointId: string;
  version: number;
  contentHash: string;
  definition: SkeletonPolicy;
  created: boolean;
}

export function policyContentHash(policy: SkeletonPolicy): string {
  return createHash('sha256').update(canonicalJson(toJson(policy))).digest('hex');
}

export async function publishPolicy(orm: Orm, clock: Clock, actor: string, policy: SkeletonPolicy): Promise<PublishedVersion> {
  const contentHash = policyContentHash(policy);
  const pointId = policy.point.id;
  return orm.transaction(async (tx) => {
    const [same] = await tx
      .select({ version: policyVersions.version })
      .from(policyVersions)
      .where(and(eq(policyVersions.pointId, pointId), eq(policyVersions.contentHash, contentHash)));
    if (same) return { pointId, version: same.version, contentHash, definition: policy, created: false };

    const doc = policy.document;
    await tx
      .insert(policyDocuments)
      .values({
        id: doc.id,
        docNumber: doc.docNumber,
        title: doc.title,
        issuer: doc.issuer,
        published: doc.published,
        sourceUrl: doc.sourceUrl ?? null,
        createdAt: clock.now(),
      })
      .onConflictDoNothing();
    const [{ latest } = { latest: null }] = await tx
      .select({ latest: max(policyVersions.version) })
      .from(policyVersions)
      .where(eq(policyVersions.pointId, pointId));
    const version = (latest ?? 0) + 1;
    await tx.insert(policyVersions).values({
      pointId,
      version,
      documentId: doc.id,
      contentHash,
      definition: toJson(policy),
      publishedAt: clock.now(),
      publishedBy: actor,
    });
    await appendAudit(tx, clock, {
      actor,
      action: 'policy.published',
      entityType: 'policy_version',
      entityId: `${pointId}@${version}`,
      payload: { pointId, version, contentHash, document: doc.docNumber },
    });
    return { pointId, version, contentHash, definition: policy, created: true };
  });
}

export async function latestPolicyVersion(orm: Orm, pointId: string): Promise<PublishedVersion> {
  const [row] = await orm.select().from(policyVersions).where(eq(policyVersions.pointId, pointId)).orderBy(desc(policyVersions.version)).limit(1);
  if (!row) throw new AppError('POLICY_NOT_FOUND', `Policy point "${pointId}" has no published version; publish it first (npm start publishes the files in policies/).`);
  return { pointId, version: row.version, contentHash: row.contentHash, definition: row.definition as SkeletonPolicy, created: false };
}

export async function policyVersion(orm: Orm, pointId: string, version: number): Promise<PublishedVersion> {
  const [row] = await orm.select().from(policyVersions).where(and(eq(policyVersions.pointId, pointId), eq(policyVersions.version, version)));
  if (!row) throw new AppError('POLICY_NOT_FOUND', `Policy point "${pointId}" version ${version} does not exist.`);
  return { pointId, version, contentHash: row.contentHash, definition: row.definition as SkeletonPolicy, created: false };
}
