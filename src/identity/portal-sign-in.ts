// Sign-in of an enterprise (法人) or a citizen through the unified identity, from the redirect to an
// open portal session. How a verified identity becomes a subject:
//   - the USCC claim (OIDC_USCC_CLAIM) present: an enterprise login; the value must be a valid
//     统一社会信用代码 (GB 32100 check characters) of an enterprise in `enterprises`;
//   - else the identity-number claim (OIDC_ID_NUMBER_CLAIM): a citizen login; the value must be a
//     valid 公民身份号码 (GB 11643), and the subject is personKeyOf(id number).
// Nothing else is trusted: not a URL parameter, not a claim the ID token's signature does not cover.
import type { Clock } from '../clock.ts';
import type { Orm } from '../db/clients.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import { checkIdNumber, maskIdNumber } from '../subjects/id-number.ts';
import { checkUscc, maskUscc } from '../subjects/uscc.ts';
import type { OidcClient, VerifiedIdentity } from './oidc-client.ts';
import type { SubjectActor } from './permissions.ts';
import { consumeLoginAttempt, deleteEndedBefore, enterpriseExists, insertLoginAttempt, loginAttemptState } from './portal-session-repository.ts';
import { randomToken, sha256, type OpenedSession, type PortalSessions } from './portal-sessions.ts';

/** An authorization request must come back within this time; a person types a password, not an essay. */
export const LOGIN_ATTEMPT_MINUTES = 10;

export interface PortalSignInDeps {
  orm: Orm;
  clock: Clock;
  log: Logger;
  /** Undefined when the portal sign-in is not configured (PORTAL_SIGN_IN_DISABLED). */
  oidc: OidcClient | undefined;
  sessions: PortalSessions;
  /** How a citizen's identity number becomes the subject key persons are stored under. */
  personKeyOf: (idNumber: string) => string;
}

function claimText(identity: VerifiedIdentity, claim: string): string | undefined {
  const value = identity.claims[claim];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AppError('OIDC_CLAIM_INVALID', `The identity provider's claim ${claim} is a ${typeof value}, not text; it must be the identifier as a string.`, { claim });
  return value;
}

export function portalSignIn(deps: PortalSignInDeps) {
  const oidc = (): OidcClient => {
    if (!deps.oidc) throw new AppError('PORTAL_SIGN_IN_DISABLED', 'Portal sign-in is not configured on this server; set OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI.');
    return deps.oidc;
  };

  /** The subject a verified identity is, per the rules at the top of this file. */
  async function subjectOf(identity: VerifiedIdentity): Promise<{ actor: SubjectActor; display: string }> {
    const { usccClaim, idNumberClaim } = oidc().settings;
    // Normalised as the feeds normalise a USCC (trimmed, upper case), so both name the same enterprise.
    const uscc = claimText(identity, usccClaim)?.trim().toUpperCase();
    if (uscc !== undefined) {
      const problem = checkUscc(uscc);
      if (problem) throw new AppError('OIDC_CLAIM_INVALID', `The claim ${usccClaim} (${maskUscc(uscc)}) is not a valid 统一社会信用代码: ${problem.message}.`, { claim: usccClaim, reason: problem.reason });
      if (!(await enterpriseExists(deps.orm, uscc))) {
        throw new AppError('OIDC_SUBJECT_UNKNOWN', `No enterprise with the 统一社会信用代码 ${maskUscc(uscc)} is registered here; it can sign in once the 市场监管 registry that lists it is imported.`);
      }
      return { actor: { kind: 'subject', role: 'enterprise', subjectKey: uscc }, display: uscc };
    }
    const raw = claimText(identity, idNumberClaim);
    if (raw === undefined) {
      throw new AppError('OIDC_CLAIM_INVALID', `The ID token carries neither ${usccClaim} (enterprise login) nor ${idNumberClaim} (citizen login); sign in as a 法人 or as a person, or check OIDC_USCC_CLAIM / OIDC_ID_NUMBER_CLAIM.`, { claim: `${usccClaim}|${idNumberClaim}` });
    }
    // A lower-case check character x, or surrounding spaces, are the same number; the rest must be canonical.
    const trimmed = raw.trim();
    const idNumber = trimmed.endsWith('x') ? `${trimmed.slice(0, -1)}X` : trimmed;
    const problem = checkIdNumber(idNumber);
    if (problem) throw new AppError('OIDC_CLAIM_INVALID', `The claim ${idNumberClaim} (${maskIdNumber(idNumber)}) is not a valid 公民身份号码: ${problem.message}.`, { claim: idNumberClaim, reason: problem.reason });
    return { actor: { kind: 'subject', role: 'citizen', subjectKey: deps.personKeyOf(idNumber) }, display: maskIdNumber(idNumber) };
  }

  return {
    /**
     * Starts an authorization request: state, nonce and PKCE verifier go to a login-attempt row keyed by
     * the hash of a random value that only the browser's login cookie holds.
     */
    async start(): Promise<{ loginCookie: string; redirectTo: URL }> {
      const client = oidc();
      const checks = client.newLoginChecks();
      const redirectTo = await client.authorizationUrl(checks);
      const loginCookie = randomToken();
      const now = deps.clock.now();
      await deleteEndedBefore(deps.orm, new Date(now.getTime() - 86_400_000));
      await insertLoginAttempt(deps.orm, { idHash: sha256(loginCookie), ...checks, createdAt: now, expiresAt: new Date(now.getTime() + LOGIN_ATTEMPT_MINUTES * 60_000) });
      return { loginCookie, redirectTo };
    },

    /** The callback: the attempt is consumed (single use), the code exchanged, the subject bound, the session opened. */
    async finish(loginCookie: string | undefined, callbackUrl: URL): Promise<OpenedSession> {
      const client = oidc();
      if (!loginCookie) throw new AppError('OIDC_LOGIN_INVALID', 'This browser started no sign-in (the mianshen_login cookie is missing); start at /api/portal/auth/login.');
      const idHash = sha256(loginCookie);
      const attempt = await consumeLoginAttempt(deps.orm, idHash, deps.clock.now());
      if (!attempt) {
        const state = await loginAttemptState(deps.orm, idHash);
        const why = !state ? 'is unknown' : state.usedAt ? 'was already used (a callback cannot be replayed)' : `expired (it lasts ${LOGIN_ATTEMPT_MINUTES} minutes)`;
        throw new AppError('OIDC_LOGIN_INVALID', `This sign-in ${why}; start again at /api/portal/auth/login.`);
      }
      // The library checks state too; checking it here first says plainly what is wrong.
      if (callbackUrl.searchParams.get('state') !== attempt.state) {
        throw new AppError('OIDC_LOGIN_INVALID', 'The callback\'s state is not the one this browser\'s sign-in sent (a forged or crossed callback); start again at /api/portal/auth/login.');
      }
      const identity = await client.verify(callbackUrl, attempt);
      const idpSubjectHash = sha256(identity.sub);
      let subject: { actor: SubjectActor; display: string };
      try {
        subject = await subjectOf(identity);
      } catch (error) {
        // Who tried, without the identifier: the hash of the IdP's sub is enough to follow it up there.
        deps.log.warn({ code: (error as AppError).code, issuer: identity.issuer, idpSubjectHash }, 'portal sign-in refused after a valid ID token');
        throw error;
      }
      return deps.sessions.open(subject.actor, { display: subject.display, issuer: identity.issuer, idpSubjectHash });
    },
  };
}
