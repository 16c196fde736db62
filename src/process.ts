// What `npm start` and `npm run serve` share: typed config, logger, the app (database, queue, workers)
// and the HTTP server, with SIGTERM/SIGINT stopping HTTP, the queue and the database in that order.
import { startApp, type App } from './app.ts';
import { systemClock } from './clock.ts';
import { loadConfig, type Config } from './config.ts';
import { oidcSettingsFrom, type OidcSettings } from './identity/oidc-client.ts';
import { portalOptionsFrom } from './http/portal-routes.ts';
import { buildServer } from './http/server.ts';
// A verified citizen's 公民身份号码 maps to the person key it is filed under (keyed hash, ID_HASH_KEY).
import { personKeyOf } from './subjects/personal-data.ts';
import { accountsOf } from './identity/account-service.ts';
import { createLogger, type Logger } from './logger.ts';

export interface Serving {
  config: Config;
  log: Logger;
  app: App;
  server: ReturnType<typeof buildServer>;
  /** The OIDC settings the portal signs in with; undefined when the portal sign-in is off. */
  oidc: OidcSettings | undefined;
}

/**
 * `requireSigningKey`: serve mode, which refuses to start on DATABASE_URL without AUDIT_SIGNING_KEY.
 * `oidc`: the portal's OIDC settings when configuration has none (the demo's own IdP).
 */
export async function startServing(options: { requireSigningKey?: boolean; oidc?: (config: Config) => OidcSettings } = {}): Promise<Serving> {
  const config = loadConfig();
  const log = createLogger(config.LOG_LEVEL);
  console.log(config.embedded ? `database: embedded PGlite in ${config.DATA_DIR}/pglite` : 'database: PostgreSQL from DATABASE_URL');
  const app = await startApp(config, systemClock, log, { requireSigningKey: options.requireSigningKey, scheduler: true });
  const accounts = accountsOf(app.db.orm, app.clock, { idleMinutes: config.SESSION_IDLE_MINUTES, absoluteMinutes: config.SESSION_ABSOLUTE_MINUTES });
  const oidc = oidcSettingsFrom(config) ?? options.oidc?.(config);
  const server = buildServer({ db: app.db, log, clock: app.clock, portalSecret: app.portalSecret, accounts, portal: portalOptionsFrom(config, personKeyOf, oidc) });
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    try {
      await server.close();
      await app.stop();
      process.exit(0);
    } catch (error) {
      console.error(error);
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  return { config, log, app, server, oidc };
}
