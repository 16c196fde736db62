// The recovery check is not 高龄津贴's alone: 困难残疾人生活补贴 (国发〔2015〕52号, monthly, 400元 from
// 2023-05) stops after a death by a labelled exception (死亡次月起停发), and the months paid after the
// month of a death reported late are raised the same way. Real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { checkRecoveries } from '../src/payouts/recovery.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { personKeyOf } from '../src/subjects/personal-data.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { personsFixture } from './support/persons.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const POINT = 'canji-shenghuo-butie';
const clock = fixedClock('2025-04-30T02:00:00.000Z');
const work = tempDir('recovery-disability');
const HOLDER = buildIdNumber('440303', '19800101', '791'); // 罗湖 户籍, 一级视力残疾, 低保家庭

let db: TestDatabase;
let persons: ReturnType<typeof personsFixture>;

beforeAll(async () => {
  db = await createTestDatabase();
  persons = personsFixture(db, clock, work, { officer: await createStaff(db, ['finance_officer']), approver: await createStaff(db, ['finance_approver']) });
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  persons.register[HOLDER] = { name: '郑建华', hukou: '440303' };
  persons.cards[HOLDER] = '6225880055556666';
  await persons.importPolice('2025-04-01');
  await persons.importCards('2025-04-01');
  expect(await persons.importRows('disabled-certificates', 'grade,category', { [HOLDER]: '一级,视力' }, '2025-04-01')).toMatchObject({ status: 'imported', rowsRejected: 0 });
  expect(await persons.importRows('civil-assistance', 'dibao', { [HOLDER]: '是' }, '2025-04-01')).toMatchObject({ status: 'imported', rowsRejected: 0 });
  for (const [period, at] of [['2025-04', '2025-04-30'], ['2025-05', '2025-05-31'], ['2025-06', '2025-06-30']] as const) {
    clock.set(`${at}T02:00:00.000Z`);
    await persons.match(period, POINT);
    expect((await persons.pay(period, POINT)).batch.totalFen).toBe(40000n);
  }
});
afterAll(async () => db?.drop());

describe('recovery of 困难残疾人生活补贴 after a late death', () => {
  it('stops the next month and raises each month paid after the month of death, at what was paid', async () => {
    persons.register[HOLDER] = { ...persons.register[HOLDER]!, death: '2025-04-20', effective: '2025-04-20' };
    clock.set('2025-07-05T02:00:00.000Z');
    const late = await persons.importPolice('2025-07-05');
    await persons.match('2025-07', POINT);
    expect((await persons.entryOf(HOLDER, '2025-07'))?.outcome ?? 'ineligible').toBe('ineligible');
    await expect(persons.pay('2025-07', POINT)).rejects.toMatchObject({ code: 'BATCH_EMPTY' });

    const { raised } = await checkRecoveries(db, clock, { actor: SYSTEM_ACTOR });
    expect(raised.map((c) => [c.subjectKey, c.pointId, c.period, c.amountFen, c.reason, c.factDate, c.importId])).toEqual([
      [personKeyOf(HOLDER), POINT, '2025-05', 40000n, 'death', '2025-04-20', late.importId],
      [personKeyOf(HOLDER), POINT, '2025-06', 40000n, 'death', '2025-04-20', late.importId],
    ]);
    expect((await persons.paymentsOf(HOLDER, POINT)).map((p) => [p.period, p.status])).toEqual([
      ['2025-04', 'paid'],
      ['2025-05', 'paid'],
      ['2025-06', 'paid'],
    ]);
  });
});
