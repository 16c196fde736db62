// Signed checkpoints catch what the hash chain alone cannot: the newest entries deleted, the trail
// truncated and re-inserted with fresh hashes, the tail rewritten. Each attack is carried out as a
// superuser would (triggers disabled) and first shown to pass plain chain verification.
import { hash } from '@node-rs/argon2';
import { accountRepository } from '../src/identity/account-repository.ts';
import { execFile } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { appendAudit, verifyAuditChain } from '../src/audit/audit-trail.ts';
import { auditSigner, parseCheckpoint, recordCheckpoint, verifyAgainstCheckpoint, type SignedCheckpoint } from '../src/audit/checkpoints.ts';
import { canonicalJson } from '../src/audit/canonical-json.ts';
import { fixedClock } from '../src/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { objectContaining, stringContaining, stringMatching } from './support/expect.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T00:00:00.000Z');
const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signer = auditSigner(pem());
const event = (i: number, actor = 'finance:wang.fang') => ({ actor, action: 'batch.approved', entityType: 'payout_batch', entityId: String(i), payload: { fen: String(i * 100) } });

const opened: TestDatabase[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.drop();
});

/** A fresh database with `entries` audit entries and a signed checkpoint of its head. */
async function trailWithCheckpoint(entries = 20): Promise<{ db: TestDatabase; checkpoint: SignedCheckpoint }> {
  const db = await createTestDatabase();
  opened.push(db);
  for (let i = 1; i <= entries; i++) await db.orm.transaction((tx) => appendAudit(tx, clock, event(i)));
  return { db, checkpoint: await recordCheckpoint(db, clock, signer) };
}

async function asSuperuser(db: TestDatabase, change: () => Promise<unknown>): Promise<void> {
  await db.sql.unsafe('alter table audit_log disable trigger user');
  try {
    await change();
  } finally {
    await db.sql.unsafe('alter table audit_log enable trigger user');
  }
}

describe('signed audit checkpoints', () => {
  it('signs the verified head and stores it; the trail matches it, later entries reported as not yet covered', async () => {
    const { db, checkpoint } = await trailWithCheckpoint();
    const chain = await verifyAuditChain(db.sql);
    expect(checkpoint).toMatchObject({ seq: 20, hash: chain.headHash, count: 20, algorithm: 'sm3', at: '2024-06-15T00:00:00.000Z', publicKey: signer.publicKeyPem });
    expect(await db.sql`select seq::int, head_hash from audit_checkpoints`).toEqual([{ seq: 20, head_hash: chain.headHash }]);
    expect(await verifyAgainstCheckpoint(db.sql, checkpoint, signer.publicKeyPem)).toMatchObject({ ok: true, uncovered: 0 });
    for (let i = 21; i <= 23; i++) await db.orm.transaction((tx) => appendAudit(tx, clock, event(i)));
    expect(await verifyAgainstCheckpoint(db.sql, checkpoint, signer.publicKeyPem)).toMatchObject({ ok: true, uncovered: 3 });
  });

  it('detects the newest entries deleted: the chain still verifies but is shorter than the checkpoint', async () => {
    const { db, checkpoint } = await trailWithCheckpoint();
    await asSuperuser(db, () => db.sql`delete from audit_log where seq > 17`);
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, headSeq: 17 });
    const result = await verifyAgainstCheckpoint(db.sql, checkpoint, signer.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(result.mismatch).toMatch(/只到 #17，短于检查点的 #20/);
  });

  it('detects the trail truncated and re-inserted with re-hashed rows', async () => {
    const { db, checkpoint } = await trailWithCheckpoint();
    await db.sql`truncate audit_log`; // no row trigger fires on TRUNCATE
    for (let i = 1; i <= 20; i++) await db.orm.transaction((tx) => appendAudit(tx, clock, event(i, i === 5 ? 'finance:zhang.wei' : 'finance:wang.fang')));
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, headSeq: 20 });
    const result = await verifyAgainstCheckpoint(db.sql, checkpoint, signer.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(result.mismatch).toMatch(/#20 的哈希与检查点不符/);
  });

  it('detects a rewritten tail: the newest entry replaced by a forged one with a correct hash', async () => {
    const { db, checkpoint } = await trailWithCheckpoint();
    await asSuperuser(db, () => db.sql`delete from audit_log where seq = 20`);
    await db.orm.transaction((tx) => appendAudit(tx, clock, event(20, 'finance:zhang.wei')));
    expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, headSeq: 20 });
    expect(await verifyAgainstCheckpoint(db.sql, checkpoint, signer.publicKeyPem)).toMatchObject({ ok: false, mismatch: stringMatching(/#20 的哈希与检查点不符/) });
  });

  it('cannot see a forged append after its seq; the next checkpoint, which covers the genuine entry, does', async () => {
    const { db, checkpoint: first } = await trailWithCheckpoint();
    await db.orm.transaction((tx) => appendAudit(tx, clock, event(21)));
    const second = await recordCheckpoint(db, clock, signer);
    await asSuperuser(db, () => db.sql`delete from audit_log where seq = 21`);
    await db.orm.transaction((tx) => appendAudit(tx, clock, event(21, 'finance:zhang.wei')));
    expect(await verifyAgainstCheckpoint(db.sql, first, signer.publicKeyPem)).toMatchObject({ ok: true, uncovered: 1 });
    expect(await verifyAgainstCheckpoint(db.sql, second, signer.publicKeyPem)).toMatchObject({ ok: false, mismatch: stringMatching(/#21 的哈希与检查点不符/) });
  });

  it('refuses to sign a chain that does not verify', async () => {
    const { db } = await trailWithCheckpoint(5);
    await asSuperuser(db, () => db.sql`update audit_log set actor = 'x' where seq = 3`);
    await expect(recordCheckpoint(db, clock, signer)).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN', message: stringContaining('#3') });
  });

  it('detects a tampered checkpoint: a changed field, a changed signature, or one re-signed with another key', async () => {
    const { db, checkpoint } = await trailWithCheckpoint(5);
    const check = (c: SignedCheckpoint) => verifyAgainstCheckpoint(db.sql, c, signer.publicKeyPem);
    expect(await check({ ...checkpoint, seq: 3 })).toMatchObject({ ok: false, mismatch: stringMatching(/签名无效/) });
    expect(await check({ ...checkpoint, count: 4 })).toMatchObject({ ok: false, mismatch: stringMatching(/签名无效/) });
    const sig = Buffer.from(checkpoint.signature, 'base64');
    sig[0] = sig[0]! ^ 1;
    expect(await check({ ...checkpoint, signature: sig.toString('base64') })).toMatchObject({ ok: false, mismatch: stringMatching(/签名无效/) });
    const forger = auditSigner(pem());
    const body = { seq: 3, hash: checkpoint.hash, count: 3, at: checkpoint.at, algorithm: 'sm3' };
    const forged = { ...body, signature: sign(null, Buffer.from(canonicalJson(body)), forger.privateKey).toString('base64'), publicKey: forger.publicKeyPem };
    expect(await check(forged)).toMatchObject({ ok: false, mismatch: stringMatching(/公钥不符/) });
    expect(await check(checkpoint)).toMatchObject({ ok: true });
  });

  it('refuses a checkpoint file that is not one, naming the file and field', () => {
    expect(() => parseCheckpoint('{nope', 'cp.json')).toThrow(/cp\.json: not JSON/);
    expect(() => parseCheckpoint(JSON.stringify({ seq: 1 }), 'cp.json')).toThrow(/cp\.json: field "hash"/);
  });

  it('refuses a signing key that is not Ed25519 or not a key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => auditSigner(rsa)).toThrow(/rsa key/);
    expect(() => auditSigner('bm90IGEga2V5IGF0IGFsbCwganVzdCBzb21lIHRleHQ=')).toThrow(objectContaining({ code: 'AUDIT_SIGNING_KEY_INVALID' }));
    const der = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
    expect(auditSigner(der).publicKeyPem).toContain('PUBLIC KEY');
  });

  it('from the CLI: audit checkpoint --out writes it, audit verify --checkpoint exits 0, then 1 once the newest entries are deleted', async () => {
    const { db } = await trailWithCheckpoint(6);
    const dir = tempDir('audit-cli');
    const file = join(dir, 'checkpoint.json');
    const key = pem();
    // The commands act as an auditor's account (signing in writes nothing to the trail).
    await accountRepository(db.orm).insert({ login: 't.cli.auditor', displayName: '审计', passwordHash: await hash('cli auditor password'), roles: ['auditor'], createdAt: new Date('2024-01-01T00:00:00Z'), createdBy: null });
    const cli = (...argv: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, ['src/cli/index.ts', 'audit', ...argv, '--as', 't.cli.auditor'], { env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: dir, LOG_LEVEL: 'silent', AUDIT_SIGNING_KEY: key, MIANSHEN_PASSWORD: 'cli auditor password' } }, (error, stdout, stderr) => {
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        });
      });
    const written = await cli('checkpoint', '--out', file);
    expect(written).toMatchObject({ code: 0, stdout: stringMatching(/audit checkpoint: #6 [0-9a-f]{64} \(6 entries, sm3\) signed/) });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ seq: 6, count: 6, publicKey: auditSigner(key).publicKeyPem });
    await db.orm.transaction((tx) => appendAudit(tx, clock, event(7)));
    expect(await cli('verify', '--checkpoint', file)).toMatchObject({ code: 0, stdout: stringContaining('not yet covered by a checkpoint: 1 entries') });

    await asSuperuser(db, () => db.sql`delete from audit_log where seq >= 5`);
    expect(await cli('verify')).toMatchObject({ code: 0 }); // the chain alone cannot tell
    const broken = await cli('verify', '--checkpoint', file);
    expect(broken).toMatchObject({ code: 1, stderr: stringMatching(/audit checkpoint MISMATCH .*只到 #4，短于检查点的 #6/) });

    const tampered = { ...(JSON.parse(readFileSync(file, 'utf8')) as SignedCheckpoint), seq: 4 };
    writeFileSync(file, JSON.stringify(tampered));
    expect(await cli('verify', '--checkpoint', file)).toMatchObject({ code: 1, stderr: stringContaining('签名无效') });
  });
});
