// 公示, 异议 and 确认 on real PostgreSQL, across 国庆 2024 (10-01 … 10-07 off; Sunday 09-29 and Saturday
// 10-12 are 调休 working days, 国办发明电〔2023〕7号): a list published on Friday 09-27 for 5 working
// days ends on 10-10; nothing is batched before its end or while an objection is open; an upheld
// objection holds the entry until a re-match corrects it and it is published again; a rejected one
// records its reason and shows it; a confirmation not given by its deadline waives the entry.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { SYSTEM_ACTOR, type StaffActor, type SubjectActor } from '../src/identity/permissions.ts';
import { confirmEntry, publicNotice, publishNotice, raiseObjection, resolveObjection } from '../src/lists/notice-service.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { prepareBatch } from '../src/payouts/payout-service.ts';
import { runPayoutCycle } from '../src/payouts/payout-cycle.ts';
import { sandboxBank } from '../src/payouts/sandbox-bank.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const LIBRARY = join(import.meta.dirname, 'fixtures', 'notice-library');
const work = tempDir('notices');
const at = (day: string) => fixedClock(`${day}T02:00:00.000Z`); // 10:00 in China
const friday = at('2024-09-27');

const A = buildUscc('9', '1', '440305', 'MA5F0201');
const B = buildUscc('9', '1', '440305', 'MA5F0202');
const C = buildUscc('9', '1', '440306', 'MA5F0203');
const subject = (subjectKey: string): SubjectActor => ({ kind: 'subject', role: 'enterprise', subjectKey });

let tag = 0;
async function importFirms(db: TestDatabase, paid: Record<string, number>): Promise<void> {
  tag++;
  const keys = Object.keys(paid);
  const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const files: [string, string][] = [
    ['samr-registry', `uscc,name,region_code,industry_code,status,org_kind,abnormal_operation\n${keys.map((k, i) => `${k},深圳市公示测试${i}号有限公司,${k.slice(2, 8)},C3911,存续,企业,否`).join('\n')}\n`],
    ['hrss-ui-annual', `uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,insured_at_start,insured_at_end,labor_dispatch\n${keys.map((k) => `${k},2023,${20 + tag},${yuan(paid[k]!)},24,20,0,20,20,否`).join('\n')}\n`],
    ['bank-accounts', `uscc,basic_account\n${keys.map((k, i) => `${k},6222020000000${tag}${i}11`).join('\n')}\n`],
  ];
  for (const [feedId, text] of files) {
    const path = join(work, `${feedId}-${tag}.csv`);
    writeFileSync(path, text);
    await importFeed(db, friday, { feedId, input: { path }, asOf: '2024-09-26', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }
}

const match = (db: TestDatabase, clock = friday) => runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 1 });

let db: TestDatabase;
let reviewer: StaffActor;
let otherReviewer: StaffActor;
let officer: StaffActor;
let plainNotice: number;

beforeAll(async () => {
  db = await createTestDatabase();
  reviewer = await createStaff(db, ['reviewer', 'policy_staff']);
  otherReviewer = await createStaff(db, ['reviewer']);
  officer = await createStaff(db, ['finance_officer']);
  await publishLibrary(db.orm, friday, reviewer, await readLibraryFiles(LIBRARY));
  await importFirms(db, { [A]: 100_000, [B]: 200_000, [C]: 300_000 });
  await match(db);
});
afterAll(async () => db?.drop());

describe('公示', () => {
  it('runs for the policy’s 5 working days counted on the official calendar across 国庆, from the day after publication', async () => {
    const notice = await publishNotice(db, friday, { pointId: 'notice-plain', period: '2024', actor: reviewer });
    plainNotice = notice.noticeId;
    expect(notice).toMatchObject({ publishedOn: '2024-09-27', endsOn: '2024-10-10', workingDays: 5, entryCount: 3, totalFen: 600_000n, basis: '测试文件（非真实政策） 一、拟享受名单公示5个工作日' });
    // Sunday 09-29 is a 调休 working day; 10-01 … 10-07 are not.
    expect(notice.countedDays).toEqual(['2024-09-29', '2024-09-30', '2024-10-08', '2024-10-09', '2024-10-10']);
    const [audit] = await db.sql<{ payload: { endsOn: string } }[]>`select payload from audit_log where action = 'notice.published' and entity_id = ${String(notice.noticeId)}`;
    expect(audit!.payload.endsOn).toBe('2024-10-10');
  });

  it('shows the public masked identifiers, never the subject key', async () => {
    const view = await publicNotice(db, friday, plainNotice);
    expect(view).toMatchObject({ open: true, statusText: '公示中（至2024-10-10）', entryCount: 3, totalYuan: '6,000.00' });
    expect(view.entries.map((e) => e.maskedId)).toContain(`${A.slice(0, 6)}********${A.slice(14)}`);
    expect(JSON.stringify(view)).not.toContain(A);
  });

  it('publishes an entry once: a second publication finds nothing new', async () => {
    await expect(publishNotice(db, friday, { pointId: 'notice-plain', period: '2024', actor: reviewer })).rejects.toMatchObject({ code: 'NOTICE_EMPTY' });
  });

  it('lets nothing into a batch on the notice’s last day', async () => {
    await expect(prepareBatch(db, at('2024-10-10'), { pointId: 'notice-plain', period: '2024', actor: officer })).rejects.toMatchObject({ code: 'BATCH_EMPTY', details: { waiting: { 'in-notice': 3 } } });
  });
});

describe('异议', () => {
  let onA: number;
  let onB: number;

  it('takes an objection from the subject on its own entry only, with a reason, while the notice is open', async () => {
    await expect(raiseObjection(db, at('2024-10-08'), { noticeId: plainNotice, subjectKey: A, reason: '金额', actor: subject(A) })).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    await expect(raiseObjection(db, at('2024-10-08'), { noticeId: plainNotice, subjectKey: B, reason: '该企业已停业，不应享受', actor: subject(A) })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    onA = (await raiseObjection(db, at('2024-10-08'), { noticeId: plainNotice, subjectKey: A, reason: '我司2023年实缴失业保险费应为1,500元，名单金额偏低', actor: subject(A) })).objectionId;
    // Staff record one received by telephone, saying who raised it.
    onB = (await raiseObjection(db, at('2024-10-09'), { noticeId: plainNotice, subjectKey: B, reason: '来电反映（市民王某）：该企业2023年已停止经营', actor: reviewer })).objectionId;
    await expect(raiseObjection(db, at('2024-10-11'), { noticeId: plainNotice, subjectKey: C, reason: '公示期满后提出的异议', actor: subject(C) })).rejects.toMatchObject({ code: 'NOTICE_ENDED' });
  });

  it('holds the entries under objection back from the batch while the others are paid', async () => {
    const batch = await prepareBatch(db, at('2024-10-11'), { pointId: 'notice-plain', period: '2024', actor: officer });
    expect(batch).toMatchObject({ paymentCount: 1, totalFen: 300_000n, waiting: { 'objection-open': 2 } });
  });

  it('records a rejection with its reason, decided by a reviewer who did not record the objection, and shows it', async () => {
    await expect(resolveObjection(db, at('2024-10-11'), { objectionId: onB, decision: 'upheld', reason: '经核实该企业已停业', actor: reviewer })).rejects.toMatchObject({ code: 'SELF_REVIEW_FORBIDDEN' });
    await resolveObjection(db, at('2024-10-11'), { objectionId: onA, decision: 'rejected', reason: '经核对税务数据，2023年实缴为1,000元，名单无误', actor: reviewer });
    await expect(resolveObjection(db, at('2024-10-11'), { objectionId: onA, decision: 'upheld', reason: '再次处理', actor: otherReviewer })).rejects.toMatchObject({ code: 'OBJECTION_DECIDED' });
    const view = await publicNotice(db, at('2024-10-11'), plainNotice);
    expect(view.entries.find((e) => e.maskedId.endsWith(A.slice(14)))!.objection).toBe('异议不成立：经核对税务数据，2023年实缴为1,000元，名单无误');
    const [audit] = await db.sql<{ payload: { reason: string } }[]>`select payload from audit_log where action = 'objection.rejected' and entity_id = ${String(onA)}`;
    expect(audit!.payload.reason).toContain('名单无误');
    // A's entry goes on: rejected objections do not hold it.
    const batch = await prepareBatch(db, at('2024-10-11'), { pointId: 'notice-plain', period: '2024', actor: officer });
    expect(batch).toMatchObject({ paymentCount: 1, totalFen: 100_000n, waiting: { 'objection-open': 1 } });
  });

  it('holds an entry whose objection is upheld until a re-match corrects it, then publishes the correction again', async () => {
    await resolveObjection(db, at('2024-10-11'), { objectionId: onB, decision: 'upheld', reason: '经核实，社保数据多计了2023年12月缴费，应为1,200元', actor: otherReviewer });
    await expect(prepareBatch(db, at('2024-10-11'), { pointId: 'notice-plain', period: '2024', actor: officer })).rejects.toMatchObject({ code: 'BATCH_EMPTY', details: { waiting: { held: 1 } } });
    await expect(publishNotice(db, at('2024-10-11'), { pointId: 'notice-plain', period: '2024', actor: reviewer })).rejects.toMatchObject({ code: 'NOTICE_EMPTY' });
    // The department corrects the fact; the next match re-evaluates B and ends the hold.
    await importFirms(db, { [A]: 100_000, [B]: 120_000, [C]: 300_000 });
    await match(db, at('2024-10-12'));
    const again = await publishNotice(db, at('2024-10-12'), { pointId: 'notice-plain', period: '2024', actor: reviewer });
    expect(again).toMatchObject({ entryCount: 1, totalFen: 120_000n, endsOn: '2024-10-18' });
    await expect(prepareBatch(db, at('2024-10-18'), { pointId: 'notice-plain', period: '2024', actor: officer })).rejects.toMatchObject({ code: 'BATCH_EMPTY', details: { waiting: { 'in-notice': 1 } } });
    const batch = await prepareBatch(db, at('2024-10-21'), { pointId: 'notice-plain', period: '2024', actor: officer });
    expect(batch).toMatchObject({ paymentCount: 1, totalFen: 120_000n });
  });
});

describe('确认', () => {
  let noticeId: number;

  it('asks for a confirmation due 3 working days after publication, across 国庆', async () => {
    const notice = await publishNotice(db, friday, { pointId: 'notice-confirm', period: '2024', actor: reviewer });
    noticeId = notice.noticeId;
    expect(notice.confirmationDueOn).toBe('2024-10-08');
  });

  it('pays the account the subject confirmed before the deadline', async () => {
    await expect(confirmEntry(db, at('2024-10-08'), { subjectKey: A, pointId: 'notice-confirm', period: '2024', accountNumber: '6222029999000077', accountKind: 'basic', actor: subject(B) })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await confirmEntry(db, at('2024-10-08'), { subjectKey: A, pointId: 'notice-confirm', period: '2024', accountNumber: '6222029999000077', accountKind: 'basic', actor: subject(A) });
    await confirmEntry(db, at('2024-10-08'), { subjectKey: B, pointId: 'notice-confirm', period: '2024', accountNumber: '6222029999000088', accountKind: 'basic', actor: subject(B) });
    await expect(confirmEntry(db, at('2024-10-09'), { subjectKey: C, pointId: 'notice-confirm', period: '2024', accountNumber: '6222029999000099', accountKind: 'basic', actor: subject(C) })).rejects.toMatchObject({ code: 'CONFIRMATION_CLOSED' });
    expect(noticeId).toBeGreaterThan(0);
  });

  it('waives the entry whose confirmation was not given by the deadline (视为自愿放弃), and audits it', async () => {
    // The payout worker's round waives it on the first day after the deadline (10-08), batch or not.
    const round = await runPayoutCycle(db, at('2024-10-09'), silentLog, sandboxBank(db.orm, at('2024-10-09')), SYSTEM_ACTOR);
    expect(round.waived).toBe(1);
    // Then A and B are paid as they confirmed.
    const batch = await prepareBatch(db, at('2024-10-11'), { pointId: 'notice-confirm', period: '2024', actor: officer });
    expect(batch).toMatchObject({ paymentCount: 2, totalFen: 220_000n, waiting: {} });
    const paid = await db.sql<{ subject_key: string; account_masked: string }[]>`select subject_key, account_masked from payments where batch_id = ${batch.batchId} order by subject_key`;
    expect(paid.map((p) => [p.subject_key, p.account_masked.slice(-4)])).toEqual([
      [A, '0077'],
      [B, '0088'],
    ]);
    const [entry] = await db.sql<{ status: string }[]>`select status from list_entries where subject_key = ${C} and point_id = 'notice-confirm'`;
    expect(entry!.status).toBe('waived');
    const [audit] = await db.sql<{ payload: { reason: string } }[]>`select payload from audit_log where action = 'entry.waived' and entity_id = ${`notice-confirm/2024/${C}`}`;
    expect(audit!.payload.reason).toBe('逾期未确认，视为自愿放弃');
  });
});
