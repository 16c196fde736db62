// Enterprise and citizen sign-in (OIDC): the short-lived login attempts that carry state, nonce and
// the PKCE verifier between the redirect and the callback, and the portal sessions a callback opens.
// Only hashes of the browser's secrets are stored: a copy of this table signs nobody in.
import { bigserial, index, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * One authorization request in flight. Keyed by the SHA-256 of a random value held only in the
 * browser's httpOnly login cookie, so the callback must come back to the browser that started it
 * (no login CSRF), and used_at makes it single-use (a replayed callback is refused).
 */
export const portalLoginAttempts = pgTable('portal_login_attempts', {
  idHash: text('id_hash').primaryKey(),
  state: text('state').notNull(),
  nonce: text('nonce').notNull(),
  codeVerifier: text('code_verifier').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
  usedAt: timestamp('used_at', { withTimezone: true, precision: 3 }),
});

/**
 * A signed-in enterprise (法人) or citizen. token_hash and csrf_hash are SHA-256 of the session cookie
 * and of the CSRF token; expires_at slides with use (idle timeout) but never past absolute_expires_at.
 */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    csrfHash: text('csrf_hash').notNull(),
    subjectType: text('subject_type', { enum: ['enterprise', 'citizen'] }).notNull(),
    subjectKey: text('subject_key').notNull(),
    /** How the subject is shown to itself (a USCC, or a masked identity number): never a raw id number. */
    display: text('display').notNull(),
    /**
     * The IdP's issuer, and the SHA-256 of its `sub` for tracing a session back to the identity that
     * opened it (hashed: some IdPs use the identity number as `sub`).
     */
    issuer: text('issuer').notNull(),
    idpSubjectHash: text('idp_subject_hash').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true, precision: 3 }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true, precision: 3 }).notNull(),
    absoluteExpiresAt: timestamp('absolute_expires_at', { withTimezone: true, precision: 3 }).notNull(),
    revokedAt: timestamp('revoked_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('portal_sessions_expires').on(t.expiresAt)],
);
