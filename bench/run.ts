// npm run bench: runs every bench/*.bench.ts module's exported run() in sequence and writes
// bench/results/<name>.json and bench/results/<name>.md. Needs BENCH_DATABASE_URL or TEST_DATABASE_URL
// (a server where throwaway databases may be created and dropped).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface BenchContext {
  /** A server connection URL; a bench creates (and drops) its own database there. */
  adminUrl: string;
  log: (message: string) => void;
}

export interface BenchResult {
  /** Machine-readable results, written as <name>.json. */
  data: Record<string, unknown>;
  /** A short report, written as <name>.md. */
  markdown: string;
}

const here = dirname(fileURLToPath(import.meta.url));

async function main(): Promise<number> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
  if (!adminUrl) {
    console.error('BENCH_DATABASE_URL (or TEST_DATABASE_URL) must name a PostgreSQL server, e.g.\n  BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench');
    return 2;
  }
  const only = process.argv[2];
  const modules = readdirSync(here).filter((f) => f.endsWith('.bench.ts') && (!only || f.startsWith(only))).sort();
  mkdirSync(join(here, 'results'), { recursive: true });
  for (const file of modules) {
    const name = file.replace(/\.bench\.ts$/, '');
    const module = (await import(pathToFileURL(join(here, file)).href)) as { run(ctx: BenchContext): Promise<BenchResult> };
    console.error(`bench ${name}:`);
    const result = await module.run({ adminUrl, log: (m) => console.error(`  ${m}`) });
    writeFileSync(join(here, 'results', `${name}.json`), `${JSON.stringify(result.data, null, 2)}\n`);
    writeFileSync(join(here, 'results', `${name}.md`), result.markdown.endsWith('\n') ? result.markdown : `${result.markdown}\n`);
    console.log(result.markdown);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
