// Portal sessions for tests that are not about signing in: the server with the OIDC sign-in off, and a
// session opened directly through the session service (what a successful OIDC callback does), so a
// test can call the portal as an enterprise or a citizen. test/portal-oidc.test.ts signs in for real.
import type { Clock } from '../../src/clock.ts';
import type { Orm } from '../../src/db/clients.ts';
import type { PortalOptions } from '../../src/http/portal-routes.ts';
import type { SubjectActor } from '../../src/identity/permissions.ts';
import { portalSessions } from '../../src/identity/portal-sessions.ts';

export const portalSignInOff: PortalOptions = { oidc: undefined, personKeyOf: (idNumber) => idNumber, lifetimes: { idleMinutes: 30, absoluteHours: 8 }, home: '/api/portal/me' };

/** The request headers of a browser signed in as this subject: its session cookie and CSRF token. */
export async function portalSessionHeaders(orm: Orm, clock: Clock, actor: SubjectActor): Promise<{ cookie: string; 'x-csrf-token': string }> {
  const { token, csrfToken } = await portalSessions(orm, clock, portalSignInOff.lifetimes).open(actor, { display: actor.subjectKey, issuer: 'test:direct', idpSubjectHash: 'test' });
  return { cookie: `mianshen_portal=${token}; mianshen_csrf=${csrfToken}`, 'x-csrf-token': csrfToken };
}
