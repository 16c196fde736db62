import { PgBoss } from 'pg-boss';
import { registerMatchJobs } from '../../jobs/match-run.ts';
import type { Clock } from '../../src/clock.ts';
import type { Database } from '../../src/db/clients.ts';
import type { Logger } from '../../src/logger.ts';
import { silentLog } from './database.ts';

export async function startBoss(db: Database, clock: Clock, log: Logger = silentLog): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: db.url, max: 3, schema: 'pgboss' });
  boss.on('error', () => {});
  await boss.start();
  await registerMatchJobs(boss, { db, clock, log }, { shardWorkers: 2 });
  return boss;
}
