// A throwaway database for one benchmark: created on the bench server, migrated, handed to the work,
// and dropped afterwards whatever happens (a failed bench leaves no database behind).
import postgres from 'postgres';
import { connect, databaseUrl, type Database } from '../src/db/clients.ts';
import { migrateDatabase } from '../src/db/migrate.ts';

export async function withBenchDatabase<T>(adminUrl: string, prefix: string, work: (db: Database & { url: string }) => Promise<T>): Promise<T> {
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = databaseUrl(adminUrl, name);
  const db = connect(url, false);
  try {
    await migrateDatabase(db.orm);
    return await work({ ...db, url });
  } finally {
    await db.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}
