// Composition root: config -> logger -> database -> pg-boss -> jobs. Everything with a side effect is
// created here and handed to services; services never reach for globals.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgBoss } from 'pg-boss';
import { bankChannelFor } from './payouts/channels.ts';
import { createAuditCheckpointQueue, registerAuditCheckpointJob } from '../jobs/audit-checkpoint.ts';
import { createMatchQueues, registerMatchJobs } from '../jobs/match-run.ts';
import { createPayoutCycleQueue, registerPayoutCycleJob } from '../jobs/payout-cycle.ts';
import { setAuditHashAlgorithm } from './audit/audit-trail.ts';
import { setCheckpointRecorder } from './audit/checkpoint-events.ts';
import { auditSigner, type AuditSigner } from './audit/checkpoints.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { AppError } from './errors.ts';
import { BOSS_POOL_SIZE, openDatabase, type OpenedDatabase } from './db/open.ts';
import type { Logger } from './logger.ts';
import { installDataKeys, loadDataKeys } from './subjects/personal-data.ts';

export interface App {
  config: Config;
  db: OpenedDatabase;
  boss: PgBoss;
  clock: Clock;
  log: Logger;
  portalSecret: string;
  auditSigner: AuditSigner;
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

/**
 * The key that signs audit checkpoints: from config, else one generated into the data folder (the
 * embedded/demo setup). A key next to the database it vouches for protects against little: production
 * sets AUDIT_SIGNING_KEY from a store the database's administrators cannot write.
 */
function signingKey(config: Config, log: Logger, required: boolean): AuditSigner {
  if (config.AUDIT_SIGNING_KEY) return auditSigner(config.AUDIT_SIGNING_KEY);
  // No default secret: a production server must be given its key, never make one up beside its data.
  if (required) {
    throw new AppError('CONFIG_INVALID', 'AUDIT_SIGNING_KEY is not set; serve on DATABASE_URL signs audit checkpoints with a key from the environment and will not generate one. Set AUDIT_SIGNING_KEY to an Ed25519 private key (openssl genpkey -algorithm ed25519), kept where the database\'s administrators cannot read it', { variables: ['AUDIT_SIGNING_KEY'] });
  }
  const file = join(config.DATA_DIR, 'audit-signing-key.pem');
  if (existsSync(file)) return auditSigner(readFileSync(file, 'utf8'));
  mkdirSync(config.DATA_DIR, { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  writeFileSync(file, pem, { mode: 0o600 });
  log.warn({ file }, 'AUDIT_SIGNING_KEY is not set; generated an audit signing key in the data folder (keep production keys outside it)');
  return auditSigner(pem);
}

const BOSS_SCHEMA = 'pgboss';

/**
 * As the database owner: installs or upgrades pg-boss's schema and creates every queue. The
 * application's role may then only read and write the queue tables (migration grants and default
 * privileges): creating a partitioned queue makes a table, which that role may not.
 */
async function prepareQueuesAsOwner(ownerUrl: string, log: Logger): Promise<void> {
  const owner = new PgBoss({ connectionString: ownerUrl, max: 2, schema: BOSS_SCHEMA, supervise: false, schedule: false });
  owner.on('error', (error) => log.error({ err: error }, 'pg-boss error (owner)'));
  await owner.start();
  try {
    await createMatchQueues(owner);
    await createAuditCheckpointQueue(owner);
    await createPayoutCycleQueue(owner);
  } finally {
    await owner.stop({ graceful: false });
  }
}

export async function startApp(config: Config, clock: Clock, log: Logger, options: { workers?: boolean; requireSigningKey?: boolean; scheduler?: boolean } = {}): Promise<App> {
  setAuditHashAlgorithm(config.AUDIT_HASH);
  // Before the database opens: a serve on DATABASE_URL without the data keys stops here, naming them.
  installDataKeys(loadDataKeys(config, log));
  const signer = signingKey(config, log, options.requireSigningKey === true && !config.embedded);
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, migrationUrl: config.MIGRATION_DATABASE_URL, dataDir: config.DATA_DIR });
  try {
    if (db.ownerUrl !== undefined) await prepareQueuesAsOwner(db.ownerUrl, log);
  } catch (error) {
    await db.shutdown();
    throw error;
  }
  const boss = new PgBoss({
    connectionString: db.url,
    max: BOSS_POOL_SIZE,
    schema: BOSS_SCHEMA,
    // The owner migrated pg-boss's schema above; the application's role only checks its version.
    migrate: db.ownerUrl === undefined,
    superviseIntervalSeconds: config.BOSS_SUPERVISE_SECONDS,
    monitorIntervalSeconds: config.BOSS_SUPERVISE_SECONDS,
  });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  setCheckpointRecorder({ db, clock, signer, log });
  try {
    await boss.start();
    if (options.workers !== false) {
      await registerMatchJobs(boss, { db, clock, log }, { shardWorkers: config.MATCH_WORKERS });
    }
    // The daily export writes into this process's DATA_DIR, so only the serving process (serve, the
    // demo) works and schedules it, never a `cli worker` on another machine.
    if (options.scheduler === true) {
      await registerAuditCheckpointJob(boss, { db, clock, log, signer, dataDir: config.DATA_DIR, timeZone: config.TIMEZONE }, { cron: config.AUDIT_CHECKPOINT_CRON, tz: config.TIMEZONE });
      await registerPayoutCycleJob(boss, { db, clock, log, bank: bankChannelFor(config, db.orm, clock) }, { cron: config.PAYOUT_CRON, tz: config.TIMEZONE });
    }
  } catch (error) {
    setCheckpointRecorder(undefined);
    await boss.stop({ graceful: false }).catch(() => undefined);
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
    auditSigner: signer,
    async stop() {
      if (stopped) return;
      stopped = true;
      await boss.stop({ graceful: true, timeout: 10_000 });
      setCheckpointRecorder(undefined);
      await db.shutdown();
    },
  };
}
