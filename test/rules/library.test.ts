// The policy library loads cleanly and every test case written in it passes, through both the
// explaining evaluator and the compiled fast path.
import { beforeAll, describe, expect, it } from 'vitest';
import { loadLibrary, type Library } from '../../src/policies/library.ts';
import { runPointTests } from '../../src/policies/lang-tests.ts';

let lib: Library;
beforeAll(async () => {
  const r = await loadLibrary('policies');
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.file}:${e.line}:${e.col} ${e.message}`).join('\n'));
  lib = r.library;
});

describe('policy library', () => {
  it('holds at least 12 documents and 30 points, none left unloaded', () => {
    expect(lib.documents.length).toBeGreaterThanOrEqual(12);
    expect(lib.points.length).toBeGreaterThanOrEqual(30);
    expect(lib.skipped).toEqual([]);
  });

  it('gives every point at least three test cases including a boundary and an exclusion', () => {
    for (const p of lib.points) {
      expect(p.tests.length, p.id).toBeGreaterThanOrEqual(3);
      expect(p.tests.some((t) => t.kind.includes('boundary')), `${p.id} boundary`).toBe(true);
      expect(p.tests.some((t) => t.kind.includes('exclusion')), `${p.id} exclusion`).toBe(true);
    }
  });

  it('encodes the year-by-year 稳岗返还 and 扩岗补助 as series of versions', () => {
    const series = (s: string) => lib.points.filter((p) => p.series === s).map((p) => p.effective.fromText.slice(0, 4));
    expect(series('wengang-fanhuan')).toEqual(expect.arrayContaining(['2019', '2021', '2022', '2023', '2024', '2025']));
    expect(series('kuogang-buzhu')).toEqual(expect.arrayContaining(['2022', '2023', '2024']));
  });

  it('puts 扩岗补助 and 吸纳就业补贴 in one exclusion group resolved by the higher amount', () => {
    const group = lib.points.filter((p) => p.exclusion?.group === 'kuogang-xina');
    expect(group.map((p) => p.id)).toEqual(expect.arrayContaining(['kuogang-buzhu-2023', 'xina-jiuye-2023']));
    expect(new Set(group.map((p) => p.exclusion?.resolution))).toEqual(new Set(['higher-amount']));
  });

  it('pays 高龄津贴 and 残疾人两项补贴 monthly to persons, and closes 人才补贴 on 2021-08-31', () => {
    for (const id of ['gaoling-jintie', 'canji-shenghuo-butie', 'canji-huli-butie']) {
      expect(lib.byId.get(id)?.frequency).toBe('monthly');
      expect(lib.byId.get(id)?.subject).toBe('person');
    }
    expect(lib.byId.get('rencai-zufang-shenghuo')?.effective.toText).toBe('2021-08-31');
  });

  it('says so in a note wherever a document is unverified or its values are illustrative', () => {
    for (const d of lib.documents) if (d.sourceGrade !== 'S') expect(d.note, d.id).toMatch(/\S/);
    const illustrative = lib.points.flatMap((p) => p.params).flatMap((p) => p.values).filter((v) => /示意/.test(v.cite) || /示意/.test(v.note ?? ''));
    expect(illustrative.length).toBeGreaterThan(0);
    for (const v of illustrative) expect(v.note ?? '', v.cite).toMatch(/示意/);
  });

  it('passes every test case of every point, on both paths', () => {
    const failures = lib.points.flatMap((p) => runPointTests(p)).filter((r) => !r.ok);
    expect(failures.map((f) => `${f.point.id} · ${f.test.name}: ${f.problems.join('; ')}`)).toEqual([]);
  });
});
