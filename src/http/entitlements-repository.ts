// What an enterprise or a citizen may see of its own: list entries joined with the policy version and
// the payment, and its payments, for one subject of one kind only (enterprise and person keys are two
// key spaces, so every read also filters on the point's subject kind). Like the other repositories it runs on the executor it is given:
// the drizzle client, or a caller's transaction when the read must see that transaction's writes.
import { and, desc, eq, ne, or, sql } from 'drizzle-orm';
import type { Orm, Tx } from '../db/clients.ts';
import { listEntries, payments, policyVersions } from '../db/schema/index.ts';
import type { PointSummary } from '../policies/library-registry.ts';

export type SubjectKind = 'enterprise' | 'person';

export async function entitlementsOf(orm: Orm | Tx, subjectKey: string, kind: SubjectKind, only?: { pointId: string; period: string }) {
  const rows = await orm
    .select({ entry: listEntries, definition: policyVersions.definition, payment: payments })
    .from(listEntries)
    .innerJoin(policyVersions, and(eq(policyVersions.pointId, listEntries.pointId), eq(policyVersions.version, listEntries.policyVersion)))
    .leftJoin(payments, and(eq(payments.subjectKey, listEntries.subjectKey), eq(payments.idempotencyKey, listEntries.idempotencyKey)))
    // Shown: what the subject gets or may get, and exclusions that name a reason (但…除外, 不得重复享受).
    .where(
      and(
        eq(listEntries.subjectKey, subjectKey),
        sql`${policyVersions.definition}->>'subject' = ${kind}`,
        or(ne(listEntries.outcome, 'ineligible'), sql`cardinality(${listEntries.reasonCodes}) > 0`),
        only ? and(eq(listEntries.pointId, only.pointId), eq(listEntries.period, only.period)) : undefined,
      ),
    )
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

/** A subject's payments, newest first, with the point and period each pays. */
export async function paymentsOf(orm: Orm | Tx, subjectKey: string, kind: SubjectKind) {
  const rows = await orm
    .select({ payment: payments, pointId: listEntries.pointId, period: listEntries.period, definition: policyVersions.definition })
    .from(payments)
    .innerJoin(listEntries, and(eq(listEntries.subjectKey, payments.subjectKey), eq(listEntries.idempotencyKey, payments.idempotencyKey)))
    .innerJoin(policyVersions, and(eq(policyVersions.pointId, listEntries.pointId), eq(policyVersions.version, listEntries.policyVersion)))
    .where(and(eq(payments.subjectKey, subjectKey), sql`${policyVersions.definition}->>'subject' = ${kind}`))
    .orderBy(desc(listEntries.period), listEntries.pointId);
  return rows.map(({ payment, pointId, period, definition }) => ({
    pointId,
    period,
    policyName: (definition as PointSummary).name,
    batchId: payment.batchId,
    amountFen: payment.amountFen,
    status: payment.status,
    accountKind: payment.accountKind,
    accountNumber: payment.accountMasked,
    failureReason: payment.failureReason,
    sentAt: payment.sentAt,
    settledAt: payment.settledAt,
  }));
}
