// The public, read-only side: 公示 notices and their entries as anyone may see them (identifiers and
// person names masked at publication), and the anonymous 政策计算器 (src/calculator). No session; rate-limited
// per client address.
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { anonymousSelfCheck, selfCheckQuestions } from '../calculator/self-check-service.ts';
import { publicNotice, recentNotices } from '../lists/notice-service.ts';
import { parseRequest as parse, PeriodParam } from './error-replies.ts';
import { rateLimited, type RateLimitOverrides } from './hardening.ts';

/**
 * The 政策计算器's questionnaire: region (GB/T 2260), industry (GB/T 4754), size, headcount, and any other
 * enterprise fact by its dictionary name under `answers` (the dictionary checks names, types and ranges).
 * Keys it does not know at the top level are ignored; an unknown fact name under `answers` is refused.
 */
export const SelfCheckBody = z.object({
  period: PeriodParam.optional(),
  region: z.string().max(12).optional(),
  industry: z.string().max(8).optional(),
  size: z.enum(['大型', '中型', '小型', '微型']).optional(),
  headcount: z.number().optional(),
  answers: z
    .record(z.string().max(100), z.unknown())
    .refine((a) => Object.keys(a).length <= 100, 'at most 100 answers')
    .optional(),
  includeIneligible: z.boolean().optional(),
});

const NoticeParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });

export function publicNoticeRoutes(deps: { db: Database; clock: Clock; rateLimits?: RateLimitOverrides }): FastifyPluginCallback {
  return (scope, _options, done) => {
    const limited = rateLimited('public', deps.rateLimits);
    scope.get('/notices', limited, async () => ({ notices: await recentNotices(deps.db, deps.clock) }));
    scope.get('/notices/:id', limited, async (request) => {
      const { id } = parse(NoticeParams, request.params, 'notice id');
      return await publicNotice(deps.db, deps.clock, id);
    });
    // 政策计算器, anonymous: from the answers alone, against the published library.
    scope.get('/self-check/questions', limited, async () => await selfCheckQuestions(deps.db));
    scope.post('/self-check', limited, async (request) => await anonymousSelfCheck(deps.db, deps.clock, parse(SelfCheckBody, request.body ?? {}, 'self-check')));
    done();
  };
}
