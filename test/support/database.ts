// One database per test file, cloned from the migrated template: tests never see each other's rows.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { inject } from 'vitest';
import { connect, databaseUrl, type Database } from '../../src/db/clients.ts';
import { createLogger } from '../../src/logger.ts';
import { installDataKeys, parseDataKeys } from '../../src/subjects/personal-data.ts';

export const silentLog = createLogger('silent');

// The suite's personal-data keys (vitest.config.ts env), as startApp would install them: tests that
// import or pay without starting the app need them too.
installDataKeys(parseDataKeys(process.env));

/** The suite's personal-data keys (set by global setup), for tests that build a config of their own. */
export const dataKeyEnv = () => ({ DATA_KEYS: process.env.DATA_KEYS, DATA_KEY_CURRENT: process.env.DATA_KEY_CURRENT, ID_HASH_KEY: process.env.ID_HASH_KEY });

export interface TestDatabase extends Database {
  drop(): Promise<void>;
}


export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `${inject('runPrefix')}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(inject('adminUrl'), { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}" template "${inject('templateDatabase')}"`);
  const db = connect(databaseUrl(inject('adminUrl'), name), false);
  return {
    ...db,
    async drop() {
      await db.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}
