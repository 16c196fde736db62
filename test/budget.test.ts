// Budgets of policy points on real PostgreSQL: a share of the eligible total, per-district quotas
// (with and without `other`), pro rata and priority — each pool pays exactly min(limit, claims) to
// the fen, never lends to another district, and the cut does not depend on import or key order.
// The library is a test fixture (test/fixtures/budget-library); facts go in through the importer.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { standardDictionary } from '../src/dictionary/index.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { tieKey } from '../src/matching/allocation.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { loadPolicyText } from '../src/policies/lang-loader.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { formatPolicyError } from '../src/rules/lang/spec.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const LIBRARY = join(import.meta.dirname, 'fixtures', 'budget-library');
const FIXTURE = join(LIBRARY, 'budget-test.policy.yaml');
const work = tempDir('budget');

interface Firm {
  name: string;
  uscc: string;
  region: string;
  paidFen: number;
  abnormal: boolean;
  /** 高企证书日期, for budget-earliest (先到先得). */
  certDate: string | null;
}
const firm = (name: string, region: string, body: string, paidFen: number, certDate: string | null, abnormal = false): Firm => ({ name, uscc: buildUscc('9', '1', region, body), region, paidFen, abnormal, certDate });
// E3 and E6 claim the same amount in the same district: their remainders tie. Under budget-quota the
// hash tie-break gives the odd fen to E6, whose USCC sorts after E3's — key order would favour E3.
const FIRMS = {
  e1: firm('南山甲', '440305', 'MA5F0011', 80_000, '2023-03-01'),
  e2: firm('南山乙', '440305', 'MA5F0012', 70_000, '2023-06-30'),
  e3: firm('宝安甲', '440306', 'MA5F0001', 30_000, '2023-03-01'),
  e6: firm('宝安乙', '440306', 'MA5F0002', 30_000, null),
  e4: firm('龙岗甲', '440307', 'MA5F0013', 10_001, '2023-01-10'),
  e5: firm('南山丙', '440305', 'MA5F0014', 50_000, '2022-01-01', true),
};
type Key = keyof typeof FIRMS;

function writeFeeds(dir: string, firms: Firm[], tag: string): { registry: string; ui: string; highTech: string } {
  const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const registry = join(dir, `samr-registry-${tag}.csv`);
  writeFileSync(registry, `uscc,name,region_code,industry_code,status,org_kind,abnormal_operation\n${firms.map((f) => `${f.uscc},深圳市${f.name}有限公司,${f.region},C3911,存续,企业,${f.abnormal ? '是' : '否'}`).join('\n')}\n`);
  const ui = join(dir, `hrss-ui-annual-${tag}.csv`);
  writeFileSync(ui, `uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,insured_at_start,insured_at_end,labor_dispatch\n${firms.map((f) => `${f.uscc},2023,20,${yuan(f.paidFen)},24,20,0,20,20,否`).join('\n')}\n`);
  const highTech = join(dir, `most-high-tech-${tag}.csv`);
  writeFileSync(highTech, `uscc,accepted_date,cert_date,cert_kind\n${firms.filter((f) => f.certDate).map((f) => `${f.uscc},2022-05-01,${f.certDate},首次认定`).join('\n')}\n`);
  return { registry, ui, highTech };
}

async function importFirms(db: TestDatabase, firms: Firm[], tag: string, feeds = ['samr-registry', 'hrss-ui-annual', 'most-high-tech']): Promise<void> {
  const files = writeFeeds(work, firms, tag);
  for (const [feedId, path] of [['samr-registry', files.registry], ['hrss-ui-annual', files.ui], ['most-high-tech', files.highTech]] as const) {
    if (!feeds.includes(feedId)) continue;
    const result = await importFeed(db, clock, { feedId, input: { path }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    expect(result.rowsAccepted).toBe(feedId === 'most-high-tech' ? firms.filter((f) => f.certDate).length : firms.length);
  }
}

type Entry = { point_id: string; subject_key: string; outcome: string; rule_amount_fen: string | null; amount_fen: string | null; allocation: string; reason_codes: string[] };
const entriesOf = async (db: TestDatabase) =>
  (await db.sql<Entry[]>`select point_id, subject_key, outcome, rule_amount_fen::text, amount_fen::text, allocation, reason_codes from list_entries where period = '2024' order by point_id, subject_key`).map((e) => ({ ...e }));

/** point -> firm -> [amount in fen, allocation, reason codes] */
function byFirm(entries: Entry[]): Record<string, Partial<Record<Key, [number | null, string, string[]]>>> {
  const keyOf = new Map(Object.entries(FIRMS).map(([k, f]) => [f.uscc, k as Key]));
  const out: Record<string, Partial<Record<Key, [number | null, string, string[]]>>> = {};
  for (const e of entries) (out[e.point_id] ??= {})[keyOf.get(e.subject_key)!] = [e.amount_fen === null ? null : Number(e.amount_fen), e.allocation, e.reason_codes];
  return out;
}

let db: TestDatabase;
let entries: Entry[];

beforeAll(async () => {
  db = await createTestDatabase();
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(LIBRARY));
  await importFirms(db, Object.values(FIRMS), 'a');
  await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 2 });
  entries = await entriesOf(db);
});
afterAll(async () => db?.drop());

describe('a share-of-total budget', () => {
  it('pays exactly floor(80% × the eligible total) to the fen, pro rata by largest remainder', () => {
    const share = byFirm(entries)['budget-share']!;
    // Eligible total 220,001 fen (the abnormal firm is excluded); 80% = 176,000.8 → 176,000 fen.
    // Exact shares 63,999.71 / 55,999.75 / 23,999.89 ×2 / 8,000.76: floors give 175,996, and the four
    // leftover fen go to the four largest remainders (E3, E6, E4, E2).
    expect(share).toEqual({
      e1: [63_999, 'pro-rata', ['BUDGET:share', 'BUDGET:pro-rata']],
      e2: [56_000, 'pro-rata', ['BUDGET:share', 'BUDGET:pro-rata']],
      e3: [24_000, 'pro-rata', ['BUDGET:share', 'BUDGET:pro-rata']],
      e6: [24_000, 'pro-rata', ['BUDGET:share', 'BUDGET:pro-rata']],
      e4: [8_001, 'pro-rata', ['BUDGET:share', 'BUDGET:pro-rata']],
      e5: [null, 'none', ['ABNORMAL']],
    });
    const total = Object.values(share).reduce((s, [fen]) => s + (fen ?? 0), 0);
    expect(total).toBe(Math.floor((220_001 * 80) / 100));
  });
});

describe('per-district quotas', () => {
  it('cuts each district against its own quota exactly and gives an unlisted district nothing', () => {
    const quota = byFirm(entries)['budget-quota']!;
    expect(quota).toMatchObject({
      // 南山 440305: 150,000 fen claimed against 100,000: 53,333.33 / 46,666.67.
      e1: [53_333, 'pro-rata', ['BUDGET:quota:440305', 'BUDGET:pro-rata']],
      e2: [46_667, 'pro-rata', ['BUDGET:quota:440305', 'BUDGET:pro-rata']],
      // 宝安 440306: 60,000 claimed against 50,001: 25,000.5 each, a tie.
      e3: [25_000, 'pro-rata', ['BUDGET:quota:440306', 'BUDGET:pro-rata']],
      e6: [25_001, 'pro-rata', ['BUDGET:quota:440306', 'BUDGET:pro-rata']],
      // 龙岗 440307 has no quota and the policy has no other: it gets nothing, and says why.
      e4: [0, 'no-quota', ['BUDGET:quota:unlisted']],
    });
    const sumIn = (...keys: Key[]) => keys.reduce((s, k) => s + quota[k]![0]!, 0);
    expect(sumIn('e1', 'e2')).toBe(100_000);
    expect(sumIn('e3', 'e6')).toBe(50_001);
  });

  it('records every pool’s limit, claims and payment in the run’s audit entry', async () => {
    const [entry] = await db.sql<{ payload: { budgets: Record<string, unknown> } }[]>`select payload from audit_log where action = 'match.completed' order by seq limit 1`;
    expect(entry!.payload.budgets['budget-quota']).toEqual([
      { pool: 'quota:440305', limitFen: '100000', claimedFen: '150000', paidFen: '100000', lockedFen: '0' },
      { pool: 'quota:440306', limitFen: '50001', claimedFen: '60000', paidFen: '50001', lockedFen: '0' },
      { pool: 'quota:unlisted', limitFen: '0', claimedFen: '10001', paidFen: '0', lockedFen: '0' },
    ]);
    expect(entry!.payload.budgets['budget-share']).toEqual([{ pool: 'share', limitFen: '176000', claimedFen: '220001', paidFen: '176000', lockedFen: '0' }]);
  });

  it('breaks the tie by the hash of (point, period, subject), not by USCC order', () => {
    const ctx = { pointId: 'budget-quota', period: '2024' };
    // The data discriminates: USCC order would give the fen to E3.
    expect(FIRMS.e3.uscc < FIRMS.e6.uscc).toBe(true);
    expect(tieKey(ctx, FIRMS.e6.uscc) < tieKey(ctx, FIRMS.e3.uscc)).toBe(true);
    expect(byFirm(entries)['budget-quota']!.e6![0]).toBe(25_001);
  });

  it('pays an `other` quota by priority, smaller claims first, and never lends one district’s money to another', () => {
    const priority = byFirm(entries)['budget-priority']!;
    expect(priority).toMatchObject({
      // 440305: 100,000 against 150,000, smaller first: E2 in full, E1 the rest.
      e2: [70_000, 'priority', ['BUDGET:quota:440305', 'BUDGET:priority']],
      e1: [30_000, 'priority', ['BUDGET:quota:440305', 'BUDGET:priority']],
      // other (440306 + 440307): 40,000 against 70,001: E4 (10,001) first, then the tied pair by tieKey.
      e4: [10_001, 'priority', ['BUDGET:quota:other', 'BUDGET:priority']],
      e3: [29_999, 'priority', ['BUDGET:quota:other', 'BUDGET:priority']],
      e6: [0, 'priority', ['BUDGET:quota:other', 'BUDGET:priority']],
    });
    const ctx = { pointId: 'budget-priority', period: '2024' };
    expect(tieKey(ctx, FIRMS.e3.uscc) < tieKey(ctx, FIRMS.e6.uscc)).toBe(true);
  });
});

describe('priority by the earliest event', () => {
  it('pays the earlier 高企证书 first, ties by tieKey, subjects without the date last', () => {
    const earliest = byFirm(entries)['budget-earliest']!;
    // 100,000 fen against 220,001: E4 (2023-01-10) first; E1 and E3 share 2023-03-01; then E2; E6 has no date.
    const ctx = { pointId: 'budget-earliest', period: '2024' };
    const e1First = tieKey(ctx, FIRMS.e1.uscc) < tieKey(ctx, FIRMS.e3.uscc);
    const codes = ['BUDGET:priority'];
    expect(earliest).toMatchObject({
      e4: [10_001, 'priority', codes],
      e1: [e1First ? 80_000 : 59_999, 'priority', codes],
      e3: [e1First ? 9_999 : 30_000, 'priority', codes],
      e2: [0, 'priority', codes],
      e6: [0, 'priority', codes],
    });
    // amount-asc would have paid E6 (30,000, no date) in full before E1: the order really is the date's.
    expect(earliest.e6![0]).toBe(0);
  });
});

describe('order independence', () => {
  it('gives the same list when the subjects are imported in reverse order and matched in other shards', async () => {
    const other = await createTestDatabase();
    try {
      await publishLibrary(other.orm, clock, await createStaff(other, ['reviewer']), await readLibraryFiles(LIBRARY));
      await importFirms(other, Object.values(FIRMS).reverse(), 'b');
      await runToCompletion(other, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 3 });
      expect(await entriesOf(other)).toEqual(entries);
    } finally {
      await other.drop();
    }
  });

  it('re-cuts the budgets of subjects an incremental run did not re-evaluate, as a full run would', async () => {
    // E2's contribution changes; only E2 is re-evaluated, but every share and both quotas move.
    const changed = Object.values({ ...FIRMS, e2: { ...FIRMS.e2, paidFen: 90_000 } });
    await importFirms(db, changed, 'c', ['hrss-ui-annual']);
    const incremental = await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', kind: 'incremental' });
    expect(incremental.kind).toBe('incremental');
    expect(incremental.evaluated).toBe(1);
    const afterIncremental = await entriesOf(db);
    const share = byFirm(afterIncremental)['budget-share']!;
    expect(Object.values(share).reduce((s, [fen]) => s + (fen ?? 0), 0)).toBe(Math.floor((240_001 * 4) / 5));
    expect(share.e1![0]).not.toBe(63_999);
    await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', kind: 'full' });
    expect(await entriesOf(db)).toEqual(afterIncremental);
  });
});

describe('budget syntax', () => {
  const text = readFileSync(FIXTURE, 'utf8');
  const errorsOf = (from: string, to: string) => {
    expect(text).toContain(from);
    const loaded = loadPolicyText('budget-test.policy.yaml', text.replace(from, to), standardDictionary());
    expect(loaded.points).toHaveLength(0);
    return loaded.errors.map(formatPolicyError);
  };
  const quotaLine = text.split('\n').findIndex((l) => l.includes('quotas: { "440305": 1000元, "440306"')) + 1;

  it('loads the fixture library whole', () => {
    const loaded = loadPolicyText('budget-test.policy.yaml', text, standardDictionary());
    expect(loaded.errors).toEqual([]);
    expect(loaded.points.map((p) => p.id)).toEqual(['budget-share', 'budget-quota', 'budget-priority', 'budget-earliest']);
  });

  it('refuses a fixed total combined with quotas, naming the position', () => {
    const errors = errorsOf('budget: { quotas: { "440305": 1000元, "440306"', 'budget: { total: 2000元, quotas: { "440305": 1000元, "440306"');
    expect(errors).toEqual([expect.stringMatching(new RegExp(`^budget-test\\.policy\\.yaml:${quotaLine}:\\d+ points\\[1\\]\\.budget\\.quotas: a budget has total and quotas; combining them is not supported`))]);
  });

  it('refuses priority without an order, and asks for one', () => {
    const errors = errorsOf('oversubscription: priority, priority: { by: amount-asc }', 'oversubscription: priority');
    expect(errors).toEqual([expect.stringContaining('points[2].budget.oversubscription: oversubscription priority does not say in which order claims are paid (expected priority: { by: amount-asc }')]);
  });

  it('refuses an unknown priority order', () => {
    const errors = errorsOf('priority: { by: amount-asc }', 'priority: { by: earliest-uscc }');
    expect(errors).toEqual([expect.stringContaining("points[2].budget.priority.by: 'earliest-uscc' has the wrong form (expected amount-asc")]);
  });

  it('refuses earliest without a date fact of the subject, suggesting one', () => {
    expect(errorsOf('by: earliest, fact: highTechCertDate', 'by: earliest')).toEqual([expect.stringContaining('points[3].budget.priority: priority earliest does not say which date orders the claims (expected fact: one of ')]);
    expect(errorsOf('fact: highTechCertDate', 'fact: highTechCertDat')).toEqual([expect.stringContaining("points[3].budget.priority.fact: 'highTechCertDat' is not a date fact of an enterprise; did you mean 'highTechCertDate'?")]);
    expect(errorsOf('fact: highTechCertDate', 'fact: regionCode')).toEqual([expect.stringContaining("'regionCode' is not a date fact of an enterprise")]);
  });

  it('refuses quotas for districts that contain one another, and codes not in GB/T 2260', () => {
    expect(errorsOf('"440306": 500.01元', '"440300": 500.01元')).toEqual([expect.stringMatching(new RegExp(`:${quotaLine}:\\d+ points\\[1\\]\\.budget\\.quotas\\.440300: district 440300 overlaps the quota of 440305`))]);
    expect(errorsOf('"440306": 500.01元', '"449999": 500.01元')).toEqual([expect.stringContaining("points[1].budget.quotas.449999: '449999' is not in the region code list")]);
  });

  it('refuses a share outside (0%, 100%]', () => {
    expect(errorsOf('share: 80%', 'share: 120%')).toEqual([expect.stringContaining('points[0].budget.share: share 120% is not between 0% and 100%')]);
  });
});
