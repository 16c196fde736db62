// The derived fact 企业划型 (src/dictionary/derived.ts, the system's one table) classifies exactly as the peer
// encodings' hand-written copy in bench/peers/size-class.ts, on generated enterprises at and around every
// threshold, including missing figures (both give a class only when the missing figure cannot change it).
import { describe, expect, it } from 'vitest';
import { sizeClassOf } from '../../bench/peers/size-class.ts';
import { standardDictionary } from '../../src/dictionary/index.ts';
import { evaluateExpression, UNKNOWN } from '../../src/rules/lang/evaluate.ts';
import { plainVal } from '../../src/rules/lang/format.ts';
import { parsePeriod } from '../../src/rules/lang/period.ts';
import { rng } from './generate.ts';

const INDUSTRIES = ['C3911', 'B0610', 'D4411', 'F5110', 'F5211', 'G5910', 'G6010', 'G5410', 'H6110', 'H6210', 'I6510', 'I6311', 'M7310', 'J6620', 'P8310', 'E4710', 'K7010', 'K7020', 'K7030', 'L7211', 'A0111'];
const STAFF_EDGES = [0, 4, 5, 9, 10, 19, 20, 49, 50, 99, 100, 199, 200, 299, 300, 999, 1000, 1999, 2000, 2500];
const WAN_EDGES = [0, 50, 100, 200, 300, 500, 1000, 2000, 3000, 5000, 6000, 8000, 10000, 20000, 30000, 40000, 80000, 100000, 120000, 200000];
const WAN = 1_000_000;

function sizeSubject(r: () => number): { industryCode?: string; staff?: number; revenueFen?: number; totalAssetsFen?: number } {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)] as T;
  const out: { industryCode?: string; staff?: number; revenueFen?: number; totalAssetsFen?: number } = {};
  if (r() > 0.05) out.industryCode = pick(INDUSTRIES);
  if (r() > 0.05) out.staff = Math.max(0, pick(STAFF_EDGES) + pick([-1, 0, 0, 1]));
  if (r() > 0.08) out.revenueFen = Math.max(0, pick(WAN_EDGES) * WAN + pick([-1, 0, 0, 1]));
  if (r() > 0.08) out.totalAssetsFen = Math.max(0, pick(WAN_EDGES) * WAN + pick([-1, 0, 0, 1]));
  return out;
}

describe('derived fact 企业划型 (工信部联企业〔2011〕300号)', () => {
  it('classifies 40,000 generated enterprises exactly as the peers\' hand-written table, missing figures included', () => {
    const def = standardDictionary().derived.get('sizeClass')?.ir;
    if (!def) throw new Error('sizeClass missing');
    const r = rng(7);
    const period = parsePeriod('2024');
    const seen = new Set<string>();
    for (let i = 0; i < 40_000; i++) {
      const s = sizeSubject(r);
      const mine = evaluateExpression(def.body, s, period).value;
      const peer = sizeClassOf(s.industryCode, s.staff, s.revenueFen, s.totalAssetsFen);
      const mineText = mine === UNKNOWN ? 'undetermined' : plainVal(mine);
      seen.add(mineText);
      expect(mineText, JSON.stringify(s)).toBe(peer ?? 'undetermined');
    }
    expect(seen).toEqual(new Set(['大型', '中型', '小型', '微型', 'undetermined']));
  });
});
