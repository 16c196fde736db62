// 政策计算器 through HTTP (inject) on the published policies/ library: the anonymous self-check and its
// questions, the signed-in enterprise's self-check on its own facts, and the verdicts equal to
// evaluatePoint's on the same facts (the calculator holds no copy of any rule).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfCheck } from '../src/calculator/self-check.ts';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { buildServer } from '../src/http/server.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { SYSTEM_ACTOR } from '../src/identity/permissions.ts';
import { buildLibrary, publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { evaluatePoint } from '../src/rules/lang/evaluate.ts';
import { parsePeriod } from '../src/rules/lang/period.ts';
import { buildUscc, maskUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { portalSessionHeaders, portalSignInOff } from './support/portal.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-09-27T02:00:00.000Z');
const A = buildUscc('9', '1', '440305', 'MA5F0401');
const B = buildUscc('9', '1', '440306', 'MA5F0402');
const work = tempDir('self-check');

let db: TestDatabase;
let app: ReturnType<typeof buildServer>;

interface Item {
  pointId: string;
  outcome: string;
  outcomeText: string;
  amount: { kind: string; amountFen?: string; minFen?: string; maxFen?: string | null; text: string; dependsOn?: { name: string; zh: string }[] } | null;
  missing: { name: string; zh: string }[];
  failed: { id: string; label: string }[];
  citation: { docNumber: string; article: string; quote: string | null };
  tags: Record<string, string[]>;
  delivery: string;
  factsUsed: { name: string; from: string; value?: unknown }[];
  explanation: string[];
}
type Result = { period: string; items: Item[]; notes: string[]; subject?: string };

beforeAll(async () => {
  db = await createTestDatabase();
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  const files: [string, string][] = [
    ['samr-registry', `uscc,name,region_code,industry_code,status,org_kind,abnormal_operation\n${A},深圳市甲制造有限公司,440305,C3911,存续,企业,否\n${B},深圳市乙制造有限公司,440306,C3911,存续,企业,否\n`],
    ['hrss-ui-annual', `uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,insured_at_start,insured_at_end,labor_dispatch\n${A},2023,20,1000.00,24,20,0,20,20,否\n${B},2023,20,7777.00,24,20,0,20,20,否\n`],
  ];
  for (const [feedId, text] of files) {
    const path = join(work, `${feedId}.csv`);
    writeFileSync(path, text);
    await importFeed(db, clock, { feedId, input: { path }, asOf: '2024-09-26', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }
  app = buildServer({ db, log: silentLog, clock, portalSecret: 'self-check-test-secret-0123456789', accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
});
afterAll(async () => {
  await app?.close();
  await db?.drop();
});

const anonymous = async (body: unknown) => app.inject({ method: 'POST', url: '/api/public/self-check', payload: body as object });
const shenzhenSme = { period: '2024', region: '440305', industry: 'C3911', size: '中型', headcount: 200, answers: { revenueFen: 15_000_000_000, littleGiantDate: '2024-07-01' } };

describe('the anonymous self-check', () => {
  it('lists for a Shenzhen manufacturing SME a point it may qualify for, with its amount, citation, tags and 兑现方式', async () => {
    const reply = await anonymous({ ...shenzhenSme, answers: { ...shenzhenSme.answers, seriousDishonest: false } });
    expect(reply.statusCode, reply.body).toBe(200);
    const result = reply.json<Result>();
    expect(result.period).toBe('2024');
    const item = result.items.find((i) => i.pointId === 'zjtx-xiaojuren')!;
    expect(item).toMatchObject({ outcome: 'eligible', outcomeText: '可能符合', delivery: '免申即享', amount: { kind: 'exact', amountFen: '100000000' } });
    expect(item.citation.docNumber).toContain('广东省');
    expect(item.citation.quote).toContain('100万元');
    expect(item.tags['区域']).toEqual(['广东省']);
    expect(item.explanation.join('\n')).toMatch(/结论：符合条件/);
    // Eligible ones come first, the larger amount first.
    const outcomes = result.items.map((i) => i.outcome);
    expect(outcomes.indexOf('undetermined') === -1 || outcomes.lastIndexOf('eligible') < outcomes.indexOf('undetermined')).toBe(true);
    expect(outcomes).not.toContain('ineligible');
  });

  it('lists what is missing for an undetermined point, with zh labels, and its amount or range from the rule', async () => {
    const result = (await anonymous(shenzhenSme)).json<Result>();
    // 严重失信 not answered: the 小巨人 reward waits for it; its amount is known if eligible.
    const giant = result.items.find((i) => i.pointId === 'zjtx-xiaojuren')!;
    expect(giant).toMatchObject({ outcome: 'undetermined', outcomeText: '还需补充', amount: { kind: 'if-eligible', amountFen: '100000000' } });
    expect(giant.missing).toEqual([{ name: 'seriousDishonest', zh: '严重违法失信主体' }]);
    // 稳岗返还: the unemployment-insurance figures are missing; the amount grows with the contributions paid, without a cap.
    const wengang = result.items.find((i) => i.pointId === 'wengang-fanhuan-2024')!;
    expect(wengang.outcome).toBe('undetermined');
    expect(wengang.missing.map((m) => m.name)).toEqual(expect.arrayContaining(['uiContributionsPaidFen', 'avgInsured', 'status']));
    expect(wengang.missing.find((m) => m.name === 'uiContributionsPaidFen')?.zh).toBe('上年度失业保险实缴');
    expect(wengang.amount).toMatchObject({ kind: 'range', minFen: '0', maxFen: null, dependsOn: [{ name: 'uiContributionsPaidFen', zh: '上年度失业保险实缴' }] });
    // Given the contributions, the amount is exact if eligible: the rule's own rate.
    const given = (await anonymous({ ...shenzhenSme, answers: { ...shenzhenSme.answers, uiContributionsPaidFen: 100_000 } })).json<Result>();
    const exact = given.items.find((i) => i.pointId === 'wengang-fanhuan-2024')!;
    expect(exact.amount?.kind).toBe('if-eligible');
    expect(Number(exact.amount?.amountFen)).toBeGreaterThan(0);
    expect(Number(exact.amount?.amountFen)).toBeLessThanOrEqual(100_000);
    // Undetermined after eligible.
    const first = result.items.findIndex((i) => i.outcome === 'undetermined');
    expect(result.items.slice(first).every((i) => i.outcome === 'undetermined')).toBe(true);
    // Size without staff and revenue is only a note.
    const sized = (await anonymous({ period: '2024', region: '440305', size: '小型' })).json<Result>();
    expect(sized.notes.join('')).toMatch(/划型/);
  });

  it('lists ineligible points with the failed condition only when asked', async () => {
    const result = (await anonymous({ ...shenzhenSme, answers: { ...shenzhenSme.answers, seriousDishonest: false }, includeIneligible: true })).json<Result>();
    const dongguan = result.items.find((i) => i.pointId === 'gaoqi-shouci');
    expect(dongguan).toMatchObject({ outcome: 'ineligible', outcomeText: '不符合' });
    expect(dongguan!.failed.length).toBeGreaterThan(0);
    expect(dongguan!.failed[0]!.label).toMatch(/[\u4e00-\u9fff]/);
    expect(result.items.at(-1)!.outcome).toBe('ineligible');
  });

  it('refuses an unknown fact name, and a value of the wrong type, with the typed error naming the field', async () => {
    const unknown = await anonymous({ ...shenzhenSme, answers: { ...shenzhenSme.answers, notAFact: 1 } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'SELF_CHECK_ANSWER_INVALID', fields: ['answers.notAFact'] });
    expect(unknown.json<{ messageZh: string }>().messageZh).toContain('answers.notAFact');
    const wrongType = await anonymous({ ...shenzhenSme, answers: { staff: 'many' } });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ code: 'SELF_CHECK_ANSWER_INVALID', fields: ['answers.staff'] });
    const badRegion = await anonymous({ region: 'Shenzhen' });
    expect(badRegion.json()).toMatchObject({ code: 'SELF_CHECK_ANSWER_INVALID', fields: ['region'] });
    // A person's fact is not an enterprise's answer.
    expect((await anonymous({ answers: { birthDate: '1990-01-01' } })).json()).toMatchObject({ fields: ['answers.birthDate'] });
    expect((await anonymous({ period: '2024-13' })).json()).toMatchObject({ code: 'BAD_REQUEST', fields: ['period'] });
  });

  it('is rate-limited per client address like the other public routes', async () => {
    const limited = buildServer({ db, log: silentLog, clock, portalSecret: 'self-check-test-secret-0123456789', accounts: accountsOf(db.orm, clock), portal: portalSignInOff, rateLimits: { public: { max: 2, timeWindowMs: 60_000 } } });
    try {
      const ask = () => limited.inject({ method: 'POST', url: '/api/public/self-check', payload: shenzhenSme, remoteAddress: '10.0.0.7' });
      expect([(await ask()).statusCode, (await ask()).statusCode, (await ask()).statusCode]).toEqual([200, 200, 429]);
      const questions = await limited.inject({ method: 'GET', url: '/api/public/self-check/questions', remoteAddress: '10.0.0.8' });
      expect(questions.statusCode).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('lists the askable facts derived from the library: a fact a point reads appears, with the points that read it', async () => {
    const reply = await app.inject({ method: 'GET', url: '/api/public/self-check/questions' });
    expect(reply.statusCode).toBe(200);
    const { facts } = reply.json<{ facts: { name: string; zh: string; type: string; unit: string | null; points: { id: string }[] }[] }>();
    const giant = facts.find((f) => f.name === 'littleGiantDate');
    expect(giant).toMatchObject({ zh: '专精特新“小巨人”认定日期', type: '日期或无' });
    expect(giant!.points.map((p) => p.id)).toContain('zjtx-xiaojuren');
    // Read through the derived 企业划型 (sizeClass), not written in any point.
    expect(facts.find((f) => f.name === 'staff')).toMatchObject({ unit: 'person' });
    expect(facts.find((f) => f.name === 'uiContributionsPaidFen')).toMatchObject({ unit: 'fen' });
    // Only enterprise facts, and only the ones the library reads.
    expect(facts.find((f) => f.name === 'birthDate')).toBeUndefined();
    const library = buildLibrary(await readLibraryFiles(POLICIES_DIR));
    const read = new Set(library.points.filter((p) => p.subject === 'enterprise').flatMap((p) => facts.filter((f) => f.points.some((q) => q.id === p.id)).map((f) => f.name)));
    expect(read.size).toBe(facts.length);
  });
});

describe('the signed-in self-check', () => {
  it("uses the enterprise's own facts, marks which came from the profile and which from answers, and never another's", async () => {
    const headers = await portalSessionHeaders(db.orm, clock, { kind: 'subject', role: 'enterprise', subjectKey: A });
    const ask = async (body: object) => app.inject({ method: 'POST', url: '/api/portal/self-check', headers, payload: body });
    const own = await ask({ period: '2024', answers: { seriousDishonest: false, revenueFen: 5_000_000_000 } });
    expect(own.statusCode, own.body).toBe(200);
    const result = own.json<Result>();
    expect(result.subject).toBe(A);
    const wengang = result.items.find((i) => i.pointId === 'wengang-fanhuan-2024')!;
    expect(wengang.outcome, JSON.stringify(wengang.missing)).toBe('eligible');
    // A paid 1000.00 元: the amount is A's, not B's (7777.00 元).
    expect(wengang.amount).toMatchObject({ kind: 'exact' });
    const aAmount = BigInt(wengang.amount!.amountFen!);
    expect(aAmount).toBeGreaterThan(0n);
    expect(aAmount).toBeLessThanOrEqual(100_000n);
    expect(wengang.factsUsed.find((f) => f.name === 'uiContributionsPaidFen')).toMatchObject({ from: 'profile', value: 100_000 });
    expect(wengang.factsUsed.find((f) => f.name === 'seriousDishonest')).toMatchObject({ from: 'answer', value: false });
    expect(wengang.factsUsed.find((f) => f.name === 'status')).toMatchObject({ from: 'profile', value: '存续' });
    // Naming B in the body changes nothing.
    const named = await ask({ period: '2024', answers: { seriousDishonest: false, revenueFen: 5_000_000_000 }, uscc: B, subjectKey: B, subject: B });
    expect(named.statusCode).toBe(200);
    expect(named.json<Result>().items).toEqual(result.items);
    expect(named.body).not.toContain(B);
    expect(named.body).not.toContain(maskUscc(B));
    expect(named.body).not.toContain('777700');
    // And B asking gets its own.
    const bHeaders = await portalSessionHeaders(db.orm, clock, { kind: 'subject', role: 'enterprise', subjectKey: B });
    const theirs = (await app.inject({ method: 'POST', url: '/api/portal/self-check', headers: bHeaders, payload: { period: '2024', answers: { seriousDishonest: false } } })).json<Result>();
    expect(theirs.items.find((i) => i.pointId === 'wengang-fanhuan-2024')!.factsUsed.find((f) => f.name === 'uiContributionsPaidFen')).toMatchObject({ value: 777_700 });
    // An answer overrides the profile.
    const overridden = (await ask({ period: '2024', answers: { seriousDishonest: false, revenueFen: 5_000_000_000, uiContributionsPaidFen: 200_000 } })).json<Result>();
    expect(overridden.items.find((i) => i.pointId === 'wengang-fanhuan-2024')!.factsUsed.find((f) => f.name === 'uiContributionsPaidFen')).toMatchObject({ from: 'answer', value: 200_000 });
  });

  it('needs a session', async () => {
    const reply = await app.inject({ method: 'POST', url: '/api/portal/self-check', payload: {} });
    expect(reply.statusCode).toBe(401);
  });
});

describe('the calculator and the engine', () => {
  it("gives evaluatePoint's verdict and amount for every point's own test cases (no separate copy of the rules)", async () => {
    const library = buildLibrary(await readLibraryFiles(POLICIES_DIR));
    let compared = 0;
    for (const point of library.points.filter((p) => p.subject === 'enterprise')) {
      for (const t of point.tests) {
        const period = parsePeriod(t.period);
        const facts = t.facts;
        const [item] = selfCheck({ points: [point], period, answers: facts, includeIneligible: true }).items;
        const ev = evaluatePoint(point, facts, period);
        if (!ev.inEffect) {
          expect(item).toBeUndefined();
          continue;
        }
        expect(item?.outcome, `${point.id}: ${t.name}`).toBe(ev.outcome);
        expect(item?.outcome).toBe(t.expect.outcome);
        if (ev.outcome === 'eligible') expect(item?.amount).toMatchObject({ kind: 'exact', amountFen: ev.amountFen!.toString() });
        expect(item?.missing.map((m) => m.name)).toEqual(ev.missingFacts);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(20);
  });
});
