// One graduate counts for one firm: the identity ledger dedupes hires across firms and months before
// the 扩岗补助 / 吸纳就业补贴 points read the counts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { buildHireLedger } from '../src/matching/identity-ledger.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { prepareBatch } from '../src/payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { readSnapshotFacts } from '../src/subjects/facts-repository.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { personKeyOf } from '../src/subjects/personal-data.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { noticeLapsed } from './support/notice.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2023-09-05T02:00:00.000Z');
const work = tempDir('ledger');
const [A, B, C] = ['MA5A1B2C', 'MA5D3E4F', 'MA5G5H6J'].map((body) => buildUscc('9', '1', '440305', body)) as [string, string, string];
const [P1, P2, P3, P4] = ['101', '203', '305', '407'].map((seq) => buildIdNumber('440305', '20010101', seq)) as [string, string, string, string];
let db: TestDatabase;

const file = (name: string, lines: string[]) => {
  const path = join(work, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
};
const load = (feedId: string, path: string) => importFeed(db, clock, { feedId, input: { path }, asOf: '2023-09-01', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
const hires = (month: string, rows: string[]) => load('hrss-hire-records', file(`hires-${month}.csv`, ['id_number,hire_month,employer_uscc,contract_signed,insured_months,expansion_target,absorption_target', ...rows.map((r) => r.replace('$M', month))]));

async function countsFor(month: string) {
  const [{ w }] = (await db.sql<{ w: number }[]>`select max(seq)::int as w from fact_records`) as unknown as [{ w: number }];
  const out = new Map<string, Record<string, unknown>>();
  for await (const s of readSnapshotFacts(db.sql, w, ['current', month], { subjectType: 'enterprise' })) out.set(s.subjectKey, s.facts);
  return out;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  await load('samr-registry', file('samr.csv', ['uscc,name,region_code,industry_code,status,org_kind', `${A},甲公司,440305,C3911,存续,企业`, `${B},乙公司,440305,I6510,存续,企业`, `${C},丙公司,440305,M7320,存续,企业`]));
  await load('credit-status', file('credit.csv', ['uscc,serious_dishonest', `${A},否`, `${B},否`, `${C},否`]));
  await load('police-population', file('police.csv', ['id_number,name,hukou_region', `${P1},一,440305`, `${P2},二,440305`, `${P3},三,440305`, `${P4},四,440305`]));
});
afterAll(async () => db?.drop());

describe('identity-used ledger', () => {
  it('counts each person for the first firm that hired them, and never again for another firm', async () => {
    await hires('2023-07', [`${P1},$M,${A},是,2,是,否`, `${P2},$M,${A},是,1,否,是`, `${P3},$M,${B},是,1,是,否`, `${P4},$M,${C},否,1,是,否`]);
    const july = await buildHireLedger(db, clock, { month: '2023-07', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    expect(july).toMatchObject({ hires: 4, counted: 3, firms: 3, alreadyUsed: [] }); // P4 had no contract
    const julyFacts = await countsFor('2023-07');
    expect(julyFacts.get(A)).toMatchObject({ expansionHires1m: 1, absorbedHires: 1 });
    expect(julyFacts.get(B)).toMatchObject({ expansionHires1m: 1 });
    expect(julyFacts.get(C)).toMatchObject({ expansionHires1m: 0 });

    // In August P1 moves to B and P3 to C: both were already used in July, so neither counts again.
    await hires('2023-08', [`${P1},$M,${B},是,1,是,否`, `${P3},$M,${C},是,1,是,否`, `${P4},$M,${C},是,1,是,否`]);
    const august = await buildHireLedger(db, clock, { month: '2023-08', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    expect(august.counted).toBe(1);
    // Named by person key (a pseudonym), never by the 公民身份号码; in person-key order.
    expect([...august.alreadyUsed].sort((x, y) => (x.usedBy < y.usedBy ? -1 : 1))).toEqual([
      { person: personKeyOf(P1), usedBy: A, period: '2023-07', hiredBy: B },
      { person: personKeyOf(P3), usedBy: B, period: '2023-07', hiredBy: C },
    ]);
    expect(JSON.stringify(august.alreadyUsed)).not.toContain(P1.slice(6, 14));
    const augustFacts = await countsFor('2023-08');
    expect(augustFacts.get(B)).toMatchObject({ expansionHires1m: 0, absorbedHires: 0 });
    expect(augustFacts.get(C)).toMatchObject({ expansionHires1m: 1 });
  });

  it('rebuilding a month changes nothing', async () => {
    const again = await buildHireLedger(db, clock, { month: '2023-07', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    expect(again).toMatchObject({ counted: 3, alreadyUsed: [] });
    expect(again.imported.duplicate).toBe(true);
    const [{ n }] = (await db.sql<{ n: number }[]>`select count(*)::int as n from identity_ledger`) as unknown as [{ n: number }];
    expect(n).toBe(4);
  });

  it('pays 扩岗补助 only for hires the ledger counted, and takes the ledger’s count over a department’s', async () => {
    // A department count that ignores the ledger says B hired one 扩岗 target in August.
    await load('hrss-hires-monthly', file('hires-monthly.csv', ['uscc,month,expansion_hires_1m,expansion_hires_3m,absorbed_hires', `${B},2023-08,1,0,0`, `${C},2023-08,1,0,0`]));
    await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2023-08', trigger: 'test', actor: 'test', shards: 1 });
    const rows = await db.sql<{ subject_key: string; outcome: string }[]>`select subject_key, outcome from list_entries where point_id = 'kuogang-buzhu-2023' and period = '2023-08' and outcome = 'eligible' order by subject_key`;
    expect(rows.map((r) => r.subject_key)).toEqual([C]);
  });

  it('pays a month’s entitlement to the social-insurance account from 税务’s annual feed', async () => {
    await load('tax-annual', file('tax.csv', ['uscc,year,si_account', `${C},2023,4000123456781234`]));
    // Supplied after the match: the batch still finds it (应享未享 firms get paid once the account arrives).
    const { after } = await noticeLapsed(db, clock, 'kuogang-buzhu-2023', '2023-08');
    const batch = await prepareBatch(db, after, { pointId: 'kuogang-buzhu-2023', period: '2023-08', actor: await createStaff(db, ['finance_officer']) });
    expect(batch).toMatchObject({ paymentCount: 1, withoutAccount: [] });
    const [payment] = await db.sql<{ subject_key: string; account_kind: string }[]>`select subject_key, account_kind from payments where batch_id = ${batch.batchId}`;
    expect(payment).toEqual({ subject_key: C, account_kind: 'social-insurance' });
  });
});
