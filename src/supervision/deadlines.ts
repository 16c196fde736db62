// 电子监察: every stage between eligibility and payment has a time limit in working days (the point's
// timeLimits, else the system's): list → 公示 published, 公示 ended → batch prepared, prepared → approved,
// approved → paid. Entries and batches nearing or past their limit are listed as warnings, with the
// working days used; entries waiting on a notice, an objection or a confirmation are paused, not late.
// The median time from eligibility (the run that first listed the entry) to payment is reported in
// calendar and working days. Working days are counted on the official calendar (src/calendar).
import { chinaDay, workingDaysBetween } from '../calendar/working-days.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { isAppError } from '../errors.ts';
import { authorize, type Actor } from '../identity/permissions.ts';
import { gateOf, needsNotice } from '../lists/notice-gate.ts';
import { entryStandings } from '../lists/notice-repository.ts';
import { DEFAULT_TIME_LIMITS } from '../policies/lang-loader.ts';
import { latestLibraryHash, libraryByHash } from '../policies/library-registry.ts';
import type { PointModel } from '../rules/lang/model.ts';

type Stage = 'notice' | 'batch' | 'approval' | 'payment';
const STAGE_TEXT: Record<Stage, string> = { notice: '名单待公示', batch: '公示期满待制单', approval: '批次待审批', payment: '已审批待到账' };
// A point missing from the library in force (retired) keeps the loader's defaults.
const DEFAULT_LIMITS = { ...DEFAULT_TIME_LIMITS, cite: null };

interface DeadlineWarning {
  level: 'nearing' | 'overdue';
  stage: Stage;
  stageText: string;
  pointId: string;
  period: string;
  /** An entry's subject (masked by the caller's display) or a batch id. */
  subjectKey: string | null;
  batchId: number | null;
  since: string;
  workingDaysUsed: number;
  limit: number;
  basis: string;
}

export interface DeadlineReport {
  today: string;
  warnings: DeadlineWarning[];
  /** Entries counted at a stage with a clock running, by stage. */
  open: Record<Stage, number>;
  /** Eligibility (first listed) to paid, over every paid payment. */
  toPayment: { payments: number; medianCalendarDays: number | null; medianWorkingDays: number | null };
  /** Stages whose working days could not be counted (a year the official calendar does not hold yet). */
  uncounted: number;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The warnings and the median, for every point or one. */
export async function deadlineReport(db: Database, clock: Clock, input: { actor: Actor; pointId?: string }): Promise<DeadlineReport> {
  authorize(input.actor, 'list.read');
  const today = chinaDay(clock.now());
  let points: ReadonlyMap<string, PointModel> = new Map();
  try {
    points = (await libraryByHash(db.orm, await latestLibraryHash(db.orm))).byId;
  } catch (error) {
    if (!isAppError(error, 'POLICY_NOT_FOUND')) throw error;
  }
  const limitsOf = (pointId: string) => points.get(pointId)?.timeLimits ?? DEFAULT_LIMITS;
  const basisOf = (pointId: string) => {
    const limits = limitsOf(pointId);
    return limits.cite !== null ? `${points.get(pointId)?.document.docNumber ?? ''} ${limits.cite}`.trim() : '系统默认时限（本政策未规定）';
  };
  const warnings: DeadlineWarning[] = [];
  const open: Record<Stage, number> = { notice: 0, batch: 0, approval: 0, payment: 0 };
  let uncounted = 0;
  const counted = new Map<string, number | null>();
  const used = (since: string): number | null => {
    if (!counted.has(since)) {
      try {
        counted.set(since, since >= today ? 0 : workingDaysBetween(since, today));
      } catch (error) {
        if (!isAppError(error, 'CALENDAR_YEAR_UNKNOWN')) throw error;
        counted.set(since, null);
      }
    }
    return counted.get(since)!;
  };
  const check = (w: Omit<DeadlineWarning, 'level' | 'workingDaysUsed' | 'limit' | 'basis' | 'stageText'>) => {
    open[w.stage]++;
    const n = used(w.since);
    if (n === null) {
      uncounted++;
      return;
    }
    const limit = limitsOf(w.pointId)[w.stage];
    // Nearing: at most a fifth of the limit (at least one working day) left.
    const level = n > limit ? 'overdue' : limit - n <= Math.max(1, Math.floor(limit / 5)) ? 'nearing' : null;
    if (level) warnings.push({ ...w, level, stageText: STAGE_TEXT[w.stage], workingDaysUsed: n, limit, basis: basisOf(w.pointId) });
  };

  // Entries: when each was first listed (the run that added it), and where it stands now.
  const lists = await db.sql<{ point_id: string; period: string }[]>`
    select distinct point_id, period from list_entries where status = 'listed' and outcome = 'eligible' and amount_fen > 0
      and (${input.pointId ?? null}::text is null or point_id = ${input.pointId ?? null}) order by 1, 2`;
  for (const list of lists) {
    const firstListed = new Map(
      (
        await db.sql<{ subject_key: string; day: string }[]>`
        select c.subject_key, min(r.finished_at) as day from list_changes c join match_runs r on r.id = c.run_id
        where c.point_id = ${list.point_id} and c.period = ${list.period} and c.change = 'added' group by c.subject_key`
      ).map((r) => [r.subject_key, chinaDay(new Date(r.day))]),
    );
    for (const s of await entryStandings(db.orm, list.point_id, list.period)) {
      const gate = gateOf(s, today);
      const base = { pointId: list.point_id, period: list.period, subjectKey: s.subjectKey, batchId: null };
      if (needsNotice(gate)) check({ ...base, stage: 'notice', since: firstListed.get(s.subjectKey) ?? today });
      else if (gate === 'payable') check({ ...base, stage: 'batch', since: s.notice!.endsOn });
    }
  }

  // Batches: awaiting approval since prepared; approved with payments not yet settled since approved.
  const batches = await db.sql<{ id: string; point_id: string; period: string; status: string; prepared_at: Date; approved_at: Date | null; second_approved_at: Date | null }[]>`
    select b.id::text, b.point_id, b.period, b.status, b.prepared_at, b.approved_at, b.second_approved_at from payout_batches b
    where (b.status = 'prepared' or (b.status in ('approved', 'sent') and exists (select 1 from payments p where p.batch_id = b.id and p.status in ('pending', 'sent'))))
      and (${input.pointId ?? null}::text is null or b.point_id = ${input.pointId ?? null}) order by b.id`;
  for (const b of batches) {
    const base = { pointId: b.point_id, period: b.period, subjectKey: null, batchId: Number(b.id) };
    if (b.status === 'prepared') check({ ...base, stage: 'approval', since: chinaDay(new Date(b.prepared_at)) });
    else check({ ...base, stage: 'payment', since: chinaDay(new Date(b.second_approved_at ?? b.approved_at ?? b.prepared_at)) });
  }

  // Eligibility to payment, over every payment the bank booked.
  const paid = await db.sql<{ first_listed: Date; settled_at: Date }[]>`
    select (select min(r.finished_at) from list_changes c join match_runs r on r.id = c.run_id
            where c.subject_key = p.subject_key and c.point_id = b.point_id and c.period = b.period and c.change = 'added') as first_listed,
           p.settled_at
    from payments p join payout_batches b on b.id = p.batch_id
    where p.status = 'paid' and p.settled_at is not null and (${input.pointId ?? null}::text is null or b.point_id = ${input.pointId ?? null})`;
  const calendarDays: number[] = [];
  const workingDays: number[] = [];
  for (const p of paid) {
    if (p.first_listed === null) continue;
    const from = chinaDay(new Date(p.first_listed));
    const to = chinaDay(new Date(p.settled_at));
    calendarDays.push(Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000));
    try {
      workingDays.push(to <= from ? 0 : workingDaysBetween(from, to));
    } catch (error) {
      if (!isAppError(error, 'CALENDAR_YEAR_UNKNOWN')) throw error;
      uncounted++;
    }
  }
  warnings.sort((a, b) => (a.level === b.level ? b.workingDaysUsed - b.limit - (a.workingDaysUsed - a.limit) : a.level === 'overdue' ? -1 : 1));
  return { today, warnings, open, toPayment: { payments: calendarDays.length, medianCalendarDays: median(calendarDays), medianWorkingDays: median(workingDays) }, uncounted };
}
