// What a department's file can get wrong, on real PostgreSQL (COPY): its header, one row's shape or
// quoting, bytes the database cannot store, values outside the dictionary's ranges. Each problem is
// named (file, row, column), affects only what it must, and never leaves the database half-written.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { isAppError } from '../src/errors.ts';
import { importFeed, type ImportRequest } from '../src/feeds/importer.ts';
import { createSnapshot, readSnapshotFacts } from '../src/subjects/facts-repository.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';

const clock = fixedClock('2024-04-01T00:00:00Z');
const work = mkdtempSync(join(tmpdir(), 'mianshen-feed-files-'));
const [A, B, C, D] = ['MA5F0K3B', 'MA5G1L4C', 'MA5H2M5D', 'MA5J3N6E'].map((body) => buildUscc('9', '1', '440305', body)) as [string, string, string, string];
const P1 = buildIdNumber('440305', '19500101', '123');
const REGISTRY_HEADER = 'uscc,name,region_code,industry_code,status';
const HRSS_HEADER = 'uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,labor_dispatch';
let db: TestDatabase;
let n = 0;

const file = (name: string, content: string | Buffer) => {
  const path = join(work, `${++n}-${name}`);
  writeFileSync(path, content);
  return path;
};
const load = (feedId: string, path: string, extra: Partial<ImportRequest> = {}) => importFeed(db, clock, { feedId, input: { path }, asOf: '2024-03-31', actor: 'test', rejectsDir: join(work, 'rejects'), ...extra });
const count = async (table: 'fact_records' | 'fact_imports' | 'enterprises') => (await db.sql<{ n: number }[]>`select count(*)::int as n from ${db.sql(table)}`)[0]!.n;
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isAppError(error), String(error)).toBe(true);
  return error as Error & { code: string; details: Record<string, unknown> };
}
async function factsOf(key: string, periods = ['current', '2023']) {
  const snapshot = await db.orm.transaction((tx) => createSnapshot(tx, clock, 'test', '2024-04-01'));
  for await (const s of readSnapshotFacts(db.sql, snapshot.watermarkSeq, periods, { subjectKeys: [key] })) return s.facts;
  return undefined;
}

beforeAll(async () => {
  db = await createTestDatabase();
  await load('samr-registry', file('samr.csv', [REGISTRY_HEADER, `${A},甲,440305,C3911,存续`, `${B},乙,440305,C3911,存续`, `${C},丙,440305,C3911,存续`, `${D},丁,440305,C3911,存续`].join('\n')));
});
afterAll(async () => {
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('a file header', () => {
  it('refuses a file whose header lacks a column, naming it and listing the expected columns, before writing anything', async () => {
    const before = await count('fact_imports');
    const error = await refusal(load('hrss-ui-annual', file('hrss.csv', `uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,labor_dispatch\n${A},2023,10,1,12,10,否\n`)));
    expect(error.code).toBe('FEED_HEADER_INVALID');
    expect(error.message).toContain('lacks column "new_claimants"');
    expect(error.message).toContain('expected columns: uscc, year, staff, ui_paid_yuan');
    expect(error.message).toContain('optional: insured_at_start, insured_at_end');
    expect(await count('fact_imports')).toBe(before);
    // The report beside the summary names the column too.
    expect(readFileSync(error.details.rejectsFile as string, 'utf8')).toContain('1,new_claimants,"","the header lacks column ""new_claimants""');
  });

  it('refuses a renamed column, saying which unknown one it probably became', async () => {
    const error = await refusal(load('hrss-ui-annual', file('hrss.csv', `${HRSS_HEADER.replace('new_claimants', 'newclaimants')}\n${A},2023,10,1,12,10,0,否\n`)));
    expect(error.message).toMatch(/lacks column "new_claimants" \(the header has "newclaimants", which this feed does not know/);
  });

  it('refuses a duplicated column, naming both positions', async () => {
    const error = await refusal(load('samr-registry', file('samr.csv', `uscc,name,region_code,industry_code,status,name\n${A},甲,440305,C3911,存续,甲\n`)));
    expect(error.message).toContain('column "name" appears 2 times (columns 2, 6)');
  });

  it('accepts a file without its optional columns, and reports an unknown one as a warning unless strict', async () => {
    const path = file('samr.csv', `${REGISTRY_HEADER},remark\n${A},甲,440305,C3911,存续,备注\n${B},乙,440305,C3911,存续,\n${C},丙,440305,C3911,存续,\n${D},丁,440305,C3911,存续,\n`);
    const strict = await refusal(load('samr-registry', path, { strict: true }));
    expect(strict.code).toBe('FEED_UNKNOWN_COLUMN');
    expect(strict.message).toContain('unknown column "remark"');
    const result = await load('samr-registry', path);
    expect(result.status).toBe('imported');
    expect(result.warnings).toEqual([expect.objectContaining({ rowNo: 1, field: 'remark', reason: expect.stringContaining('warning: unknown column "remark" is ignored') })]);
    expect(readFileSync(result.rejectsFile!, 'utf8')).toContain('1,remark,"","warning: unknown column ""remark"" is ignored');
  });

  it('checks JSON Lines keys object by object: a missing key rejects its row, an unknown key warns or, strict, refuses', async () => {
    const lines = [JSON.stringify({ uscc: A, serious_dishonest: false, extra: 1 }), JSON.stringify({ uscc: B }), JSON.stringify({ uscc: C, serious_dishonest: true, major_penalty: null })];
    const path = file('credit.jsonl', `${lines.join('\n')}\n`);
    const strict = await refusal(load('credit-status', path, { strict: true }));
    expect(strict.message).toContain('row 1: unknown key "extra"');
    const result = await load('credit-status', path, { atomic: false });
    expect(result).toMatchObject({ status: 'imported', rowsAccepted: 2, rowsRejected: 1 });
    expect(result.rejections).toEqual([expect.objectContaining({ rowNo: 2, field: 'serious_dishonest', reason: expect.stringContaining('lacks key "serious_dishonest"') })]);
    expect(result.warnings.map((w) => w.field)).toEqual(['extra']);
  });
});

describe('rows of a CSV file', () => {
  it('rejects only a row with the wrong number of fields, and numbers rows by their physical line', async () => {
    const result = await load('hrss-ui-annual', file('hrss.csv', [
      HRSS_HEADER,
      `${A},2023,10,1,12,10,0,否`,
      `${B},2023,10,1,12,10,0`, // one field short
      `${C},2023,"10",1,12,"1`,
      `0",0,否`, // a quoted field spanning lines 4-5 holds a line break: not a number
      '',
      `${D},2023,x,1,12,10,0,否,extra`,
      `${D},2023,-1,1,12,10,0,否`,
    ].join('\n')));
    expect(result.rejections.map((r) => `${r.rowNo}:${r.field}`)).toEqual(['3:(row)', '4:avg_insured', '7:(row)', '8:staff']);
    expect(result.rejections[0]!.reason).toContain('7 fields, the header has 8');
    expect(result.rowsAccepted).toBe(1);
  });

  it('rejects a row with a stray quote and reads on; CRLF line ends and a BOM are fine', async () => {
    const text = [REGISTRY_HEADER, `${A},"甲,有限",440305,C3911,存续`, `${B},a"b"c,440305,C3911,存续`, `${C},"丙"x,440305,C3911,存续`, `${D},"丁 ""老字号""",440305,C3911,存续`].join('\r\n');
    const result = await load('samr-registry', file('samr.csv', `\uFEFF${text}\r\n`));
    expect(result.rejections.map((r) => `${r.rowNo}:${r.reason.slice(0, 20)}`)).toEqual(['3:a quote inside unquo', '4:text after the closi']);
    expect(result.rowsAccepted).toBe(2);
    const names = await db.sql<{ name: string }[]>`select name from enterprises where uscc in ${db.sql([A, D])} order by uscc`;
    expect(names.map((r) => r.name).sort()).toEqual(['丁 "老字号"', '甲,有限'].sort());
  });

  it('refuses a file whose quote never closes, naming the line, leaves the database untouched, and the next import works', async () => {
    const rows = [HRSS_HEADER];
    // Enough rows that COPY has already sent data when the broken line is read.
    for (let i = 0; i < 6000; i++) rows.push(`${A},${1000 + i},10,1,12,10,0,否`);
    rows.push(`${B},2023,"10,1,12,10,0,否`, `${C},2023,10,1,12,10,0,否`);
    const before = { records: await count('fact_records'), imports: await count('fact_imports') };
    const error = await refusal(load('hrss-ui-annual', file('hrss.csv', `${rows.join('\n')}\n`)));
    expect(error.code).toBe('FEED_UNREADABLE');
    expect(error.message).toContain('line 6002: a quoted field opened here is never closed');
    expect({ records: await count('fact_records'), imports: await count('fact_imports') }).toEqual(before);
    const next = await load('hrss-ui-annual', file('hrss.csv', `${HRSS_HEADER}\n${C},2023,12,1,12,10,0,否\n`));
    expect(next).toMatchObject({ status: 'imported', rowsAccepted: 1 });
  });

  it('rejects a cell holding a NUL byte, naming the field, without hanging the import', async () => {
    const result = await load('samr-registry', file('samr.csv', Buffer.from(`${REGISTRY_HEADER}\n${A},甲\u0000公司,440305,C3911,存续\n${B},乙,440305,C3911,存续\n${C},丙,440305,C3911,存续\n${D},丁,440305,C3911,存续\n`)));
    expect(result.rejections).toEqual([expect.objectContaining({ rowNo: 2, field: 'name', value: '甲\\0公司', reason: expect.stringContaining('NUL byte') })]);
    expect(result.rowsAccepted).toBe(3);
  });

  it('accepts a UTF-8 BOM in JSON Lines', async () => {
    const result = await load('credit-status', file('credit.jsonl', `\uFEFF${JSON.stringify({ uscc: A, serious_dishonest: false })}\r\n${JSON.stringify({ uscc: B, serious_dishonest: false })}\r\n${JSON.stringify({ uscc: C, serious_dishonest: false })}\n${JSON.stringify({ uscc: D, serious_dishonest: true })}\n`));
    expect(result).toMatchObject({ status: 'imported', rowsAccepted: 4, rowsRejected: 0 });
  });
});

describe('value ranges from the data dictionary', () => {
  it('refuses amounts, counts and dates outside their fact’s range, naming the field and the range', async () => {
    const result = await load('hrss-ui-annual', file('hrss.csv', [
      HRSS_HEADER,
      `${A},2023,10,100000000000000000000,12,10,0,否`,
      `${B},2023,10000001,1,12,10,0,否`,
      `${C},2023,10,1,1201,10,0,否`,
      `${D},2023,10,1000000000000,1200,10,0,否`,
    ].join('\n')));
    expect(result.rejections.map((r) => [r.rowNo, r.field, r.reason])).toEqual([
      [2, 'ui_paid_yuan', 'expected an amount in 0 .. 1,000,000,000,000 元'],
      [3, 'staff', 'expected a whole number in 0 .. 10,000,000 人'],
      [4, 'ui_months_paid_in_full', 'expected a whole number in 0 .. 1200 个月'],
    ]);
    expect((await factsOf(D))?.uiContributionsPaidFen).toBe(100_000_000_000_000); // the upper bound itself is fine

    const csrc = await load('csrc-listing', file('csrc.csv', [
      'uscc,counseling_filed_date,counseling_accepted_date,exchange_accepted_date,ipo_registered_date,ipo_listing_date,ipo_raised_yuan,relocated_listed_date,neeq_listed_date,neeq_innovation_relocated_date,local_operation_committed',
      `${A},1850-01-01,,,,,,,,,是`,
      `${B},,,,,2199-12-31,,,,,是`,
      `${C},1900-01-01,,,,2100-12-31,,,,,是`,
    ].join('\n')));
    expect(csrc.rejections.map((r) => [r.rowNo, r.field, r.reason])).toEqual([
      [2, 'counseling_filed_date', 'expected a date in 1900-01-01 .. 2100-12-31'],
      [3, 'ipo_listing_date', 'expected a date in 1900-01-01 .. 2100-12-31'],
    ]);
  });

  it('refuses a death date after the import’s as-of date and a 公民身份号码 born after it', async () => {
    const unborn = buildIdNumber('440305', '20240415', '456');
    const result = await load('police-population', file('police.csv', `id_number,name,hukou_region,death_date\n${P1},张三,440305,2024-04-01\n${unborn},李四,440305,\n`));
    expect(result.rejections.map((r) => [r.rowNo, r.field, r.reason])).toEqual([
      [2, 'death_date', "expected a date not after the import's as-of date 2024-03-31 (range 1900-01-01 .. 2024-03-31)"],
      [3, 'id_number', expect.stringContaining('birth date 2024-04-15 in the 公民身份号码 is implausible')],
    ]);
  });

  it('keeps an annual average exact: 37.5 insured staff is stored as "37.5", a whole 36.0 as 36', async () => {
    const result = await load('hrss-ui-annual', file('hrss.csv', [HRSS_HEADER, `${A},2022,40,1,12,37.50,2,否`, `${B},2022,40,1,12,36.0,2,否`, `${C},2022,40,1,12,36.125,2,否`].join('\n')));
    expect(result.rejections.map((r) => [r.rowNo, r.field, r.reason])).toEqual([[4, 'avg_insured', 'expected a number in 0 .. 10,000,000 人 with at most 2 decimals, e.g. 37.5']]);
    expect((await factsOf(A, ['2022']))?.avgInsured).toBe('37.5');
    expect((await factsOf(B, ['2022']))?.avgInsured).toBe(36);
  });
});
