// Runs one importFeed in a process of its own, so that its peak RSS is the import's alone, and prints
// the result with timings as one JSON line. Used by import.bench.ts: node bench/import-child.ts <url> <feed> <file>
import { systemClock } from '../src/clock.ts';
import { connect } from '../src/db/clients.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';

const [url, feedId, path, rejectsDir] = process.argv.slice(2);
if (!url || !feedId || !path || !rejectsDir) {
  console.error('usage: node bench/import-child.ts <database-url> <feed-id> <file> <rejects-dir>');
  process.exit(2);
}
const db = connect(url, false);
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const result = await importFeed(db, systemClock, { feedId, input: { path }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir });
const seconds = (performance.now() - started) / 1000;
await db.close();
const { rejections: _rejections, ...summary } = result;
console.log(JSON.stringify({ ...summary, seconds, rssBeforeBytes: rssBefore, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
