import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import type { Orm } from './clients.ts';

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export async function migrateDatabase(orm: Orm): Promise<void> {
  await migrate(orm, { migrationsFolder: MIGRATIONS_FOLDER });
}
