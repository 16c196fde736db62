// Maps a subject's merged facts into what the skeleton's rule reads. Absent or null = missing.
import type { WengangFacts } from '../rules/wengang-fanhuan.ts';
import type { SubjectFacts } from '../subjects/facts-repository.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
const fen = (v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined);

export function toWengangFacts(facts: SubjectFacts): WengangFacts {
  return {
    status: str(facts.status),
    industryCode: str(facts.industryCode),
    revenueFen: fen(facts.revenueFen),
    staff: num(facts.staff),
    uiContributionsPaidFen: fen(facts.uiContributionsPaidFen),
    uiMonthsPaidInFull: num(facts.uiMonthsPaidInFull),
    avgInsured: num(facts.avgInsured),
    newClaimants: num(facts.newClaimants),
    laborDispatch: bool(facts.laborDispatch),
    seriousDishonest: bool(facts.seriousDishonest),
  };
}

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
