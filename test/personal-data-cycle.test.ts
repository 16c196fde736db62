// After a whole demo cycle (import -> ledger -> match -> batch -> approve -> pay -> reconcile), no raw
// 公民身份号码 and no raw bank account from the input files is stored in any text or json column of any
// table, in any schema (pg-boss's included), and none is in the logs of that cycle, including HTTP
// requests carrying identifiers in their URLs.
import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditSigner } from '../src/audit/checkpoints.ts';
import { fixedClock } from '../src/clock.ts';
import { runCycle, type CycleSummary } from '../src/cycle.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { portalSignInOff } from './support/portal.ts';
import { signedInHeaders } from './support/staff.ts';
import { buildServer } from '../src/http/server.ts';
import { createLogger } from '../src/logger.ts';
import { decryptField, personKeyOf } from '../src/subjects/personal-data.ts';
import { startBoss } from './support/boss.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const dataDir = tempDir('pdata-cycle');
const logLines: string[] = [];
const log = createLogger('trace', new Writable({ write(chunk, _encoding, done) { logLines.push(String(chunk)); done(); } }));
let db: TestDatabase;
let boss: PgBoss;
let summary: CycleSummary;
const idNumbers = new Set<string>();
const accounts = new Set<string>();

/** The raw identifiers of the input files the cycle wrote and imported (the department feeds). */
function collectInputs(): void {
  const dir = join(dataDir, 'feeds');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.csv'))) {
    const [header, ...rows] = readFileSync(join(dir, file), 'utf8').replace(/^\ufeff/, '').split(/\r?\n/).filter(Boolean);
    const columns = header!.split(',');
    for (const [name, into] of [['id_number', idNumbers], ['basic_account', accounts], ['si_account', accounts], ['sscard_account', accounts]] as const) {
      const at = columns.indexOf(name);
      if (at < 0) continue;
      for (const row of rows) {
        const value = row.split(',')[at]?.replace(/"/g, '').trim().toUpperCase();
        if (value) into.add(value);
      }
    }
  }
}

/** Every candidate identifier in a text: 18-character ids and runs of 10 or more digits. */
function rawIn(text: string): string[] {
  const found: string[] = [];
  for (const m of text.toUpperCase().matchAll(/\d{17}[\dX]|\d{10,}/g)) {
    const token = m[0];
    // A long digit run may hold an id or an account with other digits around it.
    for (const known of [...idNumbers, ...accounts]) if (token.includes(known)) found.push(known);
  }
  return found;
}

beforeAll(async () => {
  db = await createTestDatabase();
  boss = await startBoss(db, clock, log);
  const signer = auditSigner(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  summary = await runCycle({ db, boss, clock, log, auditSigner: signer }, { seed: 11, enterprises: 60, persons: 80, dataDir });
  collectInputs();
});

afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 2000 });
  await db?.drop();
});

describe('personal data after a full cycle', () => {
  it('had identity numbers and accounts to protect, and paid to accounts', async () => {
    expect(idNumbers.size).toBeGreaterThan(80);
    expect(accounts.size).toBeGreaterThan(20);
    const [{ paid }] = (await db.sql<{ paid: number }[]>`select count(*)::int as paid from payments where status = 'paid'`) as unknown as [{ paid: number }];
    expect(paid).toBeGreaterThan(0);
    expect(summary.runs.length).toBeGreaterThan(0);
  });

  it('stores no raw identity number or account in any text or json column of any table', async () => {
    const columns = await db.sql<{ schema: string; table: string; column: string }[]>`
      select c.table_schema as schema, c.table_name as table, c.column_name as column
      from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
      where t.table_type = 'BASE TABLE' and c.table_schema not in ('pg_catalog', 'information_schema')
        and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY')
      order by 1, 2, 3`;
    expect(columns.map((c) => `${c.table}.${c.column}`)).toEqual(expect.arrayContaining(['persons.id_enc', 'fact_records.facts', 'payments.account_enc', 'audit_log.payload', 'sandbox_bank_transfers.account_masked']));
    const hits: string[] = [];
    const encryptedIn = new Set<string>();
    let scanned = 0;
    for (const c of columns) {
      const rows = await db.sql.unsafe<{ v: string | null }[]>(`select "${c.column}"::text as v from "${c.schema}"."${c.table}"`);
      for (const { v } of rows) {
        if (v === null) continue;
        scanned++;
        if (v.includes('sm4:')) encryptedIn.add(`${c.table}.${c.column}`);
        for (const raw of rawIn(v)) hits.push(`${c.schema}.${c.table}.${c.column}: ${raw.slice(0, 4)}…`);
      }
    }
    expect(scanned).toBeGreaterThan(1000);
    expect(hits).toEqual([]);
    // Encrypted values live only where `cli keys rotate` re-encrypts them (not in the append-only audit trail).
    const rotated = ['account_reverifications.failed_account_number', 'account_reverifications.verified_account_number', 'fact_records.facts', 'payments.account_enc', 'persons.id_enc'];
    expect([...encryptedIn].filter((c) => !rotated.includes(c))).toEqual([]);
    expect([...encryptedIn]).toEqual(expect.arrayContaining(['fact_records.facts', 'payments.account_enc', 'persons.id_enc']));
  });

  it('keeps each person under its person key, with the number recoverable only through the key', async () => {
    const persons = await db.sql<{ person_key: string; id_enc: string; key_id: string; id_masked: string }[]>`select person_key, id_enc, key_id, id_masked from persons`;
    expect(persons.length).toBeGreaterThan(80);
    for (const p of persons) {
      const id = decryptField(p.id_enc);
      expect(idNumbers.has(id)).toBe(true);
      expect(p.person_key).toBe(personKeyOf(id));
      expect(p.id_masked).toBe(`${id.slice(0, 6)}********${id.slice(14)}`);
      expect(p.key_id).toBe('test1');
    }
    const [{ n }] = (await db.sql<{ n: number }[]>`select count(*)::int as n from fact_records where subject_type = 'person' and subject_key !~ '^P[A-Z2-7]{26}$'`) as unknown as [{ n: number }];
    expect(n).toBe(0);
  });

  it('stores payments encrypted with their key id and masked form, decrypting to an input account', async () => {
    const rows = await db.sql<{ account_enc: string; account_key_id: string; account_masked: string }[]>`select account_enc, account_key_id, account_masked from payments`;
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r.account_enc).toMatch(/^sm4:test1:[A-Za-z0-9_-]+$/);
      const clear = decryptField(r.account_enc);
      expect(accounts.has(clear)).toBe(true);
      expect(r.account_masked).toBe(`${'*'.repeat(Math.min(clear.length - 4, 12))}${clear.slice(-4)}`);
    }
  });

  it('logs no raw identity number, account, token or cookie, also for requests with identifiers in the URL', async () => {
    const secret = 'pdata-cycle-secret-0123456789';
    const app = buildServer({ db, log, clock, portalSecret: secret, accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
    // A signed-in staff session: its cookie and CSRF token must not reach the log either.
    const staff = await signedInHeaders(app, db, ['auditor']);
    const token = staff.headers.cookie.split('=')[1]!;
    const someId = [...idNumbers][0]!;
    const someAccount = [...accounts][0]!;
    try {
      for (const url of [`/api/staff/subjects/${someId}`, `/api/staff/runs/1/changes?subject=${someId}&account=${someAccount}`, `/api/portal/entitlements?id=${someId}`, `/api/staff/runs/${someAccount}`]) {
        await app.inject({ url, headers: { ...staff.headers, authorization: `Bearer ${token}` } });
      }
      log.info({ note: `operator typed ${someId} and ${someAccount}` }, `lookup of ${someId}`);
      log.error({ err: new Error(`payee ${someAccount} refused`) }, 'bank');
    } finally {
      await app.close();
    }
    const text = logLines.join('');
    expect(logLines.length).toBeGreaterThan(20);
    expect(text).toContain('"url":"/api/staff/subjects/'); // the requests were logged ...
    expect(rawIn(text)).toEqual([]); // ... without a raw identifier anywhere
    expect(text).not.toContain(token);
    expect(text).not.toContain('session=');
  });
});
