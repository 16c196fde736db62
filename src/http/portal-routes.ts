// The portal API of enterprises and citizens (prefix /api/portal): sign-in through the unified
// identity (OIDC), sign-out, and the subject's own entitlements and payments. Every route but the two
// sign-in steps needs a live session (cookie mianshen_portal), and the subject always comes from that
// session, never from the URL: a path naming something the subject does not have answers 404.
// POST routes also need x-csrf-token (double submit: the mianshen_csrf cookie's value, hashed in the row).
import type { CookieSerializeOptions } from '@fastify/cookie';
import { rateLimited, type RateLimitOverrides } from './hardening.ts';
import type { FastifyPluginCallback, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Database } from '../db/clients.ts';
import { oidcClient, oidcSettingsFrom, type OidcClient } from '../identity/oidc-client.ts';
import { ROLE_TEXT } from '../identity/permissions.ts';
import { portalSessions, type PortalSession, type SessionLifetimes } from '../identity/portal-sessions.ts';
import { LOGIN_ATTEMPT_MINUTES, portalSignIn } from '../identity/portal-sign-in.ts';
import type { Logger } from '../logger.ts';
import { portalService } from '../portal/portal-service.ts';
import { parseRequest as parse, PeriodParam } from './error-replies.ts';
import { confirmEntry, listObjections, raiseObjection } from '../lists/notice-service.ts';
import { enterpriseSelfCheck } from '../calculator/self-check-service.ts';
import { AppError } from '../errors.ts';
import { SelfCheckBody } from './public-routes.ts';

const ObjectionBody = z.object({ noticeId: z.number().int().positive().max(2_147_483_647), reason: z.string().trim().min(1).max(2000) });
const ConfirmationBody = z.object({
  pointId: z.string().min(1).max(200),
  period: PeriodParam,
  accountNumber: z.string().regex(/^\d{8,32}$/u, 'the account number as printed by the bank: 8 to 32 digits'),
  accountKind: z.enum(['basic', 'social-insurance']).default('basic'),
});
const OBJECTION_TEXT = { open: '处理中', upheld: '异议成立，更正后重新公示', rejected: '异议不成立' } as const;

const SESSION_COOKIE = 'mianshen_portal';
const CSRF_COOKIE = 'mianshen_csrf';
const LOGIN_COOKIE = 'mianshen_login';
const CSRF_HEADER = 'x-csrf-token';

export interface PortalOptions {
  /** Undefined: the sign-in routes answer PORTAL_SIGN_IN_DISABLED (every other route 401). */
  oidc: OidcClient | undefined;
  /** How a citizen's identity number becomes its subject key (today the number itself). */
  personKeyOf: (idNumber: string) => string;
  lifetimes: SessionLifetimes;
  /** Where the browser goes after signing in. */
  home: string;
}

/** The portal options from configuration; `oidc` overrides the OIDC_* settings (the demo's own IdP). */
export function portalOptionsFrom(config: Config, personKeyOf: (idNumber: string) => string, oidc = oidcSettingsFrom(config)): PortalOptions {
  return {
    oidc: oidc ? oidcClient(oidc) : undefined,
    personKeyOf,
    lifetimes: { idleMinutes: config.PORTAL_SESSION_IDLE_MINUTES, absoluteHours: config.PORTAL_SESSION_ABSOLUTE_HOURS },
    home: config.PORTAL_HOME,
  };
}

/**
 * The request as the portal's log lines show it: without the query string, which on the callback
 * carries the authorization code and state (and elsewhere could carry an identifier someone typed).
 */
export const portalLogSerializers = {
  req: (request: FastifyRequest): string => `${request.method} ${request.url.includes('?') ? `${request.url.split('?')[0]}?[query not logged]` : request.url} from ${request.ip}`,
};

const EntryParams = z.object({
  pointId: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'a policy point id, e.g. wengang-fanhuan-2024'),
  period: PeriodParam,
});

// Secure and HttpOnly always; SameSite=Lax so the IdP's top-level redirect back carries the login
// cookie while cross-site subrequests (and form POSTs) carry none of them.
const cookieBase: CookieSerializeOptions = { secure: true, sameSite: 'lax' };
const sessionCookie: CookieSerializeOptions = { ...cookieBase, httpOnly: true, path: '/api/portal' };
// The CSRF cookie is readable by the portal's own pages, which echo it in x-csrf-token.
const csrfCookie: CookieSerializeOptions = { ...cookieBase, httpOnly: false, path: '/' };
const loginCookie: CookieSerializeOptions = { ...cookieBase, httpOnly: true, path: '/api/portal/auth', maxAge: LOGIN_ATTEMPT_MINUTES * 60 };

export function portalRoutes(deps: { db: Database; clock: Clock; log: Logger; portal: PortalOptions; rateLimits?: RateLimitOverrides }): FastifyPluginCallback {
  const sessions = portalSessions(deps.db.orm, deps.clock, deps.portal.lifetimes);
  const signIn = portalSignIn({ orm: deps.db.orm, clock: deps.clock, log: deps.log, oidc: deps.portal.oidc, sessions, personKeyOf: deps.portal.personKeyOf });
  const service = portalService(deps.db);
  const sessionOf = new WeakMap<FastifyRequest, PortalSession>();
  const session = (request: FastifyRequest): PortalSession => {
    const found = sessionOf.get(request);
    if (!found) throw new Error('portal route without the session hook');
    return found;
  };

  return (portal, _options, done) => {
    // Personal data: never cached by a browser or a proxy.
    portal.addHook('onSend', (_request, reply, payload, next) => {
      void reply.header('cache-control', 'no-store');
      next(null, payload);
    });
    portal.addHook('preHandler', async (request) => {
      if ((request.routeOptions.config as { signIn?: boolean }).signIn) return;
      const found = await sessions.authenticate(request.cookies[SESSION_COOKIE]);
      if (request.method !== 'GET' && request.method !== 'HEAD') sessions.checkCsrf(found, request.headers[CSRF_HEADER] as string | undefined);
      sessionOf.set(request, found);
    });

    // Sign-in starts and callbacks are public (no session yet): rate-limited per client address.
    const signInRoute = { config: Object.assign({ signIn: true }, rateLimited('signIn', deps.rateLimits).config) };
    portal.get('/auth/login', signInRoute, async (_request, reply: FastifyReply) => {
      const { loginCookie: value, redirectTo } = await signIn.start();
      void reply.setCookie(LOGIN_COOKIE, value, loginCookie);
      return reply.redirect(redirectTo.href, 302);
    });

    portal.get('/auth/callback', signInRoute, async (request, reply) => {
      // The callback URL is rebuilt on the configured redirect URI, not on the Host header.
      const callback = new URL(deps.portal.oidc?.settings.redirectUri ?? 'http://invalid/');
      callback.search = new URL(request.url, 'http://invalid/').search;
      void reply.clearCookie(LOGIN_COOKIE, loginCookie);
      const opened = await signIn.finish(request.cookies[LOGIN_COOKIE], callback);
      void reply.setCookie(SESSION_COOKIE, opened.token, sessionCookie);
      void reply.setCookie(CSRF_COOKIE, opened.csrfToken, csrfCookie);
      return reply.redirect(deps.portal.home, 303);
    });

    portal.post('/auth/sign-out', async (request, reply) => {
      await sessions.signOut(session(request));
      void reply.clearCookie(SESSION_COOKIE, sessionCookie);
      void reply.clearCookie(CSRF_COOKIE, csrfCookie);
      return { signedOut: true, message: '已退出登录' };
    });

    portal.get('/me', (request) => {
      const { actor, display, createdAt, expiresAt, absoluteExpiresAt } = session(request);
      return { role: actor.role, roleText: ROLE_TEXT[actor.role], subject: display, signedInAt: createdAt, expiresAt, absoluteExpiresAt };
    });

    portal.get('/entitlements', async (request) => {
      const { actor, display } = session(request);
      return { subject: display, entitlements: await service.entitlements(actor) };
    });

    portal.get('/entitlements/:pointId/:period', async (request) => {
      const { pointId, period } = parse(EntryParams, request.params, 'entitlement');
      return { entitlement: await service.entitlement(session(request).actor, pointId, period) };
    });

    portal.get('/payments', async (request) => {
      const { actor, display } = session(request);
      return { subject: display, payments: await service.payments(actor) };
    });

    // 异议 on the subject's own entry of a notice, while the notice is open; and the subject's
    // objections with their decisions (a rejection's reason is shown here).
    portal.post('/objections', async (request) => {
      const { actor } = session(request);
      const body = parse(ObjectionBody, request.body, 'objection');
      return await raiseObjection(deps.db, deps.clock, { ...body, subjectKey: actor.subjectKey, actor });
    });
    portal.get('/objections', async (request) => {
      const { actor } = session(request);
      const rows = await listObjections(deps.db, { subjectKey: actor.subjectKey });
      return { objections: rows.map((o) => ({ id: o.id, noticeId: o.noticeId, pointId: o.pointId, period: o.period, reason: o.reason, raisedAt: o.raisedAt, status: o.status, statusText: OBJECTION_TEXT[o.status], resolution: o.resolution, resolvedAt: o.resolvedAt })) };
    });

    // 确认: the amount and the receiving account, before the deadline.
    portal.post('/confirmations', async (request) => {
      const { actor } = session(request);
      const body = parse(ConfirmationBody, request.body, 'confirmation');
      return await confirmEntry(deps.db, deps.clock, { ...body, subjectKey: actor.subjectKey, actor });
    });

    // 政策计算器 for the signed-in enterprise: its own facts from the database under any answers given.
    // Whatever the body names, the subject is the session's.
    portal.post('/self-check', async (request) => {
      const { actor, display } = session(request);
      if (actor.role !== 'enterprise') throw new AppError('FORBIDDEN', 'The self-check on an own profile is for enterprises; citizens have no enterprise policy points.');
      const body = parse(SelfCheckBody, request.body ?? {}, 'self-check');
      return { subject: display, ...(await enterpriseSelfCheck(deps.db, deps.clock, actor.subjectKey, body)) };
    });
    done();
  };
}
