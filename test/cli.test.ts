// The operator's tools as an operator runs them: `npm run cli -- <command>` as child processes against a
// throwaway PostgreSQL database.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { POLICIES_DIR } from '../src/cycle.ts';
import { libraryHash, readLibraryFiles } from '../src/policies/library-registry.ts';

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
      process.chdir(mkdtempSync(join(tmpdir(), 'mianshen-cwd-')));
      expect(libraryHash(await readLibraryFiles(POLICIES_DIR))).toBe(libraryHash(fromSrc));
    } finally {
      process.chdir(before);
    }
  });
});
