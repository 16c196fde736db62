// The payout worker SIGKILLed at random points of prepare, approve, re-verification, send and
// reconcile, restarted each time: afterwards every payment is paid, failed or returned, the bank
// booked no entitlement twice, nothing is stranded and no point is over budget. The full 50-kill run
// is `npm run bench reliability`; this is the same harness with fewer kills.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runKillHarness, type HarnessReport } from '../bench/reliability-harness.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { tempDir } from './support/temp.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('a payout worker killed at random points', () => {
  it('leaves every payment paid, failed or returned, none paid twice by the bank, none stranded, no budget exceeded', async () => {
    const report: HarnessReport = await runKillHarness({ db, work: tempDir('payout-kill'), kills: 12, enterprises: 500, seed: 20241, log: () => {}, silentLog });
    expect(report.violations).toEqual([]);
    expect(report.kills).toBe(12);
    // The kills reached the steps that move money, not only the start-up.
    const steps = Object.keys(report.killedIn).filter((s) => s !== 'startup');
    expect(steps.length).toBeGreaterThanOrEqual(2);
    expect(report.payments.paid).toBeGreaterThan(50);
    // The bank's configured failures happened and were re-sent once after re-verification.
    expect(report.payments.failed).toBeGreaterThan(0);
    expect(report.payments.resent).toBeGreaterThan(0);
    expect(report.payments.pending + report.payments.sent).toBe(0);
  }, 300_000);
});
