// pg-boss job `payout-cycle`: the scheduler's round of sending approved batches, reconciling the
// bank's answers and raising recoveries (PAYOUT_CRON in TIMEZONE), as the system account. Only the
// serving process works it: the files channel reads and writes DATA_DIR/bank of that process. The
// handler only calls the service.
import type { PgBoss } from 'pg-boss';
import type { Clock } from '../src/clock.ts';
import type { Database } from '../src/db/clients.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import type { Logger } from '../src/logger.ts';
import type { BankChannel } from '../src/payouts/bank-channel.ts';
import { runPayoutCycle } from '../src/payouts/payout-cycle.ts';

export const PAYOUT_CYCLE_QUEUE = 'payout-cycle';

export async function createPayoutCycleQueue(boss: PgBoss): Promise<void> {
  // One round at a time (a singleton queue): two rounds would only wait on each other's batch locks.
  // A failed round (the bank channel is down) is retried; the next scheduled round also picks it up.
  await boss.createQueue(PAYOUT_CYCLE_QUEUE, { policy: 'singleton', retryLimit: 2, retryDelay: 60 });
}

export async function registerPayoutCycleJob(boss: PgBoss, deps: { db: Database; clock: Clock; log: Logger; bank: BankChannel }, schedule: { cron: string; tz: string }): Promise<void> {
  await createPayoutCycleQueue(boss);
  await boss.work(PAYOUT_CYCLE_QUEUE, async ([job]) => {
    if (!job) return;
    try {
      const result = await runPayoutCycle(deps.db, deps.clock, deps.log, deps.bank, SYSTEM_ACTOR);
      const { paid, failed, returned, quarantined } = result.reconciliation;
      return { batchesSent: result.sent.filter((s) => s.sent > 0).length, paid, failed, returned, quarantined, recoveriesRaised: result.recoveriesRaised };
    } catch (error) {
      deps.log.error({ err: error }, 'payout cycle failed; it is retried, and the next scheduled round repeats it');
      throw error;
    }
  });
  await boss.schedule(PAYOUT_CYCLE_QUEUE, schedule.cron, {}, { tz: schedule.tz });
}
