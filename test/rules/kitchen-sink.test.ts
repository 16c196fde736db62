// Every construct of the language, in one synthetic point, through both paths on generated subjects:
// the library does not use every function, but the compiler must handle them all exactly.
import { describe, expect, it } from 'vitest';
import { standardDictionary } from '../../src/dictionary/index.ts';
import { loadLibraryFromTexts } from '../../src/policies/library.ts';
import { checkSource, type CheckContext } from '../../src/rules/lang/check.ts';
import { compilePoint } from '../../src/rules/lang/compile.ts';
import { evaluatePoint } from '../../src/rules/lang/evaluate.ts';
import type { PolicyError } from '../../src/rules/lang/spec.ts';
import { runPointTests } from '../../src/policies/lang-tests.ts';
import { rng, subjectGenerator } from './generate.ts';

const SINK = `format: policy/1
document: { id: sink, docNumber: 测试〔2024〕9号, title: 全部语法, issuer: 测试, published: "2024", effective: { from: 2020-01-01 }, source: S }
parameters:
  capRate: { zh: 上限比例, type: "%", values: [ { from: 2020-01-01, to: 2022-12-31, value: 12.5%, cite: 测试 一 }, { from: 2023-01-01, value: 33.5%, cite: 测试 二 } ] }
  bonusOn: { zh: 奖励开关, type: bool, values: [ { from: 2020-01-01, value: "true", cite: 测试 三 } ] }
points:
  - id: sink-person
    name: 全部语法（个人）
    subject: person
    citation: { article: 一 }
    tags: { 行业: [全部], 规模: [全部], 区域: [全国], 主题: [测试], 兑现方式: 免申即享 }
    effective: { from: 2020-01-01 }
    payment: { frequency: monthly, paysFor: policy-year }
    let:
      months: { zh: 参保月数折算, expr: "min(uiInsuredMonths, 36个月) - max(0个月, 12个月 - uiInsuredMonths)" }
      due: { zh: 到期日, expr: "add_months(coalesce(certificateDate, @2020-01-31), 13个月)" }
      band:
        zh: 分档
        table:
          hit: first
          inputs: [ { expr: "years_between(birthDate, period.end)", label: 年龄 }, certificateLevel ]
          rows:
            - { when: [">= 60年", '-'], then: 3 }
            - { when: ["[30年, 60年)", '"高级"'], then: 2 }
            - { when: ["[30年, 60年)", '["初级", "中级", none]'], then: 1.5 }
            - { when: ['-', '-'], then: 0.25 }
    conditions:
      - { id: ALIVE, label: 在世, when: "deathDate is none or days_between(deathDate, period.end) <= 0天", cite: 一 }
      - { id: DUE, label: 未到期, when: "due >= period.start or not (year_of(due) != period.year)", cite: 一 }
      - { id: YEAR, label: 年度, when: "year_end(period.year) > year_start(period.year) and add_years(birthDate, 1年) > @1900-01-01", cite: 一 }
      - { id: REGION, label: 区域, when: 'hukouRegion in ["440300", "440100"] or hukouRegion not in ["440000"]', cite: 一 }
    exceptions:
      - { id: COUNT, label: 次数, when: "skillSubsidiesThisYear in [3次, 4次] or -skillSubsidiesThisYear < -4次", cite: 一 }
    amount:
      expr: "(if bonusOn and months > 6个月 then 100元 * band else 35元 / 3) + months / 12个月 * 0.01元 * capRate * 7"
      cap: "2 * 100元 + 0.5元"
      rounding: half-up-yuan
      cite: 一
    budget: { total: null, oversubscription: priority, priority: { by: amount-asc } }
    tests:
      - { name: a, kind: [typical], period: 2024-05, facts: { birthDate: 1960-05-31, certificateDate: 2023-05-10, uiInsuredMonths: 40, hukouRegion: "440305", skillSubsidiesThisYear: 0 }, expect: { outcome: eligible, amount: 201元 } }
      - { name: b, kind: [boundary], period: 2024-05, facts: { birthDate: 1990-05-31, certificateDate: 2023-05-10, uiInsuredMonths: 40, hukouRegion: "440305", skillSubsidiesThisYear: 0, certificateLevel: 高级 }, expect: { outcome: eligible, amount: 200元 } }
      - { name: c, kind: [exclusion], period: 2024-05, facts: { birthDate: 1990-05-31, certificateDate: 2023-05-10, uiInsuredMonths: 4, hukouRegion: "440305", skillSubsidiesThisYear: 3 }, expect: { outcome: ineligible, reasons: [COUNT] } }
`;

describe('every construct of the language', () => {
  it('agrees between the compiled path and the evaluator on 30,000 generated subjects', () => {
    const r = loadLibraryFromTexts([{ file: 'sink.policy.yaml', text: SINK }]);
    if (!r.ok) throw new Error(r.errors.map((e) => `${e.line}:${e.col} ${e.path} ${e.message}`).join('\n'));
    const point = r.library.points[0];
    if (!point) throw new Error('no point');
    const fast = compilePoint(point);
    const gen = subjectGenerator(point, 77, { odd: true });
    const seen = new Set<string>();
    for (let i = 0; i < 30_000; i++) {
      const { facts, period } = gen.next();
      const slow = evaluatePoint(point, facts, period);
      const f = fast.run(facts, period);
      seen.add(slow.outcome);
      expect(`${f.outcome} ${f.amountFen} ${f.reasonCodes.join()}`, JSON.stringify({ facts, period: period.text })).toBe(`${slow.outcome} ${slow.amountFen === null ? null : Number(slow.amountFen)} ${slow.reasonCodes.join()}`);
    }
    expect(seen).toEqual(new Set(['eligible', 'ineligible', 'undetermined']));
    // Its own test cases pass too (cap 200.5元 rounds half up to 201元).
    expect(runPointTests(point).filter((c) => !c.ok).map((c) => `${c.test.name}: ${c.problems.join('; ')}`)).toEqual([]);
  });
});

describe('expression fuzzing', () => {
  it('turns 3,000 random token strings into typed IR or positioned errors, never an exception', () => {
    const dict = standardDictionary();
    const r = rng(99);
    const tokens = ['staff', 'revenueFen', 'status', '"存续"', 'birthDate', 'period.start', 'period.year', '12个月', '5.5%', '1500元/人', '@2024-02-29', 'and', 'or', 'not', 'in', 'is', 'none', 'if', 'then', 'else', '(', ')', '[', ']', ',', '+', '-', '*', '/', '>=', '==', '<', 'age(', 'min(', 'coalesce(', 'true', '0', '元', '.', '@', '"', 'sizeClass', 'layoffRate', '人'];
    for (let i = 0; i < 3000; i++) {
      const n = 1 + Math.floor(r() * 9);
      const text = Array.from({ length: n }, () => tokens[Math.floor(r() * tokens.length)]).join(r() < 0.5 ? ' ' : '');
      const errors: PolicyError[] = [];
      const ctx: CheckContext = { subject: r() < 0.5 ? 'enterprise' : 'person', facts: dict.facts, globals: dict.derived, locals: new Map(), params: new Map(), errors, stack: [] };
      let ir;
      expect(() => (ir = checkSource(ctx, { text, loc: { file: 'f', line: 1, col: 1, path: 'p' } })), text).not.toThrow();
      if (!ir) {
        expect(errors.length, text).toBeGreaterThan(0);
        for (const e of errors) expect(e.col, text).toBeGreaterThanOrEqual(1);
      }
    }
  });
});
