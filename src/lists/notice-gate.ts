// Where a listed entry stands between the list and a payout batch: 公示 (has it been published, at this
// amount, and has the notice ended?), 异议 (is an objection open, or was one upheld and its correction
// not yet re-published?), 确认 (did the subject confirm before the deadline?). Pure: the facts about the
// entry come in as values, with today's date in China.

export interface EntryStanding {
  amountFen: bigint;
  /** The latest notice the entry appeared on, with the amount it showed; null: never published. */
  notice: { noticeId: number; amountFen: bigint; endsOn: string; publishedAt: Date } | null;
  openObjections: number;
  /** When the latest objection to the entry was upheld (its correction must be published again). */
  lastUpheldAt: Date | null;
  /** An upheld objection's hold still stands (no match run has re-evaluated the entry since). */
  held: boolean;
  /** The confirmation the latest notice asked for; null when the point requires none. */
  confirmation: { status: 'requested' | 'confirmed' | 'waived'; dueOn: string } | null;
}

export type Gate =
  | 'payable'
  | 'not-noticed'
  | 'amount-changed'
  | 'in-notice'
  | 'objection-open'
  | 'held'
  | 'renotice'
  | 'awaiting-confirmation'
  | 'confirmation-expired'
  | 'waived';

/** What the gate says in Chinese, for lists, the portal and the refusal of an empty batch. */
export const GATE_TEXT: Record<Gate, string> = {
  payable: '公示期满无异议，可纳入拨付批次',
  'not-noticed': '尚未公示',
  'amount-changed': '金额在公示后发生变化，须重新公示',
  'in-notice': '公示期内',
  'objection-open': '有未处理的异议',
  held: '异议成立，待重新匹配更正',
  renotice: '异议成立后已更正，须重新公示',
  'awaiting-confirmation': '待享受对象确认金额和收款账户',
  'confirmation-expired': '逾期未确认，视为自愿放弃',
  waived: '逾期未确认，视为自愿放弃',
};

/** The gate an entry is at today (YYYY-MM-DD in China). Only `payable` may go into a batch. */
export function gateOf(entry: EntryStanding, today: string): Gate {
  if (entry.held) return 'held';
  if (entry.openObjections > 0) return 'objection-open';
  if (entry.notice === null) return 'not-noticed';
  if (entry.lastUpheldAt !== null && entry.lastUpheldAt > entry.notice.publishedAt) return 'renotice';
  if (entry.notice.amountFen !== entry.amountFen) return 'amount-changed';
  if (today <= entry.notice.endsOn) return 'in-notice';
  if (entry.confirmation !== null) {
    if (entry.confirmation.status === 'waived') return 'waived';
    if (entry.confirmation.status === 'requested') return today > entry.confirmation.dueOn ? 'confirmation-expired' : 'awaiting-confirmation';
  }
  return 'payable';
}

/** Gates from which publishing a (new) notice is the next step. */
export function needsNotice(gate: Gate): boolean {
  return gate === 'not-noticed' || gate === 'amount-changed' || gate === 'renotice';
}
