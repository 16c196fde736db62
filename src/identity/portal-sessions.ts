// Portal sessions of signed-in enterprises and citizens. The browser holds a random session token
// (cookie mianshen_portal) and a random CSRF token (cookie mianshen_csrf, echoed in x-csrf-token);
// the database holds only their SHA-256, so neither a database copy nor a log can sign anybody in.
// A session ends after PORTAL_SESSION_IDLE_MINUTES without use or PORTAL_SESSION_ABSOLUTE_HOURS after
// sign-in, whichever is first, or at sign-out.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Orm } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import { actorRef, type SubjectActor } from './permissions.ts';
import { insertSession, revokeSession, touchSession, type PortalSessionRow } from './portal-session-repository.ts';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
export const randomToken = (): string => randomBytes(32).toString('base64url');

// Tokens are 32 random bytes in base64url (43 characters): anything else is not ours and is refused
// before it reaches the database.
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export interface SessionLifetimes {
  idleMinutes: number;
  absoluteHours: number;
}

export interface PortalSession {
  readonly id: number;
  readonly actor: SubjectActor;
  readonly display: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  readonly absoluteExpiresAt: Date;
  readonly csrfHash: string;
}

export interface OpenedSession {
  session: PortalSession;
  /** The cookie values: handed to the browser once, never stored or logged. */
  token: string;
  csrfToken: string;
}

function toSession(row: PortalSessionRow): PortalSession {
  return {
    id: row.id,
    actor: { kind: 'subject', role: row.subjectType, subjectKey: row.subjectKey },
    display: row.display,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    absoluteExpiresAt: row.absoluteExpiresAt,
    csrfHash: row.csrfHash,
  };
}

export function portalSessions(orm: Orm, clock: Clock, lifetimes: SessionLifetimes) {
  const idleMs = lifetimes.idleMinutes * 60_000;
  const absoluteMs = lifetimes.absoluteHours * 3_600_000;
  return {
    /** Opens a session for a verified subject, with its audit entry in the same transaction. */
    async open(actor: SubjectActor, identity: { display: string; issuer: string; idpSubjectHash: string }): Promise<OpenedSession> {
      const token = randomToken();
      const csrfToken = randomToken();
      const now = clock.now();
      const absolute = new Date(now.getTime() + absoluteMs);
      const row = await orm.transaction(async (tx) => {
        const inserted = await insertSession(tx, {
          tokenHash: sha256(token),
          csrfHash: sha256(csrfToken),
          subjectType: actor.role,
          subjectKey: actor.subjectKey,
          display: identity.display,
          issuer: identity.issuer,
          idpSubjectHash: identity.idpSubjectHash,
          createdAt: now,
          lastSeenAt: now,
          expiresAt: new Date(Math.min(now.getTime() + idleMs, absolute.getTime())),
          absoluteExpiresAt: absolute,
        });
        await appendAudit(tx, clock, {
          actor: actorRef(actor),
          action: 'portal.signed-in',
          entityType: 'portal_session',
          entityId: String(inserted.id),
          payload: { role: actor.role, method: 'oidc', issuer: identity.issuer, expiresAt: inserted.expiresAt.toISOString(), absoluteExpiresAt: absolute.toISOString() },
        });
        return inserted;
      });
      return { session: toSession(row), token, csrfToken };
    },

    /** The live session of a session cookie, its idle expiry extended; UNAUTHENTICATED otherwise. */
    async authenticate(token: string | undefined): Promise<PortalSession> {
      const row = token && TOKEN_SHAPE.test(token) ? await touchSession(orm, sha256(token), clock.now(), idleMs) : undefined;
      if (!row) throw new AppError('UNAUTHENTICATED', 'No live portal session: the mianshen_portal cookie is missing, unknown, expired or signed out; sign in again at /api/portal/auth/login.');
      return toSession(row);
    },

    /** Double submit: the x-csrf-token header must be the CSRF token issued with this session. */
    checkCsrf(session: PortalSession, header: string | undefined): void {
      const given = header && TOKEN_SHAPE.test(header) ? Buffer.from(sha256(header), 'hex') : undefined;
      const expected = Buffer.from(session.csrfHash, 'hex');
      if (!given || given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new AppError('CSRF_TOKEN_INVALID', 'This request changes something and needs the x-csrf-token header set to the value of the mianshen_csrf cookie issued at sign-in.');
      }
    },

    /** Ends the session; the audit entry goes in the same transaction. */
    async signOut(session: PortalSession): Promise<void> {
      await orm.transaction(async (tx) => {
        if (!(await revokeSession(tx, session.id, clock.now()))) return;
        await appendAudit(tx, clock, { actor: actorRef(session.actor), action: 'portal.signed-out', entityType: 'portal_session', entityId: String(session.id) });
      });
    },
  };
}

export type PortalSessions = ReturnType<typeof portalSessions>;
