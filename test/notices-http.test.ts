// 公示, 异议 and 确认 through HTTP (inject): the public notice view needs no session and shows masked
// identifiers only; an enterprise objects to its own entry and confirms its account in the portal; a
// reviewer decides in the staff API and the enterprise sees the decision with its reason.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { buildServer } from '../src/http/server.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { publishNotice } from '../src/lists/notice-service.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { portalSessionHeaders, portalSignInOff } from './support/portal.ts';
import { createStaff, signedInHeaders } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const friday = fixedClock('2024-09-27T02:00:00.000Z');
const during = fixedClock('2024-10-08T02:00:00.000Z');
const A = buildUscc('9', '1', '440305', 'MA5F0301');
const B = buildUscc('9', '1', '440306', 'MA5F0302');
const work = tempDir('notices-http');

let db: TestDatabase;
let app: ReturnType<typeof buildServer>;
let noticeId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  const reviewer = await createStaff(db, ['reviewer']);
  await publishLibrary(db.orm, friday, reviewer, await readLibraryFiles(join(import.meta.dirname, 'fixtures', 'notice-library')));
  const files: [string, string][] = [
    ['samr-registry', `uscc,name,region_code,industry_code,status,org_kind,abnormal_operation\n${A},深圳市甲科技有限公司,440305,C3911,存续,企业,否\n${B},深圳市乙科技有限公司,440306,C3911,存续,企业,否\n`],
    ['hrss-ui-annual', `uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,insured_at_start,insured_at_end,labor_dispatch\n${A},2023,20,1000.00,24,20,0,20,20,否\n${B},2023,20,2000.00,24,20,0,20,20,否\n`],
  ];
  for (const [feedId, text] of files) {
    const path = join(work, `${feedId}.csv`);
    writeFileSync(path, text);
    await importFeed(db, friday, { feedId, input: { path }, asOf: '2024-09-26', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }
  await runToCompletion(db, friday, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 1 });
  noticeId = (await publishNotice(db, friday, { pointId: 'notice-plain', period: '2024', actor: reviewer })).noticeId;
  await publishNotice(db, friday, { pointId: 'notice-confirm', period: '2024', actor: reviewer });
  app = buildServer({ db, log: silentLog, clock: during, portalSecret: 'notices-http-test-secret-0123456789', accounts: accountsOf(db.orm, during), portal: portalSignInOff });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('the public notice', () => {
  it('lists open notices and shows one with masked identifiers, without a session', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/public/notices' });
    expect(list.statusCode).toBe(200);
    expect(list.json<{ notices: { noticeId: number; open: boolean }[] }>().notices.find((n) => n.noticeId === noticeId)).toMatchObject({ open: true });
    const one = await app.inject({ method: 'GET', url: `/api/public/notices/${noticeId}` });
    expect(one.statusCode).toBe(200);
    expect(one.json()).toMatchObject({ statusText: '公示中（至2024-10-10）', entryCount: 2, totalYuan: '3,000.00' });
    expect(one.body).not.toContain(A);
    expect(one.body).toContain(`${A.slice(0, 6)}********${A.slice(14)}`);
    expect((await app.inject({ method: 'GET', url: '/api/public/notices/99999' })).json()).toMatchObject({ code: 'NOTICE_NOT_FOUND' });
    expect((await app.inject({ method: 'GET', url: '/api/public/notices/abc' })).statusCode).toBe(400);
  });
});

describe('objections and confirmation in the portal', () => {
  it('takes the enterprise’s objection to its own entry, and shows it the reviewer’s decision', async () => {
    const headers = await portalSessionHeaders(db.orm, during, { kind: 'subject', role: 'enterprise', subjectKey: A });
    const noCsrf = await app.inject({ method: 'POST', url: '/api/portal/objections', headers: { cookie: headers.cookie }, payload: { noticeId, reason: '金额应为1,500元' } });
    expect(noCsrf.statusCode).toBe(403);
    const raised = await app.inject({ method: 'POST', url: '/api/portal/objections', headers, payload: { noticeId, reason: '我司实缴失业保险费应为1,500元' } });
    expect(raised.statusCode, raised.body).toBe(200);
    const { objectionId } = raised.json<{ objectionId: number }>();

    // B's session cannot see A's objection.
    const other = await portalSessionHeaders(db.orm, during, { kind: 'subject', role: 'enterprise', subjectKey: B });
    expect((await app.inject({ method: 'GET', url: '/api/portal/objections', headers: other })).json()).toEqual({ objections: [] });

    const reviewer = await signedInHeaders(app, db, ['reviewer']);
    const decided = await app.inject({ method: 'POST', url: `/api/staff/objections/${objectionId}/resolve`, headers: reviewer.headers, payload: { decision: 'rejected', reason: '经核对税务数据，2023年实缴为1,000元' } });
    expect(decided.statusCode, decided.body).toBe(200);
    const mine = await app.inject({ method: 'GET', url: '/api/portal/objections', headers });
    expect(mine.json<{ objections: unknown[] }>().objections).toEqual([expect.objectContaining({ id: objectionId, status: 'rejected', statusText: '异议不成立', resolution: '经核对税务数据，2023年实缴为1,000元' })]);
  });

  it('takes a confirmation of the enterprise’s account before the deadline and refuses a malformed account', async () => {
    const headers = await portalSessionHeaders(db.orm, during, { kind: 'subject', role: 'enterprise', subjectKey: B });
    const bad = await app.inject({ method: 'POST', url: '/api/portal/confirmations', headers, payload: { pointId: 'notice-confirm', period: '2024', accountNumber: '6222-0200' } });
    expect(bad.statusCode).toBe(400);
    const ok = await app.inject({ method: 'POST', url: '/api/portal/confirmations', headers, payload: { pointId: 'notice-confirm', period: '2024', accountNumber: '6222020200001234' } });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({ dueOn: '2024-10-08' });
    const again = await app.inject({ method: 'POST', url: '/api/portal/confirmations', headers, payload: { pointId: 'notice-confirm', period: '2024', accountNumber: '6222020200001234' } });
    expect(again.json()).toMatchObject({ code: 'CONFIRMATION_CLOSED' });
  });
});
