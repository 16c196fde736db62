// Composition root: config -> logger -> database -> pg-boss -> jobs. Everything with a side effect is
// created here and handed to services; services never reach for globals.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgBoss } from 'pg-boss';
import { registerMatchJobs } from '../jobs/match-run.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { BOSS_POOL_SIZE, openDatabase, type OpenedDatabase } from './db/open.ts';
import type { Logger } from './logger.ts';

export interface App {
  config: Config;
  db: OpenedDatabase;
  boss: PgBoss;
  clock: Clock;
  log: Logger;
  portalSecret: string;
  stop(): Promise<void>;
}

/** The portal signing secret: from config, else one kept in the data folder so tokens survive restarts. */
function portalSecret(config: Config, log: Logger): string {
  if (config.PORTAL_TOKEN_SECRET) return config.PORTAL_TOKEN_SECRET;
  const file = join(config.DATA_DIR, 'portal-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600 });
  log.warn({ file }, 'PORTAL_TOKEN_SECRET is not set; generated one in the data folder');
  return secret;
}

export async function startApp(config: Config, clock: Clock, log: Logger, options: { workers?: boolean } = {}): Promise<App> {
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  const boss = new PgBoss({
    connectionString: db.url,
    max: BOSS_POOL_SIZE,
    schema: 'pgboss',
    superviseIntervalSeconds: config.BOSS_SUPERVISE_SECONDS,
    monitorIntervalSeconds: config.BOSS_SUPERVISE_SECONDS,
  });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  try {
    await boss.start();
    if (options.workers !== false) await registerMatchJobs(boss, { db, clock, log }, { shardWorkers: config.MATCH_WORKERS });
  } catch (error) {
    await db.shutdown();
    throw error;
  }
  let stopped = false;
  return {
    config,
    db,
    boss,
    clock,
    log,
    portalSecret: portalSecret(config, log),
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: 10_000 });
      await db.shutdown();
    },
  };
}
