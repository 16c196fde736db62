// Recovery (追回) of money paid for a month after the month of a death or of a 户籍 move. Deaths and
// moves often reach the register late: 2025-05 and 2025-06 are paid, then a death dated 2025-04-20
// arrives. The match of the next month simply stops paying; the months already paid are raised here,
// one case per payment, by a check run after imports (cli recoveries check, or the payout round). A
// finance officer records what came back; a finance approver may write a case off, with the reason.
// Every raise and every close commits with its audit entry.
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database, Orm } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { actorRef, authorize, type Actor, type StaffActor } from '../identity/permissions.ts';
import { factPeriodsFor, periodKindOf } from '../matching/compiled-library.ts';
import { factWatermark } from '../matching/match-repository.ts';
import { formatYuan } from '../money.ts';
import { latestLibraryHash, libraryByHash } from '../policies/library-registry.ts';
import type { Library } from '../policies/library.ts';
import { evaluatePoint } from '../rules/lang/evaluate.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { readSnapshotFacts, validityDate } from '../subjects/facts-repository.ts';
import * as repo from './recovery-repository.ts';

export type RecoveryCase = repo.RecoveryRow;

export interface RecoveryCheck {
  /** Paid months looked at (payments to persons whose register shows a death or a dated change). */
  checked: number;
  raised: RecoveryCase[];
}

interface Overpayment {
  reason: 'death' | 'hukou-moved';
  factDate: string;
  fact: Record<string, unknown>;
  importId: number | null;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

function staffOnly(actor: Actor): StaffActor {
  if (actor.kind !== 'staff') throw new AppError('FORBIDDEN', 'Recoveries are handled by staff accounts only.');
  return actor;
}

/**
 * Why a paid month was not owed, from the person's register records: a death dated before the month
 * began (the month of death is paid: 死亡当月照发), or, in force on the month's first day, a dated record
 * moving the 户籍 to another region than the record before it. Undefined: neither.
 */
function overpaymentCause(records: repo.RegisterRecord[], period: string): Overpayment | undefined {
  const start = validityDate(period);
  const latest = records.at(-1);
  const deathDate = latest && !latest.retracted ? str(latest.facts.deathDate) : undefined;
  if (deathDate !== undefined && deathDate < start) {
    // The import the death came in: the first record carrying this date.
    const first = records.find((r) => !r.retracted && r.facts.deathDate === deathDate)!;
    return { reason: 'death', factDate: deathDate, fact: { deathDate }, importId: first.importId };
  }
  // The record a match for the month reads (as readSnapshotParts does): the latest valid on its first day.
  const valid = records.filter((r) => r.validFrom === null || r.validFrom <= start);
  const inForce = valid.at(-1);
  if (!inForce || inForce.retracted || inForce.validFrom === null) return undefined;
  const before = records.filter((r) => r.seq < inForce.seq && !r.retracted).at(-1);
  const to = str(inForce.facts.hukouRegion);
  const from = str(before?.facts.hukouRegion);
  if (to === undefined || from === undefined || to === from) return undefined;
  return { reason: 'hukou-moved', factDate: inForce.validFrom, fact: { hukouRegion: to, previousHukouRegion: from, effectiveDate: inForce.validFrom }, importId: inForce.importId };
}

/**
 * Raises a recovery case for every paid month of a monthly person benefit that, on the facts now known,
 * was paid after the month of a death or a 户籍 move. The point's own rules decide: the month is
 * re-evaluated (with the library the entry was listed under) on the facts valid on its first day, and
 * only a month they no longer make eligible is raised. Safe to repeat: a payment has at most one case.
 */
export async function checkRecoveries(db: Database, clock: Clock, request: { actor: Actor }): Promise<RecoveryCheck> {
  authorize(request.actor, 'recovery.check');
  const watermark = await factWatermark(db.sql);
  const candidates = await repo.paidMonthsToCheck(db.sql, watermark);
  const libraries = new Map<string, Library>();
  const libraryOf = async (hash: string | null) => {
    const key = hash ?? (await latestLibraryHash(db.orm));
    if (!libraries.has(key)) libraries.set(key, await libraryByHash(db.orm, key));
    return libraries.get(key)!;
  };

  const due: { paid: repo.PaidMonth; cause: Overpayment }[] = [];
  for (const paid of candidates) {
    const point = (await libraryOf(paid.libraryHash)).byId.get(paid.pointId);
    if (!point || point.subject !== 'person' || periodKindOf(point) !== 'month') continue;
    const cause = overpaymentCause(await repo.registerRecords(db.sql, paid.subjectKey, watermark), paid.period);
    if (!cause) continue;
    const period = parsePeriod(paid.period);
    let facts: Record<string, unknown> = {};
    for await (const s of readSnapshotFacts(db.sql, watermark, factPeriodsFor(point, period), { subjectKeys: [paid.subjectKey], subjectType: 'person', validOn: paid.period })) facts = s.facts;
    // A move within the point's region (福田 to 南山 for a Shenzhen benefit) changes nothing: the rules say.
    if (evaluatePoint(point, facts, period).outcome === 'eligible') continue;
    due.push({ paid, cause });
  }

  const raisedBy = actorRef(request.actor);
  const raised = due.length === 0 ? [] : await db.orm.transaction(async (tx) => {
    const out: RecoveryCase[] = [];
    for (const { paid, cause } of due) {
      const row = await repo.insertRecovery(tx, {
        subjectKey: paid.subjectKey,
        pointId: paid.pointId,
        period: paid.period,
        paymentKey: paid.paymentKey,
        entitlementKey: paid.entitlementKey,
        batchId: paid.batchId,
        amountFen: paid.amountFen,
        reason: cause.reason,
        factDate: cause.factDate,
        fact: cause.fact,
        importId: cause.importId,
        raisedBy,
        raisedAt: clock.now(),
      });
      if (!row) continue; // raised meanwhile by a concurrent check
      await appendAudit(tx, clock, {
        actor: raisedBy,
        action: 'recovery.raised',
        entityType: 'recovery',
        entityId: String(row.id),
        payload: { subjectKey: row.subjectKey, pointId: row.pointId, period: row.period, paymentKey: row.paymentKey, batchId: row.batchId, amountFen: row.amountFen, reason: row.reason, factDate: row.factDate, importId: row.importId },
      });
      out.push(row);
    }
    return out;
  });
  return { checked: candidates.length, raised };
}

export async function listRecoveries(orm: Orm, request: { actor: Actor; statuses?: RecoveryCase['status'][] }): Promise<RecoveryCase[]> {
  authorize(request.actor, 'recovery.read');
  return repo.recoveriesIn(orm, request.statuses ?? ['open']);
}

async function openCase(tx: Parameters<Parameters<Orm['transaction']>[0]>[0], id: number): Promise<RecoveryCase> {
  const row = await repo.lockRecovery(tx, id);
  if (!row) throw new AppError('RECOVERY_NOT_FOUND', `Recovery case ${id} does not exist; list the open ones with: cli recoveries list.`);
  if (row.status !== 'open') throw new AppError('RECOVERY_STATE_INVALID', `Recovery case ${id} is already ${row.status === 'recovered' ? 'recovered' : 'written off'} (by account ${row.resolvedBy}); a closed case is not closed again.`, { id, status: row.status });
  return row;
}

/**
 * Records that a case's money came back: the amount (the whole amount paid: a shortfall is written
 * off, with its reason, by an approver), the day it was received and the bank's or treasury's reference.
 */
export async function recordRecovery(orm: Orm, clock: Clock, request: { id: number; amountFen: bigint; recoveredOn: string; reference: string; actor: Actor }): Promise<RecoveryCase> {
  authorize(request.actor, 'recovery.record');
  const officer = staffOnly(request.actor);
  const reference = request.reference.trim();
  if (reference === '') throw new AppError('ARGUMENT_INVALID', `Recording recovery case ${request.id} needs the reference of the money received (the bank's or the treasury's voucher number).`);
  const today = clock.now().toISOString().slice(0, 10);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(request.recoveredOn) || Number.isNaN(Date.parse(`${request.recoveredOn}T00:00:00Z`)) || request.recoveredOn > today) {
    throw new AppError('ARGUMENT_INVALID', `The day the money of recovery case ${request.id} was received must be a date YYYY-MM-DD not after today (${today}); got "${request.recoveredOn}".`);
  }
  return orm.transaction(async (tx) => {
    const row = await openCase(tx, request.id);
    if (request.amountFen !== row.amountFen) {
      throw new AppError('RECOVERY_AMOUNT_MISMATCH', `Recovery case ${request.id} is for ${formatYuan(row.amountFen)} (the payment for ${row.period}); ${formatYuan(request.amountFen)} was given. Record the whole amount once it is back; if less came back and no more will, have a finance approver write the case off with the reason, naming what was received.`, {
        id: request.id,
        amountFen: row.amountFen,
        givenFen: request.amountFen,
      });
    }
    const at = clock.now();
    await repo.markRecovered(tx, request.id, { recoveredFen: request.amountFen, recoveredOn: request.recoveredOn, reference, by: officer.accountId, at });
    await appendAudit(tx, clock, {
      actor: actorRef(request.actor),
      action: 'recovery.recovered',
      entityType: 'recovery',
      entityId: String(request.id),
      payload: { subjectKey: row.subjectKey, pointId: row.pointId, period: row.period, paymentKey: row.paymentKey, amountFen: request.amountFen, recoveredOn: request.recoveredOn, reference },
    });
    return { ...row, status: 'recovered' as const, recoveredFen: request.amountFen, recoveredOn: request.recoveredOn, recoveryReference: reference, resolvedBy: officer.accountId, resolvedAt: at };
  });
}

/**
 * Writes a case off: the money will not come back (no estate, not traceable, not worth pursuing). Only
 * with a reason, and not by the account that raised the case.
 */
export async function writeOffRecovery(orm: Orm, clock: Clock, request: { id: number; reason: string; actor: Actor }): Promise<RecoveryCase> {
  authorize(request.actor, 'recovery.write_off');
  const approver = staffOnly(request.actor);
  const reason = request.reason.trim();
  if (reason === '') {
    throw new AppError('REASON_REQUIRED', `Writing off recovery case ${request.id} needs a reason: why the money cannot come back (e.g. no estate, heirs untraceable, below the cost of pursuing it) and on whose decision. Nothing was changed.`, { id: request.id });
  }
  return orm.transaction(async (tx) => {
    const row = await openCase(tx, request.id);
    if (row.raisedBy === actorRef(approver)) {
      throw new AppError('RECOVERY_SELF_WRITE_OFF_FORBIDDEN', `Recovery case ${request.id} was raised by account ${approver.accountId}, the account writing it off; another finance approver decides on it.`, { id: request.id });
    }
    const at = clock.now();
    await repo.markWrittenOff(tx, request.id, { reason, by: approver.accountId, at });
    await appendAudit(tx, clock, {
      actor: actorRef(request.actor),
      action: 'recovery.written-off',
      entityType: 'recovery',
      entityId: String(request.id),
      payload: { subjectKey: row.subjectKey, pointId: row.pointId, period: row.period, paymentKey: row.paymentKey, amountFen: row.amountFen, reason },
    });
    return { ...row, status: 'written_off' as const, writeOffReason: reason, resolvedBy: approver.accountId, resolvedAt: at };
  });
}

/** How a case's subject is printed: the masked identity number (110105********002X). */
export function maskedSubjects(db: Database, cases: RecoveryCase[]): Promise<Map<string, string>> {
  return repo.maskedIdNumbers(db.sql, [...new Set(cases.map((c) => c.subjectKey))]);
}
