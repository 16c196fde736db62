// What a rule returns for one subject, one point, one period. Pure data, explained in Chinese.
import type { Rounding } from '../money.ts';

type Outcome = 'eligible' | 'ineligible' | 'undetermined';

export interface Reason {
  /** Stable code, e.g. LAYOFF_RATE. */
  code: string;
  /** true = condition met, false = failed, null = could not be evaluated (data missing). */
  passed: boolean | null;
  /** Plain Chinese sentence with the citation. */
  text: string;
}

export interface Decision {
  outcome: Outcome;
  amountFen: bigint | null;
  rounding: Rounding | null;
  reasons: Reason[];
  missingFacts: string[];
}
