// The payout worker the kill harness SIGKILLs (bench/reliability-harness.ts). It does what the finance
// staff and the scheduler do, in rounds, through the services only: prepare a batch per point
// (officer), approve it (approvers), re-verify failed accounts and prepare follow-up batches (officer),
// then the scheduler's round (send approved batches, reconcile the bank's answers). It prints the step
// it enters on stdout, so the harness knows where each kill landed, and `done` once nothing is left.
import { SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';
import { fixedClock } from '../src/clock.ts';
import { connect } from '../src/db/clients.ts';
import { isAppError } from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';
import { iso20022FilesChannel } from '../src/payouts/iso20022/files-channel.ts';
import { runPayoutCycle } from '../src/payouts/payout-cycle.ts';
import { approveBatch, prepareBatch } from '../src/payouts/payout-service.ts';
import { listReverifications, prepareFollowUpBatch, verifyAccount } from '../src/payouts/reconciliation.ts';
import { installDataKeys, parseDataKeys } from '../src/subjects/personal-data.ts';
import { decryptField } from '../src/subjects/personal-data.ts';

interface ChildPlan {
  databaseUrl: string;
  dataDir: string;
  clock: string;
  batches: { pointId: string; period: string }[];
  officer: StaffActor;
  approvers: [StaffActor, StaffActor];
  /** The account a re-verification finds: the failed number with these last digits. */
  verifiedSuffix: string;
}

const plan = JSON.parse(process.env.HARNESS_PLAN ?? '{}') as ChildPlan;
installDataKeys(parseDataKeys(process.env));
const clock = fixedClock(plan.clock);
const log = createLogger('silent');
const db = connect(plan.databaseUrl, false);
// HARNESS_SELF_KILL=<step>:<n>: the worker SIGKILLs itself on entering that step the n-th time. Timed
// kills from outside rarely land in the few milliseconds between a bank file being written and the
// send's transaction committing ('transmitted'), which is where a crash could pay twice.
const [killStep, killAt] = (process.env.HARNESS_SELF_KILL ?? ':0').split(':') as [string, string];
let killCountdown = Number(killAt);
const step = (name: string) => {
  process.stdout.write(`step ${name}\n`);
  if (name === killStep && --killCountdown === 0) process.kill(process.pid, 'SIGKILL');
};
const files = iso20022FilesChannel({ dataDir: plan.dataDir, debtor: { name: '示范区财政局零余额账户', accountNumber: '44201501100052500001', agentCnaps: '105584000013' } });
const bank: typeof files = {
  ...files,
  async transmit(message, tx) {
    const transmission = await files.transmit(message, tx);
    step('transmitted');
    return transmission;
  },
};
const accepted = (error: unknown, ...codes: string[]) => codes.some((code) => isAppError(error, code as never));

async function round(): Promise<boolean> {
  let worked = false;
  for (const { pointId, period } of plan.batches) {
    step('prepare');
    try {
      await prepareBatch(db, clock, { pointId, period, actor: plan.officer, secondApprovalAboveFen: 50_000_000n });
      worked = true;
      // One new batch per round, so that prepare, approve, send and reconcile interleave as finance
      // staff and the scheduler would, and a kill can land in any of them.
      break;
    } catch (error) {
      if (!accepted(error, 'BATCH_EMPTY')) throw error;
    }
  }
  const prepared = await db.sql<{ id: string; approved_by: string | null }[]>`select id::text, approved_by::text from payout_batches where status = 'prepared' order by id`;
  for (const batch of prepared) {
    step('approve');
    try {
      const first = batch.approved_by === null ? await approveBatch(db, clock, { batchId: Number(batch.id), actor: plan.approvers[0] }) : { status: 'awaiting_second_approval' };
      if (first.status === 'awaiting_second_approval') await approveBatch(db, clock, { batchId: Number(batch.id), actor: plan.approvers[1] });
      worked = true;
    } catch (error) {
      // A kill between the two approvals, or a batch another round approved: the state says what is left.
      if (!accepted(error, 'BATCH_STATE_INVALID', 'SECOND_APPROVER_NOT_DISTINCT')) throw error;
    }
  }
  const open = await listReverifications(db.orm, ['open']);
  for (const r of open) {
    step('reverify');
    const failed = decryptField(r.failedAccountNumber);
    await verifyAccount(db.orm, clock, { subjectKey: r.subjectKey, paymentKey: r.paymentKey, accountNumber: failed.slice(0, -plan.verifiedSuffix.length) + plan.verifiedSuffix, accountKind: 'basic', actor: plan.officer });
    worked = true;
  }
  const sources = await db.sql<{ batch_id: string }[]>`select distinct batch_id::text from account_reverifications where status = 'verified' order by 1`;
  for (const source of sources) {
    step('follow-up');
    try {
      await prepareFollowUpBatch(db.orm, clock, { sourceBatchId: Number(source.batch_id), actor: plan.officer, secondApprovalAboveFen: 50_000_000n });
      worked = true;
    } catch (error) {
      if (!accepted(error, 'BATCH_EMPTY', 'BATCH_STATE_INVALID')) throw error;
    }
  }
  const cycle = await runPayoutCycle(db, clock, log, bank, SYSTEM_ACTOR, step);
  const r = cycle.reconciliation;
  return worked || cycle.sent.some((s) => s.sent > 0) || r.paid + r.failed + r.returned > 0;
}

async function main() {
  process.stdout.write('ready\n');
  for (;;) {
    const worked = await round();
    const [left] = await db.sql<{ n: number }[]>`select count(*)::int as n from payments where status in ('pending', 'sent')`;
    const [waiting] = await db.sql<{ n: number }[]>`select count(*)::int as n from payout_batches where status in ('prepared', 'approved')`;
    if (!worked && left!.n === 0 && waiting!.n === 0) break;
    // Sent payments wait for the bank's answer (the harness plays the bank).
    if (!worked) {
      step('wait');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  process.stdout.write('done\n');
  await db.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`reliability child failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
