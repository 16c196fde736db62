// The embedded default: PGlite served over its socket runs the same migrations and queries, keeps its
// data in the folder, and a second start resumes where the first stopped.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgBoss } from 'pg-boss';
import { afterAll, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import { openDatabase } from '../src/db/open.ts';

const dir = mkdtempSync(join(tmpdir(), 'mianshen-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('embedded database', () => {
  it('keeps data across restarts and runs pg-boss', async () => {
    const clock = fixedClock('2024-06-15T00:00:00Z');
    const first = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    expect(first.embedded).toBe(true);
    await first.orm.transaction((tx) => appendAudit(tx, clock, { actor: 't', action: 'test.first', entityType: 'test', entityId: '1' }));
    const boss = new PgBoss({ connectionString: first.url, max: 2, schema: 'pgboss' });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue('probe');
    expect(await boss.send('probe', { ok: true })).toBeTruthy();
    await boss.stop({ graceful: false, timeout: 1000 });
    await first.shutdown();

    const second = await openDatabase({ databaseUrl: undefined, dataDir: dir });
    const rows = await second.sql<{ action: string }[]>`select action from audit_log order by seq`;
    expect(rows.map((r) => r.action)).toEqual(['test.first']);
    expect((await verifyAuditChain(second.sql)).ok).toBe(true);
    await second.shutdown();
  });
});

describe('embedded database lock', () => {
  it('refuses a second process on the same data folder, naming the folder and the holder', async () => {
    const { writeFileSync } = await import('node:fs');
    const other = mkdtempSync(join(tmpdir(), 'mianshen-locked-'));
    writeFileSync(join(other, 'pglite.lock'), String(process.ppid)); // a live process that is not us
    await expect(openDatabase({ databaseUrl: undefined, dataDir: other })).rejects.toMatchObject({ code: 'DATA_DIR_LOCKED', message: expect.stringContaining(`process ${process.ppid}`) });
    rmSync(other, { recursive: true, force: true });
  });
});
