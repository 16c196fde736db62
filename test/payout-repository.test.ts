// The payout repository joins the transaction it is given: a caller can run a payout step inside its
// own transaction, and everything the step wrote (batch, payments, list statuses, audit entry) commits
// or rolls back with it.
import { and, eq, sql as dsql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { listEntries, payoutBatches } from '../src/db/schema/index.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { payoutRepository } from '../src/payouts/payout-repository.ts';
import { payoutService } from '../src/payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { noticeLapsed } from './support/notice.ts';
import { createStaff } from './support/staff.ts';
import type { StaffActor } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const POINT = 'wengang-fanhuan-2024';
const BIG_SEQ = 3_000_000_000n; // past 2^31 - 1, int4's largest value
const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
// The preparer, as an account (batches name account ids).
let zhang: StaffActor;
const dataDir = tempDir('payout-repo');

beforeAll(async () => {
  db = await createTestDatabase();
  zhang = await createStaff(db, ['finance_officer'], 'zhang');
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  await loadDemoPopulation(db, clock, { seed: 11, count: 40, dataYear: 2023, asOf: '2024-03-31', dataDir });
  await runToCompletion(db, clock, silentLog, { scope: POINT, period: '2024', trigger: 'test', actor: 'staff:a', shards: 2 });
  // The list's 公示 is published and has ended: from here on the batch can be prepared.
  clock.set((await noticeLapsed(db, clock, POINT, '2024')).after.now());
});
afterAll(async () => db?.drop());

const count = async (query: ReturnType<typeof dsql>) => Number((await db.orm.execute<{ n: string }>(query))[0]!.n);
const state = async () => ({
  batches: await count(dsql`select count(*) as n from payout_batches`),
  payments: await count(dsql`select count(*) as n from payments`),
  audit: await count(dsql`select count(*) as n from audit_log where action = 'batch.prepared'`),
  listed: await count(dsql`select count(*) as n from list_entries where point_id = ${POINT} and status = 'listed'`),
});

describe('payout repository in a caller transaction', () => {
  it('leaves no batch, no payment, no audit entry and the entries still listed when the caller rolls back', async () => {
    const before = await state();
    expect(before).toMatchObject({ batches: 0, payments: 0, audit: 0 });
    expect(before.listed).toBeGreaterThan(0);
    const rollback = new Error('the caller changed its mind');
    let seenInside: { batches: number; batched: number } | undefined;
    await expect(
      db.orm.transaction(async (tx) => {
        const batch = await payoutService(payoutRepository({ orm: tx, sql: db.sql }), clock).prepare({ pointId: POINT, period: '2024', actor: zhang });
        // Inside the caller's transaction the step's writes are there.
        seenInside = {
          batches: (await tx.select().from(payoutBatches).where(eq(payoutBatches.id, batch.batchId))).length,
          batched: (await tx.select().from(listEntries).where(and(eq(listEntries.pointId, POINT), eq(listEntries.status, 'batched')))).length,
        };
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(seenInside?.batches).toBe(1);
    expect(seenInside?.batched).toBeGreaterThan(0);
    expect(await state()).toEqual(before);
  });

  it('prepares a batch once fact sequence numbers pass 2^31: the watermark stays a bigint', async () => {
    // A copy of the newest fact record at a seq past int4's range: the same facts, recorded again later.
    await db.sql`insert into fact_records (subject_key, seq, subject_type, source, period, import_id, row_no, as_of, facts, retracted, valid_from)
      select subject_key, ${BIG_SEQ.toString()}, subject_type, source, period, import_id, row_no, as_of, facts, retracted, valid_from from fact_records order by seq desc limit 1`;
    expect(await payoutRepository(db).factWatermark()).toBe(BIG_SEQ);
    const rollback = new Error('only checking that it prepares');
    let paymentCount = 0;
    await expect(
      db.orm.transaction(async (tx) => {
        paymentCount = (await payoutService(payoutRepository({ orm: tx, sql: db.sql }), clock).prepare({ pointId: POINT, period: '2024', actor: zhang })).paymentCount;
        throw rollback;
      }),
    ).rejects.toBe(rollback);
    expect(paymentCount).toBeGreaterThan(0);
  });

  it('commits the batch with the caller, so the same entries can then not be batched again', async () => {
    const prepared = await db.orm.transaction((tx) => payoutService(payoutRepository({ orm: tx, sql: db.sql }), clock).prepare({ pointId: POINT, period: '2024', actor: zhang }));
    const after = await state();
    expect(after).toMatchObject({ batches: 1, payments: prepared.paymentCount, audit: 1 });
    await expect(payoutService(payoutRepository(db), clock).prepare({ pointId: POINT, period: '2024', actor: zhang })).rejects.toMatchObject({ code: 'BATCH_EMPTY' });
  });
});
