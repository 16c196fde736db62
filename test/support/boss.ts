import { PgBoss } from 'pg-boss';
import { registerMatchRunJob } from '../../jobs/match-run.ts';
import type { Clock } from '../../src/clock.ts';
import type { Database } from '../../src/db/clients.ts';
import { silentLog } from './database.ts';

export async function startBoss(db: Database, clock: Clock): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: db.url, max: 3, schema: 'pgboss' });
  boss.on('error', () => {});
  await boss.start();
  await registerMatchRunJob(boss, { db, clock, log: silentLog });
  return boss;
}
