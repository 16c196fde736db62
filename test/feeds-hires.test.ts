// 人社 hire records may list one person twice in a month (two employers). Both rows are kept, and the
// identity ledger picks the employer by a fixed order, so the result does not depend on the order of
// the file, and a hire that does not qualify at one firm never blocks a qualifying one at another.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { buildHireLedger } from '../src/matching/identity-ledger.ts';
import { readSnapshotFacts } from '../src/subjects/facts-repository.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { personKeyOf } from '../src/subjects/personal-data.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { objectContaining, stringContaining } from './support/expect.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2023-09-05T02:00:00.000Z');
const work = tempDir('hires');
const [A, B, C] = ['MA5A1B2C', 'MA5D3E4F', 'MA5G5H6J'].map((body) => buildUscc('9', '1', '440305', body)).sort() as [string, string, string];
const [P1, P2, P3] = ['101', '203', '305'].map((seq) => buildIdNumber('440305', '20010101', seq)) as [string, string, string];
const HEADER = 'id_number,hire_month,employer_uscc,contract_signed,insured_months,expansion_target,absorption_target';
const ROWS = [
  `${P1},2023-07,${B},是,2,是,否`,
  `${P1},2023-07,${A},是,1,是,否`, // P1 qualifies at both: the lower USCC (A) counts
  `${P2},2023-07,${A},否,1,是,否`, // P2 has no contract at A ...
  `${P2},2023-07,${C},是,1,是,否`, // ... so the qualifying hire at C counts
  `${P3},2023-07,${C},是,1,否,是`,
];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const db of dbs) await db.drop();
  rmSync(work, { recursive: true, force: true });
});

async function ledgerFor(rows: string[], tag: string) {
  const db = await createTestDatabase();
  dbs.push(db);
  const file = (name: string, lines: string[]) => {
    const path = join(work, `${tag}-${name}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return { path };
  };
  const load = (feedId: string, input: { path: string }) => importFeed(db, clock, { feedId, input, asOf: '2023-09-01', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  await load('samr-registry', file('samr.csv', ['uscc,name,region_code,industry_code,status', `${A},甲,440305,C3911,存续`, `${B},乙,440305,C3911,存续`, `${C},丙,440305,C3911,存续`]));
  await load('police-population', file('police.csv', ['id_number,name,hukou_region', `${P1},一,440305`, `${P2},二,440305`, `${P3},三,440305`]));
  const imported = await load('hrss-hire-records', file('hires.csv', [HEADER, ...rows]));
  const built = await buildHireLedger(db, clock, { month: '2023-07', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  const ledger = await db.sql<{ person_key: string; subject_key: string; period: string }[]>`select person_key, subject_key, period from identity_ledger order by person_key`;
  const [{ w }] = (await db.sql<{ w: number }[]>`select max(seq)::int as w from fact_records`) as unknown as [{ w: number }];
  const counts: Record<string, unknown> = {};
  for await (const s of readSnapshotFacts(db.sql, w, ['2023-07'], { subjectType: 'enterprise' })) counts[s.subjectKey] = s.facts;
  const [hireFacts] = await db.sql<{ facts: unknown }[]>`select facts from fact_records where source = 'hrss-hire-records' and subject_key = ${personKeyOf(P1)}`;
  return { db, imported, built, ledger: ledger.map((r) => ({ ...r })), counts, hireFacts: hireFacts!.facts };
}

describe('several hires of one person in one month', () => {
  it('keeps every employer’s row and gives the same ledger whatever the order of the file', async () => {
    const forward = await ledgerFor(ROWS, 'forward');
    const backward = await ledgerFor([...ROWS].reverse(), 'backward');
    expect(forward.imported).toMatchObject({ rowsAccepted: 5, rowsRejected: 0 });
    expect(backward.imported).toMatchObject({ rowsAccepted: 5, rowsRejected: 0 });
    expect(forward.hireFacts).toEqual(backward.hireFacts);
    expect(forward.ledger).toEqual(backward.ledger);
    expect(forward.counts).toEqual(backward.counts);
    expect(forward.ledger).toEqual(
      [
        { person_key: personKeyOf(P1), subject_key: A, period: '2023-07' },
        { person_key: personKeyOf(P2), subject_key: C, period: '2023-07' },
        { person_key: personKeyOf(P3), subject_key: C, period: '2023-07' },
      ].sort((x, y) => (x.person_key < y.person_key ? -1 : 1)),
    );
    expect(forward.counts[A]).toMatchObject({ expansionHires1m: 1, absorbedHires: 0 });
    expect(forward.counts[B]).toMatchObject({ expansionHires1m: 0 }); // P1 is A's
    expect(forward.counts[C]).toMatchObject({ expansionHires1m: 1, absorbedHires: 1 }); // A's unqualified P2 does not block C
    expect(forward.built.alreadyUsed).toEqual([{ person: personKeyOf(P1), usedBy: A, period: '2023-07', hiredBy: B }]);
  });

  it('still refuses a second row for the same person, month and employer as a duplicate', async () => {
    const { imported } = await ledgerFor([...ROWS, `${P3},2023-07,${C},是,3,否,是`], 'dupe');
    expect(imported.rejections).toEqual([objectContaining({ rowNo: 7, field: 'id_number', reason: stringContaining('and employer_uscc (first at row 6)') })]);
  });

  it('moves a person to the right employer when a corrected month is rebuilt', async () => {
    const { db } = await ledgerFor(ROWS, 'corrected');
    const path = join(work, 'corrected-hires-2.csv');
    // The corrected file: P1 was hired by B only.
    writeFileSync(path, `${[HEADER, ...ROWS.filter((r) => !r.startsWith(`${P1},2023-07,${A}`))].join('\n')}\n`);
    await importFeed(db, clock, { feedId: 'hrss-hire-records', input: { path }, asOf: '2023-09-02', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    const rebuilt = await buildHireLedger(db, clock, { month: '2023-07', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    expect(rebuilt.alreadyUsed).toEqual([]);
    const [entry] = await db.sql<{ subject_key: string }[]>`select subject_key from identity_ledger where person_key = ${personKeyOf(P1)}`;
    expect(entry!.subject_key).toBe(B);
  });
});
