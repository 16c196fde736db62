// The boundary to the bank: a payment channel transmits one message per batch send and hands back
// the reports the bank sent. Instructions carry an end-to-end id derived from the payment's key, so a
// channel (and a real bank) books each one at most once however often it is sent; a message id is
// derived from the batch and the payments in it, so a repeated send after a crash is the same message.
// Account numbers cross this boundary in clear: they are decrypted by the caller just before sending.

import type { Tx } from '../db/clients.ts';

interface PaymentInstruction {
  endToEndId: string;
  accountNumber: string;
  amountFen: bigint;
  payeeName: string;
  /** 附言 shown to the payee, e.g. the policy point. */
  remittance?: string;
}

export interface PaymentMessage {
  /** ISO MsgId (≤ 35 characters), stable for the same batch and payments. */
  messageId: string;
  batchId: number;
  createdAt: Date;
  instructions: PaymentInstruction[];
}

export interface Transmission {
  /** Where the message went (a file name under the outbox, or the channel's own reference). */
  reference: string;
  /** SHA-256 (hex) of the bytes transmitted, kept with the batch for audit. */
  sha256: string;
  /** True when the channel already held this message id (a repeat after a crash): nothing new went out. */
  repeated: boolean;
}

/** One report as received: its id in the channel (a file name) and its bytes, never altered. */
export interface BankReport {
  reportId: string;
  content: string;
}

export interface BankChannel {
  readonly kind: 'sandbox' | 'iso20022-files';
  /**
   * `tx` is the send's own transaction (it holds the batch lock). A channel inside this database (the
   * sandbox bank) books in it: on the embedded database a second connection cannot write while a
   * transaction is open, and the bookings then commit or roll back with the send. Others ignore it.
   */
  transmit(message: PaymentMessage, tx?: Tx): Promise<Transmission>;
  /** Every report the channel holds; reconciliation skips those it has already recorded. */
  fetchReports(): Promise<BankReport[]>;
  /** Reports recorded by reconciliation (applied, duplicate or malformed); a files channel keeps them regardless. */
  acknowledge(reportIds: string[]): Promise<void>;
}

/**
 * ISO 20022 reason codes we expect, in Chinese for staff and payees. Status reasons
 * (ExternalStatusReason1Code) and return reasons (ExternalReturnReason1Code) share these codes.
 */
const REASON_TEXT: Record<string, string> = {
  AC01: '账号不正确',
  AC03: '收款账号无效',
  AC04: '账户已销户',
  AC06: '账户已冻结',
  AG01: '账户不允许此类交易',
  AM04: '资金不足',
  AM05: '重复支付',
  BE01: '户名与账号不符',
  MD07: '收款人已身故',
  MS03: '银行未说明原因',
  NARR: '见银行附言',
};

export function reasonText(code: string | null, bankText?: string | null): string | null {
  if (code === null) return bankText ?? null;
  return REASON_TEXT[code] ?? bankText ?? code;
}
