// Generated feeds through the real importer on PostgreSQL: every clean row imported, every deliberately
// bad row rejected with the reason its kind calls for, whether the feed arrives as a file or in process.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.ts';
import { importFeed } from '../../src/feeds/importer.ts';
import { feedMapping } from '../../src/feeds/mappings.ts';
import { DIRTY_KINDS, dirtyKindsFor, feedRecords, feedRows, GENERATED_FEEDS, writeFeedFile, type DirtyKind, type PopulationOptions } from '../../src/population/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { SYSTEM_ACTOR } from '../../src/identity/permissions.ts';
import { tempDir } from '../support/temp.ts';

const REASONS: Record<DirtyKind, RegExp> = {
  'bad-check': /校验码/,
  'bad-amount': /amount in 元/,
  'bad-date': /real date/,
  'unknown-code': /expected one of|GB\/T 2260|GB\/T 4754/,
  'bad-number': /whole number/,
  'bad-bool': /是\/否/,
  'missing-required': /required value is empty|missing subject identifier/,
  duplicate: /duplicate row/,
  unregistered: /not registered/,
};

const OPTIONS: PopulationOptions = { seed: 5, enterprises: 1500, persons: 3000, dataYear: 2023, dirtyRate: 0.03 };
const clock = fixedClock('2024-04-01T00:00:00Z');
const work = tempDir('population-import');
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

/** What the generator says it produced: row number (as in the CSV file) -> kind of bad row. */
function expectedDirt(feedId: string, options: PopulationOptions, firstRowNo: number) {
  const dirty = new Map<number, DirtyKind>();
  let clean = 0;
  let rowNo = firstRowNo - 1;
  for (const { dirty: kind } of feedRows(feedId, options)) {
    rowNo++;
    if (kind) dirty.set(rowNo, kind);
    else clean++;
  }
  return { dirty, clean };
}

async function checkImport(feedId: string, input: { path: string } | { name: string; records: AsyncIterable<never> | ReturnType<typeof feedRecords> }, options: PopulationOptions) {
  // CSV files and generated records number the first data row 2 (after the header); JSON Lines files 1.
  const { dirty, clean } = expectedDirt(feedId, options, 'path' in input && input.path.endsWith('.jsonl') ? 1 : 2);
  const result = await importFeed(db, clock, { feedId, input, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  expect(result.status, feedId).toBe('imported');
  expect(result.rowsAccepted, `${feedId}: every clean row is imported`).toBe(clean);
  expect(result.rowsRejected, `${feedId}: every bad row is rejected`).toBe(dirty.size);
  const rejects = await db.sql<{ row_no: number; field: string; reason: string }[]>`select row_no, field, reason from fact_rejects where import_id = ${result.importId}`;
  const byRow = new Map<number, string[]>();
  for (const r of rejects) byRow.set(r.row_no, [...(byRow.get(r.row_no) ?? []), r.reason]);
  expect([...byRow.keys()].sort((a, b) => a - b)).toEqual([...dirty.keys()].sort((a, b) => a - b));
  for (const [rowNo, kind] of dirty) expect(byRow.get(rowNo)!.join(' | '), `${feedId} row ${rowNo} (${kind})`).toMatch(REASONS[kind]);
  return new Set(dirty.values());
}

describe('generated feeds through the importer', () => {
  it('imports every clean row and rejects every kind of bad row with its reason', async () => {
    const seen = new Set<DirtyKind>();
    // Registries first (files), then feeds that need them, both as files and as in-process records.
    for (const feedId of ['samr-registry', 'police-population']) {
      const path = join(work, `${feedId}.csv`);
      await writeFeedFile(path, feedId, OPTIONS, 'csv');
      for (const kind of await checkImport(feedId, { path }, OPTIONS)) seen.add(kind);
    }
    for (const feedId of ['hrss-ui-annual', 'edu-talent', ...GENERATED_FEEDS.filter((id) => id === 'hrss-hire-records')]) {
      for (const kind of await checkImport(feedId, { name: `${feedId}.generated`, records: feedRecords(feedId, OPTIONS) }, OPTIONS)) seen.add(kind);
    }
    const path = join(work, 'tax-annual-2023.jsonl');
    await writeFeedFile(path, 'tax-annual', OPTIONS, 'jsonl');
    for (const kind of await checkImport('tax-annual', { path }, OPTIONS)) seen.add(kind);
    expect([...seen].sort()).toEqual([...DIRTY_KINDS].sort());
  });

  it('keeps an all-or-nothing feed clean unless asked, and then the whole file is refused', async () => {
    expect(dirtyKindsFor(feedMapping('credit-status')!).length).toBeGreaterThan(0);
    const clean = [...feedRows('credit-status', OPTIONS)];
    expect(clean.every((r) => r.dirty === null)).toBe(true);
    const result = await importFeed(db, clock, { feedId: 'credit-status', input: { name: 'credit.generated', records: feedRecords('credit-status', { ...OPTIONS, dirtyAtomic: true }) }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
    expect(result.status).toBe('rejected');
    expect(result.rowsAccepted).toBe(0);
    expect(result.rowsRejected).toBeGreaterThan(0);
  });
});
