// The checkpoint file an auditor keeps: the same JSON `cli audit checkpoint --out` writes, and the
// daily export by the scheduler into DATA_DIR/checkpoints/checkpoint-YYYY-MM-DD.json.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { recordCheckpoint, type AuditSigner, type SignedCheckpoint } from './checkpoints.ts';

/** Writes a checkpoint file whole or not at all (a reader never sees half a file). */
export function writeCheckpointFile(file: string, checkpoint: SignedCheckpoint): void {
  mkdirSync(dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(checkpoint, null, 2)}\n`);
  renameSync(partial, file);
}

/** The calendar day of an instant in a time zone, as YYYY-MM-DD. */
function dayIn(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * The daily export: verifies the whole chain (not only the entries since the last checkpoint), signs
 * its head and writes DATA_DIR/checkpoints/checkpoint-<day in TIMEZONE>.json. A second export on the
 * same day (a retried job, an operator's run) replaces that day's file with the newer head.
 */
export async function exportDailyCheckpoint(db: Database, clock: Clock, signer: AuditSigner, options: { dataDir: string; timeZone: string }): Promise<{ file: string; checkpoint: SignedCheckpoint }> {
  const checkpoint = await recordCheckpoint(db, clock, signer);
  const file = join(options.dataDir, 'checkpoints', `checkpoint-${dayIn(clock.now(), options.timeZone)}.json`);
  writeCheckpointFile(file, checkpoint);
  return { file, checkpoint };
}
