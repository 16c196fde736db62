// How payment identifiers are derived, in one place (docs/payments.md explains them):
// - payment key: the entitlement's idempotency key (point, subject, period) for the first payment;
//   `<entitlement key>~r1` for its one re-send in a follow-up batch. The database allows attempts 0
//   and 1 only, and at most one payment of an entitlement pending, in flight or paid.
// - EndToEndId: 'MS' + the first 32 hex digits of SHA-256(payment key): 34 characters (ISO Max35Text),
//   the same on every send of that payment, different for the re-send, so a bank that deduplicates on
//   EndToEndId books each attempt once and never takes the re-send for a duplicate.
// - MsgId: 'MS' + batch id + '-' + 16 hex digits of SHA-256 over the sorted end-to-end ids sent; a
//   retry of the same send (after a crash or a timeout) is the same message, a later send of what was
//   left pending is a new one.
import { createHash } from 'node:crypto';

const hex = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

const RESEND_SUFFIX = '~r1';

export function paymentKeyFor(entitlementKey: string, attempt: 0 | 1): string {
  return attempt === 0 ? entitlementKey : `${entitlementKey}${RESEND_SUFFIX}`;
}

export function endToEndIdFor(paymentKey: string): string {
  return `MS${hex(paymentKey).slice(0, 32)}`;
}

export function messageIdFor(batchId: number, endToEndIds: readonly string[]): string {
  return `MS${batchId}-${hex([...endToEndIds].sort().join('\n')).slice(0, 16)}`;
}

/** An account number as logs and lists show it: the last four digits only. */
export function maskAccount(accountNumber: string): string {
  return accountNumber.length <= 4 ? '****' : `****${accountNumber.slice(-4)}`;
}
