// The embedded database: PGlite keeps its data in a local folder and is served over the PostgreSQL
// wire protocol, so the same postgres.js, drizzle and pg-boss code runs against it as against a real
// server. Limits there: no COPY FROM STDIN, no LISTEN/NOTIFY, and prepared statements must stay on.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { AppError } from '../errors.ts';
import { WholeExchangeQueue } from './pglite-queue.ts';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** maxConnections must exceed the sum of every pool that connects (app, raw SQL, pg-boss). */
export async function startEmbeddedDatabase(dataDir: string, maxConnections = 40): Promise<EmbeddedDatabase> {
  const absolute = resolve(dataDir, 'pglite');
  mkdirSync(absolute, { recursive: true });
  const releaseLock = lockDataDir(resolve(dataDir, 'pglite.lock'));
  let db: PGlite;
  try {
    db = await PGlite.create({ dataDir: absolute });
  } catch (error) {
    releaseLock();
    throw error;
  }
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  // Replace the stock per-message queue (see pglite-queue.ts); handlers pick it up when they connect.
  (server as unknown as { queryQueue: WholeExchangeQueue }).queryQueue = new WholeExchangeQueue(db);
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    url,
    dataDir: absolute,
    async stop() {
      await server.stop();
      await db.close();
      releaseLock();
    },
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PGlite has no locking of its own: two processes on one folder would corrupt it, so refuse that. */
function lockDataDir(lockFile: string): () => void {
  let holder: number | undefined;
  try {
    holder = Number(readFileSync(lockFile, 'utf8').trim());
  } catch {
    holder = undefined;
  }
  if (holder && holder !== process.pid && processAlive(holder)) {
    throw new AppError('DATA_DIR_LOCKED', `The embedded database in ${lockFile.replace(/pglite\.lock$/, '')} is in use by process ${holder}; stop it first, or set DATA_DIR to another folder (or DATABASE_URL to a PostgreSQL server).`);
  }
  writeFileSync(lockFile, String(process.pid));
  return () => rmSync(lockFile, { force: true });
}
