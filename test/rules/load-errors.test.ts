// Bad policy files never load partially, and every class of error says where and what was expected.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDictionary } from '../../src/dictionary/index.ts';
import { DERIVED_FACTS } from '../../src/dictionary/derived.ts';
import { FACTS } from '../../src/dictionary/facts.ts';
import { loadLibrary, loadLibraryFromTexts, loadLibraryOrThrow } from '../../src/policies/library.ts';
import { formatPolicyError } from '../../src/rules/lang/spec.ts';
import { isAppError } from '../../src/errors.ts';

const BAD = 'test/fixtures/policies-bad';

function load(name: string) {
  const file = `${BAD}/${name}`;
  return loadLibraryFromTexts([{ file, text: readFileSync(file, 'utf8') }]);
}
function messages(name: string): string[] {
  const r = load(name);
  if (r.ok) throw new Error(`${name} loaded`);
  return r.errors.map(formatPolicyError);
}

describe('loading bad policy files', () => {
  it('loads the good reference file the bad ones are made from', () => {
    const r = load('good.policy.yaml');
    expect(r.ok && r.library.points.map((p) => p.id)).toEqual(['test-point']);
  });

  it('refuses a point whose effective date is no day of the calendar, instead of dropping the point silently', () => {
    expect(messages('impossible-effective-date.policy.yaml')).toEqual([
      `${BAD}/impossible-effective-date.policy.yaml:23:40 points[0].effective.to: '2024-02-30' is not a real date (expected a date that exists in the calendar, YYYY-MM-DD)`,
    ]);
  });

  it('refuses an impossible date wherever a file gives one, each at its position', () => {
    const f = `${BAD}/impossible-dates.policy.yaml`;
    expect(messages('impossible-dates.policy.yaml')).toEqual([
      `${f}:7:14 document.published: '2024-13' is not a real date (there is no month 13) (expected a month 01 to 12)`,
      `${f}:8:38 document.effective.to: '2025-02-30' is not a real date (expected a date that exists in the calendar, YYYY-MM-DD)`,
      `${f}:15:33 parameters.minMonths.values[0].to: '2024-04-31' is not a real date (expected a date that exists in the calendar, YYYY-MM-DD)`,
      `${f}:23:40 points[0].effective.to: '2025-02-30' is not a real date (expected a date that exists in the calendar, YYYY-MM-DD)`,
      `${f}:31:115 points[0].testBase.littleGiantDate: '2024-02-30' is not a real date (expected a date that exists in the calendar, YYYY-MM-DD)`,
      `${f}:34:48 points[0].tests[1].period: '2024-00' is not a real date (there is no month 00) (expected a month 01 to 12)`,
      `${f}:34:48 points[0].tests[1].period: a yearly point is paid per year, not for '2024-00' (expected a year such as 2024)`,
    ]);
  });

  it('refuses an unknown fact, naming file, line, column, path and the likely intended fact', () => {
    expect(messages('unknown-fact.policy.yaml')).toEqual([
      `${BAD}/unknown-fact.policy.yaml:26:45 points[0].conditions[0].when: unknown fact 'uiMonthsPaidInFul'; did you mean 'uiMonthsPaidInFull'? (expected a fact from the data dictionary, a derived fact, a let or a parameter)`,
    ]);
  });

  it('refuses comparing months with persons (unit mismatch)', () => {
    expect(messages('unit-mismatch.policy.yaml')).toEqual([
      `${BAD}/unit-mismatch.policy.yaml:26:67 points[0].conditions[0].when: unit mismatch: 数值(个月) >= 数值(人) (expected a value of type 数值(个月))`,
    ]);
  });

  it('refuses an amount that is not money', () => {
    expect(messages('amount-not-money.policy.yaml')).toEqual([`${BAD}/amount-not-money.policy.yaml:29:22 points[0].amount.expr: expression has type 数值(个月) (expected an amount in 元)`]);
  });

  it('refuses a value outside an enumeration', () => {
    expect(messages('enum-value.policy.yaml')[0]).toContain("'存继' is not a value of 登记状态 (expected one of 存续|注销|吊销)");
  });

  it('points at the column of a syntax error', () => {
    expect(messages('syntax-error.policy.yaml')).toEqual([`${BAD}/syntax-error.policy.yaml:26:77 points[0].conditions[0].when: syntax error: unexpected end of expression (expected ')')`]);
  });

  it('refuses a cycle among definitions, once, at the definition', () => {
    expect(messages('let-cycle.policy.yaml')).toEqual([`${BAD}/let-cycle.policy.yaml:26:10 points[0].let.a: cycle among derived facts: a → b → a (expected definitions that do not depend on themselves)`]);
  });

  it('refuses a decision table with a gap in its declared domain', () => {
    const m = messages('table-gap.policy.yaml');
    expect(m[0]).toBe(
      `${BAD}/table-gap.policy.yaml:29:11 points[0].let.allowance.table: decision table has a gap: no row matches 足额缴纳失业保险费月数=24个月 (expected rows covering the whole domain under hit policy unique, or an else value)`,
    );
    expect(m.every((x) => x.includes('gap'))).toBe(true);
  });

  it('refuses a decision table with overlapping bands under hit policy unique', () => {
    const m = messages('table-overlap.policy.yaml');
    expect(m[0]).toBe(
      `${BAD}/table-overlap.policy.yaml:33:15 points[0].let.allowance.table.rows[1]: decision table rows 1 and 2 overlap: all match 足额缴纳失业保险费月数=12个月 (expected exactly one matching row under hit policy unique (or hit policy 'first' to let the earlier row win))`,
    );
  });

  it('accepts the same overlapping bands under hit policy first', () => {
    const text = readFileSync(`${BAD}/table-overlap.policy.yaml`, 'utf8').replace('hit: unique', 'hit: first');
    const r = loadLibraryFromTexts([{ file: 'first.policy.yaml', text }]);
    expect(r.ok).toBe(true);
  });

  it('refuses two versions of one series in effect on the same days', async () => {
    const r = await loadLibrary(`${BAD}/overlapping-periods`);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatPolicyError)).toEqual([
      `${BAD}/overlapping-periods/b.policy.yaml:17:5 points[0].effective: overlapping effective periods in series 'shared': point-b (2024-07-01..2024-12-31) and point-a (2024-01-01..2024-12-31) (expected versions of one benefit whose effective periods do not overlap)`,
    ]);
  });

  it('reports malformed YAML with positions and loads nothing', () => {
    const m = messages('malformed.policy.yaml');
    expect(m[0]).toMatch(new RegExp(`^${BAD}/malformed\\.policy\\.yaml:19:\\d+ : YAML: .* \\(expected well-formed YAML\\)$`));
  });

  it('loads nothing from a file whose second point is ill-typed, though the first is fine', () => {
    const r = load('partial.policy.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map(formatPolicyError)).toEqual([`${BAD}/partial.policy.yaml:45:67 points[1].conditions[0].when: unit mismatch: 数值(个月) >= 数值(元) (expected a value of type 数值(个月))`]);
  });

  it('lists every error of a library at once, across files', () => {
    const files = ['unknown-fact.policy.yaml', 'unit-mismatch.policy.yaml', 'syntax-error.policy.yaml'].map((n) => ({ file: n, text: readFileSync(`${BAD}/${n}`, 'utf8').replace(/test-doc/, n.slice(0, 5)).replace(/test-point/, n.slice(0, 6)).replace(/test-series/, n.slice(0, 7)) }));
    const r = loadLibraryFromTexts(files);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.file)).toEqual(['unknown-fact.policy.yaml', 'unit-mismatch.policy.yaml', 'syntax-error.policy.yaml']);
  });

  it('throws POLICY_LINT_FAILED with every error listed from loadLibraryOrThrow', async () => {
    const error = await loadLibraryOrThrow(`${BAD}/overlapping-periods`).catch((e: unknown) => e);
    expect(isAppError(error, 'POLICY_LINT_FAILED')).toBe(true);
    expect((error as Error).message).toContain('overlapping effective periods');
  });

  it('refuses unknown keys, with the keys that are allowed', () => {
    const text = readFileSync(`${BAD}/good.policy.yaml`, 'utf8').replace('    conditions:', '    conditons: []\n    conditions:');
    const r = loadLibraryFromTexts([{ file: 'typo.policy.yaml', text }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatPolicyError(r.errors[0] as never)).toMatch(/^typo\.policy\.yaml:\d+:5 points\[0\]\.conditons: unknown key 'conditons' \(expected one of id, name, /);
  });

  it('refuses a point with fewer than three test cases or without a boundary and an exclusion case', () => {
    const text = readFileSync(`${BAD}/good.policy.yaml`, 'utf8').replace(/ {6}- \{ name: 除外.*\n/, '');
    const r = loadLibraryFromTexts([{ file: 'two.policy.yaml', text }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.message)).toContain('point has 2 test case(s)');
  });

  it('refuses a parameter that has no value for part of the point’s effective period', () => {
    const text = readFileSync(`${BAD}/good.policy.yaml`, 'utf8').replace('{ from: 2024-01-01, to: 2024-12-31, value: 12个月', '{ from: 2024-03-01, to: 2024-12-31, value: 12个月');
    const r = loadLibraryFromTexts([{ file: 'param.policy.yaml', text }]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors[0]?.message).toBe("parameter 'minMonths' has no value on 2024-01-01 although point test-point is in effect then");
  });
});

describe('the data dictionary', () => {
  it('checks clean as shipped', () => {
    expect(createDictionary().errors).toEqual([]);
  });

  it('refuses a cycle among derived facts', () => {
    const d = createDictionary(FACTS, [
      ...DERIVED_FACTS,
      { name: 'loopA', zh: '甲', subject: 'enterprise', description: '', def: { expr: { text: 'loopB + 1人' } } },
      { name: 'loopB', zh: '乙', subject: 'enterprise', description: '', def: { expr: { text: 'loopA' } } },
    ]);
    expect(d.errors.map(formatPolicyError)).toEqual(['src/dictionary/derived.ts:0:0 derived.loopA: cycle among derived facts: loopA → loopB → loopA (expected definitions that do not depend on themselves)']);
  });

  it('refuses a derived fact that reads a fact of the other subject type', () => {
    const d = createDictionary(FACTS, [...DERIVED_FACTS, { name: 'odd', zh: '怪', subject: 'person', description: '', def: { expr: { text: 'staff >= 1人' } } }]);
    expect(d.errors.map((e) => e.message)).toEqual(["fact 'staff' belongs to enterprise subjects, not person"]);
  });
});
