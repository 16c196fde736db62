// Opens the database the config selects: real PostgreSQL when DATABASE_URL is set, else the embedded
// PGlite in DATA_DIR. Migrations run on open, so a fresh data folder or database is ready at once.
import { connect, POOL_SIZES, type Database } from './clients.ts';
import { startEmbeddedDatabase } from './embedded.ts';
import { migrateDatabase } from './migrate.ts';

export const BOSS_POOL_SIZE = 4;

export interface OpenedDatabase extends Database {
  /** Stops the embedded server too, when there is one. */
  shutdown(): Promise<void>;
}

export async function openDatabase(options: { databaseUrl: string | undefined; dataDir: string }): Promise<OpenedDatabase> {
  // The embedded server must accept every pool at once (app, raw SQL, pg-boss) plus a margin for CLI use.
  const embedded = options.databaseUrl === undefined ? await startEmbeddedDatabase(options.dataDir, POOL_SIZES.orm + POOL_SIZES.sql + BOSS_POOL_SIZE + 8) : undefined;
  const db = connect(options.databaseUrl ?? embedded!.url, embedded !== undefined);
  try {
    await migrateDatabase(db.orm);
  } catch (error) {
    await db.close();
    await embedded?.stop();
    throw error;
  }
  return {
    ...db,
    async shutdown() {
      await db.close();
      await embedded?.stop();
    },
  };
}
