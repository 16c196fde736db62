// The operator's tools as an operator runs them: `npm run cli -- <command>` as child processes against a
// throwaway PostgreSQL database.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POLICIES_DIR } from '../src/cycle.ts';
import { FEEDS } from '../src/feeds/mappings.ts';
import { EXPORT_COLUMNS, fenToYuanText } from '../src/lists/export.ts';
import { libraryHash, readLibraryFiles } from '../src/policies/library-registry.ts';
import { writeFeedFiles } from '../src/population/write.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { systemClock } from '../src/clock.ts';
import { tempDir } from './support/temp.ts';

describe('the policy library hash', () => {
  it('does not depend on the working directory the library is read from', async () => {
    const before = process.cwd();
    try {
      process.chdir(tmpdir());
      const fromTmp = await readLibraryFiles(POLICIES_DIR);
      process.chdir(join(POLICIES_DIR, '..', 'src'));
      const fromSrc = await readLibraryFiles(POLICIES_DIR);
      expect(fromTmp.map((f) => f.file)).toEqual(fromSrc.map((f) => f.file));
      expect(fromTmp[0]!.file).not.toMatch(/^\.\.|^\//);
      expect(libraryHash(fromTmp)).toBe(libraryHash(fromSrc));
      process.chdir(tempDir('cwd'));
      expect(libraryHash(await readLibraryFiles(POLICIES_DIR))).toBe(libraryHash(fromSrc));
    } finally {
      process.chdir(before);
    }
  });
});

// The commands against a throwaway database, end to end, as child processes.
// With a database, commands act as the operator account (--as; its password in MIANSHEN_PASSWORD).
const OPERATOR_PASSWORD = 'cli test operator password';
const ACCOUNTLESS = new Set(['feeds', 'worker']);
const run = (given: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolvePromise) => {
    const argv = env.DATABASE_URL && !ACCOUNTLESS.has(given[0] ?? '') && !given.includes('--help') ? [...given, '--as', 'operator'] : given;
    execFile(process.execPath, ['src/cli/index.ts', ...argv], { env: { ...process.env, LOG_LEVEL: 'silent', DATA_DIR: dataDir, ...env }, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolvePromise({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });

const dataDir = tempDir('cli-data');
const COMMAND_NAMES = ['import', 'publish', 'ledger', 'match', 'runs', 'export', 'feeds', 'calendar', 'audit', 'worker', 'explain', 'what-if', 'notice', 'objection', 'policy', 'deadlines', 'batch', 'adjustments', 'budget', 'bank', 'quarantine', 'reverify', 'recoveries', 'user', 'keys'];

describe('every command', () => {
  it('documents itself with --help and exits 0', async () => {
    // Three children at a time: two dozen Node starts at once overload a 2-core CI machine.
    const argvs = [['--help'], ...COMMAND_NAMES.map((c) => [c, '--help'])];
    const results: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < argvs.length; i += 3) results.push(...(await Promise.all(argvs.slice(i, i + 3).map((argv) => run(argv)))));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${i}: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/cli /);
    }
    expect(results[0]!.stdout).toContain('export list <point> <period>');
  }, 180_000);

  it('refuses bad arguments with exit 2 and a message naming the problem', async () => {
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [[], /usage:/],
      [['import'], /missing argument <feed>/],
      [['import', 'no-such-feed', 'x.csv'], /unknown feed "no-such-feed"; the feeds are: samr-registry/],
      [['import', 'samr-registry', '/no/such/file.csv'], /file "\/no\/such\/file.csv" is not a readable file/],
      [['import', 'samr-registry', 'examples/feeds/samr-registry.csv', '--as-of', '2024-02-30'], /bad --as-of "2024-02-30"/],
      [['match', 'enterprise', '2024-13'], /bad period "2024-13"/],
      [['match', 'enterprise'], /missing argument <period>/],
      [['match', 'enterprise', '2024', '--shards', '0'], /bad --shards "0"/],
      [['match', 'enterprise', '2024', '--fast'], /Unknown option '--fast'/],
      [['ledger', '2023-9'], /bad month "2023-9"/],
      [['runs', 'show', 'abc'], /bad run id "abc"/],
      [['export', 'list', 'wengang-fanhuan-2024', '2024', '--format', 'pdf', '--out', 'x'], /bad --format "pdf": expected csv or xlsx/],
      [['export', 'list', 'wengang-fanhuan-2024', '2024', '--format', 'csv'], /missing --out FILE/],
      [['publish', '/no/such/dir'], /library-dir "\/no\/such\/dir" is not a directory/],
      [['audit', 'check'], /unknown audit command "check"/],
      [['keys', 'forget'], /unknown keys command "forget"; the only one is: rotate/],
      [['keys', 'rotate', '--batch', '0'], /bad --batch "0"/],
    ];
    const results = await Promise.all(cases.map(([argv]) => run(argv)));
    for (const [i, r] of results.entries()) {
      expect(r.code, `${cases[i]![0].join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(cases[i]![1]);
    }
  });

  it('lists the feed catalogue with every column, its type and whether it is required', async () => {
    const r = await run(['feeds']);
    expect(r.code).toBe(0);
    for (const f of FEEDS) expect(r.stdout).toContain(`${f.id}  ${f.department}`);
    expect(r.stdout).toMatch(/uscc\s+uscc\s+required/);
    expect(r.stdout).toMatch(/ui_paid_yuan\s+yuan\s+(required|optional)/);
  });
});

describe('an operator cycle: import, publish, ledger, match, export', () => {
  let db: TestDatabase;
  const work = tempDir('cli');
  let env: Record<string, string>;
  beforeAll(async () => {
    db = await createTestDatabase();
    await accountsOf(db.orm, systemClock).create(null, { login: 'operator', displayName: '运维', roles: ['administrator', 'reviewer', 'policy_staff', 'auditor'], password: OPERATOR_PASSWORD });
    env = { DATABASE_URL: db.url, MATCH_WORKERS: '2', MIANSHEN_PASSWORD: OPERATOR_PASSWORD };
  });
  afterAll(async () => db?.drop());

  let firstRun: number;
  let snapshot: number;

  it('imports every feed file, reporting rejects; a refused atomic file exits 1; an undeclared column is reported, and refused with --strict', async () => {
    const files = await writeFeedFiles(join(work, 'feeds'), { seed: 3, enterprises: 240, persons: 0, dataYear: 2023, feeds: ['samr-registry', 'tax-annual', 'hrss-ui-annual', 'credit-status', 'bank-accounts', 'hrss-hires-monthly'] });
    for (const file of files) {
      const r = await run(['import', file.feedId, file.path, '--as-of', '2024-03-31'], env);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^feed ${file.feedId} .*: imported; \\d+ rows, \\d+ accepted`));
    }
    const bad = join(work, 'tax-bad.csv');
    writeFileSync(bad, `${readFileSync(files.find((f) => f.feedId === 'tax-annual')!.path, 'utf8').trimEnd()}\n91440300MA5XXXXXXX,2023,12x,1,1,\n`);
    const refused = await run(['import', 'tax-annual', bad, '--atomic'], env);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/: rejected;/);
    expect(refused.stdout).toMatch(/rejects: .*\.rejects\.csv/);
    expect(refused.stdout).toMatch(/row \d+ /);
    const extra = join(work, 'bank-extra.csv');
    const bank = readFileSync(files.find((f) => f.feedId === 'bank-accounts')!.path, 'utf8').trimEnd().split('\n');
    writeFileSync(extra, `${bank.map((line, i) => `${line},${i === 0 ? 'branch_name' : '福田支行'}`).join('\n')}\n`);
    const strict = await run(['import', 'bank-accounts', extra, '--strict'], env);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/FEED_UNKNOWN_COLUMN: .*branch_name/);
    const lenient = await run(['import', 'bank-accounts', extra], env);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(/warning: branch_name: /);
  }, 120_000);

  it('publishes the policy library, and refuses an invalid one naming file, line and column', async () => {
    const r = await run(['publish', 'policies'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^policy library [0-9a-f]{12}: \d+ points, \d+ new versions published/);
    const again = await run(['publish', 'policies'], env);
    expect(again.stdout).toMatch(/, 0 new versions published/);
    const bad = await run(['publish', 'test/fixtures/policies-bad'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/nothing was published/);
    expect(bad.stderr).toMatch(/\.policy\.yaml:\d+:\d+ /);
  }, 60_000);

  it('builds the identity ledger of a month', async () => {
    const r = await run(['ledger', '2023-09'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^identity ledger 2023-09: \d+ hire records, \d+ persons counted/);
  }, 60_000);

  it('matches the enterprise points of 2024 and lists the run', async () => {
    const r = await run(['match', 'enterprise', '2024', '--shards', '3'], env);
    expect(r.code, r.stderr).toBe(0);
    firstRun = Number(/match run #(\d+)/.exec(r.stdout)![1]);
    expect(r.stdout).toMatch(/wengang-fanhuan-2024\s+符合\s+\d+/);
    const [row] = await db.sql<{ snapshot_id: bigint; status: string }[]>`select snapshot_id, status from match_runs where id = ${firstRun}`;
    expect(row!.status).toBe('completed');
    snapshot = Number(row!.snapshot_id);
    const runs = await run(['runs'], env);
    expect(runs.code).toBe(0);
    expect(runs.stdout).toMatch(new RegExp(`^\\s+${firstRun}\\s+enterprise\\s+full\\s+2024\\s+completed\\s+${snapshot}\\s+240`, 'm'));
    const show = await run(['runs', 'show', String(firstRun)], env);
    expect(show.stdout).toContain(`match run #${firstRun}: full enterprise 2024, completed`);
    expect(show.stdout).toMatch(/wengang-fanhuan-2024 v1/);
    expect((await run(['runs', 'show', '9999'], env)).stderr).toMatch(/RUN_NOT_FOUND: Match run 9999 does not exist/);
  }, 120_000);

  it('re-runs on a pinned snapshot with identical decisions, whatever was imported since', async () => {
    const [header, ...rows] = readFileSync(join(work, 'feeds', 'hrss-ui-annual-2023.csv'), 'utf8').trimEnd().split('\n');
    const changed = join(work, 'hrss-changed.csv');
    writeFileSync(changed, `${[header, ...rows.filter((_, i) => i % 3 !== 0)].join('\n')}\n`);
    expect((await run(['import', 'hrss-ui-annual', changed], env)).code).toBe(0);
    const r = await run(['match', 'enterprise', '2024', '--snapshot', String(snapshot)], env);
    expect(r.code, r.stderr).toBe(0);
    const pinned = Number(/match run #(\d+)/.exec(r.stdout)![1]);
    const decisions = (runId: number) => db.sql`select subject_key, point_id, outcome, amount_fen::text, reason_codes from decisions where run_id = ${runId} order by subject_key, point_id`;
    const first = (await decisions(firstRun)).map((d) => ({ ...d }));
    expect(first.length).toBeGreaterThan(50);
    expect((await decisions(pinned)).map((d) => ({ ...d }))).toEqual(first);
    const fresh = await run(['match', 'enterprise', '2024'], env);
    const freshRun = Number(/match run #(\d+)/.exec(fresh.stdout)![1]);
    expect((await decisions(freshRun)).map((d) => ({ ...d }))).not.toEqual(first);
    const missing = await run(['match', 'enterprise', '2024', '--snapshot', '9999'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/Snapshot 9999 does not exist/);
  }, 180_000);

  it('exports the list as XLSX and CSV with masked identifiers and totals that equal the list', async () => {
    const [list] = await db.sql<{ n: number; total: string }[]>`select count(*)::int as n, coalesce(sum(amount_fen), 0)::text as total from list_entries where point_id = 'wengang-fanhuan-2024' and period = '2024'`;
    expect(list!.n).toBeGreaterThan(10);
    const xlsx = join(work, 'list.xlsx');
    const r = await run(['export', 'list', 'wengang-fanhuan-2024', '2024', '--format', 'xlsx', '--out', xlsx], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${list!.n} entries`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsx);
    const sheet = workbook.worksheets[0]!;
    const values = (row: number) => (sheet.getRow(row).values as unknown[]).slice(1).map((v) => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean)));
    expect(values(1)).toEqual([...EXPORT_COLUMNS]);
    const last = values(sheet.rowCount);
    expect(last[0]).toBe('合计');
    expect(last[1]).toBe(`${list!.n} 条`);
    expect(last[4]).toBe(list!.total);
    expect(last[3]).toBe(fenToYuanText(BigInt(list!.total)));
    expect(sheet.rowCount).toBe(list!.n + 2);
    let sum = 0n;
    const usccs = await db.sql<{ uscc: string }[]>`select uscc from enterprises`;
    for (let i = 2; i < sheet.rowCount; i++) {
      const row = values(i);
      if (row[4]) sum += BigInt(row[4]);
      expect(row[0]).toContain('*');
      if (row[4]) expect(row[3]).toBe(fenToYuanText(BigInt(row[4])));
    }
    expect(sum.toString()).toBe(list!.total);
    const all = JSON.stringify(sheet.getSheetValues());
    for (const { uscc } of usccs) expect(all).not.toContain(uscc);

    const csv = join(work, 'list.csv');
    expect((await run(['export', 'list', 'wengang-fanhuan-2024', '2024', '--format', 'csv', '--out', csv], env)).code).toBe(0);
    const lines = readFileSync(csv, 'utf8').replace(/^\ufeff/, '').trimEnd().split('\n');
    expect(lines[0]).toBe(EXPORT_COLUMNS.join(','));
    expect(lines).toHaveLength(list!.n + 2);
    expect(lines.at(-1)!.split(',').slice(0, 5)).toEqual(['合计', `${list!.n} 条`, '', fenToYuanText(BigInt(list!.total)), list!.total]);
    expect(lines.slice(1, -1).reduce((s, l) => s + BigInt(l.split(',')[4] || '0'), 0n).toString()).toBe(list!.total);

    const none = await run(['export', 'list', 'no-such-point', '2024', '--format', 'csv', '--out', csv], env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no-such-point for 2024 has no entries/);
  }, 60_000);

  it('verifies the audit trail of everything it did', async () => {
    const r = await run(['audit', 'verify'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^audit chain verified: \d+ entries/);
  });
});
