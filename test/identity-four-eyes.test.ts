// Four eyes on account ids, not names: the preparer cannot approve under any spelling (a name is not an
// identity, and a second account under a variant of the login is refused), the database refuses an
// approval without an approver or by the preparer, and above SECOND_APPROVAL_ABOVE_FEN a second,
// distinct approver is needed before the batch counts as approved (and can be sent).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payoutBatches } from '../src/db/schema/index.ts';
import { fixedClock, type Clock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { accountsOf, staffActorOf } from '../src/identity/account-service.ts';
import type { StaffActor } from '../src/identity/permissions.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { payoutRepository } from '../src/payouts/payout-repository.ts';
import { approveBatch, payoutService, sendBatch } from '../src/payouts/payout-service.ts';
import { sandboxBank } from '../src/payouts/sandbox-bank.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { noticeLapsed } from './support/notice.ts';

const POINT = 'wengang-fanhuan-2024';
const PASSWORD = 'a long enough password';
const clock = fixedClock('2024-06-15T02:00:00.000Z');
const dataDir = mkdtempSync(join(tmpdir(), 'mianshen-four-eyes-'));
let db: TestDatabase;
let zhang: StaffActor; // finance officer and approver: only four eyes stops him approving his own batch
let wang: StaffActor;
let liu: StaffActor;
let afterNotice: Clock;

beforeAll(async () => {
  db = await createTestDatabase();
  const accounts = accountsOf(db.orm, clock);
  const admin = staffActorOf(await accounts.create(null, { login: 'admin', displayName: '管理', roles: ['administrator'], password: PASSWORD }));
  zhang = staffActorOf(await accounts.create(admin, { login: 'zhang', displayName: '张伟', roles: ['finance_officer', 'finance_approver'], password: PASSWORD }));
  wang = staffActorOf(await accounts.create(admin, { login: 'wang', displayName: '王芳', roles: ['finance_approver'], password: PASSWORD }));
  liu = staffActorOf(await accounts.create(admin, { login: 'liu', displayName: '刘洋', roles: ['finance_approver'], password: PASSWORD }));
  await publishLibrary(db.orm, clock, admin, await readLibraryFiles(POLICIES_DIR));
  await loadDemoPopulation(db, clock, { seed: 5, count: 30, dataYear: 2023, asOf: '2024-03-31', dataDir });
  await runToCompletion(db, clock, silentLog, { scope: POINT, period: '2024', trigger: 'test', actor: `account:${admin.accountId}`, shards: 1 });
  afterNotice = (await noticeLapsed(db, clock, POINT, '2024')).after;
});
afterAll(async () => {
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (error: { code?: string; name?: string }) => error.code ?? error.name ?? 'error without a code');

/** A prepared batch for tests of approval alone: a row as prepare writes it (payments are not needed to approve). */
async function preparedBatch(preparedBy: number, totalFen: bigint, needsSecondApproval: boolean): Promise<number> {
  const [row] = await db.sql<{ id: string }[]>`
    insert into payout_batches (point_id, period, status, payment_count, total_fen, prepared_by, prepared_at, needs_second_approval)
    values (${POINT}, '2099', 'prepared', 1, ${String(totalFen)}::bigint, ${preparedBy}, now(), ${needsSecondApproval}) returning id::text`;
  return Number(row!.id);
}

describe('the preparer, under any spelling', () => {
  it('cannot create a second account under a variant of the login', async () => {
    const accounts = accountsOf(db.orm, clock);
    const admin = (await accounts.authenticate({ login: 'admin', password: PASSWORD })).actor;
    for (const login of ['Zhang', 'zhang ', 'ｚｈａｎｇ ', 'ＺＨＡＮＧ']) {
      expect(await codeOf(accounts.create(admin, { login, displayName: '张伟', roles: ['finance_approver'], password: PASSWORD })), login).toBe('ACCOUNT_LOGIN_TAKEN');
    }
  });

  it('cannot approve his own batch, whichever spelling he signs in with', async () => {
    const batchId = await preparedBatch(zhang.accountId, 100n, false);
    const accounts = accountsOf(db.orm, clock);
    for (const login of ['zhang', 'Zhang', ' zhang ', 'ｚｈａｎｇ', 'ＺＨＡＮＧ ']) {
      const actor = (await accounts.authenticate({ login, password: PASSWORD })).actor;
      expect(actor.accountId).toBe(zhang.accountId);
      expect(await codeOf(approveBatch(db, clock, { batchId, actor })), login).toBe('SELF_APPROVAL_FORBIDDEN');
    }
    const [row] = await db.sql<{ status: string; approved_by: string | null }[]>`select status, approved_by from payout_batches where id = ${batchId}`;
    expect(row).toEqual({ status: 'prepared', approved_by: null });
    expect(await approveBatch(db, clock, { batchId, actor: wang })).toEqual({ status: 'approved' });
  });
});

describe('the database', () => {
  it('refuses an approved batch without an approver, and every later status without one', async () => {
    const batchId = await preparedBatch(zhang.accountId, 100n, false);
    for (const status of ['approved', 'sent', 'reconciled']) {
      await expect(db.sql`update payout_batches set status = ${status} where id = ${batchId}`).rejects.toThrow(/payout_batches_four_eyes/);
    }
  });

  it('refuses the preparer as approver, or as second approver', async () => {
    const batchId = await preparedBatch(zhang.accountId, 100n, true);
    await expect(db.sql`update payout_batches set status = 'approved', approved_by = prepared_by where id = ${batchId}`).rejects.toThrow(/payout_batches_four_eyes/);
    await expect(db.sql`update payout_batches set approved_by = prepared_by where id = ${batchId}`).rejects.toThrow(/payout_batches_four_eyes/);
    await expect(db.sql`update payout_batches set status = 'approved', approved_by = ${wang.accountId}, second_approved_by = prepared_by where id = ${batchId}`).rejects.toThrow(/payout_batches_four_eyes/);
    await expect(db.sql`update payout_batches set status = 'approved', approved_by = ${wang.accountId}, second_approved_by = ${wang.accountId} where id = ${batchId}`).rejects.toThrow(/payout_batches_four_eyes/);
  });

  it('refuses a batch that needs a second approver as approved with one', async () => {
    const batchId = await preparedBatch(zhang.accountId, 100n, true);
    await expect(db.sql`update payout_batches set status = 'approved', approved_by = ${wang.accountId} where id = ${batchId}`).rejects.toThrow(/payout_batches_four_eyes/);
    await db.sql`update payout_batches set status = 'approved', approved_by = ${wang.accountId}, second_approved_by = ${liu.accountId} where id = ${batchId}`;
  });

  it('refuses an approver that is no account', async () => {
    const batchId = await preparedBatch(zhang.accountId, 100n, false);
    await expect(db.sql`update payout_batches set status = 'approved', approved_by = 999999 where id = ${batchId}`).rejects.toThrow(/foreign key/);
  });
});

describe('the second approver', () => {
  it('is required above SECOND_APPROVAL_ABOVE_FEN (decided when the batch is prepared), not at or below it', async () => {
    // Prepared and rolled back twice in one transaction each, to learn the total and test both sides of it.
    const rollback = new Error('rollback');
    const prepareWith = async (threshold: bigint) => {
      let seen: { total: bigint; needs: boolean } | undefined;
      await db.orm
        .transaction(async (tx) => {
          const batch = await payoutService(payoutRepository({ orm: tx, sql: db.sql }), afterNotice, { secondApprovalAboveFen: threshold }).prepare({ pointId: POINT, period: '2024', actor: zhang });
          const [row] = await tx.select({ needs: payoutBatches.needsSecondApproval }).from(payoutBatches).where(eq(payoutBatches.id, batch.batchId));
          seen = { total: batch.totalFen, needs: row!.needs };
          throw rollback;
        })
        .catch((error: unknown) => {
          if (error !== rollback) throw error;
        });
      return seen!;
    };
    const { total } = await prepareWith(0n);
    expect(total).toBeGreaterThan(1n);
    expect((await prepareWith(total - 1n)).needs).toBe(true);
    expect((await prepareWith(total)).needs).toBe(false);
    expect((await prepareWith(total + 1n)).needs).toBe(false);
  });

  it('must differ from the preparer and the first approver; until then the batch is not approved and cannot be sent', async () => {
    const batchId = await preparedBatch(zhang.accountId, 200_000_000n, true);
    expect(await approveBatch(db, clock, { batchId, actor: wang })).toEqual({ status: 'awaiting_second_approval' });
    expect(await codeOf(sendBatch(db, clock, sandboxBank(db.orm, clock), { batchId, actor: zhang }))).toBe('BATCH_STATE_INVALID');
    expect(await codeOf(approveBatch(db, clock, { batchId, actor: wang }))).toBe('SECOND_APPROVER_NOT_DISTINCT');
    expect(await codeOf(approveBatch(db, clock, { batchId, actor: zhang }))).toBe('SELF_APPROVAL_FORBIDDEN');
    expect(await approveBatch(db, clock, { batchId, actor: liu })).toEqual({ status: 'approved' });
    const [row] = await db.sql<{ status: string; approved_by: string; second_approved_by: string }[]>`select status, approved_by::text, second_approved_by::text from payout_batches where id = ${batchId}`;
    expect(row).toEqual({ status: 'approved', approved_by: String(wang.accountId), second_approved_by: String(liu.accountId) });
    const audit = await db.sql<{ action: string; actor: string }[]>`select action, actor from audit_log where entity_type = 'payout_batch' and entity_id = ${String(batchId)} order by seq`;
    expect(audit).toEqual([
      { action: 'batch.first-approved', actor: `account:${wang.accountId}` },
      { action: 'batch.approved', actor: `account:${liu.accountId}` },
    ]);
  });

  it('is configured by SECOND_APPROVAL_ABOVE_FEN, default ¥1,000,000, in whole fen', () => {
    expect(loadConfig({}).SECOND_APPROVAL_ABOVE_FEN).toBe(100_000_000n);
    expect(loadConfig({ SECOND_APPROVAL_ABOVE_FEN: '5000' }).SECOND_APPROVAL_ABOVE_FEN).toBe(5000n);
    for (const bad of ['1e6', '-1', '100.5', 'lots']) expect(() => loadConfig({ SECOND_APPROVAL_ABOVE_FEN: bad }), bad).toThrow(/SECOND_APPROVAL_ABOVE_FEN/);
  });
});
