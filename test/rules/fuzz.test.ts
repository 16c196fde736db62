// Fuzzing the loader: seeded random mutations of the library's own files. Whatever the input, loading
// returns (quickly) either a library or structured errors with positions; it never throws, hangs, or
// reports an internal error.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLibraryFromTexts } from '../../src/policies/library.ts';
import { rng } from './generate.ts';

const files = readdirSync('policies', { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.policy.yaml'))
  .map((f) => ({ file: join('policies', f), text: readFileSync(join('policies', f), 'utf8') }));

const SNIPPETS = [':', '{', '}', '[', ']', '-', '"', "'", '#', '\n', ' ', '  ', '0', '9', '元', '%', '人', '个月', '@2024-13-40', 'none', 'and', 'or', 'not', '(', ')', '>=', '==', '*', '/', '&a', '*a', '!!str', '~', 'true', '\t', 'staff', 'period.', 'if', '"大型"'];

function mutate(text: string, r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  let t = text;
  const n = 1 + Math.floor(r() * 3);
  for (let i = 0; i < n; i++) {
    const lines = t.split('\n');
    const at = Math.floor(r() * Math.max(1, t.length));
    switch (Math.floor(r() * 9)) {
      case 0:
        t = t.slice(0, at) + t.slice(at + 1 + Math.floor(r() * 20));
        break;
      case 1:
        t = t.slice(0, at) + pick(SNIPPETS) + t.slice(at);
        break;
      case 2: {
        const l = Math.floor(r() * lines.length);
        lines.splice(l, 0, lines[l] ?? '');
        t = lines.join('\n');
        break;
      }
      case 3:
        lines.splice(Math.floor(r() * lines.length), 1);
        t = lines.join('\n');
        break;
      case 4: {
        const a = Math.floor(r() * lines.length);
        const b = Math.floor(r() * lines.length);
        [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
        t = lines.join('\n');
        break;
      }
      case 5:
        t = t.replace(/\d+/g, (m) => (r() < 0.05 ? String(Math.floor(r() * 100000)) : m));
        break;
      case 6: {
        const l = Math.floor(r() * lines.length);
        lines[l] = (r() < 0.5 ? ' ' : '') + (lines[l] ?? '').slice(r() < 0.5 ? 1 : 0);
        t = lines.join('\n');
        break;
      }
      case 7:
        t = t.slice(0, at);
        break;
      default:
        t = t.replace(/[A-Za-z]+/, (m) => (r() < 0.5 ? m.toUpperCase() : `${m}x`));
    }
  }
  return t;
}

describe('loader fuzzing', () => {
  it('returns structured errors or a library for 400 seeded mutations of real files, never a crash or hang', () => {
    const r = rng(2024);
    let failedLoads = 0;
    for (let i = 0; i < 400; i++) {
      const base = files[Math.floor(r() * files.length)] as { file: string; text: string };
      const text = mutate(base.text, r);
      const started = performance.now();
      let result: ReturnType<typeof loadLibraryFromTexts> | undefined;
      expect(() => {
        result = loadLibraryFromTexts([{ file: base.file, text }]);
      }, `mutation ${i} of ${base.file}`).not.toThrow();
      expect(performance.now() - started, `mutation ${i} took too long`).toBeLessThan(5_000);
      if (!result || result.ok) continue;
      failedLoads++;
      for (const e of result.errors) {
        expect(e.file).toBe(base.file);
        expect(Number.isInteger(e.line) && e.line >= 1, JSON.stringify(e)).toBe(true);
        expect(Number.isInteger(e.col) && e.col >= 1, JSON.stringify(e)).toBe(true);
        expect(e.message.length).toBeGreaterThan(0);
        expect(e.message, `mutation ${i}: ${JSON.stringify(e)}`).not.toMatch(/internal error/);
      }
    }
    // Most mutations must break something, or the fuzzing tests nothing.
    expect(failedLoads).toBeGreaterThan(200);
  }, 60_000);
});
