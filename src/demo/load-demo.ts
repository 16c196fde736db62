// Loads the demo population into an empty database, one fact import per source department, the way
// feeds arrive in production. Does nothing if enterprises are already there (a second start resumes).
import { sql as dsql } from 'drizzle-orm';
import type { Clock } from '../clock.ts';
import type { Orm } from '../db/clients.ts';
import { CURRENT_PERIOD, recordFactImport, upsertEnterprises, type FactRow } from '../subjects/facts-repository.ts';
import { generateDemoPopulation, type DemoEnterprise } from './population.ts';

export const DEMO_ACTOR = 'system:demo-generator';

export async function loadDemoPopulation(
  orm: Orm,
  clock: Clock,
  options: { seed: number; count: number; dataYear: number; asOf: string },
): Promise<{ created: boolean; enterprises: number }> {
  const [{ n } = { n: 0 }] = await orm.execute<{ n: number }>(dsql`select count(*)::int as n from enterprises`);
  if (n > 0) return { created: false, enterprises: n };
  const population = generateDemoPopulation(options.seed, options.count);
  const year = String(options.dataYear);
  const feeds: { source: string; period: string; pick: (e: DemoEnterprise) => FactRow['facts'] }[] = [
    { source: 'samr', period: CURRENT_PERIOD, pick: (e) => e.samr },
    { source: 'credit', period: CURRENT_PERIOD, pick: (e) => e.credit },
    { source: 'bank', period: CURRENT_PERIOD, pick: (e) => e.bank },
    { source: 'tax', period: year, pick: (e) => e.tax },
    { source: 'hrss', period: year, pick: (e) => e.hrss },
  ];
  await orm.transaction(async (tx) => {
    await upsertEnterprises(tx, clock, population.map(({ uscc, name, regionCode }) => ({ uscc, name, regionCode })));
    for (const feed of feeds) {
      await recordFactImport(tx, clock, {
        source: feed.source,
        fileName: `generated:${feed.source}:seed=${options.seed}:n=${options.count}`,
        asOf: options.asOf,
        actor: DEMO_ACTOR,
        rows: population.map((e) => ({ subjectKey: e.uscc, period: feed.period, facts: feed.pick(e) })),
      });
    }
  });
  return { created: true, enterprises: population.length };
}
