// The demo shows every policy point of the library with a list worth reading: after one whole cycle on
// real PostgreSQL, every point has someone eligible and someone who just misses (a condition, a labelled
// exception, or a missing fact), and every subject planted from a point's own test cases got the outcome
// the explaining evaluator gives on the facts its feed rows carry.
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { runCycle, type CycleSummary } from '../src/cycle.ts';
import { explainEntry } from '../src/matching/explain-service.ts';
import { loadLibraryOrThrow } from '../src/policies/library.ts';
import { formatSummary } from '../src/summary.ts';
import { personKeyOf } from '../src/subjects/personal-data.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { startBoss } from './support/boss.ts';
import { tempDir } from './support/temp.ts';

let db: TestDatabase;
let boss: PgBoss;
let summary: CycleSummary;
const clock = fixedClock('2024-06-15T02:00:00.000Z');


// A planted person is recorded under its person key, not its 公民身份号码.
const recordedKey = (s: { subject: string; key: string }) => (s.subject === 'person' ? personKeyOf(s.key) : s.key);

beforeAll(async () => {
  db = await createTestDatabase();
  boss = await startBoss(db, clock);
  summary = await runCycle({ db, boss, clock, log: silentLog }, { seed: 5, enterprises: 30, persons: 60, dataDir: tempDir('lists'), shards: 2 });
}, 240_000);

afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 2000 });
  await db?.drop();
});

describe('the demo lists every policy point', () => {
  it('matches every point of the library in some run of the cycle', async () => {
    const library = await loadLibraryOrThrow('policies');
    const matched = new Set(summary.runs.flatMap((r) => r.points.map((p) => p.pointId)));
    expect(library.points.map((p) => p.id).filter((id) => !matched.has(id))).toEqual([]);
  });

  it('gives every point at least one eligible list entry', async () => {
    const library = await loadLibraryOrThrow('policies');
    const rows = await db.sql<{ point_id: string; n: number }[]>`select point_id, count(*)::int as n from list_entries where outcome = 'eligible' group by point_id`;
    const eligible = new Map(rows.map((r) => [r.point_id, r.n]));
    expect(library.points.map((p) => p.id).filter((id) => !eligible.get(id))).toEqual([]);
  });

  it('gives every point a subject who just misses, on the list with its missing facts or its exception, or explained on demand', async () => {
    const library = await loadLibraryOrThrow('policies');
    const rows = await db.sql<{ point_id: string }[]>`
      select distinct point_id from list_entries where outcome = 'undetermined' or (outcome = 'ineligible' and cardinality(reason_codes) > 0)`;
    const onList = new Set(rows.map((r) => r.point_id));
    const unexplained: string[] = [];
    for (const point of library.points) {
      const misses = summary.demo.planted.filter((s) => s.pointId === point.id && s.expected !== 'eligible');
      if (misses.length === 0) {
        unexplained.push(`${point.id}: no planted near miss`);
        continue;
      }
      if (onList.has(point.id)) continue;
      // Plainly ineligible subjects are not written to the list (a million of them would be); the
      // explanation re-derives the decision and names the condition that failed.
      const miss = misses[0]!;
      const why = await explainEntry(db, { subjectKey: recordedKey(miss), pointId: point.id, period: miss.period }, summary.staff.reviewer);
      if (why.outcome !== miss.expected || !why.lines.some((l) => l.startsWith('✗'))) unexplained.push(`${point.id}: ${why.outcome}\n${why.lines.join('\n')}`);
    }
    expect(unexplained).toEqual([]);
    // Most points show their near misses on the list itself.
    expect(onList.size).toBeGreaterThan(library.points.length / 2);
  });

  it('decides every planted subject as its point’s own test case says on the facts its rows carry', async () => {
    expect(summary.demo.planted.length).toBeGreaterThan(100);
    const runOf = new Map(summary.runs.map((r) => [`${r.scope} ${r.run.period}`, r.run.runId]));
    const wrong: string[] = [];
    for (const s of summary.demo.planted) {
      const runId = runOf.get(`${s.subject} ${s.period}`);
      expect(runId, `${s.pointId}: no run for ${s.period}`).toBeDefined();
      const [d] = await db.sql<{ outcome: string; reason_codes: string[] }[]>`
        select outcome, reason_codes from decisions where run_id = ${runId!} and point_id = ${s.pointId} and subject_key = ${recordedKey(s)}`;
      // A run keeps no row for a plainly ineligible subject (one whose failed conditions are not labelled exceptions).
      const got = d ? { outcome: d.outcome, reasons: d.outcome === 'ineligible' ? d.reason_codes : [] } : { outcome: 'ineligible', reasons: null };
      const want = { outcome: s.expected, reasons: s.expected === 'ineligible' ? s.reasons : [] };
      if (got.outcome !== want.outcome || (got.reasons !== null && got.reasons.join() !== want.reasons.join())) {
        wrong.push(`${s.pointId} ${s.period} “${s.testName}”: ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('prints no point as idle in the summary', () => {
    expect(formatSummary(summary)).not.toContain('nobody in the demo population qualifies');
  });
});
