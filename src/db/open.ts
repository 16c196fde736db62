// Opens the database the config selects: real PostgreSQL when DATABASE_URL is set, else the embedded
// PGlite in DATA_DIR. Migrations run on open, so a fresh data folder or database is ready at once.
import { connect, POOL_SIZES, type Database } from './clients.ts';
import { startEmbeddedDatabase } from './embedded.ts';
import { migrateDatabase } from './migrate.ts';

export const BOSS_POOL_SIZE = 4;

/** The owner's URL when it is another login than the application's; undefined when they are one. */
function separateOwnerUrl(options: { databaseUrl: string | undefined; migrationUrl?: string | undefined }): string | undefined {
  return options.migrationUrl !== undefined && options.migrationUrl !== options.databaseUrl ? options.migrationUrl : undefined;
}

export interface OpenedDatabase extends Database {
  /** The owner's login (migrations, pg-boss's schema) when the application runs as a restricted role. */
  ownerUrl: string | undefined;
  /** Stops the embedded server too, when there is one. */
  shutdown(): Promise<void>;
}

/**
 * Opens the database; `migrationUrl` (the owner's login) runs the migrations when it is given and
 * differs from `databaseUrl`, which is then the application's restricted login. The embedded database
 * has one role only: it migrates and runs as the same session.
 */
export async function openDatabase(options: { databaseUrl: string | undefined; migrationUrl?: string | undefined; dataDir: string }): Promise<OpenedDatabase> {
  // The embedded server must accept every pool at once (app, raw SQL, pg-boss) plus a margin for CLI use.
  const embedded = options.databaseUrl === undefined ? await startEmbeddedDatabase(options.dataDir, POOL_SIZES.orm + POOL_SIZES.sql + BOSS_POOL_SIZE + 8) : undefined;
  const ownerUrl = embedded === undefined ? separateOwnerUrl(options) : undefined;
  if (ownerUrl !== undefined) {
    const owner = connect(ownerUrl, false);
    try {
      await migrateDatabase(owner.orm);
    } finally {
      await owner.close();
    }
  }
  const db = connect(options.databaseUrl ?? embedded!.url, embedded !== undefined);
  try {
    if (ownerUrl === undefined) await migrateDatabase(db.orm);
  } catch (error) {
    await db.close();
    await embedded?.stop();
    throw error;
  }
  return {
    ...db,
    ownerUrl,
    async shutdown() {
      await db.close();
      await embedded?.stop();
    },
  };
}
