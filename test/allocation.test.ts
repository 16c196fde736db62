import { describe, expect, it } from 'vitest';
import { allocateByPriority, allocateProRata, applyCaps, resolveExclusionGroups, type Claim } from '../src/matching/allocation.ts';
import { Rng } from '../src/population/random.ts';

const claim = (subjectKey: string, amountFen: bigint, pointId = 'p'): Claim => ({ subjectKey, pointId, amountFen });

describe('budget allocation', () => {
  it('pays every claim in full when the budget suffices', () => {
    expect([...allocateProRata([claim('a', 100n), claim('b', 200n)], 300n).values()]).toEqual([100n, 200n]);
  });

  it('cuts pro rata by largest remainder so the total equals the budget to the fen', () => {
    // 3 equal claims of 100 fen, budget 100: 33 each and the extra fen to the first key
    const out = allocateProRata([claim('c', 100n), claim('a', 100n), claim('b', 100n)], 100n);
    expect(Object.fromEntries(out)).toEqual({ a: 34n, b: 33n, c: 33n });
  });

  it('sums exactly to the budget and never exceeds a claim, over many random cases', () => {
    const random = new Rng(42, 0, 0);
    for (let round = 0; round < 200; round++) {
      const claims = Array.from({ length: random.int(1, 60) }, (_, i) => claim(`s${i}`, BigInt(random.int(1, 5_000_000))));
      const total = claims.reduce((s, c) => s + c.amountFen, 0n);
      const budget = BigInt(random.int(0, Number(total)));
      const out = allocateProRata(claims, budget);
      expect([...out.values()].reduce((s, v) => s + v, 0n)).toBe(budget < total ? budget : total);
      for (const c of claims) expect(out.get(c.subjectKey)! <= c.amountFen).toBe(true);
    }
  });

  it('pays in priority order until the budget runs out', () => {
    const out = allocateByPriority([claim('a', 50n), claim('b', 80n), claim('c', 10n)], 100n);
    expect(Object.fromEntries(out)).toEqual({ a: 50n, b: 50n, c: 0n });
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
