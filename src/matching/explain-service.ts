// Explanations are re-derived, not stored: the entry's run pins the library and the snapshot, so
// evaluating the point again on the facts as they were gives the same decision, with its full trace
// in plain Chinese and the citations.
import type { Database } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { authorize, type Actor } from '../identity/permissions.ts';
import { formatYuan } from '../money.ts';
import { libraryByHash } from '../policies/library-registry.ts';
import { evaluatePoint } from '../rules/lang/evaluate.ts';
import { parsePeriod } from '../rules/lang/period.ts';
import { explain } from '../rules/lang/render.ts';
import { readSnapshotFacts } from '../subjects/facts-repository.ts';
import { factPeriodsFor } from './compiled-library.ts';
import { latestCompletedRunOf, listEntryDecision, pinnedRun } from './match-repository.ts';

export interface EntryExplanation {
  title: string;
  lines: string[];
  outcome: string;
  /** The rule's amount before exclusion groups, caps and the budget. */
  ruleAmountFen: bigint | null;
  amountFen: bigint | null;
  allocation: string | null;
  /** The re-evaluation gave the stored decision again. */
  reproduced: boolean;
  runId: number;
}

const ALLOCATION_TEXT: Record<string, string> = {
  'pro-rata': '申报总额超过预算，按比例（最大余数法）分配',
  priority: '申报总额超过预算，按优先顺序分配',
  'no-quota': '所在区县未分配本项预算额度，不予拨付',
  capped: '超过同一年度跨政策累计上限，按上限核减',
  excluded: '与同组政策不得重复享受，已按就高（或优先）原则享受其他政策',
};

/**
 * Explains one subject's decision for a point and period: from its list entry's run, or, for a subject
 * the list does not hold (plainly ineligible), from the latest completed run that matched the point.
 */
export async function explainEntry(db: Database, key: { subjectKey: string; pointId: string; period: string }, actor: Actor): Promise<EntryExplanation> {
  // Staff read any list; an enterprise or a citizen only its own subject's decisions.
  if (actor.kind === 'subject') {
    authorize(actor, 'portal.own');
    if (actor.subjectKey !== key.subjectKey) throw new AppError('FORBIDDEN', 'An enterprise or a citizen can see only its own decisions.');
  } else authorize(actor, 'list.read');
  const entry = await listEntryDecision(db.sql, key);
  const run = entry ? await pinnedRun(db.sql, entry.runId) : await latestCompletedRunOf(db.sql, key.pointId, key.period);
  if (!run) throw new AppError('NOT_FOUND', `Point ${key.pointId} has not been matched for ${key.period}; run a match first.`);
  const library = await libraryByHash(db.orm, run.libraryHash);
  const point = library.byId.get(key.pointId);
  if (!point) throw new AppError('POLICY_NOT_FOUND', `Point ${key.pointId} is not in the library its run used.`);
  const period = parsePeriod(key.period);
  let facts: Record<string, unknown> = {};
  for await (const s of readSnapshotFacts(db.sql, run.watermarkSeq, factPeriodsFor(point, period), { subjectKeys: [key.subjectKey], subjectType: point.subject, validOn: key.period })) facts = s.facts;
  const evaluation = evaluatePoint(point, facts, period);
  const text = explain(evaluation);
  if (!entry) {
    return { title: text.title, lines: text.lines, outcome: evaluation.outcome, ruleAmountFen: evaluation.amountFen, amountFen: null, allocation: null, reproduced: evaluation.outcome === 'ineligible', runId: run.id };
  }
  const ruleAmount = entry.ruleAmountFen;
  const amount = entry.amountFen;
  const lines = [...text.lines];
  if (entry.allocation && ALLOCATION_TEXT[entry.allocation]) {
    lines.push(`${ALLOCATION_TEXT[entry.allocation]}：按政策计算 ${ruleAmount === null ? '—' : `${formatYuan(ruleAmount)} 元`}，实际${entry.outcome === 'eligible' ? `享受 ${amount === null ? '—' : `${formatYuan(amount)} 元`}` : '不享受本项'}（${entry.reasonCodes.filter((c) => c.includes(':')).join('；')}）`);
  }
  const ruleOutcome = entry.allocation === 'excluded' ? 'eligible' : entry.outcome;
  const reproduced = evaluation.outcome === ruleOutcome && (evaluation.amountFen ?? null) === ruleAmount;
  return { title: text.title, lines, outcome: entry.outcome, ruleAmountFen: ruleAmount, amountFen: amount, allocation: entry.allocation, reproduced, runId: run.id };
}
