// A signed checkpoint after every publish, match run and payout-batch state change. The services call
// checkpointAfterCommit() once their transaction has committed; the composition root (src/app.ts)
// installs the recorder that holds the database, clock, signing key and logger.
// A module-level recorder rather than a parameter, for the reason src/audit/audit-trail.ts gives for
// the hash algorithm: it is fixed per process, and threading it through every service signature (and
// every test that calls one) would change them all for a side effect that is not theirs.
// Failing to checkpoint never undoes or fails the action: the action has committed, with its audit
// entry, and reporting it as failed would invite a retry that repeats it (a second batch, a second
// run). The entries stay in the chain and the next checkpoint (or the daily export) covers them, so
// the failure is logged loudly for an operator instead.
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import type { Logger } from '../logger.ts';
import { recordCheckpoint, type AuditSigner, type SignedCheckpoint } from './checkpoints.ts';

/** The events a checkpoint is written after: the commits an auditor wants pinned at once. */
export type CheckpointEvent = 'policy.published' | 'match.completed' | 'batch.prepared' | 'batch.approved' | 'batch.sent' | 'payments.settled';

type Recorder = (event: CheckpointEvent, entityId: string) => Promise<SignedCheckpoint | undefined>;

let recorder: Recorder | undefined;

/**
 * Installs (or, with undefined, removes) the process's checkpoint recorder. Checkpoints are written one
 * at a time: two events committing together share the verification work instead of racing over it.
 */
export function setCheckpointRecorder(deps: { db: Database; clock: Clock; signer: AuditSigner; log: Logger } | undefined): void {
  if (!deps) {
    recorder = undefined;
    return;
  }
  let queue: Promise<unknown> = Promise.resolve();
  recorder = (event, entityId) => {
    const next = queue.then(async () => {
      try {
        return await recordCheckpoint(deps.db, deps.clock, deps.signer, { incremental: true });
      } catch (error) {
        deps.log.error({ err: error, event, entityId }, `AUDIT CHECKPOINT FAILED after ${event} ${entityId}: the action is committed and audited, but no signed checkpoint covers it yet; run "npm run cli -- audit verify" and "audit checkpoint"`);
        return undefined;
      }
    });
    queue = next;
    return next;
  };
}

/**
 * Records a signed checkpoint of the chain after a committed, audited event. Never throws. Without an
 * installed recorder (a service called outside the application, as in a unit test) nothing is written
 * and undefined is returned.
 */
export async function checkpointAfterCommit(event: CheckpointEvent, entityId: string): Promise<SignedCheckpoint | undefined> {
  return recorder ? recorder(event, entityId) : undefined;
}
