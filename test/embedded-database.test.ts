// The embedded default: PGlite served over its socket runs the same migrations and queries, keeps its
// data in the folder, and a second start resumes where the first stopped.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PGLiteSocketHandler, type PGLiteSocketHandlerOptions } from '@electric-sql/pglite-socket';
import { PgBoss } from 'pg-boss';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import { startEmbeddedDatabase } from '../src/db/embedded.ts';
import { openDatabase } from '../src/db/open.ts';
import { WholeExchangeQueue, type HandlerQueue } from '../src/db/pglite-queue.ts';
import { stringContaining } from './support/expect.ts';
import { tempDir } from './support/temp.ts';

const dir = tempDir('embedded');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded database', () => {
  it('keeps data across restarts and runs pg-boss', async () => {
    const clock = fixedClock('2024-06-15T00:00:00Z');
    const first = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    expect(first.embedded).toBe(true);
    await first.orm.transaction((tx) => appendAudit(tx, clock, { actor: 't', action: 'test.first', entityType: 'test', entityId: '1' }));
    const boss = new PgBoss({ connectionString: first.url, max: 2, schema: 'pgboss' });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue('probe');
    expect(await boss.send('probe', { ok: true })).toBeTruthy();
    await boss.stop({ graceful: false, timeout: 1000 });
    await first.shutdown();

    const second = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    const rows = await second.sql<{ action: string }[]>`select action from audit_log order by seq`;
    expect(rows.map((r) => r.action)).toEqual(['test.first']);
    expect((await verifyAuditChain(second.sql)).ok).toBe(true);
    await second.shutdown();
  });
});

describe('embedded database lock', () => {
  it('refuses a second process on the same data folder, naming the folder and the holder', async () => {
    const { writeFileSync } = await import('node:fs');
    const other = tempDir('locked');
    writeFileSync(join(other, 'pglite.lock'), String(process.ppid)); // a live process that is not us
    await expect(openDatabase({ databaseUrl: undefined, dataDir: other })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: stringContaining(`process ${process.ppid}`) });
    rmSync(other, { recursive: true, force: true });
  });
});

describe('embedded database under concurrent clients', () => {
  it('answers interleaved parameterised queries from several pools correctly', async () => {
    const db = await openDatabase({ databaseUrl: undefined, dataDir: tempDir('concurrent') });
    // node-postgres, as pg-boss uses it: unnamed statements and portals, sent message by message.
    const { default: pg } = await import('pg');
    const pool = new pg.Pool({ connectionString: db.url, max: 3 });
    const other = async <R extends { v: number }>(text: string, values: unknown[]) => (await pool.query<R>(text, values)).rows;
    try {
      // Without whole exchanges, a Bind from one client replaces another's unnamed portal between its
      // Bind and Execute: "portal does not exist", or rows meant for another query.
      const work = Array.from({ length: 600 }, (_, i) => {
        // Different statement shapes, so a stolen portal returns visibly wrong rows.
        return (i % 2 === 0
          ? db.sql<{ v: number; s: string }[]>`select ${i}::int as v, repeat('x', ${i % 7}) as s from generate_series(1, 3) g`
          : other<{ v: number; s: string }>(`select $1::int as v, repeat('x', $2::int) as s from generate_series(1, 3) g`, [i, i % 7])
        ).then((rows) => rows.map((r) => ({ ...r })));
      });
      const results = await Promise.all(work);
      results.forEach((rows, i) => expect(rows).toEqual(Array.from({ length: 3 }, () => ({ v: i, s: 'x'.repeat(i % 7) }))));
      const inTx = db.sql.begin(async (tx) => {
        await tx`create temp table t (n int) on commit drop`;
        for (let i = 0; i < 20; i++) await tx`insert into t values (${i})`;
        return (await tx<{ n: number }[]>`select count(*)::int as n from t`)[0]!.n;
      });
      const outside = Promise.all(Array.from({ length: 20 }, (_, i) => other('select $1::int as v', [i]).then((r) => r[0]!.v)));
      expect(await inTx).toBe(20);
      expect(await outside).toEqual(Array.from({ length: 20 }, (_, i) => i));
    } finally {
      await pool.end();
      await db.shutdown();
    }
  });
});

describe('embedded database socket server', () => {
  it('refuses to start when the socket handler does not use the whole-exchange queue, and frees the folder', async () => {
    const folder = tempDir('bypass');
    // What a pglite-socket upgrade that ignored the queue it is given would look like: a queue of its own.
    class OwnQueueHandler extends PGLiteSocketHandler {
      constructor(options: PGLiteSocketHandlerOptions) {
        const given = options.queryQueue as unknown as WholeExchangeQueue;
        super({ ...options, queryQueue: new WholeExchangeQueue(given.db) as unknown as HandlerQueue });
      }
    }
    await expect(startEmbeddedDatabase(folder, 4, { handler: OwnQueueHandler })).rejects.toMatchObject({ code: 'EMBEDDED_DB_UNSUPPORTED', message: stringContaining('pglite-socket') });
    const again = await startEmbeddedDatabase(folder, 4);
    await again.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('answers a client over the connection limit with a PostgreSQL error, not raw text', async () => {
    const folder = tempDir('limit');
    const server = await startEmbeddedDatabase(folder, 2);
    await new Promise((r) => setTimeout(r, 200)); // the startup probe's connection is released asynchronously
    const { default: pg } = await import('pg');
    const clients = [new pg.Client(server.url), new pg.Client(server.url), new pg.Client(server.url)];
    try {
      await clients[0]!.connect();
      await clients[1]!.connect();
      await expect(clients[2]!.connect()).rejects.toThrow(/too many clients/);
      expect((await clients[1]!.query('select 2 as n')).rows).toEqual([{ n: 2 }]);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => {})));
      await server.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
