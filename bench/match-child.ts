// Runs one match in a process of its own (so its peak RSS is the match's alone) and prints one JSON
// line. Used by match.bench.ts: node bench/match-child.ts <database-url> <full|incremental> <shards>
import { systemClock } from '../src/clock.ts';
import { connect } from '../src/db/clients.ts';
import { createLogger } from '../src/logger.ts';
import { runToCompletion } from '../src/matching/run-service.ts';

const [url, kind, shards] = process.argv.slice(2);
if (!url || (kind !== 'full' && kind !== 'incremental')) {
  console.error('usage: node bench/match-child.ts <database-url> <full|incremental> <shards>');
  process.exit(2);
}
const db = connect(url, false);
const started = performance.now();
const summary = await runToCompletion(db, systemClock, createLogger('warn'), { scope: 'enterprise', period: '2024', kind, shards: Number(shards ?? 1), trigger: 'bench', actor: 'bench' });
const seconds = (performance.now() - started) / 1000;
const [{ n } = { n: 0 }] = await db.sql<{ n: number }[]>`select count(*)::int as n from decisions where run_id = ${summary.runId}`;
await db.close();
console.log(JSON.stringify({ runId: summary.runId, kind: summary.kind, seconds, evaluated: summary.evaluated, points: summary.points.length, decisions: n, eligible: summary.points.reduce((s, p) => s + p.eligible, 0), maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
