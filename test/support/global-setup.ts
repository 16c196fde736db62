// Finds a PostgreSQL for the suite: TEST_DATABASE_URL if set, else a testcontainers PostgreSQL 17,
// else a clear failure. Builds one migrated template database per run; each test file clones it.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import postgres from 'postgres';
import { connect, databaseUrl } from '../../src/db/clients.ts';
import { migrateDatabase } from '../../src/db/migrate.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    adminUrl: string;
    templateDatabase: string;
    runPrefix: string;
  }
}


async function findServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.TEST_DATABASE_URL) return { url: process.env.TEST_DATABASE_URL, stop: async () => {} };
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:17-alpine').start();
    return { url: container.getConnectionUri(), stop: async () => void (await container.stop()) };
  } catch (error) {
    throw new Error(
      'TEST_DATABASE_MISSING: the tests need a real PostgreSQL. Set TEST_DATABASE_URL, e.g.\n' +
        '  TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm test\n' +
        `or run Docker so testcontainers can start one (it said: ${(error as Error).message.split('\n')[0]}).`,
      { cause: error },
    );
  }
}

/**
 * The run's own temp folder: the test processes (forked after this) and every child process they start
 * inherit TMPDIR, so whatever a test puts in os.tmpdir() lands here, apart from other runs on the machine.
 */
function useRunTempRoot(): string {
  const root = mkdtempSync(join(tmpdir(), 'mianshen-suite-'));
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = root;
  return root;
}

/** What is left in a directory (the run's temp root); none when it is gone. */
export function leftoverEntries(root: string): string[] {
  try {
    return readdirSync(root).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Fails the run when a test left files in the run's temp folder; removes them either way. */
export function checkTempRoot(root: string): void {
  const left = leftoverEntries(root);
  rmSync(root, { recursive: true, force: true });
  if (left.length > 0) {
    throw new Error(`TEMP_FILES_LEFT: the tests left ${left.length} entr${left.length === 1 ? 'y' : 'ies'} in the temp folder (${left.join(', ')}); create temp folders with tempDir() from test/support/temp.ts, which removes them after the file's tests. They have been removed now.`);
  }
}

export default async function setup(project: TestProject) {
  const tempRoot = useRunTempRoot();
  // A process started without DATA_DIR writes generated keys and secrets into ./.data: none may.
  const cwdData = join(process.cwd(), '.data');
  const cwdDataBefore = leftoverEntries(cwdData);
  const server = await findServer();
  const runPrefix = `mianshen_t${process.pid}_${Date.now().toString(36)}`;
  const templateDatabase = `${runPrefix}_tpl`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${templateDatabase}"`);
  } catch (error) {
    await admin.end();
    throw new Error(`TEST_DATABASE_MISSING: cannot create a throwaway database on ${new URL(server.url).host}: ${(error as Error).message}`, { cause: error });
  }
  const template = connect(databaseUrl(server.url, templateDatabase), false);
  await migrateDatabase(template.orm);
  await template.close();

  project.provide('adminUrl', server.url);
  project.provide('templateDatabase', templateDatabase);
  project.provide('runPrefix', runPrefix);

  return async () => {
    const leftovers = await admin<{ datname: string }[]>`select datname from pg_database where datname like ${`${runPrefix}%`}`;
    for (const { datname } of leftovers) await admin.unsafe(`drop database if exists "${datname}" with (force)`);
    await admin.end();
    await server.stop();
    checkTempRoot(tempRoot);
    const added = leftoverEntries(cwdData).filter((entry) => !cwdDataBefore.includes(entry));
    if (added.length > 0) {
      throw new Error(`TEMP_FILES_LEFT: the tests wrote ${added.join(', ')} into ${cwdData}; give every child process a DATA_DIR from tempDir() (test/support/temp.ts). Remove them by hand.`);
    }
  };
}
