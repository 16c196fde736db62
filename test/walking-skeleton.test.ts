// The whole chain once, on real PostgreSQL: policy file -> demo data -> match (through pg-boss) ->
// list -> batch approved by a second person -> sandbox bank -> reconciled -> portal; audit verified.
import { generateKeyPairSync } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { and, eq } from 'drizzle-orm';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/audit-trail.ts';
import { auditSigner } from '../src/audit/checkpoints.ts';
import { fixedClock } from '../src/clock.ts';
import { runCycle, type CycleSummary } from '../src/cycle.ts';
import { enterprises, listEntries, payments, payoutBatches } from '../src/db/schema/index.ts';
import { buildServer } from '../src/http/server.ts';
import { explainEntry } from '../src/matching/explain-service.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { stringContaining } from './support/expect.ts';
import { startBoss } from './support/boss.ts';
import { accountsOf } from '../src/identity/account-service.ts';
import { portalSessionHeaders, portalSignInOff } from './support/portal.ts';
import { tempDir } from './support/temp.ts';

const POINT = 'wengang-fanhuan-2024';
let db: TestDatabase;
let boss: PgBoss;
let summary: CycleSummary;
const clock = fixedClock('2024-06-15T02:00:00.000Z');

async function usccOf(name: string): Promise<string> {
  const [row] = await db.orm.select({ uscc: enterprises.uscc }).from(enterprises).where(eq(enterprises.name, `深圳市${name}有限公司`));
  if (!row) throw new Error(`no enterprise named ${name}`);
  return row.uscc;
}

async function entryOf(name: string) {
  const uscc = await usccOf(name);
  const [row] = await db.orm
    .select({ entry: listEntries, payment: payments })
    .from(listEntries)
    .leftJoin(payments, and(eq(payments.subjectKey, listEntries.subjectKey), eq(payments.idempotencyKey, listEntries.idempotencyKey)))
    .where(and(eq(listEntries.subjectKey, uscc), eq(listEntries.pointId, POINT)));
  if (!row) throw new Error(`no list entry for ${name}`);
  return { uscc, ...row };
}

async function isListed(name: string): Promise<boolean> {
  const uscc = await usccOf(name);
  return (await db.orm.select().from(listEntries).where(and(eq(listEntries.subjectKey, uscc), eq(listEntries.pointId, POINT)))).length > 0;
}

async function explanationOf(name: string) {
  return explainEntry(db, { subjectKey: await usccOf(name), pointId: POINT, period: '2024' }, summary.staff.reviewer);
}

beforeAll(async () => {
  db = await createTestDatabase();
  boss = await startBoss(db, clock);
  summary = await runCycle({ db, boss, clock, log: silentLog, auditSigner: auditSigner(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }, { seed: 7, enterprises: 80, dataDir: tempDir('e2e') });
});

afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 2000 });
  await db?.drop();
});

describe('walking skeleton: 稳岗返还 2024 from file to paid money', () => {
  it('pays a large firm 30% of last year’s unemployment-insurance contributions, rounded half up to the fen', async () => {
    const { entry, payment } = await entryOf('鹏城精密制造');
    expect(entry.outcome).toBe('eligible');
    // 1,234,567.89 元 × 30% = 370,370.367 元 -> 370,370.37 元
    expect(entry.amountFen).toBe(37_037_037n);
    expect(entry.rounding).toBe('half-up-fen');
    expect(payment?.status).toBe('paid');
    expect(entry.status).toBe('paid');
  });

  it('pays a 中小微 firm 60%', async () => {
    const { entry } = await entryOf('南山云软件');
    // 123,456.78 元 × 60% = 74,074.068 元 -> 74,074.07 元 (software, 120 staff, 3000万: 中型)
    expect(entry.outcome).toBe('eligible');
    expect(entry.amountFen).toBe(7_407_407n);
  });

  it('lists a firm on the 严重失信 list as excluded, saying why', async () => {
    const { entry, payment } = await entryOf('福田信达贸易');
    expect(entry).toMatchObject({ outcome: 'ineligible', amountFen: null, reasonCodes: ['SERIOUS_DISHONEST'] });
    expect(payment).toBeNull();
    const why = await explanationOf('福田信达贸易');
    expect(why.reproduced).toBe(true);
    expect(why.lines.join('\n')).toMatch(/但严重违法失信.*除外.*属于除外情形，不予享受/);
  });

  it('leaves a firm whose layoff rate is above 5.5% off the list, and explains it on demand with the rate', async () => {
    expect(await isListed('宝安兴业电子')).toBe(false);
    const why = await explanationOf('宝安兴业电子');
    expect(why.outcome).toBe('ineligible');
    const layoffLine = why.lines.find((l) => l.includes('裁员率'));
    expect(layoffLine).toMatch(/^✗/);
    expect(layoffLine).toContain('8%');
    expect(layoffLine).toContain('人社部发〔2024〕40号');
  });

  it('applies the 20% layoff cap to firms with 30 or fewer insured, inclusive at the boundary', async () => {
    expect((await entryOf('龙华小微科技')).entry.outcome).toBe('eligible'); // 5 / 25 = 20%
    expect(await isListed('光明快递服务')).toBe(false); // 6 / 25 = 24%
    expect((await explanationOf('光明快递服务')).outcome).toBe('ineligible');
  });

  it('keeps labour-dispatch firms out of the automatic batch', async () => {
    expect((await entryOf('坪山人力派遣')).entry).toMatchObject({ outcome: 'ineligible', reasonCodes: ['LABOR_DISPATCH'] });
  });

  it('pays to the social-insurance account when there is no basic account, and holds back a firm with neither', async () => {
    const si = await entryOf('龙岗星辰社保户');
    expect(si.payment).toMatchObject({ accountKind: 'social-insurance', status: 'paid' });
    const none = await entryOf('罗湖老字号酒家');
    expect(none.entry).toMatchObject({ outcome: 'eligible', status: 'listed' });
    expect(none.payment).toBeNull();
  });

  it('records a payment the bank rejects as failed, with the bank’s reason', async () => {
    const { entry, payment } = await entryOf('盐田港湾餐饮');
    expect(payment).toMatchObject({ status: 'failed', failureCode: 'AC04', failureReason: '账户已销户' });
    expect(entry.status).toBe('payment_failed');
  });

  it('batches exactly the eligible entries that have an account, and the batch total is their sum', async () => {
    const [batch] = await db.orm.select().from(payoutBatches).where(eq(payoutBatches.pointId, POINT));
    const eligible = await db.orm.select().from(listEntries).where(and(eq(listEntries.pointId, POINT), eq(listEntries.outcome, 'eligible')));
    expect(eligible.length).toBeGreaterThan(40);
    const paidOrFailed = await db.orm.select().from(payments).where(eq(payments.batchId, batch!.id));
    const withoutAccount = eligible.filter((e) => e.status === 'listed');
    expect(paidOrFailed.length + withoutAccount.length).toBe(eligible.length);
    const sum = paidOrFailed.reduce((s, p) => s + p.amountFen, 0n);
    expect(batch!.totalFen).toBe(sum);
    expect(batch).toMatchObject({ status: 'reconciled', preparedBy: summary.staff.preparer.accountId, approvedBy: summary.staff.approver.accountId });
    const point = summary.runs[0]!.points.find((p) => p.pointId === POINT)!;
    expect(point.approvedFen).toBe(sum);
    expect(point.failed).toBe(1);
    expect(point.paid).toBe(paidOrFailed.length - 1);
  });

  it('shows an enterprise its own entitlements, and only its own', async () => {
    const { uscc } = await entryOf('鹏城精密制造');
    const app = buildServer({ db, log: silentLog, clock, portalSecret: 'test-secret-0123456789', accounts: accountsOf(db.orm, clock), portal: portalSignInOff });
    // Signed in as this enterprise (test/portal-oidc.test.ts goes through the real OIDC sign-in).
    const headers = await portalSessionHeaders(db.orm, clock, { kind: 'subject', role: 'enterprise', subjectKey: uscc });
    const response = await app.inject({ url: '/api/portal/entitlements', headers });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ subject: string; entitlements: { pointId: string; payment: { accountNumber: string } | null; explanation: string[] }[] }>();
    expect(body.subject).toBe(uscc);
    const mine = body.entitlements.find((e) => e.pointId === POINT);
    expect(mine).toMatchObject({ amountYuan: '370,370.37', outcomeText: '符合条件', statusText: '已拨付', citation: stringContaining('人社部发〔2024〕40号') });
    expect(mine?.payment?.accountNumber).toMatch(/^\*+\d{4}$/);
    expect(mine?.explanation.join('\n')).toContain('370,370.37');
    const others = await db.orm.select().from(listEntries).where(eq(listEntries.subjectKey, uscc));
    expect(body.entitlements.length).toBe(others.filter((e) => e.outcome !== 'ineligible' || e.reasonCodes.length > 0).length);

    expect((await app.inject({ url: '/api/portal/entitlements' })).json()).toMatchObject({ code: 'UNAUTHENTICATED' });
    const forged = headers.cookie.replace(/mianshen_portal=[^;]+/, `mianshen_portal=${'A'.repeat(43)}`);
    expect((await app.inject({ url: '/api/portal/entitlements', headers: { cookie: forged } })).statusCode).toBe(401);
    await app.close();
  });

  it('leaves an audit chain that verifies, and names the row when one is altered in SQL', async () => {
    const clean = await verifyAuditChain(db.sql);
    expect(clean.ok).toBe(true);
    expect(summary.audit.ok).toBe(true);
    // The cycle ends by signing a checkpoint of the head it verified.
    expect(summary.checkpoint).toMatchObject({ seq: summary.audit.headSeq, hash: summary.audit.headHash, count: summary.audit.rows, algorithm: 'sm3' });
    const actions = (await db.sql<{ action: string }[]>`select distinct action from audit_log`).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['policy.library-published', 'policy.published', 'facts.imported', 'snapshot.created', 'match.started', 'match.completed', 'batch.prepared', 'batch.approved', 'batch.sent', 'payment.paid', 'payment.failed', 'batch.reconciled']));

    const [approved] = await db.sql<{ seq: number }[]>`select seq::int as seq from audit_log where action = 'batch.approved'`;
    // The append-only trigger refuses an ordinary update ...
    await expect(db.sql`update audit_log set actor = 'finance:zhang.wei' where seq = ${approved!.seq}`).rejects.toThrow(/append-only/);
    // ... so the attacker disables it first; the hash chain still catches the change.
    await db.sql.begin(async (tx) => {
      await tx`alter table audit_log disable trigger audit_log_no_update_or_delete`;
      await tx`update audit_log set actor = 'finance:zhang.wei' where seq = ${approved!.seq}`;
      await tx`alter table audit_log enable trigger audit_log_no_update_or_delete`;
    });
    const tampered = await verifyAuditChain(db.sql);
    expect(tampered.ok).toBe(false);
    expect(tampered.problem).toMatchObject({ seq: approved!.seq, reason: 'content-altered' });

    const cli = spawnSync(process.execPath, ['src/cli/index.ts', 'audit', 'verify', '--as', 'auditor.zhao'], { env: { ...process.env, DATABASE_URL: db.url, LOG_LEVEL: 'silent', MIANSHEN_PASSWORD: 'demo-auditor-zhao', DATA_DIR: tempDir('e2e-cli') }, encoding: 'utf8' });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain(`#${approved!.seq}`);
  });
});
