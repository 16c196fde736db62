// Operator commands (npm run cli -- …). Each opens the configured database (DATABASE_URL or the
// embedded one in DATA_DIR), does one thing and exits non-zero on failure.
import { verifyAuditChain } from '../audit/audit-trail.ts';
import { runMatchJob, type RunProgress } from '../../jobs/match-run.ts';
import { startApp } from '../app.ts';
import { systemClock } from '../clock.ts';
import { loadConfig } from '../config.ts';
import { isAppError } from '../errors.ts';
import { createLogger } from '../logger.ts';
import { explainEntry } from '../matching/explain-service.ts';
import { runSummary } from '../matching/run-service.ts';
import { simulate } from '../matching/what-if.ts';
import { readLibraryFiles } from '../policies/library-registry.ts';
import { formatYuan } from '../money.ts';
import { maskUscc } from '../subjects/uscc.ts';

const USAGE = `usage:
  cli audit verify                         re-hash the audit trail; name the first entry that does not verify
  cli match <scope> <period> [--incremental] [--shards N]
                                           run a match through the job queue (scope: enterprise, person or a point id)
  cli worker                               work on queued match shards until stopped (add processes to scale out)
  cli explain <subject> <point> <period>   explain a list entry in Chinese, re-derived from its run's snapshot
  cli what-if <point> <period> --draft <dir>
                                           simulate a draft library (files in <dir> replace those of the same
                                           name under policies/) against today's facts; writes nothing`;

function progressBar(p: RunProgress): void {
  const width = 30;
  const filled = Math.round((p.percent / 100) * width);
  process.stderr.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p.percent).padStart(3)}%  shards ${p.shardsDone}/${p.shardCount}  `);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || !['audit', 'match', 'worker', 'explain', 'what-if'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
  const app = await startApp(config, systemClock, log, { workers: command === 'match' || command === 'worker' });
  // (what-if and explain only read.)
  try {
    if (command === 'audit' && rest[0] === 'verify') {
      const result = await verifyAuditChain(app.db.sql);
      if (result.ok) {
        console.log(`audit chain verified: ${result.rows} entries, head #${result.headSeq} ${result.headHash}`);
        return 0;
      }
      console.error(`audit chain BROKEN at entry #${result.problem!.seq} (${result.problem!.reason}): ${result.problem!.message}`);
      console.error(`entries #1-#${result.headSeq} verify; the last good hash is ${result.headHash}`);
      return 1;
    }
    if (command === 'match' && rest[0] && rest[1]) {
      const shardsAt = rest.indexOf('--shards');
      const runId = await runMatchJob(
        app.boss,
        app.db,
        { scope: rest[0], period: rest[1], kind: rest.includes('--incremental') ? 'incremental' : 'full', shards: shardsAt >= 0 ? Number(rest[shardsAt + 1]) : config.MATCH_SHARDS, trigger: 'manual', actor: 'cli' },
        { onProgress: progressBar },
      );
      process.stderr.write('\n');
      const summary = await runSummary(app.db, runId);
      console.log(`match run #${runId} (${summary.kind}): ${summary.evaluated} subjects evaluated; list +${summary.changes.added} −${summary.changes.removed} ~${summary.changes.amountChanged + summary.changes.outcomeChanged}`);
      for (const p of summary.points) console.log(`  ${p.pointId.padEnd(36)} 符合 ${String(p.eligible).padStart(7)}  待定 ${String(p.undetermined).padStart(7)}  ¥${formatYuan(p.totalFen)}`);
      return 0;
    }
    if (command === 'worker') {
      console.log(`worker: taking match shards (${config.MATCH_WORKERS} at a time); Ctrl-C to stop`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      return 0;
    }
    if (command === 'explain' && rest.length >= 3) {
      const [subjectKey, pointId, period] = rest as [string, string, string];
      const why = await explainEntry(app.db, { subjectKey, pointId, period });
      console.log(`${maskUscc(subjectKey)}  run #${why.runId}${why.reproduced ? '' : '  (re-evaluation differs from the stored decision!)'}`);
      for (const line of why.lines) console.log(line);
      return why.reproduced ? 0 : 1;
    }
    if (command === 'what-if' && rest.length >= 4 && rest[2] === '--draft') {
      const [pointId, period, , dir] = rest as [string, string, string, string];
      const draft = await readLibraryFiles(dir);
      const report = await simulate(app.db, { pointId, period, draftFiles: draft });
      const yuan = (fen: bigint) => `¥${formatYuan(fen)}`;
      console.log(`${pointId} ${period}: ${report.subjects} subjects`);
      console.log(`  live : 符合 ${report.live.eligible}, 待定 ${report.live.undetermined}, ${yuan(report.live.totalFen)}`);
      console.log(`  draft: 符合 ${report.draft.eligible}, 待定 ${report.draft.undetermined}, ${yuan(report.draft.totalFen)}${report.draft.budgetFen === null ? '' : ` of budget ${yuan(report.draft.budgetFen)}${report.draft.overBudgetFen > 0n ? `, over by ${yuan(report.draft.overBudgetFen)}` : ''}`}`);
      console.log(`  gain: ${report.gainers.count} (+${yuan(report.gainers.totalFen)}, ${report.gainers.newlyEligible} newly eligible); lose: ${report.losers.count} (−${yuan(report.losers.totalFen)}, ${report.losers.noLongerEligible} no longer eligible)`);
      for (const [title, buckets] of [['district', report.byDistrict], ['industry', report.byIndustry], ['size', report.bySize]] as const) {
        console.log(`  by ${title}: ${buckets.map((b) => `${b.label} ${b.live.eligible}→${b.draft.eligible}`).join('; ')}`);
      }
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
