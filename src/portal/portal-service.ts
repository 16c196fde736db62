// What a signed-in enterprise or citizen reads about itself: its entitlements with the reason in plain
// Chinese, one entitlement, its payments. The subject is the actor's own, from its session; no
// operation takes a subject from its caller, so a request cannot name another's data. Accounts masked.
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { entitlementsOf, paymentsOf, type SubjectKind } from '../http/entitlements-repository.ts';
import { authorize, type Actor } from '../identity/permissions.ts';
import { explainEntry } from '../matching/explain-service.ts';
import { formatYuan, roundingLabels, type Rounding } from '../money.ts';

const OUTCOME_TEXT = { eligible: '符合条件', ineligible: '不符合条件', undetermined: '数据不全，暂无法判定' } as const;
const STATUS_TEXT = { listed: '已列入拟享受名单', batched: '已纳入拨付批次', paid: '已拨付', payment_failed: '拨付失败，正在核实', waived: '逾期未确认，视为自愿放弃' } as const;
const PAYMENT_TEXT = { pending: '待发送银行', sent: '已发送银行，等待回执', paid: '已到账', failed: '拨付失败', returned: '款项被退回，正在核实收款账户' } as const;

/** The actor's own subject, after the permission check (only enterprises and citizens hold portal.own). */
function ownSubject(actor: Actor): { subjectKey: string; kind: SubjectKind } {
  authorize(actor, 'portal.own');
  if (actor.kind !== 'subject') throw new AppError('FORBIDDEN', 'The portal shows a signed-in enterprise or citizen its own data; staff use /api/staff.');
  return { subjectKey: actor.subjectKey, kind: actor.role === 'enterprise' ? 'enterprise' : 'person' };
}

export function portalService(db: Database) {
  async function shaped(actor: Actor, subjectKey: string, items: Awaited<ReturnType<typeof entitlementsOf>>) {
    const entitlements = [];
    for (const item of items) {
      // Why, in plain Chinese with citations: re-derived from the pinned library and snapshot.
      const why = await explainEntry(db, { subjectKey, pointId: item.pointId, period: item.period }, actor);
      entitlements.push({
        ...item,
        amountFen: item.amountFen?.toString() ?? null,
        ruleAmountFen: item.ruleAmountFen?.toString() ?? null,
        amountYuan: item.amountFen === null ? null : formatYuan(item.amountFen),
        roundingText: item.rounding ? roundingLabels[item.rounding as Rounding] : null,
        outcomeText: OUTCOME_TEXT[item.outcome],
        statusText: STATUS_TEXT[item.status],
        explanation: why.lines,
        payment: item.payment, // its accountNumber is the masked form: payments keep no clear account
      });
    }
    return entitlements;
  }

  return {
    async entitlements(actor: Actor) {
      const { subjectKey, kind } = ownSubject(actor);
      return shaped(actor, subjectKey, await entitlementsOf(db.orm, subjectKey, kind));
    },

    /** One of the actor's own entitlements; NOT_FOUND when the actor has none for this point and period. */
    async entitlement(actor: Actor, pointId: string, period: string) {
      const { subjectKey, kind } = ownSubject(actor);
      const [entry] = await shaped(actor, subjectKey, await entitlementsOf(db.orm, subjectKey, kind, { pointId, period }));
      if (!entry) throw new AppError('NOT_FOUND', `You have no entitlement for point ${pointId} in ${period}; GET /api/portal/entitlements lists yours.`);
      return entry;
    },

    async payments(actor: Actor) {
      const { subjectKey, kind } = ownSubject(actor);
      return (await paymentsOf(db.orm, subjectKey, kind)).map((p) => ({
        ...p,
        amountFen: p.amountFen.toString(),
        amountYuan: formatYuan(p.amountFen),
        statusText: PAYMENT_TEXT[p.status],
        accountNumber: p.accountNumber, // masked already
      }));
    },
  };
}
