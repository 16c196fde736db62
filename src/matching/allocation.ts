// Cross-point rules and budgets, applied after every subject has been evaluated. Pure functions over
// plain rows; amounts are integer fen (bigint) and every allocation adds up to the fen.
import { createHash } from 'node:crypto';

export interface Claim {
  subjectKey: string;
  pointId: string;
  amountFen: bigint;
}

/** Where a budget's fen are decided, so that its cut is the same whatever order the claims arrive in. */
export interface AllocationContext {
  pointId: string;
  period: string;
}

/**
 * The deterministic tie-break of every budget: SHA-256 of "point id / period / subject key", compared
 * as hex. It depends on nothing but the claim itself (not the import or key order), it is stable from
 * run to run, and because the hash is uniform it favours no subject systematically — unlike USCC order,
 * which would always favour the same registration authorities and the earliest-registered firms.
 * A different period reshuffles ties, so no subject is last in every year.
 */
export function tieKey(context: AllocationContext, subjectKey: string): string {
  return createHash('sha256').update(`${context.pointId}/${context.period}/${subjectKey}`).digest('hex');
}

const byTie = (a: { tie: string }, b: { tie: string }) => (a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0);

/**
 * Pro rata by largest remainder (Hamilton): each claim gets floor(amount × budget / total), and the
 * fen left over go one each to the largest remainders; equal remainders are ordered by tieKey. The
 * result sums to the budget exactly, never exceeds a claim, and does not depend on the order of the
 * claims. If the claims fit the budget, everyone gets their claim.
 */
export function allocateProRata(claims: readonly Claim[], budgetFen: bigint, context: AllocationContext): Map<string, bigint> {
  const total = claims.reduce((sum, c) => sum + c.amountFen, 0n);
  const out = new Map<string, bigint>();
  if (total <= budgetFen) {
    for (const c of claims) out.set(c.subjectKey, c.amountFen);
    return out;
  }
  const parts = claims.map((c) => {
    const exact = c.amountFen * budgetFen;
    return { key: c.subjectKey, share: exact / total, remainder: exact % total, tie: '' };
  });
  let left = budgetFen - parts.reduce((sum, p) => sum + p.share, 0n);
  // Only claims with a remainder can receive a leftover fen; hashing just those keeps big pools cheap.
  const candidates = parts.filter((p) => p.remainder > 0n);
  for (const p of candidates) p.tie = tieKey(context, p.key);
  candidates.sort((a, b) => (a.remainder === b.remainder ? byTie(a, b) : a.remainder > b.remainder ? -1 : 1));
  for (const p of candidates) {
    if (left === 0n) break;
    p.share += 1n;
    left -= 1n;
  }
  for (const p of parts) out.set(p.key, p.share);
  return out;
}

/** The orders a policy may name for `priority` (优先顺序); the final tie-break is always tieKey. */
export type PriorityOrder = 'amount-asc' | 'amount-desc' | 'earliest';

export interface OrderedClaim extends Claim {
  /** For `earliest`: the date (YYYY-MM-DD) of the event the policy orders by; null when there is none. */
  orderDate?: string | null;
}

/**
 * Priority order: claims are sorted by the policy's order — amount-asc: smaller claims first, as 普惠
 * policies do; amount-desc: larger first; earliest: the earlier event first (先到先得 by a date fact the
 * policy names, subjects without the date after all who have it) — equal keys by tieKey; then paid in
 * full until the budget runs out: the claim at the boundary gets what is left, later claims nothing.
 * The input order does not matter.
 */
export function allocateByPriority(claims: readonly OrderedClaim[], budgetFen: bigint, order: PriorityOrder, context: AllocationContext): Map<string, bigint> {
  const sorted = claims.map((c) => ({ c, tie: tieKey(context, c.subjectKey) }));
  const byKey = (a: OrderedClaim, b: OrderedClaim): number => {
    if (order === 'earliest') {
      const da = a.orderDate ?? null;
      const db = b.orderDate ?? null;
      if (da === db) return 0;
      if (da === null) return 1;
      if (db === null) return -1;
      return da < db ? -1 : 1;
    }
    if (a.amountFen === b.amountFen) return 0;
    return (a.amountFen < b.amountFen ? -1 : 1) * (order === 'amount-asc' ? 1 : -1);
  };
  sorted.sort((a, b) => byKey(a.c, b.c) || byTie(a, b));
  const out = new Map<string, bigint>();
  let left = budgetFen;
  for (const { c } of sorted) {
    const paid = c.amountFen <= left ? c.amountFen : left;
    out.set(c.subjectKey, paid);
    left -= paid;
  }
  return out;
}

/** A point's budget as the policy states it (see docs/policy-authoring.md, 预算). */
export interface BudgetRule {
  /** A fixed total; null when the point has none. */
  totalFen: bigint | null;
  /** A share of what the eligible claims add up to, as an exact fraction 0 < n/d ≤ 1. */
  share: { n: bigint; d: bigint; text: string } | null;
  /** Per-district quotas (GB/T 2260 codes, none containing another); otherFen for every other district, or null: they get nothing. */
  quotas: { districts: { code: string; fen: bigint }[]; otherFen: bigint | null } | null;
  oversubscription: 'pro-rata-largest-remainder' | 'priority';
  priorityBy: PriorityOrder | null;
  /** The date fact `earliest` orders by. */
  priorityFact?: string | null;
}

export interface BudgetClaim extends OrderedClaim {
  /** The subject's district (regionCode of an enterprise, hukouRegion of a person); only quotas read it. */
  district?: string | null;
}

export interface BudgetCut {
  amountFen: bigint;
  /** 'pro-rata' or 'priority' when a pool was oversubscribed; 'no-quota' for a district without a quota. */
  allocation: 'pro-rata' | 'priority' | 'no-quota';
  codes: string[];
}

export interface BudgetPool {
  /** 'total', 'share' or 'quota:<code>' / 'quota:other' / 'quota:unlisted'. */
  scope: string;
  limitFen: bigint;
  claimedFen: bigint;
  paidFen: bigint;
  /** What entries already batched or paid hold of the limit: fixed, never re-split. */
  lockedFen: bigint;
}

/** Does the rule limit anything? A budget with no total, share or quota pays every claim in full. */
export function budgetLimited(budget: Pick<BudgetRule, 'totalFen' | 'share' | 'quotas'>): boolean {
  return budget.totalFen !== null || budget.share !== null || budget.quotas !== null;
}

/** share × total, rounded down to the fen: the point never pays more than its share. */
function shareCapFen(share: { n: bigint; d: bigint }, totalFen: bigint): bigint {
  return (share.n * totalFen) / share.d;
}

/** The most the budget can pay for claims adding up to totalFen (quotas: their sum, plus `other`). */
export function budgetLimitFen(budget: Pick<BudgetRule, 'totalFen' | 'share' | 'quotas'>, totalFen: bigint): bigint | null {
  if (budget.totalFen !== null) return budget.totalFen;
  if (budget.share !== null) return shareCapFen(budget.share, totalFen);
  if (budget.quotas !== null) return budget.quotas.districts.reduce((s, q) => s + q.fen, 0n) + (budget.quotas.otherFen ?? 0n);
  return null;
}

/** The quota a district falls under: a listed code equal to it or containing it (440300 holds 440305). */
function quotaOf(quotas: NonNullable<BudgetRule['quotas']>, district: string | null | undefined): string | null {
  if (!district) return null;
  for (const q of quotas.districts) {
    const prefix = q.code.endsWith('0000') ? q.code.slice(0, 2) : q.code.endsWith('00') ? q.code.slice(0, 4) : q.code;
    if (district.startsWith(prefix)) return q.code;
  }
  return null;
}

/**
 * The budget line (pool) a subject's money is drawn from: 'total', 'share', or 'quota:<code>' /
 * 'quota:other' / 'quota:unlisted' for per-district quotas. Batch preparation reserves against it.
 */
export function budgetLineOf(budget: Pick<BudgetRule, 'totalFen' | 'share' | 'quotas'>, district: string | null | undefined): string {
  if (budget.quotas !== null) {
    const code = quotaOf(budget.quotas, district);
    return code !== null ? `quota:${code}` : budget.quotas.otherFen !== null ? 'quota:other' : 'quota:unlisted';
  }
  return budget.share !== null ? 'share' : budget.totalFen !== null ? 'total' : 'unlimited';
}

/**
 * One point's budget over its claims: the claims are split into pools (one for a total or a share;
 * one per district quota), each pool is cut by the point's oversubscription rule when its claims
 * exceed its limit, and pools never lend to each other. Returns the entries that are cut (entries of
 * a pool within its limit are paid in full and not listed) and every pool's figures. Each pool pays
 * exactly min(limit, claims) to the fen.
 *
 * `locked` are entries already batched or paid: their amounts are fixed (a re-match never reduces
 * money that is on its way or gone), so they come off their pool's limit first and only the rest is
 * shared among the open claims. A share budget's cap is taken of open and locked claims together.
 */
export function allocateBudget(budget: BudgetRule, claims: readonly BudgetClaim[], context: AllocationContext, locked: readonly BudgetClaim[] = []): { cuts: Map<string, BudgetCut>; pools: BudgetPool[] } {
  const cuts = new Map<string, BudgetCut>();
  const pools: BudgetPool[] = [];
  const label = budget.oversubscription === 'priority' ? 'priority' : 'pro-rata';
  const lockedIn = new Map<string, bigint>();
  for (const c of locked) {
    const line = budgetLineOf(budget, c.district);
    lockedIn.set(line, (lockedIn.get(line) ?? 0n) + c.amountFen);
  }
  const cutPool = (scope: string, members: readonly BudgetClaim[], limitFen: bigint, codes: string[]) => {
    const lockedFen = lockedIn.get(scope) ?? 0n;
    const openLimit = limitFen > lockedFen ? limitFen - lockedFen : 0n;
    const claimedFen = members.reduce((s, c) => s + c.amountFen, 0n);
    const paidFen = claimedFen < openLimit ? claimedFen : openLimit;
    pools.push({ scope, limitFen, claimedFen, paidFen, lockedFen });
    if (claimedFen <= openLimit) return;
    const paid = budget.oversubscription === 'priority' ? allocateByPriority(members, openLimit, budget.priorityBy ?? 'amount-asc', context) : allocateProRata(members, openLimit, context);
    for (const c of members) cuts.set(c.subjectKey, { amountFen: paid.get(c.subjectKey)!, allocation: label, codes: [...codes, `BUDGET:${label}`] });
  };
  if (budget.quotas !== null) {
    const byQuota = new Map<string, BudgetClaim[]>();
    for (const c of claims) {
      const scope = quotaOf(budget.quotas, c.district) ?? 'other';
      const list = byQuota.get(scope) ?? [];
      list.push(c);
      byQuota.set(scope, list);
    }
    for (const q of budget.quotas.districts) cutPool(`quota:${q.code}`, byQuota.get(q.code) ?? [], q.fen, [`BUDGET:quota:${q.code}`]);
    const others = byQuota.get('other') ?? [];
    if (budget.quotas.otherFen !== null) cutPool('quota:other', others, budget.quotas.otherFen, ['BUDGET:quota:other']);
    else if (others.length > 0) {
      // No `other:` quota: the policy funds only the districts it lists.
      pools.push({ scope: 'quota:unlisted', limitFen: 0n, claimedFen: others.reduce((s, c) => s + c.amountFen, 0n), paidFen: 0n, lockedFen: lockedIn.get('quota:unlisted') ?? 0n });
      for (const c of others) cuts.set(c.subjectKey, { amountFen: 0n, allocation: 'no-quota', codes: ['BUDGET:quota:unlisted'] });
    }
  } else if (budget.share !== null) {
    const total = [...claims, ...locked].reduce((s, c) => s + c.amountFen, 0n);
    cutPool('share', claims, shareCapFen(budget.share, total), ['BUDGET:share']);
  } else if (budget.totalFen !== null) {
    cutPool('total', claims, budget.totalFen, []);
  }
  return { cuts, pools };
}

export interface GroupMember {
  pointId: string;
  group: string;
  resolution: 'higher-amount' | 'priority';
  priority: number | null;
}

/**
 * 不得重复享受: of one subject's eligible claims in the same exclusion group, one is kept — the higher
 * amount (就高不就低; ties by point id) or the lowest priority number. Returns the excluded claims with
 * the point that was kept instead.
 */
export function resolveExclusionGroups(claims: readonly Claim[], members: readonly GroupMember[]): { excluded: Claim & { keptPointId: string; group: string } }[] {
  const memberOf = new Map(members.map((m) => [m.pointId, m]));
  const bySubjectGroup = new Map<string, (Claim & { member: GroupMember })[]>();
  for (const c of claims) {
    const member = memberOf.get(c.pointId);
    if (!member) continue;
    const key = `${c.subjectKey}\u0000${member.group}`;
    const list = bySubjectGroup.get(key) ?? [];
    list.push({ ...c, member });
    bySubjectGroup.set(key, list);
  }
  const out: { excluded: Claim & { keptPointId: string; group: string } }[] = [];
  for (const list of bySubjectGroup.values()) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => {
      if (a.member.resolution === 'priority') {
        const pa = a.member.priority ?? Number.MAX_SAFE_INTEGER;
        const pb = b.member.priority ?? Number.MAX_SAFE_INTEGER;
        if (pa !== pb) return pa - pb;
      } else if (a.amountFen !== b.amountFen) return a.amountFen > b.amountFen ? -1 : 1;
      return a.pointId.localeCompare(b.pointId);
    });
    const kept = sorted[0]!;
    for (const loser of sorted.slice(1)) {
      out.push({ excluded: { subjectKey: loser.subjectKey, pointId: loser.pointId, amountFen: loser.amountFen, keptPointId: kept.pointId, group: kept.member.group } });
    }
  }
  return out;
}

export interface CapRule {
  id: string;
  /** The points whose amounts count against the cap, in the order they are filled. */
  pointIds: string[];
  capFen: bigint;
  citation: string;
}

/** A subject's total over the cap's points is limited to the cap, filling points in the cap's order. */
export function applyCaps(claims: readonly Claim[], caps: readonly CapRule[]): Map<string, { amountFen: bigint; capId: string }> {
  const out = new Map<string, { amountFen: bigint; capId: string }>();
  for (const cap of caps) {
    const order = new Map(cap.pointIds.map((p, i) => [p, i]));
    const bySubject = new Map<string, Claim[]>();
    for (const c of claims) {
      if (!order.has(c.pointId)) continue;
      const list = bySubject.get(c.subjectKey) ?? [];
      list.push(c);
      bySubject.set(c.subjectKey, list);
    }
    for (const list of bySubject.values()) {
      const total = list.reduce((s, c) => s + c.amountFen, 0n);
      if (total <= cap.capFen) continue;
      let left = cap.capFen;
      for (const c of list.sort((a, b) => order.get(a.pointId)! - order.get(b.pointId)!)) {
        const paid = c.amountFen <= left ? c.amountFen : left;
        left -= paid;
        if (paid !== c.amountFen) out.set(`${c.subjectKey}\u0000${c.pointId}`, { amountFen: paid, capId: cap.id });
      }
    }
  }
  return out;
}
