// pg-boss job `audit-checkpoint`: the scheduler's daily signed checkpoint of the audit chain, exported
// to DATA_DIR/checkpoints/ (AUDIT_CHECKPOINT_CRON in TIMEZONE). The handler only calls the service.
import type { PgBoss } from 'pg-boss';
import type { AuditSigner } from '../src/audit/checkpoints.ts';
import { exportDailyCheckpoint } from '../src/audit/checkpoint-export.ts';
import type { Clock } from '../src/clock.ts';
import type { Database } from '../src/db/clients.ts';
import type { Logger } from '../src/logger.ts';

export const AUDIT_CHECKPOINT_QUEUE = 'audit-checkpoint';

export interface AuditCheckpointJobDeps {
  db: Database;
  clock: Clock;
  log: Logger;
  signer: AuditSigner;
  dataDir: string;
  timeZone: string;
}

/** Creates the queue (run by the database owner before the application connects as its own role too). */
export async function createAuditCheckpointQueue(boss: PgBoss): Promise<void> {
  // A failed export (the chain does not verify, the disk is full) is retried, then stays failed in the
  // queue's history; each failure is logged as an error by the handler.
  await boss.createQueue(AUDIT_CHECKPOINT_QUEUE, { retryLimit: 3, retryDelay: 300 });
}

export async function registerAuditCheckpointJob(boss: PgBoss, deps: AuditCheckpointJobDeps, schedule: { cron: string; tz: string }): Promise<void> {
  await createAuditCheckpointQueue(boss);
  await boss.work(AUDIT_CHECKPOINT_QUEUE, async ([job]) => {
    if (!job) return;
    try {
      const { file, checkpoint } = await exportDailyCheckpoint(deps.db, deps.clock, deps.signer, { dataDir: deps.dataDir, timeZone: deps.timeZone });
      deps.log.info({ file, seq: checkpoint.seq }, 'audit checkpoint exported');
      return { file, seq: checkpoint.seq, hash: checkpoint.hash };
    } catch (error) {
      deps.log.error({ err: error }, 'AUDIT CHECKPOINT EXPORT FAILED: no signed checkpoint was written today; run "npm run cli -- audit verify"');
      throw error;
    }
  });
  await boss.schedule(AUDIT_CHECKPOINT_QUEUE, schedule.cron, {}, { tz: schedule.tz });
}
