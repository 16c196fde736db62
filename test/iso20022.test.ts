// The ISO 20022 files we write validate against the ISO schemas (libxml2-wasm), carry amounts exactly,
// escape whatever a payee's name contains, and the readers refuse what is not a usable report.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XmlDocument, XsdValidator } from 'libxml2-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { isAppError } from '../src/errors.ts';
import { bankChannelFor } from '../src/payouts/channels.ts';
import { decimalToFen, fenToDecimal } from '../src/payouts/iso20022/amount.ts';
import { writeCamt054 } from '../src/payouts/iso20022/camt054.ts';
import { iso20022FilesChannel } from '../src/payouts/iso20022/files-channel.ts';
import { sandboxFileBank } from '../src/payouts/iso20022/sandbox-file-bank.ts';
import { readPain001, writePain001 } from '../src/payouts/iso20022/pain001.ts';
import { writePain002 } from '../src/payouts/iso20022/pain002.ts';
import { parseBankReport } from '../src/payouts/iso20022/report.ts';
import { endToEndIdFor, messageIdFor, paymentKeyFor } from '../src/payouts/payment-keys.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'iso20022');
const validators = new Map<string, { xsd: XmlDocument; validator: XsdValidator }>();
function validator(schema: string): XsdValidator {
  let entry = validators.get(schema);
  if (!entry) {
    const xsd = XmlDocument.fromBuffer(readFileSync(join(FIXTURES, `${schema}.xsd`)));
    entry = { xsd, validator: XsdValidator.fromDoc(xsd) };
    validators.set(schema, entry);
  }
  return entry.validator;
}
afterAll(() => {
  for (const { xsd, validator: v } of validators.values()) {
    v.dispose();
    xsd.dispose();
  }
});

/** Schema errors of a document ([] when valid). */
function schemaErrors(schema: string, xml: string | Buffer): string[] {
  const doc = typeof xml === 'string' ? XmlDocument.fromString(xml) : XmlDocument.fromBuffer(xml);
  try {
    validator(schema).validate(doc);
    return [];
  } catch (error) {
    return [(error as Error).message];
  } finally {
    doc.dispose();
  }
}

const debtor = { name: '深圳市某区财政局（零余额账户）', accountNumber: '44201501100052512345', agentCnaps: '105584000013' };
const at = new Date('2024-06-15T02:00:00.000Z');

describe('pain.001.001.09 writer', () => {
  const transfers = [
    { endToEndId: endToEndIdFor('k1'), amountFen: 1n, payeeName: '深圳市<测试>&"科技"有限公司', accountNumber: '6222020200001234567', remittance: 'wengang-fanhuan-2024 2024' },
    { endToEndId: endToEndIdFor('k2'), amountFen: 123456789012345n, payeeName: "O'Brien </Nm><Evil>x</Evil>", accountNumber: '44250100003800000888' },
    { endToEndId: endToEndIdFor('k3'), amountFen: 100n, payeeName: 'bell\u0007char', accountNumber: '755912345610901' },
  ];
  const xml = writePain001({ messageId: messageIdFor(7, transfers.map((t) => t.endToEndId)), createdAt: at, debtor, transfers });

  it('validates against the ISO pain.001.001.09 schema', () => {
    expect(schemaErrors('pain.001.001.09', xml)).toEqual([]);
  });

  it('states NbOfTxs and CtrlSum exactly, amounts as decimal yuan from fen, in CNY', () => {
    expect(xml).toContain('<NbOfTxs>3</NbOfTxs><CtrlSum>1234567890124.46</CtrlSum>');
    expect(xml).toContain('<InstdAmt Ccy="CNY">0.01</InstdAmt>');
    expect(xml).toContain('<InstdAmt Ccy="CNY">1234567890123.45</InstdAmt>');
    expect(xml).toContain('<InstdAmt Ccy="CNY">1.00</InstdAmt>');
    expect(xml).toContain('<DbtrAcct><Id><Othr><Id>44201501100052512345</Id></Othr></Id><Ccy>CNY</Ccy></DbtrAcct>');
  });

  it('escapes names so they read back exactly, and drops characters XML cannot carry', () => {
    const read = readPain001(xml, 'test.xml');
    expect(read.transfers.map((t) => t.payeeName)).toEqual(['深圳市<测试>&"科技"有限公司', "O'Brien </Nm><Evil>x</Evil>", 'bellchar']);
    expect(read.transfers.map((t) => t.amountFen)).toEqual([1n, 123456789012345n, 100n]);
    expect(xml).not.toContain('<Evil>');
  });

  it('refuses an empty batch, a non-positive amount and an id longer than ISO allows', () => {
    expect(() => writePain001({ messageId: 'M', createdAt: at, debtor, transfers: [] })).toThrow(/no transfers/);
    expect(() => writePain001({ messageId: 'M', createdAt: at, debtor, transfers: [{ ...transfers[0]!, amountFen: 0n }] })).toThrow(/only positive amounts/);
    expect(() => writePain001({ messageId: 'M'.repeat(36), createdAt: at, debtor, transfers })).toThrow(/1 to 35 characters/);
  });

  it('derives end-to-end and message ids within Max35Text, stable, and distinct for the one re-send', () => {
    const first = endToEndIdFor(paymentKeyFor('2024|wengang|914403001234567890', 0));
    const resend = endToEndIdFor(paymentKeyFor('2024|wengang|914403001234567890', 1));
    expect(first).toMatch(/^MS[0-9a-f]{32}$/);
    expect(resend).not.toBe(first);
    expect(endToEndIdFor(paymentKeyFor('2024|wengang|914403001234567890', 0))).toBe(first);
    expect(messageIdFor(123456, [resend, first])).toBe(messageIdFor(123456, [first, resend]));
    expect(messageIdFor(123456, [first]).length).toBeLessThanOrEqual(35);
  });
});

describe('the sandbox bank answers in valid pain.002.001.10 and camt.054.001.08', () => {
  it('a partial-rejection status report validates and reads back per transaction', () => {
    const xml = writePain002({ messageId: 'ST1', createdAt: at, originalMessageId: 'MS7-abc', groupStatus: 'PART', transactions: [
      { endToEndId: 'E1', status: 'ACCP', amountFen: 1050n, bankReference: 'R1' },
      { endToEndId: 'E2', status: 'RJCT', reasonCode: 'AC04', reasonText: 'Account closed', amountFen: 99n },
      { endToEndId: 'E3', status: 'PDNG' },
      { endToEndId: 'E4', status: 'ACSC' },
    ] });
    expect(schemaErrors('pain.002.001.10', xml)).toEqual([]);
    const report = parseBankReport(xml, 'st.xml');
    expect(report).toMatchObject({ format: 'pain.002.001.10', messageId: 'ST1', originalMessageId: 'MS7-abc', groupStatus: 'PART' });
    expect(report.lines).toEqual([
      { kind: 'status', endToEndId: 'E1', status: 'ACCP', reasonCode: null, reasonText: null, amountFen: 1050n, currency: 'CNY', bankReference: 'R1' },
      { kind: 'status', endToEndId: 'E2', status: 'RJCT', reasonCode: 'AC04', reasonText: 'Account closed', amountFen: 99n, currency: 'CNY', bankReference: null },
      { kind: 'status', endToEndId: 'E3', status: 'PDNG', reasonCode: null, reasonText: null, amountFen: null, currency: null, bankReference: null },
      { kind: 'status', endToEndId: 'E4', status: 'ACSC', reasonCode: null, reasonText: null, amountFen: null, currency: null, bankReference: null },
    ]);
  });

  it('a notification with a booking and a return validates and reads back', () => {
    const xml = writeCamt054({ messageId: 'NT1', createdAt: at, accountNumber: debtor.accountNumber, entries: [
      { endToEndId: 'E1', amountFen: 1050n, side: 'DBIT', bookedOn: '2024-06-15', bankReference: 'R1' },
      { endToEndId: 'E5', amountFen: 20000n, side: 'CRDT', bookedOn: '2024-06-18', bankReference: 'R5', returnReason: { code: 'AC04', text: 'closed after booking' } },
    ] });
    expect(schemaErrors('camt.054.001.08', xml)).toEqual([]);
    expect(parseBankReport(xml, 'nt.xml').lines).toEqual([
      { kind: 'booking', endToEndId: 'E1', amountFen: 1050n, currency: 'CNY', bookedOn: '2024-06-15', bankReference: 'R1' },
      { kind: 'return', endToEndId: 'E5', amountFen: 20000n, currency: 'CNY', reasonCode: 'AC04', reasonText: 'closed after booking', bookedOn: '2024-06-18', bankReference: 'R5' },
    ]);
  });
});

describe('published sample files', () => {
  const samples = join(FIXTURES, 'samples');
  const schemaOf = (file: string) => (file.includes('camt') ? 'camt.054.001.08' : file.includes('pain002') || file.includes('0020110') ? 'pain.002.001.10' : 'pain.001.001.09');

  it('validate against their schemas as recorded (the 10-character BICFI sample is the negative)', () => {
    const results = readdirSync(samples).sort().map((file) => [file, schemaErrors(schemaOf(file), readFileSync(join(samples, file))).length === 0]);
    expect(results).toEqual([
      ['200519_camt.054_P_CH2909000000250094239_1111091335_0_2020061900081727_v2019.xml', true],
      ['camt054.v8.xml', true],
      ['pain.001.001.09.xml', true],
      ['pain001TestReference.xml', true],
      ['test-pain-parse-0020110-02.xml', false],
      ['test-pain-parse-0020110-03.xml', true],
    ]);
  });

  it('read as reports: a bank status report without transaction detail, and foreign-currency bookings', () => {
    const status = parseBankReport(readFileSync(join(samples, 'test-pain-parse-0020110-03.xml'), 'utf8'), 'hvb.xml');
    expect(status).toMatchObject({ format: 'pain.002.001.10', groupStatus: 'RCVC', originalMessageId: '2025-11-02T18:33:03:0287', lines: [] });
    const camt = parseBankReport(readFileSync(join(samples, 'camt054.v8.xml'), 'utf8'), 'camt054.v8.xml');
    expect(camt.format).toBe('camt.054.001.08');
    expect(camt.lines.length).toBeGreaterThan(0);
    // SEK amounts read exactly; reconciliation flags them as a currency mismatch, never pays on them.
    expect(camt.lines.every((l) => l.kind === 'other' || l.currency !== 'CNY')).toBe(true);
  });
});

describe('amounts and malformed reports', () => {
  it('converts between fen and decimal yuan exactly', () => {
    expect(fenToDecimal(0n)).toBe('0.00');
    expect(fenToDecimal(9007199254740993n)).toBe('90071992547409.93');
    expect(decimalToFen('90071992547409.93', 'x')).toBe(9007199254740993n);
    expect(decimalToFen('1.5', 'x')).toBe(150n);
    expect(decimalToFen('1.50000', 'x')).toBe(150n);
    expect(decimalToFen('7', 'x')).toBe(700n);
  });

  it.each(['1.005', '1e3', '-1.00', '1,00', '', ' 0x10'])('refuses %j as an amount', (value) => {
    expect(() => decimalToFen(value, 'line 3')).toThrow(/line 3/);
  });

  it.each([
    ['not XML', 'this is not <xml'],
    ['another message type', '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt/></Document>'],
    ['a status without TxSts', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt><GrpHdr><MsgId>A</MsgId><CreDtTm>2024-06-15T00:00:00Z</CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>B</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId></OrgnlGrpInfAndSts><OrgnlPmtInfAndSts><OrgnlPmtInfId>B</OrgnlPmtInfId><TxInfAndSts><OrgnlEndToEndId>E</OrgnlEndToEndId></TxInfAndSts></OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>'],
    ['a booking in fractions of a fen', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn><GrpHdr><MsgId>A</MsgId><CreDtTm>2024-06-15T00:00:00Z</CreDtTm></GrpHdr><Ntfctn><Id>A</Id><Acct><Id><Othr><Id>1</Id></Othr></Id></Acct><Ntry><Amt Ccy="CNY">1.001</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts><BkTxCd/></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>'],
    ['a report without MsgId', '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt><GrpHdr><CreDtTm>2024-06-15T00:00:00Z</CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>B</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>ACCP</GrpSts></OrgnlGrpInfAndSts></CstmrPmtStsRpt></Document>'],
  ])('refuses %s as REPORT_MALFORMED naming the file', (_what, content) => {
    const error = (() => {
      try {
        parseBankReport(content, 'inbox/bad.xml');
        return undefined;
      } catch (e) {
        return e;
      }
    })();
    expect(isAppError(error, 'REPORT_MALFORMED')).toBe(true);
    expect((error as Error).message).toContain('bad.xml');
  });
});

describe('files channel and sandbox file bank', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mianshen-iso-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const channel = iso20022FilesChannel({ dataDir: dir, debtor });
  const message = { messageId: 'MS9-0123456789abcdef', batchId: 9, createdAt: at, instructions: [
    { endToEndId: endToEndIdFor('a'), accountNumber: '6222000011112222', amountFen: 500n, payeeName: '甲公司' },
    { endToEndId: endToEndIdFor('b'), accountNumber: '6222000011113333', amountFen: 700n, payeeName: '乙公司' },
  ] };

  it('writes a message once: a repeat of the same MsgId keeps the first file and says so', async () => {
    const first = await channel.transmit(message);
    const again = await channel.transmit({ ...message, createdAt: new Date(at.getTime() + 60_000) });
    expect(first.repeated).toBe(false);
    expect(again).toEqual({ reference: first.reference, sha256: first.sha256, repeated: true });
    expect(readdirSync(join(dir, 'bank', 'outbox'))).toEqual(['MS9-0123456789abcdef.pain.001.xml']);
  });

  it('gives no answer at all for a message whose every transaction times out, and answers others once', async () => {
    const silent = sandboxFileBank({ dataDir: dir, clock: { now: () => at }, rules: [{ accountSuffix: '2222', outcome: 'timeout' }, { accountSuffix: '3333', outcome: 'timeout' }] });
    expect(await silent.process()).toEqual({ written: [], unreadable: [] });
    const normal = sandboxFileBank({ dataDir: dir, clock: { now: () => at } });
    expect((await normal.process()).written.sort()).toEqual(['camt.054-MS9-0123456789abcdef.xml', 'pain.002-MS9-0123456789abcdef.xml']);
    expect((await normal.process()).written).toEqual([]);
    const reports = await channel.fetchReports();
    expect(reports.map((r) => r.reportId)).toEqual(['camt.054-MS9-0123456789abcdef.xml', 'pain.002-MS9-0123456789abcdef.xml']);
    for (const r of reports) expect(schemaErrors(r.reportId.startsWith('camt') ? 'camt.054.001.08' : 'pain.002.001.10', r.content)).toEqual([]);
  });
});

describe('channel configuration', () => {
  it('selects the channel by BANK_CHANNEL and refuses an unknown one or a malformed fund account, naming the variable', () => {
    expect(loadConfig({}).BANK_CHANNEL).toBe('sandbox');
    expect(loadConfig({ BANK_CHANNEL: 'iso20022-files' }).BANK_CHANNEL).toBe('iso20022-files');
    expect(bankChannelFor({ ...loadConfig({ BANK_CHANNEL: 'iso20022-files', DATA_DIR: '/nonexistent/iso' }) }, undefined as never, { now: () => at }).kind).toBe('iso20022-files');
    expect(() => loadConfig({ BANK_CHANNEL: 'swift' })).toThrow(/BANK_CHANNEL="swift"/);
    expect(() => loadConfig({ FUND_ACCOUNT_NUMBER: '4420-1501' })).toThrow(/FUND_ACCOUNT_NUMBER="4420-1501": must be the fund account number/);
    expect(() => loadConfig({ FUND_ACCOUNT_CNAPS: '1055' })).toThrow(/FUND_ACCOUNT_CNAPS/);
  });
});
