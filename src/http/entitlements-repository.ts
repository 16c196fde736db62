// What an enterprise may see of its own entitlements: list entries joined with the policy version and
// the payment, for one subject only. Like the other repositories it runs on the executor it is given:
// the drizzle client, or a caller's transaction when the read must see that transaction's writes.
import { and, desc, eq, ne, or, sql } from 'drizzle-orm';
import type { Orm, Tx } from '../db/clients.ts';
import { listEntries, payments, policyVersions } from '../db/schema/index.ts';
import type { PointSummary } from '../policies/library-registry.ts';

export async function entitlementsOf(orm: Orm | Tx, subjectKey: string) {
  const rows = await orm
    .select({ entry: listEntries, definition: policyVersions.definition, payment: payments })
    .from(listEntries)
    .innerJoin(policyVersions, and(eq(policyVersions.pointId, listEntries.pointId), eq(policyVersions.version, listEntries.policyVersion)))
    .leftJoin(payments, and(eq(payments.subjectKey, listEntries.subjectKey), eq(payments.idempotencyKey, listEntries.idempotencyKey)))
    // Shown: what the subject gets or may get, and exclusions that name a reason (但…除外, 不得重复享受).
    .where(and(eq(listEntries.subjectKey, subjectKey), or(ne(listEntries.outcome, 'ineligible'), sql`cardinality(${listEntries.reasonCodes}) > 0`)))
    .orderBy(desc(listEntries.period), listEntries.pointId);
  return rows.map(({ entry, definition, payment }) => {
    const point = definition as PointSummary;
    return {
      pointId: entry.pointId,
      policyName: point.name,
      citation: point.citation,
      document: point.document.title,
      policyVersion: entry.policyVersion,
      period: entry.period,
      outcome: entry.outcome,
      amountFen: entry.amountFen,
      ruleAmountFen: entry.ruleAmountFen,
      allocation: entry.allocation,
      rounding: entry.rounding,
      status: entry.status,
      reasonCodes: entry.reasonCodes,
      payment: payment
        ? { status: payment.status, accountKind: payment.accountKind, accountNumber: payment.accountMasked, failureReason: payment.failureReason, settledAt: payment.settledAt }
        : null,
    };
  });
}
