// Persons are paid like enterprises: to the account on record (the 社保卡 financial account), under the
// register's name; a monthly benefit pays each month once and stops from the month after a death or a
// 户籍 move. On real PostgreSQL, through the importer, the match and the payout service.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import type { BankChannel, PaymentMessage } from '../src/payouts/bank-channel.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from '../src/payouts/payout-service.ts';
import { sandboxBank } from '../src/payouts/sandbox-bank.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { decryptField, personKeyOf } from '../src/subjects/personal-data.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const POINT = 'gaoling-jintie';
const clock = fixedClock('2025-03-31T02:00:00.000Z');
const work = tempDir('persons');
// 70 in March 2025 (高龄津贴 200元 a month from the month of the 70th birthday), 福田 户籍.
const GRANNY = buildIdNumber('440304', '19550315', '246');
const NO_CARD = buildIdNumber('440305', '19500101', '135');
const MOVER = buildIdNumber('440306', '19450601', '357');
const DIES = buildIdNumber('440307', '19400101', '468');
const CARD = { [GRANNY]: '6225880012345678', [MOVER]: '6225880022223333', [DIES]: '6225880033334444' } as const;

let db: TestDatabase;
let officer: StaffActor;
let approver: StaffActor;
let n = 0;

/** The 公安 register as a whole (a full feed): every person, with a death or a move where given. */
const register: Record<string, { name: string; hukou: string; death?: string; effective?: string }> = {
  [GRANNY]: { name: '陈秀英', hukou: '440304' },
  [NO_CARD]: { name: '林国强', hukou: '440305' },
  [MOVER]: { name: '黄志明', hukou: '440306' },
  [DIES]: { name: '吴桂兰', hukou: '440307' },
};

async function importPolice(asOf: string) {
  const path = join(work, `police-${++n}.csv`);
  const rows = Object.entries(register).map(([id, p]) => `${id},${p.name},${p.hukou},${p.death ?? ''},${p.effective ?? ''}`);
  writeFileSync(path, `${['id_number,name,hukou_region,death_date,effective_date', ...rows].join('\n')}\n`);
  return importFeed(db, clock, { feedId: 'police-population', input: { path }, asOf, actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
}

async function importCards(asOf: string) {
  const path = join(work, `sscard-${++n}.csv`);
  writeFileSync(path, `${['id_number,sscard_account', ...Object.entries(CARD).map(([id, account]) => `${id},${account}`)].join('\n')}\n`);
  return importFeed(db, clock, { feedId: 'hrss-sscard-accounts', input: { path }, asOf, actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
}

const match = (period: string) => runToCompletion(db, clock, silentLog, { scope: POINT, period, kind: 'full', trigger: 'test', actor: 'test', shards: 1 });

/** A sandbox bank that also keeps the instructions it was handed (what the bank file would carry). */
function recordingBank(): BankChannel & { instructions: PaymentMessage['instructions'] } {
  const bank = sandboxBank(db.orm, clock);
  const instructions: PaymentMessage['instructions'] = [];
  return Object.assign(Object.create(bank) as BankChannel, bank, {
    instructions,
    transmit: async (message: PaymentMessage, tx?: Parameters<BankChannel['transmit']>[1]) => {
      instructions.push(...message.instructions);
      return bank.transmit(message, tx);
    },
  });
}

/** Prepares, approves (another person), sends and reconciles a point's month; returns what went out. */
async function pay(period: string) {
  const bank = recordingBank();
  const batch = await prepareBatch(db, clock, { pointId: POINT, period, actor: officer });
  await approveBatch(db, clock, { batchId: batch.batchId, actor: approver });
  await sendBatch(db, clock, bank, { batchId: batch.batchId, actor: officer });
  await reconcile(db, clock, silentLog, bank, SYSTEM_ACTOR);
  return { batch, instructions: bank.instructions };
}

const paymentsOf = (id: string) =>
  db.sql<{ period: string; amount_fen: string; status: string; account_kind: string; account_masked: string; account_enc: string }[]>`
    select b.period, p.amount_fen::text, p.status, p.account_kind, p.account_masked, p.account_enc
    from payments p join payout_batches b on b.id = p.batch_id
    where p.subject_key = ${personKeyOf(id)} and b.point_id = ${POINT} order by b.period`;

const entryStatus = async (id: string, period: string) =>
  (await db.sql<{ outcome: string; status: string }[]>`select outcome, status from list_entries where subject_key = ${personKeyOf(id)} and point_id = ${POINT} and period = ${period}`)[0];

beforeAll(async () => {
  db = await createTestDatabase();
  officer = await createStaff(db, ['finance_officer']);
  approver = await createStaff(db, ['finance_approver']);
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  await importPolice('2025-03-01');
  expect(await importCards('2025-03-01')).toMatchObject({ status: 'imported', rowsAccepted: 3, rowsRejected: 0 });
});
afterAll(async () => db?.drop());

describe('paying persons', () => {
  it('keeps the 社保卡 account encrypted at import, as other accounts are', async () => {
    const [record] = await db.sql<{ facts: { ssCardAccount: string } }[]>`select facts from fact_records where source = 'hrss-sscard-accounts' and subject_key = ${personKeyOf(GRANNY)}`;
    expect(record!.facts.ssCardAccount).toMatch(/^sm4:/);
    expect(decryptField(record!.facts.ssCardAccount)).toBe(CARD[GRANNY]);
  });

  it('pays a person to the social-security card account under the register’s name, and reports one without a card in withoutAccount', async () => {
    await match('2025-03');
    const { batch, instructions } = await pay('2025-03');
    expect(batch.paymentCount).toBe(3);
    expect(batch.totalFen).toBe(20000n + 20000n + 30000n); // 70-79: 200元, 80-89: 300元
    expect(batch.withoutAccount).toEqual([personKeyOf(NO_CARD)]);
    expect(instructions.find((i) => i.accountNumber === CARD[GRANNY])).toMatchObject({ payeeName: '陈秀英', amountFen: 20000n, remittance: `${POINT} 2025-03` });
    const [payment] = await paymentsOf(GRANNY);
    expect(payment).toMatchObject({ period: '2025-03', amount_fen: '20000', status: 'paid', account_kind: 'social-security-card', account_masked: '************5678' });
    expect(decryptField(payment!.account_enc)).toBe(CARD[GRANNY]);
    // Neither the identity number nor the clear account is kept on the payment.
    expect(JSON.stringify(payment)).not.toContain(GRANNY);
    expect(await entryStatus(NO_CARD, '2025-03')).toMatchObject({ outcome: 'eligible', status: 'listed' });
  });

  it('pays a monthly benefit once for each month, however often the match and the preparation are repeated', async () => {
    await match('2025-03');
    await expect(prepareBatch(db, clock, { pointId: POINT, period: '2025-03', actor: officer })).rejects.toMatchObject({ code: 'BATCH_EMPTY' });
    clock.set('2025-04-30T02:00:00.000Z');
    await match('2025-04');
    await match('2025-04');
    expect((await pay('2025-04')).batch.paymentCount).toBe(3);
    for (const period of ['2025-03', '2025-04']) {
      await match(period);
      await expect(prepareBatch(db, clock, { pointId: POINT, period, actor: officer })).rejects.toMatchObject({ code: 'BATCH_EMPTY' });
    }
    const paid = await paymentsOf(GRANNY);
    expect(paid.map((p) => [p.period, p.amount_fen, p.status])).toEqual([
      ['2025-03', '20000', 'paid'],
      ['2025-04', '20000', 'paid'],
    ]);
    expect(await entryStatus(GRANNY, '2025-04')).toMatchObject({ status: 'paid' });
  });

  it('pays the month of a death or a 户籍 move and stops from the month after: the later month’s entry is not paid', async () => {
    register[DIES] = { ...register[DIES]!, death: '2025-05-10', effective: '2025-05-10' };
    register[MOVER] = { ...register[MOVER]!, hukou: '440100', effective: '2025-05-15' }; // to 广州
    clock.set('2025-05-31T02:00:00.000Z');
    await importPolice('2025-05-31');
    await match('2025-05');
    const may = await pay('2025-05');
    expect(may.batch.paymentCount).toBe(3);
    expect(may.instructions.map((i) => i.accountNumber).sort()).toEqual([CARD[DIES], CARD[GRANNY], CARD[MOVER]].sort());

    clock.set('2025-06-30T02:00:00.000Z');
    await match('2025-06');
    expect(await entryStatus(DIES, '2025-06')).toBeUndefined();
    expect(await entryStatus(MOVER, '2025-06')).toBeUndefined();
    const june = await pay('2025-06');
    expect(june.instructions.map((i) => i.accountNumber)).toEqual([CARD[GRANNY]]);
    expect((await paymentsOf(DIES)).map((p) => p.period)).toEqual(['2025-03', '2025-04', '2025-05']);
    expect((await paymentsOf(MOVER)).map((p) => p.period)).toEqual(['2025-03', '2025-04', '2025-05']);
  });
});
