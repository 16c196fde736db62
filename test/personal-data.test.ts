// Personal data at rest: SM4 field encryption (GB/T 32907) with a keyring, HMAC-SM3 person keys, the
// start-up refusal without keys, and key rotation on real PostgreSQL (service and CLI).
import { hash } from '@node-rs/argon2';
import { accountRepository } from '../src/identity/account-repository.ts';
import { endToEndIdFor } from '../src/payouts/payment-keys.ts';
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp } from '../src/app.ts';
import { fixedClock } from '../src/clock.ts';
import { loadConfig } from '../src/config.ts';
import { isAppError } from '../src/errors.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { rotateDataKeys } from '../src/subjects/key-rotation.ts';
import { SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';

// Rotation is an administrator's work.
const ADMIN: StaffActor = { kind: 'staff', accountId: 1, roles: ['administrator'] };
import {
  dataKeys,
  dataKeySettings,
  decryptWith,
  encryptWith,
  installDataKeys,
  keyIdOf,
  loadDataKeys,
  parseDataKeys,
  personKeyWith,
  sealAccount,
  type DataKeyring,
} from '../src/subjects/personal-data.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { tempDir } from './support/temp.ts';

const k1 = randomBytes(16);
const k2 = randomBytes(16);
const idHashKey = randomBytes(32);
const ring = (current: string, keys: [string, Buffer][]): DataKeyring => ({ current, keys: new Map(keys), idHashKey });
const ID = buildIdNumber('440301', '19900307', '123');

function expectCode(fn: () => unknown, code: string, message?: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(isAppError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    if (message) expect((error as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected ${code}, nothing was thrown`);
}

describe('SM4 field encryption', () => {
  it('is SM4: the GB/T 32907 known-answer vector', () => {
    const key = Buffer.from('0123456789abcdeffedcba9876543210', 'hex');
    const cipher = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
    expect(Buffer.concat([cipher.update(key), cipher.final()]).toString('hex')).toBe('681edf34d206965e86b3e94f536e4246');
  });

  it('stores sm4:<kid>:<base64url(iv||ciphertext)>, SM4-CBC with the first 16 bytes of HMAC-SM3(key, plaintext) as IV', () => {
    const stored = encryptWith(ring('k1', [['k1', k1]]), 'k1', ID);
    const match = /^sm4:k1:([A-Za-z0-9_-]+)$/.exec(stored);
    expect(match).not.toBeNull();
    const body = Buffer.from(match![1]!, 'base64url');
    const iv = createHmac('sm3', k1).update(ID).digest().subarray(0, 16);
    expect(body.subarray(0, 16).equals(iv)).toBe(true);
    const decipher = createDecipheriv('sm4-cbc', k1, iv);
    expect(Buffer.concat([decipher.update(body.subarray(16)), decipher.final()]).toString('utf8')).toBe(ID);
  });

  it('round-trips, is deterministic per key (equality only leaks), and differs between values and keys', () => {
    const r = ring('k1', [['k1', k1], ['k2', k2]]);
    for (const value of [ID, '6222020200001234567', '中文户名', 'A 16-byte block!', 'a value longer than two SM4 blocks of sixteen bytes']) {
      const stored = encryptWith(r, 'k1', value);
      expect(decryptWith(r, stored)).toBe(value);
      expect(encryptWith(r, 'k1', value)).toBe(stored);
      expect(stored).not.toContain(value);
    }
    expect(encryptWith(r, 'k1', ID)).not.toBe(encryptWith(r, 'k1', buildIdNumber('440301', '19900307', '125')));
    expect(encryptWith(r, 'k2', ID).slice(7)).not.toBe(encryptWith(r, 'k1', ID).slice(7));
  });

  it('refuses a value under a key id it does not have, under the wrong key, or altered', () => {
    const stored = encryptWith(ring('k1', [['k1', k1]]), 'k1', ID);
    expectCode(() => decryptWith(ring('k2', [['k2', k2]]), stored), 'DATA_KEY_UNKNOWN', /key id "k1", which is not in DATA_KEYS \(k2\)/);
    expectCode(() => decryptWith(ring('k1', [['k1', k2]]), stored), 'DATA_VALUE_INVALID', /does not decrypt under key "k1"/);
    const body = Buffer.from(stored.slice('sm4:k1:'.length), 'base64url');
    for (let i = 0; i < body.length; i += 7) {
      const altered = Buffer.from(body);
      altered[i] = altered[i]! ^ 0x01;
      expectCode(() => decryptWith(ring('k1', [['k1', k1]]), `sm4:k1:${altered.toString('base64url')}`), 'DATA_VALUE_INVALID');
    }
    expectCode(() => decryptWith(ring('k1', [['k1', k1]]), 'sm4:k1:'), 'DATA_VALUE_INVALID');
    expectCode(() => keyIdOf('6222020200001234567'), 'DATA_VALUE_INVALID');
  });

  it('keys a person by P + 26 base32 characters of HMAC-SM3(ID_HASH_KEY, number), whatever the case of X', () => {
    const r = ring('k1', [['k1', k1]]);
    const withX = buildIdNumber('110105', '19491231', '002');
    expect(withX.endsWith('X')).toBe(true);
    const key = personKeyWith(r, withX);
    expect(key).toMatch(/^P[A-Z2-7]{26}$/);
    expect(personKeyWith(r, withX.toLowerCase())).toBe(key);
    expect(personKeyWith({ ...r, idHashKey: randomBytes(32) }, withX)).not.toBe(key);
    expect(key).not.toContain(withX.slice(6, 14));
  });
});

describe('the keyring from configuration', () => {
  const settings = { DATA_KEYS: `k1:${k1.toString('base64')},k2:${k2.toString('base64')}`, DATA_KEY_CURRENT: 'k2', ID_HASH_KEY: idHashKey.toString('base64') };

  it('parses DATA_KEYS, DATA_KEY_CURRENT and ID_HASH_KEY and names the variable that is wrong', () => {
    const parsed = parseDataKeys(settings);
    expect(parsed.current).toBe('k2');
    expect([...parsed.keys.keys()]).toEqual(['k1', 'k2']);
    expect(dataKeySettings(parsed)).toEqual(settings);
    expectCode(() => parseDataKeys({ ...settings, DATA_KEY_CURRENT: 'k3' }), 'CONFIG_INVALID', /DATA_KEY_CURRENT: "k3" is not one of the key ids in DATA_KEYS \(k1, k2\)/);
    expectCode(() => parseDataKeys({ ...settings, DATA_KEYS: 'k1:c2hvcnQ=' }), 'CONFIG_INVALID', /DATA_KEYS: expected base64 of exactly 16 bytes/);
    expectCode(() => parseDataKeys({ ...settings, DATA_KEYS: `k1:${k1.toString('base64')},k1:${k2.toString('base64')}` }), 'CONFIG_INVALID', /"k1" is listed twice/);
    expectCode(() => parseDataKeys({ ...settings, ID_HASH_KEY: 'not base64!' }), 'CONFIG_INVALID', /ID_HASH_KEY/);
    expectCode(() => parseDataKeys({ DATA_KEYS: settings.DATA_KEYS }), 'CONFIG_INVALID', /DATA_KEY_CURRENT, ID_HASH_KEY must be set/);
  });

  it('generates keys into the data folder (0600, warned) only for the embedded database, and reads them back', () => {
    const dir = tempDir('pdata-keys');
    const warnings: string[] = [];
    const log = { warn: (_: object, msg: string) => void warnings.push(msg) };
    const first = loadDataKeys({ DATA_DIR: dir, embedded: true }, log);
    expect(warnings).toEqual([expect.stringContaining('generated personal-data keys in the data folder')]);
    expect(statSync(join(dir, 'data-keys.json')).mode & 0o777).toBe(0o600);
    const again = loadDataKeys({ DATA_DIR: dir, embedded: true }, log);
    expect(dataKeySettings(again)).toEqual(dataKeySettings(first));
    expect(warnings).toHaveLength(1);
    expectCode(() => loadDataKeys({ DATA_DIR: dir, embedded: false }, log), 'CONFIG_INVALID', /DATA_KEYS, DATA_KEY_CURRENT, ID_HASH_KEY must be set/);
  });

  it('refuses to start the app on DATABASE_URL without the keys, naming them, before touching the database', async () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none', DATA_DIR: tempDir('pdata-serve'), AUDIT_SIGNING_KEY: undefined });
    const before = dataKeys();
    try {
      await startApp(config, fixedClock('2024-01-01T00:00:00Z'), silentLog, { workers: false });
      throw new Error('started without keys');
    } catch (error) {
      expect(isAppError(error, 'CONFIG_INVALID')).toBe(true);
      expect((error as AppErrorLike).details?.variables).toEqual(['DATA_KEYS', 'DATA_KEY_CURRENT', 'ID_HASH_KEY']);
    } finally {
      installDataKeys(before);
    }
  });
});

type AppErrorLike = Error & { details?: Record<string, unknown> };

describe('key rotation on PostgreSQL', () => {
  let db: TestDatabase;
  const clock = fixedClock('2024-06-01T00:00:00.000Z');
  const work = tempDir('pdata-rotate');
  const suiteKeys = dataKeys();
  const ids = Array.from({ length: 7 }, (_, i) => buildIdNumber('440305', '19600101', String(101 + i * 2)));
  const firms = ['MA5A1B2C', 'MA5D3E4F', 'MA5G5H6J'].map((body) => buildUscc('9', '1', '440305', body));
  const accountOf = (n: number) => `62220202000012345${n}`;
  const file = (name: string, lines: string[]) => {
    const path = join(work, name);
    writeFileSync(path, `${lines.join('\n')}\n`);
    return { path };
  };
  const load = (feedId: string, input: { path: string }) => importFeed(db, clock, { feedId, input, asOf: '2024-05-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  // reversed: the same rows in another order, so not the same file (which would be skipped as a duplicate).
  const police = (reversed = false) => {
    const rows = ids.map((id, i) => `${id},人${i},440305`);
    return file(`police-${randomBytes(3).toString('hex')}.csv`, ['id_number,name,hukou_region', ...(reversed ? rows.reverse() : rows)]);
  };
  const banks = (reversed = false) => {
    const rows = firms.map((f, i) => `${f},${accountOf(i)}`);
    return file(`banks-${randomBytes(3).toString('hex')}.csv`, ['uscc,basic_account', ...(reversed ? rows.reverse() : rows)]);
  };
  const one = ring('k1', [['k1', k1]]);
  const both = ring('k2', [['k1', k1], ['k2', k2]]);
  const onlyNew = ring('k2', [['k2', k2]]);

  beforeAll(async () => {
    db = await createTestDatabase();
    installDataKeys(one);
    await load('samr-registry', file('samr.csv', ['uscc,name,region_code,industry_code,status', ...firms.map((f, i) => `${f},企业${i},440305,C3911,存续`)]));
    await load('police-population', police());
    await load('bank-accounts', banks());
    const [batch] = await db.sql<{ id: string }[]>`insert into payout_batches (point_id, period, status, payment_count, total_fen, prepared_by, prepared_at) values ('p', '2024', 'prepared', 3, 300, 1, ${clock.now()}) returning id`;
    for (const [i, f] of firms.entries()) {
      const sealed = sealAccount(accountOf(i));
      await db.sql`insert into payments (subject_key, idempotency_key, entitlement_key, end_to_end_id, batch_id, amount_fen, account_enc, account_key_id, account_masked, account_kind, status)
                   values (${f}, ${`p/2024/${f}`}, ${`p/2024/${f}`}, ${endToEndIdFor(`p/2024/${f}`)}, ${batch!.id}, 100, ${sealed.accountEnc}, ${sealed.accountKeyId}, ${sealed.accountMasked}, 'basic', 'pending')`;
    }
  });
  afterAll(async () => {
    installDataKeys(suiteKeys);
    await db?.drop();
  });

  const stored = async () => ({
    persons: await db.sql<{ key_id: string; id_enc: string }[]>`select key_id, id_enc from persons order by person_key`,
    payments: await db.sql<{ account_key_id: string; account_enc: string }[]>`select account_key_id, account_enc from payments order by subject_key`,
    facts: (await db.sql<{ v: string }[]>`select facts->>'basicAccount' as v from fact_records where source = 'bank-accounts' and not retracted order by subject_key`).map((r) => r.v),
  });

  it('re-encrypts every value under the current key, resuming past what is already rotated, audited per batch', async () => {
    const before = await stored();
    expect(before.persons.every((p) => p.key_id === 'k1' && p.id_enc.startsWith('sm4:k1:'))).toBe(true);
    expect(before.facts.every((v) => v.startsWith('sm4:k1:'))).toBe(true);
    // An interrupted earlier run had already moved one person.
    const [first] = await db.sql<{ person_key: string; id_enc: string }[]>`select person_key, id_enc from persons order by person_key limit 1`;
    await db.sql`update persons set id_enc = ${encryptWith(both, 'k2', decryptWith(one, first!.id_enc))}, key_id = 'k2' where person_key = ${first!.person_key}`;

    const result = await rotateDataKeys(db, clock, both, { actor: ADMIN, batchSize: 2 });
    expect(result).toMatchObject({ toKey: 'k2', persons: ids.length - 1, payments: 3, factRecords: 3, remaining: [{ kid: 'k2', n: ids.length + 3 + 3 }] });
    const after = await stored();
    expect(after.persons.map((p) => decryptWith(onlyNew, p.id_enc)).sort()).toEqual([...ids].sort());
    expect(after.persons.every((p) => p.key_id === 'k2')).toBe(true);
    expect(after.payments.every((p) => p.account_key_id === 'k2')).toBe(true);
    expect(after.payments.map((p) => decryptWith(onlyNew, p.account_enc)).sort()).toEqual(firms.map((_, i) => accountOf(i)).sort());
    expect(after.facts.map((v) => decryptWith(onlyNew, v))).toEqual(firms.map((_, i) => accountOf(i)));
    const audit = await db.sql<{ action: string; payload: { table?: string; rows?: number } }[]>`select action, payload from audit_log where entity_type = 'data_keys' order by seq`;
    expect(audit.filter((a) => a.action === 'keys.rotated-batch').map((a) => a.payload.table)).toEqual(['persons', 'persons', 'persons', 'payments', 'payments', 'fact_records', 'fact_records']);
    expect(audit.at(-1)!.action).toBe('keys.rotated');
    // Once more: nothing left to do.
    expect(await rotateDataKeys(db, clock, both, { actor: ADMIN })).toMatchObject({ persons: 0, payments: 0, factRecords: 0 });
  });

  it('works without the old key afterwards: a re-import of the same data under the new key only is unchanged', async () => {
    installDataKeys(onlyNew);
    expect(await load('police-population', police(true))).toMatchObject({ status: 'imported', rowsUnchanged: ids.length, rowsRejected: 0 });
    expect(await load('bank-accounts', banks(true))).toMatchObject({ status: 'imported', rowsUnchanged: firms.length, rowsRejected: 0 });
  });

  it('runs as `cli keys rotate`, printing the key ids still in use', async () => {
    const three = randomBytes(16).toString('base64');
    // Rotation is an administrator's command: it runs as one (signing in writes nothing to the trail).
    await accountRepository(db.orm).insert({ login: 't.keys.admin', displayName: '管理', passwordHash: await hash('keys admin password'), roles: ['administrator'], createdAt: new Date('2024-01-01T00:00:00Z'), createdBy: null });
    const env = { ...process.env, MIANSHEN_PASSWORD: 'keys admin password', DATABASE_URL: db.url, LOG_LEVEL: 'silent', DATA_DIR: tempDir('pdata-cli'), DATA_KEYS: `k2:${k2.toString('base64')},k3:${three}`, DATA_KEY_CURRENT: 'k3', ID_HASH_KEY: idHashKey.toString('base64') };
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['src/cli/index.ts', 'keys', 'rotate', '--batch', '3', '--as', 't.keys.admin'], { env }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`keys rotate: now under k3: ${ids.length} persons, 3 payments, 3 fact records re-encrypted`);
    expect(out.stdout).toContain(`values per key id: k3 ${ids.length + 6}`);
    expect(out.stdout).not.toContain(three);
  });
});
