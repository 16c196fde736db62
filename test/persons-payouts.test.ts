// Persons are paid like enterprises: to the account on record (the 社保卡 financial account), under the
// register's name; a monthly benefit pays each month once and stops from the month after a death or a
// 户籍 move. On real PostgreSQL, through the importer, the match and the payout service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import type { StaffActor } from '../src/identity/permissions.ts';
import { prepareBatch } from '../src/payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { decryptField, personKeyOf } from '../src/subjects/personal-data.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { GAOLING, personsFixture } from './support/persons.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2025-03-31T02:00:00.000Z');
const work = tempDir('persons');
// 70 in March 2025 (高龄津贴 200元 a month from the month of the 70th birthday), 福田 户籍.
const GRANNY = buildIdNumber('440304', '19550315', '246');
const NO_CARD = buildIdNumber('440305', '19500101', '135');
const MOVER = buildIdNumber('440306', '19450601', '357');
const DIES = buildIdNumber('440307', '19400101', '468'); // 85: 300元

let db: TestDatabase;
let officer: StaffActor;
let persons: ReturnType<typeof personsFixture>;

beforeAll(async () => {
  db = await createTestDatabase();
  officer = await createStaff(db, ['finance_officer']);
  persons = personsFixture(db, clock, work, { officer, approver: await createStaff(db, ['finance_approver']) });
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  Object.assign(persons.register, {
    [GRANNY]: { name: '陈秀英', hukou: '440304' },
    [NO_CARD]: { name: '林国强', hukou: '440305' },
    [MOVER]: { name: '黄志明', hukou: '440306' },
    [DIES]: { name: '吴桂兰', hukou: '440307' },
  });
  Object.assign(persons.cards, { [GRANNY]: '6225880012345678', [MOVER]: '6225880022223333', [DIES]: '6225880033334444' });
  await persons.importPolice('2025-03-01');
  expect(await persons.importCards('2025-03-01')).toMatchObject({ status: 'imported', rowsAccepted: 3, rowsRejected: 0 });
});
afterAll(async () => db?.drop());

describe('paying persons', () => {
  it('keeps the 社保卡 account encrypted at import, as other accounts are', async () => {
    const [record] = await db.sql<{ facts: { ssCardAccount: string } }[]>`select facts from fact_records where source = 'hrss-sscard-accounts' and subject_key = ${personKeyOf(GRANNY)}`;
    expect(record!.facts.ssCardAccount).toMatch(/^sm4:/);
    expect(decryptField(record!.facts.ssCardAccount)).toBe(persons.cards[GRANNY]);
  });

  it('pays a person to the social-security card account under the register’s name, and reports one without a card in withoutAccount', async () => {
    await persons.match('2025-03');
    const { batch, instructions } = await persons.pay('2025-03');
    expect(batch.paymentCount).toBe(3);
    expect(batch.totalFen).toBe(20000n + 20000n + 30000n); // 70-79: 200元, 80-89: 300元
    expect(batch.withoutAccount).toEqual([personKeyOf(NO_CARD)]);
    expect(instructions.find((i) => i.accountNumber === persons.cards[GRANNY])).toMatchObject({ payeeName: '陈秀英', amountFen: 20000n, remittance: `${GAOLING} 2025-03` });
    const [payment] = await persons.paymentsOf(GRANNY);
    expect(payment).toMatchObject({ period: '2025-03', amount_fen: '20000', status: 'paid', account_kind: 'social-security-card', account_masked: '************5678' });
    expect(decryptField(payment!.account_enc)).toBe(persons.cards[GRANNY]);
    // Neither the identity number nor the clear account is kept on the payment.
    expect(JSON.stringify(payment)).not.toContain(GRANNY);
    expect(JSON.stringify(payment)).not.toContain(persons.cards[GRANNY]);
    expect(await persons.entryOf(NO_CARD, '2025-03')).toMatchObject({ outcome: 'eligible', status: 'listed' });
  });

  it('pays a monthly benefit once for each month, however often the match and the preparation are repeated', async () => {
    await persons.match('2025-03');
    await expect(prepareBatch(db, clock, { pointId: GAOLING, period: '2025-03', actor: officer })).rejects.toMatchObject({ code: 'BATCH_EMPTY' });
    clock.set('2025-04-30T02:00:00.000Z');
    await persons.match('2025-04');
    await persons.match('2025-04');
    expect((await persons.pay('2025-04')).batch.paymentCount).toBe(3);
    for (const period of ['2025-03', '2025-04']) {
      await persons.match(period);
      await expect(prepareBatch(db, clock, { pointId: GAOLING, period, actor: officer })).rejects.toMatchObject({ code: 'BATCH_EMPTY' });
    }
    const paid = await persons.paymentsOf(GRANNY);
    expect(paid.map((p) => [p.period, p.amount_fen, p.status])).toEqual([
      ['2025-03', '20000', 'paid'],
      ['2025-04', '20000', 'paid'],
    ]);
    expect(new Set(paid.map((p) => p.idempotency_key)).size).toBe(2);
    expect(await persons.entryOf(GRANNY, '2025-04')).toMatchObject({ status: 'paid' });
  });

  it('pays the month of a death or a 户籍 move and stops from the month after: the later month’s entry is not paid', async () => {
    persons.register[DIES] = { ...persons.register[DIES]!, death: '2025-05-10', effective: '2025-05-10' };
    persons.register[MOVER] = { ...persons.register[MOVER]!, hukou: '440100', effective: '2025-05-15' }; // to 广州
    clock.set('2025-05-31T02:00:00.000Z');
    await persons.importPolice('2025-05-31');
    await persons.match('2025-05');
    const may = await persons.pay('2025-05');
    expect(may.batch.paymentCount).toBe(3);
    expect(may.instructions.map((i) => i.accountNumber).sort()).toEqual([persons.cards[DIES], persons.cards[GRANNY], persons.cards[MOVER]].sort());

    clock.set('2025-06-30T02:00:00.000Z');
    await persons.match('2025-06');
    expect(await persons.entryOf(DIES, '2025-06')).toBeUndefined();
    expect(await persons.entryOf(MOVER, '2025-06')).toBeUndefined();
    const june = await persons.pay('2025-06');
    expect(june.instructions.map((i) => i.accountNumber)).toEqual([persons.cards[GRANNY]]);
    expect((await persons.paymentsOf(DIES)).map((p) => p.period)).toEqual(['2025-03', '2025-04', '2025-05']);
    expect((await persons.paymentsOf(MOVER)).map((p) => p.period)).toEqual(['2025-03', '2025-04', '2025-05']);
  });
});
