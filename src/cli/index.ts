// Operator commands: `npm run cli -- audit verify`, `npm run cli -- match <pointId>`.
import { verifyAuditChain } from '../audit/audit-trail.ts';
import { runMatchJob } from '../../jobs/match-run.ts';
import { startApp } from '../app.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { isAppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { formatYuan } from '../money.ts';

const USAGE = `usage:
  cli audit verify          re-hash the whole audit trail and name the first row that does not verify
  cli match <pointId>       run a match now through the job queue (same path as the cron schedule)`;

async function main(argv: string[]): Promise<number> {
  const [command, sub] = argv;
  if (command !== 'audit' && command !== 'match') {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const app = await startApp(config, systemClock, log, { workers: command === 'match' });
  try {
    if (command === 'audit' && sub === 'verify') {
      const result = await verifyAuditChain(app.db.sql);
      if (result.ok) {
        console.log(`audit chain verified: ${result.rows} entries, head #${result.headSeq} ${result.headHash}`);
        return 0;
      }
      console.error(`audit chain BROKEN at entry #${result.problem!.seq} (${result.problem!.reason}): ${result.problem!.message}`);
      console.error(`entries #1-#${result.headSeq} verify; the last good hash is ${result.headHash}`);
      return 1;
    }
    if (command === 'match' && sub) {
      const out = await runMatchJob(app.boss, { pointId: sub, trigger: 'manual', actor: 'cli' });
      console.log(`match run #${out.runId}: ${out.eligible} eligible, total ¥${formatYuan(BigInt(out.totalFen))}`);
      return 0;
    }
    console.error(USAGE);
    return 2;
  } finally {
    await app.stop();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(isAppError(error) ? `${error.code}: ${error.message}` : error);
    process.exit(1);
  },
);
