// A bank channel that fails (a dropped connection, the bank's own error) reaches callers as the
// catalogue's BANK_CHANNEL_FAILED naming the step, and nothing is marked sent or settled.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { payments } from '../src/db/schema/index.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import type { BankChannel } from '../src/payouts/bank-channel.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from '../src/payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { stringContaining } from './support/expect.ts';
import { createStaff } from './support/staff.ts';
import { noticeLapsed } from './support/notice.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
let batchId: number;
const down = (): Promise<never> => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), { code: 'ECONNREFUSED' }));
const unreachableBank: BankChannel = { kind: 'sandbox', transmit: down, fetchReports: down, acknowledge: down };

beforeAll(async () => {
  db = await createTestDatabase();
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  await loadDemoPopulation(db, clock, { seed: 5, count: 30, dataYear: 2023, asOf: '2024-03-31', dataDir: tempDir('bank') });
  await runToCompletion(db, clock, silentLog, { scope: 'wengang-fanhuan-2024', period: '2024', trigger: 'test', actor: 'staff:a', shards: 1 });
  const { after } = await noticeLapsed(db, clock, 'wengang-fanhuan-2024', '2024');
  batchId = (await prepareBatch(db, after, { pointId: 'wengang-fanhuan-2024', period: '2024', actor: await createStaff(db, ['finance_officer']) })).batchId;
  await approveBatch(db, clock, { batchId, actor: await createStaff(db, ['finance_approver']) });
});
afterAll(async () => db?.drop());

describe('bank channel failures', () => {
  it('reports a failed submit as BANK_CHANNEL_FAILED and leaves every payment pending', async () => {
    await expect(sendBatch(db, clock, unreachableBank, { batchId, actor: SYSTEM_ACTOR })).rejects.toMatchObject({ code: 'BANK_CHANNEL_FAILED', status: 502, message: stringContaining(`submitting batch ${batchId}: connect ECONNREFUSED`) });
    const statuses = new Set((await db.orm.select({ status: payments.status }).from(payments).where(eq(payments.batchId, batchId))).map((p) => p.status));
    expect([...statuses]).toEqual(['pending']);
  });

  it('reports failed status reading as BANK_CHANNEL_FAILED', async () => {
    await expect(reconcile(db, clock, silentLog, unreachableBank, SYSTEM_ACTOR)).rejects.toMatchObject({ code: 'BANK_CHANNEL_FAILED', message: stringContaining('reading status reports') });
  });
});
