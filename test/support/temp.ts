// Temporary directories for tests: created under os.tmpdir() (which global-setup.ts points at a
// directory of this run's own) and removed after the file's tests. The global teardown fails the run if
// anything is left there, so a test that writes feed files with identity numbers cannot leave them behind.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const created: string[] = [];

// Registered when a test file first imports this module, so it runs after all of that file's tests.
afterAll(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh directory `mianshen-<prefix>-XXXXXX` in the temp folder, removed after this file's tests. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `mianshen-${prefix}-`));
  created.push(dir);
  return dir;
}
