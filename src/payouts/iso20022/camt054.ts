// camt.054.001.08 (BankToCustomerDebitCreditNotificationV08): booked movements of the fund account.
// A debit (DBIT) with status BOOK is a payment booked out, at the amount booked; a credit (CRDT)
// carrying RtrInf is money returned by the payee's bank, with its ExternalReturnReason1Code. Entry
// and transaction amounts are read exactly; an entry with several transactions is read per TxDtls.
import { AppError } from '../../errors.ts';
import { decimalToFen, fenToDecimal } from './amount.ts';
import type { ParsedReport, ReportLine } from './report.ts';
import { child, el, isoDateTime, list, maxText, required, text, type XmlNode } from './xml.ts';

const CAMT054_NS = 'urn:iso:std:iso:20022:tech:xsd:camt.054.001.08';

function date(node: unknown): string | null {
  return text(child(node, 'Dt')) ?? text(child(node, 'DtTm'))?.slice(0, 10) ?? null;
}

/** Reads a parsed camt.054.001.08 document into report lines (only booked entries count). */
export function readCamt054(root: XmlNode, source: string): ParsedReport {
  const doc = child(root, 'Document', 'BkToCstmrDbtCdtNtfctn');
  if (!doc) throw new AppError('REPORT_MALFORMED', `${source}: a camt.054 needs a BkToCstmrDbtCdtNtfctn element. It changed nothing.`, { source });
  const lines: ReportLine[] = [];
  for (const notification of list(child(doc, 'Ntfctn'))) {
    for (const entry of list(child(notification, 'Ntry'))) {
      const status = text(child(entry, 'Sts', 'Cd')) ?? text(child(entry, 'Sts', 'Prtry')) ?? text(child(entry, 'Sts'));
      if (status !== 'BOOK') continue; // pending or information-only entries settle nothing
      const side = required(entry, source, 'CdtDbtInd');
      const entryAmount = decimalToFen(required(entry, source, 'Amt'), `${source} entry amount`);
      const entryCurrency = text(child(entry, 'Amt', '@Ccy')) ?? '';
      const bookedOn = date(child(entry, 'BookgDt'));
      const entryRef = text(child(entry, 'AcctSvcrRef')) ?? null;
      const txs = list(child(entry, 'NtryDtls')).flatMap((d) => list(child(d, 'TxDtls')));
      const details = txs.length > 0 ? txs : [undefined];
      for (const tx of details) {
        const e2e = text(child(tx, 'Refs', 'EndToEndId')) ?? null;
        const txAmountText = text(child(tx, 'Amt'));
        // One transaction in the entry: the entry's amount is the transaction's if it gives none.
        const amountFen = txAmountText !== undefined ? decimalToFen(txAmountText, `${source} ${e2e}`) : details.length === 1 ? entryAmount : null;
        const currency = txAmountText !== undefined ? (text(child(tx, 'Amt', '@Ccy')) ?? '') : entryCurrency;
        const txSide = text(child(tx, 'CdtDbtInd')) ?? side;
        const bankReference = text(child(tx, 'Refs', 'AcctSvcrRef')) ?? entryRef;
        const rtr = child(tx, 'RtrInf');
        if (amountFen === null) {
          lines.push({ kind: 'other', endToEndId: e2e, description: 'transaction in a batched entry without its own amount', amountFen: null, currency: null });
        } else if (txSide === 'DBIT' && rtr === undefined) {
          lines.push({ kind: 'booking', endToEndId: e2e, amountFen, currency, bookedOn, bankReference });
        } else if (txSide === 'CRDT' && rtr !== undefined) {
          const info = list(child(rtr, 'AddtlInf')).map((a) => text(a) ?? '').join(' ');
          lines.push({ kind: 'return', endToEndId: e2e, amountFen, currency, reasonCode: text(child(rtr, 'Rsn', 'Cd')) ?? text(child(rtr, 'Rsn', 'Prtry')) ?? null, reasonText: info || null, bookedOn, bankReference });
        } else {
          lines.push({ kind: 'other', endToEndId: e2e, description: `${txSide} entry${rtr === undefined ? '' : ' with return information'}`, amountFen, currency });
        }
      }
    }
  }
  return {
    format: 'camt.054.001.08',
    messageId: required(doc, source, 'GrpHdr', 'MsgId'),
    createdAt: required(doc, source, 'GrpHdr', 'CreDtTm'),
    originalMessageId: null,
    groupStatus: null,
    groupReasonCode: null,
    lines,
  };
}

export interface Camt054Entry {
  endToEndId: string;
  amountFen: bigint;
  side: 'DBIT' | 'CRDT';
  bookedOn: string;
  bankReference: string;
  /** A return (CRDT): the ExternalReturnReason1Code, e.g. AC04. */
  returnReason?: { code: string; text?: string };
}

/** Writes a camt.054.001.08 for the fund account (the sandbox bank's side of the exchange). */
export function writeCamt054(input: { messageId: string; createdAt: Date; accountNumber: string; entries: Camt054Entry[] }): string {
  const entries = input.entries.map((e) => {
    const amount = `<Amt Ccy="CNY">${fenToDecimal(e.amountFen)}</Amt>`;
    const family = e.returnReason ? 'RRTN' : 'ESCT';
    return [
      '<Ntry>',
      amount,
      el('CdtDbtInd', e.side),
      '<Sts><Cd>BOOK</Cd></Sts>',
      `<BookgDt>${el('Dt', e.bookedOn)}</BookgDt><ValDt>${el('Dt', e.bookedOn)}</ValDt>`,
      el('AcctSvcrRef', e.bankReference),
      `<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd>${el('SubFmlyCd', family)}</Fmly></Domn></BkTxCd>`,
      `<NtryDtls><TxDtls><Refs>${el('AcctSvcrRef', e.bankReference)}${el('EndToEndId', e.endToEndId)}</Refs>${amount}${el('CdtDbtInd', e.side)}`,
      e.returnReason ? `<RtrInf><Rsn>${el('Cd', e.returnReason.code)}</Rsn>${e.returnReason.text ? el('AddtlInf', maxText(e.returnReason.text, 105)) : ''}</RtrInf>` : '',
      '</TxDtls></NtryDtls>',
      '</Ntry>',
    ].join('');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${CAMT054_NS}">`,
    '<BkToCstmrDbtCdtNtfctn>',
    `<GrpHdr>${el('MsgId', input.messageId)}${el('CreDtTm', isoDateTime(input.createdAt))}</GrpHdr>`,
    `<Ntfctn>${el('Id', input.messageId)}${el('CreDtTm', isoDateTime(input.createdAt))}<Acct><Id><Othr>${el('Id', input.accountNumber)}</Othr></Id><Ccy>CNY</Ccy></Acct>`,
    ...entries,
    '</Ntfctn>',
    '</BkToCstmrDbtCdtNtfctn>',
    '</Document>',
    '',
  ].join('\n');
}
