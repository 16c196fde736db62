// Persons for payout tests: the 公安 register (a full feed, so every import lists everyone), their
// 社保卡 accounts, a match of 高龄津贴 for a month, and paying a month end to end through a sandbox bank
// that also keeps the instructions it was handed (what the bank file would carry).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../../src/clock.ts';
import { importFeed } from '../../src/feeds/importer.ts';
import { SYSTEM_ACTOR, type StaffActor } from '../../src/identity/permissions.ts';
import { runToCompletion } from '../../src/matching/run-service.ts';
import type { BankChannel, PaymentMessage } from '../../src/payouts/bank-channel.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from '../../src/payouts/payout-service.ts';
import { isAppError } from '../../src/errors.ts';
import { noticeLapsed } from './notice.ts';

/** Publishes the list if anything needs it and returns a clock after the notice; else the clock as is. */
async function noticeLapsedOrNow(db: TestDatabase, clock: Clock, pointId: string, period: string): Promise<Clock> {
  try {
    return (await noticeLapsed(db, clock, pointId, period)).after;
  } catch (error) {
    if (isAppError(error, 'NOTICE_EMPTY')) return clock;
    throw error;
  }
}
import { sandboxBank } from '../../src/payouts/sandbox-bank.ts';
import { personKeyOf } from '../../src/subjects/personal-data.ts';
import { silentLog, type TestDatabase } from './database.ts';

export const GAOLING = 'gaoling-jintie';

interface RegisterEntry {
  name: string;
  hukou: string;
  death?: string;
  /** When the row's change took effect (effective_date): a death's or a move's date. */
  effective?: string;
}

export function personsFixture(db: TestDatabase, clock: Clock, work: string, staff: { officer: StaffActor; approver: StaffActor }) {
  let n = 0;
  const register: Record<string, RegisterEntry> = {};
  const cards: Record<string, string> = {};

  async function importPolice(asOf: string) {
    const path = join(work, `police-${++n}.csv`);
    const rows = Object.entries(register).map(([id, p]) => `${id},${p.name},${p.hukou},${p.death ?? ''},${p.effective ?? ''}`);
    writeFileSync(path, `${['id_number,name,hukou_region,death_date,effective_date', ...rows].join('\n')}\n`);
    return importFeed(db, clock, { feedId: 'police-population', input: { path }, asOf, actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }

  async function importCards(asOf: string) {
    const path = join(work, `sscard-${++n}.csv`);
    writeFileSync(path, `${['id_number,sscard_account', ...Object.entries(cards).map(([id, account]) => `${id},${account}`)].join('\n')}\n`);
    return importFeed(db, clock, { feedId: 'hrss-sscard-accounts', input: { path }, asOf, actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }

  const match = (period: string, point = GAOLING) => runToCompletion(db, clock, silentLog, { scope: point, period, kind: 'full', trigger: 'test', actor: 'test', shards: 1 });

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

  /** Prepares, approves (another person), sends and reconciles a month; returns the batch and what went out. */
  async function pay(period: string, point = GAOLING) {
    const bank = recordingBank();
    // The month's list is published (公示) and the batch made once its notice has ended, on a clock
    // of its own: the test's clock stays where the test put it.
    const after = await noticeLapsedOrNow(db, clock, point, period);
    const batch = await prepareBatch(db, after, { pointId: point, period, actor: staff.officer });
    await approveBatch(db, after, { batchId: batch.batchId, actor: staff.approver });
    await sendBatch(db, after, bank, { batchId: batch.batchId, actor: staff.officer });
    await reconcile(db, after, silentLog, bank, SYSTEM_ACTOR);
    return { batch, instructions: bank.instructions };
  }

  const paymentsOf = (id: string, point = GAOLING) =>
    db.sql<{ period: string; amount_fen: string; status: string; account_kind: string; account_masked: string; account_enc: string; idempotency_key: string }[]>`
      select b.period, p.amount_fen::text, p.status, p.account_kind, p.account_masked, p.account_enc, p.idempotency_key
      from payments p join payout_batches b on b.id = p.batch_id
      where p.subject_key = ${personKeyOf(id)} and b.point_id = ${point} order by b.period`;

  const entryOf = async (id: string, period: string) =>
    (await db.sql<{ outcome: string; status: string }[]>`select outcome, status from list_entries where subject_key = ${personKeyOf(id)} and point_id = ${GAOLING} and period = ${period}`)[0];

  /** Any other person feed of the register's persons (残联 certificates, 民政 assistance), as rows after the id. */
  async function importRows(feedId: string, header: string, rows: Record<string, string>, asOf: string) {
    const path = join(work, `${feedId}-${++n}.csv`);
    writeFileSync(path, `${[`id_number,${header}`, ...Object.entries(rows).map(([id, row]) => `${id},${row}`)].join('\n')}\n`);
    return importFeed(db, clock, { feedId, input: { path }, asOf, actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }

  return { register, cards, importPolice, importCards, importRows, match, pay, paymentsOf, entryOf };
}
