// `npm start`: migrate, load policies and demo data, run the whole cycle once, print a summary, then
// keep serving HTTP and running the scheduled matches until SIGTERM or SIGINT.
import { scheduleMatchRuns } from '../jobs/match-run.ts';
import { DEMO_PERIOD, DEMO_STAFF, runCycle } from './cycle.ts';
import { isAppError } from './errors.ts';
import { issuePortalToken, issueToken } from './http/portal-tokens.ts';
import { startServing } from './process.ts';
import { formatSummary } from './summary.ts';

async function main(): Promise<void> {
  const { config, app, server } = await startServing();

  const summary = await runCycle(app, { seed: config.DEMO_SEED, enterprises: config.DEMO_ENTERPRISES, persons: config.DEMO_PERSONS, dataDir: config.DATA_DIR, shards: config.MATCH_SHARDS });
  await scheduleMatchRuns(app.boss, [{ scope: 'enterprise', period: DEMO_PERIOD, kind: 'incremental', shards: config.MATCH_SHARDS }], config.MATCH_CRON, config.TIMEZONE);
  console.log(formatSummary(summary));
  console.log(`scheduled: incremental enterprise match for ${DEMO_PERIOD} at "${config.MATCH_CRON}" (${config.TIMEZONE})`);

  const address = await server.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  const [sample] = await app.db.sql<{ subject_key: string }[]>`select subject_key from list_entries where status = 'paid' order by subject_key limit 1`;
  console.log(`serving on ${address}`);
  if (sample) {
    console.log(`  an enterprise's own entitlements (demo token for one paid firm):`);
    console.log(`  curl -H 'Authorization: Bearer ${issuePortalToken(app.portalSecret, sample.subject_key)}' ${address}/api/portal/entitlements`);
  }
  console.log(`  the match run as staff see it (demo token for ${DEMO_STAFF.policyOfficer}):`);
  console.log(`  curl -H 'Authorization: Bearer ${issueToken(app.portalSecret, 'staff', DEMO_STAFF.policyOfficer)}' ${address}/api/staff/runs/${summary.runs[0]?.run.runId ?? 1}`);
}

main().catch((error: unknown) => {
  if (isAppError(error)) console.error(`${error.code}: ${error.message}`);
  else console.error(error);
  process.exit(1);
});
