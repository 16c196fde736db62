// The budget ledger on real PostgreSQL: batch preparation reserves under the point's lock and refuses
// what does not fit; approval commits, the bank's booking pays, rejection releases; a re-match never
// re-splits money already batched or paid, and raises what it would have changed as an adjustment.
// Library: test/fixtures/budget-library (budget-earliest has a ¥1,000 total; budget-quota has
// district quotas of ¥1,000 for 南山 440305 and ¥500.01 for 宝安 440306).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../src/clock.ts';
import { importFeed } from '../src/feeds/importer.ts';
import { SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { lineBalances } from '../src/payouts/budget-ledger.ts';
import { resolveAdjustment } from '../src/payouts/adjustments.ts';
import { approveBatch, prepareBatch, reconcile, rejectBatch, sendBatch } from '../src/payouts/payout-service.ts';
import { sandboxBank } from '../src/payouts/sandbox-bank.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildUscc } from '../src/subjects/uscc.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { createStaff } from './support/staff.ts';
import { noticeLapsed } from './support/notice.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2024-06-15T02:00:00.000Z');
const LIBRARY = join(import.meta.dirname, 'fixtures', 'budget-library');
const work = tempDir('budget-ledger');

interface Firm {
  uscc: string;
  region: string;
  paidFen: number;
  certDate: string;
}
const firm = (region: string, body: string, paidFen: number, certDate: string): Firm => ({ uscc: buildUscc('9', '1', region, body), region, paidFen, certDate });
const F = {
  a: firm('440305', 'MA5F0101', 80_000, '2023-03-01'),
  b: firm('440307', 'MA5F0102', 10_001, '2023-01-10'),
  c: firm('440306', 'MA5F0103', 30_000, '2023-04-01'),
  d: firm('440305', 'MA5F0104', 70_000, '2023-06-30'),
};

let tag = 0;
async function importFirms(db: TestDatabase, all: Firm[]): Promise<void> {
  tag++;
  // Every import's files differ (the importer takes the same file only once): rows rotated by the tag.
  const firms = [...all.slice(tag % all.length), ...all.slice(0, tag % all.length)];
  const yuan = (fen: number) => `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}`;
  const files: [string, string][] = [
    ['samr-registry', `uscc,name,region_code,industry_code,status,org_kind,abnormal_operation\n${firms.map((f, i) => `${f.uscc},深圳市预算${tag}${i}有限公司,${f.region},C3911,存续,企业,否`).join('\n')}\n`],
    ['hrss-ui-annual', `uscc,year,staff,ui_paid_yuan,ui_months_paid_in_full,avg_insured,new_claimants,insured_at_start,insured_at_end,labor_dispatch\n${firms.map((f) => `${f.uscc},2023,20,${yuan(f.paidFen)},24,20,0,20,20,否`).join('\n')}\n`],
    ['most-high-tech', `uscc,accepted_date,cert_date,cert_kind\n${firms.map((f) => `${f.uscc},2022-05-01,${f.certDate},首次认定`).join('\n')}\n`],
    ['bank-accounts', `uscc,basic_account\n${firms.map((f, i) => `${f.uscc},62220200000${tag}${String(i).padStart(4, '1')}`).join('\n')}\n`],
  ];
  for (const [feedId, text] of files) {
    const path = join(work, `${feedId}-${tag}.csv`);
    writeFileSync(path, text);
    await importFeed(db, clock, { feedId, input: { path }, asOf: '2024-03-31', actor: SYSTEM_ACTOR, rejectsDir: join(work, 'rejects') });
  }
}

const match = (db: TestDatabase) => runToCompletion(db, clock, silentLog, { scope: 'enterprise', period: '2024', trigger: 'test', actor: 'test', shards: 2 });
const listed = async (db: TestDatabase, pointId: string) =>
  Object.fromEntries(
    (await db.sql<{ subject_key: string; amount: string | null; status: string }[]>`select subject_key, amount_fen::text as amount, status from list_entries where point_id = ${pointId} and period = '2024' and outcome = 'eligible'`).map((r) => [r.subject_key, [Number(r.amount), r.status]]),
  );
/** The point's list published and its 公示 over: the clock batches are prepared by. */
const lapsed = async (db: TestDatabase, pointId: string) => (await noticeLapsed(db, clock, pointId, '2024')).after;
const balance = async (db: TestDatabase, pointId: string, line: string) => (await lineBalances(db.orm, { pointId, period: '2024' })).find((b) => b.line === line)!;

let db: TestDatabase;
let officer: StaffActor;
let approver: StaffActor;

beforeAll(async () => {
  db = await createTestDatabase();
  officer = await createStaff(db, ['finance_officer']);
  approver = await createStaff(db, ['finance_approver']);
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(LIBRARY));
});
afterAll(async () => db?.drop());

describe('a re-match after payment (budget-earliest, ¥1,000 total)', () => {
  it('keeps what was paid and shares only what is left among the newcomers', async () => {
    await importFirms(db, [F.a, F.b]);
    await match(db);
    // 90,001 fen fits in 100,000: both in full.
    expect(await listed(db, 'budget-earliest')).toEqual({ [F.a.uscc]: [80_000, 'listed'], [F.b.uscc]: [10_001, 'listed'] });

    const bank = sandboxBank(db.orm, clock);
    const first = await prepareBatch(db, await lapsed(db, 'budget-earliest'), { pointId: 'budget-earliest', period: '2024', actor: officer });
    expect(await balance(db, 'budget-earliest', 'total')).toMatchObject({ limitFen: 100_000n, reservedFen: 90_001n, committedFen: 0n, inUseFen: 90_001n, availableFen: 9_999n });
    await approveBatch(db, clock, { batchId: first.batchId, actor: approver });
    expect(await balance(db, 'budget-earliest', 'total')).toMatchObject({ reservedFen: 0n, committedFen: 90_001n });
    await sendBatch(db, clock, bank, { batchId: first.batchId, actor: officer });
    await reconcile(db, clock, silentLog, bank, officer);
    expect(await balance(db, 'budget-earliest', 'total')).toMatchObject({ committedFen: 0n, paidFen: 90_001n, inUseFen: 90_001n });

    // Two more firms arrive, certified later than b and a's 2023-03-01 ... the pool is re-cut, but only
    // the 9,999 fen left: c (2023-04-01) first, d nothing. Without the lock on paid money, priority by
    // date would have given b, a and c 120,001 fen against ¥1,000.
    await importFirms(db, [F.a, F.b, F.c, F.d]);
    await match(db);
    expect(await listed(db, 'budget-earliest')).toEqual({ [F.a.uscc]: [80_000, 'paid'], [F.b.uscc]: [10_001, 'paid'], [F.c.uscc]: [9_999, 'listed'], [F.d.uscc]: [0, 'listed'] });

    const second = await prepareBatch(db, await lapsed(db, 'budget-earliest'), { pointId: 'budget-earliest', period: '2024', actor: officer });
    expect(second.totalFen).toBe(9_999n);
    expect(await balance(db, 'budget-earliest', 'total')).toMatchObject({ inUseFen: 100_000n, availableFen: 0n });
    const [run] = await db.sql<{ payload: { budgets: Record<string, { lockedFen: string }[]> } }[]>`select payload from audit_log where action = 'match.completed' order by seq desc limit 1`;
    expect(run!.payload.budgets['budget-earliest']![0]!.lockedFen).toBe('90001');
  });

  it('raises a change to a paid entry as an adjustment for staff instead of changing it', async () => {
    // a's contributions turn out lower: the rule now gives 50,000 fen; 80,000 were paid.
    await importFirms(db, [{ ...F.a, paidFen: 50_000 }, F.b, F.c, F.d]);
    await match(db);
    expect((await listed(db, 'budget-earliest'))[F.a.uscc]).toEqual([80_000, 'paid']);
    const adjustments = await db.sql<{ point_id: string; entry_status: string; held: string; difference: string; status: string }[]>`
      select point_id, entry_status, held_fen::text as held, difference_fen::text as difference, status from list_adjustments where subject_key = ${F.a.uscc} order by point_id`;
    expect(adjustments.find((a) => a.point_id === 'budget-earliest')).toEqual({ point_id: 'budget-earliest', entry_status: 'paid', held: '80000', difference: '-30000', status: 'open' });
    // Staff close one with what they did; twice is refused, and the close is audited.
    const [open] = await db.sql<{ id: string }[]>`select id::text from list_adjustments where status = 'open' and point_id = 'budget-earliest'`;
    await expect(resolveAdjustment(db, clock, { id: Number(open!.id), resolution: '  ', actor: officer })).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    await expect(resolveAdjustment(db, clock, { id: Number(open!.id), resolution: '多付3万元，已登记追回', actor: approver })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await resolveAdjustment(db, clock, { id: Number(open!.id), resolution: '多付3万元，已登记追回', actor: officer });
    await expect(resolveAdjustment(db, clock, { id: Number(open!.id), resolution: '多付3万元，已登记追回', actor: officer })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const [audit] = await db.sql<{ payload: { resolution: string } }[]>`select payload from audit_log where action = 'adjustment.resolved' and entity_id = ${open!.id}`;
    expect(audit!.payload.resolution).toBe('多付3万元，已登记追回');
    // A new difference on the same entry opens a new adjustment; when the facts come back, the next run
    // closes it itself.
    await importFirms(db, [{ ...F.a, paidFen: 50_001 }, F.b, F.c, F.d]);
    await match(db);
    // The facts come back: the next run closes the adjustment itself.
    await importFirms(db, [F.a, F.b, F.c, F.d]);
    await match(db);
    const after = await db.sql<{ status: string; resolved_by: string }[]>`select status, resolved_by from list_adjustments where subject_key = ${F.a.uscc} and point_id = 'budget-earliest' order by id`;
    expect(after.map((a) => a.status)).toEqual(['resolved', 'resolved']);
    expect(after[1]!.resolved_by).toBe('system:matching');
  });
});

describe('batch preparation under the budget lock (budget-quota)', () => {
  it('lets only one of 20 concurrent preparations batch the list, and the rest find nothing left', async () => {
    const after = await lapsed(db, 'budget-quota');
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => prepareBatch(db, after, { pointId: 'budget-quota', period: '2024', actor: officer })));
    const done = results.filter((r) => r.status === 'fulfilled');
    expect(done).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'BATCH_EMPTY' });
    // Twenty approvals race on the one batch: it is approved once, committed once.
    const batchId = (done[0] as PromiseFulfilledResult<{ batchId: number }>).value.batchId;
    const approvals = await Promise.allSettled(Array.from({ length: 20 }, () => approveBatch(db, clock, { batchId, actor: approver })));
    expect(approvals.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const b of await lineBalances(db.orm, { pointId: 'budget-quota', period: '2024' })) {
      if (b.limitFen !== null) expect(b.inUseFen).toBeLessThanOrEqual(b.limitFen);
    }
    const [ledger] = await db.sql<{ n: number }[]>`select count(*)::int as n from budget_ledger where batch_id = ${batchId} and to_state = 'committed'`;
    expect(ledger!.n).toBeGreaterThan(0);
    expect((await balance(db, 'budget-quota', 'quota:440305')).committedFen).toBe(100_000n);
  });

  it('refuses a batch that no longer fits its district line and reserves nothing', async () => {
    // 宝安 has 20,001 fen left after the first batch; a newcomer's 1,000 fen fits. Then the list is
    // raised behind the allocation's back (as a stale list would be after a budget was lowered) to
    // 21,001 fen: only the budget ledger stands in the way.
    const newcomer = firm('440306', 'MA5F0105', 1_000, '2023-01-01');
    await importFirms(db, [F.a, F.b, F.c, F.d, newcomer]);
    await match(db);
    expect((await listed(db, 'budget-quota'))[newcomer.uscc]).toEqual([1_000, 'listed']);
    await db.sql`update list_entries set amount_fen = amount_fen + 20001 where point_id = 'budget-quota' and period = '2024' and subject_key = ${newcomer.uscc}`;
    const after = await lapsed(db, 'budget-quota');
    const before = await db.sql<{ n: number }[]>`select count(*)::int as n from budget_ledger`;
    await expect(prepareBatch(db, after, { pointId: 'budget-quota', period: '2024', actor: officer })).rejects.toMatchObject({ code: 'BUDGET_EXCEEDED', details: { line: 'quota:440306' } });
    expect(await db.sql<{ n: number }[]>`select count(*)::int as n from budget_ledger`).toEqual(before);
    const [entries] = await db.sql<{ n: number }[]>`select count(*)::int as n from list_entries where point_id = 'budget-quota' and status = 'listed' and outcome = 'eligible'`;
    expect(entries!.n).toBeGreaterThan(0);
  });
});

describe('rejection', () => {
  it('needs a reason and another person, releases the reservation and returns the entries to the list', async () => {
    const shareAfter = await lapsed(db, 'budget-share');
    const batch = await prepareBatch(db, shareAfter, { pointId: 'budget-share', period: '2024', actor: officer });
    const share = await balance(db, 'budget-share', 'share');
    expect(share.reservedFen).toBe(batch.totalFen);
    await expect(rejectBatch(db, clock, { batchId: batch.batchId, reason: '  ', actor: approver })).rejects.toMatchObject({ code: 'REASON_REQUIRED' });
    const both = await createStaff(db, ['finance_officer', 'finance_approver']);
    const own = await prepareBatch(db, await lapsed(db, 'budget-priority'), { pointId: 'budget-priority', period: '2024', actor: both });
    await expect(rejectBatch(db, clock, { batchId: own.batchId, reason: '金额有误', actor: both })).rejects.toMatchObject({ code: 'SELF_APPROVAL_FORBIDDEN' });

    await rejectBatch(db, clock, { batchId: batch.batchId, reason: '名单含已注销企业，请核实后重新制单', actor: approver });
    expect(await balance(db, 'budget-share', 'share')).toMatchObject({ reservedFen: 0n, releasedFen: batch.totalFen, inUseFen: 0n });
    const [row] = await db.sql<{ status: string; rejection_reason: string; payments: number }[]>`
      select status, rejection_reason, (select count(*)::int from payments where batch_id = ${batch.batchId}) as payments from payout_batches where id = ${batch.batchId}`;
    expect(row).toEqual({ status: 'rejected', rejection_reason: '名单含已注销企业，请核实后重新制单', payments: 0 });
    const [audit] = await db.sql<{ payload: { reason: string } }[]>`select payload from audit_log where action = 'batch.rejected' and entity_id = ${String(batch.batchId)}`;
    expect(audit!.payload.reason).toBe('名单含已注销企业，请核实后重新制单');
    // A rejected batch cannot be approved or sent, and the list can be batched again.
    await expect(approveBatch(db, clock, { batchId: batch.batchId, actor: approver })).rejects.toMatchObject({ code: 'BATCH_STATE_INVALID' });
    // Already published at these amounts, so no new notice is needed.
    const again = await prepareBatch(db, shareAfter, { pointId: 'budget-share', period: '2024', actor: officer });
    expect(again.totalFen).toBe(batch.totalFen);
  });
});
