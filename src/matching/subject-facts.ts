// Maps the facts recorded per source into what the skeleton's rule reads. Absent or null = missing.
import type { WengangFacts } from '../rules/wengang-fanhuan.ts';
import type { SubjectFacts } from '../subjects/facts-repository.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const bool = (v: unknown) => (typeof v === 'boolean' ? v : undefined);
const fen = (v: unknown) => (typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined);

export function toWengangFacts(bySource: SubjectFacts): WengangFacts {
  const samr = bySource.get('samr') ?? {};
  const tax = bySource.get('tax') ?? {};
  const hrss = bySource.get('hrss') ?? {};
  const credit = bySource.get('credit') ?? {};
  return {
    status: str(samr.status),
    industryCode: str(samr.industryCode),
    revenueFen: fen(tax.revenueFen),
    staff: num(hrss.staff),
    uiContributionsPaidFen: fen(hrss.uiContributionsPaidFen),
    uiMonthsPaidInFull: num(hrss.uiMonthsPaidInFull),
    avgInsured: num(hrss.avgInsured),
    newClaimants: num(hrss.newClaimants),
    laborDispatch: bool(hrss.laborDispatch),
    seriousDishonest: bool(credit.seriousDishonest),
  };
}

export interface PayeeAccount {
  accountNumber: string;
  accountKind: 'basic' | 'social-insurance';
}

/** The basic account on record, else the social-insurance payment account supplied by 税务. */
export function payeeAccount(bySource: SubjectFacts): PayeeAccount | undefined {
  const basic = str(bySource.get('bank')?.basicAccount);
  if (basic) return { accountNumber: basic, accountKind: 'basic' };
  const si = str(bySource.get('tax')?.siAccount);
  if (si) return { accountNumber: si, accountKind: 'social-insurance' };
  return undefined;
}
