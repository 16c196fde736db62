// Acceptance (issue 11): a monthly benefit stops after a death and the overpayment is raised. A death
// or a 户籍 move reaches the register after later months were paid; the next run pays nothing more to
// them, and the recovery check raises one case per month paid after the month of the death or move,
// for what was paid. Recovering and writing off are audited; a write-off needs a reason. Real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { App } from '../src/app.ts';
import type { Prepared } from '../src/cli/command.ts';
import { COMMANDS } from '../src/cli/index.ts';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { isAppError } from '../src/errors.ts';
import { SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';
import { runPayoutCycle } from '../src/payouts/payout-cycle.ts';
import { checkRecoveries, listRecoveries, recordRecovery, writeOffRecovery, type RecoveryCase } from '../src/payouts/recovery.ts';
import { sandboxBank } from '../src/payouts/sandbox-bank.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { buildIdNumber } from '../src/subjects/id-number.ts';
import { personKeyOf } from '../src/subjects/personal-data.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import { personsFixture } from './support/persons.ts';
import { createStaff } from './support/staff.ts';
import { tempDir } from './support/temp.ts';

const clock = fixedClock('2025-04-30T02:00:00.000Z');
const work = tempDir('recovery');
const GRANNY = buildIdNumber('440304', '19550315', '246'); // 70 in March 2025: 200元 a month
const MOVER = buildIdNumber('440306', '19450601', '357'); // 80 in June 2025: 300元 from June
const LOCAL = buildIdNumber('440304', '19500808', '579'); // moves within Shenzhen: keeps being paid

let db: TestDatabase;
let officer: StaffActor;
let approver: StaffActor;
let persons: ReturnType<typeof personsFixture>;
let lateImportId: number;

const outcome = (promise: Promise<unknown>) => promise.then(() => 'ok', (error: unknown) => (isAppError(error) ? error.code : String(error)));
const auditOf = (action: string, id: number) => db.sql<{ actor: string; payload: Record<string, unknown> }[]>`select actor, payload from audit_log where action = ${action} and entity_type = 'recovery' and entity_id = ${String(id)}`;
const caseOf = (cases: RecoveryCase[], id: string, period: string) => cases.find((c) => c.subjectKey === personKeyOf(id) && c.period === period)!;

beforeAll(async () => {
  db = await createTestDatabase();
  officer = await createStaff(db, ['finance_officer']);
  approver = await createStaff(db, ['finance_approver']);
  persons = personsFixture(db, clock, work, { officer, approver });
  await publishLibrary(db.orm, clock, await createStaff(db, ['reviewer']), await readLibraryFiles(POLICIES_DIR));
  Object.assign(persons.register, {
    [GRANNY]: { name: '陈秀英', hukou: '440304' },
    [MOVER]: { name: '黄志明', hukou: '440306' },
    [LOCAL]: { name: '周美玲', hukou: '440304' },
  });
  Object.assign(persons.cards, { [GRANNY]: '6225880012345678', [MOVER]: '6225880022223333', [LOCAL]: '6225880044445555' });
  await persons.importPolice('2025-04-01');
  await persons.importCards('2025-04-01');
  for (const [period, at] of [['2025-04', '2025-04-30'], ['2025-05', '2025-05-31'], ['2025-06', '2025-06-30']] as const) {
    clock.set(`${at}T02:00:00.000Z`);
    await persons.match(period);
    expect((await persons.pay(period)).batch.paymentCount).toBe(3);
  }
});
afterAll(async () => db?.drop());

describe('a monthly benefit stops after a death and the overpayment is raised', () => {
  let raised: RecoveryCase[];

  it('finds nothing to recover while the register shows no death or move', async () => {
    expect(await checkRecoveries(db, clock, { actor: SYSTEM_ACTOR })).toMatchObject({ raised: [] });
  });

  it('pays nothing further once a late death and a late move are imported', async () => {
    // July's register: the death dated 20 April, the move to 广州 dated 15 May, a move within Shenzhen.
    persons.register[GRANNY] = { ...persons.register[GRANNY]!, death: '2025-04-20', effective: '2025-04-20' };
    persons.register[MOVER] = { ...persons.register[MOVER]!, hukou: '440100', effective: '2025-05-15' };
    persons.register[LOCAL] = { ...persons.register[LOCAL]!, hukou: '440305', effective: '2025-04-10' };
    clock.set('2025-07-05T02:00:00.000Z');
    const late = await persons.importPolice('2025-07-05');
    expect(late).toMatchObject({ status: 'imported', rowsRejected: 0 });
    lateImportId = late.importId!;

    clock.set('2025-07-31T02:00:00.000Z');
    await persons.match('2025-07');
    expect(await persons.entryOf(GRANNY, '2025-07')).toBeUndefined();
    expect(await persons.entryOf(MOVER, '2025-07')).toBeUndefined();
    const july = await persons.pay('2025-07');
    expect(july.instructions.map((i) => [i.accountNumber, i.payeeName])).toEqual([[persons.cards[LOCAL], '周美玲']]);
  });

  it('raises one recovery per month paid after the month of the death or the move, for what was paid, in the next payout round', async () => {
    const round = await runPayoutCycle(db, clock, silentLog, sandboxBank(db.orm, clock), SYSTEM_ACTOR);
    expect(round.recoveriesRaised).toBe(3);
    raised = await listRecoveries(db.orm, { actor: officer });
    const summary = raised.map((c) => [c.subjectKey, c.period, c.amountFen, c.reason, c.factDate, c.importId, c.status]).sort();
    expect(summary).toEqual(
      [
        // April, the month of death, was owed (死亡当月照发); May and June were not.
        [personKeyOf(GRANNY), '2025-05', 20000n, 'death', '2025-04-20', lateImportId, 'open'],
        [personKeyOf(GRANNY), '2025-06', 20000n, 'death', '2025-04-20', lateImportId, 'open'],
        // May, the month of the move, was owed; June (paid at 300元, the month of the 80th birthday) was not.
        [personKeyOf(MOVER), '2025-06', 30000n, 'hukou-moved', '2025-05-15', lateImportId, 'open'],
      ].sort(),
    );
    const june = caseOf(raised, MOVER, '2025-06');
    expect(june.fact).toEqual({ hukouRegion: '440100', previousHukouRegion: '440306', effectiveDate: '2025-05-15' });
    expect(june.paymentKey).toBe((await persons.paymentsOf(MOVER)).find((p) => p.period === '2025-06')!.idempotency_key);
    expect(caseOf(raised, GRANNY, '2025-05').fact).toEqual({ deathDate: '2025-04-20' });
    for (const c of raised) expect(await auditOf('recovery.raised', c.id)).toMatchObject([{ actor: 'account:1', payload: { reason: c.reason, amountFen: c.amountFen.toString(), importId: lateImportId } }]);
  });

  it('raises each case once, however often the check and the match run again', async () => {
    await persons.match('2025-05');
    await persons.match('2025-06');
    expect((await checkRecoveries(db, clock, { actor: SYSTEM_ACTOR })).raised).toEqual([]);
    expect((await runPayoutCycle(db, clock, silentLog, sandboxBank(db.orm, clock), SYSTEM_ACTOR)).recoveriesRaised).toBe(0);
    expect(await listRecoveries(db.orm, { actor: officer })).toHaveLength(3);
  });

  it('records a recovery with its amount, date and reference, audited; a wrong amount is refused', async () => {
    const may = caseOf(raised, GRANNY, '2025-05');
    expect(await outcome(recordRecovery(db.orm, clock, { id: may.id, amountFen: 10000n, recoveredOn: '2025-07-30', reference: 'YH20250730-001', actor: officer }))).toBe('RECOVERY_AMOUNT_MISMATCH');
    expect(await outcome(recordRecovery(db.orm, clock, { id: may.id, amountFen: 20000n, recoveredOn: '2025-07-30', reference: 'YH20250730-001', actor: approver }))).toBe('FORBIDDEN');
    const done = await recordRecovery(db.orm, clock, { id: may.id, amountFen: 20000n, recoveredOn: '2025-07-30', reference: 'YH20250730-001', actor: officer });
    expect(done).toMatchObject({ status: 'recovered', recoveredFen: 20000n, recoveredOn: '2025-07-30', recoveryReference: 'YH20250730-001', resolvedBy: officer.accountId });
    expect(await auditOf('recovery.recovered', may.id)).toMatchObject([{ actor: `account:${officer.accountId}`, payload: { amountFen: '20000', reference: 'YH20250730-001', recoveredOn: '2025-07-30' } }]);
    expect(await outcome(recordRecovery(db.orm, clock, { id: may.id, amountFen: 20000n, recoveredOn: '2025-07-30', reference: 'again', actor: officer }))).toBe('RECOVERY_STATE_INVALID');
  });

  it('refuses a write-off without a reason with REASON_REQUIRED, and changes nothing', async () => {
    const june = caseOf(raised, GRANNY, '2025-06');
    const refusal = await writeOffRecovery(db.orm, clock, { id: june.id, reason: '   ', actor: approver }).catch((error: unknown) => error);
    expect(isAppError(refusal, 'REASON_REQUIRED')).toBe(true);
    expect((refusal as Error).message).toContain('needs a reason');
    const [row] = await db.sql<{ status: string }[]>`select status from recoveries where id = ${june.id}`;
    expect(row!.status).toBe('open');
    expect(await auditOf('recovery.written-off', june.id)).toEqual([]);
    // Around the service too: the database refuses a written-off case without its reason.
    await expect(db.sql`update recoveries set status = 'written_off', resolved_by = ${approver.accountId} where id = ${june.id}`).rejects.toThrow(/recoveries_resolution/);
  });

  it('writes a case off with the reason, by a finance approver, audited', async () => {
    const june = caseOf(raised, GRANNY, '2025-06');
    expect(await outcome(writeOffRecovery(db.orm, clock, { id: june.id, reason: '无遗产可供追回', actor: officer }))).toBe('FORBIDDEN');
    const done = await writeOffRecovery(db.orm, clock, { id: june.id, reason: '无遗产可供追回，经局务会研究同意核销', actor: approver });
    expect(done).toMatchObject({ status: 'written_off', writeOffReason: '无遗产可供追回，经局务会研究同意核销', resolvedBy: approver.accountId });
    expect(await auditOf('recovery.written-off', june.id)).toMatchObject([{ actor: `account:${approver.accountId}`, payload: { reason: '无遗产可供追回，经局务会研究同意核销', amountFen: '20000' } }]);
    expect((await listRecoveries(db.orm, { actor: approver })).map((c) => [c.subjectKey, c.period])).toEqual([[personKeyOf(MOVER), '2025-06']]);
    expect(await listRecoveries(db.orm, { actor: approver, statuses: ['open', 'recovered', 'written_off'] })).toHaveLength(3);
  });

  it('lists recoveries on the command line by the masked identity number, never the number itself', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const prepared = COMMANDS.recoveries!.prepare(['list', '--all']) as Prepared;
      expect(prepared.permission).toBe('recovery.read');
      expect(await prepared.action({ db, clock } as unknown as App, approver)).toBe(0);
      const printed = log.mock.calls.map((c) => String(c[0])).join('\n');
      expect(printed).toContain(`${GRANNY.slice(0, 6)}********${GRANNY.slice(14)} gaoling-jintie 2025-05 ¥200.00 死亡 2025-04-20`);
      expect(printed).toContain('1 open recoveries, ¥300.00 to recover; 2 closed');
      for (const id of [GRANNY, MOVER]) expect(printed).not.toContain(id);
    } finally {
      log.mockRestore();
    }
  });

  it('keeps recovery cases: the application’s role may not delete one', async () => {
    const [grant] = await db.sql<{ can: boolean }[]>`select has_table_privilege('mianshen_app', 'recoveries', 'DELETE') as can`;
    expect(grant!.can).toBe(false);
  });
});
