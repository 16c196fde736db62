// Feed import on both database paths: COPY on real PostgreSQL, batched INSERT on the embedded PGlite.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import type { Database } from '../src/db/clients.ts';
import { openDatabase } from '../src/db/open.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { changedSubjectsSince, readSnapshotFacts } from '../src/subjects/facts-repository.ts';
import { createSnapshot } from '../src/subjects/snapshots.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { decryptField, personKeyOf } from '../src/subjects/personal-data.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase } from './support/database.ts';
import { stringContaining } from './support/expect.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const A = buildUscc('9', '1', '440305', 'MA5F0K3B');
const B = buildUscc('9', '1', '440304', 'MA5G1L4C');
const C = buildUscc('9', '1', '440306', 'MA5H2M5D');
const UNREGISTERED = buildUscc('9', '1', '440307', 'MA5J3N6E');
const BAD_CHECK = A.slice(0, 17) + (A[17] === '1' ? '2' : '1');
const P1 = buildIdNumber('440305', '19500101', '123');
const P2 = buildIdNumber('440304', '19800202', '246');

const clock = fixedClock('2024-04-01T00:00:00Z');
const work = tempDir('feeds');
afterAll(() => rmSync(work, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(work, `${Math.random().toString(36).slice(2)}-${name}`);
  writeFileSync(path, content);
  return path;
}

const registry = (rows: string[]) => file('samr.csv', ['uscc,name,region_code,industry_code,status', ...rows].join('\n') + '\n');
const hrss = (rows: string[]) => file('hrss.csv', ['uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,labor_dispatch', ...rows].join('\n') + '\n');

const backends: [string, () => Promise<Database & { release(): Promise<void> }>][] = [
  ['PostgreSQL (COPY)', async () => {
    const db = await createTestDatabase();
    return { ...db, release: () => db.drop() };
  }],
  ['embedded PGlite (INSERT)', async () => {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: mkdtempSync(join(work, 'pglite-')) });
    return { ...db, release: () => db.shutdown() };
  }],
];

describe.each(backends)('feed import on %s', (_label, open) => {
  let db: Database & { release(): Promise<void> };
  const rejectsDir = join(work, 'rejects');
  const run = (feedId: string, path: string, extra: { atomic?: boolean } = {}) => importFeed(db, clock, { feedId, input: { path }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir, ...extra });

  beforeAll(async () => {
    db = await open();
  });
  afterAll(async () => db?.release());

  it('registers enterprises and keeps every valid row while naming each bad one', async () => {
    const result = await run('samr-registry', registry([
      `${A},深圳市甲有限公司,440305,C3911,存续`,
      `${B},深圳市乙有限公司,440304,I6510,存续`,
      `${C},深圳市丙有限公司,440306,M7320,存续`,
      `${BAD_CHECK},坏校验码公司,440305,C3911,存续`,
      `,无代码公司,440305,C3911,存续`,
      `${UNREGISTERED},区划错误公司,4403,C3911,存续`,
      `${UNREGISTERED},行业错误公司,440307,ZZ,存续`,
      `${UNREGISTERED},状态错误公司,440307,C3911,歇业`,
      `${UNREGISTERED},,440307,C3911,存续`,
      `${A},深圳市甲重复有限公司,440305,C3911,存续`,
      `${UNREGISTERED},列数不对`,
    ]));
    expect(result).toMatchObject({ status: 'imported', rowsTotal: 11, rowsAccepted: 3, rowsRejected: 8 });
    const byRow = Object.fromEntries(result.rejections.map((r) => [r.rowNo, r]));
    expect(byRow[5]).toMatchObject({ field: 'uscc', reason: stringContaining('校验码') });
    expect(byRow[6]).toMatchObject({ field: 'uscc', reason: 'missing subject identifier' });
    expect(byRow[7]).toMatchObject({ field: 'region_code', value: '4403', reason: stringContaining('GB/T 2260') });
    expect(byRow[8]).toMatchObject({ field: 'industry_code', reason: stringContaining('GB/T 4754') });
    expect(byRow[9]).toMatchObject({ field: 'status', value: '歇业', reason: stringContaining('存续') });
    expect(byRow[10]).toMatchObject({ field: 'name', reason: 'required value is empty' });
    expect(byRow[11]).toMatchObject({ field: 'uscc', reason: stringContaining('first at row 2') });
    expect(byRow[12]).toMatchObject({ field: '(row)', reason: stringContaining('number of columns') });

    const file = readFileSync(result.rejectsFile!, 'utf8');
    expect(file.split('\n')[0]).toBe('row_no,field,value,reason');
    expect(file).toContain('歇业');
    const stored = await db.sql<{ row_no: number }[]>`select row_no from fact_rejects where import_id = ${result.importId} order by row_no`;
    expect(stored.map((r) => r.row_no)).toEqual([5, 6, 7, 8, 9, 10, 11, 12]);
    const [{ n }] = (await db.sql<{ n: number }[]>`select count(*)::int as n from enterprises`) as unknown as [{ n: number }];
    expect(n).toBe(3);
  });

  it('converts amounts to exact fen and rejects rows for subjects nobody registered', async () => {
    const result = await run('hrss-ui-annual', hrss([
      `${A},2023,120,"12,345.67",24,110,2,否`,
      `${B},2023,30,99.9,13,25,5,是`,
      `${C},2023,12,100.123,12,10,0,否`,
      `${UNREGISTERED},2023,5,1000,12,5,0,否`,
      `${A},23,1,1,1,1,1,否`,
      `${C},2023,-1,1,1,1,1,否`,
      `${C},2023,1,1,1,1,1,也许`,
    ]));
    expect(result).toMatchObject({ rowsAccepted: 2, rowsRejected: 5 });
    const reasons = result.rejections.map((r) => `${r.rowNo}:${r.field}`);
    expect(reasons).toEqual(['4:ui_paid_yuan', '5:uscc', '6:year', '7:staff', '8:labor_dispatch']);
    expect(result.rejections.find((r) => r.rowNo === 5)?.reason).toContain('samr-registry');
    const snapshot = await db.sql.begin((tx) => createSnapshot(tx, clock, 'staff:test', '2024-04-01'));
    const facts = new Map<string, Record<string, unknown>>();
    for await (const s of readSnapshotFacts(db.sql, Number(snapshot.watermarkSeq), ['current', '2023'])) facts.set(s.subjectKey, s.facts);
    expect(facts.get(A)).toMatchObject({ uiContributionsPaidFen: 1234567, staff: 120, laborDispatch: false, industryCode: 'C3911', status: '存续' });
    expect(facts.get(B)).toMatchObject({ uiContributionsPaidFen: 9990, laborDispatch: true });
  });

  it('changes nothing when the same file is imported again', async () => {
    const path = registry([`${A},深圳市甲有限公司,440305,C3911,存续`, `${B},深圳市乙有限公司,440304,I6510,存续`, `${C},深圳市丙有限公司,440306,M7320,存续`]);
    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from fact_records`;
    const first = await run('samr-registry', path);
    expect(first).toMatchObject({ status: 'imported', rowsAccepted: 3, rowsUnchanged: 3 }); // same facts as the first registry file
    const again = await run('samr-registry', path);
    expect(again).toMatchObject({ duplicate: true, status: 'duplicate', importId: first.importId });
    const after = await db.sql<{ n: number }[]>`select count(*)::int as n from fact_records`;
    expect(after[0]!.n).toBe(before[0]!.n);
  });

  it('lets a corrected file supersede earlier facts without losing them, and tracks what changed', async () => {
    const before = await db.sql.begin((tx) => createSnapshot(tx, clock, 'staff:test', '2024-04-01'));
    // B's registry row is corrected (注销); C is no longer listed by this full feed; A is unchanged.
    const corrected = await run('samr-registry', registry([`${A},深圳市甲有限公司,440305,C3911,存续`, `${B},深圳市乙有限公司,440304,I6510,注销`]));
    expect(corrected).toMatchObject({ rowsAccepted: 2, rowsUnchanged: 1, rowsRetracted: 1 });

    const read = async (watermark: number) => {
      const out = new Map<string, Record<string, unknown>>();
      for await (const s of readSnapshotFacts(db.sql, watermark, ['current', '2023'])) out.set(s.subjectKey, s.facts);
      return out;
    };
    const after = await db.sql.begin((tx) => createSnapshot(tx, clock, 'staff:test', '2024-04-02'));
    const old = await read(Number(before.watermarkSeq));
    const now = await read(Number(after.watermarkSeq));
    expect(old.get(B)?.status).toBe('存续'); // the earlier snapshot still reads what it read
    expect(now.get(B)?.status).toBe('注销');
    expect(old.get(C)?.industryCode).toBe('M7320');
    expect(now.get(C)?.industryCode).toBeUndefined(); // retracted registry facts; its hrss facts remain
    expect(now.get(C)?.staff).toBeUndefined(); // C's hrss row was rejected earlier, so it has none
    const history = await db.sql<{ n: number }[]>`select count(*)::int as n from fact_records where subject_key = ${B} and source = 'samr-registry'`;
    expect(history[0]!.n).toBe(2);

    expect(await changedSubjectsSince(db.sql, Number(before.watermarkSeq))).toEqual([B, C].sort());
    expect(await changedSubjectsSince(db.sql, Number(after.watermarkSeq))).toEqual([]);
  });

  it('does not retract a subject whose row in a full feed was rejected', async () => {
    const result = await run('samr-registry', registry([`${A},深圳市甲有限公司,440305,C3911,存续`, `${B},深圳市乙有限公司,440304,I6510,歇业`]));
    expect(result).toMatchObject({ rowsRejected: 1, rowsRetracted: 0 });
  });

  it('rejects a whole all-or-nothing feed for one bad line, and records why', async () => {
    const path = file('credit.jsonl', [JSON.stringify({ uscc: A, serious_dishonest: false }), '{"uscc": broken', JSON.stringify({ uscc: B, serious_dishonest: true })].join('\n'));
    const result = await run('credit-status', path);
    expect(result).toMatchObject({ status: 'rejected', rowsAccepted: 0, rowsRejected: 1 });
    expect(result.rejections[0]).toMatchObject({ rowNo: 2, field: '(row)', reason: stringContaining('not valid JSON') });
    const [{ n }] = (await db.sql<{ n: number }[]>`select count(*)::int as n from fact_records where source = 'credit-status'`) as unknown as [{ n: number }];
    expect(n).toBe(0);
    const audit = await db.sql<{ action: string }[]>`select action from audit_log where entity_id = ${String(result.importId)} and entity_type = 'fact_import'`;
    expect(audit.map((a) => a.action)).toEqual(['facts.import-rejected']);
  });

  it('masks personal identifiers in what it reports', async () => {
    await run('police-population', file('police.csv', `id_number,name,hukou_region,death_date\n${P1},张三,440305,\n${P2},李四,440304,2024-02-30\n`));
    const result = await run('civil-assistance', file('civil.csv', `id_number,dibao\n${P1},是\n${P2.slice(0, 17)}0,否\n`));
    expect(result.rowsRejected).toBe(1);
    const [rejection] = result.rejections;
    expect(rejection!.value).toBe(`${P2.slice(0, 6)}********${P2.slice(14, 17)}0`);
    expect(JSON.stringify(result.rejections)).not.toContain(P2.slice(6, 14));
    const people = await db.sql<{ person_key: string; id_enc: string; id_masked: string }[]>`select person_key, id_enc, id_masked from persons`;
    // 李四's death date 2024-02-30 is not a date. 张三 is kept by person key, the number encrypted and masked.
    expect(people.map((p) => p.person_key)).toEqual([personKeyOf(P1)]);
    expect(people[0]!.id_masked).toBe(`${P1.slice(0, 6)}********${P1.slice(14)}`);
    expect(decryptField(people[0]!.id_enc)).toBe(P1);
    const snapshot = await db.sql.begin((tx) => createSnapshot(tx, clock, 'staff:test', '2024-04-01'));
    const facts = [];
    for await (const s of readSnapshotFacts(db.sql, Number(snapshot.watermarkSeq), ['current'], { subjectType: 'person' })) facts.push(s);
    // The birth date comes from the 公民身份号码 itself.
    expect(facts).toEqual([{ subjectKey: personKeyOf(P1), facts: { birthDate: '1950-01-01', hukouRegion: '440305', deathDate: null, introducedDate: null, dibaoHousehold: true, lowIncomeHousehold: null } }]);
  });
});
