// npm run generate -- --enterprises 1000000 --persons 5000000 --seed 1 --data-year 2023 --dirty 0.001 --out data/feeds [--load]
// Writes one file per departmental feed from the population generator, with a progress bar on stderr;
// --load then imports them (registries first) through the real importer into DATABASE_URL, or the
// embedded database in DATA_DIR when DATABASE_URL is unset.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError, isAppError } from '../errors.ts';
import { feedMapping } from '../feeds/mappings.ts';
import { SYSTEM_ACTOR } from '../identity/permissions.ts';
import { contextOf } from '../population/context.ts';
import { GENERATED_FEEDS, type FeedProgress } from '../population/feeds.ts';
import { writeFeedFiles, type WrittenFeed } from '../population/write.ts';

const USAGE = `usage: npm run generate -- [options]
  --enterprises N   enterprises in the population (default 1000)
  --persons N       persons in the population (default 5000)
  --seed N          seed; the same seed gives byte-identical files (default 1)
  --data-year YYYY  data year of annual and monthly feeds (default last year)
  --as-of DATE      date the current-state feeds describe (default 31 March after the data year)
  --dirty RATE      share of rows followed by a deliberately bad row, 0-1 (default 0)
  --feeds a,b,...   only these feeds (default all: ${GENERATED_FEEDS.join(', ')})
  --out DIR         where to write the files (default data/feeds)
  --load            import the files into the database afterwards (DATABASE_URL, else embedded in DATA_DIR)`;

function wholeNumber(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(value) || value < 0) throw new AppError('ARGUMENT_INVALID', `--${name} must be a whole number ≥ 0, got "${text}"`);
  return value;
}

const fmt = (n: number) => n.toLocaleString('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** A small progress bar: redrawn in place on a terminal, one line per finished feed otherwise. */
function progressReporter(totalWork: number) {
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let doneBefore = 0; // work units of finished feeds
  let lastDraw = 0;
  let rowsBefore = 0;
  let current = '';
  return {
    update(p: FeedProgress) {
      if (p.feedId !== current) current = p.feedId;
      const done = doneBefore + p.subjectsDone;
      const now = performance.now();
      const finished = p.subjectsDone === p.subjectsTotal;
      if (tty && (now - lastDraw > 100 || finished)) {
        lastDraw = now;
        const elapsed = (now - started) / 1000;
        const fraction = totalWork === 0 ? 1 : done / totalWork;
        const width = 28;
        const filled = Math.round(fraction * width);
        const rate = (rowsBefore + p.rows) / Math.max(elapsed, 1e-3);
        process.stderr.write(
          `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(1).padStart(5)}%  ${p.feedId.padEnd(21)} ${fmt(p.rows).padStart(11)} rows  ${fmt(Math.round(rate)).padStart(9)} rows/s  ETA ${duration(fraction > 0 ? (elapsed / fraction) * (1 - fraction) : Infinity)}   `,
        );
      }
      if (finished) {
        doneBefore += p.subjectsTotal;
        rowsBefore += p.rows;
        if (!tty) process.stderr.write(`${p.feedId}: ${fmt(p.rows)} rows (${Math.round((doneBefore / Math.max(1, totalWork)) * 100)}%)\n`);
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      enterprises: { type: 'string' },
      persons: { type: 'string' },
      seed: { type: 'string' },
      'data-year': { type: 'string' },
      'as-of': { type: 'string' },
      dirty: { type: 'string' },
      feeds: { type: 'string' },
      out: { type: 'string' },
      load: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const seedText = values.seed ?? '1';
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed)) throw new AppError('ARGUMENT_INVALID', `--seed must be a whole number, got "${seedText}"`);
  const dirty = values.dirty === undefined ? 0 : Number(values.dirty);
  const feeds = values.feeds ? values.feeds.split(',').map((f) => f.trim()).filter(Boolean) : [...GENERATED_FEEDS];
  for (const id of feeds) if (!GENERATED_FEEDS.includes(id)) throw new AppError('ARGUMENT_INVALID', `unknown feed "${id}"; the feeds are ${GENERATED_FEEDS.join(', ')}`);
  const options = {
    seed,
    enterprises: wholeNumber('enterprises', values.enterprises, 1000),
    persons: wholeNumber('persons', values.persons, 5000),
    dataYear: wholeNumber('data-year', values['data-year'], new Date().getUTCFullYear() - 1),
    dirtyRate: dirty,
    feeds,
    ...(values['as-of'] ? { asOf: values['as-of'] } : {}),
  };
  const ctx = contextOf(options); // validates before any file is written
  const out = resolve(values.out ?? 'data/feeds');

  const totalWork = feeds.reduce((sum, id) => sum + (feedMapping(id)!.subject === 'enterprise' ? options.enterprises : options.persons), 0);
  const progress = progressReporter(totalWork);
  const started = performance.now();
  let written: WrittenFeed[];
  try {
    written = await writeFeedFiles(out, options, (p) => progress.update(p));
  } finally {
    progress.end();
  }
  const seconds = (performance.now() - started) / 1000;
  const rows = written.reduce((s, w) => s + w.rows, 0);
  console.log(`wrote ${written.length} feed files to ${out} in ${seconds.toFixed(1)} s (${fmt(rows)} rows, ${fmt(Math.round(rows / seconds))} rows/s; data year ${ctx.dataYear}, as of ${ctx.asOf}, seed ${seed})`);
  for (const w of written) console.log(`  ${w.path.slice(out.length + 1).padEnd(32)} ${fmt(w.rows).padStart(11)} rows${w.dirtyRows ? ` (${fmt(w.dirtyRows)} deliberately bad)` : ''}  ${(w.bytes / 1e6).toFixed(1)} MB`);

  if (!values.load) return 0;
  // The database modules (drizzle, the schema, the importer) are loaded only when needed: generating
  // alone then stays small in memory.
  const [{ systemClock }, { loadConfig }, { openDatabase }, { importFeed }, { installDataKeys, loadDataKeys }, { createLogger }] = await Promise.all([
    import('../clock.ts'),
    import('../config.ts'),
    import('../db/open.ts'),
    import('../feeds/importer.ts'),
    import('../subjects/personal-data.ts'),
    import('../logger.ts'),
  ]);
  const config = loadConfig();
  installDataKeys(loadDataKeys(config, createLogger(config.LOG_LEVEL)));
  const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.DATA_DIR });
  console.log(config.embedded ? `loading into the embedded database in ${config.DATA_DIR}` : 'loading into PostgreSQL from DATABASE_URL');
  try {
    for (const w of written) {
      const t = performance.now();
      const result = await importFeed(db, systemClock, { feedId: w.feedId, input: { path: w.path }, asOf: ctx.asOf, actor: SYSTEM_ACTOR, rejectsDir: join(out, 'rejects') });
      const s = (performance.now() - t) / 1000;
      console.log(
        `  ${w.feedId.padEnd(22)} ${result.status.padEnd(9)} ${fmt(result.rowsAccepted).padStart(10)} accepted, ${fmt(result.rowsUnchanged)} unchanged, ${fmt(result.rowsRejected)} rejected` +
          `${result.rejectsFile ? ` -> ${result.rejectsFile}` : ''}  ${s.toFixed(1)} s (${fmt(Math.round(result.rowsTotal / Math.max(s, 1e-3)))} rows/s)`,
      );
    }
  } finally {
    await db.shutdown();
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (isAppError(error)) console.error(`${error.code}: ${error.message}`);
    else if (error instanceof RangeError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) console.error(`${(error as Error).message}\n\n${USAGE}`);
    else console.error(error);
    process.exit(1);
  },
);
