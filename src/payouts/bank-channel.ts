// The boundary to the bank. Instructions carry an end-to-end id derived from the entitlement's
// idempotency key, so a channel (and a real bank) books each one at most once however often it is sent.

export interface PaymentInstruction {
  endToEndId: string;
  accountNumber: string;
  amountFen: bigint;
  payeeName: string;
}

export interface StatusReport {
  endToEndId: string;
  status: 'booked' | 'rejected';
  /** ISO 20022 external status reason code, e.g. AC04 (closed account). */
  reasonCode: string | null;
  bankReference: string;
}

export interface BankChannel {
  submit(instructions: PaymentInstruction[]): Promise<void>;
  /** Reports not yet acknowledged. */
  pendingReports(): Promise<StatusReport[]>;
  acknowledge(endToEndIds: string[]): Promise<void>;
}

export const REASON_TEXT: Record<string, string> = {
  AC01: '账号不正确',
  AC04: '账户已销户',
  AC06: '账户已冻结',
  AM04: '资金不足',
  BE01: '户名与账号不符',
};
