// Personal data at rest: SM4 (GB/T 32907) field encryption with a keyring, and an HMAC-SM3 keyed hash
// that turns a 公民身份号码 into the person key everything else is keyed by.
//
// Encryption is deterministic on purpose: the synthetic IV is the first 16 bytes of
// HMAC-SM3(key, plaintext), so the same account or identity number under the same key always gives the
// same stored form. The importer compares a row's facts with what is recorded to decide "unchanged";
// with a random IV every re-import of an unchanged file would write new records. What this leaks is
// equality only (two rows hold the same account), never the value. Decryption recomputes the IV from the
// plaintext and refuses a mismatch, so a wrong key or an altered value is detected, not turned into junk.
//
// Stored form: `sm4:<kid>:<base64url(iv || ciphertext)>` (SM4-CBC, PKCS#7 padding). The key id travels
// with every value, so keys rotate (`cli keys rotate` re-encrypts under DATA_KEY_CURRENT) and an old key
// can be removed once nothing refers to it.
//
// The person key is `P` + 26 base32 characters of HMAC-SM3(ID_HASH_KEY, 公民身份号码) (130 bits). That key
// is NOT rotated: it is the primary key of persons and the subject key of every fact, decision, list
// entry and ledger row, so changing it would re-key the whole database. Keep ID_HASH_KEY as long as the
// data lives; treat it like the data keys (outside the database, never logged).
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError } from '../errors.ts';
import { maskAccount, maskIdNumber } from './id-number.ts';

export interface DataKeyring {
  /** The key id new values are encrypted under. */
  current: string;
  keys: ReadonlyMap<string, Buffer>;
  /** HMAC-SM3 key of the person key; never rotated (see above). */
  idHashKey: Buffer;
}

export interface DataKeySettings {
  DATA_KEYS?: string | undefined;
  DATA_KEY_CURRENT?: string | undefined;
  ID_HASH_KEY?: string | undefined;
}

const KID = /^[A-Za-z0-9_-]{1,32}$/;
const STORED = /^sm4:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9_-]+)$/;
const PREFIX = 'sm4:';

function invalid(message: string, variables: string[]): AppError {
  return new AppError('CONFIG_INVALID', message, { variables });
}

function decodeKey(text: string, variable: string, bytes: 'exactly16' | 'atLeast16'): Buffer {
  const key = Buffer.from(text, 'base64');
  // Buffer.from ignores what is not base64; a round trip tells a real key from a typo.
  const canonical = key.toString('base64').replace(/=+$/, '');
  if (canonical !== text.replace(/=+$/, '') || (bytes === 'exactly16' ? key.length !== 16 : key.length < 16)) {
    throw invalid(`${variable}: expected base64 of ${bytes === 'exactly16' ? 'exactly 16 bytes (an SM4 key)' : 'at least 16 bytes'}, e.g. ${randomBytes(16).toString('base64')}`, [variable]);
  }
  return key;
}

/** Parses DATA_KEYS ("kid1:base64,kid2:base64"), DATA_KEY_CURRENT and ID_HASH_KEY; names the variable that is wrong. */
export function parseDataKeys(settings: DataKeySettings): DataKeyring {
  const missing = (['DATA_KEYS', 'DATA_KEY_CURRENT', 'ID_HASH_KEY'] as const).filter((name) => !settings[name]);
  if (missing.length > 0) throw invalid(`${missing.join(', ')} must be set: the SM4 keys that protect identity numbers and bank accounts (see docs/security.md, "Personal data")`, missing);
  const keys = new Map<string, Buffer>();
  for (const part of (settings.DATA_KEYS as string).split(',')) {
    const at = part.indexOf(':');
    const kid = part.slice(0, at).trim();
    if (at < 0 || !KID.test(kid)) throw invalid(`DATA_KEYS: each entry must be <kid>:<base64 key> with a kid of letters, digits, _ or - (at most 32); got an entry without one`, ['DATA_KEYS']);
    if (keys.has(kid)) throw invalid(`DATA_KEYS: key id "${kid}" is listed twice`, ['DATA_KEYS']);
    keys.set(kid, decodeKey(part.slice(at + 1).trim(), 'DATA_KEYS', 'exactly16'));
  }
  const current = (settings.DATA_KEY_CURRENT as string).trim();
  if (!keys.has(current)) throw invalid(`DATA_KEY_CURRENT: "${current}" is not one of the key ids in DATA_KEYS (${[...keys.keys()].join(', ')})`, ['DATA_KEY_CURRENT']);
  return { current, keys, idHashKey: decodeKey((settings.ID_HASH_KEY as string).trim(), 'ID_HASH_KEY', 'atLeast16') };
}

/** The keyring in the form of the three variables (for the generated file and for child processes). */
export function dataKeySettings(ring: DataKeyring): Required<DataKeySettings> {
  return {
    DATA_KEYS: [...ring.keys].map(([kid, key]) => `${kid}:${key.toString('base64')}`).join(','),
    DATA_KEY_CURRENT: ring.current,
    ID_HASH_KEY: ring.idHashKey.toString('base64'),
  };
}

/**
 * The keyring from configuration; else, for the embedded/demo setup only, one generated into the data
 * folder (0600, warned), like the audit signing key. With DATABASE_URL set the keys must come from the
 * environment: a key file beside a shared database protects nothing and is lost with one machine.
 */
export function loadDataKeys(
  config: DataKeySettings & { DATA_DIR: string; embedded: boolean },
  log: { warn(obj: object, msg: string): void },
): DataKeyring {
  if (config.DATA_KEYS || config.DATA_KEY_CURRENT || config.ID_HASH_KEY || !config.embedded) return parseDataKeys(config);
  const file = join(config.DATA_DIR, 'data-keys.json');
  if (existsSync(file)) return parseDataKeys(JSON.parse(readFileSync(file, 'utf8')) as DataKeySettings);
  mkdirSync(config.DATA_DIR, { recursive: true });
  const ring: DataKeyring = { current: 'k1', keys: new Map([['k1', randomBytes(16)]]), idHashKey: randomBytes(32) };
  writeFileSync(file, `${JSON.stringify(dataKeySettings(ring))}\n`, { mode: 0o600 });
  log.warn({ file }, 'DATA_KEYS, DATA_KEY_CURRENT and ID_HASH_KEY are not set; generated personal-data keys in the data folder (production sets them from a key store)');
  return ring;
}

function hmacSm3(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sm3', key).update(data).digest();
}

function keyOf(ring: DataKeyring, kid: string): Buffer {
  const key = ring.keys.get(kid);
  if (!key) throw new AppError('DATA_KEY_UNKNOWN', `A stored value is encrypted under key id "${kid}", which is not in DATA_KEYS (${[...ring.keys.keys()].join(', ')}); add that key back, or run \`cli keys rotate\` with it present before removing it.`, { kid });
  return key;
}

export function isEncrypted(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(PREFIX);
}

/** The key id of a stored value. */
export function keyIdOf(stored: string): string {
  const match = STORED.exec(stored);
  if (!match) throw new AppError('DATA_VALUE_INVALID', 'A stored personal-data value is not of the form sm4:<kid>:<base64url>; it was altered or is not encrypted.');
  return match[1] as string;
}

export function encryptWith(ring: DataKeyring, kid: string, plaintext: string): string {
  const key = keyOf(ring, kid);
  const iv = hmacSm3(key, plaintext).subarray(0, 16);
  const cipher = createCipheriv('sm4-cbc', key, iv);
  const body = Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${PREFIX}${kid}:${body.toString('base64url')}`;
}

export function decryptWith(ring: DataKeyring, stored: string): string {
  const kid = keyIdOf(stored);
  const key = keyOf(ring, kid);
  const body = Buffer.from((STORED.exec(stored) as RegExpExecArray)[2] as string, 'base64url');
  const refused = () => new AppError('DATA_VALUE_INVALID', `A stored personal-data value does not decrypt under key "${kid}": the key in DATA_KEYS is not the one it was encrypted with, or the value was altered.`, { kid });
  if (body.length < 32 || body.length % 16 !== 0) throw refused();
  const iv = body.subarray(0, 16);
  let plaintext: string;
  try {
    const decipher = createDecipheriv('sm4-cbc', key, iv);
    plaintext = Buffer.concat([decipher.update(body.subarray(16)), decipher.final()]).toString('utf8');
  } catch {
    throw refused();
  }
  // The synthetic IV doubles as an integrity check: it must be the HMAC of what came out.
  if (!timingSafeEqual(hmacSm3(key, plaintext).subarray(0, 16), iv)) throw refused();
  return plaintext;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

export function personKeyWith(ring: DataKeyring, idNumber: string): string {
  return `P${base32(hmacSm3(ring.idHashKey, idNumber.trim().toUpperCase()), 26)}`;
}

/** A person key: `P` + 26 base32 characters. */
export function isPersonKey(value: string): boolean {
  return /^P[A-Z2-7]{26}$/.test(value);
}

// The process's keyring, installed once at start-up (src/app.ts) like the audit hash algorithm: the
// importer, the payout service and the portal sign-in all need it, and it never changes while running.
let installed: DataKeyring | undefined;

export function installDataKeys(ring: DataKeyring): void {
  installed = ring;
}

export function dataKeys(): DataKeyring {
  if (!installed) throw new AppError('CONFIG_INVALID', 'The personal-data keys were not loaded before use (DATA_KEYS, DATA_KEY_CURRENT, ID_HASH_KEY); start through startApp or call installDataKeys first.', { variables: ['DATA_KEYS', 'DATA_KEY_CURRENT', 'ID_HASH_KEY'] });
  return installed;
}

/** The person key of a 公民身份号码 (the portal maps a citizen's verified number through this). */
export function personKeyOf(idNumber: string): string {
  return personKeyWith(dataKeys(), idNumber);
}

/** Encrypts under DATA_KEY_CURRENT. */
export function encryptField(plaintext: string): string {
  const ring = dataKeys();
  return encryptWith(ring, ring.current, plaintext);
}

export function decryptField(stored: string): string {
  return decryptWith(dataKeys(), stored);
}

/** What a person row stores for a 公民身份号码: the key, the encrypted number and a masked form for display. */
export function protectIdNumber(idNumber: string): { personKey: string; idEnc: string; keyId: string; idMasked: string } {
  const ring = dataKeys();
  return { personKey: personKeyWith(ring, idNumber), idEnc: encryptWith(ring, ring.current, idNumber), keyId: ring.current, idMasked: maskIdNumber(idNumber) };
}

/**
 * What a payment row stores for a payee account: the encrypted form (a fact already holds it; a clear
 * value, from facts recorded before encryption, is encrypted here), its key id and the masked form.
 */
export function sealAccount(value: string): { accountEnc: string; accountKeyId: string; accountMasked: string } {
  const accountEnc = isEncrypted(value) ? value : encryptField(value);
  return { accountEnc, accountKeyId: keyIdOf(accountEnc), accountMasked: maskAccount(decryptField(accountEnc)) };
}

/** A keyed hash (HMAC-SM3 under ID_HASH_KEY, hex) for telling values apart without keeping them. */
export function keyedHash(value: string): string {
  return hmacSm3(dataKeys().idHashKey, value).toString('hex');
}
