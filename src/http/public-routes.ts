// The public, read-only side: 公示 notices and their entries as anyone may see them (identifiers and
// person names masked at publication). No session; rate-limited per client address.
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { publicNotice, recentNotices } from '../lists/notice-service.ts';
import { parseRequest as parse } from './error-replies.ts';
import { rateLimited, type RateLimitOverrides } from './hardening.ts';

const NoticeParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

export function publicNoticeRoutes(deps: { db: Database; clock: Clock; rateLimits?: RateLimitOverrides }): FastifyPluginCallback {
  return (scope, _options, done) => {
    const limited = rateLimited('public', deps.rateLimits);
    scope.get('/notices', limited, async () => ({ notices: await recentNotices(deps.db, deps.clock) }));
    scope.get('/notices/:id', limited, async (request) => {
      const { id } = parse(NoticeParams, request.params, 'notice id');
      return await publicNotice(deps.db, deps.clock, id);
    });
    done();
  };
}
