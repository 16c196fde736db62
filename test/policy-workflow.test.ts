// The review workflow of policy versions: draft → submitted (frozen) → approved by a reviewer who is
// not the author → published as a new library; returned with comments; the diff of every changed field
// and the what-if impact stored with the review; a rollback that puts the previous behaviour back.
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { auditLog, policyDrafts } from '../src/db/schema/index.ts';
import { isAppError } from '../src/errors.ts';
import { buildServer } from '../src/http/server.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { latestLibraryHash, publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { createDraft, pointHistory, publishDraft, reviewDraft, rollbackPoint, submitDraft } from '../src/policies/policy-workflow.ts';
import type { StaffActor } from '../src/identity/permissions.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { approvedVersion, edited, GAOLING, GAOLING_FILE, gaolingText, monthAmounts, RAISE } from './support/policy-versions.ts';
import { portalSignInOff } from './support/portal.ts';
import { createStaff, signedInHeaders } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
let author: StaffActor;
let reviewer: StaffActor;
let original: string;

beforeAll(async () => {
  db = await createTestDatabase();
  // The author also holds the reviewer role: only four eyes on account ids stops a self-approval.
  author = await createStaff(db, ['policy_staff', 'reviewer']);
  reviewer = await createStaff(db, ['reviewer']);
  await publishLibrary(db.orm, clock, reviewer, await readLibraryFiles(POLICIES_DIR));
  await loadDemoPopulation(db, clock, { seed: 11, count: 10, persons: 120, dataYear: 2023, asOf: '2024-03-31', dataDir: tempDir('policy-workflow') });
  original = await gaolingText();
});
afterAll(async () => db?.drop());

const audits = (action: string) => db.orm.select().from(auditLog).where(eq(auditLog.action, action));

describe('four eyes on policy versions', () => {
  it('refuses the author approving their own version (typed error), and the database refuses it too', async () => {
    const draft = await createDraft(db, clock, { file: GAOLING_FILE, text: edited(original, RAISE), inForceFrom: '2024-07-01', actor: author });
    await submitDraft(db, clock, draft.id, author);
    const refusal = await reviewDraft(db, clock, draft.id, { decision: 'approve', actor: author }).catch((e: unknown) => e);
    expect(isAppError(refusal, 'POLICY_SELF_APPROVAL_FORBIDDEN')).toBe(true);
    const [row] = await db.orm.select().from(policyDrafts).where(eq(policyDrafts.id, draft.id));
    expect([row!.status, row!.reviewerId]).toEqual(['submitted', null]);
    await expect(db.sql`update policy_drafts set status = 'approved', reviewer_id = author_id, reviewed_at = now() where id = ${draft.id}`).rejects.toThrow(/policy_drafts_reviewer_not_author/);
    // Returned with a comment by another reviewer; a return without one is refused.
    await expect(reviewDraft(db, clock, draft.id, { decision: 'return', actor: reviewer })).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const returned = await reviewDraft(db, clock, draft.id, { decision: 'return', comment: '请附上调整标准的通知原文', actor: reviewer });
    expect([returned.status, returned.reviewerId, returned.reviewComment]).toEqual(['returned', reviewer.accountId, '请附上调整标准的通知原文']);
    await expect(publishDraft(db, clock, draft.id, { actor: reviewer })).rejects.toMatchObject({ code: 'POLICY_STATE_INVALID' });
    expect((await audits('policy.returned')).map((a) => a.entityId)).toEqual([String(draft.id)]);
  });

  it('freezes a submitted version: the database refuses an update of its text or content hash', async () => {
    const draft = await createDraft(db, clock, { file: GAOLING_FILE, text: edited(original, RAISE), actor: author });
    // A draft not yet submitted may still change; once submitted it may not.
    await db.sql`update policy_drafts set in_force_from = '2024-08-01' where id = ${draft.id}`;
    await submitDraft(db, clock, draft.id, author);
    await expect(db.sql`update policy_drafts set text = ${original} where id = ${draft.id}`).rejects.toThrow(/frozen once submitted/);
    await expect(db.sql`update policy_drafts set content_hash = 'x' where id = ${draft.id}`).rejects.toThrow(/frozen once submitted/);
    await expect(db.sql`delete from policy_drafts where id = ${draft.id}`).rejects.toThrow(/never deleted/);
    await expect(submitDraft(db, clock, draft.id, author)).rejects.toMatchObject({ code: 'POLICY_STATE_INVALID' });
  });
});

describe('the diff stored with a submission', () => {
  it('shows every changed field with its old and new value: amount, a condition, a tag, the end date and a test case', async () => {
    const text = edited(
      original,
      ['amount: { expr: monthly, rounding: half-up-fen', 'amount: { expr: monthly + 50元, rounding: half-up-fen'],
      ['{ id: AGE_70, label: 本月内年满70周岁, when: ageYears >= 70岁', '{ id: AGE_70, label: 本月内年满70周岁, when: ageYears >= 65岁'],
      ['主题: [养老, 高龄津贴]', '主题: [养老, 高龄津贴, 民生]'],
      ['effective: { from: 2019-10-01, note:', 'effective: { from: 2019-10-01, to: 2026-12-31, note:'],
      ['{ name: 满70周岁当月开始发放200元, kind: [boundary, typical], period: 2025-03, expect: { outcome: eligible, amount: "200.00元" } }', '{ name: 满70周岁当月开始发放200元, kind: [boundary, typical], period: 2025-03, expect: { outcome: eligible, amount: "250.00元" } }'],
    );
    const draft = await createDraft(db, clock, { file: GAOLING_FILE, text, inForceFrom: '2024-09-01', actor: author });
    const submitted = await submitDraft(db, clock, draft.id, author);
    const diff = submitted.diff as { pointId: string; change: string; changes: { field: string; old: unknown; new: unknown }[] }[];
    const point = diff.find((d) => d.pointId === GAOLING)!;
    expect(point.change).toBe('changed');
    const field = (name: string) => point.changes.find((c) => c.field === name);
    expect(field('amount.expr')).toEqual({ field: 'amount.expr', old: 'monthly', new: 'monthly + 50元' });
    expect(field('conditions[AGE_70].when')).toEqual({ field: 'conditions[AGE_70].when', old: 'ageYears >= 70岁', new: 'ageYears >= 65岁' });
    expect(field('tags.主题')).toEqual({ field: 'tags.主题', old: ['养老', '高龄津贴'], new: ['养老', '高龄津贴', '民生'] });
    expect(field('effective.to')).toEqual({ field: 'effective.to', old: null, new: '2026-12-31' });
    expect(field('tests[满70周岁当月开始发放200元].expect.amountFen')).toEqual({ field: 'tests[满70周岁当月开始发放200元].expect.amountFen', old: '20000', new: '25000' });
    expect(point.changes.map((c) => c.field).sort()).toEqual(['amount.expr', 'conditions[AGE_70].when', 'effective.to', 'tags.主题', 'tests[满70周岁当月开始发放200元].expect.amountFen']);
    // The what-if of the change for the month it takes effect: everyone eligible gains 50元, nobody loses.
    const impact = (submitted.impact as Record<string, { period: string; live: { eligible: number; totalFen: string }; draft: { eligible: number; totalFen: string }; gainers: { count: number }; losers: { count: number }; costChangeFen: string }>)[GAOLING]!;
    expect(impact.period).toBe('2024-09');
    expect(impact.live.eligible).toBeGreaterThan(0);
    expect(impact.draft.eligible).toBeGreaterThanOrEqual(impact.live.eligible);
    expect(impact.gainers.count).toBeGreaterThanOrEqual(impact.live.eligible);
    expect(impact.losers.count).toBe(0);
    expect(BigInt(impact.costChangeFen)).toBe(BigInt(impact.draft.totalFen) - BigInt(impact.live.totalFen));
    expect(BigInt(impact.costChangeFen)).toBeGreaterThan(0n);
  });
});

describe('publishing and rolling back', () => {
  it('publishes an approved version as a new library built from the previous one with this file replaced, audited', async () => {
    const before = await latestLibraryHash(db.orm);
    const stale = await approvedVersion(db, clock, author, reviewer, edited(original, ['主题: [养老, 高龄津贴]', '主题: [养老]']), '2024-07-01');
    const approved = await approvedVersion(db, clock, author, reviewer, edited(original, RAISE), '2024-07-01');
    const published = await publishDraft(db, clock, approved.id, { actor: reviewer });
    expect(published.library.hash).not.toBe(before);
    expect(await latestLibraryHash(db.orm)).toBe(published.library.hash);
    expect(published.versions).toEqual({ [GAOLING]: 2 });
    const files = (await db.sql<{ files: { file: string; text: string }[] }[]>`select files from policy_libraries where hash = ${published.library.hash}`)[0]!.files;
    const previous = (await db.sql<{ files: { file: string; text: string }[] }[]>`select files from policy_libraries where hash = ${before}`)[0]!.files;
    expect(files.filter((f) => f.file !== GAOLING_FILE)).toEqual(previous.filter((f) => f.file !== GAOLING_FILE));
    expect(files.find((f) => f.file === GAOLING_FILE)!.text).toBe(edited(original, RAISE));
    const [audit] = await audits('policy.version-published');
    expect(audit!.payload).toMatchObject({ inForceFrom: '2024-07-01', libraryHash: published.library.hash, previousLibraryHash: before, versions: { [GAOLING]: 2 }, correction: null });
    expect(published.draft.status).toBe('published');
    // A version approved on the text published before would undo this one: refused, to be drafted again.
    await expect(publishDraft(db, clock, stale.id, { actor: reviewer })).rejects.toMatchObject({ code: 'POLICY_STATE_INVALID', message: expect.stringMatching(/diff is out of date/) as unknown });
  });

  it('a rollback restores the previous behaviour and is audited as a rollback naming the version restored', async () => {
    expect((await monthAmounts(db, clock, '2024-08'))['25000']).toBeGreaterThan(0);
    clock.set('2024-06-20T02:00:00.000Z');
    const rolled = await rollbackPoint(db, clock, { pointId: GAOLING, version: 1, actor: reviewer });
    expect([rolled.from, rolled.inForceFrom, rolled.versions]).toEqual([2, '2024-06-20', { [GAOLING]: 1 }]);
    const after = await monthAmounts(db, clock, '2024-08');
    expect(after['25000']).toBeUndefined();
    expect(after['20000']).toBeGreaterThan(0);
    const [audit] = await audits('policy.rolled-back');
    expect(audit!.entityId).toBe(`${GAOLING}@1`);
    expect(audit!.payload).toMatchObject({ pointId: GAOLING, restoredVersion: 1, fromVersion: 2, inForceFrom: '2024-06-20' });
    const history = await pointHistory(db, GAOLING, reviewer);
    expect(history.publications.map((p) => [p.kind, (p.versions as Record<string, number>)[GAOLING], p.inForceFrom])).toEqual([
      ['baseline', 1, null],
      ['publish', 2, '2024-07-01'],
      ['rollback', 1, '2024-06-20'],
    ]);
    // The timeline is append-only.
    await expect(db.sql`update policy_publications set in_force_from = '2024-01-01' where kind = 'rollback'`).rejects.toThrow(/append-only/);
    await expect(db.sql`delete from policy_publications`).rejects.toThrow(/append-only/);
    expect(Number((await db.orm.execute<{ n: number }>(sql`select count(*)::int as n from policy_publications`))[0]!.n)).toBe(3);
  });
});

describe('the staff API of the workflow', () => {
  it('drafts, submits, refuses a self-review with 403, approves by another reviewer and shows the diff', async () => {
    const app = buildServer({ db, log: silentLog, clock, portalSecret: 'policy-workflow-test-secret-0123456789', accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
    try {
      const writer = await signedInHeaders(app, db, ['policy_staff', 'reviewer']);
      const checker = await signedInHeaders(app, db, ['reviewer']);
      const text = edited(original, ['主题: [养老, 高龄津贴]', '主题: [养老, 高龄津贴, 敬老]']);
      const drafted = await app.inject({ method: 'POST', url: '/api/staff/policy-versions', headers: writer.headers, payload: { file: GAOLING_FILE, text, inForceFrom: '2024-12-01' } });
      expect(drafted.statusCode, drafted.body).toBe(200);
      const id = drafted.json<{ id: number }>().id;
      expect((await app.inject({ method: 'POST', url: `/api/staff/policy-versions/${id}/submit`, headers: writer.headers })).statusCode).toBe(200);
      const self = await app.inject({ method: 'POST', url: `/api/staff/policy-versions/${id}/review`, headers: writer.headers, payload: { decision: 'approve' } });
      expect([self.statusCode, self.json<{ code: string }>().code]).toEqual([403, 'POLICY_SELF_APPROVAL_FORBIDDEN']);
      const ok = await app.inject({ method: 'POST', url: `/api/staff/policy-versions/${id}/review`, headers: checker.headers, payload: { decision: 'approve' } });
      expect(ok.json()).toMatchObject({ id, status: 'approved', reviewerId: checker.accountId });
      const shown = (await app.inject({ method: 'GET', url: `/api/staff/policy-versions/${id}`, headers: checker.headers })).json<{ diff: { pointId: string; changes: { field: string; old: unknown; new: unknown }[] }[] }>();
      expect(shown.diff.find((d) => d.pointId === GAOLING)!.changes).toEqual([{ field: 'tags.主题', old: ['养老', '高龄津贴'], new: ['养老', '高龄津贴', '敬老'] }]);
      const history = (await app.inject({ method: 'GET', url: `/api/staff/points/${GAOLING}/versions`, headers: checker.headers })).json<{ drafts: { id: number; status: string }[] }>();
      expect(history.drafts.find((d) => d.id === id)?.status).toBe('approved');
    } finally {
      await app.close();
    }
  });
});
