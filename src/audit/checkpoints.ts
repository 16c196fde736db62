// Signed checkpoints of the audit chain. The chain alone proves only that it is self-consistent: someone
// who can write the table can delete its newest entries, or truncate it and re-insert re-hashed rows,
// and it still verifies. A checkpoint - the head entry's seq and hash, the count and the time, signed
// with an Ed25519 key held outside the database - pins the chain as it was: a later chain that is
// shorter, or whose entry at that seq has another hash, no longer matches it. Entries appended after the
// newest checkpoint are not covered by it (a forged append with a correct hash verifies until the next
// checkpoint, whose signed head the forger cannot produce without the key), and are reported as such.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Database, Sql } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { verifyAuditChain, type ChainAnchor, type ChainVerification } from './audit-trail.ts';
import { canonicalJson } from './canonical-json.ts';

export interface AuditSigner {
  privateKey: KeyObject;
  /** SPKI PEM of the public half: written into every checkpoint, and the key verification trusts. */
  publicKeyPem: string;
}

/** An Ed25519 private key given as PEM or as the base64 of its PKCS#8 DER encoding. */
export function auditSigner(key: string): AuditSigner {
  let privateKey: KeyObject;
  try {
    privateKey = key.includes('-----BEGIN')
      ? createPrivateKey(key)
      : createPrivateKey({ key: Buffer.from(key.trim(), 'base64'), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new AppError('AUDIT_SIGNING_KEY_INVALID', `AUDIT_SIGNING_KEY is not a readable private key (${(error as Error).message}); give an Ed25519 key as PEM or base64 PKCS#8`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new AppError('AUDIT_SIGNING_KEY_INVALID', `AUDIT_SIGNING_KEY is a ${privateKey.asymmetricKeyType ?? 'unknown'} key; audit checkpoints are signed with Ed25519 (openssl genpkey -algorithm ed25519)`);
  }
  return { privateKey, publicKeyPem: createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString() };
}

const CheckpointSchema = z.object({
  seq: z.number().int().min(0),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  count: z.number().int().min(0),
  at: z.string().datetime({ offset: true }),
  algorithm: z.string().min(1),
  signature: z.string().min(1),
  publicKey: z.string().includes('PUBLIC KEY'),
});

export type SignedCheckpoint = z.infer<typeof CheckpointSchema>;

// The signed bytes: the canonical JSON of exactly the fields a verifier checks against the chain.
function signedBody(c: Pick<SignedCheckpoint, 'seq' | 'hash' | 'count' | 'at' | 'algorithm'>): Buffer {
  return Buffer.from(canonicalJson({ seq: c.seq, hash: c.hash, count: c.count, at: c.at, algorithm: c.algorithm }));
}

/**
 * The newest stored checkpoint that this signer's key signed and whose entry still has the signed hash:
 * a point the chain was verified up to. A row forged into audit_checkpoints fails the signature check
 * (the forger lacks the key) and is passed over, as is one whose entry was since rewritten.
 */
async function trustedAnchor(sql: Sql, signer: AuditSigner): Promise<ChainAnchor | undefined> {
  const rows = await sql<{ seq: bigint; head_hash: string; count: bigint; at: Date; hash_alg: string; signature: string; public_key: string }[]>`
    select seq, head_hash, count, at, hash_alg, signature, public_key from audit_checkpoints order by seq desc, id desc limit 20`;
  const publicKey = createPublicKey(signer.privateKey);
  const ours = publicKey.export({ type: 'spki', format: 'der' });
  for (const row of rows) {
    const body = { seq: Number(row.seq), hash: row.head_hash, count: Number(row.count), at: row.at.toISOString(), algorithm: row.hash_alg };
    let genuine: boolean;
    try {
      genuine = createPublicKey(row.public_key).export({ type: 'spki', format: 'der' }).equals(ours) && verify(null, signedBody(body), publicKey, Buffer.from(row.signature, 'base64'));
    } catch {
      genuine = false;
    }
    if (!genuine || body.seq === 0) continue;
    const [entry] = await sql<{ hash: string }[]>`select hash from audit_log where seq = ${body.seq}`;
    if (entry?.hash === body.hash) return { seq: body.seq, hash: body.hash };
  }
  return undefined;
}

/**
 * Verifies the chain, then signs its head and stores the checkpoint. A chain that does not verify is
 * refused: signing it would vouch for the tampering. Writing a checkpoint is not itself an audit entry:
 * that entry would be appended after the head it signs, leaving every checkpoint one entry behind.
 * `incremental` (the checkpoints written after each publish, run and batch) re-hashes only the entries
 * after the newest checkpoint this key signed: the signed head hash commits to everything before it,
 * so nothing is vouched for that was not verified once, and the cost follows the new entries, not the
 * trail's length. The daily export and `cli audit checkpoint` re-verify the whole trail.
 */
export async function recordCheckpoint(db: Database, clock: Clock, signer: AuditSigner, options: { incremental?: boolean } = {}): Promise<SignedCheckpoint> {
  const anchor = options.incremental ? await trustedAnchor(db.sql, signer) : undefined;
  const chain = await verifyAuditChain(db.sql, anchor);
  if (!chain.ok) {
    throw new AppError('AUDIT_CHAIN_BROKEN', `the audit chain does not verify at entry #${chain.problem!.seq} (${chain.problem!.message}); no checkpoint was signed. Investigate before signing a new one`);
  }
  const [head] = chain.headSeq === 0 ? [] : await db.sql<{ hash_alg: string }[]>`select hash_alg from audit_log where seq = ${chain.headSeq}`;
  const body = { seq: chain.headSeq, hash: chain.headHash, count: chain.rows, at: clock.now().toISOString(), algorithm: head?.hash_alg ?? 'sm3' };
  const signature = sign(null, signedBody(body), signer.privateKey).toString('base64');
  await db.sql`insert into audit_checkpoints (seq, head_hash, count, at, hash_alg, signature, public_key)
    values (${body.seq}, ${body.hash}, ${body.count}, ${body.at}, ${body.algorithm}, ${signature}, ${signer.publicKeyPem})`;
  return { ...body, signature, publicKey: signer.publicKeyPem };
}

/** Reads a checkpoint file's JSON, refusing one that is not a checkpoint (naming the field). */
export function parseCheckpoint(text: string, file: string): SignedCheckpoint {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError('AUDIT_CHECKPOINT_INVALID', `${file}: not JSON (${(error as Error).message}); give a file written by "audit checkpoint --out"`);
  }
  const parsed = CheckpointSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError('AUDIT_CHECKPOINT_INVALID', `${file}: field "${issue.path.join('.')}": ${issue.message}; give a file written by "audit checkpoint --out"`);
  }
  return parsed.data;
}

export interface CheckpointVerification {
  ok: boolean;
  chain: ChainVerification;
  /** Why the chain no longer matches the checkpoint (or the checkpoint is not genuine). */
  mismatch?: string;
  /** Entries after the checkpoint's seq: they verify as a chain but no signature covers them yet. */
  uncovered: number;
}

/**
 * Re-verifies the chain and checks it against a checkpoint: signed by the trusted key, the chain still
 * reaches the checkpoint's seq, and the entry there still has the checkpoint's hash.
 */
export async function verifyAgainstCheckpoint(sql: Sql, checkpoint: SignedCheckpoint, trustedPublicKeyPem: string): Promise<CheckpointVerification> {
  const chain = await verifyAuditChain(sql);
  const result = (mismatch?: string): CheckpointVerification => ({ ok: chain.ok && mismatch === undefined, chain, mismatch, uncovered: Math.max(0, chain.headSeq - checkpoint.seq) });
  // A forger could sign a checkpoint of their own with a key of their own: only the configured key counts.
  const trusted = createPublicKey(trustedPublicKeyPem).export({ type: 'spki', format: 'der' });
  let fileKey: Buffer;
  try {
    fileKey = createPublicKey(checkpoint.publicKey).export({ type: 'spki', format: 'der' });
  } catch {
    return result('检查点中的公钥无法读取');
  }
  if (!fileKey.equals(trusted)) return result('检查点不是由本系统的审计签名密钥签发的（公钥不符）');
  let signed: boolean;
  try {
    signed = verify(null, signedBody(checkpoint), createPublicKey(trustedPublicKeyPem), Buffer.from(checkpoint.signature, 'base64'));
  } catch {
    signed = false;
  }
  if (!signed) return result('检查点的签名无效（检查点文件被改动）');
  if (!chain.ok) return result();
  if (chain.headSeq < checkpoint.seq) return result(`审计链只到 #${chain.headSeq}，短于检查点的 #${checkpoint.seq}（最新的 ${checkpoint.seq - chain.headSeq} 条记录被删除）`);
  if (checkpoint.seq === 0) return result();
  const [row] = await sql<{ hash: string }[]>`select hash from audit_log where seq = ${checkpoint.seq}`;
  if (row?.hash !== checkpoint.hash) return result(`审计记录 #${checkpoint.seq} 的哈希与检查点不符（该处及之前的记录被替换或重写）`);
  return result();
}
