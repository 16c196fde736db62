// Loads the demo population into an empty database the way production data arrives: as feed files,
// one per department, written by the population generator (src/population) to the data folder and
// imported through the real importer. The hrss-ui-annual file carries four deliberately bad rows (a
// mistyped check character, a garbled amount, a firm the registry does not know, a negative
// headcount), so the summary shows what rejection looks like. Subjects planted from the policy library's
// test cases (src/population/policy-anchors.ts) come in the same files, after the generated ones.
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { importFeed, type ImportResult } from '../feeds/importer.ts';
import { SYSTEM_ACTOR } from '../identity/permissions.ts';
import { GENERATED_FEEDS } from '../population/feeds.ts';
import { writeFeedFiles } from '../population/write.ts';


/** Every department's feed the generator writes: CSV for most, JSON Lines for 信用中国. */
const DEMO_FEEDS = GENERATED_FEEDS;

export async function loadDemoPopulation(
  db: Database,
  clock: Clock,
  options: { seed: number; count: number; persons?: number; dataYear: number; asOf: string; dataDir: string; planted?: Readonly<Record<string, readonly (readonly string[])[]>> },
): Promise<{ created: boolean; enterprises: number; persons: number; imports: ImportResult[] }> {
  const [{ n } = { n: 0 }] = await db.sql<{ n: number }[]>`select count(*)::int as n from enterprises`;
  if (n > 0) {
    const [{ p } = { p: 0 }] = await db.sql<{ p: number }[]>`select count(*)::int as p from persons`;
    return { created: false, enterprises: n, persons: p, imports: [] };
  }
  const files = await writeFeedFiles(join(options.dataDir, 'feeds'), {
    seed: options.seed,
    enterprises: options.count,
    persons: options.persons ?? 0,
    dataYear: options.dataYear,
    asOf: options.asOf,
    feeds: DEMO_FEEDS,
    extraRows: options.planted ?? {},
    dirtyRows: { 'hrss-ui-annual': ['bad-check', 'bad-amount', 'unregistered', 'bad-number'] },
  });
  const imports: ImportResult[] = [];
  for (const file of files) {
    imports.push(await importFeed(db, clock, { feedId: file.feedId, input: { path: file.path }, asOf: options.asOf, actor: SYSTEM_ACTOR, rejectsDir: join(options.dataDir, 'rejects') }));
  }
  const planted = (feed: string) => options.planted?.[feed]?.length ?? 0;
  return { created: true, enterprises: options.count + planted('samr-registry'), persons: (options.persons ?? 0) + planted('police-population'), imports };
}
