// Where a subject's money goes, from its merged facts.
import type { SubjectFacts } from '../subjects/facts-repository.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

export interface PayeeAccount {
  accountNumber: string;
  accountKind: 'basic' | 'social-insurance';
}

/** The basic account on record, else the social-insurance payment account supplied by 税务. */
export function payeeAccount(facts: SubjectFacts): PayeeAccount | undefined {
  const basic = str(facts.basicAccount);
  if (basic) return { accountNumber: basic, accountKind: 'basic' };
  const si = str(facts.siAccount);
  if (si) return { accountNumber: si, accountKind: 'social-insurance' };
  return undefined;
}
