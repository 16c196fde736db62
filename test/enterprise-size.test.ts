// 企业划型 (工信部联企业〔2011〕300号 第四条; GB/T 4754-2017 codes mapped per 国统字〔2017〕213号), evaluated
// through the policy language's evaluator exactly as the points use it: every one of the sixteen groups,
// exactly at each lower bound and one fen / one person below it. The figures are written out here from the
// notice, not imported from src/dictionary/derived.ts, so a wrong figure in the dictionary fails.
import { describe, expect, it } from 'vitest';
import { standardDictionary } from '../src/dictionary/index.ts';
import { evaluateExpression, UNKNOWN } from '../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';

type Crit = 'staff' | 'revenueFen' | 'totalAssetsFen';
type Band = Partial<Record<Crit, number>>; // 人 for staff, 万元 for money
const W = 10_000 * 100; // 1万元 in fen

// [group, a GB/T 4754-2017 code in it, large, medium, small] (第四条 (一)-(十六))
const OFFICIAL: [string, string, Band, Band, Band][] = [
  ['农、林、牧、渔业', 'A0111', { revenueFen: 20000 }, { revenueFen: 500 }, { revenueFen: 50 }],
  ['工业', 'C3911', { staff: 1000, revenueFen: 40000 }, { staff: 300, revenueFen: 2000 }, { staff: 20, revenueFen: 300 }],
  ['建筑业', 'E4710', { revenueFen: 80000, totalAssetsFen: 80000 }, { revenueFen: 6000, totalAssetsFen: 5000 }, { revenueFen: 300, totalAssetsFen: 300 }],
  ['批发业', 'F5110', { staff: 200, revenueFen: 40000 }, { staff: 20, revenueFen: 5000 }, { staff: 5, revenueFen: 1000 }],
  ['零售业', 'F5211', { staff: 300, revenueFen: 20000 }, { staff: 50, revenueFen: 500 }, { staff: 10, revenueFen: 100 }],
  ['交通运输业', 'G5410', { staff: 1000, revenueFen: 30000 }, { staff: 300, revenueFen: 3000 }, { staff: 20, revenueFen: 200 }],
  ['仓储业', 'G5910', { staff: 200, revenueFen: 30000 }, { staff: 100, revenueFen: 1000 }, { staff: 20, revenueFen: 100 }],
  ['邮政业', 'G6010', { staff: 1000, revenueFen: 30000 }, { staff: 300, revenueFen: 2000 }, { staff: 20, revenueFen: 100 }],
  ['住宿业', 'H6110', { staff: 300, revenueFen: 10000 }, { staff: 100, revenueFen: 2000 }, { staff: 10, revenueFen: 100 }],
  ['餐饮业', 'H6210', { staff: 300, revenueFen: 10000 }, { staff: 100, revenueFen: 2000 }, { staff: 10, revenueFen: 100 }],
  ['信息传输业', 'I6311', { staff: 2000, revenueFen: 100000 }, { staff: 100, revenueFen: 1000 }, { staff: 10, revenueFen: 100 }],
  ['软件和信息技术服务业', 'I6510', { staff: 300, revenueFen: 10000 }, { staff: 100, revenueFen: 1000 }, { staff: 10, revenueFen: 50 }],
  ['房地产开发经营', 'K7010', { revenueFen: 200000, totalAssetsFen: 10000 }, { revenueFen: 1000, totalAssetsFen: 5000 }, { revenueFen: 100, totalAssetsFen: 2000 }],
  ['物业管理', 'K7020', { staff: 1000, revenueFen: 5000 }, { staff: 300, revenueFen: 1000 }, { staff: 100, revenueFen: 500 }],
  ['租赁和商务服务业', 'L7211', { staff: 300, totalAssetsFen: 120000 }, { staff: 100, totalAssetsFen: 8000 }, { staff: 10, totalAssetsFen: 100 }],
  ['其他未列明行业', 'M7310', { staff: 300 }, { staff: 100 }, { staff: 10 }],
];
const CLASSES = ['大型', '中型', '小型', '微型'] as const;

const dict = standardDictionary();
const period = parsePeriod('2024');
function derived(name: string, facts: Record<string, unknown>) {
  const ir = dict.derived.get(name)?.ir;
  if (!ir) throw new Error(`${name} missing from the dictionary`);
  const r = evaluateExpression(ir.body, facts, period);
  return r.value === UNKNOWN ? { undetermined: r.missing } : r.value;
}
const factsOf = (code: string, band: Band) => ({
  industryCode: code,
  ...Object.fromEntries(Object.entries(band).map(([k, v]) => [k, k === 'staff' ? v : BigInt(v) * BigInt(W)])),
});

describe('企业划型 (工信部联企业〔2011〕300号 第四条)', () => {
  for (const [group, code, ...bands] of OFFICIAL) {
    describe(`${group} (${code})`, () => {
      it(`maps ${code} to ${group}`, () => {
        expect(derived('sizeIndustryGroup', { industryCode: code })).toBe(group);
      });
      bands.forEach((band, b) => {
        const cls = CLASSES[b]!;
        const lower = CLASSES[b + 1]!;
        it(`is ${cls} exactly at ${JSON.stringify(band)}`, () => {
          expect(derived('sizeClass', factsOf(code, band))).toBe(cls);
        });
        for (const crit of Object.keys(band) as Crit[]) {
          it(`is ${lower} one ${crit === 'staff' ? 'person' : 'fen'} below the ${cls} bound on ${crit}`, () => {
            const f = factsOf(code, band) as Record<string, unknown>;
            f[crit] = crit === 'staff' ? (f[crit] as number) - 1 : (f[crit] as bigint) - 1n;
            expect(derived('sizeClass', f)).toBe(lower);
          });
        }
      });
      it('needs only the figures the group is classified by', () => {
        const used = new Set(Object.keys(bands[0]));
        const f: Record<string, unknown> = factsOf(code, bands[0]);
        expect(derived('sizeClass', f)).toBe('大型'); // the unused figures are absent here
        for (const crit of used) {
          const without = { ...f };
          delete without[crit];
          expect(derived('sizeClass', without)).toEqual({ undetermined: [crit] });
        }
      });
    });
  }

  it('puts the rest of 房地产业 (中介, 租赁经营, 其他) and sections without a group of their own in 其他未列明行业', () => {
    for (const code of ['K7030', 'K7040', 'K7090', 'M7320', 'N7721', 'O8010', 'R8610']) expect(derived('sizeIndustryGroup', { industryCode: code }), code).toBe('其他未列明行业');
    expect(derived('sizeIndustryGroup', { industryCode: 'I6410' })).toBe('信息传输业');
    expect(derived('sizeIndustryGroup', { industryCode: 'G5810' })).toBe('交通运输业');
  });

  it('classifies a 农、林、牧、渔业 enterprise by 营业收入 alone, with no 从业人员 or 资产总额 known', () => {
    expect(derived('sizeClass', { industryCode: 'A0111', revenueFen: 499n * BigInt(W) })).toBe('小型');
  });
});
