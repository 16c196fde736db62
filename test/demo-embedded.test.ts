// `npm start` as the README promises it: the whole demo cycle on the embedded database (PGlite, one
// transaction at a time), then serving. A small population keeps it short; what matters is that every
// step runs through to the end on the embedded database — a read on a second connection inside an open
// transaction waits there for ever, which no test on a real PostgreSQL server would notice.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { tempDir } from './support/temp.ts';

describe('npm start on the embedded database', () => {
  it('runs the demo cycle through 公示, batches and payments for enterprises and persons, then serves', async () => {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ['src/main.ts'], {
      env: { ...env, DATA_DIR: tempDir('demo-embedded'), HTTP_PORT: '0', DEMO_IDP_PORT: '0', DEMO_ENTERPRISES: '40', DEMO_PERSONS: '60', LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 240_000;
      while (!/serving on http/.test(stdout)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`npm start did not reach serving: ${stdout.slice(-3000)}\n${stderr.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(stdout).toContain('database: embedded PGlite');
      // Enterprises paid in the first run, persons (社保卡 accounts) in the person run.
      const totals = [...stdout.matchAll(/total: entitled ¥([\d,.]+); approved ¥([\d,.]+); paid ¥([\d,.]+)/g)].map((m) => m.slice(1).map((v) => Number(v.replaceAll(',', ''))));
      expect(totals.length).toBeGreaterThanOrEqual(3);
      expect(totals[0]![2]).toBeGreaterThan(0);
      const personRun = stdout.slice(stdout.indexOf('person, period 2024-06'));
      expect(personRun).toMatch(/gaoling-jintie v\d+\s+\d+\s+\d+\s+\d+\s+¥[\d,.]+\s+[1-9]\d*\//);
      expect(stdout).not.toMatch(/BATCH_EMPTY|CALENDAR_YEAR_UNKNOWN|Error:/);
    } finally {
      child.kill('SIGTERM');
    }
    await exited;
  }, 300_000);
});
