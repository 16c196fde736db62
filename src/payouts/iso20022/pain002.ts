// pain.002.001.10 (CustomerPaymentStatusReportV10): the bank's answer to a pain.001. A group status
// (GrpSts: ACCP, ACSC, PART = some accepted some rejected, PDNG, RJCT) and per-transaction statuses
// (TxInfAndSts/TxSts with StsRsnInf/Rsn/Cd, an ExternalStatusReason1Code such as AC04).
import { AppError } from '../../errors.ts';
import { decimalToFen, fenToDecimal } from './amount.ts';
import type { ParsedReport, StatusLine } from './report.ts';
import { child, el, isoDateTime, list, maxText, required, text, type XmlNode } from './xml.ts';

const PAIN002_NS = 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10';

function reason(node: unknown): { code: string | null; text: string | null } {
  const first = list(child(node, 'StsRsnInf'))[0];
  const code = text(child(first, 'Rsn', 'Cd')) ?? text(child(first, 'Rsn', 'Prtry')) ?? null;
  const info = list(child(first, 'AddtlInf')).map((a) => text(a) ?? '').filter(Boolean).join(' ');
  return { code, text: info || null };
}

/** Reads a parsed pain.002.001.10 document into report lines. */
export function readPain002(root: XmlNode, source: string): ParsedReport {
  const report = child(root, 'Document', 'CstmrPmtStsRpt');
  if (!report) throw new AppError('REPORT_MALFORMED', `${source}: a pain.002 needs a CstmrPmtStsRpt element. It changed nothing.`, { source });
  const group = child(report, 'OrgnlGrpInfAndSts');
  const groupReason = reason(group);
  const lines: StatusLine[] = [];
  for (const pmtInf of list(child(report, 'OrgnlPmtInfAndSts'))) {
    for (const tx of list(child(pmtInf, 'TxInfAndSts'))) {
      const status = text(child(tx, 'TxSts'));
      const e2e = text(child(tx, 'OrgnlEndToEndId')) ?? null;
      if (status === undefined) throw new AppError('REPORT_MALFORMED', `${source}: transaction ${e2e ?? '(no OrgnlEndToEndId)'} has no TxSts. It changed nothing.`, { source });
      const r = reason(tx);
      const amount = child(tx, 'OrgnlTxRef', 'Amt', 'InstdAmt');
      const amountText = text(amount);
      lines.push({
        kind: 'status',
        endToEndId: e2e,
        status,
        reasonCode: r.code,
        reasonText: r.text,
        amountFen: amountText === undefined ? null : decimalToFen(amountText, `${source} ${e2e}`),
        currency: amountText === undefined ? null : (text(child(amount, '@Ccy')) ?? ''),
        bankReference: text(child(tx, 'AcctSvcrRef')) ?? null,
      });
    }
  }
  const groupStatus = text(child(group, 'GrpSts')) ?? null;
  return {
    format: 'pain.002.001.10',
    messageId: required(report, source, 'GrpHdr', 'MsgId'),
    createdAt: required(report, source, 'GrpHdr', 'CreDtTm'),
    originalMessageId: required(group, source, 'OrgnlMsgId'),
    groupStatus,
    groupReasonCode: groupReason.code,
    lines,
  };
}

export interface Pain002Transaction {
  endToEndId: string;
  status: 'ACSC' | 'ACCP' | 'PDNG' | 'RJCT';
  reasonCode?: string;
  reasonText?: string;
  amountFen?: bigint;
  bankReference?: string;
}

/** Writes a pain.002.001.10 answering one pain.001 (the sandbox bank's side of the exchange). */
export function writePain002(input: { messageId: string; createdAt: Date; originalMessageId: string; groupStatus: string; transactions: Pain002Transaction[] }): string {
  const txs = input.transactions.map((t) =>
    [
      '<TxInfAndSts>',
      el('OrgnlEndToEndId', t.endToEndId),
      el('TxSts', t.status),
      t.reasonCode ? `<StsRsnInf><Rsn>${el('Cd', t.reasonCode)}</Rsn>${t.reasonText ? el('AddtlInf', maxText(t.reasonText, 105)) : ''}</StsRsnInf>` : '',
      t.bankReference ? el('AcctSvcrRef', t.bankReference) : '',
      t.amountFen === undefined ? '' : `<OrgnlTxRef><Amt><InstdAmt Ccy="CNY">${fenToDecimal(t.amountFen)}</InstdAmt></Amt></OrgnlTxRef>`,
      '</TxInfAndSts>',
    ].join(''),
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${PAIN002_NS}">`,
    '<CstmrPmtStsRpt>',
    `<GrpHdr>${el('MsgId', input.messageId)}${el('CreDtTm', isoDateTime(input.createdAt))}</GrpHdr>`,
    `<OrgnlGrpInfAndSts>${el('OrgnlMsgId', input.originalMessageId)}${el('OrgnlMsgNmId', 'pain.001.001.09')}${el('OrgnlNbOfTxs', String(input.transactions.length))}${el('GrpSts', input.groupStatus)}</OrgnlGrpInfAndSts>`,
    txs.length > 0 ? `<OrgnlPmtInfAndSts>${el('OrgnlPmtInfId', input.originalMessageId)}\n${txs.join('\n')}\n</OrgnlPmtInfAndSts>` : '',
    '</CstmrPmtStsRpt>',
    '</Document>',
    '',
  ].join('\n');
}
