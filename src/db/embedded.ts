// The embedded database: PGlite keeps its data in a local folder and is served over the PostgreSQL
// wire protocol, so the same postgres.js, drizzle and pg-boss code runs against it as against a real
// server. Limits there: no COPY FROM STDIN, no LISTEN/NOTIFY, and prepared statements must stay on.
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
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
  const db = await PGlite.create({ dataDir: absolute });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections });
  await server.start();
  const url = `postgres://postgres@${server.getServerConn()}/postgres`;
  return {
    url,
    dataDir: absolute,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
