// The budget ledger's SQL (budget_lines, budget_ledger): the point's lock, what each line has in use,
// the movements a payout step records, and the balances reported to finance. Small statements over
// the executor they are given; the payout service decides when money moves.
import { and, eq, sql as dsql } from 'drizzle-orm';
import type { Orm, Tx } from '../db/clients.ts';
import { budgetLedger, budgetLines } from '../db/schema/index.ts';
import { budgetLineOf } from '../matching/allocation.ts';

type Executor = Orm | Tx;
type LedgerState = 'reserved' | 'committed' | 'paid' | 'released';
export const UNLIMITED_LINE = 'unlimited';

/**
 * Serialises every budget decision of one point and period (batch preparation, rejection) for the
 * rest of the transaction: a transaction-scoped advisory lock, so twenty concurrent preparations
 * reserve one after another, each seeing what the one before it reserved. It holds for points with
 * no budget lines as well (nothing to lock a row on), and is released by commit or rollback.
 */
export async function lockPointBudget(q: Executor, pointId: string, period: string): Promise<void> {
  await q.execute(dsql`select pg_advisory_xact_lock(hashtextextended(${`budget/${pointId}/${period}`}, 0))`);
}

export interface BudgetLine {
  line: string;
  limitFen: bigint;
  runId: number;
}

/** The point's budget lines for the period, as its latest match run set them; none: no budget. */
export function budgetLinesOf(q: Executor, pointId: string, period: string): Promise<BudgetLine[]> {
  return q
    .select({ line: budgetLines.line, limitFen: budgetLines.limitFen, runId: budgetLines.runId })
    .from(budgetLines)
    .where(and(eq(budgetLines.pointId, pointId), eq(budgetLines.period, period)));
}

/** What each line of the point has in use: everything reserved and not released. */
export async function inUseByLine(q: Executor, pointId: string, period: string): Promise<Map<string, bigint>> {
  const rows = await q
    .select({
      line: budgetLedger.line,
      inUse: dsql<string>`(coalesce(sum(${budgetLedger.amountFen}) filter (where ${budgetLedger.fromState} is null), 0) - coalesce(sum(${budgetLedger.amountFen}) filter (where ${budgetLedger.toState} = 'released'), 0))::text`,
    })
    .from(budgetLedger)
    .where(and(eq(budgetLedger.pointId, pointId), eq(budgetLedger.period, period)))
    .groupBy(budgetLedger.line);
  return new Map(rows.map((r) => [r.line, BigInt(r.inUse)]));
}

/**
 * The line a subject's payment draws on, from the point's lines (what the match run wrote): one pool
 * ('total' or 'share'), or district quotas matched by GB/T 2260 prefix as the allocation does.
 */
export function lineForDistrict(lines: readonly BudgetLine[], district: string | null): string {
  if (lines.length === 0) return UNLIMITED_LINE;
  const names = lines.map((l) => l.line);
  if (names.includes('total')) return 'total';
  if (names.includes('share')) return 'share';
  const districts = names.filter((n) => n.startsWith('quota:') && /^quota:\d{6}$/u.test(n)).map((n) => ({ code: n.slice('quota:'.length), fen: 0n }));
  return budgetLineOf({ totalFen: null, share: null, quotas: { districts, otherFen: names.includes('quota:other') ? 0n : null } }, district);
}

export interface Movement {
  pointId: string;
  period: string;
  line: string;
  batchId: number;
  from: Exclude<LedgerState, 'released'> | null;
  to: LedgerState;
  amountFen: bigint;
}

/** Appends movements (zero amounts are not movements and are skipped). */
export async function recordMovements(q: Executor, movements: readonly Movement[], at: Date): Promise<void> {
  const rows = movements.filter((m) => m.amountFen > 0n).map((m) => ({ pointId: m.pointId, period: m.period, line: m.line, batchId: m.batchId, fromState: m.from, toState: m.to, amountFen: m.amountFen, recordedAt: at }));
  for (let i = 0; i < rows.length; i += 500) await q.insert(budgetLedger).values(rows.slice(i, i + 500));
}

/** Sums a batch's payments by budget line: what a step moves for the batch. */
export function byLine(rows: readonly { budgetLine: string; amountFen: bigint }[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const r of rows) out.set(r.budgetLine, (out.get(r.budgetLine) ?? 0n) + r.amountFen);
  return out;
}

export interface LineBalance {
  pointId: string;
  period: string;
  line: string;
  /** null: the point has no budget (line 'unlimited'). */
  limitFen: bigint | null;
  reservedFen: bigint;
  committedFen: bigint;
  paidFen: bigint;
  releasedFen: bigint;
  /** reserved + committed + paid: what the line has in use. */
  inUseFen: bigint;
  /** limit − in use, null without a limit. */
  availableFen: bigint | null;
}

/** Every line's balances (state = moved in − moved out), optionally for one point and period. */
export async function lineBalances(q: Executor, filter: { pointId?: string; period?: string } = {}): Promise<LineBalance[]> {
  const rows = await q.execute<{ point_id: string; period: string; line: string; limit_fen: string | null; reserved: string; committed: string; paid: string; released: string }>(dsql`
    with moves as (
      select point_id, period, line, to_state as state, amount_fen as amount from budget_ledger
      union all
      select point_id, period, line, from_state, -amount_fen from budget_ledger where from_state is not null
    ), balances as (
      select point_id, period, line,
             coalesce(sum(amount) filter (where state = 'reserved'), 0) as reserved,
             coalesce(sum(amount) filter (where state = 'committed'), 0) as committed,
             coalesce(sum(amount) filter (where state = 'paid'), 0) as paid,
             coalesce(sum(amount) filter (where state = 'released'), 0) as released
      from moves group by point_id, period, line
    ), keys as (
      select point_id, period, line from balances union select point_id, period, line from budget_lines
    )
    select k.point_id, k.period, k.line, bl.limit_fen::text as limit_fen,
           coalesce(b.reserved, 0)::text as reserved, coalesce(b.committed, 0)::text as committed,
           coalesce(b.paid, 0)::text as paid, coalesce(b.released, 0)::text as released
    from keys k
    left join balances b using (point_id, period, line)
    left join budget_lines bl using (point_id, period, line)
    where (${filter.pointId ?? null}::text is null or k.point_id = ${filter.pointId ?? null})
      and (${filter.period ?? null}::text is null or k.period = ${filter.period ?? null})
    order by k.point_id, k.period, k.line`);
  return rows.map((r) => {
    const reservedFen = BigInt(r.reserved);
    const committedFen = BigInt(r.committed);
    const paidFen = BigInt(r.paid);
    const inUseFen = reservedFen + committedFen + paidFen;
    const limitFen = r.limit_fen === null ? null : BigInt(r.limit_fen);
    return { pointId: r.point_id, period: r.period, line: r.line, limitFen, reservedFen, committedFen, paidFen, releasedFen: BigInt(r.released), inUseFen, availableFen: limitFen === null ? null : limitFen - inUseFen };
  });
}
