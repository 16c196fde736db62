// Fastify application: every error answered from the error catalogue (error-replies.ts); the portal
// plugin (portal-routes.ts) signs enterprises and citizens in over OIDC and serves each its own data,
// in Chinese first; the staff plugin (behind staff sign-in, auth-routes.ts) serves runs, what-if
// simulations, audit history and approvals.
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import type { Database } from '../db/clients.ts';
import type { Logger } from '../logger.ts';
import { catalogueServerOptions, installErrorReplies } from './error-replies.ts';
import { installHardening, rateLimited, type RateLimitOverrides } from './hardening.ts';
import { portalLogSerializers, portalRoutes, type PortalOptions } from './portal-routes.ts';
import { staffRoutes } from './staff-routes.ts';
import { publicNoticeRoutes } from './public-routes.ts';
import { authRoutes } from './auth-routes.ts';
import type { AccountService } from '../identity/account-service.ts';
import type { Clock } from '../clock.ts';

/**
 * The largest request body accepted (Fastify's default, stated so it is a decision): the biggest body
 * any route takes is a what-if request with draft policy files, a few tens of kB. Larger is
 * PAYLOAD_TOO_LARGE (413) from the catalogue. Feed files are imported from disk by the CLI, not posted.
 */
const BODY_LIMIT_BYTES = 1024 * 1024;

export function buildServer(deps: { db: Database; log: Logger; clock: Clock; portalSecret: string; accounts: AccountService; portal: PortalOptions; rateLimits?: RateLimitOverrides }) {
  const app = Fastify({ loggerInstance: deps.log, ...catalogueServerOptions, bodyLimit: BODY_LIMIT_BYTES });
  installErrorReplies(app);
  installHardening(app);
  // Cookies (staff and portal sessions) for every plugin; registered once, at the root.
  app.register(fastifyCookie);

  // For load balancers and probes: healthy only when the database answers. Public and unauthenticated,
  // and it costs a query, so it is rate-limited per client address. Declared in a plugin registered
  // after the rate limiter, as every route must be for its rateLimit config to take effect.
  app.register((scope, _options, done) => {
    scope.get('/health', rateLimited('public', deps.rateLimits), async (_request, reply) => {
      try {
        await deps.db.sql`select 1`;
        return { status: 'ok', database: 'ok' };
      } catch (error) {
        deps.log.warn({ err: error }, 'health check: the database does not answer');
        return reply.status(503).send({ status: 'unavailable', database: 'down' });
      }
    });
    done();
  });

  // 公示 is public: the notices and their masked entries, read-only, rate-limited per client address.
  app.register(publicNoticeRoutes({ db: deps.db, clock: deps.clock, rateLimits: deps.rateLimits }), { prefix: '/api/public' });
  app.register(portalRoutes({ db: deps.db, clock: deps.clock, log: deps.log, portal: deps.portal, rateLimits: deps.rateLimits }), { prefix: '/api/portal', logSerializers: portalLogSerializers });
  app.register(authRoutes({ accounts: deps.accounts, rateLimits: deps.rateLimits }), { prefix: '/api/auth' });
  app.register(staffRoutes({ db: deps.db, clock: deps.clock, accounts: deps.accounts }), { prefix: '/api/staff' });
  return app;
}
