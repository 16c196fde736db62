// Two postgres.js clients per database: drizzle() replaces the serializers of the client it is given,
// so raw SQL (and COPY on real PostgreSQL) goes through a client of its own.
import postgres from 'postgres';
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import * as schema from './schema/index.ts';

export type Orm = PostgresJsDatabase<typeof schema>;
export type Sql = postgres.Sql;
/** A transaction handle from either client: what repositories accept so they join the caller's tx. */
export type Tx = Parameters<Parameters<Orm['transaction']>[0]>[0];

export interface Database {
  url: string;
  embedded: boolean;
  orm: Orm;
  sql: Sql;
  close(): Promise<void>;
}

export const POOL_SIZES = { orm: 8, sql: 4 } as const;

/** The same server's URL for another database (tests and benchmarks create throwaway ones). */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

// PGlite serves every connection from one backend session, so another connection's query between two
// fetches of a cursor destroys its portal. On the embedded database, "cursors" read the whole result.
const embeddedClients = new WeakSet<object>();

/** Asks for the next item as soon as the current one is handed out, so the producer works meanwhile. */
async function* prefetch<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  let finished = false;
  try {
    for (;;) {
      const current = await next;
      if (current.done) {
        finished = true;
        return;
      }
      next = iterator.next();
      yield current.value;
    }
  } finally {
    // A consumer that stops early must still release the cursor (and its connection).
    if (!finished) {
      await next.catch(() => undefined);
      await iterator.return?.();
    }
  }
}

/**
 * Streams a query in batches with a server-side cursor (the next batch is fetched while the caller
 * works on this one), or all at once on the embedded database.
 */
export function rowBatches<T extends readonly object[]>(sql: Sql, query: postgres.PendingQuery<T>, batchSize: number): AsyncIterable<T> {
  if (!embeddedClients.has(sql)) return prefetch(query.cursor(batchSize) as AsyncIterable<T>);
  return (async function* () {
    yield await query;
  })();
}

export function connect(url: string, embedded: boolean): Database {
  const common = { onnotice: () => {}, connection: { application_name: 'mianshen' } } as const;
  const ormClient = postgres(url, { ...common, max: POOL_SIZES.orm });
  const sql = postgres(url, {
    ...common,
    max: POOL_SIZES.sql,
    types: { bigint: postgres.BigInt },
  });
  const orm = drizzle(ormClient, { schema });
  if (embedded) embeddedClients.add(sql);
  return {
    url,
    embedded,
    orm,
    sql,
    async close() {
      await Promise.all([ormClient.end({ timeout: 5 }), sql.end({ timeout: 5 })]);
    },
  };
}
