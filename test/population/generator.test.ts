// The population generator without a database: determinism, identifiers, consistency across feeds,
// validity of every clean row, the anchors, realistic rates, and flat memory while streaming.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { FEEDS, feedMapping } from '../../src/feeds/mappings.ts';
import { validateRecord } from '../../src/feeds/validate.ts';
import {
  ANCHORS,
  contextOf,
  enterpriseAt,
  feedHeader,
  feedRecords,
  feedRows,
  GENERATED_FEEDS,
  isDerivedFeed,
  PersonSpace,
  personAt,
  writeFeedFiles,
  type PopulationOptions,
} from '../../src/population/index.ts';
import { checkIdNumber } from '../../src/subjects/id-number.ts';
import { checkUscc } from '../../src/subjects/uscc.ts';
import { tempDir } from '../support/temp.ts';

const work = tempDir('population');
afterAll(() => rmSync(work, { recursive: true, force: true }));

const SMALL: PopulationOptions = { seed: 42, enterprises: 20_000, persons: 12_000, dataYear: 2023 };
const rowsOf = (feedId: string, options: PopulationOptions = SMALL) => [...feedRows(feedId, options)].map((r) => r.row);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('population generator', () => {
  it('generates every declared feed with exactly its columns', () => {
    // Every feed a department sends; feeds this system derives itself are not generated.
    expect([...GENERATED_FEEDS].sort()).toEqual(FEEDS.filter((f) => !isDerivedFeed(f)).map((f) => f.id).sort());
    for (const feedId of GENERATED_FEEDS) {
      const header = feedHeader(feedMapping(feedId)!);
      const rows = rowsOf(feedId);
      expect(rows.length, feedId).toBeGreaterThan(0);
      for (const row of rows) expect(row.length, feedId).toBe(header.length);
    }
  });

  it('writes byte-identical files for the same seed, and different ones for another seed', async () => {
    const options = { ...SMALL, enterprises: 2000, persons: 5000, dirtyRate: 0.01 };
    const a = await writeFeedFiles(join(work, 'a'), options);
    const b = await writeFeedFiles(join(work, 'b'), options);
    const c = await writeFeedFiles(join(work, 'c'), { ...options, seed: 43 });
    expect(a.map((f) => f.feedId)).toEqual(b.map((f) => f.feedId));
    expect(a).toHaveLength(GENERATED_FEEDS.length);
    for (let i = 0; i < a.length; i++) expect(sha(a[i]!.path), a[i]!.feedId).toBe(sha(b[i]!.path));
    expect(sha(a[0]!.path)).not.toBe(sha(c[0]!.path));
    // Registries come first so the files can be imported in order; credit-status is JSON Lines.
    expect(a.slice(0, 2).map((f) => f.feedId).sort()).toEqual(['police-population', 'samr-registry']);
    expect(a.find((f) => f.feedId === 'credit-status')!.path).toMatch(/credit-status\.jsonl$/);
    const firstLine = readFileSync(a.find((f) => f.feedId === 'credit-status')!.path, 'utf8').split('\n')[0]!;
    const first = JSON.parse(firstLine) as Record<string, unknown>;
    expect([typeof first.uscc, typeof first.serious_dishonest]).toEqual(['string', 'boolean']);
  });

  it('issues valid, unique 统一社会信用代码 and 公民身份号码 consistent with birth date, age and sex', () => {
    const options = { ...SMALL, enterprises: 50_000, persons: 200_000 };
    const ctx = contextOf(options);
    const usccs = new Set<string>();
    for (let i = 0; i < ctx.enterprises; i++) {
      const e = enterpriseAt(ctx, i);
      expect(checkUscc(e.uscc)).toBeUndefined();
      expect(e.uscc.slice(2, 8)).toBe(e.regionCode);
      usccs.add(e.uscc);
    }
    expect(usccs.size).toBe(ctx.enterprises);

    const space = new PersonSpace(ctx);
    const ids = new Set<string>();
    for (let i = 0; i < ctx.persons; i++) {
      const p = personAt(space, i);
      const problem = checkIdNumber(p.idNumber);
      if (problem) throw new Error(`${p.idNumber}: ${problem.message}`);
      expect(p.idNumber.slice(6, 14)).toBe(p.birthDate.replace(/-/g, ''));
      expect(p.age).toBe(ctx.dataYear - Number(p.birthDate.slice(0, 4)));
      expect(Number(p.idNumber[16]) % 2 === 1 ? 'M' : 'F').toBe(p.sex);
      ids.add(p.idNumber);
    }
    expect(ids.size).toBe(ctx.persons);
  });

  it('gives subject i the same facts in every feed', () => {
    const ctx = contextOf(SMALL);
    const registry = new Map(rowsOf('samr-registry').map((r) => [r[0]!, r]));
    const hrss = rowsOf('hrss-ui-annual');
    expect(hrss.length).toBeGreaterThan(ctx.enterprises * 0.8);
    for (const row of hrss) {
      const registered = registry.get(row[0]!);
      expect(registered, row[0]).toBeDefined();
      expect(row[0]!.slice(2, 8)).toBe(registered![2]); // the district in the code is the registered one
    }
    const enterpriseFeeds = GENERATED_FEEDS.filter((id) => feedMapping(id)!.subject === 'enterprise' && !feedMapping(id)!.registers);
    expect(enterpriseFeeds.length).toBeGreaterThanOrEqual(9);
    for (const feedId of enterpriseFeeds) {
      for (const row of rowsOf(feedId)) expect(registry.has(row[0]!), `${feedId} ${row[0]}`).toBe(true);
    }
    // Facts agree with the subject they came from, whichever feed is generated.
    for (const { row, subject } of feedRows('hrss-ui-annual', SMALL)) {
      const e = enterpriseAt(ctx, subject);
      expect(row).toEqual([e.uscc, '2023', String(e.staff), expect.any(String), String(e.uiMonthsPaidInFull), String(e.avgInsured), String(e.newClaimants), expect.any(String), expect.any(String), e.laborDispatch ? '是' : '否']);
    }
    for (const row of rowsOf('stats-above-scale')) expect(registry.get(row[0]!)![4]).toBe('存续');

    const police = new Map(rowsOf('police-population').map((r) => [r[0]!, r]));
    expect(police.size).toBe(ctx.persons);
    const talents = new Set(rowsOf('edu-talent').map((r) => r[0]!));
    for (const [id, row] of police) expect(row[4] !== '', id).toBe(talents.has(id)); // introduced_date iff a talent record
    for (const feedId of ['hrss-persons', 'edu-talent']) {
      for (const row of rowsOf(feedId)) expect(police.get(row[0]!)?.[3], `${feedId}: the dead are not insured or introduced`).toBe('');
    }
    const personFeeds = GENERATED_FEEDS.filter((id) => feedMapping(id)!.subject === 'person' && !feedMapping(id)!.registers);
    for (const feedId of personFeeds) for (const row of rowsOf(feedId)) expect(police.has(row[0]!), feedId).toBe(true);
    // A person's hire record names an employer of the same population, one that is in business.
    if (GENERATED_FEEDS.includes('hrss-hire-records')) {
      const hires = rowsOf('hrss-hire-records');
      expect(hires.length).toBeGreaterThan(ctx.persons * 0.02);
      const header = feedHeader(feedMapping('hrss-hire-records')!);
      const employer = header.indexOf('employer_uscc');
      for (const row of hires) expect(registry.get(row[employer]!)?.[4], row[employer]).toBe('存续');
      for (const row of hires) expect(police.get(row[0]!)?.[3], 'the dead are not hired').toBe('');
    }
  });

  it('produces clean rows that all pass validation, in every feed', () => {
    for (const feedId of GENERATED_FEEDS) {
      const mapping = feedMapping(feedId)!;
      let n = 0;
      for (const item of feedRecords(feedId, SMALL)) {
        n++;
        expect(item.rowNo).toBe(n + 1); // numbered as in the CSV file: the header is row 1
        const checked = validateRecord(mapping, item.rowNo, item.record!);
        if ('rejections' in checked) throw new Error(`${feedId} row ${item.rowNo}: ${JSON.stringify(checked.rejections)}`);
      }
      expect(n, feedId).toBeGreaterThan(0);
    }
  });

  it('starts with the fixed anchor firms and their facts', () => {
    const registry = rowsOf('samr-registry').slice(0, ANCHORS.length);
    expect(registry.map((r) => r[1])).toEqual(ANCHORS.map((a) => `深圳市${a.label}有限公司`));
    const hrss = rowsOf('hrss-ui-annual');
    const pengcheng = hrss.find((r) => r[0] === registry[0]![0])!;
    expect(pengcheng.slice(2, 7)).toEqual(['1500', '1234567.89', '36', '1400', '20']);
    const dispatch = hrss.find((r) => r[0] === registry[7]![0])!;
    expect(dispatch[9]).toBe('是');
    const banks = new Map(rowsOf('bank-accounts').map((r) => [r[0]!, r[1]!]));
    expect(banks.get(registry[6]![0]!)).toMatch(/0000$/); // 盐田港湾餐饮: the closed account
    expect(banks.has(registry[8]![0]!)).toBe(false); // 罗湖老字号酒家: no account at all
    expect([...banks.values()].filter((a) => a.endsWith('0000'))).toHaveLength(1);
    const credit = rowsOf('credit-status');
    expect(credit[2]![1]).toBe('是'); // 福田信达贸易 is on the 严重失信 list
  });

  it('has Shenzhen-like rates', () => {
    const ctx = contextOf({ ...SMALL, enterprises: 40_000, persons: 100_000 });
    let dispatch = 0, dishonest = 0, highTech = 0, hotels = 0, stars = 0, large = 0, bigDistricts = 0;
    for (let i = 0; i < ctx.enterprises; i++) {
      const e = enterpriseAt(ctx, i);
      dispatch += Number(e.laborDispatch);
      dishonest += Number(e.seriousDishonest);
      highTech += Number(e.highTech !== null);
      hotels += Number(e.industryCode === 'H6110');
      stars += Number(e.star?.rating != null);
      large += Number(e.staff >= 1000);
      bigDistricts += Number(['440306', '440307', '440309', '440304', '440305'].includes(e.regionCode));
    }
    const share = (n: number) => n / ctx.enterprises;
    expect(share(dispatch)).toBeGreaterThan(0.02);
    expect(share(dispatch)).toBeLessThan(0.04);
    expect(share(dishonest)).toBeGreaterThan(0.008);
    expect(share(dishonest)).toBeLessThan(0.03);
    expect(share(highTech)).toBeGreaterThan(0.003);
    expect(share(highTech)).toBeLessThan(0.02);
    expect(stars).toBeGreaterThan(0);
    expect(stars).toBeLessThan(hotels);
    expect(large).toBeGreaterThan(0);
    expect(share(bigDistricts)).toBeGreaterThan(0.75);

    const space = new PersonSpace(ctx);
    let old = 0, dead = 0, disabled = 0, talents = 0, male = 0;
    for (let i = 0; i < ctx.persons; i++) {
      const p = personAt(space, i);
      old += Number(p.age >= 70);
      dead += Number(p.deathDate !== null);
      disabled += Number(p.disability !== null);
      talents += Number(p.talent !== null);
      male += Number(p.sex === 'M');
      if (p.talent) expect(p.introducedDate! >= '2019-01-01' && p.introducedDate! <= '2022-12-31').toBe(true);
      if (p.deathDate) expect(p.deathDate > p.birthDate).toBe(true);
    }
    const pshare = (n: number) => n / ctx.persons;
    expect(pshare(old)).toBeGreaterThan(0.03);
    expect(pshare(old)).toBeLessThan(0.09);
    expect(pshare(dead)).toBeGreaterThan(0.002);
    expect(pshare(dead)).toBeLessThan(0.02);
    expect(pshare(disabled)).toBeGreaterThan(0.004);
    expect(pshare(disabled)).toBeLessThan(0.02);
    expect(pshare(talents)).toBeGreaterThan(0.01);
    expect(pshare(male)).toBeGreaterThan(0.47);
    expect(pshare(male)).toBeLessThan(0.53);
  });

  it('streams 200,000 rows without the heap growing with them', () => {
    // Measure what stays live (after a full collection), not garbage waiting for the next one.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const live = () => {
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = live();
    let peak = 0;
    let rows = 0;
    for (const { row } of feedRows('police-population', { seed: 7, enterprises: 0, persons: 200_000, dataYear: 2023 })) {
      rows++;
      if (rows % 40_000 === 0) peak = Math.max(peak, live() - before);
      expect(row).toHaveLength(5);
    }
    expect(rows).toBe(200_000);
    // Holding the 200,000 rows takes about 55 MB; the generator keeps only one subject's rows.
    expect(peak).toBeLessThan(4 * 1024 * 1024);
  });
});
