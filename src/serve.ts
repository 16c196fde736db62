// `npm run serve`: the production process. Migrates, serves HTTP (portal, staff API, /health) and works
// the match queue on DATABASE_URL (or the embedded database), with no demo data: nothing is generated,
// no token is printed. The cron match is scheduled once a policy library is published.
import { scheduleMatchRuns } from '../jobs/match-run.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { isAppError } from './errors.ts';
import { pointsForScope } from './matching/compiled-library.ts';
import { latestLibraryHash, libraryByHash } from './policies/library-registry.ts';
import { parsePeriod } from './rules/lang/period.ts';
import type { App } from './app.ts';
import { startServing } from './process.ts';

/** The year the scheduled match covers: today's, in the configured time zone. */
function currentYear(clock: Clock, tz: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric' }).format(clock.now());
}

/** Schedules the incremental match of the year's points; says why not when there is nothing to schedule. */
export async function scheduleConfiguredMatches(app: App, config: Config): Promise<string> {
  let hash: string;
  try {
    hash = await latestLibraryHash(app.db.orm);
  } catch (error) {
    if (!isAppError(error, 'POLICY_NOT_FOUND')) throw error;
    return 'scheduled: nothing (no policy library is published; publish one with: npm run cli -- publish policies/)';
  }
  const library = await libraryByHash(app.db.orm, hash);
  const period = currentYear(app.clock, config.TIMEZONE);
  const scopes = (['enterprise', 'person'] as const).filter((scope) => pointsForScope(library.points, scope, parsePeriod(period)).length > 0);
  if (scopes.length === 0) return `scheduled: nothing (library ${hash.slice(0, 12)} has no yearly point in effect in ${period})`;
  await scheduleMatchRuns(app.boss, scopes.map((scope) => ({ scope, period, kind: 'incremental', shards: config.MATCH_SHARDS })), config.MATCH_CRON, config.TIMEZONE);
  return `scheduled: incremental ${scopes.join(' and ')} match for ${period} at "${config.MATCH_CRON}" (${config.TIMEZONE}), library ${hash.slice(0, 12)}`;
}

async function main(): Promise<void> {
  const { config, app, server } = await startServing({ requireSigningKey: true });
  console.log(await scheduleConfiguredMatches(app, config));
  const address = await server.listen({ host: config.HTTP_HOST, port: config.HTTP_PORT });
  console.log(`listening on ${address} (GET /health; match workers: ${config.MATCH_WORKERS})`);
}

main().catch((error: unknown) => {
  console.error(isAppError(error) ? `${error.code}: ${error.message}` : error);
  process.exit(1);
});
