// Four eyes, idempotent matching and idempotent payment, on real PostgreSQL.
import { and, eq, sql as dsql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { listEntries, payments, payoutBatches } from '../src/db/schema/index.ts';
import { isAppError } from '../src/errors.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { sandboxBank } from '../src/payouts/sandbox-bank.ts';
import { decryptField } from '../src/subjects/personal-data.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from '../src/payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { noticeLapsed } from './support/notice.ts';
import { createStaff } from './support/staff.ts';
import { SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const POINT = 'wengang-fanhuan-2024';
const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
// Two finance staff and a reviewer, as accounts: four eyes compares their ids.
let zhang: StaffActor;
let wang: StaffActor;
const dataDir = tempDir('payouts');

beforeAll(async () => {
  db = await createTestDatabase();
  // zhang holds both finance roles, so only four eyes (not the role matrix) stops a self-approval.
  zhang = await createStaff(db, ['finance_officer', 'finance_approver'], 'zhang');
  wang = await createStaff(db, ['finance_approver'], 'wang');
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  await loadDemoPopulation(db, clock, { seed: 11, count: 40, dataYear: 2023, asOf: '2024-03-31', dataDir });
});
afterAll(async () => db?.drop());

const count = async (query: ReturnType<typeof dsql>) => Number((await db.orm.execute<{ n: number }>(query))[0]!.n);

describe('matching', () => {
  const match = () => runToCompletion(db, clock, silentLog, { scope: POINT, period: '2024', trigger: 'test', actor: 'staff:a', shards: 3 });

  it('does not duplicate list entries when the same match runs twice', async () => {
    const first = await match();
    const entries = await count(dsql`select count(*)::int as n from list_entries`);
    const second = await match();
    expect(first.changes.added).toBe(entries);
    expect(entries).toBeGreaterThan(20);
    expect(second.changes).toMatchObject({ added: 0, removed: 0, amountChanged: 0, outcomeChanged: 0 });
    expect(await count(dsql`select count(*)::int as n from list_entries`)).toBe(entries);
    expect(second.totalFen).toBe(first.totalFen);
  });

  it('publishing unchanged policy content creates no new version; a changed rate creates one for that point only', async () => {
    const files = await readLibraryFiles(POLICIES_DIR);
    expect((await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), files)).created).toEqual([]);
    const changed = files.map((f) => (f.file.endsWith('rsbf-2024-40.policy.yaml') ? { ...f, text: f.text.replace('value: 60%, cite: "人社部发〔2024〕40号 二：中小微企业按不超过60%返还"', 'value: 65%, cite: "人社部发〔2024〕40号 二：中小微企业按不超过60%返还"') } : f));
    expect(changed).not.toEqual(files);
    expect((await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), changed)).created).toEqual(['wengang-fanhuan-2024@2']);
    // Put the real rates back in force for the tests below.
    expect((await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), files)).created).toEqual([]);
  });
});

describe('payout batches', () => {
  let batchId: number;

  it('pays nothing before the list’s 公示 has ended', async () => {
    const unpublished = (await prepareBatch(db, clock, { pointId: POINT, period: '2024', actor: zhang }).catch((error: unknown) => error)) as { code: string; details: { waiting: Record<string, number> } };
    expect(unpublished.code).toBe('BATCH_EMPTY');
    expect(unpublished.details.waiting['not-noticed']).toBeGreaterThan(0);
    const { notice, after } = await noticeLapsed(db, clock, POINT, '2024');
    await expect(prepareBatch(db, clock, { pointId: POINT, period: '2024', actor: zhang })).rejects.toMatchObject({ code: 'BATCH_EMPTY', details: { waiting: { 'in-notice': notice.entryCount } } });
    clock.set(after.now());
  });

  it('refuses to let the preparer approve their own batch', async () => {
    // One approver here (the second-approval rule has its own tests in identity-four-eyes.test.ts).
    const batch = await prepareBatch(db, clock, { pointId: POINT, period: '2024', actor: zhang, secondApprovalAboveFen: 10n ** 15n });
    batchId = batch.batchId;
    const refusal = await approveBatch(db, clock, { batchId, actor: zhang }).catch((error: unknown) => error);
    expect(isAppError(refusal, 'SELF_APPROVAL_FORBIDDEN')).toBe(true);
    expect((refusal as Error).message).toContain('another finance approver must approve');
    const [row] = await db.orm.select().from(payoutBatches).where(eq(payoutBatches.id, batchId));
    expect(row).toMatchObject({ status: 'prepared', approvedBy: null });
  });

  it('has the database refuse a self-approval written around the service', async () => {
    await expect(db.sql`update payout_batches set approved_by = prepared_by, status = 'approved' where id = ${batchId}`).rejects.toThrow(/payout_batches_four_eyes/);
  });

  it('refuses to send a batch that has not been approved', async () => {
    const bank = sandboxBank(db.orm, clock);
    await expect(sendBatch(db, clock, bank, { batchId, actor: zhang })).rejects.toMatchObject({ code: 'BATCH_STATE_INVALID' });
  });

  it('does not put an entitlement in a second batch', async () => {
    await expect(prepareBatch(db, clock, { pointId: POINT, period: '2024', actor: zhang })).rejects.toMatchObject({ code: 'BATCH_EMPTY' });
  });

  it('pays nobody twice when the same batch is sent twice and reconciled twice', async () => {
    const bank = sandboxBank(db.orm, clock);
    await approveBatch(db, clock, { batchId, actor: wang });
    const first = await sendBatch(db, clock, bank, { batchId, actor: zhang });
    const booked = await bank.bookedCount();
    const second = await sendBatch(db, clock, bank, { batchId, actor: zhang });
    expect(first.sent).toBeGreaterThan(0);
    expect(second.sent).toBe(0);
    expect(await bank.bookedCount()).toBe(booked);

    // Even if our own records were lost between submit and mark-sent, the bank books an id once.
    const pending = await db.orm.select().from(payments).where(eq(payments.batchId, batchId));
    await bank.transmit({ messageId: 'MS-again', batchId, createdAt: clock.now(), instructions: pending.map((p) => ({ endToEndId: p.endToEndId!, accountNumber: decryptField(p.accountEnc), amountFen: p.amountFen, payeeName: 'x' })) });
    expect(await bank.bookedCount()).toBe(booked);

    const rec1 = await reconcile(db, clock, silentLog, bank, SYSTEM_ACTOR);
    const rec2 = await reconcile(db, clock, silentLog, bank, SYSTEM_ACTOR);
    expect(rec1.paid + rec1.failed).toBe(first.sent);
    expect(rec2).toMatchObject({ paid: 0, failed: 0, returned: 0, quarantined: 0, batchesReconciled: [], applied: [] });
    const paidEntries = await db.orm.select().from(listEntries).where(and(eq(listEntries.pointId, POINT), eq(listEntries.status, 'paid')));
    expect(paidEntries).toHaveLength(rec1.paid);
  });

  it('keeps a batch as it was approved: the database refuses to change its payments or its make-up', async () => {
    const [p] = await db.sql<{ subject_key: string; idempotency_key: string }[]>`select subject_key, idempotency_key from payments where batch_id = ${batchId} limit 1`;
    const where = db.sql`subject_key = ${p!.subject_key} and idempotency_key = ${p!.idempotency_key}`;
    await expect(db.sql`update payments set amount_fen = amount_fen + 1 where ${where}`).rejects.toThrow(/immutable/);
    await expect(db.sql`update payments set account_masked = '************0001' where ${where}`).rejects.toThrow(/immutable/);
    await expect(db.sql`update payments set batch_id = batch_id where ${where}`).resolves.toBeDefined(); // no change, no refusal
    await expect(db.sql`delete from payments where ${where}`).rejects.toThrow(/only while it is prepared/);
    await expect(db.sql`insert into payments (subject_key, idempotency_key, batch_id, amount_fen, account_enc, account_key_id, account_masked, account_kind, status, entitlement_key, attempt, end_to_end_id)
      values ('91440300MA5FZZZZ0Z', ${`${POINT}/2024/91440300MA5FZZZZ0Z`}, ${batchId}, 100, 'x', 'k', '****', 'basic', 'pending', ${`${POINT}/2024/91440300MA5FZZZZ0Z`}, 0, 'MS0')`).rejects.toThrow(/only while it is prepared/);
    await expect(db.sql`update payout_batches set total_fen = total_fen + 1 where id = ${batchId}`).rejects.toThrow(/immutable/);
    await expect(db.sql`delete from payout_batches where id = ${batchId}`).rejects.toThrow(/never deleted/);
    // What changes is the state and the bank's answers.
    await expect(db.sql`update payments set bank_status = 'ACSP' where ${where}`).resolves.toBeDefined();
  });

  it('has the database refuse a second payment for the same entitlement', async () => {
    const [payment] = await db.orm.select().from(payments).limit(1);
    await expect(db.orm.insert(payments).values({ ...payment!, status: 'pending' })).rejects.toThrow();
  });
});
