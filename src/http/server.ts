// Fastify application: every error answered from the error catalogue (error-replies.ts); the portal
// plugin serves an enterprise its own entitlements, in Chinese first; the staff plugin serves runs,
// what-if simulations and approvals.
import Fastify from 'fastify';
import type { Database } from '../db/clients.ts';
import type { Logger } from '../logger.ts';
import { formatYuan, roundingLabels, type Rounding } from '../money.ts';
import { explainEntry } from '../matching/explain-service.ts';
import { entitlementsOf } from './entitlements-repository.ts';
import { catalogueServerOptions, installErrorReplies } from './error-replies.ts';
import { authenticate } from './portal-tokens.ts';
import { staffRoutes } from './staff-routes.ts';
import type { Clock } from '../clock.ts';

const OUTCOME_TEXT = { eligible: '符合条件', ineligible: '不符合条件', undetermined: '数据不全，暂无法判定' } as const;
const STATUS_TEXT = { listed: '已列入拟享受名单', batched: '已纳入拨付批次', paid: '已拨付', payment_failed: '拨付失败，正在核实' } as const;

export function buildServer(deps: { db: Database; log: Logger; clock: Clock; portalSecret: string }) {
  const app = Fastify({ loggerInstance: deps.log, ...catalogueServerOptions });
  installErrorReplies(app);

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

  app.register(
    (portal, _options, done) => {
      portal.decorateRequest('uscc', '');
      // Callback-style hook: nothing to await; Fastify turns what authenticate throws into the reply.
      portal.addHook('onRequest', (request, _reply, next) => {
        (request as unknown as { uscc: string }).uscc = authenticate(deps.portalSecret, 'portal', request.headers.authorization);
        next();
      });
      // The subject comes from the token, never from the URL: an enterprise sees only its own data.
      portal.get('/entitlements', async (request) => {
        const uscc = (request as unknown as { uscc: string }).uscc;
        const items = await entitlementsOf(deps.db.orm, uscc);
        const entitlements = [];
        for (const item of items) {
          // Why, in plain Chinese with citations: re-derived from the pinned library and snapshot.
          const why = await explainEntry(deps.db, { subjectKey: uscc, pointId: item.pointId, period: item.period });
          entitlements.push({
            ...item,
            amountFen: item.amountFen?.toString() ?? null,
            ruleAmountFen: item.ruleAmountFen?.toString() ?? null,
            amountYuan: item.amountFen === null ? null : formatYuan(item.amountFen),
            roundingText: item.rounding ? roundingLabels[item.rounding as Rounding] : null,
            outcomeText: OUTCOME_TEXT[item.outcome],
            statusText: STATUS_TEXT[item.status],
            explanation: why.lines,
            // accountNumber is the masked form: payments keep no clear account.
            payment: item.payment,
          });
        }
        return { uscc, entitlements };
      });
      done();
    },
    { prefix: '/api/portal' },
  );
  app.register(staffRoutes({ db: deps.db, clock: deps.clock, secret: deps.portalSecret }), { prefix: '/api/staff' });
  return app;
}
