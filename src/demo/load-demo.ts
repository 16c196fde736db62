// Loads the demo population into an empty database the way production data arrives: as feed files,
// one per department, written to the data folder and imported through the real importer. One feed
// carries a few deliberately bad rows, so the summary shows what rejection looks like.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { importFeed, type ImportResult } from '../feeds/importer.ts';
import { buildUscc } from '../subjects/uscc.ts';
import { generateDemoPopulation, type DemoEnterprise } from './population.ts';

export const DEMO_ACTOR = 'system:demo-generator';

const yuan = (fen: string | null) => (fen === null ? '' : `${BigInt(fen) / 100n}.${(BigInt(fen) % 100n).toString().padStart(2, '0')}`);
const yesNo = (b: boolean) => (b ? '是' : '否');

function csv(header: string[], rows: (string | number)[][]): string {
  const quote = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
  return `${[header, ...rows].map((r) => r.map(quote).join(',')).join('\n')}\n`;
}

/** The demo's feed files: CSV for most departments, JSON Lines for 信用中国. */
export function demoFeedFiles(population: DemoEnterprise[], dataYear: number): { feedId: string; file: string; content: string }[] {
  const hrssRows = population.map((e) => [e.uscc, dataYear, e.hrss.staff, yuan(e.hrss.uiContributionsPaidFen), e.hrss.uiMonthsPaidInFull, e.hrss.avgInsured, e.hrss.newClaimants, yesNo(e.hrss.laborDispatch)]);
  // Deliberately dirty rows, as real feeds have them: a mistyped code, a garbled amount, a firm the
  // registry does not know, and a negative headcount.
  const first = population[0]!;
  const unregistered = buildUscc('9', '1', '440305', 'MA5YYYYY');
  hrssRows.push(
    [first.uscc.slice(0, 17) + (first.uscc[17] === '0' ? '1' : '0'), dataYear, 10, '1000.00', 12, 10, 0, '否'],
    [population[2]!.uscc, dataYear, 10, '12,34x.00', 12, 10, 0, '否'],
    [unregistered, dataYear, 10, '1000.00', 12, 10, 0, '否'],
    [population[3]!.uscc, dataYear, -4, '1000.00', 12, 10, 0, '否'],
  );
  return [
    {
      feedId: 'samr-registry',
      file: 'samr-registry.csv',
      content: csv(['uscc', 'name', 'region_code', 'industry_code', 'status', 'org_kind'], population.map((e) => [e.uscc, e.name, e.regionCode, e.samr.industryCode, e.samr.status, '企业'])),
    },
    { feedId: 'tax-annual', file: `tax-annual-${dataYear}.csv`, content: csv(['uscc', 'year', 'revenue_yuan', 'si_account'], population.map((e) => [e.uscc, dataYear, yuan(e.tax.revenueFen), e.tax.siAccount ?? ''])) },
    {
      feedId: 'hrss-ui-annual',
      file: `hrss-ui-annual-${dataYear}.csv`,
      content: csv(['uscc', 'year', 'staff', 'ui_paid_yuan', 'ui_months_paid_in_full', 'avg_insured', 'new_claimants', 'labor_dispatch'], hrssRows),
    },
    { feedId: 'credit-status', file: 'credit-status.jsonl', content: population.map((e) => JSON.stringify({ uscc: e.uscc, serious_dishonest: e.credit.seriousDishonest })).join('\n') + '\n' },
    { feedId: 'bank-accounts', file: 'bank-accounts.csv', content: csv(['uscc', 'basic_account'], population.map((e) => [e.uscc, e.bank.basicAccount ?? ''])) },
  ];
}

export async function loadDemoPopulation(
  db: Database,
  clock: Clock,
  options: { seed: number; count: number; dataYear: number; asOf: string; dataDir: string },
): Promise<{ created: boolean; enterprises: number; imports: ImportResult[] }> {
  const [{ n } = { n: 0 }] = await db.sql<{ n: number }[]>`select count(*)::int as n from enterprises`;
  if (n > 0) return { created: false, enterprises: n, imports: [] };
  const population = generateDemoPopulation(options.seed, options.count);
  const feedsDir = join(options.dataDir, 'feeds');
  await mkdir(feedsDir, { recursive: true });
  const imports: ImportResult[] = [];
  for (const feed of demoFeedFiles(population, options.dataYear)) {
    const path = join(feedsDir, feed.file);
    await writeFile(path, feed.content);
    imports.push(await importFeed(db, clock, { feedId: feed.feedId, input: { path }, asOf: options.asOf, actor: DEMO_ACTOR, rejectsDir: join(options.dataDir, 'rejects') }));
  }
  return { created: true, enterprises: population.length, imports };
}
