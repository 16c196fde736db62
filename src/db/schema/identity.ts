// Staff accounts and their sessions. A login is stored normalised (NFKC, trimmed, lower case), so
// "Zhang", "zhang " and "ｚｈａｎｇ" are one login and the unique index refuses a second. Sessions keep
// only SHA-256 digests of their tokens: a copy of the table signs nobody in.
import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const staffAccounts = pgTable(
  'staff_accounts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    login: text('login').notNull(),
    displayName: text('display_name').notNull(),
    /** argon2id PHC string; NULL for the system account, which cannot sign in. */
    passwordHash: text('password_hash'),
    roles: text('roles').array().notNull(),
    failedAttempts: integer('failed_attempts').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    disabledAt: timestamp('disabled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** The administrator who created it; NULL for the system account and the bootstrap administrator. */
    createdBy: bigint('created_by', { mode: 'number' }),
  },
  (t) => [
    uniqueIndex('staff_accounts_login').on(t.login),
    check('staff_accounts_roles_known', sql`${t.roles} <@ array['policy_staff','reviewer','finance_officer','finance_approver','auditor','administrator','system']::text[] and cardinality(${t.roles}) > 0`),
    check('staff_accounts_login_normalised', sql`${t.login} = lower(btrim(${t.login})) and length(${t.login}) between 1 and 64`),
  ],
);

export const staffSessions = pgTable(
  'staff_sessions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    /** SHA-256 (hex) of the session token; the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    accountId: bigint('account_id', { mode: 'number' })
      .notNull()
      .references(() => staffAccounts.id),
    /** SHA-256 (hex) of the CSRF token handed to the client at sign-in. */
    csrfHash: text('csrf_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    /** The absolute end of the session (sign-in + SESSION_ABSOLUTE_MINUTES). */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('staff_sessions_token').on(t.tokenHash), index('staff_sessions_account').on(t.accountId)],
);
