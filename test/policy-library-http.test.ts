// The policy library as staff use it: the catalogue filtered by the taxonomy, a document with its
// stored text (every version kept) and each rule's quote marked official or secondary, a draft checked
// as the library would check it (errors with line and column, then its cases and coverage), and a
// skeleton generated from a marked-up paragraph.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { buildServer } from '../src/http/server.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { missingFragment, parseDocumentText } from '../src/policies/document-text.ts';
import { publishLibrary } from '../src/policies/library-registry.ts';
import { loadLibraryFromTexts } from '../src/policies/library.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { portalSignInOff } from './support/portal.ts';
import { createStaff, signedInHeaders } from './support/staff.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const POLICY = readFileSync('test/fixtures/policy2/good.policy.yaml', 'utf8');
const TEXT = readFileSync('test/fixtures/policy2/good.text.md', 'utf8');
const files = (text = TEXT) => [
  { file: 'good/good.policy.yaml', text: POLICY },
  { file: 'good/good.text.md', text },
];
let db: TestDatabase;
let app: ReturnType<typeof buildServer>;
let staff: Record<string, string>;
let reviewer: Record<string, string>;

beforeAll(async () => {
  db = await createTestDatabase();
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), files());
  app = buildServer({ db, log: silentLog, clock, portalSecret: 'library-http-test-secret-0123456789', accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
  staff = (await signedInHeaders(app, db, ['policy_staff'])).headers;
  reviewer = (await signedInHeaders(app, db, ['reviewer'])).headers;
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const get = async (url: string, headers = staff) => {
  const r = await app.inject({ method: 'GET', url, headers });
  return { status: r.statusCode, body: r.json<Record<string, unknown>>() };
};

describe('the policy library for staff', () => {
  it('filters the catalogue by the taxonomy and searches by words', async () => {
    expect((await get(`/api/staff/library?区域=${encodeURIComponent('广东省')}`)).body).toMatchObject({ pointCount: 1, documents: [{ id: 'good', level: 'provincial', points: [{ id: 'test-point' }] }] });
    expect((await get(`/api/staff/library?区域=${encodeURIComponent('全国')}`)).body).toMatchObject({ pointCount: 0, documents: [] });
    expect((await get(`/api/staff/library?level=city`)).body).toMatchObject({ pointCount: 0 });
    expect((await get(`/api/staff/library?q=${encodeURIComponent('测试〔2024〕1号')}`)).body).toMatchObject({ pointCount: 1 });
    const bad = await get(`/api/staff/library?colour=red`);
    expect(bad.status).toBe(400);
  });

  it('shows a document with its stored text and each rule quoted, secondary sources marked, and keeps every text version', async () => {
    const first = await get('/api/staff/documents/good');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ docNumber: '测试〔2024〕1号', issuer: '测试机关', level: 'provincial', sourceUrl: 'https://example.gov.cn/test/1.html', sourceGrade: 'S', text: TEXT });
    const [point] = first.body.points as { conditions: { rule: string; quote: { text: string; secondary: boolean } }[]; exceptions: { quote: { source: string; secondary: boolean } }[] }[];
    expect(point!.conditions[0]).toMatchObject({ rule: 'uiMonthsPaidInFull >= minMonths', quote: { text: '足额缴纳失业保险费12个月以上', secondary: false } });
    expect(point!.exceptions[0]!.quote).toMatchObject({ source: 'reprint', secondary: true });
    const reread = `${TEXT}\n（下略）\n`;
    await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), files(reread));
    const second = await get('/api/staff/documents/good');
    expect(second.body.text).toBe(reread);
    expect((second.body.textVersions as unknown[]).length).toBe(2);
    expect((await get('/api/staff/documents/no-such-doc')).status).toBe(404);
  });

  it('checks a draft as the library would: a wrong quote is an error at its line; a good draft runs its cases with coverage', async () => {
    const wrong = POLICY.replace('足额缴纳失业保险费12个月以上', '足额缴纳失业保险费6个月以上');
    const r = await app.inject({ method: 'POST', url: '/api/staff/policy-check', headers: reviewer, payload: { file: 'good/good.policy.yaml', text: wrong } });
    expect(r.statusCode).toBe(200);
    const body = r.json<{ ok: boolean; errors: { line: number; path: string; message: string }[] }>();
    expect(body.ok).toBe(false);
    expect(body.errors.map((e) => [e.line, e.path])).toEqual([[30, 'points[0].conditions[0].quote']]);
    expect(body.errors[0]!.message).toContain('quoted words not found');
    const good = (await app.inject({ method: 'POST', url: '/api/staff/policy-check', headers: reviewer, payload: { file: 'good/good.policy.yaml', text: POLICY } })).json<{ ok: boolean; tests: { ok: boolean }[]; coverage: { id: string; true: number; false: number }[] }>();
    expect(good.ok).toBe(true);
    expect(good.tests.map((t) => t.ok)).toEqual([true, true, true]);
    expect(good.coverage).toEqual([expect.objectContaining({ id: 'MONTHS', true: 2, false: 1 }), expect.objectContaining({ id: 'DISHONEST', true: 1, false: 2 })]);
    const failing = POLICY.replace('amount: "600.00元"', 'amount: "601.00元"');
    const f = (await app.inject({ method: 'POST', url: '/api/staff/policy-check', headers: reviewer, payload: { file: 'good/good.policy.yaml', text: failing } })).json<{ ok: boolean; tests: { ok: boolean; problems: string[] }[] }>();
    expect(f.ok).toBe(false);
    expect(f.tests[0]!.problems.join()).toContain('amount 600.00元, expected 601.00元');
  });

  it('turns a marked-up paragraph into a skeleton whose quotes are in its text and which does not load until edited', async () => {
    const paragraph = '二、【条件:MONTHS】参保企业足额缴纳失业保险费12个月以上【/】的，【金额】按上年度实际缴纳失业保险费的60%返还【/】。【除外:DISHONEST】严重失信企业不予返还【/】。';
    const r = await app.inject({ method: 'POST', url: '/api/staff/policy-skeleton', headers: staff, payload: { paragraph, pointId: 'x-point', name: '某返还', subject: 'enterprise', article: '二' } });
    expect(r.statusCode).toBe(200);
    const { pointYaml, textSection } = r.json<{ pointYaml: string; textSection: string }>();
    expect(textSection).toContain('二、参保企业足额缴纳失业保险费12个月以上的，按上年度实际缴纳失业保险费的60%返还。严重失信企业不予返还。');
    for (const q of ['参保企业足额缴纳失业保险费12个月以上', '按上年度实际缴纳失业保险费的60%返还', '严重失信企业不予返还']) {
      expect(pointYaml).toContain(`quote: ${q}`);
      expect(missingFragment(parseDocumentText(textSection).sections.get('main')!, q)).toBeNull();
    }
    const doc = POLICY.slice(0, POLICY.indexOf('points:')) + 'points:\n' + pointYaml.split('\n').filter((l) => !l.startsWith('#')).map((l) => `  ${l}`).join('\n');
    const loaded = loadLibraryFromTexts([{ file: 'x/x.policy.yaml', text: doc }, { file: 'x/x.text.md', text: textSection }]);
    expect(loaded.ok).toBe(false);
    const unmarked = await app.inject({ method: 'POST', url: '/api/staff/policy-skeleton', headers: staff, payload: { paragraph: '没有标记的段落', pointId: 'x', name: 'x', subject: 'enterprise', article: '一' } });
    expect(unmarked.statusCode).toBe(400);
    expect(unmarked.json<{ message: string }>().message).toContain('请至少用');
  });
});
