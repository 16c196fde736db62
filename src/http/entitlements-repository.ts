// What an enterprise may see of its own entitlements: list entries joined with the policy version and
// the payment, for one subject only.
import { and, desc, eq } from 'drizzle-orm';
import type { Orm } from '../db/clients.ts';
import { listEntries, payments, policyVersions } from '../db/schema/index.ts';
import type { SkeletonPolicy } from '../policies/skeleton-format.ts';
import type { Reason } from '../rules/decision.ts';

export async function entitlementsOf(orm: Orm, uscc: string) {
  const rows = await orm
    .select({ entry: listEntries, definition: policyVersions.definition, payment: payments })
    .from(listEntries)
    .innerJoin(policyVersions, and(eq(policyVersions.pointId, listEntries.pointId), eq(policyVersions.version, listEntries.policyVersion)))
    .leftJoin(payments, and(eq(payments.subjectKey, listEntries.subjectKey), eq(payments.idempotencyKey, listEntries.idempotencyKey)))
    .where(eq(listEntries.subjectKey, uscc))
    .orderBy(desc(listEntries.period), listEntries.pointId);
  return rows.map(({ entry, definition, payment }) => {
    const policy = definition as SkeletonPolicy;
    return {
      pointId: entry.pointId,
      policyName: policy.point.name,
      citation: `${policy.point.citation.document} ${policy.point.citation.article}${policy.point.citation.heading ? `（${policy.point.citation.heading}）` : ''}`,
      policyVersion: entry.policyVersion,
      period: entry.period,
      outcome: entry.outcome,
      amountFen: entry.amountFen,
      rounding: entry.rounding,
      status: entry.status,
      reasons: entry.reasons as Reason[],
      payment: payment
        ? { status: payment.status, accountKind: payment.accountKind, accountNumber: payment.accountNumber, failureReason: payment.failureReason, settledAt: payment.settledAt }
        : null,
    };
  });
}
