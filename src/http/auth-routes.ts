// Staff sign-in over sessions. POST /api/auth/sign-in checks login and password (account-service.ts)
// and sets the session cookie (HttpOnly, Secure, SameSite=Strict, Path=/); the body carries the CSRF
// token, which the staff console sends back as `x-csrf-token` on every state-changing request. The
// cookie alone cannot change anything: a forged cross-site request has the cookie (if SameSite is
// bypassed) but not the token. Tokens are compared by their SHA-256 digests, timing-safe.
//
// staffAuthentication() is the hook the staff API (and sign-out / me) run first: no live session is
// 401 UNAUTHENTICATED; a state-changing request without the right CSRF token is 403 CSRF_MISSING; a
// route's declared permission (route config `permission`) is checked before its handler, and the
// services it calls check again.
import { rateLimited, type RateLimitOverrides } from './hardening.ts';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { matchesDigest, type AccountService, type Session } from '../identity/account-service.ts';
import { authorize, type Permission } from '../identity/permissions.ts';
import { parseRequest } from './error-replies.ts';

const STAFF_COOKIE = 'mianshen_staff';
const CSRF_HEADER = 'x-csrf-token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const SignInBody = z.object({ login: z.string().min(1).max(200), password: z.string().min(1).max(1000) });

/** The staff session of a request the staff hook has let through. */
export function staffSession(request: FastifyRequest): Session {
  const session = (request as unknown as { staffSession?: Session }).staffSession;
  if (!session) throw new AppError('UNAUTHENTICATED', 'This needs a signed-in staff account; sign in with POST /api/auth/sign-in.');
  return session;
}

/** What a route declares it needs (Fastify route `config.permission`), or 'signed-in' for any staff account. */
export type RouteRequirement = Permission | 'signed-in';

export function routeRequirement(config: unknown): RouteRequirement | undefined {
  const value = (config as { permission?: unknown } | undefined)?.permission;
  return typeof value === 'string' ? (value as RouteRequirement) : undefined;
}

/**
 * The onRequest hook of staff routes: the session from the cookie, the CSRF token on state-changing
 * methods, then the route's declared permission.
 */
export function staffAuthentication(accounts: AccountService): (request: FastifyRequest) => Promise<void> {
  return async (request: FastifyRequest) => {
    const token = request.cookies[STAFF_COOKIE];
    const session = token ? await accounts.session(token) : undefined;
    if (!session) throw new AppError('UNAUTHENTICATED', 'No live staff session (none, expired after inactivity or its 12-hour limit, signed out, or the account was disabled); sign in with POST /api/auth/sign-in.');
    if (!SAFE_METHODS.has(request.method)) {
      const header = request.headers[CSRF_HEADER];
      const presented = typeof header === 'string' ? header : '';
      if (!presented || !matchesDigest(presented, session.csrfHash)) {
        throw new AppError('CSRF_MISSING', `This request changes something and needs the header ${CSRF_HEADER} with the csrfToken the sign-in returned; it was ${presented ? 'wrong' : 'missing'}.`);
      }
    }
    (request as unknown as { staffSession: Session }).staffSession = session;
    const requirement = routeRequirement(request.routeOptions.config);
    if (requirement === undefined) throw new AppError('FORBIDDEN', 'This staff route declares no permission; it is refused to everyone until it does.');
    if (requirement !== 'signed-in') authorize(session.actor, requirement);
  };
}

function setSessionCookie(reply: FastifyReply, token: string, expiresAt: Date): void {
  reply.setCookie(STAFF_COOKIE, token, { httpOnly: true, secure: true, sameSite: 'strict', path: '/', expires: expiresAt });
}

/** /api/auth: sign-in, sign-out, me. Needs @fastify/cookie registered on the app. */
export function authRoutes(deps: { accounts: AccountService; rateLimits?: RateLimitOverrides }): FastifyPluginCallback {
  return (auth, _options, done) => {
    // Rate-limited per client address: password guessing is slowed here, and locked out per account.
    auth.post('/sign-in', rateLimited('signIn', deps.rateLimits), async (request, reply) => {
      const body = parseRequest(SignInBody, request.body, 'sign-in request');
      const signedIn = await deps.accounts.signIn(body);
      setSessionCookie(reply, signedIn.token, signedIn.expiresAt);
      return { csrfToken: signedIn.csrfToken, account: signedIn.account, expiresAt: signedIn.expiresAt.toISOString() };
    });

    auth.register((signedIn, _o, next) => {
      signedIn.addHook('onRequest', staffAuthentication(deps.accounts));
      signedIn.post('/sign-out', { config: { permission: 'signed-in' } }, async (request, reply) => {
        await deps.accounts.signOut(staffSession(request));
        reply.clearCookie(STAFF_COOKIE, { httpOnly: true, secure: true, sameSite: 'strict', path: '/' });
        return { signedOut: true };
      });
      signedIn.get('/me', { config: { permission: 'signed-in' } }, (request) => ({ account: staffSession(request).account }));
      next();
    });
    done();
  };
}
