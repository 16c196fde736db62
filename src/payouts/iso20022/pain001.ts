// pain.001.001.09 (CustomerCreditTransferInitiationV09): one message per batch transmission, one
// PmtInf debiting the fund account (财政资金账户) from configuration, one CdtTrfTxInf per payment.
// Chinese domestic accounts are not IBANs, so accounts go in Id/Othr/Id; the debtor's bank is named
// by its CNAPS (大额支付系统) bank code in ClrSysMmbId.
import { AppError } from '../../errors.ts';
import { fenToDecimal, decimalToFen } from './amount.ts';
import { chinaDate, child, documentNamespace, el, isoDateTime, list, maxText, parseXml, required, text, type XmlNode } from './xml.ts';

const PAIN001_NS = 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09';

export interface DebtorAccount {
  /** 付款单位名称, e.g. the finance bureau holding the fund account. */
  name: string;
  accountNumber: string;
  /** CNAPS bank code (12 digits) of the bank holding the account. */
  agentCnaps: string;
}

interface CreditTransfer {
  endToEndId: string;
  amountFen: bigint;
  payeeName: string;
  accountNumber: string;
  /** Free text shown to the payee (附言), e.g. the policy point. */
  remittance?: string;
}

export interface Pain001Message {
  messageId: string;
  createdAt: Date;
  debtor: DebtorAccount;
  transfers: CreditTransfer[];
}

function checkId(value: string, what: string, max = 35): string {
  if (value.length === 0 || [...value].length > max) throw new AppError('ARGUMENT_INVALID', `${what} "${value}" must be 1 to ${max} characters for ISO 20022.`);
  return value;
}

/** The XML text of a pain.001.001.09 message; amounts as exact decimal yuan in CNY. */
export function writePain001(message: Pain001Message): string {
  if (message.transfers.length === 0) throw new AppError('ARGUMENT_INVALID', `Payment message ${message.messageId} has no transfers; a pain.001 needs at least one.`);
  const total = message.transfers.reduce((sum, t) => sum + t.amountFen, 0n);
  const count = String(message.transfers.length);
  const ctrlSum = fenToDecimal(total);
  const debtorName = maxText(message.debtor.name, 140);
  const txs = message.transfers.map((t) => {
    checkId(t.endToEndId, 'EndToEndId');
    checkId(t.accountNumber, `Account of ${t.endToEndId}`, 34);
    if (t.amountFen <= 0n) throw new AppError('ARGUMENT_INVALID', `Payment ${t.endToEndId} has amount ${t.amountFen} fen; only positive amounts can be paid.`);
    return [
      '<CdtTrfTxInf>',
      `<PmtId>${el('EndToEndId', t.endToEndId)}</PmtId>`,
      `<Amt><InstdAmt Ccy="CNY">${fenToDecimal(t.amountFen)}</InstdAmt></Amt>`,
      `<Cdtr>${el('Nm', maxText(t.payeeName, 140) || '-')}</Cdtr>`,
      `<CdtrAcct><Id><Othr>${el('Id', t.accountNumber)}</Othr></Id></CdtrAcct>`,
      t.remittance ? `<RmtInf>${el('Ustrd', maxText(t.remittance, 140))}</RmtInf>` : '',
      '</CdtTrfTxInf>',
    ].join('');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<Document xmlns="${PAIN001_NS}">`,
    '<CstmrCdtTrfInitn>',
    `<GrpHdr>${el('MsgId', checkId(message.messageId, 'MsgId'))}${el('CreDtTm', isoDateTime(message.createdAt))}${el('NbOfTxs', count)}${el('CtrlSum', ctrlSum)}<InitgPty>${el('Nm', debtorName)}</InitgPty></GrpHdr>`,
    '<PmtInf>',
    `${el('PmtInfId', message.messageId)}<PmtMtd>TRF</PmtMtd>${el('NbOfTxs', count)}${el('CtrlSum', ctrlSum)}`,
    `<ReqdExctnDt>${el('Dt', chinaDate(message.createdAt))}</ReqdExctnDt>`,
    `<Dbtr>${el('Nm', debtorName)}</Dbtr>`,
    `<DbtrAcct><Id><Othr>${el('Id', checkId(message.debtor.accountNumber, 'Debtor account', 34))}</Othr></Id><Ccy>CNY</Ccy></DbtrAcct>`,
    `<DbtrAgt><FinInstnId><ClrSysMmbId><ClrSysId><Cd>CNAPS</Cd></ClrSysId>${el('MmbId', checkId(message.debtor.agentCnaps, 'Debtor agent CNAPS code'))}</ClrSysMmbId></FinInstnId></DbtrAgt>`,
    ...txs,
    '</PmtInf>',
    '</CstmrCdtTrfInitn>',
    '</Document>',
    '',
  ].join('\n');
}

export interface ReadPain001 {
  messageId: string;
  createdAt: string;
  requestedDate: string;
  debtorAccount: string;
  transfers: Array<{ endToEndId: string; amountFen: bigint; currency: string; payeeName: string; accountNumber: string }>;
}

/** Reads a pain.001.001.09 (what the sandbox bank receives); checks NbOfTxs and CtrlSum against the transfers. */
export function readPain001(content: string, source: string): ReadPain001 {
  const root = parseXml(content, source);
  if (documentNamespace(content) !== PAIN001_NS) throw new AppError('REPORT_MALFORMED', `${source} is not a ${PAIN001_NS} document.`, { source });
  const init = child(root, 'Document', 'CstmrCdtTrfInitn') as XmlNode;
  const header = child(init, 'GrpHdr');
  const transfers = list(child(init, 'PmtInf')).flatMap((pmtInf) =>
    list(child(pmtInf, 'CdtTrfTxInf')).map((tx) => {
      const amount = child(tx, 'Amt', 'InstdAmt');
      const endToEndId = required(tx, source, 'PmtId', 'EndToEndId');
      return {
        endToEndId,
        amountFen: decimalToFen(required(tx, source, 'Amt', 'InstdAmt'), `${source} ${endToEndId}`),
        currency: text(child(amount, '@Ccy')) ?? '',
        payeeName: text(child(tx, 'Cdtr', 'Nm')) ?? '',
        accountNumber: required(tx, source, 'CdtrAcct', 'Id', 'Othr', 'Id'),
      };
    }),
  );
  const firstPmtInf = list(child(init, 'PmtInf'))[0];
  const read: ReadPain001 = {
    messageId: required(header, source, 'MsgId'),
    createdAt: required(header, source, 'CreDtTm'),
    requestedDate: text(child(firstPmtInf, 'ReqdExctnDt', 'Dt')) ?? '',
    debtorAccount: text(child(firstPmtInf, 'DbtrAcct', 'Id', 'Othr', 'Id')) ?? '',
    transfers,
  };
  const nb = required(header, source, 'NbOfTxs');
  if (nb !== String(transfers.length)) throw new AppError('REPORT_MALFORMED', `${source}: NbOfTxs says ${nb} but the message carries ${transfers.length} transfers.`, { source });
  const ctrl = text(child(header, 'CtrlSum'));
  if (ctrl !== undefined && decimalToFen(ctrl, `${source} CtrlSum`) !== transfers.reduce((s, t) => s + t.amountFen, 0n)) {
    throw new AppError('REPORT_MALFORMED', `${source}: CtrlSum ${ctrl} is not the sum of the transfers.`, { source });
  }
  return read;
}
