// Staff API: match run progress and list changes, what-if simulation, and batch approval. Every call
// runs in a staff session (auth-routes.ts): the signed-in account is the actor, every route declares
// its permission (config.permission, checked before the handler), and the services check again.
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import { runProgress } from '../../jobs/match-run.ts';
import { toJson } from '../audit/canonical-json.ts';
import { readAuditHistory, type AuditHistoryQuery } from '../audit/history.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { runSummary } from '../matching/run-service.ts';
import { simulate } from '../matching/what-if.ts';
import { approveBatch, rejectBatch } from '../payouts/payout-service.ts';
import { lineBalances } from '../payouts/budget-ledger.ts';
import { listObjections, publishNotice, resolveObjection } from '../lists/notice-service.ts';
import { maskUscc } from '../subjects/uscc.ts';
import { deadlineReport } from '../supervision/deadlines.ts';
import type { AccountService } from '../identity/account-service.ts';
import { authorize } from '../identity/permissions.ts';
import { staffAuthentication, staffSession } from './auth-routes.ts';
import { libraryRoutes } from './library-routes.ts';
import { policyWorkflowRoutes } from './policy-workflow-routes.ts';
import { PeriodParam, parseRequest as parse } from './error-replies.ts';

// Ids are PostgreSQL integers: a larger number is bad input, not a database error.
const RunParams = z.object({ id: z.coerce.number().int().positive().max(2_147_483_647) });
const Paging = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100), offset: z.coerce.number().int().min(0).default(0) });
const ReasonBody = z.object({ reason: z.string().trim().min(1).max(2000) });
const BudgetQuery = z.object({ pointId: z.string().min(1).max(200).optional(), period: PeriodParam.optional() });
const DeadlineQuery = z.object({ pointId: z.string().min(1).max(200).optional() });
const NoticeBody = z.object({ pointId: z.string().min(1).max(200), period: PeriodParam });
const ObjectionQuery = z.object({ status: z.enum(['open', 'upheld', 'rejected', 'all']).default('open') });
const DecisionBody = z.object({ decision: z.enum(['upheld', 'rejected']), reason: z.string().trim().min(1).max(2000) });
const WhatIfBody = z.object({
  pointId: z.string().min(1),
  period: PeriodParam,
  draftFiles: z.array(z.object({ file: z.string().min(1), text: z.string().min(1) })).min(1),
});

export function staffRoutes(deps: { db: Database; clock: Clock; accounts: AccountService }): FastifyPluginCallback {
  return (staff, _options, done) => {
    staff.addHook('onRequest', staffAuthentication(deps.accounts));

    staff.get('/runs/:id', { config: { permission: 'run.read' } }, async (request) => {
      authorize(staffSession(request).actor, 'run.read');
      const { id } = parse(RunParams, request.params, 'run id');
      const progress = await runProgress(deps.db, id);
      return toJson({ ...progress, summary: progress.status === 'completed' ? await runSummary(deps.db, id) : null });
    });

    staff.get('/runs/:id/changes', { config: { permission: 'list.read' } }, async (request) => {
      authorize(staffSession(request).actor, 'list.read');
      const { id } = parse(RunParams, request.params, 'run id');
      const { limit, offset } = parse(Paging, request.query, 'query');
      const rows = await deps.db.sql<{ subject_key: string; point_id: string; change: string; old_outcome: string | null; new_outcome: string; old_amount_fen: string | null; new_amount_fen: string | null; reason_codes: string[] }[]>`
        select c.subject_key, c.point_id, c.change, c.old_outcome, c.new_outcome, c.old_amount_fen::text, c.new_amount_fen::text, c.reason_codes
        from list_changes c where c.run_id = ${id} order by c.point_id, c.subject_key limit ${limit} offset ${offset}`;
      // Persons are keyed by a pseudonym; staff see the masked 公民身份号码 recorded beside it.
      const keys = rows.map((r) => r.subject_key);
      const persons = new Map((await deps.db.sql<{ k: string; m: string }[]>`select person_key as k, id_masked as m from persons where person_key = any(${keys}::text[])`).map((r) => [r.k, r.m]));
      return { runId: id, changes: rows.map((r) => ({ ...r, subject_key: persons.get(r.subject_key) ?? maskUscc(r.subject_key) })) };
    });

    staff.post('/what-if', { config: { permission: 'whatif.run' } }, async (request) => {
      const body = parse(WhatIfBody, request.body, 'what-if request');
      return toJson(await simulate(deps.db, { ...body, actor: staffSession(request).actor }));
    });

    // Every audit entry about one subject or one payout batch (src/audit/history.ts).
    staff.get('/audit/history', { config: { permission: 'audit.read' } }, async (request) => toJson(await readAuditHistory(deps.db, staffSession(request).actor, request.query as AuditHistoryQuery)));

    staff.post('/batches/:id/approve', { config: { permission: 'batch.approve' } }, async (request) => {
      const { id } = parse(RunParams, request.params, 'batch id');
      const result = await approveBatch(deps.db, deps.clock, { batchId: id, actor: staffSession(request).actor });
      return { batchId: id, status: result.status };
    });

    staff.post('/batches/:id/reject', { config: { permission: 'batch.approve' } }, async (request) => {
      const { id } = parse(RunParams, request.params, 'batch id');
      const { reason } = parse(ReasonBody, request.body, 'rejection');
      return { batchId: id, ...(await rejectBatch(deps.db, deps.clock, { batchId: id, reason, actor: staffSession(request).actor })) };
    });

    // The budget ledger per point, period and line (reserved, committed, paid, released, available).
    staff.get('/budget', { config: { permission: 'budget.read' } }, async (request) => {
      authorize(staffSession(request).actor, 'budget.read');
      const query = parse(BudgetQuery, request.query, 'query');
      return { lines: toJson(await lineBalances(deps.db.orm, query)) };
    });

    // 公示: publish a point's list; 异议: the queue and its decisions.
    staff.post('/notices', { config: { permission: 'notice.publish' } }, async (request) => {
      const body = parse(NoticeBody, request.body, 'notice');
      return toJson(await publishNotice(deps.db, deps.clock, { ...body, actor: staffSession(request).actor }));
    });

    // 电子监察: stage deadlines and the median days from eligibility to payment.
    staff.get('/deadlines', { config: { permission: 'list.read' } }, async (request) => {
      const { pointId } = parse(DeadlineQuery, request.query, 'query');
      const report = await deadlineReport(deps.db, deps.clock, { actor: staffSession(request).actor, ...(pointId === undefined ? {} : { pointId }) });
      return { ...report, warnings: report.warnings.map((w) => ({ ...w, subjectKey: w.subjectKey === null ? null : maskUscc(w.subjectKey) })) };
    });

    staff.get('/objections', { config: { permission: 'list.read' } }, async (request) => {
      authorize(staffSession(request).actor, 'list.read');
      const { status } = parse(ObjectionQuery, request.query, 'query');
      const rows = await listObjections(deps.db, status === 'all' ? {} : { status });
      return { objections: rows.map((o) => ({ ...o, subjectKey: maskUscc(o.subjectKey) })) };
    });

    staff.post('/objections/:id/resolve', { config: { permission: 'objection.resolve' } }, async (request) => {
      const { id } = parse(RunParams, request.params, 'objection id');
      const body = parse(DecisionBody, request.body, 'decision');
      await resolveObjection(deps.db, deps.clock, { objectionId: id, ...body, actor: staffSession(request).actor });
      return { objectionId: id, status: body.decision };
    });

    policyWorkflowRoutes(staff, deps);
    libraryRoutes(staff, deps);
    done();
  };
}
