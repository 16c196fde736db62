// The payout worker's round (队列 payout-cycle): send every approved batch that still has pending
// payments, then apply whatever the bank has answered. Each step is the service's own, safe to repeat
// and to interrupt: a send holds its batch's row lock and commits its message with the payments it
// marks sent; a report is applied once. A worker killed anywhere in a round leaves work the next
// round finishes, which the kill harness (bench/reliability.bench.ts, test/payout-kill.test.ts) checks.
// The round ends with the recovery check: deaths and 户籍 moves imported since the last round raise
// their overpaid months for recovery (追回) without anyone having to remember to ask.
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { actorRef, type Actor } from '../identity/permissions.ts';
import { waiveExpired } from '../lists/notice-service.ts';
import type { Logger } from '../logger.ts';
import type { BankChannel } from './bank-channel.ts';
import { reconcile, sendBatch, type Reconciliation } from './payout-service.ts';
import { checkRecoveries } from './recovery.ts';

export interface PayoutCycleResult {
  sent: { batchId: number; sent: number }[];
  reconciliation: Reconciliation;
  /** Recovery cases the round raised (a payment has at most one, so a repeated round raises none). */
  recoveriesRaised: number;
  /** Entries waived because their confirmation was not given by its deadline. */
  waived: number;
}

/** Approved (or partly sent) batches with a payment still pending, oldest first. */
async function batchesToSend(db: Database): Promise<number[]> {
  const rows = await db.sql<{ id: string }[]>`
    select b.id::text from payout_batches b
    where b.status in ('approved', 'sent')
      and exists (select 1 from payments p where p.batch_id = b.id and p.status = 'pending')
    order by b.id`;
  return rows.map((r) => Number(r.id));
}

/** `onStep` tells a watcher which step the round is in (the kill harness records where kills land). */
export async function runPayoutCycle(db: Database, clock: Clock, log: Logger, bank: BankChannel, actor: Actor, onStep?: (step: 'send' | 'reconcile') => void): Promise<PayoutCycleResult> {
  // Confirmations past their deadline are waived (视为自愿放弃) whether or not anyone prepares a batch.
  const waived = await db.orm.transaction((tx) => waiveExpired(tx, clock, actorRef(actor)));
  if (waived > 0) log.info({ waived }, 'entries waived: not confirmed by the deadline');
  const sent: PayoutCycleResult['sent'] = [];
  for (const batchId of await batchesToSend(db)) {
    onStep?.('send');
    const outcome = await sendBatch(db, clock, bank, { batchId, actor });
    if (outcome.sent > 0) log.info({ batchId, sent: outcome.sent }, 'payout batch sent');
    sent.push({ batchId, sent: outcome.sent });
  }
  onStep?.('reconcile');
  const reconciliation = await reconcile(db, clock, log, bank, actor);
  const recoveries = await checkRecoveries(db, clock, { actor });
  if (recoveries.raised.length > 0) log.warn({ recoveries: recoveries.raised.map((c) => c.id) }, 'payments made after a death or a 户籍 move raised for recovery');
  return { sent, reconciliation, recoveriesRaised: recoveries.raised.length, waived };
}
