// 电子监察 on real PostgreSQL: the stage limits of notice-plain (list → 公示 3 working days, notice end →
// batch 2, batch → approval 2, approval → paid 3) counted on the official calendar across 国庆 2024;
// entries in their notice are paused, not late; the median from eligibility to payment is reported.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';
import { publishNotice } from '../src/lists/notice-service.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from '../src/payouts/payout-service.ts';
import { sandboxBank } from '../src/payouts/sandbox-bank.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { deadlineReport } from '../src/supervision/deadlines.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const at = (day: string) => fixedClock(`${day}T02:00:00.000Z`);
const A = buildUscc('9', '1', '440305', 'MA5F0401');
const B = buildUscc('9', '1', '440306', 'MA5F0402');
const work = tempDir('deadlines');
let db: TestDatabase;
let staff: StaffActor;
let officer: StaffActor;
let approver: StaffActor;
const report = (day: string) => deadlineReport(db, at(day), { actor: staff, pointId: 'notice-plain' });

beforeAll(async () => {
  db = await createTestDatabase();
  staff = await createStaff(db, ['reviewer', 'policy_staff']);
  officer = await createStaff(db, ['finance_officer']);
  approver = await createStaff(db, ['finance_approver']);
  await publishLibrary(db.orm, at('2024-09-27'), staff, await readLibraryFiles(join(import.meta.dirname, 'fixtures', 'notice-library')));
  const files: [string, string][] = [
    ['samr-registry', `uscc,name,region_code,industry_code,status,org_kind,abnormal_operation\n${A},深圳市甲有限公司,440305,C3911,存续,企业,否\n${B},深圳市乙有限公司,440306,C3911,存续,企业,否\n`],
    ['hrss-ui-annual', `uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,insured_at_start,insured_at_end,labor_dispatch\n${A},2023,20,1000.00,24,20,0,20,20,否\n${B},2023,20,2000.00,24,20,0,20,20,否\n`],
    ['bank-accounts', `uscc,basic_account\n${A},6222020000004011\n${B},6222020000004022\n`],
  ];
  for (const [feedId, text] of files) {
    const path = join(work, `${feedId}.csv`);
    writeFileSync(path, text);
    await importFeed(db, at('2024-09-27'), { feedId, input: { path }, asOf: '2024-09-26', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }
  await runToCompletion(db, at('2024-09-27'), silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 1 });
});
afterAll(async () => db?.drop());

describe('stage limits', () => {
  it('warns as the 3 working days to publish run out, and flags them overdue after, across 国庆', async () => {
    expect((await report('2024-09-29')).warnings).toEqual([]); // one working day used (Sunday 09-29, 调休)
    const nearing = await report('2024-09-30');
    expect(nearing.warnings.map((w) => [w.level, w.stage, w.workingDaysUsed, w.limit])).toEqual([
      ['nearing', 'notice', 2, 3],
      ['nearing', 'notice', 2, 3],
    ]);
    // 10-01 … 10-07 are holidays: still 2 used on 10-07.
    expect((await report('2024-10-07')).warnings[0]!.workingDaysUsed).toBe(2);
    const overdue = await report('2024-10-09');
    expect(overdue.warnings[0]).toMatchObject({ level: 'overdue', stage: 'notice', stageText: '名单待公示', since: '2024-09-27', workingDaysUsed: 4, limit: 3, basis: '测试文件（非真实政策） 三、各环节办理时限' });
    expect(overdue.open.notice).toBe(2);
  });

  it('pauses the clock during the notice and starts the batch stage at its end', async () => {
    const notice = await publishNotice(db, at('2024-10-09'), { pointId: 'notice-plain', period: '2024', actor: staff });
    expect(notice.endsOn).toBe('2024-10-15'); // Saturday 10-12 is a 调休 working day
    expect((await report('2024-10-14')).warnings).toEqual([]);
    const late = await report('2024-10-18');
    expect(late.warnings.map((w) => [w.level, w.stage, w.since, w.workingDaysUsed])).toEqual([
      ['overdue', 'batch', '2024-10-15', 3],
      ['overdue', 'batch', '2024-10-15', 3],
    ]);
  });

  it('follows a batch to approval and payment, and reports the median days from eligibility to payment', async () => {
    const batch = await prepareBatch(db, at('2024-10-18'), { pointId: 'notice-plain', period: '2024', actor: officer });
    const waiting = await report('2024-10-22');
    expect(waiting.warnings).toEqual([expect.objectContaining({ level: 'nearing', stage: 'approval', batchId: batch.batchId, workingDaysUsed: 2, limit: 2 })]);
    await approveBatch(db, at('2024-10-22'), { batchId: batch.batchId, actor: approver });
    const bank = sandboxBank(db.orm, at('2024-10-22'));
    await sendBatch(db, at('2024-10-22'), bank, { batchId: batch.batchId, actor: officer });
    await reconcile(db, at('2024-10-22'), silentLog, bank, officer);
    const done = await report('2024-10-23');
    expect(done.warnings).toEqual([]);
    // 09-27 → 10-22: 25 calendar days; working days 09-29, 09-30, 10-08 … 10-12, 10-14 … 10-18, 10-21, 10-22.
    expect(done.toPayment).toEqual({ payments: 2, medianCalendarDays: 25, medianWorkingDays: 14 });
  });
});
