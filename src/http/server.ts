// Fastify application: every error answered from the error catalogue (error-replies.ts); the portal
// plugin (portal-routes.ts) signs enterprises and citizens in over OIDC and serves each its own data,
// in Chinese first; the staff plugin serves runs, what-if simulations and approvals.
import fastifyCookie from '@fastify/cookie';
import Fastify from 'fastify';
import type { Database } from '../db/clients.ts';
import type { Logger } from '../logger.ts';
import { catalogueServerOptions, installErrorReplies } from './error-replies.ts';
import { portalLogSerializers, portalRoutes, type PortalOptions } from './portal-routes.ts';
import { staffRoutes } from './staff-routes.ts';
import type { Clock } from '../clock.ts';

export function buildServer(deps: { db: Database; log: Logger; clock: Clock; portalSecret: string; portal: PortalOptions }) {
  const app = Fastify({ loggerInstance: deps.log, ...catalogueServerOptions });
  installErrorReplies(app);
  // Cookies (portal sessions) for every plugin; registered once, at the root.
  app.register(fastifyCookie);

  // For load balancers and probes: healthy only when the database answers.
  app.get('/health', async (_request, reply) => {
    try {
      await deps.db.sql`select 1`;
      return { status: 'ok', database: 'ok' };
    } catch (error) {
      deps.log.warn({ err: error }, 'health check: the database does not answer');
      return reply.status(503).send({ status: 'unavailable', database: 'down' });
    }
  });

  app.register(portalRoutes({ db: deps.db, clock: deps.clock, log: deps.log, portal: deps.portal }), { prefix: '/api/portal', logSerializers: portalLogSerializers });
  app.register(staffRoutes({ db: deps.db, clock: deps.clock, secret: deps.portalSecret }), { prefix: '/api/staff' });
  return app;
}
