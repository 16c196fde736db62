// 公示, 异议 and 确认: a point's list is published for the working days its policy sets (counted on the
// official calendar with 调休 make-up days), identifiers masked; objections are raised with who and
// why and decided by a reviewer who did not raise them (upheld: the entry is held until a re-match
// corrects it, then published again; rejected: the reason is recorded and shown); where the point
// requires it, the subject confirms amount and account before the deadline, else the entry is waived
// (视为自愿放弃). Every step and its audit entry commit together.
import { appendAudit } from '../audit/audit-trail.ts';
import { chinaDay, workingDayPeriod } from '../calendar/working-days.ts';
import type { Clock } from '../clock.ts';
import type { Database, Tx } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { actorRef, authorize, type Actor } from '../identity/permissions.ts';
import { latestCompletedRunOf } from '../matching/match-repository.ts';
import { lockPointBudget } from '../payouts/budget-ledger.ts';
import { libraryByHash } from '../policies/library-registry.ts';
import { sealAccount } from '../subjects/personal-data.ts';
import { formatYuan } from '../money.ts';
import { gateOf, GATE_TEXT, needsNotice, type Gate } from './notice-gate.ts';
import * as nr from './notice-repository.ts';

export interface PublishedNotice {
  noticeId: number;
  pointId: string;
  period: string;
  entryCount: number;
  totalFen: bigint;
  publishedOn: string;
  endsOn: string;
  workingDays: number;
  /** The working days counted, in order: a reader can check the 调休 make-up days were counted. */
  countedDays: string[];
  basis: string;
  confirmationDueOn: string | null;
}

/** The point as the list's latest run pinned it (the version in force for the list's period). */
async function pointOfList(db: Database, pointId: string, period: string) {
  const run = await latestCompletedRunOf(db.sql, pointId, period);
  if (!run) throw new AppError('POLICY_NOT_FOUND', `No completed match run has listed ${pointId} for ${period}; run a match before publishing its list.`);
  const point = (await libraryByHash(db.orm, run.libraryHash)).byId.get(pointId);
  if (!point) throw new AppError('POLICY_NOT_FOUND', `Point ${pointId} is not in the library its run pinned.`);
  return point;
}

/**
 * Publishes the point's entries that need a notice (never published, changed since, or corrected after
 * an upheld objection). Entries already on a notice at their amount are not published twice.
 */
export async function publishNotice(db: Database, clock: Clock, input: { pointId: string; period: string; actor: Actor }): Promise<PublishedNotice> {
  authorize(input.actor, 'notice.publish');
  const point = await pointOfList(db, input.pointId, input.period);
  const at = clock.now();
  const publishedOn = chinaDay(at);
  const { endsOn, counted } = workingDayPeriod(publishedOn, point.notice.workingDays);
  const confirmationDueOn = point.confirmation === null ? null : workingDayPeriod(publishedOn, point.confirmation.workingDays).endsOn;
  const basis = point.notice.cite !== null ? `${point.document.docNumber} ${point.notice.cite}` : `本政策未规定公示期，按系统默认${point.notice.workingDays}个工作日（通行做法）`;

  const published = await db.orm.transaction(async (tx) => {
    // The same lock as batch preparation: an entry is not batched while it is being published.
    await lockPointBudget(tx, input.pointId, input.period);
    const standings = (await nr.entryStandings(tx, input.pointId, input.period)).filter((s) => needsNotice(gateOf(s, publishedOn)));
    if (standings.length === 0) throw new AppError('NOTICE_EMPTY', `Nothing of ${input.pointId} ${input.period} needs publishing: every listed entry is already on a notice at its amount, held by an upheld objection, or there is none.`);
    const identities = await nr.publicIdentities(tx, standings.map((s) => s.subjectKey));
    const totalFen = standings.reduce((sum, s) => sum + s.amountFen, 0n);
    const noticeId = await nr.insertNotice(tx, { pointId: input.pointId, period: input.period, publishedOn, endsOn, workingDays: point.notice.workingDays, basis, entryCount: standings.length, totalFen, publishedBy: actorRef(input.actor), publishedAt: at });
    await nr.insertNoticeEntries(
      tx,
      standings.map((s) => ({ noticeId, subjectKey: s.subjectKey, pointId: input.pointId, period: input.period, amountFen: s.amountFen, maskedId: identities.get(s.subjectKey)?.maskedId ?? '******', maskedName: identities.get(s.subjectKey)?.maskedName ?? '*' })),
    );
    if (confirmationDueOn !== null) {
      await nr.insertConfirmations(tx, standings.map((s) => ({ subjectKey: s.subjectKey, pointId: input.pointId, period: input.period, noticeId, amountFen: s.amountFen, dueOn: confirmationDueOn, status: 'requested' as const })));
    }
    await appendAudit(tx, clock, {
      actor: actorRef(input.actor),
      action: 'notice.published',
      entityType: 'list_notice',
      entityId: String(noticeId),
      payload: { pointId: input.pointId, period: input.period, publishedOn, endsOn, workingDays: point.notice.workingDays, basis, entryCount: standings.length, totalFen, confirmationDueOn },
    });
    return { noticeId, entryCount: standings.length, totalFen };
  });
  return { ...published, pointId: input.pointId, period: input.period, publishedOn, endsOn, workingDays: point.notice.workingDays, countedDays: counted, basis, confirmationDueOn };
}

/** The public, read-only view of a notice: masked identities and amounts, and where each entry stands. */
export async function publicNotice(db: Database, clock: Clock, noticeId: number) {
  const notice = await nr.findNotice(db.orm, noticeId);
  if (!notice) throw new AppError('NOTICE_NOT_FOUND', `Notice ${noticeId} does not exist.`);
  const today = chinaDay(clock.now());
  const entries = await nr.entriesOfNotice(db.orm, noticeId);
  const decided = await nr.objectionsOf(db.orm, { noticeId });
  const objectionsBy = new Map<string, { open: number; upheld: number; rejected: { reason: string }[] }>();
  for (const o of decided) {
    const s = objectionsBy.get(o.subjectKey) ?? { open: 0, upheld: 0, rejected: [] };
    if (o.status === 'open') s.open++;
    else if (o.status === 'upheld') s.upheld++;
    else s.rejected.push({ reason: o.resolution ?? '' });
    objectionsBy.set(o.subjectKey, s);
  }
  return {
    noticeId,
    pointId: notice.pointId,
    period: notice.period,
    publishedOn: notice.publishedOn,
    endsOn: notice.endsOn,
    workingDays: notice.workingDays,
    basis: notice.basis,
    open: today <= notice.endsOn,
    statusText: today <= notice.endsOn ? `公示中（至${notice.endsOn}）` : `公示期已满（${notice.endsOn}）`,
    entryCount: notice.entryCount,
    totalYuan: formatYuan(notice.totalFen),
    // Identifiers and names as masked at publication; the subject key itself never leaves.
    entries: entries.map((e) => {
      const o = objectionsBy.get(e.subjectKey);
      return {
        maskedId: e.maskedId,
        maskedName: e.maskedName,
        amountYuan: formatYuan(e.amountFen),
        objection: o === undefined ? null : o.open > 0 ? '异议处理中' : o.upheld > 0 ? '异议成立，待更正后重新公示' : `异议不成立：${o.rejected.map((r) => r.reason).join('；')}`,
      };
    }),
  };
}

/** Notices still open or ended within the last 30 days, newest first. */
export async function recentNotices(db: Database, clock: Clock) {
  const since = chinaDay(new Date(clock.now().getTime() - 30 * 86_400_000));
  const today = chinaDay(clock.now());
  return (await nr.noticesSince(db.orm, since)).map((n) => ({ noticeId: n.id, pointId: n.pointId, period: n.period, publishedOn: n.publishedOn, endsOn: n.endsOn, open: today <= n.endsOn, entryCount: n.entryCount, totalYuan: formatYuan(n.totalFen) }));
}

/**
 * An objection to an entry of a notice, while the notice is open. A subject objects to its own entry;
 * staff record one on behalf of whoever raised it (a call, a letter), with who and why in the reason.
 */
export async function raiseObjection(db: Database, clock: Clock, input: { noticeId: number; subjectKey: string; reason: string; actor: Actor }): Promise<{ objectionId: number }> {
  authorize(input.actor, 'objection.raise');
  const reason = input.reason.trim();
  if (reason.length < 4) throw new AppError('REASON_REQUIRED', 'An objection needs its reason (what is wrong with the entry, and on what grounds), at least a few words.');
  if (input.actor.kind === 'subject' && input.actor.subjectKey !== input.subjectKey) {
    throw new AppError('FORBIDDEN', 'A subject can object only to its own entry; to report another, contact the department named on the notice.');
  }
  const notice = await nr.findNotice(db.orm, input.noticeId);
  if (!notice) throw new AppError('NOTICE_NOT_FOUND', `Notice ${input.noticeId} does not exist.`);
  const today = chinaDay(clock.now());
  if (today > notice.endsOn) throw new AppError('NOTICE_ENDED', `Notice ${input.noticeId} ended on ${notice.endsOn}; objections were taken until then. Contact the department for a review (复核) instead.`);
  const entry = await nr.noticeEntry(db.orm, input.noticeId, input.subjectKey);
  if (!entry) throw new AppError('NOT_FOUND', `The entry is not on notice ${input.noticeId}.`);
  return db.orm.transaction(async (tx) => {
    const objectionId = await nr.insertObjection(tx, { noticeId: input.noticeId, subjectKey: input.subjectKey, pointId: notice.pointId, period: notice.period, raisedBy: actorRef(input.actor), reason, raisedAt: clock.now(), status: 'open' });
    await appendAudit(tx, clock, { actor: actorRef(input.actor), action: 'objection.raised', entityType: 'objection', entityId: String(objectionId), payload: { noticeId: input.noticeId, subjectKey: input.subjectKey, pointId: notice.pointId, period: notice.period, reason } });
    return { objectionId };
  });
}

/**
 * A reviewer's decision on an objection, with its reason. Upheld: the entry is held (no batch, no
 * notice) until a match run re-evaluates it, then published again as corrected. Rejected: the entry
 * goes on, and the reason is shown to the raiser and on the public notice.
 */
export async function resolveObjection(db: Database, clock: Clock, input: { objectionId: number; decision: 'upheld' | 'rejected'; reason: string; actor: Actor }): Promise<void> {
  authorize(input.actor, 'objection.resolve');
  const reason = input.reason.trim();
  if (reason.length < 4) throw new AppError('REASON_REQUIRED', `Deciding objection ${input.objectionId} needs the reason for the decision (what was checked, what was found).`);
  await db.orm.transaction(async (tx) => {
    const objection = await nr.lockObjection(tx, input.objectionId);
    if (!objection) throw new AppError('NOT_FOUND', `Objection ${input.objectionId} does not exist.`);
    if (objection.status !== 'open') throw new AppError('OBJECTION_DECIDED', `Objection ${input.objectionId} was already decided (${objection.status}) by ${objection.resolvedBy}.`);
    if (objection.raisedBy === actorRef(input.actor)) throw new AppError('SELF_REVIEW_FORBIDDEN', `Objection ${input.objectionId} was recorded by the account deciding it; another reviewer decides it.`);
    await nr.setObjectionDecision(tx, input.objectionId, { status: input.decision, resolvedBy: actorRef(input.actor), resolution: reason, resolvedAt: clock.now() });
    if (input.decision === 'upheld') {
      await nr.insertHold(tx, { subjectKey: objection.subjectKey, pointId: objection.pointId, period: objection.period, objectionId: objection.id, heldAt: clock.now() });
    }
    await appendAudit(tx, clock, {
      actor: actorRef(input.actor),
      action: `objection.${input.decision}`,
      entityType: 'objection',
      entityId: String(input.objectionId),
      payload: { subjectKey: objection.subjectKey, pointId: objection.pointId, period: objection.period, noticeId: objection.noticeId, reason, raisedBy: objection.raisedBy },
    });
  });
}

/** The subject (or nobody else) confirms the amount and the account to pay, before the deadline. */
export async function confirmEntry(db: Database, clock: Clock, input: { subjectKey: string; pointId: string; period: string; accountNumber: string; accountKind: 'basic' | 'social-insurance'; actor: Actor }): Promise<{ dueOn: string }> {
  authorize(input.actor, 'entry.confirm');
  if (input.actor.kind !== 'subject' || input.actor.subjectKey !== input.subjectKey) throw new AppError('FORBIDDEN', 'Only the subject itself confirms its amount and receiving account.');
  if (!/^\d{8,32}$/u.test(input.accountNumber)) throw new AppError('ARGUMENT_INVALID', 'The receiving account must be 8 to 32 digits, as printed by the bank.');
  return db.orm.transaction(async (tx) => {
    const c = await nr.lockConfirmation(tx, input);
    if (!c) throw new AppError('NOT_FOUND', `No confirmation is asked of this subject for ${input.pointId} ${input.period}.`);
    if (c.status !== 'requested') throw new AppError('CONFIRMATION_CLOSED', `The confirmation for ${input.pointId} ${input.period} is ${c.status === 'confirmed' ? 'already given' : 'closed: the deadline passed and the entry was waived (视为自愿放弃)'}.`);
    const today = chinaDay(clock.now());
    if (today > c.dueOn) throw new AppError('CONFIRMATION_CLOSED', `The confirmation for ${input.pointId} ${input.period} was due by ${c.dueOn}; after it the entry is waived (视为自愿放弃) as the policy says.`);
    const sealed = sealAccount(input.accountNumber);
    await nr.setConfirmed(tx, { ...input, noticeId: c.noticeId }, { ...sealed, accountKind: input.accountKind, confirmedBy: actorRef(input.actor), confirmedAt: clock.now() });
    await appendAudit(tx, clock, { actor: actorRef(input.actor), action: 'entry.confirmed', entityType: 'list_entry', entityId: `${input.pointId}/${input.period}/${input.subjectKey}`, payload: { amountFen: c.amountFen, account: sealed.accountMasked, accountKind: input.accountKind, dueOn: c.dueOn } });
    return { dueOn: c.dueOn };
  });
}

/**
 * Waives every confirmation past its deadline (视为自愿放弃), optionally of one point and period, in
 * the caller's transaction: the entry leaves the list's payable entries and the waiver is audited.
 */
export async function waiveExpired(tx: Tx, clock: Clock, actor: string, scope?: { pointId: string; period: string }): Promise<number> {
  const today = chinaDay(clock.now());
  const expired = await nr.expiredConfirmations(tx, today, scope);
  if (expired.length === 0) return 0;
  const waived = await nr.markWaived(tx, expired, clock.now());
  for (const c of waived) {
    await appendAudit(tx, clock, { actor, action: 'entry.waived', entityType: 'list_entry', entityId: `${c.pointId}/${c.period}/${c.subjectKey}`, payload: { noticeId: c.noticeId, amountFen: c.amountFen, dueOn: c.dueOn, reason: '逾期未确认，视为自愿放弃' } });
  }
  return waived.length;
}

/** How many listed entries of a point stand at each gate today (what a batch can take, what waits). */
export async function gateCounts(db: Database, clock: Clock, pointId: string, period: string): Promise<Record<Gate, number>> {
  const today = chinaDay(clock.now());
  const counts = Object.fromEntries(Object.keys(GATE_TEXT).map((g) => [g, 0])) as Record<Gate, number>;
  for (const s of await nr.entryStandings(db.orm, pointId, period)) counts[gateOf(s, today)]++;
  return counts;
}

/** Objections, open ones by default, oldest first (staff queue). */
export function listObjections(db: Database, filter: { status?: 'open' | 'upheld' | 'rejected'; subjectKey?: string; noticeId?: number }) {
  return nr.objectionsOf(db.orm, filter);
}
