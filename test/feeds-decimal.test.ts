// An annual average from 人社 is a decimal (37.5 insured staff); it reaches the policy language as the
// exact rational, so the 稳岗返还 layoff-rate test (claimants / average insured ≤ 5.5%) decides right
// where rounding the average to a whole person would not.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-01T02:00:00.000Z');
const work = tempDir('decimal');
// 2 new claimants over: 37.5 -> 5.33% (eligible); 36 -> 5.56% (not); 36.4 -> 5.49% (eligible, though 36.4
// rounded to 36 would not be); 36.36 -> 5.5005% (not, though a float could round it to 5.50%).
const FIRMS = { A: '37.5', B: '36', C: '36.4', D: '36.36' } as const;
const USCC = Object.fromEntries(Object.keys(FIRMS).map((k, i) => [k, buildUscc('9', '1', '440305', `MA5K${i}P7Q`)])) as Record<keyof typeof FIRMS, string>;
let db: TestDatabase;

const load = (feedId: string, lines: string[]) => {
  const path = join(work, `${feedId}.csv`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return importFeed(db, clock, { feedId, input: { path }, asOf: '2024-05-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
};

beforeAll(async () => {
  db = await createTestDatabase();
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  const keys = Object.keys(FIRMS) as (keyof typeof FIRMS)[];
  await load('samr-registry', ['uscc,name,region_code,industry_code,status,org_kind', ...keys.map((k) => `${USCC[k]},${k}公司,440305,C3911,存续,企业`)]);
  await load('credit-status', ['uscc,serious_dishonest', ...keys.map((k) => `${USCC[k]},否`)]);
  await load('tax-annual', ['uscc,year,revenue_yuan', ...keys.map((k) => `${USCC[k]},2023,5000000`)]);
  const hrss = await load('hrss-ui-annual', ['uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,labor_dispatch', ...keys.map((k) => `${USCC[k]},2023,40,10000,24,${FIRMS[k]},2,否`)]);
  expect(hrss).toMatchObject({ rowsAccepted: 4, rowsRejected: 0 });
});
afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('decimal averages', () => {
  it('decides the 稳岗返还 layoff rate on the exact average insured', async () => {
    const run = await runToCompletion(db, clock, silentLog, { scope: 'wengang-fanhuan-2024', period: '2024', kind: 'full', trigger: 'test', actor: 'test', shards: 1 });
    const rows = await db.sql<{ subject_key: string; outcome: string; amount_fen: string | null; reason_codes: string[] }[]>`
      select subject_key, outcome, amount_fen::text, reason_codes from decisions where run_id = ${run.runId}`;
    const by = new Map(rows.map((r) => [r.subject_key, r]));
    expect(by.get(USCC.A)).toMatchObject({ outcome: 'eligible', amount_fen: '600000' }); // 10,000元 × 60%
    expect(by.get(USCC.B)?.outcome ?? 'ineligible').toBe('ineligible');
    expect(by.get(USCC.C)).toMatchObject({ outcome: 'eligible' });
    expect(by.get(USCC.D)?.outcome ?? 'ineligible').toBe('ineligible');
  });
});
