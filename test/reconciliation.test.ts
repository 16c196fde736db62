// Payments through the ISO 20022 files channel and the sandbox file bank, reconciled on real
// PostgreSQL: one transmission per batch under concurrent sends, partial rejection, quarantine of lines
// we cannot apply (the rest of the batch still settles), duplicates and malformed files changing
// nothing, a late return re-sent once in a follow-up batch and never twice.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';
import { asc, eq, sql as dsql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../src/audit/audit-trail.ts';
import { fixedClock } from '../src/clock.ts';
import { POLICIES_DIR } from '../src/cycle.ts';
import { accountReverifications, bankMessages, bankReports, listEntries, payments, payoutBatches } from '../src/db/schema/index.ts';
import { loadDemoPopulation } from '../src/demo/load-demo.ts';
import { isAppError } from '../src/errors.ts';
import { runToCompletion } from '../src/matching/run-service.ts';
import { writeCamt054 } from '../src/payouts/iso20022/camt054.ts';
import { bankDirs, iso20022FilesChannel } from '../src/payouts/iso20022/files-channel.ts';
import { readPain001 } from '../src/payouts/iso20022/pain001.ts';
import { sandboxFileBank, type SandboxRule } from '../src/payouts/iso20022/sandbox-file-bank.ts';
import { approveBatch, prepareBatch, reconcile, sendBatch } from '../src/payouts/payout-service.ts';
import { endToEndIdFor, paymentKeyFor } from '../src/payouts/payment-keys.ts';
import { listQuarantine, listReverifications, prepareFollowUpBatch, resolveQuarantine, verifyAccount } from '../src/payouts/reconciliation.ts';
import { publishLibrary, readLibraryFiles } from '../src/policies/library-registry.ts';
import { createTestDatabase, silentLog, type TestDatabase } from './support/database.ts';
import ExcelJS from 'exceljs';
import { exportBatch } from '../src/payouts/batch-export.ts';
import { fenToYuanText } from '../src/lists/export.ts';
import { noticeLapsed } from './support/notice.ts';
import { createStaff } from './support/staff.ts';
import { decryptField } from '../src/subjects/personal-data.ts';
import { actorRef, SYSTEM_ACTOR, type StaffActor } from '../src/identity/permissions.ts';

const POINT = 'wengang-fanhuan-2024';
const clock = fixedClock('2024-06-15T02:00:00.000Z');
const dataDir = mkdtempSync(join(tmpdir(), 'mianshen-recon-'));
const dirs = bankDirs(dataDir);
const debtor = { name: '深圳市某区财政局', accountNumber: '44201501100052512345', agentCnaps: '105584000013' };
const channel = iso20022FilesChannel({ dataDir, debtor });
let db: TestDatabase;
let A: StaffActor, ZHANG: StaffActor, WANG: StaffActor, LI: StaffActor, SECOND: StaffActor;
let batchId: number;
let byRole: Record<'closed' | 'invalid' | 'nameMismatch' | 'timeout' | 'lateReturn' | 'amountOff', Awaited<ReturnType<typeof batchPayments>>[number]>;
let ordinary: Awaited<ReturnType<typeof batchPayments>>;
let bank: ReturnType<typeof sandboxFileBank>;

// Payments keep their account sealed (SM4); the test reads the clear number the bank was given.
const batchPayments = async () => (await db.orm.select().from(payments).where(eq(payments.batchId, batchId)).orderBy(asc(payments.subjectKey))).map((p) => ({ ...p, accountNumber: decryptField(p.accountEnc) }));
const statusOf = async (p: { subjectKey: string; idempotencyKey: string }) => (await db.orm.select().from(payments).where(eq(payments.idempotencyKey, p.idempotencyKey))).find((r) => r.subjectKey === p.subjectKey)!;
const batchStatus = async (id: number) => (await db.orm.select().from(payoutBatches).where(eq(payoutBatches.id, id)))[0]!.status;
const auditCount = async (action: string) => Number((await db.orm.execute<{ n: number }>(dsql`select count(*)::int as n from audit_log where action = ${action}`))[0]!.n);

beforeAll(async () => {
  db = await createTestDatabase();
  A = await createStaff(db, ['policy_staff', 'reviewer']);
  ZHANG = await createStaff(db, ['finance_officer', 'finance_approver']);
  WANG = await createStaff(db, ['finance_approver', 'finance_officer']);
  LI = await createStaff(db, ['finance_officer']);
  SECOND = await createStaff(db, ['finance_approver']);
  await publishLibrary(db.orm, clock, A, await readLibraryFiles(POLICIES_DIR));
  await loadDemoPopulation(db, clock, { seed: 11, count: 60, dataYear: 2023, asOf: '2024-03-31', dataDir });
  await runToCompletion(db, clock, silentLog, { scope: POINT, period: '2024', trigger: 'test', actor: actorRef(A), shards: 2 });
  const { after } = await noticeLapsed(db, clock, POINT, '2024');
  batchId = (await prepareBatch(db, after, { pointId: POINT, period: '2024', actor: ZHANG })).batchId;
  // Above the second-approval amount (¥1,000,000 by default) a second finance approver signs too.
  if ((await approveBatch(db, clock, { batchId, actor: WANG })).status === 'awaiting_second_approval') await approveBatch(db, clock, { batchId, actor: SECOND });
  const all = (await batchPayments()).filter((p) => !p.accountNumber.endsWith('0000'));
  expect(all.length).toBeGreaterThanOrEqual(10);
  const [closed, invalid, nameMismatch, timeout, lateReturn, amountOff, ...rest] = all;
  byRole = { closed: closed!, invalid: invalid!, nameMismatch: nameMismatch!, timeout: timeout!, lateReturn: lateReturn!, amountOff: amountOff! };
  ordinary = rest;
  const rules: SandboxRule[] = [
    { accountSuffix: closed!.accountNumber, outcome: 'closed' },
    { accountSuffix: invalid!.accountNumber, outcome: 'invalid' },
    { accountSuffix: nameMismatch!.accountNumber, outcome: 'name-mismatch' },
    { accountSuffix: timeout!.accountNumber, outcome: 'timeout' },
    { accountSuffix: lateReturn!.accountNumber, outcome: 'late-return', returnAfterDays: 3 },
    { accountSuffix: amountOff!.accountNumber, outcome: 'amount-off' },
    { accountSuffix: '0000', outcome: 'closed' },
  ];
  bank = sandboxFileBank({ dataDir, clock, rules });
});
afterAll(async () => {
  await db?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('sending', () => {
  it('transmits once when two sends of the same batch run concurrently: one pain.001, one set of transfers', async () => {
    const results = await Promise.all([
      sendBatch(db, clock, channel, { batchId, actor: WANG }),
      sendBatch(db, clock, channel, { batchId, actor: WANG }),
    ]);
    const total = (await batchPayments()).length;
    expect(results.map((r) => r.sent).sort((a, b) => a - b)).toEqual([0, total]);
    const files = readdirSync(dirs.outbox).filter((f) => !f.startsWith('.'));
    expect(files).toHaveLength(1);
    expect(await db.orm.select().from(bankMessages)).toHaveLength(1);
    expect(await auditCount('batch.sent')).toBe(1);
    const message = readPain001(readFileSync(join(dirs.outbox, files[0]!), 'utf8'), files[0]!);
    expect(message.transfers).toHaveLength(total);
    expect(new Set(message.transfers.map((t) => t.endToEndId)).size).toBe(total);
    expect(new Set((await batchPayments()).map((p) => p.status))).toEqual(new Set(['sent']));
    // A third send after the fact transmits nothing and writes no file.
    expect((await sendBatch(db, clock, channel, { batchId, actor: WANG })).sent).toBe(0);
    expect(readdirSync(dirs.outbox).filter((f) => !f.startsWith('.'))).toHaveLength(1);
  });

  it('writes a pain.001 that validates against the ISO schema, debiting the fund account, amounts exact', async () => {
    const [file] = readdirSync(dirs.outbox).filter((f) => !f.startsWith('.'));
    const bytes = readFileSync(join(dirs.outbox, file!));
    const xsd = XmlDocument.fromBuffer(readFileSync(join(import.meta.dirname, 'fixtures', 'iso20022', 'pain.001.001.09.xsd')));
    const validator = XsdValidator.fromDoc(xsd);
    const doc = XmlDocument.fromBuffer(bytes);
    try {
      expect(() => validator.validate(doc)).not.toThrow();
    } finally {
      doc.dispose();
      validator.dispose();
      xsd.dispose();
    }
    const message = readPain001(bytes.toString('utf8'), file!);
    const rows = await batchPayments();
    expect(message.debtorAccount).toBe(debtor.accountNumber);
    const byE2e = new Map(rows.map((p) => [p.endToEndId, p]));
    for (const t of message.transfers) {
      expect(t.currency).toBe('CNY');
      expect(t.amountFen).toBe(byE2e.get(t.endToEndId)!.amountFen);
      expect(t.accountNumber).toBe(byE2e.get(t.endToEndId)!.accountNumber);
    }
    const [stored] = await db.orm.select().from(bankMessages);
    expect(stored!.totalFen).toBe(rows.reduce((s, p) => s + p.amountFen, 0n));
  });

  it('exports the batch for finance as CSV and XLSX with totals equal to the pain.001’s NbOfTxs and CtrlSum', async () => {
    const [file] = readdirSync(dirs.outbox).filter((f) => !f.startsWith('.'));
    const xml = readFileSync(join(dirs.outbox, file!), 'utf8');
    const nbOfTxs = /<GrpHdr>.*?<NbOfTxs>(\d+)<\/NbOfTxs><CtrlSum>([\d.]+)<\/CtrlSum>/su.exec(xml)!;
    const csvOut = join(dataDir, 'batch.csv');
    const csv = await exportBatch(db, { batchId, format: 'csv', out: csvOut, actor: ZHANG });
    expect(csv).toMatchObject({ agrees: true, payments: Number(nbOfTxs[1]), paymentFile: { messages: 1, payments: Number(nbOfTxs[1]) } });
    expect(fenToYuanText(csv.totalFen)).toBe(nbOfTxs[2]);
    const lines = readFileSync(csvOut, 'utf8').trimEnd().split('\n');
    expect(lines[0]!.startsWith('\ufeff证件号码（已脱敏）')).toBe(true);
    const [batchTotal, fileTotal] = lines.slice(-2).map((l) => l.split(','));
    expect(batchTotal![4]).toBe(nbOfTxs[2]);
    expect(fileTotal!.slice(4, 8)).toEqual([nbOfTxs[2], String(csv.totalFen), '1 个报文（pain.001 NbOfTxs/CtrlSum）', '一致']);
    // No clear account number or full identifier in the file.
    for (const p of await batchPayments()) expect(readFileSync(csvOut, 'utf8')).not.toContain(p.accountNumber);

    const xlsxOut = join(dataDir, 'batch.xlsx');
    await exportBatch(db, { batchId, format: 'xlsx', out: xlsxOut, actor: ZHANG });
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(xlsxOut);
    const sheet = book.getWorksheet('拨付明细')!;
    expect(sheet.rowCount).toBe(Number(nbOfTxs[1]) + 3);
    const amounts = Array.from({ length: Number(nbOfTxs[1]) }, (_, i) => BigInt(sheet.getRow(i + 2).getCell(6).text));
    expect(fenToYuanText(amounts.reduce((a, b) => a + b, 0n))).toBe(nbOfTxs[2]);
    expect(sheet.getRow(Number(nbOfTxs[1]) + 3).getCell(5).text).toBe(nbOfTxs[2]);
  });
});

describe('reconciling', () => {
  it('reconciles a pain.002 partial rejection: rejected fail with their reason, accepted settle on the booking', async () => {
    const answered = await bank.process();
    expect(answered.written.sort()).toEqual([expect.stringMatching(/^camt\.054-MS/), expect.stringMatching(/^pain\.002-MS/)]);
    const status = readFileSync(join(dirs.inbox, answered.written.find((f) => f.startsWith('pain.002'))!), 'utf8');
    expect(status).toContain('<GrpSts>PART</GrpSts>');

    const result = await reconcile(db, clock, silentLog, channel, SYSTEM_ACTOR);
    expect(result.applied).toHaveLength(2);
    expect(result.failed).toBe(3 + (await batchPayments()).filter((p) => p.accountNumber.endsWith('0000')).length);
    expect(await statusOf(byRole.closed)).toMatchObject({ status: 'failed', failureCode: 'AC04', failureReason: '账户已销户' });
    expect(await statusOf(byRole.invalid)).toMatchObject({ status: 'failed', failureCode: 'AC01', failureReason: '账号不正确' });
    expect(await statusOf(byRole.nameMismatch)).toMatchObject({ status: 'failed', failureCode: 'BE01', failureReason: '户名与账号不符' });
    for (const p of ordinary.filter((o) => !o.accountNumber.endsWith('0000'))) expect((await statusOf(p)).status).toBe('paid');
    expect(await statusOf(byRole.lateReturn)).toMatchObject({ status: 'paid' });
    // No answer for the timed-out one: still in flight, batch open.
    expect(await statusOf(byRole.timeout)).toMatchObject({ status: 'sent', bankStatus: null });
    expect(await batchStatus(batchId)).toBe('sent');

    // Rejected accounts go to re-verification; the list entries show the failure.
    const open = await listReverifications(db.orm, ['open']);
    expect(open.map((r) => r.paymentKey)).toEqual(expect.arrayContaining([byRole.closed.idempotencyKey, byRole.invalid.idempotencyKey, byRole.nameMismatch.idempotencyKey]));
    const [entry] = await db.orm.select().from(listEntries).where(eq(listEntries.idempotencyKey, byRole.closed.idempotencyKey));
    expect(entry!.status).toBe('payment_failed');
  });

  it('flags a booking whose amount differs from the instruction: quarantined, the payment not marked paid', async () => {
    expect(await statusOf(byRole.amountOff)).toMatchObject({ status: 'sent', bankStatus: 'ACCP' });
    const lines = await listQuarantine(db.orm);
    expect(lines).toEqual([expect.objectContaining({ problem: 'amount-mismatch', endToEndId: byRole.amountOff.endToEndId, status: 'open' })]);
    expect(lines[0]!.detail).toContain(`${byRole.amountOff.amountFen + 1n} fen`);
  });

  it('quarantines a line that matches no payment, and still settles the other payments of its file', async () => {
    writeFileSync(join(dirs.inbox, 'camt.054-manual-1.xml'), writeCamt054({ messageId: 'MANUAL-1', createdAt: clock.now(), accountNumber: debtor.accountNumber, entries: [
      { endToEndId: 'MS00000000000000000000000000000000', amountFen: 12345n, side: 'DBIT', bookedOn: '2024-06-15', bankReference: 'X1' },
      { endToEndId: byRole.timeout.endToEndId!, amountFen: byRole.timeout.amountFen, side: 'DBIT', bookedOn: '2024-06-15', bankReference: 'X2' },
      { endToEndId: byRole.amountOff.endToEndId!, amountFen: byRole.amountOff.amountFen, side: 'DBIT', bookedOn: '2024-06-15', bankReference: 'X3' },
    ] }));
    const result = await reconcile(db, clock, silentLog, channel, SYSTEM_ACTOR);
    expect(result).toMatchObject({ applied: ['camt.054-manual-1.xml'], paid: 2, quarantined: 1 });
    expect(await statusOf(byRole.timeout)).toMatchObject({ status: 'paid', bankReference: 'X2' });
    expect(await statusOf(byRole.amountOff)).toMatchObject({ status: 'paid' });
    const open = await listQuarantine(db.orm);
    expect(open.map((l) => l.problem).sort()).toEqual(['amount-mismatch', 'unknown-payment']);
    // Nothing is left in flight: the batch is reconciled although two lines wait for a person.
    expect(await batchStatus(batchId)).toBe('reconciled');
    expect(result.batchesReconciled).toEqual([batchId]);
  });

  it('lets a person resolve a quarantined line with a reason, audited, once', async () => {
    const [line] = await listQuarantine(db.orm);
    await expect(resolveQuarantine(db.orm, clock, { id: line!.id, reason: 'ok', actor: LI })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
    await resolveQuarantine(db.orm, clock, { id: line!.id, reason: '银行确认为重复通知，已核对无误', actor: LI });
    const again = await resolveQuarantine(db.orm, clock, { id: line!.id, reason: '银行确认为重复通知', actor: LI }).catch((e: unknown) => e);
    expect(isAppError(again, 'QUARANTINE_NOT_FOUND')).toBe(true);
    expect(await listQuarantine(db.orm)).toHaveLength(1);
    expect((await listQuarantine(db.orm, 'resolved'))[0]).toMatchObject({ resolvedBy: actorRef(LI), resolution: '银行确认为重复通知，已核对无误' });
    expect(await auditCount('bank_report.line_resolved')).toBe(1);
  });

  it('changes nothing for a duplicate file (same bytes, or same MsgId) or a malformed one, and reports them', async () => {
    const before = await batchPayments();
    const quarantinedBefore = (await listQuarantine(db.orm, 'all')).length;
    const [status] = readdirSync(dirs.inbox).filter((f) => f.startsWith('pain.002-MS'));
    copyFileSync(join(dirs.inbox, status!), join(dirs.inbox, 'pain.002-copy.xml'));
    const sameId = readFileSync(join(dirs.inbox, 'camt.054-manual-1.xml'), 'utf8').replace('X2', 'X9');
    writeFileSync(join(dirs.inbox, 'camt.054-manual-1-resent.xml'), sameId);
    writeFileSync(join(dirs.inbox, 'garbled.xml'), '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt><GrpHdr>');
    const result = await reconcile(db, clock, silentLog, channel, SYSTEM_ACTOR);
    expect(result).toMatchObject({ applied: [], paid: 0, failed: 0, returned: 0, quarantined: 0 });
    expect(result.duplicates.map((d) => d.reportId).sort()).toEqual(['camt.054-manual-1-resent.xml', 'pain.002-copy.xml']);
    expect(result.malformed.map((m) => m.reportId)).toEqual(['garbled.xml']);
    expect(await batchPayments()).toEqual(before);
    expect(await listQuarantine(db.orm, 'all')).toHaveLength(quarantinedBefore);
    // Recorded once: a second run neither re-applies nor re-reports them.
    const again = await reconcile(db, clock, silentLog, channel, SYSTEM_ACTOR);
    expect(again).toMatchObject({ applied: [], duplicates: [], malformed: [] });
    const outcomes = await db.orm.select({ id: bankReports.reportId, outcome: bankReports.outcome }).from(bankReports).where(eq(bankReports.outcome, 'duplicate'));
    expect(outcomes).toHaveLength(2);
    // Every file exchanged is still there.
    expect(readdirSync(dirs.inbox).filter((f) => !f.startsWith('.'))).toHaveLength(6);
  });
});

describe('returns and the follow-up batch', () => {
  let followUp: number;

  it('marks a payment returned when the bank returns it days after booking, and opens its re-verification', async () => {
    clock.advance(2 * 86_400_000);
    expect((await bank.process()).written).toEqual([]);
    clock.advance(2 * 86_400_000);
    expect((await bank.process()).written).toEqual([expect.stringMatching(/^camt\.054-RTR-/)]);
    const result = await reconcile(db, clock, silentLog, channel, SYSTEM_ACTOR);
    expect(result).toMatchObject({ returned: 1, quarantined: 0 });
    expect(await statusOf(byRole.lateReturn)).toMatchObject({ status: 'returned', failureCode: 'AC04' });
    const [r] = await db.orm.select().from(accountReverifications).where(eq(accountReverifications.paymentKey, byRole.lateReturn.idempotencyKey));
    expect(r).toMatchObject({ status: 'open', outcome: 'returned' });
  });

  it('refuses a follow-up batch before any account is re-verified', async () => {
    const refusal = await prepareFollowUpBatch(db.orm, clock, { sourceBatchId: batchId, actor: ZHANG }).catch((e: unknown) => e);
    expect(isAppError(refusal, 'FOLLOW_UP_EMPTY')).toBe(true);
  });

  it('re-sends a returned payment once, to the re-verified account, in a follow-up batch needing four eyes', async () => {
    await expect(verifyAccount(db.orm, clock, { subjectKey: byRole.lateReturn.subjectKey, paymentKey: byRole.lateReturn.idempotencyKey, accountNumber: '12ab', accountKind: 'basic', actor: LI })).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });
    await verifyAccount(db.orm, clock, { subjectKey: byRole.lateReturn.subjectKey, paymentKey: byRole.lateReturn.idempotencyKey, accountNumber: '6222021234567890123', accountKind: 'basic', actor: LI });
    await expect(verifyAccount(db.orm, clock, { subjectKey: byRole.lateReturn.subjectKey, paymentKey: byRole.lateReturn.idempotencyKey, accountNumber: '6222021234567890123', accountKind: 'basic', actor: LI })).rejects.toMatchObject({ code: 'REVERIFICATION_NOT_FOUND' });

    const prepared = await prepareFollowUpBatch(db.orm, clock, { sourceBatchId: batchId, actor: ZHANG });
    followUp = prepared.batchId;
    expect(prepared).toMatchObject({ paymentCount: 1, totalFen: byRole.lateReturn.amountFen });
    const [resend] = await db.orm.select().from(payments).where(eq(payments.batchId, followUp));
    const key = paymentKeyFor(byRole.lateReturn.idempotencyKey, 1);
    expect(resend).toMatchObject({ idempotencyKey: key, entitlementKey: byRole.lateReturn.idempotencyKey, attempt: 1, endToEndId: endToEndIdFor(key), status: 'pending' });
    expect(decryptField(resend!.accountEnc)).toBe('6222021234567890123');
    expect(await db.orm.select().from(payoutBatches).where(eq(payoutBatches.id, followUp))).toEqual([expect.objectContaining({ followUpOf: batchId, status: 'prepared' })]);

    await expect(approveBatch(db, clock, { batchId: followUp, actor: ZHANG })).rejects.toMatchObject({ code: 'SELF_APPROVAL_FORBIDDEN' });
    await approveBatch(db, clock, { batchId: followUp, actor: WANG });
    expect((await sendBatch(db, clock, channel, { batchId: followUp, actor: WANG })).sent).toBe(1);
    await bank.process();
    // The new account has no late-return rule: the re-send is booked.
    const result = await reconcile(db, clock, silentLog, channel, SYSTEM_ACTOR);
    expect(result).toMatchObject({ paid: 1, batchesReconciled: [followUp] });
    expect((await statusOf({ subjectKey: byRole.lateReturn.subjectKey, idempotencyKey: key })).status).toBe('paid');
    const [entry] = await db.orm.select().from(listEntries).where(eq(listEntries.idempotencyKey, byRole.lateReturn.idempotencyKey));
    expect(entry!.status).toBe('paid');
  });

  it('never re-sends twice: no second follow-up, and the database refuses a second live payment or a third attempt', async () => {
    const again = await prepareFollowUpBatch(db.orm, clock, { sourceBatchId: batchId, actor: ZHANG }).catch((e: unknown) => e);
    expect(isAppError(again, 'FOLLOW_UP_EMPTY')).toBe(true);
    const [resend] = await db.orm.select().from(payments).where(eq(payments.batchId, followUp));
    // Rows written around the service into a batch still open to payments (a closed batch's triggers
    // would refuse them first): the unique constraints refuse them on their own.
    const [open] = await db.sql<{ id: string }[]>`insert into payout_batches (point_id, period, status, payment_count, total_fen, prepared_by, prepared_at)
      values (${POINT}, '2024', 'prepared', 1, 1, ${ZHANG.accountId}, now()) returning id::text`;
    const openBatch = Number(open!.id);
    // Another row for the same entitlement while one is paid: refused.
    await expect(db.sql`insert into payments (subject_key, idempotency_key, entitlement_key, attempt, end_to_end_id, batch_id, amount_fen, account_enc, account_key_id, account_masked, account_kind, status)
      values (${resend!.subjectKey}, ${resend!.idempotencyKey + 'x'}, ${resend!.entitlementKey}, 0, 'MSx', ${openBatch}, 1, ${resend!.accountEnc}, ${resend!.accountKeyId}, ${resend!.accountMasked}, 'basic', 'pending')`).rejects.toThrow(/payments_entitlement_live|payments_attempt_key|payments_entitlement_attempt/);
    // A third attempt, even for a failed entitlement: refused.
    await expect(db.sql`insert into payments (subject_key, idempotency_key, entitlement_key, attempt, end_to_end_id, batch_id, amount_fen, account_enc, account_key_id, account_masked, account_kind, status)
      values (${byRole.closed.subjectKey}, ${byRole.closed.idempotencyKey + '~r2'}, ${byRole.closed.idempotencyKey}, 2, 'MSy', ${openBatch}, 1, ${resend!.accountEnc}, ${resend!.accountKeyId}, ${resend!.accountMasked}, 'basic', 'failed')`).rejects.toThrow(/payments_attempt_once|payments_attempt_key/);
  });

  it('leaves an intact audit chain', async () => {
    expect((await verifyAuditChain(db.sql)).ok).toBe(true);
  });
});
