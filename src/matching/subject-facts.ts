// Where a subject's money goes, from its merged facts.
import type { SubjectFacts } from '../subjects/facts-repository.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export interface PayeeAccount {
  accountNumber: string;
  accountKind: 'basic' | 'social-insurance' | 'social-security-card';
}

export type PayeeAccountKind = PayeeAccount['accountKind'];

/**
 * An enterprise: the basic account on record, else the social-insurance payment account supplied by
 * 税务. A person: the financial account of the social-security card (社保卡金融账户, from 人社), the
 * account personal benefits are paid to; a person has no basic account to fall back on.
 */
export function payeeAccount(facts: SubjectFacts, subjectType: 'enterprise' | 'person' = 'enterprise'): PayeeAccount | undefined {
  if (subjectType === 'person') {
    const card = str(facts.ssCardAccount);
    return card ? { accountNumber: card, accountKind: 'social-security-card' } : undefined;
  }
  const basic = str(facts.basicAccount);
  if (basic) return { accountNumber: basic, accountKind: 'basic' };
  const si = str(facts.siAccount);
  if (si) return { accountNumber: si, accountKind: 'social-insurance' };
  return undefined;
}
