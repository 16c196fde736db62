// The embedded database: PGlite keeps its data in a local folder and is served over the PostgreSQL
// wire protocol, so the same postgres.js, drizzle and pg-boss code runs against it as against a real
// server. Limits there: no COPY FROM STDIN, no LISTEN/NOTIFY, and prepared statements must stay on.
//
// Why not the stock PGLiteSocketServer: its queue interleaves clients message by message, which breaks
// extended-protocol exchanges (see pglite-queue.ts), and it builds that queue itself in a private field
// with no option to pass another. pglite-socket does export PGLiteSocketHandler, whose documented
// constructor option `queryQueue` takes the queue, so this file runs its own small TCP listener and
// gives every connection's handler our queue: only public API, no private field overwritten.
// Why not pg-boss's own PGlite support (pg-boss 12 ships `fromPglite` and `backend: 'pglite'`): the
// app's postgres.js pools still need the socket and this queue, and pg-boss on the in-process PGlite
// would run its statements inside whatever transaction a socket client holds open on the one shared
// session (and its adapter issues ROLLBACK after a failed statement, undoing that client's work).
// Because QueryQueueManager's type is not exported, startup proves the handler really uses our queue
// (one probe query must pass through it) and refuses to start otherwise: a pglite-socket upgrade that
// changes the handler fails loudly instead of silently interleaving again.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { resolve } from 'node:path';
import postgres from 'postgres';
import { AppError } from '../errors.ts';
import { WholeExchangeQueue, type HandlerQueue } from './pglite-queue.ts';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketHandler } from '@electric-sql/pglite-socket';

export interface EmbeddedDatabase {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
}

interface SocketServer {
  url: string;
  stop(): Promise<void>;
}

/** A PostgreSQL ErrorResponse, so a client over the limit gets a proper error rather than raw text. */
function fatalResponse(sqlState: string, message: string): Buffer {
  const fields = Buffer.concat([...[['S', 'FATAL'], ['V', 'FATAL'], ['C', sqlState], ['M', message]].map(([k, v]) => Buffer.from(`${k}${v}\0`, 'utf8')), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head.write('E', 0, 'latin1');
  head.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([head, fields]);
}

/** Serves `db` on 127.0.0.1 (a free port), every connection's handler sharing `queue`. */
function serveOverSocket(queue: WholeExchangeQueue, maxConnections: number, Handler: typeof PGLiteSocketHandler): Promise<SocketServer> {
  const handlers = new Set<PGLiteSocketHandler>();
  let active = true;
  const server: Server = createServer((socket: Socket) => {
    if (!active) return void socket.destroy();
    if (handlers.size >= maxConnections) {
      // Refused after the client's startup message, as PostgreSQL does.
      socket.once('data', () => socket.end(fatalResponse('53300', `sorry, too many clients already (the embedded database accepts ${maxConnections})`)));
      return;
    }
    const handler = new Handler({ queryQueue: queue as unknown as HandlerQueue, closeOnDetach: true });
    handlers.add(handler);
    const forget = () => handlers.delete(handler);
    handler.addEventListener('close', forget);
    handler.addEventListener('error', forget);
    handler.attach(socket).catch(() => {
      forget();
      socket.destroy();
    });
  });
  return new Promise((resolveServer, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolveServer({
        url: `postgres://postgres@127.0.0.1:${port}/postgres`,
        async stop() {
          active = false;
          await Promise.all([...handlers].map((h) => h.detach(true)));
          handlers.clear();
          await new Promise<void>((done) => server.close(() => done()));
        },
      });
    });
  });
}

/** Refuses to go on unless a query over the socket really went through our queue. */
async function proveQueueInUse(url: string, queue: WholeExchangeQueue): Promise<void> {
  const before = queue.served;
  const probe = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  let problem: string | undefined;
  try {
    await probe`select 1 as probe`;
    if (queue.served === before) problem = 'a probe query was answered without passing through the whole-exchange queue';
  } catch (error) {
    problem = `a probe query failed: ${(error as Error).message}`;
  } finally {
    await probe.end({ timeout: 1 });
  }
  if (problem) {
    throw new AppError(
      'EMBEDDED_DB_UNSUPPORTED',
      `The installed @electric-sql/pglite-socket does not serve connections through the queue it is given (${problem}); concurrent clients would corrupt each other's queries. Install the version in package-lock.json, or set DATABASE_URL to a PostgreSQL server.`,
    );
  }
}

/**
 * maxConnections must exceed the sum of every pool that connects (app, raw SQL, pg-boss).
 * `handler` is the socket handler class; only tests pass another, to prove the startup check.
 */
export async function startEmbeddedDatabase(dataDir: string, maxConnections = 40, options: { handler?: typeof PGLiteSocketHandler } = {}): Promise<EmbeddedDatabase> {
  const absolute = resolve(dataDir, 'pglite');
  mkdirSync(absolute, { recursive: true });
  const releaseLock = lockDataDir(resolve(dataDir, 'pglite.lock'));
  let db: PGlite | undefined;
  let server: SocketServer | undefined;
  try {
    db = await PGlite.create({ dataDir: absolute });
    const queue = new WholeExchangeQueue(db);
    server = await serveOverSocket(queue, maxConnections, options.handler ?? PGLiteSocketHandler);
    await proveQueueInUse(server.url, queue);
  } catch (error) {
    await server?.stop();
    await db?.close();
    releaseLock();
    throw error;
  }
  const started = { db, server };
  return {
    url: server.url,
    dataDir: absolute,
    async stop() {
      await started.server.stop();
      await started.db.close();
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
