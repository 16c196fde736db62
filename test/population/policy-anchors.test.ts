// Subjects planted from the policy library's test cases: valid rows, keys no generated subject has,
// the same plan for the same library and seed, and a plan that follows the library when a point changes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEMO_RUNS } from '../../src/cycle.ts';
import { feedMapping } from '../../src/feeds/mappings.ts';
import { validateRecord } from '../../src/feeds/validate.ts';
import { loadLibraryFromTexts, loadLibraryOrThrow } from '../../src/policies/library.ts';
import { feedHeader, feedRows, rowRecord } from '../../src/population/feeds.ts';
import { demoPlan } from '../../src/population/policy-anchors.ts';
import { checkIdNumber } from '../../src/subjects/id-number.ts';
import { checkUscc } from '../../src/subjects/uscc.ts';

const library = await loadLibraryOrThrow('policies');

describe('subjects planted from the policy library', () => {
  it('writes rows every feed accepts, under valid keys that no generated subject has', () => {
    const plan = demoPlan(library.points, DEMO_RUNS, 7);
    for (const [feedId, rows] of Object.entries(plan.rows)) {
      const mapping = feedMapping(feedId)!;
      rows.forEach((row, k) => {
        const checked = validateRecord(mapping, k + 2, rowRecord(feedHeader(mapping), row));
        if ('rejections' in checked) throw new Error(`${feedId} row ${k + 2}: ${JSON.stringify(checked.rejections)}`);
      });
    }
    const keys = plan.subjects.map((s) => s.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const s of plan.subjects) expect(s.subject === 'enterprise' ? checkUscc(s.key) : checkIdNumber(s.key), s.key).toBeUndefined();
    const options = { seed: 7, enterprises: 2000, persons: 5000, dataYear: 2023 };
    const generated = new Set([...feedRows('samr-registry', options), ...feedRows('police-population', options)].map((r) => r.row[0]));
    expect(keys.filter((k) => generated.has(k))).toEqual([]);
  });

  it('plants the same subjects and rows for the same library and seed', () => {
    expect(demoPlan(library.points, DEMO_RUNS, 7)).toEqual(demoPlan(library.points, DEMO_RUNS, 7));
    expect(demoPlan(library.points, DEMO_RUNS, 8).subjects.map((s) => s.key)).not.toEqual(demoPlan(library.points, DEMO_RUNS, 7).subjects.map((s) => s.key));
  });

  it('shows each point in a fixed run where it can, else adds a run for a period its cases are written for', () => {
    const plan = demoPlan(library.points, DEMO_RUNS, 7);
    expect(plan.runs.slice(0, DEMO_RUNS.length)).toEqual(DEMO_RUNS);
    expect(plan.periodOf.get('wengang-fanhuan-2024')).toBe('2024');
    expect(plan.periodOf.get('wengang-fanhuan-2019')).toBe('2019');
    expect(plan.runs).toContainEqual({ scope: 'enterprise', period: '2019', pay: false });
    for (const point of library.points) {
      const mine = plan.subjects.filter((s) => s.pointId === point.id);
      expect(mine.some((s) => s.expected === 'eligible'), point.id).toBe(true);
      expect(mine.some((s) => s.expected !== 'eligible'), point.id).toBe(true);
    }
  });

  it('follows the library: a stricter threshold in a point file plants fewer of its cases as eligible', () => {
    const point = library.byId.get('wengang-fanhuan-2024')!;
    const files = library.documents.map((d) => ({ file: d.file, text: readFileSync(d.file, 'utf8') }));
    const own = files.find((f) => f.file === point.document.file)!;
    // The months of contributions paid in full that 稳岗返还 asks for, raised by 18 months.
    const stricter = own.text.replace(/(minMonthsPaidInFull:[\s\S]*?value: )(\d+)个月/, (_m, head: string, n: string) => `${head}${Number(n) + 18}个月`);
    expect(stricter).not.toBe(own.text);
    const changed = loadLibraryFromTexts(files.map((f) => (f === own ? { file: f.file, text: stricter } : f)));
    if (!changed.ok) throw new Error(changed.errors.map((e) => e.message).join('\n'));
    const eligible = (points: typeof library.points) => demoPlan(points, DEMO_RUNS, 7).subjects.filter((s) => s.pointId === point.id && s.expected === 'eligible').length;
    expect(eligible(changed.library.points)).toBeLessThan(eligible(library.points));
  });
});
