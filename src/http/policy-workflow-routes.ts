// Staff API of the policy review workflow (src/policies/policy-workflow.ts): draft, submit, review,
// publish a policy version, read it with its diff and what-if impact, a point's versions, a rollback.
// Every route declares its permission (checked before the handler); the services check again.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { toJson } from '../audit/canonical-json.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { createDraft, getDraft, pointHistory, publishDraft, reviewDraft, rollbackPoint, submitDraft } from '../policies/policy-workflow.ts';
import { staffSession } from './auth-routes.ts';
import { parseRequest as parse } from './error-replies.ts';

const IdParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });
const PointParams = z.object({ pointId: z.string().min(1).max(200) });
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a calendar day YYYY-MM-DD');
const DraftBody = z.object({ file: z.string().min(1).max(500), text: z.string().min(1).max(2_000_000), inForceFrom: Day.optional() });
const ReviewBody = z.object({ decision: z.enum(['approve', 'return']), comment: z.string().trim().max(4000).optional() });
const PublishBody = z.object({ correction: z.string().trim().min(1).max(2000).optional() });
const RollbackBody = z.object({ version: z.number().int().positive(), inForceFrom: Day.optional(), correction: z.string().trim().min(1).max(2000).optional() });

// The routes are added to the staff plugin (staff-routes.ts), inside its session hook.
export function policyWorkflowRoutes(staff: FastifyInstance, deps: { db: Database; clock: Clock }): void {
  staff.post('/policy-versions', { config: { permission: 'policy.author' } }, async (request) => {
    const body = parse(DraftBody, request.body, 'policy version');
    return toJson(await createDraft(deps.db, deps.clock, { ...body, actor: staffSession(request).actor }));
  });

  staff.get('/policy-versions/:id', { config: { permission: 'policy.read' } }, async (request) => {
    const { id } = parse(IdParams, request.params, 'policy version id');
    return toJson(await getDraft(deps.db, id, staffSession(request).actor));
  });

  staff.post('/policy-versions/:id/submit', { config: { permission: 'policy.author' } }, async (request) => {
    const { id } = parse(IdParams, request.params, 'policy version id');
    return toJson(await submitDraft(deps.db, deps.clock, id, staffSession(request).actor));
  });

  staff.post('/policy-versions/:id/review', { config: { permission: 'policy.review' } }, async (request) => {
    const { id } = parse(IdParams, request.params, 'policy version id');
    const body = parse(ReviewBody, request.body, 'review');
    const row = await reviewDraft(deps.db, deps.clock, id, { ...body, actor: staffSession(request).actor });
    return { id: row.id, status: row.status, reviewerId: row.reviewerId, reviewComment: row.reviewComment };
  });

  staff.post('/policy-versions/:id/publish', { config: { permission: 'policy.publish' } }, async (request) => {
    const { id } = parse(IdParams, request.params, 'policy version id');
    const body = parse(PublishBody, request.body ?? {}, 'publication');
    const r = await publishDraft(deps.db, deps.clock, id, { ...body, actor: staffSession(request).actor });
    return { id, status: r.draft.status, libraryHash: r.library.hash, inForceFrom: r.inForceFrom, correction: r.draft.correctionReason, versions: r.versions };
  });

  staff.get('/points/:pointId/versions', { config: { permission: 'policy.read' } }, async (request) => {
    const { pointId } = parse(PointParams, request.params, 'point');
    return toJson(await pointHistory(deps.db, pointId, staffSession(request).actor));
  });

  staff.post('/points/:pointId/rollback', { config: { permission: 'policy.publish' } }, async (request) => {
    const { pointId } = parse(PointParams, request.params, 'point');
    const body = parse(RollbackBody, request.body, 'rollback');
    const r = await rollbackPoint(deps.db, deps.clock, { pointId, ...body, actor: staffSession(request).actor });
    return { pointId, restoredVersion: body.version, fromVersion: r.from, libraryHash: r.library.hash, inForceFrom: r.inForceFrom, versions: r.versions };
  });
}
