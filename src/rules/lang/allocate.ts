// Pure helpers for what happens after matching: resolving exclusion groups (不得重复享受) and cutting
// claims down to a budget. Money is integer fen; pro-rata cuts add up exactly to the budget.

export interface Claim {
  key: string;
  amountFen: bigint;
  /** Lower number wins under priority resolution / allocation. */
  priority?: number;
}

/**
 * Pro rata by the largest-remainder method: each claim gets floor(budget × amount / total), then the
 * fen left over go one each to the largest remainders (ties: earlier key order). Never exceeds a claim.
 */
export function allocateProRata(budgetFen: bigint, claims: readonly Claim[]): Map<string, bigint> {
  const total = claims.reduce((s, c) => s + c.amountFen, 0n);
  const out = new Map<string, bigint>();
  if (total <= budgetFen) {
    for (const c of claims) out.set(c.key, c.amountFen);
    return out;
  }
  const rows = claims.map((c, i) => {
    const exact = budgetFen * c.amountFen;
    return { c, i, base: exact / total, rem: exact % total };
  });
  let left = budgetFen - rows.reduce((s, r) => s + r.base, 0n);
  const order = [...rows].sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const r of order) {
    if (left === 0n) break;
    if (r.rem > 0n) {
      r.base += 1n;
      left -= 1n;
    }
  }
  for (const r of rows) out.set(r.c.key, r.base);
  return out;
}

/** Priority order: claims are paid in full by ascending priority until the budget runs out (the last one partly). */
export function allocateByPriority(budgetFen: bigint, claims: readonly Claim[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let left = budgetFen;
  const sorted = claims.map((c, i) => ({ c, i })).sort((a, b) => (a.c.priority ?? 0) - (b.c.priority ?? 0) || a.i - b.i);
  for (const { c } of sorted) {
    const paid = c.amountFen <= left ? c.amountFen : left;
    out.set(c.key, paid);
    left -= paid;
  }
  return out;
}

export interface GroupMember {
  pointId: string;
  amountFen: bigint;
  priority: number | null;
}

/**
 * One subject, one exclusion group: which point is paid. 'higher-amount' (就高不就低) keeps the largest
 * amount (ties: the earlier point id); 'priority' keeps the lowest priority number.
 */
export function resolveExclusionGroup(resolution: 'higher-amount' | 'priority', members: readonly GroupMember[]): GroupMember | undefined {
  let best: GroupMember | undefined;
  for (const m of members) {
    if (!best) {
      best = m;
      continue;
    }
    if (resolution === 'higher-amount') {
      if (m.amountFen > best.amountFen || (m.amountFen === best.amountFen && m.pointId < best.pointId)) best = m;
    } else if ((m.priority ?? Infinity) < (best.priority ?? Infinity)) best = m;
  }
  return best;
}
