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
  // Enterprise and citizen sign-in through OpenID Connect (the unified government identity). All
  // optional: without OIDC_ISSUER the portal sign-in answers PORTAL_SIGN_IN_DISABLED.
  OIDC_ISSUER: z.url({ protocol: /^https?$/, error: 'must be the issuer URL, e.g. https://id.example.gov.cn' }).optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(16, 'must be the client secret the identity provider issued (at least 16 characters)').optional(),
  OIDC_REDIRECT_URI: z.url({ protocol: /^https?$/, error: 'must be the absolute URL of /api/portal/auth/callback on this service' }).optional(),
  OIDC_SCOPE: z.string().min(6).default('openid'),
  /** The claim carrying the 统一社会信用代码 of an enterprise (法人) login. */
  OIDC_USCC_CLAIM: z.string().min(1).default('uscc'),
  /** The claim carrying the 公民身份号码 of a citizen login. */
  OIDC_ID_NUMBER_CLAIM: z.string().min(1).default('id_number'),
  PORTAL_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  PORTAL_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(8),
  /** Where the browser lands after signing in. */
  PORTAL_HOME: z.string().startsWith('/').default('/api/portal/me'),
  /** The demo's in-process identity provider (模拟统一身份认证), `npm start` only. */
  DEMO_IDP_PORT: port.default(3001),
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
  /** When the scheduler sends approved batches and reconciles the bank's answers (in TIMEZONE). */
  PAYOUT_CRON: z.string().min(9).default('*/10 * * * *'),
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
  const oidc = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET', 'OIDC_REDIRECT_URI'] as const;
  const given = oidc.filter((key) => parsed.data[key] !== undefined);
  if (given.length > 0 && given.length < oidc.length) {
    const missing = oidc.filter((key) => parsed.data[key] === undefined);
    throw new AppError('CONFIG_INVALID', `Portal sign-in is half configured: ${given.join(', ')} set but ${missing.join(', ')} not; set all four OIDC_* variables, or none to leave the portal sign-in off.`, { variables: missing });
  }
  if (parsed.data.MIGRATION_DATABASE_URL !== undefined && parsed.data.DATABASE_URL === undefined) {
    throw new AppError('CONFIG_INVALID', 'MIGRATION_DATABASE_URL is set but DATABASE_URL is not; set DATABASE_URL to the application\'s login, or unset MIGRATION_DATABASE_URL to use the embedded database', { variables: ['DATABASE_URL', 'MIGRATION_DATABASE_URL'] });
  }
  return { ...parsed.data, embedded: parsed.data.DATABASE_URL === undefined };
}
