// The environment is read once, here, into a typed config; nothing else reads process.env.
import { z } from 'zod';
import { AppError } from './errors.ts';

const port = z.coerce.number().int().min(0).max(65535);

/** ¥1,000,000: above this a payout batch needs a second approver. */
export const DEFAULT_SECOND_APPROVAL_ABOVE_FEN = 100_000_000n;

const ConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional()
    .describe('PostgreSQL to use; when unset, an embedded PGlite database is used'),
  /**
   * The database owner's login, for migrations and pg-boss's schema (defaults to DATABASE_URL). With it
   * set, DATABASE_URL is the application's own login: a member of mianshen_app, which may read and
   * write the tables but only SELECT and INSERT the audit trail, and cannot alter or truncate anything.
   */
  MIGRATION_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection URL')
    .optional(),
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
  /** A payout batch whose total (in 分) is above this needs a second finance approver, distinct from preparer and first approver. */
  SECOND_APPROVAL_ABOVE_FEN: z
    .string()
    .regex(/^\d{1,18}$/, 'write a whole number of 分 (fen), e.g. 100000000 for ¥1,000,000')
    .transform((text) => BigInt(text))
    .default(DEFAULT_SECOND_APPROVAL_ABOVE_FEN),
  /** Staff sessions end after this many minutes without a request, and this many after sign-in. */
  SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  SESSION_ABSOLUTE_MINUTES: z.coerce.number().int().min(1).max(7 * 24 * 60).default(12 * 60),
  /** The hash new audit entries are chained with; each entry records its own, so switching is safe. */
  AUDIT_HASH: z.enum(['sm3', 'sha256']).default('sm3'),
  /** Ed25519 private key (PEM, or base64 of the PKCS#8 DER) that signs audit checkpoints. */
  AUDIT_SIGNING_KEY: z.string().min(40).optional(),
  /**
   * How payments reach the bank: `sandbox` (a simulated bank in the database) or `iso20022-files`
   * (pain.001 into DATA_DIR/bank/outbox, pain.002 and camt.054 read from DATA_DIR/bank/inbox).
   */
  BANK_CHANNEL: z.enum(['sandbox', 'iso20022-files']).default('sandbox'),
  /** The fund account payments are debited from (付款账户), named in every pain.001. Demo values by default. */
  FUND_ACCOUNT_NAME: z.string().min(1).max(140).default('示范区财政局零余额账户'),
  FUND_ACCOUNT_NUMBER: z.string().regex(/^\d{6,34}$/, 'must be the fund account number, 6 to 34 digits').default('44201501100052500001'),
  FUND_ACCOUNT_CNAPS: z.string().regex(/^\d{12}$/, 'must be the 12-digit CNAPS bank code of the fund account\'s bank').default('105584000013'),
  /** When the scheduler exports the day's signed checkpoint to DATA_DIR/checkpoints/ (in TIMEZONE). */
  AUDIT_CHECKPOINT_CRON: z.string().min(9).default('30 0 * * *'),
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
  if (parsed.data.MIGRATION_DATABASE_URL !== undefined && parsed.data.DATABASE_URL === undefined) {
    throw new AppError('CONFIG_INVALID', 'MIGRATION_DATABASE_URL is set but DATABASE_URL is not; set DATABASE_URL to the application\'s login, or unset MIGRATION_DATABASE_URL to use the embedded database', { variables: ['DATABASE_URL', 'MIGRATION_DATABASE_URL'] });
  }
  return { ...parsed.data, embedded: parsed.data.DATABASE_URL === undefined };
}
