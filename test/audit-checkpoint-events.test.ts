// A signed checkpoint follows each committed publish (and run and batch step: see audit-role-app),
// re-hashing only what the last checkpoint this key signed does not cover; a checkpoint row forged
// with another key is never trusted as the starting point; and a checkpoint that cannot be written
// is logged loudly while the action it follows stays committed.
import { generateKeyPairSync, sign } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '../src/audit/audit-trail.ts';
import { canonicalJson } from '../src/audit/canonical-json.ts';
import { checkpointAfterCommit, setCheckpointRecorder } from '../src/audit/checkpoint-events.ts';
import { auditSigner } from '../src/audit/checkpoints.ts';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { createLogger } from '../src/logger.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { createTestDatabase, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import type { StaffActor } from '../src/identity/permissions.ts';
import { objectContaining, stringContaining } from './support/expect.ts';

const clock = fixedClock('2024-06-15T00:00:00.000Z');
const pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const signer = auditSigner(pem());
const logged: Record<string, unknown>[] = [];
const log = createLogger('error', new Writable({ write(chunk, _e, done) { logged.push(JSON.parse(String(chunk)) as Record<string, unknown>); done(); } }));
let db: TestDatabase;
let reviewer: StaffActor;

beforeAll(async () => {
  db = await createTestDatabase();
  reviewer = await createStaff(db, ['reviewer']);
  setCheckpointRecorder({ db, clock, signer, log });
});
afterAll(async () => {
  setCheckpointRecorder(undefined);
  await db?.drop();
});
afterEach(() => {
  logged.length = 0;
});

const append = (i: number) => db.orm.transaction((tx) => appendAudit(tx, clock, { actor: 'account:1', action: 'test.event', entityType: 'thing', entityId: String(i) }));
async function asSuperuser(statement: string): Promise<void> {
  await db.sql.unsafe('alter table audit_log disable trigger user');
  try {
    await db.sql.unsafe(statement);
  } finally {
    await db.sql.unsafe('alter table audit_log enable trigger user');
  }
}
/** A signature over a checkpoint body, as checkpoints.ts makes it, by the given signer. */
function signWith(by: ReturnType<typeof auditSigner>, body: { seq: number; hash: string; count: number; at: string; algorithm: string }): string {
  return sign(null, Buffer.from(canonicalJson(body)), by.privateKey).toString('base64');
}
const headSeq = async () => Number((await db.sql<{ seq: bigint }[]>`select max(seq) as seq from audit_log`)[0]!.seq);

describe('checkpoints after committed events', () => {
  it('signs the head right after a publish commits, and not after a publish that changed nothing', async () => {
    const files = await readLibraryFiles(POLICIES_DIR);
    await publishLibrary(db.orm, clock, reviewer, files);
    const [first] = await db.sql<{ seq: bigint; n: number }[]>`select max(seq) as seq, count(*)::int as n from audit_checkpoints`;
    expect({ seq: Number(first!.seq), n: first!.n }).toEqual({ seq: await headSeq(), n: 1 });
    await publishLibrary(db.orm, clock, reviewer, files);
    expect((await db.sql<{ n: number }[]>`select count(*)::int as n from audit_checkpoints`)[0]!.n).toBe(1);
  });

  it('continues from the newest checkpoint its own key signed, never from a row forged into the table', async () => {
    const anchor = await headSeq();
    for (let i = 0; i < 3; i++) await append(i);
    const head = await headSeq();
    const [headRow] = await db.sql<{ hash: string }[]>`select hash from audit_log where seq = ${head}`;
    // Someone with database access rewrites an entry after the last genuine checkpoint, then stores a
    // checkpoint row for the current head: with our public key but a signature they cannot make, and
    // one genuinely signed by a key of their own. If either were trusted, the rewrite would be skipped.
    await asSuperuser(`update audit_log set actor = 'account:666' where seq = ${anchor + 1}`);
    await db.sql`insert into audit_checkpoints (seq, head_hash, count, at, hash_alg, signature, public_key)
      values (${head}, ${headRow!.hash}, ${head}, ${clock.now()}, 'sm3', ${Buffer.alloc(64, 1).toString('base64')}, ${signer.publicKeyPem})`;
    const forger = auditSigner(pem());
    await db.sql`insert into audit_checkpoints (seq, head_hash, count, at, hash_alg, signature, public_key)
      values (${head}, ${headRow!.hash}, ${head}, ${clock.now()}, 'sm3', ${signWith(forger, { seq: head, hash: headRow!.hash, count: head, at: clock.now().toISOString(), algorithm: 'sm3' })}, ${forger.publicKeyPem})`;
    expect(await checkpointAfterCommit('batch.prepared', '1')).toBeUndefined();
    expect(JSON.stringify(logged)).toContain(`entry #${anchor + 1}`);
    await asSuperuser(`update audit_log set actor = 'account:1' where seq = ${anchor + 1}`);
    // Repaired, the next event's checkpoint covers the new head (verified from the genuine anchor).
    const checkpoint = await checkpointAfterCommit('batch.approved', '1');
    expect(checkpoint).toMatchObject({ seq: head, count: head, hash: headRow!.hash, publicKey: signer.publicKeyPem });
  });

  it('refuses to sign a tampered tail, logs it loudly, and leaves the committed action in place', async () => {
    await append(100);
    const tampered = await headSeq();
    await asSuperuser(`update audit_log set actor = 'account:999' where seq = ${tampered}`);
    const checkpointsBefore = (await db.sql<{ n: number }[]>`select count(*)::int as n from audit_checkpoints`)[0]!.n;

    // A publish of a changed library commits and returns although its checkpoint cannot be signed.
    const files = (await readLibraryFiles(POLICIES_DIR)).map((f, i) => (i === 0 ? { ...f, text: `${f.text}\n# changed\n` } : f));
    const published = await publishLibrary(db.orm, clock, reviewer, files);
    expect((await db.sql<{ n: number }[]>`select count(*)::int as n from policy_libraries where hash = ${published.hash}`)[0]!.n).toBe(1);
    expect((await db.sql<{ n: number }[]>`select count(*)::int as n from audit_log where action = 'policy.library-published' and entity_id = ${published.hash}`)[0]!.n).toBe(1);
    expect((await db.sql<{ n: number }[]>`select count(*)::int as n from audit_checkpoints`)[0]!.n).toBe(checkpointsBefore);
    expect(logged).toEqual([
      objectContaining({ level: 50, event: 'policy.published', entityId: published.hash, msg: stringContaining('AUDIT CHECKPOINT FAILED after policy.published') }),
    ]);
    expect(JSON.stringify(logged)).toContain(`entry #${tampered}`);
  });

  it('writes nothing and says so (undefined) when no recorder is installed', async () => {
    setCheckpointRecorder(undefined);
    try {
      expect(await checkpointAfterCommit('batch.sent', '1')).toBeUndefined();
    } finally {
      setCheckpointRecorder({ db, clock, signer, log });
    }
  });
});
