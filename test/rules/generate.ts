// Seeded generators of subjects for a policy point: values near every threshold the point mentions,
// missing data, none values, odd inputs (bigint money, decimal strings, values beyond 2^53).
import type { FactDef } from '../../src/dictionary/facts.ts';
import { REGIONS } from '../../src/dictionary/codes.ts';
import { dependencies } from '../../src/rules/lang/deps.ts';
import { children } from '../../src/rules/lang/evaluate.ts';
import type { IR, Val } from '../../src/rules/lang/ir.ts';
import type { PointModel } from '../../src/rules/lang/model.ts';
import { dayToIso } from '../../src/rules/lang/parser.ts';
import { parsePeriod, type Period } from '../../src/rules/lang/period.ts';
import { unitKey } from '../../src/rules/lang/types.ts';

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INDUSTRIES = ['C3911', 'C3832', 'E4710', 'F5110', 'F5211', 'G5910', 'G6010', 'G5410', 'H6110', 'H6210', 'I6510', 'I6311', 'A0111', 'M7310', 'K7010', 'L7211', 'B0610', 'D4411', 'P8310', 'J6620'];
const REGION_CODES = [...Object.keys(REGIONS), '440605', '440106', '110105'];

/** Numeric constants a point compares against, by unit, so generated values sit on and around them. */
function thresholds(point: PointModel): Map<string, number[]> {
  const out = new Map<string, number[]>();
  const add = (unit: string, v: Val) => {
    if (v === null || typeof v !== 'object') return;
    const n = Number(v.n) / Number(v.d);
    out.set(unit, [...(out.get(unit) ?? []), Math.floor(n), Math.ceil(n)]);
  };
  const seen = new Set<IR>();
  const walk = (ir: IR) => {
    if (seen.has(ir)) return;
    seen.add(ir);
    if (ir.ty.k === 'num' && ir.op === 'const') add(unitKey(ir.ty.unit), ir.v);
    if (ir.op === 'param' && ir.ty.k === 'num') for (const v of ir.param.values) add(unitKey(ir.ty.unit), v.v);
    if (ir.op === 'ref') walk(ir.def.body);
    if (ir.op === 'table') {
      const ty = ir.table.inputs.map((i) => i.ir.ty);
      for (const row of ir.table.rows)
        row.cells.forEach((c, i) => {
          const t = ty[i];
          if (!t || t.k !== 'num') return;
          if (c.k === 'cmp') add(unitKey(t.unit), c.v);
          if (c.k === 'range') {
            add(unitKey(t.unit), c.lo);
            add(unitKey(t.unit), c.hi);
          }
        });
    }
    children(ir).forEach(walk);
  };
  [...point.conditions, ...point.exceptions].forEach((c) => walk(c.ir));
  walk(point.amount.ir);
  return out;
}

export interface Generator {
  next(): { facts: Record<string, unknown>; period: Period };
}

export function subjectGenerator(point: PointModel, seed: number, opts: { odd?: boolean } = {}): Generator {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const deps = dependencies([...point.conditions, ...point.exceptions].map((c) => c.ir).concat(point.amount.ir, point.amount.cap ? [point.amount.cap] : []));
  const facts = [...deps.facts];
  const th = thresholds(point);
  const fromYear = Number(point.effective.fromText.slice(0, 4));
  const toYear = point.effective.toText ? Number(point.effective.toText.slice(0, 4)) : fromYear + 3;
  const periods: Period[] = [];
  for (let y = fromYear - 1; y <= toYear + 1; y++) {
    periods.push(parsePeriod(String(y)));
    for (const m of [1, 3, 6, 8, 9, 12]) periods.push(parsePeriod(`${y}-${String(m).padStart(2, '0')}`));
  }
  const num = (f: FactDef): unknown => {
    const t = f.type as { k: 'num'; unit: Record<string, number> };
    const near: number[] = th.get(unitKey(t.unit)) ?? [];
    const fen = t.unit.fen === 1;
    let v: number;
    const roll = r();
    if (near.length && roll < 0.45) v = Math.max(0, pick(near) + pick([-1, 0, 0, 1]));
    else if (fen) v = Math.floor(r() * (roll < 0.8 ? 5_000_000 : 200_000_000_000));
    else if (t.unit.month === 1) v = Math.floor(r() * 40);
    else if (t.unit.times === 1) v = Math.floor(r() * 5);
    else v = Math.floor(r() * (roll < 0.8 ? 60 : 3000));
    if (opts.odd && fen) {
      const o = r();
      if (o < 0.05) return BigInt(v);
      if (o < 0.07) return `${v}.5`;
      if (o < 0.09) return 9_000_000_000_000_000n + BigInt(v);
      if (o < 0.15) return String(v);
    }
    return v;
  };
  const dateNear = (period: Period): string => {
    const base = pick([period.start, period.end, period.start - 1, period.end + 1, period.start - 365 * 70, period.end - 365 * 80 - 20, period.start - 365 * 100, period.start + 15, 18870, 18871]);
    return dayToIso(base + Math.floor((r() - 0.5) * 4) * (r() < 0.5 ? 0 : 1));
  };
  const value = (f: FactDef, period: Period): unknown => {
    const nullable = 'nullable' in f.type && f.type.nullable === true;
    if (nullable && r() < 0.25) return null;
    switch (f.type.k) {
      case 'num':
        return num(f);
      case 'bool':
        return r() < 0.5;
      case 'date':
        return dateNear(period);
      case 'enum':
        return pick(f.type.values);
      case 'code':
        return f.type.list === 'industry' ? pick(INDUSTRIES) : pick(REGION_CODES);
      default:
        return pick(['x', 'y']);
    }
  };
  const cases = point.tests.map((t) => ({ facts: t.facts, period: parsePeriod(t.period) }));
  return {
    next() {
      // Most subjects start from one of the point's own test cases with a few facts changed, so every
      // outcome is reached often; the rest are random.
      if (cases.length && r() < 0.7) {
        const base = pick(cases);
        const period = r() < 0.85 ? base.period : pick(periods);
        const out: Record<string, unknown> = { ...base.facts };
        const changes = Math.floor(r() * 3);
        for (let i = 0; i < changes && facts.length; i++) {
          const f = pick(facts);
          if (r() < 0.3) delete out[f.name];
          else out[f.name] = value(f, period);
        }
        return { facts: out, period };
      }
      const period = pick(periods);
      const out: Record<string, unknown> = {};
      for (const f of facts) {
        if (r() < 0.07) continue; // missing
        out[f.name] = value(f, period);
      }
      return { facts: out, period };
    },
  };
}
