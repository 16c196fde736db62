// What a bank report says, whatever its format: one line per transaction it is about. Reconciliation
// (../reconciliation.ts) works on these lines only; the readers turn pain.002 and camt.054 into them.
import { AppError } from '../../errors.ts';
import { readCamt054 } from './camt054.ts';
import { readPain002 } from './pain002.ts';
import { documentNamespace, parseXml } from './xml.ts';

/** A transaction status from a pain.002 (ExternalPaymentTransactionStatus1Code). */
export interface StatusLine {
  kind: 'status';
  endToEndId: string | null;
  /** ACSC settled; ACCP/ACSP/ACTC/ACWC/RCVD accepted, not yet booked; PDNG pending; RJCT rejected. */
  status: string;
  reasonCode: string | null;
  reasonText: string | null;
  /** From OrgnlTxRef when the bank repeats the instructed amount; null when it does not. */
  amountFen: bigint | null;
  currency: string | null;
  bankReference: string | null;
}

/** A booked debit of the fund account (camt.054 DBIT, BOOK). */
interface BookingLine {
  kind: 'booking';
  endToEndId: string | null;
  amountFen: bigint;
  currency: string;
  bookedOn: string | null;
  bankReference: string | null;
}

/** Money coming back: a credit with return information (camt.054 CRDT with RtrInf). */
interface ReturnLine {
  kind: 'return';
  endToEndId: string | null;
  amountFen: bigint;
  currency: string;
  reasonCode: string | null;
  reasonText: string | null;
  bookedOn: string | null;
  bankReference: string | null;
}

/** A line the readers understood as XML but that says nothing we act on (e.g. an unrelated credit). */
interface OtherLine {
  kind: 'other';
  endToEndId: string | null;
  description: string;
  amountFen: bigint | null;
  currency: string | null;
}

export type ReportLine = StatusLine | BookingLine | ReturnLine | OtherLine;

export interface ParsedReport {
  format: 'pain.002.001.10' | 'camt.054.001.08';
  messageId: string;
  createdAt: string;
  /** pain.002: the pain.001 MsgId it answers. */
  originalMessageId: string | null;
  /** pain.002: the group status (ACCP, ACSC, PART, PDNG, RJCT …) and its reason. */
  groupStatus: string | null;
  groupReasonCode: string | null;
  lines: ReportLine[];
}

/** Reads a bank report by its Document namespace; anything else is REPORT_MALFORMED naming the file. */
export function parseBankReport(content: string, source: string): ParsedReport {
  const root = parseXml(content, source);
  const ns = documentNamespace(content);
  if (ns === 'urn:iso:std:iso:20022:tech:xsd:pain.002.001.10') return readPain002(root, source);
  if (ns === 'urn:iso:std:iso:20022:tech:xsd:camt.054.001.08') return readCamt054(root, source);
  throw new AppError('REPORT_MALFORMED', `${source} is neither a pain.002.001.10 status report nor a camt.054.001.08 notification (Document namespace ${ns ?? 'missing'}). It changed nothing.`, { source });
}
