import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { allocateBudget, allocateByPriority, budgetLineOf, allocateProRata, applyCaps, resolveExclusionGroups, tieKey, type Claim } from '../src/matching/allocation.ts';
import { Rng } from '../src/population/random.ts';

const claim = (subjectKey: string, amountFen: bigint, pointId = 'p'): Claim => ({ subjectKey, pointId, amountFen });

const ctx = { pointId: 'p', period: '2024' };
const sumOf = (m: Map<string, bigint>) => [...m.values()].reduce((s, v) => s + v, 0n);
const shuffled = <T>(items: readonly T[], random: Rng): T[] => {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe('budget allocation', () => {
  it('pays every claim in full when the budget suffices', () => {
    expect([...allocateProRata([claim('a', 100n), claim('b', 200n)], 300n, ctx).values()]).toEqual([100n, 200n]);
  });

  it('gives the leftover fen of equal remainders by the hash of (point, period, subject), not by key order', () => {
    // 3 equal claims of 100 fen, budget 100: 33 each, and the extra fen to the smallest tieKey.
    const keys = ['a', 'b', 'c'];
    const out = allocateProRata(keys.map((k) => claim(k, 100n)), 100n, ctx);
    const winner = [...keys].sort((x, y) => (tieKey(ctx, x) < tieKey(ctx, y) ? -1 : 1))[0]!;
    expect(Object.fromEntries(out)).toEqual(Object.fromEntries(keys.map((k) => [k, k === winner ? 34n : 33n])));
    // The hash is the documented one, so anyone can recompute who got the fen.
    expect(tieKey(ctx, 'a')).toBe(createHash('sha256').update('p/2024/a').digest('hex'));
    // Over many periods, each subject wins the tie sometimes: the rule favours nobody systematically.
    const wins = new Map(keys.map((k) => [k, 0]));
    for (let year = 2000; year < 2090; year++) {
      const got = allocateProRata(keys.map((k) => claim(k, 100n)), 100n, { pointId: 'p', period: String(year) });
      for (const [k, v] of got) if (v === 34n) wins.set(k, wins.get(k)! + 1);
    }
    for (const k of keys) expect(wins.get(k)!).toBeGreaterThan(15);
  });

  it('gives the leftover fen to the largest remainders first', () => {
    // budget 10 over 5 + 3 + 3 = 11: floors 4, 2, 2 (8 fen); remainders x 6/11, y 8/11, z 8/11,
    // so the two leftover fen go to y and z although x has the largest claim.
    const out = allocateProRata([claim('x', 5n), claim('y', 3n), claim('z', 3n)], 10n, ctx);
    expect(Object.fromEntries(out)).toEqual({ x: 4n, y: 3n, z: 3n });
  });

  it('sums exactly to the budget, never exceeds a claim, and ignores the order of the claims, over many random cases', () => {
    const random = new Rng(42, 0, 0);
    for (let round = 0; round < 200; round++) {
      const claims = Array.from({ length: random.int(1, 60) }, (_, i) => claim(`s${i}`, BigInt(random.int(1, 50) * (random.int(0, 1) === 0 ? 1 : 100_000))));
      const total = claims.reduce((s, c) => s + c.amountFen, 0n);
      const budget = BigInt(random.int(0, Number(total)));
      const out = allocateProRata(claims, budget, ctx);
      expect(sumOf(out)).toBe(budget < total ? budget : total);
      for (const c of claims) expect(out.get(c.subjectKey)! <= c.amountFen).toBe(true);
      expect(allocateProRata(shuffled(claims, random), budget, ctx)).toEqual(out);
      const desc = allocateByPriority(claims, budget, 'amount-desc', ctx);
      expect(sumOf(desc)).toBe(budget < total ? budget : total);
      expect(allocateByPriority(shuffled(claims, random), budget, 'amount-desc', ctx)).toEqual(desc);
    }
  });

  it('pays smaller claims first under amount-asc, whatever order they come in', () => {
    const out = allocateByPriority([claim('a', 50n), claim('b', 80n), claim('c', 10n)], 100n, 'amount-asc', ctx);
    expect(Object.fromEntries(out)).toEqual({ c: 10n, a: 50n, b: 40n });
  });

  it('pays larger claims first under amount-desc, the boundary claim getting what is left', () => {
    const out = allocateByPriority([claim('a', 50n), claim('b', 80n), claim('c', 10n)], 100n, 'amount-desc', ctx);
    expect(Object.fromEntries(out)).toEqual({ b: 80n, a: 20n, c: 0n });
  });

  it('pays the earlier event first under earliest, subjects without the date last, whatever the amounts', () => {
    const dated = (k: string, fen: bigint, orderDate: string | null) => ({ ...claim(k, fen), orderDate });
    const claims = [dated('a', 50n, '2024-03-01'), dated('b', 10n, null), dated('c', 80n, '2023-12-31'), dated('d', 20n, '2024-03-02')];
    expect(Object.fromEntries(allocateByPriority(claims, 140n, 'earliest', ctx))).toEqual({ c: 80n, a: 50n, d: 10n, b: 0n });
  });

  it('orders equal claims under priority by tieKey, not by subject key', () => {
    const keys = ['k1', 'k2', 'k3', 'k4'];
    const out = allocateByPriority(keys.map((k) => claim(k, 100n)), 150n, 'amount-asc', ctx);
    const order = [...keys].sort((x, y) => (tieKey(ctx, x) < tieKey(ctx, y) ? -1 : 1));
    expect(order).not.toEqual(keys); // the hash order differs from the key order here, so the test can tell them apart
    expect([order.map((k) => out.get(k))]).toEqual([[100n, 50n, 0n, 0n]]);
  });
});

describe('budget pools (allocateBudget)', () => {
  const base = { totalFen: null, share: null, quotas: null, oversubscription: 'pro-rata-largest-remainder' as const, priorityBy: null };

  it('caps a share budget at floor(share × eligible total) to the fen and cuts pro rata', () => {
    // total 1001 fen × 80% = 800.8 → 800 fen
    const claims = [claim('a', 500n), claim('b', 300n), claim('c', 201n)];
    const { cuts, pools } = allocateBudget({ ...base, share: { n: 4n, d: 5n, text: '80%' } }, claims, ctx);
    expect(pools).toEqual([{ scope: 'share', limitFen: 800n, claimedFen: 1001n, paidFen: 800n, lockedFen: 0n }]);
    expect([...cuts.values()].reduce((s, c) => s + c.amountFen, 0n)).toBe(800n);
    expect(cuts.get('a')).toMatchObject({ allocation: 'pro-rata', codes: ['BUDGET:share', 'BUDGET:pro-rata'] });
  });

  it('cuts each district against its own quota, unlisted districts under other, and never moves money between them', () => {
    const claims = [
      { ...claim('a', 600n), district: '440305' },
      { ...claim('b', 600n), district: '440305' },
      { ...claim('c', 100n), district: '440306' },
      { ...claim('d', 300n), district: '440307' },
      { ...claim('e', 300n), district: null },
    ];
    const quotas = { districts: [{ code: '440305', fen: 1000n }, { code: '440306', fen: 500n }], otherFen: 200n };
    const { cuts, pools } = allocateBudget({ ...base, quotas }, claims, ctx);
    expect(pools).toEqual([
      { scope: 'quota:440305', limitFen: 1000n, claimedFen: 1200n, paidFen: 1000n, lockedFen: 0n },
      { scope: 'quota:440306', limitFen: 500n, claimedFen: 100n, paidFen: 100n, lockedFen: 0n }, // 400 fen unused, not lent to 440305
      { scope: 'quota:other', limitFen: 200n, claimedFen: 600n, paidFen: 200n, lockedFen: 0n },
    ]);
    expect(cuts.get('a')!.amountFen + cuts.get('b')!.amountFen).toBe(1000n);
    expect(cuts.get('a')!.codes).toEqual(['BUDGET:quota:440305', 'BUDGET:pro-rata']);
    expect(cuts.has('c')).toBe(false);
    expect(cuts.get('d')!.amountFen + cuts.get('e')!.amountFen).toBe(200n);
    expect(cuts.get('e')!.codes).toEqual(['BUDGET:quota:other', 'BUDGET:pro-rata']);
  });

  it('gives nothing to districts without a quota when the policy has no other:, and a city quota holds its districts', () => {
    const claims = [{ ...claim('a', 600n), district: '440305' }, { ...claim('b', 100n), district: '110101' }];
    const { cuts } = allocateBudget({ ...base, quotas: { districts: [{ code: '440300', fen: 1000n }], otherFen: null } }, claims, ctx);
    expect(cuts.has('a')).toBe(false);
    expect(cuts.get('b')).toEqual({ amountFen: 0n, allocation: 'no-quota', codes: ['BUDGET:quota:unlisted'] });
  });

  it('pays a priority pool in the order the policy names', () => {
    const claims = [claim('a', 50n), claim('b', 80n), claim('c', 10n)];
    const { cuts } = allocateBudget({ ...base, totalFen: 100n, oversubscription: 'priority', priorityBy: 'amount-asc' }, claims, ctx);
    expect(Object.fromEntries([...cuts].map(([k, v]) => [k, v.amountFen]))).toEqual({ a: 50n, b: 40n, c: 10n });
    expect(cuts.get('b')!.codes).toEqual(['BUDGET:priority']);
  });

  it('takes what is already batched or paid off the limit first and shares only the rest (a re-match never re-splits paid money)', () => {
    // ¥1,000 budget; a and b were paid 400 each; c and d arrive later claiming 400 each: 200 is left.
    const locked = [claim('a', 400n), claim('b', 400n)];
    const { cuts, pools } = allocateBudget({ ...base, totalFen: 1000n }, [claim('c', 400n), claim('d', 400n)], ctx, locked);
    expect(pools).toEqual([{ scope: 'total', limitFen: 1000n, claimedFen: 800n, paidFen: 200n, lockedFen: 800n }]);
    expect(cuts.get('c')!.amountFen + cuts.get('d')!.amountFen).toBe(200n);
    // Locked claims over the limit leave nothing, never a negative share.
    const over = allocateBudget({ ...base, totalFen: 500n }, [claim('c', 400n)], ctx, locked);
    expect(over.cuts.get('c')!.amountFen).toBe(0n);
  });

  it('charges locked money to its own district quota only', () => {
    const quotas = { districts: [{ code: '440305', fen: 1000n }, { code: '440306', fen: 500n }], otherFen: null };
    const locked = [{ ...claim('a', 900n), district: '440305' }];
    const claims = [{ ...claim('b', 300n), district: '440305' }, { ...claim('c', 300n), district: '440306' }];
    const { cuts } = allocateBudget({ ...base, quotas }, claims, ctx, locked);
    expect(cuts.get('b')!.amountFen).toBe(100n);
    expect(cuts.has('c')).toBe(false);
  });
});

describe('budget lines (budgetLineOf)', () => {
  const base = { totalFen: null, share: null, quotas: null };
  it('names the pool a subject draws from', () => {
    const quotas = { districts: [{ code: '440300', fen: 1n }], otherFen: 1n };
    expect(budgetLineOf({ ...base, totalFen: 1n }, '440305')).toBe('total');
    expect(budgetLineOf({ ...base, quotas }, '440305')).toBe('quota:440300');
    expect(budgetLineOf({ ...base, quotas }, '110101')).toBe('quota:other');
    expect(budgetLineOf({ ...base, quotas: { ...quotas, otherFen: null } }, '110101')).toBe('quota:unlisted');
    expect(budgetLineOf(base, '440305')).toBe('unlimited');
  });
});

describe('exclusion groups (不得重复享受)', () => {
  const members = [
    { pointId: 'kuogang', group: 'hire', resolution: 'higher-amount' as const, priority: null },
    { pointId: 'xina', group: 'hire', resolution: 'higher-amount' as const, priority: null },
  ];

  it('keeps the higher amount and excludes the other, naming what was kept', () => {
    const { length, 0: only } = resolveExclusionGroups([claim('a', 1500n, 'kuogang'), claim('a', 1000n, 'xina'), claim('b', 1000n, 'xina')], members);
    expect(length).toBe(1);
    expect(only!.excluded).toMatchObject({ subjectKey: 'a', pointId: 'xina', keptPointId: 'kuogang' });
  });

  it('keeps the lower priority number when the group is resolved by priority', () => {
    const byPriority = members.map((m, i) => ({ ...m, resolution: 'priority' as const, priority: i === 0 ? 2 : 1 }));
    const [only] = resolveExclusionGroups([claim('a', 1500n, 'kuogang'), claim('a', 1000n, 'xina')], byPriority);
    expect(only!.excluded).toMatchObject({ pointId: 'kuogang', keptPointId: 'xina' });
  });
});

describe('yearly caps across points', () => {
  it('limits a subject’s total over the capped points, filling them in order', () => {
    const out = applyCaps([claim('a', 600n, 'p1'), claim('a', 600n, 'p2'), claim('b', 300n, 'p1')], [{ id: 'cap', pointIds: ['p1', 'p2'], capFen: 1000n, citation: 'test' }]);
    expect(out.get('a\u0000p2')).toEqual({ amountFen: 400n, capId: 'cap' });
    expect(out.has('a\u0000p1')).toBe(false);
    expect(out.has('b\u0000p1')).toBe(false);
  });
});
