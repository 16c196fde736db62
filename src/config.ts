// The environment is read once, here, into a typed config; nothing else reads process.env.
import { z } from 'zod';
import { AppError } from './errors.ts';

const port = z.coerce.number().int().min(0).max(65535);

const ConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional()
    .describe('PostgreSQL to use; when unset, an embedded PGlite database is used'),
  DATA_DIR: z.string().min(1).default('.data'),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: port.default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  MATCH_CRON: z.string().min(9).default('0 2 * * *'),
  /** Shard jobs this process works on at once; start more processes to spread a run over machines. */
  MATCH_WORKERS: z.coerce.number().int().min(1).max(64).default(2),
  MATCH_SHARDS: z.coerce.number().int().min(1).max(1024).default(4),
  /** How often pg-boss looks for jobs whose worker stopped sending heartbeats (a killed process). */
  BOSS_SUPERVISE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  TIMEZONE: z.string().min(1).default('Asia/Shanghai'),
  DEMO_ENTERPRISES: z.coerce.number().int().min(20).max(100000).default(300),
  DEMO_PERSONS: z.coerce.number().int().min(0).max(1000000).default(2000),
  DEMO_SEED: z.coerce.number().int().default(20240601),
  PORTAL_TOKEN_SECRET: z.string().min(16).optional(),
  /** The hash new audit entries are chained with; each entry records its own, so switching is safe. */
  AUDIT_HASH: z.enum(['sm3', 'sha256']).default('sm3'),
  /** Ed25519 private key (PEM, or base64 of the PKCS#8 DER) that signs audit checkpoints. */
  AUDIT_SIGNING_KEY: z.string().min(40).optional(),
  /** SM4 keys for personal data at rest: "kid1:base64-16-byte-key,kid2:…" (src/subjects/personal-data.ts). */
  DATA_KEYS: z.string().min(1).optional(),
  /** The key id in DATA_KEYS that new values are encrypted under. */
  DATA_KEY_CURRENT: z.string().min(1).optional(),
  /** HMAC-SM3 key (base64, ≥ 16 bytes) of the person key; never rotated. */
  ID_HASH_KEY: z.string().min(1).optional(),
});

export type Config = z.infer<typeof ConfigSchema> & { embedded: boolean };

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const picked = Object.fromEntries(
    Object.keys(ConfigSchema.shape).map((key) => [key, env[key] === '' ? undefined : env[key]]),
  );
  const parsed = ConfigSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `${name}=${JSON.stringify(picked[name] ?? '')}: ${issue.message}`;
    });
    throw new AppError(
      'CONFIG_INVALID',
      `Invalid environment configuration; fix or unset these variables:\n  ${lines.join('\n  ')}`,
      { variables: parsed.error.issues.map((issue) => issue.path.join('.')) },
    );
  }
  return { ...parsed.data, embedded: parsed.data.DATABASE_URL === undefined };
}
