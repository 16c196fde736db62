// requiredFacts names what a point reads; the CLI explains fixture subjects. (Budget cuts and exclusion
// groups are tested with the matching code that applies them: test/allocation.test.ts.)
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parsePeriod, requiredFacts } from '../../src/rules/lang/index.ts';
import { loadLibraryOrThrow } from '../../src/policies/library.ts';

describe('requiredFacts', () => {
  it('names every fact a point reads, with the data year it pays from', async () => {
    const lib = await loadLibraryOrThrow('policies');
    const point = lib.byId.get('wengang-fanhuan-2024');
    if (!point) throw new Error('missing');
    const needs = requiredFacts(point, parsePeriod('2024'));
    expect(needs.map((n) => n.name)).toEqual(['avgInsured', 'industryCode', 'laborDispatch', 'newClaimants', 'revenueFen', 'seriousDishonest', 'staff', 'status', 'totalAssetsFen', 'uiContributionsPaidFen', 'uiMonthsPaidInFull']);
    expect(needs.find((n) => n.name === 'uiContributionsPaidFen')).toMatchObject({ source: 'hrss', dataYear: 2023 });
    expect(needs.find((n) => n.name === 'status')).toMatchObject({ source: 'samr', asOf: '2024-01-01' });
  });
});

describe('policies CLI', () => {
  const cli = (...args: string[]) => execFileSync(process.execPath, ['src/cli/policies.ts', ...args], { encoding: 'utf8' });
  it('lints the library', () => {
    expect(cli('lint')).toMatch(/^ok: \d+ documents, \d+ points, \d+ test cases/);
  });
  it('explains an eligible, an ineligible and an undetermined subject in Chinese with citations', () => {
    const ok = cli('explain', 'wengang-fanhuan-2024', '--facts', 'test/fixtures/subjects/wengang-eligible.json');
    expect(ok).toContain('金额：上年度失业保险实缴 12,345.00 元 × 返还比例 60% = 7,407.00 元，四舍五入到分（人社部发〔2024〕40号 二）');
    expect(ok).toContain('结论：符合条件，金额 7,407.00 元');
    const no = cli('explain', 'wengang-fanhuan-2024', '--facts', 'test/fixtures/subjects/wengang-ineligible.json');
    expect(no).toContain('不满足，差 3个月（人社部发〔2024〕40号 二）');
    expect(no).toContain('结论：不符合条件（MONTHS_PAID_IN_FULL、LAYOFF_RATE）');
    const unsure = cli('explain', 'wengang-fanhuan-2024', '--facts', 'test/fixtures/subjects/wengang-undetermined.json');
    expect(unsure).toContain('结论：暂无法判定，缺少数据：totalAssetsFen、uiContributionsPaidFen、uiMonthsPaidInFull');
  });
  it('finds a subject\'s facts file by its USCC', () => {
    const out = cli('explain', 'wengang-fanhuan-2024', '--subject', '91440300MA5D1X1693');
    expect(out).toContain('结论：不符合条件（MONTHS_PAID_IN_FULL、LAYOFF_RATE）');
  });
  it('lists points by tag', () => {
    const out = cli('list', '--tag', '主题=高龄津贴');
    expect(out.trim().split('\n').map((l) => l.split(/\s+/)[0])).toEqual(['gaoling-jintie']);
  });
});
