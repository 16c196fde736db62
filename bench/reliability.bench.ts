// npm run bench reliability: the payout worker SIGKILLed 50 times at random points of prepare,
// approve, re-verification, send and reconcile (bench/reliability-harness.ts), then run to the end;
// reports where the kills landed and every violation of the books found afterwards (none expected).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../src/logger.ts';
import { installDataKeys, parseDataKeys } from '../src/subjects/personal-data.ts';
import { runKillHarness } from './reliability-harness.ts';
import { withBenchDatabase } from './bench-database.ts';
import type { BenchContext, BenchResult } from './run.ts';

// Bench-only keys (nothing real is protected by them); the worker processes inherit them.
const BENCH_KEYS = { DATA_KEYS: 'bench1:QmVuY2hLZXlPbmx5MTIzNA==', DATA_KEY_CURRENT: 'bench1', ID_HASH_KEY: 'QmVuY2hJZEhhc2hLZXlPbmx5Rm9yVGVzdHMxMjM0NTY=' };

export async function run(ctx: BenchContext): Promise<BenchResult> {
  const kills = Number(process.env.BENCH_KILLS ?? 50);
  const enterprises = Number(process.env.BENCH_RELIABILITY_ENTERPRISES ?? 1500);
  for (const [name, value] of Object.entries(BENCH_KEYS)) process.env[name] ??= value;
  installDataKeys(parseDataKeys(process.env));
  // One scenario pays its batches within about 15 kills; further scenarios, each on a database of its
  // own with another seed, run until the kills asked for have been made.
  const reports: Awaited<ReturnType<typeof runKillHarness>>[] = [];
  for (let wave = 0; reports.reduce((n, r) => n + r.kills, 0) < kills && wave < 20; wave++) {
    const left = kills - reports.reduce((n, r) => n + r.kills, 0);
    await withBenchDatabase(ctx.adminUrl, 'bench_reliability', async (db) => {
      const report = await runKillHarness({ db, work: mkdtempSync(join(tmpdir(), 'mianshen-bench-reliability-')), kills: left, enterprises, seed: 2024_50 + wave, log: ctx.log, silentLog: createLogger('silent') });
      ctx.log(`scenario ${wave + 1}: ${report.kills} kills, ${report.violations.length} violations`);
      reports.push(report);
    });
  }
  const sum = (f: (r: (typeof reports)[number]) => number) => reports.reduce((n, r) => n + f(r), 0);
  const killedIn: Record<string, number> = {};
  for (const r of reports) for (const [step, n] of Object.entries(r.killedIn)) killedIn[step] = (killedIn[step] ?? 0) + n;
  const report = {
    scenarios: reports.length,
    kills: sum((r) => r.kills),
    restarts: sum((r) => r.restarts),
    seconds: sum((r) => r.seconds),
    killedIn,
    batches: sum((r) => r.batches),
    payments: { total: sum((r) => r.payments.total), paid: sum((r) => r.payments.paid), failed: sum((r) => r.payments.failed), returned: sum((r) => r.payments.returned), resent: sum((r) => r.payments.resent), pending: sum((r) => r.payments.pending), sent: sum((r) => r.payments.sent) },
    paidFen: reports.reduce((n, r) => n + BigInt(r.paidFen), 0n).toString(),
    violations: reports.flatMap((r, i) => r.violations.map((v) => `scenario ${i + 1}: ${v}`)),
  };
    const where = Object.entries(report.killedIn).sort((a, b) => b[1] - a[1]).map(([step, n]) => `${step} ${n}`).join(', ');
    const markdown = [
      '# Payout kill harness',
      '',
      `Command: \`BENCH_DATABASE_URL=… npm run bench reliability\` (${enterprises.toLocaleString()} generated enterprises plus the policy library's planted cases; every enterprise point of 2019–2025 with eligible subjects is paid; the sandbox file bank rejects accounts ending 0000, 13 and 27, which are re-verified and re-sent once).`,
      '',
      `- kills: ${report.kills} of ${kills} asked, over ${report.scenarios} scenarios (${report.restarts} worker starts), in ${report.seconds.toFixed(0)} s`,
      `- where the kills landed (the step the worker had entered; "self" = killed itself there): ${where}`,
      `- batches: ${report.batches}; payments: ${report.payments.total} (${report.payments.paid} paid, ${report.payments.failed} failed, ${report.payments.returned} returned, ${report.payments.resent} re-sends); paid ${report.paidFen} fen`,
      `- left pending or sent: ${report.payments.pending + report.payments.sent}`,
      `- violations: ${report.violations.length === 0 ? 'none (nobody paid twice by the bank, nothing stranded, no point over budget, audit chain intact)' : report.violations.join('; ')}`,
    ].join('\n');
  return { data: { ...report }, markdown };
}
