// Valid time: a fact that changes on a date (a 户籍 move, a death) holds from that date, so a run reads
// each subject as it stood at the start of the period it pays, and a pinned snapshot still reproduces
// what an earlier run read.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { readSnapshotFacts } from '../src/subjects/facts-repository.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { personKeyOf } from '../src/subjects/personal-data.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-07-01T02:00:00.000Z');
const work = tempDir('dated');
const MOVER = buildIdNumber('440305', '19440101', '123'); // 80 in 2024, Shenzhen 户籍
const DIES = buildIdNumber('440304', '19431001', '245');
const POINT = 'gaoling-jintie';
let db: TestDatabase;
let n = 0;

const police = (asOf: string, rows: string[]) => {
  const path = join(work, `police-${++n}.csv`);
  writeFileSync(path, `${['id_number,name,hukou_region,death_date,effective_date', ...rows].join('\n')}\n`);
  return importFeed(db, clock, { feedId: 'police-population', input: { path }, asOf, actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
};

async function outcome(period: string, subject: string, snapshotId?: number): Promise<{ outcome: string; runId: number }> {
  const run = await runToCompletion(db, clock, silentLog, { scope: POINT, period, kind: 'full', trigger: 'test', actor: 'test', shards: 1, ...(snapshotId ? { snapshotId } : {}) });
  const [row] = await db.sql<{ outcome: string }[]>`select outcome from decisions where run_id = ${run.runId} and point_id = ${POINT} and subject_key = ${subject}`;
  // Plainly ineligible subjects nobody listed before are not stored.
  return { outcome: row?.outcome ?? 'ineligible', runId: run.runId };
}

const snapshotOf = async (runId: number) => (await db.sql<{ id: number }[]>`select snapshot_id::int as id from match_runs where id = ${runId}`)[0]!.id;

beforeAll(async () => {
  db = await createTestDatabase();
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  await police('2024-02-29', [`${MOVER},甲,440305,,`, `${DIES},乙,440304,,`]);
});
afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('dated facts', () => {
  it('stops 高龄津贴 from the month after a 户籍 move, keeps the month of the move, and a pinned snapshot reproduces the old answer', async () => {
    const before = await outcome('2024-03', personKeyOf(MOVER));
    expect(before.outcome).toBe('eligible');
    const oldSnapshot = await snapshotOf(before.runId);

    const moved = await police('2024-03-20', [`${MOVER},甲,440100,,2024-03-15`, `${DIES},乙,440304,,`]);
    expect(moved).toMatchObject({ status: 'imported', rowsRejected: 0, rowsUnchanged: 1 });
    const [record] = await db.sql<{ valid_from: string }[]>`select valid_from::text from fact_records where subject_key = ${personKeyOf(MOVER)} and source = 'police-population' order by seq desc limit 1`;
    expect(record!.valid_from).toBe('2024-03-15');

    expect((await outcome('2024-04', personKeyOf(MOVER))).outcome).toBe('ineligible');
    expect((await outcome('2024-03', personKeyOf(MOVER))).outcome).toBe('eligible');
    expect((await outcome('2024-04', personKeyOf(MOVER), oldSnapshot)).outcome).toBe('eligible'); // the older snapshot predates the move
  });

  it('stops after a death dated in May, reported in June, from June but not for May', async () => {
    await police('2024-06-05', [`${MOVER},甲,440100,,`, `${DIES},乙,440304,2024-05-10,2024-05-10`]);
    expect((await outcome('2024-05', personKeyOf(DIES))).outcome).toBe('eligible');
    expect((await outcome('2024-06', personKeyOf(DIES))).outcome).toBe('ineligible');
  });

  it('dates a change without an effective date from the import’s as-of date, and a retraction too', async () => {
    const p3 = buildIdNumber('440306', '19400101', '367');
    await police('2024-06-30', [`${MOVER},甲,440100,,`, `${DIES},乙,440304,2024-05-10,`, `${p3},丙,440306,,`]);
    await police('2024-07-31', [`${MOVER},甲,440300,,`, `${DIES},乙,440304,2024-05-10,`]);
    const rows = await db.sql<{ subject_key: string; valid_from: string | null; retracted: boolean }[]>`
      select subject_key, valid_from::text, retracted from fact_records where source = 'police-population' and as_of = '2024-07-31' order by subject_key`;
    expect(rows).toEqual(
      [
        { subject_key: personKeyOf(MOVER), valid_from: '2024-07-31', retracted: false },
        { subject_key: personKeyOf(p3), valid_from: '2024-07-31', retracted: true },
      ].sort((a, b) => (a.subject_key < b.subject_key ? -1 : 1)),
    );
    const [{ w }] = (await db.sql<{ w: number }[]>`select max(seq)::int as w from fact_records`) as unknown as [{ w: number }];
    const read = async (validOn: string) => {
      const out = new Map<string, Record<string, unknown>>();
      for await (const s of readSnapshotFacts(db.sql, w, ['current'], { subjectType: 'person', validOn })) out.set(s.subjectKey, s.facts);
      return out;
    };
    const july = await read('2024-07');
    const august = await read('2024-08');
    expect(july.get(personKeyOf(MOVER))?.hukouRegion).toBe('440100');
    expect(august.get(personKeyOf(MOVER))?.hukouRegion).toBe('440300');
    expect(july.get(personKeyOf(p3))?.hukouRegion).toBe('440306'); // p3's first record holds for all time ...
    expect(august.has(personKeyOf(p3))).toBe(false); // ... until the retraction of 2024-07-31
  });
});
