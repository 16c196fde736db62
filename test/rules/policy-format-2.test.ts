// policy/2: every rule rests on the document's own words. The loader refuses a point whose quotes are
// absent or not in the stored text, a document without its text or source, tags outside the taxonomy,
// a 快申快享 point that does not say what it asks, and a point without a typical case.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadLibraryFromTexts } from '../../src/policies/library.ts';
import { formatPolicyError } from '../../src/rules/lang/spec.ts';

const DIR = 'test/fixtures/policy2';
const POLICY = readFileSync(`${DIR}/good.policy.yaml`, 'utf8');
const TEXT = readFileSync(`${DIR}/good.text.md`, 'utf8');

function load(policy: string, text: string | null = TEXT) {
  const files = [{ file: `${DIR}/good.policy.yaml`, text: policy }];
  if (text !== null) files.push({ file: `${DIR}/good.text.md`, text });
  return loadLibraryFromTexts(files);
}
function errors(policy: string, text: string | null = TEXT): string[] {
  const r = load(policy, text);
  if (r.ok) throw new Error('loaded');
  return r.errors.map(formatPolicyError);
}

describe('policy/2 files', () => {
  it('load with their quotes, sources, level and stored text', () => {
    const r = load(POLICY);
    if (!r.ok) throw new Error(r.errors.map(formatPolicyError).join('\n'));
    const p = r.library.byId.get('test-point')!;
    expect(p.document.level).toBe('provincial');
    expect(p.document.textSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.conditions[0]!.quote?.text).toBe('足额缴纳失业保险费12个月以上');
    expect(p.conditions[0]!.quote?.source).toMatchObject({ key: 'main', grade: 'S', url: 'https://example.gov.cn/test/1.html' });
    expect(p.exceptions[0]!.quote?.source).toMatchObject({ key: 'reprint', grade: 'S2' });
    expect(p.amount.quote?.text).toBe('按上年度实际缴纳失业保险费的60%返还');
    expect(p.tags['对象']).toEqual(['企业']);
  });

  it('refuse a condition without a quote', () => {
    const bad = POLICY.replace(', quote: "足额缴纳失业保险费12个月以上"', '');
    expect(errors(bad).join('\n')).toMatch(/points\[0\]\.conditions\[0\]: missing required key 'quote'/);
  });

  it('refuse a quote whose words are not in the stored text, naming the words', () => {
    const bad = POLICY.replace('足额缴纳失业保险费12个月以上', '足额缴纳失业保险费6个月以上');
    expect(errors(bad).join('\n')).toMatch(/conditions\[0\]\.quote: quoted words not found in the stored text \(source main\): '足额缴纳失业保险费6个月以上'/);
  });

  it('refuse a quote found only in another source than the one it names', () => {
    const bad = POLICY.replace(', source: reprint }', ' }');
    expect(errors(bad).join('\n')).toMatch(/exceptions\[0\]\.quote: quoted words not found in the stored text \(source main\)/);
  });

  it('refuse fragments out of order', () => {
    const bad = POLICY.replace('"严重失信主体名单……不予返还"', '"不予返还……严重失信主体名单"');
    expect(errors(bad).join('\n')).toMatch(/exceptions\[0\]\.quote: quoted words not found/);
  });

  it('refuse a document without its stored text, or without a section for a source it declares', () => {
    expect(errors(POLICY, null).join('\n')).toMatch(/document: no stored text for document good \(expected the passages read, verbatim, in test\/fixtures\/policy2\/good\.text\.md/);
    expect(errors(POLICY, TEXT.replace('## 来源: reprint', '')).join('\n')).toMatch(/document\.sources\.reprint: the stored text has no section for source 'reprint'/);
  });

  it('refuse a document without a source URL or level', () => {
    expect(errors(POLICY.replace('  sourceUrl: https://example.gov.cn/test/1.html\n', '')).join('\n')).toMatch(/document: missing required key 'sourceUrl'/);
    expect(errors(POLICY.replace('level: provincial', 'level: county')).join('\n')).toMatch(/document\.level: .*national, provincial, city, district/);
  });

  it('refuse a tag value the taxonomy does not list, and a missing dimension', () => {
    expect(errors(POLICY.replace('区域: [广东省]', '区域: [火星]')).join('\n')).toMatch(/tags\.区域\[0\]: '火星' is not a 区域 of the taxonomy/);
    expect(errors(POLICY.replace(', 对象: [企业]', '')).join('\n')).toMatch(/tags: missing required key '对象'/);
  });

  it('refuse a 快申快享 point that does not say which facts it asks for, and an ask no rule reads', () => {
    expect(errors(POLICY.replace('兑现方式: 免申即享', '兑现方式: 快申快享')).join('\n')).toMatch(/a 快申快享 point does not say which facts are asked for/);
    const asking = POLICY.replace('兑现方式: 免申即享', '兑现方式: 快申快享').replace('    effective: { from: 2024-01-01', '    ask: [uiMonthsPaidInFull]\n    effective: { from: 2024-01-01');
    const r = load(asking);
    expect(r.ok && r.library.byId.get('test-point')!.ask).toEqual(['uiMonthsPaidInFull']);
    expect(errors(asking.replace('ask: [uiMonthsPaidInFull]', 'ask: [staff]')).join('\n')).toMatch(/'staff' is asked for but no condition or amount reads it/);
  });

  it('refuse a point without a typical case', () => {
    expect(errors(POLICY.replace('kind: [typical]', 'kind: [boundary]')).join('\n')).toMatch(/no test case of kind 'typical'/);
  });
});
