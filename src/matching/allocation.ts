// Cross-point rules and budgets, applied after every subject has been evaluated. Pure functions over
// plain rows; amounts are integer fen (bigint) and every allocation adds up to the fen.

export interface Claim {
  subjectKey: string;
  pointId: string;
  amountFen: bigint;
}

/**
 * Pro rata by largest remainder: each claim gets floor(amount × budget / total), and the fen left over
 * go one each to the largest remainders (ties: smaller subject key first). The result sums to the
 * budget exactly and never exceeds a claim. If the claims fit the budget, everyone gets their claim.
 */
export function allocateProRata(claims: readonly Claim[], budgetFen: bigint): Map<string, bigint> {
  const total = claims.reduce((sum, c) => sum + c.amountFen, 0n);
  const out = new Map<string, bigint>();
  if (total <= budgetFen) {
    for (const c of claims) out.set(c.subjectKey, c.amountFen);
    return out;
  }
  const parts = claims.map((c) => {
    const exact = c.amountFen * budgetFen;
    return { key: c.subjectKey, share: exact / total, remainder: exact % total };
  });
  let left = budgetFen - parts.reduce((sum, p) => sum + p.share, 0n);
  const byRemainder = [...parts].sort((a, b) => (a.remainder === b.remainder ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.remainder > b.remainder ? -1 : 1));
  for (const p of byRemainder) {
    if (left === 0n) break;
    p.share += 1n;
    left -= 1n;
  }
  for (const p of parts) out.set(p.key, p.share);
  return out;
}

/**
 * Priority order: claims are paid in full in the given order until the budget runs out; the claim at
 * the boundary gets what is left, later claims nothing.
 */
export function allocateByPriority(claimsInOrder: readonly Claim[], budgetFen: bigint): Map<string, bigint> {
  const out = new Map<string, bigint>();
  let left = budgetFen;
  for (const c of claimsInOrder) {
    const paid = c.amountFen <= left ? c.amountFen : left;
    out.set(c.subjectKey, paid);
    left -= paid;
  }
  return out;
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
