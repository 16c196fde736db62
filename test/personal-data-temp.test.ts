// No temporary file is left behind: the suite's global teardown fails the run when a test leaves
// anything in the run's temp folder. Here the check itself, on a folder of its own.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkTempRoot, leftoverEntries } from './support/global-setup.ts';
import { tempDir } from './support/temp.ts';

describe('the temp-folder teardown check', () => {
  it('runs the tests with os.tmpdir() inside a folder of this run only', () => {
    expect(basename(tmpdir())).toMatch(/^mianshen-suite-/);
    expect(dirname(tempDir('where'))).toBe(tmpdir());
  });

  it('fails, naming what was left, when a test leaves a folder or file behind, and removes it', () => {
    const root = tempDir('root');
    mkdirSync(join(root, 'mianshen-feeds-abc123'));
    writeFileSync(join(root, 'mianshen-feeds-abc123', 'police.csv'), 'id_number\n11010519491231002X\n');
    writeFileSync(join(root, 'stray.rejects.csv'), 'row_no\n');
    expect(() => checkTempRoot(root)).toThrow(/TEMP_FILES_LEFT: the tests left 2 entries in the temp folder \(mianshen-feeds-abc123, stray\.rejects\.csv\)/);
    expect(existsSync(root)).toBe(false);
  });

  it('passes on an empty folder', () => {
    const root = tempDir('empty');
    expect(() => checkTempRoot(root)).not.toThrow();
    expect(leftoverEntries(root)).toEqual([]);
  });
});
