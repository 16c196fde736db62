// The staff API through Fastify's inject: run progress and changes, what-if simulation (which writes
// nothing), and four-eyes approval by the signed-in account (its id, not a name).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { buildServer } from '../src/http/server.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { createStaff, signedInHeaders } from './support/staff.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { prepareBatch } from '../src/payouts/payout-service.ts';
import { publishLibrary, readLibraryFiles, type LibraryFile } from '../src/policies/library-registry.ts';
import type { RunProgress } from '../jobs/match-run.ts';
import type { RunSummary } from '../src/matching/run-service.ts';
import type { WhatIfReport } from '../src/matching/what-if.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { noticeLapsed } from './support/notice.ts';
import { portalSessionHeaders, portalSignInOff } from './support/portal.ts';
import type { Wire } from './support/expect.ts';
import { tempDir } from './support/temp.ts';

type RunReply = Wire<RunProgress & { summary: RunSummary | null }>;
type ChangesReply = { runId: number; changes: { change: string; subject_key: string }[] };

const SECRET = 'staff-test-secret-0123456789';
const clock = fixedClock('2024-06-15T02:00:00.000Z');
let db: TestDatabase;
let app: ReturnType<typeof buildServer>;
let runId: number;
let batchId: number;
let files: LibraryFile[];
type Signed = Awaited<ReturnType<typeof signedInHeaders>>;
const sessions: Record<'policy' | 'zhang' | 'wang', Signed> = {} as never;
const auth = (who: keyof typeof sessions) => sessions[who].headers;
const listChecksum = async () => (await db.sql<{ c: string }[]>`select md5(string_agg(subject_key || point_id || outcome || coalesce(amount_fen::text, ''), ',' order by subject_key, point_id)) as c from list_entries`)[0]!.c;

beforeAll(async () => {
  db = await createTestDatabase();
  files = await readLibraryFiles(POLICIES_DIR);
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), files);
  await loadDemoPopulation(db, clock, { seed: 3, count: 400, dataYear: 2023, asOf: '2024-03-31', dataDir: tempDir('staff') });
  runId = (await runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'staff:policy.li', shards: 3 })).runId;
  app = buildServer({ db, log: silentLog, clock, portalSecret: SECRET, accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
  sessions.policy = await signedInHeaders(app, db, ['policy_staff']);
  // zhang holds both finance roles: only four eyes on ids keeps him from approving his own batch.
  sessions.zhang = await signedInHeaders(app, db, ['finance_officer', 'finance_approver']);
  sessions.wang = await signedInHeaders(app, db, ['finance_approver']);
  const zhang = { kind: 'staff' as const, accountId: sessions.zhang.accountId, roles: ['finance_officer', 'finance_approver'] as const };
  // Below the second-approval amount: one approver suffices here (identity-four-eyes tests the second).
  const { after } = await noticeLapsed(db, clock, 'wengang-fanhuan-2024', '2024');
  batchId = (await prepareBatch(db, after, { pointId: 'wengang-fanhuan-2024', period: '2024', actor: { ...zhang, roles: [...zhang.roles] }, secondApprovalAboveFen: 10n ** 15n })).batchId;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const draftWith = (from: string, to: string) => {
  const file = files.find((f) => f.file.endsWith('rsbf-2024-40.policy.yaml'))!;
  expect(file.text).toContain(from);
  return [{ file: file.file, text: file.text.replace(from, to) }];
};

describe('staff API', () => {
  it('refuses requests without a staff token (401), and a signed-in enterprise\'s portal session (401)', async () => {
    expect((await app.inject({ url: `/api/staff/runs/${runId}` })).statusCode).toBe(401);
    const [firm] = await db.sql<{ uscc: string }[]>`select uscc from enterprises order by uscc limit 1`;
    const portal = await portalSessionHeaders(db.orm, clock, { kind: 'subject', role: 'enterprise', subjectKey: firm!.uscc });
    expect((await app.inject({ url: '/api/portal/me', headers: portal })).statusCode).toBe(200);
    const wrongKind = await app.inject({ url: `/api/staff/runs/${runId}`, headers: portal });
    expect(wrongKind.statusCode).toBe(401);
    expect(wrongKind.json()).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('reports a finished run at 100% with per-point counts', async () => {
    const body = (await app.inject({ url: `/api/staff/runs/${runId}`, headers: auth('policy') })).json<RunReply>();
    expect(body).toMatchObject({ runId, status: 'completed', percent: 100, shardCount: 3, shardsDone: 3 });
    const point = body.summary?.points.find((p) => p.pointId === 'wengang-fanhuan-2024');
    expect(point?.eligible).toBeGreaterThan(100);
    expect(point?.totalFen).toMatch(/^\d+$/);
  });

  it('lists the run’s changes with identifiers masked', async () => {
    const body = (await app.inject({ url: `/api/staff/runs/${runId}/changes?limit=50`, headers: auth('policy') })).json<ChangesReply>();
    expect(body.changes).toHaveLength(50);
    for (const c of body.changes) {
      expect(c.change).toBe('added');
      expect(c.subject_key).toMatch(/^[0-9A-Z]{6}\*{8}[0-9A-Z]{4}$/);
    }
    expect((await app.inject({ url: `/api/staff/runs/${runId}/changes?limit=0`, headers: auth('policy') })).json()).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('simulates a higher 中小微 rate: everyone 中小微 gains, nobody loses, nothing live changes', async () => {
    const before = await listChecksum();
    const response = await app.inject({
      method: 'POST',
      url: '/api/staff/what-if',
      headers: auth('policy'),
      payload: { pointId: 'wengang-fanhuan-2024', period: '2024', draftFiles: draftWith('value: 60%, cite: "人社部发〔2024〕40号 二：中小微企业按不超过60%返还"', 'value: 70%, cite: "人社部发〔2024〕40号 二：中小微企业按不超过60%返还"') },
    });
    expect(response.statusCode).toBe(200);
    const report = response.json<Wire<WhatIfReport>>();
    expect(report.draft.eligible).toBe(report.live.eligible);
    expect(BigInt(report.draft.totalFen)).toBeGreaterThan(BigInt(report.live.totalFen));
    expect(report.losers.count).toBe(0);
    const sme = report.bySize.filter((b) => b.key !== '大型').reduce((s, b) => s + b.live.eligible, 0);
    expect(report.gainers.count).toBe(sme);
    const districtTotal = report.byDistrict.reduce((s, b) => s + BigInt(b.draft.totalFen), 0n);
    expect(districtTotal).toBe(BigInt(report.draft.totalFen));
    expect(report.gainers.top[0]?.subject).toMatch(/\*{8}/);
    expect(await listChecksum()).toBe(before);
  });

  it('simulates a stricter condition: some firms lose their entitlement', async () => {
    const report = (
      await app.inject({
        method: 'POST',
        url: '/api/staff/what-if',
        headers: auth('policy'),
        payload: { pointId: 'wengang-fanhuan-2024', period: '2024', draftFiles: draftWith('value: 12个月, cite: "人社部发〔2024〕40号 二：参保企业足额缴纳失业保险费12个月以上"', 'value: 36个月, cite: "人社部发〔2024〕40号 二：参保企业足额缴纳失业保险费12个月以上"') },
      })
    ).json<Wire<WhatIfReport>>();
    expect(report.losers.noLongerEligible).toBeGreaterThan(0);
    expect(report.draft.eligible).toBe(report.live.eligible - report.losers.noLongerEligible);
    expect(report.gainers.count).toBe(0);
  });

  it('lets a finance approver approve a batch through the API, but never the preparer, even holding both roles', async () => {
    const own = await app.inject({ method: 'POST', url: `/api/staff/batches/${batchId}/approve`, headers: auth('zhang') });
    expect(own.statusCode).toBe(403);
    expect(own.json()).toMatchObject({ code: 'SELF_APPROVAL_FORBIDDEN' });
    const other = await app.inject({ method: 'POST', url: `/api/staff/batches/${batchId}/approve`, headers: auth('wang') });
    expect(other.json()).toEqual({ batchId, status: 'approved' });
    const [audit] = await db.sql<{ actor: string }[]>`select actor from audit_log where action = 'batch.approved' and entity_id = ${String(batchId)}`;
    expect(audit!.actor).toBe(`account:${sessions.wang.accountId}`);
  });
});
